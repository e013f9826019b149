//! The annotation model: nuclei, FOVs, annotation sets and multi-rater studies.
//!
//! A [`Nucleus`] belongs to a [`Fov`], which belongs to an [`AnnotationSet`] (one rater, a
//! corrected set, a model's predictions). A [`MultiRaterSet`] holds one annotation set per
//! rater (and evaluation set). "Did not annotate this FOV" is a FOV missing from a rater's
//! set; "annotated it and found nothing" is a FOV present with no nuclei.

mod classes;
mod fov_name;
pub mod fov_selection;
mod label_map;
mod measurements;
pub mod region_scheme;
mod schemes;
mod shape;
pub mod whole_slide;

pub use classes::{
    ClassHierarchy, ClassId, ClassLevel, HierarchyError, RawClass, AMBIGUOUS, CORRECTION_PREFIX,
};
pub use fov_name::{hospital_of_slide, NuclsFovName};
pub use label_map::{LabelMap, LabelRun};
pub use measurements::{Measurements, MeasurementsMode};
pub use schemes::ClassScheme;
pub use shape::{BoundingBox, DegenerateShape, Piece, Shape, ShapeIssue, ShapeKind};

use crate::quality::DataQuality;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// An 8-bit RGB image of a FOV: width, height and pixels, row by row.
pub type RgbImage = (u32, u32, Vec<u8>);

/// One annotated nucleus.
#[derive(Debug, Clone, PartialEq)]
pub struct Nucleus {
    /// The row of the nucleus in its source file, 1-based with the header as row 1: the
    /// nucleus's id within its FOV, and where to look when something is wrong with it.
    pub row: u32,
    pub shape: Shape,
    /// The bounding box of `shape`, kept for the spatial index.
    pub bbox: BoundingBox,
    pub class: RawClass,
    /// A prediction's confidence (`score` or `confidence` column).
    pub score: Option<f64>,
}

impl Nucleus {
    /// Makes a nucleus, computing its bounding box from the shape.
    pub fn new(row: u32, shape: Shape, class: RawClass, score: Option<f64>) -> Nucleus {
        let bbox = shape.bounding_box();
        Nucleus {
            row,
            shape,
            bbox,
            class,
            score,
        }
    }
}

/// One field of view: its nuclei and what is known about where it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Fov {
    /// The FOV name (the file name without `.csv`, and without the participant and
    /// evaluation set in NuCLS's flat multi-rater naming).
    pub name: String,
    /// The file it was read from.
    pub source: PathBuf,
    pub slide: Option<String>,
    pub hospital: Option<String>,
    /// The annotated region (the FOV proper) in image pixels, from `fov_locations.csv`.
    pub region: Option<BoundingBox>,
    /// Width and height of the RGB image, where `rgb/<fov>.png` exists.
    pub image_size: Option<(u32, u32)>,
    /// The fold whose test set holds this FOV's slide.
    pub test_fold: Option<u32>,
    /// The image's group: PanNuke's tissue, or `--image-groups`.
    pub group: Option<String>,
    /// The instance label map it was read from, where it was (label rasters, CoNIC,
    /// PanNuke, HoVer-Net `.mat`): its labels are the nuclei's rows.
    pub label_map: Option<Arc<LabelMap>>,
    /// Measurements that came with the nuclei, by row, where kept (`--keep-measurements`).
    pub measurements: Option<Arc<Measurements>>,
    pub nuclei: Vec<Nucleus>,
}

/// The slides of one fold's train and test sets.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FoldSplit {
    pub train: Vec<String>,
    pub test: Vec<String>,
}

/// How the files of a set were laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SetLayout {
    /// `csv/<fov>.csv` with optional `fov_locations.csv`, `train_test_splits/`, `rgb/`, `mask/`.
    NuclsRelease,
    /// `<fov>.csv` directly in the folder.
    CsvFolder,
}

