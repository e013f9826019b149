//! The tables of `agree` as polars DataFrames: the anchors, the pairwise kappas, the groups
//! and alpha against the minimum IoU.

use super::Columns;
use crate::agreement::coefficient::{ByCoefficient, Coefficient};
use crate::agreement::inference::LevelTruth;
use crate::agreement::summary::AgreementReport;
use crate::agreement::{FovAnchors, Label};
use crate::error::Result;
use crate::model::{ClassHierarchy, ClassLevel};
use polars::prelude::DataFrame;

/// One row per anchor: id, FOV, the medoid's box, how many raters annotated the FOV and how
/// many detected the anchor, the medoid's rater, then each rater's raw class (`undetected`,
/// or null when the rater did not annotate the FOV).
pub fn anchors(
    labelled: &[FovAnchors],
    raters: &[String],
    hierarchy: &ClassHierarchy,
    truths: &[LevelTruth; 3],
) -> Result<DataFrame> {
    let rows = labelled.iter().map(|f| f.anchors.len()).sum();
    let mut id: Vec<u64> = Vec::with_capacity(rows);
    let mut fov: Vec<String> = Vec::with_capacity(rows);
    let mut boxes: [Vec<f64>; 4] = Default::default();
    let mut annotated: Vec<u64> = Vec::with_capacity(rows);
    let mut detected: Vec<u64> = Vec::with_capacity(rows);
    let mut medoid: Vec<String> = Vec::with_capacity(rows);
    let mut labels: Vec<Vec<Option<String>>> = vec![Vec::with_capacity(rows); raters.len()];
    for f in labelled {
        let annotating = f.annotated.iter().filter(|a| **a).count() as u64;
        for a in &f.anchors {
            id.push(id.len() as u64 + 1);
            fov.push(f.fov.clone());
            for (column, value) in
                boxes
                    .iter_mut()
                    .zip([a.bbox.xmin, a.bbox.ymin, a.bbox.xmax, a.bbox.ymax])
            {
                column.push(value);
            }
            annotated.push(annotating);
            detected.push(a.detections() as u64);
            medoid.push(raters[a.medoid_rater as usize].clone());
            for (r, label) in a.labels.iter().enumerate() {
                labels[r].push(match label {
                    Label::Class(c) => Some(hierarchy.name(*c, ClassLevel::Raw).to_string()),
                    Label::Undetected => Some("undetected".to_string()),
                    Label::Missing => None,
                });
            }
        }
    }
    let mut c = Columns::default();
    let [xmin, ymin, xmax, ymax] = boxes;
    c.add("anchor", id)
        .add("fov", fov)
        .add("xmin", xmin)
        .add("ymin", ymin)
        .add("xmax", xmax)
        .add("ymax", ymax)
        .add("raters_annotating", annotated)
        .add("raters_detecting", detected)
        .add("medoid_rater", medoid);
    for (rater, values) in raters.iter().zip(labels) {
        c.add(rater, values);
    }
    // The inferred truth at each level: majority vote, the method's truth and its posterior.
    for (level, truth) in ClassLevel::ALL.iter().zip(truths) {
        let names = hierarchy.names(*level);
        let name = |c: usize| names.get(c).cloned().unwrap_or_else(|| "undetected".into());
        let majority: Vec<Option<String>> = truth
            .majority
            .iter()
            .flatten()
            .map(|m| m.map(name))
            .collect();
        let decided: Vec<Option<String>> = truth
            .inferred
            .iter()
            .flatten()
            .map(|d| d.map(|(c, _)| name(c)))
            .collect();
        let posterior: Vec<Option<f64>> = truth
            .inferred
            .iter()
            .flatten()
            .map(|d| d.map(|(_, p)| p))
            .collect();
        let l = level.name();
        c.add(&format!("majority_{l}"), majority)
            .add(&format!("truth_{l}"), decided)
            .add(&format!("truth_{l}_probability"), posterior);
    }
    c.frame("the anchors table")
}

/// Pairwise Cohen's kappa at every level.
pub fn pairwise(report: &AgreementReport) -> Result<DataFrame> {
    let mut c = Columns::default();
    let rows: Vec<(ClassLevel, &crate::agreement::pairwise::PairwiseCohen)> = ClassLevel::ALL
        .iter()
        .flat_map(|&l| {
            report
                .levels
                .get(l)
                .pairwise_cohen
                .iter()
                .map(move |p| (l, p))
        })
        .collect();
    c.map("level", &rows, |(l, _)| l.name().to_string())
        .map("rater_a", &rows, |(_, p)| p.rater_a.clone())
        .map("rater_b", &rows, |(_, p)| p.rater_b.clone())
        .map("group_a", &rows, |(_, p)| p.group_a.clone())
        .map("group_b", &rows, |(_, p)| p.group_b.clone())
        .map("n", &rows, |(_, p)| p.n)
        .map("kappa", &rows, |(_, p)| p.kappa)
        .map("se", &rows, |(_, p)| p.se)
        .map("ci_low", &rows, |(_, p)| p.ci95.map(|c| c[0]))
        .map("ci_high", &rows, |(_, p)| p.ci95.map(|c| c[1]));
    c.frame("the pairwise table")
}

