//! The report of `regions`: headline agreement at each level, per-class Dice, the pixel
//! confusion matrix (rows the reference), agreement by slide, hospital and fold, what was
//! left out, the methods paragraph (written from the parameters used) and the figures.

use super::figures::{later, later_raster, Pending};
use super::markdown::{count, embed, number, FigureIndex, Table};
use crate::plots::{BarSeries, BarStyle, Bars, ColourScale, Heatmap};
use crate::regions::overlay::RoiDisagreement;
use crate::regions::summary::{Estimate, RegionLevelSummary, RegionReport};
use std::fmt::Write as _;

/// A value with its interval: `0.912 [0.880, 0.941]`, or "—".
fn with_interval(e: &Estimate) -> String {
    match (e.value, e.ci95) {
        (Some(_), Some([low, high])) => format!(
            "{} [{}, {}]",
            number(e.value, 3),
            number(Some(low), 3),
            number(Some(high), 3)
        ),
        _ => number(e.value, 3),
    }
}

/// The classes either set holds at a level (those in neither are left out of the report's
/// tables and figures, and kept in the CSV tables).
fn held(l: &RegionLevelSummary) -> Vec<usize> {
    (0..l.classes.len())
        .filter(|&c| l.per_class[c].pixels_a + l.per_class[c].pixels_b > 0)
        .collect()
}

/// The figures: per level, the confusion matrix as row shares and the per-class Dice; then
/// the overlays.
pub(super) fn region_figures<'a>(
    report: &'a RegionReport,
    overlays: &'a [RoiDisagreement],
) -> Vec<Pending<'a>> {
    let mut pending = Vec::new();
    for l in &report.levels {
        let shown = held(l);
        let shares: Vec<Vec<Option<f64>>> = shown
            .iter()
            .map(|&b| {
                let row = &l.confusion[b];
                let n: u64 = row.iter().sum();
                shown
                    .iter()
                    .map(|&a| (n > 0).then(|| row[a] as f64 / n as f64))
                    .collect()
            })
            .collect();
        let labels: Vec<String> = shown.iter().map(|&c| l.classes[c].clone()).collect();
        let cell_text = shares
            .iter()
            .map(|row| row.iter().map(|v| number(*v, 2)).collect())
            .collect();
        let empty_rows: Vec<usize> = shares
            .iter()
            .enumerate()
            .filter(|(_, row)| row.iter().all(Option::is_none))
            .map(|(r, _)| r)
            .collect();
        let chart = Heatmap {
            title: format!("Pixel confusion, {} level (row shares)", l.level.name()),
            row_title: "the reference's (B's) class".into(),
            column_title: "the compared set's (A's) class".into(),
            row_labels: labels.clone(),
            column_labels: labels.clone(),
            values: shares,
            cell_text,
            scale: ColourScale::Sequential { min: 0.0, max: 1.0 },
            colour_label: "share of the row's pixels".into(),
            blank_cells: Heatmap::whole_rows(&empty_rows, shown.len()),
            separators: Vec::new(),
            note: "Each row sums to 1; rows with no reference pixels are left empty.".into(),
        };
        let size = chart.natural_size();
        pending.push(later(
            &format!("confusion_{}", l.level.name()),
            &format!("Pixel confusion at the {} level", l.level.name()),
            chart,
            size,
        ));
        let bars = Bars {
            title: format!(
                "Dice per class, {} level (95% interval over ROIs)",
                l.level.name()
            ),
            value_label: "Dice".into(),
            categories: labels,
            series: vec![BarSeries {
                name: "Dice".into(),
                values: shown.iter().map(|&c| l.per_class[c].dice.value).collect(),
                intervals: shown.iter().map(|&c| l.per_class[c].dice.ci95).collect(),
            }],
            value_range: (0.0, 1.0),
            note: String::new(),
            style: BarStyle::Bars,
        };
        let size = bars.natural_size();
        pending.push(later(
            &format!("dice_{}", l.level.name()),
            &format!("Dice per class at the {} level", l.level.name()),
            bars,
            size,
        ));
    }
    for (index, overlay) in overlays.iter().enumerate() {
        let chart = super::overlays::disagreement_chart(overlay);
        let size = chart.natural_size();
        let caption = format!(
            "{}: main classes agree on {} of pixels",
            overlay.roi,
            number(overlay.accuracy.map(|a| 100.0 * a), 1) + "%"
        );
        pending.push(later_raster(
            &format!("overlay_{}", index + 1),
            &caption,
            chart,
            size,
        ));
    }
    pending
}

