//! Reports: read-only consumers of measured results.
//!
//! [`Report`] is the `simbench.report/v1` document: a header naming the
//! scenario and the results of every strategy. One module per output format
//! reads it: [`json`] (the stable contract), [`markdown`] (report.md),
//! [`terminal`] (the summary table and SLO lines `run` prints), [`trace`]
//! (`--trace` timelines), [`charts`] (SVG and PNG charts, which also read
//! the metrics stage's timelines), [`html`] (report.html, tables and charts
//! in one file), and the exports for CI tools: [`junit`] (JUnit XML),
//! [`hgrm`] (HdrHistogram percentile distribution), [`hlog`] (HdrHistogram
//! interval log), [`csv`] (summary.csv, classes.csv and one table per
//! resource kind), and for continuous-benchmarking
//! dashboards [`bmf`] (Bencher) and [`benchmark_action`]
//! (github-action-benchmark). [`compare`] reads two runs'
//! report.json files and judges every figure against its limit. [`files`]
//! writes outputs atomically.
//!
//! Invariant: formatting never changes a figure, and output order is the
//! order of the scenario (strategies, classes), so the same results always
//! give the same bytes.

pub mod charts;
pub mod compare;
pub mod export;
pub mod files;
pub mod histogram;
pub mod html;
pub mod json;
pub mod markdown;
pub mod queues;
pub mod resources;
pub mod sweep;
mod table;
pub mod terminal;
pub mod trace;
pub mod validation;

pub use export::{benchmark_action, bmf, csv, hgrm, hlog, junit};

use crate::engine::replication_seed;
use crate::metrics::StrategyResult;
use crate::metrics::slo::SloOutcome;
use crate::metrics::stats::{CONFIDENCE, Interval};
use crate::scenario::Unit;
use crate::time::{format_seconds, three_significant};
use serde::Serialize;

/// The report format's schema identifier.
pub const SCHEMA: &str = "simbench.report/v1";

/// What was simulated.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScenarioInfo {
    pub name: String,
    pub description: String,
    /// The scenario file's path as given on the command line.
    pub file: String,
    /// SHA-256 of the file's bytes, lowercase hex.
    pub sha256: String,
    pub seed: u64,
    /// The runtime profile, when the scenario (or `--runtime`) names one
    /// other than `ideal` (docs/report.md; absent keeps older reports' bytes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime: Option<RuntimeInfo>,
}

/// A runtime profile as a report names it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuntimeInfo {
    /// `cpython`, a profile file's path, with ` + overrides` when the
    /// scenario overrides constants.
    pub name: String,
    /// Each constant, keyed by its name and unit (`task_create_ns`,
    /// `memory_per_thread_bytes`), in alphabetical order.
    pub constants: std::collections::BTreeMap<String, u64>,
}

impl RuntimeInfo {
    /// What a report says of `runtime`; `None` for the plain ideal profile.
    pub fn of(runtime: &crate::scenario::Runtime) -> Option<RuntimeInfo> {
        use crate::scenario::runtime::{CONSTANTS, Unit};
        if runtime.name == "ideal" {
            return None;
        }
        let constants = CONSTANTS
            .iter()
            .zip(runtime.values)
            .map(|(c, v)| {
                let unit = match c.unit {
                    Unit::Duration => "ns",
                    Unit::Bytes => "bytes",
                };
                (format!("{}_{unit}", c.name), v)
            })
            .collect();
        Some(RuntimeInfo { name: runtime.name.clone(), constants })
    }
}

impl ScenarioInfo {
    /// What a report says of `scenario`, read from `file` whose bytes hash
    /// to `sha256` (the seed is the scenario's, after any `--seed`).
    pub fn of(scenario: &crate::scenario::Scenario, file: impl Into<String>, sha256: impl Into<String>) -> Self {
        ScenarioInfo {
            name: scenario.name.clone(),
            description: scenario.description.clone(),
            file: file.into(),
            sha256: sha256.into(),
            seed: scenario.seed,
            runtime: RuntimeInfo::of(&scenario.runtime),
        }
    }
}

