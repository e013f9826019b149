//! Simulated annotators: error profiles, and what an annotator with a profile draws.

use super::truth::{nucleus_outline, round_tenth, TruthNucleus};
use crate::model::{BoundingBox, ClassHierarchy, ClassId, ClassLevel, Nucleus, RawClass, Shape};
use crate::random::Stream;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How an annotator errs. Rates are probabilities per true nucleus (or per FOV).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AnnotatorProfile {
    /// Probability of missing a true nucleus.
    pub miss_rate: f64,
    /// Miss rates of particular raw classes, overriding `miss_rate`.
    pub miss_rate_by_class: BTreeMap<String, f64>,
    /// Expected false positives per true nucleus.
    pub false_positive_rate: f64,
    /// Boundary jitter relative to the nucleus's size; 0.05-0.12 gives IoUs of about 0.6-0.9.
    pub boundary_jitter: f64,
    /// Probability of drawing a nucleus as a rectangle rather than a polygon.
    pub box_preference: f64,
    /// Probability of a plausible confusion (lymphocyte/plasma cell, fibroblast/vascular
    /// endothelium, tumor/unlabeled, macrophage/tumor, ...).
    pub plausible_confusion: f64,
    /// Probability of any other class, uniformly.
    pub random_confusion: f64,
    /// Probability of not annotating a FOV at all.
    pub skip_fov_rate: f64,
}

impl Default for AnnotatorProfile {
    fn default() -> AnnotatorProfile {
        AnnotatorProfile::junior_pathologist()
    }
}

impl AnnotatorProfile {
    pub fn senior_pathologist() -> AnnotatorProfile {
        AnnotatorProfile {
            miss_rate: 0.04,
            miss_rate_by_class: BTreeMap::new(),
            false_positive_rate: 0.02,
            boundary_jitter: 0.05,
            box_preference: 0.6,
            plausible_confusion: 0.06,
            random_confusion: 0.01,
            skip_fov_rate: 0.0,
        }
    }

    pub fn junior_pathologist() -> AnnotatorProfile {
        AnnotatorProfile {
            miss_rate: 0.07,
            false_positive_rate: 0.04,
            boundary_jitter: 0.07,
            plausible_confusion: 0.12,
            random_confusion: 0.03,
            skip_fov_rate: 0.03,
            ..AnnotatorProfile::senior_pathologist()
        }
    }

    pub fn non_pathologist() -> AnnotatorProfile {
        AnnotatorProfile {
            miss_rate: 0.12,
            miss_rate_by_class: [
                ("mitotic_figure".to_string(), 0.3),
                ("apoptotic_body".to_string(), 0.3),
            ]
            .into_iter()
            .collect(),
            false_positive_rate: 0.07,
            boundary_jitter: 0.09,
            box_preference: 0.7,
            plausible_confusion: 0.25,
            random_confusion: 0.08,
            skip_fov_rate: 0.1,
        }
    }

    fn miss_rate_of(&self, class: &str) -> f64 {
        self.miss_rate_by_class
            .get(class)
            .copied()
            .unwrap_or(self.miss_rate)
    }
}

/// A rater of a simulated study: an id such as `SP.1` and a profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimulatedRater {
    pub id: String,
    /// The name of a profile: `senior_pathologist`, `junior_pathologist`, `non_pathologist`,
    /// or one defined in the profiles file.
    pub profile: String,
}

/// The raters and profiles of a simulated study, as read from a TOML or JSON file:
///
/// ```toml
/// [profiles.careful_student]
/// miss_rate = 0.05
/// plausible_confusion = 0.1
///
/// [[raters]]
/// id = "NP.1"
/// profile = "careful_student"
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudyDesign {
    #[serde(default)]
    pub profiles: BTreeMap<String, AnnotatorProfile>,
    pub raters: Vec<SimulatedRater>,
}

impl Default for StudyDesign {
    /// Three pathologists (two senior, one junior) and six non-pathologists.
    fn default() -> StudyDesign {
        let rater = |id: &str, profile: &str| SimulatedRater {
            id: id.into(),
            profile: profile.into(),
        };
        let mut raters = vec![
            rater("SP.1", "senior_pathologist"),
            rater("SP.2", "senior_pathologist"),
            rater("JP.1", "junior_pathologist"),
        ];
        raters.extend((1..=6).map(|i| rater(&format!("NP.{i}"), "non_pathologist")));
        StudyDesign {
            profiles: BTreeMap::new(),
            raters,
        }
    }
}

impl StudyDesign {
    /// The profile named `name`: one of the file's, else a built-in one.
    pub fn profile(&self, name: &str) -> Option<AnnotatorProfile> {
        if let Some(profile) = self.profiles.get(name) {
            return Some(profile.clone());
        }
        match name {
            "senior_pathologist" => Some(AnnotatorProfile::senior_pathologist()),
            "junior_pathologist" => Some(AnnotatorProfile::junior_pathologist()),
            "non_pathologist" => Some(AnnotatorProfile::non_pathologist()),
            _ => None,
        }
    }
}

