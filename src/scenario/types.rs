//! The validated scenario: what a scenario file means, independent of how it
//! was written.
//!
//! [`super::parse`] is the only producer of these values from untrusted
//! input, and nothing here can hold an invalid value (a zero worker count, a
//! negative duration, a pool that does not exist, a join of nothing). Later
//! stages rely on that: `model` compiles programs and samples
//! distributions, the engine runs them.
//!
//! Main types: [`Scenario`], [`TaskClass`], [`Arrivals`], [`Step`],
//! [`Strategy`], [`Dist`].

use super::flow::{ChooseBranch, Count, Fail};
use super::slo::Slo;
use crate::time::SimDuration;

/// Most spawn names one program may hold (a running fiber tracks them in a
/// 32-bit set).
pub const MAX_SPAWN_SLOTS: usize = 32;

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
    /// Shared network links, in file order. `io` steps with a payload refer
    /// to them by index ([`LinkId`]).
    pub links: Vec<Link>,
    /// Downstream services, in file order. `call` steps refer to them by
    /// index ([`ServiceId`]).
    pub services: Vec<Service>,
    /// Work queues, in file order. `put` and `get` steps refer to them by
    /// index ([`QueueId`]).
    pub queues: Vec<Queue>,
    /// Task classes, in file order. Each draws from streams named after the
    /// class, so adding a class changes no other class's draws.
    pub classes: Vec<TaskClass>,
    /// The strategies to compare, in file order. Labels are unique.
    pub strategies: Vec<Strategy>,
    /// Stop the run at this virtual time; tasks still in flight are counted
    /// as cancelled. `None` runs until every task is accounted for.
    pub horizon: Option<SimDuration>,
    /// Service-level objectives checked after the run, in file order; every
    /// scope names an existing strategy and class.
    pub slos: Vec<Slo>,
    /// The initial transient to leave out of the statistics (open-loop
    /// scenarios only). `None`: measure from t = 0.
    pub warmup: Option<Warmup>,
    /// What the runtime costs beyond the program's own work (`ideal`: nothing).
    pub runtime: super::runtime::Runtime,
}

/// How much of a run's start is left out of its statistics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Warmup {
    /// Tasks arriving before this time are not measured.
    Duration(SimDuration),
    /// Chosen per run by MSER-5 on the latency series (the metrics stage
    /// resolves it to a [`Warmup::Duration`] before the measured run).
    Auto,
}

impl Warmup {
    /// Where the statistics window starts, when it is known.
    pub fn start(warmup: Option<Warmup>) -> crate::time::SimTime {
        match warmup {
            Some(Warmup::Duration(d)) => crate::time::SimTime::ZERO + d,
            Some(Warmup::Auto) | None => crate::time::SimTime::ZERO,
        }
    }
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
    /// What a `limit` that finds no free permit does.
    pub when_full: WhenFull,
}

/// What a `limit` on a full pool does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WhenFull {
    /// Wait for a permit, first come first served (a semaphore).
    #[default]
    Wait,
    /// End the task at once as rejected (a loss system: a server that
    /// answers 503 when all its connections are busy).
    Reject,
}

/// Index of a link in [`Scenario::links`].
pub type LinkId = u16;

/// A shared network link of `bits_per_s` (≥ 1) bits per second: concurrent
/// transfers share it equally (processor sharing, docs/model.md R-LINK-*).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub name: String,
    pub bits_per_s: u64,
}

/// A payload an `io` step moves over a link after its latency.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transfer {
    pub link: LinkId,
    /// Payload size in bytes (≥ 1).
    pub bytes: u64,
}

/// Index of a service in [`Scenario::services`].
pub type ServiceId = u16;

/// A downstream service (docs/model.md R-SERVICE-*): `concurrency` servers
/// (≥ 1) take requests first come first served, each for a sampled
/// `service` time (× a slowdown factor inside a slowdown window); a served
/// request fails with probability `fail`; an optional token bucket rejects
/// requests beyond its rate.
#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    pub name: String,
    pub concurrency: u32,
    pub service: Dist,
    pub fail: f64,
    pub rate_limit: Option<RateLimit>,
    /// Windows, in file order, that do not overlap.
    pub slowdowns: Vec<Slowdown>,
}

