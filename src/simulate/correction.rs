//! A single-rater set before and after correction. The corrected set is the truth; the
//! uncorrected one differs from it exactly where the correction changed something: a class
//! changed, a nucleus the rater missed added, a spurious nucleus removed. Nuclei whose class
//! was changed or that were added carry the `correction_` prefix in the corrected set, as in
//! NuCLS.

use super::annotator::{false_positive, perceived_class};
use super::truth::TruthNucleus;
use crate::model::{BoundingBox, ClassHierarchy, Nucleus, RawClass};
use crate::random::Stream;
use serde::{Deserialize, Serialize};

/// How much the correction changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CorrectionProfile {
    /// Probability that the uncorrected class of a nucleus was wrong.
    pub class_changed: f64,
    /// Probability that a nucleus was missing before correction.
    pub added: f64,
    /// Spurious nuclei removed by the correction, per true nucleus.
    pub removed: f64,
}

impl Default for CorrectionProfile {
    fn default() -> CorrectionProfile {
        CorrectionProfile {
            class_changed: 0.06,
            added: 0.03,
            removed: 0.03,
        }
    }
}

/// The corrected and the uncorrected nuclei of one FOV.
pub fn correct(
    stream: &mut Stream,
    profile: &CorrectionProfile,
    hierarchy: &ClassHierarchy,
    mix: &[f64],
    region: &BoundingBox,
    truth: &[TruthNucleus],
) -> (Vec<Nucleus>, Vec<Nucleus>) {
    let mut corrected = Vec::with_capacity(truth.len());
    let mut uncorrected = Vec::with_capacity(truth.len());
    for nucleus in truth {
        let shape = nucleus.drawn_shape();
        let row = corrected.len() as u32 + 2;
        if stream.chance(profile.added) {
            corrected.push(Nucleus::new(
                row,
                shape,
                RawClass {
                    id: nucleus.class,
                    correction: true,
                },
                None,
            ));
            continue;
        }
        let before = if stream.chance(profile.class_changed) {
            perceived_class(stream, hierarchy, nucleus.class, 0.7, 0.3)
        } else {
            nucleus.class
        };
        let changed = before != nucleus.class;
        corrected.push(Nucleus::new(
            row,
            shape.clone(),
            RawClass {
                id: nucleus.class,
                correction: changed,
            },
            None,
        ));
        push_uncorrected(&mut uncorrected, shape, before);
    }
    for _ in 0..stream.poisson(profile.removed * truth.len() as f64) {
        let (shape, class) = false_positive(stream, hierarchy, mix, region);
        let shape = crate::model::Shape::Box(shape.bounding_box());
        push_uncorrected(&mut uncorrected, shape, class);
    }
    (corrected, uncorrected)
}

/// Appends a nucleus to the uncorrected set, numbering its rows from 2 (the header is row 1).
fn push_uncorrected(
    uncorrected: &mut Vec<Nucleus>,
    shape: crate::model::Shape,
    class: crate::model::ClassId,
) {
    let row = uncorrected.len() as u32 + 2;
    uncorrected.push(Nucleus::new(
        row,
        shape,
        RawClass {
            id: class,
            correction: false,
        },
        None,
    ));
}
