//! Writing a set as the Hugging Face NuCLS export: parquet with `file_name`, the three image
//! columns (`struct{bytes, path}`; the RGB image's bytes where the set has images, the
//! others null) and `annotation_coordinates` as a struct
//! of parallel lists (with a `score` list where the set has scores). One file per split (`train_fold_k.parquet`, `test_fold_k.parquet`)
//! where the set has folds, else one `data.parquet`.

use super::files::write_parquet;
use super::nucls::class_label;
use crate::error::{Error, Result};
use crate::ingest::hugging_face::{ANNOTATIONS, FILE_NAME};
use crate::model::{AnnotationSet, ClassLevel, Fov};
use polars::prelude::{Column, DataFrame, DataType, IntoSeries, NamedFrom, Series, StructChunked};
use std::path::{Path, PathBuf};

/// The image columns of the export.
pub const IMAGE_COLUMNS: [&str; 3] = ["rgb_image", "mask_image", "visualization_image"];

/// Writes the set's splits; returns the files written.
pub fn write_parquet_splits(set: &AnnotationSet, dir: &Path) -> Result<Vec<PathBuf>> {
    let integral = set
        .fovs
        .iter()
        .flat_map(|f| &f.nuclei)
        .flat_map(|n| n.shape.vertices())
        .all(|v| v[0].fract() == 0.0 && v[1].fract() == 0.0);
    let mut splits: Vec<(String, Vec<&Fov>)> = Vec::new();
    if set.folds.is_empty() {
        splits.push(("data".into(), set.fovs.iter().collect()));
    }
    for (fold, split) in &set.folds {
        for (part, slides) in [("train", &split.train), ("test", &split.test)] {
            let fovs = set
                .fovs
                .iter()
                .filter(|f| f.slide.as_ref().is_some_and(|s| slides.contains(s)))
                .collect();
            splits.push((format!("{part}_fold_{fold}"), fovs));
        }
    }
    let mut written = Vec::new();
    for (name, fovs) in splits {
        let mut frame = frame(set, &fovs, integral)
            .map_err(|e| Error::encode(format!("the {name} split"), e))?;
        let path = dir.join(format!("{name}.parquet"));
        write_parquet(&path, &mut frame)?;
        written.push(path);
    }
    Ok(written)
}

fn frame(
    set: &AnnotationSet,
    fovs: &[&Fov],
    integral: bool,
) -> polars::error::PolarsResult<DataFrame> {
    let height = fovs.len();
    let names: Vec<String> = fovs.iter().map(|f| format!("{}.png", f.name)).collect();
    let mut columns = vec![Column::new(FILE_NAME.into(), names.clone())];
    // The RGB images travel with the set where it has them; masks and visualisations not.
    let rgb: Vec<Option<Vec<u8>>> = fovs
        .iter()
        .map(|f| crate::ingest::images::fov_png(set, &f.name).map(|found| found.map(|(_, b)| b)))
        .collect::<crate::error::Result<_>>()
        .map_err(|e| polars::error::PolarsError::ComputeError(e.to_string().into()))?;
    for image in IMAGE_COLUMNS {
        let bytes = if image == "rgb_image" {
            Series::new("bytes".into(), rgb.clone())
        } else {
            Series::full_null("bytes".into(), height, &DataType::Binary)
        };
        let paths = Series::new("path".into(), names.clone());
        let image = StructChunked::from_series(image.into(), height, [bytes, paths].iter())?;
        columns.push(image.into_series().into());
    }
    let coordinate_type = if integral {
        DataType::Int64
    } else {
        DataType::Float64
    };
    let text_field = |name: &str, value: &dyn Fn(&Fov) -> Vec<String>| -> Series {
        let rows: Vec<Series> = fovs
            .iter()
            .map(|f| Series::new(name.into(), value(f)))
            .collect();
        list_of(name, rows, DataType::String)
    };
    let number_field =
        |name: &str, value: &dyn Fn(&Fov) -> Vec<f64>| -> polars::error::PolarsResult<Series> {
            let rows = fovs
                .iter()
                .map(|f| Series::new(name.into(), value(f)).cast(&coordinate_type))
                .collect::<polars::error::PolarsResult<Vec<Series>>>()?;
            Ok(list_of(name, rows, coordinate_type.clone()))
        };
    let level = |level: ClassLevel| {
        move |f: &Fov| -> Vec<String> {
            f.nuclei
                .iter()
                .map(|n| set.hierarchy.name(n.class.id, level).to_string())
                .collect()
        }
    };
    let raw = |f: &Fov| -> Vec<String> { f.nuclei.iter().map(|n| class_label(set, n)).collect() };
    let kind = |f: &Fov| -> Vec<String> {
        f.nuclei
            .iter()
            .map(|n| super::nucls::shape_type(&n.shape).to_string())
            .collect()
    };
    let corner = |pick: fn(&crate::model::BoundingBox) -> f64| {
        move |f: &Fov| -> Vec<f64> { f.nuclei.iter().map(|n| pick(&n.bbox)).collect() }
    };
    let ring_axis = |axis: usize, name: &str| -> polars::error::PolarsResult<Series> {
        let inner_type = DataType::List(Box::new(coordinate_type.clone()));
        let rows = fovs
            .iter()
            .map(|f| {
                let per_nucleus = f
                    .nuclei
                    .iter()
                    .map(|n| {
                        let mut ring = n.shape.vertices();
                        if ring.len() > 1 {
                            ring.push(ring[0]);
                        }
                        Series::new(
                            name.into(),
                            ring.iter().map(|v| v[axis]).collect::<Vec<f64>>(),
                        )
                        .cast(&coordinate_type)
                    })
                    .collect::<polars::error::PolarsResult<Vec<Series>>>()?;
                Ok(list_of(name, per_nucleus, coordinate_type.clone()))
            })
            .collect::<polars::error::PolarsResult<Vec<Series>>>()?;
        Ok(list_of(name, rows, inner_type))
    };
    let mut fields = vec![
        text_field("raw_classification", &raw),
        text_field("main_classification", &level(ClassLevel::Main)),
        text_field("super_classification", &level(ClassLevel::Super)),
        text_field("type", &kind),
        number_field("xmin", &corner(|b| b.xmin))?,
        number_field("ymin", &corner(|b| b.ymin))?,
        number_field("xmax", &corner(|b| b.xmax))?,
        number_field("ymax", &corner(|b| b.ymax))?,
        ring_axis(0, "coords_x")?,
        ring_axis(1, "coords_y")?,
    ];
    // Predictions keep their scores in one more list (not in the dataset itself).
    if fovs
        .iter()
        .flat_map(|f| &f.nuclei)
        .any(|n| n.score.is_some())
    {
        let rows = fovs
            .iter()
            .map(|f| {
                Series::new(
                    "score".into(),
                    f.nuclei.iter().map(|n| n.score).collect::<Vec<_>>(),
                )
            })
            .collect();
        fields.push(list_of("score", rows, DataType::Float64));
    }
    let annotations = StructChunked::from_series(ANNOTATIONS.into(), height, fields.iter())?;
    columns.push(annotations.into_series().into());
    DataFrame::new(height, columns)
}

/// A list series of `rows`, typed even when there are none.
fn list_of(name: &str, rows: Vec<Series>, inner: DataType) -> Series {
    if rows.is_empty() {
        return Series::new_empty(name.into(), &DataType::List(Box::new(inner)));
    }
    let rows: Vec<Series> = rows
        .into_iter()
        .map(|s| {
            if s.is_empty() {
                Series::new_empty(name.into(), &inner)
            } else {
                s
            }
        })
        .collect();
    Series::new(name.into(), rows)
}
