//! Invariants of the instance metrics on random label maps: counts reconcile, figures stay in
//! their ranges, a set against itself is perfect, and overlaps measured on traced outlines
//! equal the pixel counts.

use nucagree::conventions::hovernet::image_figures;
use nucagree::conventions::images::image_of;
use nucagree::conventions::stardist::match_image;
use nucagree::geometry::contour::trace_regions;
use nucagree::model::{ClassHierarchy, Fov, LabelMap, Nucleus, Piece, Shape};
use proptest::prelude::*;
use std::sync::Arc;

const SIZE: usize = 24;

/// A label map painted with rectangles (later ones over earlier ones).
fn painted(rectangles: &[(usize, usize, usize, usize)]) -> Vec<u32> {
    let mut labels = vec![0u32; SIZE * SIZE];
    for (index, &(x, y, w, h)) in rectangles.iter().enumerate() {
        for row in y..(y + h).min(SIZE) {
            for col in x..(x + w).min(SIZE) {
                labels[row * SIZE + col] = index as u32 + 1;
            }
        }
    }
    labels
}

/// A FOV of a label map: one nucleus per label present, its outline traced (every piece,
/// holes left out); whether some instance is in pieces or has holes.
fn fov_of(labels: Vec<u32>, with_map: bool) -> (Fov, bool) {
    let hierarchy = ClassHierarchy::nucls();
    let class = hierarchy.resolve("tumor").unwrap();
    let regions = trace_regions(&labels, SIZE, SIZE);
    let split = regions
        .iter()
        .any(|r| r.pieces.len() > 1 || r.hole_count() > 0);
    let nuclei = regions
        .into_iter()
        .map(|r| {
            let pieces = r
                .pieces
                .into_iter()
                .map(|p| Piece {
                    outer: p.outer,
                    holes: p.holes,
                })
                .collect();
            Nucleus::new(r.label, Shape::pieces(pieces).unwrap().0, class, None)
        })
        .collect();
    let fov = Fov {
        name: "image".into(),
        source: "image.png".into(),
        slide: None,
        hospital: None,
        region: None,
        image_size: Some((SIZE as u32, SIZE as u32)),
        test_fold: None,
        group: None,
        label_map: with_map
            .then(|| Arc::new(LabelMap::from_labels(SIZE as u32, SIZE as u32, &labels).unwrap())),
        measurements: None,
        nuclei,
    };
    (fov, split)
}

fn rectangles() -> impl Strategy<Value = Vec<(usize, usize, usize, usize)>> {
    prop::collection::vec((0..SIZE, 0..SIZE, 1..9usize, 1..9usize), 0..9)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn counts_reconcile_and_figures_stay_in_range(truth in rectangles(), pred in rectangles()) {
        let (truth, _) = fov_of(painted(&truth), true);
        let (pred, _) = fov_of(painted(&pred), true);
        let (image, by_pixels) = image_of(&truth, &pred, &|_, _| 0);
        prop_assert!(by_pixels);
        for threshold in [0.1, 0.5, 0.9] {
            let (row, _) = match_image(&image, threshold);
            prop_assert_eq!(row.tp + row.fp, image.pred.len() as u64);
            prop_assert_eq!(row.tp + row.fn_, image.truth.len() as u64);
            prop_assert!((0.0..=1.0).contains(&row.f1));
        }
        let f = image_figures(&image);
        for value in [f.aji, f.aji_plus, f.dice_1, f.dice_2, f.dq, f.pq].into_iter().flatten() {
            prop_assert!((0.0..=1.0 + 1e-12).contains(&value), "{value}");
        }
        if let (Some(dq), Some(sq), Some(pq)) = (f.dq, f.sq, f.pq) {
            prop_assert_eq!(pq, dq * sq);
        }
        // AJI and AJI+ are undefined on the same images (nothing on either side).
        prop_assert_eq!(f.aji.is_some(), f.aji_plus.is_some());
    }

    #[test]
    fn a_label_map_against_itself_is_perfect(rects in rectangles()) {
        let (truth, _) = fov_of(painted(&rects), true);
        let (image, _) = image_of(&truth, &truth, &|_, _| 0);
        let f = image_figures(&image);
        if image.truth.is_empty() {
            prop_assert_eq!(f.aji, None);
            prop_assert_eq!(f.dice_1, None);
        } else {
            prop_assert_eq!(f.aji, Some(1.0));
            prop_assert_eq!(f.aji_plus, Some(1.0));
            prop_assert_eq!(f.dice_1, Some(1.0));
            prop_assert_eq!(f.dq, Some(1.0));
            for threshold in [0.1, 0.5, 1.0] {
                prop_assert_eq!(match_image(&image, threshold).0.f1, 1.0);
            }
        }
    }

    /// Rectangles painted over each other split instances and cut holes in them: the
    /// outlines of every piece, less the holes, still count exactly the pixels.
    #[test]
    fn outlines_give_the_pixel_counts(truth in rectangles(), pred in rectangles()) {
        outlines_and_pixels_agree(&truth, &pred)?;
    }
}

