//! Sweep benchmark: the same 8-point sweep of scenarios/api-server.json
//! (arrival rate 100..800:100, 5,000 requests a point, every strategy) on
//! a local rayon pool of 1 thread and of 2 threads. Issue 8 asks for at
//! least 1.8× on 2 cores; the ratio of the two `sweep/threads` times is
//! that speed-up (docs/capacity.md). Points are independent and collected
//! in order, so both pools produce the same results (tests/it/capacity.rs).
//!
//! `cargo bench --bench sweep`.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use simbench::engine::Limits;
use simbench::sweep::{self, Study};
use std::hint::black_box;
use std::time::Duration;

fn study() -> Study {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/api-server.json");
    let text = std::fs::read_to_string(&path).expect("api-server.json");
    let sets = ["classes.request.arrivals.poisson.count=5000", "classes.request.arrivals.poisson.rate=100..800:100"]
        .iter()
        .map(|s| sweep::parse_set(s).expect("a valid --set"))
        .collect();
    Study::new(&text, "api-server.json", sets).expect("a valid study")
}

fn bench_sweep(c: &mut Criterion) {
    let study = study();
    let indices: Vec<usize> = (0..study.len()).collect();
    let mut group = c.benchmark_group("sweep");
    group.sample_size(10).measurement_time(Duration::from_secs(10));
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool");
        group.bench_with_input(BenchmarkId::new("threads", threads), &threads, |b, _| {
            b.iter(|| pool.install(|| black_box(sweep::run(&study, &indices, Limits::default(), &|_| {}).unwrap())))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_sweep);
criterion_main!(benches);
