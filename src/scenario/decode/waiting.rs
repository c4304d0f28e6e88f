//! Steps that wait for only some of their work: a gather's `until` and
//! `rest` (R-GATHER-UNTIL), `hedge` (R-HEDGE), and the `detached` flag of a
//! spawn (R-SPAWN-DETACHED). Their options are sibling keys of the step's
//! kind (`{"gather": […], "until": "first"}`), checked here: each applies
//! to one kind only.

use super::program::{Scope, StepInput};
use super::{Anchor, Decoder, Fields, Node};
use crate::scenario::suggest::closest;
use crate::scenario::{GatherBranch, Rest, StepKind};

/// The sibling options of this module's step kinds, and the kind each
/// belongs to.
pub(super) const STEP_OPTIONS: &[(&str, &str)] =
    &[("until", "gather"), ("rest", "gather"), ("after", "hedge"), ("copies", "hedge")];

/// How many children a gather waits for.
enum Until {
    All,
    Count(u32),
}

impl Decoder {
    /// Records a problem for each option of [`STEP_OPTIONS`] on a step of
    /// another kind. Returns false if there was one.
    pub(super) fn step_options(&mut self, kind: &str, fields: &Fields) -> bool {
        let mut ok = true;
        for (option, owner) in STEP_OPTIONS {
            if let Some(n) = fields.get(option)
                && *owner != kind
            {
                let message = format!("\"{option}\" applies only to {owner} steps, not to {kind}");
                let hint = format!("remove \"{option}\", or make the step a {owner}");
                self.problem(&n, Anchor::Key, message, Some(hint));
                ok = false;
            }
        }
        ok
    }

    /// A gather's `until` and `rest`: without them (or with `until: "all"`)
    /// a plain gather.
    pub(super) fn gather_until(&mut self, step: &StepInput, branches: Vec<GatherBranch>) -> Option<StepKind> {
        let children = branches.iter().map(|b| u64::from(b.copies)).sum::<u64>();
        let until = self.optional(&step.fields, "until", Until::All, |d, n| d.until(n, children));
        let rest = self.optional(&step.fields, "rest", Rest::Cancel, Decoder::rest);
        match (until?, rest?) {
            (Until::All, _) => Some(StepKind::Gather(branches)),
            (Until::Count(count), rest) => Some(StepKind::GatherUntil { branches, count, rest }),
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
        let fields = self.object(node, &["count"], EXPECTED)?;
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
                let hint = match closest(other, &["cancel", "continue"]) {
                    Some(guess) => format!("did you mean \"{guess}\"?"),
                    None => "\"cancel\" cancels the branches still running; \"continue\" leaves them running".into(),
                };
                self.wrong_hint(node, EXPECTED, hint)
            }
            None => self.wrong(node, EXPECTED),
        }
    }

    /// `{"hedge": […], "after": d, "copies": n}`: n ≥ 1 copies (default 2)
    /// of the program, each `after` later than the one before.
    pub(super) fn step_hedge(&mut self, step: &StepInput, _: &mut Scope) -> Option<StepKind> {
        let program = self.program(&step.value, &mut Scope::default());
        let after = self
            .required(&step.fields, "after", "how long a copy runs before the next starts")
            .and_then(|n| self.positive_duration(&n));
        let copies =
            self.optional(&step.fields, "copies", 2, |d, n| d.integer(n, 1, u64::from(u16::MAX)).map(|c| c as u32));
        Some(StepKind::Hedge { program: program?, after: after?, copies: copies? })
    }
}
