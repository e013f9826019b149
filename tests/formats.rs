//! Reading what users have: every format written and read back gives the same nuclei and
//! the same `score` results; a Hugging Face parquet (with the debug split) reads to the CSVs
//! it was built from; masks traced from known polygons give them back; HoVer-Net output
//! reads through a type map; detection tells formats apart by content.

use nucagree::comparison::run::{compare_sets, ComparisonOptions, Job};
use nucagree::comparison::AmbiguousMode;
use nucagree::geometry::{iou, IouOptions, PreparedShape};
use nucagree::ingest::metadata::read_type_map;
use nucagree::ingest::{self, ReadOptions};
use nucagree::matching::MatchOptions;
use nucagree::model::{AnnotationSet, BoundingBox, ClassLevel, FoldSplit, Shape};
use nucagree::writers::set::{outlines_simplified, write_set, OutputFormat};
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data-sample")
        .join(name)
}

fn read(path: &Path) -> AnnotationSet {
    ingest::read_set(path, &ReadOptions::default())
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn score_json(pred: &AnnotationSet, truth: &AnnotationSet) -> serde_json::Value {
    score_json_with(pred, truth, MatchOptions::default())
}

fn score_json_with(
    pred: &AnnotationSet,
    truth: &AnnotationSet,
    matching: MatchOptions,
) -> serde_json::Value {
    let options = ComparisonOptions {
        job: Job::Score,
        matching,
        ambiguous: AmbiguousMode::default(),
        bootstrap: None,
        score_threshold: 0.5,
        folds: true,
        ..ComparisonOptions::default()
    };
    let report = compare_sets(pred, truth, &options, &|_| {});
    serde_json::json!({"result": report.result, "counts": report.counts})
}

/// The error of reading `path` with the default options.
fn read_error(path: &Path) -> String {
    ingest::read_set(path, &ReadOptions::default())
        .unwrap_err()
        .to_string()
}

/// Asserts two JSON values are equal, numbers to a relative 1e-9 (a COCO box is
/// `[x, y, width, height]`, so `x + width` may differ from `xmax` in the last bit).
fn assert_close_json(a: &serde_json::Value, b: &serde_json::Value, path: &str) {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!(
                (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0),
                "{path}: {x} vs {y}"
            );
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{path}");
            for (i, (u, v)) in x.iter().zip(y).enumerate() {
                assert_close_json(u, v, &format!("{path}/{i}"));
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(
                x.keys().collect::<Vec<_>>(),
                y.keys().collect::<Vec<_>>(),
                "{path}"
            );
            for (key, u) in x {
                assert_close_json(u, &y[key], &format!("{path}/{key}"));
            }
        }
        _ => assert_eq!(a, b, "{path}"),
    }
}

fn close_shapes(a: &Shape, b: &Shape) -> bool {
    a.kind() == b.kind()
        && a.vertices()
            .iter()
            .zip(b.vertices())
            .all(|(u, v)| (u[0] - v[0]).abs() < 1e-9 && (u[1] - v[1]).abs() < 1e-9)
}

/// Asserts two sets hold the same FOVs, nuclei (shape, class, score) and FOV metadata.
fn assert_same_sets(read_back: &AnnotationSet, original: &AnnotationSet, what: &str) {
    assert_eq!(
        read_back.fovs.len(),
        original.fovs.len(),
        "{what}: FOV count"
    );
    for (a, b) in read_back.fovs.iter().zip(&original.fovs) {
        assert_eq!(a.name, b.name, "{what}");
        assert_eq!(a.region, b.region, "{what}: region of {}", a.name);
        assert_eq!(a.test_fold, b.test_fold, "{what}: fold of {}", a.name);
        assert_eq!(a.slide, b.slide, "{what}");
        assert_eq!(
            a.nuclei.len(),
            b.nuclei.len(),
            "{what}: nuclei of {}",
            a.name
        );
        for (x, y) in a.nuclei.iter().zip(&b.nuclei) {
            assert!(
                close_shapes(&x.shape, &y.shape),
                "{what}: {} row {}: {:?} vs {:?}",
                a.name,
                y.row,
                x.shape,
                y.shape
            );
            assert_eq!(x.class, y.class, "{what}: {} row {}", a.name, y.row);
            assert_eq!(x.score, y.score, "{what}: {} row {}", a.name, y.row);
        }
    }
    assert_eq!(read_back.folds, original.folds, "{what}: folds");
}

#[test]
fn every_format_round_trips_to_the_same_score() {
    let truth = read(&sample("corrected"));
    let pred = read(&sample("predictions"));
    let expected = score_json(&pred, &truth);
    // The sample has boxes, polygons and scores: every format must keep all three.
    let all = truth.fovs.iter().flat_map(|f| &f.nuclei);
    assert!(all.clone().any(|n| matches!(n.shape, Shape::Box(_))));
    assert!(all.clone().any(|n| matches!(n.shape, Shape::Polygon(_))));
    assert!(pred
        .fovs
        .iter()
        .flat_map(|f| &f.nuclei)
        .all(|n| n.score.is_some()));
    let dir = tempfile::tempdir().unwrap();
    for (format, read_as) in [
        (OutputFormat::Nucls, "nucls"),
        (OutputFormat::Coco, "coco"),
        (OutputFormat::GeoJson, "geojson"),
        (OutputFormat::HuggingFace, "hugging-face"),
        (OutputFormat::Dsa, "dsa"),
        (OutputFormat::QupathCells, "geojson"),
    ] {
        let what = nucagree::choice::Choice::name(format);
        let truth_dir = dir.path().join(format!("{what}-truth"));
        let pred_dir = dir.path().join(format!("{what}-pred"));
        write_set(&truth, format, &truth_dir).unwrap();
        write_set(&pred, format, &pred_dir).unwrap();
        let truth_back = read(&truth_dir);
        let pred_back = read(&pred_dir);
        assert_eq!(truth_back.format.name(), read_as, "detected by content");
        assert_same_sets(&truth_back, &truth, what);
        assert_same_sets(&pred_back, &pred, what);
        assert_close_json(&score_json(&pred_back, &truth_back), &expected, what);
        if format == OutputFormat::QupathCells {
            // Read by the nucleus; the cell, 25 px around it, is there too.
            use nucagree::quality::FindingKind;
            assert_eq!(
                truth_back.quality.count(FindingKind::CellReadAsNucleus),
                truth.nucleus_count()
            );
            let cells = ReadOptions {
                qupath_geometry: nucagree::ingest::QupathGeometry::Cell,
                ..ReadOptions::default()
            };
            let as_cells = ingest::read_set(&truth_dir, &cells).unwrap();
            let nucleus = &truth.fovs[0].nuclei[0];
            let cell = &as_cells.fovs[0].nuclei[0];
            assert!(
                (cell.bbox.xmin - (nucleus.bbox.xmin - 25.0)).abs() < 1e-6,
                "{what}"
            );
            assert!(
                cell.shape.area() > nucleus.shape.area() + 25.0 * 25.0,
                "{what}"
            );
        }
    }
}

