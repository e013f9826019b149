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
    let (truth, pred) = (positions(truth, truth_labels), positions(pred, pred_labels));
    let (truth, pred): (&[u32], &[u32]) = (&truth, &pred);
    let truth_instances = instances(truth, width, truth_labels.len());
    let pred_instances = instances(pred, width, pred_labels.len());
    let (n_truth, n_pred) = (truth_labels.len(), pred_labels.len());
    let mut overlaps: Vec<Overlap> = Vec::new();
    if n_truth * n_pred <= 1 << 22 {
        // A table of every pair (a few hundred instances an image): one pass, no sorting.
        let mut table = vec![0u32; n_truth * n_pred];
        for (&t, &p) in truth.iter().zip(pred) {
            if t != 0 && p != 0 {
                table[(t as usize - 1) * n_pred + p as usize - 1] += 1;
            }
        }
        for (at, &n) in table.iter().enumerate() {
            if n > 0 {
                overlaps.push(Overlap {
                    truth: (at / n_pred) as u32,
                    pred: (at % n_pred) as u32,
                    area: f64::from(n),
                });
            }
        }
        return (truth_instances, pred_instances, overlaps);
    }
    let mut keys: Vec<u64> = truth
        .iter()
        .zip(pred)
        .filter(|(&t, &p)| t != 0 && p != 0)
        .map(|(&t, &p)| (u64::from(t) << 32) | u64::from(p))
        .collect();
    keys.sort_unstable();
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

/// The map with each label replaced by its 1-based position in `labels` (0 when not listed):
/// the map itself when its labels are already 1, 2, … (as the readers number them).
fn positions<'a>(map: &'a [u32], labels: &[u32]) -> std::borrow::Cow<'a, [u32]> {
    use std::borrow::Cow;
    let sequential = labels.iter().enumerate().all(|(i, &l)| l == i as u32 + 1);
    if sequential && map.iter().all(|&l| l as usize <= labels.len()) {
        return Cow::Borrowed(map);
    }
    Cow::Owned(relabelled(map, labels))
}

fn relabelled(map: &[u32], labels: &[u32]) -> Vec<u32> {
    let max = labels.iter().copied().max().unwrap_or(0) as usize;
    if max <= 4 * map.len() + 16 {
        let mut table = vec![0u32; max + 1];
        for (i, &l) in labels.iter().enumerate() {
            table[l as usize] = i as u32 + 1;
        }
        return map
            .iter()
            .map(|&l| table.get(l as usize).copied().unwrap_or(0))
            .collect();
    }
    let index: HashMap<u32, u32> = labels
        .iter()
        .enumerate()
        .map(|(i, &l)| (l, i as u32 + 1))
        .collect();
    map.iter()
        .map(|&l| {
            if l == 0 {
                0
            } else {
                index.get(&l).copied().unwrap_or(0)
            }
        })
        .collect()
}

/// Area and pixel-centre centroid of each of `count` positions of a map.
fn instances(map: &[u32], width: usize, count: usize) -> Vec<Instance> {
    let mut sums = vec![(0u64, 0u64, 0u64); count];
    for (at, &l) in map.iter().enumerate() {
        if l != 0 {
            let s = &mut sums[l as usize - 1];
            s.0 += 1;
            s.1 += (at % width) as u64;
            s.2 += (at / width) as u64;
        }
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