/// Agreement of all raters and of each group, at every level.
pub fn groups(report: &AgreementReport) -> Result<DataFrame> {
    let mut level = Vec::new();
    let mut group = Vec::new();
    let mut raters = Vec::new();
    let mut units = Vec::new();
    // Per coefficient: its value and the bounds of its interval.
    let mut values: ByCoefficient<[Vec<Option<f64>>; 3]> = ByCoefficient::new();
    for l in ClassLevel::ALL {
        let la = report.levels.get(l);
        let all = std::iter::once((
            "all".to_string(),
            report.counts.raters as u64,
            &la.all_raters,
        ));
        let each = la
            .groups
            .iter()
            .map(|g| (g.group.clone(), g.raters.len() as u64, &g.agreement));
        for (name, n, a) in all.chain(each) {
            level.push(l.name().to_string());
            group.push(name);
            raters.push(n);
            units.push(a.units);
            for coefficient in Coefficient::ALL {
                let e = a.get(coefficient);
                let [value, low, high] = values.entry(coefficient).or_default();
                value.push(e.value);
                low.push(e.ci95.map(|c| c[0]));
                high.push(e.ci95.map(|c| c[1]));
            }
        }
    }
    let mut c = Columns::default();
    c.add("level", level)
        .add("group", group)
        .add("raters", raters)
        .add("anchors_rated_twice", units);
    for (coefficient, [value, low, high]) in values {
        let key = coefficient.key();
        c.add(key, value)
            .add(&format!("{key}_ci_low"), low)
            .add(&format!("{key}_ci_high"), high);
    }
    c.frame("the group table")
}

/// Fleiss' kappa of each category, for all raters and each group, at every level.
pub fn per_category(report: &AgreementReport) -> Result<DataFrame> {
    let mut rows: Vec<(
        ClassLevel,
        String,
        &crate::agreement::summary::CategoryKappa,
    )> = Vec::new();
    for l in ClassLevel::ALL {
        let la = report.levels.get(l);
        let all = std::iter::once(("all".to_string(), &la.all_raters));
        let each = la.groups.iter().map(|g| (g.group.clone(), &g.agreement));
        for (name, a) in all.chain(each) {
            rows.extend(a.per_category.iter().map(|k| (l, name.clone(), k)));
        }
    }
    let mut c = Columns::default();
    c.map("level", &rows, |(l, _, _)| l.name().to_string())
        .map("group", &rows, |(_, g, _)| g.clone())
        .map("category", &rows, |(_, _, k)| k.category.clone())
        .map("share", &rows, |(_, _, k)| k.share)
        .map("kappa", &rows, |(_, _, k)| k.kappa.value)
        .map("se", &rows, |(_, _, k)| k.kappa.se)
        .map("ci_low", &rows, |(_, _, k)| k.kappa.ci95.map(|c| c[0]))
        .map("ci_high", &rows, |(_, _, k)| k.kappa.ci95.map(|c| c[1]))
        .map("specific_agreement", &rows, |(_, _, k)| {
            k.specific_agreement.value
        })
        .map("specific_agreement_ci_low", &rows, |(_, _, k)| {
            k.specific_agreement.ci95.map(|c| c[0])
        })
        .map("specific_agreement_ci_high", &rows, |(_, _, k)| {
            k.specific_agreement.ci95.map(|c| c[1])
        });
    c.frame("the per-category table")
}

/// Alpha against the clustering's minimum IoU.
pub fn min_iou_sweep(report: &AgreementReport) -> Result<DataFrame> {
    let mut c = Columns::default();
    let rows = &report.min_iou_sweep;
    let mut level = Vec::new();
    let mut min_iou = Vec::new();
    let mut anchors = Vec::new();
    let mut detection = Vec::new();
    let mut classification = Vec::new();
    for r in rows {
        for (k, l) in ClassLevel::ALL.iter().enumerate() {
            level.push(l.name().to_string());
            min_iou.push(r.min_iou);
            anchors.push(r.anchors as u64);
            detection.push(r.alpha_detection[k]);
            classification.push(r.alpha_classification[k]);
        }
    }
    c.add("min_iou", min_iou)
        .add("level", level)
        .add("anchors", anchors)
        .add("krippendorff_alpha_detection", detection)
        .add("krippendorff_alpha_classification", classification);
    c.frame("the minimum-IoU table")
}

