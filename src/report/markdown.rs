//! report.md: the human-readable report, for reading and for pull requests.
//!
//! Sections: the scenario, a summary table, findings (which strategy wins on
//! what, and why where the model can tell), task outcomes, per-class
//! latency, and the definitions of the figures. Scenario text is escaped.

use super::table::{Align, Table};
use super::{Report, format_bytes, format_rate, format_value, unit_named, with_interval};
use crate::metrics::StrategyResult;
use crate::metrics::slo::SloOutcome;
use crate::time::{format_seconds, three_significant};

/// A loop lag p99 above this fraction of the p50 latency is worth a finding.
const NOTABLE_LAG_SHARE: f64 = 0.1;

pub fn render(report: &Report) -> String {
    let s = &report.scenario;
    let mut out = format!("# {} — simbench report\n\n", escape(&s.name));
    if !s.description.is_empty() {
        out.push_str(&format!("> {}\n\n", escape(&s.description).replace('\n', "\n> ")));
    }
    out.push_str(&format!(
        "Scenario `{}` (sha256 `{}`), seed {}, simbench {}.\n\n",
        escape(&s.file).replace('`', "'"),
        &s.sha256[..s.sha256.len().min(12)],
        s.seed,
        report.simbench_version
    ));
    if let Some(rt) = &s.runtime {
        let constants: Vec<String> = rt.constants.iter().map(|(k, v)| format!("{k} {v}")).collect();
        out.push_str(&format!(
            "Runtime profile `{}`: {}.\n\n",
            escape(&rt.name).replace('`', "'"),
            constants.join(", ")
        ));
    }
    if let Some(r) = &report.replications {
        out.push_str(&format!(
            "Figures are means over {} independent replications ± the half-width of their 95% confidence interval (Student t); the other sections show replication 1, seed {}.\n\n",
            r.count, s.seed
        ));
    }
    out.push_str("## Summary\n\n");
    out.push_str(&summary_table(&report.results, escape, LatencyColumns::Headline).to_markdown());
    if !report.slos.is_empty() {
        out.push_str("\n## SLOs\n\n");
        out.push_str(&match report.failed_slos() {
            0 => format!("All {} checks passed.\n\n", report.slos.len()),
            n => format!("**{n} of {} checks failed.**\n\n", report.slos.len()),
        });
        out.push_str(&slo_table(&report.slos, escape, |t| format!("`{}`", t.replace('`', "'"))).to_markdown());
    }
    let findings = findings(&report.results, &Markdown);
    if !findings.is_empty() {
        out.push_str("\n## Findings\n\n");
        for f in findings {
            out.push_str(&format!("- {f}\n"));
        }
    }
    if report.results.iter().any(|r| r.bottleneck.is_some()) {
        out.push_str("\n## Resources\n\n");
        for line in super::resources::bottleneck_lines(&report.results) {
            out.push_str(&format!("- {}\n", escape(&line)));
        }
        if report.results.iter().any(|r| !r.links.is_empty()) {
            out.push('\n');
            out.push_str(&super::resources::links_table(&report.results, escape).to_markdown());
        }
        if report.results.iter().any(|r| !r.services.is_empty()) {
            out.push('\n');
            out.push_str(&super::resources::services_table(&report.results, escape).to_markdown());
        }
    }
    out.push_str(&detached_lines(&report.results, escape));
    if report.results.iter().any(|r| !r.queues.is_empty()) {
        out.push_str("\n## Queues\n\n");
        out.push_str(&super::queues::queues_table(&report.results, escape).to_markdown());
    }
    out.push_str("\n## Tasks\n\n");
    out.push_str(&tasks_table(&report.results, escape).to_markdown());
    if report.results.first().is_some_and(|r| r.classes.len() > 1) {
        out.push_str("\n## Latency by class\n\n");
        out.push_str(&class_table(&report.results).to_markdown());
    }
    out.push_str(DEFINITIONS);
    out
}

/// Which latency columns a summary table has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum LatencyColumns {
    /// p50, p99 and max: report.md's table, narrow enough for a PR comment.
    Headline,
    /// mean, p50, p90, p99, p99.9 and max, as report.json has them
    /// (report.html).
    Every,
}

