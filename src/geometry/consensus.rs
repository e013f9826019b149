//! The consensus of several outlines of one nucleus: the region at least `depth` of them
//! cover, its area, each outline's area inside it, and the region's own outline, exact in
//! continuous geometry.
//!
//! The plane is cut into vertical slabs as in [`super::slabs`]: within a slab no edge starts,
//! ends or crosses another, so every outline's cross-section is a fixed set of intervals
//! (even-odd), their order never changes, and the depth at each height is fixed. The region's
//! cross-section is then the heights of depth at least `depth`, bounded by two of the
//! outlines' edges; its length and each outline's shared length are linear in x, so the
//! slab's width times the lengths at its middle are its areas exactly. The region's outline is
//! drawn from these trapezoids: one ring from the lower and upper bounding edges where every
//! slab holds one interval overlapping the next (a nucleus's usual case), otherwise the
//! trapezoids' union by geo's boolean operations.
//!
//! ```
//! use nucagree::geometry::consensus::consensus;
//! let square = |x: f64| vec![vec![[x, 0.0], [x + 10.0, 0.0], [x + 10.0, 10.0], [x, 10.0]]];
//! // Three squares shifted by 2: the region two of them cover is x in [2, 12].
//! let agreed = consensus(&[square(0.0), square(2.0), square(4.0)], 2, true);
//! assert_eq!(agreed.area, 100.0);
//! assert_eq!(agreed.iou(0), Some(80.0 / 120.0));
//! assert_eq!(agreed.iou(1), Some(1.0));
//! assert_eq!(
//!     agreed.outline,
//!     Some(nucagree::model::Shape::Polygon(vec![[2.0, 0.0], [12.0, 0.0], [12.0, 10.0], [2.0, 10.0]]))
//! );
//! ```

use super::slabs::{merge, shared_length, sweep, Crossing, Edge, Rings};
use crate::model::{BoundingBox, Piece, Shape};
use geo::{Coord, LineString, Polygon};

/// The region at least `depth` outlines cover, and how each outline lies on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Consensus {
    /// The region's area.
    pub area: f64,
    /// Each outline's area (overlapping rings of one outline count even-odd).
    pub areas: Vec<f64>,
    /// Each outline's area inside the region.
    pub shared: Vec<f64>,
    /// The region's outline, when asked for and the region is not empty.
    pub outline: Option<Shape>,
}

impl Consensus {
    /// Outline `i`'s IoU with the region; `None` when both are empty.
    pub fn iou(&self, i: usize) -> Option<f64> {
        let union = self.areas[i] + self.area - self.shared[i];
        (union > 0.0).then(|| self.shared[i] / union)
    }
}

/// [`consensus`] of boxes, without the region's outline: the boxes' sides cut the plane into
/// cells, each covered by a fixed number of boxes, so the region is the cells covered at least
/// `depth` times (a few hundred cells for a nucleus's raters, and no allocation per edge).
pub fn box_consensus(boxes: &[BoundingBox], depth: usize) -> Consensus {
    let depth = depth.max(1);
    let cuts = |low: fn(&BoundingBox) -> f64, high: fn(&BoundingBox) -> f64| {
        let mut values: Vec<f64> = boxes.iter().flat_map(|b| [low(b), high(b)]).collect();
        values.sort_by(f64::total_cmp);
        values.dedup();
        values
    };
    let (xs, ys) = (cuts(|b| b.xmin, |b| b.xmax), cuts(|b| b.ymin, |b| b.ymax));
    let (mut area, mut shared) = (0.0, vec![0.0; boxes.len()]);
    let mut inside = vec![false; boxes.len()];
    for x in xs.windows(2) {
        let middle_x = 0.5 * (x[0] + x[1]);
        for y in ys.windows(2) {
            let middle_y = 0.5 * (y[0] + y[1]);
            let mut count = 0;
            for (flag, b) in inside.iter_mut().zip(boxes) {
                *flag = b.xmin < middle_x
                    && middle_x < b.xmax
                    && b.ymin < middle_y
                    && middle_y < b.ymax;
                count += usize::from(*flag);
            }
            if count >= depth {
                let cell = (x[1] - x[0]) * (y[1] - y[0]);
                area += cell;
                for (total, _) in shared.iter_mut().zip(&inside).filter(|(_, &flag)| flag) {
                    *total += cell;
                }
            }
        }
    }
    Consensus {
        area,
        areas: boxes
            .iter()
            .map(|b| (b.xmax - b.xmin) * (b.ymax - b.ymin))
            .collect(),
        shared,
        outline: None,
    }
}

