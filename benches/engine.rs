//! Engine benchmarks, one group per question:
//!
//! - `queue hold/<impl>/<pending>`: the pending-event set in steady state
//!   (the classic "hold" model: pop the earliest event, push one a random
//!   gap later) at 1k, 100k, 1M and 10M pending, for each queue
//!   implementation; reports events (hold operations) per second;
//! - `downloads/<strategy>/{tasks,events}/<n>` and `scraper/…`: each strategy
//!   on the calibration's downloads shape (benches/peers/downloads-100k.json:
//!   a batch of lognormal io then 2 ms of CPU) and on the scraper shape
//!   (scenarios/scraper.json: lognormal fetch through 100 connections, then
//!   2–8 ms of CPU) at 1k and 100k tasks, metrics included (what
//!   `simbench run` does, minus writing files). Each size is measured twice,
//!   once with tasks and once with events as criterion's throughput
//!   element, so both rates are printed;
//! - `mm8/threaded-8/{tasks,events}/1000000`: the calibration's M/M/8 queue
//!   (benches/peers/mm8-1m.json), 1M customers.
//!
//! `cargo bench --bench engine` runs everything (several minutes);
//! `cargo bench --bench engine -- downloads` runs one group. Sample sizes
//! are small: a 100k-task run takes tens of milliseconds, a 1M one hundreds.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use simbench::engine::queue::{BinaryHeapQueue, RadixQueue};
use simbench::metrics;
use simbench::model::{Arrivals, Bound, CompiledWorkload, Scenario, Strategy, StrategyKind};
use simbench::time::{SimDuration, SimTime};
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

/// Pending-event counts for the queue benchmark.
const QUEUE_PENDING: [u64; 4] = [1_000, 100_000, 1_000_000, 10_000_000];
/// Hold operations timed per iteration of the queue benchmark.
const HOLDS_PER_ITER: u64 = 100_000;
/// Task counts for the strategy benchmarks.
const TASK_COUNTS: [u64; 2] = [1_000, 100_000];
/// Customers of the M/M/8 benchmark.
const MM8_CUSTOMERS: u64 = 1_000_000;

/// A xorshift64 step: cheap pseudo-random gaps for the queue benchmark.
fn xorshift(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}

/// What the hold benchmark needs of a queue.
trait Pending {
    fn push(&mut self, time: SimTime, event: u64);
    fn pop(&mut self) -> Option<(SimTime, u64)>;
}

impl Pending for BinaryHeapQueue<u64> {
    fn push(&mut self, time: SimTime, event: u64) {
        BinaryHeapQueue::push(self, time, event)
    }
    fn pop(&mut self) -> Option<(SimTime, u64)> {
        BinaryHeapQueue::pop(self)
    }
}

impl Pending for RadixQueue<u64> {
    fn push(&mut self, time: SimTime, event: u64) {
        RadixQueue::push(self, time, event)
    }
    fn pop(&mut self) -> Option<(SimTime, u64)> {
        RadixQueue::pop(self)
    }
}

/// Gaps of the hold model: uniform in [0, 2 s) in nanoseconds, so the
/// pending set spans about two seconds of virtual time whatever its size.
fn gap(x: &mut u64) -> u64 {
    xorshift(x) % 2_000_000_000
}

fn hold<Q: Pending>(c: &mut Criterion, name: &str, mut make: impl FnMut() -> Q) {
    let mut group = c.benchmark_group(format!("queue hold/{name}"));
    group.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    group.throughput(Throughput::Elements(HOLDS_PER_ITER));
    for pending in QUEUE_PENDING {
        let mut queue = make();
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for i in 0..pending {
            queue.push(SimTime::from_nanos(gap(&mut x)), i);
        }
        group.bench_with_input(BenchmarkId::from_parameter(pending), &pending, |b, _| {
            b.iter(|| {
                let mut sum = 0u64;
                for _ in 0..HOLDS_PER_ITER {
                    let (time, event) = queue.pop().expect("the hold model keeps the queue full");
                    sum = sum.wrapping_add(event);
                    queue.push(time + SimDuration::from_nanos(gap(&mut x)), event);
                }
                black_box(sum)
            });
        });
    }
    group.finish();
}

fn queue(c: &mut Criterion) {
    hold(c, "binary-heap", BinaryHeapQueue::new);
    hold(c, "radix-heap", RadixQueue::new);
}

/// A scenario from the repository, `count` tasks, one strategy.
fn load(path: &str, count: u64, strategy: Strategy) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let mut scenario = simbench::scenario::load(&path).expect("the bench scenarios are valid").scenario;
    let class = &mut scenario.classes[0];
    class.arrivals = match class.arrivals {
        Arrivals::Batch { .. } => Arrivals::Batch { count },
        Arrivals::Poisson { rate_per_s, .. } => Arrivals::Poisson { rate_per_s, bound: Bound::Count(count) },
        ref other => panic!("unexpected arrivals {other:?}"),
    };
    scenario.strategies = vec![strategy];
    scenario
}

fn threaded(workers: u32, label: &str) -> Strategy {
    Strategy {
        label: label.into(),
        kind: StrategyKind::Threaded { workers, gil: true, switch_interval: SimDuration::from_millis(5) },
    }
}

fn strategies() -> Vec<Strategy> {
    vec![
        Strategy { label: "blocking".into(), kind: StrategyKind::Blocking },
        threaded(8, "threaded-8"),
        threaded(100, "threaded-100"),
        Strategy { label: "cooperative".into(), kind: StrategyKind::Cooperative { max_concurrency: None } },
    ]
}

/// Benchmarks one scenario twice: tasks/s and events/s.
fn bench_run(group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>, scenario: &Scenario) {
    let workload = CompiledWorkload::compile(scenario);
    let strategy = &scenario.strategies[0];
    let measure = || metrics::measure(scenario, &workload, strategy, None).expect("the bench scenarios finish");
    let tasks = measure().stats.arrived;
    let events = measure().stats.events;
    for (unit, elements) in [("tasks", tasks), ("events", events)] {
        group.throughput(Throughput::Elements(elements));
        group.bench_function(BenchmarkId::new(unit, tasks), |b| b.iter(|| black_box(measure().stats.events)));
    }
}

fn shapes(c: &mut Criterion) {
    let shapes = [("downloads", "benches/peers/downloads-100k.json"), ("scraper", "scenarios/scraper.json")];
    for (shape, path) in shapes {
        for strategy in strategies() {
            let mut group = c.benchmark_group(format!("{shape}/{}", strategy.label));
            group.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
            for n in TASK_COUNTS {
                bench_run(&mut group, &load(path, n, strategy.clone()));
            }
            group.finish();
        }
    }
}

fn mm8(c: &mut Criterion) {
    let mut group = c.benchmark_group("mm8/threaded-8");
    group.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(4));
    bench_run(&mut group, &load("benches/peers/mm8-1m.json", MM8_CUSTOMERS, threaded(8, "threaded-8")));
    group.finish();
}

criterion_group!(benches, queue, shapes, mm8);
criterion_main!(benches);
