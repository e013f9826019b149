//! The boundary-agreement section of the agreement report and its sentence in the methods
//! paragraph.

use super::markdown::{count, embed, number, FigureIndex, Table};
use crate::agreement::boundary::TruthOutline;
use crate::agreement::boundary_summary::{BoundaryReport, SIZE_GROUPS};
use crate::plots::{LegendPosition, LinePattern, Lines, Series};
use std::fmt::Write;

/// How boundary agreement was measured and which outline the truth set draws.
pub(super) fn boundary_sentence(b: &BoundaryReport) -> String {
    format!(
        " Boundary agreement is measured on the anchors at least two raters outlined (points have no outline; a self-intersecting outline counts as its box): the consensus outline is the region at least half of those raters cover, computed exactly (vertical slabs between every vertex and edge crossing), each rater's outline is scored by its IoU with it (the rater's own outline is one of those the consensus is made of), and each pair of outlines by the symmetric Hausdorff distance between their boundaries, over every point of every edge (not only the vertices, as GEOS's discrete distance; within 1e-9 relative); IoUs are summarised over outlines and distances over anchors (each anchor's mean over its pairs), in {SIZE_GROUPS} equal-count groups by consensus area. The truth set draws each nucleus with {}.",
        match b.truth_outline {
            TruthOutline::Medoid => "its medoid's outline",
            TruthOutline::Consensus =>
                "its consensus outline (its medoid's where fewer than two raters outlined it or the consensus is empty), and the model and the simulated truth are matched to those outlines",
        }
    )
}

/// Each group's mean IoU with the consensus by size group, and every outline's (dashed); `None`
/// when nothing is measured.
pub(super) fn boundary_figure(b: &BoundaryReport) -> Option<Lines> {
    if b.anchors == 0 {
        return None;
    }
    let x = |q: usize| (q + 1) as f64;
    let mut series: Vec<Series> = b
        .groups
        .iter()
        .map(|g| {
            let mut s = Series::new(
                &g.group,
                g.mean_iou
                    .iter()
                    .enumerate()
                    .filter_map(|(q, v)| Some((x(q), (*v)?)))
                    .collect(),
            );
            s.markers = true;
            s
        })
        .filter(|s| !s.points.is_empty())
        .collect();
    let mut all = Series::new(
        "all raters",
        b.by_size
            .iter()
            .enumerate()
            .filter_map(|(q, band)| Some((x(q), band.mean_iou?)))
            .collect(),
    );
    all.pattern = LinePattern::Dashed;
    all.colour = Some(series.len());
    series.push(all);
    let low = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .fold(1.0f64, f64::min);
    Some(Lines {
        title: "Outlines against the consensus, by size".into(),
        x_label: format!("size group (consensus area, 1 = smallest of {SIZE_GROUPS})"),
        y_label: "mean IoU with the consensus outline".into(),
        x_range: (0.7, SIZE_GROUPS as f64 + 0.3),
        y_range: (((low - 0.05) * 20.0).floor() / 20.0, 1.0),
        series,
        legend_position: LegendPosition::Below,
        marks: Vec::new(),
    })
}

/// The section: the figures over every measured anchor, by size group and by rater.
pub(super) fn boundary_section(out: &mut String, b: &BoundaryReport, figures: &FigureIndex) {
    out.push_str("\n## Boundary agreement\n\n");
    if b.anchors == 0 {
        writeln!(
            out,
            "No anchor was outlined by two raters or more ({} anchors, each outlined by fewer), so boundary agreement is not measured.",
            count(b.unmeasured)
        )
        .unwrap();
        return;
    }
    let o = &b.overall;
    writeln!(
        out,
        "{} anchors were outlined by at least two raters ({} outlines; {} anchors outlined by fewer are not measured). The raters' outlines have a median IoU of {} (mean {}) with the consensus outline, the region at least half of them cover, and two raters' outlines of one nucleus lie a median of {} px apart (mean {} px; symmetric Hausdorff distance between boundaries, each anchor's mean over its pairs).{}\n",
        count(b.anchors),
        count(o.outlines),
        count(b.unmeasured),
        number(o.median_iou, 3),
        number(o.mean_iou, 3),
        number(o.median_hausdorff, 2),
        number(o.mean_hausdorff, 2),
        [
            (b.empty_consensus > 0).then(|| format!(
                " {} anchors have an empty consensus (no point covered by half their raters).",
                count(b.empty_consensus)
            )),
            (b.outlines_of_pieces > 0).then(|| format!(
                " {} of the truth set's outlines have several pieces or holes; its CSVs hold each as its largest piece's outer ring.",
                count(b.outlines_of_pieces)
            )),
        ]
        .into_iter()
        .flatten()
        .collect::<String>()
    )
    .unwrap();
    let mut table = Table::new(&[
        "size (consensus area)",
        "area, px²",
        "anchors",
        "median IoU",
        "mean IoU",
        "median Hausdorff, px",
        "mean Hausdorff, px",
    ]);
    for band in b.by_size.iter().chain([o]) {
        table.row(vec![
            match band.quintile {
                Some(1) => "Q1 (smallest)".to_string(),
                Some(q) if q == SIZE_GROUPS => format!("Q{q} (largest)"),
                Some(q) => format!("Q{q}"),
                None => "all".to_string(),
            },
            match (band.area_min, band.area_max) {
                (Some(low), Some(high)) => format!("{low:.0}–{high:.0}"),
                _ => "—".to_string(),
            },
            count(band.anchors),
            number(band.median_iou, 3),
            number(band.mean_iou, 3),
            number(band.median_hausdorff, 2),
            number(band.mean_hausdorff, 2),
        ]);
    }
    out.push_str(&table.render());
    embed(out, figures, "boundary_by_size");
    let rho = |r: Option<f64>| r.map_or("—".to_string(), |r| format!("{r:+.3}"));
    let reading = match b.size_iou_spearman {
        Some(r) if r >= 0.1 => "smaller nuclei are outlined less alike",
        Some(r) if r <= -0.1 => "larger nuclei are outlined less alike, relative to their size",
        Some(_) => "outlines agree about as well, relative to size, at every size",
        None => "no trend can be computed",
    };
    writeln!(
        out,
        "\nSpearman's ρ of an anchor's consensus area with its raters' mean IoU with the consensus is {} ({reading}); with its mean pairwise Hausdorff distance, {} (a distance in pixels grows with size by itself, so compare distances within a size group).\n",
        rho(b.size_iou_spearman),
        rho(b.size_hausdorff_spearman),
    )
    .unwrap();
    let mut table = Table::new(&[
        "rater",
        "group",
        "anchors",
        "median IoU",
        "mean IoU",
        "mean Hausdorff to the others, px",
    ]);
    for r in &b.raters {
        table.row(vec![
            r.rater.clone(),
            r.group.clone(),
            count(r.anchors),
            number(r.median_iou, 3),
            number(r.mean_iou, 3),
            number(r.mean_hausdorff, 2),
        ]);
    }
    out.push_str(&table.render());
    out.push_str("\nBy size and by rater in `boundary_by_size.csv` and `boundary_by_rater.csv`.\n");
}
