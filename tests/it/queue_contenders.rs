//! The event-queue contenders of the benchmarks (benches/queues/: a calendar
//! queue and a hierarchical timing wheel) keep the engine queue's contract:
//! each is driven through the same pushes and pops as
//! `simbench::engine::queue::BinaryHeapQueue` and must pop the same events
//! at the same times, ties in push order. `cargo test --release --test it
//! queue_contenders`.

#[path = "../../benches/queues/calendar.rs"]
mod calendar;
#[path = "../../benches/queues/wheel.rs"]
mod wheel;

use calendar::CalendarQueue;
use simbench::engine::queue::{BinaryHeapQueue, RadixQueue};
use simbench::time::SimTime;
use wheel::TimingWheel;

/// Every queue, driven through the same operations.
trait Queue {
    fn push(&mut self, t: u64, e: u64);
    fn pop(&mut self) -> Option<(u64, u64)>;
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool;
}

macro_rules! queue {
    ($q:ident) => {
        impl Queue for $q<u64> {
            fn push(&mut self, t: u64, e: u64) {
                $q::push(self, SimTime::from_nanos(t), e)
            }
            fn pop(&mut self) -> Option<(u64, u64)> {
                $q::pop(self).map(|(t, e)| (t.as_nanos(), e))
            }
            fn len(&self) -> usize {
                $q::len(self)
            }
            fn is_empty(&self) -> bool {
                $q::is_empty(self)
            }
        }
    };
}
queue!(BinaryHeapQueue);
queue!(RadixQueue);
queue!(CalendarQueue);
queue!(TimingWheel);

/// A contender and the binary heap side by side: every push goes to both,
/// every pop must agree.
struct Pair<Q> {
    contender: Q,
    reference: BinaryHeapQueue<u64>,
    now: u64,
    pushed: u64,
}

impl<Q: Queue> Pair<Q> {
    fn new(contender: Q) -> Self {
        Pair { contender, reference: BinaryHeapQueue::new(), now: 0, pushed: 0 }
    }

    fn push(&mut self, t: u64) {
        Queue::push(&mut self.contender, t, self.pushed);
        Queue::push(&mut self.reference, t, self.pushed);
        self.pushed += 1;
    }

    fn pop(&mut self, context: &str) -> Option<(u64, u64)> {
        let (a, b) = (Queue::pop(&mut self.contender), Queue::pop(&mut self.reference));
        assert_eq!(a, b, "{context}");
        assert_eq!(self.contender.len(), self.reference.len(), "{context}");
        if let Some((t, _)) = a {
            self.now = t;
        }
        a
    }

    fn drain(&mut self, context: &str) {
        while self.pop(context).is_some() {}
        assert!(self.contender.is_empty());
    }
}

fn xorshift(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}

/// A simulation-like mix, as in the radix heap's test in
/// src/engine/queue.rs: a few pushes per round at the current time (ties),
/// a few ns later (ties among themselves), up to 1 µs or 2^40 ns later, now
/// and then one beyond 2^60; a pop two rounds in three.
fn random_mix<Q: Queue>(make: impl Fn() -> Q, seed: u64) {
    let mut pair = Pair::new(make());
    let mut x = seed;
    for round in 0..40_000u64 {
        for _ in 0..(xorshift(&mut x) % 4) {
            let now = pair.now;
            let t = match xorshift(&mut x) % 4 {
                0 => now,
                1 => now + xorshift(&mut x) % 8,
                2 => now + xorshift(&mut x) % 1_000,
                _ => now + xorshift(&mut x) % (1 << 40),
            };
            pair.push(t);
        }
        if round % 5000 == 0 {
            let t = pair.now + (1 << 60) + xorshift(&mut x) % (1 << 50);
            pair.push(t);
        }
        if round % 3 != 0 {
            pair.pop(&format!("seed {seed:#x}, round {round}"));
        }
    }
    pair.drain(&format!("seed {seed:#x}, drain"));
}

/// The hold model of the benchmark (pop the earliest, push it again a
/// uniform [0, 2 s) later) at a steady size, then a drain: the calendar
/// shrinks step by step, re-estimating its width.
fn hold_then_drain<Q: Queue>(make: impl Fn() -> Q, pending: u64) {
    let mut pair = Pair::new(make());
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..pending {
        pair.push(xorshift(&mut x) % 2_000_000_000);
    }
    for i in 0..4 * pending {
        let (t, _) = pair.pop(&format!("hold {i}")).expect("the hold model keeps the queue full");
        pair.push(t + xorshift(&mut x) % 2_000_000_000);
    }
    pair.drain("hold drain");
}

