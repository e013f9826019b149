//! One-to-one matching of two annotation sets' nuclei, FOV by FOV.
//!
//! Candidates come from an R-tree over bounding boxes (never all pairs). Pairs are kept at
//! IoU >= the threshold (or, in centroid matching, at a centroid distance <= the radius), then
//! assigned one to one:
//! - [`Assignment::Optimal`]: the largest total IoU, by the Hungarian method on each connected
//!   component of the candidate graph (in centroid matching: the most pairs, and among those
//!   the smallest total distance);
//! - [`Assignment::GreedyIou`]: pairs by IoU descending (distance ascending);
//! - [`Assignment::GreedyScore`]: as pycocotools, nuclei of A (predictions) by score
//!   descending, each taking the free nucleus of B with the highest IoU.
//!
//! Ties are broken by row ids, so results are deterministic; FOVs run in parallel and the
//! result does not depend on the thread count.
//!
//! HoVer-Net's `pair_coordinates` solves one assignment minimising the total distance over
//! all pairs and only then drops pairs farther than the radius, which can lose pairs that a
//! radius-first matching keeps; [`Criterion::Centroid`] here maximises the pairs within the
//! radius first.

pub mod assignment;
pub mod crowd;
pub mod pairing;
pub mod roi;
pub mod sparse_assignment;
pub mod stream;
pub mod table;
pub mod tiles;

use crate::geometry::candidates::iou_candidates;
use crate::geometry::index::BoxIndex;
use crate::geometry::{iou, IouOptions, PreparedShape};
use crate::model::{AnnotationSet, BoundingBox, Fov};
use pairing::FovPairing;
use rayon::prelude::*;
use serde::Serialize;

/// What makes two nuclei a candidate pair.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "criterion", rename_all = "lowercase")]
pub enum Criterion {
    /// IoU at or above `threshold`.
    Iou { threshold: f64, options: IouOptions },
    /// Centroids at most `radius_px` apart.
    Centroid { radius_px: f64 },
}

/// What pairs nuclei, by name: IoU or centroid distance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CriterionKind {
    #[default]
    Iou,
    Centroid,
}

crate::choices!(CriterionKind {
    Iou => "iou",
    Centroid => "centroid",
});

impl Criterion {
    /// Which kind of criterion it is.
    pub fn kind(&self) -> CriterionKind {
        match self {
            Criterion::Iou { .. } => CriterionKind::Iou,
            Criterion::Centroid { .. } => CriterionKind::Centroid,
        }
    }
}

/// How candidate pairs become a one-to-one matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Assignment {
    #[default]
    Optimal,
    GreedyIou,
    GreedyScore,
}

crate::choices!(Assignment {
    Optimal => "optimal",
    GreedyIou => "greedy",
    GreedyScore => "greedy-score",
});

/// Whether nuclei centred outside the FOV region are left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FovCrop {
    /// Leave out nuclei of either set whose centroid lies outside the FOV region of the
    /// reference set B (of A where B has none), as the NuCLS evaluation crops to the FOV.
    #[default]
    ReferenceRegion,
    Off,
}

crate::choices!(FovCrop {
    ReferenceRegion => "reference",
    Off => "off",
});

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MatchOptions {
    pub criterion: Criterion,
    pub assignment: Assignment,
    pub crop: FovCrop,
}

impl MatchOptions {
    /// The IoU the matching computes (polygon IoU under centroid matching, for the pairs'
    /// reported IoU).
    pub fn iou_options(&self) -> IouOptions {
        match self.criterion {
            Criterion::Iou { options, .. } => options,
            Criterion::Centroid { .. } => IouOptions::default(),
        }
    }
}

impl Default for MatchOptions {
    fn default() -> MatchOptions {
        MatchOptions {
            criterion: Criterion::Iou {
                threshold: 0.5,
                options: IouOptions::default(),
            },
            assignment: Assignment::Optimal,
            crop: FovCrop::ReferenceRegion,
        }
    }
}

/// A matched pair: positions in the FOV's `nuclei` of A and of B.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Pair {
    pub a: u32,
    pub b: u32,
    /// IoU under the matching's IoU options (box IoU in centroid matching).
    pub iou: f64,
    pub centroid_distance: f64,
}

/// The matching of one FOV.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FovMatch {
    pub fov: String,
    /// Sorted by `a`.
    pub pairs: Vec<Pair>,
    pub unmatched_a: Vec<u32>,
    pub unmatched_b: Vec<u32>,
    /// Nuclei left out by the FOV crop.
    pub cropped_a: Vec<u32>,
    pub cropped_b: Vec<u32>,
    /// Self-intersecting outlines compared by their bounding box.
    pub replaced_by_box: usize,
    /// Groups of overlapping candidates too large to assign optimally (past
    /// [`assignment::SPARSE_LIMIT`]), assigned greedily.
    pub greedy_components: usize,
}

