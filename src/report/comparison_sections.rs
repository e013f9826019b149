//! Sections of the `compare`/`score` report beside the per-level ones: groups of FOVs
//! (hospitals, folds), data quality, and which classes enter the mean AP.

use super::frame_table::{markdown_table, ColumnSpec, DETECTION_COLUMNS};
use super::markdown::{count, Table};
use crate::comparison::run::{ComparisonReport, Job};
use crate::error::Result;
use crate::model::ClassLevel;
use polars::prelude::DataFrame;
use std::fmt::Write;

/// A group table (by hospital, fold), rendered from the same DataFrame as its CSV; rows with
/// fewer FOVs than an interval needs are marked.
pub(super) fn group_section(
    out: &mut String,
    title: &str,
    key: &'static str,
    frame: &DataFrame,
    rows: &[crate::comparison::groups::GroupRow],
    score: bool,
) -> Result<()> {
    if frame.height() == 0 {
        return Ok(());
    }
    writeln!(out, "\n## {title}\n").unwrap();
    let mut columns = vec![
        ColumnSpec::text(key, key),
        ColumnSpec::count("fovs", "FOVs"),
        ColumnSpec::count("nuclei_a", if score { "nuclei pred." } else { "nuclei A" }),
        ColumnSpec::count("nuclei_b", if score { "nuclei truth" } else { "nuclei B" }),
    ];
    columns.extend(DETECTION_COLUMNS);
    columns.extend([
        ColumnSpec::with_interval(
            "kappa_raw",
            "κ raw",
            "kappa_raw_ci_low",
            "kappa_raw_ci_high",
        ),
        ColumnSpec::with_interval(
            "kappa_main",
            "κ main",
            "kappa_main_ci_low",
            "kappa_main_ci_high",
        ),
        ColumnSpec::with_interval(
            "kappa_super",
            "κ super",
            "kappa_super_ci_low",
            "kappa_super_ci_high",
        ),
    ]);
    let mut table = markdown_table(frame, &columns, 1, |_| true)?;
    let few = super::comparison_figures::FEW_FOVS_FOR_INTERVAL;
    let mut marked = false;
    for (i, row) in rows.iter().enumerate() {
        if row.fovs < few && (row.f1_ci95.is_some() || row.kappa_ci95.iter().any(Option::is_some)) {
            table.mark_row(i, " *");
            marked = true;
        }
    }
    out.push_str(&table.render());
    if marked {
        writeln!(
            out,
            "\n\\* Fewer than {few} FOVs: the bootstrap resamples so few FOVs that its interval is rough (too narrow, as a rule); read it as an indication only."
        )
        .unwrap();
    }
    Ok(())
}

/// The data-quality section: what was left out or skipped, and why.
pub(super) fn data_quality(out: &mut String, report: &ComparisonReport) {
    out.push_str("\n## Data quality\n\n");
    let c = &report.counts;
    let mut lines = Vec::new();
    if c.cropped_a + c.cropped_b > 0 {
        lines.push(format!(
            "{} nuclei of A and {} of B were centred outside the reference FOV region and left out.",
            count(c.cropped_a),
            count(c.cropped_b)
        ));
    }
    if !c.fovs_only_in_a.is_empty() || !c.fovs_only_in_b.is_empty() {
        lines.push(format!(
            "{} FOVs only in A and {} only in B were not compared.",
            count(c.fovs_only_in_a.len()),
            count(c.fovs_only_in_b.len())
        ));
    }
    if c.replaced_by_box > 0 {
        lines.push(format!(
            "{} self-intersecting outlines were compared by their bounding box.",
            count(c.replaced_by_box)
        ));
    }
    if c.greedy_components > 0 {
        lines.push(greedy_note(c.greedy_components));
    }
    if (c.points_a + c.points_b > 0) && report.params.iou_threshold.is_some() {
        lines.push(format!(
            "{} nuclei of A and {} of B are drawn as points: they have no area, match nothing by IoU and count as unmatched (`--match centroid --radius-px R` pairs them by distance).",
            count(c.points_a),
            count(c.points_b)
        ));
    }
    if report.result.unscored_a > 0 && report.command == Job::Score {
        lines.push(format!(
            "{} predictions have no score.",
            count(report.result.unscored_a)
        ));
    }
    lines.extend(report.result.notes.iter().cloned());
    for line in &lines {
        writeln!(out, "- {line}").unwrap();
    }
    for (label, set) in [("A", &report.inputs.a), ("B", &report.inputs.b)] {
        if set.data_quality.is_empty() {
            writeln!(out, "- `{}` ({label}): no findings when reading.", set.name).unwrap();
            continue;
        }
        writeln!(out, "\nFindings when reading `{}` ({label}):\n", set.name).unwrap();
        let mut t = Table::new(&["finding", "count"]);
        for q in &set.data_quality {
            t.row(vec![q.description.clone(), count(q.count)]);
        }
        out.push_str(&t.render());
    }
}

/// The data-quality line for groups of overlapping nuclei assigned greedily.
pub(crate) fn greedy_note(groups: usize) -> String {
    format!(
        "{} groups of overlapping nuclei were too large to assign optimally in seconds (the smaller side times the candidate pairs above {}: some 600 nuclei all drawn over each other, a data problem) and were assigned greedily, the best pair first.",
        count(groups),
        count(crate::matching::assignment::SPARSE_LIMIT)
    )
}

/// Which classes enter each level's mean AP: COCO's rule, every class with truth nuclei at
/// equal weight, with the classes of few truth nuclei named.
pub(super) fn mean_ap_classes(out: &mut String, report: &ComparisonReport) {
    use super::comparison_figures::FEW_REFERENCE_NUCLEI;
    out.push_str("\nEach level's mean AP averages the classes with truth nuclei at equal weight, as COCO does; a class with few truth nuclei weighs as much as a common one.\n\n");
    for level in ClassLevel::ALL {
        let l = report.result.levels.get(level);
        let entering: Vec<&crate::comparison::summary::PerClass> = l
            .per_class
            .iter()
            .filter(|c| c.n_b > 0 && c.ap.and_then(|a| a.ap50).is_some())
            .collect();
        if entering.is_empty() {
            continue;
        }
        let few: Vec<String> = entering
            .iter()
            .filter(|c| c.n_b < FEW_REFERENCE_NUCLEI)
            .map(|c| format!("{} (n = {})", c.class, c.n_b))
            .collect();
        let names: Vec<&str> = entering.iter().map(|c| c.class.as_str()).collect();
        write!(
            out,
            "- {}: {} classes ({})",
            level.name(),
            names.len(),
            names.join(", ")
        )
        .unwrap();
        if few.is_empty() {
            out.push_str(".\n");
        } else {
            writeln!(
                out,
                "; fewer than {FEW_REFERENCE_NUCLEI} truth nuclei: {}.",
                few.join(", ")
            )
            .unwrap();
        }
    }
}
