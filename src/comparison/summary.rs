//! Adding FOV outcomes up into the comparison's result: the plain struct that `summary.json`
//! serialises and the reports and tables are made from.

use super::figure::{ByFigure, ClassFigure, Figure};
use super::groups::{fold_summary, group_rows, FoldSummary, GroupRow};
use super::outcome::FovOutcome;
use super::roles::ClassRoles;
use super::scoring::{self, ClassAp, ThresholdSweep};
use super::tally::{SegmentationPairs, Sums, TallyLayout};
use crate::model::ClassLevel;
use crate::stats::bootstrap::{tally_bootstrap, BootstrapOptions, BootstrapResult, TallyStatistic};
use crate::stats::confusion::ConfusionMatrix;
use crate::stats::detection::Detection;
use rayon::prelude::*;
use serde::Serialize;

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
    /// Which pairs the segmentation figures are taken over.
    pub segmentation: SegmentationPairs,
}

impl Default for SummaryOptions {
    fn default() -> SummaryOptions {
        SummaryOptions {
            bootstrap: None,
            scoring: false,
            score_threshold: 0.5,
            folds: false,
            match_iou_threshold: Some(0.5),
            segmentation: SegmentationPairs::Outlines,
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

/// One class of a level: its counts as [`crate::stats::detection::class_counts`] has them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PerClass {
    pub class: String,
    /// Whether the class is ambiguous (detected, not judged for class).
    pub ambiguous: bool,
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
    /// A's nuclei of this specific class matched to an ambiguous reference nucleus.
    pub on_ambiguous_reference: u64,
    /// A's nuclei of this ambiguous class matched to a specific reference nucleus.
    pub called_ambiguous: u64,
    /// A's nuclei of this ambiguous class matched to an ambiguous reference nucleus.
    pub a_matched_to_ambiguous: u64,
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
    /// The matched pairs the figures are taken over: every pair, or (IoU by shape) the pairs
    /// of two outlines.
    pub pairs: u64,
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

/// The confusion matrix of a level with its class names: rows A's class, columns B's; the
/// last row counts nuclei of B that A missed, the last column nuclei of A that B does not
/// have. Ambiguous classes (detected, not judged for class) are rows and columns like the
/// others, so that each row and column adds up to the class's nuclei.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NamedConfusion {
    pub classes: Vec<String>,
    /// Whether each class is ambiguous.
    pub ambiguous: Vec<bool>,
    pub counts: Vec<Vec<u64>>,
}

/// Bootstrap 95% intervals over FOVs of a level's headline figures, by [`Figure`].
pub type LevelIntervals = ByFigure<Option<[f64; 2]>>;

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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conventions: Option<crate::conventions::ConventionsSummary>,
    /// Precision-recall curves (COCO's interpolated precision at recall 0, 0.01, ..., 1) per
    /// class with truth, at IoU 0.5; for the tables, not `summary.json`.
    #[serde(skip)]
    pub pr_curves: Vec<(String, Vec<f64>)>,
}

impl LevelSummary {
    /// The value of a headline figure.
    pub fn figure(&self, figure: Figure) -> Option<f64> {
        let (d, c) = (&self.detection, &self.classification);
        match figure {
            Figure::Precision => d.precision,
            Figure::Recall => d.recall,
            Figure::F1 => d.f1,
            Figure::Accuracy => c.accuracy,
            Figure::CohenKappa => c.cohen_kappa,
            Figure::GwetAc1 => c.gwet_ac1,
            Figure::Mcc => c.mcc,
            Figure::MeanIou => self.segmentation.mean_iou,
        }
    }

    /// The bootstrap interval of a headline figure, when there is one.
    pub fn interval(&self, figure: Figure) -> Option<[f64; 2]> {
        self.bootstrap_ci95
            .as_ref()
            .and_then(|c| c.get(&figure).copied().flatten())
    }
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

