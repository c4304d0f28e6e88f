//! How tasks end: early (a failure, a timeout, a rejection: cancelling or
//! unwinding its fibers), normally, at the horizon; recording each outcome
//! once, freeing the worker, and describing a stall.

use super::*;

impl<'a, O: Observer> Sim<'a, O> {
    /// Threads: a timeout expired. The caller gives up now; the thread runs
    /// the body to its end, then the task unwinds.
    pub(super) fn deadline_on_thread(&mut self, f: FiberId) {
        if self.scoped {
            return self.deadline_scoped(f);
        }
        let task = self.fibers[f].task;
        self.fibers[f].flags |= Fiber::DEADLINE_PASSED;
        self.record_outcome(task, Outcome::TimedOut);
    }

    /// The task ends early (failure or timeout). Cooperative: every fiber of
    /// the task is cancelled at once and returns its permits. Threads: the
    /// running fiber unwinds to the root.
    pub(super) fn end_task(&mut self, task: TaskId, outcome: Outcome) {
        self.record_outcome(task, outcome);
        if !self.cooperative() {
            self.tasks[task].number_flags |= Task::UNWINDING;
            return;
        }
        if self.tasks[task].detached() {
            self.end_task_sparing_detached(task);
            return;
        }
        self.returned.clear();
        while self.tasks[task].fibers.is_some() {
            let f = self.tasks[task].fibers;
            self.cancel_fiber(f);
        }
        for i in 0..self.returned.len() {
            let pool = self.returned[i];
            self.release(pool);
        }
        self.task_done(task);
    }

