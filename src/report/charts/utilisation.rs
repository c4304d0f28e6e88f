//! Utilisation of the shared resources over virtual time (scenarios with
//! links or services): one panel per strategy, one line per resource (the
//! CPU, each link, each service's servers), each the busy fraction in equal
//! bins of virtual time. A line at 100 % names the bottleneck. The panels
//! share a time axis unless their runs end more than
//! [`style::LOG_SPREAD`] apart; then each has its own.

use super::style::{self, Swatch, TimeUnit};
use super::tips::Tips;
use super::{ChartError, ChartInput, StrategyKey, strategies};
use crate::metrics::resources::UtilisationSeries;
use plotters::coord::Shift;
use plotters::prelude::*;

/// One strategy's panel.
#[derive(Clone, Debug, PartialEq)]
pub struct UtilisationPanel {
    pub strategy: StrategyKey,
    /// CPU first, then links in scenario order.
    pub series: Vec<UtilisationSeries>,
}

/// What the utilisation chart shows.
#[derive(Clone, Debug, PartialEq)]
pub struct UtilisationData {
    pub panels: Vec<UtilisationPanel>,
    /// Resource names, in line order (colour order).
    pub resources: Vec<String>,
    /// The longest series' end, in seconds.
    pub end_s: f64,
    /// Each panel has its own time axis: the strategies' series end more
    /// than [`style::LOG_SPREAD`] apart.
    pub own_axes: bool,
}

impl UtilisationPanel {
    /// The panel's last bin's end, in seconds.
    pub fn end_s(&self) -> f64 {
        self.series.iter().filter_map(|s| s.points.last().map(|p| p.0)).fold(0.0, f64::max)
    }
}

pub fn data(input: &ChartInput) -> UtilisationData {
    let panels: Vec<UtilisationPanel> = input
        .timelines
        .iter()
        .zip(strategies(input.report))
        .filter(|(t, _)| !t.utilisation.is_empty())
        .map(|(t, strategy)| UtilisationPanel { strategy, series: t.utilisation.clone() })
        .collect();
    let resources = panels.first().map_or(Vec::new(), |p| p.series.iter().map(|s| s.resource.clone()).collect());
    let end_s = panels.iter().map(UtilisationPanel::end_s).fold(0.0, f64::max);
    let own_axes = style::far_apart(panels.iter().map(UtilisationPanel::end_s));
    UtilisationData { panels, resources, end_s, own_axes }
}

/// The colour of resource line `i` (the CPU is 0).
fn resource_colour(i: usize) -> RGBColor {
    const COLOURS: [RGBColor; 4] = [
        RGBColor(0xD6, 0x27, 0x28), // CPU: red
        RGBColor(0x1F, 0x77, 0xB4), // links: blue, green, purple…
        RGBColor(0x2C, 0xA0, 0x2C),
        RGBColor(0x94, 0x67, 0xBD),
    ];
    COLOURS[i.min(1 + (i - i.min(1)) % 3)]
}

pub fn draw<DB: DrawingBackend>(
    data: &UtilisationData,
    root: &DrawingArea<DB, Shift>,
    tips: &mut Tips,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let legend: Vec<(Swatch, String)> =
        data.resources.iter().enumerate().map(|(i, r)| (Swatch::Line(resource_colour(i)), r.clone())).collect();
    let empty = data.panels.is_empty().then_some("no utilisation was recorded");
    let Some(body) = style::panels_area(root, &legend, empty)? else {
        return Ok(());
    };
    let (_, body_height) = body.dim_in_pixel();
    let n = data.panels.len() as u32;
    let panel_height = (body_height.saturating_sub(40)) / n;
    let mut rest = body;
    for (k, panel) in data.panels.iter().enumerate() {
        let end_s = if data.own_axes { panel.end_s() } else { data.end_s };
        let unit = TimeUnit::for_range(end_s);
        let end = style::headroom(unit.of(end_s));
        let bottom = k + 1 == data.panels.len();
        let labelled = bottom || data.own_axes;
        let (area, below) = if bottom { (rest.clone(), rest.clone()) } else { rest.split_vertically(panel_height) };
        let mut chart = ChartBuilder::on(&area)
            .x_label_area_size(if bottom {
                50
            } else if data.own_axes {
                24
            } else {
                10
            })
            .y_label_area_size(80)
            .margin_top(8)
            .build_cartesian_2d(0f64..end, 0f64..105f64)?;
        let formatter = |v: &f64| if labelled { style::tick(*v) } else { String::new() };
        let colour = style::strategy_colour(panel.strategy.index);
        let mut mesh = chart.configure_mesh();
        mesh.x_labels(12)
            .y_labels(3)
            .x_label_formatter(&formatter)
            .y_label_formatter(&|v| format!("{}%", style::tick(*v)))
            .y_desc(if data.own_axes {
                format!("{} ({})", panel.strategy.name, unit.name)
            } else {
                panel.strategy.name.clone()
            })
            .label_style(style::text(style::SMALL_SIZE))
            .axis_desc_style(style::text(style::TEXT_SIZE).color(&colour))
            .max_light_lines(1)
            .light_line_style(style::GRID.mix(0.5))
            .bold_line_style(style::GRID);
        if bottom {
            mesh.x_desc(format!("virtual time ({})", unit.name));
        }
        mesh.draw()?;
        for (i, series) in panel.series.iter().enumerate() {
            let points = series.points.iter().map(|&(t, v)| (unit.of(t), v * 100.0));
            chart.draw_series(LineSeries::new(points, resource_colour(i).stroke_width(2)))?;
            for &(t, v) in &series.points {
                let text = format!(
                    "{} · {} at {}: {}% busy",
                    panel.strategy.name,
                    series.resource,
                    crate::time::format_seconds(t),
                    style::tick(v * 100.0)
                );
                tips.point(chart.backend_coord(&(unit.of(t), v * 100.0)), text);
            }
        }
        rest = below;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cpu_is_red_and_links_cycle() {
        assert_eq!(resource_colour(0), RGBColor(0xD6, 0x27, 0x28));
        assert_eq!(resource_colour(1), resource_colour(4));
        assert_ne!(resource_colour(1), resource_colour(2));
    }
}
