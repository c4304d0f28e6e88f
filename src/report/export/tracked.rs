//! The figures continuous-benchmarking dashboards track, shared by the
//! [`bmf`](super::bmf) and [`benchmark_action`](super::benchmark_action)
//! exports: which benchmarks a report holds, what each is called, and which
//! figures each carries.
//!
//! A *benchmark* is one strategy of one scenario, named
//! `SCENARIO/STRATEGY`, and, when the scenario has several classes, one
//! class under one strategy, `SCENARIO/STRATEGY/CLASS`. The name holds
//! nothing that changes from run to run (no seed, limit or version), so a
//! dashboard keeps a benchmark's history until the scenario, the strategy's
//! label or the class is renamed. Benchmarks come in the report's order:
//! every strategy, each followed by its classes.
//!
//! A strategy carries [`Figure::STRATEGY`]; a class
//! [`Figure::CLASS`] (a class has no makespan or memory of its own). With
//! replications a figure's value is its mean over them and it carries the
//! half-width of its 95% confidence interval; otherwise the value is the
//! run's figure, as report.json has it.

use crate::metrics::replicate::SummaryIntervals;
use crate::metrics::stats::Interval;
use crate::metrics::{Summary, round_significant};
use crate::report::Report;
use crate::report::compare::limits::Better;
use crate::scenario::Unit;

/// A figure a dashboard tracks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Figure {
    LatencyMean,
    LatencyP50,
    LatencyP90,
    LatencyP99,
    LatencyP999,
    LatencyMax,
    Makespan,
    Throughput,
    Memory,
}

impl Figure {
    /// A strategy's figures, in the order they are written.
    pub const STRATEGY: [Figure; 9] = [
        Figure::LatencyMean,
        Figure::LatencyP50,
        Figure::LatencyP90,
        Figure::LatencyP99,
        Figure::LatencyP999,
        Figure::LatencyMax,
        Figure::Makespan,
        Figure::Throughput,
        Figure::Memory,
    ];

    /// A class's figures, in the order they are written.
    pub const CLASS: [Figure; 7] = [
        Figure::LatencyMean,
        Figure::LatencyP50,
        Figure::LatencyP90,
        Figure::LatencyP99,
        Figure::LatencyP999,
        Figure::LatencyMax,
        Figure::Throughput,
    ];

    /// The Bencher measure slug: `latency` and `throughput` are Bencher's
    /// built-in measures (nanoseconds, operations per second); the others
    /// are created by Bencher on first upload.
    pub fn slug(self) -> &'static str {
        match self {
            Figure::LatencyMean => "latency",
            Figure::LatencyP50 => "latency-p50",
            Figure::LatencyP90 => "latency-p90",
            Figure::LatencyP99 => "latency-p99",
            Figure::LatencyP999 => "latency-p999",
            Figure::LatencyMax => "latency-max",
            Figure::Makespan => "makespan",
            Figure::Throughput => "throughput",
            Figure::Memory => "memory",
        }
    }

    /// The figure as a person reads it: `latency p99`, `makespan`.
    pub fn label(self) -> &'static str {
        match self {
            Figure::LatencyMean => "latency mean",
            Figure::LatencyP50 => "latency p50",
            Figure::LatencyP90 => "latency p90",
            Figure::LatencyP99 => "latency p99",
            Figure::LatencyP999 => "latency p999",
            Figure::LatencyMax => "latency max",
            Figure::Makespan => "makespan",
            Figure::Throughput => "throughput",
            Figure::Memory => "memory",
        }
    }

    /// The unit of its value in report.json.
    pub fn unit(self) -> Unit {
        match self {
            Figure::Throughput => Unit::PerSecond,
            Figure::Memory => Unit::Bytes,
            _ => Unit::Seconds,
        }
    }

    /// Which way is better: lower for every figure but throughput.
    pub fn better(self) -> Better {
        match self {
            Figure::Throughput => Better::Higher,
            _ => Better::Lower,
        }
    }

    fn of_summary(self, s: &Summary) -> Option<f64> {
        Some(match self {
            Figure::LatencyMean => s.mean,
            Figure::LatencyP50 => s.p50,
            Figure::LatencyP90 => s.p90,
            Figure::LatencyP99 => s.p99,
            Figure::LatencyP999 => s.p999,
            Figure::LatencyMax => s.max,
            _ => return None,
        })
    }

    fn of_intervals(self, s: &SummaryIntervals) -> Option<Interval> {
        Some(match self {
            Figure::LatencyMean => s.mean,
            Figure::LatencyP50 => s.p50,
            Figure::LatencyP90 => s.p90,
            Figure::LatencyP99 => s.p99,
            Figure::LatencyP999 => s.p999,
            Figure::LatencyMax => s.max,
            _ => return None,
        })
    }
}

