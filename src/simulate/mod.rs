//! Synthetic NuCLS data with known truth: a corrected set and its uncorrected version, a
//! model's predictions, and a multi-rater study, for trying nucagree, for tests with known
//! answers, for benchmarks at any scale, and for planning how many raters a study needs.
//!
//! Generation is pure and per FOV: each FOV draws from its own seeded streams, so the output
//! is the same on any machine and with any number of threads, and large sets can be written
//! FOV by FOV with bounded memory (see `writers::simulation`).
//!
//! ```
//! use nucagree::simulate::{plan_fovs, simulate_fov, SimulationConfig};
//!
//! let config = SimulationConfig { fovs: 4, ..SimulationConfig::default() };
//! let plans = plan_fovs(&config);
//! let fov = simulate_fov(&config, &plans[0]);
//! assert!(!fov.corrected.is_empty());
//! assert_eq!(fov.raters.len(), 9);
//! ```

pub mod annotator;
pub mod correction;
pub mod image;
pub mod prediction;
pub mod regions;
pub mod truth;

use crate::model::{
    AnnotationSet, BoundingBox, ClassHierarchy, ClassLevel, FoldSplit, Nucleus, Shape, ShapeKind,
};
use crate::random::Stream;
use annotator::StudyDesign;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use truth::{TruthNucleus, NUCLS_CLASS_MIX};

/// TCGA tissue source sites used for simulated slides (hospital codes).
const HOSPITALS: [&str; 12] = [
    "A2", "E2", "BH", "D8", "EW", "AN", "GM", "OL", "AR", "A7", "C8", "S3",
];

/// The evaluation set every simulated rater annotates, and the second one a few raters repeat
/// for intrarater agreement.
pub const MAIN_EVAL_SET: &str = "E";
pub const REPEAT_EVAL_SET: &str = "U-control";

/// Everything a simulation needs besides the truth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SimulationConfig {
    pub seed: u64,
    /// Number of generated FOVs (ignored when the truth comes from a real set).
    pub fovs: usize,
    /// Number of slides; FOVs are spread evenly over them.
    pub slides: usize,
    /// Number of hospitals; slides are spread evenly over them, and folds group hospitals.
    pub hospitals: usize,
    pub mean_nuclei_per_fov: f64,
    /// Share of truth nuclei drawn as rectangles in the corrected set.
    pub box_fraction: f64,
    /// How many FOVs the multi-rater study covers (spread over hospitals); `None`: all.
    pub rater_fovs: Option<usize>,
    /// How many of the study's FOVs the repeat raters annotate a second time.
    pub repeat_fovs: usize,
    /// Raters who annotate a second evaluation set.
    pub repeat_raters: Vec<String>,
    /// Paint a synthetic H&E-like RGB image of each FOV (`corrected/rgb/<fov>.png`).
    pub images: bool,
    pub design: StudyDesign,
    pub model: prediction::ModelProfile,
    pub correction: correction::CorrectionProfile,
}

impl Default for SimulationConfig {
    fn default() -> SimulationConfig {
        SimulationConfig {
            seed: 2022,
            fovs: 30,
            slides: 10,
            hospitals: 5,
            mean_nuclei_per_fov: 28.0,
            box_fraction: 2.0 / 3.0,
            rater_fovs: Some(30),
            repeat_fovs: 10,
            repeat_raters: vec!["SP.1".into(), "NP.1".into()],
            images: false,
            design: StudyDesign::default(),
            model: prediction::ModelProfile::default(),
            correction: correction::CorrectionProfile::default(),
        }
    }
}

/// A FOV to simulate: its identity and geometry, and its truth when that comes from a set.
#[derive(Debug, Clone, PartialEq)]
pub struct FovPlan {
    pub index: usize,
    pub name: String,
    pub slide: String,
    pub hospital: String,
    pub region: BoundingBox,
    pub image_size: Option<(u32, u32)>,
    /// Whether the multi-rater study covers this FOV.
    pub in_study: bool,
    /// Whether the repeat raters annotate it a second time.
    pub repeated: bool,
    /// The truth taken from a real set (`--from`); generated when `None`.
    pub given_truth: Option<Vec<TruthNucleus>>,
}

/// One simulated FOV: every set's nuclei.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulatedFov {
    pub truth: Vec<TruthNucleus>,
    pub corrected: Vec<Nucleus>,
    pub uncorrected: Vec<Nucleus>,
    pub predictions: Vec<Nucleus>,
    /// Per rater of the design, in its order: what the rater drew in the main evaluation set
    /// (`None` when the rater skipped the FOV or the FOV is not in the study).
    pub raters: Vec<Option<Vec<Nucleus>>>,
    /// Per repeat rater: the second evaluation set.
    pub repeats: Vec<Option<Vec<Nucleus>>>,
    /// The painted FOV, when asked for and its size is known.
    pub image: Option<image::RgbImage>,
}

