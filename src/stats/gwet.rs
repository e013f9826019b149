//! Gwet's AC1, which resists the prevalence paradox that rare nucleus classes (mitotic
//! figures, eosinophils) cause in kappa; for any number of raters and missing ratings, as
//! irrCAC's `gwet.ac1.raw`, counting the categories observed.
//!
//! ```
//! use nucagree::stats::gwet::gwet_ac1;
//!
//! // Two raters agree on 96 of 100 units, one class being rare: kappa is low, AC1 high.
//! let mut counts = vec![vec![2.0, 0.0]; 95];
//! counts.extend([vec![1.0, 1.0], vec![1.0, 1.0], vec![1.0, 1.0], vec![1.0, 1.0], vec![0.0, 2.0]]);
//! assert!(gwet_ac1(&counts).unwrap() > 0.9);
//! ```

use super::fleiss::{ragged_agreement, RaggedAgreement};

/// Gwet's AC1 of a units x categories counts table. `None` when no unit has two ratings,
/// fewer than two categories are observed, or chance agreement is 1.
pub fn gwet_ac1(counts: &[Vec<f64>]) -> Option<f64> {
    let RaggedAgreement { observed, shares } = ragged_agreement(counts)?;
    let observed_categories: Vec<usize> = (0..shares.len())
        .filter(|&j| counts.iter().any(|r| r[j] > 0.0))
        .collect();
    let q = observed_categories.len() as f64;
    if q < 2.0 {
        return None;
    }
    let expected = observed_categories
        .iter()
        .map(|&j| shares[j] * (1.0 - shares[j]))
        .sum::<f64>()
        / (q - 1.0);
    (1.0 - expected > f64::EPSILON).then(|| (observed - expected) / (1.0 - expected))
}
