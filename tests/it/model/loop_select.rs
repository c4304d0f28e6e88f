//! R-LOOP-SELECT: with a profile's `loop_timeout_resolution`, a loop with
//! nothing ready waits in its selector for the earliest timer, its timeout
//! rounded up to the resolution (`EpollSelector.select` in Lib/selectors.py
//! counts whole milliseconds) and late by the kernel's slack on that wait;
//! a loop still busy when a timer comes due runs it at its next iteration,
//! neither rounded nor late; an I/O completion that wakes the selector
//! first also releases every timer due by then, after the I/O's callback.

use crate::model::harness::{Run, batch_class, class, run, scenario_json};

const LOOP: &str = r#"[{"cooperative": {"label": "loop"}}]"#;

fn with_runtime(classes: &[String], runtime: &str) -> String {
    scenario_json(&classes.join(", "), LOOP, &format!(r#""runtime": {runtime}"#))
}

/// Resolution 1 ms, slack 100 µs on the loop (no growth with the duration).
const ROUNDED: &str = r#"{"loop_timeout_resolution": "1ms", "timer_slack_loop": "100us"}"#;

/// A coroutine that sleeps 10.5 ms (class 0) beside one running `other`
/// (class 1, named `name`), both from t = 0, under [`ROUNDED`].
fn sleeper_beside(name: &str, other: &str) -> Run {
    let classes = [batch_class("sleeper", 1, r#"[{"sleep": "10500us"}]"#), batch_class(name, 1, other)];
    run(&with_runtime(&classes, ROUNDED), "loop")
}

#[test]
fn r_loop_select_rounds_the_timeout_up_to_the_resolution() {
    // One coroutine sleeps 10.5 ms from t = 0; the loop selects at 0 with
    // a timeout of 10.5 ms, rounded up to 11 ms, and the kernel returns
    // 100 µs late: the coroutine ends at 11.1 ms.
    let classes = [batch_class("sleeper", 1, r#"[{"sleep": "10500us"}]"#)];
    assert_eq!(run(&with_runtime(&classes, ROUNDED), "loop").ends_us_of(0), [11_100]);
    // Without a resolution the timer wakes at its instant plus the slack.
    let unrounded = r#"{"timer_slack_loop": "100us"}"#;
    assert_eq!(run(&with_runtime(&classes, unrounded), "loop").ends_us_of(0), [10_600]);
}

#[test]
fn r_loop_select_counts_the_timeout_from_the_select() {
    // The sleeper arms its timer at 0, then a coroutine computes 3.2 ms on
    // the loop; the loop selects at 3.2 ms with 7.3 ms to go, rounded up
    // to 8 ms: the sleeper wakes at 11.2 + 0.1 ms, not at 11.1.
    let r = sleeper_beside("worker", r#"[{"cpu": "3200us"}]"#);
    assert_eq!(r.ends_us_of(1), [3_200]);
    assert_eq!(r.ends_us_of(0), [11_300]);
}

#[test]
fn r_loop_select_busy_loop_sees_due_timers_at_once() {
    // The worker computes on the loop until 10.55 ms, past the sleeper's
    // 10.5 ms: the loop never selects, and runs the due timer's coroutine
    // at its next iteration, at 10.55 ms, with no rounding and no slack.
    let r = sleeper_beside("worker", r#"[{"cpu": "10550us"}]"#);
    assert_eq!(r.ends_us_of(0), [10_550]);
}

#[test]
fn r_loop_select_io_wakes_the_selector_and_releases_due_timers() {
    // The selector would return at 11.1 ms for the sleeper's 10.5 ms, but
    // a socket becomes ready at 10.7 ms: the loop wakes then and runs the
    // I/O's callback and the due timer's coroutine in the same pass.
    let r = sleeper_beside("fetch", r#"[{"io": "10700us"}]"#);
    assert_eq!(r.ends_us_of(1), [10_700]);
    assert_eq!(r.ends_us_of(0), [10_700]);
    // The I/O's callback runs first (`_run_once`: events, then timers).
    let order: Vec<u16> = r.records.iter().map(|record| record.class).collect();
    assert_eq!(order, [1, 0]);
}

#[test]
fn r_loop_select_rounds_the_producers_sleep() {
    // The producer (producer_step 100 µs) makes the first arrival at once,
    // by 0.1 ms, and sleeps until 10.5 ms; the task's io wakes the loop at
    // 1.1 ms, which then selects with 9.4 ms to go, rounded up to 10 ms:
    // the producer wakes at 11.1 + 0.1 ms and makes the second arrival by
    // 11.3 ms, whose io ends at 12.3 ms.
    let classes = [class("req", r#"{"interval": {"every": "10500us", "count": 2}}"#, r#"[{"io": "1ms"}]"#)];
    let runtime = r#"{"loop_timeout_resolution": "1ms", "timer_slack_loop": "100us", "producer_step": "100us"}"#;
    assert_eq!(run(&with_runtime(&classes, runtime), "loop").ends_us_of(0), [1_100, 12_300]);
}

#[test]
fn r_loop_select_leaves_threads_alone() {
    // A thread's time.sleep is not a loop timer: 10.5 ms plus the thread
    // slack, whatever the loop's resolution.
    let classes = [batch_class("sleeper", 1, r#"[{"sleep": "10500us"}]"#)];
    let runtime = r#"{"loop_timeout_resolution": "1ms", "timer_slack_thread": "100us"}"#;
    let json = scenario_json(
        &classes.join(", "),
        r#"[{"threaded": {"workers": 1, "label": "threads"}}]"#,
        &format!(r#""runtime": {runtime}"#),
    );
    assert_eq!(run(&json, "threads").ends_us_of(0), [10_600]);
}

#[test]
fn r_loop_select_rounds_a_timeouts_expiry() {
    // `asyncio.wait_for`'s expiry is a loop timer too: 10.5 ms around an
    // io of 20 ms expires when the selector returns, at 11.1 ms.
    let program = r#"[{"timeout": {"after": "10500us", "program": [{"io": "20ms"}]}}]"#;
    let classes = [batch_class("guarded", 1, program)];
    assert_eq!(run(&with_runtime(&classes, ROUNDED), "loop").ends_us_of(0), [11_100]);
}
