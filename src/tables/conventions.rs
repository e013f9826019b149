//! The conventions section's tables: each convention's headline figures with how it computes
//! them, per class, StarDist's matching table, per-image figures and per-image counts.
//!
//! The headline figures are rows of [`CONVENTION_FIGURES`]: adding one is adding a row.

use super::Columns;
use crate::comparison::run::ComparisonReport;
use crate::conventions::stardist::MatchingRow;
use crate::conventions::{Convention, ConventionsSummary};
use crate::error::Result;
use polars::prelude::DataFrame;

/// One headline figure of a convention.
pub struct ConventionFigure {
    pub convention: Convention,
    /// Its name; `{t}` stands for StarDist's reported threshold.
    pub figure: &'static str,
    /// How this convention computes it, in one line.
    pub how: &'static str,
    pub value: fn(Option<&ComparisonReport>, &ConventionsSummary) -> Option<f64>,
}

/// StarDist's threshold the headline reports: 0.5 when computed, else the first.
pub fn stardist_threshold(summary: &ConventionsSummary) -> Option<&str> {
    let pooled = &summary.figures.stardist.pooled.0;
    pooled
        .iter()
        .find(|(t, _)| t == "0.5")
        .or(pooled.first())
        .map(|(t, _)| t.as_str())
}

fn stardist(summary: &ConventionsSummary, pooled: bool) -> Option<&MatchingRow> {
    let threshold = stardist_threshold(summary)?;
    let table = if pooled {
        &summary.figures.stardist.pooled
    } else {
        &summary.figures.stardist.by_image
    };
    table.get(threshold)
}

