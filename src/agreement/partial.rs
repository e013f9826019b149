//! Partial agreement analyses that merge exactly: each shard of the FOVs clustered and
//! labelled anywhere ([`partial_of_study`]), the shards' anchors merged into the analysis one
//! run over every FOV gives ([`merge_agreement`]) — bit for bit: the statistics (κ, α, AC1,
//! the inferred truths, the bootstrap over FOVs, the raters-needed draws) are computed from
//! the anchors' labels in the FOVs' order, as one run does; the alpha sweep's sums from each
//! FOV's tallies, added in that order; the truth set from each anchor's medoid outline.
//!
//! A shard keeps every rater of the study, with or without FOVs in it, so that every shard
//! chooses the same evaluation set and panel.

use super::boundary_summary::boundary_report;
use super::intrarater::{intrarater_labels, intrarater_of, IntraraterLabels};
use super::model_rater::ModelOptions;
use super::options::AgreeOptions;
use super::run::{label_with_sweep, prepare_study, AgreeError, Analysis, EvalSetChoice};
use super::study::{FovAnchors, Study};
use super::summary::{analyse_with_sweep, other_cuts, SweepSums, SweepTally};
use super::truth_set::{study_geometry, FovGeometry};
use crate::comparison::partial::{
    hierarchy_of_rows, require_disjoint, PARTIAL_FORMAT, PARTIAL_VERSION,
};
use crate::error::Error;
use crate::model::MultiRaterSet;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// One shard's agreement analysis before its statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct AgreementPartial {
    /// Where it was read from (for errors); empty when built in memory.
    pub path: PathBuf,
    pub header: AgreementHeader,
    /// The shard's FOVs labelled at the main cut, in the study's order (`header.fovs`).
    pub labelled: Vec<FovAnchors>,
    /// Each FOV's place and medoid outlines.
    pub geometry: Vec<FovGeometry>,
    /// Each FOV's contribution to alpha at each of the sweep's other cuts.
    pub sweep: Vec<Vec<SweepTally>>,
    /// Each intrarater pair's labelled FOVs (in `header.intrarater`'s order).
    pub intrarater: Vec<Vec<FovAnchors>>,
}

/// What an agreement partial's `partial.json` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgreementHeader {
    pub format: String,
    pub format_version: u32,
    pub version: String,
    /// `agree`.
    pub command: String,
    pub selection: String,
    pub options: AgreeOptions,
    pub eval_set: Option<String>,
    pub raters: Vec<String>,
    pub groups: Vec<String>,
    /// The class hierarchy, as `(raw, main, super)` rows.
    pub classes: Vec<[String; 3]>,
    /// Each rater's nuclei in the shard's FOVs.
    pub nuclei: Vec<usize>,
    /// The study, as the report names it.
    pub root: String,
    /// The simulated truth the merged analysis is compared with, where there is one.
    pub simulated_truth: Option<PathBuf>,
    /// The model the merged analysis scores as one more rater, where there is one.
    pub model: Option<ModelHeader>,
    /// The shard's FOVs, in the study's order.
    pub fovs: Vec<String>,
    /// The alpha sweep's other cuts.
    pub cuts: Vec<f64>,
    pub intrarater: Vec<IntraraterHeader>,
}

/// A model's predictions (read when the partials merge) and how it is compared with the
/// raters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelHeader {
    pub predictions: PathBuf,
    pub options: ModelOptions,
}

/// What a shard's partial names besides its anchors: its FOV selection, the study as the
/// report names it, and the simulated truth and model the merged analysis is compared with.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ShardSources {
    pub selection: String,
    pub root: String,
    pub simulated_truth: Option<PathBuf>,
    pub model: Option<ModelHeader>,
}

/// One intrarater pair of a shard: the rater, the two evaluation sets, the pair's rater labels
/// and groups, and the FOVs both sets hold in the shard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntraraterHeader {
    pub rater: String,
    pub eval_set_a: String,
    pub eval_set_b: String,
    pub raters: Vec<String>,
    pub groups: Vec<String>,
    pub fovs: Vec<String>,
}

