//! The cooperative event loop (asyncio's `_run_once`): the ready queue,
//! iterations, a step that occupies the loop, the selector an idle loop
//! waits in (R-LOOP-SELECT), and the default executor of `to_thread`
//! bodies.
//!
//! Invariant: `in_select` is set only while no iteration runs or is
//! scheduled; `timers_due` is empty unless `in_select` is, or an iteration
//! is scheduled that will release it first.

use super::*;

impl<'a, O: Observer> Sim<'a, O> {
    pub(super) fn make_ready(&mut self, f: FiberId) {
        self.make_ready_since(f, self.now);
    }

    /// [`Sim::make_ready`], its loop lag counted from `since`.
    #[inline]
    fn make_ready_since(&mut self, f: FiberId, since: SimTime) {
        let fiber = &mut self.fibers[f];
        fiber.state = State::Ready;
        self.ready.push_back(Ready { fiber: f, generation: fiber.generation, since });
        self.trace_fiber(f, TraceWhat::Ready);
        self.kick_loop();
    }

    /// Something `f` awaited ended outside the loop (a timer, a socket, a
    /// service's answer, a transfer, a `to_thread` body): under a runtime
    /// profile a coroutine goes on through a callback on the loop
    /// (R-LOOP-CALLBACK), otherwise as [`Sim::resume`] says.
    #[inline(always)]
    pub(super) fn resume_from_outside(&mut self, f: FiberId) {
        if self.overheads.active && self.on_loop(f) {
            self.wake_callback(f);
        } else if self.cpu.is_cpython_gil() {
            self.retake_gil(f);
        } else {
            self.resume(f);
        }
    }

    /// A new worker thread is up. Under CPython's GIL it must take the GIL
    /// before its first bytecode (`thread_run` in Modules/_threadmodule.c
    /// calls `PyEval_AcquireThread`, i.e. `take_gil`), so behind a thread
    /// that computes it waits as a returning thread does (R-GIL-START).
    pub(super) fn thread_started(&mut self, f: FiberId) {
        if self.cpu.is_cpython_gil() {
            self.retake_gil(f);
        } else {
            self.run_fiber_now(f);
        }
    }

    /// A thread back from a wait must take CPython's GIL before it runs a
    /// bytecode (`take_gil` in `PyEval_RestoreThread`, R-GIL-CONVOY), and
    /// then needs `context_switch` of CPU to go on.
    fn retake_gil(&mut self, f: FiberId) {
        let cost = self.overheads.context_switch;
        if cost.is_zero() && self.cpu.is_free_for(f) {
            self.resume(f);
        } else {
            self.charge(f, cost);
        }
    }

    /// Under a runtime profile, the end of an operation a coroutine awaits
    /// is a callback on the loop (R-LOOP-CALLBACK): the timer handle, the
    /// socket's reader callback or the executor's `call_soon_threadsafe`
    /// waits its turn in the ready queue like any handle, and when it runs
    /// it only schedules the task's wake-up, which goes to the back of the
    /// queue and runs in a later iteration.
    pub(super) fn wake_callback(&mut self, f: FiberId) {
        let generation = self.park(f, State::Woken);
        self.ready.push_back(Ready { fiber: f, generation, since: self.now });
        self.kick_loop();
    }

    /// Schedules a loop iteration now unless one is running or due; a loop
    /// waiting in its selector returns from it.
    pub(super) fn kick_loop(&mut self) {
        if !self.event_loop.running && !self.event_loop.iteration_scheduled {
            self.event_loop.iteration_scheduled = true;
            self.queue.push(self.now, Event::LoopIteration);
            if self.event_loop.in_select {
                self.event_loop.in_select = false;
                self.event_loop.select_epoch = self.event_loop.select_epoch.wrapping_add(1);
            }
        }
    }

    /// True when loop timers wait for the selector (R-LOOP-SELECT): under
    /// cooperative, with a profile's `loop_timeout_resolution`.
    #[inline]
    pub(super) fn rounds_loop_timers(&self) -> bool {
        !self.overheads.loop_timeout_resolution.is_zero() && self.cooperative()
    }

    /// A loop timer (`event`, current) came due: if the loop waits in its
    /// selector, the timer waits for the selector's return, which its
    /// rounded timeout and the kernel's slack decide (R-LOOP-SELECT), and
    /// true; false if the loop is busy and sees it at its next iteration.
    pub(super) fn loop_timer_waits(&mut self, event: Event) -> bool {
        if !self.rounds_loop_timers() || !self.event_loop.in_select {
            return false;
        }
        let on_loop = match event {
            Event::LoopTimer { fiber, .. }
            | Event::Deadline { fiber, .. }
            | Event::RetryCall { fiber, .. }
            | Event::RetryProgram { fiber, .. } => self.on_loop(fiber),
            _ => false,
        };
        if !on_loop {
            // A `to_thread` body's timer is its thread's, not the loop's.
            return false;
        }
        if self.event_loop.timers_due.is_empty() {
            // The first timer to come due is the one the selector waits for.
            let since = self.event_loop.select_since;
            let timeout = self.overheads.select_timeout(self.now - since);
            let wakes = since + timeout + self.overheads.timer_slack(timeout, true);
            self.queue.push(wakes, Event::LoopTimeout { epoch: self.event_loop.select_epoch });
        }
        self.event_loop.timers_due.push(event);
        true
    }

