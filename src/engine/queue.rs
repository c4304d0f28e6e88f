//! The pending-event set: events ordered by virtual time, FIFO among equal
//! times.
//!
//! Two events at the same virtual time pop in the order they were pushed.
//! That tie-break is what makes runs deterministic: without it, a binary
//! heap's order among equal keys depends on the heap's history, and the
//! order of, say, two timers firing at t = 1 s would change with unrelated
//! edits to the scenario.
//!
//! Two implementations, both with that contract; [`EventQueue`] names the
//! one the engine uses, chosen by measurement (docs/performance.md, `cargo
//! bench --bench engine -- "queue hold"`):
//!
//! - [`RadixQueue`] (the engine's): a radix heap. Virtual time is a
//!   monotone integer (an event is never scheduled before the last one
//!   popped), so events can be kept in 65 buckets by the highest bit in
//!   which their time differs from the last popped time. A push is an append;
//!   a pop takes from bucket 0 or, when it is empty, redistributes the
//!   lowest non-empty bucket into lower ones. Each event moves down at most
//!   64 times and in practice a few times: amortised O(log of the time span)
//!   per event, sequential memory access, no per-event comparisons of
//!   insertion numbers. Ties stay FIFO without an insertion counter: events
//!   with equal times are always in the same bucket (a bucket is a function
//!   of the time and the last popped time), appends keep their order, and
//!   redistribution moves a bucket, in order, into buckets that are empty.
//! - [`BinaryHeapQueue`]: `std`'s binary heap on `(time, insertion number)`,
//!   O(log n) push and pop, kept as the benchmark baseline.
//!
//! Neither allocates once it has grown to the run's peak number of pending
//! events.

use crate::time::SimTime;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

/// The queue the engine uses.
pub type EventQueue<E> = RadixQueue<E>;

// ----- radix heap ------------------------------------------------------------

/// Buckets of a radix heap over 64-bit times: bucket 0 holds events at the
/// last popped time, bucket `i` ≥ 1 those whose highest bit differing from it
/// is bit `i - 1`.
const BUCKETS: usize = 65;

/// A monotone radix heap: a time-ordered queue of events of type `E`, FIFO
/// among equal times. Pushing an event earlier than the last one popped
/// panics (the engine never does: virtual time does not go back).
#[derive(Debug)]
pub struct RadixQueue<E> {
    /// The last popped time: every pending event is at or after it.
    last: u64,
    /// Events at `last`, in push order.
    now: VecDeque<(u64, E)>,
    /// Buckets 1..=64 (index 0 unused): events in push order.
    buckets: Vec<Vec<(u64, E)>>,
    /// Bit `i` set when `buckets[i]` is non-empty.
    occupied: u128,
    len: usize,
}

impl<E> Default for RadixQueue<E> {
    fn default() -> Self {
        RadixQueue {
            last: 0,
            now: VecDeque::new(),
            buckets: (0..BUCKETS).map(|_| Vec::new()).collect(),
            occupied: 0,
            len: 0,
        }
    }
}

impl<E> RadixQueue<E> {
    pub fn new() -> Self {
        Self::default()
    }

    /// The bucket of `time` relative to the last popped time.
    #[inline]
    fn bucket(&self, time: u64) -> usize {
        (u64::BITS - (time ^ self.last).leading_zeros()) as usize
    }

    /// Schedules `event` at `time` (not before the last popped time).
    #[inline]
    pub fn push(&mut self, time: SimTime, event: E) {
        let t = time.as_nanos();
        assert!(t >= self.last, "an event was scheduled before the current time");
        self.len += 1;
        let b = self.bucket(t);
        if b == 0 {
            self.now.push_back((t, event));
        } else {
            self.buckets[b].push((t, event));
            self.occupied |= 1 << b;
        }
    }

    /// Removes and returns the earliest event (the first pushed among ties).
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        if self.now.is_empty() {
            if self.occupied == 0 {
                return None;
            }
            self.refill();
        }
        let (t, event) = self.now.pop_front()?;
        self.len -= 1;
        Some((SimTime::from_nanos(t), event))
    }

    /// Bucket 0 is empty: advances `last` to the earliest pending time and
    /// redistributes the lowest non-empty bucket, in order.
    #[cold]
    fn refill(&mut self) {
        let b = self.occupied.trailing_zeros() as usize;
        if self.buckets[b].len() == 1 {
            // Common when few events are pending: nothing to redistribute.
            let (t, event) = self.buckets[b].pop().expect("one event");
            self.occupied &= !(1 << b);
            self.last = t;
            self.now.push_back((t, event));
            return;
        }
        let mut moving = std::mem::take(&mut self.buckets[b]);
        self.occupied &= !(1 << b);
        self.last = moving.iter().map(|&(t, _)| t).min().expect("an occupied bucket has events");
        for (t, event) in moving.drain(..) {
            let to = self.bucket(t);
            if to == 0 {
                self.now.push_back((t, event));
            } else {
                self.buckets[to].push((t, event));
                self.occupied |= 1 << to;
            }
        }
        // Keep the emptied vector's capacity for the bucket.
        self.buckets[b] = moving;
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

// ----- binary heap -----------------------------------------------------------

/// A binary min-heap on `(time, insertion number)`: a time-ordered queue of
/// events of type `E`, FIFO among equal times.
#[derive(Debug)]
pub struct BinaryHeapQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    pushed: u64,
}

