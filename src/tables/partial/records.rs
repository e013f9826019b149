//! Decoding a partial's tables into its records, checking every value.

use super::table::Table;
use super::{OUTCOME_COUNTS, PAIR, SHAPES, TABLES, UNMATCHED_A, UNMATCHED_B};
use crate::comparison::fov_ap::FovAp;
use crate::comparison::outcome::{FovOutcome, PairOutcome, PairShapes, UnmatchedOutcome};
use crate::conventions::images::MeasuredImage;
use crate::conventions::{Coverage, Instance, InstanceImage, Overlap};
use crate::error::Result;
use crate::model::ClassId;
use crate::stats::average_precision::ImageEvaluation;
use polars::prelude::DataFrame;
use std::path::Path;

/// Reads a partial's tables back (`frames` in [`TABLES`]' order, read from `dir`):
/// the outcomes of each of `fov_count` FOVs and the images. `level_sizes` are the numbers of
/// classes of the raw, main and super levels, `thresholds` the AP evaluations' IoU
/// thresholds. An error names the table's file, the row (1-based) and the column.
pub fn partial_records(
    dir: &Path,
    frames: &[DataFrame],
    fov_count: usize,
    level_sizes: [usize; 3],
    thresholds: usize,
) -> Result<(Vec<Vec<FovOutcome>>, Vec<MeasuredImage>)> {
    let table = |k: usize| Table::new(dir.join(format!("{}.parquet", TABLES[k])), &frames[k]);
    let outcomes = read_outcomes(
        &table(0),
        &table(1),
        &table(2),
        &table(3),
        fov_count,
        level_sizes,
        thresholds,
    )?;
    let images = read_images(&table(4), &table(5), &table(6))?;
    Ok((outcomes, images))
}

fn read_outcomes(
    outcomes: &Table,
    nuclei: &Table,
    evaluations: &Table,
    detections: &Table,
    fov_count: usize,
    level_sizes: [usize; 3],
    thresholds: usize,
) -> Result<Vec<Vec<FovOutcome>>> {
    let (fov, name) = (outcomes.u32s("fov")?, outcomes.strings("name")?);
    let (slide, hospital, fold) = (
        outcomes.strings("slide")?,
        outcomes.strings("hospital")?,
        outcomes.u32s("fold")?,
    );
    let counts: Vec<Vec<Option<u64>>> = OUTCOME_COUNTS
        .iter()
        .map(|c| outcomes.u64s(c))
        .collect::<Result<_>>()?;
    let has_ap = outcomes.bools("has_ap")?;
    let mut by_fov: Vec<Vec<FovOutcome>> = vec![Vec::new(); fov_count];
    let mut flat: Vec<(usize, FovOutcome)> = Vec::with_capacity(fov.len());
    let count = |k: usize, row: usize| -> Result<usize> {
        Ok(outcomes.get(&counts[k], row, OUTCOME_COUNTS[k])? as usize)
    };
    for row in 0..fov.len() {
        let at = outcomes.index(&fov, row, "fov", fov_count)?;
        let name = name[row]
            .clone()
            .ok_or_else(|| outcomes.error(row, "name", "expected a name, found null".into()))?;
        let ap = outcomes.get(&has_ap, row, "has_ap")?.then(|| FovAp {
            levels: level_sizes.map(|n| vec![None; n]),
            objectness: empty_evaluation(thresholds, 0),
        });
        flat.push((
            at,
            FovOutcome {
                fov: name,
                slide: slide[row].clone(),
                hospital: hospital[row].clone(),
                fold: fold[row],
                pairs: Vec::new(),
                unmatched_a: Vec::new(),
                unmatched_b: Vec::new(),
                unmatched_b_shapes: Vec::new(),
                cropped_a: count(0, row)?,
                cropped_b: count(1, row)?,
                replaced_by_box: count(2, row)?,
                greedy_components: count(3, row)?,
                unscored_a: count(4, row)?,
                points_a: count(5, row)?,
                points_b: count(6, row)?,
                ap,
            },
        ));
    }
    read_nuclei(nuclei, &mut flat)?;
    read_evaluations(evaluations, detections, &mut flat, level_sizes, thresholds)?;
    for (at, outcome) in flat {
        by_fov[at].push(outcome);
    }
    Ok(by_fov)
}

