//! Adding FOV outcomes up into the comparison's result: the plain struct that `summary.json`
//! serialises and the reports and tables are made from.

use super::groups::{fold_summary, group_rows};
use super::scoring::{self, ClassAp, ThresholdSweep};
use super::tally::{Sums, TallyLayout};
use super::{ClassRoles, FovOutcome};
use crate::model::ClassLevel;
use crate::stats::bootstrap::{tally_bootstrap, BootstrapOptions, BootstrapResult, TallyStatistic};
use crate::stats::detection::DetectionCounts;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

/// How outcomes are summarised.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryOptions {
    /// Bootstrap intervals over FOVs; `None` for none.
    pub bootstrap: Option<BootstrapOptions>,
    /// Whether AP and the score-threshold sweep are reported (`score`).
    pub scoring: bool,
    /// The score threshold whose F1 is reported beside the best one.
    pub score_threshold: f64,
    /// Whether each fold's test FOVs are summarised apart.
    pub folds: bool,
    /// The IoU threshold of the matching (`None` under centroid matching): F1 against
    /// stricter thresholds starts there.
    pub match_iou_threshold: Option<f64>,
}

impl Default for SummaryOptions {
    fn default() -> SummaryOptions {
        SummaryOptions {
            bootstrap: None,
            scoring: false,
            score_threshold: 0.5,
            folds: false,
            match_iou_threshold: Some(0.5),
        }
    }
}

/// Detection: class-agnostic counts and rates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Detection {
    pub tp: u64,
    pub fp: u64,
    #[serde(rename = "fn")]
    pub fn_: u64,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub f1: Option<f64>,
}

impl Detection {
    pub fn of(counts: DetectionCounts) -> Detection {
        Detection {
            tp: counts.tp,
            fp: counts.fp,
            fn_: counts.fn_,
            precision: counts.precision(),
            recall: counts.recall(),
            f1: counts.f1(),
        }
    }
}

/// Classification agreement on the matched pairs of one level.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ClassificationSummary {
    pub n_pairs: u64,
    pub accuracy: Option<f64>,
    pub cohen_kappa: Option<f64>,
    /// Asymptotic standard error (statsmodels' `std_kappa`).
    pub kappa_se: Option<f64>,
    /// kappa ± 1.959964 se.
    pub kappa_ci95: Option<[f64; 2]>,
    pub gwet_ac1: Option<f64>,
    pub mcc: Option<f64>,
}

/// One class of a level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PerClass {
    pub class: String,
    pub tp: u64,
    pub fp: u64,
    #[serde(rename = "fn")]
    pub fn_: u64,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub f1: Option<f64>,
    /// Nuclei of the class in A and in B.
    pub n_a: u64,
    pub n_b: u64,
    /// One-vs-rest kappa on the classified pairs.
    pub kappa: Option<f64>,
    pub f1_ci95: Option<[f64; 2]>,
    /// Bootstrap 95% interval of the one-vs-rest kappa.
    pub kappa_ci95: Option<[f64; 2]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ap: Option<ApNumbers>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Segmentation {
    pub mean_iou: Option<f64>,
    pub mean_dice: Option<f64>,
    pub pq: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct ApNumbers {
    pub ap50: Option<f64>,
    pub ap75: Option<f64>,
    pub ap50_95: Option<f64>,
}

impl ApNumbers {
    fn of(ap: &crate::stats::average_precision::ApSummary) -> ApNumbers {
        ApNumbers {
            ap50: ap.ap50,
            ap75: ap.ap75,
            ap50_95: ap.ap50_95,
        }
    }
}

/// The confusion matrix of a level with its class names; the last row counts nuclei of B
/// that A missed, the last column nuclei of A that B does not have.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NamedConfusion {
    pub classes: Vec<String>,
    pub counts: Vec<Vec<u64>>,
}

