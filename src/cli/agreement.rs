//! `nucagree agree`.

use super::{write_outputs, InputArgs, Stopwatch};
use anyhow::{Context, Result};
use clap::Args;
use nucagree::agreement::summary::{analyse, AgreeOptions};
use nucagree::agreement::{group_of_rater, label_study, main_eval_set, Study};
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
    /// Seed of the bootstrap.
    #[arg(long, default_value_t = 2022)]
    seed: u64,
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
        ..AgreeOptions::default()
    };
    let labelled = label_study(&study, options.min_iou, &options.iou_options);
    watch.lap("clustering");
    let summary = analyse(&multi, &study, eval_set.as_deref(), &labelled, &options);
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
            report::write_agreement(
                dir,
                &summary,
                &labelled,
                &study.raters,
                &study.hierarchy,
                &root,
            )
        })?;
        watch.lap("writing");
    }
    Ok(ExitCode::SUCCESS)
}