/// Clusters and labels the FOVs `multi` holds (read with a FOV selection: one shard; FOVs
/// the selection does not keep are dropped here too), with the study chosen as one run over
/// every FOV chooses it; refused, as one run is, when the model's senior group has no rater.
pub fn partial_of_study(
    mut multi: MultiRaterSet,
    keeps: &dyn Fn(&str) -> bool,
    choice: &EvalSetChoice,
    groups: Option<&HashMap<String, String>>,
    options: &AgreeOptions,
    sources: ShardSources,
) -> Result<AgreementPartial, AgreeError> {
    for rater in &mut multi.raters {
        rater.set.fovs.retain(|fov| keeps(&fov.name));
    }
    let (study, eval_set) = prepare_study(&multi, choice, groups, options)?;
    if let Some(model) = &sources.model {
        if !study.groups.contains(&model.options.senior_group) {
            return Err(AgreeError::UnknownSeniorGroup {
                group: model.options.senior_group.clone(),
                groups: super::pairwise::group_names(&study),
            });
        }
    }
    let cuts = other_cuts(options);
    let mut sweep: Vec<Vec<SweepTally>> = Vec::new();
    let (labelled, _) = label_with_sweep(&study, options, &mut |cut, tally| {
        if cut == 0 {
            sweep.push(Vec::with_capacity(cuts.len()));
        }
        sweep
            .last_mut()
            .expect("cut 0 comes first")
            .push(tally.clone());
    });
    if cuts.is_empty() {
        sweep = vec![Vec::new(); labelled.len()];
    }
    let pairs = intrarater_labels(&multi, eval_set.as_deref(), options);
    let geometry = study_geometry(&study, &labelled, options.truth.outline);
    let header = AgreementHeader {
        format: PARTIAL_FORMAT.into(),
        format_version: PARTIAL_VERSION,
        version: env!("CARGO_PKG_VERSION").into(),
        command: "agree".into(),
        selection: sources.selection,
        options: options.clone(),
        eval_set,
        raters: study.raters.clone(),
        groups: study.groups.clone(),
        classes: study
            .hierarchy
            .rows()
            .map(|(raw, main, sup)| [raw.into(), main.into(), sup.into()])
            .collect(),
        nuclei: study.nuclei.clone(),
        root: sources.root,
        simulated_truth: sources.simulated_truth,
        model: sources.model,
        fovs: study.fovs.iter().map(|(name, _)| name.clone()).collect(),
        cuts,
        intrarater: pairs
            .iter()
            .map(|p| IntraraterHeader {
                rater: p.rater.clone(),
                eval_set_a: p.eval_set_a.clone(),
                eval_set_b: p.eval_set_b.clone(),
                raters: p.raters.clone(),
                groups: p.groups.clone(),
                fovs: p.labelled.iter().map(|f| f.fov.clone()).collect(),
            })
            .collect(),
    };
    Ok(AgreementPartial {
        path: PathBuf::new(),
        header,
        labelled,
        geometry,
        sweep,
        intrarater: pairs.into_iter().map(|p| p.labelled).collect(),
    })
}

