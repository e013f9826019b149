//! Per-FOV tallies: every count the comparison's statistics need, laid out in one vector so
//! that FOVs add up, groups of FOVs add up, and the bootstrap resamples FOVs by adding their
//! tallies ([`crate::stats::bootstrap::tally_bootstrap`]).
//!
//! The layout: detection tp, fp, fn; the sums of matched IoUs and Dice coefficients; then per
//! class level the k x k table of classified pairs (A's class by row, B's by column), the
//! k x k table of all matched pairs, and per class the counts of
//! [`crate::stats::detection::class_counts`] and the number of nuclei in A and in B.

use super::outcome::{FovOutcome, PairShapes};
use super::roles::ClassRoles;
use crate::model::ClassLevel;
use crate::model::ShapeKind;
use crate::stats::bootstrap::compact_tally;
use crate::stats::cohen::{cohen_kappa, one_vs_rest_kappa, CohenKappa, KappaWeights};
use crate::stats::detection::{
    class_counts, dice_of_iou, matthews_correlation, panoptic_quality_of, panoptic_quality_of_sum,
    ClassCounts, DetectionCounts,
};
use crate::stats::gwet::gwet_ac1_of_table;

const TP: usize = 0;
const FP: usize = 1;
const FN: usize = 2;
const IOU_SUM: usize = 3;
const DICE_SUM: usize = 4;
/// True positives of two outlines, and their IoU and Dice sums.
const OUTLINE_TP: usize = 5;
const OUTLINE_IOU_SUM: usize = 6;
const OUTLINE_DICE_SUM: usize = 7;
/// Matched pairs by their shapes: two outlines, two boxes, mixed, with a point.
const PAIR_SHAPES: usize = 8;
/// The reference's nuclei by shape (polygon, box, point): matched, and all.
const REFERENCE_SHAPES: usize = 12;
const HEAD: usize = 18;

/// Which matched pairs the segmentation figures (mean IoU, mean Dice, SQ) are taken over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SegmentationPairs {
    /// Every true positive.
    #[default]
    All,
    /// True positives of two outlines only (IoU by shape: a box says nothing of an outline).
    Outlines,
}
/// Per class: tp, fp, fn, nuclei in A, nuclei in B, unmatched nuclei in A and in B, on an
/// ambiguous reference, called ambiguous, A matched to an ambiguous reference.
const PER_CLASS: usize = 10;

/// Where each count lives in a tally vector.
#[derive(Debug, Clone, PartialEq)]
pub struct TallyLayout {
    /// Classes per level (raw, main, super).
    pub classes: [usize; 3],
    /// Per level, which classes are ambiguous (detected, not judged for class).
    ambiguous: [Vec<bool>; 3],
    pub segmentation: SegmentationPairs,
    table_offset: [usize; 3],
    all_pairs_offset: [usize; 3],
    class_offset: [usize; 3],
    pub width: usize,
}

impl TallyLayout {
    pub fn new(roles: &ClassRoles, segmentation: SegmentationPairs) -> TallyLayout {
        let classes = ClassLevel::ALL.map(|l| roles.hierarchy.names(l).len());
        let ambiguous = ClassLevel::ALL.map(|level| {
            (0..classes[level.position()])
                .map(|c| !roles.is_classified(level, c))
                .collect()
        });
        let mut offset = HEAD;
        let mut table_offset = [0; 3];
        let mut all_pairs_offset = [0; 3];
        let mut class_offset = [0; 3];
        for slot in 0..3 {
            table_offset[slot] = offset;
            offset += classes[slot] * classes[slot];
            all_pairs_offset[slot] = offset;
            offset += classes[slot] * classes[slot];
            class_offset[slot] = offset;
            offset += classes[slot] * PER_CLASS;
        }
        TallyLayout {
            classes,
            ambiguous,
            segmentation,
            table_offset,
            all_pairs_offset,
            class_offset,
            width: offset,
        }
    }

