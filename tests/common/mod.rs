//! Shared helpers for the tests that run the real binary.
#![allow(dead_code)] // each test crate uses a different subset

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (where scenarios/ is).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `simbench` with `args` from the repository root.
pub fn simbench(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_simbench")).args(args).current_dir(root()).output().expect("the binary runs")
}

/// Runs `simbench run FILE --out DIR --quiet` plus `extra`, asserting
/// success, and returns report.json's text.
pub fn run_report(file: &str, out: &Path, extra: &[&str]) -> String {
    let out_str = out.to_str().expect("UTF-8 temp path");
    let mut args = vec!["run", file, "--out", out_str, "--quiet"];
    args.extend_from_slice(extra);
    let output = simbench(&args);
    assert!(output.status.success(), "simbench {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    let name = serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(root().join(file)).unwrap()).unwrap()
        ["name"]
        .as_str()
        .unwrap()
        .to_string();
    std::fs::read_to_string(out.join(name).join("report.json")).expect("report.json written")
}

/// A directory under the system temp dir, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!("simbench-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("temp dir");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Every scenario file in scenarios/, sorted.
pub fn scenario_files() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(root().join("scenarios"))
        .expect("scenarios/")
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".json"))
        .map(|n| format!("scenarios/{n}"))
        .collect();
    files.sort();
    files
}

/// The result object of strategy `label` in a parsed report.
pub fn result<'r>(report: &'r serde_json::Value, label: &str) -> &'r serde_json::Value {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["strategy"] == label)
        .unwrap_or_else(|| panic!("no strategy {label}"))
}

/// The class object `class` within a strategy's result.
pub fn class<'r>(result: &'r serde_json::Value, class: &str) -> &'r serde_json::Value {
    result["classes"].as_array().unwrap().iter().find(|c| c["class"] == class).unwrap()
}