/// One figure of one benchmark.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Measured {
    pub figure: Figure,
    /// In the figure's [`unit`](Figure::unit); with replications, the mean.
    pub value: f64,
    /// With replications: the 95% confidence half-width, in the same unit.
    pub half_width: Option<f64>,
}

impl Measured {
    fn new(figure: Figure, value: f64, interval: Option<Interval>) -> Measured {
        match interval {
            Some(i) => Measured { figure, value: i.mean, half_width: Some(i.half_width) },
            None => Measured { figure, value, half_width: None },
        }
    }

    /// The interval's ends `(value − half-width, value + half-width)`, with
    /// replications. Rounded to 12 significant digits: the exact sum of
    /// two 6-digit figures, without the floating-point residue.
    pub fn bounds(&self) -> Option<(f64, f64)> {
        self.half_width.map(|h| (round_significant(self.value - h, 12), round_significant(self.value + h, 12)))
    }
}

/// One benchmark: a strategy, or a class under a strategy.
#[derive(Clone, Debug, PartialEq)]
pub struct Benchmark {
    /// `SCENARIO/STRATEGY` or `SCENARIO/STRATEGY/CLASS`.
    pub name: String,
    pub figures: Vec<Measured>,
}

/// Every benchmark of `report`, in its order.
pub fn benchmarks(report: &Report) -> Vec<Benchmark> {
    let scenario = &report.scenario.name;
    let several_classes = report.results.first().is_some_and(|r| r.classes.len() > 1);
    let mut out = Vec::new();
    for r in &report.results {
        let i = r.intervals.as_ref();
        let figures = Figure::STRATEGY
            .iter()
            .map(|&f| {
                let (value, interval) = match f {
                    Figure::Makespan => (r.makespan_s, i.map(|i| i.makespan_s)),
                    Figure::Throughput => (r.throughput_per_s, i.map(|i| i.throughput_per_s)),
                    Figure::Memory => (r.modelled_memory_bytes as f64, i.map(|i| i.modelled_memory_bytes)),
                    latency => (
                        latency.of_summary(&r.latency_s).expect("a latency figure"),
                        i.and_then(|i| latency.of_intervals(&i.latency_s)),
                    ),
                };
                Measured::new(f, value, interval)
            })
            .collect();
        out.push(Benchmark { name: format!("{scenario}/{}", r.strategy), figures });
        if !several_classes {
            continue;
        }
        for c in &r.classes {
            let i = c.intervals.as_ref();
            let figures = Figure::CLASS
                .iter()
                .map(|&f| {
                    let (value, interval) = match f {
                        Figure::Throughput => (c.throughput_per_s, i.map(|i| i.throughput_per_s)),
                        latency => (
                            latency.of_summary(&c.latency_s).expect("a latency figure"),
                            i.and_then(|i| latency.of_intervals(&i.latency_s)),
                        ),
                    };
                    Measured::new(f, value, interval)
                })
                .collect();
            out.push(Benchmark { name: format!("{scenario}/{}/{}", r.strategy, c.class), figures });
        }
    }
    out
}

/// `seconds` in nanoseconds, scaled in decimal: the shortest digits that
/// give `seconds` back, with the exponent moved by 9, so 0.1549 s is
/// exactly 154900000 ns (multiplying by 1e9 gives 154900000.00000003).
pub fn nanoseconds(seconds: f64) -> f64 {
    if !seconds.is_finite() {
        return seconds * 1e9;
    }
    let text = format!("{seconds:e}");
    let Some((mantissa, exponent)) = text.split_once('e') else { return seconds * 1e9 };
    let Ok(exponent) = exponent.parse::<i32>() else { return seconds * 1e9 };
    format!("{mantissa}e{}", exponent + 9).parse().unwrap_or(seconds * 1e9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nanoseconds_are_scaled_in_decimal() {
        assert_eq!(nanoseconds(0.1549), 154_900_000.0);
        assert_eq!(nanoseconds(1.5e-7), 150.0);
        assert_eq!(nanoseconds(1.234e-10), 0.1234);
        assert_eq!(nanoseconds(0.0), 0.0);
        assert_eq!(nanoseconds(480.5), 480_500_000_000.0);
        assert_eq!(nanoseconds(0.034_716_8), 34_716_800.0);
    }

    #[test]
    fn bounds_carry_no_floating_point_residue() {
        let m = Measured { figure: Figure::Makespan, value: 133.311, half_width: Some(0.351583) };
        assert_eq!(m.bounds(), Some((132.959417, 133.662583)));
        let plain = Measured { half_width: None, ..m };
        assert_eq!(plain.bounds(), None);
    }

    #[test]
    fn only_throughput_is_better_higher() {
        for f in Figure::STRATEGY {
            assert_eq!(f.better() == Better::Higher, f == Figure::Throughput, "{f:?}");
        }
        assert!(Figure::CLASS.iter().all(|f| Figure::STRATEGY.contains(f)));
    }
}
