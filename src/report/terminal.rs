//! The summary table `simbench run` prints.

use super::table::{Align, Table};
use super::{Report, format_rate, format_value, unit_named, with_interval};
use crate::time::{format_seconds, three_significant};

/// The terminal summary: a header line, one row per strategy, and a line
/// for any strategy whose tasks did not all complete.
pub fn render(report: &Report) -> String {
    let arrived = report.results.first().map_or(0, |r| r.tasks.arrived);
    let mut out = format!(
        "{}: {} tasks, {} strategies, seed {}",
        report.scenario.name,
        arrived,
        report.results.len(),
        report.scenario.seed
    );
    if let Some(rt) = &report.scenario.runtime {
        out.push_str(&format!(", runtime {}", rt.name));
    }
    if let Some(r) = &report.replications {
        out.push_str(&format!(", {} replications (mean ± 95% confidence half-width)", r.count));
    }
    out.push_str("\n\n");
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
        let i = r.intervals.as_ref();
        table.row(vec![
            r.strategy.clone(),
            with_interval(r.makespan_s, i.map(|i| &i.makespan_s), format_seconds),
            with_interval(r.throughput_per_s, i.map(|i| &i.throughput_per_s), format_rate),
            with_interval(r.latency_s.p50, i.map(|i| &i.latency_s.p50), format_seconds),
            with_interval(r.latency_s.p99, i.map(|i| &i.latency_s.p99), format_seconds),
            with_interval(r.latency_s.max, i.map(|i| &i.latency_s.max), format_seconds),
            match i {
                Some(i) => with_interval(0.0, Some(&i.peak_threads), three_significant),
                None => r.peak_threads.to_string(),
            },
        ]);
    }
    out.push_str(&table.to_text());
    for line in super::resources::bottleneck_lines(&report.results) {
        out.push_str(&format!("  {line}\n"));
    }
    let resources = &report.results;
    for line in super::resources::link_lines(resources).into_iter().chain(super::resources::service_lines(resources)) {
        out.push_str(&format!("  {line}\n"));
    }
    for line in super::queues::queue_lines(resources) {
        out.push_str(&format!("  {line}\n"));
    }
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

/// One ✓/✗ line per SLO and strategy with the measured figure, under a
/// count of failures; empty when the scenario has no SLOs. With
/// `failures_only`, passing checks are left out.
pub fn render_slos(report: &Report, failures_only: bool) -> String {
    if report.slos.is_empty() {
        return String::new();
    }
    let failed = report.failed_slos();
    let mut out = match failed {
        0 => format!("SLOs: all {} checks passed\n", report.slos.len()),
        n => format!("SLOs: {n} of {} checks failed\n", report.slos.len()),
    };
    let with_class = report.slos.iter().any(|s| s.class.is_some());
    let mut columns = vec![("", Align::Left), ("SLO", Align::Left), ("strategy", Align::Left)];
    if with_class {
        columns.push(("class", Align::Left));
    }
    columns.push(("measured", Align::Right));
    let mut table = Table::new(&columns);
    for slo in report.slos.iter().filter(|s| !(failures_only && s.passed)) {
        let mut row = vec![if slo.passed { "✓" } else { "✗" }.to_string(), slo.threshold.clone(), slo.strategy.clone()];
        if with_class {
            row.push(slo.class.clone().unwrap_or_else(|| "all".into()));
        }
        row.push(unit_named(&slo.unit).map_or_else(|| slo.measured.to_string(), |u| format_value(u, slo.measured)));
        table.row(row);
    }
    for line in table.to_text().lines().skip(1) {
        out.push_str("  ");
        out.push_str(line);
        out.push('\n');
    }
    out
}
