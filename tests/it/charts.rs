//! Charts and report.html: every chart is written and valid (PNG decodes,
//! SVG parses), each chart's data holds the series it should, drawing is
//! deterministic, and scenario text is escaped.
//!
//! Data tests call the pure `data` functions through the library, as the
//! command does; file tests run the real binary.

use crate::common::{root, simbench, tempdir};
use simbench::metrics::timeline::Activity;
use simbench::metrics::{self, Options, Timeline};
use simbench::model::CompiledWorkload;
use simbench::report::charts::{self, Chart, ChartData, ChartInput, Figures, StrategyKey};
use simbench::report::{Report, ScenarioInfo};

const TUTORIAL: [&str; 4] = ["downloads", "flow", "blocking-pitfall", "scraper"];

/// A scenario's report and timelines, as `simbench run` computes them.
fn measured(name: &str, timeline_tasks: usize) -> (Report, Vec<Timeline>) {
    let loaded = simbench::scenario::load(&root().join(format!("scenarios/{name}.json"))).unwrap();
    let scenario = loaded.scenario;
    let workload = CompiledWorkload::compile(&scenario);
    let options = Options { timeline_tasks: Some(timeline_tasks), ..Options::default() };
    let (mut results, mut timelines) = (Vec::new(), Vec::new());
    for strategy in &scenario.strategies {
        let m = metrics::measure_with(&scenario, &workload, strategy, options, Default::default()).unwrap();
        results.push(m.result);
        timelines.push(m.timeline.unwrap());
    }
    let info = ScenarioInfo::of(&scenario, loaded.file, loaded.sha256);
    (Report::new(info, results), timelines)
}

fn figures(chart: Chart, report: &Report, timelines: &[Timeline]) -> Figures {
    ChartData::of(chart, &ChartInput { report, timelines, slo_s: None }).figures
}

fn labels(report: &Report) -> Vec<String> {
    report.results.iter().map(|r| r.strategy.clone()).collect()
}

/// The strategy keys a chart's series carry, in order.
fn keys(figures: &Figures) -> Vec<StrategyKey> {
    match figures {
        Figures::Percentiles(d) => d.series.iter().map(|s| s.strategy.clone()).collect(),
        Figures::Distribution(d) => d.series.iter().map(|s| s.strategy.clone()).collect(),
        Figures::Timeline(d) => d.panels.iter().map(|p| p.strategy.clone()).collect(),
        Figures::Flow(d) => d.lines.iter().map(|l| l.strategy.clone()).collect(),
        Figures::Summary(d) => d.strategies.clone(),
        Figures::Utilisation(d) => d.panels.iter().map(|p| p.strategy.clone()).collect(),
    }
}

#[test]
fn every_chart_has_one_series_per_strategy_with_its_colour_index() {
    for name in TUTORIAL {
        let (report, timelines) = measured(name, 20);
        let expected: Vec<StrategyKey> =
            labels(&report).into_iter().enumerate().map(|(index, name)| StrategyKey { name, index }).collect();
        for chart in Chart::ALL {
            assert_eq!(keys(&figures(chart, &report, &timelines)), expected, "{name}: {chart}");
        }
    }
}

