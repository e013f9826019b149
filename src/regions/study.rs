//! Multi-rater studies of region masks (`nucagree regions --study DIR`: one folder of masks per
//! rater): Fleiss' kappa and Krippendorff's alpha (nominal) on pixels, and the pairwise Cohen's
//! kappa matrix, at the raw and main levels. Every pixel counts, none is sampled: each statistic
//! is a ratio of sums over pixels (Fleiss' per-pixel agreement and category totals; alpha's
//! coincidence matrix; each pair's confusion matrix), accumulated ROI by ROI, so a study of
//! gigapixels costs its decoding, and the bootstrap over ROIs resamples the ROIs' sums.
//!
//! A rater's pixel outside the ROI or under the ignore code is no rating. Fleiss' kappa takes
//! the pixels every rater rated (it needs as many ratings per unit); alpha takes every pixel
//! with at least two ratings; a pair's kappa the pixels both rated.

use super::summary::Estimate;
use crate::error::{Error, Location, Problem, Result};
use crate::ingest::region_masks::{read_region_mask, RegionIndex};
use crate::model::region_scheme::{CodeMeaning, RegionLevel, RegionScheme};
use crate::stats::bootstrap::{tally_bootstrap, BootstrapOptions, TallyStatistic};
use crate::stats::cohen::{cohen_kappa, KappaWeights};
use rayon::prelude::*;
use serde::Serialize;

/// One ROI's sums at one level (`k` classes, `r` raters), laid out flat for the bootstrap:
/// `[fleiss pixels, sum of per-pixel agreement, category totals (k), coincidences (k x k),
/// pair confusions (pairs x k x k)]`.
fn layout(k: usize, r: usize) -> (usize, usize, usize, usize) {
    let totals = 2;
    let coincidence = totals + k;
    let pairs = coincidence + k * k;
    let width = pairs + r * (r - 1) / 2 * k * k;
    (totals, coincidence, pairs, width)
}

/// Buffers reused from pixel to pixel: the classes rated, and their runs `(class, count)`.
#[derive(Default)]
struct Scratch {
    rated: Vec<usize>,
    runs: Vec<(usize, f64)>,
}

/// Adds one pixel's ratings (class indices at the level; `None`: no rating) to `sums`.
fn add_pixel(sums: &mut [f64], ratings: &[Option<usize>], k: usize, scratch: &mut Scratch) {
    let r = ratings.len();
    let (totals, coincidence, pairs, _) = layout(k, r);
    let Scratch { rated, runs } = scratch;
    rated.clear();
    rated.extend(ratings.iter().flatten());
    let m = rated.len();
    if m < 2 {
        return;
    }
    rated.sort_unstable();
    // Runs of equal classes: n_c for each class rated.
    runs.clear();
    for &c in rated.iter() {
        match runs.last_mut() {
            Some(last) if last.0 == c => last.1 += 1.0,
            _ => runs.push((c, 1.0)),
        }
    }
    let mf = m as f64;
    for &(c, n_c) in runs.iter() {
        for &(d, n_d) in runs.iter() {
            let pairs_cd = if c == d { n_c * (n_c - 1.0) } else { n_c * n_d };
            sums[coincidence + c * k + d] += pairs_cd / (mf - 1.0);
        }
    }
    if m == r {
        sums[0] += 1.0;
        let squares: f64 = runs.iter().map(|(_, n)| n * n).sum();
        sums[1] += (squares - mf) / (mf * (mf - 1.0));
        for &(c, n_c) in runs.iter() {
            sums[totals + c] += n_c;
        }
    }
    let mut pair = 0;
    for i in 0..r {
        for j in i + 1..r {
            if let (Some(a), Some(b)) = (ratings[i], ratings[j]) {
                sums[pairs + pair * k * k + a * k + b] += 1.0;
            }
            pair += 1;
        }
    }
}

fn fleiss(sums: &[f64], k: usize, r: usize) -> Option<f64> {
    let (totals, ..) = layout(k, r);
    let units = sums[0];
    if units == 0.0 {
        return None;
    }
    let p_mean = sums[1] / units;
    let expected: f64 = (0..k)
        .map(|c| (sums[totals + c] / (units * r as f64)).powi(2))
        .sum();
    (1.0 - expected > f64::EPSILON).then(|| (p_mean - expected) / (1.0 - expected))
}

fn alpha(sums: &[f64], k: usize, r: usize) -> Option<f64> {
    let (_, coincidence, ..) = layout(k, r);
    let o = |c: usize, d: usize| sums[coincidence + c * k + d];
    let n_c: Vec<f64> = (0..k).map(|c| (0..k).map(|d| o(c, d)).sum()).collect();
    let n: f64 = n_c.iter().sum();
    let observed: f64 = (0..k)
        .flat_map(|c| (0..k).filter(move |&d| d != c).map(move |d| (c, d)))
        .map(|(c, d)| o(c, d))
        .sum();
    let expected: f64 = (0..k)
        .flat_map(|c| (0..k).filter(move |&d| d != c).map(move |d| (c, d)))
        .map(|(c, d)| n_c[c] * n_c[d])
        .sum();
    (n > 1.0 && expected > 0.0).then(|| 1.0 - (n - 1.0) * observed / expected)
}

