//! `nucagree compare` and `nucagree score`.

use super::common::{
    choice, print_out, progress_bar, write_outputs, BootstrapArgs, RunArgs, Stopwatch,
};
use super::conventions::ConventionArgs;
use super::input::InputArgs;
use super::matching::MatchArgs;
use super::output::OutputArgs;
use super::shard::ShardArgs;
use anyhow::{Context, Result};
use clap::Args;
use nucagree::comparison::figure::Figure;
use nucagree::comparison::region_strata::{region_strata, MaskPlacement};
use nucagree::comparison::run::{self, ComparisonOptions, ComparisonReport, Job};
use nucagree::comparison::AmbiguousMode;
use nucagree::conventions::Convention;
use nucagree::ingest::region_masks::list_region_masks;
use nucagree::ingest::{self, ReadOptions};
use nucagree::matching::tiles::TileSize;
use nucagree::model::fov_selection::FovSelection;
use nucagree::model::whole_slide::NameScale;
use nucagree::model::ClassLevel;
use nucagree::report::outputs::ComparisonWriting;
use nucagree::report::{self, ExtraFormats};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Overlays drawn into a report by default.
pub const DEFAULT_OVERLAYS: usize = 6;

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The set compared (e.g. one annotator, or the uncorrected labels).
    a: PathBuf,
    /// The reference set (e.g. the corrected labels).
    b: PathBuf,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// The ground truth.
    #[arg(long, value_name = "SET")]
    truth: PathBuf,
    /// The model's predictions (with a `score` or `confidence` column for AP).
    #[arg(long, value_name = "SET")]
    pred: PathBuf,
    /// Also report each fold's test FOVs, and the mean and standard deviation across folds.
    #[arg(long)]
    folds: bool,
    /// The score threshold whose F1 is reported beside the best one.
    #[arg(long, default_value_t = ComparisonOptions::default().score_threshold, value_name = "SCORE")]
    score_threshold: f64,
    #[command(flatten)]
    common: CommonArgs,
}

/// What compare and score share.
#[derive(Debug, Args)]
struct CommonArgs {
    /// Write summary.json, report.md and the tables (CSV and parquet) into this folder.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// AMBIGUOUS nuclei (apoptotic bodies, unlabeled): detected but not classified
    /// (detect-only), a class like any other (class), or don't-care regions (ignore).
    #[arg(long, default_value_t = AmbiguousMode::DetectOnly, value_parser = choice::<AmbiguousMode>())]
    ambiguous: AmbiguousMode,
    #[command(flatten)]
    bootstrap: BootstrapArgs,
    /// Exit with code 1 when a figure of summary.json is below the value, e.g.
    /// `super.detection.f1=0.8` or `objectness_ap.ap50=0.5` (repeatable).
    #[arg(long, value_name = "METRIC=VALUE")]
    fail_under: Vec<String>,
    /// Leave the match table out of the outputs.
    #[arg(long)]
    no_matches: bool,
    #[command(flatten)]
    output: OutputArgs,
    /// Overlays of the FOVs with the most disagreement drawn into the report.
    #[arg(long, default_value_t = DEFAULT_OVERLAYS, value_name = "N")]
    overlays: usize,
    /// Which convention's figures lead the report's headline: hovernet, conic, pannuke,
    /// stardist, coco or nucls. Every convention is computed either way.
    #[arg(long, default_value_t = Convention::Nucls, value_parser = choice::<Convention>())]
    convention: Convention,
    /// Split each FOV (a whole slide) into tiles of PX pixels for the per-FOV figures and
    /// the bootstrap: nuclei are matched over the whole FOV, and each pair counted in the
    /// tile holding the reference nucleus's centroid.
    #[arg(long, value_name = "PX")]
    tile: Option<f64>,
    /// Restrict both sets to regions of interest: a GeoJSON of polygons in the FOVs' pixels
    /// (`properties.fov` names the FOV a region belongs to; without it, every FOV's).
    #[arg(long, value_name = "FILE")]
    roi: Option<PathBuf>,
    /// Tissue-region masks (BCSS codes, PNG or TIFF; the codes from `gtruth_codes.tsv`
    /// beside them, else BCSS's): one per FOV named by the FOV, on its image's grid, or larger
    /// masks of the slides named as BCSS names them (`{slide}_xmin{x}_ymin{y}_MPP-{m}`), on
    /// which a NuCLS FOV name places the FOV. Detection and classification by region, in
    /// `by_region.csv` and the report.
    #[arg(long, value_name = "DIR")]
    region_masks: Option<PathBuf>,
    /// µm per pixel of the region masks (default: a BCSS name's `_MPP-`, else the
    /// annotations' for a mask named by its FOV, the slide's base for a mask with an offset).
    #[arg(long, value_name = "UM", requires = "region_masks")]
    mask_mpp: Option<f64>,
    /// µm per pixel of the annotations, to place nuclei on region masks (NuCLS: 0.2).
    #[arg(
        long,
        value_name = "UM",
        default_value_t = 0.2,
        requires = "region_masks"
    )]
    annotation_mpp: f64,
    /// FOV image pixels per slide base pixel, to place a NuCLS FOV on a larger mask of its
    /// slide by its name (NuCLS: 1.25, 0.2 µm/px images of 0.25 µm/px slides).
    #[arg(long, value_name = "S", default_value_t = NameScale::NUCLS.get(), requires = "region_masks")]
    name_scale: f64,
    #[command(flatten)]
    shard: ShardArgs,
    #[command(flatten)]
    conventions: ConventionArgs,
    #[command(flatten)]
    matching: MatchArgs,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    run: RunArgs,
}