/// Bootstrap 95% intervals over FOVs of a level's headline figures.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct LevelIntervals {
    pub precision: Option<[f64; 2]>,
    pub recall: Option<[f64; 2]>,
    pub f1: Option<[f64; 2]>,
    pub accuracy: Option<[f64; 2]>,
    pub cohen_kappa: Option<[f64; 2]>,
    pub gwet_ac1: Option<[f64; 2]>,
    pub mcc: Option<[f64; 2]>,
    pub mean_iou: Option<[f64; 2]>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelSummary {
    pub detection: Detection,
    pub classification: ClassificationSummary,
    pub per_class: Vec<PerClass>,
    pub segmentation: Segmentation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ap: Option<ApNumbers>,
    pub confusion: NamedConfusion,
    pub bootstrap_ci95: Option<LevelIntervals>,
    /// Precision-recall curves (COCO's interpolated precision at recall 0, 0.01, ..., 1) per
    /// class with truth, at IoU 0.5; for the tables, not `summary.json`.
    #[serde(skip)]
    pub pr_curves: Vec<(String, Vec<f64>)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Levels {
    pub raw: LevelSummary,
    pub main: LevelSummary,
    #[serde(rename = "super")]
    pub super_: LevelSummary,
}

impl Levels {
    pub fn get(&self, level: ClassLevel) -> &LevelSummary {
        match level {
            ClassLevel::Raw => &self.raw,
            ClassLevel::Main => &self.main,
            ClassLevel::Super => &self.super_,
        }
    }
}

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

/// Everything a comparison finds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub levels: Levels,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub objectness_ap: Option<ApNumbers>,
    /// Detection at the best score threshold and at the given one (`score`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score_threshold: Option<ThresholdSweep>,
    pub by_hospital: Vec<GroupRow>,
    pub by_fold: Vec<GroupRow>,
    #[serde(skip)]
    pub by_slide: Vec<GroupRow>,
    #[serde(skip)]
    pub by_fov: Vec<GroupRow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub folds: Option<FoldSummary>,
    /// Nuclei of A without a score (AP needs every prediction scored).
    pub unscored_a: usize,
    /// Detection F1 (main level) at IoU thresholds from the matching threshold to 0.95.
    pub f1_by_iou_threshold: Vec<super::iou_profile::F1AtIou>,
    /// Matched pairs by IoU, in 20 bins over [0, 1] (for the plot).
    #[serde(skip)]
    pub iou_histogram: Vec<u64>,
    pub notes: Vec<String>,
}

/// Adds the outcomes up.
pub fn summarize(
    outcomes: &[FovOutcome],
    roles: &ClassRoles,
    options: &SummaryOptions,
) -> Comparison {
    let hierarchy = &roles.hierarchy;
    let classes = ClassLevel::ALL.map(|l| hierarchy.names(l).len());
    let layout = TallyLayout::new(classes);
    let tallies: Vec<Vec<(u32, f64)>> = outcomes
        .par_iter()
        .map(|o| layout.tally(o, roles))
        .collect();
    let all: Vec<usize> = (0..outcomes.len()).collect();
    let total = dense_sum(&layout, &tallies, &all);
    let sums = layout.read(&total);
    let all_outcomes: Vec<&FovOutcome> = outcomes.iter().collect();
    let unscored_a: usize = outcomes.iter().map(|o| o.unscored_a).sum();
    let mut notes = Vec::new();
    let ap_available = options.scoring && unscored_a == 0;
    if options.scoring && unscored_a > 0 {
        notes.push(format!(
            "{unscored_a} predictions have no score: AP and the score-threshold sweep are not computed"
        ));
    }
    // The independent parts run side by side: the bootstrap, AP, and the groups and folds.
    type GroupKey = fn(&FovOutcome) -> Option<String>;
    let group_keys: [(GroupKey, bool); 4] = [
        (|o| o.hospital.clone(), true),
        (|o| o.fold.map(|f| f.to_string()), true),
        (|o| o.slide.clone(), false),
        (|o| Some(o.fov.clone()), false),
    ];
    let ((intervals, (level_aps, objectness)), (groups, folds)) = rayon::join(
        || {
            rayon::join(
                || {
                    options
                        .bootstrap
                        .as_ref()
                        .map(|b| overall_intervals(&layout, &tallies, b))
                },
                || {
                    let levels = ap_available.then(|| {
                        ClassLevel::ALL.map(|level| {
                            scoring::level_ap(&all_outcomes, level, classes[level.position()])
                        })
                    });
                    let objectness = ap_available.then(|| scoring::objectness_ap(&all_outcomes));
                    (levels, objectness)
                },
            )
        },
        || {
            let groups: Vec<Vec<GroupRow>> = group_keys
                .par_iter()
                .map(|(key, with_ci)| {
                    let bootstrap = options.bootstrap.as_ref().filter(|_| *with_ci);
                    group_rows(outcomes, &tallies, &layout, key, bootstrap)
                })
                .collect();
            let folds = options
                .folds
                .then(|| fold_summary(outcomes, &tallies, &layout, roles, ap_available));
            (groups, folds)
        },
    );
    let [by_hospital, by_fold, by_slide, by_fov]: [Vec<GroupRow>; 4] =
        groups.try_into().expect("four group keys");
    let level_summary = |level: ClassLevel| {
        let slot = level.position();
        let aps = level_aps.as_ref().map(|l| &l[slot]);
        let none = || vec![None; classes[slot]];
        let (level_intervals, class_intervals) = match &intervals {
            Some((levels, f1, kappa)) => (
                Some(levels[slot]),
                ClassIntervals {
                    f1: f1[slot].clone(),
                    kappa: kappa[slot].clone(),
                },
            ),
            None => (
                None,
                ClassIntervals {
                    f1: none(),
                    kappa: none(),
                },
            ),
        };
        build_level(
            &sums,
            roles,
            level,
            aps.map(|a| a.as_slice()),
            level_intervals,
            &class_intervals,
        )
    };
    let levels = Levels {
        raw: level_summary(ClassLevel::Raw),
        main: level_summary(ClassLevel::Main),
        super_: level_summary(ClassLevel::Super),
    };
    let objectness_ap = options.scoring.then(|| {
        objectness
            .map(|o| ApNumbers::of(&o.summary))
            .unwrap_or_default()
    });
    let score_threshold = ap_available
        .then(|| scoring::threshold_sweep(&all_outcomes, roles, options.score_threshold));
    if options.folds && folds.as_ref().is_some_and(|f| f.folds.is_empty()) {
        notes.push(
            "--folds: no FOV of the reference set has a test fold (train_test_splits/ missing?)"
                .into(),
        );
    }
    let (iou_histogram, f1_by_iou_threshold) = super::iou_profile::iou_profile(
        outcomes,
        roles,
        &levels.main.detection,
        options.match_iou_threshold,
    );
    Comparison {
        levels,
        objectness_ap,
        score_threshold,
        by_hospital,
        by_fold,
        by_slide,
        by_fov,
        folds,
        unscored_a,
        f1_by_iou_threshold,
        iou_histogram,
        notes,
    }
}

