//! Tests on the real corrected NuCLS set (`$NUCAGREE_SHARED/data/nucls-corrected`).

mod common;

use nucagree::ingest::{metadata::Table, read_set, ReadOptions};
use nucagree::inspect::InspectSummary;
use nucagree::model::{ClassLevel, ShapeKind};
use nucagree::quality::FindingKind;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The raw-class counts of the folder's README (rows written with `correction_` apart).
const README_RAW_COUNTS: [(&str, usize); 13] = [
    ("tumor", 21_035),
    ("lymphocyte", 13_520),
    ("fibroblast", 8_601),
    ("unlabeled", 7_499),
    ("plasma_cell", 5_547),
    ("macrophage", 1_349),
    ("vascular_endothelium", 512),
    ("ductal_epithelium", 498),
    ("apoptotic_body", 381),
    ("mitotic_figure", 228),
    ("myoepithelium", 54),
    ("neutrophil", 45),
    ("eosinophil", 3),
];

#[test]
fn inspect_reports_the_published_composition() {
    let Some(path) = common::real_corrected_set() else {
        return;
    };
    let set = read_set(&path, &ReadOptions::default()).unwrap();
    let summary = InspectSummary::of_set(&set);
    assert_eq!(summary.fovs, 1_744);
    assert_eq!(summary.nuclei, 59_485);
    assert_eq!(summary.slides, 124);
    assert_eq!(summary.correction_rows, 213);
    assert_eq!(summary.shapes.point, 111);
    assert_eq!(
        summary.shapes.point + summary.shapes.box_ + summary.shapes.polygon,
        59_485
    );
    let raw = &summary
        .levels
        .iter()
        .find(|l| l.level == ClassLevel::Raw)
        .unwrap()
        .classes;
    for (class, expected) in README_RAW_COUNTS {
        let counted = raw.iter().find(|c| c.class == class).unwrap();
        assert_eq!(
            counted.nuclei - counted.correction_rows,
            expected,
            "{class}"
        );
    }
    assert_eq!(
        summary.class_count(ClassLevel::Super, "AMBIGUOUS"),
        Some(7_515 + 396)
    );
    // Every nucleus of a NuCLS point row is a point, of a polyline row here a box's outline.
    let points = set
        .fovs
        .iter()
        .flat_map(|f| &f.nuclei)
        .filter(|n| n.shape.kind() == ShapeKind::Point)
        .count();
    assert_eq!(points, 111);
    assert_eq!(set.quality.count(FindingKind::SkippedRow), 0);
    assert_eq!(set.quality.count(FindingKind::DegenerateShape), 0);
    assert_eq!(set.quality.count(FindingKind::NoFovRegion), 0);
}

#[test]
fn folds_and_hospitals_match_the_split_files() {
    let Some(path) = common::real_corrected_set() else {
        return;
    };
    let set = read_set(&path, &ReadOptions::default()).unwrap();
    let summary = InspectSummary::of_set(&set);

    // Read the split files independently of the reader: slide -> (test fold, hospital).
    let mut test_fold_of: BTreeMap<String, (u32, String)> = BTreeMap::new();
    let mut train_counts = BTreeMap::new();
    for fold in 1..=5u32 {
        for part in ["train", "test"] {
            let table =
                Table::read(&path.join(format!("train_test_splits/fold_{fold}_{part}.csv")))
                    .unwrap();
            let slide = table.column("slide_name", "").unwrap();
            let hospital = table.column("hospital", "").unwrap();
            let mut n = 0;
            for (_, record) in table.rows() {
                n += 1;
                if part == "test" {
                    let previous = test_fold_of.insert(
                        record[slide].to_string(),
                        (fold, record[hospital].to_string()),
                    );
                    assert!(previous.is_none(), "a slide in two test folds");
                }
            }
            if part == "train" {
                train_counts.insert(fold, n);
            }
        }
    }
    assert_eq!(
        test_fold_of.len(),
        124,
        "each slide is in exactly one test fold"
    );
    assert_eq!(summary.folds.len(), 5);
    assert_eq!(summary.fovs_without_fold, 0);
    for fold in &summary.folds {
        let test_slides = test_fold_of
            .values()
            .filter(|(f, _)| *f == fold.fold)
            .count();
        assert_eq!(fold.test_slides, test_slides);
        assert_eq!(fold.train_slides, train_counts[&fold.fold]);
        assert_eq!(fold.test_slides + fold.train_slides, 124);
    }
    assert_eq!(
        summary.folds.iter().map(|f| f.test_fovs).sum::<usize>(),
        1_744
    );
    assert_eq!(
        summary.folds.iter().map(|f| f.test_nuclei).sum::<usize>(),
        59_485
    );
    for fov in &set.fovs {
        let (fold, hospital) = &test_fold_of[fov.slide.as_ref().unwrap()];
        assert_eq!(fov.test_fold, Some(*fold), "{}", fov.name);
        assert_eq!(fov.hospital.as_ref(), Some(hospital), "{}", fov.name);
    }
    let split_hospitals: BTreeSet<&str> = test_fold_of.values().map(|(_, h)| h.as_str()).collect();
    let inspected: BTreeSet<&str> = summary
        .hospitals
        .iter()
        .map(|h| h.hospital.as_str())
        .collect();
    assert_eq!(inspected, split_hospitals);
    assert_eq!(
        summary.hospitals.iter().map(|h| h.fovs).sum::<usize>(),
        1_744
    );
}

