//! Statistics of agreement and detection, as pure functions over plain inputs, each checked
//! against its reference implementation (statsmodels, scikit-learn, krippendorff, irrCAC,
//! pycocotools) in `tests/reference_vectors.rs`. Undefined results are `None`, never NaN.

pub mod average_precision;
pub mod cohen;
pub mod detection;
pub mod fleiss;
pub mod gwet;
pub mod krippendorff;

use statrs::distribution::{ContinuousCDF, Normal};

/// Two-sided p-value of a standard normal z.
pub fn normal_two_sided_p(z: f64) -> f64 {
    let normal = Normal::new(0.0, 1.0).expect("the standard normal");
    2.0 * normal.sf(z.abs())
}
