//! Percentiles through the real binary: with few tasks they are exact,
//! numpy's default (linear interpolation between order statistics, docs/report.md),
//! in report.json, report.md, the CSV tables and the percentile chart's
//! spectrum alike.

use crate::common::{path, result, run_report, tempdir};

/// Ten tasks arriving together on one worker, each holding it for 1 s:
/// latencies 1 s, 2 s, …, 10 s.
const TEN_TASKS: &str = r#"{
  "name": "ten-tasks",
  "seed": 1,
  "classes": {
    "job": {
      "arrivals": { "batch": { "count": 10 } },
      "program": [{ "io": "1s" }]
    }
  },
  "strategies": ["blocking"]
}"#;

/// numpy's `percentile(x, 100 q)` of 1 s … 10 s: h = 9 q, so 1 + 9 q seconds.
fn linear(q: f64) -> f64 {
    simbench::metrics::round_significant(1.0 + 9.0 * q, 4)
}

fn run_ten_tasks(out: &std::path::Path, extra: &[&str]) -> serde_json::Value {
    let file = out.join("ten-tasks.json");
    std::fs::write(&file, TEN_TASKS).unwrap();
    serde_json::from_str(&run_report(path(&file), out, extra)).unwrap()
}

#[test]
fn a_ten_task_report_gives_the_interpolated_p99() {
    let dir = tempdir("ten-tasks");
    let report = run_ten_tasks(dir.path(), &["--no-charts"]);
    let latency = &result(&report, "blocking")["latency_s"];
    // HdrHistogram's nearest rank would give 10 s (⌈0.99 · 10⌉ = the 10th).
    assert_eq!(latency["p99"].as_f64(), Some(linear(0.99)));
    assert_eq!(linear(0.99), 9.91);
    assert_eq!(latency["p50"].as_f64(), Some(linear(0.5)));
    assert_eq!(latency["p90"].as_f64(), Some(linear(0.9)));
    assert_eq!(latency["p999"].as_f64(), Some(linear(0.999)));
    let markdown = std::fs::read_to_string(dir.path().join("ten-tasks/report.md")).unwrap();
    assert!(markdown.contains("9.91s"), "report.md shows p99 9.91s:\n{markdown}");
}

#[test]
fn a_ten_task_report_carries_its_exact_spectrum() {
    let dir = tempdir("ten-tasks-spectrum");
    let report = run_ten_tasks(dir.path(), &["--no-charts"]);
    let spectrum: Vec<f64> = result(&report, "blocking")["latency_spectrum_s"]
        .as_array()
        .expect("latency_spectrum_s with 10 tasks")
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let xs = simbench::metrics::spectrum_xs();
    assert_eq!(spectrum.len(), xs.len());
    for (x, value) in xs.into_iter().zip(spectrum) {
        assert_eq!(value, linear(simbench::metrics::spectrum_quantile(x)), "at x = {x}");
    }
}

#[test]
fn a_ten_task_csv_export_gives_the_interpolated_p99() {
    let dir = tempdir("ten-tasks-csv");
    run_ten_tasks(dir.path(), &["--no-charts", "--export", "csv"]);
    let csv = std::fs::read_to_string(dir.path().join("ten-tasks/summary.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    let column = header.iter().position(|h| *h == "latency_p99_s").expect("a latency_p99_s column");
    assert_eq!(row[column], "9.91");
}
