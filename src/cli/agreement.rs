//! `nucagree agree`.

use super::common::{check_bootstrap, choice, print_out, write_outputs, RunArgs, Stopwatch};
use super::input::InputArgs;
use super::output::OutputArgs;
use super::shard::ShardArgs;
use anyhow::{Context, Result};
use clap::Args;
use nucagree::agreement::boundary::TruthOutline;
use nucagree::agreement::coefficient::Coefficient;
use nucagree::agreement::model_rater::ModelOptions;
use nucagree::agreement::partial::{partial_of_study, ModelHeader, ShardSources};
use nucagree::agreement::raters::TruthOptions;
use nucagree::agreement::run::{analyse_study, AgreeError, EvalSetChoice};
use nucagree::agreement::summary::AgreeOptions;
use nucagree::agreement::truth_method::TruthMethod;
use nucagree::geometry::{IouOptions, IouShape, PixelConvention};
use nucagree::ingest::{self, ReadOptions};
use nucagree::matching::FovCrop;
use nucagree::model::fov_selection::FovSelection;
use nucagree::model::ClassLevel;
use nucagree::report::outputs::AgreementOutputs;
use nucagree::report::{self, ExtraFormats};
use nucagree::stats::bootstrap::BootstrapOptions;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct AgreeArgs {
    /// The multi-rater study: one folder per rater, or NuCLS's flat names.
    study: PathBuf,
    #[command(flatten)]
    output: OutputArgs,
    /// Write summary.json, report.md and the tables (CSV and parquet) into this folder.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// The clustering's cut: nuclei of one anchor have IoU at least this with each other.
    #[arg(long, default_value_t = AgreeOptions::default().min_iou, value_name = "IOU")]
    min_iou: f64,
    /// IoU by what each nucleus is (auto: outlines when both are outlines, else boxes), of the
    /// drawn outlines (polygon), or of bounding boxes (box, as the NuCLS study's clustering).
    #[arg(long, default_value_t = IouShape::Auto, value_parser = choice::<IouShape>())]
    shape: IouShape,
    /// Leave out nuclei centred outside the FOV region before clustering (reference: the
    /// study's `fov_locations.csv`, or --fov-locations), or keep all (off).
    #[arg(long, default_value_t = FovCrop::ReferenceRegion, value_parser = choice::<FovCrop>())]
    fov_crop: FovCrop,
    /// A `fov_locations.csv` giving the FOV regions instead of the study's own.
    #[arg(long, value_name = "FILE")]
    fov_locations: Option<PathBuf>,
    /// The evaluation set to analyse (default: the one with the most raters); "all" pools
    /// every set, each rater and set a rater of its own.
    #[arg(long, value_name = "NAME")]
    eval_set: Option<String>,
    /// A CSV (rater,group) giving each rater's group; default: the id's prefix (SP, JP, NP).
    #[arg(long, value_name = "FILE")]
    groups: Option<PathBuf>,
    /// Bootstrap replicates for the intervals over FOVs (0: none).
    #[arg(long, default_value_t = BootstrapOptions::default().replicates, value_name = "N")]
    bootstrap: usize,
    /// Seed of the bootstrap and of the raters-needed draws.
    #[arg(long, default_value_t = BootstrapOptions::default().seed)]
    seed: u64,
    /// Infer the truth from these groups only (comma-separated, e.g. SP,JP) and score every
    /// rater against it; default: all raters.
    #[arg(long, value_delimiter = ',', value_name = "GROUPS")]
    truth_from: Vec<String>,
    /// The model of rater error the truth is inferred with (raters are scored against it;
    /// every other method is fitted beside it and compared in the report). one-coin, glad
    /// and mace are fitted as crowd-kit 1.4.2 fits them.
    #[arg(long, default_value_t = TruthMethod::DawidSkene, value_name = "METHOD", value_parser = choice::<TruthMethod>())]
    truth_method: TruthMethod,
    /// The outline the exported truth (truth/) draws each nucleus with: the medoid (the
    /// rater outline closest to the others) or the consensus (the region at least half the
    /// raters who outlined it cover); the model is matched to the same outlines.
    #[arg(long, default_value_t = TruthOutline::Medoid, value_name = "OUTLINE", value_parser = choice::<TruthOutline>())]
    truth_outline: TruthOutline,
    /// The simulated truth (a corrected set `simulate` wrote) to score each inferred truth
    /// against; found by itself when the study sits in a folder `simulate` wrote.
    #[arg(long, value_name = "DIR")]
    simulated_truth: Option<PathBuf>,
    /// A model's predictions over the study's FOVs, scored as one more rater: against the
    /// raters' truths, ranked among them, and tested for non-inferiority to the senior group.
    #[arg(long, value_name = "PRED")]
    model: Option<PathBuf>,
    /// The group the model is compared with.
    #[arg(long, default_value_t = ModelOptions::default().senior_group, value_name = "GROUP")]
    senior_group: String,
    /// The non-inferiority margin on Cohen's kappa (the test is one-sided at level 0.05).
    #[arg(long, default_value_t = ModelOptions::default().margin, value_name = "KAPPA")]
    margin: f64,
    /// Draws per panel size for the raters-needed curve (0: no curve).
    #[arg(long, default_value_t = TruthOptions::default().draws, value_name = "N")]
    raters_needed_draws: usize,
    #[command(flatten)]
    shard: ShardArgs,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    run: RunArgs,
}

