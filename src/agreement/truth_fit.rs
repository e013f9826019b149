//! What the models of rater error share: a fit's posteriors, and the votes as crowd-kit sees
//! them (only the categories and raters that occur, items grouped by rating pattern).

use super::truth::Votes;

/// A fitted model's posterior per item.
#[derive(Debug, Clone, PartialEq)]
pub struct TruthFit {
    /// Per item, the posterior probability of each category (uniform for an item without
    /// ratings).
    pub posteriors: Vec<Vec<f64>>,
    pub iterations: usize,
    /// Whether the stopping rule was met; `None` for a model run a fixed number of
    /// iterations (MACE).
    pub converged: Option<bool>,
}

impl TruthFit {
    /// Each item's most probable category (the lowest index on ties) and its posterior.
    pub fn decisions(&self) -> Vec<(usize, f64)> {
        self.posteriors.iter().map(|p| most_probable(p)).collect()
    }
}

/// The most probable category (the lowest index on ties) and its probability.
pub fn most_probable(posterior: &[f64]) -> (usize, f64) {
    let mut best = 0;
    for (c, &v) in posterior.iter().enumerate() {
        if v > posterior[best] {
            best = c;
        }
    }
    (best, posterior.get(best).copied().unwrap_or(0.0))
}

/// Votes as crowd-kit sees them: only the categories and raters that occur, renumbered in
/// index order, and items grouped by rating pattern (items with the same ratings have the
/// same posterior in every model here but GLAD, which weights them apart).
pub struct Observed {
    /// Compact category → the votes' category.
    pub categories: Vec<usize>,
    /// Compact rater → the votes' rater.
    pub raters: Vec<usize>,
    /// The distinct non-empty rating patterns, `(compact rater, compact category)`, in order
    /// of first appearance.
    pub patterns: Vec<Vec<(u16, u16)>>,
    /// How many items have each pattern.
    pub weights: Vec<f64>,
    /// Each item's pattern; `None` for an item without ratings.
    pub of_item: Vec<Option<u32>>,
    /// The number of rated items and of ratings.
    pub rated: f64,
    pub ratings: f64,
    /// The votes' category count.
    pub all_categories: usize,
}

impl Observed {
    pub fn of(votes: &Votes) -> Observed {
        let mut category_used = vec![false; votes.categories];
        let mut rater_used = vec![false; votes.raters];
        for &(r, c) in votes.items.iter().flatten() {
            category_used[c as usize] = true;
            rater_used[r as usize] = true;
        }
        let renumber = |used: &[bool]| {
            let mut compact = vec![u16::MAX; used.len()];
            let mut kept = Vec::new();
            for (i, _) in used.iter().enumerate().filter(|(_, &u)| u) {
                compact[i] = kept.len() as u16;
                kept.push(i);
            }
            (compact, kept)
        };
        let (category_of, categories) = renumber(&category_used);
        let (rater_of, raters) = renumber(&rater_used);
        let mut index: std::collections::HashMap<&[(u16, u16)], u32> =
            std::collections::HashMap::new();
        let mut patterns: Vec<Vec<(u16, u16)>> = Vec::new();
        let mut weights: Vec<f64> = Vec::new();
        let mut ratings = 0.0;
        let of_item = votes
            .items
            .iter()
            .map(|item| {
                if item.is_empty() {
                    return None;
                }
                ratings += item.len() as f64;
                let next = patterns.len() as u32;
                let at = *index.entry(item.as_slice()).or_insert(next);
                if at == next {
                    let mut pattern: Vec<(u16, u16)> = item
                        .iter()
                        .map(|&(r, c)| (rater_of[r as usize], category_of[c as usize]))
                        .collect();
                    pattern.sort_by_key(|&(r, _)| r);
                    patterns.push(pattern);
                    weights.push(0.0);
                }
                weights[at as usize] += 1.0;
                Some(at)
            })
            .collect::<Vec<_>>();
        Observed {
            rated: weights.iter().sum(),
            categories,
            raters,
            patterns,
            weights,
            of_item,
            ratings,
            all_categories: votes.categories,
        }
    }

    /// Per item, the posterior over the votes' categories from the compact posteriors of
    /// the patterns (`patterns × categories`, flat).
    pub fn expand(&self, compact: &[f64]) -> Vec<Vec<f64>> {
        let k = self.categories.len();
        let uniform = vec![1.0 / self.all_categories as f64; self.all_categories];
        self.of_item
            .iter()
            .map(|pattern| match pattern {
                None => uniform.clone(),
                Some(p) => {
                    let mut full = vec![0.0; self.all_categories];
                    for (c, &v) in compact[*p as usize * k..][..k].iter().enumerate() {
                        full[self.categories[c]] = v;
                    }
                    full
                }
            })
            .collect()
    }

    /// The fit where at most one category occurs: every rated item is that category.
    pub fn single_category(&self) -> TruthFit {
        TruthFit {
            posteriors: self.expand(&vec![1.0; self.patterns.len()]),
            iterations: 0,
            converged: Some(true),
        }
    }

    /// The vote shares of each pattern (crowd-kit's majority-vote posteriors).
    pub fn vote_shares(&self) -> Vec<f64> {
        let k = self.categories.len();
        let mut shares = vec![0.0; self.patterns.len() * k];
        for (p, pattern) in self.patterns.iter().enumerate() {
            let row = &mut shares[p * k..][..k];
            for &(_, c) in pattern {
                row[c as usize] += 1.0;
            }
            let n = pattern.len() as f64;
            row.iter_mut().for_each(|v| *v /= n);
        }
        shares
    }
}
