//! Reading annotation sets from disk. Every error names the file, and where it applies the
//! row (1-based, the header being row 1) and the column.
//!
//! Layouts read:
//! - the NuCLS release: `csv/<fov>.csv`, with optional `fov_locations.csv`,
//!   `train_test_splits/fold_{k}_{train,test}.csv` and `rgb/<fov>.png`;
//! - a folder of `<fov>.csv` files;
//! - a multi-rater study as one such folder per rater (`<root>/<rater>/csv/...`), or in
//!   NuCLS's flat naming `<participant>_#_<evalset>_#_<fovname>.csv`, in the folder or in
//!   its `csv/`.
//!
//! FOV files are read in parallel; the result does not depend on the thread count.

pub mod coco;
pub mod format;
mod fov_csv;
mod geojson;
pub mod hovernet;
pub mod hugging_face;
pub mod images;
mod json;
pub mod mask;
pub mod metadata;
mod numbers;
mod outline;
mod records;
mod set_index;

pub use format::Format;
pub use fov_csv::{parse_fov_csv, read_fov_csv, FovRows};
pub use geojson::read_geojson_fov;
pub use hovernet::{read_hovernet_fov, TypeMap};
pub use numbers::{parse_number, parse_number_list, COORDINATE_LIMIT};
pub use set_index::SetIndex;

use crate::error::{Error, Location, Problem, Result};
use crate::model::{
    AnnotationSet, ClassHierarchy, Dataset, MultiRaterLayout, MultiRaterSet, RaterSet, SetLayout,
};
use rayon::prelude::*;
use set_index::{index_files, SetSource};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What to do with a row that is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Strictness {
    /// Stop with an error naming the file, row and column.
    #[default]
    Strict,
    /// Skip the row, and count and list it among the data-quality findings.
    Lenient,
}

/// How to read annotation sets.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    pub hierarchy: Arc<ClassHierarchy>,
    pub strictness: Strictness,
    /// The input format; `None` tells it by content.
    pub format: Option<Format>,
    /// Hugging Face: read only this split (`train_fold_1`, `test_fold_999`, ...).
    pub split: Option<String>,
    /// HoVer-Net: the classes of its type ids.
    pub type_map: Arc<TypeMap>,
    /// COCO results (a bare list): the ground-truth file whose `images` name the FOVs.
    pub coco_images: Option<PathBuf>,
}

impl Default for ReadOptions {
    fn default() -> ReadOptions {
        ReadOptions {
            hierarchy: Arc::new(ClassHierarchy::nucls()),
            strictness: Strictness::Strict,
            format: None,
            split: None,
            type_map: Arc::new(TypeMap::default()),
            coco_images: None,
        }
    }
}

/// The separator of NuCLS's flat multi-rater file names.
pub const FLAT_SEPARATOR: &str = "_#_";

/// CSV files that sit beside annotations but are not annotations.
const METADATA_FILES: [&str; 4] = [
    "fov_locations.csv",
    "class_hierarchy.csv",
    "nucleus_gtcodes.csv",
    "class_map.csv",
];

/// Reads a file or folder as one annotation set or as a multi-rater study, whichever it
/// holds.
pub fn open(path: &Path, options: &ReadOptions) -> Result<Dataset> {
    match detect(path, options.format)? {
        Detected::RaterFolders { folders } => {
            read_rater_folders(path, folders, options).map(Dataset::MultiRater)
        }
        Detected::Flat { files } => read_flat(path, files, options).map(Dataset::MultiRater),
        single => index_detected(path, single, options)?
            .read_all()
            .map(Dataset::Single),
    }
}

/// Lists a file or folder that must hold one annotation set, and reads its metadata (and,
/// for formats that hold a whole set in one file, the set).
pub fn index_set(path: &Path, options: &ReadOptions) -> Result<SetIndex> {
    match detect(path, options.format)? {
        Detected::Flat { .. } | Detected::RaterFolders { .. } => Err(Error::Layout {
            path: path.to_path_buf(),
            message: "holds a multi-rater study: expected one annotation set".into(),
        }),
        single => index_detected(path, single, options),
    }
}

fn index_detected(path: &Path, detected: Detected, options: &ReadOptions) -> Result<SetIndex> {
    let root = if path.is_file() {
        path.parent().unwrap_or(Path::new(".")).to_path_buf()
    } else {
        path.to_path_buf()
    };
    let name = if path.is_file() {
        file_stem(path)
    } else {
        folder_name(path)
    };
    let source = match detected {
        Detected::Files {
            layout,
            format,
            files,
        } => SetSource {
            name,
            root: root.clone(),
            layout,
            format,
            files: fov_files(&files),
            loaded: None,
        },
        Detected::WholeSet { format, files } => {
            let loaded = match format {
                Format::HuggingFace => hugging_face::read_parquet_files(&files, options)?,
                _ => coco::read_coco(&files[0], options)?,
            };
            SetSource {
                name,
                root: root.clone(),
                layout: SetLayout::CsvFolder,
                format,
                files: Vec::new(),
                loaded: Some(loaded),
            }
        }
        Detected::Flat { .. } | Detected::RaterFolders { .. } => unreachable!("a single set"),
    };
    index_files(source, &[root], options)
}

