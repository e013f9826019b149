//! The digamma function ψ(x) = d/dx ln Γ(x) for x > 0: the recurrence ψ(x) = ψ(x + 1) − 1/x
//! up to x ≥ 10, then the asymptotic series to x⁻¹⁴: within a few ulps of scipy.
//!
//! ```
//! use nucagree::stats::digamma::digamma;
//!
//! assert!((digamma(1.0) + 0.5772156649015329).abs() < 1e-15);
//! ```

/// ψ(x) for x > 0; `NaN` for x ≤ 0 or NaN (callers pass positive counts plus priors).
pub fn digamma(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    let mut x = x;
    let mut shift = 0.0;
    while x < 10.0 {
        shift -= 1.0 / x;
        x += 1.0;
    }
    let inverse_square = 1.0 / (x * x);
    // Bernoulli numbers B2k / 2k, k = 1..7.
    const SERIES: [f64; 7] = [
        1.0 / 12.0,
        -1.0 / 120.0,
        1.0 / 252.0,
        -1.0 / 240.0,
        1.0 / 132.0,
        -691.0 / 32760.0,
        1.0 / 12.0,
    ];
    let mut tail = 0.0;
    for &c in SERIES.iter().rev() {
        tail = (tail + c) * inverse_square;
    }
    shift + x.ln() - 0.5 / x - tail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equals_scipy() {
        // scipy.special.digamma, scipy 1.17.1.
        let cases = [
            (0.5, -1.9635100260214235),
            (1.0, -0.5772156649015329),
            (1.5, 0.03648997397857652),
            (3.25, 1.016990911068179),
            (10.0, 2.251752589066721),
            (10.5, 2.3030010342976865),
            (37.2, 3.6028076865063574),
            (250.0, 5.519459584531046),
            (1e4, 9.21029037114285),
        ];
        for (x, expected) in cases {
            let got = digamma(x);
            assert!(
                (got - expected).abs() <= 2e-15 * expected.abs().max(1.0),
                "{x}: {got} {expected}"
            );
        }
        assert!(digamma(0.0).is_nan());
    }
}
