//! How the engine reports what happens: the [`Observer`] trait.
//!
//! The engine knows nothing of histograms, files or formats. It calls an
//! observer at each task's end (and, when asked, at every traced moment);
//! the metrics stage implements the trait. Calls arrive in virtual-time
//! order, and the same run makes the same calls in the same order.

use crate::time::SimTime;

/// How a task ended. Every arrived task ends exactly once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    Completed,
    /// An io step failed.
    Failed,
    /// A timeout expired.
    TimedOut,
    /// A `limit` found its pool full and the pool rejects instead of
    /// queueing (`when_full: reject`).
    Rejected,
    /// Still in flight at the horizon.
    Cancelled,
}

/// One task's life, delivered when it ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskRecord {
    /// Index of the task's class in the scenario.
    pub class: u16,
    /// The task's number within its class, in arrival order.
    pub index: u64,
    pub arrived: SimTime,
    /// When its first step began; `None` if it never started.
    pub started: Option<SimTime>,
    pub ended: SimTime,
    pub outcome: Outcome,
}

/// A moment in a task's life, for `--trace` timelines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceEvent {
    pub time: SimTime,
    /// The task's number among all tasks, in arrival order; or, for a
    /// queue worker between two items (no task then), [`IDLE_WORKER`]
    /// with the worker's ordinal within its class in the low bits
    /// ([`idle_worker`]).
    ///
    /// [`IDLE_WORKER`]: TraceEvent::IDLE_WORKER
    /// [`idle_worker`]: TraceEvent::idle_worker
    pub task: u64,
    pub class: u16,
    pub what: TraceWhat,
}

impl TraceEvent {
    /// The flag of [`task`](TraceEvent::task) marking an idle queue worker
    /// (above any task number).
    pub const IDLE_WORKER: u64 = 1 << 63;

    /// The ordinal within its class (0 for the first) of the idle queue
    /// worker this event is about, if it is about one.
    pub fn idle_worker(&self) -> Option<u64> {
        (self.task & TraceEvent::IDLE_WORKER != 0).then_some(self.task & !TraceEvent::IDLE_WORKER)
    }
}

/// What happened. `pc` names the op (its label or kind, via the compiled
/// workload).
///
/// Together these say, for each task, what it is doing at every moment
/// (queued, on the CPU or the loop, awaiting I/O, in a blocking call,
/// waiting for a permit, ready for the loop): the timeline recorder of the
/// metrics stage (`metrics::timeline`) rebuilds charts from them alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceWhat {
    Arrived,
    /// Waiting for a worker thread or for admission to the loop.
    Queued,
    /// Cooperative: a coroutine of the task joined the loop's ready queue (a
    /// new task admitted, an awaited operation done, a permit granted, a
    /// gathered or spawned child created); it runs when the loop reaches it
    /// (`Started` for a task's first run, else `Resumed`). The text trace
    /// omits it: the `Ended` or `Acquired` before it says the same.
    Ready,
    Started,
    /// A step began; `duration` is its sampled length where it has one.
    Began {
        pc: u32,
        duration: Option<u64>,
    },
    /// The coroutine yields to the loop while this step is pending.
    Awaiting {
        pc: u32,
    },
    /// The step's operation completed.
    Ended {
        pc: u32,
    },
    /// The `limit` at `pc` got its permit: at once, or (after `Began`, and
    /// under cooperative `Awaiting`) when another holder returned one.
    Acquired {
        pc: u32,
    },
    /// The event loop resumed the coroutine.
    Resumed,
    /// The task ended so.
    Finished(Outcome),
}

/// A shared resource whose occupancy the engine reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Resource {
    /// The CPU slots (cores, or the GIL / the event loop's one thread).
    Cpu,
    /// A link of the scenario, by index.
    Link(u16),
    /// A service of the scenario, by index: `busy` of `concurrency` servers.
    Service(u16),
}

/// What happened to a `call` attempt at a service (docs/model.md R-CALL-*).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallEvent {
    /// An attempt arrived; `retry` is false for a call's first attempt.
    Attempt { retry: bool },
    /// The rate limiter turned the attempt away.
    Rejected,
    /// A server took the request after it waited `wait` in the queue.
    Started { wait: crate::time::SimDuration },
    /// A server finished the request; `abandoned`: its client had already
    /// given up (wasted work).
    Served { failed: bool, abandoned: bool },
    /// The client gave up on a pending attempt (its timeout, or its task
    /// was cancelled).
    Abandoned,
    /// A retry was refused by the service's retry budget.
    BudgetExhausted,
}

/// A resource's occupancy changed at `time`: from then on `busy` of its
/// `capacity` units are in use. For a link, `busy` is the number of
/// transfers sharing it (the link is fully used whenever it is ≥ 1, so its
/// `capacity` is 1) and `bytes` the payload of transfers that ended at this
/// change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResourceChange {
    pub time: SimTime,
    pub resource: Resource,
    pub busy: u32,
    pub capacity: u32,
    pub bytes: u64,
}

/// What happened at a work queue (scenarios with queues only,
/// docs/model.md R-QUEUE-*).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueEvent {
    /// An item was put; the queue now holds `len` items.
    Put { len: u64 },
    /// An item was got after it waited `waited` in the queue, which now
    /// holds `len` items.
    Got { len: u64, waited: crate::time::SimDuration },
    /// A producer waiting on the full queue was woken after `blocked`.
    Unblocked { blocked: crate::time::SimDuration },
}

/// A [`QueueEvent`] at `time` at queue `queue` (its index in the scenario).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueChange {
    pub time: SimTime,
    pub queue: u16,
    pub event: QueueEvent,
}

/// Receives the engine's reports. Every method has a do-nothing default.
pub trait Observer {
    /// A task ended (completed, failed, timed out or was cancelled).
    fn task_ended(&mut self, _record: &TaskRecord) {}

    /// Cooperative only: a ready coroutine waited `lag` for the loop.
    fn loop_lag(&mut self, _lag: crate::time::SimDuration) {}

    /// Whether to report [`ResourceChange`]s (checked once per run; the
    /// engine reports them only for scenarios with links).
    fn resources(&self) -> bool {
        false
    }

    /// A resource's occupancy changed (see [`ResourceChange`]). Calls come
    /// in time order, at most one per resource per event.
    fn resource(&mut self, _change: &ResourceChange) {}

    /// A `call` attempt at service `service` reached a milestone (scenarios
    /// with services only).
    fn call(&mut self, _service: u16, _event: CallEvent) {}

    /// A queue's item was put or got, or a producer unblocked (called only
    /// from queue steps: runs without queues never call it).
    fn queue(&mut self, _change: &QueueChange) {}

    /// Whether to emit [`TraceEvent`]s (checked once per run).
    fn tracing(&self) -> bool {
        false
    }

    fn trace(&mut self, _event: &TraceEvent) {}
}

/// An observer that records nothing.
impl Observer for () {}
