//! Rank tests between groups (e.g. pathologist-pathologist kappas against non-pathologist
//! ones): Mann-Whitney U for two independent samples and the Wilcoxon signed-rank test for
//! paired ones. Exact p-values for small samples without ties; otherwise the normal
//! approximation with tie and continuity corrections, as scipy's `method="asymptotic"`.
//!
//! ```
//! use nucagree::stats::rank_tests::mann_whitney_u;
//!
//! // scipy.stats.mannwhitneyu([19, 22, 16, 29, 24], [20, 11, 17, 12]): U = 17, p = 0.1111.
//! let test = mann_whitney_u(&[19.0, 22.0, 16.0, 29.0, 24.0], &[20.0, 11.0, 17.0, 12.0]).unwrap();
//! assert_eq!(test.statistic, 17.0);
//! assert!((test.p_two_sided - 1.0 / 9.0).abs() < 1e-12);
//! ```

use super::normal_sf;
use serde::Serialize;

/// How the p-value was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PValueMethod {
    Exact,
    Asymptotic,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RankTest {
    /// U of the first sample (Mann-Whitney), or the sum of positive ranks (Wilcoxon).
    pub statistic: f64,
    pub p_two_sided: f64,
    pub method: PValueMethod,
}

/// Samples at most this large (each) and without ties get exact p-values.
pub const EXACT_LIMIT: usize = 50;

/// Midranks (1-based) of values, and the tie correction sum of (t³ - t).
fn midranks(values: &[f64]) -> (Vec<f64>, f64) {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut ties = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            ranks[k] = rank;
        }
        let t = (j - i + 1) as f64;
        ties += t * t * t - t;
        i = j + 1;
    }
    (ranks, ties)
}

/// Spearman's rank correlation of paired values (Pearson's on midranks, as
/// `scipy.stats.spearmanr`); `None` for fewer than two pairs, unequal lengths, or a constant
/// sample.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.len() < 2 {
        return None;
    }
    let ((rx, _), (ry, _)) = (midranks(x), midranks(y));
    let mean = (x.len() as f64 + 1.0) / 2.0;
    let (mut xy, mut xx, mut yy) = (0.0, 0.0, 0.0);
    for (a, b) in rx.iter().zip(&ry) {
        let (a, b) = (a - mean, b - mean);
        xy += a * b;
        xx += a * a;
        yy += b * b;
    }
    (xx > 0.0 && yy > 0.0).then(|| xy / (xx * yy).sqrt())
}

/// Mann-Whitney U test of two independent samples; `None` when either is empty or all
/// values are equal.
pub fn mann_whitney_u(x: &[f64], y: &[f64]) -> Option<RankTest> {
    let (n1, n2) = (x.len(), y.len());
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let all: Vec<f64> = x.iter().chain(y).copied().collect();
    let (ranks, ties) = midranks(&all);
    let r1: f64 = ranks[..n1].iter().sum();
    let u1 = r1 - (n1 * (n1 + 1)) as f64 / 2.0;
    let (f1, f2) = (n1 as f64, n2 as f64);
    if ties == 0.0 && n1 <= EXACT_LIMIT && n2 <= EXACT_LIMIT {
        // Counts of U over all arrangements, by the recursion on the largest value.
        let max_u = n1 * n2;
        let mut table = vec![vec![vec![0.0f64; max_u + 1]; n2 + 1]; n1 + 1];
        for a in 0..=n1 {
            for b in 0..=n2 {
                if a == 0 || b == 0 {
                    table[a][b][0] = 1.0;
                    continue;
                }
                for u in 0..=a * b {
                    let with_a_last = if u >= b { table[a - 1][b][u - b] } else { 0.0 };
                    table[a][b][u] = with_a_last + table[a][b - 1][u];
                }
            }
        }
        let counts = &table[n1][n2];
        let total: f64 = counts.iter().sum();
        let u = u1.round() as usize;
        let cdf: f64 = counts[..=u].iter().sum::<f64>() / total;
        let sf: f64 = counts[u..].iter().sum::<f64>() / total;
        return Some(RankTest {
            statistic: u1,
            p_two_sided: (2.0 * cdf.min(sf)).min(1.0),
            method: PValueMethod::Exact,
        });
    }
    let n = f1 + f2;
    let variance = f1 * f2 / 12.0 * ((n + 1.0) - ties / (n * (n - 1.0)));
    if variance <= 0.0 {
        return None;
    }
    let mean = f1 * f2 / 2.0;
    let u = u1.max(f1 * f2 - u1);
    let z = (u - mean - 0.5) / variance.sqrt();
    Some(RankTest {
        statistic: u1,
        p_two_sided: (2.0 * normal_sf(z)).min(1.0),
        method: PValueMethod::Asymptotic,
    })
}

/// The smallest two-sided p-value the exact Mann-Whitney test can give with samples of `n1`
/// and `n2` (no ties): the two most extreme arrangements of C(n1 + n2, n1), 2 / C(n1 + n2,
/// n1), at most 1. Below the significance level or not, before any data are seen: 1 rater
/// against 6 can never reach p < 0.05 (2 / 7 = 0.286).
pub fn smallest_mann_whitney_p(n1: usize, n2: usize) -> f64 {
    if n1 == 0 || n2 == 0 {
        return 1.0;
    }
    // C(n1 + n2, n1) as a product of ratios, exact for the sizes of rater groups.
    let k = n1.min(n2);
    let arrangements = (1..=k).fold(1.0f64, |c, i| c * (n1 + n2 - k + i) as f64 / i as f64);
    (2.0 / arrangements).min(1.0)
}

