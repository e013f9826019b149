//! The inferred truth of a study, each rater and group scored against it, and how many raters
//! a study needs.
//!
//! At each class level, every anchor's truth is inferred from the chosen raters' labels
//! (`undetected` a category, so detection and classification are inferred together) by
//! majority vote and by the chosen model of rater error ([`super::truth_method`], Dawid-Skene
//! by default); the model's decision is the truth raters are scored against, and every model
//! is fitted beside it on the full panel for the comparison ([`super::method_comparison`]). A rater's detection counts an anchor of a FOV they annotated:
//! TP when both the truth and the rater have a nucleus there, FP when only the rater does, FN
//! when only the truth does; classification compares classes where both have one.
//!
//! No rater is scored against a truth that used their votes: a rater of the truth panel is
//! scored against the truth inferred from the panel without them (leave one out); a rater
//! outside the panel against the panel's truth.
//!
//! Raters needed: for k = 2 .. N - 2, `draws` times (seeded), k raters are drawn per FOV among
//! those who annotated it, the truth is inferred from them alone (the truth's method, same anchors),
//! and scored at the super-class level (detection F1 and classification MCC) against the
//! truth inferred from the panel's raters who were not drawn, so that the reference keeps
//! at least two raters and never shares one with the draw.

use super::anchor_scores::{figures, summed, tallies, Who};
use super::inference::decided;
pub use super::inference::infer;
use super::inference::LevelTruth;
pub use super::options::{CurveMethod, TruthOptions, CURVE_DAWID_SKENE_LIMIT};
use super::pairwise::{group_names, PairwiseCohen};
use super::study::{FovAnchors, Study};
use super::truth_method::{TruthMethod, TruthModelOptions};
use crate::model::{ClassHierarchy, ClassLevel};
use crate::stats::bootstrap::{tally_bootstrap, BootstrapOptions, TallyStatistic};
use crate::stats::detection::Detection;
use crate::stats::rank_tests::{mann_whitney_u, smallest_mann_whitney_p};
use rayon::prelude::*;
use serde::Serialize;

/// One rater against the truth at one level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RaterLevelScore {
    pub detection: Detection,
    /// 95% bootstrap intervals over FOVs of the detection precision, recall and F1 (with
    /// `--bootstrap`).
    pub precision_ci95: Option<[f64; 2]>,
    pub recall_ci95: Option<[f64; 2]>,
    pub f1_ci95: Option<[f64; 2]>,
    pub n_pairs: u64,
    pub accuracy: Option<f64>,
    pub kappa: Option<f64>,
    pub mcc: Option<f64>,
    /// Rows: the rater's class; columns: the truth's class (the level's classes).
    #[serde(skip)]
    pub confusion: Vec<Vec<u64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RaterScore {
    pub rater: String,
    pub group: String,
    /// Whether the rater is in the panel the truth was inferred from (and is then scored
    /// against the truth of the panel without them).
    pub in_truth_panel: bool,
    /// How many raters the truth this rater is scored against was inferred from.
    pub reference_raters: usize,
    pub raw: RaterLevelScore,
    pub main: RaterLevelScore,
    #[serde(rename = "super")]
    pub super_: RaterLevelScore,
}

impl RaterScore {
    pub fn get(&self, level: ClassLevel) -> &RaterLevelScore {
        match level {
            ClassLevel::Raw => &self.raw,
            ClassLevel::Main => &self.main,
            ClassLevel::Super => &self.super_,
        }
    }
}

