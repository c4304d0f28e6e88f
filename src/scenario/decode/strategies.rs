//! Decoding of `strategies`: a kind's name (`"threaded"`) or an object with
//! one kind and its settings (`{"threaded": {"workers": 8, "label": "t8"}}`).
//!
//! Invariants of the decoded list: it is non-empty; labels are distinct
//! (a strategy with a problem of its own is not compared, its label may not
//! be the one meant); a threaded strategy has at least one worker and a
//! switch interval > 0; `processes` has at least one process, runs a
//! non-`processes` strategy in each, and is refused in a scenario with links
//! or services (each process is simulated on its own, so they would not be
//! shared).

use super::{Anchor, Decoder, Fields, Node};
use crate::scenario::{InnerKind, Machine, Strategy, StrategyKind};
use serde_json::Value;

pub(super) const STRATEGY_KINDS: &[&str] = &["blocking", "threaded", "cooperative", "free_threaded", "processes"];
/// The settings each kind takes, in its object form.
pub(super) const STRATEGY_FIELDS: &[(&str, &[&str])] = &[
    ("blocking", &["label"]),
    ("threaded", &["label", "workers", "gil", "switch_interval"]),
    ("cooperative", &["label", "max_concurrency"]),
    ("free_threaded", &["label", "workers", "switch_interval"]),
    ("processes", &["label", "workers", "strategy", "dispatch"]),
];
/// The one way `processes` dispatches tasks.
pub(super) const DISPATCH: &str = "round_robin";
/// Every strategy setting, for spotting one written beside the kind.
const STRATEGY_SETTINGS: &[&str] = &["label", "workers", "gil", "switch_interval", "max_concurrency"];

impl Decoder {
    pub(super) fn strategies(&mut self, node: &Node, machine: Machine) -> Option<Vec<Strategy>> {
        let items = self.non_empty_list(node, "a non-empty list of strategies")?;
        let mut strategies: Vec<Strategy> = Vec::new();
        let mut ok = true;
        for item in &items {
            let before = self.problems.len();
            match self.strategy(item, machine) {
                // A strategy with a problem of its own (say a misplaced
                // "label") is not compared with the others: its label may
                // not be the one the user meant.
                Some(_) if self.problems.len() > before => ok = false,
                Some(strategy) => {
                    ok &= self.fits_with(item, &strategy, &strategies);
                    strategies.push(strategy);
                }
                None => ok = false,
            }
        }
        ok.then_some(strategies)
    }

    /// Whether `strategy` (at `node`) may be compared with the scenario and
    /// the strategies before it; each reason it may not is recorded.
    fn fits_with(&mut self, node: &Node, strategy: &Strategy, before: &[Strategy]) -> bool {
        let mut ok = true;
        if matches!(strategy.kind, StrategyKind::Processes { .. })
            && !(self.links.is_empty() && self.services.is_empty())
        {
            // Each process is simulated on its own (R-PROCESSES), so a link
            // or service would be copied per process instead of shared.
            let message =
                "processes cannot share the scenario's links and services: each process is simulated on its own";
            let hint = "compare processes on a scenario without \"links\" and \"services\"";
            self.problem(node, Anchor::Value, message, Some(hint.into()));
            ok = false;
        }
        if matches!(strategy.kind, StrategyKind::Processes { .. }) && !self.queues.is_empty() {
            // asyncio.Queue and queue.Queue live in one process.
            let message =
                "processes cannot share the scenario's queues: an asyncio.Queue or queue.Queue lives in one process";
            let hint = "compare \"threaded\" or \"cooperative\" on a scenario with \"queues\"";
            self.problem(node, Anchor::Value, message, Some(hint.into()));
            ok = false;
        }
        if before.iter().any(|s| s.label == strategy.label) {
            let message = format!("two strategies are labelled \"{}\"", strategy.label);
            let hint =
                "give each a distinct \"label\", e.g. {\"threaded\": {\"workers\": 8, \"label\": \"threaded-8\"}}";
            self.problem(node, Anchor::Value, message, Some(hint.into()));
            ok = false;
        }
        ok
    }

    fn strategy(&mut self, node: &Node, machine: Machine) -> Option<Strategy> {
        if let Value::String(name) = node.value {
            return self.strategy_named(node, name, machine);
        }
        if !node.value.is_object() {
            return self.wrong(
                node,
                "a strategy: \"blocking\", \"threaded\", \"cooperative\" or an object such as {\"threaded\": {\"workers\": 8}}",
            );
        }
        if self.misplaced_setting(node) {
            return None;
        }
        let (kind, inner, _) = self.one_of(node, STRATEGY_KINDS, &[], "strategy")?;
        let allowed = strategy_fields(kind);
        let fields = self.object(&inner, allowed, "an object of strategy settings")?;
        let label = self.optional(&fields, "label", kind.to_string(), |d, n| d.name(n).map(str::to_string));
        let kind = match kind {
            "blocking" => Some(StrategyKind::Blocking),
            "processes" => self.processes(&fields, machine),
            "threaded" | "free_threaded" => self.threaded(&fields, kind == "threaded", machine),
            _ => self
                .optional(&fields, "max_concurrency", None, |d, n| d.small_count(n).map(Some))
                .map(|max_concurrency| StrategyKind::Cooperative { max_concurrency }),
        };
        Some(Strategy { label: label?, kind: kind? })
    }

