//! The interpreter: runs a fiber's ops until it parks or ends, one small
//! method per op, and the helpers every op uses (draws, parking, waking).

use super::*;
use crate::model::program::ProgramId;
use crate::model::{BranchThreads, LinkId, PoolId};

/// What an op did to its fiber.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Flow {
    /// The fiber goes on with its next op now.
    Continue,
    /// The fiber parked (it waits for an event) or is gone.
    Parked,
}

impl<'a, O: Observer> Sim<'a, O> {
    /// Executes `f`'s ops until it parks or ends.
    pub(super) fn advance(&mut self, f: FiberId) {
        loop {
            let Fiber { pc, task, .. } = self.fibers[f];
            if self.tasks[task].started().is_none() {
                self.tasks[task].started = self.now;
                self.trace(task, TraceWhat::Started);
            }
            let flow = if self.fibers[f].failing() {
                self.raise_failure(f, pc)
            } else if self.tasks[task].unwinding() {
                self.finish_fiber(f);
                Flow::Parked
            } else {
                self.execute(f, pc)
            };
            if flow == Flow::Parked {
                return;
            }
        }
    }

    /// The step just completed failed (an io failure, a call out of
    /// attempts): the task ends with the failure's outcome.
    fn raise_failure(&mut self, f: FiberId, pc: u32) -> Flow {
        self.fibers[f].set_failing(false);
        let outcome = match self.w.ops[pc as usize] {
            // What a call or a to_thread body raised (R-TO-THREAD-FAILED).
            Op::Call { .. } | Op::ToThread { .. } => call_outcome(self.fibers[f].counter).unwrap_or(Outcome::Failed),
            _ => Outcome::Failed,
        };
        self.raise(f, outcome);
        self.flow_after_end(f)
    }

    /// After `end_task` (or `raise`) from inside `f`: cooperative freed `f`
    /// (it parks for good); on a thread `f` goes on, to unwind.
    fn flow_after_end(&self, f: FiberId) -> Flow {
        if self.fibers[f].state == State::Free { Flow::Parked } else { Flow::Continue }
    }

    /// Dispatches the op at `pc` to its method.
    #[inline]
    fn execute(&mut self, f: FiberId, pc: u32) -> Flow {
        match self.w.ops[pc as usize] {
            Op::Io { dist, fail } => self.op_io(f, dist, fail),
            Op::Transfer { link, bytes } => self.op_transfer(f, link, bytes),
            Op::Call { .. } => self.op_call(f),
            Op::Sleep { dist } => self.op_sleep(f, dist),
            Op::Blocking { dist } => self.op_blocking(f, dist),
            Op::Cpu { dist } => self.op_cpu(f, dist),
            Op::Gather { first, len, children, .. } => self.op_gather(f, first, len, children),
            Op::Spawn { slot, program } => self.op_spawn(f, slot, program),
            Op::Join { slot } => self.op_join(f, slot),
            Op::Timeout { after, program, .. } => self.op_timeout(f, after, program),
            Op::Acquire { pool } => self.op_acquire(f, pc, pool),
            Op::Release { pool } => {
                self.trace_fiber(f, TraceWhat::Ended { pc });
                self.release(pool);
                self.fibers[f].pc += 1;
                Flow::Continue
            }
            Op::End => {
                self.finish_fiber(f);
                Flow::Parked
            }
            Op::ToThread { program } => self.op_to_thread(f, program),
            Op::SpawnDetached { slot, program } => self.op_spawn_detached(f, slot, program),
            Op::GatherUntil { gather } => self.op_gather_until(f, gather),
            Op::Hedge { hedge } => self.op_hedge(f, hedge),
            Op::Put { queue } => self.op_put(f, queue),
            Op::Get { queue } => self.op_get(f, queue),
            Op::Loop { start } => self.op_loop(f, start),
            Op::Try { body, except, .. } => self.op_try(f, body, except),
            Op::Retry { body, .. } => self.op_retry(f, body),
            Op::IoPattern { dist, pattern } => self.op_io_pattern(f, dist, pattern),
            Op::Repeat { body, times } => self.op_repeat(f, body, times),
            Op::Choose { first, len } => self.op_choose(f, first, len),
        }
    }

    #[inline]
    fn op_io(&mut self, f: FiberId, dist: DistId, fail: f64) -> Flow {
        let d = self.sample(f, dist);
        let failing = fail > 0.0 && self.draw_failure(f, fail);
        self.await_io(f, d, failing)
    }

