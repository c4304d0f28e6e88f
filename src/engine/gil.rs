//! CPython's GIL as `Python/ceval_gil.c` hands it over (R-GIL-CONVOY).
//!
//! One lock, one holder. A thread that needs it while another holds it
//! waits on the GIL's condition variable in timed waits of the switch
//! interval (`take_gil`'s `COND_TIMED_WAIT`); when a wait times out and no
//! switch happened since it began, the waiter sets `gil_drop_request`, and
//! the holder drops the lock at its next eval-breaker check (here: at once).
//! A forced drop signals the condition variable and, with `FORCE_SWITCHING`,
//! the dropper waits until another thread has the lock before it queues
//! again, so it cannot take it back (`drop_gil`). A holder that blocks
//! (`Py_BEGIN_ALLOW_THREADS`) drops it without a request. In both cases the
//! next holder is the waiter the signal wakes: `pthread_cond_signal`
//! promises no order, and on this machine type the next holder among
//! seven spinning threads is near uniform over the waiters by how long they
//! have waited, so it is drawn uniformly from the seeded stream. The woken
//! waiter runs `handoff` later (its wake-up); until then the lock is free,
//! and a thread that asks for it in that window takes it, the woken one
//! waiting again. A waiter's timeout fires `timeout_slack` late (a timer,
//! like any other).
//!
//! A holder keeps the lock across consecutive requests: the engine reports
//! the end of a request, and the lock is released only if the same thread
//! did not ask again before the event was handled ([`Gil::settle`]).
//!
//! Invariants: at most one holder; the dropper of a forced drop is never its
//! successor, unless the waiter that asked was cancelled and nobody else
//! waits; `busy` is the CPU granted, never the hand-over gaps; events
//! whose generation is not the current one are stale and ignored.

use super::ids::FiberId;
use crate::time::{SimDuration, SimTime};
use rand::Rng;
use rand::rngs::ChaCha8Rng;

/// The GIL's holder.
#[derive(Clone, Copy, Debug)]
struct Holder {
    fiber: FiberId,
    /// CPU still to do in its current request (0 once done).
    remaining: SimDuration,
    /// When its current stretch of computing began (after a hand-over's
    /// wake-up).
    runs_from: SimTime,
    /// Its request is done; it keeps the lock until [`Gil::settle`].
    done: bool,
}

/// A thread waiting for the GIL.
#[derive(Clone, Copy, Debug)]
struct Waiter {
    fiber: FiberId,
    work: SimDuration,
    /// When it began waiting: its timed waits expire every interval after.
    since: SimTime,
}

/// The GIL and its waiters.
#[derive(Debug)]
pub struct Gil {
    interval: SimDuration,
    /// How late a timed wait expires (the thread timer slack at `interval`).
    timeout_slack: SimDuration,
    handoff: SimDuration,
    holder: Option<Holder>,
    waiters: Vec<Waiter>,
    last_holder: Option<FiberId>,
    /// When the lock last went to another thread (`switch_number` changed).
    last_switch: SimTime,
    /// When the first waiter will ask the holder to drop; `NEVER` without
    /// waiters.
    drop_at: SimTime,
    generation: u32,
    busy: SimDuration,
    rng: ChaCha8Rng,
}

/// What the engine must schedule after a GIL decision: the holder's next
/// event (its request's end, or the drop a waiter asks for).
pub trait GilSink {
    fn gil_event(&mut self, at: SimTime, generation: u32);
}

impl Gil {
    pub fn new(interval: SimDuration, timeout_slack: SimDuration, handoff: SimDuration, rng: ChaCha8Rng) -> Gil {
        Gil {
            interval: interval.max(SimDuration::from_nanos(1)),
            timeout_slack,
            handoff,
            holder: None,
            waiters: Vec::new(),
            last_holder: None,
            last_switch: SimTime::ZERO,
            drop_at: SimTime::NEVER,
            generation: 0,
            busy: SimDuration::ZERO,
            rng,
        }
    }

    /// Draws from sub-stream `stream` of the generator (a process's index).
    pub fn draw_stream(&mut self, stream: u64) {
        self.rng.set_stream(stream);
    }

    /// CPU granted so far.
    pub fn busy(&self) -> SimDuration {
        self.busy
    }

    /// CPU granted up to `now`: [`Gil::busy`] and what the holder has run
    /// of its request so far.
    pub fn busy_at(&self, now: SimTime) -> SimDuration {
        match self.holder {
            Some(h) if !h.done => self.busy + now.saturating_since(h.runs_from).min(h.remaining),
            _ => self.busy,
        }
    }

