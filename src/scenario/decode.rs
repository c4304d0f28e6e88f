//! The hand-written decoder from a JSON value tree to a validated
//! [`Scenario`].
//!
//! serde's derive stops at the first error; a user fixing a scenario wants
//! every problem at once, each with its field path, what was expected, what
//! was found and, for a misspelling, the field that was probably meant. So the
//! decoder walks the tree itself, records a [`Raw`] problem wherever a value
//! is wrong and carries on with the next field. Positions are resolved later
//! from the path (see [`super::source`]).
//!
//! Invariant: [`decode`] returns a scenario only when it recorded no problem,
//! so every [`Scenario`] it returns satisfies the model's invariants.

use super::duration::{DurationError, parse_duration};
use super::runtime::{self, Runtime};
use super::slo::{ScopeField, Slo, parse_threshold};
use super::source::Path;
use super::suggest::closest;
use super::{
    Arrivals, Bound, Dist, GatherBranch, InnerKind, MAX_SPAWN_SLOTS, Machine, Pool, PoolId, Scenario, Step, StepKind,
    Strategy, StrategyKind, TaskClass, Warmup, WhenFull, takes_no_time,
};
use crate::time::SimDuration;
use serde_json::{Map, Value};

mod net;
mod service;

/// Which part of a field a problem points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    /// The key naming the value (unknown or duplicate fields).
    Key,
    /// The value itself (wrong types and values, missing fields inside it).
    Value,
}

/// A problem before its position in the file is known.
#[derive(Clone, Debug)]
pub struct Raw {
    pub path: Path,
    pub anchor: Anchor,
    pub message: String,
    pub hint: Option<String>,
}

const TOP_FIELDS: &[&str] = &[
    "name",
    "description",
    "seed",
    "machine",
    "horizon",
    "warmup",
    "pools",
    "links",
    "services",
    "classes",
    "strategies",
    "slos",
    "runtime",
];
const STEP_KINDS: &[&str] =
    &["io", "cpu", "sleep", "blocking", "gather", "spawn", "join", "timeout", "limit", "to_thread", "call"];
const STRATEGY_KINDS: &[&str] = &["blocking", "threaded", "cooperative", "free_threaded", "processes"];
const ARRIVAL_KINDS: &[&str] = &["batch", "poisson", "interval", "closed"];
const DIST_KINDS: &[&str] = &["constant", "uniform", "exponential", "normal", "lognormal", "pareto", "empirical"];
/// Every strategy setting, for spotting one written beside the kind.
const STRATEGY_SETTINGS: &[&str] = &["label", "workers", "gil", "switch_interval", "max_concurrency"];
const PROFILE_FORMAT_HINT: &str = "the profile format, \"simbench.runtime/v1\"";
const DURATION_HINT: &str = "durations are strings with a unit: \"250ms\", \"5s\", \"40us\", \"2min\"";

/// Decodes and validates a whole scenario.
pub fn decode(root: &Value) -> Result<Scenario, Vec<Raw>> {
    decode_with(root, Decoder::scenario)
}

/// Decodes a runtime profile file (`simbench.runtime/v1`).
pub fn decode_profile(root: &Value) -> Result<Runtime, Vec<Raw>> {
    decode_with(root, Decoder::profile_file)
}

/// Runs `document` over the root: its value if no problem was recorded.
fn decode_with<T>(root: &Value, document: impl FnOnce(&mut Decoder, &Node) -> Option<T>) -> Result<T, Vec<Raw>> {
    let mut decoder = Decoder { problems: Vec::new(), pools: Vec::new(), links: Vec::new(), services: Vec::new() };
    match document(&mut decoder, &Node { value: root, path: Path::default() }) {
        Some(value) if decoder.problems.is_empty() => Ok(value),
        _ => Err(decoder.problems),
    }
}

/// A value and where it is in the document.
#[derive(Clone, Debug)]
struct Node<'v> {
    value: &'v Value,
    path: Path,
}

/// An object whose fields have been checked against the allowed names.
struct Fields<'v> {
    map: &'v Map<String, Value>,
    node: Node<'v>,
}

impl<'v> Fields<'v> {
    fn get(&self, key: &str) -> Option<Node<'v>> {
        self.map.get(key).map(|value| Node { value, path: self.node.path.key(key) })
    }
}

/// Where a program sits, for the checks that span steps.
#[derive(Default)]
struct Scope {
    /// Spawn names of this program, in order, and whether each was joined.
    spawned: Vec<(String, bool)>,
    /// Pools whose permit this fiber holds at this point.
    held: Vec<PoolId>,
}

struct Decoder {
    problems: Vec<Raw>,
    pools: Vec<String>,
    /// Declared link names, in file order (recorded even when a link's
    /// settings are wrong, so references resolve).
    links: Vec<String>,
    /// Declared service names, likewise.
    services: Vec<String>,
}

impl Decoder {
    // ----- recording problems -------------------------------------------

    fn problem(&mut self, node: &Node, anchor: Anchor, message: impl Into<String>, hint: Option<String>) {
        self.problems.push(Raw { path: node.path.clone(), anchor, message: message.into(), hint });
    }

    fn wrong<T>(&mut self, node: &Node, expected: &str) -> Option<T> {
        let message = format!("expected {expected}, found {}", describe(node.value));
        self.problem(node, Anchor::Value, message, None);
        None
    }

    fn wrong_hint<T>(&mut self, node: &Node, expected: &str, hint: impl Into<String>) -> Option<T> {
        let message = format!("expected {expected}, found {}", describe(node.value));
        self.problem(node, Anchor::Value, message, Some(hint.into()));
        None
    }

    // ----- structure ----------------------------------------------------

