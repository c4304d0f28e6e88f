//! `simbench plan`: per strategy, the largest (or smallest) value of one
//! field at which every SLO holds, by bracketing and bisection.
//!
//! Assumes the SLOs hold on one side of some value and fail on the other
//! (latency grows with the arrival rate, shrinks with workers). Maximizing:
//! from `--range LO..HI`, or else from the scenario's own value doubling or
//! halving until the verdict changes, then bisecting until the passing and
//! failing values are within the precision: 1 for an integer field, else
//! 1% of the answer unless `--precision` says otherwise. Each strategy is
//! planned alone (the scenario with only that strategy), all in parallel.

use super::values::{number_value, round12};
use super::{FieldPath, StrategyPoint, Study, SweepError, run_scenario};
use crate::engine::Limits;
use crate::model::estimate::Guards;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

/// Whether the answer is the largest or the smallest passing value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Goal {
    Maximize,
    Minimize,
}

/// What to plan.
#[derive(Clone, Debug)]
pub struct PlanSpec {
    pub path: FieldPath,
    pub range: Option<(f64, f64)>,
    pub goal: Goal,
    pub precision: Option<f64>,
}

/// How the search ended for one strategy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// `value` passes and `next`, within the precision beyond it, fails.
    Found,
    /// Every value tried passes, up to the end of the range (or the search's reach).
    AllPass,
    /// No value tried passes.
    NonePass,
    /// Ctrl-C stopped the search.
    Interrupted,
}

/// One evaluation during the search.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Probe {
    pub value: Value,
    pub meets_slos: bool,
}

/// The answer for one strategy.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Answer {
    pub strategy: String,
    pub status: Status,
    /// The best passing value.
    pub value: Option<Value>,
    /// The nearest failing value beyond it.
    pub next: Option<Value>,
    pub probes: Vec<Probe>,
    /// The full figures at `value`.
    pub at_value: Option<StrategyPoint>,
}

/// Most doublings or halvings while bracketing.
const MAX_BRACKET_STEPS: usize = 20;

/// Checks what `spec` asks of `study` before anything runs (so that the
/// CLI can refuse it before it creates a directory): the varied field is
/// not also `--set`, and it is in the scenario, or, with a `--range`, a
/// field the scenario leaves out at its default (not one it could not
/// hold: the scenario parser must not call it unknown). Returns the
/// field's current value, if the scenario has one.
pub fn check(study: &Study, spec: &PlanSpec) -> Result<Option<Value>, SweepError> {
    let mut doc = study.doc.clone();
    for p in &study.fixed {
        if let (Ok(set), Ok(vary)) = (p.path.resolve(&study.doc), spec.path.resolve(&study.doc))
            && super::overlap(&set, &vary)
        {
            let (first, second) = (format!("--vary {}", spec.path), format!("--set {}", p.path));
            return Err(SweepError::SameField { first, second });
        }
        p.path.set(&mut doc, p.values[0].clone())?;
    }
    // A field the scenario leaves out (at its default) can be planned
    // over a --range; without one, it must be there to start from.
    match (spec.path.lookup(&doc), spec.range) {
        (Ok(value), _) => Ok(Some(value)),
        (Err(e), None) => Err(e.into()),
        (Err(_), Some((lo, _))) => {
            unknown_field(study, spec, lo)?;
            Ok(None)
        }
    }
}

/// An error if the scenario parser, given the field `spec` varies (at
/// `lo`), calls it (or an object the path creates on the way) unknown.
fn unknown_field(study: &Study, spec: &PlanSpec, lo: f64) -> Result<(), SweepError> {
    let Ok(resolved) = spec.path.resolve(&study.doc) else { return Ok(()) };
    let Err(SweepError::Scenario { error: crate::scenario::ScenarioError::Invalid { problems, .. }, .. }) =
        study.scenario_with(&[(&spec.path, number_value(lo))], &study.file)
    else {
        return Ok(());
    };
    for n in 0..resolved.len() {
        let super::path::Segment::Key(field) = &resolved[n] else { continue };
        let here = super::path::render(&resolved[..=n]);
        if let Some(problem) = problems.iter().find(|p| p.path == here && p.message.starts_with("unknown field")) {
            return Err(SweepError::NoSuchField {
                path: spec.path.text.clone(),
                at: if n == 0 { "the scenario".to_string() } else { super::path::render(&resolved[..n]) },
                field: field.clone(),
                hint: problem.hint.clone(),
            });
        }
    }
    Ok(())
}