/// A `--fail-under` condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    metric: String,
    minimum: f64,
}

/// What `compare` or `score` does, as typed options.
#[derive(Debug, Clone)]
pub struct ComparisonJob {
    /// The set compared (the predictions, for `score`).
    pub a: PathBuf,
    /// The reference (the truth, for `score`).
    pub b: PathBuf,
    pub out: Option<PathBuf>,
    pub options: ComparisonOptions,
    pub read: ReadOptions,
    pub thresholds: Vec<Threshold>,
    pub no_matches: bool,
    pub overlays: usize,
    pub formats: ExtraFormats,
    pub run: RunArgs,
    /// `--region-masks`: the folder of region masks to stratify by.
    pub region_masks: Option<PathBuf>,
    /// How nuclei are placed on the region masks.
    pub mask_placement: MaskPlacement,
    /// `--partial`: the folder a shard's partial is written to, and the FOVs of the shard.
    pub partial: Option<(PathBuf, FovSelection)>,
}

impl ComparisonJob {
    /// The job with every option at its default, as `report` runs it.
    pub fn with_defaults(job: Job, a: PathBuf, b: PathBuf, out: PathBuf) -> ComparisonJob {
        ComparisonJob {
            a,
            b,
            out: Some(out),
            options: ComparisonOptions {
                job,
                ..ComparisonOptions::default()
            },
            read: ReadOptions::default(),
            thresholds: Vec::new(),
            no_matches: false,
            overlays: DEFAULT_OVERLAYS,
            formats: ExtraFormats::default(),
            run: RunArgs::default(),
            region_masks: None,
            mask_placement: MaskPlacement::default(),
            partial: None,
        }
    }
}

pub fn parse_thresholds(specs: &[String]) -> Result<Vec<Threshold>> {
    specs
        .iter()
        .map(|spec| {
            let (metric, value) = spec
                .split_once('=')
                .with_context(|| format!("--fail-under {spec:?}: expected METRIC=VALUE"))?;
            let minimum: f64 = value
                .trim()
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite())
                .with_context(|| {
                    format!("--fail-under {spec:?}: expected a number after '=', found {value:?}")
                })?;
            Ok(Threshold {
                metric: metric.trim().to_string(),
                minimum,
            })
        })
        .collect()
}

/// What a `--fail-under` metric names in the summary.
#[derive(Debug, Clone, PartialEq)]
enum Found {
    /// A figure (`None`: undefined, `null`).
    Figure(Option<f64>),
    /// Something that is not a figure (a group of figures, a name).
    NotAFigure,
}

/// Looks a metric up in the summary: a dotted path, tried as given and under `levels.`.
fn lookup(summary: &serde_json::Value, metric: &str) -> Option<Found> {
    let find = |path: &str| {
        let mut node = summary;
        for key in path.split('.') {
            node = node.get(key)?;
        }
        Some(match node {
            serde_json::Value::Null => Found::Figure(None),
            serde_json::Value::Number(n) => Found::Figure(n.as_f64()),
            _ => Found::NotAFigure,
        })
    };
    find(metric).or_else(|| find(&format!("levels.{metric}")))
}

impl CommonArgs {
    fn job(
        &self,
        job: Job,
        a: &Path,
        b: &Path,
        score_threshold: f64,
        folds: bool,
    ) -> Result<ComparisonJob> {
        Ok(ComparisonJob {
            a: a.to_path_buf(),
            b: b.to_path_buf(),
            out: self.out.clone(),
            options: ComparisonOptions {
                job,
                matching: self.matching.options()?,
                ambiguous: self.ambiguous,
                bootstrap: self.bootstrap.options()?,
                score_threshold,
                folds,
                conventions: self.conventions.options()?,
                convention: self.convention,
                roi: self.roi.clone(),
                tile: match self.tile {
                    None => None,
                    Some(px) => Some(TileSize::new(px).ok_or_else(|| {
                        anyhow::anyhow!(
                            "--tile {px}: expected a tile side of at least {} pixels",
                            TileSize::MIN
                        )
                    })?),
                },
            },
            read: self.input.read_options()?,
            thresholds: parse_thresholds(&self.fail_under)?,
            no_matches: self.no_matches,
            overlays: self.overlays,
            formats: self.output.formats(),
            run: self.run,
            region_masks: self.region_masks.clone(),
            mask_placement: self.mask_placement()?,
            partial: self.partial()?,
        })
    }

