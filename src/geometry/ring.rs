//! Algorithms on one ring (a closed outline given by its vertices): signed area, centroid,
//! convexity, star-shapedness and self-intersection.
//!
//! ```
//! use nucagree::geometry::ring::{is_convex, ring_self_intersects, ring_signed_area};
//!
//! let square = [[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0]];
//! assert_eq!(ring_signed_area(&square), 4.0);
//! assert!(is_convex(&square));
//! let bowtie = [[0.0, 0.0], [2.0, 2.0], [2.0, 0.0], [0.0, 2.0]];
//! assert!(ring_self_intersects(&bowtie));
//! ```

use super::index::BoxIndex;
use crate::model::BoundingBox;

/// Whether a ring (open, at least 3 vertices, no repeats) is convex: every turn goes the
/// same way, and the edge directions change sign at most twice in x and in y (which rules out
/// rings that turn one way but wind more than once, such as a pentagram). Collinear vertices
/// are allowed.
pub fn is_convex(ring: &[[f64; 2]]) -> bool {
    let n = ring.len();
    if n < 3 {
        return false;
    }
    let mut turn_sign = 0.0;
    let (mut x_flips, mut y_flips) = (0, 0);
    let (mut last_dx, mut last_dy) = (0.0f64, 0.0f64);
    // The first edge's direction seeds the flip counts; walk one edge past the end.
    for i in 0..=n {
        let a = ring[i % n];
        let b = ring[(i + 1) % n];
        let c = ring[(i + 2) % n];
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        if dx != 0.0 {
            if last_dx != 0.0 && dx.signum() != last_dx.signum() {
                x_flips += 1;
            }
            last_dx = dx;
        }
        if dy != 0.0 {
            if last_dy != 0.0 && dy.signum() != last_dy.signum() {
                y_flips += 1;
            }
            last_dy = dy;
        }
        if i == n {
            break;
        }
        let cross = dx * (c[1] - b[1]) - dy * (c[0] - b[0]);
        if cross != 0.0 {
            if turn_sign == 0.0 {
                turn_sign = cross.signum();
            } else if cross.signum() != turn_sign {
                return false;
            }
        }
    }
    turn_sign != 0.0 && x_flips <= 2 && y_flips <= 2
}

/// Shoelace area, positive for counter-clockwise rings (y up). Computed about the
/// first vertex so that whole-slide coordinates keep their precision.
pub fn ring_signed_area(vertices: &[[f64; 2]]) -> f64 {
    let Some(origin) = vertices.first() else {
        return 0.0;
    };
    let mut twice = 0.0;
    for i in 0..vertices.len() {
        let a = vertices[i];
        let b = vertices[(i + 1) % vertices.len()];
        twice += (a[0] - origin[0]) * (b[1] - origin[1]) - (b[0] - origin[0]) * (a[1] - origin[1]);
    }
    0.5 * twice
}

pub(crate) fn ring_centroid(vertices: &[[f64; 2]]) -> [f64; 2] {
    let origin = vertices[0];
    let (mut cx, mut cy, mut twice_area) = (0.0, 0.0, 0.0);
    for i in 0..vertices.len() {
        let a = vertices[i];
        let b = vertices[(i + 1) % vertices.len()];
        let (ax, ay) = (a[0] - origin[0], a[1] - origin[1]);
        let (bx, by) = (b[0] - origin[0], b[1] - origin[1]);
        let cross = ax * by - bx * ay;
        twice_area += cross;
        cx += (ax + bx) * cross;
        cy += (ay + by) * cross;
    }
    if twice_area.abs() <= f64::EPSILON * 16.0 {
        let n = vertices.len() as f64;
        let sx: f64 = vertices.iter().map(|v| v[0]).sum();
        let sy: f64 = vertices.iter().map(|v| v[1]).sum();
        return [sx / n, sy / n];
    }
    [
        origin[0] + cx / (3.0 * twice_area),
        origin[1] + cy / (3.0 * twice_area),
    ]
}

