//! R-ARRIVALS-*, R-BOUND, R-OUTCOME, R-HORIZON: when tasks arrive and how
//! they end.

use crate::model::harness::{batch, batch_class, class, measure, run, run_all, run_first, scenario_json};
use simbench::engine::Outcome;
use std::collections::BTreeSet;

const ALL: &str = r#"["blocking", "threaded", "cooperative"]"#;

#[test]
fn r_arrivals_batch_creates_every_task_at_time_zero() {
    let run = run_first(&batch(5, r#"[{"io": "1s"}]"#, r#"["cooperative"]"#));
    assert_eq!(run.stats.arrived, 5);
    assert_eq!(run.arrivals_ms_of(0), [0, 0, 0, 0, 0]);
    assert_eq!(run.ends_ms(), [1000, 1000, 1000, 1000, 1000]);
}

#[test]
fn r_arrivals_interval_gaps_replay_a_sequence() {
    // Gaps 10, 0, 30 ms replayed cyclically: arrivals at 0, 10, 10, 40,
    // 50, 50; a duration bound of 45 ms keeps the first four.
    let classes = class(
        "task",
        r#"{"interval": {"every": {"sequence": ["10ms", "0ms", "30ms"]}, "count": 6}}"#,
        r#"[{"io": "1ms"}]"#,
    );
    for (label, run) in run_all(&scenario_json(&classes, ALL, "")) {
        assert_eq!(run.arrivals_ms_of(0), [0, 10, 10, 40, 50, 50], "{label}");
    }
    let bounded = class(
        "task",
        r#"{"interval": {"every": {"sequence": ["10ms", "0ms", "30ms"]}, "duration": "45ms"}}"#,
        r#"[{"io": "1ms"}]"#,
    );
    assert_eq!(run_first(&scenario_json(&bounded, ALL, "")).arrivals_ms_of(0), [0, 10, 10, 40]);
}

#[test]
fn r_arrivals_interval_gaps_drawn_from_a_distribution() {
    // Uniform gaps of 1-3 ms (a renewal process): the first at 0, every gap
    // within its range, the same draws under every strategy.
    let classes = class(
        "task",
        r#"{"interval": {"every": {"uniform": {"min": "1ms", "max": "3ms"}}, "count": 50}}"#,
        r#"[{"io": "1ms"}]"#,
    );
    let runs = run_all(&scenario_json(&classes, ALL, ""));
    let arrivals = runs[0].1.arrivals_ns_of(0);
    assert_eq!(arrivals[0], 0);
    for pair in arrivals.windows(2) {
        assert!((1_000_000..=3_000_000).contains(&(pair[1] - pair[0])), "gap {:?}", pair);
    }
    assert!(arrivals.windows(3).any(|w| w[1] - w[0] != w[2] - w[1]), "the gaps vary");
    for (label, run) in &runs {
        assert_eq!(run.arrivals_ns_of(0), arrivals, "{label}");
    }
}

#[test]
fn r_arrivals_interval_worked_example() {
    // Tasks at 0, 1 and 2 s, each 0.5 s of io: they never overlap, so every
    // strategy completes them at 0.5, 1.5 and 2.5 s.
    let json =
        scenario_json(&class("task", r#"{"interval": {"every": "1s", "count": 3}}"#, r#"[{"io": "500ms"}]"#), ALL, "");
    for (label, run) in run_all(&json) {
        assert_eq!(run.arrivals_ms_of(0), [0, 1000, 2000], "{label}");
        assert_eq!(run.ends_ms(), [500, 1500, 2500], "{label}");
        assert_eq!(run.makespan_ms(), 2500, "{label}");
        assert_eq!(run.latencies_ms(), [500, 500, 500], "{label}");
        assert_eq!(run.outcomes(), [Outcome::Completed; 3], "{label}");
    }
}

#[test]
fn r_arrivals_poisson_gaps_are_exponential_with_mean_one_over_rate() {
    const N: usize = 10_000;
    let json = scenario_json(
        &class("task", &format!(r#"{{"poisson": {{"rate": 100, "count": {N}}}}}"#), r#"[{"io": "1ms"}]"#),
        r#"["cooperative"]"#,
        "",
    );
    let arrivals = run_first(&json).arrivals_ns_of(0);
    assert_eq!(arrivals.len(), N);
    assert!(arrivals.windows(2).all(|w| w[0] <= w[1]), "arrivals out of index order");
    // The first task arrives after one gap, so the N gaps sum to the last
    // arrival. Each gap is Exp(mean 10 ms), sd 10 ms; the mean of N = 10 000
    // has sd 10 ms / √N = 0.1 ms. Allow ±5 sd: [9.5, 10.5] ms.
    let mean_ms = arrivals[N - 1] as f64 / N as f64 / 1e6;
    assert!((9.5..=10.5).contains(&mean_ms), "mean gap {mean_ms} ms");
    // Shape, not just mean: P(gap > mean) = e^-1 ≈ 0.3679 for an exponential
    // (0.5 for a uniform or a constant-ish gap). Binomial sd over N gaps:
    // √(0.3679 × 0.6321 / 10 000) = 0.00482; ±5 sd.
    let gaps: Vec<u64> = std::iter::once(arrivals[0]).chain(arrivals.windows(2).map(|w| w[1] - w[0])).collect();
    let above = gaps.iter().filter(|&&g| g > 10_000_000).count() as f64 / N as f64;
    assert!((0.3438..=0.3920).contains(&above), "P(gap > mean) = {above}");
}

#[test]
fn r_arrivals_poisson_first_task_arrives_after_one_gap() {
    // Over 2000 seeds the first arrival is a sample of Exp(mean 10 ms): its
    // mean has sd 10 ms / √2000 = 0.224 ms; ±5 sd: [8.88, 11.12] ms. A first
    // task at t = 0 would give 0.
    const SEEDS: u64 = 2000;
    let mut sum_ns = 0u64;
    for seed in 1..=SEEDS {
        let json = scenario_json(
            &class("task", r#"{"poisson": {"rate": 100, "count": 1}}"#, r#"[{"io": "1ms"}]"#),
            r#"["cooperative"]"#,
            &format!(r#""seed": {seed}"#),
        );
        let first = run_first(&json).arrivals_ns_of(0)[0];
        assert!(first > 0, "seed {seed}: the first task arrived at 0");
        sum_ns += first;
    }
    let mean_ms = sum_ns as f64 / SEEDS as f64 / 1e6;
    assert!((8.88..=11.12).contains(&mean_ms), "mean first arrival {mean_ms} ms");
}

#[test]
fn r_arrivals_closed_users_think_after_each_task() {
    // Two users, 0.5 s tasks, 1 s think: each user issues at 0, 1.5, 3 s.
    let arrivals = r#"{"closed": {"users": 2, "think": "1s", "count": 6}}"#;
    let json = scenario_json(&class("task", arrivals, r#"[{"io": "500ms"}]"#), ALL, "");
    let coop = run(&json, "cooperative");
    assert_eq!(coop.arrivals_ms_of(0), [0, 0, 1500, 1500, 3000, 3000]);
    assert_eq!(coop.ends_ms(), [500, 500, 2000, 2000, 3500, 3500]);
    // Blocking: user 1's first task queues behind user 0's, so user 1 runs
    // half a second behind: user 0 issues at 0, 1.5, 3 s, user 1 at 0, 2,
    // 3.5 s, and each task runs as soon as the other user's is done.
    let blocking = run(&json, "blocking");
    assert_eq!(blocking.arrivals_ms_of(0), [0, 0, 1500, 2000, 3000, 3500]);
    assert_eq!(blocking.ends_ms(), [500, 1000, 2000, 2500, 3500, 4000]);
}

#[test]
fn r_arrivals_closed_user_thinks_whatever_the_outcome() {
    let arrivals = r#"{"closed": {"users": 1, "think": "1s", "count": 3}}"#;
    let failing = scenario_json(&class("task", arrivals, r#"[{"io": "1s", "fail": 1.0}]"#), ALL, "");
    for (label, run) in run_all(&failing) {
        assert_eq!(run.arrivals_ms_of(0), [0, 2000, 4000], "{label}");
        assert_eq!(run.ends_ms(), [1000, 3000, 5000], "{label}");
        assert_eq!(run.outcomes(), [Outcome::Failed; 3], "{label}");
    }
    // A timed-out task ends at its expiry (under threads too: the caller
    // stops waiting), and the user thinks from then.
    let timing_out = scenario_json(
        &class("task", arrivals, r#"[{"timeout": {"after": "500ms", "program": [{"io": "1s"}]}}]"#),
        r#"["threaded", "cooperative"]"#,
        "",
    );
    for (label, run) in run_all(&timing_out) {
        assert_eq!(run.arrivals_ms_of(0), [0, 1500, 3000], "{label}");
        assert_eq!(run.ends_ms(), [500, 2000, 3500], "{label}");
        assert_eq!(run.outcomes(), [Outcome::TimedOut; 3], "{label}");
    }
}

#[test]
fn r_arrivals_closed_think_time_is_drawn_from_its_distribution() {
    // One user, 1 ms tasks, think Exp(mean 100 ms): consecutive arrivals are
    // 1 ms + one think apart. Over 2000 thinks the mean has sd
    // 100 ms / √2000 = 2.24 ms; ±5 sd: [88.8, 111.2] ms.
    const THINKS: usize = 2000;
    let arrivals = format!(
        r#"{{"closed": {{"users": 1, "think": {{"exponential": {{"mean": "100ms"}}}}, "count": {}}}}}"#,
        THINKS + 1
    );
    let json = scenario_json(&class("task", &arrivals, r#"[{"io": "1ms"}]"#), r#"["cooperative"]"#, "");
    let at = run_first(&json).arrivals_ns_of(0);
    let thinks: Vec<f64> = at.windows(2).map(|w| (w[1] - w[0]) as f64 / 1e6 - 1.0).collect();
    assert_eq!(thinks.len(), THINKS);
    let mean = thinks.iter().sum::<f64>() / THINKS as f64;
    assert!((88.8..=111.2).contains(&mean), "mean think {mean} ms");
    // Drawn, not constant: P(think > mean) = e^-1 ≈ 0.368, binomial sd
    // √(0.368 × 0.632 / 2000) = 0.0108; ±5 sd.
    let above = thinks.iter().filter(|&&t| t > 100.0).count() as f64 / THINKS as f64;
    assert!((0.314..=0.422).contains(&above), "P(think > mean) = {above}");
}

#[test]
fn r_bound_duration_admits_no_arrival_at_or_after_it() {
    for (duration, expected) in
        [("3s", vec![0, 1000, 2000]), ("2500ms", vec![0, 1000, 2000]), ("3001ms", vec![0, 1000, 2000, 3000])]
    {
        let arrivals = format!(r#"{{"interval": {{"every": "1s", "duration": "{duration}"}}}}"#);
        let json = scenario_json(&class("task", &arrivals, r#"[{"io": "10ms"}]"#), r#"["cooperative"]"#, "");
        assert_eq!(run_first(&json).arrivals_ms_of(0), expected, "duration {duration}");
    }
    // A closed-loop user would issue at 0, 1, 2, 3 s; 3 s is excluded.
    let arrivals = r#"{"closed": {"users": 1, "duration": "3s"}}"#;
    let json = scenario_json(&class("task", arrivals, r#"[{"io": "1s"}]"#), r#"["cooperative"]"#, "");
    assert_eq!(run_first(&json).arrivals_ms_of(0), [0, 1000, 2000]);
}

#[test]
fn r_bound_duration_stops_poisson_arrivals() {
    // rate 1000/s for 1 s: Poisson(1000) arrivals, sd √1000 ≈ 31.6; ±5 sd.
    let arrivals = r#"{"poisson": {"rate": 1000, "duration": "1s"}}"#;
    let json = scenario_json(&class("task", arrivals, r#"[{"io": "1ms"}]"#), r#"["cooperative"]"#, "");
    let at = run_first(&json).arrivals_ns_of(0);
    assert!(at.iter().all(|&t| t < 1_000_000_000), "an arrival at or after 1 s");
    assert!((842..=1158).contains(&at.len()), "{} arrivals", at.len());
}

#[test]
fn r_bound_count_counts_the_tasks_of_all_users() {
    // Three users issue at 0; the fourth task (user 0's second) ends it.
    let arrivals = r#"{"closed": {"users": 3, "count": 4}}"#;
    let json = scenario_json(&class("task", arrivals, r#"[{"io": "1s"}]"#), r#"["cooperative"]"#, "");
    let run = run_first(&json);
    assert_eq!(run.stats.arrived, 4);
    assert_eq!(run.arrivals_ms_of(0), [0, 0, 0, 1000]);
    let interval = scenario_json(
        &class("task", r#"{"interval": {"every": "1ms", "count": 7}}"#, r#"[{"io": "1s"}]"#),
        r#"["cooperative"]"#,
        "",
    );
    assert_eq!(run_first(&interval).stats.arrived, 7);
}

#[test]
fn r_outcome_every_arrived_task_ends_exactly_once() {
    // A mix that produces all four outcomes: io of 10–200 ms that fails with
    // probability 0.3, under a 100 ms budget, arrivals cut by a horizon.
    let program = r#"[{"timeout": {"after": "100ms", "program": [
        {"io": {"uniform": {"min": "10ms", "max": "200ms"}}, "fail": 0.3}]}}]"#;
    let json = scenario_json(
        &class("mix", r#"{"poisson": {"rate": 200, "count": 2000}}"#, program),
        ALL,
        r#""horizon": "5s""#,
    );
    for (label, run) in run_all(&json) {
        let m = measure(&json, &label);
        let t = m.result.tasks;
        assert_eq!(t.arrived, run.stats.arrived, "{label}");
        assert_eq!(t.arrived, t.completed + t.failed + t.timed_out + t.cancelled, "{label}");
        for (what, n) in [("completed", t.completed), ("failed", t.failed), ("timed out", t.timed_out)] {
            assert!(n > 0, "{label}: no task {what}, the test checks nothing");
        }
        assert!(t.cancelled > 0, "{label}: no task cancelled, the test checks nothing");
        // Each task ends once: one record per (class, index), indices 0..arrived.
        let ends: BTreeSet<(u16, u64)> = run.records.iter().map(|r| (r.class, r.index)).collect();
        assert_eq!(ends.len(), run.records.len(), "{label}: a task ended twice");
        assert_eq!(ends, (0..run.stats.arrived).map(|i| (0, i)).collect(), "{label}");
    }
}

#[test]
fn r_horizon_cancels_tasks_in_flight_and_excludes_them_from_latency() {
    // Blocking, three 1 s tasks, horizon 1.5 s: task 0 completes at 1 s; task
    // 1 is running and task 2 queued at 1.5 s: both are cancelled then.
    let json = scenario_json(&batch_class("task", 3, r#"[{"io": "1s"}]"#), r#"["blocking"]"#, r#""horizon": "1500ms""#);
    let run = run_first(&json);
    assert!(run.stats.horizon_reached);
    assert_eq!(run.outcomes(), [Outcome::Completed, Outcome::Cancelled, Outcome::Cancelled]);
    assert_eq!(run.ends_ms(), [1000, 1500, 1500]);
    let m = measure(&json, "blocking");
    assert_eq!(m.result.tasks.cancelled, 2);
    // Only task 0's 1 s latency is in the histogram (with the cancelled
    // tasks the mean would be 1.33 s and the max 1.5 s).
    assert_eq!(m.result.latency_s.mean, 1.0);
    assert_eq!(m.result.latency_s.max, 1.0);
}

#[test]
fn r_horizon_stops_arrivals_and_cancels_awaiting_coroutines() {
    // Interval 1 s, 1 s of io, horizon 2.5 s: tasks arrive at 0, 1, 2 s;
    // tasks 0 and 1 complete, task 2 is awaiting its io at 2.5 s.
    let json = scenario_json(
        &class("task", r#"{"interval": {"every": "1s", "count": 10}}"#, r#"[{"io": "1s"}]"#),
        r#"["cooperative"]"#,
        r#""horizon": "2500ms""#,
    );
    let run = run_first(&json);
    assert_eq!(run.stats.arrived, 3);
    assert_eq!(run.outcomes(), [Outcome::Completed, Outcome::Completed, Outcome::Cancelled]);
    assert_eq!(run.ends_ms(), [1000, 2000, 2500]);
    let m = measure(&json, "cooperative");
    assert_eq!((m.result.tasks.completed, m.result.tasks.cancelled), (2, 1));
    assert_eq!(m.result.latency_s.max, 1.0);
}
