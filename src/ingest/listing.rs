//! Listing a folder's files, and the FOV names their file names stand for.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// Files that sit beside annotations but are not annotations.
const METADATA_FILES: [&str; 7] = [
    "fov_locations.csv",
    "fov_regions.geojson",
    "class_hierarchy.csv",
    "nucleus_gtcodes.csv",
    "class_map.csv",
    "patch_info.csv",
    "types.npy",
];

/// The suffix of a label image's class table (`<image>_classes.csv`).
pub const CLASSES_SUFFIX: &str = "_classes.csv";

/// The extensions of label images.
pub const LABEL_IMAGE_EXTENSIONS: [&str; 3] = [".png", ".tif", ".tiff"];

/// The files of `dir` (not its subfolders, not hidden) whose names end in one of `extensions`
/// (case-insensitive), sorted.
pub fn files_ending(dir: &Path, extensions: &[&str]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, "list", e))? {
        let entry = entry.map_err(|e| Error::io(dir, "list", e))?;
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            // A FOV name must be text: such a file is not skipped silently.
            return Err(Error::Layout {
                path: path.clone(),
                message: "a file name that is not UTF-8: expected UTF-8 file names".into(),
            });
        };
        let lower = name.to_ascii_lowercase();
        if name.starts_with('.') || !extensions.iter().any(|e| lower.ends_with(e)) {
            continue;
        }
        // The directory entry's type needs no extra system call; links are followed, and a
        // link to nothing (dangling, or looping) is refused rather than skipped unseen.
        let is_file = match entry.file_type() {
            Ok(t) if t.is_symlink() => {
                if !path.exists() {
                    return Err(Error::Layout {
                        path: path.clone(),
                        message:
                            "a symbolic link to nothing (dangling or looping): expected a file"
                                .into(),
                    });
                }
                path.is_file()
            }
            Ok(t) => t.is_file(),
            Err(_) => path.is_file(),
        };
        if is_file {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Whether a listing takes hidden files and folders (names starting with a dot).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hidden {
    /// Left out, as when reading a set.
    Skip,
    /// Listed, as when accounting for every file a folder holds.
    Include,
}

/// Every file under `dir`, at any depth, sorted.
pub fn all_files_below(dir: &Path, hidden: Hidden) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).map_err(|e| Error::io(&folder, "list", e))? {
            let path = entry.map_err(|e| Error::io(&folder, "list", e))?.path();
            let is_hidden = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            if is_hidden && hidden == Hidden::Skip {
                continue;
            }
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// The files under `dir`, at any depth, whose extension is `extension` (case-insensitive),
/// hidden ones left out, sorted.
pub fn files_below(dir: &Path, extension: &str) -> Result<Vec<PathBuf>> {
    let mut found = all_files_below(dir, Hidden::Skip)?;
    found.retain(|path| {
        path.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case(extension))
    });
    Ok(found)
}

/// Whether a file is metadata that sits beside annotations (`fov_locations.csv`, ...).
pub fn is_metadata(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let lower = name.to_ascii_lowercase();
    METADATA_FILES.contains(&lower.as_str()) || is_class_table(path, name)
}

/// Whether a file is a label image's class table: `<image>_classes.csv` beside `<image>.png`
/// (or `.tif`, `.tiff`).
fn is_class_table(path: &Path, name: &str) -> bool {
    let Some(stem) = name.strip_suffix(CLASSES_SUFFIX) else {
        return false;
    };
    LABEL_IMAGE_EXTENSIONS
        .iter()
        .any(|ext| path.with_file_name(format!("{stem}{ext}")).is_file())
}

/// The annotation CSVs of a folder (not its subfolders), metadata files left out, sorted.
pub fn list_csv(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = files_ending(dir, &[".csv"])?;
    files.retain(|path| !is_metadata(path));
    Ok(files)
}

/// The FOV name a file name stands for: without folders (`/` or `\\`) and extension.
pub fn fov_name_of(file_name: &str) -> &str {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    match base.rfind('.') {
        Some(dot) if dot > 0 => &base[..dot],
        _ => base,
    }
}

/// The file name without its extension (the FOV name of a per-FOV file).
pub fn file_stem(path: &Path) -> String {
    fov_name_of(path.file_name().and_then(|n| n.to_str()).unwrap_or("")).to_string()
}

/// A folder's own name (resolved, so that `.` is named).
pub fn folder_name(path: &Path) -> String {
    path.canonicalize()
        .ok()
        .as_deref()
        .unwrap_or(path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("set")
        .to_string()
}

/// Pairs each file with its FOV name.
pub fn fov_files(files: &[PathBuf]) -> Vec<(String, PathBuf)> {
    files.iter().map(|f| (file_stem(f), f.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fov_names_drop_folders_and_the_extension() {
        assert_eq!(fov_name_of("a/b\\fov_1.csv"), "fov_1");
        assert_eq!(fov_name_of(".hidden"), ".hidden");
        assert_eq!(fov_name_of("x.tar.gz"), "x.tar");
    }
}
