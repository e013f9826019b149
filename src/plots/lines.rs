//! Line charts (curves with optional error bars and marked x values) and scatter plots (with
//! intervals and F1 iso-lines). Series differ by colour, line pattern and marker shape, so that
//! they stay apart in greyscale.

use super::size::{px, FigureSize};
use super::style::{
    axes, failed, line_colour, titled, Chart, PlotError, FONT, LINE, LINE_THIN, TICK_SIZE,
};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Where the legend goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegendPosition {
    UpperLeft,
    UpperRight,
    LowerLeft,
    LowerRight,
    /// In a strip under the chart, a line per series: it hides no curve.
    Below,
}

impl LegendPosition {
    fn series_label_position(self) -> SeriesLabelPosition {
        match self {
            LegendPosition::UpperLeft => SeriesLabelPosition::UpperLeft,
            LegendPosition::UpperRight => SeriesLabelPosition::UpperRight,
            LegendPosition::LowerLeft | LegendPosition::Below => SeriesLabelPosition::LowerLeft,
            LegendPosition::LowerRight => SeriesLabelPosition::LowerRight,
        }
    }
}

/// How a curve's line is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinePattern {
    Solid,
    Dashed,
    Dotted,
    /// Long dashes.
    LongDashed,
}

impl LinePattern {
    /// The patterns in the order series take them.
    pub const ALL: [LinePattern; 4] = [
        LinePattern::Solid,
        LinePattern::Dashed,
        LinePattern::Dotted,
        LinePattern::LongDashed,
    ];

    /// Dash and gap in pixels (`None`: solid).
    fn dashes(self) -> Option<(i32, i32)> {
        match self {
            LinePattern::Solid => None,
            LinePattern::Dashed => Some((px(4.0), px(2.5))),
            LinePattern::Dotted => Some((px(1.2), px(1.8))),
            LinePattern::LongDashed => Some((px(9.0), px(3.0))),
        }
    }
}

/// One curve: points joined by lines, each with an optional interval drawn as a whisker.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    pub intervals: Vec<Option<[f64; 2]>>,
    /// Draw a marker at each point (its shape follows the series' colour).
    pub markers: bool,
    pub pattern: LinePattern,
    /// The colour's index in the line palette (`None`: the series' own index), so that
    /// series of one kind can share a colour and differ by pattern.
    pub colour: Option<usize>,
}

impl Series {
    pub fn new(name: &str, points: Vec<(f64, f64)>) -> Series {
        Series {
            name: name.to_string(),
            points,
            intervals: Vec::new(),
            markers: false,
            pattern: LinePattern::Solid,
            colour: None,
        }
    }
}

/// An x value marked by a vertical line, with its label at the top.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub x: f64,
    pub label: String,
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
    /// Vertical lines at chosen x values (a threshold given, the best one).
    pub marks: Vec<Mark>,
}

/// The outline of marker `index % 4` (circle, triangle, square, diamond) of radius `r`
/// pixels around the origin: one polygon type for points and legends alike.
fn marker_shape(index: usize, r: i32) -> Vec<(i32, i32)> {
    let f = f64::from(r);
    let around = |sides: usize, turn: f64, scale: f64| -> Vec<(i32, i32)> {
        (0..sides)
            .map(|i| {
                let angle = turn + std::f64::consts::TAU * i as f64 / sides as f64;
                (
                    (f * scale * angle.cos()).round() as i32,
                    (f * scale * angle.sin()).round() as i32,
                )
            })
            .collect()
    };
    match index % 4 {
        0 => around(16, 0.0, 1.0),
        1 => around(3, -std::f64::consts::FRAC_PI_2, 1.3),
        2 => around(4, std::f64::consts::FRAC_PI_4, 1.2),
        _ => around(4, 0.0, 1.3),
    }
}

/// Markers of shape `index % 4` at points.
fn marker<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    points: &[(f64, f64)],
    index: usize,
    colour: RGBColor,
) -> Result<(), PlotError> {
    let shape = marker_shape(index, px(2.2));
    chart
        .draw_series(
            points
                .iter()
                .map(|&p| EmptyElement::at(p) + Polygon::new(shape.clone(), colour.filled())),
        )
        .map(|_| ())
        .map_err(failed)
}

/// A sample of a series' line for a legend, 14 pt long, in its pattern and colour.
fn legend_sample(
    pattern: LinePattern,
    colour: RGBColor,
    (x, y): (i32, i32),
) -> DashedPathElement<std::vec::IntoIter<(i32, i32)>, u32> {
    let length = px(14.0);
    // A solid line is one dash as long as the sample.
    let (dash, gap) = pattern.dashes().unwrap_or((length, 1));
    DashedPathElement::new(
        vec![(x, y), (x + length, y)],
        dash as u32,
        gap as u32,
        colour.stroke_width(LINE),
    )
}

