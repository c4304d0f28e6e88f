//! `--set PATH=…` and `--vary PATH`: a field of the scenario's JSON
//! document, written as its problems are (`classes.request.arrivals.poisson.rate`,
//! `strategies[1].threaded.workers`, `machine.cores`).
//!
//! An element of `strategies` may also be named by its label, and then the
//! strategy's kind may be left out: `strategies.threaded-32.workers` is
//! `strategies[1].threaded.workers` in scenarios/api-server.json. A field
//! that does not exist yet is created (the scenario parser then checks it)
//! unless its name is one edit or so from an existing field, which is
//! refused with a "did you mean".

use crate::scenario::suggest_closest;
use serde_json::{Map, Value};
use std::fmt;

/// One step of a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// A parsed PATH.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldPath {
    pub text: String,
    pub segments: Vec<Segment>,
}

/// Why a PATH cannot be applied to a scenario.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error(
        "\"{path}\" is not a field path: {message}\n  hint: write fields with dots and indexes in brackets, e.g. strategies[1].threaded.workers"
    )]
    Syntax { path: String, message: String },
    #[error("{path}: {at} has no field \"{field}\"{}", hint(suggestion, available))]
    NoField { path: String, at: String, field: String, suggestion: Option<String>, available: Vec<String> },
    #[error("{path}: {at} has {len} elements; [{index}] is past the end")]
    Index { path: String, at: String, index: usize, len: usize },
    #[error("{path}: {at} has no element labelled \"{label}\"{}", hint(suggestion, labels))]
    NoLabel { path: String, at: String, label: String, suggestion: Option<String>, labels: Vec<String> },
    #[error("{path}: {at} is {found}, which has no fields")]
    NotContainer { path: String, at: String, found: &'static str },
}

fn hint(suggestion: &Option<String>, available: &[String]) -> String {
    match suggestion {
        Some(s) => format!("\n  hint: did you mean \"{s}\"?"),
        None if available.is_empty() => String::new(),
        None => format!("\n  hint: it has: {}", available.join(", ")),
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FieldPath {
    /// Parses `a.b[2].c`.
    pub fn parse(text: &str) -> Result<FieldPath, PathError> {
        let syntax = |message: &str| PathError::Syntax { path: text.to_string(), message: message.to_string() };
        let mut segments = Vec::new();
        if text.trim().is_empty() {
            return Err(syntax("it is empty"));
        }
        for part in text.split('.') {
            let (name, mut rest) = match part.find('[') {
                Some(i) => (&part[..i], &part[i..]),
                None => (part, ""),
            };
            if name.is_empty() && (rest.is_empty() || segments.is_empty()) {
                return Err(syntax("a field name is empty"));
            }
            if !name.is_empty() {
                match name.parse::<usize>() {
                    Ok(i) => segments.push(Segment::Index(i)),
                    Err(_) => segments.push(Segment::Key(name.to_string())),
                }
            }
            while !rest.is_empty() {
                let close = rest.find(']').ok_or_else(|| syntax("a '[' is not closed"))?;
                let index = rest[1..close].parse::<usize>().map_err(|_| syntax("an index is not a number"))?;
                segments.push(Segment::Index(index));
                rest = &rest[close + 1..];
                if !rest.is_empty() && !rest.starts_with('[') {
                    return Err(syntax("expected '.' or '[' after ']'"));
                }
            }
        }
        Ok(FieldPath { text: text.to_string(), segments })
    }

    /// The value at this path in `doc`, if any (labels resolved as for [`set`](Self::set)).
    pub fn get(&self, doc: &Value) -> Option<Value> {
        let mut copy = doc.clone();
        let at = self.locate(&mut copy, false).ok()?;
        let mut current = &copy;
        for segment in &at {
            current = match segment {
                Segment::Key(k) => current.get(k)?,
                Segment::Index(i) => current.get(*i)?,
            };
        }
        Some(current.clone())
    }

    /// The index of the strategy this path lies inside, if it names a field of one.
    pub fn strategy_index(&self, doc: &Value) -> Option<usize> {
        let mut copy = doc.clone();
        match self.locate(&mut copy, true).ok()?.as_slice() {
            [Segment::Key(k), Segment::Index(i), _, ..] if k == "strategies" => Some(*i),
            _ => None,
        }
    }

    /// Sets the field to `value` in `doc`.
    pub fn set(&self, doc: &mut Value, value: Value) -> Result<(), PathError> {
        let at = self.locate(doc, true)?;
        let mut current = doc;
        for segment in &at {
            current = match segment {
                Segment::Key(k) => current.as_object_mut().expect("located").entry(k.clone()).or_insert(Value::Null),
                Segment::Index(i) => &mut current.as_array_mut().expect("located")[*i],
            };
        }
        *current = value;
        Ok(())
    }

    /// The concrete segments the path names in `doc` (labels turned into
    /// indexes, kinds filled in), creating missing objects when `create`.
    fn locate(&self, doc: &mut Value, create: bool) -> Result<Vec<Segment>, PathError> {
        let mut resolved: Vec<Segment> = Vec::new();
        let mut current = doc;
        let last = self.segments.len() - 1;
        for (n, segment) in self.segments.iter().enumerate() {
            let at = if resolved.is_empty() { "the scenario".to_string() } else { render(&resolved) };
            // A strategy written as a bare kind ("threaded") gains its object
            // when a field inside it is named.
            if let Value::String(kind) = current
                && let Segment::Key(k) = segment
                && k == kind
            {
                let kind = kind.clone();
                *current = Value::Object(Map::from_iter([(kind, Value::Object(Map::new()))]));
            }
            match (segment, current) {
                (Segment::Key(key), Value::Object(map)) => {
                    if !map.contains_key(key) {
                        let names: Vec<&str> = map.keys().map(String::as_str).collect();
                        let suggestion = suggest_closest(key, &names).map(str::to_string);
                        if suggestion.is_some() || !create {
                            return Err(PathError::NoField {
                                path: self.text.clone(),
                                at,
                                field: key.clone(),
                                suggestion,
                                available: names.iter().map(|s| s.to_string()).collect(),
                            });
                        }
                        let fresh = if n == last { Value::Null } else { Value::Object(Map::new()) };
                        map.insert(key.clone(), fresh);
                    }
                    resolved.push(Segment::Key(key.clone()));
                    current = map.get_mut(key).expect("present");
                }
                (Segment::Index(i), Value::Array(items)) => {
                    if *i >= items.len() {
                        return Err(PathError::Index { path: self.text.clone(), at, index: *i, len: items.len() });
                    }
                    resolved.push(Segment::Index(*i));
                    current = &mut items[*i];
                }
                (Segment::Key(label), Value::Array(items)) => {
                    let labels: Vec<String> = items.iter().map(label_of).collect();
                    let Some(i) = labels.iter().position(|l| l == label) else {
                        let names: Vec<&str> = labels.iter().map(String::as_str).collect();
                        return Err(PathError::NoLabel {
                            path: self.text.clone(),
                            at,
                            label: label.clone(),
                            suggestion: suggest_closest(label, &names).map(str::to_string),
                            labels,
                        });
                    };
                    resolved.push(Segment::Index(i));
                    current = &mut items[i];
                    // `strategies.LABEL.field`: step into the kind's object
                    // unless the next segment names the kind itself.
                    let next = self.segments.get(n + 1);
                    let kind = kind_of(current);
                    if let (Some(Segment::Key(next)), Some(kind)) = (next, kind)
                        && *next != kind
                    {
                        if current.is_string() {
                            *current = Value::Object(Map::from_iter([(kind.clone(), Value::Object(Map::new()))]));
                        }
                        resolved.push(Segment::Key(kind.clone()));
                        current = current.get_mut(&kind).expect("kind");
                    }
                }
                (_, other) => {
                    return Err(PathError::NotContainer { path: self.text.clone(), at, found: type_name(other) });
                }
            }
        }
        Ok(resolved)
    }
}

/// A strategy's kind when `v` looks like one: `"threaded"` or `{"threaded": {…}}`.
fn kind_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(map) if map.len() == 1 && map.values().all(Value::is_object) => map.keys().next().cloned(),
        _ => None,
    }
}

