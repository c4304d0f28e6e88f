//! `simbench compare`: two runs, figure by figure.
//!
//! [`load`] reads a report.json, or every report in a directory, as a
//! [`ReportView`] (only the fields compared; unknown fields are ignored, so
//! any `simbench.report/v1` report compares; the types and loaders are in
//! [`view`]). [`compare`] matches reports by
//! scenario name, results by strategy label and classes by name, and judges
//! each figure of [`limits::METRICS`] (each read by its own
//! [`limits::Reader`]) against its [`limits::Limit`]. The
//! renderers ([`text`], [`markdown`], [`json`]) only read the
//! [`Comparison`].
//!
//! Invariants: output order is the base report's order of strategies and
//! classes (then anything only the head has), and scenarios sort by name, so
//! the same inputs always give the same bytes. The scenario file's path is
//! shown but never judged: the same scenario reached by another path
//! compares equal; its sha256 only adds a note.

pub mod html;
pub mod json;
pub mod limits;
pub mod markdown;
pub mod text;
pub mod view;

pub use view::{
    ClassView, CompareError, LinkView, LoadedReport, ReportView, ResultView, ScenarioView, ServiceView, TaskFigures,
    TasksView, load, load_dir, load_pair, parse,
};

use crate::scenario::Unit;
use limits::{Allowance, Better, Limit, Limits, METRICS, MetricDef, Reader};
use std::collections::BTreeMap;

/// How a figure moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Unchanged,
    Improved,
    /// Worse, but within its limit.
    Worse,
    /// Worse past its limit.
    Regression,
    /// Changed; the figure has no better direction.
    Changed,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Unchanged => "unchanged",
            Verdict::Improved => "improved",
            Verdict::Worse => "worse within limit",
            Verdict::Regression => "regression",
            Verdict::Changed => "changed",
        }
    }
}

/// One figure of one strategy (and class), in both runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub strategy: String,
    /// `None`: all tasks.
    pub class: Option<String>,
    /// A service or link figure: `service db`, `link uplink`.
    pub resource: Option<String>,
    pub metric: &'static MetricDef,
    pub base: f64,
    pub head: f64,
    pub limit: Limit,
    pub verdict: Verdict,
}

impl Row {
    /// The change relative to the base (0.05 for +5%); `None` when the base
    /// is 0 and the head is not.
    pub fn relative_change(&self) -> Option<f64> {
        if self.base == self.head {
            Some(0.0)
        } else if self.base == 0.0 {
            None
        } else {
            Some((self.head - self.base) / self.base.abs())
        }
    }

    /// Whether this row fails the comparison.
    pub fn fails(&self, strict: bool) -> bool {
        self.verdict == Verdict::Regression || (strict && self.verdict != Verdict::Unchanged)
    }

    /// Whether tables show this row as a change: it moved, and either the
    /// move shows at the figures' display precision or it fails the
    /// comparison (a failing row is always shown). "10.6min → 10.6min,
    /// improved" is listed with the unchanged figures; the verdicts and the
    /// exit status still judge the exact values.
    pub fn shown_as_moved(&self, strict: bool) -> bool {
        let unit = self.metric.unit;
        self.verdict != Verdict::Unchanged
            && (self.fails(strict) || format_figure(unit, self.base) != format_figure(unit, self.head))
    }
}

/// One side of a scenario's comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Side {
    /// The report's path.
    pub path: String,
    /// The scenario file's path as recorded in the report.
    pub file: String,
    pub sha256: String,
    pub seed: u64,
    pub simbench_version: String,
}

/// Two runs of one scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioComparison {
    pub name: String,
    pub base: Side,
    pub head: Side,
    pub rows: Vec<Row>,
    /// Strategies (or `strategy/class`) in one run only.
    pub only_in_base: Vec<String>,
    pub only_in_head: Vec<String>,
    /// Differences that are not figures: scenario file, seed, version.
    pub notes: Vec<String>,
    /// The head's SLO verdicts, in the head report's order.
    pub head_slos: Vec<crate::metrics::slo::SloOutcome>,
}

/// A whole comparison.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub scenarios: Vec<ScenarioComparison>,
    /// Scenarios with a report on one side only (`(name, path)`).
    pub only_in_base: Vec<(String, String)>,
    pub only_in_head: Vec<(String, String)>,
    /// `--strict`: any change, and anything on one side only, fails.
    pub strict: bool,
}