/// Reads a folder that must hold one annotation set.
pub fn read_set(path: &Path, options: &ReadOptions) -> Result<AnnotationSet> {
    match open(path, options)? {
        Dataset::Single(set) => Ok(set),
        Dataset::MultiRater(_) => Err(Error::Layout {
            path: path.to_path_buf(),
            message: "holds a multi-rater study: expected one annotation set".into(),
        }),
    }
}

/// Reads a folder that must hold a multi-rater study.
pub fn read_multi_rater(path: &Path, options: &ReadOptions) -> Result<MultiRaterSet> {
    match open(path, options)? {
        Dataset::MultiRater(set) => Ok(set),
        Dataset::Single(_) => Err(Error::Layout {
            path: path.to_path_buf(),
            message: "holds one annotation set: expected one folder per rater or NuCLS flat names (<participant>_#_<evalset>_#_<fov>.csv)".into(),
        }),
    }
}

/// The annotation CSVs of a folder (not its subfolders), metadata files left out, sorted.
fn list_csv(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = format::files_ending(dir, &[".csv"])?;
    files.retain(|path| {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        !METADATA_FILES.contains(&name.to_ascii_lowercase().as_str())
    });
    Ok(files)
}

/// The FOV name a file name stands for: without folders (`/` or `\\`) and extension.
pub(crate) fn fov_name_of(file_name: &str) -> &str {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    match base.rfind('.') {
        Some(dot) if dot > 0 => &base[..dot],
        _ => base,
    }
}

/// The file name without its extension (the FOV name of a per-FOV file).
fn file_stem(path: &Path) -> String {
    fov_name_of(path.file_name().and_then(|n| n.to_str()).unwrap_or("")).to_string()
}

