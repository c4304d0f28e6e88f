//! Metrics: turns what the engine observes into summary figures.
//!
//! [`Recorder`] implements the engine's [`Observer`]: it streams each task's
//! end into HdrHistograms (overall and per class) and counts outcomes; memory
//! stays constant however many tasks run. [`measure`] runs one strategy and
//! returns a [`StrategyResult`], the plain serialisable record every report
//! format reads; [`measure_with`] can also keep a trace and a [`Timeline`]
//! for charts ([`timeline`]).
//!
//! Definitions (docs/model.md has the full text):
//! - latency: arrival to end, for every task that completed, failed or timed
//!   out (a timed-out task's latency is when it timed out); cancelled and
//!   rejected tasks have none;
//! - wait: arrival to the first step, for every task that started;
//! - throughput: completed tasks per second of makespan.
//!
//! [`slo`] checks a scenario's SLOs against the results.

pub mod intervals;
mod latency;
pub mod queues;
pub mod replicate;
pub mod resources;
pub mod services;
pub mod slo;
pub mod stats;
pub mod timeline;

pub use latency::{
    EXACT_SAMPLES, LatencyRecorder, SIGNIFICANT_DIGITS, SPECTRUM_MAX_X, SPECTRUM_POINTS, Summary, linear_quantile,
    round_significant, spectrum_quantile, spectrum_xs,
};
pub use timeline::{Timeline, TimelineRecorder};

use crate::engine::{
    self, CallEvent, EngineError, Limits, Observer, Outcome, ResourceChange, RunStats, TaskRecord, TraceEvent,
    TraceWhat,
};
use crate::model::{CompiledWorkload, Scenario, Strategy, StrategyKind, Warmup};
use crate::time::{SimDuration, SimTime};
use serde::Serialize;
use stats::BatchSeries;

/// Modelled resident memory of one parked CPython thread (calibration: 16.5 KB).
pub const THREAD_BYTES: u64 = crate::model::runtime::CONSTANTS[crate::model::runtime::index::MEMORY_PER_THREAD].cpython;
/// Modelled resident memory of one pending asyncio coroutine (calibration: 2.7–3.1 KB).
pub const COROUTINE_BYTES: u64 =
    crate::model::runtime::CONSTANTS[crate::model::runtime::index::MEMORY_PER_COROUTINE].cpython;

/// How many tasks ended each way. `arrived` is the sum of the rest.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TaskCounts {
    pub arrived: u64,
    pub completed: u64,
    pub failed: u64,
    pub timed_out: u64,
    pub cancelled: u64,
    /// Ended by a `limit` on a full pool that rejects.
    pub rejected: u64,
}

/// Latency, wait and counts of one group of tasks (a class, or all).
///
/// `counts` cover every task; the statistics (latency, wait and the
/// `measured` counts behind the fractions) cover only tasks that arrived in
/// the statistics window, from the warmup on.
#[derive(Clone, Debug, Default)]
pub struct GroupRecorder {
    pub latency: LatencyRecorder,
    pub wait: LatencyRecorder,
    pub counts: TaskCounts,
    pub measured: MeasuredCounts,
}

/// Counts of the tasks in the statistics window, for fractions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MeasuredCounts {
    /// Tasks that ended, other than cancelled at the horizon.
    pub ended: u64,
    pub rejected: u64,
    /// Tasks that ran a first step.
    pub started: u64,
    /// Started tasks whose wait was not zero.
    pub queued: u64,
}

impl MeasuredCounts {
    /// Of the started tasks, the fraction that waited before their first step.
    pub fn queued_fraction(&self) -> f64 {
        if self.started == 0 { 0.0 } else { self.queued as f64 / self.started as f64 }
    }

    /// Of the tasks that ended (not cancelled), the fraction rejected.
    pub fn rejected_fraction(&self) -> f64 {
        if self.ended == 0 { 0.0 } else { self.rejected as f64 / self.ended as f64 }
    }
}

