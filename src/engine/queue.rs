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
//! - [`RadixQueue`] (the engine's): a radix heap on 8-bit digits. Virtual
//!   time is a monotone integer (an event is never scheduled before the last
//!   one popped), so events can be kept in buckets named by the highest
//!   8-bit digit (the *level*) in which their time differs from the last
//!   popped time, and by their value of that digit. A push is an append; a
//!   pop takes from the events at the last popped time or, when there are
//!   none, takes the lowest non-empty bucket: at level 0 its events all share
//!   one time and become the current ones whole; at a higher level they are
//!   redistributed into lower levels. Each event moves down at most 8 times
//!   and in practice 2–4: sequential memory access, no per-event comparisons
//!   of insertion numbers. Ties stay FIFO without an insertion counter:
//!   events with equal times are always in the same bucket (a bucket is a
//!   function of the time and the last popped time), appends keep their
//!   order, and redistribution moves a bucket, in order, into lower levels,
//!   which are empty.
//! - [`BinaryHeapQueue`]: `std`'s binary heap on `(time, insertion number)`,
//!   O(log n) push and pop, kept as the benchmark baseline.
//!
//! Neither allocates once it has grown to the run's peak number of pending
//! events.

use crate::time::SimTime;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// The queue the engine uses.
pub type EventQueue<E> = RadixQueue<E>;

// ----- radix heap ------------------------------------------------------------

/// Bits per digit, buckets per level, and levels of a 64-bit time.
const DIGIT: u32 = 8;
const WIDTH: usize = 1 << DIGIT;
const LEVELS: usize = 64 / DIGIT as usize;

/// Levels 1..=`NEAR` hold times that agree with the last popped time in
/// their high 32 bits, so they store only the low 32 (see [`RadixQueue`]).
const NEAR: usize = 3;

/// The high 32 bits of a time.
const HIGH: u64 = !0xFFFF_FFFF;

/// The largest bucket whose events a refill announces to
/// [`RadixQueue::pop_hinting`]'s `upcoming`: a few dozen events are the
/// next to pop, a larger bucket is mostly for later.
pub const HINT_BUCKET: usize = 32;

/// A monotone radix heap on 8-bit digits: a time-ordered queue of events of
/// type `E`, FIFO among equal times. Pushing an event earlier than the last
/// one popped panics (the engine never does: virtual time does not go back).
///
/// The bucket of a time `t` is at level `L`, the highest 8-bit digit in
/// which `t` differs from `last`, and is named by `t`'s value of that digit
/// (greater than `last`'s). Every event of a level-`L` bucket is earlier than
/// every event of a higher level, and of a higher bucket of level `L`.
///
/// Compact entries: an event at level `L` agrees with `last` in every digit
/// above `L`, and keeps agreeing as `last` advances (`last` only moves to a
/// time in the lowest non-empty bucket, which agrees with the old `last` in
/// the digits where other buckets' events do). So level 0 stores no time at
/// all (it is `last`'s high 56 bits and the bucket's digit) and levels 1..=3
/// store the low 32 bits: 16 bytes per pending engine event, which is most
/// of the queue's memory in a large batch.
#[derive(Debug)]
pub struct RadixQueue<E> {
    /// The last popped time: every pending event is at or after it.
    last: u64,
    /// Events at `last`, in push order; those before `head` are popped.
    now: Vec<E>,
    head: usize,
    /// Level 0: bucket `d` holds events at `last`'s time with its low
    /// digit replaced by `d`, in push order.
    low: Vec<Vec<E>>,
    /// Levels 1..=3, bucket `d` of level `L` at index `(L - 1) * WIDTH + d`:
    /// low 32 bits of the time, and the event, in push order.
    near: Vec<Vec<(u32, E)>>,
    /// Levels 4..=7, bucket `d` of level `L` at `(L - 4) * WIDTH + d`: full
    /// times and events, in push order.
    far: Vec<Vec<(u64, E)>>,
    /// Per level, bit `d` set when bucket `d` is non-empty.
    occupied: [[u64; WIDTH / 64]; LEVELS],
    /// Bit `L` set when level `L` has a non-empty bucket.
    levels: u32,
    len: usize,
}

impl<E> Default for RadixQueue<E> {
    fn default() -> Self {
        RadixQueue {
            last: 0,
            now: Vec::new(),
            head: 0,
            low: (0..WIDTH).map(|_| Vec::new()).collect(),
            near: (0..NEAR * WIDTH).map(|_| Vec::new()).collect(),
            far: (0..(LEVELS - NEAR - 1) * WIDTH).map(|_| Vec::new()).collect(),
            occupied: [[0; WIDTH / 64]; LEVELS],
            levels: 0,
            len: 0,
        }
    }
}

