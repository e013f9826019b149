//! Clustering each FOV's nuclei into anchors and labelling them by rater, in parallel over
//! FOVs, at one or several cuts (one R-tree pass for all).

use super::anchors::{candidate_edges, cluster_edges_placed, Anchor, Annotation, Placement};
use super::study::{AnchorLabels, FovAnchors, Label, Study};
use crate::geometry::{IouOptions, PreparedShape};
use crate::matching::FovCrop;
use crate::model::Fov;
use rayon::prelude::*;

/// Clusters one FOV of the study, every nucleus kept, and labels its anchors.
pub fn label_fov(
    fov: &str,
    by_rater: &[Option<&Fov>],
    min_iou: f64,
    iou_options: &IouOptions,
) -> FovAnchors {
    label_fov_at(fov, by_rater, &[min_iou], iou_options, FovCrop::Off)
        .pop()
        .expect("one cut")
}

/// Clusters one FOV at several cuts (one R-tree pass for all) and labels each clustering.
/// With [`FovCrop::ReferenceRegion`], nuclei centred outside the FOV region (any rater's
/// FOV's, from the study's `fov_locations.csv`) are left out first, as `compare` crops before
/// matching.
pub fn label_fov_at(
    fov: &str,
    by_rater: &[Option<&Fov>],
    cuts: &[f64],
    iou_options: &IouOptions,
    crop: FovCrop,
) -> Vec<FovAnchors> {
    let placements = vec![Placement::Medoid; cuts.len()];
    label_fov_placed(fov, by_rater, cuts, &placements, iou_options, crop)
}

/// As [`label_fov_at`], each cut's anchors placed as `placements` says.
fn label_fov_placed(
    fov: &str,
    by_rater: &[Option<&Fov>],
    cuts: &[f64],
    placements: &[Placement],
    iou_options: &IouOptions,
    crop: FovCrop,
) -> Vec<FovAnchors> {
    let region = match crop {
        FovCrop::ReferenceRegion => by_rater.iter().flatten().find_map(|f| f.region),
        FovCrop::Off => None,
    };
    let mut cropped = 0;
    let mut annotations = Vec::new();
    for (rater, f) in by_rater.iter().enumerate() {
        if let Some(f) = f {
            for (i, n) in f.nuclei.iter().enumerate() {
                if region.is_some_and(|r| !r.contains(n.shape.centroid())) {
                    cropped += 1;
                    continue;
                }
                annotations.push(Annotation {
                    rater: rater as u16,
                    nucleus: i as u32,
                    shape: PreparedShape::for_iou(&n.shape, iou_options),
                });
            }
        }
    }
    let annotated: Vec<bool> = by_rater.iter().map(Option::is_some).collect();
    let lowest = cuts.iter().copied().fold(f64::INFINITY, f64::min);
    let edges = candidate_edges(&annotations, lowest, iou_options);
    cluster_edges_placed(&annotations, &edges, cuts, placements)
        .into_iter()
        .map(|clustering| {
            let anchors = clustering
                .into_iter()
                .map(|anchor: Anchor| {
                    let mut labels: Vec<Label> = annotated
                        .iter()
                        .map(|&a| if a { Label::Undetected } else { Label::Missing })
                        .collect();
                    let mut nuclei = vec![None; annotated.len()];
                    for &m in &anchor.members {
                        let a = &annotations[m as usize];
                        let nucleus = &by_rater[a.rater as usize]
                            .expect("a rater with nuclei annotated the FOV")
                            .nuclei[a.nucleus as usize];
                        labels[a.rater as usize] = Label::Class(nucleus.class.id);
                        nuclei[a.rater as usize] = Some(a.nucleus);
                    }
                    AnchorLabels {
                        bbox: anchor.bbox,
                        medoid_rater: annotations[anchor.medoid as usize].rater,
                        medoid_nucleus: annotations[anchor.medoid as usize].nucleus,
                        labels,
                        nuclei,
                    }
                })
                .collect();
            FovAnchors {
                fov: fov.to_string(),
                annotated: annotated.clone(),
                anchors,
                cropped,
            }
        })
        .collect()
}

/// Clusters and labels every FOV of the study, every nucleus kept, in parallel.
pub fn label_study(study: &Study<'_>, min_iou: f64, iou_options: &IouOptions) -> Vec<FovAnchors> {
    label_study_at(study, &[min_iou], iou_options, FovCrop::Off)
        .pop()
        .expect("one cut")
}

/// Clusters and labels every FOV at each cut: one study labelling per cut, in the cuts' order
/// (nuclei cropped to the FOV region first, as [`label_fov_at`]).
pub fn label_study_at(
    study: &Study<'_>,
    cuts: &[f64],
    iou_options: &IouOptions,
    crop: FovCrop,
) -> Vec<Vec<FovAnchors>> {
    let per_fov: Vec<Vec<FovAnchors>> = study
        .fovs
        .par_iter()
        .map(|(name, by_rater)| label_fov_at(name, by_rater, cuts, iou_options, crop))
        .collect();
    let mut per_cut: Vec<Vec<FovAnchors>> = cuts
        .iter()
        .map(|_| Vec::with_capacity(per_fov.len()))
        .collect();
    for fov in per_fov {
        for (cut, labelled) in per_cut.iter_mut().zip(fov) {
            cut.push(labelled);
        }
    }
    per_cut
}

/// FOVs labelled at once by [`label_study_with_sweep`]: enough to keep both cores busy, few
/// enough that the labellings at the sweep's cuts stay small.
const SWEEP_CHUNK: usize = 64;

/// Clusters and labels every FOV at the `main` cut, kept, and at each of the `others` cuts
/// (one R-tree pass and one agglomeration for all), where each FOV's labelling is reduced by
/// `reduce` and handed to `absorb` with the cut's index, FOV by FOV in the study's order (so
/// that sums over FOVs are made in one order, and only the main labelling stays in memory).
pub fn label_study_with_sweep<T: Send>(
    study: &Study<'_>,
    main: f64,
    others: &[f64],
    iou_options: &IouOptions,
    crop: FovCrop,
    reduce: &(dyn Fn(&FovAnchors) -> T + Sync),
    absorb: &mut dyn FnMut(usize, T),
) -> Vec<FovAnchors> {
    let mut cuts = vec![main];
    cuts.extend_from_slice(others);
    // The sweep's labellings are read for their labels only.
    let mut placements = vec![Placement::Medoid];
    placements.extend(others.iter().map(|_| Placement::FirstMember));
    let mut labelled = Vec::with_capacity(study.fovs.len());
    for chunk in study.fovs.chunks(SWEEP_CHUNK) {
        let results: Vec<(FovAnchors, Vec<T>)> = chunk
            .par_iter()
            .map(|(name, by_rater)| {
                let mut at_cuts =
                    label_fov_placed(name, by_rater, &cuts, &placements, iou_options, crop);
                let reduced = at_cuts[1..].iter().map(reduce).collect();
                (at_cuts.swap_remove(0), reduced)
            })
            .collect();
        for (fov, reduced) in results {
            labelled.push(fov);
            for (cut, value) in reduced.into_iter().enumerate() {
                absorb(cut, value);
            }
        }
    }
    labelled
}
