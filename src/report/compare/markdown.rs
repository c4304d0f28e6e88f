//! The comparison as GitHub-flavoured Markdown, for a pull-request comment
//! or `$GITHUB_STEP_SUMMARY`: one summary line, then per scenario a table
//! of the figures that moved (base, head, change, limit, verdict), with the
//! unchanged ones folded into a `<details>` block (with those that moved
//! less than the display precision shows), then the head's SLO verdicts.
//! Text from reports is escaped. [`fit`] keeps the comment within a
//! character budget (GitHub refuses comments over 65,536 characters).

use super::super::markdown::escape;
use super::super::table::{Align, Table};
use super::{Comparison, Row, ScenarioComparison, Verdict, changes_table, format_figure, scope, short};
use crate::metrics::slo::SloOutcome;
use crate::report::{format_value, unit_named};

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
        out.push_str(&scenario(s, c.strict));
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
    out.push_str(&slos(c));
    out
}

/// The head's SLO verdicts: a count, the failed ones in a table, the met
/// ones folded. Nothing when the head checks no SLO.
fn slos(c: &Comparison) -> String {
    let all: Vec<_> = c.head_slos().collect();
    if all.is_empty() {
        return String::new();
    }
    let (met, failed): (Vec<_>, Vec<_>) = all.iter().partition(|(_, o)| o.passed);
    let mark = if failed.is_empty() { "✅" } else { "❌" };
    let mut out = format!("### SLOs (head)\n\n{mark} {} met, {} failed.\n\n", met.len(), failed.len());
    let table = |rows: &[&(&str, &SloOutcome)]| {
        let mut t = Table::new(&[
            ("scenario", Align::Left),
            ("strategy", Align::Left),
            ("class", Align::Left),
            ("SLO", Align::Left),
            ("measured", Align::Right),
        ]);
        for (name, o) in rows {
            let measured = unit_named(&o.unit).map_or_else(|| o.measured.to_string(), |u| format_value(u, o.measured));
            t.row(vec![
                escape(name),
                escape(&o.strategy),
                o.class.as_deref().map_or_else(|| "all".to_string(), escape),
                format!("`{}`", code(&o.threshold)),
                measured,
            ]);
        }
        t.to_markdown()
    };
    if !failed.is_empty() {
        out.push_str(&table(&failed));
        out.push('\n');
    }
    if !met.is_empty() {
        out.push_str(&format!("<details><summary>{} met</summary>\n\n{}\n</details>\n\n", met.len(), table(&met)));
    }
    out
}

/// `text` cut to at most `budget` characters (0: no budget) at a line
/// boundary, with open `<details>` blocks closed and a last line saying
/// what was left out and how to see all of it.
pub fn fit(text: String, budget: usize) -> String {
    let total = text.chars().count();
    if budget == 0 || total <= budget {
        return text;
    }
    let note = |shown: usize| {
        format!(
            "\n> ✂️ **Truncated** to {shown} of {total} characters (`--max-chars {budget}`): \
             run `simbench compare` with `--max-chars 0`, or see `--format json`, for the whole comparison.\n"
        )
    };
    // Room for the note (its length at the widest figures) and closing tags.
    let reserve = note(total).chars().count() + 64;
    let keep = budget.saturating_sub(reserve);
    let cut = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
    let end = text[..cut].rfind('\n').map_or(0, |i| i + 1);
    let mut out = text[..end].to_string();
    let open = out.matches("<details>").count().saturating_sub(out.matches("</details>").count());
    for _ in 0..open {
        out.push_str("\n</details>\n");
    }
    let shown = out.chars().count();
    out.push_str(&note(shown));
    out
}

/// Text inside an inline code span.
fn code(text: &str) -> String {
    text.replace('`', "'")
}

fn scenario(s: &ScenarioComparison, strict: bool) -> String {
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
    let (moved, same): (Vec<&Row>, Vec<&Row>) = s.rows.iter().partition(|r| r.shown_as_moved(strict));
    let below_precision = same.iter().filter(|r| r.verdict != Verdict::Unchanged).count();
    if !moved.is_empty() {
        let table = changes_table(&moved, escape, |m| format!("`{m}`"), |v| verdict(v).to_string());
        out.push_str(&table.to_markdown());
        out.push('\n');
    }
    if !same.is_empty() {
        let summary = match below_precision {
            0 => format!("{} unchanged figures", same.len()),
            k => format!("{} unchanged figures ({k} moved less than the precision shown)", same.len()),
        };
        out.push_str(&format!("<details><summary>{summary}</summary>\n\n"));
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
