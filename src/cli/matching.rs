//! `nucagree match`, and the matching options every command that matches shares.

use super::common::{choice, print_out, write_outputs, RunArgs, Stopwatch};
use super::input::InputArgs;
use anyhow::{Context, Result};
use clap::Args;
use nucagree::geometry::{IouOptions, IouShape, PixelConvention};
use nucagree::ingest;
use nucagree::matching::pairing::FovPairing;
use nucagree::matching::stream::{match_indexed, CHUNK};
use nucagree::matching::table::MatchSummary;
use nucagree::matching::{Assignment, Criterion, CriterionKind, FovCrop, MatchOptions};
use nucagree::report;
use nucagree::tables;
use nucagree::writers::files::{to_pretty, write_csv, write_parquet};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct MatchCommandArgs {
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
    #[command(flatten)]
    run: RunArgs,
}

/// How nuclei are matched; shared by every command that matches.
#[derive(Debug, Args)]
pub struct MatchArgs {
    /// Pairs need an IoU at or above this.
    #[arg(long, default_value_t = 0.5, value_name = "IOU")]
    iou_threshold: f64,
    /// How candidate pairs become one-to-one: the largest total IoU (optimal), IoU descending
    /// (greedy), or A's scores descending as pycocotools does (greedy-score).
    #[arg(long, default_value_t = Assignment::Optimal, value_parser = choice::<Assignment>())]
    matching: Assignment,
    /// Pair by IoU, or by centroid distance (--radius-px).
    #[arg(long = "match", default_value_t = CriterionKind::Iou, value_parser = choice::<CriterionKind>())]
    criterion: CriterionKind,
    /// The radius of centroid matching, in pixels.
    #[arg(long, value_name = "PX")]
    radius_px: Option<f64>,
    /// IoU by what each nucleus is (auto: outlines when both are outlines, else boxes, as the
    /// NuCLS evaluation), of the drawn outlines (polygon), or of bounding boxes (box).
    #[arg(long, default_value_t = IouShape::Auto, value_parser = choice::<IouShape>())]
    shape: IouShape,
    /// Box areas in continuous geometry, or inclusive pixel counts (x2-x1+1)(y2-y1+1) as the
    /// NuCLS code counts them (with --shape box).
    #[arg(long, default_value_t = PixelConvention::Continuous, value_parser = choice::<PixelConvention>())]
    pixel_convention: PixelConvention,
    /// Leave out nuclei centred outside the reference set's FOV region (reference), or keep all (off).
    #[arg(long, default_value_t = FovCrop::ReferenceRegion, value_parser = choice::<FovCrop>())]
    fov_crop: FovCrop,
}

impl MatchArgs {
    pub fn options(&self) -> Result<MatchOptions> {
        let iou_options = IouOptions::new(self.shape, self.pixel_convention)
            .map_err(|e| anyhow::anyhow!("{e} (--shape box)"))?;
        let criterion = match self.criterion {
            CriterionKind::Iou => {
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
            CriterionKind::Centroid => {
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
            assignment: self.matching,
            crop: self.fov_crop,
        })
    }
}

pub fn match_command(args: &MatchCommandArgs) -> Result<ExitCode> {
    let options = args.matching.options()?;
    let read_options = args.input.read_options()?;
    let (index_a, index_b) = rayon::join(
        || ingest::index_set(&args.a, &read_options),
        || ingest::index_set(&args.b, &read_options),
    );
    let (index_a, index_b) = (index_a?, index_b?);
    let names_a: Vec<&str> = index_a.fov_names().collect();
    let names_b: Vec<&str> = index_b.fov_names().collect();
    FovPairing::of(&names_a, &names_b)
        .require_shared()
        .with_context(|| format!("{} against {}", args.a.display(), args.b.display()))?;
    let mut watch = Stopwatch::new(args.run);
    let streamed = match_indexed(&index_a, &index_b, &options, args.out.is_some(), CHUNK)?;
    watch.report("reading", streamed.reading.as_secs_f64());
    watch.report("matching", streamed.matching.as_secs_f64());
    watch.restart();
    let summary = MatchSummary::of(&streamed.matched, &options);
    print_out(&report::markdown::match_summary(&summary))?;
    if let Some(out) = &args.out {
        write_outputs(out, &[&args.a, &args.b], args.run, |dir| {
            let mut table = tables::match_table(&streamed.rows, index_a.hierarchy())?;
            let csv = dir.join("matches.csv");
            let parquet = dir.join("matches.parquet");
            let json_path = dir.join("match_summary.json");
            write_csv(&csv, &mut table)?;
            write_parquet(&parquet, &mut table)?;
            report::write_atomic(
                &json_path,
                to_pretty(&summary, "the match summary")?.as_bytes(),
            )?;
            Ok(vec![csv, parquet, json_path])
        })?;
        watch.lap("writing");
    }
    Ok(ExitCode::SUCCESS)
}
