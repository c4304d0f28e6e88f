//! R-TRY-*: `try` / `except` / `on`, scoped outcomes, under each strategy.

use crate::model::harness::{batch, batch_class, run, run_all, run_batch, scenario_json};
use simbench::engine::Outcome;

const ALL: &str = r#"["blocking", {"threaded": {"workers": 2}}, "cooperative"]"#;

#[test]
fn r_try_catch_runs_except_then_the_rest() {
    // Fails at 1 s; the fallback runs 1.0–1.1 s, the rest 1.1–1.3 s.
    let program = r#"[{"try": [{"io": "1s", "fail": 1.0}, {"io": "5s", "label": "never"}],
        "except": [{"io": "100ms", "label": "fallback"}]}, {"io": "200ms", "label": "after"}]"#;
    for (label, run) in run_all(&batch(1, program, ALL)) {
        assert_eq!(run.outcomes(), [Outcome::Completed], "{label}");
        assert_eq!(run.began_ms("fallback"), [1000], "{label}");
        assert_eq!(run.began_ms("after"), [1100], "{label}");
        assert!(run.began_ms("never").is_empty(), "{label}");
        assert_eq!(run.latencies_ms(), [1300], "{label}");
    }
}

#[test]
fn r_try_catch_without_except_passes() {
    let program = r#"[{"try": [{"io": "1s", "fail": 1.0}]}, {"io": "200ms", "label": "after"}]"#;
    for (label, run) in run_all(&batch(1, program, ALL)) {
        assert_eq!(run.outcomes(), [Outcome::Completed], "{label}");
        assert_eq!(run.latencies_ms(), [1200], "{label}");
    }
}

#[test]
fn r_try_on_lets_other_outcomes_through() {
    // A failure is not a timeout: the task fails at 1 s, as without the try.
    let program = r#"[{"try": [{"io": "1s", "fail": 1.0}], "on": ["timeout"],
        "except": [{"io": "100ms", "label": "fallback"}]}, {"io": "200ms"}]"#;
    for (label, run) in run_all(&batch(1, program, ALL)) {
        assert_eq!(run.outcomes(), [Outcome::Failed], "{label}");
        assert_eq!(run.latencies_ms(), [1000], "{label}");
        assert!(run.began_ms("fallback").is_empty(), "{label}");
    }
}

#[test]
fn r_try_except_outcome_propagates() {
    // The except program fails at 1.1 s: that failure ends the task.
    let program = r#"[{"try": [{"io": "1s", "fail": 1.0}], "except": [{"io": "100ms", "fail": 1.0}]},
        {"io": "200ms", "label": "after"}]"#;
    for (label, run) in run_all(&batch(1, program, ALL)) {
        assert_eq!(run.outcomes(), [Outcome::Failed], "{label}");
        assert_eq!(run.latencies_ms(), [1100], "{label}");
        assert!(run.began_ms("after").is_empty(), "{label}");
    }
}

#[test]
fn r_try_nearest_handler_catches() {
    // The inner try catches only timeouts; the outer one catches the failure.
    let program = r#"[{"try": [{"try": [{"io": "1s", "fail": 1.0}], "on": ["timeout"],
            "except": [{"io": "1s", "label": "inner"}]}],
        "except": [{"io": "100ms", "label": "outer"}]}]"#;
    for (label, run) in run_all(&batch(1, program, ALL)) {
        assert_eq!(run.outcomes(), [Outcome::Completed], "{label}");
        assert!(run.began_ms("inner").is_empty(), "{label}");
        assert_eq!(run.latencies_ms(), [1100], "{label}");
    }
}

