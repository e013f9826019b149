//! The figures of the `compare`/`score` report: confusion matrices, per-class F1 and kappa,
//! the IoU histogram, F1 against the IoU threshold, precision-recall curves, the
//! score-threshold sweep, folds, and overlays of the FOVs with the most disagreement.

use super::figures::{later, later_raster, render_all, NamedFigure, Pending};
use super::markdown::number;
use crate::comparison::run::{ComparisonReport, Job};
use crate::comparison::summary::LevelSummary;
use crate::error::Result;
use crate::model::ClassLevel;
use crate::plots::{
    BarSeries, BarStyle, Bars, ColourScale, FigureOptions, FigureSize, Heatmap, Histogram,
    LegendPosition, LinePattern, Lines, Mark, Overlay, Series,
};

/// Classes with fewer reference nuclei than this are marked in figures and tables.
pub const FEW_REFERENCE_NUCLEI: u64 = 10;

/// Groups of fewer FOVs than this have their intervals marked as rough.
pub const FEW_FOVS_FOR_INTERVAL: usize = 15;

/// What the two sets are called: the prediction and the truth for `score`, A and B for
/// `compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sides {
    /// The set compared (A, the prediction).
    pub other: &'static str,
    /// The reference (B, the truth).
    pub reference: &'static str,
}

impl Sides {
    pub fn of(report: &ComparisonReport) -> Sides {
        Sides::scoring(report.command == Job::Score)
    }

    /// The names of `score`'s sides when `score`, else `compare`'s.
    pub fn scoring(score: bool) -> Sides {
        if score {
            Sides {
                other: "prediction",
                reference: "truth",
            }
        } else {
            Sides {
                other: "A",
                reference: "B",
            }
        }
    }

    /// "B's" or "the truth's": whose class a row or column is.
    pub fn possessive(name: &str) -> String {
        if name.len() == 1 {
            format!("{name}'s")
        } else {
            format!("the {name}'s")
        }
    }
}

