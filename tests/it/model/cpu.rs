//! R-CPU-*: CPU work under each strategy, with and without the GIL.

use crate::model::harness::{batch, batch_class, run_batch, run_first, scenario_json, with_cores};
use simbench::time::SimDuration;

const CPU_10MS: &str = r#"[{"cpu": "10ms"}]"#;
const GIL_2: &str = r#"{"threaded": {"workers": 2}}"#;

/// Ends (ms) of `count` tasks of `program` under `strategy` on `cores` cores.
fn ends_on(cores: u32, count: u64, program: &str, strategy: &str) -> Vec<u64> {
    run_first(&with_cores(&batch(count, program, &format!("[{strategy}]")), cores)).ends_ms()
}

#[test]
fn r_cpu_blocking_computes_one_task_at_a_time_on_one_core() {
    // Two cores, but one thread: 10 then 20 ms.
    let run = run_batch(2, CPU_10MS, r#""blocking""#);
    assert_eq!(run.ends_ms(), [10, 20]);
    assert_eq!(run.stats.cpu_busy, SimDuration::from_millis(20));
    // The thread holds the task through its io too.
    assert_eq!(run_batch(2, r#"[{"cpu": "10ms"}, {"io": "10ms"}]"#, r#""blocking""#).ends_ms(), [20, 40]);
}

#[test]
fn r_cpu_gil_worked_example_two_threads() {
    // A 0–5, B 5–10, A 10–15 (done), B 15–20 (done), whatever the cores.
    for cores in [1, 2, 8] {
        assert_eq!(ends_on(cores, 2, CPU_10MS, GIL_2), [15, 20], "{cores} cores");
    }
    let run = run_batch(2, CPU_10MS, GIL_2);
    assert_eq!(run.stats.cpu_busy, SimDuration::from_millis(20));
}

#[test]
fn r_cpu_gil_three_threads_take_turns_in_fifo_order() {
    // A 0–5, B 5–10, C 10–15, A 15–20 (done), B 20–25 (done), C 25–30 (done).
    let three = r#"{"threaded": {"workers": 3}}"#;
    assert_eq!(ends_on(8, 3, CPU_10MS, three), [20, 25, 30]);
}

#[test]
fn r_cpu_gil_holder_keeps_it_while_nobody_waits() {
    // Alone, a thread runs its 10 ms through, switch interval or not.
    assert_eq!(run_batch(1, CPU_10MS, GIL_2).ends_ms(), [10]);
    // A 0–5; B (3 ms) 5–8 and done; A, alone again, 8–13.
    let classes = [batch_class("a", 1, CPU_10MS), batch_class("b", 1, r#"[{"cpu": "3ms"}]"#)].join(", ");
    let run = run_first(&scenario_json(&classes, &format!("[{GIL_2}]"), ""));
    assert_eq!((run.ends_ms_of(0), run.ends_ms_of(1)), (vec![13], vec![8]));
}

#[test]
fn r_cpu_gil_a_thread_asking_mid_interval_waits_for_the_switch() {
    // B wants the GIL at 2 ms, while A holds it; A releases it at the end of
    // its interval (5 ms): B 5–9 (done), A 9–14 (done).
    let classes = [batch_class("a", 1, CPU_10MS), batch_class("b", 1, r#"[{"io": "2ms"}, {"cpu": "4ms"}]"#)].join(", ");
    let run = run_first(&scenario_json(&classes, &format!("[{GIL_2}]"), ""));
    assert_eq!((run.ends_ms_of(0), run.ends_ms_of(1)), (vec![14], vec![9]));
}

#[test]
fn r_cpu_gil_switch_interval_is_configurable() {
    // 1 ms interval, 2 ms each: A 0–1, B 1–2, A 2–3, B 3–4.
    let strategy = r#"{"threaded": {"workers": 2, "switch_interval": "1ms"}}"#;
    assert_eq!(run_batch(2, r#"[{"cpu": "2ms"}]"#, strategy).ends_ms(), [3, 4]);
}

#[test]
fn r_cpu_nogil_worked_example_on_two_cores() {
    let nogil = r#"{"threaded": {"workers": 3, "gil": false}}"#;
    assert_eq!(ends_on(2, 2, CPU_10MS, nogil), [10, 10]);
    // A and B run 0–5; C takes A's core at 5 and A takes B's (round robin);
    // B waits 5–10. At 10 A is done, B takes C's core; B and C end at 15.
    assert_eq!(ends_on(2, 3, CPU_10MS, nogil), [10, 15, 15]);
    let run = run_first(&with_cores(&batch(3, CPU_10MS, &format!("[{nogil}]")), 2));
    assert_eq!(run.stats.cpu_busy, SimDuration::from_millis(30));
}

#[test]
fn r_cpu_nogil_more_threads_than_cores_share_them_round_robin() {
    // 4 × 10 ms on 2 cores: A, B 0–5; C, D 5–10; A, B 10–15; C, D 15–20.
    let nogil = r#"{"threaded": {"workers": 4, "gil": false}}"#;
    assert_eq!(ends_on(2, 4, CPU_10MS, nogil), [15, 15, 20, 20]);
    // One core: the same as one GIL.
    assert_eq!(ends_on(1, 2, CPU_10MS, nogil), [15, 20]);
}

#[test]
fn r_cpu_nogil_a_thread_uses_at_most_one_core() {
    // Spare cores do not speed a thread up: 10 ms of work takes 10 ms.
    let nogil = r#"{"threaded": {"workers": 2, "gil": false}}"#;
    assert_eq!(ends_on(4, 2, CPU_10MS, nogil), [10, 10]);
}

#[test]
fn r_cpu_cooperative_worked_example() {
    assert_eq!(run_batch(2, CPU_10MS, r#""cooperative""#).ends_ms(), [10, 20]);
}

#[test]
fn r_cpu_cooperative_blocks_coroutines_whose_io_completed() {
    // A's first io completes at 1 ms, but B computes 0–10 ms: A resumes at
    // 10 ms and its second io ends at 11 ms, not 2 ms.
    let classes = [batch_class("a", 1, r#"[{"io": "1ms"}, {"io": "1ms"}]"#), batch_class("b", 1, CPU_10MS)].join(", ");
    let run = run_first(&scenario_json(&classes, r#"["cooperative"]"#, ""));
    assert_eq!((run.ends_ms_of(0), run.ends_ms_of(1)), (vec![11], vec![10]));
}

#[test]
fn r_cpu_cooperative_loop_uses_one_core() {
    assert_eq!(ends_on(4, 4, CPU_10MS, r#""cooperative""#), [10, 20, 30, 40]);
}
