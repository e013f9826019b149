//! `nucagree compare` and `nucagree score` on small hand-built sets whose every figure is
//! known by construction.
//!
//! One FOV of 10 x 10 px boxes (identical outlines where nuclei pair, so every IoU is 1):
//!
//! | x   | truth (B)      | predictions (A)         |
//! | --- | -------------- | ----------------------- |
//! | 0   | tumor          | tumor, score 0.9        |
//! | 20  | tumor          | lymphocyte, score 0.8   |
//! | 40  | lymphocyte     | lymphocyte, score 0.7   |
//! | 60  | fibroblast     | —                       |
//! | 80  | apoptotic_body | unlabeled, score 0.6    |
//! | 100 | —              | tumor, score 0.95       |

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn nucagree(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_nucagree"))
        .args(args)
        .output()
        .unwrap()
}

fn box_row(class: &str, x: f64, score: Option<f64>) -> String {
    let (x1, x2) = (x, x + 10.0);
    let score = score.map_or(String::new(), |s| format!(",{s}"));
    format!("{class},rectangle,\"{x1},{x2},{x2},{x1}\",\"0,0,10,10\"{score}\n")
}

struct Sets {
    _dir: tempfile::TempDir,
    truth: PathBuf,
    pred: PathBuf,
    root: PathBuf,
}

fn sets() -> Sets {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let truth = root.join("truth");
    let pred = root.join("pred");
    std::fs::create_dir_all(truth.join("csv")).unwrap();
    std::fs::create_dir_all(pred.join("csv")).unwrap();
    let mut t = String::from("raw_classification,type,coords_x,coords_y\n");
    for (class, x) in [
        ("tumor", 0.0),
        ("tumor", 20.0),
        ("lymphocyte", 40.0),
        ("fibroblast", 60.0),
        ("apoptotic_body", 80.0),
    ] {
        t.push_str(&box_row(class, x, None));
    }
    std::fs::write(truth.join("csv/fov1.csv"), t).unwrap();
    let mut p = String::from("raw_classification,type,coords_x,coords_y,score\n");
    for (class, x, s) in [
        ("tumor", 0.0, 0.9),
        ("lymphocyte", 20.0, 0.8),
        ("lymphocyte", 40.0, 0.7),
        ("unlabeled", 80.0, 0.6),
        ("tumor", 100.0, 0.95),
    ] {
        p.push_str(&box_row(class, x, Some(s)));
    }
    std::fs::write(pred.join("csv/fov1.csv"), p).unwrap();
    Sets {
        _dir: dir,
        truth,
        pred,
        root,
    }
}

fn run(args: &[&str], out: &Path) -> Value {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--out", out.to_str().unwrap(), "--bootstrap", "0"]);
    let output = nucagree(&all);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap()
}

fn close(value: &Value, expected: f64) {
    let v = value
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {value}"));
    assert!((v - expected).abs() < 1e-12, "{v} != {expected}");
}

fn score(s: &Sets, extra: &[&str], name: &str) -> Value {
    let mut args = vec![
        "score",
        "--truth",
        s.truth.to_str().unwrap(),
        "--pred",
        s.pred.to_str().unwrap(),
    ];
    args.extend(extra);
    run(&args, &s.root.join(name))
}

