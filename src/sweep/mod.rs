//! Capacity studies: sweeps over scenario fields, and the largest (or
//! smallest) value of a field that meets every SLO (docs/capacity.md).
//!
//! A [`Study`] is a scenario document (the file's JSON), fixed `--set`
//! overrides and a grid of swept parameters. Point `i` of the grid is the
//! document with each parameter set to its value (row-major: the last
//! parameter varies fastest), turned back into text and read by the
//! ordinary scenario parser, so every point is validated with the usual
//! errors. Points run in parallel on rayon's pool and are collected in
//! point order: the results are the same bytes whatever the number of
//! threads. `--shard i/n` runs the points whose index is `i − 1` modulo
//! `n` (`auto/n` takes `i − 1` from a job array's index, which the CLI
//! reads: see [`ShardSpec`]); [`plan`] bisects one field per strategy.

pub mod path;
pub mod plan;
pub mod usl;
pub mod values;

pub use path::{FieldPath, PathError};
pub use values::{ValuesError, parse_values};

use crate::engine::{EngineError, Limits};
use crate::metrics::slo::{self, SloOutcome};
use crate::metrics::{self, Options, StrategyResult, round_significant};
use crate::model::estimate::{Guards, Refusal};
use crate::model::{CompiledWorkload, Scenario};
use crate::scenario::{self, ScenarioError, Slo};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Map, Value};

/// Why a study cannot run.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error("{0}")]
    Path(Box<PathError>),
    #[error("{path}: {error}")]
    Values { path: String, error: ValuesError },
    /// The point's scenario is invalid; `error` names the point as its file.
    #[error("{error}")]
    Scenario { point: String, error: ScenarioError },
    #[error("{point}: strategy \"{strategy}\": {error}")]
    Engine { point: String, strategy: String, error: EngineError },
    #[error(
        "the grid has {points} points, more than the limit of {limit}\n  hint: sweep fewer values, or split the study with --shard"
    )]
    TooLarge { points: u128, limit: usize },
    /// A point (or plan probe) is beyond a guard: refused before it runs.
    #[error("{point}: {refusal}")]
    Refused { point: String, refusal: Refusal },
    #[error("--shard {0}: expected I/N with 1 ≤ I ≤ N (e.g. 1/4), or auto/N")]
    Shard(String),
    #[error(
        "{var}={value}: expected a job array index from 0 to {last} for --shard auto/{count}\n  hint: number the array from 0 (Slurm: sbatch --array=0-{last})",
        last = count - 1
    )]
    ShardIndex { var: String, value: String, count: usize },
    /// `plan --vary PATH --range …` of a field the scenario leaves out and
    /// could not hold either: the scenario parser calls it unknown.
    #[error("--vary {path}: {at} has no field \"{field}\"{}", hint.as_ref().map_or(String::new(), |h| format!("\n  hint: {h}")))]
    NoSuchField { path: String, at: String, field: String, hint: Option<String> },
    /// Two paths name one field (or one names a field inside the other's):
    /// one of them would be silently lost.
    #[error(
        "{first} and {second} set the same field\n  hint: give each field once; a grid is one --set with several values (1,2,4)"
    )]
    SameField { first: String, second: String },
}

/// Whether two resolved paths write the same field, or one a field inside
/// the other.
pub(crate) fn overlap(a: &[path::Segment], b: &[path::Segment]) -> bool {
    a.iter().zip(b).all(|(x, y)| x == y)
}

impl From<PathError> for SweepError {
    fn from(e: PathError) -> Self {
        SweepError::Path(Box::new(e))
    }
}

/// Most points one study may have.
pub const MAX_POINTS: usize = 1_000_000;

/// One swept field and its values.
#[derive(Clone, Debug)]
pub struct Parameter {
    pub path: FieldPath,
    pub values: Vec<Value>,
}

/// Parses `PATH=VALUES`.
pub fn parse_set(text: &str) -> Result<Parameter, SweepError> {
    let Some((path, values)) = text.split_once('=') else {
        return Err(PathError::Syntax {
            path: text.to_string(),
            message: "expected PATH=VALUES, e.g. machine.cores=1,2,4".into(),
        }
        .into());
    };
    let path = FieldPath::parse(path.trim())?;
    let values = parse_values(values).map_err(|error| SweepError::Values { path: path.text.clone(), error })?;
    Ok(Parameter { path, values })
}

