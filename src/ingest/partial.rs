//! Reads a partial written by `--partial` (see [`crate::comparison::partial`] and
//! [`crate::agreement::partial`]): its header, checked for the layout's name and version,
//! and its tables.

use crate::agreement::partial::{AgreementHeader, AgreementPartial};
use crate::comparison::partial::{
    hierarchy_of_rows, ComparisonPartial, PartialHeader, PARTIAL_FORMAT, PARTIAL_VERSION,
};
use crate::error::{Error, Location, Problem, Result};
use crate::model::{ClassHierarchy, ClassLevel};
use crate::tables::partial::agreement::{agreement_records, AGREEMENT_TABLES};
use crate::tables::partial::{partial_records, TABLES};
use polars::prelude::{DataFrame, ParquetReader, SerReader};
use std::path::Path;

/// A partial of either kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Partial {
    Comparison(Box<ComparisonPartial>),
    Agreement(Box<AgreementPartial>),
}

/// Reads the partial in the folder `dir`, of whichever command wrote it.
pub fn read_any_partial(dir: &Path) -> Result<Partial> {
    let header_path = dir.join("partial.json");
    let text =
        std::fs::read_to_string(&header_path).map_err(|e| Error::io(&header_path, "read", e))?;
    let value: serde_json::Value = parse(&header_path, &text)?;
    let format = value
        .get("format")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    let version = value
        .get("format_version")
        .and_then(|v| v.as_u64())
        .unwrap_or_default();
    if format != PARTIAL_FORMAT || version != u64::from(PARTIAL_VERSION) {
        return Err(Error::input(
            Location::json_pointer(&header_path, "/format_version"),
            Problem::Invalid {
                message: format!(
                    "expected {PARTIAL_FORMAT} version {PARTIAL_VERSION}, found {format:?} version {version}"
                ),
            },
        ));
    }
    match value.get("command").and_then(|v| v.as_str()) {
        Some("agree") => {
            let header: AgreementHeader = parse(&header_path, &text)?;
            let hierarchy = hierarchy_of(&header_path, &header.classes)?;
            let frames = read_tables(dir, &AGREEMENT_TABLES)?;
            let classes = hierarchy.names(ClassLevel::Raw).len();
            let records = agreement_records(dir, &frames, &header, classes)?;
            Ok(Partial::Agreement(Box::new(AgreementPartial {
                path: dir.to_path_buf(),
                header,
                labelled: records.labelled,
                geometry: records.geometry,
                sweep: records.sweep,
                intrarater: records.intrarater,
            })))
        }
        _ => {
            let header: PartialHeader = parse(&header_path, &text)?;
            let hierarchy = hierarchy_of(&header_path, &header.classes)?;
            let frames = read_tables(dir, &TABLES)?;
            let level_sizes = ClassLevel::ALL.map(|level| hierarchy.names(level).len());
            let (outcomes, images) = partial_records(
                dir,
                &frames,
                header.fovs.len(),
                level_sizes,
                header.ap_thresholds,
            )?;
            Ok(Partial::Comparison(Box::new(ComparisonPartial {
                path: dir.to_path_buf(),
                header,
                outcomes,
                images,
            })))
        }
    }
}

/// Reads the comparison partial in the folder `dir`.
pub fn read_partial(dir: &Path) -> Result<ComparisonPartial> {
    match read_any_partial(dir)? {
        Partial::Comparison(partial) => Ok(*partial),
        Partial::Agreement(_) => Err(Error::Layout {
            path: dir.to_path_buf(),
            message: "holds a partial of agree: expected one of compare or score".into(),
        }),
    }
}

fn parse<T: serde::de::DeserializeOwned>(path: &Path, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| {
        Error::input(
            Location::file(path),
            Problem::Invalid {
                message: format!("expected the header of a nucagree partial: {e}"),
            },
        )
    })
}

fn hierarchy_of(path: &Path, rows: &[[String; 3]]) -> Result<ClassHierarchy> {
    hierarchy_of_rows(rows).map_err(|source| Error::Hierarchy {
        path: path.to_path_buf(),
        source,
    })
}

fn read_tables(dir: &Path, names: &[&str]) -> Result<Vec<DataFrame>> {
    names
        .iter()
        .map(|name| {
            let path = dir.join(format!("{name}.parquet"));
            let file = std::fs::File::open(&path).map_err(|e| Error::io(&path, "read", e))?;
            ParquetReader::new(file).finish().map_err(|e| {
                Error::input(
                    Location::file(&path),
                    Problem::Invalid {
                        message: format!("cannot read the parquet file: {e}"),
                    },
                )
            })
        })
        .collect()
}
