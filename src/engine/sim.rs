//! The run loop: tasks, fibers, the two dispatch disciplines, and events.
//!
//! A *task* is one arrival of a class. It runs as a tree of *fibers*: the root
//! runs the class's program, and each gather branch copy, spawn and timeout
//! body is a child fiber. A fiber is a program counter plus a few integers
//! (48 bytes); fibers and tasks live in slabs whose slots are reused,
//! so a run allocates only while its peak population grows.
//!
//! Two disciplines decide who executes a runnable fiber:
//! - **cooperative**: one event loop. Woken fibers join a FIFO ready queue;
//!   the loop runs, per iteration, the fibers that were ready when the
//!   iteration began (asyncio's `_run_once`). A `cpu` or `blocking` step
//!   occupies the loop, so nothing else on it runs meanwhile.
//! - **threads** (`blocking` is one worker, `threaded` W workers): a task
//!   holds a worker thread from start to end and runs its fibers one at a
//!   time, so gather branches and spawned programs run one after another.
//!
//! Wake-ups carry the fiber's generation number; any change to a fiber
//! (another wait, cancellation, reuse of its slot) bumps it, so stale events
//! are recognised on pop and ignored rather than searched for and removed.
//!
//! Shared resources live beside the fibers: links (`link.rs`) carry the
//! payloads of `io` and `call` steps, services (`service.rs`) serve `call`
//! attempts. A fiber waiting for either is parked like any other (state
//! `Transfer`, `Call`, `Backoff`) and woken under its generation number;
//! during a call its `counter` holds the attempt number.
//!
//! Invariants:
//! - virtual time never decreases (events pop in time order);
//! - every arrived task ends exactly once (`record_outcome` is guarded), and
//!   its slot is freed only when its outcome is recorded and its last fiber
//!   is gone;
//! - a fiber holds exactly the permits [`CompiledWorkload::held_pools`] names
//!   for its pc, and returns them when it is cancelled or unwinds.

use super::cpu::{Cpu, SlotId};
use super::fifo::BlockFifo;
use super::link::Link;
use super::observer::{CallEvent, Observer, Outcome, Resource, ResourceChange, TaskRecord, TraceEvent, TraceWhat};
use super::overhead::{Overheads, ThreadStarter};
use super::prefetch::prefetch;
use super::queue::EventQueue;
use super::service::{Request, Requests, ServiceState, backoff};
use super::streams::{Purpose, Stream, mix, next_word};
use super::{EngineError, Limits, RunStats, StalledTask};
use crate::model::program::{Branch, DistId};
use crate::model::{
    Arrivals, Bound, CompiledWorkload, Dist, Jitter, Op, Scenario, Strategy, StrategyKind, Warmup, WhenFull,
};
use crate::time::{SimDuration, SimTime};
use std::collections::VecDeque;

/// "No fiber / no task / no user".
const NONE: u32 = u32::MAX;

/// What a fiber is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Free,
    /// In the cooperative ready queue.
    Ready,
    /// Executing ops now.
    Running,
    /// Awaiting an io or sleep step (or, on a thread, a blocking call).
    Timer,
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
}

/// A fiber whose `call` finally failed holds this plus the outcome's code
/// (see [`call_outcome`]) in `counter`, with `failing` set, until it runs
/// and ends its task.
const CALL_ENDED: u32 = 0xFFFF_FF00;

fn call_outcome(counter: u32) -> Option<Outcome> {
    match counter.checked_sub(CALL_ENDED)? {
        0 => Some(Outcome::Failed),
        1 => Some(Outcome::Rejected),
        2 => Some(Outcome::TimedOut),
        _ => None,
    }
}

fn call_ended(outcome: Outcome) -> u32 {
    CALL_ENDED
        + match outcome {
            Outcome::Rejected => 1,
            Outcome::TimedOut => 2,
            _ => 0,
        }
}

/// Why a fiber exists, which says what its end means to its parent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Root,
    Gather,
    Spawn(u8),
    Timeout,
    /// A `to_thread` body: on a worker thread of the loop's executor under
    /// cooperative, inline on a thread otherwise.
    Offload,
}

#[derive(Clone, Copy, Debug)]
struct Fiber {
    pc: u32,
    task: u32,
    parent: u32,
    generation: u32,
    /// Names this fiber for random draws: a hash of its path from the root.
    instance: u64,
    /// Gather: children outstanding (cooperative) or the next child's ordinal
    /// (threads). Join: the awaited slot. Permit: the pool.
    counter: u32,
    spawn_live: u32,
    spawn_done: u32,
    /// Neighbours in the task's fiber list.
    next: u32,
    prev: u32,
    state: State,
    role: Role,
    /// [`Fiber::DEADLINE_PASSED`] and [`Fiber::FAILING`]: one byte, so that
    /// the record is 48 bytes.
    flags: u8,
}

impl Fiber {
    const FREE: Fiber = Fiber {
        pc: 0,
        task: NONE,
        parent: NONE,
        generation: 0,
        instance: 0,
        counter: 0,
        spawn_live: 0,
        spawn_done: 0,
        next: NONE,
        prev: NONE,
        state: State::Free,
        role: Role::Root,
        flags: 0,
    };

    /// Threads: this timeout's deadline passed while its body ran on.
    const DEADLINE_PASSED: u8 = 1;
    /// The pending io step fails when it completes.
    const FAILING: u8 = 2;

    #[inline]
    fn deadline_passed(&self) -> bool {
        self.flags & Fiber::DEADLINE_PASSED != 0
    }

    #[inline]
    fn failing(&self) -> bool {
        self.flags & Fiber::FAILING != 0
    }

    #[inline]
    fn set_failing(&mut self, failing: bool) {
        self.flags = (self.flags & !Fiber::FAILING) | if failing { Fiber::FAILING } else { 0 };
    }
}

/// A task: 40 bytes, as a batch holds one per coroutine. The class shares a
/// word with the task's index within it (below 2^48: years of arrivals at
/// any rate the engine reaches), and three flags share one with its arrival
/// number; read them through the accessors.
#[derive(Clone, Copy, Debug)]
struct Task {
    /// Index within the class (low 48 bits) and class (high 16).
    index_class: u64,
    /// Arrival number (low 61 bits) and [`Task::ENDED`], [`Task::UNWINDING`],
    /// [`Task::IN_USE`].
    number_flags: u64,
    arrived: SimTime,
    /// When the task first ran; [`SimTime::NEVER`] until then (see
    /// [`Task::started`]).
    started: SimTime,
    /// Head of the task's fiber list.
    fibers: u32,
    user: u32,
}

impl Task {
    const FREE: Task = Task {
        index_class: 0,
        number_flags: Task::ENDED,
        arrived: SimTime::ZERO,
        started: SimTime::NEVER,
        fibers: NONE,
        user: NONE,
    };

    const INDEX_BITS: u32 = 48;
    /// Its outcome is recorded.
    const ENDED: u64 = 1 << 63;
    /// Threads: the task has ended (failure, or a timeout whose body has
    /// finished); its fibers end instead of executing further ops.
    const UNWINDING: u64 = 1 << 62;
    /// The slot holds a task.
    const IN_USE: u64 = 1 << 61;
    const NUMBER: u64 = Task::IN_USE - 1;

