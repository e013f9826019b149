//! The Hugging Face dataset `minhanhto09/NuCLS_dataset` exported to parquet: one row per
//! FOV with `file_name`, `rgb_image`, `mask_image`, `visualization_image` (each a struct of
//! `bytes` and `path`) and `annotation_coordinates`, either a struct of parallel lists
//! (`raw_classification`, `main_classification`, `super_classification`, `type`, `xmin`,
//! `ymin`, `xmax`, `ymax`, `coords_x`, `coords_y`, and for predictions `score`) or a list of
//! such structs.
//!
//! Splits `train_fold_k` and `test_fold_k` (k = 1..5, and 999 for the `debug` config) are
//! read from the file's name or folders; a FOV's test fold is the `test_fold_k` it is in,
//! and the folds' slides become the set's folds. A FOV found in several splits is read
//! once (and must hold the same nuclei everywhere). Only `file_name` and
//! `annotation_coordinates` are read: image bytes stay on disk.

use super::outline::{parse_shape_type, resolve_class, FovBuilder, ShapeType};
use super::set_index::{LoadedFov, LoadedSet};
use super::{ReadOptions, Strictness};
use crate::error::{Error, Location, Problem, Result};
use crate::model::{FoldSplit, Nucleus, NuclsFovName};
use crate::quality::FindingKind;
use polars::prelude::{DataType, ParquetReader, SerReader, Series};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The columns read.
pub const FILE_NAME: &str = "file_name";
pub const ANNOTATIONS: &str = "annotation_coordinates";

/// A split of the dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    pub test: bool,
    pub fold: u32,
}

impl Split {
    /// The split named in a path (`.../test_fold_3-00000-of-00001.parquet`,
    /// `debug/train_fold_999/0000.parquet`), the file name first.
    pub fn of_path(path: &Path) -> Option<Split> {
        path.iter()
            .rev()
            .filter_map(|part| part.to_str())
            .find_map(Split::find)
    }

    fn find(text: &str) -> Option<Split> {
        for (prefix, test) in [("test_fold_", true), ("train_fold_", false)] {
            if let Some(start) = text.find(prefix) {
                let digits: String = text[start + prefix.len()..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                if let Ok(fold) = digits.parse() {
                    return Some(Split { test, fold });
                }
            }
        }
        None
    }

    pub fn name(self) -> String {
        format!(
            "{}_fold_{}",
            if self.test { "test" } else { "train" },
            self.fold
        )
    }
}

/// Reads parquet files (those of `options.split` only, where given) as one set.
pub(crate) fn read_parquet_files(files: &[PathBuf], options: &ReadOptions) -> Result<LoadedSet> {
    let chosen: Vec<(&PathBuf, Option<Split>)> = files
        .iter()
        .map(|f| (f, Split::of_path(f)))
        .filter(|(_, split)| match &options.split {
            Some(wanted) => split.is_some_and(|s| &s.name() == wanted),
            None => true,
        })
        .collect();
    if chosen.is_empty() {
        let mut found: Vec<String> = files
            .iter()
            .filter_map(|f| Split::of_path(f).map(Split::name))
            .collect();
        found.sort();
        found.dedup();
        return Err(Error::Layout {
            path: files.first().cloned().unwrap_or_default(),
            message: format!(
                "no parquet file of split {:?}: found {}",
                options.split.as_deref().unwrap_or(""),
                if found.is_empty() {
                    "no split names".into()
                } else {
                    found.join(", ")
                }
            ),
        });
    }
    let mut set = LoadedSet::default();
    let mut seen: BTreeMap<String, (usize, PathBuf)> = BTreeMap::new();
    let mut folds: BTreeMap<u32, FoldSplit> = BTreeMap::new();
    for (file, split) in chosen {
        for fov in read_parquet(file, options)? {
            if let (Some(split), Some(parsed)) = (split, NuclsFovName::parse(&fov.name)) {
                let entry = folds.entry(split.fold).or_default();
                let slides = if split.test {
                    &mut entry.test
                } else {
                    &mut entry.train
                };
                if !slides.contains(&parsed.slide) {
                    slides.push(parsed.slide);
                }
            }
            let test_fold = split.filter(|s| s.test).map(|s| s.fold);
            if let Some((index, first_file)) = seen.get(&fov.name) {
                let kept: &mut LoadedFov = &mut set.fovs[*index];
                if kept.rows.nuclei != fov.rows.nuclei {
                    return Err(Error::input(
                        Location::file(file),
                        Problem::Invalid {
                            message: format!(
                                "FOV {:?} holds other nuclei than in {}: expected the same annotations in every split",
                                fov.name,
                                first_file.display()
                            ),
                        },
                    ));
                }
                kept.test_fold = kept.test_fold.or(test_fold);
                set.quality.push(
                    FindingKind::RepeatedFov,
                    file.clone(),
                    None,
                    fov.name.clone(),
                );
                continue;
            }
            seen.insert(fov.name.clone(), (set.fovs.len(), file.clone()));
            set.fovs.push(LoadedFov { test_fold, ..fov });
        }
    }
    for split in folds.values_mut() {
        split.train.sort();
        split.test.sort();
    }
    set.folds = folds;
    Ok(set)
}

fn polars_error<'a>(
    path: &'a Path,
    action: &str,
) -> impl Fn(polars::error::PolarsError) -> Error + 'a {
    let action = action.to_string();
    move |e| {
        Error::input(
            Location::file(path),
            Problem::Invalid {
                message: format!("cannot {action}: {e}"),
            },
        )
    }
}

