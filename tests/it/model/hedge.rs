//! R-HEDGE-*: hedged requests (a copy after `after`, the first to complete
//! wins).

use crate::model::harness::{batch, run, run_batch};
use simbench::engine::{Outcome, TraceWhat};
use std::collections::BTreeMap;

const THREE: &str =
    r#"[{"hedge": [{"io": "200ms", "label": "GET"}], "after": "50ms", "copies": 3, "label": "hedged"}]"#;

#[test]
fn r_hedge_worked_example() {
    let run = run_batch(1, THREE, r#""cooperative""#);
    assert_eq!(run.began_ms("GET"), [0, 50, 100]);
    assert_eq!(run.ended_ms("GET"), [200], "copies 1 and 2 are cancelled");
    assert_eq!(run.ends_ms(), [200]);
}

#[test]
fn r_hedge_the_first_copy_to_complete_wins() {
    // Each copy draws its own duration; by R-HEDGE the task ends at the
    // earliest of (start of copy i + its draw), and copy i starts at 50 ms·i
    // only if no copy completed before.
    let program = r#"[{"hedge": [{"io": {"lognormal": {"median": "20ms", "p99": "400ms"}}, "label": "GET"}],
        "after": "50ms", "copies": 3}]"#;
    let run = run(&batch(200, program, r#"["cooperative"]"#), "cooperative");
    // Per task (in arrival order = index order): each copy's (start, draw).
    let mut copies: BTreeMap<u64, Vec<(u64, u64)>> = BTreeMap::new();
    let mut index = BTreeMap::new();
    for e in &run.trace {
        match e.what {
            TraceWhat::Arrived => {
                let n = index.len() as u64;
                index.insert(e.task, n);
            }
            TraceWhat::Began { duration: Some(d), .. } => {
                copies.entry(index[&e.task]).or_default().push((e.time.as_nanos(), d))
            }
            _ => {}
        }
    }
    let ended: BTreeMap<u64, u64> = run.records.iter().map(|r| (r.index, r.ended.as_nanos())).collect();
    let mut hedged = 0;
    for (task, started) in &copies {
        let expected = started.iter().map(|(start, d)| start + d).min().unwrap();
        assert_eq!(ended[task], expected, "task {task}");
        for (i, (start, _)) in started.iter().enumerate() {
            assert_eq!(*start, i as u64 * 50_000_000, "task {task}: copy {i} starts at 50 ms × {i}");
            assert!(i == 0 || *start < expected, "task {task}: copy {i} started after a copy completed");
        }
        // A copy not started had its start time after the winner's end.
        if started.len() < 3 {
            assert!(started.len() as u64 * 50_000_000 >= expected, "task {task}: a copy is missing");
        }
        hedged += usize::from(started.len() > 1);
    }
    assert_eq!(copies.len(), 200);
    assert!(hedged > 0, "some tasks needed a second copy");
}

#[test]
fn r_hedge_failed_copy_ends_the_task() {
    let program = r#"[{"hedge": [{"io": "100ms", "fail": 1.0}], "after": "50ms"}]"#;
    let run = run_batch(1, program, r#""cooperative""#);
    assert_eq!((run.outcomes(), run.ends_ms()), (vec![Outcome::Failed], vec![100]));
}

#[test]
fn r_hedge_threads_runs_copy_zero_only() {
    for strategy in [r#""blocking""#, r#"{"threaded": {"workers": 2}}"#] {
        let run = run_batch(1, THREE, strategy);
        assert_eq!(run.began_ms("GET"), [0], "{strategy}");
        assert_eq!(run.ends_ms(), [200], "{strategy}");
    }
}

/// Copies with programs of their own: the first GETs a slow replica, the
/// second a fast one.
const OWN: &str = r#"[{"hedge": [[{"io": "300ms", "label": "replica A"}], [{"io": "20ms", "label": "replica B"}]],
    "after": "50ms", "label": "hedged"}]"#;

#[test]
fn r_hedge_copies_each_copy_runs_its_own_program() {
    let run = run_batch(1, OWN, r#""cooperative""#);
    assert_eq!(run.began_ms("replica A"), [0]);
    assert_eq!(run.began_ms("replica B"), [50]);
    assert_eq!(run.ended_ms("replica B"), [70], "copy 1 wins");
    assert_eq!(run.ended_ms("replica A"), Vec::<u64>::new(), "copy 0 is cancelled");
    assert_eq!(run.ends_ms(), [70]);
}

#[test]
fn r_hedge_copies_are_as_many_as_the_programs() {
    // Three programs, each slower than the hedge delay: three copies start.
    let program = r#"[{"hedge": [[{"io": "500ms", "label": "a"}], [{"io": "500ms", "label": "b"}],
        [{"io": "500ms", "label": "c"}]], "after": "50ms"}]"#;
    let run = run_batch(1, program, r#""cooperative""#);
    let started: Vec<Vec<u64>> = ["a", "b", "c"].iter().map(|l| run.began_ms(l)).collect();
    assert_eq!(started, [vec![0], vec![50], vec![100]]);
    assert_eq!(run.ends_ms(), [500]);
}

#[test]
fn r_hedge_copies_on_the_pool_submit_the_second_only_when_the_first_is_slow() {
    // asyncio.wait({f1}, timeout=H) then submit copy 1: a first copy that
    // answers before H never sends the second.
    let fast = r#"[{"hedge": [[{"io": "30ms", "label": "replica A"}], [{"io": "20ms", "label": "replica B"}]],
        "after": "50ms", "threads": "pool"}]"#;
    let run = run_batch(1, fast, r#"{"threaded": {"workers": 4}}"#);
    assert_eq!((run.began_ms("replica B"), run.ends_ms()), (Vec::<u64>::new(), vec![30]));
    let slow = run_batch(
        1,
        OWN.replace(r#""after""#, r#""threads": "pool", "after""#).as_str(),
        r#"{"threaded": {"workers": 4}}"#,
    );
    assert_eq!(slow.began_ms("replica B"), [50]);
    assert_eq!(slow.ends_ms(), [70], "copy 1 wins; copy 0 is abandoned and runs on");
    assert_eq!(slow.ended_ms("replica A"), [300]);
}