    /// A timer that may be the loop's came due: a `sleep`'s or the
    /// producer's (`LoopTimer`), a timeout's expiry (`Deadline`), a call's
    /// backoff (`RetryCall`) or a program's (`RetryProgram`). If it is
    /// still current it fires, unless `may_wait` and the loop waits in its
    /// selector, which then decides when (R-LOOP-SELECT).
    pub(super) fn timer_due(&mut self, event: Event, may_wait: bool) {
        let (fiber, generation, state) = match event {
            Event::LoopTimer { fiber, generation } => (fiber, generation, State::Timer),
            Event::Deadline { fiber, generation } => (fiber, generation, State::Timeout),
            Event::RetryCall { fiber, generation } => (fiber, generation, State::Backoff),
            Event::RetryProgram { fiber, generation } => (fiber, generation, State::RetryWait),
            _ => unreachable!("not a timer: {event:?}"),
        };
        if !self.is_current(fiber, generation, state) || (may_wait && self.loop_timer_waits(event)) {
            return;
        }
        match event {
            Event::LoopTimer { .. } if self.fibers[fiber].role == Role::Producer => self.producer_woken(fiber),
            Event::LoopTimer { .. } => {
                self.step_done(fiber);
                self.resume_from_outside(fiber);
            }
            Event::Deadline { .. } if self.cooperative() => {
                // The expiry is a callback on the loop: it waits its turn.
                self.ready.push_back(Ready { fiber, generation, since: SimTime::NEVER });
                self.kick_loop();
            }
            Event::Deadline { .. } => self.deadline_on_thread(fiber),
            Event::RetryCall { .. } => {
                if !self.attempt(fiber) {
                    self.resume_from_outside(fiber);
                }
            }
            _ => self.resume_from_outside(fiber),
        }
    }

    /// At the start of an iteration, the timers that came due while the
    /// loop waited go to the ready queue, in the order they came due, after
    /// whatever woke the selector (`_run_once`: events, then timers).
    pub(super) fn run_timers_due(&mut self) {
        if self.event_loop.timers_due.is_empty() {
            return;
        }
        let mut due = std::mem::take(&mut self.event_loop.timers_due);
        for &event in &due {
            self.timer_due(event, false);
        }
        due.clear();
        self.event_loop.timers_due = due;
    }

    /// The loop's current coroutine finished a `cpu` or `blocking` step: it
    /// continues without yielding, then the iteration goes on.
    pub(super) fn continue_on_loop(&mut self, f: FiberId) {
        self.event_loop.occupied = false;
        self.run_fiber_now(f);
        self.drain();
        self.loop_continue();
    }

    /// Runs the rest of the current iteration until it ends or a step
    /// occupies the loop.
    pub(super) fn loop_continue(&mut self) {
        while !self.event_loop.occupied {
            if self.event_loop.batch_left == 0 {
                self.event_loop.running = false;
                if self.ready.is_empty() {
                    self.event_loop.in_select = true;
                    self.event_loop.select_since = self.now;
                } else {
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
                    self.raise(f, Outcome::TimedOut);
                }
            } else if self.is_current(f, item.generation, State::Woken) {
                // The callback sets the future; the wake-up is call_soon'd,
                // its lag counted from the step's end (a watchdog's measure).
                self.make_ready_since(f, item.since);
            } else if self.is_current(f, item.generation, State::Ready) {
                self.observer.loop_lag(self.now - item.since);
                if self.overheads.active {
                    if self.fibers[f].role == Role::Producer {
                        self.producer_on_loop(f);
                        continue;
                    }
                    let cost = self.overheads.step(self.live_fibers()) + std::mem::take(&mut self.loop_debt);
                    if !cost.is_zero() {
                        self.event_loop.occupied = true;
                        self.charge(f, cost);
                        continue;
                    }
                }
                // A task's first run is traced as `Started`, not as resumed.
                // Untraced runs do not load the task record here.
                if self.tracing && self.tasks[self.fibers[f].task].started().is_some() {
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
    pub(super) fn on_loop(&self, f: FiberId) -> bool {
        self.cooperative() && self.fibers[f].role != Role::Offload
    }

    /// Cooperative: a `to_thread` body takes a free executor worker, else
    /// waits in FIFO order (R-TO-THREAD).
    pub(super) fn submit_to_executor(&mut self, child: FiberId) {
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
    pub(super) fn executor_done(&mut self) {
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
    pub(super) fn charge(&mut self, f: FiberId, cost: SimDuration) {
        self.park(f, State::Overhead);
        self.cpu.request(self.now, f, cost, &mut self.queue);
    }

    /// The CPU a profile charged `f` is spent: it resumes (on the loop,
    /// which it holds, or on its thread).
    pub(super) fn overhead_done(&mut self, f: FiberId) {
        if self.fibers[f].role == Role::Producer {
            self.producer_stepped(f);
        } else if self.on_loop(f) {
            let task = self.fibers[f].task;
            if self.tasks[task].started().is_some() {
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
    pub(super) fn prefetch_ready(&self) {
        /// Ready entries ahead whose fiber, and whose task, to prefetch.
        const FIBER_AHEAD: usize = 12;
        const TASK_AHEAD: usize = 6;
        if let Some(ahead) = self.ready.get(FIBER_AHEAD) {
            self.fibers.prefetch(ahead.fiber);
        }
        if let Some(ahead) = self.ready.get(TASK_AHEAD) {
            self.tasks.prefetch(self.fibers[ahead.fiber].task);
        }
    }
}
