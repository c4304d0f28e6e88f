//! Work a fiber does not wait for to its end: detached spawns
//! (R-SPAWN-DETACHED), gathers that resume when some of their children
//! have completed (R-GATHER-UNTIL), and hedges (R-HEDGE).
//!
//! Cooperative only, the parts that outlive their scope: a detached fiber
//! (role [`Role::Detached`]) is orphaned (its parent link cleared) when its
//! parent ends, so its own end tells nobody; the task's outcome is recorded
//! when its root ends, and its slot freed when its last fiber ends. A task
//! with detached work carries [`Task::DETACHED`]; an outcome raised inside a
//! detached program ends that program only, and one raised elsewhere spares
//! the detached programs. Threads run all of this inline (see docs/model.md)
//! unless the step submits its branches (`submit.rs`).

use super::interpreter::Flow;
use super::*;
use crate::model::BranchThreads;
use crate::model::program::{GatherUntil, Hedge, ProgramId, Rest};

impl<'a, O: Observer> Sim<'a, O> {
    #[inline(never)]
    pub(super) fn op_spawn_detached(&mut self, f: FiberId, slot: u8, program: ProgramId) -> Flow {
        self.begin(f, None);
        let threads = self.branch_threads(f);
        if threads != BranchThreads::Inline {
            self.submit(f, program, Role::Detached(slot), u32::from(slot), threads);
            self.fibers[f].pc += 1;
            return Flow::Continue;
        }
        let child = self.new_child(f, program, Role::Detached(slot), u32::from(slot));
        if self.cooperative() {
            let task = self.fibers[f].task;
            self.tasks[task].number_flags |= Task::DETACHED;
            self.fibers[f].flags |= Fiber::HAS_DETACHED;
            self.make_ready(child);
            self.fibers[f].pc += 1;
            return Flow::Continue;
        }
        // On a thread the program runs inline, as a plain spawn's does.
        self.park(f, State::Children);
        self.run_fiber_now(child);
        Flow::Parked
    }

    #[inline(never)]
    pub(super) fn op_gather_until(&mut self, f: FiberId, gather: u32) -> Flow {
        let GatherUntil { first, len, count, .. } = self.w.gathers[gather as usize];
        self.begin(f, None);
        self.park(f, State::Children);
        if !self.cooperative() {
            let threads = self.branch_threads(f);
            if threads != BranchThreads::Inline {
                self.fibers[f].counter = count;
                self.submit_branches(f, first, len, Role::GatherUntil, threads);
                return Flow::Parked;
            }
            self.fibers[f].counter = 0;
            self.start_gather_until_child(f);
            return Flow::Parked;
        }
        self.fibers[f].counter = count;
        self.start_branches(f, first, len, Role::GatherUntil);
        self.awaiting(f);
        Flow::Parked
    }

    #[inline(never)]
    pub(super) fn op_hedge(&mut self, f: FiberId, hedge: u32) -> Flow {
        let hedge = self.w.hedges[hedge as usize];
        let Hedge { after, copies, .. } = hedge;
        let program = self.w.hedge_copy(&hedge, 0);
        self.begin(f, None);
        let generation = self.park(f, State::Children);
        self.fibers[f].counter = 1;
        let threads = self.branch_threads(f);
        if threads != BranchThreads::Inline {
            self.submit(f, program, Role::Hedge, 0, threads);
            if copies > 1 {
                self.queue.push(self.now + after, Event::HedgeNext { fiber: f, generation });
            }
            return Flow::Parked;
        }
        let child = self.new_child(f, program, Role::Hedge, 0);
        if !self.cooperative() {
            // A thread waits for its one copy: nothing starts the next.
            self.run_fiber_now(child);
            return Flow::Parked;
        }
        self.make_ready(child);
        if copies > 1 {
            self.queue.push(self.now + after, Event::HedgeNext { fiber: f, generation });
        }
        self.awaiting(f);
        Flow::Parked
    }

    /// `after` has passed since the hedge's last copy started and none has
    /// completed: the next copy starts.
    #[inline(never)]
    pub(super) fn on_hedge_next(&mut self, f: FiberId, generation: u32) {
        if !self.is_current(f, generation, State::Children) {
            return;
        }
        let Fiber { pc, counter, .. } = self.fibers[f];
        let Op::Hedge { hedge } = self.w.ops[pc as usize] else {
            unreachable!("a hedge's timer returns to a hedge op")
        };
        let hedge = self.w.hedges[hedge as usize];
        let Hedge { after, copies, .. } = hedge;
        let program = self.w.hedge_copy(&hedge, counter);
        self.fibers[f].counter = counter + 1;
        let threads = self.branch_threads(f);
        if threads != BranchThreads::Inline {
            self.submit(f, program, Role::Hedge, counter, threads);
        } else {
            let child = self.new_child(f, program, Role::Hedge, counter);
            self.make_ready(child);
        }
        if counter + 1 < copies {
            self.queue.push(self.now + after, Event::HedgeNext { fiber: f, generation });
        }
    }

