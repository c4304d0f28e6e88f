//! `simbench calibrate` and `run --runtime`, through the real binary.

use crate::common::{require, run_report, runs, simbench, tempdir};

#[test]
fn calibrate_quick_writes_a_profile_that_a_scenario_can_name() {
    if !require("python3", runs("python3")) {
        return;
    }
    let dir = tempdir("calibrate");
    let profile = dir.path().join("profile.json");
    let output = simbench(&["calibrate", "--quick", "--out", profile.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "calibrate failed: {}", String::from_utf8_lossy(&output.stderr));
    for name in ["task_create", "loop_step", "gc_per_1000_live", "timer_slack_thread", "memory_per_thread"] {
        assert!(stdout.contains(name), "the table names {name}:\n{stdout}");
    }
    let text = std::fs::read_to_string(&profile).expect("the profile is written");
    let written: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(written["format"], "simbench.runtime/v1");
    assert!(written["measured_with"]["facts"]["python"].as_str().is_some_and(|v| v.starts_with('3')));
    // A scenario beside it names it by a relative path.
    let scenario = r#"{"name": "calibrated", "runtime": "profile.json", "strategies": ["cooperative"],
        "classes": {"job": {"arrivals": {"batch": {"count": 10}}, "program": [{"sleep": "10ms"}]}}}"#;
    std::fs::write(dir.path().join("s.json"), scenario).unwrap();
    let loaded = simbench::scenario::load(&dir.path().join("s.json")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded.scenario.runtime.name, "profile.json");
    let slack = loaded.scenario.runtime.values[simbench::scenario::runtime::index::TIMER_SLACK_LOOP];
    assert_eq!(format!("{slack}ns"), written["constants"]["timer_slack_loop"].as_str().unwrap());
    // The slack was measured at five durations and fitted (R-RUNTIME-SLACK).
    assert_eq!(written["measured_with"]["raw"]["loop_sleep_slack_s"].as_array().map(Vec::len), Some(5));
    let growth = loaded.scenario.runtime.values[simbench::scenario::runtime::index::TIMER_SLACK_LOOP_PER_S];
    assert_eq!(format!("{growth}ns"), written["constants"]["timer_slack_loop_per_s"].as_str().unwrap());
}

#[test]
fn a_profile_file_written_before_the_slack_growth_reads_with_none() {
    // simbench.runtime/v1 files from before timer_slack_*_per_s: the
    // constants are 0, so the file means what it meant when written.
    let dir = tempdir("old-profile");
    let mut constants = serde_json::Map::new();
    for c in simbench::scenario::runtime::CONSTANTS.iter().filter(|c| !c.optional) {
        let value = match c.unit {
            simbench::scenario::runtime::Unit::Duration => serde_json::json!("1us"),
            simbench::scenario::runtime::Unit::Bytes => serde_json::json!(1000),
        };
        constants.insert(c.name.into(), value);
    }
    let profile = serde_json::json!({"format": "simbench.runtime/v1", "name": "old", "constants": constants});
    std::fs::write(dir.path().join("old.json"), profile.to_string()).unwrap();
    let scenario = r#"{"name": "old", "runtime": "old.json", "strategies": ["cooperative"],
        "classes": {"job": {"arrivals": {"batch": {"count": 1}}, "program": [{"sleep": "10ms"}]}}}"#;
    std::fs::write(dir.path().join("s.json"), scenario).unwrap();
    let loaded = simbench::scenario::load(&dir.path().join("s.json")).unwrap_or_else(|e| panic!("{e}"));
    use simbench::scenario::runtime::index;
    let values = loaded.scenario.runtime.values;
    assert_eq!((values[index::TIMER_SLACK_LOOP], values[index::TIMER_SLACK_LOOP_PER_S]), (1_000, 0));
    assert_eq!(values[index::TIMER_SLACK_THREAD_PER_S], 0);
}

#[test]
fn calibrate_without_python_exits_2_and_says_what_to_do() {
    let dir = tempdir("calibrate-missing");
    let out = dir.path().join("p.json");
    let output = simbench(&["calibrate", "--python", "/no/such/python3", "--out", out.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--python PATH"), "{stderr}");
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn calibrate_with_a_failing_interpreter_exits_2() {
    // `false` reads its input and fails, as a broken Python would.
    let dir = tempdir("calibrate-false");
    let out = dir.path().join("p.json");
    let output = simbench(&["calibrate", "--python", "false", "--out", out.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("calibration script failed"));
}

#[test]
fn run_runtime_names_the_profile_in_every_report_and_ideal_changes_nothing() {
    let dir = tempdir("runtime-flag");
    let plain = run_report("scenarios/downloads.json", &dir.path().join("plain"), &["--no-charts"]);
    let ideal =
        run_report("scenarios/downloads.json", &dir.path().join("ideal"), &["--no-charts", "--runtime", "ideal"]);
    assert_eq!(plain, ideal, "--runtime ideal is the default");
    let cpython =
        run_report("scenarios/downloads.json", &dir.path().join("cpython"), &["--no-charts", "--runtime", "cpython"]);
    let report: serde_json::Value = serde_json::from_str(&cpython).unwrap();
    assert_eq!(report["scenario"]["runtime"]["name"], "cpython");
    assert_eq!(report["scenario"]["runtime"]["constants"]["task_create_ns"], 4750);
    let md = std::fs::read_to_string(dir.path().join("cpython/downloads/report.md")).unwrap();
    assert!(md.contains("Runtime profile `cpython`"), "{md}");
    let output = simbench(&[
        "run",
        "scenarios/downloads.json",
        "--no-charts",
        "--runtime",
        "cpython",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(String::from_utf8_lossy(&output.stdout).contains("runtime cpython"));
    let bad =
        simbench(&["run", "scenarios/downloads.json", "--runtime", "nope.json", "--out", dir.path().to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2));
}
