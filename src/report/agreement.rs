//! The Markdown report of `agree` (`report.md`).

use super::agreement_boundary::{boundary_section, boundary_sentence};
use super::agreement_truth::{truth_methods_sentence, truth_sections};
use super::markdown::{count, embed, number, FigureIndex, Table};
use crate::agreement::coefficient::Coefficient;
use crate::agreement::summary::{AgreementReport, Estimate};
use crate::agreement::truth_method::TruthMethod;
use crate::model::ClassLevel;
use std::fmt::Write;

/// A value with its interval in brackets, or "—".
pub(super) fn estimate(e: &Estimate) -> String {
    match (e.value, e.ci95) {
        (Some(v), Some([low, high])) => format!("{v:.3} [{low:.3}, {high:.3}]"),
        (value, _) => number(value, 3),
    }
}

/// The whole `report.md`; `files` lists the tables written beside it.
pub fn agreement(
    report: &AgreementReport,
    root: &str,
    files: &[String],
    figures: &FigureIndex,
) -> String {
    let mut out = String::new();
    let c = &report.counts;
    writeln!(out, "# Agreement among raters: `{root}`\n").unwrap();
    writeln!(
        out,
        "{} raters{} over {} FOVs; {} annotations clustered into {} anchors (complete linkage, minimum IoU {} of {}, at most one nucleus per rater per anchor).",
        c.raters,
        report
            .params
            .eval_set
            .as_ref()
            .map_or(String::new(), |e| format!(" of evaluation set `{e}`")),
        count(c.fovs),
        count(c.annotations),
        count(c.anchors),
        report.params.min_iou,
        report.params.shape.describe()
    )
    .unwrap();
    if c.cropped > 0 {
        writeln!(
            out,
            "{} annotations centred outside their FOV region were left out before clustering, as `compare` crops before matching.",
            count(c.cropped)
        )
        .unwrap();
    }
    if report.params.bootstrap_replicates > 0 {
        writeln!(
            out,
            "Intervals in brackets are 95% BCa bootstrap intervals over FOVs ({} replicates, seed {}).",
            count(report.params.bootstrap_replicates),
            report.params.seed.unwrap_or_default()
        )
        .unwrap();
    }

    out.push_str("\n## Raters\n\n");
    let mut t = Table::with_left_columns(&["rater", "group", "FOVs", "nuclei"], 2);
    for r in &report.raters {
        t.row(vec![
            r.rater.clone(),
            r.group.clone(),
            count(r.fovs),
            count(r.nuclei),
        ]);
    }
    out.push_str(&t.render());
    let mut t = Table::new(&[
        "raters detecting",
        "anchors",
        "class agreement raw",
        "main",
        "super",
    ]);
    for b in &report.by_detections {
        let mut row = vec![b.raters_detecting.to_string(), count(b.anchors)];
        row.extend(b.class_agreement.map(|a| number(a, 3)));
        t.row(row);
    }
    out.push_str("\nAnchors by the number of raters who detected them, and how often two of those raters give the same class (the share of agreeing pairs, averaged over the anchors):\n\n");
    out.push_str(&t.render());
    embed(&mut out, figures, "agreement_by_detections");

    out.push_str("\n## Agreement of all raters\n\n");
    out.push_str(&all_raters_table(report).render());
    super::category_agreement::benchmark_section(&mut out, report);

    super::category_agreement::per_category_section(&mut out, report, figures);
    super::category_agreement::count_section(&mut out, report);

    out.push_str("\n## Within and between groups\n\n");
    let mut headers = vec!["level", "group", "raters"];
    headers.extend(Coefficient::ALL.map(Coefficient::label));
    headers.push("mean pairwise κ");
    let mut t = Table::with_left_columns(&headers, 2);
    for level in ClassLevel::ALL {
        for g in &report.levels.get(level).groups {
            let mut row = vec![
                level.name().into(),
                g.group.clone(),
                g.raters.len().to_string(),
            ];
            row.extend(Coefficient::ALL.map(|c| estimate(&g.agreement.get(c))));
            row.push(number(g.mean_pairwise_kappa, 3));
            t.row(row);
        }
    }
    out.push_str(&t.render());
    group_differences(&mut out, report);
    out.push_str(
        "\nMean pairwise Cohen's κ (detection and classification) within and between groups:\n\n",
    );
    let mut t = Table::with_left_columns(&["level", "groups", "pairs", "mean κ", "min", "max"], 2);
    for level in ClassLevel::ALL {
        for p in report
            .levels
            .get(level)
            .group_pairs
            .iter()
            .filter(|p| p.pairs > 0)
        {
            t.row(vec![
                level.name().into(),
                format!("{} – {}", p.group_a, p.group_b),
                p.pairs.to_string(),
                number(p.mean_kappa, 3),
                number(p.min_kappa, 3),
                number(p.max_kappa, 3),
            ]);
        }
    }
    out.push_str(&t.render());

    out.push_str("\n## Pairwise Cohen's κ (super classes)\n\n");
    let raters: Vec<String> = report.raters.iter().map(|r| r.rater.clone()).collect();
    let mut headers = vec![String::new()];
    headers.extend(raters.iter().cloned());
    let header_refs: Vec<&str> = headers.iter().map(|s| s.as_str()).collect();
    let mut t = Table::new(&header_refs);
    let pairs = &report.levels.super_.pairwise_cohen;
    for a in &raters {
        let mut row = vec![a.clone()];
        for b in &raters {
            row.push(if a == b {
                "1".into()
            } else {
                let kappa = pairs
                    .iter()
                    .find(|p| {
                        (&p.rater_a == a && &p.rater_b == b) || (&p.rater_a == b && &p.rater_b == a)
                    })
                    .and_then(|p| p.kappa);
                number(kappa, 2)
            });
        }
        t.row(row);
    }
    out.push_str(&t.render());
    out.push_str("\nThe table is at the super level; each level is drawn below, and every pair with its n and interval is in `pairwise.csv`.\n");
    for level in ClassLevel::ALL {
        embed(
            &mut out,
            figures,
            &format!("pairwise_kappa_{}", level.name()),
        );
    }

    out.push_str("\n## Krippendorff's α against the minimum IoU of the clustering\n\n");
    let mut t = Table::new(&[
        "minimum IoU",
        "anchors",
        "α det. raw",
        "α det. main",
        "α det. super",
        "α class. raw",
        "α class. main",
        "α class. super",
    ]);
    for r in &report.min_iou_sweep {
        let mut row = vec![format!("{}", r.min_iou), count(r.anchors)];
        row.extend(r.alpha_detection.iter().map(|v| number(*v, 3)));
        row.extend(r.alpha_classification.iter().map(|v| number(*v, 3)));
        t.row(row);
    }
    out.push_str(&t.render());
    embed(&mut out, figures, "alpha_by_min_iou");

    if !report.intrarater.is_empty() {
        out.push_str("\n## Intrarater agreement\n\n");
        out.push_str("Each rater's second evaluation set clustered with the main one into anchors exactly as raters are clustered with each other (the same linkage, cut and crop), over the FOVs both sets annotated: detection F1 over the anchors, κ as the pairwise κ between raters (`undetected` a category), so that intrarater and interrater agreement compare.\n\n");
        let mut t = Table::with_left_columns(
            &[
                "rater",
                "sets",
                "FOVs",
                "nuclei",
                "detection F1",
                "κ raw",
                "κ main",
                "κ super",
            ],
            2,
        );
        for r in &report.intrarater {
            t.row(vec![
                r.rater.clone(),
                format!("{} vs {}", r.eval_set_a, r.eval_set_b),
                count(r.fovs),
                format!("{} / {}", count(r.nuclei_a), count(r.nuclei_b)),
                number(r.detection_f1, 3),
                number(r.kappa[0], 3),
                number(r.kappa[1], 3),
                number(r.kappa[2], 3),
            ]);
        }
        out.push_str(&t.render());
    }

    truth_sections(&mut out, report, figures);
    boundary_section(&mut out, &report.boundary, figures);

    out.push_str("\n## Methods\n\n");
    out.push_str(&conventions(report).render());
    out.push('\n');
    writeln!(
        out,
        "Within each FOV, all raters' nuclei were clustered by constrained agglomerative clustering with complete linkage on 1 − IoU (of {}), cut at a minimum IoU of {}, a cluster holding at most one nucleus per rater; each cluster is an anchor, located at its medoid (the member with the highest mean IoU to the others). For each anchor and rater the label is the rater's class, `undetected` when the rater annotated the FOV but has no nucleus in the anchor, or missing when the rater did not annotate the FOV. Fleiss' κ, Conger's κ, Brennan-Prediger's coefficient and Gwet's AC1 are irrCAC's generalised forms for unequal numbers of raters per unit, over anchors with at least two ratings, `undetected` a category and missing ratings left out; they share the observed agreement and differ in chance agreement: pooled category shares (Fleiss), each rater's own shares (Conger, so raters who use the classes differently lower it), 1/q for the q categories observed (Brennan-Prediger), or the shares' spread (AC1, which resists the prevalence of a dominant class). Krippendorff's α is nominal, with `undetected` a category (detection and classification) or treated as missing (classification). Pairwise Cohen's κ is over all anchors of the FOVs both raters annotated, `undetected` a category. Every class is a class here, the ambiguous ones included. Groups are {}.{}{} {} The raters-needed curve draws k raters per FOV {} times for each k, infers the truth from them alone ({}) and scores it at the super-class level against the truth inferred, by the same method, from the panel's raters not drawn (FOVs where fewer than two remain are left out), for k up to N − 2. Agreement on counts is the intraclass correlation of the nuclei each rater labelled in each FOV (ICC(2,1) and ICC(2,k): absolute agreement, two-way random effects, as pingouin's ICC2 and ICC2k), over the FOVs every rater of the panel annotated (complete cases; a panel of one rater has none).{} Computed with nucagree {}.",
        report.params.shape.describe(),
        report.params.min_iou,
        match &report.params.groups_file {
            Some(file) => format!("read from `{file}`"),
            None => "the raters' id prefixes (SP, JP, NP)".to_string(),
        },
        if report.params.bootstrap_replicates > 0 {
            " Intervals resample whole FOVs with replacement (a cluster bootstrap): of every coefficient, of each rater's precision, recall and F1 against the truth, and of the difference in Fleiss' κ between two groups, for which the same resampled FOVs serve both groups. Each coefficient of all raters is placed on the Landis-Koch (1977), Fleiss (1981) and Altman (1991) scales by Gwet's probabilistic method with its bootstrap standard error (irrCAC's analytic standard error treats anchors as independent; the bootstrap keeps their clustering in FOVs)."
        } else {
            ""
        },
        match (report.min_iou_sweep.first(), report.min_iou_sweep.last()) {
            (Some(first), Some(last)) if report.min_iou_sweep.len() > 1 => format!(
                " Krippendorff's α is also given at {} cuts from a minimum IoU of {} to {} (the merges made above a cut are the first merges made at any lower cut, so one agglomeration gives every cut).",
                report.min_iou_sweep.len(),
                first.min_iou,
                last.min_iou
            ),
            _ => String::new(),
        },
        truth_methods_sentence(report),
        report
            .truth
            .raters_needed
            .first()
            .map_or(0, |r| r.draws),
        match report.truth.raters_needed_method {
            TruthMethod::MajorityVote => "majority vote".to_string(),
            TruthMethod::DawidSkene => "Dawid-Skene, at most 100 EM iterations per draw".to_string(),
            other => other.title().to_string(),
        },
        boundary_sentence(&report.boundary),
        report.version
    )
    .unwrap();
    if !files.is_empty() {
        out.push_str("\n## Files\n\n");
        for f in files {
            writeln!(out, "- [`{f}`]({f})").unwrap();
        }
    }
    out
}

