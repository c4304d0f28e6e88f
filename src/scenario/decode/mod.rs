//! The hand-written decoder from a JSON value tree to a validated
//! [`Scenario`].
//!
//! serde's derive stops at the first error; a user fixing a scenario wants
//! every problem at once, each with its field path, what was expected, what
//! was found and, for a misspelling, the field that was probably meant. So the
//! decoder walks the tree itself, records a [`Raw`] problem wherever a value
//! is wrong and carries on with the next field. Positions are resolved later
//! from the path (see [`super::source`]).
//!
//! This module holds the entry points ([`decode`], [`decode_profile`]), what
//! a problem is ([`Raw`], [`Anchor`]), the [`Decoder`] state and the
//! scenario's top level. Each part of a scenario has its own module, all of
//! them methods on the one [`Decoder`]:
//!
//! | module | decodes |
//! | --- | --- |
//! | `primitives` | objects, lists, strings, numbers, durations, sizes, names of declared things |
//! | `workload` | `machine`, `pools`, `classes` and their `arrivals`, `warmup` |
//! | `program` | a class's `program`: the steps, one small function per step kind |
//! | `dist` | durations drawn from distributions |
//! | `profile` | `runtime` and runtime profile files |
//! | `strategies` | `strategies` |
//! | `slos` | `slos`, their strategy and class scopes |
//! | `net`, `service` | `links`, payloads, `services`, `call` steps |
//! | `waiting` | the options of steps that wait for some of their work: `until`, `rest`, `hedge`, `detached` |
//! | `schema` | the JSON Schema of scenario and profile files, built from the field tables the others check keys against |
//!
//! Invariants, for every module:
//! - every problem is recorded, each with the field path it is about; a
//!   wrong field never hides a problem in its siblings;
//! - every value is decoded once, in document order, so problems come out
//!   in the order a reader meets them;
//! - a decoder returns `None` only after recording a problem (or when a
//!   value it depends on had one), and [`decode`] returns a scenario only
//!   when no problem was recorded, so every [`Scenario`] it returns
//!   satisfies the model's invariants.

use super::runtime::Runtime;
use super::source::Path;
use super::{Machine, Scenario};
use serde_json::{Map, Value};

mod dist;
mod flow;
mod net;
mod outcomes;
mod primitives;
mod profile;
mod program;
mod queues;
pub(super) mod schema;
mod service;
mod slos;
mod strategies;
mod waiting;
mod workload;

/// Which part of a field a problem points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    /// The key naming the value (unknown or duplicate fields).
    Key,
    /// The value itself (wrong types and values, missing fields inside it).
    Value,
}

/// A problem before its position in the file is known.
#[derive(Clone, Debug)]
pub struct Raw {
    pub path: Path,
    pub anchor: Anchor,
    pub message: String,
    pub hint: Option<String>,
}

pub(super) const TOP_FIELDS: &[&str] = &[
    "name",
    "description",
    "seed",
    "machine",
    "horizon",
    "warmup",
    "pools",
    "links",
    "services",
    "queues",
    "classes",
    "strategies",
    "slos",
    "runtime",
];

/// Decodes and validates a whole scenario.
pub fn decode(root: &Value) -> Result<Scenario, Vec<Raw>> {
    decode_with(root, Decoder::scenario)
}

/// Decodes a runtime profile file (`simbench.runtime/v1`).
pub fn decode_profile(root: &Value) -> Result<Runtime, Vec<Raw>> {
    decode_with(root, Decoder::profile_file)
}

/// Runs `document` over the root: its value if no problem was recorded.
fn decode_with<T>(root: &Value, document: impl FnOnce(&mut Decoder, &Node) -> Option<T>) -> Result<T, Vec<Raw>> {
    let mut decoder = Decoder {
        problems: Vec::new(),
        pools: Vec::new(),
        links: Vec::new(),
        services: Vec::new(),
        queues: Vec::new(),
    };
    match document(&mut decoder, &Node { value: root, path: Path::default() }) {
        Some(value) if decoder.problems.is_empty() => Ok(value),
        _ => Err(decoder.problems),
    }
}

