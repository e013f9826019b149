//! One FOV's annotation CSV in the NuCLS layout.
//!
//! Columns are found by header name (case-insensitive); the unnamed index column and extra
//! columns are allowed. Needed: `raw_classification`, and either `coords_x`/`coords_y`
//! (comma-separated numbers in one cell) or `xmin`, `ymin`, `xmax`, `ymax`. Optional:
//! `type` (`rectangle`, `polyline`, `point`), `main_classification`, `super_classification`
//! (checked against the hierarchy), and `score` or `confidence`.

use super::format::Format;
use super::loaded::FovFile;
use super::numbers::{parse_number, parse_number_list};
use super::options::ReadOptions;
use super::options::Strictness;
use super::outline::{
    box_vertices, nucls_shape_type, parse_shape_type, resolve_class, FovBuilder, FovRows,
};
use super::reader::{FovReader, Layout, Reader, Sniff};
use super::records::{self, Fields};
use crate::error::{Error, Location, Problem, Result};
use crate::model::{BoundingBox, ClassHierarchy, ClassLevel, Nucleus, RawClass};
use crate::quality::FindingKind;
use std::collections::HashSet;
use std::path::Path;
use std::path::PathBuf;
use std::sync::Arc;

/// Where each column we use sits in the header.
struct Columns {
    raw: usize,
    main: Option<usize>,
    super_class: Option<usize>,
    shape_type: Option<usize>,
    coords: Option<(usize, usize)>,
    bbox: Option<[usize; 4]>,
    score: Option<(usize, &'static str)>,
}

const BBOX_NAMES: [&str; 4] = ["xmin", "ymin", "xmax", "ymax"];

impl Columns {
    fn find(path: &Path, header: &[String]) -> Result<Columns> {
        let names: Vec<String> = header
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        let mut seen = HashSet::new();
        for name in names.iter().filter(|n| !n.is_empty()) {
            if !seen.insert(name) {
                return Err(Error::input(
                    Location::row(path, 1),
                    Problem::DuplicateColumn { name: name.clone() },
                ));
            }
        }
        let find = |name: &str| names.iter().position(|n| n == name);
        let missing = |name: &str, expected: &str| {
            Error::input(
                Location::row(path, 1),
                Problem::MissingColumn {
                    name: name.into(),
                    expected: expected.into(),
                },
            )
        };
        let raw = find("raw_classification")
            .ok_or_else(|| missing("raw_classification", "the raw class of each nucleus"))?;
        let coords = match (find("coords_x"), find("coords_y")) {
            (Some(x), Some(y)) => Some((x, y)),
            (Some(_), None) => return Err(missing("coords_y", "coords_x and coords_y")),
            (None, Some(_)) => return Err(missing("coords_x", "coords_x and coords_y")),
            (None, None) => None,
        };
        let bbox_found: Vec<Option<usize>> = BBOX_NAMES.iter().map(|n| find(n)).collect();
        let bbox = if bbox_found.iter().all(Option::is_some) {
            Some([0, 1, 2, 3].map(|i| bbox_found[i].unwrap()))
        } else {
            None
        };
        if coords.is_none() && bbox.is_none() {
            let absent = BBOX_NAMES
                .iter()
                .zip(&bbox_found)
                .find(|(_, found)| found.is_none())
                .map(|(name, _)| *name)
                .unwrap_or("coords_x");
            let name = if bbox_found.iter().any(Option::is_some) {
                absent
            } else {
                "coords_x"
            };
            return Err(missing(
                name,
                "coords_x and coords_y, or xmin, ymin, xmax and ymax",
            ));
        }
        let score = match (find("score"), find("confidence")) {
            (Some(_), Some(_)) => {
                return Err(Error::input(
                    Location::row(path, 1),
                    Problem::Invalid {
                        message: "both \"score\" and \"confidence\" columns: expected one".into(),
                    },
                ))
            }
            (Some(i), None) => Some((i, "score")),
            (None, Some(i)) => Some((i, "confidence")),
            (None, None) => None,
        };
        Ok(Columns {
            raw,
            main: find("main_classification"),
            super_class: find("super_classification"),
            shape_type: find("type"),
            coords,
            bbox,
            score,
        })
    }
}

/// Reads one FOV file.
pub fn read_fov_csv(
    path: &Path,
    hierarchy: &ClassHierarchy,
    strictness: Strictness,
) -> Result<FovRows> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, "read", e))?;
    parse_fov_csv(path, &bytes, hierarchy, strictness)
}

