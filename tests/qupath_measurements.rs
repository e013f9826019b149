//! QuPath's per-object `measurements`, kept with `--keep-measurements`: read in both of
//! QuPath's forms, carried into the table of matches and back into GeoJSON, and refused where
//! a value is not a number.

mod common;

use nucagree::ingest::{self, ReadOptions};
use nucagree::model::MeasurementsMode;
use std::path::Path;

/// Truth: two nuclei with measurements as an object (QuPath 0.2 on). Predictions: the same
/// two boxes, measured as a list of `{name, value}` (earlier QuPath), one value `"NaN"`, a
/// name holding a `/`, and a third box with no measurements.
fn write_sets(root: &Path) {
    let feature = |x: f64, class: &str, measurements: &str| {
        format!(
            r#"{{"type": "Feature",
                "geometry": {{"type": "Polygon", "coordinates": [[[{x},0],[{x2},0],[{x2},10],[{x},10],[{x},0]]]}},
                "properties": {{"objectType": "detection", "classification": {{"name": "{class}"}}{measurements}}}}}"#,
            x2 = x + 10.0
        )
    };
    let collection = |features: Vec<String>| {
        format!(
            r#"{{"type": "FeatureCollection", "features": [{}]}}"#,
            features.join(",")
        )
    };
    for side in ["truth", "pred"] {
        std::fs::create_dir_all(root.join(side)).unwrap();
    }
    std::fs::write(
        root.join("truth/fov_1.geojson"),
        collection(vec![
            feature(0.0, "tumor", r#", "measurements": {"Nucleus: Area": 100.0, "Nucleus: Hematoxylin OD mean": 0.42}"#),
            feature(50.0, "lymphocyte", r#", "measurements": {"Nucleus: Area": 64.5}"#),
        ]),
    )
    .unwrap();
    std::fs::write(
        root.join("pred/fov_1.geojson"),
        collection(vec![
            feature(
                0.0,
                "tumor",
                r#", "measurements": [{"name": "Nucleus: Area", "value": 98.0}, {"name": "Nucleus/Cell area ratio", "value": "NaN"}]"#,
            ),
            feature(
                51.0,
                "tumor",
                r#", "measurements": [{"name": "Nucleus: Area", "value": 70.0}, {"name": "Nucleus/Cell area ratio", "value": 0.5}]"#,
            ),
            feature(200.0, "tumor", ""),
        ]),
    )
    .unwrap();
}

/// Read options that keep the measurements.
fn keep() -> ReadOptions {
    ReadOptions {
        measurements: MeasurementsMode::Keep,
        ..ReadOptions::default()
    }
}

#[test]
fn measurements_are_kept_when_asked_and_left_out_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    write_sets(dir.path());
    let keep = keep();
    let truth = ingest::read_set(&dir.path().join("truth"), &keep).unwrap();
    let kept = truth.fovs[0].measurements.as_deref().unwrap();
    assert_eq!(
        kept.names(),
        ["Nucleus: Area", "Nucleus: Hematoxylin OD mean"]
    );
    let rows: Vec<u32> = truth.fovs[0].nuclei.iter().map(|n| n.row).collect();
    assert_eq!(kept.value(rows[0], "Nucleus: Area"), Some(100.0));
    assert_eq!(kept.value(rows[1], "Nucleus: Area"), Some(64.5));
    assert_eq!(kept.value(rows[1], "Nucleus: Hematoxylin OD mean"), None);
    let pred = ingest::read_set(&dir.path().join("pred"), &keep).unwrap();
    let kept = pred.fovs[0].measurements.as_deref().unwrap();
    let rows: Vec<u32> = pred.fovs[0].nuclei.iter().map(|n| n.row).collect();
    assert_eq!(kept.value(rows[0], "Nucleus/Cell area ratio"), None, "NaN");
    assert_eq!(kept.value(rows[1], "Nucleus/Cell area ratio"), Some(0.5));
    assert_eq!(kept.of_row(rows[2]), vec![]);
    // By default nothing is kept.
    let dropped = ingest::read_set(&dir.path().join("truth"), &ReadOptions::default()).unwrap();
    assert!(dropped.fovs[0].measurements.is_none());
}