/// A token bucket: `rate_per_s` (> 0) tokens a second, at most `burst` (≥ 1)
/// saved; a request that finds no token is rejected at once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLimit {
    pub rate_per_s: f64,
    pub burst: u32,
}

/// Service times of requests whose service starts in `[from, until)` are
/// multiplied by `factor` (> 0).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Slowdown {
    pub from: SimDuration,
    pub until: SimDuration,
    pub factor: f64,
}

/// A `call` step: a request to a service, with its client-side policy.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    pub service: ServiceId,
    /// Per attempt: the client gives up after this long.
    pub timeout: Option<SimDuration>,
    pub retry: Option<Retry>,
}

/// How a call retries a failed, rejected or timed-out attempt.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Retry {
    /// Attempts in all, the first included (≥ 1).
    pub attempts: u32,
    /// The wait before the first retry; before retry k it is
    /// `backoff × multiplier^(k−1)`, at most `max_backoff`.
    pub backoff: SimDuration,
    /// ≥ 1.
    pub multiplier: f64,
    pub max_backoff: SimDuration,
    pub jitter: Jitter,
    /// The service-wide retry budget: retries allowed per first attempt (in
    /// [0, 1]); `None`: unlimited.
    pub budget: Option<f64>,
}

/// How a backoff `b` is randomised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Jitter {
    /// Exactly b.
    None,
    /// Uniform in [0, b].
    Full,
    /// b/2 plus uniform in [0, b/2].
    Equal,
}

/// Index of a queue in [`Scenario::queues`].
pub type QueueId = u16;

/// A work queue (`asyncio.Queue` / `queue.Queue`, docs/model.md R-QUEUE-*):
/// items handed from `put` steps to `get` steps in FIFO order; a `put` on a
/// full queue waits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Queue {
    pub name: String,
    /// At most this many items (≥ 1) wait in the queue; `None`: unbounded.
    pub capacity: Option<u32>,
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
    /// A task at t = 0, then one after each gap `every`: a duration (a
    /// fixed rate), a distribution (a renewal process) or a sequence (gap k
    /// after arrival k, replayed cyclically: a recorded trace). Never
    /// always zero.
    Interval { every: Dist, bound: Bound },
    /// `users` closed-loop users: each issues a task at t = 0, waits for it to
    /// end, thinks for a sampled time, and issues the next.
    Closed { users: u32, think: Dist, bound: Bound },
    /// `count` (≥ 1) long-lived queue workers started at t = 0, each looping
    /// the program (whose top level has a `get`); every iteration that got
    /// an item is one task, arrived when that item was put (R-QUEUE-WORKERS).
    Workers { count: u32 },
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
    /// Gather, spawn and hedge steps: where a threaded task runs their
    /// branches (R-THREADS-SUBMIT); `Inline` for every other kind.
    pub threads: BranchThreads,
}

/// Where a task of the `threaded` strategy runs the branches of a gather,
/// its spawned programs and a hedge's copies (R-THREADS-SUBMIT). The
/// `blocking` strategy (sequential code) and `cooperative` (coroutines,
/// concurrent already) are not affected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BranchThreads {
    /// One after another on the task's own thread: the program calls them
    /// in a loop.
    #[default]
    Inline,
    /// Submitted to the strategy's pool (`executor.submit` on the executor
    /// the task runs on): each waits for a free worker, behind the tasks
    /// already waiting, while the task holds its own; a pool whose every
    /// worker waits so is deadlocked.
    Pool,
    /// On a thread of its own (`threading.Thread(...).start()`, or a nested
    /// executor large enough): no waiting for a worker, a thread start each.
    New,
}

