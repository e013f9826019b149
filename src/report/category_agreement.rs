//! Agreement on each category in the `agree` report: Fleiss' kappa of every class (and of
//! `undetected`) for all raters and for each group, as a table and one figure per level.

use super::agreement::estimate;
use super::markdown::{embed, FigureIndex, Table};
use crate::agreement::summary::{Agreement, AgreementReport, CategoryKappa};
use crate::model::ClassLevel;
use crate::plots::{BarSeries, BarStyle, Bars};
use std::fmt::Write;

/// All raters, then each group, with the agreement of each at `level`.
fn panels(report: &AgreementReport, level: ClassLevel) -> Vec<(String, &Agreement)> {
    let la = report.levels.get(level);
    std::iter::once(("all raters".to_string(), &la.all_raters))
        .chain(la.groups.iter().filter(|g| g.raters.len() >= 2).map(|g| {
            (
                format!("{} ({} raters)", g.group, g.raters.len()),
                &g.agreement,
            )
        }))
        .collect()
}

/// The classes somebody chose, in the hierarchy's order, with their position in
/// `per_category`. `undetected` (last) is left out: anchors exist only where a rater
/// detected a nucleus, so raters can agree on "undetected" only when others detected, and
/// for a pair never; its kappa stays in the tables.
fn used(all: &Agreement) -> Vec<(usize, &CategoryKappa)> {
    let classes = all.per_category.len().saturating_sub(1);
    all.per_category[..classes]
        .iter()
        .enumerate()
        .filter(|(_, k)| k.share.is_some_and(|s| s > 0.0))
        .collect()
}

fn share(k: &CategoryKappa) -> String {
    k.share.map_or("—".into(), |s| format!("{:.1}%", 100.0 * s))
}

/// Fleiss' kappa of each category at `level`, a point per panel (all raters, each group)
/// with its bootstrap interval; `None` when no category has a kappa.
pub fn per_category_figure(report: &AgreementReport, level: ClassLevel) -> Option<Bars> {
    let panels = panels(report, level);
    let categories = used(panels[0].1);
    if categories.iter().all(|(_, k)| k.kappa.value.is_none()) {
        return None;
    }
    let series: Vec<BarSeries> = panels
        .iter()
        .map(|(name, agreement)| {
            let pick = |j: usize| agreement.per_category.get(j).map(|k| k.kappa);
            BarSeries {
                name: name.clone(),
                values: categories
                    .iter()
                    .map(|&(j, _)| pick(j).and_then(|e| e.value))
                    .collect(),
                intervals: categories
                    .iter()
                    .map(|&(j, _)| pick(j).and_then(|e| e.ci95))
                    .collect(),
            }
        })
        .collect();
    let (low, high) = series
        .iter()
        .flat_map(|s| {
            s.values
                .iter()
                .flatten()
                .copied()
                .chain(s.intervals.iter().flatten().flatten().copied())
        })
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    let low = ((low - 0.05) * 10.0).floor() / 10.0;
    let high = (((high + 0.05) * 10.0).ceil() / 10.0).min(1.0);
    let all = panels[0].1;
    let classes = all.per_category.len().saturating_sub(1);
    let unused: Vec<&str> = all.per_category[..classes]
        .iter()
        .filter(|k| !k.share.is_some_and(|s| s > 0.0))
        .map(|k| k.category.as_str())
        .collect();
    let mut note = String::from(
        "Each class against the rest (\"undetected\" among the rest), over anchors rated twice or more; the class's share of the ratings in brackets.",
    );
    if report.params.bootstrap_replicates > 0 {
        note.push_str(" Whiskers: 95% BCa bootstrap intervals over FOVs.");
    }
    if !unused.is_empty() {
        write!(note, " Chosen by no rater: {}.", unused.join(", ")).unwrap();
    }
    Some(Bars {
        title: format!("Fleiss' κ of each class, {} classes", level.name()),
        value_label: "Fleiss' κ".into(),
        categories: categories
            .iter()
            .map(|(_, k)| format!("{} ({})", k.category, share(k)))
            .collect(),
        series,
        value_range: (low.max(-1.0).min(high - 0.1), high.max(low + 0.1)),
        note,
        style: BarStyle::Points,
    })
}

