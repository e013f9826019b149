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
/// The optimal one-to-one assignment by component, as the peers solve it; a component too
/// large to solve in seconds (hundreds of instances drawn over each other, which a label map
/// cannot hold) is assigned greedily, and the image counted in
/// [`super::images::Measured::approximated`].
pub use crate::matching::assignment::max_weight_edges;

/// Centroid pairs (one side's count times the other's) up to which HoVer-Net's dense
/// assignment ([`nearest_assignment`]) is used: 4 million (2,000 × 2,000 instances in one
/// image, a 32 MB matrix and about a second); past it, or where overlapping instances crowd
/// ([`InstanceImage::crowded`]), [`nearest_within`].
pub const NEAREST_DENSE_LIMIT: usize = 4_000_000;

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

/// The assignment over pairs within `radius` only (each pair worth more than any sum of
/// distances: most pairs first, then the least total distance), for images too crowded for
/// the dense matrix ([`InstanceImage::crowded`]). Not always the peer's assignment, which may
/// give up a near pair for a shorter total over far ones: such images are counted in
/// [`super::images::Measured::approximated`].
pub fn nearest_within(a: &[[f64; 2]], b: &[[f64; 2]], radius: f64) -> Vec<(usize, usize, f64)> {
    let distance = |i: usize, j: usize| {
        let (dx, dy) = (a[i][0] - b[j][0], a[i][1] - b[j][1]);
        (dx * dx + dy * dy).sqrt()
    };
    // `b` in square cells of the radius's side: a point's pairs are in its cell's 3 x 3 block.
    let side = radius.max(f64::MIN_POSITIVE);
    let cell = |p: &[f64; 2]| ((p[0] / side).floor() as i64, (p[1] / side).floor() as i64);
    let mut cells: std::collections::HashMap<(i64, i64), Vec<u32>> =
        std::collections::HashMap::new();
    for (j, point) in b.iter().enumerate() {
        cells.entry(cell(point)).or_default().push(j as u32);
    }
    let mut edges = Vec::new();
    let mut found = Vec::new();
    let mut near: Vec<u32> = Vec::new();
    for (i, point) in a.iter().enumerate() {
        let (cx, cy) = cell(point);
        near.clear();
        for dx in -1..=1 {
            for dy in -1..=1 {
                if let Some(members) = cells.get(&(cx + dx, cy + dy)) {
                    near.extend(
                        members
                            .iter()
                            .filter(|&&j| distance(i, j as usize) <= radius),
                    );
                }
            }
        }
        // In the order of `b`'s x, then position, so that ties fall as they always have.
        near.sort_unstable_by(|&j, &k| {
            b[j as usize][0]
                .total_cmp(&b[k as usize][0])
                .then(j.cmp(&k))
        });
        for &j in &near {
            let d = distance(i, j as usize);
            edges.push((i as u32, j, 1.0 + (radius - d) / (radius + 1.0)));
            found.push(d);
        }
    }
    max_weight_edges(&edges)
        .into_iter()
        .map(|e| (edges[e].0 as usize, edges[e].1 as usize, found[e]))
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

    #[test]
    fn an_image_is_crowded_past_the_dense_limit_or_with_a_crowd_drawn_over_itself() {
        use crate::conventions::{Coverage, Instance, Overlap};
        let instance = |x: f64| Instance {
            area: 25.0,
            class: 0,
            centroid: [x, 0.0],
        };
        let image = |truth: usize, pred: usize, overlaps: Vec<Overlap>| InstanceImage {
            name: "img".into(),
            group: None,
            truth: (0..truth).map(|i| instance(5.0 * i as f64)).collect(),
            pred: (0..pred).map(|i| instance(5.0 * i as f64)).collect(),
            overlaps,
            foreground: Coverage::default(),
        };
        assert!(!image(2000, 2000, vec![]).crowded());
        assert!(image(2001, 2000, vec![]).crowded());
        // 600 × 600 instances all overlapping each other: 600 × 360,000 > 2 × 10^8.
        let all_pairs = |n: u32| -> Vec<Overlap> {
            (0..n)
                .flat_map(|t| {
                    (0..n).map(move |p| Overlap {
                        truth: t,
                        pred: p,
                        area: 1.0,
                    })
                })
                .collect()
        };
        assert!(image(600, 600, all_pairs(600)).crowded());
        assert!(!image(580, 580, all_pairs(580)).crowded());
    }

    #[test]
    fn crowded_images_pair_within_the_radius() {
        // 2,001 × 2,001 points on a line 5 px apart, the prediction shifted by 2 px: past the
        // dense limit, every point pairs with its own neighbour at 2 px.
        let a: Vec<[f64; 2]> = (0..2001).map(|i| [5.0 * i as f64, 0.0]).collect();
        let b: Vec<[f64; 2]> = a.iter().map(|p| [p[0] + 2.0, 0.0]).collect();
        let pairs = nearest_within(&a, &b, 12.0);
        assert_eq!(pairs.len(), 2001);
        assert!(pairs.iter().all(|&(i, j, d)| i == j && d == 2.0));
    }

    proptest::proptest! {
        #[test]
        fn the_grid_finds_the_pairs_the_strip_did(
            a in proptest::collection::vec((0.0..200.0f64, 0.0..200.0f64), 0..60),
            b in proptest::collection::vec((0.0..200.0f64, 0.0..200.0f64), 0..60),
        ) {
            let points = |v: &[(f64, f64)]| -> Vec<[f64; 2]> { v.iter().map(|&(x, y)| [x, y]).collect() };
            let (a, b) = (points(&a), points(&b));
            // The strip of x within the radius, as before the grid.
            let radius = 12.0;
            let mut by_x: Vec<usize> = (0..b.len()).collect();
            by_x.sort_by(|&i, &j| b[i][0].total_cmp(&b[j][0]));
            let mut edges = Vec::new();
            let mut found = Vec::new();
            for (i, p) in a.iter().enumerate() {
                for &j in &by_x {
                    let d = ((p[0] - b[j][0]).powi(2) + (p[1] - b[j][1]).powi(2)).sqrt();
                    if d <= radius {
                        edges.push((i as u32, j as u32, 1.0 + (radius - d) / (radius + 1.0)));
                        found.push(d);
                    }
                }
            }
            let strip: Vec<(usize, usize, f64)> = max_weight_edges(&edges)
                .into_iter()
                .map(|e| (edges[e].0 as usize, edges[e].1 as usize, found[e]))
                .collect();
            proptest::prop_assert_eq!(nearest_within(&a, &b, radius), strip);
        }
    }
}
