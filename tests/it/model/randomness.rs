//! R-TIME, R-TIES, R-CRN, R-SEED: virtual time, ordering and random draws.

use crate::model::harness::{Run, batch, batch_class, class, run, run_all, run_first, scenario, scenario_json};
use simbench::engine::{Outcome, TraceWhat};
use simbench::metrics;
use simbench::model::CompiledWorkload;
use simbench::report::{self, Report, ScenarioInfo};

/// A program drawing at every kind of draw site: top-level steps, gather
/// copies and branches, a spawned program.
const RANDOM: &str = r#"[
    {"io": {"exponential": {"mean": "10ms"}}},
    {"gather": [
        {"copies": 3, "program": [{"io": {"uniform": {"min": "1ms", "max": "9ms"}}}]},
        [{"cpu": {"exponential": {"mean": "1ms"}}}]]},
    {"spawn": {"name": "s", "program": [{"sleep": {"lognormal": {"median": "2ms", "p99": "20ms"}}}]}},
    {"blocking": {"normal": {"mean": "3ms", "stddev": "1ms"}}},
    {"join": "s"}]"#;
/// Draws per task of [`RANDOM`]: 1 + 3 + 1 + 1 + 1.
const DRAWS_PER_TASK: usize = 7;
const STRATEGIES: &str = r#"["blocking", {"threaded": {"workers": 3}},
    {"threaded": {"workers": 3, "gil": false, "label": "nogil"}},
    "cooperative", {"cooperative": {"max_concurrency": 4, "label": "coop-4"}}]"#;