/// The class a plausible confusion turns `class` into.
pub fn plausible_partner(class: &str) -> Option<&'static str> {
    Some(match class {
        "lymphocyte" => "plasma_cell",
        "plasma_cell" => "lymphocyte",
        "fibroblast" => "vascular_endothelium",
        "vascular_endothelium" => "fibroblast",
        "tumor" => "unlabeled",
        "unlabeled" => "tumor",
        "macrophage" => "tumor",
        "mitotic_figure" => "tumor",
        "apoptotic_body" => "lymphocyte",
        "myoepithelium" => "fibroblast",
        "ductal_epithelium" => "tumor",
        "neutrophil" => "lymphocyte",
        "eosinophil" => "plasma_cell",
        _ => return None,
    })
}

/// The class an annotator gives a nucleus of class `class`.
pub fn perceived_class(
    stream: &mut Stream,
    hierarchy: &ClassHierarchy,
    class: ClassId,
    plausible: f64,
    random: f64,
) -> ClassId {
    let draw = stream.uniform();
    if draw < plausible {
        let partner = plausible_partner(hierarchy.name(class, ClassLevel::Raw))
            .and_then(|p| hierarchy.resolve(p));
        if let Some(partner) = partner {
            return partner.id;
        }
    } else if draw < plausible + random && hierarchy.len() > 1 {
        let other = stream.below(hierarchy.len() - 1) as u16;
        return ClassId(if other >= class.0 { other + 1 } else { other });
    }
    class
}

/// The outline redrawn with boundary error `amount` (relative to the nucleus's size).
pub fn jitter_outline(stream: &mut Stream, outline: &Shape, amount: f64) -> Shape {
    if let Shape::Point(p) = outline {
        return Shape::Point([
            round_tenth(p[0] + 3.0 * amount * stream.normal()),
            round_tenth(p[1] + 3.0 * amount * stream.normal()),
        ]);
    }
    let vertices = outline.vertices();
    let c = outline.centroid();
    let size = outline.area().sqrt().max(2.0);
    let shift = [
        amount * size * 0.5 * stream.normal(),
        amount * size * 0.5 * stream.normal(),
    ];
    let scale = [
        1.0 + amount * stream.normal(),
        1.0 + amount * stream.normal(),
    ];
    let moved: Vec<[f64; 2]> = vertices
        .iter()
        .map(|v| {
            let wobble = 1.0 + 0.3 * amount * stream.normal();
            [
                round_tenth(c[0] + (v[0] - c[0]) * scale[0].max(0.5) * wobble + shift[0]),
                round_tenth(c[1] + (v[1] - c[1]) * scale[1].max(0.5) * wobble + shift[1]),
            ]
        })
        .collect();
    match outline {
        Shape::Box(_) => Shape::Box(BoundingBox::around(&moved).expect("four corners")),
        _ => Shape::polygon(moved.clone())
            .map(|(shape, _)| shape)
            .unwrap_or_else(|_| Shape::Box(BoundingBox::around(&moved).expect("vertices"))),
    }
}

/// A false positive: a small nucleus-like outline somewhere in `region`.
pub fn false_positive(
    stream: &mut Stream,
    hierarchy: &ClassHierarchy,
    mix: &[f64],
    region: &BoundingBox,
) -> (Shape, ClassId) {
    let class = ClassId(stream.weighted(mix) as u16);
    let center = [
        stream.range(region.xmin, region.xmax),
        stream.range(region.ymin, region.ymax),
    ];
    let outline: Vec<[f64; 2]> =
        nucleus_outline(stream, hierarchy.name(class, ClassLevel::Raw), center)
            .iter()
            .map(|v| [round_tenth(v[0]), round_tenth(v[1])])
            .collect();
    let shape = Shape::polygon(outline.clone())
        .map(|(s, _)| s)
        .unwrap_or_else(|_| Shape::Box(BoundingBox::around(&outline).expect("vertices")));
    (shape, class)
}

/// What an annotator with `profile` draws of a FOV's truth; `None` when the annotator skips
/// the FOV. Rows are numbered from 2 (the header being row 1).
pub fn annotate(
    stream: &mut Stream,
    profile: &AnnotatorProfile,
    hierarchy: &ClassHierarchy,
    mix: &[f64],
    region: &BoundingBox,
    truth: &[TruthNucleus],
) -> Option<Vec<Nucleus>> {
    if stream.chance(profile.skip_fov_rate) {
        return None;
    }
    let mut drawn = Vec::with_capacity(truth.len() + 4);
    for nucleus in truth {
        if stream.chance(profile.miss_rate_of(hierarchy.name(nucleus.class, ClassLevel::Raw))) {
            continue;
        }
        let shape = jitter_outline(stream, &nucleus.outline, profile.boundary_jitter);
        let shape = match shape {
            Shape::Polygon(_) if stream.chance(profile.box_preference) => {
                Shape::Box(shape.bounding_box())
            }
            other => other,
        };
        let class = perceived_class(
            stream,
            hierarchy,
            nucleus.class,
            profile.plausible_confusion,
            profile.random_confusion,
        );
        drawn.push((shape, class));
    }
    for _ in 0..stream.poisson(profile.false_positive_rate * truth.len() as f64) {
        drawn.push(false_positive(stream, hierarchy, mix, region));
    }
    Some(
        drawn
            .into_iter()
            .enumerate()
            .map(|(i, (shape, class))| {
                Nucleus::new(
                    i as u32 + 2,
                    shape,
                    RawClass {
                        id: class,
                        correction: false,
                    },
                    None,
                )
            })
            .collect(),
    )
}
