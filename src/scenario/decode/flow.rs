//! Decoding of control flow: `repeat` (a loop, R-REPEAT), `choose` (a
//! branch picked by weight, R-CHOOSE), the counts a repeat takes, and the
//! `sequence` forms (R-SEQUENCE) that give task k of a class the k-th
//! value of a list: a step's duration, a repeat's count, an io step's
//! failure probability.
//!
//! Invariants of what this returns: a count is an integer from 0 to
//! `u32::MAX` or a distribution over such integers (a uniform's maximum ≥
//! its minimum; a geometric's mean ≥ 1; lists non-empty); a choose has at
//! least one branch, every weight finite and > 0; a sequence is non-empty.
//! A choose branch may be empty (`[]`, "do nothing"); every other program
//! has a step.

use super::program::{Scope, StepInput};
use super::{Anchor, Decoder, Node};
use crate::scenario::{ChooseBranch, Count, Fail, StepKind};
use serde_json::Value;

/// The kinds of count a `times` may be, besides a plain integer.
pub(super) const COUNT_KINDS: &[&str] = &["uniform", "geometric", "empirical", "sequence"];

pub(super) const COUNT_UNIFORM_FIELDS: &[&str] = &["min", "max"];
pub(super) const GEOMETRIC_FIELDS: &[&str] = &["mean"];
pub(super) const CHOOSE_BRANCH_FIELDS: &[&str] = &["weight", "program"];
/// An io step's `fail` in its object form.
pub(super) const FAIL_FIELDS: &[&str] = &["sequence"];

const COUNT_EXPECTED: &str = "a count such as 3, or {\"uniform\": {\"min\": 1, \"max\": 5}}, {\"geometric\": {\"mean\": 3}}, {\"empirical\": [1, 2]} or {\"sequence\": [1, 2]}";

impl Decoder {
    /// `{"repeat": […], "times": n}`.
    pub(super) fn step_repeat(&mut self, step: &StepInput, scope: &mut Scope) -> Option<StepKind> {
        let program = self.program(&step.value, &mut scope.body());
        let times = self
            .required(&step.fields, "times", "how many times the program runs: a count or a distribution of counts")
            .and_then(|n| self.repeat_count(&n));
        Some(StepKind::Repeat { program: program?, times: times? })
    }

    /// `{"choose": [{"weight": w, "program": […]}, …]}`.
    pub(super) fn step_choose(&mut self, step: &StepInput, scope: &mut Scope) -> Option<StepKind> {
        let expected = "a non-empty list of branches, each {\"weight\": w, \"program\": […]}";
        let items = self.non_empty_list(&step.value, expected)?;
        let branches = self.each(&items, |d, item| d.choose_branch(item, scope))?;
        Some(StepKind::Choose(branches))
    }

    fn choose_branch(&mut self, node: &Node, scope: &Scope) -> Option<ChooseBranch> {
        let expected = "a branch: {\"weight\": w, \"program\": […]}";
        let fields = self.object(node, CHOOSE_BRANCH_FIELDS, expected)?;
        let weight = self.optional(&fields, "weight", 1.0, |d, n| {
            d.number(n, "a weight: a number > 0 (the weights need not sum to 1)", |w| w > 0.0)
        });
        let program = self.required(&fields, "program", "the branch's steps (or [] for none)").and_then(|n| {
            if n.value.as_array().is_some_and(Vec::is_empty) {
                return Some(Vec::new());
            }
            self.program(&n, &mut scope.body())
        });
        Some(ChooseBranch { weight: weight?, program: program? })
    }

    /// A repeat's `times`: an integer ≥ 0, or a distribution of them.
    fn repeat_count(&mut self, node: &Node) -> Option<Count> {
        match node.value {
            Value::Number(_) => return self.integer(node, 0, u64::from(u32::MAX)).map(|n| Count::Fixed(n as u32)),
            Value::Object(_) => {}
            _ => return self.wrong(node, COUNT_EXPECTED),
        }
        let (kind, inner, _) = self.one_of(node, COUNT_KINDS, &[], "count")?;
        match kind {
            "uniform" => {
                let fields = self.object(&inner, COUNT_UNIFORM_FIELDS, "{\"min\": …, \"max\": …}")?;
                let min = self.required(&fields, "min", "an integer ≥ 0").and_then(|n| self.count_value(&n));
                let max_node = self.required(&fields, "max", "an integer ≥ the minimum")?;
                let (min, max) = (min?, self.count_value(&max_node)?);
                if max < min {
                    return self.wrong(&max_node, "a maximum ≥ the minimum");
                }
                Some(Count::Uniform { min, max })
            }
            "geometric" => {
                let fields = self.object(&inner, GEOMETRIC_FIELDS, "{\"mean\": …}")?;
                let mean = self.required(&fields, "mean", "the mean count, a number ≥ 1")?;
                let mean = self.number(
                    &mean,
                    "a mean count ≥ 1 (each iteration is the last with probability 1/mean)",
                    |m| m >= 1.0,
                )?;
                Some(Count::Geometric { mean })
            }
            "empirical" => self.count_list(&inner).map(Count::Empirical),
            "sequence" => self.count_list(&inner).map(Count::Sequence),
            _ => unreachable!("one_of returns a listed kind"),
        }
    }

    fn count_value(&mut self, node: &Node) -> Option<u32> {
        self.integer(node, 0, u64::from(u32::MAX)).map(|n| n as u32)
    }

    fn count_list(&mut self, node: &Node) -> Option<Box<[u32]>> {
        let items = self.non_empty_list(node, "a non-empty list of counts")?;
        self.each(&items, Decoder::count_value).map(Vec::into_boxed_slice)
    }

    /// An io step's `fail`: a probability, or `{"sequence": [p, …]}` (task
    /// k fails with the k-th probability; 0 and 1 give a fixed pattern).
    pub(super) fn fail(&mut self, node: &Node) -> Option<Fail> {
        if !node.value.is_object() {
            return self.probability(node).map(Fail::Probability);
        }
        let expected = "a probability from 0 to 1, or {\"sequence\": [0, 0, 1]}";
        let fields = self.object(node, FAIL_FIELDS, expected)?;
        let list = self.required(&fields, "sequence", "the probabilities of tasks 0, 1, 2, … (cyclically)")?;
        let items = self.non_empty_list(&list, "a non-empty list of probabilities")?;
        let pattern = self.each(&items, Decoder::probability)?;
        Some(Fail::Sequence(pattern.into_boxed_slice()))
    }

    /// Where a `sequence` is refused (an arrival gap, a service time, a
    /// think time: anything not drawn by a task's step).
    pub(super) fn sequence_outside_a_step(&mut self, node: &Node) {
        let message = "a sequence applies only to a step's duration (task k of its class takes the k-th value)";
        let hint = "write {\"empirical\": […]} to draw from the same values at random";
        self.problem(node, Anchor::Key, message, Some(hint.into()));
    }
}
