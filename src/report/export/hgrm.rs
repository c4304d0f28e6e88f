//! HdrHistogram's percentile distribution text (`.hgrm`), as Java's
//! `AbstractHistogram.outputPercentileDistribution(out, 5, 1e6)` and wrk2
//! print it, for HdrHistogram's online plotter and tools that read it.
//!
//! Layout, byte for byte: a header `%12s %14s %10s %14s` of `Value`,
//! `Percentile`, `TotalCount`, `1/(1-Percentile)` and a blank line; one line
//! `%12.3f %2.12f %10d %14.2f` per percentile step (5 ticks per half
//! distance to 100%), the last (100%) without its fourth column; then the
//! footer `#[Mean    = %12.3f, StdDeviation   = %12.3f]`,
//! `#[Max     = %12.3f, Total count    = %12d]`,
//! `#[Buckets = %12d, SubBuckets     = %12d]`. Values are milliseconds (the
//! histograms hold nanoseconds). Numbers round half up, as Java's
//! `Formatter` does.

use super::{ExportError, ExportFile, Exporter, Input};
use crate::report::histogram::decode;
use hdrhistogram::Histogram;

/// One `STRATEGY.hgrm` per strategy, in the report's order (names from
/// [`file_names`]).
pub struct HgrmExporter;

impl Exporter for HgrmExporter {
    fn serialize(&self, input: &Input<'_>) -> Result<Vec<ExportFile>, ExportError> {
        let results = &input.report.results;
        let labels: Vec<&str> = results.iter().map(|r| r.strategy.as_str()).collect();
        let mut files = Vec::with_capacity(results.len());
        for (result, name) in results.iter().zip(file_names(&labels)) {
            let histogram = decode(&result.histogram).map_err(|e| ExportError::histogram(&result.strategy, e))?;
            files.push(ExportFile::new(name, render(&histogram, SCALE)));
        }
        Ok(files)
    }
}

/// Percentile steps per halving of the distance to 100%: Java's default.
pub const TICKS_PER_HALF_DISTANCE: u32 = 5;
/// Nanoseconds per output unit (milliseconds).
pub const SCALE: f64 = 1e6;

/// The percentile distribution of `histogram`, its values divided by
/// `scale` (use [`SCALE`] for nanoseconds shown as milliseconds).
pub fn render(histogram: &Histogram<u64>, scale: f64) -> String {
    let digits = usize::from(histogram.sigfig());
    let mut out = format!("{:>12} {:>14} {:>10} {:>14}\n\n", "Value", "Percentile", "TotalCount", "1/(1-Percentile)");
    for (value, level, total) in percentile_steps(histogram, TICKS_PER_HALF_DISTANCE) {
        let value = fixed(value as f64 / scale, digits);
        let percentile = fixed(level / 100.0, 12);
        if level != 100.0 {
            let inverse = fixed(1.0 / (1.0 - level / 100.0), 2);
            out.push_str(&format!("{value:>12} {percentile:>2} {total:>10} {inverse:>14}\n"));
        } else {
            out.push_str(&format!("{value:>12} {percentile:>2} {total:>10}\n"));
        }
    }
    let (mean, stdev) = (histogram.mean() / scale, histogram.stdev() / scale);
    let max = if histogram.is_empty() { 0.0 } else { histogram.max() as f64 / scale };
    out.push_str(&format!("#[Mean    = {:>12}, StdDeviation   = {:>12}]\n", fixed(mean, digits), fixed(stdev, digits)));
    out.push_str(&format!("#[Max     = {:>12}, Total count    = {:>12}]\n", fixed(max, digits), histogram.len()));
    out.push_str(&format!(
        "#[Buckets = {:>12}, SubBuckets     = {:>12}]\n",
        histogram.buckets(),
        sub_buckets(histogram)
    ));
    out
}

/// The steps of Java's `PercentileIterator`: `(value, percentile level,
/// total count)`, the value being the highest equivalent of the bucket
/// where the level was reached.
///
/// This follows the Java code rather than the crate's `iter_quantiles`,
/// which works in fractions instead of percents and so reaches some levels
/// one sample later (0.1 + 0.1 + 0.1 > 0.3, while 10 + 10 + 10 = 30), and
/// ends differently: Java steps levels in percent, checks
/// `100 × count / total ≥ level` bucket by bucket, and after the bucket that
/// holds the last sample adds one final step at 100%.
pub fn percentile_steps(histogram: &Histogram<u64>, ticks_per_half_distance: u32) -> Vec<(u64, f64, u64)> {
    let buckets: Vec<(u64, u64)> =
        histogram.iter_recorded().map(|v| (v.value_iterated_to(), v.count_at_value())).collect();
    let n = histogram.len();
    let mut steps = Vec::new();
    if buckets.is_empty() || n == 0 {
        return steps;
    }
    let (mut at, mut total, mut fresh, mut level) = (0usize, 0u64, true, 0.0f64);
    while total < n {
        loop {
            if fresh {
                total += buckets[at].1;
                fresh = false;
            }
            if 100.0 * total as f64 / n as f64 >= level {
                steps.push((buckets[at].0, level, total));
                // Java: ticks × 2^(⌊log2(100 / (100 − level))⌋ + 1) steps per 100%.
                let halvings = (libm::log(100.0 / (100.0 - level)) / libm::log(2.0)).trunc();
                let ticks = f64::from(ticks_per_half_distance) * libm::pow(2.0, halvings + 1.0);
                level += 100.0 / ticks;
                break;
            }
            at += 1;
            fresh = true;
        }
    }
    steps.push((buckets[at].0, 100.0, total));
    steps
}

