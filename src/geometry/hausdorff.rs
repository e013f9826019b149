//! The symmetric Hausdorff distance between two outlines' boundaries: the farthest any point
//! of one boundary lies from the other boundary, either way. Every point of every edge counts,
//! not only the vertices (GEOS's and shapely's `hausdorff_distance` without densifying
//! measures from vertices only, and misses a far point in the middle of an edge).
//!
//! - Two boxes: closed form. Along an edge, the distance to the other box's boundary is
//!   convex outside the box and a capped tent inside it, so its largest value is at the
//!   edge's ends, where it meets the other box's sides, or under the other box's middle.
//! - Otherwise, branch and bound along each edge: the distance to the other boundary is the
//!   least of the distances to its edges, each convex along the edge, so on a stretch of the
//!   edge it is at most the least, over the other's edges, of the larger end value; and at
//!   most half the sum of the end values and the stretch's length (it is 1-Lipschitz).
//!   Stretches whose bound cannot beat the best value found are dropped, the others halved,
//!   until the bound is within 1e-9 of the best (relative to the outlines' size).
//!
//! ```
//! use nucagree::geometry::hausdorff::{box_hausdorff, hausdorff};
//! use nucagree::model::BoundingBox;
//! let outer = BoundingBox { xmin: 0.0, ymin: 0.0, xmax: 100.0, ymax: 100.0 };
//! let inner = BoundingBox { xmin: 40.0, ymin: 10.0, xmax: 60.0, ymax: 90.0 };
//! // The outer corners are √(40² + 10²) from the inner box; the middle of the inner box's
//! // long sides 40 from the outer boundary, though its corners are 10 from it.
//! assert_eq!(box_hausdorff(&outer, &inner), 1700f64.sqrt());
//! let rings = |b: &BoundingBox| vec![b.corners().to_vec()];
//! assert!((hausdorff(&rings(&outer), &rings(&inner)) - 1700f64.sqrt()).abs() < 1e-7);
//! ```

use super::slabs::Rings;
use crate::model::BoundingBox;

/// Relative precision of the branch and bound.
const PRECISION: f64 = 1e-9;
/// Deepest halving of one edge (2^-60 of its length).
const MAX_DEPTH: u32 = 60;

/// A boundary made ready for many distances: its edges (of positive length) and the largest
/// magnitude of its coordinates (which sets the search's precision).
#[derive(Debug, Clone, PartialEq)]
pub struct Boundary {
    segments: Vec<Segment>,
    size: f64,
}

impl Boundary {
    /// The boundary of an outline's rings (outer rings and holes alike).
    pub fn new(rings: &Rings) -> Boundary {
        let segments: Vec<Segment> = rings
            .iter()
            .flat_map(|ring| {
                let n = ring.len();
                (0..n).map(move |k| [ring[k], ring[(k + 1) % n]])
            })
            .filter(|[p, q]| p != q)
            .map(Segment::new)
            .collect();
        let size = segments
            .iter()
            .flat_map(|s| [s.start, s.end])
            .fold(0.0_f64, |m, p| m.max(p[0].abs()).max(p[1].abs()));
        Boundary { segments, size }
    }
}

/// A segment made ready for many distances: its ends, its direction and the direction's
/// inverse squared length.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Segment {
    start: [f64; 2],
    end: [f64; 2],
    direction: [f64; 2],
    inverse_length2: f64,
}

impl Segment {
    fn new([a, b]: [[f64; 2]; 2]) -> Segment {
        let direction = [b[0] - a[0], b[1] - a[1]];
        let length2 = direction[0] * direction[0] + direction[1] * direction[1];
        Segment {
            start: a,
            end: b,
            direction,
            inverse_length2: if length2 > 0.0 { 1.0 / length2 } else { 0.0 },
        }
    }

    /// The squared distance from `p` to the segment.
    fn distance2(&self, p: [f64; 2]) -> f64 {
        let (px, py) = (p[0] - self.start[0], p[1] - self.start[1]);
        let [dx, dy] = self.direction;
        let t = ((px * dx + py * dy) * self.inverse_length2).clamp(0.0, 1.0);
        let (x, y) = (t * dx - px, t * dy - py);
        x * x + y * y
    }
}

