//! The Markdown report of `compare` and `score` (`report.md`).

use super::comparison_figures::Sides;
use super::comparison_methods::methods;
use super::comparison_sections::{data_quality, group_section, mean_ap_classes};
use super::frame_table::{markdown_table, ColumnSpec, DETECTION_COLUMNS};
use super::markdown::{count, embed, number, FigureIndex, Table, UNDEFINED};
use crate::comparison::figure::Figure;
use crate::comparison::run::{ComparisonReport, Job};
use crate::comparison::summary::LevelSummary;
use crate::error::Result;
use crate::geometry::IouShape;
use crate::model::ClassLevel;
use polars::prelude::DataFrame;
use std::fmt::Write;

/// A value with its interval: `0.912 [0.898, 0.925]`.
fn with_ci(value: Option<f64>, ci: Option<[f64; 2]>) -> String {
    match (value, ci) {
        (Some(_), Some([low, high])) => {
            format!("{} [{:.3}, {:.3}]", number(value, 3), low, high)
        }
        _ => number(value, 3),
    }
}

fn level_title(level: ClassLevel) -> &'static str {
    match level {
        ClassLevel::Raw => "Raw classes",
        ClassLevel::Main => "Main classes",
        ClassLevel::Super => "Super classes",
    }
}

/// The whole `report.md`; `files` lists the tables written beside it.
/// The tables of `tables::comparison` the report renders, as written beside it.
pub struct ReportFrames<'a> {
    pub per_class: &'a DataFrame,
    pub conventions: Option<super::conventions::ConventionFrames<'a>>,
    pub by_hospital: &'a DataFrame,
    pub by_fold: &'a DataFrame,
}

