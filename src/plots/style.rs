//! What every chart shares: the [`Chart`] trait and its rendering to PNG and SVG, the
//! embedded font, the Okabe-Ito palette and colour scales, and axes.

use super::size::{px, FigureFormats, DPI};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::RGBColor;

/// A rendered figure: PNG always, SVG and TIFF when asked for, all at [`DPI`].
#[derive(Debug, Clone)]
pub struct Figure {
    pub png: Vec<u8>,
    pub svg: Option<String>,
    pub tiff: Option<Vec<u8>>,
    /// The canvas in pixels.
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

/// Renders a chart on a canvas of `size` pixels at [`DPI`]: a PNG with its resolution in the
/// file, and an SVG (text as text, its width and height in inches) and an LZW TIFF when
/// `formats` asks for them.
pub fn render<C: Chart>(
    chart: &C,
    size: (u32, u32),
    formats: FigureFormats,
) -> Result<Figure, PlotError> {
    register_font();
    let (width, height) = size;
    let mut pixels = vec![255u8; width as usize * height as usize * 3];
    {
        let area = BitMapBackend::with_buffer(&mut pixels, size).into_drawing_area();
        area.fill(&WHITE).map_err(failed)?;
        chart.draw(&area)?;
        area.present().map_err(failed)?;
    }
    let encoding = |e: crate::error::Error| PlotError(e.to_string());
    let png = crate::png::encode_rgb_at_dpi(width, height, &pixels, DPI).map_err(encoding)?;
    let tiff = if formats.tiff {
        Some(crate::tiff::encode_rgb_lzw(width, height, &pixels, DPI).map_err(encoding)?)
    } else {
        None
    };
    let svg = if formats.svg {
        let mut svg = String::new();
        {
            let area = SVGBackend::with_string(&mut svg, size).into_drawing_area();
            area.fill(&WHITE).map_err(failed)?;
            chart.draw(&area)?;
            area.present().map_err(failed)?;
        }
        Some(physical_svg(&svg, size))
    } else {
        None
    };
    Ok(Figure {
        png,
        svg,
        tiff,
        size,
    })
}

/// Renders a chart as PNG only (for raster content such as image overlays, whose SVG would
/// hold one element per pixel).
pub fn render_png<C: Chart>(chart: &C, size: (u32, u32)) -> Result<Figure, PlotError> {
    let formats = FigureFormats {
        svg: false,
        tiff: false,
    };
    render(chart, size, formats)
}

/// The SVG with its width and height in inches (plotters writes pixels), the view box kept
/// in pixels: printed at that size, its text has the points it was drawn with.
fn physical_svg(svg: &str, (width, height): (u32, u32)) -> String {
    let inches = |pixels: u32| format!("{:.4}in", f64::from(pixels) / DPI);
    let from = format!("width=\"{width}\" height=\"{height}\"");
    let to = format!("width=\"{}\" height=\"{}\"", inches(width), inches(height));
    svg.replacen(&from, &to, 1)
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

/// The Okabe-Ito colours for lines and points, yellow left out (too faint on white), in an
/// order that alternates dark and light so that neighbours differ in greyscale too.
pub const LINE_PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(230, 159, 0),   // orange
    RGBColor(0, 0, 0),       // black
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
];

/// The colour of the `index`-th line or point series.
pub fn line_colour(index: usize) -> RGBColor {
    LINE_PALETTE[index % LINE_PALETTE.len()]
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

/// Draws `title` at the top of `area`, wrapped to its width, and returns the area under it.
pub(crate) fn titled<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<DrawingArea<DB, Shift>, PlotError> {
    let width = area.dim_in_pixel().0 as i32;
    let lines = wrap(title, width - px(8.0), TITLE_SIZE);
    let line_height = px(11.5);
    let style = (FONT, TITLE_SIZE)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Center, VPos::Top));
    for (i, line) in lines.iter().enumerate() {
        area.draw(&Text::new(
            line.as_str(),
            (width / 2, px(2.0) + line_height * i as i32),
            style.clone(),
        ))
        .map_err(failed)?;
    }
    let used = if lines.is_empty() {
        0
    } else {
        px(3.0) + line_height * lines.len() as i32
    };
    Ok(area.split_vertically(used).1)
}

/// Axes on `area` (under its title) with axis labels, tick labels and a light grid: the frame
/// every x-y chart shares.
pub(crate) fn axes<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
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
        .margin(px(6.0))
        .x_label_area_size(px(24.0))
        .y_label_area_size(px(30.0))
        .build_cartesian_2d(x_range.0..x_range.1, y_range.0..y_range.1)
        .map_err(failed)?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .axis_desc_style((FONT, LABEL_SIZE))
        .label_style((FONT, TICK_SIZE))
        .axis_style(BLACK.stroke_width(LINE_THIN))
        .set_all_tick_mark_size(px(2.5))
        .x_labels(6)
        .y_labels(6)
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

/// Plotters' font sizes at [`DPI`] for titles (9 pt), axis labels (8 pt) and ticks, legends
/// and cell text (7 pt, the smallest text drawn): `size::font_px` of each.
pub(crate) const TITLE_SIZE: u32 = 47;
pub(crate) const LABEL_SIZE: u32 = 42;
pub(crate) const TICK_SIZE: u32 = 37;

