//! StarDist's matching table (`stardist/matching.py`, `matching` and `matching_dataset`):
//! at each IoU threshold t, pairs need IoU >= t; the assignment maximises the number of such
//! pairs, then the total IoU; the counts pooled over images, or the figures averaged by
//! image. Where StarDist divides by zero it gives 0, and so does this.

use super::pairing::max_weight_edges;
use super::{InstanceImage, Keyed};
use rayon::prelude::*;
use serde::Serialize;

/// StarDist's default thresholds here: 0.1, 0.2, …, 0.9.
pub fn default_thresholds() -> Vec<f64> {
    (1..10).map(|i| i as f64 / 10.0).collect()
}

/// One row of the matching table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct MatchingRow {
    pub tp: u64,
    pub fp: u64,
    #[serde(rename = "fn")]
    pub fn_: u64,
    pub precision: f64,
    pub recall: f64,
    pub accuracy: f64,
    pub f1: f64,
    pub n_true: u64,
    pub n_pred: u64,
    pub mean_true_score: f64,
    pub mean_matched_score: f64,
    pub panoptic_quality: f64,
}

/// The matching table at every threshold, pooled and by image.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StarDistFigures {
    /// Counts summed over images (`by_image=False`), by threshold as written.
    pub pooled: Keyed<MatchingRow>,
    /// Figures averaged over images (`by_image=True`).
    pub by_image: Keyed<MatchingRow>,
}

fn safe_divide(x: f64, y: f64) -> f64 {
    if y > 0.0 {
        x / y
    } else {
        0.0
    }
}

fn row_of(tp: u64, fp: u64, fn_: u64, n_true: u64, n_pred: u64, matched_sum: f64) -> MatchingRow {
    let counts = (tp, fp, fn_, n_true, n_pred);
    let (tp, fp, fn_, n_true) = (tp as f64, fp as f64, fn_ as f64, n_true as f64);
    let positive = |v: f64| if tp > 0.0 { v } else { 0.0 };
    MatchingRow {
        tp: counts.0,
        fp: counts.1,
        fn_: counts.2,
        precision: positive(tp / (tp + fp)),
        recall: positive(tp / (tp + fn_)),
        accuracy: positive(tp / (tp + fp + fn_)),
        f1: positive(2.0 * tp / (2.0 * tp + fp + fn_)),
        n_true: counts.3,
        n_pred: counts.4,
        mean_true_score: safe_divide(matched_sum, n_true),
        mean_matched_score: safe_divide(matched_sum, tp),
        panoptic_quality: safe_divide(matched_sum, tp + fp / 2.0 + fn_ / 2.0),
    }
}

/// `matching` on one image at one threshold: the row and the sum of matched IoUs.
pub fn match_image(image: &InstanceImage, threshold: f64) -> (MatchingRow, f64) {
    let (n_true, n_pred) = (image.truth.len() as u64, image.pred.len() as u64);
    let n_matched = n_true.min(n_pred) as f64;
    let ious: Vec<f64> = image.overlaps.iter().map(|o| image.iou(o)).collect();
    let (mut tp, mut matched_sum) = (0u64, 0.0);
    if n_matched > 0.0 && ious.iter().any(|&s| s >= threshold) {
        let edges: Vec<(u32, u32, f64)> = image
            .overlaps
            .iter()
            .zip(&ious)
            .map(|(o, &s)| {
                let hit = if s >= threshold { 1.0 } else { 0.0 };
                (o.truth, o.pred, hit + s / (2.0 * n_matched))
            })
            .collect();
        for e in max_weight_edges(&edges) {
            if ious[e] >= threshold {
                tp += 1;
                matched_sum += ious[e];
            }
        }
    }
    let row = row_of(tp, n_pred - tp, n_true - tp, n_true, n_pred, matched_sum);
    (row, matched_sum)
}

/// `matching_dataset` at each threshold, pooled and by image.
pub fn stardist_figures(images: &[InstanceImage], thresholds: &[f64]) -> StarDistFigures {
    let mut pooled = Vec::new();
    let mut by_image = Vec::new();
    for &threshold in thresholds {
        let rows: Vec<(MatchingRow, f64)> = images
            .par_iter()
            .map(|i| match_image(i, threshold))
            .collect();
        let sum = |get: fn(&MatchingRow) -> f64| rows.iter().map(|(r, _)| get(r)).sum::<f64>();
        let total = |get: fn(&MatchingRow) -> u64| rows.iter().map(|(r, _)| get(r)).sum::<u64>();
        let (tp, fp, fn_) = (total(|r| r.tp), total(|r| r.fp), total(|r| r.fn_));
        let (n_true, n_pred) = (total(|r| r.n_true), total(|r| r.n_pred));
        // StarDist accumulates mean_true_score * n_true, as its sum of matched scores.
        let matched_sum: f64 = rows
            .iter()
            .map(|(r, _)| r.mean_true_score * r.n_true as f64)
            .sum();
        let key = format!("{threshold}");
        pooled.push((
            key.clone(),
            row_of(tp, fp, fn_, n_true, n_pred, matched_sum),
        ));
        let n = rows.len() as f64;
        let mean = |get: fn(&MatchingRow) -> f64| if n > 0.0 { sum(get) / n } else { 0.0 };
        by_image.push((
            key,
            MatchingRow {
                tp,
                fp,
                fn_,
                n_true,
                n_pred,
                precision: mean(|r| r.precision),
                recall: mean(|r| r.recall),
                accuracy: mean(|r| r.accuracy),
                f1: mean(|r| r.f1),
                mean_true_score: mean(|r| r.mean_true_score),
                mean_matched_score: mean(|r| r.mean_matched_score),
                panoptic_quality: mean(|r| r.panoptic_quality),
            },
        ));
    }
    StarDistFigures {
        pooled: Keyed(pooled),
        by_image: Keyed(by_image),
    }
}
