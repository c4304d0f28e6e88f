//! Decoding of work queues (docs/model.md R-QUEUE-*): the top-level
//! `queues`, the `put` and `get` steps, and the checks that span classes
//! once they are all known (`check_workers`).
//!
//! Invariants of what this returns: a queue's capacity is ≥ 1 or absent
//! (unbounded), there are at most 65535 queues, every `put` and `get` names
//! a declared queue; a class with `workers` arrivals has a `get` at the top
//! level of its program and joins its top-level spawns within the program;
//! no cycle of queues runs through worker classes (a queue in one would
//! never close); no `blocking` or `processes` strategy runs a scenario with
//! worker classes or queues (see [`Decoder::check_workers`]).

use super::program::StepInput;
use super::{Anchor, Decoder, Fields, Node, is_comment};
use crate::scenario::{
    Arrivals, Queue, QueueId, QueueUse, Step, StepKind, Strategy, StrategyKind, TaskClass, queues_used,
};
use serde_json::Value;

pub(super) const QUEUE_FIELDS: &[&str] = &["capacity"];

impl Decoder {
    /// `"queues": {"jobs": {"capacity": 100}, "results": {}}`.
    pub(super) fn queues(&mut self, node: &Node) -> Option<Vec<Queue>> {
        let Value::Object(map) = node.value else {
            return self.wrong(node, "an object of queues such as {\"jobs\": {\"capacity\": 100}}");
        };
        let mut queues = Vec::new();
        let mut ok = true;
        for (name, value) in map.iter().filter(|(name, _)| !is_comment(name)) {
            self.queues.push(name.clone());
            let child = Node { value, path: node.path.key(name) };
            ok &= self.key_name(&child, name);
            let expected = "a queue: {\"capacity\": N}, or {} for an unbounded one";
            let Some(fields) = self.object(&child, QUEUE_FIELDS, expected) else {
                ok = false;
                continue;
            };
            match self.optional(&fields, "capacity", None, |d, n| d.small_count(n).map(Some)) {
                Some(capacity) => queues.push(Queue { name: name.clone(), capacity }),
                None => ok = false,
            }
        }
        if queues.len() > QueueId::MAX as usize {
            return self.wrong(node, "at most 65535 queues");
        }
        ok.then_some(queues)
    }

    /// The id of the declared queue named at `node`.
    fn queue_ref(&mut self, node: &Node) -> Option<QueueId> {
        let queues = std::mem::take(&mut self.queues);
        let found = self.declared(node, "queue", &queues, |name| format!("\"queues\": {{\"{name}\": {{}}}}"));
        self.queues = queues;
        found.map(|i| i as QueueId)
    }

    /// `{"put": "jobs"}`: one item into the queue.
    pub(super) fn step_put(&mut self, step: &StepInput, _: &mut super::program::Scope) -> Option<StepKind> {
        self.queue_ref(step.value()).map(StepKind::Put)
    }

    /// `{"get": "jobs"}`: the oldest item of the queue.
    pub(super) fn step_get(&mut self, step: &StepInput, _: &mut super::program::Scope) -> Option<StepKind> {
        self.queue_ref(step.value()).map(StepKind::Get)
    }

