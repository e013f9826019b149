//! `nucagree compare` and `nucagree score`.

use super::{write_outputs, InputArgs, MatchArgs, OutputArgs, Stopwatch};
use anyhow::{Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nucagree::comparison::run::{self, ComparisonOptions, ComparisonReport, Job};
use nucagree::comparison::{AmbiguousMode, ClassRoles};
use nucagree::ingest;
use nucagree::model::AnnotationSet;
use nucagree::report;
use nucagree::stats::bootstrap::{BootstrapOptions, IntervalMethod};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

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
    #[arg(long, default_value_t = 0.5, value_name = "SCORE")]
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
    #[arg(long, value_enum, default_value = "detect-only")]
    ambiguous: AmbiguousArg,
    /// Bootstrap replicates for the intervals over FOVs (0: none).
    #[arg(long, default_value_t = 1000, value_name = "N")]
    bootstrap: usize,
    /// Bootstrap interval: bias-corrected and accelerated, or percentile.
    #[arg(long, value_enum, default_value = "bca")]
    bootstrap_method: IntervalArg,
    /// Seed of the bootstrap.
    #[arg(long, default_value_t = 2022)]
    seed: u64,
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
    #[arg(long, default_value_t = 6, value_name = "N")]
    overlays: usize,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
    /// Print the time of each stage on stderr.
    #[arg(long)]
    timings: bool,
    #[command(flatten)]
    matching: MatchArgs,
    #[command(flatten)]
    input: InputArgs,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum AmbiguousArg {
    DetectOnly,
    Class,
    Ignore,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum IntervalArg {
    Bca,
    Percentile,
}

/// A `--fail-under` condition.
#[derive(Debug, Clone, PartialEq)]
struct Threshold {
    metric: String,
    minimum: f64,
}

fn parse_thresholds(specs: &[String]) -> Result<Vec<Threshold>> {
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

/// Looks a metric up in the summary: a dotted path, tried as given and under `levels.`.
fn lookup(summary: &serde_json::Value, metric: &str) -> Option<Option<f64>> {
    let find = |path: &str| {
        let mut node = summary;
        for key in path.split('.') {
            node = node.get(key)?;
        }
        Some(node.as_f64())
    };
    find(metric).or_else(|| find(&format!("levels.{metric}")))
}

pub fn compare(args: &CompareArgs) -> Result<ExitCode> {
    run_job(Job::Compare, &args.a, &args.b, &args.common, 0.5, false)
}

pub fn score(args: &ScoreArgs) -> Result<ExitCode> {
    anyhow::ensure!(
        args.score_threshold.is_finite(),
        "--score-threshold must be a number"
    );
    run_job(
        Job::Score,
        &args.pred,
        &args.truth,
        &args.common,
        args.score_threshold,
        args.folds,
    )
}

fn run_job(
    job: Job,
    a_path: &std::path::Path,
    b_path: &std::path::Path,
    common: &CommonArgs,
    score_threshold: f64,
    folds: bool,
) -> Result<ExitCode> {
    let thresholds = parse_thresholds(&common.fail_under)?;
    let options = ComparisonOptions {
        job,
        matching: common.matching.options()?,
        ambiguous: match common.ambiguous {
            AmbiguousArg::DetectOnly => AmbiguousMode::DetectOnly,
            AmbiguousArg::Class => AmbiguousMode::Class,
            AmbiguousArg::Ignore => AmbiguousMode::Ignore,
        },
        bootstrap: (common.bootstrap > 0).then_some(BootstrapOptions {
            replicates: common.bootstrap,
            seed: common.seed,
            method: match common.bootstrap_method {
                IntervalArg::Bca => IntervalMethod::Bca,
                IntervalArg::Percentile => IntervalMethod::Percentile,
            },
            level: 0.95,
        }),
        score_threshold,
        folds,
    };
    let read_options = common.input.read_options()?;
    // COCO results name their images by the ids of a ground-truth file: the reference's
    // when it is one JSON file (used only if A turns out to be a bare results list).
    let mut options_a = read_options.clone();
    let b_is_json = b_path.is_file()
        && b_path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if options_a.coco_images.is_none() && b_is_json {
        options_a.coco_images = Some(b_path.to_path_buf());
    }
    let mut watch = Stopwatch::new(common.timings);
    let (a, b) = rayon::join(
        || ingest::read_set(a_path, &options_a),
        || ingest::read_set(b_path, &read_options),
    );
    let (a, b): (AnnotationSet, AnnotationSet) = (a?, b?);
    watch.lap("reading");
    let roles = ClassRoles::new(b.hierarchy.clone(), options.ambiguous);
    let bar = progress_bar(common.quiet, b.fovs.len());
    // The rows serve the match table and the overlays.
    let keep_rows = common.out.is_some() && (!common.no_matches || common.overlays > 0);
    let (outcomes, rows) = run::evaluate_sets(&a, &b, &roles, &options, keep_rows, &|done| {
        bar.set_position(done as u64)
    });
    bar.finish_and_clear();
    watch.lap("matching");
    let summary = run::report_of(&a, &b, &outcomes, &roles, &options);
    watch.lap("statistics");
    print!("{}", headline(&summary));
    if let Some(out) = &common.out {
        let image_of = |fov: &str| {
            [&b, &a]
                .iter()
                .find_map(|set| ingest::images::fov_image(set, fov).ok().flatten())
        };
        let overlays = report::figures::overlays(
            &a,
            &b,
            &rows,
            nucagree::model::ClassLevel::Main,
            common.overlays,
            &image_of,
        );
        let matches = (keep_rows && !common.no_matches).then_some(&rows[..]);
        write_outputs(out, &[a_path, b_path], |dir| {
            report::write_comparison(
                dir,
                &summary,
                matches,
                &b.hierarchy,
                &overlays,
                common.output.formats(),
            )
        })?;
        watch.lap("writing");
    }
    check_thresholds(&summary, &thresholds)
}

fn progress_bar(quiet: bool, total: usize) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("matching {bar:40} {pos}/{len} FOVs ({eta})") {
        bar.set_style(style);
    }
    bar
}

/// The few lines printed on stdout.
fn headline(summary: &ComparisonReport) -> String {
    use report::markdown::number;
    let l = &summary.result.levels;
    let d = &l.super_.detection;
    let mut out = format!(
        "{} FOVs, {} nuclei in A, {} in B: precision {}, recall {}, F1 {}; mean IoU {}\n",
        summary.counts.fovs,
        summary.counts.a,
        summary.counts.b,
        number(d.precision, 3),
        number(d.recall, 3),
        number(d.f1, 3),
        number(l.super_.segmentation.mean_iou, 3)
    );
    for (name, level) in [("raw", &l.raw), ("main", &l.main), ("super", &l.super_)] {
        let c = &level.classification;
        out.push_str(&format!(
            "{name}: accuracy {}, kappa {}, AC1 {}, MCC {}",
            number(c.accuracy, 3),
            number(c.cohen_kappa, 3),
            number(c.gwet_ac1, 3),
            number(c.mcc, 3)
        ));
        if let Some(ap) = level.ap {
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

fn check_thresholds(summary: &ComparisonReport, thresholds: &[Threshold]) -> Result<ExitCode> {
    if thresholds.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let value = serde_json::to_value(summary).context("encoding the summary")?;
    let mut missed = false;
    for t in thresholds {
        match lookup(&value, &t.metric) {
            None => anyhow::bail!(
                "--fail-under: no figure {:?} in summary.json (e.g. super.detection.f1, raw.classification.cohen_kappa, objectness_ap.ap50)",
                t.metric
            ),
            Some(None) => {
                eprintln!("fail-under: {} is undefined (needs >= {})", t.metric, t.minimum);
                missed = true;
            }
            Some(Some(v)) if v < t.minimum => {
                eprintln!("fail-under: {} = {v:.4} is below {}", t.metric, t.minimum);
                missed = true;
            }
            Some(Some(_)) => {}
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
        assert_eq!(lookup(&summary, "super.detection.f1"), Some(Some(0.9)));
        assert_eq!(
            lookup(&summary, "levels.super.detection.f1"),
            Some(Some(0.9))
        );
        assert_eq!(lookup(&summary, "super.detection.precision"), Some(None));
        assert_eq!(lookup(&summary, "super.detection.nope"), None);
    }
}