/// The confusion matrix of a level, the reference's classes as rows and the other set's as
/// columns (as the report's table): counts, or each row's shares with its n. The last row
/// holds the other set's unmatched nuclei, the last column the reference's.
fn confusion(l: &LevelSummary, level: ClassLevel, normalised: bool, sides: Sides) -> Heatmap {
    let classes = &l.confusion.classes;
    let k = classes.len();
    // Stored with A's classes as rows; drawn with the reference's as rows.
    let cell = |row: usize, column: usize| l.confusion.counts[column][row];
    let n = k + 1;
    let row_total = |r: usize| -> u64 { (0..n).map(|c| cell(r, c)).sum() };
    let mut row_labels: Vec<String> = classes
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{} {c}", i + 1))
        .collect();
    row_labels.push("unmatched".into());
    if normalised {
        for (r, label) in row_labels.iter_mut().enumerate() {
            label.push_str(&format!(" (n = {})", row_total(r)));
        }
    }
    let mut column_labels: Vec<String> = (1..=k).map(|i| i.to_string()).collect();
    column_labels.push("unm.".into());
    let mut values = vec![vec![None; n]; n];
    let mut text = vec![vec![String::new(); n]; n];
    let max = (0..n)
        .flat_map(|r| (0..n).map(move |c| (r, c)))
        .filter(|&(r, c)| !(r == k && c == k))
        .map(|(r, c)| cell(r, c))
        .max()
        .unwrap_or(0);
    let mut empty_rows = Vec::new();
    for r in 0..n {
        let total = row_total(r);
        if normalised && total == 0 {
            empty_rows.push(r);
            continue;
        }
        for c in 0..n {
            if r == k && c == k {
                continue;
            }
            let count = cell(r, c);
            if normalised {
                let share = count as f64 / total as f64;
                values[r][c] = Some(share);
                text[r][c] = number(Some(share), 2);
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
    let mut note = format!(
        "Last column: {r} nuclei unmatched (missed by the {o}); last row: {o} nuclei unmatched (no {r} nucleus).",
        r = sides.reference,
        o = sides.other
    );
    if normalised {
        note.push_str(" Each row sums to 1 over the columns.");
        if !empty_rows.is_empty() {
            note.push_str(" Rows with n = 0 are left empty.");
        }
    }
    if any_ambiguous {
        note.push_str(" Ambiguous classes (not judged for class) in grey.");
    }
    Heatmap {
        title,
        row_title: format!("{} class", Sides::possessive(sides.reference)),
        column_title: format!(
            "{} class (numbered as the rows)",
            Sides::possessive(sides.other)
        ),
        row_labels,
        column_labels,
        values,
        cell_text: text,
        scale: ColourScale::Sequential {
            min: 0.0,
            max: if normalised { 1.0 } else { max.max(1) as f64 },
        },
        colour_label: if normalised {
            "share of the row".into()
        } else {
            "nuclei".into()
        },
        blank_cells: {
            let mut cells = Heatmap::whole_rows(&empty_rows, n);
            cells.push((k, k));
            cells
        },
        separators: vec![k],
        note,
    }
}

/// A class's label in per-class figures: its name and reference n, marked when the class is
/// absent from the reference (†) or has few reference nuclei (*).
pub fn class_label(class: &str, n_reference: u64) -> String {
    if n_reference == 0 {
        format!("{class} (n = 0) †")
    } else if n_reference < FEW_REFERENCE_NUCLEI {
        format!("{class} (n = {n_reference}) *")
    } else {
        format!("{class} (n = {n_reference})")
    }
}

fn per_class(level: ClassLevel, l: &LevelSummary, sides: Sides) -> Bars {
    let few = l
        .per_class
        .iter()
        .any(|c| c.n_b > 0 && c.n_b < FEW_REFERENCE_NUCLEI);
    let absent = l.per_class.iter().any(|c| c.n_b == 0);
    let mut note = format!("n: {} nuclei of the class.", sides.reference);
    if few {
        note.push_str(&format!(
            " * fewer than {FEW_REFERENCE_NUCLEI}: read with care."
        ));
    }
    if absent {
        note.push_str(&format!(
            " † absent from the {}: κ undefined, F1 0 without an interval.",
            sides.reference
        ));
    }
    Bars {
        title: format!("Per-class agreement, {} classes", level.name()),
        value_label: "F1 and κ".into(),
        categories: l
            .per_class
            .iter()
            .map(|c| class_label(&c.class, c.n_b))
            .collect(),
        series: vec![
            BarSeries {
                name: "F1, detection with the same class (95% bootstrap CI)".into(),
                values: l.per_class.iter().map(|c| c.f1).collect(),
                intervals: l.per_class.iter().map(|c| c.f1_ci95).collect(),
            },
            BarSeries {
                name: "Cohen's κ, one vs rest, on matched pairs (95% bootstrap CI)".into(),
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
        note,
        style: BarStyle::Bars,
    }
}

/// COCO's interpolated precision at recall 0, 0.01, ..., 1 drawn up to the last recall the
/// curve reaches (COCO fills the recalls beyond it with 0, which would draw a drop to 0 and a
/// line along the axis).
pub fn reached_curve(precision: &[f64]) -> Vec<(f64, f64)> {
    let last = precision.iter().rposition(|&p| p > 0.0);
    precision
        .iter()
        .enumerate()
        .take(last.map_or(0, |l| l + 1))
        .filter(|(_, p)| **p >= 0.0)
        .map(|(i, &p)| (i as f64 / 100.0, p))
        .collect()
}

/// The precision-recall curves of a level at IoU 0.5, the class-agnostic curve first.
fn pr_curves(report: &ComparisonReport, level: ClassLevel) -> Option<Lines> {
    let r = &report.result;
    let l = r.levels.get(level);
    if l.pr_curves.is_empty() {
        return None;
    }
    let ap_of = |class: &str| {
        l.per_class
            .iter()
            .find(|c| c.class == class)
            .and_then(|c| c.ap)
            .and_then(|a| a.ap50)
    };
    let mut series = Vec::new();
    if let Some(curve) = &r.objectness_pr_curve {
        let ap = number(r.objectness_ap.and_then(|a| a.ap50), 3);
        series.push(Series::new(
            &format!("all nuclei, class-agnostic (AP50 {ap})"),
            reached_curve(curve),
        ));
    }
    for (class, precision) in &l.pr_curves {
        let ap = number(ap_of(class), 3);
        series.push(Series::new(
            &format!("{class} (AP50 {ap})"),
            reached_curve(precision),
        ));
    }
    for (i, s) in series.iter_mut().enumerate() {
        s.pattern = LinePattern::ALL[i % LinePattern::ALL.len()];
    }
    Some(Lines {
        title: format!("Precision-recall at IoU 0.5, {} classes", level.name()),
        x_label: "recall".into(),
        y_label: "precision (interpolated)".into(),
        x_range: (0.0, 1.0),
        y_range: (0.0, 1.02),
        series,
        legend_position: LegendPosition::Below,
        marks: Vec::new(),
    })
}

/// When each fold's test FOVs are exactly one hospital's (the same FOVs, nuclei and
/// detection counts), the pairs "fold N = hospital"; `None` otherwise.
pub fn folds_are_hospitals(
    by_fold: &[crate::comparison::groups::GroupRow],
    by_hospital: &[crate::comparison::groups::GroupRow],
) -> Option<Vec<String>> {
    if by_fold.is_empty() || by_fold.len() != by_hospital.len() {
        return None;
    }
    let same = |f: &crate::comparison::groups::GroupRow,
                h: &crate::comparison::groups::GroupRow| {
        (f.fovs, f.nuclei_a, f.nuclei_b) == (h.fovs, h.nuclei_a, h.nuclei_b)
            && f.detection == h.detection
    };
    let mut used = vec![false; by_hospital.len()];
    let mut pairs = Vec::new();
    for f in by_fold {
        let h = (0..by_hospital.len()).find(|&h| !used[h] && same(f, &by_hospital[h]))?;
        used[h] = true;
        pairs.push(format!("fold {} = {}", f.group, by_hospital[h].group));
    }
    Some(pairs)
}

/// Whether every matched pair has IoU 1 (the two sets share their outlines): the IoU
/// histogram is then one bar and F1 against the IoU threshold a flat line, and both are left
/// out.
pub fn all_ious_are_one(report: &ComparisonReport) -> bool {
    let histogram = &report.result.iou_histogram;
    let total: u64 = histogram.iter().sum();
    total > 0 && histogram.last() == Some(&total)
}

/// Every figure of a comparison, with the overlays given.
pub fn comparison_figures(
    report: &ComparisonReport,
    overlays: &[Overlay],
    options: FigureOptions,
) -> Result<Vec<NamedFigure>> {
    let r = &report.result;
    let sides = Sides::of(report);
    let mut figures: Vec<Pending<'_>> = Vec::new();
    for level in ClassLevel::ALL {
        let l = r.levels.get(level);
        for normalised in [false, true] {
            let chart = confusion(l, level, normalised, sides);
            let suffix = if normalised { "_share" } else { "" };
            let size = chart.natural_size();
            figures.push(later(
                &format!("confusion_{}{suffix}", level.name()),
                &chart.title.clone(),
                chart,
                size,
            ));
        }
        let bars = per_class(level, l, sides);
        let size = bars.natural_size();
        figures.push(later(
            &format!("per_class_{}", level.name()),
            &bars.title.clone(),
            bars,
            size,
        ));
        if let Some(lines) = pr_curves(report, level) {
            let size = lines.natural_size();
            figures.push(later(
                &format!("pr_curves_{}", level.name()),
                &lines.title.clone(),
                lines,
                size,
            ));
        }
    }
    if !all_ious_are_one(report) {
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
            FigureSize::single(2.4),
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
                marks: report
                    .params
                    .iou_threshold
                    .map(|t| Mark {
                        x: t,
                        label: format!("given {t}"),
                    })
                    .into_iter()
                    .collect(),
            };
            let size = lines.natural_size();
            figures.push(later("f1_by_iou", &lines.title.clone(), lines, size));
        }
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
        let mut series = vec![
            curve("F1", &|d| d.f1),
            curve("precision", &|d| d.precision),
            curve("recall", &|d| d.recall),
        ];
        for (i, s) in series.iter_mut().enumerate() {
            s.pattern = LinePattern::ALL[i];
        }
        let mut marks = vec![Mark {
            x: sweep.given.score_threshold,
            label: format!(
                "given {} (F1 {})",
                sweep.given.score_threshold,
                number(sweep.given.detection.f1, 3)
            ),
        }];
        if let Some(best) = sweep
            .best
            .filter(|b| b.score_threshold != sweep.given.score_threshold)
        {
            marks.push(Mark {
                x: best.score_threshold,
                label: format!(
                    "best {} (F1 {})",
                    number(Some(best.score_threshold), 2),
                    number(best.detection.f1, 3)
                ),
            });
        }
        let lines = Lines {
            title: "Detection against the score threshold".into(),
            x_label: "score threshold (predictions below it dropped)".into(),
            y_label: "precision, recall, F1".into(),
            x_range: (0.0, 1.0),
            y_range: (0.0, 1.02),
            series,
            legend_position: LegendPosition::Below,
            marks,
        };
        let size = lines.natural_size();
        figures.push(later("score_threshold", &lines.title.clone(), lines, size));
    }
    if let Some(bars) = folds(report) {
        let size = bars.natural_size();
        figures.push(later("folds", &bars.title.clone(), bars, size));
    }
    if let Some(summary) = &report.conventions {
        if let Some(chart) = super::conventions::count_agreement(summary) {
            let size = chart.natural_size();
            figures.push(later("count_agreement", &chart.title.clone(), chart, size));
        }
    }
    for (index, overlay) in overlays.iter().enumerate() {
        let size = overlay.natural_size();
        figures.push(later_raster(
            &format!("overlay_{}", index + 1),
            &overlay.title,
            overlay.clone(),
            size,
        ));
    }
    render_all(figures, options)
}

/// Each fold's test FOVs: detection F1 and main-class kappa with their bootstrap intervals
/// (marked when the fold has fewer than [`FEW_FOVS_FOR_INTERVAL`] FOVs), and the mean ± SD,
/// on an axis fitted to the values.
fn folds(report: &ComparisonReport) -> Option<Bars> {
    let r = &report.result;
    let folds = r.folds.as_ref().filter(|f| !f.folds.is_empty())?;
    let row = |fold: u32| r.by_fold.iter().find(|g| g.group == fold.to_string());
    let few = folds.folds.iter().any(|f| f.fovs < FEW_FOVS_FOR_INTERVAL);
    let mut categories: Vec<String> = folds
        .folds
        .iter()
        .map(|f| {
            let mark = if f.fovs < FEW_FOVS_FOR_INTERVAL {
                " *"
            } else {
                ""
            };
            format!("fold {} ({} FOVs){mark}", f.fold, f.fovs)
        })
        .collect();
    categories.push("mean ± SD".into());
    let main = ClassLevel::Main.position();
    let metric = |key: &str, name: &str, interval: &dyn Fn(u32) -> Option<[f64; 2]>| {
        let mut values: Vec<Option<f64>> = folds
            .folds
            .iter()
            .map(|f| f.figures.get(key).copied().flatten())
            .collect();
        let mean = folds.mean.get(key).copied().flatten();
        let sd = folds.sd.get(key).copied().flatten();
        values.push(mean);
        let mut intervals: Vec<Option<[f64; 2]>> =
            folds.folds.iter().map(|f| interval(f.fold)).collect();
        intervals.push(mean.zip(sd).map(|(m, s)| [m - s, m + s]));
        BarSeries {
            name: name.into(),
            values,
            intervals,
        }
    };
    let series = vec![
        metric("detection.f1", "detection F1 (95% bootstrap CI)", &|f| {
            row(f).and_then(|g| g.f1_ci95)
        }),
        metric(
            "main.cohen_kappa",
            "Cohen's κ, main classes (95% bootstrap CI)",
            &|f| row(f).and_then(|g| g.kappa_ci95[main]),
        ),
    ];
    let values = series.iter().flat_map(|s| {
        s.values
            .iter()
            .flatten()
            .copied()
            .chain(s.intervals.iter().flatten().flat_map(|i| i.iter().copied()))
    });
    let (low, high) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !low.is_finite() {
        return None;
    }
    let pad = ((high - low) * 0.1).max(0.02);
    let mut note = "Mean ± SD: the sample standard deviation across folds.".to_string();
    if few {
        note.push_str(&format!(
            " * fewer than {FEW_FOVS_FOR_INTERVAL} FOVs: the interval is rough."
        ));
    }
    Some(Bars {
        title: "Each fold's test FOVs".into(),
        value_label: "F1 and κ".into(),
        categories,
        series,
        value_range: (
            (low - pad).max(-1.0).min(high - 0.05),
            (high + pad).min(1.0).max(low + 0.05),
        ),
        note,
        style: BarStyle::Points,
    })
}
