//! COCO run-length masks (RLE), as pycocotools writes them: `{"size": [height, width],
//! "counts": ...}`, the runs alternating background and mask over the pixels in column-major
//! order (down each column, then the next), starting with background. `counts` is a list of
//! run lengths (uncompressed) or pycocotools' compressed string (each run a difference to
//! the run two before, in 5-bit groups offset by 48).
//!
//! A mask is traced along pixel edges (see [`crate::geometry::contour`]), so its outline's
//! area is its pixel count, as pycocotools' `maskUtils.area` gives it.
//!
//! ```
//! use nucagree::geometry::run_length::RunLengthMask;
//! // A 4 x 3 image (height 4): column 1 rows 1-2 and column 2 rows 1-2 are the mask.
//! let mask = RunLengthMask::new(4, 3, vec![5, 2, 2, 2, 1]).unwrap();
//! assert_eq!(mask.area(), 4);
//! assert_eq!(mask.bbox(), Some([1, 1, 3, 3]));
//! let compressed = RunLengthMask::from_compressed(4, 3, "5220O").unwrap();
//! assert_eq!(compressed, mask);
//! assert_eq!(mask.to_compressed(), "5220O");
//! ```

use crate::geometry::contour::trace_regions;
use crate::model::{LabelMap, Piece};
use std::collections::BTreeMap;

/// A binary mask as runs over its pixels in column-major order, background first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunLengthMask {
    pub height: u32,
    pub width: u32,
    pub counts: Vec<u64>,
}

impl RunLengthMask {
    /// Checks that the runs cover the `height × width` pixels exactly.
    pub fn new(height: u32, width: u32, counts: Vec<u64>) -> Result<RunLengthMask, String> {
        let pixels = u64::from(height) * u64::from(width);
        let mut covered: u64 = 0;
        for &run in &counts {
            covered = covered.saturating_add(run);
        }
        if covered != pixels {
            return Err(format!(
                "runs covering {covered} pixels where the size [{height}, {width}] has {pixels}"
            ));
        }
        Ok(RunLengthMask {
            height,
            width,
            counts,
        })
    }

