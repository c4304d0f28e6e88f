//! A sweep's outputs: sweep.json ([`json`], the `simbench.sweep/v1`
//! document), sweep.csv ([`csv`]), and [`merge`] of shard outputs.
//!
//! A [`SweepFile`] keeps each part and each point as the exact JSON text
//! written (one line each), so merging shards copies points byte for byte:
//! shards merged are the same bytes as the sweep run whole.

pub mod csv;
pub mod json;

use crate::sweep::{PointResult, Shard, Study};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// The sweep format's schema identifier.
pub const SCHEMA: &str = "simbench.sweep/v1";

/// What was swept, as written in sweep.json's header.
#[derive(Clone, Debug, Serialize)]
pub struct Header {
    pub scenario: ScenarioHeader,
    /// Fields set to one value at every point.
    pub fixed: Map<String, Value>,
    pub parameters: Vec<ParameterHeader>,
    /// The SLOs each point is checked against, in canonical form.
    pub slos: Vec<SloHeader>,
    /// Strategy labels, in scenario order.
    pub strategies: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ScenarioHeader {
    pub name: String,
    pub file: String,
    pub sha256: String,
    pub seed: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct ParameterHeader {
    pub path: String,
    pub values: Vec<Value>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SloHeader {
    pub threshold: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strategy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
}

impl Header {
    /// The header of a study of the scenario file with this SHA-256.
    pub fn of(study: &Study, sha256: &str) -> Result<Header, crate::sweep::SweepError> {
        let base = study.base()?;
        Ok(Header {
            scenario: ScenarioHeader {
                name: base.name.clone(),
                file: study.file.clone(),
                sha256: sha256.to_string(),
                seed: base.seed,
            },
            fixed: study.fixed.iter().map(|p| (p.path.text.clone(), p.values[0].clone())).collect(),
            parameters: study
                .grid
                .iter()
                .map(|p| ParameterHeader { path: p.path.text.clone(), values: p.values.clone() })
                .collect(),
            slos: base
                .slos
                .iter()
                .map(|s| SloHeader {
                    threshold: s.threshold.text.clone(),
                    strategy: s.strategy.clone(),
                    class: s.class.clone(),
                })
                .collect(),
            strategies: base.strategies.iter().map(|s| s.label.clone()).collect(),
        })
    }
}

/// sweep.json, part by part, each as the JSON text written.
#[derive(Debug)]
pub struct SweepFile {
    /// `scenario`, `fixed`, `parameters`, `slos`, `strategies`.
    pub header: Vec<(&'static str, Box<RawValue>)>,
    pub points_total: usize,
    pub shard: Option<Shard>,
    /// Points of this file's share that are not in it (interrupted).
    pub missing: Vec<usize>,
    /// In point order.
    pub points: Vec<Box<RawValue>>,
}

/// Header parts, in the order written.
pub const HEADER_PARTS: [&str; 5] = ["scenario", "fixed", "parameters", "slos", "strategies"];

fn raw<T: Serialize + ?Sized>(value: &T) -> Box<RawValue> {
    serde_json::value::to_raw_value(value).expect("sweep values serialise")
}

impl SweepFile {
    /// The file for a run of `points` (in point order; `None` for a point not finished).
    pub fn new(
        header: &Header,
        points_total: usize,
        shard: Option<Shard>,
        points: &[(usize, Option<PointResult>)],
    ) -> SweepFile {
        let value = serde_json::to_value(header).expect("headers serialise");
        SweepFile {
            header: HEADER_PARTS.iter().map(|k| (*k, raw(&value[*k]))).collect(),
            points_total,
            shard,
            missing: points.iter().filter(|(_, p)| p.is_none()).map(|(i, _)| *i).collect(),
            points: points.iter().filter_map(|(_, p)| p.as_ref()).map(raw).collect(),
        }
    }

    /// The index of every point, in file order.
    pub fn indices(&self) -> Vec<usize> {
        self.points.iter().map(|p| point_index(p).unwrap_or(usize::MAX)).collect()
    }

    /// Every point parsed, in file order.
    pub fn point_values(&self) -> Vec<Value> {
        self.points.iter().map(|p| serde_json::from_str(p.get()).unwrap_or(Value::Null)).collect()
    }

    /// A header part parsed.
    pub fn header_value(&self, part: &str) -> Value {
        self.header
            .iter()
            .find(|(k, _)| *k == part)
            .and_then(|(_, v)| serde_json::from_str(v.get()).ok())
            .unwrap_or(Value::Null)
    }
}

fn point_index(raw: &RawValue) -> Option<usize> {
    #[derive(serde::Deserialize)]
    struct Index {
        index: usize,
    }
    serde_json::from_str::<Index>(raw.get()).ok().map(|i| i.index)
}

/// Why shard outputs cannot be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("nothing to merge")]
    Empty,
    #[error("{file}: {message}")]
    Read { file: String, message: String },
    #[error(
        "{file} is not a shard of the same sweep as {first}: its \"{part}\" differs\n  hint: merge only outputs of one `simbench sweep` command run with different --shard"
    )]
    Mismatch { file: String, first: String, part: String },
    #[error("{file} and {other} both hold point {index} with different figures")]
    Conflict { file: String, other: String, index: usize },
}

/// Joins shard outputs (each named for messages) into one sweep: every point
/// once, in point order; points no file holds are listed as missing.
pub fn merge(files: Vec<(String, SweepFile)>) -> Result<SweepFile, MergeError> {
    let mut files = files.into_iter();
    let (first_name, first) = files.next().ok_or(MergeError::Empty)?;
    let total = first.points_total;
    let mut points: Vec<Option<(String, Box<RawValue>)>> = vec![None; total];
    let mut add = |name: &str, file: SweepFile| -> Result<(), MergeError> {
        for (index, p) in file.indices().into_iter().zip(file.points) {
            let slot = points.get_mut(index).ok_or_else(|| MergeError::Read {
                file: name.to_string(),
                message: format!("point {index} is past the sweep's {total} points"),
            })?;
            match slot {
                Some((other, existing)) if existing.get() != p.get() => {
                    return Err(MergeError::Conflict { file: name.to_string(), other: other.clone(), index });
                }
                Some(_) => {}
                None => *slot = Some((name.to_string(), p)),
            }
        }
        Ok(())
    };
    let header: Vec<(&'static str, Box<RawValue>)> = first.header.clone();
    add(&first_name, first)?;
    for (name, file) in files {
        for ((part, a), (_, b)) in header.iter().zip(&file.header) {
            if a.get() != b.get() {
                return Err(MergeError::Mismatch { file: name, first: first_name, part: part.to_string() });
            }
        }
        if file.points_total != total {
            return Err(MergeError::Mismatch { file: name, first: first_name, part: "points_total".into() });
        }
        add(&name, file)?;
    }
    let missing = points.iter().enumerate().filter(|(_, p)| p.is_none()).map(|(i, _)| i).collect();
    Ok(SweepFile {
        header,
        points_total: total,
        shard: None,
        missing,
        points: points.into_iter().flatten().map(|(_, p)| p).collect(),
    })
}
