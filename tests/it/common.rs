//! Shared helpers of the integration tests: the repository root, running
//! the real binary, temporary directories, golden files, reading reports,
//! and [`require`], the run-time half of the skip convention (see the
//! crate's doc comment in main.rs).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub use tempfile::TempDir;

/// The repository root (where scenarios/ is).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh directory under the system temp dir, its name starting
/// `simbench-NAME-`, removed when dropped. Names need not be unique: every
/// call gets its own directory.
pub fn tempdir(name: &str) -> TempDir {
    tempfile::Builder::new().prefix(&format!("simbench-{name}-")).tempdir().expect("a temp dir")
}

/// `p` as a `&str` (temp paths are UTF-8).
pub fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

/// A command running the real binary from the repository root, for tests
/// that need more than [`simbench`] (an environment variable, a child to
/// signal).
pub fn command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_simbench"));
    command.current_dir(root());
    command
}

/// Runs `simbench` with `args` from the repository root.
pub fn simbench(args: &[&str]) -> Output {
    command().args(args).output().expect("the binary runs")
}

/// The binary's standard output.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The binary's standard error.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs `simbench run FILE --out DIR --quiet` plus `extra`, asserting
/// success, and returns report.json's text.
pub fn run_report(file: &str, out: &Path, extra: &[&str]) -> String {
    let mut args = vec!["run", file, "--out", path(out), "--quiet"];
    args.extend_from_slice(extra);
    let output = simbench(&args);
    assert!(output.status.success(), "simbench {args:?} failed: {}", stderr(&output));
    let name = serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(root().join(file)).unwrap()).unwrap()
        ["name"]
        .as_str()
        .unwrap()
        .to_string();
    std::fs::read_to_string(out.join(name).join("report.json")).expect("report.json written")
}

/// The environment variable that refreshes golden files.
pub const BLESS: &str = "SIMBENCH_BLESS";

/// Compares `text` with tests/golden/`dir`/`name`, or writes it there when
/// SIMBENCH_BLESS is set (then review the diff).
pub fn golden(dir: &str, name: &str, text: &str) {
    let golden_dir = root().join("tests/golden").join(dir);
    let golden = golden_dir.join(name);
    if std::env::var_os(BLESS).is_some() {
        std::fs::create_dir_all(&golden_dir).unwrap();
        std::fs::write(&golden, text).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&golden)
        .unwrap_or_else(|_| panic!("missing {}; run with {BLESS}=1 to create it", golden.display()));
    assert!(
        text == expected,
        "{dir}/{name} differs from {}; if the change is intended, rerun with {BLESS}=1 and review the diff\n--- produced ---\n{text}",
        golden.display()
    );
}

/// The environment variable that declares tools absent on purpose: a
/// comma-separated list of the names [`require`] takes (`python3`).
pub const WITHOUT: &str = "SIMBENCH_TEST_WITHOUT";

/// Whether the test may run: `true` if `tool` is present (`present` says
/// so); `false` if it is absent and SIMBENCH_TEST_WITHOUT names it (the
/// test then returns, having said on standard error, uncaptured, that it
/// did not run);
/// otherwise a panic saying what to install, so that a missing tool never
/// passes for a test that ran.
pub fn require(tool: &str, present: bool) -> bool {
    if present {
        return true;
    }
    let declared = std::env::var(WITHOUT).is_ok_and(|list| list.split(',').any(|t| t.trim() == tool));
    assert!(
        declared,
        "{tool} is not installed, so this test cannot run: install {tool}, or set {WITHOUT}={tool} to declare it absent on purpose"
    );
    // Written to the process's standard error directly, past libtest's
    // capture, so that the run shows it even though the test passes.
    let _ = writeln!(std::io::stderr(), "note: a test did not run: {tool} is absent ({WITHOUT}={tool})");
    false
}

/// Whether `program --version` runs and succeeds.
pub fn runs(program: &str) -> bool {
    Command::new(program).arg("--version").output().is_ok_and(|o| o.status.success())
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
