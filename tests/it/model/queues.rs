//! R-QUEUE-*: work queues (`asyncio.Queue` / `queue.Queue`), `put` and
//! `get`, queue workers and the closing of queues. Expected figures come
//! from the worked example of docs/model.md ("put and get").

use crate::model::harness::{batch_class, class, measure, run, run_all, scenario_json, try_run};
use simbench::engine::{EngineError, Outcome, StalledTask};

const WORKER: &str = r#"[{"get": "jobs"}, {"io": "10ms"}]"#;

/// The worked example: a queue of capacity 1, one worker, 3 producers.
fn example(strategies: &str) -> String {
    let classes = [class("w", r#"{"workers": 1}"#, WORKER), batch_class("p", 3, r#"[{"put": "jobs"}]"#)].join(", ");
    scenario_json(&classes, strategies, r#""queues": {"jobs": {"capacity": 1}}"#)
}

const BOTH: &str = r#"["cooperative", {"threaded": {"workers": 4, "label": "t4"}}]"#;

#[test]
fn r_queue_put_waits_on_a_full_queue_fifo() {
    for (label, run) in run_all(&example(BOTH)) {
        // p0 puts at 0; p1 is woken at 0 when the worker takes p0's item;
        // p2 waits until the worker's second get at 10 ms.
        assert_eq!(run.ends_ms_of(1), [0, 0, 10], "{label}");
    }
}

#[test]
fn r_queue_get_takes_the_oldest_item_and_workers_record_put_to_end() {
    for (label, run) in run_all(&example(BOTH)) {
        // Iterations arrive when their item was put: 0, 0, 10 ms.
        assert_eq!(run.arrivals_ms_of(0), [0, 0, 10], "{label}");
        assert_eq!(run.ends_ms_of(0), [10, 20, 30], "{label}");
        assert_eq!(run.latencies_ms(), [10, 20, 20], "{label}");
    }
}

#[test]
fn r_queue_close_stops_workers_without_a_task() {
    for (label, run) in run_all(&example(BOTH)) {
        // Three iterations got an item; the fourth get found the queue
        // closed and empty at 30 ms: no fourth task, and the run ends.
        assert_eq!(run.outcomes_of(0), [Outcome::Completed; 3], "{label}");
        assert_eq!(run.makespan_ms(), 30, "{label}");
        assert_eq!(run.stats.arrived, 6, "{label}");
    }
}

#[test]
fn r_queue_figures_put_got_length_wait_blocked() {
    for label in ["cooperative", "t4"] {
        let m = measure(&example(BOTH), label);
        let q = &m.result.queues[0];
        assert_eq!((q.queue.as_str(), q.capacity, q.put, q.got), ("jobs", Some(1), 3, 3), "{label}");
        // Length 1 over [0, 20 ms) of 30 ms.
        assert_eq!((q.mean_length, q.max_length), (0.666667, 1), "{label}");
        // Waits 0, 10, 10 ms.
        assert!((q.wait_s.mean - 0.02 / 3.0).abs() < 1e-12, "{label}: {}", q.wait_s.mean);
        assert_eq!(q.wait_s.max, 0.01, "{label}");
        // p1 blocked 0 ms, p2 10 ms.
        assert_eq!((q.blocked_puts, q.blocked_s), (2, 0.01), "{label}");
    }
}

#[test]
fn r_queue_workers_start_before_arrivals_and_hold_a_thread() {
    // 2 threads: the worker takes one first (it waits at its get), the
    // producers run one after another on the other. p0 puts and ends at 0;
    // p1 finds room (the worker took p0's item) and ends at 0; p2 blocks its
    // thread on the full queue until the worker's get at 10 ms.
    let json = example(r#"[{"threaded": {"workers": 2, "label": "t2"}}]"#);
    let run = run(&json, "t2");
    assert_eq!(run.ends_ms_of(1), [0, 0, 10]);
    assert_eq!(run.stats.peak_threads, 2);
}

#[test]
fn r_queue_threads_stall_when_workers_hold_every_thread() {
    let json = example(r#"[{"threaded": {"workers": 1, "label": "t1"}}]"#);
    let Err(EngineError::Stalled { tasks, .. }) = try_run(&json, "t1") else {
        panic!("expected a stall");
    };
    assert_eq!(tasks[0].number, StalledTask::WORKER);
    assert!(tasks[0].waits[0].contains(r#"waits for an item of queue "jobs""#), "{:?}", tasks[0]);
    assert!(tasks[1].waits[0].contains("queue workers hold all 1 threads (w ×1)"), "{:?}", tasks[1]);
}

#[test]
fn r_queue_handoff_woken_getter_looks_again() {
    // Two workers wait at t = 0 (w0 first). p puts two items at 0: the
    // first wakes w0, the second w1; both take one.
    let classes =
        [class("w", r#"{"workers": 2}"#, WORKER), batch_class("p", 1, r#"[{"put": "jobs"}, {"put": "jobs"}]"#)]
            .join(", ");
    let json = scenario_json(&classes, BOTH, r#""queues": {"jobs": {}}"#);
    for (label, run) in run_all(&json) {
        assert_eq!(run.ends_ms_of(0), [10, 10], "{label}");
    }
}

#[test]
fn r_queue_worker_fail_ends_the_worker() {
    // The worker's first iteration fails: it stops, and the second item is
    // never got; p's second put waits forever on the full queue.
    let worker = r#"[{"get": "jobs"}, {"io": "10ms", "fail": 1}]"#;
    let classes = [
        class("w", r#"{"workers": 1}"#, worker),
        batch_class("p", 1, r#"[{"put": "jobs"}, {"put": "jobs"}, {"put": "jobs"}]"#),
    ]
    .join(", ");
    let json = scenario_json(&classes, BOTH, r#""queues": {"jobs": {"capacity": 1}}"#);
    for label in ["cooperative", "t4"] {
        let Err(EngineError::Stalled { tasks, .. }) = try_run(&json, label) else {
            panic!("{label}: expected a stall");
        };
        assert!(tasks[0].waits[0].contains(r#"waits for room in queue "jobs""#), "{label}: {tasks:?}");
    }
}

#[test]
fn r_queue_pipeline_conserves_items_through_two_stages() {
    let classes = [
        class("parse", r#"{"workers": 2}"#, r#"[{"get": "a"}, {"cpu": "5ms"}, {"put": "b"}]"#),
        class("store", r#"{"workers": 1}"#, r#"[{"get": "b"}, {"io": "3ms"}]"#),
        batch_class("fetch", 10, r#"[{"io": "1ms"}, {"put": "a"}]"#),
    ]
    .join(", ");
    let json = scenario_json(&classes, BOTH, r#""queues": {"a": {"capacity": 2}, "b": {"capacity": 2}}"#);
    for label in ["cooperative", "t4"] {
        let m = measure(&json, label);
        let counts: Vec<(u64, u64)> = m.result.queues.iter().map(|q| (q.put, q.got)).collect();
        assert_eq!(counts, [(10, 10), (10, 10)], "{label}");
        assert_eq!(m.result.tasks.completed, 30, "{label}");
    }
}

#[test]
fn r_queue_close_knows_producers_inside_every_kind_of_step() {
    // The producers put from inside a try, a retry and a hedge: the queue
    // stays open until they are done, so the worker gets all 9 items
    // (were a producer missed, the queue would close at once and the
    // worker stop before any item came).
    let producers = [
        batch_class("t", 3, r#"[{"io": "5ms"}, {"try": [{"put": "jobs"}]}]"#),
        batch_class("r", 3, r#"[{"io": "5ms"}, {"retry": [{"put": "jobs"}], "attempts": 2}]"#),
        batch_class("h", 3, r#"[{"io": "5ms"}, {"hedge": [{"put": "jobs"}], "after": "1s"}]"#),
    ];
    let classes = [class("w", r#"{"workers": 1}"#, WORKER)].iter().chain(&producers).cloned().collect::<Vec<_>>();
    let json = scenario_json(&classes.join(", "), r#"["cooperative"]"#, r#""queues": {"jobs": {}}"#);
    let m = measure(&json, "cooperative");
    let q = &m.result.queues[0];
    assert_eq!((q.put, q.got), (9, 9));
}

#[test]
fn r_queue_handoff_a_cancelled_woken_waiter_passes_the_wakeup_on() {
    // Three producers each gather (task_group) two puts beside a branch
    // that fails at once, into a queue of capacity 1 drained by one worker:
    // puts woken by the worker's gets are cancelled, by their gather's
    // failure, before they look at the queue again. Each passes its wakeup
    // to the next putter, as asyncio's cancelled `put` does; a lost wakeup
    // left the others waiting beside an empty queue (a stall).
    let producer = r#"[{"gather": [
        {"copies": 2, "program": [{"gather": [{"copies": 2, "program": [{"put": "jobs"}]}]},
                                  {"to_thread": [{"io": "1ms", "fail": {"sequence": [1]}}]}]}
    ], "until": "first", "rest": "continue"}]"#;
    let classes =
        [class("w", r#"{"workers": 1}"#, r#"[{"get": "jobs"}, {"cpu": "1ms"}]"#), batch_class("p", 3, producer)]
            .join(", ");
    let json = scenario_json(&classes, r#"["cooperative"]"#, r#""queues": {"jobs": {"capacity": 1}}"#);
    let m = measure(&json, "cooperative");
    let q = &m.result.queues[0];
    assert_eq!(q.put, q.got, "items are conserved");
}

#[test]
fn r_queue_close_waits_for_detached_work_items() {
    // Under threaded, a task's detached spawn submitted to the pool waits
    // for a worker (the task holds one, the queue worker the other) and
    // runs after its task has ended; it still puts, so the queue stays open
    // for it. (It used to close with the task: the item went into a closed
    // queue, never got.)
    let producer =
        r#"[{"spawn": {"name": "late", "program": [{"put": "jobs"}], "detached": true}, "threads": "pool"}]"#;
    let classes =
        [class("w", r#"{"workers": 1}"#, r#"[{"get": "jobs"}, {"cpu": "1ms"}]"#), batch_class("p", 1, producer)]
            .join(", ");
    let json = scenario_json(&classes, r#"[{"threaded": {"workers": 2}}]"#, r#""queues": {"jobs": {}}"#);
    let m = measure(&json, "threaded");
    let q = &m.result.queues[0];
    assert_eq!((q.put, q.got), (1, 1), "items are conserved");
    assert_eq!(run(&json, "threaded").ends_ms_of(0), [1], "the worker's one task");
}

#[test]
fn r_queue_close_when_producers_never_arrive() {
    // p's arrivals are bounded to 1 ms and its first gap (mean 1000 s) is
    // longer: it never arrives, so the queue closes at t = 0 and the idle
    // worker's loop stops there; the run ends with no task instead of
    // stalling.
    let classes = [
        class("w", r#"{"workers": 1}"#, WORKER),
        class("p", r#"{"poisson": {"rate": 0.001, "duration": "1ms"}}"#, r#"[{"put": "jobs"}]"#),
    ]
    .join(", ");
    let json = scenario_json(&classes, BOTH, r#""queues": {"jobs": {}}, "seed": 3"#);
    for (label, run) in run_all(&json) {
        assert!(run.records.is_empty(), "{label}: {:?}", run.records);
    }
}
