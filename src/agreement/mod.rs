//! The agreement analysis of a multi-rater study: anchors, labels, and agreement statistics.
//!
//! Steps, each a pure function: [`Study::new`] picks the raters of one evaluation set and
//! lines their FOVs up; [`anchors::cluster_fov`] clusters each FOV's nuclei into anchors;
//! [`label_fov`] gives each anchor and rater a [`Label`] (a class, `undetected`, or missing
//! when the rater did not annotate the FOV); [`tally`] and [`summary`] turn labels into Fleiss'
//! kappa, Krippendorff's alpha, Gwet's AC1 and pairwise Cohen's kappa at each class level, by
//! rater group, with bootstrap intervals over FOVs.

pub mod anchors;
pub mod raters;
pub mod summary;
pub mod tally;
pub mod truth;

use crate::geometry::{IouOptions, PreparedShape};
use crate::model::{BoundingBox, ClassHierarchy, ClassId, Fov, MultiRaterSet, RaterSet};
use anchors::{candidate_edges, cluster_edges, Anchor, Annotation};
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::sync::Arc;

/// What one rater says of one anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Label {
    /// The rater's nucleus in the anchor has this raw class.
    Class(ClassId),
    /// The rater annotated the FOV but has no nucleus in this anchor.
    Undetected,
    /// The rater did not annotate the FOV.
    Missing,
}

/// The raters of one evaluation set, and each FOV's annotations by rater.
#[derive(Debug, Clone)]
pub struct Study<'a> {
    /// Rater labels (`SP.1`, or `SP.1@E` when evaluation sets are pooled).
    pub raters: Vec<String>,
    /// The group of each rater.
    pub groups: Vec<String>,
    pub hierarchy: Arc<ClassHierarchy>,
    /// FOV names, sorted, with each rater's FOV (`None`: not annotated).
    pub fovs: Vec<(String, Vec<Option<&'a Fov>>)>,
}

/// A rater's group from its id: the part before the first '.', as NuCLS's SP/JP/NP prefixes.
pub fn group_of_rater(rater: &str) -> String {
    rater.split(['.', '@']).next().unwrap_or(rater).to_string()
}

/// The evaluation set with the most raters (the first by name on ties), or `None` when the
/// layout names none.
pub fn main_eval_set(study: &MultiRaterSet) -> Option<String> {
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for r in &study.raters {
        if let Some(e) = &r.eval_set {
            *counts.entry(e.as_str()).or_default() += 1;
        }
    }
    let best = counts.values().copied().max()?;
    counts
        .into_iter()
        .find(|(_, c)| *c == best)
        .map(|(e, _)| e.to_string())
}

impl<'a> Study<'a> {
    /// The raters of `eval_set` (all raters when `None`), with groups from `group_of`.
    pub fn new(
        study: &'a MultiRaterSet,
        eval_set: Option<&str>,
        group_of: &dyn Fn(&str) -> String,
    ) -> Study<'a> {
        let chosen: Vec<&RaterSet> = study
            .raters
            .iter()
            .filter(|r| eval_set.is_none() || r.eval_set.as_deref() == eval_set)
            .collect();
        let pooled = eval_set.is_none() && chosen.iter().any(|r| r.eval_set.is_some());
        let raters: Vec<String> = chosen
            .iter()
            .map(|r| if pooled { r.label() } else { r.rater.clone() })
            .collect();
        let groups = chosen.iter().map(|r| group_of(&r.rater)).collect();
        let names: BTreeSet<&str> = chosen
            .iter()
            .flat_map(|r| r.set.fovs.iter().map(|f| f.name.as_str()))
            .collect();
        let fovs = names
            .into_iter()
            .map(|name| {
                let by_rater = chosen.iter().map(|r| r.set.fov(name)).collect();
                (name.to_string(), by_rater)
            })
            .collect();
        let hierarchy = chosen
            .first()
            .map(|r| r.set.hierarchy.clone())
            .unwrap_or_else(|| Arc::new(ClassHierarchy::nucls()));
        Study {
            raters,
            groups,
            hierarchy,
            fovs,
        }
    }
}

/// One FOV's anchors with every rater's label.
#[derive(Debug, Clone, PartialEq)]
pub struct FovAnchors {
    pub fov: String,
    /// Whether each rater annotated the FOV.
    pub annotated: Vec<bool>,
    pub anchors: Vec<AnchorLabels>,
}

/// One anchor: where it is and what each rater says.
#[derive(Debug, Clone, PartialEq)]
pub struct AnchorLabels {
    pub bbox: BoundingBox,
    /// The rater whose nucleus is the medoid, and its position in that rater's FOV.
    pub medoid_rater: u16,
    pub medoid_nucleus: u32,
    /// Per rater.
    pub labels: Vec<Label>,
}

impl AnchorLabels {
    /// How many raters detected the anchor.
    pub fn detections(&self) -> usize {
        self.labels
            .iter()
            .filter(|l| matches!(l, Label::Class(_)))
            .count()
    }
}

