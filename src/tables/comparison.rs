//! The tables of `compare` and `score` as polars DataFrames: per class, per group of FOVs
//! (FOV, slide, hospital, fold), per fold with AP, precision-recall curves and the
//! score-threshold sweep.

use super::Columns;
use crate::comparison::groups::GroupRow;
use crate::comparison::run::ComparisonReport;
use crate::error::Result;
use crate::model::ClassLevel;
use polars::prelude::DataFrame;

fn low(ci: Option<[f64; 2]>) -> Option<f64> {
    ci.map(|c| c[0])
}

fn high(ci: Option<[f64; 2]>) -> Option<f64> {
    ci.map(|c| c[1])
}

/// One row per class and level: joint-rule counts, rates, supports, one-vs-rest kappa, F1
/// interval and AP (score).
pub fn per_class(report: &ComparisonReport) -> Result<DataFrame> {
    let mut level = Vec::new();
    let mut class = Vec::new();
    let (mut n_a, mut n_b, mut tp, mut fp, mut fn_) = (vec![], vec![], vec![], vec![], vec![]);
    let (mut precision, mut recall, mut f1, mut f1_low, mut f1_high, mut kappa) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let (mut kappa_low, mut kappa_high) = (vec![], vec![]);
    let (mut ap50, mut ap75, mut ap50_95) = (vec![], vec![], vec![]);
    let (mut ambiguous, mut on_ambiguous, mut called, mut a_on_ambiguous) =
        (vec![], vec![], vec![], vec![]);
    for l in ClassLevel::ALL {
        for p in &report.result.levels.get(l).per_class {
            level.push(l.name().to_string());
            class.push(p.class.clone());
            n_a.push(p.n_a);
            n_b.push(p.n_b);
            tp.push(p.tp);
            fp.push(p.fp);
            fn_.push(p.fn_);
            ambiguous.push(p.ambiguous);
            on_ambiguous.push(p.on_ambiguous_reference);
            called.push(p.called_ambiguous);
            a_on_ambiguous.push(p.a_matched_to_ambiguous);
            precision.push(p.precision);
            recall.push(p.recall);
            f1.push(p.f1);
            f1_low.push(low(p.f1_ci95));
            f1_high.push(high(p.f1_ci95));
            kappa.push(p.kappa);
            kappa_low.push(low(p.kappa_ci95));
            kappa_high.push(high(p.kappa_ci95));
            let ap = p.ap.unwrap_or_default();
            ap50.push(ap.ap50);
            ap75.push(ap.ap75);
            ap50_95.push(ap.ap50_95);
        }
    }
    let mut c = Columns::default();
    c.add("level", level)
        .add("class", class)
        .add("n_a", n_a)
        .add("n_b", n_b)
        .add("tp", tp)
        .add("fp", fp)
        .add("fn", fn_)
        .add("ambiguous", ambiguous)
        .add("on_ambiguous_reference", on_ambiguous)
        .add("called_ambiguous", called)
        .add("a_matched_to_ambiguous", a_on_ambiguous)
        .add("precision", precision)
        .add("recall", recall)
        .add("f1", f1)
        .add("f1_ci_low", f1_low)
        .add("f1_ci_high", f1_high)
        .add("kappa_one_vs_rest", kappa)
        .add("kappa_ci_low", kappa_low)
        .add("kappa_ci_high", kappa_high);
    if report.result.objectness_ap.is_some() {
        c.add("ap50", ap50)
            .add("ap75", ap75)
            .add("ap50_95", ap50_95);
    }
    c.frame("the per-class table")
}

/// One row per group of FOVs.
pub fn groups(rows: &[GroupRow], key: &str) -> Result<DataFrame> {
    let mut c = Columns::default();
    c.add(
        key,
        rows.iter().map(|r| r.group.clone()).collect::<Vec<_>>(),
    )
    .map("fovs", rows, |r| r.fovs as u64)
    .map("nuclei_a", rows, |r| r.nuclei_a)
    .map("nuclei_b", rows, |r| r.nuclei_b)
    .map("tp", rows, |r| r.detection.tp)
    .map("fp", rows, |r| r.detection.fp)
    .map("fn", rows, |r| r.detection.fn_)
    .map("precision", rows, |r| r.detection.precision)
    .map("recall", rows, |r| r.detection.recall)
    .map("f1", rows, |r| r.detection.f1)
    .map("f1_ci_low", rows, |r| low(r.f1_ci95))
    .map("f1_ci_high", rows, |r| high(r.f1_ci95))
    .map("mean_iou", rows, |r| r.mean_iou);
    for (k, level) in ClassLevel::ALL.iter().enumerate() {
        let name = level.name();
        c.map(&format!("accuracy_{name}"), rows, |r| r.accuracy[k])
            .map(&format!("kappa_{name}"), rows, |r| r.kappa[k])
            .map(&format!("kappa_{name}_ci_low"), rows, |r| {
                low(r.kappa_ci95[k])
            })
            .map(&format!("kappa_{name}_ci_high"), rows, |r| {
                high(r.kappa_ci95[k])
            });
    }
    c.frame(&format!("the table by {key}"))
}

