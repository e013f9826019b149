//! FOVs as a reader gives them, before the set's metadata is joined in.

use super::outline::FovRows;
use crate::model::{BoundingBox, FoldSplit, LabelMap};
use crate::quality::DataQuality;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// One FOV as read: its nuclei and what its file says of the FOV (a mask's region and size,
/// a whole-set format's test fold).
#[derive(Debug, Clone)]
pub struct LoadedFov {
    pub name: String,
    pub source: PathBuf,
    pub rows: FovRows,
    pub region: Option<BoundingBox>,
    pub image_size: Option<(u32, u32)>,
    pub test_fold: Option<u32>,
    /// The image's group (PanNuke's tissue).
    pub group: Option<String>,
    /// The instance label map, for label-map formats.
    pub label_map: Option<Arc<LabelMap>>,
}

/// A whole set read from one or several files (Hugging Face parquet, COCO).
#[derive(Debug, Clone, Default)]
pub struct LoadedSet {
    pub fovs: Vec<LoadedFov>,
    pub folds: BTreeMap<u32, FoldSplit>,
    pub quality: DataQuality,
}

/// What a per-FOV reader gives of one file.
#[derive(Debug, Clone, Default)]
pub struct FovFile {
    pub rows: FovRows,
    /// The FOV region, where the file marks it (masks).
    pub region: Option<BoundingBox>,
    /// The image size, where the file has it (masks).
    pub image_size: Option<(u32, u32)>,
    /// The instance label map, for label-map formats.
    pub label_map: Option<Arc<LabelMap>>,
}