impl<E: Copy> RadixQueue<E> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Puts an event at `t` (not before `last`) into its bucket.
    #[inline(always)]
    fn place(&mut self, t: u64, event: E) {
        let differ = t ^ self.last;
        if differ == 0 {
            self.now.push(event);
            return;
        }
        let level = ((u64::BITS - 1 - differ.leading_zeros()) / DIGIT) as usize;
        let digit = ((t >> (level as u32 * DIGIT)) as usize) & (WIDTH - 1);
        match level {
            0 => self.low[digit].push(event),
            1..=NEAR => self.near[(level - 1) * WIDTH + digit].push((t as u32, event)),
            _ => self.far[(level - NEAR - 1) * WIDTH + digit].push((t, event)),
        }
        self.occupied[level][digit / 64] |= 1 << (digit % 64);
        self.levels |= 1 << level;
    }

    /// Schedules `event` at `time` (not before the last popped time).
    #[inline(always)]
    pub fn push(&mut self, time: SimTime, event: E) {
        let t = time.as_nanos();
        assert!(t >= self.last, "an event was scheduled before the current time");
        self.len += 1;
        self.place(t, event);
    }

    /// Removes and returns the earliest event (the first pushed among ties).
    /// Inlined: the refill is out of line, so taking a current event costs
    /// no call.
    #[inline(always)]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        self.pop_hinting(|_| {})
    }

    /// [`pop`](Self::pop), telling `upcoming` about events soon to pop: when
    /// a refill moves a small bucket (at most [`HINT_BUCKET`] events) down a
    /// level, each of its events, which are the next few to pop. The engine
    /// prefetches their records; the order of events is unaffected.
    #[inline(always)]
    pub fn pop_hinting(&mut self, upcoming: impl FnMut(&E)) -> Option<(SimTime, E)> {
        if self.head == self.now.len() {
            if self.levels == 0 {
                return None;
            }
            self.now.clear();
            self.head = 0;
            if let Some(event) = self.refill(upcoming) {
                self.len -= 1;
                return Some((SimTime::from_nanos(self.last), event));
            }
        }
        let event = self.now[self.head];
        self.head += 1;
        self.len -= 1;
        Some((SimTime::from_nanos(self.last), event))
    }

    /// No event is left at `last`: advances `last` to the earliest pending
    /// time, and makes the lowest non-empty bucket's events at that time the
    /// current ones, redistributing the others, in order. A bucket of one
    /// event (common when few are pending) returns it instead: it is the
    /// only event at the new `last`.
    #[inline(never)]
    fn refill(&mut self, mut upcoming: impl FnMut(&E)) -> Option<E> {
        let level = self.levels.trailing_zeros() as usize;
        let words = &mut self.occupied[level];
        let word = words.iter().position(|&w| w != 0).expect("an occupied level has a bucket");
        let bits = words[word];
        let digit = word * 64 + bits.trailing_zeros() as usize;
        words[word] = bits & (bits - 1);
        // Words before `word` are empty.
        if words[word..].iter().all(|&w| w == 0) {
            self.levels &= !(1 << level);
        }
        if level == 0 {
            // One time: the bucket becomes the current events whole.
            self.last = (self.last & !(WIDTH as u64 - 1)) | digit as u64;
            std::mem::swap(&mut self.now, &mut self.low[digit]);
            return None;
        }
        if level <= NEAR {
            // Every event here agrees with `last` in the high 32 bits.
            let high = self.last & HIGH;
            let i = (level - 1) * WIDTH + digit;
            if let [(lo, event)] = self.near[i][..] {
                // Nothing to redistribute.
                self.near[i].clear();
                self.last = high | u64::from(lo);
                return Some(event);
            }
            let mut moving = std::mem::take(&mut self.near[i]);
            if moving.len() <= HINT_BUCKET {
                moving.iter().for_each(|(_, event)| upcoming(event));
            }
            let lo = moving.iter().map(|&(lo, _)| lo).min().expect("an occupied bucket has events");
            self.last = high | u64::from(lo);
            for &(lo, event) in &moving {
                self.place(high | u64::from(lo), event);
            }
            moving.clear();
            self.near[i] = recycle(moving);
        } else {
            let i = (level - NEAR - 1) * WIDTH + digit;
            let mut moving = std::mem::take(&mut self.far[i]);
            if moving.len() <= HINT_BUCKET {
                moving.iter().for_each(|(_, event)| upcoming(event));
            }
            self.last = moving.iter().map(|&(t, _)| t).min().expect("an occupied bucket has events");
            for &(t, event) in &moving {
                self.place(t, event);
            }
            moving.clear();
            self.far[i] = recycle(moving);
        }
        None
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// An emptied bucket's vector, to keep for the bucket: small ones keep their
/// capacity (no reallocation as the bucket refills), large ones give it back,
/// as a large batch moves its events down through a few buckets once and the
/// capacity left behind would add to its peak memory (a million coroutines
/// fill some 60 top-level buckets of 256 KiB each).
fn recycle<T>(emptied: Vec<T>) -> Vec<T> {
    /// Bytes a bucket may keep once empty.
    const KEEP: usize = 1 << 16;
    if emptied.capacity() * std::mem::size_of::<T>() > KEEP { Vec::new() } else { emptied }
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
            if round % 5000 == 0 {
                // Now and then one far in the future: the highest levels.
                let t = now + (1 << 60) + next() % (1 << 50);
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

    /// Near buckets keep only the low 32 bits of a time: times on either side
    /// of a 2^32 boundary, near and far from the last popped, come back whole.
    #[test]
    fn radix_heap_restores_times_across_32_bit_boundaries() {
        let mut q = RadixQueue::new();
        let edge = 3u64 << 32;
        for (i, t) in [edge + 7, edge - 1, edge, (5 << 32) + 1, edge - 2, edge + 7].into_iter().enumerate() {
            q.push(SimTime::from_nanos(t), i);
        }
        let first = q.pop().map(|(t, e)| (t.as_nanos(), e));
        assert_eq!(first, Some((edge - 2, 4)));
        q.push(SimTime::from_nanos(edge + 3), 6);
        let rest: Vec<(u64, usize)> = std::iter::from_fn(|| q.pop().map(|(t, e)| (t.as_nanos(), e))).collect();
        assert_eq!(rest, [(edge - 1, 1), (edge, 2), (edge + 3, 6), (edge + 7, 0), (edge + 7, 5), ((5 << 32) + 1, 3)]);
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
