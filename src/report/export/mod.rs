//! The `--export` files, for CI tools and spreadsheets: one module per
//! format, each an [`Exporter`] that serializes a run's [`Input`] into the
//! files it writes beside report.json.
//!
//! | [`Format`] | exporter | files |
//! | --- | --- | --- |
//! | `junit` | [`junit::JunitExporter`] | junit.xml: SLO checks and, with `--baseline`, limits |
//! | `hgrm` | [`hgrm::HgrmExporter`] | STRATEGY.hgrm: HdrHistogram percentile distributions |
//! | `hlog` | [`hlog::HlogExporter`] | latency.hlog: HdrHistogram interval log |
//! | `csv` | [`csv::CsvExporter`] | summary.csv, classes.csv (and services.csv, links.csv, queues.csv): tidy tables of every figure |
//! | `bmf` | [`bmf::BmfExporter`] | bmf.json: Bencher Metric Format |
//! | `benchmark-action` | [`benchmark_action::BenchmarkActionExporter`] | benchmark-action-smaller.json, benchmark-action-bigger.json: github-action-benchmark's custom JSON |
//!
//! The two dashboard formats share [`tracked`]: which benchmarks a report
//! holds, their stable names and the figures each carries.
//!
//! [`Format::exporter`] is the one place a format becomes its exporter, and
//! [`serialize`] the one place the chosen formats are run: each once, in
//! [`Format::ALL`] order whatever order they were asked in, all before any
//! file is written, so a failed export leaves no partial set.
//!
//! Invariant: exporters only read the report (and the comparison, and for
//! latency.hlog the metrics stage's intervals), so the same run always
//! gives the same bytes.

pub mod benchmark_action;
pub mod bmf;
pub mod csv;
pub mod hgrm;
pub mod hlog;
pub mod junit;
pub mod tracked;

use super::Report;
use super::compare::ScenarioComparison;
use super::histogram::HistogramError;
use crate::metrics::intervals::IntervalSeries;

/// What an export reads.
#[derive(Clone, Copy, Debug)]
pub struct Input<'a> {
    pub report: &'a Report,
    /// The comparison with `--baseline`, when the run had one.
    pub baseline: Option<&'a ScenarioComparison>,
    /// `--strict`: in junit.xml, any change from the baseline fails.
    pub strict: bool,
    /// Each strategy's latency per interval of virtual time, for
    /// latency.hlog; empty when not recorded (see [`hlog`]).
    pub intervals: &'a [IntervalSeries],
}

/// One file an export writes, named relative to the run's output directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

impl ExportFile {
    pub fn new(name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        ExportFile { name: name.into(), bytes: bytes.into() }
    }
}

/// An export format's writer.
pub trait Exporter {
    /// The files of this format for `input`, named and serialized.
    fn serialize(&self, input: &Input<'_>) -> Result<Vec<ExportFile>, ExportError>;
}

/// Why an export could not be made (a failure to write output).
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A report's histogram did not decode.
    #[error("cannot decode the histogram of {label}: {message}")]
    Histogram { label: String, message: String },
    /// A CSV export could not be written.
    #[error("cannot write CSV: {0}")]
    Csv(#[from] ::csv::Error),
}

impl ExportError {
    fn histogram(label: &str, error: HistogramError) -> Self {
        ExportError::Histogram { label: label.to_string(), message: error.to_string() }
    }
}

/// An export format, as `--export` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Junit,
    Hgrm,
    Hlog,
    Csv,
    Bmf,
    BenchmarkAction,
}

impl Format {
    /// Every format, in the order their files are made.
    pub const ALL: [Format; 6] =
        [Format::Junit, Format::Hgrm, Format::Hlog, Format::Csv, Format::Bmf, Format::BenchmarkAction];

    /// The exporter that writes this format.
    pub fn exporter(self) -> &'static dyn Exporter {
        match self {
            Format::Junit => &junit::JunitExporter,
            Format::Hgrm => &hgrm::HgrmExporter,
            Format::Hlog => &hlog::HlogExporter,
            Format::Csv => &csv::CsvExporter,
            Format::Bmf => &bmf::BmfExporter,
            Format::BenchmarkAction => &benchmark_action::BenchmarkActionExporter,
        }
    }
}

/// The files of every format in `formats`, each format once and in
/// [`Format::ALL`] order.
pub fn serialize(formats: &[Format], input: &Input<'_>) -> Result<Vec<ExportFile>, ExportError> {
    let mut files = Vec::new();
    for format in Format::ALL.into_iter().filter(|f| formats.contains(f)) {
        files.extend(format.exporter().serialize(input)?);
    }
    Ok(files)
}