/// What a step does. docs/model.md gives each one's cost under each strategy.
#[derive(Clone, Debug, PartialEq)]
pub enum StepKind {
    /// Await network or disk I/O. With probability `fail` (in [0, 1]) the
    /// operation fails when it completes, and the task ends as failed. With
    /// a `transfer`, the payload then moves over the link (R-LINK-*).
    Io { duration: Dist, fail: Fail, transfer: Option<Transfer> },
    /// A request to a downstream service (R-CALL-*); with a `transfer`, the
    /// response's payload then moves over the link.
    Call { call: Call, transfer: Option<Transfer> },
    /// CPU work: needs a core (and the GIL, or the event loop's thread).
    Cpu(Dist),
    /// `asyncio.sleep` / `time.sleep`: waits without holding anything but the
    /// calling thread.
    Sleep(Dist),
    /// A synchronous call (`time.sleep`, `requests.get`): inside a coroutine
    /// it blocks the whole event loop.
    Blocking(Dist),
    /// Run the branches concurrently and wait for all of them; the mode says
    /// what a failing branch does (R-GATHER-MODE-*).
    Gather(Vec<GatherBranch>, GatherMode),
    /// Start a sub-program now (`asyncio.create_task`) under a name that a
    /// later `Join` awaits. A fiber that ends with unjoined children waits
    /// for them first.
    Spawn { name: String, program: Vec<Step> },
    /// Await the sub-program spawned under `name` earlier in the same program.
    Join { name: String },
    /// `asyncio.wait_for`: run `program` with a time budget; on expiry the
    /// step raises `timeout` (the task ends as timed out unless a `try`
    /// catches it). `on_expiry` says what a thread does at the deadline.
    Timeout { after: SimDuration, program: Vec<Step>, on_expiry: OnExpiry },
    /// Hold one permit of `pool` around `program` (`async with semaphore`).
    Limit { pool: PoolId, program: Vec<Step> },
    /// `asyncio.to_thread` / `loop.run_in_executor`: under cooperative the
    /// coroutine awaits while `program` (io, cpu, sleep and blocking steps
    /// only: a synchronous function) runs on a worker of the loop's default
    /// executor; on a thread it runs inline.
    ToThread(Vec<Step>),
    /// `await queue.put(item)` / `queue.put(item)`: one item into the queue;
    /// waits while it is full (R-QUEUE-PUT).
    Put(QueueId),
    /// `await queue.get()` / `queue.get()`: the oldest item; waits while the
    /// queue is empty (R-QUEUE-GET).
    Get(QueueId),
    /// `spawn` with `detached: true` (`asyncio.create_task` kept running,
    /// R-SPAWN-DETACHED): the parent does not wait for it at its end, and
    /// its failures are ignored. A later `join` may still await it.
    SpawnDetached { name: String, program: Vec<Step> },
    /// A gather whose parent resumes when `count` of its children have
    /// completed (`until`, R-GATHER-UNTIL); `rest` says what happens to the
    /// others. `1 ≤ count ≤` the children in all.
    GatherUntil { branches: Vec<GatherBranch>, count: u32, rest: Rest },
    /// `copies` instances, instance i started `i × after` after the first
    /// unless one has completed; the first to complete wins and the others
    /// are cancelled (R-HEDGE). `programs` holds one program, which every
    /// copy runs, or one per copy (R-HEDGE-COPIES: copy i runs
    /// `programs[i]`, and `copies == programs.len()`). `copies ≥ 1`.
    Hedge { programs: Vec<Vec<Step>>, after: SimDuration, copies: u32 },
    /// `try: … except (…): …`: runs `program`; an outcome in `on` raised
    /// inside it cancels it and runs `except` (none: `pass`) instead
    /// (R-TRY-*).
    Try { program: Vec<Step>, except: Option<Vec<Step>>, on: Outcomes },
    /// Runs `program` again, after a backoff, when it raises an outcome in
    /// `on`, up to `retry.attempts` times in all (`retry.budget` is `None`:
    /// a budget is a service's) (R-RETRY-PROGRAM-*).
    Retry { program: Vec<Step>, retry: Retry, on: Outcomes },
    /// `for _ in range(n): …`: runs `program` `times` times, one after
    /// another, `times` drawn once per execution (R-REPEAT).
    Repeat { program: Vec<Step>, times: Count },
    /// `if random() < p: … else: …`: runs one of the branches, picked by
    /// weight (R-CHOOSE).
    Choose(Vec<ChooseBranch>),
}