/// Counts of rows by verdict.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub regressions: usize,
    pub improvements: usize,
    pub worse: usize,
    pub changed: usize,
    pub unchanged: usize,
}

impl Tally {
    pub fn of<'r>(rows: impl IntoIterator<Item = &'r Row>) -> Tally {
        let mut t = Tally::default();
        for row in rows {
            match row.verdict {
                Verdict::Unchanged => t.unchanged += 1,
                Verdict::Improved => t.improvements += 1,
                Verdict::Worse => t.worse += 1,
                Verdict::Regression => t.regressions += 1,
                Verdict::Changed => t.changed += 1,
            }
        }
        t
    }

    pub fn total(&self) -> usize {
        self.regressions + self.improvements + self.worse + self.changed + self.unchanged
    }

    /// `2 regressions, 1 improvement, 3 worse within limits, 1 changed, 40 unchanged`
    /// (zero counts left out, except regressions and unchanged).
    pub fn describe(&self) -> String {
        let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut parts = vec![plural(self.regressions, "regression", "regressions")];
        if self.improvements > 0 {
            parts.push(plural(self.improvements, "improvement", "improvements"));
        }
        if self.worse > 0 {
            parts.push(format!("{} worse within limits", self.worse));
        }
        if self.changed > 0 {
            parts.push(format!("{} changed", self.changed));
        }
        parts.push(format!("{} unchanged", self.unchanged));
        parts.join(", ")
    }
}

impl ScenarioComparison {
    pub fn tally(&self) -> Tally {
        Tally::of(&self.rows)
    }

    /// Whether nothing differs but paths.
    pub fn is_unchanged(&self) -> bool {
        self.rows.iter().all(|r| r.verdict == Verdict::Unchanged)
            && self.only_in_base.is_empty()
            && self.only_in_head.is_empty()
    }
}

impl Comparison {
    /// The head's SLO verdicts over every scenario: (scenario, verdict).
    pub fn head_slos(&self) -> impl Iterator<Item = (&str, &crate::metrics::slo::SloOutcome)> {
        self.scenarios.iter().flat_map(|s| s.head_slos.iter().map(move |o| (s.name.as_str(), o)))
    }

    pub fn tally(&self) -> Tally {
        Tally::of(self.scenarios.iter().flat_map(|s| &s.rows))
    }

    /// Whether nothing differs at all (paths aside).
    pub fn is_unchanged(&self) -> bool {
        self.scenarios.iter().all(ScenarioComparison::is_unchanged)
            && self.only_in_base.is_empty()
            && self.only_in_head.is_empty()
    }

    /// How many rows (and, when strict, one-sided items) fail.
    pub fn failures(&self) -> usize {
        let rows: usize = self.scenarios.iter().flat_map(|s| &s.rows).filter(|r| r.fails(self.strict)).count();
        if !self.strict {
            return rows;
        }
        let one_sided: usize = self.scenarios.iter().map(|s| s.only_in_base.len() + s.only_in_head.len()).sum();
        rows + one_sided + self.only_in_base.len() + self.only_in_head.len()
    }

    /// One line: `no change: …` or the counts.
    pub fn headline(&self) -> String {
        let tally = self.tally();
        let scenarios = match self.scenarios.len() {
            1 => "1 scenario".to_string(),
            n => format!("{n} scenarios"),
        };
        if self.is_unchanged() {
            return format!("no change; all {} figures of {scenarios} are identical", tally.total());
        }
        let mut line = format!("{} in {scenarios}", tally.describe());
        let one_sided = self.only_in_base.len() + self.only_in_head.len();
        if one_sided > 0 {
            line.push_str(&format!("; {one_sided} without a counterpart"));
        }
        line
    }
}