/// The conventions the analysis used, one per row, from its parameters.
fn conventions(report: &AgreementReport) -> Table {
    let p = &report.params;
    let ds = &report.truth.models.dawid_skene;
    let mut t = Table::with_left_columns(&["convention", "used here"], 2);
    let rows: Vec<(&str, String)> = vec![
        (
            "clustering",
            format!(
                "complete linkage on 1 − IoU, cut at IoU {}, at most one nucleus per rater",
                p.min_iou
            ),
        ),
        ("IoU of", p.shape.describe().to_string()),
        (
            "FOV crop",
            match p.fov_crop {
                crate::matching::FovCrop::ReferenceRegion => {
                    "nuclei centred outside the FOV region left out".to_string()
                }
                _ => "off: every nucleus kept".to_string(),
            },
        ),
        ("ambiguous nuclei", "a class like any other".to_string()),
        (
            "coefficients",
            "Fleiss' κ, Conger's κ, Brennan-Prediger and Gwet's AC1 (irrCAC's generalised forms), Krippendorff's nominal α"
                .to_string(),
        ),
        (
            "pairwise κ",
            "Cohen's unweighted κ, asymptotic SE, normal 95% interval".to_string(),
        ),
        (
            "intervals",
            if p.bootstrap_replicates > 0 {
                format!(
                    "95% BCa cluster bootstrap over FOVs, {} replicates, seed {}",
                    count(p.bootstrap_replicates),
                    p.seed.unwrap_or_default()
                )
            } else {
                "none".to_string()
            },
        ),
        (
            "truth",
            match report.truth.method {
                TruthMethod::DawidSkene => format!(
                    "Dawid-Skene, pseudo-count {} on every cell and {} on the diagonal; raters scored leaving themselves out",
                    ds.smoothing, ds.diagonal_prior
                ),
                TruthMethod::MajorityVote => {
                    "majority vote; raters scored leaving themselves out".to_string()
                }
                other => format!(
                    "{} as crowd-kit 1.4.2 fits it; raters scored leaving themselves out",
                    other.title()
                ),
            },
        ),
    ];
    for (name, value) in rows {
        t.row(vec![name.to_string(), value]);
    }
    t.row(vec![
        "truth outline".to_string(),
        match report.boundary.truth_outline {
            crate::agreement::boundary::TruthOutline::Medoid => "the medoid's".to_string(),
            crate::agreement::boundary::TruthOutline::Consensus => {
                "the consensus (covered by at least half the raters who outlined the nucleus)"
                    .to_string()
            }
        },
    ]);
    t
}

