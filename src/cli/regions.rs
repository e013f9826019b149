//! `nucagree regions`: agreement on tissue-region masks (BCSS), A against the reference B.

use super::common::{check_bootstrap, choice, print_out, write_outputs, RunArgs, Stopwatch};
use anyhow::{Context, Result};
use clap::Args;
use nucagree::ingest::region_masks::{list_region_masks, read_codes, read_grouping};
use nucagree::model::region_scheme::{RegionLevel, RegionScheme};
use nucagree::regions::summary::{summarize_regions, RegionOptions, RegionReport};
use nucagree::regions::tally_region_sets;
use nucagree::report;
use nucagree::stats::bootstrap::{BootstrapOptions, IntervalMethod};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct RegionsArgs {
    /// The masks compared (a folder of PNG or TIFF class-code masks, or with `masks/`).
    #[arg(required_unless_present = "pred", conflicts_with = "pred")]
    a: Option<PathBuf>,
    /// The reference masks.
    #[arg(required_unless_present = "truth", conflicts_with = "truth")]
    b: Option<PathBuf>,
    /// The reference masks (with --pred, instead of A B).
    #[arg(long, value_name = "DIR", requires = "pred")]
    truth: Option<PathBuf>,
    /// A model's masks (with --truth).
    #[arg(long, value_name = "DIR", requires = "truth")]
    pred: Option<PathBuf>,
    /// Write summary.json, report.md, the tables (CSV and parquet) and the figures here.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// The codes table (`label`, `GT_code`; comma- or tab-separated). Default: the
    /// `gtruth_codes.tsv` beside the reference masks, else BCSS's codes.
    #[arg(long, value_name = "FILE")]
    codes: Option<PathBuf>,
    /// The code of pixels outside the ROI (default: the code labelled `outside_roi`).
    #[arg(long, value_name = "CODE")]
    outside_code: Option<u32>,
    /// The code of don't-care pixels (default: the code labelled `exclude`).
    #[arg(long, value_name = "CODE")]
    ignore_code: Option<u32>,
    /// A CSV `label,main` grouping the classes into main classes (default: BCSS's tumor,
    /// stroma, inflammatory, necrosis and other).
    #[arg(long, value_name = "FILE")]
    hierarchy: Option<PathBuf>,
    /// µm per pixel of the masks: areas in µm² (else in pixels).
    #[arg(long, value_name = "UM")]
    mpp: Option<f64>,
    /// Bootstrap replicates for the intervals over ROIs (0: none).
    #[arg(long, default_value_t = BootstrapOptions::default().replicates, value_name = "N")]
    bootstrap: usize,
    /// Bootstrap interval: bias-corrected and accelerated, or percentile.
    #[arg(long, default_value_t = IntervalMethod::Bca, value_parser = choice::<IntervalMethod>())]
    bootstrap_method: IntervalMethod,
    /// Seed of the bootstrap.
    #[arg(long, default_value_t = BootstrapOptions::default().seed)]
    seed: u64,
    /// Refuse masks of more pixels than this, before decoding them.
    #[arg(long, default_value_t = 1 << 28, value_name = "N")]
    max_image_pixels: u64,
    #[command(flatten)]
    run: RunArgs,
}

/// Runs `regions`.
pub fn regions(args: &RegionsArgs) -> Result<ExitCode> {
    let (a, b) = match (&args.a, &args.b, &args.truth, &args.pred) {
        (Some(a), Some(b), None, None) => (a.clone(), b.clone()),
        (None, None, Some(truth), Some(pred)) => (pred.clone(), truth.clone()),
        _ => anyhow::bail!("expected two folders of masks, A B or --pred P --truth T"),
    };
    check_bootstrap(args.bootstrap)?;
    if let Some(mpp) = args.mpp {
        anyhow::ensure!(
            mpp.is_finite() && mpp > 0.0,
            "--mpp {mpp}: expected a positive number of µm per pixel"
        );
    }
    let mut watch = Stopwatch::new(args.run);
    let (index_a, index_b) = (list_region_masks(&a)?, list_region_masks(&b)?);
    let codes_file = args.codes.clone().or_else(|| index_b.codes.clone());
    let grouping = args.hierarchy.as_deref().map(read_grouping).transpose()?;
    let scheme = match &codes_file {
        Some(path) => {
            let codes = read_codes(path)?;
            RegionScheme::new(
                &codes,
                args.outside_code,
                args.ignore_code,
                grouping.as_ref(),
            )
            .map_err(|e| anyhow::anyhow!(e))
            .with_context(|| format!("the codes of {}", path.display()))?
        }
        None if args.outside_code.is_none() && args.ignore_code.is_none() && grouping.is_none() => {
            RegionScheme::bcss()
        }
        None => {
            let codes: Vec<(String, u32)> = nucagree::model::region_scheme::BCSS_CODES
                .iter()
                .map(|&(l, c)| (l.to_string(), c))
                .collect();
            RegionScheme::new(
                &codes,
                args.outside_code,
                args.ignore_code,
                grouping.as_ref(),
            )
            .map_err(|e| anyhow::anyhow!(e))
            .context("BCSS's codes")?
        }
    };
    let tallies = tally_region_sets(&index_a, &index_b, &scheme, args.max_image_pixels)?;
    anyhow::ensure!(
        !tallies.rois.is_empty(),
        "{} and {} share no ROI: expected masks of the same names",
        a.display(),
        b.display()
    );
    watch.lap("reading and comparing");
    let options = RegionOptions {
        bootstrap: (args.bootstrap > 0).then_some(BootstrapOptions {
            replicates: args.bootstrap,
            seed: args.seed,
            method: args.bootstrap_method,
            ..BootstrapOptions::default()
        }),
        mpp: args.mpp,
    };
    let names = (a.display().to_string(), b.display().to_string());
    let summary = summarize_regions(&tallies, &scheme, &options, (&names.0, &names.1));
    watch.lap("statistics");
    print_out(&headline(&summary))?;
    if let Some(out) = &args.out {
        write_outputs(out, &[&a, &b], args.run, |dir| {
            report::write_regions(dir, &summary)
        })?;
        watch.lap("writing");
    }
    Ok(ExitCode::SUCCESS)
}

fn headline(report: &RegionReport) -> String {
    use nucagree::report::markdown::number;
    let mut out = format!(
        "{} ROIs, {} pixels compared ({} outside either ROI, {} ignored)\n",
        report.counts.rois,
        report.counts.pixels_compared,
        report.counts.pixels_outside,
        report.counts.pixels_ignored
    );
    for l in &report.levels {
        out.push_str(&format!(
            "{}: pixel accuracy {}, kappa {}, mean Dice {}\n",
            match l.level {
                RegionLevel::Raw => "raw",
                RegionLevel::Main => "main",
            },
            number(l.accuracy.value, 3),
            number(l.kappa.value, 3),
            number(l.mean_dice.value, 3)
        ));
    }
    out
}
