//! The layouts nucagree reads: the NuCLS release, a folder of CSVs, and multi-rater studies
//! in per-rater folders or NuCLS flat names; FOV metadata; other hierarchies.

use nucagree::ingest::{metadata, open, read_multi_rater, read_set, ReadOptions};
use nucagree::inspect::{InspectReport, InspectSummary};
use nucagree::model::{ClassLevel, Dataset, MultiRaterLayout, SetLayout};
use nucagree::quality::FindingKind;
use std::path::Path;
use std::sync::Arc;

const HEADER: &str = ",raw_classification,main_classification,super_classification,type,xmin,ymin,xmax,ymax,coords_x,coords_y\n";
const FOV_A: &str =
    "TCGA-A1-A0SP-DX1_id-5ea4095addda5f8398977ebc_left-100_top-200_bottom-500_right-400";
const FOV_B: &str =
    "TCGA-E2-A1B1-DX1_id-5ea4095addda5f8398977ebd_left-10_top-20_bottom-300_right-310";

fn write(path: &Path, content: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

fn rows(n: usize, class: &str) -> String {
    let mut text = HEADER.to_string();
    for i in 0..n {
        let x = 20 * i;
        text.push_str(&format!(
            "{i},{class},,,rectangle,{x},0,{},10,\"{x},{},{},{x},{x}\",\"0,0,10,10,0\"\n",
            x + 10,
            x + 10,
            x + 10
        ));
    }
    text
}

#[test]
fn release_layout_with_locations_splits_and_images() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(&root.join(format!("csv/{FOV_A}.csv")), &rows(3, "tumor"));
    write(
        &root.join(format!("csv/{FOV_B}.csv")),
        &rows(2, "correction_lymphocyte"),
    );
    write(
        &root.join("fov_locations.csv"),
        &format!("fovname,slide_name,hospital,xmin,ymin,xmax,ymax\n{FOV_A},TCGA-A1-A0SP-DX1,A1,0,0,30,30\n"),
    );
    write(
        &root.join("train_test_splits/fold_1_test.csv"),
        ",slide_name,hospital,type,fold\n0,TCGA-A1-A0SP-DX1,A1,test,1\n",
    );
    write(
        &root.join("train_test_splits/fold_1_train.csv"),
        ",slide_name,hospital,type,fold\n0,TCGA-E2-A1B1-DX1,E2,train,1\n",
    );
    // A 64x48 PNG header is all nucagree reads of an image.
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(&64u32.to_be_bytes());
    png.extend_from_slice(&48u32.to_be_bytes());
    png.extend_from_slice(&[8, 2, 0, 0, 0]);
    std::fs::create_dir_all(root.join("rgb")).unwrap();
    std::fs::write(root.join(format!("rgb/{FOV_A}.png")), &png).unwrap();

    let set = read_set(root, &ReadOptions::default()).unwrap();
    assert_eq!(set.layout, SetLayout::NuclsRelease);
    assert_eq!(set.fovs.len(), 2);
    let a = set.fov(FOV_A).unwrap();
    assert_eq!(a.slide.as_deref(), Some("TCGA-A1-A0SP-DX1"));
    assert_eq!(a.hospital.as_deref(), Some("A1"));
    assert_eq!(a.test_fold, Some(1));
    assert_eq!(a.image_size, Some((64, 48)));
    assert_eq!(a.region.unwrap().xmax, 30.0);
    let b = set.fov(FOV_B).unwrap();
    assert_eq!(b.hospital.as_deref(), Some("E2"));
    assert_eq!(b.test_fold, None);
    // FOV A: nuclei at x 0-10, 20-30, 40-50 in a 30x30 region and a 64-wide image.
    assert_eq!(set.quality.count(FindingKind::CentroidOutsideFov), 1);
    assert_eq!(set.quality.count(FindingKind::NoFovRegion), 1);
    assert_eq!(set.quality.count(FindingKind::CorrectionRow), 2);

    let summary = InspectSummary::of_set(&set);
    assert_eq!((summary.fovs, summary.nuclei, summary.slides), (2, 5, 2));
    assert_eq!(summary.class_count(ClassLevel::Super, "sTIL"), Some(2));
    assert_eq!(
        summary.class_count(ClassLevel::Main, "tumor_nonMitotic"),
        Some(3)
    );
    assert_eq!(summary.folds.len(), 1);
    assert_eq!(summary.folds[0].test_fovs, 1);
    assert_eq!(summary.folds[0].test_nuclei, 3);
    assert_eq!(summary.fovs_without_fold, 1);
    assert_eq!(
        summary
            .hospitals
            .iter()
            .map(|h| (h.hospital.as_str(), h.nuclei))
            .collect::<Vec<_>>(),
        vec![("A1", 3), ("E2", 2)]
    );
}

