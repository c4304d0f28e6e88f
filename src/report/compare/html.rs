//! The comparison as one self-contained HTML page (`compare --format
//! html`), as criterion shows a benchmark against its baseline: per
//! scenario, every figure base against head with its change, limit and
//! verdict (the moved ones first, the rest folded), the head's SLO
//! verdicts, and per strategy both latency percentile spectra overlaid
//! (base dashed grey, head solid in the strategy's colour) as inline SVG
//! with tooltips.
//!
//! Like report.html: no script, nothing fetched, every piece of text from
//! the reports escaped. The spectra are the reports' exact
//! `latency_spectrum_s` where they have one, else read from their
//! histograms ([`super::view::ResultView::histogram`]), as the run's
//! percentile chart draws them; a strategy in one run only, or with neither
//! (a histogram that does not decode), has no spectrum.

use super::super::charts::style::{self, Swatch, TimeUnit};
use super::super::charts::tips::Tips;
use super::super::charts::{ChartError, percentiles};
use super::super::html::{escape, plain_table};
use super::super::markdown::slo_table;
use super::super::table::Table;
use super::view::{LoadedReport, ResultView};
use super::{Comparison, Row, ScenarioComparison, changes_table};
use crate::time::format_seconds;
use plotters::coord::Shift;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Each spectrum's size in pixels.
const SIZE: (u32, u32) = (900, 420);

/// The page for `c`, with the spectra of the strategies in both `base` and
/// `head` (the reports `c` was made from, matched by scenario name).
pub fn render(c: &Comparison, base: &[LoadedReport], head: &[LoadedReport]) -> String {
    let failures = c.failures();
    let (class, mark) = match (failures, c.is_unchanged()) {
        (0, true) => ("pass", "✅"),
        (0, false) => ("pass", "☑️"),
        _ => ("fail", "❌"),
    };
    let mut out = String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n");
    out.push_str("<title>simbench compare</title>\n");
    out.push_str(STYLE);
    out.push_str("</head>\n<body>\n<main>\n<h1>simbench compare</h1>\n");
    out.push_str(&format!("<p class=\"verdict {class}\">{mark} {}</p>\n", escape(&c.headline())));
    if !c.scenarios.is_empty() {
        out.push_str("<nav aria-label=\"Scenarios\"><ol>\n");
        for s in &c.scenarios {
            out.push_str(&format!("<li><a href=\"#{}\">{}</a></li>\n", anchor(&s.name), escape(&s.name)));
        }
        out.push_str("</ol></nav>\n");
    }
    for s in &c.scenarios {
        out.push_str(&scenario(s, c.strict, results_of(base, &s.name), results_of(head, &s.name)));
    }
    for (label, side) in [("only in the base", &c.only_in_base), ("only in the head", &c.only_in_head)] {
        for (name, path) in side {
            out.push_str(&format!(
                "<p class=\"note\">⚠️ <b>{}</b> is {label} (<code>{}</code>).</p>\n",
                escape(name),
                escape(path)
            ));
        }
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// The results of the report of scenario `name` among `side`.
fn results_of<'a>(side: &'a [LoadedReport], name: &str) -> Option<&'a [ResultView]> {
    side.iter().find(|r| r.view.scenario.name == name).map(|r| &r.view.results[..])
}

/// A section id for a scenario name: its letters and digits, `-` for the rest.
fn anchor(name: &str) -> String {
    let id: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    format!("scenario-{id}")
}

