//! `simbench compare`: two runs, figure by figure.
//!
//! [`load`] reads a report.json, or every report in a directory, as a
//! [`ReportView`] (only the fields compared; unknown fields are ignored, so
//! any `simbench.report/v1` report compares). [`compare`] matches reports by
//! scenario name, results by strategy label and classes by name, and judges
//! each figure of [`limits::METRICS`] against its [`limits::Limit`]. The
//! renderers ([`text`], [`markdown`], [`json`]) only read the
//! [`Comparison`].
//!
//! Invariants: output order is the base report's order of strategies and
//! classes (then anything only the head has), and scenarios sort by name, so
//! the same inputs always give the same bytes. The scenario file's path is
//! shown but never judged: the same scenario reached by another path
//! compares equal; its sha256 only adds a note.

pub mod json;
pub mod limits;
pub mod markdown;
pub mod text;

use super::SCHEMA;
use crate::metrics::Summary;
use crate::metrics::slo::SloOutcome;
use crate::scenario::Unit;
use limits::{Allowance, Better, Limit, Limits, METRICS, MetricDef};
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

#[derive(Clone, Debug, Deserialize)]
pub struct ScenarioView {
    pub name: String,
    pub file: String,
    pub sha256: String,
    pub seed: u64,
}

#[derive(Clone, Copy, Debug, Default, Deserialize)]
pub struct TasksView {
    pub arrived: u64,
    pub completed: u64,
    pub failed: u64,
    pub timed_out: u64,
    pub cancelled: u64,
}

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

#[derive(Clone, Debug, Deserialize)]
pub struct ClassView {
    pub class: String,
    pub tasks: TasksView,
    pub throughput_per_s: f64,
    pub latency_s: Summary,
    pub wait_s: Summary,
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
    let text = std::fs::read_to_string(path).map_err(|source| CompareError::Read { path: shown.clone(), source })?;
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
                std::fs::read_to_string(path).map_err(|source| CompareError::Read { path: shown.to_string(), source })
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

/// How a figure moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Unchanged,
    Improved,
    /// Worse, but within its limit.
    Worse,
    /// Worse past its limit.
    Regression,
    /// Changed; the figure has no better direction.
    Changed,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Unchanged => "unchanged",
            Verdict::Improved => "improved",
            Verdict::Worse => "worse within limit",
            Verdict::Regression => "regression",
            Verdict::Changed => "changed",
        }
    }
}

/// One figure of one strategy (and class), in both runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub strategy: String,
    /// `None`: all tasks.
    pub class: Option<String>,
    /// A service or link figure: `service db`, `link uplink`.
    pub resource: Option<String>,
    pub metric: &'static MetricDef,
    pub base: f64,
    pub head: f64,
    pub limit: Limit,
    pub verdict: Verdict,
}

impl Row {
    /// The change relative to the base (0.05 for +5%); `None` when the base
    /// is 0 and the head is not.
    pub fn relative_change(&self) -> Option<f64> {
        if self.base == self.head {
            Some(0.0)
        } else if self.base == 0.0 {
            None
        } else {
            Some((self.head - self.base) / self.base.abs())
        }
    }

    /// Whether this row fails the comparison.
    pub fn fails(&self, strict: bool) -> bool {
        self.verdict == Verdict::Regression || (strict && self.verdict != Verdict::Unchanged)
    }
}

/// One side of a scenario's comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Side {
    /// The report's path.
    pub path: String,
    /// The scenario file's path as recorded in the report.
    pub file: String,
    pub sha256: String,
    pub seed: u64,
    pub simbench_version: String,
}

/// Two runs of one scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioComparison {
    pub name: String,
    pub base: Side,
    pub head: Side,
    pub rows: Vec<Row>,
    /// Strategies (or `strategy/class`) in one run only.
    pub only_in_base: Vec<String>,
    pub only_in_head: Vec<String>,
    /// Differences that are not figures: scenario file, seed, version.
    pub notes: Vec<String>,
}

/// A whole comparison.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub scenarios: Vec<ScenarioComparison>,
    /// Scenarios with a report on one side only (`(name, path)`).
    pub only_in_base: Vec<(String, String)>,
    pub only_in_head: Vec<(String, String)>,
    /// `--strict`: any change, and anything on one side only, fails.
    pub strict: bool,
}

