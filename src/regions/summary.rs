//! The statistics of a region comparison, from the ROIs' pixel tallies alone: at each class
//! level, the pixel confusion matrix (rows the reference B, columns A), pixel accuracy,
//! Cohen's kappa on pixels, per-class Dice and IoU, and the mean Dice over the classes the
//! reference holds; by ROI, slide, hospital and fold; with bootstrap intervals that resample
//! whole ROIs (pixels of one ROI are far from independent, so no pixel-level standard error
//! is given).

use super::{RegionTallies, RoiTally};
use crate::model::region_scheme::{RegionLevel, RegionScheme};
use crate::stats::bootstrap::{tally_bootstrap, BootstrapOptions, TallyStatistic};
use crate::stats::cohen::{cohen_kappa, KappaWeights};
use serde::Serialize;
use std::collections::BTreeMap;

/// How a region comparison is summarised.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionOptions {
    /// `None`: no intervals.
    pub bootstrap: Option<BootstrapOptions>,
    /// µm per pixel: areas in µm² (else in pixels).
    pub mpp: Option<f64>,
}

impl Default for RegionOptions {
    fn default() -> RegionOptions {
        RegionOptions {
            bootstrap: Some(BootstrapOptions::default()),
            mpp: None,
        }
    }
}

/// A figure and its interval over ROIs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Estimate {
    pub value: Option<f64>,
    pub ci95: Option<[f64; 2]>,
}

/// One class at one level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionClassRow {
    pub class: String,
    /// Pixels of the class in the reference (B) and in A, among the pixels compared.
    pub pixels_b: u64,
    pub pixels_a: u64,
    /// `None` where neither holds the class; 0 (without an interval) where only A does.
    pub dice: Estimate,
    pub iou: Option<f64>,
}

/// One class level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionLevelSummary {
    pub level: RegionLevel,
    pub classes: Vec<String>,
    /// Pixels: rows the reference's (B's) class, columns A's.
    pub confusion: Vec<Vec<u64>>,
    pub pixels: u64,
    pub accuracy: Estimate,
    pub kappa: Estimate,
    /// The mean of the per-class Dice over the classes the reference holds.
    pub mean_dice: Estimate,
    pub per_class: Vec<RegionClassRow>,
}

/// Agreement within a group of ROIs (one ROI, slide, hospital or fold).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionGroupRow {
    /// `roi`, `slide`, `hospital` or `fold`.
    pub by: &'static str,
    pub group: String,
    pub level: RegionLevel,
    pub rois: usize,
    pub pixels: u64,
    /// With a bootstrap interval over the group's ROIs where it has at least two.
    pub accuracy: Estimate,
    pub kappa: Estimate,
    pub mean_dice: Estimate,
}

/// Pixels compared and left out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionCounts {
    pub rois: usize,
    pub only_in_a: Vec<String>,
    pub only_in_b: Vec<String>,
    pub pixels_compared: u64,
    pub pixels_outside: u64,
    pub pixels_ignored: u64,
}

/// The parameters a region comparison used, for the methods paragraph.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionParams {
    pub outside_code: Option<u32>,
    pub ignore_code: Option<u32>,
    pub mpp: Option<f64>,
    pub bootstrap: Option<BootstrapOptions>,
}

/// A region comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionReport {
    pub a: String,
    pub b: String,
    pub params: RegionParams,
    pub counts: RegionCounts,
    pub levels: Vec<RegionLevelSummary>,
    pub groups: Vec<RegionGroupRow>,
}

/// A statistic of a raw tally, boxed.
type Statistic<'a> = Box<dyn Fn(&[f64]) -> Option<f64> + Sync + 'a>;

