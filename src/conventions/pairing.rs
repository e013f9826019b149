//! How the peers pair instances: unique pairs above IoU 0.5, and optimal one-to-one
//! assignments solved on each connected component of the overlap graph (pairs that do not
//! overlap weigh nothing, so the components are independent and the optimum is the dense
//! one's).
//!
//! ```
//! use nucagree::conventions::pairing::components;
//! // truth 0 overlaps pred 0 and 1; truth 1 overlaps pred 2.
//! let groups = components(&[(0, 0), (0, 1), (1, 2)]);
//! assert_eq!(groups, vec![vec![0, 1], vec![2]]);
//! ```

use super::InstanceImage;
use crate::matching::assignment::max_weight_assignment;

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

/// The connected components of a bipartite graph given by its edges `(truth, pred)`: each
/// component as the positions of its edges, in order of their first edge.
pub fn components(edges: &[(u32, u32)]) -> Vec<Vec<usize>> {
    // Union-find over truth nodes (even) and prediction nodes (odd), by node number.
    let nodes = edges
        .iter()
        .map(|&(t, p)| (2 * t as usize).max(2 * p as usize + 1) + 1)
        .max()
        .unwrap_or(0);
    let mut parent: Vec<usize> = (0..nodes).collect();
    fn find(parent: &mut [usize], x: usize) -> usize {
        let mut root = x;
        while parent[root] != root {
            root = parent[root];
        }
        let mut node = x;
        while parent[node] != root {
            let next = parent[node];
            parent[node] = root;
            node = next;
        }
        root
    }
    for &(t, p) in edges {
        let (a, b) = (2 * t as usize, 2 * p as usize + 1);
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    }
    let mut group_of: Vec<usize> = vec![usize::MAX; nodes];
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (position, &(t, _)) in edges.iter().enumerate() {
        let root = find(&mut parent, 2 * t as usize);
        if group_of[root] == usize::MAX {
            group_of[root] = groups.len();
            groups.push(Vec::new());
        }
        groups[group_of[root]].push(position);
    }
    groups
}

/// The maximum-weight one-to-one assignment over weighted edges `(truth, pred, weight)`
/// (weights > 0; absent edges weigh 0): the positions of the chosen edges, in order.
pub fn max_weight_edges(edges: &[(u32, u32, f64)]) -> Vec<usize> {
    let plain: Vec<(u32, u32)> = edges.iter().map(|&(t, p, _)| (t, p)).collect();
    let mut chosen = Vec::new();
    for group in components(&plain) {
        if group.len() == 1 {
            chosen.push(group[0]);
            continue;
        }
        let mut rows: Vec<u32> = group.iter().map(|&e| edges[e].0).collect();
        let mut cols: Vec<u32> = group.iter().map(|&e| edges[e].1).collect();
        rows.sort_unstable();
        rows.dedup();
        cols.sort_unstable();
        cols.dedup();
        let mut weights = vec![0.0; rows.len() * cols.len()];
        let mut edge_at = vec![usize::MAX; rows.len() * cols.len()];
        for &e in &group {
            let (t, p, w) = edges[e];
            let r = rows.binary_search(&t).expect("row of the component");
            let c = cols.binary_search(&p).expect("column of the component");
            weights[r * cols.len() + c] = w;
            edge_at[r * cols.len() + c] = e;
        }
        for (r, c) in max_weight_assignment(&weights, rows.len(), cols.len())
            .into_iter()
            .enumerate()
        {
            if let Some(c) = c {
                let e = edge_at[r * cols.len() + c];
                if e != usize::MAX {
                    chosen.push(e);
                }
            }
        }
    }
    chosen.sort_unstable();
    chosen
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
    fn max_weight_edges_prefers_the_larger_total() {
        // Greedy takes 0.9 and leaves one unpaired; the optimum takes 0.8 + 0.8.
        let edges = [(0, 0, 0.9), (0, 1, 0.8), (1, 0, 0.8), (2, 5, 0.3)];
        assert_eq!(max_weight_edges(&edges), vec![1, 2, 3]);
    }

    #[test]
    fn nearest_assignment_minimises_the_total_distance() {
        let a = [[0.0, 0.0], [10.0, 0.0]];
        let b = [[9.0, 0.0], [1.0, 0.0], [50.0, 0.0]];
        assert_eq!(nearest_assignment(&a, &b), vec![(0, 1, 1.0), (1, 0, 1.0)]);
    }
}
