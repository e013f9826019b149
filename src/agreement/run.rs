//! The agreement analysis end to end, as `nucagree agree` runs it: choose the evaluation set
//! and the raters' groups, cluster every FOV at the main cut and the alpha sweep's other cuts
//! in one pass, and compute the report and the inferred truth.

use super::boundary_summary::boundary_report;
use super::inference::LevelTruth;
use super::intrarater::{intrarater_labels, intrarater_of};
use super::labelling::label_study_with_sweep;
use super::options::AgreeOptions;
use super::pairwise::group_names;
use super::simulated::against_simulated;
use super::study::{group_of_rater, main_eval_set, FovAnchors, Study};
use super::summary::{
    analyse_with_sweep, other_cuts, AgreementReport, AlphaAtMinIou, SweepSums, SweepTally,
};
use super::truth_set::{study_geometry, FovGeometry};
use crate::model::{AnnotationSet, ClassLevel, MultiRaterSet};
use std::collections::HashMap;

/// Which evaluation set of the study is analysed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum EvalSetChoice {
    /// The set with the most raters (the first by name on ties).
    #[default]
    MostRaters,
    /// Every set pooled, each rater and set a rater of its own.
    All,
    /// The set of this name.
    Named(String),
}

impl std::str::FromStr for EvalSetChoice {
    type Err = std::convert::Infallible;

    /// `all`, or a set's name.
    fn from_str(name: &str) -> Result<EvalSetChoice, Self::Err> {
        Ok(match name {
            "all" => EvalSetChoice::All,
            name => EvalSetChoice::Named(name.to_string()),
        })
    }
}

/// Why a study cannot be analysed as asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AgreeError {
    #[error("no rater has the evaluation set {name:?}")]
    UnknownEvalSet { name: String },
    #[error("agreement needs at least two raters, found {found}")]
    TooFewRaters { found: usize },
    #[error("no rater is in the group {group:?} (groups: {})", groups.join(", "))]
    UnknownTruthGroup { group: String, groups: Vec<String> },
    #[error("the model's senior group {group:?}: no rater is in it (groups: {})", groups.join(", "))]
    UnknownSeniorGroup { group: String, groups: Vec<String> },
    /// A FOV whose raters' nuclei overlap past [`crate::matching::crowd::pair_limit`].
    #[error(transparent)]
    Crowded(#[from] crate::error::Error),
}

/// An analysed study: its raters, anchors, report and inferred truth at each level.
#[derive(Debug)]
pub struct Analysis<'a> {
    pub study: Study<'a>,
    pub eval_set: Option<String>,
    /// The anchors at the main cut.
    pub labelled: Vec<FovAnchors>,
    pub report: AgreementReport,
    pub truths: [LevelTruth; 3],
    /// Each labelled FOV's place and medoid outlines, for the truth set.
    pub geometry: Vec<FovGeometry>,
}

impl Analysis<'_> {
    /// Adds each inferred truth's agreement with the simulated truth (`simulated`, read from
    /// `path`) to the report.
    pub fn compare_with_simulated(
        &mut self,
        simulated: &AnnotationSet,
        path: &str,
        options: &AgreeOptions,
    ) {
        self.report.truth.against_simulated = against_simulated(
            &self.study.hierarchy,
            &self.geometry,
            &self.truths[0],
            simulated,
            &options.iou_options,
        );
        self.report.truth.simulated_truth = Some(path.to_string());
    }
}

impl Analysis<'_> {
    /// Adds the model (`predictions`, read from `path`) to the report as one more rater;
    /// refused when no rater is in the senior group.
    pub fn score_model(
        &mut self,
        predictions: &AnnotationSet,
        path: &str,
        options: &AgreeOptions,
        model: &super::model_rater::ModelOptions,
    ) -> Result<(), AgreeError> {
        use super::model_rater::{label_model, score_model, References};
        if !self.study.groups.contains(&model.senior_group) {
            return Err(AgreeError::UnknownSeniorGroup {
                group: model.senior_group.clone(),
                groups: group_names(&self.study),
            });
        }
        let labels = label_model(
            &self.geometry,
            predictions,
            options.min_iou,
            &options.iou_options,
            options.crop,
        );
        let panel = self.truths.each_ref().map(super::inference::decided);
        let truth = &self.report.truth;
        let references = References {
            panel: [&panel[0][..], &panel[1][..], &panel[2][..]],
            raters: &truth.references,
            scores: truth
                .raters
                .iter()
                .map(|r| ClassLevel::ALL.map(|l| (r.get(l).detection.f1, r.get(l).kappa)))
                .collect(),
        };
        let report = score_model(
            &self.study,
            &self.labelled,
            &labels,
            &references,
            path,
            model,
            options.bootstrap.as_ref(),
        );
        self.report.truth.model = Some(report);
        Ok(())
    }
}