/// Whether two non-adjacent edges of the ring cross or touch. Large rings put their edges'
/// boxes in an R-tree, so each edge is tested only against the edges whose boxes meet its
/// own (about n log n for outlines, where a sweep by x alone is quadratic on a comb of long
/// parallel edges); small ones (where indexing costs more than it saves) compare all pairs
/// after a box test.
pub fn ring_self_intersects(vertices: &[[f64; 2]]) -> bool {
    let n = vertices.len();
    if n < 4 {
        return false;
    }
    // Most nucleus outlines are star-shaped about their vertex mean: then they are simple, and
    // a linear test says so.
    if star_shaped_about_mean(vertices) {
        return false;
    }
    if n <= 48 {
        return ring_self_intersects_all_pairs(vertices);
    }
    let edge = |i: usize| (vertices[i], vertices[(i + 1) % n]);
    let boxes: Vec<BoundingBox> = (0..n)
        .map(|i| {
            let (a, b) = edge(i);
            BoundingBox {
                xmin: a[0].min(b[0]),
                ymin: a[1].min(b[1]),
                xmax: a[0].max(b[0]),
                ymax: a[1].max(b[1]),
            }
        })
        .collect();
    let index = BoxIndex::new(&boxes);
    (0..n).any(|i| {
        let (a1, a2) = edge(i);
        index.overlapping(&boxes[i]).into_iter().any(|j| {
            let j = j as usize;
            // Each pair once; adjacent edges share a vertex.
            let gap = i.abs_diff(j);
            j > i && gap != 1 && gap != n - 1 && {
                let (b1, b2) = edge(j);
                segments_intersect(a1, a2, b1, b2)
            }
        })
    })
}

/// The vertex mean when the ring is star-shaped about it (see [`star_shaped_about_mean`]).
pub(crate) fn star_center(vertices: &[[f64; 2]]) -> Option<[f64; 2]> {
    let n = vertices.len() as f64;
    let cx = vertices.iter().map(|v| v[0]).sum::<f64>() / n;
    let cy = vertices.iter().map(|v| v[1]).sum::<f64>() / n;
    star_shaped_about_mean(vertices).then_some([cx, cy])
}

/// Whether every edge turns strictly the same way about the vertex mean and the ring winds
/// around it exactly once: the ring is then star-shaped about that point, hence simple.
fn star_shaped_about_mean(vertices: &[[f64; 2]]) -> bool {
    let n = vertices.len() as f64;
    let cx = vertices.iter().map(|v| v[0]).sum::<f64>() / n;
    let cy = vertices.iter().map(|v| v[1]).sum::<f64>() / n;
    let mut sign = 0.0;
    let mut crossings = 0;
    for (i, a) in vertices.iter().enumerate() {
        let b = vertices[(i + 1) % vertices.len()];
        let (ax, ay) = (a[0] - cx, a[1] - cy);
        let (bx, by) = (b[0] - cx, b[1] - cy);
        let cross = ax * by - ay * bx;
        if cross == 0.0 || !cross.is_finite() {
            return false;
        }
        if sign == 0.0 {
            sign = cross.signum();
        } else if cross.signum() != sign {
            return false;
        }
        // Crossings of the ray from the mean along +x (edges turning about the mean cross it
        // in one direction only).
        if (ay < 0.0) != (by < 0.0) {
            let x = ax + (0.0 - ay) * (bx - ax) / (by - ay);
            if x > 0.0 {
                crossings += 1;
            }
        }
    }
    crossings == 1
}

fn ring_self_intersects_all_pairs(vertices: &[[f64; 2]]) -> bool {
    let n = vertices.len();
    for i in 0..n {
        let (a1, a2) = (vertices[i], vertices[(i + 1) % n]);
        let (ax0, ax1) = (a1[0].min(a2[0]), a1[0].max(a2[0]));
        let (ay0, ay1) = (a1[1].min(a2[1]), a1[1].max(a2[1]));
        for j in (i + 2)..n {
            if i == 0 && j == n - 1 {
                continue; // adjacent through the closing edge
            }
            let (b1, b2) = (vertices[j], vertices[(j + 1) % n]);
            if b1[0].max(b2[0]) < ax0
                || b1[0].min(b2[0]) > ax1
                || b1[1].max(b2[1]) < ay0
                || b1[1].min(b2[1]) > ay1
            {
                continue;
            }
            if segments_intersect(a1, a2, b1, b2) {
                return true;
            }
        }
    }
    false
}

