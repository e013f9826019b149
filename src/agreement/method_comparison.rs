//! The truth by every model of rater error, compared: at each level, how many anchors each
//! method calls a nucleus, whether its fit converged, and the share of anchors on which it
//! agrees with each other method and with the method the raters are scored against.

use super::inference::LevelTruth;
use super::study::Study;
use super::truth_method::TruthMethod;
use crate::model::ClassLevel;
use serde::Serialize;

/// One method's truth at one level, against the others.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MethodRow {
    pub level: ClassLevel,
    pub method: TruthMethod,
    /// Anchors with a truth (some panel rater annotated their FOV).
    pub anchors: usize,
    /// Anchors whose truth is a nucleus (not `undetected`).
    pub nuclei: usize,
    pub iterations: usize,
    pub converged: Option<bool>,
    /// The share of anchors on which this method and each method agree, in the order of
    /// the rows of the level (`None` without an anchor decided by both).
    pub agreement: Vec<Option<f64>>,
}

/// The share of anchors decided by both on which `a` and `b` decide alike.
pub fn agreement(a: &[Vec<Option<usize>>], b: &[Vec<Option<usize>>]) -> Option<f64> {
    let (mut both, mut same) = (0usize, 0usize);
    for (x, y) in a.iter().flatten().zip(b.iter().flatten()) {
        if let (Some(x), Some(y)) = (x, y) {
            both += 1;
            same += usize::from(x == y);
        }
    }
    (both > 0).then(|| same as f64 / both as f64)
}

/// The rows of every level, in level then method order.
pub fn compare_methods(study: &Study<'_>, truths: &[LevelTruth; 3]) -> Vec<MethodRow> {
    let mut rows = Vec::new();
    for (level, truth) in ClassLevel::ALL.iter().zip(truths) {
        let classes = study.hierarchy.names(*level).len();
        for one in &truth.by_method {
            let decided = one.decisions.iter().flatten().flatten();
            rows.push(MethodRow {
                level: *level,
                method: one.method,
                anchors: decided.clone().count(),
                nuclei: decided.filter(|&&c| c < classes).count(),
                iterations: one.iterations,
                converged: one.converged,
                agreement: truth
                    .by_method
                    .iter()
                    .map(|other| agreement(&one.decisions, &other.decisions))
                    .collect(),
            });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agreement_counts_anchors_both_decided() {
        let a = vec![vec![Some(0), Some(1), None], vec![Some(2)]];
        let b = vec![vec![Some(0), Some(2), Some(1)], vec![Some(2)]];
        assert_eq!(agreement(&a, &b), Some(2.0 / 3.0));
        assert_eq!(agreement(&[vec![None]], &[vec![Some(1)]]), None);
    }
}