/// Clusters one FOV of the study and labels its anchors.
pub fn label_fov(
    fov: &str,
    by_rater: &[Option<&Fov>],
    min_iou: f64,
    iou_options: &IouOptions,
) -> FovAnchors {
    label_fov_at(fov, by_rater, &[min_iou], iou_options)
        .pop()
        .expect("one cut")
}

/// Clusters one FOV at several cuts (one R-tree pass for all) and labels each clustering.
pub fn label_fov_at(
    fov: &str,
    by_rater: &[Option<&Fov>],
    cuts: &[f64],
    iou_options: &IouOptions,
) -> Vec<FovAnchors> {
    let mut annotations = Vec::new();
    for (rater, f) in by_rater.iter().enumerate() {
        if let Some(f) = f {
            for (i, n) in f.nuclei.iter().enumerate() {
                annotations.push(Annotation {
                    rater: rater as u16,
                    nucleus: i as u32,
                    shape: PreparedShape::for_iou(&n.shape, iou_options),
                });
            }
        }
    }
    let annotated: Vec<bool> = by_rater.iter().map(Option::is_some).collect();
    let lowest = cuts.iter().copied().fold(f64::INFINITY, f64::min);
    let edges = candidate_edges(&annotations, lowest, iou_options);
    cuts.iter()
        .map(|&cut| {
            let anchors = cluster_edges(&annotations, &edges, cut)
                .into_iter()
                .map(|anchor: Anchor| {
                    let mut labels: Vec<Label> = annotated
                        .iter()
                        .map(|&a| if a { Label::Undetected } else { Label::Missing })
                        .collect();
                    for &m in &anchor.members {
                        let a = &annotations[m as usize];
                        let nucleus = &by_rater[a.rater as usize]
                            .expect("a rater with nuclei annotated the FOV")
                            .nuclei[a.nucleus as usize];
                        labels[a.rater as usize] = Label::Class(nucleus.class.id);
                    }
                    AnchorLabels {
                        bbox: anchor.bbox,
                        medoid_rater: annotations[anchor.medoid as usize].rater,
                        medoid_nucleus: annotations[anchor.medoid as usize].nucleus,
                        labels,
                    }
                })
                .collect();
            FovAnchors {
                fov: fov.to_string(),
                annotated: annotated.clone(),
                anchors,
            }
        })
        .collect()
}

/// Clusters and labels every FOV of the study, in parallel.
pub fn label_study(study: &Study<'_>, min_iou: f64, iou_options: &IouOptions) -> Vec<FovAnchors> {
    label_study_at(study, &[min_iou], iou_options)
        .pop()
        .expect("one cut")
}

/// Clusters and labels every FOV at each cut: one study labelling per cut, in the cuts' order.
pub fn label_study_at(
    study: &Study<'_>,
    cuts: &[f64],
    iou_options: &IouOptions,
) -> Vec<Vec<FovAnchors>> {
    let per_fov: Vec<Vec<FovAnchors>> = study
        .fovs
        .par_iter()
        .map(|(name, by_rater)| label_fov_at(name, by_rater, cuts, iou_options))
        .collect();
    let mut per_cut: Vec<Vec<FovAnchors>> = cuts
        .iter()
        .map(|_| Vec::with_capacity(per_fov.len()))
        .collect();
    for fov in per_fov {
        for (cut, labelled) in per_cut.iter_mut().zip(fov) {
            cut.push(labelled);
        }
    }
    per_cut
}

/// One FOV of the inferred truth, as an annotation set holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct TruthFov {
    pub name: String,
    pub slide: Option<String>,
    pub hospital: Option<String>,
    pub region: Option<BoundingBox>,
    pub nuclei: Vec<crate::model::Nucleus>,
}

/// The inferred truth as annotation-set FOVs: each anchor whose raw-level truth is a class,
/// drawn as its medoid nucleus's outline with that class.
pub fn truth_fovs(
    study: &Study<'_>,
    labelled: &[FovAnchors],
    raw: &raters::LevelTruth,
) -> Vec<TruthFov> {
    let k = study.hierarchy.names(crate::model::ClassLevel::Raw).len();
    labelled
        .iter()
        .zip(&study.fovs)
        .zip(&raw.dawid_skene)
        .map(|((fov, (name, by_rater)), truth)| {
            let any = by_rater.iter().flatten().next();
            let nuclei = fov
                .anchors
                .iter()
                .zip(truth)
                .filter_map(|(anchor, t)| {
                    let (class, _) = (*t)?;
                    if class >= k {
                        return None;
                    }
                    let source = by_rater[anchor.medoid_rater as usize]?;
                    let medoid = &source.nuclei[anchor.medoid_nucleus as usize];
                    Some((medoid.shape.clone(), class))
                })
                .enumerate()
                .map(|(i, (shape, class))| {
                    crate::model::Nucleus::new(
                        i as u32 + 2,
                        shape,
                        crate::model::RawClass {
                            id: ClassId(class as u16),
                            correction: false,
                        },
                        None,
                    )
                })
                .collect();
            TruthFov {
                name: name.clone(),
                slide: any.and_then(|f| f.slide.clone()),
                hospital: any.and_then(|f| f.hospital.clone()),
                region: by_rater.iter().flatten().find_map(|f| f.region),
                nuclei,
            }
        })
        .collect()
}
