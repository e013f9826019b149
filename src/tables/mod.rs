//! Results as polars DataFrames, for CSV and parquet output.

pub mod agreement;
pub mod boundary;
pub mod comparison;
pub mod conventions;
pub mod nuclei;
pub mod partial;
pub mod regions;

use crate::error::{Error, Result};
use crate::matching::table::FovMatchRows;
use crate::model::{ClassHierarchy, ClassLevel, ShapeKind};
use polars::prelude::{Column, DataFrame, PlSmallStr};

/// The match table: for each FOV (name, rows), one row per matched pair, then per unmatched
/// and per cropped nucleus of each set. Columns: `fov`, `status` (`matched`, `unmatched_a`,
/// `unmatched_b`, `cropped_a`, `cropped_b`), `row_a`, `row_b` (rows in the source files),
/// `iou`, `centroid_distance`, the shapes `shape_a`, `shape_b` (`outline`, `box`, `point`),
/// and the classes `raw_a`, `raw_b`, `main_a`, `main_b`, `super_a`, `super_b`; a missing
/// partner is null. Measurements kept with the nuclei (`--keep-measurements`) follow, as
/// `a.<name>` and `b.<name>` (null where a nucleus has none).
pub fn match_table(fovs: &[FovMatchRows], hierarchy: &ClassHierarchy) -> Result<DataFrame> {
    let height: usize = fovs.iter().map(|f| f.rows.len()).sum();
    let mut fov_names: Vec<&str> = Vec::with_capacity(height);
    let mut status: Vec<&str> = Vec::with_capacity(height);
    let mut row_a: Vec<Option<u32>> = Vec::with_capacity(height);
    let mut row_b: Vec<Option<u32>> = Vec::with_capacity(height);
    let mut iou: Vec<Option<f64>> = Vec::with_capacity(height);
    let mut distance: Vec<Option<f64>> = Vec::with_capacity(height);
    let mut classes: [Vec<Option<&str>>; 6] = Default::default();
    let mut shapes: [Vec<Option<&str>>; 2] = Default::default();
    let shape_name = |kind: ShapeKind| match kind {
        ShapeKind::Polygon => "outline",
        ShapeKind::Box => "box",
        ShapeKind::Point => "point",
    };
    for FovMatchRows { fov, rows, .. } in fovs {
        for row in rows {
            fov_names.push(fov);
            status.push(row.status.name());
            row_a.push(row.a.map(|n| n.row));
            row_b.push(row.b.map(|n| n.row));
            iou.push(row.iou);
            distance.push(row.centroid_distance);
            shapes[0].push(row.a.map(|n| shape_name(n.shape)));
            shapes[1].push(row.b.map(|n| shape_name(n.shape)));
            for (k, level) in ClassLevel::ALL.iter().enumerate() {
                classes[2 * k].push(row.a.map(|n| hierarchy.name(n.class, *level)));
                classes[2 * k + 1].push(row.b.map(|n| hierarchy.name(n.class, *level)));
            }
        }
    }
    let names = ["raw_a", "raw_b", "main_a", "main_b", "super_a", "super_b"];
    let mut columns = vec![
        Column::new(PlSmallStr::from("fov"), fov_names),
        Column::new(PlSmallStr::from("status"), status),
        Column::new(PlSmallStr::from("row_a"), row_a),
        Column::new(PlSmallStr::from("row_b"), row_b),
        Column::new(PlSmallStr::from("iou"), iou),
        Column::new(PlSmallStr::from("centroid_distance"), distance),
    ];
    for (name, values) in ["shape_a", "shape_b"].iter().zip(shapes) {
        columns.push(Column::new(PlSmallStr::from(*name), values));
    }
    for (name, values) in names.iter().zip(classes) {
        columns.push(Column::new(PlSmallStr::from(*name), values));
    }
    columns.extend(measurement_columns(fovs));
    DataFrame::new(height, columns).map_err(|e| Error::encode("the match table", e))
}

/// The match table's measurement columns: every name either set's FOVs kept, A's first, in
/// the order first met.
fn measurement_columns(fovs: &[FovMatchRows]) -> Vec<Column> {
    let mut columns = Vec::new();
    for (side, prefix) in ["a", "b"].iter().enumerate() {
        let mut names: Vec<&str> = Vec::new();
        for m in fovs.iter().filter_map(|f| f.measurements[side].as_deref()) {
            for name in m.names() {
                if !names.contains(&name.as_str()) {
                    names.push(name);
                }
            }
        }
        for name in names {
            let values: Vec<Option<f64>> = fovs
                .iter()
                .flat_map(|f| {
                    let kept = f.measurements[side].as_deref();
                    f.rows.iter().map(move |row| {
                        let nucleus = if side == 0 { row.a } else { row.b };
                        kept.zip(nucleus).and_then(|(m, n)| m.value(n.row, name))
                    })
                })
                .collect();
            columns.push(Column::new(
                PlSmallStr::from(format!("{prefix}.{name}")),
                values,
            ));
        }
    }
    columns
}

/// Columns of one table, in order.
#[derive(Default)]
pub(crate) struct Columns {
    columns: Vec<Column>,
}

impl Columns {
    pub(crate) fn add<T>(&mut self, name: &str, values: T) -> &mut Columns
    where
        Column: ColumnFrom<T>,
    {
        self.columns.push(Column::column_from(name, values));
        self
    }

    /// A column of `f` over `rows`.
    pub(crate) fn map<R, T>(&mut self, name: &str, rows: &[R], f: impl Fn(&R) -> T) -> &mut Columns
    where
        Column: ColumnFrom<Vec<T>>,
    {
        let values: Vec<T> = rows.iter().map(f).collect();
        self.add(name, values)
    }

    pub(crate) fn frame(self, what: &str) -> Result<DataFrame> {
        let height = self.columns.first().map_or(0, |c| c.len());
        DataFrame::new(height, self.columns).map_err(|e| Error::encode(what, e))
    }
}

pub(crate) trait ColumnFrom<T> {
    fn column_from(name: &str, values: T) -> Column;
}

macro_rules! column_from {
    ($($t:ty),*) => {$(
        impl ColumnFrom<Vec<$t>> for Column {
            fn column_from(name: &str, values: Vec<$t>) -> Column {
                Column::new(PlSmallStr::from(name), values)
            }
        }
    )*};
}
column_from!(
    String,
    Option<f64>,
    u64,
    u32,
    f64,
    Option<String>,
    bool,
    Option<bool>,
    Option<u64>
);
