//! `--set PATH=…` and `--vary PATH`: a field of the scenario's JSON
//! document, written as its problems are (`classes.request.arrivals.poisson.rate`,
//! `strategies[1].threaded.workers`, `machine.cores`).
//!
//! An element of `strategies` may also be named by its label, and then the
//! strategy's kind may be left out: `strategies.threaded-32.workers` is
//! `strategies[1].threaded.workers` in scenarios/api-server.json. A key
//! that is not a plain name is written in brackets as a JSON string, as
//! messages print it: `classes["my class"].program[0]`. A field that does
//! not exist yet is created (the scenario parser then checks it) unless its
//! name is one edit or so from an existing field, which is refused with a
//! "did you mean"; a class, pool, link, service or queue is never created
//! by a path into it (`classes.nope.arrivals` says there is no class
//! "nope"). [`FieldPath::resolve`] tells two spellings of one field apart
//! from two fields, so a study refuses two `--set`s of the same field.

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
    /// A class, pool, link, service or queue that the scenario does not
    /// declare (never created by a path that names a field inside it).
    #[error("{path}: the scenario has no {what} \"{name}\"{}", hint(suggestion, available))]
    NoEntry { path: String, what: &'static str, name: String, suggestion: Option<String>, available: Vec<String> },
}

/// The scenario's objects of declared names, and what each entry is.
const NAMED: &[(&str, &str)] =
    &[("classes", "class"), ("pools", "pool"), ("links", "link"), ("services", "service"), ("queues", "queue")];

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
    /// Parses `a.b[2].c`, and keys in brackets as JSON strings, as
    /// messages print keys that are not plain names:
    /// `classes["my class"].program[0]`.
    pub fn parse(text: &str) -> Result<FieldPath, PathError> {
        let syntax = |message: &str| PathError::Syntax { path: text.to_string(), message: message.to_string() };
        if text.trim().is_empty() {
            return Err(syntax("it is empty"));
        }
        let mut segments = Vec::new();
        let mut rest = text;
        // Whether a field name must come next (at the start, or after a '.').
        let mut name_next = !text.starts_with('[');
        while !rest.is_empty() || name_next {
            if name_next {
                let end = rest.find(['.', '[']).unwrap_or(rest.len());
                let name = &rest[..end];
                if name.is_empty() {
                    return Err(syntax("a field name is empty"));
                }
                segments.push(match name.parse::<usize>() {
                    Ok(i) => Segment::Index(i),
                    Err(_) => Segment::Key(name.to_string()),
                });
                rest = &rest[end..];
                name_next = false;
            } else if let Some(after) = rest.strip_prefix('.') {
                rest = after;
                name_next = true;
            } else if let Some(inside) = rest.strip_prefix('[') {
                let (segment, after) = bracket(inside).map_err(syntax)?;
                segments.push(segment);
                rest = after;
            } else {
                return Err(syntax("expected '.' or '[' after ']'"));
            }
        }
        Ok(FieldPath { text: text.to_string(), segments })
    }

    /// The value at this path in `doc`, if any (labels resolved as for [`set`](Self::set)).
    pub fn get(&self, doc: &Value) -> Option<Value> {
        self.lookup(doc).ok()
    }

    /// The value at this path in `doc`, or why there is none (the field
    /// that is missing, with "did you mean").
    pub fn lookup(&self, doc: &Value) -> Result<Value, PathError> {
        let mut copy = doc.clone();
        let at = self.locate(&mut copy, false)?;
        let mut current = &copy;
        for segment in &at {
            current = match segment {
                Segment::Key(k) => &current[k.as_str()],
                Segment::Index(i) => &current[*i],
            };
        }
        Ok(current.clone())
    }

    /// The concrete field this path names in `doc` (labels turned into
    /// indexes, kinds filled in), as [`set`](Self::set) would write it:
    /// two paths that resolve alike set the same field.
    pub fn resolve(&self, doc: &Value) -> Result<Vec<Segment>, PathError> {
        self.locate(&mut doc.clone(), true)
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
                        // `classes.nope.arrivals…` names a class that is not there.
                        let named = match resolved.as_slice() {
                            [Segment::Key(top)] => NAMED.iter().find(|(m, _)| m == top).map(|(_, what)| *what),
                            _ => None,
                        };
                        if let Some(what) = named
                            && n != last
                        {
                            return Err(PathError::NoEntry {
                                path: self.text.clone(),
                                what,
                                name: key.clone(),
                                suggestion,
                                available: names.iter().map(|s| s.to_string()).collect(),
                            });
                        }
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

/// What follows a `[`: an index or a JSON string, then `]`; the segment
/// and the text after the `]`.
fn bracket(inside: &str) -> Result<(Segment, &str), &'static str> {
    if inside.starts_with('"') {
        // The closing quote: the first '"' not escaped by a backslash.
        let mut escaped = false;
        let close = inside
            .char_indices()
            .skip(1)
            .find(|&(_, c)| {
                let end = c == '"' && !escaped;
                escaped = c == '\\' && !escaped;
                end
            })
            .map(|(i, _)| i)
            .ok_or("a quoted name is not closed")?;
        let key: String = serde_json::from_str(&inside[..=close]).map_err(|_| "a quoted name is not a JSON string")?;
        let after = inside[close + 1..].strip_prefix(']').ok_or("expected ']' after a quoted name")?;
        return Ok((Segment::Key(key), after));
    }
    let close = inside.find(']').ok_or("a '[' is not closed")?;
    let index =
        inside[..close].trim().parse::<usize>().map_err(|_| "an index is a number, or a name in double quotes")?;
    Ok((Segment::Index(index), &inside[close + 1..]))
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

pub(crate) fn render(segments: &[Segment]) -> String {
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
    fn keys_in_brackets_are_json_strings() {
        let path = FieldPath::parse(r#"classes["my class"].program[0]["a.b\"[c]"]"#).unwrap();
        assert_eq!(
            path.segments,
            [
                Segment::Key("classes".into()),
                Segment::Key("my class".into()),
                Segment::Key("program".into()),
                Segment::Index(0),
                Segment::Key("a.b\"[c]".into()),
            ]
        );
        let d = set(r#"classes["request"].arrivals.poisson["rate"]"#, json!(7)).unwrap();
        assert_eq!(d["classes"]["request"]["arrivals"]["poisson"]["rate"], json!(7));
        assert_eq!(FieldPath::parse("[\"machine\"].cores").unwrap().segments[0], Segment::Key("machine".into()));
    }

    #[test]
    fn two_spellings_of_one_field_resolve_alike() {
        let a = FieldPath::parse("strategies.threaded-32.workers").unwrap().resolve(&doc()).unwrap();
        let b = FieldPath::parse("strategies[1].threaded.workers").unwrap().resolve(&doc()).unwrap();
        assert_eq!(a, b);
        assert!(FieldPath::parse("machine.nope").unwrap().lookup(&doc()).is_err());
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
        assert!(FieldPath::parse("a.").is_err());
        assert!(FieldPath::parse("a[\"b").is_err());
        assert!(FieldPath::parse("a[\"b\"").is_err());
        assert!(FieldPath::parse("a[\"b\"]c").is_err());
        let e = set("classes.requst.arrivals.poisson.rate", json!(1)).unwrap_err();
        assert!(matches!(&e, PathError::NoEntry { what: "class", .. }), "{e}");
        assert!(
            e.to_string().contains("the scenario has no class \"requst\"")
                && e.to_string().contains("did you mean \"request\""),
            "{e}"
        );
        let e = set("classes.nope.arrivals", json!(1)).unwrap_err();
        assert!(e.to_string().ends_with("hint: it has: request"), "{e}");
    }
}