/// Writes a set as HoVer-Net JSON (outlines as contours, classes as type ids) and the type
/// map, as a model's output would come.
fn write_hovernet(set: &AnnotationSet, dir: &Path) -> ReadOptions {
    use nucagree::writers::nucls::class_label;
    std::fs::create_dir_all(dir).unwrap();
    let mut labels: Vec<String> = Vec::new();
    for fov in &set.fovs {
        let mut nuc = serde_json::Map::new();
        for (i, nucleus) in fov.nuclei.iter().enumerate() {
            let label = class_label(set, nucleus);
            let type_id = match labels.iter().position(|l| *l == label) {
                Some(p) => p,
                None => {
                    labels.push(label);
                    labels.len() - 1
                }
            };
            let b = nucleus.bbox;
            nuc.insert(
                (i + 1).to_string(),
                serde_json::json!({
                    "bbox": [[b.ymin, b.xmin], [b.ymax, b.xmax]],
                    "centroid": nucleus.shape.centroid(),
                    "contour": nucleus.shape.vertices(),
                    "type": type_id,
                    "type_prob": nucleus.score,
                }),
            );
        }
        let document = serde_json::json!({"mag": null, "nuc": nuc});
        std::fs::write(dir.join(format!("{}.json", fov.name)), document.to_string()).unwrap();
    }
    let mut map = String::from("type,class\n");
    for (i, label) in labels.iter().enumerate() {
        map.push_str(&format!("{i},{label}\n"));
    }
    let map_file = dir.with_extension("types.csv");
    std::fs::write(&map_file, map).unwrap();
    ReadOptions {
        type_map: Arc::new(read_type_map(&map_file, &set.hierarchy).unwrap()),
        ..ReadOptions::default()
    }
}

#[test]
fn hovernet_round_trips_to_the_same_score() {
    // HoVer-Net has outlines only: boxes come back as four-vertex polygons, which give the
    // same outline IoUs, so the same results when outlines are compared (by shape, a box
    // turned into a polygon is an outline, and is compared as one).
    let truth = read(&sample("corrected"));
    let pred = read(&sample("predictions"));
    let dir = tempfile::tempdir().unwrap();
    let truth_options = write_hovernet(&truth, &dir.path().join("truth"));
    let pred_options = write_hovernet(&pred, &dir.path().join("pred"));
    // FOV regions and folds come as NuCLS metadata beside the JSON files.
    for (from, to) in [("corrected", "truth"), ("predictions", "pred")] {
        for entry in std::fs::read_dir(sample(from)).unwrap() {
            let path = entry.unwrap().path();
            let target = dir.path().join(to).join(path.file_name().unwrap());
            if path.is_file() {
                std::fs::copy(&path, target).unwrap();
            } else if path.ends_with("train_test_splits") {
                std::fs::create_dir_all(&target).unwrap();
                for split in std::fs::read_dir(&path).unwrap() {
                    let split = split.unwrap().path();
                    std::fs::copy(&split, target.join(split.file_name().unwrap())).unwrap();
                }
            }
        }
    }
    let truth_back = ingest::read_set(&dir.path().join("truth"), &truth_options).unwrap();
    let pred_back = ingest::read_set(&dir.path().join("pred"), &pred_options).unwrap();
    assert_eq!(pred_back.format.name(), "hovernet");
    assert_eq!(pred_back.nucleus_count(), pred.nucleus_count());
    let outlines = MatchOptions {
        criterion: nucagree::matching::Criterion::Iou {
            threshold: 0.5,
            options: IouOptions::new(
                nucagree::geometry::IouShape::Polygon,
                nucagree::geometry::PixelConvention::Continuous,
            )
            .unwrap(),
        },
        ..MatchOptions::default()
    };
    let mut expected = score_json_with(&pred, &truth, outlines);
    let mut found = score_json_with(&pred_back, &truth_back, outlines);
    // What the nuclei are drawn as differs by construction (every box is now an outline).
    assert_eq!(found["result"]["shapes"]["pairs_boxes"], 0);
    for v in [&mut expected, &mut found] {
        v["result"].as_object_mut().unwrap().remove("shapes");
    }
    assert_close_json(&found["result"], &expected["result"], "hovernet");
}

#[test]
fn coco_results_lists_take_their_images_from_the_truth() {
    let truth = read(&sample("corrected"));
    let pred = read(&sample("predictions"));
    let dir = tempfile::tempdir().unwrap();
    write_set(&truth, OutputFormat::Coco, &dir.path().join("truth")).unwrap();
    write_set(&pred, OutputFormat::Coco, &dir.path().join("pred")).unwrap();
    // pycocotools' loadRes form: a bare list of detections with image and category ids.
    let truth_file = dir.path().join("truth/annotations.json");
    let document: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("pred/annotations.json")).unwrap())
            .unwrap();
    let results = document["annotations"].clone();
    let results_file = dir.path().join("results.json");
    std::fs::write(&results_file, results.to_string()).unwrap();
    let error = ingest::read_set(&results_file, &ReadOptions::default()).unwrap_err();
    assert!(
        error
            .to_string()
            .ends_with("holds COCO detection results without images: give the ground-truth COCO file whose images they refer to"),
        "{error}"
    );
    assert_eq!(error.remedy(), Some(nucagree::error::Remedy::CocoImages));
    let options = ReadOptions {
        coco_images: Some(truth_file),
        ..ReadOptions::default()
    };
    let from_results = ingest::read_set(&results_file, &options).unwrap();
    let total: usize = from_results.fovs.iter().map(|f| f.nuclei.len()).sum();
    assert_eq!(total, pred.nucleus_count());
    let names: Vec<&str> = from_results.fovs.iter().map(|f| f.name.as_str()).collect();
    let expected: Vec<&str> = pred.fovs.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, expected);
}