/// Counts of rows by verdict.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub regressions: usize,
    pub improvements: usize,
    pub worse: usize,
    pub changed: usize,
    pub unchanged: usize,
}

impl Tally {
    pub fn of<'r>(rows: impl IntoIterator<Item = &'r Row>) -> Tally {
        let mut t = Tally::default();
        for row in rows {
            match row.verdict {
                Verdict::Unchanged => t.unchanged += 1,
                Verdict::Improved => t.improvements += 1,
                Verdict::Worse => t.worse += 1,
                Verdict::Regression => t.regressions += 1,
                Verdict::Changed => t.changed += 1,
            }
        }
        t
    }

    pub fn total(&self) -> usize {
        self.regressions + self.improvements + self.worse + self.changed + self.unchanged
    }

    /// `2 regressions, 1 improvement, 3 worse within limits, 1 changed, 40 unchanged`
    /// (zero counts left out, except regressions and unchanged).
    pub fn describe(&self) -> String {
        let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut parts = vec![plural(self.regressions, "regression", "regressions")];
        if self.improvements > 0 {
            parts.push(plural(self.improvements, "improvement", "improvements"));
        }
        if self.worse > 0 {
            parts.push(format!("{} worse within limits", self.worse));
        }
        if self.changed > 0 {
            parts.push(format!("{} changed", self.changed));
        }
        parts.push(format!("{} unchanged", self.unchanged));
        parts.join(", ")
    }
}

impl ScenarioComparison {
    pub fn tally(&self) -> Tally {
        Tally::of(&self.rows)
    }

    /// Whether nothing differs but paths.
    pub fn is_unchanged(&self) -> bool {
        self.rows.iter().all(|r| r.verdict == Verdict::Unchanged)
            && self.only_in_base.is_empty()
            && self.only_in_head.is_empty()
    }
}

impl Comparison {
    pub fn tally(&self) -> Tally {
        Tally::of(self.scenarios.iter().flat_map(|s| &s.rows))
    }

    /// Whether nothing differs at all (paths aside).
    pub fn is_unchanged(&self) -> bool {
        self.scenarios.iter().all(ScenarioComparison::is_unchanged)
            && self.only_in_base.is_empty()
            && self.only_in_head.is_empty()
    }

    /// How many rows (and, when strict, one-sided items) fail.
    pub fn failures(&self) -> usize {
        let rows: usize = self.scenarios.iter().flat_map(|s| &s.rows).filter(|r| r.fails(self.strict)).count();
        if !self.strict {
            return rows;
        }
        let one_sided: usize = self.scenarios.iter().map(|s| s.only_in_base.len() + s.only_in_head.len()).sum();
        rows + one_sided + self.only_in_base.len() + self.only_in_head.len()
    }

    /// One line: `no change: …` or the counts.
    pub fn headline(&self) -> String {
        let tally = self.tally();
        let scenarios = match self.scenarios.len() {
            1 => "1 scenario".to_string(),
            n => format!("{n} scenarios"),
        };
        if self.is_unchanged() {
            return format!("no change; all {} figures of {scenarios} are identical", tally.total());
        }
        let mut line = format!("{} in {scenarios}", tally.describe());
        let one_sided = self.only_in_base.len() + self.only_in_head.len();
        if one_sided > 0 {
            line.push_str(&format!("; {one_sided} without a counterpart"));
        }
        line
    }
}

/// Compares matched reports. Scenarios are matched by name; when both
/// sides hold exactly one report, their names must agree.
pub fn compare(
    base: Vec<LoadedReport>,
    head: Vec<LoadedReport>,
    limits: &Limits,
    strict: bool,
) -> Result<Comparison, CompareError> {
    if let ([b], [h]) = (base.as_slice(), head.as_slice()) {
        if b.view.scenario.name != h.view.scenario.name {
            return Err(CompareError::DifferentScenarios {
                base: b.path.clone(),
                base_name: b.view.scenario.name.clone(),
                head: h.path.clone(),
                head_name: h.view.scenario.name.clone(),
            });
        }
    }
    let mut heads: BTreeMap<String, LoadedReport> =
        head.into_iter().map(|r| (r.view.scenario.name.clone(), r)).collect();
    let mut comparison =
        Comparison { scenarios: Vec::new(), only_in_base: Vec::new(), only_in_head: Vec::new(), strict };
    let mut bases: Vec<LoadedReport> = base;
    bases.sort_by(|a, b| a.view.scenario.name.cmp(&b.view.scenario.name));
    for b in bases {
        match heads.remove(&b.view.scenario.name) {
            Some(h) => comparison.scenarios.push(compare_scenario(&b, &h, limits)),
            None => comparison.only_in_base.push((b.view.scenario.name.clone(), b.path.clone())),
        }
    }
    comparison.only_in_head = heads.into_values().map(|h| (h.view.scenario.name, h.path)).collect();
    Ok(comparison)
}

