//! The latency percentile spectrum, as HdrHistogram plots it: x is the
//! percentile p on a log scale of 1/(1 − p), so 50 %, 90 %, 99 %, 99.9 % and
//! 99.99 % are evenly spaced and the tail gets as much room as the body; y
//! is the latency. One line per strategy, and an optional SLO line.

use super::style::{self, Swatch, TimeUnit};
use super::tips::Tips;
use super::{ChartError, ChartInput, StrategyKey, strategies, value_s, values_at_quantiles};
use crate::time::format_seconds;
use hdrhistogram::Histogram as HdrHistogram;
use plotters::coord::Shift;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The right end of the x axis: 1/(1 − 0.9999).
pub const MAX_X: f64 = crate::metrics::SPECTRUM_MAX_X;
/// Points per line, evenly spaced in log x.
pub const POINTS: usize = crate::metrics::SPECTRUM_POINTS;
/// Where the x axis is labelled: (1/(1 − p), label).
pub const X_LABELS: [(f64, &str); 6] =
    [(1.0, "0%"), (2.0, "50%"), (10.0, "90%"), (100.0, "99%"), (1e3, "99.9%"), (1e4, "99.99%")];

/// One strategy's curve: points (1/(1 − p), latency in seconds).
#[derive(Clone, Debug, PartialEq)]
pub struct SpectrumSeries {
    pub strategy: StrategyKey,
    pub points: Vec<(f64, f64)>,
}

/// What the percentile chart shows.
#[derive(Clone, Debug, PartialEq)]
pub struct SpectrumData {
    /// One per strategy, in the scenario's order; a strategy with no
    /// latencies (every task cancelled) has no points.
    pub series: Vec<SpectrumSeries>,
    /// A latency objective, in seconds.
    pub slo_s: Option<f64>,
    /// The largest latency of any strategy, in seconds.
    pub max_s: f64,
    /// The y axis is logarithmic: the strategies' medians are more than
    /// [`LOG_SPREAD`] apart, so a linear axis would flatten the fast ones.
    pub log_y: bool,
}

/// Medians further apart than this factor get a log latency axis.
pub use super::style::LOG_SPREAD;

/// The percentile whose x coordinate is `x`: p = 1 − 1/x.
pub fn percentile_at(x: f64) -> f64 {
    crate::metrics::spectrum_quantile(x)
}

/// The [`POINTS`] points `(1/(1 − p), latency in seconds)` of a latency
/// histogram (nanoseconds) whose exact maximum is `max_s`, by HdrHistogram's
/// definition (what report.json gives beyond
/// [`EXACT_SAMPLES`](crate::metrics::EXACT_SAMPLES) latencies).
pub fn spectrum(histogram: &HdrHistogram<u64>, max_s: f64) -> Vec<(f64, f64)> {
    let xs = crate::metrics::spectrum_xs();
    let quantiles: Vec<f64> = xs.iter().map(|&x| percentile_at(x)).collect();
    let values = values_at_quantiles(histogram, &quantiles);
    xs.into_iter().zip(values).map(|(x, v)| (x, value_s(histogram, v, max_s))).collect()
}

/// A result's spectrum as report.json gives its percentiles: its exact
/// `latency_spectrum_s` when it has one of [`POINTS`] values, else from its
/// histogram (`None` when that is empty or does not decode). The percentile
/// chart and `compare --format html`'s spectra both read it so.
pub fn points(exact: Option<&[f64]>, histogram: &str, max_s: f64) -> Option<Vec<(f64, f64)>> {
    match exact {
        Some(values) if values.len() == POINTS => {
            Some(crate::metrics::spectrum_xs().into_iter().zip(values.iter().copied()).collect())
        }
        _ => {
            let h = crate::report::histogram::decode(histogram).ok().filter(|h| !h.is_empty())?;
            Some(spectrum(&h, max_s))
        }
    }
}

pub fn data(input: &ChartInput) -> SpectrumData {
    let keys = strategies(input.report);
    let series = input
        .report
        .results
        .iter()
        .zip(keys)
        .map(|(result, strategy)| {
            let points = points(result.latency_spectrum_s.as_deref(), &result.histogram, result.latency_s.max)
                .unwrap_or_default();
            SpectrumSeries { strategy, points }
        })
        .collect();
    let max_s = input.report.results.iter().map(|r| r.latency_s.max).fold(0.0, f64::max);
    let medians: Vec<f64> =
        input.report.results.iter().filter(|r| r.tasks.arrived > r.tasks.cancelled).map(|r| r.latency_s.p50).collect();
    let log_y = style::far_apart(medians);
    SpectrumData { series, slo_s: input.slo_s, max_s, log_y }
}