fn scenario(s: &ScenarioComparison, strict: bool, base: Option<&[ResultView]>, head: Option<&[ResultView]>) -> String {
    let mut out = format!("<section id=\"{}\">\n<h2>{}</h2>\n", anchor(&s.name), escape(&s.name));
    out.push_str(&format!(
        "<p class=\"meta\">base <code>{}</code> · head <code>{}</code> · {}</p>\n",
        escape(&s.base.path),
        escape(&s.head.path),
        escape(&s.tally().describe())
    ));
    for note in &s.notes {
        out.push_str(&format!("<p class=\"note\">{}</p>\n", escape(note)));
    }
    let (moved, rest): (Vec<&Row>, Vec<&Row>) = s.rows.iter().partition(|r| r.shown_as_moved(strict));
    let table =
        |rows: &[&Row]| scrolled(&changes_table(rows, str::to_string, str::to_string, |v| v.name().to_string()));
    if moved.is_empty() {
        out.push_str("<p>No figure moved.</p>\n");
    } else {
        out.push_str(&table(&moved));
    }
    if !rest.is_empty() {
        out.push_str(&format!(
            "<details><summary>{} figures unchanged (or moved below the display precision)</summary>\n{}</details>\n",
            rest.len(),
            table(&rest)
        ));
    }
    for name in &s.only_in_base {
        out.push_str(&format!("<p class=\"note\">{} is only in the base.</p>\n", escape(name)));
    }
    for name in &s.only_in_head {
        out.push_str(&format!("<p class=\"note\">{} is only in the head.</p>\n", escape(name)));
    }
    out.push_str(&slos(s));
    if let (Some(base), Some(head)) = (base, head) {
        out.push_str("<h3>Latency by percentile, base against head</h3>\n");
        for (index, h) in head.iter().enumerate() {
            let Some(b) = base.iter().find(|b| b.strategy == h.strategy) else { continue };
            if let Some(svg) = spectra(&s.name, index, b, h) {
                out.push_str(&format!(
                    "<figure class=\"chart\">\n{svg}\n<figcaption>{}: base dashed, head solid; p50 {} → {}, p99 {} → {}</figcaption>\n</figure>\n",
                    escape(&h.strategy),
                    format_seconds(b.latency_s.p50),
                    format_seconds(h.latency_s.p50),
                    format_seconds(b.latency_s.p99),
                    format_seconds(h.latency_s.p99),
                ));
            }
        }
    }
    out.push_str("</section>\n");
    out
}

/// The head's SLO verdicts of this scenario, as a table.
fn slos(s: &ScenarioComparison) -> String {
    if s.head_slos.is_empty() {
        return String::new();
    }
    let failed = s.head_slos.iter().filter(|o| !o.passed).count();
    let table = slo_table(&s.head_slos, str::to_string, str::to_string);
    format!("<h3>SLOs (head)</h3>\n<p>{} met, {failed} failed.</p>\n{}", s.head_slos.len() - failed, scrolled(&table))
}

/// A table of plain cells, escaped, that scrolls sideways when too wide.
fn scrolled(t: &Table) -> String {
    format!("<div class=\"scroll\">\n{}</div>\n", plain_table(t))
}

/// One strategy's two spectra as SVG with tooltips; `None` when either
/// histogram is empty or does not decode.
fn spectra(scenario: &str, index: usize, base: &ResultView, head: &ResultView) -> Option<String> {
    let points = |r: &ResultView| percentiles::points(r.latency_spectrum_s.as_deref(), &r.histogram, r.latency_s.max);
    let (b, h) = (points(base)?, points(head)?);
    let mut svg = String::new();
    let mut tips = Tips::default();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        let spectra = Spectra { base: &b, head: &h, colour: style::strategy_colour(index) };
        draw(&root, &format!("{} · {scenario}", head.strategy), &spectra, &mut tips).ok()?;
    }
    let svg = tips.insert(&svg);
    let label = escape(&format!("Latency by percentile of {} in {scenario}, base and head", head.strategy));
    Some(svg.trim_end().replacen("<svg ", &format!("<svg role=\"img\" aria-label=\"{label}\" "), 1))
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    spectra: &Spectra,
    tips: &mut Tips,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    style::register_font();
    root.fill(&WHITE)?;
    style::draw_title(root, title)?;
    let legend =
        [(Swatch::Dashed(style::MUTED), "base".to_string()), (Swatch::Line(spectra.colour), "head".to_string())];
    let (width, _) = root.dim_in_pixel();
    let legend_height = style::draw_legend(root, (90, 42), width as i32 - 30, &legend)?;
    let body = root.margin(46 + legend_height as u32, 10, 10, 30);
    let values = || spectra.base.iter().chain(spectra.head).map(|p| p.1);
    let top = values().fold(0.0, f64::max);
    let low = values().filter(|v| *v > 0.0).fold(f64::INFINITY, f64::min);
    if style::far_apart(values()) {
        let (lo, hi) = (low / 1.3, top * 1.3);
        let y = (lo..hi).log_scale().with_key_points(style::log_ticks(lo, hi));
        let tick: &dyn Fn(&f64) -> String = &|v| style::time_tick(*v);
        let axis = (tick, "latency (log scale)".to_string());
        plot(root, &body, spectra, y, move |v| v.max(lo), axis, tips)
    } else {
        let unit = TimeUnit::for_range(top);
        let tick: &dyn Fn(&f64) -> String = &|v| style::tick(*v);
        let axis = (tick, format!("latency ({})", unit.name));
        plot(root, &body, spectra, 0f64..style::headroom(unit.of(top)), move |v| unit.of(v), axis, tips)
    }
}

