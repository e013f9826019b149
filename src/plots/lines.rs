//! Line charts (curves with optional error bars) and scatter plots.

use super::style::{axes, category_colour, failed, Chart, PlotError, FONT, TICK_SIZE};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Where the legend goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegendPosition {
    UpperLeft,
    UpperRight,
    LowerLeft,
    LowerRight,
}

impl LegendPosition {
    fn series_label_position(self) -> SeriesLabelPosition {
        match self {
            LegendPosition::UpperLeft => SeriesLabelPosition::UpperLeft,
            LegendPosition::UpperRight => SeriesLabelPosition::UpperRight,
            LegendPosition::LowerLeft => SeriesLabelPosition::LowerLeft,
            LegendPosition::LowerRight => SeriesLabelPosition::LowerRight,
        }
    }
}

/// One curve: points joined by lines, each with an optional interval drawn as a whisker.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    pub intervals: Vec<Option<[f64; 2]>>,
    /// Draw a marker at each point.
    pub markers: bool,
    /// Draw dashed (a reference line).
    pub dashed: bool,
}

impl Series {
    pub fn new(name: &str, points: Vec<(f64, f64)>) -> Series {
        Series {
            name: name.to_string(),
            points,
            intervals: Vec::new(),
            markers: false,
            dashed: false,
        }
    }
}

/// A line chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Lines {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub x_range: (f64, f64),
    pub y_range: (f64, f64),
    pub series: Vec<Series>,
    pub legend_position: LegendPosition,
}

impl Chart for Lines {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let labels = (self.x_label.as_str(), self.y_label.as_str());
        let mut chart = axes(area, &self.title, labels, self.x_range, self.y_range)?;
        for (index, series) in self.series.iter().enumerate() {
            let colour = category_colour(index);
            let style = colour.stroke_width(if series.dashed { 2 } else { 3 });
            let points = series.points.clone();
            let drawn = if series.dashed {
                chart
                    .draw_series(DashedLineSeries::new(points, 8, 6, style))
                    .map_err(failed)?
            } else {
                chart
                    .draw_series(LineSeries::new(points, style))
                    .map_err(failed)?
            };
            drawn.label(&series.name).legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 24, y)], colour.stroke_width(3))
            });
            if series.markers {
                chart
                    .draw_series(
                        series
                            .points
                            .iter()
                            .map(|&p| Circle::new(p, 4, colour.filled())),
                    )
                    .map_err(failed)?;
            }
            let whiskers = series
                .points
                .iter()
                .zip(&series.intervals)
                .filter_map(|(&(x, _), interval)| interval.map(|[lo, hi]| (x, lo, hi)));
            chart
                .draw_series(whiskers.map(|(x, lo, hi)| {
                    ErrorBar::new_vertical(x, lo, (lo + hi) / 2.0, hi, colour.stroke_width(2), 8)
                }))
                .map_err(failed)?;
        }
        if self.series.len() > 1 || self.series.iter().any(|s| !s.name.is_empty()) {
            chart
                .configure_series_labels()
                .position(self.legend_position.series_label_position())
                .label_font((FONT, TICK_SIZE))
                .background_style(WHITE.mix(0.85))
                .border_style(RGBColor(160, 160, 160))
                .draw()
                .map_err(failed)?;
        }
        Ok(())
    }
}

/// One labelled point of a scatter plot.
#[derive(Debug, Clone, PartialEq)]
pub struct ScatterPoint {
    pub label: String,
    /// The group the point is coloured by.
    pub group: String,
    pub x: f64,
    pub y: f64,
}

/// A scatter plot, coloured by group, each point labelled.
#[derive(Debug, Clone, PartialEq)]
pub struct Scatter {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub x_range: (f64, f64),
    pub y_range: (f64, f64),
    pub points: Vec<ScatterPoint>,
}

impl Chart for Scatter {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let labels = (self.x_label.as_str(), self.y_label.as_str());
        let mut chart = axes(area, &self.title, labels, self.x_range, self.y_range)?;
        let mut groups: Vec<&str> = self.points.iter().map(|p| p.group.as_str()).collect();
        groups.sort_unstable();
        groups.dedup();
        for (index, group) in groups.iter().enumerate() {
            let colour = category_colour(index);
            let members: Vec<&ScatterPoint> =
                self.points.iter().filter(|p| p.group == *group).collect();
            let label_style = (FONT, TICK_SIZE - 2).into_font().color(&BLACK);
            chart
                .draw_series(members.iter().map(|p| {
                    EmptyElement::at((p.x, p.y))
                        + Circle::new((0, 0), 6, colour.filled())
                        + Text::new(p.label.clone(), (8, -18), label_style.clone())
                }))
                .map_err(failed)?
                .label(*group)
                .legend(move |(x, y)| Circle::new((x + 10, y), 6, colour.filled()));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerLeft)
            .label_font((FONT, TICK_SIZE))
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(160, 160, 160))
            .draw()
            .map_err(failed)?;
        Ok(())
    }
}