/// The matching of two sets.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SetMatch {
    /// FOVs present in both sets, by name.
    pub fovs: Vec<FovMatch>,
    /// FOVs only one set has (not compared).
    pub only_in_a: Vec<String>,
    pub only_in_b: Vec<String>,
}

impl SetMatch {
    pub fn pair_count(&self) -> usize {
        self.fovs.iter().map(|f| f.pairs.len()).sum()
    }
}

/// A candidate pair before assignment.
#[derive(Debug, Clone, Copy)]
struct Edge {
    a: u32,
    b: u32,
    iou: f64,
    distance: f64,
}

/// Matches the FOVs the two sets share, in parallel.
pub fn match_sets(a: &AnnotationSet, b: &AnnotationSet, options: &MatchOptions) -> SetMatch {
    let pairing = FovPairing::of(&a.fov_names(), &b.fov_names());
    SetMatch {
        fovs: pairing
            .shared
            .par_iter()
            .map(|&(i, j)| match_fov(&a.fovs[i], &b.fovs[j], options))
            .collect(),
        only_in_a: pairing.only_in_a,
        only_in_b: pairing.only_in_b,
    }
}

/// Splits nuclei positions into kept and cropped by the region.
/// Splits nuclei positions into kept and cropped by the region; returns the kept ones'
/// centroids too.
fn crop(fov: &Fov, region: Option<BoundingBox>) -> (Vec<u32>, Vec<[f64; 2]>, Vec<u32>) {
    let mut kept = Vec::with_capacity(fov.nuclei.len());
    let mut centroids = Vec::with_capacity(fov.nuclei.len());
    let mut cropped = Vec::new();
    for (i, n) in fov.nuclei.iter().enumerate() {
        let c = n.shape.centroid();
        match region {
            Some(r) if !r.contains(c) => cropped.push(i as u32),
            _ => {
                kept.push(i as u32);
                centroids.push(c);
            }
        }
    }
    (kept, centroids, cropped)
}

/// Matches the nuclei of one FOV of A against the same FOV of B (the reference).
pub fn match_fov(fov_a: &Fov, fov_b: &Fov, options: &MatchOptions) -> FovMatch {
    let region = match options.crop {
        FovCrop::ReferenceRegion => fov_b.region.or(fov_a.region),
        FovCrop::Off => None,
    };
    let (kept_a, centres_a, cropped_a) = crop(fov_a, region);
    let (kept_b, centres_b, cropped_b) = crop(fov_b, region);
    let iou_options = options.iou_options();
    let prepare = |fov: &Fov, kept: &[u32]| -> Vec<PreparedShape> {
        kept.iter()
            .map(|&i| PreparedShape::for_iou(&fov.nuclei[i as usize].shape, &iou_options))
            .collect()
    };
    let shapes_a = prepare(fov_a, &kept_a);
    let shapes_b = prepare(fov_b, &kept_b);
    let replaced_by_box = shapes_a
        .iter()
        .chain(&shapes_b)
        .filter(|s| s.replaced_by_box)
        .count();
    let distance =
        |a: [f64; 2], b: [f64; 2]| ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt();

    // Candidate edges, in local positions (indices into kept_a / kept_b).
    let mut edges: Vec<Edge> = Vec::new();
    match options.criterion {
        Criterion::Iou {
            threshold,
            options: iou_options,
        } => {
            let refs_a: Vec<&PreparedShape> = shapes_a.iter().collect();
            let refs_b: Vec<&PreparedShape> = shapes_b.iter().collect();
            for (la, lb, value) in
                iou_candidates(&refs_a, &refs_b, &iou_options, threshold, |_, _| true)
            {
                edges.push(Edge {
                    a: la,
                    b: lb,
                    iou: value,
                    distance: distance(centres_a[la as usize], centres_b[lb as usize]),
                });
            }
        }
        Criterion::Centroid { radius_px } => {
            let points: Vec<BoundingBox> = centres_b
                .iter()
                .map(|c| BoundingBox {
                    xmin: c[0],
                    ymin: c[1],
                    xmax: c[0],
                    ymax: c[1],
                })
                .collect();
            let index = BoxIndex::new(&points);
            for (la, &c) in centres_a.iter().enumerate() {
                let query = BoundingBox {
                    xmin: c[0] - radius_px,
                    ymin: c[1] - radius_px,
                    xmax: c[0] + radius_px,
                    ymax: c[1] + radius_px,
                };
                for lb in index.overlapping(&query) {
                    let d = distance(c, centres_b[lb as usize]);
                    if d <= radius_px {
                        let value = iou(
                            &shapes_a[la],
                            &shapes_b[lb as usize],
                            &IouOptions::default(),
                        );
                        edges.push(Edge {
                            a: la as u32,
                            b: lb,
                            iou: value,
                            distance: d,
                        });
                    }
                }
            }
        }
    }
    let by_distance = matches!(options.criterion, Criterion::Centroid { .. });
    let (chosen, greedy_components) = match options.assignment {
        Assignment::Optimal => optimal(&edges, by_distance, options),
        Assignment::GreedyIou => (greedy(edges, by_distance), 0),
        Assignment::GreedyScore => {
            let scores: Vec<Option<f64>> = kept_a
                .iter()
                .map(|&i| fov_a.nuclei[i as usize].score)
                .collect();
            (greedy_by_score(&edges, &scores, by_distance), 0)
        }
    };
    let mut matched_a = vec![false; kept_a.len()];
    let mut matched_b = vec![false; kept_b.len()];
    let mut pairs: Vec<Pair> = chosen
        .iter()
        .map(|e| {
            matched_a[e.a as usize] = true;
            matched_b[e.b as usize] = true;
            Pair {
                a: kept_a[e.a as usize],
                b: kept_b[e.b as usize],
                iou: e.iou,
                centroid_distance: e.distance,
            }
        })
        .collect();
    pairs.sort_by_key(|p| p.a);
    FovMatch {
        fov: fov_a.name.clone(),
        pairs,
        unmatched_a: kept_a
            .iter()
            .zip(&matched_a)
            .filter(|(_, m)| !**m)
            .map(|(i, _)| *i)
            .collect(),
        unmatched_b: kept_b
            .iter()
            .zip(&matched_b)
            .filter(|(_, m)| !**m)
            .map(|(i, _)| *i)
            .collect(),
        cropped_a,
        cropped_b,
        replaced_by_box,
        greedy_components,
    }
}

