//! The model as one more rater: a prediction set over the study's FOVs, labelled on the
//! study's anchors, scored against the truths the raters are scored against, ranked among
//! them, and compared with the senior group by a paired bootstrap over FOVs with a one-sided
//! non-inferiority test.
//!
//! - **Labels.** In each FOV the model predicted, its nuclei are matched one-to-one to the
//!   anchors' medoids (IoU at least the clustering's cut, maximum total IoU, nuclei centred
//!   outside the FOV region left out, as `compare` matches): an anchor's label is its
//!   matched nucleus's class, or `undetected`. A model nucleus matched to no anchor is a
//!   nucleus no rater drew, where the truth is no nucleus: a false positive.
//! - **References.** Raters of the truth panel are scored against the truth of the panel
//!   without them; the model against the full panel's truth, and, paired with each rater,
//!   against that rater's own reference. Its rank among the raters uses the mean of its
//!   scores over the raters' references, each a truth of as many raters as theirs.
//! - **Against the senior group.** Difference = mean over the group's raters of (the model's
//!   score − the rater's score), each pair on the same reference and the FOVs both
//!   annotated; its interval resamples FOVs (the same draws for every term). Non-inferiority
//!   of Cohen's κ: H0 difference ≤ −margin, rejected at level α when the one-sided 1 − α
//!   lower bound (the lower end of the two-sided 1 − 2α interval) exceeds −margin.

pub use super::anchor_scores::ModelFov;
use super::anchor_scores::{f1_of, figures, kappa_of, summed, tallies, FovTally, Who};
use super::study::{FovAnchors, Label, Study};
use super::truth_set::FovGeometry;
use crate::geometry::IouOptions;
use crate::matching::{match_fov, Criterion, FovCrop, MatchOptions};
use crate::model::{AnnotationSet, ClassLevel, Fov, Nucleus};
use crate::stats::bootstrap::{tally_bootstrap, BootstrapOptions, TallyStatistic};
use crate::stats::detection::Detection;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// How the model is compared with the raters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelOptions {
    /// The group the model is compared with.
    pub senior_group: String,
    /// The non-inferiority margin on Cohen's κ.
    pub margin: f64,
    /// The test's level (one-sided).
    pub alpha: f64,
}

impl Default for ModelOptions {
    fn default() -> ModelOptions {
        ModelOptions {
            senior_group: "SP".to_string(),
            margin: 0.05,
            alpha: 0.05,
        }
    }
}

/// Labels the model's predictions on the anchors: per labelled FOV, `None` where the
/// prediction set has no FOV of that name.
pub fn label_model(
    geometry: &[FovGeometry],
    predictions: &AnnotationSet,
    min_iou: f64,
    iou_options: &IouOptions,
    crop: FovCrop,
) -> Vec<Option<ModelFov>> {
    let by_name: HashMap<&str, &Fov> = predictions
        .fovs
        .iter()
        .map(|f| (f.name.as_str(), f))
        .collect();
    let options = MatchOptions {
        criterion: Criterion::Iou {
            threshold: min_iou,
            options: *iou_options,
        },
        crop,
        ..MatchOptions::default()
    };
    geometry
        .iter()
        .map(|fov| {
            let predicted = by_name.get(fov.name.as_str())?;
            // The medoids as a FOV, and which anchor each of its nuclei is.
            let mut anchor_of = Vec::new();
            let mut nuclei = Vec::new();
            for (anchor, medoid) in fov.outlines.iter().enumerate() {
                if let Some(shape) = medoid {
                    anchor_of.push(anchor);
                    nuclei.push(Nucleus::new(
                        nuclei.len() as u32 + 2,
                        shape.clone(),
                        crate::model::RawClass {
                            id: crate::model::ClassId(0),
                            correction: false,
                        },
                        None,
                    ));
                }
            }
            let medoids = Fov {
                name: fov.name.clone(),
                source: std::path::PathBuf::from(&fov.name),
                slide: None,
                hospital: None,
                region: fov.region,
                image_size: None,
                test_fold: None,
                group: None,
                label_map: None,
                measurements: None,
                nuclei,
            };
            let matched = match_fov(predicted, &medoids, &options);
            let mut labels = vec![Label::Undetected; fov.outlines.len()];
            for pair in &matched.pairs {
                labels[anchor_of[pair.b as usize]] =
                    Label::Class(predicted.nuclei[pair.a as usize].class.id);
            }
            Some(ModelFov {
                labels,
                unmatched: matched
                    .unmatched_a
                    .iter()
                    .map(|&i| predicted.nuclei[i as usize].class.id)
                    .collect(),
            })
        })
        .collect()
}

