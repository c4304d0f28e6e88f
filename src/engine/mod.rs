//! The engine: a virtual clock, a pending-event queue, seeded streams, and
//! the interpreter that runs compiled task programs under one strategy.
//!
//! Main entry point: [`run`]. It executes one strategy over a scenario's
//! workload and reports each task's end to an [`Observer`]; it returns the
//! run's counters ([`RunStats`]) or an [`EngineError`].
//!
//! Architecture invariants:
//! - no I/O, no wall clock, no environment, no hash-map iteration: a run is a
//!   pure function of (scenario, compiled workload, strategy);
//! - the engine imports only `time` and `model`; it knows nothing of
//!   histograms, reports or files;
//! - time is integer nanoseconds ([`crate::time`]); floats appear only inside
//!   distribution sampling, whose result is rounded to a whole nanosecond.
//!
//! ```
//! use simbench::engine::{self, Observer, TaskRecord};
//! use simbench::model::*;
//! use simbench::time::SimDuration;
//!
//! let io = |s| Step { kind: StepKind::Io { duration: Dist::Constant(SimDuration::from_secs(s)), fail: Fail::NEVER, transfer: None }, label: None, threads: Default::default() };
//! let scenario = Scenario {
//!     name: "downloads".into(), description: String::new(), seed: 1,
//!     machine: Machine::default(), pools: vec![], links: vec![], services: vec![], queues: vec![], horizon: None, slos: vec![], warmup: None,
//!     runtime: Runtime::ideal(),
//!     classes: vec![TaskClass { name: "download".into(), arrivals: Arrivals::Batch { count: 3 }, program: vec![io(5)] }],
//!     strategies: vec![Strategy { label: "cooperative".into(), kind: StrategyKind::Cooperative { max_concurrency: None } }],
//! };
//! let workload = CompiledWorkload::compile(&scenario);
//! let stats = engine::run(&scenario, &workload, &scenario.strategies[0], &mut ()).unwrap();
//! assert_eq!(stats.makespan(), SimDuration::from_secs(5)); // three 5 s downloads overlap
//! ```

mod cpu;
mod fifo;
mod gil;
mod ids;
mod link;
mod observer;
mod overhead;
mod prefetch;
mod processes;
pub mod queue;
mod service;
mod sim;
mod streams;

pub use observer::{
    CallEvent, Observer, Outcome, QueueChange, QueueEvent, Resource, ResourceChange, TaskRecord, TraceEvent, TraceWhat,
};
pub use queue::EventQueue;
pub use streams::{Purpose, Stream, replication_seed};

use crate::model::{CompiledWorkload, Scenario, Strategy};
use crate::time::{SimDuration, SimTime};

/// Counters of one run, beside what the observer saw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunStats {
    /// Events popped from the queue.
    pub events: u64,
    /// Tasks that arrived.
    pub arrived: u64,
    /// When the last task ended.
    pub last_outcome: SimTime,
    /// When the last event happened (a thread may run an abandoned call past
    /// the last outcome).
    pub end: SimTime,
    pub peak_in_flight: u64,
    /// Most threads running tasks at once (1 for blocking and cooperative).
    pub peak_threads: u32,
    /// Cooperative: most coroutines alive at once (tasks and their children).
    pub peak_coroutines: u64,
    /// Total CPU time used.
    pub cpu_busy: SimDuration,
    /// CPU time used up to the last task's end (what utilisation divides by
    /// the makespan): less than `cpu_busy` when detached work or an
    /// abandoned call computes on after it. Under `processes`, each
    /// process's up to its own last task's end.
    pub cpu_busy_in_makespan: SimDuration,
    pub cores: u32,
    /// The run stopped at the scenario's horizon.
    pub horizon_reached: bool,
    /// Where the statistics window starts: the scenario's warmup (zero
    /// without one).
    pub window_start: SimTime,
    /// The scenario has a warmup: a steady-state measurement, whose window
    /// ends at the last arrival (leaving out the final drain, when no task
    /// arrives and the system empties) rather than at the last task's end.
    pub steady_state: bool,
    /// The time-integral of tasks in flight from `window_start` to the last
    /// task's end, in task·nanoseconds. Kept by the engine as tasks arrive
    /// and end, independently of any latency.
    pub in_flight_ns: u128,
    /// When the last task arrived.
    pub last_arrival: SimTime,
    /// `in_flight_ns` as it was at the last arrival.
    pub in_flight_ns_at_last_arrival: u128,
    /// Scenarios that detach work (R-SPAWN-DETACHED): detached programs
    /// still running when the run ended (at the horizon).
    pub detached_pending: Option<u64>,
    /// Pool permits not back in their pools when the run ended (size minus
    /// available, summed over pools): held by tasks the horizon cut short.
    /// After a run whose every task ended it is 0, as permits are
    /// conserved: never lost by a cancelled or unwound fiber, never made.
    pub permits_out: i64,
}

impl RunStats {
    /// From t = 0 to the last task's end.
    pub fn makespan(&self) -> SimDuration {
        self.last_outcome - SimTime::ZERO
    }

    /// The time-average number of tasks in flight over the statistics
    /// window (L in Little's law): from `window_start` to the last task's
    /// end, or for a steady-state measurement to the last arrival; 0 when the
    /// window is empty.
    pub fn mean_in_flight(&self) -> f64 {
        let (end, area) = if self.steady_state {
            (self.last_arrival, self.in_flight_ns_at_last_arrival)
        } else {
            (self.last_outcome, self.in_flight_ns)
        };
        let span = end.saturating_since(self.window_start).as_nanos();
        if span == 0 { 0.0 } else { area as f64 / span as f64 }
    }

