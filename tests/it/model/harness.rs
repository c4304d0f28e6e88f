//! Runs scenarios written inline and exposes what happened to each task.

use simbench::engine::{self, EngineError, Observer, Outcome, RunStats, TaskRecord, TraceEvent, TraceWhat};
use simbench::metrics::{self, Measurement};
use simbench::model::{CompiledWorkload, Scenario, Strategy};
use simbench::time::{SimDuration, SimTime};
use std::collections::BTreeMap;

/// Everything one strategy's run reported.
#[derive(Debug, Default)]
pub struct Run {
    /// Task ends, in the order they happened.
    pub records: Vec<TaskRecord>,
    pub stats: RunStats,
    pub trace: Vec<TraceEvent>,
    /// Cooperative: every loop-lag sample.
    pub lags: Vec<SimDuration>,
    /// Per op: its label, or its kind's name.
    names: Vec<String>,
    /// Per class: its name and the first op of its region.
    classes: Vec<(String, u32)>,
}

#[derive(Default)]
struct Collect {
    run: Run,
    tracing: bool,
}

impl Observer for Collect {
    fn task_ended(&mut self, record: &TaskRecord) {
        self.run.records.push(*record);
    }
    fn loop_lag(&mut self, lag: SimDuration) {
        self.run.lags.push(lag);
    }
    fn tracing(&self) -> bool {
        self.tracing
    }
    fn trace(&mut self, event: &TraceEvent) {
        self.run.trace.push(*event);
    }
}

/// Parses a scenario, panicking with the parser's message if it is invalid.
pub fn scenario(json: &str) -> Scenario {
    simbench::scenario::parse(json, "test.json").unwrap_or_else(|e| panic!("{e}"))
}

/// A scenario on 2 cores with pools `db` (2 permits), `one` (1 permit) and
/// `lines` (2 permits, rejecting when full),
/// the task classes `classes` (the body of a JSON object: `"name": {…}, …`),
/// the strategies `strategies` (a JSON list) and any further top-level
/// fields in `extra` (e.g. `"horizon": "1s", "seed": 7`; may be empty).
pub fn scenario_json(classes: &str, strategies: &str, extra: &str) -> String {
    let extra = if extra.is_empty() { String::new() } else { format!("{extra},") };
    format!(
        r#"{{"name": "t", "pools": {{"db": 2, "one": 1, "lines": {{"size": 2, "when_full": "reject"}}}}, "machine": {{"cores": 2}}, {extra}
            "classes": {{{classes}}}, "strategies": {strategies}}}"#
    )
}

