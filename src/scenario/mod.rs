//! Scenario files: parse and validate JSON into a [`Scenario`].
//!
//! The first stage of the pipeline. [`load`] reads a file, [`parse`] turns
//! its text into a validated [`Scenario`] or into every problem found, each
//! with `line:column`, field path, what was expected and, where one is
//! obvious, a fix. The format is documented in docs/scenario.md.
//!
//! Invariants: a returned [`Scenario`] satisfies every invariant stated on
//! its types; an error lists problems in file order; nothing here
//! panics on any input.

mod decode;
mod duration;
mod flow;
pub mod input;
pub mod runtime;
mod slo;
mod source;
mod suggest;
pub mod text;
mod types;
mod units;

pub use decode::SCHEMA_KEY;
pub use decode::schema::{profile_schema, scenario_schema};
pub use duration::{DurationError, parse_duration};
pub use flow::{ChooseBranch, Count, Fail};
pub use runtime::Runtime;
pub use slo::{
    GRAMMAR as THRESHOLD_GRAMMAR, Measure, Metric, Op, OutcomeKind, Slo, Statistic, Threshold, ThresholdError, Unit,
    parse_threshold,
};
pub use suggest::closest as suggest_closest;
pub use types::*;
pub use units::{format_bytes, parse_bandwidth, parse_bytes, parse_decimal, parse_rate};

use decode::Anchor;
use sha2::{Digest, Sha256};
use source::SourceMap;
use std::fmt;
use std::path::Path;

/// A scenario read from a file, with what a report needs to identify it.
#[derive(Clone, Debug)]
pub struct LoadedScenario {
    pub scenario: Scenario,
    /// The path as the user gave it.
    pub file: String,
    /// SHA-256 of the file's bytes, lowercase hex.
    pub sha256: String,
    /// The file's text, as read (report.html shows it).
    pub source: String,
}

/// One thing wrong with a scenario file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub line: u32,
    pub column: u32,
    /// The field path, e.g. `strategies[1].threaded.workers`; empty for the
    /// document itself.
    pub path: String,
    /// What was expected and what was found.
    pub message: String,
    /// How to fix it, where that is obvious.
    pub hint: Option<String>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.line, self.column)?;
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n    hint: {hint}")?;
        }
        Ok(())
    }
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("{file}: cannot read the scenario")]
    Read { file: String, source: std::io::Error },
    /// `--runtime FILE` names a profile file that cannot be read.
    #[error(
        "{file}: cannot read the runtime profile; use ideal, cpython, or a file written by `simbench calibrate --out FILE`"
    )]
    ReadProfile { file: String, source: std::io::Error },
    #[error("{}", render_problems(file, problems))]
    Invalid { file: String, problems: Vec<Problem> },
}

fn render_problems(file: &str, problems: &[Problem]) -> String {
    let count = match problems.len() {
        1 => "1 problem".to_string(),
        n => format!("{n} problems"),
    };
    let mut text = format!("{file} is not a valid scenario ({count}):");
    for problem in problems {
        text.push_str(&format!("\n  {file}:{problem}"));
    }
    text
}

/// Reads and validates the scenario at `path`.
pub fn load(path: &Path) -> Result<LoadedScenario, ScenarioError> {
    let file = path.display().to_string();
    let bytes = input::read(path).map_err(|source| ScenarioError::Read { file: file.clone(), source })?;
    let text = String::from_utf8(bytes.clone()).map_err(|e| {
        let problem = Problem {
            line: 1,
            column: 1,
            path: String::new(),
            message: format!("the file is not UTF-8 text (invalid byte at offset {})", e.utf8_error().valid_up_to()),
            hint: Some("save the scenario as UTF-8 JSON".into()),
        };
        ScenarioError::Invalid { file: file.clone(), problems: vec![problem] }
    })?;
    let scenario = parse(&text, &file)?;
    let sha256 = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    Ok(LoadedScenario { scenario, file, sha256, source: text })
}

/// Parses and validates scenario text; `file` names it in errors, and a
/// runtime profile file it names is read relative to `file`'s directory.
pub fn parse(text: &str, file: &str) -> Result<Scenario, ScenarioError> {
    parse_at(text, file, Path::new(file).parent().unwrap_or(Path::new("")))
}