use common::summary;

/// `nucagree simulate --from SET --out SIM --sets SETS --rater-fovs N`.
fn simulate_from(set: &Path, sim: &Path, sets: &str, rater_fovs: &str) {
    nucagree(&[
        "simulate",
        "--from",
        set.to_str().unwrap(),
        "--out",
        sim.to_str().unwrap(),
        "--sets",
        sets,
        "--rater-fovs",
        rater_fovs,
    ]);
}

fn nucagree(args: &[&str]) -> std::process::Output {
    common::run_ok(args, None)
}

#[test]
fn the_real_set_compared_with_itself_agrees_perfectly() {
    let Some(set) = common::real_corrected_set() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("self");
    let set = set.to_str().unwrap();
    nucagree(&[
        "compare",
        set,
        set,
        "--out",
        out.to_str().unwrap(),
        "--bootstrap",
        "100",
    ]);
    let v = summary(&out);
    assert_eq!(v["counts"]["fovs"], 1744);
    // 5,234 nuclei are centred outside their FOV region and left out of both sides.
    assert_eq!(v["counts"]["cropped_a"], 5234);
    assert_eq!(v["counts"]["a"], 59485 - 5234);
    assert_eq!(v["counts"]["b"], 59485 - 5234);
    // The 110 nuclei drawn as points inside their FOV match nothing by IoU.
    assert_eq!(v["counts"]["points_a"], 110);
    for level in ["raw", "main", "super"] {
        let l = &v["levels"][level];
        assert_eq!(l["detection"]["tp"], 54251 - 110);
        assert_eq!(l["detection"]["fp"], 110);
        assert_eq!(l["detection"]["fn"], 110);
        assert_eq!(l["classification"]["accuracy"], 1.0);
        assert_eq!(l["classification"]["cohen_kappa"], 1.0);
        assert_eq!(l["segmentation"]["mean_iou"], 1.0);
    }
    assert_eq!(v["by_hospital"].as_array().unwrap().len(), 18);
    // The field's conventions, on every nucleus (no FOV crop), boxes in continuous geometry.
    let c = &v["conventions"];
    assert_eq!(c["images"], 1744);
    assert_eq!(c["measured"]["outlines"], 1744);
    let strict = &c["stardist"]["pooled"]["0.9"];
    let loose = &c["stardist"]["pooled"]["0.1"];
    assert_eq!(strict["n_true"], 59485);
    assert_eq!(strict["tp"], loose["tp"], "every pair has IoU 1");
    assert_eq!(strict["fp"], strict["fn"]);
    let points = strict["fn"].as_u64().unwrap();
    assert!(
        points >= 110,
        "nuclei drawn as points pair with nothing: {points}"
    );
    assert_eq!(strict["tp"].as_u64().unwrap() + points, 59485);
    let dice_1 = c["hovernet"]["mean_over_images"]["dice_1"]
        .as_f64()
        .unwrap();
    assert!((dice_1 - 1.0).abs() < 1e-9, "{dice_1}");
    assert_eq!(c["hovernet"]["acc_type"], 1.0);
}