/// Every convention's headline figures, in the order the report shows them.
pub const CONVENTION_FIGURES: &[ConventionFigure] = &[
    ConventionFigure {
        convention: Convention::HoverNet,
        figure: "PQ (mean over images)",
        how: "pairs at IoU > 0.5; DQ = TP / (TP + FP/2 + FN/2), SQ = IoU sum / (TP + 1e-6); per image, then the mean",
        value: |_, s| s.figures.hovernet.mean_over_images.pq,
    },
    ConventionFigure {
        convention: Convention::HoverNet,
        figure: "AJI (mean over images)",
        how: "each true nucleus takes its highest-IoU prediction, which may serve twice",
        value: |_, s| s.figures.hovernet.mean_over_images.aji,
    },
    ConventionFigure {
        convention: Convention::HoverNet,
        figure: "AJI+ (mean over images)",
        how: "one-to-one pairs of largest total IoU",
        value: |_, s| s.figures.hovernet.mean_over_images.aji_plus,
    },
    ConventionFigure {
        convention: Convention::HoverNet,
        figure: "Dice1 (mean over images)",
        how: "binary masks: instances ignored",
        value: |_, s| s.figures.hovernet.mean_over_images.dice_1,
    },
    ConventionFigure {
        convention: Convention::HoverNet,
        figure: "Dice2 (mean over images)",
        how: "every overlapping pair counts, images without one skipped",
        value: |_, s| s.figures.hovernet.mean_over_images.dice_2,
    },
    ConventionFigure {
        convention: Convention::HoverNet,
        figure: "F_d",
        how: "centroids paired by least total distance, pairs over 12 px dropped, pooled over images",
        value: |_, s| s.figures.hovernet.f1_d,
    },
    ConventionFigure {
        convention: Convention::HoverNet,
        figure: "type accuracy",
        how: "share of the centroid pairs whose classes agree",
        value: |_, s| s.figures.hovernet.acc_type,
    },
    ConventionFigure {
        convention: Convention::Conic,
        figure: "PQ (mean over images)",
        how: "as HoVer-Net's, with 1e-6 added to DQ's denominator",
        value: |_, s| s.figures.conic.pq_mean_over_images,
    },
    ConventionFigure {
        convention: Convention::Conic,
        figure: "mPQ+",
        how: "each class matched on its own, TP/FP/FN/IoU pooled over images, then the mean over every class",
        value: |_, s| s.figures.conic.mpq_plus,
    },
    ConventionFigure {
        convention: Convention::Conic,
        figure: "multi-class R²",
        how: "R² of the per-image counts of each class, mean over classes",
        value: |_, s| s.figures.conic.multi_r2,
    },
    ConventionFigure {
        convention: Convention::PanNuke,
        figure: "mPQ",
        how: "per image the mean PQ over the classes its truth has; mean over images per tissue; mean over tissues",
        value: |_, s| s.figures.pannuke.mpq,
    },
    ConventionFigure {
        convention: Convention::PanNuke,
        figure: "bPQ",
        how: "binary PQ, images with an empty truth skipped; mean over images per tissue, then over tissues",
        value: |_, s| s.figures.pannuke.bpq,
    },
    ConventionFigure {
        convention: Convention::StarDist,
        figure: "F1 at IoU {t} (pooled)",
        how: "pairs need IoU ≥ t, as many pairs as possible; counts summed over images",
        value: |_, s| stardist(s, true).map(|r| r.f1),
    },
    ConventionFigure {
        convention: Convention::StarDist,
        figure: "accuracy at IoU {t} (pooled)",
        how: "TP / (TP + FP + FN)",
        value: |_, s| stardist(s, true).map(|r| r.accuracy),
    },
    ConventionFigure {
        convention: Convention::StarDist,
        figure: "PQ at IoU {t} (pooled)",
        how: "matched IoU sum / (TP + FP/2 + FN/2) over all images",
        value: |_, s| stardist(s, true).map(|r| r.panoptic_quality),
    },
    ConventionFigure {
        convention: Convention::StarDist,
        figure: "F1 at IoU {t} (by image)",
        how: "each image's F1, then the mean over images",
        value: |_, s| stardist(s, false).map(|r| r.f1),
    },
    ConventionFigure {
        convention: Convention::Coco,
        figure: "AP@[.5:.95]",
        how: "pycocotools: greedy matching by score, 101-point interpolation, class-agnostic (score only)",
        value: |r, _| r?.result.objectness_ap.and_then(|a| a.ap50_95),
    },
    ConventionFigure {
        convention: Convention::Coco,
        figure: "AP50",
        how: "as above at IoU 0.5",
        value: |r, _| r?.result.objectness_ap.and_then(|a| a.ap50),
    },
    ConventionFigure {
        convention: Convention::Nucls,
        figure: "detection F1",
        how: "optimal one-to-one matching at the chosen IoU, the reference's FOV region",
        value: |r, _| r?.result.levels.main.detection.f1,
    },
    ConventionFigure {
        convention: Convention::Nucls,
        figure: "Cohen's κ (main classes)",
        how: "classification on the matched pairs",
        value: |r, _| r?.result.levels.main.classification.cohen_kappa,
    },
];

/// The figure's name with StarDist's threshold filled in.
pub fn figure_name(figure: &ConventionFigure, summary: &ConventionsSummary) -> String {
    figure
        .figure
        .replace("{t}", stardist_threshold(summary).unwrap_or("—"))
}

/// One row per headline figure: convention, figure, value, how it is computed.
/// `report` is the comparison the conventions are part of, for the COCO and NuCLS rows.
pub fn overview(
    report: Option<&ComparisonReport>,
    summary: &ConventionsSummary,
) -> Result<DataFrame> {
    // Without a comparison, COCO's and NuCLS's figures are not computed: their rows are left out.
    let rows: Vec<&ConventionFigure> = CONVENTION_FIGURES
        .iter()
        .filter(|f| {
            report.is_some() || !matches!(f.convention, Convention::Coco | Convention::Nucls)
        })
        .collect();
    let mut c = Columns::default();
    c.map("convention", &rows, |f| f.convention.to_string())
        .map("figure", &rows, |f| figure_name(f, summary))
        .map("value", &rows, |f| (f.value)(report, summary))
        .map("how", &rows, |f| f.how.to_string());
    c.frame("the conventions overview")
}

