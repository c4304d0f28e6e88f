//! An HdrHistogram interval log (`.hlog`), as Java's `HistogramLogWriter`
//! writes it, for HistogramLogAnalyzer and `HistogramLogReader`.
//!
//! A simulated run has no wall-clock intervals: each strategy's whole run
//! is one interval, from virtual time 0 for its makespan, tagged with the
//! strategy's label (and, when the scenario has several classes, one more
//! per class tagged `LABEL/CLASS`). Histograms hold nanoseconds in the V2
//! deflate encoding; the max column is in milliseconds (Java's default
//! `maxValueUnitRatio`). StartTime and BaseTime are 0, so the file's bytes
//! depend on the results only.

use super::{ExportError, ExportFile, Exporter, Input};
use crate::report::Report;
use crate::report::histogram::decode;
use hdrhistogram::serialization::V2DeflateSerializer;
use hdrhistogram::serialization::interval_log::{IntervalLogWriterBuilder, Tag};
use std::time::Duration;

/// latency.hlog: every strategy's interval (and its classes').
pub struct HlogExporter;

impl Exporter for HlogExporter {
    fn serialize(&self, input: &Input<'_>) -> Result<Vec<ExportFile>, ExportError> {
        Ok(vec![ExportFile::new("latency.hlog", render(input.report)?)])
    }
}

/// The interval log of every strategy in `report`.
pub fn render(report: &Report) -> Result<String, ExportError> {
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
        let several_classes = report.results.first().is_some_and(|r| r.classes.len() > 1);
        for result in &report.results {
            let makespan = Duration::from_secs_f64(result.makespan_s);
            let mut intervals = vec![(result.strategy.clone(), &result.histogram)];
            if several_classes {
                for class in &result.classes {
                    intervals.push((format!("{}/{}", result.strategy, class.class), &class.histogram));
                }
            }
            for (label, encoded) in intervals {
                let histogram = decode(encoded).map_err(|e| ExportError::histogram(&label, e))?;
                let tag = tag(&label);
                writer
                    .write_histogram(&histogram, Duration::ZERO, makespan, Tag::new(&tag))
                    .expect("writing to a Vec cannot fail");
            }
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
