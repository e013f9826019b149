//! Cohen's kappa for two raters, unweighted or weighted, with the asymptotic standard error,
//! the standard error under the null, z, p, a 95% normal interval and the maximum attainable
//! kappa, in the conventions of statsmodels' `cohens_kappa` (weights by category index, as
//! scikit-learn's `cohen_kappa_score`).
//!
//! ```
//! use nucagree::stats::cohen::{cohen_kappa, KappaWeights};
//!
//! // Artstein & Poesio (2008), table 1.
//! let k = cohen_kappa(&[vec![20.0, 20.0], vec![10.0, 50.0]], &KappaWeights::Unweighted).unwrap();
//! assert!((k.kappa - 0.3478260869565216).abs() < 1e-12);
//! ```

use super::normal_two_sided_p;
use serde::Serialize;

/// Disagreement weights of weighted kappa.
#[derive(Debug, Clone, PartialEq)]
pub enum KappaWeights {
    Unweighted,
    /// |i - j| / (k - 1) by category index.
    Linear,
    /// (i - j)² / (k - 1)² by category index.
    Quadratic,
    /// A k x k disagreement matrix (0 on the diagonal for full agreement), row-major.
    Matrix(Vec<f64>),
}

/// The 0.975 quantile of the standard normal (1.959964 to six decimals), as statsmodels
/// computes it (`norm.isf(0.025)`).
pub const Z_95: f64 = 1.959_963_984_540_054;

/// Cohen's kappa and its inference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CohenKappa {
    pub kappa: f64,
    pub n: f64,
    pub observed_agreement: f64,
    pub chance_agreement: f64,
    /// Asymptotic standard error (statsmodels' `std_kappa`).
    pub se: f64,
    /// Standard error under H0: kappa = 0 (statsmodels' `std_kappa0`).
    pub se0: f64,
    /// kappa / se0; `None` when se0 is 0.
    pub z: Option<f64>,
    pub p_two_sided: Option<f64>,
    /// kappa ± z(0.975) se, z(0.975) = 1.959964.
    pub ci95: [f64; 2],
    /// The largest kappa the margins allow (unweighted only).
    pub max_kappa: Option<f64>,
}

/// Cohen's kappa of a k x k table (rows rater A, columns rater B). `None` when the table is
/// empty, not square, or chance agreement is 1 (kappa undefined).
#[allow(clippy::needless_range_loop)] // matrix formulas read best with indices
pub fn cohen_kappa(table: &[Vec<f64>], weights: &KappaWeights) -> Option<CohenKappa> {
    let k = table.len();
    if k == 0 || table.iter().any(|row| row.len() != k) {
        return None;
    }
    let n: f64 = table.iter().flatten().sum();
    if n <= 0.0 {
        return None;
    }
    let p = |i: usize, j: usize| table[i][j] / n;
    let row: Vec<f64> = (0..k).map(|i| (0..k).map(|j| p(i, j)).sum()).collect();
    let col: Vec<f64> = (0..k).map(|j| (0..k).map(|i| p(i, j)).sum()).collect();
    let observed: f64 = (0..k).map(|i| p(i, i)).sum();
    let expected: f64 = (0..k).map(|i| row[i] * col[i]).sum();
    let max_kappa_of = |expected: f64| {
        let most: f64 = (0..k).map(|i| row[i].min(col[i])).sum();
        (most - expected) / (1.0 - expected)
    };
    let (kappa, chance, var, var0, max_kappa) = match weights {
        KappaWeights::Unweighted => {
            if 1.0 - expected <= f64::EPSILON {
                return None;
            }
            let kappa = (observed - expected) / (1.0 - expected);
            let term_a: f64 = (0..k)
                .map(|i| p(i, i) * (1.0 - (row[i] + col[i]) * (1.0 - kappa)).powi(2))
                .sum();
            let mut term_b = 0.0;
            for i in 0..k {
                for j in 0..k {
                    if i != j {
                        term_b += p(i, j) * (col[i] + row[j]).powi(2);
                    }
                }
            }
            let term_b = (1.0 - kappa).powi(2) * term_b;
            let term_c = (kappa - expected * (1.0 - kappa)).powi(2);
            let var = (term_a + term_b - term_c) / (1.0 - expected).powi(2) / n;
            let term_c0: f64 = (0..k).map(|i| col[i] * row[i] * (col[i] + row[i])).sum();
            let var0 = (expected + expected * expected - term_c0) / ((1.0 - expected).powi(2) * n);
            (kappa, expected, var, var0, Some(max_kappa_of(expected)))
        }
        weighted => {
            let disagreement = disagreement_matrix(weighted, k)?;
            let w = |i: usize, j: usize| 1.0 - disagreement[i * k + j];
            let mut observed_w = 0.0;
            let mut expected_w = 0.0;
            for i in 0..k {
                for j in 0..k {
                    observed_w += disagreement[i * k + j] * p(i, j);
                    expected_w += disagreement[i * k + j] * row[i] * col[j];
                }
            }
            if expected_w <= f64::EPSILON {
                return None;
            }
            let kappa = 1.0 - observed_w / expected_w;
            let w_row: Vec<f64> = (0..k)
                .map(|i| (0..k).map(|j| col[j] * w(i, j)).sum())
                .collect();
            let w_col: Vec<f64> = (0..k)
                .map(|j| (0..k).map(|i| row[i] * w(i, j)).sum())
                .collect();
            let agree_wexp: f64 = (0..k)
                .flat_map(|i| (0..k).map(move |j| (i, j)))
                .map(|(i, j)| w(i, j) * col[j] * row[i])
                .sum();
            let fac = 1.0 / ((1.0 - agree_wexp).powi(2) * n);
            let mut term_a = 0.0;
            let mut var0 = 0.0;
            for i in 0..k {
                for j in 0..k {
                    term_a += p(i, j) * (w(i, j) - (w_col[j] + w_row[i]) * (1.0 - kappa)).powi(2);
                    var0 += col[j] * row[i] * (w(i, j) - (w_col[j] + w_row[i])).powi(2);
                }
            }
            let var = (term_a - (kappa - agree_wexp * (1.0 - kappa)).powi(2)) * fac;
            let var0 = (var0 - agree_wexp * agree_wexp) * fac;
            (kappa, agree_wexp, var, var0, None)
        }
    };
    let se = var.max(0.0).sqrt();
    let se0 = var0.max(0.0).sqrt();
    let z = (se0 > 0.0).then(|| kappa / se0);
    Some(CohenKappa {
        kappa,
        n,
        observed_agreement: observed,
        chance_agreement: chance,
        se,
        se0,
        z,
        p_two_sided: z.map(normal_two_sided_p),
        ci95: [kappa - Z_95 * se, kappa + Z_95 * se],
        max_kappa,
    })
}

