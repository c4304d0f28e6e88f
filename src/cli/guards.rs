//! Guards against runs too large for memory or patience: estimated before
//! running (`--max-tasks`, `--max-memory`, `--max-events`) and enforced while
//! running (`--max-events`, `--max-sim-time`, Ctrl-C).

use super::Failure;
use anyhow::anyhow;
use clap::Args;
use simbench::engine::Limits;
use simbench::model::Scenario;
use simbench::model::estimate::estimate;
use simbench::report::format_bytes;
use simbench::scenario::{parse_bytes, parse_decimal, parse_duration};
use simbench::time::{SimDuration, SimTime};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set by the Ctrl-C handler; runs poll it and stop.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Installs the Ctrl-C handler (once per process).
pub fn install_interrupt_handler() {
    // Failing to install (another handler exists) leaves Ctrl-C's default,
    // which still never leaves a partial report: files are renamed into
    // place only when complete.
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::Relaxed));
}

/// Whether Ctrl-C was pressed.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::Relaxed)
}

#[derive(Debug, Args)]
pub struct GuardArgs {
    /// Refuse a scenario estimated to create more than N tasks per strategy.
    #[arg(long, value_name = "N", default_value_t = 50_000_000)]
    max_tasks: u64,

    /// Refuse a scenario whose work in flight at once (batches, closed-loop
    /// users) is estimated to need more engine memory than SIZE.
    #[arg(long, value_name = "SIZE", default_value = "8GiB", value_parser = parse_size)]
    max_memory: u64,

    /// Refuse a scenario estimated to need more than N events per strategy,
    /// and stop any run that reaches N.
    #[arg(long, value_name = "N", default_value_t = 5_000_000_000)]
    max_events: u64,

    /// Stop a run whose virtual time passes DURATION with tasks still in
    /// flight (e.g. "1h").
    #[arg(long, value_name = "DURATION", value_parser = parse_sim_time)]
    max_sim_time: Option<SimDuration>,
}

impl GuardArgs {
    /// Checks the scenario's estimated size; returns the limits for its runs.
    pub fn check(&self, scenario: &Scenario, file: &str) -> Result<Limits<'static>, Failure> {
        let estimate = estimate(scenario);
        let refuse = |what: String, fix: &str| Failure::Input(anyhow!("{file}: {what}\n  hint: {fix}"));
        let tasks = estimate.tasks();
        if tasks > self.max_tasks as f64 {
            let largest = estimate.largest().expect("a scenario has classes");
            return Err(refuse(
                format!(
                    "the scenario would create about {} tasks per strategy (class \"{}\": {}), more than --max-tasks {}",
                    round(tasks),
                    largest.class,
                    largest.basis,
                    self.max_tasks
                ),
                "lower the count, rate or duration, set a \"horizon\", or raise --max-tasks if the machine can take it",
            ));
        }
        let bytes = estimate.peak_bytes();
        if bytes > self.max_memory as f64 {
            return Err(refuse(
                format!(
                    "the tasks in flight at once would need about {} of engine memory, more than --max-memory {}",
                    format_bytes(bytes as u64),
                    format_bytes(self.max_memory)
                ),
                "use smaller batches or fewer closed-loop users, or raise --max-memory if the machine has it",
            ));
        }
        let events = estimate.events();
        if events > self.max_events as f64 {
            return Err(refuse(
                format!(
                    "the scenario would need about {} events per strategy, more than --max-events {}",
                    round(events),
                    self.max_events
                ),
                "shorten the scenario, or raise --max-events",
            ));
        }
        Ok(Limits {
            max_events: Some(self.max_events),
            max_time: self.max_sim_time.map(|d| SimTime::ZERO + d),
            interrupt: Some(&INTERRUPTED),
        })
    }
}

/// A large count, readably: 3.6e9 → "3600000000".
fn round(x: f64) -> String {
    if x.is_finite() { format!("{:.0}", x) } else { "infinitely many".to_string() }
}

fn parse_sim_time(text: &str) -> Result<SimDuration, String> {
    parse_duration(text).map_err(|e| e.to_string())
}

/// "8GiB", "512MiB", "100MB", or a plain number of bytes.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let bytes = match parse_decimal(text) {
        Some(plain) => Some(plain),
        None => parse_bytes(text),
    };
    bytes.map(|b| b as u64).ok_or_else(|| {
        format!("\"{text}\" is not a size such as \"8GiB\"; units are B, KB, MB, GB, TB, KiB, MiB, GiB, TiB")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_in_binary_and_decimal_units() {
        assert_eq!(parse_size("8GiB"), Ok(8 << 30));
        assert_eq!(parse_size("512 MiB"), Ok(512 << 20));
        assert_eq!(parse_size("100MB"), Ok(100_000_000));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert!(parse_size("8 gigs").is_err());
        assert!(parse_size("lots").is_err());
    }
}
