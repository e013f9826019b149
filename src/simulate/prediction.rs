//! A simulated detector's output: jittered outlines, class confusions, misses, false
//! positives, duplicate detections, and confidence scores that rank correct detections above
//! wrong ones without separating them perfectly.

use super::annotator::{false_positive, jitter_outline, perceived_class};
use super::truth::TruthNucleus;
use crate::model::{BoundingBox, ClassHierarchy, Nucleus, RawClass, Shape};
use crate::random::Stream;
use serde::{Deserialize, Serialize};

/// How the simulated model errs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ModelProfile {
    pub miss_rate: f64,
    /// Expected false positives per true nucleus.
    pub false_positive_rate: f64,
    /// Probability that a detected nucleus is detected twice (a shifted second outline with a
    /// lower score, as detectors without perfect non-maximum suppression emit).
    pub duplicate_rate: f64,
    pub boundary_jitter: f64,
    pub plausible_confusion: f64,
    pub random_confusion: f64,
}

impl Default for ModelProfile {
    fn default() -> ModelProfile {
        ModelProfile {
            miss_rate: 0.1,
            false_positive_rate: 0.08,
            duplicate_rate: 0.04,
            boundary_jitter: 0.07,
            plausible_confusion: 0.12,
            random_confusion: 0.04,
        }
    }
}

/// Rounds a score to 4 decimals, as written.
fn score(value: f64) -> f64 {
    (value.clamp(0.001, 0.999) * 1e4).round() / 1e4
}

/// The model's predictions for one FOV.
pub fn predict(
    stream: &mut Stream,
    profile: &ModelProfile,
    hierarchy: &ClassHierarchy,
    mix: &[f64],
    region: &BoundingBox,
    truth: &[TruthNucleus],
) -> Vec<Nucleus> {
    let mut out: Vec<(Shape, RawClass, f64)> = Vec::new();
    let raw = |id| RawClass {
        id,
        correction: false,
    };
    for nucleus in truth {
        if stream.chance(profile.miss_rate) {
            continue;
        }
        let shape = jitter_outline(stream, &nucleus.outline, profile.boundary_jitter);
        let class = perceived_class(
            stream,
            hierarchy,
            nucleus.class,
            profile.plausible_confusion,
            profile.random_confusion,
        );
        let u = stream.uniform();
        let confidence = if class == nucleus.class {
            0.45 + 0.55 * u.sqrt()
        } else {
            0.2 + 0.6 * u
        };
        if stream.chance(profile.duplicate_rate) {
            let twin = jitter_outline(stream, &nucleus.outline, 2.5 * profile.boundary_jitter);
            out.push((twin, raw(class), score(confidence * stream.range(0.3, 0.8))));
        }
        out.push((shape, raw(class), score(confidence)));
    }
    for _ in 0..stream.poisson(profile.false_positive_rate * truth.len() as f64) {
        let (shape, class) = false_positive(stream, hierarchy, mix, region);
        let u = stream.uniform();
        out.push((shape, raw(class), score(0.05 + 0.6 * u * u)));
    }
    out.into_iter()
        .enumerate()
        .map(|(i, (shape, class, s))| Nucleus::new(i as u32 + 2, shape, class, Some(s)))
        .collect()
}
