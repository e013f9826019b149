//! Anchors: many raters' nuclei of one FOV clustered into the nuclei they agree exist.
//!
//! Constrained agglomerative clustering with complete linkage on 1 - IoU, cut at a minimum
//! IoU: two clusters merge only when every nucleus of one has IoU ≥ `min_iou` with every
//! nucleus of the other, and no rater has a nucleus in both (a cluster holds at most one
//! nucleus per rater). The closest pair (highest complete-linkage IoU) merges first; ties go to
//! the pair of lower cluster ids, so results are deterministic. Candidate pairs come from an
//! R-tree over bounding boxes, and a merge only looks at the merged clusters' neighbours, so a
//! FOV costs close to n log n. Each cluster is an anchor, located at its medoid: the member
//! with the highest mean IoU to the others (the first by rater on ties).
//!
//! The NuCLS code cuts its dendrogram with an off-by-one that drops one cluster per FOV; this
//! is not reproduced.
//!
//! ```
//! use nucagree::agreement::anchors::{cluster_fov, Annotation};
//! use nucagree::geometry::{IouOptions, PreparedShape};
//! use nucagree::model::{BoundingBox, Shape};
//!
//! let square = |x: f64| PreparedShape::new(&Shape::Box(BoundingBox { xmin: x, ymin: 0.0, xmax: x + 10.0, ymax: 10.0 }));
//! // Raters 0 and 1 agree on one nucleus; rater 1 has a second one alone.
//! let annotations = vec![
//!     Annotation { rater: 0, nucleus: 0, shape: square(0.0) },
//!     Annotation { rater: 1, nucleus: 0, shape: square(1.0) },
//!     Annotation { rater: 1, nucleus: 1, shape: square(50.0) },
//! ];
//! let anchors = cluster_fov(&annotations, 0.25, &IouOptions::default());
//! assert_eq!(anchors.len(), 2);
//! assert_eq!(anchors[0].members.len(), 2);
//! assert_eq!(anchors[1].members, vec![2]);
//! ```

use crate::geometry::candidates::iou_candidates;
use crate::geometry::{IouOptions, PreparedShape};
use crate::model::BoundingBox;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap};

/// One rater's nucleus in a FOV.
#[derive(Debug, Clone)]
pub struct Annotation {
    /// The rater's index in the study.
    pub rater: u16,
    /// The nucleus's index in the rater's FOV.
    pub nucleus: u32,
    pub shape: PreparedShape,
}

/// A cluster of annotations of (what the raters agree is) one nucleus.
#[derive(Debug, Clone, PartialEq)]
pub struct Anchor {
    /// Positions in the annotations given, sorted by rater.
    pub members: Vec<u32>,
    /// The member at the medoid.
    pub medoid: u32,
    /// The medoid's bounding box.
    pub bbox: BoundingBox,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Candidate {
    linkage: f64,
    a: u32,
    b: u32,
}

impl Eq for Candidate {}

impl Ord for Candidate {
    fn cmp(&self, other: &Candidate) -> Ordering {
        self.linkage
            .total_cmp(&other.linkage)
            .then_with(|| other.a.cmp(&self.a))
            .then_with(|| other.b.cmp(&self.b))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Candidate) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

struct Cluster {
    /// Sorted rater indices.
    raters: Vec<u16>,
    alive: bool,
    /// Clusters this one may merge with, and the complete-linkage IoU.
    neighbours: BTreeMap<u32, f64>,
}

fn disjoint(a: &[u16], b: &[u16]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            Ordering::Less => i += 1,
            Ordering::Greater => j += 1,
            Ordering::Equal => return false,
        }
    }
    true
}

