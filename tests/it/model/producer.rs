//! R-PRODUCER: under a profile with `producer_step`, open-loop arrivals are
//! made by a producer that sleeps until each one (late by the timer
//! slack), must get the loop or the GIL to run, and pays `producer_step`
//! per arrival; latency still counts from the scheduled arrival.

use crate::model::harness::{Run, batch_class, class, run, scenario_json};
use simbench::time::SimTime;

const STRATEGIES: &str = r#"[{"cooperative": {"label": "loop"}},
    {"threaded": {"workers": 2, "label": "threads"}}, {"blocking": {"label": "seq"}},
    {"processes": {"workers": 1, "strategy": "cooperative", "label": "procs"}}]"#;

fn with_runtime(classes: &str, runtime: &str) -> String {
    scenario_json(classes, STRATEGIES, &format!(r#""runtime": {runtime}"#))
}

fn started_ms(run: &Run, class: u16) -> Vec<u64> {
    let mut records: Vec<_> = run.records.iter().filter(|r| r.class == class).collect();
    records.sort_by_key(|r| r.index);
    records.iter().map(|r| (r.started.unwrap() - SimTime::ZERO).as_nanos() / 1_000_000).collect()
}

#[test]
fn r_producer_sleep_wakes_late_by_the_timer_slack() {
    // producer_step 1 ms, slack 2 ms on the loop and on threads; a task
    // every 10 ms of io 5 ms. The first arrival is due at once (no sleep):
    // the producer makes it at 0 -> 1 ms, the task runs 1 -> 6. It sleeps
    // from 1 ms for 9 ms, wakes at 12 (10 + 2), makes the second by 13:
    // 13 -> 18. Latency counts from the schedule (0 and 10 ms).
    let classes = class("req", r#"{"interval": {"every": "10ms", "count": 2}}"#, r#"[{"io": "5ms"}]"#);
    let json =
        with_runtime(&classes, r#"{"producer_step": "1ms", "timer_slack_loop": "2ms", "timer_slack_thread": "2ms"}"#);
    for label in ["loop", "threads"] {
        let r = run(&json, label);
        assert_eq!(r.ends_ms(), [6, 18], "{label}");
        assert_eq!(r.arrivals_ms_of(0), [0, 10], "{label}");
        assert_eq!(r.latencies_ms(), [6, 8], "{label}");
    }
    // `blocking`: the one thread is the producer; its CPU is left out. It
    // makes the first at 0, sleeps from 0 for 10 ms, wakes at 12.
    assert_eq!(run(&json, "seq").ends_ms(), [5, 17]);
    // A process pool's parent makes the arrivals (R-PROCESS-POOL): no
    // producer in the process.
    assert_eq!(run(&json, "procs").ends_ms(), [5, 15]);
}

#[test]
fn r_producer_off_with_a_zero_step() {
    // The same profile with producer_step 0: arrivals appear at their
    // instants, as under `ideal` (io steps wake on time, R-RUNTIME-SLACK).
    let classes = class("req", r#"{"interval": {"every": "10ms", "count": 2}}"#, r#"[{"io": "5ms"}]"#);
    let json = with_runtime(&classes, r#"{"timer_slack_loop": "2ms", "timer_slack_thread": "2ms"}"#);
    for label in ["loop", "threads", "seq"] {
        assert_eq!(run(&json, label).ends_ms(), [5, 15], "{label}");
    }
}

#[test]
fn r_producer_waits_for_the_loop() {
    // Cooperative, producer_step 1 ms, a task every 10 ms of cpu 15 ms. The
    // producer makes the first at 0 -> 1 ms (runs 1 -> 16). Its wake-up for
    // the second (due 10) waits for the loop, busy until 16: it makes it
    // 16 -> 17 (runs 17 -> 32); the third (due 20) likewise 32 -> 33, 48.
    // Without a producer: 15, 30, 45.
    let classes = class("req", r#"{"interval": {"every": "10ms", "count": 3}}"#, r#"[{"cpu": "15ms"}]"#);
    let r = run(&with_runtime(&classes, r#"{"producer_step": "1ms"}"#), "loop");
    assert_eq!(r.ends_ms(), [16, 32, 48]);
    assert_eq!(r.latencies_ms(), [16, 22, 28]);
    let plain = run(&with_runtime(&classes, r#""ideal""#), "loop");
    assert_eq!(plain.ends_ms(), [15, 30, 45]);
}

#[test]
fn r_producer_behind_schedule_makes_the_overdue_arrivals_back_to_back() {
    // A coroutine computes 25 ms from 0; a request is due every 5 ms (0,
    // 5, 10, 15). The producer's first wake-up waits for the loop until
    // 25, then it makes all four without sleeping, 1 ms each (25 -> 29);
    // they start together in the next iteration, at 29.
    let classes = format!(
        "{}, {}",
        batch_class("hog", 1, r#"[{"cpu": "25ms"}]"#),
        class("req", r#"{"interval": {"every": "5ms", "count": 4}}"#, r#"[{"io": "1ms"}]"#)
    );
    let r = run(&with_runtime(&classes, r#"{"producer_step": "1ms"}"#), "loop");
    assert_eq!(started_ms(&r, 1), [29, 29, 29, 29]);
    assert_eq!(r.ends_ms_of(1), [30, 30, 30, 30]);
    assert_eq!(r.arrivals_ms_of(1), [0, 5, 10, 15]);
}

#[test]
fn r_producer_on_a_thread_takes_the_gil_back() {
    // Threaded with the GIL (switch interval 5 ms), producer_step 1 ms: a
    // thread computes 30 ms from 0. The producer, due at 0, waits for the
    // GIL: its timed wait ends at 5 ms, the holder drops it, the producer
    // runs 5 -> 6 and the request starts at 6, its arrival still 0.
    let classes = format!(
        "{}, {}",
        batch_class("hog", 1, r#"[{"cpu": "30ms"}]"#),
        class("req", r#"{"interval": {"every": "100ms", "count": 1}}"#, r#"[{"io": "1ms"}]"#)
    );
    let r = run(&with_runtime(&classes, r#"{"producer_step": "1ms"}"#), "threads");
    assert_eq!(started_ms(&r, 1), [6]);
    assert_eq!(r.arrivals_ms_of(1), [0]);
}
