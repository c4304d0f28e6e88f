//! Arguments that used to get a weak message or be silently misread
//! (issue 17 items 6 and 7), through the real binary: negative numbers to
//! numeric flags and to flags with units, `--set` into a class that does
//! not exist, `plan --vary` of a field that is not there (with `--range`
//! too), a plan that refuses its arguments creating no directory, the
//! bracket path form messages print, and two `--set` of one field.

use crate::common::{path, simbench, stderr, tempdir};

const API: &str = "scenarios/api-server.json";

fn refused(args: &[&str]) -> String {
    let output = simbench(args);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "simbench {args:?}: {err}");
    err
}

#[test]
fn negative_numbers_to_flags_are_values_refused_with_their_meaning() {
    let dir = tempdir("args-negative");
    let out = path(dir.path());
    let err = refused(&["run", "scenarios/downloads.json", "--seed", "-1", "--out", out]);
    assert!(err.contains("invalid value '-1' for '--seed <N>': seed must be a non-negative integer"), "{err}");
    assert!(!err.contains("-- -1"), "no tip to pass it after --: {err}");
    let err = refused(&["run", "scenarios/downloads.json", "--replications", "-3", "--out", out]);
    assert!(err.contains("the number of replications must be an integer ≥ 1"), "{err}");
    let err = refused(&["run", "scenarios/downloads.json", "--max-tasks", "-5", "--out", out]);
    assert!(err.contains("--max-tasks must be a non-negative integer"), "{err}");
    let err = refused(&["sweep", API, "--set", "seed=1,2", "--jobs", "-2", "--out", out]);
    assert!(err.contains("the number of jobs must be an integer ≥ 1"), "{err}");
    let err = refused(&["plan", API, "--vary", "machine.cores", "--precision", "-0.5", "--out", out]);
    assert!(err.contains("the precision must be a number > 0"), "{err}");
    let err = refused(&["validate", "--seed", "-7", "--out", out]);
    assert!(err.contains("seed must be a non-negative integer"), "{err}");
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none(), "nothing is written");
}

#[test]
fn set_into_a_class_that_does_not_exist_says_so() {
    let dir = tempdir("args-no-class");
    let out = path(dir.path());
    let err = refused(&["sweep", API, "--set", "classes.requst.arrivals.poisson.rate=100,200", "--out", out]);
    assert!(err.contains("classes.requst.arrivals.poisson.rate: the scenario has no class \"requst\""), "{err}");
    assert!(err.contains("hint: did you mean \"request\"?"), "{err}");
    let err = refused(&["sweep", API, "--set", "classes.nope.arrivals.poisson.rate=100,200", "--out", out]);
    assert!(err.contains("the scenario has no class \"nope\"\n  hint: it has: request"), "{err}");
    let err = refused(&["sweep", API, "--set", "pools.nope.size=1,2", "--out", out]);
    assert!(err.contains("the scenario has no pool \"nope\""), "{err}");
    assert!(!err.contains("missing field"), "not created: {err}");
}

#[test]
fn plan_vary_of_a_missing_field_says_which() {
    let dir = tempdir("args-vary");
    let out = path(dir.path());
    let err = refused(&["plan", API, "--vary", "classes.request.arrivals.poisson.nope", "--out", out]);
    assert!(
        err.contains("classes.request.arrivals.poisson has no field \"nope\"\n  hint: it has: rate, count"),
        "{err}"
    );
    assert!(!err.contains("\"nothing\""), "{err}");
    let err = refused(&["plan", API, "--vary", "classes.reqest.arrivals.poisson.rate", "--out", out]);
    assert!(err.contains("did you mean \"request\"?"), "{err}");
}

