//! GLAD, Generative model of Labels, Abilities and Difficulties (Whitehill, Ruvolo, Wu,
//! Bergsma and Movellan 2009), as crowd-kit 1.4.2's `GLAD` fits it: rater `w` is right on item
//! `t` with chance σ(α_w · exp β_t), and otherwise says any other category with equal chance;
//! α is the rater's ability, exp β the item's easiness.
//!
//! EM from α = β = 1 with uniform class priors and standard normal priors on α − 1 and
//! β − 1; each M-step runs scipy's conjugate gradient ([`minimize_cg`], at most
//! `m_step_max_iterations` iterations to a gradient of `m_step_tolerance`); it stops when
//! the expected log-likelihood per (rating, category) pair falls or rises by less than
//! `tolerance`, else after `max_iterations`. As crowd-kit, the posteriors returned are those
//! of the last E-step, which precedes the last M-step.
//!
//! ```
//! use nucagree::agreement::glad::{glad, GladOptions};
//! use nucagree::agreement::truth::Votes;
//!
//! let items = vec![vec![(0, 1), (1, 1), (2, 0)], vec![(0, 0), (1, 0), (2, 0)]];
//! let votes = Votes { categories: 2, raters: 3, items };
//! let fitted = glad(&votes, &GladOptions::default());
//! assert_eq!(fitted.decisions()[0].0, 1);
//! ```

use super::truth::Votes;
use super::truth_fit::{Observed, TruthFit};
use crate::stats::conjugate_gradient::minimize_cg;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GladOptions {
    pub max_iterations: usize,
    pub tolerance: f64,
    pub m_step_max_iterations: usize,
    pub m_step_tolerance: f64,
}

impl Default for GladOptions {
    /// crowd-kit's defaults.
    fn default() -> GladOptions {
        GladOptions {
            max_iterations: 100,
            tolerance: 1e-5,
            m_step_max_iterations: 25,
            m_step_tolerance: 1e-2,
        }
    }
}

/// crowd-kit's softplus, log(1 + eˣ), taken as x above 30 and 0 below −30, of x = −ab:
/// with e^(−ab) given, so that one exponential serves the softplus and σ(ab) = 1 / (1 + e^(−ab)).
fn softplus_of_negative(ab: f64, exp_negative: f64) -> f64 {
    if -ab > 30.0 {
        -ab
    } else if -ab < -30.0 {
        0.0
    } else {
        exp_negative.ln_1p()
    }
}

/// The log-probabilities of a right and a wrong rating at ability × easiness `ab` (a wrong
/// rating spread over the other categories), and σ(ab). softplus(ab) is taken as
/// softplus(−ab) + ab, equal to crowd-kit's within rounding, and exactly so past ±30.
fn rating_logs(ab: f64, log_others: f64) -> (f64, f64, f64) {
    let exp_negative = (-ab).exp();
    let softplus_negative = softplus_of_negative(ab, exp_negative);
    (
        -softplus_negative,
        -(softplus_negative + ab) - log_others,
        1.0 / (1.0 + exp_negative),
    )
}

/// ln of the standard normal density, as `log(norm.pdf(x))`: −∞ where the density
/// underflows to 0, as there.
fn log_normal_density(x: f64) -> f64 {
    let half_square = 0.5 * x * x;
    if half_square > 745.133_219_101_941_1 {
        f64::NEG_INFINITY
    } else {
        -half_square - 0.5 * (2.0 * std::f64::consts::PI).ln()
    }
}

/// The model over distinct rating patterns: x = [α per rater, β per pattern].
struct Model<'a> {
    observed: &'a Observed,
    k: usize,
    /// ln(K − 1), the log of the categories a wrong rating spreads over.
    log_others: f64,
}

