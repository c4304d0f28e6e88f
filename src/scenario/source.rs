//! Where each value of a JSON document is: line and column by field path.
//!
//! `serde_json::Value` keeps no positions, so after a document has parsed we
//! scan its text once more and record, for every value, the position of the
//! value and of the key that names it. Errors found while decoding the value
//! tree are then reported at `file:line:column`. The scan also finds
//! duplicate keys, which `serde_json` accepts silently (the last one wins).
//!
//! Invariant: the text is valid JSON (the caller parsed it first); on
//! anything else the scan stops early and positions fall back to 1:1.

use super::text::{ECHO_CHARS, is_unsafe};
use std::collections::BTreeMap;

/// One step of a path into a JSON document.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// A path into a JSON document, rendered as `strategies[1].threaded.workers`.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Path(pub Vec<Segment>);

impl Path {
    pub fn key(&self, key: &str) -> Path {
        let mut segments = self.0.clone();
        segments.push(Segment::Key(key.to_string()));
        Path(segments)
    }

    pub fn index(&self, index: usize) -> Path {
        let mut segments = self.0.clone();
        segments.push(Segment::Index(index));
        Path(segments)
    }
}

impl std::fmt::Display for Path {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Index(index) => write!(f, "[{index}]")?,
                Segment::Key(key) if is_plain(key) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    if key.len() > ECHO_CHARS {
                        // Plain keys are ASCII: one byte a character.
                        write!(f, "{}…", &key[..ECHO_CHARS])?;
                    } else {
                        f.write_str(key)?;
                    }
                }
                Segment::Key(key) => write!(f, "[{}]", quoted(key))?,
            }
        }
        Ok(())
    }
}

/// `key` as a JSON string, as `--set` reads it back, with the characters
/// JSON leaves raw but terminals act on (C1 controls, DEL, bidirectional
/// overrides, U+2028 and U+2029) escaped too; a key longer than
/// [`ECHO_CHARS`] characters is cut, with an ellipsis.
fn quoted(key: &str) -> String {
    let shown: String = key.chars().take(ECHO_CHARS).collect();
    let json = serde_json::Value::from(shown.as_str()).to_string();
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    if shown.len() < key.len() {
        out.insert(out.len() - 1, '…');
    }
    out
}

