//! The areas two sets of outlines cover, and cover together, by vertical slabs: the plane is
//! cut at every vertex and at every crossing of two edges, so that within a slab no edge
//! starts, ends or crosses another, each outline's cross-section is a fixed set of intervals
//! (even-odd, so holes are holes), and the covered length is linear in x: the slab's width
//! times the length at its middle is its area exactly. Outlines of one set that overlap count
//! once, as on a mask.
//!
//! ```
//! use nucagree::geometry::slabs::slab_areas;
//! let square = |x: f64, y: f64, side: f64| {
//!     vec![vec![[x, y], [x + side, y], [x + side, y + side], [x, y + side]]]
//! };
//! // Two truth squares overlapping by a quarter; a prediction over the second.
//! let [truth, pred, both] = slab_areas(&[square(0.0, 0.0, 10.0), square(5.0, 5.0, 10.0)], &[square(5.0, 5.0, 10.0)]);
//! assert_eq!((truth, pred, both), (175.0, 100.0, 100.0));
//! ```

/// An outline as its rings (outer rings and holes alike; even-odd fill).
pub type Rings = Vec<Vec<[f64; 2]>>;

/// A non-vertical edge, left end first, with the outline it belongs to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Edge {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
    outline: u32,
}

impl Edge {
    /// The edge's height at `x`.
    fn y_at(&self, x: f64) -> f64 {
        self.y0 + (x - self.x0) * (self.y1 - self.y0) / (self.x1 - self.x0)
    }

    /// The edge's height at `x`, its end's own height at either end.
    pub(crate) fn height_at(&self, x: f64) -> f64 {
        if x == self.x1 {
            self.y1
        } else {
            self.y_at(x)
        }
    }
}

/// An edge crossing a slab's middle: its outline, its height there, and the edge.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Crossing {
    pub outline: u32,
    pub y: f64,
    pub edge: Edge,
}

/// The x of a proper crossing of two edges strictly inside both x-ranges, if any.
fn crossing(a: &Edge, b: &Edge) -> Option<f64> {
    let (low, high) = (a.x0.max(b.x0), a.x1.min(b.x1));
    if low >= high {
        return None;
    }
    // The vertical gap between the edges at both ends of their shared x-range.
    let (at_low, at_high) = (a.y_at(low) - b.y_at(low), a.y_at(high) - b.y_at(high));
    if at_low == 0.0 || at_high == 0.0 || (at_low > 0.0) == (at_high > 0.0) {
        return None;
    }
    let x = low + (high - low) * at_low / (at_low - at_high);
    (x > low && x < high).then_some(x)
}

/// Sweeps `outlines` by vertical slabs: `visit(left, right, crossings)` for each slab some
/// edge crosses, left to right, with the edges crossing its middle sorted by outline, then
/// height (so each outline's crossings pair up into its inside intervals, even-odd).
pub(crate) fn sweep(outlines: &[&Rings], visit: &mut dyn FnMut(f64, f64, &[Crossing])) {
    let mut edges: Vec<Edge> = Vec::new();
    let mut xs: Vec<f64> = Vec::new();
    for (outline, rings) in outlines.iter().enumerate() {
        for ring in rings.iter() {
            let n = ring.len();
            for k in 0..n {
                let (p, q) = (ring[k], ring[(k + 1) % n]);
                xs.push(p[0]);
                if p[0] == q[0] {
                    continue;
                }
                let (left, right) = if p[0] < q[0] { (p, q) } else { (q, p) };
                edges.push(Edge {
                    x0: left[0],
                    y0: left[1],
                    x1: right[0],
                    y1: right[1],
                    outline: outline as u32,
                });
            }
        }
    }
    edges.sort_by(|a, b| a.x0.total_cmp(&b.x0));
    // Crossings: each edge against those starting before it ends.
    for (i, a) in edges.iter().enumerate() {
        for b in edges[i + 1..].iter().take_while(|b| b.x0 < a.x1) {
            if let Some(x) = crossing(a, b) {
                xs.push(x);
            }
        }
    }
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    let mut active: Vec<usize> = Vec::new();
    let mut next = 0;
    let mut crossings: Vec<Crossing> = Vec::new();
    for slab in xs.windows(2) {
        let (left, right) = (slab[0], slab[1]);
        while next < edges.len() && edges[next].x0 <= left {
            active.push(next);
            next += 1;
        }
        active.retain(|&e| edges[e].x1 > left);
        if active.is_empty() {
            continue;
        }
        let middle = 0.5 * (left + right);
        crossings.clear();
        crossings.extend(active.iter().map(|&e| {
            let edge = edges[e];
            Crossing {
                outline: edge.outline,
                y: edge.y_at(middle),
                edge,
            }
        }));
        crossings.sort_by(|a, b| a.outline.cmp(&b.outline).then(a.y.total_cmp(&b.y)));
        visit(left, right, &crossings);
    }
}

