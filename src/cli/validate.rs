//! `simbench validate`: run the built-in queueing-theory cases, print the
//! table, write validation.json under `--out/validation/`.

use super::Failure;
use super::output::{out, outln};
use anyhow::anyhow;
use clap::Args;
use simbench::report::{files, validation};
use simbench::validate::{self, CASES, Size, Validation};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Directory for validation.json (written to DIR/validation/).
    #[arg(long, value_name = "DIR", default_value = "reports")]
    out: PathBuf,

    /// Short runs (the sizes `cargo test` uses): wider intervals, seconds
    /// instead of tens of seconds.
    #[arg(long)]
    quick: bool,

    /// Run only the named case (repeatable; see validation/ for names).
    #[arg(long = "case", value_name = "NAME")]
    cases: Vec<String>,

    /// Replace every case's seed (the files' seeds are the ones documented).
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = crate::cli::numbers::whole("seed", 0u64))]
    seed: Option<u64>,

    /// Print nothing but errors and the verdict.
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(args: ValidateArgs) -> Result<(), Failure> {
    for name in &args.cases {
        if !CASES.iter().any(|c| c.name == name) {
            let names: Vec<&str> = CASES.iter().map(|c| c.name).collect();
            return Err(Failure::Input(anyhow!("--case {name}: no such case; the cases are: {}", names.join(", "))));
        }
    }
    let out_dir = args.out.join("validation");
    files::ensure_writable_dir(&out_dir)
        .map_err(|e| Failure::Input(anyhow!("cannot write to {}: {e}", out_dir.display())))?;
    let size = if args.quick { Size::Quick } else { Size::Full };
    let mut results = Vec::new();
    for case in CASES.iter().filter(|c| args.cases.is_empty() || args.cases.iter().any(|n| n == c.name)) {
        let mut scenario = validate::scenario(case, size);
        if let Some(seed) = args.seed {
            scenario.seed = seed;
        }
        let result = validate::run_case_with(case, size, &scenario, &scenario)
            .map_err(|e| Failure::Input(anyhow!("{}: {e}", case.file)))?;
        if super::guards::interrupted() {
            return Err(Failure::Interrupted);
        }
        results.push(result);
    }
    let validation = Validation::new(results, size);
    let path = out_dir.join("validation.json");
    files::write_atomic(&path, validation::json(&validation).as_bytes())
        .map_err(|e| Failure::Output(anyhow!("cannot write {}: {e}", path.display())))?;
    if !args.quiet {
        out!("{}", validation::render(&validation));
        outln!("\nwrote {}", path.display());
    }
    if validation.pass {
        Ok(())
    } else {
        Err(Failure::Verdict(anyhow!("validation failed: an analytic value lies outside its 95% confidence interval")))
    }
}