/// Greedy: the best pair first (highest IoU, or shortest distance), ties by ids.
fn greedy(mut edges: Vec<Edge>, by_distance: bool) -> Vec<Edge> {
    edges.sort_by(|x, y| {
        let order = if by_distance {
            x.distance.total_cmp(&y.distance)
        } else {
            y.iou.total_cmp(&x.iou)
        };
        order.then(x.a.cmp(&y.a)).then(x.b.cmp(&y.b))
    });
    take_free(edges)
}

fn take_free(edges: impl IntoIterator<Item = Edge>) -> Vec<Edge> {
    let mut used_a = std::collections::HashSet::new();
    let mut used_b = std::collections::HashSet::new();
    let mut chosen = Vec::new();
    for e in edges {
        if !used_a.contains(&e.a) && !used_b.contains(&e.b) {
            used_a.insert(e.a);
            used_b.insert(e.b);
            chosen.push(e);
        }
    }
    chosen
}

/// As pycocotools: A's nuclei by score descending (missing scores last, ties by id), each
/// taking the free B with the highest IoU (shortest distance), ties by id.
fn greedy_by_score(edges: &[Edge], scores: &[Option<f64>], by_distance: bool) -> Vec<Edge> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&x, &y| {
        let (sx, sy) = (
            scores[x].unwrap_or(f64::NEG_INFINITY),
            scores[y].unwrap_or(f64::NEG_INFINITY),
        );
        sy.total_cmp(&sx).then(x.cmp(&y))
    });
    let mut by_a: Vec<Vec<Edge>> = vec![Vec::new(); scores.len()];
    for e in edges {
        by_a[e.a as usize].push(*e);
    }
    let mut used_b = std::collections::HashSet::new();
    let mut chosen = Vec::new();
    for a in order {
        let best = by_a[a]
            .iter()
            .filter(|e| !used_b.contains(&e.b))
            .min_by(|x, y| {
                let order = if by_distance {
                    x.distance.total_cmp(&y.distance)
                } else {
                    y.iou.total_cmp(&x.iou)
                };
                order.then(x.b.cmp(&y.b))
            });
        if let Some(e) = best {
            used_b.insert(e.b);
            chosen.push(*e);
        }
    }
    chosen
}

/// Optimal assignment on each connected component of the candidate graph (greedy past the
/// component limit); how many components were assigned greedily.
fn optimal(edges: &[Edge], by_distance: bool, options: &MatchOptions) -> (Vec<Edge>, usize) {
    // Centroid matching: each pair is worth more than any sum of distances, so the most pairs
    // win first, then the smallest total distance.
    let radius = match options.criterion {
        Criterion::Centroid { radius_px } => radius_px,
        Criterion::Iou { .. } => 0.0,
    };
    let pair_bonus = radius * (edges.len() as f64 + 1.0) + 1.0;
    let weighted: Vec<(u32, u32, f64)> = edges
        .iter()
        .map(|e| {
            let weight = if by_distance {
                pair_bonus + radius - e.distance
            } else {
                e.iou
            };
            (e.a, e.b, weight)
        })
        .collect();
    let assigned = assignment::assign_edges(&weighted);
    let chosen = assigned.chosen.into_iter().map(|i| edges[i]).collect();
    (chosen, assigned.greedy_components)
}
