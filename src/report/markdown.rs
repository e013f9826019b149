//! Markdown exporter: GitHub tables with fixed precision, "—" for undefined values.

use crate::inspect::{InspectReport, InspectSummary, MultiRaterSummary};
use std::fmt::Write;

/// The text shown for an undefined statistic.
pub const UNDEFINED: &str = "—";

/// Column alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A GitHub Markdown table, padded so that it also reads well as plain text.
#[derive(Debug, Clone)]
pub struct Table {
    headers: Vec<String>,
    align: Vec<Align>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table whose first column is left-aligned and the others right-aligned.
    pub fn new(headers: &[&str]) -> Table {
        let align = (0..headers.len())
            .map(|i| if i == 0 { Align::Left } else { Align::Right })
            .collect();
        Table {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            align,
            rows: Vec::new(),
        }
    }

    /// A table whose first `left` columns are left-aligned and the others right-aligned.
    pub fn with_left_columns(headers: &[&str], left: usize) -> Table {
        let mut table = Table::new(headers);
        for (i, align) in table.align.iter_mut().enumerate() {
            if i < left {
                *align = Align::Left;
            }
        }
        table
    }

    pub fn row(&mut self, cells: Vec<String>) -> &mut Table {
        debug_assert_eq!(cells.len(), self.headers.len());
        self.rows.push(cells);
        self
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    pub fn rows(&self) -> &[Vec<String>] {
        &self.rows
    }

    /// Appends `mark` to the first cell of row `row` (a footnote mark).
    pub fn mark_row(&mut self, row: usize, mark: &str) {
        if let Some(cell) = self.rows.get_mut(row).and_then(|r| r.first_mut()) {
            cell.push_str(mark);
        }
    }

    /// Whether column `i` is left-aligned.
    pub fn is_left(&self, i: usize) -> bool {
        self.align.get(i) == Some(&Align::Left)
    }

    pub fn render(&self) -> String {
        let escape = |s: &str| s.replace('|', "\\|");
        let cells: Vec<Vec<String>> = std::iter::once(&self.headers)
            .chain(&self.rows)
            .map(|r| r.iter().map(|c| escape(c)).collect())
            .collect();
        let widths: Vec<usize> = (0..self.headers.len())
            .map(|i| {
                cells
                    .iter()
                    .map(|r| r[i].chars().count())
                    .max()
                    .unwrap_or(0)
                    .max(3)
            })
            .collect();
        let mut out = String::new();
        let line = |out: &mut String, row: &[String]| {
            out.push('|');
            for ((cell, width), align) in row.iter().zip(&widths).zip(&self.align) {
                let pad = width - cell.chars().count();
                match align {
                    Align::Left => write!(out, " {cell}{} |", " ".repeat(pad)).unwrap(),
                    Align::Right => write!(out, " {}{cell} |", " ".repeat(pad)).unwrap(),
                }
            }
            out.push('\n');
        };
        line(&mut out, &cells[0]);
        out.push('|');
        for (width, align) in widths.iter().zip(&self.align) {
            match align {
                Align::Left => write!(out, " {} |", "-".repeat(*width)).unwrap(),
                Align::Right => write!(out, " {}: |", "-".repeat(width - 1)).unwrap(),
            }
        }
        out.push('\n');
        for row in &cells[1..] {
            line(&mut out, row);
        }
        out
    }
}

/// An integer with thousands separators: `59485` → `59,485`.
/// The figures a report embeds, by file name (without extension): their captions.
pub type FigureIndex = std::collections::BTreeMap<String, String>;

/// Embeds the figure `name` (written as `plots/<name>.png`) where the index has it.
pub fn embed(out: &mut String, figures: &FigureIndex, name: &str) {
    if let Some(caption) = figures.get(name) {
        out.push_str(&format!("\n![{caption}](plots/{name}.png)\n"));
    }
}

pub fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A number with `decimals` places, or "—" when undefined.
pub fn number(value: Option<f64>, decimals: usize) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{v:.decimals$}"),
        _ => UNDEFINED.to_string(),
    }
}

/// Detection's cells as the report's tables show them: TP, FP, FN, precision, recall, F1.
pub fn detection_cells(d: &crate::stats::detection::Detection) -> Vec<String> {
    vec![
        count(d.tp as usize),
        count(d.fp as usize),
        count(d.fn_ as usize),
        number(d.precision, 3),
        number(d.recall, 3),
        number(d.f1, 3),
    ]
}