    pub fn get_mut(&mut self, level: ClassLevel) -> &mut LevelSummary {
        match level {
            ClassLevel::Raw => &mut self.raw,
            ClassLevel::Main => &mut self.main,
            ClassLevel::Super => &mut self.super_,
        }
    }
}

/// The matched pairs by the shapes of their nuclei, and the reference's nuclei by shape.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShapeBreakdown {
    pub pairs_outlines: u64,
    pub pairs_boxes: u64,
    pub pairs_mixed: u64,
    pub pairs_with_point: u64,
    /// Per shape of the reference's nuclei (polygon, box, point).
    pub reference: Vec<ReferenceShape>,
}

/// Detection of the reference's nuclei of one shape.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReferenceShape {
    pub shape: &'static str,
    pub nuclei: u64,
    pub matched: u64,
    pub recall: Option<f64>,
}

impl ShapeBreakdown {
    fn of(sums: &Sums<'_>) -> ShapeBreakdown {
        let [pairs_outlines, pairs_boxes, pairs_mixed, pairs_with_point] = sums.pair_shapes();
        ShapeBreakdown {
            pairs_outlines,
            pairs_boxes,
            pairs_mixed,
            pairs_with_point,
            reference: crate::model::ShapeKind::ALL
                .iter()
                .zip(sums.reference_shapes())
                .map(|(kind, (matched, nuclei))| ReferenceShape {
                    shape: kind.name(),
                    nuclei,
                    matched,
                    recall: (nuclei > 0).then(|| matched as f64 / nuclei as f64),
                })
                .collect(),
        }
    }
}

