//! The JSON Schema (draft 2020-12) of scenario files and runtime profile
//! files, built from the decoder's own field tables, for editors and
//! standard validators (`simbench schema`, docs/scenario.md "JSON Schema").
//!
//! Every object's properties are generated from the table its decoder
//! checks keys against (`TOP_FIELDS`, `STEPS`, `STEP_OPTIONS`,
//! `SPAWN_FIELDS`, `runtime::CONSTANTS`, …), so the schema lists exactly the
//! fields the decoder accepts: a field removed from a table leaves the
//! schema with it, and a field added to one has no schema until it is given
//! one here ([`object`] panics, and the unit tests build both schemas). What
//! a field holds (its JSON type, bounds, allowed words, whether it is
//! required) is written here beside the table's name;
//! tests/it/schema.rs checks it against the decoder on every scenario of
//! the repository and on mutations of them.
//!
//! Invariant: every document the decoder accepts is valid against the
//! schema. The converse holds for structure (an unknown field, a missing
//! required field, a value of the wrong JSON type, a word outside its list)
//! but not for what only the decoder can check: references to declared
//! names, durations > 0, a maximum ≥ its minimum, joins after spawns.

use super::dist::{DIST_KINDS, EXPONENTIAL_FIELDS, LOGNORMAL_FIELDS, NORMAL_FIELDS, PARETO_FIELDS, UNIFORM_FIELDS};
use super::flow::{CHOOSE_BRANCH_FIELDS, COUNT_KINDS, COUNT_UNIFORM_FIELDS, FAIL_FIELDS, GEOMETRIC_FIELDS};
use super::net::LINK_FIELDS;
use super::outcomes::{GATHER_MODES, ON_EXPIRY};
use super::profile::{PROFILE_FIELDS, RUNTIME_PROFILE};
use super::program::{
    BRANCH_FIELDS, BRANCH_THREADS, COMMON_FIELDS, LIMIT_FIELDS, SPAWN_FIELDS, STEP_KINDS, STEP_OPTIONS, TIMEOUT_FIELDS,
};
use super::queues::QUEUE_FIELDS;
use super::service::{CALL_FIELDS, JITTERS, RATE_LIMIT_FIELDS, RETRY_FIELDS, SERVICE_FIELDS, SLOWDOWN_FIELDS};
use super::slos::SLO_FIELDS;
use super::strategies::{DISPATCH, STRATEGY_KINDS, strategy_fields};
use super::waiting::{RESTS, UNTIL_FIELDS, UNTIL_WORDS};
use super::workload::{
    ARRIVAL_KINDS, BATCH_FIELDS, CLASS_FIELDS, CLOSED_FIELDS, INTERVAL_FIELDS, MACHINE_FIELDS, POISSON_FIELDS,
    POOL_FIELDS, WARMUP_AUTO, WHEN_FULL,
};
use super::{SCHEMA_KEY, TOP_FIELDS};
use crate::scenario::Outcomes;
use crate::scenario::duration::UNITS;
use crate::scenario::runtime::{self, CONSTANTS, Unit};
use crate::scenario::text::MAX_NAME_BYTES;
use serde_json::{Map, Value, json};

/// The draft every schema here follows.
const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

/// Keys that are comments (`_…`), allowed in every object.
const COMMENT: &str = "^_";

/// A name (`text.rs`): no control character, bidirectional override or
/// isolate, or line break.
const NAME_PATTERN: &str = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029\\u202A-\\u202E\\u2066-\\u2069]*$";

/// A description: a name's characters, and line breaks (`\n`) and tabs.
const TEXT_PATTERN: &str =
    "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F\\u2028\\u2029\\u202A-\\u202E\\u2066-\\u2069]*$";

