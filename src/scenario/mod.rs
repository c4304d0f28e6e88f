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
    let root: serde_json::Value = match serde_json::from_str(text) {
        Ok(root) => root,
        Err(e) => return Err(invalid(vec![syntax_problem(&e, text)])),
    };
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
    let root: serde_json::Value = serde_json::from_str(text).map_err(|e| invalid(vec![syntax_problem(&e, text)]))?;
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

/// A JSON syntax error as a problem at its `line:column`.
fn syntax_problem(e: &serde_json::Error, text: &str) -> Problem {
    Problem {
        line: e.line().max(1) as u32,
        column: char_column(text, e.line(), e.column()),
        path: String::new(),
        message: format!("invalid JSON: {}", syntax_message(e)),
        hint: syntax_hint(e, text),
    }
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
