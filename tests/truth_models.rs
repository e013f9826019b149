//! The crowd-kit truth models reproduced: one-coin Dawid-Skene, GLAD and MACE against
//! crowd-kit 1.4.2 (numpy 2.4.6, pandas 3.1.2, scipy 1.17.1) on four rating sets, every
//! posterior to 1e-9. `tests/fixtures/truth_models_vectors.json` holds the script that
//! computed them.

use nucagree::agreement::glad::{glad, GladOptions};
use nucagree::agreement::mace::{mace, MaceOptions};
use nucagree::agreement::one_coin::{one_coin, OneCoinOptions};
use nucagree::agreement::truth::Votes;
use nucagree::agreement::truth_method::TruthFit;
use serde_json::Value;

const TOLERANCE: f64 = 1e-9;

fn cases() -> Vec<(String, Votes, Value)> {
    let all: Value =
        serde_json::from_str(include_str!("fixtures/truth_models_vectors.json")).unwrap();
    assert!(all["source"]
        .as_str()
        .unwrap()
        .starts_with("crowd-kit 1.4.2"));
    all["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| {
            let items = case["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|item| {
                    item.as_array()
                        .unwrap()
                        .iter()
                        .map(|pair| {
                            (
                                pair[0].as_u64().unwrap() as u16,
                                pair[1].as_u64().unwrap() as u16,
                            )
                        })
                        .collect()
                })
                .collect();
            let votes = Votes {
                categories: case["categories"].as_u64().unwrap() as usize,
                raters: case["raters"].as_u64().unwrap() as usize,
                items,
            };
            (
                case["name"].as_str().unwrap().to_string(),
                votes,
                case.clone(),
            )
        })
        .collect()
}

fn assert_posteriors(name: &str, method: &str, fitted: &TruthFit, expected: &Value) {
    let expected = expected["posteriors"].as_array().unwrap();
    assert_eq!(fitted.posteriors.len(), expected.len(), "{name} {method}");
    let mut worst: f64 = 0.0;
    for (i, (got, want)) in fitted.posteriors.iter().zip(expected).enumerate() {
        for (c, (g, w)) in got.iter().zip(want.as_array().unwrap()).enumerate() {
            let w = w.as_f64().unwrap();
            worst = worst.max((g - w).abs());
            assert!(
                (g - w).abs() <= TOLERANCE,
                "{name} {method}: item {i} category {c}: {g} != {w}"
            );
        }
    }
    eprintln!("{name} {method}: largest difference {worst:e}");
}

#[test]
fn one_coin_dawid_skene_equals_crowd_kit() {
    for (name, votes, case) in cases() {
        let fitted = one_coin(&votes, &OneCoinOptions::default());
        assert_posteriors(&name, "one-coin", &fitted, &case["one_coin"]);
        assert_eq!(
            fitted.iterations as u64,
            case["one_coin"]["iterations"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(fitted.converged, Some(true));
    }
}

#[test]
fn mace_equals_crowd_kit() {
    for (name, votes, case) in cases() {
        let fitted = mace(&votes, &MaceOptions::default());
        assert_posteriors(&name, "mace", &fitted, &case["mace"]);
        assert_eq!(fitted.converged, None);
    }
}

#[test]
fn glad_equals_crowd_kit() {
    for (name, votes, case) in cases() {
        let fitted = glad(&votes, &GladOptions::default());
        assert_posteriors(&name, "glad", &fitted, &case["glad"]);
        assert_eq!(
            fitted.iterations as u64,
            case["glad"]["iterations"].as_u64().unwrap(),
            "{name}"
        );
    }
}