/// [`parse`], reading a runtime profile file relative to `dir` (for text
/// that is not read from `file`, such as a sweep's points).
pub fn parse_at(text: &str, file: &str, dir: &Path) -> Result<Scenario, ScenarioError> {
    let invalid = |problems| ScenarioError::Invalid { file: file.to_string(), problems };
    let root = document(text).map_err(|problem| invalid(vec![problem]))?;
    let map = SourceMap::scan(text);
    let mut problems: Vec<Problem> = map
        .duplicates
        .iter()
        .map(|(path, at)| Problem {
            line: at.line,
            column: at.column,
            path: path.to_string(),
            message: "duplicate field".into(),
            hint: Some("JSON objects keep only the last of two equal keys; remove one".into()),
        })
        .collect();
    let decoded = decode::decode(&root);
    let raws = match decoded {
        Ok(scenario) if problems.is_empty() => return resolve_runtime(scenario, file, dir, &map),
        Ok(_) => Vec::new(),
        Err(raws) => raws,
    };
    problems.extend(located(raws, &map));
    problems.sort_by_key(|p| (p.line, p.column));
    Err(invalid(problems))
}

/// Reads the profile file a scenario's `runtime` names (relative to the
/// scenario file's directory) and applies the scenario's overrides.
fn resolve_runtime(mut scenario: Scenario, file: &str, dir: &Path, map: &SourceMap) -> Result<Scenario, ScenarioError> {
    let Some(pending) = scenario.runtime.pending.take() else { return Ok(scenario) };
    let profile_path = dir.join(&pending.file);
    let shown = profile_path.display().to_string();
    let at_runtime = |message: String, hint: &str| {
        let mut path = source::Path::default().key("runtime");
        if map.value(&path.key("profile")) != map.value(&path) {
            path = path.key("profile");
        }
        let at = map.value(&path);
        let problem =
            Problem { line: at.line, column: at.column, path: path.to_string(), message, hint: Some(hint.into()) };
        ScenarioError::Invalid { file: file.to_string(), problems: vec![problem] }
    };
    let text = input::read_to_string(&profile_path).map_err(|e| {
        at_runtime(
            format!("cannot read the runtime profile {shown}: {e}"),
            "write one with `simbench calibrate --out FILE`, or use \"ideal\" or \"cpython\"; the path is relative to the scenario's directory",
        )
    })?;
    let profile = parse_profile(&text, &shown)?;
    scenario.runtime = Runtime { name: pending.file.clone(), ..profile }.with_overrides(&pending.overrides);
    Ok(scenario)
}

/// The runtime profile `--runtime` names: `ideal`, `cpython`, or a profile
/// file's path (relative to the working directory).
pub fn load_runtime(spec: &str) -> Result<Runtime, ScenarioError> {
    if let Some(built_in) = Runtime::built_in(spec) {
        return Ok(built_in);
    }
    let text = input::read_to_string(Path::new(spec))
        .map_err(|source| ScenarioError::ReadProfile { file: spec.to_string(), source })?;
    Ok(Runtime { name: spec.to_string(), ..parse_profile(&text, spec)? })
}

/// Parses and validates a runtime profile file's text (`simbench.runtime/v1`);
/// `file` names it in errors.
pub fn parse_profile(text: &str, file: &str) -> Result<Runtime, ScenarioError> {
    let invalid = |problems| ScenarioError::Invalid { file: file.to_string(), problems };
    let root = document(text).map_err(|problem| invalid(vec![problem]))?;
    let map = SourceMap::scan(text);
    decode::decode_profile(&root).map_err(|raws| {
        let mut problems: Vec<Problem> = located(raws, &map).collect();
        problems.sort_by_key(|p| (p.line, p.column));
        invalid(problems)
    })
}

/// The decoder's problems at their `line:column`.
fn located(raws: Vec<decode::Raw>, map: &SourceMap) -> impl Iterator<Item = Problem> + '_ {
    raws.into_iter().map(|raw| {
        let at = match raw.anchor {
            Anchor::Key => map.key(&raw.path),
            Anchor::Value => map.value(&raw.path),
        };
        Problem { line: at.line, column: at.column, path: raw.path.to_string(), message: raw.message, hint: raw.hint }
    })
}

/// Deepest nesting of arrays and objects a scenario or profile file may
/// have: far more than any honest program needs (a gather nested in a
/// gather takes 3 or 4 levels, so more than 100 gathers deep fit), and
/// shallow enough that decoding never comes near the end of a thread's
/// stack.
pub const MAX_DEPTH: usize = 512;

/// The JSON document of `text`, or the problem that stops it being one:
/// a byte-order mark, nesting deeper than [`MAX_DEPTH`], a syntax error.
/// serde_json's own recursion limit (128) is lifted: the depth is checked
/// here first, with a message that says so.
pub(crate) fn document(text: &str) -> Result<serde_json::Value, Problem> {
    if text.starts_with('\u{feff}') {
        return Err(Problem {
            line: 1,
            column: 1,
            path: String::new(),
            message: "the file starts with a UTF-8 byte-order mark (U+FEFF), which JSON does not allow".into(),
            hint: Some(
                "save it as UTF-8 without a BOM (in most editors: the encoding \"UTF-8\", not \"UTF-8 with BOM\")"
                    .into(),
            ),
        });
    }
    if let Some((line, column)) = too_deep(text) {
        return Err(Problem {
            line,
            column,
            path: String::new(),
            message: format!("the document is nested deeper than {MAX_DEPTH} levels of arrays and objects"),
            hint: Some("flatten it: a program nests steps in steps, but no honest program needs this depth".into()),
        });
    }
    let mut de = serde_json::Deserializer::from_str(text);
    de.disable_recursion_limit();
    let value = serde::Deserialize::deserialize(&mut de).and_then(|value| de.end().map(|()| value));
    value.map_err(|e| syntax_problem(&e, text))
}

