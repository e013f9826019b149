//! A raster over an image's pixel grid, with axes in pixels and a legend of colours: the
//! overlay of disagreeing region pixels. Cells are drawn as runs of one colour along each
//! row, so a mask of large uniform regions costs few rectangles.

use super::overlay::pixel_axes;
use super::style::{failed, Chart, PlotError, FONT, TICK_SIZE};
use plotters::coord::Shift;
use plotters::prelude::*;

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

impl Chart for RasterOverlay {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let legend_rows = self.legend.len().div_ceil(2) as i32;
        let legend_height = 16 + 26 * (legend_rows + 1);
        let (body, legend) = area.split_vertically(area.dim_in_pixel().1 as i32 - legend_height);
        let (w, h) = (f64::from(self.width), f64::from(self.height));
        let mut chart = pixel_axes(&body, &self.title, 0.0..w, 0.0..h)?;
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
        let style = (FONT, TICK_SIZE).into_font().color(&BLACK);
        let column = legend.dim_in_pixel().0 as i32 / 2;
        for (i, ([r, g, b], label)) in self.legend.iter().enumerate() {
            let x = 12 + column * (i as i32 % 2);
            let y = 8 + 26 * (i as i32 / 2);
            legend
                .draw(&Rectangle::new(
                    [(x, y + 4), (x + 26, y + 16)],
                    RGBColor(*r, *g, *b).filled(),
                ))
                .map_err(failed)?;
            legend
                .draw(&Rectangle::new([(x, y + 4), (x + 26, y + 16)], BLACK))
                .map_err(failed)?;
            legend
                .draw(&Text::new(label.as_str(), (x + 34, y), style.clone()))
                .map_err(failed)?;
        }
        legend
            .draw(&Text::new(
                self.note.as_str(),
                (12, 8 + 26 * legend_rows),
                style,
            ))
            .map_err(failed)?;
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
        let figure = crate::plots::render_png(&chart, (400, 300)).unwrap();
        let (width, height, channels, pixels) =
            crate::png::decode(std::path::Path::new("raster"), &figure.png).unwrap();
        assert_eq!((width, height, channels), (400, 300, 3));
        let vermilion = pixels.chunks(3).filter(|p| p == &[213, 94, 0]).count();
        let black = pixels.chunks(3).filter(|p| p == &[0, 0, 0]).count();
        // The right cell and the swatch are vermilion; the left cell black (with text).
        assert!(vermilion > 1000, "{vermilion}");
        assert!(black > 1000, "{black}");
    }
}
