//! A FOV from an instance label map, whatever file held it (label images, CoNIC's and
//! PanNuke's arrays, HoVer-Net's `.mat`): each instance id becomes a nucleus whose outline is
//! traced along pixel edges, and the label map is kept beside the outlines so that the
//! instance metrics count every pixel (every piece of a split instance, holes left out).

use super::loaded::FovFile;
use super::options::{LabelOutlines, Strictness};
use super::outline::FovBuilder;
use crate::error::{Error, Location, Problem, Result};
use crate::geometry::contour::{trace_regions, TracedRegion};
use crate::model::{BoundingBox, LabelMap, Nucleus, Piece, RawClass, Shape};
use crate::quality::FindingKind;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// An instance raster as a file holds it: `width` × `height` ids, 0 for background, in the
/// reader's buffer (renumbered in place as it is read).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct InstanceRaster<'a> {
    pub width: u32,
    pub height: u32,
    pub ids: &'a mut [u32],
}

/// The class of an instance id (its raw class and the name found), or what was expected.
pub(crate) type ClassOf<'a> = dyn Fn(u32) -> std::result::Result<(RawClass, String), Problem> + 'a;

/// The FOV of an instance raster: nuclei in order of their ids, numbered from 1.
pub(crate) fn fov_of_instances(
    path: &Path,
    raster: InstanceRaster<'_>,
    class_of: &ClassOf<'_>,
    strictness: Strictness,
    outlines: LabelOutlines,
) -> Result<FovFile> {
    let InstanceRaster { width, height, ids } = raster;
    let present = renumber(ids);
    let labels = ids;
    let regions: Vec<Region> = match outlines {
        LabelOutlines::Traced => trace_regions(labels, width as usize, height as usize)
            .into_iter()
            .map(|t| Region {
                row: t.label,
                pieces: t.pieces.len(),
                holes: t.hole_count(),
                outline: ShapeOf::Pieces(pieces_of(t)),
            })
            .collect(),
        LabelOutlines::Boxes => boxes(labels, width as usize, present.len()),
    };
    let mut builder = FovBuilder::new(path);
    let mut skipped: Vec<u32> = Vec::new();
    for region in regions {
        let row = region.row;
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
        if region.pieces > 1 {
            builder.note(
                FindingKind::LabelPieces,
                Some(item),
                format!("instance {id}: {} pieces", region.pieces),
            );
        }
        if region.holes > 0 {
            builder.note(
                FindingKind::LabelHoles,
                Some(item),
                format!("instance {id}: {} hole(s)", region.holes),
            );
        }
        let shape = match region.outline {
            ShapeOf::Pieces(pieces) => builder.pieces(item, pieces),
            ShapeOf::Box(bbox) => Shape::rectangle(bbox).ok(),
        };
        let Some(shape) = shape else {
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
    let label_map = LabelMap::from_labels(width, height, labels).expect("as many labels as pixels");
    Ok(FovFile {
        rows: builder.finish(),
        region: None,
        image_size: Some((width, height)),
        label_map: Some(Arc::new(label_map)),
    })
}

/// An instance's outline as read.
enum ShapeOf {
    Pieces(Vec<Piece>),
    Box(BoundingBox),
}

/// A traced region's pieces as an outline's.
pub(crate) fn pieces_of(region: TracedRegion) -> Vec<Piece> {
    region
        .pieces
        .into_iter()
        .map(|p| Piece {
            outer: p.outer,
            holes: p.holes,
        })
        .collect()
}

/// One instance of the raster: its row, outline, and how many pieces and holes it has.
struct Region {
    row: u32,
    outline: ShapeOf,
    pieces: usize,
    holes: usize,
}

/// The ids present (ascending), the raster renumbered 1, 2, … in their order.
fn renumber(ids: &mut [u32]) -> Vec<u32> {
    let max = ids.iter().copied().max().unwrap_or(0) as usize;
    if max <= 4 * ids.len() {
        // Dense ids (the usual case): a table indexed by id.
        let mut row_of = vec![0u32; max + 1];
        for &id in ids.iter() {
            row_of[id as usize] = 1;
        }
        row_of[0] = 0;
        let mut present = Vec::new();
        for (id, slot) in row_of.iter_mut().enumerate().skip(1) {
            if *slot != 0 {
                present.push(id as u32);
                *slot = present.len() as u32;
            }
        }
        for id in ids.iter_mut() {
            *id = row_of[*id as usize];
        }
        return present;
    }
    let mut present: Vec<u32> = ids.iter().copied().filter(|&i| i != 0).collect();
    present.sort_unstable();
    present.dedup();
    let row_of: HashMap<u32, u32> = present
        .iter()
        .enumerate()
        .map(|(i, &id)| (id, i as u32 + 1))
        .collect();
    for id in ids.iter_mut().filter(|id| **id != 0) {
        *id = row_of[id];
    }
    present
}

/// The box around each label's pixels (pixel-edge coordinates), in label order.
fn boxes(labels: &[u32], width: usize, count: usize) -> Vec<Region> {
    let mut extent = vec![[usize::MAX, usize::MAX, 0, 0]; count];
    for (y, row) in labels.chunks_exact(width.max(1)).enumerate() {
        for (x, &label) in row.iter().enumerate() {
            if label != 0 {
                let e = &mut extent[label as usize - 1];
                *e = [e[0].min(x), e[1].min(y), e[2].max(x), e[3].max(y)];
            }
        }
    }
    extent
        .into_iter()
        .enumerate()
        .map(|(i, [x0, y0, x1, y1])| Region {
            row: i as u32 + 1,
            outline: ShapeOf::Box(BoundingBox {
                xmin: x0 as f64,
                ymin: y0 as f64,
                xmax: (x1 + 1) as f64,
                ymax: (y1 + 1) as f64,
            }),
            pieces: 1, // not traced: boxes only
            holes: 0,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_numbered_in_order_whatever_their_values() {
        // Dense ids and sparse ones (one far beyond the pixel count) give the same numbering.
        for ids in [
            vec![0, 7, 7, 3, 0, 9],
            vec![0, 70_000, 70_000, 3, 0, 900_000],
        ] {
            let mut labels = ids.clone();
            let present = renumber(&mut labels);
            assert_eq!(present.len(), 3);
            assert_eq!(present[1], ids[1]);
            assert_eq!(labels, vec![0, 2, 2, 1, 0, 3]);
        }
        let mut labels = [0, 0];
        assert!(renumber(&mut labels).is_empty());
        assert_eq!(labels, [0, 0]);
    }

    #[test]
    fn boxes_hold_every_pixel_of_their_instance() {
        // 3 x 2: label 1 in two pieces (top left, bottom right), label 2 in the middle.
        let labels = [1, 2, 0, 0, 2, 1];
        let regions = boxes(&labels, 3, 2);
        let extent = |r: &Region| match &r.outline {
            ShapeOf::Box(b) => [b.xmin, b.ymin, b.xmax, b.ymax],
            ShapeOf::Pieces(_) => unreachable!(),
        };
        assert_eq!(extent(&regions[0]), [0.0, 0.0, 3.0, 2.0]);
        assert_eq!(extent(&regions[1]), [1.0, 0.0, 2.0, 2.0]);
    }
}