/// Scores rater `r` against a truth.
fn score_rater(
    labelled: &[FovAnchors],
    r: usize,
    truth: &[Vec<Option<usize>>],
    level: ClassLevel,
    hierarchy: &ClassHierarchy,
    bootstrap: Option<&BootstrapOptions>,
) -> RaterLevelScore {
    let k = hierarchy.names(level).len();
    let by_fov = tallies(labelled, Who::Rater(r), truth, level, hierarchy);
    // Each FOV's TP, FP and FN, the units of the bootstrap.
    let per_fov: Vec<Vec<(u32, f64)>> = by_fov
        .iter()
        .flatten()
        .map(|t| vec![(0, t.counts[0]), (1, t.counts[1]), (2, t.counts[2])])
        .collect();
    let f = figures(&summed(&by_fov, k), k);
    let [precision_ci95, recall_ci95, f1_ci95] = detection_intervals(&per_fov, bootstrap);
    RaterLevelScore {
        detection: f.detection,
        precision_ci95,
        recall_ci95,
        f1_ci95,
        n_pairs: f.n_pairs,
        accuracy: f.accuracy,
        kappa: f.kappa,
        mcc: f.mcc,
        confusion: f
            .table
            .iter()
            .map(|row| row.iter().map(|&v| v as u64).collect())
            .collect(),
    }
}

/// Bootstrap intervals over FOVs of precision, recall and F1 from each FOV's TP, FP and FN.
fn detection_intervals(
    per_fov: &[Vec<(u32, f64)>],
    bootstrap: Option<&BootstrapOptions>,
) -> [Option<[f64; 2]>; 3] {
    let Some(options) = bootstrap else {
        return [None; 3];
    };
    let ratio =
        |numerator: f64, denominator: f64| (denominator > 0.0).then(|| numerator / denominator);
    let precision = |s: &[f64]| ratio(s[0], s[0] + s[1]);
    let recall = |s: &[f64]| ratio(s[0], s[0] + s[2]);
    let f1 = |s: &[f64]| ratio(2.0 * s[0], 2.0 * s[0] + s[1] + s[2]);
    let statistics: [TallyStatistic<'_>; 3] = [&precision, &recall, &f1];
    let results = tally_bootstrap(per_fov, 3, &statistics, options);
    [0, 1, 2].map(|i| results[i].as_ref().and_then(|r| r.ci))
}

/// A rank test between two groups' values of one figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupTest {
    /// What is compared, e.g. `super.kappa against the truth`.
    pub figure: String,
    pub group_a: String,
    pub group_b: String,
    pub n_a: usize,
    pub n_b: usize,
    pub median_a: Option<f64>,
    pub median_b: Option<f64>,
    pub mann_whitney_u: Option<f64>,
    pub p_two_sided: Option<f64>,
    /// The smallest p the exact test can give at these sizes (2 / C(n_a + n_b, n_a)).
    pub smallest_p: f64,
    /// Whether the values compared are independent: not so for pairwise kappas, whose pairs
    /// share raters.
    pub independent: bool,
}

impl GroupTest {
    /// Whether the test can say anything: independent values, and sizes at which p < 0.05 is
    /// attainable.
    pub fn informative(&self) -> bool {
        self.independent && self.smallest_p < 0.05
    }
}

/// What the truth and the scores against it add to the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TruthReport {
    /// The groups the truth was inferred from (`[]`: every rater).
    pub truth_from: Vec<String>,
    /// The method of the truth raters are scored against, and every model's options.
    pub method: TruthMethod,
    pub models: TruthModelOptions,
    /// Per level (raw, main, super): anchors whose truth is a nucleus (not `undetected`) by
    /// majority vote and by the method, and the share of anchors where the two agree.
    pub nuclei_majority: [usize; 3],
    pub nuclei_inferred: [usize; 3],
    pub majority_agreement: [Option<f64>; 3],
    pub iterations: [usize; 3],
    pub converged: [Option<bool>; 3],
    /// Every method's truth from the full panel, per level, compared.
    pub methods: Vec<super::method_comparison::MethodRow>,
    /// The truth each rater is scored against, per level (`references[r][level]`), for the
    /// model's paired comparison.
    #[serde(skip)]
    pub references: Vec<[Vec<Vec<Option<usize>>>; 3]>,
    /// With `--model`: the model among the raters.
    pub model: Option<super::model_rater::ModelReport>,
    pub raters: Vec<RaterScore>,
    pub group_tests: Vec<GroupTest>,
    /// How each draw's truth (and the full panel's, for the curve) was inferred.
    pub raters_needed_method: TruthMethod,
    pub raters_needed: Vec<super::raters_needed::RatersNeeded>,
    /// On simulated data: the simulated truth's folder, and each inferred truth against it.
    pub simulated_truth: Option<String>,
    pub against_simulated: Vec<super::simulated::AgainstSimulated>,
}

