//! Valid scenarios: every example file parses; omitted fields take their
//! documented defaults; durations are exact; each distribution, arrival,
//! step and strategy form decodes to the expected model; `_` fields are
//! ignored; and every example in docs/scenario.md parses (or, where marked
//! invalid, fails exactly as the page shows).

use crate::common::root;
use simbench::scenario::{
    Arrivals, Bound, Dist, Fail, GatherBranch, GatherMode, Machine, OnExpiry, Pool, Scenario, ScenarioError, Step,
    StepKind, Strategy, StrategyKind, Warmup, WhenFull, Z_P99, load, parse,
};
use simbench::time::SimDuration;

// ----- helpers -------------------------------------------------------------

fn ok(text: &str) -> Scenario {
    parse(text, "case.json").unwrap_or_else(|e| panic!("{e}\nin:\n{text}"))
}

/// A scenario whose one class `job` (one task) runs `steps`, a JSON list.
fn with_program(steps: &str) -> String {
    format!(
        r#"{{"name": "case", "classes": {{"job": {{"arrivals": {{"batch": {{"count": 1}}}}, "program": {steps}}}}}}}"#
    )
}

/// The program of the only class of [`with_program`]`(steps)`.
fn program(steps: &str) -> Vec<Step> {
    ok(&with_program(steps)).classes.remove(0).program
}

/// The duration distribution of `{"io": dist}`.
fn dist(dist: &str) -> Dist {
    match program(&format!(r#"[{{"io": {dist}}}]"#)).remove(0).kind {
        StepKind::Io { duration, .. } => duration,
        other => panic!("not io: {other:?}"),
    }
}

fn arrivals(arrivals: &str) -> Arrivals {
    let text =
        format!(r#"{{"name": "case", "classes": {{"job": {{"arrivals": {arrivals}, "program": [{{"io": "1s"}}]}}}}}}"#);
    ok(&text).classes.remove(0).arrivals
}

/// The strategies of a scenario on `cores` cores with `"strategies": list`.
fn strategies(cores: u32, list: &str) -> Vec<Strategy> {
    let text = format!(
        r#"{{"name": "case", "machine": {{"cores": {cores}}}, "strategies": {list},
            "classes": {{"job": {{"arrivals": {{"batch": {{"count": 1}}}}, "program": [{{"io": "1s"}}]}}}}}}"#
    );
    ok(&text).strategies
}

fn ms(n: u64) -> SimDuration {
    SimDuration::from_millis(n)
}

fn step(kind: StepKind) -> Step {
    Step { kind, label: None, threads: Default::default() }
}

fn io(duration: SimDuration) -> Step {
    step(StepKind::Io { duration: Dist::Constant(duration), fail: Fail::NEVER, transfer: None })
}

fn threaded(workers: u32) -> StrategyKind {
    StrategyKind::Threaded { workers, gil: true, switch_interval: ms(5) }
}

// ----- the example scenarios -----------------------------------------------

#[test]
fn every_example_scenario_parses() {
    let files = crate::common::scenario_files();
    assert!(files.len() >= 7, "scenarios/ holds the examples: {files:?}");
    for file in files {
        let loaded = load(&root().join(&file)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(loaded.sha256.len(), 64, "{file}");
        assert!(loaded.sha256.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()), "{file}");
    }
}

#[test]
fn the_scraper_example_decodes_to_its_model() {
    let scenario = load(&root().join("scenarios/scraper.json")).unwrap().scenario;
    assert_eq!(scenario.seed, 7);
    assert_eq!(scenario.machine, Machine { cores: 4 });
    assert_eq!(scenario.pools, [Pool { name: "connections".into(), size: 100, when_full: WhenFull::Wait }]);
    let page = &scenario.classes[0];
    assert_eq!(page.arrivals, Arrivals::Batch { count: 1000 });
    let fetch = Step {
        kind: StepKind::Io {
            duration: Dist::lognormal_from_median_p99(ms(200), SimDuration::from_nanos(1_500_000_000)),
            fail: Fail::NEVER,
            transfer: None,
        },
        label: Some("fetch".into()),
        threads: Default::default(),
    };
    let parse_step = Step {
        kind: StepKind::Cpu(Dist::Uniform { min: ms(2), max: ms(8) }),
        label: Some("parse".into()),
        threads: Default::default(),
    };
    assert_eq!(page.program, [step(StepKind::Limit { pool: 0, program: vec![fetch] }), parse_step]);
    let labels: Vec<&str> = scenario.strategies.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels, ["blocking", "threaded", "threaded-100", "cooperative"]);
    assert_eq!(scenario.strategies[1].kind, threaded(8), "min(32, 4 + 4) workers");
    assert_eq!(scenario.strategies[2].kind, threaded(100));
}

