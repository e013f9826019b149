//! Every convention's figures over one set of image pairs.

use super::conic::{conic_figures, ConicFigures};
use super::hovernet::{image_figures, mean_over_images, type_stat, ImageFigures};
use super::images::{images_of_sets, Measured};
use super::pannuke::{pannuke_figures, PanNukeFigures};
use super::stardist::{default_thresholds, stardist_figures, StarDistFigures};
use super::{InstanceImage, Keyed};
use crate::model::{AnnotationSet, ClassLevel};
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
    let per_image: Vec<ImageFigures> = images.par_iter().map(image_figures).collect();
    let types = type_stat(images, class_names);
    let hovernet = HoverNetFigures {
        mean_over_images: mean_over_images(&per_image),
        per_image: Keyed(
            images
                .iter()
                .map(|i| i.name.clone())
                .zip(per_image)
                .collect(),
        ),
        f1_d: types.f1_d,
        acc_type: types.acc_type,
        f1_type: types.f1_type,
        placeholder_images: types.placeholders,
    };
    Conventions {
        hovernet,
        conic: conic_figures(images, class_names),
        pannuke: pannuke_figures(images, class_names),
        stardist: stardist_figures(images, &options.thresholds),
    }
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

/// Every convention on the FOVs `truth` and `pred` share, classes at `level`.
pub fn summarize_sets(
    truth: &AnnotationSet,
    pred: &AnnotationSet,
    level: ClassLevel,
    options: &ConventionsOptions,
) -> ConventionsSummary {
    let (images, measured) = images_of_sets(truth, pred, level);
    let class_names = truth.hierarchy.names(level).to_vec();
    let figures = evaluate_conventions(&images, &class_names, options);
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
    pub truth: crate::comparison::run::InputSet,
    pub pred: crate::comparison::run::InputSet,
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
    let raw = truth.hierarchy.names(ClassLevel::Raw);
    let levels = [ClassLevel::Main, ClassLevel::Super]
        .into_iter()
        .filter(|&l| truth.hierarchy.names(l) != raw)
        .map(|l| {
            (
                l.name().to_string(),
                summarize_sets(truth, pred, l, options),
            )
        })
        .collect();
    ConventionsReport {
        command: "conventions",
        version: env!("CARGO_PKG_VERSION"),
        truth: crate::comparison::run::InputSet::of(truth),
        pred: crate::comparison::run::InputSet::of(pred),
        stardist_thresholds: options.thresholds.clone(),
        conventions: summarize_sets(truth, pred, ClassLevel::Raw, options),
        levels: Keyed(levels),
    }
}
