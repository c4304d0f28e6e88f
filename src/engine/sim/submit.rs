//! Threads: concurrency inside a task (R-THREADS-SUBMIT). Under the
//! `threaded` strategy a gather, spawn or hedge step with `"threads":
//! "pool"` or `"new"` does not run its branches one after another on the
//! task's thread: each becomes a *work item*, as `executor.submit` makes a
//! `concurrent.futures.Future`.
//!
//! A work item is a task record of its own ([`Task::SUBMITTED`], numbered
//! as the task that submitted it, of its class and index, so its draws are
//! the branch's): its own stack, its own unwinding, its own outcome, which
//! is *delivered* to the submitting fiber when the item's thread is done,
//! as `fut.result()` returns or re-raises. It is not an arrival: no
//! latency, no outcome count, no tasks in flight.
//!
//! - `pool`: the item waits for a worker of the strategy's pool in the same
//!   FIFO as arriving tasks (`ThreadPoolExecutor`'s one work queue), while
//!   the submitting task keeps its own worker. When every worker is held by
//!   a task waiting for items queued behind them, nothing can run: the run
//!   stalls and the stall names the deadlock.
//! - `new`: the item starts on a thread of its own at once (after the
//!   runtime's thread start, one start after another).
//!
//! What the submitting fiber sees (checked on delivery, so that an item
//! whose submitter moved on or is gone delivers to nobody):
//! - a gather waits for its items: a completion counts; a failure is
//!   raised in the gather (the first `result()` to raise) and the other
//!   items run on, abandoned, unless the gather is in `return_exceptions`
//!   mode, where it counts as done;
//! - a gather with `until` resumes at its count, a hedge at its first
//!   completion; the rest run on (a thread cannot be cancelled);
//! - queued items of an abandoned gather in TaskGroup mode, of an `until`
//!   with `rest: cancel` and of a hedge are cancelled when they reach the
//!   head of the queue (`future.cancel()` succeeds on pending futures);
//! - a spawn's item is awaited by its `join` and at the fiber's end; a
//!   failure is raised in the fiber at once. A detached spawn's item is
//!   awaited only by a `join`; its outcome is never retrieved.
//!
//! Invariants: an item holds a worker (`pool`) or a thread of its own
//! (`new`) from its start to its end, and exactly one delivery is made per
//! item, to a fiber still waiting for it or to nobody.

use super::*;
use crate::model::program::ProgramId;
use crate::model::program::Rest;
use crate::model::{BranchThreads, GatherMode};

/// What a work item tells the fiber that submitted it, and how to
/// recognise that fiber still waiting.
#[derive(Clone, Copy, Debug)]
pub(super) struct ItemLink {
    /// The submitting fiber; `NONE`: nobody to tell.
    parent: FiberId,
    /// A gather's or hedge's generation while it waits (state `Children`);
    /// a spawner's draw instance (it goes on running meanwhile).
    check: u64,
    /// The arrival number of the submitting task, its slot, and whether it
    /// is itself a work item (an item's program may submit in turn).
    number: u64,
    task: TaskId,
    submitted: bool,
    /// The item's role towards its parent: `Gather`, `GatherUntil`,
    /// `Hedge`, `Spawn(slot)` or `Detached(slot)`.
    role: Role,
    /// On a worker of the pool (`pool`), or on a thread of its own (`new`).
    on_worker: bool,
    /// Cancelled, if still queued, once the parent stops waiting for it.
    cancel_queued: bool,
    /// The item's outcome, recorded when it ends.
    outcome: Outcome,
}

impl ItemLink {
    const NONE: ItemLink = ItemLink {
        parent: FiberId::NONE,
        check: 0,
        number: 0,
        task: TaskId::NONE,
        submitted: false,
        role: Role::Root,
        on_worker: false,
        cancel_queued: false,
        outcome: Outcome::Completed,
    };
}

impl<'a, O: Observer> Sim<'a, O> {
    /// Where the op at `f`'s pc runs its branches: always inline but under
    /// the `threaded` strategy.
    #[inline]
    pub(super) fn branch_threads(&self, f: FiberId) -> BranchThreads {
        if !self.starts_threads || !self.w.submits() {
            return BranchThreads::Inline;
        }
        self.w.branch_threads(self.fibers[f].pc)
    }