    /// Decodes pycocotools' compressed `counts` string (`rleFrString`).
    pub fn from_compressed(height: u32, width: u32, text: &str) -> Result<RunLengthMask, String> {
        let bytes = text.as_bytes();
        let mut counts: Vec<u64> = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            let mut value: i64 = 0;
            let mut shift = 0u32;
            loop {
                let Some(&byte) = bytes.get(at) else {
                    return Err("the counts string ends inside a run".into());
                };
                if !(48..48 + 64).contains(&byte) {
                    return Err(format!(
                        "byte {} of the counts string is {:?}, not a run character ('0' to 'o')",
                        at + 1,
                        byte as char
                    ));
                }
                if shift > 60 {
                    return Err("a run of the counts string is too long".into());
                }
                let chunk = i64::from(byte - 48);
                value |= (chunk & 0x1f) << shift;
                at += 1;
                shift += 5;
                if chunk & 0x20 == 0 {
                    if chunk & 0x10 != 0 {
                        value |= -1i64 << shift;
                    }
                    break;
                }
            }
            if counts.len() > 2 {
                value += counts[counts.len() - 2] as i64;
            }
            if value < 0 {
                return Err(format!(
                    "run {} of the counts string is negative ({value})",
                    counts.len() + 1
                ));
            }
            counts.push(value as u64);
        }
        RunLengthMask::new(height, width, counts)
    }

    /// The mask of the pixels at `positions` (column-major: `x * height + y`), sorted and
    /// distinct, each below `height × width`.
    pub fn from_positions(height: u32, width: u32, positions: &[u64]) -> RunLengthMask {
        let pixels = u64::from(height) * u64::from(width);
        let mut counts = Vec::new();
        let mut end = 0u64; // where the last mask run ended
        let mut index = 0;
        while index < positions.len() {
            let start = positions[index];
            let mut length = 1;
            while index + length < positions.len()
                && positions[index + length] == start + length as u64
            {
                length += 1;
            }
            counts.push(start - end);
            counts.push(length as u64);
            end = start + length as u64;
            index += length;
        }
        if end < pixels || counts.is_empty() {
            counts.push(pixels - end);
        }
        RunLengthMask {
            height,
            width,
            counts,
        }
    }

    /// Each label's mask in a label map, by label.
    pub fn of_label_map(map: &LabelMap) -> BTreeMap<u32, RunLengthMask> {
        let height = u64::from(map.height);
        let mut positions: BTreeMap<u32, Vec<u64>> = BTreeMap::new();
        for run in map.runs() {
            let pixels = positions.entry(run.label).or_default();
            for x in run.x..run.x + run.len {
                pixels.push(u64::from(x) * height + u64::from(run.y));
            }
        }
        positions
            .into_iter()
            .map(|(label, mut pixels)| {
                pixels.sort_unstable();
                (
                    label,
                    RunLengthMask::from_positions(map.height, map.width, &pixels),
                )
            })
            .collect()
    }

    /// pycocotools' compressed `counts` string (`rleToString`).
    pub fn to_compressed(&self) -> String {
        let mut text = String::new();
        for (i, &count) in self.counts.iter().enumerate() {
            let mut value = count as i64;
            if i > 2 {
                value -= self.counts[i - 2] as i64;
            }
            loop {
                let mut chunk = value & 0x1f;
                value >>= 5;
                let more = if chunk & 0x10 != 0 {
                    value != -1
                } else {
                    value != 0
                };
                if more {
                    chunk |= 0x20;
                }
                text.push(char::from(chunk as u8 + 48));
                if !more {
                    break;
                }
            }
        }
        text
    }

    /// The mask's pixels (the odd runs).
    pub fn area(&self) -> u64 {
        self.counts.iter().skip(1).step_by(2).sum()
    }

    /// Each mask run as `(column, first row, rows)`, split where it wraps into the next
    /// column.
    pub fn column_runs(&self) -> impl Iterator<Item = (u64, u64, u64)> + '_ {
        let height = u64::from(self.height).max(1);
        let mut start = 0u64;
        self.counts.iter().enumerate().flat_map(move |(i, &run)| {
            let first = start;
            start += run;
            let mask = i % 2 == 1;
            let mut position = first;
            let end = first + if mask { run } else { 0 };
            std::iter::from_fn(move || {
                (position < end).then(|| {
                    let (x, y) = (position / height, position % height);
                    let rows = (end - position).min(height - y);
                    position += rows;
                    (x, y, rows)
                })
            })
        })
    }

    /// The box around the mask's pixels, `[xmin, ymin, xmax, ymax]` in pixel edges
    /// (exclusive ends); `None` for an empty mask.
    pub fn bbox(&self) -> Option<[u32; 4]> {
        let mut bounds: Option<[u64; 4]> = None;
        for (x, y, rows) in self.column_runs() {
            let b = bounds.get_or_insert([x, y, x + 1, y + rows]);
            *b = [
                b[0].min(x),
                b[1].min(y),
                b[2].max(x + 1),
                b[3].max(y + rows),
            ];
        }
        bounds.map(|b| b.map(|v| v as u32))
    }

    /// The mask traced along pixel edges: its 4-connected pieces with their holes, in image
    /// coordinates; empty for an empty mask. Only the box around the mask is rasterised.
    pub fn pieces(&self) -> Vec<Piece> {
        let Some([x0, y0, x1, y1]) = self.bbox() else {
            return Vec::new();
        };
        let (width, height) = ((x1 - x0) as usize, (y1 - y0) as usize);
        let mut raster = vec![0u32; width * height];
        for (x, y, rows) in self.column_runs() {
            let column = x as usize - x0 as usize;
            for row in (y as usize - y0 as usize)..(y as usize - y0 as usize + rows as usize) {
                raster[row * width + column] = 1;
            }
        }
        let offset = |p: [f64; 2]| [p[0] + f64::from(x0), p[1] + f64::from(y0)];
        trace_regions(&raster, width, height)
            .into_iter()
            .flat_map(|region| region.pieces)
            .map(|piece| Piece {
                outer: piece.outer.into_iter().map(offset).collect(),
                holes: piece
                    .holes
                    .into_iter()
                    .map(|hole| hole.into_iter().map(offset).collect())
                    .collect(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_that_do_not_cover_the_image_are_refused() {
        let error = RunLengthMask::new(4, 3, vec![5, 2]).unwrap_err();
        assert_eq!(error, "runs covering 7 pixels where the size [4, 3] has 12");
        assert!(RunLengthMask::new(2, 2, vec![u64::MAX, 5]).is_err());
    }

    #[test]
    fn compressed_strings_decode_as_pycocotools_does() {
        // maskUtils.encode of a 5 x 5 mask holding a 2 x 2 square at rows 1-2, columns 1-2,
        // and the pixel (row 4, column 4): counts [6, 2, 3, 2, 11, 1].
        let mask = RunLengthMask::from_compressed(5, 5, "62308O").unwrap();
        assert_eq!(mask.counts, vec![6, 2, 3, 2, 11, 1]);
        assert_eq!(mask.area(), 5);
        assert_eq!(mask.bbox(), Some([1, 1, 5, 5]));
        let pieces = mask.pieces();
        assert_eq!(pieces.len(), 2);
        let areas: Vec<f64> = pieces.iter().map(Piece::area).collect();
        assert_eq!(areas, vec![4.0, 1.0]);
        assert_eq!(mask.to_compressed(), "62308O");
        let positions = [6, 7, 11, 12, 24];
        assert_eq!(RunLengthMask::from_positions(5, 5, &positions), mask);
        assert!(RunLengthMask::from_compressed(5, 5, "6232 1;1").is_err());
        assert!(RunLengthMask::from_compressed(5, 5, "6232P").is_err());
    }

    #[test]
    fn label_maps_give_each_label_its_mask() {
        // 3 wide, 2 high: label 1 at (0,0),(1,0); label 2 at (2,0),(1,1),(2,1).
        let map = LabelMap::from_labels(3, 2, &[1, 1, 2, 0, 2, 2]).unwrap();
        let masks = RunLengthMask::of_label_map(&map);
        assert_eq!(masks[&1].counts, vec![0, 1, 1, 1, 3]);
        assert_eq!(masks[&2].counts, vec![3, 3]);
        assert_eq!(masks[&2].area(), 3);
        assert_eq!(RunLengthMask::from_positions(2, 2, &[]).counts, vec![4]);
    }

    #[test]
    fn a_run_that_wraps_into_the_next_column_is_split() {
        // Height 3, width 2: the mask is rows 2 of column 0 and rows 0-1 of column 1.
        let mask = RunLengthMask::new(3, 2, vec![2, 3, 1]).unwrap();
        let runs: Vec<_> = mask.column_runs().collect();
        assert_eq!(runs, vec![(0, 2, 1), (1, 0, 2)]);
        assert_eq!(mask.bbox(), Some([0, 0, 2, 3]));
        // (0, 2) touches (1, 1) only at a corner: two pieces, largest first.
        let areas: Vec<f64> = mask.pieces().iter().map(Piece::area).collect();
        assert_eq!(areas, vec![2.0, 1.0]);
    }
}
