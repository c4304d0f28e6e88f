//! Work queues (docs/model.md R-QUEUE-*): `put` and `get` with
//! `asyncio.Queue` / `queue.Queue` semantics, long-lived queue workers
//! looping their program, and the closing of a queue when every class that
//! puts into it is done.
//!
//! A queue holds the put times of its items (FIFO), and two FIFOs of
//! waiters: getters (on an empty queue) and putters (on a full one). As in
//! CPython's Lib/asyncio/queues.py, a `put` appends its item and wakes the
//! first getter (`_wakeup_next`), a `get` pops the oldest item and wakes the
//! first putter; a woken waiter checks the queue again when it runs (the
//! `while self.empty()` / `while self.full()` loops), and waits again at the
//! back if another fiber took the item or the slot first.
//!
//! A worker is a task whose root fiber loops its program (`Op::Loop`). It
//! holds a thread (threaded) or is a coroutine outside `max_concurrency`
//! (cooperative). Between iterations its task is marked ended, so the
//! outcome guards, the horizon and the in-flight count ignore it; the
//! `get` that hands it an item opens an iteration, recorded as one task of
//! its class that arrived when the item was put.
//!
//! Invariants: an item is in exactly one queue or got; a fiber is in at
//! most one waiter FIFO with its current generation (stale entries are
//! skipped when popped); a closed queue never gets another item (every
//! class putting into it is done); existing scenarios (no queues) never
//! reach this module but through `self.queues.is_some()` checks.

use super::interpreter::Flow;
use super::*;
use crate::engine::ids::SlabId;
use crate::engine::observer::{QueueChange, QueueEvent};
use crate::model::{QueueId, QueueUse, queues_used};

/// The number idle workers' tasks carry: no followed task has it.
const WORKER_NUMBER: u64 = Task::NUMBER;

/// The queues of a run and what their closing depends on.
pub(super) struct Queues {
    states: Vec<QueueState>,
    /// Per class: workers alive (worker classes) or tasks whose last fiber
    /// is gone (the others: with the class's `issued`, its tasks in flight,
    /// so that arrivals need no hook).
    live: Vec<u64>,
    /// Per class: no arrival is left (workers: always).
    arrivals_over: Vec<bool>,
    /// Per class: a worker class.
    worker: Vec<bool>,
    /// Per closed-loop class: users that stopped issuing.
    users_stopped: Vec<u32>,
    /// Each worker's ordinal within its class, by task slot (slots of
    /// workers only; a worker keeps its slot while it lives): what a trace
    /// names an idle worker by ([`TraceEvent::IDLE_WORKER`]).
    ordinals: Vec<u32>,
    /// Per class: threaded work items its tasks submitted that are not
    /// done (R-THREADS-SUBMIT). A detached one outlives its task and may
    /// still put: the class is not done before them.
    items: Vec<u64>,
}

struct QueueState {
    capacity: Option<u32>,
    /// Put times of the items, oldest first.
    items: VecDeque<SimTime>,
    getters: VecDeque<(FiberId, u32)>,
    /// With the time each began to wait.
    putters: VecDeque<(FiberId, u32, SimTime)>,
    /// Classes whose programs put into the queue.
    producers: Vec<u16>,
    closed: bool,
}

impl Queues {
    /// `None` for a scenario without queues.
    pub(super) fn of(scenario: &Scenario) -> Option<Box<Queues>> {
        if scenario.queues.is_empty() {
            return None;
        }
        let states = (0..scenario.queues.len())
            .map(|q| QueueState {
                capacity: scenario.queues[q].capacity,
                items: VecDeque::new(),
                getters: VecDeque::new(),
                putters: VecDeque::new(),
                producers: (0..scenario.classes.len() as u16)
                    .filter(|&c| {
                        queues_used(&scenario.classes[c as usize].program, QueueUse::Put).contains(&(q as QueueId))
                    })
                    .collect(),
                closed: false,
            })
            .collect();
        let worker: Vec<bool> =
            scenario.classes.iter().map(|c| matches!(c.arrivals, Arrivals::Workers { .. })).collect();
        Some(Box::new(Queues {
            states,
            live: vec![0; scenario.classes.len()],
            arrivals_over: worker.clone(),
            worker,
            users_stopped: vec![0; scenario.classes.len()],
            ordinals: Vec::new(),
            items: vec![0; scenario.classes.len()],
        }))
    }
}

impl<'a, O: Observer> Sim<'a, O> {
    fn queues(&mut self) -> &mut Queues {
        self.queues.as_mut().expect("queue ops run only in scenarios with queues")
    }