fn is_plain(key: &str) -> bool {
    !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A 1-based line and column (in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

impl Position {
    pub const START: Position = Position { line: 1, column: 1 };
}

/// Positions of a value and of the key naming it (array items and the root
/// have no key).
#[derive(Clone, Copy, Debug)]
pub struct Located {
    pub value: Position,
    pub key: Option<Position>,
}

/// The positions of every value in a document.
#[derive(Debug, Default)]
pub struct SourceMap {
    positions: BTreeMap<Path, Located>,
    /// Keys that appear twice in one object: the path of the second, and
    /// where it is.
    pub duplicates: Vec<(Path, Position)>,
}

impl SourceMap {
    /// Scans `text`, which must be valid JSON.
    pub fn scan(text: &str) -> SourceMap {
        let mut scanner = Scanner { bytes: text.as_bytes(), at: 0, line: 1, column: 1, map: SourceMap::default() };
        let _ = scanner.value(&mut Path::default(), None);
        scanner.map
    }

    /// Where the value at `path` is, or its nearest located ancestor.
    pub fn value(&self, path: &Path) -> Position {
        self.located(path).map(|l| l.value).unwrap_or(Position::START)
    }

    /// Where the key naming the value at `path` is (falling back to the value).
    pub fn key(&self, path: &Path) -> Position {
        self.located(path).map(|l| l.key.unwrap_or(l.value)).unwrap_or(Position::START)
    }

    fn located(&self, path: &Path) -> Option<Located> {
        let mut path = path.clone();
        loop {
            if let Some(located) = self.positions.get(&path) {
                return Some(*located);
            }
            path.0.pop()?;
        }
    }
}

struct Scanner<'t> {
    bytes: &'t [u8],
    at: usize,
    line: u32,
    column: u32,
    map: SourceMap,
}

/// The scan stopped: the text was not valid JSON after all.
struct Stop;

impl Scanner<'_> {
    fn position(&self) -> Position {
        Position { line: self.line, column: self.column }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn bump(&mut self) {
        let Some(byte) = self.peek() else { return };
        self.at += 1;
        if byte == b'\n' {
            self.line += 1;
            self.column = 1;
        } else if byte & 0xC0 != 0x80 {
            // Count characters, not UTF-8 continuation bytes.
            self.column += 1;
        }
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.bump();
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), Stop> {
        self.skip_space();
        if self.peek() != Some(byte) {
            return Err(Stop);
        }
        self.bump();
        Ok(())
    }

    fn value(&mut self, path: &mut Path, key: Option<Position>) -> Result<(), Stop> {
        self.skip_space();
        let value = self.position();
        self.map.positions.insert(path.clone(), Located { value, key });
        match self.peek().ok_or(Stop)? {
            b'{' => self.object(path),
            b'[' => self.array(path),
            b'"' => self.string().map(|_| ()),
            _ => {
                while matches!(self.peek(), Some(b) if !matches!(b, b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r'))
                {
                    self.bump();
                }
                Ok(())
            }
        }
    }

    fn object(&mut self, path: &mut Path) -> Result<(), Stop> {
        self.bump();
        self.skip_space();
        if self.peek() == Some(b'}') {
            self.bump();
            return Ok(());
        }
        let mut seen: Vec<String> = Vec::new();
        loop {
            self.skip_space();
            let key_position = self.position();
            let key = self.string()?;
            self.expect(b':')?;
            path.0.push(Segment::Key(key.clone()));
            if seen.contains(&key) {
                self.map.duplicates.push((path.clone(), key_position));
            } else {
                seen.push(key);
            }
            self.value(path, Some(key_position))?;
            path.0.pop();
            self.skip_space();
            match self.peek() {
                Some(b',') => self.bump(),
                Some(b'}') => {
                    self.bump();
                    return Ok(());
                }
                _ => return Err(Stop),
            }
        }
    }

    fn array(&mut self, path: &mut Path) -> Result<(), Stop> {
        self.bump();
        self.skip_space();
        if self.peek() == Some(b']') {
            self.bump();
            return Ok(());
        }
        let mut index = 0;
        loop {
            path.0.push(Segment::Index(index));
            self.value(path, None)?;
            path.0.pop();
            index += 1;
            self.skip_space();
            match self.peek() {
                Some(b',') => self.bump(),
                Some(b']') => {
                    self.bump();
                    return Ok(());
                }
                _ => return Err(Stop),
            }
        }
    }

    /// Scans a string literal and returns its decoded text.
    fn string(&mut self) -> Result<String, Stop> {
        if self.peek() != Some(b'"') {
            return Err(Stop);
        }
        let start = self.at;
        self.bump();
        loop {
            match self.peek().ok_or(Stop)? {
                b'\\' => {
                    self.bump();
                    self.bump();
                }
                b'"' => {
                    self.bump();
                    break;
                }
                _ => self.bump(),
            }
        }
        let literal = std::str::from_utf8(&self.bytes[start..self.at]).map_err(|_| Stop)?;
        serde_json::from_str(literal).map_err(|_| Stop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(segments: &[Segment]) -> Path {
        Path(segments.to_vec())
    }

    #[test]
    fn paths_render_like_field_accessors() {
        let p = path(&[Segment::Key("strategies".into()), Segment::Index(1), Segment::Key("threaded".into())]);
        assert_eq!(p.to_string(), "strategies[1].threaded");
        assert_eq!(path(&[Segment::Key("my class".into())]).to_string(), "[\"my class\"]");
        let evil = path(&[Segment::Key("classes".into()), Segment::Key("a\u{1b}[2J\u{9b}\u{202E}".into())]);
        assert_eq!(evil.to_string(), "classes[\"a\\u001b[2J\\u009b\\u202e\"]");
        let long = path(&[Segment::Key("classes".into()), Segment::Key("k ".repeat(1000))]);
        assert_eq!(long.to_string().chars().count(), "classes[\"\"]".len() + 1 + ECHO_CHARS);
        assert!(long.to_string().ends_with("…\"]"));
        let plain = path(&[Segment::Key("k".repeat(1_000_000))]);
        assert_eq!(plain.to_string(), format!("{}…", "k".repeat(ECHO_CHARS)));
    }

    #[test]
    fn finds_values_and_keys() {
        let text = "{\n  \"a\": [1, {\"b\": \"x\"}],\n  \"é\": true\n}";
        let map = SourceMap::scan(text);
        let b = path(&[Segment::Key("a".into()), Segment::Index(1), Segment::Key("b".into())]);
        assert_eq!(map.value(&b), Position { line: 2, column: 18 });
        assert_eq!(map.key(&b), Position { line: 2, column: 13 });
        let accent = path(&[Segment::Key("é".into())]);
        assert_eq!(map.value(&accent), Position { line: 3, column: 8 });
        // Unknown paths fall back to the nearest ancestor.
        let missing = b.key("nope");
        assert_eq!(map.value(&missing), Position { line: 2, column: 18 });
    }

    #[test]
    fn reports_duplicate_keys() {
        let map = SourceMap::scan("{\"a\": 1,\n \"a\": 2}");
        assert_eq!(map.duplicates, vec![(path(&[Segment::Key("a".into())]), Position { line: 2, column: 2 })]);
    }
}
