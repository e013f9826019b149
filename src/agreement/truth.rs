//! Truth from many noisy raters: majority vote and Dawid-Skene.
//!
//! Each item (an anchor) has ratings `(rater, category)`; at a class level the categories are
//! the level's classes and, last, `undetected`, so detection and classification are inferred
//! together.
//!
//! - [`majority_vote`]: the most frequent category; ties go to the category with the most
//!   votes in the whole study, then to the lowest index.
//! - [`dawid_skene`] (Dawid and Skene 1979): EM over class priors and one confusion matrix
//!   per rater. Initialised with each item's vote shares (a soft majority vote); each M-step
//!   adds `smoothing` pseudo-counts to every prior and confusion cell so no probability
//!   collapses to zero, and `diagonal_prior` more to each confusion matrix's diagonal (a
//!   Dirichlet prior that a rater is right on 10 items of each class), without which a rare
//!   class can absorb the items of a common one it is confused with; it stops when no posterior moves by more than `tolerance` or the
//!   log-likelihood changes by less than `likelihood_tolerance` of itself, else after
//!   `max_iterations`. Deterministic: no random start.
//!
//! ```
//! use nucagree::agreement::truth::{dawid_skene, majority_vote, DawidSkeneOptions, Votes};
//!
//! // Three raters; rater 2 always says the opposite of raters 0 and 1.
//! let items = (0..6)
//!     .map(|i| {
//!         let c = (i % 2) as u16;
//!         vec![(0, c), (1, c), (2, 1 - c)]
//!     })
//!     .collect();
//! let votes = Votes { categories: 2, raters: 3, items };
//! assert_eq!(majority_vote(&votes)[0], Some(0));
//! let ds = dawid_skene(&votes, &DawidSkeneOptions::default());
//! assert!(ds.converged);
//! assert!(ds.posteriors[1][1] > 0.99);
//! ```

use rayon::prelude::*;
use serde::Serialize;

/// Ratings of items: for each item, `(rater, category)` pairs.
#[derive(Debug, Clone, PartialEq)]
pub struct Votes {
    pub categories: usize,
    pub raters: usize,
    pub items: Vec<Vec<(u16, u16)>>,
}

/// The majority category of each item (`None` for an item without ratings).
pub fn majority_vote(votes: &Votes) -> Vec<Option<usize>> {
    let k = votes.categories;
    let mut overall = vec![0usize; k];
    for item in &votes.items {
        for &(_, c) in item {
            overall[c as usize] += 1;
        }
    }
    let mut counts = vec![0usize; k];
    votes
        .items
        .iter()
        .map(|item| {
            counts.iter_mut().for_each(|c| *c = 0);
            for &(_, c) in item {
                counts[c as usize] += 1;
            }
            majority_of(&counts, &overall)
        })
        .collect()
}

