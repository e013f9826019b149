//! `nucagree regions`: tissue-region masks compared pixel by pixel, checked on hand-built
//! masks with known confusion and against scikit-learn on flattened masks.

mod common;

use serde_json::Value;
use std::path::Path;

/// Writes an 8-bit grayscale PNG of class codes, row by row.
fn write_mask(path: &Path, width: u32, height: u32, codes: &[u8]) {
    let file = std::fs::File::create(path).unwrap();
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), width, height);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    encoder
        .write_header()
        .unwrap()
        .write_image_data(codes)
        .unwrap();
}

fn close(value: &Value, want: f64) {
    let got = value
        .as_f64()
        .unwrap_or_else(|| panic!("{value} is not a number"));
    assert!((got - want).abs() < 1e-12, "{got} != {want}");
}

/// One ROI of 4 x 2 pixels (BCSS codes: 0 outside, 1 tumor, 2 stroma, 3 lymphocytic
/// infiltrate, 4 necrosis, 7 exclude). A: 1 1 2 2 / 0 7 3 3; B: 1 2 2 2 / 1 1 3 4. One pixel
/// is outside (A's 0), one ignored (A's 7); of the six compared, four agree: accuracy 2/3,
/// kappa (4/6 - 10/36) / (1 - 10/36) = 7/13, Dice tumor 2/3, stroma 4/5, lymphocytic 2/3,
/// necrosis 0; a second ROI only A has is listed, not compared.
#[test]
fn hand_built_masks_give_their_known_figures() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    let roi = "TCGA-A1-A0SK-DX1_xmin100_ymin200_MPP-0.2500.png";
    write_mask(&a.join(roi), 4, 2, &[1, 1, 2, 2, 0, 7, 3, 3]);
    write_mask(&b.join(roi), 4, 2, &[1, 2, 2, 2, 1, 1, 3, 4]);
    write_mask(
        &a.join("TCGA-A1-A0SK-DX1_xmin5_ymin5.png"),
        2,
        2,
        &[1, 1, 1, 1],
    );
    let out = dir.path().join("out");
    let output = common::run_ok(
        &[
            "regions",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--bootstrap",
            "0",
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        said.contains("1 ROIs, 6 pixels compared (1 outside either ROI, 1 ignored)"),
        "{said}"
    );
    let v = common::summary(&out);
    assert_eq!(v["counts"]["pixels_compared"], 6);
    assert_eq!(v["counts"]["only_in_a"][0], "TCGA-A1-A0SK-DX1_xmin5_ymin5");
    for level in [0, 1] {
        let l = &v["levels"][level];
        close(&l["accuracy"]["value"], 4.0 / 6.0);
        close(&l["kappa"]["value"], 7.0 / 13.0);
        close(
            &l["mean_dice"]["value"],
            (2.0 / 3.0 + 0.8 + 2.0 / 3.0 + 0.0) / 4.0,
        );
        assert_eq!(l["accuracy"]["ci95"], Value::Null);
    }
    let raw = &v["levels"][0];
    let class = |name: &str| -> &Value {
        raw["per_class"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["class"] == name)
            .unwrap()
    };
    close(&class("tumor")["dice"]["value"], 2.0 / 3.0);
    close(&class("tumor")["iou"], 0.5);
    close(&class("stroma")["dice"]["value"], 0.8);
    close(&class("necrosis_or_debris")["dice"]["value"], 0.0);
    assert_eq!(class("fat")["dice"]["value"], Value::Null);
    // Rows the reference: B's stroma row holds A's tumor 1 and stroma 2.
    let classes: Vec<&str> = raw["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let (tumor, stroma) = (
        classes.iter().position(|c| *c == "tumor").unwrap(),
        classes.iter().position(|c| *c == "stroma").unwrap(),
    );
    assert_eq!(raw["confusion"][stroma][tumor], 1);
    assert_eq!(raw["confusion"][stroma][stroma], 2);
    // The main level groups lymphocytic infiltrate as inflammatory.
    let main = &v["levels"][1];
    assert_eq!(
        main["classes"],
        serde_json::json!(["tumor", "stroma", "inflammatory", "necrosis", "other"])
    );
    // Every cell of the confusion adds up to the pixels compared, in the table too.
    let table = std::fs::read_to_string(out.join("confusion.csv")).unwrap();
    let total: u64 = table
        .lines()
        .skip(1)
        .filter(|l| l.starts_with("raw,"))
        .map(|l| l.rsplit(',').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(total, 6);
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains("## Methods"), "{report}");
    assert!(
        report.contains("code 0") && report.contains("code 7"),
        "{report}"
    );
    assert!(out.join("plots/confusion_main.png").exists());
}