/// An instance cut in two by a later one, and one with a hole punched through it.
#[test]
fn split_and_holed_instances_are_measured_in_full() {
    // Truth: 1 is cut in two by 2; 3 has a hole filled by 4. Prediction: one box over both.
    let truth = [(0, 0, 10, 4), (4, 0, 2, 4), (12, 12, 6, 6), (14, 14, 2, 2)];
    let pred = [(0, 0, 18, 18)];
    let (fov, split) = fov_of(painted(&truth), false);
    assert!(split);
    assert_eq!(fov.nuclei[0].shape.area(), 32.0);
    assert_eq!(fov.nuclei[2].shape.area(), 32.0);
    outlines_and_pixels_agree(&truth, &pred).unwrap();
}

/// A hole that meets the outside at one corner (found by the property above): its piece's
/// boundary passes that corner twice; traced as an outer ring and a hole, not a ring that
/// touches itself (which was compared by its box).
#[test]
fn a_hole_pinched_to_the_outside_is_measured_in_full() {
    let truth = [(8, 14, 8, 8), (6, 16, 8, 2), (14, 18, 1, 1)];
    let (fov, _) = fov_of(painted(&truth), false);
    assert_eq!(fov.nuclei[0].shape.area(), 51.0);
    outlines_and_pixels_agree(&truth, &[]).unwrap();
}

type Rectangles = [(usize, usize, usize, usize)];

fn outlines_and_pixels_agree(truth: &Rectangles, pred: &Rectangles) -> Result<(), TestCaseError> {
    let (truth_pixels, _) = fov_of(painted(truth), true);
    let (pred_pixels, _) = fov_of(painted(pred), true);
    let (truth_outlines, _) = fov_of(painted(truth), false);
    let (pred_outlines, _) = fov_of(painted(pred), false);
    let (pixels, by_pixels) = image_of(&truth_pixels, &pred_pixels, &|_, _| 0);
    let (outlines, by_outlines) = image_of(&truth_outlines, &pred_outlines, &|_, _| 0);
    prop_assert!(by_pixels && !by_outlines);
    prop_assert_eq!(pixels.overlaps.len(), outlines.overlaps.len());
    for (p, o) in pixels.overlaps.iter().zip(&outlines.overlaps) {
        prop_assert_eq!((p.truth, p.pred), (o.truth, o.pred));
        prop_assert!((p.area - o.area).abs() < 1e-9, "{} {}", p.area, o.area);
    }
    for (p, o) in pixels.truth.iter().zip(&outlines.truth) {
        prop_assert!((p.area - o.area).abs() < 1e-9);
        prop_assert!((p.centroid[0] - o.centroid[0]).abs() < 1e-9);
        prop_assert!((p.centroid[1] - o.centroid[1]).abs() < 1e-9);
    }
    let (fp, fo) = (pixels.foreground, outlines.foreground);
    prop_assert!((fp.both - fo.both).abs() < 1e-9 && (fp.truth - fo.truth).abs() < 1e-9);
    Ok(())
}

/// The areas HoVer-Net's Dice1 and Dice2 rest on (each set's covered area and their
/// intersection, outlines of one set counted once) equal shapely's (GEOS) unions on the
/// sample's outlines, FOV by FOV, to 1e-12 (`tests/fixtures/coverage_shapely/`, shapely 2.2.0).
#[test]
fn covered_areas_equal_shapely_unions_on_the_sample() {
    use nucagree::geometry::coverage::coverage;
    use nucagree::ingest::{read_set, ReadOptions};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let fixture: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("tests/fixtures/coverage_shapely/data_sample.json"))
            .unwrap(),
    )
    .unwrap();
    let truth = read_set(&root.join("data-sample/corrected"), &ReadOptions::default()).unwrap();
    let pred = read_set(
        &root.join("data-sample/predictions"),
        &ReadOptions::default(),
    )
    .unwrap();
    let rows = fixture["fovs"].as_array().unwrap();
    assert_eq!(rows.len(), 30);
    for row in rows {
        let name = row["fov"].as_str().unwrap();
        let shapes = |set: &nucagree::model::AnnotationSet| -> Vec<nucagree::model::Shape> {
            set.fov(name)
                .unwrap()
                .nuclei
                .iter()
                .map(|n| n.shape.clone())
                .collect()
        };
        let covered = coverage(&shapes(&truth), &shapes(&pred));
        for (got, key) in [
            (covered.truth, "truth"),
            (covered.pred, "pred"),
            (covered.both, "both"),
        ] {
            let want = row[key].as_f64().unwrap();
            assert!(
                (got - want).abs() <= 1e-12 * want,
                "{name} {key}: {got} against shapely's {want}"
            );
        }
    }
}
