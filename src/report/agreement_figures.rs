//! The figures of the `agree` report: the raters' pairwise kappa, Krippendorff's alpha
//! against the minimum IoU, each rater's precision against recall, and how many raters a
//! truth needs.

use super::figures::{later, render_all, NamedFigure, Pending};
use super::markdown::number;
use crate::agreement::summary::AgreementReport;
use crate::error::Result;
use crate::model::ClassLevel;
use crate::plots::{
    ColourScale, FigureOptions, Heatmap, LegendPosition, LinePattern, Lines, Mark, Scatter,
    ScatterPoint, Series,
};
use std::collections::HashMap;

/// A mean and its standard deviation.
type MeanAndSd = (Option<f64>, Option<f64>);

/// The kappa of two raters, whichever order the pair was stored in; 1 for a rater with
/// themself.
fn pair_kappa(kappa: &HashMap<(String, String), f64>, a: &str, b: &str) -> Option<f64> {
    if a == b {
        return Some(1.0);
    }
    kappa
        .get(&(a.to_string(), b.to_string()))
        .or_else(|| kappa.get(&(b.to_string(), a.to_string())))
        .copied()
}

/// Raters ordered by group, then within a group by similarity: starting from the rater who
/// agrees most with the rest, each next rater is the one who agrees most with the last.
pub fn rater_order(
    raters: &[(String, String)],
    kappa: &HashMap<(String, String), f64>,
) -> Vec<usize> {
    let k = |a: &str, b: &str| pair_kappa(kappa, a, b).unwrap_or(f64::NEG_INFINITY);
    let mut groups: Vec<&str> = raters.iter().map(|(_, g)| g.as_str()).collect();
    groups.sort_unstable();
    groups.dedup();
    let mut order = Vec::new();
    for group in groups {
        let mut left: Vec<usize> = (0..raters.len())
            .filter(|&i| raters[i].1 == group)
            .collect();
        let mean = |i: usize| {
            let others: Vec<f64> = (0..raters.len())
                .filter(|&j| j != i)
                .map(|j| k(&raters[i].0, &raters[j].0))
                .filter(|v| v.is_finite())
                .collect();
            others.iter().sum::<f64>() / others.len().max(1) as f64
        };
        left.sort_by(|&x, &y| {
            mean(y)
                .total_cmp(&mean(x))
                .then(raters[x].0.cmp(&raters[y].0))
        });
        let mut current = left.remove(0);
        order.push(current);
        while !left.is_empty() {
            let (position, _) = left
                .iter()
                .enumerate()
                .max_by(|(_, &x), (_, &y)| {
                    k(&raters[current].0, &raters[x].0)
                        .total_cmp(&k(&raters[current].0, &raters[y].0))
                        .then(raters[y].0.cmp(&raters[x].0))
                })
                .expect("not empty");
            current = left.remove(position);
            order.push(current);
        }
    }
    order
}

/// The pairwise kappa heatmap of a level: raters by group, then by similarity; a sequential
/// scale fitted to the pairs' range, a blank diagonal, a colour bar and lines between groups.
fn pairwise_heatmap(
    report: &AgreementReport,
    level: ClassLevel,
    raters: &[(String, String)],
) -> Option<Heatmap> {
    let pairs = &report.levels.get(level).pairwise_cohen;
    let kappa: HashMap<(String, String), f64> = pairs
        .iter()
        .filter_map(|p| p.kappa.map(|k| ((p.rater_a.clone(), p.rater_b.clone()), k)))
        .collect();
    if kappa.is_empty() {
        return None;
    }
    let order = rater_order(raters, &kappa);
    let value = |a: &str, b: &str| (a != b).then(|| pair_kappa(&kappa, a, b)).flatten();
    let values: Vec<Vec<Option<f64>>> = order
        .iter()
        .map(|&i| {
            order
                .iter()
                .map(|&j| value(&raters[i].0, &raters[j].0))
                .collect()
        })
        .collect();
    let text = values
        .iter()
        .map(|row| row.iter().map(|v| number(*v, 2)).collect())
        .collect();
    let (low, high) = kappa
        .values()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &k| {
            (lo.min(k), hi.max(k))
        });
    // The scale spans the pairs' range, widened to a tenth at least and rounded outwards.
    let low = (low * 20.0).floor() / 20.0;
    let high = ((high * 20.0).ceil() / 20.0).max(low + 0.1);
    let separators = (1..order.len())
        .filter(|&i| raters[order[i]].1 != raters[order[i - 1]].1)
        .collect();
    Some(Heatmap {
        title: format!("Pairwise Cohen's κ, {} classes", level.name()),
        row_title: "rater (group)".into(),
        column_title: "rater".into(),
        row_labels: order
            .iter()
            .map(|&i| format!("{} ({})", raters[i].0, raters[i].1))
            .collect(),
        column_labels: order.iter().map(|&i| raters[i].0.clone()).collect(),
        values,
        cell_text: text,
        scale: ColourScale::Sequential {
            min: low,
            max: high,
        },
        colour_label: "Cohen's κ".into(),
        blank_cells: Heatmap::diagonal(order.len()),
        separators,
        note: "Each pair over the anchors of the FOVs both annotated, \"undetected\" a category. Raters by group (lines between groups), then by similarity.".into(),
    })
}

