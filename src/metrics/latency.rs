//! A streaming latency recorder: an HdrHistogram (nanoseconds, 3 significant
//! digits) plus exact count, sum, min and max, and while there are few
//! samples the samples themselves.
//!
//! Percentiles have one definition wherever simbench shows them (report.json,
//! report.md, report.html, the percentile chart, CSV, `compare`, SLOs):
//!
//! - **Up to [`EXACT_SAMPLES`] samples** the recorder keeps every sample
//!   (8 bytes each) and a percentile is exact: numpy's default
//!   (`method='linear'`, Hyndman & Fan type 7). For the sorted samples
//!   `x[0..n)` and quantile q, h = (n − 1)·q and the value is
//!   `x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋ + 1] − x[⌊h⌋])`. Samples are sorted before
//!   the value is read, so it does not depend on the order of records.
//! - **Beyond**, the samples are dropped (memory stays bounded) and the
//!   value comes from the histogram: HdrHistogram's nearest rank (the first
//!   bucket whose running count reaches ⌈q·n⌉), reported as the midpoint of
//!   that bucket, clamped to the exact minimum and maximum.
//!
//! Either way the value is rounded to four significant digits of seconds
//! (anything finer is below the histogram's resolution). Mean and max are
//! exact. The histogram itself (report.json's `histogram`, the `.hgrm` and
//! `.hlog` exports) is HdrHistogram's, whatever the count.
//!
//! Recording is, up to the threshold, a push onto the samples (amortised),
//! and beyond a counter increment: samples are counted in an array laid
//! out exactly as the HdrHistogram's counts (3 significant digits, lowest
//! discernible value 1 ns), and the HdrHistogram is built from it when first
//! read. The result is the histogram that recording each sample would have
//! given, bucket for bucket, with the same size and serialised bytes
//! (tested): an auto-resizing HdrHistogram's state is a function of its
//! counts and of the largest bucket used, not of the order of records.

use hdrhistogram::Histogram as HdrHistogram;
use hdrhistogram::serialization::{Serializer, V2DeflateSerializer};
use serde::{Deserialize, Serialize};
use std::cell::{Cell, OnceCell, RefCell};

/// Significant decimal digits the histograms keep.
pub const SIGNIFICANT_DIGITS: u8 = 3;

/// A recorder keeps its samples, and its percentiles are exact, while it has
/// at most this many (8 bytes each: 800 kB per recorder at most).
pub const EXACT_SAMPLES: u64 = 100_000;

/// Points of a latency spectrum (the percentile chart's line and
/// report.json's `latency_spectrum_s`).
pub const SPECTRUM_POINTS: usize = 401;
/// The spectrum's right end on its x axis, 1/(1 − p): p = 99.99 %.
pub const SPECTRUM_MAX_X: f64 = 1e4;

/// The x coordinates 1/(1 − p) of the spectrum's points, evenly spaced in
/// log x from 1 (p = 0) to [`SPECTRUM_MAX_X`].
pub fn spectrum_xs() -> Vec<f64> {
    (0..SPECTRUM_POINTS).map(|i| 10f64.powf(SPECTRUM_MAX_X.log10() * i as f64 / (SPECTRUM_POINTS - 1) as f64)).collect()
}

/// The quantile of the spectrum's point at `x` = 1/(1 − p): p = 1 − 1/x.
pub fn spectrum_quantile(x: f64) -> f64 {
    1.0 - 1.0 / x
}

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

/// Counts `nanos` in its bucket, growing `counts` to the bucket's power of two.
#[inline(always)]
fn count_into(counts: &mut Vec<u64>, nanos: u64) {
    let index = index_of(nanos);
    match counts.get_mut(index) {
        Some(n) => *n += 1,
        None => grow_and_count(counts, index),
    }
}

#[cold]
#[inline(never)]
fn grow_and_count(counts: &mut Vec<u64>, index: usize) {
    counts.resize((index + 1).next_power_of_two(), 0);
    counts[index] += 1;
}

