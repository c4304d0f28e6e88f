//! R-RUNTIME-*: what a runtime profile adds to a run (docs/model.md).

use crate::model::harness::{batch, batch_class, run, run_first, scenario_json};
use simbench::engine::TaskRecord;
use simbench::time::SimDuration;

/// Each task's end in microseconds, by task index (first class only);
/// panics on a fraction.
fn ends_us(records: &[TaskRecord]) -> Vec<u64> {
    let mut by_index: Vec<&TaskRecord> = records.iter().filter(|r| r.class == 0).collect();
    by_index.sort_by_key(|r| r.index);
    by_index
        .iter()
        .map(|r| {
            let ns = r.ended.as_nanos();
            assert_eq!(ns % 1_000, 0, "{ns} ns is not a whole number of microseconds");
            ns / 1_000
        })
        .collect()
}

/// `json` with a top-level `"runtime": runtime` (a JSON value).
fn with_runtime(json: &str, runtime: &str) -> String {
    json.replacen(r#"{"name": "t","#, &format!(r#"{{"name": "t", "runtime": {runtime},"#), 1)
}

const DOWNLOADS: &str =
    r#"[{"io": {"lognormal": {"median": "200ms", "p99": "1s"}}}, {"cpu": "2ms"}, {"sleep": "5ms"}]"#;
const STRATEGIES: &str = r#"["blocking", {"threaded": {"workers": 4}}, "cooperative",
    {"processes": {"workers": 2, "strategy": "blocking"}}]"#;

#[test]
fn r_runtime_ideal_adds_nothing() {
    // The default, "ideal" said explicitly, and cpython with every time
    // constant overridden to zero all run the same events at the same times.
    let plain = batch(50, DOWNLOADS, STRATEGIES);
    let zeroed = r#"{"profile": "cpython", "task_create": "0ns", "loop_step": "0ns", "gc_per_1000_live": "0ns",
        "timer_slack_loop": "0ns", "timer_slack_thread": "0ns", "thread_start": "0ns", "context_switch": "0ns",
        "timer_slack_loop_per_s": "0ns", "timer_slack_thread_per_s": "0ns", "gil_handoff": "0ns",
        "pool_start": "0ns", "process_start": "0ns", "process_dispatch": "0ns", "producer_step": "0ns", "loop_timeout_resolution": "0ns"}"#;
    for label in ["blocking", "threaded", "cooperative", "processes"] {
        let base = run(&plain, label);
        for runtime in [r#""ideal""#, zeroed] {
            let other = run(&with_runtime(&plain, runtime), label);
            assert_eq!(other.records, base.records, "{label} {runtime}");
            assert_eq!(other.stats, base.stats, "{label} {runtime}: same events, same counters");
        }
    }
}