fn median(values: &[f64]) -> Option<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    (!v.is_empty()).then(|| crate::stats::bootstrap::quantile(&v, 0.5))
}

/// The raters the truth is inferred from.
pub fn truth_panel(study: &Study<'_>, options: &TruthOptions) -> Vec<usize> {
    (0..study.raters.len())
        .filter(|&r| options.truth_from.is_empty() || options.truth_from.contains(&study.groups[r]))
        .collect()
}

/// The truth at every level (raw, main, super), the levels fitted side by side.
pub fn infer_levels(
    study: &Study<'_>,
    labelled: &[FovAnchors],
    options: &TruthOptions,
) -> [LevelTruth; 3] {
    let panel = truth_panel(study, options);
    let mut fitted: Vec<LevelTruth> = ClassLevel::ALL
        .par_iter()
        .map(|&level| infer(study, labelled, &panel, level, options, true))
        .collect();
    let super_ = fitted.pop().expect("three levels");
    let main = fitted.pop().expect("three levels");
    let raw = fitted.pop().expect("three levels");
    [raw, main, super_]
}

/// Scores raters, groups and panel sizes against the inferred truths.
pub fn truth_report(
    study: &Study<'_>,
    labelled: &[FovAnchors],
    truths: &[LevelTruth; 3],
    pairwise_super: &[PairwiseCohen],
    options: &TruthOptions,
    bootstrap: Option<&BootstrapOptions>,
) -> TruthReport {
    let everyone: Vec<usize> = (0..study.raters.len()).collect();
    let panel = truth_panel(study, options);
    let count_nuclei = |level: usize, ds: bool| {
        let k = study.hierarchy.names(ClassLevel::ALL[level]).len();
        let t = &truths[level];
        if ds {
            t.inferred
                .iter()
                .flatten()
                .flatten()
                .filter(|d| d.0 < k)
                .count()
        } else {
            t.majority
                .iter()
                .flatten()
                .flatten()
                .filter(|&&c| c < k)
                .count()
        }
    };
    let agreement = |level: usize| {
        let t = &truths[level];
        let pairs: Vec<(usize, usize)> = t
            .majority
            .iter()
            .flatten()
            .zip(t.inferred.iter().flatten())
            .filter_map(|(m, d)| Some(((*m)?, (*d)?.0)))
            .collect();
        (!pairs.is_empty())
            .then(|| pairs.iter().filter(|(m, d)| m == d).count() as f64 / pairs.len() as f64)
    };
    let decisions = truths.each_ref().map(decided);
    // Each draw of the raters-needed curve is scored against the truth of the panel's raters
    // not drawn, inferred by the same method; the curve is drawn beside the raters' scores.
    let anchors: usize = labelled.iter().map(|f| f.anchors.len()).sum();
    let method = match options.curve_method {
        CurveMethod::Auto if anchors <= CURVE_DAWID_SKENE_LIMIT => options.method,
        CurveMethod::Auto | CurveMethod::MajorityVote => TruthMethod::MajorityVote,
        CurveMethod::DawidSkene => TruthMethod::DawidSkene,
    };
    type Reference = [Vec<Vec<Option<usize>>>; 3];
    let score_all = || -> Vec<(RaterScore, Reference)> {
        everyone
            .par_iter()
            .map(|&r| {
                // Leave one out: a panel rater's reference is the panel without them.
                let in_panel = panel.contains(&r);
                let without: Vec<usize> = panel.iter().copied().filter(|&p| p != r).collect();
                let reference: Reference = [0, 1, 2].map(|l| {
                    if in_panel {
                        let level = ClassLevel::ALL[l];
                        decided(&infer(study, labelled, &without, level, options, false))
                    } else {
                        decisions[l].clone()
                    }
                });
                let level = |l: usize| {
                    let level = ClassLevel::ALL[l];
                    score_rater(
                        labelled,
                        r,
                        &reference[l],
                        level,
                        &study.hierarchy,
                        bootstrap,
                    )
                };
                let score = RaterScore {
                    rater: study.raters[r].clone(),
                    group: study.groups[r].clone(),
                    in_truth_panel: in_panel,
                    reference_raters: if in_panel { without.len() } else { panel.len() },
                    raw: level(0),
                    main: level(1),
                    super_: level(2),
                };
                (score, reference)
            })
            .collect()
    };
    let (scored, raters_needed) = rayon::join(score_all, || {
        super::raters_needed::raters_needed(study, labelled, &panel, options, method)
    });
    let (raters, references): (Vec<RaterScore>, Vec<Reference>) = scored.into_iter().unzip();
    let group_tests = group_tests(study, &raters, pairwise_super);
    TruthReport {
        truth_from: options.truth_from.clone(),
        method: options.method,
        models: options.models,
        nuclei_majority: [0, 1, 2].map(|l| count_nuclei(l, false)),
        nuclei_inferred: [0, 1, 2].map(|l| count_nuclei(l, true)),
        majority_agreement: [0, 1, 2].map(agreement),
        iterations: truths.each_ref().map(|t| t.iterations),
        converged: truths.each_ref().map(|t| t.converged),
        methods: super::method_comparison::compare_methods(study, truths),
        raters,
        references,
        model: None,
        group_tests,
        raters_needed_method: method,
        raters_needed,
        simulated_truth: None,
        against_simulated: Vec::new(),
    }
}

