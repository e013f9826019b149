//! Figures by group of FOVs (FOV, slide, hospital, fold) and across folds.

use super::scoring;

use super::outcome::FovOutcome;
use super::roles::ClassRoles;
use super::tally::TallyLayout;
use crate::model::ClassLevel;
use crate::stats::bootstrap::{tally_bootstrap, BootstrapOptions, TallyStatistic};
use crate::stats::detection::Detection;
use crate::stats::moments::mean_sd;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

/// A group of FOVs (one FOV, slide, hospital or fold) and its figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupRow {
    pub group: String,
    pub fovs: usize,
    pub nuclei_a: u64,
    pub nuclei_b: u64,
    pub detection: Detection,
    pub f1_ci95: Option<[f64; 2]>,
    pub mean_iou: Option<f64>,
    /// Per level (raw, main, super): accuracy, kappa, and kappa's bootstrap interval.
    pub accuracy: [Option<f64>; 3],
    pub kappa: [Option<f64>; 3],
    pub kappa_ci95: [Option<[f64; 2]>; 3],
}

/// Each fold's test FOVs, and the mean and standard deviation across folds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FoldSummary {
    /// Per fold: its number, FOVs, and figures by name (`detection.f1`, `super.cohen_kappa`,
    /// `super.ap50`, `objectness.ap50`, ...).
    pub folds: Vec<FoldFigures>,
    pub mean: BTreeMap<String, Option<f64>>,
    /// Sample standard deviation (n - 1) across folds.
    pub sd: BTreeMap<String, Option<f64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FoldFigures {
    pub fold: u32,
    pub fovs: usize,
    pub figures: BTreeMap<String, Option<f64>>,
}

/// One row per group of FOVs that `key` names (FOVs without a key are left out), with
/// bootstrap intervals of F1 and kappa when `bootstrap` is given.
pub fn group_rows(
    outcomes: &[FovOutcome],
    tallies: &[Vec<(u32, f64)>],
    layout: &TallyLayout,
    key: &(dyn Fn(&FovOutcome) -> Option<String> + Sync),
    bootstrap: Option<&BootstrapOptions>,
) -> Vec<GroupRow> {
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, o) in outcomes.iter().enumerate() {
        if let Some(k) = key(o) {
            groups.entry(k).or_default().push(i);
        }
    }
    let groups: Vec<(String, Vec<usize>)> = groups.into_iter().collect();
    groups
        .into_par_iter()
        .map(|(group, members)| {
            let sum = layout.sum_of(tallies, &members);
            let sums = layout.read(&sum);
            let (f1_ci95, kappa_ci95) = match bootstrap {
                Some(options) if members.len() >= 2 => {
                    // Only what F1 and kappa read, so each resample adds less.
                    let subset: Vec<Vec<(u32, f64)>> = members
                        .iter()
                        .map(|&i| {
                            tallies[i]
                                .iter()
                                .copied()
                                .filter(|&(p, _)| layout.is_head_or_table(p))
                                .collect()
                        })
                        .collect();
                    let f1 = |s: &[f64]| layout.read(s).detection().f1();
                    let kappas =
                        ClassLevel::ALL.map(|level| move |s: &[f64]| layout.read(s).kappa(level));
                    let stats: [TallyStatistic<'_>; 4] = [&f1, &kappas[0], &kappas[1], &kappas[2]];
                    let r = tally_bootstrap(&subset, layout.width, &stats, options);
                    let ci = |k: usize| r[k].as_ref().and_then(|x| x.ci);
                    (ci(0), [ci(1), ci(2), ci(3)])
                }
                _ => (None, [None; 3]),
            };
            let nuclei_a = members
                .iter()
                .map(|&i| (outcomes[i].pairs.len() + outcomes[i].unmatched_a.len()) as u64)
                .sum();
            let nuclei_b = members
                .iter()
                .map(|&i| (outcomes[i].pairs.len() + outcomes[i].unmatched_b.len()) as u64)
                .sum();
            let d = sums.detection();
            GroupRow {
                group,
                fovs: members.len(),
                nuclei_a,
                nuclei_b,
                detection: Detection::of(d),
                f1_ci95,
                mean_iou: sums.mean_iou(),
                accuracy: ClassLevel::ALL.map(|l| sums.accuracy(l)),
                kappa: ClassLevel::ALL.map(|l| sums.kappa(l)),
                kappa_ci95,
            }
        })
        .collect()
}

/// Each fold's test FOVs, and the mean and SD across folds.
pub fn fold_summary(
    outcomes: &[FovOutcome],
    tallies: &[Vec<(u32, f64)>],
    layout: &TallyLayout,
    roles: &ClassRoles,
    with_ap: bool,
) -> FoldSummary {
    let mut by_fold: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (i, o) in outcomes.iter().enumerate() {
        if let Some(f) = o.fold {
            by_fold.entry(f).or_default().push(i);
        }
    }
    let folds: Vec<FoldFigures> = by_fold
        .into_iter()
        .map(|(fold, members)| {
            let sum = layout.sum_of(tallies, &members);
            let sums = layout.read(&sum);
            let d = sums.detection();
            let mut figures = BTreeMap::new();
            figures.insert("detection.precision".to_string(), d.precision());
            figures.insert("detection.recall".to_string(), d.recall());
            figures.insert("detection.f1".to_string(), d.f1());
            figures.insert("segmentation.mean_iou".to_string(), sums.mean_iou());
            let subset: Vec<&FovOutcome> = members.iter().map(|&i| &outcomes[i]).collect();
            for level in ClassLevel::ALL {
                let name = level.name();
                figures.insert(format!("{name}.accuracy"), sums.accuracy(level));
                figures.insert(format!("{name}.cohen_kappa"), sums.kappa(level));
                if with_ap {
                    let classes = roles.hierarchy.names(level).len();
                    let aps: Vec<_> = scoring::level_ap(&subset, level, classes)
                        .into_iter()
                        .flatten()
                        .map(|a| a.summary)
                        .collect();
                    let mean = crate::stats::average_precision::mean_over_categories(&aps);
                    figures.insert(format!("{name}.ap50"), mean.ap50);
                    figures.insert(format!("{name}.ap50_95"), mean.ap50_95);
                }
            }
            if with_ap {
                let ap = scoring::objectness_ap(&subset).summary;
                figures.insert("objectness.ap50".to_string(), ap.ap50);
                figures.insert("objectness.ap50_95".to_string(), ap.ap50_95);
            }
            FoldFigures {
                fold,
                fovs: members.len(),
                figures,
            }
        })
        .collect();
    let keys: Vec<String> = folds
        .first()
        .map(|f| f.figures.keys().cloned().collect())
        .unwrap_or_default();
    let mut mean = BTreeMap::new();
    let mut sd = BTreeMap::new();
    for key in keys {
        let values: Vec<f64> = folds.iter().filter_map(|f| f.figures[&key]).collect();
        let (m, s) = mean_sd(&values);
        mean.insert(key.clone(), m);
        sd.insert(key, s);
    }
    FoldSummary { folds, mean, sd }
}