    /// A task that has just arrived.
    fn arrived(class: u16, index: u64, number: u64, arrived: SimTime, user: u32) -> Task {
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
    fn class(&self) -> u16 {
        (self.index_class >> Task::INDEX_BITS) as u16
    }

    #[inline]
    fn index(&self) -> u64 {
        self.index_class & ((1 << Task::INDEX_BITS) - 1)
    }

    #[inline]
    fn number(&self) -> u64 {
        self.number_flags & Task::NUMBER
    }

    #[inline]
    fn ended(&self) -> bool {
        self.number_flags & Task::ENDED != 0
    }

    #[inline]
    fn unwinding(&self) -> bool {
        self.number_flags & Task::UNWINDING != 0
    }

    #[inline]
    fn in_use(&self) -> bool {
        self.number_flags & Task::IN_USE != 0
    }

    /// When the task first ran, if it has.
    #[inline]
    fn started(&self) -> Option<SimTime> {
        Some(self.started).filter(|&t| t != SimTime::NEVER)
    }
}

#[derive(Clone, Copy, Debug)]
enum Event {
    /// The next open-loop arrival (or the whole batch) of a class.
    Arrival { class: u16 },
    /// A closed-loop user issues its next task.
    UserIssue { class: u16, user: u32 },
    /// A timer (io, sleep, blocking call on a thread) completes.
    Wake { fiber: u32, generation: u32 },
    /// Cooperative: a blocking call that held the loop returns.
    LoopUnblocked { fiber: u32, generation: u32 },
    /// A CPU slice ends.
    Slice { slot: SlotId, generation: u32 },
    /// A timeout's budget expires.
    Deadline { fiber: u32, generation: u32 },
    /// The head transfer of a link ends (stale unless `generation` is the
    /// link's current one).
    LinkDone { link: u16, generation: u32 },
    /// A service finished serving `request`.
    ServiceDone { service: u16, request: u32 },
    /// A `call` attempt's client timeout.
    CallTimeout { fiber: u32, generation: u32 },
    /// A `call`'s backoff is over: the next attempt.
    RetryCall { fiber: u32, generation: u32 },
    /// Cooperative: the loop starts an iteration.
    LoopIteration,
    /// The scenario's horizon.
    Horizon,
    /// Threads: a worker thread started for the fiber's task.
    ThreadStarted { fiber: u32, generation: u32 },
}

impl From<(SlotId, u32)> for Event {
    fn from((slot, generation): (SlotId, u32)) -> Event {
        Event::Slice { slot, generation }
    }
}

/// A cooperative ready-queue entry: a coroutine to resume, or a timeout's
/// expiry to deliver (timer callbacks run on the loop too).
#[derive(Clone, Copy, Debug)]
struct Ready {
    fiber: u32,
    generation: u32,
    /// When the coroutine became ready; [`SimTime::NEVER`] marks a timeout's
    /// expiry (which has no lag to report), keeping the entry at 16 bytes.
    since: SimTime,
}

impl Ready {
    #[inline]
    fn is_deadline(&self) -> bool {
        self.since == SimTime::NEVER
    }
}

/// A FIFO that is emptied completely between fillings (the fibers to run
/// now: `drain` runs until none is left): a vector and a read position,
/// reset when they meet. Cheaper than a `VecDeque`'s ring arithmetic.
#[derive(Debug, Default)]
struct RunQueue {
    items: Vec<u32>,
    head: usize,
}

impl RunQueue {
    #[inline]
    fn push_back(&mut self, f: u32) {
        self.items.push(f);
    }

    #[inline]
    fn pop_front(&mut self) -> Option<u32> {
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
struct EventLoop {
    /// Inside an iteration.
    running: bool,
    /// A `cpu` or `blocking` step holds the loop.
    occupied: bool,
    iteration_scheduled: bool,
    /// Ready entries left in the current iteration.
    batch_left: usize,
}

enum Discipline {
    Cooperative { max_concurrency: Option<u32>, admitted: u32, waiting: VecDeque<u32> },
    Threads { workers: u32, busy: u32, waiting: VecDeque<u32> },
}

#[derive(Debug)]
struct Pool {
    available: u32,
    /// A full pool ends the asking task as rejected instead of queueing it.
    reject: bool,
    waiters: VecDeque<(u32, u32)>,
}

/// Per class: its streams, its place in the op arena, and its arrival state.
struct ClassRun {
    steps: Stream,
    failures: Stream,
    arrivals: Stream,
    think: Stream,
    base: u32,
    issued: u64,
    /// Closed loop: tasks each user has issued.
    user_rounds: Vec<u64>,
    /// Scenarios with services: the draws of `call` attempts.
    calls: Option<Box<CallStreams>>,
}

struct CallStreams {
    service: Stream,
    failures: Stream,
    jitter: Stream,
}

pub(super) struct Sim<'a, O: Observer> {
    scenario: &'a Scenario,
    w: &'a CompiledWorkload,
    observer: &'a mut O,
    tracing: bool,
    now: SimTime,
    queue: EventQueue<Event>,
    fibers: Vec<Fiber>,
    free_fibers: Vec<u32>,
    tasks: Vec<Task>,
    free_tasks: Vec<u32>,
    pools: Vec<Pool>,
    cpu: Cpu,
    classes: Vec<ClassRun>,
    discipline: Discipline,
    event_loop: EventLoop,
    ready: BlockFifo<Ready>,
    /// Fibers to execute now, in order (threads, and the loop's current
    /// coroutine chain).
    run_now: RunQueue,
    /// Scratch for pools returned by a cancelled task.
    returned: Vec<u16>,
    stats: RunStats,
    live_fibers: u64,
    in_flight: u64,
    /// When `in_flight` last changed (the integral is up to date until then).
    in_flight_since: SimTime,
    horizon_reached: bool,
    /// The runtime profile's costs (inactive for `ideal`).
    overheads: Overheads,
    /// Cooperative: creation costs not yet charged to the loop; the next
    /// resume pays them.
    loop_debt: SimDuration,
    /// Threaded: worker threads started so far (`thread_start`).
    starter: ThreadStarter,
    /// The strategy is a pool that starts its threads (`threaded`).
    starts_threads: bool,
    /// Cooperative: the loop's default executor for `to_thread` bodies
    /// (R-TO-THREAD).
    executor: Executor,
    /// `processes`: which process this run is, of how many (R-PROCESSES);
    /// (0, 1) for a single process.
    process: (u32, u32),
    /// `processes`: arrivals of every process so far (the global arrival
    /// number).
    arrivals_seen: u64,
    /// The scenario's links (see `link.rs`).
    links: Vec<Link>,
    /// Report resource changes to the observer (scenarios with links).
    resources: bool,
    /// The CPU occupancy last reported.
    cpu_reported: u32,
    /// The scenario's services and the requests they hold (`service.rs`).
    services: Vec<ServiceState>,
    requests: Requests,
}

/// The loop's default executor: `workers` threads, a FIFO of bodies
/// waiting for one (with the generation each was queued under).
#[derive(Debug, Default)]
struct Executor {
    workers: u32,
    busy: u32,
    waiting: VecDeque<(u32, u32)>,
}

impl<'a, O: Observer> Sim<'a, O> {
    pub(super) fn new(
        scenario: &'a Scenario,
        w: &'a CompiledWorkload,
        strategy: &Strategy,
        observer: &'a mut O,
    ) -> Self {
        let cores = scenario.machine.cores;
        let (discipline, cpu) = match strategy.kind {
            StrategyKind::Blocking => {
                (Discipline::Threads { workers: 1, busy: 0, waiting: VecDeque::new() }, Cpu::new(1, None))
            }
            StrategyKind::Threaded { workers, gil, switch_interval } => {
                let slots = if gil { 1 } else { cores };
                let quantum = Some(switch_interval).filter(|_| workers > 1);
                (Discipline::Threads { workers, busy: 0, waiting: VecDeque::new() }, Cpu::new(slots, quantum))
            }
            StrategyKind::Processes { .. } => unreachable!("each process runs its inner strategy"),
            StrategyKind::Cooperative { max_concurrency } => {
                // With to_thread bodies the loop shares the GIL with worker
                // threads, switched every 5 ms; without, nothing contends.
                let offloads = w.ops.iter().any(|op| matches!(op, Op::ToThread { .. }));
                let quantum = Some(StrategyKind::DEFAULT_SWITCH_INTERVAL).filter(|_| offloads);
                (
                    Discipline::Cooperative { max_concurrency, admitted: 0, waiting: VecDeque::new() },
                    Cpu::new(1, quantum),
                )
            }
        };
        let classes = scenario
            .classes
            .iter()
            .zip(&w.class_bases)
            .map(|(class, &base)| ClassRun {
                steps: Stream::new(scenario.seed, &class.name, Purpose::Steps),
                failures: Stream::new(scenario.seed, &class.name, Purpose::Failures),
                arrivals: Stream::new(scenario.seed, &class.name, Purpose::Arrivals),
                think: Stream::new(scenario.seed, &class.name, Purpose::Think),
                base,
                issued: 0,
                user_rounds: match class.arrivals {
                    Arrivals::Closed { users, .. } => vec![0; users as usize],
                    _ => Vec::new(),
                },
                calls: (!scenario.services.is_empty()).then(|| {
                    Box::new(CallStreams {
                        service: Stream::new(scenario.seed, &class.name, Purpose::Service),
                        failures: Stream::new(scenario.seed, &class.name, Purpose::CallFailures),
                        jitter: Stream::new(scenario.seed, &class.name, Purpose::Jitter),
                    })
                }),
            })
            .collect();
        let tracing = observer.tracing();
        let resources = (!scenario.links.is_empty() || !scenario.services.is_empty()) && observer.resources();
        Sim {
            scenario,
            w,
            observer,
            tracing,
            now: SimTime::ZERO,
            queue: EventQueue::new(),
            fibers: Vec::new(),
            free_fibers: Vec::new(),
            tasks: Vec::new(),
            free_tasks: Vec::new(),
            pools: scenario
                .pools
                .iter()
                .map(|p| Pool { available: p.size, reject: p.when_full == WhenFull::Reject, waiters: VecDeque::new() })
                .collect(),
            cpu,
            classes,
            discipline,
            event_loop: EventLoop::default(),
            ready: BlockFifo::default(),
            run_now: RunQueue::default(),
            returned: Vec::new(),
            stats: RunStats {
                cores,
                window_start: Warmup::start(scenario.warmup),
                steady_state: scenario.warmup.is_some(),
                ..RunStats::default()
            },
            live_fibers: 0,
            in_flight: 0,
            in_flight_since: SimTime::ZERO,
            horizon_reached: false,
            overheads: Overheads::of(&scenario.runtime),
            loop_debt: SimDuration::ZERO,
            starter: ThreadStarter::default(),
            starts_threads: matches!(strategy.kind, StrategyKind::Threaded { .. }),
            executor: Executor { workers: StrategyKind::default_workers(scenario.machine), ..Executor::default() },
            process: (0, 1),
            arrivals_seen: 0,
            links: scenario.links.iter().map(|l| Link::new(l.bits_per_s)).collect(),
            resources,
            cpu_reported: 0,
            services: scenario.services.iter().map(ServiceState::new).collect(),
            requests: Requests::default(),
        }
    }

