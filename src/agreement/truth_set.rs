//! The inferred truth written as an annotation set: each anchor whose truth is a class,
//! drawn as its medoid nucleus's outline.

use super::study::{FovAnchors, Study};
use super::truth::LevelTruth;
use crate::model::{AnnotationSet, BoundingBox, ClassId, Fov, SetLayout};

/// One FOV of the inferred truth, as an annotation set holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct TruthFov {
    pub name: String,
    pub slide: Option<String>,
    pub hospital: Option<String>,
    pub region: Option<BoundingBox>,
    pub nuclei: Vec<crate::model::Nucleus>,
}

/// The inferred truth as annotation-set FOVs: each anchor whose raw-level Dawid-Skene truth
/// is a class, drawn as its medoid nucleus's outline with that class.
pub fn truth_fovs(study: &Study<'_>, labelled: &[FovAnchors], raw: &LevelTruth) -> Vec<TruthFov> {
    let decisions: Vec<Vec<Option<usize>>> = raw
        .dawid_skene
        .iter()
        .map(|f| f.iter().map(|d| d.map(|(class, _)| class)).collect())
        .collect();
    fovs_of_decisions(study, labelled, &decisions)
}

/// As [`truth_fovs`], from any raw-level decision per anchor (a class index, or the class
/// count for `undetected`).
pub fn fovs_of_decisions(
    study: &Study<'_>,
    labelled: &[FovAnchors],
    decisions: &[Vec<Option<usize>>],
) -> Vec<TruthFov> {
    let k = study.hierarchy.names(crate::model::ClassLevel::Raw).len();
    labelled
        .iter()
        .zip(&study.fovs)
        .zip(decisions)
        .map(|((fov, (name, by_rater)), truth)| {
            let any = by_rater.iter().flatten().next();
            let nuclei = fov
                .anchors
                .iter()
                .zip(truth)
                .filter_map(|(anchor, t)| {
                    let class = (*t)?;
                    if class >= k {
                        return None;
                    }
                    let source = by_rater[anchor.medoid_rater as usize]?;
                    let medoid = &source.nuclei[anchor.medoid_nucleus as usize];
                    Some((medoid.shape.clone(), class))
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
                name: name.clone(),
                slide: any.and_then(|f| f.slide.clone()),
                hospital: any.and_then(|f| f.hospital.clone()),
                region: by_rater.iter().flatten().find_map(|f| f.region),
                nuclei,
            }
        })
        .collect()
}

/// The inferred truth as an annotation set (FOVs sorted by name).
pub fn truth_set(study: &Study<'_>, fovs: Vec<TruthFov>, name: &str) -> AnnotationSet {
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
        hierarchy: study.hierarchy.clone(),
        fovs,
        folds: Default::default(),
        quality: Default::default(),
    }
}