/// The `line:column` (in characters) of the first `[` or `{` that opens a
/// level deeper than [`MAX_DEPTH`], if one does. Brackets inside strings do
/// not count; the text need not be valid JSON.
fn too_deep(text: &str) -> Option<(u32, u32)> {
    let (mut depth, mut line, mut column) = (0usize, 1u32, 0u32);
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        column += 1;
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                '\n' => (line, column) = (line + 1, 0),
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '[' | '{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some((line, column));
                }
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            '\n' => (line, column) = (line + 1, 0),
            _ => {}
        }
    }
    None
}

/// A JSON syntax error as a problem at its `line:column`.
fn syntax_problem(e: &serde_json::Error, text: &str) -> Problem {
    let (line, column) = (e.line().max(1) as u32, char_column(text, e.line(), e.column()));
    if let Some(at) = lone_surrogate(text, e) {
        return Problem {
            line,
            column: at,
            path: String::new(),
            message: "invalid JSON: a lone surrogate escape (\\uD800 to \\uDFFF without its pair) is not a character"
                .into(),
            hint: Some(
                "write the character itself, or a pair such as \\ud83d\\ude00; JSON text must be Unicode".into(),
            ),
        };
    }
    Problem {
        line,
        column,
        path: String::new(),
        message: format!("invalid JSON: {}", syntax_message(e)),
        hint: syntax_hint(e, text),
    }
}

/// For serde_json's errors about a `\uD800`–`\uDFFF` escape without its
/// pair, the column (in characters) of that escape's backslash on the
/// error's line.
fn lone_surrogate(text: &str, e: &serde_json::Error) -> Option<u32> {
    let message = e.to_string();
    if !message.starts_with("lone leading surrogate") && !message.starts_with("unexpected end of hex escape") {
        return None;
    }
    let line = nth_line(text, e.line())?;
    let end = e.column().min(line.len());
    // The last `\u` escape of a surrogate that starts before the error.
    let start = (0..end).rev().find(|&i| {
        line.as_bytes()[i] == b'\\'
            && line.get(i + 1..i + 6).is_some_and(|esc| {
                esc.len() == 5
                    && esc.as_bytes()[0] == b'u'
                    && u16::from_str_radix(&esc[1..], 16).is_ok_and(|n| (0xD800..=0xDFFF).contains(&n))
            })
    })?;
    Some(char_column(text, e.line(), start + 1))
}

/// serde_json's message without its trailing " at line L column C".
fn syntax_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// The text of 1-based line `line` of `text` (none past the end).
fn nth_line(text: &str, line: usize) -> Option<&str> {
    text.split('\n').nth(line.checked_sub(1)?)
}

/// serde_json's column counts bytes; problems count characters, as the
/// decoder's positions do (see [`source`]).
fn char_column(text: &str, line: usize, byte_column: usize) -> u32 {
    let Some(line) = nth_line(text, line) else { return byte_column.max(1) as u32 };
    let before = byte_column.saturating_sub(1);
    line.char_indices().take_while(|(i, _)| *i < before).count() as u32 + 1
}

fn syntax_hint(error: &serde_json::Error, text: &str) -> Option<String> {
    let message = error.to_string();
    // serde_json reports a comment as whatever it expected where the `/`
    // is (a key, a value, a comma), so look at the text first.
    if let Some(line) = nth_line(text, error.line()) {
        let at = line.get(error.column().saturating_sub(1)..).unwrap_or("");
        if at.starts_with("//") || at.starts_with("/*") || line.trim_start().starts_with("//") {
            return Some(
                "JSON has no comments; use a field whose name starts with \"_\", e.g. \"_note\": \"…\"".into(),
            );
        }
    }
    if text.trim().is_empty() {
        return Some("the file is empty; a scenario is a JSON object: {\"name\": …, \"classes\": {…}}".into());
    }
    if message.starts_with("trailing comma") {
        return Some("remove the comma after the last item".into());
    }
    if message.starts_with("key must be a string") {
        return Some("JSON keys are in double quotes: {\"name\": …}".into());
    }
    if message.starts_with("EOF while parsing") {
        return Some("a bracket or brace is not closed".into());
    }
    None
}
