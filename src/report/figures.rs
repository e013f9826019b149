//! Figures of every report: described first (a chart, its name, caption and natural size),
//! then rendered in parallel at the width and in the formats asked for.

use crate::error::{Error, Result};
use crate::plots::{render, Chart, Figure, FigureFormats, FigureOptions, FigureSize};

/// A figure with its file name (without extension) and caption.
#[derive(Debug, Clone)]
pub struct NamedFigure {
    pub name: String,
    pub caption: String,
    pub figure: Figure,
}

/// A figure to render: figures are described first and rendered in parallel.
pub(super) type Pending<'a> = Box<dyn FnOnce(FigureOptions) -> Result<NamedFigure> + Send + 'a>;

/// What a figure can be written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Content {
    /// Lines, bars and text: PNG, and SVG and TIFF where asked.
    Vector,
    /// An overlay of image pixels or cells: an SVG of it would be large, so PNG and TIFF only.
    Raster,
}

/// A figure to render later at `size` (its natural size; the width asked for may change it).
pub(super) fn later<'a, C: Chart + Send + 'a>(
    name: &str,
    caption: &str,
    chart: C,
    size: FigureSize,
) -> Pending<'a> {
    let (name, caption) = (name.to_string(), caption.to_string());
    Box::new(move |options| named(&name, &caption, &chart, size, options, Content::Vector))
}

/// A figure of raster content to render later, never as SVG.
pub(super) fn later_raster<'a, C: Chart + Send + 'a>(
    name: &str,
    caption: &str,
    chart: C,
    size: FigureSize,
) -> Pending<'a> {
    let (name, caption) = (name.to_string(), caption.to_string());
    Box::new(move |options| named(&name, &caption, &chart, size, options, Content::Raster))
}

/// Renders the pending figures, in parallel, in their order.
pub(super) fn render_all(
    pending: Vec<Pending<'_>>,
    options: FigureOptions,
) -> Result<Vec<NamedFigure>> {
    use rayon::prelude::*;
    pending
        .into_par_iter()
        .map(|figure| figure(options))
        .collect()
}

fn named<C: Chart>(
    name: &str,
    caption: &str,
    chart: &C,
    size: FigureSize,
    options: FigureOptions,
    content: Content,
) -> Result<NamedFigure> {
    let formats = FigureFormats {
        svg: options.formats.svg && content == Content::Vector,
        ..options.formats
    };
    let figure = render(chart, options.width.pixels(size), formats)
        .map_err(|e| Error::encode(format!("the figure {name}"), e))?;
    Ok(NamedFigure {
        name: name.into(),
        caption: caption.into(),
        figure,
    })
}
