//! `simbench schema [--profile]`: the JSON Schema (draft 2020-12) of
//! scenario files, or with `--profile` of runtime profile files, on
//! standard output, for editors and validators (docs/scenario.md, "JSON
//! Schema"). The schema is built from the decoder's field tables
//! (`scenario::scenario_schema`), so it describes what this build reads.

use super::Failure;
use clap::Args;

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// The schema of runtime profile files (`simbench calibrate --out`) instead of scenario files.
    #[arg(long)]
    profile: bool,
}

pub fn run(args: SchemaArgs) -> Result<(), Failure> {
    let schema =
        if args.profile { simbench::scenario::profile_schema() } else { simbench::scenario::scenario_schema() };
    let mut text = serde_json::to_string_pretty(&schema).expect("a JSON value serialises");
    text.push('\n');
    super::output::write_all(text.as_bytes());
    Ok(())
}