#[test]
fn r_time_duration_literals_convert_exactly() {
    // 0.1 + 0.1 + 0.1 is not 0.3 in floating point, but in integer
    // nanoseconds it is.
    let run = run_first(&batch(3, r#"[{"io": "0.1s"}]"#, r#"["blocking"]"#));
    let ends: Vec<u64> = run.records.iter().map(|r| r.ended.as_nanos()).collect();
    assert_eq!(ends, [100_000_000, 200_000_000, 300_000_000]);
    let run = run_first(&batch(1, r#"[{"io": "1.000000001s"}, {"sleep": "1ns"}]"#, r#"["cooperative"]"#));
    assert_eq!(run.records[0].ended.as_nanos(), 1_000_000_002);
}

#[test]
fn r_time_sampled_durations_are_rounded_to_the_nearest_nanosecond() {
    // normal(mean 1 ns, sd 1 ns), truncated at 0: of the draws x ≥ 0
    // (probability Φ(1) = 0.8413), rounding gives 0 for x < 0.5 with
    // probability (Φ(-0.5) - Φ(-1)) / Φ(1) = 0.1781 and 1 for 0.5 ≤ x < 1.5
    // with probability (Φ(0.5) - Φ(-0.5)) / Φ(1) = 0.4551. Truncation would
    // give 0 for x < 1: 0.4057. Binomial sd over 4000 draws: 0.0061 and
    // 0.0079; allow ±5 sd.
    const N: usize = 4000;
    let program = format!(
        r#"[{{"gather": [{{"copies": {N}, "program": [{{"sleep": {{"normal": {{"mean": "1ns", "stddev": "1ns"}}}}}}]}}]}}]"#
    );
    let draws: Vec<u64> =
        run_first(&batch(1, &program, r#"["cooperative"]"#)).draws().into_values().flatten().collect();
    assert_eq!(draws.len(), N);
    let share = |v: u64| draws.iter().filter(|&&d| d == v).count() as f64 / N as f64;
    assert!((0.1476..=0.2086).contains(&share(0)), "P(0) = {}", share(0));
    assert!((0.4156..=0.4946).contains(&share(1)), "P(1) = {}", share(1));
}

#[test]
fn r_time_never_goes_back() {
    let json = scenario_json(
        &class(
            "mixed",
            r#"{"poisson": {"rate": 500, "count": 300}}"#,
            r#"[{"timeout": {"after": "20ms", "program": [{"io": {"exponential": {"mean": "10ms"}}}]}},
                {"cpu": {"exponential": {"mean": "1ms"}}},
                {"gather": [{"copies": 2, "program": [{"sleep": {"uniform": {"min": "0", "max": "5ms"}}}]}]}]"#,
        ),
        STRATEGIES,
        "",
    );
    for (label, run) in run_all(&json) {
        assert!(run.trace.windows(2).all(|w| w[0].time <= w[1].time), "{label}: trace time went back");
        assert!(run.records.windows(2).all(|w| w[0].ended <= w[1].ended), "{label}: an end went back");
        assert!(run.records.iter().all(|r| r.arrived <= r.ended), "{label}: a task ended before it arrived");
    }
}

#[test]
fn r_ties_tasks_arriving_together_start_in_creation_order() {
    let run = run_first(&batch(4, r#"[{"cpu": "10ms"}]"#, r#"["cooperative"]"#));
    assert_eq!(run.ends_ms(), [10, 20, 30, 40]);
    let started: Vec<u64> = run.trace.iter().filter(|e| matches!(e.what, TraceWhat::Started)).map(|e| e.task).collect();
    assert_eq!(started, [0, 1, 2, 3]);
}

#[test]
fn r_ties_classes_arrive_in_file_order() {
    // "zeta" is first in the file, though not in alphabetical order.
    let classes =
        [batch_class("zeta", 1, r#"[{"io": "1s"}]"#), batch_class("alpha", 1, r#"[{"io": "1s"}]"#)].join(", ");
    let json = scenario_json(&classes, r#"["blocking"]"#, "");
    let run = run_first(&json);
    assert_eq!(scenario(&json).classes[0].name, "zeta");
    assert_eq!((run.ends_ms_of(0), run.ends_ms_of(1)), (vec![1000], vec![2000]));
    let arrived: Vec<(u64, u16)> =
        run.trace.iter().filter(|e| matches!(e.what, TraceWhat::Arrived)).map(|e| (e.task, e.class)).collect();
    assert_eq!(arrived, [(0, 0), (1, 1)]);
}

#[test]
fn r_ties_timers_due_together_fire_in_scheduling_order() {
    // Both timers complete at 2 s. b's was scheduled at 0, a's second one at
    // 1 s, so b resumes first and computes 2.00–2.01 s; a, although first in
    // the file, computes 2.01–2.02 s.
    let classes = [
        batch_class("a", 1, r#"[{"io": "1s"}, {"io": "1s"}, {"cpu": "10ms"}]"#),
        batch_class("b", 1, r#"[{"io": "2s"}, {"cpu": "10ms"}]"#),
    ]
    .join(", ");
    let run = run_first(&scenario_json(&classes, r#"["cooperative"]"#, ""));
    assert_eq!((run.ends_ms_of(0), run.ends_ms_of(1)), (vec![2020], vec![2010]));
}

#[test]
fn r_crn_task_k_draws_the_same_durations_under_every_strategy() {
    let json = batch(20, RANDOM, STRATEGIES);
    let runs = run_all(&json);
    let (first_label, first) = &runs[0];
    let draws = first.draws();
    assert_eq!(draws.values().map(Vec::len).sum::<usize>(), 20 * DRAWS_PER_TASK);
    for (label, run) in &runs[1..] {
        assert_eq!(run.draws(), draws, "{label} drew differently from {first_label}");
    }
    // The draws really depend on the task and on the gather copy.
    let copies = draws.iter().find(|(_, v)| v.len() == 3).expect("the gather copies' draws").1;
    assert!(copies[0] != copies[1] && copies[1] != copies[2], "gather copies drew alike: {copies:?}");
    let first_io: Vec<u64> = draws.iter().filter(|((_, _, offset), _)| *offset == 0).map(|(_, v)| v[0]).collect();
    assert_eq!(first_io.len(), 20);
    assert!(first_io.windows(2).all(|w| w[0] != w[1]), "consecutive tasks drew alike: {first_io:?}");
}

#[test]
fn r_crn_failures_and_arrivals_are_common_to_every_strategy() {
    let program = r#"[{"io": {"exponential": {"mean": "10ms"}}, "fail": 0.5}, {"io": "1ms"}]"#;
    let json = scenario_json(&class("task", r#"{"poisson": {"rate": 50, "count": 40}}"#, program), STRATEGIES, "");
    let runs = run_all(&json);
    let outcomes = runs[0].1.outcomes();
    let failed = outcomes.iter().filter(|o| **o == Outcome::Failed).count();
    assert!(failed > 0 && failed < 40, "{failed} of 40 failed: the test checks nothing");
    let arrivals = runs[0].1.arrivals_ns_of(0);
    for (label, run) in &runs[1..] {
        assert_eq!(run.outcomes(), outcomes, "{label}");
        assert_eq!(run.arrivals_ns_of(0), arrivals, "{label}");
    }
}

#[test]
fn r_crn_adding_a_class_or_a_strategy_changes_no_other_draw() {
    let api = class("api", r#"{"poisson": {"rate": 100, "count": 10}}"#, RANDOM);
    let other = class("batch", r#"{"poisson": {"rate": 300, "count": 7}}"#, RANDOM);
    let alone = run(&scenario_json(&api, r#"["cooperative"]"#, ""), "cooperative");
    // Another class before it (its ops and tasks come first) and more
    // strategies.
    let crowded_json = scenario_json(&format!("{other}, {api}"), STRATEGIES, "");
    let crowded = run(&crowded_json, "cooperative");
    let api_draws = |run: &Run| run.draws().into_iter().filter(|((name, _, _), _)| name == "api").collect::<Vec<_>>();
    // Five draw sites per task (the gather copies share one key).
    assert_eq!(api_draws(&alone).len(), 10 * 5);
    assert_eq!(api_draws(&crowded), api_draws(&alone));
    assert_eq!(crowded.arrivals_ns_of(1), alone.arrivals_ns_of(0));
    // The other class does draw: the comparison is not vacuous.
    assert!(crowded.draws().keys().any(|(name, _, _)| name == "batch"));
}

#[test]
fn r_seed_same_seed_same_report_byte_for_byte() {
    let json = scenario_json(&class("task", r#"{"poisson": {"rate": 200, "count": 50}}"#, RANDOM), STRATEGIES, "");
    assert_eq!(report_json(&json), report_json(&json));
    for (label, first) in run_all(&json) {
        assert_eq!(first.trace, run(&json, &label).trace, "{label}");
    }
}

#[test]
fn r_seed_a_different_seed_changes_every_draw() {
    let program = r#"[{"io": {"exponential": {"mean": "10ms"}}}, {"cpu": {"uniform": {"min": "1ms", "max": "9ms"}}},
        {"sleep": {"lognormal": {"median": "2ms", "p99": "20ms"}}}]"#;
    let json = |seed: u64| {
        scenario_json(
            &class("task", r#"{"poisson": {"rate": 100, "count": 30}}"#, program),
            r#"["cooperative"]"#,
            &format!(r#""seed": {seed}"#),
        )
    };
    let (one, two) = (run_first(&json(1)), run_first(&json(2)));
    let (a, b) = (one.draws(), two.draws());
    assert_eq!(a.len(), 30 * 3);
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (key, draws) in &a {
        assert_ne!(draws, &b[key], "draw {key:?} is the same under seeds 1 and 2");
    }
    let (arrivals_one, arrivals_two) = (one.arrivals_ns_of(0), two.arrivals_ns_of(0));
    assert!(arrivals_one.iter().zip(&arrivals_two).all(|(x, y)| x != y), "an arrival did not move");
    assert_ne!(report_json(&json(1)), report_json(&json(2)));
}

/// report.json for every strategy of the scenario, as `simbench run` writes it.
fn report_json(json: &str) -> String {
    let scenario = scenario(json);
    let workload = CompiledWorkload::compile(&scenario);
    let results = scenario
        .strategies
        .iter()
        .map(|s| metrics::measure(&scenario, &workload, s, None).expect("the run finishes").result)
        .collect();
    let info = ScenarioInfo::of(&scenario, "test.json", "");
    report::json::render(&Report::new(info, results))
}

/// A Poisson scenario with random service, for replications.
fn replicated_json() -> String {
    scenario_json(
        &class("task", r#"{"poisson": {"rate": 50, "count": 200}}"#, r#"[{"cpu": {"exponential": {"mean": "10ms"}}}]"#),
        r#"["blocking", "cooperative"]"#,
        r#""seed": 7"#,
    )
}

#[test]
fn r_replications_are_seeded_from_the_scenario_seed() {
    // Replication 0 is the plain run; the others run under derived seeds,
    // so their figures differ, and the same replication is always the same.
    let scenario = scenario(&replicated_json());
    let workload = CompiledWorkload::compile(&scenario);
    let strategy = &scenario.strategies[0];
    let runs = metrics::replicate::replicate(&scenario, &workload, strategy, 0..4, Default::default()).unwrap();
    let plain = metrics::measure(&scenario, &workload, strategy, None).unwrap();
    assert_eq!(runs[0].result, plain.result);
    let means: Vec<f64> = runs.iter().map(|m| m.result.latency_s.mean).collect();
    assert!(means.windows(2).all(|w| w[0] != w[1]), "{means:?}");
    let again = metrics::replicate::replicate(&scenario, &workload, strategy, 2..3, Default::default()).unwrap();
    assert_eq!(again[0].result, runs[2].result);
    let reseeded = simbench::model::Scenario { seed: simbench::engine::replication_seed(7, 2), ..scenario.clone() };
    assert_eq!(metrics::measure(&reseeded, &workload, strategy, None).unwrap().result, runs[2].result);
}

#[test]
fn r_replications_give_student_t_intervals_independent_of_the_thread_count() {
    let scenario = scenario(&replicated_json());
    let workload = CompiledWorkload::compile(&scenario);
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            scenario
                .strategies
                .iter()
                .map(|s| {
                    metrics::replicate::measure_replicated(&scenario, &workload, s, 5, Default::default()).unwrap()
                })
                .collect::<Vec<_>>()
        })
    };
    let (one, three) = (on(1), on(3));
    assert_eq!(one, three);
    // The interval is the t interval of the five replications' values.
    let runs =
        metrics::replicate::replicate(&scenario, &workload, &scenario.strategies[0], 0..5, Default::default()).unwrap();
    let means: Vec<f64> = runs.iter().map(|m| m.result.latency_s.mean).collect();
    let expected = metrics::stats::Interval::of(&means).rounded(6);
    let intervals = one[0].intervals.as_ref().expect("five replications have intervals");
    assert_eq!((intervals.replications, intervals.latency_s.mean), (5, expected));
    assert!(intervals.latency_s.mean.half_width > 0.0);
    assert!(one[0].classes[0].intervals.is_some());
    // One replication is the plain run, with no intervals.
    let single =
        metrics::replicate::measure_replicated(&scenario, &workload, &scenario.strategies[0], 1, Default::default())
            .unwrap();
    assert_eq!((single.intervals.clone(), single), (None, runs[0].result.clone()));
}
