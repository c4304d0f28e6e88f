//! Scoped outcomes (R-TRY-*, R-RETRY-PROGRAM-*, R-TIMEOUT-ABORT): an
//! outcome raised by a fiber (an io failure, a call out of attempts, a
//! rejecting pool, a timeout's expiry) travels up the fiber tree to the
//! nearest `try` or `retry` whose `on` holds it. That handler's scope (its
//! body and everything below it) is cancelled: cooperative, every fiber of
//! the scope at once, as `end_task` cancels a whole task; threads, the task
//! unwinds as it does for an uncaught outcome, but stops at the handler
//! (marked [`Fiber::CATCHING`]). The handler then runs its except program,
//! or its next attempt after a backoff. With no handler the task ends, as
//! it always did (`end_task`).
//!
//! Only workloads with `try`, `retry` or aborting `timeout` steps look for
//! handlers (`Sim::scoped`), and only when an outcome is raised: the ops'
//! paths are unchanged. Looking for a handler walks the raiser's ancestors;
//! cancelling a scope walks the task's fibers once.

use super::interpreter::Flow;
use super::*;
use crate::model::GatherMode;
use crate::model::program::{NO_PROGRAM, ProgramId};

/// Where a raised outcome stops.
#[derive(Clone, Copy, Debug)]
enum Handler {
    /// Nowhere: the task ends.
    None,
    /// A try or retry catches it; its body's scope is cancelled.
    Scope(FiberId),
    /// A `return_exceptions` gather: `branch` is done.
    Branch { gather: FiberId, branch: FiberId },
    /// A `gather`-mode gather: the siblings of `branch` are detached and the
    /// outcome goes on from `gather`.
    Detach { gather: FiberId, branch: FiberId },
    /// It was raised in the detached program `0` (a detached spawn, or a
    /// branch left running): it ends that program only.
    Ignore(FiberId),
    /// Cooperative: it leaves the `to_thread` body `0`, a thread's call: the
    /// awaiting coroutine raises it when it next runs on the loop
    /// (R-TO-THREAD-FAILED).
    Thread(FiberId),
}

/// The bit of an outcome in an `on` set ([`crate::model::Outcomes`]).
fn outcome_bit(outcome: Outcome) -> u8 {
    match outcome {
        Outcome::Failed => 1,
        Outcome::TimedOut => 2,
        Outcome::Rejected => 4,
        _ => 0,
    }
}

impl<'a, O: Observer> Sim<'a, O> {
    /// Fiber `f` raises `outcome`: caught by the nearest handler above it,
    /// or the task ends.
    #[inline(never)]
    pub(super) fn raise(&mut self, f: FiberId, outcome: Outcome) {
        let task = self.fibers[f].task;
        if !self.scoped {
            if self.cooperative()
                && let Some(body) = self.offload_body(f)
            {
                return self.raise_on_loop(task, body, outcome);
            }
            return self.end_from(f, task, outcome);
        }
        let mut from = f;
        let handler = loop {
            match self.find_handler(from, outcome) {
                Handler::Detach { gather, branch } => {
                    self.detach_siblings(gather, branch);
                    from = gather;
                }
                handler => break handler,
            }
        };
        if self.cooperative() {
            return self.handle_cooperative(task, outcome, handler);
        }
        let target = match handler {
            Handler::Scope(h) | Handler::Branch { gather: h, .. } => Some(h),
            _ => None,
        };
        if self.tasks[task].unwinding() {
            // Already leaving: unwind to the outermost of the two targets.
            match (self.catching(task), target) {
                (None, _) => return,
                (Some(m), Some(h)) if !self.is_ancestor(h, m) => return,
                (Some(m), _) => self.fibers[m].flags &= !Fiber::CATCHING,
            }
        }
        match target {
            None => self.end_task(task, outcome),
            Some(h) => {
                self.fibers[h].flags |= Fiber::CATCHING;
                self.tasks[task].number_flags |= Task::UNWINDING;
            }
        }
    }