#[derive(Debug)]
struct Entry<E> {
    time: SimTime,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.time == other.time && self.seq == other.seq
    }
}

impl<E> Eq for Entry<E> {}

impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<E> Ord for Entry<E> {
    /// Reversed, so that `BinaryHeap` (a max-heap) pops the earliest time,
    /// and among equal times the earliest pushed.
    fn cmp(&self, other: &Self) -> Ordering {
        other.time.cmp(&self.time).then_with(|| other.seq.cmp(&self.seq))
    }
}

impl<E> Default for BinaryHeapQueue<E> {
    fn default() -> Self {
        BinaryHeapQueue { heap: BinaryHeap::new(), pushed: 0 }
    }
}

impl<E> BinaryHeapQueue<E> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Schedules `event` at `time`.
    pub fn push(&mut self, time: SimTime, event: E) {
        let seq = self.pushed;
        self.pushed += 1;
        self.heap.push(Entry { time, seq, event });
    }

    /// Removes and returns the earliest event (the first pushed among ties).
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        self.heap.pop().map(|e| (e.time, e.event))
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both queues, driven through the same operations.
    trait Queue {
        fn push(&mut self, t: u64, e: u64);
        fn pop(&mut self) -> Option<(u64, u64)>;
    }
    impl Queue for RadixQueue<u64> {
        fn push(&mut self, t: u64, e: u64) {
            RadixQueue::push(self, SimTime::from_nanos(t), e)
        }
        fn pop(&mut self) -> Option<(u64, u64)> {
            RadixQueue::pop(self).map(|(t, e)| (t.as_nanos(), e))
        }
    }
    impl Queue for BinaryHeapQueue<u64> {
        fn push(&mut self, t: u64, e: u64) {
            BinaryHeapQueue::push(self, SimTime::from_nanos(t), e)
        }
        fn pop(&mut self) -> Option<(u64, u64)> {
            BinaryHeapQueue::pop(self).map(|(t, e)| (t.as_nanos(), e))
        }
    }

    fn pops_in_time_order(q: &mut impl Queue) {
        for t in [5u64, 1, 3, 2, 4] {
            q.push(t, t);
        }
        let order: Vec<u64> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, [1, 2, 3, 4, 5]);
    }

    fn equal_times_pop_in_insertion_order(q: &mut impl Queue) {
        q.push(10, 100);
        for e in 0..8 {
            q.push(7, e);
        }
        let order: Vec<u64> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, [0, 1, 2, 3, 4, 5, 6, 7, 100]);
    }

    #[test]
    fn both_queues_pop_in_time_order() {
        pops_in_time_order(&mut RadixQueue::new());
        pops_in_time_order(&mut BinaryHeapQueue::new());
    }

    #[test]
    fn both_queues_pop_equal_times_in_insertion_order() {
        equal_times_pop_in_insertion_order(&mut RadixQueue::new());
        equal_times_pop_in_insertion_order(&mut BinaryHeapQueue::new());
    }

    /// The radix heap pops exactly what the binary heap pops, ties included,
    /// under a simulation-like mix of pushes at and after the current time.
    #[test]
    fn radix_heap_matches_binary_heap_event_for_event() {
        let mut radix = RadixQueue::<u64>::new();
        let mut binary = BinaryHeapQueue::<u64>::new();
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut now = 0u64;
        let mut id = 0u64;
        for round in 0..20_000u64 {
            // A few pushes: now (ties), a small gap (ties among themselves),
            // or a wide one.
            for _ in 0..(next() % 4) {
                let t = match next() % 4 {
                    0 => now,
                    1 => now + next() % 8,
                    2 => now + next() % 1_000,
                    _ => now + next() % (1 << 40),
                };
                Queue::push(&mut radix, t, id);
                Queue::push(&mut binary, t, id);
                id += 1;
            }
            if round % 3 != 0 {
                let (a, b) = (Queue::pop(&mut radix), Queue::pop(&mut binary));
                assert_eq!(a, b, "round {round}");
                if let Some((t, _)) = a {
                    now = t;
                }
            }
        }
        loop {
            let (a, b) = (Queue::pop(&mut radix), Queue::pop(&mut binary));
            assert_eq!(a, b);
            if a.is_none() {
                break;
            }
        }
    }

    #[test]
    #[should_panic(expected = "before the current time")]
    fn radix_heap_refuses_the_past() {
        let mut q = RadixQueue::new();
        q.push(SimTime::from_nanos(10), ());
        q.pop();
        q.push(SimTime::from_nanos(9), ());
    }
}
