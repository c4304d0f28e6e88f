//! Strategies side by side on the four figures that decide most choices:
//! makespan, p99 latency, peak threads and modelled memory. One bar per
//! strategy in each panel, its value written above it.
//!
//! A panel whose strategies' values are more than [`style::LOG_SPREAD`] apart
//! (largest over smallest positive) has a log axis, from a third of the
//! smallest value, so that one slow strategy does not squash the others'
//! bars to nothing: on a linear axis, 155 ms beside 8 minutes is 0.03 % of
//! the panel; on the log axis every bar is a measurable share of it
//! ([`Figure::bar_fraction`]). Other panels keep the linear axis from zero.

use super::style::{self, Swatch, TimeUnit};
use super::tips::Tips;
use super::{ChartError, ChartInput, StrategyKey, strategies};
use crate::report::format_bytes;
use crate::time::format_seconds;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// How a figure is measured, which decides its axis unit and labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// Seconds.
    Time,
    Count,
    Bytes,
}

/// One panel: a figure of every strategy.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    pub title: &'static str,
    pub measure: Measure,
    /// Per strategy, in the scenario's order.
    pub values: Vec<f64>,
    /// Whether the values are more than [`style::LOG_SPREAD`] apart, so the panel
    /// has a log axis.
    pub log: bool,
}

impl Figure {
    /// A panel of `values`, its axis chosen by their spread.
    pub fn new(title: &'static str, measure: Measure, values: Vec<f64>) -> Figure {
        let log = style::far_apart(values.iter().copied());
        Figure { title, measure, values, log }
    }

    /// The log axis's range in the figure's unit: from a third of the
    /// smallest positive value (so its bar is half a decade tall) to 1.3 ×
    /// the largest.
    pub fn log_range(&self) -> (f64, f64) {
        let (low, high) = positive_range(&self.values);
        (low / 3.0, high * 1.3)
    }

    /// The share of the panel's height the bar of `value` fills, from 0 to 1.
    pub fn bar_fraction(&self, value: f64) -> f64 {
        if self.log {
            let (low, high) = self.log_range();
            if value <= low {
                return 0.0;
            }
            (value.ln() - low.ln()) / (high.ln() - low.ln())
        } else {
            let max = self.values.iter().copied().fold(0.0, f64::max);
            value / (style::headroom(max) * 1.1)
        }
    }
}

/// The smallest positive value and the largest; `(0, 0)` when none is positive.
fn positive_range(values: &[f64]) -> (f64, f64) {
    let positive = values.iter().copied().filter(|v| *v > 0.0 && v.is_finite());
    let (low, high) = positive.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if high > 0.0 { (low, high) } else { (0.0, 0.0) }
}

/// What the summary chart shows.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryData {
    pub strategies: Vec<StrategyKey>,
    pub figures: Vec<Figure>,
}

pub fn data(input: &ChartInput) -> SummaryData {
    let results = &input.report.results;
    let figure = |title, measure, value: fn(&crate::metrics::StrategyResult) -> f64| {
        Figure::new(title, measure, results.iter().map(value).collect())
    };
    SummaryData {
        strategies: strategies(input.report),
        figures: vec![
            figure("makespan", Measure::Time, |r| r.makespan_s),
            figure("p99 latency", Measure::Time, |r| r.latency_s.p99),
            figure("peak threads", Measure::Count, |r| f64::from(r.peak_threads)),
            figure("modelled memory", Measure::Bytes, |r| r.modelled_memory_bytes as f64),
        ],
    }
}

/// A bar's label: the value in its own human unit.
fn value_label(measure: Measure, value: f64) -> String {
    match measure {
        Measure::Time => format_seconds(value),
        Measure::Count => format!("{value}"),
        Measure::Bytes => format_bytes(value as u64),
    }
}

/// A bar's tooltip: `blocking · p99 latency: 8.3min`.
fn bar_tip(strategy: &StrategyKey, figure: &Figure, value: f64) -> String {
    format!("{} · {}: {}", strategy.name, figure.title, value_label(figure.measure, value))
}

