//! Command-line parsing, turned once into typed options, and the dispatch to each command.

mod agreement;
mod comparison;
mod convert;
mod input;
mod output;

use input::InputArgs;
use output::OutputArgs;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use nucagree::geometry::{IouOptions, IouShape, PixelConvention};
use nucagree::ingest;
use nucagree::inspect::InspectReport;
use nucagree::matching::{
    self, Assignment, Criterion, FovCrop, FovMatch, MatchOptions, MatchRow, MatchSummary, SetMatch,
};
use nucagree::model::ClassHierarchy;
use nucagree::model::Fov;
use nucagree::report;
use nucagree::report::simulation::SimulatedSet;
use nucagree::simulate::{self, SimulationConfig};
use nucagree::tables;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

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
    Inspect(InspectArgs),
    /// Simulate NuCLS-like data with known truth: a corrected set and its uncorrected version,
    /// a model's predictions, and a multi-rater study.
    Simulate(SimulateArgs),
    /// Match the nuclei of two annotation sets one to one, FOV by FOV, and write the match table.
    Match(MatchCommandArgs),
    /// Compare two annotation sets (B the reference): detection, classification agreement at
    /// each class level, segmentation, by FOV, slide, hospital and fold.
    Compare(comparison::CompareArgs),
    /// Score a model's predictions against the truth: everything compare reports, plus AP,
    /// precision-recall curves, score thresholds and folds.
    Score(comparison::ScoreArgs),
    /// The agreement analysis of a multi-rater study: anchors, Fleiss' kappa, Krippendorff's
    /// alpha, Gwet's AC1 and pairwise Cohen's kappa at each class level, by rater group.
    Agree(agreement::AgreeArgs),
    /// Every report on a folder laid out as `nucagree simulate` writes it (corrected,
    /// uncorrected, predictions, multi-rater): inspect, compare, score and agree.
    Report(ReportArgs),
    /// Write an annotation set in another format: the NuCLS layout, COCO, GeoJSON (QuPath) or
    /// Hugging Face parquet.
    Convert(convert::ConvertArgs),
}

#[derive(Debug, Args)]
struct MatchCommandArgs {
    /// The first set (e.g. a rater, or predictions).
    a: PathBuf,
    /// The second set, the reference (e.g. the corrected set, or the truth).
    b: PathBuf,
    /// Write matches.csv, matches.parquet and match_summary.json into this folder.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    #[command(flatten)]
    matching: MatchArgs,
    #[command(flatten)]
    input: InputArgs,
    /// Print the time of each stage (reading, matching, writing) on stderr.
    #[arg(long)]
    timings: bool,
}

