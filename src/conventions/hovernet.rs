//! HoVer-Net's figures (`metrics/stats_utils.py` and `compute_stats.py` of vqdang/hover_net):
//! per image PQ (`get_fast_pq`), AJI, AJI+, Dice1 and Dice2; over the images, the nuclei
//! type statistics of `run_nuclei_type_stat` (F_d, type accuracy and F_c per type).
//!
//! Where HoVer-Net's code fails (AJI raises on an empty prediction, Dice2 divides by zero
//! when no pair overlaps) the defined value is given: AJI 0 when nothing overlaps and the
//! union is not empty, Dice2 `None`.

use super::pairing::{
    max_weight_edges, nearest_assignment, nearest_within, unique_pairs, PairCounts,
};
use super::{mean_of_defined, InstanceImage, Keyed};
use serde::Serialize;

/// HoVer-Net's pairing radius of `run_nuclei_type_stat`, in pixels.
pub const TYPE_STAT_RADIUS: f64 = 12.0;

/// One image's instance figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct ImageFigures {
    pub dq: Option<f64>,
    pub sq: Option<f64>,
    pub pq: Option<f64>,
    pub aji: Option<f64>,
    pub aji_plus: Option<f64>,
    pub dice_1: Option<f64>,
    pub dice_2: Option<f64>,
}

impl ImageFigures {
    /// The figures in their JSON order, by name.
    pub fn named(&self) -> [(&'static str, Option<f64>); 7] {
        [
            ("dq", self.dq),
            ("sq", self.sq),
            ("pq", self.pq),
            ("aji", self.aji),
            ("aji_plus", self.aji_plus),
            ("dice_1", self.dice_1),
            ("dice_2", self.dice_2),
        ]
    }
}

/// `get_fast_pq`'s dq, sq and pq from the pair counts: dq = tp / (tp + fp/2 + fn/2), no
/// smoothing term (`None` when there is nothing on either side); sq = IoU sum / (tp + 1e-6).
pub fn hovernet_pq(counts: PairCounts) -> (Option<f64>, Option<f64>, Option<f64>) {
    let tp = counts.tp as f64;
    let denominator = tp + 0.5 * counts.fp as f64 + 0.5 * counts.fn_ as f64;
    if denominator == 0.0 {
        return (None, None, None);
    }
    let dq = tp / denominator;
    let sq = counts.iou_sum / (tp + 1.0e-6);
    (Some(dq), Some(sq), Some(dq * sq))
}

/// One image's PQ, AJI, AJI+, Dice1 and Dice2.
pub fn image_figures(image: &InstanceImage) -> ImageFigures {
    let (dq, sq, pq) = hovernet_pq(unique_pairs(image, None));
    let f = &image.foreground;
    let dice_1 = ratio(2.0 * f.both, f.truth + f.pred);
    let overlap_area: f64 = image.overlaps.iter().map(|o| o.area).sum();
    let pair_total: f64 = image
        .overlaps
        .iter()
        .map(|o| image.truth[o.truth as usize].area + image.pred[o.pred as usize].area)
        .sum();
    let dice_2 = ratio(2.0 * overlap_area, pair_total);
    ImageFigures {
        dq,
        sq,
        pq,
        aji: aji(image),
        aji_plus: aji_plus(image),
        dice_1,
        dice_2,
    }
}

fn ratio(numerator: f64, denominator: f64) -> Option<f64> {
    (denominator > 0.0).then(|| numerator / denominator)
}

/// The union of an overlap, and HoVer-Net's IoU for choosing pairs (union + 1e-6).
fn union_and_score(image: &InstanceImage, index: usize) -> (f64, f64) {
    let o = &image.overlaps[index];
    let union = image.truth[o.truth as usize].area + image.pred[o.pred as usize].area - o.area;
    (union, o.area / (union + 1.0e-6))
}

/// AJI from chosen pairs (positions in `image.overlaps`): their intersections over their
/// unions plus the areas of every instance in no chosen pair.
fn aji_of(image: &InstanceImage, chosen: &[usize]) -> Option<f64> {
    let mut truth_paired = vec![false; image.truth.len()];
    let mut pred_paired = vec![false; image.pred.len()];
    let (mut inter, mut union) = (0.0, 0.0);
    for &index in chosen {
        let o = &image.overlaps[index];
        inter += o.area;
        union += union_and_score(image, index).0;
        truth_paired[o.truth as usize] = true;
        pred_paired[o.pred as usize] = true;
    }
    for (instance, paired) in image.truth.iter().zip(&truth_paired) {
        if !paired {
            union += instance.area;
        }
    }
    for (instance, paired) in image.pred.iter().zip(&pred_paired) {
        if !paired {
            union += instance.area;
        }
    }
    ratio(inter, union)
}

/// `get_fast_aji`: each truth instance takes the prediction of highest IoU (the first on a
/// tie), a prediction may be taken twice.
pub fn aji(image: &InstanceImage) -> Option<f64> {
    let mut chosen = Vec::new();
    let mut index = 0;
    while index < image.overlaps.len() {
        let truth = image.overlaps[index].truth;
        let mut best: Option<(usize, f64)> = None;
        while index < image.overlaps.len() && image.overlaps[index].truth == truth {
            let score = union_and_score(image, index).1;
            if best.is_none_or(|(_, s)| score > s) {
                best = Some((index, score));
            }
            index += 1;
        }
        if let Some((at, score)) = best {
            if score > 0.0 {
                chosen.push(at);
            }
        }
    }
    chosen.dedup();
    aji_of(image, &chosen)
}

/// `get_fast_aji_plus`: the one-to-one assignment of largest total IoU.
pub fn aji_plus(image: &InstanceImage) -> Option<f64> {
    let edges: Vec<(u32, u32, f64)> = (0..image.overlaps.len())
        .map(|i| {
            let o = &image.overlaps[i];
            (o.truth, o.pred, union_and_score(image, i).1)
        })
        .collect();
    let chosen: Vec<usize> = max_weight_edges(&edges)
        .into_iter()
        .filter(|&i| edges[i].2 > 0.0)
        .collect();
    aji_of(image, &chosen)
}

/// The means over images of each figure, over the images where it is defined.
pub fn mean_over_images(figures: &[ImageFigures]) -> ImageFigures {
    let mean = |get: fn(&ImageFigures) -> Option<f64>| mean_of_defined(figures.iter().map(get));
    ImageFigures {
        dq: mean(|f| f.dq),
        sq: mean(|f| f.sq),
        pq: mean(|f| f.pq),
        aji: mean(|f| f.aji),
        aji_plus: mean(|f| f.aji_plus),
        dice_1: mean(|f| f.dice_1),
        dice_2: mean(|f| f.dice_2),
    }
}

/// `run_nuclei_type_stat`'s figures, pooled over images.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypeStat {
    /// Detection F1 of the centroid pairing.
    pub f1_d: Option<f64>,
    /// The share of pairs whose types agree.
    pub acc_type: Option<f64>,
    /// F_c per type present in the truth (HoVer-Net's default `type_uid_list`), in class order.
    pub f1_type: Keyed<Option<f64>>,
    /// Images with no prediction (or no truth) that got HoVer-Net's placeholder instance at
    /// (0, 0) of type 0.
    pub placeholders: usize,
}

