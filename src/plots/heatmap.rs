//! Heatmaps with the value written in each cell and a colour bar: confusion matrices, pairwise
//! kappa.

use super::size::{px, Column, FigureSize, DOUBLE_COLUMN_IN, DPI, SINGLE_COLUMN_IN};
use super::style::{
    diverging, failed, nice_ticks, sequential, text_colour_on, text_width, tick, wrap, Chart,
    PlotError, FONT, LABEL_SIZE, LINE, TICK_SIZE, TITLE_SIZE,
};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// How values become colours.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ColourScale {
    /// White at `min` to dark blue at `max` (values outside are clamped).
    Sequential { min: f64, max: f64 },
    /// Red at -1, white at 0, blue at 1.
    Diverging,
}

impl ColourScale {
    fn colour(self, value: f64) -> RGBColor {
        match self {
            ColourScale::Sequential { min, max } => sequential(if max > min {
                (value - min) / (max - min)
            } else {
                0.0
            }),
            ColourScale::Diverging => diverging(value),
        }
    }

    fn range(self) -> (f64, f64) {
        match self {
            ColourScale::Sequential { min, max } => (min, max),
            ColourScale::Diverging => (-1.0, 1.0),
        }
    }
}

/// A grid of cells, rows top to bottom and columns left to right as given.
#[derive(Debug, Clone, PartialEq)]
pub struct Heatmap {
    pub title: String,
    /// What the rows and columns are (e.g. "truth", "prediction").
    pub row_title: String,
    pub column_title: String,
    pub row_labels: Vec<String>,
    pub column_labels: Vec<String>,
    /// `values[row][column]`: the colour; `None` is drawn grey.
    pub values: Vec<Vec<Option<f64>>>,
    /// The text of each cell.
    pub cell_text: Vec<Vec<String>>,
    pub scale: ColourScale,
    /// What the colour bar measures (no colour bar when empty).
    pub colour_label: String,
    /// Cells left white and empty, as (row, column): a rater with themself, a row with no
    /// nuclei (no shares), the corner of two margins.
    pub blank_cells: Vec<(usize, usize)>,
    /// Rows (and, for a square grid, columns) before which a line separates groups.
    pub separators: Vec<usize>,
    /// Lines under the grid (e.g. what the shading means), wrapped to the width.
    pub note: String,
}

/// The layout of a heatmap on a canvas `width` pixels wide.
struct Layout {
    left: i32,
    top: i32,
    cell: i32,
    bar: i32,
}

impl Heatmap {
    /// The cells of a square grid's diagonal.
    pub fn diagonal(n: usize) -> Vec<(usize, usize)> {
        (0..n).map(|i| (i, i)).collect()
    }

    /// Every cell of the given rows.
    pub fn whole_rows(rows: &[usize], columns: usize) -> Vec<(usize, usize)> {
        rows.iter()
            .flat_map(|&r| (0..columns).map(move |c| (r, c)))
            .collect()
    }

    fn longest_row_label(&self) -> i32 {
        self.row_labels
            .iter()
            .map(|l| text_width(l, TICK_SIZE))
            .max()
            .unwrap_or(0)
    }

    fn layout(&self, width: i32) -> Layout {
        let columns = self.column_labels.len().max(1) as i32;
        let left = self.longest_row_label() + px(10.0);
        let bar = if self.colour_label.is_empty() {
            px(6.0)
        } else {
            let (low, high) = self.scale.range();
            let widest = nice_ticks(low, high, 4)
                .iter()
                .map(|t| text_width(&tick(t), TICK_SIZE))
                .max()
                .unwrap_or(0);
            // Gap, bar, tick, labels, gap, the rotated label, margin.
            px(6.0) + px(7.0) + px(3.0) + widest + px(3.0) + px(9.0) + px(2.0)
        };
        let top = px(54.0);
        let cell = ((width - left - bar - px(6.0)) / columns).max(px(6.0));
        Layout {
            left,
            top,
            cell,
            bar,
        }
    }

    fn note_lines(&self, width: i32) -> Vec<String> {
        wrap(&self.note, width - px(8.0), TICK_SIZE)
    }

