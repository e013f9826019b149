//! Intersection over union of nucleus outlines, exact in continuous geometry.
//!
//! - Two boxes: closed form.
//! - At least one convex outline (a box counts): Sutherland-Hodgman clipping by the convex
//!   one ([`clip`]).
//! - Two concave outlines, one of them star-shaped about its vertex mean (as nucleus outlines
//!   mostly are): the star is tiled by a fan of triangles from that point and the other outline
//!   clipped by each ([`clip::star_intersection_area`]), exact and 2-4 times faster than
//!   boolean operations.
//! - Otherwise, for outlines of several pieces or with holes, and for pairs of very large
//!   outlines (clipping costs the product of their vertex counts: past 2^18, two outlines of
//!   500 vertices): geo's boolean operations (i_overlay, a sweep of about (n + m) log(n + m),
//!   which snaps to a fine grid: good to about 1e-9 relative).
//!
//! Both outlines are first translated to a local origin so that whole-slide coordinates keep
//! their precision.
//!
//! A cheap upper bound (the boxes' overlap, and the smaller area) rules out most pairs before
//! any clipping: [`iou_at_least`] returns `None` for a pair that cannot reach the threshold.
//! Points have no area and match nothing by IoU. A self-intersecting outline (which annotation
//! tools should not produce, and whose area is ambiguous) is replaced by its bounding box; the
//! reader counts such outlines among the data-quality findings.
//!
//! ```
//! use nucagree::geometry::{iou, IouOptions, PreparedShape};
//! use nucagree::model::{BoundingBox, Shape};
//!
//! let a = PreparedShape::new(&Shape::Box(BoundingBox { xmin: 0.0, ymin: 0.0, xmax: 10.0, ymax: 10.0 }));
//! let b = PreparedShape::new(&Shape::Box(BoundingBox { xmin: 5.0, ymin: 0.0, xmax: 15.0, ymax: 10.0 }));
//! assert_eq!(iou(&a, &b, &IouOptions::default()), 1.0 / 3.0);
//! ```

pub mod candidates;
pub mod clip;
pub mod consensus;
pub mod contour;
pub mod coverage;
pub mod hausdorff;
pub mod index;
pub mod intersection;
pub mod raster;
pub mod ring;
pub mod roi;
pub mod run_length;
pub mod slabs;

use crate::model::{BoundingBox, Piece, Shape};
pub use intersection::intersection_area;
use intersection::outline_intersection;
use ring::ring_self_intersects;
use serde::Serialize;

/// Which outline IoU is computed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IouShape {
    /// By what each nucleus is: two outlines by their outlines' IoU; when either is a box
    /// (NuCLS's `rectangle`), by the boxes' IoU (the outline's bounding box against the
    /// rectangle), as the NuCLS evaluation compares nuclei. Segmentation figures are then
    /// taken over the pairs of two outlines only.
    #[default]
    Auto,
    /// The drawn outline: polygons as polygons, boxes as boxes (a polygon against a box by
    /// their outlines).
    Polygon,
    /// Each nucleus's bounding box (as the NuCLS analysis code compares nuclei).
    Box,
}

impl IouShape {
    /// What IoU is taken of, for sentences ("IoU of …").
    pub fn describe(self) -> &'static str {
        match self {
            IouShape::Auto => "outlines, or boxes where either nucleus is drawn as a box",
            IouShape::Polygon => "polygon outlines",
            IouShape::Box => "bounding boxes",
        }
    }
}

crate::choices!(IouShape {
    Auto => "auto",
    Polygon => "polygon",
    Box => "box",
});

/// How box areas count pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PixelConvention {
    /// Continuous geometry: a box from 0 to 10 has width 10.
    #[default]
    Continuous,
    /// Inclusive pixel counts, (x2 - x1 + 1)(y2 - y1 + 1), as the NuCLS code counts pixels.
    /// Only with [`IouShape::Box`].
    Inclusive,
}

crate::choices!(PixelConvention {
    Continuous => "continuous",
    Inclusive => "inclusive",
});

/// How IoU is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(try_from = "IouOptionsFields")]
pub struct IouOptions {
    shape: IouShape,
    pixels: PixelConvention,
}