fn side(report: &LoadedReport) -> Side {
    let v = &report.view;
    Side {
        path: report.path.clone(),
        file: v.scenario.file.clone(),
        sha256: v.scenario.sha256.clone(),
        seed: v.scenario.seed,
        simbench_version: v.simbench_version.clone(),
    }
}

fn compare_scenario(base: &LoadedReport, head: &LoadedReport, limits: &Limits) -> ScenarioComparison {
    let (b, h) = (&base.view, &head.view);
    let mut notes = Vec::new();
    if b.scenario.sha256 != h.scenario.sha256 {
        notes.push(format!(
            "the scenario file changed (sha256 {} → {})",
            short(&b.scenario.sha256),
            short(&h.scenario.sha256)
        ));
    }
    if b.scenario.seed != h.scenario.seed {
        notes.push(format!(
            "the seeds differ ({} → {}), so every random draw differs",
            b.scenario.seed, h.scenario.seed
        ));
    }
    if b.simbench_version != h.simbench_version {
        notes.push(format!("simbench {} → {}", b.simbench_version, h.simbench_version));
    }
    let multi_class = b.results.iter().chain(&h.results).any(|r| r.classes.len() > 1);
    let mut rows = Vec::new();
    let mut only_in_base = Vec::new();
    for rb in &b.results {
        let Some(rh) = h.results.iter().find(|r| r.strategy == rb.strategy) else {
            only_in_base.push(rb.strategy.clone());
            continue;
        };
        for metric in METRICS {
            if let (Some(vb), Some(vh)) = (figure(rb, None, metric), figure(rh, None, metric)) {
                rows.push(row(&rb.strategy, None, metric, vb, vh, limits));
            }
        }
        rows.extend(resource_rows(rb, rh, limits));
        if !multi_class {
            continue;
        }
        for cb in &rb.classes {
            let Some(ch) = rh.classes.iter().find(|c| c.class == cb.class) else {
                only_in_base.push(format!("{}/{}", rb.strategy, cb.class));
                continue;
            };
            for metric in METRICS.iter().filter(|m| m.per_class) {
                if let (Some(vb), Some(vh)) = (figure(rb, Some(cb), metric), figure(rh, Some(ch), metric)) {
                    rows.push(row(&rb.strategy, Some(&cb.class), metric, vb, vh, limits));
                }
            }
        }
    }
    let mut only_in_head = Vec::new();
    for rh in &h.results {
        match b.results.iter().find(|r| r.strategy == rh.strategy) {
            None => only_in_head.push(rh.strategy.clone()),
            Some(rb) if multi_class => {
                for ch in rh.classes.iter().filter(|c| !rb.classes.iter().any(|cb| cb.class == c.class)) {
                    only_in_head.push(format!("{}/{}", rh.strategy, ch.class));
                }
            }
            Some(_) => {}
        }
    }
    ScenarioComparison {
        name: b.scenario.name.clone(),
        base: side(base),
        head: side(head),
        rows,
        only_in_base,
        only_in_head,
        notes,
    }
}

/// The first 12 hex digits of a digest.
pub fn short(sha256: &str) -> &str {
    &sha256[..sha256.len().min(12)]
}

fn row(strategy: &str, class: Option<&str>, metric: &'static MetricDef, base: f64, head: f64, limits: &Limits) -> Row {
    let limit = limits.for_metric(metric);
    let verdict = judge(metric.better, &limit, base, head);
    Row {
        strategy: strategy.to_string(),
        class: class.map(str::to_string),
        resource: None,
        metric,
        base,
        head,
        limit,
        verdict,
    }
}

