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

/// The weights of Gwet's AC2 for an ordered scale, as irrCAC's `Weights` (of the categories'
/// values `x`, `x_min` and `x_max` the extremes observed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrdinalWeights {
    /// 1 on the diagonal, 0 elsewhere: AC2 is AC1.
    Identity,
    /// 1 − |x_k − x_l| / (x_max − x_min).
    Linear,
    /// 1 − ((x_k − x_l) / (x_max − x_min))².
    Quadratic,
}

crate::choices!(OrdinalWeights {
    Identity => "identity",
    Linear => "linear",
    Quadratic => "quadratic",
});

impl OrdinalWeights {
    /// The weight of categories of values `a` and `b` on a scale of `span` (x_max − x_min).
    fn weight(self, a: f64, b: f64, span: f64) -> f64 {
        match self {
            OrdinalWeights::Identity => f64::from(u8::from(a == b)),
            OrdinalWeights::Linear => 1.0 - (a - b).abs() / span,
            OrdinalWeights::Quadratic => 1.0 - ((a - b) / span).powi(2),
        }
    }
}

/// Gwet's AC2 of a units x categories counts table whose categories have the numeric `values`
/// (an ordered scale: grades, scores), as irrCAC's `gwet()` with `weights`: over the
/// categories observed, weighted agreement of each unit with two or more ratings,
/// `p_a = Σ_k r_ik (Σ_l w_kl r_il − 1) / (r_i (r_i − 1))` averaged, and chance agreement
/// `p_e = Σ_kl w_kl · Σ_k π_k (1 − π_k) / (q (q − 1))`. With identity weights it is
/// [`gwet_ac1`]. `None` as [`gwet_ac1`], or when `values` does not give each category a
/// finite value.
pub fn gwet_ac2(counts: &[Vec<f64>], values: &[f64], weights: OrdinalWeights) -> Option<f64> {
    let categories = counts.first()?.len();
    if values.len() != categories || values.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let observed: Vec<usize> = (0..categories)
        .filter(|&j| counts.iter().any(|r| r[j] > 0.0))
        .collect();
    let q = observed.len();
    if q < 2 {
        return None;
    }
    let (low, high) = observed
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &j| {
            (l.min(values[j]), h.max(values[j]))
        });
    let span = high - low;
    if span <= 0.0 {
        return None;
    }
    let w: Vec<Vec<f64>> = observed
        .iter()
        .map(|&k| {
            observed
                .iter()
                .map(|&l| weights.weight(values[k], values[l], span))
                .collect()
        })
        .collect();
    let rated: Vec<Vec<f64>> = counts
        .iter()
        .map(|r| observed.iter().map(|&j| r[j]).collect::<Vec<f64>>())
        .filter(|r| r.iter().sum::<f64>() >= 1.0)
        .collect();
    let pairs: Vec<&Vec<f64>> = rated
        .iter()
        .filter(|r| r.iter().sum::<f64>() >= 2.0)
        .collect();
    if pairs.is_empty() {
        return None;
    }
    let observed_agreement = pairs
        .iter()
        .map(|r| {
            let ri: f64 = r.iter().sum();
            let weighted: f64 = (0..q)
                .map(|k| r[k] * ((0..q).map(|l| w[k][l] * r[l]).sum::<f64>() - 1.0))
                .sum();
            weighted / (ri * (ri - 1.0))
        })
        .sum::<f64>()
        / pairs.len() as f64;
    let shares: Vec<f64> = (0..q)
        .map(|k| {
            rated
                .iter()
                .map(|r| r[k] / r.iter().sum::<f64>())
                .sum::<f64>()
                / rated.len() as f64
        })
        .collect();
    let weight_sum: f64 = w.iter().flatten().sum();
    let expected = weight_sum * shares.iter().map(|p| p * (1.0 - p)).sum::<f64>()
        / (q as f64 * (q as f64 - 1.0));
    (1.0 - expected > f64::EPSILON).then(|| (observed_agreement - expected) / (1.0 - expected))
}

/// Gwet's AC1 of two raters from their k x k table (rows one rater, columns the other):
/// the same value as [`gwet_ac1`] on one unit per rated pair, computed from the table alone.
pub fn gwet_ac1_of_table(table: &[Vec<f64>]) -> Option<f64> {
    let n: f64 = table.iter().flatten().sum();
    if n <= 0.0 {
        return None;
    }
    let k = table.len();
    let observed = (0..k).map(|j| table[j][j]).sum::<f64>() / n;
    let shares: Vec<f64> = (0..k)
        .map(|j| {
            (table[j].iter().sum::<f64>() + table.iter().map(|r| r[j]).sum::<f64>()) / (2.0 * n)
        })
        .collect();
    let observed_categories: Vec<f64> = shares.iter().copied().filter(|&s| s > 0.0).collect();
    let q = observed_categories.len() as f64;
    if q < 2.0 {
        return None;
    }
    let expected = observed_categories
        .iter()
        .map(|s| s * (1.0 - s))
        .sum::<f64>()
        / (q - 1.0);
    (1.0 - expected > f64::EPSILON).then(|| (observed - expected) / (1.0 - expected))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_form_equals_the_units_form() {
        let table = vec![
            vec![40.0, 3.0, 1.0, 0.0],
            vec![5.0, 22.0, 2.0, 0.0],
            vec![0.0, 4.0, 9.0, 0.0],
            vec![0.0, 0.0, 0.0, 0.0],
        ];
        let mut units = Vec::new();
        for (a, row) in table.iter().enumerate() {
            for (b, &count) in row.iter().enumerate() {
                for _ in 0..count as usize {
                    let mut unit = vec![0.0; 4];
                    unit[a] += 1.0;
                    unit[b] += 1.0;
                    units.push(unit);
                }
            }
        }
        let from_units = gwet_ac1(&units).unwrap();
        let from_table = gwet_ac1_of_table(&table).unwrap();
        assert!(
            (from_units - from_table).abs() < 1e-12,
            "{from_units} {from_table}"
        );
        assert_eq!(gwet_ac1_of_table(&[vec![3.0, 0.0], vec![0.0, 0.0]]), None);
    }
}
