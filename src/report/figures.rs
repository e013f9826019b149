//! The figures of the `compare`/`score` report: confusion matrices, per-class F1 and kappa,
//! the IoU histogram, F1 against the IoU threshold, precision-recall curves, the
//! score-threshold sweep, folds, and overlays of the FOVs with the most disagreement.

use super::markdown::number;
use crate::comparison::run::ComparisonReport;
use crate::comparison::summary::LevelSummary;
use crate::error::{Error, Result};
use crate::matching::table::{FovMatchRows, MatchRow, MatchStatus};
use crate::model::{AnnotationSet, BoundingBox, ClassLevel};
use crate::plots::{
    render, BarSeries, Bars, Chart, ColourScale, Figure, Heatmap, Histogram, LegendPosition, Lines,
    Overlay, OverlayShape, OverlayStatus, Series,
};
use std::collections::HashMap;

/// A figure with its file name (without extension) and caption.
#[derive(Debug, Clone)]
pub struct NamedFigure {
    pub name: String,
    pub caption: String,
    pub figure: Figure,
    /// Overlays are raster only (no SVG written).
    pub raster_only: bool,
}

/// A figure to render: figures are described first and rendered in parallel.
pub(super) type Pending<'a> = Box<dyn FnOnce() -> Result<NamedFigure> + Send + 'a>;

/// What a figure is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Formats {
    PngAndSvg,
    /// An overlay: an SVG of its cells or pixels would be large.
    PngOnly,
}

/// A figure to render later, as PNG and SVG.
pub(super) fn later<'a, C: Chart + Send + 'a>(
    name: &str,
    caption: &str,
    chart: C,
    size: (u32, u32),
) -> Pending<'a> {
    let (name, caption) = (name.to_string(), caption.to_string());
    Box::new(move || named(&name, &caption, &chart, size, Formats::PngAndSvg))
}

/// A figure to render later as PNG only.
pub(super) fn later_raster<'a, C: Chart + Send + 'a>(
    name: &str,
    caption: &str,
    chart: C,
    size: (u32, u32),
) -> Pending<'a> {
    let (name, caption) = (name.to_string(), caption.to_string());
    Box::new(move || named(&name, &caption, &chart, size, Formats::PngOnly))
}

/// Renders the pending figures, in parallel, in their order.
pub(super) fn render_all(pending: Vec<Pending<'_>>) -> Result<Vec<NamedFigure>> {
    use rayon::prelude::*;
    pending.into_par_iter().map(|figure| figure()).collect()
}

fn named<C: Chart>(
    name: &str,
    caption: &str,
    chart: &C,
    size: (u32, u32),
    formats: Formats,
) -> Result<NamedFigure> {
    let figure = match formats {
        Formats::PngAndSvg => render(chart, size),
        Formats::PngOnly => crate::plots::render_png(chart, size),
    }
    .map_err(|e| Error::encode(format!("the figure {name}"), e))?;
    Ok(NamedFigure {
        name: name.into(),
        caption: caption.into(),
        figure,
        raster_only: formats == Formats::PngOnly,
    })
}

/// The confusion matrix of a level, reference classes as rows: counts, and row shares.
fn confusion(level: ClassLevel, l: &LevelSummary, normalised: bool) -> (Heatmap, (u32, u32)) {
    let classes = &l.confusion.classes;
    let k = classes.len();
    // Stored with A's classes as rows; drawn with B's (the reference) as rows.
    let cell = |row: usize, column: usize| l.confusion.counts[column][row];
    let n = k + 1;
    let mut row_labels: Vec<String> = classes
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{} {c}", i + 1))
        .collect();
    row_labels.push("— not in B".into());
    let mut column_labels: Vec<String> = (1..=k).map(|i| i.to_string()).collect();
    column_labels.push("missed".into());
    let mut values = vec![vec![None; n]; n];
    let mut text = vec![vec![String::new(); n]; n];
    let max = (0..n)
        .flat_map(|r| (0..n).map(move |c| (r, c)))
        .filter(|&(r, c)| !(r == k && c == k))
        .map(|(r, c)| cell(r, c))
        .max()
        .unwrap_or(0);
    for r in 0..n {
        let total: u64 = (0..n).map(|c| cell(r, c)).sum();
        for c in 0..n {
            if r == k && c == k {
                continue;
            }
            let count = cell(r, c);
            if normalised {
                let share = (total > 0).then(|| count as f64 / total as f64);
                values[r][c] = share;
                text[r][c] = number(share, 2);
            } else {
                values[r][c] = Some(count as f64);
                text[r][c] = count.to_string();
            }
        }
    }
    // Ambiguous classes (detected, not judged for class) are greyed: their counts stay.
    let ambiguous = |i: usize| l.confusion.ambiguous.get(i).copied().unwrap_or(false);
    for (r, row) in values.iter_mut().enumerate() {
        for (c, value) in row.iter_mut().enumerate() {
            if ambiguous(r) || ambiguous(c) {
                *value = None;
            }
        }
    }
    let any_ambiguous = (0..k).any(ambiguous);
    let title = format!(
        "Confusion matrix, {} classes{}",
        level.name(),
        if normalised {
            " (row shares)"
        } else {
            " (counts)"
        }
    );
    let side = (260 + 56 * n as u32).clamp(560, 1200);
    let chart = Heatmap {
        title,
        row_title: "B's class (reference)".into(),
        column_title: "A's class (numbered as the rows)".into(),
        row_labels,
        column_labels,
        values,
        cell_text: text,
        scale: ColourScale::Sequential {
            max: if normalised { 1.0 } else { max as f64 },
        },
        note: format!(
            "{}{}",
            if normalised {
                "each row sums to 1 over A's classes and the nuclei A missed"
            } else {
                "last row: A's nuclei with no match in B; last column: B's nuclei A missed"
            },
            if any_ambiguous {
                "; ambiguous classes (not judged for class) in grey"
            } else {
                ""
            }
        ),
    };
    (chart, (side + 120, side))
}

