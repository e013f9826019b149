//! Restricting sets to regions of interest (`--roi`), before matching: a nucleus whose
//! centroid lies outside every region of its FOV is left out and counted (as the FOV crop
//! leaves out nuclei centred outside the FOV region). A FOV without a region keeps none.

use crate::geometry::roi::Rois;
use crate::model::{AnnotationSet, LabelMap};
use crate::quality::FindingKind;
use std::sync::Arc;

/// Leaves out of `set` the nuclei centred outside `rois`, each counted as a finding; returns
/// how many were left out. A label map loses their pixels too.
pub fn restrict(set: &mut AnnotationSet, rois: &Rois) -> usize {
    let mut left_out = 0;
    for fov in &mut set.fovs {
        let (kept, outside): (Vec<_>, Vec<_>) = std::mem::take(&mut fov.nuclei)
            .into_iter()
            .partition(|n| rois.holds(&fov.name, n.shape.centroid()));
        fov.nuclei = kept;
        if outside.is_empty() {
            continue;
        }
        left_out += outside.len();
        for nucleus in &outside {
            set.quality.push(
                FindingKind::OutsideRoi,
                fov.source.clone(),
                Some(u64::from(nucleus.row)),
                String::new(),
            );
        }
        if let Some(map) = &fov.label_map {
            let mut gone: Vec<u32> = outside.iter().map(|n| n.row).collect();
            gone.sort_unstable();
            let mut labels = map.to_labels();
            for label in &mut labels {
                if *label != 0 && gone.binary_search(label).is_ok() {
                    *label = 0;
                }
            }
            fov.label_map = LabelMap::from_labels(map.width, map.height, &labels).map(Arc::new);
        }
    }
    left_out
}
