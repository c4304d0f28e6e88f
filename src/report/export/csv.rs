//! The CSV exports, for spreadsheets and data frames: tidy tables, one per
//! kind of thing measured, so that no table mixes rows of different kinds
//! and a column's sum or mean never counts a task twice.
//!
//! | file | one row per | written |
//! | --- | --- | --- |
//! | summary.csv | strategy | always |
//! | classes.csv | strategy and task class | always |
//! | services.csv | strategy and service | when the scenario has services |
//! | links.csv | strategy and link | when the scenario has links |
//! | queues.csv | strategy and queue | when the scenario has queues |
//!
//! Every row starts with `scenario`, `strategy` and `kind` (and the class,
//! service, link or queue it is about), then one column per figure of
//! report.json, named after its path there by one rule that sweep.csv
//! shares ([`column_name`]): the path's names joined by `_`, a summary's
//! unit moved to the end, so `tasks.rejected` is `tasks_rejected` and
//! `latency_s.p99` is `latency_p99_s`. A field is the figure's text in
//! report.json (so `10.0`, `1.5e-7`); a figure absent from a row (a
//! loop lag under blocking, a bottleneck without links or services) is
//! empty. With replications, each figure that has an interval is followed
//! by `NAME_ci_mean` and `NAME_ci_half_width`, its mean over the
//! replications and the half-width of its 95% confidence interval.
//!
//! RFC 4180: comma-separated, CRLF line ends, fields quoted when they hold
//! a comma, quote or line break. [`write_records`] is the writer these and
//! sweep.csv share.

use super::{ExportError, ExportFile, Exporter, Input};
use crate::report::Report;
use serde_json::Value;

/// The six statistics of a summary, in report.json's order.
const SUMMARY: [&str; 6] = ["mean", "p50", "p90", "p99", "p999", "max"];

/// A strategy's figures (summary.csv and sweep.csv), as report.json
/// paths; `X.*` stands for a summary's six statistics.
pub const STRATEGY_FIGURES: &[&str] = &[
    "tasks.arrived",
    "tasks.completed",
    "tasks.failed",
    "tasks.timed_out",
    "tasks.cancelled",
    "tasks.rejected",
    "makespan_s",
    "throughput_per_s",
    "latency_s.*",
    "wait_s.*",
    "loop_lag_s.*",
    "cpu_utilization",
    "mean_in_flight",
    "queued_fraction",
    "rejected_fraction",
    "warmup_s",
    "peak_in_flight",
    "peak_threads",
    "peak_coroutines",
    "modelled_memory_bytes",
    "events",
    "bottleneck.resource",
    "bottleneck.utilization",
    "detached_pending",
];

/// A class's figures (classes.csv).
const CLASS_FIGURES: &[&str] = &[
    "tasks.arrived",
    "tasks.completed",
    "tasks.failed",
    "tasks.timed_out",
    "tasks.cancelled",
    "tasks.rejected",
    "throughput_per_s",
    "latency_s.*",
    "wait_s.*",
];

/// A service's figures (services.csv).
const SERVICE_FIGURES: &[&str] = &[
    "concurrency",
    "calls",
    "attempts",
    "load_amplification",
    "served",
    "rejected",
    "failed",
    "abandoned",
    "wasted",
    "budget_refused",
    "utilization",
    "queue_wait_s.*",
];

/// A link's figures (links.csv).
const LINK_FIGURES: &[&str] =
    &["bandwidth_bits_per_s", "bytes", "busy_fraction", "mean_throughput_bits_per_s", "peak_transfers"];

/// A queue's figures (queues.csv).
const QUEUE_FIGURES: &[&str] =
    &["capacity", "put", "got", "mean_length", "max_length", "wait_s.*", "blocked_puts", "blocked_s"];

/// One CSV table: its file, the list of a result it has a row per (none:
/// a row per result) with the key naming each item, and its figures.
struct Table {
    file: &'static str,
    items: Option<(&'static str, &'static str)>,
    figures: &'static [&'static str],
}

const TABLES: [Table; 5] = [
    Table { file: "summary.csv", items: None, figures: STRATEGY_FIGURES },
    Table { file: "classes.csv", items: Some(("classes", "class")), figures: CLASS_FIGURES },
    Table { file: "services.csv", items: Some(("services", "service")), figures: SERVICE_FIGURES },
    Table { file: "links.csv", items: Some(("links", "link")), figures: LINK_FIGURES },
    Table { file: "queues.csv", items: Some(("queues", "queue")), figures: QUEUE_FIGURES },
];

/// Every file name the CSV export may write.
pub const FILES: [&str; 5] = ["summary.csv", "classes.csv", "services.csv", "links.csv", "queues.csv"];

