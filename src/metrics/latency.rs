//! A streaming latency recorder: an HdrHistogram (nanoseconds, 3 significant
//! digits) plus exact count, sum, min and max. No per-sample storage.
//!
//! Percentiles come from the histogram, so they carry its precision: the
//! reported value is the midpoint of the sample's bucket, clamped to the
//! exact minimum and maximum and rounded to four significant digits
//! (anything finer is below the histogram's resolution). Mean and max are
//! exact.

//!
//! Recording is a counter increment: samples are counted in an array laid
//! out exactly as the HdrHistogram's counts (3 significant digits, lowest
//! discernible value 1 ns), and the HdrHistogram is built from it when first
//! read. The result is the histogram that recording each sample would have
//! given, bucket for bucket, with the same size and serialised bytes
//! (tested): an auto-resizing HdrHistogram's state is a function of its
//! counts and of the largest bucket used, not of the order of records.

use hdrhistogram::Histogram as HdrHistogram;
use hdrhistogram::serialization::{Serializer, V2DeflateSerializer};
use serde::{Deserialize, Serialize};
use std::cell::OnceCell;

/// Significant decimal digits the histograms keep.
pub const SIGNIFICANT_DIGITS: u8 = 3;

/// Sub-buckets per half bucket (log2) for 3 significant digits: HdrHistogram
/// uses 2048 sub-buckets, the lower half of each bucket but the first unused.
const HALF_MAGNITUDE: u32 = 10;
const HALF_COUNT: u64 = 1 << HALF_MAGNITUDE;
/// Values below this fit in bucket 0.
const SUB_BUCKET_MASK: u64 = 2 * HALF_COUNT - 1;
/// 64 - unit magnitude (0) - log2(sub-bucket count).
const LEADING_ZERO_COUNT_BASE: u32 = 64 - (HALF_MAGNITUDE + 1);

/// HdrHistogram's counts index of `value` (lowest discernible value 1,
/// 3 significant digits).
#[inline]
fn index_of(value: u64) -> usize {
    let bucket = LEADING_ZERO_COUNT_BASE - (value | SUB_BUCKET_MASK).leading_zeros();
    let sub_bucket = value >> bucket;
    (((u64::from(bucket) + 1) << HALF_MAGNITUDE) + sub_bucket - HALF_COUNT) as usize
}

/// The lowest value counted at `index`.
fn value_at(index: usize) -> u64 {
    let index = index as u64;
    let sub_bucket = (index & (HALF_COUNT - 1)) + HALF_COUNT;
    match (index >> HALF_MAGNITUDE).checked_sub(1) {
        Some(bucket) => sub_bucket << bucket,
        None => sub_bucket - HALF_COUNT,
    }
}

/// Records durations in nanoseconds.
#[derive(Clone, Debug)]
pub struct LatencyRecorder {
    /// Samples per HdrHistogram bucket index.
    counts: Vec<u64>,
    /// Built from `counts` when first read; reset by every record.
    histogram: OnceCell<HdrHistogram<u64>>,
    count: u64,
    sum_ns: u128,
    min_ns: u64,
    max_ns: u64,
}

/// Summary figures in seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
}

impl Default for LatencyRecorder {
    fn default() -> Self {
        LatencyRecorder {
            counts: Vec::new(),
            histogram: OnceCell::new(),
            count: 0,
            sum_ns: 0,
            min_ns: u64::MAX,
            max_ns: 0,
        }
    }
}

impl LatencyRecorder {
    /// Inlined into the engine's hot paths (a few instructions); growing the
    /// counts and dropping a stale histogram are out of line.
    #[inline(always)]
    pub fn record(&mut self, nanos: u64) {
        let index = index_of(nanos);
        match self.counts.get_mut(index) {
            Some(n) => *n += 1,
            None => self.grow_and_count(index),
        }
        if self.histogram.get().is_some() {
            self.forget_histogram();
        }
        self.count += 1;
        self.sum_ns += u128::from(nanos);
        self.min_ns = self.min_ns.min(nanos);
        self.max_ns = self.max_ns.max(nanos);
    }

    #[cold]
    #[inline(never)]
    fn grow_and_count(&mut self, index: usize) {
        self.counts.resize((index + 1).next_power_of_two(), 0);
        self.counts[index] += 1;
    }

    #[cold]
    #[inline(never)]
    fn forget_histogram(&mut self) {
        self.histogram = OnceCell::new();
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// The HdrHistogram of every sample recorded.
    pub fn histogram(&self) -> &HdrHistogram<u64> {
        self.histogram.get_or_init(|| {
            let mut histogram =
                HdrHistogram::new(SIGNIFICANT_DIGITS).expect("3 significant digits is a valid precision");
            for (index, &n) in self.counts.iter().enumerate().filter(|(_, n)| **n > 0) {
                // The histogram grows to fit; it can only refuse a value whose
                // buckets would overflow `usize`, and then the value is clamped.
                let value = value_at(index);
                if histogram.record_n(value, n).is_err() {
                    histogram.saturating_record_n(value, n);
                }
            }
            histogram
        })
    }

    /// The value at quantile `q` in seconds (see the module docs for its
    /// precision); zero when nothing was recorded.
    pub fn quantile_s(&self, q: f64) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        let value = self.histogram().value_at_quantile(q);
        let midpoint = self.histogram().median_equivalent(value).clamp(self.min_ns, self.max_ns);
        round_significant(midpoint as f64 / 1e9, 4)
    }