    /// Makes this run process `index` of `count`, whose CPU work takes
    /// `stretch.0 / stretch.1` times as long (R-PROCESSES).
    pub(super) fn in_process(mut self, index: u32, count: u32, stretch: (u64, u64)) -> Self {
        self.process = (index, count);
        self.cpu.stretch(stretch.0, stretch.1);
        self
    }

    fn cooperative(&self) -> bool {
        matches!(self.discipline, Discipline::Cooperative { .. })
    }

    /// Runs to the end: every task accounted for, the horizon, or a stall.
    pub(super) fn run(mut self, limits: Limits) -> Result<RunStats, EngineError> {
        /// Events between two looks at the interrupt flag.
        const INTERRUPT_POLL: u64 = 4096;
        self.schedule_first_arrivals();
        if let Some(h) = self.scenario.horizon {
            self.queue.push(SimTime::ZERO + h, Event::Horizon);
        }
        let max_events = limits.max_events.unwrap_or(u64::MAX);
        let max_time = limits.max_time.unwrap_or(SimTime::NEVER);
        while let Some((time, event)) = self.queue.pop_hinting(|event| {
            if let Event::Wake { fiber, .. } = *event {
                prefetch(&self.fibers, fiber as usize);
            }
        }) {
            debug_assert!(time >= self.now, "virtual time went back");
            // Past the limit, only live work trips it: stale timers of tasks
            // that already ended may pop later without meaning anything.
            let live = self.in_flight > 0 || matches!(event, Event::Arrival { .. } | Event::UserIssue { .. });
            if time > max_time && live {
                return Err(EngineError::TimeLimit { limit: max_time, in_flight: self.in_flight });
            }
            if self.stats.events >= max_events {
                return Err(EngineError::EventLimit { events: self.stats.events, at: self.now });
            }
            if self.stats.events % INTERRUPT_POLL == 0
                && limits.interrupt.is_some_and(|flag| flag.load(std::sync::atomic::Ordering::Relaxed))
            {
                return Err(EngineError::Interrupted { at: self.now });
            }
            self.now = time;
            self.stats.events += 1;
            self.handle(event);
            self.drain();
            if self.resources {
                self.report_cpu();
            }
            if self.horizon_reached {
                break;
            }
        }
        self.finish()
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::Arrival { class } => self.on_arrival(class),
            Event::UserIssue { class, user } => {
                if self.may_issue(class, self.now) {
                    self.arrive(class, user);
                }
            }
            Event::Wake { fiber, generation } => {
                if self.is_current(fiber, generation, State::Timer) {
                    self.step_done(fiber);
                    if self.overheads.active && !self.on_loop(fiber) && !self.overheads.context_switch.is_zero() {
                        self.charge(fiber, self.overheads.context_switch);
                    } else {
                        self.resume(fiber);
                    }
                }
            }
            Event::ThreadStarted { fiber, generation } => {
                if self.is_current(fiber, generation, State::Starting) {
                    self.run_fiber_now(fiber);
                }
            }
            Event::LoopUnblocked { fiber, generation } => {
                if self.is_current(fiber, generation, State::LoopBlocked) {
                    self.step_done(fiber);
                    self.continue_on_loop(fiber);
                }
            }
            Event::Slice { slot, generation } => {
                if let Some(fiber) = self.cpu.slice_ended(self.now, slot, generation, &mut self.queue) {
                    if self.fibers[fiber as usize].state == State::Overhead {
                        self.overhead_done(fiber);
                        return;
                    }
                    self.step_done(fiber);
                    if self.on_loop(fiber) {
                        self.continue_on_loop(fiber);
                    } else {
                        self.resume(fiber);
                    }
                }
            }
            Event::Deadline { fiber, generation } => {
                if self.is_current(fiber, generation, State::Timeout) {
                    if self.cooperative() {
                        // The expiry is a callback on the loop: it waits its turn.
                        self.ready.push_back(Ready { fiber, generation, since: SimTime::NEVER });
                        self.kick_loop();
                    } else {
                        self.deadline_on_thread(fiber);
                    }
                }
            }
            Event::LinkDone { link, generation } => self.on_link_done(link, generation),
            Event::ServiceDone { service, request } => self.on_service_done(service, request),
            Event::CallTimeout { fiber, generation } => {
                if self.is_current(fiber, generation, State::Call) {
                    let service = self.call_service(fiber);
                    self.observer.call(service, CallEvent::Abandoned);
                    if !self.attempt_failed(fiber, Outcome::TimedOut) {
                        self.resume(fiber);
                    }
                }
            }
            Event::RetryCall { fiber, generation } => {
                if self.is_current(fiber, generation, State::Backoff) && !self.attempt(fiber) {
                    self.resume(fiber);
                }
            }
            Event::LoopIteration => {
                self.event_loop.iteration_scheduled = false;
                self.event_loop.running = true;
                self.event_loop.batch_left = self.ready.len();
                self.loop_continue();
            }
            Event::Horizon => self.on_horizon(),
        }
    }

    fn is_current(&self, fiber: u32, generation: u32, state: State) -> bool {
        let f = &self.fibers[fiber as usize];
        f.generation == generation && f.state == state
    }

    // ----- arrivals -------------------------------------------------------

    fn schedule_first_arrivals(&mut self) {
        for (c, class) in self.scenario.classes.iter().enumerate() {
            let class_id = c as u16;
            match &class.arrivals {
                Arrivals::Batch { .. } | Arrivals::Interval { .. } => {
                    if self.may_issue(class_id, SimTime::ZERO) {
                        self.queue.push(SimTime::ZERO, Event::Arrival { class: class_id });
                    }
                }
                Arrivals::Poisson { rate_per_s, .. } => {
                    let first = SimTime::ZERO + self.poisson_gap(c, *rate_per_s);
                    if self.may_issue(class_id, first) {
                        self.queue.push(first, Event::Arrival { class: class_id });
                    }
                }
                Arrivals::Closed { users, .. } => {
                    let (process, processes) = self.process;
                    for user in (0..*users).filter(|u| u % processes == process) {
                        self.queue.push(SimTime::ZERO, Event::UserIssue { class: class_id, user });
                    }
                }
            }
        }
    }