impl GroupRecorder {
    #[inline]
    fn record(&mut self, record: &TaskRecord, window_start: SimTime) {
        self.counts.arrived += 1;
        match record.outcome {
            Outcome::Completed => self.counts.completed += 1,
            Outcome::Failed => self.counts.failed += 1,
            Outcome::TimedOut => self.counts.timed_out += 1,
            Outcome::Cancelled => self.counts.cancelled += 1,
            Outcome::Rejected => self.counts.rejected += 1,
        }
        if record.arrived < window_start {
            return;
        }
        if record.outcome != Outcome::Cancelled {
            self.measured.ended += 1;
        }
        if record.outcome == Outcome::Rejected {
            self.measured.rejected += 1;
        }
        if !matches!(record.outcome, Outcome::Cancelled | Outcome::Rejected) {
            self.latency.record((record.ended - record.arrived).as_nanos());
        }
        if let Some(started) = record.started {
            let wait = (started - record.arrived).as_nanos();
            self.wait.record(wait);
            self.measured.started += 1;
            self.measured.queued += u64::from(wait > 0);
        }
    }
}

/// The observer that feeds the histograms, and optionally keeps a trace and
/// a timeline.
#[derive(Debug, Default)]
pub struct Recorder {
    pub overall: GroupRecorder,
    /// Per class, in scenario order. With a single class its entry stays
    /// unrecorded (its figures are `overall`'s): read through
    /// [`Recorder::class`].
    pub classes: Vec<GroupRecorder>,
    pub loop_lag: LatencyRecorder,
    /// Tasks arriving before this are counted but not measured (the warmup).
    window_start: SimTime,
    /// For `warmup: auto`: batch means of the latency series, in end order.
    series: Option<BatchSeries>,
    trace: Option<TraceLog>,
    timeline: Option<TimelineRecorder>,
    /// Latency per interval of virtual time (for the .hlog export).
    intervals: Option<intervals::IntervalRecorder>,
    /// The CPU's, the links' and the services' occupancy (scenarios with
    /// links or services).
    pub resources: resources::ResourceRecorder,
    /// Per service, by index: what happened to call attempts.
    pub services: Vec<services::ServiceRecorder>,
    /// Per queue, by index (scenarios with queues).
    pub queues: Vec<queues::QueueRecorder>,
}

/// A bounded log of trace events.
#[derive(Clone, Debug, Default)]
pub struct TraceLog {
    pub events: Vec<TraceEvent>,
    pub limit: usize,
    /// Events past the limit, counted but not kept.
    pub dropped: u64,
}

impl Recorder {
    pub fn new(classes: usize) -> Self {
        Recorder { classes: vec![GroupRecorder::default(); classes], ..Recorder::default() }
    }

    /// Measures only tasks arriving at or after `start` (the warmup).
    pub fn with_window(mut self, start: SimTime) -> Self {
        self.window_start = start;
        self
    }

    /// Also keeps the batch means of the latency series, for MSER-5.
    pub fn with_series(mut self) -> Self {
        self.series = Some(BatchSeries::default());
        self
    }

    /// The latency series' batch means, if kept.
    pub fn series(&self) -> Option<&BatchSeries> {
        self.series.as_ref()
    }

    /// Also keeps up to `limit` trace events.
    pub fn with_trace(mut self, limit: usize) -> Self {
        self.trace = Some(TraceLog { limit, ..TraceLog::default() });
        self
    }

    pub fn take_trace(&mut self) -> Option<TraceLog> {
        self.trace.take()
    }

    /// Also records a timeline for charts.
    pub fn with_timeline(mut self, timeline: TimelineRecorder) -> Self {
        self.timeline = Some(timeline);
        self
    }

    /// Also records latency per interval of `width` ([`intervals`]).
    pub fn with_intervals(mut self, width: SimDuration) -> Self {
        self.intervals = Some(intervals::IntervalRecorder::new(width, self.classes.len()));
        self
    }

    /// The intervals recorded, the last one closed.
    pub fn take_intervals(&mut self) -> Option<intervals::IntervalSeries> {
        self.intervals.take().map(intervals::IntervalRecorder::finish)
    }

