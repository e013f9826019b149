//! Properties of IoU and matching, hand-built matching cases, and simulated annotators
//! agreeing with the truth as their profiles say.

use nucagree::geometry::{iou, IouOptions, PreparedShape};
use nucagree::matching::{match_fov, match_sets, Assignment, Criterion, FovCrop, MatchOptions};
use nucagree::model::{BoundingBox, ClassId, Fov, Nucleus, Piece, RawClass, Shape};
use proptest::prelude::*;
use std::path::PathBuf;

/// A star-shaped polygon (simple, possibly concave) around a centre.
fn star_polygon() -> impl Strategy<Value = Vec<[f64; 2]>> {
    star_with_centre().prop_map(|(_, vertices)| vertices)
}

/// A star-shaped polygon and its centre (every vertex at least 2 from it, so the square of
/// side 1 about the centre lies inside).
fn star_with_centre() -> impl Strategy<Value = ([f64; 2], Vec<[f64; 2]>)> {
    (
        -50.0..50.0f64,
        -50.0..50.0f64,
        3usize..16,
        prop::collection::vec(2.0..20.0f64, 16),
        0.0..std::f64::consts::TAU,
    )
        .prop_map(|(cx, cy, n, radii, phase)| {
            let vertices = (0..n)
                .map(|k| {
                    let t = phase + std::f64::consts::TAU * k as f64 / n as f64;
                    let r = radii[k];
                    [
                        ((cx + r * t.cos()) * 8.0).round() / 8.0,
                        ((cy + r * t.sin()) * 8.0).round() / 8.0,
                    ]
                })
                .collect();
            ([cx, cy], vertices)
        })
}

fn rectangle() -> impl Strategy<Value = BoundingBox> {
    (-50.0..50.0f64, -50.0..50.0f64, 1.0..30.0f64, 1.0..30.0f64).prop_map(|(x, y, w, h)| {
        BoundingBox {
            xmin: x,
            ymin: y,
            xmax: x + w,
            ymax: y + h,
        }
    })
}

fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        star_polygon().prop_filter_map("a valid polygon", |v| Shape::polygon(v)
            .ok()
            .map(|(s, _)| s)),
        rectangle().prop_map(Shape::Box),
        pieces(),
    ]
}

/// Two star polygons 120 px apart as one outline of two pieces, the first with a square hole
/// about its centre.
fn pieces() -> impl Strategy<Value = Shape> {
    (star_with_centre(), star_polygon(), any::<bool>()).prop_filter_map(
        "valid pieces",
        |(([centre_x, centre_y], a), b, holed)| {
            let hole = vec![
                [centre_x - 0.5, centre_y - 0.5],
                [centre_x + 0.5, centre_y - 0.5],
                [centre_x + 0.5, centre_y + 0.5],
                [centre_x - 0.5, centre_y + 0.5],
            ];
            let first = Piece {
                outer: a,
                holes: if holed { vec![hole] } else { vec![] },
            };
            let second = Piece {
                outer: b.iter().map(|v| [v[0] + 120.0, v[1]]).collect(),
                holes: vec![],
            };
            Shape::pieces(vec![first, second]).ok().map(|(s, _)| s)
        },
    )
}

fn translate(shape: &Shape, d: f64) -> Shape {
    match shape {
        Shape::Polygon(v) => Shape::Polygon(v.iter().map(|p| [p[0] + d, p[1] + d]).collect()),
        Shape::Box(b) => Shape::Box(BoundingBox {
            xmin: b.xmin + d,
            ymin: b.ymin + d,
            xmax: b.xmax + d,
            ymax: b.ymax + d,
        }),
        Shape::Point(p) => Shape::Point([p[0] + d, p[1] + d]),
        Shape::Pieces(pieces) => {
            let moved = |ring: &Vec<[f64; 2]>| ring.iter().map(|p| [p[0] + d, p[1] + d]).collect();
            Shape::Pieces(
                pieces
                    .iter()
                    .map(|p| Piece {
                        outer: moved(&p.outer),
                        holes: p.holes.iter().map(moved).collect(),
                    })
                    .collect(),
            )
        }
    }
}

