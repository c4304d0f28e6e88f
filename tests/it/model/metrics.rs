//! R-LATENCY, R-MAKESPAN, R-CPU-UTILIZATION, R-PEAKS, R-LOOP-LAG, R-MEMORY:
//! what is measured, via `simbench::metrics::measure` as reports do.

use crate::model::harness::{batch, batch_class, class, measure, ms, run, run_batch, run_first, scenario_json};
use simbench::time::SimDuration;

/// A thread, per R-MEMORY.
const THREAD_BYTES: u64 = 16_896;
/// A coroutine, per R-MEMORY.
const COROUTINE_BYTES: u64 = 2_900;

#[test]
fn r_latency_is_arrival_to_end_and_wait_is_arrival_to_first_step() {
    // Blocking, three 1 s tasks at 0: they start at 0, 1, 2 s and end at 1,
    // 2, 3 s.
    let json = batch(3, r#"[{"io": "1s"}]"#, r#"["blocking"]"#);
    let run = run_first(&json);
    assert_eq!(run.latencies_ms(), [1000, 2000, 3000]);
    let starts: Vec<u64> = run.records.iter().map(|r| ms(r.started.unwrap())).collect();
    assert_eq!(starts, [0, 1000, 2000]);
    let m = measure(&json, "blocking").result;
    assert_eq!((m.latency_s.mean, m.latency_s.max), (2.0, 3.0));
    assert_eq!((m.wait_s.mean, m.wait_s.max), (1.0, 2.0));
}

#[test]
fn r_latency_wait_includes_waiting_for_the_loop() {
    // b is admitted at 0 but its first step starts only when a's 10 ms of
    // cpu release the loop.
    let classes = [batch_class("a", 1, r#"[{"cpu": "10ms"}]"#), batch_class("b", 1, r#"[{"io": "1ms"}]"#)].join(", ");
    let json = scenario_json(&classes, r#"["cooperative"]"#, "");
    let b = measure(&json, "cooperative").result.classes[1].clone();
    assert_eq!(b.wait_s.max, 0.010);
    assert_eq!(b.latency_s.max, 0.011);
}

#[test]
fn r_latency_covers_completed_failed_and_timed_out_tasks_only() {
    // failed at 1 s, timed out at 2 s, completed at 3 s; the 10 s task is
    // cancelled at the 5 s horizon and has no latency.
    let classes = [
        batch_class("failed", 1, r#"[{"io": "1s", "fail": 1.0}]"#),
        batch_class("timed_out", 1, r#"[{"timeout": {"after": "2s", "program": [{"io": "5s"}]}}]"#),
        batch_class("completed", 1, r#"[{"io": "3s"}]"#),
        batch_class("cancelled", 1, r#"[{"io": "10s"}]"#),
    ]
    .join(", ");
    let json = scenario_json(&classes, r#"["cooperative"]"#, r#""horizon": "5s""#);
    let m = measure(&json, "cooperative").result;
    let t = m.tasks;
    assert_eq!((t.arrived, t.completed, t.failed, t.timed_out, t.cancelled), (4, 1, 1, 1, 1));
    assert_eq!((m.latency_s.mean, m.latency_s.max), (2.0, 3.0));
    let per_class: Vec<f64> = m.classes.iter().map(|c| c.latency_s.max).collect();
    assert_eq!(per_class, [1.0, 2.0, 3.0, 0.0]);
}

#[test]
fn r_makespan_is_from_zero_to_the_last_tasks_end() {
    // R-ARRIVALS-INTERVAL's example: makespan 2.5 s, 3 completed: 1.2/s.
    let json = scenario_json(
        &class("task", r#"{"interval": {"every": "1s", "count": 3}}"#, r#"[{"io": "500ms"}]"#),
        r#"["blocking", "threaded", "cooperative"]"#,
        "",
    );
    for label in ["blocking", "threaded", "cooperative"] {
        let m = measure(&json, label).result;
        assert_eq!(m.makespan_s, 2.5, "{label}");
        assert_eq!(m.throughput_per_s, 1.2, "{label}");
    }
    // A thread that runs an abandoned call on past the last task's end (the
    // timed-out task ends at 1 s, its call at 3 s) does not count.
    let program = r#"[{"timeout": {"after": "1s", "program": [{"io": "3s"}]}}]"#;
    let json = batch(1, program, r#"["blocking"]"#);
    assert_eq!(measure(&json, "blocking").result.makespan_s, 1.0);
    assert_eq!(ms(run(&json, "blocking").stats.end), 3000);
}

#[test]
fn r_makespan_throughput_counts_completed_tasks_only() {
    // Two completed tasks and one failed in a 2 s makespan: 1.0/s, not 1.5/s.
    let classes =
        [batch_class("ok", 2, r#"[{"io": "2s"}]"#), batch_class("bad", 1, r#"[{"io": "1s", "fail": 1.0}]"#)].join(", ");
    let m = measure(&scenario_json(&classes, r#"["cooperative"]"#, ""), "cooperative").result;
    assert_eq!((m.makespan_s, m.throughput_per_s), (2.0, 1.0));
}

#[test]
fn r_cpu_utilization_is_cpu_time_over_cores_times_makespan() {
    // The scenario has 2 cores; two tasks of 10 ms cpu.
    let json = batch(
        2,
        r#"[{"cpu": "10ms"}]"#,
        r#"["cooperative", "blocking", {"threaded": {"workers": 2, "label": "gil"}},
            {"threaded": {"workers": 2, "gil": false, "label": "nogil"}}]"#,
    );
    // One core used: 20 ms of cpu over 2 × 20 ms.
    for label in ["cooperative", "blocking", "gil"] {
        let m = measure(&json, label);
        assert_eq!(m.stats.cpu_busy, SimDuration::from_millis(20), "{label}");
        assert_eq!(m.result.cpu_utilization, 0.5, "{label}");
    }
    // Both cores: 20 ms over 2 × 10 ms.
    assert_eq!(measure(&json, "nogil").result.cpu_utilization, 1.0);
    // Waiting uses no CPU: 10 ms of io then 10 ms of cpu, alone: 10 / (2 × 20).
    let json = batch(1, r#"[{"io": "10ms"}, {"cpu": "10ms"}]"#, r#"["blocking"]"#);
    assert_eq!(measure(&json, "blocking").result.cpu_utilization, 0.25);
}

#[test]
fn r_cpu_utilization_excludes_work_past_the_makespan() {
    // A detached thread computes 100 ms from 1 ms on; the task ends at
    // 2 ms. The makespan is 2 ms, of which the thread computed 1 ms: 1 ms
    // over 2 cores × 2 ms, not 100 ms over 4 ms of capacity.
    let program = r#"[{"spawn": {"name": "bg", "detached": true, "program": [{"io": "1ms"}, {"cpu": "100ms"}]},
                       "threads": "new"}, {"io": "2ms"}]"#;
    let json = batch(1, program, r#"[{"threaded": {"workers": 1, "gil": false}}]"#);
    let m = measure(&json, "threaded");
    assert_eq!(m.result.makespan_s, 0.002);
    assert_eq!(m.stats.cpu_busy, SimDuration::from_millis(100));
    assert_eq!(m.stats.cpu_busy_in_makespan, SimDuration::from_millis(1));
    assert_eq!(m.result.cpu_utilization, 0.25);
    // Under the GIL the same: the thread holds it from 1 ms on.
    let json = batch(1, program, r#"[{"threaded": {"workers": 1}}]"#);
    assert_eq!(measure(&json, "threaded").result.cpu_utilization, 0.25);
}

#[test]
fn r_peaks_in_flight_counts_arrived_tasks_not_yet_ended() {
    // Every second a 2.5 s task: at most three at once (e.g. at 2 s: the
    // tasks of 0, 1 and 2 s).
    let json = scenario_json(
        &class("task", r#"{"interval": {"every": "1s", "count": 5}}"#, r#"[{"io": "2500ms"}]"#),
        r#"["cooperative"]"#,
        "",
    );
    assert_eq!(measure(&json, "cooperative").result.peak_in_flight, 3);
    // Queued tasks are in flight too.
    assert_eq!(run_batch(5, r#"[{"io": "1s"}]"#, r#""blocking""#).stats.peak_in_flight, 5);
}

#[test]
fn r_peaks_threads_counts_workers_running_tasks() {
    let json =
        batch(10, r#"[{"io": "1s"}]"#, r#"["blocking", "cooperative", {"threaded": {"workers": 4, "label": "four"}}]"#);
    let peaks: Vec<u32> =
        ["blocking", "cooperative", "four"].iter().map(|l| measure(&json, l).result.peak_threads).collect();
    assert_eq!(peaks, [1, 1, 4]);
    // Fewer tasks than workers: only as many threads as tasks.
    let few = run_batch(3, r#"[{"io": "1s"}]"#, r#"{"threaded": {"workers": 8}}"#);
    assert_eq!(few.stats.peak_threads, 3);
}

#[test]
fn r_peaks_coroutines_counts_tasks_and_their_children() {
    // 3 tasks × (1 + 2 gathered children).
    let gather = r#"[{"gather": [{"copies": 2, "program": [{"io": "1s"}]}]}]"#;
    assert_eq!(run_batch(3, gather, r#""cooperative""#).stats.peak_coroutines, 9);
    // 2 tasks × (1 + 1 spawned).
    let spawn = r#"[{"spawn": {"name": "a", "program": [{"io": "1s"}]}}, {"io": "2s"}]"#;
    assert_eq!(run_batch(2, spawn, r#""cooperative""#).stats.peak_coroutines, 4);
    // Finished children are no longer live: 1 + 2, then 1 + 1.
    let twice = r#"[{"gather": [[{"io": "1s"}], [{"io": "2s"}]]}, {"gather": [[{"io": "1s"}]]}]"#;
    assert_eq!(run_batch(1, twice, r#""cooperative""#).stats.peak_coroutines, 3);
    // Tasks that do not overlap are not counted together: every second a
    // task of 0.5 s.
    let short = r#"[{"gather": [{"copies": 2, "program": [{"io": "500ms"}]}]}]"#;
    let json =
        scenario_json(&class("task", r#"{"interval": {"every": "1s", "count": 3}}"#, short), r#"["cooperative"]"#, "");
    assert_eq!(measure(&json, "cooperative").result.peak_coroutines, 3);
}

#[test]
fn r_peaks_coroutines_counts_a_timeout_body_as_a_coroutine() {
    // R-PEAKS: the body of an active timeout is a coroutine of its own (as
    // CPython 3.11's wait_for wraps it in a task): one task awaiting inside
    // a timeout is two coroutines.
    let program = r#"[{"timeout": {"after": "2s", "program": [{"io": "1s"}]}}]"#;
    assert_eq!(run_batch(1, program, r#""cooperative""#).stats.peak_coroutines, 2);
}

#[test]
fn r_loop_lag_measures_waiting_in_the_ready_queue() {
    // a's io completes at 1 ms; b computes 0–10 ms, so a waits 9 ms.
    let classes = [batch_class("a", 1, r#"[{"io": "1ms"}]"#), batch_class("b", 1, r#"[{"cpu": "10ms"}]"#)].join(", ");
    let json = scenario_json(&classes, r#"["cooperative"]"#, "");
    let lags: Vec<SimDuration> = run_first(&json).lags.into_iter().filter(|l| !l.is_zero()).collect();
    assert_eq!(lags, [SimDuration::from_millis(9)]);
    assert_eq!(measure(&json, "cooperative").result.loop_lag_s.expect("cooperative has loop lag").max, 0.009);
}

#[test]
fn r_loop_lag_shows_a_blocked_loop() {
    // The blocking pitfall: 99 sleepers ready at 0.1 s resume at 1 s.
    let classes =
        [batch_class("sleeper", 99, r#"[{"sleep": "100ms"}]"#), batch_class("blocker", 1, r#"[{"blocking": "1s"}]"#)]
            .join(", ");
    let run = run_first(&scenario_json(&classes, r#"["cooperative"]"#, ""));
    let lags: Vec<SimDuration> = run.lags.into_iter().filter(|l| !l.is_zero()).collect();
    assert_eq!(lags, vec![SimDuration::from_millis(900); 99]);
}

#[test]
fn r_loop_lag_is_cooperative_only() {
    let json = batch(3, r#"[{"cpu": "10ms"}]"#, r#"["blocking", "threaded"]"#);
    for label in ["blocking", "threaded"] {
        assert!(run(&json, label).lags.is_empty(), "{label}");
        assert_eq!(measure(&json, label).result.loop_lag_s, None, "{label}");
    }
}

#[test]
fn r_memory_is_peak_threads_times_16_5_kib() {
    let json = batch(10, r#"[{"io": "1s"}]"#, r#"["blocking", {"threaded": {"workers": 4}}]"#);
    for (label, threads) in [("blocking", 1), ("threaded", 4)] {
        let m = measure(&json, label).result;
        assert_eq!(m.peak_coroutines, 0, "{label}");
        assert_eq!(m.modelled_memory_bytes, threads * THREAD_BYTES, "{label}");
    }
}

#[test]
fn r_memory_adds_peak_coroutines_times_2900_bytes() {
    // Cooperative, 5 tasks at once: 1 thread and 5 coroutines,
    // 16 896 + 5 × 2 900 = 31 396 bytes.
    let m = measure(&batch(5, r#"[{"io": "1s"}]"#, r#"["cooperative"]"#), "cooperative").result;
    assert_eq!((m.peak_threads, m.peak_coroutines), (1, 5));
    assert_eq!(m.modelled_memory_bytes, 31_396);
    assert_eq!(m.modelled_memory_bytes, THREAD_BYTES + 5 * COROUTINE_BYTES);
}

#[test]
fn r_memory_coroutine_term_grows_with_peak_coroutines() {
    // Twice the coroutines add five more coroutines' worth; threads stay 1.
    let memory = |n: u64| measure(&batch(n, r#"[{"io": "1s"}]"#, r#"["cooperative"]"#), "cooperative").result;
    let (five, ten) = (memory(5), memory(10));
    assert_eq!((five.peak_coroutines, ten.peak_coroutines), (5, 10));
    assert_eq!(ten.modelled_memory_bytes - five.modelled_memory_bytes, 5 * COROUTINE_BYTES);
    assert_eq!(five.modelled_memory_bytes, THREAD_BYTES + 5 * COROUTINE_BYTES);
}

#[test]
fn r_in_flight_is_the_time_average_of_tasks_in_flight() {
    // Every second a 500 ms task: one in flight half the time over the
    // 2.5 s makespan (1.5 task·s): 0.6.
    let json = scenario_json(
        &class("task", r#"{"interval": {"every": "1s", "count": 3}}"#, r#"[{"io": "500ms"}]"#),
        r#"["blocking"]"#,
        "",
    );
    assert_eq!(measure(&json, "blocking").result.mean_in_flight, 0.6);
    // Three 5 s tasks at 0 on one thread: 3, 2 then 1 in flight for 5 s each
    // (30 task·s over 15 s): 2.0, which is λW = (3 / 15 s) × 10 s (Little).
    let m = measure(&batch(3, r#"[{"io": "5s"}]"#, r#"["blocking"]"#), "blocking");
    assert_eq!(m.stats.in_flight_ns, 30 * 1_000_000_000);
    assert_eq!(m.result.mean_in_flight, 2.0);
    assert_eq!(m.result.mean_in_flight, 3.0 / m.result.makespan_s * m.result.latency_s.mean);
}

#[test]
fn r_in_flight_with_a_warmup_averages_from_the_warmup_to_the_last_arrival() {
    // As above with a 750 ms warmup: a steady-state window, [0.75 s, 2 s]
    // (the last arrival), leaving out the final drain: the task of 1 s is in
    // flight for 0.5 s of it, the task of 2 s arrives at its end: 0.4.
    let json = scenario_json(
        &class("task", r#"{"interval": {"every": "1s", "count": 3}}"#, r#"[{"io": "500ms"}]"#),
        r#"["blocking"]"#,
        r#""warmup": "750ms""#,
    );
    assert_eq!(measure(&json, "blocking").result.mean_in_flight, 0.4);
    // A task that arrived in the warmup counts while it is in flight after
    // it: tasks of 0, 1 and 2 s lasting 1.5 s, warmup 1 s, window [1 s, 2 s]:
    // the task of 0 s for 0.5 s and the task of 1 s for 1 s: 1.5.
    let json = scenario_json(
        &class("task", r#"{"interval": {"every": "1s", "count": 3}}"#, r#"[{"io": "1500ms"}]"#),
        r#"["cooperative"]"#,
        r#""warmup": "1s""#,
    );
    assert_eq!(measure(&json, "cooperative").result.mean_in_flight, 1.5);
}

fn round6(x: f64) -> f64 {
    simbench::metrics::round_significant(x, 6)
}

#[test]
fn r_fractions_of_queued_and_rejected_tasks() {
    // One thread, three 1 s tasks: waits 0, 1 and 2 s, so two of three queued.
    let m = measure(&batch(3, r#"[{"io": "1s"}]"#, r#"["blocking", "cooperative"]"#), "blocking").result;
    assert_eq!(m.queued_fraction, round6(2.0 / 3.0));
    // Coroutines start at once: none queued.
    let m = measure(&batch(3, r#"[{"io": "1s"}]"#, r#"["blocking", "cooperative"]"#), "cooperative").result;
    assert_eq!(m.queued_fraction, 0.0);
    // The rejecting pool `lines` (2 permits): four tasks at once, two rejected.
    let lines = r#"[{"limit": {"pool": "lines", "program": [{"io": "1s"}]}}]"#;
    let m = measure(&batch(4, lines, r#"["cooperative"]"#), "cooperative").result;
    assert_eq!((m.rejected_fraction, m.queued_fraction), (0.5, 0.0));
}

#[test]
fn r_warmup_leaves_early_arrivals_out_of_the_statistics() {
    // One thread, a 250 ms task every 100 ms: latencies 250, 400, 550 and
    // 700 ms, waits 0, 150, 300 and 450 ms. A 150 ms warmup leaves out the
    // tasks of 0 and 100 ms from latency, wait and fractions, not from the
    // counts, the makespan or the throughput.
    let program = r#"[{"io": "250ms"}]"#;
    let arrivals = r#"{"interval": {"every": "100ms", "count": 4}}"#;
    let json = scenario_json(&class("task", arrivals, program), r#"["blocking"]"#, r#""warmup": "150ms""#);
    let m = measure(&json, "blocking").result;
    assert_eq!((m.latency_s.mean, m.latency_s.max), (0.625, 0.7));
    assert_eq!((m.wait_s.mean, m.wait_s.max), (0.375, 0.45));
    assert_eq!(m.classes[0].latency_s.mean, 0.625);
    assert_eq!((m.tasks.arrived, m.tasks.completed), (4, 4));
    assert_eq!((m.makespan_s, m.throughput_per_s, m.queued_fraction), (1.0, 4.0, 1.0));
    assert_eq!(m.warmup_s, 0.15);
    // Without the warmup every task is measured.
    let all = measure(&scenario_json(&class("task", arrivals, program), r#"["blocking"]"#, ""), "blocking").result;
    assert_eq!((all.latency_s.mean, all.warmup_s), (0.475, 0.0));
}

#[test]
fn r_warmup_auto_cuts_the_transient_by_mser5() {
    // A burst of 50 tasks in the first 50 ms on top of a steady task every
    // 10 ms, each 5 ms of cpu on one thread: the backlog clears at about
    // 500 ms (250 ms of burst work + half of every 10 ms), after which every
    // latency is 5 ms. MSER-5 puts the end of the transient there.
    let classes = [
        class("burst", r#"{"interval": {"every": "1ms", "count": 50}}"#, r#"[{"cpu": "5ms"}]"#),
        class("steady", r#"{"interval": {"every": "10ms", "count": 300}}"#, r#"[{"cpu": "5ms"}]"#),
    ]
    .join(", ");
    let json = scenario_json(&classes, r#"["blocking"]"#, r#""warmup": "auto""#);
    let m = measure(&json, "blocking").result;
    assert!((0.4..=0.55).contains(&m.warmup_s), "warmup {} s", m.warmup_s);
    assert_eq!((m.latency_s.mean, m.latency_s.max), (0.005, 0.005));
    assert_eq!(m.tasks.arrived, 350);
    // The pilot and the measured run are the same run.
    let plain = measure(&json.replace(r#""warmup": "auto""#, r#""seed": 1"#), "blocking").result;
    assert_eq!((plain.makespan_s, plain.events), (m.makespan_s, m.events));
    assert!(plain.latency_s.mean > 0.02);
}
