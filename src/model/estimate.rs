//! The size of a run, estimated before running it, so that a scenario too
//! large for memory or patience is refused with a clear message instead of
//! exhausting the machine.
//!
//! Estimates are per strategy run (every strategy simulates the same tasks)
//! and deliberately simple: expected arrivals from each class's arrival
//! process, two events per executed step, and, for work that is all in
//! flight at once (batches, closed-loop users), the memory of its pending
//! state.

use super::{Arrivals, Bound, Scenario, Step, StepKind};
use crate::scenario::{ChooseBranch, Dist, format_bytes};
use crate::time::SimDuration;

/// Modelled engine memory per pending task: task record, root fiber, its
/// pending event and queue slots (measured at 1M: about 185 B per task
/// before the records were packed, about 125 B since; 200 stays a bound).
pub const BYTES_PER_PENDING_TASK: f64 = 200.0;
/// Modelled engine memory per extra pending fiber (gathered or spawned).
pub const BYTES_PER_PENDING_FIBER: f64 = 80.0;

/// One class's share of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassEstimate {
    pub class: String,
    /// Expected arrivals.
    pub tasks: f64,
    /// Tasks in flight at once for certain (a batch, closed-loop users).
    pub concurrent: f64,
    /// Ops a task executes (gather copies expanded).
    pub ops_per_task: f64,
    /// How the arrivals were counted, for messages ("poisson 1000/s for 1h").
    pub basis: String,
}

/// The estimated size of one strategy's run.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    pub classes: Vec<ClassEstimate>,
}

impl Estimate {
    /// Expected arrivals of all classes.
    pub fn tasks(&self) -> f64 {
        self.classes.iter().map(|c| c.tasks).sum()
    }

    /// Expected events: about two per executed op, plus the arrival.
    pub fn events(&self) -> f64 {
        self.classes.iter().map(|c| c.tasks * (2.0 * c.ops_per_task + 1.0)).sum()
    }

    /// Bytes of engine state for the work certainly in flight at once.
    pub fn peak_bytes(&self) -> f64 {
        self.classes
            .iter()
            .map(|c| {
                c.concurrent * (BYTES_PER_PENDING_TASK + BYTES_PER_PENDING_FIBER * (c.ops_per_task - 1.0).max(0.0))
            })
            .sum()
    }

    /// The class contributing most tasks, for messages.
    pub fn largest(&self) -> Option<&ClassEstimate> {
        self.classes.iter().max_by(|a, b| a.tasks.total_cmp(&b.tasks))
    }
}

/// Estimates one strategy's run of `scenario`.
pub fn estimate(scenario: &Scenario) -> Estimate {
    let horizon_s = scenario.horizon.map(|h| h.as_secs_f64());
    let classes = scenario
        .classes
        .iter()
        .map(|class| {
            let ops_per_task = ops(&class.program);
            let (tasks, concurrent, basis) = match &class.arrivals {
                Arrivals::Batch { count } => (*count as f64, *count as f64, format!("a batch of {count}")),
                Arrivals::Poisson { rate_per_s, bound } => match bound {
                    Bound::Count(n) => (*n as f64, 0.0, format!("{n} poisson arrivals")),
                    Bound::Duration(d) => {
                        let secs = capped(d.as_secs_f64(), horizon_s);
                        (rate_per_s * secs, 0.0, format!("poisson at {rate_per_s}/s for {d}"))
                    }
                },
                Arrivals::Interval { every, bound } => {
                    let gap = match every {
                        Dist::Constant(d) => d.to_string(),
                        _ => format!("{} on average", SimDuration::from_nanos_f64(every.mean_ns())),
                    };
                    match bound {
                        Bound::Count(n) => (*n as f64, 0.0, format!("{n} arrivals every {gap}")),
                        Bound::Duration(d) => {
                            let secs = capped(d.as_secs_f64(), horizon_s);
                            (secs / (every.mean_ns() / 1e9), 0.0, format!("one every {gap} for {d}"))
                        }
                    }
                }
                // Their iterations are the producers' items, counted there.
                Arrivals::Workers { count } => (0.0, f64::from(*count), format!("{count} queue workers")),
                Arrivals::Closed { users, think, bound } => {
                    let users = f64::from(*users);
                    match bound {
                        Bound::Count(n) => (*n as f64, users.min(*n as f64), format!("{n} closed-loop tasks")),
                        Bound::Duration(d) => {
                            let secs = capped(d.as_secs_f64(), horizon_s);
                            let cycle_s = (think.mean_ns() + typical_ns(&class.program)) / 1e9;
                            let per_user = if cycle_s > 0.0 { secs / cycle_s } else { f64::INFINITY };
                            (users * per_user, users, format!("{users} users for {d}"))
                        }
                    }
                }
            };
            ClassEstimate { class: class.name.clone(), tasks, concurrent, ops_per_task, basis }
        })
        .collect();
    Estimate { classes }
}

