//! The comparison as plain text, for a terminal: a headline, then per
//! scenario the figures that moved. Unchanged figures are counted, not
//! listed (`--format json` lists every figure).

use super::{Comparison, Row, ScenarioComparison, Verdict, changes_table};

pub fn render(c: &Comparison) -> String {
    let mut out = format!("simbench compare: {}\n", c.headline());
    let mut after_unchanged = false;
    for s in &c.scenarios {
        // Unchanged scenarios take one line each, without a blank between.
        let unchanged = s.is_unchanged();
        if !(unchanged && after_unchanged) {
            out.push('\n');
        }
        out.push_str(&scenario(s));
        after_unchanged = unchanged;
    }
    for (name, path) in &c.only_in_base {
        out.push_str(&format!("\n{name}: only in base ({path}); the head has no report of it\n"));
    }
    for (name, path) in &c.only_in_head {
        out.push_str(&format!("\n{name}: only in head ({path}); no base to compare with\n"));
    }
    out
}

fn scenario(s: &ScenarioComparison) -> String {
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
    let moved: Vec<&Row> = s.rows.iter().filter(|r| r.verdict != Verdict::Unchanged).collect();
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
    if tally.unchanged > 0 {
        out.push_str(&format!("  ({} unchanged figures not shown)\n", tally.unchanged));
    }
    out
}