/// `json` (made by [`scenario_json`]) on a machine of `cores` cores.
pub fn with_cores(json: &str, cores: u32) -> String {
    assert!(json.contains(r#""cores": 2"#), "not a scenario_json scenario");
    json.replacen(r#""cores": 2"#, &format!(r#""cores": {cores}"#), 1)
}

/// A class `name` with `arrivals` (a JSON object) running `program` (a JSON
/// list of steps), as an entry of [`scenario_json`]'s `classes`.
pub fn class(name: &str, arrivals: &str, program: &str) -> String {
    format!(r#""{name}": {{"arrivals": {arrivals}, "program": {program}}}"#)
}

/// A class `name` of `count` tasks at t = 0 running `program`.
pub fn batch_class(name: &str, count: u64, program: &str) -> String {
    class(name, &format!(r#"{{"batch": {{"count": {count}}}}}"#), program)
}

/// A scenario of one class `task` with `count` tasks at t = 0 running
/// `program` (a JSON list of steps), under `strategies` (a JSON list).
pub fn batch(count: u64, program: &str, strategies: &str) -> String {
    scenario_json(&batch_class("task", count, program), strategies, "")
}

fn find_strategy<'s>(scenario: &'s Scenario, label: &str) -> &'s Strategy {
    scenario.strategies.iter().find(|s| s.label == label).unwrap_or_else(|| panic!("no strategy {label}"))
}

/// Runs the strategy labelled `label`, with tracing; a run that cannot
/// finish returns the engine's error.
pub fn try_run(json: &str, label: &str) -> Result<Run, EngineError> {
    let scenario = scenario(json);
    let strategy = find_strategy(&scenario, label);
    let workload = CompiledWorkload::compile(&scenario);
    let mut collect = Collect { tracing: true, ..Collect::default() };
    collect.run.stats = engine::run(&scenario, &workload, strategy, &mut collect)?;
    collect.run.names = (0..workload.ops.len() as u32).map(|pc| workload.display_name(pc).to_string()).collect();
    collect.run.classes =
        scenario.classes.iter().zip(&workload.class_bases).map(|(c, &base)| (c.name.clone(), base)).collect();
    Ok(collect.run)
}

/// Runs the strategy labelled `label`, with tracing.
pub fn run(json: &str, label: &str) -> Run {
    try_run(json, label).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs every strategy of the scenario, in file order, with their labels.
pub fn run_all(json: &str) -> Vec<(String, Run)> {
    scenario(json).strategies.iter().map(|s| (s.label.clone(), run(json, &s.label))).collect()
}

/// Runs the scenario's first strategy.
pub fn run_first(json: &str) -> Run {
    run(json, &scenario(json).strategies[0].label)
}

/// Runs `program` on `count` tasks at t = 0 under one strategy given as JSON
/// (e.g. `"cooperative"` or `{"threaded": {"workers": 2}}`).
pub fn run_batch(count: u64, program: &str, strategy: &str) -> Run {
    run_first(&batch(count, program, &format!("[{strategy}]")))
}

/// Measures the strategy labelled `label` as reports do.
pub fn measure(json: &str, label: &str) -> Measurement {
    let scenario = scenario(json);
    let workload = CompiledWorkload::compile(&scenario);
    metrics::measure(&scenario, &workload, find_strategy(&scenario, label), None).unwrap_or_else(|e| panic!("{e}"))
}

/// An instant in whole milliseconds; panics on a fraction, so that a
/// sub-millisecond error cannot hide behind the rounding.
pub fn ms(t: SimTime) -> u64 {
    let nanos = t.as_nanos();
    assert_eq!(nanos % 1_000_000, 0, "{nanos} ns is not a whole number of milliseconds");
    nanos / 1_000_000
}

impl Run {
    /// Each task's end in milliseconds, by task index (first class only).
    pub fn ends_ms(&self) -> Vec<u64> {
        self.ends_ms_of(0)
    }

    /// Each task's end in milliseconds, by task index, for class `class`
    /// (its place in the file).
    pub fn ends_ms_of(&self, class: u16) -> Vec<u64> {
        self.by_index(class).iter().map(|r| ms(r.ended)).collect()
    }

    /// Each task's end in microseconds, by task index, for class `class`.
    pub fn ends_us_of(&self, class: u16) -> Vec<u64> {
        self.by_index(class).iter().map(|r| r.ended.as_nanos() / 1_000).collect()
    }

    /// Each task's arrival in milliseconds, by task index, for class `class`.
    pub fn arrivals_ms_of(&self, class: u16) -> Vec<u64> {
        self.by_index(class).iter().map(|r| ms(r.arrived)).collect()
    }

    /// Each task's arrival in nanoseconds, by task index, for class `class`.
    pub fn arrivals_ns_of(&self, class: u16) -> Vec<u64> {
        self.by_index(class).iter().map(|r| r.arrived.as_nanos()).collect()
    }

    /// Each task's latency in milliseconds, by task index (first class only).
    pub fn latencies_ms(&self) -> Vec<u64> {
        self.by_index(0).iter().map(|r| ms(r.ended) - ms(r.arrived)).collect()
    }

    /// Each task's outcome, by task index (first class only).
    pub fn outcomes(&self) -> Vec<Outcome> {
        self.outcomes_of(0)
    }

    /// Each task's outcome, by task index, for class `class`.
    pub fn outcomes_of(&self, class: u16) -> Vec<Outcome> {
        self.by_index(class).iter().map(|r| r.outcome).collect()
    }

    pub fn makespan_ms(&self) -> u64 {
        ms(SimTime::ZERO + self.stats.makespan())
    }

    /// When each step labelled `label` began, in milliseconds, in trace order.
    pub fn began_ms(&self, label: &str) -> Vec<u64> {
        self.step_times(label, |what| matches!(what, TraceWhat::Began { .. }))
    }

    /// When each step labelled `label` completed, in milliseconds, in trace
    /// order.
    pub fn ended_ms(&self, label: &str) -> Vec<u64> {
        self.step_times(label, |what| matches!(what, TraceWhat::Ended { .. }))
    }

    fn step_times(&self, label: &str, kind: impl Fn(&TraceWhat) -> bool) -> Vec<u64> {
        self.trace
            .iter()
            .filter(|e| kind(&e.what) && self.names[what_pc(&e.what) as usize] == label)
            .map(|e| ms(e.time))
            .collect()
    }

    /// Every sampled step duration (ns), keyed by (class name, task index
    /// within the class, the step's offset in its class's ops). A step that
    /// runs several times in one task (gather copies) has several values,
    /// sorted: strategies may run copies in a different order.
    pub fn draws(&self) -> BTreeMap<(String, u64, u32), Vec<u64>> {
        let mut index_of = BTreeMap::new();
        let mut issued = vec![0u64; self.classes.len()];
        let mut draws: BTreeMap<(String, u64, u32), Vec<u64>> = BTreeMap::new();
        for e in &self.trace {
            let class = e.class as usize;
            match e.what {
                TraceWhat::Arrived => {
                    index_of.insert(e.task, issued[class]);
                    issued[class] += 1;
                }
                TraceWhat::Began { pc, duration: Some(d) } => {
                    let (name, base) = &self.classes[class];
                    draws.entry((name.clone(), index_of[&e.task], pc - base)).or_default().push(d);
                }
                _ => {}
            }
        }
        draws.values_mut().for_each(|v| v.sort_unstable());
        draws
    }

    fn by_index(&self, class: u16) -> Vec<TaskRecord> {
        let mut records: Vec<TaskRecord> = self.records.iter().filter(|r| r.class == class).copied().collect();
        records.sort_by_key(|r| r.index);
        records
    }
}

/// The op a step's trace event is about.
fn what_pc(what: &TraceWhat) -> u32 {
    match what {
        TraceWhat::Began { pc, .. } | TraceWhat::Awaiting { pc } | TraceWhat::Ended { pc } => *pc,
        _ => u32::MAX,
    }
}
