//! R-GATHER-*: running branches concurrently (or not) and waiting for all.

use crate::model::harness::{run, run_batch};
use simbench::engine::TraceWhat;

const THREE: &str =
    r#"[{"gather": [[{"io": "1s", "label": "a"}], [{"io": "2s", "label": "b"}], [{"io": "3s", "label": "c"}]]}]"#;
const FLOW: &str = include_str!("../../../scenarios/flow.json");

#[test]
fn r_gather_cooperative_lasts_as_long_as_the_longest_branch() {
    let run = run_batch(1, THREE, r#""cooperative""#);
    assert_eq!(run.ends_ms(), [3000]);
    assert_eq!((run.began_ms("a"), run.began_ms("b"), run.began_ms("c")), (vec![0], vec![0], vec![0]));
}

#[test]
fn r_gather_cooperative_flow_worked_example() {
    // Operation 1 starts, operation 2 starts, 2 completes at 1 s, 1 at 2 s,
    // the task at 2 s.
    let run = run(FLOW, "cooperative");
    assert_eq!((run.began_ms("operation_1"), run.began_ms("operation_2")), (vec![0], vec![0]));
    assert_eq!((run.ended_ms("operation_2"), run.ended_ms("operation_1")), (vec![1000], vec![2000]));
    assert_eq!(run.ends_ms(), [2000]);
    let began: Vec<u32> = run
        .trace
        .iter()
        .filter_map(|e| match e.what {
            TraceWhat::Began { pc, duration: Some(_) } => Some(pc),
            _ => None,
        })
        .collect();
    assert_eq!(began.len(), 2);
    assert!(began[0] < began[1], "operation_1 (branch 0) must start before operation_2: {began:?}");
}

#[test]
fn r_gather_cooperative_children_are_ready_in_branch_order() {
    // The children compute in turn, in branch order, then copy order.
    let program = r#"[{"gather": [[{"cpu": "10ms", "label": "x"}], [{"cpu": "10ms", "label": "y"}],
        {"copies": 2, "program": [{"cpu": "10ms", "label": "z"}]}]}]"#;
    let run = run_batch(1, program, r#""cooperative""#);
    assert_eq!((run.ended_ms("x"), run.ended_ms("y"), run.ended_ms("z")), (vec![10], vec![20], vec![30, 40]));
    assert_eq!(run.ends_ms(), [40]);
}

#[test]
fn r_gather_cooperative_parent_resumes_when_the_last_child_finishes() {
    let program = r#"[{"gather": [[{"io": "1s"}], {"copies": 100, "program": [{"io": "3s"}]}]},
        {"io": "1s", "label": "after"}]"#;
    let run = run_batch(1, program, r#""cooperative""#);
    assert_eq!(run.began_ms("after"), [3000]);
    assert_eq!(run.ends_ms(), [4000]);
}

#[test]
fn r_gather_threads_runs_branches_one_after_another() {
    for strategy in [r#""blocking""#, r#"{"threaded": {"workers": 4}}"#] {
        let run = run_batch(1, THREE, strategy);
        assert_eq!(run.ends_ms(), [6000], "{strategy}");
        let began = (run.began_ms("a"), run.began_ms("b"), run.began_ms("c"));
        assert_eq!(began, (vec![0], vec![1000], vec![3000]), "{strategy}");
    }
    // The flow example: 2 s then 1 s, the task completes at 3 s.
    let run = run(FLOW, "blocking");
    assert_eq!((run.began_ms("operation_1"), run.began_ms("operation_2")), (vec![0], vec![2000]));
    assert_eq!(run.ends_ms(), [3000]);
}

#[test]
fn r_gather_nested_cooperative_takes_the_longest_path_threads_the_sum() {
    // The shape of scenarios/fanout.json with fixed durations: 3 services,
    // each routes (2 ms) then reads 5 shards (40 ms each) at once; then a
    // 1 ms merge. Cooperative: 2 + 40 + 1 = 43 ms. Threads: 3 × (2 + 5 × 40)
    // + 1 = 607 ms.
    let program = r#"[{"gather": [{"copies": 3, "program": [
            {"io": "2ms"},
            {"gather": [{"copies": 5, "program": [{"io": "40ms"}]}]}]}]},
        {"cpu": "1ms"}]"#;
    assert_eq!(run_batch(1, program, r#""cooperative""#).ends_ms(), [43]);
    assert_eq!(run_batch(1, program, r#""blocking""#).ends_ms(), [607]);
    assert_eq!(run_batch(1, program, r#""threaded""#).ends_ms(), [607]);
    // Uneven tree: [1 s, then gather(2 s, 3 s)] beside [2 s]: longest path
    // 1 + 3 = 4 s; sum 1 + 2 + 3 + 2 = 8 s.
    let uneven = r#"[{"gather": [[{"io": "1s"}, {"gather": [[{"io": "2s"}], [{"io": "3s"}]]}], [{"io": "2s"}]]}]"#;
    assert_eq!(run_batch(1, uneven, r#""cooperative""#).ends_ms(), [4000]);
    assert_eq!(run_batch(1, uneven, r#""blocking""#).ends_ms(), [8000]);
}