/// Pairs of annotations of different raters with IoU at least `min_iou`, sorted by pair:
/// ((lower position, higher position), IoU). Candidates come from an R-tree over boxes.
pub fn candidate_edges(
    annotations: &[Annotation],
    min_iou: f64,
    iou_options: &IouOptions,
) -> Vec<((u32, u32), f64)> {
    let shapes: Vec<&PreparedShape> = annotations.iter().map(|a| &a.shape).collect();
    let different_raters =
        |i: usize, j: usize| j > i && annotations[j].rater != annotations[i].rater;
    let mut edges: Vec<((u32, u32), f64)> =
        iou_candidates(&shapes, &shapes, iou_options, min_iou, different_raters)
            .into_iter()
            .filter(|&(_, _, value)| value >= min_iou)
            .map(|(i, j, value)| ((i, j), value))
            .collect();
    edges.sort_by_key(|&(pair, _)| pair);
    edges
}

/// Clusters one FOV's annotations into anchors, in order of their first member.
pub fn cluster_fov(
    annotations: &[Annotation],
    min_iou: f64,
    iou_options: &IouOptions,
) -> Vec<Anchor> {
    cluster_edges(
        annotations,
        &candidate_edges(annotations, min_iou, iou_options),
        min_iou,
    )
}

/// Clusters with precomputed candidate edges (made at `min_iou` or below; those under
/// `min_iou` are left out), so one R-tree pass serves several cuts.
pub fn cluster_edges(
    annotations: &[Annotation],
    all_edges: &[((u32, u32), f64)],
    min_iou: f64,
) -> Vec<Anchor> {
    cluster_edges_at(annotations, all_edges, &[min_iou])
        .pop()
        .expect("one cut")
}

/// Clusters at several cuts from one agglomeration, in the cuts' order.
///
/// Merges happen in order of decreasing complete linkage, and an edge under a cut only ever
/// adds candidates of linkage under that cut (a complete linkage is the minimum over its
/// pairs), so the merges made at a cut are the first merges made at any lower cut, in the
/// same order and with the same cluster ids: one agglomeration down to the lowest cut, cut
/// after each prefix, gives every cut's anchors exactly as clustering at each cut alone.
pub fn cluster_edges_at(
    annotations: &[Annotation],
    all_edges: &[((u32, u32), f64)],
    cuts: &[f64],
) -> Vec<Vec<Anchor>> {
    let placements = vec![Placement::Medoid; cuts.len()];
    cluster_edges_placed(annotations, all_edges, cuts, &placements)
}

/// Where an anchor sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// At its medoid: the member with the highest mean IoU to the others.
    Medoid,
    /// At its first member (by rater): for clusterings read only for their labels, such as
    /// the sweep of cuts, where finding medoids would be wasted.
    FirstMember,
}

/// As [`cluster_edges_at`], each cut's anchors placed as `placements` says (one per cut).
pub fn cluster_edges_placed(
    annotations: &[Annotation],
    all_edges: &[((u32, u32), f64)],
    cuts: &[f64],
    placements: &[Placement],
) -> Vec<Vec<Anchor>> {
    let lowest = cuts.iter().copied().fold(f64::INFINITY, f64::min);
    let merges = agglomerate(annotations, all_edges, lowest);
    cuts.iter()
        .zip(placements)
        .map(|(&cut, &placement)| anchors_after(annotations, all_edges, &merges, cut, placement))
        .collect()
}

/// One merge: the two clusters joined (by id; merge `i` makes cluster `n + i`) and their
/// complete linkage.
#[derive(Debug, Clone, Copy)]
struct Merge {
    a: u32,
    b: u32,
    linkage: f64,
}