#[test]
fn r_runtime_step_worked_example() {
    // task_create 10 µs, loop_step 1 µs, two coroutines sleeping 10 ms.
    // Creating both leaves 20 µs of debt; A's first resume pays 1 + 20 µs
    // (runs at 21 µs, sleeps to 10 021 µs), B's 1 µs (sleeps 22 → 10 022 µs).
    // Each wake-up is one more 1 µs step: A ends at 10 022, B at 10 023.
    let json = with_runtime(
        &batch(2, r#"[{"sleep": "10ms"}]"#, r#"["cooperative"]"#),
        r#"{"task_create": "10us", "loop_step": "1us"}"#,
    );
    let run = run_first(&json);
    assert_eq!(ends_us(&run.records), [10_022, 10_023]);
    assert_eq!(run.stats.cpu_busy, SimDuration::from_micros(24), "20 µs of creation + four 1 µs steps");
}

#[test]
fn r_runtime_gc_worked_example() {
    // gc_per_1000_live 1 ms = 1 µs per live coroutine per creation and step.
    // Creations with 1, 2, 3 alive: 6 µs of debt. Resumes with 3 alive cost
    // 3 µs: A runs at 3 + 6 = 9 µs, B at 12, C at 15; each io takes 1 ms.
    // Wake-ups: A (3 alive) ends at 1012; B (2 alive) 1014; C (1 alive) 1016.
    let json = with_runtime(&batch(3, r#"[{"io": "1ms"}]"#, r#"["cooperative"]"#), r#"{"gc_per_1000_live": "1ms"}"#);
    assert_eq!(ends_us(&run_first(&json).records), [1_012, 1_014, 1_016]);
}

#[test]
fn r_runtime_slack_applies_to_sleep_only() {
    // sleep 100 ms wakes 1 ms late on the loop, 2 ms late on a thread; io
    // and blocking calls wake on time.
    let program = r#"[{"sleep": "100ms"}, {"io": "100ms"}, {"blocking": "100ms"}]"#;
    let json = with_runtime(
        &batch(1, program, r#"["cooperative", "blocking"]"#),
        r#"{"timer_slack_loop": "1ms", "timer_slack_thread": "2ms"}"#,
    );
    assert_eq!(ends_us(&run(&json, "cooperative").records), [301_000]);
    assert_eq!(ends_us(&run(&json, "blocking").records), [302_000]);
}

#[test]
fn r_runtime_slack_grows_with_the_duration() {
    // 100 µs + 2 ms per second asked on the loop: a 10 ms sleep wakes
    // 120 µs late, a 100 ms sleep 300 µs late; on a thread 50 µs + 1 ms per
    // second: 60 µs and 150 µs.
    let program = r#"[{"sleep": "10ms"}, {"sleep": "100ms"}]"#;
    let json = with_runtime(
        &batch(1, program, r#"["cooperative", "blocking"]"#),
        r#"{"timer_slack_loop": "100us", "timer_slack_loop_per_s": "2ms",
            "timer_slack_thread": "50us", "timer_slack_thread_per_s": "1ms"}"#,
    );
    assert_eq!(ends_us(&run(&json, "cooperative").records), [10_000 + 120 + 100_000 + 300]);
    assert_eq!(ends_us(&run(&json, "blocking").records), [10_000 + 60 + 100_000 + 150]);
}

#[test]
fn r_runtime_thread_start_worked_example() {
    // A pool of 2 starts its threads one after another, 1 ms each: task 1
    // runs from 1 ms, task 2 from 2 ms; task 3 reuses task 1's thread at
    // 11 ms. The blocking strategy runs on the program's own thread.
    let json = with_runtime(
        &batch(3, r#"[{"io": "10ms"}]"#, r#"[{"threaded": {"workers": 2}}, "blocking"]"#),
        r#"{"thread_start": "1ms"}"#,
    );
    assert_eq!(ends_us(&run(&json, "threaded").records), [11_000, 12_000, 21_000]);
    assert_eq!(ends_us(&run(&json, "blocking").records), [10_000, 20_000, 30_000]);
}

#[test]
fn r_runtime_switch_context_switch_needs_the_gil() {
    // Two threads wake at 10 ms and each needs 1 ms of CPU to resume: under
    // the GIL one after the other (11, 12 ms), without it on 2 cores both at
    // 11 ms.
    let strategies = r#"[{"threaded": {"workers": 2}}, {"threaded": {"workers": 2, "gil": false, "label": "free"}}]"#;
    let json = with_runtime(
        &scenario_json(&batch_class("task", 2, r#"[{"io": "10ms"}]"#), strategies, ""),
        r#"{"context_switch": "1ms"}"#,
    );
    assert_eq!(ends_us(&run(&json, "threaded").records), [11_000, 12_000]);
    assert_eq!(ends_us(&run(&json, "free").records), [11_000, 11_000]);
}

#[test]
fn r_runtime_memory_uses_the_profile() {
    // 3 coroutines × 1000 B + 1 thread × 1 KiB.
    let json = with_runtime(
        &batch(3, r#"[{"io": "1ms"}]"#, r#"["cooperative"]"#),
        r#"{"memory_per_coroutine": 1000, "memory_per_thread": "1KiB"}"#,
    );
    let m = crate::model::harness::measure(&json, "cooperative");
    assert_eq!(m.result.modelled_memory_bytes, 3 * 1000 + 1024);
}

/// R-LOOP-CALLBACK's example: C blocks the loop from 5 to 15 ms and then
/// puts an item that P waits for; A's and B's timers expire at 10 and 12 ms,
/// while the loop is blocked. Each then runs 1 ms of CPU.
fn loop_callback_example(runtime: &str) -> String {
    loop_callback_with(runtime, r#"[{"sleep": "10ms"}, {"cpu": "1ms", "label": "A"}]"#)
}

/// [`loop_callback_example`] with A's program `a`.
fn loop_callback_with(runtime: &str, a: &str) -> String {
    let classes = [
        batch_class("c", 1, r#"[{"sleep": "5ms"}, {"blocking": "10ms"}, {"put": "q"}]"#),
        batch_class("p", 1, r#"[{"get": "q"}, {"cpu": "1ms", "label": "P"}]"#),
        batch_class("a", 1, a),
        batch_class("b", 1, r#"[{"sleep": "12ms"}, {"cpu": "1ms", "label": "B"}]"#),
    ]
    .join(", ");
    let extra = format!(r#""queues": {{"q": {{}}}}, "runtime": {runtime}"#);
    scenario_json(&classes, r#"["cooperative"]"#, &extra)
}

#[test]
fn r_loop_callback_a_timer_wakes_its_task_one_iteration_later() {
    // Under a profile (context_switch 1 ns makes it active and costs a
    // coroutine nothing), A's and B's timer callbacks are handles queued
    // before P's wake-up; the iteration at 15 ms runs them, and they
    // schedule A's and B's wake-ups behind P: P 15-16, A 16-17, B 17-18.
    let run = run_first(&loop_callback_example(r#"{"context_switch": "1ns"}"#));
    let ends = ["P", "A", "B"].map(|label| run.ended_ms(label));
    assert_eq!(ends, [vec![16], vec![17], vec![18]]);
    // The ideal model wakes A and B directly: A 15-16, B 16-17, P 17-18.
    let ideal = run_first(&loop_callback_example(r#""ideal""#));
    let ends = ["P", "A", "B"].map(|label| ideal.ended_ms(label));
    assert_eq!(ends, [vec![18], vec![16], vec![17]]);
}

#[test]
fn r_loop_callback_lag_counts_from_the_timer() {
    // A watchdog's measure: A's timer was due at 10 ms and A ran at 16 ms.
    let run = run_first(&loop_callback_example(r#"{"context_switch": "1ns"}"#));
    let lags: Vec<u64> = run.lags.iter().map(|l| l.as_nanos() / 1_000_000).collect();
    assert!(lags.contains(&6), "A's lag is 16 - 10 ms: {lags:?}");
    assert!(lags.contains(&5), "B's lag is 17 - 12 ms: {lags:?}");
}

#[test]
fn r_loop_callback_covers_every_end_from_outside_the_loop() {
    // A's wait ends at 10 ms, outside the loop, in two other ways: a
    // service's answer and a to_thread body's end (call_soon_threadsafe):
    // each is a callback queued before P's wake-up, so P computes 15-16 ms
    // and A 16-17 (ideal: A first, 15-16).
    let waits = [
        r#"[{"call": "api"}, {"cpu": "1ms", "label": "A"}]"#,
        r#"[{"to_thread": [{"io": "10ms"}]}, {"cpu": "1ms", "label": "A"}]"#,
    ];
    for a in waits {
        let json = loop_callback_with(r#"{"context_switch": "1ns"}"#, a).replacen(
            r#""queues""#,
            r#""services": {"api": {"service": "10ms"}}, "queues""#,
            1,
        );
        let run = run_first(&json);
        assert_eq!([run.ended_ms("P"), run.ended_ms("A")], [vec![16], vec![17]], "{a}");
        let ideal = run_first(&json.replace(r#"{"context_switch": "1ns"}"#, r#""ideal""#));
        assert_eq!([ideal.ended_ms("A"), ideal.ended_ms("P")], [vec![16], vec![18]], "{a}");
    }
}