    fn on_arrival(&mut self, class: u16) {
        let c = class as usize;
        match &self.scenario.classes[c].arrivals {
            Arrivals::Batch { count } => {
                for _ in 0..*count {
                    self.arrive(class, NONE);
                }
            }
            Arrivals::Poisson { rate_per_s, .. } => {
                self.arrive(class, NONE);
                let next = self.now + self.poisson_gap(c, *rate_per_s);
                if self.may_issue(class, next) {
                    self.queue.push(next, Event::Arrival { class });
                }
            }
            Arrivals::Interval { every, .. } => {
                self.arrive(class, NONE);
                let next = self.now + *every;
                if self.may_issue(class, next) {
                    self.queue.push(next, Event::Arrival { class });
                }
            }
            Arrivals::Closed { .. } => unreachable!("closed-loop classes arrive through UserIssue"),
        }
    }

    #[inline]
    fn poisson_gap(&mut self, class: usize, rate_per_s: f64) -> SimDuration {
        let rng = self.classes[class].arrivals.sequential();
        Dist::Exponential { mean_ns: 1e9 / rate_per_s }.sample(&mut || next_word(rng))
    }

    /// Whether the class's bound lets a task arrive at `at`.
    fn may_issue(&self, class: u16, at: SimTime) -> bool {
        let issued = self.classes[class as usize].issued;
        match self.scenario.classes[class as usize].arrivals {
            Arrivals::Batch { count } => issued < count,
            Arrivals::Poisson { bound, .. } | Arrivals::Interval { bound, .. } | Arrivals::Closed { bound, .. } => {
                match bound {
                    Bound::Count(n) => issued < n,
                    Bound::Duration(d) => at < SimTime::ZERO + d,
                }
            }
        }
    }

    fn arrive(&mut self, class: u16, user: u32) {
        let index = self.classes[class as usize].issued;
        self.classes[class as usize].issued += 1;
        let mut number = self.stats.arrived;
        if self.process.1 > 1 {
            // Round robin by arrival number; a closed-loop user's tasks
            // stay in the user's process.
            number = self.arrivals_seen;
            self.arrivals_seen += 1;
            if user == NONE && number % u64::from(self.process.1) != u64::from(self.process.0) {
                return;
            }
        }
        self.stats.arrived += 1;
        let task = self.alloc_task(Task::arrived(class, index, number, self.now, user));
        self.integrate_in_flight();
        self.stats.last_arrival = self.now;
        self.stats.in_flight_ns_at_last_arrival = self.stats.in_flight_ns;
        self.in_flight += 1;
        self.stats.peak_in_flight = self.stats.peak_in_flight.max(self.in_flight);
        self.trace(task, TraceWhat::Arrived);
        match &mut self.discipline {
            Discipline::Threads { workers, busy, waiting } => {
                if *busy < *workers {
                    self.start_on_thread(task);
                } else {
                    waiting.push_back(task);
                    self.trace(task, TraceWhat::Queued);
                }
            }
            Discipline::Cooperative { max_concurrency, admitted, waiting } => {
                if max_concurrency.is_none_or(|m| *admitted < m) {
                    self.admit_to_loop(task);
                } else {
                    waiting.push_back(task);
                    self.trace(task, TraceWhat::Queued);
                }
            }
        }
    }

    fn start_on_thread(&mut self, task: u32) {
        if let Discipline::Threads { busy, .. } = &mut self.discipline {
            *busy += 1;
            self.stats.peak_threads = self.stats.peak_threads.max(*busy);
        }
        let root = self.new_root(task);
        if self.overheads.active && self.starts_threads {
            let Discipline::Threads { busy, .. } = self.discipline else { unreachable!("a pool runs on threads") };
            if let Some(at) = self.starter.start_if_needed(self.now, busy, self.overheads.thread_start) {
                let generation = self.park(root, State::Starting);
                self.queue.push(at, Event::ThreadStarted { fiber: root, generation });
                return;
            }
        }
        self.run_fiber_now(root);
    }

    fn admit_to_loop(&mut self, task: u32) {
        if let Discipline::Cooperative { admitted, .. } = &mut self.discipline {
            *admitted += 1;
        }
        self.stats.peak_threads = 1;
        let root = self.new_root(task);
        self.make_ready(root);
    }

    // ----- the interpreter ------------------------------------------------

    /// Executes `f`'s ops until it parks or ends.
    fn advance(&mut self, f: u32) {
        let w = self.w;
        loop {
            let Fiber { pc, task, .. } = self.fibers[f as usize];
            let failing = self.fibers[f as usize].failing();
            if self.tasks[task as usize].started().is_none() {
                self.tasks[task as usize].started = self.now;
                self.trace(task, TraceWhat::Started);
            }
            if failing {
                self.fibers[f as usize].set_failing(false);
                let outcome = match w.ops[pc as usize] {
                    Op::Call { .. } => call_outcome(self.fibers[f as usize].counter).unwrap_or(Outcome::Failed),
                    _ => Outcome::Failed,
                };
                self.end_task(task, outcome);
                if self.fibers[f as usize].state == State::Free {
                    return;
                }
                continue;
            }
            if self.tasks[task as usize].unwinding() {
                self.finish_fiber(f);
                return;
            }
            match w.ops[pc as usize] {
                Op::Io { dist, fail } => {
                    let d = self.sample(f, dist);
                    let failing = fail > 0.0 && self.draw_failure(f, fail);
                    self.fibers[f as usize].set_failing(failing);
                    self.begin(f, Some(d));
                    self.wait_timer(f, d);
                    return;
                }
                Op::Transfer { link, bytes } => {
                    self.begin(f, None);
                    let generation = self.park(f, State::Transfer);
                    self.links[link as usize].start(self.now, f, generation, bytes);
                    self.link_changed(link, 0);
                    self.awaiting(f);
                    return;
                }
                Op::Call { .. } => {
                    self.begin(f, None);
                    self.fibers[f as usize].counter = 1;
                    if self.attempt(f) {
                        self.awaiting(f);
                        return;
                    }
                    // Rejected at once, no retry left: `failing` is set.
                }
                Op::Sleep { dist } => {
                    let d = self.sample(f, dist);
                    self.begin(f, Some(d));
                    let slack = if self.on_loop(f) {
                        self.overheads.timer_slack_loop
                    } else {
                        self.overheads.timer_slack_thread
                    };
                    self.wait_timer(f, d + slack);
                    return;
                }
                Op::Blocking { dist } => {
                    let d = self.sample(f, dist);
                    self.begin(f, Some(d));
                    if self.on_loop(f) {
                        self.event_loop.occupied = true;
                        let generation = self.park(f, State::LoopBlocked);
                        self.queue.push(self.now + d, Event::LoopUnblocked { fiber: f, generation });
                    } else {
                        self.wait_timer(f, d);
                    }
                    return;
                }
                Op::Cpu { dist } => {
                    let d = self.sample(f, dist);
                    self.begin(f, Some(d));
                    if d.is_zero() {
                        self.step_done(f);
                        continue;
                    }
                    if self.on_loop(f) {
                        self.event_loop.occupied = true;
                    }
                    self.park(f, State::Cpu);
                    self.cpu.request(self.now, f, d, &mut self.queue);
                    return;
                }
                Op::Gather { first, len, children } => {
                    self.begin(f, None);
                    self.park(f, State::Children);
                    if self.cooperative() {
                        self.fibers[f as usize].counter = children;
                        let mut ordinal = 0;
                        for b in first..first + len {
                            let Branch { program, copies } = w.branches[b as usize];
                            for _ in 0..copies {
                                let child = self.new_child(f, program, Role::Gather, ordinal);
                                self.make_ready(child);
                                ordinal += 1;
                            }
                        }
                        self.awaiting(f);
                    } else {
                        self.fibers[f as usize].counter = 0;
                        self.start_gather_child(f);
                    }
                    return;
                }
                Op::Spawn { slot, program } => {
                    self.begin(f, None);
                    let child = self.new_child(f, program, Role::Spawn(slot), u32::from(slot));
                    if self.cooperative() {
                        self.fibers[f as usize].spawn_live |= 1 << slot;
                        self.make_ready(child);
                        self.fibers[f as usize].pc += 1;
                        continue;
                    }
                    // On a thread the spawned program runs to its end first.
                    self.park(f, State::Children);
                    self.run_fiber_now(child);
                    return;
                }
                Op::Join { slot } => {
                    if self.fibers[f as usize].spawn_done & (1 << slot) != 0 {
                        self.fibers[f as usize].pc += 1;
                        continue;
                    }
                    self.begin(f, None);
                    self.park(f, State::Join);
                    self.fibers[f as usize].counter = u32::from(slot);
                    self.awaiting(f);
                    return;
                }
                Op::Timeout { after, program } => {
                    self.begin(f, Some(after));
                    let generation = self.park(f, State::Timeout);
                    self.queue.push(self.now + after, Event::Deadline { fiber: f, generation });
                    let child = self.new_child(f, program, Role::Timeout, 0);
                    self.run_fiber_now(child);
                    return;
                }
                Op::Acquire { pool } => {
                    self.begin(f, None);
                    let p = &mut self.pools[pool as usize];
                    if p.available > 0 {
                        p.available -= 1;
                        self.trace_fiber(f, TraceWhat::Acquired { pc });
                        self.fibers[f as usize].pc += 1;
                        continue;
                    }
                    if p.reject {
                        // Like a failure: the whole task ends now.
                        self.end_task(task, Outcome::Rejected);
                        if self.fibers[f as usize].state == State::Free {
                            return;
                        }
                        continue;
                    }
                    let generation = self.park(f, State::Permit);
                    self.fibers[f as usize].counter = u32::from(pool);
                    self.pools[pool as usize].waiters.push_back((f, generation));
                    self.awaiting(f);
                    return;
                }
                Op::Release { pool } => {
                    self.trace_fiber(f, TraceWhat::Ended { pc });
                    self.release(pool);
                    self.fibers[f as usize].pc += 1;
                }
                Op::End => {
                    self.finish_fiber(f);
                    return;
                }
                Op::ToThread { program } => {
                    self.begin(f, None);
                    self.park(f, State::Children);
                    let child = self.new_child(f, program, Role::Offload, 0);
                    if self.cooperative() {
                        self.awaiting(f);
                        self.submit_to_executor(child);
                    } else {
                        self.run_fiber_now(child);
                    }
                    return;
                }
            }
        }
    }

