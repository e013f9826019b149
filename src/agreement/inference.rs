//! The truth of a study's anchors inferred from raters' labels, at one class level: the
//! votes of the chosen raters per anchor, decided by majority vote and by the chosen model
//! of rater error (and, for the comparison, by every model).

use super::options::TruthOptions;
use super::study::{FovAnchors, Label, Study};
use super::truth::{majority_of, majority_vote, Votes};
use super::truth_method::{fit, TruthMethod, TruthModelOptions};
use crate::choice::Choice;
use crate::model::{ClassHierarchy, ClassLevel};
use rayon::prelude::*;

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

/// The truth of every anchor at one level, per FOV and anchor: a category (the level's class
/// index, or the class count for `undetected`), `None` where no chosen rater rated it.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelTruth {
    /// The method of `inferred`.
    pub method: TruthMethod,
    pub majority: Vec<Vec<Option<usize>>>,
    /// The truth by `method` and its posterior probability (for majority vote, the winner's
    /// share of the votes).
    pub inferred: Vec<Vec<Option<(usize, f64)>>>,
    pub iterations: usize,
    /// Whether the fit met its stopping rule; `None` without one (majority vote, MACE).
    pub converged: Option<bool>,
    /// Every method's truth from the same raters, in [`TruthMethod::ALL`]'s order, where the
    /// methods are compared (the full panel's truth); empty otherwise.
    ///
    /// [`TruthMethod::ALL`]: crate::choice::Choice::ALL
    pub by_method: Vec<MethodTruth>,
}

/// One method's truth at one level.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodTruth {
    pub method: TruthMethod,
    pub decisions: Vec<Vec<Option<usize>>>,
    pub iterations: usize,
    pub converged: Option<bool>,
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

/// The majority vote of each item with the winner's share of the votes.
fn majority_with_share(votes: &Votes) -> Vec<Option<(usize, f64)>> {
    majority_vote(votes)
        .into_iter()
        .zip(&votes.items)
        .map(|(m, item)| {
            m.map(|c| {
                let said = item.iter().filter(|&&(_, x)| x as usize == c).count();
                (c, said as f64 / item.len() as f64)
            })
        })
        .collect()
}

/// One method's decisions with their posteriors (`None` for items nobody rated), its
/// iterations and its convergence.
type MethodFit = (Vec<Option<(usize, f64)>>, usize, Option<bool>);

/// Fits one method.
fn fit_method(method: TruthMethod, votes: &Votes, models: &TruthModelOptions) -> MethodFit {
    match fit(method, votes, models) {
        None => (majority_with_share(votes), 0, None),
        Some(fitted) => {
            let decisions = fitted
                .decisions()
                .into_iter()
                .zip(&votes.items)
                .map(|(d, item)| (!item.is_empty()).then_some(d))
                .collect();
            (decisions, fitted.iterations, fitted.converged)
        }
    }
}

/// The truth of the raters `chosen(fov index)` by `method` (none: majority vote only), and,
/// when `compare`, every method's truth beside it.
pub(super) fn infer_with(
    labelled: &[FovAnchors],
    raters: usize,
    level: ClassLevel,
    hierarchy: &ClassHierarchy,
    chosen: &dyn Fn(usize) -> Vec<usize>,
    method: Option<(TruthMethod, &TruthModelOptions)>,
    compare: bool,
) -> LevelTruth {
    let v = votes(labelled, raters, level, hierarchy, chosen);
    let majority = majority_vote(&v);
    let (chosen_method, (inferred, iterations, converged)) = match method {
        Some((m, models)) => (m, fit_method(m, &v, models)),
        None => (
            TruthMethod::MajorityVote,
            (vec![None; v.items.len()], 0, None),
        ),
    };
    let by_method = match method {
        Some((_, models)) if compare => TruthMethod::ALL
            .par_iter()
            .map(|&m| {
                let (decisions, iterations, converged) = if m == chosen_method {
                    (inferred.clone(), iterations, converged)
                } else {
                    fit_method(m, &v, models)
                };
                let decisions: Vec<Option<usize>> =
                    decisions.iter().map(|d| d.map(|x| x.0)).collect();
                MethodTruth {
                    method: m,
                    decisions: per_fov(labelled, &decisions),
                    iterations,
                    converged,
                }
            })
            .collect(),
        _ => Vec::new(),
    };
    LevelTruth {
        method: chosen_method,
        majority: per_fov(labelled, &majority),
        inferred: per_fov(labelled, &inferred),
        iterations,
        converged,
        by_method,
    }
}

/// The truth at `level` from the raters `panel` by the options' method; with `compare`,
/// every method's truth beside it.
pub fn infer(
    study: &Study<'_>,
    labelled: &[FovAnchors],
    panel: &[usize],
    level: ClassLevel,
    options: &TruthOptions,
    compare: bool,
) -> LevelTruth {
    infer_with(
        labelled,
        study.raters.len(),
        level,
        &study.hierarchy,
        &|_| panel.to_vec(),
        Some((options.method, &options.models)),
        compare,
    )
}

/// The inferred truth's decision per anchor, its posterior dropped.
pub(super) fn decided(truth: &LevelTruth) -> Vec<Vec<Option<usize>>> {
    truth
        .inferred
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
