//! The instance images of two annotation sets: for every FOV both have, the truth's and the
//! prediction's instances and their overlaps — counted in pixels where both FOVs were read
//! from label maps of one size, computed exactly on the outlines otherwise.

use super::overlaps::label_map_overlaps;
use super::{Instance, InstanceImage, Overlap};
use crate::geometry::candidates::iou_candidates;
use crate::geometry::coverage::{prepared_coverage, Coverage};
use crate::geometry::{IouOptions, IouShape, PixelConvention, PreparedShape};
use crate::matching::pairing::FovPairing;
use crate::model::{AnnotationSet, ClassLevel, Fov};
use rayon::prelude::*;
use serde::Serialize;

/// How the overlaps of the images were measured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Measured {
    /// Images whose two sides are label maps: pixel counts, as the peers count them.
    pub pixels: usize,
    /// Images measured on outlines (continuous geometry).
    pub outlines: usize,
    /// Images too crowded for the peers' exact assignments in seconds: a group of overlapping
    /// instances past the matching's component limit (assigned greedily), or more centroid
    /// pairs than [`super::pairing::NEAREST_DENSE_LIMIT`] (HoVer-Net's type pairing over
    /// pairs within its radius only). Never on label maps of the peers' sizes.
    pub approximated: usize,
}

/// An image with whether it was measured in pixels (both sides label maps of one size).
pub type MeasuredImage = (InstanceImage, bool);

/// The images of the FOVs `truth` and `pred` share, in the truth's order, with each
/// instance's class at `level`.
pub fn images_of_sets(
    truth: &AnnotationSet,
    pred: &AnnotationSet,
    level: ClassLevel,
) -> (Vec<InstanceImage>, Measured) {
    let images = measured_images_of_sets(truth, pred, level);
    let measured = Measured::of(&images);
    (images.into_iter().map(|(i, _)| i).collect(), measured)
}

/// The images of [`images_of_sets`], each with whether it was measured in pixels.
pub fn measured_images_of_sets(
    truth: &AnnotationSet,
    pred: &AnnotationSet,
    level: ClassLevel,
) -> Vec<MeasuredImage> {
    let shared = FovPairing::of(&truth.fov_names(), &pred.fov_names()).shared;
    shared
        .par_iter()
        .map(|&(t, p)| {
            let (truth_fov, pred_fov) = (&truth.fovs[t], &pred.fovs[p]);
            let class = |fov: &Fov, i: usize| truth.hierarchy.index(fov.nuclei[i].class.id, level);
            image_of(truth_fov, pred_fov, &class)
        })
        .collect()
}

impl Measured {
    /// How images, each with whether it was measured in pixels, were measured.
    pub fn of(images: &[MeasuredImage]) -> Measured {
        let pixels = images.iter().filter(|(_, by_pixels)| *by_pixels).count();
        let approximated = images.par_iter().filter(|(i, _)| i.crowded()).count();
        Measured {
            pixels,
            outlines: images.len() - pixels,
            approximated,
        }
    }
}

/// One FOV pair's image (`class` gives the class of a FOV's `i`-th nucleus), and whether it
/// was measured in pixels: both FOVs read from label maps of one size.
pub fn image_of(
    truth: &Fov,
    pred: &Fov,
    class: &(dyn Fn(&Fov, usize) -> usize + Sync),
) -> (InstanceImage, bool) {
    let group = truth.group.clone().or_else(|| pred.group.clone());
    let by_pixels = match (&truth.label_map, &pred.label_map) {
        (Some(t), Some(p)) if (t.width, t.height) == (p.width, p.height) => Some((t, p)),
        _ => None,
    };
    let (mut truth_instances, mut pred_instances, overlaps, foreground) = match by_pixels {
        Some((t, p)) => {
            let rows = |fov: &Fov| fov.nuclei.iter().map(|n| n.row).collect::<Vec<u32>>();
            let (truth, pred, overlaps) = label_map_overlaps(t, p, &rows(truth), &rows(pred));
            // A pixel has one label: the masks' areas are the instances'.
            let foreground = Coverage {
                truth: truth.iter().map(|i| i.area).sum(),
                pred: pred.iter().map(|i| i.area).sum(),
                both: overlaps.iter().map(|o| o.area).sum(),
            };
            (truth, pred, overlaps, foreground)
        }
        None => outline_overlaps(truth, pred),
    };
    for (i, instance) in truth_instances.iter_mut().enumerate() {
        instance.class = class(truth, i);
    }
    for (i, instance) in pred_instances.iter_mut().enumerate() {
        instance.class = class(pred, i);
    }
    let image = InstanceImage {
        name: truth.name.clone(),
        group,
        truth: truth_instances,
        pred: pred_instances,
        overlaps,
        foreground,
    };
    (image, by_pixels.is_some())
}

/// Instances and overlaps of two FOVs' outlines: exact areas of each shape as drawn (a box as
/// its rectangle, as a label map would hold it), centroids shifted by half a pixel to
/// HoVer-Net's pixel-centre convention.
fn outline_overlaps(
    truth: &Fov,
    pred: &Fov,
) -> (Vec<Instance>, Vec<Instance>, Vec<Overlap>, Coverage) {
    let options = IouOptions::new(IouShape::Polygon, PixelConvention::Continuous)
        .expect("continuous areas of outlines are a valid choice");
    let prepare = |fov: &Fov| -> Vec<PreparedShape> {
        fov.nuclei
            .iter()
            .map(|n| PreparedShape::for_iou(&n.shape, &options))
            .collect()
    };
    let (truth_shapes, pred_shapes) = (prepare(truth), prepare(pred));
    let instances = |fov: &Fov, shapes: &[PreparedShape]| -> Vec<Instance> {
        fov.nuclei
            .iter()
            .zip(shapes)
            .map(|(n, s)| {
                let c = n.shape.centroid();
                Instance {
                    area: s.area,
                    class: 0,
                    centroid: [c[0] - 0.5, c[1] - 0.5],
                }
            })
            .collect()
    };
    let truth_instances = instances(truth, &truth_shapes);
    let pred_instances = instances(pred, &pred_shapes);
    let truth_refs: Vec<&PreparedShape> = truth_shapes.iter().collect();
    let pred_refs: Vec<&PreparedShape> = pred_shapes.iter().collect();
    let mut pairs = iou_candidates(&truth_refs, &pred_refs, &options, 0.0, |_, _| true);
    pairs.sort_unstable_by_key(|&(t, p, _)| (t, p));
    let overlaps = pairs
        .into_iter()
        .map(|(t, p, iou)| {
            let total = truth_instances[t as usize].area + pred_instances[p as usize].area;
            Overlap {
                truth: t,
                pred: p,
                area: iou * total / (1.0 + iou),
            }
        })
        .collect();
    // The binary masks' areas, from the same prepared outlines.
    let foreground = prepared_coverage(&truth_shapes, &pred_shapes);
    (truth_instances, pred_instances, overlaps, foreground)
}