    /// Cooperative: cancels `f` at its current await and frees it; the
    /// permits it held join `returned`, for the caller to release once the
    /// whole scope is gone.
    #[inline]
    pub(super) fn cancel_fiber(&mut self, f: FiberId) {
        let Fiber { pc, role, state, .. } = self.fibers[f];
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
                return;
            }
        }
        self.returned.extend_from_slice(self.w.held_pools(pc));
        self.pass_on_queue_wakeup(f);
        match state {
            State::Transfer => self.cancel_transfer(pc),
            State::Call => {
                let service = self.call_service(f);
                self.observer.call(service, CallEvent::Abandoned);
            }
            _ => {}
        }
        self.free_fiber(f);
    }

    pub(super) fn root_finished(&mut self, task: TaskId) {
        self.record_outcome(task, Outcome::Completed);
        // Detached programs still running keep the task's slot.
        let t = &self.tasks[task];
        if !t.detached() || t.fibers.is_none() {
            self.task_done(task);
        }
    }

    /// Records how a task ended, once; a closed-loop user then thinks.
    pub(super) fn record_outcome(&mut self, task: TaskId, outcome: Outcome) {
        let t = self.tasks[task];
        if t.ended() {
            return;
        }
        if t.submitted() {
            return self.item_ended(task, outcome);
        }
        self.tasks[task].number_flags |= Task::ENDED;
        self.integrate_in_flight();
        self.in_flight -= 1;
        self.stats.last_outcome = self.now;
        if self.in_flight == 0 {
            // Perhaps the last outcome: what the CPU has done by now is what
            // utilisation counts (R-CPU-UTILIZATION).
            self.busy_by_idle = (self.now, self.cpu.busy_at(self.now));
        }
        self.observer.task_ended(&TaskRecord {
            class: t.class(),
            index: t.index(),
            arrived: t.arrived,
            started: t.started(),
            ended: self.now,
            outcome,
        });
        self.trace(task, TraceWhat::Finished(outcome));
        if t.user != NO_USER && outcome != Outcome::Cancelled {
            self.user_thinks(t.class(), t.user);
        }
    }

    /// Brings the time-integral of tasks in flight up to now, counting only
    /// time inside the statistics window. Called just before `in_flight`
    /// changes: two multiplications per task, nothing per event.
    #[inline]
    pub(super) fn integrate_in_flight(&mut self) {
        let from = self.in_flight_since.max(self.stats.window_start).as_nanos();
        let now = self.now.as_nanos();
        if now > from {
            // Cannot overflow: u64 × u64 fits in u128, and the sum stays
            // below 2^128 for any run shorter than 584 years of 2^64 tasks.
            self.stats.in_flight_ns += u128::from(self.in_flight) * u128::from(now - from);
        }
        self.in_flight_since = self.now;
    }

    pub(super) fn user_thinks(&mut self, class: u16, user: u32) {
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
    pub(super) fn task_done(&mut self, task: TaskId) {
        if self.tasks[task].submitted() {
            return self.item_done(task);
        }
        if self.queues.is_some() && self.queue_task_done(task) {
            return;
        }
        let next = match &mut self.discipline {
            // Only a workload that submits has queued items to skip.
            Discipline::Threads { busy, waiting, .. } => {
                *busy -= 1;
                if self.w.submits() { self.next_waiting() } else { waiting.pop_front() }
            }
            Discipline::Cooperative { admitted, waiting, .. } => {
                *admitted -= 1;
                waiting.pop_front()
            }
        };
        self.tasks[task] = Task::FREE;
        self.tasks.remove(task);
        if let Some(next) = next {
            if self.cooperative() {
                self.admit_to_loop(next);
            } else {
                self.start_on_thread(next);
            }
        }
    }

    pub(super) fn on_horizon(&mut self) {
        self.horizon_reached = true;
        for task in self.tasks.ids() {
            if self.tasks[task].in_use() {
                self.record_outcome(task, Outcome::Cancelled);
            }
        }
    }

    pub(super) fn finish(mut self) -> Result<RunStats, EngineError> {
        self.stats.end = self.now;
        self.stats.cpu_busy = self.cpu.busy();
        // Work past the last outcome (detached, abandoned) is not the
        // makespan's; a stalled run's last outcome left tasks in flight.
        let (at, busy) = self.busy_by_idle;
        self.stats.cpu_busy_in_makespan = if at == self.stats.last_outcome { busy } else { self.stats.cpu_busy };
        self.stats.horizon_reached = self.horizon_reached;
        self.count_detached_pending();
        let sizes = self.scenario.pools.iter().map(|p| i64::from(p.size));
        self.stats.permits_out = sizes.zip(&self.pools).map(|(size, p)| size - i64::from(p.available)).sum();
        // Work items waiting behind a stalled task are not tasks to name.
        let mut stuck: Vec<TaskId> =
            self.tasks.ids().filter(|&t| self.tasks[t].in_use() && !self.tasks[t].submitted()).collect();
        if stuck.is_empty() {
            stuck = self.tasks.ids().filter(|&t| self.tasks[t].in_use()).collect();
        }
        if self.horizon_reached || stuck.is_empty() {
            return Ok(self.stats);
        }
        let tasks = stuck.iter().take(10).map(|&t| self.describe_stall(t)).collect();
        Err(EngineError::Stalled { at: self.now, stuck: stuck.len() as u64, tasks })
    }

    /// What an event stands for, in the scenario's words: the arrival or
    /// step that scheduled it.
    pub(super) fn scheduled_what(&self, event: &Event) -> String {
        let class_name = |class: u16| &self.scenario.classes[class as usize].name;
        let fiber = match *event {
            Event::Arrival { class } | Event::UserIssue { class, .. } => {
                return format!("the next arrival of class \"{}\"", class_name(class));
            }
            Event::Horizon => return "the horizon".to_string(),
            Event::ProducerWake { fiber, .. } | Event::LoopTimer { fiber, .. }
                if self.fibers[fiber].role == Role::Producer =>
            {
                let class = class_name(self.fibers[fiber].counter as u16);
                return format!("the producer of class \"{class}\" waking for its next arrival");
            }
            Event::Dispatched { task } => {
                let class = class_name(self.tasks[task].class());
                return format!("the pool's parent sending a task of class \"{class}\" to its process");
            }
            Event::Wake { fiber, .. }
            | Event::LoopTimer { fiber, .. }
            | Event::LoopUnblocked { fiber, .. }
            | Event::Deadline { fiber, .. }
            | Event::CallTimeout { fiber, .. }
            | Event::RetryCall { fiber, .. }
            | Event::ThreadStarted { fiber, .. }
            | Event::HedgeNext { fiber, .. }
            | Event::RetryProgram { fiber, .. } => fiber,
            _ => return "a step's work (a computation, a transfer or a service's reply)".to_string(),
        };
        let Fiber { pc, task, .. } = self.fibers[fiber];
        let class = self.tasks[task].class();
        format!("step \"{}\" of class \"{}\"", self.w.display_name(pc), class_name(class))
    }

    pub(super) fn describe_stall(&self, task: TaskId) -> StalledTask {
        let t = &self.tasks[task];
        let mut waits = Vec::new();
        let mut f = t.fibers;
        while f.is_some() {
            let fiber = &self.fibers[f];
            if let Some(wait) = self.describe_item_wait(fiber) {
                waits.push(wait);
            } else if fiber.state == State::Permit {
                let pool = &self.scenario.pools[fiber.counter as usize];
                waits.push(format!("waits for a permit of pool \"{}\" (size {}, none free)", pool.name, pool.size));
            } else if let Some(wait) = self.describe_queue_wait(fiber) {
                waits.push(wait);
            }
            f = fiber.next;
        }
        if waits.is_empty()
            && let Some(wait) = self.describe_thread_wait()
        {
            waits.push(wait);
        }
        if waits.is_empty() {
            waits.push(match &self.discipline {
                Discipline::Threads { .. } => "waits for a worker thread".to_string(),
                Discipline::Cooperative { .. } => "waits for admission to the loop".to_string(),
            });
        }
        // An idle queue worker is no task: `StalledTask::WORKER`.
        let number = if t.ended() { StalledTask::WORKER } else { t.number() };
        StalledTask { number, class: self.scenario.classes[t.class() as usize].name.clone(), waits }
    }
}