/// A type in the type statistics: a class, or the placeholder's type 0.
type TypeOf = Option<usize>;

/// One image's centroid pairing, by position (the placeholder, where there is one, at
/// position 0 of an empty side).
#[derive(Debug, Clone, PartialEq)]
pub struct CentroidPairing {
    pub pairs: Vec<(u32, u32)>,
    pub unpaired_truth: Vec<u32>,
    pub unpaired_pred: Vec<u32>,
    pub truth_placeholder: bool,
    pub pred_placeholder: bool,
}

/// `pair_coordinates` of `run_nuclei_type_stat`: centroids (as float32, as HoVer-Net reads
/// them) paired by least total distance, pairs farther than 12 px dropped; an empty side gets
/// a placeholder at (0, 0).
pub fn centroid_pairing(image: &InstanceImage) -> CentroidPairing {
    let points = |instances: &[super::Instance]| -> Vec<[f64; 2]> {
        if instances.is_empty() {
            return vec![[0.0, 0.0]];
        }
        instances
            .iter()
            .map(|i| [i.centroid[0] as f32 as f64, i.centroid[1] as f32 as f64])
            .collect()
    };
    let (truth_points, pred_points) = (points(&image.truth), points(&image.pred));
    let mut truth_paired = vec![false; truth_points.len()];
    let mut pred_paired = vec![false; pred_points.len()];
    let mut pairs = Vec::new();
    let assigned = if image.crowded() {
        nearest_within(&truth_points, &pred_points, TYPE_STAT_RADIUS)
    } else {
        nearest_assignment(&truth_points, &pred_points)
    };
    for (t, p, distance) in assigned {
        if distance <= TYPE_STAT_RADIUS {
            pairs.push((t as u32, p as u32));
            truth_paired[t] = true;
            pred_paired[p] = true;
        }
    }
    let unpaired = |paired: &[bool]| -> Vec<u32> {
        (0..paired.len() as u32)
            .filter(|&i| !paired[i as usize])
            .collect()
    };
    CentroidPairing {
        unpaired_truth: unpaired(&truth_paired),
        unpaired_pred: unpaired(&pred_paired),
        pairs,
        truth_placeholder: image.truth.is_empty(),
        pred_placeholder: image.pred.is_empty(),
    }
}

