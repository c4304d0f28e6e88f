//! The trace events timelines are built from (not a model rule): `Ready`
//! when a coroutine joins the loop's ready queue, `Acquired` when a `limit`
//! gets its permit, and no call at all when the observer does not trace.

use crate::model::harness::{run_batch, scenario};
use simbench::engine::{self, Observer, TaskRecord, TraceEvent, TraceWhat};
use simbench::model::CompiledWorkload;

const DB_1S: &str = r#"[{"limit": {"pool": "db", "program": [{"io": "1s"}]}}]"#;

fn count(events: &[TraceEvent], what: impl Fn(&TraceWhat) -> bool) -> usize {
    events.iter().filter(|e| what(&e.what)).count()
}

#[test]
fn every_run_of_a_coroutine_follows_its_ready_event() {
    // A gather of two sleeps: the root, two children, the root again, and
    // each child once more after its sleep.
    let program = r#"[{"gather": [[{"sleep": "1s"}], [{"sleep": "2s"}]]}, {"io": "1s"}]"#;
    let run = run_batch(3, program, r#""cooperative""#);
    let ready = count(&run.trace, |w| *w == TraceWhat::Ready);
    let runs = count(&run.trace, |w| matches!(w, TraceWhat::Started | TraceWhat::Resumed));
    assert_eq!(ready, runs);
    assert!(ready >= 3 * 6, "{ready}");
    // Per task, at every moment, runs so far never exceed ready events so far.
    for task in 0..3 {
        let mut balance = 0i64;
        for e in run.trace.iter().filter(|e| e.task == task) {
            match e.what {
                TraceWhat::Ready => balance += 1,
                TraceWhat::Started | TraceWhat::Resumed => balance -= 1,
                _ => {}
            }
            assert!(balance >= 0, "task {task} ran before it was ready");
        }
        assert_eq!(balance, 0);
    }
}

#[test]
fn threads_have_no_ready_queue() {
    let run = run_batch(3, r#"[{"io": "1s"}, {"cpu": "5ms"}]"#, r#"{"threaded": {"workers": 2}}"#);
    assert_eq!(count(&run.trace, |w| *w == TraceWhat::Ready), 0);
}

#[test]
fn a_limit_reports_when_it_gets_its_permit() {
    // Pool db has 2 permits: tasks 0 and 1 get theirs at once, 2 and 3 when
    // 0 and 1 return them at 1 s; under every strategy.
    for strategy in [r#""cooperative""#, r#"{"threaded": {"workers": 4}}"#] {
        let run = run_batch(4, DB_1S, strategy);
        let mut acquired: Vec<(u64, u64)> = run
            .trace
            .iter()
            .filter(|e| matches!(e.what, TraceWhat::Acquired { .. }))
            .map(|e| (e.task, e.time.as_nanos() / 1_000_000))
            .collect();
        acquired.sort();
        assert_eq!(acquired, [(0, 0), (1, 0), (2, 1000), (3, 1000)], "{strategy}");
    }
}

/// Counts calls, and says it does not trace.
#[derive(Default)]
struct Quiet {
    traced: usize,
    ended: usize,
}

impl Observer for Quiet {
    fn task_ended(&mut self, _record: &TaskRecord) {
        self.ended += 1;
    }
    fn trace(&mut self, _event: &TraceEvent) {
        self.traced += 1;
    }
}

#[test]
fn an_observer_that_does_not_trace_gets_no_trace_call() {
    let json = crate::model::harness::batch(5, DB_1S, r#"["cooperative", "threaded"]"#);
    let scenario = scenario(&json);
    let workload = CompiledWorkload::compile(&scenario);
    for strategy in &scenario.strategies {
        let mut quiet = Quiet::default();
        engine::run(&scenario, &workload, strategy, &mut quiet).unwrap();
        assert_eq!((quiet.traced, quiet.ended), (0, 5), "{}", strategy.label);
    }
}
