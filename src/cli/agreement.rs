//! `nucagree agree`.

use super::{write_outputs, InputArgs, OutputArgs, Stopwatch};
use anyhow::{Context, Result};
use clap::Args;
use nucagree::agreement::raters::TruthOptions;
use nucagree::agreement::summary::{analyse_with_sweep, other_cuts, AgreeOptions};
use nucagree::agreement::{group_of_rater, label_study_at, main_eval_set, truth_fovs, Study};
use nucagree::geometry::{IouOptions, IouShape, PixelConvention};
use nucagree::ingest;
use nucagree::report;
use nucagree::stats::bootstrap::{BootstrapOptions, IntervalMethod};
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
    #[arg(long, default_value_t = 0.25, value_name = "IOU")]
    min_iou: f64,
    /// Compare outlines (polygon) or bounding boxes (box, as the NuCLS study's clustering).
    #[arg(long, value_enum, default_value = "polygon")]
    shape: ShapeArg,
    /// The evaluation set to analyse (default: the one with the most raters); "all" pools
    /// every set, each rater and set a rater of its own.
    #[arg(long, value_name = "NAME")]
    eval_set: Option<String>,
    /// A CSV (rater,group) giving each rater's group; default: the id's prefix (SP, JP, NP).
    #[arg(long, value_name = "FILE")]
    groups: Option<PathBuf>,
    /// Bootstrap replicates for the intervals over FOVs (0: none).
    #[arg(long, default_value_t = 1000, value_name = "N")]
    bootstrap: usize,
    /// Seed of the bootstrap and of the raters-needed draws.
    #[arg(long, default_value_t = 2022)]
    seed: u64,
    /// Infer the truth from these groups only (comma-separated, e.g. SP,JP) and score every
    /// rater against it; default: all raters.
    #[arg(long, value_delimiter = ',', value_name = "GROUPS")]
    truth_from: Vec<String>,
    /// Draws per panel size for the raters-needed curve (0: no curve).
    #[arg(long, default_value_t = 20, value_name = "N")]
    raters_needed_draws: usize,
    /// Print the time of each stage on stderr.
    #[arg(long)]
    timings: bool,
    #[command(flatten)]
    input: InputArgs,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ShapeArg {
    Polygon,
    Box,
}

pub fn agree(args: &AgreeArgs) -> Result<ExitCode> {
    anyhow::ensure!(
        args.min_iou > 0.0 && args.min_iou <= 1.0,
        "--min-iou must be in (0, 1], found {}",
        args.min_iou
    );
    let read_options = args.input.read_options()?;
    let mut watch = Stopwatch::new(args.timings);
    let multi = ingest::read_multi_rater(&args.study, &read_options)?;
    watch.lap("reading");
    let eval_set = match args.eval_set.as_deref() {
        Some("all") => None,
        Some(name) => {
            anyhow::ensure!(
                multi
                    .raters
                    .iter()
                    .any(|r| r.eval_set.as_deref() == Some(name)),
                "--eval-set {name:?}: no rater has that evaluation set"
            );
            Some(name.to_string())
        }
        None => main_eval_set(&multi),
    };
    let groups = match &args.groups {
        Some(path) => Some(ingest::metadata::read_rater_groups(path)?),
        None => None,
    };
    let group_of = |rater: &str| match &groups {
        Some(map) => map
            .get(rater)
            .cloned()
            .unwrap_or_else(|| "ungrouped".to_string()),
        None => group_of_rater(rater),
    };
    let study = Study::new(&multi, eval_set.as_deref(), &group_of);
    anyhow::ensure!(
        study.raters.len() >= 2,
        "{}: agreement needs at least two raters, found {}",
        args.study.display(),
        study.raters.len()
    );
    let shape = match args.shape {
        ShapeArg::Polygon => IouShape::Polygon,
        ShapeArg::Box => IouShape::Box,
    };
    let options = AgreeOptions {
        min_iou: args.min_iou,
        iou_options: IouOptions::new(shape, PixelConvention::Continuous).context("IoU options")?,
        bootstrap: (args.bootstrap > 0).then_some(BootstrapOptions {
            replicates: args.bootstrap,
            seed: args.seed,
            method: IntervalMethod::Bca,
            level: 0.95,
        }),
        groups_file: args.groups.as_ref().map(|p| p.display().to_string()),
        truth: TruthOptions {
            truth_from: args.truth_from.clone(),
            draws: args.raters_needed_draws,
            seed: args.seed,
            ..TruthOptions::default()
        },
        ..AgreeOptions::default()
    };
    for group in &args.truth_from {
        anyhow::ensure!(
            study.groups.contains(group),
            "--truth-from {group:?}: no rater is in that group (groups: {})",
            nucagree::agreement::summary::group_names(&study).join(", ")
        );
    }
    // The main cut and the alpha sweep's other cuts share one R-tree pass.
    let mut cuts = vec![options.min_iou];
    cuts.extend(other_cuts(&options));
    let mut labellings = label_study_at(&study, &cuts, &options.iou_options);
    let labelled = labellings.remove(0);
    watch.lap("clustering");
    let (summary, truths) = analyse_with_sweep(
        &multi,
        &study,
        eval_set.as_deref(),
        &labelled,
        &labellings,
        &options,
    );
    watch.lap("statistics");
    let number = report::markdown::number;
    println!(
        "{} raters, {} FOVs, {} anchors",
        summary.counts.raters, summary.counts.fovs, summary.counts.anchors
    );
    for (name, l) in [
        ("raw", &summary.levels.raw),
        ("main", &summary.levels.main),
        ("super", &summary.levels.super_),
    ] {
        println!(
            "{name}: Fleiss' kappa {}, alpha (detection) {}, alpha (classification) {}, AC1 {}",
            number(l.fleiss_kappa, 3),
            number(l.krippendorff_alpha_detection, 3),
            number(l.krippendorff_alpha_classification, 3),
            number(l.gwet_ac1, 3)
        );
    }
    if let Some(out) = &args.out {
        let root = args.study.display().to_string();
        write_outputs(out, &[&args.study], |dir| {
            let truth_set = truth_fovs(&study, &labelled, &truths[0]);
            report::write_agreement(
                dir,
                &summary,
                &labelled,
                &truths,
                &truth_set,
                &study.raters,
                &study.hierarchy,
                &root,
                args.output.formats(),
            )
        })?;
        watch.lap("writing");
    }
    Ok(ExitCode::SUCCESS)
}
