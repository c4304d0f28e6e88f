//! Property tests over generated valid scenarios (proptest): whatever the
//! programs (every step kind of docs/scenario.md: io, call, cpu, sleep,
//! blocking, limit, to_thread, gather in its three modes and with `until`,
//! spawn, detached spawn, join, timeout with either `on_expiry`, try,
//! retry, repeat, choose, hedge, put; `threads` inline, pool or new beside
//! gathers, spawns and hedges; `sequence` durations, counts and failures),
//! arrivals (a queue's worker classes among them) and strategies,
//! - every arrived task is accounted for exactly once;
//! - virtual time never goes back, across everything the observer hears;
//! - pool permits and queue items are conserved: none is out when every
//!   task has ended, every item put is got;
//! - a completed task's latency is at least the time its own steps take;
//! - results are deterministic, and independent of the thread that runs them.
//!
//! Generated programs never deadlock on pools by construction: a task never
//! asks for a pool it (or an ancestor fiber) holds, and pools are always
//! taken in index order, so no two tasks can wait for each other. Queues
//! cannot stall either: only the worker class gets, its program puts
//! nothing and cannot fail, and the threaded pool has a thread more than
//! there are workers (R-QUEUE-THREADS-STALL).
//!
//! One deadlock is generated on purpose: under threaded, work submitted
//! with `"threads": "pool"` waits for a worker of the task's own pool, and
//! a pool whose every worker waits so is deadlocked, as the Python program
//! would be (R-THREADS-SUBMIT). The engine must report that as a stall, not
//! hang or panic; such a run is a legitimate end ([`may_stall`]), and the
//! properties check the other strategies of the scenario. Generating only
//! shapes that cannot deadlock would need a bound on concurrent
//! submissions per worker, and would leave the stall report itself untested.

use proptest::prelude::*;
use simbench::engine::{
    self, EngineError, Observer, Outcome, QueueChange, QueueEvent, RunStats, TaskRecord, TraceEvent, TraceWhat,
};
use simbench::metrics::{self, StrategyResult};
use simbench::model::{
    Arrivals, Bound, BranchThreads, Call, ChooseBranch, CompiledWorkload, Count, Dist, Fail, GatherBranch, GatherMode,
    Jitter, Link, Machine, OnExpiry, Op, Outcomes, Pool, Queue, RateLimit, Retry, Scenario, Service, Slowdown, Step,
    StepKind, Strategy as SimStrategy, StrategyKind, TaskClass, Transfer, WhenFull,
};
use simbench::scenario::Rest;
use simbench::time::SimDuration;
use simbench::time::SimTime;

const POOLS: u16 = 2;

fn ms(n: u64) -> SimDuration {
    SimDuration::from_millis(n)
}

// ----- generators ---------------------------------------------------------

fn dist() -> impl Strategy<Value = Dist> {
    prop_oneof![
        (0u64..40).prop_map(|n| Dist::Constant(ms(n))),
        (0u64..20, 0u64..40).prop_map(|(a, b)| Dist::Uniform { min: ms(a), max: ms(a + b) }),
        (1u64..30).prop_map(|n| Dist::Exponential { mean_ns: (n * 1_000_000) as f64 }),
        // Task k of its class takes the k-th value (R-SEQUENCE).
        prop::collection::vec(0u64..40, 1..4).prop_map(|v| Dist::Sequence(v.into_iter().map(ms).collect())),
    ]
}

/// Where a threaded task runs a gather's, spawn's or hedge's work (R-THREADS-SUBMIT).
fn threads() -> impl Strategy<Value = BranchThreads> {
    prop_oneof![Just(BranchThreads::Inline), Just(BranchThreads::Pool), Just(BranchThreads::New)]
}

/// What a `to_thread` runs: a synchronous function (io, cpu, sleep,
/// blocking); its io may fail (R-TO-THREAD-FAILED).
fn sync_leaf() -> impl Strategy<Value = StepKind> {
    prop_oneof![
        (dist(), fail()).prop_map(|(duration, fail)| StepKind::Io { duration, fail, transfer: None }),
        dist().prop_map(StepKind::Cpu),
        dist().prop_map(StepKind::Sleep),
        dist().prop_map(StepKind::Blocking),
    ]
}

