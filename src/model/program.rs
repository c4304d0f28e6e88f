//! Compiled task programs: a flat, shared instruction arena.
//!
//! Every task runs a program, and a running task is only a program counter
//! into this arena plus a few integers (see the engine's fibers), so a million
//! pending coroutines cost memory for their counters, not for copies of their
//! programs.
//!
//! Layout: each program (a class's top-level program, and every sub-program of
//! a gather branch, spawn, timeout, try body, except or retry body, hedge) is a
//! contiguous run of [`Op`]s ending in [`Op::End`] (a worker class's
//! top-level program ends in [`Op::Loop`] instead, back to its start). A
//! `limit` compiles inline to `Acquire`, the body, `Release`.
//!
//! Invariants, established by [`CompiledWorkload::compile`]:
//! - every [`ProgramId`] points at the first op of a run that ends in `End`
//!   (or, for a worker class's top-level program, `Loop`);
//! - `Join { slot }` only appears after a `Spawn { slot, .. }` in the same run;
//! - an op's [`CompiledWorkload::held_pools`] are exactly the permits a fiber
//!   holds while that op is its next (or pending) op: the pools of the `limit`
//!   scopes enclosing it within its own run, where a scope's `Release` is
//!   inside it and its `Acquire` is not. A cancelled or unwinding fiber
//!   returns exactly these.

use super::{
    Arrivals, BranchThreads, Call, ChooseBranch, Count, Dist, Fail, GatherBranch, GatherMode, LinkId, OnExpiry, PoolId,
    QueueId, Retry, Scenario, Step, StepKind,
};
pub use crate::scenario::Rest;
use crate::time::SimDuration;

/// Index of an op in [`CompiledWorkload::ops`]; also the first op of a program.
pub type ProgramId = u32;
/// Index of a distribution in [`CompiledWorkload::dists`].
pub type DistId = u32;

/// One instruction. Compact on purpose: the engine reads one per step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    Io {
        dist: DistId,
        fail: f64,
    },
    /// A request to a service: `calls[call]` says which and the client's
    /// timeout and retry policy.
    Call {
        call: u32,
    },
    /// Moves `bytes` over link `link` (the payload of the `io` step just
    /// before it; shares that step's label).
    Transfer {
        link: LinkId,
        bytes: u64,
    },
    Cpu {
        dist: DistId,
    },
    Sleep {
        dist: DistId,
    },
    Blocking {
        dist: DistId,
    },
    /// Branches `branches[first .. first + len]`; `children` instances in all.
    Gather {
        first: u32,
        len: u32,
        children: u32,
        mode: GatherMode,
    },
    Spawn {
        slot: u8,
        program: ProgramId,
    },
    Join {
        slot: u8,
    },
    Timeout {
        after: SimDuration,
        program: ProgramId,
        /// Threads: stop the body at the deadline (`on_expiry: abort`).
        abort: bool,
    },
    Acquire {
        pool: PoolId,
    },
    Release {
        pool: PoolId,
    },
    End,
    /// `to_thread`: `program` runs on a worker thread (cooperative) or inline.
    ToThread {
        program: ProgramId,
    },
    /// `spawn` with `detached: true` (R-SPAWN-DETACHED).
    SpawnDetached {
        slot: u8,
        program: ProgramId,
    },
    /// A gather with `until`: `gathers[gather]` (R-GATHER-UNTIL).
    GatherUntil {
        gather: u32,
    },
    /// `hedges[hedge]` (R-HEDGE).
    Hedge {
        hedge: u32,
    },
    /// `put`: one item into queue `queue` (R-QUEUE-PUT).
    Put {
        queue: QueueId,
    },
    /// `get`: the oldest item of queue `queue` (R-QUEUE-GET).
    Get {
        queue: QueueId,
    },
    /// The end of a worker class's program: the iteration is over, the
    /// worker goes back to `start` (R-QUEUE-WORKERS).
    Loop {
        start: ProgramId,
    },
    /// `try`: `body` runs as a child; an outcome in `on` (bits of
    /// [`crate::scenario::Outcomes`]) raised inside it cancels it and runs `except`
    /// ([`NO_PROGRAM`]: none) instead.
    Try {
        body: ProgramId,
        except: ProgramId,
        on: u8,
    },
    /// `retry`: `body` runs as a child, again after a backoff when it raises
    /// an outcome in `on`, under the policy `retries[policy]`.
    Retry {
        body: ProgramId,
        policy: u32,
        on: u8,
    },
    /// An io step whose failures follow `fail_patterns[pattern]`: task k of
    /// its class fails with the k-th probability (R-SEQUENCE).
    IoPattern {
        dist: DistId,
        pattern: u32,
    },
    /// `repeat`: `body` runs as a child `counts[times]` times, one after
    /// another (R-REPEAT).
    Repeat {
        body: ProgramId,
        times: u32,
    },
    /// `choose`: one of `choices[first .. first + len]` runs as a child
    /// (R-CHOOSE).
    Choose {
        first: u32,
        len: u32,
    },
}