    /// The checks that need every class: worker programs, cycles of queues
    /// through worker classes, and strategies that cannot run workers.
    pub(super) fn check_workers(
        &mut self,
        classes: Vec<TaskClass>,
        classes_node: Option<&Node>,
        strategies: Option<&[Strategy]>,
        top: &Fields,
    ) -> Option<Vec<TaskClass>> {
        let Some(classes_node) = classes_node else { return Some(classes) };
        let before = self.problems.len();
        for class in &classes {
            if matches!(class.arrivals, Arrivals::Workers { .. }) {
                let path = classes_node.path.key(&class.name).key("program");
                let node = Node { value: &classes_node.value[&class.name]["program"], path };
                self.check_worker_program(&class.name, &class.program, &node);
            }
        }
        if let Some(cycle) = worker_cycle(&classes, &self.queues) {
            let message = format!("a cycle of queues through worker classes: {cycle}");
            let hint = "a queue in a cycle never closes (its producers wait for it), so its workers never stop; break the cycle";
            self.problem(classes_node, Anchor::Value, message, Some(hint.into()));
        }
        let workers = classes.iter().find(|c| matches!(c.arrivals, Arrivals::Workers { .. }));
        if let (Some(worker), Some(strategies)) = (workers, strategies)
            && let Some(s) = strategies.iter().find(|s| s.kind == StrategyKind::Blocking)
        {
            let message = format!(
                "strategy \"{}\" (blocking) cannot run the queue workers of class \"{}\": one thread runs one task at a time, and a worker loops until its queue closes, so no producer would ever run",
                s.label, worker.name
            );
            let hint = "run workers under \"threaded\" (each holds a thread) or \"cooperative\"; list \"strategies\" without \"blocking\"";
            let node = top.get("strategies").unwrap_or_else(|| top.node.clone());
            self.problem(&node, Anchor::Value, message, Some(hint.into()));
        }
        (self.problems.len() == before).then_some(classes)
    }

    fn check_worker_program(&mut self, class: &str, program: &[Step], node: &Node) {
        if !program.iter().any(|s| matches!(s.kind, StepKind::Get(_))) {
            let message = format!("class \"{class}\" has \"workers\" arrivals, but its program has no top-level get");
            let hint =
                "a worker loops over {\"get\": \"<queue>\"} then its work; put the get at the top level of the program";
            self.problem(node, Anchor::Value, message, Some(hint.into()));
        }
        for (i, step) in program.iter().enumerate() {
            if let StepKind::Spawn { name, .. } = &step.kind
                && !program.iter().any(|s| matches!(&s.kind, StepKind::Join { name: n } if n == name))
            {
                let at = Node { value: &node.value[i], path: node.path.index(i) };
                let message = format!("a worker's iteration spawns \"{name}\" without joining it");
                let hint = "join it in the same program: each iteration of a worker ends with its work done";
                self.problem(&at, Anchor::Value, message, Some(hint.into()));
            }
        }
    }
}

/// A cycle of queues through worker classes (a worker class getting from
/// `a` and putting into `b` is an edge a → b), written "a → b → a".
fn worker_cycle(classes: &[TaskClass], names: &[String]) -> Option<String> {
    let n = names.len();
    let mut edges = vec![Vec::new(); n];
    for class in classes.iter().filter(|c| matches!(c.arrivals, Arrivals::Workers { .. })) {
        let (mut gets, mut puts) = (Vec::new(), Vec::new());
        gets.extend(queues_used(&class.program, QueueUse::Get));
        puts.extend(queues_used(&class.program, QueueUse::Put));
        for &g in &gets {
            edges[g as usize].extend(puts.iter().copied());
        }
    }
    // Depth-first search; state 1 = on the stack, 2 = done.
    let mut state = vec![0u8; n];
    let mut stack: Vec<QueueId> = Vec::new();
    fn visit(q: QueueId, edges: &[Vec<QueueId>], state: &mut [u8], stack: &mut Vec<QueueId>) -> Option<Vec<QueueId>> {
        state[q as usize] = 1;
        stack.push(q);
        for &next in &edges[q as usize] {
            match state[next as usize] {
                1 => {
                    let from = stack.iter().position(|&s| s == next).expect("on the stack");
                    let mut cycle = stack[from..].to_vec();
                    cycle.push(next);
                    return Some(cycle);
                }
                0 => {
                    if let Some(cycle) = visit(next, edges, state, stack) {
                        return Some(cycle);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state[q as usize] = 2;
        None
    }
    (0..n as QueueId).find_map(|q| {
        if state[q as usize] != 0 {
            return None;
        }
        visit(q, &edges, &mut state, &mut stack)
            .map(|cycle| cycle.iter().map(|&q| format!("\"{}\"", names[q as usize])).collect::<Vec<_>>().join(" → "))
    })
}