/// The paths of `figures` with each `X.*` expanded to a summary's six.
pub fn expand(figures: &[&str]) -> Vec<String> {
    figures
        .iter()
        .flat_map(|f| match f.strip_suffix(".*") {
            Some(summary) => SUMMARY.iter().map(|s| format!("{summary}.{s}")).collect(),
            None => vec![f.to_string()],
        })
        .collect()
}

/// A figure's column name from its report.json path: the names joined by
/// `_`, a summary's unit suffix moved to the end (`latency_s.p99` →
/// `latency_p99_s`, `tasks.rejected` → `tasks_rejected`).
pub fn column_name(path: &str) -> String {
    match path.split_once('.') {
        Some((summary, stat)) if SUMMARY.contains(&stat) && summary.ends_with("_s") => {
            format!("{}_{stat}_s", &summary[..summary.len() - 2])
        }
        _ => path.replace('.', "_"),
    }
}

/// The value at a dotted `path` in `value` (`Null` when absent).
pub fn at<'v>(value: &'v Value, path: &str) -> &'v Value {
    path.split('.').fold(value, |v, k| &v[k])
}

/// A JSON value as a CSV field: strings bare, `null` empty, numbers and
/// booleans as JSON writes them.
pub fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The CSV files of a report, as [`CsvExporter`] writes them.
pub struct CsvExporter;

impl Exporter for CsvExporter {
    fn serialize(&self, input: &Input<'_>) -> Result<Vec<ExportFile>, ExportError> {
        Ok(render(input.report)?.into_iter().map(|(name, text)| ExportFile::new(name, text)).collect())
    }
}

/// Each CSV file of `report` with its text: summary.csv and classes.csv
/// always, the others when they would have a row.
pub fn render(report: &Report) -> Result<Vec<(&'static str, String)>, ::csv::Error> {
    let results = serde_json::to_value(&report.results).expect("results serialise");
    let results = results.as_array().map(Vec::as_slice).unwrap_or_default();
    let mut files = Vec::new();
    for table in &TABLES {
        let rows: Vec<(&Value, Option<&Value>)> = match table.items {
            None => results.iter().map(|r| (r, None)).collect(),
            Some((list, _)) => results
                .iter()
                .flat_map(|r| r[list].as_array().into_iter().flatten().map(move |item| (r, Some(item))))
                .collect(),
        };
        if rows.is_empty() && table.items.is_some_and(|(list, _)| list != "classes") {
            continue;
        }
        files.push((table.file, render_table(&report.scenario.name, table, &rows)?));
    }
    Ok(files)
}

/// One table's text: the header, then a row per (result, item).
fn render_table(scenario: &str, table: &Table, rows: &[(&Value, Option<&Value>)]) -> Result<String, ::csv::Error> {
    let figures = expand(table.figures);
    // With replications, a figure with an interval in the first row gets
    // its two interval columns (every row has the same intervals).
    let replicated =
        |path: &str| rows.first().is_some_and(|(r, item)| at(&item.unwrap_or(r)["intervals"], path).is_object());
    let mut header: Vec<String> = ["scenario", "strategy", "kind"].map(String::from).into();
    if let Some((_, key)) = table.items {
        header.push(key.to_string());
    }
    for path in &figures {
        let name = column_name(path);
        if replicated(path) {
            header.extend([format!("{name}_ci_mean"), format!("{name}_ci_half_width")]);
            header.insert(header.len() - 2, name);
        } else {
            header.push(name);
        }
    }
    let mut records = vec![header];
    for (result, item) in rows {
        let row = item.unwrap_or(result);
        let mut fields = vec![scenario.to_string(), text(&result["strategy"]), text(&result["kind"])];
        if let Some((_, key)) = table.items {
            fields.push(text(&row[key]));
        }
        for path in &figures {
            fields.push(text(at(row, path)));
            if replicated(path) {
                let interval = at(&row["intervals"], path);
                fields.push(text(&interval["mean"]));
                fields.push(text(&interval["half_width"]));
            }
        }
        records.push(fields);
    }
    write_records(records)
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
    fn columns_are_named_after_their_report_paths() {
        assert_eq!(column_name("latency_s.p99"), "latency_p99_s");
        assert_eq!(column_name("queue_wait_s.mean"), "queue_wait_mean_s");
        assert_eq!(column_name("tasks.rejected"), "tasks_rejected");
        assert_eq!(column_name("bottleneck.utilization"), "bottleneck_utilization");
        assert_eq!(column_name("makespan_s"), "makespan_s");
        let names: Vec<String> = expand(STRATEGY_FIGURES).iter().map(|p| column_name(p)).collect();
        let unique: std::collections::BTreeSet<&String> = names.iter().collect();
        assert_eq!(unique.len(), names.len(), "no two columns share a name");
    }

    #[test]
    fn every_table_has_a_file_name() {
        assert_eq!(TABLES.map(|t| t.file), FILES);
    }
}
