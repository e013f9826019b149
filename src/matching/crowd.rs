//! A bound on overlapping nuclei, checked before anything is matched.
//!
//! A nucleus overlaps a few neighbours. Matching, the field's conventions and the anchors of
//! a study all hold every overlapping pair of a FOV, so their time and memory grow with the
//! pairs: 5,000 boxes drawn over each other are 25 million pairs, about a minute and 5 GB,
//! and 20,000 would exhaust the machine. Such a FOV is a data problem (boxes stacked on one
//! spot, a layer pasted twice, regions drawn as nuclei), so it is refused before matching,
//! with the FOV, its files and the count: a FOV may hold at most [`pair_limit`] pairs of
//! nuclei whose boxes overlap (a million, or 20 per nucleus in FOVs past 50,000 nuclei, which
//! keeps time and memory in proportion to the input). A million pairs (1,000 boxes stacked
//! on one spot) compare in about 2 s. Crowds below it are matched (optimally, or
//! greedily and counted past the component limit of [`super::assignment`]).
//!
//! ```
//! use nucagree::matching::crowd::{overlapping_pairs, pair_limit};
//! use nucagree::model::BoundingBox;
//!
//! let square = |x: f64| BoundingBox { xmin: x, ymin: 0.0, xmax: x + 10.0, ymax: 10.0 };
//! let a = [square(0.0), square(5.0), square(50.0)];
//! let b = [square(8.0), square(100.0)];
//! assert_eq!(overlapping_pairs(&a, &b, usize::MAX), 2);
//! assert_eq!(pair_limit(1_000), 1_000_000);
//! assert_eq!(pair_limit(1_000_000), 20_000_000);
//! ```

use super::pairing::FovPairing;
use super::Criterion;
use crate::error::{Error, Location, Problem, Result};
use crate::geometry::index::BoxIndex;
use crate::model::{AnnotationSet, BoundingBox, Fov};
use rayon::prelude::*;

/// Overlapping pairs every FOV may hold, however few its nuclei.
pub const MIN_PAIR_LIMIT: usize = 1_000_000;

/// Overlapping pairs allowed per nucleus in FOVs past [`MIN_PAIR_LIMIT`] / 20 nuclei.
pub const PAIRS_PER_NUCLEUS: usize = 20;

/// The most overlapping pairs a FOV of `nuclei` nuclei (both sides, or all raters) may hold.
pub fn pair_limit(nuclei: usize) -> usize {
    MIN_PAIR_LIMIT.max(PAIRS_PER_NUCLEUS.saturating_mul(nuclei))
}

/// How many pairs (one box of `a`, one of `b`) overlap, counted until the count passes
/// `limit` (so at most a little past it).
pub fn overlapping_pairs(a: &[BoundingBox], b: &[BoundingBox], limit: usize) -> usize {
    let index = BoxIndex::new(b);
    let mut count = 0usize;
    for query in a {
        count += index.overlapping(query).len();
        if count > limit {
            break;
        }
    }
    count
}

/// Which pairs of nuclei are candidates: those whose boxes overlap (IoU and the field's
/// conventions), or those whose centroids lie within a radius (centroid matching).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Candidates {
    Overlapping,
    WithinRadius(f64),
}

impl From<&Criterion> for Candidates {
    fn from(criterion: &Criterion) -> Candidates {
        match criterion {
            Criterion::Iou { .. } => Candidates::Overlapping,
            Criterion::Centroid { radius_px } => Candidates::WithinRadius(*radius_px),
        }
    }
}

/// The boxes whose overlap makes a candidate pair: the nuclei's boxes, or squares of half
/// the radius around the centroids (two points within the radius have overlapping squares).
fn candidate_boxes(fov: &Fov, candidates: Candidates) -> Vec<BoundingBox> {
    fov.nuclei
        .iter()
        .map(|n| match candidates {
            Candidates::Overlapping => n.bbox,
            Candidates::WithinRadius(radius) => {
                let [x, y] = n.shape.centroid();
                let half = radius / 2.0;
                BoundingBox {
                    xmin: x - half,
                    ymin: y - half,
                    xmax: x + half,
                    ymax: y + half,
                }
            }
        })
        .collect()
}

