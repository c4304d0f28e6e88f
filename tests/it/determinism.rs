//! R-SEED through the binary: the same scenario and seed give byte-identical
//! reports (report.json, report.md, report.html, every chart's SVG and
//! PNG, and every `--export` file); another seed changes the histograms.

use crate::common::{run_report, scenario_files, tempdir};

#[test]
fn every_scenario_gives_identical_bytes_twice() {
    let first = tempdir("determinism-a");
    let second = tempdir("determinism-b");
    for file in scenario_files() {
        let a = run_report(&file, first.path(), &["--export", "all"]);
        let b = run_report(&file, second.path(), &["--export", "all"]);
        assert!(a == b, "{file}: report.json differs between two runs");
    }
    // Every other output too: report.md, report.html, each chart's SVG and PNG, the exports.
    for entry in std::fs::read_dir(first.path()).unwrap() {
        let name = entry.unwrap().file_name();
        let mut files: Vec<_> = std::fs::read_dir(first.path().join(&name))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        files.sort();
        assert!(files.iter().any(|f| f == "report.html") && files.iter().any(|f| f.ends_with(".svg")), "{files:?}");
        for file in files {
            let a = std::fs::read(first.path().join(&name).join(&file)).unwrap();
            let b = std::fs::read(second.path().join(&name).join(&file)).unwrap();
            assert!(a == b, "{name:?}: {file} differs between two runs");
        }
    }
}

/// Histograms of every strategy, from report.json text.
fn histograms(report: &str) -> Vec<String> {
    let report: serde_json::Value = serde_json::from_str(report).unwrap();
    report["results"].as_array().unwrap().iter().map(|r| r["histogram"].as_str().unwrap().to_string()).collect()
}

#[test]
fn another_seed_changes_the_histograms_of_random_scenarios() {
    let dir = tempdir("determinism-seed");
    for file in
        ["scenarios/scraper.json", "scenarios/api-server.json", "scenarios/timeouts.json", "scenarios/fanout.json"]
    {
        let own = histograms(&run_report(file, &dir.path().join("own"), &[]));
        let other = histograms(&run_report(file, &dir.path().join("other"), &["--seed", "12345"]));
        for (i, (a, b)) in own.iter().zip(&other).enumerate() {
            assert_ne!(a, b, "{file}: strategy {i}'s histogram did not change with the seed");
        }
    }
}

#[test]
fn the_seed_flag_is_recorded_in_the_report() {
    let dir = tempdir("determinism-flag");
    let report: serde_json::Value =
        serde_json::from_str(&run_report("scenarios/scraper.json", dir.path(), &["--seed", "99"])).unwrap();
    assert_eq!(report["scenario"]["seed"], 99);
}

#[test]
fn replications_give_identical_bytes_whatever_the_thread_count() {
    let dir = tempdir("determinism-replications");
    let report = |threads: &str| {
        let out = dir.path().join(threads);
        let output = crate::common::command()
            .args(["run", "scenarios/timeouts.json", "--replications", "4", "--quiet", "--out"])
            .arg(&out)
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        std::fs::read_to_string(out.join("timeouts/report.json")).unwrap()
    };
    let one = report("1");
    assert!(one == report("2"), "report.json differs between 1 and 2 threads");
    let json: serde_json::Value = serde_json::from_str(&one).unwrap();
    assert_eq!(json["replications"]["count"], 4);
    assert_eq!(json["replications"]["seeds"][0], json["scenario"]["seed"]);
    for result in json["results"].as_array().unwrap() {
        let latency = &result["intervals"]["latency_s"]["p99"];
        assert!(latency["mean"].as_f64().unwrap() > 0.0 && latency["half_width"].as_f64().unwrap() >= 0.0);
    }
    // report.md and the terminal show mean ± half-width.
    let md = std::fs::read_to_string(dir.path().join("1/timeouts/report.md")).unwrap();
    assert!(md.contains("Figures are means over 4 independent replications"), "{md}");
    assert!(md.lines().any(|l| l.starts_with("| cooperative |") && l.contains(" ± ")), "{md}");
    let terminal = dir.path().join("terminal");
    let output = crate::common::simbench(&[
        "run",
        "scenarios/timeouts.json",
        "--replications",
        "4",
        "--out",
        terminal.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("4 replications (mean ± 95% confidence half-width)"), "{stdout}");
    assert!(stdout.lines().any(|l| l.starts_with("cooperative") && l.contains(" ± ")), "{stdout}");
}
