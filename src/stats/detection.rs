//! Detection and classification scores from counts and confusion tables: precision, recall
//! and F1; per-class counts by the joint rule; HoVer-Net's F_d and F_c; panoptic quality;
//! Matthews correlation and balanced accuracy. Undefined values are `None`.
//!
//! ```
//! use nucagree::stats::detection::DetectionCounts;
//!
//! let counts = DetectionCounts { tp: 8, fp: 2, fn_: 4 };
//! assert_eq!(counts.precision(), Some(0.8));
//! assert_eq!(counts.f1(), Some(16.0 / 22.0));
//! assert_eq!(DetectionCounts::default().f1(), None);
//! ```

use serde::Serialize;

/// True positives, false positives (unmatched nuclei of the first set) and false negatives
/// (unmatched nuclei of the reference).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DetectionCounts {
    pub tp: u64,
    pub fp: u64,
    #[serde(rename = "fn")]
    pub fn_: u64,
}

fn ratio(numerator: f64, denominator: f64) -> Option<f64> {
    (denominator > 0.0).then(|| numerator / denominator)
}

impl DetectionCounts {
    /// `None` when tp + fp = 0.
    pub fn precision(&self) -> Option<f64> {
        ratio(self.tp as f64, (self.tp + self.fp) as f64)
    }

    /// `None` when tp + fn = 0.
    pub fn recall(&self) -> Option<f64> {
        ratio(self.tp as f64, (self.tp + self.fn_) as f64)
    }

    /// 2tp / (2tp + fp + fn); `None` only when that denominator is 0.
    pub fn f1(&self) -> Option<f64> {
        ratio(
            2.0 * self.tp as f64,
            (2 * self.tp + self.fp + self.fn_) as f64,
        )
    }

    pub fn add(&mut self, other: DetectionCounts) {
        self.tp += other.tp;
        self.fp += other.fp;
        self.fn_ += other.fn_;
    }
}

/// Per-class counts by the joint rule: a matched pair is a true positive for class c only
/// when both sides say c; otherwise it is a false positive for the first side's class and a
/// false negative for the reference's class. Unmatched nuclei count for their own class.
/// `pairs` are (class in A, class in B); classes are indices below `classes`.
pub fn joint_rule_counts(
    pairs: &[(usize, usize)],
    unmatched_a: &[usize],
    unmatched_b: &[usize],
    classes: usize,
) -> Vec<DetectionCounts> {
    let mut counts = vec![DetectionCounts::default(); classes];
    for &(a, b) in pairs {
        if a == b {
            counts[a].tp += 1;
        } else {
            counts[a].fp += 1;
            counts[b].fn_ += 1;
        }
    }
    for &a in unmatched_a {
        counts[a].fp += 1;
    }
    for &b in unmatched_b {
        counts[b].fn_ += 1;
    }
    counts
}

/// One class's counts when some classes are ambiguous (NuCLS's apoptotic bodies and
/// unlabeled nuclei: detected, but no class to judge). See [`class_counts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClassCounts {
    /// Whether the class is ambiguous.
    pub ambiguous: bool,
    /// A specific class: pairs where both sets say the class. An ambiguous class: matched
    /// reference nuclei of the class, whatever A says.
    pub tp: u64,
    /// A specific class: A's nuclei of the class unmatched, or matched to a reference nucleus
    /// of another specific class. An ambiguous class: A's unmatched nuclei of the class.
    pub fp: u64,
    /// Reference nuclei of the class unmatched, matched to another specific class, or (a
    /// specific class) called ambiguous by A.
    pub fn_: u64,
    /// A specific class: A's nuclei of the class matched to an ambiguous reference nucleus
    /// (not judged for class, so no false positive).
    pub on_ambiguous_reference: u64,
    /// An ambiguous class: A's nuclei of the class matched to a specific reference nucleus
    /// (each a false negative of that reference class).
    pub called_ambiguous: u64,
    /// An ambiguous class: A's nuclei of the class matched to an ambiguous reference nucleus.
    pub a_matched_to_ambiguous: u64,
}

impl ClassCounts {
    /// A specific class: tp / (tp + fp). An ambiguous class: the share of A's nuclei of the
    /// class that are matched.
    pub fn precision(&self) -> Option<f64> {
        if self.ambiguous {
            let matched = (self.called_ambiguous + self.a_matched_to_ambiguous) as f64;
            ratio(matched, matched + self.fp as f64)
        } else {
            ratio(self.tp as f64, (self.tp + self.fp) as f64)
        }
    }

    /// tp / (tp + fn): the share of the reference's nuclei of the class found (as the class,
    /// for a specific class).
    pub fn recall(&self) -> Option<f64> {
        ratio(self.tp as f64, (self.tp + self.fn_) as f64)
    }

