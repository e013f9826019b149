//! The study's boundary agreement from its anchors': over every measured anchor, by nucleus
//! size (five equal-count groups by consensus area, ties in the FOVs' and anchors' order) and
//! by rater, with Spearman's correlation of size with agreement.
//!
//! An anchor is measured when at least two raters outlined it. IoU figures are taken over
//! outlines (each measured rater's outline of each measured anchor counts once); Hausdorff
//! figures over anchors (each anchor's mean over its pairs of raters counts once).

use super::boundary::{AnchorBoundary, TruthOutline};
use super::study::Study;
use super::truth_set::FovGeometry;
use crate::stats::bootstrap::quantile;
use crate::stats::rank_tests::spearman;
use serde::Serialize;

/// The number of size groups.
pub const SIZE_GROUPS: usize = 5;

/// Boundary agreement over a group of anchors.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct SizeBand {
    /// 1 (smallest) to 5 (largest); `None` for every measured anchor.
    pub quintile: Option<usize>,
    pub anchors: usize,
    pub outlines: usize,
    /// The smallest and largest consensus area in the group (px²).
    pub area_min: Option<f64>,
    pub area_max: Option<f64>,
    /// Mean and median IoU of the raters' outlines with the consensus.
    pub mean_iou: Option<f64>,
    pub median_iou: Option<f64>,
    /// Mean and median over anchors of the mean pairwise symmetric Hausdorff distance (px).
    pub mean_hausdorff: Option<f64>,
    pub median_hausdorff: Option<f64>,
}

/// One rater's boundary agreement over the measured anchors it outlined.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RaterBoundary {
    pub rater: String,
    pub group: String,
    pub anchors: usize,
    pub mean_iou: Option<f64>,
    pub median_iou: Option<f64>,
    /// The mean over its anchors of its mean Hausdorff distance to the other raters (px).
    pub mean_hausdorff: Option<f64>,
}

/// One group's outlines by size group: mean IoU with the consensus and how many outlines.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupBoundary {
    pub group: String,
    /// Per size group, smallest first.
    pub mean_iou: Vec<Option<f64>>,
    pub outlines: Vec<usize>,
    /// Over the group's outlines of every size.
    pub overall_mean_iou: Option<f64>,
}

/// The study's boundary agreement.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct BoundaryReport {
    /// The outline the exported truth draws each anchor with.
    pub truth_outline: TruthOutline,
    /// Anchors outlined by at least two raters: those measured.
    pub anchors: usize,
    /// Anchors outlined by fewer than two raters (one outline, or points only).
    pub unmeasured: usize,
    /// Measured anchors whose consensus region is empty (drawn in the truth by their medoid
    /// when the truth outline is the consensus).
    pub empty_consensus: usize,
    /// Truth outlines of several pieces or with holes, which the truth set's CSVs hold as the
    /// largest piece's outer ring.
    pub outlines_of_pieces: usize,
    pub overall: SizeBand,
    /// The five size groups, smallest first (their anchors add up to `anchors`).
    pub by_size: Vec<SizeBand>,
    pub raters: Vec<RaterBoundary>,
    /// Each group's outlines by size group (groups in the study's order).
    pub groups: Vec<GroupBoundary>,
    /// Spearman's ρ of an anchor's consensus area with its raters' mean IoU with the
    /// consensus, and with its mean pairwise Hausdorff distance.
    pub size_iou_spearman: Option<f64>,
    pub size_hausdorff_spearman: Option<f64>,
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    (!sorted.is_empty()).then(|| quantile(&sorted, 0.5))
}

/// The figures of a group of measured anchors.
fn band(quintile: Option<usize>, anchors: &[&AnchorBoundary]) -> SizeBand {
    let ious: Vec<f64> = anchors
        .iter()
        .flat_map(|b| b.iou.iter().flatten().copied())
        .collect();
    let distances: Vec<f64> = anchors.iter().map(|b| b.mean_hausdorff).collect();
    let areas = anchors.iter().map(|b| b.consensus_area);
    SizeBand {
        quintile,
        anchors: anchors.len(),
        outlines: anchors.iter().map(|b| b.raters.len()).sum(),
        area_min: areas.clone().reduce(f64::min),
        area_max: areas.reduce(f64::max),
        mean_iou: mean(&ious),
        median_iou: median(&ious),
        mean_hausdorff: mean(&distances),
        median_hausdorff: median(&distances),
    }
}