/// What a gather does when a branch raises an outcome (R-GATHER-MODE-*).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GatherMode {
    /// `asyncio.TaskGroup`: the siblings are cancelled and the outcome goes
    /// on up.
    #[default]
    TaskGroup,
    /// Plain `asyncio.gather`: the outcome goes on up at once; the siblings
    /// carry on, detached.
    Gather,
    /// `asyncio.gather(..., return_exceptions=True)`: the branch counts as
    /// done; the gather waits for all.
    ReturnExceptions,
}

/// What a thread does when a `timeout` expires (R-TIMEOUT-ABORT).
/// Cooperative cancels the body either way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnExpiry {
    /// `future.result(timeout)`: the caller gives up, the thread runs the
    /// body to its end (R-TIMEOUT-THREADS).
    #[default]
    Abandon,
    /// A per-call timeout (`socket` / HTTP client `timeout=`): the thread
    /// stops waiting at the deadline; the body's remaining steps never run.
    Abort,
}

/// A set of the outcomes a program can raise (`failed`, `timeout`,
/// `rejected`): what a `try` or `retry` catches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcomes(u8);

impl Outcomes {
    pub const FAILED: Outcomes = Outcomes(1);
    pub const TIMEOUT: Outcomes = Outcomes(2);
    pub const REJECTED: Outcomes = Outcomes(4);
    pub const ALL: Outcomes = Outcomes(7);
    pub const NONE: Outcomes = Outcomes(0);
    /// The names written in `on` lists, with their sets.
    pub const NAMES: [(&'static str, Outcomes); 3] =
        [("failed", Outcomes::FAILED), ("timeout", Outcomes::TIMEOUT), ("rejected", Outcomes::REJECTED)];

    /// The union of two sets.
    pub fn with(self, other: Outcomes) -> Outcomes {
        Outcomes(self.0 | other.0)
    }

    /// Whether every outcome of `other` is in this set.
    pub fn contains(self, other: Outcomes) -> bool {
        self.0 & other.0 == other.0
    }

    /// The set as bits (failed 1, timeout 2, rejected 4).
    pub fn bits(self) -> u8 {
        self.0
    }
}

/// What a gather with `until` does with the children still running when
/// enough have completed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rest {
    /// `for t in pending: t.cancel()`.
    Cancel,
    /// Left running, detached (R-SPAWN-DETACHED).
    Continue,
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
    /// `workers` (≥ 2) processes, each running its own copy of `inner`
    /// (its own event loop or pool, its own GIL), sharing the machine's
    /// cores; tasks are dispatched round robin at arrival (R-PROCESSES).
    Processes { workers: u32, inner: InnerKind },
}

/// The strategy each process of [`StrategyKind::Processes`] runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum InnerKind {
    Blocking,
    Threaded { workers: u32, gil: bool, switch_interval: SimDuration },
    Cooperative { max_concurrency: Option<u32> },
}

impl InnerKind {
    /// The inner strategy as a strategy of its own.
    pub fn kind(self) -> StrategyKind {
        match self {
            InnerKind::Blocking => StrategyKind::Blocking,
            InnerKind::Threaded { workers, gil, switch_interval } => {
                StrategyKind::Threaded { workers, gil, switch_interval }
            }
            InnerKind::Cooperative { max_concurrency } => StrategyKind::Cooperative { max_concurrency },
        }
    }

    /// A strategy that is not `processes` as an inner strategy.
    pub fn of(kind: StrategyKind) -> Option<InnerKind> {
        match kind {
            StrategyKind::Blocking => Some(InnerKind::Blocking),
            StrategyKind::Threaded { workers, gil, switch_interval } => {
                Some(InnerKind::Threaded { workers, gil, switch_interval })
            }
            StrategyKind::Cooperative { max_concurrency } => Some(InnerKind::Cooperative { max_concurrency }),
            StrategyKind::Processes { .. } => None,
        }
    }
}

