//! Validation against queueing theory: the stage between metrics and
//! report that `simbench validate` runs.
//!
//! Each [`Case`] is an ordinary scenario (a file in `validation/`, built in
//! with `include_str!`) whose single strategy makes it a queue with a
//! closed-form answer: one blocking thread computing is a FIFO single
//! server (M/M/1, M/D/1, M/G/1); a pool of c threads awaiting I/O is M/M/c;
//! coroutines behind a pool that rejects are Erlang's loss system M/M/c/c;
//! unbounded coroutines awaiting I/O are M/M/∞; threads time-sharing one
//! core under the GIL approximate processor sharing. [`run_case`] runs R
//! independent replications ([`crate::metrics::replicate`]) and compares
//! each figure's 95% confidence interval with the formula
//! ([`queueing`]); Little's law is checked on every case by comparing the
//! engine's time-average number in flight with λW.
//!
//! The analytic values are computed from the scenario itself (its arrival
//! rate, its service distribution's moments, its worker or pool count), so
//! the formula always describes the scenario that is simulated; to show
//! that the oracle can fail, [`run_case_with`] simulates a different
//! scenario from the one the formula describes.

pub mod queueing;

use crate::engine::{EngineError, Limits};
use crate::metrics::StrategyResult;
use crate::metrics::replicate::replicate;
use crate::metrics::stats::Interval;
use crate::model::{Arrivals, Bound, CompiledWorkload, Dist, Scenario, Step, StepKind, StrategyKind};
use serde::Serialize;

/// The validation document's schema identifier.
pub const SCHEMA: &str = "simbench.validation/v1";

/// Which closed form a case is checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queue {
    /// One FIFO server, exponential service.
    MM1,
    /// One FIFO server, any service: Pollaczek–Khinchine.
    MG1,
    /// c FIFO servers, exponential service: Erlang C.
    MMc,
    /// c servers and no queue: Erlang B.
    MMcc,
    /// A server for everyone.
    MMInf,
    /// One processor-shared server.
    MM1PS,
}

impl Queue {
    /// Kendall notation.
    pub fn notation(self) -> &'static str {
        match self {
            Queue::MM1 => "M/M/1",
            Queue::MG1 => "M/G/1",
            Queue::MMc => "M/M/c",
            Queue::MMcc => "M/M/c/c",
            Queue::MMInf => "M/M/∞",
            Queue::MM1PS => "M/M/1-PS",
        }
    }
}

/// A built-in validation case.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    /// The scenario's name and the file's stem.
    pub name: &'static str,
    pub queue: Queue,
    /// The scenario file, relative to the repository.
    pub file: &'static str,
    /// Its text, built in.
    pub json: &'static str,
    /// Independent replications.
    pub replications: u32,
    /// Tasks per replication for `--quick` (and the tests): the file's count
    /// is the full run's.
    pub quick_tasks: u64,
    /// Whether `--quick` checks tail quantiles too. Short runs estimate a
    /// p99 in heavy traffic with a bias comparable to the interval (their
    /// coverage falls well below 95%: docs/validation.md), so such rows are
    /// checked at the full size only.
    pub quick_tails: bool,
}

macro_rules! case {
    ($name:literal, $queue:expr, $replications:expr, $quick:expr, $quick_tails:expr) => {
        Case {
            name: $name,
            queue: $queue,
            file: concat!("validation/", $name, ".json"),
            json: include_str!(concat!("../../validation/", $name, ".json")),
            replications: $replications,
            quick_tasks: $quick,
            quick_tails: $quick_tails,
        }
    };
}

/// Every built-in case, in the order the table shows them.
pub const CASES: &[Case] = &[
    case!("mm1-rho0.5", Queue::MM1, 10, 4_000, true),
    case!("mm1-rho0.9", Queue::MM1, 10, 40_000, false),
    case!("md1-rho0.8", Queue::MG1, 10, 8_000, true),
    case!("mg1-rho0.8", Queue::MG1, 10, 6_000, true),
    case!("mmc-c8-rho0.9", Queue::MMc, 10, 20_000, true),
    case!("mmcc-c8-a6", Queue::MMcc, 10, 4_000, true),
    case!("mminf", Queue::MMInf, 10, 4_000, true),
    case!("mm1-ps-rho0.7", Queue::MM1PS, 10, 4_000, true),
];