/// Merges the partials of disjoint shards into the analysis one run over all their FOVs
/// gives (its study holds the raters, groups and classes, and each rater's nuclei, but no
/// FOVs: what the truth set needs of them is in the analysis's geometry). They must come
/// from one nucagree version with the same options, study, evaluation set and raters, and
/// hold no FOV twice.
pub fn merge_agreement(
    partials: &[AgreementPartial],
) -> crate::error::Result<(Analysis<'static>, AgreementHeader)> {
    let first = partials.first().ok_or_else(|| Error::Layout {
        path: PathBuf::from("merge"),
        message: "no partial given: expected at least one".into(),
    })?;
    let refuse = |partial: &AgreementPartial, message: String| Error::Layout {
        path: partial.path.clone(),
        message,
    };
    let pair_key = |h: &IntraraterHeader| {
        (
            h.rater.clone(),
            h.eval_set_a.clone(),
            h.eval_set_b.clone(),
            h.raters.clone(),
            h.groups.clone(),
        )
    };
    for partial in partials {
        let (h, f) = (&partial.header, &first.header);
        let differs = [
            ("the nucagree version", h.version != f.version),
            ("the options", h.options != f.options),
            ("the study", h.root != f.root),
            ("the evaluation set", h.eval_set != f.eval_set),
            (
                "the raters or their groups",
                (&h.raters, &h.groups) != (&f.raters, &f.groups),
            ),
            ("the classes", h.classes != f.classes),
            (
                "the simulated truth",
                h.simulated_truth != f.simulated_truth,
            ),
            ("the model or its options", h.model != f.model),
            (
                "the intrarater pairs",
                h.intrarater
                    .iter()
                    .map(pair_key)
                    .ne(f.intrarater.iter().map(pair_key)),
            ),
        ];
        if let Some((what, _)) = differs.iter().find(|(_, differ)| *differ) {
            return Err(refuse(
                partial,
                format!(
                    "{what} differ from those of {}: expected partials of one run",
                    first.path.display()
                ),
            ));
        }
    }
    require_disjoint(partials.iter().map(|p| {
        (
            p.path.as_path(),
            p.header.fovs.iter().map(String::as_str).collect(),
        )
    }))?;
    let header = first.header.clone();
    let hierarchy = Arc::new(
        hierarchy_of_rows(&header.classes).map_err(|e| refuse(first, format!("classes: {e}")))?,
    );
    // The FOVs in the study's order (by name).
    let mut order: Vec<(&str, usize, usize)> = partials
        .iter()
        .enumerate()
        .flat_map(|(k, p)| {
            p.header
                .fovs
                .iter()
                .enumerate()
                .map(move |(i, name)| (name.as_str(), k, i))
        })
        .collect();
    order.sort_by(|x, y| x.0.cmp(y.0));
    let labelled: Vec<FovAnchors> = order
        .iter()
        .map(|&(_, k, i)| partials[k].labelled[i].clone())
        .collect();
    let geometry: Vec<FovGeometry> = order
        .iter()
        .map(|&(_, k, i)| partials[k].geometry[i].clone())
        .collect();
    let study = Study {
        raters: header.raters.clone(),
        groups: header.groups.clone(),
        hierarchy: hierarchy.clone(),
        fovs: Vec::new(),
        nuclei: (0..header.raters.len())
            .map(|r| partials.iter().map(|p| p.header.nuclei[r]).sum())
            .collect(),
    };
    let mut sweep = SweepSums::new(&study, &header.cuts);
    for &(_, k, i) in &order {
        for (cut, tally) in partials[k].sweep[i].iter().enumerate() {
            sweep.absorb(cut, tally.clone());
        }
    }
    let pairs: Vec<IntraraterLabels> = header
        .intrarater
        .iter()
        .enumerate()
        .map(|(pair, h)| {
            let mut fovs: Vec<&FovAnchors> =
                partials.iter().flat_map(|p| &p.intrarater[pair]).collect();
            fovs.sort_by(|x, y| x.fov.cmp(&y.fov));
            IntraraterLabels {
                rater: h.rater.clone(),
                eval_set_a: h.eval_set_a.clone(),
                eval_set_b: h.eval_set_b.clone(),
                raters: h.raters.clone(),
                groups: h.groups.clone(),
                labelled: fovs.into_iter().cloned().collect(),
            }
        })
        .collect();
    let intrarater = intrarater_of(&pairs, &hierarchy);
    let (mut report, truths) = analyse_with_sweep(
        &study,
        header.eval_set.as_deref(),
        &labelled,
        sweep.finish(),
        intrarater,
        &header.options,
    );
    report.boundary = boundary_report(&study, &geometry, header.options.truth.outline);
    let analysis = Analysis {
        study,
        eval_set: header.eval_set.clone(),
        labelled,
        report,
        truths,
        geometry,
    };
    Ok((analysis, header))
}