#[test]
fn the_percentile_spectrum_of_downloads_steps_from_5_to_15_seconds() {
    let (report, timelines) = measured("downloads", 20);
    let Figures::Percentiles(d) = figures(Chart::Percentiles, &report, &timelines) else { unreachable!() };
    assert!(!d.log_y, "medians 10 s and 5 s are close: linear axis");
    for s in &d.series {
        assert_eq!(s.points.len(), charts::percentiles::POINTS);
        assert_eq!(s.points.first().unwrap().0, 1.0);
        assert!((s.points.last().unwrap().0 - charts::percentiles::MAX_X).abs() < 1e-6);
        assert!(s.points.windows(2).all(|w| w[0].1 <= w[1].1), "{}: latency never falls with p", s.strategy.name);
    }
    let at = |strategy: &str, x: f64| {
        let s = d.series.iter().find(|s| s.strategy.name == strategy).unwrap();
        s.points.iter().find(|p| p.0 >= x).unwrap().1
    };
    // Three latencies, so exact: numpy's linear interpolation, h = 2p
    // between 5 s, 10 s and 15 s, so 5 + 10p seconds at every point.
    let blocking = &d.series.iter().find(|s| s.strategy.name == "blocking").unwrap().points;
    for &(x, v) in blocking {
        let p = charts::percentiles::percentile_at(x);
        assert_eq!(v, metrics::round_significant(5.0 + 10.0 * p, 4), "at x = {x}");
    }
    assert_eq!(at("blocking", 1.0), 5.0);
    assert_eq!(at("blocking", 1e4), 15.0, "14.999 s to 4 digits");
    assert_eq!(at("cooperative", 1.0), 5.0);
    assert_eq!(at("cooperative", 1e4), 5.0);
    assert_eq!(report.results[0].latency_s.p50, 10.0, "report.json's p50 by the same definition");
}

#[test]
fn the_scraper_spectrum_uses_a_log_axis_for_medians_far_apart() {
    let (report, timelines) = measured("scraper", 20);
    let Figures::Percentiles(d) = figures(Chart::Percentiles, &report, &timelines) else { unreachable!() };
    assert!(d.log_y);
    assert_eq!(d.max_s, report.results.iter().map(|r| r.latency_s.max).fold(0.0, f64::max));
}

#[test]
fn an_slo_is_drawn_when_given() {
    let (report, timelines) = measured("downloads", 20);
    let input = ChartInput { report: &report, timelines: &timelines, slo_s: Some(0.5) };
    let data = ChartData::of(Chart::Percentiles, &input);
    let Figures::Percentiles(d) = &data.figures else { unreachable!() };
    assert_eq!(d.slo_s, Some(0.5));
    assert!(data.svg().unwrap().contains("SLO 500ms"));
}

#[test]
fn distributions_hold_every_task() {
    for name in TUTORIAL {
        let (report, timelines) = measured(name, 20);
        let Figures::Distribution(d) = figures(Chart::Distribution, &report, &timelines) else { unreachable!() };
        assert_eq!(d.edges.len(), charts::distribution::BINS + 1);
        for (s, r) in d.series.iter().zip(&report.results) {
            assert_eq!(s.count, r.tasks.completed + r.tasks.failed + r.tasks.timed_out, "{name}");
            let total: f64 = s.share.iter().sum();
            assert!((total - 1.0).abs() < 1e-9, "{name} {}: shares sum to {total}", s.strategy.name);
            assert!((s.cumulative.last().unwrap() - 1.0).abs() < 1e-9);
        }
        // Every latency lies within the bins.
        let max = report.results.iter().map(|r| r.latency_s.max).fold(0.0, f64::max);
        assert!(d.edges[0] > 0.0 && *d.edges.last().unwrap() >= max);
    }
}

/// (start, end, activity) of a row's bars, in milliseconds.
fn bars_ms(bars: &[charts::timeline::Bar]) -> Vec<(u64, u64, Activity)> {
    bars.iter().map(|b| ((b.start_s * 1e3).round() as u64, (b.end_s * 1e3).round() as u64, b.activity)).collect()
}

