//! R-TIMEOUT-*: `timeout` (asyncio.wait_for) under each strategy.

use crate::model::harness::{batch, batch_class, ms, run, run_all, run_batch, run_first, scenario_json};
use simbench::engine::Outcome;

/// A 1 s budget around 3 s of io, then a step that must never run.
const EXPIRES: &str = r#"[{"timeout": {"after": "1s", "program": [{"io": "3s", "label": "call"}]}},
    {"io": "1s", "label": "rest"}]"#;

#[test]
fn r_timeout_in_time_costs_nothing() {
    let program = r#"[{"timeout": {"after": "2s", "program": [{"io": "1s"}]}}, {"io": "1s", "label": "rest"}]"#;
    for (label, run) in run_all(&batch(1, program, r#"["blocking", "threaded", "cooperative"]"#)) {
        assert_eq!(run.outcomes(), [Outcome::Completed], "{label}");
        assert_eq!(run.began_ms("rest"), [1000], "{label}");
        assert_eq!(run.ends_ms(), [2000], "{label}");
    }
}

#[test]
fn r_timeout_cooperative_ends_the_task_at_the_expiry() {
    let run = run_batch(1, EXPIRES, r#""cooperative""#);
    assert_eq!(run.outcomes(), [Outcome::TimedOut]);
    assert_eq!(run.latencies_ms(), [1000]);
    assert_eq!(run.makespan_ms(), 1000);
    // The call is cancelled at its await: it never completes, and the
    // remaining step never runs.
    assert!(run.ended_ms("call").is_empty());
    assert!(run.began_ms("rest").is_empty());
}

#[test]
fn r_timeout_cooperative_cancels_every_coroutine_of_the_task() {
    let program = r#"[{"timeout": {"after": "1s", "program": [{"gather": [
            [{"io": "5s", "label": "child"}],
            [{"spawn": {"name": "s", "program": [{"io": "5s", "label": "child"}]}}, {"join": "s"}]]}]}}]"#;
    let run = run_batch(1, program, r#""cooperative""#);
    assert_eq!(run.outcomes(), [Outcome::TimedOut]);
    assert_eq!(run.ends_ms(), [1000]);
    assert_eq!(run.began_ms("child"), [0, 0]);
    assert!(run.ended_ms("child").is_empty(), "a cancelled coroutine's io completed");
}

#[test]
fn r_timeout_cooperative_expiry_waits_for_an_occupied_loop() {
    // B computes 0.5–1.5 s; A's budget expires at 1 s but the loop delivers
    // the expiry only at 1.5 s.
    let classes = [
        batch_class("a", 1, r#"[{"timeout": {"after": "1s", "program": [{"io": "5s"}]}}]"#),
        batch_class("b", 1, r#"[{"io": "500ms"}, {"cpu": "1s"}]"#),
    ]
    .join(", ");
    let run = run_first(&scenario_json(&classes, r#"["cooperative"]"#, ""));
    assert_eq!(run.outcomes_of(0), [Outcome::TimedOut]);
    assert_eq!(run.ends_ms_of(0), [1500]);
    assert_eq!(run.ends_ms_of(1), [1500]);
}

#[test]
fn r_timeout_cooperative_returns_permits_at_the_expiry() {
    // A holds `one` inside its budget; B asks at 10 ms and gets it when A's
    // budget expires at 1 s.
    let classes = [
        batch_class(
            "a",
            1,
            r#"[{"timeout": {"after": "1s", "program": [{"limit": {"pool": "one", "program": [{"io": "5s"}]}}]}}]"#,
        ),
        batch_class("b", 1, r#"[{"io": "10ms"}, {"limit": {"pool": "one", "program": [{"io": "1s"}]}}]"#),
    ]
    .join(", ");
    let run = run_first(&scenario_json(&classes, r#"["cooperative"]"#, ""));
    assert_eq!(run.outcomes_of(0), [Outcome::TimedOut]);
    assert_eq!(run.ends_ms_of(1), [2000]);
}

#[test]
fn r_timeout_threads_records_the_expiry_but_the_thread_runs_on() {
    // One thread. Task 0 times out at 1 s (latency 1 s), but its call runs to
    // 3 s and its remaining step is skipped; task 1 starts at 3 s, times out
    // at 4 s (latency 4 s) and holds the thread until 6 s.
    let blocking = r#"["blocking", {"threaded": {"workers": 1, "label": "threaded-1"}}]"#;
    for (label, run) in run_all(&batch(2, EXPIRES, blocking)) {
        assert_eq!(run.outcomes(), [Outcome::TimedOut; 2], "{label}");
        assert_eq!(run.ends_ms(), [1000, 4000], "{label}");
        assert_eq!(run.latencies_ms(), [1000, 4000], "{label}");
        assert_eq!(run.ended_ms("call"), [3000, 6000], "{label}");
        assert!(run.began_ms("rest").is_empty(), "{label}: a step after the timeout ran");
        let starts: Vec<u64> = run.records.iter().map(|r| ms(r.started.unwrap())).collect();
        assert_eq!(starts, [0, 3000], "{label}");
        assert_eq!(run.makespan_ms(), 4000, "{label}");
        assert_eq!(ms(run.stats.end), 6000, "{label}");
    }
}

#[test]
fn r_timeout_threads_queued_tasks_wait_behind_abandoned_calls() {
    // The shape of scenarios/timeouts.json with fixed durations: ten 10 s
    // calls under a 5 s budget. Cooperative: all time out at 5 s. Five
    // workers: the first five time out at 5 s but hold their workers until
    // 10 s; the other five start then and time out at 15 s.
    let program = r#"[{"timeout": {"after": "5s", "program": [{"io": "10s"}]}}]"#;
    let json = batch(10, program, r#"["cooperative", {"threaded": {"workers": 5}}]"#);
    let coop = run(&json, "cooperative");
    assert_eq!(coop.ends_ms(), [5000; 10]);
    assert_eq!(coop.makespan_ms(), 5000);
    let threads = run(&json, "threaded");
    assert_eq!(threads.outcomes(), [Outcome::TimedOut; 10]);
    assert_eq!(threads.ends_ms(), [5000, 5000, 5000, 5000, 5000, 15000, 15000, 15000, 15000, 15000]);
    assert_eq!(threads.makespan_ms(), 15000);
}
