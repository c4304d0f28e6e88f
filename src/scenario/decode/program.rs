//! Decoding of programs: a class's `program`, a list of steps, each an
//! object with one kind key (`{"io": "50ms"}`) and the fields every step
//! may have (`label`; `fail` for io steps; `bytes` and `link` for io and
//! call steps).
//!
//! Each step kind is one function, `fn(&mut Decoder, &StepInput, &mut
//! Scope) -> Option<StepKind>`, listed with its key in [`STEPS`]; adding a
//! kind is that function and one line there (the kinds' list in hints and
//! "did you mean" follows the table's order).
//!
//! Invariants of a decoded program: it has at least one step; every join
//! names a task spawned by an earlier step of the same program, joined once,
//! and a program spawns at most [`MAX_SPAWN_SLOTS`] names, each once; no
//! limit sits inside a limit on the same pool (a task would wait for its own
//! permit); a `to_thread` body holds only io, cpu, sleep and blocking steps;
//! a gather has at most `u32::MAX` children in all. Every step's problems
//! are recorded, even after an earlier step had one.

use super::{Anchor, Decoder, Fields, Node};
use crate::scenario::suggest::closest;
use crate::scenario::{BranchThreads, Fail, GatherBranch, MAX_SPAWN_SLOTS, OnExpiry, PoolId, Step, StepKind, Transfer};
use serde_json::Value;

/// Where a program sits, for the checks that span steps.
#[derive(Default)]
pub(super) struct Scope {
    /// Spawn names of this program, in order, and whether each was joined.
    spawned: Vec<(String, bool)>,
    /// Pools whose permit this fiber holds at this point.
    held: Vec<PoolId>,
}

impl Scope {
    /// The scope of a body run on the same fiber's behalf (a timeout's, a
    /// `to_thread`'s): it keeps the permits held around it, but has its own
    /// spawn names.
    pub(super) fn body(&self) -> Scope {
        Scope { spawned: Vec::new(), held: self.held.clone() }
    }
}

/// What a step kind's decoder is given besides the scope.
pub(super) struct StepInput<'v> {
    /// The value under the kind's key: `"50ms"` in `{"io": "50ms"}`.
    pub(super) value: Node<'v>,
    /// The whole step, for a kind's sibling options (`until`, `after`).
    pub(super) fields: Fields<'v>,
    /// When the step fails (`fail`, io steps only; never when absent).
    fail: Fail,
    /// The step's payload (`bytes` and `link`, io and call steps only):
    /// `None` after a problem, `Some(None)` when it has none.
    transfer: Option<Option<Transfer>>,
}

impl<'v> StepInput<'v> {
    /// The value under the kind's key.
    pub(super) fn value(&self) -> &Node<'v> {
        &self.value
    }
}