fn per_class(level: ClassLevel, l: &LevelSummary) -> Bars {
    Bars {
        title: format!("Per-class agreement, {} classes", level.name()),
        value_label: "F1 (detection with the same class) and one-vs-rest kappa".into(),
        categories: l.per_class.iter().map(|c| c.class.clone()).collect(),
        series: vec![
            BarSeries {
                name: "F1 (95% bootstrap CI)".into(),
                values: l.per_class.iter().map(|c| c.f1).collect(),
                intervals: l.per_class.iter().map(|c| c.f1_ci95).collect(),
            },
            BarSeries {
                name: "Cohen's kappa, one vs rest (95% bootstrap CI)".into(),
                values: l.per_class.iter().map(|c| c.kappa).collect(),
                intervals: l.per_class.iter().map(|c| c.kappa_ci95).collect(),
            },
        ],
        value_range: (
            l.per_class
                .iter()
                .filter_map(|c| c.kappa)
                .fold(0.0f64, f64::min)
                .min(0.0)
                - 0.05,
            1.0,
        ),
    }
}

/// Every figure of a comparison, with the overlays given.
pub fn comparison_figures(
    report: &ComparisonReport,
    overlays: &[Overlay],
) -> Result<Vec<NamedFigure>> {
    let r = &report.result;
    let mut figures: Vec<Pending<'_>> = Vec::new();
    for level in ClassLevel::ALL {
        let l = r.levels.get(level);
        for normalised in [false, true] {
            let (chart, size) = confusion(level, l, normalised);
            let suffix = if normalised { "_share" } else { "" };
            figures.push(later(
                &format!("confusion_{}{suffix}", level.name()),
                &chart.title.clone(),
                chart,
                size,
            ));
        }
        let bars = per_class(level, l);
        let height = (160 + 56 * l.per_class.len() as u32).max(420);
        figures.push(later(
            &format!("per_class_{}", level.name()),
            &bars.title.clone(),
            bars,
            (1000, height),
        ));
    }
    let histogram = Histogram {
        title: "IoU of matched pairs".into(),
        x_label: "IoU".into(),
        y_label: "pairs".into(),
        x_range: (0.0, 1.0),
        counts: r.iou_histogram.clone(),
    };
    figures.push(later(
        "iou_histogram",
        "IoU of matched pairs",
        histogram,
        (900, 520),
    ));
    if !r.f1_by_iou_threshold.is_empty() {
        let points: Vec<(f64, f64)> = r
            .f1_by_iou_threshold
            .iter()
            .filter_map(|p| p.f1.map(|f| (p.iou_threshold, f)))
            .collect();
        let mut series = Series::new("detection F1", points);
        series.markers = true;
        let lines = Lines {
            title: "Detection F1 against the IoU threshold".into(),
            x_label: "IoU threshold".into(),
            y_label: "F1".into(),
            x_range: (r.f1_by_iou_threshold[0].iou_threshold.min(0.5) - 0.02, 0.97),
            y_range: (0.0, 1.0),
            series: vec![series],
            legend_position: LegendPosition::LowerLeft,
        };
        figures.push(later("f1_by_iou", &lines.title.clone(), lines, (900, 520)));
    }
    let main = r.levels.get(ClassLevel::Main);
    if !main.pr_curves.is_empty() {
        let recall: Vec<f64> = (0..=100).map(|i| i as f64 / 100.0).collect();
        let ap_of = |class: &str| {
            main.per_class
                .iter()
                .find(|c| c.class == class)
                .and_then(|c| c.ap)
                .and_then(|a| a.ap50)
        };
        let series = main
            .pr_curves
            .iter()
            .map(|(class, precision)| {
                let points = recall
                    .iter()
                    .zip(precision)
                    .filter(|(_, p)| **p >= 0.0)
                    .map(|(&r, &p)| (r, p))
                    .collect();
                let ap = number(ap_of(class), 3);
                Series::new(&format!("{class} (AP50 {ap})"), points)
            })
            .collect();
        let lines = Lines {
            title: "Precision-recall at IoU 0.5, main classes".into(),
            x_label: "recall".into(),
            y_label: "precision (interpolated)".into(),
            x_range: (0.0, 1.0),
            y_range: (0.0, 1.02),
            series,
            legend_position: LegendPosition::LowerLeft,
        };
        figures.push(later(
            "pr_curves_main",
            &lines.title.clone(),
            lines,
            (1000, 700),
        ));
    }
    if let Some(sweep) = &r.score_threshold {
        let curve =
            |name: &str, value: &dyn Fn(&crate::stats::detection::Detection) -> Option<f64>| {
                Series::new(
                    name,
                    sweep
                        .curve
                        .iter()
                        .filter_map(|p| value(&p.detection).map(|v| (p.score_threshold, v)))
                        .collect(),
                )
            };
        let lines = Lines {
            title: "Detection against the score threshold".into(),
            x_label: "score threshold (predictions below it dropped)".into(),
            y_label: "value".into(),
            x_range: (0.0, 1.0),
            y_range: (0.0, 1.02),
            series: vec![
                curve("F1", &|d| d.f1),
                curve("precision", &|d| d.precision),
                curve("recall", &|d| d.recall),
            ],
            legend_position: LegendPosition::LowerLeft,
        };
        figures.push(later(
            "score_threshold",
            &lines.title.clone(),
            lines,
            (900, 520),
        ));
    }
    if let Some(folds) = r.folds.as_ref().filter(|f| !f.folds.is_empty()) {
        let mut categories: Vec<String> = folds
            .folds
            .iter()
            .map(|f| format!("fold {}", f.fold))
            .collect();
        categories.push("mean ± SD".into());
        let metric = |key: &str, name: &str| {
            let mut values: Vec<Option<f64>> = folds
                .folds
                .iter()
                .map(|f| f.figures.get(key).copied().flatten())
                .collect();
            let mean = folds.mean.get(key).copied().flatten();
            let sd = folds.sd.get(key).copied().flatten();
            values.push(mean);
            let mut intervals = vec![None; folds.folds.len()];
            intervals.push(mean.zip(sd).map(|(m, s)| [m - s, m + s]));
            BarSeries {
                name: name.into(),
                values,
                intervals,
            }
        };
        let bars = Bars {
            title: "Each fold's test FOVs".into(),
            value_label: "value".into(),
            categories,
            series: vec![
                metric("detection.f1", "detection F1"),
                metric("main.cohen_kappa", "Cohen's kappa, main classes"),
            ],
            value_range: (0.0, 1.0),
        };
        figures.push(later("folds", &bars.title.clone(), bars, (1000, 560)));
    }
    if let Some(summary) = &report.conventions {
        if let Some(chart) = super::conventions::count_agreement(summary) {
            let height = 80 + 330 * chart.panels.len().div_ceil(chart.columns) as u32;
            figures.push(later(
                "count_agreement",
                &chart.title.clone(),
                chart,
                (1100, height),
            ));
        }
    }
    for (index, overlay) in overlays.iter().enumerate() {
        figures.push(later_raster(
            &format!("overlay_{}", index + 1),
            &overlay.title,
            overlay.clone(),
            (760, 820),
        ));
    }
    render_all(figures)
}