/// How long to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size {
    /// The scenario files' task counts (`simbench validate`).
    Full,
    /// Each case's `quick_tasks` (`simbench validate --quick`, `cargo test`).
    Quick,
}

/// What a queue's formula needs, read from a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameters {
    /// Arrival rate λ per second.
    pub lambda: f64,
    /// The service time's distribution.
    pub service: Dist,
    /// E\[S\] in seconds.
    pub mean_service: f64,
    /// E\[S²\] in seconds².
    pub second_moment: f64,
    /// Servers: threaded workers, or the size of the pool a `limit` holds;
    /// `None` when unbounded.
    pub servers: Option<u32>,
}

impl Parameters {
    /// Reads λ, the service step and the number of servers from a case's
    /// scenario: one Poisson class whose program is one `io` or `cpu` step,
    /// possibly inside a `limit`, and one strategy.
    pub fn of(scenario: &Scenario) -> Result<Parameters, String> {
        let [class] = scenario.classes.as_slice() else {
            return Err("a validation scenario has one class".into());
        };
        let Arrivals::Poisson { rate_per_s, .. } = class.arrivals else {
            return Err("a validation scenario has Poisson arrivals".into());
        };
        let (service, pool) = match class.program.as_slice() {
            [Step { kind: StepKind::Limit { pool, program }, .. }] => (service_step(program)?, Some(*pool)),
            program => (service_step(program)?, None),
        };
        let servers = match (pool, scenario.strategies.first().map(|s| s.kind)) {
            (Some(pool), _) => Some(scenario.pools[pool as usize].size),
            (None, Some(StrategyKind::Threaded { workers, .. })) => Some(workers),
            (None, Some(StrategyKind::Blocking)) => Some(1),
            (None, _) => None,
        };
        let mean_service = service.mean_ns() / 1e9;
        let second_moment = second_moment_ns2(&service)? / 1e18;
        Ok(Parameters { lambda: rate_per_s, service, mean_service, second_moment, servers })
    }

    /// The offered load a = λ E\[S\].
    pub fn load(&self) -> f64 {
        self.lambda * self.mean_service
    }
}

fn service_step(program: &[Step]) -> Result<Dist, String> {
    match program {
        [Step { kind: StepKind::Io { duration, .. } | StepKind::Cpu(duration), .. }] => Ok(duration.clone()),
        _ => Err("a validation scenario's service is one io or cpu step".into()),
    }
}

/// E\[S²\] in ns² for the distributions validation uses.
fn second_moment_ns2(dist: &Dist) -> Result<f64, String> {
    match dist {
        Dist::Constant(d) => Ok((d.as_nanos() as f64).powi(2)),
        Dist::Exponential { mean_ns } => Ok(2.0 * mean_ns * mean_ns),
        Dist::LogNormal { mu, sigma } => Ok(libm::exp(2.0 * mu + 2.0 * sigma * sigma)),
        Dist::Uniform { min, max } => {
            let (a, b) = (min.as_nanos() as f64, max.as_nanos() as f64);
            Ok((a * a + a * b + b * b) / 3.0)
        }
        other => Err(format!("no second moment for {other:?} in validation")),
    }
}

/// One figure to check: its name, its closed-form value, and where the
/// simulation reports it.
pub struct Expectation {
    pub metric: &'static str,
    pub analytic: f64,
    pub simulated: fn(&StrategyResult) -> f64,
    /// A tail quantile (see [`Case::quick_tails`]).
    pub tail: bool,
}

