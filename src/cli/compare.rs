//! `simbench compare BASE HEAD`: two runs' reports, figure by figure.

use super::Failure;
use anyhow::anyhow;
use clap::{Args, ValueEnum};
use simbench::report::compare::{self, Comparison, limits::Limits};
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

    /// Output format: text for a terminal, md for a pull-request comment or $GITHUB_STEP_SUMMARY, json for tools.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,

    /// Fail on any change, better or worse, and on reports or strategies present on one side only
    /// (for committed baselines that must be kept current).
    #[arg(long)]
    strict: bool,

    /// Also write the verdicts as JUnit XML to FILE (one test suite per scenario and strategy).
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    #[value(alias = "markdown")]
    Md,
    Json,
}

pub fn run(args: CompareArgs) -> Result<(), Failure> {
    let limits = Limits::parse(&args.limits).map_err(|e| Failure::Input(anyhow!(e)))?;
    let (base, head) = compare::load_pair(&args.base, &args.head).map_err(|e| Failure::Input(anyhow!(e)))?;
    let comparison = compare::compare(base, head, &limits, args.strict).map_err(|e| Failure::Input(anyhow!(e)))?;
    print!("{}", render(&comparison, args.format));
    if let Some(path) = &args.junit {
        write_junit(path, &comparison)?;
    }
    verdict(&comparison)
}

/// The comparison in `format`.
pub fn render(comparison: &Comparison, format: Format) -> String {
    match format {
        Format::Text => compare::text::render(comparison),
        Format::Md => compare::markdown::render(comparison),
        Format::Json => compare::json::render(comparison),
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
