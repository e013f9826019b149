//! Malformed input: each case gives a clear, located error or a counted finding; nothing
//! panics.

use nucagree::ingest::{read_set, ReadOptions, Strictness};
use nucagree::model::{AnnotationSet, ClassHierarchy, Shape};
use nucagree::quality::FindingKind;
use std::path::Path;
use std::sync::Arc;

const HEADER: &str = ",raw_classification,main_classification,super_classification,type,xmin,ymin,xmax,ymax,coords_x,coords_y\n";
const GOOD_ROW: &str =
    "0,tumor,tumor_nonMitotic,tumor_any,rectangle,0,0,10,10,\"0,10,10,0,0\",\"0,0,10,10,0\"\n";

/// A set folder in the NuCLS layout with one FOV file holding `content`.
fn set_with(content: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("csv")).unwrap();
    std::fs::write(dir.path().join("csv/fov.csv"), content).unwrap();
    dir
}

fn read(dir: &Path, strictness: Strictness) -> nucagree::Result<AnnotationSet> {
    let options = ReadOptions {
        strictness,
        ..ReadOptions::default()
    };
    read_set(dir, &options)
}

/// The error message with the temporary folder's path taken out.
fn error_of(content: &str) -> String {
    let dir = set_with(content.as_bytes());
    let error = read(dir.path(), Strictness::Strict).unwrap_err();
    error
        .to_string()
        .replace(&dir.path().display().to_string(), "SET")
}

fn lenient(content: &str) -> AnnotationSet {
    let dir = set_with(content.as_bytes());
    read(dir.path(), Strictness::Lenient).unwrap()
}

#[test]
fn missing_column() {
    let text = ",raw_classification,type,coords_x\n0,tumor,point,5\n";
    assert_eq!(
        error_of(text),
        "SET/csv/fov.csv:1: missing column \"coords_y\": expected a header with coords_x and coords_y"
    );
    assert_eq!(
        error_of("type,coords_x,coords_y\npoint,1,2\n"),
        "SET/csv/fov.csv:1: missing column \"raw_classification\": expected a header with the raw class of each nucleus"
    );
}

#[test]
fn coordinate_length_mismatch() {
    let text = format!("{HEADER}{GOOD_ROW}1,tumor,,,polyline,0,0,4,4,\"0,4,4\",\"0,0\"\n");
    assert_eq!(
        error_of(&text),
        "SET/csv/fov.csv:3:coords_y: 3 x coordinates but 2 y coordinates: expected as many of each"
    );
    let set = lenient(&text);
    assert_eq!(set.nucleus_count(), 1);
    assert_eq!(set.quality.count(FindingKind::SkippedRow), 1);
}

#[test]
fn non_numeric_coordinate() {
    let text = format!("{HEADER}1,tumor,,,polyline,0,0,4,4,\"0,4,x4\",\"0,0,4\"\n");
    assert_eq!(
        error_of(&text),
        "SET/csv/fov.csv:2:coords_x: expected a number, found \"x4\""
    );
}

#[test]
fn nan_and_infinity() {
    let nan = format!("{HEADER}1,tumor,,,polyline,0,0,4,4,\"0,4,4\",\"0,NaN,4\"\n");
    assert_eq!(
        error_of(&nan),
        "SET/csv/fov.csv:2:coords_y: expected a finite number, found \"NaN\""
    );
    let inf = format!("{HEADER}1,tumor,,,polyline,0,0,inf,4,\"0,4,4\",\"0,0,4\"\n");
    assert_eq!(
        error_of(&inf),
        "SET/csv/fov.csv:2:xmax: expected a finite number, found \"inf\""
    );
}

#[test]
fn huge_coordinate() {
    let text = format!("{HEADER}1,tumor,,,polyline,0,0,4,4,\"0,4,1e300\",\"0,0,4\"\n");
    assert_eq!(
        error_of(&text),
        "SET/csv/fov.csv:2:coords_x: coordinate 1e300 is out of range: expected a magnitude below 1e8 px"
    );
}

#[test]
fn zero_byte_file() {
    assert_eq!(
        error_of(""),
        "SET/csv/fov.csv: the file is empty: expected a header row"
    );
}

#[test]
fn header_only_file_is_an_empty_fov() {
    let set = lenient(HEADER);
    assert_eq!(set.fovs.len(), 1);
    assert_eq!(set.nucleus_count(), 0);
    assert_eq!(set.quality.count(FindingKind::EmptyFov), 1);
}

