//! `nucagree regions`: agreement on tissue-region masks (BCSS), A against the reference B.

use super::common::{print_out, write_outputs, BootstrapArgs, RunArgs, Stopwatch};
use super::output::OutputArgs;
use anyhow::{Context, Result};
use clap::Args;
use nucagree::ingest::region_masks::{
    list_region_masks, list_region_study, read_codes, read_grouping, CODES_FILE,
};
use nucagree::model::region_scheme::{RegionLevel, RegionScheme, BCSS_CODES};
use nucagree::regions::overlay::worst_roi_disagreements;
use nucagree::regions::study::region_study;
use nucagree::regions::summary::{summarize_regions, RegionOptions, RegionReport};
use nucagree::regions::tally_region_sets;
use nucagree::report;
use nucagree::report::ExtraFormats;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct RegionsArgs {
    /// The masks compared (a folder of PNG or TIFF class-code masks, or with `masks/`).
    #[arg(required_unless_present_any = ["pred", "study"], conflicts_with_all = ["pred", "study"])]
    a: Option<PathBuf>,
    /// The reference masks.
    #[arg(required_unless_present_any = ["truth", "study"], conflicts_with_all = ["truth", "study"])]
    b: Option<PathBuf>,
    /// A multi-rater study instead: one folder of masks per rater (Fleiss' kappa,
    /// Krippendorff's alpha and pairwise kappa on pixels).
    #[arg(long, value_name = "DIR")]
    study: Option<PathBuf>,
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
    #[command(flatten)]
    bootstrap: BootstrapArgs,
    /// Refuse masks of more pixels than this, before decoding them.
    #[arg(long, default_value_t = DEFAULT_MAX_PIXELS, value_name = "N")]
    max_image_pixels: u64,
    /// Draw this many ROIs, those whose main classes agree least, with their disagreeing
    /// pixels over the ROI image (`images/` or `rgb/` beside the masks) or the reference's
    /// classes.
    #[arg(long, default_value_t = DEFAULT_OVERLAYS, value_name = "N")]
    overlays: usize,
    #[command(flatten)]
    output: OutputArgs,
    #[command(flatten)]
    run: RunArgs,
}

/// A region comparison, typed: what `regions` runs, and what `report` runs on a simulation.
#[derive(Debug, Clone)]
pub struct RegionsJob {
    pub a: PathBuf,
    pub b: PathBuf,
    pub out: Option<PathBuf>,
    pub codes: Option<PathBuf>,
    pub outside_code: Option<u32>,
    pub ignore_code: Option<u32>,
    pub hierarchy: Option<PathBuf>,
    pub options: RegionOptions,
    pub max_image_pixels: u64,
    /// ROIs drawn with their disagreeing pixels.
    pub overlays: usize,
    /// Reports beside `report.md` (HTML, LaTeX tables).
    pub formats: ExtraFormats,
    pub run: RunArgs,
}

impl RegionsJob {
    /// A with the reference B, the defaults otherwise.
    pub fn with_defaults(a: PathBuf, b: PathBuf, out: PathBuf) -> RegionsJob {
        RegionsJob {
            a,
            b,
            out: Some(out),
            codes: None,
            outside_code: None,
            ignore_code: None,
            hierarchy: None,
            options: RegionOptions::default(),
            max_image_pixels: DEFAULT_MAX_PIXELS,
            overlays: DEFAULT_OVERLAYS,
            formats: ExtraFormats::default(),
            run: RunArgs::default(),
        }
    }
}

/// ROIs drawn by default: each overlay decodes its two masks again.
const DEFAULT_OVERLAYS: usize = 4;

/// Masks of more pixels are refused unless the limit is raised: 2^28, a 16,384 px square.
const DEFAULT_MAX_PIXELS: u64 = 1 << 28;

impl RegionsArgs {
    /// Runs the comparison, or the study.
    pub fn run(&self) -> Result<ExitCode> {
        match &self.study {
            Some(study) => {
                region_study_command(study, &self.job_options(study.clone(), study.clone())?)
            }
            None => regions(&self.job()?),
        }
    }

    /// The typed job.
    pub fn job(&self) -> Result<RegionsJob> {
        let (a, b) = match (&self.a, &self.b, &self.truth, &self.pred) {
            (Some(a), Some(b), None, None) => (a.clone(), b.clone()),
            (None, None, Some(truth), Some(pred)) => (pred.clone(), truth.clone()),
            _ => anyhow::bail!("expected two folders of masks, A B or --pred P --truth T"),
        };
        self.job_options(a, b)
    }

