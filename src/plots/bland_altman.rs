//! Bland-Altman plots, one panel per class: each image's difference (prediction minus truth)
//! against the mean of the two, with the bias and the limits of agreement as lines.

use super::size::{px, FigureSize};
use super::style::{axes, category_colour, failed, titled, Chart, PlotError, LINE, LINE_THIN};
use plotters::coord::Shift;
use plotters::prelude::*;

/// One panel: a class's points `(mean, difference)` and its bias and limits.
#[derive(Debug, Clone, PartialEq)]
pub struct BlandAltmanPanel {
    pub title: String,
    pub points: Vec<(f64, f64)>,
    pub bias: Option<f64>,
    pub limits: Option<[f64; 2]>,
}

/// Panels in a grid under one title.
#[derive(Debug, Clone, PartialEq)]
pub struct BlandAltmanGrid {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub panels: Vec<BlandAltmanPanel>,
    pub columns: usize,
}

impl BlandAltmanGrid {
    /// Double column, 2.3 in per row of panels.
    pub fn natural_size(&self) -> FigureSize {
        let rows = self.panels.len().div_ceil(self.columns.max(1)).max(1);
        FigureSize::double(0.3 + 2.3 * rows as f64)
    }
}

impl Chart for BlandAltmanGrid {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let area = titled(area, &self.title)?;
        let columns = self.columns.max(1);
        let rows = self.panels.len().div_ceil(columns).max(1);
        let cells = area.split_evenly((rows, columns));
        for (panel, cell) in self.panels.iter().zip(&cells) {
            let xs = panel.points.iter().map(|p| p.0);
            let x_max = xs.fold(1.0_f64, f64::max) * 1.05;
            let mut ys: Vec<f64> = panel.points.iter().map(|p| p.1).collect();
            ys.extend(panel.bias);
            ys.extend(panel.limits.into_iter().flatten());
            let y_extent = ys.iter().fold(1.0_f64, |m, y| m.max(y.abs())) * 1.15;
            let labels = (self.x_label.as_str(), self.y_label.as_str());
            let body = titled(cell, &panel.title)?;
            let mut chart = axes(&body, labels, (0.0, x_max), (-y_extent, y_extent))?;
            let colour = category_colour(0);
            chart
                .draw_series(
                    panel
                        .points
                        .iter()
                        .map(|&(x, y)| Circle::new((x, y), px(1.2), colour.mix(0.6).filled())),
                )
                .map_err(failed)?;
            let line = |y: f64, dashed: bool| {
                let style =
                    ShapeStyle::from(&BLACK).stroke_width(if dashed { LINE_THIN } else { LINE });
                LineSeries::new([(0.0, y), (x_max, y)], style)
            };
            if let Some(bias) = panel.bias {
                chart.draw_series(line(bias, false)).map_err(failed)?;
            }
            for limit in panel.limits.into_iter().flatten() {
                chart
                    .draw_series(DashedLineSeries::new(
                        [(0.0, limit), (x_max, limit)],
                        px(3.0) as u32,
                        px(2.0) as u32,
                        ShapeStyle::from(&category_colour(5)).stroke_width(LINE),
                    ))
                    .map_err(failed)?;
            }
        }
        Ok(())
    }
}