/// What `agree` does, as typed options.
#[derive(Debug, Clone)]
pub struct AgreeJob {
    pub study: PathBuf,
    pub out: Option<PathBuf>,
    pub options: AgreeOptions,
    pub eval_set: EvalSetChoice,
    pub groups: Option<PathBuf>,
    /// FOV regions instead of the study's own.
    pub fov_locations: Option<PathBuf>,
    /// The simulated truth, when the study is simulated.
    pub simulated_truth: Option<PathBuf>,
    /// `--model`: the predictions scored as one more rater, and how.
    pub model: Option<(PathBuf, ModelOptions)>,
    pub read: ReadOptions,
    pub formats: ExtraFormats,
    pub run: RunArgs,
    /// `--partial`: the folder a shard's partial is written to, and the FOVs of the shard.
    pub partial: Option<(PathBuf, FovSelection)>,
}

impl AgreeJob {
    /// The job with every option at its default, as `report` runs it.
    pub fn with_defaults(study: PathBuf, out: PathBuf) -> AgreeJob {
        AgreeJob {
            study,
            out: Some(out),
            options: AgreeOptions {
                bootstrap: Some(BootstrapOptions::default()),
                ..AgreeOptions::default()
            },
            eval_set: EvalSetChoice::MostRaters,
            groups: None,
            fov_locations: None,
            simulated_truth: None,
            model: None,
            read: ReadOptions::default(),
            formats: ExtraFormats::default(),
            run: RunArgs::default(),
            partial: None,
        }
    }
}

impl AgreeArgs {
    pub fn job(&self) -> Result<AgreeJob> {
        check_bootstrap(self.bootstrap)?;
        anyhow::ensure!(
            self.margin >= 0.0 && self.margin < 1.0,
            "--margin must be in [0, 1), found {}",
            self.margin
        );
        anyhow::ensure!(
            self.min_iou > 0.0 && self.min_iou <= 1.0,
            "--min-iou must be in (0, 1], found {}",
            self.min_iou
        );
        let bootstrap = BootstrapOptions {
            replicates: self.bootstrap,
            seed: self.seed,
            ..BootstrapOptions::default()
        };
        Ok(AgreeJob {
            study: self.study.clone(),
            out: self.out.clone(),
            options: AgreeOptions {
                min_iou: self.min_iou,
                iou_options: IouOptions::new(self.shape, PixelConvention::Continuous)
                    .context("IoU options")?,
                bootstrap: (self.bootstrap > 0).then_some(bootstrap),
                groups_file: self.groups.as_ref().map(|p| p.display().to_string()),
                crop: self.fov_crop,
                truth: TruthOptions {
                    truth_from: self.truth_from.clone(),
                    method: self.truth_method,
                    outline: self.truth_outline,
                    draws: self.raters_needed_draws,
                    seed: self.seed,
                    ..TruthOptions::default()
                },
                ..AgreeOptions::default()
            },
            eval_set: match self.eval_set.as_deref() {
                Some(name) => name.parse().unwrap_or_default(),
                None => EvalSetChoice::MostRaters,
            },
            groups: self.groups.clone(),
            fov_locations: self.fov_locations.clone(),
            simulated_truth: self.simulated_truth.clone(),
            model: self.model.clone().map(|path| {
                let options = ModelOptions {
                    senior_group: self.senior_group.clone(),
                    margin: self.margin,
                    ..ModelOptions::default()
                };
                (path, options)
            }),
            partial: self.shard.partial()?,
            read: self.input.read_options()?,
            formats: self.output.formats(),
            run: self.run,
        })
    }
}

