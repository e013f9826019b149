//! A FOV from an instance label map, whatever file held it (label images, CoNIC's and
//! PanNuke's arrays, HoVer-Net's `.mat`): each instance id becomes a nucleus whose outline is
//! traced along pixel edges, and the label map is kept beside the outlines so that the
//! instance metrics count every pixel (every piece of a split instance, holes left out).

use super::loaded::FovFile;
use super::options::Strictness;
use super::outline::{FovBuilder, ShapeType};
use crate::error::{Error, Location, Problem, Result};
use crate::geometry::contour::trace_regions;
use crate::model::{LabelMap, Nucleus, RawClass};
use crate::quality::FindingKind;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// An instance raster as a file holds it: `width` × `height` ids, 0 for background.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InstanceRaster {
    pub width: u32,
    pub height: u32,
    pub ids: Vec<u32>,
}

/// The class of an instance id (its raw class and the name found), or what was expected.
pub(crate) type ClassOf<'a> = dyn Fn(u32) -> std::result::Result<(RawClass, String), Problem> + 'a;

/// The FOV of an instance raster: nuclei in order of their ids, numbered from 1.
pub(crate) fn fov_of_instances(
    path: &Path,
    raster: InstanceRaster,
    class_of: &ClassOf<'_>,
    strictness: Strictness,
) -> Result<FovFile> {
    let InstanceRaster { width, height, ids } = raster;
    let mut present: Vec<u32> = ids.iter().copied().filter(|&i| i != 0).collect();
    present.sort_unstable();
    present.dedup();
    let row_of: HashMap<u32, u32> = present
        .iter()
        .enumerate()
        .map(|(i, &id)| (id, i as u32 + 1))
        .collect();
    let mut labels: Vec<u32> = ids
        .iter()
        .map(|&id| if id == 0 { 0 } else { row_of[&id] })
        .collect();
    drop(ids);
    let traced = trace_regions(&labels, width as usize, height as usize);
    let mut builder = FovBuilder::new(path);
    let mut skipped: Vec<u32> = Vec::new();
    for region in traced {
        let row = region.label;
        let id = present[row as usize - 1];
        let item = u64::from(row);
        let class = class_of(id).map_err(|problem| {
            Error::input(
                Location::mask_instance(path, item, &format!("instance {id} class")),
                problem,
            )
        });
        let Some((class, name)) = builder.keep(strictness, item, class)? else {
            skipped.push(row);
            continue;
        };
        if region.dropped_pieces > 0 {
            builder.note(
                FindingKind::LabelPieces,
                Some(item),
                format!(
                    "instance {id}: {} piece(s) besides the outlined one",
                    region.dropped_pieces
                ),
            );
        }
        if region.holes > 0 {
            builder.note(
                FindingKind::LabelHoles,
                Some(item),
                format!("instance {id}: {} hole(s)", region.holes),
            );
        }
        let Some(shape) = builder.shape(item, ShapeType::Polygon, region.outline) else {
            skipped.push(row);
            continue;
        };
        builder.push(Nucleus::new(row, shape, class, None), &name);
    }
    if !skipped.is_empty() {
        for label in labels.iter_mut() {
            if *label != 0 && skipped.binary_search(label).is_ok() {
                *label = 0;
            }
        }
    }
    let label_map = LabelMap::new(width, height, labels).expect("as many labels as pixels");
    Ok(FovFile {
        rows: builder.finish(),
        region: None,
        image_size: Some((width, height)),
        label_map: Some(Arc::new(label_map)),
    })
}
