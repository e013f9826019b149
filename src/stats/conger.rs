//! Conger's kappa (1980): Fleiss' observed agreement, with chance agreement the mean of the
//! raters' pairwise Cohen-type chance agreements, so that raters who use the categories in
//! different proportions lower chance agreement (Fleiss' pools their proportions); for any
//! number of raters and missing ratings, as irrCAC's `conger.kappa.raw` (identity weights).
//!
//! ```
//! use nucagree::stats::conger::conger_kappa;
//!
//! // Two raters, four units, two categories; rater 1 says A three times, rater 2 once.
//! let counts = vec![vec![2.0, 0.0], vec![1.0, 1.0], vec![1.0, 1.0], vec![0.0, 2.0]];
//! let by_rater = vec![vec![3.0, 1.0], vec![1.0, 3.0]];
//! // Observed 1/2; chance 3/4 * 1/4 + 1/4 * 3/4 = 3/8; kappa (1/2 - 3/8) / (5/8) = 1/5.
//! assert!((conger_kappa(&counts, &by_rater).unwrap() - 0.2).abs() < 1e-15);
//! ```

use super::fleiss::{ragged_agreement, RaggedAgreement};

/// Conger's kappa of a units x categories counts table and the raters x categories counts of
/// each rater's ratings (over the same units). `None` when no unit has two ratings, fewer
/// than two raters rated anything, or chance agreement is 1.
pub fn conger_kappa(counts: &[Vec<f64>], by_rater: &[Vec<f64>]) -> Option<f64> {
    let RaggedAgreement { observed, .. } = ragged_agreement(counts)?;
    let chance = conger_chance(by_rater)?;
    (1.0 - chance > f64::EPSILON).then(|| (observed - chance) / (1.0 - chance))
}

/// Conger's chance agreement from each rater's counts by category: with `p_ik` rater `i`'s
/// share of category `k`, `p̄_k` their mean over the `r` raters and `s²_k` their variance
/// (denominator `r - 1`), `Σ_k p̄_k² - s²_k / r`. Raters with no rating are left out. `None`
/// with fewer than two raters.
pub fn conger_chance(by_rater: &[Vec<f64>]) -> Option<f64> {
    let shares: Vec<Vec<f64>> = by_rater
        .iter()
        .filter_map(|counts| {
            let n: f64 = counts.iter().sum();
            (n > 0.0).then(|| counts.iter().map(|c| c / n).collect())
        })
        .collect();
    let r = shares.len();
    if r < 2 {
        return None;
    }
    let categories = shares[0].len();
    let raters = r as f64;
    let chance = (0..categories)
        .map(|k| {
            let mean = shares.iter().map(|p| p[k]).sum::<f64>() / raters;
            let squares = shares.iter().map(|p| p[k] * p[k]).sum::<f64>();
            let variance = (squares - raters * mean * mean) / (raters - 1.0);
            mean * mean - variance / raters
        })
        .sum();
    Some(chance)
}