    /// Checks `node` is an object whose keys are all in `allowed` (keys that
    /// start with `_` are comments and ignored).
    fn object<'v>(&mut self, node: &Node<'v>, allowed: &[&str], expected: &str) -> Option<Fields<'v>> {
        let Value::Object(map) = node.value else {
            return self.wrong(node, expected);
        };
        for key in map.keys() {
            if !allowed.contains(&key.as_str()) && !is_comment(key) {
                self.unknown(&Node { value: &map[key], path: node.path.key(key) }, key, "field", allowed);
            }
        }
        Some(Fields { map, node: node.clone() })
    }

    fn unknown(&mut self, node: &Node, key: &str, what: &str, allowed: &[&str]) {
        let hint = match closest(key, allowed) {
            Some(guess) => format!("did you mean \"{guess}\"?"),
            None => format!("expected one of: {}", allowed.join(", ")),
        };
        self.problem(node, Anchor::Key, format!("unknown {what} \"{key}\""), Some(hint));
    }

    fn required<'v>(&mut self, fields: &Fields<'v>, key: &str, expected: &str) -> Option<Node<'v>> {
        let found = fields.get(key);
        if found.is_none() {
            let message = format!("missing field \"{key}\" ({expected})");
            self.problem(&fields.node, Anchor::Value, message, None);
        }
        found
    }

    /// An object with exactly one key from `kinds`, plus any of `extras`.
    /// Returns the kind, its value, and the whole object.
    fn one_of<'v, 'k>(
        &mut self,
        node: &Node<'v>,
        kinds: &[&'k str],
        extras: &[&str],
        what: &str,
    ) -> Option<(&'k str, Node<'v>, Fields<'v>)> {
        let Value::Object(map) = node.value else {
            let expected = format!("{what}: an object with one of the keys {}", kinds.join(", "));
            return self.wrong(node, &expected);
        };
        let mut found: Vec<&'k str> = Vec::new();
        let mut unknown = false;
        for key in map.keys() {
            if let Some(kind) = kinds.iter().find(|k| **k == key) {
                found.push(kind);
            } else if !extras.contains(&key.as_str()) && !is_comment(key) {
                let allowed: Vec<&str> = kinds.iter().chain(extras).copied().collect();
                // "lable" is a misspelt field, not an unknown kind of step.
                let what = match closest(key, &allowed) {
                    Some(guess) if extras.contains(&guess) => "field",
                    _ => what,
                };
                self.unknown(&Node { value: &map[key], path: node.path.key(key) }, key, what, &allowed);
                unknown = true;
            }
        }
        // An unknown key is most likely a misspelt kind: say nothing more
        // unless the object still has exactly one kind to check.
        if unknown && found.len() != 1 {
            return None;
        }
        match found.as_slice() {
            [kind] => {
                let fields = Fields { map, node: node.clone() };
                let inner = fields.get(kind).expect("key is present");
                Some((kind, inner, fields))
            }
            [] => {
                let message = format!("{what} has no kind");
                let hint = format!("give it exactly one of the keys {}", kinds.join(", "));
                self.problem(node, Anchor::Value, message, Some(hint));
                None
            }
            many => {
                let message = format!("{what} has more than one kind: {}", many.join(" and "));
                let hint = format!("split it into one {what} per kind");
                self.problem(node, Anchor::Value, message, Some(hint));
                None
            }
        }
    }

    fn list<'v>(&mut self, node: &Node<'v>, expected: &str) -> Option<Vec<Node<'v>>> {
        let Value::Array(items) = node.value else {
            return self.wrong(node, expected);
        };
        Some(items.iter().enumerate().map(|(i, value)| Node { value, path: node.path.index(i) }).collect())
    }

    fn non_empty_list<'v>(&mut self, node: &Node<'v>, expected: &str) -> Option<Vec<Node<'v>>> {
        let items = self.list(node, expected)?;
        if items.is_empty() {
            return self.wrong(node, expected);
        }
        Some(items)
    }

    // ----- scalars ------------------------------------------------------

    fn string<'v>(&mut self, node: &Node<'v>) -> Option<&'v str> {
        match node.value {
            Value::String(s) => Some(s),
            _ => self.wrong(node, "a string"),
        }
    }

    fn name<'v>(&mut self, node: &Node<'v>) -> Option<&'v str> {
        match node.value {
            Value::String(s) if !s.trim().is_empty() => Some(s),
            _ => self.wrong(node, "a non-empty string"),
        }
    }

    fn boolean(&mut self, node: &Node) -> Option<bool> {
        match node.value {
            Value::Bool(b) => Some(*b),
            _ => self.wrong(node, "true or false"),
        }
    }

    fn integer(&mut self, node: &Node, min: u64, max: u64) -> Option<u64> {
        match node.value.as_u64() {
            Some(n) if (min..=max).contains(&n) => Some(n),
            Some(n) if n > max => self.wrong(node, &format!("an integer ≤ {max}")),
            _ => self.wrong(node, &format!("an integer ≥ {min}")),
        }
    }

    fn count(&mut self, node: &Node) -> Option<u64> {
        self.integer(node, 1, u64::MAX)
    }

    fn small_count(&mut self, node: &Node) -> Option<u32> {
        self.integer(node, 1, u32::MAX as u64).map(|n| n as u32)
    }

    fn number(&mut self, node: &Node, expected: &str, accept: impl Fn(f64) -> bool) -> Option<f64> {
        match node.value.as_f64() {
            Some(x) if x.is_finite() && accept(x) => Some(x),
            _ => self.wrong(node, expected),
        }
    }

    fn duration(&mut self, node: &Node) -> Option<SimDuration> {
        match node.value {
            Value::String(text) => match parse_duration(text) {
                Ok(d) => Some(d),
                Err(e) => {
                    let hint = matches!(e, DurationError::Malformed(_)).then(|| DURATION_HINT.to_string());
                    self.problem(node, Anchor::Value, format!("expected a duration: {e}"), hint);
                    None
                }
            },
            Value::Number(n) => {
                let hint = format!("add a unit: \"{n}ms\" or \"{n}s\"");
                self.wrong_hint(node, "a duration string such as \"250ms\"", hint)
            }
            _ => self.wrong_hint(node, "a duration string such as \"250ms\"", DURATION_HINT),
        }
    }

    fn positive_duration(&mut self, node: &Node) -> Option<SimDuration> {
        let d = self.duration(node)?;
        if d.is_zero() {
            return self.wrong(node, "a duration > 0");
        }
        Some(d)
    }

    // ----- the scenario -------------------------------------------------

    fn scenario(&mut self, root: &Node) -> Option<Scenario> {
        let top = self.object(root, TOP_FIELDS, "a scenario object")?;
        let name = self.required(&top, "name", "the scenario's name").and_then(|n| self.name(&n));
        let description = match top.get("description") {
            Some(n) => self.string(&n).map(str::to_string),
            None => Some(String::new()),
        };
        let seed = match top.get("seed") {
            Some(n) => self.integer(&n, 0, u64::MAX),
            None => Some(1),
        };
        let machine = match top.get("machine") {
            Some(n) => self.machine(&n),
            None => Some(Machine::default()),
        };
        let horizon = match top.get("horizon") {
            Some(n) => self.positive_duration(&n).map(Some),
            None => Some(None),
        };
        let warmup = match top.get("warmup") {
            Some(n) if n.value.as_str() == Some("auto") => Some(Some((Warmup::Auto, n))),
            Some(n) if n.value.as_str().is_some_and(|text| parse_duration(text).is_err()) => self.wrong_hint(
                &n,
                "a duration such as \"30s\", or \"auto\"",
                "\"auto\" chooses the warmup by MSER-5; a duration drops tasks arriving before it",
            ),
            Some(n) => self.positive_duration(&n).map(|d| Some((Warmup::Duration(d), n))),
            None => Some(None),
        };
        let pools = match top.get("pools") {
            Some(n) => self.pools(&n),
            None => Some(Vec::new()),
        };
        let links = match top.get("links") {
            Some(n) => self.links(&n),
            None => Some(Vec::new()),
        };
        let services = match top.get("services") {
            Some(n) => self.services(&n),
            None => Some(Vec::new()),
        };
        // Even with bad pools, record their names so limits resolve.
        let classes = self.required(&top, "classes", "the task classes").and_then(|n| self.classes(&n));
        let strategies = match top.get("strategies") {
            Some(n) => self.strategies(&n, machine.unwrap_or_default()),
            None => Some(default_strategies(machine.unwrap_or_default())),
        };
        let slos = match top.get("slos") {
            Some(n) => self.slos(&n, strategies.as_deref(), top.get("classes").as_ref()),
            None => Some(Vec::new()),
        };
        let runtime = match top.get("runtime") {
            Some(n) => self.runtime(&n),
            None => Some(Runtime::ideal()),
        };
        let (classes, horizon) = (classes?, horizon?);
        let warmup = match warmup? {
            Some((warmup, node)) => Some(self.check_warmup(warmup, &node, &classes, horizon)?),
            None => None,
        };
        Some(Scenario {
            name: name?.to_string(),
            description: description?,
            seed: seed?,
            machine: machine?,
            pools: pools?,
            links: links?,
            services: services?,
            classes,
            strategies: strategies?,
            horizon,
            warmup,
            slos: slos?,
            runtime: runtime?,
        })
    }

    // ----- runtime profiles (R-RUNTIME-*) -------------------------------

    /// `"ideal"`, `"cpython"`, a profile file's path, or an object
    /// `{"profile": …, "<constant>": …}` overriding single constants.
    fn runtime(&mut self, node: &Node) -> Option<Runtime> {
        const EXPECTED: &str = "a runtime profile: \"ideal\", \"cpython\", a profile file's path, or an object such as {\"profile\": \"cpython\", \"task_create\": \"7us\"}";
        match node.value {
            Value::String(name) => self.runtime_base(node, name, Vec::new()),
            Value::Object(_) => {
                let mut allowed: Vec<&str> = vec!["profile"];
                allowed.extend(runtime::CONSTANTS.iter().map(|c| c.name));
                let fields = self.object(node, &allowed, EXPECTED)?;
                let overrides = self.runtime_constants(&fields, false)?;
                match fields.get("profile") {
                    Some(p) => match p.value {
                        Value::String(name) => self.runtime_base(&p, name, overrides),
                        _ => self.wrong(&p, "a profile name (\"ideal\", \"cpython\") or a profile file's path"),
                    },
                    None => Some(Runtime::ideal().with_overrides(&overrides)),
                }
            }
            _ => self.wrong(node, EXPECTED),
        }
    }

    fn runtime_base(&mut self, node: &Node, name: &str, overrides: Vec<(usize, u64)>) -> Option<Runtime> {
        if let Some(base) = Runtime::built_in(name) {
            return Some(base.with_overrides(&overrides));
        }
        let looks_like_file = name.contains('/') || name.contains('.') || name.contains('\\');
        if !looks_like_file {
            let hint = match closest(name, runtime::BUILT_IN) {
                Some(guess) => format!("did you mean \"{guess}\"? (a profile file's path contains a '.' or a '/')"),
                None => "use \"ideal\", \"cpython\", or the path of a file written by `simbench calibrate`".into(),
            };
            self.problem(node, Anchor::Value, format!("unknown runtime profile \"{name}\""), Some(hint));
            return None;
        }
        Some(Runtime {
            name: name.to_string(),
            values: Runtime::ideal().values,
            pending: Some(runtime::PendingProfile { file: name.to_string(), overrides }),
        })
    }

    /// The constants present in `fields`, each checked for its unit. With
    /// `all`, every constant must be there (a profile file).
    fn runtime_constants(&mut self, fields: &Fields, all: bool) -> Option<Vec<(usize, u64)>> {
        let mut out = Vec::new();
        let mut ok = true;
        for (i, constant) in runtime::CONSTANTS.iter().enumerate() {
            let node = match fields.get(constant.name) {
                Some(n) => n,
                None if all => {
                    ok &= self.required(fields, constant.name, constant.meaning).is_some();
                    continue;
                }
                None => continue,
            };
            let value = match constant.unit {
                runtime::Unit::Duration => self.duration(&node).map(SimDuration::as_nanos),
                runtime::Unit::Bytes => self.bytes(&node),
            };
            match value {
                Some(v) => out.push((i, v)),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn bytes(&mut self, node: &Node) -> Option<u64> {
        let parsed = match node.value {
            Value::Number(n) => n.as_u64(),
            Value::String(text) => super::parse_bytes(text).filter(|b| b.fract() == 0.0 && *b >= 0.0).map(|b| b as u64),
            _ => None,
        };
        parsed.or_else(|| {
            self.wrong_hint(
                node,
                "a size in bytes",
                "write a whole number of bytes (2900) or a size such as \"16.5KiB\"",
            )
        })
    }

    /// A profile file: `{"format": "simbench.runtime/v1", "name": …,
    /// "constants": {…every constant…}, "measured_with": {…}}`.
    fn profile_file(&mut self, root: &Node) -> Option<Runtime> {
        let top = self.object(root, &["format", "name", "constants", "measured_with"], "a runtime profile object")?;
        let format = self.required(&top, "format", PROFILE_FORMAT_HINT);
        if let Some(f) = &format
            && f.value.as_str() != Some(runtime::PROFILE_FORMAT)
        {
            return self.wrong_hint(
                f,
                &format!("\"{}\"", runtime::PROFILE_FORMAT),
                "this simbench reads profile files written by `simbench calibrate`; run it again",
            );
        }
        let name = match top.get("name") {
            Some(n) => self.name(&n).map(str::to_string),
            None => Some(String::new()),
        };
        let constants = self.required(&top, "constants", "the profile's constants")?;
        let allowed: Vec<&str> = runtime::CONSTANTS.iter().map(|c| c.name).collect();
        let fields = self.object(&constants, &allowed, "an object of the profile's constants")?;
        let values = self.runtime_constants(&fields, true)?;
        let _ = (format?, name?);
        Some(Runtime { name: String::new(), values: Runtime::ideal().values, pending: None }.with_overrides(&values))
    }

    /// A warmup needs open-loop arrivals (a batch has no steady state, a
    /// closed loop's transient is not one of arrivals) and must end before
    /// the horizon.
    fn check_warmup(
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

    fn machine(&mut self, node: &Node) -> Option<Machine> {
        let fields = self.object(node, &["cores"], "a machine object such as {\"cores\": 4}")?;
        let cores = match fields.get("cores") {
            Some(n) => self.small_count(&n)?,
            None => 1,
        };
        Some(Machine { cores })
    }

    fn pools(&mut self, node: &Node) -> Option<Vec<Pool>> {
        let Value::Object(map) = node.value else {
            return self.wrong(node, "an object of pool sizes such as {\"connections\": 100}");
        };
        let mut pools = Vec::new();
        let mut ok = true;
        for (name, value) in map.iter().filter(|(name, _)| !is_comment(name)) {
            self.pools.push(name.clone());
            let child = Node { value, path: node.path.key(name) };
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
        let fields = self.object(node, &["size", "when_full"], expected)?;
        let size = self.required(&fields, "size", "the number of permits").and_then(|n| self.small_count(&n));
        let when_full = match fields.get("when_full") {
            Some(n) => match n.value.as_str() {
                Some("wait") => Some(WhenFull::Wait),
                Some("reject") => Some(WhenFull::Reject),
                _ => self.wrong_hint(
                    &n,
                    "\"wait\" or \"reject\"",
                    "\"wait\" queues for a permit (the default); \"reject\" ends the task as rejected",
                ),
            },
            None => Some(WhenFull::Wait),
        };
        Some(Pool { name: name.to_string(), size: size?, when_full: when_full? })
    }

    fn classes(&mut self, node: &Node) -> Option<Vec<TaskClass>> {
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
            match self.class(name, &child) {
                Some(class) => classes.push(class),
                None => ok = false,
            }
        }
        ok.then_some(classes)
    }

    fn class(&mut self, name: &str, node: &Node) -> Option<TaskClass> {
        let fields =
            self.object(node, &["arrivals", "program"], "a task class: {\"arrivals\": …, \"program\": […]}")?;
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
            "batch" => {
                let fields = self.object(&inner, &["count"], "{\"count\": N}")?;
                let count = self.required(&fields, "count", "how many tasks arrive at t = 0")?;
                Some(Arrivals::Batch { count: self.count(&count)? })
            }
            "poisson" => {
                let fields = self.object(&inner, &["rate", "count", "duration"], "{\"rate\": …, \"count\": N}")?;
                let rate = self
                    .required(&fields, "rate", "arrivals per second")
                    .and_then(|n| self.number(&n, "a rate > 0 (arrivals per second)", |x| x > 0.0));
                let bound = self.bound(&fields);
                Some(Arrivals::Poisson { rate_per_s: rate?, bound: bound? })
            }
            "interval" => {
                let fields = self.object(&inner, &["every", "count", "duration"], "{\"every\": …, \"count\": N}")?;
                let every = self
                    .required(&fields, "every", "the time between arrivals")
                    .and_then(|n| self.positive_duration(&n));
                let bound = self.bound(&fields);
                Some(Arrivals::Interval { every: every?, bound: bound? })
            }
            "closed" => {
                let allowed = ["users", "think", "count", "duration"];
                let fields = self.object(&inner, &allowed, "{\"users\": N, \"think\": …, \"count\": N}")?;
                let users =
                    self.required(&fields, "users", "how many closed-loop users").and_then(|n| self.small_count(&n));
                let think = match fields.get("think") {
                    Some(n) => self.dist(&n),
                    None => Some(Dist::Constant(SimDuration::ZERO)),
                };
                let bound = self.bound(&fields);
                Some(Arrivals::Closed { users: users?, think: think?, bound: bound? })
            }
            _ => unreachable!("one_of returns a listed kind"),
        }
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

    // ----- programs -----------------------------------------------------

    fn program(&mut self, node: &Node, scope: &mut Scope) -> Option<Vec<Step>> {
        let items = self.non_empty_list(node, "a non-empty list of steps")?;
        let mut steps = Vec::with_capacity(items.len());
        let mut ok = true;
        for item in &items {
            match self.step(item, scope) {
                Some(step) => steps.push(step),
                None => ok = false,
            }
        }
        ok.then_some(steps)
    }

    fn step(&mut self, node: &Node, scope: &mut Scope) -> Option<Step> {
        let (kind, inner, fields) = self.one_of(node, STEP_KINDS, &["label", "fail", "bytes", "link"], "step")?;
        // A bad label or fail is recorded, and the step's kind still checked.
        let label = match fields.get("label") {
            Some(n) => self.name(&n).map(|name| Some(name.to_string())),
            None => Some(None),
        };
        let fail = match fields.get("fail") {
            Some(n) if kind == "io" => self.number(&n, "a probability from 0 to 1", |p| (0.0..=1.0).contains(&p)),
            Some(n) => {
                let message = format!("\"fail\" applies only to io steps, not to {kind}");
                let hint = "make the failing operation an io step, or remove \"fail\"";
                self.problem(&n, Anchor::Key, message, Some(hint.into()));
                None
            }
            None => Some(0.0),
        };
        let transfer = self.transfer(kind, &fields);
        if kind == "call" {
            let call = self.call(&inner);
            fail?;
            return Some(Step { kind: StepKind::Call { call: call?, transfer: transfer? }, label: label? });
        }
        let kind = match kind {
            "io" => StepKind::Io { duration: self.dist(&inner)?, fail: fail.unwrap_or(0.0), transfer: transfer? },
            "cpu" => StepKind::Cpu(self.dist(&inner)?),
            "sleep" => StepKind::Sleep(self.dist(&inner)?),
            "blocking" => StepKind::Blocking(self.dist(&inner)?),
            "gather" => self.gather(&inner, scope)?,
            "spawn" => self.spawn(&inner, scope)?,
            "join" => self.join(&inner, scope)?,
            "timeout" => {
                let fields = self.object(&inner, &["after", "program"], "{\"after\": …, \"program\": […]}")?;
                let after = self.required(&fields, "after", "the time budget").and_then(|n| self.positive_duration(&n));
                // The body runs on the same fiber's behalf: it keeps the
                // permits held around it, but has its own spawn names.
                let mut body_scope = Scope { spawned: Vec::new(), held: scope.held.clone() };
                let program = self
                    .required(&fields, "program", "the steps under the budget")
                    .and_then(|n| self.program(&n, &mut body_scope));
                StepKind::Timeout { after: after?, program: program? }
            }
            "limit" => self.limit(&inner, scope)?,
            "to_thread" => self.offload(&inner, scope)?,
            _ => unreachable!("one_of returns a listed kind"),
        };
        fail?;
        Some(Step { kind, label: label? })
    }

    /// A synchronous function run on a worker thread: io, cpu, sleep and
    /// blocking steps only (it cannot await).
    fn offload(&mut self, node: &Node, scope: &Scope) -> Option<StepKind> {
        let mut body_scope = Scope { spawned: Vec::new(), held: scope.held.clone() };
        let program = self.program(node, &mut body_scope)?;
        let mut ok = true;
        for (i, step) in program.iter().enumerate() {
            if !matches!(step.kind, StepKind::Io { .. } | StepKind::Cpu(_) | StepKind::Sleep(_) | StepKind::Blocking(_))
            {
                let at = Node { value: &node.value[i], path: node.path.index(i) };
                self.problem(
                    &at,
                    Anchor::Value,
                    "to_thread runs a synchronous function: only io, cpu, sleep and blocking steps",
                    Some("move gathers, spawns, timeouts and limits outside the to_thread step".into()),
                );
                ok = false;
            }
        }
        ok.then_some(StepKind::ToThread(program))
    }

    fn gather(&mut self, node: &Node, _scope: &Scope) -> Option<StepKind> {
        let items = self.non_empty_list(node, "a non-empty list of branches")?;
        let mut branches = Vec::with_capacity(items.len());
        let mut ok = true;
        for item in &items {
            // Each branch is its own fiber: it holds no permit and has its own
            // spawn names.
            let branch = match item.value {
                Value::Array(_) => {
                    self.program(item, &mut Scope::default()).map(|program| GatherBranch { copies: 1, program })
                }
                _ => self.branch(item),
            };
            match branch {
                Some(branch) => branches.push(branch),
                None => ok = false,
            }
        }
        let total = branches.iter().map(|b| b.copies as u64).sum::<u64>();
        if ok && total > u32::MAX as u64 {
            return self.wrong(node, "at most 4294967295 gathered children in all");
        }
        ok.then_some(StepKind::Gather(branches))
    }

    fn branch(&mut self, node: &Node) -> Option<GatherBranch> {
        let expected = "a branch: a list of steps, or {\"copies\": N, \"program\": […]}";
        let fields = self.object(node, &["copies", "program"], expected)?;
        let copies = match fields.get("copies") {
            Some(n) => self.small_count(&n),
            None => Some(1),
        };
        let program = self
            .required(&fields, "program", "the branch's steps")
            .and_then(|n| self.program(&n, &mut Scope::default()));
        Some(GatherBranch { copies: copies?, program: program? })
    }

    fn spawn(&mut self, node: &Node, scope: &mut Scope) -> Option<StepKind> {
        let fields = self.object(node, &["name", "program"], "{\"name\": …, \"program\": […]}")?;
        let name_node = self.required(&fields, "name", "the name a later join awaits");
        let name = name_node.as_ref().and_then(|n| self.name(n));
        let program = self
            .required(&fields, "program", "the spawned task's steps")
            .and_then(|n| self.program(&n, &mut Scope::default()));
        let (name, name_node) = (name?, name_node?);
        if scope.spawned.iter().any(|(n, _)| n == name) {
            let message = format!("\"{name}\" is already spawned in this program");
            self.problem(&name_node, Anchor::Value, message, Some("give each spawn its own name".into()));
            return None;
        }
        if scope.spawned.len() >= MAX_SPAWN_SLOTS {
            let message = format!("more than {MAX_SPAWN_SLOTS} spawns in one program");
            let hint = "gather copies of a branch instead of spawning many named tasks";
            self.problem(node, Anchor::Value, message, Some(hint.into()));
            return None;
        }
        scope.spawned.push((name.to_string(), false));
        Some(StepKind::Spawn { name: name.to_string(), program: program? })
    }

    fn join(&mut self, node: &Node, scope: &mut Scope) -> Option<StepKind> {
        let name = self.name(node)?;
        let Some(entry) = scope.spawned.iter_mut().find(|(n, _)| n == name) else {
            let names: Vec<&str> = scope.spawned.iter().map(|(n, _)| n.as_str()).collect();
            let hint = match closest(name, &names) {
                Some(guess) => format!("did you mean \"{guess}\"?"),
                None if names.is_empty() => {
                    "a join awaits a task spawned by an earlier step of the same program".into()
                }
                None => format!("spawned so far: {}", names.join(", ")),
            };
            let message = format!("join of \"{name}\", which no earlier step of this program spawns");
            self.problem(node, Anchor::Value, message, Some(hint));
            return None;
        };
        if entry.1 {
            let hint = "a spawned task is awaited once; spawn another under a new name to await it again";
            self.problem(node, Anchor::Value, format!("\"{name}\" is joined twice"), Some(hint.into()));
            return None;
        }
        entry.1 = true;
        Some(StepKind::Join { name: name.to_string() })
    }

    fn limit(&mut self, node: &Node, scope: &mut Scope) -> Option<StepKind> {
        let fields = self.object(node, &["pool", "program"], "{\"pool\": …, \"program\": […]}")?;
        let pool_node = self.required(&fields, "pool", "the name of a pool in \"pools\"");
        let pool = match &pool_node {
            Some(n) => self.pool_ref(n),
            None => None,
        };
        if let (Some(pool), Some(n)) = (pool, &pool_node) {
            if scope.held.contains(&pool) {
                let message =
                    format!("limit on pool \"{}\" inside a limit on the same pool", self.pools[pool as usize]);
                let hint = "a task would wait for a permit it holds itself (a self-deadlock); remove the inner limit";
                self.problem(n, Anchor::Value, message, Some(hint.into()));
                return None;
            }
        }
        // The body shares this program's spawn names (it compiles inline).
        let pool_id = pool.unwrap_or(PoolId::MAX);
        scope.held.push(pool_id);
        let program = match self.required(&fields, "program", "the steps that hold the permit") {
            Some(n) => self.program(&n, scope),
            None => None,
        };
        scope.held.pop();
        Some(StepKind::Limit { pool: pool?, program: program? })
    }

    fn pool_ref(&mut self, node: &Node) -> Option<PoolId> {
        let pools = std::mem::take(&mut self.pools);
        let found = self.declared(node, "pool", &pools, |name| format!("\"pools\": {{\"{name}\": 10}}"));
        self.pools = pools;
        found.map(|i| i as PoolId)
    }

    /// The index of the name at `node` among `names` (declared `what`s),
    /// or a problem with "did you mean", the declared names, or, when none
    /// is declared, how to declare one (`declaration(name)`).
    fn declared(
        &mut self,
        node: &Node,
        what: &str,
        names: &[String],
        declaration: impl Fn(&str) -> String,
    ) -> Option<usize> {
        let name = self.name(node)?;
        if let Some(i) = names.iter().position(|n| n == name) {
            return Some(i);
        }
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let hint = match closest(name, &names) {
            Some(guess) => format!("did you mean \"{guess}\"?"),
            None if names.is_empty() => format!("declare it: {}", declaration(name)),
            None => format!("declared {what}s: {}", names.join(", ")),
        };
        self.problem(node, Anchor::Value, format!("unknown {what} \"{name}\""), Some(hint));
        None
    }

    /// An object of named entries (`links`, `services`): each name is
    /// recorded with `record` (even when its entry is wrong, so references
    /// resolve) and its entry decoded with `entry`.
    fn named<T>(
        &mut self,
        node: &Node,
        expected: &str,
        record: fn(&mut Decoder) -> &mut Vec<String>,
        mut entry: impl FnMut(&mut Decoder, &str, &Node) -> Option<T>,
    ) -> Option<Vec<T>> {
        let Value::Object(map) = node.value else {
            return self.wrong(node, expected);
        };
        let mut out = Vec::new();
        let mut ok = true;
        for (name, value) in map.iter().filter(|(name, _)| !is_comment(name)) {
            record(self).push(name.clone());
            match entry(self, name, &Node { value, path: node.path.key(name) }) {
                Some(item) => out.push(item),
                None => ok = false,
            }
        }
        if out.len() > u16::MAX as usize {
            return self.wrong(node, "at most 65535 entries");
        }
        ok.then_some(out)
    }

    // ----- distributions ------------------------------------------------

    fn dist(&mut self, node: &Node) -> Option<Dist> {
        if matches!(node.value, Value::String(_) | Value::Number(_)) {
            return self.duration(node).map(Dist::Constant);
        }
        if !node.value.is_object() {
            let expected =
                "a duration such as \"250ms\" or a distribution such as {\"exponential\": {\"mean\": \"100ms\"}}";
            return self.wrong(node, expected);
        }
        let (kind, inner, _) = self.one_of(node, DIST_KINDS, &[], "distribution")?;
        match kind {
            "constant" => self.duration(&inner).map(Dist::Constant),
            "uniform" => {
                let fields = self.object(&inner, &["min", "max"], "{\"min\": …, \"max\": …}")?;
                let min = self.required(&fields, "min", "a duration").and_then(|n| self.duration(&n));
                let max_node = self.required(&fields, "max", "a duration")?;
                let (min, max) = (min?, self.duration(&max_node)?);
                if max < min {
                    return self.wrong(&max_node, "a maximum ≥ the minimum");
                }
                Some(Dist::Uniform { min, max })
            }
            "exponential" => {
                let fields = self.object(&inner, &["mean"], "{\"mean\": …}")?;
                let mean = self.required(&fields, "mean", "a duration > 0")?;
                let mean = self.positive_duration(&mean)?;
                Some(Dist::Exponential { mean_ns: mean.as_nanos() as f64 })
            }
            "normal" => {
                let fields = self.object(&inner, &["mean", "stddev"], "{\"mean\": …, \"stddev\": …}")?;
                let mean = self.required(&fields, "mean", "a duration").and_then(|n| self.duration(&n));
                let stddev = self.required(&fields, "stddev", "a duration").and_then(|n| self.duration(&n));
                Some(Dist::Normal { mean_ns: mean?.as_nanos() as f64, stddev_ns: stddev?.as_nanos() as f64 })
            }
            "lognormal" => self.lognormal(&inner),
            "pareto" => {
                let fields = self.object(&inner, &["min", "max", "alpha"], "{\"min\": …, \"max\": …, \"alpha\": …}")?;
                let min = self.required(&fields, "min", "a duration > 0").and_then(|n| self.positive_duration(&n));
                let max_node = self.required(&fields, "max", "a duration")?;
                let max = self.duration(&max_node);
                let alpha = self
                    .required(&fields, "alpha", "the shape, a number > 0")
                    .and_then(|n| self.number(&n, "a shape > 0", |a| a > 0.0));
                let (min, max, alpha) = (min?, max?, alpha?);
                if max <= min {
                    return self.wrong(&max_node, "a maximum > the minimum");
                }
                Some(Dist::BoundedPareto { min_ns: min.as_nanos() as f64, max_ns: max.as_nanos() as f64, alpha })
            }
            "empirical" => {
                let items = self.non_empty_list(&inner, "a non-empty list of durations")?;
                let samples: Vec<Option<SimDuration>> = items.iter().map(|n| self.duration(n)).collect();
                let samples: Option<Vec<SimDuration>> = samples.into_iter().collect();
                Some(Dist::Empirical(samples?.into_boxed_slice()))
            }
            _ => unreachable!("one_of returns a listed kind"),
        }
    }

    fn lognormal(&mut self, node: &Node) -> Option<Dist> {
        let expected = "{\"median\": …, \"p99\": …} or {\"mean\": …, \"stddev\": …}";
        let fields = self.object(node, &["median", "p99", "mean", "stddev"], expected)?;
        if fields.get("median").is_some() || fields.get("p99").is_some() {
            let median = self.required(&fields, "median", "a duration > 0").and_then(|n| self.positive_duration(&n));
            let p99_node = self.required(&fields, "p99", "a duration ≥ the median")?;
            let p99 = self.duration(&p99_node);
            if let Some(extra) = fields.get("mean").or_else(|| fields.get("stddev")) {
                let hint = "give either median and p99, or mean and stddev";
                self.problem(&extra, Anchor::Key, "lognormal given two ways", Some(hint.into()));
                return None;
            }
            let (median, p99) = (median?, p99?);
            if p99 < median {
                return self.wrong(&p99_node, "a p99 ≥ the median");
            }
            return Some(Dist::lognormal_from_median_p99(median, p99));
        }
        let mean = self.required(&fields, "mean", "a duration > 0").and_then(|n| self.positive_duration(&n));
        let stddev = self.required(&fields, "stddev", "a duration").and_then(|n| self.duration(&n));
        Some(Dist::lognormal_from_mean_stddev(mean?, stddev?))
    }

    // ----- SLOs ---------------------------------------------------------

    /// The `slos` list. Scopes are checked against `strategies` (when they
    /// decoded) and the class names written in `classes`.
    fn slos(&mut self, node: &Node, strategies: Option<&[Strategy]>, classes: Option<&Node>) -> Option<Vec<Slo>> {
        let items = self.list(node, "a list of SLOs such as [\"latency p99 < 500ms\"]")?;
        let class_names: Vec<&str> = match classes.map(|n| n.value) {
            Some(Value::Object(map)) => map.keys().map(String::as_str).filter(|k| !is_comment(k)).collect(),
            _ => Vec::new(),
        };
        let mut slos = Vec::with_capacity(items.len());
        let mut ok = true;
        for item in &items {
            match self.slo(item, strategies, &class_names) {
                Some(slo) => slos.push(slo),
                None => ok = false,
            }
        }
        ok.then_some(slos)
    }

    fn slo(&mut self, node: &Node, strategies: Option<&[Strategy]>, classes: &[&str]) -> Option<Slo> {
        let expected =
            "an SLO: a threshold such as \"latency p99 < 500ms\", or {\"threshold\": …, \"strategy\": …, \"class\": …}";
        let (threshold_node, strategy_node, class_node) = match node.value {
            Value::String(_) => (node.clone(), None, None),
            Value::Object(_) => {
                let fields = self.object(node, &["threshold", "strategy", "class"], expected)?;
                let threshold = self.required(&fields, "threshold", "e.g. \"latency p99 < 500ms\"")?;
                (threshold, fields.get("strategy"), fields.get("class"))
            }
            _ => return self.wrong(node, expected),
        };
        let text = self.string(&threshold_node)?;
        let threshold = match parse_threshold(text) {
            Ok(threshold) => threshold,
            Err(e) => {
                self.problem(
                    &threshold_node,
                    Anchor::Value,
                    format!("in \"{}\": {}", text.trim(), e.message),
                    Some(e.hint),
                );
                return None;
            }
        };
        let mut strategy_kind = None;
        let strategy = match &strategy_node {
            Some(n) => {
                let label = self.name(n)?;
                if let Some(strategies) = strategies {
                    match strategies.iter().find(|s| s.label == label) {
                        Some(s) => strategy_kind = Some(s.kind.name()),
                        None => {
                            let labels: Vec<&str> = strategies.iter().map(|s| s.label.as_str()).collect();
                            let same_kind: Vec<&str> = strategies
                                .iter()
                                .filter(|s| s.kind.name() == label)
                                .map(|s| s.label.as_str())
                                .collect();
                            let hint = match (closest(label, &labels), same_kind.as_slice()) {
                                (Some(guess), _) => format!("did you mean \"{guess}\"?"),
                                (None, _) if strategy_alias(label).is_some() => {
                                    format!(
                                        "{}; the strategies are: {}",
                                        strategy_alias(label).unwrap_or(""),
                                        labels.join(", ")
                                    )
                                }
                                (None, [one]) => format!("the {label} strategy is labelled \"{one}\""),
                                (None, [_, ..]) => {
                                    format!("the {label} strategies are labelled {}", same_kind.join(", "))
                                }
                                (None, []) => format!("the scenario's strategies are: {}", labels.join(", ")),
                            };
                            self.problem(n, Anchor::Value, format!("no strategy is labelled \"{label}\""), Some(hint));
                            return None;
                        }
                    }
                }
                Some(label.to_string())
            }
            None => None,
        };
        let class = match &class_node {
            Some(n) => {
                let name = self.name(n)?;
                if !classes.contains(&name) {
                    let hint = match closest(name, classes) {
                        Some(guess) => format!("did you mean \"{guess}\"?"),
                        None => format!("the scenario's classes are: {}", classes.join(", ")),
                    };
                    self.problem(n, Anchor::Value, format!("unknown class \"{name}\""), Some(hint));
                    return None;
                }
                Some(name.to_string())
            }
            None => None,
        };
        let any_cooperative = strategies.is_none_or(|all| all.iter().any(|s| s.kind.is_cooperative()));
        if strategies.is_some() || strategy_node.is_none() {
            if let Err((field, e)) = threshold.check_scope(strategy_kind, any_cooperative, class.is_some()) {
                let at = match field {
                    ScopeField::Threshold => &threshold_node,
                    ScopeField::Strategy => strategy_node.as_ref().unwrap_or(&threshold_node),
                    ScopeField::Class => class_node.as_ref().unwrap_or(&threshold_node),
                };
                self.problem(at, Anchor::Value, e.message, Some(e.hint));
                return None;
            }
        }
        Some(Slo { threshold, strategy, class })
    }

    // ----- strategies ---------------------------------------------------

    fn strategies(&mut self, node: &Node, machine: Machine) -> Option<Vec<Strategy>> {
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
                    if matches!(strategy.kind, StrategyKind::Processes { .. })
                        && !(self.links.is_empty() && self.services.is_empty())
                    {
                        // Each process is simulated on its own (R-PROCESSES),
                        // so a link or service would be copied per process
                        // instead of shared.
                        let message = "processes cannot share the scenario's links and services: each process is simulated on its own";
                        let hint = "compare processes on a scenario without \"links\" and \"services\"";
                        self.problem(item, Anchor::Value, message, Some(hint.into()));
                        ok = false;
                    }
                    if strategies.iter().any(|s| s.label == strategy.label) {
                        let message = format!("two strategies are labelled \"{}\"", strategy.label);
                        let hint = "give each a distinct \"label\", e.g. {\"threaded\": {\"workers\": 8, \"label\": \"threaded-8\"}}";
                        self.problem(item, Anchor::Value, message, Some(hint.into()));
                        ok = false;
                    }
                    strategies.push(strategy);
                }
                None => ok = false,
            }
        }
        ok.then_some(strategies)
    }

    fn strategy(&mut self, node: &Node, machine: Machine) -> Option<Strategy> {
        if let Value::String(name) = node.value {
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
            return Some(Strategy { label: name.clone(), kind });
        }
        if !node.value.is_object() {
            return self.wrong(node, "a strategy: \"blocking\", \"threaded\", \"cooperative\" or an object such as {\"threaded\": {\"workers\": 8}}");
        }
        if let Value::Object(map) = node.value
            && let Some(kind) = STRATEGY_KINDS.iter().find(|k| map.contains_key(**k))
            && let Some(key) = map.keys().find(|k| STRATEGY_SETTINGS.contains(&k.as_str()))
        {
            let misplaced = Node { value: &map[key], path: node.path.key(key) };
            let message = format!("\"{key}\" belongs inside the strategy's settings");
            let hint = format!("write {{\"{kind}\": {{\"{key}\": {}, …}}}}", map[key]);
            self.problem(&misplaced, Anchor::Key, message, Some(hint));
            return None;
        }
        let (kind, inner, _) = self.one_of(node, STRATEGY_KINDS, &[], "strategy")?;
        let allowed: &[&str] = match kind {
            "blocking" => &["label"],
            "threaded" => &["label", "workers", "gil", "switch_interval"],
            "free_threaded" => &["label", "workers", "switch_interval"],
            "processes" => &["label", "workers", "strategy", "dispatch"],
            _ => &["label", "max_concurrency"],
        };
        let fields = self.object(&inner, allowed, "an object of strategy settings")?;
        let label = match fields.get("label") {
            Some(n) => self.name(&n).map(str::to_string),
            None => Some(kind.to_string()),
        };
        let kind = match kind {
            "blocking" => Some(StrategyKind::Blocking),
            "processes" => self.processes(&fields, machine),
            "threaded" | "free_threaded" => {
                let workers = match fields.get("workers") {
                    Some(n) => self.small_count(&n),
                    None => Some(StrategyKind::default_workers(machine)),
                };
                let gil = match fields.get("gil") {
                    Some(n) => self.boolean(&n),
                    None => Some(kind == "threaded"),
                };
                let switch_interval = match fields.get("switch_interval") {
                    Some(n) => self.positive_duration(&n),
                    None => Some(StrategyKind::DEFAULT_SWITCH_INTERVAL),
                };
                match (workers, gil, switch_interval) {
                    (Some(workers), Some(gil), Some(switch_interval)) => {
                        Some(StrategyKind::Threaded { workers, gil, switch_interval })
                    }
                    _ => None,
                }
            }
            _ => match fields.get("max_concurrency") {
                Some(n) => self.small_count(&n).map(|m| StrategyKind::Cooperative { max_concurrency: Some(m) }),
                None => Some(StrategyKind::Cooperative { max_concurrency: None }),
            },
        };
        Some(Strategy { label: label?, kind: kind? })
    }
}

