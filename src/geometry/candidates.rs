//! The pairs of outlines whose IoU can reach a threshold, found through an R-tree over one
//! side's boxes and pruned by IoU's cheap upper bound: the one candidate search behind
//! matching two sets and clustering raters' nuclei into anchors.
//!
//! ```
//! use nucagree::geometry::candidates::iou_candidates;
//! use nucagree::geometry::{IouOptions, PreparedShape};
//! use nucagree::model::{BoundingBox, Shape};
//!
//! let options = IouOptions::default();
//! let square = |x: f64| {
//!     let shape = Shape::Box(BoundingBox { xmin: x, ymin: 0.0, xmax: x + 10.0, ymax: 10.0 });
//!     PreparedShape::for_iou(&shape, &options)
//! };
//! let a = [square(0.0), square(100.0)];
//! let b = [square(5.0), square(2.0)];
//! let (refs_a, refs_b): (Vec<_>, Vec<_>) = (a.iter().collect(), b.iter().collect());
//! let pairs = iou_candidates(&refs_a, &refs_b, &options, 0.3, |_, _| true);
//! assert_eq!(pairs.len(), 2);
//! assert_eq!((pairs[0].0, pairs[0].1), (0, 0));
//! assert!((pairs[0].2 - 50.0 / 150.0).abs() < 1e-12);
//! ```

use super::index::BoxIndex;
use super::{iou_at_least, IouOptions, PreparedShape};
use crate::model::BoundingBox;

/// Pairs (position in A, position in B, IoU) whose boxes overlap, that `keep` allows, and
/// whose IoU under `options` passes [`iou_at_least`] at `threshold` and is positive. Points
/// pair with nothing. In A's order, then B's.
pub fn iou_candidates(
    shapes_a: &[&PreparedShape],
    shapes_b: &[&PreparedShape],
    options: &IouOptions,
    threshold: f64,
    keep: impl Fn(usize, usize) -> bool,
) -> Vec<(u32, u32, f64)> {
    let boxes: Vec<BoundingBox> = shapes_b.iter().map(|s| s.bbox).collect();
    let index = BoxIndex::new(&boxes);
    let mut pairs = Vec::new();
    for (i, a) in shapes_a.iter().enumerate() {
        if a.is_point() {
            continue;
        }
        for j in index.overlapping(&a.bbox) {
            if !keep(i, j as usize) {
                continue;
            }
            if let Some(value) = iou_at_least(a, shapes_b[j as usize], options, threshold) {
                if value > 0.0 {
                    pairs.push((i as u32, j, value));
                }
            }
        }
    }
    pairs
}
