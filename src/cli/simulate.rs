//! `nucagree simulate`.

use super::common::{choice, RunArgs, Stopwatch};
use super::input::InputArgs;
use anyhow::{Context, Result};
use clap::Args;
use nucagree::ingest;
use nucagree::model::ClassHierarchy;
use nucagree::report;
use nucagree::simulate::{self, FovPlans, SimulationConfig};
use nucagree::writers::simulation::{write_simulation, SimulatedSet};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Debug, Args)]
pub struct SimulateArgs {
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
        default_value = "corrected,uncorrected,predictions,multi-rater,multi-rater-folders,regions",
        value_parser = choice::<SimulatedSet>()
    )]
    sets: Vec<SimulatedSet>,
    /// A TOML or JSON file with any of the configuration's fields (profiles, raters, model,
    /// correction, ...); flags given on the command line take precedence.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Take the truth from this annotation set instead of generating it.
    #[arg(long, value_name = "SET")]
    from: Option<PathBuf>,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    run: RunArgs,
}

pub fn simulate(args: &SimulateArgs) -> Result<ExitCode> {
    let mut config = match &args.config {
        Some(path) => ingest::config::read_config(path)?,
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
    let mut watch = Stopwatch::new(args.run);
    let mut sets: Vec<SimulatedSet> = args.sets.clone();
    sets.sort();
    sets.dedup();
    let (plans, hierarchy) = match &args.from {
        Some(from) => {
            let options = args.input.read_options()?;
            let set = ingest::read_set(from, &options)?;
            report::prepare_output_dir(&args.out, &[from])?;
            (
                FovPlans::Given(simulate::plan_from_set(&config, &set)),
                set.hierarchy.clone(),
            )
        }
        None => {
            anyhow::ensure!(config.fovs > 0, "--fovs must be at least 1");
            (
                FovPlans::Generated(config.clone()),
                Arc::new(ClassHierarchy::nucls()),
            )
        }
    };
    watch.lap("planning");
    let counts = write_simulation(&args.out, &sets, &config, &plans, &hierarchy, |plan| {
        simulate::simulate_fov_with(&config, plan, &hierarchy)
    })?;
    watch.lap("simulating and writing");
    if args.run.quiet {
        return Ok(ExitCode::SUCCESS);
    }
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