/// `--shard I/N`: this process runs the points `p` with `p % N == I - 1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    pub fn parse(text: &str) -> Result<Shard, SweepError> {
        let bad = || SweepError::Shard(text.to_string());
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count): (usize, usize) =
            (i.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// The shard of a job array's zero-based index `k`, as Slurm
    /// (`SLURM_ARRAY_TASK_ID` under `--array=0-(N-1)`), Kubernetes Indexed
    /// Jobs (`JOB_COMPLETION_INDEX`) and AWS Batch (`AWS_BATCH_JOB_ARRAY_INDEX`)
    /// count: shard `k + 1` of `count`, so the array's task 0 writes
    /// `sweep.shard-1-of-N.json`. `var` names where `value` came from, for the
    /// message.
    pub fn from_array_index(var: &str, value: &str, count: usize) -> Result<Shard, SweepError> {
        match value.trim().parse::<usize>() {
            Ok(k) if k < count => Ok(Shard { index: k + 1, count }),
            _ => Err(SweepError::ShardIndex { var: var.to_string(), value: value.to_string(), count }),
        }
    }

    pub fn owns(&self, point: usize) -> bool {
        point % self.count == self.index - 1
    }
}

/// What `--shard` says: a shard `I/N`, or `auto/N`, whose index the job
/// array engine running the process gives in its environment. The library
/// reads no environment: the CLI finds the index and calls
/// [`Shard::from_array_index`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShardSpec {
    Fixed(Shard),
    Auto { count: usize },
}

impl ShardSpec {
    pub fn parse(text: &str) -> Result<ShardSpec, SweepError> {
        match text.split_once('/') {
            Some((i, n)) if i.trim() == "auto" => match n.trim().parse::<usize>() {
                Ok(count) if count >= 1 => Ok(ShardSpec::Auto { count }),
                _ => Err(SweepError::Shard(text.to_string())),
            },
            _ => Shard::parse(text).map(ShardSpec::Fixed),
        }
    }
}

/// A scenario document, fixed overrides and a grid of parameters.
#[derive(Clone, Debug)]
pub struct Study {
    /// The scenario file's JSON.
    pub doc: Value,
    /// The file as named in messages.
    pub file: String,
    /// `--set` with a single value: applied to every point, not swept.
    pub fixed: Vec<Parameter>,
    /// `--set` with several values: the grid, in command-line order.
    pub grid: Vec<Parameter>,
    /// SLOs replacing the scenario's (`plan --slo`); `None` keeps them.
    pub slos: Option<Vec<Slo>>,
}

impl Study {
    /// A study of `text` (the scenario file's contents); `--set`s with one
    /// value are fixed, the others form the grid.
    pub fn new(text: &str, file: &str, sets: Vec<Parameter>) -> Result<Study, SweepError> {
        // The parser gives the usual errors for a file that is not a scenario.
        scenario::parse(text, file).map_err(|error| SweepError::Scenario { point: file.to_string(), error })?;
        let doc: Value = scenario::document(text).expect("the parser read it");
        let (fixed, grid): (Vec<Parameter>, Vec<Parameter>) = sets.into_iter().partition(|p| p.values.len() == 1);
        let points: u128 = grid.iter().map(|p| p.values.len() as u128).product();
        if points > MAX_POINTS as u128 {
            return Err(SweepError::TooLarge { points, limit: MAX_POINTS });
        }
        let study = Study { doc, file: file.to_string(), fixed, grid, slos: None };
        // No two paths may set one field (each resolved in the file's
        // document: labels and kinds as the file has them), and every path
        // must apply (bad paths fail before anything runs).
        let mut seen: Vec<(Vec<path::Segment>, &FieldPath)> = Vec::new();
        for p in study.fixed.iter().chain(&study.grid) {
            let Ok(at) = p.path.resolve(&study.doc) else { continue };
            if let Some((_, earlier)) = seen.iter().find(|(s, _)| overlap(s, &at)) {
                return Err(SweepError::SameField {
                    first: format!("--set {earlier}"),
                    second: format!("--set {}", p.path),
                });
            }
            seen.push((at, &p.path));
        }
        let mut doc = study.doc.clone();
        for p in study.fixed.iter().chain(&study.grid) {
            p.path.set(&mut doc, p.values[0].clone())?;
        }
        Ok(study)
    }