/// The nuclei of one annotator, corrected set or model, FOV by FOV.
#[derive(Debug, Clone)]
pub struct AnnotationSet {
    /// A short name (the folder's name, or the rater's id).
    pub name: String,
    pub root: PathBuf,
    pub layout: SetLayout,
    /// The format it was read from.
    pub format: crate::ingest::format::Format,
    pub hierarchy: Arc<ClassHierarchy>,
    /// FOVs sorted by name.
    pub fovs: Vec<Fov>,
    /// Folds by number, from `train_test_splits/`.
    pub folds: BTreeMap<u32, FoldSplit>,
    pub quality: DataQuality,
}

impl AnnotationSet {
    pub fn nucleus_count(&self) -> usize {
        self.fovs.iter().map(|f| f.nuclei.len()).sum()
    }

    /// The FOV names, in the set's order.
    pub fn fov_names(&self) -> Vec<&str> {
        self.fovs.iter().map(|f| f.name.as_str()).collect()
    }

    /// The FOV of that name.
    pub fn fov(&self, name: &str) -> Option<&Fov> {
        self.fovs
            .binary_search_by(|f| f.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.fovs[i])
    }
}

/// How a multi-rater study's files were laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MultiRaterLayout {
    /// `<root>/<rater>/csv/<fov>.csv` (or `<root>/<rater>/<fov>.csv`).
    RaterFolders,
    /// NuCLS's `<participant>_#_<evalset>_#_<fovname>.csv`, in the folder or its `csv/`.
    FlatNames,
    /// Digital Slide Archive annotation files, one per FOV, each rater's documents in them
    /// (`--rater-from creator|name`).
    DsaDocuments,
}

/// The annotations of one rater in one evaluation set.
#[derive(Debug, Clone)]
pub struct RaterSet {
    /// The participant id (e.g. `SP.3`, `NP.10`).
    pub rater: String,
    /// The evaluation set (e.g. `E`, `U-control`), where the layout names one.
    pub eval_set: Option<String>,
    pub set: AnnotationSet,
}

impl RaterSet {
    /// `rater` alone, or `rater@eval_set` where there is an evaluation set.
    pub fn label(&self) -> String {
        match &self.eval_set {
            Some(eval_set) => format!("{}@{}", self.rater, eval_set),
            None => self.rater.clone(),
        }
    }
}

/// Many raters' annotations of the same FOVs.
#[derive(Debug, Clone)]
pub struct MultiRaterSet {
    pub root: PathBuf,
    pub layout: MultiRaterLayout,
    /// Sorted by rater, then evaluation set.
    pub raters: Vec<RaterSet>,
}

impl MultiRaterSet {
    /// Gives every rater's FOV of a listed name the region listed (FOVs not listed keep
    /// theirs).
    pub fn set_regions(&mut self, regions: &std::collections::HashMap<String, BoundingBox>) {
        for fov in self.raters.iter_mut().flat_map(|r| r.set.fovs.iter_mut()) {
            if let Some(region) = regions.get(&fov.name) {
                fov.region = Some(*region);
            }
        }
    }
}

/// What a folder held: one annotation set, or a multi-rater study.
#[derive(Debug, Clone)]
pub enum Dataset {
    Single(AnnotationSet),
    MultiRater(MultiRaterSet),
}

/// One input set as a report names it: where it was read from, its size and its data-quality
/// counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputSet {
    pub name: String,
    pub path: String,
    pub fovs: usize,
    pub nuclei: usize,
    pub data_quality: Vec<crate::quality::QualityCount>,
}

impl InputSet {
    pub fn of(set: &AnnotationSet) -> InputSet {
        InputSet {
            name: set.name.clone(),
            path: set.root.display().to_string(),
            fovs: set.fovs.len(),
            nuclei: set.nucleus_count(),
            data_quality: crate::quality::QualityCount::all(&set.quality),
        }
    }
}