    /// What a trace event of `task` carries as its number: an idle worker
    /// (no task between two items) is [`TraceEvent::IDLE_WORKER`] with its
    /// ordinal within its class.
    pub(super) fn traced_number(&self, task: TaskId) -> u64 {
        let number = self.tasks[task].number();
        match (number, &self.queues) {
            (WORKER_NUMBER, Some(queues)) => {
                TraceEvent::IDLE_WORKER | u64::from(queues.ordinals.get(task.index()).copied().unwrap_or(u32::MAX))
            }
            _ => number,
        }
    }

    /// Whether `task` is a queue worker.
    fn is_worker(&self, task: TaskId) -> bool {
        self.queues.as_ref().is_some_and(|q| q.worker[self.tasks[task].class() as usize])
    }

    fn queue_event(&mut self, queue: QueueId, event: QueueEvent) {
        self.observer.queue(&QueueChange { time: self.now, queue, event });
    }

    /// `put`: appends an item and wakes the first getter; on a full queue
    /// the fiber waits at the back of the putters (R-QUEUE-PUT).
    #[inline(never)]
    pub(super) fn op_put(&mut self, f: FiberId, queue: QueueId) -> Flow {
        self.begin(f, None);
        self.fibers[f].flags &= !Fiber::QUEUE_WOKEN;
        let now = self.now;
        let q = &mut self.queues().states[queue as usize];
        if q.capacity.is_some_and(|c| q.items.len() >= c as usize) {
            let generation = self.park(f, State::QueuePut);
            self.fibers[f].counter = u32::from(queue);
            self.queues().states[queue as usize].putters.push_back((f, generation, now));
            self.awaiting(f);
            return Flow::Parked;
        }
        q.items.push_back(now);
        let len = q.items.len() as u64;
        self.queue_event(queue, QueueEvent::Put { len });
        self.wake_getter(queue);
        self.step_done(f);
        Flow::Continue
    }

    /// `get`: takes the oldest item and wakes the first putter; on an empty
    /// queue the fiber waits at the back of the getters, unless the queue
    /// is closed and the fiber is a worker's loop, which then stops
    /// (R-QUEUE-GET, R-QUEUE-CLOSE).
    #[inline(never)]
    pub(super) fn op_get(&mut self, f: FiberId, queue: QueueId) -> Flow {
        self.begin(f, None);
        self.fibers[f].flags &= !Fiber::QUEUE_WOKEN;
        let q = &mut self.queues().states[queue as usize];
        let Some(put_at) = q.items.pop_front() else {
            let task = self.fibers[f].task;
            let stops =
                self.queues().states[queue as usize].closed && self.fibers[f].parent.is_none() && self.is_worker(task);
            if stops {
                self.finish_fiber(f);
                return Flow::Parked;
            }
            let generation = self.park(f, State::QueueGet);
            self.fibers[f].counter = u32::from(queue);
            self.queues().states[queue as usize].getters.push_back((f, generation));
            self.awaiting(f);
            return Flow::Parked;
        };
        let len = q.items.len() as u64;
        let last = q.closed && len == 0;
        self.queue_event(queue, QueueEvent::Got { len, waited: self.now - put_at });
        self.wake_putter(queue);
        if last {
            // The closed queue's last item: its other getters stop now.
            self.wake_all_getters(queue);
        }
        let task = self.fibers[f].task;
        if self.tasks[task].ended() && self.is_worker(task) {
            self.open_iteration(task, put_at);
        }
        self.step_done(f);
        Flow::Continue
    }

    /// `_wakeup_next(self._getters)`: the first getter still waiting runs
    /// again (and looks at the queue again).
    fn wake_getter(&mut self, queue: QueueId) {
        while let Some((g, generation)) = self.queues().states[queue as usize].getters.pop_front() {
            if self.is_current(g, generation, State::QueueGet) {
                self.fibers[g].flags |= Fiber::QUEUE_WOKEN;
                self.resume(g);
                return;
            }
        }
    }

    /// Cooperative: `f`, woken by a `put` or `get` and cancelled before it
    /// looked at its queue again, passes the wakeup on to the next waiter,
    /// as asyncio's `Queue.put` and `Queue.get` do when cancelled (`if not
    /// self.full() and not putter.cancelled(): self._wakeup_next(…)`):
    /// otherwise the item (or the room) would wait with nobody woken.
    pub(super) fn pass_on_queue_wakeup(&mut self, f: FiberId) {
        let Fiber { pc, flags, .. } = self.fibers[f];
        if flags & Fiber::QUEUE_WOKEN == 0 {
            return;
        }
        self.fibers[f].flags &= !Fiber::QUEUE_WOKEN;
        match self.w.ops[pc as usize] {
            Op::Put { queue } => {
                let q = &self.queues().states[queue as usize];
                if q.capacity.is_none_or(|c| q.items.len() < c as usize) {
                    self.wake_putter(queue);
                }
            }
            Op::Get { queue } if !self.queues().states[queue as usize].items.is_empty() => self.wake_getter(queue),
            _ => {}
        }
    }

