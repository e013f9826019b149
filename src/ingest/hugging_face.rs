//! The Hugging Face dataset `minhanhto09/NuCLS_dataset` exported to parquet: one row per
//! FOV with `file_name`, `rgb_image`, `mask_image`, `visualization_image` (each a struct of
//! `bytes` and `path`) and `annotation_coordinates`, either a struct of parallel lists
//! (`raw_classification`, `main_classification`, `super_classification`, `type`, `xmin`,
//! `ymin`, `xmax`, `ymax`, `coords_x`, `coords_y`, and for predictions `score`) or a list of
//! such structs.
//!
//! Splits `train_fold_k` and `test_fold_k` (k = 1..5, and 999 for the `debug` config) are
//! read from the file's name or folders; a FOV's test fold is the `test_fold_k` it is in,
//! and the folds' slides become the set's folds. A FOV found in several splits is read once,
//! from the first file that holds it (test splits first, which together hold every FOV): a
//! file whose FOVs were all read has only its `file_name` column read. Only `file_name` and
//! `annotation_coordinates` are read: image bytes stay on disk.

use super::format::Format;
use super::loaded::{LoadedFov, LoadedSet};
use super::options::ReadOptions;
use super::outline::{
    box_vertices, nucls_shape_type, parse_shape_type, resolve_class, FovBuilder, ShapeType,
};
use super::reader::{Layout, Reader, Sniff};
use crate::error::{Error, Location, Problem, Result};
use crate::model::{BoundingBox, FoldSplit, Nucleus, NuclsFovName};
use crate::quality::FindingKind;
use polars::prelude::{
    DataType, Float64Chunked, ListChunked, ParquetReader, SerReader, Series, StringChunked,
};
use std::collections::{BTreeMap, HashMap};
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
/// The Hugging Face NuCLS export.
pub const FORMAT: Format = Format::new("hugging-face", "the Hugging Face NuCLS export (parquet)");

/// Reads the Hugging Face NuCLS export: parquet files anywhere under a folder, their splits
/// named by file or folder.
#[derive(Debug, Clone, Copy)]
pub struct HuggingFaceReader;

impl Reader for HuggingFaceReader {
    fn format(&self) -> Format {
        FORMAT
    }

    fn layout(&self) -> Layout {
        Layout::ManyFiles
    }

    fn extensions(&self) -> &'static [&'static str] {
        &[".parquet"]
    }

    fn expected(&self) -> &'static str {
        "Hugging Face parquet"
    }

    fn recognises(&self, sniff: &Sniff) -> bool {
        matches!(sniff, Sniff::Head(bytes) if bytes.starts_with(b"PAR1"))
    }

    fn read_set(&self, files: &[PathBuf], options: &ReadOptions) -> Result<LoadedSet> {
        // A corrupt page header can make the decoder allocate without bound, which aborts:
        // headers are checked before anything is decoded.
        for file in files {
            super::parquet_pages::check_pages(file)?;
        }
        // The parquet decoder can panic on a corrupt page instead of returning an error: what
        // it panics on becomes an error naming the files.
        let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            read_parquet_files(files, options)
        }));
        read.unwrap_or_else(|panic| {
            let cause = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("the decoder failed");
            let path = match files {
                [file] => file.clone(),
                _ => files
                    .first()
                    .and_then(|f| f.parent())
                    .map(Path::to_path_buf)
                    .unwrap_or_default(),
            };
            Err(Error::input(
                Location::file(&path),
                Problem::Invalid {
                    message: format!("not a readable parquet file (corrupt?): {cause}"),
                },
            ))
        })
    }
}

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
    // Test splits first: together they hold every FOV once, so train splits add only names.
    let mut chosen = chosen;
    chosen.sort_by_key(|(file, split)| (!split.is_some_and(|s| s.test), file.to_path_buf()));
    let mut set = LoadedSet::default();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut folds: BTreeMap<u32, FoldSplit> = BTreeMap::new();
    for (file, split) in chosen {
        let names = read_names(file)?;
        let test_fold = split.filter(|s| s.test).map(|s| s.fold);
        let mut fresh = Vec::new();
        let mut rows_of: HashMap<&str, usize> = HashMap::new();
        for (row, name) in names.iter().enumerate() {
            if let Some(first) = rows_of.insert(name.as_str(), row) {
                return Err(Error::input(
                    Location::parquet_field(file, row as u64 + 1, FILE_NAME),
                    Problem::Invalid {
                        message: format!(
                            "FOV {name:?} appears twice in this file (rows {} and {}): expected one row per FOV",
                            first + 1,
                            row + 1
                        ),
                    },
                ));
            }
            if let (Some(split), Some(parsed)) = (split, NuclsFovName::parse(name)) {
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
            match seen.get(name) {
                Some(&index) => {
                    let kept = &mut set.fovs[index];
                    kept.test_fold = kept.test_fold.or(test_fold);
                    let finding = FindingKind::RepeatedFov;
                    set.quality.push(finding, file.clone(), None, name.clone());
                }
                None => {
                    seen.insert(name.clone(), set.fovs.len() + fresh.len());
                    fresh.push(row);
                }
            }
        }
        if !fresh.is_empty() {
            for fov in read_fovs(file, &names, &fresh, options)? {
                set.fovs.push(LoadedFov { test_fold, ..fov });
            }
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

/// The FOV names of a parquet file (its `file_name` column without folders and extension),
/// after checking that it has the columns read.
fn read_names(path: &Path) -> Result<Vec<String>> {
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
        .with_columns(Some(vec![FILE_NAME.into()]))
        .finish()
        .map_err(polars_error(path, "read the parquet file"))?;
    let not_text = |row: usize| {
        Error::input(
            Location::parquet_field(path, row as u64 + 1, FILE_NAME),
            Problem::Invalid {
                message: "expected a file name that names a FOV".into(),
            },
        )
    };
    let file_names = frame
        .column(FILE_NAME)
        .and_then(|c| c.str().cloned())
        .map_err(|_| not_text(0))?;
    (0..frame.height())
        .map(|row| {
            let file_name = file_names.get(row).ok_or_else(|| not_text(row))?;
            let name = super::listing::fov_name_of(file_name);
            if name.trim().is_empty() {
                return Err(not_text(row));
            }
            Ok(name.to_string())
        })
        .collect()
}

/// Reads the FOVs at `rows` of a parquet file whose FOV names are `names`.
fn read_fovs(
    path: &Path,
    names: &[String],
    rows: &[usize],
    options: &ReadOptions,
) -> Result<Vec<LoadedFov>> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, "read", e))?;
    let frame = ParquetReader::new(file)
        .with_columns(Some(vec![ANNOTATIONS.into()]))
        .finish()
        .map_err(polars_error(path, "read the parquet file"))?;
    let annotations = frame
        .column(ANNOTATIONS)
        .map_err(polars_error(path, "read annotation_coordinates"))?
        .as_materialized_series()
        .clone();
    rows.iter()
        .map(|&row| {
            let fields = RowFields::of(path, &annotations, row)?;
            Ok(LoadedFov {
                name: names[row].clone(),
                source: path.to_path_buf(),
                rows: read_row(path, row, &fields, options)?,
                region: None,
                image_size: None,
                test_fold: None,
                group: None,
                label_map: None,
            })
        })
        .collect()
}

