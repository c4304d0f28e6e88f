//! Hostile text in scenarios (issue 17 item 4), through the real binary.
//!
//! What no output can show safely (control characters, bidirectional
//! overrides, line breaks) is refused at parse time, exit status 2, with the
//! field path; what every output can show once escaped (markup, `]]>`, `&`,
//! `|`, backticks, quotes, backslashes, non-ASCII) goes through every output
//! format, and each is parsed back: report.html's inline SVGs and every SVG
//! file as XML, junit.xml as XML, report.md's tables cell by cell,
//! summary.csv and classes.csv as CSV, and the terminal's output has no raw escape.

use crate::common::{path, simbench, stderr, stdout, tempdir};
use serde_json::{Value, json};
use std::path::Path;

/// Markup and table syntax, quotes, a backslash and non-ASCII: allowed in
/// names, escaped by each output.
const NAME: &str = "<script>alert('x')</script> ]]> & | `tick` \"q\" \\ ünï 日本 😀";
const STRATEGY: &str = "coop|<b>]]>&amp;`x`";
const CLASS: &str = "page <i>|</i> ]]> «é»";
const STEP: &str = "fetch \"all\" & <parse> | `sql`";
const POOL: &str = "db ]]> <pool> | &";
const QUEUE: &str = "jobs <q> | ]]>";

/// A scenario using every kind of name that reaches outputs.
fn scenario(name: &str, strategy: &str, class: &str, step: &str, pool: &str, queue: &str) -> Value {
    json!({
        "name": name,
        "description": format!("{NAME}\nsecond line\twith a tab"),
        "pools": { pool: 2 },
        "queues": { queue: {} },
        "classes": {
            class: {
                "arrivals": { "batch": { "count": 6 } },
                "program": [
                    { "io": "20ms", "label": step },
                    { "limit": { "pool": pool, "program": [{ "cpu": "1ms", "label": step }] } },
                    { "put": queue }
                ]
            },
            "worker": { "arrivals": { "workers": 2 }, "program": [{ "get": queue }, { "io": "5ms" }] }
        },
        "strategies": [{ "threaded": { "workers": 4 } }, { "cooperative": { "label": strategy } }],
        "slos": [
            { "threshold": "latency p99 < 10s", "strategy": strategy, "class": class },
            { "threshold": "latency p99 < 1ms", "strategy": strategy }
        ]
    })
}

fn write(dir: &Path, file: &str, doc: &Value) -> String {
    let at = dir.join(file);
    std::fs::write(&at, serde_json::to_string_pretty(doc).unwrap()).unwrap();
    path(&at).to_string()
}

/// The one report directory under `out`.
fn report_dir(out: &Path) -> std::path::PathBuf {
    let dirs: Vec<_> = std::fs::read_dir(out).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    dirs[0].clone()
}

#[test]
fn control_characters_bidi_overrides_and_line_breaks_are_refused_with_the_field_path() {
    let dir = tempdir("hostile-refused");
    let bad = [
        ('\u{1}', "U+0001"),
        ('\u{1b}', "U+001B"),
        ('\u{7f}', "U+007F"),
        ('\u{9b}', "U+009B"),
        ('\u{202e}', "U+202E"),
        ('\u{2066}', "U+2066"),
        ('\n', "U+000A"),
        ('\r', "U+000D"),
        ('\t', "U+0009"),
        ('\u{2028}', "U+2028"),
    ];
    let ok = ["n", "s", "c", "l", "p", "q"];
    for (c, code) in bad {
        let evil = format!("a{c}[31mb");
        let cases: [(Value, &str); 6] = [
            (scenario(&evil, ok[1], ok[2], ok[3], ok[4], ok[5]), "name"),
            (scenario(ok[0], &evil, ok[2], ok[3], ok[4], ok[5]), "strategies[1].cooperative.label"),
            (scenario(ok[0], ok[1], &evil, ok[3], ok[4], ok[5]), "classes[\"a"),
            (scenario(ok[0], ok[1], ok[2], &evil, ok[4], ok[5]), "classes.c.program[0].label"),
            (scenario(ok[0], ok[1], ok[2], ok[3], &evil, ok[5]), "pools[\"a"),
            (scenario(ok[0], ok[1], ok[2], ok[3], ok[4], &evil), "queues[\"a"),
        ];
        for (doc, field) in cases {
            let file = write(dir.path(), "evil.json", &doc);
            let output = simbench(&["run", &file, "--out", path(&dir.path().join("out")), "--quiet"]);
            let err = stderr(&output);
            assert_eq!(output.status.code(), Some(2), "{c:?} in {field}: {err}");
            assert!(err.contains(&format!(": {field}")), "{c:?}: the message names {field}:\n{err}");
            assert!(err.contains(code), "{c:?}: the message names {code}:\n{err}");
            assert!(!err.contains(c) || c == '\n', "{c:?}: the message echoes it raw:\n{err}");
            assert!(!err.contains('\u{1b}') && !err.contains('\u{9b}'), "{err}");
            assert!(!dir.path().join("out").exists(), "nothing is written");
        }
    }
    // A description may hold line breaks and tabs, but no other control.
    let mut doc = scenario("n", "s", "c", "l", "p", "q");
    doc["description"] = json!("one\u{1b}[2Jtwo");
    let file = write(dir.path(), "evil.json", &doc);
    let output = simbench(&["run", &file, "--out", path(&dir.path().join("out")), "--quiet"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains(": description: expected text without control characters"), "{}", stderr(&output));
}

/// Table rows of a Markdown document: each cell, split at unescaped `|`.
fn markdown_tables(md: &str) -> Vec<Vec<Vec<String>>> {
    let mut tables = Vec::new();
    let mut table: Vec<Vec<String>> = Vec::new();
    for line in md.lines().chain(std::iter::once("")) {
        if line.starts_with('|') {
            let mut cells = Vec::new();
            let mut cell = String::new();
            let mut chars = line.chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        cell.push(c);
                        cell.extend(chars.next());
                    }
                    '|' => cells.push(std::mem::take(&mut cell)),
                    c => cell.push(c),
                }
            }
            assert!(cell.trim().is_empty(), "a row ends with '|': {line}");
            table.push(cells.into_iter().skip(1).collect());
        } else if !table.is_empty() {
            tables.push(std::mem::take(&mut table));
        }
    }
    tables
}