#[test]
fn hugging_face_parquet_reads_to_the_csvs_it_was_built_from() {
    let mut truth = read(&sample("corrected"));
    // The debug config's fold 999: a few slides' FOVs, in both its splits.
    let slides: Vec<String> = truth.folds[&1].test.clone();
    truth.folds.insert(
        999,
        FoldSplit {
            train: slides[1..].to_vec(),
            test: slides[..1].to_vec(),
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("hf");
    let written = write_set(&truth, OutputFormat::HuggingFace, &out).unwrap();
    assert!(written.contains(&out.join("test_fold_999.parquet")));
    // The export's schema, as the dataset's card gives it.
    use polars::prelude::{ParquetReader, SerReader};
    let frame = ParquetReader::new(std::fs::File::open(out.join("train_fold_1.parquet")).unwrap())
        .finish()
        .unwrap();
    let schema = format!("{:?}", frame.schema());
    for field in [
        "\"file_name\": String",
        "\"rgb_image\": Struct({'bytes': Binary, 'path': String})",
        "\"annotation_coordinates\": Struct({'raw_classification': List(String)",
        "'type': List(String)",
        // The sample's coordinates have decimals; integral ones are written as Int64.
        "'xmin': List(Float64)",
        "'coords_x': List(List(Float64))",
    ] {
        assert!(schema.contains(field), "{field} not in {schema}");
    }
    // Only the parquet files, without the CSV metadata beside them.
    let bare = dir.path().join("bare");
    std::fs::create_dir_all(&bare).unwrap();
    for file in &written {
        if file.extension().is_some_and(|e| e == "parquet") {
            std::fs::copy(file, bare.join(file.file_name().unwrap())).unwrap();
        }
    }
    let all = read(&bare);
    assert_eq!(all.format.name(), "hugging-face");
    let mut expected_folds = truth.folds.clone();
    for split in expected_folds.values_mut() {
        split.train.sort();
        split.test.sort();
    }
    assert_eq!(all.folds, expected_folds, "folds from the split names");
    // Each FOV is in several splits, read once; nuclei are those of the CSVs.
    assert_eq!(all.fovs.len(), truth.fovs.len());
    assert!(
        all.quality
            .count(nucagree::quality::FindingKind::RepeatedFov)
            > 0
    );
    for (a, b) in all.fovs.iter().zip(&truth.fovs) {
        assert_eq!(a.name, b.name);
        assert_eq!(a.test_fold, b.test_fold);
        let shapes: Vec<_> = a.nuclei.iter().map(|n| (&n.shape, n.class)).collect();
        let want: Vec<_> = b.nuclei.iter().map(|n| (&n.shape, n.class)).collect();
        assert_eq!(shapes, want, "{}", a.name);
    }
    // The debug split alone.
    let debug = ingest::read_set(
        &bare,
        &ReadOptions {
            split: Some("test_fold_999".into()),
            ..ReadOptions::default()
        },
    )
    .unwrap();
    let debug_fovs: Vec<&str> = debug.fovs.iter().map(|f| f.name.as_str()).collect();
    let want: Vec<&str> = truth
        .fovs
        .iter()
        .filter(|f| f.slide.as_deref() == Some(slides[0].as_str()))
        .map(|f| f.name.as_str())
        .collect();
    assert!(!want.is_empty());
    assert_eq!(debug_fovs, want);
    assert!(debug.fovs.iter().all(|f| f.test_fold == Some(999)));
    let missing = ingest::read_set(
        &bare,
        &ReadOptions {
            split: Some("test_fold_7".into()),
            ..ReadOptions::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(
        missing
            .contains("no parquet file of split \"test_fold_7\": found test_fold_1, test_fold_2"),
        "{missing}"
    );
}

#[test]
fn hugging_face_list_of_structs_form_reads_too() {
    use polars::prelude::*;
    let text = |name: &str, values: &[&str]| Series::new(name.into(), values.to_vec());
    let ints = |name: &str, values: &[i64]| Series::new(name.into(), values.to_vec());
    let ring = |name: &str, rings: Vec<Vec<i64>>| {
        let rows: Vec<Series> = rings
            .into_iter()
            .map(|r| Series::new(name.into(), r))
            .collect();
        Series::new(name.into(), rows)
    };
    let fields = [
        text("raw_classification", &["tumor", "lymphocyte"]),
        text("main_classification", &["tumor_nonMitotic", "lymphocyte"]),
        text("super_classification", &["tumor_any", "sTIL"]),
        text("type", &["rectangle", "polyline"]),
        ints("xmin", &[0, 20]),
        ints("ymin", &[0, 20]),
        ints("xmax", &[10, 24]),
        ints("ymax", &[10, 23]),
        ring(
            "coords_x",
            vec![vec![0, 10, 10, 0, 0], vec![20, 24, 20, 20]],
        ),
        ring(
            "coords_y",
            vec![vec![0, 0, 10, 10, 0], vec![20, 20, 23, 20]],
        ),
    ];
    let nuclei = StructChunked::from_series("a".into(), 2, fields.iter())
        .unwrap()
        .into_series();
    let annotations = Series::new("annotation_coordinates".into(), [nuclei]);
    let names = Series::new("file_name".into(), ["fov_a.png"]);
    let mut frame = DataFrame::new(1, vec![names.into(), annotations.into()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("test_fold_2-00000-of-00001.parquet");
    ParquetWriter::new(std::fs::File::create(&path).unwrap())
        .finish(&mut frame)
        .unwrap();
    let set = read(&path);
    assert_eq!(set.fovs.len(), 1);
    assert_eq!(set.fovs[0].name, "fov_a");
    assert_eq!(set.fovs[0].test_fold, Some(2));
    let nuclei = &set.fovs[0].nuclei;
    assert_eq!(nuclei[0].shape.area(), 100.0);
    assert!(matches!(nuclei[0].shape, Shape::Box(_)));
    assert_eq!(
        set.hierarchy.name(nuclei[1].class.id, ClassLevel::Super),
        "sTIL"
    );
    assert_eq!(nuclei[1].shape.area(), 6.0);
    // The same row twice in one file is refused with both rows (it used to panic).
    let doubled = frame.vstack(&frame).unwrap();
    let path = dir
        .path()
        .join("twice")
        .join("test_fold_2-00000-of-00001.parquet");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    ParquetWriter::new(std::fs::File::create(&path).unwrap())
        .finish(&mut doubled.clone())
        .unwrap();
    let error = read_error(&path);
    assert!(
        error.ends_with(":2:file_name: FOV \"fov_a\" appears twice in this file (rows 1 and 2): expected one row per FOV"),
        "{error}"
    );
}

/// A polygon approximating an ellipse.
fn ellipse(center: [f64; 2], radii: [f64; 2], angle: f64) -> Vec<[f64; 2]> {
    (0..32)
        .map(|i| {
            let t = i as f64 / 32.0 * std::f64::consts::TAU;
            let (x, y) = (radii[0] * t.cos(), radii[1] * t.sin());
            [
                center[0] + x * angle.cos() - y * angle.sin(),
                center[1] + x * angle.sin() + y * angle.cos(),
            ]
        })
        .collect()
}

fn inside(polygon: &[[f64; 2]], p: [f64; 2]) -> bool {
    let mut inside = false;
    let n = polygon.len();
    for i in 0..n {
        let (a, b) = (polygon[i], polygon[(i + n - 1) % n]);
        if (a[1] > p[1]) != (b[1] > p[1])
            && p[0] < (b[0] - a[0]) * (p[1] - a[1]) / (b[1] - a[1]) + a[0]
        {
            inside = !inside;
        }
    }
    inside
}

#[test]
fn masks_give_back_their_polygons_and_classes() {
    let (width, height) = (160u32, 120u32);
    let codes = [
        (1u8, "tumor"),
        (3, "lymphocyte"),
        (2, "fibroblast"),
        (99, "unlabeled"),
    ];
    let mut polygons = Vec::new();
    // A grid of ellipses whose boxes touch: neighbours share pixel edges.
    for row in 0..4 {
        for column in 0..6 {
            let center = [14.0 + 26.0 * column as f64, 14.0 + 26.0 * row as f64];
            let radii = [
                7.0 + (column % 3) as f64 * 2.5,
                6.0 + (row % 2) as f64 * 3.0,
            ];
            let angle = 0.3 * (row * 6 + column) as f64;
            polygons.push((ellipse(center, radii, angle), codes[(row + column) % 4]));
        }
    }
    let mut pixels = vec![0u8; (width * height * 3) as usize];
    for y in 0..height {
        for x in 0..width {
            let i = ((y * width + x) * 3) as usize;
            if (8..152).contains(&x) && (6..114).contains(&y) {
                pixels[i] = 253;
            }
            let centre = [x as f64 + 0.5, y as f64 + 0.5];
            for (k, (polygon, (code, _))) in polygons.iter().enumerate() {
                if inside(polygon, centre) {
                    // Instance ids whose product would wrap: keyed on the pair.
                    pixels[i..i + 3].copy_from_slice(&[*code, 16 + k as u8, 16]);
                }
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let mask_dir = dir.path().join("set/mask");
    std::fs::create_dir_all(&mask_dir).unwrap();
    let png = nucagree::png::encode_rgb(width, height, &pixels).unwrap();
    std::fs::write(mask_dir.join("fov_a.png"), png).unwrap();
    let set = read(&dir.path().join("set"));
    assert_eq!(set.format.name(), "mask");
    let fov = &set.fovs[0];
    assert_eq!(fov.image_size, Some((width, height)));
    let region = fov.region.unwrap();
    assert_eq!(
        [region.xmin, region.ymin, region.xmax, region.ymax],
        [8.0, 6.0, 152.0, 114.0]
    );
    assert_eq!(fov.nuclei.len(), polygons.len());
    let options = IouOptions::default();
    for (nucleus, (polygon, (_, name))) in fov.nuclei.iter().zip(&polygons) {
        let original = Shape::polygon(polygon.clone()).unwrap().0;
        let value = iou(
            &PreparedShape::new(&nucleus.shape),
            &PreparedShape::new(&original),
            &options,
        );
        assert!(value > 0.9, "IoU {value} for {name}");
        assert_eq!(set.hierarchy.name(nucleus.class.id, ClassLevel::Raw), *name);
    }
}

#[test]
fn hovernet_output_reads_through_a_type_map() {
    let dir = tempfile::tempdir().unwrap();
    let set_dir = dir.path().join("hovernet");
    std::fs::create_dir_all(&set_dir).unwrap();
    let json = serde_json::json!({
        "mag": 40,
        "nuc": {
            "2": {"bbox": [[20, 20], [30, 30]], "centroid": [25, 25],
                  "contour": [[20, 20], [30, 20], [30, 30], [20, 30]], "type": 2, "type_prob": 0.75},
            "1": {"bbox": [[0, 0], [10, 10]], "centroid": [5, 5],
                  "contour": [[0, 0], [10, 0], [10, 10], [0, 10]], "type": 1, "type_prob": 0.5},
            "10": {"bbox": [[0, 40], [4, 44]], "centroid": [42, 2],
                  "contour": [[40, 0], [44, 0], [44, 4]], "type": 1, "type_prob": 0.25}
        }
    });
    std::fs::write(set_dir.join("fov_a.json"), json.to_string()).unwrap();
    let error = ingest::read_set(&set_dir, &ReadOptions::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "{}:/nuc/1/type: type 1 has no class: the type map knows none: give a type map (a CSV of type,class)",
            set_dir.join("fov_a.json").display()
        )
    );
    let map_file = dir.path().join("types.csv");
    std::fs::write(&map_file, "type,class\n1,tumor\n2,lymphocyte\n").unwrap();
    let options = ReadOptions {
        type_map: Arc::new(
            read_type_map(&map_file, &nucagree::model::ClassHierarchy::nucls()).unwrap(),
        ),
        ..ReadOptions::default()
    };
    let set = ingest::read_set(&set_dir, &options).unwrap();
    assert_eq!(set.format.name(), "hovernet");
    let nuclei = &set.fovs[0].nuclei;
    let summary: Vec<(&str, f64, Option<f64>)> = nuclei
        .iter()
        .map(|n| {
            (
                set.hierarchy.name(n.class.id, ClassLevel::Raw),
                n.shape.area(),
                n.score,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("tumor", 100.0, Some(0.5)),
            ("lymphocyte", 100.0, Some(0.75)),
            ("tumor", 8.0, Some(0.25)),
        ]
    );
}

#[test]
fn json_errors_name_the_file_and_the_value() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fov_a.geojson");
    std::fs::write(
        &path,
        r#"{"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[0,0],[4,0],[4,4],[0,0]]]},
             "properties": {"classification": {"name": "Tumor"}}},
            {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[0,0],[1,1]]},
             "properties": {"classification": {"name": "tumor"}}}]}"#,
    )
    .unwrap();
    let error = ingest::read_set(&path, &ReadOptions::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "{}:/features/1/geometry/type: expected \"Polygon\", \"MultiPolygon\" or \"Point\", found \"LineString\"",
            path.display()
        )
    );
    let lenient = ReadOptions {
        strictness: ingest::Strictness::Lenient,
        ..ReadOptions::default()
    };
    let set = ingest::read_set(&path, &lenient).unwrap();
    // QuPath's capitalised class names resolve.
    assert_eq!(set.fovs[0].nuclei.len(), 1);
    assert_eq!(set.fovs[0].nuclei[0].shape.area(), 8.0);
    assert_eq!(
        set.quality
            .count(nucagree::quality::FindingKind::SkippedRow),
        1
    );

    let unknown = dir.path().join("other.json");
    std::fs::write(&unknown, r#"{"cells": []}"#).unwrap();
    let error = read_error(&unknown);
    assert!(
        error.contains("found a JSON object with keys [cells]: expected NuCLS CSVs"),
        "{error}"
    );
}

#[test]
fn images_travel_into_hugging_face_parquet_and_back_for_overlays() {
    let dir = tempfile::tempdir().unwrap();
    let set_dir = dir.path().join("set");
    std::fs::create_dir_all(set_dir.join("rgb")).unwrap();
    std::fs::write(
        set_dir.join("fov_a.csv"),
        "raw_classification,xmin,ymin,xmax,ymax\ntumor,2,2,10,10\nlymphocyte,20,20,26,25\n",
    )
    .unwrap();
    let (width, height) = (32u32, 30u32);
    let pixels: Vec<u8> = (0..width * height * 3).map(|i| (i % 251) as u8).collect();
    let png = nucagree::png::encode_rgb(width, height, &pixels).unwrap();
    std::fs::write(set_dir.join("rgb/fov_a.png"), &png).unwrap();
    let set = read(&set_dir);
    assert_eq!(set.fovs[0].image_size, Some((width, height)));
    let image = ingest::images::fov_image(&set, "fov_a").unwrap().unwrap();
    assert_eq!(image, (width, height, pixels.clone()));

    let out = dir.path().join("hf");
    write_set(&set, OutputFormat::HuggingFace, &out).unwrap();
    let back = read(&out);
    assert_eq!(back.format.name(), "hugging-face");
    let image = ingest::images::fov_image(&back, "fov_a").unwrap().unwrap();
    assert_eq!(image, (width, height, pixels));
    assert_eq!(ingest::images::fov_image(&back, "fov_b").unwrap(), None);

    // An overlay over the image: every pixel of it drawn under the outlines.
    let overlay = nucagree::plots::Overlay {
        title: "fov_a".into(),
        names: nucagree::plots::OverlayNames {
            reference: "truth".into(),
            other: "prediction".into(),
        },
        key: Vec::new(),
        extent: nucagree::model::BoundingBox {
            xmin: 0.0,
            ymin: 0.0,
            xmax: 32.0,
            ymax: 30.0,
        },
        image: Some(image),
        region: None,
        shapes: vec![nucagree::plots::OverlayShape {
            outline: back.fovs[0].nuclei[0].shape.vertices(),
            from_a: false,
            status: nucagree::plots::OverlayStatus::Missed,
            number: None,
        }],
    };
    let figure = nucagree::plots::render_png(&overlay, (400, 460)).unwrap();
    assert!(figure.png.len() > 2000);
}

#[test]
fn coco_crowds_are_skipped_and_counted_and_rle_masks_traced() {
    use nucagree::quality::FindingKind;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gt.json");
    let document = serde_json::json!({
        "images": [{"id": 7, "file_name": "slides/fov_a.png", "width": 100, "height": 80}],
        "categories": [{"id": 1, "name": "Tumor"}, {"id": 2, "name": "lymphocyte"}],
        "annotations": [
            {"id": 1, "image_id": 7, "category_id": 1, "bbox": [0, 0, 10, 10],
             "segmentation": [[0, 0, 10, 0, 10, 10, 0, 10]], "iscrowd": 0},
            {"id": 2, "image_id": 7, "category_id": 2, "bbox": [20, 20, 30, 30],
             "segmentation": {"size": [80, 100], "counts": "abc"}, "iscrowd": 1},
            {"id": 3, "image_id": 7, "category_id": 2, "bbox": [50, 50, 5, 4],
             "segmentation": {"size": [80, 100],
                              "counts": [4050, 4, 76, 4, 76, 4, 76, 4, 76, 4, 3626]},
             "iscrowd": 0}
        ]
    });
    std::fs::write(&path, document.to_string()).unwrap();
    let set = read(&path);
    assert_eq!(set.format.name(), "coco");
    let fov = &set.fovs[0];
    assert_eq!(fov.name, "fov_a");
    assert_eq!(fov.image_size, Some((100, 80)));
    let areas: Vec<f64> = fov.nuclei.iter().map(|n| n.shape.area()).collect();
    assert_eq!(areas, vec![100.0, 20.0]);
    assert_eq!(
        fov.nuclei[1].shape,
        Shape::Polygon(vec![[50.0, 50.0], [55.0, 50.0], [55.0, 54.0], [50.0, 54.0]])
    );
    assert_eq!(set.quality.count(FindingKind::CrowdSkipped), 1);
    // A mask whose runs do not cover its size, or of another size than its image: refused.
    let mut bad = document.clone();
    bad["annotations"][2]["segmentation"]["counts"] = serde_json::json!("abc");
    std::fs::write(&path, bad.to_string()).unwrap();
    let error = read_error(&path);
    assert!(
        error.ends_with("gt.json:/annotations/2/segmentation/counts: expected runs of the mask: the counts string ends inside a run"),
        "{error}"
    );
    let mut bad = document.clone();
    bad["annotations"][2]["segmentation"]["size"] = serde_json::json!([100, 80]);
    std::fs::write(&path, bad.to_string()).unwrap();
    let error = read_error(&path);
    assert!(
        error.contains("gt.json:/annotations/2/segmentation/size: expected its image's size [80, 100] (height, width)"),
        "{error}"
    );
}

/// pycocotools' RLE masks (compressed and as runs) read to the areas, boxes and IoUs
/// pycocotools gives them (vectors made with pycocotools 2.0.11; see the fixture's README).
#[test]
fn coco_rle_masks_read_to_pycocotools_areas_boxes_and_ious() {
    use nucagree::geometry::run_length::RunLengthMask;
    use nucagree::quality::FindingKind;
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/coco_rle");
    let vectors: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixture.join("coco_rle_vectors.json")).unwrap(),
    )
    .unwrap();
    let masks = vectors["masks"].as_array().unwrap();
    let (height, width) = (
        vectors["size"][0].as_u64().unwrap(),
        vectors["size"][1].as_u64().unwrap(),
    );
    // Encoding: the runs compress to pycocotools' strings.
    for mask in masks {
        let runs: Vec<u64> = mask["runs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        let encoded = RunLengthMask::new(height as u32, width as u32, runs)
            .unwrap()
            .to_compressed();
        assert_eq!(encoded, mask["counts"].as_str().unwrap());
    }
    let dir = tempfile::tempdir().unwrap();
    for form in ["counts", "runs"] {
        let annotations: Vec<serde_json::Value> = masks
            .iter()
            .enumerate()
            .map(|(i, mask)| {
                serde_json::json!({"id": i + 1, "image_id": 1, "category_id": 1,
                    "bbox": mask["bbox"], "iscrowd": 0,
                    "segmentation": {"size": [height, width], "counts": mask[form]}})
            })
            .collect();
        let document = serde_json::json!({
            "images": [{"id": 1, "file_name": "fov.png", "width": width, "height": height}],
            "categories": [{"id": 1, "name": "tumor"}],
            "annotations": annotations,
        });
        let path = dir.path().join(format!("{form}.json"));
        std::fs::write(&path, document.to_string()).unwrap();
        let set = read(&path);
        let nuclei = &set.fovs[0].nuclei;
        // The empty mask has no outline: skipped and counted.
        assert_eq!(nuclei.len(), masks.len() - 1, "{form}");
        assert_eq!(set.quality.count(FindingKind::DegenerateShape), 1, "{form}");
        for nucleus in nuclei {
            let mask = &masks[nucleus.row as usize - 1];
            assert_eq!(
                nucleus.shape.area(),
                mask["area"].as_f64().unwrap(),
                "{form} {}",
                nucleus.row
            );
            let b = nucleus.bbox;
            let expected: Vec<f64> = mask["bbox"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            assert_eq!(
                vec![b.xmin, b.ymin, b.xmax - b.xmin, b.ymax - b.ymin],
                expected,
                "{form} {}",
                nucleus.row
            );
        }
        let options = IouOptions::default();
        let ious = vectors["iou_first_half_against_second"].as_array().unwrap();
        for (i, row) in ious.iter().enumerate() {
            for (j, expected) in row.as_array().unwrap().iter().enumerate() {
                let value = iou(
                    &PreparedShape::new(&nuclei[i].shape),
                    &PreparedShape::new(&nuclei[12 + j].shape),
                    &options,
                );
                let expected = expected.as_f64().unwrap();
                assert!(
                    (value - expected).abs() < 1e-9,
                    "{form} IoU of {i} and {j}: {value} against {expected}"
                );
            }
        }
    }
}

#[test]
fn convert_writes_outside_its_input_only() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_nucagree"))
            .current_dir(manifest)
            .args(args)
            .output()
            .unwrap()
    };
    let refused = run(&[
        "convert",
        "data-sample/corrected",
        "--to",
        "coco",
        "--out",
        "data-sample/corrected/coco",
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("is inside the input"));
    assert!(!manifest.join("data-sample/corrected/coco").exists());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("geojson");
    let done = run(&[
        "convert",
        "data-sample/corrected",
        "--to",
        "geojson",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        done.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let back = read(&out);
    assert_eq!(back.format.name(), "geojson");
    assert_eq!(
        back.nucleus_count(),
        read(&sample("corrected")).nucleus_count()
    );
}

/// Two categories (or images) with one id are refused at the second, not resolved silently
/// by the last.
#[test]
fn coco_ids_used_twice_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("truth.json");
    let document = serde_json::json!({
        "images": [{"id": 1, "file_name": "fov1.png"}],
        "categories": [{"id": 1, "name": "tumor"}, {"id": 1, "name": "lymphocyte"}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10]}]
    });
    std::fs::write(&file, document.to_string()).unwrap();
    let error = read_error(&file);
    assert!(
        error.ends_with("truth.json:/categories/1/id: expected a category id used once, found 1"),
        "{error}"
    );
    let document = serde_json::json!({
        "images": [{"id": 1, "file_name": "fov1.png"}, {"id": 1, "file_name": "fov2.png"}],
        "categories": [{"id": 1, "name": "tumor"}],
        "annotations": []
    });
    std::fs::write(&file, document.to_string()).unwrap();
    let error = read_error(&file);
    assert!(
        error.ends_with("truth.json:/images/1/id: expected an id used once, found 1"),
        "{error}"
    );
    // Two annotations of one id: the second is named, with the first.
    let document = serde_json::json!({
        "images": [{"id": 1, "file_name": "fov1.png"}],
        "categories": [{"id": 1, "name": "tumor"}],
        "annotations": [
            {"id": 7, "image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10]},
            {"id": 8, "image_id": 1, "category_id": 1, "bbox": [20, 0, 10, 10]},
            {"id": 7, "image_id": 1, "category_id": 1, "bbox": [40, 0, 10, 10]}
        ]
    });
    std::fs::write(&file, document.to_string()).unwrap();
    let error = read_error(&file);
    assert!(
        error.ends_with(
            "truth.json:/annotations/2/id: expected an annotation id not already used by /annotations/0, found 7"
        ),
        "{error}"
    );
}

/// A link to nothing among a set's files is refused, named, not skipped unseen.
#[cfg(unix)]
#[test]
fn dangling_links_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("csv");
    std::fs::create_dir(&csv).unwrap();
    std::fs::copy(
        sample("corrected")
            .join("csv")
            .read_dir()
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path(),
        csv.join("fov_a.csv"),
    )
    .unwrap();
    std::os::unix::fs::symlink(dir.path().join("gone.csv"), csv.join("fov_b.csv")).unwrap();
    let error = read_error(dir.path());
    assert!(
        error.ends_with(
            "fov_b.csv: a symbolic link to nothing (dangling or looping): expected a file"
        ),
        "{error}"
    );
    // A link that loops is refused the same way.
    std::fs::remove_file(csv.join("fov_b.csv")).unwrap();
    std::os::unix::fs::symlink(csv.join("fov_b.csv"), csv.join("fov_b.csv")).unwrap();
    assert!(read_error(dir.path()).contains("a symbolic link to nothing"));
}

/// A mask of another bit depth than 8 is refused (a 16-bit mask read by its high byte would
/// lose every code), and so is one declaring more pixels than the limit, before decoding.
#[test]
fn masks_of_another_depth_or_too_many_pixels_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let masks = dir.path().join("mask");
    std::fs::create_dir_all(&masks).unwrap();
    let (width, height) = (24u32, 24u32);
    let mut pixels = vec![0u8; (width * height * 3) as usize];
    for y in 4..12 {
        for x in 4..12 {
            let at = ((y * width + x) * 3) as usize;
            pixels[at..at + 3].copy_from_slice(&[1, 1, 1]);
        }
    }
    let png = nucagree::png::encode_rgb(width, height, &pixels).unwrap();
    std::fs::write(masks.join("fov.png"), &png).unwrap();
    let options = ReadOptions {
        max_image_pixels: 100,
        ..ReadOptions::default()
    };
    let error = ingest::read_set(dir.path(), &options)
        .unwrap_err()
        .to_string();
    assert!(
        error.ends_with("fov.png: an image of 24 x 24 pixels: expected at most 100 pixels (raise the limit to read it)"),
        "{error}"
    );
    assert_eq!(
        ingest::read_set(dir.path(), &ReadOptions::default())
            .unwrap()
            .nucleus_count(),
        1
    );
    let mut sixteen = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut sixteen, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Sixteen);
        let mut writer = encoder.write_header().unwrap();
        let wide: Vec<u8> = pixels.iter().flat_map(|&v| [0, v]).collect();
        writer.write_image_data(&wide).unwrap();
    }
    std::fs::write(masks.join("fov.png"), &sixteen).unwrap();
    let error = read_error(dir.path());
    assert!(
        error.ends_with("fov.png: a 16-bit mask: expected 8-bit RGB (class code, then a two-channel instance id)"),
        "{error}"
    );
}

