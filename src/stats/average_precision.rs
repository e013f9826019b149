//! Average precision exactly as pycocotools defines it, without its hidden caps unless asked.
//!
//! Split as pycocotools is, into pure steps: [`evaluate_image`] matches one image's (FOV's)
//! detections to its truth at each IoU threshold (detections by score descending, each taking
//! the unmatched truth of highest IoU at or above the threshold); [`accumulate`] pools the
//! images into precision at the 101 recall thresholds 0, 0.01, ..., 1 (precision made
//! monotone, then read at the first recall at or above each threshold) and recall;
//! [`summarize`] gives AP50, AP75 and AP50:95.
//!
//! pycocotools keeps only the 100 highest-scoring detections per image (`maxDets`), which
//! dense FOVs exceed; here no cap applies unless [`ApOptions::max_detections`] asks for one.
//! Area ranges are not used (all nuclei count). A category with no truth has no AP (`None`),
//! where pycocotools writes -1.
//!
//! ```
//! use nucagree::geometry::{IouOptions, PreparedShape};
//! use nucagree::model::{BoundingBox, Shape};
//! use nucagree::stats::average_precision::{average_precision, ApImage, ApOptions};
//!
//! let square = |x: f64| PreparedShape::new(&Shape::Box(BoundingBox { xmin: x, ymin: 0.0, xmax: x + 10.0, ymax: 10.0 }));
//! // A false positive ranked above the true positive: precision 1/2 at recall 1.
//! let image = ApImage { truth: vec![square(0.0)], detections: vec![(square(50.0), 0.9), (square(0.0), 0.8)], ..ApImage::default() };
//! let ap = average_precision(&[image], &ApOptions::default(), &IouOptions::default());
//! assert_eq!(ap.ap50, Some(0.5));
//! ```

use crate::geometry::index::BoxIndex;
use crate::geometry::{iou_at_least, IouOptions, PreparedShape};
use crate::model::BoundingBox;
use serde::Serialize;
use std::borrow::Borrow;

/// Truth nuclei in an image past which candidates come from an R-tree instead of a scan (a
/// whole slide or a large tile; a NuCLS FOV has a few dozen).
const INDEX_FROM: usize = 256;

/// The IoU thresholds of AP50:95 exactly as pycocotools holds them:
/// `np.linspace(.5, 0.95, 10)`, whose eighth and ninth values are 0.85 and
/// 0.8999999999999999 (0.5 + 0.05 i gives 0.8500000000000001 and 0.9). Boxes with integer or
/// one-decimal corners do reach IoUs of exactly 0.85 or 0.9, so the difference shows.
pub fn coco_iou_thresholds() -> Vec<f64> {
    linspace(0.5, 0.95, 10)
}

/// The recall thresholds of COCO's precision array exactly as pycocotools holds them:
/// `np.linspace(.0, 1.00, 101)`, ten of which are not i / 100 (0.35000000000000003, ...). A
/// class whose recall reaches such a value exactly reads its precision at another point.
pub fn coco_recall_thresholds() -> Vec<f64> {
    linspace(0.0, 1.0, 101)
}

/// numpy's `linspace(start, stop, count)`: i * step + start, with step = (stop - start) /
/// (count - 1), the last value set to stop.
fn linspace(start: f64, stop: f64, count: usize) -> Vec<f64> {
    let step = (stop - start) / (count.max(2) - 1) as f64;
    (0..count)
        .map(|i| {
            if i + 1 == count {
                stop
            } else {
                i as f64 * step + start
            }
        })
        .collect()
}

/// How AP is computed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApOptions {
    pub iou_thresholds: Vec<f64>,
    /// Keep only this many highest-scoring detections per image (pycocotools: 100).
    pub max_detections: Option<usize>,
}

impl Default for ApOptions {
    fn default() -> ApOptions {
        ApOptions {
            iou_thresholds: coco_iou_thresholds(),
            max_detections: None,
        }
    }
}

impl ApOptions {
    /// pycocotools' default cap of 100 detections per image.
    pub fn pycocotools_capped() -> ApOptions {
        ApOptions {
            max_detections: Some(100),
            ..ApOptions::default()
        }
    }
}

