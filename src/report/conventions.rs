//! The report section "The same data under each convention": every field convention's
//! figures side by side, each with one line on how it is computed, per class, StarDist's
//! matching table and the agreement of per-image counts.

use super::frame_table::{markdown_table, ColumnSpec};
use super::markdown::{count, embed, number, FigureIndex, Table};
use crate::comparison::run::ComparisonReport;
use crate::conventions::{Convention, ConventionsReport, ConventionsSummary};
use crate::error::Result;
use crate::tables::conventions::{figure_name, CONVENTION_FIGURES};
use polars::prelude::DataFrame;
use std::fmt::Write;

/// The frames the section renders, as written beside the report.
pub struct ConventionFrames<'a> {
    pub overview: &'a DataFrame,
    pub per_class: &'a DataFrame,
    pub stardist: &'a DataFrame,
}

/// The chosen convention's headline figures (`--convention`), for the top of the report.
pub fn convention_headline(report: &ComparisonReport) -> Option<Table> {
    let convention = report.params.convention;
    let summary = report.conventions.as_ref()?;
    if convention == Convention::Nucls {
        return None;
    }
    let mut table = Table::with_left_columns(&["figure", "computed as", "value"], 2);
    for figure in CONVENTION_FIGURES
        .iter()
        .filter(|f| f.convention == convention)
    {
        table.row(vec![
            figure_name(figure, summary),
            figure.how.to_string(),
            number((figure.value)(Some(report), summary), 3),
        ]);
    }
    Some(table)
}

/// The section.
pub fn conventions_section(
    out: &mut String,
    summary: &ConventionsSummary,
    frames: &ConventionFrames<'_>,
    figures: &FigureIndex,
) -> Result<()> {
    out.push_str("\n## The same data under each convention\n\n");
    let measured = &summary.measured;
    let how = match (measured.pixels, measured.outlines) {
        (_, 0) => "counted in pixels on the label maps, as the peers count them".to_string(),
        (0, _) => "computed exactly on the outlines (continuous geometry), where the peers would count the pixels of rasterised outlines".to_string(),
        (p, o) => format!("counted in pixels for the {} images read from label maps on both sides, computed on the outlines for the other {}", count(p), count(o)),
    };
    writeln!(
        out,
        "The {} images (FOVs) both sets have, B as the truth, every nucleus counted (no FOV crop), classes at the {} level. Areas and overlaps are {how}. Each peer's evaluation code pairs, averages and smooths differently, so one prediction gets different numbers from each; the table says how each figure is made.\n",
        count(summary.images),
        summary.level.name()
    )
    .unwrap();
    if measured.approximated > 0 {
        writeln!(
            out,
            "In {} images too crowded for the peers' exact assignments in seconds (hundreds of instances drawn over each other, or more than {} centroid pairs, which no label map of the peers' sizes holds), the pairings were approximated: the largest groups of overlapping instances assigned greedily, HoVer-Net's type pairing made over pairs within its radius only.\n",
            count(measured.approximated),
            count(crate::conventions::pairing::NEAREST_DENSE_LIMIT)
        )
        .unwrap();
    }
    let columns = [
        ColumnSpec::text("convention", "convention"),
        ColumnSpec::text("figure", "figure"),
        ColumnSpec::text("how", "computed as"),
        ColumnSpec::fixed("value", "value", 3),
    ];
    out.push_str(&markdown_table(frames.overview, &columns, 3, |_| true)?.render());
    let hovernet = &summary.figures.hovernet;
    let failed_aji = summary
        .counts
        .iter()
        .filter(|c| c.pred.iter().sum::<u64>() == 0 && c.truth.iter().sum::<u64>() > 0)
        .count();
    out.push_str("\nWhere a peer's code fails or divides by zero, the defined value is given: HoVer-Net's AJI raises on an empty prediction (here 0, counted in its mean), its Dice2 divides by zero when no pair overlaps (here undefined, left out of its mean).");
    if failed_aji > 0 {
        write!(
            out,
            " {} image(s) have an empty prediction.",
            count(failed_aji)
        )
        .unwrap();
    }
    if hovernet.placeholder_images > 0 {
        write!(
            out,
            " HoVer-Net's type statistics give an image without instances on one side a placeholder instance at (0, 0) of type 0; {} image(s) got one, reproduced as its code does.",
            count(hovernet.placeholder_images)
        )
        .unwrap();
    }
    out.push('\n');

    out.push_str("\n### Per class\n\n");
    let per_class = [
        ColumnSpec::text("class", "class"),
        ColumnSpec::count("truth", "truth (B)"),
        ColumnSpec::count("pred", "prediction (A)"),
        ColumnSpec::fixed("count_r2", "count R²", 3),
        ColumnSpec::fixed("hovernet_f_c", "HoVer-Net F_c", 3),
        ColumnSpec::fixed("conic_pq_plus", "CoNIC PQ+", 3),
        ColumnSpec::fixed("pannuke_pq", "PanNuke PQ", 3),
    ];
    out.push_str(&markdown_table(frames.per_class, &per_class, 1, |_| true)?.render());
    out.push_str("\nF_c is over the classes the truth has (HoVer-Net's default); CoNIC's PQ+ pools each class's pairs over all images and counts an absent class as 0 in mPQ+; PanNuke's PQ averages over the images whose truth has the class. Count R² is scikit-learn's, per class, of the per-image counts.\n");

    let thresholds = summary.figures.stardist.pooled.0.len();
    writeln!(
        out,
        "\n### StarDist's matching table\n\nPooled over images (counts summed), at {} IoU threshold(s); `stardist.csv` also has the means over images.\n",
        thresholds
    )
    .unwrap();
    let stardist = [
        ColumnSpec::fixed("threshold", "IoU ≥", 2),
        ColumnSpec::count("tp", "TP"),
        ColumnSpec::count("fp", "FP"),
        ColumnSpec::count("fn", "FN"),
        ColumnSpec::fixed("precision", "precision", 3),
        ColumnSpec::fixed("recall", "recall", 3),
        ColumnSpec::fixed("f1", "F1", 3),
        ColumnSpec::fixed("accuracy", "accuracy", 3),
        ColumnSpec::fixed("mean_matched_score", "mean matched IoU", 3),
        ColumnSpec::fixed("panoptic_quality", "PQ", 3),
    ];
    out.push_str(&markdown_table(frames.stardist, &stardist, 0, |row| row < thresholds)?.render());

    out.push_str("\n### Counts per image\n\n");
    let mut table = Table::with_left_columns(&["class", "bias (A − B)", "limits of agreement"], 1);
    for (name, agreement) in &summary.count_agreement.0 {
        let limits = match (agreement.lower, agreement.upper) {
            (Some(l), Some(u)) => format!("{} to {}", number(Some(l), 2), number(Some(u), 2)),
            _ => number(None, 2),
        };
        table.row(vec![name.clone(), number(agreement.bias, 2), limits]);
    }
    out.push_str(&table.render());
    writeln!(
        out,
        "\nBland-Altman agreement of each class's count per image: the bias is the mean of A − B, the limits bias ± 1.96 SD of the differences (sample SD). CoNIC's multi-class R² of these counts is {}. Every image's counts are in `image_counts.csv`.",
        number(summary.figures.conic.multi_r2, 3)
    )
    .unwrap();
    embed(out, figures, "count_agreement");
    Ok(())
}

