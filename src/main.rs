//! The `simbench` command: parse arguments, run, map failures to exit codes.
//! Everything else lives in the library.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
