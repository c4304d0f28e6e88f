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