/// The class weights (by raw class index) of the NuCLS mix in `hierarchy`.
pub fn class_mix(hierarchy: &ClassHierarchy) -> Vec<f64> {
    hierarchy
        .names(ClassLevel::Raw)
        .iter()
        .map(|name| {
            NUCLS_CLASS_MIX
                .iter()
                .find(|(n, _)| n == name)
                .map_or(100.0, |(_, w)| *w)
        })
        .collect()
}

/// Spreads `count` study FOVs evenly over `total` (FOV `k * total / count` is the `k`-th),
/// so that every hospital is represented: the rank of FOV `index` among them, if it is one.
/// Computed, not listed, so any number of FOVs is planned in constant memory.
pub fn study_rank(total: usize, count: Option<usize>, index: usize) -> Option<usize> {
    let count = count.unwrap_or(total).min(total) as u128;
    let (total, index) = (total as u128, index as u128);
    if count == 0 || index >= total {
        return None;
    }
    // The first k with k * total / count >= index.
    let k = (index * count).div_ceil(total);
    (k < count && k * total / count == index).then_some(k as usize)
}

/// The FOVs of a generated simulation, with names in the NuCLS form.
pub fn plan_fovs(config: &SimulationConfig) -> Vec<FovPlan> {
    (0..config.fovs).map(|i| plan_fov(config, i)).collect()
}

/// The slides of a generated simulation, `(slide, hospital)`, in order of their first FOV.
pub fn generated_slides(config: &SimulationConfig) -> Vec<(String, String)> {
    (0..slide_count(config))
        .map(|slide_index| generated_slide(config, slide_index))
        .collect()
}

fn slide_count(config: &SimulationConfig) -> usize {
    config.slides.clamp(1, config.fovs.max(1))
}

/// Slide `slide_index` of a generated simulation and its hospital: slides are spread evenly
/// over the hospitals.
fn generated_slide(config: &SimulationConfig, slide_index: usize) -> (String, String) {
    let hospital = hospital_code(slide_index % config.hospitals.clamp(1, slide_count(config)));
    (format!("TCGA-{hospital}-Z{slide_index:03}-DX1"), hospital)
}

/// FOV `index` of a generated simulation: pure, so FOVs are planned one at a time.
pub fn plan_fov(config: &SimulationConfig, index: usize) -> FovPlan {
    let mut stream = Stream::new(config.seed, "fov", index as u64);
    let slide_index =
        (index as u128 * slide_count(config) as u128 / config.fovs.max(1) as u128) as usize;
    let (slide, hospital) = generated_slide(config, slide_index);
    let geometry = truth::fov_geometry(&mut stream);
    let left = 1000 + stream.below(90_000) as i64;
    let top = 1000 + stream.below(90_000) as i64;
    // Base-magnification bounds: the image is 1.25x larger at 0.2 µm/px.
    let right = left + (f64::from(geometry.width) / 1.25).round() as i64;
    let bottom = top + (f64::from(geometry.height) / 1.25).round() as i64;
    let id: String = (0..24)
        .map(|_| char::from_digit(stream.below(16) as u32, 16).unwrap())
        .collect();
    let rank = study_rank(config.fovs, config.rater_fovs, index);
    FovPlan {
        index,
        name: format!("{slide}_id-{id}_left-{left}_top-{top}_bottom-{bottom}_right-{right}"),
        slide,
        hospital,
        region: geometry.region,
        image_size: Some((geometry.width, geometry.height)),
        in_study: rank.is_some(),
        repeated: rank.is_some_and(|k| k < config.repeat_fovs),
        given_truth: None,
    }
}

/// The FOVs of a simulation, planned one at a time as they are written.
#[derive(Debug, Clone)]
pub enum FovPlans {
    /// Generated from the config: any number of FOVs in constant memory.
    Generated(SimulationConfig),
    /// Taken from a real set (`--from`).
    Given(Vec<FovPlan>),
}

