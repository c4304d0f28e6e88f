//! A calendar queue (R. Brown, "Calendar queues: a fast O(1) priority queue
//! implementation for the simulation event set problem", CACM 31(10), 1988),
//! as a benchmark contender for the engine's event queue (issue 7,
//! docs/performance.md, "The event queue"). Not used by the engine.
//!
//! Same contract as `simbench::engine::queue`: events pop in time order,
//! FIFO among equal times, and the queue is monotone (a push before the last
//! popped time panics).
//!
//! The calendar: `nb` buckets (a power of two), each a "day" of `width`
//! nanoseconds; a time `t` is on day `t / width` and in bucket
//! `day mod nb`, so a bucket holds the events of one day of every "year"
//! (`nb × width` ns). Each bucket is a vector sorted by time from latest to
//! earliest, ties from last pushed to first pushed (an insert goes before
//! every entry at or before its time), so its last entry is its earliest
//! event: a pop takes from the end, an insert moves the few later entries.
//! A pop looks at the buckets in day order from the last popped time's day
//! and takes the first earliest entry that falls on the day being looked
//! at; after a whole year without one (the next event is more than a year
//! away) it takes the earliest of all the buckets' earliest entries
//! (Brown's "direct search").
//!
//! Resizing, as in Brown's paper: the bucket count doubles when the queue
//! holds more than two events per bucket and halves when it holds fewer
//! than one per two buckets; at each resize the day width is re-estimated
//! from the earliest events (up to 25): three times their mean gap,
//! ignoring gaps over twice the mean.
//!
//! Two departures from the paper: the width is rounded to a power of two,
//! so a time's bucket is a shift and a mask instead of a 64-bit division;
//! and buckets are sorted vectors, not sorted linked lists (a version with
//! lists, nodes in one pool, was measured first and was slower from 1M
//! pending: docs/performance.md).
//!
//! Invariants:
//! - every pending event is at or after `last`, the last popped time;
//! - `day` is `last`'s day, so no bucket holds an event of a day in
//!   `[day, day + nb)` other than its own: looking at bucket `d mod nb` for
//!   each day `d` of that window in turn finds the earliest event if it is
//!   within a year;
//! - equal times share a bucket (the bucket is a function of the time), and
//!   keep their push order in it, including across resizes (a resize moves
//!   each bucket's entries earliest first, each insert before its equals,
//!   as if pushed again in their order).
//!
//! Buckets keep their capacity, and a halving keeps its surplus buckets for
//! the next doubling, so the queue does not allocate once it has grown to
//! its peak size (resizes excepted: they gather the events in a vector
//! before moving them).

use simbench::time::SimTime;

/// The fewest buckets the calendar shrinks to.
const MIN_BUCKETS: usize = 16;
/// The most events sampled to estimate the day width (Brown's 25).
const SAMPLES: usize = 25;

/// A calendar queue of events of type `E`, FIFO among equal times.
#[derive(Debug)]
pub struct CalendarQueue<E> {
    /// Per bucket, its events from latest to earliest, ties from last
    /// pushed to first pushed.
    buckets: Vec<Vec<(u64, E)>>,
    /// Empty buckets set aside by halvings, with their capacity.
    spare: Vec<Vec<(u64, E)>>,
    /// `buckets.len() - 1`.
    mask: u64,
    /// The day width is `1 << shift` nanoseconds.
    shift: u32,
    /// The last popped time.
    last: u64,
    /// `last`'s day: where the next pop starts looking.
    day: u64,
    len: usize,
}

impl<E: Copy> Default for CalendarQueue<E> {
    fn default() -> Self {
        CalendarQueue {
            buckets: (0..MIN_BUCKETS).map(|_| Vec::new()).collect(),
            spare: Vec::new(),
            mask: MIN_BUCKETS as u64 - 1,
            shift: 0,
            last: 0,
            day: 0,
            len: 0,
        }
    }
}

