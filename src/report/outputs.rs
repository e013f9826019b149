//! What a run writes, as one value each: the tables of a comparison and of an agreement
//! analysis (the same frames the CSV and parquet files hold, for the Python bindings too),
//! and a comparison run written whole, its overlays drawn.

use crate::agreement::inference::LevelTruth;
use crate::agreement::summary::AgreementReport;
use crate::agreement::{FovAnchors, TruthFov};
use crate::comparison::run::{ComparisonReport, ComparisonRun, Job};
use crate::error::Result;
use crate::matching::table::FovMatchRows;
use crate::model::{AnnotationSet, ClassHierarchy, ClassLevel};
use polars::prelude::DataFrame;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Named tables, in the order the report lists them; each is written as `<name>.csv` and
/// `<name>.parquet`.
pub type Frames = Vec<(&'static str, DataFrame)>;

/// The tables of `compare` and `score`: per class, confusion, by FOV, slide, hospital and
/// fold, and where they apply folds, PR curves, score thresholds, the conventions' tables,
/// regions, and the match table (when `matches` is given).
pub fn comparison_frames(
    report: &ComparisonReport,
    matches: Option<&[FovMatchRows]>,
    hierarchy: &ClassHierarchy,
) -> Result<Frames> {
    use crate::tables::comparison as t;
    let r = &report.result;
    let mut frames: Frames = vec![
        ("per_class", t::per_class(report)?),
        ("confusion", t::confusion(report)?),
        ("by_fov", t::groups(&r.by_fov, "fov")?),
        ("by_slide", t::groups(&r.by_slide, "slide")?),
        ("by_hospital", t::groups(&r.by_hospital, "hospital")?),
        ("by_fold", t::groups(&r.by_fold, "fold")?),
    ];
    if let Some(frame) = t::folds(report)? {
        frames.push(("folds", frame));
    }
    if let Some(frame) = t::pr_curves(report)? {
        frames.push(("pr_curves", frame));
    }
    if let Some(frame) = t::score_thresholds(report)? {
        frames.push(("score_thresholds", frame));
    }
    if let Some(summary) = &report.conventions {
        use crate::tables::conventions as c;
        frames.push(("conventions", c::overview(Some(report), summary)?));
        frames.push(("conventions_per_class", c::per_class(summary)?));
        frames.push(("stardist", c::stardist_table(summary)?));
        frames.push(("instance_per_image", c::per_image(summary)?));
        frames.push(("image_counts", c::image_counts(summary)?));
    }
    if let Some(strata) = &report.region_strata {
        frames.push(("by_region", crate::tables::regions::strata(strata)?));
    }
    if let Some(rows) = matches {
        frames.push(("matches", crate::tables::match_table(rows, hierarchy)?));
    }
    Ok(frames)
}

/// What a comparison run writes beside its summary.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ComparisonWriting {
    /// Overlays of the FOVs with the most disagreement drawn into the report.
    pub overlays: usize,
    /// Whether the match table is written (it needs the run's rows).
    pub matches: bool,
    pub formats: super::ExtraFormats,
}

/// Writes a comparison run into `dir` (see [`super::write_comparison`]), drawing its
/// overlays on the FOV images found beside the sets.
pub fn write_comparison_run(
    dir: &Path,
    run: &ComparisonRun,
    writing: &ComparisonWriting,
) -> Result<Vec<PathBuf>> {
    let (a, b): (&AnnotationSet, &AnnotationSet) = (&run.a, &run.b);
    let image_of = |fov: &str| {
        [b, a]
            .iter()
            .find_map(|set| crate::ingest::images::fov_image(set, fov).ok().flatten())
    };
    let (reference, other) = match run.summary.command {
        Job::Score => ("truth", "prediction"),
        Job::Compare => ("B", "A"),
    };
    let names = crate::plots::OverlayNames {
        reference: reference.into(),
        other: other.into(),
    };
    let overlays = super::overlays::overlays(
        a,
        b,
        &run.rows,
        ClassLevel::Main,
        writing.overlays,
        &image_of,
        &names,
    );
    let matches = (writing.matches && !run.rows.is_empty()).then_some(&run.rows[..]);
    super::write_comparison(
        dir,
        &run.summary,
        matches,
        &b.hierarchy,
        &overlays,
        writing.formats,
    )
}

