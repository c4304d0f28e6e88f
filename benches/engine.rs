//! Engine benchmarks, one group per question:
//!
//! - `queue hold/<impl>/<pending>`: the pending-event set in steady state
//!   (the classic "hold" model: pop the earliest event, push one a uniform
//!   [0, 2 s) later) at 1k, 100k, 1M and 10M pending, for each queue
//!   implementation; reports events (hold operations) per second. The
//!   implementations: the engine's `binary-heap` and `radix-heap`
//!   (src/engine/queue.rs) and two contenders built for this measurement
//!   only, `calendar` (benches/queues/calendar.rs) and `timing-wheel`
//!   (benches/queues/wheel.rs), tested against the binary heap in
//!   tests/it/queue_contenders.rs;
//! - `queue exp-hold/<impl>/<pending>`: the same with exponential gaps
//!   (mean 1 s);
//! - `queue drain/<impl>/<n>`: a batch, as a batch of coroutines makes it:
//!   n events pushed at once, lognormal delays (mean 200 ms, log-space σ
//!   0.5), then all popped; reports events (a push and a pop each) per
//!   second;
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
//! `cargo bench --bench engine` runs everything (about 10 minutes, 6 of
//! them the queue's); `cargo bench --bench engine -- downloads` runs one
//! group, `-- "queue hold"` one queue model. Sample sizes
//! are small: a 100k-task run takes tens of milliseconds, a 1M one hundreds.

#[path = "queues/calendar.rs"]
mod calendar;
#[path = "queues/wheel.rs"]
mod wheel;

use calendar::CalendarQueue;
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use simbench::engine::queue::{BinaryHeapQueue, RadixQueue};
use simbench::metrics;
use simbench::model::{Arrivals, Bound, CompiledWorkload, Scenario, Strategy, StrategyKind};
use simbench::time::{SimDuration, SimTime};
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;
use wheel::TimingWheel;

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

/// What the queue benchmarks need of a queue.
trait Pending {
    fn push(&mut self, time: SimTime, event: u64);
    fn pop(&mut self) -> Option<(SimTime, u64)>;
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool;
}

/// The engine's two queues and the two contenders built for measurement only
/// (benches/queues/), through one interface.
macro_rules! pending {
    ($($queue:ident),*) => {$(
        impl Pending for $queue<u64> {
            #[inline(always)]
            fn push(&mut self, time: SimTime, event: u64) {
                $queue::push(self, time, event)
            }
            #[inline(always)]
            fn pop(&mut self) -> Option<(SimTime, u64)> {
                $queue::pop(self)
            }
            fn len(&self) -> usize {
                $queue::len(self)
            }
            fn is_empty(&self) -> bool {
                $queue::is_empty(self)
            }
        }
    )*};
}
pending!(BinaryHeapQueue, RadixQueue, CalendarQueue, TimingWheel);

/// Gaps of the hold model: uniform in [0, 2 s) in nanoseconds, so the
/// pending set spans about two seconds of virtual time whatever its size.
fn gap(x: &mut u64) -> u64 {
    xorshift(x) % 2_000_000_000
}

/// Exponential gaps with a mean of 1 s, cheaply: the inverse distribution
/// function at 1,024 evenly spaced probabilities, interpolated linearly;
/// a draw in the last piece (the tail past the 99.9th percentile) is that
/// piece's start plus a fresh draw (the exponential distribution is
/// memoryless). A table look-up instead of a logarithm per gap, so the gap
/// costs about what the uniform model's does.
struct ExpGaps {
    quantiles: Vec<u64>,
}

impl ExpGaps {
    const PIECES: usize = 1 << 10;

    fn new() -> Self {
        let quantile = |i: usize| (-(1.0 - i as f64 / Self::PIECES as f64).ln() * 1e9).round() as u64;
        ExpGaps { quantiles: (0..Self::PIECES).map(quantile).collect() }
    }

    #[inline(always)]
    fn gap(&self, x: &mut u64) -> u64 {
        let mut tail = 0;
        loop {
            let r = xorshift(x);
            let piece = (r >> 54) as usize;
            let lo = self.quantiles[piece];
            if piece < Self::PIECES - 1 {
                let fraction = r & 0xFFFF_FFFF;
                return tail + lo + (((self.quantiles[piece + 1] - lo) * fraction) >> 32);
            }
            tail += lo;
        }
    }
}

