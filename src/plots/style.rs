//! What every chart shares: the [`Chart`] trait and its rendering to PNG and SVG, the
//! embedded font, the Okabe-Ito palette and colour scales, and axes.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::RGBColor;

/// A rendered figure.
#[derive(Debug, Clone)]
pub struct Figure {
    pub png: Vec<u8>,
    pub svg: String,
    pub size: (u32, u32),
}

/// Why a figure could not be drawn.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("cannot draw the figure: {0}")]
pub struct PlotError(pub String);

/// Something that draws itself on any plotters backend.
pub trait Chart {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), PlotError>;
}

pub(crate) fn failed<E: std::fmt::Debug>(error: E) -> PlotError {
    PlotError(format!("{error:?}"))
}

/// The font family every figure uses, registered once from the embedded DejaVu Sans.
pub(crate) const FONT: &str = "sans-serif";

fn register_font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Registration fails only for malformed font bytes, which the crate ships verified.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}

/// Renders a chart as PNG and SVG of `size` pixels.
pub fn render<C: Chart>(chart: &C, size: (u32, u32)) -> Result<Figure, PlotError> {
    let mut figure = render_png(chart, size)?;
    {
        let area = SVGBackend::with_string(&mut figure.svg, size).into_drawing_area();
        area.fill(&WHITE).map_err(failed)?;
        chart.draw(&area)?;
        area.present().map_err(failed)?;
    }
    Ok(figure)
}

/// Renders a chart as PNG only (for raster content such as image overlays, whose SVG would
/// hold one element per pixel).
pub fn render_png<C: Chart>(chart: &C, size: (u32, u32)) -> Result<Figure, PlotError> {
    register_font();
    let (width, height) = size;
    let mut pixels = vec![255u8; width as usize * height as usize * 3];
    {
        let area = BitMapBackend::with_buffer(&mut pixels, size).into_drawing_area();
        area.fill(&WHITE).map_err(failed)?;
        chart.draw(&area)?;
        area.present().map_err(failed)?;
    }
    let png =
        crate::png::encode_rgb(width, height, &pixels).map_err(|e| PlotError(e.to_string()))?;
    Ok(Figure {
        png,
        svg: String::new(),
        size,
    })
}

/// The Okabe-Ito palette (black first), for categories.
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(230, 159, 0),   // orange
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(240, 228, 66),  // yellow
    RGBColor(0, 0, 0),       // black
];

/// The colour of the `index`-th category.
pub fn category_colour(index: usize) -> RGBColor {
    PALETTE[index % PALETTE.len()]
}

/// The colour of the `index`-th category as RGB bytes.
pub fn category_rgb(index: usize) -> [u8; 3] {
    let RGBColor(r, g, b) = category_colour(index);
    [r, g, b]
}

/// A sequential colour from white (0) to dark blue (1).
pub fn sequential(t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let from = [247.0, 251.0, 255.0];
    let to = [8.0, 48.0, 107.0];
    let channel = |i: usize| (from[i] + (to[i] - from[i]) * t).round() as u8;
    RGBColor(channel(0), channel(1), channel(2))
}

/// A diverging colour: vermillion (-1) through white (0) to blue (1).
pub fn diverging(t: f64) -> RGBColor {
    let t = t.clamp(-1.0, 1.0);
    let white = [247.0, 247.0, 247.0];
    let end = if t < 0.0 {
        [178.0, 24.0, 43.0]
    } else {
        [33.0, 102.0, 172.0]
    };
    let s = t.abs();
    let channel = |i: usize| (white[i] + (end[i] - white[i]) * s).round() as u8;
    RGBColor(channel(0), channel(1), channel(2))
}

/// Black or white, whichever reads better on `background`.
pub(crate) fn text_colour_on(background: RGBColor) -> RGBColor {
    let RGBColor(r, g, b) = background;
    let luminance = 0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b);
    if luminance > 140.0 {
        BLACK
    } else {
        WHITE
    }
}

/// A tick label: at most three decimals, trailing zeros dropped (`0.25`, `1`, `0.1`).
pub(crate) fn tick(value: &f64) -> String {
    let text = format!("{value:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.into()
    }
}

/// Axes on `area` with a title, axis labels, tick labels and a light grid: the frame every
/// x-y chart shares.
pub(crate) fn axes<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    title: &str,
    (x_label, y_label): (&str, &str),
    x_range: (f64, f64),
    y_range: (f64, f64),
) -> Result<
    ChartContext<
        'a,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    PlotError,
> {
    let mut chart = ChartBuilder::on(area)
        .caption(title, (FONT, TITLE_SIZE))
        .margin(16)
        .x_label_area_size(56)
        .y_label_area_size(72)
        .build_cartesian_2d(x_range.0..x_range.1, y_range.0..y_range.1)
        .map_err(failed)?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .axis_desc_style((FONT, LABEL_SIZE))
        .label_style((FONT, TICK_SIZE))
        .light_line_style(MINOR_GRID)
        .bold_line_style(MAJOR_GRID)
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .draw()
        .map_err(failed)?;
    Ok(chart)
}

/// The grid: faint minor lines, light major ones.
pub(crate) const MINOR_GRID: RGBColor = RGBColor(246, 246, 246);
pub(crate) const MAJOR_GRID: RGBColor = RGBColor(218, 218, 218);

/// Title, tick and label font sizes, in pixels.
pub(crate) const TITLE_SIZE: u32 = 24;
pub(crate) const LABEL_SIZE: u32 = 18;
pub(crate) const TICK_SIZE: u32 = 15;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plots::{LegendPosition, Lines, Series};

    #[test]
    fn colours_run_from_light_to_dark() {
        assert_eq!(sequential(0.0), RGBColor(247, 251, 255));
        assert_eq!(sequential(1.0), RGBColor(8, 48, 107));
        assert_eq!(text_colour_on(sequential(0.0)), BLACK);
        assert_eq!(text_colour_on(sequential(1.0)), WHITE);
        assert_eq!(diverging(0.0), RGBColor(247, 247, 247));
    }

    #[test]
    fn text_is_drawn_with_the_embedded_font() {
        let chart = Lines {
            title: "A title in DejaVu".into(),
            x_label: "x (px)".into(),
            y_label: "y".into(),
            x_range: (0.0, 1.0),
            y_range: (0.0, 1.0),
            series: vec![Series::new("one", vec![(0.0, 0.0), (1.0, 1.0)])],
            legend_position: LegendPosition::LowerRight,
        };
        let figure = render(&chart, (400, 300)).unwrap();
        let (width, _, channels, pixels) =
            crate::png::decode(std::path::Path::new("figure.png"), &figure.png).unwrap();
        // The title's glyphs darken the top band; without a font it would stay white.
        let dark_in_title = (0..30 * width as usize)
            .filter(|i| pixels[i * channels] < 100)
            .count();
        assert!(
            dark_in_title > 100,
            "{dark_in_title} dark pixels in the title band"
        );
        assert!(figure.svg.contains("A title in DejaVu"));
        assert!(figure.svg.starts_with("<svg"));
    }
}
