//! Whole slides made from FOVs (`convert --whole-slide`) and scored as slides: tiles for the
//! units, the FOV regions as the regions of interest.

mod common;

use serde_json::Value;
use std::path::Path;

/// The sample's truth and predictions joined into slide GeoJSON files and scored with
/// `--tile` and `--roi fov_regions.geojson` give the FOV-level score's detection,
/// classification and confusion at every level: the join places each FOV by its name, keeps
/// what the FOV crop keeps, and the regions restrict the slide to the annotated FOVs.
#[test]
fn slides_joined_from_fovs_score_as_the_fovs_do() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("data-sample");
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).display().to_string();
    let mut notes = Vec::new();
    for (set, out) in [("corrected", "truth"), ("predictions", "pred")] {
        let output = common::run_ok(
            &[
                "convert",
                sample.join(set).to_str().unwrap(),
                "--to",
                "geojson",
                "--whole-slide",
                "--out",
                &path(out),
            ],
            None,
        );
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(
            said.contains("30 FOVs joined into 10 slides at 1.25 image pixels per slide pixel"),
            "{said}"
        );
        notes.push(said.into_owned());
    }
    let slides: Vec<String> = std::fs::read_dir(dir.path().join("truth"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".geojson") && n != "fov_regions.geojson")
        .collect();
    assert_eq!(slides.len(), 10, "{slides:?}");
    let regions: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("truth/fov_regions.geojson")).unwrap(),
    )
    .unwrap();
    assert_eq!(regions["features"].as_array().unwrap().len(), 30);

    let score = |truth: &str, pred: &str, extra: &[&str], out: &str| -> Value {
        let out = path(out);
        let mut args = vec![
            "score",
            "--truth",
            truth,
            "--pred",
            pred,
            "--bootstrap",
            "0",
            "--out",
            &out,
            "--no-matches",
            "--overlays",
            "0",
        ];
        args.extend_from_slice(extra);
        common::run_ok(&args, None);
        common::summary(Path::new(&out))
    };
    let fovs = score(
        sample.join("corrected").to_str().unwrap(),
        sample.join("predictions").to_str().unwrap(),
        &[],
        "by_fov",
    );
    let roi = path("truth/fov_regions.geojson");
    let slides = score(
        &path("truth"),
        &path("pred"),
        &["--roi", &roi, "--tile", "256"],
        "by_slide",
    );
    // What the FOV crop kept is what the join kept; the tiles are the units.
    let count = |v: &Value, key: &str| v["counts"][key].as_u64().unwrap();
    assert_eq!(count(&slides, "b"), count(&fovs, "b"));
    assert_eq!(count(&slides, "a"), count(&fovs, "a"));
    assert_eq!(count(&slides, "cropped_b"), 0);
    for (note, key) in notes.iter().zip(["cropped_b", "cropped_a"]) {
        let left_out = format!(
            "{} nuclei centred outside their FOV's region left out",
            count(&fovs, key)
        );
        assert!(note.contains(&left_out), "{note}");
    }
    assert!(count(&slides, "fovs") > 10, "{}", count(&slides, "fovs"));
    for level in ["raw", "main", "super"] {
        let l = |v: &Value| v["levels"][level].clone();
        assert_eq!(l(&fovs)["detection"], l(&slides)["detection"], "{level}");
        assert_eq!(
            l(&fovs)["classification"],
            l(&slides)["classification"],
            "{level}"
        );
        assert_eq!(l(&fovs)["confusion"], l(&slides)["confusion"], "{level}");
        // IoU does not change with the scale, up to rounding.
        let iou = |v: &Value| l(v)["segmentation"]["mean_iou"].as_f64().unwrap();
        assert!((iou(&fovs) - iou(&slides)).abs() < 1e-9, "{level}");
    }
    // The slide set's FOVs are its slides; the regions file is not one of them.
    let inspect = common::run_ok(&["inspect", &path("truth")], None);
    let table = String::from_utf8_lossy(&inspect.stdout);
    assert!(table.contains("| FOVs "), "{table}");
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("| FOVs ") && l.trim_end().ends_with("10 |")),
        "{table}"
    );
}

#[test]
fn a_scale_that_is_not_positive_is_refused() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("data-sample");
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_nucagree"))
        .args([
            "convert",
            sample.join("corrected").to_str().unwrap(),
            "--to",
            "geojson",
            "--whole-slide",
            "--name-scale",
            "0",
            "--out",
            dir.path().join("out").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(
        error.contains("--name-scale 0: expected a positive number"),
        "{error}"
    );
    assert!(!dir.path().join("out").join("fov_regions.geojson").exists());
}