/// The units `parse_bytes` reads.
const BYTE_UNITS: &[&str] = &["B", "KB", "kB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "TiB"];

/// The prefixes `parse_bandwidth` reads before `bit` or `B`.
const BANDWIDTH_PREFIXES: &[&str] = &["k", "K", "M", "G", "T", "Ki", "Mi", "Gi"];

/// The step kinds a `to_thread` body may hold (a function cannot await).
const SYNC_KINDS: &[&str] = &["io", "cpu", "sleep", "blocking"];

/// The schema of scenario files.
pub fn scenario_schema() -> Value {
    let mut defs = shared_defs();
    scenario_defs(&mut defs);
    let top = document(TOP_FIELDS, &["name", "classes"], top_field);
    let description = "A simbench scenario file: a workload and the execution strategies to compare on it (docs/scenario.md). Fields whose names start with \"_\" are comments.";
    finish(top, "simbench scenario", description, defs)
}

/// The schema of runtime profile files (`simbench.runtime/v1`, written by
/// `simbench calibrate`).
pub fn profile_schema() -> Value {
    let names: Vec<&str> = CONSTANTS.iter().map(|c| c.name).collect();
    // Constants added after the first v1 files may be left out (then 0).
    let required: Vec<&str> = CONSTANTS.iter().filter(|c| !c.optional).map(|c| c.name).collect();
    let top = document(PROFILE_FIELDS, &["format", "constants"], |field| match field {
        "format" => json!({ "const": runtime::PROFILE_FORMAT, "description": "the profile format" }),
        "name" => reference("name"),
        "constants" => object(&names, &required, constant),
        "measured_with" => json!({ "description": "free-form: how the profile was measured; ignored" }),
        other => undescribed("a profile file", other),
    });
    let description =
        "A runtime profile file, as `simbench calibrate` writes it (docs/scenario.md, \"Runtime profiles\").";
    finish(top, "simbench runtime profile", description, shared_defs())
}

/// A whole schema: the draft, a title and description, then `top`'s
/// keywords, then the definitions it refers to.
fn finish(top: Value, title: &str, description: &str, defs: Map<String, Value>) -> Value {
    let Value::Object(top) = top else { unreachable!("document builds an object") };
    let mut schema = Map::new();
    schema.insert("$schema".into(), json!(DRAFT));
    schema.insert("title".into(), json!(title));
    schema.insert("description".into(), json!(description));
    schema.extend(top);
    schema.insert("$defs".into(), Value::Object(defs));
    Value::Object(schema)
}

// ----- building blocks ------------------------------------------------------

/// A field the decoder accepts and this module has no schema for.
fn undescribed(what: &str, field: &str) -> ! {
    panic!(
        "the decoder accepts field \"{field}\" of {what}, which the JSON Schema does not describe: add it to src/scenario/decode/schema.rs"
    )
}

/// `{"$ref": "#/$defs/NAME"}`.
fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/$defs/{name}") })
}

/// An object whose properties are exactly `fields` (a decoder's table),
/// each given by `property`; `required` among them; comments allowed, any
/// other key refused.
fn object(fields: &[&str], required: &[&str], property: impl Fn(&str) -> Value) -> Value {
    let mut properties = Map::new();
    for field in fields {
        properties.insert(field.to_string(), property(field));
    }
    for field in required {
        assert!(fields.contains(field), "required field \"{field}\" is not among {fields:?}");
    }
    let mut schema = json!({
        "type": "object",
        "properties": properties,
        "patternProperties": { COMMENT: {} },
        "additionalProperties": false,
    });
    if !required.is_empty() {
        schema["required"] = json!(required);
    }
    schema
}

/// The top of a document: [`object`], and [`SCHEMA_KEY`].
fn document(fields: &[&str], required: &[&str], property: impl Fn(&str) -> Value) -> Value {
    let mut schema = object(fields, required, property);
    schema["properties"][SCHEMA_KEY] = json!({
        "type": "string",
        "description": "the JSON Schema of this file, for editors (`simbench schema`); ignored by simbench",
    });
    schema
}

/// An object with exactly one of the keys `kinds`, each's value given by
/// `kind` (the decoder's `one_of`).
fn one_kind(kinds: &[&str], kind: impl Fn(&str) -> Value) -> Value {
    let mut schema = object(kinds, &[], kind);
    schema["oneOf"] = kinds.iter().map(|k| json!({ "required": [k] })).collect();
    schema
}

/// An object of named entries (`pools`, `classes`, `links`, …): each key a
/// name, each value an `entry`; comments allowed.
fn named(entry: Value) -> Value {
    json!({
        "type": "object",
        "propertyNames": { "anyOf": [{ "pattern": COMMENT }, { "maxLength": MAX_NAME_BYTES, "pattern": NAME_PATTERN }] },
        "patternProperties": { COMMENT: {} },
        "additionalProperties": entry,
    })
}

