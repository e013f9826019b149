//! The area two sets of outlines cover, and cover together: the binary masks' areas and their
//! intersection, exact in continuous geometry (outlines of one set that overlap each other
//! count once, as on a mask).
//!
//! ```
//! use nucagree::geometry::coverage::coverage;
//! use nucagree::model::{BoundingBox, Shape};
//! let square = |x: f64| Shape::Box(BoundingBox { xmin: x, ymin: 0.0, xmax: x + 10.0, ymax: 10.0 });
//! // Two truth boxes overlapping by half; one prediction over the second.
//! let covered = coverage(&[square(0.0), square(5.0)], &[square(5.0)]);
//! assert_eq!(covered.truth, 150.0);
//! assert_eq!(covered.pred, 100.0);
//! assert_eq!(covered.both, 100.0);
//! ```

use super::clip::counter_clockwise;
use super::PreparedShape;
use crate::model::Shape;
use geo::{Area, BooleanOps, Coord, LineString, MultiPolygon, Polygon};

/// Areas covered by each set and by both.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Coverage {
    pub truth: f64,
    pub pred: f64,
    pub both: f64,
}

/// The region a set of shapes covers (points cover nothing; a self-intersecting outline
/// covers its box, as everywhere in nucagree's geometry).
fn covered(shapes: &[Shape]) -> MultiPolygon<f64> {
    let ring = |vertices: &[[f64; 2]]| -> LineString<f64> {
        counter_clockwise(vertices)
            .iter()
            .map(|v| Coord { x: v[0], y: v[1] })
            .collect()
    };
    // geo's union fills by winding: outer rings one way, holes the other.
    let hole = |vertices: &[[f64; 2]]| -> LineString<f64> {
        let mut ring = ring(vertices);
        ring.0.reverse();
        ring
    };
    let polygons: Vec<Polygon<f64>> = shapes
        .iter()
        .flat_map(|shape| -> Vec<Polygon<f64>> {
            let replaced = || PreparedShape::new(shape).replaced_by_box;
            match shape {
                Shape::Point(_) => Vec::new(),
                Shape::Polygon(_) | Shape::Pieces(_) if replaced() => {
                    vec![Polygon::new(
                        ring(&shape.bounding_box().corners()),
                        Vec::new(),
                    )]
                }
                Shape::Box(b) => vec![Polygon::new(ring(&b.corners()), Vec::new())],
                Shape::Polygon(vertices) => vec![Polygon::new(ring(vertices), Vec::new())],
                Shape::Pieces(pieces) => pieces
                    .iter()
                    .map(|p| {
                        Polygon::new(ring(&p.outer), p.holes.iter().map(|h| hole(h)).collect())
                    })
                    .collect(),
            }
        })
        .collect();
    geo::unary_union(&polygons)
}

/// The areas `truth` and `pred` cover, and cover together.
pub fn coverage(truth: &[Shape], pred: &[Shape]) -> Coverage {
    let (t, p) = (covered(truth), covered(pred));
    let both = if t.0.is_empty() || p.0.is_empty() {
        0.0
    } else {
        t.intersection(&p).unsigned_area()
    };
    Coverage {
        truth: t.unsigned_area(),
        pred: p.unsigned_area(),
        both,
    }
}
