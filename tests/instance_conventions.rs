//! The instance metrics of HoVer-Net, CoNIC, PanNuke and StarDist, reproduced from the
//! vectors their own code computed (`tests/fixtures/instance/`, see its SOURCE.md) on label
//! maps read in each layout: per image and pooled, to 1e-9 (StarDist's, which it computes
//! partly in float32, to 1e-6).

use nucagree::conventions::images::images_of_sets;
use nucagree::conventions::{evaluate_conventions, Conventions, ConventionsOptions};
use nucagree::ingest::{read_set, ReadOptions};
use nucagree::model::{AnnotationSet, ClassLevel, ClassScheme};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const TOLERANCE: f64 = 1e-9;
const STARDIST_TOLERANCE: f64 = 1e-6;

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/instance")
        .join(path)
}

fn vectors() -> Value {
    serde_json::from_str(include_str!("fixtures/instance/instance_vectors.json")).unwrap()
}

fn read(path: &str, scheme: Option<ClassScheme>) -> AnnotationSet {
    let mut options = ReadOptions::default();
    if let Some(scheme) = scheme {
        options.hierarchy = Arc::new(scheme.hierarchy());
        options.hierarchy_chosen = true;
    }
    read_set(&fixture(path), &options).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The conventions of a layout's truth and prediction, and the image names in the
/// reference's order.
fn conventions(truth: &str, pred: &str, scheme: Option<ClassScheme>) -> (Conventions, Vec<String>) {
    let (truth, pred) = (read(truth, scheme), read(pred, scheme));
    assert_eq!(truth.hierarchy, pred.hierarchy);
    let (images, measured) = images_of_sets(&truth, &pred, ClassLevel::Raw);
    assert_eq!(
        (measured.pixels, measured.outlines),
        (8, 0),
        "every image in pixels"
    );
    let names = truth.hierarchy.names(ClassLevel::Raw).to_vec();
    let figures = evaluate_conventions(&images, &names, &ConventionsOptions::default());
    (figures, images.iter().map(|i| i.name.clone()).collect())
}

fn close(actual: Option<f64>, expected: &Value, tolerance: f64, what: &str) {
    match expected.as_f64() {
        Some(e) => {
            let a = actual.unwrap_or_else(|| panic!("{what}: None, expected {e}"));
            assert!((a - e).abs() <= tolerance, "{what}: {a} != {e}");
        }
        None => assert!(
            expected.is_null() && actual.is_none(),
            "{what}: {actual:?}, expected {expected}"
        ),
    }
}

/// The layouts whose classes are CoNIC's six: (truth, prediction, scheme).
const SIX_CLASS_LAYOUTS: [(&str, &str, Option<ClassScheme>); 3] = [
    ("png/true", "png/pred", None),
    ("conic_true.npy", "conic_pred.npy", None),
    ("mat/true", "mat/pred", Some(ClassScheme::Conic)),
];

#[test]
fn hovernet_per_image_figures_match_its_code_in_every_layout() {
    let vectors = vectors();
    for (truth, pred, scheme) in SIX_CLASS_LAYOUTS {
        let (figures, names) = conventions(truth, pred, scheme);
        assert_eq!(names.len(), 8);
        for (index, image) in vectors["images"].as_array().unwrap().iter().enumerate() {
            let ours = figures.hovernet.per_image.0[index].1;
            for (key, value) in ours.named() {
                let expected = &image["hovernet"][key];
                let what = format!("{truth} image {index} {key}");
                if expected.get("peer_error").is_some() {
                    // HoVer-Net's code fails here; the defined value is given.
                    let defined = match key {
                        "aji" => Some(0.0),
                        "dice_2" => None,
                        other => panic!("unexpected peer failure of {other}"),
                    };
                    assert_eq!(value, defined, "{what}");
                } else {
                    close(value, expected, TOLERANCE, &what);
                }
            }
        }
        // Means over images: defined values counted (AJI 0), undefined skipped (Dice2).
        let mean = &figures.hovernet.mean_over_images;
        let images = vectors["images"].as_array().unwrap();
        for (key, value) in mean.named() {
            let values: Vec<f64> = images
                .iter()
                .filter_map(|i| match &i["hovernet"][key] {
                    Value::Object(_) if key == "aji" => Some(0.0),
                    v => v.as_f64(),
                })
                .collect();
            let expected = values.iter().sum::<f64>() / values.len() as f64;
            close(
                value,
                &Value::from(expected),
                TOLERANCE,
                &format!("{truth} mean {key}"),
            );
        }
        // HoVer-Net's own means are over the images where its code gives each figure: ours
        // over the same images agree.
        let defined = &vectors["dataset"]["hovernet_inst_stat_mean_over_images_where_defined"];
        for (key, expected) in defined.as_object().unwrap() {
            let values: Vec<f64> = figures
                .hovernet
                .per_image
                .0
                .iter()
                .zip(images)
                .filter(|(_, image)| image["hovernet"][key].is_number())
                .map(|((_, f), _)| f.named().iter().find(|(k, _)| k == key).unwrap().1.unwrap())
                .collect();
            let mean = values.iter().sum::<f64>() / values.len() as f64;
            close(
                Some(mean),
                expected,
                TOLERANCE,
                &format!("{truth} mean where defined {key}"),
            );
        }
    }
}

#[test]
fn hovernet_type_statistics_match_its_code() {
    let vectors = vectors();
    let expected = &vectors["dataset"]["hovernet_type_stat"];
    for (truth, pred, scheme) in SIX_CLASS_LAYOUTS {
        let (figures, _) = conventions(truth, pred, scheme);
        close(figures.hovernet.f1_d, &expected["f1_d"], TOLERANCE, "f1_d");
        close(
            figures.hovernet.acc_type,
            &expected["acc_type"],
            TOLERANCE,
            "acc_type",
        );
        let types = expected["f1_type"].as_object().unwrap();
        assert_eq!(
            figures.hovernet.f1_type.0.len(),
            types.len(),
            "{truth}: types"
        );
        for (name, value) in types {
            close(
                *figures.hovernet.f1_type.get(name).unwrap(),
                value,
                TOLERANCE,
                &format!("{truth} f1_type {name}"),
            );
        }
        // img05's empty prediction gets HoVer-Net's placeholder.
        assert_eq!(figures.hovernet.placeholder_images, 1);
    }
}

#[test]
fn conic_figures_match_its_code() {
    let vectors = vectors();
    let expected = &vectors["dataset"]["conic"];
    for (truth, pred, scheme) in SIX_CLASS_LAYOUTS {
        let (figures, _) = conventions(truth, pred, scheme);
        let conic = &figures.conic;
        close(
            conic.pq_mean_over_images,
            &expected["pq_mean_over_images"],
            TOLERANCE,
            "pq",
        );
        close(conic.mpq_plus, &expected["mpq_plus"], TOLERANCE, "mpq+");
        close(conic.multi_r2, &expected["multi_r2"], TOLERANCE, "r2");
        for row in expected["per_class"].as_array().unwrap() {
            let name = row["class"].as_str().unwrap();
            let ours = conic.per_class.get(name).unwrap();
            let what = format!("{truth} {name}");
            close(Some(ours.tp as f64), &row["tp"], 0.0, &what);
            close(Some(ours.fp as f64), &row["fp"], 0.0, &what);
            close(Some(ours.fn_ as f64), &row["fn"], 0.0, &what);
            close(Some(ours.iou_sum), &row["iou_sum"], TOLERANCE, &what);
            close(Some(ours.pq_plus), &row["pq_plus"], TOLERANCE, &what);
        }
    }
}

#[test]
fn conic_per_image_pq_and_counts_match() {
    let vectors = vectors();
    let truth = read("conic_true.npy", None);
    let pred = read("conic_pred.npy", None);
    let (images, _) = images_of_sets(&truth, &pred, ClassLevel::Raw);
    let names = truth.hierarchy.names(ClassLevel::Raw);
    for (image, expected) in images.iter().zip(vectors["images"].as_array().unwrap()) {
        let counts = nucagree::conventions::pairing::unique_pairs(image, None);
        let pq = nucagree::conventions::conic::conic_pq(counts).2;
        close(Some(pq), &expected["conic_pq"], TOLERANCE, "conic pq");
        for (class, name) in names.iter().enumerate() {
            let (t, p) = image.counts(Some(class));
            close(Some(t as f64), &expected["counts_true"][name], 0.0, name);
            close(Some(p as f64), &expected["counts_pred"][name], 0.0, name);
        }
    }
}

fn stardist_close(
    ours: &nucagree::conventions::stardist::MatchingRow,
    expected: &Value,
    what: &str,
) {
    let ours = serde_json::to_value(ours).unwrap();
    for key in [
        "tp",
        "fp",
        "fn",
        "precision",
        "recall",
        "accuracy",
        "f1",
        "n_true",
        "n_pred",
        "mean_true_score",
        "mean_matched_score",
        "panoptic_quality",
    ] {
        close(
            ours[key].as_f64(),
            &expected[key],
            STARDIST_TOLERANCE,
            &format!("{what} {key}"),
        );
    }
}

#[test]
fn stardist_matching_tables_match_its_code() {
    let vectors = vectors();
    for (truth, pred, scheme) in SIX_CLASS_LAYOUTS {
        let (figures, _) = conventions(truth, pred, scheme);
        for (pooled, key) in [(true, "stardist_pooled"), (false, "stardist_by_image")] {
            let expected = vectors["dataset"][key].as_object().unwrap();
            let ours = if pooled {
                &figures.stardist.pooled
            } else {
                &figures.stardist.by_image
            };
            for (threshold, row) in expected {
                let what = format!("{truth} {key} {threshold}");
                stardist_close(
                    ours.get(threshold).unwrap_or_else(|| panic!("{what}")),
                    row,
                    &what,
                );
            }
        }
        for (index, image) in vectors["images"].as_array().unwrap().iter().enumerate() {
            let _ = index;
            for (threshold, row) in image["stardist"].as_object().unwrap() {
                let t: f64 = threshold.parse().unwrap();
                let truth_set = read(truth, scheme);
                let pred_set = read(pred, scheme);
                let (images, _) = images_of_sets(&truth_set, &pred_set, ClassLevel::Raw);
                let (ours, _) = nucagree::conventions::stardist::match_image(&images[index], t);
                stardist_close(&ours, row, &format!("{truth} image {index} at {threshold}"));
            }
        }
    }
}

#[test]
fn pannuke_figures_match_its_code_on_its_layout() {
    let vectors = vectors();
    let expected = &vectors["dataset"]["pannuke"];
    let (figures, _) = conventions("pannuke/true/masks.npy", "pannuke/pred/masks.npy", None);
    let pannuke = &figures.pannuke;
    close(pannuke.mpq, &expected["mPQ"], TOLERANCE, "mPQ");
    close(pannuke.bpq, &expected["bPQ"], TOLERANCE, "bPQ");
    for (name, value) in expected["per_class_pq"].as_object().unwrap() {
        close(
            *pannuke.per_class_pq.get(name).unwrap(),
            value,
            TOLERANCE,
            name,
        );
    }
    for (tissue, value) in expected["per_tissue"].as_object().unwrap() {
        let ours = pannuke.per_tissue.get(tissue).unwrap();
        close(ours.mpq, &value["mPQ"], TOLERANCE, tissue);
        close(ours.bpq, &value["bPQ"], TOLERANCE, tissue);
    }
    // Class-agnostic figures are the same from the PanNuke layout as from the others.
    let (six, _) = conventions("png/true", "png/pred", None);
    assert_eq!(figures.hovernet.per_image.0.len(), 8);
    for ((_, a), (_, b)) in figures
        .hovernet
        .per_image
        .0
        .iter()
        .zip(&six.hovernet.per_image.0)
    {
        assert_eq!(a, b);
    }
    for (ours, other) in [
        (&figures.stardist.pooled, &six.stardist.pooled),
        (&figures.stardist.by_image, &six.stardist.by_image),
    ] {
        for ((threshold, a), (_, b)) in ours.0.iter().zip(&other.0) {
            // Equal but for the order in which matched IoUs are added.
            stardist_close(a, &serde_json::to_value(b).unwrap(), threshold);
        }
    }
    assert_eq!(figures.hovernet.f1_d, six.hovernet.f1_d);
}