    /// `f` awaits an io operation of `d`, which fails at its end if `failing`.
    #[inline(always)]
    pub(super) fn await_io(&mut self, f: FiberId, d: SimDuration, failing: bool) -> Flow {
        self.fibers[f].set_failing(failing);
        self.begin(f, Some(d));
        self.wait_timer(f, d);
        Flow::Parked
    }

    fn op_transfer(&mut self, f: FiberId, link: LinkId, bytes: u64) -> Flow {
        self.begin(f, None);
        let generation = self.park(f, State::Transfer);
        self.links[link as usize].start(self.now, f, generation, bytes);
        self.link_changed(link, 0);
        self.awaiting(f);
        Flow::Parked
    }

    fn op_call(&mut self, f: FiberId) -> Flow {
        self.begin(f, None);
        self.fibers[f].counter = 1;
        if self.attempt(f) {
            self.awaiting(f);
            return Flow::Parked;
        }
        // Rejected at once, no retry left: `failing` is set.
        Flow::Continue
    }

    #[inline]
    fn op_sleep(&mut self, f: FiberId, dist: DistId) -> Flow {
        let d = self.sample(f, dist);
        self.begin(f, Some(d));
        if self.rounds_loop_timers() && self.on_loop(f) {
            // The slack is the selector's, if the loop waits (R-LOOP-SELECT).
            let generation = self.park(f, State::Timer);
            self.queue.push(self.now + d, Event::LoopTimer { fiber: f, generation });
            self.awaiting(f);
            return Flow::Parked;
        }
        let slack = self.overheads.timer_slack(d, self.on_loop(f));
        self.wait_timer(f, d + slack);
        Flow::Parked
    }

    fn op_blocking(&mut self, f: FiberId, dist: DistId) -> Flow {
        let d = self.sample(f, dist);
        self.begin(f, Some(d));
        if self.on_loop(f) {
            self.event_loop.occupied = true;
            let generation = self.park(f, State::LoopBlocked);
            self.queue.push(self.now + d, Event::LoopUnblocked { fiber: f, generation });
        } else {
            self.wait_timer(f, d);
        }
        Flow::Parked
    }

    #[inline]
    fn op_cpu(&mut self, f: FiberId, dist: DistId) -> Flow {
        let d = self.sample(f, dist);
        self.begin(f, Some(d));
        if d.is_zero() {
            self.step_done(f);
            return Flow::Continue;
        }
        if self.on_loop(f) {
            self.event_loop.occupied = true;
        }
        self.park(f, State::Cpu);
        self.cpu.request(self.now, f, d, &mut self.queue);
        Flow::Parked
    }

    fn op_gather(&mut self, f: FiberId, first: u32, len: u32, children: u32) -> Flow {
        self.begin(f, None);
        self.park(f, State::Children);
        if !self.cooperative() {
            let threads = self.branch_threads(f);
            if threads != BranchThreads::Inline {
                self.fibers[f].counter = children;
                self.submit_branches(f, first, len, Role::Gather, threads);
                return Flow::Parked;
            }
            self.fibers[f].counter = 0;
            self.start_gather_child(f);
            return Flow::Parked;
        }
        self.fibers[f].counter = children;
        self.start_branches(f, first, len, Role::Gather);
        self.awaiting(f);
        Flow::Parked
    }

    /// Cooperative: every copy of branches `first..first + len` becomes a
    /// ready child of `f` in `role`, numbered in branch order.
    #[inline]
    pub(super) fn start_branches(&mut self, f: FiberId, first: u32, len: u32, role: Role) {
        let mut ordinal = 0;
        for b in first..first + len {
            let Branch { program, copies } = self.w.branches[b as usize];
            for _ in 0..copies {
                let child = self.new_child(f, program, role, ordinal);
                self.make_ready(child);
                ordinal += 1;
            }
        }
    }

    fn op_spawn(&mut self, f: FiberId, slot: u8, program: ProgramId) -> Flow {
        self.begin(f, None);
        let threads = self.branch_threads(f);
        if threads != BranchThreads::Inline {
            self.fibers[f].spawn_live |= 1 << slot;
            self.submit(f, program, Role::Spawn(slot), u32::from(slot), threads);
            self.fibers[f].pc += 1;
            return Flow::Continue;
        }
        let child = self.new_child(f, program, Role::Spawn(slot), u32::from(slot));
        if self.cooperative() {
            self.fibers[f].spawn_live |= 1 << slot;
            self.make_ready(child);
            self.fibers[f].pc += 1;
            return Flow::Continue;
        }
        // On a thread the spawned program runs to its end first.
        self.park(f, State::Children);
        self.run_fiber_now(child);
        Flow::Parked
    }