impl FovPlans {
    pub fn len(&self) -> usize {
        match self {
            FovPlans::Generated(config) => config.fovs,
            FovPlans::Given(plans) => plans.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// FOV `index` (below [`FovPlans::len`]).
    pub fn plan(&self, index: usize) -> std::borrow::Cow<'_, FovPlan> {
        match self {
            FovPlans::Generated(config) => std::borrow::Cow::Owned(plan_fov(config, index)),
            FovPlans::Given(plans) => std::borrow::Cow::Borrowed(&plans[index]),
        }
    }

    /// The slides `(slide, hospital)` in order of their first FOV.
    pub fn slides(&self) -> Vec<(String, String)> {
        match self {
            FovPlans::Generated(config) => generated_slides(config),
            FovPlans::Given(plans) => {
                let mut seen = std::collections::HashSet::new();
                plans
                    .iter()
                    .filter(|p| seen.insert(p.slide.as_str()))
                    .map(|p| (p.slide.clone(), p.hospital.clone()))
                    .collect()
            }
        }
    }
}

/// The FOVs of a simulation whose truth is a real annotation set.
pub fn plan_from_set(config: &SimulationConfig, set: &AnnotationSet) -> Vec<FovPlan> {
    set.fovs
        .iter()
        .enumerate()
        .map(|(index, fov)| {
            let truth: Vec<TruthNucleus> = fov
                .nuclei
                .iter()
                .map(|n| TruthNucleus {
                    outline: n.shape.clone(),
                    class: n.class.id,
                    drawn: n.shape.kind(),
                })
                .collect();
            let extent = fov.region.or_else(|| {
                let corners: Vec<[f64; 2]> = fov
                    .nuclei
                    .iter()
                    .flat_map(|n| [[n.bbox.xmin, n.bbox.ymin], [n.bbox.xmax, n.bbox.ymax]])
                    .collect();
                BoundingBox::around(&corners)
            });
            let rank = study_rank(set.fovs.len(), config.rater_fovs, index);
            FovPlan {
                index,
                name: fov.name.clone(),
                slide: fov.slide.clone().unwrap_or_else(|| "unknown".into()),
                hospital: fov.hospital.clone().unwrap_or_else(|| "unknown".into()),
                region: extent.unwrap_or(BoundingBox {
                    xmin: 0.0,
                    ymin: 0.0,
                    xmax: 300.0,
                    ymax: 300.0,
                }),
                image_size: fov.image_size,
                in_study: rank.is_some(),
                repeated: rank.is_some_and(|k| k < config.repeat_fovs),
                given_truth: Some(truth),
            }
        })
        .collect()
}

fn hospital_code(index: usize) -> String {
    match HOSPITALS.get(index) {
        Some(code) => code.to_string(),
        None => {
            let digits = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
            let n = index - HOSPITALS.len();
            format!(
                "{}{}",
                char::from(digits[10 + (n / 36) % 26]),
                char::from(digits[n % 36])
            )
        }
    }
}

/// Folds by hospital, from the slides `(slide, hospital)` in order of their first FOV:
/// hospital `h` (in order of first appearance) is in the test set of fold `h mod 5 + 1`;
/// each slide is in exactly one test fold.
pub fn folds(slides: &[(String, String)]) -> BTreeMap<u32, FoldSplit> {
    let mut hospitals: Vec<&str> = Vec::new();
    for (_, hospital) in slides {
        if !hospitals.contains(&hospital.as_str()) {
            hospitals.push(hospital);
        }
    }
    let fold_count = hospitals.len().min(5) as u32;
    let mut folds: BTreeMap<u32, FoldSplit> = (1..=fold_count)
        .map(|k| (k, FoldSplit::default()))
        .collect();
    for (slide, hospital) in slides {
        let h = hospitals
            .iter()
            .position(|x| *x == hospital.as_str())
            .unwrap();
        let test_fold = (h as u32 % fold_count) + 1;
        for (k, split) in folds.iter_mut() {
            if *k == test_fold {
                split.test.push(slide.to_string());
            } else {
                split.train.push(slide.to_string());
            }
        }
    }
    for split in folds.values_mut() {
        split.train.sort();
        split.test.sort();
    }
    folds
}

/// Simulates every set of one FOV. Pure: the result depends only on the config and the plan.
pub fn simulate_fov(config: &SimulationConfig, plan: &FovPlan) -> SimulatedFov {
    simulate_fov_with(config, plan, &ClassHierarchy::nucls())
}

/// [`simulate_fov`] with a given hierarchy (that of a `--from` set).
pub fn simulate_fov_with(
    config: &SimulationConfig,
    plan: &FovPlan,
    hierarchy: &ClassHierarchy,
) -> SimulatedFov {
    let mix = class_mix(hierarchy);
    let index = plan.index as u64;
    let truth = match &plan.given_truth {
        Some(truth) => truth.clone(),
        None => {
            let mut stream = Stream::new(config.seed, "truth", index);
            let geometry = truth::FovGeometry {
                width: plan.image_size.map_or(400, |s| s.0),
                height: plan.image_size.map_or(400, |s| s.1),
                region: plan.region,
            };
            truth::truth_nuclei(
                &mut stream,
                hierarchy,
                &mix,
                &geometry,
                config.mean_nuclei_per_fov,
                config.box_fraction,
            )
        }
    };
    let mut stream = Stream::new(config.seed, "correction", index);
    let (corrected, uncorrected) = correction::correct(
        &mut stream,
        &config.correction,
        hierarchy,
        &mix,
        &plan.region,
        &truth,
    );
    let mut stream = Stream::new(config.seed, "model", index);
    let predictions = prediction::predict(
        &mut stream,
        &config.model,
        hierarchy,
        &mix,
        &plan.region,
        &truth,
    );
    let annotate = |rater: &str, eval_set: &str| {
        let profile = config
            .design
            .raters
            .iter()
            .find(|r| r.id == rater)
            .and_then(|r| config.design.profile(&r.profile))?;
        let mut stream = Stream::new(config.seed, &format!("rater/{rater}/{eval_set}"), index);
        annotator::annotate(&mut stream, &profile, hierarchy, &mix, &plan.region, &truth)
    };
    let raters: Vec<Option<Vec<Nucleus>>> = config
        .design
        .raters
        .iter()
        .map(|r| {
            if plan.in_study {
                annotate(&r.id, MAIN_EVAL_SET)
            } else {
                None
            }
        })
        .collect();
    let repeats: Vec<Option<Vec<Nucleus>>> = config
        .repeat_raters
        .iter()
        .map(|r| {
            if plan.repeated {
                annotate(r, REPEAT_EVAL_SET)
            } else {
                None
            }
        })
        .collect();
    let image = match (config.images, plan.image_size) {
        (true, Some((w, h))) => Some(image::paint_fov(
            &mut Stream::new(config.seed, "image", index),
            w,
            h,
            &truth,
        )),
        _ => None,
    };
    let (width, height) = plan
        .image_size
        .map_or((f64::INFINITY, f64::INFINITY), |(w, h)| {
            (f64::from(w), f64::from(h))
        });
    let inside = |nuclei: Vec<Nucleus>| keep_inside_image(nuclei, width, height);
    SimulatedFov {
        truth,
        corrected,
        uncorrected: inside(uncorrected),
        predictions: inside(predictions),
        raters: raters.into_iter().map(|r| r.map(inside)).collect(),
        repeats: repeats.into_iter().map(|r| r.map(inside)).collect(),
        image,
    }
}

/// Clamps drawn outlines to the image, as an annotation tool does; an outline left with no
/// area is dropped. Rows are renumbered.
fn keep_inside_image(nuclei: Vec<Nucleus>, width: f64, height: f64) -> Vec<Nucleus> {
    let clamp = |v: [f64; 2]| [v[0].clamp(0.0, width), v[1].clamp(0.0, height)];
    nuclei
        .into_iter()
        .filter_map(|n| {
            let shape = match &n.shape {
                Shape::Point(p) => Shape::Point(clamp(*p)),
                Shape::Box(b) => {
                    let lo = clamp([b.xmin, b.ymin]);
                    let hi = clamp([b.xmax, b.ymax]);
                    Shape::rectangle(BoundingBox {
                        xmin: lo[0],
                        ymin: lo[1],
                        xmax: hi[0],
                        ymax: hi[1],
                    })
                    .ok()?
                }
                Shape::Pieces(pieces) => {
                    let clamped = |ring: &Vec<[f64; 2]>| ring.iter().map(|v| clamp(*v)).collect();
                    let pieces = pieces
                        .iter()
                        .map(|p| crate::model::Piece {
                            outer: clamped(&p.outer),
                            holes: p.holes.iter().map(clamped).collect(),
                        })
                        .collect();
                    Shape::pieces(pieces).ok()?.0
                }
                Shape::Polygon(vertices) => {
                    if vertices.iter().all(|v| clamp(*v) == *v) {
                        n.shape.clone()
                    } else {
                        Shape::polygon(vertices.iter().map(|v| clamp(*v)).collect())
                            .ok()?
                            .0
                    }
                }
            };
            Some(Nucleus::new(0, shape, n.class, n.score))
        })
        .enumerate()
        .map(|(i, mut n)| {
            n.row = i as u32 + 2;
            n
        })
        .collect()
}

/// Checks that every rater names a known profile.
pub fn validate_design(design: &StudyDesign) -> Result<(), String> {
    for rater in &design.raters {
        if design.profile(&rater.profile).is_none() {
            return Err(format!(
                "rater {} names profile {:?}, which is neither built in (senior_pathologist, junior_pathologist, non_pathologist) nor defined under [profiles]",
                rater.id, rater.profile
            ));
        }
    }
    let mut ids: Vec<&str> = design.raters.iter().map(|r| r.id.as_str()).collect();
    ids.sort();
    if let Some(pair) = ids.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!("rater {} appears twice", pair[0]));
    }
    Ok(())
}

/// The share of truth nuclei drawn as boxes, for checking a simulation's composition.
pub fn box_share(fovs: &[SimulatedFov]) -> f64 {
    let (boxes, total) = fovs
        .iter()
        .flat_map(|f| &f.truth)
        .fold((0, 0), |(b, t), n| {
            (b + usize::from(n.drawn == ShapeKind::Box), t + 1)
        });
    boxes as f64 / total.max(1) as f64
}
