//! R-SPAWN-*: `spawn` (asyncio.create_task) and `join` (await task).

use crate::model::harness::run_batch;

const WORKED: &str = r#"[{"spawn": {"name": "a", "program": [{"io": "3s", "label": "child"}]}},
    {"io": "1s"}, {"join": "a"}, {"io": "1s", "label": "after"}]"#;
const THREADS: [&str; 2] = [r#""blocking""#, r#"{"threaded": {"workers": 2}}"#];

#[test]
fn r_spawn_cooperative_worked_example() {
    // The child runs 0–3 s beside the spawner's 1 s; join waits until 3 s;
    // then 1 s more.
    let run = run_batch(1, WORKED, r#""cooperative""#);
    assert_eq!(run.began_ms("child"), [0]);
    assert_eq!(run.began_ms("after"), [3000]);
    assert_eq!(run.ends_ms(), [4000]);
}

#[test]
fn r_spawn_cooperative_join_of_a_finished_program_returns_at_once() {
    let program = r#"[{"spawn": {"name": "a", "program": [{"io": "1s"}]}},
        {"io": "3s"}, {"join": "a"}, {"io": "1s", "label": "after"}]"#;
    let run = run_batch(1, program, r#""cooperative""#);
    assert_eq!(run.began_ms("after"), [3000]);
    assert_eq!(run.ends_ms(), [4000]);
}

#[test]
fn r_spawn_cooperative_task_ends_after_everything_it_spawned() {
    // Never joined: the program's end waits for the 3 s child.
    let program = r#"[{"spawn": {"name": "a", "program": [{"io": "3s"}]}}, {"io": "1s"}]"#;
    assert_eq!(run_batch(1, program, r#""cooperative""#).ends_ms(), [3000]);
    // Also when the spawner is itself a gather branch.
    let nested = r#"[{"gather": [[{"spawn": {"name": "a", "program": [{"io": "3s"}]}}, {"io": "1s"}]]},
        {"io": "1s"}]"#;
    assert_eq!(run_batch(1, nested, r#""cooperative""#).ends_ms(), [4000]);
}

#[test]
fn r_spawn_cooperative_spawner_continues_before_the_child_runs() {
    // The child is ready at once but the spawner keeps the loop until its
    // next await (the join): its cpu runs 0–10 ms, the child's 10–20 ms.
    let program = r#"[{"spawn": {"name": "a", "program": [{"cpu": "10ms", "label": "child"}]}},
        {"cpu": "10ms", "label": "parent"}, {"join": "a"}]"#;
    let run = run_batch(1, program, r#""cooperative""#);
    assert_eq!((run.began_ms("parent"), run.began_ms("child")), (vec![0], vec![10]));
    assert_eq!(run.ends_ms(), [20]);
}

#[test]
fn r_spawn_threads_runs_the_spawned_program_at_the_spawn() {
    // 3 s child, then 1 s, join (free), 1 s: 5 s.
    for strategy in THREADS {
        let run = run_batch(1, WORKED, strategy);
        assert_eq!(run.began_ms("child"), [0], "{strategy}");
        assert_eq!(run.began_ms("after"), [4000], "{strategy}");
        assert_eq!(run.ends_ms(), [5000], "{strategy}");
    }
    let unjoined = r#"[{"spawn": {"name": "a", "program": [{"io": "3s"}]}}, {"io": "1s"}]"#;
    for strategy in THREADS {
        assert_eq!(run_batch(1, unjoined, strategy).ends_ms(), [4000], "{strategy}");
    }
}