    /// The size the heatmap is drawn at: a single column when its cells, with their text,
    /// fit in one, else double; as tall as its rows need.
    pub fn natural_size(&self) -> FigureSize {
        let columns = self.column_labels.len().max(1) as i32;
        let widest_text = self
            .cell_text
            .iter()
            .flatten()
            .chain(&self.column_labels)
            .map(|t| text_width(t, TICK_SIZE))
            .max()
            .unwrap_or(0);
        let needed = self.layout(0).left
            + self.layout(0).bar
            + columns * (widest_text + px(4.0)).max(px(14.0));
        let column = if f64::from(needed) <= SINGLE_COLUMN_IN * DPI {
            Column::Single
        } else {
            Column::Double
        };
        let width = (column.inches() * DPI) as i32;
        let layout = self.layout(width);
        let rows = self.row_labels.len().max(1) as i32;
        let height = layout.top
            + layout.cell * rows
            + px(6.0)
            + self.note_lines(width).len() as i32 * px(10.0)
            + px(4.0);
        let height_in = (f64::from(height) / DPI).min(DOUBLE_COLUMN_IN * 1.3);
        FigureSize { column, height_in }
    }
}

fn text_style(size: u32, colour: &RGBColor, h: HPos) -> TextStyle<'static> {
    (FONT, size)
        .into_font()
        .color(colour)
        .pos(Pos::new(h, VPos::Center))
}

impl Chart for Heatmap {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let (width, height) = area.dim_in_pixel();
        let (width, height) = (width as i32, height as i32);
        let rows = self.row_labels.len().max(1) as i32;
        let columns = self.column_labels.len().max(1) as i32;
        let notes = self.note_lines(width);
        let Layout {
            left,
            top,
            cell,
            bar: _,
        } = self.layout(width);
        let bottom = px(6.0) + notes.len() as i32 * px(10.0);
        let cell = cell.min((height - top - bottom) / rows).max(px(4.0));
        let draw = |element: Text<'_, (i32, i32), String>| area.draw(&element).map_err(failed);
        draw(Text::new(
            self.title.clone(),
            (px(4.0), px(8.0)),
            text_style(TITLE_SIZE, &BLACK, HPos::Left),
        ))?;
        // What the rows and the columns are, one line each.
        draw(Text::new(
            format!("rows: {}", self.row_title),
            (px(4.0), px(21.0)),
            text_style(LABEL_SIZE, &BLACK, HPos::Left),
        ))?;
        draw(Text::new(
            format!("columns: {}", self.column_title),
            (px(4.0), px(32.0)),
            text_style(LABEL_SIZE, &BLACK, HPos::Left),
        ))?;
        // Cell text is written where it fits; the colour says the rest.
        let fits = |text: &str| text_width(text, TICK_SIZE) <= cell - px(2.0);
        for (c, label) in self.column_labels.iter().enumerate() {
            let x = left + cell * c as i32 + cell / 2;
            let shown = if fits(label) {
                label.clone()
            } else {
                String::new()
            };
            draw(Text::new(
                shown,
                (x, top - px(6.0)),
                text_style(TICK_SIZE, &BLACK, HPos::Center),
            ))?;
        }
        let grey = RGBColor(210, 210, 210);
        for (r, label) in self.row_labels.iter().enumerate() {
            let y = top + cell * r as i32 + cell / 2;
            draw(Text::new(
                label.clone(),
                (left - px(4.0), y),
                text_style(TICK_SIZE, &BLACK, HPos::Right),
            ))?;
            for c in 0..self.column_labels.len() {
                let (x0, y0) = (left + cell * c as i32, top + cell * r as i32);
                let corners = [(x0, y0), (x0 + cell, y0 + cell)];
                if self.blank_cells.contains(&(r, c)) {
                    area.draw(&Rectangle::new(corners, RGBColor(200, 200, 200)))
                        .map_err(failed)?;
                    continue;
                }
                let value = self
                    .values
                    .get(r)
                    .and_then(|row| row.get(c))
                    .copied()
                    .flatten();
                let fill = value.map_or(grey, |v| self.scale.colour(v));
                area.draw(&Rectangle::new(corners, fill.filled()))
                    .map_err(failed)?;
                area.draw(&Rectangle::new(corners, WHITE.stroke_width(2)))
                    .map_err(failed)?;
                let label = self
                    .cell_text
                    .get(r)
                    .and_then(|row| row.get(c))
                    .cloned()
                    .unwrap_or_default();
                if fits(&label) {
                    draw(Text::new(
                        label,
                        (x0 + cell / 2, y0 + cell / 2),
                        text_style(TICK_SIZE, &text_colour_on(fill), HPos::Center),
                    ))?;
                }
            }
        }
        let grid_bottom = top + cell * rows;
        let grid_right = left + cell * columns;
        for &before in &self.separators {
            let at = before as i32 * cell;
            let line = BLACK.stroke_width(LINE);
            area.draw(&PathElement::new(
                vec![(left, top + at), (grid_right, top + at)],
                line,
            ))
            .map_err(failed)?;
            if self.row_labels.len() == self.column_labels.len() {
                area.draw(&PathElement::new(
                    vec![(left + at, top), (left + at, grid_bottom)],
                    line,
                ))
                .map_err(failed)?;
            }
        }
        if !self.colour_label.is_empty() {
            self.colour_bar(area, grid_right + px(6.0), top, grid_bottom)?;
        }
        for (i, line) in notes.into_iter().enumerate() {
            draw(Text::new(
                line,
                (px(4.0), grid_bottom + px(8.0) + px(10.0) * i as i32),
                text_style(TICK_SIZE, &RGBColor(60, 60, 60), HPos::Left),
            ))?;
        }
        Ok(())
    }
}