/// Records durations in nanoseconds.
#[derive(Clone, Debug)]
pub struct LatencyRecorder {
    /// Samples per HdrHistogram bucket index, once the samples are no longer
    /// kept; empty while they are (a read counts them then).
    counts: Vec<u64>,
    /// Built from `counts` when first read; reset by every record.
    histogram: OnceCell<HdrHistogram<u64>>,
    /// Every sample while `count <= sample_limit`; empty beyond. Sorted in
    /// place when read.
    samples: RefCell<Vec<u64>>,
    /// Whether `samples` is sorted (reset by every record).
    sorted: Cell<bool>,
    /// [`EXACT_SAMPLES`], or 0 for a recorder whose percentiles nobody reads.
    sample_limit: u64,
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
            samples: RefCell::new(Vec::new()),
            sorted: Cell::new(true),
            sample_limit: EXACT_SAMPLES,
            count: 0,
            sum_ns: 0,
            min_ns: u64::MAX,
            max_ns: 0,
        }
    }
}

impl LatencyRecorder {
    /// A recorder that keeps no samples: only its histogram is read (the
    /// `.hlog` export's intervals), so its percentiles are the histogram's.
    pub fn histogram_only() -> Self {
        LatencyRecorder { sample_limit: 0, ..LatencyRecorder::default() }
    }

    /// Inlined into the engine's hot paths (a few instructions): up to
    /// [`EXACT_SAMPLES`] a push onto the samples, beyond a bucket count.
    /// Growing the counts, dropping a stale histogram and turning the kept
    /// samples into counts when the threshold is passed are out of line.
    #[inline(always)]
    pub fn record(&mut self, nanos: u64) {
        if self.histogram.get().is_some() {
            self.forget_histogram();
        }
        if self.count < self.sample_limit {
            self.samples.get_mut().push(nanos);
            *self.sorted.get_mut() = false;
        } else {
            if !self.samples.get_mut().is_empty() {
                self.count_samples();
            }
            count_into(&mut self.counts, nanos);
        }
        self.count += 1;
        self.sum_ns += u128::from(nanos);
        self.min_ns = self.min_ns.min(nanos);
        self.max_ns = self.max_ns.max(nanos);
    }

    /// Past the threshold: the kept samples become bucket counts, and their
    /// memory goes.
    #[cold]
    #[inline(never)]
    fn count_samples(&mut self) {
        for nanos in std::mem::take(self.samples.get_mut()) {
            count_into(&mut self.counts, nanos);
        }
    }

    #[cold]
    #[inline(never)]
    fn forget_histogram(&mut self) {
        self.histogram = OnceCell::new();
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// Whether percentiles are exact: every sample is kept (at least one,
    /// at most [`EXACT_SAMPLES`]).
    pub fn is_exact(&self) -> bool {
        self.count > 0 && self.count <= self.sample_limit
    }

    /// The samples, sorted, when they are kept.
    fn sorted_samples(&self) -> Option<std::cell::Ref<'_, Vec<u64>>> {
        if !self.is_exact() {
            return None;
        }
        if !self.sorted.get() {
            self.samples.borrow_mut().sort_unstable();
            self.sorted.set(true);
        }
        Some(self.samples.borrow())
    }