/// Each rater against the inferred truth, at every level.
pub fn rater_scores(report: &AgreementReport) -> Result<DataFrame> {
    let rows: Vec<(ClassLevel, &crate::agreement::raters::RaterScore)> = ClassLevel::ALL
        .iter()
        .flat_map(|&l| report.truth.raters.iter().map(move |r| (l, r)))
        .collect();
    let score = |i: usize| rows[i].1.get(rows[i].0);
    let n = rows.len();
    let mut c = Columns::default();
    c.map("level", &rows, |(l, _)| l.name().to_string())
        .map("rater", &rows, |(_, r)| r.rater.clone())
        .map("group", &rows, |(_, r)| r.group.clone())
        .map("in_truth_panel", &rows, |(_, r)| {
            if r.in_truth_panel {
                1u64
            } else {
                0
            }
        })
        .map("reference_raters", &rows, |(_, r)| {
            r.reference_raters as u64
        })
        .add(
            "tp",
            (0..n).map(|i| score(i).detection.tp).collect::<Vec<_>>(),
        )
        .add(
            "fp",
            (0..n).map(|i| score(i).detection.fp).collect::<Vec<_>>(),
        )
        .add(
            "fn",
            (0..n).map(|i| score(i).detection.fn_).collect::<Vec<_>>(),
        )
        .add(
            "precision",
            (0..n)
                .map(|i| score(i).detection.precision)
                .collect::<Vec<_>>(),
        )
        .add(
            "recall",
            (0..n)
                .map(|i| score(i).detection.recall)
                .collect::<Vec<_>>(),
        )
        .add(
            "f1",
            (0..n).map(|i| score(i).detection.f1).collect::<Vec<_>>(),
        );
    type Interval = fn(&crate::agreement::raters::RaterLevelScore) -> Option<[f64; 2]>;
    let intervals: [(&str, Interval); 3] = [
        ("precision", |s| s.precision_ci95),
        ("recall", |s| s.recall_ci95),
        ("f1", |s| s.f1_ci95),
    ];
    for (name, interval) in intervals {
        for (bound, side) in [("low", 0), ("high", 1)] {
            c.add(
                &format!("{name}_ci_{bound}"),
                (0..n)
                    .map(|i| interval(score(i)).map(|ci| ci[side]))
                    .collect::<Vec<_>>(),
            );
        }
    }
    c.add(
        "n_pairs",
        (0..n).map(|i| score(i).n_pairs).collect::<Vec<_>>(),
    )
    .add(
        "accuracy",
        (0..n).map(|i| score(i).accuracy).collect::<Vec<_>>(),
    )
    .add("kappa", (0..n).map(|i| score(i).kappa).collect::<Vec<_>>())
    .add("mcc", (0..n).map(|i| score(i).mcc).collect::<Vec<_>>());
    c.frame("the rater-score table")
}

/// The raters-needed curve.
pub fn raters_needed(report: &AgreementReport) -> Result<DataFrame> {
    let rows = &report.truth.raters_needed;
    let mut c = Columns::default();
    c.map("raters", rows, |r| r.raters as u64)
        .map("draws", rows, |r| r.draws as u64)
        .map("detection_f1_mean", rows, |r| r.detection_f1_mean)
        .map("detection_f1_sd", rows, |r| r.detection_f1_sd)
        .map("mcc_mean", rows, |r| r.mcc_mean)
        .map("mcc_sd", rows, |r| r.mcc_sd);
    c.frame("the raters-needed table")
}

