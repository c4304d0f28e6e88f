//! Service-level objectives: thresholds in the spirit of k6's, written as
//! text, such as `"latency p99 < 500ms"` or `"throughput >= 200/s"`.
//!
//! This module owns the threshold grammar; the decoder calls
//! [`parse_threshold`] for each entry of a scenario's `slos` and checks
//! scopes with [`Threshold::check_scope`]. Evaluation against results is
//! the metrics stage's job (`metrics::slo`).
//!
//! Grammar (docs/scenario.md#slos has examples):
//!
//! ```text
//! threshold := METRIC [STATISTIC] OP VALUE
//! latency | wait | loop_lag   STATISTIC: mean | p50 | p90 | p99 | p999 | max   VALUE: a duration ("500ms")
//! throughput                  VALUE: a rate ("200/s", "1200/min", "5/h")
//! makespan                    VALUE: a duration
//! timeouts | failures | cancelled | errors
//!                             STATISTIC: rate (VALUE: "1%" or a fraction "0.01") | count (VALUE: N)
//! cpu                         VALUE: "80%" or a fraction of cores × makespan
//! memory                      VALUE: a size ("64MiB", "500KB", "4096B")
//! OP := < | <= | > | >=       (≤ and ≥ also read)
//! ```
//!
//! `latency.p99` (the name `simbench compare` uses) reads the same as
//! `latency p99`. Invariant: a [`Threshold`] holds a metric, an operator and a
//! finite, non-negative bound in the metric's [`Unit`].

use super::duration::parse_duration;
use super::suggest::closest;
use super::units::{parse_bytes, parse_decimal, parse_rate};

/// One SLO: a threshold, for one strategy or all, and one class or all tasks.
#[derive(Clone, Debug, PartialEq)]
pub struct Slo {
    pub threshold: Threshold,
    /// The label of the only strategy it applies to; `None`: every strategy
    /// the metric applies to.
    pub strategy: Option<String>,
    /// The only task class it applies to; `None`: all tasks together.
    pub class: Option<String>,
}

/// A parsed threshold.
#[derive(Clone, Debug, PartialEq)]
pub struct Threshold {
    pub metric: Metric,
    pub op: Op,
    /// The bound, in the metric's [`Unit`].
    pub bound: f64,
    /// The threshold in canonical form: `latency p99 < 500ms`.
    pub text: String,
}

/// What a threshold measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    Latency(Statistic),
    Wait(Statistic),
    /// Cooperative strategies only, not per class.
    LoopLag(Statistic),
    Throughput,
    /// Not per class.
    Makespan,
    Outcome(OutcomeKind, Measure),
    /// CPU utilization, 0 to 1. Not per class.
    Cpu,
    /// Modelled memory at peak. Not per class.
    Memory,
}

/// A statistic of a latency summary, as report.json records them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Statistic {
    Mean,
    P50,
    P90,
    P99,
    P999,
    Max,
}

/// Task outcomes an SLO can bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutcomeKind {
    Timeouts,
    Failures,
    Cancelled,
    /// Failed, timed out or cancelled: every task that did not complete.
    Errors,
}

/// How outcomes are counted: a share of arrived tasks, or a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    Rate,
    Count,
}

/// A comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Lt,
    Le,
    Gt,
    Ge,
}

/// The unit of a metric's values and bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Seconds,
    PerSecond,
    /// A share from 0 to 1.
    Fraction,
    Tasks,
    Bytes,
}

impl Unit {
    /// The unit's name in report.json: `s`, `per_s`, `fraction`, `tasks`, `bytes`.
    pub fn name(self) -> &'static str {
        match self {
            Unit::Seconds => "s",
            Unit::PerSecond => "per_s",
            Unit::Fraction => "fraction",
            Unit::Tasks => "tasks",
            Unit::Bytes => "bytes",
        }
    }
}

impl Statistic {
    pub const ALL: [Statistic; 6] =
        [Statistic::Mean, Statistic::P50, Statistic::P90, Statistic::P99, Statistic::P999, Statistic::Max];

