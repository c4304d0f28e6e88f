//! `simbench run FILE`: simulate every strategy, print a summary, write
//! report.json and report.md under `--out/<scenario name>/`.

use super::Failure;
use super::guards::{self, GuardArgs};
use anyhow::anyhow;
use clap::Args;
use simbench::engine::EngineError;
use simbench::metrics::{self, Measurement, replicate};
use simbench::model::{CompiledWorkload, Scenario};
use simbench::report::{self, Replications, Report, ScenarioInfo, files};
use simbench::scenario;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file (JSON; see docs/scenario.md).
    file: PathBuf,

    /// Directory for reports; each scenario writes to DIR/<scenario name>/.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    out: PathBuf,

    /// Use this seed instead of the scenario's.
    #[arg(long, value_name = "N")]
    seed: Option<u64>,

    /// Print one strategy's timeline in virtual time (default: the first
    /// cooperative strategy, else the first).
    #[arg(long, value_name = "STRATEGY", num_args = 0..=1, default_missing_value = "")]
    trace: Option<String>,

    /// Most trace events to print.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    trace_limit: usize,

    /// Run R independent replications (seeds derived from the scenario's,
    /// run in parallel) and report each figure as mean ± 95% confidence
    /// half-width.
    #[arg(long, value_name = "R", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    replications: u32,

    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,

    #[command(flatten)]
    guards: GuardArgs,
}

pub fn run(args: RunArgs) -> Result<(), Failure> {
    let loaded = scenario::load(&args.file).map_err(|e| Failure::Input(anyhow!(e)))?;
    let mut scenario = loaded.scenario;
    if let Some(seed) = args.seed {
        scenario.seed = seed;
    }
    let out_dir = args.out.join(files::directory_name(&scenario.name));
    files::ensure_writable_dir(&out_dir)
        .map_err(|e| Failure::Input(anyhow!("cannot write reports to {}: {e}", out_dir.display())))?;
    let limits = args.guards.check(&scenario, &loaded.file)?;
    let traced = args.trace.as_deref().map(|name| traced_strategy(&scenario, name)).transpose()?;

    let workload = CompiledWorkload::compile(&scenario);
    let mut results = Vec::with_capacity(scenario.strategies.len());
    let mut trace_text = None;
    for (i, strategy) in scenario.strategies.iter().enumerate() {
        let limit = (traced == Some(i)).then_some(args.trace_limit);
        let failure = |e| match e {
            EngineError::Interrupted { .. } => Failure::Interrupted,
            e => Failure::Input(anyhow!("{}: strategy \"{}\": {e}", loaded.file, strategy.label)),
        };
        let Measurement { mut result, trace, .. } =
            metrics::measure_limited(&scenario, &workload, strategy, limit, limits).map_err(failure)?;
        if args.replications > 1 {
            let rest =
                replicate::replicate(&scenario, &workload, strategy, 1..args.replications, limits).map_err(failure)?;
            result = replicate::with_intervals(result, &rest.into_iter().map(|m| m.result).collect::<Vec<_>>());
        }
        if let Some(log) = trace {
            trace_text = Some(report::trace::render(&log, &scenario, &workload, &strategy.label));
        }
        results.push(result);
    }

    let info = ScenarioInfo {
        name: scenario.name.clone(),
        description: scenario.description.clone(),
        file: loaded.file,
        sha256: loaded.sha256,
        seed: scenario.seed,
    };
    let mut report = Report::new(info, results);
    if args.replications > 1 {
        report.replications = Some(Replications::new(scenario.seed, args.replications));
    }
    if guards::interrupted() {
        return Err(Failure::Interrupted);
    }
    let json_path = out_dir.join("report.json");
    let md_path = out_dir.join("report.md");
    write(&json_path, report::json::render(&report))?;
    write(&md_path, report::markdown::render(&report))?;

    if !args.quiet {
        if let Some(text) = trace_text {
            println!("{text}");
        }
        print!("{}", report::terminal::render(&report));
        println!("\nwrote {} and {}", json_path.display(), md_path.display());
    }
    Ok(())
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

fn write(path: &Path, text: String) -> Result<(), Failure> {
    files::write_atomic(path, text.as_bytes())
        .map_err(|e| Failure::Output(anyhow!("cannot write {}: {e}", path.display())))
}
