//! The figures `simbench compare` compares, which way each gets worse, and
//! the `--limit METRIC=LIMIT` rules that say how much worse is allowed.
//!
//! Defaults (docs/ci.md explains them): simulation is deterministic, so a
//! figure that moved did so because the model or the scenario changed, not
//! by noise. Every figure with a direction (latency, wait, loop lag,
//! makespan, throughput, task outcomes, peak threads and coroutines, memory)
//! has a default limit of `+0%`: any worsening is a regression. Figures
//! without one (arrived tasks, CPU utilization, peak in flight, events) are
//! reported when they change but never judged.

use super::view::{LinkView, ResultView, ServiceView, TaskFigures};
use crate::scenario::{Unit, parse_bytes, parse_decimal, parse_duration, parse_rate};

/// Which way a figure gets better.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    Lower,
    Higher,
    /// Reported, not judged.
    Neither,
}

impl Better {
    pub fn name(self) -> &'static str {
        match self {
            Better::Lower => "lower",
            Better::Higher => "higher",
            Better::Neither => "neither",
        }
    }
}

/// How a figure is read from a report: every [`MetricDef`] carries one, so
/// a figure in the table is a figure `compare` can read.
#[derive(Clone, Copy)]
pub enum Reader {
    /// A figure of a strategy's whole run; `None` when the run has none
    /// (loop lag is reported for cooperative runs only).
    Run(fn(&ResultView) -> Option<f64>),
    /// A figure a run and each of its task classes both have.
    Tasks(fn(TaskFigures<'_>) -> f64),
    /// A figure of each downstream service, judged per service.
    Service(fn(&ServiceView) -> f64),
    /// A figure of each shared link, judged per link.
    Link(fn(&LinkView) -> f64),
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Reader::Run(_) => "Run",
            Reader::Tasks(_) => "Tasks",
            Reader::Service(_) => "Service",
            Reader::Link(_) => "Link",
        })
    }
}

/// One comparable figure of a report.
#[derive(Clone, Copy, Debug)]
pub struct MetricDef {
    /// As written in `--limit` and shown in tables: `latency.p99`.
    pub name: &'static str,
    pub unit: Unit,
    pub better: Better,
    /// Where the figure is in a report, and how to read it.
    pub reader: Reader,
}

impl MetricDef {
    /// Whether report.json has the figure per task class too.
    pub fn per_class(&self) -> bool {
        matches!(self.reader, Reader::Tasks(_))
    }
}