/// [`IouOptions`] as read, validated by [`IouOptions::new`].
#[derive(serde::Deserialize)]
struct IouOptionsFields {
    shape: IouShape,
    pixels: PixelConvention,
}

impl TryFrom<IouOptionsFields> for IouOptions {
    type Error = InclusiveNeedsBoxes;

    fn try_from(fields: IouOptionsFields) -> Result<IouOptions, InclusiveNeedsBoxes> {
        IouOptions::new(fields.shape, fields.pixels)
    }
}

/// Options that do not go together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the inclusive pixel convention counts box pixels: it needs box IoU")]
pub struct InclusiveNeedsBoxes;

impl IouOptions {
    pub fn new(
        shape: IouShape,
        pixels: PixelConvention,
    ) -> Result<IouOptions, InclusiveNeedsBoxes> {
        if pixels == PixelConvention::Inclusive && shape != IouShape::Box {
            return Err(InclusiveNeedsBoxes);
        }
        Ok(IouOptions { shape, pixels })
    }

    pub fn shape(&self) -> IouShape {
        self.shape
    }

    pub fn pixels(&self) -> PixelConvention {
        self.pixels
    }
}

/// What an outline is, for IoU.
#[derive(Debug, Clone, PartialEq)]
enum Outline {
    Point,
    Box,
    /// Counter-clockwise ring, and whether it is convex.
    Ring {
        vertices: Vec<[f64; 2]>,
        convex: bool,
    },
    /// Several pieces, or holes.
    Pieces(Vec<Piece>),
}

/// An outline made ready for many IoU computations: bounding box, area, orientation and
/// convexity computed once.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedShape {
    outline: Outline,
    pub bbox: BoundingBox,
    pub area: f64,
    /// Whether a self-intersecting outline was replaced by its bounding box.
    pub replaced_by_box: bool,
}

impl PreparedShape {
    pub fn new(shape: &Shape) -> PreparedShape {
        let bbox = shape.bounding_box();
        match shape {
            Shape::Point(_) => PreparedShape {
                outline: Outline::Point,
                bbox,
                area: 0.0,
                replaced_by_box: false,
            },
            Shape::Box(b) => PreparedShape {
                outline: Outline::Box,
                bbox,
                area: b.area(),
                replaced_by_box: false,
            },
            Shape::Pieces(pieces) => {
                let rings = || {
                    pieces
                        .iter()
                        .flat_map(|p| std::iter::once(&p.outer).chain(&p.holes))
                };
                if rings().any(|r| !ring::is_convex(r) && ring_self_intersects(r)) {
                    return PreparedShape {
                        outline: Outline::Box,
                        bbox,
                        area: bbox.area(),
                        replaced_by_box: true,
                    };
                }
                PreparedShape {
                    outline: Outline::Pieces(pieces.clone()),
                    bbox,
                    area: shape.area(),
                    replaced_by_box: false,
                }
            }
            Shape::Polygon(vertices) => {
                // A convex ring cannot cross itself: the quadratic check only for the rest.
                let convex = ring::is_convex(vertices);
                if !convex && ring_self_intersects(vertices) {
                    return PreparedShape {
                        outline: Outline::Box,
                        bbox,
                        area: bbox.area(),
                        replaced_by_box: true,
                    };
                }
                let vertices = clip::counter_clockwise(vertices);
                let area = shape.area();
                PreparedShape {
                    outline: Outline::Ring { vertices, convex },
                    bbox,
                    area,
                    replaced_by_box: false,
                }
            }
        }
    }

    /// The outline as `options` compare it: its box under [`IouShape::Box`].
    pub fn for_iou(shape: &Shape, options: &IouOptions) -> PreparedShape {
        let prepared = PreparedShape::new(shape);
        if options.shape() == IouShape::Box {
            prepared.as_box()
        } else {
            prepared
        }
    }

    /// The outline's box, prepared for box IoU.
    pub fn as_box(&self) -> PreparedShape {
        match self.outline {
            Outline::Point => self.clone(),
            _ => PreparedShape {
                outline: Outline::Box,
                bbox: self.bbox,
                area: self.bbox.area(),
                replaced_by_box: false,
            },
        }
    }

