//! R-IO-*, R-SLEEP, R-IO-FAIL: awaiting I/O under each strategy.

use crate::model::harness::run_batch;
use simbench::engine::Outcome;

const DOWNLOAD: &str = r#"[{"io": "5s"}]"#;

#[test]
fn r_io_blocking_runs_downloads_one_after_another() {
    assert_eq!(run_batch(3, DOWNLOAD, r#""blocking""#).ends_ms(), [5000, 10000, 15000]);
}

#[test]
fn r_io_threaded_overlaps_up_to_the_worker_count() {
    let two = r#"{"threaded": {"workers": 2}}"#;
    assert_eq!(run_batch(3, DOWNLOAD, two).ends_ms(), [5000, 5000, 10000]);
    let three = r#"{"threaded": {"workers": 3}}"#;
    assert_eq!(run_batch(3, DOWNLOAD, three).ends_ms(), [5000, 5000, 5000]);
}

#[test]
fn r_io_cooperative_overlaps_every_download() {
    assert_eq!(run_batch(3, DOWNLOAD, r#""cooperative""#).ends_ms(), [5000, 5000, 5000]);
}

#[test]
fn r_sleep_costs_what_io_costs_under_every_strategy() {
    let sleep = r#"[{"sleep": "5s"}]"#;
    for strategy in [r#""blocking""#, r#"{"threaded": {"workers": 2}}"#, r#""cooperative""#] {
        assert_eq!(run_batch(3, sleep, strategy).ends_ms(), run_batch(3, DOWNLOAD, strategy).ends_ms(), "{strategy}");
    }
}

#[test]
fn r_io_fail_ends_the_task_as_failed_when_the_io_completes() {
    let program = r#"[{"io": "1s", "fail": 1.0}, {"io": "5s"}]"#;
    for strategy in [r#""blocking""#, r#""threaded""#, r#""cooperative""#] {
        let run = run_batch(1, program, strategy);
        assert_eq!(run.outcomes(), [Outcome::Failed], "{strategy}");
        assert_eq!(run.ends_ms(), [1000], "{strategy}");
    }
}

#[test]
fn r_io_fail_with_probability_zero_never_fails() {
    let run = run_batch(200, r#"[{"io": "1ms", "fail": 0.0}]"#, r#""cooperative""#);
    assert!(run.outcomes().iter().all(|o| *o == Outcome::Completed));
}

#[test]
fn r_io_fail_probability_sets_the_failure_rate() {
    let run = run_batch(4000, r#"[{"io": "1ms", "fail": 0.25}]"#, r#""cooperative""#);
    let failed = run.outcomes().iter().filter(|o| **o == Outcome::Failed).count();
    // Binomial(4000, 0.25): mean 1000, sd 27; ±5 sd.
    assert!((865..=1135).contains(&failed), "{failed} of 4000 failed");
}

#[test]
fn r_io_fail_cancels_the_tasks_other_coroutines() {
    // The failing branch ends the task at 1 s; the 5 s branch is cancelled.
    let program = r#"[{"gather": [[{"io": "1s", "fail": 1.0}], [{"io": "5s"}]]}]"#;
    let run = run_batch(1, program, r#""cooperative""#);
    assert_eq!(run.outcomes(), [Outcome::Failed]);
    assert_eq!(run.makespan_ms(), 1000);
}
