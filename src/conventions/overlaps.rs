//! The instances of two label maps of one image and where they overlap, by counting pixels
//! run by run.
//!
//! ```
//! use nucagree::conventions::overlaps::label_map_overlaps;
//! use nucagree::model::LabelMap;
//! // 2 x 2: truth instance 1 on the top row, prediction 7 on the left column.
//! let truth = LabelMap::from_labels(2, 2, &[1, 1, 0, 0]).unwrap();
//! let pred = LabelMap::from_labels(2, 2, &[7, 0, 7, 0]).unwrap();
//! let (t, p, overlaps) = label_map_overlaps(&truth, &pred, &[1], &[7]);
//! assert_eq!((t[0].area, p[0].area), (2.0, 2.0));
//! assert_eq!(t[0].centroid, [0.5, 0.0]);
//! assert_eq!(overlaps[0].area, 1.0);
//! ```

use super::{Instance, Overlap};
use crate::model::{LabelMap, LabelRun};
use std::collections::HashMap;

/// Instances (class 0; set them after) and overlaps of two label maps of one size, each
/// instance listed by its label in `truth_labels` / `pred_labels` (the order of the result);
/// pixels of a label not listed are background.
pub fn label_map_overlaps(
    truth: &LabelMap,
    pred: &LabelMap,
    truth_labels: &[u32],
    pred_labels: &[u32],
) -> (Vec<Instance>, Vec<Instance>, Vec<Overlap>) {
    let truth = positions(truth.runs(), truth_labels);
    let pred = positions(pred.runs(), pred_labels);
    let truth_instances = instances(&truth, truth_labels.len());
    let pred_instances = instances(&pred, pred_labels.len());
    // Walk both maps' runs in row-major order: within a row, runs do not overlap, so each
    // step ends the run that ends first.
    let mut shared: Vec<(u64, u32)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < truth.len() && j < pred.len() {
        let (t, p) = (&truth[i], &pred[j]);
        if t.y != p.y {
            if t.y < p.y {
                i += 1;
            } else {
                j += 1;
            }
            continue;
        }
        let (t_end, p_end) = (t.x + t.len, p.x + p.len);
        let overlap = t_end.min(p_end).saturating_sub(t.x.max(p.x));
        if overlap > 0 {
            shared.push(((u64::from(t.label) << 32) | u64::from(p.label), overlap));
        }
        if t_end <= p_end {
            i += 1;
        } else {
            j += 1;
        }
    }
    shared.sort_unstable_by_key(|&(key, _)| key);
    let mut overlaps: Vec<Overlap> = Vec::new();
    for (key, pixels) in shared {
        let (t, p) = ((key >> 32) as u32 - 1, (key & 0xffff_ffff) as u32 - 1);
        match overlaps.last_mut() {
            Some(last) if last.truth == t && last.pred == p => last.area += f64::from(pixels),
            _ => overlaps.push(Overlap {
                truth: t,
                pred: p,
                area: f64::from(pixels),
            }),
        }
    }
    (truth_instances, pred_instances, overlaps)
}

/// The runs with each label replaced by its 1-based position in `labels`, runs of labels not
/// listed left out: the runs themselves when their labels are already 1, 2, … (as the
/// readers number them).
fn positions<'a>(runs: &'a [LabelRun], labels: &[u32]) -> std::borrow::Cow<'a, [LabelRun]> {
    use std::borrow::Cow;
    let sequential = labels.iter().enumerate().all(|(i, &l)| l == i as u32 + 1);
    if sequential && runs.iter().all(|r| r.label as usize <= labels.len()) {
        return Cow::Borrowed(runs);
    }
    let index: HashMap<u32, u32> = labels
        .iter()
        .enumerate()
        .map(|(i, &l)| (l, i as u32 + 1))
        .collect();
    Cow::Owned(
        runs.iter()
            .filter_map(|r| {
                index.get(&r.label).map(|&position| LabelRun {
                    label: position,
                    ..*r
                })
            })
            .collect(),
    )
}

