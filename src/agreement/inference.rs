//! The truth of a study's anchors inferred from raters' labels, at one class level: the
//! votes of the chosen raters per anchor, decided by majority vote and by Dawid-Skene.

use super::study::{FovAnchors, Label, Study};
use super::truth::{dawid_skene, majority_of, majority_vote, DawidSkeneOptions, LevelTruth, Votes};
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

/// The majority vote of the raters `chosen(fov index)` on every anchor, per FOV: the same
/// decisions as [`majority_vote`] of [`votes`] (ties to the category with the most of these
/// votes in the study, then the lowest index), counted in place without building the votes.
pub(super) fn majority_with(
    labelled: &[FovAnchors],
    level: ClassLevel,
    hierarchy: &ClassHierarchy,
    chosen: &(dyn Fn(usize) -> Vec<usize> + Sync),
) -> Vec<Vec<Option<usize>>> {
    let k = hierarchy.names(level).len() + 1;
    let who: Vec<Vec<usize>> = (0..labelled.len()).map(chosen).collect();
    let mut overall = vec![0usize; k];
    for (fov, raters) in labelled.iter().zip(&who) {
        for anchor in &fov.anchors {
            for &r in raters {
                if let Some(c) = category(anchor.labels[r], level, hierarchy) {
                    overall[c] += 1;
                }
            }
        }
    }
    let mut counts = vec![0usize; k];
    labelled
        .iter()
        .zip(&who)
        .map(|(fov, raters)| {
            fov.anchors
                .iter()
                .map(|anchor| {
                    counts.iter_mut().for_each(|c| *c = 0);
                    for &r in raters {
                        if let Some(c) = category(anchor.labels[r], level, hierarchy) {
                            counts[c] += 1;
                        }
                    }
                    majority_of(&counts, &overall)
                })
                .collect()
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agreement::truth::majority_vote;

    #[test]
    fn majority_in_place_equals_majority_of_the_votes() {
        let hierarchy = ClassHierarchy::nucls();
        let class = |name: &str| Label::Class(hierarchy.resolve(name).unwrap().id);
        let (t, l, p) = (class("tumor"), class("lymphocyte"), class("plasma_cell"));
        let (u, m) = (Label::Undetected, Label::Missing);
        // Ties between lymphocyte and plasma cell go to lymphocyte, the more frequent.
        let rows = [
            vec![t, t, l, m],
            vec![l, p, u, u],
            vec![p, l, l, p],
            vec![u, u, t, m],
            vec![p, p, l, l],
            vec![m, m, m, m],
        ];
        let labelled = vec![
            FovAnchors::of_labels(&rows[..3]),
            FovAnchors::of_labels(&rows[3..]),
        ];
        // Different raters in each FOV.
        let chosen = |f: usize| {
            if f == 0 {
                vec![0, 1, 2, 3]
            } else {
                vec![1, 2, 3]
            }
        };
        for level in ClassLevel::ALL {
            let expected = per_fov(
                &labelled,
                &majority_vote(&votes(&labelled, 4, level, &hierarchy, &chosen)),
            );
            let got = majority_with(&labelled, level, &hierarchy, &chosen);
            assert_eq!(got, expected, "{level}");
        }
        let raw = majority_with(&labelled, ClassLevel::Raw, &hierarchy, &chosen);
        let lymphocyte =
            hierarchy.index(hierarchy.resolve("lymphocyte").unwrap().id, ClassLevel::Raw);
        assert_eq!(raw[0][2], Some(lymphocyte));
        assert_eq!(raw[0][1], Some(hierarchy.names(ClassLevel::Raw).len()));
        assert_eq!(raw[1][2], None);
    }
}