/// Parallel lists of a parquet row (one item per nucleus) of unequal length are refused with
/// the row and field (an empty `raw_classification` list made polars panic).
#[test]
fn hugging_face_parallel_lists_of_unequal_length_are_refused() {
    use polars::prelude::*;
    let list = |name: &str, values: Series| Series::new(name.into(), [values]);
    let text = |values: &[&str]| Series::new("".into(), values.to_vec());
    let ints = |values: &[i64]| Series::new("".into(), values.to_vec());
    let fields = [
        list("raw_classification", text(&[])),
        list("type", text(&["rectangle", "rectangle"])),
        list("xmin", ints(&[0, 20])),
        list("ymin", ints(&[0, 20])),
        list("xmax", ints(&[10, 30])),
        list("ymax", ints(&[10, 30])),
    ];
    let annotations = StructChunked::from_series("annotation_coordinates".into(), 1, fields.iter())
        .unwrap()
        .into_series();
    let names = Series::new("file_name".into(), ["fov_a.png"]);
    let mut frame = DataFrame::new(1, vec![names.into(), annotations.into()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("test_fold_1-00000-of-00001.parquet");
    ParquetWriter::new(std::fs::File::create(&path).unwrap())
        .finish(&mut frame)
        .unwrap();
    let error = read_error(&path);
    assert!(
        error.ends_with(":1:annotation_coordinates.raw_classification: 0 values but 2 in type: expected one value per nucleus in every field"),
        "{error}"
    );
}

/// Bytes changed anywhere in a parquet file give an error or a set, never a panic (the
/// decoder's panics on corrupt pages are caught at the reader).
#[test]
fn corrupted_parquet_never_panics() {
    let truth = read(&sample("corrected"));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("hf");
    write_set(&truth, OutputFormat::HuggingFace, &out).unwrap();
    let file = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "parquet"))
        .unwrap();
    let bytes = std::fs::read(&file).unwrap();
    let target = dir.path().join("corrupt").join("test_fold_1.parquet");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    let mut tried = 0;
    let step = (bytes.len() / 97).max(1);
    for at in (8..bytes.len().saturating_sub(8)).step_by(step) {
        let mut corrupt = bytes.clone();
        for b in &mut corrupt[at..(at + 4).min(bytes.len())] {
            *b ^= 0x5a;
        }
        std::fs::write(&target, &corrupt).unwrap();
        // Either outcome is fine; a panic fails the test.
        let _ = ingest::read_set(&target, &ReadOptions::default());
        tried += 1;
    }
    assert!(tried >= 90, "{tried}");
}