    /// The recorded timeline, finished with the run's counters.
    pub fn take_timeline(&mut self, stats: &RunStats, scenario: &Scenario) -> Option<Timeline> {
        let link_names: Vec<String> = scenario.links.iter().map(|l| l.name.clone()).collect();
        let service_names: Vec<String> = scenario.services.iter().map(|s| s.name.clone()).collect();
        let mut resources = self.resources.clone();
        resources.finish(stats.end);
        self.timeline.take().map(|t| Timeline {
            utilisation: resources.series(stats.last_outcome, &link_names, &service_names),
            ..t.finish(stats)
        })
    }

    /// Class `i`'s figures (with a single class, the overall ones).
    pub fn class(&self, i: usize) -> &GroupRecorder {
        if self.classes.len() == 1 { &self.overall } else { &self.classes[i] }
    }
}

impl Observer for Recorder {
    fn task_ended(&mut self, record: &TaskRecord) {
        self.overall.record(record, self.window_start);
        // With one class, its figures are the overall ones: recorded once
        // (see `Recorder::class`).
        if self.classes.len() > 1 {
            self.classes[record.class as usize].record(record, self.window_start);
        }
        if let Some(timeline) = &mut self.timeline {
            timeline.task_ended(record);
        }
        if let Some(intervals) = &mut self.intervals {
            intervals.record(record, self.window_start);
        }
        if let Some(series) = &mut self.series
            && !matches!(record.outcome, Outcome::Cancelled | Outcome::Rejected)
        {
            series.push((record.ended - record.arrived).as_secs_f64(), record.arrived);
        }
    }

    #[inline]
    fn loop_lag(&mut self, lag: SimDuration) {
        self.loop_lag.record(lag.as_nanos());
    }

    fn resources(&self) -> bool {
        true
    }

    fn resource(&mut self, change: &ResourceChange) {
        self.resources.record(change);
    }

    fn call(&mut self, service: u16, event: CallEvent) {
        let i = service as usize;
        if self.services.len() <= i {
            self.services.resize_with(i + 1, Default::default);
        }
        self.services[i].record(event);
    }

    fn queue(&mut self, change: &crate::engine::QueueChange) {
        let i = change.queue as usize;
        if self.queues.len() <= i {
            self.queues.resize_with(i + 1, Default::default);
        }
        self.queues[i].record(change);
    }

    fn tracing(&self) -> bool {
        self.trace.is_some() || self.timeline.as_ref().is_some_and(TimelineRecorder::wants_trace)
    }

    fn trace(&mut self, event: &TraceEvent) {
        if let Some(timeline) = &mut self.timeline
            && timeline.follows(event)
        {
            timeline.trace(event);
        }
        if let Some(log) = &mut self.trace
            && event.what != TraceWhat::Ready
        {
            if log.events.len() < log.limit {
                log.events.push(*event);
            } else {
                log.dropped += 1;
            }
        }
    }
}

/// A strategy's configuration as reported.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct StrategyConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workers: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gil: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub switch_interval_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_concurrency: Option<u32>,
    /// `processes`: how many, and the strategy each runs (whose settings
    /// are the fields above).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processes: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strategy: Option<&'static str>,
}

impl StrategyConfig {
    fn of(kind: &StrategyKind) -> Self {
        let none = StrategyConfig::default();
        match *kind {
            StrategyKind::Blocking => StrategyConfig { workers: Some(1), ..none },
            StrategyKind::Threaded { workers, gil, switch_interval } => StrategyConfig {
                workers: Some(workers),
                gil: Some(gil),
                switch_interval_s: Some(switch_interval.as_secs_f64()),
                ..none
            },
            StrategyKind::Cooperative { max_concurrency } => StrategyConfig { max_concurrency, ..none },
            StrategyKind::Processes { workers, inner } => StrategyConfig {
                processes: Some(workers),
                strategy: Some(inner.kind().name()),
                ..Self::of(&inner.kind())
            },
        }
    }
}

/// Figures for one task class under one strategy.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassResult {
    pub class: String,
    pub tasks: TaskCounts,
    pub throughput_per_s: f64,
    pub latency_s: Summary,
    pub wait_s: Summary,
    /// With replications: each figure's mean ± 95% half-width over them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intervals: Option<replicate::ClassIntervals>,
    /// The latency histogram, HdrHistogram V2 deflate, base64.
    pub histogram: String,
}