/// How nuclei are matched; shared by every command that matches.
#[derive(Debug, Args)]
struct MatchArgs {
    /// Pairs need an IoU at or above this.
    #[arg(long, default_value_t = 0.5, value_name = "IOU")]
    iou_threshold: f64,
    /// How candidate pairs become one-to-one: the largest total IoU (optimal), IoU descending
    /// (greedy), or A's scores descending as pycocotools does (greedy-score).
    #[arg(long, value_enum, default_value = "optimal")]
    matching: AssignmentArg,
    /// Pair by IoU, or by centroid distance (--radius-px).
    #[arg(long = "match", value_enum, default_value = "iou")]
    criterion: CriterionArg,
    /// The radius of centroid matching, in pixels.
    #[arg(long, value_name = "PX")]
    radius_px: Option<f64>,
    /// Compare outlines (polygon) or bounding boxes (box, as the NuCLS code does).
    #[arg(long, value_enum, default_value = "polygon")]
    shape: ShapeArg,
    /// Box areas in continuous geometry, or inclusive pixel counts (x2-x1+1)(y2-y1+1) as the
    /// NuCLS code counts them (with --shape box).
    #[arg(long, value_enum, default_value = "continuous")]
    pixel_convention: PixelArg,
    /// Leave out nuclei centred outside the reference set's FOV region (reference), or keep all (off).
    #[arg(long, value_enum, default_value = "reference")]
    fov_crop: CropArg,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum AssignmentArg {
    Optimal,
    Greedy,
    GreedyScore,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum CriterionArg {
    Iou,
    Centroid,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ShapeArg {
    Polygon,
    Box,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum PixelArg {
    Continuous,
    Inclusive,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum CropArg {
    Reference,
    Off,
}

impl MatchArgs {
    fn options(&self) -> Result<MatchOptions> {
        let shape = match self.shape {
            ShapeArg::Polygon => IouShape::Polygon,
            ShapeArg::Box => IouShape::Box,
        };
        let pixels = match self.pixel_convention {
            PixelArg::Continuous => PixelConvention::Continuous,
            PixelArg::Inclusive => PixelConvention::Inclusive,
        };
        let iou_options = IouOptions::new(shape, pixels)?;
        let criterion = match self.criterion {
            CriterionArg::Iou => {
                anyhow::ensure!(
                    self.iou_threshold > 0.0 && self.iou_threshold <= 1.0,
                    "--iou-threshold must be in (0, 1], found {}",
                    self.iou_threshold
                );
                anyhow::ensure!(
                    self.radius_px.is_none(),
                    "--radius-px goes with --match centroid"
                );
                Criterion::Iou {
                    threshold: self.iou_threshold,
                    options: iou_options,
                }
            }
            CriterionArg::Centroid => {
                let radius_px = self
                    .radius_px
                    .context("--match centroid needs --radius-px")?;
                anyhow::ensure!(
                    radius_px > 0.0 && radius_px.is_finite(),
                    "--radius-px must be a positive number"
                );
                Criterion::Centroid { radius_px }
            }
        };
        Ok(MatchOptions {
            criterion,
            assignment: match self.matching {
                AssignmentArg::Optimal => Assignment::Optimal,
                AssignmentArg::Greedy => Assignment::GreedyIou,
                AssignmentArg::GreedyScore => Assignment::GreedyScore,
            },
            crop: match self.fov_crop {
                CropArg::Reference => FovCrop::ReferenceRegion,
                CropArg::Off => FovCrop::Off,
            },
        })
    }
}

#[derive(Debug, Args)]
struct SimulateArgs {
    /// The output folder (new, empty, or a previous simulation, whose sets are replaced).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Seed of every random stream; the same seed gives the same files on any machine.
    #[arg(long)]
    seed: Option<u64>,
    /// Number of FOVs to generate.
    #[arg(long)]
    fovs: Option<usize>,
    /// Number of slides the FOVs are spread over (default: a third of the FOVs).
    #[arg(long)]
    slides: Option<usize>,
    /// Number of hospitals the slides are spread over; folds group hospitals.
    #[arg(long)]
    hospitals: Option<usize>,
    /// Mean number of nuclei per FOV.
    #[arg(long)]
    mean_nuclei: Option<f64>,
    /// How many FOVs the multi-rater study covers ("all" for every FOV).
    #[arg(long, value_name = "N|all")]
    rater_fovs: Option<String>,
    /// Also paint a synthetic H&E-like RGB image of each FOV into corrected/rgb/.
    #[arg(long)]
    images: bool,
    /// Which sets to write, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "corrected,uncorrected,predictions,multi-rater,multi-rater-folders"
    )]
    sets: Vec<SetName>,
    /// A TOML or JSON file with any of the configuration's fields (profiles, raters, model,
    /// correction, ...); flags given on the command line take precedence.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Take the truth from this annotation set instead of generating it.
    #[arg(long, value_name = "SET")]
    from: Option<PathBuf>,
    #[command(flatten)]
    input: InputArgs,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum SetName {
    Corrected,
    Uncorrected,
    Predictions,
    MultiRater,
    MultiRaterFolders,
}

#[derive(Debug, Args)]
struct ReportArgs {
    /// A folder holding `corrected/`, and any of `uncorrected/`, `predictions/` and
    /// `multi-rater/` (as `nucagree simulate` writes them).
    data: PathBuf,
    /// The reports go into `inspect/`, `compare/`, `score/` and `agree/` of this folder.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Also write each report as one self-contained HTML file (`report.html`).
    #[arg(long)]
    html: bool,
    /// Also write each report's headline tables as LaTeX (`tables.tex`).
    #[arg(long)]
    latex: bool,
}

#[derive(Debug, Args)]
struct InspectArgs {
    /// A folder: an annotation set (csv/<fov>.csv or <fov>.csv) or a multi-rater study.
    set: PathBuf,
    /// Also write inspect.md and inspect.json into this folder.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    #[command(flatten)]
    input: InputArgs,
}

pub fn run() -> Result<ExitCode> {
    dispatch(Cli::parse().command)
}

fn dispatch(command: Command) -> Result<ExitCode> {
    match command {
        Command::Inspect(args) => inspect(&args),
        Command::Simulate(args) => simulate(&args),
        Command::Match(args) => match_command(&args),
        Command::Compare(args) => comparison::compare(&args),
        Command::Score(args) => comparison::score(&args),
        Command::Agree(args) => agreement::agree(&args),
        Command::Report(args) => report_command(&args),
        Command::Convert(args) => convert::convert(&args),
    }
}

/// Times the stages of a command, printed on stderr with `--timings`.
struct Stopwatch {
    enabled: bool,
    last: Instant,
}

impl Stopwatch {
    fn new(enabled: bool) -> Stopwatch {
        Stopwatch {
            enabled,
            last: Instant::now(),
        }
    }

    fn lap(&mut self, stage: &str) {
        let now = Instant::now();
        if self.enabled {
            eprintln!(
                "timing: {stage}: {:.1} ms",
                (now - self.last).as_secs_f64() * 1e3
            );
        }
        self.last = now;
    }
}

/// FOVs read and matched per chunk: bounds memory however large the sets are.
const MATCH_CHUNK: usize = 4096;

fn match_command(args: &MatchCommandArgs) -> Result<ExitCode> {
    let options = args.matching.options()?;
    let read_options = args.input.read_options()?;
    let (index_a, index_b) = rayon::join(
        || ingest::index_set(&args.a, &read_options),
        || ingest::index_set(&args.b, &read_options),
    );
    let (index_a, index_b) = (index_a?, index_b?);
    let shared: Vec<(usize, usize)> = index_a
        .fov_names()
        .enumerate()
        .filter_map(|(i, name)| index_b.position(name).map(|j| (i, j)))
        .collect();
    let mut matched = SetMatch {
        only_in_a: index_a
            .fov_names()
            .filter(|n| index_b.position(n).is_none())
            .map(String::from)
            .collect(),
        only_in_b: index_b
            .fov_names()
            .filter(|n| index_a.position(n).is_none())
            .map(String::from)
            .collect(),
        ..SetMatch::default()
    };
    let want_table = args.out.is_some();
    let mut table_rows: Vec<(String, Vec<MatchRow>)> = Vec::new();
    let (mut reading, mut matching_time) = (0.0, 0.0);
    for chunk in shared.chunks(MATCH_CHUNK) {
        let started = Instant::now();
        let fovs: Vec<nucagree::Result<(Fov, Fov)>> = chunk
            .par_iter()
            .map(|&(i, j)| Ok((index_a.read_fov(i)?.0, index_b.read_fov(j)?.0)))
            .collect();
        let fovs = fovs.into_iter().collect::<nucagree::Result<Vec<_>>>()?;
        let read_done = Instant::now();
        let results: Vec<(FovMatch, Option<Vec<MatchRow>>)> = fovs
            .par_iter()
            .map(|(fa, fb)| {
                let m = matching::match_fov(fa, fb, &options);
                let rows = want_table.then(|| matching::match_rows(&m, fa, fb));
                (m, rows)
            })
            .collect();
        matching_time += read_done.elapsed().as_secs_f64();
        reading += (read_done - started).as_secs_f64();
        for (m, rows) in results {
            if let Some(rows) = rows {
                table_rows.push((m.fov.clone(), rows));
            }
            matched.fovs.push(m);
        }
    }
    if args.timings {
        eprintln!("timing: reading: {:.1} ms", reading * 1e3);
        eprintln!("timing: matching: {:.1} ms", matching_time * 1e3);
    }
    let mut watch = Stopwatch::new(args.timings);
    let summary = MatchSummary::of(&matched, &options);
    print!("{}", report::markdown::match_summary(&summary));
    if let Some(out) = &args.out {
        write_outputs(out, &[&args.a, &args.b], |dir| {
            let mut table = tables::match_table(&table_rows, index_a.hierarchy())?;
            let csv = dir.join("matches.csv");
            let parquet = dir.join("matches.parquet");
            let json_path = dir.join("match_summary.json");
            report::tables::write_csv(&csv, &mut table)?;
            report::tables::write_parquet(&parquet, &mut table)?;
            report::write_atomic(
                &json_path,
                report::json::to_pretty(&summary, "the match summary")?.as_bytes(),
            )?;
            Ok(vec![csv, parquet, json_path])
        })?;
        watch.lap("writing");
    }
    Ok(ExitCode::SUCCESS)
}

fn simulate(args: &SimulateArgs) -> Result<ExitCode> {
    let mut config = match &args.config {
        Some(path) => read_simulation_config(path)?,
        None => SimulationConfig::default(),
    };
    if let Some(seed) = args.seed {
        config.seed = seed;
    }
    if let Some(fovs) = args.fovs {
        config.fovs = fovs;
        config.slides = fovs.div_ceil(3);
    }
    if let Some(slides) = args.slides {
        config.slides = slides;
    }
    if let Some(hospitals) = args.hospitals {
        config.hospitals = hospitals;
    }
    if let Some(mean) = args.mean_nuclei {
        anyhow::ensure!(
            mean > 0.0 && mean.is_finite(),
            "--mean-nuclei must be a positive number"
        );
        config.mean_nuclei_per_fov = mean;
    }
    match args.rater_fovs.as_deref() {
        None => {
            if args.from.is_some() {
                config.rater_fovs = None;
            }
        }
        Some("all") => config.rater_fovs = None,
        Some(n) => {
            config.rater_fovs = Some(n.parse().with_context(|| {
                format!("--rater-fovs: expected a number or \"all\", found {n:?}")
            })?)
        }
    }
    if args.images {
        config.images = true;
    }
    simulate::validate_design(&config.design).map_err(anyhow::Error::msg)?;
    let mut sets: Vec<SimulatedSet> = args
        .sets
        .iter()
        .map(|s| match s {
            SetName::Corrected => SimulatedSet::Corrected,
            SetName::Uncorrected => SimulatedSet::Uncorrected,
            SetName::Predictions => SimulatedSet::Predictions,
            SetName::MultiRater => SimulatedSet::MultiRater,
            SetName::MultiRaterFolders => SimulatedSet::MultiRaterFolders,
        })
        .collect();
    sets.sort();
    sets.dedup();
    let (plans, hierarchy) = match &args.from {
        Some(from) => {
            let options = args.input.read_options()?;
            let set = ingest::read_set(from, &options)?;
            report::prepare_output_dir(&args.out, &[from])?;
            (
                simulate::plan_from_set(&config, &set),
                set.hierarchy.clone(),
            )
        }
        None => {
            anyhow::ensure!(config.fovs > 0, "--fovs must be at least 1");
            (
                simulate::plan_fovs(&config),
                Arc::new(ClassHierarchy::nucls()),
            )
        }
    };
    let counts = report::simulation::write_simulation(
        &args.out,
        &sets,
        &config,
        &plans,
        &hierarchy,
        |plan| simulate::simulate_fov_with(&config, plan, &hierarchy),
    )?;
    eprintln!(
        "wrote {} FOVs to {}: {} truth nuclei, {} corrected, {} uncorrected, {} predicted; {} study FOVs with {} rater annotations",
        counts.fovs,
        args.out.display(),
        counts.truth_nuclei,
        counts.corrected_nuclei,
        counts.uncorrected_nuclei,
        counts.predicted_nuclei,
        counts.study_fovs,
        counts.rater_annotations
    );
    Ok(ExitCode::SUCCESS)
}

fn read_simulation_config(path: &Path) -> Result<SimulationConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let config = if is_json {
        serde_json::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{}:{}:{}: {e}", path.display(), e.line(), e.column()))?
    } else {
        toml::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.to_string().trim_end()))?
    };
    Ok(config)
}

fn inspect(args: &InspectArgs) -> Result<ExitCode> {
    let options = args.input.read_options()?;
    let dataset = ingest::open(&args.set, &options)?;
    let summary = InspectReport::of(&dataset);
    print!("{}", report::markdown::inspect(&summary));
    if let Some(out) = &args.out {
        write_outputs(out, &[&args.set], |dir| {
            report::write_inspect(dir, &summary)
        })?;
    }
    Ok(ExitCode::SUCCESS)
}

fn write_outputs(
    out: &Path,
    inputs: &[&Path],
    write: impl FnOnce(&Path) -> nucagree::Result<Vec<PathBuf>>,
) -> Result<()> {
    report::prepare_output_dir(out, inputs)?;
    let written = write(out).with_context(|| format!("writing into {}", out.display()))?;
    if written.len() <= 4 {
        for path in written {
            eprintln!("wrote {}", path.display());
        }
    } else {
        let names: Vec<String> = written
            .iter()
            .filter_map(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .collect();
        eprintln!(
            "wrote {} files into {}: {}",
            names.len(),
            out.display(),
            names.join(", ")
        );
    }
    Ok(())
}

/// Runs each job as its own command would, with default options.
fn report_command(args: &ReportArgs) -> Result<ExitCode> {
    let path = |name: &str| args.data.join(name).display().to_string();
    let out = |name: &str| args.out.join(name).display().to_string();
    anyhow::ensure!(
        args.data.join("corrected").is_dir(),
        "{}: expected a corrected/ folder (the reference set)",
        args.data.display()
    );
    let mut jobs: Vec<Vec<String>> = vec![vec![
        "inspect".into(),
        path("corrected"),
        "--out".into(),
        out("inspect"),
    ]];
    if args.data.join("uncorrected").is_dir() {
        jobs.push(vec![
            "compare".into(),
            path("uncorrected"),
            path("corrected"),
            "--out".into(),
            out("compare"),
            "--quiet".into(),
        ]);
    }
    if args.data.join("predictions").is_dir() {
        jobs.push(vec![
            "score".into(),
            "--truth".into(),
            path("corrected"),
            "--pred".into(),
            path("predictions"),
            "--folds".into(),
            "--out".into(),
            out("score"),
            "--quiet".into(),
        ]);
    }
    if args.data.join("multi-rater").is_dir() {
        jobs.push(vec![
            "agree".into(),
            path("multi-rater"),
            "--out".into(),
            out("agree"),
        ]);
    }
    for job in jobs.iter_mut().filter(|j| j[0] != "inspect") {
        if args.html {
            job.extend(["--format".to_string(), "html".to_string()]);
        }
        if args.latex {
            job.push("--latex".into());
        }
    }
    let mut done = Vec::new();
    for job in jobs {
        println!("\n== nucagree {}\n", job.join(" "));
        done.push((job[0].clone(), job.join(" ")));
        let cli = Cli::try_parse_from(std::iter::once("nucagree".to_string()).chain(job))?;
        dispatch(cli.command)?;
    }
    let index = report::write_index(&args.out, &args.data.display().to_string(), &done)?;
    eprintln!("wrote {}", index.display());
    Ok(ExitCode::SUCCESS)
}
