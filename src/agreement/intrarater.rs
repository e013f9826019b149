//! One rater against themself across two evaluation sets, by the anchor method of the
//! interrater analysis (the same clustering, cut and crop), so that intrarater and
//! interrater agreement are comparable.

use super::labelling::label_study_at;
use super::options::AgreeOptions;
use super::pairwise::pairwise;
use super::study::{group_of_rater, FovAnchors, Label, Study};
use crate::model::{ClassHierarchy, ClassLevel, MultiRaterSet};
use crate::stats::detection::DetectionCounts;
use serde::Serialize;
use std::sync::Arc;

/// One rater against themself across two evaluation sets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Intrarater {
    pub rater: String,
    /// The reference (main) evaluation set and the other one.
    pub eval_set_a: String,
    pub eval_set_b: String,
    pub fovs: usize,
    pub nuclei_a: usize,
    pub nuclei_b: usize,
    pub detection_f1: Option<f64>,
    /// Per level (raw, main, super): Cohen's κ over the anchors, `undetected` a category (as
    /// the pairwise κ between raters), and accuracy on the anchors both sets detected.
    pub kappa: [Option<f64>; 3],
    pub accuracy: [Option<f64>; 3],
}

/// One rater's two annotations of the FOVs both evaluation sets hold, labelled as a study of
/// two raters: what [`intrarater_of`] computes from.
#[derive(Debug, Clone, PartialEq)]
pub struct IntraraterLabels {
    pub rater: String,
    pub eval_set_a: String,
    pub eval_set_b: String,
    /// The two raters' labels in the pair's study, and their groups.
    pub raters: Vec<String>,
    pub groups: Vec<String>,
    pub labelled: Vec<FovAnchors>,
}

/// Each rater with more than one evaluation set, against themself: the other set and the
/// main one (`eval_set`) labelled on the FOVs both hold; nothing when no set is chosen.
pub fn intrarater_labels(
    multi: &MultiRaterSet,
    eval_set: Option<&str>,
    options: &AgreeOptions,
) -> Vec<IntraraterLabels> {
    let Some(main) = eval_set else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for reference in multi
        .raters
        .iter()
        .filter(|r| r.eval_set.as_deref() == Some(main))
    {
        for other in multi
            .raters
            .iter()
            .filter(|r| r.rater == reference.rater && r.eval_set.as_deref() != Some(main))
        {
            let pair = MultiRaterSet {
                root: multi.root.clone(),
                layout: multi.layout,
                raters: vec![reference.clone(), other.clone()],
            };
            let mut study = Study::new(&pair, None, &group_of_rater);
            study
                .fovs
                .retain(|(_, by_rater)| by_rater.iter().all(Option::is_some));
            let labelled = label_study_at(
                &study,
                &[options.min_iou],
                &options.iou_options,
                options.crop,
            )
            .pop()
            .expect("one cut");
            out.push(IntraraterLabels {
                rater: reference.rater.clone(),
                eval_set_a: main.to_string(),
                eval_set_b: other.eval_set.clone().unwrap_or_default(),
                raters: study.raters,
                groups: study.groups,
                labelled,
            });
        }
    }
    out
}

/// Intrarater agreement of each labelled pair (classes of `hierarchy`).
pub fn intrarater_of(
    pairs: &[IntraraterLabels],
    hierarchy: &Arc<ClassHierarchy>,
) -> Vec<Intrarater> {
    pairs
        .iter()
        .map(|pair| {
            let labelled = &pair.labelled;
            let study = Study {
                raters: pair.raters.clone(),
                groups: pair.groups.clone(),
                hierarchy: hierarchy.clone(),
                fovs: Vec::new(),
                nuclei: Vec::new(),
            };
            let mut detection = DetectionCounts::default();
            let (mut nuclei_a, mut nuclei_b) = (0, 0);
            for anchor in labelled.iter().flat_map(|f| &f.anchors) {
                let (a, b) = (anchor.labels[0], anchor.labels[1]);
                let (in_a, in_b) = (matches!(a, Label::Class(_)), matches!(b, Label::Class(_)));
                nuclei_a += usize::from(in_a);
                nuclei_b += usize::from(in_b);
                match (in_a, in_b) {
                    (true, true) => detection.tp += 1,
                    (true, false) => detection.fn_ += 1,
                    (false, true) => detection.fp += 1,
                    (false, false) => {}
                }
            }
            let accuracy = ClassLevel::ALL.map(|level| {
                let pairs: Vec<(usize, usize)> = labelled
                    .iter()
                    .flat_map(|f| &f.anchors)
                    .filter_map(|anchor| match (anchor.labels[0], anchor.labels[1]) {
                        (Label::Class(a), Label::Class(b)) => {
                            Some((hierarchy.index(a, level), hierarchy.index(b, level)))
                        }
                        _ => None,
                    })
                    .collect();
                (!pairs.is_empty()).then(|| {
                    pairs.iter().filter(|(a, b)| a == b).count() as f64 / pairs.len() as f64
                })
            });
            let kappa = ClassLevel::ALL.map(|level| {
                pairwise(&study, labelled, level)
                    .first()
                    .and_then(|p| p.kappa)
            });
            Intrarater {
                rater: pair.rater.clone(),
                eval_set_a: pair.eval_set_a.clone(),
                eval_set_b: pair.eval_set_b.clone(),
                fovs: labelled.len(),
                nuclei_a,
                nuclei_b,
                detection_f1: detection.f1(),
                kappa,
                accuracy,
            }
        })
        .collect()
}