#[test]
fn allowed_but_dangerous_text_goes_through_every_output_format() {
    let dir = tempdir("hostile-outputs");
    let file = write(dir.path(), "hostile.json", &scenario(NAME, STRATEGY, CLASS, STEP, POOL, QUEUE));
    let out = dir.path().join("out");
    let output = simbench(&["run", &file, "--out", path(&out), "--export", "all"]);
    // One SLO fails on purpose, so that junit.xml holds a failure message.
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let terminal = stdout(&output) + &stderr(&output);
    let reports = report_dir(&out);

    // The terminal: the names, and no escape sequence.
    assert!(!terminal.contains('\u{1b}'), "{terminal}");
    assert!(terminal.contains(STRATEGY), "{terminal}");
    let trace = simbench(&["run", &file, "--out", path(&dir.path().join("trace")), "--trace", STRATEGY, "--no-charts"]);
    assert!(stdout(&trace).contains(STEP), "{}", stdout(&trace));
    assert!(!stdout(&trace).contains('\u{1b}'));

    // Every SVG file is well-formed XML whose text holds the names as text.
    let mut texts = String::new();
    let mut svgs = 0;
    for entry in std::fs::read_dir(&reports).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "svg") {
            let svg = std::fs::read_to_string(&p).unwrap();
            let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            for node in doc.descendants() {
                assert!(!matches!(node.tag_name().name(), "script" | "b" | "i" | "pool" | "q"), "{}", p.display());
                if node.is_text() {
                    texts.push_str(node.text().unwrap());
                    texts.push('\n');
                }
            }
            svgs += 1;
        }
    }
    assert!(svgs >= 5, "{svgs} SVG files");
    for name in [NAME, STRATEGY, STEP] {
        assert!(texts.contains(name), "the charts show {name:?} as text");
    }

    // report.html: no raw markup from the scenario; its inline SVGs parse.
    let html = std::fs::read_to_string(reports.join("report.html")).unwrap();
    assert!(!html.contains("<script"), "report.html has a <script>");
    for raw in [NAME, STRATEGY, CLASS, STEP, POOL, QUEUE, "]]>"] {
        assert!(!html.contains(raw), "report.html contains {raw:?} raw");
    }
    let mut inline = 0;
    for piece in html.split("<svg ").skip(1) {
        let svg = format!("<svg {}</svg>", piece.split("</svg>").next().unwrap());
        roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("an inline SVG of report.html: {e}"));
        inline += 1;
    }
    assert!(inline >= 5, "{inline} inline SVGs");

    // report.md: every row of a table has as many cells as its header.
    let md = std::fs::read_to_string(reports.join("report.md")).unwrap();
    let tables = markdown_tables(&md);
    assert!(tables.len() >= 2, "{md}");
    for table in &tables {
        for row in table {
            assert_eq!(
                row.len(),
                table[0].len(),
                "a row of {} cells under a header of {}: {row:?}",
                row.len(),
                table[0].len()
            );
        }
    }
    assert!(!md.contains("<script") && !md.contains("<b>") && !md.contains("<i>"), "{md}");
    assert!(md.contains("coop\\|&lt;b&gt;"), "the label is escaped in tables:\n{md}");

    // junit.xml: well-formed, naming the scenario and the strategy.
    let junit = std::fs::read_to_string(reports.join("junit.xml")).unwrap();
    let doc = roxmltree::Document::parse(&junit).unwrap_or_else(|e| panic!("junit.xml: {e}\n{junit}"));
    let suites: Vec<&str> =
        doc.descendants().filter(|n| n.has_tag_name("testsuite")).filter_map(|n| n.attribute("name")).collect();
    assert!(suites.iter().any(|s| s.contains(STRATEGY)), "{suites:?}");
    assert!(doc.descendants().any(|n| n.has_tag_name("failure")), "{junit}");
    let root = doc.root_element().attribute("name").unwrap();
    assert_eq!(root, format!("simbench {NAME}"));

    // summary.csv: every record has the header's fields, the names intact.
    let csv_text = std::fs::read_to_string(reports.join("summary.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let width = reader.headers().unwrap().len();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert!(records.iter().all(|r| r.len() == width), "{csv_text}");
    assert!(records.iter().any(|r| r.get(0) == Some(NAME) && r.get(1) == Some(STRATEGY)), "{csv_text}");
    // classes.csv: the per-class table, the class name intact.
    let classes_text = std::fs::read_to_string(reports.join("classes.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(classes_text.as_bytes());
    let width = reader.headers().unwrap().len();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert!(records.iter().all(|r| r.len() == width), "{classes_text}");
    assert!(records.iter().any(|r| r.iter().any(|f| f == CLASS)), "{classes_text}");

    // report.json keeps the names as they are.
    let report: Value = serde_json::from_str(&std::fs::read_to_string(reports.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["scenario"]["name"], NAME);
}
