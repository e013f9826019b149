//! Physical sizes: every figure is drawn at a width in inches, at 300 dots per inch, with its
//! text in points, so that it can go into a journal column as it is.
//!
//! ```
//! use nucagree::plots::{FigureSize, FigureWidth};
//! // A single-column figure 2.6 in tall, drawn at double-column width keeps its aspect.
//! let size = FigureSize::single(2.6);
//! assert_eq!(FigureWidth::Auto.pixels(size), (1050, 780));
//! assert_eq!(FigureWidth::Double.pixels(size), (2160, 1605));
//! ```

/// Dots per inch of every raster figure (written in the PNG's `pHYs` chunk and the TIFF's
/// resolution tags).
pub const DPI: f64 = 300.0;

/// A journal's single column, in inches.
pub const SINGLE_COLUMN_IN: f64 = 3.5;
/// A journal's double column (full page width), in inches.
pub const DOUBLE_COLUMN_IN: f64 = 7.2;

/// The smallest text any figure draws, in points.
pub const SMALLEST_TEXT_PT: f64 = 7.0;

/// Pixels at [`DPI`] for a length in points (1/72 in).
pub fn px(points: f64) -> i32 {
    (points * DPI / 72.0).round() as i32
}

/// The font size plotters is given for text whose em is `points` pt: plotters takes the line
/// height, 1.24 em (its SVG writes `font-size` as the size / 1.24); rounded up, so text is
/// never smaller than asked.
pub fn font_px(points: f64) -> u32 {
    (points * DPI / 72.0 * 1.24).ceil() as u32
}

/// The width a figure is designed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Single,
    Double,
}

impl Column {
    pub fn inches(self) -> f64 {
        match self {
            Column::Single => SINGLE_COLUMN_IN,
            Column::Double => DOUBLE_COLUMN_IN,
        }
    }
}

/// A figure's natural size: its column and its height in inches at that width.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FigureSize {
    pub column: Column,
    pub height_in: f64,
}

impl FigureSize {
    pub fn single(height_in: f64) -> FigureSize {
        FigureSize {
            column: Column::Single,
            height_in,
        }
    }

    pub fn double(height_in: f64) -> FigureSize {
        FigureSize {
            column: Column::Double,
            height_in,
        }
    }
}

/// The width every figure is drawn at (`--figure-width`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum FigureWidth {
    /// Each figure at its natural column: single for charts, double for wide matrices and
    /// overlays.
    #[default]
    Auto,
    Single,
    Double,
    /// A width in inches (between 2 and 20).
    Inches(f64),
}

impl FigureWidth {
    /// Parses `auto`, `single`, `double` or a width in inches.
    pub fn parse(text: &str) -> Result<FigureWidth, String> {
        match text.trim() {
            "auto" => Ok(FigureWidth::Auto),
            "single" => Ok(FigureWidth::Single),
            "double" => Ok(FigureWidth::Double),
            other => match other.trim_end_matches("in").trim().parse::<f64>() {
                Ok(inches) if (2.0..=20.0).contains(&inches) => Ok(FigureWidth::Inches(inches)),
                Ok(inches) => Err(format!("a figure width of {inches} in is outside 2-20 in")),
                Err(_) => Err(format!(
                    "expected auto, single, double or a width in inches, found {other:?}"
                )),
            },
        }
    }

    /// The width in inches for a figure of natural size `size`.
    pub fn inches(self, size: FigureSize) -> f64 {
        match self {
            FigureWidth::Auto => size.column.inches(),
            FigureWidth::Single => SINGLE_COLUMN_IN,
            FigureWidth::Double => DOUBLE_COLUMN_IN,
            FigureWidth::Inches(inches) => inches,
        }
    }

    /// The canvas in pixels at [`DPI`]: the width chosen, the height scaled with it so that
    /// the figure keeps its aspect.
    pub fn pixels(self, size: FigureSize) -> (u32, u32) {
        let width = self.inches(size);
        let height = size.height_in * width / size.column.inches();
        ((width * DPI).round() as u32, (height * DPI).round() as u32)
    }

