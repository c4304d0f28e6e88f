//! The library entry point (`simbench::Simulation`) gives the bytes the
//! command writes: one orchestration serves both.

use crate::common::{path, simbench, tempdir};
use simbench::Simulation;

#[test]
fn the_library_writes_the_report_json_that_run_writes() {
    for (scenario, seed) in [("scenarios/downloads.json", None), ("scenarios/api-server.json", Some(42))] {
        let dir = tempdir("library");
        let mut args = vec!["run", scenario, "--out", path(dir.path()), "--no-charts", "--quiet"];
        let seed_text = seed.map(|s: u64| s.to_string());
        if let Some(s) = &seed_text {
            args.extend(["--seed", s]);
        }
        let output = simbench(&args);
        assert!(output.status.code() == Some(0) || output.status.code() == Some(1), "{output:?}");
        let mut sim = Simulation::from_path(scenario).expect("a valid scenario");
        if let Some(s) = seed {
            sim = sim.with_seed(s);
        }
        let name = sim.scenario().name.clone();
        let written = std::fs::read_to_string(dir.path().join(&name).join("report.json")).expect("report.json");
        let run = sim.run().expect("the run ends");
        assert_eq!(simbench::report::json::render(&run.report), written, "{scenario}");
    }
}

#[test]
fn a_bad_scenario_is_a_typed_error_naming_the_file() {
    let dir = tempdir("library-bad");
    let file = dir.path().join("bad.json");
    std::fs::write(&file, r#"{"name": "x", "classes": {}}"#).unwrap();
    let error = Simulation::from_path(&file).expect_err("an invalid scenario");
    assert!(matches!(error, simbench::SimulationError::Scenario(_)));
    assert!(error.to_string().contains("bad.json"), "{error}");
}
