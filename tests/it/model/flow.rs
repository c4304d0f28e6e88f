//! R-REPEAT-*, R-CHOOSE-*, R-SEQUENCE-*: loops, branches and per-task
//! values, under each strategy.

use crate::model::harness::{Run, batch, batch_class, ms, run, run_all, run_batch, scenario_json};
use simbench::engine::Outcome;

const ALL: &str = r#"["blocking", {"threaded": {"workers": 2}}, "cooperative"]"#;

#[test]
fn r_repeat_runs_the_program_times_in_order() {
    // Three iterations of 100 + 10 ms, then 50 ms: 380 ms under every strategy.
    let program = r#"[{"repeat": [{"io": "100ms", "label": "page"}, {"cpu": "10ms"}], "times": 3},
        {"io": "50ms", "label": "after"}]"#;
    for (label, run) in run_all(&batch(1, program, ALL)) {
        assert_eq!(run.began_ms("page"), [0, 110, 220], "{label}");
        assert_eq!(run.began_ms("after"), [330], "{label}");
        assert_eq!(run.latencies_ms(), [380], "{label}");
        assert_eq!(run.outcomes(), [Outcome::Completed], "{label}");
    }
}

#[test]
fn r_repeat_zero_times_skips_the_program() {
    let program = r#"[{"repeat": [{"io": "1s", "label": "never"}], "times": 0}, {"io": "50ms"}]"#;
    for (label, run) in run_all(&batch(1, program, ALL)) {
        assert!(run.began_ms("never").is_empty(), "{label}");
        assert_eq!(run.latencies_ms(), [50], "{label}");
    }
}

