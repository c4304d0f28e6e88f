//! Charts of a run, as SVG and PNG (plotters, no system fonts).
//!
//! Each chart is a module with two pure functions:
//! - `data(&ChartInput) -> …Data`: the figures the chart shows, as plain
//!   values (series named after strategies, points in seconds), which tests
//!   check directly;
//! - `draw(&…Data, area)`: draws them on any plotters backend.
//!
//! [`render`] runs both for one chart and returns SVG text and PNG bytes;
//! nothing here touches files. The charts read the report (percentiles and
//! distributions come from its encoded HdrHistograms, so they could be
//! redrawn from report.json alone) and, for the timeline and flow charts,
//! the [`Timeline`]s the metrics stage recorded.
//!
//! The SVG carries a `<title>` tooltip over each bar, lane and labelled
//! point ([`tips`]); a chart's `draw` records them as it draws.
//!
//! Invariants: the same input gives the same SVG bytes and PNG bytes (no
//! clock, no hash-map iteration, the embedded font); the strategy at index
//! *i* has colour [`style::strategy_colour`]`(i)` in every chart; scenario
//! text reaches SVG only through plotters' text elements, which escape it.

pub mod distribution;
pub mod flow;
pub mod glyphs;
pub mod percentiles;
pub mod style;
pub mod summary;
pub mod sweep;
pub mod timeline;
pub mod tips;
pub mod utilisation;

use super::Report;
use crate::metrics::{StrategyResult, Timeline};
use glyphs::EvenText;
use hdrhistogram::Histogram as HdrHistogram;
use plotters::coord::Shift;
use plotters::prelude::{
    BitMapBackend, DrawingArea, DrawingAreaErrorKind, DrawingBackend, IntoDrawingArea, SVGBackend,
};
use tips::Tips;

/// What the charts are drawn from.
#[derive(Clone, Copy, Debug)]
pub struct ChartInput<'a> {
    pub report: &'a Report,
    /// One per result, in the report's order; empty if none was recorded
    /// (the timeline and flow charts are then empty).
    pub timelines: &'a [Timeline],
    /// A latency objective in seconds, drawn on the percentile chart.
    pub slo_s: Option<f64>,
}

impl<'a> ChartInput<'a> {
    /// The input for `report`, with the percentile chart's SLO line taken
    /// from the report's SLOs (see [`latency_slo`]).
    pub fn new(report: &'a Report, timelines: &'a [Timeline]) -> Self {
        ChartInput { report, timelines, slo_s: latency_slo(report) }
    }
}

/// The tightest latency objective that applies to all tasks (`latency p99 <
/// 500ms`, any percentile), in seconds: the line the percentile chart draws.
pub fn latency_slo(report: &Report) -> Option<f64> {
    report
        .slos
        .iter()
        .filter(|slo| slo.metric.starts_with("latency.") && slo.class.is_none() && slo.unit == "s")
        .map(|slo| slo.bound)
        .min_by(f64::total_cmp)
}

/// The charts of a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Chart {
    Percentiles,
    Distribution,
    Timeline,
    Flow,
    Summary,
    /// Scenarios with links or services only: not in [`Chart::ALL`] (see
    /// [`Chart::of`]).
    Utilisation,
}

impl Chart {
    /// Every chart, in the order report.html shows them.
    pub const ALL: [Chart; 5] = [Chart::Summary, Chart::Percentiles, Chart::Distribution, Chart::Timeline, Chart::Flow];

    /// The charts of `report`, in the order report.html shows them: every
    /// chart, and the utilisation chart when the scenario has links or
    /// services.
    pub fn of(report: &Report) -> Vec<Chart> {
        let mut charts = Chart::ALL.to_vec();
        if report.results.iter().any(|r| r.bottleneck.is_some()) {
            charts.push(Chart::Utilisation);
        }
        charts
    }

    /// The file name without extension (`percentiles` → percentiles.svg).
    pub fn file_stem(self) -> &'static str {
        match self {
            Chart::Percentiles => "percentiles",
            Chart::Distribution => "distribution",
            Chart::Timeline => "timeline",
            Chart::Flow => "flow",
            Chart::Summary => "summary",
            Chart::Utilisation => "utilisation",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Chart::Percentiles => "Latency by percentile",
            Chart::Distribution => "Latency distribution",
            Chart::Timeline => "Timeline of the first tasks",
            Chart::Flow => "Tasks in flight and completions over time",
            Chart::Summary => "Strategies compared",
            Chart::Utilisation => "Utilisation of shared resources over time",
        }
    }

    /// One sentence on how to read the chart.
    pub fn caption(self) -> &'static str {
        match self {
            Chart::Percentiles => {
                "Latency at each percentile, on HdrHistogram's log scale of 1/(1 − p): the right end is the tail."
            }
            Chart::Distribution => {
                "Share of tasks per latency bin (bars) and the cumulative share (dashed, right axis)."
            }
            Chart::Timeline => {
                "What each of the first tasks was doing at every moment, per strategy; under cooperative, the top lane shows what occupied the event loop."
            }
            Chart::Flow => "Mean tasks in flight and completions per second, in equal buckets of virtual time.",
            Chart::Summary => "Makespan, p99 latency, peak threads and modelled memory of each strategy.",
            Chart::Utilisation => {
                "Busy fraction of each shared resource in equal bins of virtual time, per strategy: a line at 100% is the bottleneck."
            }
        }
    }
}

