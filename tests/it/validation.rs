//! `simbench validate`'s cases as tests: every built-in queue, at the quick
//! size and the documented seeds, must put its analytic values inside the
//! simulated 95% confidence intervals; and a wrong model must fail.
//!
//! The full-size runs (`simbench validate`, release build) are in .ci/run.

use crate::common::{simbench, tempdir};
use simbench::model::{Scenario, Step, StepKind};
use simbench::report::validation;
use simbench::validate::{CASES, Case, Size, Validation, run_case, run_case_with, scenario};

fn case(name: &str) -> &'static Case {
    CASES.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no case {name}"))
}

/// Runs a case at the quick size and asserts every figure passes.
fn check(name: &str) {
    let result = run_case(case(name), Size::Quick).unwrap();
    let shown = validation::render(&Validation::new(vec![result.clone()], Size::Quick));
    assert!(result.pass, "{name}: an analytic value lies outside its 95% confidence interval:\n{shown}");
    assert_eq!(result.seed, 1, "{name}: the documented seed");
}

#[test]
fn mm1_rho_0_5() {
    check("mm1-rho0.5");
}

#[test]
fn mm1_rho_0_9() {
    check("mm1-rho0.9");
}

#[test]
fn md1_pollaczek_khinchine() {
    check("md1-rho0.8");
}

#[test]
fn mg1_pollaczek_khinchine() {
    check("mg1-rho0.8");
}

#[test]
fn mmc_erlang_c() {
    check("mmc-c8-rho0.9");
}

#[test]
fn mmcc_erlang_b() {
    check("mmcc-c8-a6");
}

#[test]
fn mminf_latency_is_the_service_time() {
    check("mminf");
}

#[test]
fn mm1_processor_sharing() {
    check("mm1-ps-rho0.7");
}

#[test]
fn every_case_checks_littles_law() {
    for case in CASES {
        let p = simbench::validate::Parameters::of(&scenario(case, Size::Quick)).unwrap();
        let metrics: Vec<&str> = simbench::validate::expectations(case.queue, &p).iter().map(|e| e.metric).collect();
        assert!(metrics.iter().any(|m| m.starts_with("L = λ")), "{}: {metrics:?}", case.name);
    }
}

/// `scenario` with its service step's mean multiplied by `factor`: a model
/// whose service rate is off by 1 / factor.
fn with_service_scaled(mut scenario: Scenario, factor: f64) -> Scenario {
    fn scale(steps: &mut [Step], factor: f64) {
        for step in steps {
            match &mut step.kind {
                StepKind::Io { duration: simbench::model::Dist::Exponential { mean_ns }, .. }
                | StepKind::Cpu(simbench::model::Dist::Exponential { mean_ns }) => *mean_ns *= factor,
                StepKind::Limit { program, .. } => scale(program, factor),
                other => panic!("unexpected step {other:?}"),
            }
        }
    }
    scale(&mut scenario.classes[0].program, factor);
    scenario
}

#[test]
fn a_service_rate_off_by_ten_percent_fails_validation() {
    // The formulas describe the scenario; the simulation serves 10% slower
    // (M/M/1 at ρ = 0.5) or 10% faster (M/M/8 at ρ = 0.9), as a wrong model
    // would.
    for (name, factor, metric) in
        [("mm1-rho0.5", 1.0 / 0.9, "mean response W (ms)"), ("mmc-c8-rho0.9", 1.0 / 1.1, "mean wait Wq (ms)")]
    {
        // 4 000 tasks per replication are plenty: the error moves the mean
        // by 25% (M/M/1) and 60% (M/M/8), the intervals are a few % wide.
        let mut described = scenario(case(name), Size::Quick);
        if let simbench::model::Arrivals::Poisson { bound, .. } = &mut described.classes[0].arrivals {
            *bound = simbench::model::Bound::Count(4_000);
        }
        let wrong = with_service_scaled(described.clone(), factor);
        let result = run_case_with(case(name), Size::Quick, &described, &wrong).unwrap();
        let shown = validation::render(&Validation::new(vec![result.clone()], Size::Quick));
        assert!(!result.pass, "{name}: a 10% error in the service rate passed validation:\n{shown}");
        let row = result.rows.iter().find(|r| r.metric == metric).unwrap();
        assert!(!row.pass, "{name}: {metric} passed:\n{shown}");
        // (With the right rate the same run passes: see the tests above.)
    }
}

#[test]
fn the_validate_command_prints_the_table_and_writes_json() {
    let dir = tempdir("validate-command");
    let out = dir.path().to_str().unwrap();
    let output = simbench(&["validate", "--quick", "--case", "mmcc-c8-a6", "--out", out]);
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("simulated (95% CI)") && stdout.contains("P(block) (Erlang B)"), "{stdout}");
    assert!(stdout.contains("every analytic value lies in its 95% confidence interval (2 of 2)"), "{stdout}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("validation/validation.json")).unwrap()).unwrap();
    assert_eq!(json["schema"], "simbench.validation/v1");
    assert_eq!((json["pass"].as_bool(), json["quick"].as_bool()), (Some(true), Some(true)));
    let cases = json["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0]["case"], "mmcc-c8-a6");
    let row = &cases[0]["rows"][0];
    assert!(row["simulated"]["mean"].is_number() && row["simulated"]["half_width"].is_number(), "{row}");

    let output = simbench(&["validate", "--case", "nope", "--out", out]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("the cases are: mm1-rho0.5"));
}
