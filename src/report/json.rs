//! report.json: the stable, documented contract (docs/report.md).
//!
//! Pretty-printed with a trailing newline. Field order is the structs'
//! declaration order and floats print in their shortest round-trip form, so
//! identical results give identical bytes.

use super::Report;

/// The report as JSON text.
pub fn render(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(report).expect("a report always serialises");
    text.push('\n');
    text
}