fn disagreement_matrix(weights: &KappaWeights, k: usize) -> Option<Vec<f64>> {
    let scale = (k.max(2) - 1) as f64;
    Some(match weights {
        KappaWeights::Unweighted => (0..k * k)
            .map(|x| if x / k == x % k { 0.0 } else { 1.0 })
            .collect(),
        KappaWeights::Linear => (0..k * k)
            .map(|x| (x / k).abs_diff(x % k) as f64 / scale)
            .collect(),
        KappaWeights::Quadratic => (0..k * k)
            .map(|x| ((x / k).abs_diff(x % k) as f64 / scale).powi(2))
            .collect(),
        KappaWeights::Matrix(m) => {
            if m.len() != k * k {
                return None;
            }
            m.clone()
        }
    })
}

/// The k x k table of paired labels (categories 0..k), for [`cohen_kappa`].
pub fn table_of_pairs(a: &[usize], b: &[usize], k: usize) -> Vec<Vec<f64>> {
    let mut table = vec![vec![0.0; k]; k];
    for (&x, &y) in a.iter().zip(b) {
        table[x][y] += 1.0;
    }
    table
}

/// Cohen's kappa of paired labels, the categories being the sorted union of the labels seen
/// (as scikit-learn's `cohen_kappa_score`). `None` when the lengths differ or kappa is
/// undefined.
pub fn cohen_kappa_of_labels<T: Ord + Clone>(
    a: &[T],
    b: &[T],
    weights: &KappaWeights,
) -> Option<CohenKappa> {
    if a.len() != b.len() || a.is_empty() {
        return None;
    }
    let mut categories: Vec<T> = a.iter().chain(b).cloned().collect();
    categories.sort();
    categories.dedup();
    let index = |x: &T| categories.binary_search(x).unwrap();
    let ia: Vec<usize> = a.iter().map(index).collect();
    let ib: Vec<usize> = b.iter().map(index).collect();
    cohen_kappa(&table_of_pairs(&ia, &ib, categories.len()), weights)
}

/// Kappa of each category against the rest (a 2 x 2 table per category); `None` where
/// undefined.
pub fn per_class_kappa(table: &[Vec<f64>]) -> Vec<Option<f64>> {
    let k = table.len();
    let n: f64 = table.iter().flatten().sum();
    (0..k)
        .map(|c| {
            let row: f64 = table[c].iter().sum();
            let col: f64 = table.iter().map(|r| r[c]).sum();
            one_vs_rest_kappa(table[c][c], row, col, n)
        })
        .collect()
}

/// Kappa of one category against the rest, from its diagonal cell `both`, its row and column
/// totals and the table's total: the unweighted kappa of the 2 x 2 table
/// `[[both, row - both], [col - both, n - row - col + both]]`, computed as [`cohen_kappa`]
/// computes it (the same operations in the same order, so the same bits) without allocating.
///
/// ```
/// use nucagree::stats::cohen::{cohen_kappa, one_vs_rest_kappa, KappaWeights};
///
/// let table = vec![vec![20.0, 5.0], vec![10.0, 15.0]];
/// let full = cohen_kappa(&table, &KappaWeights::Unweighted).unwrap().kappa;
/// assert_eq!(one_vs_rest_kappa(20.0, 25.0, 30.0, 50.0), Some(full));
/// ```
pub fn one_vs_rest_kappa(both: f64, row: f64, col: f64, n: f64) -> Option<f64> {
    let cells = [[both, row - both], [col - both, n - row - col + both]];
    let total = cells[0][0] + cells[0][1] + cells[1][0] + cells[1][1];
    if total <= 0.0 {
        return None;
    }
    let p = |i: usize, j: usize| cells[i][j] / total;
    let rows = [p(0, 0) + p(0, 1), p(1, 0) + p(1, 1)];
    let cols = [p(0, 0) + p(1, 0), p(0, 1) + p(1, 1)];
    let observed = p(0, 0) + p(1, 1);
    let expected = rows[0] * cols[0] + rows[1] * cols[1];
    if 1.0 - expected <= f64::EPSILON {
        return None;
    }
    Some((observed - expected) / (1.0 - expected))
}