pub fn draw<DB: DrawingBackend>(
    data: &SpectrumData,
    root: &DrawingArea<DB, Shift>,
    tips: &mut Tips,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let (width, _) = root.dim_in_pixel();
    let mut legend: Vec<(Swatch, String)> =
        data.series.iter().map(|s| (Swatch::Strategy(s.strategy.index), s.strategy.name.clone())).collect();
    if let Some(slo) = data.slo_s {
        legend.push((Swatch::Dashed(style::INK), format!("SLO {}", crate::time::format_seconds(slo))));
    }
    let legend_height = style::draw_legend(root, (90, 46), width as i32 - 30, &legend)?;
    let body = root.margin(50 + legend_height as u32, 10, 10, 30);
    let top_s = data.max_s.max(data.slo_s.unwrap_or(0.0));
    if data.log_y {
        let low = data
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.1))
            .chain(data.slo_s)
            .filter(|v| *v > 0.0)
            .fold(f64::INFINITY, f64::min);
        let (low, high) = (low / 1.3, top_s * 1.3);
        let to_y = move |v: f64| v.max(low);
        let y = (low..high).log_scale().with_key_points(style::log_ticks(low, high));
        plot(data, root, &body, y, to_y, (&|v| style::time_tick(*v), "latency (log scale)".into()), tips)
    } else {
        let unit = TimeUnit::for_range(top_s);
        let to_y = move |v: f64| unit.of(v);
        let desc = format!("latency ({})", unit.name);
        let y = 0f64..style::headroom(unit.of(top_s));
        plot(data, root, &body, y, to_y, (&|v| style::tick(*v), desc), tips)
    }
}

/// Draws the axes and lines with y coordinates `y` (linear or log), the y
/// axis labelled by `(tick label, axis title)`.
fn plot<DB, Y>(
    data: &SpectrumData,
    root: &DrawingArea<DB, Shift>,
    body: &DrawingArea<DB, Shift>,
    y: Y,
    to_y: impl Fn(f64) -> f64,
    (y_label, y_desc): (&dyn Fn(&f64) -> String, String),
    tips: &mut Tips,
) -> Result<(), ChartError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let mut chart = ChartBuilder::on(body)
        .x_label_area_size(60)
        .y_label_area_size(90)
        .build_cartesian_2d((1f64..MAX_X).log_scale(), y)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .x_label_formatter(&|_| String::new())
        .y_labels(20)
        .y_label_formatter(y_label)
        .y_desc(y_desc)
        .x_desc("percentile")
        .axis_desc_style(style::text(style::TEXT_SIZE))
        .label_style(style::text(style::TEXT_SIZE))
        .max_light_lines(1)
        .light_line_style(style::GRID.mix(0.5))
        .bold_line_style(style::GRID)
        .draw()?;

    // The percentile labels, at their own places on the log axis.
    let y_range = chart.plotting_area().get_y_range();
    let label = style::text(style::TEXT_SIZE).color(&style::INK).pos(Pos::new(HPos::Center, VPos::Top));
    for (x, name) in X_LABELS {
        chart.draw_series(LineSeries::new([(x, y_range.start), (x, y_range.end)], style::GRID.stroke_width(1)))?;
        let (px, py) = chart.backend_coord(&(x, y_range.start));
        root.draw_text(name, &label, (px, py + 8))?;
    }
    if let Some(slo) = data.slo_s {
        let y = to_y(slo);
        chart.draw_series(DashedLineSeries::new([(1.0, y), (MAX_X, y)], 8, 6, style::INK.stroke_width(2)))?;
    }
    // Later lines are drawn thinner, and each strategy has its own dash
    // pattern and marker, so a line they cover still shows.
    let widths = |i: usize| (5u32.saturating_sub(i as u32)).max(2);
    for (i, s) in data.series.iter().enumerate() {
        let line = s.points.iter().map(|&(x, v)| chart.backend_coord(&(x, to_y(v)))).collect();
        style::draw_strategy_line(root, line, s.strategy.index, widths(i))?;
    }
    // A marker and a tooltip at each labelled percentile but 0 %.
    for s in &data.series {
        let colour = style::strategy_colour(s.strategy.index);
        for &(x, name) in &X_LABELS[1..] {
            let Some(&(px, v)) = s.points.iter().min_by(|a, b| (a.0 / x).ln().abs().total_cmp(&(b.0 / x).ln().abs()))
            else {
                continue;
            };
            let at = chart.backend_coord(&(px, to_y(v)));
            style::draw_marker(root, style::strategy_marker(s.strategy.index), at, colour)?;
            tips.point(at, format!("{} · p{}: {}", s.strategy.name, name.trim_end_matches('%'), format_seconds(v)));
        }
    }
    if data.series.iter().all(|s| s.points.is_empty()) {
        let (width, _) = root.dim_in_pixel();
        style::draw_note(root, "no task has a latency (all were cancelled)", (width as i32 / 2, 350))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::LatencyRecorder;

    fn recorded(values: impl IntoIterator<Item = u64>) -> LatencyRecorder {
        let mut r = LatencyRecorder::default();
        values.into_iter().for_each(|v| r.record(v));
        r
    }

    #[test]
    fn points_are_the_exact_spectrum_when_a_report_has_one() {
        let r = recorded((1..=10).map(|s| s * 1_000_000_000));
        let exact = r.spectrum_s().unwrap();
        let drawn = points(Some(&exact), &r.encoded(), 10.0).unwrap();
        assert_eq!(drawn.iter().map(|p| p.1).collect::<Vec<_>>(), exact);
        assert_eq!(drawn.iter().map(|p| p.0).collect::<Vec<_>>(), crate::metrics::spectrum_xs());
    }

    #[test]
    fn points_come_from_the_histogram_without_an_exact_spectrum() {
        let r = recorded((1..=10).map(|s| s * 1_000_000_000));
        let from_histogram = spectrum(r.histogram(), 10.0);
        assert_eq!(points(None, &r.encoded(), 10.0), Some(from_histogram.clone()));
        // A spectrum of the wrong length (a report edited by hand) is not drawn.
        assert_eq!(points(Some(&[1.0, 2.0]), &r.encoded(), 10.0), Some(from_histogram));
        assert_eq!(points(None, "not base64!", 10.0), None);
    }
}
