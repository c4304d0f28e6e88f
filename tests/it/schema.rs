//! The JSON Schema (`simbench schema`, src/scenario/decode/schema.rs)
//! against the decoder, with standard validators (the `boon` crate, which
//! passes the JSON Schema test suite, and Python's `jsonschema` through
//! scripts/validate-schema.py):
//!
//! - every document the decoder accepts is valid: every file of scenarios/,
//!   validation/, benches/ and proposed-scenarios/, every fuzz-corpus seed
//!   it accepts, every example of docs/scenario.md;
//! - structural mistakes it rejects are invalid: a sample of hand-written
//!   ones, and mutations of the accepted documents (a field added, removed,
//!   set to null or to a value of another JSON type) whose problems are
//!   structural (an unknown or missing field, a wrong type, a word outside
//!   its list), while a mutation the decoder accepts stays valid;
//! - a `"$schema"` field is read and ignored.

use crate::common::{self, root};
use crate::scenario_parse::{doc_blocks, doc_scenario};
use serde_json::{Value, json};
use simbench::scenario::{ScenarioError, parse, parse_at, parse_profile, profile_schema, scenario_schema};
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Scenario,
    Profile,
}

/// A document the decoder accepts.
struct Sample {
    name: String,
    kind: Kind,
    doc: Value,
    /// The directory a profile file it names is read from.
    dir: PathBuf,
}

/// The decoder's verdict on `text`: its problems' messages if it rejects it.
fn decode(kind: Kind, text: &str, dir: &Path) -> Result<(), Vec<String>> {
    let result = match kind {
        Kind::Scenario => parse_at(text, "sample.json", dir).map(drop),
        Kind::Profile => parse_profile(text, "sample.json").map(drop),
    };
    result.map_err(|e| match e {
        ScenarioError::Invalid { problems, .. } => problems.into_iter().map(|p| p.message).collect(),
        other => vec![other.to_string()],
    })
}

/// A problem the schema must see too: the document's shape, not a value
/// only the decoder can judge (a declared name, a bound between fields
/// such as `until.count` ≤ the gather's copies).
fn structural(message: &str) -> bool {
    if message.starts_with("expected an integer ≤") {
        return false;
    }
    const STARTS: [&str; 11] = [
        "expected ",
        "missing field",
        "unknown field",
        "unknown step",
        "unknown strategy",
        "unknown distribution",
        "unknown arrivals",
        "unknown count",
        "unbounded arrivals",
        "arrivals bounded twice",
        "lognormal given two ways",
    ];
    const CONTAINS: [&str; 6] = [
        "has no kind",
        "more than one kind",
        "applies only to",
        "only io, cpu, sleep and blocking steps",
        "processes needs its settings",
        "belongs inside the strategy's settings",
    ];
    STARTS.iter().any(|s| message.starts_with(s)) || CONTAINS.iter().any(|s| message.contains(s))
}

/// A schema compiled by a standard validator (which first checks it
/// against the draft's meta-schema).
struct Validator {
    schemas: boon::Schemas,
    index: boon::SchemaIndex,
}

impl Validator {
    fn new(schema: Value) -> Result<Validator, String> {
        let mut compiler = boon::Compiler::new();
        compiler.set_default_draft(boon::Draft::V2020_12);
        let location = "urn:simbench:schema";
        compiler.add_resource(location, schema).map_err(|e| format!("{e:#}"))?;
        let mut schemas = boon::Schemas::new();
        let index = compiler.compile(location, &mut schemas).map_err(|e| format!("{e:#}"))?;
        Ok(Validator { schemas, index })
    }

    fn is_valid(&self, doc: &Value) -> bool {
        self.schemas.validate(doc, self.index).is_ok()
    }

    /// Why `doc` is invalid, for a message.
    fn errors(&self, doc: &Value) -> String {
        match self.schemas.validate(doc, self.index) {
            Ok(()) => "valid".into(),
            Err(e) => format!("{e:#}").chars().take(2000).collect(),
        }
    }
}

