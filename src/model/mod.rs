//! The validated model: what a scenario means, independent of how it was written.
//!
//! The scenario stage parses and validates a file into a [`Scenario`]; nothing
//! in this module can hold an invalid value (a zero worker count, a negative
//! duration, a pool that does not exist). [`program`] compiles the step trees
//! into a flat instruction arena the engine interprets.
//!
//! Main types: [`Scenario`], [`TaskClass`], [`Arrivals`], [`Step`],
//! [`Strategy`], [`Dist`].

pub mod dist;
pub mod program;

pub use dist::Dist;
pub use program::{CompiledWorkload, Op, ProgramId};

use crate::time::SimDuration;

/// A whole, validated scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub seed: u64,
    pub machine: Machine,
    /// Named semaphores / connection pools, in file order. Steps refer to
    /// them by index ([`PoolId`]).
    pub pools: Vec<Pool>,
    /// Task classes, in file order. Each draws from streams named after the
    /// class, so adding a class changes no other class's draws.
    pub classes: Vec<TaskClass>,
    /// The strategies to compare, in file order. Labels are unique.
    pub strategies: Vec<Strategy>,
    /// Stop the run at this virtual time; tasks still in flight are counted
    /// as cancelled. `None` runs until every task is accounted for.
    pub horizon: Option<SimDuration>,
}

/// The simulated machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Machine {
    /// CPU cores available to threads (≥ 1).
    pub cores: u32,
}

impl Default for Machine {
    fn default() -> Self {
        Machine { cores: 1 }
    }
}

/// Index of a pool in [`Scenario::pools`].
pub type PoolId = u16;

/// A named semaphore / connection pool of `size` permits (≥ 1), granted in
/// FIFO order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pool {
    pub name: String,
    pub size: u32,
}

/// A named kind of task: its arrivals and its program.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskClass {
    pub name: String,
    pub arrivals: Arrivals,
    pub program: Vec<Step>,
}

/// When tasks of a class arrive. Every kind but `Batch` is bounded by a count
/// or a duration.
#[derive(Clone, Debug, PartialEq)]
pub enum Arrivals {
    /// `count` tasks, all at t = 0, created in order.
    Batch { count: u64 },
    /// Poisson arrivals at `rate_per_s` (> 0); the first after one
    /// inter-arrival gap.
    Poisson { rate_per_s: f64, bound: Bound },
    /// One task every `every` (> 0), the first at t = 0.
    Interval { every: SimDuration, bound: Bound },
    /// `users` closed-loop users: each issues a task at t = 0, waits for it to
    /// end, thinks for a sampled time, and issues the next.
    Closed { users: u32, think: Dist, bound: Bound },
}

/// How an arrival process stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    /// After this many tasks in all (≥ 1).
    Count(u64),
    /// No task arrives at or after this virtual time (> 0).
    Duration(SimDuration),
}

/// One step of a task program, with an optional label for traces and charts.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub kind: StepKind,
    pub label: Option<String>,
}

/// What a step does. docs/model.md gives each one's cost under each strategy.
#[derive(Clone, Debug, PartialEq)]
pub enum StepKind {
    /// Await network or disk I/O. With probability `fail` (in [0, 1]) the
    /// operation fails when it completes, and the task ends as failed.
    Io { duration: Dist, fail: f64 },
    /// CPU work: needs a core (and the GIL, or the event loop's thread).
    Cpu(Dist),
    /// `asyncio.sleep` / `time.sleep`: waits without holding anything but the
    /// calling thread.
    Sleep(Dist),
    /// A synchronous call (`time.sleep`, `requests.get`): inside a coroutine
    /// it blocks the whole event loop.
    Blocking(Dist),
    /// Run the branches concurrently and wait for all of them.
    Gather(Vec<GatherBranch>),
    /// Start a sub-program now (`asyncio.create_task`) under a name that a
    /// later `Join` awaits. A fiber that ends with unjoined children waits
    /// for them first.
    Spawn { name: String, program: Vec<Step> },
    /// Await the sub-program spawned under `name` earlier in the same program.
    Join { name: String },
    /// `asyncio.wait_for`: run `program` with a time budget; on expiry the task
    /// ends as timed out.
    Timeout { after: SimDuration, program: Vec<Step> },
    /// Hold one permit of `pool` around `program` (`async with semaphore`).
    Limit { pool: PoolId, program: Vec<Step> },
}

/// One branch of a gather: `copies` concurrent instances of `program`.
#[derive(Clone, Debug, PartialEq)]
pub struct GatherBranch {
    pub copies: u32,
    pub program: Vec<Step>,
}

/// A strategy to compare, under a unique label.
#[derive(Clone, Debug, PartialEq)]
pub struct Strategy {
    pub label: String,
    pub kind: StrategyKind,
}

/// How tasks are executed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum StrategyKind {
    /// One thread runs tasks one after another, in arrival order.
    Blocking,
    /// A pool of `workers` threads takes tasks in arrival order
    /// (`ThreadPoolExecutor`).
    Threaded {
        workers: u32,
        /// CPython's global interpreter lock: CPU work runs one thread at a
        /// time, switched every `switch_interval`.
        gil: bool,
        /// The GIL's switch interval, and without a GIL the OS time slice.
        switch_interval: SimDuration,
    },
    /// One event loop on one thread runs every task as a coroutine.
    Cooperative {
        /// At most this many top-level tasks in flight; the rest wait in
        /// arrival order. `None` admits every task at once.
        max_concurrency: Option<u32>,
    },
}

impl StrategyKind {
    /// The kind's name as written in scenarios and reports.
    pub fn name(&self) -> &'static str {
        match self {
            StrategyKind::Blocking => "blocking",
            StrategyKind::Threaded { .. } => "threaded",
            StrategyKind::Cooperative { .. } => "cooperative",
        }
    }

    /// Python's `ThreadPoolExecutor` default: `min(32, cores + 4)`.
    pub fn default_workers(machine: Machine) -> u32 {
        32.min(machine.cores.saturating_add(4))
    }

    /// CPython's default `sys.getswitchinterval()`: 5 ms.
    pub const DEFAULT_SWITCH_INTERVAL: SimDuration = SimDuration::from_millis(5);
}
