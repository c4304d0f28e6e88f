//! Draws docs/images/scale.png: the wall time and peak memory of `simbench
//! run` from 10k to 10M tasks (benches/scale/), batch and open loop, from the
//! CSV that scripts/scale-chart.sh measures (lines `kind,tasks,run_s,peak_mib`).
//!
//!   cargo run --release --example scale_chart -- target/scale.csv docs/images/scale.png

use plotters::coord::Shift;
use plotters::prelude::*;
use simbench::report::charts::{ChartError, encode_png, style};

/// The memory target for 1M concurrent coroutines, drawn as a line.
const TARGET_MIB: f64 = 128.0;

type Point = (f64, f64, f64);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [csv, png] = &args[..] else { return Err("usage: scale_chart CSV PNG".into()) };
    let mut series: Vec<(String, Vec<Point>)> = Vec::new();
    for line in std::fs::read_to_string(csv)?.lines().filter(|l| !l.trim().is_empty()) {
        let [kind, tasks, run, mib] = line.split(',').collect::<Vec<_>>()[..] else {
            return Err(format!("{csv}: expected kind,tasks,run_s,peak_mib, found {line:?}").into());
        };
        let point = (tasks.parse()?, run.parse()?, mib.parse()?);
        match series.iter_mut().find(|s| s.0 == kind) {
            Some(s) => s.1.push(point),
            None => series.push((kind.to_string(), vec![point])),
        }
    }
    style::register_font();
    std::fs::write(png, encode_png(|root| draw(root, &series))?)?;
    Ok(())
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, series: &[(String, Vec<Point>)]) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let panels = root.split_evenly((1, 2));
    for (panel, area) in panels.iter().enumerate() {
        let value = |p: &Point| if panel == 0 { p.1 } else { p.2 };
        let (lo, hi) = series
            .iter()
            .flat_map(|s| s.1.iter().map(value))
            .chain((panel == 1).then_some(TARGET_MIB))
            .fold((f64::INFINITY, 0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let (lo, hi) = (lo / 1.5, hi * 1.5);
        let (title, axis) = if panel == 0 {
            ("Wall time of the run", "seconds (log scale)")
        } else {
            ("Peak RSS of the process", "MiB (log scale)")
        };
        let mut chart = ChartBuilder::on(area)
            .caption(title, style::text(style::TEXT_SIZE + 2.0))
            .margin(15)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(
                (5e3..2e7).log_scale(),
                (lo..hi).log_scale().with_key_points(style::log_ticks(lo, hi)),
            )?;
        chart
            .configure_mesh()
            .x_desc("tasks (log scale)")
            .y_desc(axis)
            .x_label_formatter(&|v| style::tick(*v))
            .y_label_formatter(&|v| style::tick(*v))
            .label_style(style::text(style::SMALL_SIZE))
            .axis_desc_style(style::text(style::SMALL_SIZE))
            .light_line_style(style::GRID.mix(0.5))
            .bold_line_style(style::GRID)
            .draw()?;
        if panel == 1 {
            chart
                .draw_series(DashedLineSeries::new(
                    [(5e3, TARGET_MIB), (2e7, TARGET_MIB)],
                    8,
                    6,
                    style::MUTED.stroke_width(2),
                ))?
                .label("128 MiB (target at 1M concurrent)")
                .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], style::MUTED.stroke_width(2)));
        }
        for (i, (kind, points)) in series.iter().enumerate() {
            let colour = style::strategy_colour(i);
            let line: Vec<(f64, f64)> = points.iter().map(|p| (p.0, value(p))).collect();
            chart
                .draw_series(LineSeries::new(line.clone(), colour.stroke_width(2)))?
                .label(kind.as_str())
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], colour.stroke_width(2)));
            chart.draw_series(line.into_iter().map(|p| Circle::new(p, 4, colour.filled())))?;
        }
        chart
            .configure_series_labels()
            .label_font(style::text(style::SMALL_SIZE))
            .background_style(WHITE)
            .border_style(style::GRID)
            .position(SeriesLabelPosition::UpperLeft)
            .draw()?;
    }
    Ok(())
}