/// A stretch `[t0, t1]` of an edge, halved `depth` times, with its ends' places among the
/// points measured.
struct Stretch {
    t0: f64,
    t1: f64,
    depth: u32,
    start: usize,
    end: usize,
}

/// The farthest any point of `from`'s edges lies from `to`'s boundary, or `floor` if that is
/// farther (stretches that cannot beat it are not searched).
fn directed(from: &[Segment], to: &[Segment], tolerance: f64, floor: f64) -> f64 {
    let m = to.len();
    // Each point measured: its squared distance to each of `to`'s edges (m values, in
    // `squares`), and its distance to the boundary (in `least`).
    let (mut squares, mut least): (Vec<f64>, Vec<f64>) = (Vec::new(), Vec::new());
    let measure = |p: [f64; 2], squares: &mut Vec<f64>, least: &mut Vec<f64>| -> usize {
        let mut smallest = f64::INFINITY;
        for segment in to {
            let d2 = segment.distance2(p);
            squares.push(d2);
            smallest = smallest.min(d2);
        }
        least.push(smallest.sqrt());
        least.len() - 1
    };
    let mut best: f64 = floor;
    // Every vertex first, so that the bound prunes early.
    for edge in from {
        let k = measure(edge.start, &mut squares, &mut least);
        best = best.max(least[k]);
    }
    let mut stack: Vec<Stretch> = Vec::new();
    for &Segment {
        start: a, end: b, ..
    } in from
    {
        squares.clear();
        least.clear();
        let at = |t: f64| [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
        let length = ((b[0] - a[0]).powi(2) + (b[1] - a[1]).powi(2)).sqrt();
        let start = measure(a, &mut squares, &mut least);
        let end = measure(b, &mut squares, &mut least);
        stack.push(Stretch {
            t0: 0.0,
            t1: 1.0,
            depth: 0,
            start,
            end,
        });
        while let Some(s) = stack.pop() {
            // Each edge's distance is convex along the stretch: at most its larger end.
            let (u, v) = (
                &squares[s.start * m..(s.start + 1) * m],
                &squares[s.end * m..(s.end + 1) * m],
            );
            let convex = u
                .iter()
                .zip(v)
                .map(|(x, y)| x.max(*y))
                .fold(f64::INFINITY, f64::min)
                .sqrt();
            let lipschitz = 0.5 * (least[s.start] + least[s.end] + (s.t1 - s.t0) * length);
            if convex.min(lipschitz) <= best + tolerance || s.depth >= MAX_DEPTH {
                continue;
            }
            let middle = 0.5 * (s.t0 + s.t1);
            let k = measure(at(middle), &mut squares, &mut least);
            best = best.max(least[k]);
            stack.push(Stretch {
                t0: s.t0,
                t1: middle,
                depth: s.depth + 1,
                start: s.start,
                end: k,
            });
            stack.push(Stretch {
                t0: middle,
                t1: s.t1,
                depth: s.depth + 1,
                start: k,
                end: s.end,
            });
        }
    }
    best
}

/// The symmetric Hausdorff distance between the boundaries of two outlines (rings, holes
/// included); 0 when either has no edge.
pub fn hausdorff(a: &Rings, b: &Rings) -> f64 {
    boundary_hausdorff(&Boundary::new(a), &Boundary::new(b))
}

/// [`hausdorff`] of boundaries made ready (each once, however many others it is measured
/// against).
pub fn boundary_hausdorff(a: &Boundary, b: &Boundary) -> f64 {
    if a.segments.is_empty() || b.segments.is_empty() {
        return 0.0;
    }
    let tolerance = PRECISION * a.size.max(b.size).max(1.0);
    // The larger of the two ways: the first way's distance is the floor of the second.
    let one_way = directed(&a.segments, &b.segments, tolerance, 0.0);
    directed(&b.segments, &a.segments, tolerance, one_way)
}

/// The distance from `p` to the boundary of box `b`.
fn to_box_boundary(p: [f64; 2], b: &BoundingBox) -> f64 {
    let (x, y) = (p[0], p[1]);
    if x > b.xmin && x < b.xmax && y > b.ymin && y < b.ymax {
        (x - b.xmin).min(b.xmax - x).min(y - b.ymin).min(b.ymax - y)
    } else {
        let dx = (b.xmin - x).max(0.0).max(x - b.xmax);
        let dy = (b.ymin - y).max(0.0).max(y - b.ymax);
        (dx * dx + dy * dy).sqrt()
    }
}

/// The farthest any point of box `a`'s boundary lies from box `b`'s boundary.
fn box_directed(a: &BoundingBox, b: &BoundingBox) -> f64 {
    let along = |low: f64, high: f64, b_low: f64, b_high: f64| -> [f64; 5] {
        [b_low, b_high, 0.5 * (b_low + b_high), low, high].map(|v| v.clamp(low, high))
    };
    let mut best: f64 = 0.0;
    for y in [a.ymin, a.ymax] {
        for x in along(a.xmin, a.xmax, b.xmin, b.xmax) {
            best = best.max(to_box_boundary([x, y], b));
        }
    }
    for x in [a.xmin, a.xmax] {
        for y in along(a.ymin, a.ymax, b.ymin, b.ymax) {
            best = best.max(to_box_boundary([x, y], b));
        }
    }
    best
}

/// The symmetric Hausdorff distance between the boundaries of two boxes.
pub fn box_hausdorff(a: &BoundingBox, b: &BoundingBox) -> f64 {
    box_directed(a, b).max(box_directed(b, a))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn bbox(x: f64, y: f64, w: f64, h: f64) -> BoundingBox {
        BoundingBox {
            xmin: x,
            ymin: y,
            xmax: x + w,
            ymax: y + h,
        }
    }

    #[test]
    fn known_distances() {
        let a = bbox(0.0, 0.0, 10.0, 10.0);
        assert_eq!(box_hausdorff(&a, &a), 0.0);
        // Shifted by 3 along x: every point of a side moves 3.
        assert_eq!(box_hausdorff(&a, &bbox(3.0, 0.0, 10.0, 10.0)), 3.0);
        // A triangle against its own box: the box's corner (10, 10) is 5√2 from the
        // hypotenuse.
        let triangle = vec![vec![[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]]];
        let square = vec![a.corners().to_vec()];
        let expected = 50f64.sqrt();
        assert!((hausdorff(&triangle, &square) - expected).abs() < 1e-8);
        // Symmetric.
        assert_eq!(hausdorff(&triangle, &square), hausdorff(&square, &triangle));
        // No edges: 0.
        assert_eq!(hausdorff(&Vec::new(), &square), 0.0);
    }

    #[test]
    fn a_far_point_mid_edge_is_found() {
        // A long thin box inside a square: the middle of its long sides is 40 from the
        // square's boundary, its corners 10.
        let outer = Boundary::new(&vec![bbox(0.0, 0.0, 100.0, 100.0).corners().to_vec()]);
        let inner = Boundary::new(&vec![bbox(40.0, 10.0, 20.0, 80.0).corners().to_vec()]);
        let (outer, inner) = (outer.segments, inner.segments);
        assert!((directed(&inner, &outer, 1e-9, 0.0) - 40.0).abs() < 1e-8);
        let vertices_only = inner
            .iter()
            .map(|e| {
                outer
                    .iter()
                    .map(|o| o.distance2(e.start).sqrt())
                    .fold(f64::INFINITY, f64::min)
            })
            .fold(0.0, f64::max);
        assert_eq!(vertices_only, 10.0);
    }

    proptest! {
        #[test]
        fn boxes_in_closed_form_equal_the_general_bound(
            x in 0.0f64..50.0, y in 0.0f64..50.0, w in 1.0f64..40.0, h in 1.0f64..40.0,
            u in 0.0f64..50.0, v in 0.0f64..50.0, s in 1.0f64..40.0, t in 1.0f64..40.0,
        ) {
            let (a, b) = (bbox(x, y, w, h), bbox(u, v, s, t));
            let closed = box_hausdorff(&a, &b);
            let general = hausdorff(&vec![a.corners().to_vec()], &vec![b.corners().to_vec()]);
            prop_assert!((closed - general).abs() < 1e-7, "{closed} {general}");
            prop_assert_eq!(closed, box_hausdorff(&b, &a));
            // At least the vertex-only distance, and at most the boxes' far corners apart.
            prop_assert!(closed <= ((x + w).max(u + s) - x.min(u)).hypot((y + h).max(v + t) - y.min(v)));
        }
    }
}
