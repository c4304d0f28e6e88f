//! Fuzzes the whole pipeline a scenario file goes through (see
//! `exercise.rs`). Run from this directory:
//! `RUSTC_BOOTSTRAP=1 cargo fuzz run scenario corpus/scenario -- -dict=scenario.dict`.
#![no_main]

use libfuzzer_sys::fuzz_target;

include!("../exercise.rs");

fuzz_target!(|data: &[u8]| exercise(data));
