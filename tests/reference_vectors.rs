//! Published test vectors, reproduced. The fixtures in `tests/fixtures/` are copies of the
//! project's reference files: values computed by statsmodels (Cohen's kappa and its standard
//! errors, Fleiss' kappa), scikit-learn (`cohen_kappa_score`), the krippendorff package and
//! R irr (alpha at four levels), irrCAC (Gwet's AC1 and generalised Fleiss' kappa, rounded to
//! 5 decimals) and pycocotools 2.0.11; each vector names its own source.

use nucagree::stats::brennan_prediger::brennan_prediger;
use nucagree::stats::cohen::{cohen_kappa, cohen_kappa_of_labels, KappaWeights};
use nucagree::stats::conger::conger_kappa;
use nucagree::stats::fleiss::{counts_of_ratings, fleiss_kappa, fleiss_kappa_generalized};
use nucagree::stats::gwet::gwet_ac1;
use nucagree::stats::icc::absolute_agreement;
use nucagree::stats::krippendorff::{krippendorff_alpha, Level};
use serde_json::Value;

const TOLERANCE: f64 = 1e-9;
/// irrCAC rounds to 5 decimals.
const ROUNDED: f64 = 1e-5;

fn vectors() -> Value {
    serde_json::from_str(include_str!("fixtures/agreement_vectors.json")).unwrap()
}

fn close(actual: f64, expected: &Value, tolerance: f64, what: &str) {
    let expected = expected
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: no number"));
    assert!(
        (actual - expected).abs() <= tolerance,
        "{what}: {actual} != {expected}"
    );
}

fn weights(name: &str) -> KappaWeights {
    match name {
        "none" => KappaWeights::Unweighted,
        "linear" => KappaWeights::Linear,
        "quadratic" => KappaWeights::Quadratic,
        other => panic!("unknown weights {other}"),
    }
}

fn table(value: &Value) -> Vec<Vec<f64>> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect()
        })
        .collect()
}

fn ratings(value: &Value) -> Vec<Vec<Option<f64>>> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_array().unwrap().iter().map(Value::as_f64).collect())
        .collect()
}

#[test]
fn cohen_kappa_from_tables() {
    let v = vectors();
    let cases = v["cohen_tables"].as_array().unwrap();
    assert_eq!(cases.len(), 10);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let k = cohen_kappa(
            &table(&case["table"]),
            &weights(case["weights"].as_str().unwrap()),
        )
        .unwrap();
        close(k.kappa, &case["kappa"], TOLERANCE, &format!("{name} kappa"));
        close(k.se, &case["se"], TOLERANCE, &format!("{name} se"));
        close(k.se0, &case["se0"], TOLERANCE, &format!("{name} se0"));
        close(
            k.ci95[0],
            &case["ci95"][0],
            TOLERANCE,
            &format!("{name} ci low"),
        );
        close(
            k.ci95[1],
            &case["ci95"][1],
            TOLERANCE,
            &format!("{name} ci high"),
        );
        close(k.z.unwrap(), &case["z"], 1e-8, &format!("{name} z"));
        let p = case["p_two_sided"].as_f64().unwrap();
        assert!(
            (k.p_two_sided.unwrap() - p).abs() <= TOLERANCE.max(p * 1e-9),
            "{name} p"
        );
    }
}

#[test]
fn cohen_kappa_from_labels() {
    let v = vectors();
    for case in v["cohen_labels"].as_array().unwrap() {
        let labels = |key: &str| {
            case[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_i64().unwrap())
                .collect::<Vec<_>>()
        };
        let k = cohen_kappa_of_labels(
            &labels("a"),
            &labels("b"),
            &weights(case["weights"].as_str().unwrap()),
        )
        .unwrap();
        close(
            k.kappa,
            &case["kappa"],
            TOLERANCE,
            case["name"].as_str().unwrap(),
        );
    }
}

