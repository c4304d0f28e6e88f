//! The producer of open-loop arrivals (R-PRODUCER): under a runtime profile
//! with `producer_step`, the tasks of a `poisson` or `interval` class are
//! made by a producer that sleeps until each arrival and then creates the
//! task, as a real open-loop program's producer does:
//!
//! ```python
//! async def producer():                      # cooperative: a coroutine
//!     for at in arrivals:
//!         delay = t0 + at - loop.time()
//!         if delay > 0:
//!             await asyncio.sleep(delay)
//!         asyncio.create_task(handle(t0 + at))
//!
//! for at in arrivals:                        # threaded: the main thread
//!     delay = t0 + at - time.monotonic()
//!     if delay > 0:
//!         time.sleep(delay)
//!     executor.submit(handle, t0 + at)
//! ```
//!
//! Its sleep wakes late by the timer slack of the time it slept; then it
//! must run: on the loop, behind the callbacks already ready (its wake-up
//! is a callback, R-LOOP-CALLBACK), paying a loop step; on a thread, after
//! taking the GIL back (R-GIL-CONVOY) and its `context_switch`. Each arrival
//! it makes costs it `producer_step` of CPU (the next sleep's timer, or
//! `submit`). A producer behind its schedule makes the overdue arrivals one
//! after another without sleeping. `blocking` has one thread, which is the
//! producer as well: a task that arrives while it is idle starts when its
//! sleep ends (with the slack); the producer's CPU is left out there.
//!
//! A task's latency still counts from its scheduled arrival (`t0 + at`):
//! the producer's lag is part of it, as in a program that measures from
//! the schedule.
//!
//! The producer is a fiber of no task (role [`Role::Producer`], its class
//! in `counter`), so it waits for the loop and the GIL as any other, but no
//! task, outcome or trace counts it. Invariants: a class's backlog holds the
//! scheduled times of arrivals due and not yet made, in order; the class's
//! arrivals end (`arrivals_ended`) when its schedule has ended and its
//! backlog is empty; a producer asleep is in state `Timer`.

use super::*;

/// One class's producer.
#[derive(Debug)]
pub(super) struct Producer {
    pub(super) fiber: FiberId,
    /// Scheduled times of the arrivals due and not yet made.
    backlog: VecDeque<SimTime>,
    /// When it went to sleep (valid in state `Timer`).
    asleep_since: SimTime,
    /// No arrival is scheduled after those in the backlog.
    schedule_done: bool,
}

impl Producer {
    /// Arrivals due and not yet made.
    pub(super) fn due(&self) -> u64 {
        self.backlog.len() as u64
    }
}

impl<'a, O: Observer> Sim<'a, O> {
    /// Creates the producers of the open-loop classes, if the profile has
    /// them: before the first arrival, asleep since t = 0.
    pub(super) fn start_producers(&mut self) {
        if !self.overheads.active || self.overheads.producer_step.is_zero() {
            return;
        }
        for (c, class) in self.scenario.classes.iter().enumerate() {
            let fiber = match class.arrivals {
                Arrivals::Poisson { .. } | Arrivals::Interval { .. } => self.fibers.insert_with(|old| Fiber {
                    generation: old.map_or(0, |old| old.generation),
                    counter: c as u32,
                    role: Role::Producer,
                    state: State::Timer,
                    ..Fiber::FREE
                }),
                _ => FiberId::NONE,
            };
            self.producers.push(Producer {
                fiber,
                backlog: VecDeque::new(),
                asleep_since: SimTime::ZERO,
                schedule_done: false,
            });
        }
    }

    /// The class's producer, if it has one.
    #[inline]
    pub(super) fn producer_of(&self, class: u16) -> Option<FiberId> {
        self.producers.get(class as usize).map(|p| p.fiber).filter(|f| f.is_some())
    }

    /// An arrival of `class` is due now: its producer makes it when its
    /// sleep ends (at once if it did not sleep), or after the ones before.
    pub(super) fn arrival_due(&mut self, class: u16, f: FiberId) {
        let p = &mut self.producers[class as usize];
        p.backlog.push_back(self.now);
        if self.fibers[f].state != State::Timer {
            return;
        }
        let slept = self.now - p.asleep_since;
        if !slept.is_zero() && self.rounds_loop_timers() {
            // Its `asyncio.sleep` is a loop timer (R-LOOP-SELECT).
            let generation = self.park(f, State::Timer);
            self.queue.push(self.now, Event::LoopTimer { fiber: f, generation });
            return;
        }
        let late =
            if slept.is_zero() { SimDuration::ZERO } else { self.overheads.timer_slack(slept, self.cooperative()) };
        let generation = self.park(f, State::Timer);
        self.queue.push(self.now + late, Event::ProducerWake { fiber: f, generation });
    }

    /// The class's schedule has ended: its arrivals end once the producer
    /// has made those due.
    pub(super) fn schedule_ended(&mut self, class: u16, f: FiberId) {
        self.producers[class as usize].schedule_done = true;
        if self.fibers[f].state == State::Timer && self.producers[class as usize].backlog.is_empty() {
            self.producer_done(class, f);
        }
    }

    /// The producer's sleep is over: it runs (on the loop, through its
    /// wake-up callback; on a thread, once it has the GIL back).
    pub(super) fn producer_woken(&mut self, f: FiberId) {
        if self.cooperative() {
            self.wake_callback(f);
        } else if self.starts_threads {
            self.charge(f, self.overheads.context_switch + self.overheads.producer_step);
        } else {
            // `blocking`: the program's one thread is the producer.
            while self.producer_make(f) {}
        }
    }

    /// The loop took the producer off the ready queue: its step, then its
    /// arrival.
    pub(super) fn producer_on_loop(&mut self, f: FiberId) {
        let cost = self.overheads.step(self.live_fibers())
            + std::mem::take(&mut self.loop_debt)
            + self.overheads.producer_step;
        self.event_loop.occupied = true;
        self.charge(f, cost);
    }

    /// The producer's CPU is spent: it makes the next arrival, then goes on
    /// to the next (another `producer_step`), to sleep, or to its end.
    pub(super) fn producer_stepped(&mut self, f: FiberId) {
        if self.producer_make(f) {
            self.charge(f, self.overheads.producer_step);
        } else if self.cooperative() {
            self.event_loop.occupied = false;
            self.drain();
            self.loop_continue();
        }
    }

    /// Makes the producer's next due arrival; true if another is due
    /// already, else it sleeps or, its schedule over, ends.
    fn producer_make(&mut self, f: FiberId) -> bool {
        let class = self.fibers[f].counter as u16;
        let p = &mut self.producers[class as usize];
        let Some(at) = p.backlog.pop_front() else { return false };
        let more = !p.backlog.is_empty();
        let done = !more && p.schedule_done;
        if !more && !done {
            p.asleep_since = self.now;
            self.park(f, State::Timer);
        }
        self.arrive_scheduled(class, NO_USER, at);
        if done {
            self.producer_done(class, f);
        }
        more
    }

    /// The producer has made its last arrival.
    fn producer_done(&mut self, class: u16, f: FiberId) {
        self.producers[class as usize].fiber = FiberId::NONE;
        let generation = self.fibers[f].generation;
        self.fibers[f] = Fiber { generation: generation.wrapping_add(1), ..Fiber::FREE };
        self.fibers.remove(f);
        self.arrivals_ended(class);
    }
}
