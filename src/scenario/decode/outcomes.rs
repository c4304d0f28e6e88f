//! Decoding of the steps that handle outcomes: `try` (with `except` and
//! `on`), `retry` around a program (the call retry's options, plus `on`),
//! and the `on_expiry` of a `timeout`. Their options are sibling keys of the
//! kind (`{"try": […], "except": […], "on": ["failed"]}`), listed per kind in
//! `program.rs`'s `STEP_OPTIONS`; an option on another kind is a problem at
//! its key.
//!
//! Invariants of what this returns: an `on` set is non-empty and names each
//! outcome once; a `retry` step's policy has at least one attempt, a
//! multiplier ≥ 1 and no budget.

use super::program::{Scope, StepInput};
use super::{Anchor, Decoder, Node};
use crate::scenario::suggest::closest;
use crate::scenario::{GatherMode, OnExpiry, Outcomes, StepKind};
use serde_json::Value;

/// Words people write for an outcome, and the name `on` expects.
const OUTCOME_ALIASES: &[(&str, &str)] = &[
    ("fail", "failed"),
    ("failure", "failed"),
    ("error", "failed"),
    ("timed_out", "timeout"),
    ("timedout", "timeout"),
    ("reject", "rejected"),
];

/// A gather's `mode`s.
pub(super) const GATHER_MODES: &[&str] = &["task_group", "gather", "return_exceptions"];
/// A timeout's `on_expiry`s.
pub(super) const ON_EXPIRY: &[&str] = &["abandon", "abort"];

impl Decoder {
    /// `{"try": […], "except": […], "on": [...]}`.
    pub(super) fn step_try(&mut self, step: &StepInput, scope: &mut Scope) -> Option<StepKind> {
        let program = self.program(&step.value, &mut scope.body());
        let except = self.optional(&step.fields, "except", None, |d, n| d.program(n, &mut scope.body()).map(Some));
        let on = self.optional(&step.fields, "on", Outcomes::ALL, Decoder::outcomes);
        Some(StepKind::Try { program: program?, except: except?, on: on? })
    }

    /// `{"retry": […], "attempts": 3, "backoff": …, "on": [...]}`.
    pub(super) fn step_retry(&mut self, step: &StepInput, scope: &mut Scope) -> Option<StepKind> {
        let program = self.program(&step.value, &mut scope.body());
        let retry = self.retry_policy(&step.fields);
        let on = self.optional(&step.fields, "on", Outcomes::ALL, Decoder::outcomes);
        Some(StepKind::Retry { program: program?, retry: retry?, on: on? })
    }

    /// A non-empty list of outcome names, each once.
    fn outcomes(&mut self, node: &Node) -> Option<Outcomes> {
        let expected = "a non-empty list of outcomes: \"failed\", \"timeout\", \"rejected\"";
        let items = self.non_empty_list(node, expected)?;
        let mut set = Outcomes::NONE;
        let mut ok = true;
        for item in &items {
            match self.outcome(item) {
                Some(one) if set.contains(one) => {
                    self.problem(item, Anchor::Value, "this outcome is listed twice", Some("list it once".into()));
                    ok = false;
                }
                Some(one) => set = set.with(one),
                None => ok = false,
            }
        }
        ok.then_some(set)
    }

    fn outcome(&mut self, node: &Node) -> Option<Outcomes> {
        let names: Vec<&str> = Outcomes::NAMES.iter().map(|(name, _)| *name).collect();
        let Value::String(word) = node.value else {
            return self.wrong(node, "an outcome: \"failed\", \"timeout\" or \"rejected\"");
        };
        if let Some((_, set)) = Outcomes::NAMES.iter().find(|(name, _)| name == word) {
            return Some(*set);
        }
        let alias = OUTCOME_ALIASES.iter().find(|(alias, _)| alias == word).map(|(_, name)| *name);
        let hint = match alias.or_else(|| closest(word, &names)) {
            Some(guess) => format!("did you mean \"{guess}\"?"),
            None => format!("expected one of: {}", names.join(", ")),
        };
        self.wrong_hint(node, "an outcome: \"failed\", \"timeout\" or \"rejected\"", hint)
    }

    /// A gather's `mode`: `"task_group"`, `"gather"` or `"return_exceptions"`.
    pub(super) fn gather_mode(&mut self, node: &Node) -> Option<GatherMode> {
        let expected = "\"task_group\", \"gather\" or \"return_exceptions\"";
        match node.value.as_str() {
            Some("task_group") => Some(GatherMode::TaskGroup),
            Some("gather") => Some(GatherMode::Gather),
            Some("return_exceptions") => Some(GatherMode::ReturnExceptions),
            Some(other) => match closest(other, GATHER_MODES) {
                Some(guess) => self.wrong_hint(node, expected, format!("did you mean \"{guess}\"?")),
                None => self.wrong(node, expected),
            },
            None => self.wrong(node, expected),
        }
    }

    /// A timeout's `on_expiry`: `"abandon"` or `"abort"`.
    pub(super) fn on_expiry(&mut self, node: &Node) -> Option<OnExpiry> {
        let expected = "\"abandon\" (the thread runs the body on) or \"abort\" (it stops at the deadline)";
        match node.value.as_str() {
            Some("abandon") => Some(OnExpiry::Abandon),
            Some("abort") => Some(OnExpiry::Abort),
            Some(other) => match closest(other, ON_EXPIRY) {
                Some(guess) => self.wrong_hint(node, expected, format!("did you mean \"{guess}\"?")),
                None => self.wrong(node, expected),
            },
            None => self.wrong(node, expected),
        }
    }
}
