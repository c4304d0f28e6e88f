//! CPU time: a round-robin scheduler over a fixed number of slots.
//!
//! A slot is a core, or, under CPython's GIL, the single interpreter lock
//! (only one thread runs Python at a time, whatever the core count). A thread
//! that needs `w` nanoseconds of CPU gets a free slot for a slice of
//! `min(w, quantum)`; at the end of a slice it keeps the slot if nobody
//! waits, else it goes to the back of the FIFO queue. Without a quantum
//! (one-thread strategies, where nothing can contend) a request runs to its
//! end in one slice.
//!
//! Slices are events; a slice whose slot has since been reassigned is
//! recognised by its generation number and ignored.
//!
//! Invariant: `busy` is the total CPU time granted; [`Cpu::busy_at`] the
//! part of it granted by an instant, so utilisation (the CPU granted by
//! the last task's end over `cores × makespan`) can never exceed 1.

use super::gil::{Gil, GilSink};
use super::ids::FiberId;
use super::queue::EventQueue;
use crate::time::{SimDuration, SimTime};
use std::collections::VecDeque;

/// A CPU slot's number.
pub type SlotId = u32;

#[derive(Clone, Copy, Debug)]
struct Slot {
    /// The fiber running here, or `None` when the slot is free.
    fiber: Option<FiberId>,
    remaining: SimDuration,
    slice: SimDuration,
    generation: u32,
}

/// Round-robin CPU scheduler.
#[derive(Debug)]
pub struct Cpu {
    slots: Vec<Slot>,
    waiting: VecDeque<(FiberId, SimDuration)>,
    quantum: Option<SimDuration>,
    busy: SimDuration,
    /// When each slot's current slice ends (for [`Cpu::cancel`]).
    slice_end: Vec<SimTime>,
    /// CPU work takes `num / den` times as long (a process's share of
    /// cores when there are more processes than cores, R-PROCESSES).
    stretch: (u64, u64),
    /// Under a runtime profile, a GIL handed over as CPython does it
    /// (`gil.rs`) instead of the round-robin slots.
    gil: Option<Box<Gil>>,
}

/// A [`SliceSink`] seen as the GIL's: its events are slot 0's slices.
struct OnSlotZero<'a, S>(&'a mut S);

impl<S: SliceSink> GilSink for OnSlotZero<'_, S> {
    fn gil_event(&mut self, at: SimTime, generation: u32) {
        self.0.slice_ends(at, 0, generation);
    }
}

/// What the engine must schedule after a CPU decision.
pub trait SliceSink {
    fn slice_ends(&mut self, at: SimTime, slot: SlotId, generation: u32);
}

impl<E: Copy + From<(SlotId, u32)>> SliceSink for EventQueue<E> {
    fn slice_ends(&mut self, at: SimTime, slot: SlotId, generation: u32) {
        self.push(at, E::from((slot, generation)));
    }
}

impl Cpu {
    /// `slots` ≥ 1 parallel slots, time-sliced by `quantum` when given.
    pub fn new(slots: u32, quantum: Option<SimDuration>) -> Cpu {
        let slot = Slot { fiber: None, remaining: SimDuration::ZERO, slice: SimDuration::ZERO, generation: 0 };
        let n = slots.max(1) as usize;
        Cpu {
            slots: vec![slot; n],
            waiting: VecDeque::new(),
            quantum,
            busy: SimDuration::ZERO,
            slice_end: vec![SimTime::ZERO; n],
            stretch: (1, 1),
            gil: None,
        }
    }

    /// One slot, the GIL as `Python/ceval_gil.c` hands it over (R-GIL-CONVOY).
    pub fn cpython_gil(gil: Gil) -> Cpu {
        Cpu { gil: Some(Box::new(gil)), ..Cpu::new(1, None) }
    }

    /// True when this is CPython's GIL, which a resuming thread must take.
    pub fn is_cpython_gil(&self) -> bool {
        self.gil.is_some()
    }