/// Plans every strategy of the study's base scenario.
pub fn plan(study: &Study, spec: &PlanSpec, limits: Limits, guards: &Guards) -> Result<Vec<Answer>, SweepError> {
    let base = study.base()?;
    let current = check(study, spec)?;
    let integer = match spec.range {
        Some((lo, hi)) => lo.fract() == 0.0 && hi.fract() == 0.0 && current.as_ref().is_none_or(is_integer),
        None => current.as_ref().is_some_and(is_integer),
    };
    // A strategy's own field (its workers) is planned for that strategy only.
    let labels: Vec<String> = match spec.path.strategy_index(&study.doc) {
        Some(i) => vec![base.strategies[i].label.clone()],
        None => base.strategies.iter().map(|s| s.label.clone()).collect(),
    };
    let answers: Vec<Result<Answer, SweepError>> = labels
        .par_iter()
        .map(|label| Search { study, spec, limits, guards, label, integer, probes: Vec::new() }.run(current.as_ref()))
        .collect();
    answers.into_iter().collect()
}

fn is_integer(v: &Value) -> bool {
    v.is_i64() || v.is_u64()
}

struct Search<'a> {
    study: &'a Study,
    spec: &'a PlanSpec,
    limits: Limits<'a>,
    guards: &'a Guards,
    label: &'a str,
    integer: bool,
    probes: Vec<Probe>,
}

impl Search<'_> {
    fn value(&self, x: f64) -> Value {
        if self.integer { Value::from(x.round() as i64) } else { number_value(round12(x)) }
    }

    /// Runs the strategy at `x`: `None` when interrupted.
    fn evaluate(&mut self, x: f64) -> Result<Option<StrategyPoint>, SweepError> {
        let value = self.value(x);
        let name = format!("{} with {}={} ({})", self.study.file, self.spec.path, super::plain(&value), self.label);
        let mut scenario = self.study.scenario_with(&[(&self.spec.path, value.clone())], &name)?;
        scenario.strategies.retain(|s| s.label == self.label);
        // Each probe is checked as `run` checks a scenario, before it runs.
        self.guards.check(&scenario).map_err(|refusal| SweepError::Refused { point: name.clone(), refusal })?;
        let Some(mut points) = run_scenario(&scenario, self.limits, &name)? else { return Ok(None) };
        let point = points.remove(0);
        self.probes.push(Probe { value, meets_slos: point.meets_slos });
        Ok(Some(point))
    }

    fn answer(self, status: Status, value: Option<f64>, next: Option<f64>, at: Option<StrategyPoint>) -> Answer {
        Answer {
            strategy: self.label.to_string(),
            status,
            value: value.map(|x| self.value(x)),
            next: next.map(|x| self.value(x)),
            at_value: at,
            probes: self.probes,
        }
    }

    fn run(mut self, current: Option<&Value>) -> Result<Answer, SweepError> {
        let maximize = self.spec.goal == Goal::Maximize;
        // `pass` and `fail` bracket the answer; `toward` is where passing values lie.
        let (mut pass, mut fail, mut at_pass);
        macro_rules! eval {
            ($x:expr) => {
                match self.evaluate($x)? {
                    Some(p) => p,
                    None => return Ok(self.answer(Status::Interrupted, None, None, None)),
                }
            };
        }
        // While bracketing, a value the scenario refuses (workers past the
        // integer range) is the end of the search's reach.
        macro_rules! probe {
            ($x:expr, $reached:expr) => {
                match self.evaluate($x) {
                    Ok(Some(p)) => p,
                    Ok(None) => return Ok(self.answer(Status::Interrupted, None, None, None)),
                    Err(SweepError::Scenario { .. }) => return Ok($reached(self)),
                    Err(e) => return Err(e),
                }
            };
        }
        match self.spec.range {
            Some((lo, hi)) => {
                let (easy, hard) = if maximize { (lo, hi) } else { (hi, lo) };
                let p = eval!(easy);
                if !p.meets_slos {
                    return Ok(self.answer(Status::NonePass, None, Some(easy), None));
                }
                let q = eval!(hard);
                if q.meets_slos {
                    return Ok(self.answer(Status::AllPass, Some(hard), None, Some(q)));
                }
                (pass, fail, at_pass) = (easy, hard, p);
            }
            None => {
                let start = current.and_then(Value::as_f64).filter(|x| *x > 0.0).ok_or_else(|| SweepError::Values {
                    path: self.spec.path.text.clone(),
                    error: super::ValuesError {
                        text: current.map_or("nothing".into(), |v| v.to_string()),
                        message: "plan needs --range LO..HI unless the field holds a positive number".into(),
                    },
                })?;
                let p = eval!(start);
                // Away from the start: harder (×2 when maximizing) while it passes,
                // easier while it fails.
                let harder = |x: f64| if maximize { x * 2.0 } else { x / 2.0 };
                let easier = |x: f64| if maximize { x / 2.0 } else { x * 2.0 };
                if p.meets_slos {
                    (pass, at_pass) = (start, p);
                    let mut steps = 0;
                    loop {
                        let x = harder(pass);
                        if steps == MAX_BRACKET_STEPS
                            || (!maximize && self.integer && x < 1.0)
                            || (self.integer && self.value(x) == self.value(pass))
                        {
                            return Ok(self.answer(Status::AllPass, Some(pass), None, Some(at_pass)));
                        }
                        let at = at_pass.clone();
                        let q = probe!(x, |s: Self| s.answer(Status::AllPass, Some(pass), None, Some(at)));
                        steps += 1;
                        if !q.meets_slos {
                            fail = x;
                            break;
                        }
                        (pass, at_pass) = (x, q);
                    }
                } else {
                    fail = start;
                    let mut steps = 0;
                    loop {
                        let x = easier(fail);
                        if steps == MAX_BRACKET_STEPS || (self.integer && self.value(x) == self.value(fail)) {
                            return Ok(self.answer(Status::NonePass, None, Some(fail), None));
                        }
                        let q = probe!(x, |s: Self| s.answer(Status::NonePass, None, Some(fail), None));
                        steps += 1;
                        if q.meets_slos {
                            (pass, at_pass) = (x, q);
                            break;
                        }
                        fail = x;
                    }
                }
            }
        }
        let (given, integer) = (self.spec.precision, self.integer);
        let precision = move |pass: f64| match given {
            Some(p) => p.max(if integer { 1.0 } else { 0.0 }),
            None if integer => 1.0,
            None => 0.01 * pass.abs(),
        };
        while (fail - pass).abs() > precision(pass) {
            let mut mid = (pass + fail) / 2.0;
            if self.integer {
                mid = mid.floor();
                if mid == pass.min(fail) {
                    mid += 1.0;
                }
                if mid == pass || mid == fail {
                    break;
                }
            }
            let q = eval!(mid);
            if q.meets_slos {
                (pass, at_pass) = (mid, q);
            } else {
                fail = mid;
            }
        }
        Ok(self.answer(Status::Found, Some(pass), Some(fail), Some(at_pass)))
    }
}