/// The annotation fields of one row, one value per nucleus, cast once to the types read.
struct RowFields {
    raw: Option<StringChunked>,
    shape_type: Option<StringChunked>,
    corners: [Option<Float64Chunked>; 4],
    coords: [Option<ListChunked>; 2],
    score: Option<Float64Chunked>,
    count: usize,
}

const CORNERS: [&str; 4] = ["xmin", "ymin", "xmax", "ymax"];

impl RowFields {
    fn of(path: &Path, column: &Series, row: usize) -> Result<RowFields> {
        let at = |name: &str| {
            Location::parquet_field(path, row as u64 + 1, &format!("{ANNOTATIONS}.{name}"))
        };
        let bad =
            |name: &str, what: String| Error::input(at(name), Problem::Invalid { message: what });
        let shape = |what: &str| {
            bad(
                "",
                format!("{what}: expected a struct of lists (raw_classification, type, xmin, ..., coords_x, coords_y) or a list of such structs"),
            )
        };
        let mut fields: BTreeMap<String, Series> = BTreeMap::new();
        match column.dtype() {
            DataType::Struct(_) => {
                let structs = column.struct_().map_err(|_| shape("not a struct"))?;
                for field in structs.fields_as_series() {
                    let list = field
                        .list()
                        .map_err(|_| shape(&format!("field {} is not a list", field.name())))?;
                    if let Some(values) = list.get_as_series(row) {
                        fields.insert(field.name().to_string(), values);
                    }
                }
            }
            DataType::List(_) => {
                let list = column.list().map_err(|_| shape("not a list"))?;
                if let Some(items) = list.get_as_series(row) {
                    let structs = items
                        .struct_()
                        .map_err(|_| shape("a list of non-structs"))?;
                    for field in structs.fields_as_series() {
                        fields.insert(field.name().to_string(), field);
                    }
                }
            }
            other => return Err(shape(&format!("a column of type {other}"))),
        }
        // The fields are parallel lists, one item per nucleus: they must be as long as each
        // other.
        let count = fields.values().map(|s| s.len()).max().unwrap_or(0);
        if let Some((name, values)) = fields.iter().find(|(_, s)| s.len() != count) {
            let (longest, _) = fields
                .iter()
                .find(|(_, s)| s.len() == count)
                .expect("the longest field");
            return Err(bad(
                name,
                format!(
                    "{} values but {count} in {longest}: expected one value per nucleus in every field",
                    values.len()
                ),
            ));
        }
        let text = |name: &str| -> Result<Option<StringChunked>> {
            fields
                .get(name)
                .map(|s| {
                    s.str()
                        .cloned()
                        .map_err(|_| bad(name, "expected text".into()))
                })
                .transpose()
        };
        let numbers = |name: &str| -> Result<Option<Float64Chunked>> {
            fields
                .get(name)
                .map(|s| {
                    s.cast(&DataType::Float64)
                        .and_then(|c| c.f64().cloned())
                        .map_err(|_| bad(name, "expected numbers".into()))
                })
                .transpose()
        };
        let coordinates = |name: &str| -> Result<Option<ListChunked>> {
            let list_type = DataType::List(Box::new(DataType::Float64));
            fields
                .get(name)
                .map(|s| {
                    s.cast(&list_type)
                        .and_then(|c| c.list().cloned())
                        .map_err(|_| bad(name, "expected lists of coordinates".into()))
                })
                .transpose()
        };
        Ok(RowFields {
            raw: text("raw_classification")?,
            shape_type: text("type")?,
            corners: [
                numbers(CORNERS[0])?,
                numbers(CORNERS[1])?,
                numbers(CORNERS[2])?,
                numbers(CORNERS[3])?,
            ],
            coords: [coordinates("coords_x")?, coordinates("coords_y")?],
            score: match numbers("score")? {
                Some(score) => Some(score),
                None => numbers("confidence")?,
            },
            count,
        })
    }
}