#[test]
fn predictions_simulated_from_the_real_set_score_per_fold() {
    let Some(set) = common::real_corrected_set() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let sim = dir.path().join("sim");
    let out = dir.path().join("score");
    let set = set.to_str().unwrap();
    simulate_from(Path::new(set), &sim, "predictions", "0");
    let pred = sim.join("predictions");
    nucagree(&[
        "score",
        "--truth",
        set,
        "--pred",
        pred.to_str().unwrap(),
        "--shape",
        "box",
        "--folds",
        "--bootstrap",
        "200",
        "--out",
        out.to_str().unwrap(),
    ]);
    let v = summary(&out);
    common::assert_tables_reconcile(&v);
    assert_eq!(v["counts"]["fovs"], 1744);
    assert_eq!(v["counts"]["b"], 59485 - 5234);
    let folds = v["folds"]["folds"].as_array().unwrap();
    assert_eq!(folds.len(), 5);
    let fovs: u64 = folds.iter().map(|f| f["fovs"].as_u64().unwrap()).sum();
    assert_eq!(fovs, 1744);
    // The simulated model misses and invents nuclei but finds most.
    let f1 = v["levels"]["super"]["detection"]["f1"].as_f64().unwrap();
    assert!((0.75..0.98).contains(&f1), "{f1}");
    let ap50 = v["objectness_ap"]["ap50"].as_f64().unwrap();
    assert!((0.6..1.0).contains(&ap50), "{ap50}");
    let ci = v["levels"]["super"]["bootstrap_ci95"]["f1"]
        .as_array()
        .unwrap();
    assert!(ci[0].as_f64().unwrap() < f1 && f1 < ci[1].as_f64().unwrap());
    let sd = v["folds"]["sd"]["detection.f1"].as_f64().unwrap();
    assert!(sd > 0.0 && sd < 0.1, "{sd}");
    // Two shards run apart and merged give the same summary and tables, byte for byte.
    let mut parts = Vec::new();
    for shard in ["0/2", "1/2"] {
        let part = dir.path().join(format!("part-{}", &shard[..1]));
        nucagree(&[
            "score",
            "--truth",
            set,
            "--pred",
            pred.to_str().unwrap(),
            "--shape",
            "box",
            "--folds",
            "--bootstrap",
            "200",
            "--quiet",
            "--partial",
            part.to_str().unwrap(),
            "--shard",
            shard,
        ]);
        parts.push(part);
    }
    let merged = dir.path().join("merged");
    nucagree(&[
        "merge",
        "--quiet",
        "--out",
        merged.to_str().unwrap(),
        parts[0].to_str().unwrap(),
        parts[1].to_str().unwrap(),
    ]);
    let mut compared = 0;
    for entry in std::fs::read_dir(&merged).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name == "summary.json" || name.ends_with(".csv") || name.ends_with(".parquet") {
            let read = |dir: &Path| std::fs::read(dir.join(&name)).unwrap();
            assert!(read(&out) == read(&merged), "{name} differs");
            compared += 1;
        }
    }
    assert!(compared >= 20, "{compared}");
    assert!(!merged.join("matches.csv").exists() && out.join("matches.csv").exists());
}

#[test]
fn raters_simulated_on_the_real_set_agree_as_their_profiles() {
    let Some(set) = common::real_corrected_set() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let sim = dir.path().join("sim");
    let out = dir.path().join("agree");
    simulate_from(&set, &sim, "multi-rater", "120");
    let study = sim.join("multi-rater");
    nucagree(&[
        "agree",
        study.to_str().unwrap(),
        "--shape",
        "box",
        "--bootstrap",
        "100",
        "--out",
        out.to_str().unwrap(),
    ]);
    let v = summary(&out);
    assert_eq!(v["counts"]["fovs"], 120);
    assert_eq!(v["counts"]["raters"], 9);
    for level in ["raw", "main", "super"] {
        let groups = v["levels"][level]["groups"].as_array().unwrap();
        let fleiss = |name: &str| {
            groups.iter().find(|g| g["group"] == name).unwrap()["agreement"]["fleiss_kappa"]
                ["value"]
                .as_f64()
                .unwrap()
        };
        assert!(fleiss("SP") > fleiss("NP") + 0.15, "{level}");
    }
    assert!(out.join("anchors.parquet").exists());
    // Two shards clustered apart and merged give every file of the one run, byte for byte.
    let parts: Vec<std::path::PathBuf> = (0..2)
        .map(|i| dir.path().join(format!("part-{i}")))
        .collect();
    for (i, part) in parts.iter().enumerate() {
        let shard = format!("{i}/2");
        nucagree(&[
            "agree",
            study.to_str().unwrap(),
            "--shape",
            "box",
            "--bootstrap",
            "100",
            "--quiet",
            "--partial",
            part.to_str().unwrap(),
            "--shard",
            &shard,
        ]);
    }
    let merged = dir.path().join("merged");
    nucagree(&[
        "merge",
        "--quiet",
        "--out",
        merged.to_str().unwrap(),
        parts[0].to_str().unwrap(),
        parts[1].to_str().unwrap(),
    ]);
    common::assert_same_tree(&out, &merged);
}

