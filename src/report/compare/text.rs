//! The comparison as plain text, for a terminal: a headline, then per
//! scenario the figures that moved. Unchanged figures (and those that moved
//! less than the display precision shows) are counted, not listed
//! (`--format json` lists every figure); then the head's failed SLOs.

use super::{Comparison, Row, ScenarioComparison, Verdict, changes_table};
use crate::report::{format_value, unit_named};

pub fn render(c: &Comparison) -> String {
    let mut out = format!("simbench compare: {}\n", c.headline());
    let mut after_unchanged = false;
    for s in &c.scenarios {
        // Unchanged scenarios take one line each, without a blank between.
        let unchanged = s.is_unchanged();
        if !(unchanged && after_unchanged) {
            out.push('\n');
        }
        out.push_str(&scenario(s, c.strict));
        after_unchanged = unchanged;
    }
    for (name, path) in &c.only_in_base {
        out.push_str(&format!("\n{name}: only in base ({path}); the head has no report of it\n"));
    }
    for (name, path) in &c.only_in_head {
        out.push_str(&format!("\n{name}: only in head ({path}); no base to compare with\n"));
    }
    let slos: Vec<_> = c.head_slos().collect();
    if !slos.is_empty() {
        let failed: Vec<_> = slos.iter().filter(|(_, o)| !o.passed).collect();
        out.push_str(&format!("\nSLOs (head): {} met, {} failed\n", slos.len() - failed.len(), failed.len()));
        for (name, o) in failed {
            let class = o.class.as_ref().map_or_else(String::new, |c| format!(" (class {c})"));
            let measured = unit_named(&o.unit).map_or_else(|| o.measured.to_string(), |u| format_value(u, o.measured));
            out.push_str(&format!("  FAILED {name} / {}{class}: {} (measured {measured})\n", o.strategy, o.threshold));
        }
    }
    out
}

fn scenario(s: &ScenarioComparison, strict: bool) -> String {
    let tally = s.tally();
    if s.is_unchanged() {
        return format!("{}: no change ({} figures)\n", s.name, tally.total());
    }
    let mut out = format!("{}: {}\n", s.name, tally.describe());
    out.push_str(&format!("  base: {} (scenario {})\n", s.base.path, s.base.file));
    out.push_str(&format!("  head: {} (scenario {})\n", s.head.path, s.head.file));
    for note in &s.notes {
        out.push_str(&format!("  note: {note}\n"));
    }
    for strategy in &s.only_in_base {
        out.push_str(&format!("  only in base: {strategy}\n"));
    }
    for strategy in &s.only_in_head {
        out.push_str(&format!("  only in head: {strategy}\n"));
    }
    let moved: Vec<&Row> = s.rows.iter().filter(|r| r.shown_as_moved(strict)).collect();
    let below_precision =
        s.rows.iter().filter(|r| r.verdict != Verdict::Unchanged && !r.shown_as_moved(strict)).count();
    if !moved.is_empty() {
        out.push('\n');
        let table = changes_table(&moved, str::to_string, str::to_string, |v| match v {
            Verdict::Regression => "REGRESSION".to_string(),
            other => other.name().to_string(),
        });
        for line in table.to_text().lines() {
            out.push_str(&format!("  {line}\n"));
        }
    }
    match (tally.unchanged, below_precision) {
        (0, 0) => {}
        (n, 0) => out.push_str(&format!("  ({n} unchanged figures not shown)\n")),
        (n, k) => out.push_str(&format!(
            "  ({n} unchanged figures and {k} that moved less than the precision shown, not shown)\n"
        )),
    }
    out
}
