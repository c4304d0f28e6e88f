//! Timelines for charts: what the first N tasks were doing at every moment,
//! when the event loop was occupied, and tasks in flight and completions over
//! virtual time.
//!
//! [`TimelineRecorder`] is fed by [`super::Recorder`] from the engine's
//! observer calls: trace events (each task's arrival, steps, readiness,
//! permits and end) for the per-task segments and the loop lane, and
//! `task_ended` for the in-flight and completion series. It never asks the
//! engine anything else.
//!
//! Bounded and streaming:
//! - segments are kept only for tasks numbered below the limit (the first N
//!   in arrival order) and, under cooperative, for the loop while any of
//!   them is still running; adjacent equal segments merge, and past
//!   [`MAX_SEGMENTS`] further ones are counted, not kept;
//! - in flight and completions go into at most [`MAX_BUCKETS`] fixed-width
//!   time buckets; when a run outgrows them, neighbours merge and the width
//!   doubles (from 1 µs), so memory is constant however long the run.
//!
//! Deterministic: plain vectors indexed by task number and bucket, integer
//! nanoseconds throughout; floats only in [`FlowSeries::in_flight`].
//!
//! How a task's activity is derived (docs/charts.md has the reader's
//! version): the recorder counts, per task, its pending io/sleep steps, its
//! coroutines ready for the loop, its waits for a permit, and whether a
//! `cpu` or `blocking` step runs. The task shows the first that applies of:
//! CPU, blocking call, ready (waiting for the loop), I/O, permit, queued
//! (not started yet). Under the threaded strategies a timed-out task's
//! thread runs on (R-TIMEOUT-THREADS): those segments are marked
//! `abandoned`.

use crate::engine::{Outcome, RunStats, TaskRecord, TraceEvent, TraceWhat};
use crate::model::{CompiledWorkload, Op};
use crate::time::{SimDuration, SimTime};

/// Tasks per strategy a timeline shows unless told otherwise.
pub const DEFAULT_TASKS: usize = 20;
/// Most segments kept per run (tasks and loop lane together).
pub const MAX_SEGMENTS: usize = 50_000;
/// Most time buckets of the in-flight and completion series.
pub const MAX_BUCKETS: usize = 256;
/// The first bucket width, before any doubling.
const FIRST_BUCKET_NS: u64 = 1_000;

/// What a task is doing (or, for the loop lane, what occupies the loop).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Activity {
    /// Arrived, not started: waiting for a worker thread or for admission.
    Queued,
    /// Cooperative: a coroutine of the task is runnable and waits for the loop.
    Ready,
    /// A `cpu` step: on a core or the loop (threads: including waits for the
    /// GIL or a core, which the engine does not report separately).
    Cpu,
    /// A `blocking` call: it holds its thread (cooperative: the whole loop).
    Blocking,
    /// Awaiting an `io` or `sleep` step.
    Io,
    /// Waiting for a permit of a `limit`'s pool.
    Permit,
}

impl Activity {
    /// Every activity, in legend order.
    pub const ALL: [Activity; 6] =
        [Activity::Queued, Activity::Ready, Activity::Cpu, Activity::Blocking, Activity::Io, Activity::Permit];

    /// A short description for legends.
    pub fn describe(self) -> &'static str {
        match self {
            Activity::Queued => "queued (no worker / not admitted)",
            Activity::Ready => "ready, waiting for the loop",
            Activity::Cpu => "running on a CPU / the loop",
            Activity::Blocking => "blocking call",
            Activity::Io => "waiting on I/O or sleep",
            Activity::Permit => "waiting for a permit",
        }
    }
}

/// A span of one activity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    pub start: SimTime,
    pub end: SimTime,
    pub activity: Activity,
    /// Threads: after the task timed out, its thread still runs the call.
    pub abandoned: bool,
    /// The ops behind the activity (index into the compiled workload's
    /// ops), first begun first: the pending io or sleep steps, the `cpu` or
    /// `blocking` step, the `limit` waited for. `None` for queued and ready.
    pub steps: [Option<u32>; 2],
    /// How many io or sleep steps were pending at once (1 otherwise).
    pub concurrent: u32,
}

