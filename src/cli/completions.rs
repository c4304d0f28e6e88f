//! `simbench completions SHELL`: a completion script for bash, zsh, fish,
//! PowerShell or Elvish on standard output (clap_complete), generated from
//! the same clap definitions that parse the arguments, so it never lags
//! behind them. README.md ("Install") says where each shell looks for it.

use super::{Cli, Failure};
use clap::{Args, CommandFactory};
use clap_complete::Shell;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    shell: Shell,
}

pub fn run(args: CompletionsArgs) -> Result<(), Failure> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "simbench", &mut script);
    super::output::write_all(&script);
    Ok(())
}