fn empty_evaluation(thresholds: usize, truth_count: usize) -> ImageEvaluation {
    ImageEvaluation {
        scores: Vec::new(),
        matched: vec![Vec::new(); thresholds],
        ignored: vec![Vec::new(); thresholds],
        truth_count,
    }
}

fn read_nuclei(t: &Table, flat: &mut [(usize, FovOutcome)]) -> Result<()> {
    let (outcome, status) = (t.u32s("outcome")?, t.u32s("status")?);
    let (class_a, class_b) = (t.u32s("class_a")?, t.u32s("class_b")?);
    let (iou, score) = (t.f64s("iou")?, t.f64s("score")?);
    let (shapes, shape_b) = (t.u32s("shapes")?, t.u32s("shape_b")?);
    let class = |values: &[Option<u32>], row: usize, column: &str| -> Result<ClassId> {
        Ok(ClassId(
            t.index(values, row, column, usize::from(u16::MAX))? as u16,
        ))
    };
    for row in 0..outcome.len() {
        let o = &mut flat[t.index(&outcome, row, "outcome", flat.len())?].1;
        match t.get(&status, row, "status")? {
            PAIR => o.pairs.push(PairOutcome {
                a: class(&class_a, row, "class_a")?,
                b: class(&class_b, row, "class_b")?,
                iou: t.get(&iou, row, "iou")?,
                score: score[row],
                shapes: PairShapes::ALL[t.index(&shapes, row, "shapes", PairShapes::ALL.len())?],
                shape_b: SHAPES[t.index(&shape_b, row, "shape_b", SHAPES.len())?],
            }),
            UNMATCHED_A => o.unmatched_a.push(UnmatchedOutcome {
                class: class(&class_a, row, "class_a")?,
                score: score[row],
            }),
            UNMATCHED_B => {
                o.unmatched_b.push(class(&class_b, row, "class_b")?);
                o.unmatched_b_shapes
                    .push(SHAPES[t.index(&shape_b, row, "shape_b", SHAPES.len())?]);
            }
            other => {
                return Err(t.error(
                    row,
                    "status",
                    format!("expected 0 (pair), 1 or 2 (unmatched in A, in B), found {other}"),
                ))
            }
        }
    }
    Ok(())
}

