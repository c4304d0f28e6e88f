//! The shared resources' figures (scenarios with links or services): the
//! bottleneck and service lines of the terminal summary and report.md, and
//! report.md's links and services tables.

use super::format_percent;
use super::table::{Align, Table};
use crate::metrics::StrategyResult;

/// One line per strategy naming its busiest resource over the makespan;
/// empty for scenarios without links.
pub fn bottleneck_lines(results: &[StrategyResult]) -> Vec<String> {
    results
        .iter()
        .filter_map(|r| {
            let b = r.bottleneck.as_ref()?;
            Some(format!(
                "{}: bottleneck {} at {} of the makespan",
                r.strategy,
                b.resource,
                format_percent(b.utilization)
            ))
        })
        .collect()
}

/// Per strategy and link: bytes, busy fraction, mean throughput, peak
/// transfers. `name` prepares a label for the format.
pub fn links_table(results: &[StrategyResult], name: fn(&str) -> String) -> Table {
    let mut table = Table::new(&[
        ("strategy", Align::Left),
        ("link", Align::Left),
        ("bytes", Align::Right),
        ("busy", Align::Right),
        ("mean throughput", Align::Right),
        ("peak transfers", Align::Right),
    ]);
    for r in results {
        for link in &r.links {
            table.row(vec![
                name(&r.strategy),
                name(&link.link),
                format_decimal_bytes(link.bytes),
                format_percent(link.busy_fraction),
                format_bandwidth(link.mean_throughput_bits_per_s),
                link.peak_transfers.to_string(),
            ]);
        }
    }
    table
}

/// One line per strategy and link: bytes, busy fraction, mean throughput
/// and peak transfers.
pub fn link_lines(results: &[StrategyResult]) -> Vec<String> {
    results
        .iter()
        .flat_map(|r| {
            r.links.iter().map(move |l| {
                format!(
                    "{}: link {}: {} moved, busy {}, mean {}, peak {} transfers",
                    r.strategy,
                    l.link,
                    format_decimal_bytes(l.bytes),
                    format_percent(l.busy_fraction),
                    format_bandwidth(l.mean_throughput_bits_per_s),
                    l.peak_transfers
                )
            })
        })
        .collect()
}

/// One line per strategy and service: calls, attempts and amplification,
/// and what became of the attempts.
pub fn service_lines(results: &[StrategyResult]) -> Vec<String> {
    results
        .iter()
        .flat_map(|r| {
            r.services.iter().map(move |s| {
                format!(
                    "{}: service {}: {} calls, {} attempts (amplification {}), {} rejected, {} failed, {} abandoned ({} served anyway), utilisation {}",
                    r.strategy,
                    s.service,
                    s.calls,
                    s.attempts,
                    crate::time::three_significant(s.load_amplification),
                    s.rejected,
                    s.failed,
                    s.abandoned,
                    s.wasted,
                    format_percent(s.utilization)
                )
            })
        })
        .collect()
}

/// Per strategy and service: the figures of [`service_lines`] and the
/// queue wait's p50 and p99.
pub fn services_table(results: &[StrategyResult], name: fn(&str) -> String) -> Table {
    let mut table = Table::new(&[
        ("strategy", Align::Left),
        ("service", Align::Left),
        ("calls", Align::Right),
        ("attempts", Align::Right),
        ("amplification", Align::Right),
        ("rejected", Align::Right),
        ("failed", Align::Right),
        ("abandoned", Align::Right),
        ("wasted", Align::Right),
        ("utilisation", Align::Right),
        ("wait p50", Align::Right),
        ("wait p99", Align::Right),
    ]);
    for r in results {
        for s in &r.services {
            table.row(vec![
                name(&r.strategy),
                name(&s.service),
                s.calls.to_string(),
                s.attempts.to_string(),
                crate::time::three_significant(s.load_amplification),
                s.rejected.to_string(),
                s.failed.to_string(),
                s.abandoned.to_string(),
                s.wasted.to_string(),
                format_percent(s.utilization),
                crate::time::format_seconds(s.queue_wait_s.p50),
                crate::time::format_seconds(s.queue_wait_s.p99),
            ]);
        }
    }
    table
}

/// Bytes with a decimal prefix, as links are specified: `1.00 GB`.
pub fn format_decimal_bytes(bytes: u64) -> String {
    let b = bytes as f64;
    let (scale, unit) = match b {
        b if b >= 1e9 => (1e9, "GB"),
        b if b >= 1e6 => (1e6, "MB"),
        b if b >= 1e3 => (1e3, "kB"),
        _ => return format!("{bytes} B"),
    };
    format!("{} {unit}", crate::time::three_significant(b / scale))
}

/// Bits per second with a decimal prefix: `100 Mbit/s`.
pub fn format_bandwidth(bits_per_s: f64) -> String {
    let (scale, unit) = match bits_per_s {
        b if b >= 1e9 => (1e9, "Gbit/s"),
        b if b >= 1e6 => (1e6, "Mbit/s"),
        b if b >= 1e3 => (1e3, "kbit/s"),
        _ => (1.0, "bit/s"),
    };
    format!("{} {unit}", crate::time::three_significant(bits_per_s / scale))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bandwidths_take_a_prefix() {
        assert_eq!(format_bandwidth(99.9e6), "99.9 Mbit/s");
        assert_eq!(format_bandwidth(1.5e9), "1.50 Gbit/s");
        assert_eq!(format_bandwidth(12.0), "12.0 bit/s");
    }
}
