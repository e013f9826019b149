//! How the peers pair instances: unique pairs above IoU 0.5, optimal one-to-one assignments
//! of overlapping pairs ([`max_weight_edges`]: pairs that do not overlap weigh nothing, so
//! each connected component is solved alone and the optimum is the dense one's), and
//! HoVer-Net's dense nearest-centroid assignment.
//!
//! ```
//! use nucagree::conventions::pairing::nearest_assignment;
//! let pairs = nearest_assignment(&[[0.0, 0.0]], &[[3.0, 4.0], [50.0, 0.0]]);
//! assert_eq!(pairs, vec![(0, 0, 5.0)]);
//! ```

use super::InstanceImage;
use crate::matching::assignment::max_weight_assignment;
pub use crate::matching::assignment::max_weight_edges;

/// Counts of the unique pairing at IoU > 0.5 (strict), as HoVer-Net's `get_fast_pq`,
/// CoNIC's `get_pq` and PanNuke's code count them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PairCounts {
    pub tp: u64,
    pub fp: u64,
    pub fn_: u64,
    /// The sum of the IoUs of the pairs.
    pub iou_sum: f64,
}

impl PairCounts {
    pub fn add(&mut self, other: PairCounts) {
        self.tp += other.tp;
        self.fp += other.fp;
        self.fn_ += other.fn_;
        self.iou_sum += other.iou_sum;
    }
}

/// The pairs with IoU > 0.5 among instances of `class` (or all). On a label map an instance
/// has at most one such partner, so no assignment is needed; outlines of one set may overlap
/// each other, and where an instance has two such partners the one-to-one assignment of
/// largest total IoU decides.
pub fn unique_pairs(image: &InstanceImage, class: Option<usize>) -> PairCounts {
    let (n_truth, n_pred) = image.counts(class);
    let above: Vec<(u32, u32, f64)> = image
        .overlaps_of(class)
        .map(|o| (o.truth, o.pred, image.iou(o)))
        .filter(|&(_, _, iou)| iou > 0.5)
        .collect();
    let shared = |side: fn(&(u32, u32, f64)) -> u32| {
        let mut ids: Vec<u32> = above.iter().map(side).collect();
        ids.sort_unstable();
        ids.windows(2).any(|w| w[0] == w[1])
    };
    let chosen: Vec<usize> = if shared(|e| e.0) || shared(|e| e.1) {
        max_weight_edges(&above)
    } else {
        (0..above.len()).collect()
    };
    let tp = chosen.len() as u64;
    let iou_sum: f64 = chosen.iter().map(|&e| above[e].2).sum();
    PairCounts {
        tp,
        fp: n_pred - tp,
        fn_: n_truth - tp,
        iou_sum,
    }
}

/// For points `a` and `b`, the pairs of the assignment of least total distance over all
/// pairs (scipy's `linear_sum_assignment` on the distance matrix), as `(a, b, distance)`.
pub fn nearest_assignment(a: &[[f64; 2]], b: &[[f64; 2]]) -> Vec<(usize, usize, f64)> {
    if a.is_empty() || b.is_empty() {
        return Vec::new();
    }
    // As scipy's cdist: the square root of the summed squares (not hypot, which rounds
    // differently).
    let distance = |i: usize, j: usize| {
        let (dx, dy) = (a[i][0] - b[j][0], a[i][1] - b[j][1]);
        (dx * dx + dy * dy).sqrt()
    };
    let mut largest: f64 = 0.0;
    let mut distances = Vec::with_capacity(a.len() * b.len());
    for i in 0..a.len() {
        for j in 0..b.len() {
            let d = distance(i, j);
            largest = largest.max(d);
            distances.push(d);
        }
    }
    // Every pair weighs more than nothing, so the assignment pairs all of the smaller side,
    // and the largest total of (c - d) is the least total of d.
    let ceiling = largest + 1.0;
    let weights: Vec<f64> = distances.iter().map(|d| ceiling - d).collect();
    max_weight_assignment(&weights, a.len(), b.len())
        .into_iter()
        .enumerate()
        .filter_map(|(i, j)| j.map(|j| (i, j, distances[i * b.len() + j])))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_assignment_minimises_the_total_distance() {
        let a = [[0.0, 0.0], [10.0, 0.0]];
        let b = [[9.0, 0.0], [1.0, 0.0], [50.0, 0.0]];
        assert_eq!(nearest_assignment(&a, &b), vec![(0, 1, 1.0), (1, 0, 1.0)]);
    }
}