    fn handle_cooperative(&mut self, task: TaskId, outcome: Outcome, handler: Handler) {
        match handler {
            Handler::None => self.end_task(task, outcome),
            Handler::Scope(h) => {
                // The body's fibers, not the detached programs it started.
                self.cancel_where(task, |sim, f| sim.child_of(f, h).is_some_and(|c| sim.fibers[c].role == Role::Try));
                self.caught(h);
            }
            Handler::Branch { gather, branch } => {
                // return_exceptions: the branch is done, with its exception.
                self.cancel_where(task, |sim, f| sim.child_of(f, gather) == Some(branch));
                self.child_finished(gather, Role::Gather);
            }
            // A detached program's outcome is never retrieved.
            Handler::Ignore(top) => self.end_detached(task, top),
            Handler::Thread(body) => self.raise_on_loop(task, body, outcome),
            Handler::Detach { .. } => unreachable!("raise detaches and walks on"),
        }
    }

    /// The nearest handler above `f` for `outcome`: a try or retry whose
    /// body holds `f` and whose `on` holds the outcome, a gather in
    /// `return_exceptions` mode, (cooperative) a gather in `gather` mode,
    /// which detaches the other branches and raises on; or (cooperative) a
    /// detached program, which the outcome ends. Past a thread's timeout whose deadline has
    /// passed, what travels on is `timeout` (its caller already gave up).
    fn find_handler(&self, f: FiberId, mut outcome: Outcome) -> Handler {
        let mut child = f;
        loop {
            let Fiber { parent, role, .. } = self.fibers[child];
            // A thread runs detached programs inline: their outcomes go on up.
            if matches!(role, Role::Detached(_)) && self.cooperative() {
                return Handler::Ignore(child);
            }
            if parent.is_none() {
                return Handler::None;
            }
            if role == Role::Offload && self.cooperative() {
                return Handler::Thread(child);
            }
            match role {
                Role::Timeout if self.fibers[parent].deadline_passed() => outcome = Outcome::TimedOut,
                Role::Try if self.catches(parent, outcome) => return Handler::Scope(parent),
                Role::Gather => match self.w.ops[self.fibers[parent].pc as usize] {
                    Op::Gather { mode: GatherMode::ReturnExceptions, .. } => {
                        return Handler::Branch { gather: parent, branch: child };
                    }
                    // Threads run one branch at a time: no sibling to detach.
                    Op::Gather { mode: GatherMode::Gather, .. } if self.cooperative() => {
                        return Handler::Detach { gather: parent, branch: child };
                    }
                    _ => {}
                },
                _ => {}
            }
            child = parent;
        }
    }

    /// The `to_thread` body `f` runs in (cooperative), if any.
    fn offload_body(&self, mut f: FiberId) -> Option<FiberId> {
        loop {
            let Fiber { parent, role, .. } = self.fibers[f];
            if role == Role::Offload {
                return Some(f);
            }
            if parent.is_none() {
                return None;
            }
            f = parent;
        }
    }

    /// Cooperative: `outcome` leaves the `to_thread` body `body`
    /// (R-TO-THREAD-FAILED). Its thread is done (the body's fibers go, its
    /// executor worker is free), and the future it completes wakes the
    /// awaiting coroutine through the ready queue, to raise `outcome` there:
    /// `asyncio.to_thread`'s future is set with `call_soon_threadsafe`
    /// (Lib/asyncio/futures.py, `_chain_future`), so the exception reaches
    /// the coroutine only when the loop runs it, never while the loop is
    /// busy with another coroutine's step.
    fn raise_on_loop(&mut self, task: TaskId, body: FiberId, outcome: Outcome) {
        let waiter = self.fibers[body].parent;
        self.cancel_where(task, |sim, g| g == body || sim.child_of(g, waiter) == Some(body));
        self.fibers[waiter].counter = call_ended(outcome);
        self.fibers[waiter].set_failing(true);
        self.resume_from_outside(waiter);
    }

    /// Whether `f` raising `outcome` would be caught (or ignored) rather
    /// than end its task.
    pub(super) fn would_catch(&self, f: FiberId, outcome: Outcome) -> bool {
        !matches!(self.find_handler(f, outcome), Handler::None)
    }

