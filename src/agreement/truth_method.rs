//! Which model of rater error the truth is inferred with, and what the crowd-kit models share.
//!
//! - `majority-vote` and `dawid-skene` ([`super::truth`]): nucagree's own, Dawid-Skene with a
//!   Dirichlet prior on each confusion matrix's diagonal.
//! - `one-coin` ([`super::one_coin`]), `glad` ([`super::glad`]) and `mace` ([`super::mace`]):
//!   as crowd-kit 1.4.2 fits them, with its initialisation, priors and stopping rules, over
//!   the categories some rater used (crowd-kit never sees the others; their posterior is 0).
//!
//! ```
//! use nucagree::agreement::truth::Votes;
//! use nucagree::agreement::truth_method::{fit, TruthMethod, TruthModelOptions};
//!
//! // Three raters; rater 2 always says the opposite of raters 0 and 1.
//! let items = (0..6)
//!     .map(|i| {
//!         let c = (i % 2) as u16;
//!         vec![(0, c), (1, c), (2, 1 - c)]
//!     })
//!     .collect();
//! let votes = Votes { categories: 2, raters: 3, items };
//! let options = TruthModelOptions::default();
//! for method in [TruthMethod::OneCoin, TruthMethod::Glad, TruthMethod::Mace] {
//!     let fitted = fit(method, &votes, &options).unwrap();
//!     assert_eq!(fitted.decisions()[1].0, 1, "{method}");
//! }
//! ```

use super::glad::{glad, GladOptions};
use super::mace::{mace, MaceOptions};
use super::one_coin::{one_coin, OneCoinOptions};
use super::truth::{dawid_skene, DawidSkeneOptions, Votes};
pub use super::truth_fit::{most_probable, TruthFit};
use serde::{Deserialize, Serialize};

/// How the truth is inferred from the raters' labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TruthMethod {
    MajorityVote,
    #[default]
    DawidSkene,
    OneCoin,
    Glad,
    Mace,
}

crate::choices!(TruthMethod {
    MajorityVote => "majority-vote",
    DawidSkene => "dawid-skene",
    OneCoin => "one-coin",
    Glad => "glad",
    Mace => "mace",
});

impl TruthMethod {
    /// The name a report prints.
    pub fn title(self) -> &'static str {
        match self {
            TruthMethod::MajorityVote => "Majority vote",
            TruthMethod::DawidSkene => "Dawid-Skene",
            TruthMethod::OneCoin => "One-coin Dawid-Skene",
            TruthMethod::Glad => "GLAD",
            TruthMethod::Mace => "MACE",
        }
    }
}

/// The options of every model (each method reads its own).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct TruthModelOptions {
    pub dawid_skene: DawidSkeneOptions,
    pub one_coin: OneCoinOptions,
    pub glad: GladOptions,
    pub mace: MaceOptions,
}

/// Fits `method`; `None` for majority vote, which has no posterior.
pub fn fit(method: TruthMethod, votes: &Votes, options: &TruthModelOptions) -> Option<TruthFit> {
    match method {
        TruthMethod::MajorityVote => None,
        TruthMethod::DawidSkene => {
            let ds = dawid_skene(votes, &options.dawid_skene);
            Some(TruthFit {
                posteriors: ds.posteriors,
                iterations: ds.iterations,
                converged: Some(ds.converged),
            })
        }
        TruthMethod::OneCoin => Some(one_coin(votes, &options.one_coin)),
        TruthMethod::Glad => Some(glad(votes, &options.glad)),
        TruthMethod::Mace => Some(mace(votes, &options.mace)),
    }
}