#[test]
fn utf8_bom_and_crlf_line_ends() {
    let text = format!("\u{feff}{HEADER}{GOOD_ROW}{GOOD_ROW}").replace('\n', "\r\n");
    let dir = set_with(text.as_bytes());
    let set = read(dir.path(), Strictness::Strict).unwrap();
    let nuclei = &set.fovs[0].nuclei;
    assert_eq!(nuclei.len(), 2);
    assert_eq!(nuclei[1].row, 3, "rows are counted as an editor shows them");
    assert_eq!(nuclei[0].shape.area(), 100.0);
    // A CRLF file's errors name the right row too.
    let bad = format!("{HEADER}{GOOD_ROW}1,tumour,,,point,1,1,1,1,1,1\n").replace('\n', "\r\n");
    let dir = set_with(bad.as_bytes());
    let error = read(dir.path(), Strictness::Strict)
        .unwrap_err()
        .to_string();
    assert!(error.ends_with("csv/fov.csv:3:raw_classification: unknown class \"tumour\": expected one of the hierarchy's raw classes (tumor, mitotic_figure, fibroblast, vascular_endothelium, macrophage, lymphocyte, plasma_cell, neutrophil, eosinophil, myoepithelium, ductal_epithelium, apoptotic_body, unlabeled)"), "{error}");
}

#[test]
fn unknown_class_unless_mapped() {
    let text = format!("{HEADER}1,Tumour,,,point,1,1,1,1,1,1\n");
    assert!(error_of(&text)
        .starts_with("SET/csv/fov.csv:2:raw_classification: unknown class \"Tumour\""));
    let mut hierarchy = ClassHierarchy::nucls();
    hierarchy.add_alias("Tumour", "tumor").unwrap();
    let dir = set_with(text.as_bytes());
    let options = ReadOptions {
        hierarchy: Arc::new(hierarchy),
        strictness: Strictness::Strict,
        ..ReadOptions::default()
    };
    let set = read_set(dir.path(), &options).unwrap();
    assert_eq!(set.fovs[0].nuclei[0].class.id.0, 0);
}

#[test]
fn duplicated_fov() {
    let dir = tempfile::tempdir().unwrap();
    let content = format!("{HEADER}{GOOD_ROW}");
    std::fs::write(dir.path().join("fov.csv"), &content).unwrap();
    std::fs::write(dir.path().join("fov.CSV"), &content).unwrap();
    let error = read(dir.path(), Strictness::Lenient)
        .unwrap_err()
        .to_string();
    let root = dir.path().display().to_string();
    assert_eq!(
        error,
        format!("{root}/fov.csv: FOV \"fov\" appears twice, also in {root}/fov.CSV")
    );
}

#[test]
fn two_point_polyline_is_skipped_and_counted() {
    let text = format!("{HEADER}{GOOD_ROW}1,tumor,,,polyline,0,0,4,4,\"0,4\",\"0,4\"\n");
    let set = lenient(&text);
    assert_eq!(set.nucleus_count(), 1);
    assert_eq!(set.quality.count(FindingKind::DegenerateShape), 1);
    let finding = &set.quality.findings[0];
    assert_eq!(finding.row, Some(3));
    assert_eq!(
        finding.detail,
        "polygon with fewer than 3 distinct vertices"
    );
    // Strict mode counts it the same way: it is a property of the data, not a broken row.
    let dir = set_with(text.as_bytes());
    assert_eq!(
        read(dir.path(), Strictness::Strict)
            .unwrap()
            .nucleus_count(),
        1
    );
}

#[test]
fn bowtie_is_kept_and_counted() {
    let text = format!("{HEADER}1,tumor,,,polyline,0,0,10,10,\"0,10,10,0,0\",\"0,10,0,10,0\"\n");
    let set = lenient(&text);
    assert_eq!(set.nucleus_count(), 1);
    assert_eq!(set.quality.count(FindingKind::SelfIntersecting), 1);
    assert!(matches!(set.fovs[0].nuclei[0].shape, Shape::Polygon(_)));
}

#[test]
fn ragged_row() {
    let text = format!("{HEADER}{GOOD_ROW}1,tumor,extra\n");
    assert_eq!(
        error_of(&text),
        "SET/csv/fov.csv:3: malformed CSV: a row of 3 fields: expected 11, as in the header"
    );
}