    /// Whether the try or retry `h`, waiting for its body, catches `outcome`
    /// (a retry on its last attempt lets it through).
    fn catches(&self, h: FiberId, outcome: Outcome) -> bool {
        let Fiber { pc, counter, .. } = self.fibers[h];
        match self.w.ops[pc as usize] {
            Op::Try { on, .. } => on & outcome_bit(outcome) != 0,
            Op::Retry { on, policy, .. } => {
                on & outcome_bit(outcome) != 0 && counter < self.w.retries[policy as usize].attempts
            }
            _ => false,
        }
    }

    /// Whether `a` is a strict ancestor of `f`.
    fn is_ancestor(&self, a: FiberId, f: FiberId) -> bool {
        let mut at = self.fibers[f].parent;
        while at.is_some() {
            if at == a {
                return true;
            }
            at = self.fibers[at].parent;
        }
        false
    }

    /// Threads: the fiber the task unwinds to, if any.
    fn catching(&self, task: TaskId) -> Option<FiberId> {
        let mut f = self.tasks[task].fibers;
        while f.is_some() {
            if self.fibers[f].flags & Fiber::CATCHING != 0 {
                return Some(f);
            }
            f = self.fibers[f].next;
        }
        None
    }

    /// Cooperative, `gather` mode: the branches of `gather` other than
    /// `branch` carry on detached (asyncio.gather leaves them running):
    /// outside every scope, their outcomes ignored, telling no parent.
    fn detach_siblings(&mut self, gather: FiberId, branch: FiberId) {
        self.detach_children(gather, Role::Gather, branch);
    }

    /// Threads, `return_exceptions`: a branch unwound to its gather, which
    /// caught its outcome; the gather goes on with its next branch.
    pub(super) fn branch_caught(&mut self, gather: FiberId) -> bool {
        if self.fibers[gather].flags & Fiber::CATCHING == 0 {
            return false;
        }
        let task = self.fibers[gather].task;
        self.fibers[gather].flags &= !Fiber::CATCHING;
        self.tasks[task].number_flags &= !Task::UNWINDING;
        true
    }

    /// `h` caught an outcome and its scope is gone: a try runs its except
    /// program (or goes on after the step); a retry waits its backoff.
    fn caught(&mut self, h: FiberId) {
        match self.w.ops[self.fibers[h].pc as usize] {
            Op::Try { except: NO_PROGRAM, .. } => self.step_done(h),
            Op::Try { .. } => self.fibers[h].flags |= Fiber::CAUGHT,
            Op::Retry { policy, .. } => {
                let k = self.fibers[h].counter;
                let wait = self.retry_wait(h, policy, k);
                let generation = self.park(h, State::RetryWait);
                let fiber = &mut self.fibers[h];
                fiber.counter = k + 1;
                fiber.flags |= Fiber::CAUGHT;
                self.queue.push(self.now + wait, Event::RetryProgram { fiber: h, generation });
                return;
            }
            _ => unreachable!("only a try or a retry catches"),
        }
        self.resume(h);
    }

    /// The backoff after attempt `k` of the retry `h`: the call retry's
    /// rule (R-RETRY-BACKOFF, R-RETRY-JITTER), its jitter drawn on the
    /// task's stream at (the step's site, k).
    fn retry_wait(&mut self, h: FiberId, policy: u32, k: u32) -> SimDuration {
        let r = self.w.retries[policy as usize];
        let b = backoff(r.backoff, r.multiplier, r.max_backoff, k);
        match r.jitter {
            Jitter::None => b,
            Jitter::Full => self.retry_jitter(h, k, b),
            Jitter::Equal => {
                let half = SimDuration::from_nanos(b.as_nanos() / 2);
                half + self.retry_jitter(h, k, half)
            }
        }
    }

    /// A uniform draw in [0, b].
    #[inline(never)]
    fn retry_jitter(&mut self, h: FiberId, k: u32, b: SimDuration) -> SimDuration {
        let (task_index, class, site) = self.draw_site(h);
        let stream = self.classes[class].retry_jitter.as_mut().expect("a scenario with retry steps has their stream");
        let word = next_word(stream.at(task_index, mix(site, u64::from(k))));
        let u = (word >> 11) as f64 / (1u64 << 53) as f64;
        SimDuration::from_nanos((u * b.as_nanos() as f64) as u64)
    }

