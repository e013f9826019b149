//! The tables of `regions` as polars DataFrames: per class, the pixel confusion matrix (long:
//! one row per cell), and agreement by ROI, slide, hospital and fold.

use super::Columns;
use crate::error::Result;
use crate::regions::summary::{RegionLevelSummary, RegionReport};
use polars::prelude::DataFrame;

/// Pixels as area: µm² with `mpp`, else pixels.
fn area(pixels: u64, mpp: Option<f64>) -> f64 {
    match mpp {
        Some(m) => pixels as f64 * m * m,
        None => pixels as f64,
    }
}

fn rows<'a, T>(
    report: &'a RegionReport,
    each: impl Fn(&'a RegionLevelSummary) -> Vec<T>,
) -> Vec<(&'a RegionLevelSummary, T)> {
    report
        .levels
        .iter()
        .flat_map(|l| each(l).into_iter().map(move |t| (l, t)))
        .collect()
}

/// One row per class and level: pixels (and area) in each set, Dice with its interval, IoU.
pub fn per_class(report: &RegionReport) -> Result<DataFrame> {
    let mpp = report.params.mpp;
    let rows = rows(report, |l| l.per_class.iter().collect());
    let mut c = Columns::default();
    c.map("level", &rows, |(l, _)| l.level.name().to_string())
        .map("class", &rows, |(_, p)| p.class.clone())
        .map("pixels_b", &rows, |(_, p)| p.pixels_b)
        .map("pixels_a", &rows, |(_, p)| p.pixels_a);
    if mpp.is_some() {
        c.map("area_um2_b", &rows, |(_, p)| area(p.pixels_b, mpp))
            .map("area_um2_a", &rows, |(_, p)| area(p.pixels_a, mpp));
    }
    c.map("dice", &rows, |(_, p)| p.dice.value)
        .map("dice_ci_low", &rows, |(_, p)| p.dice.ci95.map(|v| v[0]))
        .map("dice_ci_high", &rows, |(_, p)| p.dice.ci95.map(|v| v[1]))
        .map("iou", &rows, |(_, p)| p.iou);
    c.frame("the per-class table")
}

/// The confusion matrices, one row per level and cell: the reference's (B's) class, A's, the
/// pixels (and area).
pub fn confusion(report: &RegionReport) -> Result<DataFrame> {
    let mpp = report.params.mpp;
    let rows = rows(report, |l| {
        let mut cells = Vec::new();
        for (b, row) in l.confusion.iter().enumerate() {
            for (a, &pixels) in row.iter().enumerate() {
                cells.push((b, a, pixels));
            }
        }
        cells
    });
    let mut c = Columns::default();
    c.map("level", &rows, |(l, _)| l.level.name().to_string())
        .map("class_b", &rows, |(l, (b, _, _))| l.classes[*b].clone())
        .map("class_a", &rows, |(l, (_, a, _))| l.classes[*a].clone())
        .map("pixels", &rows, |(_, (_, _, p))| *p);
    if mpp.is_some() {
        c.map("area_um2", &rows, |(_, (_, _, p))| area(*p, mpp));
    }
    c.frame("the confusion table")
}

/// Agreement by ROI, slide, hospital and fold, at each level.
pub fn groups(report: &RegionReport) -> Result<DataFrame> {
    let g = &report.groups;
    let mut c = Columns::default();
    c.map("by", g, |r| r.by.to_string())
        .map("group", g, |r| r.group.clone())
        .map("level", g, |r| r.level.name().to_string())
        .map("rois", g, |r| r.rois as u64)
        .map("pixels", g, |r| r.pixels)
        .map("accuracy", g, |r| r.accuracy.value)
        .map("accuracy_ci_low", g, |r| r.accuracy.ci95.map(|c| c[0]))
        .map("accuracy_ci_high", g, |r| r.accuracy.ci95.map(|c| c[1]))
        .map("kappa", g, |r| r.kappa.value)
        .map("kappa_ci_low", g, |r| r.kappa.ci95.map(|c| c[0]))
        .map("kappa_ci_high", g, |r| r.kappa.ci95.map(|c| c[1]))
        .map("mean_dice", g, |r| r.mean_dice.value)
        .map("mean_dice_ci_low", g, |r| r.mean_dice.ci95.map(|c| c[0]))
        .map("mean_dice_ci_high", g, |r| r.mean_dice.ci95.map(|c| c[1]));
    c.frame("the table by group")
}

/// A region study's pairwise kappa, one row per level and pair of raters.
pub fn study_pairwise(report: &crate::regions::study::RegionStudyReport) -> Result<DataFrame> {
    let mut rows = Vec::new();
    for l in &report.levels {
        for i in 0..report.raters.len() {
            for j in i + 1..report.raters.len() {
                rows.push((l.level.name(), i, j, l.pairwise_kappa[i][j]));
            }
        }
    }
    let mut c = Columns::default();
    c.map("level", &rows, |r| r.0.to_string())
        .map("rater_a", &rows, |r| report.raters[r.1].clone())
        .map("rater_b", &rows, |r| report.raters[r.2].clone())
        .map("kappa", &rows, |r| r.3);
    c.frame("the pairwise table")
}

/// Detection and classification by tissue region (`--region-masks`), one row per region.
pub fn strata(strata: &crate::comparison::region_strata::RegionStrata) -> Result<DataFrame> {
    let r = &strata.strata;
    let mut c = Columns::default();
    c.map("region", r, |s| s.region.clone())
        .map("tp", r, |s| s.detection.tp)
        .map("fp", r, |s| s.detection.fp)
        .map("fn", r, |s| s.detection.fn_)
        .map("precision", r, |s| s.detection.precision)
        .map("recall", r, |s| s.detection.recall)
        .map("f1", r, |s| s.detection.f1)
        .map("class_accuracy", r, |s| s.class_accuracy)
        .map("class_kappa", r, |s| s.class_kappa);
    c.frame("the table by region")
}
