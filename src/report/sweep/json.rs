//! sweep.json (`simbench.sweep/v1`): a header, then one point per line.
//!
//! ```text
//! {
//!   "schema": "simbench.sweep/v1",
//!   "scenario": {…}, "fixed": {…}, "parameters": […], "slos": […], "strategies": […],   (one line each)
//!   "points_total": 12,
//!   "shard": {"index":1,"count":2},        (a shard's output only)
//!   "missing": [5, 7],                     (points not run: interrupted, or not in any merged shard)
//!   "points": [
//!     {"index":0,"set":{…},"results":[…]},
//!     …
//!   ]
//! }
//! ```
//!
//! docs/capacity.md describes every field.

use super::{HEADER_PARTS, SCHEMA, SweepFile};
use crate::sweep::Shard;
use serde::Deserialize;
use serde_json::value::RawValue;

/// The document's text.
pub fn render(file: &SweepFile) -> String {
    let mut out = format!("{{\n  \"schema\": \"{SCHEMA}\",\n");
    for (key, value) in &file.header {
        out.push_str(&format!("  \"{key}\": {},\n", value.get()));
    }
    out.push_str(&format!("  \"points_total\": {},\n", file.points_total));
    if let Some(shard) = file.shard {
        out.push_str(&format!("  \"shard\": {},\n", serde_json::to_string(&shard).expect("serialises")));
    }
    if !file.missing.is_empty() {
        out.push_str(&format!("  \"missing\": {},\n", serde_json::to_string(&file.missing).expect("serialises")));
    }
    out.push_str("  \"points\": [");
    for (i, point) in file.points.iter().enumerate() {
        out.push_str(if i == 0 { "\n    " } else { ",\n    " });
        out.push_str(point.get());
    }
    out.push_str(if file.points.is_empty() { "]\n}\n" } else { "\n  ]\n}\n" });
    out
}

#[derive(Deserialize)]
struct Raw {
    schema: String,
    scenario: Box<RawValue>,
    fixed: Box<RawValue>,
    parameters: Box<RawValue>,
    slos: Box<RawValue>,
    strategies: Box<RawValue>,
    points_total: usize,
    shard: Option<ShardRaw>,
    #[serde(default)]
    missing: Vec<usize>,
    points: Vec<Box<RawValue>>,
}

#[derive(Deserialize)]
struct ShardRaw {
    index: usize,
    count: usize,
}

/// Reads sweep.json text back.
pub fn parse(text: &str) -> Result<SweepFile, String> {
    let raw: Raw = serde_json::from_str(text).map_err(|e| format!("not a sweep.json: {e}"))?;
    if raw.schema != SCHEMA {
        return Err(format!("schema \"{}\", expected \"{SCHEMA}\"", raw.schema));
    }
    let parts = [raw.scenario, raw.fixed, raw.parameters, raw.slos, raw.strategies];
    Ok(SweepFile {
        header: HEADER_PARTS.into_iter().zip(parts).collect(),
        points_total: raw.points_total,
        shard: raw.shard.map(|s| Shard { index: s.index, count: s.count }),
        missing: raw.missing,
        points: raw.points,
    })
}
