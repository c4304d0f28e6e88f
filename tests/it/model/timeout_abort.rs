//! R-TIMEOUT-ABORT: `timeout` with `on_expiry: abort` on threads.

use crate::model::harness::{batch, batch_class, run, run_all, scenario_json};
use simbench::engine::Outcome;

#[test]
fn r_timeout_abort_frees_the_thread_at_the_deadline() {
    // Blocking, two tasks: abort frees the thread at 1 s, so the second runs
    // 1–2 s; abandon keeps it to 3 s, the second's deadline is at 4 s.
    // Cooperative: both at 1 s either way.
    let program = |on_expiry: &str| {
        format!(
            r#"[{{"timeout": {{"after": "1s", "program": [{{"io": "3s", "label": "call"}}], "on_expiry": "{on_expiry}"}}}},
                {{"io": "1s", "label": "rest"}}]"#
        )
    };
    for (on_expiry, blocking) in [("abort", [1000, 2000]), ("abandon", [1000, 4000])] {
        for (label, run) in run_all(&batch(2, &program(on_expiry), r#"["blocking", "cooperative"]"#)) {
            let ends = if label == "cooperative" { [1000, 1000] } else { blocking };
            assert_eq!(run.outcomes(), [Outcome::TimedOut; 2], "{label} {on_expiry}");
            assert_eq!(run.ends_ms(), ends, "{label} {on_expiry}");
            assert!(run.began_ms("rest").is_empty(), "{label} {on_expiry}");
        }
    }
}

#[test]
fn r_timeout_abort_cpu_finishes_its_step() {
    // The first task is timed out at 1 s, but its thread computes until 3 s;
    // the step after the cpu never runs. The second starts at 3 s and times
    // out at 4 s.
    let program = r#"[{"timeout": {"after": "1s", "program": [{"cpu": "3s"}, {"io": "1s", "label": "never"}],
        "on_expiry": "abort"}}]"#;
    let run = run(&batch(2, program, r#"["blocking"]"#), "blocking");
    assert_eq!(run.outcomes(), [Outcome::TimedOut; 2]);
    assert_eq!(run.ends_ms(), [1000, 4000]);
    assert!(run.began_ms("never").is_empty());
    assert_eq!(run.makespan_ms(), 4000);
}

#[test]
fn r_timeout_abort_leaves_a_permit_queue() {
    // a holds pool "one" 0–5 s; b gives up waiting for it at 1 s; c, queued
    // behind b, gets the permit at 5 s and ends at 6 s.
    let classes = [
        batch_class("a", 1, r#"[{"limit": {"pool": "one", "program": [{"io": "5s"}]}}]"#),
        batch_class(
            "b",
            1,
            r#"[{"sleep": "10ms"}, {"timeout": {"after": "1s", "on_expiry": "abort",
                "program": [{"limit": {"pool": "one", "program": [{"io": "1s", "label": "b"}]}}]}}]"#,
        ),
        batch_class("c", 1, r#"[{"sleep": "20ms"}, {"limit": {"pool": "one", "program": [{"io": "1s"}]}}]"#),
    ]
    .join(", ");
    let run = run(&scenario_json(&classes, r#"[{"threaded": {"workers": 3}}]"#, ""), "threaded");
    assert_eq!(run.outcomes_of(1), [Outcome::TimedOut]);
    assert_eq!(run.ends_ms_of(1), [1010]);
    assert_eq!(run.ends_ms_of(2), [6000]);
    assert!(run.began_ms("b").is_empty());
}
