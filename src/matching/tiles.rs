//! Tiles of a large FOV (a whole slide): the units in which its matching is counted.
//!
//! A whole slide read as one FOV is one unit for the per-FOV figures and for the bootstrap,
//! which then has nothing to resample. With tiles of `size` pixels on a grid anchored at the
//! origin, each FOV's matching is split after it is made: a pair is counted in the tile
//! holding the reference nucleus's centroid, an unmatched nucleus in the tile holding its
//! own. The matching itself is made over the whole FOV, so no pair across a tile edge is lost
//! or counted twice, and the totals are those of the untiled FOV. Tiles holding no nucleus
//! are not units.
//!
//! ```
//! use nucagree::matching::tiles::{split_match, TileSize};
//! use nucagree::matching::{match_fov, MatchOptions};
//! use nucagree::model::{BoundingBox, ClassId, Fov, Nucleus, RawClass, Shape};
//!
//! let fov = |xs: &[f64]| Fov {
//!     name: "slide".into(), source: "slide.geojson".into(), slide: None, hospital: None,
//!     region: None, image_size: None, test_fold: None, group: None, label_map: None, measurements: None,
//!     nuclei: xs.iter().enumerate().map(|(i, &x)| Nucleus::new(i as u32 + 1,
//!         Shape::Box(BoundingBox { xmin: x, ymin: 0.0, xmax: x + 10.0, ymax: 10.0 }),
//!         RawClass { id: ClassId(0), correction: false }, None)).collect(),
//! };
//! // A pair straddling x = 100, the reference's centroid at 101: counted in the second tile.
//! let (a, b) = (fov(&[5.0, 94.0]), fov(&[5.0, 96.0]));
//! let matched = match_fov(&a, &b, &MatchOptions::default());
//! let tiles = split_match(&matched, &a, &b, TileSize::new(100.0).unwrap());
//! assert_eq!(tiles.len(), 2);
//! assert_eq!(tiles[1].name, "slide_tile-x100-y0");
//! assert_eq!(tiles[1].matched.pairs.len(), 1);
//! ```

use super::FovMatch;
use crate::model::{BoundingBox, Fov};
use std::collections::BTreeMap;

/// A tile's side in pixels: at least [`TileSize::MIN`], finite.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TileSize(f64);

impl TileSize {
    /// The smallest tile: a few nuclei wide.
    pub const MIN: f64 = 32.0;

    /// `None` unless `pixels` is finite and at least [`TileSize::MIN`].
    pub fn new(pixels: f64) -> Option<TileSize> {
        (pixels.is_finite() && pixels >= TileSize::MIN).then_some(TileSize(pixels))
    }

    pub fn pixels(self) -> f64 {
        self.0
    }
}

/// One tile's share of a FOV's matching; indices stay those of the FOV's nuclei.
#[derive(Debug, Clone, PartialEq)]
pub struct TileMatch {
    /// `<fov>_tile-x<left>-y<top>`.
    pub name: String,
    pub region: BoundingBox,
    pub matched: FovMatch,
}

/// Splits a FOV's matching into its tiles (see the module documentation), in order of
/// their rows, then columns. The FOV-wide counts (outlines compared by their box, greedy
/// components) go to the first tile, so that tiles add up to the FOV.
pub fn split_match(matched: &FovMatch, fov_a: &Fov, fov_b: &Fov, size: TileSize) -> Vec<TileMatch> {
    let side = size.pixels();
    let key = |point: [f64; 2]| {
        (
            (point[1] / side).floor() as i64,
            (point[0] / side).floor() as i64,
        )
    };
    let of_a = |i: u32| key(fov_a.nuclei[i as usize].shape.centroid());
    let of_b = |i: u32| key(fov_b.nuclei[i as usize].shape.centroid());
    let mut tiles: BTreeMap<(i64, i64), FovMatch> = BTreeMap::new();
    fn tile(tiles: &mut BTreeMap<(i64, i64), FovMatch>, k: (i64, i64)) -> &mut FovMatch {
        tiles.entry(k).or_default()
    }
    for pair in &matched.pairs {
        tile(&mut tiles, of_b(pair.b)).pairs.push(*pair);
    }
    for &i in &matched.unmatched_a {
        tile(&mut tiles, of_a(i)).unmatched_a.push(i);
    }
    for &i in &matched.unmatched_b {
        tile(&mut tiles, of_b(i)).unmatched_b.push(i);
    }
    for &i in &matched.cropped_a {
        tile(&mut tiles, of_a(i)).cropped_a.push(i);
    }
    for &i in &matched.cropped_b {
        tile(&mut tiles, of_b(i)).cropped_b.push(i);
    }
    let mut split: Vec<TileMatch> = tiles
        .into_iter()
        .map(|((row, column), mut part)| {
            part.pairs.sort_by_key(|p| p.a);
            let (left, top) = (column as f64 * side, row as f64 * side);
            let name = format!("{}_tile-x{left}-y{top}", matched.fov);
            part.fov = name.clone();
            TileMatch {
                name,
                region: BoundingBox {
                    xmin: left,
                    ymin: top,
                    xmax: left + side,
                    ymax: top + side,
                },
                matched: part,
            }
        })
        .collect();
    if let Some(first) = split.first_mut() {
        first.matched.replaced_by_box = matched.replaced_by_box;
        first.matched.greedy_components = matched.greedy_components;
    }
    split
}
