//! The IoUs of matched pairs: their histogram, and detection F1 at stricter IoU thresholds.
//!
//! F1 at a threshold `t` at or above the matching threshold counts the pairs whose IoU is
//! below `t` as a miss and a false positive each, without matching again (a pair's partner
//! could in principle pair with another nucleus at `t`; the optimal matching at the lower
//! threshold makes that rare).

use super::outcome::FovOutcome;
use super::roles::{AmbiguousMode, ClassRoles};
use crate::stats::detection::{Detection, DetectionCounts};
use serde::Serialize;

/// Bins of the histogram over [0, 1].
pub const HISTOGRAM_BINS: usize = 20;

/// Detection F1 at one IoU threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct F1AtIou {
    pub iou_threshold: f64,
    pub f1: Option<f64>,
}

/// The IoU histogram of the pairs counted in detection, and F1 against the IoU threshold
/// from `from` (the matching threshold) to 0.95 in steps of 0.05.
pub fn iou_profile(
    outcomes: &[FovOutcome],
    roles: &ClassRoles,
    detection: &Detection,
    from: Option<f64>,
) -> (Vec<u64>, Vec<F1AtIou>) {
    let ignore = roles.mode == AmbiguousMode::Ignore;
    let mut histogram = vec![0u64; HISTOGRAM_BINS];
    let mut ious = Vec::new();
    for o in outcomes {
        for p in &o.pairs {
            if ignore && roles.is_ambiguous(p.b) {
                continue;
            }
            let bin = ((p.iou * HISTOGRAM_BINS as f64) as usize).min(HISTOGRAM_BINS - 1);
            histogram[bin] += 1;
            ious.push(p.iou);
        }
    }
    ious.sort_by(f64::total_cmp);
    let Some(from) = from else {
        return (histogram, Vec::new());
    };
    let mut sweep = Vec::new();
    for step in 0..=19 {
        let t = (step as f64 * 0.05 * 100.0).round() / 100.0;
        if t + 1e-9 < from {
            continue;
        }
        let below = ious.partition_point(|&v| v < t - 1e-12) as u64;
        let removed = below.min(detection.tp);
        let counts = DetectionCounts {
            tp: detection.tp - removed,
            fp: detection.fp + removed,
            fn_: detection.fn_ + removed,
        };
        sweep.push(F1AtIou {
            iou_threshold: t,
            f1: counts.f1(),
        });
    }
    (histogram, sweep)
}
