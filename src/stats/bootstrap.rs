//! Confidence intervals by a cluster bootstrap over FOVs: nuclei within a FOV are not
//! independent, so whole FOVs are resampled with replacement. Percentile and BCa intervals,
//! seeded, with replicates computed in parallel and identical whatever the thread count;
//! usable with any statistic of a set of clusters.
//!
//! ```
//! use nucagree::stats::bootstrap::{cluster_bootstrap, BootstrapOptions};
//!
//! // The mean of per-FOV values.
//! let fovs: Vec<f64> = (0..40).map(|i| (i % 7) as f64).collect();
//! let mean = |sample: &[&f64]| Some(sample.iter().copied().sum::<f64>() / sample.len() as f64);
//! let result = cluster_bootstrap(&fovs, mean, &BootstrapOptions::default()).unwrap();
//! let [low, high] = result.ci.unwrap();
//! assert!(low < result.estimate && result.estimate < high);
//! ```

use crate::random::Stream;
use rayon::prelude::*;
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

/// Which interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntervalMethod {
    Percentile,
    /// Bias-corrected and accelerated (Efron 1987), the acceleration from a
    /// leave-one-cluster-out jackknife.
    Bca,
}

crate::choices!(IntervalMethod {
    Bca => "bca",
    Percentile => "percentile",
});

/// The most bootstrap replicates a caller may ask for (each costs a pass over the units).
pub const MAX_REPLICATES: usize = 100_000;

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct BootstrapOptions {
    pub replicates: usize,
    pub seed: u64,
    pub method: IntervalMethod,
    /// Coverage, e.g. 0.95.
    pub level: f64,
}

