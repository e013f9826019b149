//! `nucagree conventions`: the instance metrics of every field convention (HoVer-Net, CoNIC,
//! PanNuke, StarDist) alone, without nucagree's own matching, bootstrap and figures; label
//! maps are read without tracing outlines, which these metrics do not use.

use super::common::{print_out, write_outputs, RunArgs, Stopwatch};
use super::input::InputArgs;
use super::output::FigureArgs;
use anyhow::{Context, Result};
use clap::Args;
use nucagree::conventions::{conventions_report, ConventionsOptions, ConventionsReport};
use nucagree::ingest::{self, LabelOutlines};
use nucagree::matching::crowd;
use nucagree::matching::pairing::FovPairing;
use nucagree::report;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ConventionsArgs {
    /// The ground truth.
    #[arg(long, value_name = "SET")]
    truth: PathBuf,
    /// The predictions.
    #[arg(long, value_name = "SET")]
    pred: PathBuf,
    /// Write summary.json, report.md and the tables (CSV and parquet) into this folder.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    #[command(flatten)]
    conventions: ConventionArgs,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    figures: FigureArgs,
    #[command(flatten)]
    run: RunArgs,
}

/// How the field's conventions are computed; `conventions`, `compare` and `score` take it.
#[derive(Debug, Args)]
pub struct ConventionArgs {
    /// StarDist's IoU thresholds for its matching table, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9",
        value_name = "T,T,..."
    )]
    thresholds: Vec<f64>,
}

impl ConventionArgs {
    /// The options: StarDist's thresholds, each in (0, 1], each once.
    pub fn options(&self) -> Result<ConventionsOptions> {
        let mut seen: Vec<f64> = Vec::new();
        for &t in &self.thresholds {
            anyhow::ensure!(
                t > 0.0 && t <= 1.0,
                "--thresholds: {t} is not an IoU threshold (expected a number in (0, 1])"
            );
            anyhow::ensure!(!seen.contains(&t), "--thresholds: {t} is given twice");
            seen.push(t);
        }
        anyhow::ensure!(
            !seen.is_empty(),
            "--thresholds: expected at least one threshold"
        );
        Ok(ConventionsOptions { thresholds: seen })
    }
}

/// Runs `conventions`.
pub fn conventions(args: &ConventionsArgs) -> Result<ExitCode> {
    let mut read = args.input.read_options()?;
    read.label_outlines = LabelOutlines::Boxes;
    let options = args.conventions.options()?;
    let mut watch = Stopwatch::new(args.run);
    let (truth, pred) = rayon::join(
        || ingest::read_set(&args.truth, &read),
        || ingest::read_set(&args.pred, &read),
    );
    let (truth, pred) = (truth?, pred?);
    nucagree::comparison::run::require_same_classes(&pred, &truth)?;
    FovPairing::of(&pred.fov_names(), &truth.fov_names())
        .require_shared()
        .with_context(|| format!("{} against {}", args.pred.display(), args.truth.display()))?;
    crowd::require_bounded_crowds(&pred, &truth, crowd::Candidates::Overlapping)?;
    watch.lap("reading");
    let summary = conventions_report(&truth, &pred, &options);
    watch.lap("statistics");
    print_out(&headline(&summary))?;
    if let Some(out) = &args.out {
        write_outputs(out, &[&args.truth, &args.pred], args.run, |dir| {
            report::write_conventions(dir, &summary, args.figures.options())
        })?;
        watch.lap("writing");
    }
    Ok(ExitCode::SUCCESS)
}

/// Each convention's headline figures, one line each.
fn headline(report: &ConventionsReport) -> String {
    use nucagree::tables::conventions::{figure_name, CONVENTION_FIGURES};
    let summary = &report.conventions;
    let mut out = format!(
        "{} images, {} nuclei in the prediction, {} in the truth\n",
        summary.images, report.pred.nuclei, report.truth.nuclei
    );
    let mut line = |convention: &str, figures: Vec<String>| {
        if !figures.is_empty() {
            out.push_str(&format!("{convention}: {}\n", figures.join(", ")));
        }
    };
    for convention in ["hovernet", "conic", "pannuke", "stardist"] {
        let figures = CONVENTION_FIGURES
            .iter()
            .filter(|f| f.convention.to_string() == convention)
            .map(|f| {
                format!(
                    "{} {}",
                    figure_name(f, summary),
                    report::markdown::number((f.value)(None, summary), 3)
                )
            })
            .collect();
        line(convention, figures);
    }
    out
}
