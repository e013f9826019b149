//! What only scored predictions have: COCO average precision (per class at each level, and
//! class-agnostic "objectness"), precision-recall curves, and F1 as the score threshold moves.
//!
//! AP follows [`crate::stats::average_precision`] (pycocotools' definitions, no detection
//! cap), on the nuclei the matching kept after the FOV crop, with the matching's IoU. Each
//! level's AP is the mean over that level's classes that have truth nuclei, leaving out the
//! classes `--ambiguous` takes out of classification. Under `--ambiguous ignore`, ambiguous
//! truth nuclei are pycocotools' ignored ground truth in the class-agnostic AP.
//!
//! F1 against the score threshold is read off the matching made with all predictions: a
//! prediction at or above the threshold counts as a true positive when matched, else as a
//! false positive; truth nuclei not matched by a kept prediction are false negatives. With
//! `--matching greedy-score` this equals matching again at each threshold.

use super::outcome::FovOutcome;
use super::roles::ClassRoles;
use crate::model::ClassLevel;
use crate::stats::average_precision::{
    accumulate, ap_by_threshold, summarize, ApOptions, ApSummary, ImageEvaluation,
};
use crate::stats::detection::{Detection, DetectionCounts};
use rayon::prelude::*;
use serde::Serialize;

/// AP of one class, or class-agnostic, with its precision-recall curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassAp {
    pub summary: ApSummary,
    /// Interpolated precision at recall 0, 0.01, ..., 1, at IoU 0.5 and at 0.75 (COCO's
    /// precision array); `None` for a class without truth.
    pub precision_at_50: Option<Vec<f64>>,
    pub precision_at_75: Option<Vec<f64>>,
    /// AP at each IoU threshold of [`ApOptions::iou_thresholds`] (empty without truth).
    pub by_threshold: Vec<f64>,
}

fn class_ap(evaluations: &[&ImageEvaluation]) -> ClassAp {
    let options = ApOptions::default();
    let accumulated = accumulate(evaluations, options.iou_thresholds.len());
    let at = |value: f64| {
        let t = options
            .iou_thresholds
            .iter()
            .position(|&t| (t - value).abs() < 1e-9)?;
        accumulated.precision.as_ref().map(|p| p[t].clone())
    };
    ClassAp {
        summary: summarize(&accumulated, &options.iou_thresholds),
        precision_at_50: at(0.5),
        precision_at_75: at(0.75),
        by_threshold: ap_by_threshold(&accumulated),
    }
}

/// Per class of `level` (`None` for a class left out), over the FOVs' evaluations.
pub fn level_ap(
    outcomes: &[&FovOutcome],
    level: ClassLevel,
    classes: usize,
) -> Vec<Option<ClassAp>> {
    let slot = ClassLevel::ALL
        .iter()
        .position(|&l| l == level)
        .unwrap_or(0);
    (0..classes)
        .into_par_iter()
        .map(|class| {
            let evaluations: Vec<&ImageEvaluation> = outcomes
                .iter()
                .filter_map(|o| o.ap.as_ref())
                .filter_map(|ap| ap.levels[slot][class].as_ref())
                .collect();
            if evaluations.is_empty() {
                return None;
            }
            Some(class_ap(&evaluations))
        })
        .collect()
}

/// The class-agnostic AP.
pub fn objectness_ap(outcomes: &[&FovOutcome]) -> ClassAp {
    let evaluations: Vec<&ImageEvaluation> = outcomes
        .iter()
        .filter_map(|o| o.ap.as_ref())
        .map(|ap| &ap.objectness)
        .collect();
    class_ap(&evaluations)
}

/// Detection at one score threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AtThreshold {
    pub score_threshold: f64,
    #[serde(flatten)]
    pub detection: Detection,
}

impl AtThreshold {
    fn of(score_threshold: f64, counts: DetectionCounts) -> AtThreshold {
        AtThreshold {
            score_threshold,
            detection: Detection::of(counts),
        }
    }
}

/// F1 at the best score threshold and at the given one, class-agnostic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThresholdSweep {
    pub best: Option<AtThreshold>,
    pub given: AtThreshold,
    /// F1 at score thresholds 0, 0.05, ..., 1, for plots.
    pub curve: Vec<AtThreshold>,
}

/// Sweeps the score threshold over the class-agnostic detection of `outcomes`.
pub fn threshold_sweep(outcomes: &[&FovOutcome], roles: &ClassRoles, given: f64) -> ThresholdSweep {
    // (score, whether a true positive) of every counted nucleus of A.
    let ignore = roles.mode == super::roles::AmbiguousMode::Ignore;
    let mut scored: Vec<(f64, bool)> = Vec::new();
    let mut truth = 0u64;
    for o in outcomes {
        let detection = roles.detection(o);
        truth += detection.counts.tp + detection.counts.fn_;
        for p in &o.pairs {
            if !(ignore && roles.is_ambiguous(p.b)) {
                scored.push((p.score.unwrap_or(0.0), true));
            }
        }
        for n in &o.unmatched_a {
            if !(ignore && roles.is_ambiguous(n.class)) {
                scored.push((n.score.unwrap_or(0.0), false));
            }
        }
    }
    scored.sort_by(|x, y| y.0.total_cmp(&x.0));
    let at = |threshold: f64| {
        let kept = scored.partition_point(|s| s.0 >= threshold);
        let tp = scored[..kept].iter().filter(|s| s.1).count() as u64;
        DetectionCounts {
            tp,
            fp: kept as u64 - tp,
            fn_: truth - tp,
        }
    };
    // The best threshold: each distinct score, counting everything at or above it.
    let mut best: Option<AtThreshold> = None;
    let (mut tp, mut fp) = (0u64, 0u64);
    for (i, &(score, is_tp)) in scored.iter().enumerate() {
        if is_tp {
            tp += 1;
        } else {
            fp += 1;
        }
        let last_of_score = scored.get(i + 1).is_none_or(|next| next.0 < score);
        if !last_of_score {
            continue;
        }
        let candidate = AtThreshold::of(
            score,
            DetectionCounts {
                tp,
                fp,
                fn_: truth - tp,
            },
        );
        if best
            .is_none_or(|b| candidate.detection.f1.unwrap_or(0.0) > b.detection.f1.unwrap_or(0.0))
        {
            best = Some(candidate);
        }
    }
    ThresholdSweep {
        best,
        given: AtThreshold::of(given, at(given)),
        curve: (0..=20)
            .map(|i| {
                let t = i as f64 / 20.0;
                AtThreshold::of(t, at(t))
            })
            .collect(),
    }
}
