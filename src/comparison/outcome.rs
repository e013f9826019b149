//! One FOV's matching as the statistics see it ([`FovOutcome`]): the classes of matched pairs
//! and of unmatched nuclei, IoUs, scores, and the FOV's AP evaluations.

use super::fov_ap::{evaluate_fov_ap, FovAp};
use super::roles::{AmbiguousMode, ClassRoles};
use crate::matching::{FovMatch, MatchOptions};
use crate::model::{ClassId, ClassLevel, Fov, ShapeKind};
use crate::stats::detection::DetectionCounts;
use serde::Serialize;

/// What the two nuclei of a pair are drawn as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PairShapes {
    /// Two outlines (polygons).
    Outlines,
    /// Two boxes.
    Boxes,
    /// An outline and a box.
    Mixed,
    /// A point on either side (centroid matching only).
    WithPoint,
}

impl PairShapes {
    pub const ALL: [PairShapes; 4] = [
        PairShapes::Outlines,
        PairShapes::Boxes,
        PairShapes::Mixed,
        PairShapes::WithPoint,
    ];

    /// The combination of two nuclei's shapes.
    pub fn of(a: ShapeKind, b: ShapeKind) -> PairShapes {
        match (a, b) {
            (ShapeKind::Point, _) | (_, ShapeKind::Point) => PairShapes::WithPoint,
            (ShapeKind::Polygon, ShapeKind::Polygon) => PairShapes::Outlines,
            (ShapeKind::Box, ShapeKind::Box) => PairShapes::Boxes,
            _ => PairShapes::Mixed,
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
    pub shapes: PairShapes,
    /// What the reference's nucleus is drawn as.
    pub shape_b: ShapeKind,
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
    /// The shapes of B's unmatched nuclei, in the order of `unmatched_b`.
    pub unmatched_b_shapes: Vec<ShapeKind>,
    pub cropped_a: usize,
    pub cropped_b: usize,
    pub replaced_by_box: usize,
    /// Groups of overlapping nuclei too large to assign optimally, assigned greedily.
    pub greedy_components: usize,
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
    let b = |i: u32| &fov_b.nuclei[i as usize];
    let pairs: Vec<PairOutcome> = matched
        .pairs
        .iter()
        .map(|p| PairOutcome {
            a: a(p.a).class.id,
            b: b(p.b).class.id,
            iou: p.iou,
            score: a(p.a).score,
            shapes: PairShapes::of(a(p.a).shape.kind(), b(p.b).shape.kind()),
            shape_b: b(p.b).shape.kind(),
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
        .then(|| evaluate_fov_ap(fov_a, fov_b, matched, roles, &options.iou_options()));
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
        unmatched_b_shapes: matched
            .unmatched_b
            .iter()
            .map(|&i| b(i).shape.kind())
            .collect(),
        cropped_a: matched.cropped_a.len(),
        cropped_b: matched.cropped_b.len(),
        replaced_by_box: matched.replaced_by_box,
        greedy_components: matched.greedy_components,
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

/// Class-agnostic detection of one FOV, with the IoUs of the pairs counted as true positives.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DetectionTally {
    pub counts: DetectionCounts,
    pub ious: Vec<f64>,
    /// The IoUs of the true positives where both nuclei are outlines.
    pub outline_ious: Vec<f64>,
}

/// The nuclei that count for classification at one level, as class indices of that level.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Classified {
    pub pairs: Vec<(usize, usize)>,
    pub unmatched_a: Vec<usize>,
    pub unmatched_b: Vec<usize>,
}

/// What of an outcome counts under the class roles.
impl ClassRoles {
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
            if p.shapes == PairShapes::Outlines {
                tally.outline_ious.push(p.iou);
            }
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