    pub fn is_point(&self) -> bool {
        self.outline == Outline::Point
    }

    /// Whether the outline is its bounding box: a box, an outline replaced by its box, or a
    /// ring of the box's four corners (a rectangle written as a polygon).
    pub fn is_box(&self) -> bool {
        match &self.outline {
            Outline::Box => true,
            Outline::Ring { vertices, .. } => {
                let corners = self.bbox.corners();
                // Every corner once (a bow tie of them was replaced by its box already).
                vertices.len() == 4 && corners.iter().all(|c| vertices.contains(c))
            }
            _ => false,
        }
    }

    /// The outline's rings (outer rings and holes; a box's corners; none for a point), for
    /// even-odd fills.
    pub fn rings(&self) -> Vec<Vec<[f64; 2]>> {
        match &self.outline {
            Outline::Point => Vec::new(),
            Outline::Box => vec![self.bbox.corners().to_vec()],
            Outline::Ring { vertices, .. } => vec![vertices.clone()],
            Outline::Pieces(pieces) => pieces
                .iter()
                .flat_map(|p| std::iter::once(p.outer.clone()).chain(p.holes.iter().cloned()))
                .collect(),
        }
    }
}

/// IoU of two prepared outlines under `options`; 0 for points and for disjoint outlines.
pub fn iou(a: &PreparedShape, b: &PreparedShape, options: &IouOptions) -> f64 {
    iou_at_least(a, b, options, 0.0).unwrap_or(0.0)
}

/// IoU when it can reach `threshold`; `None` when a cheap bound shows it cannot (or when
/// either is a point). With `threshold` 0, `None` only for points.
pub fn iou_at_least(
    a: &PreparedShape,
    b: &PreparedShape,
    options: &IouOptions,
    threshold: f64,
) -> Option<f64> {
    if a.is_point() || b.is_point() {
        return None;
    }
    let boxes = match options.shape {
        IouShape::Box => true,
        IouShape::Auto => a.outline == Outline::Box || b.outline == Outline::Box,
        IouShape::Polygon => a.outline == Outline::Box && b.outline == Outline::Box,
    };
    if boxes {
        let value = box_iou(&a.bbox, &b.bbox, options.pixels);
        return (value >= threshold).then_some(value);
    }
    // The same outline twice: exactly 1, whatever rounding the clipping would add (so that a
    // set compared with itself at --iou-threshold 1 matches every nucleus).
    if a.bbox == b.bbox && a.outline == b.outline {
        return Some(1.0);
    }
    let overlap_w = a.bbox.xmax.min(b.bbox.xmax) - a.bbox.xmin.max(b.bbox.xmin);
    let overlap_h = a.bbox.ymax.min(b.bbox.ymax) - a.bbox.ymin.max(b.bbox.ymin);
    if overlap_w <= 0.0 || overlap_h <= 0.0 {
        return (threshold <= 0.0).then_some(0.0);
    }
    let most = (overlap_w * overlap_h).min(a.area).min(b.area);
    if most / (a.area + b.area - most) < threshold {
        return None;
    }
    iou_of(a, b, outline_intersection(a, b), threshold)
}

