//! The comparison as GitHub-flavoured Markdown, for a pull-request comment
//! or `$GITHUB_STEP_SUMMARY`: one summary line, then per scenario a table
//! of the figures that moved (base, head, change, limit, verdict), with the
//! unchanged ones folded into a `<details>` block. Text from reports is
//! escaped.

use super::super::markdown::escape;
use super::super::table::{Align, Table};
use super::{Comparison, Row, ScenarioComparison, Verdict, changes_table, format_figure, scope, short};

pub fn render(c: &Comparison) -> String {
    let failures = c.failures();
    let mark = if failures > 0 {
        "❌"
    } else if c.is_unchanged() {
        "✅"
    } else {
        "☑️"
    };
    let mut out = format!("## simbench compare\n\n{mark} **{}**", escape(&c.headline()));
    if c.strict && failures > 0 && c.tally().regressions == 0 {
        out.push_str(" (strict: any change fails)");
    }
    out.push_str("\n\n");
    let (unchanged, moved): (Vec<&ScenarioComparison>, Vec<&ScenarioComparison>) =
        c.scenarios.iter().partition(|s| s.is_unchanged());
    for s in moved {
        out.push_str(&scenario(s));
    }
    if !unchanged.is_empty() {
        let names: Vec<String> = unchanged.iter().map(|s| format!("**{}**", escape(&s.name))).collect();
        out.push_str(&format!("No change in {}.\n\n", names.join(", ")));
    }
    for (name, path) in &c.only_in_base {
        out.push_str(&format!(
            "⚠️ **{}** is only in the base (`{}`): the head has no report of it.\n\n",
            escape(name),
            code(path)
        ));
    }
    for (name, path) in &c.only_in_head {
        out.push_str(&format!(
            "🆕 **{}** is only in the head (`{}`): no base to compare with.\n\n",
            escape(name),
            code(path)
        ));
    }
    out
}

/// Text inside an inline code span.
fn code(text: &str) -> String {
    text.replace('`', "'")
}

fn scenario(s: &ScenarioComparison) -> String {
    let mut out = format!("### {}\n\n", escape(&s.name));
    out.push_str(&format!("{}. Base `{}`, head `{}`", s.tally().describe(), code(&s.base.path), code(&s.head.path)));
    if s.base.sha256 == s.head.sha256 {
        out.push_str(&format!(", same scenario file (sha256 `{}`)", short(&s.head.sha256)));
    }
    out.push_str(".\n\n");
    for note in &s.notes {
        out.push_str(&format!("- {}\n", escape(note)));
    }
    for strategy in &s.only_in_base {
        out.push_str(&format!("- only in the base: {}\n", escape(strategy)));
    }
    for strategy in &s.only_in_head {
        out.push_str(&format!("- only in the head: {}\n", escape(strategy)));
    }
    if !(s.notes.is_empty() && s.only_in_base.is_empty() && s.only_in_head.is_empty()) {
        out.push('\n');
    }
    let (same, moved): (Vec<&Row>, Vec<&Row>) = s.rows.iter().partition(|r| r.verdict == Verdict::Unchanged);
    if !moved.is_empty() {
        let table = changes_table(&moved, escape, |m| format!("`{m}`"), |v| verdict(v).to_string());
        out.push_str(&table.to_markdown());
        out.push('\n');
    }
    if !same.is_empty() {
        out.push_str(&format!("<details><summary>{} unchanged figures</summary>\n\n", same.len()));
        let mut table = Table::new(&[("strategy", Align::Left), ("metric", Align::Left), ("value", Align::Right)]);
        for row in same {
            table.row(vec![
                escape(&scope(row)),
                format!("`{}`", row.metric.name),
                format_figure(row.metric.unit, row.head),
            ]);
        }
        out.push_str(&table.to_markdown());
        out.push_str("\n</details>\n\n");
    }
    out
}

fn verdict(v: Verdict) -> &'static str {
    match v {
        Verdict::Regression => "❌ regression",
        Verdict::Improved => "✅ improved",
        Verdict::Worse => "⚠️ worse within limit",
        Verdict::Changed => "changed",
        Verdict::Unchanged => "unchanged",
    }
}
