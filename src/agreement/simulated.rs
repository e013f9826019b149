//! On simulated data the truth is known: each method's inferred truth written as an
//! annotation set and compared with the simulated truth, as `compare` would.

use super::inference::LevelTruth;
use super::truth_method::TruthMethod;
use super::truth_set::{fovs_of_decisions, truth_set, FovGeometry};
use crate::choice::Choice;
use crate::comparison::run::{compare_sets, ComparisonOptions};
use crate::comparison::AmbiguousMode;
use crate::geometry::IouOptions;
use crate::matching::{Criterion, MatchOptions};
use crate::model::{AnnotationSet, ClassLevel};
use rayon::prelude::*;
use serde::Serialize;

/// One inferred truth against the simulated truth: detection, and classification on the
/// matched pairs at each level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgainstSimulated {
    pub method: TruthMethod,
    pub fovs: usize,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub detection_f1: Option<f64>,
    /// Per level (raw, main, super).
    pub accuracy: [Option<f64>; 3],
    pub kappa: [Option<f64>; 3],
}

/// Compares every method's truth (raw level, anchors drawn as their medoids) with the simulated truth, matched at IoU 0.5 by `iou_options`, every class a
/// class, no bootstrap.
pub fn against_simulated(
    hierarchy: &std::sync::Arc<crate::model::ClassHierarchy>,
    geometry: &[FovGeometry],
    raw: &LevelTruth,
    simulated: &AnnotationSet,
    iou_options: &IouOptions,
) -> Vec<AgainstSimulated> {
    let options = ComparisonOptions {
        matching: MatchOptions {
            criterion: Criterion::Iou {
                threshold: 0.5,
                options: *iou_options,
            },
            ..MatchOptions::default()
        },
        ambiguous: AmbiguousMode::Class,
        bootstrap: None,
        ..ComparisonOptions::default()
    };
    raw.by_method
        .par_iter()
        .map(|one| {
            let method = one.method;
            let classes = hierarchy.names(ClassLevel::Raw).len();
            let fovs = fovs_of_decisions(geometry, &one.decisions, classes);
            let inferred = truth_set(hierarchy, fovs, method.name());
            let report = compare_sets(&inferred, simulated, &options, &|_| {});
            let levels = &report.result.levels;
            let d = &levels.super_.detection;
            AgainstSimulated {
                method,
                fovs: report.counts.fovs,
                precision: d.precision,
                recall: d.recall,
                detection_f1: d.f1,
                accuracy: ClassLevel::ALL.map(|l| levels.get(l).classification.accuracy),
                kappa: ClassLevel::ALL.map(|l| levels.get(l).classification.cohen_kappa),
            }
        })
        .collect()
}
