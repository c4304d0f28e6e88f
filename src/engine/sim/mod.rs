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

mod arrivals;
mod calls;
mod ends;
mod event_loop;
mod fibers;
mod flow;
mod interpreter;
mod outcomes;
mod producer;
mod queues;
mod records;
mod resources;
mod submit;
mod tracing;
mod waiting;

use super::cpu::Cpu;
use super::fifo::BlockFifo;
use super::gil::Gil;
use super::ids::{FiberId, RequestId, Slab, TaskId};
use super::link::Link;
use super::observer::{CallEvent, Observer, Outcome, Resource, ResourceChange, TaskRecord, TraceEvent, TraceWhat};
use super::overhead::{Dispatcher, Overheads, ThreadStarter};
use super::queue::EventQueue;
use super::service::{Request, Requests, ServiceState, backoff};
use super::streams::{Purpose, Stream, mix, next_word};
use super::{EngineError, Limits, RunStats, StalledTask};
use crate::model::program::{Branch, DistId};
use crate::model::{
    Arrivals, Bound, CompiledWorkload, Dist, GatherMode, Jitter, Op, Scenario, Strategy, StrategyKind, Warmup, WhenFull,
};
use crate::time::{SimDuration, SimTime};
use records::*;
use std::collections::VecDeque;

pub(super) struct Sim<'a, O: Observer> {
    scenario: &'a Scenario,
    w: &'a CompiledWorkload,
    observer: &'a mut O,
    tracing: bool,
    now: SimTime,
    queue: EventQueue<Event>,
    fibers: Slab<FiberId, Fiber>,
    tasks: Slab<TaskId, Task>,
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
    in_flight: u64,
    /// When `in_flight` last fell to 0, and the CPU time granted by then
    /// (the makespan's, if that was the last outcome).
    busy_by_idle: (SimTime, SimDuration),
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
    /// `processes` with a profile: the pool's parent handing out tasks
    /// (R-PROCESS-POOL).
    dispatcher: Option<Dispatcher>,
    /// The scenario's links (see `link.rs`).
    links: Vec<Link>,
    /// Report resource changes to the observer (scenarios with links).
    resources: bool,
    /// The CPU occupancy last reported.
    cpu_reported: u32,
    /// The scenario's services and the requests they hold (`service.rs`).
    services: Vec<ServiceState>,
    requests: Requests,
    /// The scenario's work queues (`queues.rs`); `None` without any.
    queues: Option<Box<queues::Queues>>,
    /// The workload has `try`, `retry` or aborting `timeout` steps: raised
    /// outcomes look for a handler (`outcomes.rs`); without, they end the
    /// task at once, as they always did.
    scoped: bool,
    /// Scratch for the fibers of a scope being cancelled.
    scope: Vec<FiberId>,
    /// Threads: per task slot, what a work item tells its submitter
    /// (`submit.rs`); empty without any.
    items: Vec<submit::ItemLink>,
    /// Threads: work items running on threads of their own (`new`).
    own_threads: u32,
    /// Threads: the serial start of those threads.
    spawner: ThreadStarter,
    /// Per class, its producer of open-loop arrivals (`producer.rs`); empty
    /// without a producer.
    producers: Vec<producer::Producer>,
}

