//! Horizontal grouped bars with interval whiskers, and histograms.

use super::style::{
    axes, category_colour, failed, tick, Chart, PlotError, FONT, LABEL_SIZE, MAJOR_GRID,
    MINOR_GRID, TICK_SIZE, TITLE_SIZE,
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

/// Horizontal bars, categories down the side (so that long class names stay readable),
/// one bar per series in each category.
#[derive(Debug, Clone, PartialEq)]
pub struct Bars {
    pub title: String,
    pub value_label: String,
    pub categories: Vec<String>,
    pub series: Vec<BarSeries>,
    pub value_range: (f64, f64),
}

impl Chart for Bars {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let n = self.categories.len().max(1);
        let longest = self.categories.iter().map(|c| c.len()).max().unwrap_or(4);
        // The legend goes in a strip under the chart, where it hides no bar.
        let strip = if self.series.len() > 1 { 40 } else { 0 };
        let (area, legend) = area.split_vertically(area.dim_in_pixel().1 as i32 - strip);
        let mut chart = ChartBuilder::on(&area)
            .caption(&self.title, (FONT, TITLE_SIZE))
            .margin(16)
            .x_label_area_size(56)
            .y_label_area_size((longest as u32 * 9 + 20).clamp(60, 260))
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
            let bars = series.values.iter().enumerate().filter_map(|(i, v)| {
                // An interval is drawn only around a defined value.
                v.map(|v| {
                    let y = centre(i);
                    Rectangle::new(
                        [(zero, y - band * 0.45), (v, y + band * 0.45)],
                        colour.filled(),
                    )
                })
            });
            chart.draw_series(bars).map_err(failed)?;
            let whiskers = series.intervals.iter().enumerate().filter_map(|(i, ci)| {
                let value = series.values.get(i).copied().flatten()?;
                ci.map(|[lo, hi]| {
                    let y = centre(i);
                    ErrorBar::new_horizontal(y, lo, value, hi, BLACK.stroke_width(2), 8)
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
                    EmptyElement::at((x, y)) + Text::new("— (undefined)", (6, 0), style.clone())
                }))
                .map_err(failed)?;
        }
        if strip > 0 {
            let style = (FONT, TICK_SIZE).into_font().color(&BLACK);
            let mut x = 16;
            for (s, series) in self.series.iter().enumerate() {
                legend
                    .draw(&Rectangle::new(
                        [(x, 12), (x + 22, 26)],
                        category_colour(s).filled(),
                    ))
                    .map_err(failed)?;
                legend
                    .draw(&Text::new(series.name.clone(), (x + 30, 10), style.clone()))
                    .map_err(failed)?;
                x += 60 + 9 * series.name.chars().count() as i32;
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
        let mut chart = axes(area, &self.title, labels, self.x_range, (0.0, top))?;
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
                Rectangle::new([(x, 0.0), (x + width, c as f64)], WHITE.stroke_width(1))
            }))
            .map_err(failed)?;
        Ok(())
    }
}
