//! R-GATHER-UNTIL-*: a gather that resumes when some of its branches have
//! completed (`until`), cancelling or leaving the rest (`rest`).

use crate::model::harness::run_batch;
use simbench::engine::Outcome;

fn three(options: &str) -> String {
    format!(
        r#"[{{"gather": [[{{"io": "1s"}}], [{{"io": "2s"}}], [{{"io": "3s", "label": "slow"}}]], {options}}},
            {{"io": "1s", "label": "after"}}]"#
    )
}

const THREADS: [&str; 2] = [r#""blocking""#, r#"{"threaded": {"workers": 2}}"#];

#[test]
fn r_gather_until_worked_example() {
    let first = run_batch(1, &three(r#""until": "first""#), r#""cooperative""#);
    assert_eq!((first.began_ms("after"), first.ends_ms()), (vec![1000], vec![2000]));
    assert!(first.ended_ms("slow").is_empty(), "the 3 s branch is cancelled");
    let two = run_batch(1, &three(r#""until": {"count": 2}"#), r#""cooperative""#);
    assert_eq!(two.ends_ms(), [3000]);
}

#[test]
fn r_gather_until_rest_continue_runs_on_detached() {
    // The task completes at 2 s; the 3 s branch runs on to 3 s.
    let run = run_batch(1, &three(r#""until": "first", "rest": "continue""#), r#""cooperative""#);
    assert_eq!((run.outcomes(), run.ends_ms()), (vec![Outcome::Completed], vec![2000]));
    assert_eq!(run.ended_ms("slow"), [3000]);
}

#[test]
fn r_gather_until_cancel_returns_permits() {
    // The cancelled branch held the one permit of "one"; "after" needs it.
    let program = r#"[{"gather": [[{"io": "1s"}], [{"limit": {"pool": "one", "program": [{"io": "10s"}]}}]],
        "until": "first"}, {"limit": {"pool": "one", "program": [{"io": "1s", "label": "after"}]}}]"#;
    let run = run_batch(1, program, r#""cooperative""#);
    assert_eq!((run.began_ms("after"), run.ends_ms()), (vec![1000], vec![2000]));
}

#[test]
fn r_gather_until_failed_branch_ends_the_task() {
    // Default mode: the failure at 1 s ends the task, as a plain gather's.
    let program = r#"[{"gather": [[{"io": "1s", "fail": 1.0}], [{"io": "2s"}]], "until": "first"}, {"io": "1s"}]"#;
    let run = run_batch(1, program, r#""cooperative""#);
    assert_eq!((run.outcomes(), run.ends_ms()), (vec![Outcome::Failed], vec![1000]));
}

#[test]
fn r_gather_until_threads_runs_the_first_branches() {
    for strategy in THREADS {
        let first = run_batch(1, &three(r#""until": "first""#), strategy);
        assert_eq!(first.ends_ms(), [2000], "{strategy}");
        assert!(first.began_ms("slow").is_empty(), "{strategy}: never started");
        let two = run_batch(1, &three(r#""until": {"count": 2}"#), strategy);
        assert_eq!(two.ends_ms(), [4000], "{strategy}");
        let all = run_batch(1, &three(r#""until": "first", "rest": "continue""#), strategy);
        assert_eq!(all.ends_ms(), [7000], "{strategy}");
    }
}
