//! Bland-Altman agreement of two measurements of the same things (Bland & Altman, Lancet
//! 1986): the bias (mean difference) and the 95% limits of agreement, bias ± 1.96 SD of the
//! differences.
//!
//! ```
//! use nucagree::stats::bland_altman::bland_altman;
//! // Counts of one class in four images: truth and prediction.
//! let agreement = bland_altman(&[10.0, 12.0, 7.0, 3.0], &[11.0, 12.0, 9.0, 3.0]).unwrap();
//! assert_eq!(agreement.bias, Some(0.75)); // prediction minus truth
//! assert!((agreement.sd.unwrap() - 0.9574271077563381).abs() < 1e-12);
//! ```

use super::moments::mean_sd;
use serde::Serialize;

/// The bias and limits of agreement of `b - a`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BlandAltman {
    pub n: usize,
    /// The mean of `b - a`.
    pub bias: Option<f64>,
    /// The sample standard deviation of `b - a`; `None` below two pairs.
    pub sd: Option<f64>,
    /// bias - 1.96 sd.
    pub lower: Option<f64>,
    /// bias + 1.96 sd.
    pub upper: Option<f64>,
}

/// The agreement of paired measurements `a` and `b`; `None` when their lengths differ.
pub fn bland_altman(a: &[f64], b: &[f64]) -> Option<BlandAltman> {
    if a.len() != b.len() {
        return None;
    }
    let differences: Vec<f64> = a.iter().zip(b).map(|(x, y)| y - x).collect();
    let (bias, sd) = mean_sd(&differences);
    let limit = |sign: f64| bias.zip(sd).map(|(m, s)| m + sign * 1.96 * s);
    Some(BlandAltman {
        n: a.len(),
        bias,
        sd,
        lower: limit(-1.0),
        upper: limit(1.0),
    })
}