pub(super) fn dense_sum(
    layout: &TallyLayout,
    tallies: &[Vec<(u32, f64)>],
    members: &[usize],
) -> Vec<f64> {
    let mut sum = vec![0.0; layout.width];
    for &i in members {
        TallyLayout::add(&mut sum, &tallies[i]);
    }
    sum
}

/// Bootstrap intervals of each class of a level.
struct ClassIntervals {
    f1: Vec<Option<[f64; 2]>>,
    kappa: Vec<Option<[f64; 2]>>,
}

fn build_level(
    sums: &Sums<'_>,
    roles: &ClassRoles,
    level: ClassLevel,
    aps: Option<&[Option<ClassAp>]>,
    intervals: Option<LevelIntervals>,
    class_intervals: &ClassIntervals,
) -> LevelSummary {
    let names = roles.hierarchy.names(level);
    let classification = sums.classification(level);
    let per_class_kappa = sums.per_class_kappa(level);
    let table = sums.table(level);
    let per_class: Vec<PerClass> = (0..names.len())
        .filter_map(|c| {
            let (n_a, n_b) = sums.support(level, c);
            if n_a + n_b == 0 {
                return None;
            }
            let counts = sums.joint(level, c);
            Some(PerClass {
                class: names[c].clone(),
                tp: counts.tp,
                fp: counts.fp,
                fn_: counts.fn_,
                precision: counts.precision(),
                recall: counts.recall(),
                f1: counts.f1(),
                n_a,
                n_b,
                kappa: per_class_kappa
                    .get(c)
                    .copied()
                    .flatten()
                    .filter(|_| roles.is_classified(level, c)),
                f1_ci95: class_intervals.f1.get(c).copied().flatten(),
                kappa_ci95: class_intervals
                    .kappa
                    .get(c)
                    .copied()
                    .flatten()
                    .filter(|_| roles.is_classified(level, c)),
                ap: aps.map(|a| {
                    a[c].as_ref()
                        .map(|x| ApNumbers::of(&x.summary))
                        .unwrap_or_default()
                }),
            })
        })
        .collect();
    // The confusion matrix over the classified classes, with unmatched counts.
    let shown: Vec<usize> = (0..names.len())
        .filter(|&c| roles.is_classified(level, c))
        .collect();
    let mut counts = vec![vec![0u64; shown.len() + 1]; shown.len() + 1];
    for (r, &a) in shown.iter().enumerate() {
        for (k, &b) in shown.iter().enumerate() {
            counts[r][k] = table[a][b].round() as u64;
        }
        let (unmatched_a, unmatched_b) = sums.unmatched(level, a);
        counts[r][shown.len()] = unmatched_a;
        counts[shown.len()][r] = unmatched_b;
    }
    let kappa = classification.kappa.as_ref();
    let pr_curves = aps
        .map(|a| {
            shown
                .iter()
                .filter_map(|&c| {
                    a[c].as_ref()
                        .and_then(|x| x.precision_at_50.clone())
                        .map(|p| (names[c].clone(), p))
                })
                .collect()
        })
        .unwrap_or_default();
    LevelSummary {
        detection: Detection::of(sums.detection()),
        classification: ClassificationSummary {
            n_pairs: classification.pairs,
            accuracy: classification.accuracy,
            cohen_kappa: kappa.map(|k| k.kappa),
            kappa_se: kappa.map(|k| k.se),
            kappa_ci95: kappa.map(|k| k.ci95),
            gwet_ac1: classification.gwet_ac1,
            mcc: classification.mcc,
        },
        per_class,
        segmentation: Segmentation {
            mean_iou: sums.mean_iou(),
            mean_dice: sums.mean_dice(),
            pq: sums.pq(),
        },
        ap: aps.map(|a| {
            let summaries: Vec<_> = a.iter().flatten().map(|x| x.summary).collect();
            ApNumbers::of(&crate::stats::average_precision::mean_over_categories(
                &summaries,
            ))
        }),
        confusion: NamedConfusion {
            classes: shown.iter().map(|&c| names[c].clone()).collect(),
            counts,
        },
        bootstrap_ci95: intervals,
        pr_curves,
    }
}