/// Constrained complete-linkage agglomeration down to `min_iou`: the merges, in order (their
/// linkages never increase).
fn agglomerate(
    annotations: &[Annotation],
    all_edges: &[((u32, u32), f64)],
    min_iou: f64,
) -> Vec<Merge> {
    let mut clusters: Vec<Cluster> = annotations
        .iter()
        .map(|a| Cluster {
            raters: vec![a.rater],
            alive: true,
            neighbours: BTreeMap::new(),
        })
        .collect();
    let mut heap = BinaryHeap::new();
    for &((i, j), value) in all_edges.iter().filter(|&&(_, v)| v >= min_iou) {
        clusters[i as usize].neighbours.insert(j, value);
        clusters[j as usize].neighbours.insert(i, value);
        heap.push(Candidate {
            linkage: value,
            a: i,
            b: j,
        });
    }
    let mut merges = Vec::new();
    while let Some(Candidate { a, b, linkage }) = heap.pop() {
        let (a, b) = (a as usize, b as usize);
        if !clusters[a].alive || !clusters[b].alive {
            continue;
        }
        merges.push(Merge {
            a: a as u32,
            b: b as u32,
            linkage,
        });
        // Merge a and b into a new cluster.
        let id = clusters.len() as u32;
        let mut raters = clusters[a].raters.clone();
        raters.extend(&clusters[b].raters);
        raters.sort_unstable();
        clusters[a].alive = false;
        clusters[b].alive = false;
        let around_a = std::mem::take(&mut clusters[a].neighbours);
        let around_b = std::mem::take(&mut clusters[b].neighbours);
        let mut neighbours = BTreeMap::new();
        for (&d, &via_a) in &around_a {
            let d_index = d as usize;
            if d_index == b || !clusters[d_index].alive {
                continue;
            }
            // Complete linkage: every cross pair must reach min_iou, so d must neighbour both.
            if let Some(&via_b) = around_b.get(&d) {
                if disjoint(&raters, &clusters[d_index].raters) {
                    neighbours.insert(d, via_a.min(via_b));
                }
            }
        }
        for &d in around_a.keys().chain(around_b.keys()) {
            let neighbour = &mut clusters[d as usize];
            neighbour.neighbours.remove(&(a as u32));
            neighbour.neighbours.remove(&(b as u32));
        }
        for (&d, &linkage) in &neighbours {
            clusters[d as usize].neighbours.insert(id, linkage);
            heap.push(Candidate {
                linkage,
                a: d.min(id),
                b: d.max(id),
            });
        }
        clusters.push(Cluster {
            raters,
            alive: true,
            neighbours,
        });
    }
    merges
}

/// The anchors after the merges of linkage at least `cut` (a prefix of `merges`), in order of
/// their first member, each at its medoid.
fn anchors_after(
    annotations: &[Annotation],
    all_edges: &[((u32, u32), f64)],
    merges: &[Merge],
    cut: f64,
    placement: Placement,
) -> Vec<Anchor> {
    let n = annotations.len();
    let made = merges.partition_point(|m| m.linkage >= cut);
    // The cluster each id joined, if it joined one within the prefix.
    let mut parent: Vec<u32> = (0..(n + made) as u32).collect();
    for (i, m) in merges[..made].iter().enumerate() {
        let id = (n + i) as u32;
        parent[m.a as usize] = id;
        parent[m.b as usize] = id;
    }
    // Ids only point to later ids: resolve from the last down, so each root is final.
    for id in (0..parent.len()).rev() {
        let p = parent[id] as usize;
        if p != id {
            parent[id] = parent[p];
        }
    }
    let mut by_root: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for m in 0..n as u32 {
        by_root.entry(parent[m as usize]).or_default().push(m);
    }
    // Within a cluster every pair reached the cut, so every pair is among the edges (sorted
    // by pair).
    let mut anchors: Vec<Anchor> = by_root
        .into_values()
        .map(|mut members| {
            members.sort_by_key(|&m| (annotations[m as usize].rater, m));
            let medoid = match placement {
                Placement::Medoid => medoid(&members, all_edges),
                Placement::FirstMember => members[0],
            };
            Anchor {
                bbox: annotations[medoid as usize].shape.bbox,
                members,
                medoid,
            }
        })
        .collect();
    anchors.sort_by_key(|a| a.members.iter().copied().min().unwrap_or(0));
    debug_assert_eq!(anchors.iter().map(|a| a.members.len()).sum::<usize>(), n);
    anchors
}

