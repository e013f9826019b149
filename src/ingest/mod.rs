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

mod fov_csv;
pub mod metadata;
mod numbers;
mod records;

pub use fov_csv::{parse_fov_csv, read_fov_csv, FovRows};
pub use numbers::{parse_number, parse_number_list, COORDINATE_LIMIT};

use crate::error::{Error, Location, Problem, Result};
use crate::model::{
    AnnotationSet, ClassHierarchy, Dataset, FoldSplit, Fov, MultiRaterLayout, MultiRaterSet,
    NuclsFovName, RaterSet, SetLayout,
};
use crate::quality::{DataQuality, FindingKind};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
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
}

impl Default for ReadOptions {
    fn default() -> ReadOptions {
        ReadOptions {
            hierarchy: Arc::new(ClassHierarchy::nucls()),
            strictness: Strictness::Strict,
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

/// Reads a folder as one annotation set or as a multi-rater study, whichever it holds.
pub fn open(path: &Path, options: &ReadOptions) -> Result<Dataset> {
    match detect(path)? {
        Detected::Single { layout, csv_dir } => {
            let files = fov_files(&list_csv(&csv_dir)?);
            let name = folder_name(path);
            build_set(name, path, layout, files, &[path.to_path_buf()], options)
                .map(Dataset::Single)
        }
        Detected::Flat { files } => read_flat(path, files, options).map(Dataset::MultiRater),
        Detected::RaterFolders { folders } => {
            read_rater_folders(path, folders, options).map(Dataset::MultiRater)
        }
    }
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

enum Detected {
    Single { layout: SetLayout, csv_dir: PathBuf },
    Flat { files: Vec<PathBuf> },
    RaterFolders { folders: Vec<PathBuf> },
}

fn detect(path: &Path) -> Result<Detected> {
    if !path.is_dir() {
        return Err(Error::Layout {
            path: path.to_path_buf(),
            message: if path.exists() {
                "is not a folder: expected a folder of annotation CSVs".into()
            } else {
                "no such folder".into()
            },
        });
    }
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
        return Ok(Detected::Flat { files });
    }
    if !in_csv.is_empty() {
        return Ok(Detected::Single {
            layout: SetLayout::NuclsRelease,
            csv_dir,
        });
    }
    if !in_root.is_empty() {
        return Ok(Detected::Single {
            layout: SetLayout::CsvFolder,
            csv_dir: path.to_path_buf(),
        });
    }
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
            message: "no annotation CSVs found: expected csv/<fov>.csv, <fov>.csv, one folder per rater, or <participant>_#_<evalset>_#_<fov>.csv".into(),
        });
    }
    folders.sort();
    Ok(Detected::RaterFolders { folders })
}