/// One slab's part of the region: its x-range and the bounding edges of each interval.
struct Trapezoids {
    left: f64,
    right: f64,
    intervals: Vec<(Edge, Edge)>,
}

/// The region at least `depth` (≥ 1) of `outlines` cover; its outline drawn when `draw`.
pub fn consensus(outlines: &[Rings], depth: usize, draw: bool) -> Consensus {
    let depth = depth.max(1) as i64;
    let n = outlines.len();
    let (mut area, mut areas, mut shared) = (0.0, vec![0.0; n], vec![0.0; n]);
    let mut own: Vec<Vec<[f64; 2]>> = vec![Vec::new(); n];
    let mut events: Vec<(f64, i64, Edge)> = Vec::new();
    let mut agreed: Vec<[f64; 2]> = Vec::new();
    let mut slabs: Vec<Trapezoids> = Vec::new();
    let refs: Vec<&Rings> = outlines.iter().collect();
    sweep(&refs, &mut |left, right, crossings: &[Crossing]| {
        let width = right - left;
        own.iter_mut().for_each(Vec::clear);
        events.clear();
        for pair in crossings.chunk_by(|a, b| a.outline == b.outline) {
            let outline = pair[0].outline as usize;
            for inside in pair.chunks_exact(2) {
                own[outline].push([inside[0].y, inside[1].y]);
                events.push((inside[0].y, 1, inside[0].edge));
                events.push((inside[1].y, -1, inside[1].edge));
            }
        }
        // Ends before starts at one height, so that touching intervals do not stack.
        events.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        agreed.clear();
        let mut intervals = Vec::new();
        let (mut count, mut start) = (0i64, None);
        for &(y, step, edge) in &events {
            count += step;
            if count >= depth && start.is_none() {
                start = Some((y, edge));
            } else if count < depth {
                if let Some((low, low_edge)) = start.take() {
                    if y > low {
                        agreed.push([low, y]);
                        intervals.push((low_edge, edge));
                    }
                }
            }
        }
        area += width * agreed.iter().map(|[low, high]| high - low).sum::<f64>();
        for (outline, intervals) in own.iter_mut().enumerate() {
            areas[outline] += width * merge(intervals);
            shared[outline] += width * shared_length(intervals, &agreed);
        }
        if draw && !intervals.is_empty() {
            slabs.push(Trapezoids {
                left,
                right,
                intervals,
            });
        }
    });
    let outline = if draw { draw_region(&slabs) } else { None };
    Consensus {
        area,
        areas,
        shared,
        outline,
    }
}