#[test]
fn the_blocking_pitfall_timeline_shows_the_loop_blocked_for_the_first_second() {
    let (report, timelines) = measured("blocking-pitfall", 20);
    let Figures::Timeline(d) = figures(Chart::Timeline, &report, &timelines) else { unreachable!() };
    let panel = |name: &str| d.panels.iter().find(|p| p.strategy.name == name).unwrap();

    let coop = panel("cooperative");
    let lane = coop.event_loop.as_ref().expect("cooperative has a loop lane");
    assert_eq!(bars_ms(lane), [(0, 1000, Activity::Blocking)]);
    assert_eq!(lane[0].label.as_deref(), Some("time.sleep"));
    assert_eq!(coop.rows.len(), 20);
    for row in &coop.rows {
        assert!(row.label.ends_with(" sleeper"), "{}", row.label);
        // Asleep for 100 ms, then ready but stuck behind the blocked loop.
        assert_eq!(bars_ms(&row.bars), [(0, 100, Activity::Io), (100, 1000, Activity::Ready)], "{}", row.label);
    }

    // With 100 threads the blocking call blocks only its own thread.
    let threads = panel("threaded-100");
    assert!(threads.event_loop.is_none());
    for row in &threads.rows {
        assert_eq!(bars_ms(&row.bars), [(0, 100, Activity::Io)]);
    }
    // One thread: the sleepers queue, one after another.
    let blocking = panel("blocking");
    assert_eq!(bars_ms(&blocking.rows[2].bars), [(0, 200, Activity::Queued), (200, 300, Activity::Io)]);
    assert!((d.end_s - 2.0).abs() < 1e-9, "the 20th sleeper ends at 2 s under blocking");
}

#[test]
fn the_flow_timeline_is_the_tutorials_execution_flow() {
    let (report, timelines) = measured("flow", 20);
    let Figures::Timeline(d) = figures(Chart::Timeline, &report, &timelines) else { unreachable!() };
    let steps = |name: &str| -> Vec<(u64, u64, Option<String>)> {
        let panel = d.panels.iter().find(|p| p.strategy.name == name).unwrap();
        bars_ms(&panel.rows[0].bars)
            .into_iter()
            .zip(&panel.rows[0].bars)
            .map(|((start, end, _), bar)| (start, end, bar.label.clone()))
            .collect()
    };
    let label = |s: &str| Some(s.to_string());
    assert_eq!(steps("blocking"), [(0, 2000, label("operation_1")), (2000, 3000, label("operation_2"))]);
    assert_eq!(
        steps("cooperative"),
        [(0, 1000, label("operation_1 + operation_2")), (1000, 2000, label("operation_1"))]
    );
}

#[test]
fn the_flow_chart_counts_tasks_in_flight_and_completions() {
    let (report, timelines) = measured("downloads", 20);
    let Figures::Flow(d) = figures(Chart::Flow, &report, &timelines) else { unreachable!() };
    for line in &d.lines {
        assert!(line.in_flight.len() <= charts::flow::SHOWN_BUCKETS);
        let completed: f64 = line.completions_per_s.iter().map(|r| r * line.bucket_s).sum();
        assert!((completed - 3.0).abs() < 1e-6, "{}: {completed}", line.strategy.name);
    }
    let coop = d.lines.iter().find(|l| l.strategy.name == "cooperative").unwrap();
    assert_eq!(coop.in_flight[0], 3.0, "three downloads in flight from the start");
    // The integral of tasks in flight is the sum of latencies: 3 × 5 s.
    let integral: f64 = coop.in_flight.iter().map(|v| v * coop.bucket_s).sum();
    assert!((integral - 15.0).abs() < 1e-6, "{integral}");
    let blocking = d.lines.iter().find(|l| l.strategy.name == "blocking").unwrap();
    let integral: f64 = blocking.in_flight.iter().map(|v| v * blocking.bucket_s).sum();
    assert!((integral - 30.0).abs() < 1e-6, "5 + 10 + 15 s: {integral}");
}

#[test]
fn the_summary_chart_shows_the_reports_figures() {
    let (report, timelines) = measured("scraper", 20);
    let Figures::Summary(d) = figures(Chart::Summary, &report, &timelines) else { unreachable!() };
    let titles: Vec<&str> = d.figures.iter().map(|f| f.title).collect();
    assert_eq!(titles, ["makespan", "p99 latency", "peak threads", "modelled memory"]);
    let makespans: Vec<f64> = report.results.iter().map(|r| r.makespan_s).collect();
    assert_eq!(d.figures[0].values, makespans);
    let threads: Vec<f64> = report.results.iter().map(|r| f64::from(r.peak_threads)).collect();
    assert_eq!(d.figures[2].values, threads);
}

