//! Cohen's kappa of every pair of raters (`undetected` a category, over the anchors of the
//! FOVs both annotated), and its means within and between rater groups.

use super::study::{FovAnchors, Label, Study};
use crate::model::ClassLevel;
use crate::stats::cohen::{cohen_kappa, KappaWeights};
use crate::stats::moments::mean;
use rayon::prelude::*;
use serde::Serialize;

/// One pair of raters' Cohen's kappa, `undetected` a category, over the anchors of the FOVs
/// both annotated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairwiseCohen {
    pub rater_a: String,
    pub rater_b: String,
    pub group_a: String,
    pub group_b: String,
    pub n: u64,
    pub kappa: Option<f64>,
    /// Asymptotic standard error and normal 95% interval.
    pub se: Option<f64>,
    pub ci95: Option<[f64; 2]>,
}

/// Between two groups (or within one, when `group_a == group_b`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupPairKappa {
    pub group_a: String,
    pub group_b: String,
    pub pairs: usize,
    pub mean_kappa: Option<f64>,
    pub min_kappa: Option<f64>,
    pub max_kappa: Option<f64>,
}

/// Every pair of raters' Cohen's kappa at `level`.
pub fn pairwise(
    study: &Study<'_>,
    labelled: &[FovAnchors],
    level: ClassLevel,
) -> Vec<PairwiseCohen> {
    let r = study.raters.len();
    let k = study.hierarchy.names(level).len();
    let pairs: Vec<(usize, usize)> = (0..r)
        .flat_map(|a| ((a + 1)..r).map(move |b| (a, b)))
        .collect();
    let category = |l: Label| match l {
        Label::Class(id) => Some(study.hierarchy.index(id, level)),
        Label::Undetected => Some(k),
        Label::Missing => None,
    };
    pairs
        .par_iter()
        .map(|&(a, b)| {
            let mut table = vec![vec![0.0; k + 1]; k + 1];
            let mut n = 0u64;
            for fov in labelled {
                if !(fov.annotated[a] && fov.annotated[b]) {
                    continue;
                }
                for anchor in &fov.anchors {
                    if let (Some(x), Some(y)) =
                        (category(anchor.labels[a]), category(anchor.labels[b]))
                    {
                        table[x][y] += 1.0;
                        n += 1;
                    }
                }
            }
            let kappa = cohen_kappa(&table, &KappaWeights::Unweighted);
            PairwiseCohen {
                rater_a: study.raters[a].clone(),
                rater_b: study.raters[b].clone(),
                group_a: study.groups[a].clone(),
                group_b: study.groups[b].clone(),
                n,
                kappa: kappa.as_ref().map(|x| x.kappa),
                se: kappa.as_ref().map(|x| x.se),
                ci95: kappa.as_ref().map(|x| x.ci95),
            }
        })
        .collect()
}

/// The groups in order of first appearance among the raters.
pub fn group_names(study: &Study<'_>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for g in &study.groups {
        if !names.contains(g) {
            names.push(g.clone());
        }
    }
    names
}

/// Pairwise kappas summarised for every pair of groups (each group with itself too).
pub fn group_pairs(groups: &[String], pairwise: &[PairwiseCohen]) -> Vec<GroupPairKappa> {
    let mut out = Vec::new();
    for (i, ga) in groups.iter().enumerate() {
        for gb in &groups[i..] {
            let kappas: Vec<f64> = pairwise
                .iter()
                .filter(|p| {
                    (&p.group_a == ga && &p.group_b == gb) || (&p.group_a == gb && &p.group_b == ga)
                })
                .filter_map(|p| p.kappa)
                .collect();
            out.push(GroupPairKappa {
                group_a: ga.clone(),
                group_b: gb.clone(),
                pairs: kappas.len(),
                mean_kappa: mean(&kappas),
                min_kappa: kappas.iter().copied().reduce(f64::min),
                max_kappa: kappas.iter().copied().reduce(f64::max),
            });
        }
    }
    out
}