/// Never, sometimes, or a per-task pattern (R-SEQUENCE).
fn fail() -> impl Strategy<Value = Fail> {
    prop_oneof![
        Just(Fail::NEVER),
        Just(Fail::Probability(0.1)),
        prop::collection::vec(prop_oneof![Just(0.0), Just(1.0), Just(0.5)], 1..4)
            .prop_map(|p| Fail::Sequence(p.into_boxed_slice())),
    ]
}

/// A repeat's count: fixed (0 included), uniform, geometric or a sequence.
fn count() -> impl Strategy<Value = Count> {
    prop_oneof![
        (0u32..3).prop_map(Count::Fixed),
        (0u32..2, 0u32..2).prop_map(|(min, extra)| Count::Uniform { min, max: min + extra }),
        Just(Count::Geometric { mean: 1.5 }),
        prop::collection::vec(0u32..3, 1..4).prop_map(|v| Count::Sequence(v.into_boxed_slice())),
    ]
}

fn leaf() -> impl Strategy<Value = StepKind> {
    prop_oneof![
        (dist(), fail(), prop_oneof![Just(None), (1u64..200_000).prop_map(Some)]).prop_map(
            |(duration, fail, bytes)| StepKind::Io {
                duration,
                fail,
                transfer: bytes.map(|bytes| Transfer { link: 0, bytes })
            }
        ),
        dist().prop_map(StepKind::Cpu),
        (prop::option::of(1u64..30), prop::option::of((1u32..4, 0u64..20, prop::option::of(0u32..3)))).prop_map(
            |(timeout, retry)| StepKind::Call {
                call: Call {
                    service: 0,
                    timeout: timeout.map(ms),
                    retry: retry.map(|(attempts, backoff, budget)| Retry {
                        attempts,
                        backoff: ms(backoff),
                        multiplier: 2.0,
                        max_backoff: ms(50),
                        jitter: Jitter::Full,
                        budget: budget.map(|b| f64::from(b) / 2.0),
                    }),
                },
                transfer: None,
            }
        ),
        dist().prop_map(StepKind::Sleep),
        dist().prop_map(StepKind::Blocking),
        // Into queue 0; a scenario without queues has these taken out (`no_puts`).
        Just(StepKind::Put(0)),
    ]
}

/// The `on` set of bits `bits` (failed 1, timeout 2, rejected 4; not 0).
fn outcomes(bits: u8) -> Outcomes {
    Outcomes::NAMES
        .iter()
        .filter(|(_, set)| bits & set.bits() != 0)
        .fold(Outcomes::NONE, |all, (_, set)| all.with(*set))
}

/// What a generated program position expands to.
#[derive(Clone, Debug)]
enum Item {
    Step(StepKind),
    /// A spawn, joined right after it or left for the end of the program.
    Spawn {
        program: Vec<Step>,
        join: bool,
    },
    /// A detached spawn, likewise.
    Detached {
        program: Vec<Step>,
        join: bool,
    },
}