    pub fn name(self) -> &'static str {
        match self {
            Statistic::Mean => "mean",
            Statistic::P50 => "p50",
            Statistic::P90 => "p90",
            Statistic::P99 => "p99",
            Statistic::P999 => "p999",
            Statistic::Max => "max",
        }
    }
}

impl OutcomeKind {
    pub fn name(self) -> &'static str {
        match self {
            OutcomeKind::Timeouts => "timeouts",
            OutcomeKind::Failures => "failures",
            OutcomeKind::Cancelled => "cancelled",
            OutcomeKind::Errors => "errors",
        }
    }
}

impl Op {
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }

    /// Whether `value OP bound` holds.
    pub fn holds(self, value: f64, bound: f64) -> bool {
        match self {
            Op::Lt => value < bound,
            Op::Le => value <= bound,
            Op::Gt => value > bound,
            Op::Ge => value >= bound,
        }
    }
}

impl Metric {
    /// The metric's name as `simbench compare` and report.json write it:
    /// `latency.p99`, `throughput`, `timeouts.rate`.
    pub fn name(self) -> String {
        match self {
            Metric::Latency(s) => format!("latency.{}", s.name()),
            Metric::Wait(s) => format!("wait.{}", s.name()),
            Metric::LoopLag(s) => format!("loop_lag.{}", s.name()),
            Metric::Throughput => "throughput".into(),
            Metric::Makespan => "makespan".into(),
            Metric::Outcome(kind, Measure::Rate) => format!("{}.rate", kind.name()),
            Metric::Outcome(kind, Measure::Count) => format!("{}.count", kind.name()),
            Metric::Cpu => "cpu".into(),
            Metric::Memory => "memory".into(),
        }
    }

    pub fn unit(self) -> Unit {
        match self {
            Metric::Latency(_) | Metric::Wait(_) | Metric::LoopLag(_) | Metric::Makespan => Unit::Seconds,
            Metric::Throughput => Unit::PerSecond,
            Metric::Outcome(_, Measure::Rate) | Metric::Cpu => Unit::Fraction,
            Metric::Outcome(_, Measure::Count) => Unit::Tasks,
            Metric::Memory => Unit::Bytes,
        }
    }

    /// Whether report.json has the figure per task class.
    pub fn per_class(self) -> bool {
        matches!(self, Metric::Latency(_) | Metric::Wait(_) | Metric::Throughput | Metric::Outcome(..))
    }

    /// Whether only cooperative strategies have the figure.
    pub fn cooperative_only(self) -> bool {
        matches!(self, Metric::LoopLag(_))
    }

    fn words(self) -> String {
        self.name().replace('.', " ")
    }
}

/// Why a threshold or its scope was rejected: what is wrong, and a hint
/// that shows the grammar.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ThresholdError {
    pub message: String,
    pub hint: String,
}

const METRICS: &[&str] = &[
    "latency",
    "wait",
    "loop_lag",
    "throughput",
    "makespan",
    "timeouts",
    "failures",
    "cancelled",
    "errors",
    "cpu",
    "memory",
];
const STATISTICS: &[&str] = &["mean", "p50", "p90", "p99", "p999", "max"];
const MEASURES: &[&str] = &["rate", "count"];

/// The whole grammar on one line, for hints.
pub const GRAMMAR: &str = "A threshold reads METRIC [STATISTIC] OP VALUE: \
latency|wait|loop_lag mean|p50|p90|p99|p999|max OP DURATION (\"500ms\"); throughput OP RATE (\"200/s\"); \
makespan OP DURATION; timeouts|failures|cancelled|errors rate OP PERCENT (\"1%\") or count OP N; \
cpu OP PERCENT; memory OP SIZE (\"64MiB\"); OP is <, <=, > or >=";