    fn partial(&self) -> Result<Option<(PathBuf, FovSelection)>> {
        let partial = self.shard.partial()?;
        anyhow::ensure!(
            partial.is_none() || self.region_masks.is_none(),
            "--partial: region strata (--region-masks) do not merge yet; run them over all FOVs"
        );
        Ok(partial)
    }

    fn mask_placement(&self) -> Result<MaskPlacement> {
        let positive = |value: f64, flag: &str, what: &str| -> Result<f64> {
            anyhow::ensure!(
                value.is_finite() && value > 0.0,
                "{flag} {value}: expected a positive number of {what}"
            );
            Ok(value)
        };
        Ok(MaskPlacement {
            annotation_mpp: positive(self.annotation_mpp, "--annotation-mpp", "µm per pixel")?,
            mask_mpp: self
                .mask_mpp
                .map(|m| positive(m, "--mask-mpp", "µm per pixel"))
                .transpose()?,
            name_scale: NameScale::new(self.name_scale).ok_or_else(|| {
                anyhow::anyhow!(
                    "--name-scale {}: expected a positive number of image pixels per slide pixel",
                    self.name_scale
                )
            })?,
        })
    }
}

impl CompareArgs {
    pub fn job(&self) -> Result<ComparisonJob> {
        let defaults = ComparisonOptions::default();
        self.common.job(
            Job::Compare,
            &self.a,
            &self.b,
            defaults.score_threshold,
            false,
        )
    }
}

impl ScoreArgs {
    pub fn job(&self) -> Result<ComparisonJob> {
        anyhow::ensure!(
            self.score_threshold.is_finite(),
            "--score-threshold must be a number"
        );
        self.common.job(
            Job::Score,
            &self.pred,
            &self.truth,
            self.score_threshold,
            self.folds,
        )
    }
}

/// Runs `compare` or `score`.
pub fn run_job(job: &ComparisonJob) -> Result<ExitCode> {
    if let Some((dir, selection)) = &job.partial {
        return run_partial(job, dir, selection);
    }
    let options = &job.options;
    let mut watch = Stopwatch::new(job.run);
    let (a, b) = ingest::read_pair(&job.a, &job.b, &job.read)?;
    let rois = match &options.roi {
        Some(path) => Some(ingest::roi::read_rois(path)?),
        None => None,
    };
    watch.lap("reading");
    let bar = progress_bar(job.run, b.fovs.len(), "matching");
    // The rows serve the match table and the overlays.
    let keep_rows = job.out.is_some() && (!job.no_matches || job.overlays > 0);
    let (a, b) = (std::sync::Arc::new(a), std::sync::Arc::new(b));
    let mut run = run::run_comparison(a, b, rois.as_ref(), options, keep_rows, &|done| {
        bar.set_position(done as u64)
    })?;
    bar.finish_and_clear();
    watch.lap("matching");
    if let Some(dir) = &job.region_masks {
        let masks = list_region_masks(dir)?;
        let scheme = super::regions::region_scheme(masks.codes.as_deref(), None, None, None)?;
        run.summary.region_strata = Some(region_strata(
            &run.a,
            &run.b,
            &options.matching,
            &masks,
            &scheme,
            &job.mask_placement,
            job.read.max_image_pixels,
        )?);
    }
    watch.lap("statistics");
    print_out(&headline(&run.summary))?;
    if let Some(out) = &job.out {
        let writing = ComparisonWriting {
            overlays: job.overlays,
            matches: !job.no_matches,
            formats: job.formats,
        };
        write_outputs(out, &[&job.a, &job.b], job.run, |dir| {
            report::outputs::write_comparison_run(dir, &run, &writing)
        })?;
        watch.lap("writing");
    }
    check_thresholds(&run.summary, &job.thresholds)
}