// ----- defaults ------------------------------------------------------------

#[test]
fn a_minimal_scenario_takes_every_default() {
    let scenario = ok(&with_program(r#"[{"io": "1s"}]"#));
    assert_eq!(scenario.name, "case");
    assert_eq!(scenario.description, "");
    assert_eq!(scenario.seed, 1);
    assert_eq!(scenario.machine, Machine { cores: 1 });
    assert_eq!(scenario.horizon, None);
    assert!(scenario.pools.is_empty());
    assert_eq!(
        scenario.strategies,
        [
            Strategy { label: "blocking".into(), kind: StrategyKind::Blocking },
            Strategy { label: "threaded".into(), kind: threaded(5) },
            Strategy { label: "cooperative".into(), kind: StrategyKind::Cooperative { max_concurrency: None } },
        ]
    );
}

#[test]
fn default_workers_are_min_32_and_cores_plus_4() {
    for (cores, workers) in [(1, 5), (4, 8), (27, 31), (28, 32), (64, 32), (u32::MAX, 32)] {
        let expected = Strategy { label: "threaded".into(), kind: threaded(workers) };
        assert_eq!(strategies(cores, r#"["threaded"]"#)[0], expected, "string form, {cores} cores");
        assert_eq!(strategies(cores, r#"[{"threaded": {}}]"#)[0], expected, "object form, {cores} cores");
        let text = format!(
            r#"{{"name": "d", "machine": {{"cores": {cores}}}, "classes": {{"j": {{"arrivals": {{"batch": {{"count": 1}}}}, "program": [{{"io": "1s"}}]}}}}}}"#
        );
        assert_eq!(ok(&text).strategies[1], expected, "default strategies, {cores} cores");
    }
}

#[test]
fn top_level_fields_decode() {
    let text = r#"{
      "name": "all", "description": "every field", "seed": 18446744073709551615,
      "machine": {"cores": 16}, "horizon": "90s", "pools": {"db": 20, "api": 3},
      "classes": {"job": {"arrivals": {"batch": {"count": 2}}, "program": [{"io": "1s"}]}}
    }"#;
    let scenario = ok(text);
    assert_eq!(scenario.description, "every field");
    assert_eq!(scenario.seed, u64::MAX);
    assert_eq!(scenario.machine.cores, 16);
    assert_eq!(scenario.horizon, Some(SimDuration::from_secs(90)));
    assert_eq!(
        scenario.pools,
        [
            Pool { name: "db".into(), size: 20, when_full: WhenFull::Wait },
            Pool { name: "api".into(), size: 3, when_full: WhenFull::Wait }
        ]
    );
    assert_eq!(ok(&text.replace("18446744073709551615", "0")).seed, 0);
}

#[test]
fn warmup_is_a_duration_or_auto() {
    let text = r#"{"name": "w", "warmup": "30s", "classes": {
      "a": {"arrivals": {"poisson": {"rate": 5, "count": 10}}, "program": [{"io": "1s"}]},
      "b": {"arrivals": {"interval": {"every": "1s", "count": 10}}, "program": [{"io": "1s"}]}}}"#;
    assert_eq!(ok(text).warmup, Some(Warmup::Duration(SimDuration::from_secs(30))));
    assert_eq!(ok(&text.replace(r#""30s""#, r#""auto""#)).warmup, Some(Warmup::Auto));
    assert_eq!(ok(&text.replace(r#""warmup": "30s", "#, "")).warmup, None);
}

#[test]
fn a_pool_may_reject_when_full() {
    let text = r#"{
      "name": "loss", "pools": {"lines": {"size": 8, "when_full": "reject"}, "db": {"size": 2}, "q": {"size": 3, "when_full": "wait"}},
      "classes": {"call": {"arrivals": {"batch": {"count": 2}}, "program": [{"limit": {"pool": "lines", "program": [{"io": "1s"}]}}]}}
    }"#;
    assert_eq!(
        ok(text).pools,
        [
            Pool { name: "lines".into(), size: 8, when_full: WhenFull::Reject },
            Pool { name: "db".into(), size: 2, when_full: WhenFull::Wait },
            Pool { name: "q".into(), size: 3, when_full: WhenFull::Wait }
        ]
    );
}

#[test]
fn classes_and_pools_keep_file_order() {
    let text = r#"{"name": "order", "pools": {"z": 1, "a": 2, "m": 3}, "classes": {
      "zeta": {"arrivals": {"batch": {"count": 1}}, "program": [{"io": "1s"}]},
      "alpha": {"arrivals": {"batch": {"count": 1}}, "program": [{"limit": {"pool": "m", "program": [{"io": "1s"}]}}]}
    }}"#;
    let scenario = ok(text);
    let pools: Vec<&str> = scenario.pools.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(pools, ["z", "a", "m"]);
    let classes: Vec<&str> = scenario.classes.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(classes, ["zeta", "alpha"]);
    assert!(matches!(scenario.classes[1].program[0].kind, StepKind::Limit { pool: 2, .. }), "pools by index");
}

// ----- durations -----------------------------------------------------------

#[test]
fn duration_literals_are_exact_integer_nanoseconds() {
    let cases: &[(&str, u64)] = &[
        ("0", 0),
        ("0.0", 0),
        ("0s", 0),
        ("7ns", 7),
        ("40us", 40_000),
        ("40µs", 40_000),
        ("40μs", 40_000),
        ("250ms", 250_000_000),
        ("5s", 5_000_000_000),
        ("5 s", 5_000_000_000),
        ("2min", 120_000_000_000),
        ("1h", 3_600_000_000_000),
        ("1.5s", 1_500_000_000),
        ("0.1s", 100_000_000),
        ("2.50s", 2_500_000_000),
        (".5ms", 500_000),
        ("0.000000001s", 1),
        ("1.000000001s", 1_000_000_001),
        ("0.1h", 360_000_000_000),
        ("18446744073709551615ns", u64::MAX),
    ];
    for &(literal, nanos) in cases {
        assert_eq!(dist(&format!("\"{literal}\"")), Dist::Constant(SimDuration::from_nanos(nanos)), "{literal}");
    }
}

// ----- distributions -------------------------------------------------------

#[test]
fn constant_in_both_forms() {
    assert_eq!(dist(r#""250ms""#), Dist::Constant(ms(250)));
    assert_eq!(dist(r#"{"constant": "250ms"}"#), Dist::Constant(ms(250)));
}

#[test]
fn uniform_decodes_with_min_equal_to_max_allowed() {
    assert_eq!(dist(r#"{"uniform": {"min": "2ms", "max": "8ms"}}"#), Dist::Uniform { min: ms(2), max: ms(8) });
    assert_eq!(dist(r#"{"uniform": {"min": "3ms", "max": "3ms"}}"#), Dist::Uniform { min: ms(3), max: ms(3) });
}

#[test]
fn exponential_and_normal_decode_to_nanoseconds() {
    assert_eq!(dist(r#"{"exponential": {"mean": "40ms"}}"#), Dist::Exponential { mean_ns: 4e7 });
    assert_eq!(
        dist(r#"{"normal": {"mean": "100ms", "stddev": "20ms"}}"#),
        Dist::Normal { mean_ns: 1e8, stddev_ns: 2e7 }
    );
    assert_eq!(dist(r#"{"normal": {"mean": "0", "stddev": "0"}}"#), Dist::Normal { mean_ns: 0.0, stddev_ns: 0.0 });
}

#[test]
fn lognormal_by_median_and_p99() {
    let decoded = dist(r#"{"lognormal": {"median": "200ms", "p99": "2s"}}"#);
    assert_eq!(decoded, Dist::lognormal_from_median_p99(ms(200), ms(2000)));
    let Dist::LogNormal { mu, sigma } = decoded else { panic!("{decoded:?}") };
    assert!((mu - 2e8f64.ln()).abs() < 1e-12, "mu = ln(median), got {mu}");
    assert!((sigma - 10f64.ln() / Z_P99).abs() < 1e-12, "sigma = ln(p99 / median) / z99, got {sigma}");
    // p99 = median: no spread.
    let Dist::LogNormal { mu, sigma } = dist(r#"{"lognormal": {"median": "1s", "p99": "1s"}}"#) else { panic!() };
    assert!((mu - 1e9f64.ln()).abs() < 1e-12 && sigma == 0.0, "mu {mu}, sigma {sigma}");
}

#[test]
fn lognormal_by_mean_and_stddev() {
    let decoded = dist(r#"{"lognormal": {"mean": "250ms", "stddev": "150ms"}}"#);
    assert_eq!(decoded, Dist::lognormal_from_mean_stddev(ms(250), ms(150)));
    assert!((decoded.mean_ns() / 2.5e8 - 1.0).abs() < 1e-9, "mean {}", decoded.mean_ns());
}

#[test]
fn pareto_is_bounded() {
    assert_eq!(
        dist(r#"{"pareto": {"min": "1ms", "max": "10s", "alpha": 1.2}}"#),
        Dist::BoundedPareto { min_ns: 1e6, max_ns: 1e10, alpha: 1.2 }
    );
}

#[test]
fn empirical_keeps_its_samples_in_order() {
    assert_eq!(
        dist(r#"{"empirical": ["120ms", "1.5s", "0"]}"#),
        Dist::Empirical(vec![ms(120), ms(1500), SimDuration::ZERO].into_boxed_slice())
    );
}

#[test]
fn every_duration_step_takes_a_distribution() {
    let exponential = Dist::Exponential { mean_ns: 1e6 };
    let steps = program(
        r#"[{"cpu": {"exponential": {"mean": "1ms"}}}, {"sleep": {"exponential": {"mean": "1ms"}}},
            {"blocking": {"exponential": {"mean": "1ms"}}}]"#,
    );
    assert_eq!(
        steps,
        [
            step(StepKind::Cpu(exponential.clone())),
            step(StepKind::Sleep(exponential.clone())),
            step(StepKind::Blocking(exponential))
        ]
    );
}

// ----- arrivals ------------------------------------------------------------

#[test]
fn each_arrival_kind_decodes() {
    assert_eq!(arrivals(r#"{"batch": {"count": 1000}}"#), Arrivals::Batch { count: 1000 });
    assert_eq!(
        arrivals(r#"{"poisson": {"rate": 150, "count": 20000}}"#),
        Arrivals::Poisson { rate_per_s: 150.0, bound: Bound::Count(20000) }
    );
    assert_eq!(
        arrivals(r#"{"poisson": {"rate": 0.5, "duration": "10min"}}"#),
        Arrivals::Poisson { rate_per_s: 0.5, bound: Bound::Duration(SimDuration::from_secs(600)) }
    );
    assert_eq!(
        arrivals(r#"{"interval": {"every": "100ms", "count": 50}}"#),
        Arrivals::Interval { every: Dist::Constant(ms(100)), bound: Bound::Count(50) }
    );
    assert_eq!(
        arrivals(r#"{"closed": {"users": 10, "think": {"exponential": {"mean": "1s"}}, "duration": "5min"}}"#),
        Arrivals::Closed {
            users: 10,
            think: Dist::Exponential { mean_ns: 1e9 },
            bound: Bound::Duration(SimDuration::from_secs(300))
        }
    );
}

#[test]
fn a_closed_loop_thinks_for_zero_by_default() {
    assert_eq!(
        arrivals(r#"{"closed": {"users": 3, "count": 30}}"#),
        Arrivals::Closed { users: 3, think: Dist::Constant(SimDuration::ZERO), bound: Bound::Count(30) }
    );
}

// ----- steps ---------------------------------------------------------------

#[test]
fn io_takes_a_fail_probability_and_steps_take_labels() {
    let steps = program(r#"[{"io": "50ms", "fail": 0.01, "label": "flaky write"}, {"io": "1s", "fail": 1}]"#);
    assert_eq!(
        steps,
        [
            Step {
                kind: StepKind::Io { duration: Dist::Constant(ms(50)), fail: Fail::Probability(0.01), transfer: None },
                label: Some("flaky write".into()),
                threads: Default::default(),
            },
            step(StepKind::Io { duration: Dist::Constant(ms(1000)), fail: Fail::Probability(1.0), transfer: None }),
        ]
    );
}

#[test]
fn gather_branches_are_lists_or_copies() {
    let steps = program(
        r#"[{"gather": [
            [{"io": "2s"}],
            {"copies": 3, "program": [{"io": "1s"}]},
            {"program": [{"io": "5ms"}, {"io": "6ms"}]}
        ]}]"#,
    );
    assert_eq!(
        steps,
        [step(StepKind::Gather(
            vec![
                GatherBranch { copies: 1, program: vec![io(ms(2000))] },
                GatherBranch { copies: 3, program: vec![io(ms(1000))] },
                GatherBranch { copies: 1, program: vec![io(ms(5)), io(ms(6))] },
            ],
            GatherMode::TaskGroup
        ))]
    );
}

#[test]
fn gathers_nest() {
    let steps = program(
        r#"[{"gather": [{"copies": 3, "program": [{"gather": [{"copies": 5, "program": [{"io": "40ms"}]}]}]}]}]"#,
    );
    let inner =
        step(StepKind::Gather(vec![GatherBranch { copies: 5, program: vec![io(ms(40))] }], GatherMode::TaskGroup));
    assert_eq!(
        steps,
        [step(StepKind::Gather(vec![GatherBranch { copies: 3, program: vec![inner] }], GatherMode::TaskGroup))]
    );
}

#[test]
fn spawn_and_join_decode() {
    let steps = program(r#"[{"spawn": {"name": "a", "program": [{"io": "3s"}]}}, {"io": "1s"}, {"join": "a"}]"#);
    assert_eq!(
        steps,
        [
            step(StepKind::Spawn { name: "a".into(), program: vec![io(ms(3000))] }),
            io(ms(1000)),
            step(StepKind::Join { name: "a".into() }),
        ]
    );
}

#[test]
fn names_may_repeat_in_separate_programs_and_joins_are_optional() {
    // The spawned program, each gather branch and a timeout body have their
    // own names; an unjoined spawn is awaited when its program ends.
    let steps = program(
        r#"[
          {"spawn": {"name": "a", "program": [{"spawn": {"name": "a", "program": [{"io": "1s"}]}}, {"join": "a"}]}},
          {"gather": [[{"spawn": {"name": "a", "program": [{"io": "1s"}]}}], [{"spawn": {"name": "a", "program": [{"io": "1s"}]}}]]},
          {"timeout": {"after": "5s", "program": [{"spawn": {"name": "a", "program": [{"io": "1s"}]}}, {"join": "a"}]}},
          {"join": "a"},
          {"spawn": {"name": "unjoined", "program": [{"io": "1s"}]}}
        ]"#,
    );
    assert_eq!(steps.len(), 5);
}

#[test]
fn a_limit_body_shares_its_programs_spawn_names() {
    let text = r#"{"name": "case", "pools": {"db": 2}, "classes": {"job": {"arrivals": {"batch": {"count": 1}}, "program": [
      {"spawn": {"name": "before", "program": [{"io": "1s"}]}},
      {"limit": {"pool": "db", "program": [{"join": "before"}, {"spawn": {"name": "inside", "program": [{"io": "1s"}]}}]}},
      {"join": "inside"}
    ]}}}"#;
    assert_eq!(ok(text).classes[0].program.len(), 3);
}

#[test]
fn timeout_and_limit_decode() {
    let text = r#"{"name": "case", "pools": {"api": 10, "db": 2}, "classes": {"job": {"arrivals": {"batch": {"count": 1}}, "program": [
      {"timeout": {"after": "5s", "program": [{"io": "1s"}]}, "label": "wait_for"},
      {"limit": {"pool": "api", "program": [{"limit": {"pool": "db", "program": [{"io": "10ms"}]}}]}}
    ]}}}"#;
    let program = ok(text).classes.remove(0).program;
    assert_eq!(
        program,
        [
            Step {
                kind: StepKind::Timeout {
                    after: SimDuration::from_secs(5),
                    program: vec![io(ms(1000))],
                    on_expiry: OnExpiry::Abandon,
                },
                label: Some("wait_for".into()),
                threads: Default::default(),
            },
            step(StepKind::Limit {
                pool: 0,
                program: vec![step(StepKind::Limit { pool: 1, program: vec![io(ms(10))] })]
            }),
        ]
    );
}

#[test]
fn a_gather_branch_may_ask_for_a_permit_its_parent_holds() {
    // Not a self-deadlock at parse time: the branch is another fiber (with a
    // pool of 2 it runs; with 1 the engine reports the deadlock).
    let text = r#"{"name": "case", "pools": {"db": 2}, "classes": {"job": {"arrivals": {"batch": {"count": 1}}, "program": [
      {"limit": {"pool": "db", "program": [{"gather": [[{"limit": {"pool": "db", "program": [{"io": "1s"}]}}]]}]}}
    ]}}}"#;
    ok(text);
}

// ----- strategies ----------------------------------------------------------

#[test]
fn strategy_objects_take_their_settings() {
    let list = r#"[
      {"blocking": {"label": "sequential"}},
      {"threaded": {"workers": 100, "label": "threaded-100"}},
      {"threaded": {"workers": 32, "gil": false, "switch_interval": "10ms", "label": "nogil"}},
      {"cooperative": {}},
      {"cooperative": {"max_concurrency": 50, "label": "cooperative-50"}}
    ]"#;
    assert_eq!(
        strategies(2, list),
        [
            Strategy { label: "sequential".into(), kind: StrategyKind::Blocking },
            Strategy { label: "threaded-100".into(), kind: threaded(100) },
            Strategy {
                label: "nogil".into(),
                kind: StrategyKind::Threaded { workers: 32, gil: false, switch_interval: ms(10) }
            },
            Strategy { label: "cooperative".into(), kind: StrategyKind::Cooperative { max_concurrency: None } },
            Strategy { label: "cooperative-50".into(), kind: StrategyKind::Cooperative { max_concurrency: Some(50) } },
        ]
    );
}

#[test]
fn free_threaded_is_threaded_without_the_gil() {
    assert_eq!(
        strategies(2, r#"["free_threaded", {"free_threaded": {"workers": 3, "label": "java"}}]"#),
        [
            Strategy {
                label: "free_threaded".into(),
                kind: StrategyKind::Threaded { workers: 6, gil: false, switch_interval: ms(5) }
            },
            Strategy {
                label: "java".into(),
                kind: StrategyKind::Threaded { workers: 3, gil: false, switch_interval: ms(5) }
            },
        ]
    );
}

#[test]
fn strategies_keep_file_order_and_may_repeat_a_kind_under_other_labels() {
    let labels: Vec<String> =
        strategies(1, r#"["cooperative", "threaded", {"threaded": {"label": "threaded-again"}}, "blocking"]"#)
            .into_iter()
            .map(|s| s.label)
            .collect();
    assert_eq!(labels, ["cooperative", "threaded", "threaded-again", "blocking"]);
}

// ----- comments ------------------------------------------------------------

#[test]
fn underscore_fields_are_ignored_everywhere() {
    let plain = r#"{"name": "c", "pools": {"db": 2}, "classes": {"job": {
      "arrivals": {"poisson": {"rate": 5, "count": 10}},
      "program": [
        {"io": {"uniform": {"min": "1ms", "max": "2ms"}}, "label": "x"},
        {"gather": [{"copies": 2, "program": [{"io": "1s"}]}]},
        {"limit": {"pool": "db", "program": [{"io": "1s"}]}},
        {"timeout": {"after": "1s", "program": [{"io": "1s"}]}}
      ]}},
      "machine": {"cores": 2},
      "strategies": [{"threaded": {"workers": 4}}]}"#;
    let commented = r#"{"_comment": "top", "name": "c",
      "pools": {"_why": "a note among the pools", "db": 2},
      "classes": {"_note": "a note among the classes", "job": {"_about": "the class",
      "arrivals": {"poisson": {"rate": 5, "count": 10, "_in": "settings"}, "_in": "arrivals"},
      "program": [
        {"io": {"uniform": {"min": "1ms", "max": "2ms", "_in": "settings"}, "_in": "dist"}, "label": "x", "_in": "step"},
        {"gather": [{"copies": 2, "program": [{"io": "1s"}], "_in": "branch"}]},
        {"limit": {"pool": "db", "program": [{"io": "1s"}], "_in": "limit"}},
        {"timeout": {"after": "1s", "program": [{"io": "1s"}], "_": "timeout"}}
      ]}},
      "machine": {"cores": 2, "_in": "machine"},
      "strategies": [{"threaded": {"workers": 4, "_in": "settings"}, "_in": "strategy"}]}"#;
    assert_eq!(ok(commented), ok(plain));
}

// ----- docs/scenario.md ----------------------------------------------------

/// The fenced code blocks of docs/scenario.md: (info string, body).
pub(crate) fn doc_blocks() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(root().join("docs/scenario.md")).expect("docs/scenario.md");
    let mut blocks = Vec::new();
    let mut open: Option<(String, String)> = None;
    for line in text.lines() {
        match open.as_mut() {
            None => {
                if let Some(info) = line.strip_prefix("```") {
                    open = Some((info.trim().to_string(), String::new()));
                }
            }
            Some(_) if line == "```" => blocks.push(open.take().expect("open block")),
            Some((_, body)) => {
                body.push_str(line);
                body.push('\n');
            }
        }
    }
    assert!(open.is_none(), "unclosed code block in docs/scenario.md");
    blocks
}

/// Wraps a documentation example of kind `info` into a whole scenario
/// (`None` for blocks that are not scenario examples).
pub(crate) fn doc_scenario(info: &str, body: &str) -> Option<String> {
    let class = |arrivals: &str, program: &str| {
        format!(r#"{{"name": "doc", "classes": {{"job": {{"arrivals": {arrivals}, "program": {program}}}}}}}"#)
    };
    let batch = r#"{"batch": {"count": 1}}"#;
    Some(match info {
        "json" => body.to_string(),
        "json steps" => class(batch, body),
        "json dist" => class(batch, &format!(r#"[{{"io": {body}}}]"#)),
        "json arrivals" => class(body, r#"[{"io": "1s"}]"#),
        "json strategies" => format!(
            r#"{{"name": "doc", "machine": {{"cores": 4}}, "strategies": {body}, "classes": {{"job": {{"arrivals": {batch}, "program": [{{"io": "1s"}}]}}}}}}"#
        ),
        "json runtime" => format!(
            r#"{{"name": "doc", "runtime": {body}, "classes": {{"job": {{"arrivals": {batch}, "program": [{{"io": "1s"}}]}}}}}}"#
        ),
        "json invalid" | "json profile" | "text" | "console" => return None,
        other => panic!("docs/scenario.md: unknown code block kind {other:?}"),
    })
}

#[test]
fn every_example_in_the_scenario_reference_parses() {
    let blocks = doc_blocks();
    let mut checked = 0;
    for (info, body) in &blocks {
        if let Some(text) = doc_scenario(info, body) {
            parse(&text, "docs/scenario.md")
                .unwrap_or_else(|e| panic!("a ```{info} example of docs/scenario.md does not parse:\n{body}\n{e}"));
            checked += 1;
        }
    }
    assert!(checked >= 25, "only {checked} examples found in docs/scenario.md");
}

#[test]
fn the_profile_example_in_the_scenario_reference_reads_as_cpython() {
    let blocks = doc_blocks();
    let (_, body) = blocks.iter().find(|(info, _)| info == "json profile").expect("a ```json profile example");
    let profile = simbench::scenario::parse_profile(body, "docs/scenario.md").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(profile.values, simbench::scenario::Runtime::cpython().values);
}

#[test]
fn runtime_names_a_profile_or_overrides_one() {
    let with = |runtime: &str| {
        ok(&format!(r#"{{"name": "r", "runtime": {runtime}, "classes": {{"a": {{"arrivals": {{"batch": {{"count": 1}}}}, "program": [{{"io": "1s"}}]}}}}}}"#)).runtime
    };
    assert_eq!(ok(&with_program(r#"[{"io": "1s"}]"#)).runtime, simbench::scenario::Runtime::ideal());
    assert_eq!(with(r#""cpython""#), simbench::scenario::Runtime::cpython());
    let over = with(r#"{"profile": "cpython", "task_create": "7us", "memory_per_thread": "1KiB"}"#);
    assert_eq!(over.name, "cpython + overrides");
    assert_eq!(over.values[0], 7_000);
    assert_eq!(over.memory_per_thread(), 1024);
    assert_eq!(over.values[1], simbench::scenario::Runtime::cpython().values[1]);
}

#[test]
fn a_profile_file_is_read_relative_to_the_scenario() {
    let temp = crate::common::tempdir("profile");
    let dir = temp.path();
    std::fs::create_dir_all(dir.join("profiles")).unwrap();
    let mut constants = String::new();
    for (i, c) in simbench::scenario::runtime::CONSTANTS.iter().enumerate() {
        let v = simbench::scenario::Runtime::format_value(i, 1000 + i as u64);
        let v = if v.ends_with("ns") { format!("\"{v}\"") } else { v };
        constants.push_str(&format!("{}\"{}\": {v}", if i > 0 { ", " } else { "" }, c.name));
    }
    let profile = format!(r#"{{"format": "simbench.runtime/v1", "name": "test", "constants": {{{constants}}}}}"#);
    std::fs::write(dir.join("profiles/p.json"), profile).unwrap();
    let scenario = r#"{"name": "r", "runtime": {"profile": "profiles/p.json", "loop_step": "1ns"},
        "classes": {"a": {"arrivals": {"batch": {"count": 1}}, "program": [{"io": "1s"}]}}}"#;
    std::fs::write(dir.join("s.json"), scenario).unwrap();
    let runtime = load(&dir.join("s.json")).unwrap_or_else(|e| panic!("{e}")).scenario.runtime;
    assert_eq!(runtime.name, "profiles/p.json + overrides");
    assert_eq!(runtime.values[0], 1000);
    assert_eq!(runtime.values[1], 1, "the scenario's override wins");
    assert_eq!(runtime.values[9], 1009);
}

#[test]
fn the_error_examples_in_the_scenario_reference_are_current() {
    let blocks = doc_blocks();
    let mut checked = 0;
    for (i, (info, bad)) in blocks.iter().enumerate() {
        if info != "json invalid" {
            continue;
        }
        let (next, console) = blocks.get(i + 1).expect("a console block follows each invalid example");
        assert_eq!(next, "console", "the block after an invalid example shows its output");
        let (command, shown) = console.split_once('\n').expect("a command line, then the output");
        let file = command.strip_prefix("$ simbench run ").expect("the console block starts with the command");
        match parse(bad, file) {
            Err(error @ ScenarioError::Invalid { .. }) => {
                assert_eq!(format!("error: {error}\n"), shown, "docs/scenario.md shows outdated output for:\n{bad}")
            }
            other => panic!("the invalid example parsed or failed otherwise: {other:?}"),
        }
        checked += 1;
    }
    assert_eq!(checked, 3, "docs/scenario.md shows three error examples");
}
