//! Command-line parsing, turned once into typed options, and the dispatch to each command.

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use nucagree::ingest::{self, metadata, ReadOptions, Strictness};
use nucagree::inspect::InspectReport;
use nucagree::model::ClassHierarchy;
use nucagree::report;
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
    }
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
