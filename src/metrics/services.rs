//! Downstream services' figures: what happened to `call` attempts at each
//! service, from the engine's [`CallEvent`]s, and the per-strategy
//! [`ServiceResult`] reports carry.
//!
//! Invariants: `attempts = calls + retries`; every attempt is rejected,
//! abandoned while pending, or answered; `served` counts every request a
//! server finished, `wasted` those whose client had given up.

use super::latency::{LatencyRecorder, Summary};
use super::round_significant;
use crate::engine::CallEvent;
use serde::Serialize;

/// One service's counters over a run.
#[derive(Clone, Debug, Default)]
pub struct ServiceRecorder {
    pub calls: u64,
    pub retries: u64,
    pub rejected: u64,
    pub served: u64,
    pub failed: u64,
    pub abandoned: u64,
    pub wasted: u64,
    pub budget_refused: u64,
    pub wait: LatencyRecorder,
}

impl ServiceRecorder {
    pub fn record(&mut self, event: CallEvent) {
        match event {
            CallEvent::Attempt { retry: false } => self.calls += 1,
            CallEvent::Attempt { retry: true } => self.retries += 1,
            CallEvent::Rejected => self.rejected += 1,
            CallEvent::Started { wait } => self.wait.record(wait.as_nanos()),
            CallEvent::Served { failed, abandoned } => {
                self.served += 1;
                self.failed += u64::from(failed);
                self.wasted += u64::from(abandoned);
            }
            CallEvent::Abandoned => self.abandoned += 1,
            CallEvent::BudgetExhausted => self.budget_refused += 1,
        }
    }
}

/// One service's figures under one strategy (docs/report.md).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServiceResult {
    pub service: String,
    pub concurrency: u32,
    /// Calls made (first attempts).
    pub calls: u64,
    /// Attempts in all, retries included.
    pub attempts: u64,
    /// attempts ÷ calls (1 without retries; 0 without calls).
    pub load_amplification: f64,
    /// Requests a server finished (abandoned ones included).
    pub served: u64,
    /// Attempts the rate limiter turned away.
    pub rejected: u64,
    /// Served requests that failed.
    pub failed: u64,
    /// Attempts their client gave up on (timeout, or task cancelled).
    pub abandoned: u64,
    /// Of those, served later anyway: wasted work.
    pub wasted: u64,
    /// Retries the retry budget refused.
    pub budget_refused: u64,
    /// Time-average busy servers ÷ concurrency over the makespan.
    pub utilization: f64,
    /// Time requests waited for a server, in seconds.
    pub queue_wait_s: Summary,
}

impl ServiceResult {
    pub fn new(name: &str, concurrency: u32, r: &ServiceRecorder, utilization: f64) -> Self {
        let attempts = r.calls + r.retries;
        ServiceResult {
            service: name.to_string(),
            concurrency,
            calls: r.calls,
            attempts,
            load_amplification: if r.calls == 0 { 0.0 } else { round_significant(attempts as f64 / r.calls as f64, 6) },
            served: r.served,
            rejected: r.rejected,
            failed: r.failed,
            abandoned: r.abandoned,
            wasted: r.wasted,
            budget_refused: r.budget_refused,
            utilization: round_significant(utilization, 6),
            queue_wait_s: r.wait.summary(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::SimDuration;

    #[test]
    fn amplification_is_attempts_over_calls() {
        let mut r = ServiceRecorder::default();
        for retry in [false, true, true, false] {
            r.record(CallEvent::Attempt { retry });
        }
        r.record(CallEvent::Started { wait: SimDuration::from_millis(5) });
        r.record(CallEvent::Served { failed: false, abandoned: true });
        let s = ServiceResult::new("db", 2, &r, 0.5);
        assert_eq!((s.calls, s.attempts, s.load_amplification, s.served, s.wasted), (2, 4, 2.0, 1, 1));
    }
}
