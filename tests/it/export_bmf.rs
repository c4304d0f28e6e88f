//! `--export bmf`: bmf.json has the Bencher Metric Format's shape (the
//! JSON schema at https://bencher.dev/bmf.json: an object of benchmarks,
//! each an object of measures, each `{value, lower_value?, upper_value?}`
//! of numbers), stable benchmark names, and report.json's figures in
//! Bencher's units.

use crate::common::{path, result, simbench, stderr, tempdir};
use serde_json::Value;
use std::path::Path;

/// Runs `simbench run FILE --export bmf` plus `extra` into `out`; returns
/// (report.json, bmf.json) parsed.
fn export(file: &str, out: &Path, name: &str, extra: &[&str]) -> (Value, Value) {
    let mut args = vec!["run", file, "--out", path(out), "--quiet", "--no-charts", "--export", "bmf"];
    args.extend_from_slice(extra);
    let output = simbench(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    let read = |f: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(out.join(name).join(f)).unwrap()).expect("valid JSON")
    };
    (read("report.json"), read("bmf.json"))
}

/// Checks `bmf` against the BMF schema: an object whose every value is an
/// object whose every value is an object with a number `value` and
/// optionally numbers `lower_value` and `upper_value`, nothing else.
fn assert_bmf_shape(bmf: &Value) {
    let benchmarks = bmf.as_object().expect("the top level is an object");
    assert!(!benchmarks.is_empty());
    for (name, measures) in benchmarks {
        assert!(!name.is_empty() && name.len() <= 1024, "a benchmark name Bencher accepts: {name:?}");
        let measures = measures.as_object().unwrap_or_else(|| panic!("{name}: measures are an object"));
        assert!(!measures.is_empty(), "{name}: at least one measure");
        for (slug, metric) in measures {
            assert!(slug.len() <= 64, "{slug}: a measure slug is at most 64 characters");
            assert!(
                slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{slug}: a kebab-case slug"
            );
            let metric = metric.as_object().unwrap_or_else(|| panic!("{name}/{slug}: a metric is an object"));
            assert!(metric["value"].is_number(), "{name}/{slug}: value is a number");
            for (key, v) in metric {
                assert!(["value", "lower_value", "upper_value"].contains(&key.as_str()), "{name}/{slug}: {key}");
                assert!(v.is_number(), "{name}/{slug}: {key} is a number");
            }
            assert_eq!(metric.contains_key("lower_value"), metric.contains_key("upper_value"), "{name}/{slug}");
        }
    }
}

const STRATEGY_MEASURES: [&str; 9] = [
    "latency",
    "latency-p50",
    "latency-p90",
    "latency-p99",
    "latency-p999",
    "latency-max",
    "makespan",
    "throughput",
    "memory",
];

#[test]
fn bmf_has_a_benchmark_per_strategy_with_report_figures_in_nanoseconds() {
    let dir = tempdir("bmf");
    let (report, bmf) = export("scenarios/scraper.json", dir.path(), "scraper", &[]);
    assert_bmf_shape(&bmf);
    let names: Vec<&String> = bmf.as_object().unwrap().keys().collect();
    let strategies: Vec<String> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("scraper/{}", r["strategy"].as_str().unwrap()))
        .collect();
    assert_eq!(names, strategies.iter().collect::<Vec<_>>(), "SCENARIO/STRATEGY, in the report's order");
    for name in &strategies {
        let strategy = name.strip_prefix("scraper/").unwrap();
        let r = result(&report, strategy);
        let measures = bmf[name].as_object().unwrap();
        assert_eq!(measures.keys().collect::<Vec<_>>(), STRATEGY_MEASURES.iter().collect::<Vec<_>>());
        let ns = |seconds: &Value| seconds.as_f64().unwrap() * 1e9;
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
        assert!(close(bmf[name]["latency"]["value"].as_f64().unwrap(), ns(&r["latency_s"]["mean"])));
        assert!(close(bmf[name]["latency-p99"]["value"].as_f64().unwrap(), ns(&r["latency_s"]["p99"])));
        assert!(close(bmf[name]["makespan"]["value"].as_f64().unwrap(), ns(&r["makespan_s"])));
        assert_eq!(bmf[name]["throughput"]["value"], r["throughput_per_s"]);
        assert_eq!(bmf[name]["memory"]["value"].as_f64(), r["modelled_memory_bytes"].as_f64());
        assert!(measures.values().all(|m| m.get("lower_value").is_none()), "no bounds without replications");
    }
}

#[test]
fn bmf_names_classes_when_there_are_several_and_keeps_names_across_seeds() {
    let dir = tempdir("bmf-classes");
    let file = dir.path().join("two.json");
    std::fs::write(
        &file,
        r#"{"name": "two", "classes": {
            "a": {"arrivals": {"poisson": {"rate": 20, "count": 40}}, "program": [{"io": {"exponential": {"mean": "50ms"}}}]},
            "b": {"arrivals": {"poisson": {"rate": 10, "count": 20}}, "program": [{"io": "100ms"}]}},
          "strategies": ["blocking", "cooperative"]}"#,
    )
    .unwrap();
    let (_, one) = export(path(&file), &dir.path().join("one"), "two", &["--seed", "1"]);
    let (_, other) = export(path(&file), &dir.path().join("other"), "two", &["--seed", "2"]);
    assert_bmf_shape(&one);
    let names = |bmf: &Value| bmf.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(&one),
        [
            "two/blocking",
            "two/blocking/a",
            "two/blocking/b",
            "two/cooperative",
            "two/cooperative/a",
            "two/cooperative/b"
        ]
    );
    assert_eq!(names(&one), names(&other), "a benchmark's name does not depend on the seed");
    assert_ne!(one, other, "the figures do");
    let class: Vec<&String> = one["two/cooperative/a"].as_object().unwrap().keys().collect();
    assert_eq!(
        class,
        ["latency", "latency-p50", "latency-p90", "latency-p99", "latency-p999", "latency-max", "throughput"],
        "a class has no makespan or memory of its own"
    );
}

#[test]
fn bmf_of_replications_bounds_each_mean_by_its_confidence_interval() {
    let dir = tempdir("bmf-replications");
    let (report, bmf) = export("scenarios/scraper.json", dir.path(), "scraper", &["--replications", "3"]);
    assert_bmf_shape(&bmf);
    let r = result(&report, "cooperative");
    let metric = &bmf["scraper/cooperative"]["latency-p99"];
    let interval = &r["intervals"]["latency_s"]["p99"];
    let (mean, half) = (interval["mean"].as_f64().unwrap(), interval["half_width"].as_f64().unwrap());
    let close = |a: &Value, b: f64| (a.as_f64().unwrap() - b * 1e9).abs() <= 1e-6 * (b * 1e9).abs().max(1.0);
    assert!(close(&metric["value"], mean), "the value is the replications' mean");
    assert!(close(&metric["lower_value"], mean - half));
    assert!(close(&metric["upper_value"], mean + half));
    for measures in bmf.as_object().unwrap().values() {
        for (slug, m) in measures.as_object().unwrap() {
            let (lo, v, hi) =
                (m["lower_value"].as_f64().unwrap(), m["value"].as_f64().unwrap(), m["upper_value"].as_f64().unwrap());
            assert!(lo <= v && v <= hi, "{slug}: {lo} <= {v} <= {hi}");
        }
    }
}
