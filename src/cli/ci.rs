//! What `simbench run` does for CI, kept apart from `run.rs`: SLO verdicts,
//! `--baseline` comparison and `--update-baseline`, and `--export`.
//!
//! [`prepare`] runs before the simulation (so a bad `--limit` or a missing
//! baseline costs no simulation time); [`finish`] runs after report.json and
//! report.md are written.

use super::Failure;
use super::compare::{Format, render, verdict};
use super::output::outln;
use anyhow::anyhow;
use clap::{Args, ValueEnum};
use simbench::metrics::intervals::IntervalSeries;
use simbench::model::Scenario;
use simbench::report::compare::{self, LoadedReport, limits::Limits};
use simbench::report::{self, Report, export, files};
use simbench::time::SimDuration;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct CiArgs {
    /// Compare this run with a baseline report.json and print the changes; exit 1 on a regression.
    #[arg(long, value_name = "BASE.json")]
    baseline: Option<PathBuf>,

    /// Write this run's report.json to the --baseline path, creating or replacing it (never done otherwise).
    #[arg(long, requires = "baseline")]
    update_baseline: bool,

    /// With --baseline: how much worse a figure may get, as for `simbench compare`.
    #[arg(long = "limit", value_name = "METRIC=LIMIT", requires = "baseline")]
    limits: Vec<String>,

    /// With --baseline: fail on any change, better or worse.
    #[arg(long, requires = "baseline")]
    strict: bool,

    /// Also write, beside report.json: junit (junit.xml), hgrm (STRATEGY.hgrm), hlog (latency.hlog),
    /// csv (summary.csv, classes.csv, and services.csv, links.csv, queues.csv when they apply), bmf (bmf.json, for Bencher), benchmark-action (benchmark-action-smaller.json
    /// and benchmark-action-bigger.json, for github-action-benchmark), or all. Comma-separated or repeated.
    #[arg(long, value_name = "FORMATS", value_enum, value_delimiter = ',')]
    export: Vec<Export>,

    /// With --export hlog: each interval of latency.hlog, in virtual time (whole milliseconds: 250ms, 1s, 1min).
    #[arg(long, value_name = "DURATION", default_value = "1s", allow_hyphen_values = true, value_parser = super::numbers::hlog_interval)]
    hlog_interval: SimDuration,
}

impl CiArgs {
    /// The interval latency.hlog is written in, when it is asked for: the
    /// metrics stage then records latency per interval.
    pub fn hlog_interval(&self) -> Option<SimDuration> {
        let hlog = self.export.iter().any(|e| e.formats().contains(&export::Format::Hlog));
        hlog.then_some(self.hlog_interval)
    }
}

/// An export format, as `--export` takes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Export {
    Junit,
    Hgrm,
    Hlog,
    Csv,
    Bmf,
    BenchmarkAction,
    All,
}

impl Export {
    /// The formats this choice asks for.
    fn formats(self) -> &'static [export::Format] {
        use export::Format;
        match self {
            Export::Junit => &[Format::Junit],
            Export::Hgrm => &[Format::Hgrm],
            Export::Hlog => &[Format::Hlog],
            Export::Csv => &[Format::Csv],
            Export::Bmf => &[Format::Bmf],
            Export::BenchmarkAction => &[Format::BenchmarkAction],
            Export::All => &Format::ALL,
        }
    }
}

/// What `prepare` found out.
pub struct Prepared {
    baseline: Option<LoadedReport>,
    limits: Limits,
}

/// Checks the CI options before anything is simulated: the limits parse,
/// and the baseline exists (unless it is to be created), reads, and is a
/// report of this scenario.
pub fn prepare(args: &CiArgs, scenario: &Scenario) -> Result<Prepared, Failure> {
    let limits = Limits::parse(&args.limits).map_err(|e| Failure::Input(anyhow!(e)))?;
    let baseline = match &args.baseline {
        Some(path) if path.exists() => {
            let base = compare::load(path).map_err(|e| Failure::Input(anyhow!(e)))?;
            if base.view.scenario.name != scenario.name {
                return Err(Failure::Input(anyhow!(
                    "{} is a baseline of scenario \"{}\", not \"{}\"; give the baseline of this scenario",
                    path.display(),
                    base.view.scenario.name,
                    scenario.name
                )));
            }
            Some(base)
        }
        Some(_) if args.update_baseline => None,
        Some(path) => {
            return Err(Failure::Input(anyhow!(
                "no baseline at {}; to create it from this run, add --update-baseline",
                path.display()
            )));
        }
        None => None,
    };
    Ok(Prepared { baseline, limits })
}