/// A page header that declares a negative number of values made polars-parquet reserve
/// 2^61 bytes and abort the process (the fuzz harness found this file; see the fixture's
/// README): page headers are checked against their column chunk before anything decodes.
#[test]
fn a_corrupt_parquet_page_header_is_refused_before_decoding() {
    let folder =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hugging_face_corrupt_page");
    let error = read_error(&folder);
    assert!(
        error.ends_with(
            "test_fold_1.parquet: not a readable parquet file (corrupt?): row group 1, \
             column file_name: page 2: declares -46 values where 3 are left of the chunk's 3"
        ),
        "{error}"
    );
}

/// An empty file name names no FOV: refused where it is read (it made a FOV "" that was
/// written as `csv/.csv` and lost).
#[test]
fn empty_fov_names_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("truth.json");
    let document = serde_json::json!({
        "images": [{"id": 1, "file_name": ""}],
        "categories": [{"id": 1, "name": "tumor"}],
        "annotations": []
    });
    std::fs::write(&file, document.to_string()).unwrap();
    let error = read_error(&file);
    assert!(
        error.ends_with(
            "truth.json:/images/0/file_name: expected a file name that names a FOV, found \"\""
        ),
        "{error}"
    );
}

/// A COCO segmentation that is neither polygons nor RLE is refused, not read as a box.
#[test]
fn a_coco_segmentation_of_another_kind_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("truth.json");
    let document = serde_json::json!({
        "images": [{"id": 1, "file_name": "fov1.png"}],
        "categories": [{"id": 1, "name": "tumor"}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10],
                         "segmentation": "oops"}]
    });
    std::fs::write(&file, document.to_string()).unwrap();
    let error = read_error(&file);
    assert!(
        error.ends_with("truth.json:/annotations/0/segmentation: expected polygons [[x1, y1, ...], ...], an RLE object, or nothing, found \"oops\""),
        "{error}"
    );
}

