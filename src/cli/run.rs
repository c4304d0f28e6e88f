//! `simbench run FILE`: simulate every strategy, print a summary, write
//! report.json and report.md under `--out/<scenario name>/`, and (unless
//! `--no-charts`) the charts as SVG and PNG and report.html.

use super::Failure;
use super::guards::{self, GuardArgs};
use super::numbers::whole;
use super::output::{out, outln};
use anyhow::anyhow;
use clap::Args;
use simbench::engine::{EngineError, RunStats};
use simbench::metrics::{Timeline, timeline};
use simbench::model::Scenario;
use simbench::report::charts::{self, ChartInput};
use simbench::report::{self, Report, files};
use simbench::{Run, Simulation, SimulationError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file (JSON; see docs/scenario.md).
    file: PathBuf,

    /// Directory for reports; each scenario writes to DIR/<scenario name>/.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    out: PathBuf,

    /// Use this seed instead of the scenario's.
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = whole("seed", 0u64))]
    seed: Option<u64>,

    /// Use this runtime profile instead of the scenario's: ideal, cpython,
    /// or a profile file written by `simbench calibrate`.
    #[arg(long, value_name = "ideal|cpython|FILE")]
    runtime: Option<String>,

    /// Print one strategy's timeline in virtual time (default: the first
    /// cooperative strategy, else the first).
    #[arg(long, value_name = "STRATEGY", num_args = 0..=1, default_missing_value = "")]
    trace: Option<String>,

    /// Most trace events to print.
    #[arg(long, value_name = "N", default_value_t = 1000, allow_negative_numbers = true, value_parser = whole("the trace limit", 0usize))]
    trace_limit: usize,

    /// Write only report.json and report.md: no charts, no report.html.
    #[arg(long)]
    no_charts: bool,

    /// Tasks per strategy the timeline chart shows (the first N to arrive).
    #[arg(long, value_name = "N", default_value_t = timeline::DEFAULT_TASKS, allow_negative_numbers = true, value_parser = whole("the number of timeline tasks", 0usize))]
    timeline_tasks: usize,

    /// Run R independent replications (seeds derived from the scenario's,
    /// run in parallel) and report each figure as mean ± 95% confidence
    /// half-width.
    #[arg(long, value_name = "R", default_value_t = 1, allow_negative_numbers = true, value_parser = whole("the number of replications", 1u32))]
    replications: u32,

    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,

    /// Print, on standard error, each strategy's events, events/s and wall
    /// time, and the process's peak memory. Never written to a report:
    /// wall time is not a result.
    #[arg(long)]
    stats: bool,

    #[command(flatten)]
    guards: GuardArgs,

    #[command(flatten)]
    ci: super::ci::CiArgs,
}

pub fn run(args: RunArgs) -> Result<(), Failure> {
    let input = |e: SimulationError| Failure::Input(anyhow!(e));
    let mut sim = Simulation::from_path(&args.file).map_err(input)?.with_replications(args.replications);
    if let Some(seed) = args.seed {
        sim = sim.with_seed(seed);
    }
    if let Some(spec) = &args.runtime {
        sim = sim.with_runtime(spec).map_err(input)?;
    }
    let scenario = sim.scenario();
    let out_dir = args.out.join(files::directory_name(&scenario.name));
    files::ensure_writable_dir(&out_dir)
        .map_err(|e| Failure::Input(anyhow!("cannot write reports to {}: {e}", out_dir.display())))?;
    let limits = args.guards.check(scenario, &sim.loaded().file, args.replications)?;
    if let Some(name) = args.trace.as_deref() {
        let traced = traced_strategy(sim.scenario(), name)?;
        sim = sim.with_trace(traced, args.trace_limit);
    }
    if !args.no_charts {
        sim = sim.with_timelines(args.timeline_tasks);
    }
    if let Some(width) = args.ci.hlog_interval() {
        sim = sim.with_intervals(width);
    }
    let prepared = super::ci::prepare(&args.ci, sim.scenario())?;

    let started = Instant::now();
    let mut strategy_started = started;
    let run = sim
        .run_observed(limits, |label, stats| {
            if args.stats {
                print_run_stats(label, stats, strategy_started.elapsed());
            }
            strategy_started = Instant::now();
        })
        .map_err(|e| match e {
            SimulationError::Engine { error: EngineError::Interrupted { .. }, .. } => Failure::Interrupted,
            e => input(e),
        })?;
    let simulation = started.elapsed();
    let Run { report, timelines, intervals, trace: trace_text } = run;
    if guards::interrupted() {
        return Err(Failure::Interrupted);
    }
    // Everything is staged first and moved into place at once (report
    // files, charts, exports): a run that fails leaves the previous report.
    let staging = files::Staging::new(&out_dir)
        .map_err(|e| Failure::Output(anyhow!("cannot write reports to {}: {e}", out_dir.display())))?;
    let (json_path, md_path) = (out_dir.join("report.json"), out_dir.join("report.md"));
    write(&staging.path().join("report.json"), report::json::render(&report).as_bytes())?;
    write(&staging.path().join("report.md"), report::markdown::render(&report).as_bytes())?;
    let drawn = if args.no_charts {
        None
    } else {
        Some(write_charts(staging.path(), &report, &timelines, &sim.loaded().source)?)
    };

    let announce = || {
        if args.stats {
            print_process_stats(started.elapsed());
        }
        if !args.quiet {
            if let Some(text) = trace_text {
                outln!("{text}");
            }
            out!("{}", report::terminal::render(&report));
            match drawn {
                None => outln!("\nwrote {} and {}", json_path.display(), md_path.display()),
                Some(Drawn { count, drawing, writing }) => {
                    outln!(
                        "\nwrote report.json, report.md, report.html and {count} charts (SVG, PNG) to {}",
                        out_dir.display()
                    );
                    outln!(
                        "charts took {} ms (drawing {} ms, writing {} ms) beside {} ms of simulation; --no-charts skips them",
                        (drawing + writing).as_millis(),
                        drawing.as_millis(),
                        writing.as_millis(),
                        simulation.as_millis()
                    );
                }
            }
        }
    };
    let results = super::ci::Results { report: &report, intervals: &intervals };
    super::ci::finish(args.ci, prepared, results, &out_dir, staging, args.quiet, announce)
}

