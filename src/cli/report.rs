//! `nucagree report`: every job on a folder laid out as `nucagree simulate` writes it, each
//! run through its command's own function with typed options.

use super::agreement::{agree, AgreeJob};
use super::common::{print_out, RunArgs};
use super::comparison::{run_job, ComparisonJob};
use super::inspect::{inspect, InspectJob};
use super::output::FigureArgs;
use super::regions::{regions, RegionsJob};
use anyhow::Result;
use clap::Args;
use nucagree::comparison::run::Job;
use nucagree::ingest::ReadOptions;
use nucagree::plots::FigureOptions;
use nucagree::report::{self, ExtraFormats};
use nucagree::writers::output_folder::OutputFolder;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A folder holding `corrected/`, and any of `uncorrected/`, `predictions/` and
    /// `multi-rater/` (as `nucagree simulate` writes them).
    data: PathBuf,
    /// The reports go into `inspect/`, `compare/`, `score/` and `agree/` of this folder.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Also write each report as one self-contained HTML file (`report.html`).
    #[arg(long)]
    html: bool,
    /// Also write each report's headline tables as LaTeX (`tables.tex`).
    #[arg(long)]
    latex: bool,
    #[command(flatten)]
    figures: FigureArgs,
    #[command(flatten)]
    run: RunArgs,
}

/// One job of the report: its folder, and how it runs.
enum ReportJob {
    Inspect(InspectJob),
    Comparison(ComparisonJob),
    Agree(AgreeJob),
    Regions(RegionsJob),
}

impl ReportJob {
    fn folder(&self) -> &'static str {
        match self {
            ReportJob::Inspect(_) => "inspect",
            ReportJob::Comparison(job) if job.options.job == Job::Score => "score",
            ReportJob::Comparison(_) => "compare",
            ReportJob::Agree(_) => "agree",
            ReportJob::Regions(_) => "regions",
        }
    }

    /// Points the job's output at `dir`/its folder, without the list of files it wrote (the
    /// report lists its folders at the end).
    fn write_into(&mut self, dir: &Path) {
        let out = Some(dir.join(self.folder()));
        match self {
            ReportJob::Inspect(job) => (job.out, job.run.quiet) = (out, true),
            ReportJob::Comparison(job) => (job.out, job.run.quiet) = (out, true),
            ReportJob::Agree(job) => (job.out, job.run.quiet) = (out, true),
            ReportJob::Regions(job) => (job.out, job.run.quiet) = (out, true),
        }
    }

    /// The command line that runs the same job.
    fn command_line(&self) -> String {
        let path = |p: &Path| p.display().to_string();
        let out = |p: &Option<PathBuf>| p.as_deref().map(path).unwrap_or_default();
        let run_flags = |run: RunArgs| {
            let mut flags = String::new();
            if run.quiet {
                flags.push_str(" --quiet");
            }
            if run.timings {
                flags.push_str(" --timings");
            }
            flags
        };
        let format_flags = |formats: ExtraFormats| {
            let mut flags = String::new();
            if formats.html {
                flags.push_str(" --format html");
            }
            if formats.latex {
                flags.push_str(" --latex");
            }
            if formats.figures != FigureOptions::default() {
                flags.push_str(&format!(
                    " --figure-width {} --figure-format {}",
                    formats.figures.width.flag(),
                    formats.figures.formats.flag()
                ));
            }
            flags
        };
        match self {
            ReportJob::Inspect(job) => format!(
                "inspect {} --out {}{}",
                path(&job.set),
                out(&job.out),
                run_flags(job.run)
            ),
            ReportJob::Comparison(job) if job.options.job == Job::Score => format!(
                "score --truth {} --pred {}{}{} --out {}{}{}",
                path(&job.b),
                path(&job.a),
                if job.options.folds { " --folds" } else { "" },
                job.region_masks
                    .as_deref()
                    .map(|m| format!(" --region-masks {}", path(m)))
                    .unwrap_or_default(),
                out(&job.out),
                run_flags(job.run),
                format_flags(job.formats)
            ),
            ReportJob::Comparison(job) => format!(
                "compare {} {} --out {}{}{}",
                path(&job.a),
                path(&job.b),
                out(&job.out),
                run_flags(job.run),
                format_flags(job.formats)
            ),
            ReportJob::Agree(job) => format!(
                "agree {} --out {}{}{}",
                path(&job.study),
                out(&job.out),
                run_flags(job.run),
                format_flags(job.formats)
            ),
            ReportJob::Regions(job) => format!(
                "regions {} {} --out {}{}{}",
                path(&job.a),
                path(&job.b),
                out(&job.out),
                run_flags(job.run),
                format_flags(job.formats)
            ),
        }
    }

    fn run(&self) -> Result<ExitCode> {
        match self {
            ReportJob::Inspect(job) => inspect(job),
            ReportJob::Comparison(job) => run_job(job),
            ReportJob::Agree(job) => agree(job),
            ReportJob::Regions(job) => regions(job),
        }
    }
}