/// The report.
pub fn comparison(
    report: &ComparisonReport,
    files: &[String],
    figures: &FigureIndex,
    frames: &ReportFrames<'_>,
) -> Result<String> {
    let mut out = String::new();
    let r = &report.result;
    let score = report.command == Job::Score;
    let (a_role, b_role) = if score {
        ("predictions", "truth")
    } else {
        ("A (compared)", "B (reference)")
    };
    if score {
        writeln!(
            out,
            "# Scoring `{}` against the truth `{}`\n",
            report.inputs.a.name, report.inputs.b.name
        )
        .unwrap();
    } else {
        writeln!(
            out,
            "# Comparing `{}` with the reference `{}`\n",
            report.inputs.a.name, report.inputs.b.name
        )
        .unwrap();
    }
    out.push_str("## Inputs\n\n");
    let mut inputs = Table::with_left_columns(
        &[
            "set",
            "role",
            "path",
            "FOVs",
            "nuclei read",
            "nuclei compared",
        ],
        3,
    );
    for (set, role, compared) in [
        (&report.inputs.a, a_role, report.counts.a),
        (&report.inputs.b, b_role, report.counts.b),
    ] {
        inputs.row(vec![
            format!("`{}`", set.name),
            role.into(),
            format!("`{}`", set.path),
            count(set.fovs),
            count(set.nuclei),
            count(compared),
        ]);
    }
    out.push_str(&inputs.render());
    let p = &report.params;
    let criterion = match (p.iou_threshold, p.radius_px) {
        (Some(t), _) => format!("IoU ≥ {t} of {}", p.shape.describe()),
        (_, Some(r)) => format!("centroid distance ≤ {r} px"),
        _ => UNDEFINED.into(),
    };
    writeln!(
        out,
        "\n{} FOVs compared. Nuclei paired one to one at {criterion} ({} pixel areas) by {} assignment; FOV crop: {}; ambiguous nuclei: {}.",
        count(report.counts.fovs), p.pixel_convention, p.matching, if p.fov_crop == crate::matching::FovCrop::ReferenceRegion { "to the reference's FOV region" } else { "off" }, p.ambiguous
    )
    .unwrap();
    if p.bootstrap_replicates > 0 {
        writeln!(
            out,
            "Intervals in brackets are 95% bootstrap intervals over FOVs ({} replicates, {}, seed {}).",
            count(p.bootstrap_replicates),
            p.bootstrap_method.map_or("", |m| match m {
                crate::stats::bootstrap::IntervalMethod::Bca => "BCa",
                crate::stats::bootstrap::IntervalMethod::Percentile => "percentile",
            }),
            p.seed.unwrap_or_default()
        )
        .unwrap();
    }

    out.push_str("\n## Headline\n\n");
    if let Some(table) = super::conventions::convention_headline(report) {
        writeln!(
            out,
            "Under {}'s convention (`--convention`; every convention is in its own section below):\n",
            report.params.convention
        )
        .unwrap();
        out.push_str(&table.render());
        out.push_str("\nUnder nucagree's (NuCLS) convention:\n\n");
    }
    out.push_str(&headline_table(report).render());
    out.push_str(
        "\nDetection (precision, recall, F1) is class-agnostic and the same at every level; classification is on the matched pairs.\n",
    );

    let seg = &r.levels.super_.segmentation;
    let d = &r.levels.super_.detection;
    let segmentation_pairs = if report.params.shape == IouShape::Auto {
        format!("the {} pairs of two outlines", count(seg.pairs as usize))
    } else {
        "matched pairs".to_string()
    };
    out.push_str("\n## Detection and segmentation\n\n");
    let mut detection = Table::new(&["", "value"]);
    detection
        .row(vec!["matched pairs (TP)".into(), count(d.tp as usize)])
        .row(vec![
            format!("unmatched in {a_role} (FP)"),
            count(d.fp as usize),
        ])
        .row(vec![
            format!("unmatched in {b_role} (FN)"),
            count(d.fn_ as usize),
        ])
        .row(vec![
            format!("mean IoU of {}", segmentation_pairs),
            with_ci(seg.mean_iou, r.levels.super_.interval(Figure::MeanIou)),
        ])
        .row(vec![
            format!("mean Dice of {}", segmentation_pairs),
            number(seg.mean_dice, 3),
        ])
        .row(vec!["panoptic quality (PQ)".into(), number(seg.pq, 3)]);
    out.push_str(&detection.render());
    let shapes = &r.shapes;
    writeln!(
        out,
        "\nMatched pairs by what their nuclei are drawn as: {} of two outlines, {} of two boxes, {} of an outline and a box{}.\n",
        count(shapes.pairs_outlines as usize),
        count(shapes.pairs_boxes as usize),
        count(shapes.pairs_mixed as usize),
        if shapes.pairs_with_point > 0 {
            format!(", {} with a point", count(shapes.pairs_with_point as usize))
        } else {
            String::new()
        }
    )
    .unwrap();
    let shape_header = format!("{b_role} nuclei drawn as");
    let mut by_shape = Table::with_left_columns(&[&shape_header, "nuclei", "matched", "recall"], 1);
    for s in shapes.reference.iter().filter(|s| s.nuclei > 0) {
        by_shape.row(vec![
            match s.shape {
                "polygon" => "outline".to_string(),
                other => other.to_string(),
            },
            count(s.nuclei as usize),
            count(s.matched as usize),
            number(s.recall, 3),
        ]);
    }
    out.push_str(&by_shape.render());
    if super::comparison_figures::all_ious_are_one(report) {
        out.push_str("\nEvery matched pair has IoU 1 (the two sets share these outlines), so the IoU histogram and detection F1 against the IoU threshold are left out: they would be one bar and a flat line.\n");
    } else {
        embed(&mut out, figures, "iou_histogram");
        embed(&mut out, figures, "f1_by_iou");
    }

    if score {
        out.push_str("\n## Average precision and score thresholds\n\n");
        let ap = r.objectness_ap.unwrap_or_default();
        writeln!(
            out,
            "Class-agnostic (objectness) AP: AP50 {}, AP75 {}, AP50:95 {}.",
            number(ap.ap50, 3),
            number(ap.ap75, 3),
            number(ap.ap50_95, 3)
        )
        .unwrap();
        match &r.score_threshold {
            Some(sweep) => {
                let mut t = Table::new(&[
                    "score threshold",
                    "TP",
                    "FP",
                    "FN",
                    "precision",
                    "recall",
                    "F1",
                ]);
                let mut add = |label: String, x: &crate::comparison::scoring::AtThreshold| {
                    let mut cells = vec![label];
                    cells.extend(super::markdown::detection_cells(&x.detection));
                    t.row(cells);
                };
                if let Some(best) = &sweep.best {
                    add(format!("{:.3} (best F1)", best.score_threshold), best);
                }
                add(
                    format!("{} (given)", sweep.given.score_threshold),
                    &sweep.given,
                );
                out.push('\n');
                out.push_str(&t.render());
            }
            None => out.push_str("\nNo score-threshold sweep: not every prediction has a score.\n"),
        }
        embed(&mut out, figures, "score_threshold");
        mean_ap_classes(&mut out, report);
    }

    for level in ClassLevel::ALL {
        level_section(
            &mut out,
            level,
            r.levels.get(level),
            score,
            figures,
            frames.per_class,
        )?;
    }

    let overlays: Vec<&String> = figures
        .keys()
        .filter(|k| k.starts_with("overlay_"))
        .collect();
    if !overlays.is_empty() {
        let Sides { other, reference } = Sides::scoring(score);
        writeln!(
            out,
            "\n## FOVs with the most disagreement\n\nEach FOV's outlines ({reference} thick, {other} thin): matched pairs (solid), pairs whose main class differs (numbered, the two classes keyed under the figure), the {reference}'s unmatched nuclei (dashed) and the {other}'s (dotted); the FOV region as a dashed box."
        )
        .unwrap();
        for name in overlays {
            embed(&mut out, figures, name);
        }
    }

    if let (Some(summary), Some(convention_frames)) = (&report.conventions, &frames.conventions) {
        super::conventions::conventions_section(&mut out, summary, convention_frames, figures)?;
    }

    if let Some(strata) = &report.region_strata {
        super::regions::region_strata_section(&mut out, strata);
    }

    group_section(
        &mut out,
        "By hospital",
        "hospital",
        frames.by_hospital,
        &r.by_hospital,
        score,
    )?;
    match super::comparison_figures::folds_are_hospitals(&r.by_fold, &r.by_hospital) {
        Some(pairs) => {
            writeln!(
                out,
                "\nEach fold's test FOVs are one hospital's ({}), so the rows by fold are the rows by hospital above; `by_fold.csv` has them under the fold numbers.",
                pairs.join(", ")
            )
            .unwrap();
        }
        None => {
            let by_fold = "By fold (the test FOVs of each fold)";
            group_section(&mut out, by_fold, "fold", frames.by_fold, &r.by_fold, score)?;
        }
    }

    if let Some(folds) = &r.folds {
        out.push_str("\n## Across folds\n\n");
        let mut headers = vec!["figure".to_string()];
        headers.extend(
            folds
                .folds
                .iter()
                .map(|f| format!("fold {} ({} FOVs)", f.fold, f.fovs)),
        );
        headers.push("mean ± SD".into());
        let header_refs: Vec<&str> = headers.iter().map(|s| s.as_str()).collect();
        let mut t = Table::new(&header_refs);
        for key in folds.mean.keys() {
            let mut row = vec![key.clone()];
            row.extend(folds.folds.iter().map(|f| number(f.figures[key], 3)));
            row.push(format!(
                "{} ± {}",
                number(folds.mean[key], 3),
                number(folds.sd[key], 3)
            ));
            t.row(row);
        }
        out.push_str(&t.render());
        out.push_str("\nSD is the sample standard deviation across folds.\n");
        embed(&mut out, figures, "folds");
    }

    data_quality(&mut out, report);
    methods(&mut out, report);
    if !files.is_empty() {
        out.push_str("\n## Files\n\n");
        for f in files {
            writeln!(out, "- [`{f}`]({f})").unwrap();
        }
    }
    Ok(out)
}

