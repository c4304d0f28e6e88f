//! `simbench man [SUBCOMMAND]`: the manual page in roff on standard output
//! (clap_mangen), generated from the clap definitions: `simbench(1)` with
//! every subcommand listed, or `simbench-SUBCOMMAND(1)` with its options.
//! `simbench man | man -l -` reads it; packagers install the output as
//! `man1/simbench.1`.

use super::{Cli, Failure};
use anyhow::anyhow;
use clap::{Args, CommandFactory};

#[derive(Debug, Args)]
pub struct ManArgs {
    /// A subcommand whose page to write (e.g. sweep); the main page without it.
    #[arg(value_name = "SUBCOMMAND")]
    subcommand: Option<String>,
}

pub fn run(args: ManArgs) -> Result<(), Failure> {
    let command = Cli::command();
    let page = match &args.subcommand {
        None => command,
        Some(name) => {
            let names: Vec<String> = command.get_subcommands().map(|c| c.get_name().to_string()).collect();
            let sub = command.find_subcommand(name).ok_or_else(|| {
                Failure::Input(anyhow!("no subcommand \"{name}\"\n  hint: one of {}", names.join(", ")))
            })?;
            // The page's name and synopsis read `simbench-sweep` and `simbench sweep`.
            sub.clone()
                .display_name(format!("simbench-{}", sub.get_name()))
                .bin_name(format!("simbench {}", sub.get_name()))
        }
    };
    let mut roff = Vec::new();
    clap_mangen::Man::new(page)
        .source(concat!("simbench ", env!("CARGO_PKG_VERSION")))
        .render(&mut roff)
        .map_err(|e| Failure::Output(anyhow!("cannot render the manual page: {e}")))?;
    super::output::write_all(&roff);
    Ok(())
}