/// What a segment shows, without its span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Doing {
    activity: Activity,
    abandoned: bool,
    steps: [Option<u32>; 2],
    concurrent: u32,
}

impl Doing {
    fn during(self, start: SimTime, end: SimTime) -> Segment {
        let Doing { activity, abandoned, steps, concurrent } = self;
        Segment { start, end, activity, abandoned, steps, concurrent }
    }
}

/// One task's row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskTimeline {
    /// The task's number among all tasks, in arrival order.
    pub task: u64,
    /// Index of its class in the scenario.
    pub class: u16,
    pub arrived: SimTime,
    /// When and how it ended; `None` if the run stopped first.
    pub outcome: Option<(SimTime, Outcome)>,
    pub segments: Vec<Segment>,
}

/// Tasks in flight and completions over virtual time, in equal buckets
/// from t = 0 to the last task's end.
#[derive(Clone, Debug, PartialEq)]
pub struct FlowSeries {
    pub bucket: SimDuration,
    /// Mean tasks in flight (arrived, not ended) over each bucket.
    pub in_flight: Vec<f64>,
    /// Tasks completed in each bucket.
    pub completions: Vec<u64>,
}

impl FlowSeries {
    /// Completions per second of virtual time in bucket `i`.
    pub fn completions_per_s(&self, i: usize) -> f64 {
        self.completions[i] as f64 / self.bucket.as_secs_f64()
    }
}

/// Everything the timeline and flow charts need from one strategy's run.
#[derive(Clone, Debug, PartialEq)]
pub struct Timeline {
    /// The first tasks, in arrival order.
    pub tasks: Vec<TaskTimeline>,
    /// Cooperative: when a `cpu` step ran on the loop or a `blocking` call
    /// stalled it, while any of `tasks` was in flight; `None` otherwise.
    pub event_loop: Option<Vec<Segment>>,
    pub flow: FlowSeries,
    /// Segments past [`MAX_SEGMENTS`], not kept.
    pub dropped_segments: u64,
    /// Per op of the compiled workload: its label, or its kind's name
    /// (what [`Segment::steps`] index).
    pub step_names: Vec<String>,
    /// Scenarios with links: the utilisation of the CPU and of each link
    /// over time (`metrics::resources`); empty otherwise.
    pub utilisation: Vec<super::resources::UtilisationSeries>,
}

/// How the recorder reads an op.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OpKind {
    Timer,
    Cpu,
    Blocking,
    Acquire,
    Other,
}

/// A tracked task's live state.
#[derive(Clone, Debug, Default)]
struct Open {
    started: bool,
    /// Pending io and sleep steps (their ops), in the order they began.
    pending: Vec<u32>,
    /// Coroutines of the task in the loop's ready queue.
    ready: u32,
    /// `limit`s waiting for a permit.
    permits: Vec<u32>,
    cpu: Option<u32>,
    blocking: Option<u32>,
    abandoned: bool,
    /// Its outcome is recorded and nothing more will be drawn.
    done: bool,
    current: Option<Doing>,
    since: SimTime,
}

impl Open {
    /// What the task shows now: the first that applies of CPU, blocking
    /// call, ready, I/O, permit, queued.
    fn doing(&self) -> Option<Doing> {
        let first_two = |ops: &[u32]| [ops.first().copied(), ops.get(1).copied()];
        let (activity, steps, concurrent) = if let Some(pc) = self.cpu {
            (Activity::Cpu, [Some(pc), None], 1)
        } else if let Some(pc) = self.blocking {
            (Activity::Blocking, [Some(pc), None], 1)
        } else if self.ready > 0 {
            (Activity::Ready, [None, None], 1)
        } else if !self.pending.is_empty() {
            (Activity::Io, first_two(&self.pending), self.pending.len() as u32)
        } else if !self.permits.is_empty() {
            (Activity::Permit, first_two(&self.permits), 1)
        } else if !self.started {
            (Activity::Queued, [None, None], 1)
        } else {
            return None;
        };
        Some(Doing { activity, abandoned: self.abandoned, steps, concurrent })
    }
}

