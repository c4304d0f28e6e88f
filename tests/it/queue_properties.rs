//! Property tests over generated producer/consumer pipelines (R-QUEUE-*):
//! one or two queues, producers of every arrival kind, one or two stages of
//! workers, under cooperative and threaded (with more threads than
//! workers). Whatever the shape:
//! - the run ends (a pipeline without a cycle always closes its queues);
//! - every task, worker iterations included, ends exactly once;
//! - virtual time never goes back across the observer's calls;
//! - items are conserved: every item put is got (no horizon), and a worker
//!   stage records one task per item its queue handed out.

use proptest::prelude::*;
use simbench::engine::{self, Observer, QueueChange, QueueEvent, TaskRecord};
use simbench::model::CompiledWorkload;
use simbench::time::SimTime;

#[derive(Debug, Clone)]
struct Shape {
    capacities: [Option<u32>; 2],
    producers: Vec<(String, u32, u32)>,
    stage1: (u32, u32, bool),
    stage2: (u32, u32),
    max_concurrency: Option<u32>,
    extra_threads: u32,
    gil: bool,
}

fn arrivals() -> impl Strategy<Value = String> {
    prop_oneof![
        (1u32..12).prop_map(|n| format!(r#"{{"batch": {{"count": {n}}}}}"#)),
        (1u32..12).prop_map(|n| format!(r#"{{"poisson": {{"rate": 100, "count": {n}}}}}"#)),
        (1u32..8).prop_map(|n| format!(r#"{{"interval": {{"every": "3ms", "count": {n}}}}}"#)),
        (1u32..3, 1u32..8)
            .prop_map(|(u, n)| format!(r#"{{"closed": {{"users": {u}, "think": "2ms", "count": {n}}}}}"#)),
    ]
}

fn shape() -> impl Strategy<Value = Shape> {
    (
        [prop::option::of(1u32..4), prop::option::of(1u32..4)],
        prop::collection::vec((arrivals(), 0u32..10, 1u32..3), 1..3),
        (1u32..4, 0u32..10, any::<bool>()),
        (1u32..3, 0u32..10),
        prop::option::of(1u32..4),
        1u32..3,
        any::<bool>(),
    )
        .prop_map(|(capacities, producers, stage1, stage2, max_concurrency, extra_threads, gil)| Shape {
            capacities,
            producers,
            stage1,
            stage2,
            max_concurrency,
            extra_threads,
            gil,
        })
}

fn scenario_text(s: &Shape) -> String {
    let capacity = |c: Option<u32>| c.map_or("{}".to_string(), |c| format!(r#"{{"capacity": {c}}}"#));
    let mut classes = Vec::new();
    let (w1, d1, two_stages) = s.stage1;
    let put1 = if two_stages { r#", {"put": "b"}"# } else { "" };
    classes.push(format!(
        r#""stage1": {{"arrivals": {{"workers": {w1}}}, "program": [{{"get": "a"}}, {{"cpu": "{d1}ms"}}{put1}]}}"#
    ));
    let mut workers = w1;
    if two_stages {
        let (w2, d2) = s.stage2;
        workers += w2;
        classes.push(format!(
            r#""stage2": {{"arrivals": {{"workers": {w2}}}, "program": [{{"get": "b"}}, {{"io": "{d2}ms"}}]}}"#
        ));
    }
    for (i, (arrivals, d, puts)) in s.producers.iter().enumerate() {
        let puts = vec![r#"{"put": "a"}"#; *puts as usize].join(", ");
        classes.push(format!(r#""p{i}": {{"arrivals": {arrivals}, "program": [{{"io": "{d}ms"}}, {puts}]}}"#));
    }
    let cooperative = match s.max_concurrency {
        Some(m) => format!(r#"{{"cooperative": {{"max_concurrency": {m}}}}}"#),
        None => r#""cooperative""#.to_string(),
    };
    let threads = workers + s.extra_threads;
    format!(
        r#"{{"name": "gen", "machine": {{"cores": 2}}, "queues": {{"a": {}, "b": {}}},
            "classes": {{{}}},
            "strategies": [{cooperative}, {{"threaded": {{"workers": {threads}, "gil": {}}}}}]}}"#,
        capacity(s.capacities[0]),
        capacity(s.capacities[1]),
        classes.join(", "),
        s.gil
    )
}

#[derive(Default)]
struct Log {
    records: Vec<TaskRecord>,
    put: [u64; 2],
    got: [u64; 2],
    last: SimTime,
    time_went_back: bool,
}

impl Log {
    fn at(&mut self, t: SimTime) {
        self.time_went_back |= t < self.last;
        self.last = self.last.max(t);
    }
}

impl Observer for Log {
    fn task_ended(&mut self, record: &TaskRecord) {
        self.at(record.ended);
        self.records.push(*record);
    }
    fn queue(&mut self, change: &QueueChange) {
        self.at(change.time);
        match change.event {
            QueueEvent::Put { .. } => self.put[change.queue as usize] += 1,
            QueueEvent::Got { .. } => self.got[change.queue as usize] += 1,
            QueueEvent::Unblocked { .. } => {}
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(48),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn pipelines_end_and_conserve_items(shape in shape()) {
        let text = scenario_text(&shape);
        let scenario = simbench::scenario::parse(&text, "gen.json").unwrap_or_else(|e| panic!("{e}\n{text}"));
        let workload = CompiledWorkload::compile(&scenario);
        for strategy in &scenario.strategies {
            let mut log = Log::default();
            let stats = engine::run(&scenario, &workload, strategy, &mut log)
                .unwrap_or_else(|e| panic!("{}: {e}\n{text}", strategy.label));
            let label = &strategy.label;
            prop_assert!(!log.time_went_back, "{label}: time went back");
            let mut keys: Vec<(u16, u64)> = log.records.iter().map(|r| (r.class, r.index)).collect();
            keys.sort_unstable();
            let before = keys.len();
            keys.dedup();
            prop_assert_eq!(before, keys.len(), "{}: a task ended twice", label);
            prop_assert_eq!(stats.arrived, log.records.len() as u64, "{}: arrivals != ends", label);
            prop_assert_eq!(log.put, log.got, "{}: items not conserved", label);
            let stage1 = log.records.iter().filter(|r| r.class == 0).count() as u64;
            prop_assert_eq!(stage1, log.got[0], "{}: stage 1 tasks != items got", label);
            if shape.stage1.2 {
                let stage2 = log.records.iter().filter(|r| r.class == 1).count() as u64;
                prop_assert_eq!((stage2, log.put[1]), (log.got[1], stage1), "{}: stage 2", label);
            }
        }
    }
}
