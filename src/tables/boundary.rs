//! The boundary agreement of `agree` as polars DataFrames: by nucleus size and by rater.

use super::Columns;
use crate::agreement::boundary_summary::BoundaryReport;
use crate::error::Result;
use polars::prelude::DataFrame;

/// One row per size group (quintiles of consensus area, smallest first) and a last row
/// `all`: anchors, outlines, the area range (px²), mean and median IoU of the raters' outlines
/// with the consensus, mean and median of each anchor's mean pairwise Hausdorff distance
/// (px), and each group's mean IoU with the consensus (`mean_iou_consensus_<group>`).
pub fn boundary_by_size(report: &BoundaryReport) -> Result<DataFrame> {
    let rows: Vec<_> = report.by_size.iter().chain([&report.overall]).collect();
    let mut c = Columns::default();
    c.map("size", &rows, |r| match r.quintile {
        Some(q) => format!("Q{q}"),
        None => "all".to_string(),
    })
    .map("anchors", &rows, |r| r.anchors as u64)
    .map("outlines", &rows, |r| r.outlines as u64)
    .map("area_min", &rows, |r| r.area_min)
    .map("area_max", &rows, |r| r.area_max)
    .map("mean_iou_consensus", &rows, |r| r.mean_iou)
    .map("median_iou_consensus", &rows, |r| r.median_iou)
    .map("mean_hausdorff", &rows, |r| r.mean_hausdorff)
    .map("median_hausdorff", &rows, |r| r.median_hausdorff);
    for g in &report.groups {
        // The `all` row: the mean over the group's outlines of every size.
        let values: Vec<Option<f64>> = g
            .mean_iou
            .iter()
            .copied()
            .chain([g.overall_mean_iou])
            .collect();
        c.add(&format!("mean_iou_consensus_{}", g.group), values);
    }
    c.frame("the boundary-by-size table")
}

/// One row per rater: its group, the measured anchors it outlined, its mean and median IoU
/// with the consensus, and its mean Hausdorff distance to the other raters (px).
pub fn boundary_by_rater(report: &BoundaryReport) -> Result<DataFrame> {
    let rows = &report.raters;
    let mut c = Columns::default();
    c.map("rater", rows, |r| r.rater.clone())
        .map("group", rows, |r| r.group.clone())
        .map("anchors", rows, |r| r.anchors as u64)
        .map("mean_iou_consensus", rows, |r| r.mean_iou)
        .map("median_iou_consensus", rows, |r| r.median_iou)
        .map("mean_hausdorff", rows, |r| r.mean_hausdorff);
    c.frame("the boundary-by-rater table")
}
