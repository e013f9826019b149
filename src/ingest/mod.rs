//! Reading annotation sets from disk. Every error names the file, and where it applies the
//! row (1-based, the header being row 1) and the column.
//!
//! Each format has a [`reader::Reader`] (its file, e.g. [`coco`]) listed once in
//! [`registry::READERS`]; [`detect`] asks the registry which reader a file or folder is for,
//! and [`SetIndex`] reads a set's FOVs through it, joining the metadata beside them
//! ([`metadata`]).
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
pub mod config;
pub mod detect;
pub mod dsa;
pub mod dsa_study;
pub mod format;
mod fov_csv;
mod geojson;
pub mod hovernet;
pub mod hovernet_mat;
pub mod hugging_face;
pub mod images;
mod instances;
mod json;
mod json_features;
pub mod label_arrays;
pub mod label_image;
pub mod listing;
pub mod loaded;
pub mod mask;
pub mod matlab;
pub mod memory;
pub mod metadata;
pub mod npy;
mod numbers;
pub mod options;
mod outline;
pub mod parquet_pages;
pub mod partial;
pub mod reader;
mod records;
pub mod region_masks;
pub mod registry;
pub mod roi;
mod set_index;
pub mod type_map;

pub use detect::FLAT_SEPARATOR;
pub use format::Format;
pub use fov_csv::{parse_fov_csv, read_fov_csv};
pub use geojson::read_geojson_fov;
pub use hovernet::read_hovernet_fov;
pub use numbers::{parse_number, parse_number_list, COORDINATE_LIMIT};
pub use options::{LabelOutlines, QupathGeometry, ReadOptions, Strictness};
pub use outline::FovRows;
pub use set_index::SetIndex;
pub use type_map::TypeMap;

use crate::error::{Error, Location, Problem, Result};
use crate::model::{AnnotationSet, Dataset, MultiRaterLayout, MultiRaterSet, RaterSet, SetLayout};
use detect::{detect, Detected};
use listing::{file_stem, folder_name, fov_files, list_csv};
use rayon::prelude::*;
use set_index::{index_files, SetSource};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The NuCLS CSV format (what sets made in memory are written as).
pub fn fov_csv_format() -> Format {
    fov_csv::FORMAT
}

/// Reads a file or folder as one annotation set or as a multi-rater study, whichever it
/// holds.
pub fn open(path: &Path, options: &ReadOptions) -> Result<Dataset> {
    if let Some(rater_from) = options.rater_from {
        return dsa_study::read_dsa_study(path, rater_from, options).map(Dataset::MultiRater);
    }
    match detect(path, forced_reader(options))? {
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
    match detect(path, forced_reader(options))? {
        Detected::Flat { .. } | Detected::RaterFolders { .. } => Err(Error::Layout {
            path: path.to_path_buf(),
            message: "holds a multi-rater study: expected one annotation set".into(),
        }),
        single => index_detected(path, single, options),
    }
}

/// The reader `--input-format` names, if any.
fn forced_reader(options: &ReadOptions) -> Option<&'static dyn reader::Reader> {
    options.format.map(registry::reader_of)
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
    let Detected::Set {
        reader,
        layout,
        files,
    } = detected
    else {
        return Err(Error::Layout {
            path: path.to_path_buf(),
            message: "holds a multi-rater study: expected one annotation set".into(),
        });
    };
    let scheme;
    let options = match reader.scheme(&files)? {
        Some(hierarchy) if !options.hierarchy_chosen => {
            scheme = ReadOptions {
                hierarchy: std::sync::Arc::new(hierarchy),
                ..options.clone()
            };
            &scheme
        }
        _ => options,
    };
    let source = match reader.layout() {
        reader::Layout::PerFov => SetSource {
            name,
            root: root.clone(),
            layout,
            reader,
            files: fov_files(&files),
            loaded: None,
        },
        reader::Layout::OneFile | reader::Layout::ManyFiles => SetSource {
            name,
            root: root.clone(),
            layout: SetLayout::CsvFolder,
            reader,
            files: Vec::new(),
            loaded: Some(reader.read_set(&files, options)?),
        },
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

/// Reads A and the reference B at once. COCO results name their images by the ids of a
/// ground-truth file: A's are the reference's when it is one JSON file.
pub fn read_pair(
    a: &Path,
    b: &Path,
    options: &ReadOptions,
) -> Result<(AnnotationSet, AnnotationSet)> {
    let mut options_a = options.clone();
    if options_a.coco_images.is_none() {
        options_a.coco_images = reference_json(b);
    }
    let (a, b) = rayon::join(|| read_set(a, &options_a), || read_set(b, options));
    Ok((a?, b?))
}

/// The reference as one JSON file: the file itself, or the only JSON file of its folder
/// (where a COCO ground truth sits beside its metadata).
pub fn reference_json(reference: &Path) -> Option<PathBuf> {
    let is_json = |p: &Path| {
        p.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    };
    if reference.is_file() {
        return is_json(reference).then(|| reference.to_path_buf());
    }
    let files = listing::files_ending(reference, &[".json"]).ok()?;
    match files.as_slice() {
        [only] => Some(only.clone()),
        _ => None,
    }
}

/// The simulated truth of a study in a folder `nucagree simulate` wrote: the `corrected/`
/// beside it, where the folder holds `simulation.json`.
pub fn simulated_truth_beside(study: &Path) -> Option<PathBuf> {
    let folder = study.parent()?;
    let corrected = folder.join("corrected");
    (folder.join("simulation.json").is_file() && corrected.is_dir()).then_some(corrected)
}

/// A multi-rater study with what `agree` reads beside it: FOV regions from `fov_locations`
/// (instead of the study's own, where given) and each rater's group from `groups`.
pub fn read_study(
    study: &Path,
    fov_locations: Option<&Path>,
    groups: Option<&Path>,
    options: &ReadOptions,
) -> Result<(
    MultiRaterSet,
    Option<std::collections::HashMap<String, String>>,
)> {
    let mut multi = read_multi_rater(study, options)?;
    if let Some(path) = fov_locations {
        let regions = metadata::read_fov_locations(path)?
            .into_iter()
            .map(|(name, location)| (name, location.region))
            .collect();
        multi.set_regions(&regions);
    }
    let groups = groups.map(metadata::read_rater_groups).transpose()?;
    Ok((multi, groups))
}

/// Reads a folder that must hold a multi-rater study.
pub fn read_multi_rater(path: &Path, options: &ReadOptions) -> Result<MultiRaterSet> {
    match open(path, options)? {
        Dataset::MultiRater(set) => Ok(set),
        Dataset::Single(_) => Err(Error::Layout {
            path: path.to_path_buf(),
            message: "holds one annotation set: expected one folder per rater, NuCLS flat names (<participant>_#_<evalset>_#_<fov>.csv), or Digital Slide Archive files read with --rater-from creator|name".into(),
        }),
    }
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
        reader: registry::reader_of(fov_csv::FORMAT),
        files,
        loaded: None,
    };
    index_files(source, meta_roots, options)?.read_all()
}
