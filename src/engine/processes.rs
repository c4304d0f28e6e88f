//! The `processes` strategy (docs/model.md, R-PROCESSES): P independent
//! copies of an inner strategy, each its own event loop or pool and its own
//! GIL, sharing the machine's cores.
//!
//! Processes share nothing but the cores, so each runs as its own
//! simulation over the same arrival streams, keeping the tasks dispatched
//! to it (round robin by arrival number; a closed-loop user's tasks stay in
//! one process). With P ≤ cores each process has `cores / P` cores; with
//! more processes than cores every CPU step takes `P / cores` times as long
//! (each process's share of the cores when all compute: a documented
//! simplification). Under a runtime profile a task reaches its process
//! only once the pool has started and its parent has sent it
//! (R-PROCESS-POOL, `overhead::Dispatcher`). What the processes report is
//! buffered and handed to the observer in time order, ties in process
//! order, so the result is as deterministic as a single run's.
//!
//! Invariant: a task's random draws are keyed by its class index, as in a
//! single process, so every strategy sees the same draws.

use super::observer::{Observer, TaskRecord, TraceEvent};
use super::sim::Sim;
use super::{EngineError, Limits, RunStats};
use crate::model::{CompiledWorkload, InnerKind, Scenario, Strategy};
use crate::time::SimDuration;

/// Collects one process's task ends and trace events; loop lags go straight
/// through (their order does not matter).
struct Buffer<'o, O: Observer> {
    observer: &'o mut O,
    records: &'o mut Vec<TaskRecord>,
    traces: &'o mut Vec<TraceEvent>,
    tracing: bool,
}

impl<O: Observer> Observer for Buffer<'_, O> {
    fn task_ended(&mut self, record: &TaskRecord) {
        self.records.push(*record);
    }
    fn loop_lag(&mut self, lag: SimDuration) {
        self.observer.loop_lag(lag);
    }
    fn tracing(&self) -> bool {
        self.tracing
    }
    fn trace(&mut self, event: &TraceEvent) {
        self.traces.push(*event);
    }
}

/// Runs `workers` processes of `inner`.
pub(super) fn run<O: Observer>(
    scenario: &Scenario,
    workload: &CompiledWorkload,
    (workers, inner): (u32, InnerKind),
    observer: &mut O,
    limits: Limits,
) -> Result<RunStats, EngineError> {
    let cores = scenario.machine.cores;
    let mut each = scenario.clone();
    each.machine.cores = (cores / workers).max(1);
    let stretch = if workers > cores { (u64::from(workers), u64::from(cores)) } else { (1, 1) };
    let strategy = Strategy { label: String::new(), kind: inner.kind() };
    // A pool of single-task workers is sent each task by its parent
    // (multiprocessing.Pool, ProcessPoolExecutor); a server's processes
    // take their requests themselves (R-PROCESS-POOL).
    let sent = matches!(inner, InnerKind::Blocking);
    let tracing = observer.tracing();
    let (mut records, mut traces) = (Vec::new(), Vec::new());
    let mut total: Option<RunStats> = None;
    for process in 0..workers {
        let mut buffer = Buffer { observer: &mut *observer, records: &mut records, traces: &mut traces, tracing };
        let stats = Sim::new(&each, workload, &strategy, &mut buffer)
            .in_process(process, workers, stretch, sent)
            .run(limits)?;
        total = Some(match total {
            None => stats,
            Some(t) => merge(t, &stats),
        });
    }
    // Stable sorts: ties keep process order.
    records.sort_by_key(|r| r.ended);
    traces.sort_by_key(|e| e.time);
    for event in &traces {
        observer.trace(event);
    }
    for record in &records {
        observer.task_ended(record);
    }
    let mut total = total.expect("at least two processes");
    total.cores = cores;
    Ok(total)
}

/// The counters of all processes: sums, and the latest of the times. Peaks
/// are summed, an upper bound of the peak of the sum.
fn merge(a: RunStats, b: &RunStats) -> RunStats {
    RunStats {
        events: a.events + b.events,
        arrived: a.arrived + b.arrived,
        last_outcome: a.last_outcome.max(b.last_outcome),
        end: a.end.max(b.end),
        peak_in_flight: a.peak_in_flight + b.peak_in_flight,
        peak_threads: a.peak_threads + b.peak_threads,
        peak_coroutines: a.peak_coroutines + b.peak_coroutines,
        cpu_busy: a.cpu_busy + b.cpu_busy,
        cpu_busy_in_makespan: a.cpu_busy_in_makespan + b.cpu_busy_in_makespan,
        cores: a.cores,
        horizon_reached: a.horizon_reached || b.horizon_reached,
        window_start: a.window_start,
        steady_state: a.steady_state,
        in_flight_ns: a.in_flight_ns + b.in_flight_ns,
        last_arrival: a.last_arrival.max(b.last_arrival),
        in_flight_ns_at_last_arrival: a.in_flight_ns_at_last_arrival + b.in_flight_ns_at_last_arrival,
        detached_pending: a.detached_pending.zip(b.detached_pending).map(|(a, b)| a + b).or(a.detached_pending),
        permits_out: a.permits_out + b.permits_out,
    }
}
