//! R-SPAWN-DETACHED-*: `spawn` with `detached: true` (asyncio.create_task,
//! never awaited).

use crate::model::harness::{batch, batch_class, run, run_batch, scenario_json};
use simbench::engine::Outcome;

const LOG: &str = r#"[{"spawn": {"name": "log", "detached": true, "program": [{"io": "300ms", "label": "log"}]}},
    {"io": "100ms", "label": "work"}]"#;

#[test]
fn r_spawn_detached_worked_example() {
    // max_concurrency 1: task 0 completes at 100 ms, its log holds the slot
    // to 300 ms; task 1 is admitted then, completes at 400, its log at 600.
    let run = run_batch(2, LOG, r#"{"cooperative": {"max_concurrency": 1}}"#);
    assert_eq!(run.ends_ms(), [100, 400]);
    assert_eq!(run.latencies_ms(), [100, 400]);
    assert_eq!(run.began_ms("work"), [0, 300]);
    assert_eq!(run.ended_ms("log"), [300, 600]);
    assert_eq!(run.outcomes(), [Outcome::Completed, Outcome::Completed]);
}

#[test]
fn r_spawn_detached_makespan_ends_at_the_last_outcome() {
    // R-SPAWN-DETACHED-MAKESPAN: 400 ms, though the last log ends at 600.
    let run = run_batch(2, LOG, r#"{"cooperative": {"max_concurrency": 1}}"#);
    assert_eq!(run.makespan_ms(), 400);
    assert_eq!(run.stats.detached_pending, Some(0));
}

#[test]
fn r_spawn_detached_failures_are_ignored() {
    let program = r#"[{"spawn": {"name": "x", "detached": true, "program": [{"io": "100ms", "fail": 1.0}]}},
        {"io": "200ms"}]"#;
    let run = run_batch(1, program, r#""cooperative""#);
    assert_eq!((run.outcomes(), run.ends_ms()), (vec![Outcome::Completed], vec![200]));
}

#[test]
fn r_spawn_detached_outlives_a_failure_of_its_task() {
    // The task fails at 100 ms; the detached log still runs to 300 ms.
    let program = r#"[{"spawn": {"name": "log", "detached": true, "program": [{"io": "300ms", "label": "log"}]}},
        {"io": "100ms", "fail": 1.0}]"#;
    let run = run_batch(1, program, r#""cooperative""#);
    assert_eq!((run.outcomes(), run.ends_ms()), (vec![Outcome::Failed], vec![100]));
    assert_eq!(run.ended_ms("log"), [300]);
}

#[test]
fn r_spawn_detached_join_still_awaits_it() {
    let program = r#"[{"spawn": {"name": "a", "detached": true, "program": [{"io": "300ms"}]}},
        {"join": "a"}, {"io": "100ms"}]"#;
    assert_eq!(run_batch(1, program, r#""cooperative""#).ends_ms(), [400]);
}

#[test]
fn r_spawn_detached_pending_counts_programs_running_at_the_horizon() {
    let program = r#"[{"spawn": {"name": "log", "detached": true, "program": [{"io": "1s"}]}}, {"io": "100ms"}]"#;
    let json = scenario_json(&batch_class("task", 1, program), r#"["cooperative"]"#, r#""horizon": "200ms""#);
    let run = run(&json, "cooperative");
    assert_eq!((run.outcomes(), run.ends_ms()), (vec![Outcome::Completed], vec![100]));
    assert_eq!(run.stats.detached_pending, Some(1));
}

#[test]
fn r_spawn_detached_threads_runs_it_inline() {
    // 300 ms log, then 100 ms: 400 ms per task, one after another.
    let run = run(&batch(2, LOG, r#"["blocking"]"#), "blocking");
    assert_eq!(run.ends_ms(), [400, 800]);
    assert_eq!(run.began_ms("work"), [300, 700]);
}
