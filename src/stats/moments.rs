//! The mean and the sample standard deviation (n - 1), undefined where there are too few
//! values.
//!
//! ```
//! use nucagree::stats::moments::{mean, mean_sd};
//!
//! assert_eq!(mean(&[1.0, 2.0, 6.0]), Some(3.0));
//! assert_eq!(mean_sd(&[1.0, 3.0]), (Some(2.0), Some(2f64.sqrt())));
//! assert_eq!(mean_sd(&[5.0]), (Some(5.0), None));
//! assert_eq!(mean(&[]), None);
//! ```

/// The mean; `None` of no values.
pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// The mean and the sample standard deviation (divided by n - 1); the SD is `None` below two
/// values.
pub fn mean_sd(values: &[f64]) -> (Option<f64>, Option<f64>) {
    let n = values.len() as f64;
    let mean = mean(values);
    let sd = mean
        .filter(|_| n >= 2.0)
        .map(|m| (values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt());
    (mean, sd)
}