/// Names are unique ([`METRICS`] is tested for it), so a figure is its name.
impl PartialEq for MetricDef {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for MetricDef {}

const fn def(name: &'static str, unit: Unit, better: Better, reader: Reader) -> MetricDef {
    MetricDef { name, unit, better, reader }
}

use Better::{Higher, Lower, Neither};
use Reader::{Link, Run, Service, Tasks};
use Unit::{Bytes, Fraction, PerSecond, Seconds, Tasks as Count};

/// Every figure compared, in table order.
pub const METRICS: &[MetricDef] = &[
    def("makespan", Seconds, Lower, Run(|r| Some(r.makespan_s))),
    def("throughput", PerSecond, Higher, Tasks(|t| t.throughput_per_s)),
    def("latency.mean", Seconds, Lower, Tasks(|t| t.latency_s.mean)),
    def("latency.p50", Seconds, Lower, Tasks(|t| t.latency_s.p50)),
    def("latency.p90", Seconds, Lower, Tasks(|t| t.latency_s.p90)),
    def("latency.p99", Seconds, Lower, Tasks(|t| t.latency_s.p99)),
    def("latency.p999", Seconds, Lower, Tasks(|t| t.latency_s.p999)),
    def("latency.max", Seconds, Lower, Tasks(|t| t.latency_s.max)),
    def("wait.mean", Seconds, Lower, Tasks(|t| t.wait_s.mean)),
    def("wait.p50", Seconds, Lower, Tasks(|t| t.wait_s.p50)),
    def("wait.p90", Seconds, Lower, Tasks(|t| t.wait_s.p90)),
    def("wait.p99", Seconds, Lower, Tasks(|t| t.wait_s.p99)),
    def("wait.p999", Seconds, Lower, Tasks(|t| t.wait_s.p999)),
    def("wait.max", Seconds, Lower, Tasks(|t| t.wait_s.max)),
    def("loop_lag.mean", Seconds, Lower, Run(|r| r.loop_lag_s.as_ref().map(|l| l.mean))),
    def("loop_lag.p50", Seconds, Lower, Run(|r| r.loop_lag_s.as_ref().map(|l| l.p50))),
    def("loop_lag.p90", Seconds, Lower, Run(|r| r.loop_lag_s.as_ref().map(|l| l.p90))),
    def("loop_lag.p99", Seconds, Lower, Run(|r| r.loop_lag_s.as_ref().map(|l| l.p99))),
    def("loop_lag.p999", Seconds, Lower, Run(|r| r.loop_lag_s.as_ref().map(|l| l.p999))),
    def("loop_lag.max", Seconds, Lower, Run(|r| r.loop_lag_s.as_ref().map(|l| l.max))),
    def("tasks.arrived", Count, Neither, Tasks(|t| t.tasks.arrived as f64)),
    def("tasks.completed", Count, Higher, Tasks(|t| t.tasks.completed as f64)),
    def("tasks.failed", Count, Lower, Tasks(|t| t.tasks.failed as f64)),
    def("tasks.timed_out", Count, Lower, Tasks(|t| t.tasks.timed_out as f64)),
    def("tasks.cancelled", Count, Lower, Tasks(|t| t.tasks.cancelled as f64)),
    def("cpu", Fraction, Neither, Run(|r| Some(r.cpu_utilization))),
    def("peak_in_flight", Count, Neither, Run(|r| Some(r.peak_in_flight as f64))),
    def("peak_threads", Count, Lower, Run(|r| Some(r.peak_threads as f64))),
    def("peak_coroutines", Count, Lower, Run(|r| Some(r.peak_coroutines as f64))),
    def("memory", Bytes, Lower, Run(|r| Some(r.modelled_memory_bytes as f64))),
    def("events", Count, Neither, Run(|r| Some(r.events as f64))),
    // Per service and per link (scenarios with them), judged per resource.
    def("service.amplification", Count, Lower, Service(|s| s.load_amplification)),
    def("service.rejected", Count, Lower, Service(|s| s.rejected as f64)),
    def("service.failed", Count, Lower, Service(|s| s.failed as f64)),
    def("service.abandoned", Count, Lower, Service(|s| s.abandoned as f64)),
    def("service.wasted", Count, Lower, Service(|s| s.wasted as f64)),
    def("service.utilization", Fraction, Neither, Service(|s| s.utilization)),
    def("service.wait.p50", Seconds, Lower, Service(|s| s.queue_wait_s.p50)),
    def("service.wait.p99", Seconds, Lower, Service(|s| s.queue_wait_s.p99)),
    def("link.busy", Fraction, Neither, Link(|l| l.busy_fraction)),
    def("link.bytes", Bytes, Neither, Link(|l| l.bytes as f64)),
];

/// How much worse a figure may get before it is a regression.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Allowance {
    /// Never a regression.
    Off,
    /// By this fraction of the base value (0.05 for 5%).
    Relative(f64),
    /// By this amount, in the figure's unit.
    Absolute(f64),
}

/// The limit applied to one figure.
#[derive(Clone, Debug, PartialEq)]
pub struct Limit {
    pub allowance: Allowance,
    /// As shown: `+0%`, `+5%`, `-3%`, `+10ms`, `off`, or `–` for a figure
    /// that is not judged.
    pub text: String,
}

/// A bad `--limit`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("--limit '{spec}': {message}\n  hint: {hint}")]
pub struct LimitError {
    pub spec: String,
    pub message: String,
    pub hint: String,
}

/// Which figures a rule names.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Pattern {
    Exact(&'static str),
    /// `latency.*`: every figure named `latency.…`.
    Group(String),
    /// `*`: every figure.
    All,
}

impl Pattern {
    fn matches(&self, metric: &MetricDef) -> bool {
        match self {
            Pattern::Exact(name) => *name == metric.name,
            Pattern::Group(group) => metric.name.strip_prefix(group.as_str()).is_some_and(|r| r.starts_with('.')),
            Pattern::All => true,
        }
    }

