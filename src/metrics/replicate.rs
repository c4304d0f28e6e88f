//! Independent replications of a strategy's run, and the 95% confidence
//! intervals of its figures.
//!
//! Replication `r` is the same scenario under the seed
//! [`replication_seed`]`(seed, r)`; replication 0 is the plain run. They
//! run in parallel on rayon's pool, and results are collected in
//! replication order and reduced sequentially, so the intervals are the
//! same bits whatever the number of threads (`RAYON_NUM_THREADS`).
//!
//! Each figure's interval is the Student-t interval of its R per-replication
//! values ([`Interval::of`]): the replications are independent and
//! identically distributed, which is what the interval assumes; the runs
//! must be long enough for each value to be roughly normal.

use super::stats::Interval;
use super::{ClassResult, Measurement, Options, StrategyResult, Summary, measure_with};
use crate::engine::{EngineError, Limits, replication_seed};
use crate::model::{CompiledWorkload, Scenario, Strategy};
use rayon::prelude::*;
use serde::Serialize;
use std::ops::Range;

/// Significant digits kept in reported intervals.
const DIGITS: usize = 6;

/// The intervals of a [`Summary`]'s figures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct SummaryIntervals {
    pub mean: Interval,
    pub p50: Interval,
    pub p90: Interval,
    pub p99: Interval,
    pub p999: Interval,
    pub max: Interval,
}

impl SummaryIntervals {
    fn of(summaries: &[&Summary]) -> Self {
        let figure = |f: fn(&Summary) -> f64| interval(summaries.iter().map(|s| f(s)));
        SummaryIntervals {
            mean: figure(|s| s.mean),
            p50: figure(|s| s.p50),
            p90: figure(|s| s.p90),
            p99: figure(|s| s.p99),
            p999: figure(|s| s.p999),
            max: figure(|s| s.max),
        }
    }
}

/// A strategy's figures over R replications: each a mean ± 95% half-width.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Intervals {
    pub replications: u32,
    pub makespan_s: Interval,
    pub throughput_per_s: Interval,
    pub latency_s: SummaryIntervals,
    pub wait_s: SummaryIntervals,
    pub cpu_utilization: Interval,
    pub mean_in_flight: Interval,
    pub queued_fraction: Interval,
    pub rejected_fraction: Interval,
    pub warmup_s: Interval,
    pub peak_in_flight: Interval,
    pub peak_threads: Interval,
    pub peak_coroutines: Interval,
    pub modelled_memory_bytes: Interval,
}

/// A class's figures over R replications.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassIntervals {
    pub throughput_per_s: Interval,
    pub latency_s: SummaryIntervals,
    pub wait_s: SummaryIntervals,
}

fn interval(values: impl Iterator<Item = f64>) -> Interval {
    let values: Vec<f64> = values.collect();
    Interval::of(&values).rounded(DIGITS)
}

impl Intervals {
    /// The intervals of the replications' results (all of one strategy, in
    /// replication order).
    pub fn of(results: &[StrategyResult]) -> Intervals {
        let figure = |f: fn(&StrategyResult) -> f64| interval(results.iter().map(f));
        let latency: Vec<&Summary> = results.iter().map(|r| &r.latency_s).collect();
        let wait: Vec<&Summary> = results.iter().map(|r| &r.wait_s).collect();
        Intervals {
            replications: results.len() as u32,
            makespan_s: figure(|r| r.makespan_s),
            throughput_per_s: figure(|r| r.throughput_per_s),
            latency_s: SummaryIntervals::of(&latency),
            wait_s: SummaryIntervals::of(&wait),
            cpu_utilization: figure(|r| r.cpu_utilization),
            mean_in_flight: figure(|r| r.mean_in_flight),
            queued_fraction: figure(|r| r.queued_fraction),
            rejected_fraction: figure(|r| r.rejected_fraction),
            warmup_s: figure(|r| r.warmup_s),
            peak_in_flight: figure(|r| r.peak_in_flight as f64),
            peak_threads: figure(|r| f64::from(r.peak_threads)),
            peak_coroutines: figure(|r| r.peak_coroutines as f64),
            modelled_memory_bytes: figure(|r| r.modelled_memory_bytes as f64),
        }
    }
}

impl ClassIntervals {
    fn of(classes: &[&ClassResult]) -> ClassIntervals {
        let latency: Vec<&Summary> = classes.iter().map(|c| &c.latency_s).collect();
        let wait: Vec<&Summary> = classes.iter().map(|c| &c.wait_s).collect();
        ClassIntervals {
            throughput_per_s: interval(classes.iter().map(|c| c.throughput_per_s)),
            latency_s: SummaryIntervals::of(&latency),
            wait_s: SummaryIntervals::of(&wait),
        }
    }
}

/// Runs replications `range` of `strategy` in parallel and returns their
/// measurements in replication order. The first error in replication order
/// wins.
pub fn replicate(
    scenario: &Scenario,
    workload: &CompiledWorkload,
    strategy: &Strategy,
    range: Range<u32>,
    limits: Limits,
) -> Result<Vec<Measurement>, EngineError> {
    let runs: Vec<Result<Measurement, EngineError>> = range
        .into_par_iter()
        .map(|r| {
            let seeded = Scenario { seed: replication_seed(scenario.seed, r), ..scenario.clone() };
            measure_with(&seeded, workload, strategy, Options::default(), limits)
        })
        .collect();
    runs.into_iter().collect()
}

/// `first` (replication 0) with the intervals of `first` and `rest`
/// attached, overall and per class.
pub fn with_intervals(mut first: StrategyResult, rest: &[StrategyResult]) -> StrategyResult {
    let all: Vec<StrategyResult> = std::iter::once(first.clone()).chain(rest.iter().cloned()).collect();
    first.intervals = Some(Intervals::of(&all));
    for (c, class) in first.classes.iter_mut().enumerate() {
        let of_class: Vec<&ClassResult> = all.iter().map(|r| &r.classes[c]).collect();
        class.intervals = Some(ClassIntervals::of(&of_class));
    }
    first
}

/// Replications `0..replications` of `strategy`, replication 0's result
/// carrying the intervals of all (none for a single replication).
pub fn measure_replicated(
    scenario: &Scenario,
    workload: &CompiledWorkload,
    strategy: &Strategy,
    replications: u32,
    limits: Limits,
) -> Result<StrategyResult, EngineError> {
    let mut runs = replicate(scenario, workload, strategy, 0..replications.max(1), limits)?.into_iter();
    let first = runs.next().expect("at least one replication").result;
    let rest: Vec<StrategyResult> = runs.map(|m| m.result).collect();
    Ok(if rest.is_empty() { first } else { with_intervals(first, &rest) })
}
