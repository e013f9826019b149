//! Instance label maps as annotation sets: every command reads them, `conventions` and
//! `score` compute the field's instance metrics on them, and bad label maps get located
//! errors.

mod common;

use nucagree::ingest::{read_set, ReadOptions};
use nucagree::quality::FindingKind;
use std::path::{Path, PathBuf};

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/instance")
        .join(path)
}

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn vectors() -> serde_json::Value {
    serde_json::from_str(include_str!("fixtures/instance/instance_vectors.json")).unwrap()
}

#[test]
fn conventions_command_writes_the_peers_figures() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let output = common::run_ok(
        &[
            "conventions",
            "--truth",
            arg(&fixture("conic_true.npy")),
            "--pred",
            arg(&fixture("conic_pred.npy")),
            "--out",
            arg(&out),
            "--quiet",
        ],
        None,
    );
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(printed.contains("8 images, 120 nuclei in the prediction, 126 in the truth"));
    let v = common::summary(&out);
    let expected = vectors();
    let conic = &v["conventions"]["conic"];
    assert_eq!(conic["mpq_plus"], expected["dataset"]["conic"]["mpq_plus"]);
    assert_eq!(
        v["conventions"]["hovernet"]["f1_d"],
        expected["dataset"]["hovernet_type_stat"]["f1_d"]
    );
    assert_eq!(v["conventions"]["measured"]["pixels"], 8);
    // img05's empty prediction: AJI defined (0), Dice2 undefined (null).
    let img05 = &v["conventions"]["hovernet"]["per_image"]["5"];
    assert_eq!(img05["aji"], 0.0);
    assert!(img05["dice_2"].is_null());
    // CoNIC's scheme has coarser levels of its own.
    assert!(v["levels"]["super"]["conic"]["mpq_plus"].is_number());
    // Tables reconcile: the per-image counts add up to the set sizes.
    let counts = std::fs::read_to_string(out.join("image_counts.csv")).unwrap();
    let (mut truth, mut pred) = (0, 0);
    for line in counts.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        truth += cells[2].parse::<u64>().unwrap();
        pred += cells[3].parse::<u64>().unwrap();
    }
    assert_eq!((truth, pred), (126, 120));
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains("## The same data under each convention"));
    assert!(out.join("plots/count_agreement.png").is_file());
}

#[test]
fn score_on_label_images_leads_with_the_chosen_convention() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    common::run_ok(
        &[
            "score",
            "--truth",
            arg(&fixture("png/true")),
            "--pred",
            arg(&fixture("png/pred")),
            "--out",
            arg(&out),
            "--bootstrap",
            "0",
            "--convention",
            "pannuke",
            "--thresholds",
            "0.5,0.75",
            "--quiet",
        ],
        None,
    );
    let v = common::summary(&out);
    common::assert_tables_reconcile(&v);
    let expected = vectors();
    // The PNG layout has the six CoNIC classes (told from its class tables).
    assert_eq!(
        v["conventions"]["stardist"]["pooled"]["0.5"]["tp"],
        expected["dataset"]["stardist_pooled"]["0.5"]["tp"]
    );
    assert!(v["conventions"]["stardist"]["pooled"]["0.75"].is_object());
    assert!(v["conventions"]["stardist"]["pooled"]["0.1"].is_null());
    assert_eq!(v["params"]["convention"], "pannuke");
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    let headline = report.split("## Headline").nth(1).unwrap();
    assert!(headline.starts_with("\n\nUnder pannuke's convention"));
    assert!(report.contains("HoVer-Net, CoNIC, PanNuke, StarDist (IoU ≥ 0.5, 0.75)"));
}

/// The outlines' total area, and how many are in several pieces.
fn traced_area_and_pieces(set: &nucagree::model::AnnotationSet) -> (f64, usize) {
    let nuclei = || set.fovs.iter().flat_map(|f| &f.nuclei);
    let area = nuclei().map(|n| n.shape.area()).sum();
    let pieces = nuclei()
        .filter(|n| matches!(n.shape, nucagree::model::Shape::Pieces(_)))
        .count();
    (area, pieces)
}

/// The label maps' foreground pixels.
fn pixels_of(set: &nucagree::model::AnnotationSet) -> f64 {
    set.fovs
        .iter()
        .map(|f| f.label_map.as_ref().unwrap().foreground_pixels() as f64)
        .sum()
}

