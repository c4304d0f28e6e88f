//! Tasks in flight and completions per second over virtual time, one line
//! per strategy: above, the mean number of tasks arrived and not yet ended
//! in each time bucket; below, tasks completed per second in it.

use super::style::{self, Swatch, TimeUnit};
use super::{ChartError, ChartInput, StrategyKey, strategies};
use plotters::coord::Shift;
use plotters::prelude::*;

/// One strategy's two series, per bucket of `bucket_s` seconds from t = 0.
#[derive(Clone, Debug, PartialEq)]
pub struct FlowLine {
    pub strategy: StrategyKey,
    pub bucket_s: f64,
    /// Mean tasks in flight in each bucket.
    pub in_flight: Vec<f64>,
    /// Completions per second in each bucket.
    pub completions_per_s: Vec<f64>,
}

impl FlowLine {
    /// A step line through per-bucket `values`: each bucket's value held
    /// across it.
    pub fn steps(&self, values: &[f64]) -> Vec<(f64, f64)> {
        let w = self.bucket_s;
        values.iter().enumerate().flat_map(|(b, &v)| [(b as f64 * w, v), ((b + 1) as f64 * w, v)]).collect()
    }
}

/// What the flow chart shows.
#[derive(Clone, Debug, PartialEq)]
pub struct FlowData {
    pub lines: Vec<FlowLine>,
    /// The longest series' end, in seconds.
    pub end_s: f64,
}

/// Most buckets a line shows: finer series are merged pairwise, which keeps
/// completion rates from turning into noise.
pub const SHOWN_BUCKETS: usize = 100;

pub fn data(input: &ChartInput) -> FlowData {
    let lines: Vec<FlowLine> = input
        .timelines
        .iter()
        .zip(strategies(input.report))
        .map(|(timeline, strategy)| {
            let flow = &timeline.flow;
            let mut bucket_s = flow.bucket.as_secs_f64();
            let mut in_flight = flow.in_flight.clone();
            let mut completions: Vec<f64> = flow.completions.iter().map(|&c| c as f64).collect();
            while in_flight.len() > SHOWN_BUCKETS {
                in_flight = in_flight.chunks(2).map(|p| p.iter().sum::<f64>() / 2.0).collect();
                completions = completions.chunks(2).map(|p| p.iter().sum()).collect();
                bucket_s *= 2.0;
            }
            let completions_per_s = completions.iter().map(|c| c / bucket_s).collect();
            FlowLine { strategy, bucket_s, in_flight, completions_per_s }
        })
        .collect();
    let end_s = lines.iter().map(|l| l.bucket_s * l.in_flight.len() as f64).fold(0.0, f64::max);
    FlowData { lines, end_s }
}

pub fn draw<DB: DrawingBackend>(data: &FlowData, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let legend: Vec<(Swatch, String)> = data
        .lines
        .iter()
        .map(|l| (Swatch::Line(style::strategy_colour(l.strategy.index)), l.strategy.name.clone()))
        .collect();
    let empty = data.lines.is_empty().then_some("no timeline was recorded");
    let Some(body) = style::panels_area(root, &legend, empty)? else {
        return Ok(());
    };
    let (_, body_height) = body.dim_in_pixel();
    let (upper, lower) = body.split_vertically((body_height - 50) / 2);
    let unit = TimeUnit::for_range(data.end_s);
    let end = style::headroom(unit.of(data.end_s));

    let in_flight: fn(&FlowLine) -> &[f64] = |l| &l.in_flight;
    let completions: fn(&FlowLine) -> &[f64] = |l| &l.completions_per_s;
    let panels =
        [(&upper, "tasks in flight (mean)", in_flight, false), (&lower, "completions per second", completions, true)];
    for (area, desc, values, bottom) in panels {
        let top = data.lines.iter().flat_map(|l| values(l).iter().copied()).fold(0.0, f64::max);
        let mut chart = ChartBuilder::on(area)
            .x_label_area_size(if bottom { 50 } else { 10 })
            .y_label_area_size(80)
            .margin_top(8)
            .build_cartesian_2d(0f64..end, 0f64..style::headroom(top))?;
        let formatter = |v: &f64| if bottom { style::tick(*v) } else { String::new() };
        let mut mesh = chart.configure_mesh();
        mesh.x_labels(12)
            .y_labels(6)
            .x_label_formatter(&formatter)
            .y_label_formatter(&|v| style::tick(*v))
            .y_desc(desc)
            .label_style(style::text(style::TEXT_SIZE))
            .axis_desc_style(style::text(style::TEXT_SIZE))
            .max_light_lines(1)
            .light_line_style(style::GRID.mix(0.5))
            .bold_line_style(style::GRID);
        if bottom {
            mesh.x_desc(format!("virtual time ({})", unit.name));
        }
        mesh.draw()?;
        for line in &data.lines {
            let colour = style::strategy_colour(line.strategy.index);
            let points = line.steps(values(line)).into_iter().map(|(t, v)| (unit.of(t), v));
            chart.draw_series(LineSeries::new(points, colour.stroke_width(2)))?;
        }
    }
    Ok(())
}