/// Decodes one kind of step.
type StepDecoder = fn(&mut Decoder, &StepInput<'_>, &mut Scope) -> Option<StepKind>;

/// Every step kind's key and decoder, in the order hints list them.
pub(super) const STEPS: &[(&str, StepDecoder)] = &[
    ("io", Decoder::step_io),
    ("cpu", Decoder::step_cpu),
    ("sleep", Decoder::step_sleep),
    ("blocking", Decoder::step_blocking),
    ("gather", Decoder::step_gather),
    ("spawn", Decoder::step_spawn),
    ("join", Decoder::step_join),
    ("timeout", Decoder::step_timeout),
    ("limit", Decoder::step_limit),
    ("to_thread", Decoder::step_to_thread),
    ("call", Decoder::step_call),
    ("hedge", Decoder::step_hedge),
    ("put", Decoder::step_put),
    ("get", Decoder::step_get),
    ("try", Decoder::step_try),
    ("retry", Decoder::step_retry),
    ("repeat", Decoder::step_repeat),
    ("choose", Decoder::step_choose),
];

/// Python names people write for a step kind, and the kind that models
/// them: `{"semaphore": …}` gets "did you mean \"limit\"?" (a plain edit
/// distance finds none of these).
const PYTHON_NAMES: &[(&str, &str)] = &[
    ("semaphore", "limit"),
    ("acquire", "limit"),
    ("lock", "limit"),
    ("wait_for", "timeout"),
    ("create_task", "spawn"),
    ("task_group", "gather"),
    ("taskgroup", "gather"),
    ("wait", "gather"),
    ("as_completed", "gather"),
    ("run_in_executor", "to_thread"),
    ("submit", "to_thread"),
    ("await", "join"),
    ("for", "repeat"),
    ("while", "repeat"),
    ("loop", "repeat"),
    ("times", "repeat"),
    ("if", "choose"),
    ("branch", "choose"),
    ("except", "try"),
    ("request", "call"),
];

/// The keys of [`STEPS`].
pub(super) const STEP_KINDS: [&str; STEPS.len()] = step_kinds();

/// The fields every step may have besides its kind.
pub(super) const COMMON_FIELDS: &[&str] = &["label", "fail", "bytes", "link"];

/// The values of a gather's, spawn's or hedge's `threads` (R-THREADS-SUBMIT).
pub(super) const BRANCH_THREADS: &[&str] = &["inline", "pool", "new"];

/// The sibling options each kind takes besides the common fields
/// (`{"gather": […], "until": "first"}`, `{"try": […], "on": ["failed"]}`);
/// an option on another kind is a problem at its key.
pub(super) const STEP_OPTIONS: &[(&str, &[&str])] = &[
    ("gather", &["until", "rest", "mode", "threads"]),
    ("hedge", &["after", "copies", "threads"]),
    ("spawn", &["threads"]),
    ("try", &["except", "on"]),
    ("retry", &["attempts", "backoff", "multiplier", "max_backoff", "jitter", "on"]),
    ("repeat", &["times"]),
];

/// A gather branch's fields, in its object form.
pub(super) const BRANCH_FIELDS: &[&str] = &["copies", "program"];
/// The fields of a spawn's object.
pub(super) const SPAWN_FIELDS: &[&str] = &["name", "program", "detached"];
/// The fields of a timeout's object.
pub(super) const TIMEOUT_FIELDS: &[&str] = &["after", "program", "on_expiry"];
/// The fields of a limit's object.
pub(super) const LIMIT_FIELDS: &[&str] = &["pool", "program"];

/// Every option of [`STEP_OPTIONS`], once, in the order hints list them.
const OPTION_KEYS: &[&str] = &[
    "until",
    "rest",
    "mode",
    "threads",
    "after",
    "copies",
    "except",
    "on",
    "attempts",
    "backoff",
    "multiplier",
    "max_backoff",
    "jitter",
    "times",
];

/// Every field a step may have besides its kind: [`COMMON_FIELDS`], then
/// [`OPTION_KEYS`]. Hints for an unknown key list only the common ones.
const STEP_FIELDS: [&str; COMMON_FIELDS.len() + OPTION_KEYS.len()] = step_fields();

const fn step_fields<const N: usize>() -> [&'static str; N] {
    let mut fields = [""; N];
    let mut i = 0;
    while i < N {
        fields[i] = if i < COMMON_FIELDS.len() { COMMON_FIELDS[i] } else { OPTION_KEYS[i - COMMON_FIELDS.len()] };
        i += 1;
    }
    fields
}

const fn step_kinds<const N: usize>() -> [&'static str; N] {
    let mut kinds = [""; N];
    let mut i = 0;
    while i < N {
        kinds[i] = STEPS[i].0;
        i += 1;
    }
    kinds
}

impl Decoder {
    /// A non-empty list of steps, every one decoded.
    pub(super) fn program(&mut self, node: &Node, scope: &mut Scope) -> Option<Vec<Step>> {
        let items = self.non_empty_list(node, "a non-empty list of steps")?;
        self.each(&items, |d, item| d.step(item, scope))
    }

    /// One step: its common fields, then its kind's decoder from [`STEPS`].
    fn step(&mut self, node: &Node, scope: &mut Scope) -> Option<Step> {
        self.python_name(node)?;
        let (kind, value, fields) =
            self.one_of_listing(node, &STEP_KINDS, &STEP_FIELDS, COMMON_FIELDS.len(), "step")?;
        // A bad label or fail is recorded, and the step's kind still checked.
        let label = self.optional(&fields, "label", None, |d, n| d.name(n).map(|name| Some(name.to_string())));
        let fail = self.optional(&fields, "fail", Fail::NEVER, |d, n| {
            if kind == "io" {
                return d.fail(n);
            }
            let message = format!("\"fail\" applies only to io steps, not to {kind}");
            let hint = "make the failing operation an io step, or remove \"fail\"";
            d.problem(n, Anchor::Key, message, Some(hint.into()));
            None
        });
        let transfer = self.transfer(kind, &fields);
        let options = self.misplaced_options(kind, &fields);
        let threads = self.optional(&fields, "threads", BranchThreads::Inline, Decoder::branch_threads);
        let (_, decode) = STEPS.iter().find(|(key, _)| *key == kind).expect("one_of returns a listed kind");
        let input = StepInput { value, fields, fail: fail.clone().unwrap_or_default(), transfer };
        let kind = decode(self, &input, scope)?;
        fail?;
        options.then_some(())?;
        Some(Step { kind, label: label?, threads: threads? })
    }

    /// A step with no kind but a key from [`PYTHON_NAMES`]: a problem at that
    /// key naming the kind that models it (and `None`).
    fn python_name(&mut self, node: &Node) -> Option<()> {
        let Value::Object(map) = node.value else { return Some(()) };
        if map.keys().any(|key| STEP_KINDS.contains(&key.as_str())) {
            return Some(());
        }
        let Some((key, kind)) = PYTHON_NAMES.iter().find(|(name, _)| map.contains_key(*name)) else {
            return Some(());
        };
        let at = Node { value: &map[*key], path: node.path.key(key) };
        let hint = format!(
            "did you mean \"{kind}\"? (the README's \"From Python to a scenario\" maps each construct to its step)"
        );
        self.problem(&at, Anchor::Key, format!("unknown step \"{key}\""), Some(hint));
        None
    }

    /// Records a problem for each option of [`STEP_OPTIONS`] on a kind that
    /// does not take it. Returns false if there was one.
    fn misplaced_options(&mut self, kind: &str, fields: &Fields) -> bool {
        let allowed = STEP_OPTIONS.iter().find(|(k, _)| *k == kind).map_or(&[][..], |(_, options)| *options);
        let mut ok = true;
        for key in OPTION_KEYS.iter().filter(|key| !allowed.contains(key)) {
            if let Some(node) = fields.get(key) {
                let owners: Vec<&str> =
                    STEP_OPTIONS.iter().filter(|(_, options)| options.contains(key)).map(|(k, _)| *k).collect();
                let message = format!("\"{key}\" applies only to {} steps, not to {kind}", either(&owners));
                let hint = format!("put \"{key}\" beside \"{}\", or remove it", owners[0]);
                self.problem(&node, Anchor::Key, message, Some(hint));
                ok = false;
            }
        }
        ok
    }

    /// `"inline"`, `"pool"` or `"new"` (R-THREADS-SUBMIT).
    fn branch_threads(&mut self, node: &Node) -> Option<BranchThreads> {
        const EXPECTED: &str = "\"inline\", \"pool\" or \"new\"";
        const NAMES: [(&str, BranchThreads); 3] =
            [("inline", BranchThreads::Inline), ("pool", BranchThreads::Pool), ("new", BranchThreads::New)];
        let Some(text) = node.value.as_str() else { return self.wrong(node, EXPECTED) };
        if let Some((_, threads)) = NAMES.iter().find(|(name, _)| *name == text) {
            return Some(*threads);
        }
        let hint = match closest(text, BRANCH_THREADS) {
            Some(guess) => format!("did you mean \"{guess}\"?"),
            None => "\"pool\" submits each branch to the strategy's thread pool, \"new\" starts a thread for each, \"inline\" runs them one after another".into(),
        };
        self.wrong_hint(node, EXPECTED, hint)
    }

    // ----- step kinds, in the order of STEPS ------------------------------

    fn step_io(&mut self, step: &StepInput, _: &mut Scope) -> Option<StepKind> {
        let duration = self.step_dist(&step.value)?;
        Some(StepKind::Io { duration, fail: step.fail.clone(), transfer: step.transfer? })
    }

    fn step_cpu(&mut self, step: &StepInput, _: &mut Scope) -> Option<StepKind> {
        self.step_dist(&step.value).map(StepKind::Cpu)
    }

    fn step_sleep(&mut self, step: &StepInput, _: &mut Scope) -> Option<StepKind> {
        self.step_dist(&step.value).map(StepKind::Sleep)
    }

    fn step_blocking(&mut self, step: &StepInput, _: &mut Scope) -> Option<StepKind> {
        self.step_dist(&step.value).map(StepKind::Blocking)
    }

    /// A list of branches, each a list of steps or `{"copies": N, "program":
    /// […]}`. Each branch is its own fiber: it holds no permit and has its
    /// own spawn names.
    fn step_gather(&mut self, step: &StepInput, _: &mut Scope) -> Option<StepKind> {
        let node = &step.value;
        let items = self.non_empty_list(node, "a non-empty list of branches")?;
        let branches = self.each(&items, |d, item| match item.value {
            Value::Array(_) => {
                d.program(item, &mut Scope::default()).map(|program| GatherBranch { copies: 1, program })
            }
            _ => d.branch(item),
        })?;
        let total = branches.iter().map(|b| b.copies as u64).sum::<u64>();
        if total > u32::MAX as u64 {
            return self.wrong(node, "at most 4294967295 gathered children in all");
        }
        self.gather_until(step, branches)
    }

    fn branch(&mut self, node: &Node) -> Option<GatherBranch> {
        let expected = "a branch: a list of steps, or {\"copies\": N, \"program\": […]}";
        let fields = self.object(node, BRANCH_FIELDS, expected)?;
        let copies = self.optional(&fields, "copies", 1, Decoder::small_count);
        let program = self
            .required(&fields, "program", "the branch's steps")
            .and_then(|n| self.program(&n, &mut Scope::default()));
        Some(GatherBranch { copies: copies?, program: program? })
    }

    /// `{"name": …, "program": […]}`: a task of its own, awaited by a later
    /// `join` of the name; with `"detached": true`, not awaited at the end.
    fn step_spawn(&mut self, step: &StepInput, scope: &mut Scope) -> Option<StepKind> {
        let node = &step.value;
        if let Value::Object(map) = node.value
            && let Some(threads) = map.get("threads")
        {
            let at = Node { value: threads, path: node.path.key("threads") };
            let hint = "write it beside \"spawn\": {\"spawn\": {…}, \"threads\": \"pool\"}";
            self.problem(&at, Anchor::Key, "\"threads\" is an option of the step".to_string(), Some(hint.into()));
            return None;
        }
        let fields = self.object(node, SPAWN_FIELDS, "{\"name\": …, \"program\": […]}")?;
        let detached = self.optional(&fields, "detached", false, Decoder::boolean);
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
        let (name, program) = (name.to_string(), program?);
        Some(if detached? { StepKind::SpawnDetached { name, program } } else { StepKind::Spawn { name, program } })
    }

    /// The name of a task spawned earlier in this program, not yet joined.
    fn step_join(&mut self, step: &StepInput, scope: &mut Scope) -> Option<StepKind> {
        let node = &step.value;
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

    /// `{"after": …, "program": […]}`: the body, cancelled at the budget.
    fn step_timeout(&mut self, step: &StepInput, scope: &mut Scope) -> Option<StepKind> {
        let expected = "{\"after\": …, \"program\": […]}";
        let fields = self.object(&step.value, TIMEOUT_FIELDS, expected)?;
        let after = self.required(&fields, "after", "the time budget").and_then(|n| self.positive_duration(&n));
        let program = self
            .required(&fields, "program", "the steps under the budget")
            .and_then(|n| self.program(&n, &mut scope.body()));
        let on_expiry = self.optional(&fields, "on_expiry", OnExpiry::Abandon, Decoder::on_expiry);
        Some(StepKind::Timeout { after: after?, program: program?, on_expiry: on_expiry? })
    }

    /// `{"pool": …, "program": […]}`: the body, holding a permit of the pool.
    fn step_limit(&mut self, step: &StepInput, scope: &mut Scope) -> Option<StepKind> {
        let fields = self.object(&step.value, LIMIT_FIELDS, "{\"pool\": …, \"program\": […]}")?;
        let pool_node = self.required(&fields, "pool", "the name of a pool in \"pools\"");
        let pool = pool_node.as_ref().and_then(|n| self.pool_ref(n));
        if let (Some(pool), Some(n)) = (pool, &pool_node)
            && scope.held.contains(&pool)
        {
            let message = format!("limit on pool \"{}\" inside a limit on the same pool", self.pools[pool as usize]);
            let hint = "a task would wait for a permit it holds itself (a self-deadlock); remove the inner limit";
            self.problem(n, Anchor::Value, message, Some(hint.into()));
            return None;
        }
        // The body shares this program's spawn names (it compiles inline).
        scope.held.push(pool.unwrap_or(PoolId::MAX));
        let program =
            self.required(&fields, "program", "the steps that hold the permit").and_then(|n| self.program(&n, scope));
        scope.held.pop();
        Some(StepKind::Limit { pool: pool?, program: program? })
    }

    /// A synchronous function run on a worker thread: io, cpu, sleep and
    /// blocking steps only (it cannot await).
    fn step_to_thread(&mut self, step: &StepInput, scope: &mut Scope) -> Option<StepKind> {
        let node = &step.value;
        let program = self.program(node, &mut scope.body())?;
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

    /// A call of a downstream service (see the `service` module).
    fn step_call(&mut self, step: &StepInput, _: &mut Scope) -> Option<StepKind> {
        let call = self.call(&step.value);
        Some(StepKind::Call { call: call?, transfer: step.transfer? })
    }
}

/// `["a"]` → "a", `["a", "b", "c"]` → "a, b and c".
fn either(names: &[&str]) -> String {
    match names.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_kinds_follow_the_table() {
        let keys: Vec<&str> = STEPS.iter().map(|(key, _)| *key).collect();
        assert_eq!(STEP_KINDS.as_slice(), keys.as_slice());
        assert!(STEP_KINDS.iter().all(|k| !STEP_FIELDS.contains(k)));
    }

    #[test]
    fn option_keys_are_every_kinds_options_once() {
        let mut listed: Vec<&str> = Vec::new();
        for (kind, options) in STEP_OPTIONS {
            assert!(STEP_KINDS.contains(kind), "{kind} is a step kind");
            listed.extend(options.iter().filter(|o| !listed.contains(o)).collect::<Vec<_>>());
        }
        assert_eq!(OPTION_KEYS, listed.as_slice());
    }
}