impl StrategyKind {
    /// The kind's name as written in scenarios and reports.
    pub fn name(&self) -> &'static str {
        match self {
            StrategyKind::Blocking => "blocking",
            StrategyKind::Threaded { .. } => "threaded",
            StrategyKind::Cooperative { .. } => "cooperative",
            StrategyKind::Processes { .. } => "processes",
        }
    }

    /// Python's `ThreadPoolExecutor` default: `min(32, cores + 4)`.
    pub fn default_workers(machine: Machine) -> u32 {
        32.min(machine.cores.saturating_add(4))
    }

    /// True when tasks run as coroutines on an event loop (in every process,
    /// for `processes`).
    pub fn is_cooperative(&self) -> bool {
        matches!(
            self,
            StrategyKind::Cooperative { .. } | StrategyKind::Processes { inner: InnerKind::Cooperative { .. }, .. }
        )
    }

    /// CPython's default `sys.getswitchinterval()`: 5 ms.
    pub const DEFAULT_SWITCH_INTERVAL: SimDuration = SimDuration::from_millis(5);
}

/// The 99th-percentile z-score of the standard normal distribution.
pub const Z_P99: f64 = 2.326_347_874_040_841;

/// A distribution of durations. Parameters are in nanoseconds.
#[derive(Clone, Debug, PartialEq)]
pub enum Dist {
    /// Always the same duration; draws no randomness.
    Constant(SimDuration),
    /// Uniform over `[min, max]`, inclusive, to the nanosecond.
    Uniform { min: SimDuration, max: SimDuration },
    /// Exponential with the given mean.
    Exponential { mean_ns: f64 },
    /// Normal, truncated at zero by resampling (negative draws are redrawn;
    /// after a bounded number of tries the draw is clamped to zero).
    Normal { mean_ns: f64, stddev_ns: f64 },
    /// Log-normal: `exp(mu + sigma * Z)` nanoseconds.
    LogNormal { mu: f64, sigma: f64 },
    /// Pareto with shape `alpha`, bounded to `[min, max]`.
    BoundedPareto { min_ns: f64, max_ns: f64, alpha: f64 },
    /// One of the listed samples, each equally likely.
    Empirical(Box<[SimDuration]>),
    /// Task k of its class takes the k-th value, cyclically; draws no
    /// randomness. Steps only (R-SEQUENCE).
    Sequence(Box<[SimDuration]>),
}

impl Dist {
    /// A log-normal whose median and 99th percentile are given.
    pub fn lognormal_from_median_p99(median: SimDuration, p99: SimDuration) -> Dist {
        let mu = libm::log(median.as_nanos() as f64);
        let sigma = (libm::log(p99.as_nanos() as f64) - mu) / Z_P99;
        Dist::LogNormal { mu, sigma }
    }

    /// A log-normal with the given mean and standard deviation.
    pub fn lognormal_from_mean_stddev(mean: SimDuration, stddev: SimDuration) -> Dist {
        let m = mean.as_nanos() as f64;
        let s = stddev.as_nanos() as f64;
        let sigma2 = libm::log1p((s * s) / (m * m));
        Dist::LogNormal { mu: libm::log(m) - sigma2 / 2.0, sigma: libm::sqrt(sigma2) }
    }

    /// True when sampling needs no randomness (and no task index).
    pub fn is_constant(&self) -> bool {
        matches!(self, Dist::Constant(_))
    }

    /// True when every draw is exactly zero.
    pub fn always_zero(&self) -> bool {
        match self {
            Dist::Constant(d) => d.is_zero(),
            Dist::Uniform { max, .. } => max.is_zero(),
            Dist::Normal { mean_ns, stddev_ns } => *mean_ns == 0.0 && *stddev_ns == 0.0,
            Dist::Empirical(samples) | Dist::Sequence(samples) => samples.iter().all(|d| d.is_zero()),
            Dist::Exponential { .. } | Dist::LogNormal { .. } | Dist::BoundedPareto { .. } => false,
        }
    }
}