#[test]
fn the_real_set_converted_to_other_formats_compares_as_itself() {
    let Some(set) = common::real_corrected_set() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let original = read_set(&set, &ReadOptions::default()).unwrap();
    for to in ["hugging-face", "coco", "dsa", "qupath-cells", "coco-rle"] {
        let out = dir.path().join(to);
        nucagree(&[
            "convert",
            set.to_str().unwrap(),
            "--to",
            to,
            "--out",
            out.to_str().unwrap(),
        ]);
        let back = read_set(&out, &ReadOptions::default()).unwrap();
        assert_eq!(back.fovs.len(), 1_744, "{to}");
        assert_eq!(back.nucleus_count(), 59_485, "{to}");
        for (a, b) in back.fovs.iter().zip(&original.fovs) {
            assert_eq!(a.name, b.name);
            assert_eq!(a.test_fold, b.test_fold, "{to}: {}", a.name);
            assert_eq!(a.region, b.region, "{to}: {}", a.name);
            if to == "coco-rle" {
                // Integer boxes become masks of exactly their pixels, traced back to the same
                // rectangles: the same boxes and pixel areas (points stay points).
                let of = |n: &nucagree::model::Nucleus| (n.bbox, n.shape.area(), n.class);
                let shapes: Vec<_> = a.nuclei.iter().map(of).collect();
                let want: Vec<_> = b.nuclei.iter().map(of).collect();
                assert_eq!(shapes, want, "{to}: {}", a.name);
                continue;
            }
            // Integer pixel coordinates survive every format exactly.
            let shapes: Vec<_> = a.nuclei.iter().map(|n| (&n.shape, n.class)).collect();
            let want: Vec<_> = b.nuclei.iter().map(|n| (&n.shape, n.class)).collect();
            assert_eq!(shapes, want, "{to}: {}", a.name);
        }
        let compared = dir.path().join(format!("{to}-compare"));
        nucagree(&[
            "compare",
            out.to_str().unwrap(),
            set.to_str().unwrap(),
            "--out",
            compared.to_str().unwrap(),
            "--bootstrap",
            "0",
            "--no-matches",
        ]);
        let v = summary(&compared);
        assert_eq!(v["levels"]["raw"]["detection"]["tp"], 54251 - 110, "{to}");
        assert_eq!(
            v["levels"]["raw"]["classification"]["cohen_kappa"], 1.0,
            "{to}"
        );
        // Every conversion here is exact: every pair's IoU is 1.
        let mean_iou = v["levels"]["raw"]["segmentation"]["mean_iou"]
            .as_f64()
            .unwrap();
        assert!((mean_iou - 1.0).abs() < 1e-12, "{to}: {mean_iou}");
    }
}

/// AP on the whole real set equals pycocotools' at every IoU threshold (the fixture was
/// computed by pycocotools on the same sets written as COCO: see its `source`).
#[test]
fn real_set_ap_equals_pycocotools_at_every_threshold() {
    use nucagree::comparison::run::{evaluate_sets, ComparisonOptions, Job};
    use nucagree::comparison::scoring::level_ap;
    use nucagree::comparison::{AmbiguousMode, ClassRoles};
    use nucagree::geometry::{IouOptions, IouShape, PixelConvention};
    use nucagree::matching::{Criterion, FovCrop, MatchOptions};
    let Some(set) = common::real_corrected_set() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let sim = dir.path().join("sim");
    simulate_from(&set, &sim, "predictions", "0");
    let truth = read_set(&set, &ReadOptions::default()).unwrap();
    let pred = read_set(&sim.join("predictions"), &ReadOptions::default()).unwrap();
    let options = ComparisonOptions {
        job: Job::Score,
        matching: MatchOptions {
            criterion: Criterion::Iou {
                threshold: 0.5,
                options: IouOptions::new(IouShape::Box, PixelConvention::Continuous).unwrap(),
            },
            crop: FovCrop::Off,
            ..MatchOptions::default()
        },
        ambiguous: AmbiguousMode::Class,
        bootstrap: None,
        ..ComparisonOptions::default()
    };
    let roles = ClassRoles::new(truth.hierarchy.clone(), AmbiguousMode::Class);
    let (outcomes, _) = evaluate_sets(&pred, &truth, &roles, &options, false, &|_| {});
    let outcomes: Vec<_> = outcomes.iter().collect();
    let classes = truth.hierarchy.names(ClassLevel::Super).len();
    let per_class: Vec<Vec<f64>> = level_ap(&outcomes, ClassLevel::Super, classes)
        .into_iter()
        .flatten()
        .map(|c| c.by_threshold)
        .filter(|t| !t.is_empty())
        .collect();
    let fixture: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string("tests/fixtures/pycocotools_real_set.json").unwrap(),
    )
    .unwrap();
    assert_eq!(fixture["predictions"], pred.nucleus_count() as u64);
    assert_eq!(fixture["truth"], truth.nucleus_count() as u64);
    let expected: Vec<f64> = fixture["ap_by_threshold"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let mut all = 0.0;
    for (t, want) in expected.iter().enumerate() {
        let got = per_class.iter().map(|c| c[t]).sum::<f64>() / per_class.len() as f64;
        assert!(
            (got - want).abs() < 1e-12,
            "threshold {t}: {got} against {want}"
        );
        all += got;
    }
    let ap50_95 = fixture["ap50_95"].as_f64().unwrap();
    all /= expected.len() as f64;
    assert!((all - ap50_95).abs() < 1e-12, "{all} against {ap50_95}");
}