    /// 1 while a thread computes under the lock, else 0.
    pub fn in_use(&self) -> u32 {
        u32::from(self.holder.is_some_and(|h| !h.done))
    }

    /// `fiber` could go on at once: nobody holds the lock, or it does.
    pub fn is_free_for(&self, fiber: FiberId) -> bool {
        self.holder.is_none_or(|h| h.fiber == fiber)
    }

    /// `fiber` needs `work` (≥ 0) of CPU under the lock from `now`.
    pub fn request(&mut self, now: SimTime, fiber: FiberId, work: SimDuration, sink: &mut impl GilSink) {
        match self.holder {
            Some(h) if h.fiber == fiber => {
                self.holder = Some(Holder { fiber, remaining: work, runs_from: now, done: false });
                self.schedule(sink);
            }
            None => self.take(now, fiber, work, sink),
            // The lock is free until the woken waiter runs: a thread that
            // comes now takes it (`take_gil` finds it unlocked), and the woken
            // one finds it locked and waits again.
            Some(h) if h.runs_from > now => {
                self.waiters.push(Waiter { fiber: h.fiber, work: h.remaining, since: h.runs_from });
                self.holder = None;
                self.take(now, fiber, work, sink);
            }
            Some(_) => {
                self.waiters.push(Waiter { fiber, work, since: now });
                let asks = self.expiry(now + self.interval);
                if asks < self.drop_at {
                    self.drop_at = asks;
                    if self.holder.is_some_and(|h| !h.done) {
                        self.schedule(sink);
                    }
                }
            }
        }
    }

    /// The holder's event came. Returns the fiber whose request is done, if
    /// any; a forced drop and stale events return `None`.
    pub fn event(&mut self, now: SimTime, generation: u32, sink: &mut impl GilSink) -> Option<FiberId> {
        let h = self.holder.filter(|h| !h.done && generation == self.generation)?;
        let ran = now.saturating_since(h.runs_from);
        self.busy += ran;
        let remaining = h.remaining.saturating_sub(ran);
        if remaining.is_zero() {
            self.holder = Some(Holder { remaining, done: true, ..h });
            return Some(h.fiber);
        }
        // A waiter asked: the holder drops, and queues behind the others
        // once another has the lock (FORCE_SWITCHING).
        self.holder = None;
        self.hand_over(now, Some(Waiter { fiber: h.fiber, work: remaining, since: now }), sink);
        None
    }

    /// Releases the lock of a holder whose request ended and that did not
    /// ask again: it blocked, or its thread ended.
    pub fn settle(&mut self, now: SimTime, sink: &mut impl GilSink) {
        if self.holder.is_some_and(|h| h.done) {
            self.holder = None;
            self.hand_over(now, None, sink);
        }
    }

    /// `fiber` no longer needs the lock (its task was cancelled).
    pub fn cancel(&mut self, now: SimTime, fiber: FiberId, sink: &mut impl GilSink) {
        if let Some(i) = self.waiters.iter().position(|w| w.fiber == fiber) {
            self.waiters.remove(i);
            self.recompute_drop(sink);
            return;
        }
        if let Some(h) = self.holder.filter(|h| h.fiber == fiber) {
            if !h.done {
                self.busy += now.saturating_since(h.runs_from).min(h.remaining);
            }
            self.holder = None;
            self.generation = self.generation.wrapping_add(1);
            self.hand_over(now, None, sink);
        }
    }

    /// The lock is free: the signal wakes one waiter, drawn uniformly; the
    /// `dropper` of a forced drop queues after the draw.
    fn hand_over(&mut self, now: SimTime, mut dropper: Option<Waiter>, sink: &mut impl GilSink) {
        let next = match self.waiters.len() as u64 {
            // The waiter that asked has gone (cancelled): the dropper goes on.
            0 => dropper.take(),
            n => {
                let i = ((u128::from(self.rng.next_u64()) * u128::from(n)) >> 64) as usize;
                Some(self.waiters.remove(i))
            }
        };
        // It begins waiting once the switch happened.
        self.waiters.extend(dropper.map(|d| Waiter { since: now + self.handoff, ..d }));
        match next {
            Some(w) => self.take(now + self.handoff, w.fiber, w.work, sink),
            None => self.drop_at = SimTime::NEVER,
        }
    }