#[test]
fn the_match_table_and_geojson_carry_the_measurements() {
    let dir = tempfile::tempdir().unwrap();
    write_sets(dir.path());
    let path = |name: &str| dir.path().join(name).display().to_string();
    common::run_ok(
        &[
            "score",
            "--truth",
            &path("truth"),
            "--pred",
            &path("pred"),
            "--keep-measurements",
            "--bootstrap",
            "0",
            "--overlays",
            "0",
            "--out",
            &path("scored"),
        ],
        None,
    );
    let mut reader = csv::Reader::from_path(dir.path().join("scored/matches.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name} in {header:?}"))
    };
    let (status, area_a, area_b, ratio_a, od_b) = (
        column("status"),
        column("a.Nucleus: Area"),
        column("b.Nucleus: Area"),
        column("a.Nucleus/Cell area ratio"),
        column("b.Nucleus: Hematoxylin OD mean"),
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let matched: Vec<&csv::StringRecord> =
        rows.iter().filter(|r| &r[status] == "matched").collect();
    assert_eq!(matched.len(), 2);
    // In score, A is the prediction and B the truth.
    assert_eq!(
        (&matched[0][area_a], &matched[0][area_b]),
        ("98.0", "100.0")
    );
    assert_eq!(&matched[0][ratio_a], "", "NaN is no value");
    assert_eq!(&matched[0][od_b], "0.42");
    assert_eq!((&matched[1][area_a], &matched[1][area_b]), ("70.0", "64.5"));
    assert_eq!(&matched[1][ratio_a], "0.5");
    let unmatched: Vec<&csv::StringRecord> = rows
        .iter()
        .filter(|r| &r[status] == "unmatched_a")
        .collect();
    assert_eq!(unmatched.len(), 1);
    assert_eq!(&unmatched[0][area_a], "");
    // Without the flag, the table has no measurement columns.
    common::run_ok(
        &[
            "score",
            "--truth",
            &path("truth"),
            "--pred",
            &path("pred"),
            "--bootstrap",
            "0",
            "--overlays",
            "0",
            "--out",
            &path("plain"),
        ],
        None,
    );
    let plain = std::fs::read_to_string(dir.path().join("plain/matches.csv")).unwrap();
    assert!(
        !plain.lines().next().unwrap().contains("Nucleus"),
        "{plain}"
    );
    // Converted to GeoJSON and read back, the measurements are the same.
    common::run_ok(
        &[
            "convert",
            &path("pred"),
            "--to",
            "geojson",
            "--keep-measurements",
            "--out",
            &path("converted"),
        ],
        None,
    );
    let keep = keep();
    let before = ingest::read_set(&dir.path().join("pred"), &keep).unwrap();
    let after = ingest::read_set(&dir.path().join("converted"), &keep).unwrap();
    let all = |set: &nucagree::model::AnnotationSet| -> Vec<Vec<(String, f64)>> {
        let fov = &set.fovs[0];
        fov.nuclei
            .iter()
            .map(|n| {
                fov.measurements
                    .as_deref()
                    .unwrap()
                    .of_row(n.row)
                    .into_iter()
                    .map(|(name, v)| (name.to_string(), v))
                    .collect()
            })
            .collect()
    };
    assert_eq!(all(&before), all(&after));
    assert_eq!(all(&after)[1].len(), 2);
}

#[test]
fn a_measurement_that_is_not_a_number_is_refused_where_it_is() {
    let dir = tempfile::tempdir().unwrap();
    write_sets(dir.path());
    let file = dir.path().join("pred/fov_1.geojson");
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace(r#""value": 0.5"#, r#""value": "half""#);
    std::fs::write(&file, text).unwrap();
    let keep = keep();
    let error = ingest::read_set(&dir.path().join("pred"), &keep)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("fov_1.geojson:/features/1/properties/measurements/1/value"),
        "{error}"
    );
    assert!(
        error.contains("expected a number, found \"half\""),
        "{error}"
    );
    // Not kept, it is not read.
    assert!(ingest::read_set(&dir.path().join("pred"), &ReadOptions::default()).is_ok());
    // An object's key holding `/` is escaped in the pointer.
    let object = r#"{"type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [[[0,0],[10,0],[10,10],[0,10],[0,0]]]},
        "properties": {"classification": {"name": "tumor"}, "measurements": {"Nucleus/Cell": true}}}"#;
    std::fs::write(&file, object).unwrap();
    let error = ingest::read_set(&dir.path().join("pred"), &keep)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("fov_1.geojson:/properties/measurements/Nucleus~1Cell"),
        "{error}"
    );
}