/// One image (FOV) of one category: its truth outlines, its scored detections, and truth
/// regions to ignore.
#[derive(Debug, Clone, Default)]
pub struct ApImage {
    pub truth: Vec<PreparedShape>,
    pub detections: Vec<(PreparedShape, f64)>,
    /// Don't-care truth (pycocotools' ignored ground truth): not counted in recall; a
    /// detection that can only match one is neither a true nor a false positive.
    pub ignored_truth: Vec<PreparedShape>,
}

/// One image's matching at every threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageEvaluation {
    /// Scores of the kept detections, descending.
    pub scores: Vec<f64>,
    /// For each threshold, whether each kept detection matched.
    pub matched: Vec<Vec<bool>>,
    /// For each threshold, whether each kept detection matched only ignored truth.
    pub ignored: Vec<Vec<bool>>,
    pub truth_count: usize,
}

/// Matches an image's detections to its truth at each threshold, as pycocotools'
/// `evaluateImg`: detections by score descending (ties keep their order), each taking the
/// unmatched truth of highest IoU (the last such on ties, as pycocotools does); ignored truth
/// is taken only when no regular truth is available. IoUs are computed only for outlines
/// whose boxes overlap, and only when they can reach the lowest threshold.
pub fn evaluate_image(
    image: &ApImage,
    options: &ApOptions,
    iou_options: &IouOptions,
) -> ImageEvaluation {
    let mut order: Vec<usize> = (0..image.detections.len()).collect();
    order.sort_by(|&a, &b| image.detections[b].1.total_cmp(&image.detections[a].1));
    if let Some(cap) = options.max_detections {
        order.truncate(cap);
    }
    let lowest = options
        .iou_thresholds
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min)
        .min(1.0);
    let regular = image.truth.len();
    let all_truth: Vec<&PreparedShape> = image.truth.iter().chain(&image.ignored_truth).collect();
    // Truth whose box the detection's box overlaps, in truth order (the order breaks ties, as
    // pycocotools' loop over truth): all of it for small images, from an R-tree past that.
    let index = (all_truth.len() > INDEX_FROM).then(|| {
        let boxes: Vec<BoundingBox> = all_truth.iter().map(|t| t.bbox).collect();
        BoxIndex::new(&boxes)
    });
    // Per detection, (truth position, IoU) of the truth it can match.
    let ious: Vec<Vec<(usize, f64)>> = order
        .iter()
        .map(|&d| {
            let detection = &image.detections[d].0;
            let near: Vec<usize> = match &index {
                Some(index) => index
                    .overlapping(&detection.bbox)
                    .into_iter()
                    .map(|g| g as usize)
                    .collect(),
                None => (0..all_truth.len()).collect(),
            };
            near.into_iter()
                .filter(|&g| detection.bbox.overlaps(&all_truth[g].bbox))
                .filter_map(|g| {
                    iou_at_least(detection, all_truth[g], iou_options, lowest)
                        .filter(|&v| v > 0.0)
                        .map(|v| (g, v))
                })
                .collect()
        })
        .collect();
    let mut matched = Vec::with_capacity(options.iou_thresholds.len());
    let mut ignored = Vec::with_capacity(options.iou_thresholds.len());
    for &threshold in &options.iou_thresholds {
        let mut truth_taken = vec![false; all_truth.len()];
        let mut matched_here = Vec::with_capacity(order.len());
        let mut ignored_here = Vec::with_capacity(order.len());
        for row in &ious {
            let pick = |want_regular: bool, taken: &[bool]| {
                let mut best = threshold.min(1.0 - 1e-10);
                let mut found = None;
                for &(g, value) in row {
                    if taken[g] || (g < regular) != want_regular || value < best {
                        continue;
                    }
                    best = value;
                    found = Some(g);
                }
                found
            };
            let found = pick(true, &truth_taken).or_else(|| pick(false, &truth_taken));
            if let Some(g) = found {
                truth_taken[g] = true;
            }
            matched_here.push(found.is_some_and(|g| g < regular));
            ignored_here.push(found.is_some_and(|g| g >= regular));
        }
        matched.push(matched_here);
        ignored.push(ignored_here);
    }
    ImageEvaluation {
        scores: order.iter().map(|&d| image.detections[d].1).collect(),
        matched,
        ignored,
        truth_count: regular,
    }
}

