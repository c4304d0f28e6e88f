//! Work queues' figures (docs/model.md R-QUEUE-*, docs/report.md
//! `queues`): items put and got, the queue's length over time, how long
//! items waited in it (an HdrHistogram, streaming) and how long producers
//! waited for room, from the engine's [`QueueEvent`]s.
//!
//! Invariants: `got ≤ put`, and `got = put` at the end of a run that ended
//! without a horizon (every item put was got: items are conserved); the
//! length's time integral is exact in integer nanoseconds.

use super::latency::{LatencyRecorder, Summary};
use super::round_significant;
use crate::engine::{QueueChange, QueueEvent};
use crate::time::SimTime;
use serde::Serialize;

/// One queue's counters over a run.
#[derive(Clone, Debug, Default)]
pub struct QueueRecorder {
    pub put: u64,
    pub got: u64,
    len: u64,
    max_len: u64,
    /// When `len` last changed, and ∫ len dt up to then (item·ns).
    since: SimTime,
    area: u128,
    pub wait: LatencyRecorder,
    /// Puts that waited for room, and their waits' sum.
    pub blocked_puts: u64,
    pub blocked_ns: u128,
}

impl QueueRecorder {
    pub fn record(&mut self, change: &QueueChange) {
        match change.event {
            QueueEvent::Put { len } => {
                self.put += 1;
                self.length(change.time, len);
            }
            QueueEvent::Got { len, waited } => {
                self.got += 1;
                self.wait.record(waited.as_nanos());
                self.length(change.time, len);
            }
            QueueEvent::Unblocked { blocked } => {
                self.blocked_puts += 1;
                self.blocked_ns += u128::from(blocked.as_nanos());
            }
        }
    }

    fn length(&mut self, at: SimTime, len: u64) {
        self.area += u128::from(self.len) * u128::from(at.as_nanos() - self.since.as_nanos());
        self.since = at;
        self.len = len;
        self.max_len = self.max_len.max(len);
    }
}

/// One queue's figures under one strategy.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QueueResult {
    pub queue: String,
    /// `null`: unbounded.
    pub capacity: Option<u32>,
    /// Items put.
    pub put: u64,
    /// Items got (equal to `put` at the end of a run without horizon).
    pub got: u64,
    /// Time-average number of items in the queue over the makespan.
    pub mean_length: f64,
    pub max_length: u64,
    /// How long items waited in the queue (put → get), in seconds.
    pub wait_s: Summary,
    /// Puts that found the queue full and waited for room.
    pub blocked_puts: u64,
    /// Producers' time waiting for room, summed, in seconds.
    pub blocked_s: f64,
}

impl QueueResult {
    pub fn new(name: &str, capacity: Option<u32>, r: &QueueRecorder, end: SimTime) -> Self {
        let area = r.area + u128::from(r.len) * u128::from(end.as_nanos().saturating_sub(r.since.as_nanos()));
        let mean = if end.as_nanos() == 0 { 0.0 } else { area as f64 / end.as_nanos() as f64 };
        QueueResult {
            queue: name.to_string(),
            capacity,
            put: r.put,
            got: r.got,
            mean_length: round_significant(mean, 6),
            max_length: r.max_len,
            wait_s: r.wait.summary(),
            blocked_puts: r.blocked_puts,
            blocked_s: round_significant(r.blocked_ns as f64 / 1e9, 6),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::SimDuration;

    fn at(ms: u64) -> SimTime {
        SimTime::ZERO + SimDuration::from_millis(ms)
    }

    #[test]
    fn length_is_time_weighted() {
        let mut r = QueueRecorder::default();
        // One item from 0 to 10 ms, two from 10 to 20 ms, none after 30 ms.
        r.record(&QueueChange { time: at(0), queue: 0, event: QueueEvent::Put { len: 1 } });
        r.record(&QueueChange { time: at(10), queue: 0, event: QueueEvent::Put { len: 2 } });
        let waited = SimDuration::from_millis(20);
        r.record(&QueueChange { time: at(20), queue: 0, event: QueueEvent::Got { len: 1, waited } });
        r.record(&QueueChange { time: at(30), queue: 0, event: QueueEvent::Got { len: 0, waited } });
        let q = QueueResult::new("q", None, &r, at(40));
        // (10·1 + 10·2 + 10·1) / 40 = 1.
        assert_eq!((q.put, q.got, q.max_length, q.mean_length), (2, 2, 2, 1.0));
        assert_eq!(q.wait_s.max, 0.02);
    }
}