    #[inline(never)]
    pub(super) fn op_try(&mut self, f: FiberId, body: ProgramId, except: ProgramId) -> Flow {
        let caught = self.fibers[f].flags & Fiber::CAUGHT != 0;
        let (program, role, ordinal) = if caught { (except, Role::Except, 1) } else { (body, Role::Try, 0) };
        if caught {
            self.fibers[f].flags &= !Fiber::CAUGHT;
        } else {
            self.begin(f, None);
        }
        self.start_scope(f, program, role, ordinal)
    }

    /// A retry's attempt `counter` (the first, or the next after a caught
    /// outcome and its backoff); each attempt draws as its own instance.
    #[inline(never)]
    pub(super) fn op_retry(&mut self, f: FiberId, body: ProgramId) -> Flow {
        if self.fibers[f].flags & Fiber::CAUGHT != 0 {
            self.fibers[f].flags &= !Fiber::CAUGHT;
        } else {
            self.begin(f, None);
            self.fibers[f].counter = 1;
        }
        let attempt = self.fibers[f].counter;
        self.start_scope(f, body, Role::Try, attempt)
    }

    /// `f` waits while `program` runs as its child, inline (no loop hop).
    pub(super) fn start_scope(&mut self, f: FiberId, program: ProgramId, role: Role, ordinal: u32) -> Flow {
        self.park(f, State::Try);
        let child = self.new_child(f, program, role, ordinal);
        self.run_fiber_now(child);
        Flow::Parked
    }

    /// A try's body or except program, or a retry's attempt, ended (or
    /// unwound past, on a thread).
    pub(super) fn scope_finished(&mut self, p: FiberId, role: Role, unwinding: bool) {
        if unwinding {
            if role == Role::Try && self.fibers[p].flags & Fiber::CATCHING != 0 {
                let task = self.fibers[p].task;
                self.fibers[p].flags &= !Fiber::CATCHING;
                self.tasks[task].number_flags &= !Task::UNWINDING;
                self.fibers[p].state = State::Try;
                return self.caught(p);
            }
        } else {
            self.step_done(p);
        }
        self.run_fiber_now(p);
    }

    /// Threads: a timeout's deadline in a scoped workload. Abandon: the
    /// caller gives up now, unless a try above catches the timeout, which
    /// it does when the body ends. Abort: the timeout is raised now and the
    /// thread stops waiting (a `cpu` step finishes first).
    pub(super) fn deadline_scoped(&mut self, t: FiberId) {
        let Fiber { pc, task, .. } = self.fibers[t];
        self.fibers[t].flags |= Fiber::DEADLINE_PASSED;
        let Op::Timeout { abort, .. } = self.w.ops[pc as usize] else { unreachable!("a deadline is a timeout's") };
        if !abort {
            if !self.would_catch(t, Outcome::TimedOut) {
                self.record_outcome(task, Outcome::TimedOut);
            }
            return;
        }
        self.raise(t, Outcome::TimedOut);
        // On a thread the newest fiber of the task is the innermost one.
        let leaf = self.tasks[task].fibers;
        let state = self.fibers[leaf].state;
        match state {
            State::Timer | State::Permit | State::Call | State::Backoff | State::Transfer | State::RetryWait => {}
            // Waiting for work items it submitted (R-THREADS-SUBMIT): it
            // stops waiting; they run on.
            State::Children | State::Join | State::Spawned if self.w.submits() => {}
            _ => return,
        }
        if state == State::Transfer {
            self.cancel_transfer(self.fibers[leaf].pc);
        } else if state == State::Call {
            let service = self.call_service(leaf);
            self.observer.call(service, CallEvent::Abandoned);
        }
        self.fibers[leaf].set_failing(false);
        self.park(leaf, State::Running);
        self.run_fiber_now(leaf);
    }
}