/// Area and pixel-centre centroid of each of `count` positions of the runs.
fn instances(runs: &[LabelRun], count: usize) -> Vec<Instance> {
    let mut sums = vec![(0u64, 0u64, 0u64); count];
    for run in runs {
        let s = &mut sums[run.label as usize - 1];
        let (x, y, n) = (u64::from(run.x), u64::from(run.y), u64::from(run.len));
        s.0 += n;
        // x + (x + 1) + … + (x + n − 1)
        s.1 += n * x + n * (n - 1) / 2;
        s.2 += n * y;
    }
    sums.into_iter()
        .map(|(n, sx, sy)| Instance {
            area: n as f64,
            class: 0,
            centroid: if n == 0 {
                [0.0, 0.0]
            } else {
                [sx as f64 / n as f64, sy as f64 / n as f64]
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Pixel by pixel: each position's area and centroid sums, and each pair's shared pixels.
    fn by_pixels(
        truth: &[u32],
        pred: &[u32],
        width: usize,
        n_truth: usize,
        n_pred: usize,
    ) -> (Vec<Instance>, Vec<Instance>, Vec<Overlap>) {
        let instances = |map: &[u32], count: usize| {
            (1..=count as u32)
                .map(|label| {
                    let at: Vec<usize> = (0..map.len()).filter(|&i| map[i] == label).collect();
                    let n = at.len() as f64;
                    let mean = |f: &dyn Fn(usize) -> usize| {
                        at.iter().map(|&i| f(i) as f64).sum::<f64>() / n
                    };
                    Instance {
                        area: n,
                        class: 0,
                        centroid: if at.is_empty() {
                            [0.0, 0.0]
                        } else {
                            [mean(&|i| i % width), mean(&|i| i / width)]
                        },
                    }
                })
                .collect::<Vec<_>>()
        };
        let mut overlaps = Vec::new();
        for t in 1..=n_truth as u32 {
            for p in 1..=n_pred as u32 {
                let shared = truth
                    .iter()
                    .zip(pred)
                    .filter(|(&a, &b)| a == t && b == p)
                    .count();
                if shared > 0 {
                    overlaps.push(Overlap {
                        truth: t - 1,
                        pred: p - 1,
                        area: shared as f64,
                    });
                }
            }
        }
        (instances(truth, n_truth), instances(pred, n_pred), overlaps)
    }

    proptest! {
        #[test]
        fn runs_count_the_same_pixels_as_the_maps(
            width in 1usize..9,
            height in 1usize..9,
            seed in prop::collection::vec((0u32..5, 0u32..4), 81),
        ) {
            let pixels = width * height;
            let truth: Vec<u32> = seed[..pixels].iter().map(|s| s.0).collect();
            let pred: Vec<u32> = seed[..pixels].iter().map(|s| s.1).collect();
            let (w, h) = (width as u32, height as u32);
            let (truth_map, pred_map) = (
                LabelMap::from_labels(w, h, &truth).unwrap(),
                LabelMap::from_labels(w, h, &pred).unwrap(),
            );
            prop_assert_eq!(truth_map.to_labels(), truth.clone());
            let expected = by_pixels(&truth, &pred, width, 4, 3);
            let got = label_map_overlaps(&truth_map, &pred_map, &[1, 2, 3, 4], &[1, 2, 3]);
            prop_assert_eq!(&got, &expected);
            // Listed out of order and with a label left out, the positions follow the lists.
            let got = label_map_overlaps(&truth_map, &pred_map, &[4, 3, 2, 1], &[3, 1]);
            let reversed = |v: u32| if v == 0 { 0 } else { 5 - v };
            let kept = |v: u32| match v { 3 => 1, 1 => 2, _ => 0 };
            let truth: Vec<u32> = truth.iter().map(|&v| reversed(v)).collect();
            let pred: Vec<u32> = pred.iter().map(|&v| kept(v)).collect();
            prop_assert_eq!(&got, &by_pixels(&truth, &pred, width, 4, 2));
        }
    }
}