#[test]
fn r_repeat_count_is_drawn_per_task_and_shared_by_strategies() {
    // 1 to 3 iterations of 100 ms: every latency is one of 100, 200, 300 ms,
    // all three occur over 60 tasks, and task k loops as often under every
    // strategy (R-CRN).
    let program = r#"[{"repeat": [{"io": "100ms"}], "times": {"uniform": {"min": 1, "max": 3}}}]"#;
    let runs = run_all(&batch(60, program, r#"["blocking", {"threaded": {"workers": 60}}, "cooperative"]"#));
    // Blocking queues the tasks one after another: compare durations, not
    // latencies.
    let durations = |run: &Run| -> Vec<u64> {
        let mut records = run.records.clone();
        records.sort_by_key(|r| r.index);
        records.iter().map(|r| ms(r.ended) - ms(r.started.expect("a completed task started"))).collect()
    };
    let first = durations(&runs[0].1);
    for ms in [100, 200, 300] {
        assert!(first.contains(&ms), "{ms} ms never drawn: {first:?}");
    }
    assert!(first.iter().all(|ms| [100, 200, 300].contains(ms)), "{first:?}");
    for (label, run) in &runs[1..] {
        assert_eq!(durations(run), first, "{label}");
    }
}

#[test]
fn r_repeat_iterations_draw_their_own_durations() {
    // Each iteration is its own draw instance: three iterations of an
    // exponential io do not all take the same time.
    let program = r#"[{"repeat": [{"io": {"exponential": {"mean": "100ms"}}, "label": "page"}], "times": 3}]"#;
    let run = run_batch(20, program, r#""cooperative""#);
    let draws = run.draws();
    let distinct_in_a_task = draws.values().filter(|v| v.len() == 3 && v[0] != v[1] && v[1] != v[2]).count();
    assert_eq!(distinct_in_a_task, 20, "{draws:?}");
}

#[test]
fn r_repeat_geometric_stops_at_the_last_page() {
    // Mean 4 pages: the mean number of 10 ms pages over 4,000 tasks is
    // within 5 % of 4 (the standard error is about 1 %).
    let program = r#"[{"repeat": [{"io": "10ms"}], "times": {"geometric": {"mean": 4}}}]"#;
    let run = run_batch(4000, program, r#""cooperative""#);
    let latencies = run.latencies_ms();
    assert!(latencies.iter().all(|ms| ms % 10 == 0 && *ms >= 10), "every task fetches at least one page");
    let pages = latencies.iter().sum::<u64>() as f64 / 10.0 / latencies.len() as f64;
    assert!((pages - 4.0).abs() < 0.2, "mean pages {pages}");
}

#[test]
fn r_repeat_outcome_leaves_the_loop() {
    // The second iteration fails: the third never runs; uncaught, the task
    // fails at 200 ms; inside a try, the except runs and the task goes on.
    let body = r#"{"repeat": [{"io": "100ms", "fail": {"sequence": [0]}, "label": "page"},
        {"choose": [{"program": [{"io": "0ms", "fail": 1.0}]}]}], "times": 3}"#;
    let failing = format!("[{body}]");
    for (label, run) in run_all(&batch(1, &failing, ALL)) {
        assert_eq!(run.outcomes(), [Outcome::Failed], "{label}");
        assert_eq!(run.began_ms("page"), [0], "{label}");
        assert_eq!(run.latencies_ms(), [100], "{label}");
    }
    let caught =
        format!(r#"[{{"try": [{body}], "except": [{{"io": "50ms", "label": "fallback"}}]}}, {{"io": "10ms"}}]"#);
    for (label, run) in run_all(&batch(1, &caught, ALL)) {
        assert_eq!(run.outcomes(), [Outcome::Completed], "{label}");
        assert_eq!(run.began_ms("fallback"), [100], "{label}");
        assert_eq!(run.latencies_ms(), [160], "{label}");
    }
}

#[test]
fn r_repeat_is_no_task_under_a_cpython_runtime() {
    // A loop body is not a task: with a task-creation cost, 20 iterations of
    // 1 ms take as long as 20 steps written out.
    let looped = r#"[{"repeat": [{"io": "1ms"}], "times": 20}]"#;
    let unrolled = format!("[{}]", vec![r#"{"io": "1ms"}"#; 20].join(", "));
    let cpython = |program: &str| {
        let json = batch(1, program, r#"["cooperative"]"#);
        json.replacen(
            r#"{"name": "t","#,
            r#"{"name": "t", "runtime": {"profile": "cpython", "task_create": "1ms"},"#,
            1,
        )
    };
    let a = run(&cpython(looped), "cooperative");
    let b = run(&cpython(&unrolled), "cooperative");
    assert_eq!(a.records[0].ended, b.records[0].ended);
}

#[test]
fn r_choose_picks_a_branch_by_weight() {
    // 0.8 hit / 0.2 miss over 10,000 tasks: the hits are within 4σ (160) of
    // 8,000.
    let program = r#"[{"choose": [{"weight": 0.8, "program": [{"io": "1ms", "label": "hit"}]},
        {"weight": 0.2, "program": [{"io": "100ms", "label": "miss"}]}]}]"#;
    let run = run_batch(10_000, program, r#""cooperative""#);
    let hits = run.began_ms("hit").len();
    assert_eq!(hits + run.began_ms("miss").len(), 10_000);
    assert!((7_840..=8_160).contains(&hits), "{hits} hits");
}

#[test]
fn r_choose_is_the_same_for_task_k_under_every_strategy() {
    let program = r#"[{"choose": [{"weight": 1, "program": [{"io": "10ms"}]}, {"weight": 1, "program": [{"io": "30ms"}]},
        {"weight": 2, "program": []}]}, {"io": "1ms"}]"#;
    let runs = run_all(&batch(50, program, r#"[{"threaded": {"workers": 50}}, "cooperative"]"#));
    let latencies = runs[0].1.latencies_ms();
    assert_eq!(runs[1].1.latencies_ms(), latencies);
    for ms in [1, 11, 31] {
        assert!(latencies.contains(&ms), "branch of {ms} ms never chosen: {latencies:?}");
    }
}

#[test]
fn r_sequence_gives_task_k_the_kth_value() {
    let program = r#"[{"io": {"sequence": ["100ms", "200ms", "300ms"]}}]"#;
    for (label, run) in run_all(&batch(5, program, r#"[{"threaded": {"workers": 5}}, "cooperative"]"#)) {
        assert_eq!(run.latencies_ms(), [100, 200, 300, 100, 200], "{label}");
    }
}

#[test]
fn r_sequence_fail_is_a_fixed_pattern() {
    // Every third task fails.
    let program = r#"[{"io": "10ms", "fail": {"sequence": [0, 0, 1]}}]"#;
    use Outcome::{Completed as C, Failed as F};
    for (label, run) in run_all(&batch(6, program, ALL)) {
        assert_eq!(run.outcomes(), [C, C, F, C, C, F], "{label}");
    }
}

#[test]
fn r_sequence_times_loops_per_task() {
    let program = r#"[{"repeat": [{"io": "10ms"}], "times": {"sequence": [1, 0, 3]}}, {"io": "1ms"}]"#;
    let run = run_batch(4, program, r#"{"threaded": {"workers": 4}}"#);
    assert_eq!(run.latencies_ms(), [11, 1, 31, 11]);
}

#[test]
fn r_sequence_counts_tasks_per_class() {
    // Each class numbers its own tasks from 0.
    let classes = [
        batch_class("a", 2, r#"[{"io": {"sequence": ["10ms", "20ms"]}}]"#),
        batch_class("b", 2, r#"[{"io": {"sequence": ["30ms", "40ms"]}}]"#),
    ]
    .join(", ");
    let run = run(&scenario_json(&classes, r#"["cooperative"]"#, ""), "cooperative");
    assert_eq!(run.ends_ms_of(0), [10, 20]);
    assert_eq!(run.ends_ms_of(1), [30, 40]);
}
