//! The latency distribution of every strategy, overlaid: a histogram (the
//! share of tasks per bin, bars grouped by strategy) and its cumulative
//! share (dashed, right axis). Bins are equal on a log scale, so latencies
//! a hundred times apart (a blocked loop against a free one) share one
//! chart.

use super::style::{self, Swatch};
use super::tips::Tips;
use super::{ChartError, ChartInput, StrategyKey, latency_histogram, strategies, value_s};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Bins of the histogram.
pub const BINS: usize = 40;

/// One strategy's histogram and cumulative distribution.
#[derive(Clone, Debug, PartialEq)]
pub struct DistributionSeries {
    pub strategy: StrategyKey,
    /// Tasks with a latency (its histogram's count).
    pub count: u64,
    /// Per bin: the share of the strategy's tasks, from 0 to 1.
    pub share: Vec<f64>,
    /// Per bin: the share of tasks at or below the bin's upper edge.
    pub cumulative: Vec<f64>,
}

/// What the distribution chart shows.
#[derive(Clone, Debug, PartialEq)]
pub struct DistributionData {
    /// `BINS + 1` bin edges in seconds, growing geometrically.
    pub edges: Vec<f64>,
    pub series: Vec<DistributionSeries>,
}

pub fn data(input: &ChartInput) -> DistributionData {
    let histograms: Vec<_> = input.report.results.iter().map(latency_histogram).collect();
    let max = input.report.results.iter().map(|r| r.latency_s.max).fold(0.0, f64::max);
    let min = input
        .report
        .results
        .iter()
        .zip(&histograms)
        .filter_map(|(r, h)| h.as_ref().map(|h| value_s(h, h.min(), r.latency_s.max)))
        .fold(f64::INFINITY, f64::min);
    let edges = edges(min, max);
    let (lo, hi) = (edges[0], edges[BINS]);
    let bin = |v: f64| {
        let at = (v.max(lo) / lo).ln() / (hi / lo).ln() * BINS as f64;
        (at.floor().max(0.0) as usize).min(BINS - 1)
    };
    let series = input
        .report
        .results
        .iter()
        .zip(histograms)
        .zip(strategies(input.report))
        .map(|((result, histogram), strategy)| {
            let mut counts = vec![0u64; BINS];
            let mut count = 0;
            if let Some(h) = &histogram {
                for v in h.iter_recorded() {
                    counts[bin(value_s(h, v.value_iterated_to(), result.latency_s.max))] += v.count_at_value();
                }
                count = h.len();
            }
            let total = count.max(1) as f64;
            let share: Vec<f64> = counts.iter().map(|&c| c as f64 / total).collect();
            let mut running = 0;
            let cumulative = counts
                .iter()
                .map(|&c| {
                    running += c;
                    running as f64 / total
                })
                .collect();
            DistributionSeries { strategy, count, share, cumulative }
        })
        .collect();
    DistributionData { edges, series }
}

/// Geometric bin edges from a little below `min` to a little above `max`
/// (seconds), spanning at least a factor of 4 so a single value sits mid-axis.
fn edges(min: f64, max: f64) -> Vec<f64> {
    let max = if max > 0.0 && max.is_finite() { max } else { 1e-6 };
    let min = if min.is_finite() && min > 0.0 { min.min(max) } else { max * 1e-3 };
    let (mut lo, mut hi) = (min / 1.1, max * 1.1);
    if hi / lo < 4.0 {
        let widen = (4.0 / (hi / lo)).sqrt();
        (lo, hi) = (lo / widen, hi * widen);
    }
    (0..=BINS).map(|i| lo * (hi / lo).powf(i as f64 / BINS as f64)).collect()
}

