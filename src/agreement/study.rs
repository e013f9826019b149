//! A multi-rater study as the analysis sees it: the raters of one evaluation set with their
//! groups, each FOV's annotations by rater, and each anchor's [`Label`] by rater.

use crate::model::{BoundingBox, ClassHierarchy, ClassId, Fov, MultiRaterSet, RaterSet};
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
    /// FOV names, sorted, with each rater's FOV (`None`: not annotated). Empty in a study
    /// merged from partials, whose statistics need only the anchors' labels.
    pub fovs: Vec<(String, Vec<Option<&'a Fov>>)>,
    /// Each rater's nuclei over the study's FOVs.
    pub nuclei: Vec<usize>,
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
        let fovs: Vec<(String, Vec<Option<&Fov>>)> = names
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
        let nuclei = (0..raters.len())
            .map(|r| {
                fovs.iter()
                    .filter_map(|(_, by_rater)| by_rater[r])
                    .map(|f| f.nuclei.len())
                    .sum()
            })
            .collect();
        Study {
            raters,
            groups,
            hierarchy,
            fovs,
            nuclei,
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
    /// Nuclei left out because they are centred outside the FOV region.
    pub cropped: usize,
}

impl FovAnchors {
    /// A FOV named "f" that every rater annotated, one anchor per row of labels (a unit box,
    /// the first rater's nucleus as the medoid): for tests of what is computed from labels.
    #[cfg(test)]
    pub(crate) fn of_labels(rows: &[Vec<Label>]) -> FovAnchors {
        FovAnchors {
            fov: "f".into(),
            annotated: vec![true; rows.first().map_or(0, Vec::len)],
            cropped: 0,
            anchors: rows
                .iter()
                .map(|labels| AnchorLabels {
                    bbox: crate::model::BoundingBox {
                        xmin: 0.0,
                        ymin: 0.0,
                        xmax: 1.0,
                        ymax: 1.0,
                    },
                    medoid_rater: 0,
                    medoid_nucleus: 0,
                    labels: labels.clone(),
                    nuclei: Vec::new(),
                })
                .collect(),
        }
    }
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
    /// Per rater, the position of its nucleus in its FOV where it has one; empty where not
    /// recorded (anchors of intrarater pairs, anchors built by hand).
    pub nuclei: Vec<Option<u32>>,
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