/// What a run produced that CI reads: the report, and the latency per
/// interval latency.hlog is written from (empty unless asked for).
pub struct Results<'a> {
    pub report: &'a Report,
    pub intervals: &'a [IntervalSeries],
}

/// After report.json, report.md and the charts are staged: compares with the
/// baseline, stages the exports, moves the whole report into `out_dir`
/// (nothing of it if anything failed or Ctrl-C came first), calls
/// `announce` (what `run` prints of the report), writes the baseline,
/// prints verdicts, and returns the exit status's failure when an SLO
/// failed or a figure regressed.
pub fn finish(
    args: CiArgs,
    prepared: Prepared,
    Results { report, intervals }: Results<'_>,
    out_dir: &Path,
    staging: files::Staging,
    quiet: bool,
    announce: impl FnOnce(),
) -> Result<(), Failure> {
    let json = report::json::render(report);
    let comparison = match &prepared.baseline {
        Some(base) => {
            let head = compare::parse(&json, &out_dir.join("report.json").display().to_string())
                .map_err(|e| Failure::Output(anyhow!("cannot read back the new report: {e}")))?;
            let c = compare::compare(vec![base.clone()], vec![head], &prepared.limits, args.strict)
                .map_err(|e| Failure::Input(anyhow!(e)))?;
            Some(c)
        }
        None => None,
    };

    let results = Results { report, intervals };
    let written = export(&args.export, results, comparison.as_ref(), args.strict, staging.path())?;
    if super::guards::interrupted() {
        return Err(Failure::Interrupted);
    }
    staging
        .commit(report::is_run_output)
        .map_err(|e| Failure::Output(anyhow!("cannot move the report into {}: {e}", out_dir.display())))?;
    announce();

    if let Some(path) = &args.baseline
        && args.update_baseline
    {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| Failure::Output(anyhow!("cannot create {}: {e}", parent.display())))?;
        }
        files::write_atomic(path, json.as_bytes())
            .map_err(|e| Failure::Output(anyhow!("cannot write the baseline {}: {e}", path.display())))?;
    }

    let slo_text = report::terminal::render_slos(report, quiet);
    if quiet {
        if report.failed_slos() > 0 {
            eprint!("{slo_text}");
        }
    } else {
        if !written.is_empty() {
            outln!("exported {}", written.join(", "));
        }
        if !slo_text.is_empty() {
            outln!("\n{slo_text}");
        }
        if let Some(c) = &comparison {
            outln!("\n{}", render(c, Format::Text).trim_end());
        }
        if let Some(path) = &args.baseline
            && args.update_baseline
        {
            outln!("\nwrote baseline {}", path.display());
        }
    }

    let failed = report.failed_slos();
    let compared = match &comparison {
        Some(c) if !args.update_baseline => verdict(c).err(),
        _ => None,
    };
    match (failed, compared) {
        (0, None) => Ok(()),
        (0, Some(regressed)) => Err(regressed),
        (n, regressed) => {
            let mut message = format!("{n} of {} SLO checks failed", report.slos.len());
            if let Some(Failure::Verdict(e)) = regressed {
                message.push_str(&format!("; and against the baseline, {e}"));
            }
            Err(Failure::Verdict(anyhow!(message)))
        }
    }
}

/// Writes the requested exports; returns their file names.
fn export(
    formats: &[Export],
    Results { report, intervals }: Results<'_>,
    comparison: Option<&compare::Comparison>,
    strict: bool,
    out_dir: &Path,
) -> Result<Vec<String>, Failure> {
    let formats: Vec<export::Format> = formats.iter().flat_map(|f| f.formats()).copied().collect();
    let input = export::Input { report, baseline: comparison.and_then(|c| c.scenarios.first()), strict, intervals };
    let outputs = export::serialize(&formats, &input).map_err(|e| Failure::Output(anyhow!(e)))?;
    let mut written = Vec::with_capacity(outputs.len());
    for file in outputs {
        let path = out_dir.join(&file.name);
        files::write_atomic(&path, &file.bytes)
            .map_err(|e| Failure::Output(anyhow!("cannot write {}: {e}", path.display())))?;
        written.push(file.name);
    }
    Ok(written)
}
