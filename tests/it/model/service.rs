//! R-SERVICE-*, R-CALL-*: downstream services and the calls that reach them.

use crate::model::harness::{batch_class, measure, run, run_all, scenario_json};
use simbench::engine::Outcome;

/// A scenario of `count` tasks at t = 0 running `program`, with the
/// services `services` (a JSON object) and the strategies `strategies`.
fn with_services(count: u64, program: &str, services: &str, strategies: &str) -> String {
    scenario_json(&batch_class("task", count, program), strategies, &format!(r#""services": {services}"#))
}

const ONE_SERVER: &str = r#"{"db": {"concurrency": 1, "service": "100ms"}}"#;
const CALL: &str = r#"[{"call": "db"}]"#;

#[test]
fn r_service_fifo_one_server_serves_requests_in_arrival_order() {
    let json = with_services(3, CALL, ONE_SERVER, r#"["cooperative"]"#);
    assert_eq!(run(&json, "cooperative").ends_ms(), [100, 200, 300]);
    let m = measure(&json, "cooperative");
    let s = &m.result.services[0];
    assert_eq!((s.calls, s.attempts, s.served), (3, 3, 3));
    // Waits 0, 100 and 200 ms (to HdrHistogram's precision); the service is
    // busy the whole 300 ms.
    assert!((s.queue_wait_s.p50 - 0.1).abs() < 1e-3 && s.queue_wait_s.max == 0.2, "{:?}", s.queue_wait_s);
    assert_eq!(s.utilization, 1.0);
}

#[test]
fn r_service_fifo_concurrency_serves_that_many_at_once() {
    let two = r#"{"db": {"concurrency": 2, "service": "100ms"}}"#;
    let json =
        with_services(3, CALL, two, r#"["cooperative", {"threaded": {"workers": 3, "label": "three"}}, "blocking"]"#);
    let ends: Vec<(String, Vec<u64>)> = run_all(&json).into_iter().map(|(s, r)| (s, r.ends_ms())).collect();
    // A thread waits for its call, so blocking sends one request at a time.
    assert_eq!(
        ends,
        [
            ("cooperative".to_string(), vec![100, 100, 200]),
            ("three".to_string(), vec![100, 100, 200]),
            ("blocking".to_string(), vec![100, 200, 300]),
        ]
    );
}

#[test]
fn r_service_slowdown_applies_to_services_starting_inside_the_window() {
    let slow = r#"{"db": {"concurrency": 1, "service": "100ms", "slowdown": [{"from": "0s", "until": "150ms", "factor": 3}]}}"#;
    // The first starts at 0 (× 3: 300 ms); the second at 300 ms, after the window.
    assert_eq!(run(&with_services(2, CALL, slow, r#"["cooperative"]"#), "cooperative").ends_ms(), [300, 400]);
}

#[test]
fn r_service_fail_ends_the_task_as_failed_when_the_service_answers() {
    let failing = r#"{"db": {"concurrency": 1, "service": "100ms", "fail": 1.0}}"#;
    for strategy in ["cooperative", "blocking"] {
        let run = run(
            &with_services(1, r#"[{"call": "db"}, {"sleep": "5s"}]"#, failing, &format!(r#"["{strategy}"]"#)),
            strategy,
        );
        assert_eq!((run.outcomes(), run.ends_ms()), (vec![Outcome::Failed], vec![100]), "{strategy}");
    }
}

#[test]
fn r_service_rate_limit_rejects_beyond_the_bucket() {
    // A bucket of 2 tokens refilled at 1/s: two of three requests at t = 0 pass.
    let limited = r#"{"db": {"concurrency": 4, "service": "100ms", "rate_limit": {"rate": 1, "burst": 2}}}"#;
    let json = with_services(3, CALL, limited, r#"["cooperative"]"#);
    let run = run(&json, "cooperative");
    assert_eq!(run.outcomes(), [Outcome::Completed, Outcome::Completed, Outcome::Rejected]);
    let s = &measure(&json, "cooperative").result.services[0];
    assert_eq!((s.attempts, s.rejected, s.served), (3, 1, 2));
}

#[test]
fn r_call_timeout_gives_up_but_the_service_still_serves_the_request() {
    // The second request waits 100 ms and would end at 200 ms: its client
    // gives up at 150 ms, but the server still serves it (wasted work).
    let program = r#"[{"call": {"service": "db", "timeout": "150ms"}}]"#;
    let json = with_services(2, program, ONE_SERVER, r#"["cooperative"]"#);
    let run = run(&json, "cooperative");
    assert_eq!(run.outcomes(), [Outcome::Completed, Outcome::TimedOut]);
    assert_eq!(run.ends_ms(), [100, 150]);
    assert_eq!(run.stats.end.as_nanos(), 200_000_000, "the abandoned request is served until 200 ms");
    let s = &measure(&json, "cooperative").result.services[0];
    assert_eq!((s.served, s.abandoned, s.wasted), (2, 1, 1));
}

#[test]
fn r_call_payload_moves_after_the_service_answers() {
    let json = scenario_json(
        &batch_class("task", 1, r#"[{"call": "db", "bytes": "1MB"}]"#),
        r#"["cooperative"]"#,
        &format!(r#""services": {ONE_SERVER}, "links": {{"net": {{"bandwidth": "8Mbit/s"}}}}"#),
    );
    assert_eq!(run(&json, "cooperative").ends_ms(), [1100]);
}

#[test]
fn r_call_crn_every_strategy_sees_the_same_service_times() {
    // With a server per task and a worker per task nothing queues, so the
    // ends are the sampled service times: the same under both strategies.
    let wide = r#"{"db": {"concurrency": 50, "service": {"exponential": {"mean": "100ms"}}}}"#;
    let json = with_services(50, CALL, wide, r#"["cooperative", {"threaded": {"workers": 50, "label": "fifty"}}]"#);
    let runs = run_all(&json);
    let ends = |i: usize| {
        let mut v: Vec<u64> = runs[i].1.records.iter().map(|r| r.ended.as_nanos()).collect();
        v.sort_unstable();
        v
    };
    assert_eq!(ends(0), ends(1));
    assert!(ends(0).windows(2).any(|w| w[0] != w[1]), "the service times vary");
}

#[test]
fn r_call_outcome_without_retries_ends_the_task_as_the_attempt_ended() {
    let services = r#"{"db": {"concurrency": 1, "service": "100ms", "fail": 1.0, "rate_limit": {"rate": 1, "burst": 1}},
                       "slow": {"concurrency": 1, "service": "1s"}}"#;
    let classes = [
        batch_class("failed", 1, r#"[{"call": "db"}]"#),
        batch_class("rejected", 1, r#"[{"sleep": "1ms"}, {"call": "db"}]"#),
        batch_class("timed_out", 1, r#"[{"call": {"service": "slow", "timeout": "10ms"}}]"#),
    ]
    .join(",");
    let json = scenario_json(&classes, r#"["cooperative", "blocking"]"#, &format!(r#""services": {services}"#));
    for (strategy, run) in run_all(&json) {
        let outcomes: Vec<Outcome> = (0..3).flat_map(|c| run.outcomes_of(c)).collect();
        assert_eq!(outcomes, [Outcome::Failed, Outcome::Rejected, Outcome::TimedOut], "{strategy}");
    }
}

#[test]
fn r_service_figures_count_attempts_and_busy_servers() {
    // Two servers, four 100 ms calls at t = 0: two wait 100 ms; the servers
    // are busy the whole 200 ms makespan; no retry, so amplification 1.
    let two = r#"{"db": {"concurrency": 2, "service": "100ms"}}"#;
    let s = measure(&with_services(4, CALL, two, r#"["cooperative"]"#), "cooperative").result.services[0].clone();
    assert_eq!((s.service.as_str(), s.concurrency, s.calls, s.attempts, s.served), ("db", 2, 4, 4, 4));
    assert_eq!((s.load_amplification, s.utilization, s.rejected, s.abandoned), (1.0, 1.0, 0, 0));
    assert!((s.queue_wait_s.max - 0.1).abs() < 1e-3);
    let b = measure(&with_services(4, CALL, two, r#"["cooperative"]"#), "cooperative").result.bottleneck.unwrap();
    assert_eq!((b.resource.as_str(), b.utilization), ("service db", 1.0));
}
