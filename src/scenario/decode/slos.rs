//! Decoding of `slos`: each a threshold (`"latency p99 < 500ms"`, the
//! grammar is `scenario::slo`'s) or `{"threshold": …, "strategy": …,
//! "class": …}` scoping it to one strategy's label or one task class.
//!
//! Invariants of a decoded [`Slo`]: its threshold parsed; its strategy, if
//! any, is the label of one of the scenario's strategies (checked when the
//! strategies decoded); its class, if any, is one of the class names
//! written in `classes`; the metric exists for that scope (per class, or
//! for cooperative strategies only). A wrong label or class gets "did you
//! mean", or the names there are.

use super::strategies::strategy_alias;
use super::{Anchor, Decoder, Node, is_comment};
use crate::scenario::Strategy;
use crate::scenario::slo::{ScopeField, Slo, Threshold, parse_threshold};
use crate::scenario::suggest::closest;
use serde_json::Value;

/// The fields of an SLO's object form.
pub(super) const SLO_FIELDS: &[&str] = &["threshold", "strategy", "class"];

/// An SLO's nodes: the threshold, and the strategy and class it is scoped to.
struct SloNodes<'v> {
    threshold: Node<'v>,
    strategy: Option<Node<'v>>,
    class: Option<Node<'v>>,
}

impl Decoder {
    /// The `slos` list. Scopes are checked against `strategies` (when they
    /// decoded) and the class names written in `classes`.
    pub(super) fn slos(
        &mut self,
        node: &Node,
        strategies: Option<&[Strategy]>,
        classes: Option<&Node>,
    ) -> Option<Vec<Slo>> {
        let items = self.list(node, "a list of SLOs such as [\"latency p99 < 500ms\"]")?;
        let class_names: Vec<&str> = match classes.map(|n| n.value) {
            Some(Value::Object(map)) => map.keys().map(String::as_str).filter(|k| !is_comment(k)).collect(),
            _ => Vec::new(),
        };
        self.each(&items, |d, item| d.slo(item, strategies, &class_names))
    }

    fn slo(&mut self, node: &Node, strategies: Option<&[Strategy]>, classes: &[&str]) -> Option<Slo> {
        let nodes = self.slo_nodes(node)?;
        let threshold = self.threshold(&nodes.threshold)?;
        let (strategy, strategy_kind) = match &nodes.strategy {
            Some(n) => {
                let (label, kind) = self.strategy_label(n, strategies)?;
                (Some(label.to_string()), kind)
            }
            None => (None, None),
        };
        let class = match &nodes.class {
            Some(n) => Some(self.class_name(n, classes)?.to_string()),
            None => None,
        };
        // A scope is checked only against strategies known to be right.
        if strategies.is_some() || nodes.strategy.is_none() {
            let any_cooperative = strategies.is_none_or(|all| all.iter().any(|s| s.kind.is_cooperative()));
            if let Err((field, e)) = threshold.check_scope(strategy_kind, any_cooperative, class.is_some()) {
                let at = match field {
                    ScopeField::Threshold => &nodes.threshold,
                    ScopeField::Strategy => nodes.strategy.as_ref().unwrap_or(&nodes.threshold),
                    ScopeField::Class => nodes.class.as_ref().unwrap_or(&nodes.threshold),
                };
                self.problem(at, Anchor::Value, e.message, Some(e.hint));
                return None;
            }
        }
        Some(Slo { threshold, strategy, class })
    }

    /// A threshold string alone, or the object's three fields.
    fn slo_nodes<'v>(&mut self, node: &Node<'v>) -> Option<SloNodes<'v>> {
        let expected =
            "an SLO: a threshold such as \"latency p99 < 500ms\", or {\"threshold\": …, \"strategy\": …, \"class\": …}";
        match node.value {
            Value::String(_) => Some(SloNodes { threshold: node.clone(), strategy: None, class: None }),
            Value::Object(_) => {
                let fields = self.object(node, SLO_FIELDS, expected)?;
                let threshold = self.required(&fields, "threshold", "e.g. \"latency p99 < 500ms\"")?;
                Some(SloNodes { threshold, strategy: fields.get("strategy"), class: fields.get("class") })
            }
            _ => self.wrong(node, expected),
        }
    }

    fn threshold(&mut self, node: &Node) -> Option<Threshold> {
        let text = self.string(node)?;
        match parse_threshold(text) {
            Ok(threshold) => Some(threshold),
            Err(e) => {
                let message = format!("in \"{}\": {}", text.trim(), e.message);
                self.problem(node, Anchor::Value, message, Some(e.hint));
                None
            }
        }
    }

    /// The label at `node`, and the kind of the strategy it labels; the kind
    /// is `None` when the strategies did not decode (the label is then not
    /// checked).
    fn strategy_label<'v>(
        &mut self,
        node: &Node<'v>,
        strategies: Option<&[Strategy]>,
    ) -> Option<(&'v str, Option<&'static str>)> {
        let label = self.name(node)?;
        let Some(strategies) = strategies else {
            return Some((label, None));
        };
        match strategies.iter().find(|s| s.label == label) {
            Some(s) => Some((label, Some(s.kind.name()))),
            None => {
                let hint = unknown_label_hint(label, strategies);
                self.problem(node, Anchor::Value, format!("no strategy is labelled \"{label}\""), Some(hint));
                None
            }
        }
    }

    /// The class name at `node`, one of `classes`.
    fn class_name<'v>(&mut self, node: &Node<'v>, classes: &[&str]) -> Option<&'v str> {
        let name = self.name(node)?;
        if classes.contains(&name) {
            return Some(name);
        }
        let hint = match closest(name, classes) {
            Some(guess) => format!("did you mean \"{guess}\"?"),
            None => format!("the scenario's classes are: {}", classes.join(", ")),
        };
        self.problem(node, Anchor::Value, format!("unknown class \"{name}\""), Some(hint));
        None
    }
}

/// What to say about a label no strategy has: a close label, what an
/// alias means, the labels of strategies of that kind, or every label.
fn unknown_label_hint(label: &str, strategies: &[Strategy]) -> String {
    let labels: Vec<&str> = strategies.iter().map(|s| s.label.as_str()).collect();
    let same_kind: Vec<&str> = strategies.iter().filter(|s| s.kind.name() == label).map(|s| s.label.as_str()).collect();
    if let Some(guess) = closest(label, &labels) {
        return format!("did you mean \"{guess}\"?");
    }
    if let Some(alias) = strategy_alias(label) {
        return format!("{alias}; the strategies are: {}", labels.join(", "));
    }
    match same_kind.as_slice() {
        [one] => format!("the {label} strategy is labelled \"{one}\""),
        [_, ..] => format!("the {label} strategies are labelled {}", same_kind.join(", ")),
        [] => format!("the scenario's strategies are: {}", labels.join(", ")),
    }
}
