//! Outlines of labelled regions in a raster, traced along pixel edges.
//!
//! Each pixel is the unit square `[x, x+1] × [y, y+1]`; a region's outline follows the edges
//! between its pixels and the others, so it is exact: the outline's area is the region's
//! pixel count. Regions are taken as 4-connected (pixels touching only at a corner are
//! separate pieces); the largest piece is kept, and holes are filled.
//!
//! ```
//! use nucagree::geometry::contour::trace_regions;
//! // A 3×2 raster: an L of label 1 and one pixel of label 2.
//! let labels = [1, 1, 2,
//!               1, 0, 0];
//! let regions = trace_regions(&labels, 3, 2);
//! assert_eq!(regions[0].label, 1);
//! assert_eq!(regions[0].outline, vec![[0.0, 0.0], [2.0, 0.0], [2.0, 1.0], [1.0, 1.0], [1.0, 2.0], [0.0, 2.0]]);
//! assert_eq!(regions[1].outline.len(), 4);
//! ```

use std::collections::{BTreeMap, HashMap};

/// The traced outline of one label.
#[derive(Debug, Clone, PartialEq)]
pub struct TracedRegion {
    pub label: u32,
    /// The outer boundary of the largest piece, clockwise on screen (y down), in pixel-corner
    /// coordinates, without repeating the first vertex and without collinear vertices.
    pub outline: Vec<[f64; 2]>,
    /// Pixels of the label.
    pub pixel_count: usize,
    /// Pieces left out because a larger piece of the same label was kept.
    pub dropped_pieces: usize,
    /// Holes inside the kept piece (filled).
    pub holes: usize,
}

/// Directions along pixel edges: east, south, west, north (y grows downwards).
const STEPS: [(i32, i32); 4] = [(1, 0), (0, 1), (-1, 0), (0, -1)];

/// Traces every non-zero label of a `width × height` raster (row-major), in order of label.
pub fn trace_regions(labels: &[u32], width: usize, height: usize) -> Vec<TracedRegion> {
    assert_eq!(labels.len(), width * height, "raster size");
    let at = |x: i64, y: i64| -> u32 {
        if x < 0 || y < 0 || x >= width as i64 || y >= height as i64 {
            0
        } else {
            labels[y as usize * width + x as usize]
        }
    };
    // Directed boundary edges per label, keyed by start corner, interior on the right.
    let mut edges: BTreeMap<u32, HashMap<(i32, i32), Vec<u8>>> = BTreeMap::new();
    let mut counts: HashMap<u32, usize> = HashMap::new();
    for y in 0..height as i64 {
        for x in 0..width as i64 {
            let label = at(x, y);
            if label == 0 {
                continue;
            }
            *counts.entry(label).or_default() += 1;
            let starts = edges.entry(label).or_default();
            let (cx, cy) = (x as i32, y as i32);
            // top edge runs east from (x, y); right edge south from (x+1, y); bottom edge west
            // from (x+1, y+1); left edge north from (x, y+1).
            let sides = [
                (at(x, y - 1), (cx, cy), 0u8),
                (at(x + 1, y), (cx + 1, cy), 1),
                (at(x, y + 1), (cx + 1, cy + 1), 2),
                (at(x - 1, y), (cx, cy + 1), 3),
            ];
            for (neighbour, start, direction) in sides {
                if neighbour != label {
                    starts.entry(start).or_default().push(direction);
                }
            }
        }
    }
    edges
        .into_iter()
        .map(|(label, starts)| {
            let rings = link_rings(starts);
            let mut outer: Vec<(f64, Vec<[f64; 2]>)> = Vec::new();
            let mut holes = 0;
            for ring in rings {
                let area = super::ring::ring_signed_area(&ring);
                if area > 0.0 {
                    outer.push((area, ring));
                } else {
                    holes += 1;
                }
            }
            outer.sort_by(|a, b| b.0.total_cmp(&a.0));
            let dropped_pieces = outer.len().saturating_sub(1);
            let outline = outer.into_iter().next().map(|(_, r)| r).unwrap_or_default();
            TracedRegion {
                label,
                outline,
                pixel_count: counts[&label],
                dropped_pieces,
                // Holes of dropped pieces are not holes of the kept outline; a hole needs at
                // least one piece around it, so this counts every hole of the label.
                holes,
            }
        })
        .collect()
}

