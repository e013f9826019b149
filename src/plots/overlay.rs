//! A FOV's two sets of outlines over its image (or a neutral canvas): matched pairs, misses,
//! false positives and class disagreements in colour-blind-safe colours, the FOV region
//! dashed.

use super::size::{px, FigureSize};
use super::style::{
    failed, titled, wrap, Chart, PlotError, FONT, LINE, LINE_THIN, PALETTE, TICK_SIZE,
};
use crate::model::BoundingBox;
pub use crate::model::RgbImage;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// What happened to an outline in the matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverlayStatus {
    /// Matched, same class.
    Matched,
    /// Matched, different class at the level shown.
    ClassDisagrees,
    /// In the reference with no match: a miss.
    Missed,
    /// In the other set with no match: a false positive.
    Extra,
}

impl OverlayStatus {
    const ALL: [OverlayStatus; 4] = [
        OverlayStatus::Matched,
        OverlayStatus::ClassDisagrees,
        OverlayStatus::Missed,
        OverlayStatus::Extra,
    ];

    fn colour(self) -> RGBColor {
        match self {
            OverlayStatus::Matched => PALETTE[2],
            OverlayStatus::ClassDisagrees => PALETTE[3],
            OverlayStatus::Missed => PALETTE[1],
            OverlayStatus::Extra => PALETTE[0],
        }
    }

    /// Dash and gap in pixels: misses dashed, false positives dotted, matches solid.
    fn dashes(self) -> Option<(u32, u32)> {
        match self {
            OverlayStatus::Matched | OverlayStatus::ClassDisagrees => None,
            OverlayStatus::Missed => Some((px(3.0) as u32, px(1.5) as u32)),
            OverlayStatus::Extra => Some((px(1.0) as u32, px(1.2) as u32)),
        }
    }

    fn describe(self, names: &OverlayNames) -> String {
        match self {
            OverlayStatus::Matched => "matched, same class".into(),
            OverlayStatus::ClassDisagrees => "matched, class differs (numbered)".into(),
            OverlayStatus::Missed => format!("unmatched in the {} (dashed)", names.reference),
            OverlayStatus::Extra => format!("unmatched in the {} (dotted)", names.other),
        }
    }
}

/// What the two sets are called in the legend ("truth" and "prediction", or "B" and "A").
#[derive(Debug, Clone, PartialEq)]
pub struct OverlayNames {
    pub reference: String,
    pub other: String,
}

/// One outline (a single vertex for a point annotation).
#[derive(Debug, Clone, PartialEq)]
pub struct OverlayShape {
    pub outline: Vec<[f64; 2]>,
    /// Whether it is the other set's outline (drawn thin) rather than the reference's (thick).
    pub from_a: bool,
    pub status: OverlayStatus,
    /// The number written on a class disagreement, keyed under the figure.
    pub number: Option<usize>,
}

/// A FOV overlay; coordinates are image pixels, y down.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlay {
    pub title: String,
    pub names: OverlayNames,
    /// The extent drawn.
    pub extent: BoundingBox,
    /// An RGB image whose pixel (x, y) covers `[x, x+1] × [y, y+1]`.
    pub image: Option<RgbImage>,
    pub region: Option<BoundingBox>,
    pub shapes: Vec<OverlayShape>,
    /// A heading, then the numbered class disagreements: "1: tumor → stromal" (the
    /// reference's class, then the other's).
    pub key: Vec<String>,
}

/// A chart over an image's pixels (y down) with integer pixel axes, on an area under its
/// title (see `titled`).
pub(super) fn pixel_axes<'a, DB: DrawingBackend>(
    body: &'a DrawingArea<DB, Shift>,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
) -> Result<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>, PlotError> {
    let mut chart = ChartBuilder::on(body)
        .margin(px(4.0))
        .x_label_area_size(px(20.0))
        .y_label_area_size(px(26.0))
        .build_cartesian_2d(x, y.end..y.start)
        .map_err(failed)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("x (px)")
        .y_desc("y (px)")
        .axis_desc_style((FONT, TICK_SIZE))
        .label_style((FONT, TICK_SIZE))
        .axis_style(BLACK.stroke_width(LINE_THIN))
        .set_all_tick_mark_size(px(2.0))
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .draw()
        .map_err(failed)?;
    Ok(chart)
}

/// The legend and key under an overlay: two statuses a line, then the key's entries wrapped.
fn legend_lines(overlay: &Overlay, width: i32) -> (usize, Vec<String>) {
    let mut key = vec![format!(
        "thick: {}; thin: {}; dashed box: FOV region",
        overlay.names.reference, overlay.names.other
    )];
    if let Some((heading, entries)) = overlay.key.split_first() {
        key.push(heading.clone());
        key.extend(wrap(&entries.join("; "), width - px(8.0), TICK_SIZE));
    }
    (OverlayStatus::ALL.len(), key)
}