/// The figures a queue is checked on, with their closed forms. Times are
/// in milliseconds.
pub fn expectations(queue: Queue, p: &Parameters) -> Vec<Expectation> {
    use queueing::*;
    let ms = 1e3;
    let (lambda, es) = (p.lambda, p.mean_service);
    let servers = p.servers.unwrap_or(1);
    // The figures several queues share, by the closed form's value (s).
    let little = |w: f64| Expectation {
        metric: "L = λW (mean in flight)",
        analytic: lambda * w,
        simulated: |r| r.mean_in_flight,
        tail: false,
    };
    let mean_response = |w: f64| Expectation {
        metric: "mean response W (ms)",
        analytic: w * ms,
        simulated: |r| r.latency_s.mean * 1e3,
        tail: false,
    };
    let p99_response = |q: f64| Expectation {
        metric: "p99 response (ms)",
        analytic: q * ms,
        simulated: |r| r.latency_s.p99 * 1e3,
        tail: true,
    };
    let mean_wait = |wq: f64| Expectation {
        metric: "mean wait Wq (ms)",
        analytic: wq * ms,
        simulated: |r| r.wait_s.mean * 1e3,
        tail: false,
    };
    let utilisation = || Expectation {
        metric: "utilisation ρ",
        analytic: lambda * es,
        simulated: |r| r.cpu_utilization,
        tail: false,
    };
    match queue {
        Queue::MM1 => {
            let w = mm1_mean_response(lambda, es);
            vec![mean_response(w), p99_response(mm1_response_quantile(lambda, es, 0.99)), utilisation(), little(w)]
        }
        Queue::MG1 => {
            let wq = pollaczek_khinchine_wait(lambda, es, p.second_moment);
            vec![mean_wait(wq), mean_response(wq + es), little(wq + es)]
        }
        Queue::MMc => {
            let wq = mmc_mean_wait(servers, lambda, es);
            vec![
                Expectation {
                    metric: "P(wait) (Erlang C)",
                    analytic: erlang_c(servers, p.load()),
                    simulated: |r| r.queued_fraction,
                    tail: false,
                },
                mean_wait(wq),
                little(wq + es),
            ]
        }
        Queue::MMcc => {
            let blocking = erlang_b(servers, p.load());
            vec![
                Expectation {
                    metric: "P(block) (Erlang B)",
                    analytic: blocking,
                    simulated: |r| r.rejected_fraction,
                    tail: false,
                },
                // Rejected tasks spend no time in the system.
                Expectation {
                    metric: "L = λ(1−B)E[S] (mean in flight)",
                    analytic: lambda * (1.0 - blocking) * es,
                    simulated: |r| r.mean_in_flight,
                    tail: false,
                },
            ]
        }
        Queue::MMInf => {
            vec![mean_response(es), p99_response(exponential_quantile(es, 0.99)), mean_wait(0.0), little(es)]
        }
        Queue::MM1PS => {
            let w = ps_mean_response(lambda, es);
            vec![mean_response(w), utilisation(), little(w)]
        }
    }
}

/// One checked figure.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    pub metric: &'static str,
    pub analytic: f64,
    /// The figure's mean over the replications ± its 95% half-width.
    pub simulated: Interval,
    /// (simulated mean − analytic) / analytic; `None` when the analytic
    /// value is 0.
    pub relative_error: Option<f64>,
    /// The analytic value lies in the 95% confidence interval.
    pub pass: bool,
}

/// A case's result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CaseResult {
    pub case: &'static str,
    pub queue: &'static str,
    pub file: &'static str,
    pub strategy: String,
    pub seed: u64,
    pub replications: u32,
    pub tasks_per_replication: u64,
    /// The warmup left out of each replication (the mean over them).
    pub warmup_s: f64,
    pub rows: Vec<Row>,
    pub pass: bool,
}

/// A case's scenario, sized.
pub fn scenario(case: &Case, size: Size) -> Scenario {
    let mut scenario = crate::scenario::parse(case.json, case.file)
        .unwrap_or_else(|e| panic!("built-in validation scenario {}: {e}", case.file));
    if size == Size::Quick {
        for class in &mut scenario.classes {
            if let Arrivals::Poisson { bound, .. } = &mut class.arrivals {
                *bound = Bound::Count(case.quick_tasks);
            }
        }
    }
    scenario
}

/// Runs a case at `size` and compares it with its formulas.
pub fn run_case(case: &Case, size: Size) -> Result<CaseResult, EngineError> {
    let scenario = scenario(case, size);
    run_case_with(case, size, &scenario, &scenario)
}