#[test]
fn not_utf8() {
    let mut bytes = HEADER.as_bytes().to_vec();
    bytes.extend_from_slice(b"0,tum\xffor,,,point,1,1,1,1,1,1\n");
    let dir = set_with(&bytes);
    let error = read(dir.path(), Strictness::Strict)
        .unwrap_err()
        .to_string();
    assert!(
        error.ends_with("csv/fov.csv:2: not valid UTF-8: expected UTF-8 text"),
        "{error}"
    );
}

#[test]
fn unknown_shape_type_and_point_with_several_coordinates() {
    let text = format!("{HEADER}1,tumor,,,ellipse,0,0,4,4,\"0,4,4\",\"0,0,4\"\n");
    assert_eq!(
        error_of(&text),
        "SET/csv/fov.csv:2:type: unknown shape type \"ellipse\": expected rectangle, polyline, polygon or point"
    );
    let text = format!("{HEADER}1,tumor,,,point,0,0,4,4,\"0,4\",\"0,0\"\n");
    assert_eq!(
        error_of(&text),
        "SET/csv/fov.csv:2:coords_x: a point with 2 distinct coordinates: expected one"
    );
}

#[test]
fn missing_folder_and_folder_without_csvs() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing");
    let error = read(&missing, Strictness::Strict).unwrap_err().to_string();
    assert_eq!(error, format!("{}: no such folder", missing.display()));
    let error = read(dir.path(), Strictness::Strict)
        .unwrap_err()
        .to_string();
    assert!(error.contains("no annotation CSVs found"), "{error}");
}

#[test]
fn fov_locations_errors_are_located() {
    let dir = set_with(format!("{HEADER}{GOOD_ROW}").as_bytes());
    std::fs::write(
        dir.path().join("fov_locations.csv"),
        "fovname,xmin,ymin,xmax,ymax\nfov,0,0,100,100\nfov,0,0,abc,100\n",
    )
    .unwrap();
    let error = read(dir.path(), Strictness::Strict)
        .unwrap_err()
        .to_string();
    assert!(
        error.ends_with("fov_locations.csv:3:xmax: expected a number, found \"abc\""),
        "{error}"
    );
}

#[test]
fn no_input_panics_on_arbitrary_bytes() {
    // A crude fuzz over byte soups built from CSV-ish pieces: every outcome is Ok or Err.
    let pieces: [&[u8]; 10] = [
        HEADER.as_bytes(),
        GOOD_ROW.as_bytes(),
        b"\"",
        b",",
        b"\n",
        b"\r",
        b"1e999",
        b"-0",
        b"\xef\xbb\xbf",
        b"point",
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..300 {
        let mut bytes = Vec::new();
        for _ in 0..12 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            bytes.extend_from_slice(pieces[(state % pieces.len() as u64) as usize]);
        }
        let dir = set_with(&bytes);
        let _ = read(dir.path(), Strictness::Lenient);
        let _ = read(dir.path(), Strictness::Strict);
    }
}

/// An outline of more than three vertices that covers no area (all on a line, or out and
/// back along itself) is degenerate: skipped and counted, not kept and compared by its box.
/// A bowtie, which covers its two lobes, is kept.
#[test]
fn zero_area_outlines_of_many_vertices_are_degenerate() {
    for (xs, ys) in [("0,5,10,5", "0,0,0,0"), ("0,10,10,10", "0,0,10,0")] {
        let text = format!("{HEADER}{GOOD_ROW}1,tumor,,,polyline,0,0,10,10,\"{xs}\",\"{ys}\"\n");
        let set = lenient(&text);
        assert_eq!(set.nucleus_count(), 1, "{xs} / {ys}");
        assert_eq!(set.quality.count(FindingKind::DegenerateShape), 1);
    }
    let text = format!("{HEADER}{GOOD_ROW}1,tumor,,,polyline,0,0,2,2,\"0,2,2,0\",\"0,2,0,2\"\n");
    let set = lenient(&text);
    assert_eq!(set.nucleus_count(), 2);
    assert_eq!(set.quality.count(FindingKind::DegenerateShape), 0);
}

