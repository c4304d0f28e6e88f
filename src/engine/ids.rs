//! Typed ids and the slab that hands them out.
//!
//! Fibers, tasks and service requests live in slabs: vectors whose freed
//! slots are reused, last freed first, so a run allocates only while its
//! peak population grows. Each kind has its own id type, a `u32` index that
//! indexes only its own slab ([`Slab`] implements `Index` by its id), so a
//! task id cannot be used where a fiber id is meant, and no `as usize` is
//! written at the call sites.
//!
//! Invariants:
//! - an id's `NONE` (`u32::MAX`) names no slot: slabs never grow that far
//!   (a slot costs at least 16 bytes, so 2^32 of them would need 64 GiB);
//! - a freed slot keeps its value until it is handed out again, so a
//!   record may carry state across reuse (a fiber's generation number).

use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

/// An index into one kind of slab.
pub trait SlabId: Copy {
    fn from_index(index: usize) -> Self;
    fn index(self) -> usize;
}

macro_rules! slab_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[repr(transparent)]
        pub struct $name(u32);

        // Not every kind of id uses every method (requests are never NONE).
        #[allow(dead_code)]
        impl $name {
            /// Names nothing ("no parent", "end of list").
            pub const NONE: $name = $name(u32::MAX);

            /// The id of slot `index`.
            #[inline]
            pub const fn new(index: u32) -> $name {
                $name(index)
            }

            #[inline]
            pub fn is_none(self) -> bool {
                self == $name::NONE
            }

            #[inline]
            pub fn is_some(self) -> bool {
                self != $name::NONE
            }

            /// The slot number, as events and observers carry it.
            #[inline]
            pub const fn get(self) -> u32 {
                self.0
            }
        }

        impl SlabId for $name {
            #[inline]
            fn from_index(index: usize) -> $name {
                debug_assert!(index < u32::MAX as usize, "slab index past u32");
                $name(index as u32)
            }

            #[inline]
            fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

slab_id!(
    /// A fiber: one running program instance of a task.
    FiberId
);
slab_id!(
    /// A task: one arrival of a class.
    TaskId
);
slab_id!(
    /// A request in flight at a downstream service.
    RequestId
);

/// A vector of records whose freed slots are reused, last freed first.
#[derive(Debug, Clone)]
pub struct Slab<I, T> {
    items: Vec<T>,
    free: Vec<I>,
    _id: PhantomData<I>,
}

impl<I, T> Default for Slab<I, T> {
    fn default() -> Self {
        Slab { items: Vec::new(), free: Vec::new(), _id: PhantomData }
    }
}

impl<I: SlabId, T> Slab<I, T> {
    /// Stores `value` in a free slot (the last freed) or a new one.
    #[inline]
    pub fn insert(&mut self, value: T) -> I {
        match self.free.pop() {
            Some(id) => {
                self.items[id.index()] = value;
                id
            }
            None => {
                self.items.push(value);
                I::from_index(self.items.len() - 1)
            }
        }
    }

    /// Stores a value made from the slot's previous one (`None` for a new
    /// slot): what a record carries across reuse.
    #[inline]
    pub fn insert_with(&mut self, make: impl FnOnce(Option<&T>) -> T) -> I {
        match self.free.pop() {
            Some(id) => {
                let value = make(Some(&self.items[id.index()]));
                self.items[id.index()] = value;
                id
            }
            None => {
                let value = make(None);
                self.items.push(value);
                I::from_index(self.items.len() - 1)
            }
        }
    }

    /// Returns slot `id` for reuse; its value stays until then.
    #[inline]
    pub fn remove(&mut self, id: I) {
        self.free.push(id);
    }

    /// Slots in use.
    #[inline]
    #[allow(clippy::len_without_is_empty)] // no caller asks
    pub fn len(&self) -> usize {
        self.items.len() - self.free.len()
    }

    /// Starts loading slot `id` into the cache (see `prefetch.rs`).
    #[inline]
    pub fn prefetch(&self, id: I) {
        super::prefetch::prefetch(&self.items, id.index());
    }

    /// Ids of every slot ever used, in slot order.
    pub fn ids(&self) -> impl Iterator<Item = I> + use<I, T> {
        (0..self.items.len()).map(I::from_index)
    }
}

impl<I: SlabId, T> Index<I> for Slab<I, T> {
    type Output = T;

    #[inline]
    fn index(&self, id: I) -> &T {
        &self.items[id.index()]
    }
}

impl<I: SlabId, T> IndexMut<I> for Slab<I, T> {
    #[inline]
    fn index_mut(&mut self, id: I) -> &mut T {
        &mut self.items[id.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freed_slots_are_reused_last_freed_first() {
        let mut slab: Slab<TaskId, &str> = Slab::default();
        let a = slab.insert("a");
        let b = slab.insert("b");
        let c = slab.insert("c");
        assert_eq!((a.get(), b.get(), c.get()), (0, 1, 2));
        slab.remove(a);
        slab.remove(c);
        assert_eq!(slab.len(), 1);
        assert_eq!(slab.insert("d"), c);
        assert_eq!(slab.insert("e"), a);
        assert_eq!(slab.insert("f").get(), 3);
        assert_eq!((slab[a], slab[b], slab[c]), ("e", "b", "d"));
    }

    #[test]
    fn a_reused_slot_sees_its_previous_value() {
        let mut slab: Slab<FiberId, u32> = Slab::default();
        let first = slab.insert_with(|old| {
            assert!(old.is_none());
            7
        });
        slab.remove(first);
        let again = slab.insert_with(|old| old.copied().unwrap() + 1);
        assert_eq!((again, slab[again]), (first, 8));
    }

    #[test]
    fn none_is_no_slot() {
        assert!(FiberId::NONE.is_none());
        assert!(FiberId::new(0).is_some());
        assert_eq!(std::mem::size_of::<FiberId>(), 4);
    }
}
