//! A FOV's two sets of outlines over its image (or a neutral canvas): matched pairs, misses,
//! false positives and class disagreements in colour-blind-safe colours, the FOV region
//! dashed.

use super::style::{failed, Chart, PlotError, FONT, PALETTE, TICK_SIZE, TITLE_SIZE};
use crate::model::BoundingBox;
pub use crate::model::RgbImage;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

/// What happened to an outline in the matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverlayStatus {
    /// Matched, same class.
    Matched,
    /// Matched, different class at the level shown.
    ClassDisagrees,
    /// In B (the reference) with no match: a miss.
    Missed,
    /// In A with no match: a false positive.
    Extra,
}

impl OverlayStatus {
    fn colour(self) -> RGBColor {
        match self {
            OverlayStatus::Matched => PALETTE[2],
            OverlayStatus::ClassDisagrees => PALETTE[3],
            OverlayStatus::Missed => PALETTE[1],
            OverlayStatus::Extra => PALETTE[5],
        }
    }

    fn describe(self) -> &'static str {
        match self {
            OverlayStatus::Matched => "matched",
            OverlayStatus::ClassDisagrees => "matched, class differs (×)",
            OverlayStatus::Missed => "in B only (missed)",
            OverlayStatus::Extra => "in A only (false positive)",
        }
    }
}

/// One outline (a single vertex for a point annotation).
#[derive(Debug, Clone, PartialEq)]
pub struct OverlayShape {
    pub outline: Vec<[f64; 2]>,
    /// Whether it is A's outline (drawn thin) rather than B's (drawn thick).
    pub from_a: bool,
    pub status: OverlayStatus,
}

/// A FOV overlay; coordinates are image pixels, y down.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlay {
    pub title: String,
    /// The extent drawn.
    pub extent: BoundingBox,
    /// An RGB image whose pixel (x, y) covers `[x, x+1] × [y, y+1]`.
    pub image: Option<RgbImage>,
    pub region: Option<BoundingBox>,
    pub shapes: Vec<OverlayShape>,
}

/// A chart over an image's pixels (y down) with its title and integer pixel axes.
pub(super) fn pixel_axes<'a, DB: DrawingBackend>(
    body: &'a DrawingArea<DB, Shift>,
    title: &str,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
) -> Result<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>, PlotError> {
    let mut chart = ChartBuilder::on(body)
        .caption(title, (FONT, TITLE_SIZE - 4))
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(64)
        .build_cartesian_2d(x, y.end..y.start)
        .map_err(failed)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("x (px)")
        .y_desc("y (px)")
        .axis_desc_style((FONT, TICK_SIZE))
        .label_style((FONT, TICK_SIZE - 2))
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .draw()
        .map_err(failed)?;
    Ok(chart)
}

impl Chart for Overlay {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let e = self.extent;
        let (body, legend) = area.split_vertically(area.dim_in_pixel().1 as i32 - 84);
        let mut chart = pixel_axes(&body, &self.title, e.xmin..e.xmax, e.ymin..e.ymax)?;
        let canvas = RGBColor(236, 236, 236);
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(e.xmin, e.ymin), (e.xmax, e.ymax)],
                canvas.filled(),
            )))
            .map_err(failed)?;
        if let Some((width, height, pixels)) = &self.image {
            let cells = (0..*height).flat_map(|y| (0..*width).map(move |x| (x, y)));
            chart
                .draw_series(cells.filter_map(|(x, y)| {
                    let i = (y as usize * *width as usize + x as usize) * 3;
                    let p = pixels.get(i..i + 3)?;
                    let (x, y) = (f64::from(x), f64::from(y));
                    Some(Rectangle::new(
                        [(x, y), (x + 1.0, y + 1.0)],
                        RGBColor(p[0], p[1], p[2]).filled(),
                    ))
                }))
                .map_err(failed)?;
        }
        if let Some(r) = self.region {
            let corners = [
                (r.xmin, r.ymin),
                (r.xmax, r.ymin),
                (r.xmax, r.ymax),
                (r.xmin, r.ymax),
                (r.xmin, r.ymin),
            ];
            chart
                .draw_series(DashedLineSeries::new(corners, 10, 6, BLACK.stroke_width(2)))
                .map_err(failed)?;
        }
        // B's outlines first and thick, A's over them and thin.
        let mut ordered: Vec<&OverlayShape> = self.shapes.iter().collect();
        ordered.sort_by_key(|s| s.from_a);
        for shape in ordered {
            let colour = shape.status.colour();
            let width = if shape.from_a { 1 } else { 3 };
            let mut ring: Vec<(f64, f64)> = shape.outline.iter().map(|v| (v[0], v[1])).collect();
            if ring.len() == 1 {
                chart
                    .draw_series(std::iter::once(Circle::new(ring[0], 4, colour.filled())))
                    .map_err(failed)?;
                continue;
            }
            ring.push(ring[0]);
            chart
                .draw_series(std::iter::once(PathElement::new(
                    ring.clone(),
                    colour.stroke_width(width),
                )))
                .map_err(failed)?;
            if shape.status == OverlayStatus::ClassDisagrees && !shape.from_a {
                let n = ring.len() as f64 - 1.0;
                let c = ring[..ring.len() - 1]
                    .iter()
                    .fold((0.0, 0.0), |acc, p| (acc.0 + p.0 / n, acc.1 + p.1 / n));
                chart
                    .draw_series(std::iter::once(Cross::new(c, 5, colour.stroke_width(3))))
                    .map_err(failed)?;
            }
        }
        let statuses = [
            OverlayStatus::Matched,
            OverlayStatus::ClassDisagrees,
            OverlayStatus::Missed,
            OverlayStatus::Extra,
        ];
        let style = (FONT, TICK_SIZE).into_font().color(&BLACK);
        let column = legend.dim_in_pixel().0 as i32 / 2;
        for (i, status) in statuses.iter().enumerate() {
            let x = 12 + column * (i as i32 % 2);
            let y = 8 + 26 * (i as i32 / 2);
            legend
                .draw(&Rectangle::new(
                    [(x, y + 4), (x + 26, y + 14)],
                    status.colour().filled(),
                ))
                .map_err(failed)?;
            legend
                .draw(&Text::new(status.describe(), (x + 34, y), style.clone()))
                .map_err(failed)?;
        }
        legend
            .draw(&Text::new(
                "thick: B (reference); thin: A; dashed: FOV region",
                (12, 8 + 26 * 2),
                style,
            ))
            .map_err(failed)?;
        Ok(())
    }
}