/// Programs of depth ≤ `depth` that never take a pool at or below `floor`
/// (the highest pool an enclosing scope holds, plus one).
fn program(depth: u32, floor: u16) -> BoxedStrategy<Vec<Step>> {
    let item = if depth == 0 {
        leaf().prop_map(Item::Step).boxed()
    } else {
        let sub = move || program(depth - 1, floor);
        let mut choices: Vec<BoxedStrategy<Item>> = vec![
            leaf().prop_map(Item::Step).boxed(),
            leaf().prop_map(Item::Step).boxed(),
            (
                prop::collection::vec((1u32..3, sub()), 1..3),
                prop::sample::select(vec![GatherMode::TaskGroup, GatherMode::Gather, GatherMode::ReturnExceptions]),
            )
                .prop_map(|(branches, mode)| {
                    Item::Step(StepKind::Gather(
                        branches.into_iter().map(|(copies, program)| GatherBranch { copies, program }).collect(),
                        mode,
                    ))
                })
                .boxed(),
            (1u64..60, sub(), any::<bool>())
                .prop_map(|(after, program, abort)| {
                    let on_expiry = if abort { OnExpiry::Abort } else { OnExpiry::Abandon };
                    Item::Step(StepKind::Timeout { after: ms(after), program, on_expiry })
                })
                .boxed(),
            (sub(), prop::option::of(sub()), 1u8..8)
                .prop_map(|(program, except, on)| Item::Step(StepKind::Try { program, except, on: outcomes(on) }))
                .boxed(),
            (sub(), 1u32..4, 0u64..20, prop::sample::select(vec![Jitter::None, Jitter::Full, Jitter::Equal]), 1u8..8)
                .prop_map(|(program, attempts, backoff, jitter, on)| {
                    let retry = Retry {
                        attempts,
                        backoff: ms(backoff),
                        multiplier: 2.0,
                        max_backoff: ms(30),
                        jitter,
                        budget: None,
                    };
                    Item::Step(StepKind::Retry { program, retry, on: outcomes(on) })
                })
                .boxed(),
            (sub(), any::<bool>()).prop_map(|(program, join)| Item::Spawn { program, join }).boxed(),
            (sub(), any::<bool>()).prop_map(|(program, join)| Item::Detached { program, join }).boxed(),
            (prop::collection::vec((1u32..3, sub()), 1..3), any::<prop::sample::Index>(), any::<bool>())
                .prop_map(|(branches, k, cancel)| {
                    let children: u32 = branches.iter().map(|(copies, _)| copies).sum();
                    Item::Step(StepKind::GatherUntil {
                        branches: branches
                            .into_iter()
                            .map(|(copies, program)| GatherBranch { copies, program })
                            .collect(),
                        count: 1 + k.index(children as usize) as u32,
                        rest: if cancel { Rest::Cancel } else { Rest::Continue },
                    })
                })
                .boxed(),
            // One program for every copy, or one per copy (R-HEDGE-COPIES).
            (prop::collection::vec(sub(), 1..4), 1u64..30, 1u32..4, any::<bool>())
                .prop_map(|(mut programs, after, copies, per_copy)| {
                    let copies = if per_copy { programs.len() as u32 } else { copies };
                    programs.truncate(if per_copy { programs.len() } else { 1 });
                    Item::Step(StepKind::Hedge { programs, after: ms(after), copies })
                })
                .boxed(),
            (sub(), count()).prop_map(|(program, times)| Item::Step(StepKind::Repeat { program, times })).boxed(),
            prop::collection::vec(sync_leaf(), 1..3)
                .prop_map(|steps| {
                    let steps = steps.into_iter().map(|kind| Step { kind, label: None, threads: Default::default() });
                    Item::Step(StepKind::ToThread(steps.collect()))
                })
                .boxed(),
            // A branch may be empty ("do nothing").
            prop::collection::vec((1u32..4, prop_oneof![Just(Vec::new()), sub()]), 1..3)
                .prop_map(|branches| {
                    Item::Step(StepKind::Choose(
                        branches
                            .into_iter()
                            .map(|(weight, program)| ChooseBranch { weight: f64::from(weight), program })
                            .collect(),
                    ))
                })
                .boxed(),
        ];
        if floor < POOLS {
            let limit = (floor..POOLS)
                .prop_flat_map(move |pool| {
                    program(depth - 1, pool + 1).prop_map(move |program| Item::Step(StepKind::Limit { pool, program }))
                })
                .boxed();
            choices.push(limit);
        }
        prop::strategy::Union::new(choices).boxed()
    };
    prop::collection::vec((item, threads()), 1..4)
        .prop_map(move |items| {
            let mut steps = Vec::new();
            for (i, (item, threads)) in items.into_iter().enumerate() {
                let item_is_detached = matches!(item, Item::Detached { .. });
                match item {
                    Item::Step(kind) => {
                        // `threads` is an option of gathers and hedges (and spawns, below) only.
                        let threads = match kind {
                            StepKind::Gather(..) | StepKind::GatherUntil { .. } | StepKind::Hedge { .. } => threads,
                            _ => BranchThreads::Inline,
                        };
                        steps.push(Step { kind, label: None, threads })
                    }
                    Item::Spawn { program, join } | Item::Detached { program, join } => {
                        // Unique within the program and the limit bodies
                        // that share its names: one depth, one position.
                        let name = format!("s{depth}_{i}");
                        let kind = match item_is_detached {
                            true => StepKind::SpawnDetached { name: name.clone(), program },
                            false => StepKind::Spawn { name: name.clone(), program },
                        };
                        steps.push(Step { kind, label: None, threads });
                        if join {
                            steps.push(Step {
                                kind: StepKind::Join { name },
                                label: None,
                                threads: Default::default(),
                            });
                        }
                    }
                }
            }
            steps
        })
        .boxed()
}

