//! The library's front door: from a scenario file to its [`Report`], as
//! `simbench run` does it, without the files and the terminal.
//!
//! [`Simulation`] holds a loaded scenario and the choices `run` takes from
//! its flags (seed, runtime profile, replications, trace, timelines, hlog
//! intervals);
//! [`Simulation::run`] simulates every strategy on the same compiled
//! workload and assembles the report, SLO verdicts included. The CLI calls
//! exactly this, so a library user gets the report.json bytes the command
//! writes ([`crate::report::json::render`]).
//!
//! This is the stage after [`crate::report`] and before the CLI: it imports
//! every stage and is imported by none. It reads no clock, no environment
//! and no file but the scenario (and a runtime profile, when asked).
//!
//! ```
//! let sim = simbench::Simulation::from_path("scenarios/downloads.json")?;
//! let run = sim.run()?;
//! let blocking = &run.report.results[0];
//! assert_eq!(blocking.strategy, "blocking");
//! // Three downloads of 5 s, one after another.
//! assert_eq!(blocking.makespan_s, 15.0);
//! let json = simbench::report::json::render(&run.report);
//! assert!(json.starts_with('{'));
//! # Ok::<(), simbench::SimulationError>(())
//! ```

use crate::engine::{EngineError, Limits, RunStats};
use crate::metrics::intervals::IntervalSeries;
use crate::metrics::{self, Measurement, Timeline, replicate, slo};
use crate::model::{CompiledWorkload, Scenario};
use crate::report::{self, Replications, Report, ScenarioInfo};
use crate::scenario::{self, LoadedScenario, ScenarioError};
use crate::time::SimDuration;
use std::path::Path;

/// Why a simulation could not produce a report.
#[derive(Debug, thiserror::Error)]
pub enum SimulationError {
    /// The scenario file (or a runtime profile) could not be read or is
    /// invalid; the error lists every problem with its place.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// A strategy's run stopped: a deadlock, a guard's limit, an interrupt.
    /// The message includes the engine's (so it is not also a `source`,
    /// which would print it twice in an error chain).
    #[error("{file}: strategy \"{strategy}\": {error}")]
    Engine { file: String, strategy: String, error: EngineError },
}

/// A scenario ready to simulate, with the choices `simbench run` takes from
/// its flags.
#[derive(Debug, Clone)]
pub struct Simulation {
    loaded: LoadedScenario,
    replications: u32,
    trace: Option<(usize, usize)>,
    timeline_tasks: Option<usize>,
    hlog_interval: Option<SimDuration>,
}

/// What a simulation produced.
#[derive(Debug, Clone)]
pub struct Run {
    /// The report: what report.json, report.md and the terminal show.
    pub report: Report,
    /// What the charts draw beyond the report (one per strategy), when
    /// [`Simulation::with_timelines`] asked for them.
    pub timelines: Vec<Timeline>,
    /// Each strategy's latency per interval of virtual time (one per
    /// strategy, in the report's order), when
    /// [`Simulation::with_intervals`] asked for them: what latency.hlog
    /// holds.
    pub intervals: Vec<IntervalSeries>,
    /// The traced strategy's timeline as text, when
    /// [`Simulation::with_trace`] asked for one.
    pub trace: Option<String>,
}

