//! `simbench compare BASE HEAD`: two runs' reports, figure by figure.

use super::Failure;
use super::output::out;
use anyhow::anyhow;
use clap::{Args, ValueEnum};
use simbench::report::compare::{self, Comparison, LoadedReport, limits::Limits};
use simbench::report::export::junit;
use simbench::report::files;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The base run: a report.json, or a directory of them (*.json and */report.json).
    base: PathBuf,

    /// The head run: a report.json, or a directory of them; matched to the base by scenario name.
    head: PathBuf,

    /// How much worse a figure may get before it is a regression, e.g. 'latency.p99=+5%', 'throughput=-3%',
    /// 'latency.*=+10ms', '*=1%', 'memory=off'. Default: +0% for every judged figure (docs/ci.md).
    #[arg(long = "limit", value_name = "METRIC=LIMIT")]
    limits: Vec<String>,

    /// Output format: text for a terminal, md for a pull-request comment or $GITHUB_STEP_SUMMARY, json for tools,
    /// html for one self-contained page with both percentile spectra per strategy.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,

    /// Fail on any change, better or worse, and on reports or strategies present on one side only
    /// (for committed baselines that must be kept current).
    #[arg(long)]
    strict: bool,

    /// Also write the verdicts as JUnit XML to FILE (one test suite per scenario and strategy).
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,

    /// With --format md: cut the comment to at most N characters, at a line, saying so in its last line
    /// (GitHub refuses comments over 65,536). 0: no limit.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_CHARS, allow_negative_numbers = true, value_parser = crate::cli::numbers::whole("--max-chars", 0usize))]
    max_chars: usize,
}

/// The Markdown budget: under GitHub's 65,536-character comment limit, with
/// room for a workflow's own lines around it.
pub const DEFAULT_MAX_CHARS: usize = 65_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    #[value(alias = "markdown")]
    Md,
    Json,
    /// One self-contained page: every figure base against head, and both
    /// percentile spectra per strategy.
    Html,
}

pub fn run(args: CompareArgs) -> Result<(), Failure> {
    let (comparison, base, head) = match compared(&args) {
        Ok(compared) => compared,
        Err(failure) => {
            // What a workflow posts must say what failed, never be empty.
            out!("{}", failure_note(args.format, &failure));
            return Err(failure);
        }
    };
    match args.format {
        Format::Md => out!("{}", compare::markdown::fit(render(&comparison, args.format), args.max_chars)),
        Format::Html => out!("{}", compare::html::render(&comparison, &base, &head)),
        _ => out!("{}", render(&comparison, args.format)),
    }
    if let Some(path) = &args.junit {
        write_junit(path, &comparison)?;
    }
    verdict(&comparison)
}

/// The comparison, and the reports it was made from (the HTML page draws
/// their histograms).
fn compared(args: &CompareArgs) -> Result<(Comparison, Vec<LoadedReport>, Vec<LoadedReport>), Failure> {
    let limits = Limits::parse(&args.limits).map_err(|e| Failure::Input(anyhow!(e)))?;
    let (base, head) = compare::load_pair(&args.base, &args.head).map_err(|e| Failure::Input(anyhow!(e)))?;
    let keep = |side: &[LoadedReport]| if args.format == Format::Html { side.to_vec() } else { Vec::new() };
    let (kept_base, kept_head) = (keep(&base), keep(&head));
    let comparison = compare::compare(base, head, &limits, args.strict).map_err(|e| Failure::Input(anyhow!(e)))?;
    Ok((comparison, kept_base, kept_head))
}

/// On standard output when no comparison could be made (the error itself
/// goes to standard error as usual): a short note in the chosen format, so
/// that a file a workflow posts or parses is never empty.
fn failure_note(format: Format, failure: &Failure) -> String {
    let message = failure.message();
    match format {
        Format::Text => format!("simbench compare: no comparison: {message}\n"),
        Format::Md => format!(
            "## simbench compare\n\n⚠️ **No comparison could be made**: {}\n",
            simbench::report::markdown::escape(&message)
        ),
        Format::Json => {
            format!("{}\n", serde_json::json!({ "schema": compare::json::SCHEMA, "error": message }))
        }
        Format::Html => format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>simbench compare</title>\n</head>\n<body>\n<h1>simbench compare</h1>\n<p>⚠️ <b>No comparison could be made</b>: {}</p>\n</body>\n</html>\n",
            simbench::report::html::escape(&message)
        ),
    }
}

/// The comparison in `format`.
pub fn render(comparison: &Comparison, format: Format) -> String {
    match format {
        Format::Text => compare::text::render(comparison),
        Format::Md => compare::markdown::render(comparison),
        Format::Json => compare::json::render(comparison),
        // The page draws the reports' histograms, which a comparison does
        // not hold; without them it has the tables only.
        Format::Html => compare::html::render(comparison, &[], &[]),
    }
}

fn write_junit(path: &Path, comparison: &Comparison) -> Result<(), Failure> {
    let xml = junit::render("simbench compare", &junit::comparison_suites(comparison));
    files::write_atomic(path, xml.as_bytes())
        .map_err(|e| Failure::Output(anyhow!("cannot write {}: {e}", path.display())))
}

/// Exit status 1 when a figure is past its limit (or, strict, anything changed).
pub fn verdict(comparison: &Comparison) -> Result<(), Failure> {
    match comparison.failures() {
        0 => Ok(()),
        n if comparison.strict => Err(Failure::Verdict(anyhow!(
            "{n} {} (--strict fails on any change; to accept it, update the baseline)",
            if n == 1 { "difference" } else { "differences" }
        ))),
        1 => Err(Failure::Verdict(anyhow!("1 regression past its limit"))),
        n => Err(Failure::Verdict(anyhow!("{n} regressions past their limits"))),
    }
}