    /// `fiber` takes the free lock at `at`.
    fn take(&mut self, at: SimTime, fiber: FiberId, work: SimDuration, sink: &mut impl GilSink) {
        if self.last_holder != Some(fiber) {
            self.last_holder = Some(fiber);
            self.last_switch = at;
        }
        self.holder = Some(Holder { fiber, remaining: work, runs_from: at, done: false });
        self.recompute_drop(sink);
    }

    /// The first drop request after the last switch: each waiter's timed
    /// waits end every interval after it began waiting, and the first to
    /// end with no switch inside its wait asks.
    fn recompute_drop(&mut self, sink: &mut impl GilSink) {
        let (switch, interval) = (self.last_switch, self.interval.as_nanos());
        self.drop_at = self
            .waiters
            .iter()
            .map(|w| {
                // The first timeout t = since + k·interval (k ≥ 1) with t − interval ≥ switch.
                let behind = (switch + self.interval).as_nanos().saturating_sub(w.since.as_nanos());
                let k = behind.div_ceil(interval).max(1);
                self.expiry(w.since + SimDuration::from_nanos(k.saturating_mul(interval)))
            })
            .min()
            .unwrap_or(SimTime::NEVER);
        if self.holder.is_some_and(|h| !h.done) {
            self.schedule(sink);
        }
    }

    /// When a timed wait due at `due` really ends.
    fn expiry(&self, due: SimTime) -> SimTime {
        due + self.timeout_slack
    }

    /// Schedules the holder's next event: its request's end or the drop.
    fn schedule(&mut self, sink: &mut impl GilSink) {
        let Some(h) = self.holder else { return };
        self.generation = self.generation.wrapping_add(1);
        let at = (h.runs_from + h.remaining).min(self.drop_at.max(h.runs_from));
        sink.gil_event(at, self.generation);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    const MS: u64 = 1_000_000;

    /// A queue of (time, generation) the tests pop in time order.
    #[derive(Default)]
    struct Events(Vec<(SimTime, u32)>);

    impl GilSink for Events {
        fn gil_event(&mut self, at: SimTime, generation: u32) {
            self.0.push((at, generation));
        }
    }

    impl Events {
        fn pop(&mut self) -> Option<(SimTime, u32)> {
            let i = (0..self.0.len()).min_by_key(|&i| (self.0[i].0, i))?;
            Some(self.0.remove(i))
        }
    }

    fn gil() -> Gil {
        Gil::new(SimDuration::from_millis(5), SimDuration::ZERO, SimDuration::ZERO, ChaCha8Rng::seed_from_u64(1))
    }

    fn at(ms: u64) -> SimTime {
        SimTime::ZERO + SimDuration::from_nanos(ms * MS)
    }

    #[test]
    fn a_waiter_asks_after_one_interval_of_waiting() {
        let mut g = gil();
        let mut ev = Events::default();
        let (spinner, sleeper) = (FiberId::new(0), FiberId::new(1));
        g.request(at(0), spinner, SimDuration::from_millis(100), &mut ev);
        // The sleeper comes back at 12 ms: it waits 5 ms, whatever the holder's slice.
        g.request(at(12), sleeper, SimDuration::ZERO, &mut ev);
        assert_eq!(next_done(&mut g, &mut ev, sleeper), at(17));
        assert_eq!(g.busy(), SimDuration::from_millis(17));
    }

    #[test]
    fn a_holder_that_asks_again_keeps_the_lock() {
        let mut g = gil();
        let mut ev = Events::default();
        let (a, b) = (FiberId::new(0), FiberId::new(1));
        g.request(at(0), a, SimDuration::from_millis(1), &mut ev);
        g.request(at(0), b, SimDuration::from_millis(1), &mut ev);
        let t = next_done(&mut g, &mut ev, a);
        assert_eq!(t, at(1));
        g.request(t, a, SimDuration::from_millis(1), &mut ev);
        g.settle(t, &mut ev);
        assert!(!g.is_free_for(b));
        assert_eq!(next_done(&mut g, &mut ev, a), at(2));
    }

    /// Pops events until `fiber`'s request is done; returns when.
    fn next_done(g: &mut Gil, ev: &mut Events, fiber: FiberId) -> SimTime {
        while let Some((t, generation)) = ev.pop() {
            if let Some(f) = g.event(t, generation, ev) {
                assert_eq!(f, fiber);
                return t;
            }
        }
        panic!("{fiber:?} never ends");
    }
}