#[test]
fn geojson_holes_and_parts_are_kept_and_written_back() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    std::fs::create_dir_all(&input).unwrap();
    // A 10 x 10 square with a 2 x 2 hole (96), and two 2 x 2 squares as one nucleus (8).
    std::fs::write(
        input.join("fov_a.geojson"),
        r#"{"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [
                [[0,0],[10,0],[10,10],[0,10],[0,0]], [[4,4],[4,6],[6,6],[6,4],[4,4]]]},
             "properties": {"classification": {"name": "tumor"}}},
            {"type": "Feature", "geometry": {"type": "MultiPolygon", "coordinates": [
                [[[20,0],[22,0],[22,2],[20,2],[20,0]]], [[[30,0],[32,0],[32,2],[30,2],[30,0]]]]},
             "properties": {"classification": {"name": "lymphocyte"}}}]}"#,
    )
    .unwrap();
    let set = ingest::read_set(&input, &ReadOptions::default()).unwrap();
    let areas: Vec<f64> = set.fovs[0].nuclei.iter().map(|n| n.shape.area()).collect();
    assert_eq!(areas, vec![96.0, 8.0]);
    assert_eq!(set.fovs[0].nuclei[0].shape.centroid(), [5.0, 5.0]);
    assert_eq!(set.fovs[0].nuclei[1].shape.centroid(), [26.0, 1.0]);
    // GeoJSON holds them: written and read back, the same outlines.
    write_set(&set, OutputFormat::GeoJson, &dir.path().join("geojson")).unwrap();
    let back = ingest::read_set(&dir.path().join("geojson"), &ReadOptions::default()).unwrap();
    assert_eq!(back.fovs[0].nuclei[0].shape, set.fovs[0].nuclei[0].shape);
    assert_eq!(back.fovs[0].nuclei[1].shape, set.fovs[0].nuclei[1].shape);
    // One ring a nucleus: both simplified (and said so); COCO loses only the hole.
    assert_eq!(outlines_simplified(&set, OutputFormat::GeoJson), 0);
    assert_eq!(outlines_simplified(&set, OutputFormat::Nucls), 2);
    assert_eq!(outlines_simplified(&set, OutputFormat::Coco), 1);
    write_set(&set, OutputFormat::Nucls, &dir.path().join("nucls")).unwrap();
    let csv = ingest::read_set(&dir.path().join("nucls"), &ReadOptions::default()).unwrap();
    let areas: Vec<f64> = csv.fovs[0].nuclei.iter().map(|n| n.shape.area()).collect();
    assert_eq!(areas, vec![100.0, 4.0]);
}