/// Everything measured for one strategy: the record reports are made from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StrategyResult {
    /// The strategy's label.
    pub strategy: String,
    /// blocking, threaded or cooperative.
    pub kind: &'static str,
    pub config: StrategyConfig,
    pub tasks: TaskCounts,
    pub makespan_s: f64,
    pub throughput_per_s: f64,
    pub latency_s: Summary,
    pub wait_s: Summary,
    pub cpu_utilization: f64,
    /// Time-average number of tasks in flight over the statistics window
    /// (L in Little's law), from the engine's integral.
    pub mean_in_flight: f64,
    /// Of the measured tasks that started, the fraction that waited first.
    pub queued_fraction: f64,
    /// Of the measured tasks that ended (not cancelled), the fraction rejected.
    pub rejected_fraction: f64,
    /// The warmup left out of the statistics (0 without one).
    pub warmup_s: f64,
    pub peak_in_flight: u64,
    pub peak_threads: u32,
    pub peak_coroutines: u64,
    pub modelled_memory_bytes: u64,
    /// Cooperative only: how long ready coroutines waited for the loop.
    pub loop_lag_s: Option<Summary>,
    pub events: u64,
    /// With replications: each figure's mean ± 95% half-width over them
    /// (the other fields are replication 0's, the plain run's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intervals: Option<replicate::Intervals>,
    pub classes: Vec<ClassResult>,
    /// The overall latency histogram, HdrHistogram V2 deflate, base64.
    pub histogram: String,
    /// With at most [`EXACT_SAMPLES`] latencies: the exact latency at each
    /// of the spectrum's [`SPECTRUM_POINTS`] percentiles (the percentile
    /// chart's line); beyond, absent and drawn from the histogram.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_spectrum_s: Option<Vec<f64>>,
    /// Scenarios with links: each link's figures, in scenario order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<LinkResult>,
    /// Scenarios with services: each service's figures, in scenario order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<services::ServiceResult>,
    /// Scenarios with links: the busiest resource over the makespan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bottleneck: Option<Bottleneck>,
    /// Scenarios that detach work (R-SPAWN-DETACHED): detached programs
    /// still running when the run ended at the horizon (asyncio's "Task was
    /// destroyed but it is pending!").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detached_pending: Option<u64>,
    /// Scenarios with queues: each queue's figures, in scenario order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub queues: Vec<queues::QueueResult>,
}

/// One link's figures under one strategy.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LinkResult {
    pub link: String,
    pub bandwidth_bits_per_s: u64,
    /// Payload delivered (transfers that ended).
    pub bytes: u64,
    /// Fraction of the makespan with at least one transfer in progress.
    pub busy_fraction: f64,
    /// Bits delivered per second of makespan.
    pub mean_throughput_bits_per_s: f64,
    pub peak_transfers: u32,
}

/// The resource with the highest utilisation over the makespan: `cpu` (the
/// time-average share of the CPU slots the strategy can use in use, or
/// under cooperative of the loop held by `cpu` and `blocking` steps) or
/// `link <name>` (its busy fraction). Ties go to the CPU, then the first link.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Bottleneck {
    pub resource: String,
    pub utilization: f64,
}