pub fn draw<DB: DrawingBackend>(
    data: &DistributionData,
    root: &DrawingArea<DB, Shift>,
    tips: &mut Tips,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let (width, _) = root.dim_in_pixel();
    let mut legend: Vec<(Swatch, String)> = data
        .series
        .iter()
        .map(|s| (Swatch::Fill(style::strategy_colour(s.strategy.index)), s.strategy.name.clone()))
        .collect();
    legend.push((Swatch::Dashed(style::MUTED), "cumulative (right axis)".to_string()));
    let legend_height = style::draw_legend(root, (90, 46), width as i32 - 30, &legend)?;
    let body = root.margin(50 + legend_height as u32, 10, 10, 10);

    let (lo, hi) = (data.edges[0], data.edges[BINS]);
    let top_share = data.series.iter().flat_map(|s| s.share.iter().copied()).fold(0.0, f64::max);
    let mut chart = ChartBuilder::on(&body)
        .x_label_area_size(60)
        .y_label_area_size(80)
        .right_y_label_area_size(80)
        .build_cartesian_2d(
            (lo..hi).log_scale().with_key_points(style::log_ticks(lo, hi)),
            0f64..style::headroom(top_share * 100.0),
        )?
        .set_secondary_coord((lo..hi).log_scale(), 0f64..100.0);
    chart
        .configure_mesh()
        .x_labels(20)
        .y_labels(8)
        .x_label_formatter(&|v| style::time_tick(*v))
        .y_label_formatter(&|v| style::tick(*v))
        .x_desc("latency (log scale)")
        .y_desc("share of tasks per bin (%)")
        .axis_desc_style(style::text(style::TEXT_SIZE))
        .label_style(style::text(style::TEXT_SIZE))
        .max_light_lines(1)
        .light_line_style(style::GRID.mix(0.5))
        .bold_line_style(style::GRID)
        .draw()?;
    chart
        .configure_secondary_axes()
        .y_labels(6)
        .y_label_formatter(&|v| style::tick(*v))
        .y_desc("cumulative share (%)")
        .axis_desc_style(style::text(style::TEXT_SIZE))
        .label_style(style::text(style::TEXT_SIZE))
        .draw()?;

    // Bars grouped within each bin: strategy i takes the i-th slice of it
    // (in log space), so equal distributions stay visible side by side.
    let slots = data.series.len().max(1) as f64;
    for (i, s) in data.series.iter().enumerate() {
        let colour = style::strategy_colour(s.strategy.index);
        for (b, &share) in s.share.iter().enumerate().filter(|(_, share)| **share > 0.0) {
            let (a, z) = (data.edges[b].ln(), data.edges[b + 1].ln());
            let step = (z - a) / slots;
            let left = (a + step * (i as f64 + 0.1)).exp();
            let right = (a + step * (i as f64 + 0.9)).exp();
            chart
                .draw_series(std::iter::once(Rectangle::new([(left, 0.0), (right, share * 100.0)], colour.filled())))?;
            let text = format!(
                "{} · {}–{}: {}% of tasks, {}% at most {}",
                s.strategy.name,
                style::time_tick(data.edges[b]),
                style::time_tick(data.edges[b + 1]),
                style::tick(share * 100.0),
                style::tick(s.cumulative[b] * 100.0),
                style::time_tick(data.edges[b + 1]),
            );
            tips.rect(chart.backend_coord(&(left, 0.0)), chart.backend_coord(&(right, share * 100.0)), text);
        }
    }
    for s in &data.series {
        if s.count == 0 {
            continue;
        }
        let colour = style::strategy_colour(s.strategy.index);
        let points = std::iter::once((lo, 0.0))
            .chain(s.cumulative.iter().enumerate().map(|(b, c)| (data.edges[b + 1], c * 100.0)));
        chart.draw_secondary_series(DashedLineSeries::new(points, 7, 5, colour.stroke_width(2)))?;
    }
    if data.series.iter().all(|s| s.count == 0) {
        style::draw_note(root, "no task has a latency (all were cancelled)", (width as i32 / 2, 350))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_cover_the_values_geometrically() {
        let e = edges(0.1, 1.0);
        assert_eq!(e.len(), BINS + 1);
        assert!(e[0] < 0.1 && e[BINS] > 1.0);
        let ratio = e[1] / e[0];
        assert!(e.windows(2).all(|w| (w[1] / w[0] / ratio - 1.0).abs() < 1e-9));
    }

    #[test]
    fn a_single_value_gets_a_usable_range() {
        let e = edges(5.0, 5.0);
        assert!(e[0] < 5.0 && e[BINS] > 5.0 && e[BINS] / e[0] >= 3.99);
        let zero = edges(f64::INFINITY, 0.0);
        assert!(zero[0] > 0.0 && zero[BINS] > zero[0]);
    }
}