    /// A child of the kinds this module adds ended; `p` is its parent.
    #[inline(never)]
    pub(super) fn waiting_child_finished(&mut self, p: FiberId, role: Role) {
        let unwinding = self.tasks[self.fibers[p].task].unwinding();
        match role {
            Role::Detached(slot) => {
                let on_thread = !self.cooperative();
                let fiber = &mut self.fibers[p];
                fiber.spawn_done |= 1u32.checked_shl(u32::from(slot)).unwrap_or(0);
                match fiber.state {
                    State::Join if fiber.counter == u32::from(slot) => {
                        self.step_done(p);
                        self.resume(p);
                    }
                    // On a thread the parent waited for the program inline.
                    State::Children if on_thread => {
                        self.step_done(p);
                        self.resume(p);
                    }
                    _ => {}
                }
            }
            Role::GatherUntil if self.cooperative() => self.gather_child_completed(p),
            Role::GatherUntil => {
                self.fibers[p].counter += 1;
                if unwinding || !self.start_gather_until_child(p) {
                    if !unwinding {
                        self.step_done(p);
                    }
                    self.resume(p);
                }
            }
            Role::Hedge if self.cooperative() => {
                // The first copy to complete wins; the others are cancelled.
                self.cancel_children(p, Role::Hedge);
                self.step_done(p);
                self.resume(p);
            }
            Role::Hedge => {
                if !unwinding {
                    self.step_done(p);
                }
                self.resume(p);
            }
            _ => unreachable!("the other roles are handled by child_finished"),
        }
    }

    /// Cooperative: one more child of the gather at `p` has completed (a
    /// branch that fails does not get here: its failure ends the task, as
    /// in a plain gather). At the count, the rest is cancelled or detached
    /// and the parent resumes.
    fn gather_child_completed(&mut self, p: FiberId) {
        self.fibers[p].counter -= 1;
        if self.fibers[p].counter != 0 {
            return;
        }
        let Op::GatherUntil { gather } = self.w.ops[self.fibers[p].pc as usize] else {
            unreachable!("gather children return to a gather op")
        };
        match self.w.gathers[gather as usize].rest {
            Rest::Cancel => self.cancel_children(p, Role::GatherUntil),
            Rest::Continue => self.detach_children(p, Role::GatherUntil, FiberId::NONE),
        }
        self.step_done(p);
        self.resume(p);
    }

    /// Threads: starts the gather child whose ordinal is the parent's
    /// counter, if the gather runs it. With `rest: cancel` the first
    /// `count` run, with `continue` all. Returns false when it is complete.
    fn start_gather_until_child(&mut self, p: FiberId) -> bool {
        let Fiber { pc, counter, .. } = self.fibers[p];
        let Op::GatherUntil { gather } = self.w.ops[pc as usize] else {
            unreachable!("gather children return to a gather op")
        };
        let GatherUntil { first, len, children, count, rest } = self.w.gathers[gather as usize];
        let runs = if rest == Rest::Cancel { count } else { children };
        if counter >= runs {
            return false;
        }
        let mut ordinal = counter;
        for b in first..first + len {
            let Branch { program, copies } = self.w.branches[b as usize];
            if ordinal < copies {
                let child = self.new_child(p, program, Role::GatherUntil, counter);
                self.run_fiber_now(child);
                return true;
            }
            ordinal -= copies;
        }
        false
    }

    /// The child of `p` that `g` descends from (or is), unless a detached
    /// program lies between them.
    pub(super) fn child_of(&self, mut g: FiberId, p: FiberId) -> Option<FiberId> {
        loop {
            let fiber = &self.fibers[g];
            if fiber.parent == p {
                return Some(g);
            }
            if fiber.parent.is_none() || matches!(fiber.role, Role::Detached(_)) {
                return None;
            }
            g = fiber.parent;
        }
    }

    /// The detached program `g` runs in (itself or its nearest detached
    /// ancestor), if any.
    fn detached_top(&self, mut g: FiberId) -> Option<FiberId> {
        loop {
            let fiber = &self.fibers[g];
            if matches!(fiber.role, Role::Detached(_)) {
                return Some(g);
            }
            if fiber.parent.is_none() {
                return None;
            }
            g = fiber.parent;
        }
    }

