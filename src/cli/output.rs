//! Standard output, where the commands print their results (`outln!`,
//! `out!`, [`write_all`]) instead of `println!`, which panics when the
//! reader has gone: `simbench run … --trace | head` closes the pipe after
//! ten lines. A closed pipe (EPIPE) is the end of the output, not of the
//! command: later printing is skipped, the command still writes its files
//! and its verdicts decide the exit status. Any other failure to write is
//! remembered and turns a successful command into exit status 3
//! ([`failure`]).

use std::io::{self, Write};
use std::sync::Mutex;

/// Why standard output stopped taking text, if it did.
static STOPPED: Mutex<Option<Stop>> = Mutex::new(None);

#[derive(Clone, Debug)]
enum Stop {
    /// The reader closed the pipe: not a failure.
    Closed,
    Failed(String),
}

/// Writes `bytes` to standard output unless it has stopped taking text.
pub fn write_all(bytes: &[u8]) {
    let mut stopped = STOPPED.lock().unwrap_or_else(|e| e.into_inner());
    if stopped.is_some() {
        return;
    }
    let mut out = io::stdout().lock();
    if let Err(e) = out.write_all(bytes).and_then(|()| out.flush()) {
        *stopped = Some(match e.kind() {
            io::ErrorKind::BrokenPipe => Stop::Closed,
            _ => Stop::Failed(e.to_string()),
        });
    }
}

/// `print!`'s arguments, through [`write_all`].
pub fn print(args: std::fmt::Arguments<'_>) {
    match args.as_str() {
        Some(text) => write_all(text.as_bytes()),
        None => write_all(args.to_string().as_bytes()),
    }
}

/// A failure to write standard output other than a closed pipe, as the
/// command's failure (exit status 3).
pub fn failure() -> Option<super::Failure> {
    match STOPPED.lock().unwrap_or_else(|e| e.into_inner()).clone() {
        Some(Stop::Failed(e)) => Some(super::Failure::Output(anyhow::anyhow!("cannot write to standard output: {e}"))),
        Some(Stop::Closed) | None => None,
    }
}

/// `println!` to standard output, a closed pipe ending the output.
macro_rules! outln {
    () => {
        $crate::cli::output::write_all(b"\n")
    };
    ($($arg:tt)*) => {
        $crate::cli::output::print(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` to standard output, a closed pipe ending the output.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::output::print(format_args!($($arg)*))
    };
}

pub(crate) use {out, outln};