    /// Draws a step duration for the op at `f`'s pc.
    fn sample(&mut self, f: u32, dist: DistId) -> SimDuration {
        let dist = &self.w.dists[dist as usize];
        if let Dist::Constant(d) = dist {
            return *d;
        }
        let (task_index, class, site) = self.draw_site(f);
        let rng = self.classes[class].steps.at(task_index, site);
        dist.sample(&mut || next_word(rng))
    }

    fn draw_failure(&mut self, f: u32, probability: f64) -> bool {
        let (task_index, class, site) = self.draw_site(f);
        let word = next_word(self.classes[class].failures.at(task_index, site));
        ((word >> 11) as f64 / (1u64 << 53) as f64) < probability
    }

    /// (task index within class, class, site) naming the draw at `f`'s pc.
    fn draw_site(&self, f: u32) -> (u64, usize, u64) {
        let fiber = &self.fibers[f as usize];
        let task = &self.tasks[fiber.task as usize];
        let class = task.class() as usize;
        let offset = fiber.pc - self.classes[class].base;
        (task.index(), class, mix(fiber.instance, u64::from(offset)))
    }

    fn park(&mut self, f: u32, state: State) -> u32 {
        let fiber = &mut self.fibers[f as usize];
        fiber.state = state;
        fiber.generation = fiber.generation.wrapping_add(1);
        fiber.generation
    }

    fn wait_timer(&mut self, f: u32, d: SimDuration) {
        let generation = self.park(f, State::Timer);
        self.queue.push(self.now + d, Event::Wake { fiber: f, generation });
        self.awaiting(f);
    }

    /// The op at `f`'s pc completed: trace it and move on.
    fn step_done(&mut self, f: u32) {
        let pc = self.fibers[f as usize].pc;
        self.trace_fiber(f, TraceWhat::Ended { pc });
        self.fibers[f as usize].pc += 1;
    }

    /// Makes a woken fiber runnable: on the loop's ready queue, or at once on
    /// its thread.
    fn resume(&mut self, f: u32) {
        if self.on_loop(f) {
            self.make_ready(f);
        } else {
            self.run_fiber_now(f);
        }
    }

    fn run_fiber_now(&mut self, f: u32) {
        self.fibers[f as usize].state = State::Running;
        self.run_now.push_back(f);
    }

    fn drain(&mut self) {
        while let Some(f) = self.run_now.pop_front() {
            if self.fibers[f as usize].state == State::Running {
                self.advance(f);
            }
        }
    }

    // ----- the event loop (cooperative) -----------------------------------

    fn make_ready(&mut self, f: u32) {
        let fiber = &mut self.fibers[f as usize];
        fiber.state = State::Ready;
        self.ready.push_back(Ready { fiber: f, generation: fiber.generation, since: self.now });
        self.trace_fiber(f, TraceWhat::Ready);
        self.kick_loop();
    }

    /// Schedules a loop iteration now unless one is running or due.
    fn kick_loop(&mut self) {
        if !self.event_loop.running && !self.event_loop.iteration_scheduled {
            self.event_loop.iteration_scheduled = true;
            self.queue.push(self.now, Event::LoopIteration);
        }
    }

    /// The loop's current coroutine finished a `cpu` or `blocking` step: it
    /// continues without yielding, then the iteration goes on.
    fn continue_on_loop(&mut self, f: u32) {
        self.event_loop.occupied = false;
        self.run_fiber_now(f);
        self.drain();
        self.loop_continue();
    }

    /// Runs the rest of the current iteration until it ends or a step
    /// occupies the loop.
    fn loop_continue(&mut self) {
        while !self.event_loop.occupied {
            if self.event_loop.batch_left == 0 {
                self.event_loop.running = false;
                if !self.ready.is_empty() {
                    self.kick_loop();
                }
                return;
            }
            self.event_loop.batch_left -= 1;
            self.prefetch_ready();
            let Some(item) = self.ready.pop_front() else {
                self.event_loop.batch_left = 0;
                continue;
            };
            let f = item.fiber;
            if item.is_deadline() {
                if self.is_current(f, item.generation, State::Timeout) {
                    let task = self.fibers[f as usize].task;
                    self.end_task(task, Outcome::TimedOut);
                }
            } else if self.is_current(f, item.generation, State::Ready) {
                self.observer.loop_lag(self.now - item.since);
                if self.overheads.active {
                    let cost = self.overheads.step(self.live_fibers) + std::mem::take(&mut self.loop_debt);
                    if !cost.is_zero() {
                        self.event_loop.occupied = true;
                        self.charge(f, cost);
                        continue;
                    }
                }
                // A task's first run is traced as `Started`, not as resumed.
                // Untraced runs do not load the task record here.
                if self.tracing && self.tasks[self.fibers[f as usize].task as usize].started().is_some() {
                    self.trace_fiber(f, TraceWhat::Resumed);
                }
                self.run_fiber_now(f);
                self.drain();
            }
        }
    }

    /// True when `f` runs on the event loop: a coroutine under cooperative,
    /// not a `to_thread` body on an executor worker.
    #[inline]
    fn on_loop(&self, f: u32) -> bool {
        self.cooperative() && self.fibers[f as usize].role != Role::Offload
    }

    /// Cooperative: a `to_thread` body takes a free executor worker, else
    /// waits in FIFO order (R-TO-THREAD).
    fn submit_to_executor(&mut self, child: u32) {
        if self.executor.busy >= self.executor.workers {
            let generation = self.park(child, State::Queued);
            self.executor.waiting.push_back((child, generation));
            return;
        }
        self.executor.busy += 1;
        self.stats.peak_threads = self.stats.peak_threads.max(1 + self.executor.busy);
        if self.overheads.active
            && let Some(at) = self.starter.start_if_needed(self.now, self.executor.busy, self.overheads.thread_start)
        {
            let generation = self.park(child, State::Starting);
            self.queue.push(at, Event::ThreadStarted { fiber: child, generation });
            return;
        }
        self.run_fiber_now(child);
    }