impl std::fmt::Display for Chart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.file_stem())
    }
}

/// A chart drawn both ways.
#[derive(Clone, Debug)]
pub struct Rendered {
    pub chart: Chart,
    pub svg: String,
    pub png: Vec<u8>,
}

/// Drawing failed (a plotters or PNG encoder error: not expected with the
/// embedded font).
#[derive(Debug, thiserror::Error)]
#[error("cannot draw the chart: {0}")]
pub struct ChartError(String);

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for ChartError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        ChartError(e.to_string())
    }
}

/// A chart's figures.
#[derive(Clone, Debug, PartialEq)]
pub enum Figures {
    Percentiles(percentiles::SpectrumData),
    Distribution(distribution::DistributionData),
    Timeline(timeline::TimelineData),
    Flow(flow::FlowData),
    Summary(summary::SummaryData),
    Utilisation(utilisation::UtilisationData),
}

/// Everything one chart shows: the scenario's name (in the title) and the
/// figures.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartData {
    pub scenario: String,
    pub figures: Figures,
}

impl ChartData {
    pub fn of(chart: Chart, input: &ChartInput) -> ChartData {
        let figures = match chart {
            Chart::Percentiles => Figures::Percentiles(percentiles::data(input)),
            Chart::Distribution => Figures::Distribution(distribution::data(input)),
            Chart::Timeline => Figures::Timeline(timeline::data(input)),
            Chart::Flow => Figures::Flow(flow::data(input)),
            Chart::Summary => Figures::Summary(summary::data(input)),
            Chart::Utilisation => Figures::Utilisation(utilisation::data(input)),
        };
        ChartData { scenario: input.report.scenario.name.clone(), figures }
    }

    pub fn chart(&self) -> Chart {
        match self.figures {
            Figures::Percentiles(_) => Chart::Percentiles,
            Figures::Distribution(_) => Chart::Distribution,
            Figures::Timeline(_) => Chart::Timeline,
            Figures::Flow(_) => Chart::Flow,
            Figures::Summary(_) => Chart::Summary,
            Figures::Utilisation(_) => Chart::Utilisation,
        }
    }

    /// The title drawn at the top: the chart's and the scenario's name.
    pub fn title(&self) -> String {
        let chart = match &self.figures {
            Figures::Timeline(d) => d.title(),
            _ => self.chart().title().to_string(),
        };
        format!("{chart} · {}", self.scenario)
    }

    /// Draws on `root`, which is [`style::SIZE`] pixels, adding the
    /// tooltips of what it draws to `tips`.
    pub fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, tips: &mut Tips) -> Result<(), ChartError>
    where
        DB::ErrorType: 'static,
    {
        style::register_font();
        root.fill(&plotters::style::WHITE)?;
        style::draw_title(root, &self.title())?;
        match &self.figures {
            Figures::Percentiles(d) => percentiles::draw(d, root, tips),
            Figures::Distribution(d) => distribution::draw(d, root, tips),
            Figures::Timeline(d) => timeline::draw(d, root, tips),
            Figures::Flow(d) => flow::draw(d, root, tips),
            Figures::Summary(d) => summary::draw(d, root, tips),
            Figures::Utilisation(d) => utilisation::draw(d, root, tips),
        }?;
        root.present()?;
        Ok(())
    }

    /// The chart as SVG text, with its tooltips laid over it.
    pub fn svg(&self) -> Result<String, ChartError> {
        let mut out = String::new();
        let mut tips = Tips::default();
        {
            let root = SVGBackend::with_string(&mut out, style::SIZE).into_drawing_area();
            self.draw(&root, &mut tips)?;
        }
        Ok(tips.insert(&out))
    }

    /// The chart as PNG bytes (8-bit RGB).
    pub fn png(&self) -> Result<Vec<u8>, ChartError> {
        encode_png(|root| self.draw(root, &mut Tips::default()))
    }
}

