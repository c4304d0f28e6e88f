//! `--export benchmark-action`: github-action-benchmark's custom JSON, an
//! array of `{name, unit, value, range?, extra?}` (name and unit strings,
//! value a number, range and extra strings), one file per direction:
//! benchmark-action-smaller.json (`customSmallerIsBetter`: latency,
//! makespan, memory) and benchmark-action-bigger.json
//! (`customBiggerIsBetter`: throughput).

use crate::common::{path, result, simbench, stderr, tempdir};
use serde_json::Value;
use std::path::Path;

/// Runs `simbench run FILE --export benchmark-action` plus `extra`; returns
/// (report.json, the smaller file, the bigger file) parsed.
fn export(file: &str, out: &Path, name: &str, extra: &[&str]) -> (Value, Value, Value) {
    let mut args = vec!["run", file, "--out", path(out), "--quiet", "--no-charts", "--export", "benchmark-action"];
    args.extend_from_slice(extra);
    let output = simbench(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    let read = |f: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(out.join(name).join(f)).unwrap()).expect("valid JSON")
    };
    (read("report.json"), read("benchmark-action-smaller.json"), read("benchmark-action-bigger.json"))
}

/// Checks the action's custom-tool shape: an array of objects with a
/// string `name`, a string `unit`, a number `value`, optionally a string
/// `range` and a string `extra`, nothing else; names unique.
fn assert_action_shape(entries: &Value) -> Vec<(String, String, f64, Option<String>)> {
    let entries = entries.as_array().expect("the top level is an array");
    assert!(!entries.is_empty());
    let mut seen = std::collections::BTreeSet::new();
    entries
        .iter()
        .map(|e| {
            let e = e.as_object().expect("each entry is an object");
            for key in e.keys() {
                assert!(["name", "unit", "value", "range", "extra"].contains(&key.as_str()), "unexpected key {key}");
            }
            let name = e["name"].as_str().expect("name is a string").to_string();
            assert!(seen.insert(name.clone()), "{name} appears once");
            let unit = e["unit"].as_str().expect("unit is a string").to_string();
            let value = e["value"].as_f64().expect("value is a number");
            let range = e.get("range").map(|r| r.as_str().expect("range is a string").to_string());
            if let Some(extra) = e.get("extra") {
                assert!(extra.is_string(), "extra is a string");
            }
            (name, unit, value, range)
        })
        .collect()
}

#[test]
fn smaller_holds_latency_makespan_and_memory_and_bigger_throughput() {
    let dir = tempdir("benchmark-action");
    let (report, smaller, bigger) = export("scenarios/scraper.json", dir.path(), "scraper", &[]);
    let smaller = assert_action_shape(&smaller);
    let bigger = assert_action_shape(&bigger);
    let results = report["results"].as_array().unwrap();
    assert_eq!(smaller.len(), results.len() * 8, "6 latency figures, makespan and memory per strategy");
    assert_eq!(bigger.len(), results.len(), "throughput per strategy");
    for r in results {
        let strategy = r["strategy"].as_str().unwrap();
        let find = |entries: &[(String, String, f64, Option<String>)], figure: &str| {
            let name = format!("scraper/{strategy} - {figure}");
            entries.iter().find(|e| e.0 == name).unwrap_or_else(|| panic!("no {name}")).clone()
        };
        let p99 = find(&smaller, "latency p99");
        assert_eq!((p99.1.as_str(), p99.2), ("s", r["latency_s"]["p99"].as_f64().unwrap()));
        assert_eq!(p99.3, None, "no range without replications");
        let makespan = find(&smaller, "makespan");
        assert_eq!((makespan.1.as_str(), makespan.2), ("s", r["makespan_s"].as_f64().unwrap()));
        let memory = find(&smaller, "memory");
        assert_eq!((memory.1.as_str(), memory.2), ("bytes", r["modelled_memory_bytes"].as_f64().unwrap()));
        let throughput = find(&bigger, "throughput");
        assert_eq!((throughput.1.as_str(), throughput.2), ("tasks/s", r["throughput_per_s"].as_f64().unwrap()));
    }
    assert!(smaller.iter().all(|e| !e.0.ends_with(" - throughput")), "throughput is not smaller-is-better");
}

#[test]
fn replications_give_a_range_and_names_stay_across_seeds() {
    let dir = tempdir("benchmark-action-replications");
    let (report, smaller, _) =
        export("scenarios/scraper.json", &dir.path().join("a"), "scraper", &["--replications", "3"]);
    let (_, other, _) =
        export("scenarios/scraper.json", &dir.path().join("b"), "scraper", &["--replications", "3", "--seed", "9"]);
    let entries = assert_action_shape(&smaller);
    let names = |v: &Value| assert_action_shape(v).into_iter().map(|e| e.0).collect::<Vec<_>>();
    assert_eq!(names(&smaller), names(&other), "names do not depend on the seed");
    let interval = &result(&report, "cooperative")["intervals"]["latency_s"]["p99"];
    let p99 = entries.iter().find(|e| e.0 == "scraper/cooperative - latency p99").unwrap();
    assert_eq!(p99.2, interval["mean"].as_f64().unwrap(), "the value is the replications' mean");
    assert_eq!(p99.3.as_deref(), Some(format!("± {}", interval["half_width"].as_f64().unwrap()).as_str()));
}