impl Heatmap {
    /// A vertical colour bar from the scale's low end (bottom) to its high end, with ticks
    /// and its label turned along it.
    fn colour_bar<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        x: i32,
        top: i32,
        bottom: i32,
    ) -> Result<(), PlotError> {
        let (low, high) = self.scale.range();
        let bottom = bottom.max(top + px(40.0));
        let steps = 64;
        let bar_width = px(7.0);
        let span = f64::from(bottom - top);
        for i in 0..steps {
            let y0 = bottom - (span * f64::from(i + 1) / f64::from(steps)).round() as i32;
            let y1 = bottom - (span * f64::from(i) / f64::from(steps)).round() as i32;
            let value = low + (high - low) * (f64::from(i) + 0.5) / f64::from(steps);
            area.draw(&Rectangle::new(
                [(x, y0), (x + bar_width, y1)],
                self.scale.colour(value).filled(),
            ))
            .map_err(failed)?;
        }
        area.draw(&Rectangle::new(
            [(x, top), (x + bar_width, bottom)],
            BLACK.stroke_width(2),
        ))
        .map_err(failed)?;
        let mut widest = 0;
        for value in nice_ticks(low, high, 4) {
            let y = bottom - (span * (value - low) / (high - low)).round() as i32;
            let text = tick(&value);
            widest = widest.max(text_width(&text, TICK_SIZE));
            area.draw(&PathElement::new(
                vec![(x + bar_width, y), (x + bar_width + px(2.0), y)],
                BLACK.stroke_width(2),
            ))
            .map_err(failed)?;
            area.draw(&Text::new(
                text,
                (x + bar_width + px(3.0), y),
                text_style(TICK_SIZE, &BLACK, HPos::Left),
            ))
            .map_err(failed)?;
        }
        let label = (FONT, TICK_SIZE)
            .into_font()
            .transform(FontTransform::Rotate270)
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Center));
        area.draw(&Text::new(
            self.colour_label.clone(),
            (
                x + bar_width + px(3.0) + widest + px(7.0),
                (top + bottom) / 2,
            ),
            label,
        ))
        .map_err(failed)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(k: usize, text: &str) -> Heatmap {
        Heatmap {
            title: "t".into(),
            row_title: "truth".into(),
            column_title: "prediction".into(),
            row_labels: (0..k).map(|i| format!("class {i}")).collect(),
            column_labels: (0..k).map(|i| i.to_string()).collect(),
            values: vec![vec![Some(0.5); k]; k],
            cell_text: vec![vec![text.to_string(); k]; k],
            scale: ColourScale::Sequential { min: 0.0, max: 1.0 },
            colour_label: "share".into(),
            blank_cells: vec![],
            separators: vec![],
            note: "a note".into(),
        }
    }

    #[test]
    fn small_grids_fit_a_single_column_and_large_ones_take_two() {
        assert_eq!(chart(4, "0.50").natural_size().column, Column::Single);
        assert_eq!(chart(14, "12345").natural_size().column, Column::Double);
    }

    #[test]
    fn scales_map_their_ends() {
        let s = ColourScale::Sequential { min: 0.4, max: 0.8 };
        assert_eq!(s.colour(0.4), sequential(0.0));
        assert_eq!(s.colour(0.8), sequential(1.0));
        assert_eq!(s.colour(0.9), sequential(1.0));
    }
}
