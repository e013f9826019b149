//! Figures for reports, drawn with plotters into memory as PNG and SVG.
//!
//! Text is drawn with DejaVu Sans compiled into the binary, so rendering needs no system font
//! library. Colours are the Okabe-Ito palette, distinguishable with the common forms of colour
//! blindness. Each chart is a plain description ([`Heatmap`], [`Bars`], [`Lines`],
//! [`Scatter`], [`Histogram`], [`Overlay`], [`RasterOverlay`]) rendered by [`render`]; nothing here touches the
//! file system.
//!
//! ```
//! use nucagree::plots::{render, Lines, Series};
//! let chart = Lines {
//!     title: "F1 against IoU threshold".into(),
//!     x_label: "IoU threshold".into(),
//!     y_label: "F1".into(),
//!     x_range: (0.5, 0.95),
//!     y_range: (0.0, 1.0),
//!     series: vec![Series::new("all nuclei", vec![(0.5, 0.9), (0.75, 0.7), (0.95, 0.2)])],
//!     legend_position: nucagree::plots::LegendPosition::LowerLeft,
//! };
//! let figure = render(&chart, (800, 500)).unwrap();
//! assert!(figure.png.starts_with(b"\x89PNG"));
//! assert!(figure.svg.contains("F1 against IoU threshold"));
//! ```

mod bars;
mod bland_altman;
mod heatmap;
mod lines;
mod overlay;
mod raster;
mod style;

pub use bars::{BarSeries, Bars, Histogram};
pub use bland_altman::{BlandAltmanGrid, BlandAltmanPanel};
pub use heatmap::{ColourScale, Heatmap};
pub use lines::{LegendPosition, Lines, Scatter, ScatterPoint, Series};
pub use overlay::{Overlay, OverlayShape, OverlayStatus, RgbImage};
pub use raster::RasterOverlay;
pub use style::{
    category_colour, category_rgb, diverging, render, render_png, sequential, Chart, Figure,
    PlotError, PALETTE,
};
