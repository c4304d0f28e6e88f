//! An HdrHistogram interval log (`.hlog`), as Java's `HistogramLogWriter`
//! writes it, for HistogramLogAnalyzer, `HistogramLogProcessor` and
//! `HistogramLogReader`.
//!
//! Intervals are of virtual time: `run --export hlog --hlog-interval W`
//! (default 1 s) has the metrics stage keep, per strategy, a histogram of
//! the latencies of the tasks that ended in each interval `[k·W, (k+1)·W)`
//! ([`crate::metrics::intervals`]). Each becomes a line with StartTimestamp
//! `k·W` and Interval_Length `W` in seconds (the format's three decimals:
//! hence whole milliseconds), tagged with the strategy's label and, when
//! the scenario has several classes, one more per class tagged
//! `LABEL/CLASS`. Lines are in time order, strategies in the scenario's
//! order within an interval. An interval in which no measured task ended
//! is left out (the readers take a gap as no data). A strategy's intervals
//! add up to its histogram in report.json.
//!
//! Without interval data (a library caller that did not ask for it), each
//! strategy's whole run is one interval, from 0 for its makespan.
//!
//! Histograms hold nanoseconds in the V2 deflate encoding; the max column
//! is in milliseconds (Java's default `maxValueUnitRatio`). StartTime and
//! BaseTime are 0, so the file's bytes depend on the results only.

use super::{ExportError, ExportFile, Exporter, Input};
use crate::metrics::intervals::IntervalSeries;
use crate::report::Report;
use crate::report::histogram::decode;
use hdrhistogram::serialization::V2DeflateSerializer;
use hdrhistogram::serialization::interval_log::{IntervalLogWriterBuilder, Tag};
use std::time::Duration;

/// latency.hlog: every strategy's intervals (and its classes').
pub struct HlogExporter;

impl Exporter for HlogExporter {
    fn serialize(&self, input: &Input<'_>) -> Result<Vec<ExportFile>, ExportError> {
        Ok(vec![ExportFile::new("latency.hlog", render(input.report, input.intervals)?)])
    }
}

/// One line to write: its tag, start, length and encoded histogram.
struct Line<'a> {
    tag: String,
    start: Duration,
    length: Duration,
    histogram: &'a str,
}

/// The lines of `report`'s strategies: from `intervals` (one series per
/// strategy) in time order, or each whole run when there are none.
fn lines<'a>(report: &'a Report, intervals: &'a [IntervalSeries]) -> Vec<Line<'a>> {
    let several_classes = report.results.first().is_some_and(|r| r.classes.len() > 1);
    let mut lines = Vec::new();
    if intervals.is_empty() {
        for result in &report.results {
            let whole = |tag: String, histogram: &'a str| Line {
                tag,
                start: Duration::ZERO,
                length: Duration::from_secs_f64(result.makespan_s),
                histogram,
            };
            lines.push(whole(result.strategy.clone(), &result.histogram));
            if several_classes {
                for class in &result.classes {
                    lines.push(whole(format!("{}/{}", result.strategy, class.class), &class.histogram));
                }
            }
        }
        return lines;
    }
    // (start, strategy, then the strategy's line before its classes')
    let mut keyed: Vec<((u64, usize, usize), Line<'a>)> = Vec::new();
    for (s, (result, series)) in report.results.iter().zip(intervals).enumerate() {
        let length = Duration::from_nanos(series.width.as_nanos());
        for interval in &series.intervals {
            let start_ns = (interval.start - crate::time::SimTime::ZERO).as_nanos();
            let start = Duration::from_nanos(start_ns);
            let line = |tag: String, histogram: &'a str| Line { tag, start, length, histogram };
            keyed.push(((start_ns, s, 0), line(result.strategy.clone(), &interval.histogram)));
            for (c, (class, histogram)) in result.classes.iter().zip(&interval.classes).enumerate() {
                if let Some(histogram) = histogram {
                    keyed.push(((start_ns, s, c + 1), line(format!("{}/{}", result.strategy, class.class), histogram)));
                }
            }
        }
    }
    keyed.sort_by_key(|(key, _)| *key);
    lines.extend(keyed.into_iter().map(|(_, line)| line));
    lines
}

/// The interval log of every strategy in `report`, from its `intervals`
/// (one per strategy, or none: see the module docs).
pub fn render(report: &Report, intervals: &[IntervalSeries]) -> Result<String, ExportError> {
    let mut out = format!(
        "#[simbench {} interval log of scenario {}]\n",
        report.simbench_version,
        report.scenario.name.replace(['\n', '\r'], " ")
    );
    out.push_str("#[Histogram log format version 1.3]\n");
    out.push_str("#[StartTime: 0.000 (seconds since epoch), virtual time of the simulation]\n");
    out.push_str("#[BaseTime: 0.000 (seconds since epoch)]\n");
    out.push_str("\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n");
    let mut bytes = out.into_bytes();
    let mut serializer = V2DeflateSerializer::new();
    {
        let mut writer = IntervalLogWriterBuilder::new()
            .with_max_value_divisor(1e6)
            .begin_log_with(&mut bytes, &mut serializer)
            .expect("writing to a Vec cannot fail");
        for line in lines(report, intervals) {
            let histogram = decode(line.histogram).map_err(|e| ExportError::histogram(&line.tag, e))?;
            let tag = tag(&line.tag);
            writer
                .write_histogram(&histogram, line.start, line.length, Tag::new(&tag))
                .expect("writing to a Vec cannot fail");
        }
    }
    Ok(String::from_utf8(bytes).expect("the log is ASCII"))
}

/// A label made a valid tag: no `,`, space, CR or LF.
fn tag(label: &str) -> String {
    label.chars().map(|c| if matches!(c, ',' | ' ' | '\r' | '\n') { '_' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_made_valid() {
        assert_eq!(tag("threaded 100, gil"), "threaded_100__gil");
        assert!(Tag::new(&tag("a b,c\nd")).is_some());
    }
}