impl Overlay {
    /// A single column: the image square under its title, the legend and key below.
    pub fn natural_size(&self) -> FigureSize {
        let width = super::size::SINGLE_COLUMN_IN * super::size::DPI;
        let (rows, key) = legend_lines(self, width as i32);
        let aspect =
            (self.extent.ymax - self.extent.ymin) / (self.extent.xmax - self.extent.xmin).max(1.0);
        let plot = super::style::picture_height(&self.title, width, aspect);
        let legend = f64::from(px(10.0)) * (rows + key.len()) as f64 + f64::from(px(6.0));
        FigureSize::single((plot + legend) / super::size::DPI)
    }
}

impl Chart for Overlay {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let e = self.extent;
        let (width, height) = area.dim_in_pixel();
        let (rows, key) = legend_lines(self, width as i32);
        let legend_height = px(10.0) * (rows + key.len()) as i32 + px(6.0);
        let (body, legend) = area.split_vertically(height as i32 - legend_height);
        let body = titled(&body, &self.title)?;
        let mut chart = pixel_axes(&body, e.xmin..e.xmax, e.ymin..e.ymax)?;
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
                .draw_series(DashedLineSeries::new(
                    corners,
                    px(4.0) as u32,
                    px(2.5) as u32,
                    BLACK.stroke_width(LINE_THIN + 1),
                ))
                .map_err(failed)?;
        }
        // The reference's outlines first and thick, the other set's over them and thin.
        let mut ordered: Vec<&OverlayShape> = self.shapes.iter().collect();
        ordered.sort_by_key(|s| s.from_a);
        let number_style = (FONT, TICK_SIZE)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Center));
        for shape in ordered {
            let colour = shape.status.colour();
            let width = if shape.from_a { LINE_THIN + 1 } else { LINE };
            let mut ring: Vec<(f64, f64)> = shape.outline.iter().map(|v| (v[0], v[1])).collect();
            if ring.len() == 1 {
                chart
                    .draw_series(std::iter::once(Circle::new(
                        ring[0],
                        px(1.5),
                        colour.filled(),
                    )))
                    .map_err(failed)?;
                continue;
            }
            ring.push(ring[0]);
            let style = colour.stroke_width(width);
            match shape.status.dashes() {
                None => chart
                    .draw_series(std::iter::once(PathElement::new(ring.clone(), style)))
                    .map(|_| ()),
                Some((dash, gap)) => chart
                    .draw_series(DashedLineSeries::new(ring.clone(), dash, gap, style))
                    .map(|_| ()),
            }
            .map_err(failed)?;
            if let Some(number) = shape.number.filter(|_| !shape.from_a) {
                let n = ring.len() as f64 - 1.0;
                let c = ring[..ring.len() - 1]
                    .iter()
                    .fold((0.0, 0.0), |acc, p| (acc.0 + p.0 / n, acc.1 + p.1 / n));
                let label = number.to_string();
                chart
                    .draw_series(std::iter::once(
                        EmptyElement::at(c)
                            + Rectangle::new(
                                [
                                    (-px(1.2) - px(2.0) * label.len() as i32, -px(4.0)),
                                    (px(1.2) + px(2.0) * label.len() as i32, px(4.0)),
                                ],
                                WHITE.mix(0.8).filled(),
                            )
                            + Text::new(label, (0, 0), number_style.clone()),
                    ))
                    .map_err(failed)?;
            }
        }
        let style = (FONT, TICK_SIZE)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        for (i, status) in OverlayStatus::ALL.iter().enumerate() {
            let x = px(4.0);
            let y = px(6.0) + px(10.0) * i as i32;
            let sample = vec![(x, y), (x + px(12.0), y)];
            let line = status.colour().stroke_width(LINE);
            match status.dashes() {
                None => legend.draw(&PathElement::new(sample, line)).map(|_| ()),
                Some((dash, gap)) => legend
                    .draw(&DashedPathElement::new(sample, dash, gap, line))
                    .map(|_| ()),
            }
            .map_err(failed)?;
            legend
                .draw(&Text::new(
                    status.describe(&self.names),
                    (x + px(15.0), y),
                    style.clone(),
                ))
                .map_err(failed)?;
        }
        for (i, line) in key.into_iter().enumerate() {
            let y = px(6.0) + px(10.0) * (rows + i) as i32;
            legend
                .draw(&Text::new(line, (px(4.0), y), style.clone()))
                .map_err(failed)?;
        }
        Ok(())
    }
}
