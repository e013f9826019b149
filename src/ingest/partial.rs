//! Reads a comparison partial written by `--partial` (see
//! [`crate::comparison::partial`]): its header, checked for the layout's name and version,
//! and its tables.

use crate::comparison::partial::{
    ComparisonPartial, PartialHeader, PARTIAL_FORMAT, PARTIAL_VERSION,
};
use crate::error::{Error, Location, Problem, Result};
use crate::model::{ClassHierarchy, ClassLevel};
use crate::tables::partial::{partial_records, TABLES};
use polars::prelude::{ParquetReader, SerReader};
use std::path::Path;

/// Reads the partial in the folder `dir`.
pub fn read_partial(dir: &Path) -> Result<ComparisonPartial> {
    let header_path = dir.join("partial.json");
    let text =
        std::fs::read_to_string(&header_path).map_err(|e| Error::io(&header_path, "read", e))?;
    let header: PartialHeader = serde_json::from_str(&text).map_err(|e| {
        Error::input(
            Location::file(&header_path),
            Problem::Invalid {
                message: format!("expected the header of a nucagree partial: {e}"),
            },
        )
    })?;
    if header.format != PARTIAL_FORMAT || header.format_version != PARTIAL_VERSION {
        return Err(Error::input(
            Location::json_pointer(&header_path, "/format_version"),
            Problem::Invalid {
                message: format!(
                    "expected {PARTIAL_FORMAT} version {PARTIAL_VERSION}, found {} version {}",
                    header.format, header.format_version
                ),
            },
        ));
    }
    let hierarchy = ClassHierarchy::from_rows(
        header
            .classes
            .iter()
            .map(|[r, m, s]| (r.clone(), m.clone(), s.clone())),
    )
    .map_err(|source| Error::Hierarchy {
        path: header_path.clone(),
        source,
    })?;
    let frames = TABLES
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
        .collect::<Result<Vec<_>>>()?;
    let level_sizes = ClassLevel::ALL.map(|level| hierarchy.names(level).len());
    let (outcomes, images) = partial_records(
        dir,
        &frames,
        header.fovs.len(),
        level_sizes,
        header.ap_thresholds,
    )?;
    Ok(ComparisonPartial {
        path: dir.to_path_buf(),
        header,
        outcomes,
        images,
    })
}