/// The form one metric takes, for hints about that metric.
fn form(metric: &str) -> String {
    match metric {
        "latency" | "wait" | "loop_lag" => format!(
            "write {metric} STATISTIC OP DURATION, e.g. \"{metric} p99 < 500ms\"; STATISTIC is mean, p50, p90, p99, p999 or max"
        ),
        "throughput" => "write throughput OP RATE, e.g. \"throughput >= 200/s\" (per s, min or h)".into(),
        "makespan" => "write makespan OP DURATION, e.g. \"makespan <= 10s\"".into(),
        "cpu" => "write cpu OP PERCENT, e.g. \"cpu < 80%\"".into(),
        "memory" => "write memory OP SIZE, e.g. \"memory < 64MiB\" (B, KB, MB, GB, KiB, MiB, GiB)".into(),
        outcome => format!(
            "write {outcome} rate OP PERCENT or {outcome} count OP N, e.g. \"{outcome} rate < 1%\" or \"{outcome} count <= 3\""
        ),
    }
}

fn fail<T>(message: impl Into<String>, hint: impl Into<String>) -> Result<T, ThresholdError> {
    Err(ThresholdError { message: message.into(), hint: hint.into() })
}

/// Parses threshold text such as `"latency p99 < 500ms"`.
///
/// ```
/// use simbench::scenario::{parse_threshold, Metric, Op, Statistic};
/// let t = parse_threshold("latency.p99<=1.5s").unwrap();
/// assert_eq!((t.metric, t.op, t.bound), (Metric::Latency(Statistic::P99), Op::Le, 1.5));
/// assert_eq!(t.text, "latency p99 <= 1.5s");
/// assert!(parse_threshold("latency p99 < 500").is_err());
/// ```
pub fn parse_threshold(text: &str) -> Result<Threshold, ThresholdError> {
    let text = text.trim();
    if text.is_empty() {
        return fail("expected a threshold such as \"latency p99 < 500ms\", found an empty string", GRAMMAR);
    }
    let (left, op, value) = split_at_op(text)?;
    let (name, metric) = metric(left, op)?;
    if value.is_empty() {
        return fail(format!("no value after \"{}\"", op.symbol()), form(name));
    }
    let bound = bound(metric, name, op, value)?;
    Ok(Threshold { metric, op, bound, text: format!("{} {} {value}", metric.words(), op.symbol()) })
}

/// The text before the comparison, the comparison, and the value after it
/// (both trimmed).
fn split_at_op(text: &str) -> Result<(&str, Op, &str), ThresholdError> {
    let Some(at) = text.find(['<', '>', '≤', '≥', '=', '!']) else {
        return fail("no comparison: expected <, <=, > or >= between the metric and the value", GRAMMAR);
    };
    let rest = &text[at..];
    let (op, op_len) = if rest.starts_with("<=") {
        (Op::Le, 2)
    } else if rest.starts_with(">=") {
        (Op::Ge, 2)
    } else if rest.starts_with('<') {
        (Op::Lt, 1)
    } else if rest.starts_with('>') {
        (Op::Gt, 1)
    } else if rest.starts_with('≤') {
        (Op::Le, '≤'.len_utf8())
    } else if rest.starts_with('≥') {
        (Op::Ge, '≥'.len_utf8())
    } else {
        let found: String = rest.chars().take_while(|c| matches!(c, '=' | '!')).collect();
        return fail(
            format!("expected a comparison <, <=, > or >=, found \"{found}\""),
            "an SLO bounds a figure from one side, e.g. \"latency p99 < 500ms\" or \"throughput >= 200/s\"",
        );
    };
    Ok((text[..at].trim(), op, text[at + op_len..].trim()))
}