fn crowded(path: &std::path::Path, fov: &str, what: String, pairs: usize, limit: usize) -> Error {
    Error::input(
        Location::file(path),
        Problem::Invalid {
            message: format!(
                "FOV {fov:?}: more than {limit} pairs of nuclei overlap {what} ({pairs} counted \
                 before stopping): a nucleus overlaps a few neighbours, so this many overlaps \
                 are boxes stacked on one spot, a layer pasted twice or regions drawn as \
                 nuclei; expected at most {MIN_PAIR_LIMIT} overlapping pairs, or \
                 {PAIRS_PER_NUCLEUS} per nucleus"
            ),
        },
    )
}

/// Refuses a pair of FOVs (A's and the reference B's) whose candidate pairs pass
/// [`pair_limit`].
pub fn check_fov_pair(fov_a: &Fov, fov_b: &Fov, candidates: Candidates) -> Result<()> {
    let limit = pair_limit(fov_a.nuclei.len() + fov_b.nuclei.len());
    let pairs = overlapping_pairs(
        &candidate_boxes(fov_a, candidates),
        &candidate_boxes(fov_b, candidates),
        limit,
    );
    if pairs > limit {
        let what = format!("between this file and {}", fov_b.source.display());
        return Err(crowded(&fov_a.source, &fov_a.name, what, pairs, limit));
    }
    Ok(())
}

/// Refuses the first FOV shared by `a` and `b` (in A's order) that [`check_fov_pair`]
/// refuses.
pub fn require_bounded_crowds(
    a: &AnnotationSet,
    b: &AnnotationSet,
    candidates: Candidates,
) -> Result<()> {
    let shared = FovPairing::of(&a.fov_names(), &b.fov_names()).shared;
    shared
        .par_iter()
        .map(|&(i, j)| check_fov_pair(&a.fovs[i], &b.fovs[j], candidates))
        .collect::<Vec<Result<()>>>()
        .into_iter()
        .collect()
}

/// Refuses a study's FOV whose raters' nuclei (all raters together) hold more overlapping
/// pairs than [`pair_limit`]: `fovs` gives each FOV's name and its raters' FOVs.
pub fn require_bounded_study(fovs: &[(String, Vec<Option<&Fov>>)]) -> Result<()> {
    let refused: Vec<Error> = fovs
        .par_iter()
        .filter_map(|(name, by_rater)| {
            let boxes: Vec<BoundingBox> = by_rater
                .iter()
                .flatten()
                .flat_map(|fov| fov.nuclei.iter().map(|n| n.bbox))
                .collect();
            let limit = pair_limit(boxes.len());
            // Each pair counts twice (and each box with itself once).
            let pairs = overlapping_pairs(&boxes, &boxes, 2 * limit + boxes.len());
            let pairs = pairs.saturating_sub(boxes.len()) / 2;
            let source = by_rater.iter().flatten().next().map(|f| f.source.clone())?;
            (pairs > limit).then(|| {
                crowded(
                    &source,
                    name,
                    "among the raters' files".into(),
                    pairs,
                    limit,
                )
            })
        })
        .collect();
    match refused.into_iter().next() {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counting_stops_soon_after_the_limit() {
        let boxes = vec![
            BoundingBox {
                xmin: 0.0,
                ymin: 0.0,
                xmax: 10.0,
                ymax: 10.0,
            };
            100
        ];
        assert_eq!(overlapping_pairs(&boxes, &boxes, usize::MAX), 10_000);
        assert_eq!(overlapping_pairs(&boxes, &boxes, 250), 300);
    }
}
