//! Checking a scenario's SLOs against measured results.
//!
//! [`evaluate`] pairs every SLO with every strategy (and class) it applies
//! to and records the measured figure and the verdict as an [`SloOutcome`],
//! the plain record report.json's `slos` array holds. Order: the scenario's
//! SLOs in file order, each followed through the strategies in scenario
//! order, so the same results always give the same list.

use super::{ClassResult, StrategyResult, Summary, TaskCounts};
use crate::scenario::{Measure, Metric, OutcomeKind, Slo, Statistic};
use serde::{Deserialize, Serialize};

/// One SLO checked against one strategy (and class).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SloOutcome {
    /// The threshold in canonical form, e.g. `latency p99 < 500ms`.
    pub threshold: String,
    /// The strategy's label.
    pub strategy: String,
    /// The task class, or `None` for all tasks.
    pub class: Option<String>,
    /// The figure's name, as `simbench compare` names it: `latency.p99`.
    pub metric: String,
    /// `s`, `per_s`, `fraction`, `tasks` or `bytes`.
    pub unit: String,
    /// The measured figure, in `unit`.
    pub measured: f64,
    /// The threshold's bound, in `unit`.
    pub bound: f64,
    pub passed: bool,
}

/// Every SLO against every strategy and class it applies to.
pub fn evaluate(slos: &[Slo], results: &[StrategyResult]) -> Vec<SloOutcome> {
    let mut outcomes = Vec::new();
    for slo in slos {
        let metric = slo.threshold.metric;
        for result in results {
            if slo.strategy.as_ref().is_some_and(|label| *label != result.strategy)
                || (metric.cooperative_only() && result.kind != "cooperative")
            {
                continue;
            }
            let class = match &slo.class {
                Some(name) => match result.classes.iter().find(|c| c.class == *name) {
                    Some(class) => Some(class),
                    None => continue,
                },
                None => None,
            };
            let measured = measure(metric, result, class);
            outcomes.push(SloOutcome {
                threshold: slo.threshold.text.clone(),
                strategy: result.strategy.clone(),
                class: slo.class.clone(),
                metric: metric.name(),
                unit: metric.unit().name().to_string(),
                measured,
                bound: slo.threshold.bound,
                passed: slo.threshold.op.holds(measured, slo.threshold.bound),
            });
        }
    }
    outcomes
}

/// The figure `metric` names, for `class` when given (the scenario stage
/// only lets per-class metrics have one).
pub fn measure(metric: Metric, result: &StrategyResult, class: Option<&ClassResult>) -> f64 {
    let latency = class.map_or(&result.latency_s, |c| &c.latency_s);
    let wait = class.map_or(&result.wait_s, |c| &c.wait_s);
    let tasks = class.map_or(&result.tasks, |c| &c.tasks);
    match metric {
        Metric::Latency(s) => statistic(latency, s),
        Metric::Wait(s) => statistic(wait, s),
        Metric::LoopLag(s) => result.loop_lag_s.as_ref().map_or(0.0, |lag| statistic(lag, s)),
        Metric::Throughput => class.map_or(result.throughput_per_s, |c| c.throughput_per_s),
        Metric::Makespan => result.makespan_s,
        Metric::Outcome(kind, measure) => {
            let n = outcomes(tasks, kind);
            match measure {
                Measure::Count => n as f64,
                Measure::Rate if tasks.arrived == 0 => 0.0,
                Measure::Rate => n as f64 / tasks.arrived as f64,
            }
        }
        Metric::Cpu => result.cpu_utilization,
        Metric::Memory => result.modelled_memory_bytes as f64,
    }
}

fn statistic(summary: &Summary, statistic: Statistic) -> f64 {
    match statistic {
        Statistic::Mean => summary.mean,
        Statistic::P50 => summary.p50,
        Statistic::P90 => summary.p90,
        Statistic::P99 => summary.p99,
        Statistic::P999 => summary.p999,
        Statistic::Max => summary.max,
    }
}

fn outcomes(tasks: &TaskCounts, kind: OutcomeKind) -> u64 {
    match kind {
        OutcomeKind::Timeouts => tasks.timed_out,
        OutcomeKind::Failures => tasks.failed,
        OutcomeKind::Cancelled => tasks.cancelled,
        OutcomeKind::Errors => tasks.failed + tasks.timed_out + tasks.cancelled,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse;

    fn result(label: &str, kind: &'static str, p99: f64, timed_out: u64) -> StrategyResult {
        let tasks = TaskCounts { arrived: 100, completed: 100 - timed_out, timed_out, ..TaskCounts::default() };
        let latency = Summary { p99, ..Summary::default() };
        StrategyResult {
            strategy: label.into(),
            kind,
            config: super::super::StrategyConfig::default(),
            tasks,
            makespan_s: 10.0,
            throughput_per_s: 9.0,
            latency_s: latency,
            wait_s: Summary::default(),
            cpu_utilization: 0.5,
            mean_in_flight: 1.0,
            queued_fraction: 0.0,
            rejected_fraction: 0.0,
            warmup_s: 0.0,
            peak_in_flight: 1,
            peak_threads: 1,
            peak_coroutines: 0,
            modelled_memory_bytes: 16_896,
            loop_lag_s: (kind == "cooperative").then(|| Summary { p99: 0.02, ..Summary::default() }),
            events: 1,
            classes: vec![ClassResult {
                class: "job".into(),
                tasks,
                throughput_per_s: 9.0,
                latency_s: latency,
                wait_s: Summary::default(),
                intervals: None,
                histogram: String::new(),
            }],
            intervals: None,
            histogram: String::new(),
            latency_spectrum_s: None,
            links: Vec::new(),
            services: Vec::new(),
            bottleneck: None,
            detached_pending: None,
            queues: Vec::new(),
        }
    }

    fn slos(list: &str) -> Vec<Slo> {
        let text = format!(
            r#"{{"name": "t", "classes": {{"job": {{"arrivals": {{"batch": {{"count": 1}}}}, "program": [{{"io": "1s"}}]}}}},
                "strategies": ["blocking", "cooperative"], "slos": {list}}}"#
        );
        parse(&text, "t.json").unwrap().slos
    }

    #[test]
    fn each_slo_is_checked_against_each_strategy_it_applies_to() {
        let results = [result("blocking", "blocking", 2.0, 3), result("cooperative", "cooperative", 0.3, 0)];
        let outcomes = evaluate(
            &slos(
                r#"["latency p99 < 500ms", {"threshold": "timeouts rate < 1%", "strategy": "blocking", "class": "job"},
                    "loop_lag p99 <= 20ms"]"#,
            ),
            &results,
        );
        let got: Vec<(&str, &str, f64, bool)> =
            outcomes.iter().map(|o| (o.threshold.as_str(), o.strategy.as_str(), o.measured, o.passed)).collect();
        assert_eq!(
            got,
            [
                ("latency p99 < 500ms", "blocking", 2.0, false),
                ("latency p99 < 500ms", "cooperative", 0.3, true),
                ("timeouts rate < 1%", "blocking", 0.03, false),
                ("loop_lag p99 <= 20ms", "cooperative", 0.02, true),
            ]
        );
        assert_eq!(outcomes[2].class.as_deref(), Some("job"));
        assert_eq!((outcomes[2].metric.as_str(), outcomes[2].unit.as_str()), ("timeouts.rate", "fraction"));
    }
}