impl Simulation {
    /// Reads and validates a scenario file.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Simulation, SimulationError> {
        Ok(Simulation::from_loaded(scenario::load(path.as_ref())?))
    }

    /// A scenario already loaded (e.g. with [`scenario::load`]).
    pub fn from_loaded(loaded: LoadedScenario) -> Simulation {
        Simulation { loaded, replications: 1, trace: None, timeline_tasks: None, hlog_interval: None }
    }

    /// The scenario as it will run.
    pub fn scenario(&self) -> &Scenario {
        &self.loaded.scenario
    }

    /// The scenario file as loaded (path, hash, text).
    pub fn loaded(&self) -> &LoadedScenario {
        &self.loaded
    }

    /// Runs under `seed` instead of the scenario's (`run --seed`).
    pub fn with_seed(mut self, seed: u64) -> Simulation {
        self.loaded.scenario.seed = seed;
        self
    }

    /// Runs under a runtime profile instead of the scenario's: `ideal`,
    /// `cpython`, or a profile file (`run --runtime`).
    pub fn with_runtime(mut self, spec: &str) -> Result<Simulation, SimulationError> {
        self.loaded.scenario.runtime = scenario::load_runtime(spec)?;
        Ok(self)
    }

    /// Runs each strategy `count` times (≥ 1) under derived seeds and reports
    /// every figure with its 95% interval (`run --replications`).
    pub fn with_replications(mut self, count: u32) -> Simulation {
        self.replications = count.max(1);
        self
    }

    /// Keeps the first `limit` trace events of strategy `index` (`run
    /// --trace`); [`Run::trace`] renders them.
    pub fn with_trace(mut self, index: usize, limit: usize) -> Simulation {
        self.trace = Some((index, limit));
        self
    }

    /// Records what the charts need of the first `tasks` tasks of each
    /// strategy ([`Run::timelines`]).
    pub fn with_timelines(mut self, tasks: usize) -> Simulation {
        self.timeline_tasks = Some(tasks);
        self
    }

    /// Records each strategy's latency in intervals of `width` of virtual
    /// time ([`Run::intervals`]; `run --export hlog --hlog-interval`).
    pub fn with_intervals(mut self, width: SimDuration) -> Simulation {
        self.hlog_interval = Some(width);
        self
    }

    /// Simulates every strategy, without limits.
    pub fn run(&self) -> Result<Run, SimulationError> {
        self.run_observed(Limits::default(), |_, _| {})
    }

    /// Simulates every strategy within `limits`, calling `each(label,
    /// stats)` as each strategy's first replication ends (the CLI's
    /// `--stats` line).
    pub fn run_observed(&self, limits: Limits, mut each: impl FnMut(&str, &RunStats)) -> Result<Run, SimulationError> {
        let scenario = &self.loaded.scenario;
        let workload = CompiledWorkload::compile(scenario);
        let mut results = Vec::with_capacity(scenario.strategies.len());
        let mut timelines = Vec::new();
        let mut intervals = Vec::new();
        let mut trace = None;
        for (i, strategy) in scenario.strategies.iter().enumerate() {
            let failure = |error| SimulationError::Engine {
                file: self.loaded.file.clone(),
                strategy: strategy.label.clone(),
                error,
            };
            let options = metrics::Options {
                trace_limit: self.trace.filter(|&(index, _)| index == i).map(|(_, limit)| limit),
                timeline_tasks: self.timeline_tasks,
                hlog_interval: self.hlog_interval,
            };
            let Measurement { mut result, trace: log, timeline, stats, intervals: series } =
                metrics::measure_with(scenario, &workload, strategy, options, limits).map_err(failure)?;
            each(&strategy.label, &stats);
            if self.replications > 1 {
                let rest = replicate::replicate(scenario, &workload, strategy, 1..self.replications, limits)
                    .map_err(failure)?;
                result = replicate::with_intervals(result, &rest.into_iter().map(|m| m.result).collect::<Vec<_>>());
            }
            if let Some(log) = log {
                trace = Some(report::trace::render(&log, scenario, &workload, &strategy.label));
            }
            results.push(result);
            timelines.extend(timeline);
            intervals.extend(series);
        }
        let info = ScenarioInfo::of(scenario, self.loaded.file.clone(), self.loaded.sha256.clone());
        let outcomes = slo::evaluate(&scenario.slos, &results);
        let mut report = Report::new(info, results).with_slos(outcomes);
        if self.replications > 1 {
            report.replications = Some(Replications::new(scenario.seed, self.replications));
        }
        Ok(Run { report, timelines, intervals, trace })
    }
}
