// The pipeline the fuzz target drives, shared with tests/it/fuzz_corpus.rs
// (both `include!` this file): parsing and validation, then, for scenarios
// small enough, a bounded run of every strategy and every report format.
// Invalid input must come back as a `ScenarioError` and a deadlock as an
// `EngineError`; a panic, hang or abort is a bug.
//
// An input may carry command-line arguments after its first NUL byte, one
// a line: each line is read as `sweep --set PATH=VALUES`, as `plan --vary
// PATH`, as `plan --range LO..HI`, as VALUES and as `--shard`, by the
// library functions the CLI calls; then a study of the scenario with the
// lines that are `--set`s checks and runs a few points, and plans the first
// path, all bounded like the run below.
use simbench::engine::Limits;
use simbench::metrics;
use simbench::model::CompiledWorkload;
use simbench::model::estimate::{Guards, estimate};
use simbench::report::{self, Report, ScenarioInfo};
use simbench::sweep::plan::{self, Goal, PlanSpec};
use simbench::sweep::{self, FieldPath, ShardSpec, Study};

pub fn exercise(data: &[u8]) {
    let (data, arguments) = match data.iter().position(|&b| b == 0) {
        Some(nul) => (&data[..nul], Some(&data[nul + 1..])),
        None => (data, None),
    };
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Some(arguments) = arguments.and_then(|a| std::str::from_utf8(a).ok()) {
        study(text, arguments);
    }
    let Ok(scenario) = simbench::scenario::parse(text, "fuzz.json") else { return };
    // Keep each input fast: the guards `simbench run` applies, much tighter,
    // and the events of all strategies together bounded (the scraper seed's
    // four strategies of 1,000 tasks took over 10 s under ASan on a busy
    // machine).
    let size = estimate(&scenario);
    let runs = scenario.strategies.len() as f64;
    if !(size.tasks() <= 2_000.0 && size.events() * runs <= 200_000.0 && size.peak_bytes() <= 1e7) {
        return;
    }
    let workload = CompiledWorkload::compile(&scenario);
    let limits = Limits { max_events: Some(500_000), ..Limits::default() };
    let (mut results, mut intervals) = (Vec::new(), Vec::new());
    for strategy in &scenario.strategies {
        let options = metrics::Options {
            trace_limit: Some(100),
            timeline_tasks: Some(20),
            hlog_interval: Some(simbench::time::SimDuration::from_millis(1)),
        };
        match metrics::measure_with(&scenario, &workload, strategy, options, limits) {
            Ok(m) => {
                if let Some(log) = &m.trace {
                    let _ = report::trace::render(log, &scenario, &workload, &strategy.label);
                }
                results.push(m.result);
                intervals.extend(m.intervals);
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
    let info = ScenarioInfo::of(&scenario, "fuzz.json", "");
    let report = Report::new(info, results);
    let _ = report::json::render(&report);
    let _ = report::markdown::render(&report);
    let _ = report::terminal::render(&report);
    // The interval log re-encodes a histogram per interval and class: at
    // 1 ms intervals a run of seconds has thousands, too slow for a fuzz
    // input (a 10 s timeout on the scraper seed), so long ones are left out.
    let count: usize = intervals.iter().map(|series| series.intervals.len()).sum();
    if intervals.len() == report.results.len() && count <= 400 {
        let _ = report::export::hlog::render(&report, &intervals);
    }
}

/// The fuzz run's guards, much tighter than `simbench run`'s.
const GUARDS: Guards = Guards { max_tasks: 2_000, max_memory: 10_000_000, max_events: 200_000, max_total_tasks: 8_000 };

/// `sweep` and `plan` over `text` with the argument `lines`.
fn study(text: &str, lines: &str) {
    let lines: Vec<&str> = lines.lines().take(8).collect();
    let (mut sets, mut paths, mut range) = (Vec::new(), Vec::new(), None);
    for line in &lines {
        let _ = sweep::parse_values(line).map(|v| v.len());
        let _ = ShardSpec::parse(line).map_err(|e| e.to_string());
        range = range.or(plan::parse_range(line));
        match FieldPath::parse(line) {
            Ok(path) => paths.push(path),
            Err(e) => drop(e.to_string()),
        }
        match sweep::parse_set(line) {
            Ok(set) => sets.push(set),
            Err(e) => drop(e.to_string()),
        }
    }
    let study = match Study::new(text, "fuzz.json", sets) {
        Ok(study) => study,
        Err(e) => return drop(e.to_string()),
    };
    for path in &paths {
        let _ = path.lookup(&study.doc).map_err(|e| e.to_string());
        let _ = path.resolve(&study.doc);
        let _ = path.strategy_index(&study.doc);
        let mut doc = study.doc.clone();
        let _ = path.set(&mut doc, sweep::values::number_value(1.0));
    }
    let limits = Limits { max_events: Some(50_000), ..Limits::default() };
    // A few points, checked and run as `sweep` does.
    let indices: Vec<usize> = (0..study.len().min(3)).collect();
    match sweep::check(&study, &indices, &GUARDS) {
        Ok(()) => drop(sweep::run(&study, &indices, limits, &|_| {}).map_err(|e| e.to_string())),
        Err(e) => drop(e.to_string()),
    }
    // The first path planned, as `plan` does, if the scenario has SLOs.
    let Some(path) = paths.first() else { return };
    let Ok(base) = study.base() else { return };
    if base.slos.is_empty() || GUARDS.check(&base).is_err() || !study.grid.is_empty() {
        return;
    }
    let goal = if lines.len() % 2 == 0 { Goal::Maximize } else { Goal::Minimize };
    let spec = PlanSpec { path: path.clone(), range, goal, precision: None };
    // Each probe bounded tighter still: a search may make some 60.
    let limits = Limits { max_events: Some(20_000), ..Limits::default() };
    let _ = plan::plan(&study, &spec, limits, &GUARDS).map_err(|e| e.to_string());
}
