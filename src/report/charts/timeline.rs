//! The timeline (a Gantt chart) of the first tasks of each strategy: one
//! row per task, coloured by what it was doing (queued, ready for the loop,
//! on a CPU or the loop, in a blocking call, waiting on I/O, waiting for a
//! permit); a cross where a task timed out, failed or was cancelled; struck
//! bars where a thread ran on after its task timed out. Under cooperative a
//! top lane shows what occupied the event loop: the tutorial's execution
//! flow as a picture, and where a blocked loop is plain to see.
//!
//! The panels share one time axis, unless they end more than
//! [`style::LOG_SPREAD`] apart: then each has its own
//! ([`TimelineData::own_axes`]), labelled, its unit in the panel's title.

use super::style::{self, Swatch, TimeUnit};
use super::tips::Tips;
use super::{ChartError, ChartInput, StrategyKey, strategies};
use crate::engine::Outcome;
use crate::metrics::timeline::{Activity, Segment};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Longest class name shown in a row label.
const LABEL_CHARS: usize = 16;

/// A span of one activity, in seconds.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub start_s: f64,
    pub end_s: f64,
    pub activity: Activity,
    /// A thread running on after its task timed out.
    pub abandoned: bool,
    /// The steps behind it (`operation_1`, `fetch + parse`, `3 at once`),
    /// written inside the bar where it fits.
    pub label: Option<String>,
}

impl Bar {
    fn of(s: &Segment, names: &[String]) -> Bar {
        let name = |pc: Option<u32>| pc.and_then(|pc| names.get(pc as usize)).cloned();
        let label = if s.concurrent > 2 {
            Some(format!("{} at once", s.concurrent))
        } else {
            match (name(s.steps[0]), name(s.steps[1])) {
                (Some(a), Some(b)) if s.concurrent == 2 => Some(format!("{a} + {b}")),
                (a, _) => a,
            }
        };
        Bar {
            start_s: s.start.as_secs_f64(),
            end_s: s.end.as_secs_f64(),
            activity: s.activity,
            abandoned: s.abandoned,
            label,
        }
    }
}

/// One task's row.
#[derive(Clone, Debug, PartialEq)]
pub struct TimelineRow {
    /// `#3 sleeper`: the task's number in arrival order and its class.
    pub label: String,
    pub bars: Vec<Bar>,
    /// When the task timed out, failed or was cancelled (not when it
    /// completed: its bars end there).
    pub early_end: Option<(f64, Outcome)>,
}

/// One strategy's rows.
#[derive(Clone, Debug, PartialEq)]
pub struct TimelinePanel {
    pub strategy: StrategyKey,
    /// Cooperative: what occupied the loop (`Cpu` or `Blocking` bars).
    pub event_loop: Option<Vec<Bar>>,
    pub rows: Vec<TimelineRow>,
    /// Segments the recorder dropped (over its cap).
    pub dropped: u64,
}

impl TimelinePanel {
    /// The panel's last bar or early end, in seconds.
    pub fn end_s(&self) -> f64 {
        let lane = self.event_loop.iter().flatten().map(|b| b.end_s);
        let rows = self.rows.iter().flat_map(|r| r.bars.iter().map(|b| b.end_s).chain(r.early_end.map(|e| e.0)));
        lane.chain(rows).fold(0.0, f64::max)
    }
}

/// What the timeline chart shows.
#[derive(Clone, Debug, PartialEq)]
pub struct TimelineData {
    pub panels: Vec<TimelinePanel>,
    /// The right end of the time axis: the last bar or end, in seconds.
    pub end_s: f64,
    /// Each panel has its own time axis: the panels end more than
    /// [`style::LOG_SPREAD`] apart, so on a shared axis the short ones
    /// would be a sliver at its left.
    pub own_axes: bool,
}

