//! One comparison end to end, on sets in memory: match every shared FOV, evaluate, summarise,
//! and wrap the result with its inputs, parameters, counts and data-quality findings as
//! `summary.json` lays them out.

use super::outcome::{evaluate_fov, FovOutcome};
use super::roles::{AmbiguousMode, ClassRoles};
use super::summary::{summarize, Comparison, SummaryOptions};
use super::tally::SegmentationPairs;
use crate::conventions::{
    summarize_levels, Convention, ConventionsOptions, ConventionsSummary, LevelConventions,
};
use crate::geometry::{IouShape, PixelConvention};
use crate::matching::pairing::FovPairing;
use crate::matching::table::{match_rows, FovMatchRows};
use crate::matching::tiles::{split_match, TileSize};
use crate::matching::{match_fov, Assignment, Criterion, CriterionKind, FovCrop, MatchOptions};
use crate::model::AnnotationSet;
use crate::stats::bootstrap::BootstrapOptions;
use rayon::prelude::*;
use serde::Serialize;

/// Which job the comparison is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// Two annotation sets, B the reference.
    Compare,
    /// A model's predictions (A) against the truth (B).
    Score,
}

crate::choices!(Job {
    Compare => "compare",
    Score => "score",
});

#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonOptions {
    pub job: Job,
    pub matching: MatchOptions,
    pub ambiguous: AmbiguousMode,
    pub bootstrap: Option<BootstrapOptions>,
    pub score_threshold: f64,
    pub folds: bool,
    /// StarDist's thresholds, for the conventions section.
    pub conventions: ConventionsOptions,
    /// Which convention's figures lead the headline.
    pub convention: Convention,
    /// Split each FOV's matching into tiles of this size (whole slides): the tiles are the
    /// units of the per-FOV figures and of the bootstrap.
    pub tile: Option<TileSize>,
    /// The regions of interest file the sets were restricted to (`--roi`), for the methods.
    pub roi: Option<std::path::PathBuf>,
}

impl Default for ComparisonOptions {
    /// `compare` as the command line runs it by default: optimal matching at IoU 0.5 of the
    /// outlines with the reference's FOV crop, ambiguous nuclei for detection only, 1,000 BCa
    /// bootstrap replicates (seed 2022), F1 at score 0.5, no folds.
    fn default() -> ComparisonOptions {
        ComparisonOptions {
            job: Job::Compare,
            matching: MatchOptions::default(),
            ambiguous: AmbiguousMode::default(),
            bootstrap: Some(BootstrapOptions::default()),
            score_threshold: 0.5,
            folds: false,
            conventions: ConventionsOptions::default(),
            convention: Convention::default(),
            tile: None,
            roi: None,
        }
    }
}

/// The parameters as `summary.json` names them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Params {
    /// `null` under centroid matching.
    pub iou_threshold: Option<f64>,
    pub matching: Assignment,
    pub shape: IouShape,
    pub ambiguous: AmbiguousMode,
    #[serde(rename = "match")]
    pub criterion: CriterionKind,
    pub radius_px: Option<f64>,
    pub pixel_convention: PixelConvention,
    pub fov_crop: FovCrop,
    pub bootstrap_replicates: usize,
    pub bootstrap_method: Option<crate::stats::bootstrap::IntervalMethod>,
    pub seed: Option<u64>,
    pub score_threshold: Option<f64>,
    /// The convention leading the headline.
    pub convention: Convention,
    /// StarDist's IoU thresholds in the conventions.
    pub stardist_thresholds: Vec<f64>,
    /// The tile side in pixels, when FOVs were split into tiles; `null` otherwise.
    pub tile_px: Option<f64>,
    /// The regions of interest file (`--roi`); `null` without one.
    pub roi: Option<String>,
}

