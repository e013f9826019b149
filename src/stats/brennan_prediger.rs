//! Brennan and Prediger's coefficient (1981): agreement corrected for the chance agreement of
//! raters choosing among `q` categories uniformly, `1/q`; for any number of raters and missing
//! ratings, as irrCAC's `bp.coeff.raw` (identity weights, `q` the categories observed). With
//! every unit rated by all raters and every category observed it is Randolph's free-marginal
//! kappa.
//!
//! ```
//! use nucagree::stats::brennan_prediger::brennan_prediger;
//!
//! // Three units rated by two raters, into two categories: they agree on two.
//! let counts = vec![vec![2.0, 0.0], vec![0.0, 2.0], vec![1.0, 1.0]];
//! // Observed agreement 2/3, chance 1/2: (2/3 - 1/2) / (1 - 1/2) = 1/3.
//! assert!((brennan_prediger(&counts).unwrap() - 1.0 / 3.0).abs() < 1e-15);
//! ```

use super::fleiss::{ragged_agreement, RaggedAgreement};

/// The coefficient of a units x categories counts table (units with a single rating count in
/// the categories observed, not in the agreement). `None` when no unit has two ratings or
/// fewer than two categories are observed.
pub fn brennan_prediger(counts: &[Vec<f64>]) -> Option<f64> {
    let RaggedAgreement { observed, shares } = ragged_agreement(counts)?;
    let q = (0..shares.len())
        .filter(|&j| counts.iter().any(|r| r[j] > 0.0))
        .count();
    brennan_prediger_of(observed, q)
}

/// The coefficient from the observed agreement and the number of categories `q`.
pub fn brennan_prediger_of(observed: f64, q: usize) -> Option<f64> {
    if q < 2 {
        return None;
    }
    let chance = 1.0 / q as f64;
    Some((observed - chance) / (1.0 - chance))
}