/// A list of at least one `item`.
fn non_empty(item: Value) -> Value {
    json!({ "type": "array", "minItems": 1, "items": item })
}

fn integer(min: u64, max: u64) -> Value {
    json!({ "type": "integer", "minimum": min, "maximum": max })
}

fn one_of_words(words: &[&str]) -> Value {
    json!({ "enum": words })
}

/// `schema` with a description.
fn described(mut schema: Value, description: &str) -> Value {
    schema["description"] = json!(description);
    schema
}

/// `(?:a|b|…)`, for words made of letters.
fn alternatives(words: &[&str]) -> String {
    format!("(?:{})", words.join("|"))
}

// ----- definitions ------------------------------------------------------------

/// Definitions both schemas use: names, durations, sizes.
fn shared_defs() -> Map<String, Value> {
    let units: Vec<&str> = UNITS.iter().map(|(unit, _)| *unit).collect();
    // parse_duration: trimmed; a decimal, optional spaces, a unit; or zero
    // without a unit.
    let duration =
        format!("^\\s*(?:(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)\\s*{}|0+\\.?0*|\\.0+)\\s*$", alternatives(&units));
    let size = format!("^\\s*[0-9.]+\\s*{}\\s*$", alternatives(BYTE_UNITS));
    let entries = [
        (
            "name",
            json!({
                "type": "string", "minLength": 1, "maxLength": MAX_NAME_BYTES, "pattern": NAME_PATTERN,
                "description": "a name: at most 200 bytes, no control character, bidirectional override or line break",
            }),
        ),
        (
            "duration",
            json!({
                "type": "string", "pattern": duration,
                "description": "a duration: a decimal number and a unit (ns, us, µs, ms, s, min, h), e.g. \"250ms\"; \"0\" needs none",
                "examples": ["250ms", "1.5s", "40us", "2min"],
            }),
        ),
        (
            "size",
            json!({
                "type": "string", "pattern": size,
                "description": "a byte size: \"512B\", \"10KB\", \"1MB\" (10⁶ bytes), \"64MiB\" (2²⁶ bytes)",
            }),
        ),
        (
            "bytes",
            json!({
                "anyOf": [{ "type": "integer", "minimum": 0 }, { "$ref": "#/$defs/size" }],
                "description": "a whole number of bytes (2900) or a size such as \"16.5KiB\"",
            }),
        ),
    ];
    entries.into_iter().map(|(name, schema)| (name.to_string(), schema)).collect()
}

/// A runtime profile's constant: a duration or a number of bytes.
fn constant(name: &str) -> Value {
    let Some(c) = CONSTANTS.iter().find(|c| c.name == name) else { undescribed("a runtime profile", name) };
    let unit = match c.unit {
        Unit::Duration => reference("duration"),
        Unit::Bytes => reference("bytes"),
    };
    json!({ "allOf": [unit], "description": c.meaning })
}

/// The definitions only scenarios use.
fn scenario_defs(defs: &mut Map<String, Value>) {
    let bandwidth = format!("^\\s*[0-9.]+\\s*{}?(?:bit|B)\\s*/\\s*s\\s*$", alternatives(BANDWIDTH_PREFIXES));
    let mut entries: Vec<(String, Value)> = vec![
        ("text".into(), json!({ "type": "string", "pattern": TEXT_PATTERN })),
        ("count".into(), integer(1, u64::MAX)),
        ("small_count".into(), integer(1, u64::from(u32::MAX))),
        ("probability".into(), json!({ "type": "number", "minimum": 0, "maximum": 1 })),
        (
            "bandwidth".into(),
            json!({ "type": "string", "pattern": bandwidth, "examples": ["100Mbit/s", "1Gbit/s", "12.5MB/s"] }),
        ),
        ("dist".into(), dist(false)),
        ("step_duration".into(), dist(true)),
        ("arrivals".into(), arrivals()),
        ("program".into(), described(non_empty(reference("step")), "a non-empty list of steps, run in order")),
        ("step".into(), step_of(&STEP_KINDS)),
        ("strategy".into(), strategy(true)),
        ("process_strategy".into(), strategy(false)),
        ("runtime".into(), runtime()),
    ];
    for kind in STEP_KINDS {
        entries.push((format!("step_{kind}"), step(kind)));
    }
    defs.extend(entries);
}