/// Every method's truth compared, one row per level and method: anchors with a truth, those
/// that are nuclei, the fit's iterations and convergence, the share of anchors it agrees on
/// with each method (`agreement_<method>`), and, on simulated data (raw truths against the
/// simulated truth), its detection F1 and accuracy at each level.
pub fn truth_methods(report: &AgreementReport) -> Result<DataFrame> {
    use crate::choice::Choice;
    let t = &report.truth;
    let rows = &t.methods;
    let mut c = Columns::default();
    c.map("level", rows, |r| r.level.name().to_string())
        .map("method", rows, |r| r.method.name().to_string())
        .map("scored_against", rows, |r| r.method == t.method)
        .map("anchors", rows, |r| r.anchors as u64)
        .map("nuclei", rows, |r| r.nuclei as u64)
        .map("iterations", rows, |r| {
            (r.method != crate::agreement::truth_method::TruthMethod::MajorityVote)
                .then_some(r.iterations as u64)
        })
        .map("converged", rows, |r| r.converged);
    let methods: Vec<_> = rows
        .iter()
        .take_while(|r| r.level == rows[0].level)
        .collect();
    for (i, other) in methods.iter().enumerate() {
        c.map(&format!("agreement_{}", other.method.name()), rows, |r| {
            r.agreement.get(i).copied().flatten()
        });
    }
    if !t.against_simulated.is_empty() {
        let simulated = |r: &crate::agreement::method_comparison::MethodRow| {
            t.against_simulated.iter().find(|s| s.method == r.method)
        };
        c.map("simulated_detection_f1", rows, |r| {
            simulated(r).and_then(|s| s.detection_f1)
        })
        .map("simulated_accuracy", rows, |r| {
            simulated(r).and_then(|s| s.accuracy[r.level as usize])
        })
        .map("simulated_kappa", rows, |r| {
            simulated(r).and_then(|s| s.kappa[r.level as usize])
        });
    }
    c.frame("the truth-methods table")
}

/// Each rater's confusion with the inferred truth, long form: level, rater, the rater's class,
/// the truth's class, count (nuclei both have; detection errors are in `rater_scores`).
pub fn rater_confusion(report: &AgreementReport, hierarchy: &ClassHierarchy) -> Result<DataFrame> {
    let (mut level, mut rater, mut said, mut truth, mut count) =
        (vec![], vec![], vec![], vec![], vec![]);
    for l in ClassLevel::ALL {
        let names = hierarchy.names(l);
        for r in &report.truth.raters {
            for (i, row) in r.get(l).confusion.iter().enumerate() {
                for (j, &n) in row.iter().enumerate() {
                    if n == 0 {
                        continue;
                    }
                    level.push(l.name().to_string());
                    rater.push(r.rater.clone());
                    said.push(names[i].clone());
                    truth.push(names[j].clone());
                    count.push(n);
                }
            }
        }
    }
    let mut c = Columns::default();
    c.add("level", level)
        .add("rater", rater)
        .add("class_rater", said)
        .add("class_truth", truth)
        .add("count", count);
    c.frame("the rater-confusion table")
}

/// Each coefficient of all raters at every level on each benchmark scale: its value and
/// bootstrap standard error, the band retained and its cumulative probability.
pub fn benchmarks(report: &AgreementReport) -> Result<DataFrame> {
    let (mut level, mut coefficient, mut value, mut se) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut scale, mut band, mut probability) = (Vec::new(), Vec::new(), Vec::new());
    for l in ClassLevel::ALL {
        for b in &report.levels.get(l).benchmarks {
            for retained in &b.scales {
                level.push(l.name().to_string());
                coefficient.push(b.coefficient.key().to_string());
                value.push(b.value);
                se.push(b.se);
                scale.push(retained.scale.to_string());
                band.push(retained.band.to_string());
                probability.push(retained.probability);
            }
        }
    }
    let mut c = Columns::default();
    c.add("level", level)
        .add("coefficient", coefficient)
        .add("value", value)
        .add("se", se)
        .add("scale", scale)
        .add("band", band)
        .add("cumulative_probability", probability);
    c.frame("the benchmark table")
}

/// Agreement on the nuclei counted per FOV, of each panel at every level: all nuclei, then each
/// class.
pub fn count_agreement(report: &AgreementReport) -> Result<DataFrame> {
    let (mut level, mut panel, mut class) = (Vec::new(), Vec::new(), Vec::new());
    let (mut fovs, mut raters, mut mean) = (Vec::new(), Vec::new(), Vec::new());
    let (mut single, mut average) = (Vec::new(), Vec::new());
    for l in ClassLevel::ALL {
        for p in &report.levels.get(l).count_agreement {
            for c in &p.counts {
                level.push(l.name().to_string());
                panel.push(p.panel.clone());
                class.push(c.class.clone());
                fovs.push(c.fovs as u64);
                raters.push(c.raters as u64);
                mean.push(c.mean_count);
                single.push(c.icc_single);
                average.push(c.icc_average);
            }
        }
    }
    let mut c = Columns::default();
    c.add("level", level)
        .add("panel", panel)
        .add("class", class)
        .add("fovs", fovs)
        .add("raters", raters)
        .add("mean_count", mean)
        .add("icc_2_1", single)
        .add("icc_2_k", average);
    c.frame("the count agreement table")
}