    /// Whether class `class` of `level` is ambiguous (detected, not judged for class).
    pub fn is_ambiguous(&self, level: ClassLevel, class: usize) -> bool {
        self.ambiguous[level.position()][class]
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
        push(OUTLINE_TP, detection.outline_ious.len() as f64);
        push(OUTLINE_IOU_SUM, detection.outline_ious.iter().sum());
        push(
            OUTLINE_DICE_SUM,
            detection.outline_ious.iter().map(|&v| dice_of_iou(v)).sum(),
        );
        for p in &fov.pairs {
            let slot = PairShapes::ALL
                .iter()
                .position(|&s| s == p.shapes)
                .unwrap_or(0);
            push(PAIR_SHAPES + slot, 1.0);
        }
        let shape_slot =
            |kind: ShapeKind| ShapeKind::ALL.iter().position(|&k| k == kind).unwrap_or(0);
        for p in &fov.pairs {
            push(REFERENCE_SHAPES + 2 * shape_slot(p.shape_b), 1.0);
            push(REFERENCE_SHAPES + 2 * shape_slot(p.shape_b) + 1, 1.0);
        }
        for kind in &fov.unmatched_b_shapes {
            push(REFERENCE_SHAPES + 2 * shape_slot(*kind) + 1, 1.0);
        }
        for level in ClassLevel::ALL {
            let slot = level.position();
            let k = self.classes[slot];
            let classified = roles.classified(fov, level);
            for &(a, b) in &classified.pairs {
                push(self.table_offset[slot] + a * k + b, 1.0);
            }
            let index = |id| roles.hierarchy.index(id, level);
            let pairs: Vec<(usize, usize)> =
                fov.pairs.iter().map(|p| (index(p.a), index(p.b))).collect();
            let unmatched_a: Vec<usize> = fov.unmatched_a.iter().map(|n| index(n.class)).collect();
            let unmatched_b: Vec<usize> = fov.unmatched_b.iter().map(|&b| index(b)).collect();
            for &(a, b) in &pairs {
                push(self.all_pairs_offset[slot] + a * k + b, 1.0);
            }
            let counts = class_counts(&pairs, &unmatched_a, &unmatched_b, &self.ambiguous[slot]);
            let base = self.class_offset[slot];
            for (c, counts) in counts.iter().enumerate() {
                let at = base + c * PER_CLASS;
                for (offset, value) in [
                    (0, counts.tp),
                    (1, counts.fp),
                    (2, counts.fn_),
                    (7, counts.on_ambiguous_reference),
                    (8, counts.called_ambiguous),
                    (9, counts.a_matched_to_ambiguous),
                ] {
                    if value > 0 {
                        push(at + offset, value as f64);
                    }
                }
            }
            // Supports: every nucleus compared, whatever its role.
            for &(a, b) in &pairs {
                push(base + a * PER_CLASS + 3, 1.0);
                push(base + b * PER_CLASS + 4, 1.0);
            }
            for &a in &unmatched_a {
                push(base + a * PER_CLASS + 3, 1.0);
                push(base + a * PER_CLASS + 5, 1.0);
            }
            for &b in &unmatched_b {
                push(base + b * PER_CLASS + 4, 1.0);
                push(base + b * PER_CLASS + 6, 1.0);
            }
        }
        compact_tally(dense)
    }

    /// Whether `position` holds detection counts, IoU sums or a classification table (not
    /// per-class counts): what detection F1, mean IoU and kappa read.
    pub fn is_head_or_table(&self, position: u32) -> bool {
        let p = position as usize;
        p < HEAD
            || (0..3).any(|slot| p >= self.table_offset[slot] && p < self.all_pairs_offset[slot])
    }

