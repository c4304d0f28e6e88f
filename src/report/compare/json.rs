//! The comparison as JSON (`simbench.compare/v1`, docs/ci.md): every
//! figure, moved or not, in the same order as the other formats.

use super::{Comparison, Row, Side, format_change};
use serde::Serialize;

/// The comparison format's schema identifier.
pub const SCHEMA: &str = "simbench.compare/v1";

#[derive(Serialize)]
struct Document<'c> {
    schema: &'static str,
    /// `pass` or `fail` (the exit status is 1 exactly when `fail`).
    verdict: &'static str,
    strict: bool,
    headline: String,
    summary: Summary,
    scenarios: Vec<Scenario<'c>>,
    scenarios_only_in_base: Vec<Named<'c>>,
    scenarios_only_in_head: Vec<Named<'c>>,
}

#[derive(Serialize)]
struct Summary {
    regressions: usize,
    improvements: usize,
    worse_within_limits: usize,
    changed: usize,
    unchanged: usize,
    failures: usize,
}

#[derive(Serialize)]
struct Named<'c> {
    name: &'c str,
    path: &'c str,
}

#[derive(Serialize)]
struct Scenario<'c> {
    name: &'c str,
    base: SideDoc<'c>,
    head: SideDoc<'c>,
    notes: &'c [String],
    strategies_only_in_base: &'c [String],
    strategies_only_in_head: &'c [String],
    rows: Vec<RowDoc<'c>>,
}

#[derive(Serialize)]
struct SideDoc<'c> {
    path: &'c str,
    file: &'c str,
    sha256: &'c str,
    seed: u64,
    simbench_version: &'c str,
}

#[derive(Serialize)]
struct RowDoc<'c> {
    strategy: &'c str,
    class: Option<&'c str>,
    /// Service and link figures only: `service db`, `link uplink`.
    #[serde(skip_serializing_if = "Option::is_none")]
    resource: Option<&'c str>,
    metric: &'static str,
    unit: &'static str,
    better: &'static str,
    base: f64,
    head: f64,
    /// Relative change (0.05 = +5%); `null` when the base is 0 and the head is not.
    change: Option<f64>,
    change_text: String,
    limit: &'c str,
    verdict: &'static str,
}

fn side(s: &Side) -> SideDoc<'_> {
    SideDoc { path: &s.path, file: &s.file, sha256: &s.sha256, seed: s.seed, simbench_version: &s.simbench_version }
}

fn row(r: &Row) -> RowDoc<'_> {
    RowDoc {
        strategy: &r.strategy,
        class: r.class.as_deref(),
        resource: r.resource.as_deref(),
        metric: r.metric.name,
        unit: r.metric.unit.name(),
        better: r.metric.better.name(),
        base: r.base,
        head: r.head,
        change: r.relative_change(),
        change_text: format_change(r),
        limit: &r.limit.text,
        verdict: r.verdict.name(),
    }
}

pub fn render(c: &Comparison) -> String {
    let tally = c.tally();
    let failures = c.failures();
    let document = Document {
        schema: SCHEMA,
        verdict: if failures > 0 { "fail" } else { "pass" },
        strict: c.strict,
        headline: c.headline(),
        summary: Summary {
            regressions: tally.regressions,
            improvements: tally.improvements,
            worse_within_limits: tally.worse,
            changed: tally.changed,
            unchanged: tally.unchanged,
            failures,
        },
        scenarios: c
            .scenarios
            .iter()
            .map(|s| Scenario {
                name: &s.name,
                base: side(&s.base),
                head: side(&s.head),
                notes: &s.notes,
                strategies_only_in_base: &s.only_in_base,
                strategies_only_in_head: &s.only_in_head,
                rows: s.rows.iter().map(row).collect(),
            })
            .collect(),
        scenarios_only_in_base: c.only_in_base.iter().map(|(name, path)| Named { name, path }).collect(),
        scenarios_only_in_head: c.only_in_head.iter().map(|(name, path)| Named { name, path }).collect(),
    };
    let mut text = serde_json::to_string_pretty(&document).expect("a comparison always serialises");
    text.push('\n');
    text
}