pub fn draw<DB: DrawingBackend>(
    data: &SummaryData,
    root: &DrawingArea<DB, Shift>,
    tips: &mut Tips,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let (width, _) = root.dim_in_pixel();
    let legend: Vec<(Swatch, String)> =
        data.strategies.iter().map(|s| (Swatch::Fill(style::strategy_colour(s.index)), s.name.clone())).collect();
    let legend_height = style::draw_legend(root, (40, 46), width as i32 - 30, &legend)?;
    let body = root.margin(60 + legend_height as u32, 20, 10, 10);
    let n = data.strategies.len().max(1) as f64;
    for (figure, area) in data.figures.iter().zip(body.split_evenly((1, data.figures.len().max(1)))) {
        if figure.log {
            draw_log_panel(data, figure, root, &area, n, tips)?;
            continue;
        }
        let max = figure.values.iter().copied().fold(0.0, f64::max);
        let (unit_name, scale) = match figure.measure {
            Measure::Time => {
                let unit = TimeUnit::for_range(max);
                (unit.name, unit.seconds)
            }
            Measure::Count => ("", 1.0),
            Measure::Bytes => style::byte_unit(max),
        };
        let desc =
            if unit_name.is_empty() { figure.title.to_string() } else { format!("{} ({unit_name})", figure.title) };
        let mut chart = ChartBuilder::on(&area)
            .caption(figure.title, style::text(style::TEXT_SIZE + 2.0))
            .margin(10)
            .x_label_area_size(10)
            .y_label_area_size(70)
            .build_cartesian_2d(0f64..n, 0f64..style::headroom(max / scale) * 1.1)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_labels(6)
            .y_label_formatter(&|v| style::tick(*v))
            .y_desc(desc)
            .label_style(style::text(style::SMALL_SIZE))
            .axis_desc_style(style::text(style::SMALL_SIZE))
            .max_light_lines(1)
            .light_line_style(style::GRID.mix(0.5))
            .bold_line_style(style::GRID)
            .draw()?;
        let label = style::text(style::SMALL_SIZE).color(&style::INK).pos(Pos::new(HPos::Center, VPos::Bottom));
        for (i, (strategy, &value)) in data.strategies.iter().zip(&figure.values).enumerate() {
            let colour = style::strategy_colour(strategy.index);
            let (x0, x1) = (i as f64 + 0.15, i as f64 + 0.85);
            chart.draw_series(std::iter::once(Rectangle::new([(x0, 0.0), (x1, value / scale)], colour.filled())))?;
            let (px, py) = chart.backend_coord(&(i as f64 + 0.5, value / scale));
            let corners = (chart.backend_coord(&(x0, 0.0)), chart.backend_coord(&(x1, value / scale)));
            tips.rect(corners.0, corners.1, bar_tip(strategy, figure, value));
            root.draw_text(&value_label(figure.measure, value), &label, (px, py - 4))?;
        }
    }
    Ok(())
}

/// A panel on a log axis, in the figure's own unit, each tick labelled in
/// its own human unit (`100ms`, `1min`; `16 KiB`, `1 MiB`).
fn draw_log_panel<DB: DrawingBackend>(
    data: &SummaryData,
    figure: &Figure,
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    n: f64,
    tips: &mut Tips,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let (low, high) = figure.log_range();
    let measure = figure.measure;
    let tick = move |v: &f64| match measure {
        Measure::Time => style::time_tick(*v),
        Measure::Count => style::tick(*v),
        Measure::Bytes => format_bytes(*v as u64),
    };
    let mut chart = ChartBuilder::on(area)
        .caption(figure.title, style::text(style::TEXT_SIZE + 2.0))
        .margin(10)
        .x_label_area_size(10)
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..n, (low..high).log_scale().with_key_points(log_ticks(measure, low, high)))?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(6)
        .y_label_formatter(&tick)
        .y_desc(format!("{} (log scale)", figure.title))
        .label_style(style::text(style::SMALL_SIZE))
        .axis_desc_style(style::text(style::SMALL_SIZE))
        .max_light_lines(1)
        .light_line_style(style::GRID.mix(0.5))
        .bold_line_style(style::GRID)
        .draw()?;
    let label = style::text(style::SMALL_SIZE).color(&style::INK).pos(Pos::new(HPos::Center, VPos::Bottom));
    for (i, (strategy, &value)) in data.strategies.iter().zip(&figure.values).enumerate() {
        let colour = style::strategy_colour(strategy.index);
        let (x0, x1) = (i as f64 + 0.15, i as f64 + 0.85);
        let top = value.max(low);
        if value > low {
            chart.draw_series(std::iter::once(Rectangle::new([(x0, low), (x1, top)], colour.filled())))?;
        }
        let (px, py) = chart.backend_coord(&(i as f64 + 0.5, top));
        tips.rect(chart.backend_coord(&(x0, low)), chart.backend_coord(&(x1, top)), bar_tip(strategy, figure, value));
        root.draw_text(&value_label(figure.measure, value), &label, (px, py - 4))?;
    }
    Ok(())
}

/// A log axis's ticks: 1, 2, 5 × 10ⁿ (whole numbers only for counts), or
/// for bytes powers of two (16 KiB, 32 KiB, …; every second or fourth one
/// when there would be more than eight).
fn log_ticks(measure: Measure, low: f64, high: f64) -> Vec<f64> {
    match measure {
        Measure::Time => style::log_ticks(low, high),
        Measure::Count => style::log_ticks(low, high).into_iter().filter(|t| *t >= 1.0 && t.fract() == 0.0).collect(),
        Measure::Bytes => {
            let mut step = 1;
            loop {
                let ticks: Vec<f64> =
                    (0..64).step_by(step).map(|k| 2f64.powi(k)).filter(|t| (low..=high).contains(t)).collect();
                if ticks.len() <= 8 {
                    return ticks;
                }
                step *= 2;
            }
        }
    }
}