    /// Submits every copy of branches `first..first + len` of `f`'s gather
    /// as work items, numbered in branch order as cooperative's children.
    pub(super) fn submit_branches(&mut self, f: FiberId, first: u32, len: u32, role: Role, threads: BranchThreads) {
        let mut ordinal = 0;
        for b in first..first + len {
            let Branch { program, copies } = self.w.branches[b as usize];
            for _ in 0..copies {
                self.submit(f, program, role, ordinal, threads);
                ordinal += 1;
            }
        }
    }

    /// `parent`'s child number `ordinal` in `role`, running `program`, as a
    /// work item: on a free worker, queued for one, or on a new thread.
    pub(super) fn submit(
        &mut self,
        parent: FiberId,
        program: ProgramId,
        role: Role,
        ordinal: u32,
        threads: BranchThreads,
    ) {
        let p = self.fibers[parent];
        let t = self.tasks[p.task];
        let number = t.number();
        let item = self.tasks.insert(Task {
            index_class: t.index_class,
            number_flags: number | Task::IN_USE | Task::SUBMITTED,
            arrived: self.now,
            ..Task::FREE
        });
        self.queue_item_started(t.class());
        let instance = self.child_instance(parent, ordinal);
        let root = self.alloc_fiber(Fiber { pc: program, task: item, instance, ..Fiber::FREE });
        let check = match role {
            Role::Spawn(_) | Role::Detached(_) => p.instance,
            _ => u64::from(p.generation),
        };
        let cancel_queued = match self.w.ops[p.pc as usize] {
            Op::Gather { mode, .. } => mode == GatherMode::TaskGroup,
            Op::GatherUntil { gather } => self.w.gathers[gather as usize].rest == Rest::Cancel,
            Op::Hedge { .. } => true,
            _ => false,
        };
        let on_worker = threads == BranchThreads::Pool;
        let slot = item.get() as usize;
        if self.items.len() <= slot {
            self.items.resize(slot + 1, ItemLink::NONE);
        }
        let (task, submitted) = (p.task, t.submitted());
        self.items[slot] = ItemLink {
            parent,
            check,
            number,
            task,
            submitted,
            role,
            on_worker,
            cancel_queued,
            outcome: Outcome::Completed,
        };
        if on_worker {
            let Discipline::Threads { workers, busy, .. } = self.discipline else {
                unreachable!("only a threaded task submits")
            };
            if busy < workers {
                self.start_on_thread(item);
                return;
            }
            self.park(root, State::Queued);
            if let Discipline::Threads { waiting, .. } = &mut self.discipline {
                waiting.push_back(item);
            }
            return;
        }
        self.own_threads += 1;
        self.note_threads();
        let cost = self.overheads.thread_start;
        if self.overheads.active && !cost.is_zero() {
            // Thread.start() waits for the new thread: one start at a time.
            self.spawner.free_at = self.spawner.free_at.max(self.now) + cost;
            let generation = self.park(root, State::Starting);
            self.queue.push(self.spawner.free_at, Event::ThreadStarted { fiber: root, generation });
            return;
        }
        self.run_fiber_now(root);
    }

    /// Peak threads: the pool's busy workers, items' own threads and (for
    /// the loop) nothing else.
    #[inline]
    pub(super) fn note_threads(&mut self) {
        if let Discipline::Threads { busy, .. } = self.discipline {
            self.stats.peak_threads = self.stats.peak_threads.max(busy + self.own_threads);
        }
    }

    /// A work item ended: its outcome waits in its link for its delivery.
    #[inline(never)]
    pub(super) fn item_ended(&mut self, item: TaskId, outcome: Outcome) {
        self.tasks[item].number_flags |= Task::ENDED;
        self.items[item.get() as usize].outcome = outcome;
    }

    /// A work item's last fiber is gone: its thread is free (a worker takes
    /// the next work in the queue) and its outcome is delivered.
    #[inline(never)]
    pub(super) fn item_done(&mut self, item: TaskId) {
        let link = std::mem::replace(&mut self.items[item.get() as usize], ItemLink::NONE);
        let class = self.tasks[item].class();
        self.tasks[item] = Task::FREE;
        self.tasks.remove(item);
        let next = if link.on_worker {
            let Discipline::Threads { busy, .. } = &mut self.discipline else { unreachable!("items run on threads") };
            *busy -= 1;
            self.next_waiting()
        } else {
            self.own_threads -= 1;
            None
        };
        self.deliver(link);
        self.queue_item_done(class);
        if let Some(next) = next {
            self.start_on_thread(next);
        }
    }

