//! CoNIC's figures (`metrics/stats_utils.py` and `compute_stats.py` of
//! TissueImageAnalytics/CoNIC): binary PQ per image averaged over images; mPQ+, each class
//! matched on its own with its counts pooled over every image; and the multi-class R² of the
//! per-image counts.

use super::pairing::{unique_pairs, PairCounts};
use super::{InstanceImage, Keyed};
use serde::Serialize;

/// `get_pq`'s dq, sq and pq: dq = tp / (tp + fp/2 + fn/2 + 1e-6), sq = IoU sum / (tp + 1e-6).
pub fn conic_pq(counts: PairCounts) -> (f64, f64, f64) {
    let tp = counts.tp as f64;
    let dq = tp / ((tp + 0.5 * counts.fp as f64 + 0.5 * counts.fn_ as f64) + 1.0e-6);
    let sq = counts.iou_sum / (tp + 1.0e-6);
    (dq, sq, dq * sq)
}

/// One class's pooled counts and PQ+.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ClassPq {
    pub tp: u64,
    pub fp: u64,
    #[serde(rename = "fn")]
    pub fn_: u64,
    pub iou_sum: f64,
    pub pq_plus: f64,
}

/// CoNIC's figures over a set of images.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConicFigures {
    /// Binary PQ (`get_pq`) per image, averaged over the images.
    pub pq_mean_over_images: Option<f64>,
    /// The mean over every class of the scheme of each class's PQ+.
    pub mpq_plus: Option<f64>,
    /// The mean over classes of scikit-learn's `r2_score` of the per-image counts;
    /// `None` with fewer than two images.
    pub multi_r2: Option<f64>,
    pub per_class: Keyed<ClassPq>,
    /// Each class's R² of the per-image counts.
    pub r2_per_class: Keyed<Option<f64>>,
}

/// CoNIC's figures; `class_names` are the scheme's classes (all of them count in mPQ+ and R²,
/// present or not, as CoNIC's `nr_classes`).
pub fn conic_figures(images: &[InstanceImage], class_names: &[String]) -> ConicFigures {
    let binary: Vec<f64> = images
        .iter()
        .map(|image| conic_pq(unique_pairs(image, None)).2)
        .collect();
    let pq_mean_over_images =
        (!binary.is_empty()).then(|| binary.iter().sum::<f64>() / binary.len() as f64);
    let mut per_class = Vec::new();
    let mut r2_per_class = Vec::new();
    for (class, name) in class_names.iter().enumerate() {
        let mut counts = PairCounts::default();
        for image in images {
            counts.add(unique_pairs(image, Some(class)));
        }
        per_class.push((
            name.clone(),
            ClassPq {
                tp: counts.tp,
                fp: counts.fp,
                fn_: counts.fn_,
                iou_sum: counts.iou_sum,
                pq_plus: conic_pq(counts).2,
            },
        ));
        let truth: Vec<f64> = images
            .iter()
            .map(|i| i.counts(Some(class)).0 as f64)
            .collect();
        let pred: Vec<f64> = images
            .iter()
            .map(|i| i.counts(Some(class)).1 as f64)
            .collect();
        r2_per_class.push((name.clone(), r2_score(&truth, &pred)));
    }
    let mpq_plus = (!per_class.is_empty())
        .then(|| per_class.iter().map(|(_, c)| c.pq_plus).sum::<f64>() / per_class.len() as f64);
    let r2: Vec<Option<f64>> = r2_per_class.iter().map(|(_, r)| *r).collect();
    let multi_r2 = if r2.is_empty() || r2.iter().any(Option::is_none) {
        None
    } else {
        Some(r2.iter().flatten().sum::<f64>() / r2.len() as f64)
    };
    ConicFigures {
        pq_mean_over_images,
        mpq_plus,
        multi_r2,
        per_class: Keyed(per_class),
        r2_per_class: Keyed(r2_per_class),
    }
}

/// scikit-learn's `r2_score` of one output: 1 - SS_res / SS_tot; a constant truth gives 1
/// when the prediction equals it and 0 otherwise (its `force_finite`); `None` with fewer
/// than two samples (scikit-learn warns and gives nan).
pub fn r2_score(truth: &[f64], pred: &[f64]) -> Option<f64> {
    if truth.len() < 2 || truth.len() != pred.len() {
        return None;
    }
    let mean = truth.iter().sum::<f64>() / truth.len() as f64;
    let residual: f64 = truth.iter().zip(pred).map(|(t, p)| (t - p) * (t - p)).sum();
    let total: f64 = truth.iter().map(|t| (t - mean) * (t - mean)).sum();
    Some(if total != 0.0 {
        1.0 - residual / total
    } else if residual == 0.0 {
        1.0
    } else {
        0.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r2_score_follows_scikit_learn() {
        // sklearn.metrics.r2_score([3, -0.5, 2, 7], [2.5, 0.0, 2, 8]) = 0.9486081370449679
        let r2 = r2_score(&[3.0, -0.5, 2.0, 7.0], &[2.5, 0.0, 2.0, 8.0]).unwrap();
        assert!((r2 - 0.9486081370449679).abs() < 1e-12);
        assert_eq!(r2_score(&[1.0, 1.0], &[1.0, 1.0]), Some(1.0));
        assert_eq!(r2_score(&[1.0, 1.0], &[1.0, 2.0]), Some(0.0));
        assert_eq!(r2_score(&[1.0], &[1.0]), None);
    }
}
