//! Strategies side by side on the four figures that decide most choices:
//! makespan, p99 latency, peak threads and modelled memory. One bar per
//! strategy in each panel, its value written above it.

use super::style::{self, Swatch, TimeUnit};
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
}

/// What the summary chart shows.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryData {
    pub strategies: Vec<StrategyKey>,
    pub figures: Vec<Figure>,
}

pub fn data(input: &ChartInput) -> SummaryData {
    let results = &input.report.results;
    let figure = |title, measure, value: fn(&crate::metrics::StrategyResult) -> f64| Figure {
        title,
        measure,
        values: results.iter().map(value).collect(),
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

pub fn draw<DB: DrawingBackend>(data: &SummaryData, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError>
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
            root.draw_text(&value_label(figure.measure, value), &label, (px, py - 4))?;
        }
    }
    Ok(())
}