fn top_field(field: &str) -> Value {
    let slo = json!({
        "anyOf": [
            { "type": "string", "description": "a threshold such as \"latency p99 < 500ms\"" },
            object(SLO_FIELDS, &["threshold"], |f| match f {
                "threshold" => json!({ "type": "string" }),
                "strategy" | "class" => reference("name"),
                other => undescribed("an SLO", other),
            }),
        ]
    });
    let pool = json!({
        "anyOf": [
            reference("small_count"),
            object(POOL_FIELDS, &["size"], |f| match f {
                "size" => reference("small_count"),
                "when_full" => one_of_words(WHEN_FULL),
                other => undescribed("a pool", other),
            }),
        ]
    });
    let link = object(LINK_FIELDS, &["bandwidth"], |f| match f {
        "bandwidth" => reference("bandwidth"),
        other => undescribed("a link", other),
    });
    let queue = object(QUEUE_FIELDS, &[], |f| match f {
        "capacity" => reference("small_count"),
        other => undescribed("a queue", other),
    });
    let class = object(CLASS_FIELDS, &["arrivals", "program"], |f| match f {
        "arrivals" => reference("arrivals"),
        "program" => reference("program"),
        other => undescribed("a class", other),
    });
    let (schema, description) = match field {
        "name" => (reference("name"), "names the scenario in reports (required)"),
        "description" => (reference("text"), "shown at the top of the report"),
        "seed" => (integer(0, u64::MAX), "seeds every random draw (default 1)"),
        "machine" => (
            object(MACHINE_FIELDS, &[], |f| match f {
                "cores" => reference("small_count"),
                other => undescribed("machine", other),
            }),
            "the CPU cores available to threads (default {\"cores\": 1})",
        ),
        "horizon" => (reference("duration"), "stop the run at this virtual time (> 0)"),
        "warmup" => (
            json!({ "anyOf": [{ "const": WARMUP_AUTO }, reference("duration")] }),
            "leave tasks arriving before this time out of the statistics, or \"auto\" (MSER-5)",
        ),
        "pools" => (named(pool), "named semaphores / connection pools, used by limit steps"),
        "links" => (named(link), "shared network links that io steps with bytes move payloads over"),
        "services" => (named(service()), "downstream services that call steps send requests to"),
        "queues" => (named(queue), "work queues that put and get steps hand items through"),
        "classes" => {
            let mut classes = named(class);
            // At least one key that is not a comment.
            classes["not"] = json!({ "propertyNames": { "pattern": COMMENT } });
            (classes, "the task classes, at least one (required)")
        }
        "strategies" => (non_empty(reference("strategy")), "the strategies to compare (default all three)"),
        "slos" => (json!({ "type": "array", "items": slo }), "service-level objectives checked after the run"),
        "runtime" => (reference("runtime"), "what the runtime costs beyond the steps (default \"ideal\")"),
        other => undescribed("a scenario", other),
    };
    described(schema, description)
}

/// A duration or a distribution; `in_step`: a `sequence` too.
fn dist(in_step: bool) -> Value {
    let kinds: Vec<&str> = DIST_KINDS.iter().copied().filter(|k| in_step || *k != "sequence").collect();
    let durations = |fields: &'static [&'static str], required: &[&str], what: &'static str| {
        object(fields, required, move |f| match f {
            "alpha" => json!({ "type": "number", "exclusiveMinimum": 0 }),
            f if fields.contains(&f) => reference("duration"),
            other => undescribed(what, other),
        })
    };
    let distribution = one_kind(&kinds, |kind| match kind {
        "constant" => reference("duration"),
        "uniform" => durations(UNIFORM_FIELDS, &["min", "max"], "uniform"),
        "exponential" => durations(EXPONENTIAL_FIELDS, &["mean"], "exponential"),
        "normal" => durations(NORMAL_FIELDS, &["mean", "stddev"], "normal"),
        "lognormal" => {
            let mut schema = durations(LOGNORMAL_FIELDS, &[], "lognormal");
            schema["oneOf"] = json!([
                { "required": ["median", "p99"], "properties": { "mean": false, "stddev": false } },
                { "required": ["mean", "stddev"], "properties": { "median": false, "p99": false } },
            ]);
            schema
        }
        "pareto" => durations(PARETO_FIELDS, &["min", "max", "alpha"], "pareto"),
        "empirical" | "sequence" => non_empty(reference("duration")),
        other => undescribed("a distribution", other),
    });
    json!({ "anyOf": [reference("duration"), distribution] })
}

