//! Where scoped outcomes (R-TRY-*, R-GATHER-MODE-*) meet detached work
//! (R-SPAWN-DETACHED, R-GATHER-UNTIL `rest: continue`): a detached program
//! lies outside every scope, so a try that catches an outcome does not
//! cancel it, a try does not catch an outcome raised inside it, and a
//! branch a `gather`-mode gather leaves running counts as detached work.

use crate::model::harness::{batch_class, run, run_batch, scenario_json};
use simbench::engine::Outcome;

#[test]
fn r_try_catch_spares_a_detached_program_started_in_the_body() {
    // The body spawns a 300 ms log, then fails at 100 ms: the except runs
    // (100–150 ms) and the task completes at 150 ms; the log runs to 300 ms
    // (asyncio: the task created inside the try is not cancelled by the
    // exception that leaves it).
    let program = r#"[{"try": [
            {"spawn": {"name": "log", "detached": true, "program": [{"io": "300ms", "label": "log"}]}},
            {"io": "100ms", "fail": 1.0}],
        "except": [{"io": "50ms"}]}]"#;
    let run = run_batch(1, program, r#""cooperative""#);
    assert_eq!((run.outcomes(), run.ends_ms()), (vec![Outcome::Completed], vec![150]));
    assert_eq!(run.ended_ms("log"), [300]);
}

#[test]
fn r_spawn_detached_failure_inside_a_try_is_not_caught() {
    // The detached program's failure at 50 ms ends it only: the try's
    // except never runs, and the body completes at 200 ms.
    let program = r#"[{"try": [
            {"spawn": {"name": "x", "detached": true, "program": [{"io": "50ms", "fail": 1.0}]}},
            {"io": "200ms"}],
        "except": [{"io": "1s", "label": "except"}]}]"#;
    let run = run_batch(1, program, r#""cooperative""#);
    assert_eq!((run.outcomes(), run.ends_ms()), (vec![Outcome::Completed], vec![200]));
    assert!(run.ended_ms("except").is_empty());
}

#[test]
fn r_gather_mode_gather_branches_left_running_are_detached_work() {
    // The 1 s branch fails; the 3 s branch runs on, detached. At a 2 s
    // horizon it is still running: detached_pending counts it, and the
    // makespan stops at the task's outcome (R-SPAWN-DETACHED-MAKESPAN).
    let program = r#"[{"gather": [[{"io": "1s", "fail": 1.0}], [{"io": "3s"}]], "mode": "gather"}]"#;
    let json = scenario_json(&batch_class("task", 1, program), r#"["cooperative"]"#, r#""horizon": "2s""#);
    let run = run(&json, "cooperative");
    assert_eq!((run.outcomes(), run.ends_ms()), (vec![Outcome::Failed], vec![1000]));
    assert_eq!(run.stats.detached_pending, Some(1));
    assert_eq!(run.makespan_ms(), 1000);
}

#[test]
fn r_gather_mode_gather_a_left_branch_that_fails_later_is_ignored() {
    // Inside a try: the first failure at 1 s is caught (except 100 ms, then
    // 200 ms); the other branch fails at 2 s, detached: ignored.
    let program = r#"[{"try": [{"gather": [[{"io": "1s", "fail": 1.0}], [{"io": "2s", "fail": 1.0, "label": "late"}]],
            "mode": "gather"}],
        "except": [{"io": "100ms"}]},
        {"io": "200ms"}]"#;
    let run = run_batch(1, program, r#""cooperative""#);
    assert_eq!((run.outcomes(), run.ends_ms()), (vec![Outcome::Completed], vec![1300]));
}
