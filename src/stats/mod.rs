//! Statistics of agreement and detection, as pure functions over plain inputs, each checked
//! against its reference implementation (statsmodels, scikit-learn, krippendorff, irrCAC,
//! pycocotools) in `tests/reference_vectors.rs`. Undefined results are `None`, never NaN.

pub mod average_precision;
pub mod benchmark;
pub mod bland_altman;
pub mod bootstrap;
pub mod brennan_prediger;
pub mod cohen;
pub mod confusion;
pub mod conger;
pub mod conjugate_gradient;
pub mod detection;
pub mod digamma;
pub mod fleiss;
pub mod gwet;
pub mod icc;
pub mod krippendorff;
pub mod line_search;
pub mod mersenne_twister;
pub mod moments;
pub mod rank_tests;
pub mod specific_agreement;

/// The upper tail of the standard normal, through libm's `erfc` (accurate to about an ulp;
/// statrs' error function is good to about 1e-11, short of the 1e-12 our checks use).
pub fn normal_sf(z: f64) -> f64 {
    0.5 * libm::erfc(z / std::f64::consts::SQRT_2)
}

/// Two-sided p-value of a standard normal z.
pub fn normal_two_sided_p(z: f64) -> f64 {
    2.0 * normal_sf(z.abs())
}