/// What groups ROIs: a name and the group of each ROI.
type GroupKey = (&'static str, fn(&RoiTally) -> Option<String>);

/// A k x k table at `level` (rows A, columns B) from a raw tally.
fn level_table(scheme: &RegionScheme, raw: &[f64], level: RegionLevel) -> Vec<Vec<f64>> {
    let (k, m) = (scheme.len(RegionLevel::Raw), scheme.len(level));
    let mut table = vec![vec![0.0; m]; m];
    for i in 0..k {
        for j in 0..k {
            let v = raw[i * k + j];
            if v != 0.0 {
                table[scheme.index(i, level)][scheme.index(j, level)] += v;
            }
        }
    }
    table
}

fn accuracy(table: &[Vec<f64>]) -> Option<f64> {
    let n: f64 = table.iter().flatten().sum();
    (n > 0.0).then(|| (0..table.len()).map(|i| table[i][i]).sum::<f64>() / n)
}

fn kappa(table: &[Vec<f64>]) -> Option<f64> {
    cohen_kappa(table, &KappaWeights::Unweighted).map(|k| k.kappa)
}

/// Dice of class `c` (rows A, columns B): `None` where neither holds it.
fn dice(table: &[Vec<f64>], c: usize) -> Option<f64> {
    let tp = table[c][c];
    let in_a: f64 = table[c].iter().sum();
    let in_b: f64 = table.iter().map(|row| row[c]).sum();
    (in_a + in_b > 0.0).then(|| 2.0 * tp / (in_a + in_b))
}

fn iou(table: &[Vec<f64>], c: usize) -> Option<f64> {
    let tp = table[c][c];
    let in_a: f64 = table[c].iter().sum();
    let in_b: f64 = table.iter().map(|row| row[c]).sum();
    (in_a + in_b - tp > 0.0).then(|| tp / (in_a + in_b - tp))
}

/// The mean Dice over the classes the reference (B, the columns) holds.
fn mean_dice(table: &[Vec<f64>]) -> Option<f64> {
    let held: Vec<usize> = (0..table.len())
        .filter(|&c| table.iter().map(|row| row[c]).sum::<f64>() > 0.0)
        .collect();
    (!held.is_empty())
        .then(|| held.iter().filter_map(|&c| dice(table, c)).sum::<f64>() / held.len() as f64)
}

/// The summary of tallied ROIs.
pub fn summarize_regions(
    tallies: &RegionTallies,
    scheme: &RegionScheme,
    options: &RegionOptions,
    names: (&str, &str),
) -> RegionReport {
    let k = scheme.len(RegionLevel::Raw);
    let sparse: Vec<Vec<(u32, f64)>> = tallies
        .rois
        .iter()
        .map(|roi| {
            roi.tally
                .counts
                .iter()
                .enumerate()
                .filter(|(_, &c)| c > 0)
                .map(|(i, &c)| (i as u32, c as f64))
                .collect()
        })
        .collect();
    let levels = RegionLevel::ALL
        .iter()
        .map(|&level| summarize_level(scheme, level, &sparse, k, options))
        .collect();
    let sum = |f: fn(&RoiTally) -> u64| tallies.rois.iter().map(f).sum::<u64>();
    RegionReport {
        a: names.0.to_string(),
        b: names.1.to_string(),
        params: RegionParams {
            outside_code: scheme.outside(),
            ignore_code: scheme.ignore(),
            mpp: options.mpp,
            bootstrap: options.bootstrap.clone(),
        },
        counts: RegionCounts {
            rois: tallies.rois.len(),
            only_in_a: tallies.only_in_a.clone(),
            only_in_b: tallies.only_in_b.clone(),
            pixels_compared: sum(|r| r.tally.counts.iter().sum()),
            pixels_outside: sum(|r| r.tally.outside),
            pixels_ignored: sum(|r| r.tally.ignored),
        },
        levels,
        groups: groups(tallies, scheme, &sparse, options.bootstrap.as_ref()),
    }
}

fn summarize_level(
    scheme: &RegionScheme,
    level: RegionLevel,
    sparse: &[Vec<(u32, f64)>],
    k: usize,
    options: &RegionOptions,
) -> RegionLevelSummary {
    let m = scheme.len(level);
    let table_of = move |raw: &[f64]| level_table(scheme, raw, level);
    let headline: [Statistic<'_>; 3] = [
        Box::new(move |raw| accuracy(&table_of(raw))),
        Box::new(move |raw| kappa(&table_of(raw))),
        Box::new(move |raw| mean_dice(&table_of(raw))),
    ];
    let per_class: Vec<Statistic<'_>> = (0..m)
        .map(|c| -> Statistic<'_> { Box::new(move |raw| dice(&table_of(raw), c)) })
        .collect();
    let statistics: Vec<TallyStatistic<'_>> = headline
        .iter()
        .chain(&per_class)
        .map(|s| s.as_ref() as TallyStatistic<'_>)
        .collect();
    let mut total = vec![0.0; k * k];
    for tally in sparse {
        for &(p, v) in tally {
            total[p as usize] += v;
        }
    }
    let table = table_of(&total);
    let intervals = intervals(sparse, k, &statistics, options.bootstrap.as_ref());
    let estimate = |i: usize, value: Option<f64>| Estimate {
        value,
        ci95: value.and(intervals[i]),
    };
    let names = scheme.names(level);
    let per_class = (0..m)
        .map(|c| {
            let pixels_a = table[c].iter().sum::<f64>() as u64;
            let pixels_b = table.iter().map(|row| row[c]).sum::<f64>() as u64;
            let value = dice(&table, c);
            RegionClassRow {
                class: names[c].to_string(),
                pixels_b,
                pixels_a,
                // A class the reference does not hold: the formula's 0, no interval.
                dice: if pixels_b == 0 {
                    Estimate { value, ci95: None }
                } else {
                    estimate(3 + c, value)
                },
                iou: iou(&table, c),
            }
        })
        .collect();
    RegionLevelSummary {
        level,
        classes: names.iter().map(|n| n.to_string()).collect(),
        confusion: (0..m)
            .map(|b| (0..m).map(|a| table[a][b] as u64).collect())
            .collect(),
        pixels: total.iter().sum::<f64>() as u64,
        accuracy: estimate(0, accuracy(&table)),
        kappa: estimate(1, kappa(&table)),
        mean_dice: estimate(2, mean_dice(&table)),
        per_class,
    }
}

/// The bootstrap intervals over ROIs of `statistics` (none without a bootstrap or ROIs).
fn intervals(
    sparse: &[Vec<(u32, f64)>],
    k: usize,
    statistics: &[TallyStatistic<'_>],
    bootstrap: Option<&BootstrapOptions>,
) -> Vec<Option<[f64; 2]>> {
    match bootstrap {
        Some(bootstrap) if !sparse.is_empty() => {
            tally_bootstrap(sparse, k * k, statistics, bootstrap)
                .into_iter()
                .map(|r| r.and_then(|r| r.ci))
                .collect()
        }
        _ => vec![None; statistics.len()],
    }
}

/// Agreement by ROI, slide, hospital and fold, at each level; a group of two ROIs or more
/// has bootstrap intervals over its ROIs.
fn groups(
    tallies: &RegionTallies,
    scheme: &RegionScheme,
    sparse: &[Vec<(u32, f64)>],
    bootstrap: Option<&BootstrapOptions>,
) -> Vec<RegionGroupRow> {
    let k = scheme.len(RegionLevel::Raw);
    let keys: [GroupKey; 4] = [
        ("roi", |r| Some(r.roi.clone())),
        ("slide", |r| r.slide.clone()),
        ("hospital", |r| r.hospital.clone()),
        ("fold", |r| r.test_fold.map(|f| f.to_string())),
    ];
    let mut rows = Vec::new();
    for (by, key) in keys {
        // Each group's ROIs (positions) and summed raw tally.
        let mut grouped: BTreeMap<String, (Vec<usize>, Vec<f64>)> = BTreeMap::new();
        for (i, roi) in tallies.rois.iter().enumerate() {
            let Some(group) = key(roi) else { continue };
            let entry = grouped
                .entry(group)
                .or_insert_with(|| (Vec::new(), vec![0.0; k * k]));
            entry.0.push(i);
            for (sum, &c) in entry.1.iter_mut().zip(&roi.tally.counts) {
                *sum += c as f64;
            }
        }
        for level in RegionLevel::ALL {
            let table_of = move |raw: &[f64]| level_table(scheme, raw, level);
            let statistics: [Statistic<'_>; 3] = [
                Box::new(move |raw| accuracy(&table_of(raw))),
                Box::new(move |raw| kappa(&table_of(raw))),
                Box::new(move |raw| mean_dice(&table_of(raw))),
            ];
            let statistics: Vec<TallyStatistic<'_>> = statistics
                .iter()
                .map(|s| s.as_ref() as TallyStatistic<'_>)
                .collect();
            for (group, (members, raw)) in &grouped {
                let values: Vec<Option<f64>> = statistics.iter().map(|s| s(raw)).collect();
                let ci = if members.len() >= 2 {
                    let tallies: Vec<Vec<(u32, f64)>> =
                        members.iter().map(|&i| sparse[i].clone()).collect();
                    intervals(&tallies, k, &statistics, bootstrap)
                } else {
                    vec![None; 3]
                };
                let estimate = |i: usize| Estimate {
                    value: values[i],
                    ci95: values[i].and(ci[i]),
                };
                rows.push(RegionGroupRow {
                    by,
                    group: group.clone(),
                    level,
                    rois: members.len(),
                    pixels: raw.iter().sum::<f64>() as u64,
                    accuracy: estimate(0),
                    kappa: estimate(1),
                    mean_dice: estimate(2),
                });
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dice_and_iou_follow_their_formulas_and_are_undefined_only_without_the_class() {
        // Rows A, columns B: 6 pixels agree on class 0, 2 are A's 0 where B has 1, 2 agree on 1.
        let table = vec![
            vec![6.0, 2.0, 0.0],
            vec![0.0, 2.0, 0.0],
            vec![0.0, 0.0, 0.0],
        ];
        assert_eq!(dice(&table, 0), Some(12.0 / 14.0));
        assert_eq!(iou(&table, 0), Some(6.0 / 8.0));
        assert_eq!(dice(&table, 1), Some(4.0 / 6.0));
        assert_eq!(dice(&table, 2), None);
        assert_eq!(accuracy(&table), Some(0.8));
        assert_eq!(mean_dice(&table), Some((12.0 / 14.0 + 4.0 / 6.0) / 2.0));
        // Kappa: p_o 0.8, p_e = 0.8 * 0.6 + 0.2 * 0.4 = 0.56.
        let k = kappa(&table).unwrap();
        assert!((k - (0.8 - 0.56) / (1.0 - 0.56)).abs() < 1e-12);
    }
}
