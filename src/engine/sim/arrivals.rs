//! Arrivals: the first of each class, the next ones, closed-loop users
//! issuing, and where an arrived task starts (a worker thread, the loop,
//! or a FIFO of tasks waiting for either).

use super::*;

impl<'a, O: Observer> Sim<'a, O> {
    pub(super) fn schedule_first_arrivals(&mut self) {
        for (c, class) in self.scenario.classes.iter().enumerate() {
            let class_id = c as u16;
            match &class.arrivals {
                Arrivals::Batch { .. } | Arrivals::Interval { .. } => {
                    if self.may_issue(class_id, SimTime::ZERO) {
                        self.queue.push(SimTime::ZERO, Event::Arrival { class: class_id });
                    } else {
                        self.open_schedule_ended(class_id);
                    }
                }
                Arrivals::Poisson { rate_per_s, .. } => {
                    let first = SimTime::ZERO + self.poisson_gap(c, *rate_per_s);
                    if self.may_issue(class_id, first) {
                        self.queue.push(first, Event::Arrival { class: class_id });
                    } else {
                        self.open_schedule_ended(class_id);
                    }
                }
                Arrivals::Closed { users, .. } => {
                    let (process, processes) = self.process;
                    for user in (0..*users).filter(|u| u % processes == process) {
                        self.queue.push(SimTime::ZERO, Event::UserIssue { class: class_id, user });
                    }
                }
                // Started by `start_workers`, before any arrival.
                Arrivals::Workers { .. } => {}
            }
        }
    }

    pub(super) fn on_arrival(&mut self, class: u16) {
        let c = class as usize;
        match &self.scenario.classes[c].arrivals {
            Arrivals::Batch { count } => {
                for _ in 0..*count {
                    self.arrive(class, NO_USER);
                }
                self.arrivals_ended(class);
            }
            Arrivals::Poisson { rate_per_s, .. } => {
                let gap = self.poisson_gap(c, *rate_per_s);
                self.open_arrival(class, gap);
            }
            Arrivals::Interval { every, .. } => {
                // Gap k follows arrival k (R-ARRIVALS-INTERVAL); only a
                // distribution's draw takes words from the stream.
                let k = self.classes[c].issued + self.producers.get(c).map_or(0, |p| p.due());
                let rng = self.classes[c].arrivals.sequential();
                let gap = every.sample_for(k, &mut || next_word(rng));
                self.open_arrival(class, gap);
            }
            Arrivals::Closed { .. } => unreachable!("closed-loop classes arrive through UserIssue"),
            Arrivals::Workers { .. } => unreachable!("workers are started, not arrived"),
        }
    }

    /// An open-loop arrival now, and the next `gap` later if the bound lets
    /// it: made at once, or by the class's producer (R-PRODUCER).
    fn open_arrival(&mut self, class: u16, gap: SimDuration) {
        match self.producer_of(class) {
            Some(f) => self.arrival_due(class, f),
            None => self.arrive(class, NO_USER),
        }
        let next = self.now + gap;
        if self.may_issue(class, next) {
            self.queue.push(next, Event::Arrival { class });
        } else {
            self.open_schedule_ended(class);
        }
    }

    /// No open-loop arrival of `class` is scheduled after those made or
    /// due: its arrivals end, or end once its producer has made them.
    fn open_schedule_ended(&mut self, class: u16) {
        match self.producer_of(class) {
            Some(f) => self.schedule_ended(class, f),
            None => self.arrivals_ended(class),
        }
    }

    #[inline]
    pub(super) fn poisson_gap(&mut self, class: usize, rate_per_s: f64) -> SimDuration {
        let rng = self.classes[class].arrivals.sequential();
        Dist::Exponential { mean_ns: 1e9 / rate_per_s }.sample(&mut || next_word(rng))
    }

    /// Whether the class's bound lets a task arrive at `at`.
    pub(super) fn may_issue(&self, class: u16, at: SimTime) -> bool {
        // Arrivals due and not yet made by the producer count as issued.
        let due = self.producers.get(class as usize).map_or(0, |p| p.due());
        let issued = self.classes[class as usize].issued + due;
        match self.scenario.classes[class as usize].arrivals {
            Arrivals::Batch { count } => issued < count,
            Arrivals::Workers { .. } => false,
            Arrivals::Poisson { bound, .. } | Arrivals::Interval { bound, .. } | Arrivals::Closed { bound, .. } => {
                match bound {
                    Bound::Count(n) => issued < n,
                    Bound::Duration(d) => at < SimTime::ZERO + d,
                }
            }
        }
    }

    pub(super) fn arrive(&mut self, class: u16, user: u32) {
        self.arrive_scheduled(class, user, self.now);
    }

    /// A task of `class` arrives now, its latency counted from `scheduled`
    /// (its producer's schedule, R-PRODUCER; else now).
    pub(super) fn arrive_scheduled(&mut self, class: u16, user: u32, scheduled: SimTime) {
        let index = self.classes[class as usize].issued;
        self.classes[class as usize].issued += 1;
        let mut number = self.stats.arrived;
        if self.process.1 > 1 {
            // Round robin by arrival number; a closed-loop user's tasks
            // stay in the user's process.
            number = self.arrivals_seen;
            self.arrivals_seen += 1;
            if user == NO_USER && number % u64::from(self.process.1) != u64::from(self.process.0) {
                // Another process's task passes through the same parent:
                // each process keeps the one chain (R-PROCESS-POOL).
                if let Some(d) = &mut self.dispatcher {
                    d.send(self.now);
                }
                return;
            }
        }
        self.stats.arrived += 1;
        let task = self.tasks.insert(Task::arrived(class, index, number, scheduled, user));
        self.integrate_in_flight();
        self.stats.last_arrival = self.now;
        self.stats.in_flight_ns_at_last_arrival = self.stats.in_flight_ns;
        self.in_flight += 1;
        self.stats.peak_in_flight = self.stats.peak_in_flight.max(self.in_flight);
        self.trace(task, TraceWhat::Arrived);
        if let Some(d) = &mut self.dispatcher {
            let at = d.send(self.now);
            self.queue.push(at, Event::Dispatched { task });
            return;
        }
        self.take(task);
    }

    /// The pool's parent has sent `task` (R-PROCESS-POOL). Out of line:
    /// only profiled process pools get here, and the run loop stays lean.
    #[inline(never)]
    pub(super) fn on_dispatched(&mut self, task: TaskId) {
        self.take(task);
    }

    /// The arrived `task` is this process's to run: on a free worker or the
    /// loop, or behind the tasks waiting for one. Inlined: it is the tail
    /// of every arrival.
    #[inline(always)]
    pub(super) fn take(&mut self, task: TaskId) {
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

    pub(super) fn start_on_thread(&mut self, task: TaskId) {
        if let Discipline::Threads { busy, .. } = &mut self.discipline {
            *busy += 1;
        }
        self.note_threads();
        // A work item's root exists since its submission (R-THREADS-SUBMIT).
        let root = if self.tasks[task].submitted() { self.tasks[task].fibers } else { self.new_root(task) };
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

    pub(super) fn admit_to_loop(&mut self, task: TaskId) {
        if let Discipline::Cooperative { admitted, .. } = &mut self.discipline {
            *admitted += 1;
        }
        self.stats.peak_threads = 1;
        let root = self.new_root(task);
        self.make_ready(root);
    }
}
