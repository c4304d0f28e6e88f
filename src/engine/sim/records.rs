//! The records the run loop is made of: fibers, tasks, events, ready
//! entries and the per-run state of the disciplines, pools and classes.
//! Their sizes are budgeted (`per_coroutine_records_stay_small`): a batch
//! holds one task, root fiber, ready entry and pending event per coroutine.

use crate::engine::cpu::SlotId;
use crate::engine::ids::{FiberId, RequestId, TaskId};
use crate::engine::observer::Outcome;
use crate::engine::streams::Stream;
use crate::time::SimTime;
use std::collections::VecDeque;

/// "No user": a task of an open-loop class.
pub(super) const NO_USER: u32 = u32::MAX;

/// What a fiber is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum State {
    Free,
    /// In the cooperative ready queue.
    Ready,
    /// Executing ops now.
    Running,
    /// Awaiting an io or sleep step (or, on a thread, a blocking call).
    Timer,
    /// Cooperative under a runtime profile: what it awaited outside the loop
    /// ended (io, sleep, a transfer, a call, a backoff, a `to_thread` body),
    /// and the callback that wakes it waits its turn in the ready queue
    /// (R-LOOP-CALLBACK).
    Woken,
    /// Cooperative: running a blocking call that occupies the loop.
    LoopBlocked,
    /// Running or queued for CPU.
    Cpu,
    /// Waiting for gather children (or, on a thread, a spawned program).
    Children,
    /// Waiting for the spawned program in slot `counter`.
    Join,
    /// Waiting for a timeout's body.
    Timeout,
    /// At its end, waiting for unjoined spawned programs.
    Spawned,
    /// Waiting for a permit of pool `counter`.
    Permit,
    /// Running or queued for the CPU a runtime profile charges before the
    /// fiber goes on: the loop's step (cooperative) or a thread's wake-up.
    Overhead,
    /// Threads: waiting for its new worker thread to start.
    Starting,
    /// A `to_thread` body waiting for a free worker of the loop's executor.
    Queued,
    /// Moving a payload over a link (the op at its pc says which).
    Transfer,
    /// Waiting for a `call` attempt (attempt number in `counter`).
    Call,
    /// Waiting out a `call`'s backoff before its next attempt.
    Backoff,
    /// Waiting for room in queue `counter` (R-QUEUE-PUT).
    QueuePut,
    /// Waiting for an item of queue `counter` (R-QUEUE-GET).
    QueueGet,
    /// A `try` or `retry` waiting for its body or its except program.
    Try,
    /// A `retry` waiting out its backoff before the next attempt.
    RetryWait,
}

/// A fiber whose `call` finally failed, or whose `to_thread` body raised
/// (R-TO-THREAD-FAILED), holds this plus the outcome's code (see
/// [`call_outcome`]) in `counter`, with `failing` set, until it runs and
/// raises the outcome.
pub(super) const CALL_ENDED: u32 = 0xFFFF_FF00;

pub(super) fn call_outcome(counter: u32) -> Option<Outcome> {
    match counter.checked_sub(CALL_ENDED)? {
        0 => Some(Outcome::Failed),
        1 => Some(Outcome::Rejected),
        2 => Some(Outcome::TimedOut),
        _ => None,
    }
}

pub(super) fn call_ended(outcome: Outcome) -> u32 {
    CALL_ENDED
        + match outcome {
            Outcome::Rejected => 1,
            Outcome::TimedOut => 2,
            _ => 0,
        }
}

/// Why a fiber exists, which says what its end means to its parent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Role {
    Root,
    Gather,
    Spawn(u8),
    Timeout,
    /// A `to_thread` body: on a worker thread of the loop's executor under
    /// cooperative, inline on a thread otherwise.
    Offload,
    /// A detached spawn in slot `.0` (R-SPAWN-DETACHED); with no parent
    /// once its parent has ended (or for a gather's rest left running,
    /// slot [`NO_SLOT`]): its end then tells nobody.
    Detached(u8),
    /// A child of a gather with `until` (R-GATHER-UNTIL).
    GatherUntil,
    /// A copy of a hedge (R-HEDGE).
    Hedge,
    /// The body of a `try` or `retry`: outcomes raised inside it may be
    /// caught by its parent.
    Try,
    /// A `try`'s except program (not caught by its own try).
    Except,
    /// A `repeat`'s iteration or a `choose`'s branch (R-REPEAT, R-CHOOSE):
    /// outcomes pass through it.
    Body,
    /// The producer of an open-loop class (R-PRODUCER, `producer.rs`): no
    /// task's fiber, its class in `counter`.
    Producer,
}

