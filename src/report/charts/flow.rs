//! Tasks in flight and completions per second over virtual time, one line
//! per strategy (its colour, dash pattern and markers): above, the mean
//! number of tasks arrived and not yet ended in each time bucket; below,
//! tasks completed per second in it.
//!
//! When the strategies' runs end, or their tasks in flight peak, more than
//! [`style::LOG_SPREAD`] apart (blocking at 10 minutes and 15,000 tasks in
//! flight beside the others' 2 minutes and 20), each strategy gets its own
//! row of two panels on its own axes ([`FlowData::own_axes`]), so no series
//! is squeezed into the leftmost few percent or flat along the bottom.

use super::style::{self, Swatch, TimeUnit};
use super::tips::Tips;
use super::{ChartError, ChartInput, StrategyKey, strategies};
use crate::time::format_seconds;
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
    /// Each strategy gets its own panels and axes: the strategies' series
    /// end, or their tasks in flight peak, more than [`style::LOG_SPREAD`] apart, so on shared
    /// axes the fast ones would fill the leftmost few percent, or the
    /// small ones lie flat along the bottom.
    pub own_axes: bool,
}

impl FlowLine {
    /// The series' end, in seconds.
    pub fn end_s(&self) -> f64 {
        self.bucket_s * self.in_flight.len() as f64
    }
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
    let end_s = lines.iter().map(FlowLine::end_s).fold(0.0, f64::max);
    let peak = |values: &[f64]| values.iter().copied().fold(0.0, f64::max);
    // Not by completion rates: a burst of completions in one short bucket
    // peaks high whatever the rest of the run does.
    let own_axes = style::far_apart(lines.iter().map(FlowLine::end_s))
        || style::far_apart(lines.iter().map(|l| peak(&l.in_flight)));
    FlowData { lines, end_s, own_axes }
}

/// A panel's figure: its description and its per-bucket values.
type Series = (&'static str, fn(&FlowLine) -> &[f64]);

const SERIES: [Series; 2] =
    [("tasks in flight (mean)", |l| &l.in_flight), ("completions per second", |l| &l.completions_per_s)];

pub fn draw<DB: DrawingBackend>(
    data: &FlowData,
    root: &DrawingArea<DB, Shift>,
    tips: &mut Tips,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let legend: Vec<(Swatch, String)> =
        data.lines.iter().map(|l| (Swatch::Strategy(l.strategy.index), l.strategy.name.clone())).collect();
    let empty = data.lines.is_empty().then_some("no timeline was recorded");
    let Some(body) = style::panels_area(root, &legend, empty)? else {
        return Ok(());
    };
    if data.own_axes {
        // One row per strategy, in flight on the left and completions on
        // the right, each on the strategy's own time axis.
        let rows = body.split_evenly((data.lines.len(), 2));
        for (k, line) in data.lines.iter().enumerate() {
            let last = k + 1 == data.lines.len();
            for (column, series) in SERIES.iter().enumerate() {
                let panel =
                    Panel { lines: std::slice::from_ref(line), end_s: line.end_s(), series, own: true, bottom: last };
                panel.draw(root, &rows[2 * k + column], tips)?;
            }
        }
        return Ok(());
    }
    let (_, body_height) = body.dim_in_pixel();
    let (upper, lower) = body.split_vertically((body_height - 50) / 2);
    for (area, series, bottom) in [(&upper, &SERIES[0], false), (&lower, &SERIES[1], true)] {
        Panel { lines: &data.lines, end_s: data.end_s, series, own: false, bottom }.draw(root, area, tips)?;
    }
    Ok(())
}

/// One panel: `series` of `lines` over `[0, end_s]`.
struct Panel<'a> {
    lines: &'a [FlowLine],
    end_s: f64,
    series: &'a Series,
    /// A strategy's own panel: its name in the caption, a compact time axis.
    own: bool,
    /// The bottom row: the time axis is described.
    bottom: bool,
}

impl Panel<'_> {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        area: &DrawingArea<DB, Shift>,
        tips: &mut Tips,
    ) -> Result<(), ChartError>
    where
        DB::ErrorType: 'static,
    {
        let (desc, values) = *self.series;
        let unit = TimeUnit::for_range(self.end_s);
        let end = style::headroom(unit.of(self.end_s));
        let top = self.lines.iter().flat_map(|l| values(l).iter().copied()).fold(0.0, f64::max);
        let labelled = self.own || self.bottom;
        let colour = self.lines.first().map_or(style::INK, |l| style::strategy_colour(l.strategy.index));
        let mut builder = ChartBuilder::on(area);
        builder
            .x_label_area_size(if self.bottom {
                50
            } else if self.own {
                24
            } else {
                10
            })
            .y_label_area_size(80);
        if self.own {
            let line = &self.lines[0];
            let caption = format!("{} · {desc} · time in {}", line.strategy.name, unit.name);
            builder.caption(caption, style::text(style::SMALL_SIZE + 1.0).color(&colour)).margin_right(12);
        } else {
            builder.margin_top(8);
        }
        let mut chart = builder.build_cartesian_2d(0f64..end, 0f64..style::headroom(top))?;
        let formatter = |v: &f64| if labelled { style::tick(*v) } else { String::new() };
        let mut mesh = chart.configure_mesh();
        mesh.x_labels(if self.own { 7 } else { 12 })
            .y_labels(if self.own { 4 } else { 6 })
            .x_label_formatter(&formatter)
            .y_label_formatter(&|v| style::tick(*v))
            .label_style(style::text(if self.own { style::SMALL_SIZE } else { style::TEXT_SIZE }))
            .axis_desc_style(style::text(style::TEXT_SIZE))
            .max_light_lines(1)
            .light_line_style(style::GRID.mix(0.5))
            .bold_line_style(style::GRID);
        if !self.own {
            mesh.y_desc(desc);
        }
        if self.bottom && self.own {
            mesh.x_desc("virtual time (each panel's unit in its title)");
        } else if self.bottom {
            mesh.x_desc(format!("virtual time ({})", unit.name));
        }
        mesh.draw()?;
        for line in self.lines {
            let index = line.strategy.index;
            let points = line.steps(values(line)).into_iter().map(|(t, v)| chart.backend_coord(&(unit.of(t), v)));
            if self.own {
                // Alone in its panel: solid, as nothing overlaps it.
                root.draw(&PathElement::new(points.collect::<Vec<_>>(), colour.stroke_width(2)))?;
            } else {
                style::draw_strategy_line(root, points.collect(), index, 2)?;
            }
            // A marker every tenth bucket (each strategy's shifted, so
            // markers on one line do not hide each other), a tooltip on each.
            let w = line.bucket_s;
            for (b, &v) in values(line).iter().enumerate() {
                let at = chart.backend_coord(&(unit.of((b as f64 + 0.5) * w), v));
                if b % 10 == (3 * index + 5) % 10 {
                    style::draw_marker(root, style::strategy_marker(index), at, style::strategy_colour(index))?;
                }
                let span = format!("{}–{}", format_seconds(b as f64 * w), format_seconds((b + 1) as f64 * w));
                tips.point(at, format!("{} · {span}: {} {desc}", line.strategy.name, style::tick(v)));
            }
        }
        Ok(())
    }
}