fn pair_kappa(sums: &[f64], k: usize, r: usize, pair: usize) -> Option<f64> {
    let (.., pairs, _) = layout(k, r);
    let start = pairs + pair * k * k;
    let table: Vec<Vec<f64>> = (0..k)
        .map(|a| sums[start + a * k..start + (a + 1) * k].to_vec())
        .collect();
    cohen_kappa(&table, &KappaWeights::Unweighted).map(|c| c.kappa)
}

/// One level of a region study.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionStudyLevel {
    pub level: RegionLevel,
    pub fleiss_kappa: Estimate,
    /// Pixels every rater rated (Fleiss' units).
    pub fleiss_pixels: u64,
    pub krippendorff_alpha: Estimate,
    /// `kappa[i][j]` between raters i and j (`None` on the diagonal and where undefined).
    pub pairwise_kappa: Vec<Vec<Option<f64>>>,
}

/// A multi-rater study of region masks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionStudyReport {
    pub raters: Vec<String>,
    /// ROIs at least two raters annotated.
    pub rois: usize,
    pub levels: Vec<RegionStudyLevel>,
}

/// Sums every ROI at least two raters hold, then the statistics at each level.
pub fn region_study(
    raters: &[(String, RegionIndex)],
    scheme: &RegionScheme,
    bootstrap: Option<&BootstrapOptions>,
    max_pixels: u64,
) -> Result<RegionStudyReport> {
    let r = raters.len();
    let mut names: Vec<&str> = raters
        .iter()
        .flat_map(|(_, index)| index.files.iter().map(|f| f.name.as_str()))
        .collect();
    names.sort_unstable();
    names.dedup();
    let rois: Vec<&str> = names
        .into_iter()
        .filter(|name| {
            raters
                .iter()
                .filter(|(_, index)| index.file(name).is_some())
                .count()
                >= 2
        })
        .collect();
    let per_roi: Vec<[Vec<f64>; 2]> = rois
        .par_iter()
        .map(|name| roi_sums(raters, name, scheme, max_pixels))
        .collect::<Result<_>>()?;
    let levels = RegionLevel::ALL
        .iter()
        .enumerate()
        .map(|(l, &level)| {
            let k = scheme.len(level);
            let (.., width) = layout(k, r);
            let sparse: Vec<Vec<(u32, f64)>> = per_roi
                .iter()
                .map(|sums| {
                    sums[l]
                        .iter()
                        .enumerate()
                        .filter(|(_, v)| **v != 0.0)
                        .map(|(i, v)| (i as u32, *v))
                        .collect()
                })
                .collect();
            let mut total = vec![0.0; width];
            for roi in &sparse {
                for &(i, v) in roi {
                    total[i as usize] += v;
                }
            }
            let of_fleiss = |s: &[f64]| fleiss(s, k, r);
            let of_alpha = |s: &[f64]| alpha(s, k, r);
            let statistics: [TallyStatistic<'_>; 2] = [&of_fleiss, &of_alpha];
            let intervals: Vec<Option<[f64; 2]>> = match bootstrap {
                Some(options) => {
                    let statistics: Vec<TallyStatistic<'_>> = statistics.to_vec();
                    tally_bootstrap(&sparse, width, &statistics, options)
                        .into_iter()
                        .map(|b| b.and_then(|b| b.ci))
                        .collect()
                }
                None => vec![None; 2],
            };
            let estimate = |i: usize, value: Option<f64>| Estimate {
                value,
                ci95: value.and(intervals[i]),
            };
            // Pairs in the order i < j, as the sums hold them.
            let pair_index = |i: usize, j: usize| {
                let (i, j) = (i.min(j), i.max(j));
                i * r - i * (i + 1) / 2 + (j - i - 1)
            };
            let pairwise: Vec<Vec<Option<f64>>> = (0..r)
                .map(|i| {
                    (0..r)
                        .map(|j| {
                            (i != j)
                                .then(|| pair_kappa(&total, k, r, pair_index(i, j)))
                                .flatten()
                        })
                        .collect()
                })
                .collect();
            RegionStudyLevel {
                level,
                fleiss_kappa: estimate(0, fleiss(&total, k, r)),
                fleiss_pixels: total[0] as u64,
                krippendorff_alpha: estimate(1, alpha(&total, k, r)),
                pairwise_kappa: pairwise,
            }
        })
        .collect();
    Ok(RegionStudyReport {
        raters: raters.iter().map(|(name, _)| name.clone()).collect(),
        rois: rois.len(),
        levels,
    })
}

/// One ROI's sums at the raw and main levels.
fn roi_sums(
    raters: &[(String, RegionIndex)],
    name: &str,
    scheme: &RegionScheme,
    max_pixels: u64,
) -> Result<[Vec<f64>; 2]> {
    let masks: Vec<Option<(std::path::PathBuf, crate::ingest::region_masks::RegionMask)>> = raters
        .iter()
        .map(|(_, index)| {
            index
                .file(name)
                .map(|f| read_region_mask(&f.path, max_pixels).map(|m| (f.path.clone(), m)))
                .transpose()
        })
        .collect::<Result<_>>()?;
    let first = masks.iter().flatten().next().expect("at least two raters");
    let (width, height) = (first.1.width, first.1.height);
    for (path, mask) in masks.iter().flatten() {
        if (mask.width, mask.height) != (width, height) {
            return Err(Error::input(
                Location::file(path),
                Problem::Invalid {
                    message: format!(
                        "a mask of {} x {} pixels where {} is {width} x {height}: expected masks of one ROI to have one size",
                        mask.width,
                        mask.height,
                        first.0.display()
                    ),
                },
            ));
        }
    }
    let r = raters.len();
    let mut sums = RegionLevel::ALL.map(|level| vec![0.0; layout(scheme.len(level), r).3]);
    let mut ratings = [vec![None; r], vec![None; r]];
    let mut scratch = Scratch::default();
    for pixel in 0..width as usize * height as usize {
        for (rater, mask) in masks.iter().enumerate() {
            let raw = match mask {
                Some((path, mask)) => match scheme.meaning(mask.codes[pixel]) {
                    CodeMeaning::Class(class) => Some(class),
                    CodeMeaning::Outside | CodeMeaning::Ignore => None,
                    CodeMeaning::Unknown => {
                        let w = width as usize;
                        let (row, column) = (pixel / w + 1, pixel % w + 1);
                        return Err(Error::input(
                            Location::line_column(path, row as u64, column as u64),
                            Problem::Invalid {
                                message: format!(
                                    "the pixel at row {row}, column {column} has code {}: expected one of the codes table's codes",
                                    mask.codes[pixel]
                                ),
                            },
                        ));
                    }
                },
                None => None,
            };
            ratings[0][rater] = raw;
            ratings[1][rater] = raw.map(|c| scheme.index(c, RegionLevel::Main));
        }
        for (l, level) in RegionLevel::ALL.iter().enumerate() {
            add_pixel(&mut sums[l], &ratings[l], scheme.len(*level), &mut scratch);
        }
    }
    Ok(sums)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::fleiss::{counts_of_ratings, fleiss_kappa};
    use crate::stats::krippendorff::{krippendorff_alpha, Level};

    /// The pixel sums give the kappa and alpha of the library's own (reference-checked)
    /// implementations on the same ratings, and Cohen's kappa per pair.
    #[test]
    fn sums_over_pixels_give_the_library_coefficients() {
        let k = 3;
        // Ten pixels, three raters; `None` is a pixel outside a rater's ROI.
        let pixels: Vec<[Option<usize>; 3]> = vec![
            [Some(0), Some(0), Some(0)],
            [Some(0), Some(1), Some(0)],
            [Some(1), Some(1), Some(1)],
            [Some(2), Some(2), Some(1)],
            [Some(2), Some(2), Some(2)],
            [Some(0), None, Some(0)],
            [Some(1), Some(2), None],
            [Some(0), Some(0), Some(1)],
            [None, None, Some(2)],
            [Some(1), Some(1), Some(1)],
        ];
        let mut sums = vec![0.0; layout(k, 3).3];
        let mut scratch = Scratch::default();
        for p in &pixels {
            add_pixel(&mut sums, p, k, &mut scratch);
        }
        // Raters x units, the units every rater rated.
        let complete: Vec<Vec<Option<usize>>> = (0..3)
            .map(|r| {
                pixels
                    .iter()
                    .filter(|p| p.iter().all(Option::is_some))
                    .map(|p| p[r])
                    .collect()
            })
            .collect();
        let want = fleiss_kappa(&counts_of_ratings(&complete)).unwrap().kappa;
        assert!((fleiss(&sums, k, 3).unwrap() - want).abs() < 1e-12);
        assert_eq!(sums[0], 7.0);
        let by_rater: Vec<Vec<Option<f64>>> = (0..3)
            .map(|r| pixels.iter().map(|p| p[r].map(|c| c as f64)).collect())
            .collect();
        let want = krippendorff_alpha(&by_rater, Level::Nominal).unwrap();
        assert!((alpha(&sums, k, 3).unwrap() - want).abs() < 1e-12);
        // Raters 0 and 1 both rated 8 pixels.
        let table: Vec<Vec<f64>> = {
            let mut t = vec![vec![0.0; k]; k];
            for p in &pixels {
                if let (Some(a), Some(b)) = (p[0], p[1]) {
                    t[a][b] += 1.0;
                }
            }
            t
        };
        let want = cohen_kappa(&table, &KappaWeights::Unweighted)
            .unwrap()
            .kappa;
        assert!((pair_kappa(&sums, k, 3, 0).unwrap() - want).abs() < 1e-12);
    }
}