/// Compares the formulas for `described` with a simulation of `simulated`
/// (normally the same scenario; a different one shows the oracle failing).
pub fn run_case_with(
    case: &Case,
    size: Size,
    described: &Scenario,
    simulated: &Scenario,
) -> Result<CaseResult, EngineError> {
    let parameters = Parameters::of(described).unwrap_or_else(|e| panic!("{}: {e}", case.file));
    let strategy = &simulated.strategies[0];
    let workload = CompiledWorkload::compile(simulated);
    let runs = replicate(simulated, &workload, strategy, 0..case.replications, Limits::default())?;
    let results: Vec<&StrategyResult> = runs.iter().map(|m| &m.result).collect();
    let rows: Vec<Row> = expectations(case.queue, &parameters)
        .into_iter()
        .filter(|e| size == Size::Full || case.quick_tails || !e.tail)
        .map(|e| {
            let values: Vec<f64> = results.iter().map(|r| (e.simulated)(r)).collect();
            let simulated = Interval::of(&values);
            Row {
                metric: e.metric,
                analytic: e.analytic,
                relative_error: (e.analytic != 0.0).then(|| (simulated.mean - e.analytic) / e.analytic),
                pass: simulated.contains(e.analytic),
                simulated,
            }
        })
        .collect();
    let tasks = match simulated.classes[0].arrivals {
        Arrivals::Poisson { bound: Bound::Count(n), .. } => n,
        _ => results[0].tasks.arrived,
    };
    Ok(CaseResult {
        case: case.name,
        queue: case.queue.notation(),
        file: case.file,
        strategy: strategy.label.clone(),
        seed: simulated.seed,
        replications: case.replications,
        tasks_per_replication: tasks,
        warmup_s: results.iter().map(|r| r.warmup_s).sum::<f64>() / results.len() as f64,
        pass: rows.iter().all(|r| r.pass),
        rows,
    })
}

/// The whole validation, as `simbench validate` writes it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Validation {
    pub schema: &'static str,
    pub simbench_version: &'static str,
    pub confidence: f64,
    pub quick: bool,
    pub pass: bool,
    pub cases: Vec<CaseResult>,
}

impl Validation {
    pub fn new(cases: Vec<CaseResult>, size: Size) -> Self {
        Validation {
            schema: SCHEMA,
            simbench_version: env!("CARGO_PKG_VERSION"),
            confidence: crate::metrics::stats::CONFIDENCE,
            quick: size == Size::Quick,
            pass: cases.iter().all(|c| c.pass),
            cases,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_case_parses_and_has_the_parameters_its_name_says() {
        for case in CASES {
            let scenario = scenario(case, Size::Full);
            assert_eq!(scenario.name, case.name);
            assert_eq!(scenario.strategies.len(), 1, "{}", case.name);
            let p = Parameters::of(&scenario).unwrap_or_else(|e| panic!("{}: {e}", case.name));
            let servers = if case.queue == Queue::MMc { p.servers.expect("M/M/c has servers") } else { 1 };
            let rho = p.load() / f64::from(servers);
            let expected_rho = match case.name {
                "mm1-rho0.5" => Some(0.5),
                "mm1-rho0.9" | "mmc-c8-rho0.9" => Some(0.9),
                "md1-rho0.8" | "mg1-rho0.8" => Some(0.8),
                "mm1-ps-rho0.7" => Some(0.7),
                _ => None,
            };
            if let Some(want) = expected_rho {
                assert!((rho - want).abs() < 1e-12, "{}: ρ = {rho}", case.name);
            }
            assert!(!expectations(case.queue, &p).is_empty());
        }
    }

    #[test]
    fn second_moments_are_exact() {
        let ms = |n| crate::time::SimDuration::from_millis(n);
        assert_eq!(second_moment_ns2(&Dist::Constant(ms(1))).unwrap(), 1e12);
        assert_eq!(second_moment_ns2(&Dist::Exponential { mean_ns: 1e6 }).unwrap(), 2e12);
        // Log-normal with mean 1 ms and sd 2 ms: E[S²] = sd² + mean² = 5 ms².
        let lognormal = Dist::lognormal_from_mean_stddev(ms(1), ms(2));
        assert!((second_moment_ns2(&lognormal).unwrap() / 5e12 - 1.0).abs() < 1e-12);
    }
}
