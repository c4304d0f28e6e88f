//! What installing and packaging rely on, through the real binary:
//! `simbench completions` (the bash script is sourced by a real bash),
//! `simbench man` (the roff page and its subcommands), and
//! `sweep --shard auto/N`, which takes its shard from a job array's index
//! in the environment (Slurm, Kubernetes Indexed Jobs, AWS Batch).

use crate::common::{command, path, tempdir};
use std::path::Path;
use std::process::{Command, Output};

/// The variables `--shard auto/N` reads; every test clears them, so a test
/// run inside a Slurm job behaves as anywhere else.
const INDEX_VARS: [&str; 4] = ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX", "SHARD"];

const SUBCOMMANDS: [&str; 9] =
    ["run", "compare", "validate", "sweep", "plan", "merge", "calibrate", "completions", "man"];

/// Runs `simbench` with `args` and `env`, the job-array variables cleared.
fn simbench(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = command();
    command.args(args);
    for var in INDEX_VARS {
        command.env_remove(var);
    }
    command.envs(env.iter().copied());
    command.output().expect("the binary runs")
}

fn ok(output: Output) -> String {
    assert!(output.status.success(), "simbench failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

#[test]
fn bash_completion_can_be_sourced() {
    let bin = env!("CARGO_BIN_EXE_simbench");
    let script = format!("source <('{bin}' completions bash) && complete -p simbench");
    let output = Command::new("bash").args(["--norc", "--noprofile", "-c", &script]).output().expect("bash runs");
    assert!(output.status.success(), "bash: {}", String::from_utf8_lossy(&output.stderr));
    let shown = String::from_utf8_lossy(&output.stdout);
    assert!(shown.contains("-F _simbench simbench"), "complete -p simbench: {shown}");
}

#[test]
fn every_shell_gets_a_script_naming_the_subcommands() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = ok(simbench(&["completions", shell], &[]));
        for sub in SUBCOMMANDS {
            assert!(script.contains(sub), "{shell}: no {sub}");
        }
        assert!(script.contains("shard-index-var"), "{shell}: sweep's options are missing");
    }
    let unknown = simbench(&["completions", "tcsh"], &[]);
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn man_page_is_roff_listing_every_subcommand() {
    let page = ok(simbench(&["man"], &[]));
    assert!(page.lines().any(|l| l.starts_with(".TH simbench 1")), "no .TH line:\n{page}");
    assert!(page.contains(".SH SUBCOMMANDS"));
    for sub in SUBCOMMANDS {
        assert!(page.contains(&format!("simbench\\-{sub}(1)")), "no {sub} in the page");
    }
}

#[test]
fn man_page_of_a_subcommand_has_its_options() {
    let page = ok(simbench(&["man", "sweep"], &[]));
    assert!(page.lines().any(|l| l.starts_with(".TH simbench-sweep 1")), "no .TH line:\n{page}");
    assert!(page.contains("\\-\\-shard\\-index\\-var"));
    let unknown = simbench(&["man", "swep"], &[]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no subcommand \"swep\""));
}

/// A three-point sweep of downloads.json (points 0, 1, 2) into `out`.
fn sweep(out: &Path, shard: Option<&str>, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let mut args = vec!["sweep", "scenarios/downloads.json", "--set", "machine.cores=1,2,4", "--no-charts", "--quiet"];
    args.extend(["--out", path(out)]);
    if let Some(shard) = shard {
        args.extend(["--shard", shard]);
    }
    args.extend(extra);
    simbench(&args, env)
}

fn point_indices(file: &Path) -> Vec<u64> {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let json: serde_json::Value = serde_json::from_str(&text).expect("sweep JSON");
    json["points"].as_array().expect("points").iter().map(|p| p["index"].as_u64().expect("index")).collect()
}

/// One job array task: its environment and arguments, the file it must
/// write and the points in it.
struct Task {
    env: &'static [(&'static str, &'static str)],
    args: &'static [&'static str],
    file: &'static str,
    points: &'static [u64],
}

#[test]
fn shard_auto_takes_the_zero_based_index_of_each_engine() {
    // Index k of the array is shard k + 1: with 2 shards of points 0..3,
    // index 0 runs points 0 and 2, index 1 runs point 1.
    let first = "sweep.shard-1-of-2.json";
    let second = "sweep.shard-2-of-2.json";
    let tasks = [
        Task { env: &[("SLURM_ARRAY_TASK_ID", "0")], args: &[], file: first, points: &[0, 2] },
        Task { env: &[("JOB_COMPLETION_INDEX", "1")], args: &[], file: second, points: &[1] },
        Task { env: &[("AWS_BATCH_JOB_ARRAY_INDEX", "0")], args: &[], file: first, points: &[0, 2] },
        // --shard-index-var reads only the variable it names.
        Task {
            env: &[("SHARD", "1"), ("SLURM_ARRAY_TASK_ID", "0")],
            args: &["--shard-index-var", "SHARD"],
            file: second,
            points: &[1],
        },
    ];
    for task in tasks {
        let dir = tempdir("install");
        ok(sweep(dir.path(), Some("auto/2"), task.args, task.env));
        let file = dir.path().join("downloads").join(task.file);
        assert_eq!(point_indices(&file), task.points, "{:?} {:?}", task.env, task.args);
    }
}

#[test]
fn shard_auto_without_an_index_is_an_input_error() {
    let dir = tempdir("install");
    let none = sweep(dir.path(), Some("auto/2"), &[], &[]);
    assert_eq!(none.status.code(), Some(2));
    let message = String::from_utf8_lossy(&none.stderr);
    assert!(
        message.contains("none of SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX is set"),
        "{message}"
    );

    let named = sweep(dir.path(), Some("auto/2"), &["--shard-index-var", "SHARD"], &[("SLURM_ARRAY_TASK_ID", "0")]);
    assert_eq!(named.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&named.stderr).contains("SHARD is not set"));

    // Slurm's --array=1-2 gives 2 to the last task: refused, not wrapped.
    let past = sweep(dir.path(), Some("auto/2"), &[], &[("SLURM_ARRAY_TASK_ID", "2")]);
    assert_eq!(past.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&past.stderr).contains("--array=0-1"));

    let fixed = sweep(dir.path(), Some("1/2"), &["--shard-index-var", "SHARD"], &[]);
    assert_eq!(fixed.status.code(), Some(2));
    assert!(std::fs::read_dir(dir.path()).map(|d| d.count()).unwrap_or(0) <= 1, "a refused sweep wrote a shard");
}

#[test]
fn shards_from_auto_merge_into_the_whole_sweep() {
    let whole = tempdir("install");
    ok(sweep(whole.path(), None, &[], &[]));
    let shards = tempdir("install");
    for k in ["0", "1", "2"] {
        ok(sweep(shards.path(), Some("auto/3"), &[], &[("SLURM_ARRAY_TASK_ID", k)]));
    }
    let merged = tempdir("install");
    let from = shards.path().join("downloads");
    ok(simbench(&["merge", path(&from), "--out", path(merged.path()), "--no-charts", "--quiet"], &[]));
    for file in ["sweep.json", "sweep.csv"] {
        let a = std::fs::read(whole.path().join("downloads").join(file)).expect("whole");
        let b = std::fs::read(merged.path().join("downloads").join(file)).expect("merged");
        assert!(a == b, "{file} differs between the whole sweep and the merged shards");
    }
}
