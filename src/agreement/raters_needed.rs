//! How many raters a truth needs: for k = 2 .. N - 2, `draws` times (seeded), k raters are
//! drawn per FOV among those who annotated it, the truth is inferred from them alone, and
//! scored at the super-class level (detection F1 and classification MCC) against the truth
//! inferred, by the same method, from the panel's raters who were not drawn.

use super::inference::{decided, infer_with, majority_with};
use super::options::TruthOptions;
use super::study::{FovAnchors, Study};
use super::truth::DawidSkeneOptions;
use super::truth_method::{TruthMethod, TruthModelOptions};
use crate::model::ClassLevel;
use crate::random::Stream;
use crate::stats::detection::{matthews_correlation, DetectionCounts};
use crate::stats::moments::mean_sd;
use rayon::prelude::*;
use serde::Serialize;

/// The raters-needed curve at one number of raters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RatersNeeded {
    pub raters: usize,
    pub draws: usize,
    pub detection_f1_mean: Option<f64>,
    pub detection_f1_sd: Option<f64>,
    pub mcc_mean: Option<f64>,
    pub mcc_sd: Option<f64>,
}

/// The curve, one row per number of raters drawn.
pub fn raters_needed(
    study: &Study<'_>,
    labelled: &[FovAnchors],
    panel: &[usize],
    options: &TruthOptions,
    method: TruthMethod,
) -> Vec<RatersNeeded> {
    // Each draw's Dawid-Skene EM is bounded: hundreds of fits make the curve.
    let curve_models = TruthModelOptions {
        dawid_skene: DawidSkeneOptions {
            max_iterations: 100,
            likelihood_tolerance: 1e-7,
            ..options.models.dawid_skene
        },
        ..options.models
    };
    let n = study.raters.len();
    // The reference keeps at least two raters: k runs to N - 2.
    if options.draws == 0 || n < 4 {
        return Vec::new();
    }
    let k = study.hierarchy.names(ClassLevel::Super).len();
    let annotating: Vec<Vec<usize>> = labelled
        .iter()
        .map(|f| (0..n).filter(|&r| f.annotated[r]).collect())
        .collect();
    (2..=n - 2)
        .map(|size| {
            let results: Vec<(Option<f64>, Option<f64>)> = (0..options.draws)
                .into_par_iter()
                .map(|draw| {
                    let index = (size * 100_000 + draw) as u64;
                    let chosen = |f: usize| {
                        let mut stream =
                            Stream::new(options.seed, "raters-needed", index ^ ((f as u64) << 32));
                        let mut pool = annotating[f].clone();
                        // A partial Fisher-Yates shuffle: the first `size` are the draw.
                        let take = size.min(pool.len());
                        for i in 0..take {
                            let j = i + stream.below(pool.len() - i);
                            pool.swap(i, j);
                        }
                        pool.truncate(take);
                        pool
                    };
                    // The panel's raters not drawn, where at least two annotated the FOV.
                    let rest = |f: usize| {
                        let drawn = chosen(f);
                        let rest: Vec<usize> = annotating[f]
                            .iter()
                            .copied()
                            .filter(|r| panel.contains(r) && !drawn.contains(r))
                            .collect();
                        if rest.len() >= 2 {
                            rest
                        } else {
                            Vec::new()
                        }
                    };
                    let infer_from = |who: &(dyn Fn(usize) -> Vec<usize> + Sync)| {
                        if method == TruthMethod::MajorityVote {
                            return majority_with(
                                labelled,
                                ClassLevel::Super,
                                &study.hierarchy,
                                who,
                            );
                        }
                        let truth = infer_with(
                            labelled,
                            n,
                            ClassLevel::Super,
                            &study.hierarchy,
                            who,
                            Some((method, &curve_models)),
                            false,
                        );
                        decided(&truth)
                    };
                    let small = infer_from(&chosen);
                    let full = infer_from(&rest);
                    let mut counts = DetectionCounts::default();
                    let mut table = vec![vec![0.0; k]; k];
                    for (small, large) in small.iter().flatten().zip(full.iter().flatten()) {
                        // Anchors of FOVs whose reference has fewer than two raters are
                        // left out (no truth).
                        let (Some(s), Some(l)) = (small, large) else {
                            continue;
                        };
                        match (*s < k, *l < k) {
                            (true, true) => {
                                counts.tp += 1;
                                table[*s][*l] += 1.0;
                            }
                            (true, false) => counts.fp += 1,
                            (false, true) => counts.fn_ += 1,
                            (false, false) => {}
                        }
                    }
                    (counts.f1(), matthews_correlation(&table))
                })
                .collect();
            let f1: Vec<f64> = results.iter().filter_map(|r| r.0).collect();
            let mcc: Vec<f64> = results.iter().filter_map(|r| r.1).collect();
            let (f1_mean, f1_sd) = mean_sd(&f1);
            let (mcc_mean, mcc_sd) = mean_sd(&mcc);
            RatersNeeded {
                raters: size,
                draws: options.draws,
                detection_f1_mean: f1_mean,
                detection_f1_sd: f1_sd,
                mcc_mean,
                mcc_sd,
            }
        })
        .collect()
}