/// Everything a comparison finds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub levels: Levels,
    /// Pairs by shape combination, and detection by the reference's shape.
    pub shapes: ShapeBreakdown,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub objectness_ap: Option<ApNumbers>,
    /// The class-agnostic precision-recall curve at IoU 0.5 (COCO's interpolated precision at
    /// recall 0, 0.01, ..., 1); for the figures and tables, not `summary.json`.
    #[serde(skip)]
    pub objectness_pr_curve: Option<Vec<f64>>,
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
    let layout = TallyLayout::new(roles, options.segmentation);
    let tallies: Vec<Vec<(u32, f64)>> = outcomes
        .par_iter()
        .map(|o| layout.tally(o, roles))
        .collect();
    let all: Vec<usize> = (0..outcomes.len()).collect();
    let total = layout.sum_of(&tallies, &all);
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
                Some(levels[slot].clone()),
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
    let objectness_pr_curve = objectness.as_ref().and_then(|o| o.precision_at_50.clone());
    let objectness_ap = options.scoring.then(|| {
        objectness
            .map(|o| ApNumbers::of(&o.summary))
            .unwrap_or_default()
    });
    let score_threshold = ap_available
        .then(|| scoring::threshold_sweep(&all_outcomes, roles, options.score_threshold));
    if options.folds && folds.as_ref().is_some_and(|f| f.folds.is_empty()) {
        notes.push(
            "fold figures were asked for, but no FOV of the reference set has a test fold (train_test_splits/ missing?)"
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
        shapes: ShapeBreakdown::of(&sums),
        objectness_ap,
        objectness_pr_curve,
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
    let per_class: Vec<PerClass> = (0..names.len())
        .filter_map(|c| {
            let (n_a, n_b) = sums.support(level, c);
            if n_a + n_b == 0 {
                return None;
            }
            let counts = sums.class_counts(level, c);
            // A class absent from the reference has no recall and no one-vs-rest kappa (the
            // reference never says it); its F1 is the formula's 0, with no interval.
            let in_reference = n_b > 0;
            Some(PerClass {
                class: names[c].clone(),
                ambiguous: counts.ambiguous,
                tp: counts.tp,
                fp: counts.fp,
                fn_: counts.fn_,
                precision: counts.precision(),
                recall: counts.recall(),
                f1: counts.f1(),
                n_a,
                n_b,
                on_ambiguous_reference: counts.on_ambiguous_reference,
                called_ambiguous: counts.called_ambiguous,
                a_matched_to_ambiguous: counts.a_matched_to_ambiguous,
                kappa: per_class_kappa
                    .get(c)
                    .copied()
                    .flatten()
                    .filter(|_| in_reference && roles.is_classified(level, c)),
                f1_ci95: class_intervals
                    .f1
                    .get(c)
                    .copied()
                    .flatten()
                    .filter(|_| in_reference),
                kappa_ci95: class_intervals
                    .kappa
                    .get(c)
                    .copied()
                    .flatten()
                    .filter(|_| in_reference && roles.is_classified(level, c)),
                ap: aps.map(|a| {
                    a[c].as_ref()
                        .map(|x| ApNumbers::of(&x.summary))
                        .unwrap_or_default()
                }),
            })
        })
        .collect();
    // The confusion matrix over every class, ambiguous ones included, with unmatched counts:
    // its rows and columns add up to each class's nuclei, and its unmatched row and column
    // to the unmatched nuclei.
    let shown: Vec<usize> = (0..names.len())
        .filter(|&c| roles.is_classified(level, c))
        .collect();
    let (unmatched_a, unmatched_b): (Vec<u64>, Vec<u64>) =
        (0..names.len()).map(|c| sums.unmatched(level, c)).unzip();
    let counts =
        ConfusionMatrix::of_counts(&sums.all_pairs(level), &unmatched_a, &unmatched_b).counts;
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
            pairs: sums.segmentation_pairs(),
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
            classes: names.to_vec(),
            ambiguous: (0..names.len())
                .map(|c| !roles.is_classified(level, c))
                .collect(),
            counts,
        },
        bootstrap_ci95: intervals,
        conventions: None,
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

fn overall_intervals(
    layout: &TallyLayout,
    tallies: &[Vec<(u32, f64)>],
    options: &BootstrapOptions,
) -> OverallIntervals {
    /// What one bootstrap statistic estimates.
    #[derive(Clone, Copy)]
    enum Key {
        /// A headline figure at a level (detection figures at the first level only).
        Level(Figure, ClassLevel),
        Class(ClassFigure, ClassLevel, usize),
    }
    let mut keys: Vec<Key> = Vec::new();
    for figure in Figure::ALL.into_iter().filter(|f| !f.per_level()) {
        keys.push(Key::Level(figure, ClassLevel::Raw));
    }
    for level in ClassLevel::ALL {
        for figure in Figure::ALL.into_iter().filter(|f| f.per_level()) {
            keys.push(Key::Level(figure, level));
        }
    }
    for figure in ClassFigure::ALL {
        for level in ClassLevel::ALL {
            for class in 0..layout.classes[level.position()] {
                keys.push(Key::Class(figure, level, class));
            }
        }
    }
    let statistics: Vec<_> = keys
        .iter()
        .map(|&key| {
            move |s: &[f64]| {
                let sums = layout.read(s);
                match key {
                    Key::Level(figure, level) => figure.of_sums(&sums, level),
                    Key::Class(figure, level, class) => figure.of_sums(&sums, level, class),
                }
            }
        })
        .collect();
    let borrowed: Vec<TallyStatistic<'_>> = statistics.iter().map(|s| s as _).collect();
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
    let mut levels: [LevelIntervals; 3] = Default::default();
    let mut f1: [Vec<Option<[f64; 2]>>; 3] = Default::default();
    let mut kappa: [Vec<Option<[f64; 2]>>; 3] = Default::default();
    for (key, result) in keys.iter().zip(&results) {
        let ci = result.as_ref().and_then(|r: &BootstrapResult| r.ci);
        match *key {
            Key::Level(figure, level) if figure.per_level() => {
                levels[level.position()].insert(figure, ci);
            }
            Key::Level(figure, _) => {
                for level in &mut levels {
                    level.insert(figure, ci);
                }
            }
            Key::Class(ClassFigure::F1, level, _) => f1[level.position()].push(ci),
            Key::Class(ClassFigure::Kappa, level, _) => kappa[level.position()].push(ci),
        }
    }
    (levels, f1, kappa)
}