impl Params {
    pub fn of(options: &ComparisonOptions) -> Params {
        let (iou_threshold, radius_px, iou_options) = match options.matching.criterion {
            Criterion::Iou { threshold, options } => (Some(threshold), None, options),
            Criterion::Centroid { radius_px } => (None, Some(radius_px), Default::default()),
        };
        Params {
            iou_threshold,
            matching: options.matching.assignment,
            shape: iou_options.shape(),
            ambiguous: options.ambiguous,
            criterion: options.matching.criterion.kind(),
            radius_px,
            pixel_convention: iou_options.pixels(),
            fov_crop: options.matching.crop,
            bootstrap_replicates: options.bootstrap.as_ref().map_or(0, |b| b.replicates),
            bootstrap_method: options.bootstrap.as_ref().map(|b| b.method),
            seed: options.bootstrap.as_ref().map(|b| b.seed),
            score_threshold: (options.job == Job::Score).then_some(options.score_threshold),
            convention: options.convention,
            stardist_thresholds: options.conventions.thresholds.clone(),
            tile_px: options.tile.map(TileSize::pixels),
            roi: options.roi.as_ref().map(|p| p.display().to_string()),
        }
    }
}

/// Counts after the FOV crop; for `score`, `a` is the predictions and `b` the truth.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Counts {
    pub fovs: usize,
    pub a: usize,
    pub b: usize,
    pub cropped_a: usize,
    pub cropped_b: usize,
    pub fovs_only_in_a: Vec<String>,
    pub fovs_only_in_b: Vec<String>,
    /// Self-intersecting outlines compared by their bounding box.
    pub replaced_by_box: usize,
    /// Groups of overlapping nuclei too large to assign optimally (a data problem: hundreds
    /// of nuclei drawn over each other), assigned greedily.
    pub greedy_components: usize,
    /// Nuclei drawn as points, unmatched under IoU matching (they have no area).
    pub points_a: usize,
    pub points_b: usize,
}

pub use crate::model::InputSet;

/// What `summary.json` holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparisonReport {
    pub command: Job,
    pub version: &'static str,
    pub inputs: Inputs,
    pub params: Params,
    pub counts: Counts,
    #[serde(flatten)]
    pub result: Comparison,
    /// The same data under each field convention, at the finest class level (the other
    /// levels are in `levels.<level>.conventions`); B is the truth.
    pub conventions: Option<ConventionsSummary>,
    /// Detection and classification by tissue region (`--region-masks`), where asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region_strata: Option<super::region_strata::RegionStrata>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Inputs {
    pub a: InputSet,
    pub b: InputSet,
}

/// Two sets compared must class their nuclei in one scheme: inputs that bring schemes of
/// their own (CoNIC's arrays, label images) may not agree with each other or with NuCLS's.
pub fn require_same_classes(a: &AnnotationSet, b: &AnnotationSet) -> crate::error::Result<()> {
    if a.hierarchy == b.hierarchy {
        return Ok(());
    }
    let classes = |set: &AnnotationSet| {
        let names = set.hierarchy.names(crate::model::ClassLevel::Raw);
        let shown: Vec<&str> = names.iter().take(6).map(String::as_str).collect();
        let more = if names.len() > 6 { ", …" } else { "" };
        format!("{}{more}", shown.join(", "))
    };
    Err(crate::error::Error::Layout {
        path: a.root.clone(),
        message: format!(
            "its classes ({}) are not those of {} ({}): expected one class scheme for both sets (choose it with --classes or --hierarchy)",
            classes(a),
            b.root.display(),
            classes(b)
        ),
    })
}

/// Matches and evaluates every FOV the two sets share (in parallel; `progress` is called with
/// the number of FOVs done so far, from any thread). With `keep_rows`, also returns each
/// FOV's match-table rows.
pub fn evaluate_sets(
    a: &AnnotationSet,
    b: &AnnotationSet,
    roles: &ClassRoles,
    options: &ComparisonOptions,
    keep_rows: bool,
    progress: &(dyn Fn(usize) + Sync),
) -> (Vec<FovOutcome>, Vec<FovMatchRows>) {
    let evaluated = evaluate_by_fov(a, b, roles, options, keep_rows, progress);
    let mut outcomes = Vec::with_capacity(evaluated.len());
    let mut rows = Vec::new();
    for (fov_outcomes, fov_rows) in evaluated {
        outcomes.extend(fov_outcomes);
        rows.extend(fov_rows);
    }
    (outcomes, rows)
}

