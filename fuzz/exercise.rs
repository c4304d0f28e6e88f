// The pipeline the fuzz target drives, shared with tests/it/fuzz_corpus.rs
// (both `include!` this file): parsing and validation, then, for scenarios
// small enough, a bounded run of every strategy and every report format.
// Invalid input must come back as a `ScenarioError` and a deadlock as an
// `EngineError`; a panic, hang or abort is a bug.
use simbench::engine::Limits;
use simbench::metrics;
use simbench::model::CompiledWorkload;
use simbench::model::estimate::estimate;
use simbench::report::{self, Report, ScenarioInfo};

pub fn exercise(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(scenario) = simbench::scenario::parse(text, "fuzz.json") else { return };
    // Keep each input fast: the guards `simbench run` applies, much tighter.
    let size = estimate(&scenario);
    if !(size.tasks() <= 2_000.0 && size.events() <= 200_000.0 && size.peak_bytes() <= 1e7) {
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
    if intervals.len() == report.results.len() {
        let _ = report::export::hlog::render(&report, &intervals);
    }
}
