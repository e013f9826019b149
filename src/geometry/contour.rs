//! Outlines of labelled regions in a raster, traced along pixel edges.
//!
//! Each pixel is the unit square `[x, x+1] × [y, y+1]`; a region's outline follows the edges
//! between its pixels and the others, so it is exact: the outline's area is the region's
//! pixel count. Regions are taken as 4-connected (pixels touching only at a corner are
//! separate pieces); every piece is traced, with its holes.
//!
//! ```
//! use nucagree::geometry::contour::trace_regions;
//! // A 3×2 raster: an L of label 1 and one pixel of label 2.
//! let labels = [1, 1, 2,
//!               1, 0, 0];
//! let regions = trace_regions(&labels, 3, 2);
//! assert_eq!(regions[0].label, 1);
//! assert_eq!(regions[0].outline(), [[0.0, 0.0], [2.0, 0.0], [2.0, 1.0], [1.0, 1.0], [1.0, 2.0], [0.0, 2.0]]);
//! assert_eq!(regions[1].outline().len(), 4);
//! ```

use super::ring::ring_signed_area;
use std::collections::{BTreeMap, HashMap};

/// One 4-connected piece of a label: its outer boundary and its holes' boundaries, in
/// pixel-corner coordinates, without repeating the first vertex and without collinear
/// vertices; the outer ring runs clockwise on screen (y down), the holes the other way.
#[derive(Debug, Clone, PartialEq)]
pub struct TracedPiece {
    pub outer: Vec<[f64; 2]>,
    pub holes: Vec<Vec<[f64; 2]>>,
}

/// The traced outline of one label: its pieces, largest first.
#[derive(Debug, Clone, PartialEq)]
pub struct TracedRegion {
    pub label: u32,
    pub pieces: Vec<TracedPiece>,
    /// Pixels of the label.
    pub pixel_count: usize,
}

impl TracedRegion {
    /// The outer boundary of the largest piece.
    pub fn outline(&self) -> &[[f64; 2]] {
        self.pieces.first().map_or(&[], |p| &p.outer[..])
    }

    /// Holes, in all pieces.
    pub fn hole_count(&self) -> usize {
        self.pieces.iter().map(|p| p.holes.len()).sum()
    }
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
            let (mut outers, mut holes): (Vec<_>, Vec<_>) = rings
                .into_iter()
                .map(|ring| (ring_signed_area(&ring), ring))
                .partition(|(area, _)| *area > 0.0);
            outers.sort_by(|a, b| b.0.total_cmp(&a.0));
            let mut pieces: Vec<TracedPiece> = outers
                .iter()
                .map(|(_, outer)| TracedPiece {
                    outer: outer.clone(),
                    holes: Vec::new(),
                })
                .collect();
            // A hole belongs to the smallest piece around it: tested at the centre of a pixel
            // beside its first edge (outside the label), which no ring passes through.
            holes.sort_by(|a, b| a.0.total_cmp(&b.0));
            for (_, hole) in holes {
                let probe = beside_first_edge(&hole);
                let owner = (0..outers.len())
                    .rev()
                    .find(|&k| contains(&outers[k].1, probe))
                    .unwrap_or(0);
                if let Some(piece) = pieces.get_mut(owner) {
                    piece.holes.push(hole);
                }
            }
            TracedRegion {
                label,
                pieces,
                pixel_count: counts[&label],
            }
        })
        .collect()
}

/// The centre of the pixel on the left of a hole ring's first edge (the hole side: the
/// label's pixels are on the right of its edges).
fn beside_first_edge(ring: &[[f64; 2]]) -> [f64; 2] {
    let (a, b) = (ring[0], ring[1 % ring.len()]);
    let (dx, dy) = ((b[0] - a[0]).signum(), (b[1] - a[1]).signum());
    // Half a pixel along the edge, then half a pixel to its left (y down: left of (dx, dy)
    // is (dy, -dx)).
    [a[0] + 0.5 * dx + 0.5 * dy, a[1] + 0.5 * dy - 0.5 * dx]
}

/// Whether `point` (never on a ring: a pixel centre) lies inside `ring`.
fn contains(ring: &[[f64; 2]], point: [f64; 2]) -> bool {
    let mut inside = false;
    let n = ring.len();
    for i in 0..n {
        let (a, b) = (ring[i], ring[(i + 1) % n]);
        if (a[1] > point[1]) != (b[1] > point[1]) {
            let x = a[0] + (point[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0]);
            if x > point[0] {
                inside = !inside;
            }
        }
    }
    inside
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
            for simple in simple_loops(ring) {
                // Keep the corners where the direction changes.
                let n = simple.len();
                let vertices: Vec<[f64; 2]> = (0..n)
                    .filter(|&i| simple[i].1 != simple[(i + n - 1) % n].1)
                    .map(|i| [f64::from(simple[i].0 .0), f64::from(simple[i].0 .1)])
                    .collect();
                rings.push(vertices);
            }
        }
    }
    rings
}