/// Agreement on the class among the raters who detected an anchor, against how many did.
fn agreement_by_detections(report: &AgreementReport) -> Option<Lines> {
    let by = &report.by_detections;
    let mut series: Vec<Series> = ClassLevel::ALL
        .iter()
        .map(|&level| {
            let points = by
                .iter()
                .filter_map(|b| {
                    b.class_agreement[level.position()].map(|a| (b.raters_detecting as f64, a))
                })
                .collect();
            let mut s = Series::new(&format!("{} classes", level.name()), points);
            s.markers = true;
            s
        })
        .collect();
    if series.iter().all(|s| s.points.is_empty()) {
        return None;
    }
    for (i, s) in series.iter_mut().enumerate() {
        s.pattern = LinePattern::ALL[i];
    }
    let most = by.len() as f64;
    let low = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .fold(1.0f64, f64::min);
    Some(Lines {
        title: "Agreement on the class by how many raters detected a nucleus".into(),
        x_label: "raters who detected the anchor".into(),
        y_label: "share of pairs agreeing".into(),
        x_range: (1.5, most + 0.5),
        y_range: (((low - 0.05) * 10.0).floor() / 10.0, 1.0),
        series,
        legend_position: LegendPosition::LowerRight,
        marks: Vec::new(),
    })
}

/// Each group's raters against the inferred truth at the super level: the confusion summed
/// over the group's raters, the truth's classes as rows, as row shares with each row's n.
fn rater_confusion(report: &AgreementReport, classes: &[String], group: &str) -> Option<Heatmap> {
    let members: Vec<&crate::agreement::raters::RaterScore> = report
        .truth
        .raters
        .iter()
        .filter(|r| r.group == group)
        .collect();
    let first = &members.first()?.super_.confusion;
    let k = first.len();
    if k == 0 {
        return None;
    }
    // Stored with the rater's class as rows and the truth's as columns.
    let mut counts = vec![vec![0u64; k]; k];
    for r in &members {
        for (said, row) in r.super_.confusion.iter().enumerate() {
            for (truth, &n) in row.iter().enumerate() {
                counts[truth][said] += n;
            }
        }
    }
    let totals: Vec<u64> = counts.iter().map(|row| row.iter().sum()).collect();
    let values: Vec<Vec<Option<f64>>> = counts
        .iter()
        .zip(&totals)
        .map(|(row, &n)| {
            row.iter()
                .map(|&c| (n > 0).then(|| c as f64 / n as f64))
                .collect()
        })
        .collect();
    let empty: Vec<usize> = (0..k).filter(|&r| totals[r] == 0).collect();
    Some(Heatmap {
        title: format!("Raters of group {group} against the inferred truth, super classes"),
        row_title: "the truth's class".into(),
        column_title: format!("the {group} raters' class (numbered as the rows)"),
        row_labels: (0..k)
            .map(|i| {
                let name = classes.get(i).map_or("?", String::as_str);
                format!("{} {name} (n = {})", i + 1, totals[i])
            })
            .collect(),
        column_labels: (1..=k).map(|i| i.to_string()).collect(),
        cell_text: values
            .iter()
            .map(|row| row.iter().map(|v| number(*v, 2)).collect())
            .collect(),
        values,
        scale: ColourScale::Sequential { min: 0.0, max: 1.0 },
        colour_label: "share of the row".into(),
        blank_cells: Heatmap::whole_rows(&empty, k),
        separators: Vec::new(),
        note: format!(
            "Summed over the group's {}, each scored as in the report's table (a rater of the truth panel against the truth inferred without them); nuclei both have, detection errors are in rater_scores.csv.",
            if members.len() == 1 {
                "one rater".to_string()
            } else {
                format!("{} raters", members.len())
            }
        ),
    })
}

