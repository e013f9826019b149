//! The inferred truth written as an annotation set: each anchor whose truth is a class,
//! drawn as its medoid nucleus's outline.

use super::raters::LevelTruth;
use super::study::{FovAnchors, Study};
use crate::model::{BoundingBox, ClassId};

/// One FOV of the inferred truth, as an annotation set holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct TruthFov {
    pub name: String,
    pub slide: Option<String>,
    pub hospital: Option<String>,
    pub region: Option<BoundingBox>,
    pub nuclei: Vec<crate::model::Nucleus>,
}

/// The inferred truth as annotation-set FOVs: each anchor whose raw-level truth is a class,
/// drawn as its medoid nucleus's outline with that class.
pub fn truth_fovs(study: &Study<'_>, labelled: &[FovAnchors], raw: &LevelTruth) -> Vec<TruthFov> {
    let k = study.hierarchy.names(crate::model::ClassLevel::Raw).len();
    labelled
        .iter()
        .zip(&study.fovs)
        .zip(&raw.dawid_skene)
        .map(|((fov, (name, by_rater)), truth)| {
            let any = by_rater.iter().flatten().next();
            let nuclei = fov
                .anchors
                .iter()
                .zip(truth)
                .filter_map(|(anchor, t)| {
                    let (class, _) = (*t)?;
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