/// Renames every spawn (and the join right after it) `u<n>`, n counting
/// through the whole program: names made per depth and position repeat in
/// sibling limit bodies, which share their program's names, and the parser
/// would reject such a scenario ("already spawned in this program").
fn unique_spawn_names(steps: &mut [Step], next: &mut u32) {
    for i in 0..steps.len() {
        match &mut steps[i].kind {
            StepKind::Spawn { name, program } | StepKind::SpawnDetached { name, program } => {
                let old = std::mem::replace(name, format!("u{next}"));
                *next += 1;
                unique_spawn_names(program, next);
                let new = match &steps[i].kind {
                    StepKind::Spawn { name, .. } | StepKind::SpawnDetached { name, .. } => name.clone(),
                    _ => unreachable!(),
                };
                if let Some(Step { kind: StepKind::Join { name }, .. }) = steps.get_mut(i + 1)
                    && *name == old
                {
                    *name = new;
                }
            }
            StepKind::Gather(branches, _) | StepKind::GatherUntil { branches, .. } => {
                for b in branches {
                    unique_spawn_names(&mut b.program, next);
                }
            }
            StepKind::Choose(branches) => {
                for b in branches {
                    unique_spawn_names(&mut b.program, next);
                }
            }
            StepKind::Hedge { programs, .. } => {
                for program in programs {
                    unique_spawn_names(program, next);
                }
            }
            StepKind::Timeout { program, .. }
            | StepKind::Limit { program, .. }
            | StepKind::Retry { program, .. }
            | StepKind::Repeat { program, .. } => unique_spawn_names(program, next),
            StepKind::Try { program, except, .. } => {
                unique_spawn_names(program, next);
                if let Some(except) = except {
                    unique_spawn_names(except, next);
                }
            }
            _ => {}
        }
    }
}

/// Every step of `steps`, nested ones included, given to `f` (parents first).
fn visit(steps: &mut [Step], f: &mut dyn FnMut(&mut Step)) {
    for step in steps {
        f(step);
        match &mut step.kind {
            StepKind::Gather(branches, _) | StepKind::GatherUntil { branches, .. } => {
                branches.iter_mut().for_each(|b| visit(&mut b.program, f))
            }
            StepKind::Choose(branches) => branches.iter_mut().for_each(|b| visit(&mut b.program, f)),
            StepKind::Hedge { programs, .. } => programs.iter_mut().for_each(|p| visit(p, f)),
            StepKind::Try { program, except, .. } => {
                visit(program, f);
                if let Some(except) = except {
                    visit(except, f);
                }
            }
            StepKind::Spawn { program, .. }
            | StepKind::SpawnDetached { program, .. }
            | StepKind::Timeout { program, .. }
            | StepKind::Limit { program, .. }
            | StepKind::Retry { program, .. }
            | StepKind::Repeat { program, .. }
            | StepKind::ToThread(program) => visit(program, f),
            _ => {}
        }
    }
}

/// A scenario without queues puts nothing: its puts become zero sleeps.
fn no_puts(steps: &mut [Step]) {
    visit(steps, &mut |step| {
        if matches!(step.kind, StepKind::Put(_)) {
            step.kind = StepKind::Sleep(Dist::Constant(SimDuration::ZERO));
        }
    });
}

/// Whether some step submits work to the threaded pool (`"threads": "pool"`).
fn submits_to_pool(scenario: &Scenario) -> bool {
    let mut found = false;
    for class in &scenario.classes {
        visit(&mut class.program.clone(), &mut |step| found |= step.threads == BranchThreads::Pool);
    }
    found
}

