//! `simbench calibrate`: measures a CPython runtime profile on this machine
//! with the user's python3 and writes a `simbench.runtime/v1` profile file
//! that scenarios can name (docs/model.md, R-RUNTIME-*).
//!
//! The measuring script (calibrate.py) is compiled in and handed to Python
//! on standard input; it prints one JSON object. A missing interpreter, a
//! failing script or output that is not the expected JSON is bad input
//! (exit 2) with a message that says what to do. The profile written is read
//! back through the same parser scenarios use before this reports success.

use super::Failure;
use super::output::outln;
use anyhow::anyhow;
use clap::Args;
use simbench::report::files;
use simbench::scenario::{self, runtime};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The measuring script.
const SCRIPT: &str = include_str!("calibrate.py");

#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// The Python interpreter to measure.
    #[arg(long, value_name = "PATH", default_value = "python3")]
    python: PathBuf,

    /// Where to write the profile.
    #[arg(long, value_name = "FILE", default_value = "cpython-profile.json")]
    out: PathBuf,

    /// Smaller samples (about 10 s instead of about a minute): noisier.
    #[arg(long)]
    quick: bool,
}

/// What the calibration README measured for each constant, as printed
/// beside this machine's figure.
fn reference(name: &str) -> &'static str {
    match name {
        "task_create" => "6.7 µs per task created (100k, GC on)",
        "loop_step" => "sleep(0) task: 6.5 µs (10k), 13.5 µs (100k)",
        "gc_per_1000_live" => "the growth from 10k to 100k live",
        "timer_slack_loop" => "+86 µs at 1 ms, +230 µs at 20 ms, +337 µs at 100 ms",
        "timer_slack_thread" => "+74 µs at 1 ms, +143 µs at 100 ms",
        "timer_slack_loop_per_s" => "the growth of asyncio.sleep's lateness",
        "timer_slack_thread_per_s" => "the growth of time.sleep's lateness",
        "thread_start" => "59 µs create + start + join",
        "context_switch" => "(not in the README)",
        "switch_interval" => "0.005 s",
        "gil_handoff" => "median gap between spinning threads' runs, 38–51 µs (2026-12-03)",
        "pool_start" => "fork Pool ready at 3.1–3.4 / 4.2–4.4 / 6.7–7.1 ms for 1 / 2 / 4 workers (2026-12-04)",
        "process_start" => "the same fit's slope, 1.1–1.4 ms per worker",
        "process_dispatch" => "Pool(2).imap_unordered of tiny tasks: 15–25 µs per task (2026-12-04)",
        "producer_step" => "executor.submit of a no-op: 4.8–5.9 µs of the submitter's CPU (2026-12-04)",
        "loop_timeout_resolution" => "epoll_wait's 1 ms: Lib/selectors.py rounds the timeout up (2026-12-04)",
        "memory_per_coroutine" => "2.7–3.1 KB RSS per pending task",
        "memory_per_thread" => "16.5 KB RSS per parked thread",
        _ => "",
    }
}

pub fn run(args: CalibrateArgs) -> Result<(), Failure> {
    let python = args.python.display().to_string();
    let mut command = Command::new(&args.python);
    command.arg("-").stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    if args.quick {
        command.arg("--quick");
    }
    let mut child = command.spawn().map_err(|e| {
        Failure::Input(anyhow!(
            "cannot run {python}: {e}; install Python 3 (e.g. `apt-get install python3`) or name an interpreter with --python PATH"
        ))
    })?;
    if let Some(mut stdin) = child.stdin.take() {
        // An interpreter that exits without reading closes the pipe: its
        // exit status and output below say what went wrong.
        let _ = stdin.write_all(SCRIPT.as_bytes());
    }
    let output = child.wait_with_output().map_err(|e| Failure::Input(anyhow!("{python} failed: {e}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(Failure::Input(anyhow!(
            "the calibration script failed under {python} ({}):\n{}\nhint: it needs CPython 3.8 or later with asyncio and threading; try --python PATH",
            output.status,
            stderr.trim_end()
        )));
    }
    let measured: serde_json::Value = serde_json::from_slice(&output.stdout).map_err(|e| {
        Failure::Input(anyhow!("{python} printed no calibration result ({e}); is it CPython 3.8 or later?"))
    })?;
    let constants = &measured["constants"];
    let mut values = Vec::with_capacity(runtime::CONSTANT_COUNT);
    for c in &runtime::CONSTANTS {
        let v = constants[c.name]
            .as_u64()
            .ok_or_else(|| Failure::Input(anyhow!("the calibration result has no figure for {}", c.name)))?;
        values.push(v);
    }

    let facts = &measured["facts"];
    let version = facts["python"].as_str().unwrap_or("unknown");
    let machine = facts["machine"].as_str().unwrap_or("unknown");
    let mut written = serde_json::Map::new();
    written.insert("format".into(), runtime::PROFILE_FORMAT.into());
    written.insert("name".into(), format!("cpython-{version}-{machine}").into());
    let mut constants_out = serde_json::Map::new();
    for (i, v) in values.iter().enumerate() {
        let text = runtime::Runtime::format_value(i, *v);
        let value = match runtime::CONSTANTS[i].unit {
            runtime::Unit::Duration => serde_json::Value::from(text),
            runtime::Unit::Bytes => serde_json::Value::from(*v),
        };
        constants_out.insert(runtime::CONSTANTS[i].name.into(), value);
    }
    written.insert("constants".into(), constants_out.into());
    written.insert(
        "measured_with".into(),
        serde_json::json!({"facts": facts, "raw": measured["raw"], "script": "simbench calibrate", "simbench": env!("CARGO_PKG_VERSION")}),
    );
    let text =
        serde_json::to_string_pretty(&serde_json::Value::Object(written)).expect("a JSON value serialises") + "\n";
    let out = args.out.display().to_string();
    scenario::parse_profile(&text, &out)
        .map_err(|e| Failure::Input(anyhow!("the measured profile does not read back: {e}")))?;
    files::write_atomic(&args.out, text.as_bytes()).map_err(|e| Failure::Output(anyhow!("cannot write {out}: {e}")))?;

    outln!("CPython {version} on {machine} ({} CPUs){}", facts["cpus"], if args.quick { ", quick" } else { "" });
    outln!();
    outln!("{:<26} {:>14} {:>14}  reference", "constant", "this machine", "cpython");
    for (i, c) in runtime::CONSTANTS.iter().enumerate() {
        let show = |v: u64| match c.unit {
            runtime::Unit::Duration => simbench::time::SimDuration::from_nanos(v).to_string(),
            runtime::Unit::Bytes => format!("{v} B"),
        };
        outln!("{:<26} {:>14} {:>14}  {}", c.name, show(values[i]), show(c.cpython), reference(c.name));
    }
    outln!();
    outln!(
        "wrote {out}; use it with \"runtime\": \"{out}\" in a scenario (relative to the scenario's directory) or `simbench run --runtime {out}`"
    );
    Ok(())
}