/// The metric named before the comparison `op` (`latency p99`,
/// `latency.p99`, `throughput`), with its first word.
fn metric(left: &str, op: Op) -> Result<(&str, Metric), ThresholdError> {
    let words: Vec<&str> = left.split(|c: char| c.is_whitespace() || c == '.').filter(|w| !w.is_empty()).collect();
    let Some(&name) = words.first() else {
        return fail(format!("no metric before \"{}\"", op.symbol()), GRAMMAR);
    };
    if !METRICS.contains(&name) {
        let hint = match closest(name, METRICS) {
            Some(guess) => format!("did you mean \"{guess}\"? {GRAMMAR}"),
            None => GRAMMAR.to_string(),
        };
        return fail(format!("unknown metric \"{name}\""), hint);
    }
    let second = words.get(1).copied();
    if let Some(extra) = words.get(2) {
        return fail(format!("unexpected \"{extra}\" after \"{} {}\"", name, words[1]), form(name));
    }
    let metric = match name {
        "latency" => Metric::Latency(statistic(name, second)?),
        "wait" => Metric::Wait(statistic(name, second)?),
        "loop_lag" => Metric::LoopLag(statistic(name, second)?),
        "timeouts" => Metric::Outcome(OutcomeKind::Timeouts, measure(name, second)?),
        "failures" => Metric::Outcome(OutcomeKind::Failures, measure(name, second)?),
        "cancelled" => Metric::Outcome(OutcomeKind::Cancelled, measure(name, second)?),
        "errors" => Metric::Outcome(OutcomeKind::Errors, measure(name, second)?),
        _ => {
            if let Some(extra) = second {
                return fail(format!("{name} takes no statistic, found \"{extra}\""), form(name));
            }
            match name {
                "throughput" => Metric::Throughput,
                "makespan" => Metric::Makespan,
                "cpu" => Metric::Cpu,
                _ => Metric::Memory,
            }
        }
    };
    Ok((name, metric))
}

/// How an outcome metric (`name`) is counted: `rate` or `count`.
fn measure(name: &str, word: Option<&str>) -> Result<Measure, ThresholdError> {
    match word {
        Some("rate") => Ok(Measure::Rate),
        Some("count") => Ok(Measure::Count),
        Some(other) => {
            let hint = match closest(other, MEASURES) {
                Some(guess) => format!("did you mean \"{guess}\"? {}", form(name)),
                None => form(name),
            };
            fail(format!("unknown statistic \"{other}\" for {name}; expected rate or count"), hint)
        }
        None => fail(format!("\"{name}\" needs a statistic: rate or count"), form(name)),
    }
}

/// The bound `value` in `metric`'s unit (`name` is the metric's first word,
/// for hints).
fn bound(metric: Metric, name: &str, op: Op, value: &str) -> Result<f64, ThresholdError> {
    let op = op.symbol();
    let wrong = |message: String| ThresholdError { message, hint: form(name) };
    match metric.unit() {
        Unit::Seconds => parse_duration(value)
            .map(|d| d.as_secs_f64())
            .map_err(|e| wrong(format!("expected a duration after \"{op}\": {e}"))),
        Unit::PerSecond => parse_rate(value)
            .ok_or_else(|| wrong(format!("expected a rate such as \"200/s\" after \"{op}\", found \"{value}\""))),
        Unit::Fraction => fraction(value).ok_or_else(|| {
            wrong(format!(
                "expected a percentage from 0% to 100% (or a fraction from 0 to 1) after \"{op}\", found \"{value}\""
            ))
        }),
        Unit::Tasks => value
            .parse::<u64>()
            .map(|n| n as f64)
            .map_err(|_| wrong(format!("expected a whole number of tasks after \"{op}\", found \"{value}\""))),
        Unit::Bytes => parse_bytes(value)
            .map(f64::round)
            .ok_or_else(|| wrong(format!("expected a size such as \"64MiB\" after \"{op}\", found \"{value}\""))),
    }
}

fn statistic(metric: &str, word: Option<&str>) -> Result<Statistic, ThresholdError> {
    let Some(word) = word else {
        return fail(format!("\"{metric}\" needs a statistic: mean, p50, p90, p99, p999 or max"), form(metric));
    };
    if let Some(s) = Statistic::ALL.iter().find(|s| s.name() == word) {
        return Ok(*s);
    }
    let hint = match closest(word, STATISTICS) {
        Some(guess) if !word.starts_with('p') => format!("did you mean \"{guess}\"? {}", form(metric)),
        _ => format!("report.json keeps mean, p50, p90, p99, p999 and max; {}", form(metric)),
    };
    fail(format!("unknown statistic \"{word}\" for {metric}"), hint)
}