impl Default for BootstrapOptions {
    fn default() -> BootstrapOptions {
        BootstrapOptions {
            replicates: 1000,
            seed: 2022,
            method: IntervalMethod::Bca,
            level: 0.95,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BootstrapResult {
    /// The statistic on the full sample.
    pub estimate: f64,
    /// Standard deviation of the replicates.
    pub se: f64,
    /// `None` when too few replicates were defined.
    pub ci: Option<[f64; 2]>,
    pub method: IntervalMethod,
    /// Replicates whose statistic was defined.
    pub replicates: usize,
}

/// Resamples `clusters` with replacement `options.replicates` times and computes `statistic`
/// on each resample. `None` when the statistic is undefined on the full sample.
pub fn cluster_bootstrap<C: Sync>(
    clusters: &[C],
    statistic: impl Fn(&[&C]) -> Option<f64> + Sync,
    options: &BootstrapOptions,
) -> Option<BootstrapResult> {
    let all: Vec<&C> = clusters.iter().collect();
    let estimate = statistic(&all)?;
    let n = clusters.len();
    let replicates: Vec<f64> = (0..options.replicates)
        .into_par_iter()
        .filter_map(|b| {
            let mut stream = Stream::new(options.seed, "bootstrap", b as u64);
            let sample: Vec<&C> = (0..n).map(|_| &clusters[stream.below(n)]).collect();
            statistic(&sample).filter(|v| v.is_finite())
        })
        .collect();
    Some(result_of(estimate, replicates, options, || {
        (0..n)
            .into_par_iter()
            .filter_map(|leave| {
                let sample: Vec<&C> = clusters
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != leave)
                    .map(|(_, c)| c)
                    .collect();
                statistic(&sample)
            })
            .collect()
    }))
}

/// Standard error and interval from the replicates; `jackknife` gives the
/// leave-one-cluster-out values BCa needs (called only for BCa).
fn result_of(
    estimate: f64,
    mut replicates: Vec<f64>,
    options: &BootstrapOptions,
    jackknife: impl FnOnce() -> Vec<f64>,
) -> BootstrapResult {
    let count = replicates.len();
    let mean = replicates.iter().sum::<f64>() / count.max(1) as f64;
    let se = (replicates.iter().map(|v| (v - mean).powi(2)).sum::<f64>()
        / (count.max(2) - 1) as f64)
        .sqrt();
    replicates.sort_by(f64::total_cmp);
    let alpha = (1.0 - options.level) / 2.0;
    let ci = if count < 10 {
        None
    } else {
        match options.method {
            IntervalMethod::Percentile => Some([
                quantile(&replicates, alpha),
                quantile(&replicates, 1.0 - alpha),
            ]),
            IntervalMethod::Bca => bca(&jackknife(), estimate, &replicates, alpha),
        }
    };
    BootstrapResult {
        estimate,
        se,
        ci,
        method: options.method,
        replicates: count,
    }
}

/// A sparse tally from `(position, value)` entries in any order: sorted by position,
/// repeated positions added up, zeros left out.
pub fn compact_tally(entries: Vec<(u32, f64)>) -> Vec<(u32, f64)> {
    let span = entries
        .iter()
        .map(|&(p, _)| p as usize + 1)
        .max()
        .unwrap_or(0);
    if span <= 8 * entries.len() + 1024 {
        // Dense enough to add up in place: each position's values are added in the order
        // given, as the stable sort below would add them (0 + v is v), so the same bits.
        let mut dense = vec![0.0; span];
        for &(p, v) in &entries {
            dense[p as usize] += v;
        }
        return dense
            .into_iter()
            .enumerate()
            .filter(|&(_, v)| v != 0.0)
            .map(|(p, v)| (p as u32, v))
            .collect();
    }
    compact_by_sorting(entries)
}

/// [`compact_tally`] by a stable sort on positions, for sparse entries.
fn compact_by_sorting(mut entries: Vec<(u32, f64)>) -> Vec<(u32, f64)> {
    entries.sort_by_key(|&(p, _)| p);
    let mut merged: Vec<(u32, f64)> = Vec::with_capacity(entries.len());
    for (p, v) in entries {
        match merged.last_mut() {
            Some(last) if last.0 == p => last.1 += v,
            _ => merged.push((p, v)),
        }
    }
    merged.retain(|&(_, v)| v != 0.0);
    merged
}

/// A statistic of the summed tallies of the resampled clusters.
pub type TallyStatistic<'a> = &'a (dyn Fn(&[f64]) -> Option<f64> + Sync);

/// The cluster bootstrap of many statistics at once, for statistics that depend on the
/// clusters only through the sum of per-cluster tallies (counts, confusion tables, sums of
/// IoUs): each cluster is a sparse tally `(position, value)` in a vector of length `width`.
/// One resample serves every statistic, and the jackknife of BCa is the total minus one
/// cluster, so the cost is linear in the clusters. Replicate `b` draws the same clusters as
/// [`cluster_bootstrap`]'s replicate `b`.
pub fn tally_bootstrap(
    tallies: &[Vec<(u32, f64)>],
    width: usize,
    statistics: &[TallyStatistic<'_>],
    options: &BootstrapOptions,
) -> Vec<Option<BootstrapResult>> {
    let n = tallies.len();
    let add = |sum: &mut [f64], tally: &[(u32, f64)], sign: f64| {
        for &(position, value) in tally {
            sum[position as usize] += sign * value;
        }
    };
    let mut total = vec![0.0; width];
    for tally in tallies {
        add(&mut total, tally, 1.0);
    }
    let estimates: Vec<Option<f64>> = statistics.iter().map(|s| s(&total)).collect();
    if n == 0 {
        return vec![None; statistics.len()];
    }
    let replicates: Vec<Vec<Option<f64>>> = (0..options.replicates)
        .into_par_iter()
        .map_init(
            || (vec![0.0; width], vec![0u32; n]),
            |(sum, draws), b| {
                sum.iter_mut().for_each(|v| *v = 0.0);
                draws.iter_mut().for_each(|d| *d = 0);
                let mut stream = Stream::new(options.seed, "bootstrap", b as u64);
                for _ in 0..n {
                    draws[stream.below(n)] += 1;
                }
                // Each drawn cluster once, weighted by how often it was drawn.
                for (tally, &times) in tallies.iter().zip(draws.iter()) {
                    if times > 0 {
                        add(sum, tally, times as f64);
                    }
                }
                statistics
                    .iter()
                    .map(|s| s(sum).filter(|v| v.is_finite()))
                    .collect()
            },
        )
        .collect();
    // BCa's jackknife: every statistic of the total minus one cluster, all statistics in one
    // pass over the clusters (in parallel). Each leave-one-out sum is the total with the
    // cluster's positions replaced, then restored: no rounding accumulates across clusters.
    let jackknife: Vec<Vec<Option<f64>>> = if options.method == IntervalMethod::Bca {
        tallies
            .par_iter()
            .map_init(
                || total.clone(),
                |sum, tally| {
                    for &(position, value) in tally {
                        sum[position as usize] = total[position as usize] - value;
                    }
                    let values = statistics.iter().map(|s| s(sum)).collect();
                    for &(position, _) in tally {
                        sum[position as usize] = total[position as usize];
                    }
                    values
                },
            )
            .collect()
    } else {
        Vec::new()
    };
    estimates
        .iter()
        .enumerate()
        .map(|(k, estimate)| {
            let estimate = (*estimate)?;
            let values: Vec<f64> = replicates.iter().filter_map(|r| r[k]).collect();
            Some(result_of(estimate, values, options, || {
                jackknife.iter().filter_map(|values| values[k]).collect()
            }))
        })
        .collect()
}

/// The q-quantile of sorted values, interpolating linearly (numpy's default).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    let position = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let low = position.floor() as usize;
    let high = position.ceil() as usize;
    sorted[low] + (sorted[high] - sorted[low]) * (position - low as f64)
}

fn bca(jackknife: &[f64], estimate: f64, sorted: &[f64], alpha: f64) -> Option<[f64; 2]> {
    let normal = Normal::new(0.0, 1.0).ok()?;
    let below = sorted.iter().filter(|&&v| v < estimate).count() as f64;
    let equal = sorted.iter().filter(|&&v| v == estimate).count() as f64;
    let share = ((below + 0.5 * equal) / sorted.len() as f64).clamp(1e-9, 1.0 - 1e-9);
    let z0 = normal.inverse_cdf(share);
    if jackknife.len() < 2 {
        return None;
    }
    let mean = jackknife.iter().sum::<f64>() / jackknife.len() as f64;
    let squares: f64 = jackknife.iter().map(|v| (mean - v).powi(2)).sum();
    let cubes: f64 = jackknife.iter().map(|v| (mean - v).powi(3)).sum();
    let acceleration = if squares > 0.0 {
        cubes / (6.0 * squares.powf(1.5))
    } else {
        0.0
    };
    let adjusted = |z: f64| {
        let shifted = z0 + z;
        normal.cdf(z0 + shifted / (1.0 - acceleration * shifted))
    };
    let low = adjusted(normal.inverse_cdf(alpha));
    let high = adjusted(normal.inverse_cdf(1.0 - alpha));
    Some([quantile(sorted, low), quantile(sorted, high)])
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        /// Adding up in place gives the sorted merge's bits, zeros left out either way.
        #[test]
        fn compacting_in_place_equals_compacting_by_sorting(
            entries in proptest::collection::vec((0u32..300, -3i32..4, 0u32..1000), 0..400)
        ) {
            let entries: Vec<(u32, f64)> = entries
                .into_iter()
                .map(|(p, sign, scale)| (p, f64::from(sign) * f64::from(scale) / 7.0))
                .collect();
            let dense = compact_tally(entries.clone());
            let sorted = compact_by_sorting(entries);
            prop_assert_eq!(dense.len(), sorted.len());
            for (a, b) in dense.iter().zip(&sorted) {
                prop_assert_eq!(a.0, b.0);
                prop_assert_eq!(a.1.to_bits(), b.1.to_bits());
            }
        }
    }

    use super::*;
    use crate::stats::cohen::{cohen_kappa, KappaWeights};

    #[test]
    fn bootstrap_se_of_kappa_is_close_to_the_asymptotic_se() {
        // 300 FOVs of 8 independent pairs from a fixed joint distribution of 3 classes:
        // clustering is harmless here, so the asymptotic SE is valid.
        let joint = [0.30, 0.05, 0.02, 0.04, 0.25, 0.04, 0.02, 0.03, 0.25];
        let mut stream = Stream::new(7, "kappa-se", 0);
        let fovs: Vec<Vec<(usize, usize)>> = (0..300)
            .map(|_| {
                (0..8)
                    .map(|_| {
                        let cell = stream.weighted(&joint);
                        (cell / 3, cell % 3)
                    })
                    .collect()
            })
            .collect();
        let kappa = |sample: &[&Vec<(usize, usize)>]| {
            let mut table = vec![vec![0.0; 3]; 3];
            for &&(a, b) in sample
                .iter()
                .flat_map(|f| f.iter())
                .collect::<Vec<_>>()
                .iter()
            {
                table[a][b] += 1.0;
            }
            cohen_kappa(&table, &KappaWeights::Unweighted).map(|k| k.kappa)
        };
        let all: Vec<&Vec<(usize, usize)>> = fovs.iter().collect();
        let mut table = vec![vec![0.0; 3]; 3];
        for &(a, b) in all.iter().flat_map(|f| f.iter()) {
            table[a][b] += 1.0;
        }
        let asymptotic = cohen_kappa(&table, &KappaWeights::Unweighted).unwrap();
        let options = BootstrapOptions {
            replicates: 1000,
            ..BootstrapOptions::default()
        };
        let result = cluster_bootstrap(&fovs, kappa, &options).unwrap();
        assert!(
            (result.se / asymptotic.se - 1.0).abs() < 0.10,
            "bootstrap {} asymptotic {}",
            result.se,
            asymptotic.se
        );
        let [low, high] = result.ci.unwrap();
        assert!(low < asymptotic.kappa && asymptotic.kappa < high);
        // Percentile and BCa agree closely for a nearly symmetric statistic.
        let percentile = cluster_bootstrap(
            &fovs,
            kappa,
            &BootstrapOptions {
                method: IntervalMethod::Percentile,
                ..options
            },
        )
        .unwrap();
        assert!((percentile.ci.unwrap()[0] - low).abs() < 0.02);
    }

    #[test]
    fn replicates_do_not_depend_on_the_thread_count() {
        let values: Vec<f64> = (0..50).map(|i| ((i * 37) % 11) as f64).collect();
        let mean = |s: &[&f64]| Some(s.iter().copied().sum::<f64>() / s.len() as f64);
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| cluster_bootstrap(&values, mean, &BootstrapOptions::default()).unwrap())
        };
        assert_eq!(run(1), run(2));
    }

    #[test]
    fn the_tally_bootstrap_equals_the_cluster_bootstrap_of_the_same_statistic() {
        // A ratio of sums (like precision): tallies (hits, trials) per cluster.
        let clusters: Vec<(f64, f64)> = (0..40)
            .map(|i| (((i * 7) % 5) as f64, 4.0 + (i % 3) as f64))
            .collect();
        let tallies: Vec<Vec<(u32, f64)>> = clusters
            .iter()
            .map(|&(hits, trials)| vec![(0, hits), (1, trials)])
            .collect();
        let ratio_of_sums = |s: &[f64]| (s[1] > 0.0).then(|| s[0] / s[1]);
        let ratio_of_clusters = |sample: &[&(f64, f64)]| {
            let hits: f64 = sample.iter().map(|c| c.0).sum();
            let trials: f64 = sample.iter().map(|c| c.1).sum();
            (trials > 0.0).then(|| hits / trials)
        };
        for method in [IntervalMethod::Percentile, IntervalMethod::Bca] {
            let options = BootstrapOptions {
                replicates: 400,
                method,
                ..BootstrapOptions::default()
            };
            let tally = tally_bootstrap(&tallies, 2, &[&ratio_of_sums], &options)
                .remove(0)
                .unwrap();
            let cluster = cluster_bootstrap(&clusters, ratio_of_clusters, &options).unwrap();
            assert!((tally.estimate - cluster.estimate).abs() < 1e-12);
            assert!((tally.se - cluster.se).abs() < 1e-12);
            let (t, c) = (tally.ci.unwrap(), cluster.ci.unwrap());
            assert!((t[0] - c[0]).abs() < 1e-12 && (t[1] - c[1]).abs() < 1e-12);
        }
        assert_eq!(
            tally_bootstrap(&[], 2, &[&ratio_of_sums], &BootstrapOptions::default()),
            vec![None]
        );
    }

    #[test]
    fn quantiles_interpolate_as_numpy() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&v, 0.5), 2.5);
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert!((quantile(&v, 0.9) - 3.7).abs() < 1e-12);
    }
}
