//! Shared network links: egalitarian processor sharing of a bandwidth.
//!
//! Every active transfer on a link receives `bandwidth / n` while `n`
//! transfers are active. Instead of updating each transfer's remaining bytes
//! at every arrival and departure, the link keeps one *virtual work* clock
//! `V`: the work (in nano-bits, bits × 10⁹) each active transfer has
//! received since the link was created. A transfer starting when the clock
//! reads `V₀` with `b` bytes ends when `V` reaches `V₀ + 8·b·10⁹`; transfers
//! wait in a min-heap keyed by that finish value (ties: start order), so a
//! start or an end costs O(log n).
//!
//! Exactness: the clock advances by `⌊B·Δt / n⌋` nano-bits over `Δt`
//! nanoseconds (B in bits/s), and the next end is scheduled
//! `⌈(V_f − V)·n / B⌉` ns ahead, at the first integer nanosecond by which
//! the head's work is done. When that event fires the clock is set to at
//! least the head's finish value, so the floor never delays an end further.
//!
//! Invariants:
//! - `active` is the number of transfers in the heap whose fiber still
//!   waits for them; entries of cancelled transfers stay in the heap and are
//!   recognised by their fiber's generation (the caller's `live` check);
//! - one completion event is pending per link at most that counts: each
//!   reschedule bumps `generation`, and events carrying an older one are
//!   ignored.

use super::ids::FiberId;
use crate::time::{SimDuration, SimTime};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Nano-bits per byte: the virtual clock's unit is 10⁻⁹ bit.
const WORK_PER_BYTE: u128 = 8 * 1_000_000_000;

/// A transfer waiting for its end: (finish work, start order, fiber,
/// fiber generation).
type Entry = Reverse<(u128, u64, FiberId, u32)>;

/// One link's processor-sharing state.
#[derive(Debug)]
pub struct Link {
    bits_per_s: u128,
    work: u128,
    since: SimTime,
    active: u32,
    heap: BinaryHeap<Entry>,
    started: u64,
    /// Bumped at every reschedule; a completion event carries it.
    pub generation: u32,
}

impl Link {
    pub fn new(bits_per_s: u64) -> Link {
        Link {
            bits_per_s: u128::from(bits_per_s.max(1)),
            work: 0,
            since: SimTime::ZERO,
            active: 0,
            heap: BinaryHeap::new(),
            started: 0,
            generation: 0,
        }
    }

    /// Transfers in progress.
    pub fn active(&self) -> u32 {
        self.active
    }

    /// Brings the virtual clock and the busy time up to `now`.
    fn advance(&mut self, now: SimTime) {
        let dt = now - self.since;
        if self.active > 0 && !dt.is_zero() {
            self.work += self.bits_per_s * u128::from(dt.as_nanos()) / u128::from(self.active);
        }
        self.since = now;
    }

    /// `fiber` (at `generation`) starts moving `bytes` at `now`.
    pub fn start(&mut self, now: SimTime, fiber: FiberId, generation: u32, bytes: u64) {
        self.advance(now);
        let finish = self.work + u128::from(bytes) * WORK_PER_BYTE;
        self.heap.push(Reverse((finish, self.started, fiber, generation)));
        self.started += 1;
        self.active += 1;
    }

    /// A transfer in progress was abandoned (its task was cancelled).
    pub fn cancel(&mut self, now: SimTime) {
        self.advance(now);
        self.active -= 1;
    }

    /// The completion event of `generation` fired at `now`: whether it is
    /// current. If so, the clock has reached the head's finish value.
    pub fn fire(&mut self, now: SimTime, generation: u32) -> bool {
        if generation != self.generation {
            return false;
        }
        self.advance(now);
        if let Some(Reverse((finish, ..))) = self.heap.peek() {
            self.work = self.work.max(*finish);
        }
        true
    }

    /// Pops the next transfer whose work is done, if any, and returns its
    /// fiber. `live(fiber, generation)` says whether it still waits for it.
    pub fn pop_finished(&mut self, live: impl Fn(FiberId, u32) -> bool) -> Option<FiberId> {
        while let Some(&Reverse((finish, _, fiber, generation))) = self.heap.peek() {
            if finish > self.work {
                return None;
            }
            self.heap.pop();
            if live(fiber, generation) {
                self.active -= 1;
                return Some(fiber);
            }
        }
        None
    }

    /// When the head transfer ends at the current share, with the new
    /// generation its event must carry; `None` when the link is idle.
    pub fn reschedule(&mut self, now: SimTime, live: impl Fn(FiberId, u32) -> bool) -> Option<(SimTime, u32)> {
        self.advance(now);
        self.generation = self.generation.wrapping_add(1);
        while let Some(&Reverse((_, _, fiber, generation))) = self.heap.peek() {
            if live(fiber, generation) {
                break;
            }
            self.heap.pop();
        }
        if self.active == 0 {
            self.heap.clear();
            return None;
        }
        let Reverse((finish, ..)) = *self.heap.peek()?;
        let left = finish.saturating_sub(self.work) * u128::from(self.active);
        let ns = left.div_ceil(self.bits_per_s);
        Some((now + SimDuration::from_nanos(u64::try_from(ns).unwrap_or(u64::MAX)), self.generation))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64) -> SimTime {
        SimTime::ZERO + SimDuration::from_millis(ms)
    }

    #[test]
    fn two_equal_transfers_share_the_link() {
        // 1 MB on 8 Mbit/s: 1 s alone, 2 s for two together.
        let mut link = Link::new(8_000_000);
        link.start(at(0), FiberId::new(0), 0, 1_000_000);
        link.start(at(0), FiberId::new(1), 0, 1_000_000);
        let (when, generation) = link.reschedule(at(0), |_, _| true).unwrap();
        assert_eq!(when, at(2000));
        assert!(link.fire(when, generation));
        assert_eq!(link.pop_finished(|_, _| true), Some(FiberId::new(0)));
        assert_eq!(link.pop_finished(|_, _| true), Some(FiberId::new(1)));
        assert_eq!(link.reschedule(when, |_, _| true), None);
    }

    #[test]
    fn a_cancelled_transfer_frees_its_share() {
        let mut link = Link::new(8_000_000);
        link.start(at(0), FiberId::new(0), 0, 1_000_000);
        link.start(at(0), FiberId::new(1), 0, 1_000_000);
        // At 0.5 s each has 0.25 MB; fiber 1 is cancelled, fiber 0 has 0.75 MB left alone.
        link.cancel(at(500));
        let live = |f: FiberId, _| f == FiberId::new(0);
        let (when, _) = link.reschedule(at(500), live).unwrap();
        assert_eq!(when, at(1250));
    }
}
