//! The agreement analysis's result: what `summary.json` of `agree` holds, computed from the
//! labelled anchors.

use super::coefficient::{ByCoefficient, Coefficient};
use super::labelling::label_study_with_sweep;
pub use super::options::AgreeOptions;
use super::pairwise::{group_names, group_pairs, pairwise, GroupPairKappa, PairwiseCohen};
use super::study::{FovAnchors, Study};
use super::tally::AgreementLayout;
use crate::geometry::IouShape;
use crate::matching::FovCrop;
use crate::model::{ClassLevel, MultiRaterSet};
use crate::stats::bootstrap::{tally_bootstrap, BootstrapOptions, TallyStatistic};
use crate::stats::moments::mean;
use rayon::prelude::*;
use serde::Serialize;

/// A statistic with its bootstrap interval over FOVs.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Estimate {
    pub value: Option<f64>,
    /// Bootstrap standard error.
    pub se: Option<f64>,
    pub ci95: Option<[f64; 2]>,
}

/// One category's kappa: a class of the level, or `undetected`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryKappa {
    pub category: String,
    /// Its share of the ratings of anchors with two or more ratings.
    pub share: Option<f64>,
    /// Fleiss' kappa of the ratings collapsed to this category against the rest.
    pub kappa: Estimate,
    /// Specific agreement: of the pairs of an anchor's ratings in which one is this
    /// category, the share in which both are.
    pub specific_agreement: Estimate,
}

/// Every [`Coefficient`] of a set of raters at one level, with its bootstrap interval.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Agreement {
    /// Anchors with two or more ratings.
    pub units: u64,
    #[serde(flatten)]
    pub coefficients: ByCoefficient<Estimate>,
    /// Fleiss' kappa of each category, the level's classes then `undetected`.
    pub per_category: Vec<CategoryKappa>,
}

impl Agreement {
    /// The estimate of one coefficient (all undefined when it was not computed).
    pub fn get(&self, coefficient: Coefficient) -> Estimate {
        self.coefficients
            .get(&coefficient)
            .copied()
            .unwrap_or_default()
    }
}

/// Within one group of raters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupAgreement {
    pub group: String,
    pub raters: Vec<String>,
    pub agreement: Agreement,
    /// Mean of the pairwise Cohen's kappas within the group.
    pub mean_pairwise_kappa: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelAgreement {
    /// Each coefficient of all raters.
    #[serde(flatten)]
    pub coefficients: ByCoefficient<Option<f64>>,
    pub pairwise_cohen: Vec<PairwiseCohen>,
    /// The same coefficients with bootstrap intervals.
    pub all_raters: Agreement,
    pub groups: Vec<GroupAgreement>,
    pub group_pairs: Vec<GroupPairKappa>,
    /// Each coefficient of all raters on the benchmark scales (Gwet's probabilistic method,
    /// with the bootstrap standard error); empty without a bootstrap.
    pub benchmarks: Vec<CoefficientBenchmark>,
    /// Agreement on the nuclei counted per FOV (all nuclei and each class), of all raters and
    /// of each group, over the FOVs every rater of the panel annotated.
    pub count_agreement: Vec<PanelCounts>,
}

/// One panel's agreement on counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PanelCounts {
    /// `all raters`, or a group.
    pub panel: String,
    pub counts: Vec<super::counts::CountAgreement>,
}

/// One coefficient of all raters on each benchmark scale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoefficientBenchmark {
    pub coefficient: Coefficient,
    pub value: f64,
    pub se: f64,
    /// The band retained on each scale (Landis-Koch, Fleiss, Altman).
    pub scales: Vec<crate::stats::benchmark::Retained>,
}