impl<'a, O: Observer> Sim<'a, O> {
    pub(super) fn new(
        scenario: &'a Scenario,
        w: &'a CompiledWorkload,
        strategy: &Strategy,
        observer: &'a mut O,
    ) -> Self {
        let cores = scenario.machine.cores;
        let (discipline, mut cpu) = Self::discipline(strategy, w, cores);
        let overheads = Overheads::of(&scenario.runtime);
        if let StrategyKind::Threaded { workers, gil: true, switch_interval } = strategy.kind
            && workers > 1
            && overheads.active
        {
            cpu = Cpu::cpython_gil(Gil::new(
                switch_interval,
                overheads.timer_slack(switch_interval, false),
                overheads.gil_handoff,
                Stream::new(scenario.seed, "", Purpose::Gil).into_sequential(),
            ));
        }
        let classes = Self::class_runs(scenario, w);
        let tracing = observer.tracing();
        let resources = (!scenario.links.is_empty() || !scenario.services.is_empty()) && observer.resources();
        Sim {
            scenario,
            w,
            observer,
            tracing,
            now: SimTime::ZERO,
            queue: EventQueue::new(),
            fibers: Slab::default(),
            tasks: Slab::default(),
            pools: scenario
                .pools
                .iter()
                .map(|p| Pool { available: p.size, reject: p.when_full == WhenFull::Reject, waiters: VecDeque::new() })
                .collect(),
            cpu,
            classes,
            discipline,
            event_loop: EventLoop { in_select: true, ..EventLoop::default() },
            ready: BlockFifo::default(),
            run_now: RunQueue::default(),
            returned: Vec::new(),
            stats: RunStats {
                cores,
                window_start: Warmup::start(scenario.warmup),
                steady_state: scenario.warmup.is_some(),
                ..RunStats::default()
            },
            in_flight: 0,
            busy_by_idle: (SimTime::NEVER, SimDuration::ZERO),
            in_flight_since: SimTime::ZERO,
            horizon_reached: false,
            overheads,
            loop_debt: SimDuration::ZERO,
            starter: ThreadStarter::default(),
            starts_threads: matches!(strategy.kind, StrategyKind::Threaded { .. }),
            executor: Executor { workers: StrategyKind::default_workers(scenario.machine), ..Executor::default() },
            process: (0, 1),
            arrivals_seen: 0,
            dispatcher: None,
            links: scenario.links.iter().map(|l| Link::new(l.bits_per_s)).collect(),
            resources,
            cpu_reported: 0,
            services: scenario.services.iter().map(ServiceState::new).collect(),
            requests: Requests::default(),
            queues: queues::Queues::of(scenario),
            scoped: w.ops.iter().any(Self::scoped_op),
            scope: Vec::new(),
            items: Vec::new(),
            own_threads: 0,
            spawner: ThreadStarter::default(),
            producers: Vec::new(),
        }
    }

    /// An op whose outcomes are scoped (`outcomes.rs`): a try, a retry, an
    /// aborting timeout, a gather in a mode other than `task_group`.
    fn scoped_op(op: &Op) -> bool {
        match op {
            Op::Try { .. } | Op::Retry { .. } | Op::Timeout { abort: true, .. } => true,
            Op::Gather { mode, .. } => *mode != GatherMode::TaskGroup,
            _ => false,
        }
    }

    /// Who executes runnable fibers, and the CPU they compute on.
    fn discipline(strategy: &Strategy, w: &CompiledWorkload, cores: u32) -> (Discipline, Cpu) {
        match strategy.kind {
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
        }
    }

