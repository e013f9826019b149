//! Per-FOV tallies: every count the comparison's statistics need, laid out in one vector so
//! that FOVs add up, groups of FOVs add up, and the bootstrap resamples FOVs by adding their
//! tallies ([`crate::stats::bootstrap::tally_bootstrap`]).
//!
//! The layout: detection tp, fp, fn; the sums of matched IoUs and Dice coefficients; then per
//! class level the k x k table of classified pairs (A's class by row, B's by column) and per
//! class the joint-rule tp, fp, fn and the number of nuclei in A and in B.

use super::outcome::FovOutcome;
use super::roles::{AmbiguousMode, ClassRoles};
use crate::model::ClassLevel;
use crate::stats::bootstrap::compact_tally;
use crate::stats::cohen::{cohen_kappa, per_class_kappa, CohenKappa, KappaWeights};
use crate::stats::detection::{
    dice_of_iou, joint_rule_counts, matthews_correlation, panoptic_quality_of_sum, DetectionCounts,
};
use crate::stats::gwet::gwet_ac1_of_table;

const TP: usize = 0;
const FP: usize = 1;
const FN: usize = 2;
const IOU_SUM: usize = 3;
const DICE_SUM: usize = 4;
const HEAD: usize = 5;
/// Per class: joint tp, fp, fn, nuclei in A, nuclei in B, unmatched nuclei in A and in B.
const PER_CLASS: usize = 7;

/// Where each count lives in a tally vector.
#[derive(Debug, Clone, PartialEq)]
pub struct TallyLayout {
    /// Classes per level (raw, main, super).
    pub classes: [usize; 3],
    table_offset: [usize; 3],
    class_offset: [usize; 3],
    pub width: usize,
}

impl TallyLayout {
    pub fn new(classes: [usize; 3]) -> TallyLayout {
        let mut offset = HEAD;
        let mut table_offset = [0; 3];
        let mut class_offset = [0; 3];
        for slot in 0..3 {
            table_offset[slot] = offset;
            offset += classes[slot] * classes[slot];
            class_offset[slot] = offset;
            offset += classes[slot] * PER_CLASS;
        }
        TallyLayout {
            classes,
            table_offset,
            class_offset,
            width: offset,
        }
    }

    /// The dense sum of the tallies of `members`.
    pub fn sum_of(&self, tallies: &[Vec<(u32, f64)>], members: &[usize]) -> Vec<f64> {
        let mut sum = vec![0.0; self.width];
        for &i in members {
            TallyLayout::add(&mut sum, &tallies[i]);
        }
        sum
    }

    /// The sparse tally of one FOV.
    pub fn tally(&self, fov: &FovOutcome, roles: &ClassRoles) -> Vec<(u32, f64)> {
        let mut dense: Vec<(u32, f64)> = Vec::new();
        let mut push = |position: usize, value: f64| dense.push((position as u32, value));
        let detection = roles.detection(fov);
        push(TP, detection.counts.tp as f64);
        push(FP, detection.counts.fp as f64);
        push(FN, detection.counts.fn_ as f64);
        push(IOU_SUM, detection.ious.iter().sum());
        push(
            DICE_SUM,
            detection.ious.iter().map(|&v| dice_of_iou(v)).sum(),
        );
        for level in ClassLevel::ALL {
            let slot = level.position();
            let k = self.classes[slot];
            let classified = roles.classified(fov, level);
            for &(a, b) in &classified.pairs {
                push(self.table_offset[slot] + a * k + b, 1.0);
            }
            let joint = joint_rule_counts(
                &classified.pairs,
                &classified.unmatched_a,
                &classified.unmatched_b,
                k,
            );
            let base = self.class_offset[slot];
            for (c, counts) in joint.iter().enumerate() {
                push(base + c * PER_CLASS, counts.tp as f64);
                push(base + c * PER_CLASS + 1, counts.fp as f64);
                push(base + c * PER_CLASS + 2, counts.fn_ as f64);
            }
            let index = |id| roles.hierarchy.index(id, level);
            // Supports: every nucleus compared, whatever its role.
            for p in &fov.pairs {
                push(base + index(p.a) * PER_CLASS + 3, 1.0);
                push(base + index(p.b) * PER_CLASS + 4, 1.0);
            }
            for n in &fov.unmatched_a {
                push(base + index(n.class) * PER_CLASS + 3, 1.0);
                push(base + index(n.class) * PER_CLASS + 5, 1.0);
            }
            for &b in &fov.unmatched_b {
                push(base + index(b) * PER_CLASS + 4, 1.0);
                push(base + index(b) * PER_CLASS + 6, 1.0);
            }
            // Ambiguous classes outside classification: their nuclei's detection, the class
            // not judged (a pair with an ambiguous side is a TP of that ambiguous class).
            if roles.mode != AmbiguousMode::Class {
                for p in &fov.pairs {
                    let side_a = roles.is_ambiguous(p.a).then(|| index(p.a));
                    let side_b = roles.is_ambiguous(p.b).then(|| index(p.b));
                    if let Some(c) = side_a {
                        push(base + c * PER_CLASS, 1.0);
                    }
                    if let Some(c) = side_b.filter(|&c| Some(c) != side_a) {
                        push(base + c * PER_CLASS, 1.0);
                    }
                }
                for n in fov
                    .unmatched_a
                    .iter()
                    .filter(|n| roles.is_ambiguous(n.class))
                {
                    push(base + index(n.class) * PER_CLASS + 1, 1.0);
                }
                for &b in fov.unmatched_b.iter().filter(|&&b| roles.is_ambiguous(b)) {
                    push(base + index(b) * PER_CLASS + 2, 1.0);
                }
            }
        }
        compact_tally(dense)
    }

