//! Every convention's figures over one set of image pairs.

use super::conic::{conic_figures, ConicFigures};
use super::hovernet::{image_figures, mean_over_images, type_stat, ImageFigures};
use super::pannuke::{pannuke_figures, PanNukeFigures};
use super::stardist::{default_thresholds, stardist_figures, StarDistFigures};
use super::{InstanceImage, Keyed};
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