    /// How many points the grid has.
    pub fn len(&self) -> usize {
        self.grid.iter().map(|p| p.values.len()).product()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Point `i`'s values, one per grid parameter (row-major).
    pub fn assignment(&self, mut i: usize) -> Vec<(&FieldPath, Value)> {
        let mut out: Vec<(&FieldPath, Value)> = Vec::with_capacity(self.grid.len());
        for p in self.grid.iter().rev() {
            let n = p.values.len();
            out.push((&p.path, p.values[i % n].clone()));
            i /= n;
        }
        out.reverse();
        out
    }

    /// `path=value, …` naming point `i` in messages.
    pub fn describe(&self, i: usize) -> String {
        let set: Vec<String> = self.assignment(i).iter().map(|(p, v)| format!("{p}={}", plain(v))).collect();
        if set.is_empty() { self.file.clone() } else { format!("{} with {}", self.file, set.join(", ")) }
    }

    /// The validated scenario of the document with `sets` applied after the fixed ones.
    pub fn scenario_with(&self, sets: &[(&FieldPath, Value)], name: &str) -> Result<Scenario, SweepError> {
        let mut doc = self.doc.clone();
        for p in &self.fixed {
            p.path.set(&mut doc, p.values[0].clone())?;
        }
        for (path, value) in sets {
            path.set(&mut doc, value.clone())?;
        }
        let text = serde_json::to_string_pretty(&doc).expect("a JSON value serialises");
        // A runtime profile file is relative to the study's scenario file.
        let dir = std::path::Path::new(&self.file).parent().unwrap_or(std::path::Path::new(""));
        let mut scenario = scenario::parse_at(&text, name, dir)
            .map_err(|error| SweepError::Scenario { point: name.to_string(), error })?;
        if let Some(slos) = &self.slos {
            scenario.slos = slos.clone();
        }
        Ok(scenario)
    }

    /// Point `i`'s scenario.
    pub fn scenario_at(&self, i: usize) -> Result<Scenario, SweepError> {
        self.scenario_with(&self.assignment(i), &self.describe(i))
    }

    /// The base scenario (fixed overrides only).
    pub fn base(&self) -> Result<Scenario, SweepError> {
        self.scenario_with(&[], &self.file)
    }
}

/// A JSON value as a user writes it on the command line (strings unquoted).
pub fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Little's law at one point: L, the time-average number of tasks in
/// flight, against λW, throughput × mean latency.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Little {
    pub l: f64,
    pub lambda_w: f64,
    /// (L − λW) / λW; 0 when λW is 0.
    pub relative_difference: f64,
}

impl Little {
    pub fn of(result: &StrategyResult) -> Little {
        let l = result.mean_in_flight;
        let lambda_w = round_significant(result.throughput_per_s * result.latency_s.mean, 6);
        let relative_difference = if lambda_w == 0.0 { 0.0 } else { round_significant((l - lambda_w) / lambda_w, 6) };
        Little { l, lambda_w, relative_difference }
    }
}

/// One strategy at one point: every summary figure, Little's law and the SLO verdicts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StrategyPoint {
    /// The strategy's figures as report.json has them, without histograms.
    pub figures: Value,
    pub little: Little,
    pub slos: Vec<SloOutcome>,
    /// Every SLO that applies to the strategy holds (true when none applies).
    pub meets_slos: bool,
}

impl StrategyPoint {
    pub fn new(result: &StrategyResult, outcomes: &[SloOutcome]) -> StrategyPoint {
        let mut figures = serde_json::to_value(result).expect("results serialise");
        if let Value::Object(map) = &mut figures {
            map.shift_remove("histogram");
            if let Some(Value::Array(classes)) = map.get_mut("classes") {
                for class in classes {
                    if let Value::Object(c) = class {
                        c.shift_remove("histogram");
                    }
                }
            }
        }
        let slos: Vec<SloOutcome> = outcomes.iter().filter(|o| o.strategy == result.strategy).cloned().collect();
        StrategyPoint { figures, little: Little::of(result), meets_slos: slos.iter().all(|o| o.passed), slos }
    }

    pub fn label(&self) -> &str {
        self.figures["strategy"].as_str().unwrap_or("")
    }