/// An array element's label: its `label` field, its kind's `label`, its kind, or itself as text.
fn label_of(v: &Value) -> String {
    if let Some(label) = v.get("label").and_then(Value::as_str) {
        return label.to_string();
    }
    match v {
        Value::String(s) => s.clone(),
        Value::Object(map) if map.len() == 1 => {
            let (kind, inner) = map.iter().next().expect("one");
            inner.get("label").and_then(Value::as_str).unwrap_or(kind).to_string()
        }
        _ => String::new(),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn render(segments: &[Segment]) -> String {
    let mut text = String::new();
    for s in segments {
        match s {
            Segment::Key(k) if text.is_empty() => text.push_str(k),
            Segment::Key(k) => {
                text.push('.');
                text.push_str(k);
            }
            Segment::Index(i) => text.push_str(&format!("[{i}]")),
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({
            "machine": {"cores": 4},
            "classes": {"request": {"arrivals": {"poisson": {"rate": 150, "count": 100}}}},
            "strategies": ["blocking", {"threaded": {"workers": 32, "label": "threaded-32"}}, "cooperative"]
        })
    }

    fn set(path: &str, value: Value) -> Result<Value, PathError> {
        let mut d = doc();
        FieldPath::parse(path)?.set(&mut d, value)?;
        Ok(d)
    }

    #[test]
    fn fields_indexes_and_labels() {
        assert_eq!(set("machine.cores", json!(8)).unwrap()["machine"]["cores"], json!(8));
        let d = set("classes.request.arrivals.poisson.rate", json!(300)).unwrap();
        assert_eq!(d["classes"]["request"]["arrivals"]["poisson"]["rate"], json!(300));
        assert_eq!(
            set("strategies[1].threaded.workers", json!(8)).unwrap()["strategies"][1]["threaded"]["workers"],
            json!(8)
        );
        assert_eq!(
            set("strategies.threaded-32.workers", json!(8)).unwrap()["strategies"][1]["threaded"]["workers"],
            json!(8)
        );
        let d = set("strategies.cooperative.max_concurrency", json!(10)).unwrap();
        assert_eq!(d["strategies"][2], json!({"cooperative": {"max_concurrency": 10}}));
        let path = FieldPath::parse("strategies.threaded-32.workers").unwrap();
        assert_eq!(path.get(&doc()), Some(json!(32)));
    }

    #[test]
    fn mistakes_get_a_did_you_mean() {
        let e = set("machine.core", json!(8)).unwrap_err();
        assert!(e.to_string().contains("did you mean \"cores\""), "{e}");
        let e = set("strategies.threaded-23.workers", json!(8)).unwrap_err();
        assert!(e.to_string().contains("did you mean \"threaded-32\""), "{e}");
        let e = set("clases.request", json!(1)).unwrap_err();
        assert!(e.to_string().contains("did you mean \"classes\""), "{e}");
        assert!(matches!(set("strategies[7].workers", json!(1)), Err(PathError::Index { len: 3, .. })));
        assert!(matches!(set("machine.cores.x", json!(1)), Err(PathError::NotContainer { .. })));
        assert!(FieldPath::parse("a..b").is_err());
        assert!(FieldPath::parse("a[x]").is_err());
    }
}
