//! A rater's or a model's labels on the anchors against a truth, FOV by FOV: detection
//! counts (TP, FP, FN) and the confusion of classes where both have a nucleus, the units the
//! bootstrap over FOVs resamples.

use super::inference::category;
use super::study::{FovAnchors, Label};
use crate::model::{ClassHierarchy, ClassLevel};
use crate::stats::cohen::{cohen_kappa, KappaWeights};

/// The model's label on each anchor of one FOV it predicted, and the classes of its nuclei
/// matched to no anchor.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelFov {
    pub labels: Vec<Label>,
    pub unmatched: Vec<crate::model::ClassId>,
}

/// One FOV's detection counts and confusion (said × truth, flat) at one level.
#[derive(Debug, Clone, PartialEq)]
pub struct FovTally {
    /// TP, FP, FN.
    pub counts: [f64; 3],
    /// Said × truth, flat.
    pub confusion: Vec<f64>,
}

fn tally_labels(
    labels: impl Iterator<Item = (Label, Option<usize>)>,
    extra_positives: usize,
    level: ClassLevel,
    hierarchy: &ClassHierarchy,
) -> FovTally {
    let k = hierarchy.names(level).len();
    let mut tally = FovTally {
        counts: [0.0, extra_positives as f64, 0.0],
        confusion: vec![0.0; k * k],
    };
    for (label, truth) in labels {
        let (Some(t), Some(said)) = (truth, category(label, level, hierarchy)) else {
            continue;
        };
        match (said < k, t < k) {
            (true, true) => {
                tally.counts[0] += 1.0;
                tally.confusion[said * k + t] += 1.0;
            }
            (true, false) => tally.counts[1] += 1.0,
            (false, true) => tally.counts[2] += 1.0,
            (false, false) => {}
        }
    }
    tally
}

/// A rater's or the model's tally in each FOV (`None` where they did not annotate it).
pub fn tallies(
    labelled: &[FovAnchors],
    who: Who<'_>,
    truth: &[Vec<Option<usize>>],
    level: ClassLevel,
    hierarchy: &ClassHierarchy,
) -> Vec<Option<FovTally>> {
    labelled
        .iter()
        .zip(truth)
        .enumerate()
        .map(|(f, (fov, fov_truth))| match who {
            Who::Rater(r) => fov.annotated[r].then(|| {
                let labels = fov.anchors.iter().map(|a| a.labels[r]);
                tally_labels(labels.zip(fov_truth.iter().copied()), 0, level, hierarchy)
            }),
            Who::Model(model) => model[f].as_ref().map(|m| {
                let extra = m
                    .unmatched
                    .iter()
                    .filter(|c| hierarchy.index(**c, level) < hierarchy.names(level).len())
                    .count();
                let labels = m.labels.iter().copied();
                tally_labels(
                    labels.zip(fov_truth.iter().copied()),
                    extra,
                    level,
                    hierarchy,
                )
            }),
        })
        .collect()
}

/// Whose labels: a rater's (by index), or the model's.
#[derive(Clone, Copy)]
pub enum Who<'a> {
    Rater(usize),
    Model(&'a [Option<ModelFov>]),
}

/// F1 of a summed block `[tp, fp, fn, confusion…]`.
pub fn f1_of(block: &[f64]) -> Option<f64> {
    let denominator = 2.0 * block[0] + block[1] + block[2];
    (denominator > 0.0).then(|| 2.0 * block[0] / denominator)
}

/// Cohen's κ of a summed block's confusion (`k` classes).
pub fn kappa_of(block: &[f64], k: usize) -> Option<f64> {
    let table: Vec<Vec<f64>> = block[3..].chunks_exact(k).map(|r| r.to_vec()).collect();
    cohen_kappa(&table, &KappaWeights::Unweighted).map(|x| x.kappa)
}

/// The tallies of the FOVs present, summed into one block `[tp, fp, fn, confusion…]`.
pub fn summed(tallies: &[Option<FovTally>], k: usize) -> Vec<f64> {
    let mut block = vec![0.0; 3 + k * k];
    for t in tallies.iter().flatten() {
        for (b, v) in block.iter_mut().zip(t.counts.iter().chain(&t.confusion)) {
            *b += v;
        }
    }
    block
}

/// The figures of a summed block: detection, and classification on the nuclei both have.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockFigures {
    pub detection: crate::stats::detection::Detection,
    pub n_pairs: u64,
    pub accuracy: Option<f64>,
    pub kappa: Option<f64>,
    pub mcc: Option<f64>,
    /// Said × truth.
    pub table: Vec<Vec<f64>>,
}

/// Detection and classification figures of a block `[tp, fp, fn, confusion…]` of `k` classes.
pub fn figures(block: &[f64], k: usize) -> BlockFigures {
    use crate::stats::detection::{matthews_correlation, Detection, DetectionCounts};
    let counts = DetectionCounts {
        tp: block[0] as u64,
        fp: block[1] as u64,
        fn_: block[2] as u64,
    };
    let table: Vec<Vec<f64>> = block[3..].chunks_exact(k).map(|row| row.to_vec()).collect();
    let pairs: f64 = table.iter().flatten().sum();
    let agreeing: f64 = (0..k).map(|i| table[i][i]).sum();
    BlockFigures {
        detection: Detection::of(counts),
        n_pairs: pairs as u64,
        accuracy: (pairs > 0.0).then(|| agreeing / pairs),
        kappa: kappa_of(block, k),
        mcc: matthews_correlation(&table),
        table,
    }
}
