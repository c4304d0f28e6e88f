//! R-GATHER-MODE-*: what a gather does when a branch raises an outcome.

use crate::model::harness::{batch, ms, run, run_all, run_batch};
use simbench::engine::Outcome;

const BOTH: &str = r#"[{"threaded": {"workers": 2}}, "cooperative"]"#;

fn gather(mode: &str) -> String {
    format!(r#"{{"gather": [[{{"io": "1s", "fail": 1.0}}], [{{"io": "3s", "label": "slow"}}]], "mode": "{mode}"}}"#)
}

#[test]
fn r_gather_mode_task_group_cancels_the_siblings() {
    for (label, run) in run_all(&batch(1, &format!("[{}]", gather("task_group")), BOTH)) {
        assert_eq!(run.outcomes(), [Outcome::Failed], "{label}");
        assert_eq!(run.ends_ms(), [1000], "{label}");
        assert!(run.ended_ms("slow").is_empty(), "{label}");
        assert_eq!(run.makespan_ms(), 1000, "{label}");
    }
}

#[test]
fn r_gather_mode_gather_leaves_the_siblings_running() {
    // Cooperative: the task fails at 1 s; the other branch runs on to 3 s.
    // Threads: one branch at a time, the second never starts.
    for (label, run) in run_all(&batch(1, &format!("[{}]", gather("gather")), BOTH)) {
        assert_eq!(run.outcomes(), [Outcome::Failed], "{label}");
        assert_eq!(run.ends_ms(), [1000], "{label}");
        // The makespan is the last task's end; the run goes on to 3 s.
        let (slow, end) = if label == "cooperative" { (vec![3000], 3000) } else { (vec![], 1000) };
        assert_eq!(run.ended_ms("slow"), slow, "{label}");
        assert_eq!(run.makespan_ms(), 1000, "{label}");
        assert_eq!(ms(run.stats.end), end, "{label}");
    }
}

#[test]
fn r_gather_mode_gather_inside_a_try() {
    // The try catches the failure at 1 s: fallback 1.0–1.1, rest 1.1–1.3 s;
    // the detached branch fails at 2 s, which nobody sees.
    let program = r#"[{"try": [{"gather": [[{"io": "1s", "fail": 1.0}], [{"io": "2s", "fail": 1.0, "label": "late"}]],
        "mode": "gather"}], "except": [{"io": "100ms"}]}, {"io": "200ms"}]"#;
    let run = run_batch(1, program, r#""cooperative""#);
    assert_eq!(run.outcomes(), [Outcome::Completed]);
    assert_eq!(run.ends_ms(), [1300]);
    assert_eq!(run.ended_ms("late"), [2000]);
    assert_eq!(ms(run.stats.end), 2000);
}

#[test]
fn r_gather_mode_gather_holds_the_admission() {
    // max_concurrency 1: the first task fails at 1 s but its detached branch
    // holds the loop's only admission until 3 s; the second runs 3–4 s.
    let json = batch(2, &format!("[{}]", gather("gather")), r#"[{"cooperative": {"max_concurrency": 1}}]"#);
    let run = run(&json, "cooperative");
    assert_eq!(run.outcomes(), [Outcome::Failed; 2]);
    assert_eq!(run.ends_ms(), [1000, 4000]);
}

#[test]
fn r_gather_mode_return_exceptions_waits_for_all() {
    // Cooperative: the gather lasts its longest branch, 3 s, then 0.5 s:
    // completed at 3.5 s. Threads: 1 + 3 + 0.5 = 4.5 s.
    let program = format!(r#"[{}, {{"io": "500ms", "label": "after"}}]"#, gather("return_exceptions"));
    for (label, run) in run_all(&batch(1, &program, BOTH)) {
        let end = if label == "cooperative" { 3500 } else { 4500 };
        assert_eq!(run.outcomes(), [Outcome::Completed], "{label}");
        assert_eq!(run.ends_ms(), [end], "{label}");
    }
}
