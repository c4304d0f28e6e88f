//! `simbench run` as a user meets it: golden reports, exit statuses, and no
//! partial output on failure.
//!
//! Golden files live in tests/golden/<scenario>/. After an intended change
//! of the report format, refresh them with `SIMBENCH_BLESS=1 cargo test
//! --test cli` and review the diff.

mod common;

use common::{TempDir, root, simbench};

fn check_golden(scenario: &str) {
    let dir = TempDir::new(&format!("golden-{scenario}"));
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
    let golden_dir = root().join("tests/golden").join(scenario);
    for (name, text) in produced {
        let golden = golden_dir.join(name);
        if std::env::var_os("SIMBENCH_BLESS").is_some() {
            std::fs::create_dir_all(&golden_dir).unwrap();
            std::fs::write(&golden, &text).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&golden)
            .unwrap_or_else(|_| panic!("missing {}; run with SIMBENCH_BLESS=1 to create it", golden.display()));
        assert!(
            text == expected,
            "{scenario}/{name} differs from {}; if the change is intended, rerun with SIMBENCH_BLESS=1 and review the diff\n--- produced ---\n{text}",
            golden.display()
        );
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
    let dir = TempDir::new("cli-missing");
    let output = simbench(&["run", "scenarios/nope.json", "--out", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("scenarios/nope.json: cannot read the scenario"), "{stderr}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing written");
}

#[test]
fn an_unwritable_out_directory_is_reported_before_running() {
    let dir = TempDir::new("cli-unwritable");
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
    let dir = TempDir::new("cli-deadlock");
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