/// The annotation CSVs of a folder (not its subfolders), metadata files left out, sorted.
fn list_csv(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, "list", e))? {
        let entry = entry.map_err(|e| Error::io(dir, "list", e))?;
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let lower = name.to_ascii_lowercase();
        if !lower.ends_with(".csv") || METADATA_FILES.contains(&lower.as_str()) {
            continue;
        }
        // The directory entry's type needs no extra system call; links are followed.
        let is_file = match entry.file_type() {
            Ok(t) if t.is_symlink() => path.is_file(),
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

fn file_stem(path: &Path) -> String {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.get(..name.len().saturating_sub(4))
        .unwrap_or("")
        .to_string()
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

/// An annotation set's files and metadata, listed but not yet read: FOVs can be read one by
/// one (to stream very large sets through matching with bounded memory) or all at once.
#[derive(Debug, Clone)]
pub struct SetIndex {
    pub name: String,
    pub root: PathBuf,
    pub layout: SetLayout,
    /// FOV names and their files, sorted by name.
    files: Vec<(String, PathBuf)>,
    locations: Option<HashMap<String, metadata::FovLocation>>,
    folds: BTreeMap<u32, FoldSplit>,
    test_fold: HashMap<String, u32>,
    /// Findings about the set as a whole (not about one FOV).
    quality: DataQuality,
    /// FOV names with an image in `rgb/`.
    images: std::collections::HashSet<String>,
    options: ReadOptions,
}

impl SetIndex {
    /// The FOV names, sorted.
    pub fn fov_names(&self) -> impl Iterator<Item = &str> {
        self.files.iter().map(|(name, _)| name.as_str())
    }

    pub fn fov_count(&self) -> usize {
        self.files.len()
    }

    /// The position of a FOV among [`SetIndex::fov_names`].
    pub fn position(&self, fov: &str) -> Option<usize> {
        self.files
            .binary_search_by(|(name, _)| name.as_str().cmp(fov))
            .ok()
    }

    pub fn hierarchy(&self) -> &Arc<ClassHierarchy> {
        &self.options.hierarchy
    }

    /// Reads the FOV at `position`, with its findings.
    pub fn read_fov(&self, position: usize) -> Result<(Fov, DataQuality)> {
        let (fov_name, path) = &self.files[position];
        let rows = read_fov_csv(path, &self.options.hierarchy, self.options.strictness)?;
        let parsed = NuclsFovName::parse(fov_name);
        let location = self.locations.as_ref().and_then(|l| l.get(fov_name));
        let slide = parsed
            .as_ref()
            .map(|p| p.slide.clone())
            .or_else(|| location.and_then(|l| l.slide.clone()));
        let hospital = parsed
            .as_ref()
            .and_then(|p| p.hospital.clone())
            .or_else(|| location.and_then(|l| l.hospital.clone()));
        let fov = Fov {
            name: fov_name.clone(),
            source: path.clone(),
            test_fold: slide
                .as_deref()
                .and_then(|s| self.test_fold.get(s).copied()),
            slide,
            hospital,
            region: location.map(|l| l.region),
            image_size: self
                .images
                .contains(fov_name.as_str())
                .then(|| metadata::png_size(&self.root.join("rgb").join(format!("{fov_name}.png"))))
                .flatten(),
            nuclei: rows.nuclei,
        };
        let mut quality = rows.quality;
        check_placement(&fov, self.locations.is_some(), &mut quality);
        Ok((fov, quality))
    }

    /// Reads every FOV, in parallel.
    pub fn read_all(self) -> Result<AnnotationSet> {
        let read: Vec<Result<(Fov, DataQuality)>> = (0..self.files.len())
            .into_par_iter()
            .map(|i| self.read_fov(i))
            .collect();
        let mut quality = self.quality;
        let mut fovs = Vec::with_capacity(read.len());
        for result in read {
            let (fov, fov_quality) = result?;
            quality.extend(fov_quality);
            fovs.push(fov);
        }
        Ok(AnnotationSet {
            name: self.name,
            root: self.root,
            layout: self.layout,
            hierarchy: self.options.hierarchy.clone(),
            fovs,
            folds: self.folds,
            quality,
        })
    }
}

/// Lists a folder that must hold one annotation set, and reads its metadata.
pub fn index_set(path: &Path, options: &ReadOptions) -> Result<SetIndex> {
    match detect(path)? {
        Detected::Single { layout, csv_dir } => {
            let files = fov_files(&list_csv(&csv_dir)?);
            index_files(
                folder_name(path),
                path,
                layout,
                files,
                &[path.to_path_buf()],
                options,
            )
        }
        _ => Err(Error::Layout {
            path: path.to_path_buf(),
            message: "holds a multi-rater study: expected one annotation set".into(),
        }),
    }
}

/// Reads the FOV files of one set and joins what its metadata says of them.
fn build_set(
    name: String,
    root: &Path,
    layout: SetLayout,
    files: Vec<(String, PathBuf)>,
    meta_roots: &[PathBuf],
    options: &ReadOptions,
) -> Result<AnnotationSet> {
    index_files(name, root, layout, files, meta_roots, options)?.read_all()
}

fn index_files(
    name: String,
    root: &Path,
    layout: SetLayout,
    mut files: Vec<(String, PathBuf)>,
    meta_roots: &[PathBuf],
    options: &ReadOptions,
) -> Result<SetIndex> {
    files.sort();
    for pair in files.windows(2) {
        if pair[0].0 == pair[1].0 {
            return Err(Error::input(
                Location::file(&pair[1].1),
                Problem::DuplicateFov {
                    fov: pair[1].0.clone(),
                    other: pair[0].1.clone(),
                },
            ));
        }
    }
    let locations = match meta_roots
        .iter()
        .map(|r| r.join("fov_locations.csv"))
        .find(|p| p.is_file())
    {
        Some(path) => Some(metadata::read_fov_locations(&path)?),
        None => None,
    };
    let folds = match meta_roots
        .iter()
        .map(|r| r.join("train_test_splits"))
        .find(|p| p.is_dir())
    {
        Some(dir) => metadata::read_splits(&dir)?,
        None => BTreeMap::new(),
    };
    let mut quality = DataQuality::default();
    let mut test_fold: HashMap<String, u32> = HashMap::new();
    for (&fold, split) in &folds {
        for slide in &split.test {
            if let Some(first) = test_fold.get(slide.as_str()) {
                quality.push(
                    FindingKind::SlideInSeveralTestFolds,
                    meta_roots[0].join("train_test_splits"),
                    None,
                    format!("{slide}: folds {first} and {fold}"),
                );
            } else {
                test_fold.insert(slide.clone(), fold);
            }
        }
    }
    let images = match std::fs::read_dir(root.join("rgb")) {
        Ok(entries) => entries
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                e.file_name()
                    .to_str()
                    .and_then(|n| n.strip_suffix(".png"))
                    .map(String::from)
            })
            .collect(),
        Err(_) => std::collections::HashSet::new(),
    };
    Ok(SetIndex {
        name,
        root: root.to_path_buf(),
        layout,
        files,
        locations,
        folds,
        test_fold,
        quality,
        images,
        options: options.clone(),
    })
}

/// Findings about where a FOV's nuclei lie: outside the image, centred outside the region.
fn check_placement(fov: &Fov, has_locations: bool, quality: &mut DataQuality) {
    if has_locations && fov.region.is_none() {
        quality.push(
            FindingKind::NoFovRegion,
            fov.source.clone(),
            None,
            fov.name.clone(),
        );
    }
    for nucleus in &fov.nuclei {
        let b = nucleus.bbox;
        let outside_image = b.xmin < 0.0
            || b.ymin < 0.0
            || fov
                .image_size
                .is_some_and(|(w, h)| b.xmax > f64::from(w) || b.ymax > f64::from(h));
        if outside_image {
            quality.push(
                FindingKind::OutsideImage,
                fov.source.clone(),
                Some(u64::from(nucleus.row)),
                format!("box ({}, {})-({}, {})", b.xmin, b.ymin, b.xmax, b.ymax),
            );
        }
        if let Some(region) = fov.region {
            let c = nucleus.shape.centroid();
            if !region.contains(c) {
                quality.push(
                    FindingKind::CentroidOutsideFov,
                    fov.source.clone(),
                    Some(u64::from(nucleus.row)),
                    format!("centroid ({:.1}, {:.1})", c[0], c[1]),
                );
            }
        }
    }
}
