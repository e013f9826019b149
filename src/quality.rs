//! Data-quality findings: what was odd in the input, what was skipped, and where.
//!
//! A finding never changes a number silently: every skipped row or shape is counted here
//! and shown in the reports' data-quality sections.

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

/// What a finding is about.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A row with a problem, skipped under `--lenient`.
    SkippedRow,
    /// An outline with no area (fewer than 3 distinct vertices, collinear, a flat box):
    /// the nucleus is skipped.
    DegenerateShape,
    /// A polygon whose edges cross; kept.
    SelfIntersecting,
    /// Consecutive repeated vertices, dropped; the nucleus is kept.
    RepeatedVertex,
    /// A nucleus with exactly the outline and class of an earlier one in the same FOV; kept.
    DuplicateNucleus,
    /// A coordinate below zero or past the image's size; kept.
    OutsideImage,
    /// A nucleus whose centroid lies outside the FOV region; kept (evaluations may crop it).
    CentroidOutsideFov,
    /// The `xmin..ymax` columns disagree with the outline's bounding box by more than a
    /// pixel; the outline is used.
    BoxColumnsDisagree,
    /// The `main_classification`/`super_classification` columns disagree with the class
    /// hierarchy; the hierarchy is used.
    ClassColumnsDisagree,
    /// A FOV annotated with no nuclei (a header-only file); kept.
    EmptyFov,
    /// A raw class with the `correction_` prefix; kept, classed like the class it prefixes.
    CorrectionRow,
    /// A FOV with no row in `fov_locations.csv`, where that file exists.
    NoFovRegion,
    /// A slide in the test set of more than one fold; the lowest fold is used.
    SlideInSeveralTestFolds,
    /// A slide in both the train and the test set of one fold (a leak between them).
    SlideInTrainAndTest,
    /// Mask pixels with a class code but no instance id; left out.
    MaskPixelsWithoutInstance,
    /// A mask instance whose pixels carry several class codes; the most frequent is used.
    MaskMixedClasses,
    /// An instance of a mask or label map in several pieces: its outline holds every piece.
    LabelPieces,
    /// An instance of a mask or label map with holes: its outline leaves them out.
    LabelHoles,
    /// A COCO segmentation of several polygons; the largest is used.
    PartsDropped,
    /// A COCO crowd annotation (`iscrowd` 1): a region of many nuclei, not one; skipped.
    CrowdSkipped,
    /// A FOV that appears in several files or splits with the same nuclei; read once.
    RepeatedFov,
    /// A nucleus centred outside the regions of interest (`--roi`), left out.
    OutsideRoi,
    /// A DSA polyline not marked closed, read as the outline its points close.
    OpenPolylineClosed,
    /// A QuPath cell object read by its nucleus outline (`nucleusGeometry`).
    CellReadAsNucleus,
    /// A QuPath cell object read by its cell outline (`--qupath-geometry cell`).
    CellReadAsCell,
}

impl FindingKind {
    /// Whether the finding describes the data as designed rather than a problem: NuCLS images
    /// extend past the FOV region so that border nuclei are whole, and corrected rows are
    /// part of the release. Such findings are counted but not listed one by one.
    pub fn is_informational(self) -> bool {
        matches!(
            self,
            FindingKind::CentroidOutsideFov
                | FindingKind::CorrectionRow
                | FindingKind::RepeatedFov
                | FindingKind::OutsideRoi
                | FindingKind::CellReadAsNucleus
                | FindingKind::CellReadAsCell
        )
    }

    /// A short description for reports.
    pub fn describe(self) -> &'static str {
        match self {
            FindingKind::SkippedRow => "rows skipped (lenient reading)",
            FindingKind::DegenerateShape => "degenerate shapes skipped",
            FindingKind::SelfIntersecting => "self-intersecting polygons",
            FindingKind::RepeatedVertex => "polygons with repeated vertices",
            FindingKind::DuplicateNucleus => "duplicate nuclei",
            FindingKind::OutsideImage => "nuclei with coordinates outside the image",
            FindingKind::CentroidOutsideFov => "nuclei centred outside the FOV region",
            FindingKind::BoxColumnsDisagree => "box columns disagreeing with the outline",
            FindingKind::ClassColumnsDisagree => {
                "main/super columns disagreeing with the hierarchy"
            }
            FindingKind::EmptyFov => "FOVs annotated with no nuclei",
            FindingKind::CorrectionRow => "rows with a correction_ class",
            FindingKind::NoFovRegion => "FOVs missing from fov_locations.csv",
            FindingKind::SlideInSeveralTestFolds => "slides in more than one test fold",
            FindingKind::SlideInTrainAndTest => "slides in both the train and test set of a fold",
            FindingKind::MaskPixelsWithoutInstance => {
                "masks with class pixels outside any instance"
            }
            FindingKind::MaskMixedClasses => "mask instances with several class codes",
            FindingKind::LabelPieces => {
                "mask or label-map instances in several pieces (every piece kept)"
            }
            FindingKind::LabelHoles => "mask or label-map instances with holes (left out)",
            FindingKind::PartsDropped => {
                "outlines with holes or several parts (outer ring of the largest used)"
            }
            FindingKind::CrowdSkipped => "COCO crowd annotations skipped",
            FindingKind::RepeatedFov => "FOVs repeated across files or splits (read once)",
            FindingKind::OpenPolylineClosed => "open polylines read as closed outlines",
            FindingKind::OutsideRoi => {
                "nuclei centred outside the regions of interest (--roi), left out"
            }
            FindingKind::CellReadAsNucleus => {
                "QuPath cell objects read by their nucleus outline (nucleusGeometry)"
            }
            FindingKind::CellReadAsCell => {
                "QuPath cell objects read by their cell outline (--qupath-geometry cell)"
            }
        }
    }
}

/// One finding, with where it was found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub kind: FindingKind,
    pub path: PathBuf,
    /// The 1-based row of the file (the header is row 1), where the finding is about a row.
    pub row: Option<u64>,
    pub detail: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(row) = self.row {
            write!(f, ":{row}")?;
        }
        write!(f, ": {}", self.kind.describe())?;
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}

/// All findings of a set, in file and row order.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DataQuality {
    pub findings: Vec<Finding>,
}

impl DataQuality {
    pub fn push(&mut self, kind: FindingKind, path: PathBuf, row: Option<u64>, detail: String) {
        self.findings.push(Finding {
            kind,
            path,
            row,
            detail,
        });
    }

    /// How many findings of each kind.
    pub fn counts(&self) -> BTreeMap<FindingKind, usize> {
        let mut counts = BTreeMap::new();
        for finding in &self.findings {
            *counts.entry(finding.kind).or_insert(0) += 1;
        }
        counts
    }

    pub fn count(&self, kind: FindingKind) -> usize {
        self.findings.iter().filter(|f| f.kind == kind).count()
    }

    pub fn extend(&mut self, other: DataQuality) {
        self.findings.extend(other.findings);
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
/// How many findings of one kind, described.
pub struct QualityCount {
    pub kind: FindingKind,
    pub description: String,
    pub count: usize,
}

impl QualityCount {
    /// The count of each kind of finding, in the kinds' order.
    pub fn all(quality: &DataQuality) -> Vec<QualityCount> {
        quality
            .counts()
            .into_iter()
            .map(|(kind, count)| QualityCount {
                kind,
                description: kind.describe().to_string(),
                count,
            })
            .collect()
    }
}
