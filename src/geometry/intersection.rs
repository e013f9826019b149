//! The area two prepared outlines share, exact in continuous geometry: by Sutherland-Hodgman
//! clipping where one outline is convex, by a fan of convex triangles where one is
//! star-shaped, and by geo's boolean operations otherwise (and for outlines of several pieces,
//! or of many vertices).

use super::ring::star_center;
use super::{clip, Outline, PreparedShape};
use geo::{Area, BooleanOps, Coord, LineString, MultiPolygon, Polygon};

/// The area two outlines share, exact in continuous geometry (points share nothing; a box is
/// its rectangle).
///
/// ```
/// use nucagree::geometry::{intersection_area, PreparedShape};
/// use nucagree::model::{BoundingBox, Shape};
/// let square = PreparedShape::new(&Shape::Box(BoundingBox { xmin: 0.0, ymin: 0.0, xmax: 4.0, ymax: 4.0 }));
/// let triangle = PreparedShape::new(&Shape::Polygon(vec![[2.0, 0.0], [6.0, 0.0], [2.0, 4.0]]));
/// assert_eq!(intersection_area(&square, &triangle), 6.0);
/// ```
pub fn intersection_area(a: &PreparedShape, b: &PreparedShape) -> f64 {
    if a.is_point() || b.is_point() {
        return 0.0;
    }
    let overlap_w = a.bbox.xmax.min(b.bbox.xmax) - a.bbox.xmin.max(b.bbox.xmin);
    let overlap_h = a.bbox.ymax.min(b.bbox.ymax) - a.bbox.ymin.max(b.bbox.ymin);
    if overlap_w <= 0.0 || overlap_h <= 0.0 {
        return 0.0;
    }
    if a.outline == Outline::Box && b.outline == Outline::Box {
        return overlap_w * overlap_h;
    }
    if a.bbox == b.bbox && a.outline == b.outline {
        return a.area;
    }
    outline_intersection(a, b)
}

/// The intersection's area of two outlines whose boxes overlap, by clipping (or geo's boolean
/// operations where clipping would be slow or cannot hold the pieces).
pub(super) fn outline_intersection(a: &PreparedShape, b: &PreparedShape) -> f64 {
    let origin = [a.bbox.xmin.min(b.bbox.xmin), a.bbox.ymin.min(b.bbox.ymin)];
    let local = |p: &PreparedShape| -> Vec<[f64; 2]> {
        match &p.outline {
            Outline::Ring { vertices, .. } => vertices
                .iter()
                .map(|v| [v[0] - origin[0], v[1] - origin[1]])
                .collect(),
            _ => p
                .bbox
                .corners()
                .iter()
                .map(|v| [v[0] - origin[0], v[1] - origin[1]])
                .collect(),
        }
    };
    // Clipping costs the product of the two vertex counts: past a quarter million (two
    // outlines of 500 vertices), geo's sweep, about (n + m) log(n + m), is the faster.
    let vertex_count = |p: &PreparedShape| match &p.outline {
        Outline::Ring { vertices, .. } => vertices.len(),
        Outline::Pieces(pieces) => pieces
            .iter()
            .flat_map(|p| std::iter::once(&p.outer).chain(&p.holes))
            .map(Vec::len)
            .sum(),
        Outline::Box | Outline::Point => 4,
    };
    let pieces = matches!(a.outline, Outline::Pieces(_)) || matches!(b.outline, Outline::Pieces(_));
    if pieces || vertex_count(a) * vertex_count(b) > CLIPPING_LIMIT {
        return local_pieces(a, origin)
            .intersection(&local_pieces(b, origin))
            .unsigned_area();
    }
    let convex = |p: &PreparedShape| match &p.outline {
        Outline::Ring { convex, .. } => *convex,
        _ => true,
    };
    let (ring_a, ring_b) = (local(a), local(b));
    // Sutherland-Hodgman is exact whenever the clipping outline is convex (a concave subject
    // leaves zero-area bridges along the clip edges, which add nothing to the area).
    // Two concave outlines: when one is star-shaped (as nuclei mostly are), a fan of convex
    // triangles tiles it and Sutherland-Hodgman clips each; else geo's boolean operations.
    if convex(b) {
        clip::convex_intersection_area(&ring_a, &ring_b)
    } else if convex(a) {
        clip::convex_intersection_area(&ring_b, &ring_a)
    } else if let Some(center) = star_center(&ring_b) {
        clip::star_intersection_area(&ring_a, &ring_b, center)
    } else if let Some(center) = star_center(&ring_a) {
        clip::star_intersection_area(&ring_b, &ring_a, center)
    } else {
        to_geo(&ring_a)
            .intersection(&to_geo(&ring_b))
            .unsigned_area()
    }
}

/// The product of two outlines' vertex counts past which their intersection is taken by
/// geo's boolean operations rather than clipping.
pub(super) const CLIPPING_LIMIT: usize = 1 << 18;

pub(super) fn to_geo(ring: &[[f64; 2]]) -> Polygon<f64> {
    let coords: Vec<Coord<f64>> = ring.iter().map(|v| Coord { x: v[0], y: v[1] }).collect();
    Polygon::new(LineString::new(coords), Vec::new())
}

/// Any outline as geo's polygons (outer rings counter-clockwise, holes clockwise),
/// translated by `-origin`.
fn local_pieces(p: &PreparedShape, origin: [f64; 2]) -> MultiPolygon<f64> {
    let local = |ring: &[[f64; 2]]| -> LineString<f64> {
        clip::counter_clockwise(ring)
            .iter()
            .map(|v| Coord {
                x: v[0] - origin[0],
                y: v[1] - origin[1],
            })
            .collect()
    };
    let hole = |ring: &[[f64; 2]]| -> LineString<f64> {
        let mut ring = local(ring);
        ring.0.reverse();
        ring
    };
    let polygons = match &p.outline {
        Outline::Pieces(pieces) => pieces
            .iter()
            .map(|piece| {
                let holes = piece.holes.iter().map(|h| hole(h)).collect();
                Polygon::new(local(&piece.outer), holes)
            })
            .collect(),
        Outline::Ring { vertices, .. } => vec![Polygon::new(local(vertices), Vec::new())],
        Outline::Box | Outline::Point => {
            vec![Polygon::new(local(&p.bbox.corners()), Vec::new())]
        }
    };
    MultiPolygon::new(polygons)
}