#[test]
fn score_detect_only_gives_the_numbers_known_by_construction() {
    let s = sets();
    let v = score(&s, &[], "out");
    assert_eq!(v["command"], "score");
    assert_eq!(v["params"]["iou_threshold"], 0.5);
    assert_eq!(v["params"]["matching"], "optimal");
    assert_eq!(v["params"]["shape"], "auto");
    assert_eq!(v["params"]["ambiguous"], "detect-only");
    assert_eq!(v["counts"]["fovs"], 1);
    assert_eq!(v["counts"]["a"], 5);
    assert_eq!(v["counts"]["b"], 5);
    for level in ["raw", "main", "super"] {
        let l = &v["levels"][level];
        let d = &l["detection"];
        assert_eq!(
            (&d["tp"], &d["fp"], &d["fn"]),
            (&4.into(), &1.into(), &1.into())
        );
        close(&d["precision"], 0.8);
        close(&d["recall"], 0.8);
        close(&d["f1"], 0.8);
        let c = &l["classification"];
        // (tumor, tumor), (lymphocyte, tumor), (lymphocyte, lymphocyte); the ambiguous
        // pair is left out. p_o = 2/3, p_e = 4/9, kappa = 0.4.
        assert_eq!(c["n_pairs"], 3);
        close(&c["accuracy"], 2.0 / 3.0);
        close(&c["cohen_kappa"], 0.4);
        // Every nucleus is a box: by shape, no pair of two outlines to measure segmentation on.
        let seg = &l["segmentation"];
        assert_eq!(seg["pairs"], 0);
        assert!(seg["mean_iou"].is_null() && seg["mean_dice"].is_null() && seg["pq"].is_null());
    }
    // Gwet's AC1: pi_tumor = 3/6, pi_lymphocyte = 3/6, p_e = 0.5, AC1 = (2/3 - 1/2)/(1/2).
    close(&v["levels"]["raw"]["classification"]["gwet_ac1"], 1.0 / 3.0);
    // kappa's asymptotic SE (Fleiss, Cohen and Everitt 1969) of the 2 x 2 table
    // [[1, 0], [1, 1]] / 3, as statsmodels' std_kappa (worked out from the formula).
    let se = v["levels"]["raw"]["classification"]["kappa_se"]
        .as_f64()
        .unwrap();
    assert!((se - 0.39191835884530846).abs() < 1e-9, "{se}");
    let ci = &v["levels"]["raw"]["classification"]["kappa_ci95"];
    close(&ci[0], 0.4 - 1.959963984540054 * se);

    let per_class: Vec<&Value> = v["levels"]["raw"]["per_class"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    let names: Vec<&str> = per_class
        .iter()
        .map(|c| c["class"].as_str().unwrap())
        .collect();
    // Every class present in either set; the ambiguous ones (detected, class not judged)
    // have no kappa and no AP.
    assert_eq!(
        names,
        [
            "tumor",
            "fibroblast",
            "lymphocyte",
            "apoptotic_body",
            "unlabeled"
        ]
    );
    let row = |name: &str| *per_class.iter().find(|c| c["class"] == name).unwrap();
    let tumor = row("tumor");
    assert_eq!(
        (&tumor["tp"], &tumor["fp"], &tumor["fn"]),
        (&1.into(), &1.into(), &1.into())
    );
    close(&tumor["f1"], 0.5);
    let lymphocyte = row("lymphocyte");
    assert_eq!(
        (&lymphocyte["tp"], &lymphocyte["fp"], &lymphocyte["fn"]),
        (&1.into(), &1.into(), &0.into())
    );
    close(&lymphocyte["recall"], 1.0);
    close(&lymphocyte["f1"], 2.0 / 3.0);
    // The ambiguous pair (A's unlabeled on the truth's apoptotic body) counts in each side's
    // row: a TP of the truth's class, and A's nucleus "on an ambiguous reference".
    for ambiguous in ["apoptotic_body", "unlabeled"] {
        let r = row(ambiguous);
        assert_eq!(r["ambiguous"], true);
        assert!(r["kappa"].is_null() && r["ap"]["ap50"].is_null());
    }
    let apoptotic = row("apoptotic_body");
    assert_eq!(
        (
            &apoptotic["tp"],
            &apoptotic["fp"],
            &apoptotic["fn"],
            &apoptotic["n_b"]
        ),
        (&1.into(), &0.into(), &0.into(), &1.into())
    );
    close(&apoptotic["recall"], 1.0);
    let unlabeled = row("unlabeled");
    assert_eq!(
        (&unlabeled["tp"], &unlabeled["fp"], &unlabeled["fn"]),
        (&0.into(), &0.into(), &0.into())
    );
    assert_eq!(unlabeled["a_matched_to_ambiguous"], 1);
    assert_eq!(unlabeled["called_ambiguous"], 0);
    assert_eq!(
        (&unlabeled["n_a"], &unlabeled["n_b"]),
        (&1.into(), &0.into())
    );
    close(&unlabeled["precision"], 1.0);
    assert!(unlabeled["recall"].is_null());
    let fibroblast = row("fibroblast");
    assert!(fibroblast["precision"].is_null());
    close(&fibroblast["f1"], 0.0);

    // Objectness AP: ranked FP, TP, TP, TP, TP over 5 truths: precision 0.8 up to recall
    // 0.8 (81 of the 101 recall points), at every IoU threshold.
    let objectness = &v["objectness_ap"];
    close(&objectness["ap50"], 81.0 * 0.8 / 101.0);
    close(&objectness["ap75"], 81.0 * 0.8 / 101.0);
    close(&objectness["ap50_95"], 81.0 * 0.8 / 101.0);
    // Raw AP: tumor 51 x 0.5 / 101, lymphocyte 0.5, fibroblast 0; their mean.
    let tumor_ap = 51.0 * 0.5 / 101.0;
    close(&row("tumor")["ap"]["ap50"], tumor_ap);
    close(
        &v["levels"]["raw"]["ap"]["ap50"],
        (tumor_ap + 0.5 + 0.0) / 3.0,
    );
    // The score sweep: best F1 0.8 at 0.6; at the given 0.5, the same.
    let sweep = &v["score_threshold"];
    close(&sweep["best"]["score_threshold"], 0.6);
    close(&sweep["best"]["f1"], 0.8);
    close(&sweep["given"]["f1"], 0.8);

    let report = std::fs::read_to_string(s.root.join("out/report.md")).unwrap();
    assert!(
        report.contains("| tumor          |       2 |       2 |   1 |   1 |   1 |"),
        "{report}"
    );
    for table in ["per_class", "by_fov", "matches", "pr_curves", "confusion"] {
        assert!(s.root.join(format!("out/{table}.csv")).exists(), "{table}");
        assert!(
            s.root.join(format!("out/{table}.parquet")).exists(),
            "{table}"
        );
    }
}

#[test]
fn per_class_rows_and_confusion_matrices_reconcile_in_every_mode() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    for mode in ["detect-only", "class", "ignore"] {
        for (a, b) in [("uncorrected", "corrected"), ("predictions", "corrected")] {
            let out = dir.path().join(format!("{mode}-{a}"));
            let a = manifest.join("data-sample").join(a);
            let b = manifest.join("data-sample").join(b);
            let v = run(
                &[
                    "compare",
                    a.to_str().unwrap(),
                    b.to_str().unwrap(),
                    "--ambiguous",
                    mode,
                    "--overlays",
                    "0",
                    "--no-matches",
                ],
                &out,
            );
            common::assert_tables_reconcile(&v);
        }
    }
    let s = sets();
    for mode in ["detect-only", "class", "ignore"] {
        common::assert_tables_reconcile(&score(&s, &["--ambiguous", mode], mode));
    }
}

