//! Nucleus outlines: a polygon, an axis-aligned box, or a point.
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
    /// An axis-aligned rectangle, as NuCLS's `rectangle` annotations.
    Box(BoundingBox),
    /// A single location with no area (NuCLS's `point` annotations, centroid detectors).
    Point([f64; 2]),
}

/// What kind of outline a shape is, for counting.
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
        let crossing =
            !crate::geometry::clip::is_convex(&vertices) && ring_self_intersects(&vertices);
        if ring_signed_area(&vertices) == 0.0 && !crossing {
            return Err(DegenerateShape::ZeroArea);
        }
        if crossing {
            issues.push(ShapeIssue::SelfIntersecting);
        }
        Ok((Shape::Polygon(vertices), issues))
    }

    /// Makes a box; a box with zero width or height is degenerate.
    pub fn rectangle(bbox: BoundingBox) -> Result<Shape, DegenerateShape> {
        if bbox.width() > 0.0 && bbox.height() > 0.0 {
            Ok(Shape::Box(bbox))
        } else {
            Err(DegenerateShape::FlatBox)
        }
    }

    pub fn kind(&self) -> ShapeKind {
        match self {
            Shape::Polygon(_) => ShapeKind::Polygon,
            Shape::Box(_) => ShapeKind::Box,
            Shape::Point(_) => ShapeKind::Point,
        }
    }

    pub fn bounding_box(&self) -> BoundingBox {
        match self {
            Shape::Polygon(vertices) => {
                BoundingBox::around(vertices).expect("a polygon has at least three vertices")
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
    /// lobes of opposite orientation cancel, as they do in geo).
    pub fn area(&self) -> f64 {
        match self {
            Shape::Polygon(vertices) => ring_signed_area(vertices).abs(),
            Shape::Box(bbox) => bbox.area(),
            Shape::Point(_) => 0.0,
        }
    }

    /// The area centroid of the outline; the vertex mean where the area vanishes.
    pub fn centroid(&self) -> [f64; 2] {
        match self {
            Shape::Polygon(vertices) => ring_centroid(vertices),
            Shape::Box(bbox) => bbox.center(),
            Shape::Point(p) => *p,
        }
    }

    /// The outline as a vertex list (a box as its four corners; a point as itself).
    pub fn vertices(&self) -> Vec<[f64; 2]> {
        match self {
            Shape::Polygon(vertices) => vertices.clone(),
            Shape::Box(bbox) => bbox.corners().to_vec(),
            Shape::Point(p) => vec![*p],
        }
    }
}

/// Shoelace area, positive for counter-clockwise rings (y up). Computed about the
/// first vertex so that whole-slide coordinates keep their precision.
pub fn ring_signed_area(vertices: &[[f64; 2]]) -> f64 {
    let Some(origin) = vertices.first() else {
        return 0.0;
    };
    let mut twice = 0.0;
    for i in 0..vertices.len() {
        let a = vertices[i];
        let b = vertices[(i + 1) % vertices.len()];
        twice += (a[0] - origin[0]) * (b[1] - origin[1]) - (b[0] - origin[0]) * (a[1] - origin[1]);
    }
    0.5 * twice
}

fn ring_centroid(vertices: &[[f64; 2]]) -> [f64; 2] {
    let origin = vertices[0];
    let (mut cx, mut cy, mut twice_area) = (0.0, 0.0, 0.0);
    for i in 0..vertices.len() {
        let a = vertices[i];
        let b = vertices[(i + 1) % vertices.len()];
        let (ax, ay) = (a[0] - origin[0], a[1] - origin[1]);
        let (bx, by) = (b[0] - origin[0], b[1] - origin[1]);
        let cross = ax * by - bx * ay;
        twice_area += cross;
        cx += (ax + bx) * cross;
        cy += (ay + by) * cross;
    }
    if twice_area.abs() <= f64::EPSILON * 16.0 {
        let n = vertices.len() as f64;
        let sx: f64 = vertices.iter().map(|v| v[0]).sum();
        let sy: f64 = vertices.iter().map(|v| v[1]).sum();
        return [sx / n, sy / n];
    }
    [
        origin[0] + cx / (3.0 * twice_area),
        origin[1] + cy / (3.0 * twice_area),
    ]
}

/// Whether two non-adjacent edges of the ring cross or touch. Large rings are swept in order
/// of their edges' smallest x, so only edges whose x-ranges overlap are compared; small ones
/// (where sorting costs more than it saves) compare all pairs after a box test.
pub fn ring_self_intersects(vertices: &[[f64; 2]]) -> bool {
    let n = vertices.len();
    if n < 4 {
        return false;
    }
    // Most nucleus outlines are star-shaped about their vertex mean: then they are simple, and
    // a linear test says so.
    if star_shaped_about_mean(vertices) {
        return false;
    }
    if n <= 48 {
        return ring_self_intersects_all_pairs(vertices);
    }
    let edge = |i: usize| (vertices[i], vertices[(i + 1) % n]);
    let min_x = |i: usize| vertices[i][0].min(vertices[(i + 1) % n][0]);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by(|&i, &j| min_x(i).total_cmp(&min_x(j)));
    for (k, &i) in order.iter().enumerate() {
        let (a1, a2) = edge(i);
        let ax1 = a1[0].max(a2[0]);
        let (ay0, ay1) = (a1[1].min(a2[1]), a1[1].max(a2[1]));
        for &j in &order[k + 1..] {
            if min_x(j) > ax1 {
                break;
            }
            let gap = i.abs_diff(j);
            if gap == 1 || gap == n - 1 {
                continue; // adjacent edges share a vertex
            }
            let (b1, b2) = edge(j);
            if b1[1].max(b2[1]) < ay0 || b1[1].min(b2[1]) > ay1 {
                continue;
            }
            if segments_intersect(a1, a2, b1, b2) {
                return true;
            }
        }
    }
    false
}

/// The vertex mean when the ring is star-shaped about it (see [`star_shaped_about_mean`]).
pub(crate) fn star_center(vertices: &[[f64; 2]]) -> Option<[f64; 2]> {
    let n = vertices.len() as f64;
    let cx = vertices.iter().map(|v| v[0]).sum::<f64>() / n;
    let cy = vertices.iter().map(|v| v[1]).sum::<f64>() / n;
    star_shaped_about_mean(vertices).then_some([cx, cy])
}

/// Whether every edge turns strictly the same way about the vertex mean and the ring winds
/// around it exactly once: the ring is then star-shaped about that point, hence simple.
fn star_shaped_about_mean(vertices: &[[f64; 2]]) -> bool {
    let n = vertices.len() as f64;
    let cx = vertices.iter().map(|v| v[0]).sum::<f64>() / n;
    let cy = vertices.iter().map(|v| v[1]).sum::<f64>() / n;
    let mut sign = 0.0;
    let mut crossings = 0;
    for (i, a) in vertices.iter().enumerate() {
        let b = vertices[(i + 1) % vertices.len()];
        let (ax, ay) = (a[0] - cx, a[1] - cy);
        let (bx, by) = (b[0] - cx, b[1] - cy);
        let cross = ax * by - ay * bx;
        if cross == 0.0 || !cross.is_finite() {
            return false;
        }
        if sign == 0.0 {
            sign = cross.signum();
        } else if cross.signum() != sign {
            return false;
        }
        // Crossings of the ray from the mean along +x (edges turning about the mean cross it
        // in one direction only).
        if (ay < 0.0) != (by < 0.0) {
            let x = ax + (0.0 - ay) * (bx - ax) / (by - ay);
            if x > 0.0 {
                crossings += 1;
            }
        }
    }
    crossings == 1
}

fn ring_self_intersects_all_pairs(vertices: &[[f64; 2]]) -> bool {
    let n = vertices.len();
    for i in 0..n {
        let (a1, a2) = (vertices[i], vertices[(i + 1) % n]);
        let (ax0, ax1) = (a1[0].min(a2[0]), a1[0].max(a2[0]));
        let (ay0, ay1) = (a1[1].min(a2[1]), a1[1].max(a2[1]));
        for j in (i + 2)..n {
            if i == 0 && j == n - 1 {
                continue; // adjacent through the closing edge
            }
            let (b1, b2) = (vertices[j], vertices[(j + 1) % n]);
            if b1[0].max(b2[0]) < ax0
                || b1[0].min(b2[0]) > ax1
                || b1[1].max(b2[1]) < ay0
                || b1[1].min(b2[1]) > ay1
            {
                continue;
            }
            if segments_intersect(a1, a2, b1, b2) {
                return true;
            }
        }
    }
    false
}

fn orientation(p: [f64; 2], q: [f64; 2], r: [f64; 2]) -> f64 {
    (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
}

fn on_segment(p: [f64; 2], q: [f64; 2], r: [f64; 2]) -> bool {
    q[0] >= p[0].min(r[0])
        && q[0] <= p[0].max(r[0])
        && q[1] >= p[1].min(r[1])
        && q[1] <= p[1].max(r[1])
}

fn segments_intersect(p1: [f64; 2], p2: [f64; 2], q1: [f64; 2], q2: [f64; 2]) -> bool {
    let d1 = orientation(q1, q2, p1);
    let d2 = orientation(q1, q2, p2);
    let d3 = orientation(p1, p2, q1);
    let d4 = orientation(p1, p2, q2);
    if ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
    {
        return true;
    }
    (d1 == 0.0 && on_segment(q1, p1, q2))
        || (d2 == 0.0 && on_segment(q1, p2, q2))
        || (d3 == 0.0 && on_segment(p1, q1, p2))
        || (d4 == 0.0 && on_segment(p1, q2, p2))
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
    fn self_intersection_sweep_agrees_with_all_pairs() {
        let all_pairs = |v: &[[f64; 2]]| {
            let n = v.len();
            (0..n).any(|i| {
                ((i + 2)..n).any(|j| {
                    !(i == 0 && j == n - 1)
                        && segments_intersect(v[i], v[(i + 1) % n], v[j], v[(j + 1) % n])
                })
            })
        };
        let mut state = 5u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) % 20) as f64
        };
        for n in (4..12).chain([49, 60, 80]) {
            for _ in 0..300 {
                let ring: Vec<[f64; 2]> = (0..n).map(|_| [next(), next()]).collect();
                assert_eq!(ring_self_intersects(&ring), all_pairs(&ring), "{ring:?}");
            }
        }
        // Star-shaped rings (what nuclei look like), in either orientation, and the same with
        // two vertices swapped, which often makes them cross.
        let mut star_simple = 0;
        for n in [5, 8, 12, 20, 30, 40, 60] {
            for k in 0..200 {
                let mut ring: Vec<[f64; 2]> = (0..n)
                    .map(|i| {
                        let angle = std::f64::consts::TAU * (i as f64 + next() / 40.0) / n as f64;
                        let radius = 5.0 + next();
                        [100.0 + radius * angle.cos(), 50.0 + radius * angle.sin()]
                    })
                    .collect();
                if k % 2 == 1 {
                    ring.reverse();
                }
                if k % 3 == 2 {
                    ring.swap(1, 3);
                }
                let crossing = all_pairs(&ring);
                star_simple += usize::from(!crossing);
                assert_eq!(ring_self_intersects(&ring), crossing, "{ring:?}");
            }
        }
        assert!(star_simple > 700, "{star_simple}");
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
}
