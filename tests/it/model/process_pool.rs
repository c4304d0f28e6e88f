//! R-PROCESS-POOL: a process pool's parent starts its workers one after
//! another, then hands a pool of single-task workers its tasks one at a
//! time (`pool_start`, `process_start`, `process_dispatch`).

use crate::model::harness::{batch_class, class, run, scenario_json};

const POOL: &str = r#"{"processes": {"workers": 2, "strategy": "blocking", "label": "pool"}}"#;
const SERVERS: &str = r#"{"processes": {"workers": 2, "strategy": "cooperative", "label": "servers"}}"#;

fn with_runtime(classes: &str, runtime: &str) -> String {
    scenario_json(classes, &format!("[{POOL}, {SERVERS}]"), &format!(r#""runtime": {runtime}"#))
}

#[test]
fn r_process_pool_tasks_wait_for_the_workers_to_start() {
    // pool_start 2 ms, process_start 1 ms per worker: both take tasks from
    // 2 + 2 × 1 = 4 ms. Four tasks of io 10 ms at 0: 14, 14, 24, 24 ms in a
    // pool; a server's processes start the same way: 14 ms each.
    let json = with_runtime(
        &batch_class("task", 4, r#"[{"io": "10ms"}]"#),
        r#"{"pool_start": "2ms", "process_start": "1ms"}"#,
    );
    let pool = run(&json, "pool");
    assert_eq!(pool.ends_ms(), [14, 14, 24, 24]);
    // Latency counts from the arrival: the wait for the start is in it.
    assert_eq!(pool.latencies_ms(), [14, 14, 24, 24]);
    assert_eq!(run(&json, "servers").ends_ms(), [14, 14, 14, 14]);
}

#[test]
fn r_process_pool_parent_sends_one_task_at_a_time() {
    // process_dispatch 2 ms; a task every 1 ms (0, 1, 2, 3 ms) of io 10 ms.
    // The parent sends them at 2, 4, 6 and 8 ms, each behind the one
    // before (task 3 goes to process 1, which never saw task 2, yet waits
    // for it: every process keeps the parent's one chain). Process 0 runs
    // task 0 from 2 ms (ends 12) then task 2 (12 -> 22); process 1 task 1
    // from 4 ms (14) then task 3 (14 -> 24).
    let classes = class("task", r#"{"interval": {"every": "1ms", "count": 4}}"#, r#"[{"io": "10ms"}]"#);
    let json = with_runtime(&classes, r#"{"process_dispatch": "2ms"}"#);
    assert_eq!(run(&json, "pool").ends_ms(), [12, 14, 22, 24]);
    // A server's processes take their requests themselves: no dispatch.
    assert_eq!(run(&json, "servers").ends_ms(), [10, 11, 12, 13]);
}

#[test]
fn r_process_pool_idle_parent_sends_at_the_arrival() {
    // Arrivals 10 ms apart, dispatch 1 ms: the parent is idle at each, so
    // each task reaches its worker 1 ms after it arrives.
    let classes = class("task", r#"{"interval": {"every": "10ms", "count": 3}}"#, r#"[{"io": "5ms"}]"#);
    let json = with_runtime(&classes, r#"{"process_dispatch": "1ms"}"#);
    assert_eq!(run(&json, "pool").ends_ms(), [6, 16, 26]);
}
