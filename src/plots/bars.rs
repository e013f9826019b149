//! Horizontal grouped bars with interval whiskers, and histograms.

use super::size::{px, FigureSize, SINGLE_COLUMN_IN};
use super::style::{
    axes, category_colour, failed, text_width, tick, titled, wrap, Chart, PlotError, FONT,
    LABEL_SIZE, LINE, LINE_THIN, MAJOR_GRID, MINOR_GRID, TICK_SIZE,
};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One series of bars: a value per category (`None`: undefined, drawn as "—").
#[derive(Debug, Clone, PartialEq)]
pub struct BarSeries {
    pub name: String,
    pub values: Vec<Option<f64>>,
    pub intervals: Vec<Option<[f64; 2]>>,
}

/// How each value is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BarStyle {
    /// A bar from 0: the axis must include 0.
    Bars,
    /// A point (with its whisker): for an axis fitted to the values, where a bar's length
    /// would mislead.
    Points,
}

/// Horizontal bars, categories down the side (so that long class names stay readable),
/// one bar per series in each category.
#[derive(Debug, Clone, PartialEq)]
pub struct Bars {
    pub title: String,
    pub value_label: String,
    pub categories: Vec<String>,
    pub series: Vec<BarSeries>,
    pub value_range: (f64, f64),
    /// Lines under the legend (what marks and intervals mean), wrapped to the width.
    pub note: String,
    pub style: BarStyle,
}

impl Bars {
    /// A single column, as tall as its categories and series need.
    pub fn natural_size(&self) -> FigureSize {
        let per_category = 7.0 + 5.0 * self.series.len().max(1) as f64;
        let points =
            60.0 + per_category * self.categories.len().max(1) as f64 + self.legend_points();
        FigureSize::single((points / 72.0).max(1.8))
    }

    /// The legend's height in points: a line per series under the chart, then the note's
    /// lines at a single column's width.
    fn legend_points(&self) -> f64 {
        let series = if self.series.len() > 1 {
            self.series.len()
        } else {
            0
        };
        let lines = series + self.note_lines(px(SINGLE_COLUMN_IN * 72.0)).len();
        if lines == 0 {
            0.0
        } else {
            4.0 + 10.0 * lines as f64
        }
    }

    fn note_lines(&self, width: i32) -> Vec<String> {
        wrap(&self.note, width - px(10.0), TICK_SIZE)
    }
}