#[test]
fn rater_folders_keep_not_annotated_apart_from_empty() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        &root.join(format!("SP.1/csv/{FOV_A}.csv")),
        &rows(3, "tumor"),
    );
    write(&root.join(format!("SP.1/csv/{FOV_B}.csv")), HEADER);
    write(
        &root.join(format!("NP.2/{FOV_A}.csv")),
        &rows(2, "fibroblast"),
    );
    let study = read_multi_rater(root, &ReadOptions::default()).unwrap();
    assert_eq!(study.layout, MultiRaterLayout::RaterFolders);
    let labels: Vec<String> = study.raters.iter().map(|r| r.label()).collect();
    assert_eq!(labels, ["NP.2", "SP.1"]);
    let np = &study.raters[0].set;
    let sp = &study.raters[1].set;
    assert!(np.fov(FOV_B).is_none(), "NP.2 did not annotate FOV B");
    assert_eq!(
        sp.fov(FOV_B).unwrap().nuclei.len(),
        0,
        "SP.1 annotated FOV B and found nothing"
    );
    assert_eq!(sp.quality.count(FindingKind::EmptyFov), 1);
    assert_eq!(np.layout, SetLayout::CsvFolder);
    assert_eq!(sp.layout, SetLayout::NuclsRelease);
}

#[test]
fn flat_names_in_the_folder_or_its_csv() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        &root.join(format!("csv/SP.1_#_E_#_{FOV_A}.csv")),
        &rows(3, "tumor"),
    );
    write(
        &root.join(format!("csv/NP.3_#_E_#_{FOV_A}.csv")),
        &rows(1, "tumor"),
    );
    write(
        &root.join(format!("NP.3_#_U-control_#_{FOV_B}.csv")),
        HEADER,
    );
    let Dataset::MultiRater(study) = open(root, &ReadOptions::default()).unwrap() else {
        panic!("a flat-named folder is a multi-rater study");
    };
    assert_eq!(study.layout, MultiRaterLayout::FlatNames);
    let labels: Vec<String> = study.raters.iter().map(|r| r.label()).collect();
    assert_eq!(labels, ["NP.3@E", "NP.3@U-control", "SP.1@E"]);
    assert_eq!(study.raters[2].set.fovs[0].name, FOV_A);
    assert_eq!(study.raters[2].set.fovs[0].hospital.as_deref(), Some("A1"));
    assert_eq!(study.raters[1].set.fovs[0].nuclei.len(), 0);
    let InspectReport::MultiRater(summary) = InspectReport::of(&Dataset::MultiRater(study)) else {
        panic!()
    };
    assert_eq!(summary.fovs, 2);

    // The same FOV of the same rater and set, once in the folder and once in csv/.
    write(
        &root.join(format!("SP.1_#_E_#_{FOV_A}.csv")),
        &rows(3, "tumor"),
    );
    let error = open(root, &ReadOptions::default()).unwrap_err().to_string();
    assert!(error.contains("appears twice"), "{error}");
}

