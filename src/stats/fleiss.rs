//! Fleiss' kappa for many raters: overall and per category with the standard error under the
//! null of Fleiss, Nee and Landis (1979), Randolph's free-marginal kappa, and the generalised
//! form for units rated by unequal numbers of raters (as irrCAC's `fleiss.kappa.raw`).
//!
//! Input is a units x categories table of counts: how many raters put each unit in each
//! category.
//!
//! ```
//! use nucagree::stats::fleiss::fleiss_kappa;
//!
//! let counts = vec![vec![7.0, 1.0], vec![3.0, 5.0], vec![6.0, 2.0], vec![8.0, 0.0]];
//! let k = fleiss_kappa(&counts).unwrap();
//! assert!((k.kappa - 0.19047619047619038).abs() < 1e-12);
//! ```

use super::normal_two_sided_p;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FleissKappa {
    pub kappa: f64,
    /// Randolph's free-marginal kappa (chance agreement 1/k).
    pub randolph: f64,
    /// Standard error under H0: kappa = 0 (Fleiss, Nee and Landis 1979).
    pub se0: f64,
    pub z: Option<f64>,
    pub p_two_sided: Option<f64>,
    /// Kappa of each category (Fleiss 1971); `None` for a category no one used.
    pub per_category: Vec<Option<f64>>,
    pub units: usize,
    pub raters_per_unit: f64,
}

/// Fleiss' kappa of a table in which every unit has the same number (at least 2) of ratings.
/// `None` when the numbers differ (see [`fleiss_kappa_generalized`]), the table is empty, or
/// chance agreement is 1.
pub fn fleiss_kappa(counts: &[Vec<f64>]) -> Option<FleissKappa> {
    let units = counts.len();
    let categories = counts.first()?.len();
    let m: f64 = counts[0].iter().sum();
    if m < 2.0
        || counts
            .iter()
            .any(|row| row.len() != categories || (row.iter().sum::<f64>() - m).abs() > 1e-9)
    {
        return None;
    }
    let n = units as f64;
    let total = n * m;
    let p: Vec<f64> = (0..categories)
        .map(|j| counts.iter().map(|r| r[j]).sum::<f64>() / total)
        .collect();
    let p_mean = counts
        .iter()
        .map(|r| (r.iter().map(|x| x * x).sum::<f64>() - m) / (m * (m - 1.0)))
        .sum::<f64>()
        / n;
    let expected: f64 = p.iter().map(|x| x * x).sum();
    if 1.0 - expected <= f64::EPSILON {
        return None;
    }
    let kappa = (p_mean - expected) / (1.0 - expected);
    let k = categories as f64;
    let randolph = (p_mean - 1.0 / k) / (1.0 - 1.0 / k);
    let pq: Vec<f64> = p.iter().map(|x| x * (1.0 - x)).collect();
    let sum_pq: f64 = pq.iter().sum();
    let sum_pq_diff: f64 = p
        .iter()
        .zip(&pq)
        .map(|(pj, pqj)| pqj * ((1.0 - pj) - pj))
        .sum();
    let var0 = 2.0 / (n * m * (m - 1.0)) * (sum_pq * sum_pq - sum_pq_diff) / (sum_pq * sum_pq);
    let se0 = var0.max(0.0).sqrt();
    let z = (se0 > 0.0).then(|| kappa / se0);
    let per_category = (0..categories)
        .map(|j| {
            (pq[j] > 0.0).then(|| {
                let disagreement: f64 = counts.iter().map(|r| r[j] * (m - r[j])).sum();
                1.0 - disagreement / (n * m * (m - 1.0) * pq[j])
            })
        })
        .collect();
    Some(FleissKappa {
        kappa,
        randolph,
        se0,
        z,
        p_two_sided: z.map(normal_two_sided_p),
        per_category,
        units,
        raters_per_unit: m,
    })
}

/// Agreement and category shares of a counts table with unequal numbers of ratings per unit,
/// as irrCAC computes them: percent agreement over units with at least two ratings, and each
/// category's mean share over units with at least one.
pub(crate) struct RaggedAgreement {
    pub observed: f64,
    pub shares: Vec<f64>,
}

pub(crate) fn ragged_agreement(counts: &[Vec<f64>]) -> Option<RaggedAgreement> {
    let categories = counts.first()?.len();
    let rated: Vec<&Vec<f64>> = counts
        .iter()
        .filter(|r| r.iter().sum::<f64>() >= 1.0)
        .collect();
    let pairs: Vec<&&Vec<f64>> = rated
        .iter()
        .filter(|r| r.iter().sum::<f64>() >= 2.0)
        .collect();
    if pairs.is_empty() {
        return None;
    }
    let observed = pairs
        .iter()
        .map(|r| {
            let ri: f64 = r.iter().sum();
            r.iter().map(|x| x * (x - 1.0)).sum::<f64>() / (ri * (ri - 1.0))
        })
        .sum::<f64>()
        / pairs.len() as f64;
    let shares = (0..categories)
        .map(|j| {
            rated
                .iter()
                .map(|r| r[j] / r.iter().sum::<f64>())
                .sum::<f64>()
                / rated.len() as f64
        })
        .collect();
    Some(RaggedAgreement { observed, shares })
}

/// Fleiss' kappa generalised to units rated by unequal numbers of raters (irrCAC's
/// `fleiss.kappa.raw`): units with a single rating count in the category shares but not in
/// the agreement. `None` when no unit has two ratings or chance agreement is 1.
pub fn fleiss_kappa_generalized(counts: &[Vec<f64>]) -> Option<f64> {
    let RaggedAgreement { observed, shares } = ragged_agreement(counts)?;
    let expected: f64 = shares.iter().map(|x| x * x).sum();
    (1.0 - expected > f64::EPSILON).then(|| (observed - expected) / (1.0 - expected))
}

/// The units x categories counts of ratings given as raters x units (`None`: not rated), the
/// categories being the sorted distinct values.
pub fn counts_of_ratings<T: Ord + Clone>(ratings: &[Vec<Option<T>>]) -> Vec<Vec<f64>> {
    let mut categories: Vec<T> = ratings.iter().flatten().flatten().cloned().collect();
    categories.sort();
    categories.dedup();
    let units = ratings.iter().map(Vec::len).max().unwrap_or(0);
    let mut counts = vec![vec![0.0; categories.len()]; units];
    for rater in ratings {
        for (u, value) in rater.iter().enumerate() {
            if let Some(v) = value {
                counts[u][categories.binary_search(v).unwrap()] += 1.0;
            }
        }
    }
    counts
}