fn read_row(
    path: &Path,
    row: usize,
    fields: &RowFields,
    options: &ReadOptions,
) -> Result<super::outline::FovRows> {
    let row_number = row as u64 + 1;
    let mut builder = FovBuilder::new(path);
    for index in 0..fields.count {
        let item = index as u64 + 1;
        let read = read_nucleus(path, row_number, index, fields, options);
        let Some((kind, vertices, class, name)) = builder.keep(options.strictness, item, read)?
        else {
            continue;
        };
        let score = fields.score.as_ref().and_then(|s| s.get(index));
        if let Some(shape) = builder.shape(item, kind, vertices) {
            builder.push(Nucleus::new(item as u32, shape, class, score), &name);
        }
    }
    Ok(builder.finish())
}

type NucleusFields = (ShapeType, Vec<[f64; 2]>, crate::model::RawClass, String);

/// The `index`-th nucleus of a row, validated as a CSV row is.
fn read_nucleus(
    path: &Path,
    row: u64,
    index: usize,
    fields: &RowFields,
    options: &ReadOptions,
) -> Result<NucleusFields> {
    let fail = |name: &str, problem: Problem| {
        Error::input(
            Location::parquet_field(path, row, &format!("{ANNOTATIONS}.{name}[{index}]")),
            problem,
        )
    };
    let coordinate = |name: &str, value: Option<f64>| match value {
        Some(v) if v.is_finite() && v.abs() < super::numbers::COORDINATE_LIMIT => Ok(v),
        other => Err(fail(
            name,
            Problem::Invalid {
                message: format!(
                    "expected a finite coordinate below {:e} in magnitude, found {}",
                    super::numbers::COORDINATE_LIMIT,
                    other.map_or("nothing".to_string(), crate::error::show_number)
                ),
            },
        )),
    };
    fn text(field: &Option<StringChunked>, index: usize) -> Option<&str> {
        field
            .as_ref()
            .and_then(|t| t.get(index))
            .map(str::trim)
            .filter(|t| !t.is_empty())
    }
    let Some(class_name) = text(&fields.raw, index) else {
        return Err(fail(
            "raw_classification",
            Problem::EmptyCell {
                expected: "a class name".into(),
            },
        ));
    };
    let class = resolve_class(&options.hierarchy, class_name)
        .map_err(|problem| fail("raw_classification", problem))?;
    let declared = text(&fields.shape_type, index)
        .map(parse_shape_type)
        .transpose()
        .map_err(|problem| fail("type", problem))?;
    let mut axes: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for (axis, (values, name)) in axes
        .iter_mut()
        .zip(fields.coords.iter().zip(["coords_x", "coords_y"]))
    {
        if let Some(list) = values.as_ref().and_then(|l| l.get_as_series(index)) {
            let list = list.f64().expect("cast to lists of f64");
            super::numbers::check_vertex_count(list.len())
                .map_err(|problem| fail(name, problem))?;
            *axis = (0..list.len())
                .map(|i| coordinate(name, list.get(i)))
                .collect::<Result<_>>()?;
        }
    }
    let [xs, ys] = axes;
    if xs.len() != ys.len() {
        return Err(fail(
            "coords_y",
            Problem::LengthMismatch {
                x: xs.len(),
                y: ys.len(),
            },
        ));
    }
    let from_box_columns = xs.is_empty();
    let vertices = if from_box_columns {
        let mut corners = [0.0; 4];
        for ((value, field), name) in corners.iter_mut().zip(&fields.corners).zip(CORNERS) {
            *value = coordinate(name, field.as_ref().and_then(|f| f.get(index)))?;
        }
        let [xmin, ymin, xmax, ymax] = corners;
        box_vertices(BoundingBox {
            xmin,
            ymin,
            xmax,
            ymax,
        })
        .map_err(|problem| fail("xmax", problem))?
    } else {
        xs.into_iter().zip(ys).map(|(x, y)| [x, y]).collect()
    };
    let kind = nucls_shape_type(declared, &vertices, from_box_columns)
        .map_err(|problem| fail("coords_x", problem))?;
    Ok((kind, vertices, class, class_name.to_string()))
}
