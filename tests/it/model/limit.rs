//! R-LIMIT-*: permits of a named pool (`async with semaphore`).
//!
//! The harness declares pools `db` (2 permits), `one` (1 permit) and
//! `lines` (2 permits, `when_full: reject`).

use crate::model::harness::{
    batch, batch_class, class, measure, run, run_all, run_batch, run_first, scenario, scenario_json, try_run,
};
use simbench::engine::{EngineError, Outcome};

const DB_1S: &str = r#"[{"limit": {"pool": "db", "program": [{"io": "1s"}]}}]"#;
const ONE_1S: &str = r#"[{"limit": {"pool": "one", "program": [{"io": "1s"}]}}]"#;

/// A scenario of `classes` (each a batch of one task, in file order) under
/// `strategies`.
fn singles(programs: &[(&str, &str)], strategies: &str) -> String {
    let classes: Vec<String> = programs.iter().map(|(name, program)| batch_class(name, 1, program)).collect();
    scenario_json(&classes.join(", "), strategies, "")
}

#[test]
fn r_limit_fifo_allows_at_most_k_holders() {
    let coop = run_batch(10, DB_1S, r#""cooperative""#);
    assert_eq!(coop.ends_ms(), [1000, 1000, 2000, 2000, 3000, 3000, 4000, 4000, 5000, 5000]);
}

#[test]
fn r_limit_fifo_grants_permits_in_request_order() {
    // a holds `one` 0–3 s; c asks at 1 s, b at 2 s: c gets it at 3 s (ends
    // 4 s), b at 4 s (ends 5 s), although b arrived before c.
    let json = singles(
        &[
            ("a", r#"[{"limit": {"pool": "one", "program": [{"io": "3s"}]}}]"#),
            ("b", r#"[{"io": "2s"}, {"limit": {"pool": "one", "program": [{"io": "1s"}]}}]"#),
            ("c", r#"[{"io": "1s"}, {"limit": {"pool": "one", "program": [{"io": "1s"}]}}]"#),
        ],
        r#"["cooperative", {"threaded": {"workers": 3}}]"#,
    );
    for (label, run) in run_all(&json) {
        let ends = (run.ends_ms_of(0), run.ends_ms_of(1), run.ends_ms_of(2));
        assert_eq!(ends, (vec![3000], vec![5000], vec![4000]), "{label}");
    }
    // Among tasks asking at once, the first created is served first.
    assert_eq!(run_batch(3, ONE_1S, r#""cooperative""#).ends_ms(), [1000, 2000, 3000]);
}

#[test]
fn r_limit_cooperative_waiting_coroutine_yields_the_loop() {
    // Task 1 of `waiters` waits for `one`; `other` computes meanwhile.
    let classes = [batch_class("waiters", 2, ONE_1S), batch_class("other", 1, r#"[{"cpu": "10ms"}]"#)].join(", ");
    let run = run_first(&scenario_json(&classes, r#"["cooperative"]"#, ""));
    assert_eq!(run.ends_ms_of(0), [1000, 2000]);
    assert_eq!(run.ends_ms_of(1), [10]);
}

#[test]
fn r_limit_threads_waiting_thread_keeps_its_worker() {
    // Two workers: both waiters take one, the second blocked on the permit,
    // so `other` waits for a worker until the first waiter ends at 1 s.
    let classes = [batch_class("waiters", 2, ONE_1S), batch_class("other", 1, r#"[{"io": "1s"}]"#)].join(", ");
    let json = scenario_json(&classes, r#"["cooperative", {"threaded": {"workers": 2}}]"#, "");
    let threads = run(&json, "threaded");
    assert_eq!(threads.ends_ms_of(0), [1000, 2000]);
    assert_eq!(threads.ends_ms_of(1), [2000]);
    // Cooperative, the waiter holds nothing: `other` runs at once.
    assert_eq!(run(&json, "cooperative").ends_ms_of(1), [1000]);
}

#[test]
fn r_limit_threads_worked_example() {
    let json = batch(4, DB_1S, r#"["cooperative", {"threaded": {"workers": 4}}]"#);
    for (label, run) in run_all(&json) {
        assert_eq!(run.ends_ms(), [1000, 1000, 2000, 2000], "{label}");
    }
}

#[test]
fn r_limit_release_when_the_program_fails() {
    let json = singles(
        &[
            ("a", r#"[{"limit": {"pool": "one", "program": [{"io": "1s", "fail": 1.0}, {"io": "5s"}]}}]"#),
            ("b", ONE_1S),
        ],
        r#"["cooperative", {"threaded": {"workers": 2}}]"#,
    );
    for (label, run) in run_all(&json) {
        assert_eq!(run.outcomes_of(0), [Outcome::Failed], "{label}");
        assert_eq!(run.ends_ms_of(1), [2000], "{label}");
    }
}

#[test]
fn r_limit_release_when_the_program_times_out() {
    // Cooperative: at the expiry (1 s), so b ends at 2 s. Threads: when the
    // abandoned call ends (3 s), so b ends at 4 s.
    let json = singles(
        &[
            (
                "a",
                r#"[{"timeout": {"after": "1s", "program": [{"limit": {"pool": "one", "program": [{"io": "3s"}]}}]}}]"#,
            ),
            ("b", ONE_1S),
        ],
        r#"["cooperative", {"threaded": {"workers": 2}}]"#,
    );
    let coop = run(&json, "cooperative");
    assert_eq!((coop.outcomes_of(0), coop.ends_ms_of(1)), (vec![Outcome::TimedOut], vec![2000]));
    let threads = run(&json, "threaded");
    assert_eq!((threads.outcomes_of(0), threads.ends_ms_of(1)), (vec![Outcome::TimedOut], vec![4000]));
}

#[test]
fn r_limit_release_when_the_holder_is_cancelled() {
    // a's first branch fails at 1 s; its second branch, holding `one`, is
    // cancelled then and returns the permit to b.
    let json = singles(
        &[
            (
                "a",
                r#"[{"gather": [[{"io": "1s", "fail": 1.0}], [{"limit": {"pool": "one", "program": [{"io": "5s"}]}}]]}]"#,
            ),
            ("b", r#"[{"io": "10ms"}, {"limit": {"pool": "one", "program": [{"io": "1s"}]}}]"#),
        ],
        r#"["cooperative"]"#,
    );
    let run = run(&json, "cooperative");
    assert_eq!(run.outcomes_of(0), [Outcome::Failed]);
    assert_eq!(run.ends_ms_of(1), [2000]);
}

#[test]
fn r_limit_release_skips_a_waiter_that_gave_up() {
    // b waits for `one` inside a 1 s budget and times out; when a returns the
    // permit at 3 s it goes to c (asked at 2 s), not to the departed b.
    let json = singles(
        &[
            ("a", r#"[{"limit": {"pool": "one", "program": [{"io": "3s"}]}}]"#),
            (
                "b",
                r#"[{"timeout": {"after": "1s", "program": [{"limit": {"pool": "one", "program": [{"io": "1s"}]}}]}}]"#,
            ),
            ("c", r#"[{"io": "2s"}, {"limit": {"pool": "one", "program": [{"io": "1s"}]}}]"#),
        ],
        r#"["cooperative"]"#,
    );
    let run = run(&json, "cooperative");
    assert_eq!((run.outcomes_of(1), run.ends_ms_of(1)), (vec![Outcome::TimedOut], vec![1000]));
    assert_eq!(run.ends_ms_of(2), [4000]);
}

#[test]
fn r_limit_nested_on_the_same_pool_is_rejected() {
    let program = r#"[{"limit": {"pool": "one", "program": [{"limit": {"pool": "one", "program": [{"io": "1s"}]}}]}}]"#;
    let err = simbench::scenario::parse(&batch(1, program, r#"["cooperative"]"#), "test.json")
        .expect_err("a limit inside a limit on the same pool must be rejected");
    assert!(err.to_string().contains("inside a limit on the same pool"), "{err}");
}

#[test]
fn r_limit_deadlock_stops_the_run_naming_tasks_and_pools() {
    // The gather child asks for the permit its parent holds.
    let program = r#"[{"limit": {"pool": "one", "program": [{"gather": [[{"limit": {"pool": "one", "program": [{"io": "1s"}]}}]]}]}}]"#;
    for strategy in [r#""cooperative""#, r#""blocking""#] {
        let json = batch(1, program, &format!("[{strategy}]"));
        let label = scenario(&json).strategies[0].label.clone();
        let Err(EngineError::Stalled { stuck, tasks, .. }) = try_run(&json, &label) else {
            panic!("{strategy}: a deadlocked run finished");
        };
        assert_eq!(stuck, 1, "{strategy}");
        assert_eq!(tasks[0].class, "task", "{strategy}");
        assert!(tasks[0].waits.iter().any(|w| w.contains("\"one\"")), "{strategy}: {:?}", tasks[0].waits);
    }
}

const LINES_1S: &str = r#"[{"limit": {"pool": "lines", "program": [{"io": "1s"}]}}]"#;

#[test]
fn r_limit_reject_ends_the_task_when_the_pool_is_full() {
    // Four tasks at 0 ask for `lines` (2 permits, rejecting): two hold it
    // until 1 s, the other two are rejected at once, under every strategy
    // that runs them together.
    let json = batch(4, LINES_1S, r#"["cooperative", {"threaded": {"workers": 4}}]"#);
    for (label, run) in run_all(&json) {
        let outcomes = run.outcomes();
        assert_eq!(outcomes, [Outcome::Completed, Outcome::Completed, Outcome::Rejected, Outcome::Rejected], "{label}");
        assert_eq!(run.ends_ms(), [1000, 1000, 0, 0], "{label}");
    }
    // One task at a time never finds the pool full.
    let blocking = run_batch(4, LINES_1S, r#""blocking""#);
    assert_eq!(blocking.outcomes(), [Outcome::Completed; 4]);
    assert_eq!(blocking.ends_ms(), [1000, 2000, 3000, 4000]);
}

#[test]
fn r_limit_reject_frees_the_permit_for_later_tasks() {
    // One arrival every 400 ms, each holding `lines` for 1 s: at 800 ms both
    // permits are held (0–1000, 400–1400), so task 2 is rejected; task 3
    // (1200 ms) finds the permit task 0 returned at 1000 ms.
    let json = scenario_json(
        &class("task", r#"{"interval": {"every": "400ms", "count": 4}}"#, LINES_1S),
        r#"["cooperative", {"threaded": {"workers": 4}}]"#,
        "",
    );
    for (label, run) in run_all(&json) {
        let outcomes = run.outcomes();
        assert_eq!(
            outcomes,
            [Outcome::Completed, Outcome::Completed, Outcome::Rejected, Outcome::Completed],
            "{label}"
        );
        assert_eq!(run.ends_ms(), [1000, 1400, 800, 2200], "{label}");
    }
}

#[test]
fn r_limit_reject_ends_the_whole_task_and_returns_its_permits() {
    // a gathers three branches that each hold `lines`: the third finds it
    // full, so a is rejected at 0 and the two branches holding permits are
    // cancelled, returning them; b (at 10 ms) then gets one.
    let classes = [
        batch_class(
            "a",
            1,
            r#"[{"gather": [{"copies": 3, "program": [{"limit": {"pool": "lines", "program": [{"io": "1s"}]}}]}]}]"#,
        ),
        class(
            "b",
            r#"{"interval": {"every": "10ms", "count": 1}}"#,
            r#"[{"io": "10ms"}, {"limit": {"pool": "lines", "program": [{"io": "1s"}]}}]"#,
        ),
    ]
    .join(", ");
    let json = scenario_json(&classes, r#"["cooperative"]"#, "");
    let run = run(&json, "cooperative");
    assert_eq!((run.outcomes_of(0), run.ends_ms_of(0)), (vec![Outcome::Rejected], vec![0]));
    assert_eq!((run.outcomes_of(1), run.ends_ms_of(1)), (vec![Outcome::Completed], vec![1010]));
    // On a thread the branches run one after another and never overlap.
    let threads = run_batch(
        1,
        r#"[{"gather": [{"copies": 3, "program": [{"limit": {"pool": "lines", "program": [{"io": "1s"}]}}]}]}]"#,
        r#""blocking""#,
    );
    assert_eq!((threads.outcomes(), threads.ends_ms()), (vec![Outcome::Completed], vec![3000]));
}

#[test]
fn r_limit_reject_on_a_thread_frees_the_worker() {
    // Three workers, four tasks: at 10 ms tasks 0 and 1 take both permits
    // and task 2 is rejected; its thread unwinds at once and takes task 3,
    // which is rejected in turn at 20 ms.
    let json = batch(
        4,
        r#"[{"io": "10ms"}, {"limit": {"pool": "lines", "program": [{"io": "1s"}]}}]"#,
        r#"[{"threaded": {"workers": 3}}]"#,
    );
    let run = run_first(&json);
    assert_eq!(run.outcomes(), [Outcome::Completed, Outcome::Completed, Outcome::Rejected, Outcome::Rejected]);
    assert_eq!(run.ends_ms(), [1010, 1010, 10, 20]);
}

#[test]
fn r_limit_reject_counts_rejected_tasks_without_latency() {
    let json = batch(4, LINES_1S, r#"["cooperative"]"#);
    let m = measure(&json, "cooperative").result;
    let t = m.tasks;
    assert_eq!((t.arrived, t.completed, t.rejected), (4, 2, 2));
    assert_eq!(t.arrived, t.completed + t.failed + t.timed_out + t.cancelled + t.rejected);
    // Only the two completed tasks have a latency.
    assert_eq!((m.latency_s.mean, m.latency_s.p50, m.latency_s.max), (1.0, 1.0, 1.0));
}
