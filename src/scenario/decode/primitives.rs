//! The decoder's building blocks: recording problems, objects and their
//! fields, lists, and the scalars every part of a scenario is made of
//! (strings, names, booleans, integers, numbers, durations, byte sizes), and
//! references to declared names.
//!
//! Invariants: each function returns `Some` with a valid value, or `None`
//! after recording exactly the problem it found at the node's path; it never
//! records a problem for a node it was not given. An object's unknown keys
//! are all reported (with "did you mean" where one is close); keys starting
//! with `_` are comments and never reported. [`Decoder::optional`] is the one
//! way a field with a default is read.

use super::{Anchor, Decoder, Fields, Node, Raw, SCHEMA_KEY, is_comment};
use crate::scenario::duration::{DurationError, parse_duration};
use crate::scenario::suggest::closest;
use crate::scenario::text::{MAX_NAME_BYTES, describe_char, echo, first_unsafe};
use crate::scenario::units::parse_bytes;
use crate::time::SimDuration;
use serde_json::Value;

const DURATION_HINT: &str = "durations are strings with a unit: \"250ms\", \"5s\", \"40us\", \"2min\"";

impl Decoder {
    // ----- recording problems -------------------------------------------

    pub(super) fn problem(&mut self, node: &Node, anchor: Anchor, message: impl Into<String>, hint: Option<String>) {
        self.problems.push(Raw { path: node.path.clone(), anchor, message: message.into(), hint });
    }

    /// Records "expected `expected`, found …" at `node`.
    pub(super) fn wrong<T>(&mut self, node: &Node, expected: &str) -> Option<T> {
        let message = format!("expected {expected}, found {}", describe(node.value));
        self.problem(node, Anchor::Value, message, None);
        None
    }

    /// [`Decoder::wrong`] with a hint.
    pub(super) fn wrong_hint<T>(&mut self, node: &Node, expected: &str, hint: impl Into<String>) -> Option<T> {
        let message = format!("expected {expected}, found {}", describe(node.value));
        self.problem(node, Anchor::Value, message, Some(hint.into()));
        None
    }

    /// Records an unknown `what` named `key`, with the closest of `allowed`
    /// or, when none is close, all of them.
    pub(super) fn unknown(&mut self, node: &Node, key: &str, what: &str, allowed: &[&str]) {
        let hint = match closest(key, allowed) {
            Some(guess) => format!("did you mean \"{guess}\"?"),
            None => format!("expected one of: {}", allowed.join(", ")),
        };
        self.problem(node, Anchor::Key, format!("unknown {what} \"{}\"", echo(key)), Some(hint));
    }

    // ----- structure ----------------------------------------------------