/// The report's section: a table of each category's kappa at every level, and the figures.
pub fn per_category_section(out: &mut String, report: &AgreementReport, figures: &FigureIndex) {
    out.push_str("\n## Agreement on each class\n\n");
    out.push_str("Fleiss' κ of each class, with the ratings collapsed to the class against every other category, \"undetected\" included (irrCAC's generalised Fleiss' κ of the collapsed ratings; with as many raters on every anchor it is Fleiss' (1971) κ of the category). The share is the class's share of the ratings of anchors rated twice or more. Specific agreement (all raters) is, of the pairs of an anchor's ratings in which one is the class, the share in which both are (Uebersax 1982; for two raters, positive agreement 2a / (2a + b + c)): not corrected for chance, it says how often a second rater confirms a call of the class; each group's is in `per_category.csv`. Classes no rater chose are left out. The κ of \"undetected\" itself is in `per_category.csv` but not here: anchors exist only where a rater detected a nucleus, so raters can agree that a nucleus is absent only where others saw it (two raters never can), and that κ is biased down by construction.\n\n");
    let names: Vec<String> = panels(report, ClassLevel::Super)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    let kappa_headers: Vec<String> = names.iter().map(|n| format!("κ, {n}")).collect();
    let mut headers = vec![
        "level",
        "category",
        "share",
        "specific agreement, all raters",
    ];
    headers.extend(kappa_headers.iter().map(String::as_str));
    let mut t = Table::with_left_columns(&headers, 2);
    let all_raters = |level: ClassLevel, j: usize| {
        report
            .levels
            .get(level)
            .all_raters
            .per_category
            .get(j)
            .map_or("—".into(), |k| estimate(&k.specific_agreement))
    };
    for level in ClassLevel::ALL {
        let panels = panels(report, level);
        for (j, k) in used(panels[0].1) {
            let mut row = vec![
                level.name().to_string(),
                k.category.clone(),
                share(k),
                all_raters(level, j),
            ];
            row.extend(panels.iter().map(|(_, a)| {
                a.per_category
                    .get(j)
                    .map_or("—".into(), |k| estimate(&k.kappa))
            }));
            t.row(row);
        }
    }
    out.push_str(&t.render());
    for level in ClassLevel::ALL {
        embed(out, figures, &figure_name(level));
    }
}

/// The file name of a level's figure.
pub fn figure_name(level: ClassLevel) -> String {
    format!("category_kappa_{}", level.name())
}

/// Each coefficient of all raters on the Landis-Koch, Fleiss and Altman scales.
pub(super) fn benchmark_section(out: &mut String, report: &AgreementReport) {
    use crate::stats::benchmark::{Scale, RETAIN_AT};
    out.push_str("\n### Benchmarks\n\n");
    if report.levels.raw.benchmarks.is_empty()
        && report.levels.main.benchmarks.is_empty()
        && report.levels.super_.benchmarks.is_empty()
    {
        out.push_str("The benchmark scales need each coefficient's standard error, from the bootstrap over FOVs: this run has no bootstrap.\n");
        return;
    }
    let _ = writeln!(
        out,
        "Each coefficient of all raters on three benchmark scales, by Gwet's probabilistic method (as irrCAC's `Benchmark`): the band retained is the highest whose cumulative membership probability (in parentheses) reaches {RETAIN_AT}, its sampling distribution taken as Normal with the bootstrap standard error (SE) over FOVs, truncated to [−1, 1].\n"
    );
    let mut headers = vec!["level", "coefficient", "value", "SE"];
    headers.extend(Scale::ALL.map(Scale::label));
    let mut t = Table::with_left_columns(&headers, 2);
    for level in ClassLevel::ALL {
        for b in &report.levels.get(level).benchmarks {
            let mut row = vec![
                level.name().to_string(),
                b.coefficient.label().to_string(),
                format!("{:.3}", b.value),
                format!("{:.3}", b.se),
            ];
            row.extend(
                b.scales
                    .iter()
                    .map(|r| format!("{} ({:.3})", r.band, r.probability)),
            );
            t.row(row);
        }
    }
    out.push_str(&t.render());
}

/// Agreement on the nuclei counted per FOV: all nuclei at the super level (every level's
/// total is the same) and each super class, for all raters and each group.
pub(super) fn count_section(out: &mut String, report: &AgreementReport) {
    use super::markdown::{count, number};
    out.push_str("\n## Agreement on counts\n\n");
    out.push_str("How well the raters agree on how many nuclei a FOV holds, in all and of each super class: the intraclass correlation of the counts, absolute agreement, two-way random (ICC(2,1) for one rater against another, ICC(2,k) for the mean of the panel's raters), over the FOVs every rater of the panel annotated; a rater's count is the anchors they labelled in the FOV. Every level and class is in `count_agreement.csv`.\n\n");
    let mut t = Table::with_left_columns(
        &[
            "panel",
            "class",
            "FOVs",
            "raters",
            "mean per FOV",
            "ICC(2,1)",
            "ICC(2,k)",
        ],
        2,
    );
    for p in &report.levels.super_.count_agreement {
        for c in &p.counts {
            t.row(vec![
                p.panel.clone(),
                c.class.clone(),
                count(c.fovs),
                count(c.raters),
                number(c.mean_count, 2),
                number(c.icc_single, 3),
                number(c.icc_average, 3),
            ]);
        }
    }
    out.push_str(&t.render());
}
