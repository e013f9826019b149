//! The instances of two label maps of one image and where they overlap, by counting pixels.
//!
//! ```
//! use nucagree::conventions::overlaps::label_map_overlaps;
//! // 2 x 2: truth instance 1 on the top row, prediction 7 on the left column.
//! let truth = [1, 1, 0, 0];
//! let pred = [7, 0, 7, 0];
//! let (t, p, overlaps) = label_map_overlaps(&truth, &pred, 2, &[1], &[7]);
//! assert_eq!((t[0].area, p[0].area), (2.0, 2.0));
//! assert_eq!(t[0].centroid, [0.5, 0.0]);
//! assert_eq!(overlaps[0].area, 1.0);
//! ```

use super::{Instance, Overlap};
use std::collections::HashMap;

/// Instances (class 0; set them after) and overlaps of two label maps of `width` columns,
/// each instance listed by its label in `truth_labels` / `pred_labels` (the order of the
/// result); pixels of a label not listed are background.
pub fn label_map_overlaps(
    truth: &[u32],
    pred: &[u32],
    width: usize,
    truth_labels: &[u32],
    pred_labels: &[u32],
) -> (Vec<Instance>, Vec<Instance>, Vec<Overlap>) {
    let index = |labels: &[u32]| -> HashMap<u32, u32> {
        labels
            .iter()
            .enumerate()
            .map(|(i, &l)| (l, i as u32 + 1))
            .collect()
    };
    let (truth_index, pred_index) = (index(truth_labels), index(pred_labels));
    let dense = |map: &[u32], index: &HashMap<u32, u32>| -> Vec<u32> {
        map.iter()
            .map(|&l| {
                if l == 0 {
                    0
                } else {
                    index.get(&l).copied().unwrap_or(0)
                }
            })
            .collect()
    };
    let (truth, pred) = (dense(truth, &truth_index), dense(pred, &pred_index));
    let sums = |map: &[u32], n: usize| -> Vec<Instance> {
        let mut acc = vec![(0u64, 0u64, 0u64); n];
        for (at, &l) in map.iter().enumerate() {
            if l != 0 {
                let a = &mut acc[l as usize - 1];
                a.0 += 1;
                a.1 += (at % width) as u64;
                a.2 += (at / width) as u64;
            }
        }
        acc.into_iter()
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
    };
    let truth_instances = sums(&truth, truth_labels.len());
    let pred_instances = sums(&pred, pred_labels.len());
    let mut keys: Vec<u64> = truth
        .iter()
        .zip(&pred)
        .filter(|(&t, &p)| t != 0 && p != 0)
        .map(|(&t, &p)| (u64::from(t) << 32) | u64::from(p))
        .collect();
    keys.sort_unstable();
    let mut overlaps: Vec<Overlap> = Vec::new();
    for key in keys {
        let (t, p) = ((key >> 32) as u32 - 1, (key & 0xffff_ffff) as u32 - 1);
        match overlaps.last_mut() {
            Some(last) if last.truth == t && last.pred == p => last.area += 1.0,
            _ => overlaps.push(Overlap {
                truth: t,
                pred: p,
                area: 1.0,
            }),
        }
    }
    (truth_instances, pred_instances, overlaps)
}