/// One row per fold with its figures (`score --folds`), then the mean and SD rows.
pub fn folds(report: &ComparisonReport) -> Result<Option<DataFrame>> {
    let Some(folds) = &report.result.folds else {
        return Ok(None);
    };
    let keys: Vec<&String> = folds.mean.keys().collect();
    let mut c = Columns::default();
    let mut labels: Vec<String> = folds.folds.iter().map(|f| f.fold.to_string()).collect();
    labels.extend(["mean".to_string(), "sd".to_string()]);
    let mut fovs: Vec<u64> = folds.folds.iter().map(|f| f.fovs as u64).collect();
    let total: u64 = fovs.iter().sum();
    fovs.extend([total, total]);
    c.add("fold", labels).add("fovs", fovs);
    for key in keys {
        let mut values: Vec<Option<f64>> = folds.folds.iter().map(|f| f.figures[key]).collect();
        values.extend([folds.mean[key], folds.sd[key]]);
        c.add(key, values);
    }
    c.frame("the fold table").map(Some)
}

/// Precision at recall 0, 0.01, ..., 1 (IoU 0.5) per level and class with truth, and
/// class-agnostic (level `class-agnostic`) (score).
pub fn pr_curves(report: &ComparisonReport) -> Result<Option<DataFrame>> {
    let (mut level, mut class, mut recall, mut precision) = (vec![], vec![], vec![], vec![]);
    for l in ClassLevel::ALL {
        for (name, values) in &report.result.levels.get(l).pr_curves {
            for (r, p) in values.iter().enumerate() {
                level.push(l.name().to_string());
                class.push(name.clone());
                recall.push(r as f64 / 100.0);
                precision.push(*p);
            }
        }
    }
    if let Some(values) = &report.result.objectness_pr_curve {
        for (r, p) in values.iter().enumerate() {
            level.push("class-agnostic".to_string());
            class.push("all nuclei".to_string());
            recall.push(r as f64 / 100.0);
            precision.push(*p);
        }
    }
    if level.is_empty() {
        return Ok(None);
    }
    let mut c = Columns::default();
    c.add("level", level)
        .add("class", class)
        .add("recall", recall)
        .add("precision", precision);
    c.frame("the precision-recall curves").map(Some)
}

/// Detection at score thresholds 0, 0.05, ..., 1 (score).
pub fn score_thresholds(report: &ComparisonReport) -> Result<Option<DataFrame>> {
    let Some(sweep) = &report.result.score_threshold else {
        return Ok(None);
    };
    let rows = &sweep.curve;
    let mut c = Columns::default();
    c.map("score_threshold", rows, |r| r.score_threshold)
        .map("tp", rows, |r| r.detection.tp)
        .map("fp", rows, |r| r.detection.fp)
        .map("fn", rows, |r| r.detection.fn_)
        .map("precision", rows, |r| r.detection.precision)
        .map("recall", rows, |r| r.detection.recall)
        .map("f1", rows, |r| r.detection.f1);
    c.frame("the score-threshold table").map(Some)
}

/// The confusion matrices of every level, long form: level, class_a, class_b, count
/// (`unmatched` for a nucleus without partner).
pub fn confusion(report: &ComparisonReport) -> Result<DataFrame> {
    let (mut level, mut class_a, mut class_b, mut counts) = (vec![], vec![], vec![], vec![]);
    for l in ClassLevel::ALL {
        let m = &report.result.levels.get(l).confusion;
        let name = |i: usize| {
            m.classes
                .get(i)
                .cloned()
                .unwrap_or_else(|| "unmatched".into())
        };
        for (i, row) in m.counts.iter().enumerate() {
            for (j, &n) in row.iter().enumerate() {
                level.push(l.name().to_string());
                class_a.push(name(i));
                class_b.push(name(j));
                counts.push(n);
            }
        }
    }
    let mut c = Columns::default();
    c.add("level", level)
        .add("class_a", class_a)
        .add("class_b", class_b)
        .add("count", counts);
    c.frame("the confusion table")
}