/// The total length of a set of intervals, merged in place (sorted by start).
pub(crate) fn merge(intervals: &mut Vec<[f64; 2]>) -> f64 {
    intervals.sort_by(|a, b| a[0].total_cmp(&b[0]));
    let mut merged: Vec<[f64; 2]> = Vec::with_capacity(intervals.len());
    for &[low, high] in intervals.iter() {
        match merged.last_mut() {
            Some(last) if low <= last[1] => last[1] = last[1].max(high),
            _ => merged.push([low, high]),
        }
    }
    *intervals = merged;
    intervals.iter().map(|[low, high]| high - low).sum()
}

/// The length two sorted, disjoint interval lists share.
pub(crate) fn shared_length(a: &[[f64; 2]], b: &[[f64; 2]]) -> f64 {
    let (mut i, mut j, mut total) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        let (low, high) = (a[i][0].max(b[j][0]), a[i][1].min(b[j][1]));
        if high > low {
            total += high - low;
        }
        if a[i][1] < b[j][1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    total
}

/// The areas `truth` covers, `pred` covers, and both cover: `[truth, pred, both]`.
pub fn slab_areas(truth: &[Rings], pred: &[Rings]) -> [f64; 3] {
    let outlines: Vec<&Rings> = truth.iter().chain(pred).collect();
    let in_pred = |outline: u32| outline as usize >= truth.len();
    let mut areas = [0.0; 3];
    let (mut truth_intervals, mut pred_intervals) = (Vec::new(), Vec::new());
    sweep(&outlines, &mut |left, right, crossings| {
        truth_intervals.clear();
        pred_intervals.clear();
        for pair in crossings.chunk_by(|a, b| a.outline == b.outline) {
            for inside in pair.chunks_exact(2) {
                let interval = [inside[0].y, inside[1].y];
                if in_pred(inside[0].outline) {
                    pred_intervals.push(interval);
                } else {
                    truth_intervals.push(interval);
                }
            }
        }
        let width = right - left;
        areas[0] += width * merge(&mut truth_intervals);
        areas[1] += width * merge(&mut pred_intervals);
        areas[2] += width * shared_length(&truth_intervals, &pred_intervals);
    });
    areas
}

/// A diamond of diagonals 10 centred at (`cx`, 5), for tests.
#[cfg(test)]
pub(crate) fn diamond(cx: f64) -> Rings {
    vec![vec![
        [cx, 0.0],
        [cx + 5.0, 5.0],
        [cx, 10.0],
        [cx - 5.0, 5.0],
    ]]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_triangle_a_hole_and_a_crossing_have_their_areas() {
        // A right triangle of legs 10: 50.
        let triangle = vec![vec![[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]]];
        assert_eq!(
            slab_areas(std::slice::from_ref(&triangle), &[]),
            [50.0, 0.0, 0.0]
        );
        // A 10 x 10 square with a 4 x 4 hole: 84.
        let holed = vec![
            vec![[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]],
            vec![[3.0, 3.0], [3.0, 7.0], [7.0, 7.0], [7.0, 3.0]],
        ];
        assert_eq!(
            slab_areas(std::slice::from_ref(&holed), &[]),
            [84.0, 0.0, 0.0]
        );
        // The triangle against the holed square: its part outside the hole, 50 - (the hole's
        // part under x + y = 10, all of it but the corner triangle of legs 4 above it: 16 - 8).
        let [_, _, both] = slab_areas(&[holed], &[triangle]);
        assert!((both - (50.0 - 8.0)).abs() < 1e-12, "{both}");
        // Two diamonds crossing: edges cross inside slabs.
        let [truth, pred, both] = slab_areas(&[diamond(0.0)], &[diamond(5.0)]);
        assert_eq!((truth, pred, both), (50.0, 50.0, 12.5));
    }
}
