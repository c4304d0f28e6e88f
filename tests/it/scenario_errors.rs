//! Malformed scenarios: each case asserts the exact list of problems the
//! scenario stage reports (line, column, field path, message and hint), in
//! file order, and a few run the real binary to check what a user sees.
//!
//! A case reads `check(text, &[at(line, column, path, message)...])`;
//! `.on(token)` also checks that the position points at `token` in the text,
//! and `.hint(text)` that the problem has a hint containing `text` (without
//! it, the problem must have no hint).

use crate::common::tempdir;
use simbench::scenario::{Problem, ScenarioError, parse};

// ----- the harness ---------------------------------------------------------

/// One expected problem.
struct Want {
    line: u32,
    column: u32,
    path: &'static str,
    /// A substring of the message.
    message: &'static str,
    /// What the text at `line:column` starts with.
    token: Option<&'static str>,
    /// A substring of the hint; `None`: there is no hint.
    hint: Option<&'static str>,
}

fn at(line: u32, column: u32, path: &'static str, message: &'static str) -> Want {
    Want { line, column, path, message, token: None, hint: None }
}

impl Want {
    fn on(self, token: &'static str) -> Want {
        Want { token: Some(token), ..self }
    }

    fn hint(self, hint: &'static str) -> Want {
        Want { hint: Some(hint), ..self }
    }
}

/// The problems `parse` reports for `text`, which must be invalid.
fn problems(text: &str) -> Vec<Problem> {
    match parse(text, "case.json") {
        Err(ScenarioError::Invalid { file, problems }) => {
            assert_eq!(file, "case.json");
            problems
        }
        Err(other) => panic!("expected Invalid, got {other}"),
        Ok(scenario) => panic!("the scenario parsed:\n{text}\n{scenario:#?}"),
    }
}

fn check(text: &str, wants: &[Want]) {
    let got = problems(text);
    let shown: String = got.iter().map(|p| format!("\n  {p}")).collect();
    assert_eq!(got.len(), wants.len(), "number of problems; got:{shown}\nin:\n{text}");
    for (problem, want) in got.iter().zip(wants) {
        let context = format!("{problem}\n(all problems:{shown})");
        assert_eq!((problem.line, problem.column), (want.line, want.column), "position of {context}");
        assert_eq!(problem.path, want.path, "path of {context}");
        assert!(problem.message.contains(want.message), "message of {context}\nshould contain: {}", want.message);
        match (&problem.hint, want.hint) {
            (Some(hint), Some(want)) => assert!(hint.contains(want), "hint of {context}\nshould contain: {want}"),
            (None, None) => {}
            (hint, want) => panic!("hint of {context}: got {hint:?}, want {want:?}"),
        }
        if let Some(token) = want.token {
            let line = text.split('\n').nth(problem.line as usize - 1).unwrap_or("");
            let rest: String = line.chars().skip(problem.column as usize - 1).collect();
            assert!(rest.starts_with(token), "{context}\npoints at {rest:?}, not at {token:?}");
        }
    }
}

// ----- scenario templates --------------------------------------------------

/// A scenario whose class `job` runs `steps`, one per line from line 7,
/// each starting at column 9.
fn program(steps: &[&str]) -> String {
    program_with_pools(None, steps)
}

/// As [`program`], with `"pools": pools` on line 2, so steps start on line 8.
fn program_with_pools(pools: Option<&str>, steps: &[&str]) -> String {
    let pools = pools.map(|p| format!("\n  \"pools\": {p},")).unwrap_or_default();
    let steps: Vec<String> = steps.iter().map(|s| format!("        {s}")).collect();
    format!(
        "{{{pools}
  \"name\": \"case\",
  \"classes\": {{
    \"job\": {{
      \"arrivals\": {{\"batch\": {{\"count\": 1}}}},
      \"program\": [
{}
      ]
    }}
  }}
}}
",
        steps.join(",\n")
    )
}

/// A scenario whose class `job` has `"arrivals": arrivals` on line 5,
/// the value starting at column 19.
fn arrivals(arrivals: &str) -> String {
    format!(
        "{{
  \"name\": \"case\",
  \"classes\": {{
    \"job\": {{
      \"arrivals\": {arrivals},
      \"program\": [{{\"io\": \"1s\"}}]
    }}
  }}
}}
"
    )
}

/// A valid scenario with `items` as its strategies, one per line from
/// line 5, each starting at column 5.
fn strategies(items: &[&str]) -> String {
    let items: Vec<String> = items.iter().map(|s| format!("    {s}")).collect();
    format!(
        "{{
  \"name\": \"case\",
  \"classes\": {{\"job\": {{\"arrivals\": {{\"batch\": {{\"count\": 1}}}}, \"program\": [{{\"io\": \"1s\"}}]}}}},
  \"strategies\": [
{}
  ]
}}
",
        items.join(",\n")
    )
}

/// A valid scenario with the top-level `fields` first, one per line from
/// line 2, each starting at column 3.
fn top(fields: &[&str]) -> String {
    let fields: String = fields.iter().map(|f| format!("  {f},\n")).collect();
    format!(
        "{{
{fields}  \"name\": \"case\",
  \"classes\": {{\"job\": {{\"arrivals\": {{\"batch\": {{\"count\": 1}}}}, \"program\": [{{\"io\": \"1s\"}}]}}}}
}}
"
    )
}

// ----- JSON syntax ---------------------------------------------------------

#[test]
fn a_missing_comma_is_a_syntax_error_at_the_next_key() {
    let text = "{\n  \"name\": \"case\"\n  \"classes\": {}\n}\n";
    check(text, &[at(3, 3, "", "invalid JSON: expected `,` or `}`").on("\"classes\"")]);
}

#[test]
fn a_trailing_comma_says_to_remove_it() {
    let text = "{\n  \"name\": \"case\",\n  \"strategies\": [\"blocking\", \"threaded\",],\n  \"classes\": {}\n}\n";
    check(text, &[at(3, 41, "", "invalid JSON: trailing comma").on("]").hint("remove the comma")]);
}

#[test]
fn a_line_comment_suggests_an_underscore_field() {
    let text = "{\n  // the tutorial's example\n  \"name\": \"case\",\n  \"classes\": {}\n}\n";
    check(
        text,
        &[at(2, 3, "", "invalid JSON").on("//").hint("JSON has no comments; use a field whose name starts with \"_\"")],
    );
}

#[test]
fn a_block_comment_after_a_value_suggests_an_underscore_field() {
    let text = "{\n  \"name\": \"case\",\n  \"seed\": 1 /* any seed */,\n  \"classes\": {}\n}\n";
    check(text, &[at(3, 13, "", "invalid JSON: expected `,` or `}`").on("/*").hint("JSON has no comments")]);
}

#[test]
fn single_quotes_are_not_json() {
    check("{'name': 'case'}", &[at(1, 2, "", "key must be a string").on("'name'").hint("double quotes")]);
}

#[test]
fn an_unclosed_brace_is_reported_at_the_end() {
    check("{\"name\": \"case\"", &[at(1, 15, "", "EOF while parsing an object").on("\"").hint("not closed")]);
}

#[test]
fn an_empty_file_says_so() {
    check("", &[at(1, 1, "", "EOF while parsing a value").hint("the file is empty")]);
}

#[test]
fn syntax_error_columns_count_characters_not_bytes() {
    // "µ" and "é" are two bytes each in UTF-8; the column counts characters.
    let text = "{\"name\": \"µé\", \"seed\": 1,}";
    check(text, &[at(1, 26, "", "trailing comma").on("}").hint("remove the comma")]);
}

#[test]
fn the_document_must_be_an_object() {
    check("[]", &[at(1, 1, "", "expected a scenario object, found an empty list")]);
}

// ----- top level -----------------------------------------------------------