#[test]
fn ambiguous_modes_change_what_counts() {
    let s = sets();
    let class = score(&s, &["--ambiguous", "class"], "class");
    // The ambiguous pair is classified: apoptotic_body vs unlabeled disagree at raw level
    // and agree (AMBIGUOUS) at main and super.
    assert_eq!(class["levels"]["raw"]["classification"]["n_pairs"], 4);
    close(&class["levels"]["raw"]["classification"]["accuracy"], 0.5);
    close(
        &class["levels"]["super"]["classification"]["accuracy"],
        0.75,
    );
    let ignore = score(&s, &["--ambiguous", "ignore"], "ignore");
    // The pair on the ambiguous truth nucleus counts nowhere.
    let d = &ignore["levels"]["super"]["detection"];
    assert_eq!(
        (&d["tp"], &d["fp"], &d["fn"]),
        (&3.into(), &1.into(), &1.into())
    );
    close(&d["f1"], 0.75);
}

#[test]
fn compare_without_scores_has_no_ap_and_fail_under_sets_the_exit_code() {
    let s = sets();
    let out = s.root.join("cmp");
    let v = run(
        &[
            "compare",
            s.pred.to_str().unwrap(),
            s.truth.to_str().unwrap(),
        ],
        &out,
    );
    assert_eq!(v["command"], "compare");
    assert!(v.get("objectness_ap").is_none());
    assert!(v["levels"]["super"].get("ap").is_none());

    let args = |threshold: &str| {
        nucagree(&[
            "compare",
            s.pred.to_str().unwrap(),
            s.truth.to_str().unwrap(),
            "--bootstrap",
            "0",
            "--fail-under",
            threshold,
        ])
    };
    let missed = args("super.detection.f1=0.9");
    assert_eq!(missed.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&missed.stderr),
        "fail-under: super.detection.f1 = 0.8000 is below 0.9\n"
    );
    assert_eq!(args("super.detection.f1=0.7").status.code(), Some(0));
    let unknown = args("super.detection.f2=0.7");
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn predictions_without_scores_get_no_ap_and_a_note() {
    let s = sets();
    let v = score(
        &Sets {
            _dir: tempfile::tempdir().unwrap(),
            truth: s.truth.clone(),
            pred: s.truth.clone(),
            root: s.root.clone(),
        },
        &[],
        "unscored",
    );
    assert!(v["objectness_ap"]["ap50"].is_null());
    assert!(v["levels"]["raw"]["ap"]["ap50"].is_null());
    assert!(v["notes"][0]
        .as_str()
        .unwrap()
        .contains("5 predictions have no score"));
    close(&v["levels"]["raw"]["detection"]["f1"], 1.0);
}

