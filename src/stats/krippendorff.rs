//! Krippendorff's alpha at the nominal, ordinal, interval or ratio level, with any pattern of
//! missing ratings (units with fewer than two ratings are left out), through the coincidence
//! matrix. The level is always explicit (the common Python package defaults to interval).
//!
//! ```
//! use nucagree::stats::krippendorff::{krippendorff_alpha, Level};
//!
//! // Krippendorff (2011): two coders, ten units, binary: alpha = 0.095.
//! let a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0].map(|v| Some(v as f64)).to_vec();
//! let b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0].map(|v| Some(v as f64)).to_vec();
//! let alpha = krippendorff_alpha(&[a, b], Level::Nominal).unwrap();
//! assert!((alpha - 0.09523809523809534).abs() < 1e-12);
//! ```

use serde::Serialize;

/// The level of measurement, which sets the distance between values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Nominal,
    Ordinal,
    Interval,
    Ratio,
}

/// Alpha of ratings given as raters x units (`None`: not rated). `None` when fewer than two
/// distinct values are paired within units (expected disagreement 0).
pub fn krippendorff_alpha(ratings: &[Vec<Option<f64>>], level: Level) -> Option<f64> {
    let mut values: Vec<f64> = ratings
        .iter()
        .flatten()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    values.sort_by(f64::total_cmp);
    values.dedup();
    let v = values.len();
    let index = |x: f64| values.binary_search_by(|p| p.total_cmp(&x)).unwrap();
    let units = ratings.iter().map(Vec::len).max().unwrap_or(0);
    let mut coincidence = vec![0.0; v * v];
    for u in 0..units {
        let present: Vec<usize> = ratings
            .iter()
            .filter_map(|r| r.get(u).copied().flatten())
            .filter(|x| x.is_finite())
            .map(index)
            .collect();
        let m = present.len();
        if m < 2 {
            continue;
        }
        for (i, &c) in present.iter().enumerate() {
            for (j, &k) in present.iter().enumerate() {
                if i != j {
                    coincidence[c * v + k] += 1.0 / (m - 1) as f64;
                }
            }
        }
    }
    alpha_of_coincidences(&coincidence, &values, level)
}

/// Nominal alpha from a coincidence matrix (`width` x `width`, row by row): the form the
/// agreement tallies sum over FOVs.
pub fn nominal_alpha(coincidence: &[f64], width: usize) -> Option<f64> {
    let values: Vec<f64> = (0..width).map(|c| c as f64).collect();
    alpha_of_coincidences(coincidence, &values, Level::Nominal)
}

/// Alpha from a coincidence matrix over `values` (sorted, distinct): 1 - (n - 1) D_o / D_e.
fn alpha_of_coincidences(coincidence: &[f64], values: &[f64], level: Level) -> Option<f64> {
    let v = values.len();
    let marginals: Vec<f64> = (0..v)
        .map(|c| (0..v).map(|k| coincidence[c * v + k]).sum())
        .collect();
    let n: f64 = marginals.iter().sum();
    let distance = |c: usize, k: usize| -> f64 {
        match level {
            Level::Nominal => f64::from(u8::from(c != k)),
            Level::Ordinal => {
                let (lo, hi) = (c.min(k), c.max(k));
                let between: f64 = marginals[lo..=hi].iter().sum();
                (between - (marginals[c] + marginals[k]) / 2.0).powi(2)
            }
            Level::Interval => (values[c] - values[k]).powi(2),
            Level::Ratio => {
                let sum = values[c] + values[k];
                if sum == 0.0 {
                    0.0
                } else {
                    ((values[c] - values[k]) / sum).powi(2)
                }
            }
        }
    };
    let mut observed = 0.0;
    let mut expected = 0.0;
    for c in 0..v {
        for k in 0..v {
            let d = distance(c, k);
            observed += coincidence[c * v + k] * d;
            expected += marginals[c] * marginals[k] * d;
        }
    }
    if expected <= 0.0 || n <= 1.0 {
        return None;
    }
    Some(1.0 - (n - 1.0) * observed / expected)
}