/// The category with the most votes in `counts`; ties to the one with the most in
/// `overall`, then to the lowest index; `None` without a vote.
pub(super) fn majority_of(counts: &[usize], overall: &[usize]) -> Option<usize> {
    (0..counts.len())
        .filter(|&c| counts[c] > 0)
        .max_by(|&a, &b| {
            counts[a]
                .cmp(&counts[b])
                .then(overall[a].cmp(&overall[b]))
                .then(b.cmp(&a))
        })
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct DawidSkeneOptions {
    pub max_iterations: usize,
    /// Stop when no posterior moves by more than this ...
    pub tolerance: f64,
    /// ... or when the log-likelihood changes by less than this share of itself.
    pub likelihood_tolerance: f64,
    /// Pseudo-count added to every prior and confusion cell in each M-step.
    pub smoothing: f64,
    /// Extra pseudo-count on each confusion matrix's diagonal (a prior belief that raters are
    /// better than chance), which keeps rare classes from absorbing items of a common one.
    pub diagonal_prior: f64,
}

impl Default for DawidSkeneOptions {
    fn default() -> DawidSkeneOptions {
        DawidSkeneOptions {
            max_iterations: 500,
            tolerance: 1e-6,
            likelihood_tolerance: 1e-9,
            smoothing: 0.01,
            diagonal_prior: 10.0,
        }
    }
}

/// The fitted model and each item's posterior.
#[derive(Debug, Clone, PartialEq)]
pub struct DawidSkene {
    /// Per item, the posterior probability of each category (uniform for an item without
    /// ratings).
    pub posteriors: Vec<Vec<f64>>,
    pub priors: Vec<f64>,
    /// `confusions[rater][true][said]`.
    pub confusions: Vec<Vec<Vec<f64>>>,
    pub iterations: usize,
    pub converged: bool,
}

impl DawidSkene {
    /// Each item's most probable category (the lowest index on ties) and its posterior.
    pub fn decisions(&self) -> Vec<(usize, f64)> {
        self.posteriors
            .iter()
            .map(|p| {
                let mut best = 0;
                for (c, &v) in p.iter().enumerate() {
                    if v > p[best] {
                        best = c;
                    }
                }
                (best, p[best])
            })
            .collect()
    }
}

/// The distinct rating patterns of some items.
struct Patterns<'a> {
    /// In order of first appearance.
    patterns: Vec<&'a [(u16, u16)]>,
    /// How many items have each.
    counts: Vec<f64>,
    /// Each item's pattern.
    of_item: Vec<u32>,
}

/// The distinct rating patterns of `items`.
fn distinct_patterns(items: &[Vec<(u16, u16)>]) -> Patterns<'_> {
    let mut index: std::collections::HashMap<&[(u16, u16)], u32> =
        std::collections::HashMap::with_capacity(items.len() / 4);
    let mut patterns: Vec<&[(u16, u16)]> = Vec::new();
    let mut counts: Vec<f64> = Vec::new();
    let of_item = items
        .iter()
        .map(|item| {
            let next = patterns.len() as u32;
            let at = *index.entry(item.as_slice()).or_insert(next);
            if at == next {
                patterns.push(item.as_slice());
                counts.push(0.0);
            }
            counts[at as usize] += 1.0;
            at
        })
        .collect();
    Patterns {
        patterns,
        counts,
        of_item,
    }
}