/// Intervals of each level's headline figures and of each class's F1, from one bootstrap.
/// Per level: the headline intervals, and per class those of F1 and of one-vs-rest kappa.
type OverallIntervals = (
    [LevelIntervals; 3],
    [Vec<Option<[f64; 2]>>; 3],
    [Vec<Option<[f64; 2]>>; 3],
);

fn overall_intervals<'a>(
    layout: &'a TallyLayout,
    tallies: &[Vec<(u32, f64)>],
    options: &BootstrapOptions,
) -> OverallIntervals {
    type Stat<'s> = Box<dyn Fn(&[f64]) -> Option<f64> + Sync + 's>;
    let mut statistics: Vec<Stat<'a>> = vec![
        Box::new(move |s: &[f64]| layout.read(s).detection().precision()),
        Box::new(move |s: &[f64]| layout.read(s).detection().recall()),
        Box::new(move |s: &[f64]| layout.read(s).detection().f1()),
        Box::new(move |s: &[f64]| layout.read(s).mean_iou()),
    ];
    for level in ClassLevel::ALL {
        statistics.push(Box::new(move |s: &[f64]| layout.read(s).accuracy(level)));
        statistics.push(Box::new(move |s: &[f64]| layout.read(s).kappa(level)));
        statistics.push(Box::new(move |s: &[f64]| {
            layout.read(s).classification(level).gwet_ac1
        }));
        statistics.push(Box::new(move |s: &[f64]| {
            crate::stats::detection::matthews_correlation(&layout.read(s).table(level))
        }));
    }
    for level in ClassLevel::ALL {
        for c in 0..layout.classes[level.position()] {
            statistics.push(Box::new(move |s: &[f64]| {
                layout.read(s).joint(level, c).f1()
            }));
        }
    }
    for level in ClassLevel::ALL {
        for c in 0..layout.classes[level.position()] {
            statistics.push(Box::new(move |s: &[f64]| {
                layout
                    .read(s)
                    .per_class_kappa(level)
                    .get(c)
                    .copied()
                    .flatten()
            }));
        }
    }
    let borrowed: Vec<TallyStatistic<'_>> = statistics.iter().map(|s| s.as_ref() as _).collect();
    // Supports are read by no statistic: leaving them out makes each resample cheaper.
    let projected: Vec<Vec<(u32, f64)>> = tallies
        .iter()
        .map(|t| {
            t.iter()
                .copied()
                .filter(|&(p, _)| !layout.is_support(p))
                .collect()
        })
        .collect();
    let results = tally_bootstrap(&projected, layout.width, &borrowed, options);
    let ci = |k: usize| results[k].as_ref().and_then(|r: &BootstrapResult| r.ci);
    let levels = [0, 1, 2].map(|slot| LevelIntervals {
        precision: ci(0),
        recall: ci(1),
        f1: ci(2),
        mean_iou: ci(3),
        accuracy: ci(4 + 4 * slot),
        cohen_kappa: ci(5 + 4 * slot),
        gwet_ac1: ci(6 + 4 * slot),
        mcc: ci(7 + 4 * slot),
    });
    let mut next = 16;
    let mut per_class_of = || {
        [0, 1, 2].map(|slot| {
            let values: Vec<Option<[f64; 2]>> =
                (0..layout.classes[slot]).map(|k| ci(next + k)).collect();
            next += layout.classes[slot];
            values
        })
    };
    let f1 = per_class_of();
    let kappa = per_class_of();
    (levels, f1, kappa)
}
