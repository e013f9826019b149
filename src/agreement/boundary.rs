//! Boundary agreement: how closely the raters who outlined one nucleus agree on its outline.
//!
//! Per anchor outlined by at least two raters (an outline is a polygon or a box; points have
//! none), the consensus outline is the region at least half of those raters cover
//! ([`crate::geometry::consensus`], exact), and each rater is scored by the IoU of its outline
//! with it; the raters' outlines are compared pairwise by the symmetric Hausdorff distance
//! between their boundaries ([`crate::geometry::hausdorff`], every point of every edge). The
//! study's figures are then grouped by nucleus size: five equal-count groups of anchors by
//! consensus area (ties in the FOVs' and anchors' order), so that a reader sees whether small
//! nuclei disagree more.
//!
//! ```
//! use nucagree::agreement::boundary::anchor_boundary;
//! use nucagree::model::{BoundingBox, Shape};
//! let square = |x: f64| Shape::Box(BoundingBox { xmin: x, ymin: 0.0, xmax: x + 10.0, ymax: 10.0 });
//! let (a, b, c) = (square(0.0), square(2.0), square(4.0));
//! let (boundary, outline) = anchor_boundary(&[(0, &a), (1, &b), (2, &c)], true);
//! let boundary = boundary.unwrap();
//! // At least two of three cover x in [2, 12]: rater 1's box exactly.
//! assert_eq!(boundary.consensus_area, 100.0);
//! assert_eq!(boundary.iou, vec![Some(80.0 / 120.0), Some(1.0), Some(80.0 / 120.0)]);
//! // Pairs 2, 4 and 2 apart.
//! assert_eq!(boundary.mean_hausdorff, 8.0 / 3.0);
//! assert_eq!(outline, Some(Shape::Polygon(vec![[2.0, 0.0], [12.0, 0.0], [12.0, 10.0], [2.0, 10.0]])));
//! ```

use crate::geometry::consensus::{box_consensus, consensus};
use crate::geometry::hausdorff::{boundary_hausdorff, box_hausdorff, Boundary};
use crate::geometry::PreparedShape;
use crate::model::Shape;
use serde::Serialize;

/// Which outline the exported truth draws each anchor with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TruthOutline {
    /// The medoid: the member with the highest mean IoU to the others (a drawn outline).
    #[default]
    Medoid,
    /// The consensus region (covered by at least half the raters who outlined the anchor);
    /// the medoid where fewer than two raters outlined it or the region is empty.
    Consensus,
}

crate::choices!(TruthOutline {
    Medoid => "medoid",
    Consensus => "consensus",
});

/// How one anchor's outlines agree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnchorBoundary {
    /// The raters who outlined the anchor, in rater order.
    pub raters: Vec<u16>,
    /// The area of the region at least half of them cover.
    pub consensus_area: f64,
    /// Each one's IoU with that region (`None` when both are empty), in `raters`' order.
    pub iou: Vec<Option<f64>>,
    /// Each one's mean symmetric Hausdorff distance to the others' outlines.
    pub hausdorff: Vec<f64>,
    /// The mean symmetric Hausdorff distance over pairs of them.
    pub mean_hausdorff: f64,
}

