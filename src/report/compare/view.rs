//! The report.json files `compare` reads: the view types (only the fields
//! compared; unknown fields are ignored, so any `simbench.report/v1` report
//! compares) and their loaders, [`load`] (one file), [`parse`] (text),
//! [`load_dir`] (a directory, by scenario name) and [`load_pair`] (the two
//! sides of a comparison), with [`CompareError`] for input that cannot be
//! compared.

use crate::metrics::Summary;
use crate::metrics::slo::SloOutcome;
use crate::report::SCHEMA;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A report.json as `compare` reads it.
#[derive(Clone, Debug, Deserialize)]
pub struct ReportView {
    pub schema: String,
    pub simbench_version: String,
    pub scenario: ScenarioView,
    pub results: Vec<ResultView>,
    #[serde(default)]
    pub slos: Vec<SloOutcome>,
}

/// The scenario a report ran: shown, and noted when it differs.
#[derive(Clone, Debug, Deserialize)]
pub struct ScenarioView {
    pub name: String,
    pub file: String,
    pub sha256: String,
    pub seed: u64,
}

/// How a run's (or a class's) tasks ended.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
pub struct TasksView {
    pub arrived: u64,
    pub completed: u64,
    pub failed: u64,
    pub timed_out: u64,
    pub cancelled: u64,
}

/// One strategy's figures as `compare` reads them.
#[derive(Clone, Debug, Deserialize)]
pub struct ResultView {
    pub strategy: String,
    pub tasks: TasksView,
    pub makespan_s: f64,
    pub throughput_per_s: f64,
    pub latency_s: Summary,
    pub wait_s: Summary,
    pub cpu_utilization: f64,
    pub peak_in_flight: u64,
    pub peak_threads: u64,
    pub peak_coroutines: u64,
    pub modelled_memory_bytes: u64,
    pub loop_lag_s: Option<Summary>,
    pub events: u64,
    pub classes: Vec<ClassView>,
    /// Scenarios with links or services only.
    #[serde(default)]
    pub links: Vec<LinkView>,
    #[serde(default)]
    pub services: Vec<ServiceView>,
    /// The latency histogram (HdrHistogram V2 deflate, base64): drawn by
    /// `compare --format html`, never judged.
    #[serde(default)]
    pub histogram: String,
    /// The exact latency spectrum, when the run kept its latencies: drawn
    /// by `compare --format html` in preference to the histogram.
    #[serde(default)]
    pub latency_spectrum_s: Option<Vec<f64>>,
}

/// A link's figures as `compare` reads them.
#[derive(Clone, Debug, Deserialize)]
pub struct LinkView {
    pub link: String,
    pub bytes: u64,
    pub busy_fraction: f64,
}

/// A service's figures as `compare` reads them.
#[derive(Clone, Debug, Deserialize)]
pub struct ServiceView {
    pub service: String,
    pub load_amplification: f64,
    pub rejected: u64,
    pub failed: u64,
    pub abandoned: u64,
    pub wasted: u64,
    pub utilization: f64,
    pub queue_wait_s: Summary,
}

/// One task class's figures within a strategy's result.
#[derive(Clone, Debug, Deserialize)]
pub struct ClassView {
    pub class: String,
    pub tasks: TasksView,
    pub throughput_per_s: f64,
    pub latency_s: Summary,
    pub wait_s: Summary,
}

/// The figures a strategy's whole run and each of its task classes both
/// have, so one reader serves either.
#[derive(Clone, Copy, Debug)]
pub struct TaskFigures<'v> {
    pub tasks: &'v TasksView,
    pub throughput_per_s: f64,
    pub latency_s: &'v Summary,
    pub wait_s: &'v Summary,
}

impl ResultView {
    /// The figures of all the run's tasks.
    pub fn task_figures(&self) -> TaskFigures<'_> {
        TaskFigures {
            tasks: &self.tasks,
            throughput_per_s: self.throughput_per_s,
            latency_s: &self.latency_s,
            wait_s: &self.wait_s,
        }
    }
}

impl ClassView {
    /// The figures of this class's tasks.
    pub fn task_figures(&self) -> TaskFigures<'_> {
        TaskFigures {
            tasks: &self.tasks,
            throughput_per_s: self.throughput_per_s,
            latency_s: &self.latency_s,
            wait_s: &self.wait_s,
        }
    }
}

/// A report and where it came from.
#[derive(Clone, Debug)]
pub struct LoadedReport {
    pub path: String,
    pub view: ReportView,
}

/// Why two runs could not be compared (bad input: exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    #[error("{path}: cannot read")]
    Read { path: String, source: std::io::Error },
    #[error("{path}:{line}:{column}: not a simbench report: {message}")]
    Invalid { path: String, line: usize, column: usize, message: String },
    #[error(
        "{path}: schema \"{found}\" is not one this simbench reads ({SCHEMA}); compare it with the simbench that wrote it, or regenerate it"
    )]
    UnknownSchema { path: String, found: String },
    #[error(
        "reports of different schema versions: {base} is \"{base_schema}\" but {head} is \"{head_schema}\"; regenerate the older one with the same simbench"
    )]
    DifferentSchemas { base: String, base_schema: String, head: String, head_schema: String },
    #[error(
        "reports of different scenarios: {base} is scenario \"{base_name}\" but {head} is scenario \"{head_name}\"; compare two runs of the same scenario"
    )]
    DifferentScenarios { base: String, base_name: String, head: String, head_name: String },
    #[error(
        "{base} is a {base_kind} but {head} is a {head_kind}; compare two report.json files or two directories of them"
    )]
    Mixed { base: String, base_kind: &'static str, head: String, head_kind: &'static str },
    #[error("{dir}: no reports found (looked for *.json and */report.json)")]
    Empty { dir: String },
    #[error("{dir}: two reports of scenario \"{name}\": {first} and {second}")]
    Duplicate { dir: String, name: String, first: String, second: String },
}

