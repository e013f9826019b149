//! Results as polars DataFrames, for CSV and parquet output.

use crate::error::{Error, Result};
use crate::matching::SetMatch;
use crate::model::{AnnotationSet, ClassLevel, Fov};
use polars::prelude::{Column, DataFrame, PlSmallStr};

fn encode(what: &str) -> impl Fn(polars::error::PolarsError) -> Error + '_ {
    move |e| Error::Encode {
        what: what.into(),
        message: e.to_string(),
    }
}

/// The match table: one row per matched pair, then per unmatched and per cropped nucleus of
/// each set, FOV by FOV. Columns: `fov`, `status` (`matched`, `unmatched_a`, `unmatched_b`,
/// `cropped_a`, `cropped_b`), `row_a`, `row_b` (rows in the source files), `iou`,
/// `centroid_distance`, and the classes `raw_a`, `raw_b`, `main_a`, `main_b`, `super_a`,
/// `super_b`; a missing partner is null.
pub fn match_table(a: &AnnotationSet, b: &AnnotationSet, matched: &SetMatch) -> Result<DataFrame> {
    let mut fov_names: Vec<&str> = Vec::new();
    let mut status: Vec<&str> = Vec::new();
    let mut row_a: Vec<Option<u32>> = Vec::new();
    let mut row_b: Vec<Option<u32>> = Vec::new();
    let mut iou: Vec<Option<f64>> = Vec::new();
    let mut distance: Vec<Option<f64>> = Vec::new();
    let mut classes: [Vec<Option<&str>>; 6] = Default::default();
    for fov_match in &matched.fovs {
        let (Some(fov_a), Some(fov_b)) = (a.fov(&fov_match.fov), b.fov(&fov_match.fov)) else {
            continue;
        };
        let mut push =
            |label: &'static str, ia: Option<u32>, ib: Option<u32>, value: Option<(f64, f64)>| {
                fov_names.push(&fov_match.fov);
                status.push(label);
                row_a.push(ia.map(|i| fov_a.nuclei[i as usize].row));
                row_b.push(ib.map(|i| fov_b.nuclei[i as usize].row));
                iou.push(value.map(|v| v.0));
                distance.push(value.map(|v| v.1));
                for (k, level) in ClassLevel::ALL.iter().enumerate() {
                    classes[2 * k].push(ia.map(|i| class_name(a, fov_a, i, *level)));
                    classes[2 * k + 1].push(ib.map(|i| class_name(b, fov_b, i, *level)));
                }
            };
        for pair in &fov_match.pairs {
            push(
                "matched",
                Some(pair.a),
                Some(pair.b),
                Some((pair.iou, pair.centroid_distance)),
            );
        }
        for &i in &fov_match.unmatched_a {
            push("unmatched_a", Some(i), None, None);
        }
        for &i in &fov_match.unmatched_b {
            push("unmatched_b", None, Some(i), None);
        }
        for &i in &fov_match.cropped_a {
            push("cropped_a", Some(i), None, None);
        }
        for &i in &fov_match.cropped_b {
            push("cropped_b", None, Some(i), None);
        }
    }
    let height = status.len();
    let names = ["raw_a", "raw_b", "main_a", "main_b", "super_a", "super_b"];
    let mut columns = vec![
        Column::new(PlSmallStr::from("fov"), fov_names),
        Column::new(PlSmallStr::from("status"), status),
        Column::new(PlSmallStr::from("row_a"), row_a),
        Column::new(PlSmallStr::from("row_b"), row_b),
        Column::new(PlSmallStr::from("iou"), iou),
        Column::new(PlSmallStr::from("centroid_distance"), distance),
    ];
    for (name, values) in names.iter().zip(classes) {
        columns.push(Column::new(PlSmallStr::from(*name), values));
    }
    DataFrame::new(height, columns).map_err(encode("the match table"))
}

fn class_name<'a>(set: &'a AnnotationSet, fov: &Fov, index: u32, level: ClassLevel) -> &'a str {
    set.hierarchy
        .name(fov.nuclei[index as usize].class.id, level)
}