    /// The harmonic mean of precision and recall (2 tp / (2 tp + fp + fn) for a specific
    /// class); `None` when either is undefined, 0 when both are 0.
    pub fn f1(&self) -> Option<f64> {
        if !self.ambiguous {
            return DetectionCounts {
                tp: self.tp,
                fp: self.fp,
                fn_: self.fn_,
            }
            .f1();
        }
        let (p, r) = (self.precision()?, self.recall()?);
        Some(if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        })
    }
}

/// Per-class counts of a matching when the classes marked `ambiguous` are detected but not
/// judged for class (with no class ambiguous, the joint rule of [`joint_rule_counts`]). Each
/// pair is (A's class, the reference's class):
/// - both specific: a TP of the class when they agree, else an FP of A's class and an FN of
///   the reference's;
/// - the reference specific, A ambiguous: an FN of the reference's class, and
///   `called_ambiguous` of A's;
/// - the reference ambiguous: a TP of the reference's class, and `on_ambiguous_reference`
///   (A specific) or `a_matched_to_ambiguous` (A ambiguous) of A's.
///
/// Unmatched nuclei are FPs (A) and FNs (the reference) of their class. Every row then
/// reconciles: tp + fn = the reference's nuclei of the class; a specific class's tp + fp +
/// on_ambiguous_reference and an ambiguous class's fp + called_ambiguous +
/// a_matched_to_ambiguous = A's nuclei of the class.
///
/// ```
/// use nucagree::stats::detection::class_counts;
///
/// // Classes: 0 tumor, 1 lymphocyte, 2 unlabeled (ambiguous).
/// let pairs = [(0, 0), (2, 0), (0, 2), (2, 2), (1, 0)];
/// let counts = class_counts(&pairs, &[2], &[1], &[false, false, true]);
/// let tumor = counts[0];
/// assert_eq!((tumor.tp, tumor.fp, tumor.fn_, tumor.on_ambiguous_reference), (1, 0, 2, 1));
/// let unlabeled = counts[2];
/// assert_eq!((unlabeled.tp, unlabeled.fp, unlabeled.fn_), (2, 1, 0));
/// assert_eq!((unlabeled.called_ambiguous, unlabeled.a_matched_to_ambiguous), (1, 1));
/// ```
pub fn class_counts(
    pairs: &[(usize, usize)],
    unmatched_a: &[usize],
    unmatched_b: &[usize],
    ambiguous: &[bool],
) -> Vec<ClassCounts> {
    let mut counts: Vec<ClassCounts> = ambiguous
        .iter()
        .map(|&ambiguous| ClassCounts {
            ambiguous,
            ..ClassCounts::default()
        })
        .collect();
    for &(a, b) in pairs {
        match (ambiguous[a], ambiguous[b]) {
            (false, false) if a == b => counts[a].tp += 1,
            (false, false) => {
                counts[a].fp += 1;
                counts[b].fn_ += 1;
            }
            (true, false) => {
                counts[b].fn_ += 1;
                counts[a].called_ambiguous += 1;
            }
            (false, true) => {
                counts[b].tp += 1;
                counts[a].on_ambiguous_reference += 1;
            }
            (true, true) => {
                counts[b].tp += 1;
                counts[a].a_matched_to_ambiguous += 1;
            }
        }
    }
    for &a in unmatched_a {
        counts[a].fp += 1;
    }
    for &b in unmatched_b {
        counts[b].fn_ += 1;
    }
    counts
}

/// Panoptic quality (Kirillov et al. 2019) of matched pairs at IoU > 0.5.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PanopticQuality {
    /// Detection quality: the F1 of the matching.
    pub dq: Option<f64>,
    /// Segmentation quality: mean IoU of the matched pairs.
    pub sq: Option<f64>,
    /// dq x sq.
    pub pq: Option<f64>,
}

pub fn panoptic_quality(matched_ious: &[f64], fp: u64, fn_: u64) -> PanopticQuality {
    let counts = DetectionCounts {
        tp: matched_ious.len() as u64,
        fp,
        fn_,
    };
    panoptic_quality_of_sum(counts, matched_ious.iter().sum())
}

/// Panoptic quality from detection counts and the sum of the matched pairs' IoUs (the form
/// tallies add up over FOVs). With no matched pair but some unmatched nucleus, PQ is 0 (as
/// HoVer-Net's `get_fast_pq`) while SQ is undefined.
pub fn panoptic_quality_of_sum(counts: DetectionCounts, iou_sum: f64) -> PanopticQuality {
    panoptic_quality_of(counts.f1(), ratio(iou_sum, counts.tp as f64))
}

