//! CI regression reports through the real binary: SLO verdicts, `simbench
//! compare`, `run --baseline`, and the exports (JUnit XML, .hgrm, .hlog,
//! CSV), with their exit statuses.

use crate::common::{golden, path, root, simbench, stderr, stdout, tempdir};
use std::path::{Path, PathBuf};
use std::process::Output;

/// scenarios/scraper.json with its connection pool resized, written into `dir`.
fn scraper_with_connections(dir: &Path, connections: u32) -> PathBuf {
    let text = std::fs::read_to_string(root().join("scenarios/scraper.json")).unwrap();
    let changed = text.replace("\"connections\": 100", &format!("\"connections\": {connections}"));
    assert_ne!(text, changed, "scraper.json declares 100 connections");
    let file = dir.join(format!("scraper-{connections}.json"));
    std::fs::write(&file, changed).unwrap();
    file
}

/// Runs `simbench run FILE --out OUT --quiet` plus `extra`; returns the output.
fn run(file: &str, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["run", file, "--out", path(out), "--quiet"];
    args.extend_from_slice(extra);
    simbench(&args)
}

fn ok_run(file: &str, out: &Path, extra: &[&str]) {
    let output = run(file, out, extra);
    assert!(output.status.success(), "simbench run {file} failed: {}", stderr(&output));
}

/// A scenario of two strategies with the given SLO list (JSON text).
fn with_slos(dir: &Path, slos: &str) -> PathBuf {
    let text = format!(
        r#"{{
  "name": "slo-case",
  "classes": {{"job": {{"arrivals": {{"batch": {{"count": 10}}}}, "program": [{{"io": "1s"}}]}}}},
  "strategies": ["blocking", "cooperative"],
  "slos": {slos}
}}
"#
    );
    let file = dir.join("slo-case.json");
    std::fs::write(&file, text).unwrap();
    file
}