/// IoU from the intersection's area, when it reaches `threshold`.
fn iou_of(a: &PreparedShape, b: &PreparedShape, intersection: f64, threshold: f64) -> Option<f64> {
    let union = a.area + b.area - intersection;
    let value = if union > 0.0 {
        (intersection / union).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (value >= threshold).then_some(value)
}

/// IoU of two boxes; 0 when their union has no area.
pub fn box_iou(a: &BoundingBox, b: &BoundingBox, pixels: PixelConvention) -> f64 {
    let extra = match pixels {
        PixelConvention::Continuous => 0.0,
        PixelConvention::Inclusive => 1.0,
    };
    let w = (a.xmax.min(b.xmax) - a.xmin.max(b.xmin) + extra).max(0.0);
    let h = (a.ymax.min(b.ymax) - a.ymin.max(b.ymin) + extra).max(0.0);
    let intersection = w * h;
    let area = |r: &BoundingBox| (r.width() + extra) * (r.height() + extra);
    let union = area(a) + area(b) - intersection;
    if union > 0.0 {
        (intersection / union).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::intersection::{to_geo, CLIPPING_LIMIT};
    use super::ring::star_center;
    use super::*;
    use geo::{Area, BooleanOps};

    fn polygon(vertices: &[[f64; 2]]) -> PreparedShape {
        PreparedShape::new(&Shape::polygon(vertices.to_vec()).unwrap().0)
    }

    fn rect(xmin: f64, ymin: f64, xmax: f64, ymax: f64) -> PreparedShape {
        PreparedShape::new(&Shape::Box(BoundingBox {
            xmin,
            ymin,
            xmax,
            ymax,
        }))
    }

    #[test]
    fn star_fans_agree_with_geo_on_concave_pairs() {
        let mut state = 11u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) % 1000) as f64 / 1000.0
        };
        let mut star = |cx: f64, cy: f64, n: usize| -> Vec<[f64; 2]> {
            (0..n)
                .map(|i| {
                    let angle = std::f64::consts::TAU * (i as f64 + 0.4 * next()) / n as f64;
                    let radius = 6.0 + 6.0 * next();
                    [cx + radius * angle.cos(), cy + radius * angle.sin()]
                })
                .collect()
        };
        let mut fans = 0;
        for k in 0..400 {
            let offset = 1e5 * (k % 2) as f64;
            let a = counter_clockwise_ring(star(offset + 20.0, 20.0, 12 + k % 25));
            let shift = 4.0 * (k % 7) as f64 / 7.0;
            let b = counter_clockwise_ring(star(offset + 21.0 + shift, 19.0, 10 + k % 31));
            if ring::is_convex(&a) || ring::is_convex(&b) {
                continue;
            }
            let local = |r: &[[f64; 2]]| -> Vec<[f64; 2]> {
                r.iter().map(|v| [v[0] - offset, v[1]]).collect()
            };
            let (la, lb) = (local(&a), local(&b));
            let Some(center) = star_center(&lb) else {
                continue;
            };
            fans += 1;
            let by_fan = clip::star_intersection_area(&la, &lb, center);
            // geo snaps coordinates to a grid (agreement to about 1e-9, as for the convex
            // path); the fan of the other outline is an independent exact decomposition.
            let by_geo = to_geo(&la).intersection(&to_geo(&lb)).unsigned_area();
            assert!(
                (by_fan - by_geo).abs() <= 1e-7 * by_geo.max(1.0),
                "{by_fan} {by_geo}"
            );
            if let Some(other) = star_center(&la) {
                let by_other_fan = clip::star_intersection_area(&lb, &la, other);
                assert!((by_fan - by_other_fan).abs() <= 1e-10 * by_fan.max(1.0));
            }
        }
        assert!(fans > 200, "{fans}");
    }

    fn counter_clockwise_ring(ring: Vec<[f64; 2]>) -> Vec<[f64; 2]> {
        clip::counter_clockwise(&ring)
    }

    #[test]
    fn squares_triangles_and_concave_shapes() {
        let options = IouOptions::new(IouShape::Polygon, PixelConvention::Continuous).unwrap();
        let square = polygon(&[[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]]);
        assert_eq!(square.area, 100.0);
        assert_eq!(iou(&square, &square, &options), 1.0);
        // A triangle that is half of the square: IoU 50 / 100.
        let triangle = polygon(&[[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]]);
        assert_eq!(iou(&square, &triangle, &options), 0.5);
        // An L (area 300 of a 20x20 frame) against the box of its corner square (100): 100/300.
        let l = polygon(&[
            [0.0, 0.0],
            [20.0, 0.0],
            [20.0, 10.0],
            [10.0, 10.0],
            [10.0, 20.0],
            [0.0, 20.0],
        ]);
        let corner = rect(0.0, 0.0, 10.0, 10.0);
        assert!((iou(&l, &corner, &options) - 1.0 / 3.0).abs() < 1e-12);
        // By shape (the default), an outline against a box compares their boxes: 100 / 400.
        let auto = IouOptions::default();
        assert_eq!(auto.shape(), IouShape::Auto);
        assert_eq!(iou(&l, &corner, &auto), 0.25);
        assert_eq!(iou(&square, &triangle, &auto), 0.5);
        // The L against the square over its notch: intersection 0, union 400.
        let notch = rect(10.0, 10.0, 20.0, 20.0);
        assert_eq!(iou(&l, &notch, &options), 0.0);
        // Box mode compares the L's bounding box.
        let boxes = IouOptions::new(IouShape::Box, PixelConvention::Continuous).unwrap();
        assert_eq!(iou(&l, &notch, &boxes), 0.25);
    }

    #[test]
    fn inclusive_pixels_count_both_ends() {
        let a = BoundingBox {
            xmin: 0.0,
            ymin: 0.0,
            xmax: 9.0,
            ymax: 9.0,
        };
        let b = BoundingBox {
            xmin: 5.0,
            ymin: 0.0,
            xmax: 14.0,
            ymax: 9.0,
        };
        // 10x10 pixels each, overlapping in 5x10: 50 / 150.
        assert!((box_iou(&a, &b, PixelConvention::Inclusive) - 1.0 / 3.0).abs() < 1e-15);
        assert_eq!(box_iou(&a, &b, PixelConvention::Continuous), 36.0 / 126.0);
        assert_eq!(
            IouOptions::new(IouShape::Polygon, PixelConvention::Inclusive),
            Err(InclusiveNeedsBoxes)
        );
    }

    #[test]
    fn points_match_nothing_and_bowties_become_boxes() {
        let point = PreparedShape::new(&Shape::Point([1.0, 1.0]));
        let square = rect(0.0, 0.0, 2.0, 2.0);
        assert_eq!(iou(&point, &square, &IouOptions::default()), 0.0);
        assert_eq!(iou(&point, &point, &IouOptions::default()), 0.0);
        let bowtie = PreparedShape::new(
            &Shape::polygon(vec![[0.0, 0.0], [2.0, 2.0], [2.0, 0.0], [0.0, 2.0]])
                .unwrap()
                .0,
        );
        assert!(bowtie.replaced_by_box);
        assert_eq!(iou(&bowtie, &square, &IouOptions::default()), 1.0);
    }

    #[test]
    fn whole_slide_coordinates_keep_their_precision() {
        let options = IouOptions::default();
        let shift =
            |v: &[[f64; 2]], d: f64| v.iter().map(|p| [p[0] + d, p[1] + d]).collect::<Vec<_>>();
        let star: Vec<[f64; 2]> = (0..12)
            .map(|k| {
                let t = std::f64::consts::TAU * k as f64 / 12.0;
                let r = if k % 2 == 0 { 10.0 } else { 6.0 };
                [r * t.cos(), r * t.sin()]
            })
            .collect();
        let other = shift(&star, 2.5);
        let near = iou(&polygon(&star), &polygon(&other), &options);
        let far = iou(
            &polygon(&shift(&star, 1e6)),
            &polygon(&shift(&other, 1e6)),
            &options,
        );
        assert!(near > 0.3 && near < 1.0);
        assert!((near - far).abs() < 1e-9, "{near} {far}");
    }

    #[test]
    fn clipping_by_a_convex_outline_agrees_with_geo_on_concave_subjects() {
        let mut state = 99u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for _ in 0..300 {
            let n = 5 + (next() * 20.0) as usize;
            let (cx, cy) = (next() * 10.0, next() * 10.0);
            let star: Vec<[f64; 2]> = (0..n)
                .map(|k| {
                    let t = std::f64::consts::TAU * k as f64 / n as f64;
                    let r = 3.0 + 9.0 * next();
                    [cx + r * t.cos(), cy + r * t.sin()]
                })
                .collect();
            let subject = clip::counter_clockwise(&star);
            let phase = next();
            let hexagon: Vec<[f64; 2]> = (0..6)
                .map(|k| {
                    let t = std::f64::consts::TAU * k as f64 / 6.0 + phase;
                    [5.0 + 8.0 * t.cos(), 5.0 + 8.0 * t.sin()]
                })
                .collect();
            let clipped = clip::convex_intersection_area(&subject, &hexagon);
            let reference = to_geo(&subject)
                .intersection(&to_geo(&hexagon))
                .unsigned_area();
            // i_overlay snaps coordinates to an integer grid, so geo agrees to about 1e-9
            // relative; clipping has no such snapping.
            assert!(
                (clipped - reference).abs() < 1e-7 * reference.max(1.0),
                "{clipped} {reference}"
            );
        }
    }

    #[test]
    fn the_bound_rules_out_pairs_below_the_threshold_only() {
        let a = rect(0.0, 0.0, 10.0, 10.0);
        let b = polygon(&[
            [8.0, 0.0],
            [18.0, 0.0],
            [18.0, 10.0],
            [8.0, 10.0],
            [13.0, 5.0],
        ]);
        let exact = iou(&a, &b, &IouOptions::default());
        assert!(exact > 0.0);
        assert_eq!(
            iou_at_least(&a, &b, &IouOptions::default(), exact),
            Some(exact)
        );
        assert_eq!(iou_at_least(&a, &b, &IouOptions::default(), 0.5), None);
    }

    #[test]
    fn pieces_count_every_piece_and_leave_holes_out() {
        use crate::model::Piece;
        let square = |x: f64, y: f64, side: f64| {
            vec![[x, y], [x + side, y], [x + side, y + side], [x, y + side]]
        };
        // A 4 x 4 square with a 2 x 2 hole, and a 2 x 2 square beside it: area 16.
        let (shape, _) = Shape::pieces(vec![
            Piece {
                outer: square(0.0, 0.0, 4.0),
                holes: vec![square(1.0, 1.0, 2.0)],
            },
            Piece {
                outer: square(6.0, 0.0, 2.0),
                holes: vec![],
            },
        ])
        .unwrap();
        let pieces = PreparedShape::new(&shape);
        assert_eq!(pieces.area, 16.0);
        let outlines = IouOptions::new(IouShape::Polygon, PixelConvention::Continuous).unwrap();
        // Inside a box of 32: 16 / 32.
        let around = rect(0.0, 0.0, 8.0, 4.0);
        assert!((iou(&pieces, &around, &outlines) - 0.5).abs() < 1e-12);
        // The hole itself: nothing shared.
        assert_eq!(
            iou(&pieces, &polygon(&square(1.0, 1.0, 2.0)), &outlines),
            0.0
        );
        // The left half: 8 less the hole's half, 6, over 16 + 8 - 6.
        let left = rect(0.0, 0.0, 2.0, 4.0);
        assert!((iou(&left, &pieces, &outlines) - 6.0 / 18.0).abs() < 1e-12);
        // Against itself, exactly 1.
        assert_eq!(iou(&pieces, &pieces.clone(), &outlines), 1.0);
    }

    /// Past the clipping limit, geo's sweep gives what clipping gives, to 1e-9.
    #[test]
    fn large_outlines_are_intersected_by_a_sweep_to_the_same_area() {
        let wavy = |n: usize, dx: f64| -> Vec<[f64; 2]> {
            (0..n)
                .map(|k| {
                    let t = std::f64::consts::TAU * k as f64 / n as f64;
                    let r = 100.0 * (1.0 + 0.05 * (7.0 * t).sin());
                    [dx + r * t.cos(), r * t.sin()]
                })
                .collect()
        };
        let (a, b) = (wavy(2_000, 0.0), wavy(3_000, 30.0));
        assert!(a.len() * b.len() > CLIPPING_LIMIT);
        let (pa, pb) = (polygon(&a), polygon(&b));
        assert!(!matches!(pa.outline, Outline::Ring { convex: true, .. }));
        let swept = iou(&pa, &pb, &IouOptions::default());
        let star = star_center(&a).unwrap();
        let clipped = clip::star_intersection_area(
            &clip::counter_clockwise(&b),
            &clip::counter_clockwise(&a),
            star,
        );
        let expected = clipped / (pa.area + pb.area - clipped);
        assert!((swept - expected).abs() < 1e-9, "{swept} {expected}");
        assert!(swept > 0.5 && swept < 0.8);
    }
}