/// As [`evaluate_sets`], FOV by FOV in A's order: each shared FOV's outcomes (one, or one per
/// tile) and its match-table rows where kept.
pub fn evaluate_by_fov(
    a: &AnnotationSet,
    b: &AnnotationSet,
    roles: &ClassRoles,
    options: &ComparisonOptions,
    keep_rows: bool,
    progress: &(dyn Fn(usize) + Sync),
) -> Vec<(Vec<FovOutcome>, Option<FovMatchRows>)> {
    let shared = FovPairing::of(&a.fov_names(), &b.fov_names()).shared;
    let with_ap = options.job == Job::Score;
    let done = std::sync::atomic::AtomicUsize::new(0);
    shared
        .par_iter()
        .map(|&(i, j)| {
            let (fa, fb) = (&a.fovs[i], &b.fovs[j]);
            let matched = match_fov(fa, fb, &options.matching);
            let outcomes = match options.tile {
                None => vec![evaluate_fov(
                    fa,
                    fb,
                    &matched,
                    roles,
                    &options.matching,
                    with_ap,
                )],
                Some(size) => split_match(&matched, fa, fb, size)
                    .into_par_iter()
                    .map(|tile| {
                        let mut outcome =
                            evaluate_fov(fa, fb, &tile.matched, roles, &options.matching, with_ap);
                        outcome.fov = tile.name;
                        outcome.slide = outcome.slide.or_else(|| Some(fb.name.clone()));
                        outcome
                    })
                    .collect(),
            };
            let rows = keep_rows.then(|| match_rows(&matched, fa, fb));
            progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
            (outcomes, rows)
        })
        .collect()
}

/// The whole comparison of A against the reference B.
pub fn compare_sets(
    a: &AnnotationSet,
    b: &AnnotationSet,
    options: &ComparisonOptions,
    progress: &(dyn Fn(usize) + Sync),
) -> ComparisonReport {
    let roles = ClassRoles::new(b.hierarchy.clone(), options.ambiguous);
    let (outcomes, _) = evaluate_sets(a, b, &roles, options, false, progress);
    report_of(a, b, &outcomes, &roles, options)
}

/// A comparison as run: both sets (restricted to the regions of interest, where given), the
/// report, and each FOV's match-table rows where they were kept.
#[derive(Debug, Clone)]
pub struct ComparisonRun {
    pub a: std::sync::Arc<AnnotationSet>,
    pub b: std::sync::Arc<AnnotationSet>,
    pub summary: ComparisonReport,
    pub rows: Vec<FovMatchRows>,
}

/// Checks that A and the reference B can be compared (the same classes, FOVs in common,
/// crowds the matching can bound), restricts both to `rois` (copying a set shared
/// elsewhere), and runs the comparison; `keep_rows` keeps the match table's rows (for the
/// table and the overlays).
pub fn run_comparison(
    mut a: std::sync::Arc<AnnotationSet>,
    mut b: std::sync::Arc<AnnotationSet>,
    rois: Option<&crate::ingest::roi::Rois>,
    options: &ComparisonOptions,
    keep_rows: bool,
    progress: &(dyn Fn(usize) + Sync),
) -> crate::error::Result<ComparisonRun> {
    if let Some(rois) = rois {
        crate::matching::roi::restrict(std::sync::Arc::make_mut(&mut a), rois);
        crate::matching::roi::restrict(std::sync::Arc::make_mut(&mut b), rois);
    }
    require_same_classes(&a, &b)?;
    FovPairing::of(&a.fov_names(), &b.fov_names())
        .require_shared()
        .map_err(|no_shared| crate::error::Error::Layout {
            path: format!("{} against {}", a.root.display(), b.root.display()).into(),
            message: no_shared.to_string(),
        })?;
    crate::matching::crowd::require_bounded_crowds(&a, &b, (&options.matching.criterion).into())?;
    let roles = ClassRoles::new(b.hierarchy.clone(), options.ambiguous);
    let (outcomes, rows) = evaluate_sets(&a, &b, &roles, options, keep_rows, progress);
    let summary = report_of(&a, &b, &outcomes, &roles, options);
    Ok(ComparisonRun {
        a,
        b,
        summary,
        rows,
    })
}

