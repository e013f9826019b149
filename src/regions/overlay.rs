//! Where two masks of one ROI disagree, on a grid coarse enough to draw: per cell of `scale`
//! pixels square, the share of its compared pixels whose main classes differ, the reference's
//! main class at the cell's centre, and the ROI image's pixel there when there is an image.
//!
//! ```
//! use nucagree::ingest::region_masks::RegionMask;
//! use nucagree::model::region_scheme::RegionScheme;
//! use nucagree::regions::overlay::roi_disagreement;
//!
//! let scheme = RegionScheme::bcss();
//! // 4 x 2 pixels: A tumor, B tumor on the left half and stroma on the right.
//! let a = RegionMask { width: 4, height: 2, codes: vec![1; 8] };
//! let b = RegionMask { width: 4, height: 2, codes: vec![1, 1, 2, 2, 1, 1, 2, 2] };
//! let d = roi_disagreement("roi", &scheme, &a, &b, None, 2);
//! assert_eq!((d.columns, d.rows, d.scale), (2, 1, 2));
//! assert_eq!(d.disagreement, vec![Some(0.0), Some(1.0)]);
//! assert_eq!(d.accuracy, Some(0.5));
//! ```

use super::summary::RegionReport;
use crate::error::Result;
use crate::ingest::region_masks::{read_region_mask, roi_image, RegionIndex, RegionMask};
use crate::model::region_scheme::{CodeMeaning, RegionLevel, RegionScheme};
use crate::model::RgbImage;
use rayon::prelude::*;

/// One ROI's disagreement on a coarse grid.
#[derive(Debug, Clone, PartialEq)]
pub struct RoiDisagreement {
    pub roi: String,
    /// The ROI's size in pixels.
    pub width: u32,
    pub height: u32,
    /// Pixels per cell side, and the grid.
    pub scale: u32,
    pub columns: u32,
    pub rows: u32,
    /// Per cell, row by row: the share of its compared pixels where A's main class differs
    /// from the reference's (`None` where no pixel was compared).
    pub disagreement: Vec<Option<f64>>,
    /// Per cell: the reference's main class (an index into `classes`) at the cell's centre
    /// pixel, `None` where that pixel is left out.
    pub reference: Vec<Option<usize>>,
    /// Per cell: the image's pixel at the cell's centre.
    pub image: Option<Vec<[u8; 3]>>,
    /// The main classes.
    pub classes: Vec<String>,
    /// The share of the ROI's compared pixels whose main classes agree.
    pub accuracy: Option<f64>,
}

/// The disagreement of A's mask with the reference B's on a grid of at most `max_cells`
/// cells a side; `image` (of any size: sampled in proportion) is sampled at the cells' centres.
pub fn roi_disagreement(
    roi: &str,
    scheme: &RegionScheme,
    a: &RegionMask,
    b: &RegionMask,
    image: Option<&RgbImage>,
    max_cells: u32,
) -> RoiDisagreement {
    let (width, height) = (a.width.min(b.width), a.height.min(b.height));
    let scale = width.max(height).div_ceil(max_cells.max(1)).max(1);
    let (columns, rows) = (width.div_ceil(scale), height.div_ceil(scale));
    let cells = columns as usize * rows as usize;
    let main = |code: u32| match scheme.meaning(code) {
        CodeMeaning::Class(raw) => Some(scheme.index(raw, RegionLevel::Main)),
        _ => None,
    };
    let (mut compared, mut differing) = (vec![0u64; cells], vec![0u64; cells]);
    for y in 0..height as usize {
        let row = (y / scale as usize) * columns as usize;
        let (line_a, line_b) = (
            &a.codes[y * a.width as usize..][..width as usize],
            &b.codes[y * b.width as usize..][..width as usize],
        );
        for (x, (&code_a, &code_b)) in line_a.iter().zip(line_b).enumerate() {
            if let (Some(class_a), Some(class_b)) = (main(code_a), main(code_b)) {
                let cell = row + x / scale as usize;
                compared[cell] += 1;
                differing[cell] += u64::from(class_a != class_b);
            }
        }
    }
    let centre = |cell: usize| {
        let (column, row) = (cell as u32 % columns, cell as u32 / columns);
        (
            (column * scale + scale / 2).min(width - 1),
            (row * scale + scale / 2).min(height - 1),
        )
    };
    let reference = (0..cells)
        .map(|cell| {
            let (x, y) = centre(cell);
            main(b.codes[y as usize * b.width as usize + x as usize])
        })
        .collect();
    let image = image.and_then(|(image_width, image_height, pixels)| {
        (*image_width > 0 && *image_height > 0).then(|| {
            (0..cells)
                .map(|cell| {
                    let (x, y) = centre(cell);
                    let ix = (u64::from(x) * u64::from(*image_width) / u64::from(width)) as usize;
                    let iy = (u64::from(y) * u64::from(*image_height) / u64::from(height)) as usize;
                    let i = (iy * *image_width as usize + ix) * 3;
                    pixels
                        .get(i..i + 3)
                        .map_or([255, 255, 255], |p| [p[0], p[1], p[2]])
                })
                .collect()
        })
    });
    let (all_compared, all_differing) =
        (compared.iter().sum::<u64>(), differing.iter().sum::<u64>());
    RoiDisagreement {
        roi: roi.to_string(),
        width,
        height,
        scale,
        columns,
        rows,
        disagreement: compared
            .iter()
            .zip(&differing)
            .map(|(&n, &d)| (n > 0).then(|| d as f64 / n as f64))
            .collect(),
        reference,
        image,
        classes: scheme
            .names(RegionLevel::Main)
            .iter()
            .map(|n| n.to_string())
            .collect(),
        accuracy: (all_compared > 0)
            .then(|| (all_compared - all_differing) as f64 / all_compared as f64),
    }
}

/// The `count` ROIs of a comparison whose main classes agree on the smallest share of pixels
/// (lowest first, ties by name; ROIs in full agreement left out), decoded again and gridded
/// at [`OVERLAY_CELLS`] cells a side, over the ROI image found beside either folder of masks.
pub fn worst_roi_disagreements(
    report: &RegionReport,
    a: &RegionIndex,
    b: &RegionIndex,
    scheme: &RegionScheme,
    count: usize,
    max_pixels: u64,
) -> Result<Vec<RoiDisagreement>> {
    let mut ranked: Vec<(f64, &str)> = report
        .groups
        .iter()
        .filter(|g| g.by == "roi" && g.level == RegionLevel::Main)
        .filter_map(|g| g.accuracy.value.map(|v| (v, g.group.as_str())))
        .filter(|(v, _)| *v < 1.0)
        .collect();
    ranked.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(y.1)));
    ranked.truncate(count);
    ranked
        .par_iter()
        .filter_map(|&(_, name)| Some((name, a.file(name)?, b.file(name)?)))
        .map(|(name, fa, fb)| {
            let (mask_a, mask_b) = (
                read_region_mask(&fa.path, max_pixels)?,
                read_region_mask(&fb.path, max_pixels)?,
            );
            let image = match roi_image(b, name, max_pixels)? {
                Some(image) => Some(image),
                None => roi_image(a, name, max_pixels)?,
            };
            Ok(roi_disagreement(
                name,
                scheme,
                &mask_a,
                &mask_b,
                image.as_ref(),
                OVERLAY_CELLS,
            ))
        })
        .collect()
}

/// Cells along an overlay's longer side.
pub const OVERLAY_CELLS: u32 = 400;
