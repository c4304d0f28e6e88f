//! R-THREADS-SUBMIT-*: a threaded task's gather, spawn and hedge submitted
//! to the pool (`"threads": "pool"`) or to threads of their own (`"new"`).

use crate::model::harness::{batch, ms, run, run_all, try_run};
use simbench::engine::{EngineError, Outcome};

/// A gather of three 1 s branches.
fn gather3(threads: &str) -> String {
    format!(
        r#"[{{"gather": [{{"copies": 3, "program": [{{"io": "1s", "label": "branch"}}]}}], "threads": "{threads}"}}]"#
    )
}

#[test]
fn r_threads_submit_pool_runs_the_branches_at_once() {
    // One task, four workers: the three branches run together on three of
    // them (1 s), where inline they run one after another (3 s). Blocking
    // (sequential code) and cooperative are not affected.
    let strategies = r#"["blocking", {"threaded": {"workers": 4}}, "cooperative"]"#;
    let pooled = run_all(&batch(1, &gather3("pool"), strategies));
    let inline = run_all(&batch(1, &gather3("inline"), strategies));
    let latency = |runs: &[(String, crate::model::harness::Run)], i: usize| runs[i].1.latencies_ms();
    assert_eq!(latency(&pooled, 1), [1000]);
    assert_eq!(latency(&inline, 1), [3000]);
    assert_eq!(pooled[1].1.began_ms("branch"), [0, 0, 0]);
    assert_eq!(pooled[1].1.stats.peak_threads, 4, "the task's worker and one per branch");
    for i in [0, 2] {
        assert_eq!(latency(&pooled, i), latency(&inline, i), "{}", pooled[i].0);
    }
    assert_eq!(latency(&pooled, 0), [3000]);
}