/// What a report holds besides the outcomes: the inputs as read, the FOVs only one set has
/// (each in its set's order) and the conventions (B the truth).
#[derive(Debug, Clone, PartialEq)]
pub struct ReportParts {
    pub inputs: Inputs,
    pub fovs_only_in_a: Vec<String>,
    pub fovs_only_in_b: Vec<String>,
    pub conventions: LevelConventions,
}

impl ReportParts {
    /// The parts of A compared against the reference B.
    pub fn of(a: &AnnotationSet, b: &AnnotationSet, options: &ComparisonOptions) -> ReportParts {
        let pairing = FovPairing::of(&a.fov_names(), &b.fov_names());
        ReportParts {
            inputs: Inputs {
                a: InputSet::of(a),
                b: InputSet::of(b),
            },
            fovs_only_in_a: pairing.only_in_a,
            fovs_only_in_b: pairing.only_in_b,
            conventions: summarize_levels(b, a, &options.conventions),
        }
    }
}

/// Summarises evaluated outcomes into the report.
pub fn report_of(
    a: &AnnotationSet,
    b: &AnnotationSet,
    outcomes: &[FovOutcome],
    roles: &ClassRoles,
    options: &ComparisonOptions,
) -> ComparisonReport {
    report_from(outcomes, ReportParts::of(a, b, options), roles, options)
}

/// The options the summary of outcomes is made with.
fn summary_options(options: &ComparisonOptions) -> SummaryOptions {
    SummaryOptions {
        bootstrap: options.bootstrap.clone(),
        scoring: options.job == Job::Score,
        score_threshold: options.score_threshold,
        folds: options.folds,
        match_iou_threshold: match options.matching.criterion {
            crate::matching::Criterion::Iou { threshold, .. } => Some(threshold),
            crate::matching::Criterion::Centroid { .. } => None,
        },
        segmentation: match options.matching.criterion {
            crate::matching::Criterion::Iou { options, .. }
                if options.shape() == IouShape::Auto =>
            {
                SegmentationPairs::Outlines
            }
            _ => SegmentationPairs::All,
        },
    }
}

/// The report of outcomes (every shared FOV's, in A's order) with its other parts: what a
/// single run and a merge of partial runs both end with.
pub fn report_from(
    outcomes: &[FovOutcome],
    parts: ReportParts,
    roles: &ClassRoles,
    options: &ComparisonOptions,
) -> ComparisonReport {
    let mut result = summarize(outcomes, roles, &summary_options(options));
    let levels = parts.conventions;
    for (level, summary) in levels.coarser {
        result.levels.get_mut(level).conventions = Some(summary);
    }
    let counts = Counts {
        fovs: outcomes.len(),
        a: outcomes
            .iter()
            .map(|o| o.pairs.len() + o.unmatched_a.len())
            .sum(),
        b: outcomes
            .iter()
            .map(|o| o.pairs.len() + o.unmatched_b.len())
            .sum(),
        cropped_a: outcomes.iter().map(|o| o.cropped_a).sum(),
        cropped_b: outcomes.iter().map(|o| o.cropped_b).sum(),
        fovs_only_in_a: parts.fovs_only_in_a,
        fovs_only_in_b: parts.fovs_only_in_b,
        replaced_by_box: outcomes.iter().map(|o| o.replaced_by_box).sum(),
        greedy_components: outcomes.iter().map(|o| o.greedy_components).sum(),
        points_a: outcomes.iter().map(|o| o.points_a).sum(),
        points_b: outcomes.iter().map(|o| o.points_b).sum(),
    };
    ComparisonReport {
        command: options.job,
        version: env!("CARGO_PKG_VERSION"),
        inputs: parts.inputs,
        params: Params::of(options),
        counts,
        result,
        conventions: Some(levels.raw),
        region_strata: None,
    }
}
