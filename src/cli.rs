//! Command-line parsing, turned once into typed options, and the dispatch to each command.

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use nucagree::ingest::{self, metadata, ReadOptions, Strictness};
use nucagree::inspect::InspectReport;
use nucagree::model::ClassHierarchy;
use nucagree::report;
use nucagree::report::simulation::SimulatedSet;
use nucagree::simulate::{self, SimulationConfig};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

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

/// How input is read; shared by every command that reads annotations.
#[derive(Debug, Args)]
struct InputArgs {
    /// A class hierarchy CSV (raw_classification, main_classification, super_classification)
    /// to use instead of the built-in NuCLS one.
    #[arg(long, value_name = "FILE")]
    hierarchy: Option<PathBuf>,
    /// A CSV (name, raw_classification) mapping class names found in files to raw classes.
    #[arg(long, value_name = "FILE")]
    class_map: Option<PathBuf>,
    /// Skip rows with problems (counted and listed in the data-quality findings) instead of
    /// stopping at the first.
    #[arg(long)]
    lenient: bool,
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

impl InputArgs {
    fn read_options(&self) -> Result<ReadOptions> {
        let mut hierarchy = match &self.hierarchy {
            Some(path) => metadata::read_hierarchy(path)?,
            None => ClassHierarchy::nucls(),
        };
        if let Some(path) = &self.class_map {
            metadata::apply_class_map(path, &mut hierarchy)?;
        }
        Ok(ReadOptions {
            hierarchy: Arc::new(hierarchy),
            strictness: if self.lenient {
                Strictness::Lenient
            } else {
                Strictness::Strict
            },
        })
    }
}

pub fn run() -> Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Inspect(args) => inspect(&args),
        Command::Simulate(args) => simulate(&args),
    }
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
    for path in written {
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}