#[test]
fn an_unknown_top_level_field_suggests_the_closest() {
    check(
        &top(&[r#""stratgies": ["blocking"]"#]),
        &[at(2, 3, "stratgies", "unknown field \"stratgies\"")
            .on("\"stratgies\"")
            .hint("did you mean \"strategies\"?")],
    );
}

#[test]
fn an_unknown_top_level_field_with_no_close_match_lists_the_fields() {
    check(
        &top(&[r#""workers": 8"#]),
        &[at(2, 3, "workers", "unknown field \"workers\"")
            .on("\"workers\"")
            .hint("expected one of: name, description, seed, machine, horizon, warmup, pools, links, services, queues, classes, strategies")],
    );
}

#[test]
fn missing_name_and_classes_are_both_reported_at_the_document() {
    check(
        "{\n  \"seed\": 1\n}\n",
        &[
            at(1, 1, "", "missing field \"name\" (the scenario's name)").on("{"),
            at(1, 1, "", "missing field \"classes\" (the task classes)").on("{"),
        ],
    );
}

#[test]
fn wrong_types_at_the_top_level_are_all_reported() {
    let text = r#"{
  "name": 7,
  "description": ["a", "b"],
  "seed": "1",
  "machine": 4,
  "classes": [],
  "strategies": "threaded"
}"#;
    check(
        text,
        &[
            at(2, 11, "name", "expected a non-empty string, found 7").on("7"),
            at(3, 18, "description", "expected a string, found a list").on("["),
            at(4, 11, "seed", "expected an integer ≥ 0, found \"1\"").on("\"1\""),
            at(5, 14, "machine", "expected a machine object such as {\"cores\": 4}, found 4").on("4"),
            at(6, 14, "classes", "expected an object of task classes").on("[]"),
            at(7, 17, "strategies", "expected a non-empty list of strategies, found \"threaded\"").on("\"threaded\""),
        ],
    );
}

#[test]
fn a_blank_name_is_rejected() {
    check(
        r#"{"name": " ", "classes": {}}"#,
        &[
            at(1, 10, "name", "expected a non-empty string, found \" \"").on("\" \""),
            at(1, 26, "classes", "expected at least one task class, found an empty object").on("{}"),
        ],
    );
}

#[test]
fn a_negative_seed_is_rejected() {
    check(&top(&[r#""seed": -1"#]), &[at(2, 11, "seed", "expected an integer ≥ 0, found -1").on("-1")]);
}

#[test]
fn zero_cores_are_rejected() {
    check(
        &top(&[r#""machine": {"cores": 0}"#]),
        &[at(2, 24, "machine.cores", "expected an integer ≥ 1, found 0").on("0")],
    );
}

#[test]
fn a_fractional_core_count_is_not_an_integer() {
    check(
        &top(&[r#""machine": {"cores": 2.5, "memory": "16GB"}"#]),
        &[
            at(2, 24, "machine.cores", "expected an integer ≥ 1, found 2.5").on("2.5"),
            at(2, 29, "machine.memory", "unknown field \"memory\"").on("\"memory\"").hint("expected one of: cores"),
        ],
    );
}

#[test]
fn a_zero_horizon_is_rejected() {
    check(&top(&[r#""horizon": "0""#]), &[at(2, 14, "horizon", "expected a duration > 0, found \"0\"").on("\"0\"")]);
}

#[test]
fn a_duplicate_key_is_reported_at_the_second_one() {
    check(
        &top(&[r#""seed": 1"#, r#""seed": 2"#]),
        &[at(3, 3, "seed", "duplicate field").on("\"seed\": 2").hint("keep only the last of two equal keys")],
    );
}

#[test]
fn a_duplicate_key_inside_a_step_names_its_path() {
    check(
        &program(&[r#"{"io": "1s", "io": "2s"}"#]),
        &[at(7, 22, "classes.job.program[0].io", "duplicate field").on("\"io\": \"2s\"").hint("remove one")],
    );
}

// ----- pools ---------------------------------------------------------------

#[test]
fn a_pool_of_size_zero_is_rejected() {
    check(
        &top(&[r#""pools": {"db": 0, "cache": "8"}"#]),
        &[
            at(2, 19, "pools.db", "expected an integer ≥ 1, found 0").on("0"),
            at(2, 31, "pools.cache", "expected an integer ≥ 1, found \"8\"").on("\"8\""),
        ],
    );
}

#[test]
fn a_pool_object_needs_a_size_and_a_known_when_full() {
    check(
        &top(&[r#""pools": {"a": {"when_full": "reject"}, "b": {"size": 2, "when_full": "drop"}, "c": {"sise": 1}}"#]),
        &[
            at(2, 18, "pools.a", "missing field \"size\" (the number of permits)").on("{"),
            at(2, 73, "pools.b.when_full", "expected \"wait\" or \"reject\", found \"drop\"")
                .on("\"drop\"")
                .hint("\"reject\" ends the task as rejected"),
            at(2, 87, "pools.c", "missing field \"size\"").on("{"),
            at(2, 88, "pools.c.sise", "unknown field \"sise\"").on("\"sise\"").hint("did you mean \"size\"?"),
        ],
    );
}

// ----- warmup --------------------------------------------------------------

#[test]
fn a_warmup_needs_open_loop_arrivals() {
    // `top` has one class `job` arriving in a batch.
    check(
        &top(&[r#""warmup": "10s""#]),
        &[at(2, 13, "warmup", "a warmup needs open-loop arrivals, but class \"job\" arrives in a batch")
            .on("\"10s\"")
            .hint("use \"poisson\" or \"interval\" arrivals in every class")],
    );
}

#[test]
fn a_warmup_is_a_duration_or_auto_and_ends_before_the_horizon() {
    let open = |fields: &str| {
        format!(
            "{{\n  {fields},\n  \"name\": \"case\",\n  \"classes\": {{\"job\": {{\"arrivals\": {{\"poisson\": {{\"rate\": 1, \"count\": 5}}}}, \"program\": [{{\"io\": \"1s\"}}]}}}}\n}}\n"
        )
    };
    check(
        &open(r#""warmup": "aut""#),
        &[at(2, 13, "warmup", "expected a duration such as \"30s\", or \"auto\", found \"aut\"")
            .on("\"aut\"")
            .hint("MSER-5")],
    );
    check(&open(r#""warmup": "0s""#), &[at(2, 13, "warmup", "expected a duration > 0").on("\"0s\"")]);
    check(
        &open(r#""horizon": "1min", "warmup": "2min""#),
        &[at(2, 32, "warmup", "a warmup of 2.00min leaves nothing to measure before the horizon at 60.0s")
            .on("\"2min\"")
            .hint("shorter than the horizon")],
    );
}

#[test]
fn a_limit_on_an_unknown_pool_suggests_a_declared_one() {
    check(
        &program_with_pools(
            Some(r#"{"connections": 100}"#),
            &[r#"{"limit": {"pool": "conections", "program": [{"io": "1s"}]}}"#],
        ),
        &[at(8, 28, "classes.job.program[0].limit.pool", "unknown pool \"conections\"")
            .on("\"conections\"")
            .hint("did you mean \"connections\"?")],
    );
}

#[test]
fn a_limit_with_no_pools_declared_says_how_to_declare_one() {
    check(
        &program(&[r#"{"limit": {"pool": "db", "program": [{"io": "1s"}]}}"#]),
        &[at(7, 28, "classes.job.program[0].limit.pool", "unknown pool \"db\"")
            .on("\"db\"")
            .hint("declare it: \"pools\": {\"db\": 10}")],
    );
}

#[test]
fn a_limit_inside_a_limit_on_the_same_pool_is_a_self_deadlock() {
    let step = r#"{"limit": {"pool": "db", "program": [
          {"limit": {"pool": "db", "program": [{"io": "1s"}]}}
        ]}}"#;
    check(
        &program_with_pools(Some(r#"{"db": 2}"#), &[step]),
        &[at(
            9,
            30,
            "classes.job.program[0].limit.program[0].limit.pool",
            "limit on pool \"db\" inside a limit on the same pool",
        )
        .on("\"db\"")
        .hint("self-deadlock")],
    );
}

#[test]
fn a_self_nested_limit_is_found_through_a_timeout() {
    let step = r#"{"limit": {"pool": "db", "program": [
          {"timeout": {"after": "1s", "program": [{"limit": {"pool": "db", "program": [{"io": "1s"}]}}]}}
        ]}}"#;
    check(
        &program_with_pools(Some(r#"{"db": 2}"#), &[step]),
        &[at(
            9,
            70,
            "classes.job.program[0].limit.program[0].timeout.program[0].limit.pool",
            "inside a limit on the same pool",
        )
        .on("\"db\"")
        .hint("remove the inner limit")],
    );
}

#[test]
fn a_limit_without_a_pool_or_program() {
    check(
        &program_with_pools(
            Some(r#"{"db": 2}"#),
            &[r#"{"limit": {"program": [{"io": "1s"}]}}"#, r#"{"limit": {"pool": "db"}}"#],
        ),
        &[
            at(8, 19, "classes.job.program[0].limit", "missing field \"pool\"").on("{\"program\""),
            at(9, 19, "classes.job.program[1].limit", "missing field \"program\" (the steps that hold the permit)")
                .on("{\"pool\""),
        ],
    );
}

// ----- classes and arrivals ------------------------------------------------

#[test]
fn empty_classes_are_rejected() {
    check(
        "{\"name\": \"case\", \"classes\": {}}",
        &[at(1, 29, "classes", "expected at least one task class, found an empty object").on("{}")],
    );
}

#[test]
fn classes_with_only_comments_are_empty() {
    check(
        "{\"name\": \"case\", \"classes\": {\"_todo\": \"add a class\"}}",
        &[at(1, 29, "classes", "expected at least one task class").on("{")],
    );
}

#[test]
fn a_class_must_have_arrivals_and_a_program() {
    let text = r#"{
  "name": "case",
  "classes": {
    "a": {"arrivals": {"batch": {"count": 1}}, "programme": [{"io": "1s"}]},
    "b": [{"io": "1s"}]
  }
}"#;
    check(
        text,
        &[
            at(4, 10, "classes.a", "missing field \"program\" (a list of steps)").on("{\"arrivals\""),
            at(4, 48, "classes.a.programme", "unknown field \"programme\"")
                .on("\"programme\"")
                .hint("did you mean \"program\"?"),
            at(5, 10, "classes.b", "expected a task class: {\"arrivals\": …, \"program\": […]}, found a list").on("["),
        ],
    );
}

#[test]
fn an_empty_program_is_rejected() {
    check(
        &program(&[]),
        &[at(6, 18, "classes.job.program", "expected a non-empty list of steps, found an empty list").on("[")],
    );
}

#[test]
fn a_misspelled_arrival_kind_suggests_the_closest() {
    check(
        &arrivals(r#"{"poison": {"rate": 10, "count": 5}}"#),
        &[at(5, 20, "classes.job.arrivals.poison", "unknown arrivals \"poison\"")
            .on("\"poison\"")
            .hint("did you mean \"poisson\"?")],
    );
}

#[test]
fn a_poisson_rate_must_be_positive() {
    check(
        &arrivals(r#"{"poisson": {"rate": 0, "count": 10}}"#),
        &[at(5, 40, "classes.job.arrivals.poisson.rate", "expected a rate > 0 (arrivals per second), found 0").on("0")],
    );
    check(
        &arrivals(r#"{"poisson": {"rate": -2.5, "duration": "1min"}}"#),
        &[at(5, 40, "classes.job.arrivals.poisson.rate", "found -2.5").on("-2.5")],
    );
}

#[test]
fn unbounded_arrivals_are_rejected() {
    check(
        &arrivals(r#"{"interval": {"every": "1s"}}"#),
        &[at(5, 32, "classes.job.arrivals.interval", "unbounded arrivals")
            .on("{\"every\"")
            .hint("add \"count\": N (a number of tasks) or \"duration\": \"60s\"")],
    );
}

#[test]
fn a_closed_loop_that_never_advances_time_is_rejected() {
    let text = r#"{
  "name": "case",
  "classes": {
    "job": {
      "arrivals": {"closed": {"users": 3, "duration": "10s"}},
      "program": [{"cpu": "0"}, {"gather": [[{"io": {"uniform": {"min": "0", "max": "0"}}}]]}]
    }
  }
}"#;
    check(
        text,
        &[at(5, 19, "classes.job.arrivals", "this closed loop can never finish")
            .on("{\"closed\"")
            .hint("give \"think\" a duration > 0")],
    );
    // Bounded by a count, or with any time passing, it finishes.
    for program in [r#"[{"cpu": "0"}]"#, r#"[{"io": "1ms"}]"#] {
        let (bound, think) = if program.contains("1ms") { ("duration", "0") } else { ("count", "0") };
        let text = format!(
            r#"{{"name": "ok", "classes": {{"job": {{"arrivals": {{"closed": {{"users": 3, "think": "{think}", "{bound}": 10}}}}, "program": {program}}}}}}}"#
        )
        .replace("\"duration\": 10", "\"duration\": \"10s\"");
        assert!(parse(&text, "ok.json").is_ok(), "{text}");
    }
}

#[test]
fn arrivals_bounded_by_both_count_and_duration_are_rejected() {
    check(
        &arrivals(r#"{"poisson": {"rate": 10, "count": 100, "duration": "60s"}}"#),
        &[at(5, 58, "classes.job.arrivals.poisson.duration", "arrivals bounded twice")
            .on("\"duration\"")
            .hint("keep either \"count\" or \"duration\"")],
    );
}

#[test]
fn a_batch_has_only_a_count() {
    check(
        &arrivals(r#"{"batch": {"count": 0, "duration": "5s"}}"#),
        &[
            at(5, 39, "classes.job.arrivals.batch.count", "expected an integer ≥ 1, found 0").on("0"),
            at(5, 42, "classes.job.arrivals.batch.duration", "unknown field \"duration\"")
                .on("\"duration\"")
                .hint("expected one of: count"),
        ],
    );
}

#[test]
fn closed_loop_users_and_interval_must_be_positive() {
    check(
        &arrivals(r#"{"closed": {"users": 0, "think": 5, "count": 10}}"#),
        &[
            at(5, 40, "classes.job.arrivals.closed.users", "expected an integer ≥ 1, found 0").on("0"),
            at(5, 52, "classes.job.arrivals.closed.think", "expected a duration string such as \"250ms\", found 5")
                .on("5")
                .hint("add a unit: \"5ms\" or \"5s\""),
        ],
    );
    check(
        &arrivals(r#"{"interval": {"every": "0", "count": 3}}"#),
        &[at(5, 42, "classes.job.arrivals.interval.every", "expected a duration > 0, found \"0\"").on("\"0\"")],
    );
    check(
        &arrivals(r#"{"interval": {"every": {"sequence": ["0ms", "0s"]}, "count": 3}}"#),
        &[at(5, 42, "classes.job.arrivals.interval.every", "expected gaps that are not all zero, found an object")
            .on("{\"sequence\": [\"0ms\", \"0s\"]}")
            .hint("at least one gap must be > 0, or every arrival would happen at t = 0: use a batch")],
    );
}

#[test]
fn arrivals_with_two_kinds_are_rejected() {
    check(
        &arrivals(r#"{"batch": {"count": 1}, "interval": {"every": "1s", "count": 2}}"#),
        &[at(5, 19, "classes.job.arrivals", "arrivals has more than one kind: batch and interval")
            .on("{")
            .hint("split it")],
    );
}

// ----- steps ---------------------------------------------------------------

#[test]
fn an_unknown_step_kind_suggests_the_closest() {
    check(
        &program(&[r#"{"slep": "1s"}"#, r#"{"network": "1s"}"#]),
        &[
            at(7, 10, "classes.job.program[0].slep", "unknown step \"slep\"")
                .on("\"slep\"")
                .hint("did you mean \"sleep\"?"),
            at(8, 10, "classes.job.program[1].network", "unknown step \"network\"")
                .on("\"network\"")
                .hint("expected one of: io, cpu, sleep, blocking, gather, spawn, join, timeout, limit, to_thread, call, hedge, put, get, try, retry, repeat, choose, label, fail, bytes, link"),
        ],
    );
}

#[test]
fn a_misspelled_step_field_does_not_hide_the_steps_own_problems() {
    check(
        &program(&[r#"{"io": 5, "lable": "fetch"}"#]),
        &[
            at(7, 16, "classes.job.program[0].io", "expected a duration string such as \"250ms\", found 5")
                .on("5")
                .hint("add a unit"),
            at(7, 19, "classes.job.program[0].lable", "unknown field \"lable\"")
                .on("\"lable\"")
                .hint("did you mean \"label\"?"),
        ],
    );
}

#[test]
fn a_step_with_two_kinds_is_rejected() {
    check(
        &program(&[r#"{"io": "1s", "cpu": "1ms"}"#]),
        &[at(7, 9, "classes.job.program[0]", "step has more than one kind: io and cpu")
            .on("{")
            .hint("split it into one step per kind")],
    );
}

#[test]
fn a_step_with_no_kind_is_rejected() {
    check(
        &program(&[r#"{"label": "fetch"}"#]),
        &[at(7, 9, "classes.job.program[0]", "step has no kind")
            .on("{")
            .hint("give it exactly one of the keys io, cpu, sleep, blocking, gather, spawn, join, timeout, limit")],
    );
}

#[test]
fn a_step_must_be_an_object() {
    check(
        &program(&[r#""io 1s""#]),
        &[at(7, 9, "classes.job.program[0]", "expected step: an object with one of the keys io, cpu").on("\"io 1s\"")],
    );
}

#[test]
fn fail_applies_only_to_io_steps() {
    check(
        &program(&[r#"{"sleep": "1s", "fail": 0.5}"#]),
        &[at(7, 25, "classes.job.program[0].fail", "\"fail\" applies only to io steps, not to sleep")
            .on("\"fail\"")
            .hint("make the failing operation an io step")],
    );
}

#[test]
fn fail_is_a_probability_from_0_to_1() {
    check(
        &program(&[r#"{"io": "1s", "fail": 1.5}"#, r#"{"io": "1s", "fail": "10%"}"#]),
        &[
            at(7, 30, "classes.job.program[0].fail", "expected a probability from 0 to 1, found 1.5").on("1.5"),
            at(8, 30, "classes.job.program[1].fail", "expected a probability from 0 to 1, found \"10%\"").on("\"10%\""),
        ],
    );
}

#[test]
fn a_label_must_be_a_non_empty_string() {
    check(
        &program(&[r#"{"io": "1s", "label": 3}"#, r#"{"io": "1s", "label": ""}"#]),
        &[
            at(7, 31, "classes.job.program[0].label", "expected a non-empty string, found 3").on("3"),
            at(8, 31, "classes.job.program[1].label", "expected a non-empty string, found \"\"").on("\"\""),
        ],
    );
}

#[test]
fn a_bad_label_does_not_hide_a_bad_duration() {
    check(
        &program(&[r#"{"cpu": "5", "label": ["parse"]}"#]),
        &[
            at(7, 17, "classes.job.program[0].cpu", "expected a duration: missing unit").on("\"5\""),
            at(7, 31, "classes.job.program[0].label", "expected a non-empty string, found a list").on("["),
        ],
    );
}

#[test]
fn an_empty_gather_is_rejected() {
    check(
        &program(&[r#"{"gather": []}"#]),
        &[at(7, 20, "classes.job.program[0].gather", "expected a non-empty list of branches, found an empty list")
            .on("[]")],
    );
}

#[test]
fn every_bad_gather_branch_is_reported() {
    check(
        &program(&[r#"{"gather": [[], {"copies": 0, "program": [{"io": "1s"}]}, "io", {"copies": 2}]}"#]),
        &[
            at(7, 21, "classes.job.program[0].gather[0]", "expected a non-empty list of steps, found an empty list")
                .on("[]"),
            at(7, 36, "classes.job.program[0].gather[1].copies", "expected an integer ≥ 1, found 0").on("0"),
            at(7, 67, "classes.job.program[0].gather[2]", "expected a branch: a list of steps, or {\"copies\": N")
                .on("\"io\""),
            at(7, 73, "classes.job.program[0].gather[3]", "missing field \"program\" (the branch's steps)")
                .on("{\"copies\": 2}"),
        ],
    );
}

#[test]
fn a_timeout_needs_a_positive_budget() {
    check(
        &program(&[
            r#"{"timeout": {"program": [{"io": "1s"}]}}"#,
            r#"{"timeout": {"after": "0", "budget": "1s", "program": [{"io": "1s"}]}}"#,
        ]),
        &[
            at(7, 21, "classes.job.program[0].timeout", "missing field \"after\" (the time budget)").on("{\"program\""),
            at(8, 31, "classes.job.program[1].timeout.after", "expected a duration > 0, found \"0\"").on("\"0\""),
            at(8, 36, "classes.job.program[1].timeout.budget", "unknown field \"budget\"")
                .on("\"budget\"")
                .hint("expected one of: after, program"),
        ],
    );
}

// ----- spawn and join ------------------------------------------------------

#[test]
fn a_join_of_a_name_never_spawned_is_rejected() {
    check(
        &program(&[r#"{"join": "fetch"}"#]),
        &[at(7, 18, "classes.job.program[0].join", "join of \"fetch\", which no earlier step of this program spawns")
            .on("\"fetch\"")
            .hint("a join awaits a task spawned by an earlier step of the same program")],
    );
}

#[test]
fn a_misspelled_join_suggests_the_spawned_name() {
    check(
        &program(&[r#"{"spawn": {"name": "fetch", "program": [{"io": "1s"}]}}"#, r#"{"join": "fech"}"#]),
        &[at(8, 18, "classes.job.program[1].join", "join of \"fech\"").on("\"fech\"").hint("did you mean \"fetch\"?")],
    );
}

#[test]
fn a_join_before_its_spawn_is_rejected() {
    check(
        &program(&[r#"{"join": "a"}"#, r#"{"spawn": {"name": "a", "program": [{"io": "1s"}]}}"#]),
        &[at(7, 18, "classes.job.program[0].join", "join of \"a\", which no earlier step")
            .on("\"a\"")
            .hint("an earlier step")],
    );
}

#[test]
fn a_join_cannot_see_a_spawn_in_a_gather_branch_or_outside_a_timeout() {
    check(
        &program(&[
            r#"{"gather": [[{"spawn": {"name": "a", "program": [{"io": "1s"}]}}]]}"#,
            r#"{"join": "a"}"#,
            r#"{"spawn": {"name": "b", "program": [{"io": "1s"}]}}"#,
            r#"{"timeout": {"after": "5s", "program": [{"join": "b"}]}}"#,
        ]),
        &[
            at(8, 18, "classes.job.program[1].join", "join of \"a\", which no earlier step of this program spawns")
                .on("\"a\"")
                .hint("a join awaits a task spawned by an earlier step"),
            at(10, 58, "classes.job.program[3].timeout.program[0].join", "join of \"b\"")
                .on("\"b\"")
                .hint("an earlier step"),
        ],
    );
}

#[test]
fn a_double_join_is_rejected() {
    check(
        &program(&[r#"{"spawn": {"name": "a", "program": [{"io": "1s"}]}}"#, r#"{"join": "a"}"#, r#"{"join": "a"}"#]),
        &[at(9, 18, "classes.job.program[2].join", "\"a\" is joined twice")
            .on("\"a\"")
            .hint("spawn another under a new name")],
    );
}

#[test]
fn a_duplicate_spawn_name_is_rejected() {
    check(
        &program(&[
            r#"{"spawn": {"name": "a", "program": [{"io": "1s"}]}}"#,
            r#"{"spawn": {"name": "a", "program": [{"io": "2s"}]}}"#,
        ]),
        &[at(8, 28, "classes.job.program[1].spawn.name", "\"a\" is already spawned in this program")
            .on("\"a\"")
            .hint("give each spawn its own name")],
    );
}

#[test]
fn a_spawn_needs_a_name_and_a_program() {
    check(
        &program(&[r#"{"spawn": {"program": [{"io": "1s"}]}}"#, r#"{"spawn": {"name": "b", "program": []}}"#]),
        &[
            at(7, 19, "classes.job.program[0].spawn", "missing field \"name\" (the name a later join awaits)").on("{"),
            at(
                8,
                44,
                "classes.job.program[1].spawn.program",
                "expected a non-empty list of steps, found an empty list",
            )
            .on("[]"),
        ],
    );
}

#[test]
fn more_than_32_spawns_in_one_program_are_rejected() {
    let spawns: Vec<String> =
        (0..33).map(|i| format!(r#"{{"spawn": {{"name": "s{i}", "program": [{{"io": "1s"}}]}}}}"#)).collect();
    let steps: Vec<&str> = spawns.iter().map(String::as_str).collect();
    check(
        &program(&steps),
        &[at(39, 19, "classes.job.program[32].spawn", "more than 32 spawns in one program")
            .on("{")
            .hint("gather copies")],
    );
}

// ----- durations -----------------------------------------------------------

#[test]
fn a_negative_duration_is_rejected() {
    check(
        &program(&[r#"{"io": "-5ms"}"#]),
        &[at(7, 16, "classes.job.program[0].io", "expected a duration: durations must be ≥ 0").on("\"-5ms\"")],
    );
}

#[test]
fn a_duration_without_a_unit_is_rejected() {
    check(
        &program(&[r#"{"sleep": "250"}"#]),
        &[at(7, 19, "classes.job.program[0].sleep", "missing unit; write e.g. \"250ms\" or \"250s\"").on("\"250\"")],
    );
}

#[test]
fn a_number_given_as_a_duration_suggests_adding_a_unit() {
    check(
        &program(&[r#"{"io": 250}"#, r#"{"io": 0.5}"#]),
        &[
            at(7, 16, "classes.job.program[0].io", "expected a duration string such as \"250ms\", found 250")
                .on("250")
                .hint("add a unit: \"250ms\" or \"250s\""),
            at(8, 16, "classes.job.program[1].io", "found 0.5").on("0.5").hint("add a unit: \"0.5ms\" or \"0.5s\""),
        ],
    );
}

#[test]
fn an_unknown_unit_lists_the_units() {
    check(
        &program(&[r#"{"io": "5sec"}"#, r#"{"io": "2 days"}"#]),
        &[
            at(7, 16, "classes.job.program[0].io", "unknown unit \"sec\"; use one of ns, us, ms, s, min, h")
                .on("\"5sec\""),
            at(8, 16, "classes.job.program[1].io", "unknown unit \"days\"").on("\"2 days\""),
        ],
    );
}

#[test]
fn malformed_too_fine_and_too_long_durations_say_why() {
    check(
        &program(&[r#"{"io": "fast"}"#, r#"{"io": "1.5ns"}"#, r#"{"io": "9999999h"}"#, r#"{"io": "1e3ms"}"#]),
        &[
            at(7, 16, "classes.job.program[0].io", "\"fast\" is not a number followed by a unit")
                .on("\"fast\"")
                .hint("durations are strings with a unit"),
            at(8, 16, "classes.job.program[1].io", "\"1.5ns\" is finer than the simulator's resolution of 1 ns"),
            at(9, 16, "classes.job.program[2].io", "\"9999999h\" is too long"),
            at(10, 16, "classes.job.program[3].io", "\"1e3ms\" is not a number followed by a unit")
                .hint("durations are strings with a unit"),
        ],
    );
}

// ----- distributions -------------------------------------------------------

#[test]
fn an_unknown_distribution_suggests_the_closest() {
    check(
        &program(&[r#"{"io": {"expnential": {"mean": "1ms"}}}"#, r#"{"io": {"gaussian": {"mean": "1ms"}}}"#]),
        &[
            at(7, 17, "classes.job.program[0].io.expnential", "unknown distribution \"expnential\"")
                .on("\"expnential\"")
                .hint("did you mean \"exponential\"?"),
            at(8, 17, "classes.job.program[1].io.gaussian", "unknown distribution \"gaussian\"")
                .on("\"gaussian\"")
                .hint("expected one of: constant, uniform, exponential, normal, lognormal, pareto, empirical"),
        ],
    );
}

#[test]
fn a_distribution_of_the_wrong_type_is_rejected() {
    check(
        &program(&[r#"{"cpu": true}"#]),
        &[at(7, 17, "classes.job.program[0].cpu", "expected a duration such as \"250ms\" or a distribution such as")
            .on("true")],
    );
}

#[test]
fn uniform_max_below_min_is_rejected() {
    check(
        &program(&[r#"{"io": {"uniform": {"min": "2s", "max": "1s"}}}"#]),
        &[at(7, 49, "classes.job.program[0].io.uniform.max", "expected a maximum ≥ the minimum, found \"1s\"")
            .on("\"1s\"")],
    );
}

#[test]
fn lognormal_p99_below_the_median_is_rejected() {
    check(
        &program(&[r#"{"io": {"lognormal": {"median": "2s", "p99": "1s"}}}"#]),
        &[at(7, 54, "classes.job.program[0].io.lognormal.p99", "expected a p99 ≥ the median, found \"1s\"")
            .on("\"1s\"")],
    );
}

#[test]
fn lognormal_given_two_ways_is_rejected() {
    check(
        &program(&[r#"{"io": {"lognormal": {"median": "1ms", "p99": "9ms", "stddev": "1ms"}}}"#]),
        &[at(7, 62, "classes.job.program[0].io.lognormal.stddev", "lognormal given two ways")
            .on("\"stddev\"")
            .hint("give either median and p99, or mean and stddev")],
    );
}

#[test]
fn lognormal_needs_both_of_a_pair() {
    check(
        &program(&[r#"{"io": {"lognormal": {"median": "1ms"}}}"#, r#"{"io": {"lognormal": {"stddev": "1ms"}}}"#]),
        &[
            at(7, 30, "classes.job.program[0].io.lognormal", "missing field \"p99\"").on("{"),
            at(8, 30, "classes.job.program[1].io.lognormal", "missing field \"mean\"").on("{"),
        ],
    );
}

#[test]
fn pareto_needs_max_above_min_and_a_positive_alpha() {
    check(
        &program(&[
            r#"{"io": {"pareto": {"min": "1ms", "max": "1ms", "alpha": 1.5}}}"#,
            r#"{"io": {"pareto": {"min": "1ms", "max": "1s", "alpha": 0}}}"#,
        ]),
        &[
            at(7, 49, "classes.job.program[0].io.pareto.max", "expected a maximum > the minimum, found \"1ms\"")
                .on("\"1ms\""),
            at(8, 64, "classes.job.program[1].io.pareto.alpha", "expected a shape > 0, found 0").on("0"),
        ],
    );
}

#[test]
fn exponential_needs_a_positive_mean() {
    check(
        &program(&[r#"{"io": {"exponential": {"mean": "0"}}}"#, r#"{"io": {"exponential": "100ms"}}"#]),
        &[
            at(7, 41, "classes.job.program[0].io.exponential.mean", "expected a duration > 0, found \"0\"").on("\"0\""),
            at(8, 32, "classes.job.program[1].io.exponential", "expected {\"mean\": …}, found \"100ms\"")
                .on("\"100ms\""),
        ],
    );
}

#[test]
fn empirical_needs_a_non_empty_list_of_durations() {
    check(
        &program(&[r#"{"io": {"empirical": []}}"#, r#"{"io": {"empirical": ["1ms", 5, "2ms"]}}"#]),
        &[
            at(
                7,
                30,
                "classes.job.program[0].io.empirical",
                "expected a non-empty list of durations, found an empty list",
            )
            .on("[]"),
            at(8, 38, "classes.job.program[1].io.empirical[1]", "found 5").on("5").hint("add a unit"),
        ],
    );
}

#[test]
fn a_distribution_with_two_kinds_is_rejected() {
    check(
        &program(&[r#"{"io": {"constant": "1s", "exponential": {"mean": "1s"}}}"#]),
        &[at(7, 16, "classes.job.program[0].io", "distribution has more than one kind: constant and exponential")
            .on("{")
            .hint("split it into one distribution per kind")],
    );
}

// ----- strategies ----------------------------------------------------------

#[test]
fn a_misspelled_strategy_suggests_the_closest() {
    check(
        &strategies(&[r#""blocking""#, r#""cooperativ""#, r#"{"threded": {"workers": 8}}"#]),
        &[
            at(6, 5, "strategies[1]", "unknown strategy \"cooperativ\"")
                .on("\"cooperativ\"")
                .hint("did you mean \"cooperative\"?"),
            at(7, 6, "strategies[2].threded", "unknown strategy \"threded\"")
                .on("\"threded\"")
                .hint("did you mean \"threaded\"?"),
        ],
    );
}

#[test]
fn zero_workers_are_rejected() {
    check(
        &strategies(&[r#"{"threaded": {"workers": 0}}"#]),
        &[at(5, 30, "strategies[0].threaded.workers", "expected an integer ≥ 1, found 0").on("0")],
    );
}

#[test]
fn threaded_settings_of_the_wrong_type_are_all_reported() {
    check(
        &strategies(&[r#"{"threaded": {"gil": "yes", "switch_interval": 5, "workers": -1}}"#]),
        &[
            at(5, 26, "strategies[0].threaded.gil", "expected true or false, found \"yes\"").on("\"yes\""),
            at(5, 52, "strategies[0].threaded.switch_interval", "found 5").on("5").hint("add a unit: \"5ms\""),
            at(5, 66, "strategies[0].threaded.workers", "found -1").on("-1"),
        ],
    );
}

#[test]
fn settings_belong_to_their_strategy() {
    check(
        &strategies(&[r#"{"blocking": {"workers": 4}}"#, r#"{"cooperative": {"gil": false, "max_concurrency": 0}}"#]),
        &[
            at(5, 19, "strategies[0].blocking.workers", "unknown field \"workers\"")
                .on("\"workers\"")
                .hint("expected one of: label"),
            at(6, 22, "strategies[1].cooperative.gil", "unknown field \"gil\"")
                .on("\"gil\"")
                .hint("expected one of: label, max_concurrency"),
            at(6, 55, "strategies[1].cooperative.max_concurrency", "expected an integer ≥ 1, found 0").on("0"),
        ],
    );
}

#[test]
fn a_label_outside_the_settings_is_said_to_belong_inside() {
    // Only that: the strategy is not also reported as a second "threaded".
    check(
        &strategies(&[r#""threaded""#, r#"{"threaded": {"workers": 8}, "label": "threaded-8"}"#]),
        &[at(6, 34, "strategies[1].label", "\"label\" belongs inside the strategy's settings")
            .on("\"label\"")
            .hint("write {\"threaded\": {\"label\": \"threaded-8\", …}}")],
    );
}

#[test]
fn duplicate_strategy_labels_are_rejected() {
    check(
        &strategies(&[
            r#""threaded""#,
            r#"{"threaded": {"workers": 64}}"#,
            r#"{"cooperative": {"label": "threaded"}}"#,
        ]),
        &[
            at(6, 5, "strategies[1]", "two strategies are labelled \"threaded\"")
                .on("{")
                .hint("give each a distinct \"label\""),
            at(7, 5, "strategies[2]", "two strategies are labelled \"threaded\"")
                .on("{")
                .hint("give each a distinct \"label\""),
        ],
    );
}

#[test]
fn a_strategy_must_be_a_name_or_an_object_with_one_kind() {
    check(
        &strategies(&[r#"5"#, r#"{}"#, r#"{"blocking": {}, "cooperative": {}}"#]),
        &[
            at(5, 5, "strategies[0]", "expected a strategy: \"blocking\", \"threaded\", \"cooperative\" or an object")
                .on("5"),
            at(6, 5, "strategies[1]", "strategy has no kind")
                .on("{}")
                .hint("give it exactly one of the keys blocking, threaded, cooperative, free_threaded, processes"),
            at(7, 5, "strategies[2]", "strategy has more than one kind: blocking and cooperative")
                .on("{")
                .hint("split it"),
        ],
    );
}

#[test]
fn an_empty_strategy_list_is_rejected() {
    check(
        &top(&[r#""strategies": []"#]),
        &[at(2, 17, "strategies", "expected a non-empty list of strategies, found an empty list").on("[]")],
    );
}

// ----- many problems at once -----------------------------------------------

// ----- SLOs ------------------------------------------------------------------

/// A valid scenario (class `job`, strategies `blocking` and `coop`, the
/// latter cooperative) with `items` as its SLOs, one per line from line 6,
/// each starting at column 5.
fn slos(items: &[&str]) -> String {
    let items: Vec<String> = items.iter().map(|s| format!("    {s}")).collect();
    format!(
        "{{
  \"name\": \"case\",
  \"classes\": {{\"job\": {{\"arrivals\": {{\"batch\": {{\"count\": 1}}}}, \"program\": [{{\"io\": \"1s\"}}]}}}},
  \"strategies\": [\"blocking\", {{\"cooperative\": {{\"label\": \"coop\"}}}}],
  \"slos\": [
{}
  ]
}}
",
        items.join(",\n")
    )
}

#[test]
fn a_threshold_without_a_unit_shows_the_metrics_form() {
    check(
        &slos(&[r#""latency p99 < 500""#]),
        &[at(6, 5, "slos[0]", "in \"latency p99 < 500\": expected a duration after \"<\": missing unit")
            .on("\"latency")
            .hint("write latency STATISTIC OP DURATION, e.g. \"latency p99 < 500ms\"")],
    );
}

#[test]
fn a_misspelt_metric_suggests_the_closest_and_shows_the_grammar() {
    check(
        &slos(&[r#""latncy p99 < 500ms""#]),
        &[at(6, 5, "slos[0]", "unknown metric \"latncy\"")
            .hint("did you mean \"latency\"? A threshold reads METRIC [STATISTIC] OP VALUE")],
    );
}

#[test]
fn a_threshold_without_a_comparison_shows_the_grammar() {
    check(
        &slos(&[r#"{"threshold": "throughput 200/s"}"#]),
        &[at(6, 19, "slos[0].threshold", "in \"throughput 200/s\": no comparison: expected <, <=, > or >=")
            .on("\"throughput")
            .hint("A threshold reads METRIC [STATISTIC] OP VALUE")],
    );
}

#[test]
fn an_unknown_percentile_lists_those_kept() {
    check(
        &slos(&[r#""wait p95 <= 1s""#]),
        &[at(6, 5, "slos[0]", "unknown statistic \"p95\" for wait")
            .hint("report.json keeps mean, p50, p90, p99, p999 and max")],
    );
}

#[test]
fn scopes_name_existing_strategies_and_classes() {
    check(
        &slos(&[
            r#"{"threshold": "latency p99 < 1s", "strategy": "cooperative"}"#,
            r#"{"threshold": "latency p99 < 1s", "class": "jbo"}"#,
            r#"{"threshold": "latency p99 < 1s", "strategy": "threaded"}"#,
        ]),
        &[
            at(6, 51, "slos[0].strategy", "no strategy is labelled \"cooperative\"")
                .on("\"cooperative\"")
                .hint("the cooperative strategy is labelled \"coop\""),
            at(7, 48, "slos[1].class", "unknown class \"jbo\"").on("\"jbo\"").hint("did you mean \"job\"?"),
            at(8, 51, "slos[2].strategy", "no strategy is labelled \"threaded\"")
                .hint("the scenario's strategies are: blocking, coop"),
        ],
    );
}

#[test]
fn a_scope_must_have_the_figure() {
    check(
        &slos(&[
            r#"{"threshold": "makespan < 10s", "class": "job"}"#,
            r#"{"threshold": "loop_lag p99 < 5ms", "strategy": "blocking"}"#,
        ]),
        &[
            at(6, 46, "slos[0].class", "makespan is measured per strategy, not per task class")
                .on("\"job\"")
                .hint("remove \"class\""),
            at(7, 53, "slos[1].strategy", "loop_lag p99 is measured for cooperative strategies only, not blocking")
                .on("\"blocking\"")
                .hint("scope it to a cooperative strategy"),
        ],
    );
}

#[test]
fn an_slo_is_a_string_or_an_object_with_a_threshold() {
    check(
        &slos(&["42", r#"{"strategy": "coop"}"#, r#"{"threshold": "latency p99 < 1s", "stratgy": "coop"}"#]),
        &[
            at(6, 5, "slos[0]", "expected an SLO: a threshold such as \"latency p99 < 500ms\"").on("42"),
            at(7, 5, "slos[1]", "missing field \"threshold\"").on("{\"strategy\""),
            at(8, 39, "slos[2].stratgy", "unknown field \"stratgy\"")
                .on("\"stratgy\"")
                .hint("did you mean \"strategy\"?"),
        ],
    );
}

#[test]
fn several_problems_are_all_reported_in_file_order() {
    // Strategies come first in the file, so their problems come first,
    // though the decoder reads classes before strategies.
    let text = r#"{
  "name": "many",
  "strategies": ["blocking", {"threaded": {"workers": 0}}, "asyncio"],
  "pools": {"db": 5},
  "classes": {
    "fetch": {
      "arrivals": {"poisson": {"rate": 50}},
      "program": [
        {"limit": {"pool": "db", "program": [{"io": {"lognormal": {"median": "20ms", "p99": "15ms"}}}]}},
        {"cpu": "2", "label": "parse"},
        {"join": "render"}
      ]
    },
    "render": {"arrivals": {"batch": {"count": 1}}, "program": [{"gathr": []}]}
  },
  "seed": 1.5
}"#;
    check(
        text,
        &[
            at(3, 55, "strategies[1].threaded.workers", "found 0").on("0"),
            at(3, 60, "strategies[2]", "unknown strategy \"asyncio\"")
                .on("\"asyncio\"")
                .hint("asyncio's event loop is \"cooperative\""),
            at(7, 31, "classes.fetch.arrivals.poisson", "unbounded arrivals").on("{\"rate\"").hint("add \"count\""),
            at(9, 93, "classes.fetch.program[0].limit.program[0].io.lognormal.p99", "a p99 ≥ the median")
                .on("\"15ms\""),
            at(10, 17, "classes.fetch.program[1].cpu", "missing unit").on("\"2\""),
            at(11, 18, "classes.fetch.program[2].join", "join of \"render\"").on("\"render\"").hint("earlier step"),
            at(14, 66, "classes.render.program[0].gathr", "unknown step \"gathr\"")
                .on("\"gathr\"")
                .hint("did you mean \"gather\"?"),
            at(16, 11, "seed", "expected an integer ≥ 0, found 1.5").on("1.5"),
        ],
    );
}

#[test]
fn the_error_lists_every_problem_under_the_file_name() {
    let text = strategies(&[r#""blocking""#, r#""blocking""#, r#""threadd""#]);
    let Err(error) = parse(&text, "scenarios/mine.json") else { panic!("parsed") };
    let expected = "scenarios/mine.json is not a valid scenario (2 problems):
  scenarios/mine.json:6:5: strategies[1]: two strategies are labelled \"blocking\"
    hint: give each a distinct \"label\", e.g. {\"threaded\": {\"workers\": 8, \"label\": \"threaded-8\"}}
  scenarios/mine.json:7:5: strategies[2]: unknown strategy \"threadd\"
    hint: did you mean \"threaded\"?";
    assert_eq!(error.to_string(), expected);
}

// ----- through the binary --------------------------------------------------

/// Writes `bytes` to `bad.json` in a fresh temp dir, runs `simbench run` on
/// it with `--out` inside the same dir, and checks the failure a user sees:
/// exit status 2, nothing on stdout, nothing written. Returns stderr and the
/// file's path as the binary names it.
fn run_bad_file(test: &str, bytes: &[u8]) -> (String, String) {
    let dir = tempdir(test);
    let file = dir.path().join("bad.json");
    std::fs::write(&file, bytes).unwrap();
    let out = dir.path().join("reports");
    let output =
        crate::common::command().arg("run").arg(&file).arg("--out").arg(&out).output().expect("the binary runs");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "exit status; stderr:\n{stderr}");
    assert!(output.stdout.is_empty(), "stdout: {}", String::from_utf8_lossy(&output.stdout));
    assert!(!out.exists(), "no report directory is created");
    let entries: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(entries, ["bad.json"], "nothing but the scenario in the temp dir");
    (stderr, file.display().to_string())
}

#[test]
fn binary_reports_a_syntax_error_with_file_line_column() {
    let text = "{\n  \"name\": \"case\",\n  \"strategies\": [\"blocking\", \"threaded\",],\n  \"classes\": {}\n}\n";
    let (stderr, file) = run_bad_file("errors-syntax", text.as_bytes());
    let expected = format!(
        "error: {file} is not a valid scenario (1 problem):\n  {file}:3:41: invalid JSON: trailing comma\n    hint: remove the comma after the last item\n"
    );
    assert_eq!(stderr, expected);
}

#[test]
fn binary_reports_every_problem_with_its_field_path() {
    let text = strategies(&[r#"{"threaded": {"workers": 0}}"#, r#""cooperativ""#]);
    let (stderr, file) = run_bad_file("errors-paths", text.as_bytes());
    assert!(stderr.starts_with(&format!("error: {file} is not a valid scenario (2 problems):\n")), "{stderr}");
    assert!(
        stderr.contains(&format!("\n  {file}:5:30: strategies[0].threaded.workers: expected an integer ≥ 1, found 0")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "\n  {file}:6:5: strategies[1]: unknown strategy \"cooperativ\"\n    hint: did you mean \"cooperative\"?\n"
        )),
        "{stderr}"
    );
}

#[test]
fn binary_reports_a_self_deadlock_before_running() {
    let step = r#"{"limit": {"pool": "db", "program": [{"limit": {"pool": "db", "program": [{"io": "1s"}]}}]}}"#;
    let text = program_with_pools(Some(r#"{"db": 1}"#), &[step]);
    let (stderr, file) = run_bad_file("errors-deadlock", text.as_bytes());
    assert!(
        stderr.contains(&format!(
            "{file}:8:65: classes.job.program[0].limit.program[0].limit.pool: limit on pool \"db\" inside a limit on the same pool"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("hint: a task would wait for a permit it holds itself"), "{stderr}");
}

#[test]
fn binary_rejects_a_file_that_is_not_utf8() {
    let (stderr, file) = run_bad_file("errors-utf8", b"{\"name\": \"caf\xe9\"}");
    assert!(
        stderr.contains(&format!("{file}:1:1: the file is not UTF-8 text (invalid byte at offset 13)")),
        "{stderr}"
    );
    assert!(stderr.contains("hint: save the scenario as UTF-8 JSON"), "{stderr}");
}

// ----- runtime profiles ----------------------------------------------------

#[test]
fn an_unknown_runtime_profile_suggests_the_closest() {
    check(
        &top(&[r#""runtime": "cpyton""#]),
        &[at(2, 14, "runtime", "unknown runtime profile \"cpyton\"")
            .on("\"cpyton\"")
            .hint("did you mean \"cpython\"?")],
    );
}

#[test]
fn a_runtime_of_the_wrong_type_says_what_it_takes() {
    check(&top(&[r#""runtime": 5"#]), &[at(2, 14, "runtime", "expected a runtime profile").on("5")]);
}

#[test]
fn runtime_overrides_are_checked_by_name_and_unit() {
    check(
        &top(&[
            r#""runtime": {"profile": "cpython", "task_creat": "7us", "loop_step": 5, "memory_per_thread": "lots"}"#,
        ]),
        &[
            at(2, 37, "runtime.task_creat", "unknown field \"task_creat\"")
                .on("\"task_creat\"")
                .hint("did you mean \"task_create\"?"),
            at(2, 71, "runtime.loop_step", "expected a duration string").on("5").hint("add a unit"),
            at(2, 95, "runtime.memory_per_thread", "expected a size in bytes").on("\"lots\"").hint("16.5KiB"),
        ],
    );
}

#[test]
fn a_missing_profile_file_is_reported_at_the_runtime_field() {
    check(
        &top(&[r#""runtime": {"profile": "no/such-profile.json"}"#]),
        &[at(2, 26, "runtime.profile", "cannot read the runtime profile").on("\"no/such").hint("simbench calibrate")],
    );
}

#[test]
fn a_profile_file_reports_its_own_positions() {
    let text = "{\n  \"format\": \"simbench.runtime/v0\",\n  \"constants\": {\"task_create\": \"1us\"}\n}\n";
    let Err(ScenarioError::Invalid { file, problems }) = simbench::scenario::parse_profile(text, "p.json") else {
        panic!("the profile parsed")
    };
    assert_eq!(file, "p.json");
    assert_eq!((problems[0].line, problems[0].column, problems[0].path.as_str()), (2, 13, "format"));
    assert!(problems[0].message.contains("\"simbench.runtime/v1\""), "{}", problems[0]);
    let text = "{\"format\": \"simbench.runtime/v1\",\n \"constants\": {\"task_create\": \"1us\"}}";
    let Err(ScenarioError::Invalid { problems, .. }) = simbench::scenario::parse_profile(text, "p.json") else {
        panic!("the profile parsed")
    };
    // Every constant but task_create and the optional ones (R-RUNTIME-SLACK's growth).
    let required = simbench::scenario::runtime::CONSTANTS.iter().filter(|c| !c.optional).count();
    assert_eq!(problems.len(), required - 1, "every missing constant: {problems:?}");
    assert!(problems.iter().all(|p| p.path == "constants" && p.message.starts_with("missing field")));
}

#[test]
fn to_thread_takes_only_synchronous_steps() {
    check(
        &program(&[r#"{"to_thread": [{"io": "1s"}, {"gather": [[{"io": "1s"}]]}]}"#, r#"{"to_thread": "1s"}"#]),
        &[
            at(7, 38, "classes.job.program[0].to_thread[1]", "only io, cpu, sleep and blocking steps")
                .on("{\"gather\"")
                .hint("move gathers"),
            at(8, 23, "classes.job.program[1].to_thread", "expected a non-empty list of steps").on("\"1s\""),
        ],
    );
}

#[test]
fn processes_need_workers_a_plain_strategy_and_round_robin() {
    check(
        &strategies(&[
            r#""processes""#,
            r#"{"processes": {"strategy": {"processes": {"workers": 2, "strategy": "blocking"}}, "dispatch": "least_loaded"}}"#,
        ]),
        &[
            at(5, 5, "strategies[0]", "processes needs its settings").on("\"processes\"").hint("\"workers\": 2"),
            at(6, 19, "strategies[1].processes", "missing field \"workers\"").on("{\"strategy\""),
            at(6, 32, "strategies[1].processes.strategy", "a process cannot run processes")
                .on("{\"processes\"")
                .hint("blocking, threaded or cooperative"),
            at(6, 99, "strategies[1].processes.dispatch", "expected \"round_robin\"")
                .on("\"least_loaded\"")
                .hint("least_loaded is not modelled"),
        ],
    );
}

// ----- links -----------------------------------------------------------------

/// As [`program`], with `"links": links` on line 2, so steps start on line 8.
fn program_with_links(links: Option<&str>, steps: &[&str]) -> String {
    program_with_top("links", links, steps)
}

/// As [`program`], with `"field": value` on line 2, so steps start on line 8.
fn program_with_top(field: &str, value: Option<&str>, steps: &[&str]) -> String {
    let top = value.map(|v| format!("{{\n  \"{field}\": {v},")).unwrap_or("{".into());
    program_with_pools(None, steps).replacen('{', &top, 1)
}

#[test]
fn an_unknown_link_suggests_a_declared_one() {
    check(
        &program_with_links(
            Some(r#"{"uplink": {"bandwidth": "100Mbit/s"}}"#),
            &[r#"{"io": "50ms", "bytes": "1MB", "link": "uplnk"}"#],
        ),
        &[at(8, 48, "classes.job.program[0].link", "unknown link \"uplnk\"")
            .on("\"uplnk\"")
            .hint("did you mean \"uplink\"?")],
    );
}

#[test]
fn bytes_without_any_link_says_how_to_declare_one() {
    check(
        &program_with_links(None, &[r#"{"io": "50ms", "bytes": "1MB"}"#]),
        &[at(7, 24, "classes.job.program[0].bytes", "\"bytes\" needs a link, and none is declared")
            .on("\"bytes\"")
            .hint("\"links\": {\"uplink\"")],
    );
}

#[test]
fn bytes_with_several_links_and_no_link_asks_which() {
    check(
        &program_with_links(
            Some(r#"{"a": {"bandwidth": "1Mbit/s"}, "b": {"bandwidth": "2Mbit/s"}}"#),
            &[r#"{"io": "50ms", "bytes": "1MB"}"#],
        ),
        &[at(8, 24, "classes.job.program[0].bytes", "\"bytes\" needs \"link\": the scenario declares 2 links")
            .on("\"bytes\"")
            .hint("name one of a, b")],
    );
}

#[test]
fn a_bandwidth_must_be_positive_with_a_unit() {
    let with = |bandwidth: &str| {
        program_with_links(Some(&format!(r#"{{"up": {{"bandwidth": {bandwidth}}}}}"#)), &[r#"{"io": "1s"}"#])
    };
    check(
        &with(r#""0Mbit/s""#),
        &[at(2, 33, "links.up.bandwidth", "expected a bandwidth of at least 1bit/s, found \"0Mbit/s\"")
            .on("\"0Mbit/s\"")
            .hint("\"100Mbit/s\"")],
    );
    check(
        &with(r#""-5Mbit/s""#),
        &[at(2, 33, "links.up.bandwidth", "expected a bandwidth such as \"100Mbit/s\", found \"-5Mbit/s\"")
            .on("\"-5Mbit/s\"")
            .hint("\"12.5MB/s\"")],
    );
    check(
        &with("100"),
        &[at(2, 33, "links.up.bandwidth", "expected a bandwidth such as \"100Mbit/s\", found 100")
            .on("100")
            .hint("\"1Gbit/s\"")],
    );
}

#[test]
fn a_link_needs_a_bandwidth_and_nothing_else() {
    check(
        &program_with_links(Some(r#"{"up": {"bandwith": "1Mbit/s"}}"#), &[r#"{"io": "1s"}"#]),
        &[
            at(2, 19, "links.up", "missing field \"bandwidth\"").on("{"),
            at(2, 20, "links.up.bandwith", "unknown field \"bandwith\"")
                .on("\"bandwith\"")
                .hint("did you mean \"bandwidth\"?"),
        ],
    );
}

#[test]
fn bytes_and_link_apply_only_to_io_and_bytes_needs_a_size() {
    let links = Some(r#"{"up": {"bandwidth": "1Mbit/s"}}"#);
    check(
        &program_with_links(links, &[r#"{"cpu": "1s", "bytes": "1MB"}"#]),
        &[at(8, 23, "classes.job.program[0].bytes", "\"bytes\" applies only to io and call steps, not to cpu")
            .on("\"bytes\"")
            .hint("move the payload onto an io step")],
    );
    check(
        &program_with_links(links, &[r#"{"io": "1s", "bytes": "lots"}"#]),
        &[at(
            8,
            31,
            "classes.job.program[0].bytes",
            "expected a payload size of at least 1 byte, such as \"1MB\", found \"lots\"",
        )
        .on("\"lots\"")
        .hint("\"10KB\"")],
    );
    check(
        &program_with_links(links, &[r#"{"io": "1s", "link": "up"}"#]),
        &[at(8, 22, "classes.job.program[0].link", "\"link\" without \"bytes\" moves nothing")
            .on("\"link\"")
            .hint("\"bytes\": \"1MB\"")],
    );
}

// ----- services and calls -----------------------------------------------------

const INVENTORY: &str = r#"{"inventory": {"concurrency": 8, "service": "20ms"}}"#;

#[test]
fn an_unknown_service_suggests_a_declared_one() {
    check(
        &program_with_top("services", Some(INVENTORY), &[r#"{"call": "inventroy"}"#]),
        &[at(8, 18, "classes.job.program[0].call", "unknown service \"inventroy\"")
            .on("\"inventroy\"")
            .hint("did you mean \"inventory\"?")],
    );
    check(
        &program_with_top("services", None, &[r#"{"call": {"service": "db"}}"#]),
        &[at(7, 30, "classes.job.program[0].call.service", "unknown service \"db\"")
            .on("\"db\"")
            .hint("\"services\": {\"db\"")],
    );
}

#[test]
fn retry_settings_are_checked() {
    let with = |retry: &str| {
        program_with_top(
            "services",
            Some(INVENTORY),
            &[&format!(r#"{{"call": {{"service": "inventory", "retry": {retry}}}}}"#)],
        )
    };
    check(
        &with(r#"{"attempts": 0}"#),
        &[at(8, 65, "classes.job.program[0].call.retry.attempts", "expected at least 1 attempt, found 0")
            .on("0")
            .hint("1 means no retry")],
    );
    check(
        &with(r#"{"attempts": 3, "budget": 1.5}"#),
        &[at(8, 78, "classes.job.program[0].call.retry.budget", "expected a retry budget from 0 to 1").on("1.5")],
    );
    check(
        &with(r#"{"attempts": 3, "jitter": "ful"}"#),
        &[at(8, 78, "classes.job.program[0].call.retry.jitter", "expected \"none\", \"full\" or \"equal\"")
            .on("\"ful\"")
            .hint("did you mean \"full\"?")],
    );
    check(
        &with(r#"{"attempts": 3, "multiplier": 0.5}"#),
        &[at(8, 82, "classes.job.program[0].call.retry.multiplier", "expected a multiplier ≥ 1").on("0.5")],
    );
}

#[test]
fn service_settings_are_checked() {
    check(
        &program_with_top(
            "services",
            Some(r#"{"db": {"concurrency": 0, "service": "5ms", "rate_limit": {"rate": 0}}}"#),
            &[r#"{"call": "db"}"#],
        ),
        &[
            at(2, 38, "services.db.concurrency", "expected an integer ≥ 1").on("0"),
            at(2, 82, "services.db.rate_limit.rate", "expected a rate > 0").on("0"),
        ],
    );
    check(
        &program_with_top(
            "services",
            Some(r#"{"db": {"service": "5ms", "slowdown": [{"from": "2s", "until": "1s", "factor": 2}]}}"#),
            &[r#"{"call": "db"}"#],
        ),
        &[at(2, 54, "services.db.slowdown[0]", "is empty or overlaps the one before").on("{").hint("in time order")],
    );
}

#[test]
fn processes_cannot_share_links_or_services() {
    let processes = r#"{"processes": {"workers": 2, "strategy": "cooperative"}}"#;
    let text = strategies(&[r#""cooperative""#, processes]).replacen(
        '{',
        "{\n  \"links\": {\"up\": {\"bandwidth\": \"1Mbit/s\"}},",
        1,
    );
    check(
        &text,
        &[at(7, 5, "strategies[1]", "processes cannot share the scenario's links and services")
            .on("{\"processes\"")
            .hint("without \"links\"")],
    );
}

// ----- gather until, hedge, detached spawns ----------------------------------

#[test]
fn gather_until_suggests_the_closest_value() {
    check(
        &program(&[r#"{"gather": [[{"io": "1s"}]], "until": "frist", "rest": "cancle"}"#]),
        &[
            at(7, 47, "classes.job.program[0].until", "expected \"all\", \"first\" or {\"count\": k}, found \"frist\"")
                .on("\"frist\"")
                .hint("did you mean \"first\"?"),
            at(7, 64, "classes.job.program[0].rest", "expected \"cancel\" or \"continue\", found \"cancle\"")
                .on("\"cancle\"")
                .hint("did you mean \"cancel\"?"),
        ],
    );
}

#[test]
fn gather_until_count_is_at_most_the_branches() {
    check(
        &program(&[r#"{"gather": [[{"io": "1s"}], [{"io": "2s"}]], "until": {"count": 3}}"#]),
        &[at(7, 73, "classes.job.program[0].until.count", "expected an integer ≤ 2, found 3").on("3")],
    );
}

#[test]
fn until_and_after_apply_only_to_their_kinds() {
    check(
        &program(&[r#"{"io": "1s", "until": "first"}"#, r#"{"gather": [[{"io": "1s"}]], "after": "1s"}"#]),
        &[
            at(7, 22, "classes.job.program[0].until", "\"until\" applies only to gather steps, not to io")
                .on("\"until\"")
                .hint("put \"until\" beside \"gather\", or remove it"),
            at(8, 38, "classes.job.program[1].after", "\"after\" applies only to hedge steps, not to gather")
                .on("\"after\"")
                .hint("put \"after\" beside \"hedge\", or remove it"),
        ],
    );
}

#[test]
fn hedge_needs_after_and_a_copy_count() {
    check(
        &program(&[r#"{"hedge": [{"io": "1s"}]}"#, r#"{"hedge": [{"io": "1s"}], "after": "50ms", "copies": 0}"#]),
        &[
            at(7, 9, "classes.job.program[0]", "missing field \"after\"").on("{\"hedge\""),
            at(8, 62, "classes.job.program[1].copies", "expected an integer ≥ 1, found 0").on("0"),
        ],
    );
}

#[test]
fn detached_is_true_or_false() {
    check(
        &program(&[r#"{"spawn": {"name": "a", "detached": "yes", "program": [{"io": "1s"}]}}"#]),
        &[at(7, 45, "classes.job.program[0].spawn.detached", "expected true or false, found \"yes\"").on("\"yes\"")],
    );
}

// ----- work queues (R-QUEUE-*) --------------------------------------------

/// A scenario with queues `jobs` (line 3) and `done`, the classes one per
/// line from line 5 (each at column 5), and `strategies` on the last line.
fn queues(classes: &[&str], strategies: &str) -> String {
    let classes: Vec<String> = classes.iter().map(|c| format!("    {c}")).collect();
    format!(
        "{{
  \"name\": \"case\",
  \"queues\": {{\"jobs\": {{\"capacity\": 10}}, \"done\": {{}}}},
  \"classes\": {{
{}
  }},
  \"strategies\": {strategies}
}}
",
        classes.join(",\n")
    )
}

const PRODUCER: &str = r#""p": {"arrivals": {"batch": {"count": 1}}, "program": [{"put": "jobs"}]}"#;

#[test]
fn a_put_of_an_undeclared_queue_suggests_the_closest() {
    let text =
        queues(&[r#""p": {"arrivals": {"batch": {"count": 1}}, "program": [{"put": "job"}]}"#], r#"["cooperative"]"#);
    check(
        &text,
        &[at(5, 68, "classes.p.program[0].put", "unknown queue \"job\"").on("\"job\"").hint("did you mean \"jobs\"?")],
    );
}

#[test]
fn a_zero_capacity_is_rejected() {
    let text = "{\"name\": \"case\", \"queues\": {\"q\": {\"capacity\": 0}},\n  \"classes\": {\"job\": {\"arrivals\": {\"batch\": {\"count\": 1}}, \"program\": [{\"put\": \"q\"}]}}}\n";
    check(text, &[at(1, 47, "queues.q.capacity", "expected").on("0")]);
}

#[test]
fn a_worker_class_needs_a_top_level_get() {
    let text =
        queues(&[PRODUCER, r#""w": {"arrivals": {"workers": 2}, "program": [{"io": "1s"}]}"#], r#"["cooperative"]"#);
    check(&text, &[at(6, 50, "classes.w.program", "no top-level get").on("[").hint("put the get at the top level")]);
}

#[test]
fn workers_under_blocking_are_rejected_naming_threaded() {
    let text = queues(
        &[PRODUCER, r#""w": {"arrivals": {"workers": 1}, "program": [{"get": "jobs"}]}"#],
        r#"["blocking", "cooperative"]"#,
    );
    check(
        &text,
        &[at(8, 17, "strategies", "cannot run the queue workers of class \"w\"").on("[").hint("\"threaded\"")],
    );
}

#[test]
fn a_cycle_of_queues_through_workers_is_rejected() {
    let text = queues(
        &[
            PRODUCER,
            r#""a": {"arrivals": {"workers": 1}, "program": [{"get": "jobs"}, {"put": "done"}]}"#,
            r#""b": {"arrivals": {"workers": 1}, "program": [{"get": "done"}, {"put": "jobs"}]}"#,
        ],
        r#"["cooperative"]"#,
    );
    check(
        &text,
        &[at(4, 14, "classes", "a cycle of queues through worker classes: \"jobs\" → \"done\" → \"jobs\"")
            .on("{")
            .hint("break the cycle")],
    );
}

#[test]
fn processes_cannot_share_queues() {
    let text = queues(&[PRODUCER], r#"[{"processes": {"workers": 2, "strategy": "cooperative"}}]"#);
    check(
        &text,
        &[at(7, 18, "strategies[0]", "processes cannot share the scenario's queues").on("{").hint("\"threaded\"")],
    );
}

// ----- try, retry, on_expiry -------------------------------------------------

#[test]
fn an_outcome_name_suggests_the_closest() {
    check(
        &program(&[
            r#"{"try": [{"io": "1s"}], "on": ["timed_out"]}"#,
            r#"{"try": [{"io": "1s"}], "on": ["fail", "failed"]}"#,
        ]),
        &[
            at(7, 40, "classes.job.program[0].on[0]", "expected an outcome")
                .on("\"timed_out\"")
                .hint("did you mean \"timeout\"?"),
            at(8, 40, "classes.job.program[1].on[0]", "expected an outcome")
                .on("\"fail\"")
                .hint("did you mean \"failed\"?"),
        ],
    );
}

#[test]
fn a_misspelt_or_misplaced_option_is_named() {
    check(
        &program(&[
            r#"{"try": [{"io": "1s"}], "excpet": [{"io": "1s"}]}"#,
            r#"{"io": "1s", "on": ["failed"]}"#,
            r#"{"retry": [{"io": "1s"}]}"#,
        ]),
        &[
            at(7, 33, "classes.job.program[0].excpet", "unknown field \"excpet\"").hint("did you mean \"except\"?"),
            at(8, 22, "classes.job.program[1].on", "\"on\" applies only to try and retry steps, not to io")
                .hint("put \"on\" beside \"try\""),
            at(9, 9, "classes.job.program[2]", "missing field \"attempts\""),
        ],
    );
}

#[test]
fn on_expiry_and_a_retry_jitter_suggest_the_closest() {
    check(
        &program(&[
            r#"{"timeout": {"after": "1s", "program": [{"io": "1s"}], "on_expiry": "abortt"}}"#,
            r#"{"retry": [{"io": "1s"}], "attempts": 2, "jitter": "ful"}"#,
        ]),
        &[
            at(7, 77, "classes.job.program[0].timeout.on_expiry", "expected \"abandon\"")
                .on("\"abortt\"")
                .hint("did you mean \"abort\"?"),
            at(8, 60, "classes.job.program[1].jitter", "expected \"none\"")
                .on("\"ful\"")
                .hint("did you mean \"full\"?"),
        ],
    );
}

#[test]
fn a_gather_mode_suggests_the_closest() {
    check(
        &program(&[r#"{"gather": [[{"io": "1s"}]], "mode": "return_exception"}"#]),
        &[at(7, 46, "classes.job.program[0].mode", "expected \"task_group\"")
            .on("\"return_exception\"")
            .hint("did you mean \"return_exceptions\"?")],
    );
}

#[test]
fn a_gather_with_until_takes_no_mode() {
    check(
        &program(&[r#"{"gather": [[{"io": "1s"}], [{"io": "2s"}]], "until": "first", "mode": "gather"}"#]),
        &[at(7, 72, "classes.job.program[0].mode", "a gather with \"until\" takes no \"mode\"")
            .on("\"mode\"")
            .hint("remove \"mode\"")],
    );
}

// ----- loops, branches, sequences (R-REPEAT, R-CHOOSE, R-SEQUENCE) ----------

#[test]
fn a_python_name_for_a_step_suggests_its_kind() {
    check(
        &program(&[
            r#"{"semaphore": {"pool": "db", "program": [{"io": "1s"}]}}"#,
            r#"{"for": [{"io": "1s"}], "times": 3}"#,
        ]),
        &[
            at(7, 10, "classes.job.program[0].semaphore", "unknown step \"semaphore\"")
                .on("\"semaphore\"")
                .hint("did you mean \"limit\"?"),
            at(8, 10, "classes.job.program[1].for", "unknown step \"for\"")
                .on("\"for\"")
                .hint("did you mean \"repeat\"?"),
        ],
    );
}

#[test]
fn a_repeat_needs_a_count() {
    check(
        &program(&[
            r#"{"repeat": [{"io": "1s"}]}"#,
            r#"{"repeat": [{"io": "1s"}], "times": -1}"#,
            r#"{"repeat": [{"io": "1s"}], "times": {"geometric": {"mean": 0.5}}}"#,
            r#"{"repeat": [{"io": "1s"}], "times": {"uniform": {"min": 3, "max": 2}}}"#,
            r#"{"io": "1s", "times": 3}"#,
        ]),
        &[
            at(7, 9, "classes.job.program[0]", "missing field \"times\""),
            at(8, 45, "classes.job.program[1].times", "an integer ≥ 0").on("-1"),
            at(9, 68, "classes.job.program[2].times.geometric.mean", "a mean count ≥ 1").on("0.5"),
            at(10, 75, "classes.job.program[3].times.uniform.max", "a maximum ≥ the minimum").on("2"),
            at(11, 22, "classes.job.program[4].times", "\"times\" applies only to repeat steps, not to io")
                .on("\"times\"")
                .hint("put \"times\" beside \"repeat\""),
        ],
    );
}

#[test]
fn a_choose_takes_weighted_branches() {
    check(
        &program(&[
            r#"{"choose": [{"weight": 0, "program": []}]}"#,
            r#"{"choose": [{"weight": 1}]}"#,
            r#"{"choose": []}"#,
        ]),
        &[
            at(7, 32, "classes.job.program[0].choose[0].weight", "a weight: a number > 0").on("0"),
            at(8, 21, "classes.job.program[1].choose[0]", "missing field \"program\""),
            at(9, 20, "classes.job.program[2].choose", "a non-empty list of branches").on("[]"),
        ],
    );
}

#[test]
fn a_sequence_is_a_steps_only_and_fail_sequences_are_probabilities() {
    check(
        &arrivals(r#"{"closed": {"users": 2, "think": {"sequence": ["1s", "2s"]}, "duration": "10s"}}"#),
        &[at(5, 53, "classes.job.arrivals.closed.think.sequence", "a sequence applies only to a step's duration")
            .on("\"sequence\"")
            .hint("{\"empirical\": […]}")],
    );
    check(
        &program(&[r#"{"io": "1s", "fail": {"sequence": [0, 2]}}"#]),
        &[at(7, 47, "classes.job.program[0].fail.sequence[1]", "a probability from 0 to 1").on("2")],
    );
}

// ----- threads (R-THREADS-SUBMIT) --------------------------------------------

#[test]
fn threads_suggests_the_closest_value() {
    check(
        &program(&[r#"{"gather": [[{"io": "1s"}]], "threads": "pol"}"#]),
        &[at(7, 49, "classes.job.program[0].threads", "expected \"inline\", \"pool\" or \"new\", found \"pol\"")
            .on("\"pol\"")
            .hint("did you mean \"pool\"?")],
    );
}

#[test]
fn threads_applies_to_gather_hedge_and_spawn_only() {
    check(
        &program(&[r#"{"io": "1s", "threads": "pool"}"#]),
        &[at(
            7,
            22,
            "classes.job.program[0].threads",
            "\"threads\" applies only to gather, hedge and spawn steps, not to io",
        )
        .on("\"threads\"")
        .hint("put \"threads\" beside \"gather\", or remove it")],
    );
}

#[test]
fn threads_inside_a_spawn_goes_beside_it() {
    check(
        &program(&[r#"{"spawn": {"name": "a", "program": [{"io": "1s"}], "threads": "pool"}}"#]),
        &[at(7, 60, "classes.job.program[0].spawn.threads", "\"threads\" is an option of the step")
            .on("\"threads\"")
            .hint("write it beside \"spawn\": {\"spawn\": {…}, \"threads\": \"pool\"}")],
    );
}

#[test]
fn hedge_with_per_copy_programs_takes_no_copies_and_only_lists() {
    check(
        &program(&[
            r#"{"hedge": [[{"io": "1s"}], [{"io": "2s"}]], "after": "50ms", "copies": 3}"#,
            r#"{"hedge": [[{"io": "1s"}], {"io": "2s"}], "after": "50ms"}"#,
        ]),
        &[
            at(
                7,
                70,
                "classes.job.program[0].copies",
                "\"copies\" with a list of programs: the copies are the programs listed",
            )
            .hint("remove \"copies\", or give one program for every copy to run"),
            at(
                8,
                36,
                "classes.job.program[1].hedge[1]",
                "expected a list of steps (one copy's program), as the other items are, found an object",
            )
            .hint("write every copy's program as a list: [[copy 0's steps], [copy 1's steps]]"),
        ],
    );
}