#[test]
fn r_threads_submit_pool_items_queue_behind_tasks() {
    // Two tasks of `gather [io 1s] x2` on 3 workers: both tasks take a
    // worker at 0; task 0's first branch takes the third, its second and
    // task 1's two wait in the one FIFO. Task 0 ends at 2 s, task 1 at 3 s.
    let program = r#"[{"gather": [{"copies": 2, "program": [{"io": "1s", "label": "branch"}]}], "threads": "pool"}]"#;
    let r = run(&batch(2, program, r#"[{"threaded": {"workers": 3}}]"#), "threaded");
    assert_eq!(r.latencies_ms(), [2000, 3000]);
    assert_eq!(r.began_ms("branch"), [0, 1000, 2000, 2000]);
}

#[test]
fn r_threads_submit_pool_deadlock_is_a_stall() {
    // Two tasks hold both workers and wait for branches queued behind them.
    let json = batch(2, &gather3("pool"), r#"[{"threaded": {"workers": 2}}]"#);
    match try_run(&json, "threaded") {
        Err(e @ EngineError::Stalled { .. }) => {
            let message = e.to_string();
            assert!(message.contains("thread-pool deadlock"), "{message}");
            assert!(message.contains("\"threads\": \"new\""), "the hint names the way out: {message}");
            assert!(message.contains("2 task(s) wait"), "work items are not counted as tasks: {message}");
        }
        other => panic!("expected a stall, got {other:?}"),
    }
}

#[test]
fn r_threads_submit_new_needs_no_worker() {
    // One worker, two tasks: task 0's branches run on threads of their own
    // (1 s), then task 1 gets the worker (2 s). Four threads at the peak.
    let r = run(&batch(2, &gather3("new"), r#"[{"threaded": {"workers": 1}}]"#), "threaded");
    assert_eq!(r.latencies_ms(), [1000, 2000]);
    assert_eq!(r.stats.peak_threads, 4);
}

#[test]
fn r_threads_submit_new_threads_start_one_after_another() {
    // With a runtime's thread start of 1 ms (runtime profile `cpython`'s is
    // set by `thread_start`), three new threads start at 1, 2 and 3 ms.
    let program = gather3("new");
    let json = format!(
        r#"{{"name": "t", "runtime": {{"thread_start": "1ms"}}, "classes": {{"t": {{"arrivals": {{"batch": {{"count": 1}}}}, "program": {program}}}}},
            "strategies": [{{"threaded": {{"workers": 1}}}}]}}"#
    );
    let r = run(&json, "threaded");
    let began = r.began_ms("branch");
    assert_eq!(began.len(), 3);
    assert!(began.windows(2).all(|w| w[0] < w[1]), "one start after another: {began:?}");
}

#[test]
fn r_threads_submit_failed_raises_in_the_gather_and_the_rest_runs_on() {
    // `fut.result()` re-raises: the task fails at 100 ms; the slow branch,
    // already running, cannot be cancelled and runs to 1 s.
    let program = r#"[{"gather": [[{"io": "100ms", "fail": 1}], [{"io": "1s", "label": "slow"}]], "threads": "pool"}]"#;
    let r = run(&batch(1, program, r#"[{"threaded": {"workers": 4}}]"#), "threaded");
    assert_eq!(r.outcomes(), [Outcome::Failed]);
    assert_eq!(r.ends_ms(), [100]);
    assert_eq!(r.began_ms("slow"), [0]);
    assert_eq!(r.ended_ms("slow"), [1000]);
    assert_eq!(ms(r.stats.end), 1000, "the run lasts until the abandoned branch ends");
}

#[test]
fn r_threads_submit_failed_counts_as_done_with_return_exceptions() {
    let program = r#"[{"gather": [[{"io": "100ms", "fail": 1}], [{"io": "1s"}]], "mode": "return_exceptions",
        "threads": "pool"}, {"io": "10ms"}]"#;
    let r = run(&batch(1, program, r#"[{"threaded": {"workers": 4}}]"#), "threaded");
    assert_eq!(r.outcomes(), [Outcome::Completed]);
    assert_eq!(r.latencies_ms(), [1010]);
}

#[test]
fn r_threads_submit_failed_is_caught_by_a_try_around_the_gather() {
    let program = r#"[{"try": [{"gather": [[{"io": "100ms", "fail": 1}], [{"io": "1s"}]], "threads": "pool"}],
        "except": [{"io": "50ms", "label": "fallback"}], "on": ["failed"]}]"#;
    let r = run(&batch(1, program, r#"[{"threaded": {"workers": 4}}]"#), "threaded");
    assert_eq!(r.outcomes(), [Outcome::Completed]);
    assert_eq!(r.began_ms("fallback"), [100]);
    assert_eq!(r.latencies_ms(), [150]);
}

#[test]
fn r_threads_submit_spawn_runs_beside_the_spawner() {
    // R-SPAWN-COOPERATIVE's example on threads: `[spawn a [io 3s], io 1s,
    // join a, io 1s]` ends at 4 s (inline: 5 s).
    let program = |threads: &str| {
        format!(
            r#"[{{"spawn": {{"name": "a", "program": [{{"io": "3s"}}]}}, "threads": "{threads}"}}, {{"io": "1s"}},
                {{"join": "a"}}, {{"io": "1s"}}]"#
        )
    };
    let strategy = r#"[{"threaded": {"workers": 2}}]"#;
    assert_eq!(run(&batch(1, &program("pool"), strategy), "threaded").latencies_ms(), [4000]);
    assert_eq!(run(&batch(1, &program("new"), strategy), "threaded").latencies_ms(), [4000]);
    assert_eq!(run(&batch(1, &program("inline"), strategy), "threaded").latencies_ms(), [5000]);
}

#[test]
fn r_threads_submit_spawn_is_awaited_at_the_end_unless_detached() {
    // Without a join the fiber waits for its spawned item at its end (3 s);
    // a detached one is fire-and-forget (1 s), still running after.
    let program = |detached: bool| {
        format!(
            r#"[{{"spawn": {{"name": "log", "program": [{{"io": "3s", "label": "log"}}], "detached": {detached}}},
                "threads": "pool"}}, {{"io": "1s"}}]"#
        )
    };
    let strategy = r#"[{"threaded": {"workers": 2}}]"#;
    assert_eq!(run(&batch(1, &program(false), strategy), "threaded").latencies_ms(), [3000]);
    let detached = run(&batch(1, &program(true), strategy), "threaded");
    assert_eq!(detached.latencies_ms(), [1000]);
    assert_eq!(detached.ended_ms("log"), [3000]);
}

#[test]
fn r_threads_submit_hedge_starts_copies_on_the_pool() {
    // Copies of an exponential request, the second 50 ms after the first;
    // with enough workers, each task's hedge ends as cooperative's does
    // (the copies draw as the same instances, R-THREADS-SUBMIT-DRAWS), and
    // the losing copies hold their workers until they end.
    let program = r#"[{"hedge": [{"io": {"exponential": {"mean": "100ms"}}}], "after": "50ms", "threads": "pool"}]"#;
    let runs = run_all(&batch(50, program, r#"[{"threaded": {"workers": 200}}, "cooperative"]"#));
    let by_index = |i: usize| {
        let mut records = runs[i].1.records.clone();
        records.sort_by_key(|r| r.index);
        records.iter().map(|r| r.ended.as_nanos()).collect::<Vec<_>>()
    };
    assert_eq!(by_index(0), by_index(1));
    assert!(runs[0].1.stats.peak_threads > 50, "losers still running: {}", runs[0].1.stats.peak_threads);
    assert!(runs[0].1.stats.end >= runs[1].1.stats.end);
}

#[test]
fn r_threads_submit_draws_are_the_branches() {
    // A pooled gather of random branches lasts what cooperative's does,
    // task by task: the items draw as the branches' fibers would.
    let program = r#"[{"gather": [{"copies": 4, "program": [{"io": {"uniform": {"min": "10ms", "max": "500ms"}}}]}],
        "threads": "new"}]"#;
    let runs = run_all(&batch(30, program, r#"[{"threaded": {"workers": 30}}, "cooperative"]"#));
    let ends = |i: usize| {
        let mut records = runs[i].1.records.clone();
        records.sort_by_key(|r| r.index);
        records.iter().map(|r| r.ended.as_nanos()).collect::<Vec<_>>()
    };
    assert_eq!(ends(0), ends(1));
    assert!(ends(0).windows(2).any(|w| w[0] != w[1]), "the draws differ from task to task");
}

#[test]
fn r_threads_submit_until_cancels_queued_branches() {
    // One task on 2 workers: the first branch (100 ms) takes the free
    // worker, the other two queue. At 100 ms the gather has its first; the
    // worker has already taken the next (`future.cancel()` fails on a
    // running future), and the last, still queued, never runs.
    let program = r#"[{"gather": [[{"io": "100ms"}], [{"io": "1s", "label": "second"}], [{"io": "1s", "label": "third"}]],
        "until": "first", "rest": "cancel", "threads": "pool"}]"#;
    let r = run(&batch(1, program, r#"[{"threaded": {"workers": 2}}]"#), "threaded");
    assert_eq!(r.latencies_ms(), [100]);
    assert_eq!(r.began_ms("second"), [100]);
    assert!(r.began_ms("third").is_empty(), "{:?}", r.began_ms("third"));
}

#[test]
fn r_threads_submit_abort_timeout_stops_waiting_for_items() {
    // A per-call timeout around the pooled gather: the task gives up at
    // 1 s; the branches run on to 3 s.
    let program = r#"[{"timeout": {"after": "1s", "on_expiry": "abort",
        "program": [{"gather": [{"copies": 2, "program": [{"io": "3s", "label": "branch"}]}], "threads": "pool"}]}}]"#;
    let r = run(&batch(1, program, r#"[{"threaded": {"workers": 4}}]"#), "threaded");
    assert_eq!(r.outcomes(), [Outcome::TimedOut]);
    assert_eq!(r.ends_ms(), [1000]);
    assert_eq!(r.ended_ms("branch"), [3000, 3000]);
}

#[test]
fn r_threads_submit_an_item_may_submit_in_turn() {
    // A spawned program on a thread of its own that spawns again: the inner
    // item's end is delivered to the outer item (a work item's fiber), which
    // then ends, and the task with it, at 1 s, whichever way each is
    // submitted. (The delivery used to look for the spawner in tasks only,
    // not in items: the task waited forever, a stall.)
    for (outer, inner) in [("new", "new"), ("new", "pool"), ("pool", "new"), ("pool", "pool"), ("pool", "inline")] {
        let program = format!(
            r#"[{{"spawn": {{"name": "outer", "program": [
                {{"spawn": {{"name": "inner", "program": [{{"io": "1s"}}]}}, "threads": "{inner}"}}
            ]}}, "threads": "{outer}"}}]"#
        );
        let r = run(&batch(1, &program, r#"[{"threaded": {"workers": 3}}]"#), "threaded");
        assert_eq!(r.latencies_ms(), [1000], "outer {outer}, inner {inner}");
    }
}
