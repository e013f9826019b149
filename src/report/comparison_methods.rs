//! The methods section of `compare` and `score` reports, generated from the parameters used.

use super::markdown::{count, Table};
use crate::comparison::run::{ComparisonReport, Job};
use crate::geometry::IouShape;
use crate::matching::Assignment;
use std::fmt::Write;

/// The conventions the comparison used, one per row, from its parameters.
fn conventions(report: &ComparisonReport) -> Table {
    let p = &report.params;
    let mut t = Table::with_left_columns(&["convention", "used here"], 2);
    let matching = match (p.iou_threshold, p.radius_px) {
        (Some(threshold), _) => format!("{}, IoU ≥ {threshold}", p.matching),
        (_, Some(radius)) => format!("{}, centroid distance ≤ {radius} px", p.matching),
        _ => p.matching.to_string(),
    };
    let mut rows: Vec<(&str, String)> = vec![
        ("matching", matching),
        (
            "IoU of",
            format!(
                "{} ({} pixel areas)",
                p.shape.describe(),
                p.pixel_convention
            ),
        ),
        (
            "FOV crop",
            match p.fov_crop {
                crate::matching::FovCrop::ReferenceRegion => {
                    "nuclei centred outside the reference's FOV region left out".to_string()
                }
                _ => "off: every nucleus kept".to_string(),
            },
        ),
        (
            "ambiguous nuclei",
            format!("{}: {}", p.ambiguous, p.ambiguous.describe()),
        ),
        (
            "κ",
            "Cohen's unweighted κ, asymptotic SE, normal 95% interval".to_string(),
        ),
        (
            "intervals",
            match (p.bootstrap_method, p.bootstrap_replicates) {
                (Some(method), n) if n > 0 => format!(
                    "95% {} cluster bootstrap over FOVs, {} replicates, seed {}",
                    match method {
                        crate::stats::bootstrap::IntervalMethod::Bca => "BCa",
                        _ => "percentile",
                    },
                    count(n),
                    p.seed.unwrap_or_default()
                ),
                _ => "none".to_string(),
            },
        ),
    ];
    if report.command == Job::Score {
        rows.push((
            "AP",
            "COCO (pycocotools' thresholds and tie order), no cap on detections per image"
                .to_string(),
        ));
    }
    if let Some(summary) = &report.conventions {
        rows.push((
            "field conventions",
            format!(
                "HoVer-Net, CoNIC, PanNuke, StarDist (IoU ≥ {}) on every nucleus, no FOV crop; {}",
                thresholds(&p.stardist_thresholds),
                if summary.measured.outlines == 0 {
                    "pixel counts"
                } else {
                    "exact outline areas where a side is not a label map"
                }
            ),
        ));
    }
    for (name, value) in rows {
        t.row(vec![name.to_string(), value]);
    }
    t
}