/// A share of a total as a percentage with one decimal, "—" for an empty total.
pub fn percent(part: usize, total: usize) -> String {
    if total == 0 {
        UNDEFINED.to_string()
    } else {
        format!("{:.1}%", 100.0 * part as f64 / total as f64)
    }
}

/// The Markdown of an `inspect` report.
pub fn inspect(report: &InspectReport) -> String {
    match report {
        InspectReport::Single(summary) => {
            let mut out = format!("# Annotation set `{}`\n\n", summary.name);
            out.push_str(&set_sections(summary, "##"));
            out
        }
        InspectReport::MultiRater(study) => multi_rater(study),
    }
}

fn multi_rater(study: &MultiRaterSummary) -> String {
    let mut out = format!(
        "# Multi-rater study `{}`\n\n{} raters, {} FOVs annotated by at least one.\n\n",
        study.root,
        study.raters.len(),
        count(study.fovs)
    );
    let mut table = Table::new(&[
        "rater",
        "evaluation set",
        "FOVs",
        "empty FOVs",
        "nuclei",
        "polygons",
        "boxes",
        "points",
        "findings",
    ]);
    for rater in &study.raters {
        let s = &rater.summary;
        table.row(vec![
            rater.rater.clone(),
            rater.eval_set.clone().unwrap_or_else(|| UNDEFINED.into()),
            count(s.fovs),
            count(s.empty_fovs),
            count(s.nuclei),
            count(s.shapes.polygon),
            count(s.shapes.box_),
            count(s.shapes.point),
            count(s.quality.iter().map(|q| q.count).sum()),
        ]);
    }
    out.push_str(&table.render());
    for rater in &study.raters {
        let title = match &rater.eval_set {
            Some(e) => format!("{} ({})", rater.rater, e),
            None => rater.rater.clone(),
        };
        writeln!(out, "\n## Rater {title}\n").unwrap();
        out.push_str(&set_sections(&rater.summary, "###"));
    }
    out
}

fn set_sections(s: &InspectSummary, heading: &str) -> String {
    let mut out = String::new();
    writeln!(out, "Read from {}.\n", s.format.describe()).unwrap();
    let mut overview = Table::new(&["", "count"]);
    overview
        .row(vec!["FOVs".into(), count(s.fovs)])
        .row(vec![
            "empty FOVs (annotated, no nuclei)".into(),
            count(s.empty_fovs),
        ])
        .row(vec!["slides".into(), count(s.slides)])
        .row(vec!["nuclei".into(), count(s.nuclei)])
        .row(vec!["polygons".into(), count(s.shapes.polygon)])
        .row(vec!["boxes".into(), count(s.shapes.box_)])
        .row(vec!["points".into(), count(s.shapes.point)])
        .row(vec!["nuclei with a score".into(), count(s.scored_nuclei)])
        .row(vec![
            "rows with a correction_ class".into(),
            count(s.correction_rows),
        ]);
    if let Some(per_fov) = &s.nuclei_per_fov {
        overview.row(vec![
            "nuclei per FOV (min / median / max)".into(),
            format!("{} / {} / {}", per_fov.min, per_fov.median, per_fov.max),
        ]);
    }
    out.push_str(&overview.render());

    for level in &s.levels {
        writeln!(out, "\n{heading} Classes, {} level\n", level.level).unwrap();
        let mut table = Table::new(&["class", "nuclei", "share", "of which correction_"]);
        for class in &level.classes {
            table.row(vec![
                class.class.clone(),
                count(class.nuclei),
                percent(class.nuclei, s.nuclei),
                count(class.correction_rows),
            ]);
        }
        out.push_str(&table.render());
    }

    writeln!(out, "\n{heading} Hospitals\n").unwrap();
    if s.hospitals.is_empty() {
        out.push_str("No hospital is known (FOV names are not in the NuCLS form).\n");
    } else {
        let mut table = Table::new(&["hospital", "slides", "FOVs", "nuclei"]);
        for h in &s.hospitals {
            table.row(vec![
                h.hospital.clone(),
                count(h.slides),
                count(h.fovs),
                count(h.nuclei),
            ]);
        }
        out.push_str(&table.render());
        if s.fovs_without_hospital > 0 {
            writeln!(
                out,
                "\n{} FOVs have no known hospital.",
                count(s.fovs_without_hospital)
            )
            .unwrap();
        }
    }

    writeln!(out, "\n{heading} Folds\n").unwrap();
    if s.folds.is_empty() {
        out.push_str("No fold splits (`train_test_splits/`) were found.\n");
    } else {
        let mut table = Table::new(&[
            "fold",
            "train slides",
            "test slides",
            "test FOVs",
            "test nuclei",
            "test hospitals",
        ]);
        for f in &s.folds {
            table.row(vec![
                f.fold.to_string(),
                count(f.train_slides),
                count(f.test_slides),
                count(f.test_fovs),
                count(f.test_nuclei),
                f.test_hospitals.len().to_string(),
            ]);
        }
        out.push_str(&table.render());
        if s.fovs_without_fold > 0 {
            writeln!(
                out,
                "\n{} FOVs are in no fold's test set.",
                count(s.fovs_without_fold)
            )
            .unwrap();
        }
    }

    writeln!(out, "\n{heading} Data quality\n").unwrap();
    if s.quality.is_empty() {
        out.push_str("No findings.\n");
    } else {
        let mut table = Table::new(&["finding", "count"]);
        for q in &s.quality {
            table.row(vec![q.description.clone(), count(q.count)]);
        }
        out.push_str(&table.render());
        if !s.listed_findings.is_empty() {
            let shown = s.listed_findings.len();
            let total: usize = s
                .quality
                .iter()
                .filter(|q| !q.kind.is_informational())
                .map(|q| q.count)
                .sum();
            let which = if shown == total {
                "The problems".to_string()
            } else {
                format!("The first {shown} of {} problems", count(total))
            };
            writeln!(
                out,
                "\n{which} (informational findings, such as nuclei centred outside the FOV region, correction_ rows and empty FOVs, are counted above but not listed):\n"
            )
            .unwrap();
            for finding in &s.listed_findings {
                writeln!(out, "- `{finding}`").unwrap();
            }
        }
    }
    out
}

