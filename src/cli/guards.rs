//! Guards against runs too large for memory or patience: estimated before
//! running (`--max-tasks`, `--max-memory`, `--max-events`) and enforced while
//! running (`--max-events`, `--max-sim-time`, Ctrl-C).

use super::Failure;
use super::numbers::whole;
use anyhow::anyhow;
use clap::Args;
use simbench::engine::Limits;
use simbench::model::Scenario;
use simbench::model::estimate::{Guards, Refusal};
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
    #[arg(long, value_name = "N", default_value_t = 50_000_000, allow_negative_numbers = true, value_parser = whole("--max-tasks", 0u64))]
    max_tasks: u64,

    /// Refuse a scenario whose work in flight at once (batches, closed-loop
    /// users) is estimated to need more engine memory than SIZE.
    #[arg(long, value_name = "SIZE", default_value = "8GiB", allow_hyphen_values = true, value_parser = parse_size)]
    max_memory: u64,

    /// Refuse a scenario estimated to need more than N events per strategy,
    /// and stop any run that reaches N.
    #[arg(long, value_name = "N", default_value_t = 5_000_000_000, allow_negative_numbers = true, value_parser = whole("--max-events", 0u64))]
    max_events: u64,

    /// Stop a run whose virtual time passes DURATION with tasks still in
    /// flight (e.g. "1h").
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true, value_parser = parse_sim_time)]
    max_sim_time: Option<SimDuration>,

    /// Refuse a command whose runs together (strategies × replications × sweep
    /// points) are estimated to simulate more than N tasks.
    #[arg(long, value_name = "N", default_value_t = 1_000_000_000, allow_negative_numbers = true, value_parser = whole("--max-total-tasks", 0u64))]
    max_total_tasks: u64,
}

impl GuardArgs {
    /// The bounds as the library checks them.
    pub fn guards(&self) -> Guards {
        Guards {
            max_tasks: self.max_tasks,
            max_memory: self.max_memory,
            max_events: self.max_events,
            max_total_tasks: self.max_total_tasks,
        }
    }

    /// Checks the scenario's estimated size, and the work of `replications`
    /// runs of each of its strategies; returns the limits for its runs.
    pub fn check(&self, scenario: &Scenario, file: &str, replications: u32) -> Result<Limits<'static>, Failure> {
        let refuse = |r: Refusal| Failure::Input(anyhow!("{file}: {r}"));
        let guards = self.guards();
        let estimate = guards.check(scenario).map_err(refuse)?;
        let runs = scenario.strategies.len() as f64 * f64::from(replications);
        let what = match replications {
            1 => format!("its {} strategies", scenario.strategies.len()),
            r => format!("{r} replications of its {} strategies", scenario.strategies.len()),
        };
        guards.check_total(estimate.tasks(), runs, &what).map_err(refuse)?;
        Ok(self.limits())
    }

    /// The limits a run enforces while it runs.
    pub fn limits(&self) -> Limits<'static> {
        Limits {
            max_events: Some(self.max_events),
            max_time: self.max_sim_time.map(|d| SimTime::ZERO + d),
            interrupt: Some(&INTERRUPTED),
        }
    }
}

fn parse_sim_time(text: &str) -> Result<SimDuration, String> {
    if let Some(refusal) = super::numbers::hyphenated(text, "the duration", "1h") {
        return Err(refusal);
    }
    parse_duration(text).map_err(|e| e.to_string())
}

/// "8GiB", "512MiB", "100MB", or a plain number of bytes.
pub fn parse_size(text: &str) -> Result<u64, String> {
    if let Some(refusal) = super::numbers::hyphenated(text, "the size", "8GiB") {
        return Err(refusal);
    }
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