    /// A strategy by its kind's name alone, with the kind's defaults.
    fn strategy_named(&mut self, node: &Node, name: &str, machine: Machine) -> Option<Strategy> {
        let Some(kind) = STRATEGY_KINDS.iter().find(|k| **k == name) else {
            match strategy_alias(name) {
                Some(hint) => {
                    self.problem(node, Anchor::Value, format!("unknown strategy \"{name}\""), Some(hint.into()))
                }
                None => self.unknown(node, name, "strategy", STRATEGY_KINDS),
            }
            return None;
        };
        let kind = match *kind {
            "blocking" => StrategyKind::Blocking,
            "threaded" => default_threaded(machine),
            "free_threaded" => free_threaded(default_threaded(machine)),
            "processes" => {
                let hint = "write {\"processes\": {\"workers\": 2, \"strategy\": \"blocking\"}}";
                self.problem(node, Anchor::Value, "processes needs its settings", Some(hint.into()));
                return None;
            }
            _ => StrategyKind::Cooperative { max_concurrency: None },
        };
        Some(Strategy { label: name.to_string(), kind })
    }

    /// Records a setting written beside the kind instead of inside its
    /// settings (`{"threaded": {…}, "label": …}`), if there is one.
    fn misplaced_setting(&mut self, node: &Node) -> bool {
        if let Value::Object(map) = node.value
            && let Some(kind) = STRATEGY_KINDS.iter().find(|k| map.contains_key(**k))
            && let Some(key) = map.keys().find(|k| STRATEGY_SETTINGS.contains(&k.as_str()))
        {
            let misplaced = Node { value: &map[key], path: node.path.key(key) };
            let message = format!("\"{key}\" belongs inside the strategy's settings");
            let hint = format!("write {{\"{kind}\": {{\"{key}\": {}, …}}}}", map[key]);
            self.problem(&misplaced, Anchor::Key, message, Some(hint));
            return true;
        }
        false
    }

    /// A `threaded` or `free_threaded` strategy's settings; `gil` is the
    /// default for `"gil"`.
    fn threaded(&mut self, fields: &Fields, gil: bool, machine: Machine) -> Option<StrategyKind> {
        let workers = self.optional(fields, "workers", StrategyKind::default_workers(machine), Decoder::small_count);
        let gil = self.optional(fields, "gil", gil, Decoder::boolean);
        let switch_interval =
            self.optional(fields, "switch_interval", StrategyKind::DEFAULT_SWITCH_INTERVAL, Decoder::positive_duration);
        Some(StrategyKind::Threaded { workers: workers?, gil: gil?, switch_interval: switch_interval? })
    }

    /// `{"processes": {"workers": P, "strategy": …, "dispatch": "round_robin"}}`
    /// (R-PROCESSES).
    fn processes(&mut self, fields: &Fields, machine: Machine) -> Option<StrategyKind> {
        let workers = self.required(fields, "workers", "how many processes").and_then(|n| self.small_count(&n));
        let inner = self.required(fields, "strategy", "the strategy each process runs").and_then(|n| {
            let strategy = self.strategy(&n, machine)?;
            let inner = InnerKind::of(strategy.kind);
            if inner.is_none() {
                let hint = "give each process a blocking, threaded or cooperative strategy";
                self.problem(&n, Anchor::Value, "a process cannot run processes", Some(hint.into()));
            }
            inner
        });
        if let Some(n) = fields.get("dispatch")
            && n.value.as_str() != Some(DISPATCH)
        {
            let hint = "tasks go to the processes in turn, in arrival order (least_loaded is not modelled)";
            return self.wrong_hint(&n, "\"round_robin\"", hint);
        }
        Some(StrategyKind::Processes { workers: workers?, inner: inner? })
    }
}

/// The settings strategy `kind` (one of [`STRATEGY_KINDS`]) takes.
pub(super) fn strategy_fields(kind: &str) -> &'static [&'static str] {
    STRATEGY_FIELDS.iter().find(|(k, _)| *k == kind).map(|(_, fields)| *fields).expect("a listed kind")
}

/// What a user may call a strategy by another name means in simbench.
pub(super) fn strategy_alias(name: &str) -> Option<&'static str> {
    match name.to_ascii_lowercase().as_str() {
        "asyncio" | "async" | "coroutines" | "event-loop" | "eventloop" | "trio" => {
            Some("asyncio's event loop is \"cooperative\"")
        }
        "threads" | "thread" | "threadpool" | "thread-pool" | "threadpoolexecutor" => {
            Some("a pool of threads is \"threaded\", e.g. {\"threaded\": {\"workers\": 8}}")
        }
        "sync" | "sequential" | "serial" => Some("one task after another is \"blocking\""),
        _ => None,
    }
}

/// `free_threaded`: threads without a GIL (free-threaded CPython, Java,
/// Rust), an alias of `{"threaded": {"gil": false}}`.
fn free_threaded(kind: StrategyKind) -> StrategyKind {
    match kind {
        StrategyKind::Threaded { workers, switch_interval, .. } => {
            StrategyKind::Threaded { workers, gil: false, switch_interval }
        }
        other => other,
    }
}

fn default_threaded(machine: Machine) -> StrategyKind {
    StrategyKind::Threaded {
        workers: StrategyKind::default_workers(machine),
        gil: true,
        switch_interval: StrategyKind::DEFAULT_SWITCH_INTERVAL,
    }
}

/// The strategies compared when a scenario names none: all three, with
/// their defaults.
pub(super) fn default_strategies(machine: Machine) -> Vec<Strategy> {
    vec![
        Strategy { label: "blocking".into(), kind: StrategyKind::Blocking },
        Strategy { label: "threaded".into(), kind: default_threaded(machine) },
        Strategy { label: "cooperative".into(), kind: StrategyKind::Cooperative { max_concurrency: None } },
    ]
}