/// Parses the bytes of one FOV file; `path` is used in messages only.
pub fn parse_fov_csv(
    path: &Path,
    bytes: &[u8],
    hierarchy: &ClassHierarchy,
    strictness: Strictness,
) -> Result<FovRows> {
    let mut fovs = parse_rows(path, bytes, hierarchy, strictness, Grouping::OneFov)?;
    Ok(fovs.pop().map(|(_, rows)| rows).unwrap_or_default())
}

/// Parses a table of nuclei of many FOVs: the NuCLS columns and a `fov` column naming each
/// row's FOV. FOVs come sorted by name; each nucleus keeps its row in the table (the header
/// is row 1). `path` is used in messages only.
pub fn parse_nuclei_table(
    path: &Path,
    bytes: &[u8],
    hierarchy: &ClassHierarchy,
    strictness: Strictness,
) -> Result<Vec<(String, FovRows)>> {
    parse_rows(path, bytes, hierarchy, strictness, Grouping::FovColumn)
}

/// Whether a CSV holds one FOV or names each row's FOV in a `fov` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Grouping {
    OneFov,
    FovColumn,
}

/// The name of the column that gives each row's FOV in a table of many FOVs.
const FOV_COLUMN: &str = "fov";

fn parse_rows(
    path: &Path,
    bytes: &[u8],
    hierarchy: &ClassHierarchy,
    strictness: Strictness,
    grouping: Grouping,
) -> Result<Vec<(String, FovRows)>> {
    let text = clean_text(bytes);
    if text.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::input(Location::file(path), Problem::EmptyFile));
    }
    let mut header: Option<(Vec<String>, Columns, Option<usize>)> = None;
    let mut builders: std::collections::BTreeMap<String, FovBuilder> =
        std::collections::BTreeMap::new();
    let outcome = records::for_each_record(&text, |row, fields| -> Result<()> {
        let Some((names, columns, fov_column)) = &header else {
            let names: Vec<String> = fields.iter().map(String::from).collect();
            let columns = Columns::find(path, &names)?;
            let fov_column = match grouping {
                Grouping::OneFov => None,
                Grouping::FovColumn => Some(
                    names
                        .iter()
                        .position(|n| n.trim().eq_ignore_ascii_case(FOV_COLUMN))
                        .ok_or_else(|| {
                            Error::input(
                                Location::row(path, 1),
                                Problem::MissingColumn {
                                    name: FOV_COLUMN.into(),
                                    expected: "the FOV of each nucleus".into(),
                                },
                            )
                        })?,
                ),
            };
            header = Some((names, columns, fov_column));
            return Ok(());
        };
        if fields.len() != names.len() {
            return Err(Error::input(
                Location::row(path, row),
                Problem::MalformedCsv {
                    message: format!(
                        "a row of {} fields: expected {}, as in the header",
                        fields.len(),
                        names.len()
                    ),
                },
            ));
        }
        let fov = match fov_column {
            None => String::new(),
            Some(i) => {
                let fov = fields.get(*i).unwrap_or("").trim();
                if fov.is_empty() {
                    return Err(Error::input(
                        Location::cell(path, row, &names[*i]),
                        Problem::EmptyCell {
                            expected: "a FOV name".into(),
                        },
                    ));
                }
                fov.to_string()
            }
        };
        let builder = builders.entry(fov).or_insert_with(|| FovBuilder::new(path));
        match read_row(row, fields, names, columns, hierarchy, builder) {
            Ok(()) => Ok(()),
            Err((column, problem)) => match strictness {
                Strictness::Strict => {
                    Err(Error::input(Location::cell(path, row, &column), problem))
                }
                Strictness::Lenient => {
                    builder.note(
                        FindingKind::SkippedRow,
                        Some(row),
                        format!("{column}: {problem}"),
                    );
                    Ok(())
                }
            },
        }
    });
    match outcome {
        Err(records::RecordError::NotUtf8 { line }) => {
            return Err(Error::input(Location::row(path, line), Problem::NotUtf8))
        }
        Ok(Err(error)) => return Err(error),
        Ok(Ok(())) => {}
    }
    if header.is_none() {
        return Err(Error::input(Location::file(path), Problem::EmptyFile));
    }
    if grouping == Grouping::OneFov && builders.is_empty() {
        builders.insert(String::new(), FovBuilder::new(path));
    }
    Ok(builders
        .into_iter()
        .map(|(fov, builder)| (fov, builder.finish()))
        .collect())
}

/// The bytes of a CSV without a UTF-8 byte-order mark and with CRLF line ends made LF, so
/// that the CSV reader's line numbers are the rows a text editor shows.
pub(crate) fn clean_text(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if !bytes.contains(&b'\r') {
        return std::borrow::Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len());
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            continue;
        }
        out.push(if b == b'\r' { b'\n' } else { b });
    }
    std::borrow::Cow::Owned(out)
}