/// Whether a stall is a legitimate end of `strategy`'s run: a threaded
/// pool that tasks submit work to can deadlock (see the module's doc).
fn may_stall(scenario: &Scenario, strategy: &SimStrategy) -> bool {
    matches!(strategy.kind, StrategyKind::Threaded { .. }) && submits_to_pool(scenario)
}

fn bound() -> impl Strategy<Value = Bound> {
    prop_oneof![(1u64..15).prop_map(Bound::Count), (1u64..200).prop_map(|n| Bound::Duration(ms(n)))]
}

fn arrivals() -> impl Strategy<Value = Arrivals> {
    prop_oneof![
        (1u64..15).prop_map(|count| Arrivals::Batch { count }),
        (10.0f64..300.0, bound()).prop_map(|(rate_per_s, bound)| Arrivals::Poisson { rate_per_s, bound }),
        (1u64..50, bound()).prop_map(|(every, bound)| Arrivals::Interval { every: Dist::Constant(ms(every)), bound }),
        // Replayed gaps (a sequence), zeros among them: never all zero.
        (1u64..50, proptest::collection::vec(0u64..50, 0..4), bound()).prop_map(|(first, rest, bound)| {
            let gaps = std::iter::once(first).chain(rest).map(ms).collect();
            Arrivals::Interval { every: Dist::Sequence(gaps), bound }
        }),
        // Closed loops always have a positive think time here, so a
        // duration bound is always reached.
        (1u32..4, 1u64..20, bound()).prop_map(|(users, think, bound)| Arrivals::Closed {
            users,
            think: Dist::Constant(ms(think)),
            bound
        }),
    ]
}

fn strategy_kind() -> impl Strategy<Value = StrategyKind> {
    prop_oneof![
        Just(StrategyKind::Blocking),
        (1u32..6, any::<bool>(), 1u64..10).prop_map(|(workers, gil, switch)| StrategyKind::Threaded {
            workers,
            gil,
            switch_interval: ms(switch)
        }),
        prop::option::of(1u32..4).prop_map(|max_concurrency| StrategyKind::Cooperative { max_concurrency }),
    ]
}

/// A queue (its capacity, none: unbounded) and its worker class: how many
/// workers, and the CPU work of each iteration after its `get`.
fn queue() -> impl Strategy<Value = Option<(Option<u32>, u32, Dist)>> {
    prop::option::of((prop::option::of(1u32..4), 1u32..4, dist()))
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        any::<u64>(),
        1u32..4,
        prop::collection::vec(1u32..4, POOLS as usize),
        prop::collection::vec((arrivals(), program(2, 0)), 1..3),
        prop::collection::vec(strategy_kind(), 1..4),
        prop::option::of(50u64..400),
        queue(),
    )
        .prop_map(|(seed, cores, pool_sizes, mut classes, mut kinds, horizon, queue)| {
            let mut queues = Vec::new();
            match queue {
                None => classes.iter_mut().for_each(|(_, program)| no_puts(program)),
                Some((capacity, workers, work)) => {
                    queues.push(Queue { name: "q0".into(), capacity });
                    let program = vec![
                        Step { kind: StepKind::Get(0), label: None, threads: Default::default() },
                        Step { kind: StepKind::Cpu(work), label: None, threads: Default::default() },
                    ];
                    classes.push((Arrivals::Workers { count: workers }, program));
                    // Worker classes rule out blocking (R-QUEUE-BLOCKING);
                    // a thread more than the workers leaves the producers one.
                    for kind in &mut kinds {
                        match kind {
                            StrategyKind::Blocking => *kind = StrategyKind::Cooperative { max_concurrency: None },
                            StrategyKind::Threaded { workers: threads, .. } => *threads = (*threads).max(workers + 1),
                            _ => {}
                        }
                    }
                }
            }
            (seed, cores, pool_sizes, classes, kinds, horizon, queues)
        })
        .prop_map(|(seed, cores, pool_sizes, classes, kinds, horizon, queues)| Scenario {
            name: "generated".into(),
            description: String::new(),
            seed,
            machine: Machine { cores },
            pools: pool_sizes
                .into_iter()
                .enumerate()
                .map(|(i, size)| Pool { name: format!("p{i}"), size, when_full: WhenFull::Wait })
                .collect(),
            // 8 Mbit/s: a generated payload takes up to 0.2 s alone.
            links: vec![Link { name: "l0".into(), bits_per_s: 8_000_000 }],
            // Two servers that sometimes fail, slow down and turn requests away.
            services: vec![Service {
                name: "s0".into(),
                concurrency: 2,
                service: Dist::Exponential { mean_ns: 10e6 },
                fail: 0.1,
                rate_limit: Some(RateLimit { rate_per_s: 200.0, burst: 5 }),
                slowdowns: vec![Slowdown { from: ms(20), until: ms(60), factor: 3.0 }],
            }],
            queues,
            classes: classes
                .into_iter()
                .enumerate()
                .map(|(i, (arrivals, mut program))| {
                    unique_spawn_names(&mut program, &mut 0);
                    TaskClass { name: format!("c{i}"), arrivals, program }
                })
                .collect(),
            strategies: kinds
                .into_iter()
                .enumerate()
                .map(|(i, kind)| SimStrategy { label: format!("{}-{i}", kind.name()), kind })
                .collect(),
            horizon: horizon.map(ms),
            slos: Vec::new(),
            warmup: None,
            // Half the scenarios run under the cpython profile: its loop
            // callbacks and CPython's GIL (R-LOOP-CALLBACK, R-GIL-CONVOY).
            runtime: match seed % 2 {
                0 => simbench::scenario::runtime::Runtime::cpython(),
                _ => Default::default(),
            },
        })
}