    /// Every getter of a closed, empty queue runs again (workers stop).
    fn wake_all_getters(&mut self, queue: QueueId) {
        let woken: Vec<(FiberId, u32)> = self.queues().states[queue as usize].getters.drain(..).collect();
        for (g, generation) in woken {
            if self.is_current(g, generation, State::QueueGet) {
                self.resume(g);
            }
        }
    }

    /// `_wakeup_next(self._putters)`, reporting how long the putter waited.
    fn wake_putter(&mut self, queue: QueueId) {
        while let Some((p, generation, since)) = self.queues().states[queue as usize].putters.pop_front() {
            if self.is_current(p, generation, State::QueuePut) {
                self.queue_event(queue, QueueEvent::Unblocked { blocked: self.now - since });
                self.fibers[p].flags |= Fiber::QUEUE_WOKEN;
                self.resume(p);
                return;
            }
        }
    }

    /// Starts every worker of every worker class, in class order, before
    /// any arrival (R-QUEUE-WORKERS).
    pub(super) fn start_workers(&mut self) {
        if self.queues.is_none() {
            return;
        }
        for (c, class) in self.scenario.classes.iter().enumerate() {
            let Arrivals::Workers { count } = class.arrivals else { continue };
            for ordinal in 0..count {
                let mut task = Task::arrived(c as u16, u64::from(ordinal), WORKER_NUMBER, self.now, NO_USER);
                task.number_flags |= Task::ENDED;
                let task = self.tasks.insert(task);
                let queues = self.queues();
                queues.live[c] += 1;
                if queues.ordinals.len() <= task.index() {
                    queues.ordinals.resize(task.index() + 1, u32::MAX);
                }
                queues.ordinals[task.index()] = ordinal;
                match &mut self.discipline {
                    Discipline::Threads { workers, busy, waiting } => {
                        if *busy < *workers {
                            self.start_on_thread(task);
                        } else {
                            waiting.push_back(task);
                        }
                    }
                    Discipline::Cooperative { .. } => {
                        self.stats.peak_threads = 1;
                        let root = self.new_root(task);
                        self.make_ready(root);
                    }
                }
            }
        }
        // A queue no class puts into is closed from the start. The workers
        // have not run yet (they are queued to), and all are counted.
        self.check_closures();
    }

    /// The worker's `get` handed it the iteration's first item: from now the
    /// iteration is a task of the class that arrived when the item was put.
    fn open_iteration(&mut self, task: TaskId, put_at: SimTime) {
        let class = self.tasks[task].class();
        let index = self.classes[class as usize].issued;
        self.classes[class as usize].issued += 1;
        let number = self.stats.arrived;
        self.stats.arrived += 1;
        let t = &mut self.tasks[task];
        t.index_class = index | u64::from(class) << Task::INDEX_BITS;
        t.number_flags = number | Task::IN_USE;
        t.arrived = put_at;
        t.started = self.now;
        self.integrate_in_flight();
        self.stats.last_arrival = self.now;
        self.stats.in_flight_ns_at_last_arrival = self.stats.in_flight_ns;
        self.in_flight += 1;
        self.stats.peak_in_flight = self.stats.peak_in_flight.max(self.in_flight);
        self.trace(task, TraceWhat::Arrived);
        self.trace(task, TraceWhat::Started);
    }

    /// `Op::Loop`: the iteration is over (recorded if it got an item); the
    /// worker goes back to the start of its program.
    #[inline(never)]
    pub(super) fn op_loop(&mut self, f: FiberId, start: u32) -> Flow {
        let task = self.fibers[f].task;
        if !self.tasks[task].ended() {
            self.record_outcome(task, Outcome::Completed);
            let t = &mut self.tasks[task];
            t.number_flags = WORKER_NUMBER | Task::IN_USE | Task::ENDED;
        }
        self.fibers[f].pc = start;
        Flow::Continue
    }

