//! What every command shares: `--quiet` and `--timings`, the stopwatch and progress bar they
//! steer, writing outputs into a checked folder, and the parser of the library's named
//! options.

use anyhow::{Context, Result};
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nucagree::choice::Choice;
use nucagree::stats::bootstrap::{
    BootstrapOptions, IntervalMethod, MAX_REPLICATES as MAX_BOOTSTRAP,
};
use nucagree::writers::output_folder::OutputFolder;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// `--quiet` and `--timings`, taken by every command.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct RunArgs {
    /// No progress bar and no list of the files written (errors are still printed).
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the time of each stage (reading, matching, statistics, writing) on stderr.
    #[arg(long)]
    pub timings: bool,
}

/// Standard output was closed by its reader (`nucagree inspect SET | head -1`): the command
/// ends quietly with status 0, as `ls | head` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("standard output was closed")]
pub struct ClosedStdout;

/// Writes `text` to standard output. A closed pipe is [`ClosedStdout`]; any other failure
/// (a full disk) is an error that says so.
pub fn print_out(text: &str) -> Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(ClosedStdout.into()),
        Err(e) => Err(anyhow::Error::new(e).context("writing to standard output")),
    }
}

/// Checks `--bootstrap N`.
pub fn check_bootstrap(replicates: usize) -> Result<()> {
    anyhow::ensure!(
        replicates <= MAX_BOOTSTRAP,
        "--bootstrap {replicates}: at most {MAX_BOOTSTRAP} replicates (0 for none)"
    );
    Ok(())
}

/// A clap parser of a library enum's names, listing them in `--help`.
pub fn choice<T: Choice + Clone + Send + Sync>() -> impl TypedValueParser<Value = T> {
    PossibleValuesParser::new(T::ALL.iter().map(|v| v.name()))
        .map(|name| T::from_name(&name).expect("clap accepts only the listed names"))
}

/// Times the stages of a command, printed on stderr with `--timings`.
pub struct Stopwatch {
    enabled: bool,
    last: Instant,
}

impl Stopwatch {
    pub fn new(run: RunArgs) -> Stopwatch {
        Stopwatch {
            enabled: run.timings,
            last: Instant::now(),
        }
    }

    /// Ends a stage: prints its time when enabled.
    pub fn lap(&mut self, stage: &str) {
        let now = Instant::now();
        self.report(stage, (now - self.last).as_secs_f64());
        self.last = now;
    }

    /// Starts the next stage now (the time since the last lap was reported another way).
    pub fn restart(&mut self) {
        self.last = Instant::now();
    }

    /// Prints a stage's time measured elsewhere.
    pub fn report(&self, stage: &str, seconds: f64) {
        if self.enabled {
            eprintln!("timing: {stage}: {:.1} ms", seconds * 1e3);
        }
    }
}

/// A progress bar on stderr, hidden with `--quiet` or when stderr is not a terminal.
pub fn progress_bar(run: RunArgs, total: usize, what: &str) -> ProgressBar {
    if run.quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
    let template = format!("{what} {{bar:40}} {{pos}}/{{len}} FOVs ({{eta}})");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar
}

/// Stages `out` (refusing one inside an input, holding one, or holding files nucagree did not
/// write), lets `write` fill the staging folder, renames it into place, and lists what was
/// written on stderr unless quiet.
pub fn write_outputs(
    out: &Path,
    inputs: &[&Path],
    run: RunArgs,
    write: impl FnOnce(&Path) -> nucagree::Result<Vec<PathBuf>>,
) -> Result<()> {
    let folder = OutputFolder::begin(out, inputs)?;
    let written =
        write(folder.staging()).with_context(|| format!("writing into {}", out.display()))?;
    let written: Vec<PathBuf> = written.iter().map(|p| folder.final_path(p)).collect();
    folder.commit()?;
    if run.quiet {
        return Ok(());
    }
    if written.len() <= 4 {
        for path in written {
            eprintln!("wrote {}", path.display());
        }
    } else {
        let names: Vec<String> = written
            .iter()
            .filter_map(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .collect();
        eprintln!(
            "wrote {} files into {}: {}",
            names.len(),
            out.display(),
            names.join(", ")
        );
    }
    Ok(())
}

/// The bootstrap's options, as `compare`, `score` and `regions` take them.
#[derive(Debug, Clone, Copy, Args)]
pub struct BootstrapArgs {
    /// Bootstrap replicates for the intervals over FOVs (ROIs for regions; 0: none).
    #[arg(long, default_value_t = BootstrapOptions::default().replicates, value_name = "N")]
    pub bootstrap: usize,
    /// Bootstrap interval: bias-corrected and accelerated, or percentile.
    #[arg(long, default_value_t = IntervalMethod::Bca, value_parser = choice::<IntervalMethod>())]
    pub bootstrap_method: IntervalMethod,
    /// Seed of the bootstrap.
    #[arg(long, default_value_t = BootstrapOptions::default().seed)]
    pub seed: u64,
}

impl BootstrapArgs {
    /// The options, `None` for `--bootstrap 0`; too many replicates are refused.
    pub fn options(&self) -> Result<Option<BootstrapOptions>> {
        check_bootstrap(self.bootstrap)?;
        Ok((self.bootstrap > 0).then_some(BootstrapOptions {
            replicates: self.bootstrap,
            seed: self.seed,
            method: self.bootstrap_method,
            ..BootstrapOptions::default()
        }))
    }
}
