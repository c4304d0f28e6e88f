//! Decoding of durations drawn from distributions: a plain duration
//! (`"250ms"`, a constant) or an object with one kind, such as
//! `{"exponential": {"mean": "100ms"}}`.
//!
//! Invariants of a decoded [`Dist`]: its parameters are finite durations; a
//! uniform's maximum is ≥ its minimum; an exponential's mean is > 0; a
//! lognormal is given by exactly one of (median, p99) with p99 ≥ median and
//! (mean, stddev), its median or mean > 0; a bounded Pareto has
//! 0 < min < max and a shape > 0; an empirical distribution or a
//! sequence has at least one sample, and a sequence is a step's duration
//! (only a task's step has a task index to take its value by).

use super::{Anchor, Decoder, Node};
use crate::scenario::Dist;
use crate::time::SimDuration;
use serde_json::Value;

pub(super) const DIST_KINDS: &[&str] =
    &["constant", "uniform", "exponential", "normal", "lognormal", "pareto", "empirical", "sequence"];

pub(super) const UNIFORM_FIELDS: &[&str] = &["min", "max"];
pub(super) const EXPONENTIAL_FIELDS: &[&str] = &["mean"];
pub(super) const NORMAL_FIELDS: &[&str] = &["mean", "stddev"];
/// A lognormal's two ways: (median, p99) or (mean, stddev).
pub(super) const LOGNORMAL_FIELDS: &[&str] = &["median", "p99", "mean", "stddev"];
pub(super) const PARETO_FIELDS: &[&str] = &["min", "max", "alpha"];

impl Decoder {
    /// A distribution drawn outside a task's steps (arrival gaps, think and
    /// service times): every kind but `sequence`.
    pub(super) fn dist(&mut self, node: &Node) -> Option<Dist> {
        self.dist_in(node, false)
    }

    /// A step's duration: any kind, `sequence` included (R-SEQUENCE).
    pub(super) fn step_dist(&mut self, node: &Node) -> Option<Dist> {
        self.dist_in(node, true)
    }

    fn dist_in(&mut self, node: &Node, in_step: bool) -> Option<Dist> {
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
            "uniform" => self.uniform(&inner),
            "exponential" => self.exponential(&inner),
            "normal" => self.normal(&inner),
            "lognormal" => self.lognormal(&inner),
            "pareto" => self.pareto(&inner),
            "empirical" => self.empirical(&inner),
            "sequence" if in_step => self.durations(&inner).map(Dist::Sequence),
            "sequence" => {
                self.sequence_outside_a_step(&inner);
                None
            }
            _ => unreachable!("one_of returns a listed kind"),
        }
    }

    fn uniform(&mut self, node: &Node) -> Option<Dist> {
        let fields = self.object(node, UNIFORM_FIELDS, "{\"min\": …, \"max\": …}")?;
        let min = self.required(&fields, "min", "a duration").and_then(|n| self.duration(&n));
        let max_node = self.required(&fields, "max", "a duration")?;
        let (min, max) = (min?, self.duration(&max_node)?);
        if max < min {
            return self.wrong(&max_node, "a maximum ≥ the minimum");
        }
        Some(Dist::Uniform { min, max })
    }

    fn exponential(&mut self, node: &Node) -> Option<Dist> {
        let fields = self.object(node, EXPONENTIAL_FIELDS, "{\"mean\": …}")?;
        let mean = self.required(&fields, "mean", "a duration > 0")?;
        let mean = self.positive_duration(&mean)?;
        Some(Dist::Exponential { mean_ns: mean.as_nanos() as f64 })
    }

    fn normal(&mut self, node: &Node) -> Option<Dist> {
        let fields = self.object(node, NORMAL_FIELDS, "{\"mean\": …, \"stddev\": …}")?;
        let mean = self.required(&fields, "mean", "a duration").and_then(|n| self.duration(&n));
        let stddev = self.required(&fields, "stddev", "a duration").and_then(|n| self.duration(&n));
        Some(Dist::Normal { mean_ns: mean?.as_nanos() as f64, stddev_ns: stddev?.as_nanos() as f64 })
    }

    fn lognormal(&mut self, node: &Node) -> Option<Dist> {
        let expected = "{\"median\": …, \"p99\": …} or {\"mean\": …, \"stddev\": …}";
        let fields = self.object(node, LOGNORMAL_FIELDS, expected)?;
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

    fn pareto(&mut self, node: &Node) -> Option<Dist> {
        let fields = self.object(node, PARETO_FIELDS, "{\"min\": …, \"max\": …, \"alpha\": …}")?;
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

    fn empirical(&mut self, node: &Node) -> Option<Dist> {
        self.durations(node).map(Dist::Empirical)
    }

    fn durations(&mut self, node: &Node) -> Option<Box<[SimDuration]>> {
        let items = self.non_empty_list(node, "a non-empty list of durations")?;
        self.each(&items, Decoder::duration).map(Vec::into_boxed_slice)
    }
}
