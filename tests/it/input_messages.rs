//! Scenario files that used to get a weak message (issue 17 item 6),
//! through the real binary: a UTF-8 byte-order mark, a lone surrogate
//! escape, deep nesting (64 gathers deep runs; past the documented limit,
//! a message that names it), a very long `name`, a huge unknown key.

use crate::common::{path, simbench, stderr, tempdir};
use serde_json::{Value, json};
use std::path::Path;

fn downloads() -> String {
    std::fs::read_to_string(crate::common::root().join("scenarios/downloads.json")).unwrap()
}

/// Runs `simbench run` on `text` (written to a file in `dir`): its status
/// and standard error.
fn run(dir: &Path, text: impl AsRef<[u8]>) -> (Option<i32>, String) {
    let file = dir.join("case.json");
    std::fs::write(&file, text).unwrap();
    let output = simbench(&["run", path(&file), "--out", path(&dir.join("out")), "--quiet"]);
    (output.status.code(), stderr(&output))
}

#[test]
fn a_byte_order_mark_is_named_as_such() {
    let dir = tempdir("msg-bom");
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend(downloads().as_bytes());
    let (code, err) = run(dir.path(), bytes);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("case.json:1:1: the file starts with a UTF-8 byte-order mark"), "{err}");
    assert!(err.contains("save it as UTF-8 without a BOM"), "{err}");
}

#[test]
fn a_lone_surrogate_escape_is_named_at_its_backslash() {
    let dir = tempdir("msg-surrogate");
    for escape in [r"\ud800", r"\udc00", r"\ud800\u0041"] {
        let text = downloads().replacen("\"downloads\"", &format!("\"down{escape}loads\""), 1);
        let (code, err) = run(dir.path(), text);
        assert_eq!(code, Some(2), "{err}");
        // `  "name": "down\ud800`: the backslash is column 16 of line 2.
        assert!(err.contains("case.json:2:16: invalid JSON: a lone surrogate escape"), "{escape}: {err}");
        assert!(err.contains("hint: write the character itself"), "{err}");
    }
    // A pair is one character, and fine.
    let text = downloads().replacen("\"downloads\"", r#""down\ud83d\ude00loads""#, 1);
    assert_eq!(run(dir.path(), text).0, Some(0));
}

/// A class whose program is `depth` gathers nested in one another, each
/// branch written as `{"program": […]}` (4 levels of JSON a gather).
fn nested_gathers(depth: usize) -> Value {
    let mut program = json!([{ "io": { "exponential": { "mean": "1ms" } }, "label": "leaf" }]);
    for _ in 0..depth {
        program = json!([{ "gather": [{ "program": program }, [{ "io": "1ms" }]] }]);
    }
    json!({ "name": "deep", "classes": { "c": { "arrivals": { "batch": { "count": 1 } }, "program": program } } })
}

#[test]
fn nesting_is_limited_at_a_documented_depth_far_beyond_64_gathers() {
    let dir = tempdir("msg-depth");
    // 64 and 120 gathers deep run (serde_json's own recursion limit, 128
    // levels, stopped about 30 deep).
    for depth in [64, 120] {
        let (code, err) = run(dir.path(), serde_json::to_string(&nested_gathers(depth)).unwrap());
        assert_eq!(code, Some(0), "{depth} gathers deep: {err}");
    }
    let text = serde_json::to_string(&nested_gathers(200)).unwrap();
    let (code, err) = run(dir.path(), text);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("the document is nested deeper than 512 levels of arrays and objects"), "{err}");
    assert!(!err.contains("recursion limit"), "{err}");
    // Deeper than the stack would take, still a message (no crash).
    let text = format!("{}{}", "[".repeat(1_000_000), "]".repeat(1_000_000));
    let (code, err) = run(dir.path(), text);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("case.json:1:513: the document is nested deeper than 512 levels"), "{err}");
}

#[test]
fn a_very_long_name_is_refused_at_the_name_field() {
    let dir = tempdir("msg-long-name");
    let long = "n".repeat(10_000_000);
    let text = downloads().replacen("\"downloads\"", &format!("\"{long}\""), 1);
    let (code, err) = run(dir.path(), text);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains(": name: expected a name of at most 200 bytes, found one of 10000000 bytes"), "{err}");
    assert!(err.len() < 1000, "the name is not echoed in full: {} bytes", err.len());
    assert!(!dir.path().join("out").exists());
    // 200 bytes is fine (a report directory of that name can be made).
    let text = downloads().replacen("\"downloads\"", &format!("\"{}\"", "é".repeat(100)), 1);
    assert_eq!(run(dir.path(), text).0, Some(0));
    // A long class name or label is refused the same way.
    let text = downloads().replacen("\"label\": \"download\"", &format!("\"label\": \"{}\"", "l".repeat(201)), 1);
    let (code, err) = run(dir.path(), text);
    assert_eq!(code, Some(2));
    assert!(err.contains("classes.download.program[0].label: expected a name of at most 200 bytes"), "{err}");
}

#[test]
fn a_huge_unknown_key_is_not_echoed_in_full() {
    let dir = tempdir("msg-huge-key");
    let mut doc: Value = serde_json::from_str(&downloads()).unwrap();
    doc.as_object_mut().unwrap().insert("k".repeat(1_000_000), json!(1));
    let (code, err) = run(dir.path(), serde_json::to_string(&doc).unwrap());
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains(&format!("{}…: unknown field \"{}…\"", "k".repeat(80), "k".repeat(80))), "{err}");
    assert!(err.len() < 1000, "{} bytes of message", err.len());
}