/// Compares matched reports. Scenarios are matched by name; when both
/// sides hold exactly one report, their names must agree.
pub fn compare(
    base: Vec<LoadedReport>,
    head: Vec<LoadedReport>,
    limits: &Limits,
    strict: bool,
) -> Result<Comparison, CompareError> {
    if let ([b], [h]) = (base.as_slice(), head.as_slice()) {
        if b.view.scenario.name != h.view.scenario.name {
            return Err(CompareError::DifferentScenarios {
                base: b.path.clone(),
                base_name: b.view.scenario.name.clone(),
                head: h.path.clone(),
                head_name: h.view.scenario.name.clone(),
            });
        }
    }
    let mut heads: BTreeMap<String, LoadedReport> =
        head.into_iter().map(|r| (r.view.scenario.name.clone(), r)).collect();
    let mut comparison =
        Comparison { scenarios: Vec::new(), only_in_base: Vec::new(), only_in_head: Vec::new(), strict };
    let mut bases: Vec<LoadedReport> = base;
    bases.sort_by(|a, b| a.view.scenario.name.cmp(&b.view.scenario.name));
    for b in bases {
        match heads.remove(&b.view.scenario.name) {
            Some(h) => comparison.scenarios.push(compare_scenario(&b, &h, limits)),
            None => comparison.only_in_base.push((b.view.scenario.name.clone(), b.path.clone())),
        }
    }
    comparison.only_in_head = heads.into_values().map(|h| (h.view.scenario.name, h.path)).collect();
    Ok(comparison)
}

fn side(report: &LoadedReport) -> Side {
    let v = &report.view;
    Side {
        path: report.path.clone(),
        file: v.scenario.file.clone(),
        sha256: v.scenario.sha256.clone(),
        seed: v.scenario.seed,
        simbench_version: v.simbench_version.clone(),
    }
}

fn compare_scenario(base: &LoadedReport, head: &LoadedReport, limits: &Limits) -> ScenarioComparison {
    let (b, h) = (&base.view, &head.view);
    let multi_class = b.results.iter().chain(&h.results).any(|r| r.classes.len() > 1);
    let mut rows = Vec::new();
    let mut only_in_base = Vec::new();
    for rb in &b.results {
        match h.results.iter().find(|r| r.strategy == rb.strategy) {
            Some(rh) => rows.extend(strategy_rows(rb, rh, multi_class, limits, &mut only_in_base)),
            None => only_in_base.push(rb.strategy.clone()),
        }
    }
    let mut only_in_head = Vec::new();
    for rh in &h.results {
        match b.results.iter().find(|r| r.strategy == rh.strategy) {
            None => only_in_head.push(rh.strategy.clone()),
            Some(rb) if multi_class => {
                for ch in rh.classes.iter().filter(|c| !rb.classes.iter().any(|cb| cb.class == c.class)) {
                    only_in_head.push(format!("{}/{}", rh.strategy, ch.class));
                }
            }
            Some(_) => {}
        }
    }
    ScenarioComparison {
        name: b.scenario.name.clone(),
        base: side(base),
        head: side(head),
        rows,
        only_in_base,
        only_in_head,
        notes: notes(b, h),
        head_slos: h.slos.clone(),
    }
}

/// What differs between two runs besides their figures.
fn notes(b: &ReportView, h: &ReportView) -> Vec<String> {
    let mut notes = Vec::new();
    if b.scenario.sha256 != h.scenario.sha256 {
        notes.push(format!(
            "the scenario file changed (sha256 {} → {})",
            short(&b.scenario.sha256),
            short(&h.scenario.sha256)
        ));
    }
    if b.scenario.seed != h.scenario.seed {
        notes.push(format!(
            "the seeds differ ({} → {}), so every random draw differs",
            b.scenario.seed, h.scenario.seed
        ));
    }
    if b.simbench_version != h.simbench_version {
        notes.push(format!("simbench {} → {}", b.simbench_version, h.simbench_version));
    }
    notes
}

/// The rows of one strategy present in both runs: its run's figures, its
/// services' and links', then (when a scenario has several classes) each
/// class's; a class the head lacks goes to `only_in_base`.
fn strategy_rows(
    rb: &ResultView,
    rh: &ResultView,
    multi_class: bool,
    limits: &Limits,
    only_in_base: &mut Vec<String>,
) -> Vec<Row> {
    let mut rows = Vec::new();
    for metric in METRICS {
        let pair = match metric.reader {
            Reader::Run(read) => read(rb).zip(read(rh)),
            Reader::Tasks(read) => Some((read(rb.task_figures()), read(rh.task_figures()))),
            Reader::Service(_) | Reader::Link(_) => None,
        };
        if let Some((vb, vh)) = pair {
            rows.push(row(&rb.strategy, None, metric, vb, vh, limits));
        }
    }
    rows.extend(resource_rows(rb, rh, limits));
    if !multi_class {
        return rows;
    }
    for cb in &rb.classes {
        let Some(ch) = rh.classes.iter().find(|c| c.class == cb.class) else {
            only_in_base.push(format!("{}/{}", rb.strategy, cb.class));
            continue;
        };
        for metric in METRICS {
            if let Reader::Tasks(read) = metric.reader {
                let (vb, vh) = (read(cb.task_figures()), read(ch.task_figures()));
                rows.push(row(&rb.strategy, Some(&cb.class), metric, vb, vh, limits));
            }
        }
    }
    rows
}

