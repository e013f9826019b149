//! Intraclass correlation for absolute agreement, two-way random effects (Shrout and Fleiss
//! 1979; McGraw and Wong 1996): ICC(2,1) of single raters and ICC(2,k) of the mean of `k`
//! raters, from a targets x raters table with no missing cell, as pingouin's
//! `intraclass_corr` (`ICC2` and `ICC2k`) and R's `irr::icc(model = "twoway", type =
//! "agreement")` compute them. For counts (nuclei per FOV and class, rater against rater):
//! how well raters agree on how many there are.
//!
//! ```
//! use nucagree::stats::icc::absolute_agreement;
//!
//! // Three FOVs counted by two raters; the second counts one more in each.
//! let counts = vec![vec![10.0, 11.0], vec![20.0, 21.0], vec![30.0, 31.0]];
//! let icc = absolute_agreement(&counts).unwrap();
//! assert!(icc.single > 0.99 && icc.single < 1.0);
//! assert!(icc.average > icc.single);
//! ```

/// ICC(2,1) and ICC(2,k).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Icc {
    /// ICC(2,1): the agreement of one rater's values with another's.
    pub single: f64,
    /// ICC(2,k): the agreement of the mean of the `k` raters' values.
    pub average: f64,
}

/// The ICCs of a targets x raters table (every row as long, no missing value). `None` with
/// fewer than two targets or two raters, a ragged table, a value not finite, or a zero
/// denominator (every value the same).
pub fn absolute_agreement(table: &[Vec<f64>]) -> Option<Icc> {
    let n = table.len();
    let k = table.first()?.len();
    if n < 2
        || k < 2
        || table
            .iter()
            .any(|r| r.len() != k || r.iter().any(|v| !v.is_finite()))
    {
        return None;
    }
    let (nf, kf) = (n as f64, k as f64);
    let grand = table.iter().flatten().sum::<f64>() / (nf * kf);
    let row_means: Vec<f64> = table.iter().map(|r| r.iter().sum::<f64>() / kf).collect();
    let column_means: Vec<f64> = (0..k)
        .map(|j| table.iter().map(|r| r[j]).sum::<f64>() / nf)
        .collect();
    let ss_rows = kf * row_means.iter().map(|m| (m - grand).powi(2)).sum::<f64>();
    let ss_columns = nf
        * column_means
            .iter()
            .map(|m| (m - grand).powi(2))
            .sum::<f64>();
    // The residuals summed directly (not the total less the effects), never negative.
    let ss_error: f64 = table
        .iter()
        .zip(&row_means)
        .flat_map(|(row, r)| {
            row.iter()
                .zip(&column_means)
                .map(move |(v, c)| (v - r - c + grand).powi(2))
        })
        .sum();
    let ms_rows = ss_rows / (nf - 1.0);
    let ms_columns = ss_columns / (kf - 1.0);
    let ms_error = ss_error / ((nf - 1.0) * (kf - 1.0));
    let single_denominator = ms_rows + (kf - 1.0) * ms_error + kf * (ms_columns - ms_error) / nf;
    let average_denominator = ms_rows + (ms_columns - ms_error) / nf;
    if single_denominator.abs() <= f64::EPSILON || average_denominator.abs() <= f64::EPSILON {
        return None;
    }
    Some(Icc {
        single: (ms_rows - ms_error) / single_denominator,
        average: (ms_rows - ms_error) / average_denominator,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_tables_and_too_small_ones_are_undefined() {
        assert_eq!(absolute_agreement(&[vec![3.0, 3.0], vec![3.0, 3.0]]), None);
        assert_eq!(absolute_agreement(&[vec![1.0, 2.0]]), None);
        assert_eq!(absolute_agreement(&[vec![1.0, 2.0], vec![3.0]]), None);
        let perfect = absolute_agreement(&[vec![1.0, 1.0], vec![5.0, 5.0], vec![2.0, 2.0]]);
        assert_eq!(
            perfect,
            Some(Icc {
                single: 1.0,
                average: 1.0
            })
        );
    }
}
