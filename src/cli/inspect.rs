//! `nucagree inspect`.

use super::common::{print_out, write_outputs, RunArgs, Stopwatch};
use super::input::InputArgs;
use anyhow::Result;
use clap::Args;
use nucagree::ingest::{self, ReadOptions};
use nucagree::inspect::InspectReport;
use nucagree::report;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// A folder: an annotation set (csv/<fov>.csv or <fov>.csv) or a multi-rater study.
    set: PathBuf,
    /// Also write inspect.md and inspect.json into this folder.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    run: RunArgs,
}

/// What `inspect` does, as typed options.
#[derive(Debug, Clone)]
pub struct InspectJob {
    pub set: PathBuf,
    pub out: Option<PathBuf>,
    pub read: ReadOptions,
    pub run: RunArgs,
}

impl InspectArgs {
    pub fn job(&self) -> Result<InspectJob> {
        Ok(InspectJob {
            set: self.set.clone(),
            out: self.out.clone(),
            read: self.input.read_options()?,
            run: self.run,
        })
    }
}

pub fn inspect(job: &InspectJob) -> Result<ExitCode> {
    let mut watch = Stopwatch::new(job.run);
    let dataset = ingest::open(&job.set, &job.read)?;
    watch.lap("reading");
    let summary = InspectReport::of(&dataset);
    print_out(&report::markdown::inspect(&summary))?;
    if let Some(out) = &job.out {
        write_outputs(out, &[&job.set], job.run, |dir| {
            report::write_inspect(dir, &summary)
        })?;
        watch.lap("writing");
    }
    Ok(ExitCode::SUCCESS)
}
