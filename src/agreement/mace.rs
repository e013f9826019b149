//! MACE, Multi-Annotator Competence Estimation (Hovy, Berg-Kirkpatrick, Vaswani and Hovy
//! 2013), as crowd-kit 1.4.2's `MACE` fits it by default: on each item a rater either knows
//! the truth and says it, or spams, drawing a category from their own distribution. The truth
//! is uniform a priori.
//!
//! Variational Bayes with a symmetric Beta(`alpha`, `beta`) prior on each rater's chance of
//! spamming and a Dirichlet(10, …) prior on their spamming distribution, from crowd-kit's
//! random start (`RandomState(seed)` drawing each parameter uniformly in
//! [1, 2 + `default_noise`), then normalised), for a fixed number of `iterations`.
//! crowd-kit restarts ten times, but every restart draws from the same seed, so they are one
//! fit: it is fitted once.
//!
//! ```
//! use nucagree::agreement::mace::{mace, MaceOptions};
//! use nucagree::agreement::truth::Votes;
//!
//! let items = vec![vec![(0, 1), (1, 1), (2, 0)], vec![(0, 0), (1, 0), (2, 0)]];
//! let votes = Votes { categories: 2, raters: 3, items };
//! let fitted = mace(&votes, &MaceOptions::default());
//! assert_eq!(fitted.decisions()[0].0, 1);
//! assert_eq!(fitted.converged, None);
//! ```

use super::truth::Votes;
use super::truth_fit::{Observed, TruthFit};
use crate::stats::digamma::digamma;
use crate::stats::mersenne_twister::RandomState;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MaceOptions {
    pub iterations: usize,
    /// The Beta prior on spamming: `alpha` for spamming, `beta` for knowing.
    pub alpha: f64,
    pub beta: f64,
    /// The Dirichlet prior's weight on each category of a rater's spamming distribution.
    pub strategy_prior: f64,
    /// The random start draws from [1, 2 + `default_noise`).
    pub default_noise: f64,
    pub seed: u32,
}

impl Default for MaceOptions {
    /// crowd-kit's defaults.
    fn default() -> MaceOptions {
        MaceOptions {
            iterations: 50,
            alpha: 0.5,
            beta: 0.5,
            strategy_prior: 10.0,
            default_noise: 0.5,
            seed: 0,
        }
    }
}

/// `rows × columns` uniform draws in [1, 2 + noise), each row normalised to sum to one.
fn random_start(seed: u32, rows: usize, columns: usize, noise: f64) -> Vec<f64> {
    let mut stream = RandomState::new(seed);
    let mut values: Vec<f64> = (0..rows * columns)
        .map(|_| stream.random_sample() * (1.0 + noise) + 1.0)
        .collect();
    for row in values.chunks_exact_mut(columns.max(1)) {
        let total: f64 = row.iter().sum();
        row.iter_mut().for_each(|v| *v /= total);
    }
    values
}

/// Variational normalisation of each row: exp ψ(count + prior) / exp ψ(Σ (count + prior)).
fn variational_normalize(counts: &mut [f64], columns: usize, prior: &[f64]) {
    for row in counts.chunks_exact_mut(columns) {
        let total: f64 = row.iter().zip(prior).map(|(c, p)| c + p).sum();
        let norm = digamma(total).exp();
        for (c, p) in row.iter_mut().zip(prior) {
            *c = digamma(*c + p).exp() / norm;
        }
    }
}

/// Fits MACE by variational Bayes.
pub fn mace(votes: &Votes, options: &MaceOptions) -> TruthFit {
    let observed = Observed::of(votes);
    let l = observed.categories.len();
    if l == 0 {
        return observed.single_category();
    }
    let raters = observed.raters.len();
    let patterns = &observed.patterns;
    let weights = &observed.weights;
    // spamming[r] = (spams, knows); thetas[r][category]: the spamming distribution.
    let mut spamming = random_start(options.seed, raters, 2, options.default_noise);
    let mut thetas = random_start(options.seed, raters, l, options.default_noise);
    let mut gold = vec![0.0; patterns.len() * l];
    let mut strategy = vec![0.0; raters * l];
    let mut knowing = vec![0.0; raters * 2];
    let e_step = |spamming: &[f64],
                  thetas: &[f64],
                  gold: &mut [f64],
                  strategy: &mut [f64],
                  knowing: &mut [f64]| {
        strategy.iter_mut().for_each(|v| *v = 0.0);
        knowing.iter_mut().for_each(|v| *v = 0.0);
        // Per rating, a = P(says `said` | spams) P(spams) and b = a + P(knows): the product
        // over ratings for a label is Π a with b in place of a where the rating says that
        // label, so each label's product is Π a times the ratios b / a of its ratings, and
        // Σ_label g / (a or b) is (the other labels' g) / a + g_said / b: O(ratings +
        // labels) per pattern, where crowd-kit loops over both (equal within rounding).
        let mut before = vec![0.0; l + 1];
        for ((pattern, &w), g) in patterns.iter().zip(weights).zip(gold.chunks_exact_mut(l)) {
            let mut product = 1.0;
            for &(r, said) in pattern {
                let (r, said) = (r as usize, said as usize);
                product *= spamming[2 * r] * thetas[r * l + said];
            }
            g.iter_mut().for_each(|v| *v = product);
            for &(r, said) in pattern {
                let (r, said) = (r as usize, said as usize);
                let a = spamming[2 * r] * thetas[r * l + said];
                g[said] *= (a + spamming[2 * r + 1]) / a;
            }
            g.iter_mut().for_each(|v| *v /= l as f64);
            // Prefix sums, so that every label but one sums without cancellation.
            for (i, v) in g.iter().enumerate() {
                before[i + 1] = before[i] + v;
            }
            let instance = before[l];
            for &(r, said) in pattern {
                let (r, said) = (r as usize, said as usize);
                let knows = spamming[2 * r + 1];
                let a = spamming[2 * r] * thetas[r * l + said];
                let b = a + knows;
                let after: f64 = g[said + 1..].iter().sum();
                let others = before[said] + after;
                let marginal = (others / a + g[said] / b) * a / instance;
                strategy[r * l + said] += w * marginal;
                knowing[2 * r] += w * marginal;
                knowing[2 * r + 1] += w * (g[said] * knows / b / instance);
            }
        }
    };
    e_step(&spamming, &thetas, &mut gold, &mut strategy, &mut knowing);
    let spamming_prior = [options.alpha, options.beta];
    let strategy_prior = vec![options.strategy_prior; l];
    for _ in 0..options.iterations {
        spamming.copy_from_slice(&knowing);
        variational_normalize(&mut spamming, 2, &spamming_prior);
        thetas.copy_from_slice(&strategy);
        variational_normalize(&mut thetas, l, &strategy_prior);
        e_step(&spamming, &thetas, &mut gold, &mut strategy, &mut knowing);
    }
    for g in gold.chunks_exact_mut(l) {
        let total: f64 = g.iter().sum();
        g.iter_mut().for_each(|v| *v /= total);
    }
    TruthFit {
        posteriors: observed.expand(&gold),
        iterations: options.iterations,
        converged: None,
    }
}