fn validator(kind: Kind) -> Validator {
    let schema = match kind {
        Kind::Scenario => scenario_schema(),
        Kind::Profile => profile_schema(),
    };
    Validator::new(schema).unwrap_or_else(|e| panic!("the schema does not compile: {e}"))
}

/// The repository's scenario files: every JSON file of these directories.
fn repository_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in
        ["scenarios", "validation", "benches/peers", "benches/scale", "proposed-scenarios", "fuzz/corpus/scenario"]
    {
        for entry in std::fs::read_dir(root().join(dir)).unwrap_or_else(|e| panic!("{dir}: {e}")) {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Every document of the repository and of docs/scenario.md the decoder
/// accepts, and the names of the files it rejects.
fn samples() -> (Vec<Sample>, Vec<String>) {
    let (mut accepted, mut rejected) = (Vec::new(), Vec::new());
    for file in repository_files() {
        let name = file.strip_prefix(root()).unwrap().display().to_string();
        let Ok(text) = std::fs::read_to_string(&file) else {
            rejected.push(name);
            continue;
        };
        let dir = file.parent().unwrap().to_path_buf();
        match decode(Kind::Scenario, &text, &dir) {
            Ok(()) => {
                accepted.push(Sample { name, kind: Kind::Scenario, doc: serde_json::from_str(&text).unwrap(), dir })
            }
            Err(_) => rejected.push(name),
        }
    }
    for (i, (info, body)) in doc_blocks().iter().enumerate() {
        let name = format!("docs/scenario.md block {i} ({info})");
        let (kind, text) = match (info.as_str(), doc_scenario(info, body)) {
            ("json profile", _) => (Kind::Profile, body.clone()),
            (_, Some(text)) => (Kind::Scenario, text),
            _ => continue,
        };
        decode(kind, &text, &root()).unwrap_or_else(|e| panic!("{name} does not decode: {e:?}"));
        accepted.push(Sample { name, kind, doc: serde_json::from_str(&text).unwrap(), dir: root() });
    }
    (accepted, rejected)
}

#[test]
fn simbench_schema_prints_a_draft_2020_12_schema() {
    for (args, schema) in [(&["schema"][..], scenario_schema()), (&["schema", "--profile"][..], profile_schema())] {
        let output = common::simbench(args);
        assert!(output.status.success(), "simbench {args:?}: {}", common::stderr(&output));
        let printed: Value = serde_json::from_str(&common::stdout(&output)).expect("the schema is JSON");
        assert_eq!(printed, schema, "simbench {args:?} prints the library's schema");
        assert_eq!(printed["$schema"], "https://json-schema.org/draft/2020-12/schema");
        if let Err(e) = Validator::new(printed) {
            panic!("simbench {args:?} is not a valid schema: {e}");
        }
    }
}

#[test]
fn every_document_the_decoder_accepts_is_valid_against_the_schema() {
    let (samples, rejected) = samples();
    let count = |prefix: &str| samples.iter().filter(|s| s.name.starts_with(prefix)).count();
    assert_eq!(count("scenarios/"), common::scenario_files().len());
    assert_eq!(count("validation/"), 8, "the validation cases");
    assert!(count("benches/") >= 10, "the bench scenarios");
    assert!(count("fuzz/") >= 10, "the fuzz seeds the decoder accepts");
    assert!(count("docs/") >= 30, "docs/scenario.md's examples");
    assert!(samples.iter().any(|s| s.kind == Kind::Profile), "docs/scenario.md's profile");
    assert!(rejected.iter().all(|r| r.starts_with("proposed-scenarios/") || r.starts_with("fuzz/")), "{rejected:?}");
    let (scenario, profile) = (validator(Kind::Scenario), validator(Kind::Profile));
    let mut invalid = Vec::new();
    for sample in &samples {
        let v = if sample.kind == Kind::Scenario { &scenario } else { &profile };
        if !v.is_valid(&sample.doc) {
            invalid.push(format!("{}: {}", sample.name, v.errors(&sample.doc)));
        }
    }
    assert!(invalid.is_empty(), "accepted by the decoder, invalid against the schema:\n{}", invalid.join("\n"));
}

/// A minimal scenario whose one class runs `steps`, with `extra` top-level
/// fields.
fn with_steps(steps: &str, extra: &str) -> String {
    format!(
        r#"{{"name": "case", {extra} "classes": {{"job": {{"arrivals": {{"batch": {{"count": 1}}}}, "program": {steps}}}}}}}"#
    )
}

/// Scenarios the decoder rejects for their structure, each for one reason.
fn structural_mistakes() -> Vec<(&'static str, String)> {
    let io = r#"[{"io": "1s"}]"#;
    vec![
        ("an unknown top-level field", with_steps(io, r#""stratgies": ["blocking"],"#)),
        ("a misspelt step field", with_steps(r#"[{"io": "1s", "lable": "x"}]"#, "")),
        ("an unknown step kind", with_steps(r#"[{"semaphore": "db"}]"#, "")),
        ("a step with two kinds", with_steps(r#"[{"io": "1s", "cpu": "1ms"}]"#, "")),
        ("a step with no kind", with_steps(r#"[{"label": "x"}]"#, "")),
        ("fail on a cpu step", with_steps(r#"[{"cpu": "1s", "fail": 0.5}]"#, "")),
        ("an option of another kind", with_steps(r#"[{"io": "1s", "until": "first"}]"#, "")),
        ("a hedge without after", with_steps(r#"[{"hedge": [{"io": "1s"}]}]"#, "")),
        ("a spawn without a program", with_steps(r#"[{"spawn": {"name": "a"}}]"#, "")),
        ("a to_thread holding a gather", with_steps(r#"[{"to_thread": [{"gather": [[{"io": "1s"}]]}]}]"#, "")),
        ("cores as a string", with_steps(io, r#""machine": {"cores": "4"},"#)),
        ("a duration as a number", with_steps(r#"[{"io": 250}]"#, "")),
        ("a duration without a unit", with_steps(r#"[{"io": "250"}]"#, "")),
        ("a sequence as a think time", {
            let arrivals = r#"{"closed": {"users": 1, "count": 2, "think": {"sequence": ["1s"]}}}"#;
            format!(
                r#"{{"name": "case", "classes": {{"job": {{"arrivals": {arrivals}, "program": [{{"io": "1s"}}]}}}}}}"#
            )
        }),
        ("arrivals bounded twice", {
            let arrivals = r#"{"poisson": {"rate": 1, "count": 2, "duration": "1s"}}"#;
            format!(
                r#"{{"name": "case", "classes": {{"job": {{"arrivals": {arrivals}, "program": [{{"io": "1s"}}]}}}}}}"#
            )
        }),
        (
            "a lognormal given two ways",
            with_steps(r#"[{"io": {"lognormal": {"median": "1s", "p99": "2s", "mean": "1s"}}}]"#, ""),
        ),
        ("an unknown jitter", with_steps(r#"[{"retry": [{"io": "1s"}], "attempts": 2, "jitter": "half"}]"#, "")),
        ("an unknown outcome", with_steps(r#"[{"try": [{"io": "1s"}], "on": ["failure"]}]"#, "")),
        ("processes without settings", with_steps(io, r#""strategies": ["processes"],"#)),
        ("a setting beside the strategy kind", with_steps(io, r#""strategies": [{"threaded": {}, "label": "t"}],"#)),
        ("a pool without size", with_steps(io, r#""pools": {"db": {"when_full": "reject"}},"#)),
        ("no name", r#"{"classes": {"job": {"arrivals": {"batch": {"count": 1}}, "program": [{"io": "1s"}]}}}"#.into()),
        ("no classes", r#"{"name": "case"}"#.into()),
        ("a name with a control character", with_steps(io, "").replace("\"case\"", "\"ca\\u001bse\"")),
        ("a $schema that is not a string", with_steps(io, r#""$schema": 5,"#)),
        ("an unknown runtime constant", with_steps(io, r#""runtime": {"profile": "cpython", "task_creat": "1us"},"#)),
    ]
}

#[test]
fn structural_mistakes_are_rejected_by_the_decoder_and_the_schema() {
    let v = validator(Kind::Scenario);
    for (what, text) in structural_mistakes() {
        let problems = decode(Kind::Scenario, &text, &root()).expect_err(what);
        assert!(problems.iter().any(|p| structural(p)), "{what}: not a structural problem: {problems:?}");
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert!(!v.is_valid(&doc), "{what}: rejected by the decoder ({problems:?}) but valid against the schema");
    }
}

#[test]
fn a_schema_field_is_read_and_ignored() {
    let io = r#"[{"io": "1s"}]"#;
    let plain = parse(&with_steps(io, ""), "case.json").unwrap();
    let with = parse(&with_steps(io, r#""$schema": "../simbench.schema.json","#), "case.json").unwrap();
    assert_eq!(plain, with);
    let Err(ScenarioError::Invalid { problems, .. }) = parse(&with_steps(io, r#""$schema": 5,"#), "case.json") else {
        panic!("a $schema that is not a string is refused")
    };
    assert_eq!(
        (problems[0].path.as_str(), problems[0].message.as_str()),
        ("[\"$schema\"]", "expected a string, found 5")
    );
    let blocks = doc_blocks();
    let (_, profile) = blocks.iter().find(|(info, _)| info == "json profile").unwrap();
    let marked = profile.replacen('{', r#"{"$schema": "profile.schema.json","#, 1);
    assert_eq!(parse_profile(&marked, "p.json").unwrap(), parse_profile(profile, "p.json").unwrap());
    // Only at the top: inside, "$schema" is an unknown field.
    let inner = with_steps(r#"[{"io": "1s", "$schema": "x"}]"#, "");
    assert!(parse(&inner, "case.json").is_err());
}

// ----- mutations -------------------------------------------------------------

/// Every value below `doc`'s root, as a JSON pointer.
fn pointers(doc: &Value, at: &str, out: &mut Vec<String>) {
    let children: Vec<(String, &Value)> = match doc {
        Value::Object(map) => map.iter().map(|(k, v)| (k.replace('~', "~0").replace('/', "~1"), v)).collect(),
        Value::Array(items) => items.iter().enumerate().map(|(i, v)| (i.to_string(), v)).collect(),
        _ => return,
    };
    for (token, child) in children {
        let pointer = format!("{at}/{token}");
        out.push(pointer.clone());
        pointers(child, &pointer, out);
    }
}

/// `pointer`'s parent's pointer and its last token, unescaped.
fn split(pointer: &str) -> (&str, String) {
    let (parent, token) = pointer.rsplit_once('/').expect("below the root");
    (parent, token.replace("~1", "/").replace("~0", "~"))
}

/// The mutants of `doc`: what changed, and the mutated document.
fn mutants(doc: &Value) -> Vec<(String, Value)> {
    let mut places = Vec::new();
    pointers(doc, "", &mut places);
    let mut out = Vec::new();
    let mut add = |what: String, change: &dyn Fn(&mut Value)| {
        let mut mutant = doc.clone();
        change(&mut mutant);
        out.push((what, mutant));
    };
    for place in std::iter::once(String::new()).chain(places.iter().cloned()) {
        if doc.pointer(&place).is_some_and(Value::is_object) {
            add(format!("{place}: a field \"zz_unknown\" added"), &|m| {
                m.pointer_mut(&place).unwrap().as_object_mut().unwrap().insert("zz_unknown".into(), Value::Null);
            });
        }
    }
    for place in &places {
        let original = doc.pointer(place).unwrap();
        add(format!("{place}: removed"), &|m| {
            let (parent, token) = split(place);
            match m.pointer_mut(parent).unwrap() {
                Value::Object(map) => drop(map.shift_remove(&token)),
                Value::Array(items) => drop(items.remove(token.parse::<usize>().unwrap())),
                _ => unreachable!("a parent holds values"),
            }
        });
        let others = [Value::Null, json!(true), json!(7), json!("x"), json!([]), json!({})];
        for other in others.into_iter().filter(|o| std::mem::discriminant(o) != std::mem::discriminant(original)) {
            add(format!("{place}: set to {other}"), &|m| *m.pointer_mut(place).unwrap() = other.clone());
        }
    }
    out
}

#[test]
fn mutations_get_the_same_structural_verdict_from_the_decoder_and_the_schema() {
    let (samples, _) = samples();
    // The example scenarios and the docs' examples hold every kind of
    // field; the other files repeat them.
    let samples: Vec<&Sample> =
        samples.iter().filter(|s| s.name.starts_with("scenarios/") || s.name.starts_with("docs/")).collect();
    let (scenario, profile) = (validator(Kind::Scenario), validator(Kind::Profile));
    let (mut checked, mut wrong) = (0, Vec::new());
    for sample in samples {
        let v = if sample.kind == Kind::Scenario { &scenario } else { &profile };
        for (what, mutant) in mutants(&sample.doc) {
            checked += 1;
            let valid = v.is_valid(&mutant);
            match decode(sample.kind, &mutant.to_string(), &sample.dir) {
                Ok(()) if !valid => {
                    wrong.push(format!("{} {what}: accepted, but invalid: {}", sample.name, v.errors(&mutant)))
                }
                Err(problems) if valid && problems.iter().any(|p| structural(p)) => {
                    wrong.push(format!("{} {what}: rejected ({problems:?}), but valid", sample.name))
                }
                _ => {}
            }
        }
    }
    assert!(checked > 10_000, "only {checked} mutants");
    assert!(wrong.is_empty(), "{} of {checked} mutants disagree:\n{}", wrong.len(), wrong.join("\n"));
}

// ----- Python's jsonschema -----------------------------------------------------

#[test]
fn python_jsonschema_validates_what_the_decoder_accepts_and_rejects_the_mistakes() {
    let python = std::process::Command::new("python3").args(["-c", "import jsonschema"]).output();
    if !common::require("python3-jsonschema", python.is_ok_and(|o| o.status.success())) {
        return;
    }
    let temp = common::tempdir("schema");
    let dir = temp.path();
    let write = |name: &str, value: &Value| {
        let path = dir.join(name);
        std::fs::write(&path, value.to_string()).unwrap();
        path.display().to_string()
    };
    let scenario = write("scenario.schema.json", &scenario_schema());
    let profile = write("profile.schema.json", &profile_schema());
    let (samples, _) = samples();
    let mut args = vec![scenario, "--valid".to_string()];
    let mut profiles = vec![profile];
    for (i, sample) in samples.iter().enumerate() {
        let file = write(&format!("sample-{i}.json"), &sample.doc);
        match sample.kind {
            Kind::Scenario => args.push(file),
            Kind::Profile => profiles.push(file),
        }
    }
    args.push("--invalid".into());
    for (i, (_, text)) in structural_mistakes().iter().enumerate() {
        args.push(write(&format!("mistake-{i}.json"), &serde_json::from_str(text).unwrap()));
    }
    for args in [args, profiles] {
        let output = std::process::Command::new("python3")
            .arg(root().join("scripts/validate-schema.py"))
            .args(&args)
            .output()
            .expect("python3 runs");
        assert!(output.status.success(), "{}{}", common::stdout(&output), common::stderr(&output));
    }
}
