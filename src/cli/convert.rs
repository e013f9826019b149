//! `nucagree convert`: an annotation set written in another format.

use super::common::{choice, RunArgs, Stopwatch};
use super::input::InputArgs;
use anyhow::Result;
use clap::Args;
use nucagree::ingest;
use nucagree::writers::output_folder::OutputFolder;
use nucagree::writers::set::{outlines_simplified, write_set, OutputFormat};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The set: a folder or file in any format nucagree reads.
    input: PathBuf,
    /// The format written.
    #[arg(long, value_parser = choice::<OutputFormat>())]
    to: OutputFormat,
    /// The folder written: new, empty, or written by nucagree before (then replaced whole).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    #[command(flatten)]
    input_options: InputArgs,
    #[command(flatten)]
    run: RunArgs,
}

pub fn convert(args: &ConvertArgs) -> Result<ExitCode> {
    let options = args.input_options.read_options()?;
    // Never write over an input: a file's whole folder is protected (its metadata beside it).
    let protected = if args.input.is_file() {
        args.input.parent().unwrap_or(std::path::Path::new("."))
    } else {
        args.input.as_path()
    };
    let folder = OutputFolder::begin(&args.out, &[protected])?;
    let mut watch = Stopwatch::new(args.run);
    let set = ingest::read_set(&args.input, &options)?;
    watch.lap("reading");
    let written = write_set(&set, args.to, folder.staging())?;
    folder.commit()?;
    watch.lap("writing");
    if args.run.quiet {
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!(
        "{} FOVs, {} nuclei from {} ({}) written as {} files into {}",
        set.fovs.len(),
        set.nucleus_count(),
        args.input.display(),
        set.format.name(),
        written.len(),
        args.out.display()
    );
    let simplified = outlines_simplified(&set, args.to);
    if simplified > 0 {
        eprintln!(
            "note: {simplified} outlines of several pieces or with holes could not be written in full: {}",
            match args.to {
                OutputFormat::Coco => "COCO polygons hold no holes (each piece's outer ring written; area is the true area)",
                OutputFormat::Dsa => "a DSA polyline holds one piece (the largest written, with its holes); --to geojson keeps them",
                _ => "the format holds one ring a nucleus (the largest piece's outer ring written); --to geojson keeps them",
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}