/// Every strategy's bar takes at least this share of its summary panel.
const VISIBLE_BAR: f64 = 0.05;

#[test]
fn summary_panels_more_than_10x_apart_are_logarithmic_and_no_bar_is_squashed() {
    use simbench::report::charts::summary::Figure;
    for file in crate::common::scenario_files() {
        let name = file.trim_start_matches("scenarios/").trim_end_matches(".json");
        let (report, timelines) = measured(name, 0);
        let Figures::Summary(d) = figures(Chart::Summary, &report, &timelines) else { unreachable!() };
        for f in &d.figures {
            let positive: Vec<f64> = f.values.iter().copied().filter(|v| *v > 0.0).collect();
            let (lo, hi) = positive.iter().fold((f64::INFINITY, 0.0f64), |(a, b), &v| (a.min(v), b.max(v)));
            assert_eq!(f.log, hi / lo > 10.0, "{name} {}: log exactly when more than 10x apart", f.title);
            for (strategy, &v) in d.strategies.iter().zip(&f.values).filter(|(_, v)| **v > 0.0) {
                let share = f.bar_fraction(v);
                assert!(
                    (VISIBLE_BAR..=1.0).contains(&share),
                    "{name} {} {}: the bar fills {share} of the panel",
                    f.title,
                    strategy.name
                );
            }
        }
    }
    // api-server: blocking's 8-minute p99 beside the others' 155 ms.
    let (report, timelines) = measured("api-server", 0);
    let Figures::Summary(d) = figures(Chart::Summary, &report, &timelines) else { unreachable!() };
    let p99 = &d.figures[1];
    assert!(p99.log, "{:?}", p99.values);
    let linear = Figure { log: false, ..p99.clone() };
    let fastest = p99.values.iter().copied().fold(f64::INFINITY, f64::min);
    assert!(linear.bar_fraction(fastest) < 0.001, "on a linear axis it would be squashed");
    assert!(p99.bar_fraction(fastest) >= VISIBLE_BAR);
    assert!(!d.figures[0].log, "makespans 10.6 min and 2.22 min are less than 10x apart: linear");
}

#[test]
fn drawing_is_deterministic() {
    let (report, timelines) = measured("blocking-pitfall", 20);
    let input = ChartInput { report: &report, timelines: &timelines, slo_s: None };
    for chart in Chart::ALL {
        let (a, b) = (charts::render(chart, &input).unwrap(), charts::render(chart, &input).unwrap());
        assert!(a.svg == b.svg, "{chart}: SVG differs between two drawings");
        assert!(a.png == b.png, "{chart}: PNG differs between two drawings");
    }
}

/// Decodes a PNG, returning (width, height).
fn png_size(bytes: &[u8]) -> (u32, u32) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("PNG header");
    let mut pixels = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut pixels).expect("PNG data decodes");
    (info.width, info.height)
}

/// Parses an SVG, returning its text nodes.
fn svg_texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("SVG does not parse: {e}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!((root.attribute("width"), root.attribute("height")), (Some("1200"), Some("700")));
    doc.descendants().filter(|n| n.is_text()).filter_map(|n| n.text()).map(|t| t.trim().to_string()).collect()
}