fn arrivals() -> Value {
    let field = |what: &'static str| {
        move |f: &str| match f {
            "count" => reference("count"),
            "duration" => reference("duration"),
            "rate" => json!({ "type": "number", "exclusiveMinimum": 0, "description": "arrivals per second" }),
            "every" => reference("step_duration"),
            "users" => reference("small_count"),
            "think" => reference("dist"),
            other => undescribed(what, other),
        }
    };
    // Bounded by exactly one of a count and a duration.
    let bounded = |mut schema: Value| {
        schema["oneOf"] = json!([{ "required": ["count"] }, { "required": ["duration"] }]);
        schema
    };
    one_kind(ARRIVAL_KINDS, |kind| match kind {
        "batch" => object(BATCH_FIELDS, &["count"], field("batch")),
        "poisson" => bounded(object(POISSON_FIELDS, &["rate"], field("poisson"))),
        "interval" => bounded(object(INTERVAL_FIELDS, &["every"], field("interval"))),
        "closed" => bounded(object(CLOSED_FIELDS, &["users"], field("closed"))),
        "workers" => reference("small_count"),
        other => undescribed("arrivals", other),
    })
}

fn service() -> Value {
    object(SERVICE_FIELDS, &["service"], |f| match f {
        "concurrency" => reference("small_count"),
        "service" => reference("dist"),
        "fail" => reference("probability"),
        "rate_limit" => object(RATE_LIMIT_FIELDS, &["rate"], |f| match f {
            "rate" => json!({ "type": "number", "exclusiveMinimum": 0 }),
            "burst" => reference("small_count"),
            other => undescribed("a rate limit", other),
        }),
        "slowdown" => json!({
            "type": "array",
            "items": object(SLOWDOWN_FIELDS, SLOWDOWN_FIELDS, |f| match f {
                "from" | "until" => reference("duration"),
                "factor" => json!({ "type": "number", "exclusiveMinimum": 0 }),
                other => undescribed("a slowdown", other),
            }),
        }),
        other => undescribed("a service", other),
    })
}

/// An option of a retry policy, a call's (with `budget`) or a retry step's.
fn retry_option(field: &str) -> Value {
    match field {
        "attempts" => reference("small_count"),
        "backoff" | "max_backoff" => reference("duration"),
        "multiplier" => json!({ "type": "number", "minimum": 1 }),
        "jitter" => one_of_words(JITTERS),
        "budget" => reference("probability"),
        other => undescribed("a retry policy", other),
    }
}

/// Whether a step of `kind` takes the common field `field`.
fn takes(kind: &str, field: &str) -> bool {
    match field {
        "label" => true,
        "fail" => kind == "io",
        "bytes" | "link" => kind == "io" || kind == "call",
        other => undescribed("a step", other),
    }
}

/// A step of one of `kinds`: exactly one kind key, then that kind's
/// fields (`if`/`then` rather than a `oneOf` of the kinds, so a validator
/// names the field that is wrong, not every kind it is not).
fn step_of(kinds: &[&str]) -> Value {
    let one: Vec<Value> = kinds.iter().map(|k| json!({ "required": [k] })).collect();
    let each: Vec<Value> =
        kinds.iter().map(|k| json!({ "if": { "required": [k] }, "then": reference(&format!("step_{k}")) })).collect();
    json!({ "type": "object", "oneOf": one, "allOf": each })
}

/// The options of a kind that must be there.
fn required_options(kind: &str) -> &'static [&'static str] {
    match kind {
        "hedge" => &["after"],
        "retry" => &["attempts"],
        "repeat" => &["times"],
        _ => &[],
    }
}