/// The region's outline from its slabs' trapezoids; `None` when it has no area.
fn draw_region(slabs: &[Trapezoids]) -> Option<Shape> {
    if slabs.is_empty() {
        return None;
    }
    // A trapezoid's ends (low, high) at x, never crossed by rounding (where its bounding
    // edges meet at x, their heights there may differ in the last bits).
    let ends = |(low, high): (Edge, Edge), x: f64| -> (f64, f64) {
        let (l, h) = (low.height_at(x), high.height_at(x));
        if l > h {
            let middle = 0.5 * (l + h);
            (middle, middle)
        } else {
            (l, h)
        }
    };
    // One ring when every slab holds one interval and each shares a stretch of positive
    // length with the next at their common side (so the region neither splits nor pinches).
    let one_ring = slabs.iter().all(|s| s.intervals.len() == 1)
        && slabs.windows(2).all(|pair| {
            let x = pair[0].right;
            let ((low_a, high_a), (low_b, high_b)) =
                (ends(pair[0].intervals[0], x), ends(pair[1].intervals[0], x));
            let shared = high_a.min(high_b) - low_a.max(low_b);
            pair[1].left == x && shared > 1e-9 * (1.0 + x.abs() + high_a.abs())
        });
    if one_ring {
        let mut ring: Vec<[f64; 2]> = Vec::with_capacity(4 * slabs.len());
        let (mut upper, mut lower) = (Vec::new(), Vec::new());
        for s in slabs {
            for x in [s.left, s.right] {
                let (low, high) = ends(s.intervals[0], x);
                lower.push([x, low]);
                upper.push([x, high]);
            }
        }
        ring.extend(lower);
        ring.extend(upper.into_iter().rev());
        let ring = simplified(ring);
        return (ring.len() >= 3).then_some(Shape::Polygon(ring));
    }
    let trapezoids: Vec<Polygon<f64>> = slabs
        .iter()
        .flat_map(|s| {
            s.intervals.iter().map(|&interval| {
                let ((low_left, high_left), (low_right, high_right)) =
                    (ends(interval, s.left), ends(interval, s.right));
                let corners = [
                    [s.left, low_left],
                    [s.right, low_right],
                    [s.right, high_right],
                    [s.left, high_left],
                ];
                simplified(corners.to_vec())
            })
        })
        .filter(|ring| ring.len() >= 3)
        .map(|ring| {
            let ring: LineString<f64> = ring.into_iter().map(|[x, y]| Coord { x, y }).collect();
            Polygon::new(ring, Vec::new())
        })
        .collect();
    let union = geo::unary_union(&trapezoids);
    let open = |ring: &LineString<f64>| -> Vec<[f64; 2]> {
        let mut points: Vec<[f64; 2]> = ring.0.iter().map(|c| [c.x, c.y]).collect();
        if points.len() > 1 && points.first() == points.last() {
            points.pop();
        }
        points
    };
    let mut pieces: Vec<Piece> = union
        .0
        .iter()
        .map(|polygon| Piece {
            outer: open(polygon.exterior()),
            holes: polygon.interiors().iter().map(open).collect(),
        })
        .filter(|piece| piece.outer.len() >= 3)
        .collect();
    // The largest first, as one-ring formats take the first piece.
    pieces.sort_by(|a, b| b.area().total_cmp(&a.area()));
    match pieces.len() {
        0 => None,
        1 if pieces[0].holes.is_empty() => Some(Shape::Polygon(pieces.pop()?.outer)),
        _ => Some(Shape::Pieces(pieces)),
    }
}

