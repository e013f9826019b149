//! One FOV's AP evaluations (pycocotools' `evaluateImg`, per class at each level and
//! class-agnostic), on the nuclei the matching kept after the FOV crop.

use super::roles::ClassRoles;
use crate::geometry::{IouOptions, PreparedShape};
use crate::matching::FovMatch;
use crate::model::{ClassLevel, Fov};
use crate::stats::average_precision::{evaluate_image, ApImage, ApOptions, ImageEvaluation};

/// One FOV's AP evaluations: per level, per class of the level (`None` for classes left out),
/// and class-agnostic.
#[derive(Debug, Clone, PartialEq)]
pub struct FovAp {
    pub levels: [Vec<Option<ImageEvaluation>>; 3],
    pub objectness: ImageEvaluation,
}

/// Evaluates AP on one FOV's nuclei as the matching kept them.
pub fn evaluate_fov_ap(
    fov_a: &Fov,
    fov_b: &Fov,
    matched: &FovMatch,
    roles: &ClassRoles,
    iou_options: &IouOptions,
) -> FovAp {
    let options = ApOptions::default();
    // In file order, as pycocotools loads them: equal scores keep that order, and so does
    // the choice among truth nuclei of equal IoU.
    let in_file_order = |mut kept: Vec<u32>| {
        kept.sort_unstable();
        kept
    };
    let kept_a = in_file_order(
        matched
            .pairs
            .iter()
            .map(|p| p.a)
            .chain(matched.unmatched_a.iter().copied())
            .collect(),
    );
    let kept_b = in_file_order(
        matched
            .pairs
            .iter()
            .map(|p| p.b)
            .chain(matched.unmatched_b.iter().copied())
            .collect(),
    );
    let shapes_a: Vec<(PreparedShape, f64, crate::model::ClassId)> = kept_a
        .iter()
        .map(|&i| {
            let n = &fov_a.nuclei[i as usize];
            (
                PreparedShape::for_iou(&n.shape, iou_options),
                n.score.unwrap_or(0.0),
                n.class.id,
            )
        })
        .collect();
    let shapes_b: Vec<(PreparedShape, crate::model::ClassId)> = kept_b
        .iter()
        .map(|&i| {
            let n = &fov_b.nuclei[i as usize];
            (PreparedShape::for_iou(&n.shape, iou_options), n.class.id)
        })
        .collect();
    let hierarchy = &roles.hierarchy;
    let levels = ClassLevel::ALL.map(|level| {
        (0..hierarchy.names(level).len())
            .map(|class| {
                if !roles.is_classified(level, class) {
                    return None;
                }
                let of_class = |id: crate::model::ClassId| hierarchy.index(id, level) == class;
                if !shapes_b.iter().any(|(_, id)| of_class(*id))
                    && !shapes_a.iter().any(|(_, _, id)| of_class(*id))
                {
                    // Nothing of the class here: the FOV adds nothing to its AP.
                    return None;
                }
                let image = ApImage {
                    truth: shapes_b
                        .iter()
                        .filter(|(_, id)| hierarchy.index(*id, level) == class)
                        .map(|(s, _)| s.clone())
                        .collect(),
                    detections: shapes_a
                        .iter()
                        .filter(|(_, _, id)| hierarchy.index(*id, level) == class)
                        .map(|(s, score, _)| (s.clone(), *score))
                        .collect(),
                    ignored_truth: Vec::new(),
                };
                Some(evaluate_image(&image, &options, iou_options))
            })
            .collect()
    });
    let ignore = roles.mode == super::roles::AmbiguousMode::Ignore;
    let (ignored, regular): (Vec<_>, Vec<_>) = shapes_b
        .iter()
        .partition(|(_, id)| ignore && roles.is_ambiguous(*id));
    let objectness = ApImage {
        truth: regular.into_iter().map(|(s, _)| s.clone()).collect(),
        detections: shapes_a
            .iter()
            .map(|(s, score, _)| (s.clone(), *score))
            .collect(),
        ignored_truth: ignored.into_iter().map(|(s, _)| s.clone()).collect(),
    };
    FovAp {
        levels,
        objectness: evaluate_image(&objectness, &options, iou_options),
    }
}