    /// Threads: the next task or item waiting for a worker; queued items
    /// whose submitter no longer waits for them are cancelled on the way.
    pub(super) fn next_waiting(&mut self) -> Option<TaskId> {
        loop {
            let Discipline::Threads { waiting, .. } = &mut self.discipline else { return None };
            let next = waiting.pop_front()?;
            if !self.tasks[next].submitted() || !self.abandoned(next) {
                return Some(next);
            }
            // future.cancel() on a pending future: it never runs.
            let root = self.tasks[next].fibers;
            self.free_fiber(root);
            self.items[next.get() as usize] = ItemLink::NONE;
            let class = self.tasks[next].class();
            self.tasks[next] = Task::FREE;
            self.tasks.remove(next);
            self.queue_item_done(class);
        }
    }

    /// A queued item to cancel: its parent stopped waiting for it.
    fn abandoned(&self, item: TaskId) -> bool {
        let link = &self.items[item.get() as usize];
        link.cancel_queued && !self.is_current(link.parent, link.check as u32, State::Children)
    }

    /// Tells the submitting fiber, if it still waits, what its item did.
    fn deliver(&mut self, link: ItemLink) {
        let p = link.parent;
        if p.is_none() {
            return;
        }
        match link.role {
            Role::Spawn(slot) | Role::Detached(slot) => {
                // The same fiber of the same task (or work item: items
                // share their task's number) as when it submitted.
                let fiber = &self.fibers[p];
                let same = fiber.state != State::Free
                    && fiber.instance == link.check
                    && fiber.task == link.task
                    && self.tasks[fiber.task].in_use()
                    && self.tasks[fiber.task].submitted() == link.submitted
                    && self.tasks[fiber.task].number() == link.number;
                if same {
                    self.spawned_item_done(p, slot, link.role, link.outcome);
                }
            }
            role => {
                if self.is_current(p, link.check as u32, State::Children) {
                    self.gathered_item_done(p, role, link.outcome);
                }
            }
        }
    }

    /// A gather's, gather-until's or hedge's item is done.
    fn gathered_item_done(&mut self, p: FiberId, role: Role, outcome: Outcome) {
        let return_exceptions =
            matches!(self.w.ops[self.fibers[p].pc as usize], Op::Gather { mode: GatherMode::ReturnExceptions, .. });
        if outcome != Outcome::Completed && !return_exceptions {
            return self.raise_in_waiting(p, outcome);
        }
        let fiber = &mut self.fibers[p];
        if role != Role::Hedge {
            fiber.counter -= 1;
            if fiber.counter != 0 {
                return;
            }
        }
        self.step_done(p);
        self.resume(p);
    }

    /// A spawn's item is done (`join` and the fiber's end await it); a
    /// detached one's matters only to a `join`.
    fn spawned_item_done(&mut self, p: FiberId, slot: u8, role: Role, outcome: Outcome) {
        let bit = 1u32 << slot;
        let fiber = &mut self.fibers[p];
        fiber.spawn_done |= bit;
        let awaited = matches!(role, Role::Spawn(_));
        if awaited {
            fiber.spawn_live &= !bit;
        }
        let (state, counter, live) = (fiber.state, fiber.counter, fiber.spawn_live);
        if awaited && outcome != Outcome::Completed {
            self.raise(p, outcome);
            if matches!(state, State::Join | State::Spawned) {
                self.run_fiber_now(p);
            }
            return;
        }
        match state {
            State::Join if counter == u32::from(slot) => {
                self.step_done(p);
                self.resume(p);
            }
            State::Spawned if awaited && live == 0 => self.finish_fiber(p),
            _ => {}
        }
    }

    /// `p`, waiting for its items, raises what one of them raised; it
    /// stops waiting (the others become stale) and unwinds.
    fn raise_in_waiting(&mut self, p: FiberId, outcome: Outcome) {
        self.park(p, State::Running);
        self.raise(p, outcome);
        self.run_fiber_now(p);
    }

    /// Threads: a stalled fiber waiting for items it submitted to a pool,
    /// for the stall's message.
    pub(super) fn describe_item_wait(&self, fiber: &Fiber) -> Option<String> {
        if !self.w.submits() || !matches!(fiber.state, State::Children | State::Join | State::Spawned) {
            return None;
        }
        let Discipline::Threads { workers, .. } = &self.discipline else { return None };
        (self.w.branch_threads(fiber.pc) == BranchThreads::Pool || fiber.spawn_live != 0).then(|| {
            format!(
                "waits for work it submitted to the pool; all {workers} workers are held by tasks waiting the same way \
                 (a thread-pool deadlock)"
            )
        })
    }
}