/// A QuPath cell export carries the cell (`geometry`) and the nucleus (`nucleusGeometry`):
/// the nucleus is read unless the cell is asked for, and either choice is counted; QuPath's
/// derived classes (`names`) resolve by their joined name, else their first part.
#[test]
fn qupath_cells_are_read_by_their_nucleus_unless_the_cell_is_asked_for() {
    use nucagree::ingest::QupathGeometry;
    use nucagree::quality::FindingKind;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("qupath");
    std::fs::create_dir_all(&input).unwrap();
    // A cell 20 x 20 around a 10 x 10 nucleus; a detection with only a geometry (6 x 6).
    std::fs::write(
        input.join("fov_a.geojson"),
        r#"{"type": "FeatureCollection", "features": [
            {"type": "Feature", "id": "c1",
             "geometry": {"type": "Polygon", "coordinates": [[[0,0],[20,0],[20,20],[0,20],[0,0]]]},
             "nucleusGeometry": {"type": "Polygon", "coordinates": [[[5,5],[15,5],[15,15],[5,15],[5,5]]]},
             "properties": {"objectType": "cell",
                            "classification": {"names": ["tumor", "Positive"], "color": [200, 0, 0]},
                            "measurements": {"Nucleus: Area": 100}}},
            {"type": "Feature", "id": "d1",
             "geometry": {"type": "Polygon", "coordinates": [[[40,40],[46,40],[46,46],[40,46],[40,40]]]},
             "properties": {"objectType": "detection", "classification": {"name": "lymphocyte"}}}]}"#,
    )
    .unwrap();
    let areas = |set: &AnnotationSet| -> Vec<f64> {
        set.fovs[0].nuclei.iter().map(|n| n.shape.area()).collect()
    };
    let nuclei = ingest::read_set(&input, &ReadOptions::default()).unwrap();
    assert_eq!(areas(&nuclei), vec![100.0, 36.0]);
    assert_eq!(nuclei.quality.count(FindingKind::CellReadAsNucleus), 1);
    assert_eq!(nuclei.quality.count(FindingKind::CellReadAsCell), 0);
    let tumor = nuclei.hierarchy.resolve("tumor").unwrap();
    assert_eq!(nuclei.fovs[0].nuclei[0].class, tumor);
    let options = ReadOptions {
        qupath_geometry: QupathGeometry::Cell,
        ..ReadOptions::default()
    };
    let cells = ingest::read_set(&input, &options).unwrap();
    assert_eq!(areas(&cells), vec![400.0, 36.0]);
    assert_eq!(cells.quality.count(FindingKind::CellReadAsCell), 1);
    // A derived class whose parts name no class is refused where it is.
    let text = std::fs::read_to_string(input.join("fov_a.geojson"))
        .unwrap()
        .replace(r#"["tumor", "Positive"]"#, r#"["Stroma-ish", "Positive"]"#);
    std::fs::write(input.join("fov_a.geojson"), text).unwrap();
    let error = read_error(&input);
    assert!(
        error.contains("fov_a.geojson:/features/0/properties/classification:"),
        "{error}"
    );
}

