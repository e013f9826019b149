//! A comparison partial's records as tables, and back: outcomes (one row per FOV or tile),
//! their nuclei (matched pairs and unmatched nuclei), their AP evaluations and each
//! evaluation's detections, and the conventions' images, instances and overlaps. Floats are
//! kept as read (parquet stores f64 exactly), so a merge computes on the same bits.
//!
//! A detection of an AP evaluation is one row of 16 bytes before compression: its score
//! (f64), and the IoU thresholds it matched at and those where it matched only ignored truth,
//! as bits of two u32 (ten thresholds).

use crate::comparison::fov_ap::FovAp;
use crate::comparison::outcome::{FovOutcome, PairShapes};
use crate::conventions::images::MeasuredImage;
use crate::conventions::InstanceImage;
use crate::error::{Error, Result};
use crate::model::{ClassId, ShapeKind};
use crate::stats::average_precision::ImageEvaluation;
use polars::prelude::{Column, DataFrame, PlSmallStr};

/// The tables of a partial, by name (each written as `<name>.parquet`).
pub const TABLES: [&str; 7] = [
    "outcomes",
    "nuclei",
    "ap_evaluations",
    "ap_detections",
    "images",
    "instances",
    "overlaps",
];

pub(super) const PAIR: u32 = 0;
pub(super) const UNMATCHED_A: u32 = 1;
pub(super) const UNMATCHED_B: u32 = 2;
pub(super) const SHAPES: [ShapeKind; 3] = [ShapeKind::Polygon, ShapeKind::Box, ShapeKind::Point];

fn position<T: PartialEq>(all: &[T], item: &T) -> u32 {
    all.iter()
        .position(|x| x == item)
        .expect("every variant is listed") as u32
}

pub(super) fn frame(columns: Vec<Column>) -> Result<DataFrame> {
    let height = columns.first().map_or(0, Column::len);
    DataFrame::new(height, columns).map_err(|e| Error::encode("a partial's table", e))
}

pub(super) fn column<T, P: ?Sized>(name: &str, values: T) -> Column
where
    polars::prelude::Series: polars::prelude::NamedFrom<T, P>,
{
    Column::new(PlSmallStr::from(name), values)
}

/// The tables of `outcomes` (each FOV's, FOV `i` the `i`-th) and `images`, in
/// [`TABLES`]' order.
pub fn partial_frames(
    outcomes: &[Vec<FovOutcome>],
    images: &[MeasuredImage],
) -> Result<Vec<DataFrame>> {
    let mut o = OutcomeColumns::default();
    let mut n = NucleusColumns::default();
    let mut e: [Vec<u32>; 3] = Default::default();
    let mut d = DetectionColumns::default();
    let flat = outcomes
        .iter()
        .enumerate()
        .flat_map(|(fov, list)| list.iter().map(move |outcome| (fov as u32, outcome)));
    for (index, (fov, outcome)) in flat.enumerate() {
        let index = index as u32;
        o.push(fov, outcome);
        n.push(index, outcome);
        if let Some(ap) = &outcome.ap {
            for (slot, evaluation) in evaluations(ap) {
                e[0].push(index);
                e[1].push(slot);
                e[2].push(evaluation.truth_count as u32);
                d.push(index, slot, evaluation);
            }
        }
    }
    let (mut im, mut ins, mut ov) = (
        ImageColumns::default(),
        InstanceColumns::default(),
        OverlapColumns::default(),
    );
    for (k, (image, by_pixels)) in images.iter().enumerate() {
        im.push(image, *by_pixels);
        ins.push(k as u32, image);
        ov.push(k as u32, image);
    }
    let [eo, es, et] = e;
    Ok(vec![
        o.frame()?,
        n.frame()?,
        frame(vec![
            column("outcome", eo),
            column("slot", es),
            column("truth_count", et),
        ])?,
        d.frame()?,
        im.frame()?,
        ins.frame()?,
        ov.frame()?,
    ])
}