/// Removes the first `pc` from `ops`, if there.
fn remove_first(ops: &mut Vec<u32>, pc: u32) {
    if let Some(i) = ops.iter().position(|&op| op == pc) {
        ops.remove(i);
    }
}

/// Collects a [`Timeline`] from trace events and task ends.
#[derive(Clone, Debug)]
pub struct TimelineRecorder {
    limit: usize,
    cooperative: bool,
    kinds: Vec<OpKind>,
    tasks: Vec<TaskTimeline>,
    open: Vec<Open>,
    /// Tracked tasks whose outcome is not yet known.
    live: usize,
    loop_lane: Vec<Segment>,
    loop_busy: Option<(Doing, SimTime)>,
    step_names: Vec<String>,
    segments: usize,
    dropped: u64,
    flow: FlowRecorder,
}

impl TimelineRecorder {
    /// Keeps segments of the first `tasks` tasks; `cooperative` turns on the
    /// loop lane and tells how a timed-out task ends.
    pub fn new(workload: &CompiledWorkload, tasks: usize, cooperative: bool) -> Self {
        let kinds = workload
            .ops
            .iter()
            .map(|op| match op {
                Op::Io { .. } | Op::Transfer { .. } | Op::Call { .. } | Op::Sleep { .. } => OpKind::Timer,
                Op::Cpu { .. } => OpKind::Cpu,
                Op::Blocking { .. } => OpKind::Blocking,
                Op::Acquire { .. } => OpKind::Acquire,
                _ => OpKind::Other,
            })
            .collect();
        TimelineRecorder {
            limit: tasks,
            cooperative,
            kinds,
            tasks: Vec::new(),
            open: Vec::new(),
            live: 0,
            loop_lane: Vec::new(),
            loop_busy: None,
            step_names: (0..workload.ops.len() as u32).map(|pc| workload.display_name(pc).to_string()).collect(),
            segments: 0,
            dropped: 0,
            flow: FlowRecorder::new(),
        }
    }

    /// Whether trace events are needed (they are not for zero tasks).
    pub fn wants_trace(&self) -> bool {
        self.limit > 0
    }

    pub fn task_ended(&mut self, record: &TaskRecord) {
        self.flow.record(record);
    }

    /// Whether `event` can change the timeline: an event of a task below the
    /// limit, or under cooperative the start or end of a step (the loop's
    /// lane follows every task's cpu and blocking steps). Inlined into the
    /// engine's trace calls, so that most events, of tasks past the limit,
    /// cost a test.
    #[inline]
    pub fn follows(&self, event: &TraceEvent) -> bool {
        (event.task as usize) < self.limit
            || (self.cooperative && matches!(event.what, TraceWhat::Began { .. } | TraceWhat::Ended { .. }))
    }

    /// Follows `event` (a no-op unless [`Self::follows`]).
    pub fn trace(&mut self, event: &TraceEvent) {
        if self.cooperative {
            let window = self.tasks.len() < self.limit || self.live > 0;
            self.trace_loop(event, window);
        }
        let i = event.task as usize;
        if i >= self.limit {
            return;
        }
        if event.what == TraceWhat::Arrived && i == self.tasks.len() {
            self.tasks.push(TaskTimeline {
                task: event.task,
                class: event.class,
                arrived: event.time,
                outcome: None,
                segments: Vec::new(),
            });
            self.open.push(Open { since: event.time, ..Open::default() });
            self.live += 1;
        }
        let Some(open) = self.open.get_mut(i) else { return };
        if open.done {
            return;
        }
        let kind = |pc: u32| self.kinds[pc as usize];
        match event.what {
            TraceWhat::Arrived | TraceWhat::Queued | TraceWhat::Awaiting { .. } => {}
            TraceWhat::Ready => open.ready += 1,
            TraceWhat::Started => {
                open.started = true;
                open.ready = open.ready.saturating_sub(1);
            }
            TraceWhat::Resumed => open.ready = open.ready.saturating_sub(1),
            TraceWhat::Began { pc, .. } => match kind(pc) {
                OpKind::Timer => open.pending.push(pc),
                OpKind::Cpu => open.cpu = Some(pc),
                OpKind::Blocking => open.blocking = Some(pc),
                OpKind::Acquire => open.permits.push(pc),
                OpKind::Other => {}
            },
            TraceWhat::Ended { pc } => match kind(pc) {
                OpKind::Timer => remove_first(&mut open.pending, pc),
                OpKind::Cpu => open.cpu = None,
                OpKind::Blocking => open.blocking = None,
                OpKind::Acquire | OpKind::Other => {}
            },
            TraceWhat::Acquired { pc } => remove_first(&mut open.permits, pc),
            TraceWhat::Finished(outcome) => {
                self.tasks[i].outcome = Some((event.time, outcome));
                self.live -= 1;
                if !self.cooperative && outcome == Outcome::TimedOut {
                    open.abandoned = true;
                } else {
                    open.done = true;
                }
            }
        }
        self.settle(i, event.time);
    }