/// Links directed edges into closed rings, turning right where two edges leave a corner
/// (which keeps corner-touching pieces apart).
fn link_rings(mut starts: HashMap<(i32, i32), Vec<u8>>) -> Vec<Vec<[f64; 2]>> {
    let mut keys: Vec<(i32, i32)> = starts.keys().copied().collect();
    keys.sort_unstable_by_key(|&(x, y)| (y, x));
    let mut rings = Vec::new();
    for key in keys {
        while let Some(first) = starts.get_mut(&key).and_then(|v| v.pop()) {
            let mut ring = Vec::new();
            let mut corner = key;
            let mut direction = first;
            loop {
                ring.push((corner, direction));
                let (dx, dy) = STEPS[direction as usize];
                corner = (corner.0 + dx, corner.1 + dy);
                let Some(outgoing) = starts.get_mut(&corner) else {
                    break;
                };
                if outgoing.is_empty() {
                    break;
                }
                // Right turn first, then straight on, then left.
                let pick = [1u8, 0, 3]
                    .iter()
                    .map(|turn| (direction + turn) % 4)
                    .find_map(|d| outgoing.iter().position(|&o| o == d))
                    .unwrap_or(0);
                direction = outgoing.swap_remove(pick);
            }
            // Keep the corners where the direction changes.
            let n = ring.len();
            let vertices: Vec<[f64; 2]> = (0..n)
                .filter(|&i| ring[i].1 != ring[(i + n - 1) % n].1)
                .map(|i| [f64::from(ring[i].0 .0), f64::from(ring[i].0 .1)])
                .collect();
            rings.push(vertices);
        }
    }
    rings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::ring::ring_signed_area;

    #[test]
    fn outline_area_is_the_pixel_count() {
        #[rustfmt::skip]
        let labels = [
            0, 1, 1, 1, 0,
            1, 1, 0, 1, 1,
            1, 1, 1, 1, 0,
            0, 0, 1, 0, 0,
        ];
        let regions = trace_regions(&labels, 5, 4);
        assert_eq!(regions.len(), 1);
        let region = &regions[0];
        assert_eq!(region.pixel_count, 12);
        assert_eq!(region.holes, 1);
        assert_eq!(region.dropped_pieces, 0);
        // Holes are filled: the outline encloses the hole's pixel too.
        assert_eq!(ring_signed_area(&region.outline), 13.0);
        assert!(!crate::geometry::ring::ring_self_intersects(
            &region.outline
        ));
    }

    #[test]
    fn corner_touching_pieces_are_apart_and_the_largest_kept() {
        #[rustfmt::skip]
        let labels = [
            7, 7, 0,
            7, 7, 0,
            0, 0, 7,
        ];
        let regions = trace_regions(&labels, 3, 3);
        assert_eq!(regions[0].label, 7);
        assert_eq!(regions[0].dropped_pieces, 1);
        assert_eq!(
            regions[0].outline,
            vec![[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0]]
        );
    }

    #[test]
    fn touching_labels_share_edges() {
        let labels = [1, 1, 2, 2];
        let regions = trace_regions(&labels, 4, 1);
        assert_eq!(
            regions[0].outline,
            vec![[0.0, 0.0], [2.0, 0.0], [2.0, 1.0], [0.0, 1.0]]
        );
        assert_eq!(
            regions[1].outline,
            vec![[2.0, 0.0], [4.0, 0.0], [4.0, 1.0], [2.0, 1.0]]
        );
    }
}
