//! A hierarchical timing wheel (G. Varghese and T. Lauck, "Hashed and
//! hierarchical timing wheels", SOSP 1987), laid out as tokio's timer wheel
//! (levels of 64 slots, one occupancy word per level) but at nanosecond
//! resolution and exact: a benchmark contender for the engine's event queue
//! (issue 7, docs/performance.md, "The event queue"). Not used by the
//! engine.
//!
//! Same contract as `simbench::engine::queue`: events pop in time order,
//! FIFO among equal times, and the queue is monotone (a push before the last
//! popped time panics).
//!
//! The wheel: 11 levels of 64 slots; a slot of level `L` spans `64^L` ns and
//! a level spans 64 slots, i.e. one slot of the level above (the top level,
//! bits 60–63, has 16 slots in use). The cursor `now` is the wheel's time.
//! An event at `t` goes to the level of the highest 6-bit digit in which `t`
//! differs from `now` (tokio's `level_for`), into the slot named by `t`'s
//! value of that digit; an event at `now` itself goes to the `due` list.
//! When `due` is empty, the cursor moves to the next occupied slot (the
//! lowest set bit of the lowest non-empty level): a level-0 slot holds one
//! time, so it becomes `due` whole; a slot of a higher level *cascades*: the
//! cursor moves to the slot's start and its events go down into lower
//! levels (or `due`), in order. A slot holding a single event is the next
//! event on its own: the cursor moves to its time and it pops without
//! cascading.
//!
//! Exact order without sorting or insertion numbers:
//! - every pending event is at or after `now`, and `now` only moves to the
//!   start of the earliest occupied slot (or to the earliest event), so
//!   every level-`L` slot holds events earlier than every slot above it,
//!   and than every later slot of its level;
//! - a level-0 slot holds a single time (its 6 bits plus `now`'s higher
//!   ones), so the lowest level never needs sorting: every event pops at its
//!   exact nanosecond;
//! - equal times are always in the same slot (the slot is a function of the
//!   time and `now`), pushes append, and a cascade moves a slot's events in
//!   order into lower slots that the cursor has not reached yet, which hold
//!   no event of the same time: FIFO among ties.
//!
//! The difference from the engine's radix heap (`RadixQueue`, 8-bit digits)
//! is the wheel's: smaller levels (64 slots, one bitmap word each, 11 of
//! them instead of 8), and a cascade that moves the cursor to the slot's
//! start rather than scanning for the slot's earliest event first.
//!
//! Slots keep their capacity once emptied, so the wheel does not allocate
//! once it has grown to its peak size.

use simbench::time::SimTime;

/// Bits per level, and slots per level.
const BITS: u32 = 6;
const SLOTS: usize = 1 << BITS;
/// Levels of a 64-bit time: `ceil(64 / 6)`.
const LEVELS: usize = 64_usize.div_ceil(BITS as usize);

/// A hierarchical timing wheel of events of type `E`, FIFO among equal
/// times.
#[derive(Debug)]
pub struct TimingWheel<E> {
    /// The cursor: the last popped time, or the start of the slot being
    /// cascaded. Every pending event is at or after it.
    now: u64,
    /// Events at `now`, in push order; those before `head` are popped.
    due: Vec<E>,
    head: usize,
    /// Level 0: slot `d` holds events at `now` with its low 6 bits replaced
    /// by `d`, in push order (the time is implied).
    ticks: Vec<Vec<E>>,
    /// Levels 1.., slot `d` of level `L` at `(L - 1) * SLOTS + d`: times and
    /// events, in push order.
    slots: Vec<Vec<(u64, E)>>,
    /// Per level, bit `d` set when slot `d` is non-empty.
    occupied: [u64; LEVELS],
    /// Bit `L` set when level `L` has a non-empty slot.
    levels: u32,
    len: usize,
}

impl<E> Default for TimingWheel<E> {
    fn default() -> Self {
        TimingWheel {
            now: 0,
            due: Vec::new(),
            head: 0,
            ticks: (0..SLOTS).map(|_| Vec::new()).collect(),
            slots: (0..(LEVELS - 1) * SLOTS).map(|_| Vec::new()).collect(),
            occupied: [0; LEVELS],
            levels: 0,
            len: 0,
        }
    }
}

impl<E: Copy> TimingWheel<E> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Puts an event at `t` (not before `now`) into its slot.
    #[inline(always)]
    fn place(&mut self, t: u64, event: E) {
        let differ = t ^ self.now;
        if differ == 0 {
            self.due.push(event);
            return;
        }
        let level = ((u64::BITS - 1 - differ.leading_zeros()) / BITS) as usize;
        let slot = ((t >> (level as u32 * BITS)) as usize) & (SLOTS - 1);
        if level == 0 {
            self.ticks[slot].push(event);
        } else {
            self.slots[(level - 1) * SLOTS + slot].push((t, event));
        }
        self.occupied[level] |= 1 << slot;
        self.levels |= 1 << level;
    }

    /// Schedules `event` at `time` (not before the last popped time).
    #[inline(always)]
    pub fn push(&mut self, time: SimTime, event: E) {
        let t = time.as_nanos();
        assert!(t >= self.now, "an event was scheduled before the current time");
        self.len += 1;
        self.place(t, event);
    }

    /// Removes and returns the earliest event (the first pushed among ties).
    #[inline(always)]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        if self.head == self.due.len() {
            if self.levels == 0 {
                return None;
            }
            self.due.clear();
            self.head = 0;
            if let Some(event) = self.advance() {
                self.len -= 1;
                return Some((SimTime::from_nanos(self.now), event));
            }
        }
        let event = self.due[self.head];
        self.head += 1;
        self.len -= 1;
        Some((SimTime::from_nanos(self.now), event))
    }

    /// `due` is empty: turns the wheel to the next occupied slot, cascading
    /// until events are due at the cursor. Returns the event directly when
    /// the slot reached holds only it.
    #[inline(never)]
    fn advance(&mut self) -> Option<E> {
        loop {
            let level = self.levels.trailing_zeros() as usize;
            let bits = self.occupied[level];
            let slot = bits.trailing_zeros() as usize;
            self.occupied[level] = bits & (bits - 1);
            if self.occupied[level] == 0 {
                self.levels &= !(1 << level);
            }
            if level == 0 {
                // One time: the slot becomes `due` whole.
                self.now = (self.now & !(SLOTS as u64 - 1)) | slot as u64;
                std::mem::swap(&mut self.due, &mut self.ticks[slot]);
                return None;
            }
            let i = (level - 1) * SLOTS + slot;
            if let [(t, event)] = self.slots[i][..] {
                // The earliest event, alone in its slot.
                self.slots[i].clear();
                self.now = t;
                return Some(event);
            }
            // Cascade: the cursor to the slot's start, its events down.
            let shift = level as u32 * BITS;
            let above = (self.now >> shift >> BITS) << BITS;
            self.now = (above | slot as u64) << shift;
            let mut moving = std::mem::take(&mut self.slots[i]);
            for &(t, event) in &moving {
                self.place(t, event);
            }
            moving.clear();
            self.slots[i] = moving;
            if !self.due.is_empty() {
                return None;
            }
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}