type RowResult<T> = std::result::Result<T, (String, Problem)>;

/// Reads one row into `builder` (a degenerate shape is counted there and skipped); `Err`
/// for a row that is wrong.
fn read_row(
    row: u64,
    record: &Fields<'_>,
    header: &[String],
    columns: &Columns,
    hierarchy: &ClassHierarchy,
    builder: &mut FovBuilder<'_>,
) -> RowResult<()> {
    let cell = |i: usize| record.get(i).unwrap_or("").trim();
    let name = |i: usize| header.get(i).map_or("", |h| h.trim()).to_string();
    let at = |i: usize| move |problem: Problem| (name(i), problem);

    let class_name = cell(columns.raw);
    if class_name.is_empty() {
        return Err(at(columns.raw)(Problem::EmptyCell {
            expected: "a class name".into(),
        }));
    }
    let class = resolve_class(hierarchy, class_name).map_err(at(columns.raw))?;
    check_class_columns(row, record, columns, hierarchy, class, builder);

    let shape_type = match columns.shape_type.map(cell) {
        None | Some("") => None,
        Some(t) => Some(parse_shape_type(t).map_err(at(columns.shape_type.unwrap()))?),
    };
    let box_columns = match columns.bbox {
        Some(indices) => {
            let mut values = [0.0; 4];
            for (value, &i) in values.iter_mut().zip(&indices) {
                *value = parse_number(cell(i)).map_err(at(i))?;
            }
            Some(BoundingBox {
                xmin: values[0],
                ymin: values[1],
                xmax: values[2],
                ymax: values[3],
            })
        }
        None => None,
    };
    let vertices = match columns.coords {
        Some((xi, yi)) => {
            let xs = parse_number_list(cell(xi)).map_err(at(xi))?;
            let ys = parse_number_list(cell(yi)).map_err(at(yi))?;
            if xs.len() != ys.len() {
                return Err(at(yi)(Problem::LengthMismatch {
                    x: xs.len(),
                    y: ys.len(),
                }));
            }
            xs.into_iter().zip(ys).map(|(x, y)| [x, y]).collect()
        }
        None => {
            let b = box_columns.expect("columns have coords or a box");
            box_vertices(b).map_err(at(columns.bbox.unwrap()[2]))?
        }
    };
    let point_column = columns.coords.map_or(columns.raw, |c| c.0);
    let shape_type = nucls_shape_type(shape_type, &vertices, columns.coords.is_none())
        .map_err(at(point_column))?;
    let score = match columns.score {
        Some((i, _)) if !cell(i).is_empty() => Some(parse_number(cell(i)).map_err(at(i))?),
        _ => None,
    };
    let Some(shape) = builder.shape(row, shape_type, vertices) else {
        return Ok(());
    };
    let nucleus = Nucleus::new(row as u32, shape, class, score);
    if let (Some(b), Some(_)) = (box_columns, columns.coords) {
        let o = nucleus.bbox;
        let gap = (b.xmin - o.xmin)
            .abs()
            .max((b.ymin - o.ymin).abs())
            .max((b.xmax - o.xmax).abs())
            .max((b.ymax - o.ymax).abs());
        if gap > 1.0 {
            builder.note(
                FindingKind::BoxColumnsDisagree,
                Some(row),
                format!(
                    "columns give ({}, {})-({}, {}), the outline ({}, {})-({}, {})",
                    b.xmin, b.ymin, b.xmax, b.ymax, o.xmin, o.ymin, o.xmax, o.ymax
                ),
            );
        }
    }
    builder.push(nucleus, class_name);
    Ok(())
}

fn check_class_columns(
    row: u64,
    record: &Fields<'_>,
    columns: &Columns,
    hierarchy: &ClassHierarchy,
    class: RawClass,
    builder: &mut FovBuilder<'_>,
) {
    for (column, level) in [
        (columns.main, ClassLevel::Main),
        (columns.super_class, ClassLevel::Super),
    ] {
        let Some(value) = column.and_then(|i| record.get(i)).map(str::trim) else {
            continue;
        };
        let expected = hierarchy.name(class.id, level);
        if !value.is_empty() && value != expected {
            builder.note(
                FindingKind::ClassColumnsDisagree,
                Some(row),
                format!("{level} class {value:?}, the hierarchy says {expected:?}"),
            );
        }
    }
}

/// The NuCLS CSV format.
pub const FORMAT: Format = Format::new("nucls", "NuCLS CSVs, one per FOV");

/// Reads NuCLS CSVs, one per FOV, recognised by their `raw_classification` header.
#[derive(Debug, Clone, Copy)]
pub struct NuclsCsvReader;