/// The study's boundary agreement from each FOV's anchors (`geometry`, in the study's order).
pub fn boundary_report(
    study: &Study<'_>,
    geometry: &[FovGeometry],
    truth_outline: TruthOutline,
) -> BoundaryReport {
    let all: Vec<&Option<AnchorBoundary>> = geometry.iter().flat_map(|g| &g.boundaries).collect();
    let measured: Vec<&AnchorBoundary> = all.iter().filter_map(|b| b.as_ref()).collect();
    let mut by_area: Vec<usize> = (0..measured.len()).collect();
    by_area.sort_by(|&a, &b| {
        measured[a]
            .consensus_area
            .total_cmp(&measured[b].consensus_area)
    });
    let n = measured.len();
    let quintiles: Vec<Vec<&AnchorBoundary>> = (0..SIZE_GROUPS)
        .map(|q| {
            by_area[q * n / SIZE_GROUPS..(q + 1) * n / SIZE_GROUPS]
                .iter()
                .map(|&i| measured[i])
                .collect()
        })
        .collect();
    let by_size = quintiles
        .iter()
        .enumerate()
        .map(|(q, anchors)| band(Some(q + 1), anchors))
        .collect();
    let mut group_names: Vec<&String> = study.groups.iter().collect();
    group_names.sort();
    group_names.dedup();
    let groups = group_names
        .into_iter()
        .map(|group| {
            let of_group: Vec<Vec<f64>> = quintiles
                .iter()
                .map(|anchors| {
                    anchors
                        .iter()
                        .flat_map(|b| {
                            b.raters
                                .iter()
                                .zip(&b.iou)
                                .filter(|(&r, _)| &study.groups[usize::from(r)] == group)
                                .filter_map(|(_, iou)| *iou)
                        })
                        .collect()
                })
                .collect();
            GroupBoundary {
                group: group.clone(),
                mean_iou: of_group.iter().map(|v| mean(v)).collect(),
                outlines: of_group.iter().map(Vec::len).collect(),
                overall_mean_iou: mean(&of_group.concat()),
            }
        })
        .collect();
    // Each rater's IoUs and distances, in one pass over the anchors.
    let mut of_rater: Vec<(Vec<f64>, Vec<f64>)> = vec![Default::default(); study.raters.len()];
    for b in &measured {
        for ((&r, iou), &distance) in b.raters.iter().zip(&b.iou).zip(&b.hausdorff) {
            let (ious, distances) = &mut of_rater[usize::from(r)];
            ious.extend(*iou);
            distances.push(distance);
        }
    }
    let raters = of_rater
        .iter()
        .enumerate()
        .map(|(r, (ious, distances))| RaterBoundary {
            rater: study.raters[r].clone(),
            group: study.groups[r].clone(),
            anchors: distances.len(),
            mean_iou: mean(ious),
            median_iou: median(ious),
            mean_hausdorff: mean(distances),
        })
        .collect();
    let (iou_areas, anchor_iou): (Vec<f64>, Vec<f64>) = measured
        .iter()
        .filter_map(|b| {
            let ious: Vec<f64> = b.iou.iter().flatten().copied().collect();
            Some((b.consensus_area, mean(&ious)?))
        })
        .unzip();
    let areas: Vec<f64> = measured.iter().map(|b| b.consensus_area).collect();
    let distances: Vec<f64> = measured.iter().map(|b| b.mean_hausdorff).collect();
    BoundaryReport {
        truth_outline,
        anchors: n,
        unmeasured: all.len() - n,
        empty_consensus: measured.iter().filter(|b| b.consensus_area == 0.0).count(),
        outlines_of_pieces: geometry
            .iter()
            .flat_map(|g| &g.outlines)
            .filter(|o| matches!(o, Some(crate::model::Shape::Pieces(_))))
            .count(),
        overall: band(None, &measured),
        by_size,
        raters,
        groups,
        size_iou_spearman: spearman(&iou_areas, &anchor_iou),
        size_hausdorff_spearman: spearman(&areas, &distances),
    }
}
