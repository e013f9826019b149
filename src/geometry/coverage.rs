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

#[cfg(test)]
use super::clip::counter_clockwise;
use super::index::BoxIndex;
use super::slabs::{slab_areas, Rings};
use super::{intersection_area, PreparedShape};
use crate::model::{BoundingBox, Shape};
#[cfg(test)]
use geo::{Area, BooleanOps, Coord, LineString, MultiPolygon, Polygon};
use std::borrow::Borrow;

/// Areas covered by each set and by both.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Coverage {
    pub truth: f64,
    pub pred: f64,
    pub both: f64,
}

/// The region a set of shapes covers (points cover nothing; a self-intersecting outline
/// covers its box, as everywhere in nucagree's geometry).
#[cfg(test)]
fn covered<S: Borrow<Shape>>(shapes: &[S]) -> MultiPolygon<f64> {
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
        .map(Borrow::borrow)
        .flat_map(|shape: &Shape| -> Vec<Polygon<f64>> {
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

/// The areas `truth` and `pred` cover, and cover together. Shapes are grouped by overlapping
/// boxes (across both sets) and each group measured alone, so that a whole slide costs its
/// groups, not one sweep over a million outlines: a lone shape is its area, one of each set
/// adds their intersection, and larger groups are measured by vertical slabs
/// ([`slab_areas`]).
pub fn coverage<S: Borrow<Shape>>(truth: &[S], pred: &[S]) -> Coverage {
    let prepare = |shapes: &[S]| -> Vec<PreparedShape> {
        shapes
            .iter()
            .map(|s| PreparedShape::new(s.borrow()))
            .collect()
    };
    prepared_coverage(&prepare(truth), &prepare(pred))
}

/// [`coverage`] of outlines already prepared (as for IoU under [`super::IouShape::Polygon`]).
pub fn prepared_coverage(truth: &[PreparedShape], pred: &[PreparedShape]) -> Coverage {
    let prepared: Vec<&PreparedShape> = truth.iter().chain(pred).collect();
    let boxes: Vec<BoundingBox> = prepared.iter().map(|p| p.bbox).collect();
    let index = BoxIndex::new(&boxes);
    let mut groups = Groups::new(boxes.len());
    for (i, b) in boxes.iter().enumerate() {
        if prepared[i].is_point() {
            continue;
        }
        for j in index.overlapping(b) {
            if j as usize > i && !prepared[j as usize].is_point() {
                groups.join(i, j as usize);
            }
        }
    }
    let mut total = Coverage::default();
    for members in groups.members() {
        let (in_truth, in_pred): (Vec<usize>, Vec<usize>) =
            members.iter().partition(|&&m| m < truth.len());
        let part = match (in_truth.as_slice(), in_pred.as_slice()) {
            ([t], []) => Coverage {
                truth: prepared[*t].area,
                ..Coverage::default()
            },
            ([], [p]) => Coverage {
                pred: prepared[*p].area,
                ..Coverage::default()
            },
            ([t], [p]) => Coverage {
                truth: prepared[*t].area,
                pred: prepared[*p].area,
                both: intersection_area(prepared[*t], prepared[*p]),
            },
            _ => {
                let rings = |of: &[usize]| -> Vec<Rings> {
                    of.iter().map(|&m| prepared[m].rings()).collect()
                };
                let [truth, pred, both] = slab_areas(&rings(&in_truth), &rings(&in_pred));
                Coverage { truth, pred, both }
            }
        };
        total.truth += part.truth;
        total.pred += part.pred;
        total.both += part.both;
    }
    total
}

/// The coverage of one group of overlapping shapes, by unions and their intersection.
#[cfg(test)]
fn union_coverage(truth: &[Shape], pred: &[Shape]) -> Coverage {
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

/// Disjoint groups of positions (union-find with path halving).
struct Groups {
    parent: Vec<usize>,
}

impl Groups {
    fn new(n: usize) -> Groups {
        Groups {
            parent: (0..n).collect(),
        }
    }

    fn root(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    fn join(&mut self, i: usize, j: usize) {
        let (ri, rj) = (self.root(i), self.root(j));
        if ri != rj {
            self.parent[ri.max(rj)] = ri.min(rj);
        }
    }

    /// Each group's positions, in increasing order; groups by their smallest position.
    fn members(&mut self) -> Vec<Vec<usize>> {
        let mut slot = vec![usize::MAX; self.parent.len()];
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for i in 0..self.parent.len() {
            let r = self.root(i);
            if slot[r] == usize::MAX {
                slot[r] = groups.len();
                groups.push(Vec::new());
            }
            groups[slot[r]].push(i);
        }
        groups
    }
}

/// A square box of side `side` from (`x`, `y`), for tests.
#[cfg(test)]
pub(crate) fn square(x: f64, y: f64, side: f64) -> Shape {
    Shape::Box(BoundingBox {
        xmin: x,
        ymin: y,
        xmax: x + side,
        ymax: y + side,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn groups_add_up_to_the_unions() {
        // A chain of three truth boxes, a prediction over two of them, a lone prediction, a
        // point and a triangle inside a box.
        let truth = vec![
            square(0.0, 0.0, 10.0),
            square(8.0, 0.0, 10.0),
            square(16.0, 0.0, 10.0),
            Shape::Point([100.0, 100.0]),
            square(200.0, 200.0, 4.0),
        ];
        let pred = vec![
            square(5.0, 0.0, 10.0),
            square(50.0, 50.0, 3.0),
            Shape::Polygon(vec![[202.0, 200.0], [206.0, 200.0], [202.0, 204.0]]),
        ];
        let covered = coverage(&truth, &pred);
        assert_eq!(covered.truth, 260.0 + 16.0);
        assert_eq!(covered.pred, 100.0 + 9.0 + 8.0);
        assert_eq!(covered.both, 100.0 + 6.0);
    }

    proptest! {
        #[test]
        fn grouped_coverage_is_the_whole_union(
            truth in prop::collection::vec((0..60u32, 0..60u32, 1..15u32), 0..25),
            pred in prop::collection::vec((0..60u32, 0..60u32, 1..15u32), 0..25),
        ) {
            // Integer corners, where geo's overlay (which snaps to an integer grid) is exact.
            let shapes = |v: &[(u32, u32, u32)]| -> Vec<Shape> {
                v.iter().map(|&(x, y, s)| square(x as f64, y as f64, s as f64)).collect()
            };
            let (truth, pred) = (shapes(&truth), shapes(&pred));
            let grouped = coverage(&truth, &pred);
            let whole = union_coverage(&truth, &pred);
            let close = |x: f64, y: f64| (x - y).abs() <= 1e-9 * (1.0 + y.abs());
            prop_assert!(close(grouped.truth, whole.truth), "{grouped:?} {whole:?}");
            prop_assert!(close(grouped.pred, whole.pred), "{grouped:?} {whole:?}");
            prop_assert!(close(grouped.both, whole.both), "{grouped:?} {whole:?}");
        }

        #[test]
        fn convex_and_concave_groups_are_the_whole_union(
            truth in prop::collection::vec((0..40u32, 0..40u32, 4..15u32, 0..4u32, 0..4u32, 0..3u8), 0..12),
            pred in prop::collection::vec((0..40u32, 0..40u32, 4..15u32, 0..4u32, 0..4u32, 0..3u8), 0..12),
        ) {
            // Convex quadrilaterals (corners pulled in), notched (concave) pentagons and
            // squares with a hole, on integer vertices; geo's overlay snaps intersections to
            // a grid, so agreement is to 1e-6.
            let shapes = |v: &[(u32, u32, u32, u32, u32, u8)]| -> Vec<Shape> {
                v.iter()
                    .map(|&(x, y, s, dx, dy, kind)| {
                        let (x, y, s) = (x as f64, y as f64, s as f64);
                        let (dx, dy) = (dx as f64, dy as f64);
                        match kind {
                            0 => Shape::Polygon(vec![
                                [x + dx, y],
                                [x + s, y + dy],
                                [x + s - dx, y + s],
                                [x, y + s - dy],
                            ]),
                            1 => Shape::Polygon(vec![
                                [x, y],
                                [x + s, y],
                                [x + s, y + s],
                                [x + s / 2.0, y + 1.0 + dy],
                                [x, y + s],
                            ]),
                            _ => Shape::Pieces(vec![crate::model::Piece {
                                outer: vec![[x, y], [x + s, y], [x + s, y + s], [x, y + s]],
                                holes: vec![vec![
                                    [x + 1.0, y + 1.0],
                                    [x + 1.0, y + 3.0],
                                    [x + 3.0, y + 3.0],
                                    [x + 3.0, y + 1.0],
                                ]],
                            }]),
                        }
                    })
                    .collect()
            };
            let (truth, pred) = (shapes(&truth), shapes(&pred));
            let grouped = coverage(&truth, &pred);
            let whole = union_coverage(&truth, &pred);
            let close = |x: f64, y: f64| (x - y).abs() <= 1e-6 * (1.0 + y.abs());
            prop_assert!(close(grouped.truth, whole.truth), "{grouped:?} {whole:?}");
            prop_assert!(close(grouped.pred, whole.pred), "{grouped:?} {whole:?}");
            prop_assert!(close(grouped.both, whole.both), "{grouped:?} {whole:?}");
        }
    }

    #[test]
    fn three_convex_outlines_overlapping_by_known_areas() {
        // Diamonds of area 50 centred 5 apart along x overlap pairwise by 12.5 (neighbours)
        // and 0 (the outer two): the union is 150 − 25.
        let diamond = |cx: f64| {
            Shape::Polygon(vec![
                [cx, 0.0],
                [cx + 5.0, 5.0],
                [cx, 10.0],
                [cx - 5.0, 5.0],
            ])
        };
        let covered = coverage(&[diamond(0.0), diamond(10.0)], &[diamond(5.0)]);
        assert_eq!(covered.truth, 100.0);
        assert_eq!(covered.pred, 50.0);
        assert_eq!(covered.both, 25.0);
    }
}