impl<E: Copy> CalendarQueue<E> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Schedules `event` at `time` (not before the last popped time).
    #[inline]
    pub fn push(&mut self, time: SimTime, event: E) {
        let t = time.as_nanos();
        assert!(t >= self.last, "an event was scheduled before the current time");
        self.insert(t, event);
        self.len += 1;
        if self.len > 2 * self.buckets.len() {
            self.resize(2 * self.buckets.len());
        }
    }

    /// Inserts an event into its bucket, before every entry at or before its
    /// time (so after them in pop order).
    #[inline]
    fn insert(&mut self, t: u64, event: E) {
        let bucket = &mut self.buckets[((t >> self.shift) & self.mask) as usize];
        let at = bucket.partition_point(|&(u, _)| u > t);
        bucket.insert(at, (t, event));
    }

    /// Removes and returns the earliest event (the first pushed among ties).
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        if self.len == 0 {
            return None;
        }
        let mut day = self.day;
        let mut found = None;
        for _ in 0..self.buckets.len() {
            let b = (day & self.mask) as usize;
            if let Some(&(t, _)) = self.buckets[b].last()
                && t >> self.shift == day
            {
                found = Some(b);
                break;
            }
            day = day.wrapping_add(1);
        }
        let b = found.unwrap_or_else(|| self.direct_search());
        let (time, event) = self.buckets[b].pop().expect("the bucket found has an event");
        self.last = time;
        self.day = time >> self.shift;
        self.len -= 1;
        if self.len < self.buckets.len() / 2 && self.buckets.len() > MIN_BUCKETS {
            self.resize(self.buckets.len() / 2);
        }
        Some((SimTime::from_nanos(time), event))
    }

    /// No event within a year of `last`: the bucket whose earliest event is
    /// the earliest of all (equal times share a bucket, so that is the
    /// earliest event).
    #[inline(never)]
    fn direct_search(&self) -> usize {
        let mut best = (u64::MAX, usize::MAX);
        for (b, bucket) in self.buckets.iter().enumerate() {
            if let Some(&(t, _)) = bucket.last()
                && t < best.0
            {
                best = (t, b);
            }
        }
        assert!(best.1 != usize::MAX, "a non-empty calendar has an event");
        best.1
    }

    /// Re-estimates the day width and moves every event into `buckets`
    /// buckets. The buckets' vectors are kept (emptied, a halving's surplus
    /// as spares for the next doubling), so a resize allocates only a vector
    /// of all the events, and buckets beyond the peak count.
    #[inline(never)]
    fn resize(&mut self, buckets: usize) {
        self.shift = self.estimate_shift();
        // Each bucket earliest first: equal times come from one bucket,
        // first pushed first, and each insert goes before its equals.
        let mut events = Vec::with_capacity(self.len);
        for bucket in &mut self.buckets {
            events.extend(bucket.drain(..).rev());
        }
        if buckets < self.buckets.len() {
            self.spare.extend(self.buckets.drain(buckets..));
        } else {
            let spare = &mut self.spare;
            self.buckets.resize_with(buckets, || spare.pop().unwrap_or_default());
        }
        self.mask = buckets as u64 - 1;
        for (t, event) in events {
            self.insert(t, event);
        }
        self.day = self.last >> self.shift;
    }

    /// Brown's width estimate from the earliest events (up to 25, fewer in
    /// a small queue): three times their mean gap, gaps over twice the mean
    /// left out; as a power of two (its log2). Keeps the current width with
    /// fewer than two events.
    fn estimate_shift(&self) -> u32 {
        let samples = if self.len <= 5 { self.len } else { (5 + self.len / 10).min(SAMPLES) };
        if samples < 2 {
            return self.shift;
        }
        let times = self.earliest(samples);
        let mean = (times[samples - 1] - times[0]) as f64 / (samples - 1) as f64;
        let (sum, count) = times
            .windows(2)
            .map(|w| (w[1] - w[0]) as f64)
            .filter(|&gap| gap <= 2.0 * mean)
            .fold((0.0, 0u32), |(sum, count), gap| (sum + gap, count + 1));
        let width = if count == 0 { 1.0 } else { 3.0 * sum / f64::from(count) };
        // Nearest power of two (geometrically), at least 1 ns.
        width.max(1.0).log2().round().min(62.0) as u32
    }

    /// The times of the `k` earliest events (`k <= len`), in order: the
    /// calendar walked day by day for a year, or, if that finds fewer, every
    /// event's time.
    fn earliest(&self, k: usize) -> Vec<u64> {
        let mut times = Vec::with_capacity(k);
        let mut day = self.day;
        for _ in 0..self.buckets.len() {
            let bucket = &self.buckets[(day & self.mask) as usize];
            for &(t, _) in bucket.iter().rev().take_while(|&&(t, _)| t >> self.shift == day).take(k - times.len()) {
                times.push(t);
            }
            if times.len() == k {
                return times;
            }
            day = day.wrapping_add(1);
        }
        let mut all: Vec<u64> = self.buckets.iter().flatten().map(|&(t, _)| t).collect();
        all.select_nth_unstable(k - 1);
        all.truncate(k);
        all.sort_unstable();
        all
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}