    /// Whether `fiber` could run at once (always, without CPython's GIL).
    pub fn is_free_for(&self, fiber: FiberId) -> bool {
        self.gil.as_ref().is_none_or(|g| g.is_free_for(fiber))
    }

    /// Makes CPython's GIL draw from sub-stream `stream` (a process's index).
    pub fn draw_stream(&mut self, stream: u64) {
        if let Some(g) = &mut self.gil {
            g.draw_stream(stream);
        }
    }

    /// Releases CPython's GIL if its holder did not ask again after its
    /// request ended (call once the event that ended it is handled).
    #[inline]
    pub fn settle(&mut self, now: SimTime, sink: &mut impl SliceSink) {
        if let Some(g) = &mut self.gil {
            g.settle(now, &mut OnSlotZero(sink));
        }
    }

    /// Slots running a fiber now.
    pub fn in_use(&self) -> u32 {
        if let Some(g) = &self.gil {
            return g.in_use();
        }
        self.slots.iter().filter(|s| s.fiber.is_some()).count() as u32
    }

    /// Number of slots.
    pub fn slots(&self) -> u32 {
        self.slots.len() as u32
    }

    /// Total CPU time granted so far (work done, not stretched time).
    pub fn busy(&self) -> SimDuration {
        self.unstretched(self.gil.as_ref().map_or(self.busy, |g| g.busy()))
    }

    /// CPU time granted up to `now`: [`Cpu::busy`] and the part of each
    /// running slice before `now`.
    pub fn busy_at(&self, now: SimTime) -> SimDuration {
        let busy = match &self.gil {
            Some(g) => g.busy_at(now),
            None => {
                let running = self.slots.iter().zip(&self.slice_end).filter(|(s, _)| s.fiber.is_some());
                running.fold(self.busy, |busy, (s, &end)| busy + s.slice.saturating_sub(end.saturating_since(now)))
            }
        };
        self.unstretched(busy)
    }

    /// Work done, from stretched time.
    fn unstretched(&self, busy: SimDuration) -> SimDuration {
        let (num, den) = self.stretch;
        SimDuration::from_nanos((u128::from(busy.as_nanos()) * u128::from(den) / u128::from(num)) as u64)
    }

    /// Makes every request take `num / den` (≥ 1) times its work.
    pub fn stretch(&mut self, num: u64, den: u64) {
        self.stretch = (num, den);
    }

    /// `fiber` needs `work` (> 0) of CPU from `now`.
    #[inline]
    pub fn request(&mut self, now: SimTime, fiber: FiberId, work: SimDuration, sink: &mut impl SliceSink) {
        let work = match self.stretch {
            (1, 1) => work,
            (num, den) => {
                SimDuration::from_nanos((u128::from(work.as_nanos()) * u128::from(num) / u128::from(den)) as u64)
            }
        };
        if let Some(g) = &mut self.gil {
            return g.request(now, fiber, work, &mut OnSlotZero(sink));
        }
        match self.slots.iter().position(|s| s.fiber.is_none()) {
            Some(slot) => self.start(now, slot as SlotId, fiber, work, sink),
            None => self.waiting.push_back((fiber, work)),
        }
    }

    /// A slice ended. Returns the fiber whose CPU work is now complete, if
    /// any; stale slices return `None`.
    pub fn slice_ended(
        &mut self,
        now: SimTime,
        slot: SlotId,
        generation: u32,
        sink: &mut impl SliceSink,
    ) -> Option<FiberId> {
        if let Some(g) = &mut self.gil {
            return g.event(now, generation, &mut OnSlotZero(sink));
        }
        let s = self.slots[slot as usize];
        let fiber = s.fiber.filter(|_| s.generation == generation)?;
        self.busy += s.slice;
        let remaining = s.remaining.saturating_sub(s.slice);
        self.slots[slot as usize].fiber = None;
        if remaining.is_zero() {
            if let Some((next, work)) = self.waiting.pop_front() {
                self.start(now, slot, next, work, sink);
            }
            Some(fiber)
        } else {
            match self.waiting.pop_front() {
                Some((next, work)) => {
                    self.waiting.push_back((fiber, remaining));
                    self.start(now, slot, next, work, sink);
                }
                None => self.start(now, slot, fiber, remaining, sink),
            }
            None
        }
    }

