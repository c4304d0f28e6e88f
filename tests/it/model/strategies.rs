//! R-BLOCKING, R-THREADED, R-COOPERATIVE, R-MAX-CONCURRENCY, R-LOOP: who
//! executes tasks, and in which order.

use crate::model::harness::{batch, batch_class, class, measure, ms, run, run_batch, run_first, scenario_json};
use simbench::engine::Outcome;

const DOWNLOAD: &str = r#"[{"io": "5s"}]"#;

/// Class 0 `slow`: one 3 s task; class 1 `fast`: three 1 s tasks, all at 0.
fn slow_then_fast(strategy: &str) -> String {
    let classes = [batch_class("slow", 1, r#"[{"io": "3s"}]"#), batch_class("fast", 3, r#"[{"io": "1s"}]"#)].join(", ");
    scenario_json(&classes, &format!("[{strategy}]"), "")
}

#[test]
fn r_blocking_worked_example_sequential_downloads() {
    let json = batch(3, DOWNLOAD, r#"["blocking"]"#);
    let run = run_first(&json);
    assert_eq!(run.ends_ms(), [5000, 10000, 15000]);
    assert_eq!(run.makespan_ms(), 15000);
    // Latencies 5, 10, 15 s: p50 is 10 s, to the histogram's precision
    // (three significant digits).
    let p50 = measure(&json, "blocking").result.latency_s.p50;
    assert!((p50 - 10.0).abs() <= 0.01, "p50 {p50}");
}

#[test]
fn r_blocking_runs_tasks_in_arrival_order() {
    // FIFO, not shortest first: the 3 s task arrived first.
    let run = run_first(&slow_then_fast(r#""blocking""#));
    assert_eq!(run.ends_ms_of(0), [3000]);
    assert_eq!(run.ends_ms_of(1), [4000, 5000, 6000]);
    // Tasks arriving over time start when the thread is free.
    let json = scenario_json(
        &class("task", r#"{"interval": {"every": "100ms", "count": 3}}"#, r#"[{"io": "1s"}]"#),
        r#"["blocking"]"#,
        "",
    );
    let run = run_first(&json);
    assert_eq!(run.ends_ms(), [1000, 2000, 3000]);
    let starts: Vec<u64> = run.records.iter().map(|r| ms(r.started.unwrap())).collect();
    assert_eq!(starts, [0, 1000, 2000]);
}

#[test]
fn r_threaded_worked_example() {
    let two = r#"{"threaded": {"workers": 2}}"#;
    assert_eq!(run_batch(3, DOWNLOAD, two).ends_ms(), [5000, 5000, 10000]);
    for workers in [3, 4, 10] {
        let strategy = format!(r#"{{"threaded": {{"workers": {workers}}}}}"#);
        assert_eq!(run_batch(3, DOWNLOAD, &strategy).ends_ms(), [5000, 5000, 5000], "{workers} workers");
    }
}

#[test]
fn r_threaded_workers_take_tasks_in_arrival_order() {
    // Two workers: slow holds one for 3 s; the fast tasks queue for the other.
    let run = run_first(&slow_then_fast(r#"{"threaded": {"workers": 2}}"#));
    assert_eq!(run.ends_ms_of(0), [3000]);
    assert_eq!(run.ends_ms_of(1), [1000, 2000, 3000]);
}

#[test]
fn r_threaded_task_keeps_its_worker_until_it_ends() {
    // A worker is not lent out while its task awaits between steps: the third
    // task starts only when a whole two-step task has ended.
    let run = run_batch(3, r#"[{"io": "1s"}, {"sleep": "1s"}]"#, r#"{"threaded": {"workers": 2}}"#);
    assert_eq!(run.ends_ms(), [2000, 2000, 4000]);
}

#[test]
fn r_cooperative_worked_example() {
    assert_eq!(run_batch(3, DOWNLOAD, r#""cooperative""#).ends_ms(), [5000, 5000, 5000]);
    let many = run_batch(1000, DOWNLOAD, r#""cooperative""#);
    assert!(many.ends_ms().iter().all(|&end| end == 5000));
    assert_eq!(many.stats.peak_coroutines, 1000);
}

#[test]
fn r_max_concurrency_worked_example() {
    let run = run_batch(3, DOWNLOAD, r#"{"cooperative": {"max_concurrency": 2}}"#);
    assert_eq!(run.ends_ms(), [5000, 5000, 10000]);
}

#[test]
fn r_max_concurrency_admits_waiting_tasks_in_arrival_order() {
    // M = 2: slow and fast 0 are admitted at 0; fast 1 when fast 0 ends at
    // 1 s, fast 2 at 2 s; slow ends at 3 s.
    let json = slow_then_fast(r#"{"cooperative": {"max_concurrency": 2}}"#);
    let run = run_first(&json);
    assert_eq!(run.ends_ms_of(0), [3000]);
    assert_eq!(run.ends_ms_of(1), [1000, 2000, 3000]);
    // Waits: 0, 0, 1 and 2 s, mean 0.75 s.
    assert_eq!(measure(&json, "cooperative").result.wait_s.mean, 0.75);
}

#[test]
fn r_max_concurrency_frees_a_place_when_a_task_fails_or_times_out() {
    let classes = [
        batch_class("failing", 1, r#"[{"io": "1s", "fail": 1.0}, {"io": "5s"}]"#),
        batch_class("late", 1, r#"[{"io": "1s"}]"#),
    ]
    .join(", ");
    let run = run_first(&scenario_json(&classes, r#"[{"cooperative": {"max_concurrency": 1}}]"#, ""));
    assert_eq!(run.outcomes_of(0), [Outcome::Failed]);
    assert_eq!(run.ends_ms_of(1), [2000]);
    let classes = [
        batch_class("slow", 1, r#"[{"timeout": {"after": "1s", "program": [{"io": "5s"}]}}]"#),
        batch_class("late", 1, r#"[{"io": "1s"}]"#),
    ]
    .join(", ");
    let run = run_first(&scenario_json(&classes, r#"[{"cooperative": {"max_concurrency": 1}}]"#, ""));
    assert_eq!(run.outcomes_of(0), [Outcome::TimedOut]);
    assert_eq!(run.ends_ms_of(1), [2000]);
}

#[test]
fn r_loop_runs_a_coroutine_without_interruption_between_awaits() {
    // Two cpu steps in a row contain no await: A keeps the loop for 20 ms
    // before B (ready since 0) runs.
    let classes =
        [batch_class("a", 1, r#"[{"cpu": "10ms"}, {"cpu": "10ms"}]"#), batch_class("b", 1, r#"[{"cpu": "10ms"}]"#)]
            .join(", ");
    let run = run(&scenario_json(&classes, r#"["cooperative"]"#, ""), "cooperative");
    assert_eq!(run.ends_ms_of(0), [20]);
    assert_eq!(run.ends_ms_of(1), [30]);
}

#[test]
fn r_loop_ready_queue_is_fifo_in_order_of_readiness() {
    // B's io completes first (1 ms), so B runs its cpu first, although A
    // arrived first.
    let classes = [
        batch_class("a", 1, r#"[{"io": "2ms"}, {"cpu": "10ms"}]"#),
        batch_class("b", 1, r#"[{"io": "1ms"}, {"cpu": "10ms"}]"#),
    ]
    .join(", ");
    let run = run(&scenario_json(&classes, r#"["cooperative"]"#, ""), "cooperative");
    assert_eq!(run.ends_ms_of(1), [11]);
    assert_eq!(run.ends_ms_of(0), [21]);
}

#[test]
fn r_loop_occupied_loop_delays_every_ready_coroutine() {
    // All three are ready at 0. A starts its io (done at 5 ms) and yields; B
    // computes 0–10 ms, C 10–20 ms; A, ready since 5 ms, joined the queue
    // behind C and computes 20–21 ms.
    let classes = [
        batch_class("a", 1, r#"[{"io": "5ms"}, {"cpu": "1ms"}]"#),
        batch_class("b", 1, r#"[{"cpu": "10ms"}]"#),
        batch_class("c", 1, r#"[{"cpu": "10ms"}]"#),
    ]
    .join(", ");
    let run = run(&scenario_json(&classes, r#"["cooperative"]"#, ""), "cooperative");
    assert_eq!((run.ends_ms_of(0), run.ends_ms_of(1), run.ends_ms_of(2)), (vec![21], vec![10], vec![20]));
}