impl Reader for NuclsCsvReader {
    fn format(&self) -> Format {
        FORMAT
    }

    fn layout(&self) -> Layout {
        Layout::PerFov
    }

    fn extensions(&self) -> &'static [&'static str] {
        &[".csv"]
    }

    fn subfolder(&self) -> Option<&'static str> {
        Some("csv")
    }

    fn expected(&self) -> &'static str {
        "NuCLS CSVs (csv/<fov>.csv or <fov>.csv)"
    }

    fn recognises(&self, sniff: &Sniff) -> bool {
        sniff
            .first_line()
            .is_some_and(|line| line.contains("raw_classification"))
    }

    fn open_fovs(
        &self,
        _find: &dyn Fn(&str) -> Option<PathBuf>,
        options: &ReadOptions,
    ) -> Result<Arc<dyn FovReader>> {
        Ok(Arc::new(CsvFovs {
            hierarchy: options.hierarchy.clone(),
            strictness: options.strictness,
        }))
    }
}

#[derive(Debug)]
struct CsvFovs {
    hierarchy: Arc<ClassHierarchy>,
    strictness: Strictness,
}

impl FovReader for CsvFovs {
    fn read_fov(&self, path: &Path) -> Result<FovFile> {
        Ok(FovFile {
            rows: read_fov_csv(path, &self.hierarchy, self.strictness)?,
            ..FovFile::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Shape;

    const HEADER: &str = ",raw_classification,main_classification,super_classification,type,xmin,ymin,xmax,ymax,coords_x,coords_y\n";

    fn parse(body: &str, strictness: Strictness) -> Result<FovRows> {
        let text = format!("{HEADER}{body}");
        parse_fov_csv(
            Path::new("fov.csv"),
            text.as_bytes(),
            &ClassHierarchy::nucls(),
            strictness,
        )
    }

    #[test]
    fn reads_rectangles_polylines_and_points() {
        let rows = parse(
            "0,tumor,tumor_nonMitotic,tumor_any,rectangle,0,0,10,10,\"0,10,10,0,0\",\"0,0,10,10,0\"\n\
             1,lymphocyte,lymphocyte,sTIL,polyline,20,20,24,23,\"20,24,20,20\",\"20,20,23,20\"\n\
             2,correction_fibroblast,nonTILnonMQ_stromal,nonTIL_stromal,point,5,6,5,6,5,6\n",
            Strictness::Strict,
        )
        .unwrap();
        assert_eq!(rows.nuclei.len(), 3);
        assert_eq!(rows.nuclei[0].shape.area(), 100.0);
        assert_eq!(rows.nuclei[0].row, 2);
        assert_eq!(
            rows.nuclei[1].shape,
            Shape::Polygon(vec![[20.0, 20.0], [24.0, 20.0], [20.0, 23.0]])
        );
        assert_eq!(rows.nuclei[2].shape, Shape::Point([5.0, 6.0]));
        assert!(rows.nuclei[2].class.correction);
        assert_eq!(rows.quality.count(FindingKind::CorrectionRow), 1);
    }

    #[test]
    fn lenient_mode_skips_and_counts_bad_rows() {
        let body = "0,tumor,,,rectangle,0,0,10,10,\"0,10,10,0\",\"0,0,10\"\n\
                    1,tumor,,,rectangle,0,0,10,10,\"0,10,10,0\",\"0,0,10,10\"\n";
        let error = parse(body, Strictness::Strict).unwrap_err();
        assert_eq!(
            error.to_string(),
            "fov.csv:2:coords_y: 4 x coordinates but 3 y coordinates: expected as many of each"
        );
        let rows = parse(body, Strictness::Lenient).unwrap();
        assert_eq!(rows.nuclei.len(), 1);
        assert_eq!(rows.quality.count(FindingKind::SkippedRow), 1);
    }

    #[test]
    fn box_columns_alone_make_boxes() {
        let text = "raw_classification,xmin,ymin,xmax,ymax,score\ntumor,1,2,5,6,0.9\nlymphocyte,3,3,3,3,\n";
        let rows = parse_fov_csv(
            Path::new("p.csv"),
            text.as_bytes(),
            &ClassHierarchy::nucls(),
            Strictness::Strict,
        )
        .unwrap();
        assert_eq!(rows.nuclei[0].shape.area(), 16.0);
        assert_eq!(rows.nuclei[0].score, Some(0.9));
        assert_eq!(rows.nuclei[1].shape, Shape::Point([3.0, 3.0]));
        assert_eq!(rows.nuclei[1].score, None);
    }
}