/// Reads one parquet file's FOVs.
fn read_parquet(path: &Path, options: &ReadOptions) -> Result<Vec<LoadedFov>> {
    let open = || std::fs::File::open(path).map_err(|e| Error::io(path, "read", e));
    let schema = ParquetReader::new(open()?)
        .schema()
        .map_err(polars_error(path, "read the parquet schema"))?;
    let names: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
    for needed in [FILE_NAME, ANNOTATIONS] {
        if !names.iter().any(|n| n == needed) {
            return Err(Error::input(
                Location::file(path),
                Problem::MissingColumn {
                    name: needed.into(),
                    expected: format!(
                        "the Hugging Face NuCLS columns {FILE_NAME} and {ANNOTATIONS} (found {})",
                        names.join(", ")
                    ),
                },
            ));
        }
    }
    let frame = ParquetReader::new(open()?)
        .with_columns(Some(vec![FILE_NAME.into(), ANNOTATIONS.into()]))
        .finish()
        .map_err(polars_error(path, "read the parquet file"))?;
    let type_error = |column: &str, row: usize, what: &str| {
        Error::input(
            Location::cell(path, row as u64 + 1, column),
            Problem::Invalid {
                message: format!("expected {what}"),
            },
        )
    };
    let file_names = frame
        .column(FILE_NAME)
        .and_then(|c| c.str().cloned())
        .map_err(|_| type_error(FILE_NAME, 0, "text"))?;
    let annotations = frame
        .column(ANNOTATIONS)
        .map_err(polars_error(path, "read annotation_coordinates"))?
        .as_materialized_series()
        .clone();
    let mut fovs = Vec::with_capacity(frame.height());
    for row in 0..frame.height() {
        let Some(file_name) = file_names.get(row) else {
            return Err(type_error(FILE_NAME, row, "a file name"));
        };
        let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
        let name = match base.rfind('.') {
            Some(dot) if dot > 0 => &base[..dot],
            _ => base,
        };
        let fields = RowFields::of(path, &annotations, row)?;
        let rows = read_row(path, row, &fields, options)?;
        fovs.push(LoadedFov {
            name: name.to_string(),
            source: path.to_path_buf(),
            rows,
            region: None,
            image_size: None,
            test_fold: None,
        });
    }
    Ok(fovs)
}

/// The annotation fields of one row, each a series with one value per nucleus.
struct RowFields {
    fields: BTreeMap<String, Series>,
    count: usize,
}

impl RowFields {
    fn of(path: &Path, column: &Series, row: usize) -> Result<RowFields> {
        let bad = |what: &str| {
            Error::input(
                Location::cell(path, row as u64 + 1, ANNOTATIONS),
                Problem::Invalid {
                    message: format!(
                        "{what}: expected a struct of lists (raw_classification, type, xmin, ..., coords_x, coords_y) or a list of such structs"
                    ),
                },
            )
        };
        let mut fields = BTreeMap::new();
        match column.dtype() {
            DataType::Struct(_) => {
                let structs = column.struct_().map_err(|_| bad("not a struct"))?;
                for field in structs.fields_as_series() {
                    let values = field
                        .list()
                        .map_err(|_| bad(&format!("field {} is not a list", field.name())))?
                        .get_as_series(row)
                        .unwrap_or_else(|| {
                            Series::new_empty(field.name().clone(), &DataType::Null)
                        });
                    fields.insert(field.name().to_string(), values);
                }
            }
            DataType::List(_) => {
                let list = column.list().map_err(|_| bad("not a list"))?;
                if let Some(items) = list.get_as_series(row) {
                    let structs = items.struct_().map_err(|_| bad("a list of non-structs"))?;
                    for field in structs.fields_as_series() {
                        fields.insert(field.name().to_string(), field);
                    }
                }
            }
            other => return Err(bad(&format!("a column of type {other}"))),
        }
        let count = fields.values().map(|s| s.len()).max().unwrap_or(0);
        Ok(RowFields { fields, count })
    }

    fn get(&self, name: &str) -> Option<&Series> {
        self.fields.get(name)
    }
}