#[test]
fn figures_do_not_depend_on_the_thread_count() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("data-sample");
    let dir = tempfile::tempdir().unwrap();
    let run_with = |threads: &str| {
        let out = dir.path().join(format!("t{threads}"));
        let output = Command::new(env!("CARGO_BIN_EXE_nucagree"))
            .env("RAYON_NUM_THREADS", threads)
            .args([
                "score",
                "--truth",
                sample.join("corrected").to_str().unwrap(),
                "--pred",
                sample.join("predictions").to_str().unwrap(),
                "--folds",
                "--bootstrap",
                "200",
                "--out",
                out.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0));
        let summary = std::fs::read_to_string(out.join("summary.json")).unwrap();
        let per_fov = std::fs::read_to_string(out.join("by_fov.csv")).unwrap();
        (summary, per_fov)
    };
    let one = run_with("1");
    assert_eq!(one, run_with("2"));
    assert_eq!(one, run_with("3"));
    // The bootstrap ran: intervals are there.
    let v: Value = serde_json::from_str(&one.0).unwrap();
    assert!(v["levels"]["raw"]["bootstrap_ci95"]["cohen_kappa"].is_array());
}

/// `--shape auto` (the default) compares a polygon with a box by their boxes, and measures
/// segmentation only on pairs of two outlines; `--shape polygon` compares the outlines.
#[test]
fn a_polygon_prediction_against_a_box_truth_is_compared_by_boxes() {
    let dir = tempfile::tempdir().unwrap();
    let truth = dir.path().join("truth");
    let pred = dir.path().join("pred");
    std::fs::create_dir_all(truth.join("csv")).unwrap();
    std::fs::create_dir_all(pred.join("csv")).unwrap();
    // Truth: a 10 x 10 box, and an outline (a 10 x 10 square drawn as a polyline) at x 50.
    std::fs::write(
        truth.join("csv/fov.csv"),
        "raw_classification,type,coords_x,coords_y\n\
         tumor,rectangle,\"0,10,10,0\",\"0,0,10,10\"\n\
         tumor,polyline,\"50,60,60,50\",\"0,0,10,10\"\n",
    )
    .unwrap();
    // Predictions: a right triangle with legs 10 and 8 on the box (outline IoU 40/100, box
    // IoU 80/100), and the square shifted by 2 px on the outline (IoU 80/120).
    std::fs::write(
        pred.join("csv/fov.csv"),
        "raw_classification,type,coords_x,coords_y,score\n\
         tumor,polyline,\"0,10,0\",\"0,0,8\",0.9\n\
         tumor,polyline,\"52,62,62,52\",\"0,0,10,10\",0.8\n",
    )
    .unwrap();
    let score = |shape: &str, name: &str| {
        run(
            &[
                "score",
                "--truth",
                truth.to_str().unwrap(),
                "--pred",
                pred.to_str().unwrap(),
                "--shape",
                shape,
            ],
            &dir.path().join(name),
        )
    };
    let auto = score("auto", "auto");
    assert_eq!(auto["params"]["shape"], "auto");
    let l = &auto["levels"]["super"];
    assert_eq!(l["detection"]["tp"], 2);
    assert_eq!(l["segmentation"]["pairs"], 1);
    close(&l["segmentation"]["mean_iou"], 80.0 / 120.0);
    close(&l["segmentation"]["pq"], 1.0 * 80.0 / 120.0);
    assert_eq!(auto["shapes"]["pairs_outlines"], 1);
    assert_eq!(auto["shapes"]["pairs_mixed"], 1);
    assert_eq!(auto["shapes"]["pairs_boxes"], 0);
    let reference = auto["shapes"]["reference"].as_array().unwrap();
    let by = |shape: &str| reference.iter().find(|r| r["shape"] == shape).unwrap();
    assert_eq!(
        (&by("box")["nuclei"], &by("box")["matched"]),
        (&1.into(), &1.into())
    );
    let matches = std::fs::read_to_string(dir.path().join("auto/matches.csv")).unwrap();
    assert!(
        matches.lines().next().unwrap().contains("shape_a,shape_b"),
        "{matches}"
    );
    assert!(matches.contains("outline,box"), "{matches}");
    // The default is auto.
    let default = run(
        &[
            "score",
            "--truth",
            truth.to_str().unwrap(),
            "--pred",
            pred.to_str().unwrap(),
        ],
        &dir.path().join("default"),
    );
    assert_eq!(default["params"]["shape"], "auto");
    assert_eq!(default["levels"]["super"]["detection"], l["detection"]);
    // Outline against rectangle: IoU 0.4, no pair.
    let polygon = score("polygon", "polygon");
    let l = &polygon["levels"]["super"];
    assert_eq!(l["detection"]["tp"], 1);
    assert_eq!(l["segmentation"]["pairs"], 1);
    close(&l["segmentation"]["mean_iou"], 80.0 / 120.0);
}