/// One `.hgrm` file name per strategy label, in order: the label made safe
/// as a file name, with `-2`, `-3`, … added where two would clash.
pub fn file_names(labels: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(labels.len());
    for label in labels {
        let stem = crate::report::files::directory_name(label);
        let mut name = format!("{stem}.hgrm");
        let mut n = 2;
        while names.contains(&name) {
            name = format!("{stem}-{n}.hgrm");
            n += 1;
        }
        names.push(name);
    }
    names
}

/// Sub-buckets per bucket: the power of two that gives unit resolution up
/// to `2 × 10^sigfig` (2048 for 3 significant digits).
fn sub_buckets(histogram: &Histogram<u64>) -> u64 {
    let largest = 2 * 10u64.pow(u32::from(histogram.sigfig()));
    largest.next_power_of_two()
}

/// `x` with `decimals` decimals, rounding half up like Java's `%.Nf`
/// (Rust's formatting rounds half to even).
pub fn fixed(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return if x.is_nan() { "NaN".into() } else { "Infinity".into() };
    }
    // Far more digits than an f64 of this range holds, so the expansion is
    // exact where it matters and no rounding happens near `decimals`.
    let exact = format!("{:.*}", decimals + 60, x.abs());
    let (whole, fraction) = exact.split_once('.').expect("a fixed-point expansion has a point");
    let mut digits: Vec<u8> = whole.bytes().chain(fraction.bytes().take(decimals)).collect();
    if fraction.as_bytes()[decimals] >= b'5' {
        let mut i = digits.len();
        loop {
            if i == 0 {
                digits.insert(0, b'1');
                break;
            }
            i -= 1;
            if digits[i] == b'9' {
                digits[i] = b'0';
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    let split = digits.len() - decimals;
    let (w, f) = digits.split_at(split);
    let sign = if x < 0.0 && digits.iter().any(|d| *d != b'0') { "-" } else { "" };
    let w = std::str::from_utf8(w).expect("ASCII digits");
    let f = std::str::from_utf8(f).expect("ASCII digits");
    if decimals == 0 { format!("{sign}{w}") } else { format!("{sign}{w}.{f}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe_and_distinct() {
        assert_eq!(
            file_names(&["threaded", "a b", "a-b", "../x"]),
            ["threaded.hgrm", "a-b.hgrm", "a-b-2.hgrm", "x.hgrm"]
        );
    }

    #[test]
    fn rounds_half_up_like_java() {
        assert_eq!(fixed(1.125, 2), "1.13");
        assert_eq!(fixed(0.125, 2), "0.13");
        assert_eq!(fixed(9.995, 2), "9.99", "9.995 is 9.99499… in binary");
        assert_eq!(fixed(9.9999, 2), "10.00");
        assert_eq!(fixed(0.0, 3), "0.000");
        assert_eq!(fixed(0.5, 12), "0.500000000000");
        assert_eq!(fixed(2.0, 0), "2");
    }

    /// HdrHistogramJS's own percentile-distribution test records 25, 50
    /// and 75 and expects these lines (its Buckets count reflects its
    /// range, so that line is checked for shape only).
    #[test]
    fn matches_the_reference_output() {
        let mut h = Histogram::<u64>::new(3).unwrap();
        for v in [25u64, 50, 75] {
            h.record(v).unwrap();
        }
        let expected = "       Value     Percentile TotalCount 1/(1-Percentile)

      25.000 0.000000000000          1           1.00
      25.000 0.100000000000          1           1.11
      25.000 0.200000000000          1           1.25
      25.000 0.300000000000          1           1.43
      50.000 0.400000000000          2           1.67
      50.000 0.500000000000          2           2.00
      50.000 0.550000000000          2           2.22
      50.000 0.600000000000          2           2.50
      50.000 0.650000000000          2           2.86
      75.000 0.700000000000          3           3.33
      75.000 1.000000000000          3
#[Mean    =       50.000, StdDeviation   =       20.412]
#[Max     =       75.000, Total count    =            3]
";
        let text = render(&h, 1.0);
        let (body, buckets) = text.rsplit_once("#[Buckets").unwrap();
        assert_eq!(body, expected);
        assert!(
            buckets.starts_with(" =           ") && buckets.ends_with(", SubBuckets     =         2048]\n"),
            "{buckets}"
        );
    }

    #[test]
    fn nanoseconds_print_as_milliseconds() {
        let mut h = Histogram::<u64>::new(3).unwrap();
        h.record(1_500_000).unwrap();
        let text = render(&h, SCALE);
        assert!(text.contains("\n       1.500 0.000000000000          1           1.00\n"), "{text}");
    }

    #[test]
    fn an_empty_histogram_has_header_and_footer_only() {
        let h = Histogram::<u64>::new(3).unwrap();
        let text = render(&h, SCALE);
        assert!(
            text.starts_with("       Value     Percentile TotalCount 1/(1-Percentile)\n\n#[Mean    =        0.000")
        );
        assert_eq!(text.lines().count(), 5);
    }
}