    /// An executor worker is free: the next live queued body takes it.
    fn executor_done(&mut self) {
        self.executor.busy -= 1;
        while let Some((f, generation)) = self.executor.waiting.pop_front() {
            if self.is_current(f, generation, State::Queued) {
                self.submit_to_executor(f);
                return;
            }
        }
    }

    /// `f` needs `cost` of CPU before it goes on (R-RUNTIME-STEP,
    /// R-RUNTIME-SWITCH): on the loop, which it occupies, or on its thread.
    fn charge(&mut self, f: u32, cost: SimDuration) {
        self.park(f, State::Overhead);
        self.cpu.request(self.now, f, cost, &mut self.queue);
    }

    /// The CPU a profile charged `f` is spent: it resumes (on the loop,
    /// which it holds, or on its thread).
    fn overhead_done(&mut self, f: u32) {
        if self.on_loop(f) {
            let task = self.fibers[f as usize].task;
            if self.tasks[task as usize].started().is_some() {
                self.trace_fiber(f, TraceWhat::Resumed);
            }
            self.continue_on_loop(f);
        } else {
            self.run_fiber_now(f);
        }
    }

    /// Starts loading the fiber records of coroutines a little ahead in the
    /// ready queue, and the task records of those nearer (their fibers,
    /// prefetched earlier, say which task). See `prefetch.rs`.
    #[inline]
    fn prefetch_ready(&self) {
        /// Ready entries ahead whose fiber, and whose task, to prefetch.
        const FIBER_AHEAD: usize = 12;
        const TASK_AHEAD: usize = 6;
        if let Some(ahead) = self.ready.get(FIBER_AHEAD) {
            prefetch(&self.fibers, ahead.fiber as usize);
        }
        if let Some(ahead) = self.ready.get(TASK_AHEAD) {
            prefetch(&self.tasks, self.fibers[ahead.fiber as usize].task as usize);
        }
    }

    // ----- fibers ---------------------------------------------------------

    fn new_root(&mut self, task: u32) -> u32 {
        let class = self.tasks[task as usize].class() as usize;
        let program = self.w.class_programs[class];
        self.alloc_fiber(Fiber { pc: program, task, role: Role::Root, ..Fiber::FREE })
    }

    fn new_child(&mut self, parent: u32, program: u32, role: Role, ordinal: u32) -> u32 {
        let p = self.fibers[parent as usize];
        let offset = p.pc - self.classes[self.tasks[p.task as usize].class() as usize].base;
        let instance = mix(p.instance, (u64::from(offset) << 32) | u64::from(ordinal));
        self.alloc_fiber(Fiber { pc: program, task: p.task, parent, instance, role, ..Fiber::FREE })
    }

    fn alloc_fiber(&mut self, mut fiber: Fiber) -> u32 {
        let task = fiber.task;
        let coroutine = fiber.role != Role::Offload;
        let head = self.tasks[task as usize].fibers;
        fiber.next = head;
        fiber.state = State::Running;
        let id = match self.free_fibers.pop() {
            Some(id) => {
                fiber.generation = self.fibers[id as usize].generation;
                self.fibers[id as usize] = fiber;
                id
            }
            None => {
                self.fibers.push(fiber);
                (self.fibers.len() - 1) as u32
            }
        };
        if head != NONE {
            self.fibers[head as usize].prev = id;
        }
        let t = &mut self.tasks[task as usize];
        t.fibers = id;
        self.live_fibers += 1;
        if self.cooperative() && coroutine {
            self.stats.peak_coroutines = self.stats.peak_coroutines.max(self.live_fibers);
            if self.overheads.active {
                self.loop_debt += self.overheads.creation(self.live_fibers);
            }
        }
        id
    }

    fn free_fiber(&mut self, f: u32) {
        let Fiber { next, prev, task, generation, .. } = self.fibers[f as usize];
        if prev != NONE {
            self.fibers[prev as usize].next = next;
        } else {
            self.tasks[task as usize].fibers = next;
        }
        if next != NONE {
            self.fibers[next as usize].prev = prev;
        }
        self.fibers[f as usize] = Fiber { generation: generation.wrapping_add(1), ..Fiber::FREE };
        self.free_fibers.push(f);
        self.live_fibers -= 1;
    }

    /// `f` reached its end (or is unwinding): wait for spawned programs,
    /// return permits, and tell the parent.
    fn finish_fiber(&mut self, f: u32) {
        let Fiber { pc, task, parent, role, spawn_live, .. } = self.fibers[f as usize];
        let unwinding = self.tasks[task as usize].unwinding();
        if spawn_live != 0 && !unwinding {
            self.park(f, State::Spawned);
            return;
        }
        if unwinding {
            for i in 0..self.w.held_pools(pc).len() {
                let pool = self.w.held_pools(pc)[i];
                self.release(pool);
            }
        }
        self.free_fiber(f);
        if parent == NONE {
            self.root_finished(task);
        } else {
            self.child_finished(parent, role);
        }
    }

    fn child_finished(&mut self, p: u32, role: Role) {
        let task = self.fibers[p as usize].task;
        let unwinding = self.tasks[task as usize].unwinding();
        match role {
            Role::Root => unreachable!("a root has no parent"),
            Role::Gather if self.cooperative() => {
                let fiber = &mut self.fibers[p as usize];
                fiber.counter -= 1;
                if fiber.counter == 0 {
                    self.step_done(p);
                    self.resume(p);
                }
            }
            Role::Gather => {
                self.fibers[p as usize].counter += 1;
                if unwinding || !self.start_gather_child(p) {
                    if !unwinding {
                        self.step_done(p);
                    }
                    self.resume(p);
                }
            }
            Role::Spawn(slot) => {
                let bit = 1u32 << slot;
                let on_thread = !self.cooperative();
                let fiber = &mut self.fibers[p as usize];
                fiber.spawn_done |= bit;
                fiber.spawn_live &= !bit;
                match fiber.state {
                    State::Join if fiber.counter == u32::from(slot) => {
                        self.step_done(p);
                        self.resume(p);
                    }
                    State::Spawned if fiber.spawn_live == 0 => self.finish_fiber(p),
                    // On a thread the parent waited for the spawned program.
                    State::Children if on_thread => {
                        self.step_done(p);
                        self.resume(p);
                    }
                    _ => {}
                }
            }
            Role::Offload => {
                if self.cooperative() {
                    self.executor_done();
                }
                if !unwinding {
                    self.step_done(p);
                }
                self.resume(p);
            }
            Role::Timeout => {
                if self.fibers[p as usize].deadline_passed() {
                    self.tasks[task as usize].number_flags |= Task::UNWINDING;
                } else if !unwinding {
                    self.step_done(p);
                }
                self.resume(p);
            }
        }
    }

    /// Threads: starts the gather child whose ordinal is the parent's
    /// counter, if any is left. Returns false when the gather is complete.
    fn start_gather_child(&mut self, p: u32) -> bool {
        let Fiber { pc, counter, .. } = self.fibers[p as usize];
        let Op::Gather { first, len, .. } = self.w.ops[pc as usize] else {
            unreachable!("gather children return to a gather op")
        };
        let mut ordinal = counter;
        for b in first..first + len {
            let Branch { program, copies } = self.w.branches[b as usize];
            if ordinal < copies {
                let child = self.new_child(p, program, Role::Gather, counter);
                self.run_fiber_now(child);
                return true;
            }
            ordinal -= copies;
        }
        false
    }

    // ----- pools ----------------------------------------------------------

    /// Returns a permit: to the first live waiter (FIFO), else to the pool.
    fn release(&mut self, pool: u16) {
        while let Some((f, generation)) = self.pools[pool as usize].waiters.pop_front() {
            if self.is_current(f, generation, State::Permit) {
                let pc = self.fibers[f as usize].pc;
                self.trace_fiber(f, TraceWhat::Acquired { pc });
                self.fibers[f as usize].pc += 1;
                self.resume(f);
                return;
            }
        }
        self.pools[pool as usize].available += 1;
    }

    // ----- links ----------------------------------------------------------