/// The service and link figures of one strategy in both runs, for the
/// services and links both runs have (matched by name).
fn resource_rows(base: &ResultView, head: &ResultView, limits: &Limits) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut push = |strategy: &str, resource: String, metric: &'static MetricDef, b: f64, h: f64| {
        let mut r = row(strategy, None, metric, b, h, limits);
        r.resource = Some(resource);
        rows.push(r);
    };
    for sb in &base.services {
        let Some(sh) = head.services.iter().find(|s| s.service == sb.service) else { continue };
        for metric in METRICS.iter().filter(|m| m.name.starts_with("service.")) {
            let (b, h) = (service_figure(sb, metric.name), service_figure(sh, metric.name));
            push(&base.strategy, format!("service {}", sb.service), metric, b, h);
        }
    }
    for lb in &base.links {
        let Some(lh) = head.links.iter().find(|l| l.link == lb.link) else { continue };
        for metric in METRICS.iter().filter(|m| m.name.starts_with("link.")) {
            let figure = |l: &LinkView| if metric.name == "link.busy" { l.busy_fraction } else { l.bytes as f64 };
            push(&base.strategy, format!("link {}", lb.link), metric, figure(lb), figure(lh));
        }
    }
    rows
}

fn service_figure(s: &ServiceView, name: &str) -> f64 {
    match name {
        "service.amplification" => s.load_amplification,
        "service.rejected" => s.rejected as f64,
        "service.failed" => s.failed as f64,
        "service.abandoned" => s.abandoned as f64,
        "service.wasted" => s.wasted as f64,
        "service.utilization" => s.utilization,
        "service.wait.p50" => s.queue_wait_s.p50,
        _ => s.queue_wait_s.p99,
    }
}

/// Compares within a relative tolerance far below any printed digit, so a
/// change of exactly the limit is within it.
const TOLERANCE: f64 = 1e-9;

fn judge(better: Better, limit: &Limit, base: f64, head: f64) -> Verdict {
    if base == head {
        return Verdict::Unchanged;
    }
    let worse = match better {
        Better::Neither => return Verdict::Changed,
        Better::Lower => head > base,
        Better::Higher => head < base,
    };
    if !worse {
        return Verdict::Improved;
    }
    let by = (head - base).abs();
    let past = match limit.allowance {
        Allowance::Off => false,
        Allowance::Relative(_) if base == 0.0 => true,
        Allowance::Relative(r) => by / base.abs() > r * (1.0 + TOLERANCE) + TOLERANCE * TOLERANCE,
        Allowance::Absolute(a) => by > a * (1.0 + TOLERANCE) + f64::EPSILON,
    };
    if past { Verdict::Regression } else { Verdict::Worse }
}

fn statistic(summary: &Summary, name: &str) -> f64 {
    match name {
        "mean" => summary.mean,
        "p50" => summary.p50,
        "p90" => summary.p90,
        "p99" => summary.p99,
        "p999" => summary.p999,
        _ => summary.max,
    }
}

/// The figure `metric` of a result, or of one of its classes.
fn figure(result: &ResultView, class: Option<&ClassView>, metric: &MetricDef) -> Option<f64> {
    let tasks = class.map_or(&result.tasks, |c| &c.tasks);
    let (group, stat) = metric.name.split_once('.').unwrap_or((metric.name, ""));
    Some(match group {
        "makespan" => result.makespan_s,
        "throughput" => class.map_or(result.throughput_per_s, |c| c.throughput_per_s),
        "latency" => statistic(class.map_or(&result.latency_s, |c| &c.latency_s), stat),
        "wait" => statistic(class.map_or(&result.wait_s, |c| &c.wait_s), stat),
        "loop_lag" => statistic(result.loop_lag_s.as_ref()?, stat),
        "tasks" => {
            let n = match stat {
                "arrived" => tasks.arrived,
                "completed" => tasks.completed,
                "failed" => tasks.failed,
                "timed_out" => tasks.timed_out,
                _ => tasks.cancelled,
            };
            n as f64
        }
        "cpu" => result.cpu_utilization,
        "peak_in_flight" => result.peak_in_flight as f64,
        "peak_threads" => result.peak_threads as f64,
        "peak_coroutines" => result.peak_coroutines as f64,
        "memory" => result.modelled_memory_bytes as f64,
        "events" => result.events as f64,
        // Per resource: see `resource_rows`.
        _ => return None,
    })
}