/// Wilcoxon signed-rank test of paired differences, zero differences dropped (scipy's
/// `zero_method="wilcox"`); `None` when no difference is left.
pub fn wilcoxon_signed_rank(differences: &[f64]) -> Option<RankTest> {
    let nonzero: Vec<f64> = differences.iter().copied().filter(|d| *d != 0.0).collect();
    let n = nonzero.len();
    if n == 0 {
        return None;
    }
    let magnitudes: Vec<f64> = nonzero.iter().map(|d| d.abs()).collect();
    let (ranks, ties) = midranks(&magnitudes);
    let positive: f64 = nonzero
        .iter()
        .zip(&ranks)
        .filter(|(d, _)| **d > 0.0)
        .map(|(_, r)| r)
        .sum();
    let total = (n * (n + 1)) as f64 / 2.0;
    if ties == 0.0 && n <= EXACT_LIMIT {
        // Counts of each rank sum over the 2^n sign patterns.
        let max = n * (n + 1) / 2;
        let mut counts = vec![0.0f64; max + 1];
        counts[0] = 1.0;
        for rank in 1..=n {
            for s in (rank..=max).rev() {
                counts[s] += counts[s - rank];
            }
        }
        let all: f64 = counts.iter().sum();
        let statistic = positive.min(total - positive).round() as usize;
        let cdf: f64 = counts[..=statistic].iter().sum::<f64>() / all;
        return Some(RankTest {
            statistic: positive,
            p_two_sided: (2.0 * cdf).min(1.0),
            method: PValueMethod::Exact,
        });
    }
    let nf = n as f64;
    let mean = nf * (nf + 1.0) / 4.0;
    let variance = nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0 - ties / 48.0;
    if variance <= 0.0 {
        return None;
    }
    let z = ((positive - mean).abs() - 0.5).max(0.0) / variance.sqrt();
    Some(RankTest {
        statistic: positive,
        p_two_sided: (2.0 * normal_sf(z)).min(1.0),
        method: PValueMethod::Asymptotic,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spearman_equals_scipy_with_ties() {
        // scipy 1.17.1: scipy.stats.spearmanr(x, y).statistic = 0.13471506281091267.
        let x = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0];
        let y = [2.0, 7.0, 1.0, 8.0, 2.0, 8.0, 1.0, 8.0, 2.0, 8.0];
        let rho = spearman(&x, &y).unwrap();
        assert!((rho - 0.13471506281091267).abs() < 1e-12, "{rho}");
        // A monotone relation is 1; a constant sample has none.
        assert_eq!(spearman(&[1.0, 2.0, 3.0], &[10.0, 20.0, 35.0]), Some(1.0));
        assert_eq!(spearman(&[1.0, 2.0, 3.0], &[4.0, 4.0, 4.0]), None);
        assert_eq!(spearman(&[1.0], &[2.0]), None);
    }

    #[test]
    fn the_smallest_attainable_p_is_two_over_the_arrangements() {
        assert!((smallest_mann_whitney_p(1, 6) - 2.0 / 7.0).abs() < 1e-15);
        assert!((smallest_mann_whitney_p(6, 2) - 2.0 / 28.0).abs() < 1e-15);
        assert_eq!(smallest_mann_whitney_p(1, 1), 1.0);
        assert!((smallest_mann_whitney_p(5, 5) - 2.0 / 252.0).abs() < 1e-15);
        // It is the exact test's p at the most extreme arrangement.
        let extreme = mann_whitney_u(&[1.0, 2.0], &[3.0, 4.0, 5.0, 6.0, 7.0, 8.0]).unwrap();
        assert!((extreme.p_two_sided - smallest_mann_whitney_p(2, 6)).abs() < 1e-15);
    }

    #[test]
    fn mann_whitney_asymptotic_as_scipy() {
        // scipy.stats.mannwhitneyu(males, females, method="asymptotic") from scipy's docs:
        // statistic 17.0, pvalue 0.11134688653314041.
        let x = [19.0, 22.0, 16.0, 29.0, 24.0];
        let y = [20.0, 11.0, 17.0, 12.0];
        let all: Vec<f64> = x.iter().chain(&y).copied().collect();
        let (ranks, _) = midranks(&all);
        let u1 = ranks[..5].iter().sum::<f64>() - 15.0;
        let variance = 20.0 / 12.0 * 10.0;
        let z = (u1.max(20.0 - u1) - 10.0 - 0.5) / f64::sqrt(variance);
        assert!(
            (2.0 * normal_sf(z) - 0.11134688653314041).abs() < 1e-12,
            "{}",
            2.0 * normal_sf(z)
        );
        // With a tie the exact path is left for the asymptotic one.
        let tied = mann_whitney_u(&[1.0, 2.0, 2.0], &[2.0, 3.0, 4.0]).unwrap();
        assert_eq!(tied.method, PValueMethod::Asymptotic);
        assert_eq!(tied.statistic, 1.0);
    }

    #[test]
    fn wilcoxon_exact_as_scipy() {
        // scipy.stats.wilcoxon(d) from scipy's docs: statistic 24.0, pvalue 0.041259765625.
        let d = [
            6.0, 8.0, 14.0, 16.0, 23.0, 24.0, 28.0, 29.0, 41.0, -48.0, 49.0, 56.0, 60.0, -67.0,
            75.0,
        ];
        let test = wilcoxon_signed_rank(&d).unwrap();
        assert_eq!(test.method, PValueMethod::Exact);
        assert_eq!(120.0 - test.statistic, 24.0, "the negative rank sum");
        assert!((test.p_two_sided - 0.041259765625).abs() < 1e-12);
        assert_eq!(wilcoxon_signed_rank(&[0.0, 0.0]), None);
    }
}
