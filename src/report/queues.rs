//! Work queues in the terminal summary and report.md (scenarios with
//! `queues` only): a line and a table row per queue and strategy.

use super::table::{Align, Table};
use crate::metrics::StrategyResult;
use crate::time::{format_seconds, three_significant};

/// `queue "pages" (threads): 1000 put, 1000 got, length mean 42.1 max 50,
/// wait p50 … p99 …, producers blocked 12.0s in 800 puts`.
pub fn queue_lines(results: &[StrategyResult]) -> Vec<String> {
    let mut lines = Vec::new();
    for r in results {
        for q in &r.queues {
            lines.push(format!(
                "queue \"{}\" ({}): {} put, {} got, length mean {} max {}, wait p50 {} p99 {}, producers blocked {} in {} puts",
                q.queue,
                r.strategy,
                q.put,
                q.got,
                three_significant(q.mean_length),
                q.max_length,
                format_seconds(q.wait_s.p50),
                format_seconds(q.wait_s.p99),
                format_seconds(q.blocked_s),
                q.blocked_puts,
            ));
        }
    }
    lines
}

/// The queues table of report.md.
pub fn queues_table(results: &[StrategyResult], name: fn(&str) -> String) -> Table {
    let mut table = Table::new(&[
        ("strategy", Align::Left),
        ("queue", Align::Left),
        ("capacity", Align::Right),
        ("put", Align::Right),
        ("got", Align::Right),
        ("mean length", Align::Right),
        ("max length", Align::Right),
        ("wait p50", Align::Right),
        ("wait p99", Align::Right),
        ("blocked puts", Align::Right),
        ("producers blocked", Align::Right),
    ]);
    for r in results {
        for q in &r.queues {
            table.row(vec![
                name(&r.strategy),
                name(&q.queue),
                q.capacity.map_or_else(|| "unbounded".to_string(), |c| c.to_string()),
                q.put.to_string(),
                q.got.to_string(),
                three_significant(q.mean_length),
                q.max_length.to_string(),
                format_seconds(q.wait_s.p50),
                format_seconds(q.wait_s.p99),
                q.blocked_puts.to_string(),
                format_seconds(q.blocked_s),
            ]);
        }
    }
    table
}