/// One row per class: counts, R², HoVer-Net's F_c, CoNIC's pooled counts and PQ+, PanNuke's
/// PQ.
pub fn per_class(summary: &ConventionsSummary) -> Result<DataFrame> {
    let f = &summary.figures;
    let names = &summary.class_names;
    let total = |class: usize, truth: bool| -> u64 {
        summary
            .counts
            .iter()
            .map(|c| if truth { c.truth[class] } else { c.pred[class] })
            .sum()
    };
    let indices: Vec<usize> = (0..names.len()).collect();
    let mut c = Columns::default();
    c.map("class", &indices, |&i| names[i].clone())
        .map("truth", &indices, |&i| total(i, true))
        .map("pred", &indices, |&i| total(i, false))
        .map("count_r2", &indices, |&i| f.conic.r2_per_class.0[i].1)
        .map("hovernet_f_c", &indices, |&i| {
            f.hovernet.f1_type.get(&names[i]).copied().flatten()
        })
        .map("conic_tp", &indices, |&i| f.conic.per_class.0[i].1.tp)
        .map("conic_fp", &indices, |&i| f.conic.per_class.0[i].1.fp)
        .map("conic_fn", &indices, |&i| f.conic.per_class.0[i].1.fn_)
        .map("conic_pq_plus", &indices, |&i| {
            Some(f.conic.per_class.0[i].1.pq_plus)
        })
        .map("pannuke_pq", &indices, |&i| f.pannuke.per_class_pq.0[i].1);
    c.frame("the conventions per class")
}

/// StarDist's matching table: one row per threshold and aggregation.
pub fn stardist_table(summary: &ConventionsSummary) -> Result<DataFrame> {
    let s = &summary.figures.stardist;
    let rows: Vec<(&str, &String, &MatchingRow)> = s
        .pooled
        .0
        .iter()
        .map(|(t, r)| ("pooled", t, r))
        .chain(s.by_image.0.iter().map(|(t, r)| ("by_image", t, r)))
        .collect();
    let mut c = Columns::default();
    c.map("aggregation", &rows, |r| r.0.to_string())
        .map("threshold", &rows, |r| {
            r.1.parse::<f64>().unwrap_or(f64::NAN)
        })
        .map("tp", &rows, |r| r.2.tp)
        .map("fp", &rows, |r| r.2.fp)
        .map("fn", &rows, |r| r.2.fn_)
        .map("precision", &rows, |r| r.2.precision)
        .map("recall", &rows, |r| r.2.recall)
        .map("accuracy", &rows, |r| r.2.accuracy)
        .map("f1", &rows, |r| r.2.f1)
        .map("mean_true_score", &rows, |r| r.2.mean_true_score)
        .map("mean_matched_score", &rows, |r| r.2.mean_matched_score)
        .map("panoptic_quality", &rows, |r| r.2.panoptic_quality);
    c.frame("StarDist's matching table")
}

/// HoVer-Net's figures per image.
pub fn per_image(summary: &ConventionsSummary) -> Result<DataFrame> {
    let rows = &summary.figures.hovernet.per_image.0;
    let mut c = Columns::default();
    c.map("image", rows, |(name, _)| name.clone());
    for (index, (key, _)) in crate::conventions::hovernet::ImageFigures::default()
        .named()
        .into_iter()
        .enumerate()
    {
        c.map(key, rows, |(_, f)| f.named()[index].1);
    }
    c.frame("the per-image figures")
}

/// The instances of each class in each image, truth and prediction.
pub fn image_counts(summary: &ConventionsSummary) -> Result<DataFrame> {
    let mut rows: Vec<(String, String, u64, u64)> = Vec::new();
    for counts in &summary.counts {
        for (class, name) in summary.class_names.iter().enumerate() {
            rows.push((
                counts.image.clone(),
                name.clone(),
                counts.truth[class],
                counts.pred[class],
            ));
        }
    }
    let mut c = Columns::default();
    c.map("image", &rows, |r| r.0.clone())
        .map("class", &rows, |r| r.1.clone())
        .map("truth", &rows, |r| r.2)
        .map("pred", &rows, |r| r.3);
    c.frame("the per-image counts")
}
