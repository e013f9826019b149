//! Nonlinear conjugate gradient as scipy 1.17's `minimize(method="CG")` runs it:
//! Polak-Ribière-Powell directions, the `dcsrch` line search (c1 = 1e-4, c2 = 0.4) with
//! scipy's descent condition, stopping when the largest gradient component is at most
//! `gtol` or after `max_iterations`.
//!
//! Coordinates may stand for several equal coordinates of the real problem: `weights[i]` is
//! how many, so inner products weigh them (a model fitted over distinct rating patterns is
//! the model fitted over items). Where scipy's first line search fails it tries a second
//! (`line_search_wolfe2`); that one is not ported: the minimisation stops there and
//! [`Minimum::line_search_failed`] says so.
//!
//! ```
//! use nucagree::stats::conjugate_gradient::minimize_cg;
//!
//! // f(x, y) = (x − 1)² + 10 (y + 2)²
//! let mut objective = |x: &[f64], gradient: &mut [f64]| {
//!     gradient[0] = 2.0 * (x[0] - 1.0);
//!     gradient[1] = 20.0 * (x[1] + 2.0);
//!     (x[0] - 1.0).powi(2) + 10.0 * (x[1] + 2.0).powi(2)
//! };
//! let found = minimize_cg(&mut objective, vec![0.0, 0.0], &[1.0, 1.0], 1e-8, 100);
//! assert!((found.x[0] - 1.0).abs() < 1e-6 && (found.x[1] + 2.0).abs() < 1e-6);
//! ```

use super::line_search::dcsrch;

/// Where the minimisation stopped.
#[derive(Debug, Clone, PartialEq)]
pub struct Minimum {
    pub x: Vec<f64>,
    pub value: f64,
    pub iterations: usize,
    /// Whether a line search failed (scipy would try its second line search).
    pub line_search_failed: bool,
}

fn dot(a: &[f64], b: &[f64], weights: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .zip(weights)
        .map(|((x, y), w)| w * x * y)
        .sum()
}

/// Minimises `objective(x, gradient) -> value` (it fills `gradient`) from `x0`.
pub fn minimize_cg(
    objective: &mut dyn FnMut(&[f64], &mut [f64]) -> f64,
    x0: Vec<f64>,
    weights: &[f64],
    gtol: f64,
    max_iterations: usize,
) -> Minimum {
    let n = x0.len();
    let (c1, c2, sigma_3) = (1e-4, 0.4, 0.01);
    let mut xk = x0;
    let mut gfk = vec![0.0; n];
    let mut old_fval = objective(&xk, &mut gfk);
    let mut old_old_fval = old_fval + dot(&gfk, &gfk, weights).sqrt() / 2.0;
    let mut pk: Vec<f64> = gfk.iter().map(|g| -g).collect();
    let norm_inf = |g: &[f64]| g.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let mut gnorm = norm_inf(&gfk);
    let mut k = 0;
    let mut failed = false;
    let mut trial = vec![0.0; n];
    let mut gradient = vec![0.0; n];
    while gnorm > gtol && k < max_iterations {
        let deltak = dot(&gfk, &gfk, weights);
        let derphi0 = dot(&gfk, &pk, weights);
        let mut alpha1 = 1.0;
        if derphi0 != 0.0 {
            alpha1 = f64::min(1.0, 1.01 * 2.0 * (old_fval - old_old_fval) / derphi0);
            if alpha1 < 0.0 {
                alpha1 = 1.0;
            }
        }
        let mut evaluate = |s: f64| {
            for ((t, x), p) in trial.iter_mut().zip(&xk).zip(&pk) {
                *t = x + s * p;
            }
            let value = objective(&trial, &mut gradient);
            (value, dot(&gradient, &pk, weights))
        };
        let found = dcsrch(
            &mut evaluate,
            alpha1,
            old_fval,
            derphi0,
            c1,
            c2,
            1e-14,
            1e-100,
            1e100,
            100,
        );
        let Some((step, value)) = found else {
            failed = true;
            break;
        };
        // The gradient of the last evaluation is the step's (dcsrch ends on it).
        let next_x: Vec<f64> = xk.iter().zip(&pk).map(|(x, p)| x + step * p).collect();
        let beta = {
            let yk_dot: f64 = gradient
                .iter()
                .zip(&gfk)
                .zip(weights)
                .map(|((g1, g0), w)| w * (g1 - g0) * g1)
                .sum();
            f64::max(0.0, yk_dot / deltak)
        };
        let next_p: Vec<f64> = gradient
            .iter()
            .zip(&pk)
            .map(|(g, p)| -g + beta * p)
            .collect();
        let next_gnorm = norm_inf(&gradient);
        let descent = next_gnorm <= gtol
            || dot(&next_p, &gradient, weights) <= -sigma_3 * dot(&gradient, &gradient, weights);
        if !descent {
            failed = true;
            break;
        }
        old_old_fval = old_fval;
        old_fval = value;
        xk = next_x;
        pk = next_p;
        gfk.copy_from_slice(&gradient);
        gnorm = next_gnorm;
        k += 1;
    }
    Minimum {
        x: xk,
        value: old_fval,
        iterations: k,
        line_search_failed: failed,
    }
}