/// "No program": a `try` without `except`.
pub const NO_PROGRAM: ProgramId = ProgramId::MAX;

impl Op {
    /// The step kind's name, as written in scenarios.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Op::Io { .. } | Op::Transfer { .. } => "io",
            Op::Call { .. } => "call",
            Op::Cpu { .. } => "cpu",
            Op::Sleep { .. } => "sleep",
            Op::Blocking { .. } => "blocking",
            Op::Gather { .. } => "gather",
            Op::Spawn { .. } => "spawn",
            Op::Join { .. } => "join",
            Op::Timeout { .. } => "timeout",
            Op::Acquire { .. } => "limit",
            Op::Release { .. } => "release",
            Op::End => "end",
            Op::ToThread { .. } => "to_thread",
            Op::SpawnDetached { .. } => "spawn",
            Op::GatherUntil { .. } => "gather",
            Op::Hedge { .. } => "hedge",
            Op::Put { .. } => "put",
            Op::Get { .. } => "get",
            Op::Loop { .. } => "end",
            Op::Try { .. } => "try",
            Op::Retry { .. } => "retry",
            Op::IoPattern { .. } => "io",
            Op::Repeat { .. } => "repeat",
            Op::Choose { .. } => "choose",
        }
    }
}

/// A gather branch: `copies` instances of `program`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Branch {
    pub program: ProgramId,
    pub copies: u32,
}

/// A gather with `until`: branches `branches[first .. first + len]`
/// (`children` instances in all), of which `count` must complete.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GatherUntil {
    pub first: u32,
    pub len: u32,
    pub children: u32,
    pub count: u32,
    pub rest: Rest,
}

/// A branch of a `choose`: `program` runs when the draw `u` (uniform in
/// [0, 1)) is below `upto` and not below the previous branch's `upto`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Choice {
    pub program: ProgramId,
    /// The cumulative probability up to and including this branch; the
    /// last branch's is 1 (so rounding never leaves a draw unchosen).
    pub upto: f64,
}

/// A hedge: up to `copies` instances, `after` apart. Its programs are
/// `branches[first..first + len]`: one (every copy runs it) or one per copy
/// (R-HEDGE-COPIES); see [`CompiledWorkload::hedge_copy`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hedge {
    pub first: u32,
    pub len: u32,
    pub after: SimDuration,
    pub copies: u32,
}

pub use crate::scenario::MAX_SPAWN_SLOTS;