fn orientation(p: [f64; 2], q: [f64; 2], r: [f64; 2]) -> f64 {
    (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
}

fn on_segment(p: [f64; 2], q: [f64; 2], r: [f64; 2]) -> bool {
    q[0] >= p[0].min(r[0])
        && q[0] <= p[0].max(r[0])
        && q[1] >= p[1].min(r[1])
        && q[1] <= p[1].max(r[1])
}

fn segments_intersect(p1: [f64; 2], p2: [f64; 2], q1: [f64; 2], q2: [f64; 2]) -> bool {
    let d1 = orientation(q1, q2, p1);
    let d2 = orientation(q1, q2, p2);
    let d3 = orientation(p1, p2, q1);
    let d4 = orientation(p1, p2, q2);
    if ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
    {
        return true;
    }
    (d1 == 0.0 && on_segment(q1, p1, q2))
        || (d2 == 0.0 && on_segment(q1, p2, q2))
        || (d3 == 0.0 && on_segment(p1, q1, p2))
        || (d4 == 0.0 && on_segment(p1, q2, p2))
}

/// The area a ring covers, self-intersections resolved (even-odd fill): a bowtie covers its
/// two lobes although its signed area is 0; a ring that only runs along a line and back
/// (collinear points, an out-and-back spike) covers nothing.
pub fn filled_area(vertices: &[[f64; 2]]) -> f64 {
    use geo::{Area, BooleanOps, Coord, LineString, Polygon};
    let Some(&[x0, y0]) = vertices.first() else {
        return 0.0;
    };
    // About the first vertex, so that whole-slide coordinates keep their precision.
    let ring: LineString<f64> = vertices
        .iter()
        .map(|v| Coord {
            x: v[0] - x0,
            y: v[1] - y0,
        })
        .collect();
    let polygon = Polygon::new(ring, Vec::new());
    polygon.intersection(&polygon).unsigned_area()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filled_area_resolves_self_intersections() {
        let bowtie = [[0.0, 0.0], [2.0, 2.0], [2.0, 0.0], [0.0, 2.0]];
        assert_eq!(ring_signed_area(&bowtie), 0.0);
        assert!((filled_area(&bowtie) - 2.0).abs() < 1e-12);
        let line = [[0.0, 0.0], [5.0, 0.0], [10.0, 0.0], [5.0, 0.0]];
        assert_eq!(filled_area(&line), 0.0);
        let spike = [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [10.0, 0.0]];
        assert_eq!(filled_area(&spike), 0.0);
    }

    #[test]
    fn self_intersection_sweep_agrees_with_all_pairs() {
        let all_pairs = |v: &[[f64; 2]]| {
            let n = v.len();
            (0..n).any(|i| {
                ((i + 2)..n).any(|j| {
                    !(i == 0 && j == n - 1)
                        && segments_intersect(v[i], v[(i + 1) % n], v[j], v[(j + 1) % n])
                })
            })
        };
        let mut state = 5u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) % 20) as f64
        };
        for n in (4..12).chain([49, 60, 80]) {
            for _ in 0..300 {
                let ring: Vec<[f64; 2]> = (0..n).map(|_| [next(), next()]).collect();
                assert_eq!(ring_self_intersects(&ring), all_pairs(&ring), "{ring:?}");
            }
        }
        // Star-shaped rings (what nuclei look like), in either orientation, and the same with
        // two vertices swapped, which often makes them cross.
        let mut star_simple = 0;
        for n in [5, 8, 12, 20, 30, 40, 60] {
            for k in 0..200 {
                let mut ring: Vec<[f64; 2]> = (0..n)
                    .map(|i| {
                        let angle = std::f64::consts::TAU * (i as f64 + next() / 40.0) / n as f64;
                        let radius = 5.0 + next();
                        [100.0 + radius * angle.cos(), 50.0 + radius * angle.sin()]
                    })
                    .collect();
                if k % 2 == 1 {
                    ring.reverse();
                }
                if k % 3 == 2 {
                    ring.swap(1, 3);
                }
                let crossing = all_pairs(&ring);
                star_simple += usize::from(!crossing);
                assert_eq!(ring_self_intersects(&ring), crossing, "{ring:?}");
            }
        }
        assert!(star_simple > 700, "{star_simple}");
    }

    /// A comb of long parallel teeth (not star-shaped): a sweep by x alone compares every
    /// pair of teeth; the R-tree only neighbours. Simple as drawn; one tooth bent across the
    /// next makes it cross.
    #[test]
    fn a_long_comb_is_simple_until_a_tooth_crosses_another() {
        let teeth = 5_000;
        let mut ring: Vec<[f64; 2]> = Vec::new();
        for k in 0..teeth {
            let y = 2.0 * k as f64;
            ring.extend([[0.0, y], [1000.0, y], [1000.0, y + 1.0], [1.0, y + 1.0]]);
        }
        ring.extend([[-1.0, 2.0 * teeth as f64], [-1.0, 0.0]]);
        assert!(!star_shaped_about_mean(&ring));
        assert!(!ring_self_intersects(&ring));
        // Tooth 100's far end pulled down past tooth 101's near edge.
        ring[4 * 100 + 2][1] = 2.0 * 101.0 + 0.5;
        assert!(ring_self_intersects(&ring));
    }
}