/// A value and where it is in the document.
#[derive(Clone, Debug)]
struct Node<'v> {
    value: &'v Value,
    path: Path,
}

/// An object whose fields have been checked against the allowed names.
struct Fields<'v> {
    map: &'v Map<String, Value>,
    node: Node<'v>,
}

impl<'v> Fields<'v> {
    fn get(&self, key: &str) -> Option<Node<'v>> {
        self.map.get(key).map(|value| Node { value, path: self.node.path.key(key) })
    }
}

/// The problems recorded so far and the names declared so far, which later
/// fields refer to.
struct Decoder {
    problems: Vec<Raw>,
    /// Declared pool names, in file order (recorded even when a pool's size
    /// is wrong, so limits resolve).
    pools: Vec<String>,
    /// Declared link names, likewise.
    links: Vec<String>,
    /// Declared service names, likewise.
    services: Vec<String>,
    /// Declared queue names, likewise.
    queues: Vec<String>,
}

impl Decoder {
    /// The whole scenario. Fields are decoded in the order the model needs
    /// them: pools, links and services before the classes that refer to
    /// them, strategies before the SLOs scoped to them.
    fn scenario(&mut self, root: &Node) -> Option<Scenario> {
        let top = self.document(root, TOP_FIELDS, "a scenario object")?;
        let name = self.required(&top, "name", "the scenario's name").and_then(|n| self.name(&n));
        let description = self.optional(&top, "description", String::new(), |d, n| d.text(n).map(str::to_string));
        let seed = self.optional(&top, "seed", 1, |d, n| d.integer(n, 0, u64::MAX));
        let machine = self.optional(&top, "machine", Machine::default(), Decoder::machine);
        let horizon = self.optional(&top, "horizon", None, |d, n| d.positive_duration(n).map(Some));
        let warmup = self.optional(&top, "warmup", None, |d, n| d.warmup(n).map(Some));
        let pools = self.optional(&top, "pools", Vec::new(), Decoder::pools);
        let links = self.optional(&top, "links", Vec::new(), Decoder::links);
        let services = self.optional(&top, "services", Vec::new(), Decoder::services);
        let queues = self.optional(&top, "queues", Vec::new(), Decoder::queues);
        // Even with bad pools, their names are recorded, so limits resolve.
        let classes = self.required(&top, "classes", "the task classes").and_then(|n| self.classes(&n));
        let cores = machine.unwrap_or_default();
        let strategies =
            self.optional(&top, "strategies", strategies::default_strategies(cores), |d, n| d.strategies(n, cores));
        let classes_node = top.get("classes");
        let slos =
            self.optional(&top, "slos", Vec::new(), |d, n| d.slos(n, strategies.as_deref(), classes_node.as_ref()));
        let runtime = self.optional(&top, "runtime", Runtime::ideal(), Decoder::runtime);
        let (classes, horizon) = (classes?, horizon?);
        let classes = self.check_workers(classes, top.get("classes").as_ref(), strategies.as_deref(), &top)?;
        let warmup = match warmup? {
            Some((warmup, node)) => Some(self.check_warmup(warmup, &node, &classes, horizon)?),
            None => None,
        };
        Some(Scenario {
            name: name?.to_string(),
            description: description?,
            seed: seed?,
            machine: machine?,
            pools: pools?,
            links: links?,
            services: services?,
            queues: queues?,
            classes,
            strategies: strategies?,
            horizon,
            warmup,
            slos: slos?,
            runtime: runtime?,
        })
    }
}

/// The field of a document's top (a scenario, a profile file) that names
/// its JSON Schema for editors; read as a string and otherwise ignored.
pub const SCHEMA_KEY: &str = "$schema";

/// Keys that start with `_` are comments, in every object.
fn is_comment(key: &str) -> bool {
    key.starts_with('_')
}