/// Every coefficient of all raters at each level, with bootstrap intervals.
pub fn all_raters_table(report: &AgreementReport) -> Table {
    let mut headers = vec!["level", "anchors rated twice"];
    headers.extend(Coefficient::ALL.map(Coefficient::label));
    let mut t = Table::new(&headers);
    for level in ClassLevel::ALL {
        let a = &report.levels.get(level).all_raters;
        let mut row = vec![level.name().into(), count(a.units as usize)];
        row.extend(Coefficient::ALL.map(|c| estimate(&a.get(c))));
        t.row(row);
    }
    t
}

/// The difference in Fleiss' κ between groups of two raters or more, the larger first, with
/// its bootstrap interval over FOVs.
fn group_differences(out: &mut String, report: &AgreementReport) {
    if report.group_differences.is_empty() {
        return;
    }
    out.push_str("\nDifference in Fleiss' κ between groups of two raters or more, with a 95% BCa interval that resamples the same FOVs for both groups (they rated the same material); a rank test over raters cannot say this with groups this small:\n\n");
    let mut t = Table::with_left_columns(
        &["level", "groups", "κ (first)", "κ (second)", "difference"],
        2,
    );
    for d in &report.group_differences {
        let flip = d.difference.value.is_some_and(|v| v < 0.0);
        let (first, second, a, b) = if flip {
            (&d.group_b, &d.group_a, d.value_b, d.value_a)
        } else {
            (&d.group_a, &d.group_b, d.value_a, d.value_b)
        };
        let sign = if flip { -1.0 } else { 1.0 };
        let difference = Estimate {
            value: d.difference.value.map(|v| sign * v),
            se: d.difference.se,
            ci95: d
                .difference
                .ci95
                .map(|[lo, hi]| if flip { [-hi, -lo] } else { [lo, hi] }),
        };
        t.row(vec![
            d.level.name().into(),
            format!("{first} − {second}"),
            number(a, 3),
            number(b, 3),
            estimate(&difference),
        ]);
    }
    out.push_str(&t.render());
}
