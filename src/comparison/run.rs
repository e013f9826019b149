//! One comparison end to end, on sets in memory: match every shared FOV, evaluate, summarise,
//! and wrap the result with its inputs, parameters, counts and data-quality findings as
//! `summary.json` lays them out.

use super::summary::{summarize, Comparison, SummaryOptions};
use super::{evaluate_fov, AmbiguousMode, ClassRoles, FovOutcome};
use crate::geometry::{IouShape, PixelConvention};
use crate::inspect::QualityCount;
use crate::matching::{
    match_fov, match_rows, Assignment, Criterion, FovCrop, MatchOptions, MatchRow,
};
use crate::model::AnnotationSet;
use crate::stats::bootstrap::BootstrapOptions;
use rayon::prelude::*;
use serde::Serialize;

/// Which job the comparison is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Job {
    /// Two annotation sets, B the reference.
    Compare,
    /// A model's predictions (A) against the truth (B).
    Score,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonOptions {
    pub job: Job,
    pub matching: MatchOptions,
    pub ambiguous: AmbiguousMode,
    pub bootstrap: Option<BootstrapOptions>,
    pub score_threshold: f64,
    pub folds: bool,
}

/// The parameters as `summary.json` names them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Params {
    /// `null` under centroid matching.
    pub iou_threshold: Option<f64>,
    pub matching: &'static str,
    pub shape: &'static str,
    pub ambiguous: AmbiguousMode,
    #[serde(rename = "match")]
    pub criterion: &'static str,
    pub radius_px: Option<f64>,
    pub pixel_convention: &'static str,
    pub fov_crop: &'static str,
    pub bootstrap_replicates: usize,
    pub bootstrap_method: Option<crate::stats::bootstrap::IntervalMethod>,
    pub seed: Option<u64>,
    pub score_threshold: Option<f64>,
}

impl Params {
    pub fn of(options: &ComparisonOptions) -> Params {
        let (iou_threshold, radius_px, iou_options) = match options.matching.criterion {
            Criterion::Iou { threshold, options } => (Some(threshold), None, options),
            Criterion::Centroid { radius_px } => (None, Some(radius_px), Default::default()),
        };
        Params {
            iou_threshold,
            matching: match options.matching.assignment {
                Assignment::Optimal => "optimal",
                Assignment::GreedyIou => "greedy",
                Assignment::GreedyScore => "greedy-score",
            },
            shape: match iou_options.shape() {
                IouShape::Polygon => "polygon",
                IouShape::Box => "box",
            },
            ambiguous: options.ambiguous,
            criterion: if iou_threshold.is_some() {
                "iou"
            } else {
                "centroid"
            },
            radius_px,
            pixel_convention: match iou_options.pixels() {
                PixelConvention::Continuous => "continuous",
                PixelConvention::Inclusive => "inclusive",
            },
            fov_crop: match options.matching.crop {
                FovCrop::ReferenceRegion => "reference",
                FovCrop::Off => "off",
            },
            bootstrap_replicates: options.bootstrap.as_ref().map_or(0, |b| b.replicates),
            bootstrap_method: options.bootstrap.as_ref().map(|b| b.method),
            seed: options.bootstrap.as_ref().map(|b| b.seed),
            score_threshold: (options.job == Job::Score).then_some(options.score_threshold),
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
    /// Nuclei drawn as points, unmatched under IoU matching (they have no area).
    pub points_a: usize,
    pub points_b: usize,
}

/// One input set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputSet {
    pub name: String,
    pub path: String,
    pub fovs: usize,
    pub nuclei: usize,
    pub data_quality: Vec<QualityCount>,
}

impl InputSet {
    fn of(set: &AnnotationSet) -> InputSet {
        InputSet {
            name: set.name.clone(),
            path: set.root.display().to_string(),
            fovs: set.fovs.len(),
            nuclei: set.nucleus_count(),
            data_quality: QualityCount::all(&set.quality),
        }
    }
}

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
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Inputs {
    pub a: InputSet,
    pub b: InputSet,
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
) -> (Vec<FovOutcome>, Vec<(String, Vec<MatchRow>)>) {
    let shared: Vec<(usize, usize)> = a
        .fovs
        .iter()
        .enumerate()
        .filter_map(|(i, fa)| {
            b.fovs
                .binary_search_by(|fb| fb.name.as_str().cmp(&fa.name))
                .ok()
                .map(|j| (i, j))
        })
        .collect();
    let with_ap = options.job == Job::Score;
    let done = std::sync::atomic::AtomicUsize::new(0);
    let evaluated = shared
        .par_iter()
        .map(|&(i, j)| {
            let (fa, fb) = (&a.fovs[i], &b.fovs[j]);
            let matched = match_fov(fa, fb, &options.matching);
            let outcome = evaluate_fov(fa, fb, &matched, roles, &options.matching, with_ap);
            let rows = keep_rows.then(|| (fb.name.clone(), match_rows(&matched, fa, fb)));
            progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
            (outcome, rows)
        })
        .collect::<Vec<_>>();
    let mut outcomes = Vec::with_capacity(evaluated.len());
    let mut rows = Vec::new();
    for (outcome, fov_rows) in evaluated {
        outcomes.push(outcome);
        rows.extend(fov_rows);
    }
    (outcomes, rows)
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

/// Summarises evaluated outcomes into the report.
pub fn report_of(
    a: &AnnotationSet,
    b: &AnnotationSet,
    outcomes: &[FovOutcome],
    roles: &ClassRoles,
    options: &ComparisonOptions,
) -> ComparisonReport {
    let summary_options = SummaryOptions {
        bootstrap: options.bootstrap.clone(),
        scoring: options.job == Job::Score,
        score_threshold: options.score_threshold,
        folds: options.folds,
        match_iou_threshold: match options.matching.criterion {
            crate::matching::Criterion::Iou { threshold, .. } => Some(threshold),
            crate::matching::Criterion::Centroid { .. } => None,
        },
    };
    let result = summarize(outcomes, roles, &summary_options);
    let only = |x: &AnnotationSet, y: &AnnotationSet| -> Vec<String> {
        x.fovs
            .iter()
            .filter(|f| y.fov(&f.name).is_none())
            .map(|f| f.name.clone())
            .collect()
    };
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
        fovs_only_in_a: only(a, b),
        fovs_only_in_b: only(b, a),
        replaced_by_box: outcomes.iter().map(|o| o.replaced_by_box).sum(),
        points_a: outcomes.iter().map(|o| o.points_a).sum(),
        points_b: outcomes.iter().map(|o| o.points_b).sum(),
    };
    ComparisonReport {
        command: options.job,
        version: env!("CARGO_PKG_VERSION"),
        inputs: Inputs {
            a: InputSet::of(a),
            b: InputSet::of(b),
        },
        params: Params::of(options),
        counts,
        result,
    }
}
