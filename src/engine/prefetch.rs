//! Software prefetch: a hint to start loading a record the engine will
//! read soon.
//!
//! With a million live coroutines, task and fiber records (about 120 bytes
//! per coroutine) far exceed the caches, and the loop visits them in an
//! order unrelated to their place in memory, so each visit would wait for
//! main memory. Where the engine knows what it will touch next (the ready
//! queue), it asks for those records a few entries ahead. A prefetch has no
//! effect on results: it only changes when memory is read.

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