/// The member with the highest mean IoU to the others; the first on ties.
fn medoid(members: &[u32], pair_iou: &[((u32, u32), f64)]) -> u32 {
    let iou = |x: u32, y: u32| {
        pair_iou
            .binary_search_by_key(&(x.min(y), x.max(y)), |&(pair, _)| pair)
            .map_or(0.0, |i| pair_iou[i].1)
    };
    let mut best = members[0];
    let mut best_total = f64::NEG_INFINITY;
    for &m in members {
        let total: f64 = members
            .iter()
            .filter(|&&o| o != m)
            .map(|&o| iou(m, o))
            .sum();
        if total > best_total + 1e-12 {
            best = m;
            best_total = total;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Shape;

    fn square(rater: u16, nucleus: u32, x: f64, y: f64, side: f64) -> Annotation {
        Annotation {
            rater,
            nucleus,
            shape: PreparedShape::new(&Shape::Box(BoundingBox {
                xmin: x,
                ymin: y,
                xmax: x + side,
                ymax: y + side,
            })),
        }
    }

    #[test]
    fn a_cluster_holds_at_most_one_nucleus_per_rater() {
        // Rater 0 drew two overlapping nuclei where rater 1 drew one: they cannot all merge.
        let annotations = vec![
            square(0, 0, 0.0, 0.0, 10.0),
            square(0, 1, 1.0, 0.0, 10.0),
            square(1, 0, 0.5, 0.0, 10.0),
        ];
        let anchors = cluster_fov(&annotations, 0.25, &IouOptions::default());
        assert_eq!(anchors.len(), 2);
        for anchor in &anchors {
            let mut raters: Vec<u16> = anchor
                .members
                .iter()
                .map(|&m| annotations[m as usize].rater)
                .collect();
            raters.dedup();
            assert_eq!(raters.len(), anchor.members.len());
        }
        // Rater 1's nucleus joins the closer one (IoU 0.9 with either; tie to lower ids: 0).
        assert_eq!(anchors[0].members, vec![0, 2]);
        assert_eq!(anchors[1].members, vec![1]);
    }

    #[test]
    fn complete_linkage_needs_every_pair_above_the_cut() {
        // A chain: 0-1 and 1-2 overlap enough, 0-2 do not: single linkage would join all three.
        let annotations = vec![
            square(0, 0, 0.0, 0.0, 10.0),
            square(1, 0, 4.0, 0.0, 10.0),
            square(2, 0, 8.0, 0.0, 10.0),
        ];
        // IoU(0,1) = IoU(1,2) = 60/140 = 0.4286; IoU(0,2) = 20/180 = 0.111.
        let anchors = cluster_fov(&annotations, 0.25, &IouOptions::default());
        assert_eq!(anchors.len(), 2);
        assert_eq!(anchors[0].members, vec![0, 1]);
        assert_eq!(anchors[1].members, vec![2]);
        // At a cut of 0.1 all three join.
        let loose = cluster_fov(&annotations, 0.1, &IouOptions::default());
        assert_eq!(loose.len(), 1);
        // The medoid is the middle one: mean IoU 0.4286 against (0.4286 + 0.111) / 2.
        assert_eq!(loose[0].medoid, 1);
        assert_eq!(loose[0].bbox.xmin, 4.0);
    }

    #[test]
    fn points_and_lone_nuclei_are_singletons() {
        let annotations = vec![
            Annotation {
                rater: 0,
                nucleus: 0,
                shape: PreparedShape::new(&Shape::Point([5.0, 5.0])),
            },
            square(1, 0, 0.0, 0.0, 10.0),
            square(2, 0, 100.0, 0.0, 10.0),
        ];
        let anchors = cluster_fov(&annotations, 0.25, &IouOptions::default());
        assert_eq!(anchors.len(), 3);
        assert!(anchors.iter().all(|a| a.members.len() == 1));
    }
}
