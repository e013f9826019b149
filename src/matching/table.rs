//! What a matching says, for reports: its counts ([`MatchSummary`]) and its rows
//! ([`MatchRow`]: each pair, unmatched and cropped nucleus, with rows and classes).

use super::{FovMatch, MatchOptions, SetMatch};
use crate::model::{Fov, Measurements};
use serde::Serialize;
use std::sync::Arc;

/// Counts of a matching, for reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchSummary {
    pub options: MatchOptions,
    pub fovs: usize,
    pub fovs_only_in_a: usize,
    pub fovs_only_in_b: usize,
    /// Nuclei compared (after the FOV crop).
    pub nuclei_a: usize,
    pub nuclei_b: usize,
    pub pairs: usize,
    pub unmatched_a: usize,
    pub unmatched_b: usize,
    pub cropped_a: usize,
    pub cropped_b: usize,
    /// Mean IoU of matched pairs; `None` without pairs.
    pub mean_iou: Option<f64>,
    pub replaced_by_box: usize,
    /// Groups of overlapping nuclei too large to assign optimally, assigned greedily.
    pub greedy_components: usize,
}

impl MatchSummary {
    pub fn of(matched: &SetMatch, options: &MatchOptions) -> MatchSummary {
        let sum = |f: &dyn Fn(&FovMatch) -> usize| matched.fovs.iter().map(f).sum::<usize>();
        let pairs = matched.pair_count();
        let iou_total: f64 = matched
            .fovs
            .iter()
            .flat_map(|f| &f.pairs)
            .map(|p| p.iou)
            .sum();
        MatchSummary {
            options: *options,
            fovs: matched.fovs.len(),
            fovs_only_in_a: matched.only_in_a.len(),
            fovs_only_in_b: matched.only_in_b.len(),
            nuclei_a: sum(&|f| f.pairs.len() + f.unmatched_a.len()),
            nuclei_b: sum(&|f| f.pairs.len() + f.unmatched_b.len()),
            pairs,
            unmatched_a: sum(&|f| f.unmatched_a.len()),
            unmatched_b: sum(&|f| f.unmatched_b.len()),
            cropped_a: sum(&|f| f.cropped_a.len()),
            cropped_b: sum(&|f| f.cropped_b.len()),
            mean_iou: (pairs > 0).then(|| iou_total / pairs as f64),
            replaced_by_box: sum(&|f| f.replaced_by_box),
            greedy_components: sum(&|f| f.greedy_components),
        }
    }
}

/// What a row of the match table is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchStatus {
    Matched,
    UnmatchedA,
    UnmatchedB,
    CroppedA,
    CroppedB,
}

impl MatchStatus {
    pub fn name(self) -> &'static str {
        match self {
            MatchStatus::Matched => "matched",
            MatchStatus::UnmatchedA => "unmatched_a",
            MatchStatus::UnmatchedB => "unmatched_b",
            MatchStatus::CroppedA => "cropped_a",
            MatchStatus::CroppedB => "cropped_b",
        }
    }
}

/// One nucleus as the match table shows it: its row in the source file and its raw class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TableNucleus {
    pub row: u32,
    pub class: crate::model::ClassId,
    pub shape: crate::model::ShapeKind,
}

/// One row of the match table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MatchRow {
    pub status: MatchStatus,
    pub a: Option<TableNucleus>,
    pub b: Option<TableNucleus>,
    pub iou: Option<f64>,
    pub centroid_distance: Option<f64>,
}

/// One FOV's rows of the match table, and the measurements its nuclei came with (A's, B's).
#[derive(Debug, Clone)]
pub struct FovMatchRows {
    pub fov: String,
    pub rows: Vec<MatchRow>,
    pub measurements: [Option<Arc<Measurements>>; 2],
}

/// The rows of one FOV's matching: pairs, then unmatched and cropped nuclei of A and of B.
pub fn match_rows(fov_match: &FovMatch, fov_a: &Fov, fov_b: &Fov) -> FovMatchRows {
    let nucleus = |fov: &Fov, i: u32| {
        let n = &fov.nuclei[i as usize];
        Some(TableNucleus {
            row: n.row,
            class: n.class.id,
            shape: n.shape.kind(),
        })
    };
    let mut rows = Vec::with_capacity(
        fov_match.pairs.len() + fov_match.unmatched_a.len() + fov_match.unmatched_b.len(),
    );
    for p in &fov_match.pairs {
        rows.push(MatchRow {
            status: MatchStatus::Matched,
            a: nucleus(fov_a, p.a),
            b: nucleus(fov_b, p.b),
            iou: Some(p.iou),
            centroid_distance: Some(p.centroid_distance),
        });
    }
    let single = |status, a: Option<TableNucleus>, b: Option<TableNucleus>| MatchRow {
        status,
        a,
        b,
        iou: None,
        centroid_distance: None,
    };
    rows.extend(
        fov_match
            .unmatched_a
            .iter()
            .map(|&i| single(MatchStatus::UnmatchedA, nucleus(fov_a, i), None)),
    );
    rows.extend(
        fov_match
            .unmatched_b
            .iter()
            .map(|&i| single(MatchStatus::UnmatchedB, None, nucleus(fov_b, i))),
    );
    rows.extend(
        fov_match
            .cropped_a
            .iter()
            .map(|&i| single(MatchStatus::CroppedA, nucleus(fov_a, i), None)),
    );
    rows.extend(
        fov_match
            .cropped_b
            .iter()
            .map(|&i| single(MatchStatus::CroppedB, None, nucleus(fov_b, i))),
    );
    FovMatchRows {
        fov: fov_b.name.clone(),
        rows,
        measurements: [fov_a.measurements.clone(), fov_b.measurements.clone()],
    }
}
