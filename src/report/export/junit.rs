//! JUnit XML for CI test reporters: one `<testsuite>` per strategy (per
//! scenario and strategy when comparing directories), one `<testcase>` per
//! SLO check and per compared figure that has a limit, with a `<failure>`
//! for each broken threshold and each regression.
//!
//! Test cases carry no `time`: the simulation's virtual time is not the
//! time the check took.
//!
//! Names are stable: a case is named after what it checks (`SLO latency
//! p99`, `limit latency.p99 (class page)`), never after its threshold or
//! limit, which appear in the failure message; so changing a limit renames
//! no test and reporters keep their history. Two checks of one figure in a
//! suite are told apart by a counter (`SLO latency p99 #2`). A suite with
//! nothing to check has one passing case, so that a report of zero tests is
//! never mistaken for a broken run.

use super::{ExportError, ExportFile, Exporter, Input};
use crate::report::Report;
use crate::report::compare::limits::Better;
use crate::report::compare::{Comparison, Row, ScenarioComparison, Verdict, format_change, format_figure};
use crate::report::{format_value, unit_named};

/// junit.xml: the run's SLO checks and, with `--baseline`, its limits.
pub struct JunitExporter;

impl Exporter for JunitExporter {
    fn serialize(&self, input: &Input<'_>) -> Result<Vec<ExportFile>, ExportError> {
        let suites = run_suites(input.report, input.baseline, input.strict);
        let xml = render(&format!("simbench {}", input.report.scenario.name), &suites);
        Ok(vec![ExportFile::new("junit.xml", xml)])
    }
}

/// A test case; `failure` is `(message, type)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    pub classname: String,
    pub name: String,
    pub failure: Option<(String, &'static str)>,
}

/// A test suite.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suite {
    pub name: String,
    pub cases: Vec<Case>,
}

impl Suite {
    /// A suite of `cases` with unique names (repeats numbered `#2`, `#3`, …
    /// in order), or the one passing case saying there was nothing to check.
    fn new(name: String, classname: &str, mut cases: Vec<Case>) -> Suite {
        if cases.is_empty() {
            let name = "nothing to check (no SLO or limit applies)".to_string();
            cases.push(Case { classname: classname.to_string(), name, failure: None });
        }
        let names: Vec<String> = cases.iter().map(|c| c.name.clone()).collect();
        for (i, case) in cases.iter_mut().enumerate() {
            let earlier = names[..i].iter().filter(|&n| *n == names[i]).count();
            if earlier > 0 {
                case.name = format!("{} #{}", names[i], earlier + 1);
            }
        }
        Suite { name, cases }
    }
}

/// The suites of a run: its SLO checks and, when it was compared with a
/// baseline, the limits of each figure. One suite per strategy, in order.
pub fn run_suites(report: &Report, baseline: Option<&ScenarioComparison>, strict: bool) -> Vec<Suite> {
    let scenario = &report.scenario.name;
    report
        .results
        .iter()
        .map(|result| {
            let classname = format!("simbench.{scenario}.{}", result.strategy);
            let mut cases: Vec<Case> = report
                .slos
                .iter()
                .filter(|slo| slo.strategy == result.strategy)
                .map(|slo| {
                    let scope = slo.class.as_ref().map_or_else(String::new, |c| format!(" (class {c})"));
                    let measured = unit_named(&slo.unit)
                        .map_or_else(|| slo.measured.to_string(), |u| format_value(u, slo.measured));
                    let failure = (!slo.passed).then(|| {
                        let metric = slo.threshold.split(['<', '>']).next().unwrap_or("").trim();
                        let bound = slo.threshold[metric.len()..].trim();
                        (format!("{metric} is {measured}{scope}, not {bound}"), "slo")
                    });
                    let metric = slo.threshold.split(['<', '>']).next().unwrap_or("").trim();
                    Case { classname: classname.clone(), name: format!("SLO {metric}{scope}"), failure }
                })
                .collect();
            if let Some(comparison) = baseline {
                let rows = comparison.rows.iter().filter(|r| r.strategy == result.strategy);
                cases.extend(rows.filter_map(|row| limit_case(&classname, row, strict)));
            }
            Suite::new(format!("{scenario} / {}", result.strategy), &classname, cases)
        })
        .collect()
}