#[test]
fn every_layout_reads_the_same_instances() {
    let options = ReadOptions::default();
    let png = read_set(&fixture("png/true"), &options).unwrap();
    let conic = read_set(&fixture("conic_true.npy"), &options).unwrap();
    let pannuke = read_set(&fixture("pannuke/true/masks.npy"), &options).unwrap();
    assert_eq!(png.format.name(), "labels");
    assert_eq!(conic.format.name(), "conic");
    assert_eq!(pannuke.format.name(), "pannuke");
    for set in [&png, &conic, &pannuke] {
        assert_eq!(set.nucleus_count(), 126);
        assert_eq!(set.fovs.len(), 8);
        assert_eq!(traced_area_and_pieces(set), (pixels_of(set), 0));
    }
    // Outlines are traced along pixel edges, every piece kept and holes left out: their areas
    // are the pixel counts. Six predicted instances are in two pieces.
    for (layout, pieces) in [
        ("png/pred", 6),
        ("conic_pred.npy", 6),
        ("pannuke/pred/masks.npy", 6),
    ] {
        let set = read_set(&fixture(layout), &options).unwrap();
        assert_eq!(
            traced_area_and_pieces(&set),
            (pixels_of(&set), pieces),
            "{layout}"
        );
        assert_eq!(set.quality.count(FindingKind::LabelPieces), pieces);
    }
    // PanNuke's tissues are the images' groups.
    assert_eq!(pannuke.fovs[0].group.as_deref(), Some("Breast"));
    assert_eq!(pannuke.fovs[1].group.as_deref(), Some("Colon"));
    assert_eq!(
        conic.hierarchy.names(nucagree::model::ClassLevel::Raw)[1],
        "epithelial"
    );
}

#[test]
fn label_images_without_class_tables_are_one_class() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["img00.png", "img01.png"] {
        std::fs::copy(fixture("png/true").join(name), dir.path().join(name)).unwrap();
    }
    let set = read_set(dir.path(), &ReadOptions::default()).unwrap();
    assert_eq!(
        set.hierarchy.names(nucagree::model::ClassLevel::Raw),
        ["nucleus"]
    );
    assert_eq!(set.fovs.len(), 2);
}

fn read_error(path: &Path) -> String {
    read_set(path, &ReadOptions::default())
        .unwrap_err()
        .to_string()
}

/// A CoNIC array of one 2 x 2 image with these (instance, class) pixels.
fn conic_array(dir: &Path, pixels: [(i32, i32); 4]) -> PathBuf {
    let dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (1, 2, 2, 2), }";
    let padded = format!("{dict:<117}\n");
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend_from_slice(&(padded.len() as u16).to_le_bytes());
    bytes.extend_from_slice(padded.as_bytes());
    for (id, class) in pixels {
        bytes.extend_from_slice(&id.to_le_bytes());
        bytes.extend_from_slice(&class.to_le_bytes());
    }
    let path = dir.join("labels.npy");
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn bad_label_maps_get_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    // A negative instance id.
    let path = conic_array(dir.path(), [(1, 2), (-3, 2), (0, 0), (0, 0)]);
    let error = read_error(&path);
    assert!(
        error.contains("labels.npy")
            && error
                .contains("image 0, pixel row 1, column 2, channel 0: -3 is not an instance id"),
        "{error}"
    );
    // A class id outside CoNIC's six.
    let path = conic_array(dir.path(), [(1, 9), (1, 9), (0, 0), (0, 0)]);
    let error = read_error(&path);
    assert!(error.contains("class id 9: expected 1 to 6"), "{error}");
    // A file cut short.
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 4]).unwrap();
    let error = read_error(&path);
    assert!(error.contains("needs 160"), "{error}");
    // A label image whose class table misses an instance.
    let images = dir.path().join("images");
    std::fs::create_dir(&images).unwrap();
    std::fs::copy(fixture("png/true/img00.png"), images.join("img00.png")).unwrap();
    std::fs::write(
        images.join("img00_classes.csv"),
        "instance,class\n1,epithelial\n",
    )
    .unwrap();
    let error = read_error(&images);
    assert!(
        error.contains("img00.png")
            && error.contains("has no row in")
            && error.contains("img00_classes.csv"),
        "{error}"
    );
    // A class table with an instance twice.
    std::fs::write(
        images.join("img00_classes.csv"),
        "instance,class\n1,epithelial\n1,plasma\n",
    )
    .unwrap();
    let error = read_error(&images);
    assert!(
        error.contains("img00_classes.csv:3:instance")
            && error.contains("listed twice (rows 2 and 3)"),
        "{error}"
    );
    // A .mat file without inst_map.
    let mats = dir.path().join("mats");
    std::fs::create_dir(&mats).unwrap();
    let mut header = b"MATLAB 5.0 MAT-file, written by a test".to_vec();
    header.resize(124, b' ');
    header.extend_from_slice(&[0, 1, b'I', b'M']);
    std::fs::write(mats.join("img.mat"), header).unwrap();
    let error = read_error(&mats);
    assert!(
        error.contains("img.mat") && error.contains("no inst_map"),
        "{error}"
    );
}

