//! How annotation sets are read: the options every reader takes.

use super::format::Format;
use super::type_map::TypeMap;
use crate::model::ClassHierarchy;
use std::path::PathBuf;
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

/// What outline a nucleus read from a label map gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LabelOutlines {
    /// Traced along pixel edges (exact: its area is the pixel count).
    #[default]
    Traced,
    /// The box around its pixels: enough when only the instance metrics are wanted, which
    /// count the label map's pixels, not the outlines.
    Boxes,
}

/// Which outline of a QuPath cell object is read (its `nucleusGeometry` or its `geometry`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QupathGeometry {
    /// The nucleus (`nucleusGeometry`): what nucleus annotations are compared with.
    #[default]
    Nucleus,
    /// The cell (`geometry`: the nucleus dilated by QuPath's cell expansion).
    Cell,
}

crate::choices!(QupathGeometry {
    Nucleus => "nucleus",
    Cell => "cell",
});

/// How to read annotation sets.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    pub hierarchy: Arc<ClassHierarchy>,
    /// Whether `hierarchy` was chosen (`--classes`, `--hierarchy`); if not, a format with a
    /// scheme of its own (CoNIC, PanNuke, label images) uses that.
    pub hierarchy_chosen: bool,
    pub strictness: Strictness,
    /// The input format; `None` tells it by content.
    pub format: Option<Format>,
    /// Hugging Face: read only this split (`train_fold_1`, `test_fold_999`, ...).
    pub split: Option<String>,
    /// HoVer-Net: the classes of its type ids.
    pub type_map: Arc<TypeMap>,
    /// COCO results (a bare list): the ground-truth file whose `images` name the FOVs.
    pub coco_images: Option<PathBuf>,
    /// The outlines of nuclei read from label maps.
    pub label_outlines: LabelOutlines,
    /// GeoJSON: which outline of a QuPath cell object is read.
    pub qupath_geometry: QupathGeometry,
    /// GeoJSON: whether QuPath's `measurements` are kept (`--keep-measurements`).
    pub measurements: crate::model::MeasurementsMode,
    /// Digital Slide Archive: read a folder of annotation files as a multi-rater study, each
    /// document's rater named by this.
    pub rater_from: Option<super::dsa_study::RaterFrom>,
    /// `--image-groups`: each image's group (PanNuke's tissue, for any set), by FOV name.
    pub image_groups: Option<Arc<std::collections::BTreeMap<String, String>>>,
    /// Masks (and images) declaring more pixels than this are refused before decoding.
    pub max_image_pixels: u64,
    /// Read only these FOVs (a partial run's shard); `None` reads every FOV.
    pub fovs: Option<Arc<crate::model::fov_selection::FovSelection>>,
}

impl Default for ReadOptions {
    fn default() -> ReadOptions {
        ReadOptions {
            hierarchy: Arc::new(ClassHierarchy::nucls()),
            hierarchy_chosen: false,
            strictness: Strictness::Strict,
            format: None,
            split: None,
            type_map: Arc::new(TypeMap::default()),
            coco_images: None,
            max_image_pixels: crate::png::DEFAULT_MAX_IMAGE_PIXELS,
            label_outlines: LabelOutlines::Traced,
            qupath_geometry: QupathGeometry::Nucleus,
            measurements: crate::model::MeasurementsMode::Drop,
            rater_from: None,
            image_groups: None,
            fovs: None,
        }
    }
}

/// Where a set's classes come from, as the caller names them: a hierarchy file or a built-in
/// scheme (NuCLS's when neither), a map of the class names found in files, and HoVer-Net's
/// type map.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClassSources {
    pub hierarchy: Option<PathBuf>,
    pub scheme: Option<crate::model::ClassScheme>,
    pub class_map: Option<PathBuf>,
    pub type_map: Option<PathBuf>,
}

impl ReadOptions {
    /// The options with the classes of `sources` (the files read and checked here) and
    /// everything else at its default.
    pub fn with_classes(sources: &ClassSources) -> crate::error::Result<ReadOptions> {
        use super::metadata;
        let mut hierarchy = match (&sources.hierarchy, sources.scheme) {
            (Some(path), _) => metadata::read_hierarchy(path)?,
            (None, Some(scheme)) => scheme.hierarchy(),
            (None, None) => ClassHierarchy::nucls(),
        };
        if let Some(path) = &sources.class_map {
            metadata::apply_class_map(path, &mut hierarchy)?;
        }
        let type_map = match &sources.type_map {
            Some(path) => metadata::read_type_map(path, &hierarchy)?,
            None => TypeMap::default(),
        };
        Ok(ReadOptions {
            hierarchy: Arc::new(hierarchy),
            hierarchy_chosen: sources.hierarchy.is_some() || sources.scheme.is_some(),
            type_map: Arc::new(type_map),
            ..ReadOptions::default()
        })
    }
}
