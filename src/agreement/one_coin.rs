//! One-coin Dawid-Skene (Zhang, Chen, Zhou and Jordan 2016), as crowd-kit 1.4.2's
//! `OneCoinDawidSkene` fits it: each rater has one skill `s`, the chance of saying the true
//! category; otherwise they say any other category with equal chance, `(1 − s)/(K − 1)`.
//!
//! EM from the vote shares: priors are the mean posterior; a rater's skill is the mean
//! posterior of what they said; each confusion cell is clipped to [1e-10, 1 − 1e-10]. It stops
//! when the evidence lower bound per rating rises by less than `tolerance`, else after
//! `max_iterations`; the posteriors it returns are clipped below at 1e-10, as crowd-kit's are.
//!
//! ```
//! use nucagree::agreement::one_coin::{one_coin, OneCoinOptions};
//! use nucagree::agreement::truth::Votes;
//!
//! let items = vec![vec![(0, 1), (1, 1), (2, 0)], vec![(0, 0), (1, 0), (2, 0)]];
//! let votes = Votes { categories: 2, raters: 3, items };
//! let fitted = one_coin(&votes, &OneCoinOptions::default());
//! assert_eq!(fitted.decisions()[0].0, 1);
//! ```

use super::truth::Votes;
use super::truth_fit::{Observed, TruthFit};
use serde::{Deserialize, Serialize};

/// crowd-kit's floor on probabilities.
const EPS: f64 = 1e-10;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OneCoinOptions {
    pub max_iterations: usize,
    /// Stop when the evidence lower bound per rating rises by less than this.
    pub tolerance: f64,
}

impl Default for OneCoinOptions {
    /// crowd-kit's defaults.
    fn default() -> OneCoinOptions {
        OneCoinOptions {
            max_iterations: 100,
            tolerance: 1e-5,
        }
    }
}

/// A rater's confusion cells: (said the truth, said one other category), clipped.
fn cells(skill: f64, k: usize) -> (f64, f64) {
    let clip = |v: f64| v.clamp(EPS, 1.0 - EPS);
    (clip(skill), clip((1.0 - skill) / (k - 1) as f64))
}

/// Fits the one-coin model by EM.
pub fn one_coin(votes: &Votes, options: &OneCoinOptions) -> TruthFit {
    let observed = Observed::of(votes);
    let k = observed.categories.len();
    if k <= 1 {
        return observed.single_category();
    }
    let patterns = &observed.patterns;
    let weights = &observed.weights;
    let raters = observed.raters.len();
    let mut posteriors = observed.vote_shares();
    let mut rated_by = vec![0.0; raters];
    for (pattern, &w) in patterns.iter().zip(weights) {
        for &(r, _) in pattern {
            rated_by[r as usize] += w;
        }
    }
    let m_step = |posteriors: &[f64]| -> (Vec<f64>, Vec<(f64, f64)>) {
        let mut priors = vec![0.0; k];
        let mut right = vec![0.0; raters];
        for ((pattern, &w), p) in patterns.iter().zip(weights).zip(posteriors.chunks_exact(k)) {
            for (prior, &v) in priors.iter_mut().zip(p) {
                *prior += w * v;
            }
            for &(r, said) in pattern {
                right[r as usize] += w * p[said as usize];
            }
        }
        priors.iter_mut().for_each(|v| *v /= observed.rated);
        let errors = right
            .iter()
            .zip(&rated_by)
            .map(|(&r, &n)| cells(r / n, k))
            .collect();
        (priors, errors)
    };
    let (mut priors, mut errors) = m_step(&posteriors);
    let mut loss = f64::NEG_INFINITY;
    let mut iterations = 0;
    let mut converged = false;
    let mut logs = vec![0.0; k];
    while iterations < options.max_iterations {
        iterations += 1;
        // E-step, in base-2 logs as crowd-kit.
        let log_errors: Vec<(f64, f64)> = errors
            .iter()
            .map(|&(hit, miss)| (hit.log2(), miss.log2()))
            .collect();
        for (pattern, p) in patterns.iter().zip(posteriors.chunks_exact_mut(k)) {
            logs.iter_mut().for_each(|l| *l = 0.0);
            for &(r, said) in pattern {
                let (hit, miss) = log_errors[r as usize];
                for (z, l) in logs.iter_mut().enumerate() {
                    *l += if z == said as usize { hit } else { miss };
                }
            }
            for (l, prior) in logs.iter_mut().zip(&priors) {
                *l += prior.max(EPS).log2();
            }
            let top = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let mut total = 0.0;
            for (v, l) in p.iter_mut().zip(&logs) {
                *v = (l - top).exp2();
                total += *v;
            }
            p.iter_mut().for_each(|v| *v /= total);
        }
        (priors, errors) = m_step(&posteriors);
        // The evidence lower bound: the expected joint log-likelihood (crowd-kit adds the
        // log prior once per rating) plus the posteriors' entropy, after clipping them.
        let log_priors: Vec<f64> = priors.iter().map(|p| p.max(EPS).ln()).collect();
        let mut joint = 0.0;
        let mut entropy = 0.0;
        for ((pattern, &w), p) in patterns
            .iter()
            .zip(weights)
            .zip(posteriors.chunks_exact_mut(k))
        {
            for &(r, said) in pattern {
                let (hit, miss) = errors[r as usize];
                let (hit, miss) = (hit.ln(), miss.ln());
                for (z, (&v, log_prior)) in p.iter().zip(&log_priors).enumerate() {
                    let log_error = if z == said as usize { hit } else { miss };
                    joint += w * v * (log_error + log_prior);
                }
            }
            for v in p.iter_mut() {
                *v = v.max(EPS);
                entropy -= w * *v * v.ln();
            }
        }
        let new_loss = (joint + entropy) / observed.ratings;
        if new_loss - loss < options.tolerance {
            converged = true;
            break;
        }
        loss = new_loss;
    }
    TruthFit {
        posteriors: observed.expand(&posteriors),
        iterations,
        converged: Some(converged),
    }
}