    /// Per class: its streams, its place in the op arena, its arrival state.
    fn class_runs(scenario: &Scenario, w: &CompiledWorkload) -> Vec<ClassRun> {
        scenario
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
                retry_jitter: (!w.retries.is_empty())
                    .then(|| Box::new(Stream::new(scenario.seed, &class.name, Purpose::RetryProgram))),
            })
            .collect()
    }

    /// Makes this run process `index` of `count`, whose CPU work takes
    /// `stretch.0 / stretch.1` times as long (R-PROCESSES), and to which
    /// the parent sends tasks one at a time if `sent` (R-PROCESS-POOL).
    pub(super) fn in_process(mut self, index: u32, count: u32, stretch: (u64, u64), sent: bool) -> Self {
        self.process = (index, count);
        self.dispatcher = if self.overheads.active { Dispatcher::of(&self.overheads, count, sent) } else { None };
        // The parent makes the arrivals, not a producer in each process.
        self.overheads.producer_step = SimDuration::ZERO;
        self.cpu.stretch(stretch.0, stretch.1);
        self.cpu.draw_stream(u64::from(index));
        self
    }

    fn cooperative(&self) -> bool {
        matches!(self.discipline, Discipline::Cooperative { .. })
    }

    /// Runs to the end: every task accounted for, the horizon, or a stall.
    pub(super) fn run(mut self, limits: Limits) -> Result<RunStats, EngineError> {
        /// Events between two looks at the interrupt flag.
        const INTERRUPT_POLL: u64 = 4096;
        self.start_workers();
        self.drain();
        self.start_producers();
        self.schedule_first_arrivals();
        // A class whose arrivals end before the first (a bound shorter than
        // its first gap) may close a queue, which wakes its idle workers.
        self.drain();
        if let Some(h) = self.scenario.horizon {
            self.queue.push(SimTime::ZERO + h, Event::Horizon);
        }
        let max_events = limits.max_events.unwrap_or(u64::MAX);
        let max_time = limits.max_time.unwrap_or(SimTime::NEVER);
        while let Some((time, event)) = self.queue.pop_hinting(|event| {
            if let Event::Wake { fiber, .. } = *event {
                self.fibers.prefetch(fiber);
            }
        }) {
            debug_assert!(time >= self.now, "virtual time went back");
            // Past the limit, only live work trips it: stale timers of tasks
            // that already ended may pop later without meaning anything.
            let live = self.in_flight > 0
                || matches!(event, Event::Arrival { .. } | Event::UserIssue { .. } | Event::ProducerWake { .. })
                || matches!(event, Event::LoopTimer { fiber, .. } if self.fibers[fiber].role == Role::Producer);
            if time > max_time && live {
                return Err(EngineError::TimeLimit { limit: max_time, in_flight: self.in_flight });
            }
            // Only a saturated sum reaches the last instant (R-TIME-OVERFLOW).
            if time == SimTime::NEVER && live {
                return Err(EngineError::TimeOverflow { after: self.now, what: self.scheduled_what(&event) });
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

    /// `fiber`'s CPU request is done: a profile's overhead, or a step.
    fn slice_done(&mut self, fiber: FiberId) {
        if self.fibers[fiber].state == State::Overhead {
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

    fn handle(&mut self, event: Event) {
        match event {
            Event::Arrival { class } => self.on_arrival(class),
            Event::UserIssue { class, user } => {
                if self.may_issue(class, self.now) {
                    self.arrive(class, user);
                } else {
                    self.arrivals_ended(class);
                }
            }
            Event::Wake { fiber, generation } => {
                if self.is_current(fiber, generation, State::Timer) {
                    self.step_done(fiber);
                    if self.overheads.active
                        && !self.on_loop(fiber)
                        && !self.overheads.context_switch.is_zero()
                        && !self.cpu.is_cpython_gil()
                    {
                        self.charge(fiber, self.overheads.context_switch);
                    } else {
                        self.resume_from_outside(fiber);
                    }
                }
            }
            Event::Dispatched { task } => self.on_dispatched(task),
            Event::ProducerWake { fiber, generation } => {
                if self.is_current(fiber, generation, State::Timer) {
                    self.producer_woken(fiber);
                }
            }
            Event::LoopTimer { .. } | Event::Deadline { .. } | Event::RetryCall { .. } | Event::RetryProgram { .. } => {
                self.timer_due(event, true);
            }
            Event::LoopTimeout { epoch } => {
                if epoch == self.event_loop.select_epoch && self.event_loop.in_select {
                    self.kick_loop();
                }
            }
            Event::ThreadStarted { fiber, generation } => {
                if self.is_current(fiber, generation, State::Starting) {
                    self.thread_started(fiber);
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
                    self.slice_done(fiber);
                    // Only a slice ends a request under CPython's GIL: once
                    // the fiber has gone on, a holder that did not ask
                    // again releases it.
                    if self.cpu.is_cpython_gil() {
                        self.drain();
                        self.cpu.settle(self.now, &mut self.queue);
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
                        self.resume_from_outside(fiber);
                    }
                }
            }
            Event::LoopIteration => {
                self.event_loop.iteration_scheduled = false;
                self.event_loop.running = true;
                self.run_timers_due();
                self.event_loop.batch_left = self.ready.len();
                self.loop_continue();
            }
            Event::Horizon => self.on_horizon(),
            Event::HedgeNext { fiber, generation } => self.on_hedge_next(fiber, generation),
        }
    }

    fn is_current(&self, fiber: FiberId, generation: u32, state: State) -> bool {
        let f = &self.fibers[fiber];
        f.generation == generation && f.state == state
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