/// The slot of a detached fiber that no `join` can name.
pub(super) const NO_SLOT: u8 = u8::MAX;

#[derive(Clone, Copy, Debug)]
pub(super) struct Fiber {
    pub(super) pc: u32,
    pub(super) task: TaskId,
    pub(super) parent: FiberId,
    pub(super) generation: u32,
    /// Names this fiber for random draws: a hash of its path from the root.
    pub(super) instance: u64,
    /// Gather: children outstanding (cooperative) or the next child's ordinal
    /// (threads). Join: the awaited slot. Permit: the pool.
    pub(super) counter: u32,
    pub(super) spawn_live: u32,
    pub(super) spawn_done: u32,
    /// Neighbours in the task's fiber list.
    pub(super) next: FiberId,
    pub(super) prev: FiberId,
    pub(super) state: State,
    pub(super) role: Role,
    /// [`Fiber::DEADLINE_PASSED`], [`Fiber::FAILING`] and the other bits
    /// below: one byte, so that
    /// the record is 48 bytes.
    pub(super) flags: u8,
}

impl Fiber {
    pub(super) const FREE: Fiber = Fiber {
        pc: 0,
        task: TaskId::NONE,
        parent: FiberId::NONE,
        generation: 0,
        instance: 0,
        counter: 0,
        spawn_live: 0,
        spawn_done: 0,
        next: FiberId::NONE,
        prev: FiberId::NONE,
        state: State::Free,
        role: Role::Root,
        flags: 0,
    };

    /// Threads: this timeout's deadline passed while its body ran on.
    pub(super) const DEADLINE_PASSED: u8 = 1;
    /// The pending io step fails when it completes.
    pub(super) const FAILING: u8 = 2;
    /// Cooperative: the fiber spawned detached programs, which it orphans
    /// when it ends.
    pub(super) const HAS_DETACHED: u8 = 4;
    /// Threads: the task unwinds to this `try`/`retry`, which caught the
    /// outcome (R-TRY-THREADS).
    pub(super) const CATCHING: u8 = 8;
    /// This `try`/`retry` caught an outcome: when it runs next it starts its
    /// except program or its next attempt.
    pub(super) const CAUGHT: u8 = 16;
    /// Cooperative: a `put` or `get` woke this fiber, which has not looked
    /// at its queue again yet; cancelled before it does, it passes the
    /// wakeup on (R-QUEUE-HANDOFF).
    pub(super) const QUEUE_WOKEN: u8 = 32;

    #[inline]
    pub(super) fn deadline_passed(&self) -> bool {
        self.flags & Fiber::DEADLINE_PASSED != 0
    }

    #[inline]
    pub(super) fn failing(&self) -> bool {
        self.flags & Fiber::FAILING != 0
    }

    #[inline]
    pub(super) fn set_failing(&mut self, failing: bool) {
        self.flags = (self.flags & !Fiber::FAILING) | if failing { Fiber::FAILING } else { 0 };
    }
}

/// A task: 40 bytes, as a batch holds one per coroutine. The class shares a
/// word with the task's index within it (below 2^48: years of arrivals at
/// any rate the engine reaches), and three flags share one with its arrival
/// number; read them through the accessors.
#[derive(Clone, Copy, Debug)]
pub(super) struct Task {
    /// Index within the class (low 48 bits) and class (high 16).
    pub(super) index_class: u64,
    /// Arrival number (low 59 bits) and [`Task::ENDED`], [`Task::UNWINDING`],
    /// [`Task::IN_USE`], [`Task::DETACHED`], [`Task::SUBMITTED`].
    pub(super) number_flags: u64,
    pub(super) arrived: SimTime,
    /// When the task first ran; [`SimTime::NEVER`] until then (see
    /// [`Task::started`]).
    pub(super) started: SimTime,
    /// Head of the task's fiber list.
    pub(super) fibers: FiberId,
    pub(super) user: u32,
}

impl Task {
    pub(super) const FREE: Task = Task {
        index_class: 0,
        number_flags: Task::ENDED,
        arrived: SimTime::ZERO,
        started: SimTime::NEVER,
        fibers: FiberId::NONE,
        user: NO_USER,
    };

