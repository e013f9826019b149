//! Heatmaps with the value written in each cell: confusion matrices, pairwise kappa.

use super::style::{
    diverging, failed, sequential, text_colour_on, Chart, PlotError, FONT, LABEL_SIZE, TICK_SIZE,
    TITLE_SIZE,
};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// How values become colours.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ColourScale {
    /// White at 0 to dark blue at `max`.
    Sequential { max: f64 },
    /// Red at -1, white at 0, blue at 1 (kappa).
    Diverging,
}

/// A grid of cells, rows top to bottom and columns left to right as given.
#[derive(Debug, Clone, PartialEq)]
pub struct Heatmap {
    pub title: String,
    /// What the rows and columns are (e.g. "truth (B)", "predictions (A)").
    pub row_title: String,
    pub column_title: String,
    pub row_labels: Vec<String>,
    pub column_labels: Vec<String>,
    /// `values[row][column]`: the colour; `None` is drawn grey.
    pub values: Vec<Vec<Option<f64>>>,
    /// The text of each cell.
    pub cell_text: Vec<Vec<String>>,
    pub scale: ColourScale,
    /// A line under the grid (e.g. what the shading means).
    pub note: String,
}

impl Chart for Heatmap {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let (width, height) = area.dim_in_pixel();
        let rows = self.row_labels.len().max(1) as i32;
        let columns = self.column_labels.len().max(1) as i32;
        let longest = self
            .row_labels
            .iter()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(4) as i32;
        let left = longest * 9 + 24;
        let top = 40 + 34 + 30;
        let bottom = 44;
        let cell = ((width as i32 - left - 16) / columns)
            .min((height as i32 - top - bottom) / rows)
            .max(8);
        let text = |size: u32, colour: &RGBColor, h: HPos| {
            (FONT, size)
                .into_font()
                .color(colour)
                .pos(Pos::new(h, VPos::Center))
        };
        let centre = width as i32 / 2;
        area.draw(&Text::new(
            self.title.clone(),
            (centre, 18),
            text(TITLE_SIZE, &BLACK, HPos::Center),
        ))
        .map_err(failed)?;
        // What the rows and the columns are, one line each (side by side, a long row title
        // ran into the column title).
        area.draw(&Text::new(
            format!("rows: {}", self.row_title),
            (8, 44),
            text(LABEL_SIZE, &BLACK, HPos::Left),
        ))
        .map_err(failed)?;
        area.draw(&Text::new(
            format!("columns: {}", self.column_title),
            (8, 66),
            text(LABEL_SIZE, &BLACK, HPos::Left),
        ))
        .map_err(failed)?;
        let cell_font = if cell >= 44 {
            TICK_SIZE
        } else {
            (cell as u32 * 3 / 10).max(9)
        };
        for (c, label) in self.column_labels.iter().enumerate() {
            let x = left + cell * c as i32 + cell / 2;
            area.draw(&Text::new(
                label.clone(),
                (x, top - 14),
                text(cell_font, &BLACK, HPos::Center),
            ))
            .map_err(failed)?;
        }
        for (r, label) in self.row_labels.iter().enumerate() {
            let y = top + cell * r as i32 + cell / 2;
            area.draw(&Text::new(
                label.clone(),
                (left - 8, y),
                text(TICK_SIZE, &BLACK, HPos::Right),
            ))
            .map_err(failed)?;
            for c in 0..self.column_labels.len() {
                let value = self
                    .values
                    .get(r)
                    .and_then(|row| row.get(c))
                    .copied()
                    .flatten();
                let fill = match (value, self.scale) {
                    (None, _) => RGBColor(210, 210, 210),
                    (Some(v), ColourScale::Sequential { max }) => {
                        sequential(if max > 0.0 { v / max } else { 0.0 })
                    }
                    (Some(v), ColourScale::Diverging) => diverging(v),
                };
                let (x0, y0) = (left + cell * c as i32, top + cell * r as i32);
                area.draw(&Rectangle::new(
                    [(x0, y0), (x0 + cell, y0 + cell)],
                    fill.filled(),
                ))
                .map_err(failed)?;
                area.draw(&Rectangle::new(
                    [(x0, y0), (x0 + cell, y0 + cell)],
                    WHITE.stroke_width(1),
                ))
                .map_err(failed)?;
                let label = self
                    .cell_text
                    .get(r)
                    .and_then(|row| row.get(c))
                    .cloned()
                    .unwrap_or_default();
                area.draw(&Text::new(
                    label,
                    (x0 + cell / 2, y0 + cell / 2),
                    text(cell_font, &text_colour_on(fill), HPos::Center),
                ))
                .map_err(failed)?;
            }
        }
        if !self.note.is_empty() {
            area.draw(&Text::new(
                self.note.clone(),
                (8, top + cell * rows + 24),
                text(TICK_SIZE, &RGBColor(60, 60, 60), HPos::Left),
            ))
            .map_err(failed)?;
        }
        Ok(())
    }
}