    /// Whether `position` holds a class's number of nuclei, or of unmatched nuclei, in A or
    /// B, or the table of all pairs (which no bootstrapped statistic reads).
    pub fn is_support(&self, position: u32) -> bool {
        let p = position as usize;
        (0..3).any(|slot| {
            let start = self.class_offset[slot];
            let end = start + self.classes[slot] * PER_CLASS;
            let all_pairs = self.all_pairs_offset[slot];
            (all_pairs..start).contains(&p)
                || (p >= start && p < end && (3..7).contains(&((p - start) % PER_CLASS)))
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

    /// The true positives the segmentation figures are taken over, and their IoU and Dice
    /// sums.
    fn segmentation_sums(&self) -> (f64, f64, f64) {
        match self.layout.segmentation {
            SegmentationPairs::All => (self.sum[TP], self.sum[IOU_SUM], self.sum[DICE_SUM]),
            SegmentationPairs::Outlines => (
                self.sum[OUTLINE_TP],
                self.sum[OUTLINE_IOU_SUM],
                self.sum[OUTLINE_DICE_SUM],
            ),
        }
    }

    /// The true positives the segmentation figures are taken over.
    pub fn segmentation_pairs(&self) -> u64 {
        self.segmentation_sums().0.round() as u64
    }

    pub fn mean_iou(&self) -> Option<f64> {
        let (tp, iou, _) = self.segmentation_sums();
        (tp > 0.0).then(|| iou / tp)
    }

    pub fn mean_dice(&self) -> Option<f64> {
        let (tp, _, dice) = self.segmentation_sums();
        (tp > 0.0).then(|| dice / tp)
    }

    /// Panoptic quality: DQ (detection F1 over every pair) times SQ (the mean IoU of the
    /// pairs the segmentation figures are taken over).
    pub fn pq(&self) -> Option<f64> {
        match self.layout.segmentation {
            SegmentationPairs::All => {
                panoptic_quality_of_sum(self.detection(), self.sum[IOU_SUM]).pq
            }
            SegmentationPairs::Outlines => {
                // True positives but none of two outlines: nothing to measure SQ on.
                let detection = self.detection();
                if detection.tp > 0 && self.sum[OUTLINE_TP] < 0.5 {
                    return None;
                }
                panoptic_quality_of(detection.f1(), self.mean_iou()).pq
            }
        }
    }

    /// Matched pairs by their shapes, in the order of [`PairShapes::ALL`].
    pub fn pair_shapes(&self) -> [u64; 4] {
        std::array::from_fn(|i| self.sum[PAIR_SHAPES + i].round() as u64)
    }

    /// The reference's nuclei by shape, in the order of [`ShapeKind::ALL`]: (matched, all).
    pub fn reference_shapes(&self) -> [(u64, u64); 3] {
        std::array::from_fn(|i| {
            (
                self.sum[REFERENCE_SHAPES + 2 * i].round() as u64,
                self.sum[REFERENCE_SHAPES + 2 * i + 1].round() as u64,
            )
        })
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

    /// Gwet's AC1 on the classified pairs, as [`Sums::classification`] gives it.
    pub fn gwet_ac1(&self, level: ClassLevel) -> Option<f64> {
        gwet_ac1_of_table(&self.table(level))
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
        (0..self.layout.classes[level.position()])
            .map(|class| self.class_kappa(level, class))
            .collect()
    }

    /// One-vs-rest kappa of one class, read straight from the sums (the bootstrap asks for
    /// it a thousand times per class): the same bits as
    /// [`crate::stats::cohen::per_class_kappa`] of the table.
    pub fn class_kappa(&self, level: ClassLevel, class: usize) -> Option<f64> {
        let slot = level.position();
        let k = self.layout.classes[slot];
        if class >= k {
            return None;
        }
        let base = self.layout.table_offset[slot];
        let table = &self.sum[base..base + k * k];
        let n: f64 = table.iter().sum();
        let row: f64 = table[class * k..(class + 1) * k].iter().sum();
        let col: f64 = (0..k).map(|a| table[a * k + class]).sum();
        one_vs_rest_kappa(table[class * k + class], row, col, n)
    }

    /// The counts of class `class` at `level` ([`class_counts`]).
    pub fn class_counts(&self, level: ClassLevel, class: usize) -> ClassCounts {
        let base = self.layout.class_offset[level.position()] + class * PER_CLASS;
        let at = |offset: usize| self.sum[base + offset].round() as u64;
        ClassCounts {
            ambiguous: self.layout.is_ambiguous(level, class),
            tp: at(0),
            fp: at(1),
            fn_: at(2),
            on_ambiguous_reference: at(7),
            called_ambiguous: at(8),
            a_matched_to_ambiguous: at(9),
        }
    }

    /// The k x k table of all matched pairs at `level` (A's class by row), ambiguous classes
    /// included.
    pub fn all_pairs(&self, level: ClassLevel) -> Vec<Vec<u64>> {
        let slot = level.position();
        let k = self.layout.classes[slot];
        let base = self.layout.all_pairs_offset[slot];
        (0..k)
            .map(|a| {
                self.sum[base + a * k..base + (a + 1) * k]
                    .iter()
                    .map(|v| v.round() as u64)
                    .collect()
            })
            .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::comparison::roles::AmbiguousMode;
    use crate::model::ClassHierarchy;

    #[test]
    fn each_class_kappa_read_from_the_sums_is_the_kappa_of_its_table() {
        let roles = ClassRoles::new(
            std::sync::Arc::new(ClassHierarchy::nucls()),
            AmbiguousMode::default(),
        );
        let layout = TallyLayout::new(&roles, SegmentationPairs::All);
        let mut sum = vec![0.0; layout.width];
        // An uneven table at every level, some classes empty.
        for level in ClassLevel::ALL {
            let slot = level.position();
            let k = layout.classes[slot];
            for a in 0..k {
                for b in 0..k {
                    let cell = ((a * 7 + b * 3 + slot) % 11) as f64;
                    sum[layout.table_offset[slot] + a * k + b] =
                        if a == 2 || b == 2 { 0.0 } else { cell };
                }
            }
        }
        let sums = layout.read(&sum);
        let mut defined = 0;
        for level in ClassLevel::ALL {
            let expected = crate::stats::cohen::per_class_kappa(&sums.table(level));
            let got = sums.per_class_kappa(level);
            assert_eq!(got.len(), expected.len());
            for (g, e) in got.iter().zip(&expected) {
                assert_eq!(g.map(f64::to_bits), e.map(f64::to_bits), "{level}");
                defined += usize::from(g.is_some());
            }
            assert_eq!(got[2], None, "{level}: a class no pair has");
        }
        assert!(defined > 10);
    }
}