impl Chart for Bars {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let n = self.categories.len().max(1);
        let longest = self
            .categories
            .iter()
            .map(|c| text_width(c, TICK_SIZE))
            .max()
            .unwrap_or(0);
        // The legend goes in a strip under the chart, a line per series, where it hides no
        // bar.
        let strip = px(self.legend_points());
        let (area, legend) = area.split_vertically(area.dim_in_pixel().1 as i32 - strip);
        let body = titled(&area, &self.title)?;
        let mut chart = ChartBuilder::on(&body)
            .margin(px(6.0))
            // Room for half a point or a tick label at the axis's end.
            .margin_right(px(10.0))
            .x_label_area_size(px(24.0))
            .y_label_area_size((longest + px(8.0)).clamp(px(20.0), px(150.0)) as u32)
            .build_cartesian_2d(self.value_range.0..self.value_range.1, -0.5..n as f64 - 0.5)
            .map_err(failed)?;
        let categories = self.categories.clone();
        let label = move |y: &f64| {
            let index = y.round();
            if (y - index).abs() < 1e-6 && index >= 0.0 && (index as usize) < categories.len() {
                // Top to bottom in the given order.
                categories[categories.len() - 1 - index as usize].clone()
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .x_desc(&self.value_label)
            .axis_desc_style((FONT, LABEL_SIZE))
            .label_style((FONT, TICK_SIZE))
            .axis_style(BLACK.stroke_width(LINE_THIN))
            .set_all_tick_mark_size(px(2.5))
            .x_labels(6)
            .y_labels(n * 2 + 1)
            .y_label_formatter(&label)
            .disable_y_mesh()
            .light_line_style(MINOR_GRID)
            .bold_line_style(MAJOR_GRID)
            .x_label_formatter(&tick)
            .draw()
            .map_err(failed)?;
        let groups = self.series.len().max(1) as f64;
        let band = 0.8 / groups;
        for (s, series) in self.series.iter().enumerate() {
            let colour = category_colour(s);
            let centre = |i: usize| (n - 1 - i) as f64 + 0.4 - band * (s as f64 + 0.5);
            let zero = 0.0f64.clamp(self.value_range.0, self.value_range.1);
            let defined = || {
                series
                    .values
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| v.map(|v| (centre(i), v)))
            };
            match self.style {
                BarStyle::Bars => chart
                    .draw_series(defined().map(|(y, v)| {
                        Rectangle::new(
                            [(zero, y - band * 0.45), (v, y + band * 0.45)],
                            colour.filled(),
                        )
                    }))
                    .map(|_| ()),
                BarStyle::Points => chart
                    .draw_series(
                        defined().map(|(y, v)| Circle::new((v, y), px(2.5), colour.filled())),
                    )
                    .map(|_| ()),
            }
            .map_err(failed)?;
            let whiskers = series.intervals.iter().enumerate().filter_map(|(i, ci)| {
                let value = series.values.get(i).copied().flatten()?;
                ci.map(|[lo, hi]| {
                    let y = centre(i);
                    let whisker = match self.style {
                        BarStyle::Bars => BLACK,
                        BarStyle::Points => colour,
                    };
                    ErrorBar::new_horizontal(
                        y,
                        lo,
                        value,
                        hi,
                        whisker.stroke_width(LINE_THIN + 1),
                        px(3.0) as u32,
                    )
                })
            });
            chart.draw_series(whiskers).map_err(failed)?;
            let undefined = series
                .values
                .iter()
                .enumerate()
                .filter(|(_, v)| v.is_none());
            let style = (FONT, TICK_SIZE)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Left, VPos::Center));
            chart
                .draw_series(undefined.map(|(i, _)| {
                    let (x, y) = (zero, centre(i));
                    EmptyElement::at((x, y))
                        + Text::new("— (undefined)", (px(2.0), 0), style.clone())
                }))
                .map_err(failed)?;
        }
        if strip > 0 {
            let style = (FONT, TICK_SIZE)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Left, VPos::Center));
            let line_y = |line: usize| px(7.0) + px(10.0) * line as i32;
            let named = if self.series.len() > 1 {
                self.series.len()
            } else {
                0
            };
            for (s, series) in self.series.iter().take(named).enumerate() {
                let (x, y) = (px(6.0), line_y(s));
                legend
                    .draw(&Rectangle::new(
                        [(x, y - px(3.0)), (x + px(10.0), y + px(3.0))],
                        category_colour(s).filled(),
                    ))
                    .map_err(failed)?;
                legend
                    .draw(&Text::new(
                        series.name.clone(),
                        (x + px(14.0), y),
                        style.clone(),
                    ))
                    .map_err(failed)?;
            }
            let width = legend.dim_in_pixel().0 as i32;
            for (i, line) in self.note_lines(width).into_iter().enumerate() {
                legend
                    .draw(&Text::new(
                        line,
                        (px(6.0), line_y(named + i)),
                        style.clone(),
                    ))
                    .map_err(failed)?;
            }
        }
        Ok(())
    }
}

/// A histogram of counts over equal bins of `[x_range.0, x_range.1]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub x_range: (f64, f64),
    pub counts: Vec<u64>,
}

impl Chart for Histogram {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let top = self.counts.iter().copied().max().unwrap_or(0).max(1) as f64 * 1.08;
        let labels = (self.x_label.as_str(), self.y_label.as_str());
        let body = titled(area, &self.title)?;
        let mut chart = axes(&body, labels, self.x_range, (0.0, top))?;
        let width = (self.x_range.1 - self.x_range.0) / self.counts.len().max(1) as f64;
        let colour = category_colour(0);
        chart
            .draw_series(self.counts.iter().enumerate().map(|(i, &c)| {
                let x = self.x_range.0 + width * i as f64;
                Rectangle::new([(x, 0.0), (x + width, c as f64)], colour.filled())
            }))
            .map_err(failed)?;
        chart
            .draw_series(self.counts.iter().enumerate().map(|(i, &c)| {
                let x = self.x_range.0 + width * i as f64;
                Rectangle::new(
                    [(x, 0.0), (x + width, c as f64)],
                    WHITE.stroke_width(LINE / 2),
                )
            }))
            .map_err(failed)?;
        Ok(())
    }
}
