//! Capacity studies through the real binary: `sweep` (grids, errors,
//! determinism across threads), `sweep --shard` with `merge`, and `plan`.

use crate::common::{path, root, simbench, stderr, tempdir};
use serde_json::Value;
use std::path::Path;
use std::process::Output;

fn api_server() -> String {
    root().join("scenarios/api-server.json").display().to_string()
}

const RATE: &str = "classes.request.arrivals.poisson.rate";
/// api-server.json made small enough for a debug-build test.
const SMALL: &str = "classes.request.arrivals.poisson.count=1500";

fn ok(output: Output) -> Output {
    assert!(output.status.success(), "simbench failed: {}", stderr(&output));
    output
}

fn sweep(out: &Path, extra: &[&str]) -> Output {
    let file = api_server();
    let mut args = vec!["sweep", file.as_str(), "--quiet", "--out", path(out), "--set", SMALL];
    args.extend_from_slice(extra);
    simbench(&args)
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn a_grid_sweep_has_every_point_in_row_major_order_and_the_same_bytes_on_one_or_two_threads() {
    let one = tempdir("sweep-1");
    let two = tempdir("sweep-2");
    let grid =
        ["--set", "classes.request.arrivals.poisson.rate=100..300:100", "--set", "strategies.threaded-32.workers=8,32"];
    ok(sweep(one.path(), &[&grid[..], &["--jobs", "1"]].concat()));
    ok(sweep(two.path(), &[&grid[..], &["--jobs", "2"]].concat()));
    for name in ["sweep.json", "sweep.csv"] {
        let a = read(&one.path().join("api-server").join(name));
        let b = read(&two.path().join("api-server").join(name));
        assert!(a == b, "{name} differs between 1 and 2 threads");
    }
    let json: Value = serde_json::from_str(&read(&one.path().join("api-server/sweep.json"))).unwrap();
    assert_eq!(json["schema"], "simbench.sweep/v1");
    assert_eq!(json["points_total"], 6);
    let points = json["points"].as_array().unwrap();
    let sets: Vec<(i64, i64)> = points
        .iter()
        .map(|p| (p["set"][RATE].as_i64().unwrap(), p["set"]["strategies.threaded-32.workers"].as_i64().unwrap()))
        .collect();
    assert_eq!(sets, [(100, 8), (100, 32), (200, 8), (200, 32), (300, 8), (300, 32)]);
    let first = &points[0]["results"][1];
    assert_eq!(first["figures"]["strategy"], "threaded-32");
    assert_eq!(first["figures"]["config"]["workers"], 8);
    assert!(first["little"]["l"].as_f64().unwrap() > 0.0);
    assert!(first["slos"].as_array().unwrap().iter().any(|s| s["threshold"] == "latency p99 < 200ms"));
    let csv = read(&one.path().join("api-server/sweep.csv"));
    assert_eq!(csv.lines().count(), 1 + 6 * 4, "a header and a row per point and strategy");
    // The hockey stick: blocking's p99 grows with the rate.
    let p99 = |i: usize| points[i]["results"][0]["figures"]["latency_s"]["p99"].as_f64().unwrap();
    assert!(p99(0) < p99(2) && p99(2) < p99(4));
}

#[test]
fn two_shards_merged_are_the_unsharded_sweep_byte_for_byte() {
    let whole = tempdir("sweep-whole");
    let shards = tempdir("sweep-shards");
    let merged = tempdir("sweep-merged");
    let set = ["--set", "classes.request.arrivals.poisson.rate=50..250:50"];
    ok(sweep(whole.path(), &set));
    ok(sweep(shards.path(), &[&set[..], &["--shard", "1/2"]].concat()));
    // One shard alone is not the whole sweep: exit 2, the other points listed as missing.
    let partial = tempdir("sweep-partial");
    let output = simbench(&["merge", path(shards.path()), "--out", path(partial.path()), "--quiet"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("2 points are in no shard"), "{}", stderr(&output));
    ok(sweep(shards.path(), &[&set[..], &["--shard", "2/2"]].concat()));
    ok(simbench(&["merge", path(shards.path()), "--out", path(merged.path()), "--quiet"]));
    for name in ["sweep.json", "sweep.csv", "sweep-latency.svg", "sweep-throughput.svg"] {
        let a = read(&whole.path().join("api-server").join(name));
        let b = read(&merged.path().join("api-server").join(name));
        assert!(a == b, "merged {name} differs from the unsharded one");
    }
}

#[test]
fn shards_of_different_sweeps_do_not_merge() {
    let a = tempdir("merge-a");
    let b = tempdir("merge-b");
    let out = tempdir("merge-out");
    ok(sweep(a.path(), &["--set", "classes.request.arrivals.poisson.rate=50,100", "--shard", "1/2"]));
    ok(sweep(b.path(), &["--set", "classes.request.arrivals.poisson.rate=60,100", "--shard", "2/2"]));
    let output = simbench(&["merge", path(a.path()), path(b.path()), "--out", path(out.path())]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("\"parameters\" differs"), "{}", stderr(&output));
}

#[test]
fn a_misspelled_path_exits_2_with_a_did_you_mean() {
    let out = tempdir("sweep-bad");
    let output = sweep(out.path(), &["--set", "machine.core=1,2"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("did you mean \"cores\""), "{}", stderr(&output));
    let output = sweep(out.path(), &["--set", "strategies.threaded-23.workers=1,2"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("did you mean \"threaded-32\""), "{}", stderr(&output));
    // An invalid value gets the scenario parser's own message.
    let output = sweep(out.path(), &["--set", "machine.cores=0,2"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("machine.cores: expected an integer ≥ 1, found 0"), "{}", stderr(&output));
    let output = sweep(out.path(), &["--set", "machine.cores=1..4"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("a range needs a step"), "{}", stderr(&output));
}

#[test]
fn plan_finds_per_strategy_a_rate_that_meets_the_slo_while_five_percent_more_does_not() {
    let out = tempdir("plan");
    let file = api_server();
    ok(simbench(&[
        "plan",
        &file,
        "--quiet",
        "--out",
        path(out.path()),
        "--set",
        SMALL,
        "--vary",
        RATE,
        "--slo",
        "latency p99 < 300ms",
    ]));
    let plan: Value = serde_json::from_str(&read(&out.path().join("api-server/plan.json"))).unwrap();
    let answers = plan["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 4);
    for answer in answers {
        let label = answer["strategy"].as_str().unwrap();
        assert_eq!(answer["status"], "found", "{label}: {answer}");
        let rate = answer["value"].as_f64().unwrap();
        assert!(answer["at_value"]["meets_slos"].as_bool().unwrap());
        // Run the scenario itself at the answer and 5% above it.
        let higher = rate * 1.05;
        let check = tempdir("plan-check");
        let values = format!("{RATE}={rate},{higher}");
        ok(sweep(check.path(), &["--set", &values]));
        let sweep: Value = serde_json::from_str(&read(&check.path().join("api-server/sweep.json"))).unwrap();
        let meets = |point: usize| {
            let results = sweep["points"][point]["results"].as_array().unwrap();
            let r = results.iter().find(|r| r["figures"]["strategy"] == label).unwrap();
            let p99 = r["figures"]["latency_s"]["p99"].as_f64().unwrap();
            (p99 < 0.3, p99)
        };
        assert!(meets(0).0, "{label}: p99 at {rate}/s is {}", meets(0).1);
        assert!(!meets(1).0, "{label}: p99 at {higher}/s is {}", meets(1).1);
    }
}

#[test]
fn a_sweep_over_workers_draws_both_charts_and_fits_the_usl() {
    let out = tempdir("sweep-usl");
    let output = ok(sweep(out.path(), &["--set", "strategies.threaded-32.workers=1..16:x2"]));
    let _ = output;
    let dir = out.path().join("api-server");
    for stem in ["sweep-latency", "sweep-throughput"] {
        assert!(read(&dir.join(format!("{stem}.svg"))).starts_with("<svg"), "{stem}.svg");
        assert!(std::fs::metadata(dir.join(format!("{stem}.png"))).unwrap().len() > 1000, "{stem}.png");
    }
    let file = simbench::report::sweep::json::parse(&read(&dir.join("sweep.json"))).unwrap();
    let data = simbench::report::charts::sweep::data(&file).unwrap();
    let threaded = data.series.iter().find(|s| s.strategy == "threaded-32").unwrap();
    assert_eq!(threaded.points.len(), 5);
    let fit = threaded.usl.expect("a sweep over workers is fitted");
    assert!(fit.r_squared > 0.8, "{fit:?}");
    assert_eq!(data.p99_slo_s, Some(0.2));
}

#[test]
fn an_interrupted_sweep_keeps_its_finished_points_and_lists_the_rest_as_missing() {
    use simbench::engine::Limits;
    use simbench::report::sweep::{Header, SweepFile, json};
    use simbench::sweep::{self, Study};
    use std::sync::atomic::AtomicBool;

    let text = std::fs::read_to_string(api_server()).unwrap();
    let sets = [SMALL, "classes.request.arrivals.poisson.rate=100,200,300"];
    let study =
        Study::new(&text, "api-server.json", sets.iter().map(|s| sweep::parse_set(s).unwrap()).collect()).unwrap();
    // Point 0 runs to the end; then Ctrl-C: points 1 and 2 never start.
    let finished = sweep::run(&study, &[0], Limits::default(), &|_| {}).unwrap();
    let flag = AtomicBool::new(true);
    let stopped = sweep::run(&study, &[1, 2], Limits { interrupt: Some(&flag), ..Limits::default() }, &|_| {}).unwrap();
    assert!(finished[0].is_some() && stopped.iter().all(Option::is_none));
    let points: Vec<_> = [0, 1, 2].into_iter().zip(finished.into_iter().chain(stopped)).collect();
    let header = Header::of(&study, "sha").unwrap();
    let rendered = json::render(&SweepFile::new(&header, 3, None, &points));
    let doc: Value = serde_json::from_str(&rendered).unwrap();
    assert_eq!(doc["missing"], serde_json::json!([1, 2]));
    assert_eq!(doc["points"].as_array().unwrap().len(), 1);
}
