//! Charts of a one-parameter sweep (docs/capacity.md): latency against the
//! swept value (p50 and p99 panels, per strategy, with the p99 SLO line),
//! and throughput against it, with the fitted Universal Scalability Law
//! curve and its peak when the parameter is a concurrency.
//!
//! As for a run's charts, [`data`] is pure over sweep.json and
//! [`draw_latency`] and [`draw_throughput`] draw it; the same sweep draws
//! the same bytes.

use super::ChartError;
use super::style::{self, Swatch};
use crate::report::sweep::SweepFile;
use crate::scenario::{Metric, Statistic, parse_threshold};
use crate::sweep::usl::{self, Usl};
use plotters::coord::Shift;
use plotters::prelude::*;
use serde_json::Value;

/// One strategy's measurements along the swept value.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub strategy: String,
    /// The strategy's index in the scenario (its colour).
    pub index: usize,
    /// (value, p50 s, p99 s, throughput /s), in sweep order.
    pub points: Vec<(f64, f64, f64, f64)>,
    /// The USL fit of throughput, for a concurrency sweep with enough points.
    pub usl: Option<Usl>,
}

/// What both sweep charts show.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepChartData {
    pub scenario: String,
    /// The swept field's path.
    pub parameter: String,
    pub series: Vec<Series>,
    /// The bound of a `latency p99 < …` SLO, if the sweep has one.
    pub p99_slo_s: Option<f64>,
}

/// Whether a path names a concurrency (workers, cores, a pool, users), the
/// parameter of a USL fit.
pub fn is_concurrency(path: &str) -> bool {
    let last = path.rsplit('.').next().unwrap_or(path);
    matches!(last, "workers" | "max_concurrency" | "cores" | "users") || path.starts_with("pools.")
}

/// The data of a sweep with exactly one numeric parameter; `None` otherwise.
pub fn data(file: &SweepFile) -> Option<SweepChartData> {
    let parameters = file.header_value("parameters");
    let [parameter] = parameters.as_array()?.as_slice() else { return None };
    let path = parameter["path"].as_str()?.to_string();
    let strategies: Vec<String> =
        file.header_value("strategies").as_array()?.iter().filter_map(|s| s.as_str().map(String::from)).collect();
    let mut series: Vec<Series> = strategies
        .iter()
        .enumerate()
        .map(|(index, strategy)| Series { strategy: strategy.clone(), index, points: Vec::new(), usl: None })
        .collect();
    for point in file.point_values() {
        let x = point["set"][&path].as_f64()?;
        for r in point["results"].as_array()? {
            let f = &r["figures"];
            let Some(s) = series.iter_mut().find(|s| f["strategy"] == s.strategy.as_str()) else { continue };
            let num = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
            s.points.push((x, num(&f["latency_s"]["p50"]), num(&f["latency_s"]["p99"]), num(&f["throughput_per_s"])));
        }
    }
    if is_concurrency(&path) {
        for s in &mut series {
            let points: Vec<(f64, f64)> = s.points.iter().map(|p| (p.0, p.3)).collect();
            s.usl = usl::fit(&points);
        }
    }
    let p99_slo_s = file.header_value("slos").as_array().and_then(|slos| {
        slos.iter()
            .filter_map(|s| parse_threshold(s["threshold"].as_str()?).ok())
            .find_map(|t| (t.metric == Metric::Latency(Statistic::P99)).then_some(t.bound))
    });
    let scenario = file.header_value("scenario")["name"].as_str().unwrap_or("").to_string();
    Some(SweepChartData { scenario, parameter: path, series, p99_slo_s })
}