/// Precision at the 101 recall thresholds, and the final recall, per IoU threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Accumulated {
    /// `precision[t][r]`; `None` for a category without truth.
    pub precision: Option<Vec<Vec<f64>>>,
    pub recall: Option<Vec<f64>>,
}

/// Pools image evaluations, as pycocotools' `accumulate`.
pub fn accumulate<E: Borrow<ImageEvaluation>>(images: &[E], thresholds: usize) -> Accumulated {
    let images: Vec<&ImageEvaluation> = images.iter().map(|e| e.borrow()).collect();
    let truth: usize = images.iter().map(|e| e.truth_count).sum();
    let mut detections: Vec<(f64, usize, usize)> = images
        .iter()
        .enumerate()
        .flat_map(|(i, e)| e.scores.iter().enumerate().map(move |(d, s)| (*s, i, d)))
        .collect();
    // A stable sort by score descending, as numpy's mergesort on -score.
    detections.sort_by(|a, b| b.0.total_cmp(&a.0));
    if truth == 0 {
        return Accumulated {
            precision: None,
            recall: None,
        };
    }
    let recall_thresholds = coco_recall_thresholds();
    let mut precision = Vec::with_capacity(thresholds);
    let mut recall = Vec::with_capacity(thresholds);
    for t in 0..thresholds {
        let (mut tp, mut fp) = (0.0, 0.0);
        let mut rc = Vec::with_capacity(detections.len());
        let mut pr = Vec::with_capacity(detections.len());
        for &(_, i, d) in &detections {
            if images[i].ignored[t][d] {
                continue;
            }
            if images[i].matched[t][d] {
                tp += 1.0;
            } else {
                fp += 1.0;
            }
            rc.push(tp / truth as f64);
            pr.push(tp / (tp + fp + f64::EPSILON));
        }
        recall.push(rc.last().copied().unwrap_or(0.0));
        for k in (1..pr.len()).rev() {
            if pr[k] > pr[k - 1] {
                pr[k - 1] = pr[k];
            }
        }
        let at_thresholds = recall_thresholds
            .iter()
            .map(|&target| {
                let index = rc.partition_point(|&x| x < target);
                pr.get(index).copied().unwrap_or(0.0)
            })
            .collect();
        precision.push(at_thresholds);
    }
    Accumulated {
        precision: Some(precision),
        recall: Some(recall),
    }
}

/// AP at each IoU threshold of an accumulation: the mean precision over the recall
/// thresholds (empty for a category without truth).
pub fn ap_by_threshold(accumulated: &Accumulated) -> Vec<f64> {
    accumulated
        .precision
        .iter()
        .flatten()
        .map(|p| p.iter().sum::<f64>() / p.len() as f64)
        .collect()
}

/// AP at 0.5, at 0.75, and averaged over the thresholds, and the final recall.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ApSummary {
    pub ap50: Option<f64>,
    pub ap75: Option<f64>,
    pub ap50_95: Option<f64>,
    /// Recall averaged over the thresholds (pycocotools' AR at the detection cap).
    pub recall: Option<f64>,
}

/// Summarizes an accumulation made with `thresholds`.
pub fn summarize(accumulated: &Accumulated, thresholds: &[f64]) -> ApSummary {
    let Some(precision) = &accumulated.precision else {
        return ApSummary {
            ap50: None,
            ap75: None,
            ap50_95: None,
            recall: None,
        };
    };
    let ap_at = |t: usize| precision[t].iter().sum::<f64>() / precision[t].len() as f64;
    let at = |value: f64| {
        thresholds
            .iter()
            .position(|&t| (t - value).abs() < 1e-9)
            .map(ap_at)
    };
    let all = (0..thresholds.len()).map(ap_at).sum::<f64>() / thresholds.len() as f64;
    let recall = accumulated
        .recall
        .as_ref()
        .map(|r| r.iter().sum::<f64>() / r.len() as f64);
    ApSummary {
        ap50: at(0.5),
        ap75: at(0.75),
        ap50_95: Some(all),
        recall,
    }
}

/// Evaluates, accumulates and summarizes one category over all images.
pub fn average_precision(
    images: &[ApImage],
    options: &ApOptions,
    iou_options: &IouOptions,
) -> ApSummary {
    let evaluations: Vec<ImageEvaluation> = images
        .iter()
        .map(|i| evaluate_image(i, options, iou_options))
        .collect();
    summarize(
        &accumulate(&evaluations, options.iou_thresholds.len()),
        &options.iou_thresholds,
    )
}

