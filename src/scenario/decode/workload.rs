//! Decoding of what a scenario runs on and what arrives: `machine`, `pools`,
//! `classes` (each class's `arrivals`; its `program` is the `program`
//! module's) and `warmup`.
//!
//! Invariants of what this returns: a [`Machine`] has at least one core; a
//! [`Pool`] at least one permit, and there are at most 65535 pools, each
//! name recorded (even when its size is wrong) so that limits resolve; there
//! is at least one [`TaskClass`], its arrivals bounded by exactly one of a
//! count and a duration, and a closed loop always advances virtual time; a
//! [`Warmup`] comes with open-loop arrivals only and ends before the
//! horizon.

use super::program::Scope;
use super::{Anchor, Decoder, Fields, Node, is_comment};
use crate::scenario::duration::parse_duration;
use crate::scenario::{Arrivals, Bound, Dist, Machine, Pool, PoolId, TaskClass, Warmup, WhenFull, takes_no_time};
use crate::time::SimDuration;
use serde_json::Value;

pub(super) const ARRIVAL_KINDS: &[&str] = &["batch", "poisson", "interval", "closed", "workers"];
pub(super) const MACHINE_FIELDS: &[&str] = &["cores"];
pub(super) const POOL_FIELDS: &[&str] = &["size", "when_full"];
pub(super) const WHEN_FULL: &[&str] = &["wait", "reject"];
pub(super) const CLASS_FIELDS: &[&str] = &["arrivals", "program"];
pub(super) const BATCH_FIELDS: &[&str] = &["count"];
pub(super) const POISSON_FIELDS: &[&str] = &["rate", "count", "duration"];
pub(super) const INTERVAL_FIELDS: &[&str] = &["every", "count", "duration"];
pub(super) const CLOSED_FIELDS: &[&str] = &["users", "think", "count", "duration"];
/// The literal besides a duration that `warmup` takes.
pub(super) const WARMUP_AUTO: &str = "auto";

impl Decoder {
    pub(super) fn machine(&mut self, node: &Node) -> Option<Machine> {
        let fields = self.object(node, MACHINE_FIELDS, "a machine object such as {\"cores\": 4}")?;
        let cores = self.optional(&fields, "cores", 1, Decoder::small_count)?;
        Some(Machine { cores })
    }

    /// `"pools": {"connections": 100, "db": {"size": 4, "when_full": "reject"}}`.
    pub(super) fn pools(&mut self, node: &Node) -> Option<Vec<Pool>> {
        let Value::Object(map) = node.value else {
            return self.wrong(node, "an object of pool sizes such as {\"connections\": 100}");
        };
        let mut pools = Vec::new();
        let mut ok = true;
        for (name, value) in map.iter().filter(|(name, _)| !is_comment(name)) {
            self.pools.push(name.clone());
            let child = Node { value, path: node.path.key(name) };
            ok &= self.key_name(&child, name);
            match self.pool(name, &child) {
                Some(pool) => pools.push(pool),
                None => ok = false,
            }
        }
        if pools.len() > PoolId::MAX as usize {
            return self.wrong(node, "at most 65535 pools");
        }
        ok.then_some(pools)
    }

    /// A pool's size, or `{"size": N, "when_full": "wait" | "reject"}`.
    fn pool(&mut self, name: &str, node: &Node) -> Option<Pool> {
        if !node.value.is_object() {
            let size = self.small_count(node)?;
            return Some(Pool { name: name.to_string(), size, when_full: WhenFull::Wait });
        }
        let expected = "a pool: a size such as 10, or {\"size\": 10, \"when_full\": \"reject\"}";
        let fields = self.object(node, POOL_FIELDS, expected)?;
        let size = self.required(&fields, "size", "the number of permits").and_then(|n| self.small_count(&n));
        let when_full = self.optional(&fields, "when_full", WhenFull::Wait, |d, n| match n.value.as_str() {
            Some("wait") => Some(WhenFull::Wait),
            Some("reject") => Some(WhenFull::Reject),
            _ => d.wrong_hint(
                n,
                "\"wait\" or \"reject\"",
                "\"wait\" queues for a permit (the default); \"reject\" ends the task as rejected",
            ),
        });
        Some(Pool { name: name.to_string(), size: size?, when_full: when_full? })
    }