    pub(super) const INDEX_BITS: u32 = 48;
    /// Its outcome is recorded.
    pub(super) const ENDED: u64 = 1 << 63;
    /// Threads: the task has ended (failure, or a timeout whose body has
    /// finished); its fibers end instead of executing further ops.
    pub(super) const UNWINDING: u64 = 1 << 62;
    /// The slot holds a task.
    pub(super) const IN_USE: u64 = 1 << 61;
    /// Cooperative: some fiber of the task is (or was) detached; its
    /// outcome and its slot part (R-SPAWN-DETACHED).
    pub(super) const DETACHED: u64 = 1 << 60;
    /// Threads: not an arrival but a work item a fiber of the task numbered
    /// alike submitted (R-THREADS-SUBMIT, `submit.rs`).
    pub(super) const SUBMITTED: u64 = 1 << 59;
    pub(super) const NUMBER: u64 = Task::SUBMITTED - 1;

    /// A task that has just arrived.
    pub(super) fn arrived(class: u16, index: u64, number: u64, arrived: SimTime, user: u32) -> Task {
        assert!(index >> Task::INDEX_BITS == 0 && number <= Task::NUMBER, "more than 2^48 tasks in one class");
        Task {
            index_class: index | u64::from(class) << Task::INDEX_BITS,
            number_flags: number | Task::IN_USE,
            arrived,
            user,
            ..Task::FREE
        }
    }

    #[inline]
    pub(super) fn class(&self) -> u16 {
        (self.index_class >> Task::INDEX_BITS) as u16
    }

    #[inline]
    pub(super) fn index(&self) -> u64 {
        self.index_class & ((1 << Task::INDEX_BITS) - 1)
    }

    #[inline]
    pub(super) fn number(&self) -> u64 {
        self.number_flags & Task::NUMBER
    }

    #[inline]
    pub(super) fn ended(&self) -> bool {
        self.number_flags & Task::ENDED != 0
    }

    #[inline]
    pub(super) fn unwinding(&self) -> bool {
        self.number_flags & Task::UNWINDING != 0
    }

    #[inline]
    pub(super) fn detached(&self) -> bool {
        self.number_flags & Task::DETACHED != 0
    }

    #[inline]
    pub(super) fn submitted(&self) -> bool {
        self.number_flags & Task::SUBMITTED != 0
    }

    #[inline]
    pub(super) fn in_use(&self) -> bool {
        self.number_flags & Task::IN_USE != 0
    }

    /// When the task first ran, if it has.
    #[inline]
    pub(super) fn started(&self) -> Option<SimTime> {
        Some(self.started).filter(|&t| t != SimTime::NEVER)
    }
}

#[derive(Clone, Copy, Debug)]
pub(super) enum Event {
    /// The next open-loop arrival (or the whole batch) of a class.
    Arrival { class: u16 },
    /// A closed-loop user issues its next task.
    UserIssue { class: u16, user: u32 },
    /// A timer (io, sleep, blocking call on a thread) completes.
    Wake { fiber: FiberId, generation: u32 },
    /// Cooperative: a blocking call that held the loop returns.
    LoopUnblocked { fiber: FiberId, generation: u32 },
    /// A CPU slice ends.
    Slice { slot: SlotId, generation: u32 },
    /// A timeout's budget expires.
    Deadline { fiber: FiberId, generation: u32 },
    /// The head transfer of a link ends (stale unless `generation` is the
    /// link's current one).
    LinkDone { link: u16, generation: u32 },
    /// A service finished serving `request`.
    ServiceDone { service: u16, request: RequestId },
    /// A `call` attempt's client timeout.
    CallTimeout { fiber: FiberId, generation: u32 },
    /// A `call`'s backoff is over: the next attempt.
    RetryCall { fiber: FiberId, generation: u32 },
    /// Cooperative: the loop starts an iteration.
    LoopIteration,
    /// The scenario's horizon.
    Horizon,
    /// Threads: a worker thread started for the fiber's task.
    ThreadStarted { fiber: FiberId, generation: u32 },
    /// A hedge waiting at its op starts its next copy (R-HEDGE).
    HedgeNext { fiber: FiberId, generation: u32 },
    /// A `retry` step's backoff is over: its next attempt.
    RetryProgram { fiber: FiberId, generation: u32 },
    /// `processes`: the pool's parent has sent the task to its process
    /// (R-PROCESS-POOL).
    Dispatched { task: TaskId },
    /// A producer's sleep until its next arrival is over (R-PRODUCER).
    ProducerWake { fiber: FiberId, generation: u32 },
    /// Cooperative, with a selector resolution: a `sleep`'s timer (or the
    /// producer's) comes due; an idle loop sees it when its selector
    /// returns (R-LOOP-SELECT).
    LoopTimer { fiber: FiberId, generation: u32 },
    /// The idle loop's selector timeout expires (R-LOOP-SELECT).
    LoopTimeout { epoch: u32 },
}

