//! Engine benchmarks: the event queue, and each strategy on a
//! downloads-shaped workload (one io step per task) at growing task counts.
//!
//! `cargo bench --bench engine`. Criterion reports elements per second:
//! events for the queue, tasks for the strategies.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use simbench::engine::{self, EventQueue};
use simbench::model::{
    Arrivals, CompiledWorkload, Dist, Machine, Scenario, Step, StepKind, Strategy, StrategyKind, TaskClass,
};
use simbench::time::{SimDuration, SimTime};
use std::hint::black_box;

/// Pending-event counts for the queue benchmark.
const QUEUE_SIZES: [u64; 2] = [1_000, 100_000];
/// Task counts for the strategy benchmarks.
const TASK_COUNTS: [u64; 2] = [1_000, 100_000];

/// Fills the queue with `n` events at pseudo-random times, then drains it.
fn queue(c: &mut Criterion) {
    let mut group = c.benchmark_group("queue: push then pop n pending events");
    for n in QUEUE_SIZES {
        group.throughput(Throughput::Elements(n));
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            b.iter(|| {
                let mut queue = EventQueue::new();
                let mut x = 0x9E37_79B9_7F4A_7C15u64;
                for i in 0..n {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    queue.push(SimTime::from_nanos(x % 1_000_000_000), i);
                }
                let mut sum = 0;
                while let Some((_, i)) = queue.pop() {
                    sum += i;
                }
                black_box(sum)
            });
        });
    }
    group.finish();
}

/// `count` tasks at t = 0, each one exponential io step (mean 100 ms).
fn downloads(count: u64, kind: StrategyKind) -> Scenario {
    let io = Step { kind: StepKind::Io { duration: Dist::Exponential { mean_ns: 1e8 }, fail: 0.0 }, label: None };
    Scenario {
        name: "downloads".into(),
        description: String::new(),
        seed: 1,
        machine: Machine::default(),
        pools: vec![],
        classes: vec![TaskClass { name: "download".into(), arrivals: Arrivals::Batch { count }, program: vec![io] }],
        strategies: vec![Strategy { label: kind.name().into(), kind }],
        horizon: None,
        warmup: None,
    }
}

fn strategies(c: &mut Criterion) {
    let kinds = [
        StrategyKind::Blocking,
        StrategyKind::Threaded { workers: 32, gil: true, switch_interval: SimDuration::from_millis(5) },
        StrategyKind::Cooperative { max_concurrency: None },
    ];
    for kind in kinds {
        let mut group = c.benchmark_group(format!("downloads: {} at n tasks", kind.name()));
        group.sample_size(10);
        for n in TASK_COUNTS {
            let scenario = downloads(n, kind);
            let workload = CompiledWorkload::compile(&scenario);
            group.throughput(Throughput::Elements(n));
            group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
                b.iter(|| engine::run(&scenario, &workload, &scenario.strategies[0], &mut ()).unwrap());
            });
        }
        group.finish();
    }
}

criterion_group!(benches, queue, strategies);
criterion_main!(benches);