/// All programs of a scenario, compiled.
#[derive(Clone, Debug, Default)]
pub struct CompiledWorkload {
    pub ops: Vec<Op>,
    /// Per op: its label, if the step had one.
    pub labels: Vec<Option<Box<str>>>,
    /// Per op: range into `held` of the pools held while parked at that op.
    held_ranges: Vec<(u32, u32)>,
    held: Vec<PoolId>,
    pub dists: Vec<Dist>,
    pub branches: Vec<Branch>,
    /// The `call` steps' settings, indexed by [`Op::Call`].
    pub calls: Vec<Call>,
    /// The gathers with `until`, indexed by [`Op::GatherUntil`].
    pub gathers: Vec<GatherUntil>,
    /// The hedges, indexed by [`Op::Hedge`].
    pub hedges: Vec<Hedge>,
    /// Some program detaches work (a detached spawn, or a gather whose rest
    /// continues): the run counts what is still running at the horizon.
    pub detaches: bool,
    /// The `retry` steps' policies, indexed by [`Op::Retry`].
    pub retries: Vec<Retry>,
    /// The failure patterns of io steps, indexed by [`Op::IoPattern`].
    pub fail_patterns: Vec<Box<[f64]>>,
    /// The `repeat` steps' counts, indexed by [`Op::Repeat`].
    pub counts: Vec<Count>,
    /// The branches of every `choose`, indexed by [`Op::Choose`].
    pub choices: Vec<Choice>,
    /// The gather, spawn and hedge ops whose branches a threaded task does
    /// not run inline (R-THREADS-SUBMIT): (pc, where), in pc order.
    submits: Vec<(u32, BranchThreads)>,
    /// Per class, in scenario order: its top-level program.
    pub class_programs: Vec<ProgramId>,
    /// Per class: the first op of its region. A class's programs occupy one
    /// contiguous region, so `pc - base` names an op independently of the
    /// other classes (the engine keys random draws on it).
    pub class_bases: Vec<u32>,
}

impl CompiledWorkload {
    /// Compiles every class's program. The scenario is already validated, so
    /// this cannot fail.
    pub fn compile(scenario: &Scenario) -> CompiledWorkload {
        let mut out = CompiledWorkload::default();
        for class in &scenario.classes {
            out.class_bases.push(out.ops.len() as u32);
            let id = out.compile_program(&class.program);
            if matches!(class.arrivals, Arrivals::Workers { .. }) {
                // A worker loops: its top-level program ends in `Loop`.
                let end = out.ops.len() - 1;
                out.ops[end] = Op::Loop { start: id };
            }
            out.class_programs.push(id);
        }
        out
    }

    /// Pools a fiber parked at `pc` holds a permit of.
    pub fn held_pools(&self, pc: u32) -> &[PoolId] {
        let (start, end) = self.held_ranges[pc as usize];
        &self.held[start as usize..end as usize]
    }

    /// Where a threaded task runs the branches of the op at `pc`.
    #[inline]
    pub fn branch_threads(&self, pc: u32) -> BranchThreads {
        if self.submits.is_empty() {
            return BranchThreads::Inline;
        }
        self.submits.binary_search_by_key(&pc, |&(at, _)| at).map_or(BranchThreads::Inline, |i| self.submits[i].1)
    }

    /// The program copy `copy` of `hedge` runs: the hedge's one program,
    /// or the copy's own (R-HEDGE-COPIES).
    #[inline]
    pub fn hedge_copy(&self, hedge: &Hedge, copy: u32) -> ProgramId {
        let index = if hedge.len == 1 { 0 } else { copy.min(hedge.len - 1) };
        self.branches[(hedge.first + index) as usize].program
    }

    /// Some step submits its branches to the pool or to threads of their
    /// own (R-THREADS-SUBMIT).
    pub fn submits(&self) -> bool {
        !self.submits.is_empty()
    }

    /// The label of the op at `pc`, or its kind's name.
    pub fn display_name(&self, pc: u32) -> &str {
        match &self.labels[pc as usize] {
            Some(label) => label,
            None => self.ops[pc as usize].kind_name(),
        }
    }

