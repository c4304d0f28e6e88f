//! The tutorial's examples, through the binary, as the acceptance
//! figures: downloads, the execution flow and the blocking pitfall.

use crate::common::{TempDir, class, result, run_report, simbench, tempdir};
use serde_json::Value;

fn report(file: &str, dir: &TempDir) -> Value {
    serde_json::from_str(&run_report(file, dir.path(), &[])).unwrap()
}

/// scenarios/downloads.json's batch size and the seconds each download takes.
fn downloads() -> (u64, f64) {
    let text = std::fs::read_to_string(crate::common::root().join("scenarios/downloads.json")).unwrap();
    let scenario: Value = serde_json::from_str(&text).unwrap();
    let class = &scenario["classes"]["download"];
    let count = class["arrivals"]["batch"]["count"].as_u64().unwrap();
    let io = class["program"][0]["io"].as_str().unwrap();
    (count, io.strip_suffix('s').and_then(|s| s.parse().ok()).expect("whole seconds"))
}

#[test]
fn downloads_take_15_s_sequentially_and_5_s_concurrently() {
    // n downloads of d seconds each (3 of 5 s): one after another they end
    // at d, 2d, …, nd; concurrently all at d. (The exact figures are
    // tests/golden/downloads/report.json's.)
    let (n, d) = downloads();
    assert!(n % 2 == 1, "an odd count has a single middle latency");
    let dir = tempdir("tutorial-downloads");
    let report = report("scenarios/downloads.json", &dir);
    let blocking = result(&report, "blocking");
    assert_eq!(blocking["makespan_s"], n as f64 * d);
    assert_eq!(blocking["latency_s"]["p50"], n.div_ceil(2) as f64 * d);
    assert_eq!(result(&report, "threaded")["makespan_s"], d);
    assert_eq!(result(&report, "cooperative")["makespan_s"], d);
}

#[test]
fn the_summary_table_prints_the_makespans() {
    let dir = tempdir("tutorial-table");
    let output = simbench(&["run", "scenarios/downloads.json", "--out", dir.path().to_str().unwrap()]);
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    // Each strategy's row shows report.json's makespan (to the three
    // figures the table prints; tests/golden/downloads/stdout.txt pins the
    // text).
    let text = std::fs::read_to_string(dir.path().join("downloads/report.json")).unwrap();
    let report: Value = serde_json::from_str(&text).unwrap();
    for label in ["blocking", "threaded", "cooperative"] {
        let row = stdout.lines().find(|l| l.starts_with(&format!("{label} "))).unwrap_or_else(|| panic!("{stdout}"));
        let shown = row.split_whitespace().nth(1).unwrap();
        let seconds: f64 = shown.strip_suffix('s').and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("{row}"));
        let makespan = result(&report, label)["makespan_s"].as_f64().unwrap();
        assert!((seconds - makespan).abs() <= 0.005 * makespan, "{label}: {shown} for {makespan} s\n{stdout}");
    }
}

#[test]
fn flow_gathers_two_sleeps_in_2_s_and_blocking_needs_3_s() {
    let dir = tempdir("tutorial-flow");
    let report = report("scenarios/flow.json", &dir);
    assert_eq!(result(&report, "cooperative")["makespan_s"], 2.0);
    assert_eq!(result(&report, "blocking")["makespan_s"], 3.0);
}

#[test]
fn flow_trace_shows_the_tutorials_order() {
    let dir = tempdir("tutorial-trace");
    let output = simbench(&["run", "scenarios/flow.json", "--out", dir.path().to_str().unwrap(), "--trace"]);
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.starts_with("trace of cooperative"), "{stdout}");
    let position = |needle: &str| {
        stdout
            .lines()
            .position(|l| l.ends_with(needle))
            .unwrap_or_else(|| panic!("no line ending {needle:?}:\n{stdout}"))
    };
    let line = |needle: &str| stdout.lines().nth(position(needle)).unwrap().trim_start().to_string();
    let order = [
        position("operation_1 began (sleep 2.00s)"),
        position("operation_2 began (sleep 1.00s)"),
        position("operation_2 ended"),
        position("operation_1 ended"),
        position("completed"),
    ];
    assert!(order.windows(2).all(|w| w[0] < w[1]), "out of order: {order:?}\n{stdout}");
    assert!(line("operation_1 began (sleep 2.00s)").starts_with("0.000000s"));
    assert!(line("operation_2 began (sleep 1.00s)").starts_with("0.000000s"));
    assert!(line("operation_2 ended").starts_with("1.000000s"));
    assert!(line("operation_1 ended").starts_with("2.000000s"));
    assert!(line("completed").starts_with("2.000000s"));
}

#[test]
fn trace_can_name_a_strategy() {
    let dir = tempdir("tutorial-trace-named");
    let output =
        simbench(&["run", "scenarios/flow.json", "--out", dir.path().to_str().unwrap(), "--trace", "blocking"]);
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.starts_with("trace of blocking"), "{stdout}");
    // Blocking runs the branches one after another: operation 1 ends at 2 s,
    // then operation 2 runs and ends at 3 s.
    let ended =
        |op: &str| stdout.lines().find(|l| l.ends_with(&format!("{op} ended"))).unwrap().trim_start().to_string();
    assert!(ended("operation_1").starts_with("2.000000s"), "{stdout}");
    assert!(ended("operation_2").starts_with("3.000000s"), "{stdout}");
}

#[test]
fn trace_of_an_unknown_strategy_is_an_input_error() {
    let dir = tempdir("tutorial-trace-unknown");
    let output = simbench(&["run", "scenarios/flow.json", "--out", dir.path().to_str().unwrap(), "--trace", "nope"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("blocking, cooperative"), "{stderr}");
}

#[test]
fn a_blocking_call_stalls_every_coroutine_on_the_loop() {
    let dir = tempdir("tutorial-pitfall");
    let report = report("scenarios/blocking-pitfall.json", &dir);
    let sleepers = |label: &str| class(result(&report, label), "sleeper")["latency_s"]["p50"].as_f64().unwrap();
    assert!(sleepers("cooperative") >= 0.9, "cooperative sleepers p50 {}", sleepers("cooperative"));
    assert_eq!(sleepers("threaded-100"), 0.1);
}

#[test]
fn without_the_blocking_call_the_sleepers_take_100_ms() {
    let dir = tempdir("tutorial-pitfall-fixed");
    let text = std::fs::read_to_string(crate::common::root().join("scenarios/blocking-pitfall.json")).unwrap();
    let mut scenario: Value = serde_json::from_str(&text).unwrap();
    scenario["classes"].as_object_mut().unwrap().remove("blocker");
    let file = dir.path().join("no-blocker.json");
    std::fs::write(&file, serde_json::to_string(&scenario).unwrap()).unwrap();
    let out = dir.path().join("out");
    let report: Value = serde_json::from_str(&run_report(file.to_str().unwrap(), &out, &[])).unwrap();
    assert_eq!(class(result(&report, "cooperative"), "sleeper")["latency_s"]["p50"], 0.1);
}
