//! Property tests over the arguments of `sweep` and `plan` (proptest), as
//! the CLI hands them to the library: whatever the text, `--set`,
//! `--vary`, `--range`, VALUES and `--shard` are parsed or refused, never
//! a panic; ranges and lists give the values they promise; a study has one
//! point per combination of its grid, each a valid scenario with its values.

use proptest::prelude::*;
use simbench::model::Arrivals;
use simbench::sweep::{self, FieldPath, ShardSpec, Study, parse_values, plan};

const DOWNLOADS: &str = include_str!("../../scenarios/downloads.json");

/// Text made of the arguments' own characters, and any others.
fn argument_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9_.\\[\\]\"=,:x/ -]{0,40}",
        "\\PC{0,40}",
        (
            prop::sample::select(vec!["machine.cores", "strategies[0]", "classes.download", "seed"]),
            "[=.,:x0-9\\[\\]-]{0,20}"
        )
            .prop_map(|(path, rest)| format!("{path}{rest}")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_argument_is_parsed_or_refused(text in argument_text()) {
        let _ = sweep::parse_set(&text).map_err(|e| e.to_string());
        let _ = FieldPath::parse(&text).map_err(|e| e.to_string());
        let _ = parse_values(&text).map_err(|e| e.to_string());
        let _ = plan::parse_range(&text);
        let _ = ShardSpec::parse(&text).map_err(|e| e.to_string());
        if let Ok(path) = FieldPath::parse(&text) {
            let doc: serde_json::Value = serde_json::from_str(DOWNLOADS).unwrap();
            let _ = path.lookup(&doc).map_err(|e| e.to_string());
            let _ = path.set(&mut doc.clone(), serde_json::Value::from(1));
        }
    }

    #[test]
    fn arithmetic_ranges_keep_their_bounds_and_step(lo in 0i64..1000, span in 0i64..1000, step in 1i64..100) {
        let hi = lo + span;
        let values = parse_values(&format!("{lo}..{hi}:{step}")).unwrap();
        let values: Vec<i64> = values.iter().map(|v| v.as_i64().expect("integers")).collect();
        prop_assert_eq!(values.len() as i64, span / step + 1);
        prop_assert_eq!(values[0], lo);
        prop_assert!(values.windows(2).all(|w| w[1] - w[0] == step));
        prop_assert!(*values.last().unwrap() <= hi);
    }

    #[test]
    fn geometric_ranges_grow_by_their_factor_within_bounds(lo in 1i64..100, factor in 2i64..5, hi in 1i64..100_000) {
        match parse_values(&format!("{lo}..{hi}:x{factor}")) {
            Ok(values) => {
                let values: Vec<i64> = values.iter().map(|v| v.as_i64().expect("integers")).collect();
                prop_assert!(lo <= hi);
                prop_assert_eq!(values[0], lo);
                prop_assert!(values.windows(2).all(|w| w[1] == w[0] * factor));
                prop_assert!(*values.last().unwrap() <= hi && values.last().unwrap() * factor > hi);
            }
            Err(_) => prop_assert!(hi < lo),
        }
    }

    #[test]
    fn lists_keep_their_items_in_order(items in prop::collection::vec(0u32..1000, 1..10)) {
        let text = items.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
        let values = parse_values(&text).unwrap();
        let values: Vec<u32> = values.iter().map(|v| v.as_u64().unwrap() as u32).collect();
        prop_assert_eq!(values, items);
    }

    #[test]
    fn a_study_has_a_point_per_combination_of_its_grid(
        cores in prop::collection::vec(1u32..8, 1..4),
        counts in prop::collection::vec(1u64..5, 1..4),
    ) {
        let list = |v: &[String]| v.join(",");
        let sets = [
            format!("machine.cores={}", list(&cores.iter().map(u32::to_string).collect::<Vec<_>>())),
            format!("classes.download.arrivals.batch.count={}", list(&counts.iter().map(u64::to_string).collect::<Vec<_>>())),
        ];
        let sets = sets.iter().map(|s| sweep::parse_set(s)).collect::<Result<Vec<_>, _>>().unwrap();
        let study = Study::new(DOWNLOADS, "downloads.json", sets).unwrap();
        let expected = [cores.len(), counts.len()].iter().filter(|&&n| n > 1).product::<usize>();
        prop_assert_eq!(study.len(), expected);
        // Row-major: the last swept field varies fastest.
        for i in 0..study.len() {
            let scenario = study.scenario_at(i).unwrap();
            let (c, n) = match (cores.len() > 1, counts.len() > 1) {
                (true, true) => (i / counts.len(), i % counts.len()),
                (true, false) => (i, 0),
                (false, true) => (0, i),
                (false, false) => (0, 0),
            };
            prop_assert_eq!(scenario.machine.cores, cores[c]);
            let count = match scenario.classes[0].arrivals {
                Arrivals::Batch { count } => count,
                _ => unreachable!("downloads.json is a batch"),
            };
            prop_assert_eq!(count, counts[n]);
        }
    }
}
