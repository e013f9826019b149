//! Command-line parsing, turned once into typed options, and the dispatch to each command.
//! Each command has a file: its clap arguments, the typed job they become, and the function
//! that runs the job through the library.

mod agreement;
mod common;
mod comparison;
mod conventions;
mod convert;
mod input;
mod inspect;
mod matching;
mod merge;
mod output;
mod regions;
mod report;
mod shard;
mod simulate;

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "nucagree",
    version,
    about = "Agreement on cell nuclei between annotators, and between models and truth (NuCLS)",
    long_about = None
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show what an annotation set or multi-rater study holds, with its data-quality findings.
    Inspect(inspect::InspectArgs),
    /// Simulate NuCLS-like data with known truth: a corrected set and its uncorrected version,
    /// a model's predictions, and a multi-rater study.
    Simulate(simulate::SimulateArgs),
    /// Match the nuclei of two annotation sets one to one, FOV by FOV, and write the match table.
    Match(matching::MatchCommandArgs),
    /// Compare two annotation sets (B the reference): detection, classification agreement at
    /// each class level, segmentation, by FOV, slide, hospital and fold.
    Compare(comparison::CompareArgs),
    /// Score a model's predictions against the truth: everything compare reports, plus AP,
    /// precision-recall curves, score thresholds and folds.
    Score(comparison::ScoreArgs),
    /// Merge the partials of disjoint shards (`compare`/`score --partial`) into the report of
    /// one run over all their FOVs, bootstrap intervals included.
    Merge(merge::MergeArgs),
    /// The agreement analysis of a multi-rater study: anchors, Fleiss' kappa, Krippendorff's
    /// alpha, Gwet's AC1 and pairwise Cohen's kappa at each class level, by rater group.
    Agree(agreement::AgreeArgs),
    /// Every report on a folder laid out as `nucagree simulate` writes it (corrected,
    /// uncorrected, predictions, multi-rater): inspect, compare, score and agree.
    Report(report::ReportArgs),
    /// The instance metrics of HoVer-Net, CoNIC, PanNuke and StarDist, each as its own code
    /// computes them, of predictions against the truth (label maps counted in pixels).
    Conventions(conventions::ConventionsArgs),
    /// Agreement on tissue-region masks (BCSS): pixel accuracy, kappa, per-class Dice and IoU
    /// and the pixel confusion matrix of A against the reference B, by ROI, slide, hospital
    /// and fold.
    Regions(regions::RegionsArgs),
    /// Write an annotation set in another format: the NuCLS layout, COCO, GeoJSON (QuPath) or
    /// Hugging Face parquet.
    Convert(convert::ConvertArgs),
}

/// Parses the command line and runs the command.
pub fn run() -> Result<ExitCode> {
    match Cli::parse().command {
        Command::Inspect(args) => inspect::inspect(&args.job()?),
        Command::Simulate(args) => simulate::simulate(&args),
        Command::Match(args) => matching::match_command(&args),
        Command::Compare(args) => comparison::run_job(&args.job()?),
        Command::Score(args) => comparison::run_job(&args.job()?),
        Command::Merge(args) => merge::merge(&args),
        Command::Agree(args) => agreement::agree(&args.job()?),
        Command::Report(args) => report::report_command(&args),
        Command::Convert(args) => convert::convert(&args),
        Command::Regions(args) => args.run(),
        Command::Conventions(args) => conventions::conventions(&args),
    }
}

/// Whether the command stopped because standard output was closed.
pub fn stdout_was_closed(error: &anyhow::Error) -> bool {
    error.downcast_ref::<common::ClosedStdout>().is_some()
}

/// The flag that fixes a library error, added to its message.
pub fn remedy(error: &anyhow::Error) -> Option<&'static str> {
    use nucagree::error::Remedy;
    let remedy = error
        .chain()
        .find_map(|cause| cause.downcast_ref::<nucagree::Error>())?
        .remedy()?;
    Some(match remedy {
        Remedy::ClassMap => ", or map it with --class-map",
        Remedy::CocoImages => " (--coco-images FILE)",
        Remedy::TypeMap => " (--type-map FILE)",
        Remedy::OutputOutsideInputs => ": choose an --out outside the inputs",
        Remedy::NewOutput => ": choose an empty or new --out",
        _ => return None,
    })
}