/// A closed walk of edges `(start corner, direction)` split into simple loops at the corners
/// it passes twice. A piece's boundary pinches where background pixels meet it only at a
/// corner (a pixel of another label enclosed on four sides but touching the outside
/// diagonally): one ring through that corner twice would touch itself, which outline
/// operations call self-intersecting; as loops it is an outer ring and a hole touching it
/// at one point (the loop's orientation says which).
fn simple_loops(walk: Vec<((i32, i32), u8)>) -> Vec<Vec<((i32, i32), u8)>> {
    let mut corners: Vec<(i32, i32)> = walk.iter().map(|e| e.0).collect();
    corners.sort_unstable();
    if corners.windows(2).all(|w| w[0] != w[1]) {
        return vec![walk];
    }
    let mut loops = Vec::new();
    let mut stack: Vec<((i32, i32), u8)> = Vec::with_capacity(walk.len());
    let mut position: HashMap<(i32, i32), usize> = HashMap::new();
    for edge in walk {
        if let Some(&start) = position.get(&edge.0) {
            let closed: Vec<_> = stack.drain(start..).collect();
            for e in &closed {
                position.remove(&e.0);
            }
            loops.push(closed);
        }
        position.insert(edge.0, stack.len());
        stack.push(edge);
    }
    if !stack.is_empty() {
        loops.push(stack);
    }
    loops
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::ring::ring_signed_area;

    /// Area of a piece: its outer ring less its holes.
    fn piece_area(piece: &TracedPiece) -> f64 {
        ring_signed_area(&piece.outer)
            + piece.holes.iter().map(|h| ring_signed_area(h)).sum::<f64>()
    }

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
        assert_eq!(region.pieces.len(), 1);
        assert_eq!(region.hole_count(), 1);
        // The outer ring encloses the hole's pixel; the hole takes it out again.
        assert_eq!(ring_signed_area(region.outline()), 13.0);
        assert_eq!(ring_signed_area(&region.pieces[0].holes[0]), -1.0);
        assert_eq!(piece_area(&region.pieces[0]), 12.0);
        assert!(!crate::geometry::ring::ring_self_intersects(
            region.outline()
        ));
    }

    #[test]
    fn corner_touching_pieces_are_apart_and_the_largest_first() {
        #[rustfmt::skip]
        let labels = [
            7, 7, 0,
            7, 7, 0,
            0, 0, 7,
        ];
        let regions = trace_regions(&labels, 3, 3);
        assert_eq!(regions[0].label, 7);
        assert_eq!(regions[0].pieces.len(), 2);
        assert_eq!(
            regions[0].outline(),
            [[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0]]
        );
        assert_eq!(
            regions[0].pieces[1].outer,
            vec![[2.0, 2.0], [3.0, 2.0], [3.0, 3.0], [2.0, 3.0]]
        );
    }

    #[test]
    fn a_hole_belongs_to_the_piece_around_it_even_with_a_piece_inside() {
        // Label 1: a ring of 24 pixels (7 x 7 less its 5 x 5 inside) around a ring of 8
        // (3 x 3 less its centre), each with one hole.
        let mut labels = vec![0u32; 49];
        for y in 0..7 {
            for x in 0..7 {
                let edge = x == 0 || y == 0 || x == 6 || y == 6;
                let inner = (2..=4).contains(&x) && (2..=4).contains(&y) && (x, y) != (3, 3);
                if edge || inner {
                    labels[y * 7 + x] = 1;
                }
            }
        }
        let regions = trace_regions(&labels, 7, 7);
        let region = &regions[0];
        assert_eq!(region.pieces.len(), 2);
        assert_eq!(
            region
                .pieces
                .iter()
                .map(|p| p.holes.len())
                .collect::<Vec<_>>(),
            vec![1, 1]
        );
        assert_eq!(piece_area(&region.pieces[0]), 24.0);
        assert_eq!(piece_area(&region.pieces[1]), 8.0);
        let total: f64 = region.pieces.iter().map(piece_area).sum();
        assert_eq!(total, region.pixel_count as f64);
    }

    #[test]
    fn a_pinched_hole_is_a_hole_touching_the_outer_ring() {
        // Label 1 is a C around a cut of label 2; the pixel of label 3 at (4, 3) has label 1 on
        // four sides but meets the cut at a corner: label 1's boundary passes (4, 3) twice.
        #[rustfmt::skip]
        let labels = [
            1, 1, 1, 1, 1, 1,
            2, 2, 2, 2, 1, 1,
            2, 2, 2, 2, 1, 1,
            1, 1, 1, 1, 3, 1,
            1, 1, 1, 1, 1, 1,
        ];
        let regions = trace_regions(&labels, 6, 5);
        let c = &regions[0];
        assert_eq!((c.pieces.len(), c.hole_count()), (1, 1));
        assert_eq!(piece_area(&c.pieces[0]), c.pixel_count as f64);
        assert_eq!(c.pieces[0].holes[0].len(), 4);
        let corners = |ring: &[[f64; 2]]| {
            let mut sorted = ring.to_vec();
            sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
            sorted.windows(2).all(|w| w[0] != w[1])
        };
        assert!(corners(&c.pieces[0].outer));
    }

    #[test]
    fn touching_labels_share_edges() {
        let labels = [1, 1, 2, 2];
        let regions = trace_regions(&labels, 4, 1);
        assert_eq!(
            regions[0].outline(),
            [[0.0, 0.0], [2.0, 0.0], [2.0, 1.0], [0.0, 1.0]]
        );
        assert_eq!(
            regions[1].outline(),
            [[2.0, 0.0], [4.0, 0.0], [4.0, 1.0], [2.0, 1.0]]
        );
    }
}
