//! report.html: one self-contained page with the scenario, a table of
//! contents, the SLO verdicts and findings, the summary (every latency
//! percentile report.json has) and task tables, and every chart as inline
//! SVG with `<title>` tooltips on its bars, points and lanes.
//!
//! Self-contained means no request leaves the file: no scripts, no external
//! style sheets, fonts or images (the charts are inline `<svg>` elements and
//! the page uses the reader's own sans-serif font), so it opens offline in
//! any browser and can be attached to an issue as it is. Every piece of text
//! from the scenario (names, labels, descriptions, the file itself) is
//! escaped; chart SVG comes from plotters, which escapes its text.

use super::charts::Rendered;
use super::charts::style::{hex, strategy_colour};
use super::markdown::{LatencyColumns, Markup, findings, slo_table, summary_table, tasks_table};
use super::table::{Align, Table};
use super::{Report, SCHEMA};

/// The page. `source` is the scenario file's text, shown at the end.
pub fn render(report: &Report, charts: &[Rendered], source: Option<&str>) -> String {
    let s = &report.scenario;
    let mut out = String::with_capacity(64 * 1024 + charts.iter().map(|c| c.svg.len()).sum::<usize>());
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!("<title>{} — simbench report</title>\n", escape(&s.name)));
    out.push_str(STYLE);
    out.push_str("</head>\n<body>\n<header>\n");
    out.push_str(&format!("<h1>{} <span class=\"muted\">— simbench report</span></h1>\n", escape(&s.name)));
    if !s.description.is_empty() {
        out.push_str(&format!("<p class=\"description\">{}</p>\n", escape(&s.description)));
    }
    out.push_str(&format!(
        "<p class=\"meta\">Scenario <code>{}</code> · sha256 <code title=\"{}\">{}</code> · seed {} · simbench {} · {}</p>\n",
        escape(&s.file),
        escape(&s.sha256),
        escape(&s.sha256[..s.sha256.len().min(12)]),
        s.seed,
        escape(report.simbench_version),
        SCHEMA
    ));
    out.push_str("</header>\n");
    let mut page = Page::default();
    verdicts(report, &mut page);
    page.section("summary", "Summary", &table(&summary_table(&report.results, str::to_string, LatencyColumns::Every)));
    page.section("tasks", "Tasks", &table(&tasks_table(&report.results, str::to_string)));
    if report.results.iter().any(|r| r.bottleneck.is_some()) {
        use super::resources::{bottleneck_lines, links_table, services_table};
        let mut body = String::from("<ul>\n");
        for line in bottleneck_lines(&report.results) {
            body.push_str(&format!("<li>{}</li>\n", escape(&line)));
        }
        body.push_str("</ul>\n");
        if report.results.iter().any(|r| !r.links.is_empty()) {
            let per = report.results[0].links.len();
            body.push_str(&grouped_table(&links_table(&report.results, str::to_string), per));
        }
        if report.results.iter().any(|r| !r.services.is_empty()) {
            let per = report.results[0].services.len();
            body.push_str(&grouped_table(&services_table(&report.results, str::to_string), per));
        }
        page.section("resources", "Resources", &body);
    }
    for chart in charts {
        page.figure(chart);
    }
    if let Some(source) = source {
        let body = format!(
            "<details>\n<summary><code>{}</code></summary>\n<pre>{}</pre>\n</details>\n",
            escape(&s.file),
            escape(source.trim_end())
        );
        page.section("scenario", "Scenario", &body);
    }
    page.contents.push(("definitions".to_string(), "Definitions".to_string()));
    out.push_str(&page.nav());
    out.push_str("<main>\n");
    out.push_str(&page.body);
    out.push_str(FOOTER);
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// The page's sections as they are added, and its table of contents.
#[derive(Default)]
struct Page {
    body: String,
    /// `(id, title)` of each section, in page order.
    contents: Vec<(String, String)>,
}