impl Lines {
    /// A single column, 2.4 in tall plus the legend strip when the legend goes below.
    pub fn natural_size(&self) -> FigureSize {
        FigureSize::single(2.4 + self.legend_strip_points() / 72.0)
    }

    fn legend_strip_points(&self) -> f64 {
        if self.legend_position == LegendPosition::Below {
            4.0 + 10.0 * self.series.len() as f64
        } else {
            0.0
        }
    }
}

impl Chart for Lines {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let strip = px(self.legend_strip_points());
        let (area, legend) = area.split_vertically(area.dim_in_pixel().1 as i32 - strip);
        let labels = (self.x_label.as_str(), self.y_label.as_str());
        let body = titled(&area, &self.title)?;
        let mut chart = axes(&body, labels, self.x_range, self.y_range)?;
        for mark in &self.marks {
            let grey = RGBColor(90, 90, 90);
            chart
                .draw_series(DashedLineSeries::new(
                    [(mark.x, self.y_range.0), (mark.x, self.y_range.1)],
                    px(2.0) as u32,
                    px(1.5) as u32,
                    grey.stroke_width(LINE_THIN + 1),
                ))
                .map_err(failed)?;
        }
        for (position, series) in self.series.iter().enumerate() {
            let index = series.colour.unwrap_or(position);
            let colour = line_colour(index);
            let style = colour.stroke_width(LINE);
            let points = series.points.clone();
            let drawn = match series.pattern.dashes() {
                None => chart
                    .draw_series(LineSeries::new(points, style))
                    .map_err(failed)?,
                Some((dash, gap)) => chart
                    .draw_series(DashedLineSeries::new(
                        points,
                        dash as u32,
                        gap as u32,
                        style,
                    ))
                    .map_err(failed)?,
            };
            let pattern = series.pattern;
            drawn
                .label(&series.name)
                .legend(move |(x, y)| legend_sample(pattern, colour, (x, y)));
            if series.markers {
                marker(&mut chart, &series.points, index, colour)?;
            }
            let whiskers = series
                .points
                .iter()
                .zip(&series.intervals)
                .filter_map(|(&(x, _), interval)| interval.map(|[lo, hi]| (x, lo, hi)));
            chart
                .draw_series(whiskers.map(|(x, lo, hi)| {
                    ErrorBar::new_vertical(
                        x,
                        lo,
                        (lo + hi) / 2.0,
                        hi,
                        colour.stroke_width(LINE_THIN + 1),
                        px(3.0) as u32,
                    )
                }))
                .map_err(failed)?;
        }
        // The marks' labels over the curves: stacked down from the top, on white, so that
        // neighbours stay apart; a mark right of the middle has its label to its left.
        for (m, mark) in self.marks.iter().enumerate() {
            let grey = RGBColor(90, 90, 90);
            let right_half = mark.x > (self.x_range.0 + self.x_range.1) / 2.0;
            let width = super::style::text_width(&mark.label, TICK_SIZE);
            let x0 = if right_half {
                -width - px(2.0)
            } else {
                px(1.5)
            };
            let y0 = px(1.0) + px(10.0) * m as i32;
            let style = (FONT, TICK_SIZE)
                .into_font()
                .color(&grey)
                .pos(Pos::new(HPos::Left, VPos::Top));
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((mark.x, self.y_range.1))
                        + Rectangle::new(
                            [(x0 - px(0.5), y0), (x0 + width + px(0.5), y0 + px(8.5))],
                            WHITE.mix(0.85).filled(),
                        )
                        + Text::new(mark.label.clone(), (x0, y0), style),
                ))
                .map_err(failed)?;
        }
        let named = self.series.iter().any(|s| !s.name.is_empty());
        if self.legend_position == LegendPosition::Below {
            let style = (FONT, TICK_SIZE)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Left, VPos::Center));
            for (position, series) in self.series.iter().enumerate() {
                let (x, y) = (px(6.0), px(7.0) + px(10.0) * position as i32);
                let colour = line_colour(series.colour.unwrap_or(position));
                legend
                    .draw(&legend_sample(series.pattern, colour, (x, y)))
                    .map_err(failed)?;
                legend
                    .draw(&Text::new(
                        series.name.clone(),
                        (x + px(18.0), y),
                        style.clone(),
                    ))
                    .map_err(failed)?;
            }
        } else if self.series.len() > 1 || named {
            chart
                .configure_series_labels()
                .position(self.legend_position.series_label_position())
                .label_font((FONT, TICK_SIZE))
                .legend_area_size(px(16.0))
                .margin(px(3.0))
                .background_style(WHITE.mix(0.85))
                .border_style(RGBColor(160, 160, 160))
                .draw()
                .map_err(failed)?;
        }
        Ok(())
    }
}