fn capped(secs: f64, horizon_s: Option<f64>) -> f64 {
    horizon_s.map_or(secs, |h| secs.min(h))
}

/// Ops one task executes, with gather copies expanded.
fn ops(steps: &[Step]) -> f64 {
    steps
        .iter()
        .map(|step| match &step.kind {
            StepKind::Gather(branches, _) => {
                1.0 + branches.iter().map(|b| f64::from(b.copies) * ops(&b.program)).sum::<f64>()
            }
            StepKind::Spawn { program, .. } | StepKind::Timeout { program, .. } | StepKind::ToThread(program) => {
                1.0 + ops(program)
            }
            StepKind::Limit { program, .. } => 2.0 + ops(program),
            StepKind::SpawnDetached { program, .. } => 1.0 + ops(program),
            StepKind::GatherUntil { branches, .. } => {
                1.0 + branches.iter().map(|b| f64::from(b.copies) * ops(&b.program)).sum::<f64>()
            }
            StepKind::Hedge { programs, copies, .. } => {
                1.0 + f64::from(*copies) * programs.iter().map(|p| ops(p)).sum::<f64>() / programs.len() as f64
            }
            // A try or retry runs its body once when nothing is raised.
            StepKind::Try { program, .. } | StepKind::Retry { program, .. } => 1.0 + ops(program),
            StepKind::Repeat { program, times } => 1.0 + times.mean() * ops(program),
            StepKind::Choose(branches) => 1.0 + weighted(branches, ops),
            // A payload is an op of its own; a call may make every attempt
            // its retry policy allows (each a request the engine holds).
            StepKind::Io { transfer, .. } => 1.0 + f64::from(u8::from(transfer.is_some())),
            StepKind::Call { call, transfer } => {
                f64::from(call.retry.map_or(1, |r| r.attempts)) + f64::from(u8::from(transfer.is_some()))
            }
            _ => 1.0,
        })
        .sum()
}

/// The mean of `f` over a choose's branches, by weight.
fn weighted(branches: &[ChooseBranch], f: fn(&[Step]) -> f64) -> f64 {
    let total: f64 = branches.iter().map(|b| b.weight).sum();
    branches.iter().map(|b| b.weight * f(&b.program)).sum::<f64>() / total
}

/// A program's typical duration when nothing else runs: the cooperative
/// critical path with every step at its mean.
fn typical_ns(steps: &[Step]) -> f64 {
    steps
        .iter()
        .map(|step| match &step.kind {
            StepKind::Io { duration: d, .. } | StepKind::Cpu(d) | StepKind::Sleep(d) | StepKind::Blocking(d) => {
                d.mean_ns()
            }
            StepKind::Gather(branches, _) => branches.iter().map(|b| typical_ns(&b.program)).fold(0.0, f64::max),
            StepKind::Timeout { after, program, .. } => typical_ns(program).min(after.as_nanos() as f64),
            StepKind::Limit { program, .. }
            | StepKind::ToThread(program)
            | StepKind::Try { program, .. }
            | StepKind::Retry { program, .. } => typical_ns(program),
            // A call's time depends on the service's load: not estimated.
            StepKind::SpawnDetached { .. } => 0.0,
            StepKind::GatherUntil { branches, .. } => {
                branches.iter().map(|b| typical_ns(&b.program)).fold(f64::INFINITY, f64::min)
            }
            StepKind::Hedge { programs, .. } => typical_ns(&programs[0]),
            StepKind::Repeat { program, times } => times.mean() * typical_ns(program),
            StepKind::Choose(branches) => weighted(branches, typical_ns),
            // Nor a queue's wait.
            StepKind::Spawn { .. }
            | StepKind::Join { .. }
            | StepKind::Call { .. }
            | StepKind::Put(_)
            | StepKind::Get(_) => 0.0,
        })
        .sum()
}

/// Bounds on a run's estimated size: `--max-tasks`, `--max-memory` and
/// `--max-events` per strategy run, and `--max-total-tasks` over all the runs
/// one command makes (strategies × replications × sweep points). Every
/// command that simulates checks each scenario it is about to run against
/// them, so no grid point or plan probe escapes what `run` refuses.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Guards {
    pub max_tasks: u64,
    pub max_memory: u64,
    pub max_events: u64,
    pub max_total_tasks: u64,
}

/// Why a scenario is refused before it runs: what, and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{what}\n  hint: {fix}")]
pub struct Refusal {
    pub what: String,
    pub fix: String,
}

impl Guards {
    /// No bound at all (library use and tests).
    pub const UNLIMITED: Guards =
        Guards { max_tasks: u64::MAX, max_memory: u64::MAX, max_events: u64::MAX, max_total_tasks: u64::MAX };