/// Overlays of the `count` FOVs with the most disagreement (misses, false positives and
/// class disagreements at `level`), most first.
pub fn overlays(
    a: &AnnotationSet,
    b: &AnnotationSet,
    matches: &[FovMatchRows],
    level: ClassLevel,
    count: usize,
    image_of: &dyn Fn(&str) -> Option<crate::plots::RgbImage>,
) -> Vec<Overlay> {
    let hierarchy = &b.hierarchy;
    let differs = |row: &MatchRow| match (row.a, row.b) {
        (Some(x), Some(y)) => hierarchy.index(x.class, level) != hierarchy.index(y.class, level),
        _ => false,
    };
    let mut ranked: Vec<(usize, &FovMatchRows)> = matches
        .iter()
        .map(|entry| {
            let disagreements = entry
                .rows
                .iter()
                .filter(|r| {
                    matches!(r.status, MatchStatus::UnmatchedA | MatchStatus::UnmatchedB)
                        || (r.status == MatchStatus::Matched && differs(r))
                })
                .count();
            (disagreements, entry)
        })
        .filter(|(d, _)| *d > 0)
        .collect();
    ranked.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.fov.cmp(&y.1.fov)));
    ranked
        .into_iter()
        .take(count)
        .filter_map(
            |(
                disagreements,
                FovMatchRows {
                    fov: fov_name,
                    rows,
                    ..
                },
            )| {
                let (fa, fb) = (a.fov(fov_name)?, b.fov(fov_name)?);
                let index = |fov: &crate::model::Fov| -> HashMap<u32, usize> {
                    fov.nuclei
                        .iter()
                        .enumerate()
                        .map(|(i, n)| (n.row, i))
                        .collect()
                };
                let (ia, ib) = (index(fa), index(fb));
                let mut shapes = Vec::new();
                let mut add = |fov: &crate::model::Fov,
                               map: &HashMap<u32, usize>,
                               row: u32,
                               from_a: bool,
                               status| {
                    if let Some(&i) = map.get(&row) {
                        shapes.push(OverlayShape {
                            outline: fov.nuclei[i].shape.vertices(),
                            from_a,
                            status,
                        });
                    }
                };
                for row in rows {
                    match row.status {
                        MatchStatus::Matched => {
                            let status = if differs(row) {
                                OverlayStatus::ClassDisagrees
                            } else {
                                OverlayStatus::Matched
                            };
                            if let Some(n) = row.b {
                                add(fb, &ib, n.row, false, status);
                            }
                            if let Some(n) = row.a {
                                add(fa, &ia, n.row, true, status);
                            }
                        }
                        MatchStatus::UnmatchedA => {
                            if let Some(n) = row.a {
                                add(fa, &ia, n.row, true, OverlayStatus::Extra);
                            }
                        }
                        MatchStatus::UnmatchedB => {
                            if let Some(n) = row.b {
                                add(fb, &ib, n.row, false, OverlayStatus::Missed);
                            }
                        }
                        MatchStatus::CroppedA | MatchStatus::CroppedB => {}
                    }
                }
                let image = image_of(fov_name);
                let mut extent = fb
                    .nuclei
                    .iter()
                    .chain(&fa.nuclei)
                    .map(|n| n.bbox)
                    .chain(fb.region)
                    .reduce(|x, y| BoundingBox {
                        xmin: x.xmin.min(y.xmin),
                        ymin: x.ymin.min(y.ymin),
                        xmax: x.xmax.max(y.xmax),
                        ymax: x.ymax.max(y.ymax),
                    })?;
                if let Some((w, h, _)) = &image {
                    extent = BoundingBox {
                        xmin: 0.0,
                        ymin: 0.0,
                        xmax: f64::from(*w),
                        ymax: f64::from(*h),
                    };
                }
                Some(Overlay {
                    title: format!("{} ({disagreements} disagreements)", short_name(fov_name)),
                    extent,
                    image,
                    region: fb.region,
                    shapes,
                })
            },
        )
        .collect()
}

/// A NuCLS FOV name shortened for a title: the slide and the FOV's corner in the slide (the
/// id is the slide's, shared by its FOVs).
fn short_name(name: &str) -> String {
    let field = |key: &str| {
        name.split('_')
            .find_map(|part| part.strip_prefix(key))
            .map(str::to_string)
    };
    match (name.split_once("_id-"), field("left-"), field("top-")) {
        (Some((slide, _)), Some(left), Some(top)) => format!("{slide}, left {left}, top {top}"),
        _ => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fov_names_shorten_to_slide_and_corner() {
        assert_eq!(
            super::short_name("TCGA-D8-A1JL-DX1_id-5ea40a9bddda5f839899203f_left-49227_top-31471_bottom-31757_right-49511"),
            "TCGA-D8-A1JL-DX1, left 49227, top 31471"
        );
        assert_eq!(super::short_name("fov_a"), "fov_a");
    }
}