    fn job_options(&self, a: PathBuf, b: PathBuf) -> Result<RegionsJob> {
        if let Some(mpp) = self.mpp {
            anyhow::ensure!(
                mpp.is_finite() && mpp > 0.0,
                "--mpp {mpp}: expected a positive number of µm per pixel"
            );
        }
        Ok(RegionsJob {
            a,
            b,
            out: self.out.clone(),
            codes: self.codes.clone(),
            outside_code: self.outside_code,
            ignore_code: self.ignore_code,
            hierarchy: self.hierarchy.clone(),
            options: RegionOptions {
                bootstrap: self.bootstrap.options()?,
                mpp: self.mpp,
            },
            max_image_pixels: self.max_image_pixels,
            overlays: self.overlays,
            formats: self.output.formats(),
            run: self.run,
        })
    }
}

/// The scheme of a job: its codes table (given, or beside the reference masks), else BCSS's.
fn scheme_of(job: &RegionsJob, beside_reference: Option<PathBuf>) -> Result<RegionScheme> {
    let grouping = job.hierarchy.as_deref().map(read_grouping).transpose()?;
    let codes = job.codes.clone().or(beside_reference);
    region_scheme(
        codes.as_deref(),
        job.outside_code,
        job.ignore_code,
        grouping.as_ref(),
    )
}

/// The scheme of a codes table (BCSS's when there is none), its outside and ignore codes and
/// its grouping, as `regions` and `--region-masks` take them.
pub(super) fn region_scheme(
    codes: Option<&Path>,
    outside: Option<u32>,
    ignore: Option<u32>,
    grouping: Option<&BTreeMap<String, String>>,
) -> Result<RegionScheme> {
    let (codes, what) = match codes {
        Some(path) => (read_codes(path)?, path.display().to_string()),
        None => (
            BCSS_CODES
                .iter()
                .map(|&(l, c)| (l.to_string(), c))
                .collect(),
            "BCSS's codes".to_string(),
        ),
    };
    RegionScheme::new(&codes, outside, ignore, grouping)
        .map_err(|e| anyhow::anyhow!(e))
        .with_context(|| format!("the codes of {what}"))
}

/// Runs a multi-rater study of region masks.
fn region_study_command(study: &std::path::Path, job: &RegionsJob) -> Result<ExitCode> {
    let mut watch = Stopwatch::new(job.run);
    let raters = list_region_study(study)?;
    let beside = [study.join(CODES_FILE)]
        .into_iter()
        .chain(raters.iter().filter_map(|(_, index)| index.codes.clone()))
        .find(|p| p.is_file());
    let scheme = scheme_of(job, beside)?;
    let report = region_study(
        &raters,
        &scheme,
        job.options.bootstrap.as_ref(),
        job.max_image_pixels,
    )?;
    anyhow::ensure!(
        report.rois > 0,
        "{}: no ROI was annotated by two raters (masks of the same names)",
        study.display()
    );
    watch.lap("reading and statistics");
    let mut text = format!("{} raters, {} ROIs\n", report.raters.len(), report.rois);
    for l in &report.levels {
        text.push_str(&format!(
            "{}: Fleiss' kappa {}, Krippendorff's alpha {}\n",
            l.level.name(),
            nucagree::report::markdown::number(l.fleiss_kappa.value, 3),
            nucagree::report::markdown::number(l.krippendorff_alpha.value, 3)
        ));
    }
    print_out(&text)?;
    if let Some(out) = &job.out {
        write_outputs(out, &[study], job.run, |dir| {
            report::write_region_study(dir, &report, job.formats)
        })?;
        watch.lap("writing");
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs a region comparison.
pub fn regions(job: &RegionsJob) -> Result<ExitCode> {
    let mut watch = Stopwatch::new(job.run);
    let (index_a, index_b) = (list_region_masks(&job.a)?, list_region_masks(&job.b)?);
    let scheme = scheme_of(job, index_b.codes.clone())?;
    let tallies = tally_region_sets(&index_a, &index_b, &scheme, job.max_image_pixels)?;
    anyhow::ensure!(
        !tallies.rois.is_empty(),
        "{} and {} share no ROI: expected masks of the same names",
        job.a.display(),
        job.b.display()
    );
    watch.lap("reading and comparing");
    let names = (job.a.display().to_string(), job.b.display().to_string());
    let summary = summarize_regions(&tallies, &scheme, &job.options, (&names.0, &names.1));
    watch.lap("statistics");
    print_out(&headline(&summary))?;
    if let Some(out) = &job.out {
        let overlays = worst_roi_disagreements(
            &summary,
            &index_a,
            &index_b,
            &scheme,
            job.overlays,
            job.max_image_pixels,
        )?;
        watch.lap("overlays");
        write_outputs(out, &[&job.a, &job.b], job.run, |dir| {
            report::write_regions(dir, &summary, &overlays, job.formats)
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