    /// Exact rules beat groups, groups beat `*`.
    fn rank(&self) -> u8 {
        match self {
            Pattern::Exact(_) => 2,
            Pattern::Group(_) => 1,
            Pattern::All => 0,
        }
    }
}

/// The `--limit` rules of one comparison.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Limits {
    rules: Vec<(Pattern, Limit)>,
}

impl Limits {
    /// Parses `--limit` values such as `latency.p99=+5%`, `throughput=-3%`,
    /// `latency.*=+10ms`, `*=1%`, `memory=off`.
    pub fn parse(specs: &[String]) -> Result<Limits, LimitError> {
        let mut rules = Vec::new();
        for spec in specs {
            rules.push(rule(spec)?);
        }
        Ok(Limits { rules })
    }

    /// The limit for `metric`: the most specific rule naming it (the last
    /// one among equals), else the default.
    pub fn for_metric(&self, metric: &MetricDef) -> Limit {
        if metric.better == Better::Neither {
            return Limit { allowance: Allowance::Off, text: "–".into() };
        }
        let chosen = self
            .rules
            .iter()
            .filter(|(pattern, _)| pattern.matches(metric))
            .max_by_key(|(pattern, _)| pattern.rank())
            .map(|(pattern, _)| pattern.rank());
        let found = chosen.and_then(|rank| {
            self.rules.iter().rev().find(|(pattern, _)| pattern.rank() == rank && pattern.matches(metric))
        });
        match found {
            Some((_, limit)) => Limit { allowance: limit.allowance, text: signed(&limit.text, metric.better) },
            None => Limit { allowance: Allowance::Relative(0.0), text: signed("0%", metric.better) },
        }
    }
}

/// The limit as shown for a figure: with the sign of its bad direction.
fn signed(text: &str, better: Better) -> String {
    if text == "off" || text.starts_with(['+', '-']) {
        return text.to_string();
    }
    match better {
        Better::Lower => format!("+{text}"),
        Better::Higher => format!("-{text}"),
        Better::Neither => text.to_string(),
    }
}

fn names() -> String {
    METRICS.iter().map(|m| m.name).collect::<Vec<_>>().join(", ")
}

fn rule(spec: &str) -> Result<(Pattern, Limit), LimitError> {
    parse_rule(spec).map_err(|(message, hint)| LimitError { spec: spec.to_string(), message, hint })
}

/// What is wrong with a rule: `(message, hint)`.
type Problem = (String, String);

fn parse_rule(spec: &str) -> Result<(Pattern, Limit), Problem> {
    let Some((name, value)) = spec.split_once('=') else {
        return Err((
            "expected METRIC=LIMIT".into(),
            "e.g. --limit 'latency.p99=+5%', --limit 'throughput=-3%', --limit 'latency.*=+10ms' or --limit 'memory=off'"
                .into(),
        ));
    };
    let (name, value) = (name.trim(), value.trim());
    let pattern = pattern(name)?;
    let matched: Vec<&MetricDef> =
        METRICS.iter().filter(|m| pattern.matches(m) && m.better != Better::Neither).collect();
    if matched.is_empty() {
        return Err((
            format!("\"{name}\" is reported when it changes but not judged, so it takes no limit"),
            "limits apply to figures with a better direction: latency, wait, loop_lag, makespan, throughput, tasks outcomes, peak_threads, peak_coroutines, memory".into(),
        ));
    }
    if value == "off" {
        return Ok((pattern, Limit { allowance: Allowance::Off, text: "off".into() }));
    }
    let (sign, magnitude) = match value.chars().next() {
        Some(c @ ('+' | '-')) => (Some(c), value[1..].trim()),
        _ => (None, value),
    };
    if let Some(sign) = sign {
        check_sign(name, sign, magnitude, &matched)?;
    }
    let allowance = allowance(name, magnitude, &matched)?;
    Ok((pattern, Limit { allowance, text: value.to_string() }))
}