/// Every figure of an agreement analysis.
pub fn agreement_figures(
    report: &AgreementReport,
    hierarchy: &crate::model::ClassHierarchy,
    options: FigureOptions,
) -> Result<Vec<NamedFigure>> {
    let mut figures: Vec<Pending<'static>> = Vec::new();
    let raters: Vec<(String, String)> = report
        .raters
        .iter()
        .map(|r| (r.rater.clone(), r.group.clone()))
        .collect();
    if raters.len() >= 2 {
        for level in ClassLevel::ALL {
            if let Some(chart) = pairwise_heatmap(report, level, &raters) {
                let size = chart.natural_size();
                figures.push(later(
                    &format!("pairwise_kappa_{}", level.name()),
                    &chart.title.clone(),
                    chart,
                    size,
                ));
            }
        }
    }
    for level in ClassLevel::ALL {
        if let Some(chart) = super::category_agreement::per_category_figure(report, level) {
            let size = chart.natural_size();
            figures.push(later(
                &super::category_agreement::figure_name(level),
                &chart.title.clone(),
                chart,
                size,
            ));
        }
    }
    if !report.min_iou_sweep.is_empty() {
        let sweep = &report.min_iou_sweep;
        let series_of =
            |name: &str,
             pick: &dyn Fn(&crate::agreement::summary::AlphaAtMinIou) -> Option<f64>| {
                let mut s = Series::new(
                    name,
                    sweep
                        .iter()
                        .filter_map(|p| pick(p).map(|v| (p.min_iou, v)))
                        .collect(),
                );
                s.markers = sweep.len() <= 5;
                s
            };
        let mut series = Vec::new();
        for level in ClassLevel::ALL {
            let slot = level.position();
            series.push(series_of(&format!("classes, {}", level.name()), &|p| {
                p.alpha_classification[slot]
            }));
        }
        for level in ClassLevel::ALL {
            let slot = level.position();
            series.push(series_of(
                &format!("detection and class, {}", level.name()),
                &|p| p.alpha_detection[slot],
            ));
        }
        for (i, s) in series.iter_mut().enumerate() {
            // A level's colour; classification solid, detection dashed.
            s.colour = Some(i % 3);
            s.pattern = if i < 3 {
                LinePattern::Solid
            } else {
                LinePattern::Dashed
            };
        }
        let low = sweep
            .iter()
            .flat_map(|p| p.alpha_classification.iter().chain(&p.alpha_detection))
            .flatten()
            .fold(1.0f64, |m, &v| m.min(v));
        let lines = Lines {
            title: "Krippendorff's α against the clustering cut".into(),
            x_label: "minimum IoU within an anchor".into(),
            y_label: "Krippendorff's α (nominal)".into(),
            x_range: (
                sweep[0].min_iou - 0.03,
                sweep[sweep.len() - 1].min_iou + 0.03,
            ),
            y_range: (((low - 0.05) * 10.0).floor() / 10.0, 1.0),
            series,
            legend_position: LegendPosition::Below,
            marks: vec![Mark {
                x: report.params.min_iou,
                label: format!("used {}", report.params.min_iou),
            }],
        };
        let size = lines.natural_size();
        figures.push(later("alpha_by_min_iou", &lines.title.clone(), lines, size));
    }
    let scored: Vec<ScatterPoint> = report
        .truth
        .raters
        .iter()
        .filter_map(|r| {
            let d = &r.super_.detection;
            Some(ScatterPoint {
                label: r.rater.clone(),
                group: r.group.clone(),
                x: d.recall?,
                y: d.precision?,
                x_interval: r.super_.recall_ci95,
                y_interval: r.super_.precision_ci95,
            })
        })
        .collect();
    if !scored.is_empty() {
        // Axes fitted to the points, a little room around them, never past 1.
        let fit = |values: &mut dyn Iterator<Item = f64>| {
            let (lo, hi) = values.fold((1.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
            let pad = ((hi - lo) * 0.15).max(0.03);
            ((lo - pad).max(0.0), (hi + pad).min(1.0))
        };
        let with_intervals = |value: fn(&ScatterPoint) -> (f64, Option<[f64; 2]>)| {
            scored
                .iter()
                .flat_map(move |p| {
                    let (v, ci) = value(p);
                    std::iter::once(v).chain(ci.into_iter().flatten())
                })
                .collect::<Vec<f64>>()
        };
        let x_range = fit(&mut with_intervals(|p| (p.x, p.x_interval)).into_iter());
        let y_range = fit(&mut with_intervals(|p| (p.y, p.y_interval)).into_iter());
        let chart = Scatter {
            title: if report.params.bootstrap_replicates > 0 {
                "Each rater against the inferred truth (95% bootstrap CIs over FOVs)".into()
            } else {
                "Each rater against the inferred truth".into()
            },
            x_label: "recall (detection)".into(),
            y_label: "precision (detection)".into(),
            x_range,
            y_range,
            points: scored,
            iso_f1: (1..=19).map(|i| f64::from(i) * 0.05).collect(),
        };
        let size = chart.natural_size();
        figures.push(later(
            "raters_precision_recall",
            &chart.title.clone(),
            chart,
            size,
        ));
    }
    if let Some(lines) = super::agreement_boundary::boundary_figure(&report.boundary) {
        let size = lines.natural_size();
        figures.push(later("boundary_by_size", &lines.title.clone(), lines, size));
    }
    if let Some(lines) = agreement_by_detections(report) {
        let size = lines.natural_size();
        figures.push(later(
            "agreement_by_detections",
            &lines.title.clone(),
            lines,
            size,
        ));
    }
    let mut groups: Vec<&str> = raters.iter().map(|(_, g)| g.as_str()).collect();
    groups.sort_unstable();
    groups.dedup();
    for group in groups {
        if let Some(chart) = rater_confusion(report, hierarchy.names(ClassLevel::Super), group) {
            let size = chart.natural_size();
            figures.push(later(
                &format!("rater_confusion_{group}"),
                &chart.title.clone(),
                chart,
                size,
            ));
        }
    }
    let needed = &report.truth.raters_needed;
    if !needed.is_empty() {
        let series_of = |name: &str,
                         mean: &dyn Fn(
            &crate::agreement::raters_needed::RatersNeeded,
        ) -> MeanAndSd| {
            let mut points = Vec::new();
            let mut intervals = Vec::new();
            for n in needed {
                if let (Some(m), sd) = mean(n) {
                    points.push((n.raters as f64, m));
                    intervals.push(sd.map(|s| [m - s, m + s]));
                }
            }
            let mut s = Series::new(name, points);
            s.intervals = intervals;
            s.markers = true;
            s
        };
        let mut mcc = series_of("MCC, super classes", &|n| (n.mcc_mean, n.mcc_sd));
        mcc.pattern = LinePattern::Dashed;
        let lines = Lines {
            title: "How many raters a truth needs".into(),
            x_label: "raters whose votes make the truth".into(),
            y_label: "agreement with the others' truth".into(),
            x_range: (
                0.5,
                needed.iter().map(|n| n.raters).max().unwrap_or(1) as f64 + 0.5,
            ),
            y_range: (0.0, 1.02),
            series: vec![
                series_of("detection F1 (mean ± SD over draws)", &|n| {
                    (n.detection_f1_mean, n.detection_f1_sd)
                }),
                mcc,
            ],
            legend_position: LegendPosition::LowerRight,
            marks: Vec::new(),
        };
        let size = lines.natural_size();
        figures.push(later("raters_needed", &lines.title.clone(), lines, size));
    }
    render_all(figures, options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raters_are_ordered_by_group_then_similarity() {
        let raters: Vec<(String, String)> = [("a", "g1"), ("b", "g1"), ("c", "g1"), ("d", "g0")]
            .iter()
            .map(|(r, g)| (r.to_string(), g.to_string()))
            .collect();
        let mut kappa = HashMap::new();
        for (x, y, k) in [
            ("a", "b", 0.2),
            ("a", "c", 0.9),
            ("b", "c", 0.3),
            ("a", "d", 0.5),
            ("b", "d", 0.1),
            ("c", "d", 0.6),
        ] {
            kappa.insert((x.to_string(), y.to_string()), k);
        }
        // g0 first; in g1, c agrees most on average (0.6), then a (0.9 with c), then b.
        assert_eq!(rater_order(&raters, &kappa), vec![3, 2, 0, 1]);
    }
}