    pub fn summary(&self) -> Summary {
        if self.count == 0 {
            return Summary::default();
        }
        Summary {
            mean: (self.sum_ns as f64 / self.count as f64) / 1e9,
            p50: self.quantile_s(0.50),
            p90: self.quantile_s(0.90),
            p99: self.quantile_s(0.99),
            p999: self.quantile_s(0.999),
            max: self.max_ns as f64 / 1e9,
        }
    }

    /// The histogram in HdrHistogram's V2 deflate format, base64-encoded.
    pub fn encoded(&self) -> String {
        use base64::Engine;
        let mut bytes = Vec::new();
        V2DeflateSerializer::new().serialize(self.histogram(), &mut bytes).expect("serialising into a Vec cannot fail");
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }
}

/// Rounds to `digits` significant decimal digits through Rust's exact,
/// platform-independent float formatting.
pub fn round_significant(x: f64, digits: usize) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    format!("{:.*e}", digits - 1, x).parse().unwrap_or(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_values_come_back_exactly() {
        let mut r = LatencyRecorder::default();
        for s in [5u64, 10, 15] {
            r.record(s * 1_000_000_000);
        }
        let s = r.summary();
        assert_eq!((s.p50, s.max, s.mean), (10.0, 15.0, 10.0));
    }

    #[test]
    fn percentiles_stay_within_histogram_precision() {
        let mut r = LatencyRecorder::default();
        for v in 1..=100_000u64 {
            r.record(v * 1_337);
        }
        let exact_p99 = 99_000.0 * 1_337.0 / 1e9;
        assert!((r.quantile_s(0.99) / exact_p99 - 1.0).abs() < 2e-3);
    }

    #[test]
    fn empty_recorder_summarises_to_zero() {
        assert_eq!(LatencyRecorder::default().summary(), Summary::default());
    }

    #[test]
    fn encoding_round_trips() {
        use base64::Engine;
        use hdrhistogram::serialization::Deserializer;
        let mut r = LatencyRecorder::default();
        r.record(42);
        r.record(1_000_000);
        let bytes = base64::engine::general_purpose::STANDARD.decode(r.encoded()).unwrap();
        let back: HdrHistogram<u64> = Deserializer::new().deserialize(&mut bytes.as_slice()).unwrap();
        assert_eq!(back, *r.histogram());
    }

    #[test]
    fn percentiles_of_equal_samples_are_exact() {
        // 100 ms falls mid-bucket; the midpoint (99.98 ms) is clamped to the
        // exact minimum.
        let mut r = LatencyRecorder::default();
        for _ in 0..99 {
            r.record(100_000_000);
        }
        r.record(1_000_000_000);
        let summary = r.summary();
        assert_eq!((summary.p50, summary.p99, summary.max), (0.1, 0.1, 1.0));
    }

    /// Counting by bucket gives the histogram that recording each value
    /// gives: equal counts, size, extremes, percentiles and bytes.
    #[test]
    fn counted_histogram_equals_recorded_histogram() {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut values = vec![0, 1, 2047, 2048, 2049, 4095, 4096, 1 << 40, u64::MAX >> 12];
        for _ in 0..50_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            values.push(x >> (x % 64));
        }
        for take in [1, 10, 1000, values.len()] {
            let mut fast = LatencyRecorder::default();
            let mut plain = HdrHistogram::<u64>::new(SIGNIFICANT_DIGITS).unwrap();
            for &v in &values[..take] {
                fast.record(v);
                plain.record(v).unwrap();
            }
            let h = fast.histogram();
            assert_eq!(*h, plain);
            assert_eq!((h.high(), h.distinct_values(), h.len()), (plain.high(), plain.distinct_values(), plain.len()));
            for q in [0.0, 0.5, 0.9, 0.99, 0.999, 1.0] {
                assert_eq!(h.value_at_quantile(q), plain.value_at_quantile(q));
            }
            let mut bytes = Vec::new();
            V2DeflateSerializer::new().serialize(&plain, &mut bytes).unwrap();
            use base64::Engine;
            assert_eq!(fast.encoded(), base64::engine::general_purpose::STANDARD.encode(bytes));
        }
    }

    #[test]
    fn index_and_value_agree_with_hdrhistogram() {
        let h = HdrHistogram::<u64>::new(SIGNIFICANT_DIGITS).unwrap();
        for v in (0..100_000u64).chain((0..64).map(|s| 1u64 << s)).chain((1..64).map(|s| (1u64 << s) - 1)) {
            assert_eq!(value_at(index_of(v)), h.lowest_equivalent(v), "{v}");
        }
    }

    #[test]
    fn significant_rounding() {
        assert_eq!(round_significant(10.000837, 4), 10.0);
        assert_eq!(round_significant(0.123456, 4), 0.1235);
    }
}
