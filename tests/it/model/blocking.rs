//! R-BLOCKING-*: a synchronous call where a coroutine should have awaited.

use crate::model::harness::{batch_class, run, run_batch, run_first, scenario_json};
use simbench::time::SimDuration;

/// 99 coroutines sleep 100 ms; one more calls `blocking 1s` (as in
/// scenarios/blocking-pitfall.json).
const PITFALL: &str = r#"{"name": "blocking-pitfall",
    "classes": {
        "sleeper": {"arrivals": {"batch": {"count": 99}}, "program": [{"sleep": "100ms"}]},
        "blocker": {"arrivals": {"batch": {"count": 1}}, "program": [{"blocking": "1s"}]}},
    "strategies": [{"threaded": {"workers": 100, "label": "threaded-100"}}, "cooperative"]}"#;

#[test]
fn r_blocking_threads_costs_what_io_costs() {
    for (strategy, expected) in
        [(r#""blocking""#, [5000, 10000, 15000]), (r#"{"threaded": {"workers": 2}}"#, [5000, 5000, 10000])]
    {
        let run = run_batch(3, r#"[{"blocking": "5s"}]"#, strategy);
        assert_eq!(run.ends_ms(), expected, "{strategy}");
        assert_eq!(run.stats.cpu_busy, SimDuration::ZERO, "{strategy}: a blocking call uses no CPU");
    }
}

#[test]
fn r_blocking_threads_waits_without_the_gil() {
    // A's call does not hold the GIL: B computes meanwhile, and both end at
    // 10 ms.
    let classes =
        [batch_class("a", 1, r#"[{"blocking": "10ms"}]"#), batch_class("b", 1, r#"[{"cpu": "10ms"}]"#)].join(", ");
    let run = run_first(&scenario_json(&classes, r#"[{"threaded": {"workers": 2}}]"#, ""));
    assert_eq!((run.ends_ms_of(0), run.ends_ms_of(1)), (vec![10], vec![10]));
}

#[test]
fn r_blocking_cooperative_worked_example_blocking_pitfall() {
    // The sleepers' timers expire at 0.1 s, but the loop is blocked until
    // 1 s: they resume then, and their latency is 1 s.
    let coop = run(PITFALL, "cooperative");
    assert_eq!(coop.ends_ms_of(0), [1000; 99]);
    assert_eq!(coop.latencies_ms(), [1000; 99]);
    assert_eq!(coop.ends_ms_of(1), [1000]);
    // 100 workers: the call blocks only its own thread.
    let threads = run(PITFALL, "threaded-100");
    assert_eq!(threads.ends_ms_of(0), [100; 99]);
    assert_eq!(threads.ends_ms_of(1), [1000]);
}

#[test]
fn r_blocking_cooperative_no_coroutine_runs_meanwhile() {
    // B, ready at 0 behind A, cannot start its 10 ms of cpu until A's call
    // returns at 1 s.
    let classes =
        [batch_class("a", 1, r#"[{"blocking": "1s"}]"#), batch_class("b", 1, r#"[{"cpu": "10ms"}]"#)].join(", ");
    let run = run_first(&scenario_json(&classes, r#"["cooperative"]"#, ""));
    assert_eq!((run.ends_ms_of(0), run.ends_ms_of(1)), (vec![1000], vec![1010]));
    assert_eq!(run.stats.cpu_busy, SimDuration::from_millis(10));
}
