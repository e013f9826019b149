//! Comparing two annotation sets, or scoring a model against the truth, end to end.
//!
//! Split in pure steps, as pycocotools is: [`evaluate_fov`] turns one FOV's matching into a
//! compact [`FovOutcome`] (classes of matched pairs and of unmatched nuclei, IoUs, scores, and
//! the FOV's AP evaluations when predictions have scores); [`summary::summarize`] adds
//! outcomes up into the plain result struct [`summary::Comparison`] (detection,
//! classification, per class, segmentation, AP, groups, folds, bootstrap intervals), which the
//! report layer writes out.
//!
//! Set A is the one compared (a rater, or the predictions); set B is the reference (the
//! corrected set, or the truth). Detection counts are class-agnostic: `tp` matched pairs,
//! `fp` unmatched nuclei of A, `fn` unmatched nuclei of B.
//!
//! ```
//! use nucagree::comparison::{evaluate_fov, AmbiguousMode, ClassRoles, summary};
//! use nucagree::matching::{match_fov, MatchOptions};
//! use nucagree::model::{BoundingBox, ClassHierarchy, Fov, Nucleus, Shape};
//! use std::sync::Arc;
//!
//! let hierarchy = Arc::new(ClassHierarchy::nucls());
//! let nucleus = |row, x: f64, class: &str| {
//!     let shape = Shape::Box(BoundingBox { xmin: x, ymin: 0.0, xmax: x + 10.0, ymax: 10.0 });
//!     Nucleus::new(row, shape, hierarchy.resolve(class).unwrap(), None)
//! };
//! let fov = |nuclei| Fov { name: "f".into(), source: "f.csv".into(), slide: None, hospital: None,
//!     region: None, image_size: None, test_fold: None, nuclei };
//! let a = fov(vec![nucleus(2, 0.0, "tumor"), nucleus(3, 50.0, "lymphocyte")]);
//! let b = fov(vec![nucleus(2, 1.0, "tumor"), nucleus(3, 100.0, "fibroblast")]);
//! let options = MatchOptions::default();
//! let roles = ClassRoles::new(hierarchy.clone(), AmbiguousMode::DetectOnly);
//! let outcome = evaluate_fov(&a, &b, &match_fov(&a, &b, &options), &roles, &options, false);
//! let result = summary::summarize(&[outcome], &roles, &summary::SummaryOptions::default());
//! let detection = &result.levels.super_.detection;
//! assert_eq!((detection.tp, detection.fp, detection.fn_), (1, 1, 1));
//! assert_eq!(detection.f1, Some(0.5));
//! ```

pub mod groups;
pub mod iou_profile;
pub mod run;
pub mod scoring;
pub mod summary;
pub mod tally;

use crate::matching::{FovMatch, MatchOptions};
use crate::model::{ClassHierarchy, ClassId, ClassLevel, Fov, AMBIGUOUS};
use crate::stats::detection::DetectionCounts;
use scoring::FovAp;
use serde::Serialize;
use std::sync::Arc;

/// How AMBIGUOUS nuclei (NuCLS's apoptotic bodies and unlabeled nuclei) are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AmbiguousMode {
    /// Nuclei for detection, left out of classification statistics.
    #[default]
    DetectOnly,
    /// A class like any other.
    Class,
    /// Don't-care regions, as pycocotools' ignored ground truth: a nucleus of A matched to an
    /// ambiguous nucleus of B is neither a true nor a false positive, and an unmatched
    /// ambiguous nucleus of B is no false negative. Ambiguous nuclei of A are never false
    /// positives (unmatched, they count nowhere; matched, they count for detection only).
    Ignore,
}