/// The Markdown of a match summary.
pub fn match_summary(s: &crate::matching::table::MatchSummary) -> String {
    use crate::matching::Criterion;
    let criterion = match s.options.criterion {
        Criterion::Iou { threshold, options } => {
            format!("IoU >= {threshold} of {}", options.shape().describe())
        }
        Criterion::Centroid { radius_px } => format!("centroid distance <= {radius_px} px"),
    };
    let (assignment, crop) = (s.options.assignment, s.options.crop);
    let mut out = format!(
        "# Matching\n\nPairs at {criterion}; assignment: {assignment}; FOV crop: {crop}.\n\n"
    );
    let mut table = Table::new(&["", "A", "B"]);
    table
        .row(vec!["FOVs compared".into(), count(s.fovs), count(s.fovs)])
        .row(vec![
            "FOVs in one set only (not compared)".into(),
            count(s.fovs_only_in_a),
            count(s.fovs_only_in_b),
        ])
        .row(vec![
            "nuclei compared".into(),
            count(s.nuclei_a),
            count(s.nuclei_b),
        ])
        .row(vec!["matched".into(), count(s.pairs), count(s.pairs)])
        .row(vec![
            "unmatched".into(),
            count(s.unmatched_a),
            count(s.unmatched_b),
        ])
        .row(vec![
            "left out by the FOV crop".into(),
            count(s.cropped_a),
            count(s.cropped_b),
        ]);
    out.push_str(&table.render());
    writeln!(
        out,
        "\nMean IoU of matched pairs: {}.",
        number(s.mean_iou, 3)
    )
    .unwrap();
    if s.replaced_by_box > 0 {
        writeln!(
            out,
            "{} self-intersecting outlines were compared by their bounding box.",
            count(s.replaced_by_box)
        )
        .unwrap();
    }
    if s.greedy_components > 0 {
        writeln!(
            out,
            "{}",
            super::comparison_sections::greedy_note(s.greedy_components)
        )
        .unwrap();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_pads_aligns_and_escapes() {
        let mut t = Table::new(&["class", "n"]);
        t.row(vec!["a|b".into(), "12".into()]);
        assert_eq!(
            t.render(),
            "| class | n   |\n| ----- | --: |\n| a\\|b  |  12 |\n".replace("| n   |", "|   n |")
        );
    }

    #[test]
    fn counts_and_undefined_values() {
        assert_eq!(count(59485), "59,485");
        assert_eq!(count(100), "100");
        assert_eq!(count(1_000_000), "1,000,000");
        assert_eq!(number(None, 3), UNDEFINED);
        assert_eq!(number(Some(f64::NAN), 3), UNDEFINED);
        assert_eq!(number(Some(0.12345), 3), "0.123");
        assert_eq!(percent(1, 0), UNDEFINED);
    }
}