fn folder_name(path: &Path) -> String {
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
fn fov_files(files: &[PathBuf]) -> Vec<(String, PathBuf)> {
    files.iter().map(|f| (file_stem(f), f.clone())).collect()
}

fn read_flat(root: &Path, files: Vec<PathBuf>, options: &ReadOptions) -> Result<MultiRaterSet> {
    let mut groups: BTreeMap<(String, String), Vec<(String, PathBuf)>> = BTreeMap::new();
    let mut layout = SetLayout::CsvFolder;
    for file in files {
        let stem = file_stem(&file);
        let parts: Vec<&str> = stem.split(FLAT_SEPARATOR).collect();
        if parts.len() != 3 || parts.iter().any(|p| p.trim().is_empty()) {
            return Err(Error::input(
                Location::file(&file),
                Problem::Invalid {
                    message: "file name not in NuCLS's flat form: expected <participant>_#_<evalset>_#_<fovname>.csv".into(),
                },
            ));
        }
        if file
            .parent()
            .and_then(|p| p.file_name())
            .is_some_and(|n| n == "csv")
        {
            layout = SetLayout::NuclsRelease;
        }
        groups
            .entry((parts[0].to_string(), parts[1].to_string()))
            .or_default()
            .push((parts[2].to_string(), file));
    }
    let raters = groups
        .into_par_iter()
        .map(|((rater, eval_set), files)| {
            let name = format!("{rater}@{eval_set}");
            let set = build_set(name, root, layout, files, &[root.to_path_buf()], options)?;
            Ok(RaterSet {
                rater,
                eval_set: Some(eval_set),
                set,
            })
        })
        .collect::<Vec<Result<RaterSet>>>()
        .into_iter()
        .collect::<Result<Vec<_>>>()?;
    Ok(MultiRaterSet {
        root: root.to_path_buf(),
        layout: MultiRaterLayout::FlatNames,
        raters,
    })
}

fn read_rater_folders(
    root: &Path,
    folders: Vec<PathBuf>,
    options: &ReadOptions,
) -> Result<MultiRaterSet> {
    let raters = folders
        .par_iter()
        .map(|folder| {
            let (layout, csv_dir) =
                if folder.join("csv").is_dir() && !list_csv(&folder.join("csv"))?.is_empty() {
                    (SetLayout::NuclsRelease, folder.join("csv"))
                } else {
                    (SetLayout::CsvFolder, folder.clone())
                };
            let files = fov_files(&list_csv(&csv_dir)?);
            let rater = folder_name(folder);
            let meta_roots = [folder.clone(), root.to_path_buf()];
            let set = build_set(rater.clone(), folder, layout, files, &meta_roots, options)?;
            Ok(RaterSet {
                rater,
                eval_set: None,
                set,
            })
        })
        .collect::<Vec<Result<RaterSet>>>()
        .into_iter()
        .collect::<Result<Vec<_>>>()?;
    Ok(MultiRaterSet {
        root: root.to_path_buf(),
        layout: MultiRaterLayout::RaterFolders,
        raters,
    })
}

/// Reads the CSV files of one set and joins what its metadata says of them.
fn build_set(
    name: String,
    root: &Path,
    layout: SetLayout,
    files: Vec<(String, PathBuf)>,
    meta_roots: &[PathBuf],
    options: &ReadOptions,
) -> Result<AnnotationSet> {
    let source = SetSource {
        name,
        root: root.to_path_buf(),
        layout,
        format: Format::Nucls,
        files,
        loaded: None,
    };
    index_files(source, meta_roots, options)?.read_all()
}

enum Detected {
    /// One set of per-FOV files.
    Files {
        layout: SetLayout,
        format: Format,
        files: Vec<PathBuf>,
    },
    /// One set in whole-set files (Hugging Face parquet, COCO).
    WholeSet {
        format: Format,
        files: Vec<PathBuf>,
    },
    Flat {
        files: Vec<PathBuf>,
    },
    RaterFolders {
        folders: Vec<PathBuf>,
    },
}

fn detect(path: &Path, forced: Option<Format>) -> Result<Detected> {
    let files_or_set = |format: Format, files: Vec<PathBuf>, layout: SetLayout| {
        if format.is_per_fov() {
            Detected::Files {
                layout,
                format,
                files,
            }
        } else {
            Detected::WholeSet { format, files }
        }
    };
    if path.is_file() {
        let format = match forced {
            Some(format) => format,
            None => format::detect_file(path)?,
        };
        return Ok(files_or_set(
            format,
            vec![path.to_path_buf()],
            SetLayout::CsvFolder,
        ));
    }
    if !path.is_dir() {
        return Err(Error::Layout {
            path: path.to_path_buf(),
            message: "no such folder".into(),
        });
    }
    if matches!(forced, None | Some(Format::Nucls)) {
        if let Some(found) = detect_csv(path)? {
            return Ok(found);
        }
        if forced.is_some() {
            return rater_folders(path);
        }
    }
    let none_found = |what: &str| Error::Layout {
        path: path.to_path_buf(),
        message: format!("no {what} found"),
    };
    let found = match forced {
        None => match format::detect_folder_files(path)? {
            Some((Format::Coco, file)) => Some((Format::Coco, vec![file], path.to_path_buf())),
            Some((format, dir)) => Some((
                format,
                format::files_ending(&dir, format.extensions())?,
                dir,
            )),
            None => {
                let parquet = format::parquet_files(path)?;
                (!parquet.is_empty()).then(|| (Format::HuggingFace, parquet, path.to_path_buf()))
            }
        },
        Some(Format::HuggingFace) => {
            let parquet = format::parquet_files(path)?;
            if parquet.is_empty() {
                return Err(none_found("parquet files"));
            }
            Some((Format::HuggingFace, parquet, path.to_path_buf()))
        }
        Some(format) => {
            let dir = if format == Format::Mask && path.join("mask").is_dir() {
                path.join("mask")
            } else {
                path.to_path_buf()
            };
            let files = format::files_ending(&dir, format.extensions())?;
            if files.is_empty() {
                return Err(none_found(&format!("{} files", format.name())));
            }
            if format == Format::Coco && files.len() > 1 {
                return Err(Error::Layout {
                    path: path.to_path_buf(),
                    message: format!(
                        "{} JSON files: expected one COCO file (give its path)",
                        files.len()
                    ),
                });
            }
            Some((format, files, dir))
        }
    };
    match found {
        Some((format, files, dir)) => {
            let layout = if dir != path {
                SetLayout::NuclsRelease
            } else {
                SetLayout::CsvFolder
            };
            Ok(files_or_set(format, files, layout))
        }
        None => rater_folders(path),
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
    let (layout, files) = if !in_csv.is_empty() {
        (SetLayout::NuclsRelease, in_csv)
    } else if !in_root.is_empty() {
        (SetLayout::CsvFolder, in_root)
    } else {
        return Ok(None);
    };
    Ok(Some(Detected::Files {
        layout,
        format: Format::Nucls,
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
            message: "no annotation CSVs found: expected csv/<fov>.csv, <fov>.csv, one folder per rater, or <participant>_#_<evalset>_#_<fov>.csv; or NuCLS masks (mask/<fov>.png), GeoJSON or HoVer-Net JSON per FOV, a COCO JSON file, or Hugging Face parquet".into(),
        });
    }
    folders.sort();
    Ok(Detected::RaterFolders { folders })
}