fn thresholds(values: &[f64]) -> String {
    values
        .iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The methods section: the conventions table and a paragraph stating every definition.
pub(super) fn methods(out: &mut String, report: &ComparisonReport) {
    let p = &report.params;
    out.push_str("\n## Methods\n\n");
    out.push_str(&conventions(report).render());
    out.push('\n');
    let pairing = match (p.iou_threshold, p.radius_px) {
        (Some(t), _) => format!(
            "Nuclei were paired one to one within each field of view (FOV) by the intersection over union (IoU) of their {}, with {} pixel areas, keeping pairs with IoU ≥ {t}{}",
            match p.shape {
                IouShape::Box => "bounding boxes",
                IouShape::Polygon => "outlines (a box where only a box was drawn)",
                _ => "outlines when both nuclei were drawn as outlines, and of their bounding boxes when either was drawn as a box (as the NuCLS evaluation)",
            },
            p.pixel_convention,
            match p.matching {
                Assignment::Optimal => "; the assignment maximised the total IoU (Hungarian method on each connected component of the candidate graph)".to_string(),
                Assignment::GreedyIou => "; pairs were taken greedily by IoU, highest first".to_string(),
                _ => "; predictions took, in order of decreasing score, the free nucleus of highest IoU (as pycocotools)".to_string(),
            }
        ),
        (_, Some(r)) => format!(
            "Nuclei were paired one to one within each FOV by centroid distance ≤ {r} px, maximising the number of pairs and then minimising the total distance"
        ),
        _ => String::new(),
    };
    write!(out, "{pairing}. ").unwrap();
    if p.fov_crop == crate::matching::FovCrop::ReferenceRegion {
        out.push_str("Nuclei whose area centroid lay outside the reference FOV region were left out of both sets. ");
    }
    if p.roi.is_some() {
        out.push_str("Both sets were restricted to the regions of interest given (`--roi`): nuclei whose centroid lay outside every region of their FOV were left out before matching (counted in the data-quality section), and FOVs without a region kept none. ");
    }
    if let Some(side) = p.tile_px {
        write!(out, "Each FOV was divided into tiles of {side} × {side} px: nuclei were matched over the whole FOV, each pair was counted in the tile holding the reference nucleus's centroid and each unmatched nucleus in the tile holding its own, and the tiles holding nuclei are the units of the per-FOV figures, of average precision's images and of the bootstrap. ").unwrap();
    }
    out.push_str(
        "Matched pairs are true positives (TP), unmatched nuclei of the compared set false positives (FP) and unmatched nuclei of the reference false negatives (FN); precision = TP/(TP+FP), recall = TP/(TP+FN), F1 = 2TP/(2TP+FP+FN). ",
    );
    write!(out, "As for ambiguous nuclei: {}. ", p.ambiguous.describe()).unwrap();
    out.push_str(
        "Classification agreement on matched pairs, at the raw, main and super class levels, is given as accuracy, Cohen's unweighted κ with its asymptotic standard error (Fleiss, Cohen and Everitt 1969) and the normal 95% interval κ ± 1.96·SE, Gwet's AC1 (counting the categories observed), and the multiclass Matthews correlation coefficient. Per-class counts use the joint rule (a pair is a TP of class c only when both sets say c; otherwise a FP of the compared set's class and a FN of the reference's class). A class's one-vs-rest κ is Cohen's κ on the matched pairs with every class but c merged into one (c against not c); it is undefined for a class the reference never gives. ",
    );
    if p.bootstrap_replicates > 0 {
        out.push_str("Where one κ has two intervals, they answer different questions: the asymptotic interval in the text (κ ± 1.96·SE) treats the matched pairs as independent, while the bootstrap interval in the tables resamples whole FOVs and so also carries the variation between FOVs; the bootstrap interval is the one to report. ");
    }
    if p.shape == IouShape::Auto {
        out.push_str("Segmentation quality is taken over the true positives where both nuclei were drawn as outlines (a box says nothing of a nucleus's outline): their mean IoU (SQ) and mean Dice (2·IoU/(1+IoU)); panoptic quality PQ = DQ × SQ (Kirillov et al. 2019), DQ the detection F1 over all pairs. ");
    } else {
        out.push_str("Segmentation quality is the mean IoU and mean Dice (2·IoU/(1+IoU)) of matched pairs, and panoptic quality PQ = F1 × mean IoU (Kirillov et al. 2019). ");
    }
    if report.command == Job::Score {
        out.push_str(
            "Average precision follows the COCO definition (pycocotools): detections ranked by score, each matched to the free truth nucleus of highest IoU, precision interpolated at 101 recall points, at IoU 0.50, 0.75 and averaged over 0.50:0.05:0.95, without pycocotools' cap of 100 detections per image; a level's AP is the mean over its classes with truth nuclei, and class-agnostic AP pools all classes. F1 at a score threshold counts the predictions at or above it on the matching made with all predictions. ",
        );
    }
    if report.conventions.is_some() {
        write!(
            out,
            "The field's conventions are computed as their own evaluation code computes them (HoVer-Net's `compute_stats.py`, CoNIC's `compute_stats.py`, PanNuke's `run.py`, StarDist's `matching_dataset`), on every nucleus of each FOV both sets have (no FOV crop), B as the truth; HoVer-Net's PQ and PanNuke's pair nuclei at IoU > 0.5, StarDist's at IoU ≥ each of {} with as many pairs as possible; where a peer's code fails (HoVer-Net's AJI on an empty prediction) the defined value is given and where it divides by zero (Dice2 without overlapping pairs) the figure is left undefined. ",
            thresholds(&p.stardist_thresholds)
        )
        .unwrap();
    }
    if p.bootstrap_replicates > 0 {
        out.push_str(if p.tile_px.is_some() {
            "Confidence intervals in brackets resample whole tiles with replacement (a cluster bootstrap, since nuclei within a tile are not independent; neighbouring tiles of a slide are not independent either, so the intervals are narrower than a bootstrap over slides). "
        } else {
            "Confidence intervals in brackets resample whole FOVs with replacement (a cluster bootstrap, since nuclei within a FOV are not independent). "
        });
    }
    if report.command == Job::Score {
        out.push_str("Classes with fewer than 10 truth nuclei are marked in the per-class figures: their F1 and κ rest on few nuclei. ");
    }
    writeln!(out, "Computed with nucagree {}.", report.version).unwrap();
}