    /// `fiber` no longer needs the CPU (its task was cancelled): it leaves
    /// the queue, or frees its slot for the next in line. The CPU it used
    /// so far in its current slice counts as busy.
    pub fn cancel(&mut self, now: SimTime, fiber: FiberId, sink: &mut impl SliceSink) {
        if let Some(g) = &mut self.gil {
            return g.cancel(now, fiber, &mut OnSlotZero(sink));
        }
        if let Some(i) = self.waiting.iter().position(|(f, _)| *f == fiber) {
            self.waiting.remove(i);
            return;
        }
        let Some(slot) = self.slots.iter().position(|s| s.fiber == Some(fiber)) else { return };
        let s = &mut self.slots[slot];
        // The slice began at (its end − slice); only the part up to now ran.
        s.fiber = None;
        s.generation = s.generation.wrapping_add(1);
        self.busy += s.slice.saturating_sub(self.slice_end[slot].saturating_since(now));
        if let Some((next, work)) = self.waiting.pop_front() {
            self.start(now, slot as SlotId, next, work, sink);
        }
    }

    fn start(&mut self, now: SimTime, slot: SlotId, fiber: FiberId, work: SimDuration, sink: &mut impl SliceSink) {
        let slice = self.quantum.map_or(work, |q| work.min(q));
        let s = &mut self.slots[slot as usize];
        s.generation = s.generation.wrapping_add(1);
        *s = Slot { fiber: Some(fiber), remaining: work, slice, generation: s.generation };
        self.slice_end[slot as usize] = now + slice;
        sink.slice_ends(now + slice, slot, s.generation);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the scheduler to completion and returns each fiber's finish time.
    fn finish_times(slots: u32, quantum: Option<u64>, work_ms: &[u64]) -> Vec<u64> {
        let mut cpu = Cpu::new(slots, quantum.map(SimDuration::from_millis));
        let mut sink: EventQueue<(SlotId, u32)> = EventQueue::new();
        for (fiber, ms) in work_ms.iter().enumerate() {
            cpu.request(SimTime::ZERO, FiberId::new(fiber as u32), SimDuration::from_millis(*ms), &mut sink);
        }
        let mut done = vec![0; work_ms.len()];
        while let Some((at, (slot, generation))) = sink.pop() {
            if let Some(f) = cpu.slice_ended(at, slot, generation, &mut sink) {
                done[f.get() as usize] = at.as_nanos() / 1_000_000;
            }
        }
        assert_eq!(cpu.busy(), SimDuration::from_millis(work_ms.iter().sum()));
        done
    }

    #[test]
    fn one_slot_without_quantum_is_fifo() {
        assert_eq!(finish_times(1, None, &[10, 10]), [10, 20]);
    }

    #[test]
    fn one_slot_with_quantum_round_robins() {
        // Two 10 ms jobs in 5 ms slices: A 0-5, B 5-10, A 10-15, B 15-20.
        assert_eq!(finish_times(1, Some(5), &[10, 10]), [15, 20]);
    }

    #[test]
    fn two_slots_run_in_parallel() {
        assert_eq!(finish_times(2, Some(5), &[10, 10]), [10, 10]);
        // 30 ms of work on two cores ends at 15 ms; the third job shares.
        let mut three = finish_times(2, Some(5), &[10, 10, 10]);
        three.sort_unstable();
        assert_eq!(three, [10, 15, 15]);
    }
}