/// An agreement analysis as written: the report, the anchors, the inferred truths and the
/// truth set, with the raters, classes and study root they name.
#[derive(Debug, Clone)]
pub struct AgreementOutputs {
    pub report: AgreementReport,
    pub labelled: Vec<FovAnchors>,
    pub truths: [LevelTruth; 3],
    pub truth_set: Vec<TruthFov>,
    pub raters: Vec<String>,
    pub hierarchy: Arc<ClassHierarchy>,
    /// The study's path, as the report's title names it.
    pub root: String,
}

/// The tables of `agree`: anchors, rater scores and confusion, raters needed, pairwise,
/// groups, per category and the IoU-cut sweep.
pub fn agreement_frames(outputs: &AgreementOutputs) -> Result<Frames> {
    use crate::tables::agreement as t;
    let AgreementOutputs {
        report,
        labelled,
        truths,
        raters,
        hierarchy,
        ..
    } = outputs;
    Ok(vec![
        ("anchors", t::anchors(labelled, raters, hierarchy, truths)?),
        ("rater_scores", t::rater_scores(report)?),
        ("rater_confusion", t::rater_confusion(report, hierarchy)?),
        ("raters_needed", t::raters_needed(report)?),
        ("truth_methods", t::truth_methods(report)?),
        (
            "boundary_by_size",
            crate::tables::boundary::boundary_by_size(&report.boundary)?,
        ),
        (
            "boundary_by_rater",
            crate::tables::boundary::boundary_by_rater(&report.boundary)?,
        ),
        ("pairwise", t::pairwise(report)?),
        ("groups", t::groups(report)?),
        ("per_category", t::per_category(report)?),
        ("benchmarks", t::benchmarks(report)?),
        ("count_agreement", t::count_agreement(report)?),
        ("min_iou", t::min_iou_sweep(report)?),
    ])
}

impl AgreementOutputs {
    /// What the agreement partials of disjoint shards merge into (see
    /// [`crate::agreement::partial::merge_agreement`]), compared with the simulated truth the
    /// shards name, read in the study's classes.
    pub fn merged(
        partials: &[crate::agreement::partial::AgreementPartial],
    ) -> Result<AgreementOutputs> {
        let (mut analysis, header) = crate::agreement::partial::merge_agreement(partials)?;
        if let Some(path) = &header.simulated_truth {
            let read = crate::ingest::ReadOptions {
                hierarchy: analysis.study.hierarchy.clone(),
                hierarchy_chosen: true,
                ..crate::ingest::ReadOptions::default()
            };
            let simulated = crate::ingest::read_set(path, &read)?;
            analysis.compare_with_simulated(
                &simulated,
                &path.display().to_string(),
                &header.options,
            );
        }
        if let Some(model) = &header.model {
            let read = crate::ingest::ReadOptions {
                hierarchy: analysis.study.hierarchy.clone(),
                hierarchy_chosen: true,
                ..crate::ingest::ReadOptions::default()
            };
            let predictions = crate::ingest::read_set(&model.predictions, &read)?;
            analysis
                .score_model(
                    &predictions,
                    &model.predictions.display().to_string(),
                    &header.options,
                    &model.options,
                )
                .map_err(|e| crate::error::Error::Layout {
                    path: model.predictions.clone(),
                    message: format!("scoring the model: {e}"),
                })?;
        }
        Ok(AgreementOutputs::of(analysis, header.root))
    }

    /// What an analysis of the study at `root` writes (the raters' leave-one-out references,
    /// kept for a model to be scored against, are not written: they are let go here).
    pub fn of(analysis: crate::agreement::run::Analysis<'_>, root: String) -> AgreementOutputs {
        let classes = analysis.study.hierarchy.names(ClassLevel::Raw).len();
        let truth_set =
            crate::agreement::truth_fovs(&analysis.geometry, &analysis.truths[0], classes);
        let mut report = analysis.report;
        report.truth.references = Vec::new();
        AgreementOutputs {
            report,
            labelled: analysis.labelled,
            truths: analysis.truths,
            truth_set,
            raters: analysis.study.raters,
            hierarchy: analysis.study.hierarchy,
            root,
        }
    }
}