fn group_tests(
    study: &Study<'_>,
    raters: &[RaterScore],
    pairwise_super: &[PairwiseCohen],
) -> Vec<GroupTest> {
    let groups = group_names(study);
    let mut tests = Vec::new();
    // The figure, whether its values are independent, and the values of a group.
    type Figure<'a> = (&'a str, bool, Box<dyn Fn(&str) -> Vec<f64> + 'a>);
    let figures: Vec<Figure<'_>> = vec![
        (
            "super.detection_f1 against the truth",
            true,
            Box::new(|g: &str| {
                raters
                    .iter()
                    .filter(|r| r.group == g)
                    .filter_map(|r| r.super_.detection.f1)
                    .collect()
            }),
        ),
        (
            "super.kappa against the truth",
            true,
            Box::new(|g: &str| {
                raters
                    .iter()
                    .filter(|r| r.group == g)
                    .filter_map(|r| r.super_.kappa)
                    .collect()
            }),
        ),
        (
            "super.pairwise_kappa within the group",
            false,
            Box::new(|g: &str| {
                pairwise_super
                    .iter()
                    .filter(|p| p.group_a == g && p.group_b == g)
                    .filter_map(|p| p.kappa)
                    .collect()
            }),
        ),
    ];
    for (name, independent, values) in &figures {
        for (i, a) in groups.iter().enumerate() {
            for b in &groups[i + 1..] {
                let (x, y) = (values(a), values(b));
                if x.is_empty() || y.is_empty() {
                    continue;
                }
                let test = mann_whitney_u(&x, &y);
                tests.push(GroupTest {
                    figure: name.to_string(),
                    group_a: a.clone(),
                    group_b: b.clone(),
                    n_a: x.len(),
                    n_b: y.len(),
                    median_a: median(&x),
                    median_b: median(&y),
                    mann_whitney_u: test.as_ref().map(|t| t.statistic),
                    p_two_sided: test.as_ref().map(|t| t.p_two_sided),
                    smallest_p: smallest_mann_whitney_p(x.len(), y.len()),
                    independent: *independent,
                });
            }
        }
    }
    tests
}
