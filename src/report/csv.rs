//! summary.csv: one row per strategy, then one per strategy and class, for
//! spreadsheets. RFC 4180: comma-separated, CRLF line ends, fields quoted
//! when they hold a comma, quote or line break. Figures are in the units of
//! report.json (seconds, per second, bytes); a field that does not apply
//! to a row (a class has no makespan) is empty.

use super::Report;
use crate::metrics::Summary;

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

pub fn render(report: &Report) -> String {
    let mut out = line(HEADER.iter().map(|h| h.to_string()));
    let name = &report.scenario.name;
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
        out.push_str(&line(fields.into_iter()));
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
            out.push_str(&line(fields.into_iter()));
        }
    }
    out
}

fn summary(s: &Summary) -> [String; 6] {
    [s.mean, s.p50, s.p90, s.p99, s.p999, s.max].map(|x| x.to_string())
}

fn line(fields: impl Iterator<Item = String>) -> String {
    let quoted: Vec<String> = fields.map(|f| quote(&f)).collect();
    quoted.join(",") + "\r\n"
}

/// A field, quoted if it needs to be.
fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(quote("plain"), "plain");
        assert_eq!(quote("a,b"), "\"a,b\"");
        assert_eq!(quote("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn the_header_matches_the_row_width() {
        assert_eq!(HEADER.len(), 30);
    }
}
