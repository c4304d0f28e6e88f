//! What a runtime profile costs the engine (docs/model.md, R-RUNTIME-*).
//!
//! The profile's constants become integer durations here, once per run.
//! Overheads are CPU work on the thread that pays them: the event loop's
//! (coroutine creation, each resume, the garbage collector's share) occupy
//! the loop like a `cpu` step; a thread's wake-up needs a CPU slot (the GIL,
//! if the strategy has one). Timer slack lengthens `sleep` steps only, by a
//! constant and a part that grows with the duration asked. A process
//! pool's parent starts its workers and hands them tasks one at a time. A
//! producer makes open-loop arrivals (R-PRODUCER).
//!
//! Invariant: with the `ideal` profile `active` is false and the engine takes
//! none of these paths, so it pops exactly the events it did before profiles
//! existed.

use crate::model::Runtime;
use crate::model::runtime::index;
use crate::time::{SimDuration, SimTime};

/// A run's overheads, in nanoseconds.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Overheads {
    /// Some time constant is non-zero.
    pub active: bool,
    pub task_create: SimDuration,
    pub loop_step: SimDuration,
    /// Per 1000 live coroutines, added to each creation and each step.
    pub gc_per_1000_live: u64,
    pub timer_slack_loop: SimDuration,
    pub timer_slack_thread: SimDuration,
    /// Added slack per second of sleep asked (ns per s).
    pub timer_slack_loop_per_s: u64,
    pub timer_slack_thread_per_s: u64,
    pub thread_start: SimDuration,
    pub context_switch: SimDuration,
    pub gil_handoff: SimDuration,
    pub pool_start: SimDuration,
    pub process_start: SimDuration,
    pub process_dispatch: SimDuration,
    /// The producer's CPU per arrival; 0: arrivals need no producer
    /// (R-PRODUCER).
    pub producer_step: SimDuration,
    /// The selector's timeout granularity; 0: loop timers are not rounded
    /// (R-LOOP-SELECT).
    pub loop_timeout_resolution: SimDuration,
}

impl Overheads {
    pub fn of(runtime: &Runtime) -> Overheads {
        Overheads {
            active: !runtime.is_ideal(),
            task_create: runtime.duration(index::TASK_CREATE),
            loop_step: runtime.duration(index::LOOP_STEP),
            gc_per_1000_live: runtime.values[index::GC_PER_1000_LIVE],
            timer_slack_loop: runtime.duration(index::TIMER_SLACK_LOOP),
            timer_slack_thread: runtime.duration(index::TIMER_SLACK_THREAD),
            timer_slack_loop_per_s: runtime.values[index::TIMER_SLACK_LOOP_PER_S],
            timer_slack_thread_per_s: runtime.values[index::TIMER_SLACK_THREAD_PER_S],
            thread_start: runtime.duration(index::THREAD_START),
            context_switch: runtime.duration(index::CONTEXT_SWITCH),
            gil_handoff: runtime.duration(index::GIL_HANDOFF),
            pool_start: runtime.duration(index::POOL_START),
            process_start: runtime.duration(index::PROCESS_START),
            process_dispatch: runtime.duration(index::PROCESS_DISPATCH),
            producer_step: runtime.duration(index::PRODUCER_STEP),
            loop_timeout_resolution: runtime.duration(index::LOOP_TIMEOUT_RESOLUTION),
        }
    }

    /// The garbage collector's share of one loop operation with `live`
    /// coroutines alive: `gc_per_1000_live × live / 1000`, rounded down.
    pub fn gc(&self, live: u64) -> SimDuration {
        SimDuration::from_nanos(((u128::from(self.gc_per_1000_live) * u128::from(live)) / 1000) as u64)
    }

    /// Loop CPU to create one coroutine with `live` alive (itself included).
    pub fn creation(&self, live: u64) -> SimDuration {
        self.task_create + self.gc(live)
    }