#[test]
fn every_run_writes_every_chart_as_valid_svg_and_png_and_report_html() {
    let dir = tempdir("charts-files");
    for name in TUTORIAL {
        let output =
            simbench(&["run", &format!("scenarios/{name}.json"), "--out", dir.path().to_str().unwrap(), "--quiet"]);
        assert!(output.status.success(), "{name}: {}", String::from_utf8_lossy(&output.stderr));
        let out = dir.path().join(name);
        for chart in Chart::ALL {
            let stem = chart.file_stem();
            let png = std::fs::read(out.join(format!("{stem}.png"))).unwrap_or_else(|_| panic!("{name}/{stem}.png"));
            assert_eq!(png_size(&png), (1200, 700), "{name}/{stem}.png");
            let svg = std::fs::read_to_string(out.join(format!("{stem}.svg"))).unwrap();
            let texts = svg_texts(&svg);
            assert!(texts.iter().any(|t| t.ends_with(&format!("· {name}"))), "{name}/{stem}.svg has no title");
        }
        let html = std::fs::read_to_string(out.join("report.html")).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert_eq!(html.matches("<svg ").count(), Chart::ALL.len(), "{name}: every chart inline");
        for forbidden in ["<script", "<link", "src=", "@import", "url(", "http://", "https://"] {
            if forbidden == "http://" {
                // The SVG namespace is an identifier, not a request.
                assert!(!html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "").contains(forbidden), "{name}");
            } else {
                assert!(!html.contains(forbidden), "{name}: report.html contains {forbidden}");
            }
        }
    }
}