    /// A link's completion event: wake every transfer whose work is done.
    fn on_link_done(&mut self, link: u16, generation: u32) {
        if !self.links[link as usize].fire(self.now, generation) {
            return;
        }
        let mut bytes_done = 0;
        loop {
            let fibers = &self.fibers;
            let live =
                |f: u32, g: u32| fibers[f as usize].generation == g && fibers[f as usize].state == State::Transfer;
            let Some(f) = self.links[link as usize].pop_finished(live) else { break };
            if let Op::Transfer { bytes, .. } = self.w.ops[self.fibers[f as usize].pc as usize] {
                bytes_done += bytes;
            }
            self.step_done(f);
            self.resume(f);
        }
        self.link_changed(link, bytes_done);
    }

    /// A cancelled fiber parked at the transfer op `pc` leaves its link.
    fn cancel_transfer(&mut self, pc: u32) {
        if let Op::Transfer { link, .. } = self.w.ops[pc as usize] {
            self.links[link as usize].cancel(self.now);
            self.link_changed(link, 0);
        }
    }

    /// The set of transfers on `link` changed: schedule its next end and
    /// report the change (with `bytes` of payload just delivered).
    fn link_changed(&mut self, link: u16, bytes: u64) {
        let fibers = &self.fibers;
        let live = |f: u32, g: u32| fibers[f as usize].generation == g && fibers[f as usize].state == State::Transfer;
        if let Some((at, generation)) = self.links[link as usize].reschedule(self.now, live) {
            self.queue.push(at, Event::LinkDone { link, generation });
        }
        if self.resources {
            let busy = self.links[link as usize].active();
            let resource = Resource::Link(link);
            self.observer.resource(&ResourceChange { time: self.now, resource, busy, capacity: 1, bytes });
        }
    }

    /// Reports the CPU's occupancy if it changed: slots in use, or under
    /// cooperative whether a step holds the loop.
    fn report_cpu(&mut self) {
        let (busy, capacity) = if self.cooperative() {
            (u32::from(self.event_loop.occupied), 1)
        } else {
            (self.cpu.in_use(), self.cpu.slots())
        };
        if busy != self.cpu_reported {
            self.cpu_reported = busy;
            let change = ResourceChange { time: self.now, resource: Resource::Cpu, busy, capacity, bytes: 0 };
            self.observer.resource(&change);
        }
    }

    // ----- calls ----------------------------------------------------------

    /// The service of the `call` op at `f`'s pc.
    fn call_service(&self, f: u32) -> u16 {
        let Op::Call { call } = self.w.ops[self.fibers[f as usize].pc as usize] else {
            unreachable!("only a fiber at a call op waits for a service")
        };
        self.w.calls[call as usize].service
    }

    /// Sends attempt `counter` of the call at `f`'s pc. Returns whether `f`
    /// is parked (waiting for it, or for a backoff after an immediate
    /// rejection); if not, its call has failed for good and `failing` is
    /// set.
    fn attempt(&mut self, f: u32) -> bool {
        let Fiber { pc, counter: k, .. } = self.fibers[f as usize];
        let Op::Call { call } = self.w.ops[pc as usize] else { unreachable!("attempt at a call op") };
        let (service, timeout) = (self.w.calls[call as usize].service, self.w.calls[call as usize].timeout);
        let s = service as usize;
        if k == 1 {
            self.services[s].first_attempt();
        }
        self.observer.call(service, CallEvent::Attempt { retry: k > 1 });
        if !self.services[s].take_token(self.now) {
            self.observer.call(service, CallEvent::Rejected);
            return self.attempt_failed(f, Outcome::Rejected);
        }
        let generation = self.park(f, State::Call);
        let (task_index, class, site) = self.draw_site(f);
        let request = self.requests.alloc(Request {
            fiber: f,
            generation,
            arrived: self.now,
            class: class as u16,
            task_index,
            site: mix(site, u64::from(k)),
        });
        if self.services[s].arrive(request) {
            self.start_service(service, request);
        }
        self.service_changed(service);
        if let Some(t) = timeout {
            self.queue.push(self.now + t, Event::CallTimeout { fiber: f, generation });
        }
        true
    }

    /// Attempt `counter` of `f`'s call ended in `outcome`: wait a backoff
    /// and retry if the policy and the budget allow (returns true, `f`
    /// parked), else mark the call failed for good (returns false).
    fn attempt_failed(&mut self, f: u32, outcome: Outcome) -> bool {
        let Fiber { pc, counter: k, task, .. } = self.fibers[f as usize];
        let Op::Call { call } = self.w.ops[pc as usize] else { unreachable!("attempt at a call op") };
        let (service, retry) = (self.w.calls[call as usize].service, self.w.calls[call as usize].retry);
        if let Some(r) = retry
            && k < r.attempts
            && !self.tasks[task as usize].unwinding()
        {
            if self.services[service as usize].allow_retry(r.budget) {
                let b = backoff(r.backoff, r.multiplier, r.max_backoff, k);
                let wait = match r.jitter {
                    Jitter::None => b,
                    Jitter::Full => self.jitter(f, k, b),
                    Jitter::Equal => {
                        let half = SimDuration::from_nanos(b.as_nanos() / 2);
                        half + self.jitter(f, k, half)
                    }
                };
                let generation = self.park(f, State::Backoff);
                self.fibers[f as usize].counter = k + 1;
                self.queue.push(self.now + wait, Event::RetryCall { fiber: f, generation });
                return true;
            }
            self.observer.call(service, CallEvent::BudgetExhausted);
        }
        let fiber = &mut self.fibers[f as usize];
        fiber.counter = call_ended(outcome);
        fiber.set_failing(true);
        false
    }

    /// A uniform draw in [0, b] for the backoff before attempt k + 1.
    fn jitter(&mut self, f: u32, k: u32, b: SimDuration) -> SimDuration {
        let (task_index, class, site) = self.draw_site(f);
        let streams = self.classes[class].calls.as_mut().expect("a scenario with calls has call streams");
        let word = next_word(streams.jitter.at(task_index, mix(site, u64::from(k))));
        let u = (word >> 11) as f64 / (1u64 << 53) as f64;
        SimDuration::from_nanos((u * b.as_nanos() as f64) as u64)
    }

    /// A server of `service` takes `request` now.
    fn start_service(&mut self, service: u16, request: u32) {
        let r = self.requests.get(request);
        self.observer.call(service, CallEvent::Started { wait: self.now - r.arrived });
        let dist = &self.scenario.services[service as usize].service;
        let base = match dist {
            Dist::Constant(d) => *d,
            _ => {
                let streams = self.classes[r.class as usize].calls.as_mut().expect("call streams");
                let rng = streams.service.at(r.task_index, r.site);
                dist.sample(&mut || next_word(rng))
            }
        };
        let factor = self.services[service as usize].factor(self.now);
        let d = if factor == 1.0 { base } else { SimDuration::from_nanos_f64(base.as_nanos() as f64 * factor) };
        self.queue.push(self.now + d, Event::ServiceDone { service, request });
    }

    fn on_service_done(&mut self, service: u16, request: u32) {
        let r = self.requests.get(request);
        self.requests.free(request);
        let live = self.is_current(r.fiber, r.generation, State::Call);
        let p = self.scenario.services[service as usize].fail;
        let failed = p > 0.0 && {
            let streams = self.classes[r.class as usize].calls.as_mut().expect("call streams");
            let word = next_word(streams.failures.at(r.task_index, r.site));
            ((word >> 11) as f64 / (1u64 << 53) as f64) < p
        };
        self.observer.call(service, CallEvent::Served { failed, abandoned: !live });
        if let Some(next) = self.services[service as usize].depart() {
            self.start_service(service, next);
        }
        self.service_changed(service);
        if !live {
            return;
        }
        if !failed {
            self.step_done(r.fiber);
            self.resume(r.fiber);
        } else if !self.attempt_failed(r.fiber, Outcome::Failed) {
            self.resume(r.fiber);
        }
    }

    fn service_changed(&mut self, service: u16) {
        if self.resources {
            let s = &self.services[service as usize];
            let (busy, capacity) = (s.busy(), s.concurrency());
            let resource = Resource::Service(service);
            self.observer.resource(&ResourceChange { time: self.now, resource, busy, capacity, bytes: 0 });
        }
    }

    // ----- task ends ------------------------------------------------------

