//! The JSON of github-action-benchmark's custom tools
//! (<https://github.com/benchmark-action/github-action-benchmark>): an
//! array of `{name, unit, value, range?, extra}` objects, in two files,
//! since the action reads one direction per file:
//!
//! - benchmark-action-smaller.json, for `tool: customSmallerIsBetter`:
//!   latency (mean, p50, p90, p99, p999, max) and makespan in seconds, and
//!   modelled memory in bytes;
//! - benchmark-action-bigger.json, for `tool: customBiggerIsBetter`:
//!   throughput in tasks per second.
//!
//! `name` is `BENCHMARK - FIGURE`, the benchmark named as
//! [`tracked`] names it (`api-server/cooperative - latency
//! p99`, `shop/threaded/checkout - latency p99`): stable across runs, so the
//! action keeps each chart's history. With replications `value` is the mean
//! and `range` is `± HALF_WIDTH` (95% confidence); `extra`, shown in the
//! chart's tooltip, says the seed and the replications.

use super::tracked::{self, Measured};
use super::{ExportError, ExportFile, Exporter, Input};
use crate::report::Report;
use crate::report::compare::limits::Better;
use crate::scenario::Unit;
use serde::Serialize;

/// The two files of github-action-benchmark's custom JSON.
pub struct BenchmarkActionExporter;

/// The smaller-is-better file's name.
pub const SMALLER: &str = "benchmark-action-smaller.json";
/// The bigger-is-better file's name.
pub const BIGGER: &str = "benchmark-action-bigger.json";

impl Exporter for BenchmarkActionExporter {
    fn serialize(&self, input: &Input<'_>) -> Result<Vec<ExportFile>, ExportError> {
        Ok(vec![
            ExportFile::new(SMALLER, render(input.report, Better::Lower)),
            ExportFile::new(BIGGER, render(input.report, Better::Higher)),
        ])
    }
}

/// One entry of the array.
#[derive(Debug, Serialize)]
struct Entry {
    name: String,
    unit: &'static str,
    value: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    range: Option<String>,
    extra: String,
}

/// The entries of every figure that gets better in direction `better`,
/// benchmark by benchmark: pretty-printed, with a trailing newline.
pub fn render(report: &Report, better: Better) -> String {
    let extra = match &report.replications {
        Some(r) => format!("seed {}; mean of {} replications, range: 95% confidence", report.scenario.seed, r.count),
        None => format!("seed {}", report.scenario.seed),
    };
    let entries: Vec<Entry> = tracked::benchmarks(report)
        .iter()
        .flat_map(|b| b.figures.iter().filter(|m| m.figure.better() == better).map(|m| entry(&b.name, m, &extra)))
        .collect();
    let mut text = serde_json::to_string_pretty(&entries).expect("entries serialize");
    text.push('\n');
    text
}

fn entry(benchmark: &str, m: &Measured, extra: &str) -> Entry {
    let unit = match m.figure.unit() {
        Unit::Seconds => "s",
        Unit::PerSecond => "tasks/s",
        Unit::Bytes => "bytes",
        Unit::Fraction => "fraction",
        Unit::Tasks => "tasks",
    };
    Entry {
        name: format!("{benchmark} - {}", m.figure.label()),
        unit,
        value: m.value,
        range: m.half_width.map(|h| format!("± {h}")),
        extra: extra.to_string(),
    }
}