    /// Checks one scenario's estimated size per strategy run; returns the
    /// estimate.
    pub fn check(&self, scenario: &Scenario) -> Result<Estimate, Refusal> {
        let estimate = estimate(scenario);
        let refuse = |what: String, fix: &str| Refusal { what, fix: fix.to_string() };
        let tasks = estimate.tasks();
        if tasks > self.max_tasks as f64 {
            let largest = estimate.largest().expect("a scenario has classes");
            return Err(refuse(
                format!(
                    "the scenario would create about {} tasks per strategy (class \"{}\": {}), more than --max-tasks {}",
                    round(tasks),
                    largest.class,
                    largest.basis,
                    self.max_tasks
                ),
                "lower the count, rate or duration, set a \"horizon\", or raise --max-tasks if the machine can take it",
            ));
        }
        let bytes = estimate.peak_bytes();
        if bytes > self.max_memory as f64 {
            return Err(refuse(
                format!(
                    "the tasks in flight at once would need about {} of engine memory, more than --max-memory {}",
                    format_bytes(bytes as u64),
                    format_bytes(self.max_memory)
                ),
                "use smaller batches or fewer closed-loop users, or raise --max-memory if the machine has it",
            ));
        }
        let events = estimate.events();
        if events > self.max_events as f64 {
            return Err(refuse(
                format!(
                    "the scenario would need about {} events per strategy, more than --max-events {}",
                    round(events),
                    self.max_events
                ),
                "shorten the scenario, or raise --max-events",
            ));
        }
        Ok(estimate)
    }

    /// Checks the work of `runs` strategy runs of about `tasks` tasks each
    /// (`what` names them: "10 replications of 4 strategies").
    pub fn check_total(&self, tasks: f64, runs: f64, what: &str) -> Result<(), Refusal> {
        let total = tasks * runs;
        if total > self.max_total_tasks as f64 {
            return Err(Refusal {
                what: format!(
                    "{what} would simulate about {} tasks in all, more than --max-total-tasks {}",
                    round(total),
                    self.max_total_tasks
                ),
                fix: "run fewer replications, points or strategies, shorten the scenario, or raise --max-total-tasks"
                    .to_string(),
            });
        }
        Ok(())
    }
}

/// A large count, readably: 3.6e9 → "3600000000".
fn round(x: f64) -> String {
    if x.is_finite() { format!("{:.0}", x) } else { "infinitely many".to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse;

    fn estimate_of(classes: &str) -> Estimate {
        let json = format!(r#"{{"name": "e", "classes": {classes}}}"#);
        estimate(&parse(&json, "e.json").unwrap())
    }

    #[test]
    fn payloads_and_retries_count_as_ops() {
        let json = r#"{"name": "e", "links": {"l": {"bandwidth": "1Mbit/s"}}, "services": {"s": {"service": "1ms"}},
            "classes": {"t": {"arrivals": {"batch": {"count": 2}},
                "program": [{"io": "1s", "bytes": "1MB"}, {"call": {"service": "s", "retry": {"attempts": 4}}}]}}}"#;
        let e = estimate(&parse(json, "e.json").unwrap());
        assert_eq!(e.classes[0].ops_per_task, 6.0);
    }

    #[test]
    fn counts_arrivals_of_every_kind() {
        let e = estimate_of(
            r#"{"a": {"arrivals": {"batch": {"count": 10}}, "program": [{"io": "1s"}]},
                "b": {"arrivals": {"poisson": {"rate": 100, "duration": "1min"}}, "program": [{"io": "1s"}]},
                "c": {"arrivals": {"interval": {"every": "100ms", "duration": "10s"}}, "program": [{"io": "1s"}]},
                "d": {"arrivals": {"closed": {"users": 4, "think": "1s", "duration": "10s"}}, "program": [{"io": "1s"}]}}"#,
        );
        let tasks: Vec<f64> = e.classes.iter().map(|c| c.tasks).collect();
        // 10; 100/s × 60 s; 10 s / 100 ms; 4 users × 10 s / (1 s think + 1 s io).
        assert_eq!(tasks, [10.0, 6000.0, 100.0, 20.0]);
        assert_eq!(e.tasks(), 6130.0);
        assert_eq!(e.largest().unwrap().class, "b");
    }

    #[test]
    fn gathers_multiply_ops_and_batches_hold_memory() {
        let e = estimate_of(
            r#"{"a": {"arrivals": {"batch": {"count": 1000}},
                "program": [{"gather": [{"copies": 3, "program": [{"io": "1s"}]}]}, {"cpu": "1ms"}]}}"#,
        );
        assert_eq!(e.classes[0].ops_per_task, 5.0);
        assert_eq!(e.events(), 1000.0 * 11.0);
        assert_eq!(e.peak_bytes(), 1000.0 * (BYTES_PER_PENDING_TASK + 4.0 * BYTES_PER_PENDING_FIBER));
    }
}