/// The model at one level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelLevel {
    pub level: ClassLevel,
    /// Against the full panel's truth.
    pub detection: Detection,
    pub accuracy: Option<f64>,
    pub kappa: Option<f64>,
    pub mcc: Option<f64>,
    /// The mean of its F1 and κ over the raters' references, and its rank by each among the
    /// raters' own (1 the best; a tie takes the better rank), out of `ranked` (the raters
    /// with a value, and the model).
    pub reference_f1: Option<f64>,
    pub reference_kappa: Option<f64>,
    pub rank_f1: Option<usize>,
    pub rank_kappa: Option<usize>,
    pub ranked: usize,
    /// The senior group's mean F1 and κ, each rater on the FOVs they share with the model.
    pub senior_f1: Option<f64>,
    pub senior_kappa: Option<f64>,
    /// The model's minus the senior group's, paired on each senior rater's reference, with
    /// bootstrap intervals over FOVs.
    pub difference_f1: Option<f64>,
    pub difference_f1_ci95: Option<[f64; 2]>,
    pub difference_kappa: Option<f64>,
    pub difference_kappa_ci95: Option<[f64; 2]>,
    /// The one-sided 1 − α lower bound of the κ difference, and whether it exceeds −margin
    /// (non-inferior); `None` without a bootstrap or a senior rater.
    pub kappa_lower_bound: Option<f64>,
    pub non_inferior: Option<bool>,
}

/// The model among the raters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelReport {
    /// The prediction set's path.
    pub predictions: String,
    /// The study's FOVs the model predicted, and those it has no FOV for (left out).
    pub fovs: usize,
    pub fovs_missing: usize,
    /// Its nuclei on anchors, and those matched to no anchor (false positives).
    pub matched: usize,
    pub unmatched: usize,
    pub options: ModelOptions,
    /// The senior group's raters.
    pub seniors: Vec<String>,
    pub levels: Vec<ModelLevel>,
}

/// What the model is scored with: the full panel's truth and each rater's reference, per
/// level, and the raters' own scores.
pub struct References<'a> {
    pub panel: [&'a [Vec<Option<usize>>]; 3],
    /// `raters[r][level]`: the truth rater `r` is scored against.
    pub raters: &'a [[Vec<Vec<Option<usize>>>; 3]],
    /// `scores[r][level]`: rater `r`'s detection F1 and Cohen's κ against their reference.
    pub scores: Vec<[(Option<f64>, Option<f64>); 3]>,
}

/// 1 + the raters whose value is higher than the model's.
fn rank(model: Option<f64>, raters: &[Option<f64>]) -> Option<usize> {
    let model = model?;
    Some(1 + raters.iter().flatten().filter(|&&v| v > model).count())
}

fn mean(values: &[Option<f64>]) -> Option<f64> {
    let present: Option<Vec<f64>> = values.iter().copied().collect();
    present
        .filter(|v| !v.is_empty())
        .map(|v| v.iter().sum::<f64>() / v.len() as f64)
}

