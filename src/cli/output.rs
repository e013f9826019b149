//! What reports are written beside `report.md`, and how figures are drawn; shared by
//! `compare`, `score`, `agree`, `regions`, `conventions` and `report`.

use clap::Args;
use nucagree::plots::{FigureFormats, FigureOptions, FigureWidth};
use nucagree::report::ExtraFormats;

#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Also write the report as one self-contained HTML file (`report.html`, figures inline).
    #[arg(long, value_enum, default_value = "markdown")]
    format: ReportFormat,
    /// Also write the headline tables as LaTeX (`tables.tex`, booktabs) for papers.
    #[arg(long)]
    latex: bool,
    #[command(flatten)]
    figures: FigureArgs,
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
            figures: self.figures.options(),
        }
    }
}

/// The figures' physical width and file formats.
#[derive(Debug, Clone, Args)]
pub struct FigureArgs {
    /// Figure width: `auto` (each figure a journal's single column, 3.5 in, or for wide
    /// matrices and overlays its double column, 7.2 in), `single`, `double`, or inches
    /// (`5in`). Figures are drawn at 300 dpi with text of 7-9 pt.
    #[arg(long, default_value = "auto", value_parser = FigureWidth::parse)]
    pub figure_width: FigureWidth,
    /// Figure files, comma-separated: `png` (always written: the reports show it), `svg`
    /// (text as text), `tiff` (LZW, 300 dpi).
    #[arg(long, default_value = "png,svg", value_parser = FigureFormats::parse)]
    pub figure_format: FigureFormats,
}

impl FigureArgs {
    pub fn options(&self) -> FigureOptions {
        FigureOptions {
            width: self.figure_width,
            formats: self.figure_format,
        }
    }
}