/// The summary table; `name` prepares a strategy's label for the format.
pub(super) fn summary_table(results: &[StrategyResult], name: fn(&str) -> String, latency: LatencyColumns) -> Table {
    use crate::metrics::Summary;
    use crate::metrics::replicate::SummaryIntervals;
    type Pick = (&'static str, fn(&Summary) -> f64, fn(&SummaryIntervals) -> &crate::metrics::stats::Interval);
    let every: [Pick; 6] = [
        ("mean", |s| s.mean, |i| &i.mean),
        ("p50", |s| s.p50, |i| &i.p50),
        ("p90", |s| s.p90, |i| &i.p90),
        ("p99", |s| s.p99, |i| &i.p99),
        ("p99.9", |s| s.p999, |i| &i.p999),
        ("max", |s| s.max, |i| &i.max),
    ];
    let picks: Vec<&Pick> = match latency {
        LatencyColumns::Headline => every.iter().filter(|p| matches!(p.0, "p50" | "p99" | "max")).collect(),
        LatencyColumns::Every => every.iter().collect(),
    };
    let mut header = vec![
        ("strategy", Align::Left),
        ("kind", Align::Left),
        ("makespan", Align::Right),
        ("throughput", Align::Right),
    ];
    header.extend(picks.iter().map(|p| (p.0, Align::Right)));
    header.extend([
        ("wait p99", Align::Right),
        ("loop lag p99", Align::Right),
        ("CPU", Align::Right),
        ("peak threads", Align::Right),
        ("memory", Align::Right),
    ]);
    let mut t = Table::new(&header);
    let percent = |x: f64| format!("{}%", three_significant(x * 100.0));
    for r in results {
        let i = r.intervals.as_ref();
        let mut row = vec![
            name(&r.strategy),
            r.kind.to_string(),
            with_interval(r.makespan_s, i.map(|i| &i.makespan_s), format_seconds),
            with_interval(r.throughput_per_s, i.map(|i| &i.throughput_per_s), format_rate),
        ];
        row.extend(picks.iter().map(|(_, value, interval)| {
            with_interval(value(&r.latency_s), i.map(|i| interval(&i.latency_s)), format_seconds)
        }));
        row.extend([
            with_interval(r.wait_s.p99, i.map(|i| &i.wait_s.p99), format_seconds),
            r.loop_lag_s.map_or_else(|| "–".to_string(), |lag| format_seconds(lag.p99)),
            match i {
                Some(i) => with_interval(0.0, Some(&i.cpu_utilization), percent),
                None => format!("{:.1}%", r.cpu_utilization * 100.0),
            },
            match i {
                Some(i) => with_interval(0.0, Some(&i.peak_threads), three_significant),
                None => r.peak_threads.to_string(),
            },
            match i {
                Some(i) => with_interval(0.0, Some(&i.modelled_memory_bytes), |b| format_bytes(b.round() as u64)),
                None => format_bytes(r.modelled_memory_bytes),
            },
        ]);
        t.row(row);
    }
    t
}

/// The SLO verdicts, one row per check; `name` prepares names and `code` a
/// threshold for the output format.
pub(super) fn slo_table(slos: &[SloOutcome], name: fn(&str) -> String, code: fn(&str) -> String) -> Table {
    let mut t = Table::new(&[
        ("verdict", Align::Left),
        ("SLO", Align::Left),
        ("strategy", Align::Left),
        ("class", Align::Left),
        ("measured", Align::Right),
    ]);
    for slo in slos {
        t.row(vec![
            if slo.passed { "✅ pass" } else { "❌ fail" }.to_string(),
            code(&slo.threshold),
            name(&slo.strategy),
            slo.class.as_deref().map_or_else(|| "all".to_string(), name),
            unit_named(&slo.unit).map_or_else(|| slo.measured.to_string(), |u| format_value(u, slo.measured)),
        ]);
    }
    t
}

/// How tasks ended, per strategy; `name` prepares a strategy's label.
pub(super) fn tasks_table(results: &[StrategyResult], name: fn(&str) -> String) -> Table {
    // The rejected column appears only where a pool rejects.
    let rejects = results.iter().any(|r| r.tasks.rejected > 0);
    let mut columns = vec![
        ("strategy", Align::Left),
        ("arrived", Align::Right),
        ("completed", Align::Right),
        ("failed", Align::Right),
        ("timed out", Align::Right),
        ("cancelled", Align::Right),
    ];
    if rejects {
        columns.push(("rejected", Align::Right));
    }
    columns.extend([("peak in flight", Align::Right), ("events", Align::Right)]);
    let mut t = Table::new(&columns);
    for r in results {
        let c = &r.tasks;
        let mut row = vec![
            name(&r.strategy),
            c.arrived.to_string(),
            c.completed.to_string(),
            c.failed.to_string(),
            c.timed_out.to_string(),
            c.cancelled.to_string(),
        ];
        if rejects {
            row.push(c.rejected.to_string());
        }
        row.extend([r.peak_in_flight.to_string(), r.events.to_string()]);
        t.row(row);
    }
    t
}

fn class_table(results: &[StrategyResult]) -> Table {
    let mut t = Table::new(&[
        ("strategy", Align::Left),
        ("class", Align::Left),
        ("completed", Align::Right),
        ("p50", Align::Right),
        ("p99", Align::Right),
        ("max", Align::Right),
        ("wait p50", Align::Right),
    ]);
    for r in results {
        for c in &r.classes {
            let i = c.intervals.as_ref();
            t.row(vec![
                escape(&r.strategy),
                escape(&c.class),
                c.tasks.completed.to_string(),
                with_interval(c.latency_s.p50, i.map(|i| &i.latency_s.p50), format_seconds),
                with_interval(c.latency_s.p99, i.map(|i| &i.latency_s.p99), format_seconds),
                with_interval(c.latency_s.max, i.map(|i| &i.latency_s.max), format_seconds),
                with_interval(c.wait_s.p50, i.map(|i| &i.wait_s.p50), format_seconds),
            ]);
        }
    }
    t
}

/// How findings mark up what they quote, per output format.
pub(super) trait Markup {
    /// Text from the report, made safe.
    fn text(&self, text: &str) -> String;
    /// A strategy's name, emphasised.
    fn strong(&self, text: &str) -> String;
    /// A step kind or other literal.
    fn code(&self, text: &str) -> String;
}

/// Markdown: `**name**`, `` `code` ``.
pub(super) struct Markdown;

impl Markup for Markdown {
    fn text(&self, text: &str) -> String {
        escape(text)
    }
    fn strong(&self, text: &str) -> String {
        format!("**{}**", escape(text))
    }
    fn code(&self, text: &str) -> String {
        format!("`{text}`")
    }
}

/// Plain statements a reader can check against the tables.
pub(super) fn findings(results: &[StrategyResult], m: &dyn Markup) -> Vec<String> {
    let mut out = Vec::new();
    let finished: Vec<&StrategyResult> = results.iter().filter(|r| r.makespan_s > 0.0).collect();
    if finished.len() >= 2 {
        let (fastest, makespan) = best(&finished, m, |r| r.makespan_s);
        let worst = finished.iter().max_by(|a, b| a.makespan_s.total_cmp(&b.makespan_s)).expect("non-empty");
        if worst.makespan_s > makespan {
            out.push(format!(
                "Shortest makespan: {} ({}), {:.1}× shorter than {} ({}).",
                fastest,
                format_seconds(makespan),
                worst.makespan_s / makespan,
                m.text(&worst.strategy),
                format_seconds(worst.makespan_s)
            ));
        } else {
            out.push(format!("Every strategy has the same makespan ({}).", format_seconds(makespan)));
        }
        let (lowest, p99) = best(&finished, m, |r| r.latency_s.p99);
        out.push(format!("Lowest p99 latency: {} ({}).", lowest, format_seconds(p99)));
    }
    for r in results {
        if let Some(lag) = r.loop_lag_s
            && lag.p99 > 0.0
            && lag.p99 >= NOTABLE_LAG_SHARE * r.latency_s.p50
        {
            out.push(format!(
                "{}: ready coroutines waited up to {} for the event loop (p99 {}): {} or {} steps hold the loop while they run.",
                m.strong(&r.strategy),
                format_seconds(lag.max),
                format_seconds(lag.p99),
                m.code("cpu"),
                m.code("blocking")
            ));
        }
        let t = &r.tasks;
        if t.timed_out + t.failed > 0 {
            out.push(format!(
                "{}: {} of {} tasks timed out and {} failed.",
                m.strong(&r.strategy),
                t.timed_out,
                t.arrived,
                t.failed
            ));
        }
        if t.rejected > 0 {
            out.push(format!(
                "{}: {} of {} tasks were rejected by a full pool.",
                m.strong(&r.strategy),
                t.rejected,
                t.arrived
            ));
        }
    }
    out
}

/// The strategies sharing the smallest `figure`, bold and joined ("**a** and
/// **b**"), and that figure.
fn best(results: &[&StrategyResult], m: &dyn Markup, figure: impl Fn(&StrategyResult) -> f64) -> (String, f64) {
    let min = results.iter().map(|r| figure(r)).fold(f64::INFINITY, f64::min);
    let names: Vec<String> = results.iter().filter(|r| figure(r) == min).map(|r| m.strong(&r.strategy)).collect();
    (names.join(" and "), min)
}

/// Escapes text from a scenario for Markdown (and the HTML it may become).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '*' | '_' | '`' | '[' | ']' | '\\' | '#' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

const DEFINITIONS: &str = "
## Definitions

- **makespan**: virtual time from the start to the last task's end.
- **throughput**: completed tasks per second of makespan.
- **latency**: arrival to end, for every task that was not cancelled or rejected; a timed-out task's latency is its time to the timeout.
- **wait**: arrival to the task's first step (queueing for a worker, or for the loop).
- **loop lag** (cooperative): how long a ready coroutine waited for the event loop before it ran.
- **CPU**: CPU time used over all cores' capacity during the makespan.
- **memory**: modelled resident memory at peak, with the runtime profile's memory per thread and per coroutine (16.5 KiB and 2.8 KiB, CPython 3.11 on the calibration machine, unless a profile says otherwise).
- Percentiles come from HdrHistograms with 3 significant digits. See docs/model.md for what each step costs under each strategy.
";

/// Detached programs still running at the horizon, per strategy (only
/// when some were: R-SPAWN-DETACHED).
fn detached_lines(results: &[StrategyResult], escape: fn(&str) -> String) -> String {
    let lines: Vec<String> = results
        .iter()
        .filter_map(|r| {
            let n = r.detached_pending.filter(|&n| n > 0)?;
            let what = if n == 1 { "detached program was" } else { "detached programs were" };
            Some(format!(
                "- {}: {n} {what} still running at the horizon (asyncio: \"Task was destroyed but it is pending!\")\n",
                escape(&r.strategy)
            ))
        })
        .collect();
    if lines.is_empty() { String::new() } else { format!("\n## Detached work\n\n{}", lines.concat()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
        assert_eq!(escape("a_b*c"), "a\\_b\\*c");
    }
}