/// Bland-Altman panels of the per-image counts of each class the images have.
pub(super) fn count_agreement(
    summary: &crate::conventions::ConventionsSummary,
) -> Option<crate::plots::BlandAltmanGrid> {
    let panels: Vec<crate::plots::BlandAltmanPanel> = summary
        .class_names
        .iter()
        .enumerate()
        .filter(|(class, _)| {
            summary
                .counts
                .iter()
                .any(|c| c.truth[*class] + c.pred[*class] > 0)
        })
        .map(|(class, name)| {
            let points = summary
                .counts
                .iter()
                .map(|c| {
                    let (t, p) = (c.truth[class] as f64, c.pred[class] as f64);
                    (0.5 * (t + p), p - t)
                })
                .collect();
            let agreement = summary.count_agreement.get(name);
            crate::plots::BlandAltmanPanel {
                title: name.clone(),
                points,
                bias: agreement.and_then(|a| a.bias),
                limits: agreement.and_then(|a| a.lower.zip(a.upper).map(|(l, u)| [l, u])),
            }
        })
        .collect();
    (!panels.is_empty()).then(|| crate::plots::BlandAltmanGrid {
        title: "Nuclei per image: A minus B (prediction minus truth) against their mean".into(),
        x_label: "mean count".into(),
        y_label: "difference".into(),
        columns: panels.len().min(3),
        panels,
    })
}

/// The whole `report.md` of `nucagree conventions`.
pub fn conventions_report_markdown(
    report: &ConventionsReport,
    frames: &ConventionFrames<'_>,
    figures: &FigureIndex,
    files: &[String],
) -> Result<String> {
    let mut out = format!(
        "# Instance metrics of `{}` against the truth `{}`, under each convention\n\n",
        report.pred.name, report.truth.name
    );
    let mut inputs = Table::with_left_columns(&["set", "role", "path", "images", "nuclei"], 3);
    for (set, role) in [
        (&report.pred, "prediction (A)"),
        (&report.truth, "truth (B)"),
    ] {
        inputs.row(vec![
            format!("`{}`", set.name),
            role.into(),
            format!("`{}`", set.path),
            count(set.fovs),
            count(set.nuclei),
        ]);
    }
    out.push_str(&inputs.render());
    conventions_section(&mut out, &report.conventions, frames, figures)?;
    for (level, summary) in &report.levels.0 {
        writeln!(out, "\nAt the {level} level (`levels.{level}` in `summary.json`): CoNIC mPQ+ {}, PanNuke mPQ {}, HoVer-Net type accuracy {}.", number(summary.figures.conic.mpq_plus, 3), number(summary.figures.pannuke.mpq, 3), number(summary.figures.hovernet.acc_type, 3)).unwrap();
    }
    for (set, role) in [(&report.pred, "A"), (&report.truth, "B")] {
        if !set.data_quality.is_empty() {
            writeln!(out, "\nData quality of `{}` ({role}):\n", set.name).unwrap();
            for finding in &set.data_quality {
                writeln!(out, "- {}: {}", finding.description, count(finding.count)).unwrap();
            }
        }
    }
    writeln!(out, "\nComputed with nucagree {}.", report.version).unwrap();
    out.push_str("\n## Files\n\n");
    for f in files {
        writeln!(out, "- [`{f}`]({f})").unwrap();
    }
    Ok(out)
}