/// A batch: many events pushed at once (lognormal-like spread, many on the
/// same few nanoseconds), popped with a few pushes in between, in growing
/// and shrinking waves: resizes in both directions, with ties spanning them.
fn batches<Q: Queue>(make: impl Fn() -> Q) {
    let mut pair = Pair::new(make());
    let mut x = 0xD1B5_4A32_D192_ED03u64;
    for wave in 0..6u64 {
        let count = 1_000 << (wave % 3 * 3);
        for _ in 0..count {
            let now = pair.now;
            let r = xorshift(&mut x);
            // Ties on a coarse grid, exponential-ish spread over 2^10..2^34 ns.
            let t = match r % 3 {
                0 => now + (xorshift(&mut x) % 64) * 1_000,
                _ => now + (xorshift(&mut x) >> (30 + r % 24)),
            };
            pair.push(t);
        }
        for i in 0..count + count / 2 {
            if pair.pop(&format!("wave {wave}, pop {i}")).is_none() {
                break;
            }
            if i % 7 == 0 {
                let t = pair.now + xorshift(&mut x) % 1_000_000;
                pair.push(t);
            }
        }
    }
    pair.drain("batches drain");
}

/// Many events at one time, then at two, then spread: a calendar's width
/// estimate sees gaps of zero.
fn ties<Q: Queue>(make: impl Fn() -> Q) {
    let mut pair = Pair::new(make());
    for _ in 0..10_000 {
        pair.push(1_000);
    }
    for i in 0..5_000 {
        pair.pop(&format!("ties pop {i}"));
    }
    for i in 0..10_000u64 {
        pair.push(1_000 + (i % 2) * 5);
    }
    for i in 0..10_000 {
        pair.pop(&format!("ties pop {i}"));
        pair.push(pair.now + i % 3);
    }
    pair.drain("ties drain");
}

/// Times at the top of the 64-bit range, up to `u64::MAX` (the engine's
/// "never").
fn top_of_range<Q: Queue>(make: impl Fn() -> Q) {
    let mut pair = Pair::new(make());
    let top = [u64::MAX, u64::MAX - 1, 1 << 63, (1 << 63) - 1, u64::MAX - (1 << 40), 5, u64::MAX, 1 << 62];
    for t in top {
        pair.push(t);
    }
    pair.pop("top 1");
    pair.pop("top 2");
    pair.push(1 << 63);
    pair.push(pair.now);
    pair.drain("top drain");
}

fn pops_in_time_order<Q: Queue>(q: &mut Q) {
    for t in [5u64, 1, 3, 2, 4] {
        q.push(t, t);
    }
    let order: Vec<u64> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
    assert_eq!(order, [1, 2, 3, 4, 5]);
}

fn equal_times_pop_in_insertion_order<Q: Queue>(q: &mut Q) {
    q.push(10, 100);
    for e in 0..8 {
        q.push(7, e);
    }
    let order: Vec<u64> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
    assert_eq!(order, [0, 1, 2, 3, 4, 5, 6, 7, 100]);
}

const SEEDS: [u64; 3] = [0x2545_F491_4F6C_DD1D, 0x1234_5678_9ABC_DEF1, 0xFEED_FACE_CAFE_BEEF];

#[test]
fn calendar_queue_keeps_the_contract() {
    pops_in_time_order(&mut CalendarQueue::new());
    equal_times_pop_in_insertion_order(&mut CalendarQueue::new());
}

#[test]
fn timing_wheel_keeps_the_contract() {
    pops_in_time_order(&mut TimingWheel::new());
    equal_times_pop_in_insertion_order(&mut TimingWheel::new());
}

#[test]
fn calendar_queue_matches_binary_heap_event_for_event() {
    for seed in SEEDS {
        random_mix(CalendarQueue::new, seed);
    }
    hold_then_drain(CalendarQueue::new, 1_000);
    hold_then_drain(CalendarQueue::new, 100_000);
    batches(CalendarQueue::new);
    ties(CalendarQueue::new);
    top_of_range(CalendarQueue::new);
}

#[test]
fn timing_wheel_matches_binary_heap_event_for_event() {
    for seed in SEEDS {
        random_mix(TimingWheel::new, seed);
    }
    hold_then_drain(TimingWheel::new, 1_000);
    hold_then_drain(TimingWheel::new, 100_000);
    batches(TimingWheel::new);
    ties(TimingWheel::new);
    top_of_range(TimingWheel::new);
}

/// The same drivers on the engine's radix heap: they exercise it too, and
/// show the drivers themselves are sound.
#[test]
fn radix_heap_matches_binary_heap_under_the_same_drivers() {
    random_mix(RadixQueue::new, SEEDS[0]);
    hold_then_drain(RadixQueue::new, 10_000);
    batches(RadixQueue::new);
    ties(RadixQueue::new);
    top_of_range(RadixQueue::new);
}

#[test]
#[should_panic(expected = "before the current time")]
fn calendar_queue_refuses_the_past() {
    let mut q = CalendarQueue::new();
    q.push(SimTime::from_nanos(10), ());
    q.pop();
    q.push(SimTime::from_nanos(9), ());
}

#[test]
#[should_panic(expected = "before the current time")]
fn timing_wheel_refuses_the_past() {
    let mut q = TimingWheel::new();
    q.push(SimTime::from_nanos(10), ());
    q.pop();
    q.push(SimTime::from_nanos(9), ());
}