#[test]
fn flat_name_with_too_few_parts_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join(format!("SP.1_#_{FOV_A}.csv")),
        &rows(1, "tumor"),
    );
    let error = open(dir.path(), &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(error.ends_with("file name not in NuCLS's flat form: expected <participant>_#_<evalset>_#_<fovname>.csv"), "{error}");
}

#[test]
fn another_hierarchy_from_csv() {
    let dir = tempfile::tempdir().unwrap();
    let hierarchy_path = dir.path().join("pannuke.csv");
    write(
        &hierarchy_path,
        "raw_classification,main_classification,super_classification\n\
         neoplastic,neoplastic,tumor\ninflammatory,inflammatory,immune\nconnective,connective,stroma\n\
         dead,dead,other\nepithelial,epithelial,other\n",
    );
    let hierarchy = metadata::read_hierarchy(&hierarchy_path).unwrap();
    assert_eq!(hierarchy.len(), 5);
    assert_eq!(
        hierarchy.names(ClassLevel::Super),
        ["tumor", "immune", "stroma", "other"]
    );
    let set_dir = dir.path().join("set");
    write(
        &set_dir.join("fov1.csv"),
        "raw_classification,xmin,ymin,xmax,ymax\nneoplastic,0,0,5,5\n",
    );
    let options = ReadOptions {
        hierarchy: Arc::new(hierarchy),
        ..ReadOptions::default()
    };
    let set = read_set(&set_dir, &options).unwrap();
    assert_eq!(
        set.hierarchy
            .name(set.fovs[0].nuclei[0].class.id, ClassLevel::Super),
        "tumor"
    );

    write(
        &hierarchy_path,
        "raw_classification,main_classification,super_classification\na,m,s\nb,m,t\n",
    );
    let error = metadata::read_hierarchy(&hierarchy_path).unwrap_err();
    assert_eq!(
        format!("{error}: {}", std::error::Error::source(&error).unwrap()),
        format!(
            "{}: not a valid class hierarchy: main class \"m\" maps to two super classes, \"s\" and \"t\" (row 3)",
            hierarchy_path.display()
        )
    );
}

/// A slide in both the train and the test set of one fold is a finding (a leak).
#[test]
fn a_slide_in_train_and_test_of_one_fold_is_a_finding() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        &root.join("csv/TCGA-A1-A0SK-DX1_id-5ea40a_left-0_top-0_bottom-300_right-300.csv"),
        "raw_classification,xmin,ymin,xmax,ymax\ntumor,0,0,10,10\n",
    );
    write(
        &root.join("train_test_splits/fold_1_train.csv"),
        ",slide_name,hospital\n0,TCGA-A1-A0SK-DX1,A1\n",
    );
    write(
        &root.join("train_test_splits/fold_1_test.csv"),
        ",slide_name,hospital\n0,TCGA-A1-A0SK-DX1,A1\n",
    );
    let set = read_set(root, &ReadOptions::default()).unwrap();
    assert_eq!(set.quality.count(FindingKind::SlideInTrainAndTest), 1);
}

/// CSVs both in `csv/` and beside it: which is the set is not guessed.
#[test]
fn csvs_in_csv_and_beside_it_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let row = "raw_classification,xmin,ymin,xmax,ymax\ntumor,0,0,10,10\n";
    write(&root.join("csv/fov1.csv"), row);
    write(&root.join("fov2.csv"), row);
    let error = read_set(root, &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("holds annotation CSVs both in csv/ (1 files) and beside it (1 files"),
        "{error}"
    );
}

/// A file whose name is not UTF-8 is an error, not skipped.
#[test]
fn a_file_name_that_is_not_utf8_is_refused() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let row = "raw_classification,xmin,ymin,xmax,ymax\ntumor,0,0,10,10\n";
    write(&root.join("csv/fov1.csv"), row);
    let name = std::ffi::OsStr::from_bytes(b"fov\xff.csv");
    std::fs::write(root.join("csv").join(name), row).unwrap();
    let error = read_set(root, &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        error.ends_with("a file name that is not UTF-8: expected UTF-8 file names"),
        "{error}"
    );
}