/// Draws with `draw` on a [`style::SIZE`] bitmap (its text evenly spaced,
/// [`glyphs`]) and encodes it as PNG (8-bit RGB).
pub fn encode_png(
    draw: impl FnOnce(&DrawingArea<EvenText<BitMapBackend>, Shift>) -> Result<(), ChartError>,
) -> Result<Vec<u8>, ChartError> {
    let (w, h) = style::SIZE;
    let mut pixels = vec![255u8; w as usize * h as usize * 3];
    {
        let root = EvenText(BitMapBackend::with_buffer(&mut pixels, style::SIZE)).into_drawing_area();
        draw(&root)?;
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let png_error = |e: png::EncodingError| ChartError(format!("PNG encoding: {e}"));
    let mut writer = encoder.write_header().map_err(png_error)?;
    writer.write_image_data(&pixels).map_err(png_error)?;
    writer.finish().map_err(png_error)?;
    Ok(out)
}

/// Draws one chart as SVG and PNG.
pub fn render(chart: Chart, input: &ChartInput) -> Result<Rendered, ChartError> {
    let data = ChartData::of(chart, input);
    Ok(Rendered { chart, svg: data.svg()?, png: data.png()? })
}

/// Draws every chart of the report, in [`Chart::of`] order, each on its own thread (the
/// result does not depend on which finishes first).
pub fn render_all(input: &ChartInput) -> Result<Vec<Rendered>, ChartError> {
    style::register_font();
    std::thread::scope(|scope| {
        let drawings: Vec<_> =
            Chart::of(input.report).into_iter().map(|chart| scope.spawn(move || render(chart, input))).collect();
        drawings.into_iter().map(|d| d.join().expect("a chart's drawing panicked")).collect()
    })
}

/// A strategy's name and colour index, as every chart's series carry them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StrategyKey {
    pub name: String,
    /// Index into the scenario's strategies: picks the colour.
    pub index: usize,
}

fn strategies(report: &Report) -> Vec<StrategyKey> {
    report.results.iter().enumerate().map(|(index, r)| StrategyKey { name: r.strategy.clone(), index }).collect()
}

/// The result's latency histogram (nanoseconds), decoded from the report.
pub fn latency_histogram(result: &StrategyResult) -> Option<HdrHistogram<u64>> {
    use base64::Engine;
    use hdrhistogram::serialization::Deserializer;
    let bytes = base64::engine::general_purpose::STANDARD.decode(&result.histogram).ok()?;
    let histogram: HdrHistogram<u64> = Deserializer::new().deserialize(&mut bytes.as_slice()).ok()?;
    (!histogram.is_empty()).then_some(histogram)
}

/// [`HdrHistogram::value_at_quantile`] of each of `quantiles`, which must
/// ascend: the same values, in one pass over the recorded buckets instead of
/// a scan of every bucket per quantile (the percentile chart asks for 401).
pub fn values_at_quantiles(histogram: &HdrHistogram<u64>, quantiles: &[f64]) -> Vec<u64> {
    debug_assert!(quantiles.windows(2).all(|w| w[0] <= w[1]), "quantiles ascend");
    let total = histogram.len();
    let mut buckets = histogram.iter_recorded();
    let (mut below, mut reached) = (0u64, None);
    quantiles
        .iter()
        .map(|&q| {
            let q = q.min(1.0);
            // As `value_at_quantile`: the first bucket whose running count
            // reaches ⌈q·total⌉, at least the first recorded one.
            let target = ((q * total as f64).ceil() as u64).max(1);
            while below < target {
                let Some(bucket) = buckets.next() else { break };
                below += bucket.count_at_value();
                reached = Some(bucket.value_iterated_to());
            }
            match reached {
                Some(value) if below >= target && q == 0.0 => histogram.lowest_equivalent(value),
                Some(value) if below >= target => value,
                _ => 0,
            }
        })
        .collect()
}

/// A recorded value as report.json gives percentiles: its bucket's
/// midpoint, never above the exact maximum, to four significant digits
/// (seconds).
fn value_s(histogram: &HdrHistogram<u64>, value: u64, max_s: f64) -> f64 {
    crate::metrics::round_significant((histogram.median_equivalent(value) as f64 / 1e9).min(max_s), 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every quantile the percentile chart asks for, and the ends.
    fn grid() -> Vec<f64> {
        let mut qs: Vec<f64> = (0..percentiles::POINTS)
            .map(|i| {
                let x = 10f64.powf(percentiles::MAX_X.log10() * i as f64 / (percentiles::POINTS - 1) as f64);
                percentiles::percentile_at(x)
            })
            .collect();
        qs.extend([0.99999, 1.0, 1.5]);
        qs
    }

    fn histogram(values: impl IntoIterator<Item = (u64, u64)>) -> HdrHistogram<u64> {
        let mut h = HdrHistogram::<u64>::new(3).unwrap();
        for (value, count) in values {
            h.record_n(value, count).unwrap();
        }
        h
    }

    #[test]
    fn values_at_quantiles_equal_value_at_quantile() {
        let skewed = (1..2_000u64).map(|i| (i * i * 977 + 13, 1 + i % 7));
        let cases = [
            histogram([]),
            histogram([(5_000_000, 1)]),
            histogram([(1, 3), (1_000_000_000, 1)]),
            histogram(skewed),
            histogram((0..100u64).map(|i| (100_000_000 + i * 1_000, 10))),
        ];
        let quantiles = grid();
        for h in &cases {
            let one_pass = values_at_quantiles(h, &quantiles);
            let each: Vec<u64> = quantiles.iter().map(|&q| h.value_at_quantile(q)).collect();
            assert_eq!(one_pass, each, "histogram of {} values", h.len());
        }
    }
}