/// The summary of `simbench compare BASE HEAD --format json`.
fn compare_summary(base: &Path, head: &Path) -> serde_json::Value {
    let output = simbench(&["compare", path(base), path(head), "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("compare JSON");
    doc["summary"].clone()
}

// ----- SLOs ----------------------------------------------------------------

#[test]
fn a_failing_slo_exits_1_after_writing_every_output() {
    let dir = tempdir("ci-slo-fail");
    let file =
        with_slos(dir.path(), r#"["latency p99 < 2s", {"threshold": "makespan <= 1s", "strategy": "cooperative"}]"#);
    let out = dir.path().join("out");
    let output = simbench(&["run", path(&file), "--out", path(&out)]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("SLOs: 1 of 3 checks failed"), "{text}");
    let checks: Vec<Vec<&str>> = text
        .lines()
        .filter(|l| l.starts_with("  ✓") || l.starts_with("  ✗"))
        .map(|l| l.split("  ").map(str::trim).filter(|w| !w.is_empty()).collect())
        .collect();
    assert_eq!(
        checks,
        [
            ["✗", "latency p99 < 2s", "blocking", "9.91s"],
            ["✓", "latency p99 < 2s", "cooperative", "1.00s"],
            ["✓", "makespan <= 1s", "cooperative", "1.00s"],
        ],
        "{text}"
    );
    assert!(stderr(&output).contains("error: 1 of 3 SLO checks failed"), "{}", stderr(&output));

    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("slo-case/report.json")).unwrap()).unwrap();
    let slos = report["slos"].as_array().unwrap();
    assert_eq!(slos.len(), 3);
    assert_eq!(slos[0]["threshold"], "latency p99 < 2s");
    assert_eq!(slos[0]["strategy"], "blocking");
    assert_eq!(slos[0]["metric"], "latency.p99");
    assert_eq!(slos[0]["unit"], "s");
    assert_eq!(slos[0]["measured"], 9.91, "numpy's linear p99 of 1 s … 10 s");
    assert_eq!(slos[0]["bound"], 2.0);
    assert_eq!(slos[0]["passed"], false);
    assert_eq!(slos[0]["class"], serde_json::Value::Null);
    let md = std::fs::read_to_string(out.join("slo-case/report.md")).unwrap();
    assert!(md.contains("## SLOs\n\n**1 of 3 checks failed.**"), "{md}");
    assert!(md.contains("| ❌ fail | `latency p99 < 2s` | blocking | all | 9.91s |"), "{md}");
}

#[test]
fn passing_slos_exit_0_and_quiet_prints_nothing() {
    let dir = tempdir("ci-slo-pass");
    let file = with_slos(dir.path(), r#"["errors rate < 1%", "throughput >= 1/s"]"#);
    let output = run(path(&file), &dir.path().join("out"), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(output.stdout.is_empty() && output.stderr.is_empty());
}

#[test]
fn a_malformed_threshold_is_a_scenario_error_with_the_grammar() {
    let dir = tempdir("ci-slo-bad");
    let file =
        with_slos(dir.path(), r#"["latency p99 < 500", {"threshold": "latency p99 < 1s", "strategy": "cooprative"}]"#);
    let out = dir.path().join("out");
    let output = run(path(&file), &out, &[]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    let shown = path(&file);
    assert!(err.contains("is not a valid scenario (2 problems)"), "{err}");
    assert!(
        err.contains(&format!(
            "{shown}:5:12: slos[0]: in \"latency p99 < 500\": expected a duration after \"<\": missing unit; write e.g. \"500ms\" or \"500s\"\n    hint: write latency STATISTIC OP DURATION"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{shown}:5:79: slos[1].strategy: no strategy is labelled \"cooprative\"\n    hint: did you mean \"cooperative\"?"
        )),
        "{err}"
    );
    assert!(!out.join("slo-case").exists(), "nothing written");
}

// ----- compare ---------------------------------------------------------------

#[test]
fn fewer_connections_show_as_regressions_with_exit_1() {
    let dir = tempdir("ci-compare-scraper");
    let (base, head) = (dir.path().join("base"), dir.path().join("head"));
    ok_run("scenarios/scraper.json", &base, &[]);
    ok_run(path(&scraper_with_connections(dir.path(), 20)), &head, &[]);
    let (b, h) = (base.join("scraper/report.json"), head.join("scraper/report.json"));

    let output = simbench(&["compare", path(&b), path(&h), "--format", "md"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let md = stdout(&output);
    // tests/golden/compare/scraper-20.md pins every figure of this
    // comparison; here, what they must say. The table's cells: strategy,
    // metric, base, head, change, limit, verdict; the unchanged figures'
    // table: strategy, metric, value.
    let cells = |line: &str| -> Vec<String> {
        line.strip_prefix('|')
            .and_then(|l| l.strip_suffix('|'))
            .map(|l| l.split('|').map(|c| c.trim().to_string()).collect())
            .unwrap_or_default()
    };
    let table: Vec<Vec<String>> =
        md.lines().map(cells).filter(|c| c.len() == 7 && c[0] != "strategy" && c[0] != "---").collect();
    let count = |verdict: &str| table.iter().filter(|c| c[6] == verdict).count();
    let (regressions, improvements, changed) = (count("❌ regression"), count("✅ improved"), count("changed"));
    let unchanged = md.lines().map(cells).filter(|c| c.len() == 3 && c[0] != "strategy" && c[0] != "---").count();
    assert_eq!(table.len(), regressions + improvements + changed, "every row has a verdict: {md}");
    assert!(regressions > 0 && unchanged > 0, "{md}");
    assert!(
        md.starts_with(&format!(
            "## simbench compare\n\n❌ **{regressions} regressions, {improvements} improvements, {changed} changed, {unchanged} unchanged in 1 scenario**"
        )),
        "{md}"
    );
    assert!(md.contains("| strategy | metric | base | head | change | limit | verdict |"), "{md}");
    // Fewer connections: latency rises and throughput falls, past their limits.
    let row = |strategy: &str, metric: &str| {
        table
            .iter()
            .find(|c| c[0] == strategy && c[1] == format!("`{metric}`"))
            .unwrap_or_else(|| panic!("no {strategy} {metric} row: {md}"))
    };
    let p99 = row("threaded-100", "latency.p99");
    assert!(p99[4].starts_with('+') && p99[6] == "❌ regression", "{p99:?}");
    let throughput = row("cooperative", "throughput");
    assert!(throughput[4].starts_with('-') && throughput[6] == "❌ regression", "{throughput:?}");
    assert!(md.contains(&format!("<details><summary>{unchanged} unchanged figures</summary>")), "{md}");
    assert!(md.contains("- the scenario file changed (sha256"), "{md}");
    assert!(
        stderr(&output).contains(&format!("error: {regressions} regressions past their limits")),
        "{}",
        stderr(&output)
    );

    // Generous limits on the figures that moved let it pass.
    let output = simbench(&[
        "compare",
        path(&b),
        path(&h),
        "--limit",
        "latency.*=+250%",
        "--limit",
        "wait.*=+250%",
        "--limit",
        "makespan=+200%",
        "--limit",
        "throughput=-70%",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}{}", stdout(&output), stderr(&output));
    assert!(
        stdout(&output).starts_with(&format!(
            "simbench compare: 0 regressions, {improvements} improvements, {regressions} worse within limits"
        )),
        "{}",
        stdout(&output)
    );
}

#[test]
fn removing_a_retry_budget_is_a_regression_of_the_services_load_amplification() {
    let dir = tempdir("ci-compare-retry-storm");
    let text = std::fs::read_to_string(root().join("scenarios/retry-storm.json")).unwrap();
    let budgeted = text.replace("\"jitter\": \"full\" }", "\"jitter\": \"full\", \"budget\": 0.1 }");
    assert_ne!(text, budgeted, "retry-storm.json retries with full jitter");
    let file = dir.path().join("retry-storm.json");
    std::fs::write(&file, budgeted).unwrap();
    let (base, head) = (dir.path().join("base"), dir.path().join("head"));
    ok_run(path(&file), &base, &["--no-charts"]);
    ok_run("scenarios/retry-storm.json", &head, &["--no-charts"]);
    let (b, h) = (base.join("retry-storm/report.json"), head.join("retry-storm/report.json"));

    let output = simbench(&["compare", path(&b), path(&h), "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let rows = doc["scenarios"][0]["rows"].as_array().unwrap();
    let find = |strategy: &str, metric: &str| {
        rows.iter()
            .find(|r| r["strategy"] == strategy && r["resource"] == "service inventory" && r["metric"] == metric)
            .unwrap_or_else(|| panic!("no {strategy} {metric} row for the service"))
    };
    let amplification = find("cooperative", "service.amplification");
    assert!(amplification["base"].as_f64().unwrap() < amplification["head"].as_f64().unwrap(), "{amplification}");
    assert_eq!(amplification["verdict"], "regression", "{amplification}");
    assert_eq!(find("cooperative", "service.utilization")["verdict"], "changed");
    // Rows of the whole run carry no resource.
    assert!(rows.iter().filter(|r| r["metric"] == "makespan").all(|r| r.get("resource").is_none()));

    let text = stdout(&simbench(&["compare", path(&b), path(&h)]));
    assert!(text.contains("cooperative service inventory  service.amplification"), "{text}");
}

#[test]
fn identical_runs_say_no_change_and_exit_0_whatever_the_path_prefix() {
    let dir = tempdir("ci-compare-same");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    ok_run("scenarios/downloads.json", &a, &[]);
    // The same scenario reached by another path: the report records another
    // `file`, which is shown but not judged.
    let absolute = root().join("scenarios/downloads.json");
    ok_run(path(&absolute), &b, &[]);
    for format in ["text", "md", "json"] {
        let output = simbench(&["compare", path(&a), path(&b), "--format", format]);
        assert_eq!(output.status.code(), Some(0), "{format}: {}", stderr(&output));
        assert!(stdout(&output).contains("no change"), "{format}: {}", stdout(&output));
    }
    let output = simbench(&["compare", path(&a), path(&b), "--strict"]);
    assert_eq!(output.status.code(), Some(0), "strict: paths are not changes");
    assert_eq!(
        stdout(&output),
        "simbench compare: no change; all 81 figures of 1 scenario are identical\n\ndownloads: no change (81 figures)\n"
    );
}

#[test]
fn strict_fails_on_an_improvement_too() {
    let dir = tempdir("ci-compare-strict");
    let (base, head) = (dir.path().join("base"), dir.path().join("head"));
    ok_run(path(&scraper_with_connections(dir.path(), 20)), &base, &[]);
    ok_run("scenarios/scraper.json", &head, &[]);
    let lenient = simbench(&["compare", path(&base), path(&head)]);
    let strict = simbench(&["compare", path(&base), path(&head), "--strict"]);
    // More connections: latency falls, loop lag and events rise.
    assert_eq!(lenient.status.code(), Some(1), "loop lag rises: {}", stdout(&lenient));
    assert_eq!(strict.status.code(), Some(1));
    assert!(stderr(&strict).contains("--strict fails on any change"), "{}", stderr(&strict));
}

#[test]
fn bad_input_exits_2_and_says_why() {
    let dir = tempdir("ci-compare-bad");
    ok_run("scenarios/downloads.json", dir.path(), &[]);
    ok_run("scenarios/flow.json", dir.path(), &[]);
    let downloads = dir.path().join("downloads/report.json");
    let flow = dir.path().join("flow/report.json");

    let missing = simbench(&["compare", path(&downloads), "nope/report.json"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("error: nope/report.json: cannot read:"), "{}", stderr(&missing));

    let different = simbench(&["compare", path(&downloads), path(&flow)]);
    assert_eq!(different.status.code(), Some(2));
    assert!(
        stderr(&different).contains(&format!(
            "reports of different scenarios: {} is scenario \"downloads\" but {} is scenario \"flow\"",
            path(&downloads),
            path(&flow)
        )),
        "{}",
        stderr(&different)
    );

    let v2 = dir.path().join("v2.json");
    let text = std::fs::read_to_string(&downloads).unwrap().replace("simbench.report/v1", "simbench.report/v2");
    std::fs::write(&v2, text).unwrap();
    let schemas = simbench(&["compare", path(&downloads), path(&v2)]);
    assert_eq!(schemas.status.code(), Some(2));
    assert!(
        stderr(&schemas).contains("reports of different schema versions:")
            && stderr(&schemas).contains("is \"simbench.report/v1\" but")
            && stderr(&schemas).contains("is \"simbench.report/v2\""),
        "{}",
        stderr(&schemas)
    );

    let garbage = dir.path().join("garbage.json");
    std::fs::write(&garbage, "{\"schema\": \"simbench.report/v1\",\n \"results\": 1}").unwrap();
    let invalid = simbench(&["compare", path(&downloads), path(&garbage)]);
    assert_eq!(invalid.status.code(), Some(2));
    assert!(stderr(&invalid).contains("garbage.json:2:"), "{}", stderr(&invalid));

    let limit = simbench(&["compare", path(&downloads), path(&downloads), "--limit", "latncy.p99=+5%"]);
    assert_eq!(limit.status.code(), Some(2));
    assert!(stderr(&limit).contains("unknown figure \"latncy.p99\""), "{}", stderr(&limit));
    assert!(stderr(&limit).contains("did you mean \"latency.p99\"?"), "{}", stderr(&limit));

    let mixed = simbench(&["compare", path(dir.path()), path(&downloads)]);
    assert_eq!(mixed.status.code(), Some(2));
    assert!(stderr(&mixed).contains("is a directory but"), "{}", stderr(&mixed));
}

#[test]
fn directories_are_matched_by_scenario_name() {
    let dir = tempdir("ci-compare-dirs");
    let (base, head) = (dir.path().join("base"), dir.path().join("head"));
    ok_run("scenarios/downloads.json", &base, &[]);
    ok_run("scenarios/flow.json", &base, &[]);
    ok_run("scenarios/downloads.json", &head, &[]);
    ok_run("scenarios/flow.json", &head, &[]);
    // A baseline directory holds NAME.json files rather than NAME/report.json.
    let flat = dir.path().join("flat");
    std::fs::create_dir_all(&flat).unwrap();
    std::fs::copy(base.join("flow/report.json"), flat.join("flow.json")).unwrap();
    std::fs::copy(base.join("downloads/report.json"), flat.join("downloads.json")).unwrap();
    let output = simbench(&["compare", path(&flat), path(&head)]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("no change; all 137 figures of 2 scenarios are identical"), "{}", stdout(&output));

    // A scenario on one side only: noted; fails only under --strict.
    std::fs::remove_file(flat.join("flow.json")).unwrap();
    let output = simbench(&["compare", path(&flat), path(&head)]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains("flow: only in head"), "{}", stdout(&output));
    let strict = simbench(&["compare", path(&flat), path(&head), "--strict"]);
    assert_eq!(strict.status.code(), Some(1));
}

// ----- run --baseline ----------------------------------------------------------

#[test]
fn a_baseline_is_written_only_when_asked() {
    let dir = tempdir("ci-baseline");
    let out = dir.path().join("out");
    let baseline = dir.path().join("baselines/scraper.json");

    let refused = run("scenarios/scraper.json", &out, &["--baseline", path(&baseline)]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("no baseline at"), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("add --update-baseline"), "{}", stderr(&refused));
    assert!(!baseline.exists() && !out.join("scraper/report.json").exists(), "nothing simulated or written");

    ok_run("scenarios/scraper.json", &out, &["--baseline", path(&baseline), "--update-baseline"]);
    let written = std::fs::read_to_string(&baseline).unwrap();
    assert_eq!(written, std::fs::read_to_string(out.join("scraper/report.json")).unwrap());

    let same = simbench(&["run", "scenarios/scraper.json", "--out", path(&out), "--baseline", path(&baseline)]);
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
    assert!(stdout(&same).contains("simbench compare: no change;"), "{}", stdout(&same));

    let fewer = scraper_with_connections(dir.path(), 20);
    let regressed = run(path(&fewer), &out, &["--baseline", path(&baseline)]);
    assert_eq!(regressed.status.code(), Some(1));
    // As many as `compare` finds between the baseline and the new report.
    let regressions = compare_summary(&baseline, &out.join("scraper/report.json"))["regressions"].as_u64().unwrap();
    assert!(regressions > 0);
    assert!(
        stderr(&regressed).contains(&format!("{regressions} regressions past their limits")),
        "{}",
        stderr(&regressed)
    );
    assert_eq!(std::fs::read_to_string(&baseline).unwrap(), written, "a regression does not touch the baseline");

    let accepted = run(path(&fewer), &out, &["--baseline", path(&baseline), "--update-baseline"]);
    assert_eq!(accepted.status.code(), Some(0), "{}", stderr(&accepted));
    assert_ne!(std::fs::read_to_string(&baseline).unwrap(), written, "explicitly updated");

    let other = run("scenarios/flow.json", &out, &["--baseline", path(&baseline)]);
    assert_eq!(other.status.code(), Some(2), "a baseline of another scenario");
    assert!(stderr(&other).contains("is a baseline of scenario \"scraper\", not \"flow\""), "{}", stderr(&other));
    assert!(!out.join("flow").join("report.json").exists(), "refused before running");

    let usage = simbench(&["run", "scenarios/scraper.json", "--update-baseline"]);
    assert_eq!(usage.status.code(), Some(2), "--update-baseline needs --baseline");
}

// ----- exports -------------------------------------------------------------------

#[test]
fn junit_holds_one_failing_case_per_broken_threshold() {
    let dir = tempdir("ci-junit");
    let file = with_slos(
        dir.path(),
        r#"["latency p99 < 2s", "makespan <= 5s", {"threshold": "wait max < 1ms", "class": "job"}, "memory < 1MiB"]"#,
    );
    let out = dir.path().join("out");
    assert_eq!(run(path(&file), &out, &["--export", "junit"]).status.code(), Some(1));
    let xml = std::fs::read_to_string(out.join("slo-case/junit.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("junit.xml is well-formed XML");
    let root_element = doc.root_element();
    assert_eq!(root_element.tag_name().name(), "testsuites");
    let suites: Vec<_> = root_element.children().filter(|n| n.has_tag_name("testsuite")).collect();
    let names: Vec<&str> = suites.iter().map(|s| s.attribute("name").unwrap()).collect();
    assert_eq!(names, ["slo-case / blocking", "slo-case / cooperative"], "one suite per strategy");
    let failing = |suite: &roxmltree::Node| -> Vec<String> {
        suite
            .children()
            .filter(|c| c.has_tag_name("testcase") && c.children().any(|f| f.has_tag_name("failure")))
            .map(|c| c.attribute("name").unwrap().to_string())
            .collect()
    };
    // blocking: 10 one-second downloads one after another (p99 9.91 s: linear
    // between the 9th and 10th of 1 s … 10 s; makespan
    // 10 s, waits up to 9 s); cooperative: all at once (1 s, no wait).
    // Named after what they check: the thresholds are in the messages.
    assert_eq!(failing(&suites[0]), ["SLO latency p99", "SLO makespan", "SLO wait max (class job)"]);
    assert_eq!(failing(&suites[1]), Vec::<String>::new());
    for suite in &suites {
        let cases = suite.children().filter(|c| c.has_tag_name("testcase")).count();
        assert_eq!(suite.attribute("tests"), Some(cases.to_string().as_str()));
        assert_eq!(suite.attribute("failures"), Some(failing(suite).len().to_string().as_str()));
    }
    assert_eq!(root_element.attribute("tests"), Some("8"));
    assert_eq!(root_element.attribute("failures"), Some("3"));
    let failure = suites[0].descendants().find(|n| n.has_tag_name("failure")).unwrap();
    assert_eq!(failure.attribute("message"), Some("latency p99 is 9.91s, not < 2s"));
    assert_eq!(failure.attribute("type"), Some("slo"));
}

#[test]
fn junit_of_a_comparison_has_a_case_per_limit() {
    let dir = tempdir("ci-junit-compare");
    let (base, head) = (dir.path().join("base"), dir.path().join("head"));
    ok_run("scenarios/scraper.json", &base, &[]);
    ok_run(path(&scraper_with_connections(dir.path(), 20)), &head, &[]);
    let junit = dir.path().join("compare.xml");
    let output = simbench(&["compare", path(&base), path(&head), "--junit", path(&junit)]);
    assert_eq!(output.status.code(), Some(1));
    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let failures = doc.descendants().filter(|n| n.has_tag_name("failure")).count();
    let regressions = compare_summary(&base, &head)["regressions"].as_u64().unwrap();
    assert!(regressions > 0);
    assert_eq!(failures as u64, regressions, "one failing case per regression");
    let case = doc
        .descendants()
        .find(|n| n.has_tag_name("testcase") && n.attribute("name") == Some("limit latency.p99"))
        .unwrap();
    assert_eq!(case.attribute("classname"), Some("simbench.scraper.blocking"));
}

/// The (classname, name) of every test case in a JUnit file.
fn junit_cases(file: &std::path::Path) -> Vec<(String, String)> {
    let xml = std::fs::read_to_string(file).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .map(|n| (n.attribute("classname").unwrap().to_string(), n.attribute("name").unwrap().to_string()))
        .collect()
}

#[test]
fn junit_names_stay_when_a_limit_changes() {
    let dir = tempdir("ci-junit-stable");
    let (base, head) = (dir.path().join("base"), dir.path().join("head"));
    ok_run("scenarios/scraper.json", &base, &[]);
    ok_run(path(&scraper_with_connections(dir.path(), 20)), &head, &[]);
    let names = |limit: &str, file: &str| {
        let junit = dir.path().join(file);
        simbench(&["compare", path(&base), path(&head), "--limit", limit, "--junit", path(&junit)]);
        junit_cases(&junit)
    };
    let tight = names("latency.p99=+0%", "tight.xml");
    let loose = names("latency.p99=+500%", "loose.xml");
    assert!(!tight.is_empty());
    assert_eq!(tight, loose, "a reporter's history follows a test across limit changes");
    let unique: std::collections::BTreeSet<_> = tight.iter().collect();
    assert_eq!(unique.len(), tight.len(), "names are unique");
}

#[test]
fn junit_of_a_run_with_nothing_to_check_has_a_passing_case_per_strategy() {
    let dir = tempdir("ci-junit-empty");
    ok_run("scenarios/downloads.json", dir.path(), &["--export", "junit"]);
    let xml = std::fs::read_to_string(dir.path().join("downloads/junit.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let suites = doc.descendants().filter(|n| n.has_tag_name("testsuite")).count();
    assert!(suites > 0);
    assert_eq!(doc.root_element().attribute("tests"), Some(suites.to_string().as_str()), "one case per suite");
    assert_eq!(doc.root_element().attribute("failures"), Some("0"));
}

#[test]
fn hgrm_has_hdrhistograms_layout_and_footer() {
    let dir = tempdir("ci-hgrm");
    ok_run("scenarios/scraper.json", dir.path(), &["--export", "hgrm"]);
    for strategy in ["blocking", "threaded", "threaded-100", "cooperative"] {
        let text = std::fs::read_to_string(dir.path().join(format!("scraper/{strategy}.hgrm"))).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "       Value     Percentile TotalCount 1/(1-Percentile)");
        assert_eq!(lines[1], "");
        let body = &lines[2..lines.len() - 3];
        for line in &body[..body.len() - 1] {
            // %12.3f %2.12f %10d %14.2f
            assert_eq!(line.len(), 12 + 1 + 14 + 1 + 10 + 1 + 14, "{line:?}");
            let fields: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(fields.len(), 4, "{line:?}");
            assert_eq!(fields[1].split_once('.').unwrap().1.len(), 12);
            assert_eq!(fields[3].split_once('.').unwrap().1.len(), 2);
        }
        let last = body.last().unwrap();
        assert!(last.ends_with(" 1.000000000000       1000"), "{last:?}");
        assert!(body[0].contains(" 0.000000000000          1           1.00"), "{:?}", body[0]);
        let footer = &lines[lines.len() - 3..];
        assert!(footer[0].starts_with("#[Mean    = ") && footer[0].contains(", StdDeviation   = "), "{footer:?}");
        assert!(footer[1].starts_with("#[Max     = ") && footer[1].ends_with(", Total count    =         1000]"));
        assert!(footer[2].starts_with("#[Buckets = ") && footer[2].ends_with(", SubBuckets     =         2048]"));
    }
}

/// An interval of a .hlog as the hdrhistogram crate's reader returns it.
struct HlogInterval {
    tag: String,
    start: std::time::Duration,
    length: std::time::Duration,
    histogram: hdrhistogram::Histogram<u64>,
}

/// Every interval of a .hlog, read by the hdrhistogram crate's log reader
/// (and the StartTime it names).
fn read_hlog(log: &[u8]) -> (Vec<HlogInterval>, Option<std::time::Duration>) {
    use hdrhistogram::serialization::Deserializer;
    use hdrhistogram::serialization::interval_log::{IntervalLogIterator, LogEntry};
    let mut intervals = Vec::new();
    let mut start_time = None;
    for entry in IntervalLogIterator::new(log) {
        match entry.expect("every line parses") {
            LogEntry::Interval(h) => intervals.push(HlogInterval {
                tag: h.tag().expect("every interval is tagged").as_str().to_string(),
                start: h.start_timestamp(),
                length: h.duration(),
                histogram: {
                    use base64::Engine;
                    let bytes = base64::engine::general_purpose::STANDARD.decode(h.encoded_histogram()).unwrap();
                    Deserializer::new().deserialize(&mut bytes.as_slice()).unwrap()
                },
            }),
            LogEntry::StartTime(t) => start_time = Some(t),
            LogEntry::BaseTime(_) => {}
        }
    }
    (intervals, start_time)
}

#[test]
fn hlog_intervals_read_back_through_the_crates_log_reader_and_add_up_to_the_report() {
    use hdrhistogram::Histogram;
    let decode = |encoded: &str| -> Histogram<u64> {
        use base64::Engine;
        use hdrhistogram::serialization::Deserializer;
        let bytes = base64::engine::general_purpose::STANDARD.decode(encoded).unwrap();
        Deserializer::new().deserialize(&mut bytes.as_slice()).unwrap()
    };
    let dir = tempdir("ci-hlog");
    for (file, name, interval, width_ms) in [
        ("scenarios/timeouts.json", "timeouts", None, 1000),
        ("scenarios/api-server.json", "api-server", Some("250ms"), 250),
    ] {
        let out = dir.path().join(name);
        let mut args = vec!["--export", "hlog"];
        args.extend(interval.iter().flat_map(|i| ["--hlog-interval", *i]));
        ok_run(file, &out, &args);
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join(name).join("report.json")).unwrap()).unwrap();
        let (intervals, start_time) = read_hlog(&std::fs::read(out.join(name).join("latency.hlog")).unwrap());
        assert_eq!(start_time, Some(std::time::Duration::ZERO));
        let width = std::time::Duration::from_millis(width_ms);
        assert!(intervals.windows(2).all(|w| w[0].start <= w[1].start), "{name}: in time order");
        for result in report["results"].as_array().unwrap() {
            let label = result["strategy"].as_str().unwrap();
            let own: Vec<&HlogInterval> = intervals.iter().filter(|i| i.tag == label).collect();
            let makespan = result["makespan_s"].as_f64().unwrap();
            assert!(own.len() > 1 || makespan < width.as_secs_f64(), "{name}/{label}: intervals over time");
            let mut sum = Histogram::<u64>::new(3).unwrap();
            for (a, b) in own.iter().zip(own.iter().skip(1)) {
                assert!(a.start < b.start, "{name}/{label}: one line per interval");
            }
            for i in &own {
                assert_eq!(i.length, width, "{name}/{label}: every interval is {width:?} long");
                assert_eq!(i.start.as_nanos() % width.as_nanos(), 0, "{name}/{label}: starts at k x width");
                assert!(i.start.as_secs_f64() <= makespan, "{name}/{label}: inside the run");
                assert!(!i.histogram.is_empty(), "{name}/{label}: empty intervals are left out");
                sum.add(&i.histogram).unwrap();
            }
            assert_eq!(sum, decode(result["histogram"].as_str().unwrap()), "{name}/{label}: the intervals add up");
            let tasks = &result["tasks"];
            let measured = ["cancelled", "rejected"]
                .iter()
                .fold(tasks["arrived"].as_u64().unwrap(), |n, k| n - tasks[*k].as_u64().unwrap());
            assert_eq!(sum.len(), measured);
        }
    }
}

#[test]
fn hlog_counts_each_task_in_the_interval_of_its_end_per_class() {
    let dir = tempdir("ci-hlog-classes");
    let file = dir.path().join("three.json");
    // One task per class, all arriving at 0 and ending at 0.5 s, 1.5 s
    // and 2.5 s: one in each of the first three 1 s intervals.
    std::fs::write(
        &file,
        r#"{"name": "three", "classes": {
            "a": {"arrivals": {"batch": {"count": 1}}, "program": [{"io": "500ms"}]},
            "b": {"arrivals": {"batch": {"count": 1}}, "program": [{"io": "1500ms"}]},
            "c": {"arrivals": {"batch": {"count": 1}}, "program": [{"io": "2500ms"}]}},
          "strategies": ["cooperative"]}"#,
    )
    .unwrap();
    ok_run(path(&file), dir.path(), &["--export", "hlog"]);
    let (intervals, _) = read_hlog(&std::fs::read(dir.path().join("three/latency.hlog")).unwrap());
    let seen: Vec<(String, u128, u128)> =
        intervals.iter().map(|i| (i.tag.clone(), i.start.as_millis(), i.length.as_millis())).collect();
    let expected: Vec<(String, u128, u128)> = [
        ("cooperative", 0, 1000),
        ("cooperative/a", 0, 1000),
        ("cooperative", 1000, 1000),
        ("cooperative/b", 1000, 1000),
        ("cooperative", 2000, 1000),
        ("cooperative/c", 2000, 1000),
    ]
    .iter()
    .map(|&(t, s, l)| (t.to_string(), s, l))
    .collect();
    assert_eq!(seen, expected);
    for (i, latency_ms) in intervals.iter().zip([500, 500, 1500, 1500, 2500, 2500]) {
        assert_eq!(i.histogram.len(), 1, "{}", i.tag);
        assert!(i.histogram.equivalent(i.histogram.max(), latency_ms * 1_000_000), "{}: {latency_ms} ms", i.tag);
    }
}

#[test]
fn hlog_intervals_must_be_whole_milliseconds() {
    let dir = tempdir("ci-hlog-interval");
    for bad in ["1500us", "0s", "soon"] {
        let output = run("scenarios/flow.json", dir.path(), &["--export", "hlog", "--hlog-interval", bad]);
        assert_eq!(output.status.code(), Some(2), "{bad}");
        let err = String::from_utf8_lossy(&output.stderr);
        assert!(err.contains("whole milliseconds, at least 1ms"), "{bad}: {err}");
    }
}

#[test]
fn formats_combine_and_without_export_no_export_file_is_written() {
    let dir = tempdir("ci-csv");
    ok_run("scenarios/timeouts.json", dir.path(), &["--export", "csv,junit"]);
    for name in ["summary.csv", "classes.csv", "junit.xml"] {
        assert!(dir.path().join("timeouts").join(name).exists(), "{name}: formats combine");
    }
    // (tests/it/export_csv.rs checks the tables themselves.)
    let none = tempdir("ci-no-exports");
    ok_run("scenarios/flow.json", none.path(), &[]);
    let files: Vec<String> = std::fs::read_dir(none.path().join("flow"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| !name.starts_with("report.") && !name.ends_with(".svg") && !name.ends_with(".png"))
        .collect();
    assert!(files.is_empty(), "without --export no export file: {files:?}");
}

// ----- golden files --------------------------------------------------------------

#[test]
fn golden_comparison_of_the_scraper_with_fewer_connections() {
    let dir = tempdir("ci-golden-compare");
    let (base, head) = (dir.path().join("base"), dir.path().join("head"));
    ok_run("scenarios/scraper.json", &base, &[]);
    ok_run(path(&scraper_with_connections(dir.path(), 20)), &head, &[]);
    let shown = |text: String| text.replace(path(dir.path()), "TMP");
    for (format, name) in [("text", "scraper-20.txt"), ("md", "scraper-20.md"), ("json", "scraper-20.json")] {
        let output = simbench(&["compare", path(&base), path(&head), "--format", format]);
        assert_eq!(output.status.code(), Some(1));
        golden("compare", name, &shown(stdout(&output)));
    }
}

#[test]
fn golden_exports() {
    let dir = tempdir("ci-golden-exports");
    let file = with_slos(dir.path(), r#"["latency p99 < 2s", {"threshold": "wait max < 1ms", "class": "job"}]"#);
    let out = dir.path().join("out");
    assert_eq!(run(path(&file), &out, &["--export", "all"]).status.code(), Some(1));
    for name in [
        "junit.xml",
        "blocking.hgrm",
        "cooperative.hgrm",
        "latency.hlog",
        "summary.csv",
        "classes.csv",
        "bmf.json",
        "benchmark-action-smaller.json",
        "benchmark-action-bigger.json",
    ] {
        golden("exports", name, &std::fs::read_to_string(out.join("slo-case").join(name)).unwrap());
    }
}

// ----- compare for pull requests -----------------------------------------------

/// 24 scenarios, each run under two seeds into `base` and `head`: a
/// comparison as large as a service's checked-in set.
fn many_runs(dir: &Path, count: usize) -> (PathBuf, PathBuf) {
    let (base, head) = (dir.join("base"), dir.join("head"));
    let text = std::fs::read_to_string(root().join("scenarios/scraper.json")).unwrap();
    for i in 0..count {
        let file = dir.join(format!("s{i}.json"));
        let renamed = text.replacen("\"name\": \"scraper\"", &format!("\"name\": \"scraper-{i}\""), 1);
        assert_ne!(renamed, text, "the scenario's name is where this test looks for it");
        std::fs::write(&file, renamed).unwrap();
        ok_run(path(&file), &base, &["--no-charts", "--seed", "1"]);
        ok_run(path(&file), &head, &["--no-charts", "--seed", "2"]);
    }
    (base, head)
}

#[test]
fn a_24_scenario_comparison_fits_a_pull_request_comment() {
    let dir = tempdir("ci-compare-budget");
    let (base, head) = many_runs(dir.path(), 24);
    let whole = stdout(&simbench(&["compare", path(&base), path(&head), "--format", "md", "--max-chars", "0"]));
    let fitted = stdout(&simbench(&["compare", path(&base), path(&head), "--format", "md"]));
    assert!(whole.chars().count() > 65_536, "the test needs a comparison over the limit");
    assert!(fitted.chars().count() <= 65_000, "{} characters", fitted.chars().count());
    assert!(fitted.trim_end().lines().last().unwrap().contains("Truncated"));
    assert_eq!(fitted.matches("<details>").count(), fitted.matches("</details>").count());
    // What is kept is the whole comparison's beginning, cut at a line.
    let kept = &fitted[..fitted.rfind("\n> ✂️").unwrap()];
    assert!(whole.starts_with(kept.trim_end_matches("\n</details>\n")), "a prefix, cut at a line");
    let small = stdout(&simbench(&["compare", path(&base), path(&head), "--format", "md", "--max-chars", "3000"]));
    assert!(small.chars().count() <= 3000, "{} characters", small.chars().count());
}

#[test]
fn a_failed_comparison_still_writes_a_note_saying_why() {
    let dir = tempdir("ci-compare-error");
    let missing = dir.path().join("nothing-here");
    for (format, expected) in [("md", "No comparison could be made"), ("text", "no comparison"), ("json", "\"error\"")]
    {
        let output = simbench(&["compare", path(&missing), path(&missing), "--format", format]);
        assert_eq!(output.status.code(), Some(2));
        let note = stdout(&output);
        assert!(note.contains(expected), "{format}: {note:?}");
        assert!(note.contains("nothing-here"), "the note names what failed: {note:?}");
        if format == "json" {
            serde_json::from_str::<serde_json::Value>(&note).expect("a JSON note");
        }
    }
}

#[test]
fn compare_shows_the_heads_slo_verdicts() {
    let dir = tempdir("ci-compare-slos");
    let file = with_slos(dir.path(), r#"["latency p99 < 2s", {"threshold": "wait max < 1ms", "class": "job"}]"#);
    let (base, head) = (dir.path().join("base"), dir.path().join("head"));
    run(path(&file), &base, &["--no-charts"]);
    run(path(&file), &head, &["--no-charts"]);
    let md = stdout(&simbench(&["compare", path(&base), path(&head), "--format", "md"]));
    // blocking fails both (p99 10 s, waits 9 s), cooperative meets both.
    assert!(md.contains("### SLOs (head)") && md.contains("❌ 2 met, 2 failed."), "{md}");
    assert!(md.contains("`latency p99 < 2s`"), "{md}");
    let text = stdout(&simbench(&["compare", path(&base), path(&head)]));
    assert!(text.contains("SLOs (head): 2 met, 2 failed"), "{text}");
    assert_eq!(text.matches("  FAILED slo-case / blocking").count(), 2, "{text}");
}

// ----- compare --format html ---------------------------------------------------

/// The page parsed as XML (it is written to be well-formed), its
/// `<!DOCTYPE html>` allowed.
fn parse_page(html: &str) -> roxmltree::Document<'_> {
    let options = roxmltree::ParsingOptions { allow_dtd: true, ..roxmltree::ParsingOptions::default() };
    roxmltree::Document::parse_with_options(html, options).expect("the page is well-formed")
}

#[test]
fn compare_html_is_one_well_formed_page_with_both_spectra_of_each_strategy() {
    let dir = tempdir("ci-compare-html");
    let (base, head) = (dir.path().join("base"), dir.path().join("head"));
    ok_run("scenarios/scraper.json", &base, &["--no-charts"]);
    ok_run(path(&scraper_with_connections(dir.path(), 20)), &head, &["--no-charts"]);
    let output = simbench(&["compare", path(&base), path(&head), "--format", "html"]);
    assert_eq!(output.status.code(), Some(1), "fewer connections regress");
    let html = stdout(&output);
    let doc = parse_page(&html);
    assert!(!html.contains("<script") && !html.contains("src=") && !html.contains("href=\"http"), "self-contained");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(head.join("scraper/report.json")).unwrap()).unwrap();
    let figures: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("figure")).collect();
    for result in report["results"].as_array().unwrap() {
        let label = result["strategy"].as_str().unwrap();
        let figure = figures
            .iter()
            .find(|f| {
                f.descendants().any(|n| n.has_tag_name("figcaption") && n.text().is_some_and(|t| t.starts_with(label)))
            })
            .unwrap_or_else(|| panic!("no spectra of {label}"));
        let titles: Vec<&str> =
            figure.descendants().filter(|n| n.has_tag_name("title")).filter_map(|n| n.text()).collect();
        assert!(titles.iter().any(|t| t.starts_with("base · p99: ")), "{label}: the base line");
        let p99 = simbench::time::format_seconds(result["latency_s"]["p99"].as_f64().unwrap());
        assert!(titles.iter().any(|t| t.starts_with("head · p99: ")), "{label}: the head line ({p99})");
    }
    // Every figure base against head with the change: the makespan row of cooperative.
    let rows: Vec<Vec<String>> = doc
        .descendants()
        .filter(|n| n.has_tag_name("tr"))
        .map(|tr| tr.children().filter(|c| c.is_element()).map(|c| c.text().unwrap_or("").to_string()).collect())
        .collect();
    let header = &rows[0];
    assert_eq!(header[..5], ["strategy", "metric", "base", "head", "change"]);
    assert!(rows.iter().any(|r| r[0] == "cooperative" && r[1] == "makespan" && r[4].starts_with('+')), "{rows:?}");
}

#[test]
fn compare_html_escapes_report_text_and_notes_a_failure() {
    let dir = tempdir("ci-compare-html-escape");
    let file = dir.path().join("hostile.json");
    std::fs::write(
        &file,
        r#"{"name": "<img onerror=x>&", "classes": {"job": {"arrivals": {"batch": {"count": 3}}, "program": [{"io": "1s"}]}},
          "strategies": ["blocking", "cooperative"]}"#,
    )
    .unwrap();
    let (base, head) = (dir.path().join("base"), dir.path().join("head"));
    ok_run(path(&file), &base, &["--no-charts"]);
    ok_run(path(&file), &head, &["--no-charts"]);
    let reports: Vec<PathBuf> = [&base, &head]
        .iter()
        .map(|d| std::fs::read_dir(d).unwrap().next().unwrap().unwrap().path().join("report.json"))
        .collect();
    let output = simbench(&["compare", path(&reports[0]), path(&reports[1]), "--format", "html"]);
    assert!(output.status.success());
    let html = stdout(&output);
    parse_page(&html);
    assert!(!html.contains("<img"), "the name is escaped");
    assert!(html.contains("&lt;img onerror=x&gt;&amp;"));
    let missing = simbench(&["compare", path(&reports[0]), path(&dir.path().join("nothing.json")), "--format", "html"]);
    assert_eq!(missing.status.code(), Some(2));
    let note = stdout(&missing);
    assert!(note.starts_with("<!DOCTYPE html>") && note.contains("No comparison could be made"), "{note}");
}