/// One kind of step: its kind key, the common fields it takes and its
/// options (program.rs's `COMMON_FIELDS` and `STEP_OPTIONS`).
fn step(kind: &str) -> Value {
    let options = STEP_OPTIONS.iter().find(|(k, _)| *k == kind).map_or(&[][..], |(_, options)| *options);
    let mut fields = vec![kind];
    fields.extend(COMMON_FIELDS.iter().copied().filter(|f| takes(kind, f)));
    fields.extend(options);
    let mut required = vec![kind];
    required.extend(required_options(kind));
    let mut schema = object(&fields, &required, |f| match f {
        f if f == kind => step_value(kind),
        "label" => reference("name"),
        "link" => reference("name"),
        "bytes" => reference("size"),
        "fail" => json!({
            "anyOf": [
                reference("probability"),
                object(FAIL_FIELDS, &["sequence"], |f| match f {
                    "sequence" => non_empty(reference("probability")),
                    other => undescribed("fail", other),
                }),
            ]
        }),
        "until" => json!({
            "anyOf": [
                one_of_words(UNTIL_WORDS),
                object(UNTIL_FIELDS, &["count"], |f| match f {
                    "count" => integer(1, u64::from(u32::MAX)),
                    other => undescribed("until", other),
                }),
            ]
        }),
        "rest" => one_of_words(RESTS),
        "mode" => one_of_words(GATHER_MODES),
        "threads" => one_of_words(BRANCH_THREADS),
        "after" => reference("duration"),
        "copies" => integer(1, u64::from(u16::MAX)),
        "except" => reference("program"),
        "on" => json!({
            "type": "array", "minItems": 1, "uniqueItems": true,
            "items": one_of_words(&Outcomes::NAMES.map(|(name, _)| name)),
        }),
        "times" => repeat_count(),
        f if RETRY_FIELDS.contains(&f) => retry_option(f),
        other => undescribed(&format!("a {kind} step"), other),
    });
    if kind == "hedge" {
        // A list of per-copy programs says how many copies there are.
        schema["if"] = json!({ "properties": { "hedge": { "contains": { "type": "array" } } } });
        schema["then"] = json!({ "not": { "required": ["copies"] } });
    }
    schema
}

/// The value under a step's kind key.
fn step_value(kind: &str) -> Value {
    let program = || reference("program");
    match kind {
        "io" | "cpu" | "sleep" | "blocking" => reference("step_duration"),
        "gather" => non_empty(json!({
            "anyOf": [
                program(),
                object(BRANCH_FIELDS, &["program"], |f| match f {
                    "copies" => reference("small_count"),
                    "program" => program(),
                    other => undescribed("a gather branch", other),
                }),
            ]
        })),
        "spawn" => object(SPAWN_FIELDS, &["name", "program"], |f| match f {
            "name" => reference("name"),
            "program" => program(),
            "detached" => json!({ "type": "boolean" }),
            other => undescribed("a spawn", other),
        }),
        "join" | "put" | "get" => reference("name"),
        "timeout" => object(TIMEOUT_FIELDS, &["after", "program"], |f| match f {
            "after" => reference("duration"),
            "program" => program(),
            "on_expiry" => one_of_words(ON_EXPIRY),
            other => undescribed("a timeout", other),
        }),
        "limit" => object(LIMIT_FIELDS, &["pool", "program"], |f| match f {
            "pool" => reference("name"),
            "program" => program(),
            other => undescribed("a limit", other),
        }),
        "to_thread" => non_empty(step_of(SYNC_KINDS)),
        "call" => json!({
            "anyOf": [
                reference("name"),
                object(CALL_FIELDS, &["service"], |f| match f {
                    "service" => reference("name"),
                    "timeout" => reference("duration"),
                    "retry" => object(RETRY_FIELDS, &["attempts"], retry_option),
                    other => undescribed("a call", other),
                }),
            ]
        }),
        // One program for every copy, or one per copy (R-HEDGE-COPIES).
        "hedge" => {
            json!({ "anyOf": [program(), { "type": "array", "minItems": 1, "maxItems": u16::MAX, "items": program() }] })
        }
        "try" | "retry" | "repeat" => program(),
        "choose" => non_empty(object(CHOOSE_BRANCH_FIELDS, &["program"], |f| match f {
            "weight" => json!({ "type": "number", "exclusiveMinimum": 0 }),
            // A choose branch may do nothing: [].
            "program" => json!({ "type": "array", "items": reference("step") }),
            other => undescribed("a choose branch", other),
        })),
        other => undescribed("a step", other),
    }
}