/// Each link's and service's figures and the bottleneck (`None` without
/// links or services).
fn resource_results(
    scenario: &Scenario,
    recorder: &Recorder,
    stats: &RunStats,
) -> (Vec<LinkResult>, Vec<services::ServiceResult>, Option<Bottleneck>) {
    if scenario.links.is_empty() && scenario.services.is_empty() {
        return (Vec::new(), Vec::new(), None);
    }
    let mut resources = recorder.resources.clone();
    resources.finish(stats.end);
    let makespan_ns = stats.makespan().as_nanos() as f64;
    let links: Vec<LinkResult> = scenario
        .links
        .iter()
        .enumerate()
        .map(|(i, link)| {
            let totals = resources.link(i);
            let (busy, throughput) = if makespan_ns > 0.0 {
                ((totals.busy_ns / makespan_ns).min(1.0), totals.bytes as f64 * 8.0 / (makespan_ns / 1e9))
            } else {
                (0.0, 0.0)
            };
            LinkResult {
                link: link.name.clone(),
                bandwidth_bits_per_s: link.bits_per_s,
                bytes: totals.bytes,
                busy_fraction: round_significant(busy, 6),
                mean_throughput_bits_per_s: round_significant(throughput, 6),
                peak_transfers: totals.peak_transfers,
            }
        })
        .collect();
    // The CPU as the strategy can use it: its slots (one for blocking,
    // cooperative and the GIL), or under cooperative the loop's occupation.
    let cpu = if makespan_ns > 0.0 { (resources.cpu_busy_ns() / makespan_ns).min(1.0) } else { 0.0 };
    let mut bottleneck = Bottleneck { resource: "cpu".into(), utilization: round_significant(cpu, 6) };
    for link in &links {
        if link.busy_fraction > bottleneck.utilization {
            bottleneck = Bottleneck { resource: format!("link {}", link.link), utilization: link.busy_fraction };
        }
    }
    let empty = services::ServiceRecorder::default();
    let services: Vec<services::ServiceResult> = scenario
        .services
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let busy = resources.busy_ns(engine::Resource::Service(i as u16));
            let utilization = if makespan_ns > 0.0 { (busy / makespan_ns).min(1.0) } else { 0.0 };
            services::ServiceResult::new(
                &s.name,
                s.concurrency,
                recorder.services.get(i).unwrap_or(&empty),
                utilization,
            )
        })
        .collect();
    for s in &services {
        if s.utilization > bottleneck.utilization {
            bottleneck = Bottleneck { resource: format!("service {}", s.service), utilization: s.utilization };
        }
    }
    (links, services, Some(bottleneck))
}

fn throughput(completed: u64, makespan: SimDuration) -> f64 {
    if makespan.is_zero() { 0.0 } else { completed as f64 / makespan.as_secs_f64() }
}

impl StrategyResult {
    /// Builds the result from a finished run's recorder and counters.
    pub fn new(scenario: &Scenario, strategy: &Strategy, recorder: &Recorder, stats: &RunStats) -> Self {
        let makespan = stats.makespan();
        let classes = scenario
            .classes
            .iter()
            .enumerate()
            .map(|(i, class)| (class, recorder.class(i)))
            .map(|(class, group)| ClassResult {
                class: class.name.clone(),
                tasks: group.counts,
                throughput_per_s: throughput(group.counts.completed, makespan),
                latency_s: group.latency.summary(),
                wait_s: group.wait.summary(),
                intervals: None,
                histogram: group.latency.encoded(),
            })
            .collect();
        let overall = &recorder.overall;
        let cooperative = strategy.kind.is_cooperative();
        let (links, services, bottleneck) = resource_results(scenario, recorder, stats);
        StrategyResult {
            strategy: strategy.label.clone(),
            kind: strategy.kind.name(),
            config: StrategyConfig::of(&strategy.kind),
            tasks: overall.counts,
            makespan_s: makespan.as_secs_f64(),
            throughput_per_s: throughput(overall.counts.completed, makespan),
            latency_s: overall.latency.summary(),
            wait_s: overall.wait.summary(),
            cpu_utilization: round_significant(stats.cpu_utilization(), 6),
            mean_in_flight: round_significant(stats.mean_in_flight(), 6),
            queued_fraction: round_significant(overall.measured.queued_fraction(), 6),
            rejected_fraction: round_significant(overall.measured.rejected_fraction(), 6),
            warmup_s: stats.window_start.as_secs_f64(),
            peak_in_flight: stats.peak_in_flight,
            peak_threads: stats.peak_threads,
            peak_coroutines: stats.peak_coroutines,
            modelled_memory_bytes: u64::from(stats.peak_threads) * scenario.runtime.memory_per_thread()
                + stats.peak_coroutines * scenario.runtime.memory_per_coroutine(),
            loop_lag_s: cooperative.then(|| recorder.loop_lag.summary()),
            events: stats.events,
            intervals: None,
            classes,
            histogram: overall.latency.encoded(),
            latency_spectrum_s: overall.latency.spectrum_s(),
            links,
            services,
            bottleneck,
            detached_pending: stats.detached_pending,
            queues: queue_results(scenario, recorder, stats),
        }
    }
}