/// The coefficients of `agreement` with a value and a positive standard error, benchmarked.
pub fn benchmarks_of(agreement: &Agreement) -> Vec<CoefficientBenchmark> {
    use crate::stats::benchmark::{benchmark, Scale};
    Coefficient::ALL
        .iter()
        .filter_map(|&coefficient| {
            let e = agreement.get(coefficient);
            let (value, se) = (e.value?, e.se?);
            let scales: Vec<_> = Scale::ALL
                .iter()
                .map(|&scale| benchmark(value, se, scale))
                .collect::<Option<_>>()?;
            Some(CoefficientBenchmark {
                coefficient,
                value,
                se,
                scales,
            })
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Levels {
    pub raw: LevelAgreement,
    pub main: LevelAgreement,
    #[serde(rename = "super")]
    pub super_: LevelAgreement,
}

impl Levels {
    pub fn get(&self, level: ClassLevel) -> &LevelAgreement {
        match level {
            ClassLevel::Raw => &self.raw,
            ClassLevel::Main => &self.main,
            ClassLevel::Super => &self.super_,
        }
    }
}

/// Alpha at one minimum IoU of the clustering.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlphaAtMinIou {
    pub min_iou: f64,
    pub anchors: usize,
    /// Per level (raw, main, super): alpha with `undetected` a category, and without.
    pub alpha_detection: [Option<f64>; 3],
    pub alpha_classification: [Option<f64>; 3],
}

/// One rater of the study.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RaterInfo {
    pub rater: String,
    pub group: String,
    pub fovs: usize,
    pub nuclei: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Counts {
    pub fovs: usize,
    pub raters: usize,
    pub anchors: usize,
    pub annotations: usize,
    /// Anchors by how many raters detected them: `[0]` one rater, `[1]` two, ...
    pub anchors_by_detections: Vec<usize>,
    /// Annotations left out because they are centred outside the FOV region.
    pub cropped: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Params {
    pub min_iou: f64,
    pub shape: IouShape,
    pub fov_crop: FovCrop,
    pub eval_set: Option<String>,
    /// The groups file, or `null` for groups by id prefix (SP, JP, NP).
    pub groups_file: Option<String>,
    pub bootstrap_replicates: usize,
    pub seed: Option<u64>,
}

/// What `summary.json` of `agree` holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgreementReport {
    pub command: &'static str,
    pub version: &'static str,
    pub params: Params,
    pub counts: Counts,
    pub levels: Levels,
    pub raters: Vec<RaterInfo>,
    pub min_iou_sweep: Vec<AlphaAtMinIou>,
    pub intrarater: Vec<super::intrarater::Intrarater>,
    /// Each coefficient of one group minus another's (groups of two raters or more), with a
    /// bootstrap interval over FOVs.
    pub group_differences: Vec<super::group_difference::GroupDifference>,
    /// Anchors by how many raters detected them, and how often those raters agree on the
    /// class.
    pub by_detections: Vec<super::group_difference::ByDetections>,
    /// The inferred truth, and each rater and group against it.
    pub truth: super::raters::TruthReport,
    /// How closely the raters' outlines of each nucleus agree.
    pub boundary: super::boundary_summary::BoundaryReport,
}

/// Every coefficient of `raters` at every level, with bootstrap intervals.
fn agreement_of(
    study: &Study<'_>,
    labelled: &[FovAnchors],
    raters: &[usize],
    bootstrap: Option<&BootstrapOptions>,
) -> [Agreement; 3] {
    let layout = AgreementLayout::new(&study.hierarchy, study.raters.len());
    let tallies: Vec<Vec<(u32, f64)>> = labelled
        .par_iter()
        .map(|f| layout.tally(f, raters, &study.hierarchy))
        .collect();
    let mut total = vec![0.0; layout.width];
    for t in &tallies {
        for &(p, v) in t {
            total[p as usize] += v;
        }
    }
    /// A coefficient, or one category's kappa or specific agreement.
    #[derive(Clone, Copy)]
    enum Key {
        Coefficient(Coefficient),
        Category(usize),
        Specific(usize),
    }
    let of = |key: Key, sum: &[f64], level: ClassLevel| match key {
        Key::Coefficient(c) => c.of_tally(&layout, sum, level),
        Key::Category(j) => layout.category_kappa(sum, level, j),
        Key::Specific(j) => layout.specific_agreement(sum, level, j),
    };
    let keys: Vec<(ClassLevel, Key)> = ClassLevel::ALL
        .iter()
        .flat_map(|&level| {
            let categories = study.hierarchy.names(level).len() + 1;
            Coefficient::ALL
                .map(Key::Coefficient)
                .into_iter()
                .chain((0..categories).map(Key::Category))
                .chain((0..categories).map(Key::Specific))
                .map(move |key| (level, key))
        })
        .collect();
    let statistics: Vec<_> = keys
        .iter()
        .map(|&(level, key)| {
            let of = &of;
            move |s: &[f64]| of(key, s, level)
        })
        .collect();
    let borrowed: Vec<TallyStatistic<'_>> =
        statistics.iter().map(|s| s as TallyStatistic<'_>).collect();
    let intervals = bootstrap.map(|b| tally_bootstrap(&tallies, layout.width, &borrowed, b));
    let mut estimates: [Agreement; 3] = ClassLevel::ALL.map(|level| Agreement {
        units: layout.units(&total, level).round() as u64,
        ..Agreement::default()
    });
    for (k, &(level, key)) in keys.iter().enumerate() {
        let result = intervals.as_ref().and_then(|r| r[k].as_ref());
        let estimate = Estimate {
            value: of(key, &total, level),
            se: result.map(|r| r.se),
            ci95: result.and_then(|r| r.ci),
        };
        let slot = &mut estimates[level.position()];
        match key {
            Key::Coefficient(c) => {
                slot.coefficients.insert(c, estimate);
            }
            Key::Category(j) => {
                let names = study.hierarchy.names(level);
                slot.per_category.push(CategoryKappa {
                    category: names.get(j).cloned().unwrap_or_else(|| "undetected".into()),
                    share: layout.category_share(&total, level, j),
                    kappa: estimate,
                    specific_agreement: Estimate::default(),
                });
            }
            // After every category's kappa (the keys list them first).
            Key::Specific(j) => slot.per_category[j].specific_agreement = estimate,
        }
    }
    estimates
}

/// Alpha at one minimum IoU.
fn alpha_at(study: &Study<'_>, labelled: &[FovAnchors], min_iou: f64) -> AlphaAtMinIou {
    let all: Vec<usize> = (0..study.raters.len()).collect();
    let agreement = agreement_of(study, labelled, &all, None);
    AlphaAtMinIou {
        min_iou,
        anchors: labelled.iter().map(|f| f.anchors.len()).sum(),
        alpha_detection: agreement
            .each_ref()
            .map(|a| a.get(Coefficient::KrippendorffAlphaDetection).value),
        alpha_classification: agreement
            .each_ref()
            .map(|a| a.get(Coefficient::KrippendorffAlphaClassification).value),
    }
}

/// Alpha at the sweep's other cuts, summed FOV by FOV while the study is labelled (see
/// [`super::labelling::label_study_with_sweep`]): each FOV's tally of all raters, added in
/// the study's FOV order, as [`alpha_at`] sums a kept labelling.
pub struct SweepSums {
    tallier: SweepTallier,
    cuts: Vec<f64>,
    anchors: Vec<usize>,
    totals: Vec<Vec<f64>>,
}

/// What one FOV adds at one cut: its anchors and its sparse tally.
pub type SweepTally = (usize, Vec<(u32, f64)>);

/// Tallies one FOV's labelling at a cut, for [`SweepSums`].
#[derive(Debug, Clone)]
pub struct SweepTallier {
    layout: AgreementLayout,
    raters: Vec<usize>,
}

impl SweepTallier {
    /// One FOV's contribution at a cut: all raters' tally.
    pub fn tally(&self, study: &Study<'_>, fov: &FovAnchors) -> SweepTally {
        (
            fov.anchors.len(),
            self.layout.tally(fov, &self.raters, &study.hierarchy),
        )
    }
}

impl SweepSums {
    pub fn new(study: &Study<'_>, cuts: &[f64]) -> SweepSums {
        let layout = AgreementLayout::new(&study.hierarchy, study.raters.len());
        let width = layout.width;
        SweepSums {
            tallier: SweepTallier {
                layout,
                raters: (0..study.raters.len()).collect(),
            },
            cuts: cuts.to_vec(),
            anchors: vec![0; cuts.len()],
            totals: vec![vec![0.0; width]; cuts.len()],
        }
    }

    /// What tallies each FOV (a copy, so that sums can be added to while FOVs are tallied).
    pub fn tallier(&self) -> SweepTallier {
        self.tallier.clone()
    }

    /// Adds one FOV's contribution at cut `cut` (an index into the cuts).
    pub fn absorb(&mut self, cut: usize, (anchors, tally): SweepTally) {
        self.anchors[cut] += anchors;
        let total = &mut self.totals[cut];
        for (p, v) in tally {
            total[p as usize] += v;
        }
    }

    /// Alpha at each cut.
    pub fn finish(self) -> Vec<AlphaAtMinIou> {
        let layout = &self.tallier.layout;
        self.cuts
            .iter()
            .zip(&self.anchors)
            .zip(&self.totals)
            .map(|((&min_iou, &anchors), total)| {
                let at =
                    |c: Coefficient| ClassLevel::ALL.map(|level| c.of_tally(layout, total, level));
                AlphaAtMinIou {
                    min_iou,
                    anchors,
                    alpha_detection: at(Coefficient::KrippendorffAlphaDetection),
                    alpha_classification: at(Coefficient::KrippendorffAlphaClassification),
                }
            })
            .collect()
    }
}

/// Labels the study at the sweep's other cuts and returns alpha at each (the main cut's
/// labelling, made on the way, is dropped).
fn sweep_at_other_cuts(study: &Study<'_>, options: &AgreeOptions) -> Vec<AlphaAtMinIou> {
    let cuts = other_cuts(options);
    let mut sums = SweepSums::new(study, &cuts);
    let tallier = sums.tallier();
    label_study_with_sweep(
        study,
        options.min_iou,
        &cuts,
        &options.iou_options,
        options.crop,
        &|fov| tallier.tally(study, fov),
        &mut |cut, tally| sums.absorb(cut, tally),
    );
    sums.finish()
}

/// The minimum IoUs of the alpha sweep other than the main one, in increasing order.
pub fn other_cuts(options: &AgreeOptions) -> Vec<f64> {
    let mut cuts: Vec<f64> = options
        .min_iou_sweep
        .iter()
        .copied()
        .filter(|v| (v - options.min_iou).abs() >= 1e-12)
        .collect();
    cuts.sort_by(f64::total_cmp);
    cuts.dedup();
    cuts
}

/// The whole analysis of `study` (labelled at `options.min_iou`), with the inferred truth of
/// every anchor at each level (raw, main, super).
pub fn analyse(
    multi: &MultiRaterSet,
    study: &Study<'_>,
    eval_set: Option<&str>,
    labelled: &[FovAnchors],
    options: &AgreeOptions,
) -> (AgreementReport, [super::inference::LevelTruth; 3]) {
    let others = sweep_at_other_cuts(study, options);
    let intrarater = super::intrarater::intrarater_of(
        &super::intrarater::intrarater_labels(multi, eval_set, options),
        &study.hierarchy,
    );
    analyse_with_sweep(study, eval_set, labelled, others, intrarater, options)
}

/// As [`analyse`], with alpha at [`other_cuts`] already found (in that order), as
/// [`SweepSums`] does in the same pass as the main cut.
pub fn analyse_with_sweep(
    study: &Study<'_>,
    eval_set: Option<&str>,
    labelled: &[FovAnchors],
    others: Vec<AlphaAtMinIou>,
    intrarater: Vec<super::intrarater::Intrarater>,
    options: &AgreeOptions,
) -> (AgreementReport, [super::inference::LevelTruth; 3]) {
    let all: Vec<usize> = (0..study.raters.len()).collect();
    let groups = group_names(study);
    // The bootstrap and the re-clustering at other minimum IoUs run side by side.
    let (((overall, (by_group, group_differences)), truths), (min_iou_sweep, pairs_by_level)) =
        rayon::join(
            || {
                rayon::join(
                    || {
                        let overall =
                            agreement_of(study, labelled, &all, options.bootstrap.as_ref());
                        let by_group: Vec<(String, Vec<usize>, [Agreement; 3])> = groups
                            .iter()
                            .map(|g| {
                                let members: Vec<usize> = all
                                    .iter()
                                    .copied()
                                    .filter(|&r| &study.groups[r] == g)
                                    .collect();
                                let agreement = agreement_of(
                                    study,
                                    labelled,
                                    &members,
                                    options.bootstrap.as_ref(),
                                );
                                (g.clone(), members, agreement)
                            })
                            .collect();
                        let members: Vec<(String, Vec<usize>)> = by_group
                            .iter()
                            .map(|(g, m, _)| (g.clone(), m.clone()))
                            .collect();
                        let differences = super::group_difference::group_differences(
                            study,
                            labelled,
                            &members,
                            options.bootstrap.as_ref(),
                        );
                        (overall, (by_group, differences))
                    },
                    || super::raters::infer_levels(study, labelled, &options.truth),
                )
            },
            || {
                let mut sweep = others;
                sweep.push(alpha_at(study, labelled, options.min_iou));
                sweep.sort_by(|a, b| a.min_iou.total_cmp(&b.min_iou));
                let pairs = ClassLevel::ALL.map(|level| pairwise(study, labelled, level));
                (sweep, pairs)
            },
        );
    let level = |level: ClassLevel| {
        let slot = level.position();
        let pairs = pairs_by_level[slot].clone();
        let a = overall[slot].clone();
        let counts =
            super::counts::level_counts(labelled, study.raters.len(), &study.hierarchy, level);
        let count_agreement = std::iter::once(("all raters".to_string(), all.clone()))
            .chain(
                by_group
                    .iter()
                    .map(|(g, members, _)| (g.clone(), members.clone())),
            )
            .map(|(panel, members)| PanelCounts {
                panel,
                counts: super::counts::count_agreement(
                    labelled,
                    &counts,
                    &members,
                    &study.hierarchy,
                    level,
                ),
            })
            .collect();
        LevelAgreement {
            count_agreement,
            benchmarks: benchmarks_of(&a),
            coefficients: a.coefficients.iter().map(|(&c, e)| (c, e.value)).collect(),
            all_raters: a,
            groups: by_group
                .iter()
                .map(|(g, members, agreement)| {
                    let within: Vec<f64> = pairs
                        .iter()
                        .filter(|p| &p.group_a == g && &p.group_b == g)
                        .filter_map(|p| p.kappa)
                        .collect();
                    GroupAgreement {
                        group: g.clone(),
                        raters: members.iter().map(|&r| study.raters[r].clone()).collect(),
                        agreement: agreement[slot].clone(),
                        mean_pairwise_kappa: mean(&within),
                    }
                })
                .collect(),
            group_pairs: group_pairs(&groups, &pairs),
            pairwise_cohen: pairs,
        }
    };
    let levels = Levels {
        raw: level(ClassLevel::Raw),
        main: level(ClassLevel::Main),
        super_: level(ClassLevel::Super),
    };
    let max_detections = labelled
        .iter()
        .flat_map(|f| &f.anchors)
        .map(|a| a.detections())
        .max()
        .unwrap_or(0);
    let mut anchors_by_detections = vec![0; max_detections];
    for a in labelled.iter().flat_map(|f| &f.anchors) {
        anchors_by_detections[a.detections() - 1] += 1;
    }
    let raters = (0..study.raters.len())
        .map(|r| RaterInfo {
            rater: study.raters[r].clone(),
            group: study.groups[r].clone(),
            fovs: labelled.iter().filter(|f| f.annotated[r]).count(),
            nuclei: study.nuclei[r],
        })
        .collect();
    let truth = super::raters::truth_report(
        study,
        labelled,
        &truths,
        &levels.super_.pairwise_cohen,
        &options.truth,
        options.bootstrap.as_ref(),
    );
    let report = AgreementReport {
        command: "agree",
        version: env!("CARGO_PKG_VERSION"),
        params: Params {
            min_iou: options.min_iou,
            shape: options.iou_options.shape(),
            fov_crop: options.crop,
            eval_set: eval_set.map(String::from),
            groups_file: options.groups_file.clone(),
            bootstrap_replicates: options.bootstrap.as_ref().map_or(0, |b| b.replicates),
            seed: options.bootstrap.as_ref().map(|b| b.seed),
        },
        counts: Counts {
            fovs: labelled.len(),
            raters: study.raters.len(),
            anchors: labelled.iter().map(|f| f.anchors.len()).sum(),
            annotations: anchors_by_detections
                .iter()
                .enumerate()
                .map(|(i, n)| (i + 1) * n)
                .sum(),
            anchors_by_detections,
            cropped: labelled.iter().map(|f| f.cropped).sum(),
        },
        levels,
        raters,
        min_iou_sweep,
        intrarater,
        group_differences,
        by_detections: super::group_difference::by_detections(study, labelled),
        truth,
        boundary: Default::default(),
    };
    (report, truths)
}
