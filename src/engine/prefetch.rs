//! Software prefetch: a hint to start loading a record the engine will
//! read soon.
//!
//! With a million live coroutines, task and fiber records (88 bytes per
//! coroutine) far exceed the caches, and the loop visits them in an
//! order unrelated to their place in memory, so each visit would wait for
//! main memory. Where the engine knows what it will touch next, it asks for
//! those records ahead of time: a few entries ahead in the ready queue, and,
//! when the event queue moves a small bucket down a level
//! (`RadixQueue::pop_hinting`), the fibers its wake-ups will check, which are
//! the next events to pop. A prefetch has no effect on results: it only
//! changes when memory is read.

/// Hints that `slice[index]` will be read soon; nothing if out of bounds.
#[inline(always)]
pub(super) fn prefetch<T>(slice: &[T], index: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(item) = slice.get(index) {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: prefetching never faults and reads nothing architecturally;
        // the pointer is to a live element anyway.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((item as *const T).cast()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (slice, index);
}