/// Runs the analysis. `groups` maps rater ids to groups (raters it does not name are
/// `ungrouped`); `None` groups raters by their id's prefix. `stage` is called as each stage
/// ends ("clustering", "statistics", "outlines").
pub fn analyse_study<'a>(
    multi: &'a MultiRaterSet,
    choice: &EvalSetChoice,
    groups: Option<&HashMap<String, String>>,
    options: &AgreeOptions,
    stage: &mut dyn FnMut(&str),
) -> Result<Analysis<'a>, AgreeError> {
    let (study, eval_set) = prepare_study(multi, choice, groups, options)?;
    let (labelled, sweep) = label_with_sweep(&study, options, &mut |_, _| {});
    stage("clustering");
    let intrarater = intrarater_of(
        &intrarater_labels(multi, eval_set.as_deref(), options),
        &study.hierarchy,
    );
    let (report, truths) = analyse_with_sweep(
        &study,
        eval_set.as_deref(),
        &labelled,
        sweep,
        intrarater,
        options,
    );
    stage("statistics");
    let geometry = study_geometry(&study, &labelled, options.truth.outline);
    let mut report = report;
    report.boundary = boundary_report(&study, &geometry, options.truth.outline);
    stage("outlines");
    Ok(Analysis {
        study,
        eval_set,
        labelled,
        report,
        truths,
        geometry,
    })
}

/// The study as analysed: the evaluation set chosen, the raters grouped; refused when it
/// has fewer than two raters, a truth group no rater is in, or a crowd too large to cluster.
pub fn prepare_study<'a>(
    multi: &'a MultiRaterSet,
    choice: &EvalSetChoice,
    groups: Option<&HashMap<String, String>>,
    options: &AgreeOptions,
) -> Result<(Study<'a>, Option<String>), AgreeError> {
    let eval_set = match choice {
        EvalSetChoice::All => None,
        EvalSetChoice::Named(name) => {
            if !multi
                .raters
                .iter()
                .any(|r| r.eval_set.as_deref() == Some(name))
            {
                return Err(AgreeError::UnknownEvalSet { name: name.clone() });
            }
            Some(name.clone())
        }
        EvalSetChoice::MostRaters => main_eval_set(multi),
    };
    let group_of = |rater: &str| match groups {
        Some(map) => map
            .get(rater)
            .cloned()
            .unwrap_or_else(|| "ungrouped".to_string()),
        None => group_of_rater(rater),
    };
    let study = Study::new(multi, eval_set.as_deref(), &group_of);
    if study.raters.len() < 2 {
        return Err(AgreeError::TooFewRaters {
            found: study.raters.len(),
        });
    }
    for group in &options.truth.truth_from {
        if !study.groups.contains(group) {
            return Err(AgreeError::UnknownTruthGroup {
                group: group.clone(),
                groups: group_names(&study),
            });
        }
    }
    crate::matching::crowd::require_bounded_study(&study.fovs)?;
    Ok((study, eval_set))
}

/// Clusters and labels every FOV at the main cut and the alpha sweep's other cuts in one
/// pass (one R-tree pass and one agglomeration); alpha at the other cuts is summed as the
/// FOVs are labelled, each FOV's contribution also handed to `each` (cut, tally), FOV by FOV
/// in the study's order.
pub fn label_with_sweep(
    study: &Study<'_>,
    options: &AgreeOptions,
    each: &mut dyn FnMut(usize, &SweepTally),
) -> (Vec<FovAnchors>, Vec<AlphaAtMinIou>) {
    let cuts = other_cuts(options);
    let mut sweep = SweepSums::new(study, &cuts);
    let tallier = sweep.tallier();
    let labelled = label_study_with_sweep(
        study,
        options.min_iou,
        &cuts,
        &options.iou_options,
        options.crop,
        &|fov| tallier.tally(study, fov),
        &mut |cut, tally| {
            each(cut, &tally);
            sweep.absorb(cut, tally)
        },
    );
    (labelled, sweep.finish())
}
