//! The validation table `simbench validate` prints, and validation.json.

use super::table::{Align, Table};
use crate::validate::{CaseResult, Validation};

/// Four significant digits, without exponent for the magnitudes validation
/// shows.
fn four(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    // Round first, so that 9.99999 is 10.00, not 10.000.
    let x: f64 = format!("{x:.3e}").parse().unwrap_or(x);
    let magnitude = x.abs().log10().floor() as i32;
    let decimals = (3 - magnitude).clamp(0, 12) as usize;
    format!("{x:.decimals$}")
}

/// The table: one row per checked figure.
pub fn table(validation: &Validation) -> Table {
    let mut t = Table::new(&[
        ("case", Align::Left),
        ("metric", Align::Left),
        ("analytic", Align::Right),
        ("simulated (95% CI)", Align::Right),
        ("rel. error", Align::Right),
        ("result", Align::Left),
    ]);
    for case in &validation.cases {
        for (i, row) in case.rows.iter().enumerate() {
            t.row(vec![
                if i == 0 { format!("{} ({})", case.case, case.queue) } else { String::new() },
                row.metric.to_string(),
                four(row.analytic),
                format!("{} ± {}", four(row.simulated.mean), four(row.simulated.half_width)),
                row.relative_error.map_or_else(|| "–".to_string(), |e| format!("{:+.2}%", e * 100.0)),
                if row.pass { "pass" } else { "FAIL" }.to_string(),
            ]);
        }
    }
    t
}

/// The terminal text: the table and a verdict.
pub fn render(validation: &Validation) -> String {
    let rows: usize = validation.cases.iter().map(|c| c.rows.len()).sum();
    let failed: Vec<&CaseResult> = validation.cases.iter().filter(|c| !c.pass).collect();
    let mut out = format!(
        "simbench validate{}: {} cases, {} figures, each simulated as the mean of R independent replications ± the 95% confidence half-width (Student t)\n\n",
        if validation.quick { " --quick" } else { "" },
        validation.cases.len(),
        rows
    );
    out.push_str(&table(validation).to_text());
    out.push('\n');
    if failed.is_empty() {
        out.push_str(&format!("every analytic value lies in its 95% confidence interval ({rows} of {rows})\n"));
    } else {
        let failing: usize = validation.cases.iter().flat_map(|c| &c.rows).filter(|r| !r.pass).count();
        let names: Vec<&str> = failed.iter().map(|c| c.case).collect();
        out.push_str(&format!(
            "{failing} of {rows} analytic values lie outside their 95% confidence interval, in: {}\n",
            names.join(", ")
        ));
    }
    out
}

/// validation.json: pretty-printed with a trailing newline.
pub fn json(validation: &Validation) -> String {
    let mut text = serde_json::to_string_pretty(validation).expect("a validation always serialises");
    text.push('\n');
    text
}

/// The table as Markdown, for docs/validation.md.
pub fn markdown(validation: &Validation) -> String {
    table(validation).to_markdown()
}

#[cfg(test)]
mod tests {
    use super::four;

    #[test]
    fn four_significant_digits() {
        assert_eq!(four(2.0), "2.000");
        assert_eq!(four(0.0123456), "0.01235");
        assert_eq!(four(46.0517), "46.05");
        assert_eq!(four(0.0), "0");
        assert_eq!(four(9.999_999_9), "10.00");
        assert_eq!(four(0.000_772_3), "0.0007723");
    }
}