    /// CPU time used during the makespan over the capacity of all cores
    /// then (R-CPU-UTILIZATION): at most 1.
    pub fn cpu_utilization(&self) -> f64 {
        let capacity = self.makespan().as_nanos() as f64 * f64::from(self.cores);
        if capacity == 0.0 { 0.0 } else { self.cpu_busy_in_makespan.as_nanos() as f64 / capacity }
    }
}

/// A task stuck at the end of a stalled run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StalledTask {
    /// The task's number in arrival order.
    pub number: u64,
    pub class: String,
    /// What its fibers wait for.
    pub waits: Vec<String>,
}

impl StalledTask {
    /// The `number` of a queue worker waiting between two items (it is no
    /// task then).
    pub const WORKER: u64 = u64::MAX;
}

/// Why a run could not finish.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// Tasks wait and no event is pending: a deadlock.
    #[error("{}", stall_message(*at, *stuck, tasks))]
    Stalled { at: SimTime, stuck: u64, tasks: Vec<StalledTask> },
    /// The run processed more events than [`Limits::max_events`].
    #[error(
        "the run stopped after {events} events at virtual time {at}, the limit set by --max-events; raise it, or shorten the scenario (fewer tasks, a horizon)"
    )]
    EventLimit { events: u64, at: SimTime },
    /// Virtual time passed [`Limits::max_time`] with tasks still in flight.
    #[error(
        "virtual time passed {limit} with {in_flight} task(s) still in flight, the limit set by --max-sim-time; raise it, or give the scenario a \"horizon\" to stop there on purpose"
    )]
    TimeLimit { limit: SimTime, in_flight: u64 },
    /// An event fell past the end of virtual time (2^64 ns, about 584
    /// years): a duration, gap or rate far outside any real range.
    #[error(
        "virtual time overflowed after {after}: {what} would happen past the end of virtual time (2^64 ns, about 584 years); a duration, gap or rate in the scenario is out of any real range (check its units)"
    )]
    TimeOverflow { after: SimTime, what: String },
    /// [`Limits::interrupt`] was raised (Ctrl-C).
    #[error("interrupted at virtual time {at}")]
    Interrupted { at: SimTime },
}

/// Guards against runs that would not end in reasonable time. The default
/// is unlimited.
#[derive(Clone, Copy, Debug, Default)]
pub struct Limits<'a> {
    /// Stop with [`EngineError::EventLimit`] after this many events.
    pub max_events: Option<u64>,
    /// Stop with [`EngineError::TimeLimit`] when an event lies past this time.
    pub max_time: Option<SimTime>,
    /// Polled every few thousand events; when set, the run stops with
    /// [`EngineError::Interrupted`]. (A flag is an input like any other: it
    /// can stop a run but never changes a result.)
    pub interrupt: Option<&'a std::sync::atomic::AtomicBool>,
}

fn stall_message(at: SimTime, stuck: u64, tasks: &[StalledTask]) -> String {
    let mut msg = format!("the simulation stalled at {at}: {stuck} task(s) wait and no event is pending (a deadlock)");
    for t in tasks {
        let who =
            if t.number == StalledTask::WORKER { "queue worker".to_string() } else { format!("task {}", t.number) };
        msg.push_str(&format!("\n  {who} (class \"{}\"): {}", t.class, t.waits.join("; ")));
    }
    if stuck > tasks.len() as u64 {
        msg.push_str(&format!("\n  … and {} more", stuck - tasks.len() as u64));
    }
    if tasks.iter().any(|t| t.waits.iter().any(|w| w.contains("thread-pool deadlock"))) {
        msg.push_str("\n  hint: work a task submits to its own pool waits behind tasks that hold every worker; give the pool more \"workers\", start the work on threads of its own (\"threads\": \"new\") or run it inline (\"threads\": \"inline\")");
        return msg;
    }
    if tasks.iter().any(|t| t.waits.iter().any(|w| w.contains("queue"))) {
        msg.push_str("\n  hint: queue workers wait for items that no running task can put: give the threaded pool more \"workers\" than the queue workers, or check that every queue's producers can finish");
        return msg;
    }
    msg.push_str("\n  hint: a program waits for a permit that only a waiting task can return; raise the pool size or avoid holding one permit while asking for another");
    msg
}

/// Runs `strategy` over the scenario's workload, reporting to `observer`.
pub fn run<O: Observer>(
    scenario: &Scenario,
    workload: &CompiledWorkload,
    strategy: &Strategy,
    observer: &mut O,
) -> Result<RunStats, EngineError> {
    run_limited(scenario, workload, strategy, observer, Limits::default())
}

/// [`run`], stopping with an error when a guard of `limits` trips.
pub fn run_limited<O: Observer>(
    scenario: &Scenario,
    workload: &CompiledWorkload,
    strategy: &Strategy,
    observer: &mut O,
    limits: Limits,
) -> Result<RunStats, EngineError> {
    if let crate::model::StrategyKind::Processes { workers, inner } = strategy.kind {
        return processes::run(scenario, workload, (workers, inner), observer, limits);
    }
    sim::Sim::new(scenario, workload, strategy, observer).run(limits)
}