    /// The id of the declared pool named at `node`.
    pub(super) fn pool_ref(&mut self, node: &Node) -> Option<PoolId> {
        let pools = std::mem::take(&mut self.pools);
        let found = self.declared(node, "pool", &pools, |name| format!("\"pools\": {{\"{name}\": 10}}"));
        self.pools = pools;
        found.map(|i| i as PoolId)
    }

    /// `"classes": {"download": {"arrivals": …, "program": […]}}`.
    pub(super) fn classes(&mut self, node: &Node) -> Option<Vec<TaskClass>> {
        let expected = "an object of task classes such as {\"download\": {\"arrivals\": …, \"program\": […]}}";
        let Value::Object(map) = node.value else {
            return self.wrong(node, expected);
        };
        if map.keys().all(|name| is_comment(name)) {
            return self.wrong(node, "at least one task class");
        }
        let mut classes = Vec::new();
        let mut ok = true;
        for (name, value) in map.iter().filter(|(name, _)| !is_comment(name)) {
            let child = Node { value, path: node.path.key(name) };
            ok &= self.key_name(&child, name);
            match self.class(name, &child) {
                Some(class) => classes.push(class),
                None => ok = false,
            }
        }
        ok.then_some(classes)
    }

    fn class(&mut self, name: &str, node: &Node) -> Option<TaskClass> {
        let fields = self.object(node, CLASS_FIELDS, "a task class: {\"arrivals\": …, \"program\": […]}")?;
        let arrivals = self.required(&fields, "arrivals", "when tasks arrive").and_then(|n| self.arrivals(&n));
        let program =
            self.required(&fields, "program", "a list of steps").and_then(|n| self.program(&n, &mut Scope::default()));
        let (arrivals, program) = (arrivals?, program?);
        if let Arrivals::Closed { think, bound: Bound::Duration(_), .. } = &arrivals
            && think.always_zero()
            && takes_no_time(&program)
        {
            let node = fields.get("arrivals").expect("decoded above");
            let message = "this closed loop can never finish: its think time and every step take 0, so virtual time never reaches the end of its duration";
            let hint = "give \"think\" a duration > 0, or bound the loop by \"count\"";
            self.problem(&node, Anchor::Value, message, Some(hint.into()));
            return None;
        }
        Some(TaskClass { name: name.to_string(), arrivals, program })
    }

    fn arrivals(&mut self, node: &Node) -> Option<Arrivals> {
        let (kind, inner, _) = self.one_of(node, ARRIVAL_KINDS, &[], "arrivals")?;
        match kind {
            "batch" => self.batch(&inner),
            "poisson" => self.poisson(&inner),
            "interval" => self.interval(&inner),
            "closed" => self.closed(&inner),
            "workers" => self.small_count(&inner).map(|count| Arrivals::Workers { count }),
            _ => unreachable!("one_of returns a listed kind"),
        }
    }

    fn batch(&mut self, node: &Node) -> Option<Arrivals> {
        let fields = self.object(node, BATCH_FIELDS, "{\"count\": N}")?;
        let count = self.required(&fields, "count", "how many tasks arrive at t = 0")?;
        Some(Arrivals::Batch { count: self.count(&count)? })
    }

    fn poisson(&mut self, node: &Node) -> Option<Arrivals> {
        let fields = self.object(node, POISSON_FIELDS, "{\"rate\": …, \"count\": N}")?;
        let rate = self
            .required(&fields, "rate", "arrivals per second")
            .and_then(|n| self.number(&n, "a rate > 0 (arrivals per second)", |x| x > 0.0));
        let bound = self.bound(&fields);
        Some(Arrivals::Poisson { rate_per_s: rate?, bound: bound? })
    }

    fn interval(&mut self, node: &Node) -> Option<Arrivals> {
        let fields = self.object(node, INTERVAL_FIELDS, "{\"every\": …, \"count\": N}")?;
        let every = self.required(&fields, "every", "the time between arrivals").and_then(|n| self.gap(&n));
        let bound = self.bound(&fields);
        Some(Arrivals::Interval { every: every?, bound: bound? })
    }

