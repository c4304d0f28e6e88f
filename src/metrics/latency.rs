//! A streaming latency recorder: an HdrHistogram (nanoseconds, 3 significant
//! digits) plus exact count, sum, min and max. No per-sample storage.
//!
//! Percentiles come from the histogram, so they carry its precision: the
//! reported value is the midpoint of the sample's bucket, clamped to the
//! exact minimum and maximum and rounded to four significant digits
//! (anything finer is below the histogram's resolution). Mean and max are
//! exact.

use hdrhistogram::Histogram as HdrHistogram;
use hdrhistogram::serialization::{Serializer, V2DeflateSerializer};
use serde::{Deserialize, Serialize};

/// Significant decimal digits the histograms keep.
pub const SIGNIFICANT_DIGITS: u8 = 3;

/// Records durations in nanoseconds.
#[derive(Clone, Debug)]
pub struct LatencyRecorder {
    histogram: HdrHistogram<u64>,
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
            histogram: HdrHistogram::new(SIGNIFICANT_DIGITS).expect("3 significant digits is a valid precision"),
            count: 0,
            sum_ns: 0,
            min_ns: u64::MAX,
            max_ns: 0,
        }
    }
}

impl LatencyRecorder {
    pub fn record(&mut self, nanos: u64) {
        // The histogram grows to fit; it can only refuse a value whose
        // buckets would overflow `usize`, and then the value is clamped.
        if self.histogram.record(nanos).is_err() {
            self.histogram.saturating_record(nanos);
        }
        self.count += 1;
        self.sum_ns += u128::from(nanos);
        self.min_ns = self.min_ns.min(nanos);
        self.max_ns = self.max_ns.max(nanos);
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn histogram(&self) -> &HdrHistogram<u64> {
        &self.histogram
    }

    /// The value at quantile `q` in seconds (see the module docs for its
    /// precision); zero when nothing was recorded.
    pub fn quantile_s(&self, q: f64) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        let value = self.histogram.value_at_quantile(q);
        let midpoint = self.histogram.median_equivalent(value).clamp(self.min_ns, self.max_ns);
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
        V2DeflateSerializer::new().serialize(&self.histogram, &mut bytes).expect("serialising into a Vec cannot fail");
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

    #[test]
    fn significant_rounding() {
        assert_eq!(round_significant(10.000837, 4), 10.0);
        assert_eq!(round_significant(0.123456, 4), 0.1235);
    }
}
