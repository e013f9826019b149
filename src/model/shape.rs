//! Nucleus outlines: a polygon, several pieces with holes, an axis-aligned box, or a point.
//!
//! Coordinates are pixels of the FOV's RGB image in continuous geometry: a box from
//! `(0, 0)` to `(10, 10)` has area 100. Shapes are validated when they are made
//! ([`Shape::polygon`]), so everything downstream can rely on finite coordinates,
//! an open ring (no repeated closing vertex) and no consecutive repeated vertices.
//!
//! ```
//! use nucagree::model::{Shape, ShapeIssue};
//!
//! let (square, issues) = Shape::polygon(vec![[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0], [0.0, 0.0]]).unwrap();
//! assert_eq!(square.area(), 100.0);
//! assert!(issues.is_empty());
//!
//! let bowtie = Shape::polygon(vec![[0.0, 0.0], [10.0, 10.0], [10.0, 0.0], [0.0, 10.0]]);
//! assert_eq!(bowtie.unwrap().1, vec![ShapeIssue::SelfIntersecting]);
//! ```

use crate::geometry::ring::{
    filled_area, is_convex, ring_centroid, ring_self_intersects, ring_signed_area,
};
use serde::Serialize;

/// An axis-aligned bounding box, `xmin <= xmax`, `ymin <= ymax`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BoundingBox {
    pub xmin: f64,
    pub ymin: f64,
    pub xmax: f64,
    pub ymax: f64,
}

impl BoundingBox {
    /// The smallest box holding all `points`; `None` when there are none.
    pub fn around(points: &[[f64; 2]]) -> Option<BoundingBox> {
        let first = points.first()?;
        let mut bbox = BoundingBox {
            xmin: first[0],
            ymin: first[1],
            xmax: first[0],
            ymax: first[1],
        };
        for p in &points[1..] {
            bbox.xmin = bbox.xmin.min(p[0]);
            bbox.ymin = bbox.ymin.min(p[1]);
            bbox.xmax = bbox.xmax.max(p[0]);
            bbox.ymax = bbox.ymax.max(p[1]);
        }
        Some(bbox)
    }

    pub fn width(&self) -> f64 {
        self.xmax - self.xmin
    }

    pub fn height(&self) -> f64 {
        self.ymax - self.ymin
    }

    pub fn area(&self) -> f64 {
        self.width() * self.height()
    }

    pub fn center(&self) -> [f64; 2] {
        [0.5 * (self.xmin + self.xmax), 0.5 * (self.ymin + self.ymax)]
    }

    /// Whether the two boxes share any point, borders included.
    pub fn overlaps(&self, other: &BoundingBox) -> bool {
        self.xmin <= other.xmax
            && other.xmin <= self.xmax
            && self.ymin <= other.ymax
            && other.ymin <= self.ymax
    }

    /// Whether `point` lies in the box, borders included.
    pub fn contains(&self, point: [f64; 2]) -> bool {
        point[0] >= self.xmin
            && point[0] <= self.xmax
            && point[1] >= self.ymin
            && point[1] <= self.ymax
    }

    /// The four corners, counter-clockwise in a y-up frame, starting at `(xmin, ymin)`.
    pub fn corners(&self) -> [[f64; 2]; 4] {
        [
            [self.xmin, self.ymin],
            [self.xmax, self.ymin],
            [self.xmax, self.ymax],
            [self.xmin, self.ymax],
        ]
    }
}

/// The outline of one nucleus.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// A simple or self-intersecting ring of at least three distinct vertices, stored
    /// open (the first vertex is not repeated at the end).
    Polygon(Vec<[f64; 2]>),
    /// An outline of several pieces, or with holes (an instance of a label map split in two,
    /// or ring-shaped): the pieces are disjoint, each hole lies inside its piece, and areas,
    /// intersections and centroids count every piece less its holes. Largest piece first.
    Pieces(Vec<Piece>),
    /// An axis-aligned rectangle, as NuCLS's `rectangle` annotations.
    Box(BoundingBox),
    /// A single location with no area (NuCLS's `point` annotations, centroid detectors).
    Point([f64; 2]),
}

/// One piece of a [`Shape::Pieces`]: its outer ring and its holes, each an open ring.
#[derive(Debug, Clone, PartialEq)]
pub struct Piece {
    pub outer: Vec<[f64; 2]>,
    pub holes: Vec<Vec<[f64; 2]>>,
}

