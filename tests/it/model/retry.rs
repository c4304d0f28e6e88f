//! R-RETRY-*: retries of failed, rejected and timed-out call attempts.

use crate::model::harness::{batch_class, measure, run, scenario_json};
use simbench::engine::Outcome;

fn with_services(count: u64, program: &str, services: &str) -> String {
    scenario_json(&batch_class("task", count, program), r#"["cooperative"]"#, &format!(r#""services": {services}"#))
}

const FAILING: &str = r#"{"db": {"concurrency": 100, "service": "100ms", "fail": 1.0}}"#;

fn call_with(retry: &str) -> String {
    format!(r#"[{{"call": {{"service": "db", "retry": {retry}}}}}]"#)
}

#[test]
fn r_retry_backoff_grows_by_the_multiplier() {
    // Attempt 1 fails at 100 ms, waits 100 ms; attempt 2 runs 200–300 ms,
    // waits 200 ms; attempt 3 runs 500–600 ms and fails: the task fails.
    let program = call_with(r#"{"attempts": 3, "backoff": "100ms", "multiplier": 2, "jitter": "none"}"#);
    let json = with_services(1, &program, FAILING);
    let run = run(&json, "cooperative");
    assert_eq!((run.outcomes(), run.ends_ms()), (vec![Outcome::Failed], vec![600]));
    let s = &measure(&json, "cooperative").result.services[0];
    assert_eq!((s.calls, s.attempts, s.load_amplification, s.failed), (1, 3, 3.0, 3));
}

#[test]
fn r_retry_backoff_is_capped_by_max_backoff() {
    // Waits 100, then min(1000, 150) = 150 ms: ends at 100+100+100+150+100.
    let program =
        call_with(r#"{"attempts": 3, "backoff": "100ms", "multiplier": 10, "max_backoff": "150ms", "jitter": "none"}"#);
    assert_eq!(run(&with_services(1, &program, FAILING), "cooperative").ends_ms(), [550]);
}

#[test]
fn r_retry_succeeds_when_an_attempt_succeeds() {
    // A 150 ms timeout on a 100 ms service behind one server: the second
    // task's first attempt times out at 150 ms (its request is served
    // 100–200 ms anyway), its retry after 50 ms arrives at 200 ms and is
    // served at once: 200–300 ms.
    let services = r#"{"db": {"concurrency": 1, "service": "100ms"}}"#;
    let program = r#"[{"call": {"service": "db", "timeout": "150ms", "retry": {"attempts": 2, "backoff": "50ms", "jitter": "none"}}}]"#;
    let json = with_services(2, program, services);
    let run = run(&json, "cooperative");
    assert_eq!(run.outcomes(), [Outcome::Completed, Outcome::Completed]);
    assert_eq!(run.ends_ms(), [100, 300]);
    let s = &measure(&json, "cooperative").result.services[0];
    assert_eq!((s.attempts, s.abandoned, s.wasted, s.served), (3, 1, 1, 3));
}

#[test]
fn r_retry_jitter_full_and_equal_stay_in_their_ranges() {
    // Two retries after backoffs b = 100 then 200 ms: full jitter waits
    // [0, b], equal jitter [b/2, b]; each attempt takes 100 ms.
    for (jitter, lo, hi) in [("full", 300, 600), ("equal", 450, 600)] {
        let program = call_with(&format!(r#"{{"attempts": 3, "backoff": "100ms", "jitter": "{jitter}"}}"#));
        let run = run(&with_services(50, &program, FAILING), "cooperative");
        let ends: Vec<u64> = run.records.iter().map(|r| r.ended.as_nanos() / 1_000_000).collect();
        assert!(ends.iter().all(|&e| (lo..=hi).contains(&e)), "{jitter}: {ends:?}");
        assert!(ends.iter().any(|&e| e != ends[0]), "{jitter}: the waits vary");
    }
}

#[test]
fn r_retry_budget_refuses_retries_beyond_its_share() {
    // 20 calls fail at 100 ms; budget 0 allows only the minimum of 10 retries.
    let program = call_with(r#"{"attempts": 2, "backoff": "0ms", "budget": 0}"#);
    let json = with_services(20, &program, FAILING);
    let s = &measure(&json, "cooperative").result.services[0];
    assert_eq!((s.calls, s.attempts, s.budget_refused), (20, 30, 10));
    let mut ends = run(&json, "cooperative").ends_ms();
    ends.sort_unstable();
    assert_eq!((ends[0], ends[9], ends[10], ends[19]), (100, 100, 200, 200));
}

#[test]
fn r_retry_rejections_are_retried() {
    // One token, refilled at 10/s: the second call is rejected at 0, waits
    // 100 ms, by when a token is back.
    let limited = r#"{"db": {"concurrency": 2, "service": "100ms", "rate_limit": {"rate": 10, "burst": 1}}}"#;
    let program = call_with(r#"{"attempts": 2, "backoff": "100ms", "jitter": "none"}"#);
    let run = run(&with_services(2, &program, limited), "cooperative");
    assert_eq!(run.outcomes(), [Outcome::Completed, Outcome::Completed]);
    assert_eq!(run.ends_ms(), [100, 200]);
}
