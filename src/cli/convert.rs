//! `nucagree convert`: an annotation set written in another format.

use super::common::{choice, RunArgs, Stopwatch};
use super::input::InputArgs;
use anyhow::Result;
use clap::Args;
use nucagree::ingest;
use nucagree::model::whole_slide::{join_slides, JoinedSlides, NameScale};
use nucagree::writers::geojson::{write_fov_regions, FOV_REGIONS_FILE};
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
    /// Join each slide's FOVs into one slide-size FOV in the slide's base pixels, placed by
    /// the offsets in their NuCLS names; nuclei centred outside their FOV's region are left
    /// out, and the regions are written as `fov_regions.geojson` (for `--roi`).
    #[arg(long)]
    whole_slide: bool,
    /// With --whole-slide: FOV image pixels per slide base pixel (NuCLS: 1.25, 0.2 µm/px
    /// images of 0.25 µm/px slides); one scale for every FOV.
    #[arg(long, value_name = "S", default_value_t = NameScale::NUCLS.get(), requires = "whole_slide")]
    name_scale: f64,
    #[command(flatten)]
    input_options: InputArgs,
    #[command(flatten)]
    run: RunArgs,
}

pub fn convert(args: &ConvertArgs) -> Result<ExitCode> {
    let options = args.input_options.read_options()?;
    let name_scale = NameScale::new(args.name_scale).ok_or_else(|| {
        anyhow::anyhow!(
            "--name-scale {}: expected a positive number of image pixels per slide pixel",
            args.name_scale
        )
    })?;
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
    let (read_fovs, read_nuclei) = (set.fovs.len(), set.nucleus_count());
    let (set, joined) = if args.whole_slide {
        let JoinedSlides {
            set,
            regions,
            left_out,
            overlapping_fovs,
        } = join_slides(&set, name_scale)?;
        (set, Some((regions, left_out, overlapping_fovs)))
    } else {
        (set, None)
    };
    let mut written = write_set(&set, args.to, folder.staging())?;
    if let Some((regions, ..)) = &joined {
        let path = folder.staging().join(FOV_REGIONS_FILE);
        write_fov_regions(&path, regions)?;
        written.push(path);
    }
    folder.commit()?;
    watch.lap("writing");
    if args.run.quiet {
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!(
        "{} FOVs, {} nuclei from {} ({}) written as {} files into {}",
        read_fovs,
        read_nuclei,
        args.input.display(),
        set.format.name(),
        written.len(),
        args.out.display()
    );
    if let Some((regions, left_out, overlapping_fovs)) = &joined {
        eprintln!(
            "{} FOVs joined into {} slides at {} image pixels per slide pixel ({} nuclei); their regions in {}",
            regions.len(),
            set.fovs.len(),
            name_scale.get(),
            set.nucleus_count(),
            FOV_REGIONS_FILE
        );
        if *left_out > 0 {
            eprintln!(
                "note: {left_out} nuclei centred outside their FOV's region left out (as the FOV crop leaves them out)"
            );
        }
        if *overlapping_fovs > 0 {
            eprintln!(
                "warning: {overlapping_fovs} pairs of FOVs of one slide overlap: nuclei in both regions appear twice"
            );
        }
    }
    let simplified = outlines_simplified(&set, args.to);
    if simplified > 0 {
        eprintln!(
            "note: {simplified} outlines could not be written in full: {}",
            match args.to {
                OutputFormat::Coco => "COCO polygons hold no holes (each piece's outer ring written; area is the true area)",
                OutputFormat::CocoRle => "a mask holds whole pixels: each outline became the pixels whose centres it covers (exact only for integer boxes and pixel-traced outlines)",
                OutputFormat::Dsa => "a DSA polyline holds one piece (the largest written, with its holes); --to geojson keeps them",
                _ => "the format holds one ring a nucleus (the largest piece's outer ring written); --to geojson keeps them",
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}
