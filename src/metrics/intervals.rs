//! Latency over virtual time: one histogram per fixed interval, for the
//! `.hlog` export (HdrHistogram's interval log, `report::export::hlog`).
//!
//! The engine knows nothing of this: [`IntervalRecorder`] is fed by the
//! [`super::Recorder`] from the task ends the engine already reports. A
//! task counts in the interval `[k·w, (k+1)·w)` that holds its end, under
//! the same rule as the run's latency histogram (arrived at or after the
//! warmup; completed, failed or timed out), so the intervals of a strategy
//! add up to its histogram in report.json, count for count.
//!
//! Streaming and bounded: task ends reach the observer in time order, so
//! only the current interval is open; when a later one begins, the current
//! one is encoded (V2 deflate, base64, as report.json's histograms) and its
//! counts freed. Intervals in which no measured task ended are not kept, so
//! the output grows with the tasks, not with the run's length over the
//! width.

use super::LatencyRecorder;
use crate::engine::{Outcome, TaskRecord};
use crate::time::{SimDuration, SimTime};

/// One interval with at least one latency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interval {
    /// Its start: `index × width` from virtual time 0.
    pub start: SimTime,
    /// Latencies (ns) of the tasks that ended in it, HdrHistogram V2
    /// deflate, base64.
    pub histogram: String,
    /// With several classes, per class in scenario order, each `None` when
    /// no task of the class ended in it; empty with one class.
    pub classes: Vec<Option<String>>,
}

/// A strategy's intervals, in time order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntervalSeries {
    pub width: SimDuration,
    pub intervals: Vec<Interval>,
}

/// Records latencies by the interval of their task's end.
#[derive(Clone, Debug)]
pub struct IntervalRecorder {
    width: u64,
    /// The open interval's index, and its recorders (overall, per class).
    open: Option<u64>,
    overall: LatencyRecorder,
    classes: Vec<LatencyRecorder>,
    done: Vec<Interval>,
}

impl IntervalRecorder {
    /// Intervals `width` long (> 0); per class too when `classes > 1`.
    pub fn new(width: SimDuration, classes: usize) -> Self {
        assert!(width.as_nanos() > 0, "an interval has a length");
        let per_class = if classes > 1 { classes } else { 0 };
        IntervalRecorder {
            width: width.as_nanos(),
            open: None,
            overall: LatencyRecorder::histogram_only(),
            classes: vec![LatencyRecorder::histogram_only(); per_class],
            done: Vec::new(),
        }
    }

    /// Records `record`'s latency if it is measured (`window_start`: the
    /// warmup's end).
    pub fn record(&mut self, record: &TaskRecord, window_start: SimTime) {
        if record.arrived < window_start || matches!(record.outcome, Outcome::Cancelled | Outcome::Rejected) {
            return;
        }
        let index = (record.ended - SimTime::ZERO).as_nanos() / self.width;
        match self.open {
            Some(open) if open == index => {}
            Some(open) => {
                debug_assert!(open < index, "task ends reach the observer in time order");
                self.close();
                self.open = Some(index);
            }
            None => self.open = Some(index),
        }
        let latency = (record.ended - record.arrived).as_nanos();
        self.overall.record(latency);
        if let Some(class) = self.classes.get_mut(record.class as usize) {
            class.record(latency);
        }
    }

    /// Encodes the open interval and starts afresh.
    fn close(&mut self) {
        let Some(index) = self.open.take() else { return };
        let fresh = LatencyRecorder::histogram_only;
        let overall = std::mem::replace(&mut self.overall, fresh());
        let classes = self
            .classes
            .iter_mut()
            .map(|c| std::mem::replace(c, fresh()))
            .map(|c| (c.count() > 0).then(|| c.encoded()))
            .collect();
        let start = SimTime::ZERO + SimDuration::from_nanos(index * self.width);
        self.done.push(Interval { start, histogram: overall.encoded(), classes });
    }

    /// Every interval recorded, the last one closed.
    pub fn finish(mut self) -> IntervalSeries {
        self.close();
        IntervalSeries { width: SimDuration::from_nanos(self.width), intervals: self.done }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ended(arrived_ms: u64, ended_ms: u64, class: u16) -> TaskRecord {
        TaskRecord {
            class,
            index: 0,
            arrived: SimTime::ZERO + SimDuration::from_millis(arrived_ms),
            started: None,
            ended: SimTime::ZERO + SimDuration::from_millis(ended_ms),
            outcome: Outcome::Completed,
        }
    }

    #[test]
    fn tasks_count_in_the_interval_of_their_end_and_empty_ones_are_left_out() {
        let mut r = IntervalRecorder::new(SimDuration::from_millis(1000), 2);
        for record in [ended(0, 500, 0), ended(100, 999, 1), ended(0, 1000, 0), ended(2500, 3200, 1)] {
            r.record(&record, SimTime::ZERO);
        }
        let series = r.finish();
        let starts: Vec<f64> = series.intervals.iter().map(|i| i.start.as_secs_f64()).collect();
        assert_eq!(starts, [0.0, 1.0, 3.0], "[1 s, 2 s) holds the end at 1000 ms; [2 s, 3 s) is empty");
        let decode = |text: &str| {
            use base64::Engine;
            use hdrhistogram::serialization::Deserializer;
            let bytes = base64::engine::general_purpose::STANDARD.decode(text).unwrap();
            Deserializer::new().deserialize::<u64, _>(&mut bytes.as_slice()).unwrap()
        };
        assert_eq!(decode(&series.intervals[0].histogram).len(), 2);
        assert_eq!(series.intervals[0].classes.iter().map(Option::is_some).collect::<Vec<_>>(), [true, true]);
        assert_eq!(series.intervals[1].classes[1], None, "no task of class 1 ended in [1 s, 2 s)");
        let last = decode(&series.intervals[2].histogram);
        assert_eq!(last.len(), 1);
        assert!(last.equivalent(last.max(), 700_000_000), "the 700 ms latency");
    }

    #[test]
    fn warmup_cancelled_and_rejected_tasks_are_not_measured() {
        let mut r = IntervalRecorder::new(SimDuration::from_millis(1000), 1);
        r.record(&ended(0, 10, 0), SimTime::ZERO + SimDuration::from_millis(5));
        r.record(&TaskRecord { outcome: Outcome::Cancelled, ..ended(10, 20, 0) }, SimTime::ZERO);
        r.record(&TaskRecord { outcome: Outcome::Rejected, ..ended(10, 20, 0) }, SimTime::ZERO);
        assert!(r.finish().intervals.is_empty());
    }
}
