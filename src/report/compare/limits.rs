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

/// One comparable figure of a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MetricDef {
    /// As written in `--limit` and shown in tables: `latency.p99`.
    pub name: &'static str,
    pub unit: Unit,
    pub better: Better,
    /// Whether report.json has the figure per task class too.
    pub per_class: bool,
}

const fn def(name: &'static str, unit: Unit, better: Better, per_class: bool) -> MetricDef {
    MetricDef { name, unit, better, per_class }
}

/// Every figure compared, in table order.
pub const METRICS: &[MetricDef] = &[
    def("makespan", Unit::Seconds, Better::Lower, false),
    def("throughput", Unit::PerSecond, Better::Higher, true),
    def("latency.mean", Unit::Seconds, Better::Lower, true),
    def("latency.p50", Unit::Seconds, Better::Lower, true),
    def("latency.p90", Unit::Seconds, Better::Lower, true),
    def("latency.p99", Unit::Seconds, Better::Lower, true),
    def("latency.p999", Unit::Seconds, Better::Lower, true),
    def("latency.max", Unit::Seconds, Better::Lower, true),
    def("wait.mean", Unit::Seconds, Better::Lower, true),
    def("wait.p50", Unit::Seconds, Better::Lower, true),
    def("wait.p90", Unit::Seconds, Better::Lower, true),
    def("wait.p99", Unit::Seconds, Better::Lower, true),
    def("wait.p999", Unit::Seconds, Better::Lower, true),
    def("wait.max", Unit::Seconds, Better::Lower, true),
    def("loop_lag.mean", Unit::Seconds, Better::Lower, false),
    def("loop_lag.p50", Unit::Seconds, Better::Lower, false),
    def("loop_lag.p90", Unit::Seconds, Better::Lower, false),
    def("loop_lag.p99", Unit::Seconds, Better::Lower, false),
    def("loop_lag.p999", Unit::Seconds, Better::Lower, false),
    def("loop_lag.max", Unit::Seconds, Better::Lower, false),
    def("tasks.arrived", Unit::Tasks, Better::Neither, true),
    def("tasks.completed", Unit::Tasks, Better::Higher, true),
    def("tasks.failed", Unit::Tasks, Better::Lower, true),
    def("tasks.timed_out", Unit::Tasks, Better::Lower, true),
    def("tasks.cancelled", Unit::Tasks, Better::Lower, true),
    def("cpu", Unit::Fraction, Better::Neither, false),
    def("peak_in_flight", Unit::Tasks, Better::Neither, false),
    def("peak_threads", Unit::Tasks, Better::Lower, false),
    def("peak_coroutines", Unit::Tasks, Better::Lower, false),
    def("memory", Unit::Bytes, Better::Lower, false),
    def("events", Unit::Tasks, Better::Neither, false),
    // Per service and per link (scenarios with them), judged per resource.
    def("service.amplification", Unit::Tasks, Better::Lower, false),
    def("service.rejected", Unit::Tasks, Better::Lower, false),
    def("service.failed", Unit::Tasks, Better::Lower, false),
    def("service.abandoned", Unit::Tasks, Better::Lower, false),
    def("service.wasted", Unit::Tasks, Better::Lower, false),
    def("service.utilization", Unit::Fraction, Better::Neither, false),
    def("service.wait.p50", Unit::Seconds, Better::Lower, false),
    def("service.wait.p99", Unit::Seconds, Better::Lower, false),
    def("link.busy", Unit::Fraction, Better::Neither, false),
    def("link.bytes", Unit::Bytes, Better::Neither, false),
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
    let error = |message: String, hint: String| LimitError { spec: spec.to_string(), message, hint };
    let Some((name, value)) = spec.split_once('=') else {
        return Err(error(
            "expected METRIC=LIMIT".into(),
            "e.g. --limit 'latency.p99=+5%', --limit 'throughput=-3%', --limit 'latency.*=+10ms' or --limit 'memory=off'"
                .into(),
        ));
    };
    let (name, value) = (name.trim(), value.trim());
    let pattern = if name == "*" {
        Pattern::All
    } else if let Some(group) = name.strip_suffix(".*") {
        if !METRICS.iter().any(|m| Pattern::Group(group.to_string()).matches(m)) {
            let groups = ["latency", "wait", "loop_lag", "tasks"];
            let hint = match crate::scenario::suggest_closest(group, &groups) {
                Some(guess) => format!("did you mean \"{guess}.*\"?"),
                None => format!("groups: {}", groups.map(|g| format!("{g}.*")).join(", ")),
            };
            return Err(error(format!("no figure is named \"{group}.…\""), hint));
        }
        Pattern::Group(group.to_string())
    } else {
        match METRICS.iter().find(|m| m.name == name) {
            Some(m) => Pattern::Exact(m.name),
            None => {
                let all: Vec<&str> = METRICS.iter().map(|m| m.name).collect();
                let hint = match crate::scenario::suggest_closest(name, &all) {
                    Some(guess) => format!("did you mean \"{guess}\"?"),
                    None => format!("the figures are: {}", names()),
                };
                return Err(error(format!("unknown figure \"{name}\""), hint));
            }
        }
    };
    let matched: Vec<&MetricDef> =
        METRICS.iter().filter(|m| pattern.matches(m) && m.better != Better::Neither).collect();
    if matched.is_empty() {
        return Err(error(
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
        let worse_up = matched.iter().any(|m| m.better == Better::Lower);
        let worse_down = matched.iter().any(|m| m.better == Better::Higher);
        let (want, why) = match (worse_up, worse_down) {
            (true, true) => {
                return Err(error(
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
            return Err(error(
                format!("{name} {why}, so a limit on it is written {want}{magnitude}"),
                format!("write {name}={want}{magnitude} (or {magnitude} without a sign)"),
            ));
        }
    }
    let allowance = if let Some(percent) = magnitude.strip_suffix('%') {
        match parse_decimal(percent) {
            Some(p) => Allowance::Relative(p / 100.0),
            None => return Err(error(format!("expected a percentage such as 5%, found \"{magnitude}\""), hint())),
        }
    } else {
        let units: Vec<Unit> = matched.iter().map(|m| m.unit).collect();
        if units.iter().any(|u| *u != units[0]) {
            return Err(error(
                format!("\"{name}\" covers figures in different units, so its limit must be a percentage"),
                format!("e.g. {name}=5%"),
            ));
        }
        match absolute(units[0], magnitude) {
            Some(a) => Allowance::Absolute(a),
            None => {
                let example = match units[0] {
                    Unit::Seconds => "a duration such as +10ms",
                    Unit::PerSecond => "a rate such as -5/s",
                    Unit::Tasks => "a whole number such as +2",
                    Unit::Bytes => "a size such as +1MiB",
                    Unit::Fraction => "a percentage such as +5%",
                };
                return Err(error(format!("expected a percentage or {example}, found \"{magnitude}\""), hint()));
            }
        }
    };
    Ok((pattern, Limit { allowance, text: value.to_string() }))
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