/// The COCO mean over categories: the mean of each field over the categories that define it.
pub fn mean_over_categories(summaries: &[ApSummary]) -> ApSummary {
    let mean = |f: &dyn Fn(&ApSummary) -> Option<f64>| {
        let values: Vec<f64> = summaries.iter().filter_map(f).collect();
        (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
    };
    ApSummary {
        ap50: mean(&|s| s.ap50),
        ap75: mean(&|s| s.ap75),
        ap50_95: mean(&|s| s.ap50_95),
        recall: mean(&|s| s.recall),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_numpy_linspace_values() {
        // `list(np.linspace(.5, 0.95, 10))` with numpy 2.4.6.
        let numpy = [
            0.5,
            0.55,
            0.6,
            0.65,
            0.7,
            0.75,
            0.8,
            0.85,
            0.8999999999999999,
            0.95,
        ];
        assert_eq!(coco_iou_thresholds(), numpy);
    }

    #[test]
    fn boxes_at_exactly_the_thresholds_match_as_in_pycocotools() {
        let options = IouOptions::default();
        let square = |xmax: f64| {
            PreparedShape::for_iou(
                &crate::model::Shape::Box(crate::model::BoundingBox {
                    xmin: 0.0,
                    ymin: 0.0,
                    xmax,
                    ymax: 100.0,
                }),
                &options,
            )
        };
        // IoU exactly 0.85 and exactly 0.9 with the 100 x 100 truth.
        for (width, matched_up_to) in [(85.0, 7), (90.0, 8)] {
            let image = ApImage {
                truth: vec![square(100.0)],
                detections: vec![(square(width), 0.9)],
                ..ApImage::default()
            };
            let ap_options = ApOptions::default();
            let evaluation = evaluate_image(&image, &ap_options, &options);
            let by_threshold = ap_by_threshold(&accumulate(&[evaluation], 10));
            for (t, ap) in by_threshold.iter().enumerate() {
                let expected = if t <= matched_up_to { 1.0 } else { 0.0 };
                // pycocotools' precision is tp / (tp + fp + eps).
                assert!(
                    (ap - expected).abs() < 1e-12,
                    "width {width}, threshold {t}: {ap}"
                );
            }
        }
    }

    #[test]
    fn recall_thresholds_are_numpy_linspace_values() {
        // `list(np.linspace(.0, 1.00, 101))` with numpy 2.4.6.
        let numpy = [
            0.0,
            0.01,
            0.02,
            0.03,
            0.04,
            0.05,
            0.06,
            0.07,
            0.08,
            0.09,
            0.1,
            0.11,
            0.12,
            0.13,
            0.14,
            0.15,
            0.16,
            0.17,
            0.18,
            0.19,
            0.2,
            0.21,
            0.22,
            0.23,
            0.24,
            0.25,
            0.26,
            0.27,
            0.28,
            0.29,
            0.3,
            0.31,
            0.32,
            0.33,
            0.34,
            0.35000000000000003,
            0.36,
            0.37,
            0.38,
            0.39,
            0.4,
            0.41000000000000003,
            0.42,
            0.43,
            0.44,
            0.45,
            0.46,
            0.47000000000000003,
            0.48,
            0.49,
            0.5,
            0.51,
            0.52,
            0.53,
            0.54,
            0.55,
            0.56,
            0.5700000000000001,
            0.58,
            0.59,
            0.6,
            0.61,
            0.62,
            0.63,
            0.64,
            0.65,
            0.66,
            0.67,
            0.68,
            0.6900000000000001,
            0.7000000000000001,
            0.71,
            0.72,
            0.73,
            0.74,
            0.75,
            0.76,
            0.77,
            0.78,
            0.79,
            0.8,
            0.81,
            0.8200000000000001,
            0.8300000000000001,
            0.84,
            0.85,
            0.86,
            0.87,
            0.88,
            0.89,
            0.9,
            0.91,
            0.92,
            0.93,
            0.9400000000000001,
            0.9500000000000001,
            0.96,
            0.97,
            0.98,
            0.99,
            1.0,
        ];
        assert_eq!(coco_recall_thresholds(), numpy);
        assert_eq!(coco_recall_thresholds()[35], 0.35000000000000003);
    }
}