    /// A task's last fiber is gone: count it off its class, close what its
    /// class's end closes. True when the task was a coroutine worker, whose
    /// slot this frees (it held no admission).
    #[inline(never)]
    pub(super) fn queue_task_done(&mut self, task: TaskId) -> bool {
        let c = self.tasks[task].class();
        let q = self.queues();
        let worker = q.worker[c as usize];
        if worker {
            q.live[c as usize] -= 1;
        } else {
            q.live[c as usize] += 1;
        }
        if self.class_done(c) {
            self.check_closures();
        }
        if worker && self.cooperative() {
            self.tasks[task] = Task::FREE;
            self.tasks.remove(task);
            return true;
        }
        false
    }

    /// Whether class `c` has no arrival left, no task in flight (a worker
    /// class: all its workers stopped) and no work item running.
    fn class_done(&self, c: u16) -> bool {
        let q = self.queues.as_ref().expect("scenarios with queues");
        let c = c as usize;
        q.items[c] == 0
            && if q.worker[c] { q.live[c] == 0 } else { q.arrivals_over[c] && q.live[c] == self.classes[c].issued }
    }

    /// A task of `class` submitted a work item.
    pub(super) fn queue_item_started(&mut self, class: u16) {
        if let Some(q) = &mut self.queues {
            q.items[class as usize] += 1;
        }
    }

    /// A work item of `class` is done (or cancelled while queued): the
    /// class may be done, and its queues close.
    pub(super) fn queue_item_done(&mut self, class: u16) {
        let Some(q) = &mut self.queues else { return };
        q.items[class as usize] -= 1;
        if self.class_done(class) {
            self.check_closures();
        }
    }

    /// No arrival of `class` is left (a closed loop: one more user stopped).
    pub(super) fn arrivals_ended(&mut self, class: u16) {
        if self.queues.is_some() {
            self.queue_arrivals_ended(class);
        }
    }

    #[inline(never)]
    fn queue_arrivals_ended(&mut self, class: u16) {
        let Some(q) = &mut self.queues else { return };
        let c = class as usize;
        if let Arrivals::Closed { users, .. } = self.scenario.classes[c].arrivals {
            q.users_stopped[c] += 1;
            if q.users_stopped[c] < users {
                return;
            }
        }
        q.arrivals_over[c] = true;
        if self.class_done(class) {
            self.check_closures();
        }
    }

    /// Closes every queue whose producers are all done; the getters of a
    /// closed, empty queue run again (workers' loops stop there).
    fn check_closures(&mut self) {
        for i in 0..self.queues().states.len() {
            let q = self.queues.as_ref().expect("scenarios with queues");
            if q.states[i].closed || !q.states[i].producers.iter().all(|&c| self.class_done(c)) {
                continue;
            }
            self.queues().states[i].closed = true;
            if self.queues().states[i].items.is_empty() {
                self.wake_all_getters(i as QueueId);
            }
        }
    }

    /// What a fiber waiting at a queue waits for, for a stall's message.
    pub(super) fn describe_queue_wait(&self, fiber: &Fiber) -> Option<String> {
        let queue = fiber.counter as usize;
        let name = &self.scenario.queues.get(queue)?.name;
        let q = &self.queues.as_ref()?.states[queue];
        let producers: Vec<&str> =
            q.producers.iter().map(|&c| self.scenario.classes[c as usize].name.as_str()).collect();
        match fiber.state {
            State::QueueGet => Some(format!(
                "waits for an item of queue \"{name}\" (empty; {})",
                if q.closed {
                    "closed".to_string()
                } else if producers.is_empty() {
                    "no class puts into it".to_string()
                } else {
                    format!("open while {} may still put", producers.join(", "))
                }
            )),
            State::QueuePut => {
                let capacity = q.capacity.unwrap_or(0);
                Some(format!("waits for room in queue \"{name}\" (full: {capacity} of {capacity} items)"))
            }
            _ => None,
        }
    }

    /// Threads: a task waiting for a worker thread when queue workers hold
    /// them all.
    pub(super) fn describe_thread_wait(&self) -> Option<String> {
        let Discipline::Threads { workers, .. } = &self.discipline else { return None };
        let q = self.queues.as_ref()?;
        let held: Vec<String> = (0..q.worker.len())
            .filter(|&c| q.worker[c] && q.live[c] > 0)
            .map(|c| format!("{} ×{}", self.scenario.classes[c].name, q.live[c]))
            .collect();
        let total: u64 = (0..q.worker.len()).filter(|&c| q.worker[c]).map(|c| q.live[c]).sum();
        (total >= u64::from(*workers)).then(|| {
            format!(
                "waits for a worker thread: queue workers hold all {workers} threads ({}); give the pool more \"workers\" than the queue workers",
                held.join(", ")
            )
        })
    }
}