pub fn data(input: &ChartInput) -> TimelineData {
    let classes: Vec<&str> =
        input.report.results.first().map_or_else(Vec::new, |r| r.classes.iter().map(|c| c.class.as_str()).collect());
    let panels: Vec<TimelinePanel> = input
        .timelines
        .iter()
        .zip(strategies(input.report))
        .map(|(timeline, strategy)| TimelinePanel {
            strategy,
            event_loop: timeline
                .event_loop
                .as_ref()
                .map(|lane| lane.iter().map(|s| Bar::of(s, &timeline.step_names)).collect()),
            rows: timeline
                .tasks
                .iter()
                .map(|task| TimelineRow {
                    label: format!(
                        "#{} {}",
                        task.task,
                        shorten(classes.get(task.class as usize).copied().unwrap_or("?"), LABEL_CHARS)
                    ),
                    bars: task.segments.iter().map(|s| Bar::of(s, &timeline.step_names)).collect(),
                    early_end: task
                        .outcome
                        .filter(|(_, outcome)| *outcome != Outcome::Completed)
                        .map(|(at, outcome)| (at.as_secs_f64(), outcome)),
                })
                .collect(),
            dropped: timeline.dropped_segments,
        })
        .collect();
    let end_s = panels.iter().map(TimelinePanel::end_s).fold(0.0, f64::max);
    let own_axes = style::far_apart(panels.iter().map(TimelinePanel::end_s));
    TimelineData { panels, end_s, own_axes }
}

impl TimelineData {
    /// "Timeline of the first 20 tasks".
    pub fn title(&self) -> String {
        match self.panels.iter().map(|p| p.rows.len()).max().unwrap_or(0) {
            1 => "Timeline of the first task".to_string(),
            n => format!("Timeline of the first {n} tasks"),
        }
    }
}

/// A bar's tooltip: `cooperative · #3 sleeper · waiting on I/O (fetch): 100ms–1.00s`.
fn bar_tip(strategy: &str, row: &str, bar: &Bar) -> String {
    let what = match &bar.label {
        Some(label) => format!("{} ({label})", bar.activity.describe()),
        None => bar.activity.describe().to_string(),
    };
    let abandoned = if bar.abandoned { ", after its task timed out" } else { "" };
    format!(
        "{strategy} · {row} · {what}{abandoned}: {}–{}",
        crate::time::format_seconds(bar.start_s),
        crate::time::format_seconds(bar.end_s)
    )
}

/// `text` cut to `max` characters, with an ellipsis if cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        text.chars().take(max - 1).chain(std::iter::once('…')).collect()
    }
}

pub fn draw<DB: DrawingBackend>(
    data: &TimelineData,
    root: &DrawingArea<DB, Shift>,
    tips: &mut Tips,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let (width, height) = root.dim_in_pixel();
    let bars =
        || data.panels.iter().flat_map(|p| p.event_loop.iter().flatten().chain(p.rows.iter().flat_map(|r| &r.bars)));
    let mut legend: Vec<(Swatch, String)> = Activity::ALL
        .iter()
        .filter(|a| bars().any(|b| b.activity == **a))
        .map(|a| (Swatch::Fill(style::activity_colour(*a)), a.describe().to_string()))
        .collect();
    if bars().any(|b| b.abandoned) {
        legend.push((Swatch::Struck(style::MUTED), "thread runs on after its task timed out".to_string()));
    }
    if data.panels.iter().flat_map(|p| &p.rows).any(|r| r.early_end.is_some()) {
        legend.push((Swatch::Cross, "timed out / failed / cancelled".to_string()));
    }
    let legend_height = style::draw_legend(root, (40, 46), width as i32 - 30, &legend)?;
    let rows_total: usize = data.panels.iter().map(|p| p.rows.len()).sum();
    if data.panels.is_empty() || rows_total == 0 {
        style::draw_note(root, "no timeline was recorded (--timeline-tasks 0)", (width as i32 / 2, height as i32 / 2))?;
        return Ok(());
    }

    let body = root.margin(52 + legend_height as u32, 0, 10, 30);
    let (_, body_height) = body.dim_in_pixel();
    const AXIS: u32 = 56;
    let each = (body_height.saturating_sub(AXIS)) / data.panels.len() as u32;
    let breaks: Vec<u32> = (1..data.panels.len() as u32).map(|i| i * each).collect();
    let areas = body.split_by_breakpoints([] as [u32; 0], breaks);
    let last = data.panels.len() - 1;
    for (i, (panel, area)) in data.panels.iter().zip(areas).enumerate() {
        let end_s = if data.own_axes { panel.end_s() } else { data.end_s };
        let axis = Axis { unit: TimeUnit::for_range(end_s), end_s, own: data.own_axes, last: i == last };
        draw_panel(root, &area, panel, axis, tips)?;
    }
    Ok(())
}