/// Each queue's figures (scenarios with queues).
fn queue_results(scenario: &Scenario, recorder: &Recorder, stats: &RunStats) -> Vec<queues::QueueResult> {
    let empty = queues::QueueRecorder::default();
    scenario
        .queues
        .iter()
        .enumerate()
        .map(|(i, q)| {
            queues::QueueResult::new(&q.name, q.capacity, recorder.queues.get(i).unwrap_or(&empty), stats.end)
        })
        .collect()
}

/// A measured strategy with the run's raw counters and, if asked, its trace
/// and timeline.
#[derive(Debug)]
pub struct Measurement {
    pub result: StrategyResult,
    pub stats: RunStats,
    pub trace: Option<TraceLog>,
    pub timeline: Option<Timeline>,
    /// Latency per interval, when [`Options::hlog_interval`] asked for it.
    pub intervals: Option<intervals::IntervalSeries>,
}

/// What to record beside the result.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Keep up to this many trace events (for `--trace`).
    pub trace_limit: Option<usize>,
    /// Record a [`Timeline`] of the first this many tasks (for charts).
    pub timeline_tasks: Option<usize>,
    /// Record latency per interval of this width ([`intervals`], for the
    /// .hlog export).
    pub hlog_interval: Option<SimDuration>,
}

/// Runs one strategy and measures it; keeps up to `trace_limit` trace events
/// when given.
pub fn measure(
    scenario: &Scenario,
    workload: &CompiledWorkload,
    strategy: &Strategy,
    trace_limit: Option<usize>,
) -> Result<Measurement, EngineError> {
    measure_with(scenario, workload, strategy, Options { trace_limit, ..Options::default() }, Limits::default())
}

/// Runs one strategy under the engine's run [`Limits`] and measures it,
/// recording what `options` ask for. Neither a trace nor a timeline changes
/// the result.
///
/// With `warmup: auto` the strategy runs twice: a pilot run finds the end
/// of the transient by MSER-5 on its latency series, then the measured run
/// (the same run: same seed, same draws) leaves out tasks that arrived
/// before it.
pub fn measure_with(
    scenario: &Scenario,
    workload: &CompiledWorkload,
    strategy: &Strategy,
    options: Options,
    limits: Limits,
) -> Result<Measurement, EngineError> {
    let resolved;
    let scenario = match scenario.warmup {
        Some(Warmup::Auto) => {
            let start = auto_warmup(scenario, workload, strategy, limits)?;
            resolved = Scenario { warmup: Some(Warmup::Duration(start - SimTime::ZERO)), ..scenario.clone() };
            &resolved
        }
        _ => scenario,
    };
    let mut recorder = Recorder::new(scenario.classes.len()).with_window(Warmup::start(scenario.warmup));
    if let Some(limit) = options.trace_limit {
        recorder = recorder.with_trace(limit);
    }
    if let Some(tasks) = options.timeline_tasks {
        let cooperative = matches!(strategy.kind, StrategyKind::Cooperative { .. });
        recorder = recorder.with_timeline(TimelineRecorder::new(workload, tasks, cooperative));
    }
    if let Some(width) = options.hlog_interval {
        recorder = recorder.with_intervals(width);
    }
    let stats = engine::run_limited(scenario, workload, strategy, &mut recorder, limits)?;
    Ok(Measurement {
        result: StrategyResult::new(scenario, strategy, &recorder, &stats),
        stats,
        trace: recorder.take_trace(),
        timeline: recorder.take_timeline(&stats, scenario),
        intervals: recorder.take_intervals(),
    })
}

/// The MSER-5 end of the transient of `strategy`'s run: a pilot run that
/// keeps only the latency series' batch means.
pub fn auto_warmup(
    scenario: &Scenario,
    workload: &CompiledWorkload,
    strategy: &Strategy,
    limits: Limits,
) -> Result<SimTime, EngineError> {
    let mut pilot = Recorder::new(scenario.classes.len()).with_series();
    engine::run_limited(scenario, workload, strategy, &mut pilot, limits)?;
    Ok(pilot.series().map_or(SimTime::ZERO, BatchSeries::truncation))
}
