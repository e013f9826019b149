//! What a file or folder holds: one set (in which format, laid out how) or a multi-rater
//! study, told by content through the reader registry rather than by name alone.
//!
//! - NuCLS CSVs: `csv/<fov>.csv` or `<fov>.csv`; NuCLS's flat multi-rater names
//!   `<participant>_#_<evalset>_#_<fovname>.csv`; one folder of them per rater;
//! - every other format: the files its reader takes (in its subfolder when there is one,
//!   such as `mask/`), the first of them recognised by its content;
//! - nothing recognised: an error naming what was found and every format tried.

use super::listing::{file_stem, files_below, files_ending, folder_name, is_metadata, list_csv};
use super::reader::{Layout, Reader, Sniff};
use super::registry::{self, READERS};
use crate::error::{Error, Result};
use crate::model::SetLayout;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The separator of NuCLS's flat multi-rater file names.
pub const FLAT_SEPARATOR: &str = "_#_";

/// What a path holds.
pub(crate) enum Detected {
    /// One set, in the files of one reader.
    Set {
        reader: &'static dyn Reader,
        layout: SetLayout,
        files: Vec<PathBuf>,
    },
    /// A multi-rater study in NuCLS's flat names.
    Flat { files: Vec<PathBuf> },
    /// A multi-rater study with a folder per rater.
    RaterFolders { folders: Vec<PathBuf> },
}

/// What `path` holds; `forced` names the format instead of telling it by content.
pub(crate) fn detect(path: &Path, forced: Option<&'static dyn Reader>) -> Result<Detected> {
    if path.is_file() {
        let reader = match forced {
            Some(reader) => reader,
            None => registry::detect_file(path)?,
        };
        return Ok(Detected::Set {
            reader,
            layout: SetLayout::CsvFolder,
            files: vec![path.to_path_buf()],
        });
    }
    if !path.is_dir() {
        return Err(Error::Layout {
            path: path.to_path_buf(),
            message: "no such folder".into(),
        });
    }
    let nucls = registry::reader_of(super::fov_csv::FORMAT);
    match forced {
        None => {
            if let Some(found) = detect_csv(path)? {
                return Ok(found);
            }
            match detect_files(path)? {
                Some(found) => Ok(found),
                None => rater_folders(path),
            }
        }
        Some(reader) if reader.format() == nucls.format() => match detect_csv(path)? {
            Some(found) => Ok(found),
            None => rater_folders(path),
        },
        Some(reader) => {
            let (dir, files) = files_of(reader, path)?;
            if files.is_empty() {
                return Err(Error::Layout {
                    path: path.to_path_buf(),
                    message: format!(
                        "no {} files found: expected {}",
                        reader.format(),
                        reader.expected()
                    ),
                });
            }
            check_file_count(reader, path, &files)?;
            Ok(Detected::Set {
                reader,
                layout: layout_of(&dir, path),
                files,
            })
        }
    }
}

/// The folder a reader's files sit in under `path`, and the files.
fn files_of(reader: &dyn Reader, path: &Path) -> Result<(PathBuf, Vec<PathBuf>)> {
    if reader.layout() == Layout::ManyFiles {
        let extension = reader.extensions()[0].trim_start_matches('.');
        return Ok((path.to_path_buf(), files_below(path, extension)?));
    }
    let dir = match reader.subfolder() {
        Some(sub) if path.join(sub).is_dir() => path.join(sub),
        _ => path.to_path_buf(),
    };
    let mut files = files_ending(&dir, reader.extensions())?;
    files.retain(|path| !is_metadata(path));
    Ok((dir, files))
}

fn layout_of(dir: &Path, path: &Path) -> SetLayout {
    if dir != path {
        SetLayout::NuclsRelease
    } else {
        SetLayout::CsvFolder
    }
}

/// A one-file format found among several files.
fn check_file_count(reader: &dyn Reader, path: &Path, files: &[PathBuf]) -> Result<()> {
    if reader.layout() == Layout::OneFile && files.len() > 1 {
        return Err(Error::Layout {
            path: path.to_path_buf(),
            message: format!(
                "{} files of which the first is {}: expected one {} file (give its path), or one FOV per file",
                files.len(),
                reader.format(),
                reader.format()
            ),
        });
    }
    Ok(())
}

