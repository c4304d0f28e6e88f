//! R-LINK-*: io steps with a payload over a shared link (processor sharing).

use crate::model::harness::{batch_class, class, measure, run, run_all, scenario_json};
use simbench::engine::Outcome;

/// 8 Mbit/s: one 1 MB payload alone takes exactly 1 s.
const LINK: &str = r#""links": {"net": {"bandwidth": "8Mbit/s"}}"#;

fn on_link(classes: &str, strategies: &str) -> String {
    scenario_json(classes, strategies, LINK)
}

#[test]
fn r_link_share_one_transfer_alone_gets_the_whole_bandwidth() {
    let json = on_link(&batch_class("task", 1, r#"[{"io": "0ms", "bytes": "1MB"}]"#), r#"["cooperative"]"#);
    assert_eq!(run(&json, "cooperative").ends_ms(), [1000]);
}

#[test]
fn r_link_share_transfers_together_share_equally() {
    let json = on_link(&batch_class("task", 2, r#"[{"io": "0ms", "bytes": "1MB"}]"#), r#"["cooperative"]"#);
    assert_eq!(run(&json, "cooperative").ends_ms(), [2000, 2000]);
}

#[test]
fn r_link_share_a_late_transfer_slows_the_first() {
    // The second starts at 0.5 s: the first has 0.5 MB left, at half the
    // bandwidth until it ends at 1.5 s; the second then has 0.5 MB left alone.
    let classes = [
        batch_class("first", 1, r#"[{"io": "0ms", "bytes": "1MB"}]"#),
        batch_class("second", 1, r#"[{"sleep": "500ms"}, {"io": "0ms", "bytes": "1MB"}]"#),
    ]
    .join(",");
    let run = run(&on_link(&classes, r#"["cooperative"]"#), "cooperative");
    assert_eq!(run.ends_ms_of(0), [1500]);
    assert_eq!(run.ends_ms_of(1), [2000]);
}

#[test]
fn r_link_latency_first_then_the_payload() {
    let program = r#"[{"io": "50ms", "bytes": "1MB", "link": "net"}]"#;
    let json = on_link(&batch_class("task", 1, program), r#"["blocking"]"#);
    assert_eq!(run(&json, "blocking").ends_ms(), [1050]);
}

#[test]
fn r_link_strategies_threads_hold_their_worker_coroutines_await() {
    let program = r#"[{"io": "50ms", "bytes": "1MB"}]"#;
    let json = on_link(
        &batch_class("task", 2, program),
        r#"["blocking", {"threaded": {"workers": 2, "label": "two"}}, "cooperative"]"#,
    );
    let ends: Vec<(String, Vec<u64>)> = run_all(&json).into_iter().map(|(s, r)| (s, r.ends_ms())).collect();
    assert_eq!(
        ends,
        [
            ("blocking".to_string(), vec![1050, 2100]),
            ("two".to_string(), vec![2050, 2050]),
            ("cooperative".to_string(), vec![2050, 2050]),
        ]
    );
}

#[test]
fn r_link_strategies_transfers_use_no_cpu() {
    let json = on_link(&batch_class("task", 4, r#"[{"io": "0ms", "bytes": "1MB"}]"#), r#"["cooperative"]"#);
    let m = measure(&json, "cooperative");
    assert_eq!(m.result.cpu_utilization, 0.0);
    assert_eq!(m.result.makespan_s, 4.0);
}

#[test]
fn r_link_rounding_ends_at_the_next_whole_nanosecond() {
    // 1 byte = 8 bits on 3 bit/s: 2.666…s, so it ends at 2 666 666 667 ns.
    let json = scenario_json(
        &batch_class("task", 1, r#"[{"io": "0ms", "bytes": "1B"}]"#),
        r#"["cooperative"]"#,
        r#""links": {"slow": {"bandwidth": "3bit/s"}}"#,
    );
    let run = run(&json, "cooperative");
    assert_eq!(run.records[0].ended.as_nanos(), 2_666_666_667);
}

#[test]
fn r_link_cancel_a_cancelled_transfer_frees_its_share() {
    // Both start at 0; at 0.5 s each has 0.25 MB and the first is cancelled
    // by its timeout; the second has 0.75 MB left alone: it ends at 1.25 s.
    let classes = [
        batch_class("impatient", 1, r#"[{"timeout": {"after": "500ms", "program": [{"io": "0ms", "bytes": "1MB"}]}}]"#),
        batch_class("patient", 1, r#"[{"io": "0ms", "bytes": "1MB"}]"#),
    ]
    .join(",");
    let run = run(&on_link(&classes, r#"["cooperative"]"#), "cooperative");
    assert_eq!(run.outcomes_of(0), [Outcome::TimedOut]);
    assert_eq!(run.ends_ms_of(1), [1250]);
}

#[test]
fn r_link_figures_bytes_busy_throughput_and_peak() {
    // Two 1 MB transfers together (2 s), then 2 s of sleep: busy half the
    // 4 s makespan; 16 Mbit over 4 s is 4 Mbit/s.
    let program = r#"[{"io": "0ms", "bytes": "1MB"}, {"sleep": "2s"}]"#;
    let m = measure(&on_link(&batch_class("task", 2, program), r#"["cooperative"]"#), "cooperative");
    let link = &m.result.links[0];
    assert_eq!((link.link.as_str(), link.bytes, link.peak_transfers), ("net", 2_000_000, 2));
    assert_eq!(link.busy_fraction, 0.5);
    assert_eq!(link.mean_throughput_bits_per_s, 4e6);
}

#[test]
fn r_bottleneck_is_the_busiest_resource() {
    // 2 s of CPU then 1 MB (1 s): CPU 2 of 3 s, the link 1 of 3 s. With
    // 1 s of CPU and 2 MB, the link is the busier one.
    let two = r#"[{"cpu": "2s"}, {"io": "0ms", "bytes": "1MB"}]"#;
    let m = measure(&on_link(&batch_class("task", 1, two), r#"["blocking"]"#), "blocking");
    let b = m.result.bottleneck.unwrap();
    assert_eq!(b.resource, "cpu");
    assert!((b.utilization - 2.0 / 3.0).abs() < 1e-6);
    let link_bound = r#"[{"cpu": "1s"}, {"io": "0ms", "bytes": "2MB"}]"#;
    let m = measure(&on_link(&batch_class("task", 1, link_bound), r#"["blocking"]"#), "blocking");
    let b = m.result.bottleneck.unwrap();
    assert_eq!(b.resource, "link net");
    assert!((b.utilization - 2.0 / 3.0).abs() < 1e-6);
}

#[test]
fn r_link_scenarios_without_links_report_none() {
    let json =
        scenario_json(&class("task", r#"{"batch": {"count": 1}}"#, r#"[{"io": "1s"}]"#), r#"["cooperative"]"#, "");
    let m = measure(&json, "cooperative");
    assert!(m.result.links.is_empty() && m.result.bottleneck.is_none());
}

#[test]
fn r_link_latency_first_a_failing_io_fails_before_its_payload() {
    let program = r#"[{"io": "50ms", "bytes": "1MB", "fail": 1.0}]"#;
    let m = measure(&on_link(&batch_class("task", 1, program), r#"["cooperative"]"#), "cooperative");
    assert_eq!(m.result.tasks.failed, 1);
    assert_eq!(m.result.makespan_s, 0.05);
    assert_eq!(m.result.links[0].bytes, 0);
}