/// The figures a rule's name picks: `*`, a group `latency.*`, or one figure.
fn pattern(name: &str) -> Result<Pattern, Problem> {
    if name == "*" {
        return Ok(Pattern::All);
    }
    if let Some(group) = name.strip_suffix(".*") {
        if !METRICS.iter().any(|m| Pattern::Group(group.to_string()).matches(m)) {
            let groups = ["latency", "wait", "loop_lag", "tasks"];
            let hint = match crate::scenario::suggest_closest(group, &groups) {
                Some(guess) => format!("did you mean \"{guess}.*\"?"),
                None => format!("groups: {}", groups.map(|g| format!("{g}.*")).join(", ")),
            };
            return Err((format!("no figure is named \"{group}.…\""), hint));
        }
        return Ok(Pattern::Group(group.to_string()));
    }
    match METRICS.iter().find(|m| m.name == name) {
        Some(m) => Ok(Pattern::Exact(m.name)),
        None => {
            let all: Vec<&str> = METRICS.iter().map(|m| m.name).collect();
            let hint = match crate::scenario::suggest_closest(name, &all) {
                Some(guess) => format!("did you mean \"{guess}\"?"),
                None => format!("the figures are: {}", names()),
            };
            Err((format!("unknown figure \"{name}\""), hint))
        }
    }
}

/// A signed limit must carry the sign of its figures' bad direction.
fn check_sign(name: &str, sign: char, magnitude: &str, matched: &[&MetricDef]) -> Result<(), Problem> {
    let worse_up = matched.iter().any(|m| m.better == Better::Lower);
    let worse_down = matched.iter().any(|m| m.better == Better::Higher);
    let (want, why) = match (worse_up, worse_down) {
        (true, true) => {
            return Err((
                format!("\"{name}\" covers figures that get worse going up and others going down"),
                format!(
                    "write the limit without a sign, e.g. {name}={magnitude}: it allows that much worsening either way"
                ),
            ));
        }
        (true, false) => ('+', "gets worse as it rises"),
        _ => ('-', "gets worse as it falls"),
    };
    if sign != want {
        return Err((
            format!("{name} {why}, so a limit on it is written {want}{magnitude}"),
            format!("write {name}={want}{magnitude} (or {magnitude} without a sign)"),
        ));
    }
    Ok(())
}

/// The allowance `magnitude` (unsigned) gives: a percentage, or an amount in
/// the unit all `matched` figures share.
fn allowance(name: &str, magnitude: &str, matched: &[&MetricDef]) -> Result<Allowance, Problem> {
    if let Some(percent) = magnitude.strip_suffix('%') {
        return match parse_decimal(percent) {
            Some(p) => Ok(Allowance::Relative(p / 100.0)),
            None => Err((format!("expected a percentage such as 5%, found \"{magnitude}\""), hint())),
        };
    }
    let units: Vec<Unit> = matched.iter().map(|m| m.unit).collect();
    if units.iter().any(|u| *u != units[0]) {
        return Err((
            format!("\"{name}\" covers figures in different units, so its limit must be a percentage"),
            format!("e.g. {name}=5%"),
        ));
    }
    match absolute(units[0], magnitude) {
        Some(a) => Ok(Allowance::Absolute(a)),
        None => {
            let example = match units[0] {
                Unit::Seconds => "a duration such as +10ms",
                Unit::PerSecond => "a rate such as -5/s",
                Unit::Tasks => "a whole number such as +2",
                Unit::Bytes => "a size such as +1MiB",
                Unit::Fraction => "a percentage such as +5%",
            };
            Err((format!("expected a percentage or {example}, found \"{magnitude}\""), hint()))
        }
    }
}

fn hint() -> String {
    "a limit is how much worse a figure may get: a percentage of the base (+5%), an amount in its unit (+10ms, -5/s, +2, +1MiB) or off".into()
}

fn absolute(unit: Unit, text: &str) -> Option<f64> {
    match unit {
        Unit::Seconds => parse_duration(text).ok().map(|d| d.as_secs_f64()),
        Unit::PerSecond => parse_rate(text),
        Unit::Tasks => text.trim().parse::<u64>().ok().map(|n| n as f64),
        Unit::Bytes => parse_bytes(text),
        Unit::Fraction => None,
    }
}