#[test]
fn the_bracket_form_of_messages_is_a_set_path() {
    let dir = tempdir("args-brackets");
    let scenario = serde_json::json!({
        "name": "brackets",
        "classes": { "my class": { "arrivals": { "batch": { "count": 2 } }, "program": [{ "io": "10ms" }] } },
        "strategies": ["cooperative"]
    });
    let file = dir.path().join("b.json");
    std::fs::write(&file, serde_json::to_string_pretty(&scenario).unwrap()).unwrap();
    let out = dir.path().join("out");
    // The parser's message names the field as classes["my class"]…
    let bad = refused(&[
        "sweep",
        path(&file),
        "--set",
        "classes[\"my class\"].arrivals.batch.count=0,1",
        "--out",
        path(&out),
    ]);
    assert!(bad.contains("classes[\"my class\"].arrivals.batch.count: expected an integer ≥ 1, found 0"), "{bad}");
    // … and that is what --set takes.
    let output = simbench(&[
        "sweep",
        path(&file),
        "--set",
        "classes[\"my class\"].arrivals.batch.count=1,3",
        "--out",
        path(&out),
        "--quiet",
        "--no-charts",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let sweep = std::fs::read_to_string(out.join("brackets/sweep.json")).unwrap();
    assert!(sweep.contains("\"classes[\\\"my class\\\"].arrivals.batch.count\":3"), "{sweep}");
}

#[test]
fn two_sets_of_one_field_are_refused() {
    let dir = tempdir("args-same-field");
    let out = path(dir.path());
    let err = refused(&["sweep", API, "--set", "machine.cores=1,2", "--set", "machine.cores=4", "--out", out]);
    assert!(err.contains("--set machine.cores and --set machine.cores set the same field"), "{err}");
    // However the field is spelled: by label or by index and kind.
    let err = refused(&[
        "sweep",
        API,
        "--set",
        "strategies.threaded-32.workers=8,16",
        "--set",
        "strategies[1].threaded.workers=4",
        "--out",
        out,
    ]);
    assert!(err.contains("set the same field\n  hint: give each field once"), "{err}");
    // A field inside one that is also set.
    let err = refused(&[
        "sweep",
        API,
        "--set",
        "strategies[1]=cooperative",
        "--set",
        "strategies[1].threaded.workers=4,8",
        "--out",
        out,
    ]);
    assert!(err.contains("set the same field"), "{err}");
    let err = refused(&["plan", API, "--vary", "machine.cores", "--set", "machine.cores=2", "--out", out]);
    assert!(err.contains("--vary machine.cores and --set machine.cores set the same field"), "{err}");
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none(), "nothing is written, no directory made");
}

#[test]
fn unit_flags_given_a_negative_value_say_it_must_be_non_negative() {
    let dir = tempdir("args-negative-units");
    let out = path(dir.path());
    let run = |flag: &str, value: &str| {
        refused(&["run", "scenarios/downloads.json", flag, value, "--hlog-interval", "1s", "--out", out])
    };
    let err = run("--max-memory", "-1GiB");
    assert!(err.contains("invalid value '-1GiB' for '--max-memory <SIZE>': the size must be non-negative"), "{err}");
    assert!(!err.contains("-- -1GiB"), "no tip to pass it after --: {err}");
    let err = run("--max-sim-time", "-5s");
    assert!(err.contains("'--max-sim-time <DURATION>': the duration must be non-negative, e.g. 1h"), "{err}");
    let err = refused(&["run", "scenarios/downloads.json", "--export", "hlog", "--hlog-interval", "-1s", "--out", out]);
    assert!(err.contains("'--hlog-interval <DURATION>': the hlog interval must be non-negative"), "{err}");
    let err = refused(&["--max-input-size", "-2MiB", "run", "scenarios/downloads.json", "--out", out]);
    assert!(err.contains("'--max-input-size <SIZE>': the size must be non-negative"), "{err}");
    let err = refused(&["sweep", API, "--set", "seed=1,2", "--max-memory", "-.5GiB", "--out", out]);
    assert!(err.contains("the size must be non-negative"), "{err}");
    // A flag where the value should be is named as one.
    let err = run("--max-memory", "--quiet");
    assert!(err.contains("expected the size (e.g. 8GiB), found the flag \"--quiet\""), "{err}");
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none(), "nothing is written");
}

#[test]
fn plan_vary_of_a_field_no_scenario_holds_is_refused_with_a_range_too() {
    let dir = tempdir("args-vary-range");
    let out = path(dir.path());
    let err = refused(&["plan", API, "--vary", "machine.nosuchfield", "--range", "1..8", "--out", out]);
    assert!(
        err.contains(
            "--vary machine.nosuchfield: machine has no field \"nosuchfield\"\n  hint: expected one of: cores"
        ),
        "{err}"
    );
    assert!(!err.contains("(blocking)"), "refused before any probe: {err}");
    // A misspelling gets "did you mean".
    let err =
        refused(&["plan", API, "--vary", "classes.request.arrivals.poisson.rat", "--range", "1..8", "--out", out]);
    assert!(err.contains("did you mean \"rate\"?"), "{err}");
    // A field inside an object that no scenario holds either.
    let err = refused(&["plan", API, "--vary", "machine.gpu.count", "--range", "1..8", "--out", out]);
    assert!(err.contains("--vary machine.gpu.count: machine has no field \"gpu\""), "{err}");
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none(), "nothing is written");
    // A field the scenario leaves out at its default is still planned over a range.
    let output = simbench(&[
        "plan",
        "scenarios/downloads.json",
        "--vary",
        "machine.cores",
        "--range",
        "1..4",
        "--slo",
        "latency p99 < 20s",
        "--out",
        out,
        "--quiet",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn plan_refusing_its_arguments_creates_no_directory() {
    let dir = tempdir("args-plan-nothing");
    let out = dir.path().join("new/deeper");
    let out = path(&out);
    for args in [
        &["--vary", "machine.nosuchfield", "--range", "1..8"][..],
        &["--vary", "classes.request.arrivals.poisson.nope"][..],
        &["--vary", "machine.cores", "--set", "machine.cores=2"][..],
        &["--vary", "machine.cores", "--range", "8..1"][..],
        &["--vary", "machine.cores", "--slo", "latency p99 <"][..],
    ] {
        let mut all = vec!["plan", API, "--out", out];
        all.extend_from_slice(args);
        refused(&all);
    }
    // A search refused part way (a probe past a guard) leaves none either.
    let err = refused(&[
        "plan",
        "scenarios/downloads.json",
        "--vary",
        "classes.download.arrivals.batch.count",
        "--range",
        "1..100000",
        "--slo",
        "latency p99 < 20s",
        "--max-tasks",
        "1000",
        "--out",
        out,
    ]);
    assert!(err.contains("more than --max-tasks 1000"), "{err}");
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none(), "nothing is created");
}