    /// The width as `--figure-width` takes it.
    pub fn flag(self) -> String {
        match self {
            FigureWidth::Auto => "auto".into(),
            FigureWidth::Single => "single".into(),
            FigureWidth::Double => "double".into(),
            FigureWidth::Inches(inches) => format!("{inches}in"),
        }
    }

    /// How the report's methods name the width.
    pub fn describe(self) -> String {
        match self {
            FigureWidth::Auto => format!(
                "single column ({SINGLE_COLUMN_IN} in) or, for wide matrices and overlays, double column ({DOUBLE_COLUMN_IN} in)"
            ),
            FigureWidth::Single => format!("single column ({SINGLE_COLUMN_IN} in)"),
            FigureWidth::Double => format!("double column ({DOUBLE_COLUMN_IN} in)"),
            FigureWidth::Inches(inches) => format!("{inches} in"),
        }
    }
}

/// The files each figure is written as (`--figure-format`). PNG is always written: the
/// Markdown and HTML reports show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FigureFormats {
    /// SVG, text as text (not for overlays, whose SVG would hold a shape per pixel).
    pub svg: bool,
    /// TIFF, LZW-compressed, at the same resolution as the PNG.
    pub tiff: bool,
}

impl Default for FigureFormats {
    fn default() -> Self {
        FigureFormats {
            svg: true,
            tiff: false,
        }
    }
}

impl FigureFormats {
    /// The formats as `--figure-format` takes them.
    pub fn flag(self) -> String {
        let mut names = vec!["png"];
        if self.svg {
            names.push("svg");
        }
        if self.tiff {
            names.push("tiff");
        }
        names.join(",")
    }

    /// Parses a comma-separated list of `png`, `svg` and `tiff`.
    pub fn parse(text: &str) -> Result<FigureFormats, String> {
        let mut formats = FigureFormats {
            svg: false,
            tiff: false,
        };
        for name in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match name.to_ascii_lowercase().as_str() {
                "png" => {}
                "svg" => formats.svg = true,
                "tiff" | "tif" => formats.tiff = true,
                other => {
                    return Err(format!(
                        "expected png, svg or tiff in the figure formats, found {other:?}"
                    ))
                }
            }
        }
        Ok(formats)
    }
}

/// How figures are drawn and written.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FigureOptions {
    pub width: FigureWidth,
    pub formats: FigureFormats,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_parse_and_resolve() {
        assert_eq!(FigureWidth::parse("single"), Ok(FigureWidth::Single));
        assert_eq!(FigureWidth::parse("5in"), Ok(FigureWidth::Inches(5.0)));
        assert_eq!(FigureWidth::parse("4.25"), Ok(FigureWidth::Inches(4.25)));
        assert!(FigureWidth::parse("1")
            .unwrap_err()
            .contains("outside 2-20 in"));
        assert!(FigureWidth::parse("wide").unwrap_err().contains("\"wide\""));
        let size = FigureSize::double(3.0);
        assert_eq!(FigureWidth::Auto.pixels(size), (2160, 900));
        assert_eq!(FigureWidth::Single.pixels(size), (1050, 438));
        assert_eq!(FigureWidth::Inches(5.0).inches(size), 5.0);
    }

    #[test]
    fn text_sizes_are_points_at_300_dpi() {
        assert_eq!(px(72.0), 300);
        // 7 pt em: 29.17 px, plotters' line height 36.2, rounded up.
        assert_eq!(font_px(7.0), 37);
        assert!(f64::from(font_px(7.0)) / 1.24 * 72.0 / DPI >= 7.0);
    }

    #[test]
    fn formats_parse() {
        assert_eq!(
            FigureFormats::parse("png,svg,tiff"),
            Ok(FigureFormats {
                svg: true,
                tiff: true
            })
        );
        assert_eq!(
            FigureFormats::parse("png"),
            Ok(FigureFormats {
                svg: false,
                tiff: false
            })
        );
        assert!(FigureFormats::parse("jpeg").is_err());
    }
}