#[test]
fn image_groups_give_pannuke_its_tissues_on_any_layout() {
    let dir = tempfile::tempdir().unwrap();
    let groups = dir.path().join("groups.csv");
    let tissues: String = (0..8)
        .map(|i| format!("img0{i},{}\n", if i % 2 == 0 { "Breast" } else { "Colon" }))
        .collect();
    std::fs::write(&groups, format!("image,group\n{tissues}")).unwrap();
    let out = dir.path().join("out");
    common::run_ok(
        &[
            "conventions",
            "--truth",
            arg(&fixture("png/true")),
            "--pred",
            arg(&fixture("png/pred")),
            "--image-groups",
            arg(&groups),
            "--out",
            arg(&out),
            "--quiet",
        ],
        None,
    );
    let v = common::summary(&out);
    // Binary PQ by tissue is class-agnostic: the PanNuke layout's figures, from PNGs.
    let expected = &vectors()["dataset"]["pannuke"]["per_tissue"];
    for tissue in ["Breast", "Colon"] {
        let ours = v["conventions"]["pannuke"]["per_tissue"][tissue]["bpq"]
            .as_f64()
            .unwrap();
        let theirs = expected[tissue]["bPQ"].as_f64().unwrap();
        assert!((ours - theirs).abs() < 1e-9, "{tissue}: {ours} != {theirs}");
    }
    // An image listed twice is refused with both rows.
    std::fs::write(&groups, "image,group\nimg00,Breast\nimg00,Colon\n").unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_nucagree"))
        .args([
            "conventions",
            "--truth",
            arg(&fixture("png/true")),
            "--pred",
            arg(&fixture("png/pred")),
            "--image-groups",
            arg(&groups),
        ])
        .output()
        .unwrap();
    let error = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{error}");
    assert!(
        error.contains("groups.csv:3:image") && error.contains("listed twice (rows 2 and 3)"),
        "{error}"
    );
}

#[test]
fn tiff_label_images_read_as_the_png_ones() {
    // The PNG fixtures written as 32-bit TIFFs (LZW-compressed, as QuPath writes them).
    let dir = tempfile::tempdir().unwrap();
    for side in ["true", "pred"] {
        let folder = dir.path().join(side);
        std::fs::create_dir(&folder).unwrap();
        for i in 0..8 {
            let png = fixture(&format!("png/{side}/img0{i}.png"));
            let bytes = std::fs::read(&png).unwrap();
            let (width, height, ids) =
                nucagree::png::decode_gray_within(&png, &bytes, 1 << 20).unwrap();
            let file = std::fs::File::create(folder.join(format!("img0{i}.tif"))).unwrap();
            let mut encoder = tiff::encoder::TiffEncoder::new(file).unwrap();
            encoder
                .write_image_with_compression::<tiff::encoder::colortype::Gray32, _>(
                    width,
                    height,
                    tiff::encoder::compression::Lzw,
                    &ids,
                )
                .unwrap();
            let classes = format!("img0{i}_classes.csv");
            std::fs::copy(
                fixture(&format!("png/{side}/{classes}")),
                folder.join(&classes),
            )
            .unwrap();
        }
    }
    let options = ReadOptions::default();
    let tiff_truth = read_set(&dir.path().join("true"), &options).unwrap();
    let tiff_pred = read_set(&dir.path().join("pred"), &options).unwrap();
    let png_truth = read_set(&fixture("png/true"), &options).unwrap();
    let png_pred = read_set(&fixture("png/pred"), &options).unwrap();
    assert_eq!(tiff_truth.format.name(), "labels");
    let figures = |truth, pred| {
        nucagree::conventions::conventions_report(truth, pred, &Default::default()).conventions
    };
    let (from_tiff, from_png) = (
        figures(&tiff_truth, &tiff_pred),
        figures(&png_truth, &png_pred),
    );
    assert_eq!(from_tiff.figures, from_png.figures);
    assert_eq!(from_tiff.counts, from_png.counts);
}

#[test]
fn sets_with_different_class_schemes_are_refused() {
    // Label images without class tables are one class, CoNIC's arrays CoNIC's six.
    let dir = tempfile::tempdir().unwrap();
    for i in 0..8 {
        let name = format!("img0{i}.png");
        std::fs::copy(fixture("png/pred").join(&name), dir.path().join(&name)).unwrap();
    }
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_nucagree"))
        .args([
            "conventions",
            "--truth",
            arg(&fixture("conic_true.npy")),
            "--pred",
            arg(dir.path()),
        ])
        .output()
        .unwrap();
    let error = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{error}");
    assert!(
        error.contains("its classes (nucleus) are not those of")
            && error
                .contains("(neutrophil, epithelial, lymphocyte, plasma, eosinophil, connective)")
            && error.contains("--classes"),
        "{error}"
    );
}
