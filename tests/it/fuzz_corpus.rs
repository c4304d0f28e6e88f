//! Replays the fuzz corpus seeds (fuzz/corpus/scenario/) through the
//! pipeline the fuzz target drives, so every seed, and every crash a fuzz
//! campaign ever finds (saved there with a name saying what it was), stays
//! a regression test. See docs/errors.md, "Fuzzing".

include!("../../fuzz/exercise.rs");

#[test]
fn every_corpus_seed_runs_without_panicking() {
    // SIMBENCH_FUZZ_CORPUS=dir replays a whole campaign's corpus instead.
    let dir = match std::env::var_os("SIMBENCH_FUZZ_CORPUS") {
        Some(dir) => std::path::PathBuf::from(dir),
        None => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/scenario"),
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir).expect("fuzz/corpus/scenario").map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 7, "the seeds are missing");
    for file in files {
        let data = std::fs::read(&file).unwrap();
        exercise(&data);
    }
}