    /// Checks `node` is an object whose keys are all in `allowed` (keys that
    /// start with `_` are comments and ignored).
    pub(super) fn object<'v>(&mut self, node: &Node<'v>, allowed: &[&str], expected: &str) -> Option<Fields<'v>> {
        self.object_besides(node, allowed, None, expected)
    }

    /// The top of a document: [`Decoder::object`], also taking a
    /// [`SCHEMA_KEY`] (a string, for editors; unlisted in hints).
    pub(super) fn document<'v>(&mut self, node: &Node<'v>, allowed: &[&str], expected: &str) -> Option<Fields<'v>> {
        let fields = self.object_besides(node, allowed, Some(SCHEMA_KEY), expected)?;
        if let Some(schema) = fields.get(SCHEMA_KEY) {
            let _ = self.string(&schema);
        }
        Some(fields)
    }

    /// [`Decoder::object`], where key `besides` is allowed too.
    fn object_besides<'v>(
        &mut self,
        node: &Node<'v>,
        allowed: &[&str],
        besides: Option<&str>,
        expected: &str,
    ) -> Option<Fields<'v>> {
        let Value::Object(map) = node.value else {
            return self.wrong(node, expected);
        };
        for key in map.keys() {
            if !allowed.contains(&key.as_str()) && !is_comment(key) && besides != Some(key.as_str()) {
                self.unknown(&Node { value: &map[key], path: node.path.key(key) }, key, "field", allowed);
            }
        }
        Some(Fields { map, node: node.clone() })
    }

    /// The field `key`, or a "missing field" problem on the object.
    pub(super) fn required<'v>(&mut self, fields: &Fields<'v>, key: &str, expected: &str) -> Option<Node<'v>> {
        let found = fields.get(key);
        if found.is_none() {
            let message = format!("missing field \"{key}\" ({expected})");
            self.problem(&fields.node, Anchor::Value, message, None);
        }
        found
    }

    /// The field `key` decoded by `decode`, or `default` when it is absent.
    pub(super) fn optional<'v, T>(
        &mut self,
        fields: &Fields<'v>,
        key: &str,
        default: T,
        decode: impl FnOnce(&mut Decoder, &Node<'v>) -> Option<T>,
    ) -> Option<T> {
        match fields.get(key) {
            Some(node) => decode(self, &node),
            None => Some(default),
        }
    }

    /// An object with exactly one key from `kinds`, plus any of `extras`.
    /// Returns the kind, its value, and the whole object.
    pub(super) fn one_of<'v, 'k>(
        &mut self,
        node: &Node<'v>,
        kinds: &[&'k str],
        extras: &[&str],
        what: &str,
    ) -> Option<(&'k str, Node<'v>, Fields<'v>)> {
        self.one_of_listing(node, kinds, extras, extras.len(), what)
    }

    /// [`Decoder::one_of`], where a hint listing every key lists only the
    /// first `listed` extras (the rest, kinds' own options, are still
    /// accepted and suggested).
    pub(super) fn one_of_listing<'v, 'k>(
        &mut self,
        node: &Node<'v>,
        kinds: &[&'k str],
        extras: &[&str],
        listed: usize,
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
                let guess = closest(key, &allowed);
                let what = match guess {
                    Some(guess) if extras.contains(&guess) => "field",
                    _ => what,
                };
                let at = Node { value: &map[key], path: node.path.key(key) };
                match guess {
                    Some(_) => self.unknown(&at, key, what, &allowed),
                    None => self.unknown(&at, key, what, &allowed[..kinds.len() + listed]),
                }
                unknown = true;
            }
        }
        // An unknown key is most likely a misspelt kind: say nothing more
        // unless the object still has exactly one kind to check.
        if unknown && found.len() != 1 {
            return None;
        }
        self.the_kind(node, map, &found, kinds, what)
    }

    /// The one kind `one_of` found, or a problem for none or several.
    fn the_kind<'v, 'k>(
        &mut self,
        node: &Node<'v>,
        map: &'v serde_json::Map<String, Value>,
        found: &[&'k str],
        kinds: &[&'k str],
        what: &str,
    ) -> Option<(&'k str, Node<'v>, Fields<'v>)> {
        match found {
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

    pub(super) fn list<'v>(&mut self, node: &Node<'v>, expected: &str) -> Option<Vec<Node<'v>>> {
        let Value::Array(items) = node.value else {
            return self.wrong(node, expected);
        };
        Some(items.iter().enumerate().map(|(i, value)| Node { value, path: node.path.index(i) }).collect())
    }

    pub(super) fn non_empty_list<'v>(&mut self, node: &Node<'v>, expected: &str) -> Option<Vec<Node<'v>>> {
        let items = self.list(node, expected)?;
        if items.is_empty() {
            return self.wrong(node, expected);
        }
        Some(items)
    }

    /// Every item of `items` decoded by `item` (each problem recorded):
    /// all of them if each decoded.
    pub(super) fn each<'v, T>(
        &mut self,
        items: &[Node<'v>],
        mut item: impl FnMut(&mut Decoder, &Node<'v>) -> Option<T>,
    ) -> Option<Vec<T>> {
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for node in items {
            match item(self, node) {
                Some(value) => out.push(value),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// An object of named entries (`links`, `services`): each name is
    /// recorded with `record` (even when its entry is wrong, so references
    /// resolve) and its entry decoded with `entry`.
    pub(super) fn named<T>(
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
            let child = Node { value, path: node.path.key(name) };
            ok &= self.key_name(&child, name);
            match entry(self, name, &child) {
                Some(item) => out.push(item),
                None => ok = false,
            }
        }
        if out.len() > u16::MAX as usize {
            return self.wrong(node, "at most 65535 entries");
        }
        ok.then_some(out)
    }

    /// The index of the name at `node` among `names` (declared `what`s),
    /// or a problem with "did you mean", the declared names, or, when none
    /// is declared, how to declare one (`declaration(name)`).
    pub(super) fn declared(
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
        self.problem(node, Anchor::Value, format!("unknown {what} \"{}\"", echo(name)), Some(hint));
        None
    }

    // ----- scalars ------------------------------------------------------

    pub(super) fn string<'v>(&mut self, node: &Node<'v>) -> Option<&'v str> {
        match node.value {
            Value::String(s) => Some(s),
            _ => self.wrong(node, "a string"),
        }
    }

    /// A string that is not blank, at most [`MAX_NAME_BYTES`] long, with
    /// no control character, bidirectional override or line break (see
    /// [`crate::scenario::text`]).
    pub(super) fn name<'v>(&mut self, node: &Node<'v>) -> Option<&'v str> {
        match node.value {
            Value::String(s) if !s.trim().is_empty() => self.safe_name(node, Anchor::Value, s).then_some(s),
            _ => self.wrong(node, "a non-empty string"),
        }
    }

    /// Whether the key naming `node` (a class, pool, link, service or queue)
    /// is a safe name, as [`Decoder::name`] checks; if not, records why at
    /// the key.
    pub(super) fn key_name(&mut self, node: &Node, name: &str) -> bool {
        self.safe_name(node, Anchor::Key, name)
    }

    /// Whether `name` is short enough and holds no unsafe character; if
    /// not, records why at `anchor` of `node`.
    fn safe_name(&mut self, node: &Node, anchor: Anchor, name: &str) -> bool {
        if name.len() > MAX_NAME_BYTES {
            let message = format!(
                "expected a name of at most {MAX_NAME_BYTES} bytes, found one of {} bytes (\"{}\")",
                name.len(),
                echo(name)
            );
            let hint = "names become file names and table cells; shorten it (a \"description\" can say more)";
            self.problem(node, anchor, message, Some(hint.into()));
            return false;
        }
        self.safe_text(node, anchor, name, false)
    }

    /// Free text (a description): anything but the characters no output
    /// can show; line breaks (`\n`) and tabs are allowed.
    pub(super) fn text<'v>(&mut self, node: &Node<'v>) -> Option<&'v str> {
        let text = self.string(node)?;
        self.safe_text(node, Anchor::Value, text, true).then_some(text)
    }

    /// Whether `text` holds no unsafe character (`multiline`: but `\n` and
    /// tabs); if it does, records the first at `anchor` of `node`.
    pub(super) fn safe_text(&mut self, node: &Node, anchor: Anchor, text: &str, multiline: bool) -> bool {
        let Some((at, c)) = first_unsafe(text, multiline) else { return true };
        let what = if multiline { "text" } else { "a name" };
        let message = format!(
            "expected {what} without control characters, bidirectional overrides or line breaks, found {} at character {at} of \"{}\"",
            describe_char(c),
            echo(text)
        );
        let hint = if multiline {
            "reports, charts and terminals show this text; remove the character (a line break is written \\n)"
        } else {
            "names appear in reports, charts, file names and terminals, on one line; remove the character or use a visible one"
        };
        self.problem(node, anchor, message, Some(hint.into()));
        false
    }

    pub(super) fn boolean(&mut self, node: &Node) -> Option<bool> {
        match node.value {
            Value::Bool(b) => Some(*b),
            _ => self.wrong(node, "true or false"),
        }
    }

    pub(super) fn integer(&mut self, node: &Node, min: u64, max: u64) -> Option<u64> {
        match node.value.as_u64() {
            Some(n) if (min..=max).contains(&n) => Some(n),
            Some(n) if n > max => self.wrong(node, &format!("an integer ≤ {max}")),
            _ => self.wrong(node, &format!("an integer ≥ {min}")),
        }
    }

    /// An integer ≥ 1.
    pub(super) fn count(&mut self, node: &Node) -> Option<u64> {
        self.integer(node, 1, u64::MAX)
    }

    /// An integer from 1 to `u32::MAX`.
    pub(super) fn small_count(&mut self, node: &Node) -> Option<u32> {
        self.integer(node, 1, u32::MAX as u64).map(|n| n as u32)
    }

    /// A finite number that `accept`s.
    pub(super) fn number(&mut self, node: &Node, expected: &str, accept: impl Fn(f64) -> bool) -> Option<f64> {
        match node.value.as_f64() {
            Some(x) if x.is_finite() && accept(x) => Some(x),
            _ => self.wrong(node, expected),
        }
    }

    /// A probability from 0 to 1.
    pub(super) fn probability(&mut self, node: &Node) -> Option<f64> {
        self.number(node, "a probability from 0 to 1", |p| (0.0..=1.0).contains(&p))
    }

    /// A duration string with a unit, such as `"250ms"`.
    pub(super) fn duration(&mut self, node: &Node) -> Option<SimDuration> {
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

    pub(super) fn positive_duration(&mut self, node: &Node) -> Option<SimDuration> {
        let d = self.duration(node)?;
        if d.is_zero() {
            return self.wrong(node, "a duration > 0");
        }
        Some(d)
    }

    /// A whole number of bytes: `2900` or a size such as `"16.5KiB"`.
    pub(super) fn bytes(&mut self, node: &Node) -> Option<u64> {
        let parsed = match node.value {
            Value::Number(n) => n.as_u64(),
            Value::String(text) => parse_bytes(text).filter(|b| b.fract() == 0.0 && *b >= 0.0).map(|b| b as u64),
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
            format!("\"{}{ellipsis}\"", echo(&shown))
        }
        Value::Array(items) if items.is_empty() => "an empty list".into(),
        Value::Array(_) => "a list".into(),
        Value::Object(map) if map.is_empty() => "an empty object".into(),
        Value::Object(_) => "an object".into(),
    }
}