impl Decoder {
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
            && n.value.as_str() != Some("round_robin")
        {
            let hint = "tasks go to the processes in turn, in arrival order (least_loaded is not modelled)";
            return self.wrong_hint(&n, "\"round_robin\"", hint);
        }
        Some(StrategyKind::Processes { workers: workers?, inner: inner? })
    }
}

/// What a user may call a strategy by another name means in simbench.
fn strategy_alias(name: &str) -> Option<&'static str> {
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
fn default_strategies(machine: Machine) -> Vec<Strategy> {
    vec![
        Strategy { label: "blocking".into(), kind: StrategyKind::Blocking },
        Strategy { label: "threaded".into(), kind: default_threaded(machine) },
        Strategy { label: "cooperative".into(), kind: StrategyKind::Cooperative { max_concurrency: None } },
    ]
}

/// Keys that start with `_` are comments, in every object.
fn is_comment(key: &str) -> bool {
    key.starts_with('_')
}

/// How a wrong value is shown after "found".
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => {
            let shown: String = s.chars().take(40).collect();
            let ellipsis = if shown.len() < s.len() { "…" } else { "" };
            format!("\"{shown}{ellipsis}\"")
        }
        Value::Array(items) if items.is_empty() => "an empty list".into(),
        Value::Array(_) => "a list".into(),
        Value::Object(map) if map.is_empty() => "an empty object".into(),
        Value::Object(_) => "an object".into(),
    }
}
