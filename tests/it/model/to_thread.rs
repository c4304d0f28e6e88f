//! R-TO-THREAD-*: `to_thread` (asyncio.to_thread / run_in_executor).

use crate::model::harness::{batch_class, run, run_first, scenario_json, with_cores};
use simbench::engine::Outcome;

/// blocking-pitfall with the blocker's call moved to a thread.
const OFFLOADED: &str = r#"{"name": "offload",
    "classes": {
        "sleeper": {"arrivals": {"batch": {"count": 99}}, "program": [{"sleep": "100ms"}]},
        "blocker": {"arrivals": {"batch": {"count": 1}}, "program": [{"to_thread": [{"blocking": "1s"}]}]}},
    "strategies": ["cooperative", "blocking"]}"#;

#[test]
fn r_to_thread_cooperative_worked_example_blocking_pitfall() {
    // The call runs on an executor worker: the loop stays free, and the
    // sleepers end at 0.1 s again (1 s with the call on the loop).
    let coop = run(OFFLOADED, "cooperative");
    assert_eq!(coop.ends_ms_of(0), [100; 99]);
    assert_eq!(coop.ends_ms_of(1), [1000]);
    assert_eq!(coop.stats.peak_threads, 2, "the loop's thread and one worker");
}

#[test]
fn r_to_thread_inline_on_threads() {
    // On a thread the body runs inline: blocking still serialises.
    let blocking = run(OFFLOADED, "blocking");
    assert_eq!(blocking.makespan_ms(), 99 * 100 + 1000);
}

#[test]
fn r_to_thread_executor_has_min_32_cores_plus_4_workers() {
    // 1 core: 5 workers. Seven calls of 1 s: five end at 1 s, two wait for
    // a worker (FIFO) and end at 2 s.
    let json = with_cores(
        &scenario_json(&batch_class("c", 7, r#"[{"to_thread": [{"blocking": "1s"}]}]"#), r#"["cooperative"]"#, ""),
        1,
    );
    assert_eq!(run_first(&json).ends_ms(), [1000, 1000, 1000, 1000, 1000, 2000, 2000]);
}

#[test]
fn r_to_thread_gil_cpu_shares_the_gil_with_the_loop() {
    // A's body computes 10 ms on a worker; B computes 10 ms on the loop. One
    // GIL, 5 ms switch interval: body 0–5, B 5–10, body 10–15, B 15–20. A
    // resumes when the loop is free again: both end at 20 ms.
    let classes =
        [batch_class("a", 1, r#"[{"to_thread": [{"cpu": "10ms"}]}]"#), batch_class("b", 1, r#"[{"cpu": "10ms"}]"#)]
            .join(", ");
    let run = run_first(&scenario_json(&classes, r#"["cooperative"]"#, ""));
    assert_eq!((run.ends_ms_of(0), run.ends_ms_of(1)), (vec![20], vec![20]));
}

#[test]
fn r_to_thread_cancelled_frees_its_worker() {
    // 1 core: 5 workers, all taken by calls under a 100 ms timeout; the
    // sixth call waits, and runs when the timeouts cancel theirs.
    let classes = [
        batch_class(
            "slow",
            5,
            r#"[{"timeout": {"after": "100ms", "program": [{"to_thread": [{"blocking": "1s"}]}]}}]"#,
        ),
        batch_class("quick", 1, r#"[{"to_thread": [{"io": "10ms"}]}]"#),
    ]
    .join(", ");
    let run = run_first(&with_cores(&scenario_json(&classes, r#"["cooperative"]"#, ""), 1));
    assert_eq!(run.ends_ms_of(0), [100; 5]);
    assert_eq!(run.ends_ms_of(1), [110]);
}

#[test]
fn r_to_thread_failed_reaches_the_coroutine_through_the_loop() {
    // The body fails at 10 ms while the loop is blocked 5-25 ms by the
    // sibling branch: the exception reaches the awaiting coroutine when the
    // loop runs it, at 25 ms, and the loop goes on (b ends at 31 ms).
    let classes = [
        batch_class(
            "a",
            1,
            r#"[{"gather": [[{"to_thread": [{"io": "10ms", "fail": 1.0}]}], [{"sleep": "5ms"}, {"blocking": "20ms"}]]}]"#,
        ),
        batch_class("b", 1, r#"[{"sleep": "30ms"}, {"cpu": "1ms"}]"#),
    ]
    .join(", ");
    let run = run(&scenario_json(&classes, r#"["cooperative"]"#, ""), "cooperative");
    assert_eq!((run.outcomes_of(0), run.ends_ms_of(0)), (vec![Outcome::Failed], vec![25]));
    assert_eq!((run.outcomes_of(1), run.ends_ms_of(1)), (vec![Outcome::Completed], vec![31]));
}

/// The property tests' case (issue 17, round two) that stalled before
/// R-TO-THREAD-FAILED: two closed-loop users whose gather runs a timeout
/// branch (a sleep, then a blocking call on the loop) beside a `to_thread`
/// whose io fails 10% of the time. A body failing while the other user's
/// coroutine blocked the loop ended the task at once, freeing that
/// coroutine and leaving the loop occupied for good.
#[test]
fn r_to_thread_failed_while_the_loop_is_blocked_does_not_stall() {
    let json = r#"{"name": "stall", "seed": 861236333943565578, "services": {"s0": {"service": {"exponential": {"mean": "10ms"}}}}, "classes": {"c1": {"arrivals": {"closed": {"users": 2, "duration": "1ms"}}, "program": [{"gather": [{"program": [{"timeout": {"after": "12ms", "program": [{"sleep": {"uniform": {"min": "4ms", "max": "15ms"}}}, {"blocking": "18ms"}]}}]}, {"program": [{"to_thread": [{"io": "39ms", "fail": 0.1}]}]}]}, {"choose": [{"program": [{"call": {"service": "s0"}}, {"repeat": [{"cpu": {"exponential": {"mean": "2ms"}}}, {"sleep": {"sequence": ["25ms"]}}, {"sleep": {"exponential": {"mean": "28ms"}}}], "times": {"uniform": {"min": 1, "max": 1}}}]}]}]}}, "strategies": ["cooperative"]}"#;
    let r = crate::model::harness::try_run(json, "cooperative");
    assert!(r.is_ok(), "{:?}", r.err());
}