impl From<(SlotId, u32)> for Event {
    fn from((slot, generation): (SlotId, u32)) -> Event {
        Event::Slice { slot, generation }
    }
}

/// A cooperative ready-queue entry: a coroutine to resume, or a timeout's
/// expiry to deliver (timer callbacks run on the loop too).
#[derive(Clone, Copy, Debug)]
pub(super) struct Ready {
    pub(super) fiber: FiberId,
    pub(super) generation: u32,
    /// When the coroutine became ready; [`SimTime::NEVER`] marks a timeout's
    /// expiry (which has no lag to report), keeping the entry at 16 bytes.
    pub(super) since: SimTime,
}

impl Ready {
    #[inline]
    pub(super) fn is_deadline(&self) -> bool {
        self.since == SimTime::NEVER
    }
}

/// A FIFO that is emptied completely between fillings (the fibers to run
/// now: `drain` runs until none is left): a vector and a read position,
/// reset when they meet. Cheaper than a `VecDeque`'s ring arithmetic.
#[derive(Debug, Default)]
pub(super) struct RunQueue {
    pub(super) items: Vec<FiberId>,
    pub(super) head: usize,
}

impl RunQueue {
    #[inline]
    pub(super) fn push_back(&mut self, f: FiberId) {
        self.items.push(f);
    }

    #[inline]
    pub(super) fn pop_front(&mut self) -> Option<FiberId> {
        match self.items.get(self.head) {
            Some(&f) => {
                self.head += 1;
                Some(f)
            }
            None => {
                self.items.clear();
                self.head = 0;
                None
            }
        }
    }
}

#[derive(Debug, Default)]
pub(super) struct EventLoop {
    /// Inside an iteration.
    pub(super) running: bool,
    /// A `cpu` or `blocking` step holds the loop.
    pub(super) occupied: bool,
    pub(super) iteration_scheduled: bool,
    /// Ready entries left in the current iteration.
    pub(super) batch_left: usize,
    /// Waiting in its selector: the last iteration ended with nothing
    /// ready, at `select_since` (R-LOOP-SELECT).
    pub(super) in_select: bool,
    pub(super) select_since: SimTime,
    /// Counts the selector's waits; a [`Event::LoopTimeout`] of an earlier
    /// one is stale.
    pub(super) select_epoch: u32,
    /// Loop timers that came due while the loop waited in its selector,
    /// in the order they came due: they run when the selector returns.
    pub(super) timers_due: Vec<Event>,
}

pub(super) enum Discipline {
    Cooperative { max_concurrency: Option<u32>, admitted: u32, waiting: VecDeque<TaskId> },
    Threads { workers: u32, busy: u32, waiting: VecDeque<TaskId> },
}

#[derive(Debug)]
pub(super) struct Pool {
    pub(super) available: u32,
    /// A full pool ends the asking task as rejected instead of queueing it.
    pub(super) reject: bool,
    pub(super) waiters: VecDeque<(FiberId, u32)>,
}

/// Per class: its streams, its place in the op arena, and its arrival state.
pub(super) struct ClassRun {
    pub(super) steps: Stream,
    pub(super) failures: Stream,
    pub(super) arrivals: Stream,
    pub(super) think: Stream,
    pub(super) base: u32,
    pub(super) issued: u64,
    /// Closed loop: tasks each user has issued.
    pub(super) user_rounds: Vec<u64>,
    /// Scenarios with services: the draws of `call` attempts.
    pub(super) calls: Option<Box<CallStreams>>,
    /// Scenarios with `retry` steps: their backoff jitter.
    pub(super) retry_jitter: Option<Box<Stream>>,
}

pub(super) struct CallStreams {
    pub(super) service: Stream,
    pub(super) failures: Stream,
    pub(super) jitter: Stream,
}

/// The loop's default executor: `workers` threads, a FIFO of bodies
/// waiting for one (with the generation each was queued under).
#[derive(Debug, Default)]
pub(super) struct Executor {
    pub(super) workers: u32,
    pub(super) busy: u32,
    pub(super) waiting: VecDeque<(FiberId, u32)>,
}