impl Model<'_> {
    /// The posteriors (`patterns × k`) given α and β.
    fn e_step(&self, x: &[f64], posteriors: &mut [f64]) {
        let raters = self.observed.raters.len();
        let (alphas, betas) = x.split_at(raters);
        let log_prior = (1.0 / self.k as f64).ln();
        for ((pattern, p), beta) in self
            .observed
            .patterns
            .iter()
            .zip(posteriors.chunks_exact_mut(self.k))
            .zip(betas)
        {
            p.iter_mut().for_each(|v| *v = 0.0);
            let easiness = beta.exp();
            for &(r, said) in pattern {
                let ab = alphas[r as usize] * easiness;
                let (right, wrong, _) = rating_logs(ab, self.log_others);
                for (z, v) in p.iter_mut().enumerate() {
                    *v += if z == said as usize { right } else { wrong };
                }
            }
            p.iter_mut().for_each(|v| *v += log_prior);
            let top = p.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let total: f64 = p.iter().map(|v| (v - top).exp()).sum();
            let log_total = top + total.ln();
            p.iter_mut().for_each(|v| *v = (*v - log_total).exp());
        }
    }

    /// The expected log-likelihood with the priors on α and β, and its gradient (per rater
    /// and per item of each pattern).
    fn q(&self, x: &[f64], posteriors: &[f64], gradient: Option<&mut [f64]>) -> f64 {
        let raters = self.observed.raters.len();
        let (alphas, betas) = x.split_at(raters);
        let weights = &self.observed.weights;
        let patterns = &self.observed.patterns;
        let mut unused = Vec::new();
        let gradient = match gradient {
            Some(g) => g,
            None => {
                unused.resize(x.len(), 0.0);
                &mut unused[..]
            }
        };
        let (alpha_gradient, beta_gradient) = gradient.split_at_mut(raters);
        // Fixed chunks of patterns in parallel, their sums added in chunk order: the same
        // result on any number of threads.
        let partials: Vec<(f64, Vec<f64>)> = beta_gradient
            .par_chunks_mut(Q_CHUNK)
            .enumerate()
            .map(|(c, chunk)| {
                let mut q = 0.0;
                let mut alpha_part = vec![0.0; raters];
                for (j, beta_slot) in chunk.iter_mut().enumerate() {
                    let i = c * Q_CHUNK + j;
                    let (pattern, w, beta) = (&patterns[i], weights[i], betas[i]);
                    let p = &posteriors[i * self.k..][..self.k];
                    let easiness = beta.exp();
                    let total: f64 = p.iter().sum();
                    let mut beta_pull = 0.0;
                    for &(r, said) in pattern {
                        let alpha = alphas[r as usize];
                        let ab = alpha * easiness;
                        let (right, wrong, sigma) = rating_logs(ab, self.log_others);
                        let p_said = p[said as usize];
                        q += w * (p_said * right + (1.0 - p_said) * wrong);
                        // Σ_z posterior (δ − σ), with Σ_z posterior = 1.
                        let pull = p_said - sigma * total;
                        beta_pull += pull * alpha * easiness;
                        alpha_part[r as usize] += w * pull * easiness;
                    }
                    q += w * log_normal_density(beta - 1.0);
                    *beta_slot = beta_pull - (beta - 1.0);
                }
                (q, alpha_part)
            })
            .collect();
        let mut q = 0.0;
        alpha_gradient.iter_mut().for_each(|g| *g = 0.0);
        for (part, alpha_part) in &partials {
            q += part;
            for (g, v) in alpha_gradient.iter_mut().zip(alpha_part) {
                *g += v;
            }
        }
        for (g, alpha) in alpha_gradient.iter_mut().zip(alphas) {
            q += log_normal_density(alpha - 1.0);
            *g -= alpha - 1.0;
        }
        q
    }
}

/// Patterns per parallel chunk of [`Model::q`].
const Q_CHUNK: usize = 1024;

/// Fits GLAD by EM.
pub fn glad(votes: &Votes, options: &GladOptions) -> TruthFit {
    let observed = Observed::of(votes);
    let k = observed.categories.len();
    if k <= 1 {
        return observed.single_category();
    }
    let model = Model {
        observed: &observed,
        k,
        log_others: ((k - 1) as f64).ln(),
    };
    let raters = observed.raters.len();
    let mut x = vec![1.0; raters + observed.patterns.len()];
    let weights: Vec<f64> = std::iter::repeat_n(1.0, raters)
        .chain(observed.weights.iter().copied())
        .collect();
    let pairs = observed.ratings * k as f64;
    let mut posteriors = vec![0.0; observed.patterns.len() * k];
    model.e_step(&x, &mut posteriors);
    // crowd-kit's first Q is a total, every later one a mean per (rating, category) pair.
    let mut q = model.q(&x, &posteriors, None);
    let mut iterations = 0;
    let mut converged = false;
    while iterations < options.max_iterations {
        iterations += 1;
        let last_q = q;
        model.e_step(&x, &mut posteriors);
        let mut objective = |x: &[f64], gradient: &mut [f64]| {
            let value = -model.q(x, &posteriors, Some(gradient));
            gradient.iter_mut().for_each(|g| *g = -*g);
            value
        };
        x = minimize_cg(
            &mut objective,
            x,
            &weights,
            options.m_step_tolerance,
            options.m_step_max_iterations,
        )
        .x;
        q = model.q(&x, &posteriors, None) / pairs;
        if q - last_q < options.tolerance {
            converged = true;
            break;
        }
    }
    TruthFit {
        posteriors: observed.expand(&posteriors),
        iterations,
        converged: Some(converged),
    }
}
