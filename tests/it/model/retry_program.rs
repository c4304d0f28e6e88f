//! R-RETRY-PROGRAM-*: `retry` around a program under each strategy.

use crate::model::harness::{batch, run, run_all, run_batch};
use simbench::engine::Outcome;

const ALL: &str = r#"["blocking", {"threaded": {"workers": 2}}, "cooperative"]"#;

#[test]
fn r_retry_program_backoff() {
    // Always failing, 3 attempts, 100 ms backoff doubling, no jitter:
    // attempts at 0–100, 200–300 and 500–600 ms; failed at 600 ms.
    let program = r#"[{"retry": [{"io": "100ms", "fail": 1.0, "label": "attempt"}], "attempts": 3,
        "backoff": "100ms", "multiplier": 2, "jitter": "none"}]"#;
    for (label, run) in run_all(&batch(1, program, ALL)) {
        assert_eq!(run.began_ms("attempt"), [0, 200, 500], "{label}");
        assert_eq!(run.outcomes(), [Outcome::Failed], "{label}");
        assert_eq!(run.latencies_ms(), [600], "{label}");
    }
    // Multiplier 10, at most 150 ms: waits of 100 then 150 ms, the end at 550 ms.
    let capped = program.replace(r#""multiplier": 2"#, r#""multiplier": 10, "max_backoff": "150ms""#);
    for (label, run) in run_all(&batch(1, &capped, ALL)) {
        assert_eq!(run.began_ms("attempt"), [0, 200, 450], "{label}");
        assert_eq!(run.latencies_ms(), [550], "{label}");
    }
}

#[test]
fn r_retry_program_on_lets_other_outcomes_through() {
    let program = r#"[{"retry": [{"io": "100ms", "fail": 1.0, "label": "attempt"}], "attempts": 3,
        "jitter": "none", "on": ["timeout"]}]"#;
    for (label, run) in run_all(&batch(1, program, ALL)) {
        assert_eq!(run.began_ms("attempt"), [0], "{label}");
        assert_eq!(run.outcomes(), [Outcome::Failed], "{label}");
        assert_eq!(run.latencies_ms(), [100], "{label}");
    }
}

#[test]
fn r_retry_program_timeout_attempts() {
    // Each attempt times out at 100 ms; 50 ms backoff: the second attempt
    // times out at 250 ms. On a thread (abandon) the body runs to 1 s, so the
    // retry starts at 1.05 s and its deadline, on the last attempt, records
    // the timeout at 1.15 s; abort behaves as cooperative.
    let program = |on_expiry: &str| {
        format!(
            r#"[{{"retry": [{{"timeout": {{"after": "100ms", "program": [{{"io": "1s"}}]{on_expiry}}}}}],
                "attempts": 2, "backoff": "50ms", "jitter": "none"}}]"#
        )
    };
    for (on_expiry, threads) in [("", 1150), (r#", "on_expiry": "abort""#, 250)] {
        for (label, run) in run_all(&batch(1, &program(on_expiry), ALL)) {
            let end = if label == "cooperative" { 250 } else { threads };
            assert_eq!(run.outcomes(), [Outcome::TimedOut], "{label} {on_expiry}");
            assert_eq!(run.latencies_ms(), [end], "{label} {on_expiry}");
        }
    }
}

#[test]
fn r_retry_program_crn() {
    // Each attempt is its own draw: with p = 0.5 and 2 attempts a task fails
    // with probability 0.25 (0.5 if attempts repeated the first draw). Over
    // 4000 tasks the standard deviation of the fraction is
    // √(0.25·0.75/4000) ≈ 0.0068; the bound is about 6 of them. Every
    // strategy sees the same draws, so the same tasks fail.
    let program = r#"[{"retry": [{"io": "10ms", "fail": 0.5}], "attempts": 2, "backoff": "0ms"}]"#;
    let json = batch(4000, program, r#"["cooperative", {"threaded": {"workers": 8}}]"#);
    let failed = |label: &str| {
        let run = run(&json, label);
        let mut by_index: Vec<(u64, Outcome)> = run.records.iter().map(|r| (r.index, r.outcome)).collect();
        by_index.sort_by_key(|(i, _)| *i);
        by_index
    };
    let cooperative = failed("cooperative");
    let fraction = cooperative.iter().filter(|(_, o)| *o == Outcome::Failed).count() as f64 / 4000.0;
    assert!((fraction - 0.25).abs() < 0.04, "fraction failed {fraction}");
    assert_eq!(cooperative, failed("threaded"));
}

#[test]
fn r_retry_program_jitter() {
    // Always failing twice, 1 s backoff. Full jitter: the wait is uniform in
    // [0, 1 s], so a task ends in [200 ms, 1.2 s], mean 700 ms; equal: in
    // [700 ms, 1.2 s], mean 950 ms. The mean of 500 uniform waits has a
    // standard deviation of 1000/√12/√500 ≈ 13 ms (half that for equal);
    // the bound is 60 ms.
    for (jitter, low, mean) in [("full", 200, 700.0), ("equal", 700, 950.0)] {
        let program = format!(
            r#"[{{"retry": [{{"io": "100ms", "fail": 1.0}}], "attempts": 2, "backoff": "1s", "jitter": "{jitter}"}}]"#
        );
        let run = run_batch(500, &program, r#""cooperative""#);
        let ends: Vec<f64> = run.records.iter().map(|r| (r.ended - r.arrived).as_nanos() as f64 / 1e6).collect();
        assert!(ends.iter().all(|&e| (low as f64..=1200.0).contains(&e)), "{jitter}: {ends:?}");
        let m = ends.iter().sum::<f64>() / ends.len() as f64;
        assert!((m - mean).abs() < 60.0, "{jitter}: mean {m}");
    }
}