/// An outcome's AP evaluations, each with its slot: the classes of the raw, main and super
/// levels in turn, then the class-agnostic one.
fn evaluations(ap: &FovAp) -> Vec<(u32, &ImageEvaluation)> {
    let mut slot = 0u32;
    let mut out = Vec::new();
    for level in &ap.levels {
        for evaluation in level {
            if let Some(evaluation) = evaluation {
                out.push((slot, evaluation));
            }
            slot += 1;
        }
    }
    out.push((slot, &ap.objectness));
    out
}

#[derive(Default)]
struct OutcomeColumns {
    fov: Vec<u32>,
    name: Vec<String>,
    slide: Vec<Option<String>>,
    hospital: Vec<Option<String>>,
    fold: Vec<Option<u32>>,
    counts: [Vec<u64>; 7],
    has_ap: Vec<bool>,
}

pub(super) const OUTCOME_COUNTS: [&str; 7] = [
    "cropped_a",
    "cropped_b",
    "replaced_by_box",
    "greedy_components",
    "unscored_a",
    "points_a",
    "points_b",
];

impl OutcomeColumns {
    fn push(&mut self, fov: u32, o: &FovOutcome) {
        self.fov.push(fov);
        self.name.push(o.fov.clone());
        self.slide.push(o.slide.clone());
        self.hospital.push(o.hospital.clone());
        self.fold.push(o.fold);
        let counts = [
            o.cropped_a,
            o.cropped_b,
            o.replaced_by_box,
            o.greedy_components,
            o.unscored_a,
            o.points_a,
            o.points_b,
        ];
        for (column, count) in self.counts.iter_mut().zip(counts) {
            column.push(count as u64);
        }
        self.has_ap.push(o.ap.is_some());
    }

    fn frame(self) -> Result<DataFrame> {
        let mut columns = vec![
            column("fov", self.fov),
            column("name", self.name),
            column("slide", self.slide),
            column("hospital", self.hospital),
            column("fold", self.fold),
        ];
        for (name, values) in OUTCOME_COUNTS.iter().zip(self.counts) {
            columns.push(column(name, values));
        }
        columns.push(column("has_ap", self.has_ap));
        frame(columns)
    }
}

#[derive(Default)]
struct NucleusColumns {
    outcome: Vec<u32>,
    status: Vec<u32>,
    class_a: Vec<Option<u32>>,
    class_b: Vec<Option<u32>>,
    iou: Vec<Option<f64>>,
    score: Vec<Option<f64>>,
    shapes: Vec<Option<u32>>,
    shape_b: Vec<Option<u32>>,
}

impl NucleusColumns {
    fn push(&mut self, outcome: u32, o: &FovOutcome) {
        for p in &o.pairs {
            self.row(outcome, PAIR, Some(p.a), Some(p.b), Some(p.iou), p.score);
            self.shapes
                .push(Some(position(&PairShapes::ALL, &p.shapes)));
            self.shape_b.push(Some(position(&SHAPES, &p.shape_b)));
        }
        for u in &o.unmatched_a {
            self.row(outcome, UNMATCHED_A, Some(u.class), None, None, u.score);
            self.shapes.push(None);
            self.shape_b.push(None);
        }
        for (class, shape) in o.unmatched_b.iter().zip(&o.unmatched_b_shapes) {
            self.row(outcome, UNMATCHED_B, None, Some(*class), None, None);
            self.shapes.push(None);
            self.shape_b.push(Some(position(&SHAPES, shape)));
        }
    }

    fn row(
        &mut self,
        outcome: u32,
        status: u32,
        a: Option<ClassId>,
        b: Option<ClassId>,
        iou: Option<f64>,
        score: Option<f64>,
    ) {
        self.outcome.push(outcome);
        self.status.push(status);
        self.class_a.push(a.map(|c| u32::from(c.0)));
        self.class_b.push(b.map(|c| u32::from(c.0)));
        self.iou.push(iou);
        self.score.push(score);
    }