impl Page {
    /// A `<section>` with a heading; `body` is HTML.
    fn section(&mut self, id: &str, title: &str, body: &str) {
        self.body.push_str(&format!("<section id=\"{id}\">\n<h2>{}</h2>\n{body}</section>\n", escape(title)));
        self.contents.push((id.to_string(), title.to_string()));
    }

    /// A chart's `<figure>`.
    fn figure(&mut self, chart: &Rendered) {
        self.body.push_str(&figure(chart));
        self.contents.push((format!("chart-{}", chart.chart.file_stem()), chart.chart.title().to_string()));
    }

    /// The table of contents: a link to every section.
    fn nav(&self) -> String {
        let mut out = String::from("<nav id=\"contents\" aria-label=\"Contents\">\n<b>Contents</b>\n<ol>\n");
        for (id, title) in &self.contents {
            out.push_str(&format!("<li><a href=\"#{id}\">{}</a></li>\n", escape(title)));
        }
        out.push_str("</ol>\n</nav>\n");
        out
    }
}

/// The SLO verdicts and the findings, first on the page: what a reader
/// acts on. Nothing when the report has neither.
fn verdicts(report: &Report, page: &mut Page) {
    if !report.slos.is_empty() {
        let failed = report.failed_slos();
        let (class, line) = match failed {
            0 => ("pass", format!("✅ All {} SLO checks passed.", report.slos.len())),
            n => ("fail", format!("❌ {n} of {} SLO checks failed.", report.slos.len())),
        };
        let body = format!(
            "<p class=\"verdict {class}\">{line}</p>\n{}",
            plain_table(&slo_table(&report.slos, str::to_string, str::to_string))
        );
        page.section("slos", "SLOs", &body);
    }
    let found = findings(&report.results, &Html);
    if !found.is_empty() {
        let items: String = found.iter().map(|f| format!("<li>{f}</li>\n")).collect();
        page.section("findings", "Findings", &format!("<ul>\n{items}</ul>\n"));
    }
}

/// HTML: `<strong>`, `<code>`, everything escaped.
struct Html;

impl Markup for Html {
    fn text(&self, text: &str) -> String {
        escape(text)
    }
    fn strong(&self, text: &str) -> String {
        format!("<strong>{}</strong>", escape(text))
    }
    fn code(&self, text: &str) -> String {
        format!("<code>{}</code>", escape(text))
    }
}

