//! sweep.csv: one row per point and strategy, for spreadsheets. The swept
//! fields first (one column each, named by their paths), then a strategy's
//! figures, the columns of summary.csv with the same names
//! ([`STRATEGY_FIGURES`], [`column_name`]: `latency_p99_s` in both), then
//! Little's law and the SLO verdict. RFC 4180 as summary.csv, by the same
//! writer ([`write_records`]): comma-separated, CRLF, quoted when needed.

use super::SweepFile;
use crate::report::export::csv::{STRATEGY_FIGURES, at, column_name, expand, text, write_records};
use serde_json::Value;

/// The CSV text of a sweep's points.
pub fn render(file: &SweepFile) -> Result<String, ::csv::Error> {
    let parameters: Vec<String> = match file.header_value("parameters") {
        Value::Array(ps) => ps.iter().filter_map(|p| p["path"].as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    };
    let mut header: Vec<String> = vec!["point".into()];
    header.extend(parameters.iter().cloned());
    header.extend(["strategy", "kind"].map(String::from));
    let figures = expand(STRATEGY_FIGURES);
    header.extend(figures.iter().map(|f| column_name(f)));
    header.extend(["little_l", "little_lambda_w", "meets_slos"].map(String::from));
    let mut records = vec![header];
    for point in file.point_values() {
        let Some(results) = point["results"].as_array() else { continue };
        for r in results {
            let mut fields = vec![text(&point["index"])];
            fields.extend(parameters.iter().map(|p| text(&point["set"][p])));
            fields.push(text(&r["figures"]["strategy"]));
            fields.push(text(&r["figures"]["kind"]));
            fields.extend(figures.iter().map(|f| text(at(&r["figures"], f))));
            fields.push(text(&r["little"]["l"]));
            fields.push(text(&r["little"]["lambda_w"]));
            fields.push(text(&r["meets_slos"]));
            records.push(fields);
        }
    }
    write_records(records)
}
