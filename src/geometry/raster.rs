//! Outlines to pixels: the pixels whose centres an outline covers (even-odd over its rings, so
//! holes stay holes), in column-major order as COCO's run-length masks hold them. An outline
//! whose vertices are integers and whose edges run along the pixel grid (an integer box, or
//! an outline traced from a label map) covers whole pixels, and its pixels are exactly it:
//! [`is_pixel_exact`].
//!
//! ```
//! use nucagree::geometry::raster::{covered_pixels, is_pixel_exact};
//! use nucagree::model::{BoundingBox, Shape};
//! // A 2 x 3 box at (1, 1) in an image of height 5: columns 1 and 2, rows 1 to 3.
//! let shape = Shape::Box(BoundingBox { xmin: 1.0, ymin: 1.0, xmax: 3.0, ymax: 4.0 });
//! assert_eq!(covered_pixels(&shape, 5, 5), vec![6, 7, 8, 11, 12, 13]);
//! assert!(is_pixel_exact(&shape));
//! ```

use super::PreparedShape;
use crate::model::Shape;

/// Positions (`x * height + y`, ascending) of the pixels of a `height × width` image whose
/// centres lie inside `shape`: on a left or top edge counts as inside, on a right or bottom
/// edge as outside. A self-crossing outline covers its box, as everywhere in nucagree's
/// geometry; a point covers nothing.
pub fn covered_pixels(shape: &Shape, height: u32, width: u32) -> Vec<u64> {
    let corners;
    let rings: Vec<&[[f64; 2]]> = match shape {
        Shape::Point(_) => return Vec::new(),
        _ if PreparedShape::new(shape).replaced_by_box => {
            corners = shape.bounding_box().corners();
            vec![&corners[..]]
        }
        Shape::Box(b) => {
            corners = b.corners();
            vec![&corners[..]]
        }
        Shape::Polygon(vertices) => vec![&vertices[..]],
        Shape::Pieces(pieces) => pieces
            .iter()
            .flat_map(|p| std::iter::once(&p.outer[..]).chain(p.holes.iter().map(|h| &h[..])))
            .collect(),
    };
    if height == 0 || width == 0 {
        return Vec::new();
    }
    let bbox = shape.bounding_box();
    let first = (bbox.xmin - 0.5).ceil().max(0.0);
    let last = (bbox.xmax - 0.5).ceil().min(f64::from(width));
    let mut positions = Vec::new();
    let mut crossings: Vec<f64> = Vec::new();
    let mut x = first;
    while x < last {
        let centre = x + 0.5;
        crossings.clear();
        for ring in &rings {
            for (i, p) in ring.iter().enumerate() {
                let q = ring[(i + 1) % ring.len()];
                if (p[0] <= centre) != (q[0] <= centre) {
                    crossings.push(p[1] + (centre - p[0]) * (q[1] - p[1]) / (q[0] - p[0]));
                }
            }
        }
        crossings.sort_by(f64::total_cmp);
        let column = x as u64 * u64::from(height);
        for span in crossings.chunks_exact(2) {
            // Rows whose centre y + 0.5 lies in [span[0], span[1]).
            let top = (span[0] - 0.5).ceil().max(0.0);
            let bottom = (span[1] - 0.5).ceil().min(f64::from(height));
            let mut y = top;
            while y < bottom {
                positions.push(column + y as u64);
                y += 1.0;
            }
        }
        x += 1.0;
    }
    positions
}

/// Whether `shape`'s pixels are exactly it: integer vertices, every edge along the grid.
pub fn is_pixel_exact(shape: &Shape) -> bool {
    let integer = |v: &[f64; 2]| v[0].fract() == 0.0 && v[1].fract() == 0.0;
    let rectilinear = |ring: &[[f64; 2]]| {
        ring.iter().all(integer)
            && ring.iter().enumerate().all(|(i, p)| {
                let q = ring[(i + 1) % ring.len()];
                p[0] == q[0] || p[1] == q[1]
            })
    };
    match shape {
        Shape::Point(_) => false,
        Shape::Box(b) => rectilinear(&b.corners()),
        Shape::Polygon(vertices) => rectilinear(vertices),
        Shape::Pieces(pieces) => pieces
            .iter()
            .all(|p| rectilinear(&p.outer) && p.holes.iter().all(|h| rectilinear(h))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BoundingBox, Piece};
    use proptest::prelude::*;

    #[test]
    fn a_ring_with_a_hole_covers_the_ring_only() {
        let square = |x0: f64, y0: f64, side: f64| {
            vec![
                [x0, y0],
                [x0 + side, y0],
                [x0 + side, y0 + side],
                [x0, y0 + side],
            ]
        };
        let shape = Shape::Pieces(vec![Piece {
            outer: square(0.0, 0.0, 4.0),
            holes: vec![square(1.0, 1.0, 2.0)],
        }]);
        let pixels = covered_pixels(&shape, 4, 4);
        assert_eq!(pixels.len(), 12);
        assert!(!pixels.contains(&(4 + 1)) && !pixels.contains(&(2 * 4 + 2)));
        assert!(is_pixel_exact(&shape));
        // A triangle is not exact; its pixels are those whose centres it covers.
        let triangle = Shape::Polygon(vec![[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]]);
        assert!(!is_pixel_exact(&triangle));
        assert_eq!(covered_pixels(&triangle, 4, 4), vec![0, 1, 2, 4, 5, 8]);
        // The image's edge clips.
        let wide = Shape::Box(BoundingBox {
            xmin: -2.0,
            ymin: 2.0,
            xmax: 1.0,
            ymax: 9.0,
        });
        assert_eq!(covered_pixels(&wide, 4, 4), vec![2, 3]);
    }

    proptest! {
        #[test]
        fn integer_boxes_cover_their_area(
            x in 0u32..20, y in 0u32..20, w in 1u32..10, h in 1u32..10,
        ) {
            let shape = Shape::Box(BoundingBox {
                xmin: x as f64,
                ymin: y as f64,
                xmax: (x + w) as f64,
                ymax: (y + h) as f64,
            });
            let pixels = covered_pixels(&shape, 40, 40);
            prop_assert_eq!(pixels.len() as f64, shape.area());
            prop_assert!(pixels.windows(2).all(|p| p[0] < p[1]));
        }
    }
}