    /// Cooperative: follows what occupies the loop, whichever task it is;
    /// starts no new segment once the tracked tasks are all over (`window`
    /// false).
    fn trace_loop(&mut self, event: &TraceEvent, window: bool) {
        let (pc, began) = match event.what {
            TraceWhat::Began { pc, .. } => (pc, true),
            TraceWhat::Ended { pc } => (pc, false),
            _ => return,
        };
        let activity = match self.kinds[pc as usize] {
            OpKind::Cpu => Activity::Cpu,
            OpKind::Blocking => Activity::Blocking,
            _ => return,
        };
        if began {
            if window {
                let doing = Doing { activity, abandoned: false, steps: [Some(pc), None], concurrent: 1 };
                self.loop_busy = Some((doing, event.time));
            }
        } else if let Some((doing, since)) = self.loop_busy.take() {
            push_segment(&mut self.loop_lane, doing.during(since, event.time), &mut self.segments, &mut self.dropped);
        }
    }

    /// Closes task `i`'s segment if its activity changed at `now`.
    fn settle(&mut self, i: usize, now: SimTime) {
        let open = &mut self.open[i];
        let state = if open.done { None } else { open.doing() };
        if state == open.current {
            return;
        }
        if let Some(doing) = open.current {
            push_segment(
                &mut self.tasks[i].segments,
                doing.during(open.since, now),
                &mut self.segments,
                &mut self.dropped,
            );
        }
        open.current = state;
        open.since = now;
    }

    /// The timeline of a finished run: open segments close at its end.
    pub fn finish(mut self, stats: &RunStats) -> Timeline {
        for i in 0..self.open.len() {
            self.open[i].done = true;
            self.settle(i, stats.end);
        }
        if let Some((doing, since)) = self.loop_busy.take() {
            push_segment(&mut self.loop_lane, doing.during(since, stats.end), &mut self.segments, &mut self.dropped);
        }
        Timeline {
            tasks: self.tasks,
            event_loop: self.cooperative.then_some(self.loop_lane),
            flow: self.flow.finish(stats.last_outcome),
            dropped_segments: self.dropped,
            step_names: self.step_names,
            utilisation: Vec::new(),
        }
    }
}

/// Appends `segment`, merging it into the previous one when they touch and
/// match; drops empty ones and any past the cap.
fn push_segment(into: &mut Vec<Segment>, segment: Segment, count: &mut usize, dropped: &mut u64) {
    if segment.end <= segment.start {
        return;
    }
    if let Some(last) = into.last_mut()
        && last.end == segment.start
        && (Segment { start: last.start, end: last.end, ..segment }) == *last
    {
        last.end = segment.end;
        return;
    }
    if *count >= MAX_SEGMENTS {
        *dropped += 1;
        return;
    }
    *count += 1;
    into.push(segment);
}

