//! `nucagree merge`: partials of disjoint shards (`compare`, `score` or `agree --partial`)
//! into the report of one run over all their FOVs.

use super::common::{print_out, write_outputs, RunArgs, Stopwatch};
use super::comparison::{check_thresholds, headline, parse_thresholds};
use super::output::OutputArgs;
use anyhow::{Context, Result};
use clap::Args;
use nucagree::agreement::partial::AgreementPartial;
use nucagree::comparison::partial::{merge_partials, ComparisonPartial};
use nucagree::ingest::partial::{read_any_partial, Partial};
use nucagree::report::outputs::AgreementOutputs;
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
        .map(|dir| read_any_partial(dir))
        .collect::<nucagree::Result<Vec<_>>>()?;
    watch.lap("reading");
    let (comparisons, agreements): (Vec<_>, Vec<_>) = partials
        .into_iter()
        .partition(|p| matches!(p, Partial::Comparison(_)));
    let inputs: Vec<&Path> = args.parts.iter().map(PathBuf::as_path).collect();
    if !agreements.is_empty() {
        anyhow::ensure!(
            comparisons.is_empty(),
            "merge: partials of agree and of compare or score do not merge together"
        );
        anyhow::ensure!(
            thresholds.is_empty(),
            "merge: --fail-under applies to partials of compare and score"
        );
        let agreements: Vec<AgreementPartial> = agreements
            .into_iter()
            .filter_map(|p| match p {
                Partial::Agreement(a) => Some(*a),
                Partial::Comparison(_) => None,
            })
            .collect();
        let outputs = AgreementOutputs::merged(&agreements).context("merging the partials")?;
        watch.lap("statistics");

        print_out(&super::agreement::headline(&outputs.report))?;
        if let Some(out) = &args.out {
            write_outputs(out, &inputs, args.run, |dir| {
                nucagree::report::write_agreement(dir, &outputs, args.output.formats())
            })?;
            watch.lap("writing");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let comparisons: Vec<ComparisonPartial> = comparisons
        .into_iter()
        .filter_map(|p| match p {
            Partial::Comparison(c) => Some(*c),
            Partial::Agreement(_) => None,
        })
        .collect();
    let merged = merge_partials(&comparisons).context("merging the partials")?;
    watch.lap("statistics");
    print_out(&headline(&merged.report))?;
    if let Some(out) = &args.out {
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