/// Reads one report.json.
pub fn load(path: &Path) -> Result<LoadedReport, CompareError> {
    let shown = path.display().to_string();
    let text = crate::scenario::input::read_to_string(path)
        .map_err(|source| CompareError::Read { path: shown.clone(), source })?;
    parse(&text, &shown)
}

/// Parses report.json text; `path` names it in errors.
pub fn parse(text: &str, path: &str) -> Result<LoadedReport, CompareError> {
    let invalid = |e: serde_json::Error| CompareError::Invalid {
        path: path.to_string(),
        line: e.line(),
        column: e.column(),
        message: e.to_string().rsplit_once(" at line ").map_or_else(|| e.to_string(), |(m, _)| m.to_string()),
    };
    let value: serde_json::Value = serde_json::from_str(text).map_err(invalid)?;
    match value.get("schema").and_then(|s| s.as_str()) {
        Some(SCHEMA) => {}
        Some(other) => return Err(CompareError::UnknownSchema { path: path.to_string(), found: other.to_string() }),
        None => {
            return Err(CompareError::Invalid {
                path: path.to_string(),
                line: 1,
                column: 1,
                message: format!("no \"schema\" field (a report.json has \"schema\": \"{SCHEMA}\")"),
            });
        }
    }
    let view = serde_json::from_str(text).map_err(invalid)?;
    Ok(LoadedReport { path: path.to_string(), view })
}

/// The `schema` of a JSON document, if it has one.
fn schema_of(text: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    value.get("schema")?.as_str().map(str::to_string)
}

/// Every report in `dir`: its `*.json` files and `*/report.json`, by
/// scenario name.
pub fn load_dir(dir: &Path) -> Result<BTreeMap<String, LoadedReport>, CompareError> {
    let shown = dir.display().to_string();
    let read_error = |source| CompareError::Read { path: shown.clone(), source };
    let mut paths: Vec<PathBuf> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_error)? {
        let path = entry.map_err(read_error)?.path();
        if path.is_dir() {
            let report = path.join("report.json");
            if report.is_file() {
                paths.push(report);
            }
        } else if path.extension().is_some_and(|e| e == "json") {
            paths.push(path);
        }
    }
    paths.sort();
    let mut reports: BTreeMap<String, LoadedReport> = BTreeMap::new();
    for path in paths {
        let report = load(&path)?;
        let name = report.view.scenario.name.clone();
        if let Some(first) = reports.get(&name) {
            return Err(CompareError::Duplicate { dir: shown, name, first: first.path.clone(), second: report.path });
        }
        reports.insert(name, report);
    }
    if reports.is_empty() {
        return Err(CompareError::Empty { dir: shown });
    }
    Ok(reports)
}

/// The reports at `base` and `head`: two files, or two directories.
pub fn load_pair(base: &Path, head: &Path) -> Result<(Vec<LoadedReport>, Vec<LoadedReport>), CompareError> {
    let kind = |p: &Path| if p.is_dir() { "directory" } else { "file" };
    match (base.is_dir(), head.is_dir()) {
        (false, false) => {
            let (base_path, head_path) = (base.display().to_string(), head.display().to_string());
            let read = |path: &Path, shown: &str| {
                crate::scenario::input::read_to_string(path)
                    .map_err(|source| CompareError::Read { path: shown.to_string(), source })
            };
            let (base_text, head_text) = (read(base, &base_path)?, read(head, &head_path)?);
            let (base_schema, head_schema) = (schema_of(&base_text), schema_of(&head_text));
            if let (Some(b), Some(h)) = (&base_schema, &head_schema)
                && b != h
            {
                return Err(CompareError::DifferentSchemas {
                    base: base_path,
                    base_schema: b.clone(),
                    head: head_path,
                    head_schema: h.clone(),
                });
            }
            Ok((vec![parse(&base_text, &base_path)?], vec![parse(&head_text, &head_path)?]))
        }
        (true, true) => Ok((load_dir(base)?.into_values().collect(), load_dir(head)?.into_values().collect())),
        _ => Err(CompareError::Mixed {
            base: base.display().to_string(),
            base_kind: kind(base),
            head: head.display().to_string(),
            head_kind: kind(head),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_of_another_schema_are_refused_plainly() {
        let err = parse(r#"{"schema": "simbench.report/v2"}"#, "b.json").unwrap_err().to_string();
        assert!(err.starts_with("b.json: schema \"simbench.report/v2\" is not one this simbench reads"), "{err}");
        let err = parse("{\n  \"schema\": \"simbench.report/v1\",\n  \"results\": 3\n}", "b.json").unwrap_err();
        assert!(err.to_string().starts_with("b.json:"), "{err}");
        let err = parse("[1, 2", "c.json").unwrap_err().to_string();
        assert!(err.starts_with("c.json:1:5: not a simbench report: EOF while parsing"), "{err}");
    }
}