    /// Cooperative: cancels, at their awaits, the fibers `doomed` picks of
    /// `task`, returning their permits once all are gone; detached programs
    /// they spawned are orphaned and run on.
    pub(super) fn cancel_where(&mut self, task: TaskId, doomed: impl Fn(&Self, FiberId) -> bool) {
        let mut cancel = std::mem::take(&mut self.scope);
        cancel.clear();
        let mut g = self.tasks[task].fibers;
        while g.is_some() {
            if doomed(self, g) {
                cancel.push(g);
            }
            g = self.fibers[g].next;
        }
        if self.tasks[task].detached() {
            let mut g = self.tasks[task].fibers;
            while g.is_some() {
                let Fiber { parent, role, next, .. } = self.fibers[g];
                if matches!(role, Role::Detached(_)) && parent.is_some() && cancel.contains(&parent) {
                    self.fibers[g].parent = FiberId::NONE;
                }
                g = next;
            }
        }
        self.returned.clear();
        for &g in &cancel {
            self.cancel_fiber(g);
        }
        for i in 0..self.returned.len() {
            let pool = self.returned[i];
            self.release(pool);
        }
        self.scope = cancel;
    }

    /// Cooperative: cancels the children of `p` of role `role` and all they
    /// run (but not the detached programs they spawned).
    fn cancel_children(&mut self, p: FiberId, role: Role) {
        let task = self.fibers[p].task;
        self.cancel_where(task, |sim, g| sim.child_of(g, p).is_some_and(|c| sim.fibers[c].role == role));
    }

    /// Cooperative: the children of `p` of role `role`, but `spared`, run
    /// on, detached.
    pub(super) fn detach_children(&mut self, p: FiberId, role: Role, spared: FiberId) {
        let task = self.fibers[p].task;
        self.tasks[task].number_flags |= Task::DETACHED;
        let mut g = self.tasks[task].fibers;
        while g.is_some() {
            let fiber = &mut self.fibers[g];
            if fiber.parent == p && fiber.role == role && g != spared {
                fiber.parent = FiberId::NONE;
                fiber.role = Role::Detached(NO_SLOT);
            }
            g = fiber.next;
        }
    }

    /// `f` ends: its detached children run on without a parent.
    #[inline(never)]
    pub(super) fn orphan_detached(&mut self, f: FiberId) {
        let mut g = self.tasks[self.fibers[f].task].fibers;
        while g.is_some() {
            let fiber = &mut self.fibers[g];
            if fiber.parent == f && matches!(fiber.role, Role::Detached(_)) {
                fiber.parent = FiberId::NONE;
            }
            g = fiber.next;
        }
    }

    /// A detached program whose parent has ended finished: the task's slot
    /// is freed if it was its last fiber.
    #[inline(never)]
    pub(super) fn orphan_finished(&mut self, task: TaskId) {
        let t = &self.tasks[task];
        if t.fibers.is_none() && t.ended() {
            self.task_done(task);
        }
    }

    /// An outcome is raised at `f`, in a workload without handlers. Inside a
    /// detached program it ends that program only (its failures are
    /// ignored); otherwise the task ends.
    #[inline(never)]
    pub(super) fn end_from(&mut self, f: FiberId, task: TaskId, outcome: Outcome) {
        if self.tasks[task].detached()
            && let Some(top) = self.detached_top(f)
        {
            return self.end_detached(task, top);
        }
        self.end_task(task, outcome);
    }

    /// Cooperative: an outcome ends the detached program `top` (and all it
    /// runs but its own detached programs); a `join` waiting for it resumes.
    #[inline(never)]
    pub(super) fn end_detached(&mut self, task: TaskId, top: FiberId) {
        let Fiber { parent, role, .. } = self.fibers[top];
        self.cancel_where(task, |sim, g| sim.detached_top(g) == Some(top));
        if parent.is_some() {
            self.waiting_child_finished(parent, role);
        } else {
            self.orphan_finished(task);
        }
    }

    /// Cooperative, the task has detached programs: it ends early, but they
    /// run on; its slot is freed when the last of them ends.
    #[inline(never)]
    pub(super) fn end_task_sparing_detached(&mut self, task: TaskId) {
        self.cancel_where(task, |sim, g| sim.detached_top(g).is_none());
        if self.tasks[task].fibers.is_none() {
            self.task_done(task);
        }
    }

    /// At the horizon: detached programs still running (asyncio: "Task was
    /// destroyed but it is pending!").
    #[inline(never)]
    pub(super) fn count_detached_pending(&mut self) {
        if !self.w.detaches {
            return;
        }
        let pending = self
            .fibers
            .ids()
            .filter(|&g| {
                let fiber = &self.fibers[g];
                fiber.state != State::Free && matches!(fiber.role, Role::Detached(_))
            })
            .count();
        self.stats.detached_pending = Some(pending as u64);
    }
}