/// Scores the model (`model`, from [`label_model`]) at every level.
pub fn score_model(
    study: &Study<'_>,
    labelled: &[FovAnchors],
    model: &[Option<ModelFov>],
    references: &References<'_>,
    predictions: &str,
    options: &ModelOptions,
    bootstrap: Option<&BootstrapOptions>,
) -> ModelReport {
    let hierarchy = &study.hierarchy;
    let seniors: Vec<usize> = (0..study.raters.len())
        .filter(|&r| study.groups[r] == options.senior_group)
        .collect();
    let levels = ClassLevel::ALL
        .iter()
        .enumerate()
        .map(|(l, &level)| {
            let k = hierarchy.names(level).len();
            let width = 3 + k * k;
            let panel = figures(
                &summed(
                    &tallies(
                        labelled,
                        Who::Model(model),
                        references.panel[l],
                        level,
                        hierarchy,
                    ),
                    k,
                ),
                k,
            );
            // The model against each rater's reference.
            let on_reference: Vec<Vec<Option<FovTally>>> = references
                .raters
                .iter()
                .map(|truth| tallies(labelled, Who::Model(model), &truth[l], level, hierarchy))
                .collect();
            let reference_f1 = mean(
                &on_reference
                    .iter()
                    .map(|t| f1_of(&summed(t, k)))
                    .collect::<Vec<_>>(),
            );
            let reference_kappa = mean(
                &on_reference
                    .iter()
                    .map(|t| kappa_of(&summed(t, k), k))
                    .collect::<Vec<_>>(),
            );
            let rater_f1: Vec<Option<f64>> = references.scores.iter().map(|s| s[l].0).collect();
            let rater_kappa: Vec<Option<f64>> = references.scores.iter().map(|s| s[l].1).collect();
            // Per FOV, one block pair per senior rater: the model and the rater, both on the
            // rater's reference, where both annotated the FOV.
            let senior_tallies: Vec<Vec<Option<FovTally>>> = seniors
                .iter()
                .map(|&s| {
                    tallies(
                        labelled,
                        Who::Rater(s),
                        &references.raters[s][l],
                        level,
                        hierarchy,
                    )
                })
                .collect();
            let per_fov: Vec<Vec<(u32, f64)>> = (0..labelled.len())
                .map(|f| {
                    let mut entries = Vec::new();
                    for (j, &s) in seniors.iter().enumerate() {
                        let (Some(m), Some(r)) = (&on_reference[s][f], &senior_tallies[j][f])
                        else {
                            continue;
                        };
                        for (block, t) in [(2 * j, m), (2 * j + 1, r)] {
                            let values = t.counts.iter().chain(&t.confusion);
                            for (i, &v) in values.enumerate() {
                                if v != 0.0 {
                                    entries.push(((block * width + i) as u32, v));
                                }
                            }
                        }
                    }
                    entries
                })
                .collect();
            let blocks = |sum: &[f64], j: usize| {
                (
                    sum[2 * j * width..][..width].to_vec(),
                    sum[(2 * j + 1) * width..][..width].to_vec(),
                )
            };
            let n = seniors.len();
            let difference = |sum: &[f64], figure: &dyn Fn(&[f64]) -> Option<f64>| {
                let terms: Vec<Option<f64>> = (0..n)
                    .map(|j| {
                        let (m, r) = blocks(sum, j);
                        Some(figure(&m)? - figure(&r)?)
                    })
                    .collect();
                mean(&terms)
            };
            let kappa = |b: &[f64]| kappa_of(b, k);
            let difference_f1 = |sum: &[f64]| difference(sum, &f1_of);
            let difference_kappa = |sum: &[f64]| difference(sum, &kappa);
            let mut total = vec![0.0; 2 * n * width];
            for entries in &per_fov {
                for &(p, v) in entries {
                    total[p as usize] += v;
                }
            }
            let senior_mean = |figure: &dyn Fn(&[f64]) -> Option<f64>| {
                mean(
                    &(0..n)
                        .map(|j| figure(&blocks(&total, j).1))
                        .collect::<Vec<_>>(),
                )
            };
            let statistics: [TallyStatistic<'_>; 2] = [&difference_f1, &difference_kappa];
            let (intervals, bound) = match bootstrap {
                Some(b) if n > 0 => {
                    let two_sided = tally_bootstrap(&per_fov, total.len(), &statistics, b);
                    let one_sided = BootstrapOptions {
                        level: 1.0 - 2.0 * options.alpha,
                        ..b.clone()
                    };
                    let bound =
                        tally_bootstrap(&per_fov, total.len(), &statistics[1..], &one_sided);
                    (
                        [0, 1].map(|i| two_sided[i].as_ref().and_then(|r| r.ci)),
                        bound[0].as_ref().and_then(|r| r.ci).map(|ci| ci[0]),
                    )
                }
                _ => ([None, None], None),
            };
            ModelLevel {
                level,
                detection: panel.detection,
                accuracy: panel.accuracy,
                kappa: panel.kappa,
                mcc: panel.mcc,
                reference_f1,
                reference_kappa,
                rank_f1: rank(reference_f1, &rater_f1),
                rank_kappa: rank(reference_kappa, &rater_kappa),
                ranked: 1 + rater_kappa.iter().flatten().count(),
                senior_f1: senior_mean(&f1_of),
                senior_kappa: senior_mean(&kappa),
                difference_f1: difference_f1(&total),
                difference_f1_ci95: intervals[0],
                difference_kappa: difference_kappa(&total),
                difference_kappa_ci95: intervals[1],
                kappa_lower_bound: bound,
                non_inferior: bound.map(|b| b > -options.margin),
            }
        })
        .collect();
    let fovs = model.iter().flatten().count();
    ModelReport {
        predictions: predictions.to_string(),
        fovs,
        fovs_missing: model.len() - fovs,
        matched: model
            .iter()
            .flatten()
            .map(|m| {
                m.labels
                    .iter()
                    .filter(|l| matches!(l, Label::Class(_)))
                    .count()
            })
            .sum(),
        unmatched: model.iter().flatten().map(|m| m.unmatched.len()).sum(),
        options: options.clone(),
        seniors: seniors.iter().map(|&s| study.raters[s].clone()).collect(),
        levels,
    }
}
