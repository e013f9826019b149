//! Writing DataFrames as CSV and parquet, each through a temporary file and a rename.

use crate::error::{Error, Result};
use polars::prelude::{CsvWriter, DataFrame, ParquetWriter, SerWriter};
use std::path::Path;

fn temporary(path: &Path) -> std::path::PathBuf {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("table");
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

fn finish(path: &Path, written: std::result::Result<(), String>) -> Result<()> {
    let tmp = temporary(path);
    match written {
        Ok(()) => std::fs::rename(&tmp, path).map_err(|e| Error::io(path, "write", e)),
        Err(message) => {
            let _ = std::fs::remove_file(&tmp);
            Err(Error::Encode {
                what: path.display().to_string(),
                message,
            })
        }
    }
}

/// Writes `frame` as CSV (header, nulls as empty cells).
pub fn write_csv(path: &Path, frame: &mut DataFrame) -> Result<()> {
    let tmp = temporary(path);
    let file = std::fs::File::create(&tmp).map_err(|e| Error::io(path, "write", e))?;
    let written = CsvWriter::new(std::io::BufWriter::new(file))
        .include_header(true)
        .finish(frame)
        .map_err(|e| e.to_string());
    finish(path, written)
}

/// Writes `frame` as parquet.
pub fn write_parquet(path: &Path, frame: &mut DataFrame) -> Result<()> {
    let tmp = temporary(path);
    let file = std::fs::File::create(&tmp).map_err(|e| Error::io(path, "write", e))?;
    let written = ParquetWriter::new(file)
        .finish(frame)
        .map(|_| ())
        .map_err(|e| e.to_string());
    finish(path, written)
}
