//! simbench's integration tests: one binary, one module per behaviour.
//!
//! `cargo test --test it` runs them all; a module's name filters them
//! (`cargo test --test it ci::`, `cargo test --test it model::io::r_io`).
//!
//! - `common`: the shared helpers (the repository root, running the real
//!   binary, temp dirs, golden files, [`common::require`]).
//! - `model/`: one test per rule of docs/model.md, named after it, through
//!   the library (its own `harness`).
//! - The other modules go through the real binary
//!   (`env!("CARGO_BIN_EXE_simbench")`) or the library, one behaviour each:
//!   `cli` (golden reports, exit statuses), `ci` (SLOs, compare, baselines,
//!   exports, their goldens), `determinism`, `guards`, `tutorial`,
//!   `charts`, `capacity`, `calibrate`, `validation`, the exports read as
//!   their consumers read them: `export_csv` (tidy tables, as a data
//!   frame), `export_bmf` (Bencher) and `export_benchmark_action`
//!   (github-action-benchmark), the scenario parser's
//!   `scenario_parse` and `scenario_errors`, `schema` (the JSON Schema against the decoder), `sweep_properties` (proptest over `sweep`/`plan` arguments), `properties` (proptest; its
//!   regressions file is properties.proptest-regressions beside it),
//!   `fuzz_corpus` (the seeds of fuzz/), `hostile_text` (control characters refused, markup escaped in every output), `percentiles` (exact percentiles for a small run, in every output), `input_messages` and `argument_messages` (the clear messages for a BOM, a lone surrogate, deep nesting, long names and keys, negative numbers to flags, `--set`/`--vary` paths), and `queue_contenders` (the
//!   benchmarks' queues, benches/queues/, included by path).
//!
//! Golden files are in tests/golden/; after an intended change of an output,
//! refresh them with `SIMBENCH_BLESS=1 cargo test --test it golden` and
//! review the diff.
//!
//! # Tests that cannot run here
//!
//! A test that cannot run on this machine is never reported as passed:
//!
//! - When what it needs is known at compile time (the platform, a target
//!   feature such as AVX2), it is marked
//!   `#[cfg_attr(not(unix), ignore = "needs Unix signals")]`, so the run
//!   lists it as ignored, with the reason.
//! - When it is known only at run time (an installed program such as
//!   `python3`), the test starts with
//!   `if !common::require("python3", common::runs("python3")) { return; }`:
//!   a missing tool fails the test, saying what to install, unless the
//!   environment variable `SIMBENCH_TEST_WITHOUT` (a comma-separated list,
//!   e.g. `SIMBENCH_TEST_WITHOUT=python3`) declares it absent on purpose;
//!   only then does the test return early, printing on standard error (past
//!   libtest's capture, so the run shows it) that it did not run. Stable
//!   Rust has no way to mark a test ignored at run time, so such a test
//!   counts as passed: the variable is the explicit, visible decision.
//!
//! No test returns early for any other reason.

mod common;

mod argument_messages;
mod calibrate;
mod capacity;
mod charts;
mod ci;
mod cli;
mod determinism;
mod export_benchmark_action;
mod export_bmf;
mod export_csv;
mod fuzz_corpus;
mod guards;
mod hostile_text;
mod input_messages;
mod install;
mod library;
mod model;
mod percentiles;
mod properties;
mod queue_contenders;
mod queue_properties;
mod scenario_errors;
mod scenario_parse;
mod schema;
mod sweep_properties;
mod tutorial;
mod validation;