    /// How late a `sleep` of `asked` wakes (R-RUNTIME-SLACK): `slack +
    /// per_s × asked / 1 s`, rounded down to the nanosecond, on the loop or
    /// on a thread.
    pub fn timer_slack(&self, asked: SimDuration, on_loop: bool) -> SimDuration {
        let (base, per_s) = match on_loop {
            true => (self.timer_slack_loop, self.timer_slack_loop_per_s),
            false => (self.timer_slack_thread, self.timer_slack_thread_per_s),
        };
        if per_s == 0 {
            return base;
        }
        let growth = (u128::from(per_s) * u128::from(asked.as_nanos())) / 1_000_000_000;
        base + SimDuration::from_nanos(u64::try_from(growth).unwrap_or(u64::MAX))
    }

    /// The timeout an idle loop passes to its selector to wait `wait` for
    /// its next timer: `wait` rounded up to `loop_timeout_resolution`, as
    /// `selectors.EpollSelector.select` rounds it to epoll's millisecond
    /// (R-LOOP-SELECT).
    pub fn select_timeout(&self, wait: SimDuration) -> SimDuration {
        let resolution = self.loop_timeout_resolution.as_nanos();
        match resolution {
            0 => wait,
            r => SimDuration::from_nanos(wait.as_nanos().div_ceil(r).saturating_mul(r)),
        }
    }

    /// Loop CPU to resume one coroutine with `live` alive.
    pub fn step(&self, live: u64) -> SimDuration {
        self.loop_step + self.gc(live)
    }
}

/// The serial start of a pool's worker threads: `ThreadPoolExecutor`
/// starts a thread in `submit` when no idle one exists, one after another.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct ThreadStarter {
    /// Threads started so far.
    pub started: u32,
    /// When the submitting thread is free to start the next one.
    pub free_at: SimTime,
}

impl ThreadStarter {
    /// A task needs a thread when `busy` threads are taken: if that is
    /// more than have been started, start one and say when it is ready.
    pub fn start_if_needed(&mut self, now: SimTime, busy: u32, cost: SimDuration) -> Option<SimTime> {
        if busy <= self.started || cost.is_zero() {
            return None;
        }
        self.started += 1;
        self.free_at = self.free_at.max(now) + cost;
        Some(self.free_at)
    }
}

/// A process pool's parent starting its workers and handing them tasks
/// (R-PROCESS-POOL). `multiprocessing.Pool.__init__` starts the workers one
/// after another (`_repopulate_pool_static`), so tasks are taken only from
/// `pool_start + processes × process_start`; then, in a pool of
/// single-task workers, `Pool._handle_tasks`, one thread, sends the tasks
/// one at a time (each pickled and written to the workers' shared pipe),
/// so each task reaches its worker `process_dispatch` after the one before
/// it, or after its own arrival if the parent was idle. Processes that run
/// a loop or a thread pool of their own (a server's workers) take their
/// requests themselves: only the start applies.
///
/// Invariant: every process of a run sees every open-loop arrival, so each
/// keeps the same chain and a task's dispatch time is the same in all.
#[derive(Clone, Copy, Debug)]
pub(super) struct Dispatcher {
    /// When the parent is free to send the next task.
    free_at: SimTime,
    cost: SimDuration,
}

impl Dispatcher {
    /// The parent of `processes` (which it `sends` tasks to, one at a time,
    /// or not), or `None` when it costs nothing.
    pub fn of(overheads: &Overheads, processes: u32, sends: bool) -> Option<Dispatcher> {
        let starts = overheads.process_start.as_nanos().saturating_mul(u64::from(processes));
        let ready = overheads.pool_start + SimDuration::from_nanos(starts);
        let cost = if sends { overheads.process_dispatch } else { SimDuration::ZERO };
        (!ready.is_zero() || !cost.is_zero()).then_some(Dispatcher { free_at: SimTime::ZERO + ready, cost })
    }

    /// A task arriving at `now` is sent: when its worker has it.
    pub fn send(&mut self, now: SimTime) -> SimTime {
        self.free_at = self.free_at.max(now) + self.cost;
        self.free_at
    }
}