/// How many charts were written, and how long drawing them (with
/// report.html) and writing the files took.
struct Drawn {
    count: usize,
    drawing: Duration,
    writing: Duration,
}

/// Draws every chart and report.html, then writes each chart as SVG and PNG
/// and report.html.
fn write_charts(dir: &Path, report: &Report, timelines: &[Timeline], source: &str) -> Result<Drawn, Failure> {
    let started = Instant::now();
    let input = ChartInput::new(report, timelines);
    let rendered = charts::render_all(&input).map_err(|e| Failure::Output(anyhow!(e)))?;
    let html = report::html::render(report, &rendered, Some(source));
    let drawing = started.elapsed();
    let mut outputs: Vec<(PathBuf, &[u8])> = vec![(dir.join("report.html"), html.as_bytes())];
    for chart in &rendered {
        let stem = chart.chart.file_stem();
        outputs.push((dir.join(format!("{stem}.svg")), chart.svg.as_bytes()));
        outputs.push((dir.join(format!("{stem}.png")), &chart.png));
    }
    files::write_all_atomic(&outputs)
        .map_err(|(path, e)| Failure::Output(anyhow!("cannot write {}: {e}", path.display())))?;
    Ok(Drawn { count: rendered.len(), drawing, writing: started.elapsed() - drawing })
}

/// The index of the strategy `--trace` names ("" = the default choice).
fn traced_strategy(scenario: &Scenario, name: &str) -> Result<usize, Failure> {
    if name.is_empty() {
        let coop = scenario.strategies.iter().position(|s| s.kind.name() == "cooperative");
        return Ok(coop.unwrap_or(0));
    }
    scenario.strategies.iter().position(|s| s.label == name).ok_or_else(|| {
        let labels: Vec<&str> = scenario.strategies.iter().map(|s| s.label.as_str()).collect();
        Failure::Input(anyhow!(
            "--trace {name}: no strategy has that label; the scenario's strategies are: {}",
            labels.join(", ")
        ))
    })
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    files::write_atomic(path, bytes).map_err(|e| Failure::Output(anyhow!("cannot write {}: {e}", path.display())))
}

/// `--stats`: one strategy's run, simulation and metrics included.
fn print_run_stats(label: &str, stats: &RunStats, wall: Duration) {
    let secs = wall.as_secs_f64().max(1e-9);
    eprintln!(
        "stats: {label}: {} events, {} tasks in {:.4} s: {} events/s, {} tasks/s",
        stats.events,
        stats.arrived,
        wall.as_secs_f64(),
        si(stats.events as f64 / secs),
        si(stats.arrived as f64 / secs)
    );
}

/// `--stats`: the whole command, and its peak resident memory.
fn print_process_stats(wall: Duration) {
    let peak = match peak_rss_bytes() {
        Some(bytes) => format!("{:.1} MiB (VmHWM)", bytes as f64 / (1024.0 * 1024.0)),
        None => "unknown (no /proc/self/status)".to_string(),
    };
    eprintln!("stats: all strategies and reports: {:.4} s wall; peak RSS {peak}", wall.as_secs_f64());
}

/// The process's peak resident set size, from Linux's /proc/self/status.
fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// 1234567.0 → "1.23M".
fn si(x: f64) -> String {
    match x {
        x if x >= 1e9 => format!("{:.2}G", x / 1e9),
        x if x >= 1e6 => format!("{:.2}M", x / 1e6),
        x if x >= 1e3 => format!("{:.1}k", x / 1e3),
        x => format!("{x:.0}"),
    }
}