    /// Compiles one program and everything it contains; returns its id.
    fn compile_program(&mut self, steps: &[Step]) -> ProgramId {
        // Sub-programs first, so this program's ops stay contiguous.
        let mut pending = Vec::with_capacity(steps.len());
        let mut slots: Vec<&str> = Vec::new();
        for step in steps {
            pending.push(self.prepare(step, &mut slots));
        }
        let start = self.ops.len() as ProgramId;
        let mut scopes: Vec<PoolId> = Vec::new();
        for (step, prepared) in steps.iter().zip(pending) {
            self.emit(step, prepared, &mut scopes);
        }
        self.push(Op::End, None, &scopes);
        start
    }

    /// Compiles a step's sub-programs and returns what its own op needs.
    fn prepare<'a>(&mut self, step: &'a Step, slots: &mut Vec<&'a str>) -> Prepared {
        match &step.kind {
            StepKind::Gather(branches, mode) => {
                let compiled: Vec<Branch> = branches
                    .iter()
                    .map(|b| Branch { program: self.compile_program(&b.program), copies: b.copies })
                    .collect();
                let first = self.branches.len() as u32;
                let children = compiled.iter().map(|b| b.copies).fold(0u32, u32::saturating_add);
                let len = compiled.len() as u32;
                self.branches.extend(compiled);
                // asyncio.gather leaves the other branches running.
                self.detaches |= *mode == GatherMode::Gather;
                Prepared::Op(Op::Gather { first, len, children, mode: *mode })
            }
            StepKind::Spawn { name, program } => {
                let program = self.compile_program(program);
                let slot = slot_of(slots, name);
                Prepared::Op(Op::Spawn { slot, program })
            }
            StepKind::Join { name } => Prepared::Op(Op::Join { slot: slot_of(slots, name) }),
            StepKind::Timeout { after, program, on_expiry } => Prepared::Op(Op::Timeout {
                after: *after,
                program: self.compile_program(program),
                abort: *on_expiry == OnExpiry::Abort,
            }),
            StepKind::Try { program, except, on } => {
                let body = self.compile_program(program);
                let except = except.as_ref().map_or(NO_PROGRAM, |e| self.compile_program(e));
                Prepared::Op(Op::Try { body, except, on: on.bits() })
            }
            StepKind::Retry { program, retry, on } => {
                let body = self.compile_program(program);
                self.retries.push(*retry);
                Prepared::Op(Op::Retry { body, policy: (self.retries.len() - 1) as u32, on: on.bits() })
            }
            StepKind::ToThread(program) => Prepared::Op(Op::ToThread { program: self.compile_program(program) }),
            StepKind::Limit { program, .. } => {
                Prepared::Limit(program.iter().map(|s| self.prepare(s, slots)).collect())
            }
            StepKind::Io { duration, fail, transfer } => {
                let dist = self.dist(duration);
                let io = match fail {
                    Fail::Probability(p) => Op::Io { dist, fail: *p },
                    Fail::Sequence(pattern) => {
                        self.fail_patterns.push(pattern.clone());
                        Op::IoPattern { dist, pattern: (self.fail_patterns.len() - 1) as u32 }
                    }
                };
                match transfer {
                    None => Prepared::Op(io),
                    Some(t) => Prepared::Transfer(io, Op::Transfer { link: t.link, bytes: t.bytes }),
                }
            }
            StepKind::Call { call, transfer } => {
                self.calls.push(call.clone());
                let op = Op::Call { call: (self.calls.len() - 1) as u32 };
                match transfer {
                    None => Prepared::Op(op),
                    Some(t) => Prepared::Transfer(op, Op::Transfer { link: t.link, bytes: t.bytes }),
                }
            }
            StepKind::Cpu(d) => Prepared::Op(Op::Cpu { dist: self.dist(d) }),
            StepKind::Sleep(d) => Prepared::Op(Op::Sleep { dist: self.dist(d) }),
            StepKind::Blocking(d) => Prepared::Op(Op::Blocking { dist: self.dist(d) }),
            StepKind::SpawnDetached { name, program } => {
                let program = self.compile_program(program);
                self.detaches = true;
                Prepared::Op(Op::SpawnDetached { slot: slot_of(slots, name), program })
            }
            StepKind::GatherUntil { branches, count, rest } => Prepared::Op(self.gather_until(branches, *count, *rest)),
            StepKind::Hedge { programs, after, copies } => {
                let compiled: Vec<Branch> =
                    programs.iter().map(|p| Branch { program: self.compile_program(p), copies: 1 }).collect();
                let (first, len) = (self.branches.len() as u32, compiled.len() as u32);
                self.branches.extend(compiled);
                self.hedges.push(Hedge { first, len, after: *after, copies: *copies });
                Prepared::Op(Op::Hedge { hedge: (self.hedges.len() - 1) as u32 })
            }
            StepKind::Repeat { program, times } => {
                let body = self.compile_program(program);
                self.counts.push(times.clone());
                Prepared::Op(Op::Repeat { body, times: (self.counts.len() - 1) as u32 })
            }
            StepKind::Choose(branches) => Prepared::Op(self.choose(branches)),
            StepKind::Put(queue) => Prepared::Op(Op::Put { queue: *queue }),
            StepKind::Get(queue) => Prepared::Op(Op::Get { queue: *queue }),
        }
    }

    fn gather_until(&mut self, branches: &[GatherBranch], count: u32, rest: Rest) -> Op {
        let compiled: Vec<Branch> =
            branches.iter().map(|b| Branch { program: self.compile_program(&b.program), copies: b.copies }).collect();
        let first = self.branches.len() as u32;
        let children = compiled.iter().map(|b| b.copies).fold(0u32, u32::saturating_add);
        let len = compiled.len() as u32;
        self.branches.extend(compiled);
        self.detaches |= rest == Rest::Continue;
        self.gathers.push(GatherUntil { first, len, children, count, rest });
        Op::GatherUntil { gather: (self.gathers.len() - 1) as u32 }
    }

    fn choose(&mut self, branches: &[ChooseBranch]) -> Op {
        let programs: Vec<ProgramId> = branches.iter().map(|b| self.compile_program(&b.program)).collect();
        let total: f64 = branches.iter().map(|b| b.weight).sum();
        let first = self.choices.len() as u32;
        let mut sum = 0.0;
        for (i, (branch, program)) in branches.iter().zip(programs).enumerate() {
            sum += branch.weight;
            let upto = if i + 1 == branches.len() { 1.0 } else { sum / total };
            self.choices.push(Choice { program, upto });
        }
        Op::Choose { first, len: branches.len() as u32 }
    }

    fn emit(&mut self, step: &Step, prepared: Prepared, scopes: &mut Vec<PoolId>) {
        let label = step.label.as_deref();
        match (prepared, &step.kind) {
            (Prepared::Op(op), _) => {
                if step.threads != BranchThreads::Inline {
                    self.submits.push((self.ops.len() as u32, step.threads));
                }
                self.push(op, label, scopes)
            }
            (Prepared::Transfer(io, transfer), _) => {
                self.push(io, label, scopes);
                self.push(transfer, label, scopes);
            }
            (Prepared::Limit(inner), StepKind::Limit { pool, program }) => {
                self.push(Op::Acquire { pool: *pool }, label, scopes);
                scopes.push(*pool);
                for (sub, prepared) in program.iter().zip(inner) {
                    self.emit(sub, prepared, scopes);
                }
                // A fiber about to execute the release still holds the permit.
                self.push(Op::Release { pool: *pool }, label, scopes);
                scopes.pop();
            }
            (Prepared::Limit(_), _) => unreachable!("prepare returns Limit only for limit steps"),
        }
    }

    fn push(&mut self, op: Op, label: Option<&str>, scopes: &[PoolId]) {
        let start = self.held.len() as u32;
        self.held.extend_from_slice(scopes);
        self.held_ranges.push((start, self.held.len() as u32));
        self.ops.push(op);
        self.labels.push(label.map(Box::from));
    }

    fn dist(&mut self, dist: &Dist) -> DistId {
        self.dists.push(dist.clone());
        (self.dists.len() - 1) as DistId
    }
}