/// A table of plain cells (escaped here), without strategy colours.
pub(super) fn plain_table(t: &Table) -> String {
    let class = |a: &Align| if *a == Align::Right { " class=\"num\"" } else { "" };
    let mut out = String::from("<table>\n<thead><tr>");
    for (h, a) in t.header().iter().zip(t.alignments()) {
        out.push_str(&format!("<th{}>{}</th>", class(a), escape(h)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in t.rows() {
        out.push_str("<tr>");
        for (cell, a) in row.iter().zip(t.alignments()) {
            out.push_str(&format!("<td{}>{}</td>", class(a), escape(cell)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// A table whose first column (the strategy) carries its chart colour.
fn table(t: &Table) -> String {
    grouped_table(t, 1)
}

/// As [`table`], for `per_strategy` consecutive rows per strategy (one per
/// link or service).
fn grouped_table(t: &Table, per_strategy: usize) -> String {
    let class = |a: &Align| if *a == Align::Right { " class=\"num\"" } else { "" };
    let mut out = String::from("<table>\n<thead><tr>");
    for (h, a) in t.header().iter().zip(t.alignments()) {
        out.push_str(&format!("<th{}>{}</th>", class(a), escape(h)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (i, row) in t.rows().iter().enumerate() {
        out.push_str("<tr>");
        for (c, (cell, a)) in row.iter().zip(t.alignments()).enumerate() {
            let swatch = if c == 0 {
                format!(
                    "<span class=\"swatch\" style=\"background:{}\"></span>",
                    hex(strategy_colour(i / per_strategy.max(1)))
                )
            } else {
                String::new()
            };
            out.push_str(&format!("<td{}>{swatch}{}</td>", class(a), escape(cell)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

fn figure(chart: &Rendered) -> String {
    let c = chart.chart;
    let stem = c.file_stem();
    // Name the drawing for assistive technology.
    let svg =
        chart.svg.trim_end().replacen("<svg ", &format!("<svg role=\"img\" aria-label=\"{}\" ", escape(c.title())), 1);
    format!(
        "<figure class=\"chart\" id=\"chart-{stem}\">\n<h2>{}</h2>\n{svg}\n<figcaption>{} <span class=\"muted\">({stem}.svg and {stem}.png beside this file)</span></figcaption>\n</figure>\n",
        escape(c.title()),
        escape(c.caption()),
    )
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = "<style>
:root { color-scheme: light; }
body { margin: 0; font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Helvetica Neue', Arial, sans-serif; color: #222; background: #fafafa; line-height: 1.45; }
header, main { max-width: 1240px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 24px; }
h1 { font-size: 1.8rem; margin: 0 0 8px; }
h2 { font-size: 1.25rem; margin: 28px 0 10px; }
.muted { color: #777; font-weight: normal; }
.description { font-size: 1.05rem; max-width: 900px; }
.meta { color: #555; font-size: 0.9rem; }
code, pre { font-family: ui-monospace, 'SFMono-Regular', Menlo, Consolas, 'DejaVu Sans Mono', monospace; }
table { border-collapse: collapse; background: #fff; font-size: 0.92rem; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 12px; border-bottom: 1px solid #e4e4e4; text-align: left; white-space: nowrap; }
th { background: #f0f0f0; }
td.num, th.num { text-align: right; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 8px; vertical-align: -1px; }
figure.chart { margin: 24px 0; padding: 12px; background: #fff; border: 1px solid #e4e4e4; border-radius: 6px; }
figure.chart h2 { margin-top: 0; }
figure.chart svg { display: block; width: 100%; height: auto; max-width: 1200px; }
figcaption { color: #444; margin-top: 8px; font-size: 0.92rem; }
details { background: #fff; border: 1px solid #e4e4e4; border-radius: 6px; padding: 8px 12px; }
pre { overflow-x: auto; font-size: 0.85rem; }
footer { color: #666; font-size: 0.85rem; margin: 32px 0; }
section { overflow-x: auto; }
.verdict { font-weight: 600; }
.verdict.fail { color: #b00020; }
.verdict.pass { color: #1b5e20; }
nav { max-width: 1240px; margin: 12px auto 0; padding: 8px 20px; font-size: 0.92rem; }
nav ol { display: flex; flex-wrap: wrap; gap: 4px 26px; margin: 4px 0 0; padding-left: 0; list-style-position: inside; }
nav a { color: #0b57a4; }
footer h2 { font-size: 1rem; color: #444; }
@media (max-width: 760px) {
  header, main, nav { padding: 0 10px; }
  h1 { font-size: 1.4rem; }
  th, td { padding: 4px 8px; }
  table { font-size: 0.85rem; }
  figure.chart { padding: 6px; margin: 16px 0; }
}
</style>
";

const FOOTER: &str = "<footer id=\"definitions\">
<h2>Definitions</h2>
<p><b>makespan</b>: virtual time to the last task's end · <b>throughput</b>: completed tasks per second of makespan · <b>latency</b>: arrival to end (not for cancelled tasks) · <b>wait</b>: arrival to first step · <b>loop lag</b>: how long ready coroutines waited for the event loop · <b>memory</b>: modelled with the runtime profile's memory per thread and per coroutine (16.5 KiB and 2.8 KiB unless a profile says otherwise). Percentiles come from HdrHistograms with 3 significant digits. Virtual time: the figures are simulated, not measured.</p>
</footer>
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(escape("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
        assert_eq!(escape("a \"b\" & 'c'"), "a &quot;b&quot; &amp; &#39;c&#39;");
    }
}
