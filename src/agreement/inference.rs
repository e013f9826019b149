//! The truth of a study's anchors inferred from raters' labels, at one class level: the
//! votes of the chosen raters per anchor, decided by majority vote and by Dawid-Skene.

use super::study::{FovAnchors, Label, Study};
use super::truth::{dawid_skene, majority_vote, DawidSkeneOptions, LevelTruth, Votes};
use crate::model::{ClassHierarchy, ClassLevel};

pub(super) fn category(
    label: Label,
    level: ClassLevel,
    hierarchy: &ClassHierarchy,
) -> Option<usize> {
    let k = hierarchy.names(level).len();
    match label {
        Label::Class(id) => Some(hierarchy.index(id, level)),
        Label::Undetected => Some(k),
        Label::Missing => None,
    }
}

/// Votes of the raters `chosen(fov index)` on every anchor, flattened FOV by FOV.
pub(super) fn votes(
    labelled: &[FovAnchors],
    raters: usize,
    level: ClassLevel,
    hierarchy: &ClassHierarchy,
    chosen: &dyn Fn(usize) -> Vec<usize>,
) -> Votes {
    let mut items = Vec::new();
    for (f, fov) in labelled.iter().enumerate() {
        let who = chosen(f);
        for anchor in &fov.anchors {
            items.push(
                who.iter()
                    .filter_map(|&r| {
                        category(anchor.labels[r], level, hierarchy).map(|c| (r as u16, c as u16))
                    })
                    .collect(),
            );
        }
    }
    Votes {
        categories: hierarchy.names(level).len() + 1,
        raters,
        items,
    }
}

/// Splits a flat per-anchor vector back into FOVs.
pub(super) fn per_fov<T: Clone>(labelled: &[FovAnchors], flat: &[T]) -> Vec<Vec<T>> {
    let mut at = 0;
    labelled
        .iter()
        .map(|f| {
            let part = flat[at..at + f.anchors.len()].to_vec();
            at += f.anchors.len();
            part
        })
        .collect()
}

pub(super) fn infer_with(
    labelled: &[FovAnchors],
    raters: usize,
    level: ClassLevel,
    hierarchy: &ClassHierarchy,
    chosen: &dyn Fn(usize) -> Vec<usize>,
    options: Option<&DawidSkeneOptions>,
) -> LevelTruth {
    let v = votes(labelled, raters, level, hierarchy, chosen);
    let majority = majority_vote(&v);
    let (decisions, iterations, converged) = match options {
        Some(options) => {
            let ds = dawid_skene(&v, options);
            let decisions: Vec<Option<(usize, f64)>> = ds
                .decisions()
                .into_iter()
                .zip(&v.items)
                .map(|(d, item)| (!item.is_empty()).then_some(d))
                .collect();
            (decisions, ds.iterations, ds.converged)
        }
        None => (vec![None; v.items.len()], 0, false),
    };
    LevelTruth {
        majority: per_fov(labelled, &majority),
        dawid_skene: per_fov(labelled, &decisions),
        iterations,
        converged,
    }
}

/// The truth at `level` from the raters `panel`.
pub fn infer(
    study: &Study<'_>,
    labelled: &[FovAnchors],
    panel: &[usize],
    level: ClassLevel,
    options: &DawidSkeneOptions,
) -> LevelTruth {
    infer_with(
        labelled,
        study.raters.len(),
        level,
        &study.hierarchy,
        &|_| panel.to_vec(),
        Some(options),
    )
}

/// Dawid-Skene's decision per anchor, its posterior dropped.
pub(super) fn decided(truth: &LevelTruth) -> Vec<Vec<Option<usize>>> {
    truth
        .dawid_skene
        .iter()
        .map(|f| f.iter().map(|d| d.map(|x| x.0)).collect())
        .collect()
}