/// `LO..HI` for `--range`.
pub fn parse_range(text: &str) -> Option<(f64, f64)> {
    let (lo, hi) = text.split_once("..")?;
    let (lo, hi): (f64, f64) = (lo.trim().parse().ok()?, hi.trim().parse().ok()?);
    (lo.is_finite() && hi.is_finite() && lo < hi).then_some((lo, hi))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::Study;

    /// `count` tasks of 1 s of io on `workers` threads: the p99 is about
    /// ⌈count / workers⌉ seconds.
    fn study(count: u32, workers: u32) -> Study {
        let text = format!(
            r#"{{"name": "p", "classes": {{"job": {{"arrivals": {{"batch": {{"count": {count}}}}}, "program": [{{"io": "1s"}}]}}}},
                "strategies": [{{"threaded": {{"workers": {workers}, "label": "pool"}}}}],
                "slos": ["latency p99 < 2500ms"]}}"#
        );
        Study::new(&text, "p.json", Vec::new()).unwrap()
    }

    fn spec(path: &str, range: Option<(f64, f64)>, goal: Goal) -> PlanSpec {
        PlanSpec { path: FieldPath::parse(path).unwrap(), range, goal, precision: None }
    }

    #[test]
    fn the_fewest_workers_by_bracketing_from_the_scenario_value_or_in_a_range() {
        for range in [None, Some((1.0, 64.0))] {
            let answers = plan(
                &study(20, 3),
                &spec("strategies.pool.workers", range, Goal::Minimize),
                Limits::default(),
                &Guards::UNLIMITED,
            )
            .unwrap();
            let a = &answers[0];
            assert_eq!((a.status, a.value.clone(), a.next.clone()), (Status::Found, Some(10.into()), Some(9.into())));
            assert!(a.at_value.as_ref().unwrap().meets_slos);
        }
    }

    #[test]
    fn the_largest_count_and_the_ends_of_a_range() {
        let path = "classes.job.arrivals.batch.count";
        let a =
            &plan(&study(4, 4), &spec(path, None, Goal::Maximize), Limits::default(), &Guards::UNLIMITED).unwrap()[0];
        assert_eq!((a.status, a.value.clone(), a.next.clone()), (Status::Found, Some(8.into()), Some(9.into())));
        let a =
            &plan(&study(4, 4), &spec(path, Some((1.0, 6.0)), Goal::Maximize), Limits::default(), &Guards::UNLIMITED)
                .unwrap()[0];
        assert_eq!((a.status, a.value.clone()), (Status::AllPass, Some(6.into())));
        let a =
            &plan(&study(4, 4), &spec(path, Some((20.0, 40.0)), Goal::Maximize), Limits::default(), &Guards::UNLIMITED)
                .unwrap()[0];
        assert_eq!((a.status, a.value.clone()), (Status::NonePass, None));
    }
}
