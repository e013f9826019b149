//! Every convention's figures over one set of image pairs.

use super::conic::{conic_figures, ConicFigures};
use super::hovernet::{
    centroid_pairing, image_figures, mean_over_images, type_stat_of, CentroidPairing, ImageFigures,
};
use super::images::{images_of_sets, Measured};
use super::pannuke::{pannuke_figures, PanNukeFigures};
use super::stardist::{default_thresholds, stardist_figures, StarDistFigures};
use super::{InstanceImage, Keyed};
use crate::model::{AnnotationSet, ClassId, ClassLevel};
use crate::stats::bland_altman::{bland_altman, BlandAltman};
use rayon::prelude::*;
use serde::Serialize;

/// What the conventions are computed with.
#[derive(Debug, Clone, PartialEq)]
pub struct ConventionsOptions {
    /// StarDist's IoU thresholds.
    pub thresholds: Vec<f64>,
}

impl Default for ConventionsOptions {
    fn default() -> Self {
        ConventionsOptions {
            thresholds: default_thresholds(),
        }
    }
}

/// HoVer-Net's figures: per image, their means, and the pooled type statistics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HoverNetFigures {
    pub per_image: Keyed<ImageFigures>,
    /// Means over the images where each figure is defined.
    pub mean_over_images: ImageFigures,
    pub f1_d: Option<f64>,
    pub acc_type: Option<f64>,
    pub f1_type: Keyed<Option<f64>>,
    /// Images given HoVer-Net's placeholder instance at (0, 0) in the type statistics.
    pub placeholder_images: usize,
}

/// The same data under each convention.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conventions {
    pub hovernet: HoverNetFigures,
    pub conic: ConicFigures,
    pub pannuke: PanNukeFigures,
    pub stardist: StarDistFigures,
}

/// Every convention's figures; `class_names` are the classes the instances' `class` indexes.
pub fn evaluate_conventions(
    images: &[InstanceImage],
    class_names: &[String],
    options: &ConventionsOptions,
) -> Conventions {
    let pairings: Vec<CentroidPairing> = images.par_iter().map(centroid_pairing).collect();
    evaluate_paired(images, &pairings, class_names, options)
}

/// As [`evaluate_conventions`], with each image's centroid pairing already made.
fn evaluate_paired(
    images: &[InstanceImage],
    pairings: &[CentroidPairing],
    class_names: &[String],
    options: &ConventionsOptions,
) -> Conventions {
    let per_image: Vec<ImageFigures> = images.par_iter().map(image_figures).collect();
    let base = Conventions {
        hovernet: HoverNetFigures {
            mean_over_images: mean_over_images(&per_image),
            per_image: Keyed(
                images
                    .iter()
                    .map(|i| i.name.clone())
                    .zip(per_image)
                    .collect(),
            ),
            f1_d: None,
            acc_type: None,
            f1_type: Keyed::default(),
            placeholder_images: 0,
        },
        conic: conic_figures(&[], &[]),
        pannuke: pannuke_figures(&[], &[]),
        stardist: stardist_figures(images, &options.thresholds),
    };
    with_classes(base, images, pairings, class_names)
}

/// `base` with its class-dependent figures (HoVer-Net's type statistics, CoNIC's and
/// PanNuke's) computed for the instances' classes: the class-agnostic ones (PQ, AJI, Dice,
/// StarDist's table) and the centroid pairing serve every class level.
fn with_classes(
    mut base: Conventions,
    images: &[InstanceImage],
    pairings: &[CentroidPairing],
    class_names: &[String],
) -> Conventions {
    let types = type_stat_of(images, pairings, class_names);
    base.hovernet.f1_d = types.f1_d;
    base.hovernet.acc_type = types.acc_type;
    base.hovernet.f1_type = types.f1_type;
    base.hovernet.placeholder_images = types.placeholders;
    base.conic = conic_figures(images, class_names);
    base.pannuke = pannuke_figures(images, class_names);
    base
}

/// Which convention's figures lead a report's headline (`--convention`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Convention {
    HoverNet,
    Conic,
    PanNuke,
    StarDist,
    Coco,
    #[default]
    Nucls,
}

crate::choices!(Convention {
    HoverNet => "hovernet",
    Conic => "conic",
    PanNuke => "pannuke",
    StarDist => "stardist",
    Coco => "coco",
    Nucls => "nucls",
});

/// One image's instance counts by class, truth and prediction (for the counts table).
#[derive(Debug, Clone, PartialEq)]
pub struct ImageCounts {
    pub image: String,
    pub truth: Vec<u64>,
    pub pred: Vec<u64>,
}

/// The conventions of two sets at one class level, with how they were measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConventionsSummary {
    pub level: ClassLevel,
    /// Images (FOVs both sets have).
    pub images: usize,
    pub measured: Measured,
    #[serde(flatten)]
    pub figures: Conventions,
    /// Bland-Altman agreement of the per-image counts of each class (prediction minus truth).
    pub count_agreement: Keyed<BlandAltman>,
    /// The level's class names, in the order of the counts.
    #[serde(skip)]
    pub class_names: Vec<String>,
    #[serde(skip)]
    pub counts: Vec<ImageCounts>,
}