/// The boundary agreement of one anchor's outlines (`(rater, outline)`, points left out by
/// the caller or here), and the consensus outline when `draw`; `None` for fewer than two
/// outlines. A self-intersecting outline counts as its bounding box, as everywhere in
/// nucagree's geometry.
pub fn anchor_boundary(
    outlines: &[(u16, &Shape)],
    draw: bool,
) -> (Option<AnchorBoundary>, Option<Shape>) {
    let prepared: Vec<(u16, PreparedShape)> = outlines
        .iter()
        .map(|&(rater, shape)| (rater, PreparedShape::new(shape)))
        .filter(|(_, p)| !p.is_point())
        .collect();
    let k = prepared.len();
    if k < 2 {
        return (None, None);
    }
    let all_boxes = prepared.iter().all(|(_, p)| p.is_box());
    // Boxes need their rings only for the consensus outline.
    let rings: Vec<_> = if all_boxes && !draw {
        Vec::new()
    } else {
        prepared.iter().map(|(_, p)| p.rings()).collect()
    };
    let depth = k.div_ceil(2);
    // Boxes (NuCLS's rectangles) by their cells, the same region without a sweep.
    let region = if all_boxes {
        let boxes: Vec<_> = prepared.iter().map(|(_, p)| p.bbox).collect();
        let mut region = box_consensus(&boxes, depth);
        if draw {
            region.outline = consensus(&rings, depth, true).outline;
        }
        region
    } else {
        consensus(&rings, depth, draw)
    };
    // Each outline's boundary made ready once for its k - 1 pairs (two boxes need none).
    let boundaries: Vec<Boundary> = if all_boxes {
        Vec::new()
    } else {
        rings.iter().map(Boundary::new).collect()
    };
    let mut hausdorff_sums = vec![0.0; k];
    let mut total = 0.0;
    for i in 0..k {
        for j in i + 1..k {
            let (a, b) = (&prepared[i].1, &prepared[j].1);
            let distance = if a.is_box() && b.is_box() {
                box_hausdorff(&a.bbox, &b.bbox)
            } else {
                boundary_hausdorff(&boundaries[i], &boundaries[j])
            };
            hausdorff_sums[i] += distance;
            hausdorff_sums[j] += distance;
            total += distance;
        }
    }
    let pairs = (k * (k - 1) / 2) as f64;
    let boundary = AnchorBoundary {
        raters: prepared.iter().map(|(rater, _)| *rater).collect(),
        consensus_area: region.area,
        iou: (0..k).map(|i| region.iou(i)).collect(),
        hausdorff: hausdorff_sums
            .iter()
            .map(|sum| sum / (k - 1) as f64)
            .collect(),
        mean_hausdorff: total / pairs,
    };
    (Some(boundary), region.outline)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::coverage::square;

    #[test]
    fn one_outline_or_points_only_have_no_boundary_agreement() {
        let a = square(0.0, 0.0, 10.0);
        let point = Shape::Point([5.0, 5.0]);
        assert_eq!(anchor_boundary(&[(0, &a)], true), (None, None));
        assert_eq!(anchor_boundary(&[(0, &a), (1, &point)], true), (None, None));
    }

    #[test]
    fn two_raters_agree_on_their_union() {
        // At least half of two is one: the consensus is the union.
        let (a, b) = (square(0.0, 0.0, 10.0), square(5.0, 0.0, 10.0));
        let (boundary, outline) = anchor_boundary(&[(3, &a), (7, &b)], false);
        let boundary = boundary.unwrap();
        assert_eq!(boundary.raters, vec![3, 7]);
        assert_eq!(boundary.consensus_area, 150.0);
        assert_eq!(boundary.iou, vec![Some(100.0 / 150.0); 2]);
        assert_eq!(boundary.hausdorff, vec![5.0, 5.0]);
        assert_eq!(boundary.mean_hausdorff, 5.0);
        assert_eq!(outline, None);
    }

    #[test]
    fn a_rectangle_drawn_as_a_polygon_counts_as_a_box() {
        let rectangle = Shape::Polygon(vec![[0.0, 10.0], [0.0, 0.0], [10.0, 0.0], [10.0, 10.0]]);
        assert!(PreparedShape::new(&rectangle).is_box());
        let triangle = Shape::Polygon(vec![[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]]);
        assert!(!PreparedShape::new(&triangle).is_box());
        let b = square(5.0, 0.0, 10.0);
        let boxes = anchor_boundary(&[(0, &square(0.0, 0.0, 10.0)), (1, &b)], false);
        assert_eq!(anchor_boundary(&[(0, &rectangle), (1, &b)], false), boxes);
    }

    #[test]
    fn polygons_and_boxes_mix() {
        // A triangle and its bounding box: the consensus is the box (union of two), the
        // triangle's IoU one half, and the box's far corner 5√2 from the hypotenuse.
        let triangle = Shape::Polygon(vec![[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]]);
        let b = square(0.0, 0.0, 10.0);
        let (boundary, _) = anchor_boundary(&[(0, &triangle), (1, &b)], true);
        let boundary = boundary.unwrap();
        assert_eq!(boundary.iou, vec![Some(0.5), Some(1.0)]);
        assert!((boundary.mean_hausdorff - 50f64.sqrt()).abs() < 1e-8);
    }
}
