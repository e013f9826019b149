//! Benchmarking an agreement coefficient against a scale of bands (Landis-Koch, Fleiss,
//! Altman) by Gwet's probabilistic method, as irrCAC's `Benchmark` computes it: the
//! coefficient's sampling distribution taken as Normal with its standard error, truncated to
//! [−1, 1]; each band's membership probability; and their running sums from the highest band
//! down. The band retained is the highest whose cumulative probability reaches 0.95, so that a
//! coefficient of 0.67 with a standard error of 0.15 is "moderate" rather than "substantial".
//!
//! ```
//! use nucagree::stats::benchmark::{benchmark, Scale};
//!
//! let retained = benchmark(0.67, 0.15, Scale::Altman).unwrap();
//! assert_eq!(retained.band, "moderate");
//! assert!((retained.probability - 0.96356).abs() < 1e-5);
//! ```

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

/// A benchmark scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scale {
    /// Landis and Koch (1977): almost perfect, substantial, moderate, fair, slight, poor.
    LandisKoch,
    /// Fleiss (1981): excellent, intermediate to good, poor.
    Fleiss,
    /// Altman (1991): very good, good, moderate, fair, poor.
    Altman,
}

crate::choices!(Scale {
    LandisKoch => "landis-koch",
    Fleiss => "fleiss",
    Altman => "altman",
});

/// One band of a scale: its name and bounds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    pub name: &'static str,
    pub lower: f64,
    pub upper: f64,
}

const fn band(name: &'static str, lower: f64, upper: f64) -> Band {
    Band { name, lower, upper }
}

impl Scale {
    pub const ALL: [Scale; 3] = [Scale::LandisKoch, Scale::Fleiss, Scale::Altman];

    /// The bands from the highest down, with irrCAC's bounds.
    pub fn bands(self) -> &'static [Band] {
        const LANDIS_KOCH: [Band; 6] = [
            band("almost perfect", 0.8, 1.0),
            band("substantial", 0.6, 0.8),
            band("moderate", 0.4, 0.6),
            band("fair", 0.2, 0.4),
            band("slight", 0.0, 0.2),
            band("poor", -1.0, 0.0),
        ];
        const FLEISS: [Band; 3] = [
            band("excellent", 0.75, 1.0),
            band("intermediate to good", 0.4, 0.75),
            band("poor", -1.0, 0.4),
        ];
        const ALTMAN: [Band; 5] = [
            band("very good", 0.8, 1.0),
            band("good", 0.6, 0.8),
            band("moderate", 0.4, 0.6),
            band("fair", 0.2, 0.4),
            band("poor", -1.0, 0.2),
        ];
        match self {
            Scale::LandisKoch => &LANDIS_KOCH,
            Scale::Fleiss => &FLEISS,
            Scale::Altman => &ALTMAN,
        }
    }

    /// The scale's name in prose.
    pub fn label(self) -> &'static str {
        match self {
            Scale::LandisKoch => "Landis-Koch",
            Scale::Fleiss => "Fleiss",
            Scale::Altman => "Altman",
        }
    }
}

/// The cumulative membership probability of each band of `scale` (highest first), for a
/// coefficient with standard error `se`; `None` unless the coefficient is at most 1 and the
/// standard error positive and finite.
pub fn cumulative_probabilities(coefficient: f64, se: f64, scale: Scale) -> Option<Vec<f64>> {
    if !(coefficient.is_finite() && coefficient <= 1.0 && se.is_finite() && se > 0.0) {
        return None;
    }
    let normal = Normal::standard();
    let phi = |x: f64| normal.cdf(x);
    let truncation = phi((coefficient + 1.0) / se) - phi((coefficient - 1.0) / se);
    let mut sum = 0.0;
    Some(
        scale
            .bands()
            .iter()
            .map(|b| {
                sum += (phi((coefficient - b.lower) / se) - phi((coefficient - b.upper) / se))
                    / truncation;
                sum
            })
            .collect(),
    )
}

/// The band retained and its cumulative probability.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Retained {
    pub scale: Scale,
    pub band: &'static str,
    pub probability: f64,
}

/// The probability a band must reach to be retained.
pub const RETAIN_AT: f64 = 0.95;

/// The highest band of `scale` whose cumulative membership probability reaches 0.95 (the
/// last band when rounding keeps every sum below it); `None` as [`cumulative_probabilities`].
pub fn benchmark(coefficient: f64, se: f64, scale: Scale) -> Option<Retained> {
    let sums = cumulative_probabilities(coefficient, se, scale)?;
    let bands = scale.bands();
    let k = sums
        .iter()
        .position(|&p| p >= RETAIN_AT)
        .unwrap_or(bands.len() - 1);
    Some(Retained {
        scale,
        band: bands[k].name,
        probability: sums[k],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn irrcac_documented_example() {
        // irrCAC's docstring: kappa 0.67, SE 0.15 on Altman's scale.
        let sums = cumulative_probabilities(0.67, 0.15, Scale::Altman).unwrap();
        let rounded: Vec<f64> = sums.iter().map(|p| (p * 1e5).round() / 1e5).collect();
        assert_eq!(rounded, vec![0.18168, 0.67511, 0.96356, 0.99912, 1.0]);
        assert_eq!(
            benchmark(0.67, 0.15, Scale::Fleiss).unwrap().band,
            "intermediate to good"
        );
    }

    #[test]
    fn undefined_without_a_standard_error() {
        assert_eq!(cumulative_probabilities(0.5, 0.0, Scale::Fleiss), None);
        assert_eq!(cumulative_probabilities(0.5, f64::NAN, Scale::Fleiss), None);
        assert_eq!(cumulative_probabilities(1.2, 0.1, Scale::Fleiss), None);
    }

    #[test]
    fn sums_rise_to_one_and_bands_tile_the_range() {
        for scale in Scale::ALL {
            let bands = scale.bands();
            assert_eq!(bands[0].upper, 1.0);
            assert_eq!(bands[bands.len() - 1].lower, -1.0);
            for pair in bands.windows(2) {
                assert_eq!(pair[0].lower, pair[1].upper);
            }
            let sums = cumulative_probabilities(0.3, 0.2, scale).unwrap();
            assert!(sums.windows(2).all(|p| p[0] <= p[1]));
            assert!((sums[sums.len() - 1] - 1.0).abs() < 1e-12);
        }
    }
}