/// Panoptic quality from DQ and SQ taken apart (SQ over fewer pairs than DQ, such as the
/// pairs of two outlines): PQ = DQ x SQ, 0 where DQ is defined and SQ is not.
pub fn panoptic_quality_of(dq: Option<f64>, sq: Option<f64>) -> PanopticQuality {
    PanopticQuality {
        dq,
        sq,
        pq: dq.map(|d| d * sq.unwrap_or(0.0)),
    }
}

/// The Dice coefficient of a pair with IoU `iou`: 2 IoU / (1 + IoU).
pub fn dice_of_iou(iou: f64) -> f64 {
    2.0 * iou / (1.0 + iou)
}

/// Matthews correlation of a k x k confusion table (rows A, columns B), the multiclass form
/// of Gorodkin (2004) as scikit-learn computes it; `None` when undefined.
pub fn matthews_correlation(table: &[Vec<f64>]) -> Option<f64> {
    let k = table.len();
    let n: f64 = table.iter().flatten().sum();
    let correct: f64 = (0..k).map(|i| table[i][i]).sum();
    let row: Vec<f64> = table.iter().map(|r| r.iter().sum()).collect();
    let col: Vec<f64> = (0..k).map(|j| table.iter().map(|r| r[j]).sum()).collect();
    let cov_ab = correct * n - row.iter().zip(&col).map(|(r, c)| r * c).sum::<f64>();
    let cov_aa = n * n - row.iter().map(|r| r * r).sum::<f64>();
    let cov_bb = n * n - col.iter().map(|c| c * c).sum::<f64>();
    let denominator = (cov_aa * cov_bb).sqrt();
    (denominator > 0.0).then(|| cov_ab / denominator)
}

/// Balanced accuracy: the mean, over the reference's classes (columns with nuclei), of the
/// share of each class's nuclei that A classed the same; `None` for an empty table.
pub fn balanced_accuracy(table: &[Vec<f64>]) -> Option<f64> {
    let k = table.len();
    let recalls: Vec<f64> = (0..k)
        .filter_map(|j| {
            let support: f64 = table.iter().map(|r| r[j]).sum();
            (support > 0.0).then(|| table[j][j] / support)
        })
        .collect();
    ratio(recalls.iter().sum(), recalls.len() as f64)
}

/// Detection: class-agnostic counts and rates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Detection {
    pub tp: u64,
    pub fp: u64,
    #[serde(rename = "fn")]
    pub fn_: u64,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub f1: Option<f64>,
}

impl Detection {
    pub fn of(counts: DetectionCounts) -> Detection {
        Detection {
            tp: counts.tp,
            fp: counts.fp,
            fn_: counts.fn_,
            precision: counts.precision(),
            recall: counts.recall(),
            f1: counts.f1(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joint_rule_by_hand() {
        // Pairs: (0,0), (0,1), (1,1); unmatched A: class 1; unmatched B: class 0.
        let pairs = [(0, 0), (0, 1), (1, 1)];
        let counts = joint_rule_counts(&pairs, &[1], &[0], 2);
        assert_eq!(
            counts[0],
            DetectionCounts {
                tp: 1,
                fp: 1,
                fn_: 1
            }
        );
        assert_eq!(
            counts[1],
            DetectionCounts {
                tp: 1,
                fp: 1,
                fn_: 1
            }
        );
    }

    #[test]
    fn mcc_and_balanced_accuracy_match_scikit_learn() {
        // sklearn: y_true = [0,0,1,1,2,2], y_pred = [0,1,1,1,2,0]:
        // matthews_corrcoef = 0.5222329678670935, balanced_accuracy_score = 0.6666666666666666.
        // Rows here are A (predictions), columns B (truth).
        let mut table = vec![vec![0.0; 3]; 3];
        for (t, p) in [(0, 0), (0, 1), (1, 1), (1, 1), (2, 2), (2, 0)] {
            table[p][t] += 1.0;
        }
        assert!((matthews_correlation(&table).unwrap() - 0.5222329678670935).abs() < 1e-12);
        assert!((balanced_accuracy(&table).unwrap() - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(matthews_correlation(&[vec![3.0]]), None);
    }

    #[test]
    fn panoptic_quality_by_hand() {
        let pq = panoptic_quality(&[0.8, 0.6], 1, 1);
        assert_eq!(pq.dq, Some(4.0 / 6.0));
        assert!((pq.sq.unwrap() - 0.7).abs() < 1e-12);
        assert!((pq.pq.unwrap() - 0.7 * 4.0 / 6.0).abs() < 1e-12);
        assert_eq!(panoptic_quality(&[], 0, 0).pq, None);
        assert!((dice_of_iou(1.0 / 3.0) - 0.5).abs() < 1e-15);
    }
}