/// In flight and completions in doubling fixed-width buckets.
///
/// In flight is piecewise constant, changing by +1 at an arrival and −1 at
/// an end. Per bucket it keeps the net change and the sum of each change's
/// sign times its offset into the bucket, which is enough for the exact
/// time-average over the bucket and survives merging two buckets.
#[derive(Clone, Debug)]
struct FlowRecorder {
    width: u64,
    net: Vec<i64>,
    offsets: Vec<i128>,
    completions: Vec<u64>,
}

impl FlowRecorder {
    fn new() -> Self {
        FlowRecorder {
            width: FIRST_BUCKET_NS,
            net: vec![0; MAX_BUCKETS],
            offsets: vec![0; MAX_BUCKETS],
            completions: vec![0; MAX_BUCKETS],
        }
    }

    fn record(&mut self, record: &TaskRecord) {
        let ended = record.ended.as_nanos();
        while ended / self.width >= MAX_BUCKETS as u64 {
            self.double();
        }
        self.change(record.arrived.as_nanos(), 1);
        self.change(ended, -1);
        if record.outcome == Outcome::Completed {
            self.completions[(ended / self.width) as usize] += 1;
        }
    }

    fn change(&mut self, at: u64, sign: i64) {
        let b = (at / self.width) as usize;
        self.net[b] += sign;
        self.offsets[b] += i128::from(sign) * i128::from(at % self.width);
    }

    /// Merges bucket pairs: the width doubles, the span covered too.
    fn double(&mut self) {
        let w = i128::from(self.width);
        for k in 0..MAX_BUCKETS / 2 {
            let (lo, hi) = (2 * k, 2 * k + 1);
            self.offsets[k] = self.offsets[lo] + self.offsets[hi] + w * i128::from(self.net[hi]);
            self.net[k] = self.net[lo] + self.net[hi];
            self.completions[k] = self.completions[lo] + self.completions[hi];
        }
        for k in MAX_BUCKETS / 2..MAX_BUCKETS {
            (self.net[k], self.offsets[k], self.completions[k]) = (0, 0, 0);
        }
        self.width *= 2;
    }