/// Runs one shard of `compare` or `score` and writes its partial.
fn run_partial(job: &ComparisonJob, dir: &Path, selection: &FovSelection) -> Result<ExitCode> {
    let mut watch = Stopwatch::new(job.run);
    let read = ReadOptions {
        fovs: Some(std::sync::Arc::new(selection.clone())),
        ..job.read.clone()
    };
    let (a, b) = ingest::read_pair(&job.a, &job.b, &read)?;
    let rois = match &job.options.roi {
        Some(path) => Some(ingest::roi::read_rois(path)?),
        None => None,
    };
    watch.lap("reading");
    let partial = nucagree::comparison::partial::partial_of_sets(
        std::sync::Arc::new(a),
        std::sync::Arc::new(b),
        rois.as_ref(),
        &job.options,
        &selection.describe(),
    )?;
    watch.lap("matching");
    nucagree::writers::partial::write_partial(dir, &partial, &[&job.a, &job.b])
        .with_context(|| format!("writing the partial {}", dir.display()))?;
    watch.lap("writing");
    if !job.run.quiet {
        eprintln!(
            "{}: {} FOVs in common; wrote {}",
            partial.header.selection,
            partial.header.fovs.len(),
            dir.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The few lines printed on stdout.
pub fn headline(summary: &ComparisonReport) -> String {
    use report::markdown::number;
    let l = &summary.result.levels;
    let detection: Vec<String> = Figure::ALL
        .into_iter()
        .filter(|f| !f.per_level() && *f != Figure::MeanIou)
        .map(|f| format!("{} {}", f.plain_label(), number(l.super_.figure(f), 3)))
        .collect();
    let mut out = format!(
        "{} FOVs, {} nuclei in A, {} in B: {}; mean IoU {}\n",
        summary.counts.fovs,
        summary.counts.a,
        summary.counts.b,
        detection.join(", "),
        number(l.super_.figure(Figure::MeanIou), 3)
    );
    for level in ClassLevel::ALL {
        let figures = l.get(level);
        let classification: Vec<String> = Figure::ALL
            .into_iter()
            .filter(|f| f.per_level())
            .map(|f| format!("{} {}", f.plain_label(), number(figures.figure(f), 3)))
            .collect();
        out.push_str(&format!("{level}: {}", classification.join(", ")));
        if let Some(ap) = figures.ap {
            out.push_str(&format!(", AP50 {}", number(ap.ap50, 3)));
        }
        out.push('\n');
    }
    if let Some(ap) = summary.result.objectness_ap {
        out.push_str(&format!(
            "objectness AP50 {}, AP50:95 {}\n",
            number(ap.ap50, 3),
            number(ap.ap50_95, 3)
        ));
    }
    out
}

pub fn check_thresholds(summary: &ComparisonReport, thresholds: &[Threshold]) -> Result<ExitCode> {
    if thresholds.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let value = serde_json::to_value(summary).context("encoding the summary")?;
    let examples = if summary.command == Job::Score {
        "super.detection.f1, raw.classification.cohen_kappa, objectness_ap.ap50"
    } else {
        "super.detection.f1, raw.classification.cohen_kappa, main.segmentation.pq"
    };
    let mut missed = false;
    for t in thresholds {
        match lookup(&value, &t.metric) {
            None => anyhow::bail!(
                "--fail-under: no figure {:?} in summary.json (e.g. {examples})",
                t.metric
            ),
            Some(Found::NotAFigure) => anyhow::bail!(
                "--fail-under: {:?} in summary.json is not a number but a group or a name: name one figure (e.g. {examples})",
                t.metric
            ),
            Some(Found::Figure(None)) => {
                eprintln!("fail-under: {} is undefined (needs >= {})", t.metric, t.minimum);
                missed = true;
            }
            Some(Found::Figure(Some(v))) if v < t.minimum => {
                eprintln!("fail-under: {} = {v:.4} is below {}", t.metric, t.minimum);
                missed = true;
            }
            Some(Found::Figure(Some(_))) => {}
        }
    }
    Ok(if missed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_parse_and_metrics_resolve() {
        let t = parse_thresholds(&["super.detection.f1=0.8".into()]).unwrap();
        assert_eq!(t[0].metric, "super.detection.f1");
        assert_eq!(t[0].minimum, 0.8);
        assert!(parse_thresholds(&["f1".into()]).is_err());
        assert!(parse_thresholds(&["f1=x".into()]).is_err());
        let summary =
            serde_json::json!({"levels": {"super": {"detection": {"f1": 0.9, "precision": null}}}});
        let figure = |v| Some(Found::Figure(v));
        assert_eq!(lookup(&summary, "super.detection.f1"), figure(Some(0.9)));
        assert_eq!(
            lookup(&summary, "levels.super.detection.f1"),
            figure(Some(0.9))
        );
        assert_eq!(lookup(&summary, "super.detection.precision"), figure(None));
        assert_eq!(lookup(&summary, "super.detection.nope"), None);
        assert_eq!(lookup(&summary, "super.detection"), Some(Found::NotAFigure));
    }
}
