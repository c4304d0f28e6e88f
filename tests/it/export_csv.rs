//! `--export csv`: tidy tables, as a data frame reads them. summary.csv
//! has one row per strategy and classes.csv one per strategy and class (no
//! table mixes the two, so a column's sum counts each task once);
//! services.csv, links.csv and queues.csv one per strategy and resource.
//! Every figure of report.json is a column, named after its path by one
//! rule (`latency_s.p99` → `latency_p99_s`), with report.json's text; with
//! replications, `_ci_mean` and `_ci_half_width` columns; sweep.csv names
//! the same figures the same way.

use crate::common::{path, simbench, stderr, tempdir};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// A CSV table read as a data frame: its columns, and each row as
/// column → field. Panics unless it is rectangular RFC 4180 with CRLF
/// line ends and unique column names.
struct Frame {
    columns: Vec<String>,
    rows: Vec<BTreeMap<String, String>>,
}

fn frame(file: &Path) -> Frame {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    assert!(text.ends_with("\r\n") && !text.replace("\r\n", "").contains('\n'), "CRLF line ends");
    let lines: Vec<&str> = text.split_terminator("\r\n").collect();
    // Fields in these tables hold no comma or quote (the names are plain).
    let split = |l: &str| l.split(',').map(str::to_string).collect::<Vec<_>>();
    let columns = split(lines[0]);
    let unique: std::collections::BTreeSet<&String> = columns.iter().collect();
    assert_eq!(unique.len(), columns.len(), "{}: column names are unique", file.display());
    let rows = lines[1..]
        .iter()
        .map(|l| {
            let fields = split(l);
            assert_eq!(fields.len(), columns.len(), "{}: every row as wide as the header", file.display());
            columns.iter().cloned().zip(fields).collect()
        })
        .collect();
    Frame { columns, rows }
}

fn run(file: &str, out: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["run", file, "--out", path(out), "--quiet", "--no-charts", "--export", "csv"];
    args.extend_from_slice(extra);
    let output = simbench(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    let name = std::fs::read_dir(out).unwrap().next().unwrap().unwrap().path();
    serde_json::from_str(&std::fs::read_to_string(name.join("report.json")).unwrap()).unwrap()
}

/// The column name of a report.json path, by the documented rule: the
/// names joined by `_`, a summary's `_s` moved to the end.
fn column(path: &[String]) -> String {
    let stats = ["mean", "p50", "p90", "p99", "p999", "max"];
    match path {
        [summary, stat] if summary.ends_with("_s") && stats.contains(&stat.as_str()) => {
            format!("{}_{stat}_s", summary.trim_end_matches("_s"))
        }
        _ => path.join("_"),
    }
}

/// Every leaf of `value` (numbers, strings, booleans, nulls) with its path,
/// leaving out the keys in `skip` at the top.
fn leaves(value: &Value, prefix: Vec<String>, skip: &[&str], out: &mut Vec<(Vec<String>, Value)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if prefix.is_empty() && skip.contains(&k.as_str()) {
                    continue;
                }
                let mut p = prefix.clone();
                p.push(k.clone());
                leaves(v, p, skip, out);
            }
        }
        Value::Array(_) => panic!("an array at {prefix:?}"),
        leaf => out.push((prefix, leaf.clone())),
    }
}

/// A JSON leaf as report.json writes it, as the CSV field should read.
fn field(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Whether a CSV cell holds the JSON leaf `v`: the same text, or for a
/// float the same number (serde_json's parser, without its
/// `float_roundtrip` feature, may read report.json's shortest digits one
/// unit in the last place off, so its text can differ in the last digits).
fn holds(cell: &str, v: &Value) -> bool {
    if cell == field(v) {
        return true;
    }
    match (cell.parse::<f64>(), v.as_f64()) {
        (Ok(a), Some(b)) if v.is_f64() => (a - b).abs() <= 4.0 * f64::EPSILON * b.abs(),
        _ => false,
    }
}

/// Checks that each of `items` (with `key` naming it) is a row of `frame`
/// under its strategy, and every leaf figure a column with its text.
fn assert_every_figure(frame: &Frame, rows: &[(&Value, &Value)], key: Option<&str>, skip: &[&str]) {
    assert_eq!(frame.rows.len(), rows.len(), "a row per item");
    for ((result, item), row) in rows.iter().zip(&frame.rows) {
        assert_eq!(row["strategy"], field(&result["strategy"]));
        assert_eq!(row["kind"], field(&result["kind"]));
        if let Some(key) = key {
            assert_eq!(row[key], field(&item[key]));
        }
        let mut figures = Vec::new();
        leaves(item, Vec::new(), skip, &mut figures);
        assert!(!figures.is_empty());
        for (path, value) in figures {
            if value.is_null() && !row.contains_key(&column(&path)) {
                // A summary that does not apply (loop lag outside
                // cooperative): its six columns are empty.
                for stat in ["mean", "p50", "p90", "p99", "p999", "max"] {
                    let name = column(&[path.clone(), vec![stat.to_string()]].concat());
                    assert_eq!(row.get(&name).map(String::as_str), Some(""), "{name}");
                }
                continue;
            }
            let name = column(&path);
            let cell = row.get(&name).unwrap_or_else(|| panic!("no column {name} for {path:?}"));
            assert!(holds(cell, &value), "{name}: {cell} is not {value}");
        }
    }
}

const STRATEGY_SKIP: &[&str] = &[
    "strategy",
    "kind",
    "config",
    "histogram",
    "latency_spectrum_s",
    "classes",
    "links",
    "services",
    "queues",
    "intervals",
];

fn items<'r>(report: &'r Value, list: &str) -> Vec<(&'r Value, &'r Value)> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r[list].as_array().into_iter().flatten().map(move |i| (r, i)))
        .collect()
}