/// The library's refusals, with the flag that changes each.
fn with_flag(error: AgreeError, job: &AgreeJob) -> anyhow::Error {
    match error {
        AgreeError::UnknownEvalSet { name } => {
            anyhow::anyhow!("--eval-set {name:?}: no rater has that evaluation set")
        }
        AgreeError::TooFewRaters { found } => anyhow::anyhow!(
            "{}: agreement needs at least two raters, found {found}",
            job.study.display()
        ),
        AgreeError::UnknownTruthGroup { group, groups } => anyhow::anyhow!(
            "--truth-from {group:?}: no rater is in that group (groups: {})",
            groups.join(", ")
        ),
        AgreeError::UnknownSeniorGroup { group, groups } => anyhow::anyhow!(
            "--senior-group {group:?}: no rater is in that group (groups: {})",
            groups.join(", ")
        ),
        AgreeError::Crowded(error) => anyhow::Error::new(error),
        other => anyhow::Error::new(other),
    }
}

pub fn agree(job: &AgreeJob) -> Result<ExitCode> {
    if let Some((dir, selection)) = &job.partial {
        return agree_partial(job, dir, selection);
    }
    let mut watch = Stopwatch::new(job.run);
    let (multi, groups) = ingest::read_study(
        &job.study,
        job.fov_locations.as_deref(),
        job.groups.as_deref(),
        &job.read,
    )?;
    watch.lap("reading");
    let mut analysis = analyse_study(
        &multi,
        &job.eval_set,
        groups.as_ref(),
        &job.options,
        &mut |stage| watch.lap(stage),
    )
    .map_err(|e| with_flag(e, job))?;
    if let Some(path) = simulated_truth(job) {
        let simulated = ingest::read_set(&path, &job.read)?;
        analysis.compare_with_simulated(&simulated, &path.display().to_string(), &job.options);
        watch.lap("against the simulated truth");
    }
    if let Some((path, model)) = &job.model {
        let predictions = ingest::read_set(path, &job.read)?;
        analysis
            .score_model(
                &predictions,
                &path.display().to_string(),
                &job.options,
                model,
            )
            .map_err(|e| with_flag(e, job))?;
        watch.lap("the model");
    }
    let outputs = AgreementOutputs::of(analysis, job.study.display().to_string());
    print_out(&headline(&outputs.report))?;
    if let Some(out) = &job.out {
        write_outputs(out, &[&job.study], job.run, |dir| {
            report::write_agreement(dir, &outputs, job.formats)
        })?;
        watch.lap("writing");
    }
    Ok(ExitCode::SUCCESS)
}

/// The simulated truth the analysis is compared with: `--simulated-truth`, or the one beside
/// a study `simulate` wrote.
fn simulated_truth(job: &AgreeJob) -> Option<PathBuf> {
    (job.simulated_truth.clone()).or_else(|| ingest::simulated_truth_beside(&job.study))
}

/// The few lines printed on stdout.
pub fn headline(summary: &nucagree::agreement::summary::AgreementReport) -> String {
    let number = report::markdown::number;
    let mut text = format!(
        "{} raters, {} FOVs, {} anchors\n",
        summary.counts.raters, summary.counts.fovs, summary.counts.anchors
    );
    for level in ClassLevel::ALL {
        let values = &summary.levels.get(level).coefficients;
        let figures: Vec<String> = Coefficient::ALL
            .iter()
            .map(|c| {
                let value = values.get(c).copied().flatten();
                format!("{} {}", c.plain_label(), number(value, 3))
            })
            .collect();
        text.push_str(&format!("{level}: {}\n", figures.join(", ")));
    }
    text
}

/// Runs one shard of `agree` and writes its partial.
fn agree_partial(
    job: &AgreeJob,
    dir: &std::path::Path,
    selection: &FovSelection,
) -> Result<ExitCode> {
    let mut watch = Stopwatch::new(job.run);
    let read = ReadOptions {
        fovs: Some(std::sync::Arc::new(selection.clone())),
        ..job.read.clone()
    };
    let (multi, groups) = ingest::read_study(
        &job.study,
        job.fov_locations.as_deref(),
        job.groups.as_deref(),
        &read,
    )?;
    watch.lap("reading");
    let partial = partial_of_study(
        multi,
        &|name| selection.keeps(name),
        &job.eval_set,
        groups.as_ref(),
        &job.options,
        ShardSources {
            selection: selection.describe(),
            root: job.study.display().to_string(),
            simulated_truth: simulated_truth(job),
            model: job.model.clone().map(|(predictions, options)| ModelHeader {
                predictions,
                options,
            }),
        },
    )
    .map_err(|e| with_flag(e, job))?;
    watch.lap("clustering");
    nucagree::writers::partial::write_agreement_partial(dir, &partial, &[&job.study])
        .with_context(|| format!("writing the partial {}", dir.display()))?;
    watch.lap("writing");
    if !job.run.quiet {
        eprintln!(
            "{}: {} FOVs, {} anchors; wrote {}",
            partial.header.selection,
            partial.labelled.len(),
            partial
                .labelled
                .iter()
                .map(|f| f.anchors.len())
                .sum::<usize>(),
            dir.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
