//! Steps that wait for only some of their work: a gather's `until` and
//! `rest` (R-GATHER-UNTIL), `hedge` (R-HEDGE), and the `detached` flag of a
//! spawn (R-SPAWN-DETACHED). Their options are sibling keys of the step's
//! kind (`{"gather": […], "until": "first"}`), listed in `program.rs`'s
//! `STEP_OPTIONS` with the other kinds'.

use super::program::{Scope, StepInput};
use super::{Anchor, Decoder, Node};
use crate::scenario::suggest::closest;
use crate::scenario::{GatherBranch, GatherMode, Rest, Step, StepKind};
use serde_json::Value;

/// The words a gather's `until` takes, besides `{"count": k}`.
pub(super) const UNTIL_WORDS: &[&str] = &["all", "first"];
pub(super) const UNTIL_FIELDS: &[&str] = &["count"];
pub(super) const RESTS: &[&str] = &["cancel", "continue"];

/// How many children a gather waits for.
enum Until {
    All,
    Count(u32),
}

impl Decoder {
    /// A gather's `until` and `rest`: without them (or with `until: "all"`)
    /// a plain gather.
    pub(super) fn gather_until(&mut self, step: &StepInput, branches: Vec<GatherBranch>) -> Option<StepKind> {
        let children = branches.iter().map(|b| u64::from(b.copies)).sum::<u64>();
        let until = self.optional(&step.fields, "until", Until::All, |d, n| d.until(n, children));
        let rest = self.optional(&step.fields, "rest", Rest::Cancel, Decoder::rest);
        let mode = self.optional(&step.fields, "mode", GatherMode::TaskGroup, Decoder::gather_mode);
        match (until?, rest?, mode?) {
            (Until::All, _, mode) => Some(StepKind::Gather(branches, mode)),
            (Until::Count(count), rest, GatherMode::TaskGroup) => Some(StepKind::GatherUntil { branches, count, rest }),
            (Until::Count(_), _, _) => {
                let node = step.fields.get("mode").expect("a mode other than the default was written");
                let message =
                    "a gather with \"until\" takes no \"mode\": a branch that fails ends it (R-GATHER-UNTIL-FAILED)";
                let hint = "remove \"mode\", or \"until\" to wait for every branch";
                self.problem(&node, Anchor::Key, message.to_string(), Some(hint.into()));
                None
            }
        }
    }

    /// `"all"`, `"first"` or `{"count": k}` with 1 ≤ k ≤ the children.
    fn until(&mut self, node: &Node, children: u64) -> Option<Until> {
        const EXPECTED: &str = "\"all\", \"first\" or {\"count\": k}";
        match node.value.as_str() {
            Some("all") => return Some(Until::All),
            Some("first") => return Some(Until::Count(1)),
            Some(other) => {
                let hint = match closest(other, &["all", "first", "count"]) {
                    Some("count") => "write {\"count\": k}".to_string(),
                    Some(guess) => format!("did you mean \"{guess}\"?"),
                    None => "the gather resumes when this many of its branches have completed".into(),
                };
                return self.wrong_hint(node, EXPECTED, hint);
            }
            None => {}
        }
        let fields = self.object(node, UNTIL_FIELDS, EXPECTED)?;
        let count = self.required(&fields, "count", "how many branches must complete")?;
        let k = self.integer(&count, 1, children.clamp(1, u64::from(u32::MAX)));
        k.map(|k| if k == children { Until::All } else { Until::Count(k as u32) })
    }

    fn rest(&mut self, node: &Node) -> Option<Rest> {
        const EXPECTED: &str = "\"cancel\" or \"continue\"";
        match node.value.as_str() {
            Some("cancel") => Some(Rest::Cancel),
            Some("continue") => Some(Rest::Continue),
            Some(other) => {
                let hint = match closest(other, RESTS) {
                    Some(guess) => format!("did you mean \"{guess}\"?"),
                    None => "\"cancel\" cancels the branches still running; \"continue\" leaves them running".into(),
                };
                self.wrong_hint(node, EXPECTED, hint)
            }
            None => self.wrong(node, EXPECTED),
        }
    }

    /// `{"hedge": […], "after": d, "copies": n}`: n ≥ 1 copies (default 2)
    /// of the program, each `after` later than the one before; or
    /// `{"hedge": [[…], […]], "after": d}`: one program per copy
    /// (R-HEDGE-COPIES), as many copies as programs.
    pub(super) fn step_hedge(&mut self, step: &StepInput, _: &mut Scope) -> Option<StepKind> {
        let per_copy = matches!(step.value.value, Value::Array(items) if items.iter().any(Value::is_array));
        let after = self
            .required(&step.fields, "after", "how long a copy runs before the next starts")
            .and_then(|n| self.positive_duration(&n));
        if per_copy {
            let programs = self.copy_programs(&step.value);
            let copies = match step.fields.get("copies") {
                Some(node) => {
                    let message = "\"copies\" with a list of programs: the copies are the programs listed";
                    let hint = "remove \"copies\", or give one program for every copy to run";
                    self.problem(&node, Anchor::Key, message, Some(hint.into()));
                    None
                }
                None => Some(()),
            };
            let programs = programs?;
            copies?;
            let copies = programs.len() as u32;
            return Some(StepKind::Hedge { programs, after: after?, copies });
        }
        let program = self.program(&step.value, &mut Scope::default());
        let copies =
            self.optional(&step.fields, "copies", 2, |d, n| d.integer(n, 1, u64::from(u16::MAX)).map(|c| c as u32));
        Some(StepKind::Hedge { programs: vec![program?], after: after?, copies: copies? })
    }

    /// A hedge's list of per-copy programs: each item a list of steps.
    fn copy_programs(&mut self, node: &Node) -> Option<Vec<Vec<Step>>> {
        const EXPECTED: &str = "a list of steps (one copy's program), as the other items are";
        let items = self.non_empty_list(node, "a non-empty list of programs, one per copy")?;
        if items.len() > usize::from(u16::MAX) {
            return self.wrong(node, "at most 65535 copies");
        }
        self.each(&items, |d, item| match item.value {
            Value::Array(_) => d.program(item, &mut Scope::default()),
            _ => d.wrong_hint(
                item,
                EXPECTED,
                "write every copy's program as a list: [[copy 0's steps], [copy 1's steps]]",
            ),
        })
    }
}