/// Line widths in pixels at [`DPI`]: axes and outlines of thin shapes (0.5 pt), data lines
/// (1.25 pt).
pub(crate) const LINE_THIN: u32 = 2;
pub(crate) const LINE: u32 = 5;

/// The width in pixels of `text` at a font size, estimated from DejaVu Sans's average
/// advance (about 0.55 em in words, 0.64 em for digits; 0.6 em errs wide): for laying out
/// labels before drawing them.
pub(crate) fn text_width(text: &str, size: u32) -> i32 {
    (text.chars().count() as f64 * 0.6 * f64::from(size) / 1.24).ceil() as i32
}

/// Round tick values over `[low, high]`: multiples of 1, 2, 2.5 or 5 times a power of ten,
/// about `target` of them.
pub(crate) fn nice_ticks(low: f64, high: f64, target: usize) -> Vec<f64> {
    if high <= low || !low.is_finite() || !high.is_finite() {
        return vec![low];
    }
    let raw = (high - low) / target.max(1) as f64;
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * power);
    let first = (low / step - 1e-9).ceil() as i64;
    let last = (high / step + 1e-9).floor() as i64;
    (first..=last).map(|i| i as f64 * step).collect()
}

/// The height in pixels of a picture `width` pixels wide whose content has `aspect` (height
/// over width, held to 0.3-3), under its wrapped title: an overlay's or a raster's plot.
pub(super) fn picture_height(title: &str, width: f64, aspect: f64) -> f64 {
    let lines = wrap(title, width as i32 - px(8.0), TITLE_SIZE).len();
    (width - f64::from(px(30.0))) * aspect.clamp(0.3, 3.0)
        + f64::from(px(26.0) + px(11.5) * lines as i32)
}

/// `text` broken at spaces into lines of at most `width` pixels at a font size (a word
/// longer than the width stays whole).
pub(crate) fn wrap(text: &str, width: i32, size: u32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for paragraph in text.split('\n').filter(|p| !p.trim().is_empty()) {
        let mut line = String::new();
        for whole in paragraph.split_whitespace() {
            // A word wider than a line (a long file name) is cut into pieces that fit.
            // Cut at 0.7 em a character: names are capitals and digits, wider than words.
            let per_line = (f64::from(width) / (0.7 * f64::from(size) / 1.24)).max(1.0) as usize;
            let chars: Vec<char> = whole.chars().collect();
            let pieces: Vec<String> = if text_width(whole, size) > width {
                chars.chunks(per_line).map(|c| c.iter().collect()).collect()
            } else {
                vec![whole.to_string()]
            };
            for word in &pieces {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if !line.is_empty() && text_width(&candidate, size) > width {
                    lines.push(std::mem::replace(&mut line, word.to_string()));
                } else {
                    line = candidate;
                }
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plots::{LegendPosition, Lines, Series};

    #[test]
    fn ticks_are_round() {
        assert_eq!(nice_ticks(0.0, 225.0, 4), vec![0.0, 100.0, 200.0]);
        assert_eq!(nice_ticks(0.0, 1.0, 4), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        let ticks = nice_ticks(0.45, 0.85, 4);
        let expected = [0.5, 0.6, 0.7, 0.8];
        assert_eq!(ticks.len(), expected.len());
        assert!(ticks
            .iter()
            .zip(expected)
            .all(|(t, e)| (t - e).abs() < 1e-12));
    }

    #[test]
    fn notes_wrap_at_spaces_within_the_width() {
        let lines = wrap(
            "one two three four five",
            text_width("one two three", 37),
            37,
        );
        assert_eq!(lines, vec!["one two three", "four five"]);
        assert_eq!(wrap("", 100, 37), Vec::<String>::new());
        assert_eq!(wrap("a\nb", 1000, 37), vec!["a", "b"]);
        // A word wider than the width is cut to fit.
        let cut = wrap("abcdefghij", text_width("abcd", 37), 37);
        assert_eq!(cut, vec!["abc", "def", "ghi", "j"]);
    }

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
            marks: Vec::new(),
        };
        let figure = render(&chart, (1050, 700), FigureFormats::default()).unwrap();
        let (width, _, channels, pixels) =
            crate::png::decode(std::path::Path::new("figure.png"), &figure.png).unwrap();
        // The title's glyphs darken the top band; without a font it would stay white.
        let dark_in_title = (0..60 * width as usize)
            .filter(|i| pixels[i * channels] < 100)
            .count();
        assert!(
            dark_in_title > 100,
            "{dark_in_title} dark pixels in the title band"
        );
        let svg = figure.svg.unwrap();
        assert!(svg.contains("A title in DejaVu"));
        assert!(
            svg.starts_with("<svg width=\"3.5000in\" height=\"2.3333in\" viewBox=\"0 0 1050 700\"")
        );
        assert_eq!(
            [TITLE_SIZE, LABEL_SIZE, TICK_SIZE],
            [9.0, 8.0, 7.0].map(super::super::size::font_px)
        );
    }
}
