//! Command-line edge: argument parsing (clap), one module per subcommand,
//! and the mapping from failures to exit statuses (docs/errors.md):
//!
//! | status | meaning |
//! | --- | --- |
//! | 0 | success |
//! | 1 | a verdict failed: an SLO of the scenario (`run`), or a figure past its limit (`compare`, `run --baseline`; with `--strict`, any change) |
//! | 2 | the input is wrong: arguments, scenario file, a scenario that deadlocks, an unwritable `--out`, a missing or unreadable report or baseline, reports of different scenarios or schema versions, a bad `--limit` |
//! | 3 | an unexpected I/O failure while writing outputs |
//! | 130 | interrupted (Ctrl-C); no report was written (a sweep keeps its finished points) |
//!
//! A run that fails a verdict still writes all its outputs first.
//!
//! `anyhow` is used here and nowhere in the library.

mod calibrate;
mod ci;
mod compare;
mod completions;
mod guards;
mod man;
mod numbers;
mod output;
mod run;
mod schema;
mod sweep;
mod validate;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Compare blocking, threaded and cooperative (asyncio-style) execution of an
/// I/O-bound workload by deterministic discrete-event simulation.
#[derive(Debug, Parser)]
#[command(name = "simbench", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,

    /// Refuse any input file (scenario, runtime profile, report, baseline,
    /// sweep shard) larger than SIZE, e.g. "2GiB".
    #[arg(long, global = true, value_name = "SIZE", default_value = "256MiB", allow_hyphen_values = true, value_parser = guards::parse_size)]
    max_input_size: u64,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run every strategy of a scenario and write report.json and report.md.
    Run(run::RunArgs),
    /// Compare two runs' report.json files (or directories of them), figure by figure.
    Compare(compare::CompareArgs),
    /// Check the simulator against queueing theory (M/M/1, M/D/1, M/G/1,
    /// M/M/c, M/M/c/c, M/M/∞, processor sharing, Little's law).
    Validate(validate::ValidateArgs),
    /// Run a scenario at every point of a grid of field values; write sweep.json and sweep.csv.
    Sweep(sweep::SweepArgs),
    /// Per strategy, the largest (or smallest) value of a field that meets every SLO.
    Plan(sweep::PlanArgs),
    /// Join the outputs of `sweep --shard` into one sweep.
    Merge(sweep::MergeArgs),
    /// Measure a CPython runtime profile on this machine and write it for scenarios to name.
    Calibrate(calibrate::CalibrateArgs),
    /// Write a shell completion script (bash, zsh, fish, powershell, elvish) to standard output.
    Completions(completions::CompletionsArgs),
    /// Write the manual page (roff) to standard output: `simbench man | man -l -`.
    Man(man::ManArgs),
    /// Write the JSON Schema of scenario files (or, with --profile, of runtime profiles) to standard output.
    Schema(schema::SchemaArgs),
}

/// A failure, classified by who must act on it.
#[derive(Debug)]
pub enum Failure {
    /// The user's input is wrong (exit status 2).
    Input(anyhow::Error),
    /// Writing an output failed (exit status 3).
    Output(anyhow::Error),
    /// A verdict failed: an SLO, a figure past its limit, or a validation
    /// figure outside its interval (exit status 1).
    Verdict(anyhow::Error),
    /// Ctrl-C stopped the run before anything was written (exit status 130).
    Interrupted,
    /// Ctrl-C stopped a sweep, whose finished points were written (exit status 130).
    InterruptedKept(String),
}

impl Failure {
    fn exit_code(&self) -> u8 {
        match self {
            Failure::Verdict(_) => 1,
            Failure::Input(_) => 2,
            Failure::Output(_) => 3,
            Failure::Interrupted | Failure::InterruptedKept(_) => 130,
        }
    }

    pub(crate) fn message(&self) -> String {
        match self {
            Failure::Input(e) | Failure::Output(e) | Failure::Verdict(e) => format!("{e:#}"),
            Failure::Interrupted => "interrupted; no report was written".to_string(),
            Failure::InterruptedKept(what) => format!("interrupted; {what}"),
        }
    }
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout (status 0), usage errors
            // to stderr (status 2).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    guards::install_interrupt_handler();
    simbench::scenario::input::set_max_input_bytes(cli.max_input_size);
    let result = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Compare(args) => compare::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Sweep(args) => sweep::run_sweep(args),
        Command::Plan(args) => sweep::run_plan(args),
        Command::Merge(args) => sweep::run_merge(args),
        Command::Calibrate(args) => calibrate::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
        Command::Schema(args) => schema::run(args),
    };
    // A failure to write standard output (not a reader closing the pipe)
    // fails a command that otherwise succeeded.
    let result = result.and_then(|()| output::failure().map_or(Ok(()), Err));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {}", failure.message());
            ExitCode::from(failure.exit_code())
        }
    }
}
