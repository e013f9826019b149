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