#[test]
fn unknown_codes_and_mismatched_sizes_are_refused_where_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    write_mask(&a.join("roi.png"), 3, 2, &[1, 1, 1, 2, 2, 2]);
    write_mask(&b.join("roi.png"), 3, 2, &[1, 1, 1, 2, 2, 99]);
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_nucagree"))
            .args(["regions", a.to_str().unwrap(), b.to_str().unwrap()])
            .output()
            .unwrap()
    };
    let output = run();
    assert_eq!(output.status.code(), Some(2));
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(error.contains("roi.png:2:3"), "{error}");
    assert!(error.contains("row 2, column 3 has code 99"), "{error}");
    write_mask(&b.join("roi.png"), 2, 3, &[1, 1, 1, 2, 2, 2]);
    let error = String::from_utf8_lossy(&run().stderr).into_owned();
    assert!(error.contains("a mask of 3 x 2 pixels where"), "{error}");
    // A codes table of one's own: its own classes, outside and ignore codes.
    std::fs::write(
        b.join("gtruth_codes.tsv"),
        "label\tGT_code\nnone\t0\nred\t1\nblue\t2\n",
    )
    .unwrap();
    write_mask(&b.join("roi.png"), 3, 2, &[0, 1, 1, 2, 2, 2]);
    let output = common::run_ok(
        &[
            "regions",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--outside-code",
            "0",
            "--bootstrap",
            "0",
        ],
        None,
    );
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        said.contains("1 ROIs, 5 pixels compared (1 outside either ROI, 0 ignored)"),
        "{said}"
    );
    assert!(said.contains("raw: pixel accuracy 1.000"), "{said}");
}