/// `run_nuclei_type_stat` over the images, pooled, from each image's [`centroid_pairing`]
/// (the pairing does not depend on classes, so each class level reuses it).
pub fn type_stat_of(
    images: &[InstanceImage],
    pairings: &[CentroidPairing],
    class_names: &[String],
) -> TypeStat {
    let mut paired: Vec<(TypeOf, TypeOf)> = Vec::new();
    let mut unpaired_truth: Vec<TypeOf> = Vec::new();
    let mut unpaired_pred: Vec<TypeOf> = Vec::new();
    let mut truth_types: Vec<TypeOf> = Vec::new();
    let mut placeholders = 0;
    for (image, pairing) in images.iter().zip(pairings) {
        let type_of = |instances: &[super::Instance], placeholder: bool, i: u32| -> TypeOf {
            (!placeholder).then(|| instances[i as usize].class)
        };
        let truth = |i| type_of(&image.truth, pairing.truth_placeholder, i);
        let pred = |i| type_of(&image.pred, pairing.pred_placeholder, i);
        placeholders += usize::from(pairing.truth_placeholder || pairing.pred_placeholder);
        if pairing.truth_placeholder {
            truth_types.push(None);
        } else {
            truth_types.extend(image.truth.iter().map(|i| Some(i.class)));
        }
        paired.extend(pairing.pairs.iter().map(|&(t, p)| (truth(t), pred(p))));
        unpaired_truth.extend(pairing.unpaired_truth.iter().map(|&t| truth(t)));
        unpaired_pred.extend(pairing.unpaired_pred.iter().map(|&p| pred(p)));
    }
    let tp_d = paired.len() as f64;
    let f1_d = ratio(
        2.0 * tp_d,
        2.0 * tp_d + unpaired_pred.len() as f64 + unpaired_truth.len() as f64,
    );
    let agreeing = paired.iter().filter(|(t, p)| t == p).count() as f64;
    let acc_type = ratio(agreeing, tp_d);
    truth_types.sort_unstable();
    truth_types.dedup();
    let f1_type = truth_types
        .into_iter()
        .map(|kind| {
            let name = match kind {
                Some(c) => class_names[c].clone(),
                None => "0 (placeholder)".to_string(),
            };
            (
                name,
                type_f1(&paired, &unpaired_truth, &unpaired_pred, kind),
            )
        })
        .collect();
    TypeStat {
        f1_d,
        acc_type,
        f1_type: Keyed(f1_type),
        placeholders,
    }
}

/// `_f1_type` with w = [2, 2, 1, 1], over the pairs where either side is `kind` (so its tn is
/// always 0).
fn type_f1(
    paired: &[(TypeOf, TypeOf)],
    unpaired_truth: &[TypeOf],
    unpaired_pred: &[TypeOf],
    kind: TypeOf,
) -> Option<f64> {
    let (mut tp, mut fp, mut fn_) = (0.0, 0.0, 0.0);
    for &(t, p) in paired {
        match (t == kind, p == kind) {
            (true, true) => tp += 1.0,
            (false, true) => fp += 1.0,
            (true, false) => fn_ += 1.0,
            (false, false) => {}
        }
    }
    let fp_d = unpaired_pred.iter().filter(|&&p| p == kind).count() as f64;
    let fn_d = unpaired_truth.iter().filter(|&&t| t == kind).count() as f64;
    ratio(2.0 * tp, 2.0 * tp + 2.0 * fp + 2.0 * fn_ + fp_d + fn_d)
}
