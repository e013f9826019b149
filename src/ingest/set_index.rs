//! An annotation set listed but not yet read, with its metadata: `fov_locations.csv`,
//! `train_test_splits/`, `rgb/` images and, for masks, `nucleus_GTcodes.csv`.

use super::format::Format;
use super::loaded::{LoadedFov, LoadedSet};
use super::metadata;
use super::options::ReadOptions;
use super::reader::{FovReader, Reader};
use crate::error::{Error, Location, Problem, Result};
use crate::model::{AnnotationSet, ClassHierarchy, FoldSplit, Fov, NuclsFovName, SetLayout};
use crate::quality::{DataQuality, FindingKind};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

/// An annotation set's files and metadata, listed but not yet read: FOVs can be read one by
/// one (to stream very large sets through matching with bounded memory) or all at once.
#[derive(Debug, Clone)]
pub struct SetIndex {
    pub name: String,
    pub root: PathBuf,
    pub layout: SetLayout,
    pub format: Format,
    /// FOV names and their files, sorted by name.
    files: Vec<(String, PathBuf)>,
    /// The FOVs already read, in the order of `files`, for whole-set formats.
    loaded: Option<Vec<LoadedFov>>,
    locations: Option<HashMap<String, metadata::FovLocation>>,
    folds: BTreeMap<u32, FoldSplit>,
    test_fold: HashMap<String, u32>,
    /// Findings about the set as a whole (not about one FOV).
    quality: DataQuality,
    /// FOV names with an image in `rgb/`.
    images: HashSet<String>,
    /// Reads the files of a per-FOV format (`None` for a whole-set format).
    fov_reader: Option<Arc<dyn FovReader>>,
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
        let loaded = match &self.loaded {
            Some(loaded) => loaded[position].clone(),
            None => self.read_file(position)?,
        };
        Ok(self.assemble(loaded))
    }

    /// Reads the file of the FOV at `position` (a per-FOV format).
    fn read_file(&self, position: usize) -> Result<LoadedFov> {
        let (fov_name, path) = &self.files[position];
        let reader = self.fov_reader.as_ref().ok_or_else(|| Error::Layout {
            path: path.clone(),
            message: format!("{} holds no FOV per file", self.format),
        })?;
        let file = reader.read_fov(path)?;
        Ok(LoadedFov {
            name: fov_name.clone(),
            source: path.clone(),
            rows: file.rows,
            region: file.region,
            image_size: file.image_size,
            test_fold: None,
            group: None,
            label_map: file.label_map,
        })
    }

    /// A FOV as read, joined with what the set's metadata says of it.
    fn assemble(&self, loaded: LoadedFov) -> (Fov, DataQuality) {
        let fov_name = &loaded.name;
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
        let image_size = self
            .images
            .contains(fov_name.as_str())
            .then(|| metadata::png_size(&self.root.join("rgb").join(format!("{fov_name}.png"))))
            .flatten()
            .or(loaded.image_size);
        let group = self
            .options
            .image_groups
            .as_ref()
            .and_then(|groups| groups.get(fov_name).cloned())
            .or(loaded.group);
        let fov = Fov {
            test_fold: slide
                .as_deref()
                .and_then(|s| self.test_fold.get(s).copied())
                .or(loaded.test_fold),
            slide,
            hospital,
            region: location.map(|l| l.region).or(loaded.region),
            image_size,
            name: loaded.name,
            source: loaded.source,
            group,
            label_map: loaded.label_map,
            measurements: loaded.rows.measurements.map(Arc::new),
            nuclei: loaded.rows.nuclei,
        };
        let mut quality = loaded.rows.quality;
        check_placement(&fov, self.locations.is_some(), &mut quality);
        (fov, quality)
    }

    /// Reads every FOV, in parallel (a whole-set format's FOVs, read already, are moved).
    pub fn read_all(mut self) -> Result<AnnotationSet> {
        let read: Vec<Result<(Fov, DataQuality)>> = match self.loaded.take() {
            Some(loaded) => loaded
                .into_par_iter()
                .map(|fov| Ok(self.assemble(fov)))
                .collect(),
            None => (0..self.files.len())
                .into_par_iter()
                .map(|i| self.read_fov(i))
                .collect(),
        };
        let mut quality = std::mem::take(&mut self.quality);
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
            format: self.format,
            hierarchy: self.options.hierarchy.clone(),
            fovs,
            folds: self.folds,
            quality,
        })
    }
}

/// What is known of a set before its FOVs are read.
pub(crate) struct SetSource {
    pub name: String,
    pub root: PathBuf,
    pub layout: SetLayout,
    pub reader: &'static dyn Reader,
    /// FOV names and files (for a whole-set format, the file each FOV came from).
    pub files: Vec<(String, PathBuf)>,
    pub loaded: Option<LoadedSet>,
}

pub(crate) fn index_files(
    source: SetSource,
    meta_roots: &[PathBuf],
    options: &ReadOptions,
) -> Result<SetIndex> {
    let SetSource {
        name,
        root,
        layout,
        reader,
        mut files,
        loaded,
    } = source;
    let format = reader.format();
    let (mut loaded_fovs, loaded_folds, mut quality) = match loaded {
        Some(set) => (Some(set.fovs), set.folds, set.quality),
        None => (None, BTreeMap::new(), DataQuality::default()),
    };
    if let Some(fovs) = &mut loaded_fovs {
        fovs.sort_by(|a, b| a.name.cmp(&b.name));
        files = fovs
            .iter()
            .map(|f| (f.name.clone(), f.source.clone()))
            .collect();
    } else {
        files.sort();
    }
    if let Some(selection) = &options.fovs {
        files.retain(|(name, _)| selection.keeps(name));
        if let Some(fovs) = &mut loaded_fovs {
            fovs.retain(|fov| selection.keeps(&fov.name));
        }
    }
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
    let find = |name: &str| meta_roots.iter().map(|r| r.join(name)).find(|p| p.exists());
    let locations = match find("fov_locations.csv") {
        Some(path) => Some(metadata::read_fov_locations(&path)?),
        None => None,
    };
    let folds = match find("train_test_splits").filter(|p| p.is_dir()) {
        Some(dir) => metadata::read_splits(&dir)?,
        None => loaded_folds,
    };
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
            // A slide trained and tested on in one fold leaks its FOVs into the test.
            if split.train.contains(slide) {
                quality.push(
                    FindingKind::SlideInTrainAndTest,
                    meta_roots[0].join("train_test_splits"),
                    None,
                    format!("{slide}: fold {fold}"),
                );
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
        Err(_) => HashSet::new(),
    };
    let fov_reader = match loaded_fovs {
        Some(_) => None,
        None => Some(reader.open_fovs(&find, options)?),
    };
    Ok(SetIndex {
        name,
        root,
        layout,
        format,
        files,
        loaded: loaded_fovs,
        locations,
        folds,
        test_fold,
        quality,
        images,
        fov_reader,
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