/// The files of the first reader (in the registry's order) whose first file it recognises;
/// `None` when no reader's files are in the folder.
fn detect_files(path: &Path) -> Result<Option<Detected>> {
    let mut sniffs: HashMap<PathBuf, Sniff> = HashMap::new();
    let mut unrecognised: Option<PathBuf> = None;
    for &reader in READERS {
        let (dir, files) = files_of(reader, path)?;
        let Some(first) = files.first() else {
            continue;
        };
        if !sniffs.contains_key(first) {
            sniffs.insert(first.clone(), Sniff::of_file(first)?);
        }
        if reader.recognises(&sniffs[first]) {
            check_file_count(reader, path, &files)?;
            return Ok(Some(Detected::Set {
                reader,
                layout: layout_of(&dir, path),
                files,
            }));
        }
        unrecognised.get_or_insert_with(|| first.clone());
    }
    match unrecognised {
        // Files some reader takes by name, none by content: say what the first holds.
        Some(first) => registry::recognised(&first, &sniffs[&first]).map(|_| None),
        None => Ok(None),
    }
}

/// A folder of NuCLS CSVs: `csv/`, the folder itself, or flat multi-rater names.
fn detect_csv(path: &Path) -> Result<Option<Detected>> {
    let csv_dir = path.join("csv");
    let in_root = list_csv(path)?;
    let in_csv = if csv_dir.is_dir() {
        list_csv(&csv_dir)?
    } else {
        Vec::new()
    };
    let is_flat = |p: &PathBuf| file_stem(p).contains(FLAT_SEPARATOR);
    if in_root.iter().chain(&in_csv).any(is_flat) {
        let files = in_root.into_iter().chain(in_csv).collect();
        return Ok(Some(Detected::Flat { files }));
    }
    if !in_csv.is_empty() && !in_root.is_empty() {
        // Which would be the set? Reading one and ignoring the other would be a silent guess.
        return Err(Error::Layout {
            path: path.to_path_buf(),
            message: format!(
                "holds annotation CSVs both in csv/ ({} files) and beside it ({} files, e.g. {}): expected them in one place",
                in_csv.len(),
                in_root.len(),
                in_root[0].display()
            ),
        });
    }
    let (layout, files) = if !in_csv.is_empty() {
        (SetLayout::NuclsRelease, in_csv)
    } else if !in_root.is_empty() {
        (SetLayout::CsvFolder, in_root)
    } else {
        return Ok(None);
    };
    Ok(Some(Detected::Set {
        reader: registry::reader_of(super::fov_csv::FORMAT),
        layout,
        files,
    }))
}

/// A multi-rater study with one folder of CSVs per rater.
fn rater_folders(path: &Path) -> Result<Detected> {
    let mut folders = Vec::new();
    for entry in std::fs::read_dir(path).map_err(|e| Error::io(path, "list", e))? {
        let sub = entry.map_err(|e| Error::io(path, "list", e))?.path();
        let name = folder_name(&sub);
        if !sub.is_dir()
            || name.starts_with('.')
            || ["rgb", "mask", "train_test_splits", "csv"].contains(&name.as_str())
        {
            continue;
        }
        let has_csv = !list_csv(&sub)?.is_empty()
            || (sub.join("csv").is_dir() && !list_csv(&sub.join("csv"))?.is_empty());
        if has_csv {
            folders.push(sub);
        }
    }
    if folders.is_empty() {
        return Err(Error::Layout {
            path: path.to_path_buf(),
            message: format!(
                "no annotation CSVs found: expected csv/<fov>.csv, <fov>.csv, one folder per rater, or <participant>_#_<evalset>_#_<fov>.csv; or {}",
                registry::expected().trim_start_matches("expected ")
            ),
        });
    }
    folders.sort();
    Ok(Detected::RaterFolders { folders })
}