/// A step prepared for emission: its op, or a limit's prepared body.
enum Prepared {
    Op(Op),
    /// An `io` or `call` step with a payload: its op, then the transfer.
    Transfer(Op, Op),
    Limit(Vec<Prepared>),
}

/// The slot of a spawn name within one program, assigned on first use.
fn slot_of<'a>(slots: &mut Vec<&'a str>, name: &'a str) -> u8 {
    match slots.iter().position(|s| *s == name) {
        Some(i) => i as u8,
        None => {
            slots.push(name);
            (slots.len() - 1) as u8
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Arrivals, Machine, TaskClass};

    fn step(kind: StepKind) -> Step {
        Step { kind, label: None, threads: Default::default() }
    }

    fn io(ms: u64) -> Step {
        step(StepKind::Io { duration: Dist::Constant(SimDuration::from_millis(ms)), fail: Fail::NEVER, transfer: None })
    }

    fn scenario(program: Vec<Step>) -> Scenario {
        Scenario {
            name: "t".into(),
            description: String::new(),
            seed: 1,
            machine: Machine::default(),
            pools: vec![],
            links: vec![],
            services: vec![],
            queues: vec![],
            classes: vec![TaskClass { name: "c".into(), arrivals: Arrivals::Batch { count: 1 }, program }],
            strategies: vec![],
            horizon: None,
            slos: vec![],
            warmup: None,
            runtime: Default::default(),
        }
    }

    #[test]
    fn limit_compiles_inline_and_records_held_pools() {
        let w = CompiledWorkload::compile(&scenario(vec![
            io(1),
            step(StepKind::Limit { pool: 3, program: vec![io(2)] }),
            io(3),
        ]));
        let p = w.class_programs[0] as usize;
        assert!(matches!(w.ops[p + 1], Op::Acquire { pool: 3 }));
        assert!(matches!(w.ops[p + 3], Op::Release { pool: 3 }));
        assert_eq!(w.held_pools(p as u32 + 1), &[] as &[PoolId], "not held while waiting to acquire");
        assert_eq!(w.held_pools(p as u32 + 2), &[3]);
        assert_eq!(w.held_pools(p as u32 + 3), &[3], "still held before the release runs");
        assert_eq!(w.held_pools(p as u32 + 4), &[] as &[PoolId]);
        assert!(matches!(w.ops[p + 5], Op::End));
    }

    #[test]
    fn gather_counts_children_over_copies() {
        let w = CompiledWorkload::compile(&scenario(vec![step(StepKind::Gather(
            vec![GatherBranch { copies: 3, program: vec![io(1)] }, GatherBranch { copies: 2, program: vec![io(2)] }],
            GatherMode::TaskGroup,
        ))]));
        let top = w.class_programs[0] as usize;
        let Op::Gather { first, len, children, .. } = w.ops[top] else { panic!("expected gather") };
        assert_eq!((len, children), (2, 5));
        let branch = w.branches[first as usize];
        assert!(matches!(w.ops[branch.program as usize], Op::Io { .. }));
        assert!(matches!(w.ops[branch.program as usize + 1], Op::End));
    }

    #[test]
    fn spawn_and_join_share_a_slot() {
        let w = CompiledWorkload::compile(&scenario(vec![
            step(StepKind::Spawn { name: "a".into(), program: vec![io(1)] }),
            step(StepKind::Spawn { name: "b".into(), program: vec![io(1)] }),
            step(StepKind::Join { name: "b".into() }),
        ]));
        let top = w.class_programs[0] as usize;
        assert!(matches!(w.ops[top + 1], Op::Spawn { slot: 1, .. }));
        assert!(matches!(w.ops[top + 2], Op::Join { slot: 1 }));
    }
}
