//! summary.csv: one row per strategy, then one per strategy and class, for
//! spreadsheets. RFC 4180: comma-separated, CRLF line ends, fields quoted
//! when they hold a comma, quote or line break. Figures are in the units of
//! report.json (seconds, per second, bytes); a field that does not apply
//! to a row (a class has no makespan) is empty. [`write_records`] is the
//! writer both CSV exports share.

use super::{ExportError, ExportFile, Exporter, Input};
use crate::metrics::Summary;
use crate::report::Report;

const HEADER: &[&str] = &[
    "scenario",
    "strategy",
    "kind",
    "class",
    "arrived",
    "completed",
    "failed",
    "timed_out",
    "cancelled",
    "makespan_s",
    "throughput_per_s",
    "latency_mean_s",
    "latency_p50_s",
    "latency_p90_s",
    "latency_p99_s",
    "latency_p999_s",
    "latency_max_s",
    "wait_mean_s",
    "wait_p50_s",
    "wait_p90_s",
    "wait_p99_s",
    "wait_p999_s",
    "wait_max_s",
    "loop_lag_p99_s",
    "cpu_utilization",
    "peak_in_flight",
    "peak_threads",
    "peak_coroutines",
    "modelled_memory_bytes",
    "events",
];

/// summary.csv: every strategy's figures, as [`CsvExporter`] writes them.
pub struct CsvExporter;

impl Exporter for CsvExporter {
    fn serialize(&self, input: &Input<'_>) -> Result<Vec<ExportFile>, ExportError> {
        Ok(vec![ExportFile::new("summary.csv", render(input.report)?)])
    }
}

/// The text of summary.csv.
pub fn render(report: &Report) -> Result<String, ::csv::Error> {
    let name = &report.scenario.name;
    let mut records: Vec<Vec<String>> = vec![HEADER.iter().map(|h| h.to_string()).collect()];
    for r in &report.results {
        let t = &r.tasks;
        let mut fields = vec![name.clone(), r.strategy.clone(), r.kind.to_string(), String::new()];
        fields.extend([t.arrived, t.completed, t.failed, t.timed_out, t.cancelled].map(|n| n.to_string()));
        fields.push(r.makespan_s.to_string());
        fields.push(r.throughput_per_s.to_string());
        fields.extend(summary(&r.latency_s));
        fields.extend(summary(&r.wait_s));
        fields.push(r.loop_lag_s.map_or_else(String::new, |l| l.p99.to_string()));
        fields.push(r.cpu_utilization.to_string());
        fields.extend([r.peak_in_flight, u64::from(r.peak_threads), r.peak_coroutines].map(|n| n.to_string()));
        fields.push(r.modelled_memory_bytes.to_string());
        fields.push(r.events.to_string());
        records.push(fields);
    }
    for r in &report.results {
        for c in &r.classes {
            let t = &c.tasks;
            let mut fields = vec![name.clone(), r.strategy.clone(), r.kind.to_string(), c.class.clone()];
            fields.extend([t.arrived, t.completed, t.failed, t.timed_out, t.cancelled].map(|n| n.to_string()));
            fields.push(String::new());
            fields.push(c.throughput_per_s.to_string());
            fields.extend(summary(&c.latency_s));
            fields.extend(summary(&c.wait_s));
            fields.extend(std::iter::repeat_n(String::new(), 7));
            records.push(fields);
        }
    }
    write_records(records)
}

fn summary(s: &Summary) -> [String; 6] {
    [s.mean, s.p50, s.p90, s.p99, s.p999, s.max].map(|x| x.to_string())
}

/// CSV text of `records` as both CSV exports write it (summary.csv and
/// sweep.csv): RFC 4180, comma-separated, CRLF after every record, a field
/// quoted only when it holds a comma, quote, CR or LF (quotes doubled).
/// Fields are written as given, so figures keep the text their caller
/// formatted. Records must all have the first one's width: a record of
/// another width is an error, not a ragged file.
pub fn write_records<R, F>(records: impl IntoIterator<Item = R>) -> Result<String, ::csv::Error>
where
    R: IntoIterator<Item = F>,
    F: AsRef<[u8]>,
{
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .quote_style(::csv::QuoteStyle::Necessary)
        .from_writer(Vec::new());
    for record in records {
        writer.write_record(record)?;
    }
    let bytes = writer.into_inner().map_err(|e| ::csv::Error::from(e.into_error()))?;
    String::from_utf8(bytes).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(records: &[&[&str]]) -> String {
        write_records(records.iter().map(|r| r.iter())).unwrap()
    }

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(
            csv(&[&["plain", "a,b", "say \"hi\"", "two\nlines", "cr\r", ""]]),
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\",\r\n"
        );
        assert_eq!(csv(&[&["a", "b"], &["", ""]]), "a,b\r\n,\r\n", "CRLF after every record, empty fields bare");
        assert_eq!(csv(&[&["1.5e-7", " x ", "é;ü"]]), "1.5e-7, x ,é;ü\r\n");
    }

    #[test]
    fn records_of_another_width_are_an_error() {
        assert!(write_records([vec!["a", "b"], vec!["c"]]).is_err());
    }

    #[test]
    fn the_header_matches_the_row_width() {
        assert_eq!(HEADER.len(), 30);
    }
}