    /// An interval's gap: a duration > 0, or a distribution or a sequence
    /// of gaps that are not all zero.
    fn gap(&mut self, node: &Node) -> Option<Dist> {
        if matches!(node.value, Value::String(_) | Value::Number(_)) {
            return self.positive_duration(node).map(Dist::Constant);
        }
        let every = self.step_dist(node)?;
        if every.always_zero() {
            let hint = "at least one gap must be > 0, or every arrival would happen at t = 0: use a batch";
            return self.wrong_hint(node, "gaps that are not all zero", hint);
        }
        Some(every)
    }

    fn closed(&mut self, node: &Node) -> Option<Arrivals> {
        let fields = self.object(node, CLOSED_FIELDS, "{\"users\": N, \"think\": …, \"count\": N}")?;
        let users = self.required(&fields, "users", "how many closed-loop users").and_then(|n| self.small_count(&n));
        let think = self.optional(&fields, "think", Dist::Constant(SimDuration::ZERO), Decoder::dist);
        let bound = self.bound(&fields);
        Some(Arrivals::Closed { users: users?, think: think?, bound: bound? })
    }

    /// Exactly one of `count` and `duration`.
    fn bound(&mut self, fields: &Fields) -> Option<Bound> {
        match (fields.get("count"), fields.get("duration")) {
            (Some(count), None) => self.count(&count).map(Bound::Count),
            (None, Some(duration)) => self.positive_duration(&duration).map(Bound::Duration),
            (None, None) => {
                let hint = "add \"count\": N (a number of tasks) or \"duration\": \"60s\" (stop arrivals then)";
                self.problem(&fields.node, Anchor::Value, "unbounded arrivals", Some(hint.into()));
                None
            }
            (Some(_), Some(duration)) => {
                let hint = "keep either \"count\" or \"duration\"";
                self.problem(&duration, Anchor::Key, "arrivals bounded twice", Some(hint.into()));
                None
            }
        }
    }

    /// `"warmup": "auto"` or a duration, with its node for
    /// [`Decoder::check_warmup`] once the classes are known.
    pub(super) fn warmup<'v>(&mut self, node: &Node<'v>) -> Option<(Warmup, Node<'v>)> {
        match node.value.as_str() {
            Some(WARMUP_AUTO) => Some((Warmup::Auto, node.clone())),
            Some(text) if parse_duration(text).is_err() => self.wrong_hint(
                node,
                "a duration such as \"30s\", or \"auto\"",
                "\"auto\" chooses the warmup by MSER-5; a duration drops tasks arriving before it",
            ),
            _ => self.positive_duration(node).map(|d| (Warmup::Duration(d), node.clone())),
        }
    }

    /// A warmup needs open-loop arrivals (a batch has no steady state, a
    /// closed loop's transient is not one of arrivals) and must end before
    /// the horizon.
    pub(super) fn check_warmup(
        &mut self,
        warmup: Warmup,
        node: &Node,
        classes: &[TaskClass],
        horizon: Option<SimDuration>,
    ) -> Option<Warmup> {
        if let Some(class) =
            classes.iter().find(|c| matches!(c.arrivals, Arrivals::Batch { .. } | Arrivals::Closed { .. }))
        {
            let kind = if matches!(class.arrivals, Arrivals::Batch { .. }) { "a batch" } else { "a closed loop" };
            let message = format!("a warmup needs open-loop arrivals, but class \"{}\" arrives in {kind}", class.name);
            let hint = "use \"poisson\" or \"interval\" arrivals in every class, or remove \"warmup\"";
            self.problem(node, Anchor::Value, message, Some(hint.into()));
            return None;
        }
        if let (Warmup::Duration(d), Some(h)) = (warmup, horizon)
            && d >= h
        {
            let message = format!("a warmup of {d} leaves nothing to measure before the horizon at {h}");
            self.problem(node, Anchor::Value, message, Some("make the warmup shorter than the horizon".into()));
            return None;
        }
        Some(warmup)
    }
}