// ----- observing a run ----------------------------------------------------

#[derive(Default)]
struct Log {
    records: Vec<TaskRecord>,
    trace: Vec<TraceEvent>,
    /// Items put into and got from queue 0.
    put: u64,
    got: u64,
    /// The latest time any call reported, and whether one went back.
    last: SimTime,
    time_went_back: bool,
}

impl Log {
    fn at(&mut self, t: SimTime) {
        self.time_went_back |= t < self.last;
        self.last = self.last.max(t);
    }
}

impl Observer for Log {
    fn task_ended(&mut self, record: &TaskRecord) {
        self.at(record.ended);
        self.records.push(*record);
    }
    fn tracing(&self) -> bool {
        true
    }
    fn trace(&mut self, event: &TraceEvent) {
        self.at(event.time);
        self.trace.push(*event);
    }
    fn queue(&mut self, change: &QueueChange) {
        self.at(change.time);
        match change.event {
            QueueEvent::Put { .. } => self.put += 1,
            QueueEvent::Got { .. } => self.got += 1,
            QueueEvent::Unblocked { .. } => {}
        }
    }
}

/// The run's log and counters; `None` for a stall that [`may_stall`] allows.
fn run(scenario: &Scenario, workload: &CompiledWorkload, strategy: &SimStrategy) -> Option<(Log, RunStats)> {
    let mut log = Log::default();
    match engine::run(scenario, workload, strategy, &mut log) {
        Ok(stats) => Some((log, stats)),
        Err(EngineError::Stalled { .. }) if may_stall(scenario, strategy) => None,
        Err(e) => panic!("generated scenarios cannot deadlock but on their own pool, yet: {e}\n{scenario:#?}"),
    }
}