/// A whole run's report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub schema: &'static str,
    pub simbench_version: &'static str,
    pub scenario: ScenarioInfo,
    /// Present when the figures were replicated (`--replications R`, R ≥ 2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replications: Option<Replications>,
    pub results: Vec<StrategyResult>,
    /// Every SLO checked against every strategy it applies to (empty when
    /// the scenario has none).
    pub slos: Vec<SloOutcome>,
}

impl Report {
    pub fn new(scenario: ScenarioInfo, results: Vec<StrategyResult>) -> Self {
        Report {
            schema: SCHEMA,
            simbench_version: env!("CARGO_PKG_VERSION"),
            scenario,
            replications: None,
            results,
            slos: Vec::new(),
        }
    }

    /// The report with these SLO verdicts.
    pub fn with_slos(mut self, slos: Vec<SloOutcome>) -> Self {
        self.slos = slos;
        self
    }

    /// How many SLO checks failed.
    pub fn failed_slos(&self) -> usize {
        self.slos.iter().filter(|s| !s.passed).count()
    }
}

/// How a report's intervals were made.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Replications {
    /// R, the number of independent replications.
    pub count: u32,
    /// The intervals' confidence level (0.95).
    pub confidence: f64,
    /// Each replication's seed; the first is the scenario's.
    pub seeds: Vec<u64>,
}

impl Replications {
    /// `count` replications of a run seeded `seed`.
    pub fn new(seed: u64, count: u32) -> Self {
        Replications { count, confidence: CONFIDENCE, seeds: (0..count).map(|r| replication_seed(seed, r)).collect() }
    }
}

/// A figure, or with replications its mean ± 95% half-width:
/// `1.25s ± 0.03s`.
pub fn with_interval(value: f64, interval: Option<&Interval>, format: impl Fn(f64) -> String) -> String {
    match interval {
        Some(i) => format!("{} ± {}", format(i.mean), format(i.half_width)),
        None => format(value),
    }
}

/// A figure in its unit's human form: `250ms`, `45.3/s`, `1.20%`, `12`,
/// `16.5 KiB`.
pub fn format_value(unit: Unit, value: f64) -> String {
    match unit {
        Unit::Seconds => format_seconds(value),
        Unit::PerSecond => format_rate(value),
        Unit::Fraction => format_percent(value),
        Unit::Tasks => format!("{value}"),
        Unit::Bytes => format_bytes(value.max(0.0) as u64),
    }
}

/// The unit named in report.json (`s`, `per_s`, …), if it is one.
pub fn unit_named(name: &str) -> Option<Unit> {
    [Unit::Seconds, Unit::PerSecond, Unit::Fraction, Unit::Tasks, Unit::Bytes].into_iter().find(|u| u.name() == name)
}

/// A fraction as a percentage, three significant digits: `1.20%`, `45.0%`, `0%`.
pub fn format_percent(fraction: f64) -> String {
    format!("{}%", three_significant(fraction * 100.0))
}

/// A throughput in human units, three significant digits: `0.200/s`,
/// `45.3/s`, `1.25k/s`.
pub fn format_rate(per_s: f64) -> String {
    if per_s >= 1e6 {
        format!("{}M/s", three_significant(per_s / 1e6))
    } else if per_s >= 1e3 {
        format!("{}k/s", three_significant(per_s / 1e3))
    } else {
        format!("{}/s", three_significant(per_s))
    }
}

pub use crate::scenario::format_bytes;

/// Whether `name` is a file `simbench run` writes into a report directory
/// (reports, charts, exports): what replacing a report may remove when the
/// new run did not write it again (see [`files::Staging`]).
pub fn is_run_output(name: &str) -> bool {
    let chart = |ext: &str| charts::Chart::ALL.iter().any(|c| name == format!("{}.{ext}", c.file_stem()));
    matches!(
        name,
        "report.json"
            | "report.md"
            | "report.html"
            | "junit.xml"
            | "latency.hlog"
            | "bmf.json"
            | export::benchmark_action::SMALLER
            | export::benchmark_action::BIGGER
    ) || name.ends_with(".hgrm")
        || chart("svg")
        || chart("png")
}