/// A panel's time axis.
#[derive(Clone, Copy)]
struct Axis {
    unit: TimeUnit,
    end_s: f64,
    /// The panel's own axis (labelled, its unit in the title), not shared.
    own: bool,
    /// The bottom panel: the axis is described.
    last: bool,
}

fn draw_panel<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    panel: &TimelinePanel,
    axis: Axis,
    tips: &mut Tips,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let Axis { unit, last, .. } = axis;
    let end = style::headroom(unit.of(axis.end_s));
    // The loop lane, when there is one, is one row high beside a few tasks
    // and three among many (thin) rows, so its label still fits.
    let lane = match (&panel.event_loop, panel.rows.len()) {
        (None, _) => 0,
        (Some(_), n) if n >= 8 => 3,
        (Some(_), _) => 1,
    };
    let rows = panel.rows.len() + lane;
    let (title, plot) = area.split_vertically(22);
    let colour = style::strategy_colour(panel.strategy.index);
    let mut name = panel.strategy.name.clone();
    if panel.dropped > 0 {
        name.push_str(&format!(" ({} segments not shown)", panel.dropped));
    }
    if axis.own {
        name.push_str(&format!(" · own time axis, in {}", unit.name));
    }
    title.draw(&Rectangle::new([(16, 6), (30, 18)], colour.filled()))?;
    title.draw_text(
        &name,
        &style::text(style::TEXT_SIZE).color(&colour).pos(Pos::new(HPos::Left, VPos::Center)),
        (36, 12),
    )?;

    let mut chart = ChartBuilder::on(&plot)
        .y_label_area_size(150)
        .x_label_area_size(if last {
            56
        } else if axis.own {
            24
        } else {
            4
        })
        .margin_right(20)
        .build_cartesian_2d(0f64..end, 0f64..rows.max(1) as f64)?;
    let labelled = last || axis.own;
    let formatter = |v: &f64| if labelled { style::tick(*v) } else { String::new() };
    let mut mesh = chart.configure_mesh();
    mesh.disable_y_mesh()
        .y_labels(0)
        .x_labels(12)
        .x_label_formatter(&formatter)
        .label_style(style::text(if axis.own && !last { style::SMALL_SIZE } else { style::TEXT_SIZE }))
        .axis_desc_style(style::text(style::TEXT_SIZE))
        .max_light_lines(1)
        .light_line_style(style::GRID.mix(0.5))
        .bold_line_style(style::GRID);
    if last {
        mesh.x_desc(format!("virtual time ({})", unit.name));
    }
    mesh.draw()?;

    // Row r (0 at the top) spans y in [rows − r − 1, rows − r].
    let band = |r: usize| ((rows - r - 1) as f64, (rows - r) as f64);
    let row_px = {
        let (_, a) = chart.backend_coord(&(0.0, 0.0));
        let (_, b) = chart.backend_coord(&(0.0, 1.0));
        (a - b).abs()
    };
    let mut draw_bars =
        |chart: &mut ChartContext<DB, _>, (y0, y1): (f64, f64), bars: &[Bar], row: &str| -> Result<(), ChartError> {
            let pad = if row_px >= 5 { 0.14 } else { 0.0 };
            for bar in bars {
                let fill = style::activity_colour(bar.activity);
                let (x0, x1) = (unit.of(bar.start_s), unit.of(bar.end_s));
                tips.rect(
                    chart.backend_coord(&(x0, y0 + pad)),
                    chart.backend_coord(&(x1, y1 - pad)),
                    bar_tip(&panel.strategy.name, row, bar),
                );
                let fill = if bar.abandoned { style::lighten(fill, 0.55) } else { fill };
                chart.draw_series(std::iter::once(Rectangle::new([(x0, y0 + pad), (x1, y1 - pad)], fill.filled())))?;
                // A hairline between touching bars of one colour.
                let (left, _) = chart.backend_coord(&(x0, y0));
                let (right, _) = chart.backend_coord(&(x1, y0));
                if right - left > 4 {
                    let edge = plotters::style::WHITE.stroke_width(1);
                    chart.draw_series(LineSeries::new([(x1, y0 + pad), (x1, y1 - pad)], edge))?;
                }
                if bar.abandoned {
                    let mid = (y0 + y1) / 2.0;
                    chart.draw_series(LineSeries::new([(x0, mid), (x1, mid)], style::INK.stroke_width(1)))?;
                }
                // The step's name inside the bar, where it fits.
                let (left, top) = chart.backend_coord(&(x0, y1 - pad));
                let (right, bottom) = chart.backend_coord(&(x1, y0 + pad));
                if let Some(text) = &bar.label
                    && bottom - top >= 10
                {
                    let size = f64::from(bottom - top - 1).min(style::SMALL_SIZE);
                    let on_bar = if bar.activity == Activity::Io || bar.activity == Activity::Ready || bar.abandoned {
                        style::INK
                    } else {
                        plotters::style::WHITE
                    };
                    let label_style = style::text(size).color(&on_bar).pos(Pos::new(HPos::Left, VPos::Center));
                    let (width, _) = root.estimate_text_size(text, &label_style)?;
                    if (width as i32) + 10 <= right - left {
                        root.draw_text(text, &label_style, (left + 5, (top + bottom) / 2))?;
                    }
                }
            }
            Ok(())
        };
    let lane_band = (panel.rows.len() as f64 + 0.3, rows as f64 - 0.1);
    if let Some(lane_bars) = &panel.event_loop {
        draw_bars(&mut chart, lane_band, lane_bars, "event loop")?;
        // A rule under the loop lane.
        let y = panel.rows.len() as f64;
        chart.draw_series(LineSeries::new([(0.0, y), (end, y)], style::MUTED.stroke_width(1)))?;
    }
    let mut crosses = Vec::new();
    for (k, row) in panel.rows.iter().enumerate() {
        draw_bars(&mut chart, band(k + lane), &row.bars, &row.label)?;
        if let Some((at, outcome)) = row.early_end {
            let (y0, y1) = band(k + lane);
            let (px, py) = chart.backend_coord(&(unit.of(at), (y0 + y1) / 2.0));
            let s = (row_px / 2).clamp(3, 6);
            root.draw(&PathElement::new(vec![(px - s, py - s), (px + s, py + s)], style::INK.stroke_width(2)))?;
            root.draw(&PathElement::new(vec![(px - s, py + s), (px + s, py - s)], style::INK.stroke_width(2)))?;
            let how = match outcome {
                Outcome::Failed => "failed",
                Outcome::TimedOut => "timed out",
                Outcome::Rejected => "rejected",
                Outcome::Cancelled | Outcome::Completed => "cancelled",
            };
            let text =
                format!("{} · {} · {how} at {}", panel.strategy.name, row.label, crate::time::format_seconds(at));
            crosses.push(((px, py), text));
        }
    }
    for (at, text) in crosses {
        tips.point(at, text);
    }

    // Row labels: every row when there is room, else one for the range.
    let label = style::text(style::SMALL_SIZE).color(&style::INK).pos(Pos::new(HPos::Right, VPos::Center));
    let mut labels: Vec<(f64, String)> = Vec::new();
    if panel.event_loop.is_some() {
        labels.push(((lane_band.0 + lane_band.1) / 2.0, "event loop".to_string()));
    }
    if row_px >= 12 {
        for (k, row) in panel.rows.iter().enumerate() {
            let (y0, y1) = band(k + lane);
            labels.push(((y0 + y1) / 2.0, row.label.clone()));
        }
    } else if let (Some(first), Some(last)) = (panel.rows.first(), panel.rows.last()) {
        let number = |label: &str| label.split(' ').next().unwrap_or("").to_string();
        let range = if panel.rows.len() == 1 {
            first.label.clone()
        } else {
            format!("tasks {}–{}", number(&first.label), number(&last.label))
        };
        labels.push(((panel.rows.len() as f64) / 2.0, range));
    }
    for (y, text) in labels {
        let (px, py) = chart.backend_coord(&(0.0, y));
        root.draw_text(&text, &label, (px - 8, py))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_class_names_are_shortened() {
        assert_eq!(shorten("sleeper", 16), "sleeper");
        assert_eq!(shorten("a-very-long-class-name", 8), "a-very-…");
    }
}