/// `--tile`: a FOV's matching is split into tiles after it is made, so the totals (and every
/// level's kappa) are those of the untiled comparison, while the tiles become the units of
/// the per-FOV figures, of AP's images and of the bootstrap; the methods say so.
#[test]
fn tiles_split_the_units_not_the_matching() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("data-sample");
    let dir = tempfile::tempdir().unwrap();
    let run = |tile: Option<&str>, out: &str| -> Value {
        let out = dir.path().join(out);
        let mut args = vec![
            "score".to_string(),
            "--truth".into(),
            sample.join("corrected").display().to_string(),
            "--pred".into(),
            sample.join("predictions").display().to_string(),
            "--bootstrap".into(),
            "50".into(),
            "--out".into(),
            out.display().to_string(),
            "--no-matches".into(),
            "--overlays".into(),
            "0".into(),
        ];
        if let Some(px) = tile {
            args.extend(["--tile".to_string(), px.to_string()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        common::run_ok(&args, None);
        common::summary(&out)
    };
    let whole = run(None, "whole");
    let tiled = run(Some("128"), "tiled");
    for level in ["raw", "main", "super"] {
        let l = |v: &Value| v["levels"][level].clone();
        assert_eq!(l(&whole)["detection"], l(&tiled)["detection"], "{level}");
        assert_eq!(
            l(&whole)["classification"],
            l(&tiled)["classification"],
            "{level}"
        );
        assert_eq!(l(&whole)["confusion"], l(&tiled)["confusion"], "{level}");
    }
    assert_eq!(tiled["params"]["tile_px"], 128.0);
    assert_eq!(whole["params"]["tile_px"], Value::Null);
    let units = |v: &Value| v["counts"]["fovs"].as_u64().unwrap();
    assert!(
        units(&tiled) > 2 * units(&whole),
        "{} tiles, {} FOVs",
        units(&tiled),
        units(&whole)
    );
    // The intervals resample tiles: they differ from those over FOVs.
    let ci = |v: &Value| v["levels"]["super"]["bootstrap_ci95"].clone();
    assert_ne!(ci(&whole), ci(&tiled));
    let report = std::fs::read_to_string(dir.path().join("tiled/report.md")).unwrap();
    assert!(
        report.contains("Each FOV was divided into tiles of 128 × 128 px"),
        "methods"
    );
    assert!(report.contains("resample whole tiles"), "methods");
    // A tile smaller than a few nuclei is refused.
    let output = nucagree(&[
        "score",
        "--truth",
        sample.join("corrected").to_str().unwrap(),
        "--pred",
        sample.join("predictions").to_str().unwrap(),
        "--tile",
        "8",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(
        error.contains("--tile 8: expected a tile side of at least 32 pixels"),
        "{error}"
    );
}

/// `--roi`: only nuclei centred inside the regions count. A region over x < 50 keeps the
/// truth at 0, 20, 40 and the predictions at 0, 20, 40: three pairs, no FP or FN; the
/// nuclei left out are counted, and a region naming another FOV keeps nothing of fov1.
#[test]
fn regions_of_interest_restrict_both_sets_before_matching() {
    let s = sets();
    let roi = s.root.join("roi.geojson");
    let region = |fov: Option<&str>| {
        let properties = match fov {
            Some(name) => serde_json::json!({"fov": name}),
            None => serde_json::json!({}),
        };
        serde_json::json!({"type": "FeatureCollection", "features": [{"type": "Feature",
            "properties": properties,
            "geometry": {"type": "Polygon", "coordinates": [[[-5, -5], [50, -5], [50, 20], [-5, 20], [-5, -5]]]}}]})
    };
    std::fs::write(&roi, region(None).to_string()).unwrap();
    let v = score(&s, &["--roi", roi.to_str().unwrap()], "roi");
    let d = &v["levels"]["raw"]["detection"];
    assert_eq!(
        (&d["tp"], &d["fp"], &d["fn"]),
        (&3.into(), &0.into(), &0.into())
    );
    assert_eq!(v["params"]["roi"], roi.display().to_string());
    let report = std::fs::read_to_string(s.root.join("roi/report.md")).unwrap();
    assert!(
        report.contains("restricted to the regions of interest"),
        "methods"
    );
    std::fs::write(&roi, region(Some("fov1")).to_string()).unwrap();
    let named = score(&s, &["--roi", roi.to_str().unwrap()], "roi-named");
    assert_eq!(
        named["levels"]["raw"]["detection"],
        v["levels"]["raw"]["detection"]
    );
    std::fs::write(&roi, region(Some("fov2")).to_string()).unwrap();
    let elsewhere = score(&s, &["--roi", roi.to_str().unwrap()], "roi-elsewhere");
    let d = &elsewhere["levels"]["raw"]["detection"];
    assert_eq!(
        (&d["tp"], &d["fp"], &d["fn"]),
        (&0.into(), &0.into(), &0.into())
    );
    // A region that is not a polygon is located.
    std::fs::write(&roi, r#"{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [1, 2]}}]}"#).unwrap();
    let output = nucagree(&[
        "score",
        "--truth",
        s.truth.to_str().unwrap(),
        "--pred",
        s.pred.to_str().unwrap(),
        "--roi",
        roi.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(
        error.contains("roi.geojson:/features/0/geometry/type: expected \"Polygon\" or \"MultiPolygon\", found \"Point\""),
        "{error}"
    );
}
