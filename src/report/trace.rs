//! `--trace`: one strategy's timeline in virtual time, in the spirit of the
//! tutorial's execution-flow listing.

use crate::engine::{Outcome, TraceEvent, TraceWhat};
use crate::metrics::TraceLog;
use crate::model::{CompiledWorkload, Op, Scenario};
use crate::time::{SimDuration, format_seconds};

/// The timeline as text, one line per event:
/// `   1.000000s  task 0 (main)  operation_2 ended`.
pub fn render(log: &TraceLog, scenario: &Scenario, workload: &CompiledWorkload, strategy: &str) -> String {
    let mut out = format!("trace of {strategy} ({} events)\n", log.events.len() as u64 + log.dropped);
    for event in &log.events {
        out.push_str(&line(event, scenario, workload));
        out.push('\n');
    }
    if log.dropped > 0 {
        out.push_str(&format!("… {} more events not shown (raise --trace-limit)\n", log.dropped));
    }
    out
}

fn line(event: &TraceEvent, scenario: &Scenario, workload: &CompiledWorkload) -> String {
    let class = &scenario.classes[event.class as usize].name;
    let what = match event.what {
        TraceWhat::Arrived => "arrived".to_string(),
        TraceWhat::Queued => "queued (no worker or loop slot free)".to_string(),
        TraceWhat::Started => "started".to_string(),
        TraceWhat::Began { pc, duration } => {
            let name = workload.display_name(pc);
            let kind = workload.ops[pc as usize].kind_name();
            match duration {
                Some(ns) if name != kind => {
                    format!("{name} began ({kind} {})", SimDuration::from_nanos(ns))
                }
                Some(ns) => format!("{name} began ({})", SimDuration::from_nanos(ns)),
                None => format!("{name} began"),
            }
        }
        TraceWhat::Awaiting { pc } => format!("awaits {}", workload.display_name(pc)),
        TraceWhat::Ended { pc } => format!("{} ended", workload.display_name(pc)),
        TraceWhat::Acquired { pc } => match workload.ops[pc as usize] {
            Op::Acquire { pool } => format!("acquired a permit of {}", scenario.pools[pool as usize].name),
            _ => format!("{} acquired", workload.display_name(pc)),
        },
        TraceWhat::Ready => "ready for the loop".to_string(),
        TraceWhat::Resumed => "resumed by the loop".to_string(),
        TraceWhat::Finished(outcome) => match outcome {
            Outcome::Completed => "completed".to_string(),
            Outcome::Failed => "failed".to_string(),
            Outcome::TimedOut => "timed out".to_string(),
            Outcome::Cancelled => "cancelled".to_string(),
            Outcome::Rejected => "rejected (pool full)".to_string(),
        },
    };
    let time = format_time(event.time.as_secs_f64());
    match event.idle_worker() {
        // Between two items a worker is no task: named by its place in its class.
        Some(ordinal) => format!("{time:>12}  worker {ordinal} of {class}  {what}"),
        None => format!("{time:>12}  task {} ({class})  {what}", event.task),
    }
}

fn format_time(secs: f64) -> String {
    if secs >= 1000.0 { format_seconds(secs) } else { format!("{secs:.6}s") }
}