/// One labelled point of a scatter plot, with optional intervals on both axes.
#[derive(Debug, Clone, PartialEq)]
pub struct ScatterPoint {
    pub label: String,
    /// The group the point is coloured by.
    pub group: String,
    pub x: f64,
    pub y: f64,
    pub x_interval: Option<[f64; 2]>,
    pub y_interval: Option<[f64; 2]>,
}

/// A scatter plot, coloured and shaped by group, each point labelled.
#[derive(Debug, Clone, PartialEq)]
pub struct Scatter {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub x_range: (f64, f64),
    pub y_range: (f64, f64),
    pub points: Vec<ScatterPoint>,
    /// F1 values whose iso-lines (precision against recall) are drawn faintly.
    pub iso_f1: Vec<f64>,
}

impl Scatter {
    pub fn natural_size(&self) -> FigureSize {
        FigureSize::single(3.2)
    }
}

impl Chart for Scatter {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let labels = (self.x_label.as_str(), self.y_label.as_str());
        let body = titled(area, &self.title)?;
        let mut chart = axes(&body, labels, self.x_range, self.y_range)?;
        let faint = RGBColor(170, 170, 170);
        for &f1 in &self.iso_f1 {
            // precision = F1 r / (2r - F1), for recall r > F1 / 2.
            let steps = 200;
            let curve: Vec<(f64, f64)> = (0..=steps)
                .map(|i| {
                    let r = self.x_range.0
                        + (self.x_range.1 - self.x_range.0) * i as f64 / steps as f64;
                    (r, f1 * r / (2.0 * r - f1))
                })
                .filter(|&(r, p)| 2.0 * r > f1 && p >= self.y_range.0 && p <= self.y_range.1)
                .collect();
            if let Some(&(x, y)) = curve.first() {
                chart
                    .draw_series(DashedLineSeries::new(
                        curve,
                        px(2.0) as u32,
                        px(1.5) as u32,
                        faint.stroke_width(LINE_THIN + 1),
                    ))
                    .map_err(failed)?;
                let style = (FONT, TICK_SIZE)
                    .into_font()
                    .color(&RGBColor(110, 110, 110))
                    .pos(Pos::new(HPos::Left, VPos::Top));
                chart
                    .draw_series(std::iter::once(
                        EmptyElement::at((x, y))
                            + Text::new(
                                format!("F1 {}", super::style::tick(&f1)),
                                (px(1.0), px(1.0)),
                                style,
                            ),
                    ))
                    .map_err(failed)?;
            }
        }
        let mut groups: Vec<&str> = self.points.iter().map(|p| p.group.as_str()).collect();
        groups.sort_unstable();
        groups.dedup();
        for (index, group) in groups.iter().enumerate() {
            let colour = line_colour(index);
            let members: Vec<&ScatterPoint> =
                self.points.iter().filter(|p| p.group == *group).collect();
            let whisker = colour.mix(0.7).stroke_width(LINE_THIN + 1);
            chart
                .draw_series(members.iter().filter_map(|p| {
                    p.x_interval.map(|[lo, hi]| {
                        ErrorBar::new_horizontal(p.y, lo, p.x, hi, whisker, px(2.0) as u32)
                    })
                }))
                .map_err(failed)?;
            chart
                .draw_series(members.iter().filter_map(|p| {
                    p.y_interval.map(|[lo, hi]| {
                        ErrorBar::new_vertical(p.x, lo, p.y, hi, whisker, px(2.0) as u32)
                    })
                }))
                .map_err(failed)?;
            let points: Vec<(f64, f64)> = members.iter().map(|p| (p.x, p.y)).collect();
            marker(&mut chart, &points, index, colour)?;
            let label_style = (FONT, TICK_SIZE).into_font().color(&BLACK);
            chart
                .draw_series(members.iter().map(|p| {
                    EmptyElement::at((p.x, p.y))
                        + Text::new(p.label.clone(), (px(2.5), -px(9.0)), label_style.clone())
                }))
                .map_err(failed)?
                .label(*group)
                .legend(move |(x, y)| {
                    EmptyElement::at((x + px(3.0), y))
                        + Polygon::new(marker_shape(index, px(2.2)), colour.filled())
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .label_font((FONT, TICK_SIZE))
            .legend_area_size(px(10.0))
            .margin(px(3.0))
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(160, 160, 160))
            .draw()
            .map_err(failed)?;
        Ok(())
    }
}