#[test]
fn fleiss_kappa_randolph_and_standard_error() {
    let v = vectors();
    for case in v["fleiss"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let k = fleiss_kappa(&table(&case["table"])).unwrap();
        close(k.kappa, &case["kappa"], TOLERANCE, &format!("{name} kappa"));
        close(
            k.randolph,
            &case["randolph"],
            TOLERANCE,
            &format!("{name} randolph"),
        );
        close(k.se0, &case["se0"], TOLERANCE, &format!("{name} se0"));
        close(k.z.unwrap(), &case["z"], 1e-8, &format!("{name} z"));
        for (j, expected) in case["per_category_kappa"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
        {
            close(
                k.per_category[j].unwrap(),
                expected,
                TOLERANCE,
                &format!("{name} category {j}"),
            );
            // The per-category kappa `agree` reports: the generalised Fleiss' kappa of the
            // ratings collapsed to the category against the rest equals the reference's.
            let collapsed: Vec<Vec<f64>> = table(&case["table"])
                .iter()
                .map(|row| vec![row[j], row.iter().sum::<f64>() - row[j]])
                .collect();
            close(
                fleiss_kappa_generalized(&collapsed).unwrap(),
                expected,
                TOLERANCE,
                &format!("{name} category {j}, collapsed"),
            );
        }
    }
}

#[test]
fn krippendorff_alpha_at_every_level() {
    let v = vectors();
    for case in v["krippendorff"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let data = ratings(&case["data"]);
        for (level, key) in [
            (Level::Nominal, "nominal"),
            (Level::Ordinal, "ordinal"),
            (Level::Interval, "interval"),
            (Level::Ratio, "ratio"),
        ] {
            close(
                krippendorff_alpha(&data, level).unwrap(),
                &case["alpha"][key],
                TOLERANCE,
                &format!("{name} {key}"),
            );
        }
    }
}

#[test]
fn gwet_ac1_and_generalised_fleiss_kappa() {
    let v = vectors();
    for case in v["gwet_ac1"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let counts = counts_of_ratings(
            &ratings(&case["data"])
                .iter()
                .map(|r| r.iter().map(|x| x.map(|v| v as i64)).collect())
                .collect::<Vec<_>>(),
        );
        close(
            gwet_ac1(&counts).unwrap(),
            &case["ac1"],
            ROUNDED,
            &format!("{name} ac1"),
        );
        close(
            fleiss_kappa_generalized(&counts).unwrap(),
            &case["fleiss_generalized"],
            ROUNDED,
            &format!("{name} fleiss"),
        );
    }
}

/// Each rater's counts by category (the sorted distinct values, as `counts_of_ratings`).
fn counts_by_rater(ratings: &[Vec<Option<i64>>]) -> Vec<Vec<f64>> {
    let mut categories: Vec<i64> = ratings.iter().flatten().flatten().copied().collect();
    categories.sort_unstable();
    categories.dedup();
    ratings
        .iter()
        .map(|rater| {
            let mut counts = vec![0.0; categories.len()];
            for value in rater.iter().flatten() {
                counts[categories.binary_search(value).unwrap()] += 1.0;
            }
            counts
        })
        .collect()
}

/// Brennan-Prediger, Conger's kappa, AC1 and generalised Fleiss' kappa against irrCAC 0.4.4
/// (Python) unrounded (`digits=15`), on data with missing ratings and a category seen only in
/// a unit rated once.
#[test]
fn brennan_prediger_conger_ac1_and_fleiss_match_irrcac() {
    let v: Value = serde_json::from_str(include_str!("fixtures/irrcac_vectors.json")).unwrap();
    for case in v["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let ratings: Vec<Vec<Option<i64>>> = ratings(&case["data"])
            .iter()
            .map(|r| r.iter().map(|x| x.map(|v| v as i64)).collect())
            .collect();
        let counts = counts_of_ratings(&ratings);
        let by_rater = counts_by_rater(&ratings);
        let figures = [
            ("brennan_prediger", brennan_prediger(&counts)),
            ("conger_kappa", conger_kappa(&counts, &by_rater)),
            ("gwet_ac1", gwet_ac1(&counts)),
            ("fleiss_generalized", fleiss_kappa_generalized(&counts)),
        ];
        for (key, value) in figures {
            close(value.unwrap(), &case[key], 1e-12, &format!("{name} {key}"));
        }
    }
}

/// ICC(2,1) and ICC(2,k) against pingouin 0.7.0 (`intraclass_corr`, absolute agreement).
#[test]
fn intraclass_correlation_matches_pingouin() {
    let v: Value = serde_json::from_str(include_str!("fixtures/icc_vectors.json")).unwrap();
    for case in v["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let icc = absolute_agreement(&table(&case["table"])).unwrap();
        close(
            icc.single,
            &case["icc2_1"],
            TOLERANCE,
            &format!("{name} icc(2,1)"),
        );
        close(
            icc.average,
            &case["icc2_k"],
            TOLERANCE,
            &format!("{name} icc(2,k)"),
        );
    }
}

mod coco {
    use super::{close, TOLERANCE};
    use nucagree::geometry::{IouOptions, PreparedShape};
    use nucagree::model::{BoundingBox, Shape};
    use nucagree::stats::average_precision::{average_precision, ApImage, ApOptions};
    use serde_json::Value;

    fn boxes(value: &Value) -> Vec<(PreparedShape, f64)> {
        value
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                let b: Vec<f64> = d["bbox"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_f64().unwrap())
                    .collect();
                let shape = Shape::Box(BoundingBox {
                    xmin: b[0],
                    ymin: b[1],
                    xmax: b[0] + b[2],
                    ymax: b[1] + b[3],
                });
                (
                    PreparedShape::new(&shape),
                    d["score"].as_f64().unwrap_or(0.0),
                )
            })
            .collect()
    }

    #[test]
    fn pycocotools_stats_capped_and_uncapped() {
        let v: Value = serde_json::from_str(include_str!("fixtures/coco_vectors.json")).unwrap();
        let cases = v["cases"].as_array().unwrap();
        assert_eq!(cases.len(), 4);
        for case in cases {
            let name = case["name"].as_str().unwrap();
            assert_eq!(case["bbox_format"], "xywh");
            let image = ApImage {
                truth: boxes(&case["gt"]).into_iter().map(|(s, _)| s).collect(),
                detections: boxes(&case["dt"]),
                ignored_truth: Vec::new(),
            };
            let max_dets: Vec<usize> = case["max_dets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap() as usize)
                .collect();
            let stats = case["stats"].as_array().unwrap();
            let with_cap = |cap: usize| {
                let options = ApOptions {
                    max_detections: Some(cap),
                    ..ApOptions::default()
                };
                average_precision(
                    std::slice::from_ref(&image),
                    &options,
                    &IouOptions::default(),
                )
            };
            let last = with_cap(max_dets[2]);
            // pycocotools' summarize() reads AP at a hard-coded 100 detections, -1 without it.
            if max_dets.contains(&100) {
                close(
                    with_cap(100).ap50_95.unwrap(),
                    &stats[0],
                    TOLERANCE,
                    &format!("{name} AP"),
                );
            } else {
                assert_eq!(stats[0].as_f64(), Some(-1.0));
            }
            close(
                last.ap50.unwrap(),
                &stats[1],
                TOLERANCE,
                &format!("{name} AP50"),
            );
            close(
                last.ap75.unwrap(),
                &stats[2],
                TOLERANCE,
                &format!("{name} AP75"),
            );
            for (k, stat) in max_dets.iter().zip(&stats[6..9]) {
                close(
                    with_cap(*k).recall.unwrap(),
                    stat,
                    TOLERANCE,
                    &format!("{name} AR{k}"),
                );
            }
            // Uncapped: every detection counts.
            let uncapped = average_precision(
                std::slice::from_ref(&image),
                &ApOptions::default(),
                &IouOptions::default(),
            );
            if name.starts_with("dense_150") {
                assert_eq!(uncapped.ap50, Some(1.0), "{name}: 150 exact detections");
                assert_eq!(uncapped.ap50_95, Some(1.0));
            } else {
                assert_eq!(
                    uncapped, last,
                    "{name}: fewer than 100 detections, the cap changes nothing"
                );
            }
        }
    }
}