#[test]
fn r_try_cooperative_cancels_the_scope_and_returns_permits() {
    // a: a gathered sibling holding pool "one" is cancelled at 1 s, when the
    // other branch fails; b gets the permit at 1 s and ends at 2 s; a's
    // fallback ends at 1.1 s.
    let classes = [
        batch_class(
            "a",
            1,
            r#"[{"try": [{"gather": [[{"io": "1s", "fail": 1.0}],
                [{"limit": {"pool": "one", "program": [{"io": "5s", "label": "slow"}]}}]]}],
              "except": [{"io": "100ms"}]}]"#,
        ),
        batch_class("b", 1, r#"[{"sleep": "10ms"}, {"limit": {"pool": "one", "program": [{"io": "1s"}]}}]"#),
    ]
    .join(", ");
    let run = run(&scenario_json(&classes, r#"["cooperative"]"#, ""), "cooperative");
    assert_eq!(run.outcomes_of(0), [Outcome::Completed]);
    assert_eq!(run.ends_ms_of(0), [1100]);
    assert_eq!(run.ends_ms_of(1), [2000]);
    assert!(run.ended_ms("slow").is_empty(), "a cancelled coroutine's io completed");
}

#[test]
fn r_try_cooperative_leaves_what_is_outside_the_scope() {
    // The spawned program is outside the try: it runs on to 3 s.
    let program = r#"[{"spawn": {"name": "s", "program": [{"io": "3s", "label": "outside"}]}},
        {"try": [{"io": "1s", "fail": 1.0}]}, {"join": "s"}]"#;
    let run = run_batch(1, program, r#""cooperative""#);
    assert_eq!(run.outcomes(), [Outcome::Completed]);
    assert_eq!(run.ended_ms("outside"), [3000]);
    assert_eq!(run.latencies_ms(), [3000]);
}

#[test]
fn r_try_threads_unwind_to_the_try() {
    // The thread leaves the limit (returning its permit at 1 s) and the
    // gather (the second branch never starts), then runs the except.
    let classes = [
        batch_class(
            "a",
            1,
            r#"[{"try": [{"limit": {"pool": "one", "program": [{"gather": [[{"io": "1s", "fail": 1.0}],
                [{"io": "2s", "label": "second"}]]}]}}],
              "except": [{"io": "100ms"}]}, {"io": "200ms"}]"#,
        ),
        batch_class("b", 1, r#"[{"sleep": "10ms"}, {"limit": {"pool": "one", "program": [{"io": "1s"}]}}]"#),
    ]
    .join(", ");
    let json = scenario_json(&classes, r#"[{"threaded": {"workers": 2}}, "cooperative"]"#, "");
    for label in ["threaded", "cooperative"] {
        let run = run(&json, label);
        assert_eq!(run.outcomes_of(0), [Outcome::Completed], "{label}");
        assert_eq!(run.ends_ms_of(0), [1300], "{label}");
        assert_eq!(run.ends_ms_of(1), [2000], "{label}");
        assert!(run.ended_ms("second").is_empty(), "{label}");
    }
}

#[test]
fn r_try_timeout_cooperative_and_threads() {
    // Cooperative: the timeout at 1 s is caught, the fallback ends at 1.1 s.
    // Threads (abandon): the thread runs the body to 3 s, then the fallback:
    // 3.1 s. Threads with abort: 1.1 s.
    let program = |on_expiry: &str| {
        format!(
            r#"[{{"try": [{{"timeout": {{"after": "1s", "program": [{{"io": "3s", "label": "body"}}]{on_expiry}}}}}],
               "except": [{{"io": "100ms", "label": "fallback"}}], "on": ["timeout"]}}]"#
        )
    };
    for (on_expiry, threads_end) in
        [("", 3100), (r#", "on_expiry": "abandon""#, 3100), (r#", "on_expiry": "abort""#, 1100)]
    {
        for (label, run) in run_all(&batch(1, &program(on_expiry), ALL)) {
            let end = if label == "cooperative" { 1100 } else { threads_end };
            assert_eq!(run.outcomes(), [Outcome::Completed], "{label} {on_expiry}");
            assert_eq!(run.latencies_ms(), [end], "{label} {on_expiry}");
        }
    }
}