impl StepKind {
    /// The programs nested directly in this step (a gather's branches, the
    /// body of a spawn, timeout, limit, ...), for walks over a whole program
    /// tree. Exhaustive on purpose: a new step kind with a body must say so
    /// here, or every walk (queue users, estimates) would skip it.
    pub fn programs(&self) -> Vec<&[Step]> {
        match self {
            StepKind::Io { .. }
            | StepKind::Call { .. }
            | StepKind::Cpu(_)
            | StepKind::Sleep(_)
            | StepKind::Blocking(_)
            | StepKind::Join { .. }
            | StepKind::Put(_)
            | StepKind::Get(_) => Vec::new(),
            StepKind::Gather(branches, _) | StepKind::GatherUntil { branches, .. } => {
                branches.iter().map(|b| b.program.as_slice()).collect()
            }
            StepKind::Spawn { program, .. }
            | StepKind::SpawnDetached { program, .. }
            | StepKind::Timeout { program, .. }
            | StepKind::Limit { program, .. }
            | StepKind::ToThread(program)
            | StepKind::Retry { program, .. }
            | StepKind::Repeat { program, .. } => vec![program.as_slice()],
            StepKind::Choose(branches) => branches.iter().map(|b| b.program.as_slice()).collect(),
            StepKind::Hedge { programs, .. } => programs.iter().map(Vec::as_slice).collect(),
            StepKind::Try { program, except, .. } => {
                std::iter::once(program.as_slice()).chain(except.as_deref()).collect()
            }
        }
    }
}

/// Which end of a queue a step uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueUse {
    Put,
    Get,
}

/// The queues a program's steps put into (or get from) at any depth, in
/// program order, repeats included.
pub fn queues_used(steps: &[Step], end: QueueUse) -> Vec<QueueId> {
    fn walk(steps: &[Step], end: QueueUse, out: &mut Vec<QueueId>) {
        for step in steps {
            match (&step.kind, end) {
                (StepKind::Put(q), QueueUse::Put) | (StepKind::Get(q), QueueUse::Get) => out.push(*q),
                (kind, _) => kind.programs().into_iter().for_each(|program| walk(program, end, out)),
            }
        }
    }
    let mut out = Vec::new();
    walk(steps, end, &mut out);
    out
}

/// True when a program takes no virtual time whatever is drawn: every step
/// on every path is always zero.
pub fn takes_no_time(steps: &[Step]) -> bool {
    steps.iter().all(|step| match &step.kind {
        StepKind::Io { transfer: Some(_), .. } | StepKind::Call { .. } => false,
        StepKind::Io { duration: d, .. } | StepKind::Cpu(d) | StepKind::Sleep(d) | StepKind::Blocking(d) => {
            d.always_zero()
        }
        StepKind::Gather(branches, _) => branches.iter().all(|b| takes_no_time(&b.program)),
        StepKind::Spawn { program, .. }
        | StepKind::Timeout { program, .. }
        | StepKind::Limit { program, .. }
        | StepKind::ToThread(program) => takes_no_time(program),
        StepKind::Join { .. } | StepKind::Put(_) | StepKind::Get(_) => true,
        StepKind::SpawnDetached { program, .. } => takes_no_time(program),
        StepKind::Hedge { programs, .. } => programs.iter().all(|p| takes_no_time(p)),
        StepKind::GatherUntil { branches, .. } => branches.iter().all(|b| takes_no_time(&b.program)),
        StepKind::Try { program, except, .. } => {
            takes_no_time(program) && except.as_ref().is_none_or(|e| takes_no_time(e))
        }
        StepKind::Retry { program, retry, .. } => {
            takes_no_time(program) && (retry.attempts == 1 || retry.max_backoff.min(retry.backoff).is_zero())
        }
        StepKind::Repeat { program, times } => times.max() == 0 || takes_no_time(program),
        StepKind::Choose(branches) => branches.iter().all(|b| takes_no_time(&b.program)),
    })
}
