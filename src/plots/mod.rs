//! Figures for reports, drawn with plotters into memory as PNG and SVG.
//!
//! Figures have physical sizes ([`FigureSize`]): a canvas in inches at 300 dpi, text in points
//! (7 pt at the smallest). Text is drawn with DejaVu Sans compiled into the binary, so rendering needs no system font
//! library. Colours are the Okabe-Ito palette, distinguishable with the common forms of colour
//! blindness. Each chart is a plain description ([`Heatmap`], [`Bars`], [`Lines`],
//! [`Scatter`], [`Histogram`], [`Overlay`], [`RasterOverlay`]) rendered by [`render`]; nothing here touches the
//! file system.
//!
//! ```
//! use nucagree::plots::{render, FigureFormats, Lines, Series};
//! let chart = Lines {
//!     title: "F1 against IoU threshold".into(),
//!     x_label: "IoU threshold".into(),
//!     y_label: "F1".into(),
//!     x_range: (0.5, 0.95),
//!     y_range: (0.0, 1.0),
//!     series: vec![Series::new("all nuclei", vec![(0.5, 0.9), (0.75, 0.7), (0.95, 0.2)])],
//!     legend_position: nucagree::plots::LegendPosition::LowerLeft,
//!     marks: Vec::new(),
//! };
//! // 3.5 in x 2.1 in at 300 dpi, PNG and SVG.
//! let figure = render(&chart, (1050, 630), FigureFormats::default()).unwrap();
//! assert!(figure.png.starts_with(b"\x89PNG"));
//! assert!(figure.svg.unwrap().contains("F1 against IoU threshold"));
//! ```

mod bars;
mod bland_altman;
mod heatmap;
mod lines;
mod overlay;
mod raster;
mod size;
mod style;

pub use bars::{BarSeries, BarStyle, Bars, Histogram};
pub use bland_altman::{BlandAltmanGrid, BlandAltmanPanel};
pub use heatmap::{ColourScale, Heatmap};
pub use lines::{LegendPosition, LinePattern, Lines, Mark, Scatter, ScatterPoint, Series};
pub use overlay::{Overlay, OverlayNames, OverlayShape, OverlayStatus, RgbImage};
pub use raster::RasterOverlay;
pub use size::{
    font_px, px, Column, FigureFormats, FigureOptions, FigureSize, FigureWidth, DOUBLE_COLUMN_IN,
    DPI, SINGLE_COLUMN_IN, SMALLEST_TEXT_PT,
};
pub use style::{
    category_colour, category_rgb, diverging, render, render_png, sequential, Chart, Figure,
    PlotError, PALETTE,
};