impl AmbiguousMode {
    pub fn name(self) -> &'static str {
        match self {
            AmbiguousMode::DetectOnly => "detect-only",
            AmbiguousMode::Class => "class",
            AmbiguousMode::Ignore => "ignore",
        }
    }

    /// What the mode does, in a sentence for the report's methods.
    pub fn describe(self) -> &'static str {
        match self {
            AmbiguousMode::DetectOnly => {
                "ambiguous nuclei (apoptotic bodies, unlabeled) count for detection and are left out of classification statistics"
            }
            AmbiguousMode::Class => "ambiguous nuclei are a class like any other",
            AmbiguousMode::Ignore => {
                "ambiguous nuclei of the reference are don't-care regions: a nucleus matched to one is neither a true nor a false positive, and an unmatched one is no false negative; ambiguous nuclei of the compared set are never false positives and are left out of classification"
            }
        }
    }
}

/// The class hierarchy with the ambiguous classes marked, and how they count.
#[derive(Debug, Clone)]
pub struct ClassRoles {
    pub hierarchy: Arc<ClassHierarchy>,
    pub mode: AmbiguousMode,
    /// Per raw class: whether it is ambiguous (its main or super class is AMBIGUOUS).
    ambiguous: Vec<bool>,
}

/// Class-agnostic detection of one FOV, with the IoUs of the pairs counted as true positives.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DetectionTally {
    pub counts: DetectionCounts,
    pub ious: Vec<f64>,
}

/// The nuclei that count for classification at one level, as class indices of that level.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Classified {
    pub pairs: Vec<(usize, usize)>,
    pub unmatched_a: Vec<usize>,
    pub unmatched_b: Vec<usize>,
}

impl ClassRoles {
    pub fn new(hierarchy: Arc<ClassHierarchy>, mode: AmbiguousMode) -> ClassRoles {
        let ambiguous = (0..hierarchy.len())
            .map(|raw| {
                let id = ClassId(raw as u16);
                hierarchy.name(id, ClassLevel::Main) == AMBIGUOUS
                    || hierarchy.name(id, ClassLevel::Super) == AMBIGUOUS
            })
            .collect();
        ClassRoles {
            hierarchy,
            mode,
            ambiguous,
        }
    }

    pub fn is_ambiguous(&self, id: ClassId) -> bool {
        self.ambiguous[id.0 as usize]
    }

    /// Whether class `index` of `level` takes part in classification statistics and AP.
    pub fn is_classified(&self, level: ClassLevel, index: usize) -> bool {
        if self.mode == AmbiguousMode::Class {
            return true;
        }
        !(0..self.hierarchy.len()).any(|raw| {
            let id = ClassId(raw as u16);
            self.hierarchy.index(id, level) == index && self.is_ambiguous(id)
        })
    }

    /// Whether a nucleus of class `id` is classified (not left out as ambiguous).
    fn classifies(&self, id: ClassId) -> bool {
        self.mode == AmbiguousMode::Class || !self.is_ambiguous(id)
    }

    /// The FOV's class-agnostic detection counts under the ambiguous mode.
    pub fn detection(&self, fov: &FovOutcome) -> DetectionTally {
        let ignore = self.mode == AmbiguousMode::Ignore;
        let mut tally = DetectionTally::default();
        for p in &fov.pairs {
            if ignore && self.is_ambiguous(p.b) {
                continue;
            }
            tally.counts.tp += 1;
            tally.ious.push(p.iou);
        }
        tally.counts.fp = fov
            .unmatched_a
            .iter()
            .filter(|n| !(ignore && self.is_ambiguous(n.class)))
            .count() as u64;
        tally.counts.fn_ = fov
            .unmatched_b
            .iter()
            .filter(|&&c| !(ignore && self.is_ambiguous(c)))
            .count() as u64;
        tally
    }

    /// The FOV's nuclei that count for classification at `level`.
    pub fn classified(&self, fov: &FovOutcome, level: ClassLevel) -> Classified {
        let index = |id: ClassId| self.hierarchy.index(id, level);
        Classified {
            pairs: fov
                .pairs
                .iter()
                .filter(|p| self.classifies(p.a) && self.classifies(p.b))
                .map(|p| (index(p.a), index(p.b)))
                .collect(),
            unmatched_a: fov
                .unmatched_a
                .iter()
                .filter(|n| self.classifies(n.class))
                .map(|n| index(n.class))
                .collect(),
            unmatched_b: fov
                .unmatched_b
                .iter()
                .filter(|&&c| self.classifies(c))
                .map(|&c| index(c))
                .collect(),
        }
    }
}