/// The conventions of the finest (raw) level, and of each coarser level whose classes differ
/// from the raw ones.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelConventions {
    pub raw: ConventionsSummary,
    pub coarser: Vec<(ClassLevel, ConventionsSummary)>,
}

/// Every convention on the FOVs `truth` and `pred` share, at the raw level and each coarser
/// level with classes of its own: the overlaps, the class-agnostic figures and the centroid
/// pairing are computed once, the class-dependent figures once a level.
pub fn summarize_levels(
    truth: &AnnotationSet,
    pred: &AnnotationSet,
    options: &ConventionsOptions,
) -> LevelConventions {
    let (raw_images, measured) = images_of_sets(truth, pred, ClassLevel::Raw);
    summarize_images(raw_images, measured, &truth.hierarchy, options)
}

/// As [`summarize_levels`], from the raw-level images already made (by
/// [`super::images::images_of_sets`]; merged partial runs bring theirs), in the truth's order.
pub fn summarize_images(
    raw_images: Vec<InstanceImage>,
    measured: Measured,
    hierarchy: &crate::model::ClassHierarchy,
    options: &ConventionsOptions,
) -> LevelConventions {
    let raw_names = hierarchy.names(ClassLevel::Raw).to_vec();
    let pairings: Vec<CentroidPairing> = raw_images.par_iter().map(centroid_pairing).collect();
    let full = evaluate_paired(&raw_images, &pairings, &raw_names, options);
    let coarser = [ClassLevel::Main, ClassLevel::Super]
        .into_iter()
        .filter(|&level| hierarchy.names(level) != raw_names)
        .map(|level| {
            let class_names = hierarchy.names(level).to_vec();
            let to_level: Vec<usize> = (0..raw_names.len())
                .map(|raw| hierarchy.index(ClassId(raw as u16), level))
                .collect();
            let images: Vec<InstanceImage> = raw_images
                .iter()
                .map(|image| {
                    let mut image = image.clone();
                    for instance in image.truth.iter_mut().chain(image.pred.iter_mut()) {
                        instance.class = to_level[instance.class];
                    }
                    image
                })
                .collect();
            let figures = with_classes(full.clone(), &images, &pairings, &class_names);
            (
                level,
                summary_of(level, &images, measured, figures, class_names),
            )
        })
        .collect();
    LevelConventions {
        raw: summary_of(ClassLevel::Raw, &raw_images, measured, full, raw_names),
        coarser,
    }
}

fn summary_of(
    level: ClassLevel,
    images: &[InstanceImage],
    measured: Measured,
    figures: Conventions,
    class_names: Vec<String>,
) -> ConventionsSummary {
    let counts: Vec<ImageCounts> = images
        .iter()
        .map(|image| {
            let (truth, pred) = (0..class_names.len())
                .map(|c| image.counts(Some(c)))
                .unzip();
            ImageCounts {
                image: image.name.clone(),
                truth,
                pred,
            }
        })
        .collect();
    let count_agreement = class_names
        .iter()
        .enumerate()
        .filter_map(|(class, name)| {
            let side = |truth: bool| -> Vec<f64> {
                counts
                    .iter()
                    .map(|c: &ImageCounts| {
                        (if truth { c.truth[class] } else { c.pred[class] }) as f64
                    })
                    .collect()
            };
            bland_altman(&side(true), &side(false)).map(|b| (name.clone(), b))
        })
        .collect();
    ConventionsSummary {
        level,
        images: images.len(),
        measured,
        figures,
        count_agreement: Keyed(count_agreement),
        class_names,
        counts,
    }
}

/// What `nucagree conventions` writes as `summary.json`: the inputs, the thresholds, and the
/// conventions at the finest class level and at each coarser level that differs from it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConventionsReport {
    pub command: &'static str,
    pub version: &'static str,
    pub truth: crate::model::InputSet,
    pub pred: crate::model::InputSet,
    pub stardist_thresholds: Vec<f64>,
    pub conventions: ConventionsSummary,
    /// The coarser levels whose classes differ from the finest's.
    pub levels: Keyed<ConventionsSummary>,
}

/// Every convention of `pred` against `truth`, at each class level that has classes of its own.
pub fn conventions_report(
    truth: &AnnotationSet,
    pred: &AnnotationSet,
    options: &ConventionsOptions,
) -> ConventionsReport {
    let levels = summarize_levels(truth, pred, options);
    ConventionsReport {
        command: "conventions",
        version: env!("CARGO_PKG_VERSION"),
        truth: crate::model::InputSet::of(truth),
        pred: crate::model::InputSet::of(pred),
        stardist_thresholds: options.thresholds.clone(),
        conventions: levels.raw,
        levels: Keyed(
            levels
                .coarser
                .into_iter()
                .map(|(level, summary)| (level.name().to_string(), summary))
                .collect(),
        ),
    }
}