    fn frame(self) -> Result<DataFrame> {
        frame(vec![
            column("outcome", self.outcome),
            column("status", self.status),
            column("class_a", self.class_a),
            column("class_b", self.class_b),
            column("iou", self.iou),
            column("score", self.score),
            column("shapes", self.shapes),
            column("shape_b", self.shape_b),
        ])
    }
}

#[derive(Default)]
struct DetectionColumns {
    outcome: Vec<u32>,
    slot: Vec<u32>,
    score: Vec<f64>,
    matched: Vec<u32>,
    ignored: Vec<u32>,
}

fn bits(flags: &[Vec<bool>], detection: usize) -> u32 {
    flags
        .iter()
        .enumerate()
        .filter(|(_, at)| at[detection])
        .fold(0, |acc, (t, _)| acc | (1 << t))
}

impl DetectionColumns {
    fn push(&mut self, outcome: u32, slot: u32, e: &ImageEvaluation) {
        for (k, &score) in e.scores.iter().enumerate() {
            self.outcome.push(outcome);
            self.slot.push(slot);
            self.score.push(score);
            self.matched.push(bits(&e.matched, k));
            self.ignored.push(bits(&e.ignored, k));
        }
    }

    fn frame(self) -> Result<DataFrame> {
        frame(vec![
            column("outcome", self.outcome),
            column("slot", self.slot),
            column("score", self.score),
            column("matched", self.matched),
            column("ignored", self.ignored),
        ])
    }
}

#[derive(Default)]
struct ImageColumns {
    name: Vec<String>,
    group: Vec<Option<String>>,
    areas: [Vec<f64>; 3],
    by_pixels: Vec<bool>,
}

impl ImageColumns {
    fn push(&mut self, image: &InstanceImage, by_pixels: bool) {
        self.name.push(image.name.clone());
        self.group.push(image.group.clone());
        let c = image.foreground;
        for (column, value) in self.areas.iter_mut().zip([c.truth, c.pred, c.both]) {
            column.push(value);
        }
        self.by_pixels.push(by_pixels);
    }

    fn frame(self) -> Result<DataFrame> {
        let [truth, pred, both] = self.areas;
        frame(vec![
            column("name", self.name),
            column("group", self.group),
            column("truth_area", truth),
            column("pred_area", pred),
            column("both_area", both),
            column("by_pixels", self.by_pixels),
        ])
    }
}

#[derive(Default)]
struct InstanceColumns {
    image: Vec<u32>,
    pred: Vec<bool>,
    area: Vec<f64>,
    class: Vec<u32>,
    x: Vec<f64>,
    y: Vec<f64>,
}

impl InstanceColumns {
    fn push(&mut self, k: u32, image: &InstanceImage) {
        let sides = [(false, &image.truth), (true, &image.pred)];
        for (pred, instances) in sides {
            for i in instances {
                self.image.push(k);
                self.pred.push(pred);
                self.area.push(i.area);
                self.class.push(i.class as u32);
                self.x.push(i.centroid[0]);
                self.y.push(i.centroid[1]);
            }
        }
    }

    fn frame(self) -> Result<DataFrame> {
        frame(vec![
            column("image", self.image),
            column("pred", self.pred),
            column("area", self.area),
            column("class", self.class),
            column("x", self.x),
            column("y", self.y),
        ])
    }
}

#[derive(Default)]
struct OverlapColumns {
    image: Vec<u32>,
    truth: Vec<u32>,
    pred: Vec<u32>,
    area: Vec<f64>,
}

impl OverlapColumns {
    fn push(&mut self, k: u32, image: &InstanceImage) {
        for o in &image.overlaps {
            self.image.push(k);
            self.truth.push(o.truth);
            self.pred.push(o.pred);
            self.area.push(o.area);
        }
    }

    fn frame(self) -> Result<DataFrame> {
        frame(vec![
            column("image", self.image),
            column("truth", self.truth),
            column("pred", self.pred),
            column("area", self.area),
        ])
    }
}

pub mod agreement;
mod records;
mod table;
pub use records::partial_records;