    /// The HdrHistogram of every sample recorded.
    pub fn histogram(&self) -> &HdrHistogram<u64> {
        self.histogram.get_or_init(|| {
            let mut histogram =
                HdrHistogram::new(SIGNIFICANT_DIGITS).expect("3 significant digits is a valid precision");
            // While the samples are kept, the counts are made from them.
            let samples = self.samples.borrow();
            let from_samples;
            let counts = if samples.is_empty() {
                &self.counts
            } else {
                let mut counts = Vec::new();
                for &nanos in samples.iter() {
                    count_into(&mut counts, nanos);
                }
                from_samples = counts;
                &from_samples
            };
            for (index, &n) in counts.iter().enumerate().filter(|(_, n)| **n > 0) {
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

    /// The value at quantile `q` (0 to 1) in seconds, by the module docs'
    /// definition (exact up to [`EXACT_SAMPLES`] samples, the histogram's
    /// beyond); zero when nothing was recorded.
    pub fn quantile_s(&self, q: f64) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        let nanos = match self.sorted_samples() {
            Some(sorted) => linear_quantile(&sorted, q),
            None => self.histogram_quantile_ns(q) as f64,
        };
        round_significant(nanos / 1e9, 4)
    }

    /// HdrHistogram's value at `q`: the midpoint of the nearest rank's
    /// bucket, clamped to the exact extremes (nanoseconds).
    fn histogram_quantile_ns(&self, q: f64) -> u64 {
        let value = self.histogram().value_at_quantile(q);
        self.histogram().median_equivalent(value).clamp(self.min_ns, self.max_ns)
    }

    /// The latency at each of the spectrum's points ([`spectrum_xs`]), in
    /// seconds, by [`Self::quantile_s`]'s definition; `None` unless the
    /// percentiles are exact (beyond, a reader takes them from the
    /// histogram, as before).
    pub fn spectrum_s(&self) -> Option<Vec<f64>> {
        let sorted = self.sorted_samples()?;
        Some(
            spectrum_xs()
                .into_iter()
                .map(|x| round_significant(linear_quantile(&sorted, spectrum_quantile(x)) / 1e9, 4))
                .collect(),
        )
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

/// numpy's default percentile (`method='linear'`, Hyndman & Fan type 7) of
/// `sorted` (ascending, not empty) at quantile `q`, clamped to 0..=1: with
/// h = (n − 1)·q, `x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋ + 1] − x[⌊h⌋])`.
pub fn linear_quantile(sorted: &[u64], q: f64) -> f64 {
    debug_assert!(!sorted.is_empty() && sorted.windows(2).all(|w| w[0] <= w[1]));
    let h = (sorted.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let below = h.floor() as usize;
    let low = sorted[below] as f64;
    match sorted.get(below + 1) {
        Some(&high) => low + (h - below as f64) * (high as f64 - low),
        None => low,
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
    fn histogram_percentiles_stay_within_histogram_precision() {
        let mut r = LatencyRecorder::histogram_only();
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
    fn histogram_midpoints_are_clamped_to_the_exact_minimum() {
        // 100 ms falls mid-bucket; the midpoint (99.98 ms) is clamped to the
        // exact minimum.
        let mut r = LatencyRecorder::histogram_only();
        for _ in 0..99 {
            r.record(100_000_000);
        }
        r.record(1_000_000_000);
        let summary = r.summary();
        assert_eq!((summary.p50, summary.p99, summary.max), (0.1, 0.1, 1.0));
    }

    /// numpy's `np.percentile(x, 100 * q)` (method `linear`), written out
    /// from its definition: h = (n − 1)·q between the order statistics.
    fn numpy_linear(values: &[u64], q: f64) -> f64 {
        let mut x: Vec<f64> = values.iter().map(|&v| v as f64).collect();
        x.sort_by(f64::total_cmp);
        let h = (x.len() - 1) as f64 * q;
        let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
        x[lo] + (h - lo as f64) * (x[hi] - x[lo])
    }

    /// A few thousand pseudo-random latencies from 1 µs to about 4 s.
    fn scattered(n: usize) -> Vec<u64> {
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                1_000 + (x >> 32)
            })
            .collect()
    }

    #[test]
    fn small_sample_percentiles_are_numpys_linear_interpolation() {
        for n in [1, 2, 3, 10, 11, 99, 1_000, 4_321] {
            let values = scattered(n);
            let mut r = LatencyRecorder::default();
            values.iter().for_each(|&v| r.record(v));
            for q in [0.0, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0] {
                let expected = round_significant(numpy_linear(&values, q) / 1e9, 4);
                assert_eq!(r.quantile_s(q), expected, "n = {n}, q = {q}");
            }
        }
    }

    #[test]
    fn ten_samples_interpolate_between_the_top_two() {
        // 1 s … 10 s: numpy gives p50 5.5 s, p90 9.1 s, p99 9.91 s and p99.9
        // 9.991 s, where HdrHistogram's nearest rank gives 5, 9, 10 and 10.
        let mut r = LatencyRecorder::default();
        (1..=10u64).for_each(|s| r.record(s * 1_000_000_000));
        let s = r.summary();
        let expected = |q: f64| round_significant(1.0 + 9.0 * q, 4);
        assert_eq!((s.p50, s.p90, s.p99, s.p999), (expected(0.5), expected(0.9), expected(0.99), expected(0.999)));
        assert_eq!((s.p50, s.p90, s.p99, s.p999), (5.5, 9.1, 9.91, 9.991));
    }

    #[test]
    fn percentiles_past_the_threshold_are_the_histograms() {
        let values = scattered(EXACT_SAMPLES as usize + 1);
        let mut exact = LatencyRecorder::default();
        let mut histogram = LatencyRecorder::histogram_only();
        for &v in &values {
            exact.record(v);
            histogram.record(v);
        }
        assert!(!exact.is_exact());
        assert_eq!(exact.summary(), histogram.summary());
        assert_eq!(*exact.histogram(), *histogram.histogram(), "the kept samples were counted when dropped");
        assert_eq!(exact.encoded(), histogram.encoded());
        for q in [0.5, 0.99, 0.999] {
            let h = exact.histogram();
            let midpoint = h.median_equivalent(h.value_at_quantile(q)).clamp(h.min(), h.max());
            assert_eq!(exact.quantile_s(q), round_significant(midpoint as f64 / 1e9, 4));
        }
        assert!(exact.spectrum_s().is_none());
    }

    #[test]
    fn samples_are_kept_up_to_the_threshold_and_dropped_past_it() {
        let mut r = LatencyRecorder::default();
        for v in 0..EXACT_SAMPLES {
            r.record(v);
        }
        assert!(r.is_exact());
        assert_eq!(r.samples.borrow().len() as u64, EXACT_SAMPLES);
        r.record(7);
        assert!(!r.is_exact());
        assert_eq!(r.samples.borrow().capacity(), 0, "the samples' memory is freed");
        r.record(8);
        assert_eq!(r.samples.borrow().len(), 0);
    }

    #[test]
    fn exact_percentiles_do_not_depend_on_record_order() {
        let values = scattered(2_000);
        let mut forward = LatencyRecorder::default();
        let mut backward = LatencyRecorder::default();
        let mut interleaved = LatencyRecorder::default();
        values.iter().for_each(|&v| forward.record(v));
        values.iter().rev().for_each(|&v| backward.record(v));
        let (even, odd): (Vec<u64>, Vec<u64>) = values.iter().partition(|&&v| v % 2 == 0);
        odd.iter().chain(&even).for_each(|&v| interleaved.record(v));
        assert_eq!(forward.summary(), backward.summary());
        assert_eq!(forward.summary(), interleaved.summary());
        assert_eq!(forward.spectrum_s(), backward.spectrum_s());
        assert_eq!(forward.spectrum_s(), interleaved.spectrum_s());
    }

    #[test]
    fn reading_percentiles_between_records_sees_every_sample() {
        let mut r = LatencyRecorder::default();
        r.record(3_000_000_000);
        r.record(1_000_000_000);
        assert_eq!(r.quantile_s(0.5), 2.0);
        r.record(2_000_000_000);
        r.record(0);
        assert_eq!(r.quantile_s(0.5), 1.5);
        assert_eq!(r.quantile_s(1.0), 3.0);
    }

    #[test]
    fn histogram_read_while_samples_are_kept_follows_later_records() {
        let values = scattered(EXACT_SAMPLES as usize + 10);
        let mut r = LatencyRecorder::default();
        let mut plain = HdrHistogram::<u64>::new(SIGNIFICANT_DIGITS).unwrap();
        for (i, &v) in values.iter().enumerate() {
            r.record(v);
            plain.record(v).unwrap();
            if i == 0 || i == EXACT_SAMPLES as usize - 1 || i == values.len() - 1 {
                assert_eq!(*r.histogram(), plain, "after {} records", i + 1);
            }
        }
    }

    #[test]
    fn spectrum_gives_the_percentile_at_each_point() {
        let values = scattered(500);
        let mut r = LatencyRecorder::default();
        values.iter().for_each(|&v| r.record(v));
        let spectrum = r.spectrum_s().expect("500 samples are kept");
        assert_eq!(spectrum.len(), SPECTRUM_POINTS);
        for (x, value) in spectrum_xs().into_iter().zip(spectrum) {
            assert_eq!(value, r.quantile_s(spectrum_quantile(x)), "x = {x}");
        }
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
        // Kept samples (counted when read) and bucket counts alike.
        for (take, mut fast) in [1, 10, 1000, values.len()]
            .into_iter()
            .flat_map(|take| [(take, LatencyRecorder::default()), (take, LatencyRecorder::histogram_only())])
        {
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
