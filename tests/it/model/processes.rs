//! R-PROCESSES-*: P processes, each running its own copy of a strategy.

use crate::model::harness::{batch, run, run_first, with_cores};

#[test]
fn r_processes_worked_example_cpu_bound() {
    // Two tasks of cpu 50 ms + sleep 50 ms on 2 cores. Threads under one
    // GIL take turns every 5 ms: A's CPU ends at 95 ms, B's at 100 ms, then
    // each sleeps: 145 and 150 ms. Two processes have a GIL and a core
    // each: both end at 100 ms.
    let json = batch(
        2,
        r#"[{"cpu": "50ms"}, {"sleep": "50ms"}]"#,
        r#"[{"threaded": {"workers": 2}}, {"processes": {"workers": 2, "strategy": "blocking"}}]"#,
    );
    assert_eq!(run(&json, "threaded").ends_ms(), [145, 150]);
    let processes = run(&json, "processes");
    assert_eq!(processes.ends_ms(), [100, 100]);
    assert_eq!(processes.stats.cpu_busy, simbench::time::SimDuration::from_millis(100));
    assert_eq!(processes.stats.peak_threads, 2);
}

#[test]
fn r_processes_round_robin() {
    // Tasks go to processes 0, 1, 0, 1 in arrival order; each process runs
    // its tasks one after another.
    let json = batch(4, r#"[{"io": "1s"}]"#, r#"[{"processes": {"workers": 2, "strategy": "blocking"}}]"#);
    assert_eq!(run_first(&json).ends_ms(), [1000, 1000, 2000, 2000]);
}

#[test]
fn r_processes_cores_more_processes_than_cores_share_them() {
    // 4 processes on 2 cores: every CPU step takes 4 / 2 times as long.
    let json = with_cores(
        &batch(4, r#"[{"cpu": "10ms"}]"#, r#"[{"processes": {"workers": 4, "strategy": "cooperative"}}]"#),
        2,
    );
    let run = run_first(&json);
    assert_eq!(run.ends_ms(), [20, 20, 20, 20]);
    assert_eq!(
        run.stats.cpu_busy,
        simbench::time::SimDuration::from_millis(40),
        "CPU busy counts the work, not the stretched time"
    );
}

#[test]
fn r_processes_draw_what_one_process_draws() {
    // Common random numbers: each task's sampled durations are the same
    // whichever process runs it, so with a pool wide enough the latencies
    // match those of a thread per task.
    let program = r#"[{"io": {"exponential": {"mean": "100ms"}}}]"#;
    let json = batch(
        20,
        program,
        r#"[{"threaded": {"workers": 20, "gil": false}}, {"processes": {"workers": 4, "strategy": {"threaded": {"workers": 5}}}}]"#,
    );
    let mut one = run(&json, "threaded").records;
    let mut four = run(&json, "processes").records;
    one.sort_by_key(|r| r.index);
    four.sort_by_key(|r| r.index);
    assert_eq!(one, four);
}

#[test]
fn r_processes_figures_are_sums_of_the_processes() {
    // Three tasks of io 1s + cpu 10ms, 2 processes of 2-worker pools:
    // process 0 gets tasks 0 and 2, process 1 task 1. Arrivals, CPU busy
    // and events add up; peak threads is the sum of each process's peak
    // (2 + 1), and the makespan is the latest end.
    let json = with_cores(
        &batch(
            3,
            r#"[{"io": "1s"}, {"cpu": "10ms"}]"#,
            r#"[{"threaded": {"workers": 2, "gil": false}}, {"processes": {"workers": 2, "strategy": {"threaded": {"workers": 2, "gil": false}}}}]"#,
        ),
        4,
    );
    let processes = run(&json, "processes");
    assert_eq!(processes.stats.arrived, 3);
    assert_eq!(processes.stats.cpu_busy, simbench::time::SimDuration::from_millis(30));
    assert_eq!(processes.stats.peak_threads, 3);
    assert_eq!(processes.ends_ms(), [1010, 1010, 1010]);
    let one = run(&json, "threaded");
    assert_eq!(one.stats.peak_threads, 2);
    // One process of 2 workers makes the third task wait a round.
    assert_eq!(one.ends_ms(), [1010, 1010, 2020]);
}