/// The least time a program can take under any strategy: the cooperative
/// critical path with every step at its smallest possible draw. Spawned
/// programs count zero (a spawner need not wait for them).
fn least_time(steps: &[Step]) -> SimDuration {
    let mut total = SimDuration::ZERO;
    for step in steps {
        total += match &step.kind {
            StepKind::Io { duration: d, .. } | StepKind::Cpu(d) | StepKind::Sleep(d) | StepKind::Blocking(d) => match d
            {
                Dist::Constant(x) => *x,
                Dist::Uniform { min, .. } => *min,
                Dist::Sequence(v) => v.iter().copied().min().unwrap_or(SimDuration::ZERO),
                _ => SimDuration::ZERO,
            },
            // A branch's outcome returned as a result may cut it short.
            StepKind::Gather(_, GatherMode::ReturnExceptions) => SimDuration::ZERO,
            StepKind::Gather(branches, _) => {
                branches.iter().map(|b| least_time(&b.program)).max().unwrap_or(SimDuration::ZERO)
            }
            // A completed task's timeout bodies finished within budget.
            StepKind::Timeout { program, .. } | StepKind::Limit { program, .. } | StepKind::ToThread(program) => {
                least_time(program)
            }
            // A call's service time may be drawn as small as zero.
            StepKind::Spawn { .. }
            | StepKind::Join { .. }
            | StepKind::Call { .. }
            | StepKind::Put(_)
            | StepKind::Get(_) => SimDuration::ZERO,
            StepKind::SpawnDetached { .. } => SimDuration::ZERO,
            // At least one branch completed; the winning copy ran its program.
            StepKind::GatherUntil { branches, .. } => {
                branches.iter().map(|b| least_time(&b.program)).min().unwrap_or(SimDuration::ZERO)
            }
            StepKind::Hedge { programs, .. } => {
                programs.iter().map(|p| least_time(p)).min().unwrap_or(SimDuration::ZERO)
            }
            // A caught outcome may cut the body short.
            StepKind::Try { .. } | StepKind::Retry { .. } => SimDuration::ZERO,
            StepKind::Repeat { program, times } => {
                let fewest = match times {
                    Count::Fixed(n) => *n,
                    Count::Uniform { min, .. } => *min,
                    Count::Geometric { .. } => 1,
                    Count::Empirical(v) | Count::Sequence(v) => v.iter().copied().min().unwrap_or(0),
                };
                SimDuration::from_nanos(least_time(program).as_nanos() * u64::from(fewest))
            }
            StepKind::Choose(branches) => {
                branches.iter().map(|b| least_time(&b.program)).min().unwrap_or(SimDuration::ZERO)
            }
        };
    }
    total
}

/// Whether a program runs on one fiber only (no gather, spawn or timeout).
fn single_fiber(steps: &[Step]) -> bool {
    steps.iter().all(|s| match &s.kind {
        StepKind::Gather(..) | StepKind::Spawn { .. } | StepKind::Timeout { .. } | StepKind::ToThread(_) => false,
        StepKind::SpawnDetached { .. } | StepKind::GatherUntil { .. } | StepKind::Hedge { .. } => false,
        StepKind::Try { .. } | StepKind::Retry { .. } => false,
        StepKind::Repeat { .. } | StepKind::Choose(_) => false,
        StepKind::Limit { program, .. } => single_fiber(program),
        _ => true,
    })
}

// ----- properties ---------------------------------------------------------