/// The hold model: `pending` events, then each operation pops the earliest
/// and pushes it again `gap` later. The queue is filled on first use, so a
/// filter that skips the benchmark skips the filling too.
fn hold<Q: Pending>(
    c: &mut Criterion,
    model: &str,
    name: &str,
    mut make: impl FnMut() -> Q,
    gap: impl Fn(&mut u64) -> u64,
) {
    let mut group = c.benchmark_group(format!("queue {model}/{name}"));
    group.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    group.throughput(Throughput::Elements(HOLDS_PER_ITER));
    for pending in QUEUE_PENDING {
        let mut state = None;
        group.bench_with_input(BenchmarkId::from_parameter(pending), &pending, |b, &pending| {
            let (queue, x) = state.get_or_insert_with(|| {
                let mut queue = make();
                let mut x = 0x9E37_79B9_7F4A_7C15u64;
                for i in 0..pending {
                    queue.push(SimTime::from_nanos(gap(&mut x)), i);
                }
                assert_eq!(queue.len() as u64, pending);
                (queue, x)
            });
            b.iter(|| {
                let mut sum = 0u64;
                for _ in 0..HOLDS_PER_ITER {
                    let (time, event) = queue.pop().expect("the hold model keeps the queue full");
                    sum = sum.wrapping_add(event);
                    queue.push(time + SimDuration::from_nanos(gap(x)), event);
                }
                black_box(sum)
            });
        });
    }
    group.finish();
}

/// Delays of the batch drain: lognormal, mean 200 ms, log-space σ 0.5 (the
/// downloads shape's io), in nanoseconds; Box–Muller on xorshift draws.
fn lognormal_delays(count: u64) -> Vec<u64> {
    const SIGMA: f64 = 0.5;
    let mu = (200e6f64).ln() - SIGMA * SIGMA / 2.0;
    let mut x = 0xD1B5_4A32_D192_ED03u64;
    let mut uniform = move || ((xorshift(&mut x) >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
    (0..count)
        .map(|_| {
            let z = (-2.0 * uniform().ln()).sqrt() * (std::f64::consts::TAU * uniform()).cos();
            (mu + SIGMA * z).exp().round() as u64
        })
        .collect()
}

/// The batch drain: what a batch of coroutines does to the queue. `count`
/// events pushed at once, each a lognormal delay after the current time,
/// then all popped; reports events (one push and one pop each) per second.
/// The queue is kept across iterations, so each batch starts at the last
/// one's end.
/// Batches of `QUEUE_PENDING` events up to `largest`.
fn drain<Q: Pending>(c: &mut Criterion, name: &str, mut make: impl FnMut() -> Q, largest: u64) {
    let mut group = c.benchmark_group(format!("queue drain/{name}"));
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for count in QUEUE_PENDING.into_iter().filter(|&count| count <= largest) {
        group.throughput(Throughput::Elements(count));
        let mut state = None;
        group.bench_with_input(BenchmarkId::from_parameter(count), &count, |b, &count| {
            let (queue, delays, now) = state.get_or_insert_with(|| (make(), lognormal_delays(count), 0u64));
            b.iter(|| {
                for (i, &delay) in delays.iter().enumerate() {
                    queue.push(SimTime::from_nanos(*now + delay), i as u64);
                }
                let mut sum = 0u64;
                while let Some((time, event)) = queue.pop() {
                    sum = sum.wrapping_add(event);
                    *now = time.as_nanos();
                }
                assert!(queue.is_empty());
                black_box(sum)
            });
        });
    }
    group.finish();
}

/// Every queue under three models: `queue hold` (uniform gaps), `queue
/// exp-hold` (exponential gaps), `queue drain` (lognormal batches).
fn queue(c: &mut Criterion) {
    hold(c, "hold", "binary-heap", BinaryHeapQueue::new, gap);
    hold(c, "hold", "radix-heap", RadixQueue::new, gap);
    hold(c, "hold", "calendar", CalendarQueue::new, gap);
    hold(c, "hold", "timing-wheel", TimingWheel::new, gap);
    let exp = ExpGaps::new();
    let exp_gap = |x: &mut u64| exp.gap(x);
    hold(c, "exp-hold", "binary-heap", BinaryHeapQueue::new, exp_gap);
    hold(c, "exp-hold", "radix-heap", RadixQueue::new, exp_gap);
    hold(c, "exp-hold", "calendar", CalendarQueue::new, exp_gap);
    hold(c, "exp-hold", "timing-wheel", TimingWheel::new, exp_gap);
    drain(c, "binary-heap", BinaryHeapQueue::new, 10_000_000);
    drain(c, "radix-heap", RadixQueue::new, 10_000_000);
    // Brown's width estimate, taken from the earliest events, sees the sparse
    // left tail of a lognormal batch: days far too wide, buckets of thousands
    // of events, inserts in O(n) (docs/performance.md). At 10M, about 70 s a
    // batch: some 12 minutes for criterion's 10 samples.
    drain(c, "calendar", CalendarQueue::new, 1_000_000);
    drain(c, "timing-wheel", TimingWheel::new, 10_000_000);
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