/// Pixel accuracy, kappa and per-class Dice equal scikit-learn's on the flattened masks
/// (outside and excluded pixels left out), at the raw codes and at BCSS's main classes
/// (`tests/fixtures/regions_sklearn/`, with its source).
#[test]
fn pixel_figures_equal_scikit_learn_on_flattened_masks() {
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/regions_sklearn/vectors.json");
    let vectors: Value = serde_json::from_str(&std::fs::read_to_string(fixture).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    for roi in vectors["rois"].as_array().unwrap() {
        let name = format!("{}.png", roi["name"].as_str().unwrap());
        let (w, h) = (
            roi["width"].as_u64().unwrap() as u32,
            roi["height"].as_u64().unwrap() as u32,
        );
        let codes = |key: &str| -> Vec<u8> {
            roi[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_u64().unwrap() as u8)
                .collect()
        };
        write_mask(&a.join(&name), w, h, &codes("a"));
        write_mask(&b.join(&name), w, h, &codes("b"));
    }
    let out = dir.path().join("out");
    common::run_ok(
        &[
            "regions",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    let v = common::summary(&out);
    assert_eq!(v["counts"]["pixels_compared"], vectors["pixels"]);
    let near = |got: &Value, want: &Value, what: &str| {
        let (g, w) = (got.as_f64().unwrap(), want.as_f64().unwrap());
        assert!((g - w).abs() < 1e-9, "{what}: {g} != {w}");
    };
    let bcss_label = |code: &str| -> &str {
        nucagree::model::region_scheme::BCSS_CODES
            .iter()
            .find(|(_, c)| c.to_string() == code)
            .unwrap()
            .0
    };
    for (index, level) in ["raw", "main"].iter().enumerate() {
        let l = &v["levels"][index];
        let want = &vectors[level];
        near(&l["accuracy"]["value"], &want["accuracy"], "accuracy");
        near(&l["kappa"]["value"], &want["kappa"], "kappa");
        let dice = want["dice"].as_object().unwrap();
        assert!(dice.len() >= 5);
        for (label, value) in dice {
            let name = if *level == "raw" {
                bcss_label(label)
            } else {
                label.as_str()
            };
            let row = l["per_class"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["class"] == name)
                .unwrap_or_else(|| panic!("{name}"));
            near(&row["dice"]["value"], value, name);
        }
        // With 1,000 replicates over two ROIs the intervals exist and hold the estimate.
        let ci = l["kappa"]["ci95"].as_array().unwrap();
        assert!(ci[0].as_f64().unwrap() <= ci[1].as_f64().unwrap());
    }
}

/// `regions --study`: three raters' masks of two ROIs (one ROI only two raters drew): Fleiss'
/// kappa on the pixels all three rated, Krippendorff's alpha on every pixel rated twice, and
/// the pairwise kappa equal the library's coefficients (each checked against its reference
/// implementation) on the same pixels as ratings.
#[test]
fn a_study_of_masks_gives_the_coefficients_of_its_pixels() {
    use nucagree::stats::fleiss::{counts_of_ratings, fleiss_kappa};
    use nucagree::stats::krippendorff::{krippendorff_alpha, Level};
    let dir = tempfile::tempdir().unwrap();
    let study = dir.path().join("study");
    // BCSS codes; 0 is outside the ROI (no rating).
    let masks: [(&str, [&[u8]; 2]); 3] = [
        ("r1", [&[1, 1, 2, 2, 3, 3], &[2, 2, 2, 1]]),
        ("r2", [&[1, 2, 2, 2, 3, 0], &[2, 1, 2, 1]]),
        ("r3", [&[1, 1, 2, 4, 3, 3], &[]]),
    ];
    for (rater, rois) in &masks {
        std::fs::create_dir_all(study.join(rater)).unwrap();
        write_mask(&study.join(rater).join("roi_a.png"), 3, 2, rois[0]);
        if !rois[1].is_empty() {
            write_mask(&study.join(rater).join("roi_b.png"), 2, 2, rois[1]);
        }
    }
    let out = dir.path().join("out");
    common::run_ok(
        &[
            "regions",
            "--study",
            study.to_str().unwrap(),
            "--bootstrap",
            "0",
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    let v = common::summary(&out);
    assert_eq!(v["raters"], serde_json::json!(["r1", "r2", "r3"]));
    assert_eq!(v["rois"], 2);
    // Raters x pixels (roi_a's 6 then roi_b's 4); code 0 and a missing mask are no rating.
    let ratings: Vec<Vec<Option<u8>>> = masks
        .iter()
        .map(|(_, rois)| {
            let a = rois[0].iter().map(|&c| (c != 0).then_some(c));
            let b: Vec<Option<u8>> = if rois[1].is_empty() {
                vec![None; 4]
            } else {
                rois[1].iter().map(|&c| Some(c)).collect()
            };
            a.chain(b).collect()
        })
        .collect();
    let complete: Vec<usize> = (0..10)
        .filter(|&p| ratings.iter().all(|r| r[p].is_some()))
        .collect();
    let fleiss_ratings: Vec<Vec<Option<u8>>> = ratings
        .iter()
        .map(|r| complete.iter().map(|&p| r[p]).collect())
        .collect();
    let want_fleiss = fleiss_kappa(&counts_of_ratings(&fleiss_ratings))
        .unwrap()
        .kappa;
    let raw = &v["levels"][0];
    assert_eq!(raw["fleiss_pixels"], 5);
    close(&raw["fleiss_kappa"]["value"], want_fleiss);
    let as_f64: Vec<Vec<Option<f64>>> = ratings
        .iter()
        .map(|r| r.iter().map(|c| c.map(f64::from)).collect())
        .collect();
    close(
        &raw["krippendorff_alpha"]["value"],
        krippendorff_alpha(&as_f64, Level::Nominal).unwrap(),
    );
    // r1 against r2: the 9 pixels both rated.
    let both: Vec<usize> = (0..10)
        .filter(|&p| ratings[0][p].is_some() && ratings[1][p].is_some())
        .collect();
    assert_eq!(both.len(), 9);
    let labels = |r: usize| -> Vec<u8> { both.iter().map(|&p| ratings[r][p].unwrap()).collect() };
    let pair = nucagree::stats::cohen::cohen_kappa_of_labels(
        &labels(0),
        &labels(1),
        &nucagree::stats::cohen::KappaWeights::Unweighted,
    )
    .unwrap();
    close(&raw["pairwise_kappa"][0][1], pair.kappa);
    assert_eq!(raw["pairwise_kappa"][0][0], Value::Null);
    assert!(out.join("pairwise.csv").exists());
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        report.contains("(plots/pairwise_kappa_raw.png)")
            && report.contains("(plots/pairwise_kappa_main.png)"),
        "{report}"
    );
    assert!(out.join("plots/pairwise_kappa_main.svg").exists());
}

/// `score --region-masks`: every nucleus of the sample falls in a region of its FOV's mask,
/// so the strata's TP, FP and FN add up to the score's; the table and the report hold them.
#[test]
fn nuclei_by_tissue_region_add_up_to_the_score() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("data-sample");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    common::run_ok(
        &[
            "score",
            "--truth",
            sample.join("corrected").to_str().unwrap(),
            "--pred",
            sample.join("predictions").to_str().unwrap(),
            "--region-masks",
            sample.join("regions/truth").to_str().unwrap(),
            "--bootstrap",
            "0",
            "--overlays",
            "0",
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    let v = common::summary(&out);
    let strata = v["region_strata"]["strata"].as_array().unwrap();
    let regions: Vec<&str> = strata
        .iter()
        .map(|s| s["region"].as_str().unwrap())
        .collect();
    assert!(
        regions.contains(&"tumor") && regions.contains(&"stroma"),
        "{regions:?}"
    );
    assert_eq!(v["region_strata"]["outside_regions"], 0);
    assert_eq!(v["region_strata"]["fovs_with_masks"], 30);
    let sum = |key: &str| strata.iter().map(|s| s[key].as_u64().unwrap()).sum::<u64>();
    let detection = &v["levels"]["raw"]["detection"];
    assert_eq!(sum("tp"), detection["tp"].as_u64().unwrap());
    assert_eq!(sum("fp"), detection["fp"].as_u64().unwrap());
    assert_eq!(sum("fn"), detection["fn"].as_u64().unwrap());
    let table = std::fs::read_to_string(out.join("by_region.csv")).unwrap();
    assert!(table.starts_with("region,tp,fp,fn,precision,recall,f1,class_accuracy,class_kappa"));
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains("## By tissue region"), "{report}");
}

/// Three ROIs of two slides, with the ROI images beside the masks (BCSS's `images/`): a slide
/// of two ROIs has intervals over them, one of a single ROI none; the worst ROI is drawn over
/// its image; HTML and LaTeX are written on request.
#[test]
fn groups_have_intervals_over_their_rois_and_the_worst_rois_are_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for folder in [a.join("masks"), b.join("masks"), b.join("images")] {
        std::fs::create_dir_all(folder).unwrap();
    }
    // 4 x 4 masks: A all tumor; B tumor with k stroma pixels.
    let rois = [
        ("TCGA-A1-A0SK-DX1_xmin0_ymin0", 2usize),
        ("TCGA-A1-A0SK-DX1_xmin100_ymin0", 8),
        ("TCGA-A2-A04P-DX1_xmin0_ymin0", 0),
    ];
    for (name, stroma) in rois {
        write_mask(&a.join("masks").join(format!("{name}.png")), 4, 4, &[1; 16]);
        let mut codes = [1u8; 16];
        codes[..stroma].iter_mut().for_each(|c| *c = 2);
        write_mask(&b.join("masks").join(format!("{name}.png")), 4, 4, &codes);
    }
    // The worst ROI's image: pure green.
    let image = b.join("images/TCGA-A1-A0SK-DX1_xmin100_ymin0.png");
    let file = std::fs::File::create(&image).unwrap();
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), 4, 4);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let green: Vec<u8> = (0..16).flat_map(|_| [0u8, 255, 0]).collect();
    encoder
        .write_header()
        .unwrap()
        .write_image_data(&green)
        .unwrap();
    let out = dir.path().join("out");
    common::run_ok(
        &[
            "regions",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--bootstrap",
            "500",
            "--overlays",
            "1",
            "--format",
            "html",
            "--latex",
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    let v = common::summary(&out);
    let group = |by: &str, name: &str| -> Value {
        v["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["by"] == by && g["group"] == name && g["level"] == "raw")
            .unwrap_or_else(|| panic!("no {by} {name}"))
            .clone()
    };
    let slide = group("slide", "TCGA-A1-A0SK-DX1");
    assert_eq!(slide["rois"], 2);
    // 32 pixels, 10 differ.
    close(&slide["accuracy"]["value"], 22.0 / 32.0);
    let ci = slide["accuracy"]["ci95"].as_array().unwrap();
    let (low, high) = (ci[0].as_f64().unwrap(), ci[1].as_f64().unwrap());
    // Resampling two ROIs of accuracy 14/16 and 8/16 stays between them.
    assert!((0.5..=22.0 / 32.0).contains(&low), "{low}");
    assert!((22.0 / 32.0..=0.875).contains(&high), "{high}");
    assert_eq!(
        group("slide", "TCGA-A2-A04P-DX1")["accuracy"]["ci95"],
        Value::Null
    );
    assert_eq!(
        group("roi", "TCGA-A1-A0SK-DX1_xmin0_ymin0")["accuracy"]["ci95"],
        Value::Null
    );
    let table = std::fs::read_to_string(out.join("groups.csv")).unwrap();
    assert!(table.contains("accuracy_ci_low"), "{table}");
    // One overlay, of the ROI with the most disagreement, drawn over its green image: the
    // agreeing half faded green, the other half darkened.
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        report.contains("![TCGA-A1-A0SK-DX1_xmin100_ymin0: main classes agree on 50.0% of pixels](plots/overlay_1.png)"),
        "{report}"
    );
    assert!(!out.join("plots/overlay_2.png").exists());
    assert!(!out.join("plots/overlay_1.svg").exists());
    let png = std::fs::read(out.join("plots/overlay_1.png")).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    reader.next_frame(&mut pixels).unwrap();
    // The green image faded by 40% toward white: (102, 255, 102).
    let faded_green = pixels.chunks(3).filter(|p| p == &[102, 255, 102]).count();
    assert!(faded_green > 10_000, "{faded_green}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("data:image/png;base64,"), "figures inline");
    let latex = std::fs::read_to_string(out.join("tables.tex")).unwrap();
    assert!(latex.contains("\\label{tab:nucagree-regions}"), "{latex}");
}

/// A NuCLS CSV row: a 10 x 10 box centred at (cx, cy).
fn box_row(i: usize, class: &str, cx: f64, cy: f64) -> String {
    let (x0, y0, x1, y1) = (cx - 5.0, cy - 5.0, cx + 5.0, cy + 5.0);
    format!("{i},{class},,,rectangle,{x0},{y0},{x1},{y1},\"{x0},{x1},{x1},{x0},{x0}\",\"{y0},{y0},{y1},{y1},{y0}\"\n")
}

/// A larger mask of a slide, named with its offset as BCSS names it, places a NuCLS FOV by its
/// name: a nucleus at (x, y) of the FOV image lies at base pixel (left + x / 1.25, top + y /
/// 1.25), and on a 0.25 µm/px mask at that minus the offset; `--mask-mpp` rescales.
#[test]
fn nuclei_are_placed_on_a_larger_slide_mask_by_the_fov_name() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    const HEADER: &str = ",raw_classification,main_classification,super_classification,type,xmin,ymin,xmax,ymax,coords_x,coords_y\n";
    let placed =
        "TCGA-A1-A0SP-DX1_id-5ea4095addda5f8398977ebc_left-1000_top-2000_bottom-2200_right-1200";
    let elsewhere =
        "TCGA-E2-A1B1-DX1_id-5ea4095addda5f8398977ebd_left-10_top-20_bottom-300_right-310";
    let write = |path: std::path::PathBuf, text: String| {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    // Truth: n1 at (25, 25) -> mask (20, 20) tumor; n2 at (100, 25) -> (80, 20) stroma;
    // n3 at (25, 112.5) -> (20, 90) outside the ROI.
    write(
        root.join(format!("truth/csv/{placed}.csv")),
        HEADER.to_string()
            + &box_row(0, "tumor", 25.0, 25.0)
            + &box_row(1, "fibroblast", 100.0, 25.0)
            + &box_row(2, "tumor", 25.0, 112.5),
    );
    // Prediction: n1 and n3 found, n2 missed, a false positive at (75, 25) -> (60, 20) stroma.
    write(
        root.join(format!("pred/csv/{placed}.csv")),
        HEADER.to_string()
            + &box_row(0, "tumor", 25.0, 25.0)
            + &box_row(1, "lymphocyte", 75.0, 25.0)
            + &box_row(2, "tumor", 25.0, 112.5),
    );
    for set in ["truth", "pred"] {
        write(
            root.join(format!("{set}/csv/{elsewhere}.csv")),
            HEADER.to_string() + &box_row(0, "tumor", 50.0, 50.0),
        );
    }
    // 100 x 100 at 0.25 µm/px: tumor left of x = 50, stroma right, outside from y = 80.
    let masks = root.join("masks");
    std::fs::create_dir_all(&masks).unwrap();
    let codes: Vec<u8> = (0..100 * 100)
        .map(|i| match (i % 100, i / 100) {
            (_, y) if y >= 80 => 0,
            (x, _) if x < 50 => 1,
            _ => 2,
        })
        .collect();
    write_mask(
        &masks.join("TCGA-A1-A0SP-DX1_xmin1000_ymin2000_MPP-0.2500.png"),
        100,
        100,
        &codes,
    );
    // Another ROI of the slide, far away: decoded, holding none of the nuclei.
    write_mask(
        &masks.join("TCGA-A1-A0SP-DX1_xmin9000_ymin9000_MPP-0.2500.png"),
        4,
        4,
        &[1; 16],
    );
    let run = |extra: &[&str], out: &str| -> Value {
        let out = root.join(out);
        let (truth, pred) = (root.join("truth"), root.join("pred"));
        let mut args: Vec<String> = [
            "score",
            "--truth",
            truth.to_str().unwrap(),
            "--pred",
            pred.to_str().unwrap(),
            "--region-masks",
            masks.to_str().unwrap(),
            "--bootstrap",
            "0",
            "--overlays",
            "0",
            "--out",
            out.to_str().unwrap(),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend(extra.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        common::run_ok(&args, None);
        common::summary(&out)["region_strata"].clone()
    };
    let counts = |strata: &Value, region: &str| -> (u64, u64, u64) {
        strata["strata"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["region"] == region)
            .map(|s| {
                (
                    s["tp"].as_u64().unwrap(),
                    s["fp"].as_u64().unwrap(),
                    s["fn"].as_u64().unwrap(),
                )
            })
            .unwrap_or((0, 0, 0))
    };
    let strata = run(&[], "base");
    assert_eq!(counts(&strata, "tumor"), (1, 0, 0));
    assert_eq!(counts(&strata, "stroma"), (0, 1, 1));
    assert_eq!(strata["outside_regions"], 1);
    assert_eq!(strata["without_mask"], 1);
    assert_eq!(strata["fovs_with_masks"], 1);
    assert_eq!(strata["fovs_on_slide_masks"], 1);
    let report = std::fs::read_to_string(root.join("base/report.md")).unwrap();
    assert!(
        report.contains("(left + x / 1.25, top + y / 1.25)"),
        "{report}"
    );
    // At 0.5 µm/px the mask covers twice the slide: every nucleus falls in its tumor half.
    let strata = run(&["--mask-mpp", "0.5"], "coarse");
    assert_eq!(counts(&strata, "tumor"), (2, 1, 1));
    assert_eq!(strata["outside_regions"], 0);
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_nucagree"))
        .args([
            "score",
            "--truth",
            root.join("truth").to_str().unwrap(),
            "--pred",
            root.join("pred").to_str().unwrap(),
            "--region-masks",
            masks.to_str().unwrap(),
            "--mask-mpp",
            "0",
        ])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("--mask-mpp 0: expected a positive"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}