/// Runs each job as its own command would, with default options.
pub fn report_command(args: &ReportArgs) -> Result<ExitCode> {
    let data = |name: &str| args.data.join(name);
    let out = |name: &str| args.out.join(name);
    anyhow::ensure!(
        data("corrected").is_dir(),
        "{}: expected a corrected/ folder (the reference set)",
        args.data.display()
    );
    // Every job reads from the data folder: an --out inside it (or holding it) is refused
    // before any job runs; the jobs write into a staging folder renamed into place at the end.
    let folder = OutputFolder::begin(&args.out, &[&args.data])?;
    let formats = ExtraFormats {
        html: args.html,
        latex: args.latex,
        figures: args.figures.options(),
    };
    // Matching jobs run without their progress bars.
    let quiet = RunArgs {
        quiet: true,
        ..args.run
    };
    let mut jobs = vec![ReportJob::Inspect(InspectJob {
        set: data("corrected"),
        out: Some(out("inspect")),
        read: ReadOptions::default(),
        run: args.run,
    })];
    if data("uncorrected").is_dir() {
        let mut job = ComparisonJob::with_defaults(
            Job::Compare,
            data("uncorrected"),
            data("corrected"),
            out("compare"),
        );
        job.formats = formats;
        job.run = quiet;
        jobs.push(ReportJob::Comparison(job));
    }
    if data("predictions").is_dir() {
        let mut job = ComparisonJob::with_defaults(
            Job::Score,
            data("predictions"),
            data("corrected"),
            out("score"),
        );
        job.options.folds = true;
        job.formats = formats;
        // The simulated region masks are the truth's: nuclei scored by tissue region.
        let masks = data("regions").join("truth");
        job.region_masks = masks.is_dir().then_some(masks);
        job.run = quiet;
        jobs.push(ReportJob::Comparison(job));
    }
    if data("multi-rater").is_dir() {
        let mut job = AgreeJob::with_defaults(data("multi-rater"), out("agree"));
        job.formats = formats;
        // The model's predictions cover the study's FOVs: it is scored as one more rater.
        if data("predictions").is_dir() {
            job.model = Some((data("predictions"), Default::default()));
        }
        job.run = args.run;
        jobs.push(ReportJob::Agree(job));
    }
    let regions_data = data("regions");
    if regions_data.join("truth").is_dir() && regions_data.join("model").is_dir() {
        let mut job = RegionsJob::with_defaults(
            regions_data.join("model"),
            regions_data.join("truth"),
            out("regions"),
        );
        job.formats = formats;
        job.run = args.run;
        jobs.push(ReportJob::Regions(job));
    }
    let mut done = Vec::new();
    for job in &mut jobs {
        // The command line names the final folder; the job writes into the staging one.
        let command = job.command_line();
        print_out(&format!("\n== nucagree {command}\n\n"))?;
        job.write_into(folder.staging());
        job.run()?;
        done.push((job.folder().to_string(), command));
    }
    report::write_index(
        folder.staging(),
        &args.out,
        &args.data.display().to_string(),
        &done,
    )?;
    let out = folder.commit()?;
    if !args.run.quiet {
        let folders: Vec<String> = done.iter().map(|(f, _)| format!("{f}/")).collect();
        eprintln!(
            "wrote {} (README.md, {})",
            out.display(),
            folders.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}