/// A figure in its unit, for tables.
/// The table of changed figures both the text and Markdown forms show;
/// `cell` prepares a scope or metric name for the format, `verdict` names a
/// verdict.
pub(super) fn changes_table(
    rows: &[&Row],
    cell: impl Fn(&str) -> String,
    metric: impl Fn(&str) -> String,
    verdict: impl Fn(Verdict) -> String,
) -> super::table::Table {
    use super::table::{Align, Table};
    let mut table = Table::new(&[
        ("strategy", Align::Left),
        ("metric", Align::Left),
        ("base", Align::Right),
        ("head", Align::Right),
        ("change", Align::Right),
        ("limit", Align::Right),
        ("verdict", Align::Left),
    ]);
    for row in rows {
        table.row(vec![
            cell(&scope(row)),
            metric(row.metric.name),
            format_figure(row.metric.unit, row.base),
            format_figure(row.metric.unit, row.head),
            format_change(row),
            row.limit.text.clone(),
            verdict(row.verdict),
        ]);
    }
    table
}

pub fn format_figure(unit: Unit, value: f64) -> String {
    super::format_value(unit, value)
}

/// The change as shown: `+12.3%`, `-3.00%`, or the amount when the base is
/// 0 (`+3`, `+1.50s`).
pub fn format_change(row: &Row) -> String {
    match row.relative_change() {
        Some(0.0) => "0".into(),
        Some(r) => format!("{}{}%", if r > 0.0 { "+" } else { "-" }, crate::time::three_significant(r.abs() * 100.0)),
        None => {
            let delta = row.head - row.base;
            let sign = if delta > 0.0 { "+" } else { "-" };
            format!("{sign}{}", format_figure(row.metric.unit, delta.abs()))
        }
    }
}

/// Where a row applies: `cooperative` or `cooperative/page`.
pub fn scope(row: &Row) -> String {
    match (&row.class, &row.resource) {
        (Some(class), _) => format!("{}/{class}", row.strategy),
        (None, Some(resource)) => format!("{} {resource}", row.strategy),
        (None, None) => row.strategy.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(text: &str, allowance: Allowance) -> Limit {
        Limit { allowance, text: text.into() }
    }

    #[test]
    fn verdicts_follow_direction_and_limit() {
        let zero = limit("+0%", Allowance::Relative(0.0));
        assert_eq!(judge(Better::Lower, &zero, 1.0, 1.0), Verdict::Unchanged);
        assert_eq!(judge(Better::Lower, &zero, 1.0, 0.9), Verdict::Improved);
        assert_eq!(judge(Better::Lower, &zero, 1.0, 1.0001), Verdict::Regression);
        assert_eq!(judge(Better::Higher, &zero, 100.0, 99.0), Verdict::Regression);
        assert_eq!(judge(Better::Higher, &zero, 100.0, 101.0), Verdict::Improved);
        assert_eq!(judge(Better::Neither, &zero, 1.0, 2.0), Verdict::Changed);
        let five = limit("+5%", Allowance::Relative(0.05));
        assert_eq!(judge(Better::Lower, &five, 0.3, 0.315), Verdict::Worse, "exactly the limit is within it");
        assert_eq!(judge(Better::Lower, &five, 0.3, 0.316), Verdict::Regression);
        assert_eq!(judge(Better::Lower, &five, 0.0, 0.001), Verdict::Regression, "from zero, any rise is past a %");
        let ten_ms = limit("+10ms", Allowance::Absolute(0.01));
        assert_eq!(judge(Better::Lower, &ten_ms, 0.0, 0.01), Verdict::Worse);
        assert_eq!(judge(Better::Lower, &ten_ms, 0.0, 0.011), Verdict::Regression);
        assert_eq!(judge(Better::Lower, &limit("off", Allowance::Off), 1.0, 9.0), Verdict::Worse);
    }

    #[test]
    fn tallies_read_as_a_sentence() {
        let t = Tally { regressions: 2, improvements: 1, worse: 0, changed: 3, unchanged: 40 };
        assert_eq!(t.describe(), "2 regressions, 1 improvement, 3 changed, 40 unchanged");
        assert_eq!(Tally { unchanged: 1, ..Tally::default() }.describe(), "0 regressions, 1 unchanged");
    }

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
