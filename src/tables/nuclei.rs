//! A set's nuclei as one table, one row per nucleus: what `read_set(...).to_polars()` gives
//! in Python, with the NuCLS columns so that the table reads back as a set.

use crate::error::{Error, Result};
use crate::model::{AnnotationSet, ClassLevel, ShapeKind, CORRECTION_PREFIX};
use polars::prelude::{Column, DataFrame, PlSmallStr};

/// Columns: `fov`, `row` (in the source file, the header being row 1), `raw_classification`,
/// (with its `correction_` prefix where it had one), `main_classification`,
/// `super_classification`, `type` (`polyline`, `rectangle`, `point`
/// as NuCLS names them), `xmin`, `ymin`, `xmax`, `ymax`, `coords_x`, `coords_y` (the
/// outline's vertices, comma-separated as in NuCLS's CSVs; an outline of several pieces gives
/// its largest), `area` (px², every piece less its holes), `score` (null where none).
pub fn nuclei(set: &AnnotationSet) -> Result<DataFrame> {
    let height = set.nucleus_count();
    let hierarchy = &set.hierarchy;
    let mut fov: Vec<&str> = Vec::with_capacity(height);
    let mut row: Vec<u32> = Vec::with_capacity(height);
    let mut raw: Vec<String> = Vec::with_capacity(height);
    let mut classes: [Vec<&str>; 2] = Default::default();
    let mut kind: Vec<&str> = Vec::with_capacity(height);
    let mut bounds: [Vec<f64>; 4] = Default::default();
    let mut coords: [Vec<String>; 2] = Default::default();
    let mut area: Vec<f64> = Vec::with_capacity(height);
    let mut score: Vec<Option<f64>> = Vec::with_capacity(height);
    for f in &set.fovs {
        for nucleus in &f.nuclei {
            fov.push(&f.name);
            row.push(nucleus.row);
            let name = hierarchy.name(nucleus.class.id, ClassLevel::Raw);
            raw.push(match nucleus.class.correction {
                true => format!("{CORRECTION_PREFIX}{name}"),
                false => name.to_string(),
            });
            for (k, level) in [ClassLevel::Main, ClassLevel::Super].iter().enumerate() {
                classes[k].push(hierarchy.name(nucleus.class.id, *level));
            }
            kind.push(match nucleus.shape.kind() {
                ShapeKind::Polygon => "polyline",
                ShapeKind::Box => "rectangle",
                ShapeKind::Point => "point",
            });
            let b = nucleus.bbox;
            for (column, value) in bounds.iter_mut().zip([b.xmin, b.ymin, b.xmax, b.ymax]) {
                column.push(value);
            }
            let vertices = nucleus.shape.vertices();
            for (axis, column) in coords.iter_mut().enumerate() {
                let values: Vec<String> = vertices.iter().map(|v| v[axis].to_string()).collect();
                column.push(values.join(","));
            }
            area.push(nucleus.shape.area());
            score.push(nucleus.score);
        }
    }
    let mut columns = vec![
        Column::new(PlSmallStr::from("fov"), fov),
        Column::new(PlSmallStr::from("row"), row),
    ];
    columns.push(Column::new(PlSmallStr::from("raw_classification"), raw));
    let class_names = ["main_classification", "super_classification"];
    for (name, values) in class_names.iter().zip(classes) {
        columns.push(Column::new(PlSmallStr::from(*name), values));
    }
    columns.push(Column::new(PlSmallStr::from("type"), kind));
    for (name, values) in ["xmin", "ymin", "xmax", "ymax"].iter().zip(bounds) {
        columns.push(Column::new(PlSmallStr::from(*name), values));
    }
    for (name, values) in ["coords_x", "coords_y"].iter().zip(coords) {
        columns.push(Column::new(PlSmallStr::from(*name), values));
    }
    columns.push(Column::new(PlSmallStr::from("area"), area));
    columns.push(Column::new(PlSmallStr::from("score"), score));
    DataFrame::new(height, columns).map_err(|e| Error::encode("the nuclei table", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{memory, ReadOptions};

    #[test]
    fn the_table_reads_back_as_the_same_set() {
        let table = "fov,raw_classification,type,coords_x,coords_y,score\n\
                     b,tumor,polyline,\"0,4,0\",\"0,0,3\",0.25\n\
                     a,lymphocyte,rectangle,\"1,5,5,1\",\"1,1,4,4\",\n\
                     a,fibroblast,point,7,8,\n";
        let options = ReadOptions::default();
        let set = memory::set_of_table("t", table.as_bytes(), &options).unwrap();
        let frame = nuclei(&set).unwrap();
        assert_eq!(frame.height(), 3);
        let area = frame.column("area").unwrap().f64().unwrap();
        assert_eq!(area.get(0), Some(12.0));
        assert_eq!(area.get(2), Some(6.0));
        let mut csv = Vec::new();
        let mut written = frame.clone();
        use polars::prelude::SerWriter;
        polars::prelude::CsvWriter::new(&mut csv)
            .finish(&mut written)
            .unwrap();
        let again = memory::set_of_table("t", &csv, &options).unwrap();
        assert_eq!(again.fov_names(), set.fov_names());
        for (x, y) in again.fovs.iter().zip(&set.fovs) {
            let shapes = |f: &crate::model::Fov| -> Vec<_> {
                f.nuclei
                    .iter()
                    .map(|n| (n.shape.clone(), n.class, n.score))
                    .collect()
            };
            assert_eq!(shapes(x), shapes(y));
        }
    }
}