/// The first 12 characters of a digest (all of it when shorter): 12 hex
/// digits of a real one, and never a panic on a hand-edited one.
pub fn short(sha256: &str) -> &str {
    match sha256.char_indices().nth(12) {
        Some((end, _)) => &sha256[..end],
        None => sha256,
    }
}

fn row(strategy: &str, class: Option<&str>, metric: &'static MetricDef, base: f64, head: f64, limits: &Limits) -> Row {
    let limit = limits.for_metric(metric);
    let verdict = judge(metric.better, &limit, base, head);
    Row {
        strategy: strategy.to_string(),
        class: class.map(str::to_string),
        resource: None,
        metric,
        base,
        head,
        limit,
        verdict,
    }
}

/// The service and link figures of one strategy in both runs, for the
/// services and links both runs have (matched by name).
fn resource_rows(base: &ResultView, head: &ResultView, limits: &Limits) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut push = |resource: String, metric: &'static MetricDef, b: f64, h: f64| {
        let mut r = row(&base.strategy, None, metric, b, h, limits);
        r.resource = Some(resource);
        rows.push(r);
    };
    for sb in &base.services {
        let Some(sh) = head.services.iter().find(|s| s.service == sb.service) else { continue };
        for metric in METRICS {
            if let Reader::Service(read) = metric.reader {
                push(format!("service {}", sb.service), metric, read(sb), read(sh));
            }
        }
    }
    for lb in &base.links {
        let Some(lh) = head.links.iter().find(|l| l.link == lb.link) else { continue };
        for metric in METRICS {
            if let Reader::Link(read) = metric.reader {
                push(format!("link {}", lb.link), metric, read(lb), read(lh));
            }
        }
    }
    rows
}

/// Compares within a relative tolerance far below any printed digit, so a
/// change of exactly the limit is within it.
const TOLERANCE: f64 = 1e-9;

fn judge(better: Better, limit: &Limit, base: f64, head: f64) -> Verdict {
    if base == head {
        return Verdict::Unchanged;
    }
    let worse = match better {
        Better::Neither => return Verdict::Changed,
        Better::Lower => head > base,
        Better::Higher => head < base,
    };
    if !worse {
        return Verdict::Improved;
    }
    let by = (head - base).abs();
    let past = match limit.allowance {
        Allowance::Off => false,
        Allowance::Relative(_) if base == 0.0 => true,
        Allowance::Relative(r) => by / base.abs() > r * (1.0 + TOLERANCE) + TOLERANCE * TOLERANCE,
        Allowance::Absolute(a) => by > a * (1.0 + TOLERANCE) + f64::EPSILON,
    };
    if past { Verdict::Regression } else { Verdict::Worse }
}

/// The table of changed figures both the text and Markdown forms show;
/// `cell` prepares a scope or metric name for the format, `verdict` names a
/// verdict.
pub(super) fn changes_table(
    rows: &[&Row],
    cell: impl Fn(&str) -> String,
    metric: impl Fn(&str) -> String,
    verdict: impl Fn(Verdict) -> String,
) -> super::table::Table {
    use super::table::{Align, Table};
    let mut table = Table::new(&[
        ("strategy", Align::Left),
        ("metric", Align::Left),
        ("base", Align::Right),
        ("head", Align::Right),
        ("change", Align::Right),
        ("limit", Align::Right),
        ("verdict", Align::Left),
    ]);
    for row in rows {
        table.row(vec![
            cell(&scope(row)),
            metric(row.metric.name),
            format_figure(row.metric.unit, row.base),
            format_figure(row.metric.unit, row.head),
            format_change(row),
            row.limit.text.clone(),
            verdict(row.verdict),
        ]);
    }
    table
}

/// A figure in its unit, for tables.
pub fn format_figure(unit: Unit, value: f64) -> String {
    super::format_value(unit, value)
}