fn read_evaluations(
    evaluations: &Table,
    detections: &Table,
    flat: &mut [(usize, FovOutcome)],
    level_sizes: [usize; 3],
    thresholds: usize,
) -> Result<()> {
    let slots = level_sizes.iter().sum::<usize>() + 1;
    let (outcome, slot, truth) = (
        evaluations.u32s("outcome")?,
        evaluations.u32s("slot")?,
        evaluations.u32s("truth_count")?,
    );
    let mut kept: std::collections::HashMap<(usize, usize), ImageEvaluation> =
        std::collections::HashMap::new();
    for row in 0..outcome.len() {
        let at = evaluations.index(&outcome, row, "outcome", flat.len())?;
        if flat[at].1.ap.is_none() {
            return Err(evaluations.error(row, "outcome", "names an outcome without AP".into()));
        }
        let s = evaluations.index(&slot, row, "slot", slots)?;
        kept.insert(
            (at, s),
            empty_evaluation(
                thresholds,
                evaluations.get(&truth, row, "truth_count")? as usize,
            ),
        );
    }
    let (outcome, slot) = (detections.u32s("outcome")?, detections.u32s("slot")?);
    let (score, matched, ignored) = (
        detections.f64s("score")?,
        detections.u32s("matched")?,
        detections.u32s("ignored")?,
    );
    let all = if thresholds >= 32 {
        u32::MAX
    } else {
        (1u32 << thresholds) - 1
    };
    for row in 0..outcome.len() {
        let key = (
            detections.index(&outcome, row, "outcome", flat.len())?,
            detections.index(&slot, row, "slot", slots)?,
        );
        let e = kept.get_mut(&key).ok_or_else(|| {
            detections.error(
                row,
                "slot",
                "names no AP evaluation of ap_evaluations.parquet".into(),
            )
        })?;
        e.scores.push(detections.get(&score, row, "score")?);
        for (name, values, flags) in [
            ("matched", &matched, &mut e.matched),
            ("ignored", &ignored, &mut e.ignored),
        ] {
            let value = detections.get(values, row, name)?;
            if value & !all != 0 {
                return Err(detections.error(
                    row,
                    name,
                    format!("expected bits of {thresholds} IoU thresholds, found {value}"),
                ));
            }
            for (t, at) in flags.iter_mut().enumerate() {
                at.push(value & (1 << t) != 0);
            }
        }
    }
    for ((at, s), evaluation) in kept {
        let ap = flat[at].1.ap.as_mut().expect("checked above");
        let mut s = s;
        let mut placed = false;
        for (level, size) in level_sizes.iter().enumerate() {
            if s < *size {
                ap.levels[level][s] = Some(evaluation.clone());
                placed = true;
                break;
            }
            s -= size;
        }
        if !placed {
            ap.objectness = evaluation;
        }
    }
    Ok(())
}

fn read_images(images: &Table, instances: &Table, overlaps: &Table) -> Result<Vec<MeasuredImage>> {
    let (name, group) = (images.strings("name")?, images.strings("group")?);
    let areas = [
        images.f64s("truth_area")?,
        images.f64s("pred_area")?,
        images.f64s("both_area")?,
    ];
    let by_pixels = images.bools("by_pixels")?;
    let mut out = Vec::with_capacity(name.len());
    for row in 0..name.len() {
        let area = |k: usize, column: &str| images.get(&areas[k], row, column);
        out.push((
            InstanceImage {
                name: name[row].clone().ok_or_else(|| {
                    images.error(row, "name", "expected a name, found null".into())
                })?,
                group: group[row].clone(),
                truth: Vec::new(),
                pred: Vec::new(),
                overlaps: Vec::new(),
                foreground: Coverage {
                    truth: area(0, "truth_area")?,
                    pred: area(1, "pred_area")?,
                    both: area(2, "both_area")?,
                },
            },
            images.get(&by_pixels, row, "by_pixels")?,
        ));
    }
    let (image, pred) = (instances.u32s("image")?, instances.bools("pred")?);
    let (area, class) = (instances.f64s("area")?, instances.u32s("class")?);
    let (x, y) = (instances.f64s("x")?, instances.f64s("y")?);
    for row in 0..image.len() {
        let k = instances.index(&image, row, "image", out.len())?;
        let instance = Instance {
            area: instances.get(&area, row, "area")?,
            class: instances.get(&class, row, "class")? as usize,
            centroid: [instances.get(&x, row, "x")?, instances.get(&y, row, "y")?],
        };
        let target = &mut out[k].0;
        if instances.get(&pred, row, "pred")? {
            target.pred.push(instance);
        } else {
            target.truth.push(instance);
        }
    }
    let (image, truth, pred, area) = (
        overlaps.u32s("image")?,
        overlaps.u32s("truth")?,
        overlaps.u32s("pred")?,
        overlaps.f64s("area")?,
    );
    for row in 0..image.len() {
        let k = overlaps.index(&image, row, "image", out.len())?;
        let target = &mut out[k].0;
        let overlap = Overlap {
            truth: overlaps.index(&truth, row, "truth", target.truth.len())? as u32,
            pred: overlaps.index(&pred, row, "pred", target.pred.len())? as u32,
            area: overlaps.get(&area, row, "area")?,
        };
        target.overlaps.push(overlap);
    }
    Ok(out)
}
