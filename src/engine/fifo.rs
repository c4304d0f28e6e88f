//! A first-in first-out queue in fixed-size blocks: the event loop's ready
//! queue.
//!
//! A batch of a million coroutines puts a million entries on the ready
//! queue at once, and the loop's first iteration takes them off one by one
//! while each coroutine schedules a timer. In a `VecDeque` the entries taken
//! keep their memory until the queue is empty (a ring buffer cannot shrink
//! from the front), so at the end of that iteration the whole batch is held
//! twice: as spent ready entries and as pending timers. Here entries live in
//! blocks of [`BLOCK`]; a block whose entries have all been taken goes back
//! at once (a few are kept for reuse, so a queue that fills and empties in
//! steady state does not allocate). Memory follows the queue's length, and
//! growing never copies entries.
//!
//! Invariants: the blocks of `middle` are full; `back` has capacity
//! [`BLOCK`] once allocated; entries of `front` before `head` have been
//! taken.

use std::collections::VecDeque;

/// Entries per block: a power of two, so an index splits with a shift.
const BLOCK: usize = 4096;

/// Emptied blocks kept for reuse.
const SPARE_KEEP: usize = 4;

/// A FIFO of `T` in blocks of [`BLOCK`]: entries are taken from `front`
/// (from `head` on), then from the full blocks of `middle` in order, then
/// from `back`, where they are added.
#[derive(Debug)]
pub(super) struct BlockFifo<T> {
    front: Vec<T>,
    /// Entries of `front` already taken.
    head: usize,
    middle: VecDeque<Vec<T>>,
    back: Vec<T>,
    spare: Vec<Vec<T>>,
}

impl<T> Default for BlockFifo<T> {
    fn default() -> Self {
        BlockFifo { front: Vec::new(), head: 0, middle: VecDeque::new(), back: Vec::new(), spare: Vec::new() }
    }
}

impl<T: Copy> BlockFifo<T> {
    #[inline]
    pub(super) fn push_back(&mut self, item: T) {
        if self.back.len() == self.back.capacity() {
            self.new_back();
        }
        self.back.push(item);
    }

    /// `back` is full (or was never allocated): it joins the middle, and a
    /// spare or new block takes its place.
    #[inline(never)]
    fn new_back(&mut self) {
        let block = self.spare.pop().unwrap_or_else(|| Vec::with_capacity(BLOCK));
        let full = std::mem::replace(&mut self.back, block);
        if !full.is_empty() {
            self.middle.push_back(full);
        }
    }

    #[inline]
    pub(super) fn pop_front(&mut self) -> Option<T> {
        if self.head == self.front.len() && !self.next_front() {
            return None;
        }
        let item = self.front[self.head];
        self.head += 1;
        Some(item)
    }

    /// `front` is spent: recycles it and moves the next block (from the
    /// middle, else `back`) to the front. False when the queue is empty.
    #[inline(never)]
    fn next_front(&mut self) -> bool {
        let next = match self.middle.pop_front() {
            Some(block) => block,
            None if !self.back.is_empty() => {
                let empty = self.spare.pop().unwrap_or_default();
                std::mem::replace(&mut self.back, empty)
            }
            None => return false,
        };
        let mut spent = std::mem::replace(&mut self.front, next);
        self.head = 0;
        if self.spare.len() < SPARE_KEEP && spent.capacity() == BLOCK {
            spent.clear();
            self.spare.push(spent);
        }
        true
    }

    /// The entry `i` places from the front, if there is one.
    #[inline]
    pub(super) fn get(&self, i: usize) -> Option<&T> {
        let in_front = self.front.len() - self.head;
        if i < in_front {
            return Some(&self.front[self.head + i]);
        }
        let j = i - in_front;
        match self.middle.get(j / BLOCK) {
            Some(block) => Some(&block[j % BLOCK]),
            None => self.back.get(j - self.middle.len() * BLOCK),
        }
    }

    #[inline]
    pub(super) fn len(&self) -> usize {
        self.front.len() - self.head + self.middle.len() * BLOCK + self.back.len()
    }

    #[inline]
    pub(super) fn is_empty(&self) -> bool {
        self.head == self.front.len() && self.middle.is_empty() && self.back.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pushes and pops interleaved across many blocks match a `VecDeque`,
    /// `get` included.
    #[test]
    fn block_fifo_matches_vecdeque() {
        let mut fifo = BlockFifo::default();
        let mut model = VecDeque::new();
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = 0u64;
        for round in 0..200_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Phases of growth and of shrinking, so the queue crosses many
            // block boundaries both ways and empties now and then.
            let grow = (round / 20_000) % 2 == 0;
            let push = if grow { x % 4 != 0 } else { x % 4 == 0 };
            if push {
                fifo.push_back(next);
                model.push_back(next);
                next += 1;
            } else {
                assert_eq!(fifo.pop_front(), model.pop_front(), "round {round}");
            }
            let probe = (x >> 32) as usize % (model.len() + 2);
            assert_eq!(fifo.get(probe), model.get(probe));
            assert_eq!(fifo.len(), model.len());
        }
        while let Some(item) = model.pop_front() {
            assert_eq!(fifo.pop_front(), Some(item));
        }
        assert!(fifo.is_empty() && fifo.pop_front().is_none());
    }

    /// A spent block is released, not kept: memory follows the length.
    #[test]
    fn block_fifo_gives_back_spent_blocks() {
        let mut fifo = BlockFifo::default();
        for i in 0..(100 * BLOCK) as u32 {
            fifo.push_back(i);
        }
        assert_eq!(fifo.middle.len(), 99);
        for _ in 0..(50 * BLOCK) {
            fifo.pop_front();
        }
        assert_eq!(fifo.middle.len(), 49);
        assert!(fifo.spare.len() <= SPARE_KEEP);
    }
}
