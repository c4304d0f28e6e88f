//! Oversized and runaway scenarios: refused before running with a clear
//! message (estimates), stopped while running (limits, Ctrl-C), and never a
//! partial report.

use crate::common::{TempDir, command, path, root, simbench, stderr, stdout, tempdir};
use simbench::engine::{self, EngineError, Limits};
use simbench::model::CompiledWorkload;
use simbench::time::SimTime;
use std::sync::atomic::AtomicBool;

/// Writes `json` as `name.json` in `dir` and runs it with `extra` flags;
/// returns (status, stderr).
fn run(dir: &TempDir, name: &str, json: &str, extra: &[&str]) -> (Option<i32>, String) {
    let file = dir.path().join(format!("{name}.json"));
    std::fs::write(&file, json).unwrap();
    let out = dir.path().join("out");
    let mut args = vec!["run", file.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"];
    args.extend_from_slice(extra);
    let output = simbench(&args);
    assert!(!out.join(name).join("report.json").exists(), "no report for a refused run");
    (output.status.code(), String::from_utf8(output.stderr).unwrap())
}

fn one_class(arrivals: &str, program: &str) -> String {
    format!(r#"{{"name": "guarded", "classes": {{"work": {{"arrivals": {arrivals}, "program": {program}}}}}}}"#)
}

#[test]
fn too_many_tasks_are_refused_before_running_naming_the_class() {
    let dir = tempdir("guards-tasks");
    let json = one_class(r#"{"poisson": {"rate": 1000000, "duration": "1h"}}"#, r#"[{"io": "10ms"}]"#);
    let (status, stderr) = run(&dir, "guarded", &json, &[]);
    assert_eq!(status, Some(2));
    assert!(stderr.contains("about 3600000000 tasks per strategy"), "{stderr}");
    assert!(stderr.contains("class \"work\": poisson at 1000000/s"), "{stderr}");
    assert!(stderr.contains("more than --max-tasks 50000000"), "{stderr}");
    assert!(stderr.contains("hint: "), "{stderr}");
    // The guard is the user's to move.
    let json = one_class(r#"{"batch": {"count": 1000}}"#, r#"[{"io": "10ms"}]"#);
    let (status, stderr) = run(&dir, "guarded", &json, &["--max-tasks", "999"]);
    assert_eq!(status, Some(2));
    assert!(stderr.contains("about 1000 tasks"), "{stderr}");
}

#[test]
fn a_batch_too_large_for_memory_is_refused() {
    let dir = tempdir("guards-memory");
    let json =
        one_class(r#"{"batch": {"count": 40000000}}"#, r#"[{"gather": [{"copies": 4, "program": [{"io": "1s"}]}]}]"#);
    let (status, stderr) = run(&dir, "guarded", &json, &[]);
    assert_eq!(status, Some(2));
    assert!(stderr.contains("GiB of engine memory, more than --max-memory 8.0 GiB"), "{stderr}");
}

#[test]
fn too_many_events_are_refused_before_running() {
    let dir = tempdir("guards-events");
    let json = one_class(r#"{"batch": {"count": 1000}}"#, r#"[{"io": "1ms"}, {"io": "1ms"}]"#);
    let (status, stderr) = run(&dir, "guarded", &json, &["--max-events", "100"]);
    assert_eq!(status, Some(2));
    assert!(stderr.contains("about 5000 events per strategy, more than --max-events 100"), "{stderr}");
}

#[test]
fn a_run_past_max_sim_time_stops_with_tasks_in_flight() {
    let dir = tempdir("guards-time");
    // 20 tasks of 1 s one after another take 20 s under blocking.
    let json = one_class(r#"{"batch": {"count": 20}}"#, r#"[{"io": "1s"}]"#);
    let (status, stderr) = run(&dir, "guarded", &json, &["--max-sim-time", "10s"]);
    assert_eq!(status, Some(2));
    assert!(stderr.contains("strategy \"blocking\": virtual time passed 10"), "{stderr}");
    assert!(stderr.contains("10 task(s) still in flight"), "{stderr}");
}

fn workload(json: &str) -> (simbench::model::Scenario, CompiledWorkload) {
    let scenario = simbench::scenario::parse(json, "g.json").unwrap();
    let workload = CompiledWorkload::compile(&scenario);
    (scenario, workload)
}

#[test]
fn the_engine_stops_at_the_event_limit() {
    let (scenario, workload) = workload(&one_class(r#"{"batch": {"count": 100}}"#, r#"[{"io": "1s"}]"#));
    let limits = Limits { max_events: Some(10), ..Limits::default() };
    let result = engine::run_limited(&scenario, &workload, &scenario.strategies[0], &mut (), limits);
    assert!(matches!(result, Err(EngineError::EventLimit { events: 10, .. })), "{result:?}");
}

#[test]
fn stale_timers_past_the_time_limit_do_not_trip_it() {
    // Each task completes at 1 s; its 10 s timeout stays queued as a stale
    // event. A 5 s limit must not call that work in flight.
    let program = r#"[{"timeout": {"after": "10s", "program": [{"io": "1s"}]}}]"#;
    let (scenario, workload) = workload(&one_class(r#"{"batch": {"count": 3}}"#, program));
    let limits = Limits { max_time: Some(SimTime::from_nanos(5_000_000_000)), ..Limits::default() };
    for strategy in &scenario.strategies {
        let stats = engine::run_limited(&scenario, &workload, strategy, &mut (), limits).unwrap();
        assert_eq!(stats.arrived, 3);
    }
}

#[test]
fn a_raised_interrupt_flag_stops_the_run() {
    let (scenario, workload) = workload(&one_class(r#"{"batch": {"count": 100000}}"#, r#"[{"io": "1s"}]"#));
    let flag = AtomicBool::new(true);
    let limits = Limits { interrupt: Some(&flag), ..Limits::default() };
    let result = engine::run_limited(&scenario, &workload, &scenario.strategies[0], &mut (), limits);
    assert!(matches!(result, Err(EngineError::Interrupted { .. })), "{result:?}");
}

#[test]
#[cfg_attr(not(unix), ignore = "needs Unix signals (kill -INT)")]
fn ctrl_c_exits_130_and_leaves_no_file() {
    let dir = tempdir("guards-sigint");
    // Long enough to be interrupted mid-run: 20M arrivals.
    let json = one_class(r#"{"poisson": {"rate": 1000, "count": 20000000}}"#, r#"[{"io": "10ms"}]"#);
    let file = dir.path().join("long.json");
    std::fs::write(&file, json).unwrap();
    let out = dir.path().join("out");
    let mut child = crate::common::command()
        .args(["run", file.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"])
        .spawn()
        .unwrap();
    // The handler is installed before the output directory is created;
    // once the directory exists, Ctrl-C is ours to handle.
    let started = std::time::Instant::now();
    while !out.join("guarded").exists() {
        assert!(started.elapsed().as_secs() < 30, "the run never started");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let killed = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let leftovers: Vec<_> = std::fs::read_dir(out.join("guarded")).map(|d| d.collect()).unwrap_or_default();
    assert!(leftovers.is_empty(), "files left behind: {leftovers:?}");
}

/// Every input file is read up to the cap: `/dev/zero` as a scenario, a
/// runtime profile (flag or field), a baseline, reports to compare and a
/// sweep shard is refused with exit 2 and a message naming the cap, fast.
#[test]
#[cfg_attr(not(unix), ignore = "needs /dev/zero")]
fn endless_input_files_are_refused_at_the_size_cap() {
    let dir = tempdir("guards-input-cap");
    let out = dir.path().join("out");
    let field = dir.path().join("profile-field.json");
    let scenario = std::fs::read_to_string(root().join("scenarios/downloads.json")).unwrap();
    let with_profile = scenario.replacen('{', "{\"runtime\": {\"profile\": \"/dev/zero\"},", 1);
    std::fs::write(&field, with_profile).unwrap();
    let cap = ["--max-input-size", "1MiB"];
    let cases: [Vec<&str>; 6] = [
        vec!["run", "/dev/zero"],
        vec!["run", "scenarios/downloads.json", "--runtime", "/dev/zero"],
        vec!["run", path(&field)],
        vec!["run", "scenarios/downloads.json", "--baseline", "/dev/zero", "--no-charts"],
        vec!["compare", "/dev/zero", "/dev/zero"],
        vec!["merge", "/dev/zero", "--out", path(&out)],
    ];
    for case in cases {
        let mut args = case.clone();
        if args[0] == "run" {
            args.extend(["--out", path(&out)]);
        }
        args.extend(cap);
        let output = simbench(&args);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{case:?}: {err}");
        assert!(err.contains("larger than the input size cap of 1 MiB"), "{case:?}: {err}");
        assert!(err.contains("--max-input-size"), "{case:?}: the fix is named: {err}");
    }
    // A pipe (as process substitution gives) still reads as a file does.
    let scenario_file = std::fs::File::open(root().join("scenarios/downloads.json")).unwrap();
    let piped = command()
        .args(["run", "/dev/stdin", "--out", path(&out), "--quiet", "--no-charts"])
        .stdin(scenario_file)
        .output()
        .unwrap();
    assert_eq!(piped.status.code(), Some(0), "{}", stderr(&piped));
}

/// `sweep`, `plan` and `--replications` are checked as `run` is: a grid
/// point or plan probe beyond a guard is refused before anything runs,
/// naming the point, and so is the work of all runs together. (Before, a
/// point of 10^9 tasks with --max-tasks 1000 allocated until the process
/// aborted.)
#[test]
fn every_point_probe_and_replication_is_guarded_before_it_runs() {
    let dir = tempdir("guards-studies");
    let out = dir.path().join("out");
    let big = "classes.download.arrivals.batch.count";
    let cases: [(Vec<String>, &str); 3] = [
        (
            ["sweep", "scenarios/downloads.json", "--set", &format!("{big}=3,1000000000"), "--max-tasks", "1000"]
                .map(String::from)
                .to_vec(),
            "with classes.download.arrivals.batch.count=1000000000: the scenario would create about 1000000000 tasks",
        ),
        (
            [
                "plan",
                "scenarios/downloads.json",
                "--vary",
                big,
                "--slo",
                "latency p99 < 1000s",
                "--range",
                "1..1000000000",
                "--max-tasks",
                "10000",
            ]
            .map(String::from)
            .to_vec(),
            "more than --max-tasks 10000",
        ),
        (
            ["run", "scenarios/api-server.json", "--replications", "100000"].map(String::from).to_vec(),
            "100000 replications of its 4 strategies would simulate about 8000000000 tasks in all, more than --max-total-tasks",
        ),
    ];
    for (mut args, expected) in cases {
        args.extend(["--out".to_string(), path(&out).to_string()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = simbench(&args);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(err.contains("hint:"), "{args:?}: the fix is named: {err}");
    }
    // Refused before anything ran: nothing was written.
    let written: Vec<_> = walk(&out);
    assert!(written.is_empty(), "{written:?}");
}

/// Every file under `dir` (none if it does not exist).
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries.flatten().flat_map(|e| if e.path().is_dir() { walk(&e.path()) } else { vec![e.path()] }).collect()
}

/// A run that fails while writing (here every file is capped at 64 KiB, as
/// a full disk would stop it) leaves the previous report exactly as it was:
/// no new report.json beside an old report.html, no staging left behind.
#[test]
#[cfg_attr(not(unix), ignore = "needs bash's ulimit")]
fn a_run_that_cannot_write_leaves_the_previous_report_untouched() {
    let dir = tempdir("guards-staging");
    let out = dir.path().join("out");
    let ok = simbench(&["run", "scenarios/scraper.json", "--out", path(&out), "--quiet", "--export", "junit"]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    let report_dir = out.join("scraper");
    let snapshot = || {
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&report_dir)
            .unwrap()
            .map(|e| e.unwrap())
            .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap_or_default()))
            .collect();
        files.sort();
        files
    };
    let before = snapshot();
    assert!(before.iter().any(|(n, _)| n == "report.html") && before.iter().any(|(n, _)| n == "junit.xml"));
    let bin = env!("CARGO_BIN_EXE_simbench");
    let script = format!(
        "trap '' XFSZ; ulimit -f 64; exec {bin} run scenarios/scraper.json --seed 9 --export junit --out {}",
        path(&out)
    );
    let failed = std::process::Command::new("bash").args(["-c", &script]).current_dir(root()).output().unwrap();
    assert_eq!(failed.status.code(), Some(3), "a write failure: {}", stderr(&failed));
    assert!(!stdout(&failed).contains("wrote"), "nothing claims to be written: {}", stdout(&failed));
    assert_eq!(snapshot(), before, "the previous report, byte for byte, and nothing else");
}

#[test]
fn virtual_time_overflow_names_the_step_or_arrival() {
    // Two io steps of 10^10 s each pass 2^64 ns; a rate of 1e-300 makes the
    // next arrival's gap overflow. Each is said as what it is (R-TIME-OVERFLOW),
    // not as a deadlock, once.
    let dir = tempdir("guards-overflow");
    let steps = r#"[{"io": "10000000000s", "label": "first"}, {"io": "10000000000s", "label": "second"}]"#;
    let (status, stderr) = run(&dir, "guarded", &one_class(r#"{"batch": {"count": 1}}"#, steps), &[]);
    assert_eq!(status, Some(2), "{stderr}");
    assert!(stderr.contains("virtual time overflowed after 10000000000.000000s"), "{stderr}");
    assert!(stderr.contains(r#"step "second" of class "work""#), "{stderr}");
    assert!(!stderr.contains("deadlock") && !stderr.contains("permit"), "{stderr}");
    assert_eq!(stderr.matches("overflowed").count(), 1, "said once: {stderr}");
    let arrivals = r#"{"poisson": {"rate": 1e-300, "count": 2}}"#;
    let (status, stderr) = run(&dir, "guarded", &one_class(arrivals, r#"[{"io": "1s"}]"#), &[]);
    assert_eq!(status, Some(2), "{stderr}");
    assert!(stderr.contains(r#"the next arrival of class "work""#), "{stderr}");
}

#[test]
fn an_engine_error_is_said_once() {
    // The deadlock's message used to be printed twice (the error's text and
    // its source, chained).
    let dir = tempdir("guards-once");
    let json = r#"{"name": "guarded", "pools": {"conn": 1}, "classes": {"work": {"arrivals": {"batch": {"count": 2}},
        "program": [{"limit": {"pool": "conn", "program": [{"gather": [[{"limit": {"pool": "conn", "program": [{"io": "1s"}]}}]]}]}}]}}}"#;
    let (status, stderr) = run(&dir, "guarded", json, &[]);
    assert_eq!(status, Some(2), "{stderr}");
    assert_eq!(stderr.matches("the simulation stalled").count(), 1, "{stderr}");
}
