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

/// A boundary as its edges.
fn edges(rings: &Rings) -> Vec<[[f64; 2]; 2]> {
    rings
        .iter()
        .flat_map(|ring| {
            let n = ring.len();
            (0..n).map(move |k| [ring[k], ring[(k + 1) % n]])
        })
        .filter(|[p, q]| p != q)
        .collect()
}

/// The distance from `p` to the segment `[a, b]`.
fn to_segment(p: [f64; 2], [a, b]: [[f64; 2]; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let length = dx * dx + dy * dy;
    let t = if length > 0.0 {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (x, y) = (a[0] + t * dx - p[0], a[1] + t * dy - p[1]);
    (x * x + y * y).sqrt()
}

/// A stretch `[t0, t1]` of an edge, halved `depth` times, with the distances from its ends to
/// each of the other boundary's edges.
struct Stretch {
    t0: f64,
    t1: f64,
    depth: u32,
    start: Vec<f64>,
    end: Vec<f64>,
}

/// The farthest any point of `from`'s edges lies from `to`'s boundary.
fn directed(from: &[[[f64; 2]; 2]], to: &[[[f64; 2]; 2]], tolerance: f64) -> f64 {
    let distances = |p: [f64; 2], out: &mut Vec<f64>| -> f64 {
        out.clear();
        out.extend(to.iter().map(|&e| to_segment(p, e)));
        out.iter().copied().fold(f64::INFINITY, f64::min)
    };
    let mut best: f64 = 0.0;
    let mut scratch = Vec::new();
    // Every vertex first, so that the bound prunes early.
    for edge in from {
        best = best.max(distances(edge[0], &mut scratch));
    }
    let mut stack: Vec<Stretch> = Vec::new();
    for &[a, b] in from {
        let at = |t: f64| [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
        let length = ((b[0] - a[0]).powi(2) + (b[1] - a[1]).powi(2)).sqrt();
        let (mut start, mut end) = (Vec::new(), Vec::new());
        distances(a, &mut start);
        distances(b, &mut end);
        stack.push(Stretch {
            t0: 0.0,
            t1: 1.0,
            depth: 0,
            start,
            end,
        });
        while let Some(s) = stack.pop() {
            let least = |d: &[f64]| d.iter().copied().fold(f64::INFINITY, f64::min);
            let convex = s
                .start
                .iter()
                .zip(&s.end)
                .map(|(u, v)| u.max(*v))
                .fold(f64::INFINITY, f64::min);
            let lipschitz = 0.5 * (least(&s.start) + least(&s.end) + (s.t1 - s.t0) * length);
            if convex.min(lipschitz) <= best + tolerance || s.depth >= MAX_DEPTH {
                continue;
            }
            let middle = 0.5 * (s.t0 + s.t1);
            let mut at_middle = Vec::with_capacity(to.len());
            best = best.max(distances(at(middle), &mut at_middle));
            stack.push(Stretch {
                t0: s.t0,
                t1: middle,
                depth: s.depth + 1,
                start: s.start,
                end: at_middle.clone(),
            });
            stack.push(Stretch {
                t0: middle,
                t1: s.t1,
                depth: s.depth + 1,
                start: at_middle,
                end: s.end,
            });
        }
    }
    best
}

/// The symmetric Hausdorff distance between the boundaries of two outlines (rings, holes
/// included); 0 when either has no edge.
pub fn hausdorff(a: &Rings, b: &Rings) -> f64 {
    let (from, to) = (edges(a), edges(b));
    if from.is_empty() || to.is_empty() {
        return 0.0;
    }
    let size = from
        .iter()
        .chain(&to)
        .flat_map(|e| e.iter())
        .fold(0.0_f64, |m, p| m.max(p[0].abs()).max(p[1].abs()));
    let tolerance = PRECISION * size.max(1.0);
    directed(&from, &to, tolerance).max(directed(&to, &from, tolerance))
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
        let outer = edges(&vec![bbox(0.0, 0.0, 100.0, 100.0).corners().to_vec()]);
        let inner = edges(&vec![bbox(40.0, 10.0, 20.0, 80.0).corners().to_vec()]);
        assert!((directed(&inner, &outer, 1e-9) - 40.0).abs() < 1e-8);
        let vertices_only = inner
            .iter()
            .map(|e| {
                outer
                    .iter()
                    .map(|&o| to_segment(e[0], o))
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