proptest! {
    // 160 cases by default; PROPTEST_CASES=5000 for a longer search. Past
    // failures are kept beside this file (properties.proptest-regressions):
    // proptest's default would look in tests/proptest-regressions/, since
    // tests/it/ holds a main.rs.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(160),
        failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_task_is_accounted_for_once_and_time_never_goes_back(scenario in scenario()) {
        let workload = CompiledWorkload::compile(&scenario);
        for strategy in &scenario.strategies {
            let Some((log, stats)) = run(&scenario, &workload, strategy) else { continue };
            // Each (class, index) ends exactly once, and every arrival ends.
            let mut keys: Vec<(u16, u64)> = log.records.iter().map(|r| (r.class, r.index)).collect();
            keys.sort_unstable();
            let before = keys.len();
            keys.dedup();
            prop_assert_eq!(keys.len(), before, "a task ended twice");
            prop_assert_eq!(before as u64, stats.arrived, "arrived tasks not all accounted for");
            if scenario.horizon.is_none() {
                prop_assert!(log.records.iter().all(|r| r.outcome != Outcome::Cancelled));
            }
            // Time never goes back, in any report, nor across them.
            prop_assert!(log.records.windows(2).all(|w| w[0].ended <= w[1].ended));
            prop_assert!(log.trace.windows(2).all(|w| w[0].time <= w[1].time));
            prop_assert!(!log.time_went_back, "time went back under {}", strategy.label);
            // Permits and items are conserved: when every task has ended,
            // none is out of its pool and every item put was got, each by
            // one task of the worker class.
            prop_assert!(log.got <= log.put);
            if scenario.horizon.is_none() {
                prop_assert_eq!(stats.permits_out, 0, "permits out at the end under {}", strategy.label);
                prop_assert_eq!(log.put, log.got, "items not conserved under {}", strategy.label);
                if !scenario.queues.is_empty() {
                    let workers = scenario.classes.len() as u16 - 1;
                    let iterations = log.records.iter().filter(|r| r.class == workers).count() as u64;
                    prop_assert_eq!(iterations, log.got, "worker tasks != items got under {}", strategy.label);
                }
            } else {
                prop_assert!(stats.permits_out >= 0, "permits made under {}", strategy.label);
            }
            for r in &log.records {
                prop_assert!(r.arrived <= r.ended);
                if let Some(started) = r.started {
                    prop_assert!(r.arrived <= started && started <= r.ended);
                }
            }
            prop_assert!(stats.last_outcome <= stats.end);
        }
    }

    #[test]
    fn a_completed_task_takes_at_least_its_own_steps(scenario in scenario()) {
        let workload = CompiledWorkload::compile(&scenario);
        for strategy in &scenario.strategies {
            let Some((log, _)) = run(&scenario, &workload, strategy) else { continue };
            // Task numbers (trace) to (class, index within class) (records).
            let mut per_class = vec![0u64; scenario.classes.len()];
            let mut key_of = Vec::new();
            let mut sampled: Vec<SimDuration> = Vec::new();
            // (An idle queue worker is no task.)
            for event in log.trace.iter().filter(|e| e.idle_worker().is_none()) {
                match event.what {
                    TraceWhat::Arrived => {
                        key_of.push((event.class, per_class[event.class as usize]));
                        per_class[event.class as usize] += 1;
                        sampled.push(SimDuration::ZERO);
                    }
                    TraceWhat::Began { pc, duration: Some(ns) }
                        if matches!(workload.ops[pc as usize], Op::Io { .. } | Op::Cpu { .. } | Op::Sleep { .. } | Op::Blocking { .. }) =>
                    {
                        sampled[event.task as usize] += SimDuration::from_nanos(ns);
                    }
                    _ => {}
                }
            }
            for r in log.records.iter().filter(|r| r.outcome == Outcome::Completed) {
                let class = &scenario.classes[r.class as usize];
                let latency = r.ended - r.arrived;
                let bound = least_time(&class.program);
                prop_assert!(latency >= bound, "latency {latency} < least time {bound} under {}", strategy.label);
                if single_fiber(&class.program) {
                    let number = key_of.iter().position(|k| *k == (r.class, r.index)).expect("arrived");
                    let own = sampled[number];
                    prop_assert!(latency >= own, "latency {latency} < its own steps' {own} under {}", strategy.label);
                }
            }
        }
    }

    #[test]
    fn results_are_deterministic_and_independent_of_the_thread(scenario in scenario()) {
        let workload = CompiledWorkload::compile(&scenario);
        let measure = |s: &SimStrategy| -> Option<(StrategyResult, RunStats)> {
            match metrics::measure(&scenario, &workload, s, None) {
                Ok(m) => Some((m.result, m.stats)),
                Err(EngineError::Stalled { .. }) if may_stall(&scenario, s) => None,
                Err(e) => panic!("no deadlock but on a pool, yet: {e}"),
            }
        };
        let here: Vec<_> = scenario.strategies.iter().map(measure).collect();
        let again: Vec<_> = scenario.strategies.iter().map(measure).collect();
        prop_assert_eq!(&here, &again);
        // Each strategy on its own thread, in reverse order of start.
        let threaded: Vec<_> = std::thread::scope(|scope| {
            let handles: Vec<_> =
                scenario.strategies.iter().rev().map(|s| scope.spawn(move || measure(s))).collect();
            let mut results: Vec<_> = handles.into_iter().map(|h| h.join().expect("no panic")).collect();
            results.reverse();
            results
        });
        prop_assert_eq!(&here, &threaded);
    }
}
