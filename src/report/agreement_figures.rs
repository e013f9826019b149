//! The figures of the `agree` report: the raters' pairwise kappa, Krippendorff's alpha
//! against the minimum IoU, each rater's precision against recall, and how many raters a
//! truth needs.

use super::figures::{later, render_all, NamedFigure, Pending};
use super::markdown::number;
use crate::agreement::summary::AgreementReport;
use crate::error::Result;
use crate::model::ClassLevel;
use crate::plots::{ColourScale, Heatmap, LegendPosition, Lines, Scatter, ScatterPoint, Series};
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

/// Every figure of an agreement analysis.
pub fn agreement_figures(report: &AgreementReport) -> Result<Vec<NamedFigure>> {
    let mut figures: Vec<Pending<'static>> = Vec::new();
    let level = ClassLevel::Super;
    let pairs = &report.levels.get(level).pairwise_cohen;
    let raters: Vec<(String, String)> = report
        .raters
        .iter()
        .map(|r| (r.rater.clone(), r.group.clone()))
        .collect();
    if raters.len() >= 2 {
        let kappa: HashMap<(String, String), f64> = pairs
            .iter()
            .filter_map(|p| p.kappa.map(|k| ((p.rater_a.clone(), p.rater_b.clone()), k)))
            .collect();
        let order = rater_order(&raters, &kappa);
        let value = |a: &str, b: &str| pair_kappa(&kappa, a, b);
        let labels: Vec<String> = order
            .iter()
            .map(|&i| format!("{} ({})", raters[i].0, raters[i].1))
            .collect();
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
        let n = order.len() as u32;
        let side = (300 + 52 * n).clamp(560, 1400);
        let chart = Heatmap {
            title: "Pairwise Cohen's kappa, super classes".into(),
            row_title: "rater (group)".into(),
            column_title: "rater".into(),
            row_labels: labels,
            column_labels: order.iter().map(|&i| raters[i].0.clone()).collect(),
            values,
            cell_text: text,
            scale: ColourScale::Diverging,
            note: "on anchors both raters detected; raters by group, then by similarity; red below 0, blue above".into(),
        };
        figures.push(later(
            "pairwise_kappa",
            &chart.title.clone(),
            chart,
            (side + 160, side),
        ));
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
                s.markers = true;
                s
            };
        let mut detection = series_of("detection and class, main (undetected a category)", &|p| {
            p.alpha_detection[1]
        });
        detection.dashed = true;
        let lines = Lines {
            title: "Krippendorff's alpha against the minimum IoU of a cluster".into(),
            x_label: "minimum IoU for two raters' nuclei to be one anchor".into(),
            y_label: "Krippendorff's alpha (nominal)".into(),
            x_range: (
                sweep[0].min_iou - 0.03,
                sweep[sweep.len() - 1].min_iou + 0.03,
            ),
            y_range: (
                sweep
                    .iter()
                    .flat_map(|p| p.alpha_classification.iter().chain(&p.alpha_detection))
                    .flatten()
                    .fold(0.0f64, |m, &v| m.min(v))
                    - 0.05,
                1.0,
            ),
            series: vec![
                series_of("classes, raw", &|p| p.alpha_classification[0]),
                series_of("classes, main", &|p| p.alpha_classification[1]),
                series_of("classes, super", &|p| p.alpha_classification[2]),
                detection,
            ],
            legend_position: LegendPosition::LowerLeft,
        };
        figures.push(later(
            "alpha_by_min_iou",
            &lines.title.clone(),
            lines,
            (1000, 600),
        ));
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
            })
        })
        .collect();
    if !scored.is_empty() {
        let low = |values: &mut dyn Iterator<Item = f64>| {
            (values.fold(1.0f64, f64::min) - 0.05).clamp(0.0, 0.9)
        };
        let chart = Scatter {
            title: "Each rater against the inferred truth".into(),
            x_label: "recall (detection)".into(),
            y_label: "precision (detection)".into(),
            x_range: (low(&mut scored.iter().map(|p| p.x)), 1.02),
            y_range: (low(&mut scored.iter().map(|p| p.y)), 1.02),
            points: scored,
        };
        figures.push(later(
            "raters_precision_recall",
            &chart.title.clone(),
            chart,
            (900, 700),
        ));
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
        let lines = Lines {
            title: "How many raters a truth needs".into(),
            x_label: "raters whose votes make the truth".into(),
            y_label: "agreement with the other raters' truth (mean ± SD)".into(),
            x_range: (
                0.5,
                needed.iter().map(|n| n.raters).max().unwrap_or(1) as f64 + 0.5,
            ),
            y_range: (0.0, 1.02),
            series: vec![
                series_of("detection F1", &|n| {
                    (n.detection_f1_mean, n.detection_f1_sd)
                }),
                series_of("MCC, super classes", &|n| (n.mcc_mean, n.mcc_sd)),
            ],
            legend_position: LegendPosition::LowerRight,
        };
        figures.push(later(
            "raters_needed",
            &lines.title.clone(),
            lines,
            (900, 560),
        ));
    }
    render_all(figures)
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
