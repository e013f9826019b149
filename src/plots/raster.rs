//! A raster over an image's pixel grid, with axes in pixels and a legend of colours: the
//! overlay of disagreeing region pixels. Cells are drawn as runs of one colour along each
//! row, so a mask of large uniform regions costs few rectangles.

use super::overlay::pixel_axes;
use super::size::{px, FigureSize, DPI, SINGLE_COLUMN_IN};
use super::style::{failed, titled, Chart, PlotError, FONT, LINE_THIN, TICK_SIZE};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// A grid of `columns` x `rows` cells, each `scale` image pixels square, over an image of
/// `width` x `height` pixels (y down).
#[derive(Debug, Clone, PartialEq)]
pub struct RasterOverlay {
    pub title: String,
    pub width: u32,
    pub height: u32,
    pub scale: u32,
    pub columns: u32,
    pub rows: u32,
    /// One RGB colour per cell, row by row.
    pub cells: Vec<[u8; 3]>,
    /// Colour swatches and what they mean.
    pub legend: Vec<([u8; 3], String)>,
    /// A line under the legend.
    pub note: String,
}

impl RasterOverlay {
    /// The note's lines at a canvas `width` pixels wide.
    fn note_lines(&self, width: i32) -> Vec<String> {
        super::style::wrap(&self.note, width - px(8.0), TICK_SIZE)
    }

    fn legend_height(&self, width: i32) -> i32 {
        let legend_rows = self.legend.len().div_ceil(2) as i32;
        px(10.0) * (legend_rows + self.note_lines(width).len() as i32) + px(6.0)
    }

    /// A single column: the image under its title, the legend below.
    pub fn natural_size(&self) -> FigureSize {
        let width = SINGLE_COLUMN_IN * DPI;
        let aspect = f64::from(self.height) / f64::from(self.width.max(1));
        let plot = super::style::picture_height(&self.title, width, aspect);
        FigureSize::single((plot + f64::from(self.legend_height(width as i32))) / DPI)
    }
}

impl Chart for RasterOverlay {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let legend_rows = self.legend.len().div_ceil(2) as i32;
        let canvas_width = area.dim_in_pixel().0 as i32;
        let legend_height = self.legend_height(canvas_width);
        let (body, legend) = area.split_vertically(area.dim_in_pixel().1 as i32 - legend_height);
        let (w, h) = (f64::from(self.width), f64::from(self.height));
        let body = titled(&body, &self.title)?;
        let mut chart = pixel_axes(&body, 0.0..w, 0.0..h)?;
        let scale = f64::from(self.scale.max(1));
        let columns = self.columns as usize;
        let mut runs = Vec::new();
        for (row, cells) in self.cells.chunks(columns.max(1)).enumerate() {
            let mut start = 0;
            for c in 1..=cells.len() {
                if c == cells.len() || cells[c] != cells[start] {
                    let [r, g, b] = cells[start];
                    let y = row as f64 * scale;
                    runs.push(Rectangle::new(
                        [
                            (start as f64 * scale, y),
                            ((c as f64 * scale).min(w), (y + scale).min(h)),
                        ],
                        RGBColor(r, g, b).filled(),
                    ));
                    start = c;
                }
            }
        }
        chart.draw_series(runs).map_err(failed)?;
        let style = (FONT, TICK_SIZE)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        let column = legend.dim_in_pixel().0 as i32 / 2;
        for (i, ([r, g, b], label)) in self.legend.iter().enumerate() {
            let x = px(4.0) + column * (i as i32 % 2);
            let y = px(6.0) + px(10.0) * (i as i32 / 2);
            let swatch = [(x, y - px(2.5)), (x + px(10.0), y + px(2.5))];
            legend
                .draw(&Rectangle::new(swatch, RGBColor(*r, *g, *b).filled()))
                .map_err(failed)?;
            legend
                .draw(&Rectangle::new(swatch, BLACK.stroke_width(LINE_THIN)))
                .map_err(failed)?;
            legend
                .draw(&Text::new(label.as_str(), (x + px(13.0), y), style.clone()))
                .map_err(failed)?;
        }
        for (i, line) in self.note_lines(canvas_width).into_iter().enumerate() {
            legend
                .draw(&Text::new(
                    line,
                    (px(4.0), px(6.0) + px(10.0) * (legend_rows + i as i32)),
                    style.clone(),
                ))
                .map_err(failed)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_raster_renders_with_its_cells_coloured() {
        let chart = RasterOverlay {
            title: "two cells".into(),
            width: 20,
            height: 10,
            scale: 10,
            columns: 2,
            rows: 1,
            cells: vec![[0, 0, 0], [213, 94, 0]],
            legend: vec![([213, 94, 0], "disagree".into())],
            note: "one cell in 10 pixels".into(),
        };
        let figure = crate::plots::render_png(&chart, (1050, 900)).unwrap();
        let (width, height, channels, pixels) =
            crate::png::decode(std::path::Path::new("raster"), &figure.png).unwrap();
        assert_eq!((width, height, channels), (1050, 900, 3));
        let vermilion = pixels.chunks(3).filter(|p| p == &[213, 94, 0]).count();
        let black = pixels.chunks(3).filter(|p| p == &[0, 0, 0]).count();
        // The right cell and the swatch are vermilion; the left cell black (with text).
        assert!(vermilion > 1000, "{vermilion}");
        assert!(black > 1000, "{black}");
    }
}
