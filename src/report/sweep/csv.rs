//! sweep.csv: one row per point and strategy, for spreadsheets. The swept
//! fields first (one column each, named by their paths), then every summary
//! figure of report.json in its units, Little's law and the SLO verdict.
//! RFC 4180 as summary.csv, by the same writer
//! ([`write_records`]): comma-separated, CRLF, quoted when needed.

use super::SweepFile;
use crate::report::export::csv::write_records;
use serde_json::Value;

/// The figure columns, as paths into a strategy's figures.
const FIGURES: &[&str] = &[
    "tasks.arrived",
    "tasks.completed",
    "tasks.failed",
    "tasks.timed_out",
    "tasks.cancelled",
    "tasks.rejected",
    "makespan_s",
    "throughput_per_s",
    "latency_s.mean",
    "latency_s.p50",
    "latency_s.p90",
    "latency_s.p99",
    "latency_s.p999",
    "latency_s.max",
    "wait_s.mean",
    "wait_s.p50",
    "wait_s.p90",
    "wait_s.p99",
    "wait_s.p999",
    "wait_s.max",
    "loop_lag_s.p99",
    "cpu_utilization",
    "mean_in_flight",
    "queued_fraction",
    "rejected_fraction",
    "peak_in_flight",
    "peak_threads",
    "peak_coroutines",
    "modelled_memory_bytes",
    "events",
];

/// The CSV text of a sweep's points.
pub fn render(file: &SweepFile) -> Result<String, ::csv::Error> {
    let parameters: Vec<String> = match file.header_value("parameters") {
        Value::Array(ps) => ps.iter().filter_map(|p| p["path"].as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    };
    let mut header: Vec<String> = vec!["point".into()];
    header.extend(parameters.iter().cloned());
    header.extend(["strategy", "kind"].map(String::from));
    header.extend(FIGURES.iter().map(|f| f.replace('.', "_")));
    header.extend(["little_l", "little_lambda_w", "meets_slos"].map(String::from));
    let mut records = vec![header];
    for point in file.point_values() {
        let Some(results) = point["results"].as_array() else { continue };
        for r in results {
            let mut fields = vec![text(&point["index"])];
            fields.extend(parameters.iter().map(|p| text(&point["set"][p])));
            fields.push(text(&r["figures"]["strategy"]));
            fields.push(text(&r["figures"]["kind"]));
            for f in FIGURES {
                let v = f.split('.').fold(&r["figures"], |v, k| &v[k]);
                fields.push(text(v));
            }
            fields.push(text(&r["little"]["l"]));
            fields.push(text(&r["little"]["lambda_w"]));
            fields.push(text(&r["meets_slos"]));
            records.push(fields);
        }
    }
    write_records(records)
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