    /// Threads: a timeout expired. The caller gives up now; the thread runs
    /// the body to its end, then the task unwinds.
    fn deadline_on_thread(&mut self, f: u32) {
        let task = self.fibers[f as usize].task;
        self.fibers[f as usize].flags |= Fiber::DEADLINE_PASSED;
        self.record_outcome(task, Outcome::TimedOut);
    }

    /// The task ends early (failure or timeout). Cooperative: every fiber of
    /// the task is cancelled at once and returns its permits. Threads: the
    /// running fiber unwinds to the root.
    fn end_task(&mut self, task: u32, outcome: Outcome) {
        self.record_outcome(task, outcome);
        if !self.cooperative() {
            self.tasks[task as usize].number_flags |= Task::UNWINDING;
            return;
        }
        self.returned.clear();
        while self.tasks[task as usize].fibers != NONE {
            let f = self.tasks[task as usize].fibers;
            let Fiber { pc, role, state, .. } = self.fibers[f as usize];
            if role == Role::Offload {
                // A cancelled to_thread body stops at once and frees its
                // worker (a simplification: CPython's thread would run the
                // call to its end).
                if matches!(state, State::Cpu | State::Overhead) {
                    self.cpu.cancel(self.now, f, &mut self.queue);
                }
                if state != State::Queued {
                    self.free_fiber(f);
                    self.executor_done();
                    continue;
                }
            }
            self.returned.extend_from_slice(self.w.held_pools(pc));
            match self.fibers[f as usize].state {
                State::Transfer => self.cancel_transfer(pc),
                State::Call => {
                    let service = self.call_service(f);
                    self.observer.call(service, CallEvent::Abandoned);
                }
                _ => {}
            }
            self.free_fiber(f);
        }
        for i in 0..self.returned.len() {
            let pool = self.returned[i];
            self.release(pool);
        }
        self.task_done(task);
    }

    fn root_finished(&mut self, task: u32) {
        self.record_outcome(task, Outcome::Completed);
        self.task_done(task);
    }

    /// Records how a task ended, once; a closed-loop user then thinks.
    fn record_outcome(&mut self, task: u32, outcome: Outcome) {
        let t = self.tasks[task as usize];
        if t.ended() {
            return;
        }
        self.tasks[task as usize].number_flags |= Task::ENDED;
        self.integrate_in_flight();
        self.in_flight -= 1;
        self.stats.last_outcome = self.now;
        self.observer.task_ended(&TaskRecord {
            class: t.class(),
            index: t.index(),
            arrived: t.arrived,
            started: t.started(),
            ended: self.now,
            outcome,
        });
        self.trace(task, TraceWhat::Finished(outcome));
        if t.user != NONE && outcome != Outcome::Cancelled {
            self.user_thinks(t.class(), t.user);
        }
    }

    /// Brings the time-integral of tasks in flight up to now, counting only
    /// time inside the statistics window. Called just before `in_flight`
    /// changes: two multiplications per task, nothing per event.
    #[inline]
    fn integrate_in_flight(&mut self) {
        let from = self.in_flight_since.max(self.stats.window_start).as_nanos();
        let now = self.now.as_nanos();
        if now > from {
            // Cannot overflow: u64 × u64 fits in u128, and the sum stays
            // below 2^128 for any run shorter than 584 years of 2^64 tasks.
            self.stats.in_flight_ns += u128::from(self.in_flight) * u128::from(now - from);
        }
        self.in_flight_since = self.now;
    }

    fn user_thinks(&mut self, class: u16, user: u32) {
        let Arrivals::Closed { think, .. } = &self.scenario.classes[class as usize].arrivals else {
            unreachable!("only closed-loop tasks have users")
        };
        let c = &mut self.classes[class as usize];
        let round = c.user_rounds[user as usize];
        c.user_rounds[user as usize] += 1;
        let pause = if think.is_constant() {
            think.sample(&mut || 0)
        } else {
            let rng = c.think.at(u64::from(user), round);
            think.sample(&mut || next_word(rng))
        };
        self.queue.push(self.now + pause, Event::UserIssue { class, user });
    }

    /// The task's last fiber is gone: free its worker or loop slot.
    fn task_done(&mut self, task: u32) {
        let next = match &mut self.discipline {
            Discipline::Threads { busy, waiting, .. } => {
                *busy -= 1;
                waiting.pop_front()
            }
            Discipline::Cooperative { admitted, waiting, .. } => {
                *admitted -= 1;
                waiting.pop_front()
            }
        };
        self.tasks[task as usize] = Task::FREE;
        self.free_tasks.push(task);
        if let Some(next) = next {
            if self.cooperative() {
                self.admit_to_loop(next);
            } else {
                self.start_on_thread(next);
            }
        }
    }

    fn alloc_task(&mut self, task: Task) -> u32 {
        match self.free_tasks.pop() {
            Some(id) => {
                self.tasks[id as usize] = task;
                id
            }
            None => {
                self.tasks.push(task);
                (self.tasks.len() - 1) as u32
            }
        }
    }

    fn on_horizon(&mut self) {
        self.horizon_reached = true;
        for task in 0..self.tasks.len() as u32 {
            if self.tasks[task as usize].in_use() {
                self.record_outcome(task, Outcome::Cancelled);
            }
        }
    }

    fn finish(mut self) -> Result<RunStats, EngineError> {
        self.stats.end = self.now;
        self.stats.cpu_busy = self.cpu.busy();
        self.stats.horizon_reached = self.horizon_reached;
        let stuck: Vec<u32> = (0..self.tasks.len() as u32).filter(|&t| self.tasks[t as usize].in_use()).collect();
        if self.horizon_reached || stuck.is_empty() {
            return Ok(self.stats);
        }
        let tasks = stuck.iter().take(10).map(|&t| self.describe_stall(t)).collect();
        Err(EngineError::Stalled { at: self.now, stuck: stuck.len() as u64, tasks })
    }

    fn describe_stall(&self, task: u32) -> StalledTask {
        let t = &self.tasks[task as usize];
        let mut waits = Vec::new();
        let mut f = t.fibers;
        while f != NONE {
            let fiber = &self.fibers[f as usize];
            if fiber.state == State::Permit {
                let pool = &self.scenario.pools[fiber.counter as usize];
                waits.push(format!("waits for a permit of pool \"{}\" (size {}, none free)", pool.name, pool.size));
            }
            f = fiber.next;
        }
        if waits.is_empty() {
            waits.push(match &self.discipline {
                Discipline::Threads { .. } => "waits for a worker thread".to_string(),
                Discipline::Cooperative { .. } => "waits for admission to the loop".to_string(),
            });
        }
        StalledTask { number: t.number(), class: self.scenario.classes[t.class() as usize].name.clone(), waits }
    }

    // ----- tracing --------------------------------------------------------

    fn begin(&mut self, f: u32, duration: Option<SimDuration>) {
        if self.tracing {
            let pc = self.fibers[f as usize].pc;
            self.trace_fiber(f, TraceWhat::Began { pc, duration: duration.map(SimDuration::as_nanos) });
        }
    }

    fn awaiting(&mut self, f: u32) {
        if self.tracing && self.cooperative() {
            let pc = self.fibers[f as usize].pc;
            self.trace_fiber(f, TraceWhat::Awaiting { pc });
        }
    }

    fn trace_fiber(&mut self, f: u32, what: TraceWhat) {
        if self.tracing {
            self.trace(self.fibers[f as usize].task, what);
        }
    }

    fn trace(&mut self, task: u32, what: TraceWhat) {
        if self.tracing {
            let t = &self.tasks[task as usize];
            self.observer.trace(&TraceEvent { time: self.now, task: t.number(), class: t.class(), what });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::size_of;

    /// A batch holds one task, root fiber, ready entry and pending event per
    /// coroutine; their sizes decide whether 1M concurrent coroutines fit in
    /// 128 MiB (docs/performance.md). Growing one is a deliberate trade.
    #[test]
    fn per_coroutine_records_stay_small() {
        assert_eq!(size_of::<Task>(), 40);
        assert_eq!(size_of::<Fiber>(), 48);
        assert_eq!(size_of::<Ready>(), 16);
        // A pending event in the radix heap's near buckets (queue.rs).
        assert_eq!(size_of::<(u32, Event)>(), 16);
    }
}
