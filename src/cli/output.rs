//! What reports are written beside `report.md`; shared by `compare`, `score` and `agree`.

use clap::Args;
use nucagree::report::ExtraFormats;

#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Also write the report as one self-contained HTML file (`report.html`, figures inline).
    #[arg(long, value_enum, default_value = "markdown")]
    format: ReportFormat,
    /// Also write the headline tables as LaTeX (`tables.tex`, booktabs) for papers.
    #[arg(long)]
    latex: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ReportFormat {
    Markdown,
    Html,
}

impl OutputArgs {
    pub fn formats(&self) -> ExtraFormats {
        ExtraFormats {
            html: self.format == ReportFormat::Html,
            latex: self.latex,
        }
    }
}
