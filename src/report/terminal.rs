//! The summary table `simbench run` prints.

use super::table::{Align, Table};
use super::{Report, format_rate};
use crate::time::format_seconds;

/// The terminal summary: a header line, one row per strategy, and a line
/// for any strategy whose tasks did not all complete.
pub fn render(report: &Report) -> String {
    let arrived = report.results.first().map_or(0, |r| r.tasks.arrived);
    let mut out = format!(
        "{}: {} tasks, {} strategies, seed {}\n\n",
        report.scenario.name,
        arrived,
        report.results.len(),
        report.scenario.seed
    );
    let mut table = Table::new(&[
        ("strategy", Align::Left),
        ("makespan", Align::Right),
        ("throughput", Align::Right),
        ("p50", Align::Right),
        ("p99", Align::Right),
        ("max", Align::Right),
        ("peak threads", Align::Right),
    ]);
    for r in &report.results {
        table.row(vec![
            r.strategy.clone(),
            format_seconds(r.makespan_s),
            format_rate(r.throughput_per_s),
            format_seconds(r.latency_s.p50),
            format_seconds(r.latency_s.p99),
            format_seconds(r.latency_s.max),
            r.peak_threads.to_string(),
        ]);
    }
    out.push_str(&table.to_text());
    for r in &report.results {
        let t = &r.tasks;
        if t.failed + t.timed_out + t.cancelled + t.rejected > 0 {
            let rejected = if t.rejected > 0 { format!(", {} rejected", t.rejected) } else { String::new() };
            out.push_str(&format!(
                "  {}: {} completed, {} failed, {} timed out, {} cancelled{rejected}\n",
                r.strategy, t.completed, t.failed, t.timed_out, t.cancelled
            ));
        }
    }
    out
}