#[test]
fn no_charts_skips_drawing() {
    let dir = tempdir("charts-none");
    let output = simbench(&["run", "scenarios/downloads.json", "--out", dir.path().to_str().unwrap(), "--no-charts"]);
    assert!(output.status.success());
    let mut files: Vec<String> = std::fs::read_dir(dir.path().join("downloads"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    assert_eq!(files, ["report.json", "report.md"]);
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(!stdout.contains("charts took"), "{stdout}");
}

#[test]
fn the_timeline_shows_as_many_tasks_as_asked() {
    let dir = tempdir("charts-tasks");
    let out = dir.path().to_str().unwrap();
    let output = simbench(&["run", "scenarios/scraper.json", "--out", out, "--quiet", "--timeline-tasks", "5"]);
    assert!(output.status.success());
    let svg = std::fs::read_to_string(dir.path().join("scraper/timeline.svg")).unwrap();
    assert!(svg_texts(&svg).iter().any(|t| t.starts_with("Timeline of the first 5 tasks")));
    let (report, timelines) = measured("scraper", 5);
    let Figures::Timeline(d) = figures(Chart::Timeline, &report, &timelines) else { unreachable!() };
    assert!(d.panels.iter().all(|p| p.rows.len() == 5));
}

#[test]
fn scenario_text_is_escaped_in_svg_and_html() {
    const NAME: &str = "<script>alert(1)</script>";
    const CLASS: &str = "<b>page</b>";
    const STRATEGY: &str = "<img src=x onerror=alert(2)>";
    const STEP: &str = "\"fetch\" & <i>parse</i>";
    let dir = tempdir("charts-escape");
    let scenario = serde_json::json!({
        "name": NAME,
        "description": "a description with <em>markup</em> & \"quotes\"",
        "classes": { CLASS: { "arrivals": { "batch": { "count": 2 } }, "program": [ { "sleep": "1s", "label": STEP } ] } },
        "strategies": [ "blocking", { "cooperative": { "label": STRATEGY } } ]
    });
    let file = dir.path().join("evil.json");
    std::fs::write(&file, serde_json::to_string_pretty(&scenario).unwrap()).unwrap();
    let out = dir.path().join("out");
    let output = simbench(&["run", file.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let reports = out.join("script-alert-1---script");

    let html = std::fs::read_to_string(reports.join("report.html")).unwrap();
    for raw in [NAME, CLASS, STRATEGY, "<em>", "<i>parse"] {
        assert!(!html.contains(raw), "report.html contains unescaped {raw}");
    }
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&lt;img src=x onerror=alert(2)&gt;"));
    assert!(html.contains("&lt;b&gt;page&lt;/b&gt;"), "the scenario file is shown escaped");

    // In SVG the names are text, never elements.
    let mut seen = Vec::new();
    for chart in Chart::ALL {
        let svg = std::fs::read_to_string(reports.join(format!("{}.svg", chart.file_stem()))).unwrap();
        for raw in [NAME, CLASS, STRATEGY] {
            assert!(!svg.contains(raw), "{chart}.svg contains unescaped {raw}");
        }
        let doc = roxmltree::Document::parse(&svg).unwrap();
        for element in doc.descendants().filter(|n| n.is_element()) {
            let tag = element.tag_name().name();
            assert!(!matches!(tag, "script" | "img" | "b" | "i" | "foreignObject"), "{chart}.svg has a <{tag}>");
        }
        seen.extend(svg_texts(&svg));
    }
    assert!(seen.iter().any(|t| t.ends_with(&format!("· {NAME}"))), "the title names the scenario");
    assert!(seen.iter().any(|t| t == STRATEGY), "a legend names the strategy");
    assert!(seen.iter().any(|t| t.contains(CLASS)), "a timeline row names the class");
    assert!(seen.iter().any(|t| t == STEP), "a timeline bar names the step");
}

#[test]
fn the_percentile_chart_draws_the_tightest_latency_slo() {
    let loaded = simbench::scenario::load(&root().join("scenarios/api-server.json")).unwrap();
    let (mut report, timelines) = measured("api-server", 5);
    report.slos = metrics::slo::evaluate(&loaded.scenario.slos, &report.results);
    // api-server.json: "latency p99 < 200ms" for two strategies.
    assert_eq!(charts::latency_slo(&report), Some(0.2));
    let Figures::Percentiles(data) = ChartData::of(Chart::Percentiles, &ChartInput::new(&report, &timelines)).figures
    else {
        panic!("not the percentile chart")
    };
    assert_eq!(data.slo_s, Some(0.2));
    // A scenario without SLOs has no line.
    let (plain, timelines) = measured("downloads", 5);
    assert_eq!(ChartInput::new(&plain, &timelines).slo_s, None);
}

#[test]
fn the_utilisation_chart_shows_the_link_saturated_and_the_cpu_idle() {
    let (report, timelines) = measured("bandwidth", 20);
    assert_eq!(Chart::of(&report).last(), Some(&Chart::Utilisation));
    let Figures::Utilisation(d) = figures(Chart::Utilisation, &report, &timelines) else { unreachable!() };
    assert_eq!(d.resources, ["cpu", "link uplink"]);
    let expected: Vec<StrategyKey> =
        labels(&report).into_iter().enumerate().map(|(index, name)| StrategyKey { name, index }).collect();
    assert_eq!(d.panels.iter().map(|p| p.strategy.clone()).collect::<Vec<_>>(), expected);
    let cooperative = d.panels.iter().find(|p| p.strategy.name == "cooperative").unwrap();
    let (cpu, link) = (&cooperative.series[0], &cooperative.series[1]);
    // The payloads flow from 50 ms to 80.05 s: every whole bin in between is
    // 100 % link and 0 % CPU (the 2 ms parses all come after).
    let inside = |t: f64| t > 1.0 && t < 79.0;
    assert!(link.points.iter().filter(|p| inside(p.0)).all(|p| p.1 == 1.0), "{:?}", link.points);
    assert!(cpu.points.iter().filter(|p| inside(p.0)).all(|p| p.1 == 0.0), "{:?}", cpu.points);
    assert!(link.points.iter().filter(|p| inside(p.0)).count() > 50);
}

#[test]
fn scenarios_without_links_draw_no_utilisation_chart() {
    let (report, _) = measured("downloads", 20);
    assert_eq!(Chart::of(&report), Chart::ALL.to_vec());
}

#[test]
fn a_run_with_links_names_the_bottleneck_and_draws_the_utilisation_chart() {
    let dir = tempdir("charts-links");
    let output = simbench(&["run", "scenarios/bandwidth.json", "--out", dir.path().to_str().unwrap()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let out = dir.path().join("bandwidth");
    // 1,000 downloads of 1 MB (8 Gbit) over 100 Mbit/s keep the link busy
    // for 80 s of the makespan, whatever the strategy overlaps (the exact
    // figures are reports/baselines/bandwidth.json's).
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let makespan = crate::common::result(&report, "cooperative")["makespan_s"].as_f64().unwrap();
    let busy = format!("{:.1}%", 100.0 * 80.0 / makespan);
    assert!(stdout.contains(&format!("cooperative: bottleneck link uplink at {busy} of the makespan")), "{stdout}");
    let png = std::fs::read(out.join("utilisation.png")).unwrap();
    assert_eq!(png_size(&png), (1200, 700));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_eq!(html.matches("<svg ").count(), Chart::ALL.len() + 1, "the utilisation chart is inline too");
    assert!(html.contains("<section id=\"resources\">"));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.contains("## Resources") && md.contains(&format!("| cooperative | uplink | 1.00 GB | {busy} |")),
        "{md}"
    );
}

#[test]
fn report_html_opens_with_the_slo_verdicts_then_the_findings() {
    let dir = tempdir("html-verdicts");
    let scenario = serde_json::json!({
        "name": "verdicts",
        "classes": { "job": { "arrivals": { "batch": { "count": 10 } }, "program": [ { "io": "1s" } ] } },
        "strategies": [ "blocking", "cooperative" ],
        "slos": [ "latency p99 < 2s" ]
    });
    let file = dir.path().join("verdicts.json");
    std::fs::write(&file, scenario.to_string()).unwrap();
    let out = dir.path().join("out");
    let output = simbench(&["run", file.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]);
    assert_eq!(output.status.code(), Some(1), "blocking's p99 is 10 s: the SLO fails");
    let html = std::fs::read_to_string(out.join("verdicts/report.html")).unwrap();
    let at = |needle: &str| html.find(needle).unwrap_or_else(|| panic!("report.html lacks {needle}"));
    assert!(at("<section id=\"slos\">") < at("<section id=\"findings\">"));
    assert!(at("<section id=\"findings\">") < at("<section id=\"summary\">"), "verdicts come first");
    assert!(html.contains("❌ 1 of 2 SLO checks failed."));
    let slos = &html[at("<section id=\"slos\">")..at("<section id=\"findings\">")];
    assert_eq!(slos.matches("<tr><td>❌ fail</td>").count(), 1, "{slos}");
    assert_eq!(slos.matches("<tr><td>✅ pass</td>").count(), 1, "{slos}");
    assert!(slos.contains("latency p99 &lt; 2s"));
    let findings = &html[at("<section id=\"findings\">")..at("<section id=\"summary\">")];
    assert!(findings.contains("Shortest makespan: <strong>cooperative</strong>"), "{findings}");
    roxmltree::Document::parse(&findings[..findings.rfind("</section>").unwrap() + "</section>".len()])
        .expect("the findings section is well-formed markup");
}

/// A series drawn on an axis whose end is `axis_s` fills at least this much
/// of it: the 10x rule's bound (shared axes only when within 10x).
const VISIBLE_SPAN: f64 = 0.1;

#[test]
fn time_panels_of_series_far_apart_get_their_own_axes_and_none_is_squeezed() {
    for file in crate::common::scenario_files() {
        let name = file.trim_start_matches("scenarios/").trim_end_matches(".json");
        let (report, timelines) = measured(name, 20);
        let Figures::Flow(flow) = figures(Chart::Flow, &report, &timelines) else { unreachable!() };
        let peak = |v: &[f64]| v.iter().copied().fold(0.0, f64::max);
        let top = flow.lines.iter().map(|l| peak(&l.in_flight)).fold(0.0, f64::max);
        for line in flow.lines.iter().filter(|l| l.end_s() > 0.0) {
            let axis = if flow.own_axes { line.end_s() } else { flow.end_s };
            assert!(line.end_s() / axis >= VISIBLE_SPAN, "{name} flow {}: squeezed along time", line.strategy.name);
            let top = if flow.own_axes { peak(&line.in_flight) } else { top };
            if peak(&line.in_flight) > 0.0 {
                assert!(peak(&line.in_flight) / top >= VISIBLE_SPAN, "{name} flow {}: flat", line.strategy.name);
            }
        }
        let Figures::Timeline(timeline) = figures(Chart::Timeline, &report, &timelines) else { unreachable!() };
        for panel in timeline.panels.iter().filter(|p| p.end_s() > 0.0) {
            let axis = if timeline.own_axes { panel.end_s() } else { timeline.end_s };
            assert!(panel.end_s() / axis >= VISIBLE_SPAN, "{name} timeline {}: squeezed", panel.strategy.name);
        }
    }
    // api-server: blocking's 15,000 tasks in flight for 10 minutes beside
    // the others' few for 2: one row of panels each.
    let (report, timelines) = measured("api-server", 20);
    let Figures::Flow(flow) = figures(Chart::Flow, &report, &timelines) else { unreachable!() };
    assert!(flow.own_axes);
    let (report, timelines) = measured("downloads", 20);
    let Figures::Flow(flow) = figures(Chart::Flow, &report, &timelines) else { unreachable!() };
    assert!(!flow.own_axes, "15 s and 5 s, 3 and 1 in flight: one shared axis");
}

#[test]
fn every_chart_has_tooltips_on_what_it_draws_for_each_strategy() {
    let (report, timelines) = measured("blocking-pitfall", 20);
    let input = ChartInput { report: &report, timelines: &timelines, slo_s: None };
    for chart in Chart::ALL {
        let svg = charts::render(chart, &input).unwrap().svg;
        let tips = &svg[svg.find("<g class=\"tips\"").unwrap_or_else(|| panic!("{chart}: no tooltips"))..];
        roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{chart}: {e}"));
        for label in labels(&report) {
            assert!(tips.contains(&format!("<title>{label} · ")), "{chart}: no tooltip for {label}");
        }
    }
    let svg = charts::render(Chart::Summary, &input).unwrap().svg;
    let blocking = &report.results[0];
    let p99 = simbench::time::format_seconds(blocking.latency_s.p99);
    assert!(svg.contains(&format!("<title>blocking · p99 latency: {p99}</title>")), "{svg}");
    let svg = charts::render(Chart::Timeline, &input).unwrap().svg;
    assert!(svg.contains("<title>cooperative · event loop · "), "the loop lane has tooltips");
}

#[test]
fn report_html_has_contents_and_every_percentile() {
    let dir = tempdir("html-contents");
    let out = dir.path().join("out");
    let scenario = root().join("scenarios/blocking-pitfall.json");
    let output = simbench(&["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]);
    assert!(output.status.success(), "{output:?}");
    let html = std::fs::read_to_string(out.join("blocking-pitfall/report.html")).unwrap();
    let nav = &html[html.find("<nav id=\"contents\"").unwrap()..html.find("</nav>").unwrap()];
    let targets: Vec<&str> = nav.split("href=\"#").skip(1).map(|s| &s[..s.find('"').unwrap()]).collect();
    assert!(targets.len() >= 3 + Chart::ALL.len(), "{nav}");
    for target in &targets {
        assert!(html.contains(&format!(" id=\"{target}\"")), "the contents link to #{target}, which is missing");
    }
    let summary = &html[html.find("<section id=\"summary\">").unwrap()..html.find("<section id=\"tasks\">").unwrap()];
    let header = &summary[..summary.find("</thead>").unwrap()];
    for column in ["mean", "p50", "p90", "p99", "p99.9", "max"] {
        assert!(header.contains(&format!(">{column}</th>")), "{column}: {header}");
    }
    let p999 = simbench::time::format_seconds(
        serde_json::from_str::<serde_json::Value>(
            &std::fs::read_to_string(out.join("blocking-pitfall/report.json")).unwrap(),
        )
        .unwrap()["results"][0]["latency_s"]["p999"]
            .as_f64()
            .unwrap(),
    );
    assert!(summary.contains(&format!(">{p999}</td>")), "p99.9 {p999} is in the table");
    assert!(!html.contains("<script"), "no script");
}