/// A matched pair as the statistics see it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PairOutcome {
    pub a: ClassId,
    pub b: ClassId,
    pub iou: f64,
    /// A's score (a prediction's confidence).
    pub score: Option<f64>,
}

/// An unmatched nucleus of A.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct UnmatchedOutcome {
    pub class: ClassId,
    pub score: Option<f64>,
}

/// What the statistics need of one FOV's matching.
#[derive(Debug, Clone, PartialEq)]
pub struct FovOutcome {
    pub fov: String,
    pub slide: Option<String>,
    pub hospital: Option<String>,
    pub fold: Option<u32>,
    pub pairs: Vec<PairOutcome>,
    pub unmatched_a: Vec<UnmatchedOutcome>,
    pub unmatched_b: Vec<ClassId>,
    pub cropped_a: usize,
    pub cropped_b: usize,
    pub replaced_by_box: usize,
    /// Nuclei of A (after the crop) without a score.
    pub unscored_a: usize,
    /// Nuclei drawn as points (after the crop), which match nothing by IoU.
    pub points_a: usize,
    pub points_b: usize,
    /// The FOV's AP evaluations; `None` when not asked for, or when some prediction has no
    /// score.
    pub ap: Option<FovAp>,
}

/// Turns one FOV's matching into its outcome; with `with_ap`, also evaluates AP when every
/// nucleus of A (after the crop) has a score.
pub fn evaluate_fov(
    fov_a: &Fov,
    fov_b: &Fov,
    matched: &FovMatch,
    roles: &ClassRoles,
    options: &MatchOptions,
    with_ap: bool,
) -> FovOutcome {
    let a = |i: u32| &fov_a.nuclei[i as usize];
    let pairs: Vec<PairOutcome> = matched
        .pairs
        .iter()
        .map(|p| PairOutcome {
            a: a(p.a).class.id,
            b: fov_b.nuclei[p.b as usize].class.id,
            iou: p.iou,
            score: a(p.a).score,
        })
        .collect();
    let unmatched_a: Vec<UnmatchedOutcome> = matched
        .unmatched_a
        .iter()
        .map(|&i| UnmatchedOutcome {
            class: a(i).class.id,
            score: a(i).score,
        })
        .collect();
    let unscored_a = pairs.iter().filter(|p| p.score.is_none()).count()
        + unmatched_a.iter().filter(|n| n.score.is_none()).count();
    let ap = (with_ap && unscored_a == 0)
        .then(|| scoring::evaluate_fov_ap(fov_a, fov_b, matched, roles, &options.iou_options()));
    FovOutcome {
        fov: fov_b.name.clone(),
        slide: fov_b.slide.clone().or_else(|| fov_a.slide.clone()),
        hospital: fov_b.hospital.clone().or_else(|| fov_a.hospital.clone()),
        fold: fov_b.test_fold.or(fov_a.test_fold),
        pairs,
        unmatched_a,
        unmatched_b: matched
            .unmatched_b
            .iter()
            .map(|&i| fov_b.nuclei[i as usize].class.id)
            .collect(),
        cropped_a: matched.cropped_a.len(),
        cropped_b: matched.cropped_b.len(),
        replaced_by_box: matched.replaced_by_box,
        unscored_a,
        points_a: count_points(fov_a, &matched.unmatched_a),
        points_b: count_points(fov_b, &matched.unmatched_b),
        ap,
    }
}

fn count_points(fov: &Fov, unmatched: &[u32]) -> usize {
    unmatched
        .iter()
        .filter(|&&i| matches!(fov.nuclei[i as usize].shape, crate::model::Shape::Point(_)))
        .count()
}