    /// The series from 0 to `last` (the last task's end).
    fn finish(mut self, last: SimTime) -> FlowSeries {
        while last.as_nanos() / self.width >= MAX_BUCKETS as u64 {
            self.double();
        }
        let buckets = (last.as_nanos() / self.width) as usize + 1;
        let width = self.width as f64;
        let mut level = 0i64;
        let mut in_flight = Vec::with_capacity(buckets);
        for b in 0..buckets {
            // Integral over the bucket = width·(level before + net) − Σ sign·offset.
            in_flight.push((level + self.net[b]) as f64 - self.offsets[b] as f64 / width);
            level += self.net[b];
        }
        self.completions.truncate(buckets);
        FlowSeries { bucket: SimDuration::from_nanos(self.width), in_flight, completions: self.completions }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(arrived: u64, ended: u64) -> TaskRecord {
        TaskRecord {
            class: 0,
            index: 0,
            arrived: SimTime::from_nanos(arrived),
            started: Some(SimTime::from_nanos(arrived)),
            ended: SimTime::from_nanos(ended),
            outcome: Outcome::Completed,
        }
    }

    #[test]
    fn in_flight_is_the_exact_mean_over_each_bucket() {
        let mut flow = FlowRecorder::new();
        // One task over [0.5, 2.5) µs: half of bucket 0, all of 1, half of 2.
        flow.record(&record(500, 2_500));
        let series = flow.finish(SimTime::from_nanos(2_500));
        assert_eq!(series.bucket, SimDuration::from_nanos(1_000));
        assert_eq!(series.in_flight, vec![0.5, 1.0, 0.5]);
        assert_eq!(series.completions, vec![0, 0, 1]);
    }

    #[test]
    fn doubling_keeps_the_means_exact() {
        let mut flow = FlowRecorder::new();
        let second = 1_000_000_000;
        // Three tasks over [0, 5 s) and one over [2.5 s, 10 s).
        for _ in 0..3 {
            flow.record(&record(0, 5 * second));
        }
        flow.record(&record(5 * second / 2, 10 * second));
        let series = flow.finish(SimTime::from_nanos(10 * second));
        assert!(series.in_flight.len() <= MAX_BUCKETS && series.in_flight.len() > MAX_BUCKETS / 2);
        let width = series.bucket.as_nanos();
        let mean = |t: u64| series.in_flight[(t / width) as usize];
        assert_eq!(mean(second), 3.0);
        assert_eq!(mean(3 * second), 4.0);
        assert_eq!(mean(7 * second), 1.0);
        // The integral of in flight is the sum of latencies (3·5 s + 7.5 s).
        let integral: f64 = series.in_flight.iter().map(|v| v * width as f64).sum();
        assert!((integral - 22.5e9).abs() < 1.0, "{integral}");
        assert_eq!(series.completions.iter().sum::<u64>(), 4);
    }

    /// Runs `strategy` (a label) of the scenario `json` and returns its
    /// timeline of the first `tasks` tasks.
    fn timeline(json: &str, strategy: &str, tasks: usize) -> Timeline {
        let scenario = crate::scenario::parse(json, "test.json").unwrap();
        let workload = CompiledWorkload::compile(&scenario);
        let strategy = scenario.strategies.iter().find(|s| s.label == strategy).unwrap();
        let options = super::super::Options { timeline_tasks: Some(tasks), ..Default::default() };
        super::super::measure_with(&scenario, &workload, strategy, options, Default::default())
            .unwrap()
            .timeline
            .unwrap()
    }

    const PITFALL: &str = r#"{"name": "pitfall", "classes": {
        "blocker": {"arrivals": {"batch": {"count": 1}}, "program": [{"blocking": "1s", "label": "time.sleep"}]},
        "sleeper": {"arrivals": {"batch": {"count": 3}}, "program": [{"sleep": "100ms"}]}},
        "strategies": ["cooperative", {"threaded": {"workers": 4}}]}"#;

    /// (start ms, end ms, activity) of each segment.
    fn spans(segments: &[Segment]) -> Vec<(u64, u64, Activity)> {
        segments.iter().map(|s| (s.start.as_nanos() / 1_000_000, s.end.as_nanos() / 1_000_000, s.activity)).collect()
    }

    #[test]
    fn a_blocking_call_shows_on_the_loop_and_holds_up_the_sleepers() {
        let t = timeline(PITFALL, "cooperative", 20);
        let lane = t.event_loop.as_ref().expect("cooperative has a loop lane");
        assert_eq!(spans(lane), [(0, 1000, Activity::Blocking)]);
        assert_eq!(t.tasks.len(), 4);
        assert_eq!(spans(&t.tasks[0].segments), [(0, 1000, Activity::Blocking)]);
        // The blocker ran first: each sleeper waits for the loop until the
        // call returns, and only then starts its 100 ms sleep.
        for task in &t.tasks[1..] {
            assert_eq!(spans(&task.segments), [(0, 1000, Activity::Ready), (1000, 1100, Activity::Io)]);
        }
    }

    #[test]
    fn threads_have_no_loop_lane_and_sleep_at_once() {
        let t = timeline(PITFALL, "threaded", 20);
        assert!(t.event_loop.is_none());
        assert_eq!(spans(&t.tasks[1].segments), [(0, 100, Activity::Io)]);
        assert_eq!(t.tasks[1].outcome, Some((SimTime::from_nanos(100_000_000), Outcome::Completed)));
    }

    #[test]
    fn only_the_first_tasks_are_kept() {
        let t = timeline(PITFALL, "cooperative", 2);
        assert_eq!(t.tasks.iter().map(|task| task.task).collect::<Vec<_>>(), [0, 1]);
        // The flow series still counts every task.
        assert_eq!(t.flow.completions.iter().sum::<u64>(), 4);
    }

    #[test]
    fn gathered_sleeps_show_as_concurrent_steps() {
        let json = r#"{"name": "flow", "classes": {"main": {"arrivals": {"batch": {"count": 1}}, "program": [
            {"gather": [[{"sleep": "2s", "label": "operation_1"}], [{"sleep": "1s", "label": "operation_2"}]]}]}},
            "strategies": ["blocking", "cooperative"]}"#;
        let name = |t: &Timeline, pc: Option<u32>| pc.map(|pc| t.step_names[pc as usize].clone());
        let coop = timeline(json, "cooperative", 20);
        let segments = &coop.tasks[0].segments;
        assert_eq!(spans(segments), [(0, 1000, Activity::Io), (1000, 2000, Activity::Io)]);
        assert_eq!(segments.iter().map(|s| s.concurrent).collect::<Vec<_>>(), [2, 1]);
        assert_eq!(name(&coop, segments[1].steps[0]).as_deref(), Some("operation_1"));
        let blocking = timeline(json, "blocking", 20);
        let segments = &blocking.tasks[0].segments;
        assert_eq!(spans(segments), [(0, 2000, Activity::Io), (2000, 3000, Activity::Io)]);
        assert_eq!(name(&blocking, segments[1].steps[0]).as_deref(), Some("operation_2"));
    }

    #[test]
    fn a_timed_out_thread_runs_on_abandoned() {
        let json = r#"{"name": "t", "classes": {"c": {"arrivals": {"batch": {"count": 2}}, "program": [
            {"timeout": {"after": "1s", "program": [{"io": "3s"}]}}]}},
            "strategies": [{"threaded": {"workers": 1}}, "cooperative"]}"#;
        let threads = timeline(json, "threaded", 20);
        let first = &threads.tasks[0];
        assert_eq!(first.outcome, Some((SimTime::from_nanos(1_000_000_000), Outcome::TimedOut)));
        let abandoned: Vec<bool> = first.segments.iter().map(|s| s.abandoned).collect();
        assert_eq!(spans(&first.segments), [(0, 1000, Activity::Io), (1000, 3000, Activity::Io)]);
        assert_eq!(abandoned, [false, true]);
        // The second task queued behind the abandoned call.
        assert_eq!(threads.tasks[1].segments[0].activity, Activity::Queued);
        assert_eq!(threads.tasks[1].segments[0].end, SimTime::from_nanos(3_000_000_000));
        // A coroutine is cancelled at the deadline: nothing after it.
        let coop = timeline(json, "cooperative", 20);
        assert_eq!(spans(&coop.tasks[0].segments), [(0, 1000, Activity::Io)]);
    }

    #[test]
    fn permits_show_as_waits() {
        let json = r#"{"name": "t", "pools": {"db": 1}, "classes": {"c": {"arrivals": {"batch": {"count": 2}},
            "program": [{"limit": {"pool": "db", "program": [{"io": "1s"}]}}]}},
            "strategies": ["cooperative", {"threaded": {"workers": 2}}]}"#;
        for strategy in ["cooperative", "threaded"] {
            let t = timeline(json, strategy, 20);
            let second: Vec<_> = spans(&t.tasks[1].segments).into_iter().filter(|s| s.2 != Activity::Ready).collect();
            assert_eq!(second, [(0, 1000, Activity::Permit), (1000, 2000, Activity::Io)], "{strategy}");
        }
    }

    #[test]
    fn segments_merge_and_empty_ones_vanish() {
        let t = SimTime::from_nanos;
        let seg = |a, b, activity| Segment {
            start: t(a),
            end: t(b),
            activity,
            abandoned: false,
            steps: [None, None],
            concurrent: 1,
        };
        let (mut v, mut n, mut d) = (Vec::new(), 0, 0);
        push_segment(&mut v, seg(0, 5, Activity::Io), &mut n, &mut d);
        push_segment(&mut v, seg(5, 5, Activity::Cpu), &mut n, &mut d);
        push_segment(&mut v, seg(5, 9, Activity::Io), &mut n, &mut d);
        push_segment(&mut v, seg(9, 10, Activity::Cpu), &mut n, &mut d);
        assert_eq!(v, vec![seg(0, 9, Activity::Io), seg(9, 10, Activity::Cpu)]);
        assert_eq!((n, d), (2, 0));
    }
}