/// `n` identical boxes, all drawn over each other.
fn boxes(n: usize) -> Vec<Shape> {
    vec![
        Shape::Box(BoundingBox {
            xmin: 10.0,
            ymin: 10.0,
            xmax: 30.0,
            ymax: 30.0,
        });
        n
    ]
}

fn fov_of(shapes: &[Shape]) -> Fov {
    Fov {
        name: "fov".into(),
        source: PathBuf::from("fov.csv"),
        slide: None,
        hospital: None,
        region: None,
        image_size: None,
        test_fold: None,
        group: None,
        label_map: None,
        measurements: None,
        nuclei: shapes
            .iter()
            .enumerate()
            .map(|(i, s)| {
                Nucleus::new(
                    i as u32 + 2,
                    s.clone(),
                    RawClass {
                        id: ClassId(0),
                        correction: false,
                    },
                    Some(1.0 - i as f64 * 1e-3),
                )
            })
            .collect(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn iou_is_symmetric_bounded_and_one_on_itself(a in shape(), b in shape()) {
        let options = IouOptions::default();
        let (pa, pb) = (PreparedShape::new(&a), PreparedShape::new(&b));
        let ab = iou(&pa, &pb, &options);
        let ba = iou(&pb, &pa, &options);
        prop_assert!((0.0..=1.0).contains(&ab));
        prop_assert!((ab - ba).abs() < 1e-9, "{ab} {ba}");
        let self_iou = iou(&pa, &pa, &options);
        prop_assert!((self_iou - 1.0).abs() < 1e-9, "{self_iou}");
    }

    #[test]
    fn iou_is_unchanged_by_a_translation_to_whole_slide_coordinates(a in shape(), b in shape()) {
        let options = IouOptions::default();
        let near = iou(&PreparedShape::new(&a), &PreparedShape::new(&b), &options);
        let far = iou(&PreparedShape::new(&translate(&a, 1e6)), &PreparedShape::new(&translate(&b, 1e6)), &options);
        prop_assert!((near - far).abs() < 1e-7, "{near} {far}");
    }

    #[test]
    fn matching_is_one_to_one_above_the_threshold_and_complete(
        shapes_a in prop::collection::vec(shape(), 0..25),
        shapes_b in prop::collection::vec(shape(), 0..25),
        threshold in 0.05..0.9f64,
    ) {
        let (fa, fb) = (fov_of(&shapes_a), fov_of(&shapes_b));
        let mut totals = Vec::new();
        for assignment in [Assignment::Optimal, Assignment::GreedyIou, Assignment::GreedyScore] {
            let options = MatchOptions {
                criterion: Criterion::Iou { threshold, options: IouOptions::default() },
                assignment,
                crop: FovCrop::Off,
            };
            let m = match_fov(&fa, &fb, &options);
            let mut a_seen: Vec<u32> = m.pairs.iter().map(|p| p.a).collect();
            let mut b_seen: Vec<u32> = m.pairs.iter().map(|p| p.b).collect();
            a_seen.sort_unstable();
            b_seen.sort_unstable();
            prop_assert!(a_seen.windows(2).all(|w| w[0] != w[1]));
            prop_assert!(b_seen.windows(2).all(|w| w[0] != w[1]));
            for p in &m.pairs {
                prop_assert!(p.iou >= threshold);
                let exact = iou(&PreparedShape::new(&shapes_a[p.a as usize]), &PreparedShape::new(&shapes_b[p.b as usize]), &IouOptions::default());
                prop_assert!((exact - p.iou).abs() < 1e-12);
            }
            prop_assert_eq!(m.pairs.len() + m.unmatched_a.len(), shapes_a.len());
            prop_assert_eq!(m.pairs.len() + m.unmatched_b.len(), shapes_b.len());
            totals.push(m.pairs.iter().map(|p| p.iou).sum::<f64>());
        }
        prop_assert!(totals[0] >= totals[1] - 1e-9, "optimal {} below greedy {}", totals[0], totals[1]);
        prop_assert!(totals[0] >= totals[2] - 1e-9, "optimal {} below greedy-score {}", totals[0], totals[2]);
    }
}

#[test]
fn greedy_loses_a_pair_that_optimal_keeps() {
    // A0 overlaps B0 (IoU 90/110) and B1 (75/125); A1 overlaps B0 (50/150) and B1 below the
    // threshold (35/165). Greedy takes A0-B0 and strands A1; optimal takes A0-B1 and A1-B0
    // (total 0.93 > 0.82).
    let rect = |x: f64, w: f64| {
        Shape::Box(BoundingBox {
            xmin: x,
            ymin: 0.0,
            xmax: x + w,
            ymax: 10.0,
        })
    };
    let a = [rect(0.0, 10.0), rect(-4.0, 10.0)];
    let b = [rect(1.0, 10.0), rect(2.5, 10.0)];
    let options = |assignment| MatchOptions {
        criterion: Criterion::Iou {
            threshold: 0.3,
            options: IouOptions::default(),
        },
        assignment,
        crop: FovCrop::Off,
    };
    let greedy = match_fov(&fov_of(&a), &fov_of(&b), &options(Assignment::GreedyIou));
    let optimal = match_fov(&fov_of(&a), &fov_of(&b), &options(Assignment::Optimal));
    assert_eq!(
        greedy.pairs.iter().map(|p| (p.a, p.b)).collect::<Vec<_>>(),
        vec![(0, 0)]
    );
    assert_eq!(
        optimal.pairs.iter().map(|p| (p.a, p.b)).collect::<Vec<_>>(),
        vec![(0, 1), (1, 0)]
    );
    assert!(
        (optimal.pairs[0].iou - 0.6).abs() < 1e-12
            && (optimal.pairs[1].iou - 1.0 / 3.0).abs() < 1e-12
    );
}

#[test]
fn a_crowd_drawn_over_itself_is_assigned_greedily_and_counted() {
    // 700 identical boxes against 700 identical boxes: one component of 490,000 candidate
    // pairs, 700 × 490,000 units of work, past the limit: greedy pairs every box and says so.
    // 200 boxes (200 × 40,000) are solved optimally.
    let options = MatchOptions::default();
    let crowd = match_fov(&fov_of(&boxes(700)), &fov_of(&boxes(700)), &options);
    assert_eq!(crowd.pairs.len(), 700);
    assert_eq!(crowd.greedy_components, 1);
    let mut paired: Vec<u32> = crowd.pairs.iter().map(|p| p.b).collect();
    paired.sort_unstable();
    paired.dedup();
    assert_eq!(paired.len(), 700);
    let smaller = match_fov(&fov_of(&boxes(200)), &fov_of(&boxes(200)), &options);
    assert_eq!((smaller.pairs.len(), smaller.greedy_components), (200, 0));
}

/// A FOV whose nuclei overlap past a million pairs (and 20 per nucleus) is refused before
/// matching, naming the FOV and both files: 5,000 boxes stacked on one spot took a minute
/// and 4.8 GB to match, 20,000 would exhaust the machine. 1,000 (exactly a million pairs)
/// are matched; so are centroid crowds below the limit, and a study's raters are counted
/// together.
#[test]
fn a_fov_past_the_overlap_limit_is_refused_before_matching() {
    use nucagree::matching::crowd::{check_fov_pair, require_bounded_study, Candidates};
    let (allowed, crowd) = (fov_of(&boxes(1_000)), fov_of(&boxes(1_001)));
    check_fov_pair(&allowed, &allowed, Candidates::Overlapping).unwrap();
    let error = check_fov_pair(&crowd, &crowd, Candidates::Overlapping)
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with(
            "fov.csv: FOV \"fov\": more than 1000000 pairs of nuclei overlap between this file and fov.csv ("
        ),
        "{error}"
    );
    // Centroids 1 px apart in a row: within 30 px, about 60 neighbours each.
    let row: Vec<Shape> = (0..2_000).map(|i| Shape::Point([i as f64, 0.0])).collect();
    check_fov_pair(&fov_of(&row), &fov_of(&row), Candidates::WithinRadius(30.0)).unwrap();
    let stacked: Vec<Shape> = (0..1_100).map(|_| Shape::Point([5.0, 5.0])).collect();
    assert!(check_fov_pair(
        &fov_of(&stacked),
        &fov_of(&stacked),
        Candidates::WithinRadius(30.0)
    )
    .is_err());
    // A study's raters are counted together: three raters of 600 stacked boxes are
    // 1,800 × 1,799 / 2 = 1.6 million pairs, refused; two are 0.7 million, analysed.
    let rater = fov_of(&boxes(600));
    let fovs = vec![(
        "fov".to_string(),
        vec![Some(&rater), Some(&rater), Some(&rater)],
    )];
    assert!(require_bounded_study(&fovs).is_err());
    let fovs = vec![("fov".to_string(), vec![Some(&rater), Some(&rater)])];
    require_bounded_study(&fovs).unwrap();
}

#[test]
fn centroid_matching_keeps_the_most_pairs_within_the_radius() {
    // A chain where the nearest-first choice strands a pair: a at 0 and 8, b at 5 and 13,
    // radius 5.5. a1-b0 (3) is the nearest pair, after which a0 has no partner; the most pairs
    // within the radius are a0-b0 (5) and a1-b1 (5).
    let point = |x: f64| Shape::Point([x, 0.0]);
    let a = [point(0.0), point(8.0)];
    let b = [point(5.0), point(13.0)];
    let options = |assignment| MatchOptions {
        criterion: Criterion::Centroid { radius_px: 5.5 },
        assignment,
        crop: FovCrop::Off,
    };
    let optimal = match_fov(&fov_of(&a), &fov_of(&b), &options(Assignment::Optimal));
    assert_eq!(
        optimal.pairs.iter().map(|p| (p.a, p.b)).collect::<Vec<_>>(),
        vec![(0, 0), (1, 1)]
    );
    let greedy = match_fov(&fov_of(&a), &fov_of(&b), &options(Assignment::GreedyIou));
    assert_eq!(
        greedy.pairs.iter().map(|p| (p.a, p.b)).collect::<Vec<_>>(),
        vec![(1, 0)]
    );
    assert_eq!(optimal.pairs[0].centroid_distance, 5.0);
}

#[test]
fn the_fov_crop_uses_the_reference_region() {
    let rect = |x: f64| {
        Shape::Box(BoundingBox {
            xmin: x,
            ymin: 0.0,
            xmax: x + 10.0,
            ymax: 10.0,
        })
    };
    let mut a = fov_of(&[rect(0.0), rect(100.0)]);
    let mut b = fov_of(&[rect(1.0), rect(101.0)]);
    b.region = Some(BoundingBox {
        xmin: 0.0,
        ymin: 0.0,
        xmax: 50.0,
        ymax: 50.0,
    });
    a.region = None;
    let m = match_fov(&a, &b, &MatchOptions::default());
    assert_eq!(m.pairs.len(), 1);
    assert_eq!(
        (m.cropped_a.clone(), m.cropped_b.clone()),
        (vec![1], vec![1])
    );
    let off = match_fov(
        &a,
        &b,
        &MatchOptions {
            crop: FovCrop::Off,
            ..MatchOptions::default()
        },
    );
    assert_eq!(off.pairs.len(), 2);
}

#[test]
fn simulated_annotators_agree_with_the_truth_as_their_profiles_say() {
    use nucagree::ingest::{read_set, ReadOptions};
    use nucagree::simulate::annotator::{AnnotatorProfile, SimulatedRater, StudyDesign};
    use nucagree::simulate::{simulate_fov, FovPlans, SimulationConfig};
    use nucagree::writers::simulation::{write_simulation, SimulatedSet};

    let profiles = [
        ("SP", AnnotatorProfile::senior_pathologist()),
        ("JP", AnnotatorProfile::junior_pathologist()),
        ("NP", AnnotatorProfile::non_pathologist()),
    ];
    let design = StudyDesign {
        profiles: profiles
            .iter()
            .map(|(id, p)| (id.to_string(), p.clone()))
            .collect(),
        raters: profiles
            .iter()
            .map(|(id, _)| SimulatedRater {
                id: format!("{id}.1"),
                profile: id.to_string(),
            })
            .collect(),
    };
    let config = SimulationConfig {
        fovs: 60,
        slides: 20,
        rater_fovs: None,
        repeat_fovs: 0,
        design,
        ..SimulationConfig::default()
    };
    let plans = FovPlans::Generated(config.clone());
    let dir = tempfile::tempdir().unwrap();
    let hierarchy = nucagree::model::ClassHierarchy::nucls();
    write_simulation(
        dir.path(),
        &[SimulatedSet::Corrected, SimulatedSet::MultiRaterFolders],
        &config,
        &plans,
        &hierarchy,
        |p| simulate_fov(&config, p),
    )
    .unwrap();
    let options = ReadOptions::default();
    let truth = read_set(&dir.path().join("corrected"), &options).unwrap();
    let match_options = MatchOptions {
        crop: FovCrop::Off,
        ..MatchOptions::default()
    };
    for (id, profile) in &profiles {
        let rater = read_set(
            &dir.path()
                .join("multi-rater-folders")
                .join(format!("{id}.1")),
            &options,
        )
        .unwrap();
        let m = match_sets(&rater, &truth, &match_options);
        let pairs = m.pair_count() as f64;
        let truth_in_rated: usize = m
            .fovs
            .iter()
            .map(|f| f.pairs.len() + f.unmatched_b.len())
            .sum();
        let recall = pairs / truth_in_rated as f64;
        let expected_recall = 1.0 - profile.miss_rate;
        // Boundary jitter loses a few more pairs below IoU 0.5, never gains any.
        assert!(
            recall <= expected_recall + 0.03 && recall >= expected_recall - 0.1,
            "{id}: recall {recall}, profile {expected_recall}"
        );
        let ious: Vec<f64> = m
            .fovs
            .iter()
            .flat_map(|f| &f.pairs)
            .map(|p| p.iou)
            .collect();
        let in_range =
            ious.iter().filter(|v| (0.6..=0.95).contains(*v)).count() as f64 / ious.len() as f64;
        assert!(in_range > 0.75, "{id}: only {in_range} of IoUs in 0.6-0.95");
        let mut agree = 0usize;
        for f in &m.fovs {
            let (fa, fb) = (rater.fov(&f.fov).unwrap(), truth.fov(&f.fov).unwrap());
            agree += f
                .pairs
                .iter()
                .filter(|p| fa.nuclei[p.a as usize].class.id == fb.nuclei[p.b as usize].class.id)
                .count();
        }
        let accuracy = agree as f64 / pairs;
        let expected_accuracy = 1.0 - profile.plausible_confusion - profile.random_confusion;
        assert!(
            (accuracy - expected_accuracy).abs() < 0.06,
            "{id}: accuracy {accuracy}, profile {expected_accuracy}"
        );
        let annotated = rater.fovs.len() as f64 / truth.fovs.len() as f64;
        eprintln!("{id}: recall {recall:.3} accuracy {accuracy:.3} IoU in range {in_range:.3} annotated {annotated:.3}");
        assert!(
            (annotated - (1.0 - profile.skip_fov_rate)).abs() < 0.12,
            "{id}: annotated {annotated}"
        );
    }
}