    /// Whether `position` holds detection counts, IoU sums or a classification table (not
    /// per-class counts): what detection F1, mean IoU and kappa read.
    pub fn is_head_or_table(&self, position: u32) -> bool {
        let p = position as usize;
        p < HEAD || (0..3).any(|slot| p >= self.table_offset[slot] && p < self.class_offset[slot])
    }

    /// Whether `position` holds a class's number of nuclei, or of unmatched nuclei, in A or B
    /// (which no bootstrapped statistic reads).
    pub fn is_support(&self, position: u32) -> bool {
        let p = position as usize;
        (0..3).any(|slot| {
            let start = self.class_offset[slot];
            let end = start + self.classes[slot] * PER_CLASS;
            p >= start && p < end && (p - start) % PER_CLASS >= 3
        })
    }

    /// Adds a sparse tally into a dense sum.
    pub fn add(sum: &mut [f64], tally: &[(u32, f64)]) {
        for &(p, v) in tally {
            sum[p as usize] += v;
        }
    }

    /// The statistics of a dense sum.
    pub fn read<'a>(&'a self, sum: &'a [f64]) -> Sums<'a> {
        Sums { layout: self, sum }
    }
}

/// Statistics read from a dense tally sum.
#[derive(Debug, Clone, Copy)]
pub struct Sums<'a> {
    layout: &'a TallyLayout,
    sum: &'a [f64],
}

/// Classification agreement on matched pairs at one level.
#[derive(Debug, Clone, PartialEq)]
pub struct Classification {
    pub pairs: u64,
    pub accuracy: Option<f64>,
    pub kappa: Option<CohenKappa>,
    pub gwet_ac1: Option<f64>,
    pub mcc: Option<f64>,
}

impl Sums<'_> {
    pub fn detection(&self) -> DetectionCounts {
        DetectionCounts {
            tp: self.sum[TP].round() as u64,
            fp: self.sum[FP].round() as u64,
            fn_: self.sum[FN].round() as u64,
        }
    }

    pub fn mean_iou(&self) -> Option<f64> {
        let tp = self.sum[TP];
        (tp > 0.0).then(|| self.sum[IOU_SUM] / tp)
    }

    pub fn mean_dice(&self) -> Option<f64> {
        let tp = self.sum[TP];
        (tp > 0.0).then(|| self.sum[DICE_SUM] / tp)
    }

    /// Panoptic quality: detection F1 times the mean IoU of the matched pairs.
    pub fn pq(&self) -> Option<f64> {
        panoptic_quality_of_sum(self.detection(), self.sum[IOU_SUM]).pq
    }

    /// The k x k table of classified pairs at `level`.
    pub fn table(&self, level: ClassLevel) -> Vec<Vec<f64>> {
        let slot = level.position();
        let k = self.layout.classes[slot];
        let base = self.layout.table_offset[slot];
        (0..k)
            .map(|a| self.sum[base + a * k..base + (a + 1) * k].to_vec())
            .collect()
    }

    pub fn classification(&self, level: ClassLevel) -> Classification {
        let table = self.table(level);
        let pairs: f64 = table.iter().flatten().sum();
        let agreeing: f64 = (0..table.len()).map(|i| table[i][i]).sum();
        Classification {
            pairs: pairs.round() as u64,
            accuracy: (pairs > 0.0).then(|| agreeing / pairs),
            kappa: cohen_kappa(&table, &KappaWeights::Unweighted),
            gwet_ac1: gwet_ac1_of_table(&table),
            mcc: matthews_correlation(&table),
        }
    }

    pub fn kappa(&self, level: ClassLevel) -> Option<f64> {
        cohen_kappa(&self.table(level), &KappaWeights::Unweighted).map(|k| k.kappa)
    }

    pub fn accuracy(&self, level: ClassLevel) -> Option<f64> {
        let table = self.table(level);
        let pairs: f64 = table.iter().flatten().sum();
        let agreeing: f64 = (0..table.len()).map(|i| table[i][i]).sum();
        (pairs > 0.0).then(|| agreeing / pairs)
    }

    /// One-vs-rest kappa of each class on the classified pairs.
    pub fn per_class_kappa(&self, level: ClassLevel) -> Vec<Option<f64>> {
        per_class_kappa(&self.table(level))
    }

    /// Joint-rule counts of class `class` at `level`.
    pub fn joint(&self, level: ClassLevel, class: usize) -> DetectionCounts {
        let base = self.layout.class_offset[level.position()] + class * PER_CLASS;
        DetectionCounts {
            tp: self.sum[base].round() as u64,
            fp: self.sum[base + 1].round() as u64,
            fn_: self.sum[base + 2].round() as u64,
        }
    }

    /// Unmatched nuclei of class `class` at `level` in A and in B.
    pub fn unmatched(&self, level: ClassLevel, class: usize) -> (u64, u64) {
        let base = self.layout.class_offset[level.position()] + class * PER_CLASS;
        (
            self.sum[base + 5].round() as u64,
            self.sum[base + 6].round() as u64,
        )
    }

    /// Nuclei of class `class` at `level` in A and in B.
    pub fn support(&self, level: ClassLevel, class: usize) -> (u64, u64) {
        let base = self.layout.class_offset[level.position()] + class * PER_CLASS;
        (
            self.sum[base + 3].round() as u64,
            self.sum[base + 4].round() as u64,
        )
    }
}
