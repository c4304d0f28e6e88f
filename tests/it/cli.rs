//! `simbench run` as a user meets it: golden reports, exit statuses, and no
//! partial output on failure.
//!
//! Golden files live in tests/golden/<scenario>/. After an intended change
//! of the report format, refresh them with `SIMBENCH_BLESS=1 cargo test
//! --test it golden` and review the diff.

use crate::common::{golden, simbench, tempdir};

fn check_golden(scenario: &str) {
    let dir = tempdir(&format!("golden-{scenario}"));
    let out = dir.path().to_str().unwrap();
    let output = simbench(&["run", &format!("scenarios/{scenario}.json"), "--out", out]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    // The charts' timing is wall-clock time, the only line that varies.
    let stdout: String = String::from_utf8(output.stdout)
        .unwrap()
        .replace(out, "OUT")
        .lines()
        .map(|line| {
            if line.starts_with("charts took ") {
                "charts took (wall-clock time)\n".to_string()
            } else {
                format!("{line}\n")
            }
        })
        .collect();
    let produced = [
        ("report.json", std::fs::read_to_string(dir.path().join(scenario).join("report.json")).unwrap()),
        ("report.md", std::fs::read_to_string(dir.path().join(scenario).join("report.md")).unwrap()),
        ("stdout.txt", stdout),
    ];
    for (name, text) in produced {
        golden(scenario, name, &text);
    }
}

#[test]
fn golden_downloads() {
    check_golden("downloads");
}

#[test]
fn golden_timeouts() {
    check_golden("timeouts");
}

#[test]
fn a_missing_scenario_file_exits_2() {
    let dir = tempdir("cli-missing");
    let output = simbench(&["run", "scenarios/nope.json", "--out", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("scenarios/nope.json: cannot read the scenario"), "{stderr}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing written");
}

#[test]
fn an_unwritable_out_directory_is_reported_before_running() {
    let dir = tempdir("cli-unwritable");
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, "not a directory").unwrap();
    let output = simbench(&["run", "scenarios/downloads.json", "--out", blocker.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("cannot write reports to"), "{stderr}");
    assert!(output.stdout.is_empty(), "nothing simulated or printed");
}

#[test]
fn a_deadlock_exits_2_naming_the_waiting_tasks_and_pool() {
    let dir = tempdir("cli-deadlock");
    // Each task holds the only permit while its gathered child asks for it.
    let scenario = r#"{
      "name": "deadlock",
      "pools": {"conn": 1},
      "classes": {"job": {"arrivals": {"batch": {"count": 2}}, "program": [
        {"limit": {"pool": "conn", "program": [{"gather": [[{"limit": {"pool": "conn", "program": [{"io": "1s"}]}}]]}]}}
      ]}},
      "strategies": ["cooperative"]
    }"#;
    let file = dir.path().join("deadlock.json");
    std::fs::write(&file, scenario).unwrap();
    let out = dir.path().join("out");
    let output = simbench(&["run", file.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("stalled at 0"), "{stderr}");
    assert!(stderr.contains("task 0 (class \"job\"): waits for a permit of pool \"conn\""), "{stderr}");
    assert!(!out.join("deadlock").join("report.json").exists(), "no report for a failed run");
}

#[test]
fn help_and_version_exit_0() {
    assert_eq!(simbench(&["--help"]).status.code(), Some(0));
    let version = simbench(&["--version"]);
    assert_eq!(version.status.code(), Some(0));
    assert!(String::from_utf8(version.stdout).unwrap().contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn a_usage_error_exits_2() {
    assert_eq!(simbench(&["run"]).status.code(), Some(2));
    assert_eq!(simbench(&["frobnicate"]).status.code(), Some(2));
}

/// `simbench run … --trace | head`: the reader closes the pipe before the
/// command has printed everything. Here it is closed before the command
/// prints anything, so every write meets it closed.
#[test]
fn a_closed_standard_output_ends_the_output_not_the_command() {
    let dir = tempdir("closed-stdout");
    let out = dir.path().to_str().unwrap();
    for args in [
        &["run", "scenarios/downloads.json", "--trace", "--no-charts", "--out", out][..],
        &["schema"][..],
        &["completions", "bash"][..],
    ] {
        let mut child = crate::common::command()
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the binary runs");
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&output.stderr);
        assert!(!err.contains("panicked") && !err.contains("Broken pipe"), "simbench {args:?}: {err}");
        assert_eq!(output.status.code(), Some(0), "simbench {args:?}: {err}");
    }
    // The run still wrote its report.
    assert!(dir.path().join("downloads/report.json").is_file());
}

/// Any other failure to write standard output is exit status 3.
#[cfg(target_os = "linux")]
#[test]
fn a_full_standard_output_exits_3() {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
    let output = crate::common::command().args(["schema"]).stdout(full).output().unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{err}");
    assert!(err.contains("error: cannot write to standard output:"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// Queue workers between two items are no task: the trace names them by
/// their place in their class, not by an internal number.
#[test]
fn the_trace_names_idle_queue_workers() {
    let dir = tempdir("trace-workers");
    let out = dir.path().to_str().unwrap();
    let output = simbench(&["run", "scenarios/pipeline.json", "--trace", "--no-charts", "--out", out]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("0.000000s  worker 0 of parser  started"), "{text}");
    for line in text.lines().filter(|l| l.contains("task ")) {
        let number = line.split("task ").nth(1).and_then(|t| t.split(' ').next()).unwrap();
        let number: u64 = number.parse().unwrap_or_else(|_| panic!("{line}"));
        assert!(number < 1_000_000, "a sentinel for a task number: {line}");
    }
}