    /// A numeric figure by its report.json path, e.g. `latency_s.p99`.
    pub fn figure(&self, path: &str) -> f64 {
        path.split('.').try_fold(&self.figures, |v, k| v.get(k)).and_then(Value::as_f64).unwrap_or(f64::NAN)
    }
}

/// One point of a sweep.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PointResult {
    pub index: usize,
    /// Each swept field's value, by its path as given.
    pub set: Map<String, Value>,
    pub results: Vec<StrategyPoint>,
}

/// Runs every strategy of `scenario`; `None` when interrupted.
pub fn run_scenario(
    scenario: &Scenario,
    limits: Limits,
    point: &str,
) -> Result<Option<Vec<StrategyPoint>>, SweepError> {
    let workload = CompiledWorkload::compile(scenario);
    let mut results = Vec::with_capacity(scenario.strategies.len());
    for strategy in &scenario.strategies {
        match metrics::measure_with(scenario, &workload, strategy, Options::default(), limits) {
            Ok(m) => results.push(m.result),
            Err(EngineError::Interrupted { .. }) => return Ok(None),
            Err(error) => {
                return Err(SweepError::Engine { point: point.to_string(), strategy: strategy.label.clone(), error });
            }
        }
    }
    let outcomes = slo::evaluate(&scenario.slos, &results);
    Ok(Some(results.iter().map(|r| StrategyPoint::new(r, &outcomes)).collect()))
}

/// Runs the points `indices` of `study` in parallel; each finished point
/// calls `done`. Returns them in the order of `indices`, `None` for a
/// point stopped by the interrupt flag of `limits` (or not started after
/// it was raised). The first error in point order wins.
pub fn run(
    study: &Study,
    indices: &[usize],
    limits: Limits,
    done: &(dyn Fn(usize) + Sync),
) -> Result<Vec<Option<PointResult>>, SweepError> {
    let interrupted = || limits.interrupt.is_some_and(|f| f.load(std::sync::atomic::Ordering::Relaxed));
    let runs: Vec<Result<Option<PointResult>, SweepError>> = indices
        .par_iter()
        .map(|&i| {
            if interrupted() {
                return Ok(None);
            }
            let scenario = study.scenario_at(i)?;
            let results = run_scenario(&scenario, limits, &study.describe(i))?;
            done(i);
            let set = study.assignment(i).into_iter().map(|(p, v)| (p.text.clone(), v)).collect();
            Ok(results.map(|results| PointResult { index: i, set, results }))
        })
        .collect();
    runs.into_iter().collect()
}

/// Checks every point's scenario before anything runs (parsing is cheap).
pub fn check(study: &Study, indices: &[usize], guards: &Guards) -> Result<(), SweepError> {
    let checks: Vec<Result<f64, SweepError>> = indices
        .par_iter()
        .map(|&i| {
            let scenario = study.scenario_at(i)?;
            let estimate =
                guards.check(&scenario).map_err(|refusal| SweepError::Refused { point: study.describe(i), refusal })?;
            Ok(estimate.tasks() * scenario.strategies.len() as f64)
        })
        .collect();
    let mut total = 0.0;
    for tasks in checks {
        total += tasks?;
    }
    let what = format!("the sweep's {} points", indices.len());
    guards.check_total(total, 1.0, &what).map_err(|refusal| SweepError::Refused { point: study.file.clone(), refusal })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_spec_reads_fixed_and_auto() {
        assert_eq!(ShardSpec::parse("2/4").unwrap(), ShardSpec::Fixed(Shard { index: 2, count: 4 }));
        assert_eq!(ShardSpec::parse("auto/4").unwrap(), ShardSpec::Auto { count: 4 });
        for bad in ["auto/0", "auto/x", "auto", "0/4", "5/4"] {
            assert!(ShardSpec::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn array_index_counts_from_zero() {
        assert_eq!(Shard::from_array_index("K", "0", 4).unwrap(), Shard { index: 1, count: 4 });
        assert_eq!(Shard::from_array_index("K", "3", 4).unwrap(), Shard { index: 4, count: 4 });
        let e = Shard::from_array_index("SLURM_ARRAY_TASK_ID", "4", 4).unwrap_err().to_string();
        assert!(e.contains("SLURM_ARRAY_TASK_ID=4") && e.contains("--array=0-3"), "{e}");
        assert!(Shard::from_array_index("K", "-1", 4).is_err());
    }
}