/// A class map maps each name in one step, whatever the order of its rows; a name mapped
/// twice is an error naming both rows.
#[test]
fn class_map_rows_do_not_chain_and_names_map_once() {
    use nucagree::ingest::metadata::apply_class_map;
    use nucagree::model::{ClassHierarchy, ClassLevel};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("class_map.csv");
    for text in [
        "name,raw_classification\ntumor,lymphocyte\nTumour,tumor\n",
        "name,raw_classification\nTumour,tumor\ntumor,lymphocyte\n",
    ] {
        std::fs::write(&path, text).unwrap();
        let mut hierarchy = ClassHierarchy::nucls();
        apply_class_map(&path, &mut hierarchy).unwrap();
        let name = |n: &str| {
            let id = hierarchy.resolve(n).unwrap().id;
            hierarchy.name(id, ClassLevel::Raw).to_string()
        };
        assert_eq!(name("Tumour"), "tumor", "{text}");
        assert_eq!(name("tumor"), "lymphocyte", "{text}");
    }
    std::fs::write(
        &path,
        "name,raw_classification\nTumour,tumor\nLymph,lymphocyte\nTumour,fibroblast\n",
    )
    .unwrap();
    let error = apply_class_map(&path, &mut ClassHierarchy::nucls())
        .unwrap_err()
        .to_string();
    assert!(
        error.ends_with("class_map.csv:4:name: \"Tumour\" is mapped twice (rows 2 and 4): expected each name once"),
        "{error}"
    );
}

/// Errors in a hierarchy file name the file's rows (the header being row 1).
#[test]
fn hierarchy_errors_name_the_file_rows() {
    use nucagree::ingest::metadata::read_hierarchy;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hierarchy.csv");
    std::fs::write(
        &path,
        "raw_classification,main_classification,super_classification\n\
         tumor,tumor,tumor\n\
         lymphocyte,til,til\n\
         tumor,tumor,tumor\n",
    )
    .unwrap();
    let error = read_hierarchy(&path).unwrap_err();
    let source = std::error::Error::source(&error).unwrap().to_string();
    assert_eq!(source, "raw class \"tumor\" appears twice (rows 2 and 4)");
}

/// A huge cell is not echoed whole in an error.
#[test]
fn a_huge_class_name_is_shortened_in_the_error() {
    let name = "x".repeat(1_000_000);
    let text = format!("{HEADER}1,{name},,,point,1,1,1,1,1,1\n");
    let dir = set_with(text.as_bytes());
    let error = read(dir.path(), Strictness::Strict)
        .unwrap_err()
        .to_string();
    assert!(error.len() < 1_000, "{} characters", error.len());
    assert!(error.contains("(1000000 characters)"), "{}", &error[..200]);
}

/// An outline of more vertices than any nucleus has is refused where it is read (reading
/// and IoU grow with the vertices).
#[test]
fn outlines_of_too_many_vertices_are_refused() {
    let n = 100_001;
    let xs: Vec<String> = (0..n)
        .map(|i| {
            format!(
                "{:.3}",
                50.0 + 40.0 * (i as f64 / n as f64 * std::f64::consts::TAU).cos()
            )
        })
        .collect();
    let ys: Vec<String> = (0..n)
        .map(|i| {
            format!(
                "{:.3}",
                50.0 + 40.0 * (i as f64 / n as f64 * std::f64::consts::TAU).sin()
            )
        })
        .collect();
    let text = format!(
        "{HEADER}1,tumor,,,polyline,10,10,90,90,\"{}\",\"{}\"\n",
        xs.join(","),
        ys.join(",")
    );
    let dir = set_with(text.as_bytes());
    let error = read(dir.path(), Strictness::Strict)
        .unwrap_err()
        .to_string();
    assert!(
        error.ends_with(
            "csv/fov.csv:2:coords_x: 100001 vertices: expected at most 100000 per outline"
        ),
        "{error}"
    );
}

/// A type map that maps a type twice is refused at the second row.
#[test]
fn a_type_mapped_twice_is_refused() {
    use nucagree::ingest::metadata::read_type_map;
    use nucagree::model::ClassHierarchy;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("types.csv");
    std::fs::write(&path, "type,class\n1,tumor\n2,lymphocyte\n1,fibroblast\n").unwrap();
    let error = read_type_map(&path, &ClassHierarchy::nucls())
        .unwrap_err()
        .to_string();
    assert!(
        error.ends_with("types.csv:4:type: type 1 is mapped twice: expected each type once"),
        "{error}"
    );
}