fn read_row(
    path: &Path,
    row: usize,
    fields: &RowFields,
    options: &ReadOptions,
) -> Result<super::FovRows> {
    let row_number = row as u64 + 1;
    let mut builder = FovBuilder::new(path);
    for index in 0..fields.count {
        let item = index as u64 + 1;
        match read_nucleus(path, row_number, index, fields, options) {
            Ok(Some((kind, vertices, class, name))) => {
                let score = score_of(fields, index);
                if let Some(shape) = builder.shape(item, kind, vertices) {
                    builder.push(Nucleus::new(item as u32, shape, class, score), &name);
                }
            }
            Ok(None) => {}
            Err(error) if options.strictness == Strictness::Lenient && error.is_input() => {
                builder.note(FindingKind::SkippedRow, Some(item), error.to_string());
            }
            Err(error) => return Err(error),
        }
    }
    Ok(builder.finish())
}

/// A prediction's score, from a `score` or `confidence` list where there is one.
fn score_of(fields: &RowFields, index: usize) -> Option<f64> {
    let series = fields.get("score").or_else(|| fields.get("confidence"))?;
    let values = series.cast(&DataType::Float64).ok()?;
    values.f64().ok()?.get(index).filter(|v| v.is_finite())
}

type NucleusFields = (ShapeType, Vec<[f64; 2]>, crate::model::RawClass, String);

fn read_nucleus(
    path: &Path,
    row: u64,
    index: usize,
    fields: &RowFields,
    options: &ReadOptions,
) -> Result<Option<NucleusFields>> {
    let cell = |name: &str| format!("{ANNOTATIONS}.{name}[{index}]");
    let fail = |name: &str, problem: Problem| {
        Error::input(Location::cell(path, row, &cell(name)), problem)
    };
    let text = |name: &str| -> Option<String> {
        let series = fields.get(name)?;
        series.str().ok()?.get(index).map(str::to_string)
    };
    let numbers = |name: &str, series: &Series| -> Result<Vec<f64>> {
        let cast = series.cast(&DataType::Float64).map_err(|_| {
            fail(
                name,
                Problem::Invalid {
                    message: "expected numbers".into(),
                },
            )
        })?;
        let values = cast.f64().expect("cast to f64");
        (0..values.len())
            .map(|i| match values.get(i) {
                Some(v) if v.is_finite() && v.abs() < super::COORDINATE_LIMIT => Ok(v),
                other => Err(fail(
                    name,
                    Problem::Invalid {
                        message: format!("expected a finite coordinate, found {other:?}"),
                    },
                )),
            })
            .collect()
    };
    let Some(class_name) = text("raw_classification").filter(|t| !t.trim().is_empty()) else {
        return Err(fail(
            "raw_classification",
            Problem::EmptyCell {
                expected: "a class name".into(),
            },
        ));
    };
    let class = resolve_class(&options.hierarchy, &class_name)
        .map_err(|problem| fail("raw_classification", problem))?;
    let declared = match text("type") {
        Some(t) if !t.trim().is_empty() => {
            Some(parse_shape_type(t.trim()).map_err(|problem| fail("type", problem))?)
        }
        _ => None,
    };
    let coordinate_list = |name: &str| -> Result<Vec<f64>> {
        match fields.get(name) {
            None => Ok(Vec::new()),
            Some(series) => match series.list() {
                Ok(list) => match list.get_as_series(index) {
                    Some(values) => numbers(name, &values),
                    None => Ok(Vec::new()),
                },
                Err(_) => Err(fail(
                    name,
                    Problem::Invalid {
                        message: "expected a list of coordinates".into(),
                    },
                )),
            },
        }
    };
    let xs = coordinate_list("coords_x")?;
    let ys = coordinate_list("coords_y")?;
    if xs.len() != ys.len() {
        return Err(fail(
            "coords_y",
            Problem::LengthMismatch {
                x: xs.len(),
                y: ys.len(),
            },
        ));
    }
    let mut vertices: Vec<[f64; 2]> = xs.into_iter().zip(ys).map(|(x, y)| [x, y]).collect();
    if vertices.is_empty() {
        let mut corners = [0.0; 4];
        for (value, name) in corners.iter_mut().zip(["xmin", "ymin", "xmax", "ymax"]) {
            let Some(series) = fields.get(name) else {
                return Err(fail(
                    name,
                    Problem::EmptyCell {
                        expected: "coords_x/coords_y or a box".into(),
                    },
                ));
            };
            let slice = series.slice(index as i64, 1);
            *value = numbers(name, &slice)?.first().copied().unwrap_or(f64::NAN);
        }
        vertices = vec![[corners[0], corners[1]], [corners[2], corners[3]]];
    }
    let distinct = {
        let mut d = vertices.clone();
        d.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
        d.dedup();
        d.len()
    };
    let kind = match declared {
        Some(kind) => kind,
        None if distinct == 1 => ShapeType::Point,
        None => ShapeType::Polygon,
    };
    if kind == ShapeType::Point && distinct != 1 {
        return Err(fail(
            "coords_x",
            Problem::PointWithSeveralCoordinates { count: distinct },
        ));
    }
    Ok(Some((kind, vertices, class, class_name)))
}