/// Fits Dawid-Skene by EM. Items with the same ratings (the same raters saying the same) have
/// the same posterior at every step, so EM runs over the distinct patterns, each weighted by
/// its number of items (a study of thousands of anchors has far fewer patterns). Posteriors
/// and confusions are flat arrays (confusions stored as `[rater][said][true]`, so that one
/// rating reads and writes one contiguous row); the E-step runs over patterns in parallel and
/// the M-step over raters, each cell summed in pattern order, so the result does not depend on
/// the threads.
pub fn dawid_skene(votes: &Votes, options: &DawidSkeneOptions) -> DawidSkene {
    let (k, r) = (votes.categories, votes.raters);
    let n_items = votes.items.len();
    let Patterns {
        patterns,
        counts: weights,
        of_item,
    } = distinct_patterns(&votes.items);
    let n_patterns = patterns.len();
    let uniform = vec![1.0 / k as f64; k];
    let mut posteriors: Vec<f64> = vec![0.0; n_patterns * k];
    for (item, p) in patterns.iter().zip(posteriors.chunks_exact_mut(k.max(1))) {
        if item.is_empty() {
            p.copy_from_slice(&uniform);
            continue;
        }
        for &(_, c) in item.iter() {
            p[c as usize] += 1.0 / item.len() as f64;
        }
    }
    // Each rater's ratings, in pattern order: (pattern, said).
    let mut by_rater: Vec<Vec<(u32, u16)>> = vec![Vec::new(); r];
    for (i, item) in patterns.iter().enumerate() {
        for &(rater, said) in item.iter() {
            by_rater[rater as usize].push((i as u32, said));
        }
    }
    let s = options.smoothing;
    let mut priors = vec![0.0; k];
    // confusions[rater][said][true], flat.
    let mut confusions = vec![0.0; r * k * k];
    let mut log_confusions = vec![0.0; r * k * k];
    let mut iterations = 0;
    let mut converged = false;
    let mut previous_likelihood: Option<f64> = None;
    let mut per_pattern: Vec<(Option<f64>, f64)> = Vec::with_capacity(n_patterns);
    if k == 0 {
        // No category: one iteration with nothing to move, as the loop below would do.
        return DawidSkene {
            posteriors: vec![Vec::new(); n_items],
            priors,
            confusions: vec![Vec::new(); r],
            iterations: options.max_iterations.min(1),
            converged: options.max_iterations > 0,
        };
    }
    while iterations < options.max_iterations {
        iterations += 1;
        // M-step.
        let n = n_items as f64;
        for (j, prior) in priors.iter_mut().enumerate() {
            let mass: f64 = posteriors
                .iter()
                .skip(j)
                .step_by(k)
                .zip(&weights)
                .map(|(p, w)| p * w)
                .sum();
            *prior = (mass + s) / (n + k as f64 * s);
        }
        confusions
            .par_chunks_mut(k * k)
            .zip(log_confusions.par_chunks_mut(k * k))
            .zip(&by_rater)
            .for_each(|((matrix, logs), ratings)| {
                matrix.iter_mut().for_each(|v| *v = s);
                for j in 0..k {
                    matrix[j * k + j] += options.diagonal_prior;
                }
                for &(pattern, said) in ratings {
                    let p = &posteriors[pattern as usize * k..][..k];
                    let w = weights[pattern as usize];
                    for (cell, &weight) in matrix[said as usize * k..][..k].iter_mut().zip(p) {
                        *cell += w * weight;
                    }
                }
                // Each true class's row (over what was said) sums to one.
                for j in 0..k {
                    let mut total = 0.0;
                    for said in 0..k {
                        total += matrix[said * k + j];
                    }
                    if total > 0.0 {
                        for said in 0..k {
                            matrix[said * k + j] /= total;
                        }
                    }
                }
                for (l, &v) in logs.iter_mut().zip(matrix.iter()) {
                    *l = v.ln();
                }
            });
        // E-step, in logs: one rating adds a row of log_confusions.
        let log_priors: Vec<f64> = priors.iter().map(|p| p.ln()).collect();
        posteriors
            .par_chunks_mut(k)
            .zip(&patterns)
            .map_init(
                || (vec![0.0; k], vec![0.0; k]),
                |(logs, weights), (p, item)| {
                    if item.is_empty() {
                        return (None, 0.0);
                    }
                    logs.copy_from_slice(&log_priors);
                    for &(rater, said) in item.iter() {
                        let row = &log_confusions[(rater as usize * k + said as usize) * k..][..k];
                        for (l, add) in logs.iter_mut().zip(row) {
                            *l += add;
                        }
                    }
                    let top = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    let mut change: f64 = 0.0;
                    let contribution = if top.is_finite() {
                        for (w, l) in weights.iter_mut().zip(logs.iter()) {
                            *w = (l - top).exp();
                        }
                        let total: f64 = weights.iter().sum();
                        for (old, w) in p.iter_mut().zip(weights.iter()) {
                            let new = w / total;
                            change = change.max((new - *old).abs());
                            *old = new;
                        }
                        Some(top + total.ln())
                    } else {
                        for (old, &new) in p.iter_mut().zip(&uniform) {
                            change = change.max((new - *old).abs());
                            *old = new;
                        }
                        None
                    };
                    (contribution, change)
                },
            )
            .collect_into_vec(&mut per_pattern);
        // Summed in pattern order, as one thread would; each pattern for all its items.
        let mut change: f64 = 0.0;
        let mut log_likelihood = 0.0;
        for (&(contribution, moved), &w) in per_pattern.iter().zip(&weights) {
            change = change.max(moved);
            if let Some(c) = contribution {
                log_likelihood += w * c;
            }
        }
        let likelihood_settled = previous_likelihood.is_some_and(|previous: f64| {
            (log_likelihood - previous).abs() <= options.likelihood_tolerance * log_likelihood.abs()
        });
        previous_likelihood = Some(log_likelihood);
        if change <= options.tolerance || likelihood_settled {
            converged = true;
            break;
        }
    }
    DawidSkene {
        posteriors: of_item
            .iter()
            .map(|&u| posteriors[u as usize * k..][..k].to_vec())
            .collect(),
        priors,
        confusions: (0..r)
            .map(|rater| {
                (0..k)
                    .map(|j| {
                        (0..k)
                            .map(|said| confusions[(rater * k + said) * k + j])
                            .collect()
                    })
                    .collect()
            })
            .collect(),
        iterations,
        converged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_em_step_worked_out_by_hand() {
        // Two raters, two items: (0, 0) and (0, 1). Start: [1, 0] and [1/2, 1/2].
        // M-step without smoothing: priors [3/4, 1/4]; rater 0 always says 0 (both rows
        // [1, 0]); rater 1: true 0 -> [2/3, 1/3], true 1 -> [0, 1].
        // E-step: item 0: 3/4 * 1 * 2/3 against 1/4 * 1 * 0 -> [1, 0]; item 1: 3/4 * 1 * 1/3
        // against 1/4 * 1 * 1 -> [1/2, 1/2]: a fixed point after one iteration.
        let votes = Votes {
            categories: 2,
            raters: 2,
            items: vec![vec![(0, 0), (1, 0)], vec![(0, 0), (1, 1)]],
        };
        let options = DawidSkeneOptions {
            smoothing: 0.0,
            diagonal_prior: 0.0,
            ..DawidSkeneOptions::default()
        };
        let ds = dawid_skene(&votes, &options);
        assert!(ds.converged);
        assert_eq!(ds.iterations, 1);
        let close = |a: f64, b: f64| assert!((a - b).abs() < 1e-12, "{a} {b}");
        close(ds.priors[0], 0.75);
        close(ds.priors[1], 0.25);
        close(ds.confusions[0][0][0], 1.0);
        close(ds.confusions[0][1][0], 1.0);
        close(ds.confusions[1][0][0], 2.0 / 3.0);
        close(ds.confusions[1][0][1], 1.0 / 3.0);
        close(ds.confusions[1][1][1], 1.0);
        close(ds.posteriors[0][0], 1.0);
        close(ds.posteriors[1][0], 0.5);
        // Majority vote on the tie of item 1: category 0 has more votes overall.
        assert_eq!(majority_vote(&votes), vec![Some(0), Some(0)]);
    }

    /// Dawid-Skene item by item, in the plainest form: the reference the pattern-weighted fit
    /// must reproduce.
    fn item_by_item(votes: &Votes, options: &DawidSkeneOptions, steps: usize) -> Vec<Vec<f64>> {
        let (k, r, n) = (votes.categories, votes.raters, votes.items.len());
        let mut post: Vec<Vec<f64>> = votes
            .items
            .iter()
            .map(|item| {
                let mut p = vec![0.0; k];
                for &(_, c) in item {
                    p[c as usize] += 1.0 / item.len() as f64;
                }
                p
            })
            .collect();
        for _ in 0..steps {
            let s = options.smoothing;
            let priors: Vec<f64> = (0..k)
                .map(|j| (post.iter().map(|p| p[j]).sum::<f64>() + s) / (n as f64 + k as f64 * s))
                .collect();
            // confusion[rater][true][said]
            let mut confusion = vec![vec![vec![s; k]; k]; r];
            for (rater, matrix) in confusion.iter_mut().enumerate() {
                for (j, row) in matrix.iter_mut().enumerate() {
                    row[j] += options.diagonal_prior;
                    for (item, p) in votes.items.iter().zip(&post) {
                        for &(who, said) in item {
                            if who as usize == rater {
                                row[said as usize] += p[j];
                            }
                        }
                    }
                    let total: f64 = row.iter().sum();
                    row.iter_mut().for_each(|v| *v /= total);
                }
            }
            for (item, p) in votes.items.iter().zip(post.iter_mut()) {
                let mut like: Vec<f64> = priors.clone();
                for &(who, said) in item {
                    for (j, l) in like.iter_mut().enumerate() {
                        *l *= confusion[who as usize][j][said as usize];
                    }
                }
                let total: f64 = like.iter().sum();
                *p = like.iter().map(|l| l / total).collect();
            }
        }
        post
    }

    #[test]
    fn the_pattern_weighted_fit_equals_the_fit_item_by_item() {
        // 400 items from 4 raters over 3 categories, many repeating: a fixed pseudo-random
        // stream, rater 3 sometimes missing.
        let mut state: u64 = 2022;
        let mut next = |m: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % m
        };
        let mut items: Vec<Vec<(u16, u16)>> = Vec::new();
        for _ in 0..400 {
            let truth = next(3) as u16;
            let mut item = Vec::new();
            for rater in 0..4u16 {
                if rater == 3 && next(2) == 0 {
                    continue;
                }
                let said = if next(10) < 7 + u64::from(rater == 0) * 2 {
                    truth
                } else {
                    next(3) as u16
                };
                item.push((rater, said));
            }
            items.push(item);
        }
        let votes = Votes {
            categories: 3,
            raters: 4,
            items,
        };
        let steps = 7;
        let options = DawidSkeneOptions {
            max_iterations: steps,
            tolerance: 0.0,
            likelihood_tolerance: 0.0,
            ..DawidSkeneOptions::default()
        };
        let fitted = dawid_skene(&votes, &options);
        assert_eq!(fitted.iterations, steps);
        let reference = item_by_item(&votes, &options, steps);
        for (a, b) in fitted.posteriors.iter().zip(&reference) {
            for (x, y) in a.iter().zip(b) {
                assert!((x - y).abs() < 1e-12, "{x} {y}");
            }
        }
        // The patterns are far fewer than the items.
        assert!(distinct_patterns(&votes.items).patterns.len() < 150);
    }

    #[test]
    fn smoothing_keeps_every_probability_positive() {
        let votes = Votes {
            categories: 3,
            raters: 2,
            items: vec![vec![(0, 0), (1, 0)]; 5],
        };
        let ds = dawid_skene(&votes, &DawidSkeneOptions::default());
        assert!(ds.priors.iter().all(|&p| p > 0.0));
        assert!(ds.confusions.iter().flatten().flatten().all(|&p| p > 0.0));
        assert_eq!(ds.decisions()[0].0, 0);
    }

    #[test]
    fn a_reliable_minority_outweighs_an_unreliable_majority() {
        // Raters 0 and 1 are always right; raters 2, 3 and 4 each give a wrong answer on 40%
        // of the items, independently. Where all three err, the majority is wrong.
        let mut streams: Vec<crate::random::Stream> = (2..5)
            .map(|j| crate::random::Stream::new(7, "dawid-skene-test", j))
            .collect();
        let truth: Vec<u16> = (0..200).map(|i| (i % 3) as u16).collect();
        let items: Vec<Vec<(u16, u16)>> = truth
            .iter()
            .map(|&t| {
                let mut item = vec![(0, t), (1, t)];
                for (j, stream) in streams.iter_mut().enumerate() {
                    let said = if stream.below(10) < 4 { (t + 1) % 3 } else { t };
                    item.push((j as u16 + 2, said));
                }
                item
            })
            .collect();
        let votes = Votes {
            categories: 3,
            raters: 5,
            items,
        };
        let right = |decided: &[usize]| {
            decided
                .iter()
                .zip(&truth)
                .filter(|(d, t)| **d == **t as usize)
                .count()
        };
        let mv: Vec<usize> = majority_vote(&votes).into_iter().flatten().collect();
        let ds = dawid_skene(&votes, &DawidSkeneOptions::default());
        let decided: Vec<usize> = ds.decisions().iter().map(|d| d.0).collect();
        assert!(ds.converged);
        assert!(right(&mv) < 200, "majority vote right on {}", right(&mv));
        assert_eq!(right(&decided), 200);
    }
}
