//! `nucagree merge`: partials of disjoint shards (`compare`/`score --partial`) into the report
//! of one run over all their FOVs.

use super::common::{print_out, write_outputs, RunArgs, Stopwatch};
use super::comparison::{check_thresholds, headline, parse_thresholds};
use super::output::OutputArgs;
use anyhow::{Context, Result};
use clap::Args;
use nucagree::comparison::partial::merge_partials;
use nucagree::ingest::partial::read_partial;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The partials' folders, one per shard.
    #[arg(required = true, value_name = "PART")]
    parts: Vec<PathBuf>,
    /// Write summary.json, report.md and the tables (CSV and parquet) into this folder (as
    /// one run with --no-matches --overlays 0 writes them: a partial keeps no nuclei).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Exit with code 1 when a figure of summary.json is below the value (as for score).
    #[arg(long, value_name = "METRIC=VALUE")]
    fail_under: Vec<String>,
    #[command(flatten)]
    output: OutputArgs,
    #[command(flatten)]
    run: RunArgs,
}

pub fn merge(args: &MergeArgs) -> Result<ExitCode> {
    let thresholds = parse_thresholds(&args.fail_under)?;
    let mut watch = Stopwatch::new(args.run);
    let partials = args
        .parts
        .par_iter()
        .map(|dir| read_partial(dir))
        .collect::<nucagree::Result<Vec<_>>>()?;
    watch.lap("reading");
    let merged = merge_partials(&partials).context("merging the partials")?;
    watch.lap("statistics");
    print_out(&headline(&merged.report))?;
    if let Some(out) = &args.out {
        let inputs: Vec<&Path> = args.parts.iter().map(PathBuf::as_path).collect();
        write_outputs(out, &inputs, args.run, |dir| {
            nucagree::report::write_comparison(
                dir,
                &merged.report,
                None,
                &merged.hierarchy,
                &[],
                args.output.formats(),
            )
        })?;
        watch.lap("writing");
    }
    check_thresholds(&merged.report, &thresholds)
}