/// The change as shown: `+12.3%`, `-3.00%`, or the amount when the base is
/// 0 (`+3`, `+1.50s`).
pub fn format_change(row: &Row) -> String {
    match row.relative_change() {
        Some(0.0) => "0".into(),
        Some(r) => format!("{}{}%", if r > 0.0 { "+" } else { "-" }, crate::time::three_significant(r.abs() * 100.0)),
        None => {
            let delta = row.head - row.base;
            let sign = if delta > 0.0 { "+" } else { "-" };
            format!("{sign}{}", format_figure(row.metric.unit, delta.abs()))
        }
    }
}

/// Where a row applies: `cooperative` or `cooperative/page`.
pub fn scope(row: &Row) -> String {
    match (&row.class, &row.resource) {
        (Some(class), _) => format!("{}/{class}", row.strategy),
        (None, Some(resource)) => format!("{} {resource}", row.strategy),
        (None, None) => row.strategy.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(text: &str, allowance: Allowance) -> Limit {
        Limit { allowance, text: text.into() }
    }

    #[test]
    fn changes_below_the_display_precision_are_shown_as_unchanged_unless_they_fail() {
        let makespan = METRICS.iter().find(|m| m.name == "makespan").expect("makespan is a figure");
        let limits = Limits::parse(&["makespan=+1%".to_string()]).unwrap();
        // 636.0 s and 636.002 s both show as "10.6min".
        let tiny = row("blocking", None, makespan, 636.0, 636.002, &limits);
        assert_eq!(tiny.verdict, Verdict::Worse);
        assert!(!tiny.shown_as_moved(false), "within its limit and invisible: folded");
        assert!(tiny.shown_as_moved(true), "strict fails it, so it is shown");
        let visible = row("blocking", None, makespan, 600.0, 636.0, &limits);
        assert!(visible.shown_as_moved(false));
        let same = row("blocking", None, makespan, 636.0, 636.0, &limits);
        assert!(!same.shown_as_moved(true));
    }

    #[test]
    fn verdicts_follow_direction_and_limit() {
        let zero = limit("+0%", Allowance::Relative(0.0));
        assert_eq!(judge(Better::Lower, &zero, 1.0, 1.0), Verdict::Unchanged);
        assert_eq!(judge(Better::Lower, &zero, 1.0, 0.9), Verdict::Improved);
        assert_eq!(judge(Better::Lower, &zero, 1.0, 1.0001), Verdict::Regression);
        assert_eq!(judge(Better::Higher, &zero, 100.0, 99.0), Verdict::Regression);
        assert_eq!(judge(Better::Higher, &zero, 100.0, 101.0), Verdict::Improved);
        assert_eq!(judge(Better::Neither, &zero, 1.0, 2.0), Verdict::Changed);
        let five = limit("+5%", Allowance::Relative(0.05));
        assert_eq!(judge(Better::Lower, &five, 0.3, 0.315), Verdict::Worse, "exactly the limit is within it");
        assert_eq!(judge(Better::Lower, &five, 0.3, 0.316), Verdict::Regression);
        assert_eq!(judge(Better::Lower, &five, 0.0, 0.001), Verdict::Regression, "from zero, any rise is past a %");
        let ten_ms = limit("+10ms", Allowance::Absolute(0.01));
        assert_eq!(judge(Better::Lower, &ten_ms, 0.0, 0.01), Verdict::Worse);
        assert_eq!(judge(Better::Lower, &ten_ms, 0.0, 0.011), Verdict::Regression);
        assert_eq!(judge(Better::Lower, &limit("off", Allowance::Off), 1.0, 9.0), Verdict::Worse);
    }

    #[test]
    fn digests_are_shortened_without_panicking() {
        assert_eq!(short("0123456789abcdef0123"), "0123456789ab");
        assert_eq!(short("abc"), "abc");
        assert_eq!(short(""), "");
        assert_eq!(short("ééééééééééééé"), "éééééééééééé", "12 characters, not 12 bytes");
        assert_eq!(short("0123456789a€b"), "0123456789a€");
    }

    #[test]
    fn tallies_read_as_a_sentence() {
        let t = Tally { regressions: 2, improvements: 1, worse: 0, changed: 3, unchanged: 40 };
        assert_eq!(t.describe(), "2 regressions, 1 improvement, 3 changed, 40 unchanged");
        assert_eq!(Tally { unchanged: 1, ..Tally::default() }.describe(), "0 regressions, 1 unchanged");
    }
}