/// `"1%"` or `"0.01"` as a fraction from 0 to 1.
fn fraction(text: &str) -> Option<f64> {
    let x = match text.strip_suffix('%') {
        Some(percent) => parse_decimal(percent)? / 100.0,
        None => parse_decimal(text)?,
    };
    (0.0..=1.0).contains(&x).then_some(x)
}

/// Where an SLO's scope is wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeField {
    Threshold,
    Strategy,
    Class,
}

impl Threshold {
    /// Checks that the metric exists for the scope: `strategy_kind` is the
    /// kind of the scoped strategy (`None`: all strategies), `any_cooperative`
    /// whether the scenario has a cooperative strategy, `class` whether a
    /// class is named.
    pub fn check_scope(
        &self,
        strategy_kind: Option<&str>,
        any_cooperative: bool,
        class: bool,
    ) -> Result<(), (ScopeField, ThresholdError)> {
        let name = self.metric.words();
        if class && !self.metric.per_class() {
            let message = format!("{name} is measured per strategy, not per task class");
            let hint = "remove \"class\", or bound a per-class figure: latency, wait, throughput, timeouts, failures, cancelled or errors";
            return Err((ScopeField::Class, ThresholdError { message, hint: hint.into() }));
        }
        if self.metric.cooperative_only() {
            match strategy_kind {
                Some(kind) if kind != "cooperative" => {
                    let message = format!("{name} is measured for cooperative strategies only, not {kind}");
                    let hint =
                        "scope it to a cooperative strategy, or remove \"strategy\" to check every cooperative one";
                    return Err((ScopeField::Strategy, ThresholdError { message, hint: hint.into() }));
                }
                None if !any_cooperative => {
                    let message =
                        format!("{name} is measured for cooperative strategies only, and this scenario has none");
                    let hint = "add a \"cooperative\" strategy, or remove this SLO";
                    return Err((ScopeField::Threshold, ThresholdError { message, hint: hint.into() }));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> (Metric, Op, f64) {
        let t = parse_threshold(text).unwrap_or_else(|e| panic!("{text}: {e} ({})", e.hint));
        (t.metric, t.op, t.bound)
    }

    fn error(text: &str) -> ThresholdError {
        parse_threshold(text).expect_err(text)
    }

    #[test]
    fn every_metric_parses_with_its_unit() {
        use Metric::*;
        assert_eq!(parsed("latency p99 < 500ms"), (Latency(Statistic::P99), Op::Lt, 0.5));
        assert_eq!(parsed("wait mean <= 2s"), (Wait(Statistic::Mean), Op::Le, 2.0));
        assert_eq!(parsed("loop_lag max < 10ms"), (LoopLag(Statistic::Max), Op::Lt, 0.01));
        assert_eq!(parsed("throughput >= 200/s"), (Throughput, Op::Ge, 200.0));
        assert_eq!(parsed("throughput > 1200/min"), (Throughput, Op::Gt, 20.0));
        assert_eq!(parsed("makespan <= 10s"), (Makespan, Op::Le, 10.0));
        assert_eq!(parsed("timeouts rate < 1%"), (Outcome(OutcomeKind::Timeouts, Measure::Rate), Op::Lt, 0.01));
        assert_eq!(parsed("errors rate < 0.05"), (Outcome(OutcomeKind::Errors, Measure::Rate), Op::Lt, 0.05));
        assert_eq!(parsed("failures count <= 3"), (Outcome(OutcomeKind::Failures, Measure::Count), Op::Le, 3.0));
        assert_eq!(parsed("cpu < 80%"), (Cpu, Op::Lt, 0.8));
        assert_eq!(parsed("memory < 64MiB"), (Memory, Op::Lt, 67_108_864.0));
        assert_eq!(parsed("memory < 1.5KB"), (Memory, Op::Lt, 1500.0));
    }

    #[test]
    fn spacing_dots_and_unicode_operators_are_accepted() {
        assert_eq!(parsed("latency.p99<500ms"), parsed("latency p99 < 500ms"));
        assert_eq!(parsed("  latency   p99   ≤  1s "), parsed("latency p99 <= 1s"));
        assert_eq!(parsed("throughput ≥ 5/h").1, Op::Ge);
        assert_eq!(parse_threshold("latency.p99<=500ms").unwrap().text, "latency p99 <= 500ms");
        assert_eq!(parse_threshold("timeouts rate<1%").unwrap().text, "timeouts rate < 1%");
    }

    #[test]
    fn mistakes_say_what_and_show_the_grammar() {
        let e = error("latncy p99 < 500ms");
        assert_eq!(e.message, "unknown metric \"latncy\"");
        assert!(e.hint.starts_with("did you mean \"latency\"? A threshold reads METRIC [STATISTIC] OP VALUE"));
        let e = error("latency p95 < 500ms");
        assert_eq!(e.message, "unknown statistic \"p95\" for latency");
        assert!(e.hint.contains("p50, p90, p99, p999 and max"), "{}", e.hint);
        assert!(error("latency < 500ms").message.contains("needs a statistic"));
        assert!(error("latency p99 500ms").message.starts_with("no comparison"));
        assert_eq!(error("latency p99 == 1s").message, "expected a comparison <, <=, > or >=, found \"==\"");
        let e = error("latency p99 < 500");
        assert_eq!(e.message, "expected a duration after \"<\": missing unit; write e.g. \"500ms\" or \"500s\"");
        assert!(e.hint.contains("latency STATISTIC OP DURATION"));
        assert!(error("throughput >= 200").message.contains("expected a rate"));
        assert!(error("timeouts rate < 150%").message.contains("from 0% to 100%"));
        assert!(error("timeouts < 1%").message.contains("needs a statistic: rate or count"));
        assert!(error("timeouts rat < 1%").hint.starts_with("did you mean \"rate\"?"));
        assert!(error("makespan p99 < 1s").message.contains("takes no statistic"));
        assert!(error("failures count < 1.5").message.contains("whole number"));
        assert!(error("memory < 64 parsecs").message.contains("a size"));
        assert!(error("latency p99 p50 < 1s").message.contains("unexpected \"p50\""));
        assert!(error("").message.contains("empty"));
        assert!(error("< 1s").message.starts_with("no metric"));
        assert!(error("latency p99 <").message.starts_with("no value"));
        assert!(error("throughput > -1/s").message.contains("expected a rate"));
    }

    #[test]
    fn scopes_must_have_the_figure() {
        let makespan = parse_threshold("makespan < 1s").unwrap();
        assert_eq!(makespan.check_scope(None, true, true).unwrap_err().0, ScopeField::Class);
        assert!(makespan.check_scope(Some("threaded"), false, false).is_ok());
        let lag = parse_threshold("loop_lag p99 < 1ms").unwrap();
        assert_eq!(lag.check_scope(Some("threaded"), true, false).unwrap_err().0, ScopeField::Strategy);
        assert_eq!(lag.check_scope(None, false, false).unwrap_err().0, ScopeField::Threshold);
        assert!(lag.check_scope(None, true, false).is_ok());
        assert!(parse_threshold("latency p50 < 1s").unwrap().check_scope(None, false, true).is_ok());
    }

    #[test]
    fn operators_compare_as_written() {
        assert!(Op::Lt.holds(1.0, 2.0) && !Op::Lt.holds(2.0, 2.0));
        assert!(Op::Le.holds(2.0, 2.0) && Op::Ge.holds(2.0, 2.0));
        assert!(Op::Gt.holds(3.0, 2.0) && !Op::Gt.holds(2.0, 2.0));
    }
}