/// A repeat's `times`: an integer ≥ 0 or a distribution of them.
fn repeat_count() -> Value {
    let value = || integer(0, u64::from(u32::MAX));
    json!({
        "anyOf": [
            value(),
            one_kind(COUNT_KINDS, |kind| match kind {
                "uniform" => object(COUNT_UNIFORM_FIELDS, &["min", "max"], |_| value()),
                "geometric" => object(GEOMETRIC_FIELDS, &["mean"], |f| match f {
                    "mean" => json!({ "type": "number", "minimum": 1 }),
                    other => undescribed("geometric", other),
                }),
                "empirical" | "sequence" => non_empty(value()),
                other => undescribed("a count", other),
            }),
        ]
    })
}

/// A strategy: its name, or an object with one kind and its settings;
/// `processes` only at the top (`outer`), not inside a process.
fn strategy(outer: bool) -> Value {
    let kinds: Vec<&str> = STRATEGY_KINDS.iter().copied().filter(|k| outer || *k != "processes").collect();
    // "processes" alone is refused: it needs its settings.
    let names: Vec<&str> = kinds.iter().copied().filter(|k| *k != "processes").collect();
    let settings = one_kind(&kinds, |kind| {
        let required: &[&str] = if kind == "processes" { &["workers", "strategy"] } else { &[] };
        object(strategy_fields(kind), required, |f| match f {
            "label" => reference("name"),
            "workers" | "max_concurrency" => reference("small_count"),
            "gil" => json!({ "type": "boolean" }),
            "switch_interval" => reference("duration"),
            "strategy" => reference("process_strategy"),
            "dispatch" => json!({ "const": DISPATCH }),
            other => undescribed(&format!("a {kind} strategy"), other),
        })
    });
    json!({ "anyOf": [one_of_words(&names), settings] })
}

/// A scenario's `runtime`: a built-in profile, a profile file's path, or an
/// object overriding single constants.
fn runtime() -> Value {
    let name = json!({
        "type": "string", "pattern": NAME_PATTERN,
        "anyOf": [one_of_words(runtime::BUILT_IN), { "pattern": "[./\\\\]" }],
        "description": "\"ideal\", \"cpython\", or a profile file's path (with a '.' or a '/'), relative to the scenario",
    });
    let mut fields = vec![RUNTIME_PROFILE];
    fields.extend(CONSTANTS.iter().map(|c| c.name));
    let overrides = object(&fields, &[], |f| match f {
        f if f == RUNTIME_PROFILE => name.clone(),
        other => constant(other),
    });
    json!({ "anyOf": [name, overrides] })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse_duration;
    use crate::scenario::units::{parse_bandwidth, parse_bytes};

    #[test]
    fn both_schemas_describe_every_field_of_the_decoder() {
        // `object` panics for a field of a decoder's table it has no schema for.
        let scenario = scenario_schema();
        assert_eq!(scenario["$schema"], DRAFT);
        let steps = scenario["$defs"]["step"]["allOf"].as_array().unwrap().len();
        assert_eq!(steps, STEP_KINDS.len());
        let profile = profile_schema();
        let constants = profile["properties"]["constants"]["required"].as_array().unwrap().len();
        assert_eq!(constants, CONSTANTS.iter().filter(|c| !c.optional).count());
        let listed = profile["properties"]["constants"]["properties"].as_object().unwrap().len();
        assert_eq!(listed, CONSTANTS.len());
    }

    #[test]
    fn the_listed_units_are_the_parsers_units() {
        for unit in BYTE_UNITS {
            assert!(parse_bytes(&format!("2{unit}")).is_some(), "{unit}");
        }
        for prefix in BANDWIDTH_PREFIXES {
            assert!(parse_bandwidth(&format!("2{prefix}bit/s")).is_some(), "{prefix}");
            assert!(parse_bandwidth(&format!("2{prefix}B/s")).is_some(), "{prefix}");
        }
        for (unit, _) in UNITS {
            assert!(parse_duration(&format!("2{unit}")).is_ok(), "{unit}");
        }
    }
}