/// A ring without repeated vertices and without vertices on a straight run (taken
/// cyclically). Vertices within 1e-12 of the ring's size of the previous one are the same
/// vertex: heights of two edges meeting at a slab's side, or a slab's sides a crossing and a
/// vertex apart by rounding, differ in the last bits, and would leave edges of no length that
/// touch their neighbours' neighbours.
fn simplified(ring: Vec<[f64; 2]>) -> Vec<[f64; 2]> {
    let size = ring
        .iter()
        .fold(1.0_f64, |m, p| m.max(p[0].abs()).max(p[1].abs()));
    let tolerance = 1e-12 * size;
    let near = |a: [f64; 2], b: [f64; 2]| {
        (a[0] - b[0]).abs() <= tolerance && (a[1] - b[1]).abs() <= tolerance
    };
    let mut kept: Vec<[f64; 2]> = Vec::with_capacity(ring.len());
    for p in ring {
        if kept.last().is_none_or(|&last| !near(last, p)) {
            kept.push(p);
        }
    }
    while kept.len() > 1 && near(kept[0], kept[kept.len() - 1]) {
        kept.pop();
    }
    let mut changed = true;
    while changed && kept.len() > 3 {
        changed = false;
        let n = kept.len();
        for i in 0..n {
            let (a, b, c) = (kept[(i + n - 1) % n], kept[i], kept[(i + 1) % n]);
            let cross = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
            let between = (b[0] - a[0]) * (c[0] - b[0]) + (b[1] - a[1]) * (c[1] - b[1]) >= 0.0;
            if cross == 0.0 && between {
                kept.remove(i);
                changed = true;
                break;
            }
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::slabs::{diamond, slab_areas};

    fn square(x: f64, y: f64, side: f64) -> Rings {
        vec![vec![
            [x, y],
            [x + side, y],
            [x + side, y + side],
            [x, y + side],
        ]]
    }

    #[test]
    fn depth_one_is_the_union_and_depth_n_the_intersection() {
        let outlines = [square(0.0, 0.0, 10.0), square(5.0, 5.0, 10.0)];
        let union = consensus(&outlines, 1, true);
        assert_eq!(union.area, 175.0);
        assert_eq!(union.areas, vec![100.0, 100.0]);
        assert_eq!(union.shared, vec![100.0, 100.0]);
        // The union of two offset squares is one ring of eight corners.
        match union.outline {
            Some(Shape::Polygon(ring)) => assert_eq!(ring.len(), 8),
            other => panic!("{other:?}"),
        }
        let both = consensus(&outlines, 2, true);
        assert_eq!(both.area, 25.0);
        assert_eq!(both.iou(0), Some(0.25));
        assert_eq!(
            both.outline,
            Some(Shape::Polygon(vec![
                [5.0, 5.0],
                [10.0, 5.0],
                [10.0, 10.0],
                [5.0, 10.0]
            ]))
        );
        // The intersection's area is the slabs' shared area.
        let [_, _, shared] = slab_areas(&outlines[..1], &outlines[1..]);
        assert_eq!(both.area, shared);
    }

    proptest::proptest! {
        #[test]
        fn boxes_by_cells_equal_boxes_by_slabs(
            boxes in proptest::collection::vec((0.0f64..20.0, 0.0f64..20.0, 1.0f64..15.0, 1.0f64..15.0), 1..8),
            depth in 1usize..5,
        ) {
            let boxes: Vec<BoundingBox> = boxes
                .iter()
                .map(|&(x, y, w, h)| BoundingBox { xmin: x, ymin: y, xmax: x + w, ymax: y + h })
                .collect();
            let rings: Vec<Rings> = boxes.iter().map(|b| vec![b.corners().to_vec()]).collect();
            let (cells, slabs) = (box_consensus(&boxes, depth), consensus(&rings, depth, false));
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * (1.0 + a.abs());
            proptest::prop_assert!(close(cells.area, slabs.area), "{} {}", cells.area, slabs.area);
            for i in 0..boxes.len() {
                proptest::prop_assert!(close(cells.areas[i], slabs.areas[i]));
                proptest::prop_assert!(close(cells.shared[i], slabs.shared[i]));
            }
        }
    }

    #[test]
    fn a_region_in_two_parts_is_drawn_as_pieces() {
        // Two far squares each drawn twice: at depth 2, two disjoint squares.
        let outlines = [
            square(0.0, 0.0, 4.0),
            square(0.0, 0.0, 4.0),
            square(10.0, 0.0, 4.0),
            square(10.0, 0.0, 4.0),
        ];
        let agreed = consensus(&outlines, 2, true);
        assert_eq!(agreed.area, 32.0);
        match agreed.outline {
            Some(Shape::Pieces(pieces)) => {
                assert_eq!(pieces.len(), 2);
                assert!(pieces
                    .iter()
                    .all(|p| p.outer.len() == 4 && p.holes.is_empty()));
            }
            other => panic!("{other:?}"),
        }
        // Nothing is covered three times.
        let none = consensus(&outlines, 3, true);
        assert_eq!((none.area, &none.outline), (0.0, &None));
        assert_eq!(none.iou(0), Some(0.0));
    }

    /// A small polygon from a centre and eight radii (star-shaped, so simple).
    fn star(cx: f64, cy: f64, radii: &[f64]) -> Rings {
        let n = radii.len();
        vec![radii
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let angle = std::f64::consts::TAU * i as f64 / n as f64;
                [cx + r * angle.cos(), cy + r * angle.sin()]
            })
            .collect()]
    }

    proptest::proptest! {
        #[test]
        fn the_drawn_region_has_the_region_s_area_and_depth_one_is_the_union(
            outlines in proptest::collection::vec(
                (0.0f64..6.0, 0.0f64..6.0, proptest::collection::vec(3.0f64..10.0, 8)),
                2..6,
            ),
            depth in 1usize..4,
        ) {
            let rings: Vec<Rings> = outlines.iter().map(|(x, y, r)| star(*x, *y, r)).collect();
            let agreed = consensus(&rings, depth, true);
            let drawn = agreed
                .outline
                .as_ref()
                .map_or(0.0, |shape| crate::geometry::PreparedShape::new(shape).area);
            // Within geo's snapping where the region is drawn by its boolean operations.
            proptest::prop_assert!((drawn - agreed.area).abs() <= 1e-7 * agreed.area.max(1.0), "{drawn} {}", agreed.area);
            for i in 0..rings.len() {
                proptest::prop_assert!(agreed.shared[i] <= agreed.areas[i] + 1e-9);
                proptest::prop_assert!(agreed.shared[i] <= agreed.area + 1e-9);
            }
            let union = consensus(&rings, 1, false);
            let [covered, _, _] = slab_areas(&rings, &[]);
            proptest::prop_assert!((union.area - covered).abs() <= 1e-9 * covered);
            // Deeper regions lie inside shallower ones.
            proptest::prop_assert!(agreed.area <= union.area + 1e-9);
        }
    }

    /// Cases the property test found: edges meeting at a slab's side at heights a few ulps
    /// apart once left edges of no length that touched their neighbours' neighbours, and the
    /// drawn region was taken for self-intersecting (and replaced by its box).
    #[test]
    fn rounding_at_slab_sides_leaves_a_simple_ring() {
        let cases = [
            (
                vec![
                    star(
                        5.636454583127377,
                        3.943032681050567,
                        &[
                            3.0,
                            3.0,
                            3.0,
                            8.442252608291609,
                            3.0,
                            4.140538434154169,
                            3.5765344985337935,
                            7.597719219579282,
                        ],
                    ),
                    star(
                        2.0681401151630743,
                        5.3830860675168966,
                        &[
                            6.358934399339877,
                            3.0,
                            3.0,
                            3.0,
                            3.0,
                            3.0,
                            3.283656306672383,
                            8.75035420486254,
                        ],
                    ),
                ],
                2,
            ),
            (
                vec![
                    star(
                        1.8931571796919218,
                        3.0338627790571864,
                        &[
                            6.84128432389635,
                            3.8740515577093277,
                            7.176910315552669,
                            6.0360234752751944,
                            3.0,
                            6.371017171253693,
                            6.259788724706611,
                            3.0,
                        ],
                    ),
                    star(
                        2.794819898565141,
                        4.0100406282542735,
                        &[
                            9.329910499629287,
                            3.0,
                            3.0,
                            8.115221225098935,
                            3.0,
                            3.0,
                            9.914864080544042,
                            5.1201013880140565,
                        ],
                    ),
                    star(
                        4.786795510695124,
                        2.903205238240645,
                        &[
                            3.0,
                            6.412319444513098,
                            3.667483027839352,
                            8.54137496147902,
                            3.0,
                            6.994065799583098,
                            6.445928276740382,
                            8.83137761319255,
                        ],
                    ),
                ],
                3,
            ),
        ];
        for (rings, depth) in cases {
            let agreed = consensus(&rings, depth, true);
            let drawn = crate::geometry::PreparedShape::new(agreed.outline.as_ref().unwrap());
            assert!(!drawn.replaced_by_box);
            assert!(
                (drawn.area - agreed.area).abs() <= 1e-7 * agreed.area,
                "{} {}",
                drawn.area,
                agreed.area
            );
        }
    }

    #[test]
    fn diamonds_crossing_inside_slabs_have_exact_consensus() {
        let agreed = consensus(&[diamond(0.0), diamond(5.0)], 2, true);
        assert_eq!(agreed.area, 12.5);
        // The lens is the square of corners (2.5, 2.5), (5, 5), (2.5, 7.5), (0, 5).
        match agreed.outline {
            Some(Shape::Polygon(ring)) => {
                assert_eq!(ring.len(), 4);
                assert!(ring.contains(&[2.5, 2.5]) && ring.contains(&[0.0, 5.0]));
            }
            other => panic!("{other:?}"),
        }
    }
}