    fn op_join(&mut self, f: FiberId, slot: u8) -> Flow {
        if self.fibers[f].spawn_done & (1 << slot) != 0 {
            self.fibers[f].pc += 1;
            return Flow::Continue;
        }
        self.begin(f, None);
        self.park(f, State::Join);
        self.fibers[f].counter = u32::from(slot);
        self.awaiting(f);
        Flow::Parked
    }

    fn op_timeout(&mut self, f: FiberId, after: SimDuration, program: ProgramId) -> Flow {
        self.begin(f, Some(after));
        let generation = self.park(f, State::Timeout);
        self.queue.push(self.now + after, Event::Deadline { fiber: f, generation });
        let child = self.new_child(f, program, Role::Timeout, 0);
        self.run_fiber_now(child);
        Flow::Parked
    }

    fn op_acquire(&mut self, f: FiberId, pc: u32, pool: PoolId) -> Flow {
        self.begin(f, None);
        let p = &mut self.pools[pool as usize];
        if p.available > 0 {
            p.available -= 1;
            self.trace_fiber(f, TraceWhat::Acquired { pc });
            self.fibers[f].pc += 1;
            return Flow::Continue;
        }
        if p.reject {
            // Like a failure: raised (the whole task ends unless a try catches it).
            self.raise(f, Outcome::Rejected);
            return self.flow_after_end(f);
        }
        let generation = self.park(f, State::Permit);
        self.fibers[f].counter = u32::from(pool);
        self.pools[pool as usize].waiters.push_back((f, generation));
        self.awaiting(f);
        Flow::Parked
    }

    fn op_to_thread(&mut self, f: FiberId, program: ProgramId) -> Flow {
        self.begin(f, None);
        self.park(f, State::Children);
        let child = self.new_child(f, program, Role::Offload, 0);
        if self.cooperative() {
            self.awaiting(f);
            self.submit_to_executor(child);
        } else {
            self.run_fiber_now(child);
        }
        Flow::Parked
    }

    /// Draws a step duration for the op at `f`'s pc.
    pub(super) fn sample(&mut self, f: FiberId, dist: DistId) -> SimDuration {
        let dist = &self.w.dists[dist as usize];
        if let Dist::Constant(d) = dist {
            return *d;
        }
        let (task_index, class, site) = self.draw_site(f);
        let rng = self.classes[class].steps.at(task_index, site);
        dist.sample_for(task_index, &mut || next_word(rng))
    }

    pub(super) fn draw_failure(&mut self, f: FiberId, probability: f64) -> bool {
        let (task_index, class, site) = self.draw_site(f);
        let word = next_word(self.classes[class].failures.at(task_index, site));
        ((word >> 11) as f64 / (1u64 << 53) as f64) < probability
    }

    /// (task index within class, class, site) naming the draw at `f`'s pc.
    #[inline]
    pub(super) fn draw_site(&self, f: FiberId) -> (u64, usize, u64) {
        let fiber = &self.fibers[f];
        let task = &self.tasks[fiber.task];
        let class = task.class() as usize;
        let offset = fiber.pc - self.classes[class].base;
        (task.index(), class, mix(fiber.instance, u64::from(offset)))
    }

    pub(super) fn park(&mut self, f: FiberId, state: State) -> u32 {
        let fiber = &mut self.fibers[f];
        fiber.state = state;
        fiber.generation = fiber.generation.wrapping_add(1);
        fiber.generation
    }

    pub(super) fn wait_timer(&mut self, f: FiberId, d: SimDuration) {
        let generation = self.park(f, State::Timer);
        self.queue.push(self.now + d, Event::Wake { fiber: f, generation });
        self.awaiting(f);
    }

    /// The op at `f`'s pc completed: trace it and move on.
    #[inline]
    pub(super) fn step_done(&mut self, f: FiberId) {
        let pc = self.fibers[f].pc;
        self.trace_fiber(f, TraceWhat::Ended { pc });
        self.fibers[f].pc += 1;
    }

    /// Makes a woken fiber runnable: on the loop's ready queue, or at once on
    /// its thread.
    pub(super) fn resume(&mut self, f: FiberId) {
        if self.on_loop(f) {
            self.make_ready(f);
        } else {
            self.run_fiber_now(f);
        }
    }

    pub(super) fn run_fiber_now(&mut self, f: FiberId) {
        self.fibers[f].state = State::Running;
        self.run_now.push_back(f);
    }

    pub(super) fn drain(&mut self) {
        while let Some(f) = self.run_now.pop_front() {
            if self.fibers[f].state == State::Running {
                self.advance(f);
            }
        }
    }
}