#[test]
fn summary_and_classes_are_apart_and_hold_every_figure_of_the_report() {
    let dir = tempdir("csv-tidy");
    let report = run("scenarios/timeouts.json", dir.path(), &[]);
    let out = dir.path().join("timeouts");
    let summary = frame(&out.join("summary.csv"));
    assert_eq!(&summary.columns[..4], ["scenario", "strategy", "kind", "tasks_arrived"]);
    assert!(!summary.columns.contains(&"class".to_string()), "no class rows in summary.csv");
    let results: Vec<(&Value, &Value)> = report["results"].as_array().unwrap().iter().map(|r| (r, r)).collect();
    assert_every_figure(&summary, &results, None, STRATEGY_SKIP);
    assert!(summary.rows.iter().all(|r| r["scenario"] == "timeouts"));

    let classes = frame(&out.join("classes.csv"));
    assert_eq!(&classes.columns[..5], ["scenario", "strategy", "kind", "class", "tasks_arrived"]);
    assert_every_figure(&classes, &items(&report, "classes"), Some("class"), &["class", "histogram", "intervals"]);
    // Tidy: summing a column over summary.csv counts each task once.
    let arrived: u64 = summary.rows.iter().map(|r| r["tasks_arrived"].parse::<u64>().unwrap()).sum();
    let expected: u64 =
        report["results"].as_array().unwrap().iter().map(|r| r["tasks"]["arrived"].as_u64().unwrap()).sum();
    assert_eq!(arrived, expected);
    for absent in ["services.csv", "links.csv", "queues.csv"] {
        assert!(!out.join(absent).exists(), "{absent} only when the scenario has them");
    }
}

#[test]
fn services_links_and_queues_get_their_own_tables() {
    let dir = tempdir("csv-resources");
    for (file, name, tables) in [
        ("scenarios/retry-storm.json", "retry-storm", vec![("services.csv", "services", "service")]),
        ("scenarios/bandwidth.json", "bandwidth", vec![("links.csv", "links", "link")]),
        ("scenarios/pipeline.json", "pipeline", vec![("queues.csv", "queues", "queue")]),
    ] {
        let report = run(file, &dir.path().join(name), &[]);
        let out = dir.path().join(name).join(name);
        for (csv, list, key) in tables {
            let table = frame(&out.join(csv));
            assert_eq!(&table.columns[..4], ["scenario", "strategy", "kind", key], "{csv}");
            assert_every_figure(&table, &items(&report, list), Some(key), &[key]);
        }
    }
    // The figure the CI docs say fails builds is there.
    let services = frame(&dir.path().join("retry-storm/retry-storm/services.csv"));
    assert!(services.columns.contains(&"load_amplification".to_string()));
    let summary = frame(&dir.path().join("retry-storm/retry-storm/summary.csv"));
    assert!(summary.rows.iter().all(|r| r["bottleneck_resource"].starts_with("service ")));
}

#[test]
fn replications_add_a_mean_and_half_width_after_each_figure_with_an_interval() {
    let dir = tempdir("csv-replications");
    let report = run("scenarios/scraper.json", dir.path(), &["--replications", "3"]);
    let out = dir.path().join("scraper");
    for (csv, rows) in [
        ("summary.csv", report["results"].as_array().unwrap().iter().map(|r| (r, r)).collect::<Vec<_>>()),
        ("classes.csv", items(&report, "classes")),
    ] {
        let table = frame(&out.join(csv));
        let mut intervals = 0;
        for ((_, item), row) in rows.iter().zip(&table.rows) {
            let mut figures = Vec::new();
            leaves(&item["intervals"], Vec::new(), &["replications"], &mut figures);
            for (path, value) in figures {
                // [figure…, "mean" | "half_width"]
                let (stat, figure) = path.split_last().unwrap();
                let name = format!("{}_ci_{stat}", column(figure));
                assert!(holds(&row[&name], &value), "{csv}: {name}: {} is not {value}", row[&name]);
                intervals += 1;
            }
        }
        assert!(intervals > 0, "{csv} has interval columns");
        for (i, c) in table.columns.iter().enumerate() {
            if let Some(figure) = c.strip_suffix("_ci_mean") {
                assert_eq!(table.columns[i - 1], figure, "{c} follows its figure");
                assert_eq!(table.columns[i + 1], format!("{figure}_ci_half_width"));
            }
        }
    }
}

#[test]
fn sweep_csv_names_a_strategys_figures_as_summary_csv_does() {
    let dir = tempdir("csv-sweep");
    run("scenarios/api-server.json", &dir.path().join("run"), &[]);
    let output = simbench(&[
        "sweep",
        "scenarios/api-server.json",
        "--quiet",
        "--no-charts",
        "--out",
        path(&dir.path().join("sweep")),
        "--set",
        "classes.request.arrivals.poisson.count=200",
        "--set",
        "classes.request.arrivals.poisson.rate=50,100",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let summary = frame(&dir.path().join("run/api-server/summary.csv"));
    let sweep = frame(&dir.path().join("sweep/api-server/sweep.csv"));
    let figures: Vec<&String> = summary.columns.iter().skip(3).collect();
    let start = sweep.columns.iter().position(|c| c == "tasks_arrived").expect("tasks_arrived in sweep.csv");
    assert_eq!(sweep.columns[start..start + figures.len()].iter().collect::<Vec<_>>(), figures);
    assert!(sweep.columns.contains(&"latency_p99_s".to_string()));
}