/// The definition of the figure named `name`.
pub fn metric(name: &str) -> Option<&'static MetricDef> {
    METRICS.iter().find(|m| m.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(specs: &[&str]) -> Limits {
        Limits::parse(&specs.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    fn error(spec: &str) -> LimitError {
        Limits::parse(&[spec.to_string()]).unwrap_err()
    }

    fn for_name(limits: &Limits, name: &str) -> Limit {
        limits.for_metric(metric(name).unwrap())
    }

    /// A result whose every compared field holds a different number, so a
    /// reader reading the wrong field is caught.
    fn distinct_result() -> ResultView {
        let summary = |base: f64| serde_json::json!({"mean": base + 0.1, "p50": base + 0.2, "p90": base + 0.3, "p99": base + 0.4, "p999": base + 0.5, "max": base + 0.6});
        let tasks = |base: u64| serde_json::json!({"arrived": base + 1, "completed": base + 2, "failed": base + 3, "timed_out": base + 4, "cancelled": base + 5});
        serde_json::from_value(serde_json::json!({
            "strategy": "s", "tasks": tasks(10), "makespan_s": 1.5, "throughput_per_s": 2.5,
            "latency_s": summary(3.0), "wait_s": summary(4.0), "cpu_utilization": 0.55, "peak_in_flight": 21,
            "peak_threads": 22, "peak_coroutines": 23, "modelled_memory_bytes": 24, "loop_lag_s": summary(5.0),
            "events": 25,
            "classes": [{"class": "c", "tasks": tasks(30), "throughput_per_s": 6.5, "latency_s": summary(7.0), "wait_s": summary(8.0)}],
            "services": [{"service": "db", "load_amplification": 1.25, "rejected": 41, "failed": 42, "abandoned": 43,
                          "wasted": 44, "utilization": 0.45, "queue_wait_s": summary(9.0)}],
            "links": [{"link": "up", "bytes": 51, "busy_fraction": 0.52}],
        }))
        .unwrap()
    }

    #[test]
    fn every_figure_reads_the_field_it_is_named_after() {
        let r = distinct_result();
        let expected: &[(&str, f64)] = &[
            ("makespan", 1.5),
            ("throughput", 2.5),
            ("latency.mean", 3.1),
            ("latency.p50", 3.2),
            ("latency.p90", 3.3),
            ("latency.p99", 3.4),
            ("latency.p999", 3.5),
            ("latency.max", 3.6),
            ("wait.mean", 4.1),
            ("wait.p50", 4.2),
            ("wait.p90", 4.3),
            ("wait.p99", 4.4),
            ("wait.p999", 4.5),
            ("wait.max", 4.6),
            ("loop_lag.mean", 5.1),
            ("loop_lag.p50", 5.2),
            ("loop_lag.p90", 5.3),
            ("loop_lag.p99", 5.4),
            ("loop_lag.p999", 5.5),
            ("loop_lag.max", 5.6),
            ("tasks.arrived", 11.0),
            ("tasks.completed", 12.0),
            ("tasks.failed", 13.0),
            ("tasks.timed_out", 14.0),
            ("tasks.cancelled", 15.0),
            ("cpu", 0.55),
            ("peak_in_flight", 21.0),
            ("peak_threads", 22.0),
            ("peak_coroutines", 23.0),
            ("memory", 24.0),
            ("events", 25.0),
            ("service.amplification", 1.25),
            ("service.rejected", 41.0),
            ("service.failed", 42.0),
            ("service.abandoned", 43.0),
            ("service.wasted", 44.0),
            ("service.utilization", 0.45),
            ("service.wait.p50", 9.2),
            ("service.wait.p99", 9.4),
            ("link.busy", 0.52),
            ("link.bytes", 51.0),
        ];
        let names: Vec<&str> = METRICS.iter().map(|m| m.name).collect();
        assert_eq!(names, expected.iter().map(|(n, _)| *n).collect::<Vec<_>>(), "one expectation per figure, in order");
        for (m, (_, want)) in METRICS.iter().zip(expected) {
            let got = match m.reader {
                Reader::Run(read) => read(&r),
                Reader::Tasks(read) => Some(read(r.task_figures())),
                Reader::Service(read) => Some(read(&r.services[0])),
                Reader::Link(read) => Some(read(&r.links[0])),
            };
            assert_eq!(got, Some(*want), "{}", m.name);
        }
    }

    #[test]
    fn class_figures_read_the_class() {
        let r = distinct_result();
        let class = r.classes[0].task_figures();
        let read = |name: &str| match metric(name).unwrap().reader {
            Reader::Tasks(read) => read(class),
            other => panic!("{name} is read by {other:?}, not per class"),
        };
        assert_eq!(
            [read("throughput"), read("latency.p99"), read("wait.max"), read("tasks.cancelled")],
            [6.5, 7.4, 8.6, 35.0]
        );
    }

    #[test]
    fn figures_are_named_once_and_per_class_exactly_when_tasks_have_them() {
        for (i, m) in METRICS.iter().enumerate() {
            assert!(METRICS[..i].iter().all(|other| other.name != m.name), "{} twice", m.name);
            let per_class = ["throughput", "latency.", "wait.", "tasks."].iter().any(|p| m.name.starts_with(p));
            assert_eq!(m.per_class(), per_class, "{}", m.name);
        }
        let mut lag = distinct_result();
        lag.loop_lag_s = None;
        let Reader::Run(read) = metric("loop_lag.p99").unwrap().reader else { panic!("loop lag is a run figure") };
        assert_eq!(read(&lag), None, "a run without loop lag has no such figure");
    }

    #[test]
    fn defaults_allow_no_worsening_of_judged_figures() {
        let none = Limits::default();
        assert_eq!(for_name(&none, "latency.p99"), Limit { allowance: Allowance::Relative(0.0), text: "+0%".into() });
        assert_eq!(for_name(&none, "throughput").text, "-0%");
        assert_eq!(for_name(&none, "events"), Limit { allowance: Allowance::Off, text: "–".into() });
    }

    #[test]
    fn the_most_specific_rule_wins() {
        let l = limits(&["*=10%", "latency.*=+5%", "latency.p99=+10ms", "throughput=-3%", "memory=off"]);
        assert_eq!(for_name(&l, "latency.p99").allowance, Allowance::Absolute(0.01));
        assert_eq!(for_name(&l, "latency.p50").allowance, Allowance::Relative(0.05));
        assert_eq!(for_name(&l, "wait.p50"), Limit { allowance: Allowance::Relative(0.1), text: "+10%".into() });
        assert_eq!(for_name(&l, "throughput").text, "-3%");
        assert_eq!(for_name(&l, "memory").allowance, Allowance::Off);
        assert_eq!(for_name(&l, "tasks.completed").text, "-10%");
        let later = limits(&["latency.p99=+1%", "latency.p99=+2%"]);
        assert_eq!(for_name(&later, "latency.p99").text, "+2%");
    }

    #[test]
    fn absolute_limits_take_the_figures_unit() {
        let l = limits(&["throughput=-5/s", "tasks.failed=+2", "peak_threads=+4", "memory=+1MiB"]);
        assert_eq!(for_name(&l, "throughput").allowance, Allowance::Absolute(5.0));
        assert_eq!(for_name(&l, "tasks.failed").allowance, Allowance::Absolute(2.0));
        assert_eq!(for_name(&l, "memory").allowance, Allowance::Absolute(1_048_576.0));
    }

    #[test]
    fn mistakes_are_explained() {
        assert_eq!(error("latency.p99").message, "expected METRIC=LIMIT");
        let e = error("latncy.p99=+5%");
        assert_eq!(
            (e.message.as_str(), e.hint.as_str()),
            ("unknown figure \"latncy.p99\"", "did you mean \"latency.p99\"?")
        );
        assert!(error("throughput=+3%").message.contains("gets worse as it falls, so a limit on it is written -3%"));
        assert!(error("latency.p99=-5%").message.contains("written +5%"));
        assert!(error("*=+5%").message.contains("going up and others going down"));
        assert!(error("*=10ms").message.contains("different units"));
        assert!(error("events=+5%").message.contains("not judged"));
        assert!(error("latency.p99=+5 percent").message.contains("a duration such as +10ms"));
        assert!(error("lat.*=5%").message.contains("no figure is named"));
        assert!(error("latency.p99=+x%").message.contains("a percentage"));
    }
}
