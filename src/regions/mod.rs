//! Agreement on tissue regions (`nucagree regions A B`, the BCSS side of the study): two
//! folders of region masks, ROI by ROI, pixel by pixel. Each ROI pair is decoded, tallied
//! into a confusion matrix of the raw classes (pixels outside either ROI, or under the ignore
//! code in either, left out and counted) and dropped, so memory holds two masks per thread;
//! the statistics ([`summary`]) then work on the tallies alone.
//!
//! ```
//! use nucagree::model::region_scheme::RegionScheme;
//! use nucagree::regions::tally_pixels;
//!
//! let scheme = RegionScheme::bcss();
//! // tumor (1), stroma (2), outside (0), exclude (7).
//! let a = [1, 1, 2, 0, 7, 2];
//! let b = [1, 2, 2, 1, 1, 2];
//! let tally = tally_pixels(&scheme, &a, &b).unwrap();
//! assert_eq!((tally.outside, tally.ignored), (1, 1));
//! let (tumor, stroma) = (scheme.class_of_code(1).unwrap(), scheme.class_of_code(2).unwrap());
//! let k = scheme.len(nucagree::model::region_scheme::RegionLevel::Raw);
//! assert_eq!(tally.counts[tumor * k + tumor], 1);
//! assert_eq!(tally.counts[tumor * k + stroma], 1);
//! assert_eq!(tally.counts[stroma * k + stroma], 2);
//! ```

pub mod overlay;
pub mod study;
pub mod summary;

use crate::error::{Error, Location, Problem, Result};
use crate::ingest::region_masks::{read_region_mask, RegionFile, RegionIndex};
use crate::model::region_scheme::{CodeMeaning, RegionLevel, RegionScheme};
use rayon::prelude::*;
use serde::Serialize;

/// One ROI's pixels: the raw-class confusion (row-major, rows A's class, columns B's) and the
/// pixels left out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PixelTally {
    pub counts: Vec<u64>,
    /// Pixels outside the ROI in either mask.
    pub outside: u64,
    /// Pixels under the ignore code in either mask (and inside both ROIs).
    pub ignored: u64,
}

/// A code the scheme does not hold, where it was found (0-based pixel).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownCode {
    pub code: u32,
    pub pixel: usize,
    /// Whether it was in `a` (else `b`).
    pub in_a: bool,
}

/// Tallies two masks of the same size (codes pixel by pixel).
pub fn tally_pixels(
    scheme: &RegionScheme,
    a: &[u32],
    b: &[u32],
) -> std::result::Result<PixelTally, UnknownCode> {
    debug_assert_eq!(a.len(), b.len());
    let k = scheme.len(RegionLevel::Raw);
    let mut counts = vec![0u64; k * k];
    let (mut outside, mut ignored) = (0u64, 0u64);
    for (pixel, (&code_a, &code_b)) in a.iter().zip(b).enumerate() {
        match (scheme.meaning(code_a), scheme.meaning(code_b)) {
            (CodeMeaning::Unknown, _) => {
                return Err(UnknownCode {
                    code: code_a,
                    pixel,
                    in_a: true,
                })
            }
            (_, CodeMeaning::Unknown) => {
                return Err(UnknownCode {
                    code: code_b,
                    pixel,
                    in_a: false,
                })
            }
            (CodeMeaning::Outside, _) | (_, CodeMeaning::Outside) => outside += 1,
            (CodeMeaning::Ignore, _) | (_, CodeMeaning::Ignore) => ignored += 1,
            (CodeMeaning::Class(x), CodeMeaning::Class(y)) => counts[x * k + y] += 1,
        }
    }
    Ok(PixelTally {
        counts,
        outside,
        ignored,
    })
}

/// One ROI compared: where it is from and its tally.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoiTally {
    pub roi: String,
    pub slide: Option<String>,
    pub hospital: Option<String>,
    pub test_fold: Option<u32>,
    pub width: u32,
    pub height: u32,
    pub tally: PixelTally,
}

/// The ROIs of two mask folders, tallied.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionTallies {
    pub rois: Vec<RoiTally>,
    /// ROIs only one folder has (not compared).
    pub only_in_a: Vec<String>,
    pub only_in_b: Vec<String>,
}

/// Decodes and tallies every ROI the two folders share (in parallel, two masks per thread in
/// memory). An error names the file and the pixel (row and column, 1-based) of a code the
/// scheme does not hold, or the two sizes of masks that differ.
pub fn tally_region_sets(
    a: &RegionIndex,
    b: &RegionIndex,
    scheme: &RegionScheme,
    max_pixels: u64,
) -> Result<RegionTallies> {
    let shared: Vec<(&RegionFile, &RegionFile)> = a
        .files
        .iter()
        .filter_map(|fa| b.file(&fa.name).map(|fb| (fa, fb)))
        .collect();
    let names = |index: &RegionIndex, other: &RegionIndex| -> Vec<String> {
        index
            .files
            .iter()
            .filter(|f| other.file(&f.name).is_none())
            .map(|f| f.name.clone())
            .collect()
    };
    let rois = shared
        .par_iter()
        .map(|(fa, fb)| tally_roi(fa, fb, scheme, max_pixels))
        .collect::<Result<Vec<RoiTally>>>()?;
    Ok(RegionTallies {
        rois,
        only_in_a: names(a, b),
        only_in_b: names(b, a),
    })
}

fn tally_roi(
    fa: &RegionFile,
    fb: &RegionFile,
    scheme: &RegionScheme,
    max_pixels: u64,
) -> Result<RoiTally> {
    let (mask_a, mask_b) = rayon::join(
        || read_region_mask(&fa.path, max_pixels),
        || read_region_mask(&fb.path, max_pixels),
    );
    let (mask_a, mask_b) = (mask_a?, mask_b?);
    if (mask_a.width, mask_a.height) != (mask_b.width, mask_b.height) {
        return Err(Error::input(
            Location::file(&fa.path),
            Problem::Invalid {
                message: format!(
                    "a mask of {} x {} pixels where {} is {} x {}: expected masks of one ROI to have one size",
                    mask_a.width,
                    mask_a.height,
                    fb.path.display(),
                    mask_b.width,
                    mask_b.height
                ),
            },
        ));
    }
    let tally = tally_pixels(scheme, &mask_a.codes, &mask_b.codes).map_err(|unknown| {
            let path = if unknown.in_a { &fa.path } else { &fb.path };
            let width = mask_a.width.max(1) as usize;
            Error::input(
                Location::line_column(
                    path,
                    (unknown.pixel / width) as u64 + 1,
                    (unknown.pixel % width) as u64 + 1,
                ),
                Problem::Invalid {
                    message: format!(
                        "the pixel at row {}, column {} has code {}: expected one of the codes table's codes",
                        unknown.pixel / width + 1,
                        unknown.pixel % width + 1,
                        unknown.code
                    ),
                },
            )
        })?;
    Ok(RoiTally {
        roi: fa.name.clone(),
        slide: fb.slide.clone().or_else(|| fa.slide.clone()),
        hospital: fb.hospital.clone().or_else(|| fa.hospital.clone()),
        test_fold: fb.test_fold.or(fa.test_fold),
        width: mask_a.width,
        height: mask_a.height,
        tally,
    })
}