fn x_range(data: &SweepChartData) -> (f64, f64) {
    let xs = data.series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let (lo, hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
    if !lo.is_finite() {
        (0.0, 1.0)
    } else if lo >= hi {
        (lo, lo + 1.0)
    } else {
        (lo, hi)
    }
}

fn legend(data: &SweepChartData, extra: Vec<(Swatch, String)>) -> Vec<(Swatch, String)> {
    let mut entries: Vec<(Swatch, String)> =
        data.series.iter().map(|s| (Swatch::Line(style::strategy_colour(s.index)), s.strategy.clone())).collect();
    entries.extend(extra);
    entries
}

/// p50 and p99 against the swept value.
pub fn draw_latency<DB: DrawingBackend>(data: &SweepChartData, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    prepare(root, &format!("latency by {} · {}", data.parameter, data.scenario))?;
    let (width, _) = root.dim_in_pixel();
    let slo =
        data.p99_slo_s.map(|b| (Swatch::Dashed(style::INK), format!("SLO p99 < {}", crate::time::format_seconds(b))));
    let height = style::draw_legend(root, (40, 46), width as i32 - 30, &legend(data, slo.into_iter().collect()))?;
    let body = root.margin(60 + height as u32, 20, 10, 10);
    let (x0, x1) = x_range(data);
    let panels = [("p50", 1usize), ("p99", 2usize)];
    for ((name, column), area) in panels.into_iter().zip(body.split_evenly((1, 2))) {
        // A log axis: a hockey stick spans decades, and one slow strategy
        // would flatten the others on a linear one.
        let value = |p: &(f64, f64, f64, f64)| if column == 1 { p.1 } else { p.2 };
        let slo = if column == 2 { data.p99_slo_s } else { None };
        let values = data.series.iter().flat_map(|s| s.points.iter().map(value)).chain(slo);
        let (low, high) = values
            .filter(|v| v.is_finite() && *v > 0.0)
            .fold((f64::INFINITY, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let (low, high) = if low.is_finite() { (low / 1.3, high * 1.3) } else { (1e-3, 1.0) };
        let to_y = move |v: f64| v.max(low);
        let mut chart = ChartBuilder::on(&area)
            .caption(format!("{name} latency"), style::text(style::TEXT_SIZE + 2.0))
            .margin(10)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(x0..x1, (low..high).log_scale().with_key_points(style::log_ticks(low, high)))?;
        chart
            .configure_mesh()
            .x_desc(data.parameter.as_str())
            .y_desc(format!("{name} (log scale)"))
            .x_labels(8)
            .y_labels(20)
            .x_label_formatter(&|v| style::tick(*v))
            .y_label_formatter(&|v| style::time_tick(*v))
            .label_style(style::text(style::SMALL_SIZE))
            .axis_desc_style(style::text(style::SMALL_SIZE))
            .light_line_style(style::GRID.mix(0.5))
            .bold_line_style(style::GRID)
            .draw()?;
        if let Some(bound) = slo {
            let y = to_y(bound);
            chart.draw_series(DashedLineSeries::new([(x0, y), (x1, y)], 8, 6, style::INK.stroke_width(2)))?;
        }
        for s in &data.series {
            let colour = style::strategy_colour(s.index);
            let line: Vec<(f64, f64)> = s
                .points
                .iter()
                .map(|p| (p.0, value(p)))
                .filter(|p| p.1.is_finite())
                .map(|p| (p.0, to_y(p.1)))
                .collect();
            chart.draw_series(LineSeries::new(line.clone(), colour.stroke_width(2)))?;
            chart.draw_series(line.into_iter().map(|p| Circle::new(p, 3, colour.filled())))?;
        }
    }
    root.present()?;
    Ok(())
}

/// Throughput against the swept value, with each fitted USL curve and peak.
pub fn draw_throughput<DB: DrawingBackend>(
    data: &SweepChartData,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    prepare(root, &format!("throughput by {} · {}", data.parameter, data.scenario))?;
    let (width, _) = root.dim_in_pixel();
    let fitted = data.series.iter().any(|s| s.usl.is_some());
    let extra = if fitted {
        vec![(Swatch::Dashed(style::MUTED), "USL fit (diamond: its peak)".to_string())]
    } else {
        Vec::new()
    };
    let height = style::draw_legend(root, (40, 46), width as i32 - 30, &legend(data, extra))?;
    let body = root.margin(60 + height as u32, 20, 10, 10);
    let (x0, x1) = x_range(data);
    let measured = data.series.iter().flat_map(|s| s.points.iter().map(|p| p.3));
    let peaks = data.series.iter().filter_map(|s| s.usl.and_then(|u| u.peak_throughput));
    let max = measured.chain(peaks).filter(|v| v.is_finite()).fold(0.0, f64::max);
    let mut chart = ChartBuilder::on(&body)
        .margin(10)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(x0..x1, 0f64..style::headroom(max))?;
    chart
        .configure_mesh()
        .x_desc(data.parameter.as_str())
        .y_desc("throughput (tasks/s)")
        .x_labels(10)
        .y_labels(8)
        .x_label_formatter(&|v| style::tick(*v))
        .y_label_formatter(&|v| style::tick(*v))
        .label_style(style::text(style::SMALL_SIZE))
        .axis_desc_style(style::text(style::SMALL_SIZE))
        .light_line_style(style::GRID.mix(0.5))
        .bold_line_style(style::GRID)
        .draw()?;
    for s in &data.series {
        let colour = style::strategy_colour(s.index);
        let line: Vec<(f64, f64)> = s.points.iter().map(|p| (p.0, p.3)).filter(|p| p.1.is_finite()).collect();
        chart.draw_series(LineSeries::new(line.clone(), colour.stroke_width(2)))?;
        chart.draw_series(line.into_iter().map(|p| Circle::new(p, 3, colour.filled())))?;
        if let Some(fit) = &s.usl {
            let steps = 120;
            let curve: Vec<(f64, f64)> = (0..=steps)
                .map(|k| x0.max(1.0) + (x1 - x0.max(1.0)) * k as f64 / steps as f64)
                .map(|x| (x, fit.throughput(x)))
                .collect();
            for pair in curve.chunks(2) {
                chart.draw_series(std::iter::once(PathElement::new(
                    pair.to_vec(),
                    style::lighten(colour, 0.3).stroke_width(2),
                )))?;
            }
            if let (Some(n), Some(x)) = (fit.peak_concurrency, fit.peak_throughput)
                && (x0..=x1).contains(&n)
            {
                let (px, py) = chart.backend_coord(&(n, x));
                root.draw(&Polygon::new(
                    vec![(px, py - 7), (px + 7, py), (px, py + 7), (px - 7, py)],
                    colour.filled(),
                ))?;
            }
        }
    }
    root.present()?;
    Ok(())
}

fn prepare<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, title: &str) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    style::register_font();
    root.fill(&WHITE)?;
    style::draw_title(root, title)
}

/// Draws chart `i` (0: latency, 1: throughput).
fn draw_nth<DB: DrawingBackend>(
    i: usize,
    data: &SweepChartData,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    if i == 0 { draw_latency(data, root) } else { draw_throughput(data, root) }
}

/// A chart drawn both ways: its file stem, SVG text and PNG bytes.
pub type Drawn = (&'static str, String, Vec<u8>);

/// Both charts.
pub fn render(data: &SweepChartData) -> Result<Vec<Drawn>, ChartError> {
    let mut out = Vec::new();
    for (i, stem) in ["sweep-latency", "sweep-throughput"].into_iter().enumerate() {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, style::SIZE).into_drawing_area();
            draw_nth(i, data, &root)?;
        }
        let png = super::encode_png(|root| draw_nth(i, data, root))?;
        out.push((stem, svg, png));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrency_parameters_are_recognised() {
        assert!(is_concurrency("strategies.threaded-32.workers"));
        assert!(is_concurrency("machine.cores"));
        assert!(is_concurrency("pools.database"));
        assert!(!is_concurrency("classes.request.arrivals.poisson.rate"));
    }
}