impl Piece {
    /// The area of the outer ring less the holes'.
    pub fn area(&self) -> f64 {
        let holes: f64 = self.holes.iter().map(|h| ring_signed_area(h).abs()).sum();
        ring_signed_area(&self.outer).abs() - holes
    }
}

/// What kind of outline a shape is, for counting (an outline of pieces is a polygon).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ShapeKind {
    Polygon,
    Box,
    Point,
}

impl ShapeKind {
    pub const ALL: [ShapeKind; 3] = [ShapeKind::Polygon, ShapeKind::Box, ShapeKind::Point];

    pub fn name(self) -> &'static str {
        match self {
            ShapeKind::Polygon => "polygon",
            ShapeKind::Box => "box",
            ShapeKind::Point => "point",
        }
    }
}

/// Something wrong with an outline that does not stop it from being used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ShapeIssue {
    /// Two consecutive vertices were equal; the repeat was dropped.
    RepeatedVertex,
    /// Two edges of the ring cross (a "bowtie"); the area of such a ring is not what
    /// the annotator meant, and IoU treats it as documented in `geometry`.
    SelfIntersecting,
}

/// Why an outline cannot be used at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DegenerateShape {
    /// Fewer than three distinct vertices in a polygon.
    TooFewVertices,
    /// All vertices on one line: the polygon has no area.
    ZeroArea,
    /// A box whose width or height is zero.
    FlatBox,
}

impl DegenerateShape {
    pub fn describe(self) -> &'static str {
        match self {
            DegenerateShape::TooFewVertices => "polygon with fewer than 3 distinct vertices",
            DegenerateShape::ZeroArea => "polygon with zero area (collinear vertices)",
            DegenerateShape::FlatBox => "box with zero width or height",
        }
    }
}

impl Shape {
    /// Makes a polygon from its vertices (closed or open), dropping a closing vertex equal
    /// to the first and consecutive repeats. The caller guarantees finite coordinates.
    pub fn polygon(
        mut vertices: Vec<[f64; 2]>,
    ) -> Result<(Shape, Vec<ShapeIssue>), DegenerateShape> {
        let mut issues = Vec::new();
        let before = vertices.len();
        vertices.dedup();
        if vertices.len() < before {
            issues.push(ShapeIssue::RepeatedVertex);
        }
        while vertices.len() > 1 && vertices.first() == vertices.last() {
            vertices.pop();
        }
        if vertices.len() < 3 {
            return Err(DegenerateShape::TooFewVertices);
        }
        // A convex ring cannot cross itself; only the others need the quadratic check.
        let crossing = !is_convex(&vertices) && ring_self_intersects(&vertices);
        // No area: collinear points, or a ring that runs out and back along itself (which
        // also "crosses" itself, but covers nothing, unlike a bowtie).
        if ring_signed_area(&vertices) == 0.0 && (!crossing || filled_area(&vertices) == 0.0) {
            return Err(DegenerateShape::ZeroArea);
        }
        if crossing {
            issues.push(ShapeIssue::SelfIntersecting);
        }
        Ok((Shape::Polygon(vertices), issues))
    }

    /// Makes an outline of pieces, each ring checked as [`Shape::polygon`] checks it; one
    /// piece without holes is a plain polygon. A degenerate ring makes the whole outline
    /// degenerate.
    pub fn pieces(pieces: Vec<Piece>) -> Result<(Shape, Vec<ShapeIssue>), DegenerateShape> {
        let mut issues = Vec::new();
        let mut ring = |vertices: Vec<[f64; 2]>| -> Result<Vec<[f64; 2]>, DegenerateShape> {
            let (shape, found) = Shape::polygon(vertices)?;
            issues.extend(found);
            Ok(shape.vertices())
        };
        let mut checked = Vec::with_capacity(pieces.len());
        for piece in pieces {
            let outer = ring(piece.outer)?;
            let holes = piece
                .holes
                .into_iter()
                .map(&mut ring)
                .collect::<Result<_, _>>()?;
            checked.push(Piece { outer, holes });
        }
        issues.sort();
        issues.dedup();
        checked.sort_by(|a, b| b.area().total_cmp(&a.area()));
        match checked.len() {
            0 => Err(DegenerateShape::TooFewVertices),
            1 if checked[0].holes.is_empty() => {
                Ok((Shape::Polygon(checked.swap_remove(0).outer), issues))
            }
            _ => Ok((Shape::Pieces(checked), issues)),
        }
    }

    /// Makes a box; a box with zero width or height is degenerate.
    pub fn rectangle(bbox: BoundingBox) -> Result<Shape, DegenerateShape> {
        if bbox.width() > 0.0 && bbox.height() > 0.0 {
            Ok(Shape::Box(bbox))
        } else {
            Err(DegenerateShape::FlatBox)
        }
    }

