//! Writing files safely: every output goes to a temporary file beside its target and is
//! renamed into place, so a reader never sees half a file; an output folder inside an input
//! is refused, so an input is never written over. Used by the set writers and the reports.

use crate::error::{Error, Result};
use polars::prelude::{CsvWriter, DataFrame, ParquetWriter, SerWriter};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("output");
    let temporary = dir.join(format!(".{file_name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        std::fs::rename(&temporary, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        Error::io(path, "write", e)
    })
}

/// Writes `path` through a buffered temporary file in the same folder and a rename, `write`
/// producing the bytes as it goes (for files too large to hold in memory).
pub fn write_streamed(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<()> {
    let temporary = temporary(path);
    let result = (|| {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&temporary)?);
        write(&mut out)?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        Error::io(path, "write", e)
    })
}

/// Creates the output folder, refusing one that is an input of the run or lies inside one
/// (checked before anything is created).
pub fn prepare_output_dir(dir: &Path, inputs: &[&Path]) -> Result<()> {
    check_outside_inputs(dir, inputs)?;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "create", e))
}

/// Refuses an output folder that is an input, lies inside one, or holds one (an output folder
/// is replaced whole).
pub fn check_outside_inputs(dir: &Path, inputs: &[&Path]) -> Result<()> {
    let out = resolve(dir).map_err(|e| Error::io(dir, "resolve", e))?;
    for input in inputs {
        if let Ok(input) = input.canonicalize() {
            if out.starts_with(&input) {
                return Err(Error::OutputInsideInput {
                    out: dir.to_path_buf(),
                    input,
                });
            }
            if input.starts_with(&out) {
                return Err(Error::OutputHoldsInput {
                    out: dir.to_path_buf(),
                    input,
                });
            }
        }
    }
    Ok(())
}

/// The canonical form of a path that may not exist yet: its nearest existing ancestor
/// canonicalized, with the rest appended.
fn resolve(path: &Path) -> std::io::Result<PathBuf> {
    let absolute = std::path::absolute(path)?;
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => break,
        }
    }
    let mut resolved = existing.canonicalize()?;
    resolved.extend(rest.iter().rev());
    Ok(resolved)
}

/// Pretty-printed JSON with a final newline.
pub fn to_pretty<T: Serialize>(value: &T, what: &str) -> Result<String> {
    let mut text = serde_json::to_string_pretty(value).map_err(|e| Error::encode(what, e))?;
    text.push('\n');
    Ok(text)
}

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
            Err(Error::encode(path.display().to_string(), message))
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

/// `frame` as the bytes of a parquet file (for a table handed over in memory).
pub fn parquet_bytes(frame: &mut DataFrame) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes)
        .finish(frame)
        .map_err(|e| Error::encode("a parquet table", e))?;
    Ok(bytes)
}
