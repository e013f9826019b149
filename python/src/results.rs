//! A run's result in Python: its summary (the text of `summary.json`), its tables (parquet
//! bytes the Python side reads into polars), and `write(dir)`, which writes the same files as
//! the command line.

use crate::errors::{bad_option, to_python};
use nucagree::comparison::partial::Merged;
use nucagree::comparison::run::ComparisonRun;
use nucagree::plots::{FigureFormats, FigureOptions, FigureWidth};
use nucagree::report::outputs::{self, AgreementOutputs, ComparisonWriting, Frames};
use nucagree::report::ExtraFormats;
use nucagree::writers::files::{parquet_bytes, to_pretty};
use nucagree::writers::output_folder::OutputFolder;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::path::PathBuf;

/// What a run produced, as the report writer takes it.
pub enum Outputs {
    Comparison(Box<ComparisonRun>),
    /// Partials merged: a comparison without its nuclei (no match table, no overlays).
    Merged(Box<Merged>),
    Agreement(Box<AgreementOutputs>),
}

/// The result of `compare`, `score` or `agree`.
#[pyclass(frozen, module = "nucagree._nucagree", name = "RunResult")]
pub struct RunResult {
    outputs: Outputs,
    /// The inputs read from files (an output folder must lie outside them).
    inputs: Vec<PathBuf>,
    /// The text of `summary.json`.
    summary: String,
}

impl RunResult {
    pub fn new(outputs: Outputs, inputs: Vec<PathBuf>) -> nucagree::Result<RunResult> {
        let summary = match &outputs {
            Outputs::Comparison(run) => to_pretty(&run.summary, "the summary")?,
            Outputs::Merged(merged) => to_pretty(&merged.report, "the summary")?,
            Outputs::Agreement(agreement) => to_pretty(&agreement.report, "the summary")?,
        };
        Ok(RunResult {
            outputs,
            inputs,
            summary,
        })
    }

    fn frames(&self) -> nucagree::Result<Frames> {
        match &self.outputs {
            Outputs::Comparison(run) => {
                let matches = (!run.rows.is_empty()).then_some(&run.rows[..]);
                outputs::comparison_frames(&run.summary, matches, &run.b.hierarchy)
            }
            Outputs::Merged(merged) => {
                outputs::comparison_frames(&merged.report, None, &merged.hierarchy)
            }
            Outputs::Agreement(agreement) => outputs::agreement_frames(agreement),
        }
    }
}

#[pymethods]
impl RunResult {
    /// The text of `summary.json`.
    fn summary_json(&self) -> &str {
        &self.summary
    }

    /// Each table's name and parquet bytes, in the report's order.
    fn table_parquet<'py>(&self, py: Python<'py>) -> PyResult<Vec<(String, Bound<'py, PyBytes>)>> {
        let tables = py
            .detach(|| -> nucagree::Result<Vec<(String, Vec<u8>)>> {
                self.frames()?
                    .into_iter()
                    .map(|(name, mut frame)| Ok((name.to_string(), parquet_bytes(&mut frame)?)))
                    .collect()
            })
            .map_err(|e| to_python(py, e))?;
        Ok(tables
            .into_iter()
            .map(|(name, bytes)| (name, PyBytes::new(py, &bytes)))
            .collect())
    }

    /// Writes the command line's files into `out` (replaced whole if nucagree wrote it
    /// before); returns the paths written.
    #[pyo3(signature = (
        out,
        overlays = 6,
        matches = true,
        html = false,
        latex = false,
        figure_width = "auto",
        figure_format = "png,svg"
    ))]
    #[allow(clippy::too_many_arguments)]
    fn write(
        &self,
        py: Python<'_>,
        out: PathBuf,
        overlays: usize,
        matches: bool,
        html: bool,
        latex: bool,
        figure_width: &str,
        figure_format: &str,
    ) -> PyResult<Vec<String>> {
        let figures = FigureOptions {
            width: FigureWidth::parse(figure_width)
                .map_err(|e| bad_option(format!("write(): figure_width={figure_width:?}: {e}")))?,
            formats: FigureFormats::parse(figure_format).map_err(|e| {
                bad_option(format!("write(): figure_format={figure_format:?}: {e}"))
            })?,
        };
        let formats = ExtraFormats {
            html,
            latex,
            figures,
        };
        let written = py
            .detach(|| -> nucagree::Result<Vec<PathBuf>> {
                let inputs: Vec<&std::path::Path> =
                    self.inputs.iter().map(PathBuf::as_path).collect();
                let folder = OutputFolder::begin(&out, &inputs)?;
                let written = match &self.outputs {
                    Outputs::Comparison(run) => {
                        let writing = ComparisonWriting {
                            overlays,
                            matches,
                            formats,
                        };
                        outputs::write_comparison_run(folder.staging(), run, &writing)?
                    }
                    Outputs::Merged(merged) => nucagree::report::write_comparison(
                        folder.staging(),
                        &merged.report,
                        None,
                        &merged.hierarchy,
                        &[],
                        formats,
                    )?,
                    Outputs::Agreement(agreement) => {
                        nucagree::report::write_agreement(folder.staging(), agreement, formats)?
                    }
                };
                let written = written.iter().map(|p| folder.final_path(p)).collect();
                folder.commit()?;
                Ok(written)
            })
            .map_err(|e| to_python(py, e))?;
        Ok(written
            .into_iter()
            .map(|p: PathBuf| p.display().to_string())
            .collect())
    }
}