    /// The shape with every vertex moved by `to` (a map that keeps orientation and axes, such
    /// as a shift and a positive scale: a box stays a box).
    pub fn mapped(&self, to: impl Fn([f64; 2]) -> [f64; 2]) -> Shape {
        let ring = |r: &[[f64; 2]]| -> Vec<[f64; 2]> { r.iter().map(|&v| to(v)).collect() };
        match self {
            Shape::Polygon(vertices) => Shape::Polygon(ring(vertices)),
            Shape::Pieces(pieces) => Shape::Pieces(
                pieces
                    .iter()
                    .map(|p| Piece {
                        outer: ring(&p.outer),
                        holes: p.holes.iter().map(|h| ring(h)).collect(),
                    })
                    .collect(),
            ),
            Shape::Box(b) => {
                let (low, high) = (to([b.xmin, b.ymin]), to([b.xmax, b.ymax]));
                Shape::Box(BoundingBox {
                    xmin: low[0],
                    ymin: low[1],
                    xmax: high[0],
                    ymax: high[1],
                })
            }
            Shape::Point(p) => Shape::Point(to(*p)),
        }
    }

    pub fn kind(&self) -> ShapeKind {
        match self {
            Shape::Polygon(_) | Shape::Pieces(_) => ShapeKind::Polygon,
            Shape::Box(_) => ShapeKind::Box,
            Shape::Point(_) => ShapeKind::Point,
        }
    }

    pub fn bounding_box(&self) -> BoundingBox {
        match self {
            Shape::Polygon(vertices) => {
                BoundingBox::around(vertices).expect("a polygon has at least three vertices")
            }
            Shape::Pieces(pieces) => {
                let corners: Vec<[f64; 2]> = pieces
                    .iter()
                    .flat_map(|p| {
                        BoundingBox::around(&p.outer)
                            .expect("a piece has at least three vertices")
                            .corners()
                    })
                    .collect();
                BoundingBox::around(&corners).expect("an outline has a piece")
            }
            Shape::Box(bbox) => *bbox,
            Shape::Point(p) => BoundingBox {
                xmin: p[0],
                ymin: p[1],
                xmax: p[0],
                ymax: p[1],
            },
        }
    }

    /// Area enclosed by the outline (the shoelace formula; for a self-intersecting ring the
    /// lobes of opposite orientation cancel, as they do in geo); pieces less their holes.
    pub fn area(&self) -> f64 {
        match self {
            Shape::Polygon(vertices) => ring_signed_area(vertices).abs(),
            Shape::Pieces(pieces) => pieces.iter().map(Piece::area).sum(),
            Shape::Box(bbox) => bbox.area(),
            Shape::Point(_) => 0.0,
        }
    }

    /// The area centroid of the outline; the vertex mean where the area vanishes.
    pub fn centroid(&self) -> [f64; 2] {
        match self {
            Shape::Polygon(vertices) => ring_centroid(vertices),
            Shape::Pieces(pieces) => {
                // Each ring's centroid weighted by its area, holes negatively.
                let (mut sum, mut total) = ([0.0, 0.0], 0.0);
                let rings = pieces.iter().flat_map(|p| {
                    std::iter::once((&p.outer, 1.0)).chain(p.holes.iter().map(|h| (h, -1.0)))
                });
                for (ring, sign) in rings {
                    let (area, c) = (sign * ring_signed_area(ring).abs(), ring_centroid(ring));
                    sum = [sum[0] + area * c[0], sum[1] + area * c[1]];
                    total += area;
                }
                if total > 0.0 {
                    [sum[0] / total, sum[1] / total]
                } else {
                    ring_centroid(&pieces[0].outer)
                }
            }
            Shape::Box(bbox) => bbox.center(),
            Shape::Point(p) => *p,
        }
    }

