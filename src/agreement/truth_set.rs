//! The inferred truth written as an annotation set: each anchor whose truth is a class,
//! drawn as its medoid nucleus's outline or as the consensus of its raters' outlines; and
//! each anchor's boundary agreement, measured on the same outlines.

use super::boundary::{anchor_boundary, AnchorBoundary, TruthOutline};
use super::inference::LevelTruth;
use super::study::{FovAnchors, Study};
use crate::model::{AnnotationSet, BoundingBox, ClassId, Fov, SetLayout, Shape};
use rayon::prelude::*;

/// One FOV of the inferred truth, as an annotation set holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct TruthFov {
    pub name: String,
    pub slide: Option<String>,
    pub hospital: Option<String>,
    pub region: Option<BoundingBox>,
    pub nuclei: Vec<crate::model::Nucleus>,
}

/// What the truth set needs of one FOV: its name and place, each anchor's truth outline
/// (`None` where the medoid's rater has no FOV, which labelling never makes), and each
/// anchor's boundary agreement (`None` where fewer than two raters outlined it).
#[derive(Debug, Clone, PartialEq)]
pub struct FovGeometry {
    pub name: String,
    pub slide: Option<String>,
    pub hospital: Option<String>,
    pub region: Option<BoundingBox>,
    pub outlines: Vec<Option<Shape>>,
    pub boundaries: Vec<Option<AnchorBoundary>>,
}

/// The geometry of each labelled FOV of the study (`labelled` in the study's FOV order), in
/// parallel over FOVs: slide and hospital of the first rater's FOV, the first region any
/// rater's FOV has, each anchor's boundary agreement, and its truth outline as `outline`
/// says (the consensus falls back to the medoid where it is not drawn).
pub fn study_geometry(
    study: &Study<'_>,
    labelled: &[FovAnchors],
    outline: TruthOutline,
) -> Vec<FovGeometry> {
    labelled
        .par_iter()
        .zip(&study.fovs)
        .map(|(fov, (name, by_rater))| {
            let any = by_rater.iter().flatten().next();
            let draw = outline == TruthOutline::Consensus;
            let (outlines, boundaries) = fov
                .anchors
                .iter()
                .map(|anchor| {
                    let members: Vec<(u16, &Shape)> = anchor
                        .nuclei
                        .iter()
                        .enumerate()
                        .filter_map(|(rater, nucleus)| {
                            let source = by_rater[rater]?;
                            Some((rater as u16, &source.nuclei[(*nucleus)? as usize].shape))
                        })
                        .collect();
                    let (boundary, consensus) = anchor_boundary(&members, draw);
                    let medoid = || {
                        by_rater[anchor.medoid_rater as usize].map(|source| {
                            source.nuclei[anchor.medoid_nucleus as usize].shape.clone()
                        })
                    };
                    (consensus.or_else(medoid), boundary)
                })
                .unzip();
            FovGeometry {
                name: name.clone(),
                slide: any.and_then(|f| f.slide.clone()),
                hospital: any.and_then(|f| f.hospital.clone()),
                region: by_rater.iter().flatten().find_map(|f| f.region),
                outlines,
                boundaries,
            }
        })
        .collect()
}

/// The FOVs of the inferred truth at the raw level (`raw`, of the FOVs of `geometry`).
pub fn truth_fovs(geometry: &[FovGeometry], raw: &LevelTruth, classes: usize) -> Vec<TruthFov> {
    let decisions: Vec<Vec<Option<usize>>> = raw
        .inferred
        .iter()
        .map(|f| f.iter().map(|d| d.map(|(class, _)| class)).collect())
        .collect();
    fovs_of_decisions(geometry, &decisions, classes)
}

/// Each FOV's anchors whose decision is one of the `classes` raw classes (not `undetected`),
/// drawn with their truth outlines, numbered from row 2 as a file would.
pub fn fovs_of_decisions(
    geometry: &[FovGeometry],
    decisions: &[Vec<Option<usize>>],
    classes: usize,
) -> Vec<TruthFov> {
    geometry
        .iter()
        .zip(decisions)
        .map(|(fov, truth)| {
            let nuclei = fov
                .outlines
                .iter()
                .zip(truth)
                .filter_map(|(outline, t)| {
                    let class = (*t)?;
                    if class >= classes {
                        return None;
                    }
                    Some((outline.clone()?, class))
                })
                .enumerate()
                .map(|(i, (shape, class))| {
                    crate::model::Nucleus::new(
                        i as u32 + 2,
                        shape,
                        crate::model::RawClass {
                            id: ClassId(class as u16),
                            correction: false,
                        },
                        None,
                    )
                })
                .collect();
            TruthFov {
                name: fov.name.clone(),
                slide: fov.slide.clone(),
                hospital: fov.hospital.clone(),
                region: fov.region,
                nuclei,
            }
        })
        .collect()
}

/// The inferred truth as an annotation set (FOVs sorted by name).
pub fn truth_set(
    hierarchy: &std::sync::Arc<crate::model::ClassHierarchy>,
    fovs: Vec<TruthFov>,
    name: &str,
) -> AnnotationSet {
    let mut fovs: Vec<Fov> = fovs
        .into_iter()
        .map(|f| Fov {
            source: std::path::PathBuf::from(format!("{name}/{}", f.name)),
            name: f.name,
            slide: f.slide,
            hospital: f.hospital,
            region: f.region,
            image_size: None,
            test_fold: None,
            group: None,
            label_map: None,
            measurements: None,
            nuclei: f.nuclei,
        })
        .collect();
    fovs.sort_by(|a, b| a.name.cmp(&b.name));
    AnnotationSet {
        name: name.to_string(),
        root: std::path::PathBuf::from(name),
        layout: SetLayout::CsvFolder,
        format: crate::ingest::fov_csv_format(),
        hierarchy: hierarchy.clone(),
        fovs,
        folds: Default::default(),
        quality: Default::default(),
    }
}
