//! Specific agreement on one category (Uebersax 1982; for two raters and two categories,
//! Cicchetti and Feinstein's positive agreement `2a / (2a + b + c)`): of the pairs of ratings
//! of one unit in which one rating is the category, the share in which the other is too,
//! `Σ n_j (n_j - 1) / Σ n_j (m - 1)` over units with `m >= 2` ratings, `n_j` of them the
//! category. Unlike a kappa it does not correct for chance, and it says how reproducible a
//! call of that class is.
//!
//! ```
//! use nucagree::stats::specific_agreement::specific_agreement;
//!
//! // Two raters: both say A on 40 units, one A and one B on 10, both B on 50.
//! let mut counts = vec![vec![2.0, 0.0]; 40];
//! counts.extend(vec![vec![1.0, 1.0]; 10]);
//! counts.extend(vec![vec![0.0, 2.0]; 50]);
//! // Positive agreement on A: 2 * 40 / (2 * 40 + 10) = 8/9.
//! assert!((specific_agreement(&counts, 0).unwrap() - 8.0 / 9.0).abs() < 1e-15);
//! ```

/// The specific agreement on category `j` of a units x categories counts table (units with
/// fewer than two ratings left out). `None` when no such unit has a rating of `j`.
pub fn specific_agreement(counts: &[Vec<f64>], j: usize) -> Option<f64> {
    let (mut agreeing, mut pairs) = (0.0, 0.0);
    for unit in counts {
        let m: f64 = unit.iter().sum();
        let x = unit.get(j).copied().unwrap_or(0.0);
        if m >= 2.0 && x > 0.0 {
            agreeing += x * (x - 1.0);
            pairs += x * (m - 1.0);
        }
    }
    (pairs > 0.0).then(|| agreeing / pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_raters_give_positive_and_negative_agreement() {
        // a = both positive, b and c one each, d both negative.
        let (a, b, c, d) = (12.0, 5.0, 3.0, 30.0);
        let mut counts = Vec::new();
        for (times, unit) in [(a, [2.0, 0.0]), (b + c, [1.0, 1.0]), (d, [0.0, 2.0])] {
            counts.extend(std::iter::repeat_n(unit.to_vec(), times as usize));
        }
        let positive = 2.0 * a / (2.0 * a + b + c);
        let negative = 2.0 * d / (2.0 * d + b + c);
        assert!((specific_agreement(&counts, 0).unwrap() - positive).abs() < 1e-15);
        assert!((specific_agreement(&counts, 1).unwrap() - negative).abs() < 1e-15);
        // Units rated once do not count; a category never chosen is undefined.
        counts.push(vec![1.0, 0.0, 0.0]);
        counts.iter_mut().for_each(|u| u.resize(3, 0.0));
        assert!((specific_agreement(&counts, 0).unwrap() - positive).abs() < 1e-15);
        assert_eq!(specific_agreement(&counts, 2), None);
    }

    #[test]
    fn three_raters_count_every_pair_within_a_unit() {
        // Unit 1: A, A, B; unit 2: A, A, A. Pairs from an A rating: 2*2 + 3*2 = 10, of which
        // A-A: 2*1 + 3*2 = 8.
        let counts = vec![vec![2.0, 1.0], vec![3.0, 0.0]];
        assert!((specific_agreement(&counts, 0).unwrap() - 0.8).abs() < 1e-15);
        assert_eq!(specific_agreement(&counts, 1), Some(0.0));
    }
}
