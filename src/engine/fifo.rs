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
//! Invariants: every block but the last is full; entries before `head` in
//! the first block have been taken; `len` counts the entries not taken.

use std::collections::VecDeque;

/// Entries per block: a power of two, so an index splits with a shift.
const BLOCK: usize = 4096;

/// Emptied blocks kept for reuse.
const SPARE_KEEP: usize = 4;

/// A FIFO of `T` in blocks of [`BLOCK`] entries.
#[derive(Debug)]
pub(super) struct BlockFifo<T> {
    blocks: VecDeque<Vec<T>>,
    /// Entries of `blocks[0]` already taken.
    head: usize,
    len: usize,
    spare: Vec<Vec<T>>,
}

impl<T> Default for BlockFifo<T> {
    fn default() -> Self {
        BlockFifo { blocks: VecDeque::new(), head: 0, len: 0, spare: Vec::new() }
    }
}

impl<T: Copy> BlockFifo<T> {
    #[inline]
    pub(super) fn push_back(&mut self, item: T) {
        match self.blocks.back_mut() {
            Some(last) if last.len() < BLOCK => last.push(item),
            _ => {
                let mut block = self.spare.pop().unwrap_or_else(|| Vec::with_capacity(BLOCK));
                block.push(item);
                self.blocks.push_back(block);
            }
        }
        self.len += 1;
    }

    #[inline]
    pub(super) fn pop_front(&mut self) -> Option<T> {
        let first = self.blocks.front_mut()?;
        let item = first[self.head];
        self.head += 1;
        self.len -= 1;
        if self.head == first.len() {
            // The block is spent: a full one, or the last one, now empty.
            let mut spent = self.blocks.pop_front().expect("the first block exists");
            self.head = 0;
            if self.spare.len() < SPARE_KEEP {
                spent.clear();
                self.spare.push(spent);
            }
        }
        Some(item)
    }

    /// The entry `i` places from the front, if there is one.
    #[inline]
    pub(super) fn get(&self, i: usize) -> Option<&T> {
        if i >= self.len {
            return None;
        }
        let at = self.head + i;
        Some(&self.blocks[at / BLOCK][at % BLOCK])
    }

    #[inline]
    pub(super) fn len(&self) -> usize {
        self.len
    }

    #[inline]
    pub(super) fn is_empty(&self) -> bool {
        self.len == 0
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
        assert_eq!(fifo.blocks.len(), 100);
        for _ in 0..(50 * BLOCK) {
            fifo.pop_front();
        }
        assert_eq!(fifo.blocks.len(), 50);
        assert!(fifo.spare.len() <= SPARE_KEEP);
    }
}
