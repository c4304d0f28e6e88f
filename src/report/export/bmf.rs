//! bmf.json: the Bencher Metric Format, for `bencher run --adapter json`
//! (<https://bencher.dev/docs/reference/bencher-metric-format>).
//!
//! One JSON object keyed by benchmark name ([`tracked`]:
//! `SCENARIO/STRATEGY`, and `SCENARIO/STRATEGY/CLASS` when the scenario has
//! several classes), each an object keyed by measure slug, each measure
//! `{"value": …}`, and with replications also `lower_value` and
//! `upper_value`, the ends of the 95% confidence interval of the mean:
//!
//! ```json
//! { "api-server/cooperative": { "latency": { "value": 34716800.0 }, "latency-p99": { "value": 154900000.0 } } }
//! ```
//!
//! Durations are in **nanoseconds**, the unit of Bencher's built-in
//! `latency` measure (the mean latency); `throughput` (Bencher's built-in
//! measure, operations per second) is completed tasks per second;
//! `memory` is bytes. Keys keep the report's order, so the bytes depend on
//! the results only.

use super::tracked::{self, Measured, nanoseconds};
use super::{ExportError, ExportFile, Exporter, Input};
use crate::report::Report;
use crate::scenario::Unit;
use serde_json::{Map, Value};

/// bmf.json: every benchmark's tracked figures, as Bencher reads them.
pub struct BmfExporter;

impl Exporter for BmfExporter {
    fn serialize(&self, input: &Input<'_>) -> Result<Vec<ExportFile>, ExportError> {
        Ok(vec![ExportFile::new("bmf.json", render(input.report))])
    }
}

/// The text of bmf.json: pretty-printed, with a trailing newline.
pub fn render(report: &Report) -> String {
    let mut root = Map::new();
    for benchmark in tracked::benchmarks(report) {
        let measures = benchmark.figures.iter().map(|m| (m.figure.slug().to_string(), metric(m))).collect();
        root.insert(benchmark.name, Value::Object(measures));
    }
    let mut text = serde_json::to_string_pretty(&Value::Object(root)).expect("a JSON value serializes");
    text.push('\n');
    text
}

/// One measure's metric: `value`, and with replications its bounds.
fn metric(m: &Measured) -> Value {
    let scale = |x: f64| match m.figure.unit() {
        Unit::Seconds => nanoseconds(x),
        _ => x,
    };
    let mut metric = Map::new();
    metric.insert("value".into(), scale(m.value).into());
    if let Some((lower, upper)) = m.bounds() {
        metric.insert("lower_value".into(), scale(lower).into());
        metric.insert("upper_value".into(), scale(upper).into());
    }
    Value::Object(metric)
}
