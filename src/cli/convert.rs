//! `nucagree convert`: an annotation set written in another format.

use super::InputArgs;
use anyhow::Result;
use clap::Args;
use nucagree::ingest;
use nucagree::report::{
    self,
    convert::{write_set, OutputFormat},
};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The set: a folder or file in any format nucagree reads.
    input: PathBuf,
    /// The format written.
    #[arg(long, value_enum)]
    to: ToArg,
    /// The folder written (created if needed; files in it are replaced).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    #[command(flatten)]
    input_options: InputArgs,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ToArg {
    Nucls,
    Coco,
    Geojson,
    HuggingFace,
}

pub fn convert(args: &ConvertArgs) -> Result<ExitCode> {
    let options = args.input_options.read_options()?;
    // Never write over an input: a file's whole folder is protected (its metadata beside it).
    let protected = if args.input.is_file() {
        args.input.parent().unwrap_or(std::path::Path::new("."))
    } else {
        args.input.as_path()
    };
    report::prepare_output_dir(&args.out, &[protected])?;
    let set = ingest::read_set(&args.input, &options)?;
    let format = match args.to {
        ToArg::Nucls => OutputFormat::Nucls,
        ToArg::Coco => OutputFormat::Coco,
        ToArg::Geojson => OutputFormat::GeoJson,
        ToArg::HuggingFace => OutputFormat::HuggingFace,
    };
    let written = write_set(&set, format, &args.out)?;
    eprintln!(
        "{} FOVs, {} nuclei from {} ({}) written as {} files into {}",
        set.fovs.len(),
        set.nucleus_count(),
        args.input.display(),
        set.format.name(),
        written.len(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