/// The suites of a comparison: one per scenario and strategy.
pub fn comparison_suites(comparison: &Comparison) -> Vec<Suite> {
    let mut suites = Vec::new();
    for s in &comparison.scenarios {
        let mut strategies: Vec<&str> = Vec::new();
        for row in &s.rows {
            if !strategies.contains(&row.strategy.as_str()) {
                strategies.push(&row.strategy);
            }
        }
        for strategy in strategies {
            let classname = format!("simbench.{}.{strategy}", s.name);
            let cases = s
                .rows
                .iter()
                .filter(|r| r.strategy == strategy)
                .filter_map(|row| limit_case(&classname, row, comparison.strict))
                .collect();
            suites.push(Suite::new(format!("{} / {strategy}", s.name), &classname, cases));
        }
    }
    suites
}

/// The test case of a figure's limit; none for a figure that is not
/// judged (unless strict, where any change fails).
fn limit_case(classname: &str, row: &Row, strict: bool) -> Option<Case> {
    if row.metric.better == Better::Neither && !strict {
        return None;
    }
    let class = row.class.as_ref().map_or_else(String::new, |c| format!(" (class {c})"));
    let failure = row.fails(strict).then(|| {
        let unit = row.metric.unit;
        let message = format!(
            "{}{class}: {} → {} ({}), past the limit {}",
            row.metric.name,
            format_figure(unit, row.base),
            format_figure(unit, row.head),
            format_change(row),
            if strict { "of no change (--strict)" } else { row.limit.text.as_str() }
        );
        (message, if strict && row.verdict != Verdict::Regression { "change" } else { "regression" })
    });
    Some(Case { classname: classname.to_string(), name: format!("limit {}{class}", row.metric.name), failure })
}

/// The XML document.
pub fn render(name: &str, suites: &[Suite]) -> String {
    let tests: usize = suites.iter().map(|s| s.cases.len()).sum();
    let failures: usize = suites.iter().flat_map(|s| &s.cases).filter(|c| c.failure.is_some()).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">\n",
        escape(name)
    ));
    for suite in suites {
        let failed = suite.cases.iter().filter(|c| c.failure.is_some()).count();
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"0\">\n",
            escape(&suite.name),
            suite.cases.len()
        ));
        for case in &suite.cases {
            let open =
                format!("    <testcase classname=\"{}\" name=\"{}\"", escape(&case.classname), escape(&case.name));
            match &case.failure {
                None => out.push_str(&format!("{open}/>\n")),
                Some((message, kind)) => out.push_str(&format!(
                    "{open}>\n      <failure message=\"{}\" type=\"{kind}\">{}</failure>\n    </testcase>\n",
                    escape(message),
                    escape(message)
                )),
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// Text made safe for XML attributes and content; characters XML 1.0
/// cannot hold are dropped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_control_characters_are_escaped() {
        assert_eq!(escape("p99 < 5ms & \"x\" 'y'\u{1}"), "p99 &lt; 5ms &amp; &quot;x&quot; &apos;y&apos;");
    }

    #[test]
    fn names_are_unique_and_an_empty_suite_has_one_passing_case() {
        let case = |name: &str| Case { classname: "c".into(), name: name.into(), failure: None };
        let suite = Suite::new(
            "s".into(),
            "c",
            vec![case("SLO latency p99"), case("SLO latency p99"), case("SLO latency p99")],
        );
        let names: Vec<&str> = suite.cases.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["SLO latency p99", "SLO latency p99 #2", "SLO latency p99 #3"]);
        let empty = Suite::new("s".into(), "c", Vec::new());
        assert_eq!(empty.cases.len(), 1);
        assert!(empty.cases[0].failure.is_none());
    }

    #[test]
    fn failures_are_counted_per_suite_and_overall() {
        let case = |failure: Option<(String, &'static str)>| Case { classname: "c".into(), name: "n".into(), failure };
        let suites = [Suite { name: "s".into(), cases: vec![case(None), case(Some(("bad".into(), "slo")))] }];
        let xml = render("t", &suites);
        assert!(xml.contains("<testsuites name=\"t\" tests=\"2\" failures=\"1\" errors=\"0\">"), "{xml}");
        assert!(xml.contains("<testsuite name=\"s\" tests=\"2\" failures=\"1\""), "{xml}");
        assert!(xml.contains("<failure message=\"bad\" type=\"slo\">bad</failure>"), "{xml}");
    }
}