fn level_section(
    out: &mut String,
    report: &RegionReport,
    l: &RegionLevelSummary,
    figures: &FigureIndex,
) {
    let level = l.level.name();
    writeln!(out, "\n## {} level\n", capitalised(level)).unwrap();
    let area = |pixels: u64| match report.params.mpp {
        Some(m) => format!("{} µm²", number(Some(pixels as f64 * m * m), 0)),
        None => count(pixels as usize),
    };
    let mut classes = Table::with_left_columns(
        &[
            "class",
            "reference (B)",
            "compared (A)",
            "Dice [95% CI]",
            "IoU",
        ],
        1,
    );
    let shown = held(l);
    for p in shown.iter().map(|&c| &l.per_class[c]) {
        let mut name = p.class.clone();
        if p.pixels_b == 0 {
            name.push_str(" (not in the reference)");
        }
        classes.row(vec![
            name,
            area(p.pixels_b),
            area(p.pixels_a),
            with_interval(&p.dice),
            number(p.iou, 3),
        ]);
    }
    out.push_str(&classes.render());
    let absent = l.classes.len() - shown.len();
    if absent > 0 {
        writeln!(
            out,
            "\n{absent} classes neither set holds are left out here and kept in `per_class.csv`."
        )
        .unwrap();
    }
    embed(out, figures, &format!("dice_{level}"));
    writeln!(
        out,
        "\nPixel confusion (rows: the reference B's class; columns: A's class; {}):\n",
        if report.params.mpp.is_some() {
            "µm²"
        } else {
            "pixels"
        }
    )
    .unwrap();
    let mut headers = vec!["reference \\ compared".to_string()];
    headers.extend(shown.iter().map(|&c| l.classes[c].clone()));
    headers.push("total".into());
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut confusion = Table::with_left_columns(&header_refs, 1);
    for &b in &shown {
        let row = &l.confusion[b];
        let mut cells = vec![l.classes[b].clone()];
        cells.extend(shown.iter().map(|&a| area(row[a])));
        cells.push(area(row.iter().sum()));
        confusion.row(cells);
    }
    out.push_str(&confusion.render());
    embed(out, figures, &format!("confusion_{level}"));
    for by in ["slide", "hospital", "fold"] {
        let rows: Vec<_> = report
            .groups
            .iter()
            .filter(|g| g.by == by && g.level == l.level)
            .collect();
        if rows.len() < 2 {
            continue;
        }
        writeln!(out, "\nBy {by}:\n").unwrap();
        let mut table =
            Table::with_left_columns(&[by, "ROIs", "pixels", "accuracy", "κ", "mean Dice"], 1);
        // Intervals over the group's ROIs (none for a group of one ROI).
        for g in rows {
            table.row(vec![
                g.group.clone(),
                count(g.rois),
                count(g.pixels as usize),
                with_interval(&g.accuracy),
                with_interval(&g.kappa),
                with_interval(&g.mean_dice),
            ]);
        }
        out.push_str(&table.render());
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The methods paragraph, from the parameters used.
fn methods(report: &RegionReport) -> String {
    let p = &report.params;
    let code = |c: Option<u32>| c.map_or("none".to_string(), |c| c.to_string());
    let mut text = format!(
        "Region masks of `{}` were compared with those of the reference `{}`, region of interest (ROI) by ROI (ROIs matched by file name), pixel by pixel. Pixels outside the ROI in either mask (code {}) and pixels under the ignore code in either (code {}) were left out and counted. At each class level (the raw classes, and the main classes they group into) the pixel confusion matrix gives the pixel accuracy, Cohen's kappa on pixels, and per class the Dice coefficient 2|A∩B|/(|A|+|B|) and the IoU |A∩B|/|A∪B|; the mean Dice averages the classes present in the reference (a class only A shows has Dice 0, without an interval). ",
        report.a,
        report.b,
        code(p.outside_code),
        code(p.ignore_code)
    );
    match &p.bootstrap {
        Some(b) => write!(
            text,
            "Pixels of one ROI are not independent, so no pixel-level standard error is given: 95% intervals come from a cluster bootstrap over ROIs ({} replicates, {}, seed {}); a slide, hospital or fold resamples its own ROIs (over a handful of ROIs such an interval is rough), and one of a single ROI has no interval.",
            b.replicates,
            match b.method {
                crate::stats::bootstrap::IntervalMethod::Bca => "bias-corrected and accelerated",
                crate::stats::bootstrap::IntervalMethod::Percentile => "percentile",
            },
            b.seed
        )
        .unwrap(),
        None => text.push_str("No intervals were computed (`--bootstrap 0`)."),
    }
    if let Some(m) = p.mpp {
        write!(text, " Areas are in µm² at {m} µm per pixel.").unwrap();
    }
    text
}

/// Pixel accuracy, kappa and mean Dice at each level, with their intervals.
pub(super) fn headline_table(report: &RegionReport) -> Table {
    let mut headline =
        Table::with_left_columns(&["level", "pixel accuracy", "κ (pixels)", "mean Dice"], 1);
    for l in &report.levels {
        headline.row(vec![
            l.level.name().into(),
            with_interval(&l.accuracy),
            with_interval(&l.kappa),
            with_interval(&l.mean_dice),
        ]);
    }
    headline
}

/// The report as Markdown.
pub fn regions_markdown(report: &RegionReport, figures: &FigureIndex, files: &[String]) -> String {
    let mut out = format!(
        "# Region agreement: `{}` against the reference `{}`\n\n",
        report.a, report.b
    );
    let c = &report.counts;
    writeln!(
        out,
        "{} ROIs compared, {} pixels; left out: {} outside either ROI, {} under the ignore code.\n",
        count(c.rois),
        count(c.pixels_compared as usize),
        count(c.pixels_outside as usize),
        count(c.pixels_ignored as usize)
    )
    .unwrap();
    out.push_str(&headline_table(report).render());
    for l in &report.levels {
        level_section(&mut out, report, l, figures);
    }
    if figures.get("overlay_1").is_some() {
        out.push_str("\n## Where they disagree\n\nThe ROIs whose main classes agree on the smallest share of pixels, lowest first: each cell darkened by the share of its pixels whose main classes differ, over the ROI image where one was found beside the masks (else the reference's main classes).\n");
        for index in 1.. {
            let name = format!("overlay_{index}");
            if figures.get(&name).is_none() {
                break;
            }
            embed(&mut out, figures, &name);
        }
    }
    out.push_str("\n## Data quality\n\n");
    writeln!(
        out,
        "- pixels outside the ROI in either mask: {}",
        count(c.pixels_outside as usize)
    )
    .unwrap();
    writeln!(
        out,
        "- pixels under the ignore code: {}",
        count(c.pixels_ignored as usize)
    )
    .unwrap();
    for (side, names) in [("A", &c.only_in_a), ("B", &c.only_in_b)] {
        writeln!(
            out,
            "- ROIs only in {side} (not compared): {}{}",
            count(names.len()),
            if names.is_empty() {
                String::new()
            } else {
                format!(
                    " ({})",
                    names.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
                )
            }
        )
        .unwrap();
    }
    writeln!(out, "\n## Methods\n\n{}", methods(report)).unwrap();
    footer(&mut out, files);
    out
}

/// The version line and the list of files written.
fn footer(out: &mut String, files: &[String]) {
    writeln!(
        out,
        "\nComputed with nucagree {}.",
        env!("CARGO_PKG_VERSION")
    )
    .unwrap();
    out.push_str("\n## Files\n\n");
    for f in files {
        writeln!(out, "- [`{f}`]({f})").unwrap();
    }
}

/// A region study's figures: per level, the pairwise kappa on pixels (diagonal blank).
pub(super) fn region_study_figures(
    report: &crate::regions::study::RegionStudyReport,
) -> Vec<Pending<'_>> {
    report
        .levels
        .iter()
        .map(|l| {
            let off_diagonal = l.pairwise_kappa.iter().enumerate().flat_map(|(i, row)| {
                row.iter()
                    .enumerate()
                    .filter(move |(j, _)| *j != i)
                    .filter_map(|(_, k)| *k)
            });
            let (low, high) =
                off_diagonal.fold((1.0f64, 0.0f64), |(lo, hi), k| (lo.min(k), hi.max(k)));
            let low = (low * 20.0).floor() / 20.0;
            let high = ((high * 20.0).ceil() / 20.0).max(low + 0.1);
            let chart = Heatmap {
                title: format!("Pairwise Cohen's κ on pixels, {} level", l.level.name()),
                row_title: "rater".into(),
                column_title: "rater".into(),
                row_labels: report.raters.clone(),
                column_labels: report.raters.clone(),
                values: l.pairwise_kappa.clone(),
                cell_text: l
                    .pairwise_kappa
                    .iter()
                    .map(|row| row.iter().map(|k| number(*k, 2)).collect())
                    .collect(),
                scale: ColourScale::Sequential {
                    min: low,
                    max: high,
                },
                colour_label: "Cohen's κ".into(),
                blank_cells: Heatmap::diagonal(report.raters.len()),
                separators: Vec::new(),
                note: "Each pair on the pixels both rated.".into(),
            };
            let size = chart.natural_size();
            later(
                &format!("pairwise_kappa_{}", l.level.name()),
                &format!(
                    "Pairwise Cohen's κ on pixels at the {} level",
                    l.level.name()
                ),
                chart,
                size,
            )
        })
        .collect()
}

/// Fleiss' kappa and Krippendorff's alpha at each level, with their intervals.
pub(super) fn study_headline_table(report: &crate::regions::study::RegionStudyReport) -> Table {
    let mut table = Table::with_left_columns(
        &[
            "level",
            "Fleiss' κ [95% CI]",
            "pixels every rater rated",
            "Krippendorff's α [95% CI]",
        ],
        1,
    );
    for l in &report.levels {
        table.row(vec![
            l.level.name().into(),
            with_interval(&l.fleiss_kappa),
            count(l.fleiss_pixels as usize),
            with_interval(&l.krippendorff_alpha),
        ]);
    }
    table
}

/// The report of a multi-rater study of region masks, as Markdown.
pub fn region_study_markdown(
    report: &crate::regions::study::RegionStudyReport,
    figures: &FigureIndex,
    files: &[String],
) -> String {
    let mut out = format!(
        "# Agreement of {} raters on tissue regions\n\n{} ROIs annotated by at least two raters; raters: {}.\n\n",
        report.raters.len(),
        count(report.rois),
        report.raters.join(", ")
    );
    out.push_str(&study_headline_table(report).render());
    for l in &report.levels {
        writeln!(
            out,
            "\nPairwise Cohen's κ on pixels, {} level:\n",
            l.level.name()
        )
        .unwrap();
        let mut headers = vec!["".to_string()];
        headers.extend(report.raters.iter().cloned());
        let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
        let mut matrix = Table::with_left_columns(&refs, 1);
        for (i, rater) in report.raters.iter().enumerate() {
            let mut cells = vec![rater.clone()];
            cells.extend((0..report.raters.len()).map(|j| number(l.pairwise_kappa[i][j], 3)));
            matrix.row(cells);
        }
        out.push_str(&matrix.render());
        embed(
            &mut out,
            figures,
            &format!("pairwise_kappa_{}", l.level.name()),
        );
    }
    out.push_str("\n## Methods\n\nEvery pixel counts (none is sampled). A rater's pixel outside the ROI or under the ignore code is no rating. Fleiss' kappa takes the pixels every rater rated (it needs as many ratings per pixel); Krippendorff's alpha (nominal) every pixel with at least two ratings, through the coincidence matrix; each pair's Cohen's kappa the pixels both rated. Intervals come from a bootstrap over ROIs, whose pixels are not independent.\n");
    footer(&mut out, files);
    out
}

/// The section of a comparison's report on nuclei within tissue regions.
pub fn region_strata_section(
    out: &mut String,
    strata: &crate::comparison::region_strata::RegionStrata,
) {
    writeln!(
        out,
        "\n## By tissue region\n\nEach nucleus in the region under the reference nucleus's centroid (its own, for a nucleus only A has), from the region masks of `{}` ({} FOVs with a mask); every nucleus counts here, the ambiguous classes included; classes of pairs at the main level. Left out: {} nuclei outside the ROI or under the ignore code, {} in FOVs without a mask.\n",
        strata.masks,
        count(strata.fovs_with_masks),
        count(strata.outside_regions as usize),
        count(strata.without_mask as usize)
    )
    .unwrap();
    let p = &strata.placement;
    let mask_mpp = p.mask_mpp.map_or_else(
        || "the µm per pixel in its name (`_MPP-`)".to_string(),
        |m| format!("{m} µm per pixel"),
    );
    if strata.fovs_on_slide_masks > 0 {
        let scale = p.name_scale.get();
        writeln!(
            out,
            "{} FOVs were placed on a larger mask of their slide, named with its offset: a nucleus at (x, y) in the FOV image lies at the slide's base pixel (left + x / {scale}, top + y / {scale}), from the corner in the FOV's name ({scale} image pixels per base pixel: annotations at {} µm per pixel, the base at {} µm per pixel), and on the mask (at {mask_mpp}, else the base's) at (base − the mask's offset) × base µm / mask µm.\n",
            count(strata.fovs_on_slide_masks),
            p.annotation_mpp,
            number(Some(p.base_mpp()), 4)
        )
        .unwrap();
    }
    if strata.fovs_with_masks > strata.fovs_on_slide_masks {
        if let Some(m) = p.mask_mpp {
            writeln!(
                out,
                "Masks named by their FOV are at {m} µm per pixel, the annotations at {} µm per pixel: a nucleus at (x, y) lies at mask pixel (x, y) × {} / {m}.\n",
                p.annotation_mpp, p.annotation_mpp
            )
            .unwrap();
        }
    }
    let mut table = Table::with_left_columns(
        &[
            "region",
            "TP",
            "FP",
            "FN",
            "precision",
            "recall",
            "F1",
            "class accuracy",
            "κ (classes)",
        ],
        1,
    );
    for s in &strata.strata {
        let mut cells = vec![s.region.clone()];
        cells.extend(super::markdown::detection_cells(&s.detection));
        cells.extend([number(s.class_accuracy, 3), number(s.class_kappa, 3)]);
        table.row(cells);
    }
    out.push_str(&table.render());
}