    /// The outline as one vertex list (a box as its four corners; a point as itself; pieces
    /// as the outer ring of the largest, which is all a one-ring format can hold).
    pub fn vertices(&self) -> Vec<[f64; 2]> {
        match self {
            Shape::Polygon(vertices) => vertices.clone(),
            Shape::Pieces(pieces) => pieces[0].outer.clone(),
            Shape::Box(bbox) => bbox.corners().to_vec(),
            Shape::Point(p) => vec![*p],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closing_vertex_is_dropped_without_an_issue() {
        let (shape, issues) =
            Shape::polygon(vec![[0.0, 0.0], [4.0, 0.0], [0.0, 3.0], [0.0, 0.0]]).unwrap();
        assert_eq!(
            shape,
            Shape::Polygon(vec![[0.0, 0.0], [4.0, 0.0], [0.0, 3.0]])
        );
        assert!(issues.is_empty());
        assert_eq!(shape.area(), 6.0);
    }

    #[test]
    fn repeated_vertex_is_dropped_and_reported() {
        let (shape, issues) =
            Shape::polygon(vec![[0.0, 0.0], [4.0, 0.0], [4.0, 0.0], [0.0, 3.0]]).unwrap();
        assert_eq!(shape.vertices().len(), 3);
        assert_eq!(issues, vec![ShapeIssue::RepeatedVertex]);
    }

    #[test]
    fn two_point_polyline_is_degenerate() {
        assert_eq!(
            Shape::polygon(vec![[0.0, 0.0], [4.0, 4.0]]),
            Err(DegenerateShape::TooFewVertices)
        );
        assert_eq!(
            Shape::polygon(vec![[0.0, 0.0], [2.0, 2.0], [4.0, 4.0]]),
            Err(DegenerateShape::ZeroArea)
        );
    }

    #[test]
    fn concave_polygon_area_and_centroid() {
        // An L of three unit squares: area 3, centroid (5/6, 5/6).
        let l = vec![
            [0.0, 0.0],
            [2.0, 0.0],
            [2.0, 1.0],
            [1.0, 1.0],
            [1.0, 2.0],
            [0.0, 2.0],
        ];
        let (shape, issues) = Shape::polygon(l).unwrap();
        assert!(issues.is_empty());
        assert_eq!(shape.area(), 3.0);
        let c = shape.centroid();
        assert!((c[0] - 5.0 / 6.0).abs() < 1e-12 && (c[1] - 5.0 / 6.0).abs() < 1e-12);
    }

    #[test]
    fn area_is_exact_at_whole_slide_coordinates() {
        let (shape, _) = Shape::polygon(vec![
            [1e6, 1e6],
            [1e6 + 10.0, 1e6],
            [1e6 + 10.0, 1e6 + 10.0],
            [1e6, 1e6 + 10.0],
        ])
        .unwrap();
        assert_eq!(shape.area(), 100.0);
        assert_eq!(shape.centroid(), [1e6 + 5.0, 1e6 + 5.0]);
    }

    #[test]
    fn flat_box_is_degenerate() {
        let flat = BoundingBox {
            xmin: 1.0,
            ymin: 1.0,
            xmax: 1.0,
            ymax: 5.0,
        };
        assert_eq!(Shape::rectangle(flat), Err(DegenerateShape::FlatBox));
    }

    #[test]
    fn pieces_count_every_piece_less_its_holes() {
        let square = |x: f64, y: f64, side: f64| {
            vec![[x, y], [x + side, y], [x + side, y + side], [x, y + side]]
        };
        // A 4 x 4 square with a 2 x 2 hole (area 12, centroid (2, 2)), and a 2 x 2 square at
        // (10, 0) (area 4, centroid (11, 1)).
        let (shape, issues) = Shape::pieces(vec![
            Piece {
                outer: square(10.0, 0.0, 2.0),
                holes: vec![],
            },
            Piece {
                outer: square(0.0, 0.0, 4.0),
                holes: vec![square(1.0, 1.0, 2.0)],
            },
        ])
        .unwrap();
        assert!(issues.is_empty());
        assert_eq!(shape.area(), 16.0);
        assert_eq!(
            shape.centroid(),
            [
                (12.0 * 2.0 + 4.0 * 11.0) / 16.0,
                2.0 * 12.0 / 16.0 + 4.0 / 16.0
            ]
        );
        assert_eq!(shape.kind(), ShapeKind::Polygon);
        // Largest piece first: it is the one-ring outline.
        assert_eq!(shape.vertices(), square(0.0, 0.0, 4.0));
        assert_eq!(shape.bounding_box().xmax, 12.0);
        // One piece without holes is a polygon; a degenerate hole makes it degenerate.
        let (one, _) = Shape::pieces(vec![Piece {
            outer: square(0.0, 0.0, 1.0),
            holes: vec![],
        }])
        .unwrap();
        assert!(matches!(one, Shape::Polygon(_)));
        let flat = Piece {
            outer: square(0.0, 0.0, 4.0),
            holes: vec![vec![[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]]],
        };
        assert_eq!(Shape::pieces(vec![flat]), Err(DegenerateShape::ZeroArea));
    }
}