/// The headline figures of each level, with bootstrap intervals (and AP for `score`).
pub fn headline_table(report: &ComparisonReport) -> Table {
    let r = &report.result;
    let score = report.command == Job::Score;
    let shown: Vec<Figure> = Figure::ALL
        .into_iter()
        .filter(|f| f.in_headline())
        .collect();
    let mut headers = vec!["level"];
    headers.extend(shown.iter().map(|f| f.label()));
    if score {
        headers.extend(["AP50", "AP50:95"]);
    }
    let mut headline = Table::new(&headers);
    for level in ClassLevel::ALL {
        let l = r.levels.get(level);
        let mut row = vec![level.name().to_string()];
        row.extend(shown.iter().map(|&f| with_ci(l.figure(f), l.interval(f))));
        if score {
            let ap = l.ap.unwrap_or_default();
            row.extend([number(ap.ap50, 3), number(ap.ap50_95, 3)]);
        }
        headline.row(row);
    }
    headline
}

fn level_section(
    out: &mut String,
    level: ClassLevel,
    l: &LevelSummary,
    score: bool,
    figures: &FigureIndex,
    per_class: &DataFrame,
) -> Result<()> {
    writeln!(out, "\n## {}\n", level_title(level)).unwrap();
    let c = &l.classification;
    // Who says what, in the sentences below.
    let sides = if score {
        ("the prediction", "truth")
    } else {
        ("A", "B")
    };
    let sum = |f: &dyn Fn(&crate::comparison::summary::PerClass) -> u64| -> u64 {
        l.per_class.iter().map(f).sum()
    };
    let on_ambiguous = sum(&|p| p.on_ambiguous_reference);
    let called = sum(&|p| p.called_ambiguous);
    let both = sum(&|p| p.a_matched_to_ambiguous);
    if on_ambiguous + called + both > 0 {
        writeln!(
            out,
            "{} matched pairs with an ambiguous nucleus are left out of classification: {} whose {b} nucleus is ambiguous, {} whose {b} nucleus is of a specific class that {a} calls ambiguous (each a false negative of that class), and {} ambiguous on both sides.",
            count((on_ambiguous + called + both) as usize),
            count(on_ambiguous as usize),
            count(called as usize),
            count(both as usize),
            a = sides.0,
            b = sides.1,
        )
        .unwrap();
    }
    writeln!(
        out,
        "On {} classified pairs: accuracy {}, Cohen's κ {} (SE {}, 95% CI {}), Gwet's AC1 {}, MCC {}.\n",
        count(c.n_pairs as usize),
        number(c.accuracy, 3),
        number(c.cohen_kappa, 3),
        number(c.kappa_se, 4),
        c.kappa_ci95
            .map_or(UNDEFINED.to_string(), |[lo, hi]| format!("[{lo:.3}, {hi:.3}]")),
        number(c.gwet_ac1, 3),
        number(c.mcc, 3)
    )
    .unwrap();
    let mut columns = vec![
        ColumnSpec::text("class", "class"),
        ColumnSpec::count("n_a", if score { "n pred." } else { "n A" }),
        ColumnSpec::count("n_b", if score { "n truth" } else { "n B" }),
        ColumnSpec::count("tp", "TP"),
        ColumnSpec::count("fp", "FP"),
        ColumnSpec::count("fn", "FN"),
    ];
    if on_ambiguous + called + both > 0 {
        columns.extend([
            ColumnSpec::count("on_ambiguous_reference", "on ambiguous ref."),
            ColumnSpec::count("called_ambiguous", "called ambiguous"),
            ColumnSpec::count("a_matched_to_ambiguous", "on ambiguous (both)"),
        ]);
    }
    columns.extend(DETECTION_COLUMNS);
    columns.push(ColumnSpec::with_interval(
        "kappa_one_vs_rest",
        "κ (1 vs rest)",
        "kappa_ci_low",
        "kappa_ci_high",
    ));
    if score {
        columns.push(ColumnSpec::fixed("ap50", "AP50", 3));
        columns.push(ColumnSpec::fixed("ap50_95", "AP50:95", 3));
    }
    let levels = per_class.column("level").and_then(|c| c.str().cloned());
    let t = match &levels {
        Ok(levels) => markdown_table(per_class, &columns, 1, |row| {
            levels.get(row) == Some(level.name())
        })?,
        Err(e) => {
            return Err(crate::error::Error::encode(
                "the per-class table",
                e.to_string(),
            ))
        }
    };
    out.push_str(&t.render());
    out.push_str("\nPer-class counts follow the joint rule: a matched pair is a TP of its class only when both sets agree on it.");
    if l.per_class.iter().any(|p| p.ambiguous) {
        write!(
            out,
            " Ambiguous classes are detected but not judged for class: a pair whose {b} nucleus is of a specific class that {a} calls ambiguous is an FN of that class, and a pair whose {b} nucleus is ambiguous is no FP of {a}'s specific class (\"on ambiguous ref.\"). Rows of ambiguous classes count each side for itself: TP and FN are the {b} nuclei of the class matched and unmatched; FP are {a}'s unmatched nuclei of the class, the others matched to a specific (\"called ambiguous\") or an ambiguous (\"on ambiguous (both)\") {b} nucleus. Every row adds up: TP + FN = {n_b}, and TP + FP + on ambiguous ref. (specific classes) or FP + called ambiguous + on ambiguous (both) (ambiguous classes) = {n_a}.",
            a = sides.0,
            b = sides.1,
            n_a = if score { "n pred." } else { "n A" },
            n_b = if score { "n truth" } else { "n B" },
        )
        .unwrap();
    }
    out.push('\n');
    let Sides { other, reference } = Sides::scoring(score);
    writeln!(
        out,
        "\nConfusion matrix (rows: {reference}'s class, columns: {other}'s class; the last column counts the {reference}'s unmatched nuclei, the last row the {other}'s):\n"
    )
    .unwrap();
    let names = &l.confusion.classes;
    let k = names.len();
    let mut headers: Vec<String> = vec![format!("{reference} \\ {other}")];
    headers.extend(names.iter().cloned());
    headers.push("unmatched".into());
    let header_refs: Vec<&str> = headers.iter().map(|s| s.as_str()).collect();
    let mut t = Table::new(&header_refs);
    // Stored with A's classes as rows; shown with the reference's as rows, as the figures.
    for r in 0..=k {
        let label = names.get(r).cloned().unwrap_or_else(|| "unmatched".into());
        let mut cells = vec![label];
        cells.extend((0..=k).map(|c| {
            if r == k && c == k {
                UNDEFINED.to_string()
            } else {
                count(l.confusion.counts[c][r] as usize)
            }
        }));
        t.row(cells);
    }
    out.push_str(&t.render());
    for figure in ["per_class", "pr_curves", "confusion", "confusion_share"] {
        let name = match figure.split_once('_') {
            Some((kind, "share")) => format!("{kind}_{}_share", level.name()),
            _ => format!("{figure}_{}", level.name()),
        };
        embed(out, figures, &name);
    }
    Ok(())
}