/// Gwet's AC2 with linear and quadratic weights (and identity: AC1), and Gwet's benchmark
/// probabilities on the Landis-Koch, Fleiss and Altman scales, against irrCAC 0.4.4
/// (`tests/fixtures/ac2_benchmark_vectors.json`).
#[test]
fn ac2_and_benchmarks_match_irrcac() {
    use nucagree::stats::benchmark::{cumulative_probabilities, Scale};
    use nucagree::stats::gwet::{gwet_ac2, OrdinalWeights};
    let v: Value =
        serde_json::from_str(include_str!("fixtures/ac2_benchmark_vectors.json")).unwrap();
    for case in v["ac2"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let ratings: Vec<Vec<Option<i64>>> = ratings(&case["data"])
            .iter()
            .map(|r| r.iter().map(|x| x.map(|v| v as i64)).collect())
            .collect();
        let counts = counts_of_ratings(&ratings);
        let mut values: Vec<i64> = ratings.iter().flatten().flatten().copied().collect();
        values.sort_unstable();
        values.dedup();
        let values: Vec<f64> = values.into_iter().map(|v| v as f64).collect();
        for weights in [
            OrdinalWeights::Identity,
            OrdinalWeights::Linear,
            OrdinalWeights::Quadratic,
        ] {
            let key = weights.to_string();
            let ac2 = gwet_ac2(&counts, &values, weights).unwrap();
            close(
                ac2,
                &case[key.as_str()],
                TOLERANCE,
                &format!("{name} {key}"),
            );
        }
        close(
            gwet_ac1(&counts).unwrap(),
            &case["identity"],
            TOLERANCE,
            &format!("{name} ac1"),
        );
    }
    for case in v["benchmark"].as_array().unwrap() {
        let (coefficient, se) = (
            case["coefficient"].as_f64().unwrap(),
            case["se"].as_f64().unwrap(),
        );
        for (scale, key) in [
            (Scale::LandisKoch, "landis_koch"),
            (Scale::Fleiss, "fleiss"),
            (Scale::Altman, "altman"),
        ] {
            let sums = cumulative_probabilities(coefficient, se, scale).unwrap();
            let expected = case[key].as_array().unwrap();
            assert_eq!(sums.len(), expected.len());
            for (k, (found, expected)) in sums.iter().zip(expected).enumerate() {
                close(
                    *found,
                    expected,
                    TOLERANCE,
                    &format!("{coefficient} ± {se} {key} band {k}"),
                );
            }
        }
    }
}