/// Label-map sets convert to COCO as RLE masks (every piece and hole kept), which read back
/// to the same outlines, so `score` gives the same results from either.
#[test]
fn label_maps_convert_to_coco_rle_masks_and_back_exactly() {
    let fixture = |side: &str| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/instance/png")
            .join(side)
    };
    let dir = tempfile::tempdir().unwrap();
    let mut sets = Vec::new();
    for side in ["true", "pred"] {
        let set = read(&fixture(side));
        assert_eq!(outlines_simplified(&set, OutputFormat::Coco), 0);
        let out = dir.path().join(side);
        write_set(&set, OutputFormat::Coco, &out).unwrap();
        let text = std::fs::read_to_string(out.join("annotations.json")).unwrap();
        assert!(
            text.contains(r#""segmentation":{"counts":"#),
            "masks, not polygons"
        );
        let options = ReadOptions {
            hierarchy: set.hierarchy.clone(),
            hierarchy_chosen: true,
            ..ReadOptions::default()
        };
        let back = ingest::read_set(&out.join("annotations.json"), &options).unwrap();
        assert_eq!(back.fovs.len(), set.fovs.len());
        for (fov, fov_back) in set.fovs.iter().zip(&back.fovs) {
            assert_eq!(fov.name, fov_back.name);
            let shapes: Vec<&Shape> = fov.nuclei.iter().map(|n| &n.shape).collect();
            let shapes_back: Vec<&Shape> = fov_back.nuclei.iter().map(|n| &n.shape).collect();
            assert_eq!(shapes, shapes_back, "{}", fov.name);
            // Masks that do not overlap are a label map: the instance metrics count pixels.
            let pixels =
                |f: &nucagree::model::Fov| f.label_map.as_ref().map(|m| m.foreground_pixels());
            assert_eq!(pixels(fov), pixels(fov_back), "{}", fov.name);
        }
        sets.push((set, back));
    }
    let [(truth, truth_back), (pred, pred_back)] = [sets.remove(0), sets.remove(0)];
    assert_eq!(
        score_json(&pred, &truth),
        score_json(&pred_back, &truth_back)
    );
}

/// DSA annotation documents as HistomicsUI downloads them: wrapped or bare, one or several
/// per file; rotated rectangles are outlines of their corners, open polylines are closed
/// and counted, holes are kept, the class comes from `group` or `label.value`, and what is
/// wrong is located by its JSON pointer.
#[test]
fn dsa_documents_read_as_histomicsui_writes_them() {
    use nucagree::quality::FindingKind;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("dsa");
    std::fs::create_dir_all(&input).unwrap();
    let document = serde_json::json!([
        {"annotation": {"name": "nuclei", "elements": [
            {"type": "rectangle", "center": [20, 10, 0], "width": 8, "height": 4,
             "rotation": 0, "group": "tumor"},
            {"type": "rectangle", "center": [50, 50, 0], "width": 10, "height": 10,
             "rotation": std::f64::consts::FRAC_PI_4, "label": {"value": "lymphocyte"}},
            {"type": "polyline", "closed": false, "group": "fibroblast",
             "points": [[0, 30, 0], [10, 30, 0], [10, 40, 0], [0, 40, 0]]}
         ]}, "creatorId": "5e8f", "_id": "abc"},
        {"name": "more", "elements": [
            {"type": "point", "center": [70, 70, 0], "group": "lymphocyte", "user": {"score": 0.9}},
            {"type": "polyline", "closed": true, "group": "tumor",
             "points": [[100, 100, 0], [120, 100, 0], [120, 120, 0], [100, 120, 0]],
             "holes": [[[105, 105, 0], [105, 110, 0], [110, 110, 0], [110, 105, 0]]]}
        ]}
    ]);
    std::fs::write(input.join("fov_a.json"), document.to_string()).unwrap();
    let set = read(&input);
    assert_eq!(set.format.name(), "dsa");
    let fov = &set.fovs[0];
    assert_eq!(fov.name, "fov_a");
    let nuclei = &fov.nuclei;
    assert_eq!(nuclei.len(), 5);
    assert_eq!(
        nuclei[0].shape,
        Shape::Box(BoundingBox {
            xmin: 16.0,
            ymin: 8.0,
            xmax: 24.0,
            ymax: 12.0
        })
    );
    // Rotated by 45°: a diamond of the same area around the same centre.
    assert!(matches!(nuclei[1].shape, Shape::Polygon(_)));
    assert!((nuclei[1].shape.area() - 100.0).abs() < 1e-9);
    let half_diagonal = 50.0_f64.sqrt();
    assert!((nuclei[1].bbox.xmax - (50.0 + half_diagonal)).abs() < 1e-9);
    assert_eq!(nuclei[2].shape.area(), 100.0);
    assert_eq!(set.quality.count(FindingKind::OpenPolylineClosed), 1);
    assert_eq!(nuclei[3].shape, Shape::Point([70.0, 70.0]));
    assert_eq!(nuclei[3].score, Some(0.9));
    assert_eq!(nuclei[4].shape.area(), 400.0 - 25.0);
    let classes: Vec<&str> = nuclei
        .iter()
        .map(|n| set.hierarchy.name(n.class.id, ClassLevel::Raw))
        .collect();
    assert_eq!(
        classes,
        ["tumor", "lymphocyte", "fibroblast", "lymphocyte", "tumor"]
    );
    // Written back as DSA, the same nuclei.
    write_set(&set, OutputFormat::Dsa, &dir.path().join("back")).unwrap();
    let back = read(&dir.path().join("back"));
    let shapes = |s: &AnnotationSet| -> Vec<Shape> {
        s.fovs[0].nuclei.iter().map(|n| n.shape.clone()).collect()
    };
    assert_eq!(shapes(&back), shapes(&set));
    // Errors name the element.
    let mut bad = document.clone();
    bad[1]["elements"][0]["type"] = serde_json::json!("ellipse");
    std::fs::write(input.join("fov_a.json"), bad.to_string()).unwrap();
    let error = read_error(&input);
    assert!(
        error.ends_with("fov_a.json:/1/elements/0/type: expected \"polyline\", \"rectangle\" or \"point\", found \"ellipse\""),
        "{error}"
    );
    let mut bad = document.clone();
    bad[0]["annotation"]["elements"][1]["label"] = serde_json::json!({});
    std::fs::write(input.join("fov_a.json"), bad.to_string()).unwrap();
    let error = read_error(&input);
    assert!(
        error.contains("fov_a.json:/0/annotation/elements/1/group: expected a class name in group or label.value"),
        "{error}"
    );
}
