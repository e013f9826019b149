//! Invariants of the agreement and detection statistics.

use nucagree::geometry::{IouOptions, PreparedShape};
use nucagree::model::{BoundingBox, Shape};
use nucagree::stats::average_precision::{average_precision, ApImage, ApOptions};
use nucagree::stats::cohen::{cohen_kappa, cohen_kappa_of_labels, KappaWeights};
use nucagree::stats::detection::DetectionCounts;
use nucagree::stats::fleiss::{counts_of_ratings, fleiss_kappa_generalized};
use nucagree::stats::gwet::gwet_ac1;
use nucagree::stats::krippendorff::{krippendorff_alpha, Level};
use proptest::prelude::*;

fn labels(n: usize) -> impl Strategy<Value = (Vec<u8>, Vec<u8>)> {
    (
        prop::collection::vec(0u8..4, n),
        prop::collection::vec(0u8..4, n),
    )
}

fn ratings() -> impl Strategy<Value = Vec<Vec<Option<u8>>>> {
    (2usize..6, 3usize..25).prop_flat_map(|(raters, units)| {
        prop::collection::vec(
            prop::collection::vec(prop::option::weighted(0.85, 0u8..4), units),
            raters,
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn cohen_kappa_is_at_most_one_symmetric_and_label_free((a, b) in labels(30), shift in 1u8..4) {
        let weights = KappaWeights::Unweighted;
        if let Some(ab) = cohen_kappa_of_labels(&a, &b, &weights) {
            prop_assert!(ab.kappa <= 1.0 + 1e-12);
            let ba = cohen_kappa_of_labels(&b, &a, &weights).unwrap();
            prop_assert!((ab.kappa - ba.kappa).abs() < 1e-12);
            prop_assert!((ab.se - ba.se).abs() < 1e-12);
            // Relabelling (a permutation of categories) and reordering units change nothing.
            let relabel = |v: &[u8]| v.iter().map(|x| (x + shift) % 4).collect::<Vec<_>>();
            let relabelled = cohen_kappa_of_labels(&relabel(&a), &relabel(&b), &weights).unwrap();
            prop_assert!((ab.kappa - relabelled.kappa).abs() < 1e-12);
            let (mut ra, mut rb) = (a.clone(), b.clone());
            ra.reverse();
            rb.reverse();
            let reordered = cohen_kappa_of_labels(&ra, &rb, &weights).unwrap();
            prop_assert!((ab.kappa - reordered.kappa).abs() < 1e-12);
        }
    }

    #[test]
    fn weighted_kappa_is_symmetric((a, b) in labels(25)) {
        for weights in [KappaWeights::Linear, KappaWeights::Quadratic] {
            if let (Some(ab), Some(ba)) = (cohen_kappa_of_labels(&a, &b, &weights), cohen_kappa_of_labels(&b, &a, &weights)) {
                prop_assert!(ab.kappa <= 1.0 + 1e-12);
                prop_assert!((ab.kappa - ba.kappa).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn fleiss_and_krippendorff_ignore_the_order_of_units_and_raters(data in ratings()) {
        let as_f64 = |d: &Vec<Vec<Option<u8>>>| d.iter().map(|r| r.iter().map(|x| x.map(f64::from)).collect::<Vec<_>>()).collect::<Vec<_>>();
        let mut reordered = data.clone();
        reordered.reverse();
        for rater in reordered.iter_mut() {
            rater.reverse();
        }
        let alpha = krippendorff_alpha(&as_f64(&data), Level::Nominal);
        let alpha_reordered = krippendorff_alpha(&as_f64(&reordered), Level::Nominal);
        prop_assert_eq!(alpha.is_some(), alpha_reordered.is_some());
        if let (Some(x), Some(y)) = (alpha, alpha_reordered) {
            prop_assert!((x - y).abs() < 1e-12);
            prop_assert!(x <= 1.0 + 1e-12);
        }
        let fleiss = fleiss_kappa_generalized(&counts_of_ratings(&data));
        let fleiss_reordered = fleiss_kappa_generalized(&counts_of_ratings(&reordered));
        prop_assert_eq!(fleiss.is_some(), fleiss_reordered.is_some());
        if let (Some(x), Some(y)) = (fleiss, fleiss_reordered) {
            prop_assert!((x - y).abs() < 1e-12);
        }
        let ac1 = gwet_ac1(&counts_of_ratings(&data));
        let ac1_reordered = gwet_ac1(&counts_of_ratings(&reordered));
        if let (Some(x), Some(y)) = (ac1, ac1_reordered) {
            prop_assert!((x - y).abs() < 1e-12);
        }
    }

    #[test]
    fn alpha_is_one_under_perfect_agreement(values in prop::collection::vec(0u8..5, 3..20), raters in 2usize..5) {
        let data: Vec<Vec<Option<f64>>> = (0..raters).map(|_| values.iter().map(|v| Some(f64::from(*v))).collect()).collect();
        let distinct = { let mut v = values.clone(); v.sort(); v.dedup(); v.len() };
        for level in [Level::Nominal, Level::Ordinal, Level::Interval] {
            let alpha = krippendorff_alpha(&data, level);
            if distinct >= 2 {
                prop_assert!((alpha.unwrap() - 1.0).abs() < 1e-12);
            } else {
                prop_assert_eq!(alpha, None, "a single value leaves alpha undefined");
            }
        }
    }

    #[test]
    fn detection_scores_and_ap_are_in_the_unit_interval(
        tp in 0u64..50, fp in 0u64..50, fn_ in 0u64..50,
        truth in prop::collection::vec((0.0..100.0f64, 0.0..100.0f64), 0..12),
        detections in prop::collection::vec((0.0..100.0f64, 0.0..100.0f64, 0.0..1.0f64), 0..15),
    ) {
        let counts = DetectionCounts { tp, fp, fn_ };
        for value in [counts.precision(), counts.recall(), counts.f1()].into_iter().flatten() {
            prop_assert!((0.0..=1.0).contains(&value));
        }
        let square = |x: f64, y: f64| PreparedShape::new(&Shape::Box(BoundingBox { xmin: x, ymin: y, xmax: x + 12.0, ymax: y + 12.0 }));
        let image = ApImage {
            truth: truth.iter().map(|(x, y)| square(*x, *y)).collect(),
            detections: detections.iter().map(|(x, y, s)| (square(*x, *y), *s)).collect(),
            ignored_truth: Vec::new(),
        };
        let ap = average_precision(&[image], &ApOptions::default(), &IouOptions::default());
        for value in [ap.ap50, ap.ap75, ap.ap50_95, ap.recall].into_iter().flatten() {
            prop_assert!((0.0..=1.0).contains(&value), "{value}");
        }
        prop_assert_eq!(ap.ap50.is_none(), truth.is_empty());
    }
}

#[test]
fn undefined_statistics_are_none_not_nan() {
    // Every unit in one category: chance agreement 1.
    assert!(cohen_kappa(&[vec![5.0, 0.0], vec![0.0, 0.0]], &KappaWeights::Unweighted).is_none());
    assert!(cohen_kappa(&[], &KappaWeights::Unweighted).is_none());
    assert_eq!(DetectionCounts::default().precision(), None);
    assert_eq!(
        DetectionCounts {
            tp: 0,
            fp: 0,
            fn_: 3
        }
        .precision(),
        None
    );
    assert_eq!(
        DetectionCounts {
            tp: 0,
            fp: 0,
            fn_: 3
        }
        .f1(),
        Some(0.0)
    );
    assert_eq!(
        krippendorff_alpha(
            &[vec![Some(1.0), Some(1.0)], vec![Some(1.0), Some(1.0)]],
            Level::Nominal
        ),
        None
    );
    assert_eq!(gwet_ac1(&[vec![2.0, 0.0], vec![2.0, 0.0]]), None);
}