/// A strategy's two spectra and its colour.
struct Spectra<'a> {
    base: &'a [(f64, f64)],
    head: &'a [(f64, f64)],
    colour: RGBColor,
}

/// Draws the axes and both lines with y coordinates `y` (linear or log),
/// the y axis labelled by `(tick label, axis title)`.
fn plot<DB, Y>(
    root: &DrawingArea<DB, Shift>,
    body: &DrawingArea<DB, Shift>,
    spectra: &Spectra,
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
        .x_label_area_size(40)
        .y_label_area_size(80)
        .build_cartesian_2d((1f64..percentiles::MAX_X).log_scale(), y)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .x_label_formatter(&|_| String::new())
        .y_labels(8)
        .y_label_formatter(y_label)
        .y_desc(y_desc)
        .label_style(style::text(style::SMALL_SIZE))
        .axis_desc_style(style::text(style::SMALL_SIZE))
        .max_light_lines(1)
        .light_line_style(style::GRID.mix(0.5))
        .bold_line_style(style::GRID)
        .draw()?;
    let y0 = chart.plotting_area().get_y_range().start;
    let label = style::text(style::SMALL_SIZE).color(&style::INK).pos(Pos::new(HPos::Center, VPos::Top));
    for (x, name) in percentiles::X_LABELS {
        let (px, py) = chart.backend_coord(&(x, y0));
        root.draw_text(name, &label, (px, py + 6))?;
    }
    let line = |points: &[(f64, f64)]| -> Vec<(i32, i32)> {
        points.iter().map(|&(x, v)| chart.backend_coord(&(x, to_y(v)))).collect()
    };
    root.draw(&DashedPathElement::new(line(spectra.base), 10, 6, style::MUTED.stroke_width(3)))?;
    root.draw(&PathElement::new(line(spectra.head), spectra.colour.stroke_width(2)))?;
    for (side, points) in [("base", spectra.base), ("head", spectra.head)] {
        for &(x, name) in &percentiles::X_LABELS[1..] {
            let nearest = points.iter().min_by(|a, b| (a.0 / x).ln().abs().total_cmp(&(b.0 / x).ln().abs()));
            if let Some(&(px, v)) = nearest {
                let at = chart.backend_coord(&(px, to_y(v)));
                tips.point(at, format!("{side} · p{}: {}", name.trim_end_matches('%'), format_seconds(v)));
            }
        }
    }
    Ok(())
}

const STYLE: &str = "<style>
:root { color-scheme: light; }
body { margin: 0; font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', Arial, sans-serif; color: #222; background: #fafafa; line-height: 1.45; }
main { max-width: 1240px; margin: 0 auto; padding: 12px 20px 40px; }
h1 { font-size: 1.7rem; } h2 { font-size: 1.3rem; margin-top: 32px; } h3 { font-size: 1.05rem; }
code { font-family: ui-monospace, Menlo, Consolas, 'DejaVu Sans Mono', monospace; }
.meta, .note { color: #555; font-size: 0.9rem; }
.verdict { font-weight: 600; } .verdict.fail { color: #b00020; } .verdict.pass { color: #1b5e20; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; background: #fff; font-size: 0.9rem; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 10px; border-bottom: 1px solid #e4e4e4; text-align: left; white-space: nowrap; }
th { background: #f0f0f0; } td.num, th.num { text-align: right; }
figure.chart { margin: 16px 0; padding: 10px; background: #fff; border: 1px solid #e4e4e4; border-radius: 6px; }
figure.chart svg { display: block; width: 100%; height: auto; max-width: 900px; }
figcaption { color: #444; font-size: 0.9rem; }
nav ol { display: flex; flex-wrap: wrap; gap: 4px 26px; padding-left: 0; list-style-position: inside; }
details { margin: 8px 0; }
@media (max-width: 760px) { main { padding: 8px 10px; } th, td { padding: 4px 6px; } }
</style>
";
