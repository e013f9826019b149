//! The agreement coefficients of a multi-rater study, as data: each has a stable key (its
//! `summary.json` name and table column), a label (the report's column header) and how it
//! is computed from a summed tally ([`AgreementLayout`]). Reports, tables and the CLI print
//! by iterating [`Coefficient::ALL`]; adding a coefficient is its pure function in `stats/`,
//! a variant here, and its reference-vector test.
//!
//! ```
//! use nucagree::agreement::coefficient::Coefficient;
//!
//! let keys: Vec<&str> = Coefficient::ALL.iter().map(|c| c.key()).collect();
//! assert_eq!(keys[0], "fleiss_kappa");
//! assert_eq!(Coefficient::GwetAc1.label(), "Gwet's AC1");
//! ```

use super::tally::AgreementLayout;
use crate::model::ClassLevel;
use serde::Serialize;
use std::collections::BTreeMap;

/// An agreement coefficient over anchors, at one class level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Coefficient {
    /// irrCAC's generalised Fleiss' kappa over anchors with two or more ratings,
    /// `undetected` a category.
    FleissKappa,
    /// irrCAC's Conger's kappa over the same anchors: chance agreement from each rater's own
    /// category shares.
    CongerKappa,
    /// irrCAC's Brennan-Prediger coefficient over the same anchors: chance agreement `1/q`,
    /// `q` the categories observed.
    BrennanPrediger,
    /// Krippendorff's nominal alpha with `undetected` a category (detection and
    /// classification).
    KrippendorffAlphaDetection,
    /// Krippendorff's nominal alpha with `undetected` missing (classification).
    KrippendorffAlphaClassification,
    /// irrCAC's Gwet's AC1, counting the categories observed.
    GwetAc1,
}

impl Coefficient {
    /// Every coefficient, in the order reports show them.
    pub const ALL: [Coefficient; 6] = [
        Coefficient::FleissKappa,
        Coefficient::CongerKappa,
        Coefficient::BrennanPrediger,
        Coefficient::KrippendorffAlphaDetection,
        Coefficient::KrippendorffAlphaClassification,
        Coefficient::GwetAc1,
    ];

    /// The stable name: the `summary.json` key and the table column.
    pub fn key(self) -> &'static str {
        match self {
            Coefficient::FleissKappa => "fleiss_kappa",
            Coefficient::CongerKappa => "conger_kappa",
            Coefficient::BrennanPrediger => "brennan_prediger",
            Coefficient::KrippendorffAlphaDetection => "krippendorff_alpha_detection",
            Coefficient::KrippendorffAlphaClassification => "krippendorff_alpha_classification",
            Coefficient::GwetAc1 => "gwet_ac1",
        }
    }

    /// The report's column header.
    pub fn label(self) -> &'static str {
        match self {
            Coefficient::FleissKappa => "Fleiss' κ",
            Coefficient::CongerKappa => "Conger's κ",
            Coefficient::BrennanPrediger => "Brennan-Prediger",
            Coefficient::KrippendorffAlphaDetection => "α (detection and classification)",
            Coefficient::KrippendorffAlphaClassification => "α (classification)",
            Coefficient::GwetAc1 => "Gwet's AC1",
        }
    }

    /// A plain-text name for the terminal.
    pub fn plain_label(self) -> &'static str {
        match self {
            Coefficient::FleissKappa => "Fleiss' kappa",
            Coefficient::CongerKappa => "Conger's kappa",
            Coefficient::BrennanPrediger => "Brennan-Prediger",
            Coefficient::KrippendorffAlphaDetection => "alpha (detection)",
            Coefficient::KrippendorffAlphaClassification => "alpha (classification)",
            Coefficient::GwetAc1 => "AC1",
        }
    }

    /// The coefficient of a summed tally at `level`; `None` where it is undefined.
    pub fn of_tally(self, layout: &AgreementLayout, sum: &[f64], level: ClassLevel) -> Option<f64> {
        match self {
            Coefficient::FleissKappa => layout.fleiss(sum, level),
            Coefficient::CongerKappa => layout.conger_kappa(sum, level),
            Coefficient::BrennanPrediger => layout.brennan_prediger(sum, level),
            Coefficient::KrippendorffAlphaDetection => layout.alpha_detection(sum, level),
            Coefficient::KrippendorffAlphaClassification => layout.alpha_classification(sum, level),
            Coefficient::GwetAc1 => layout.gwet_ac1(sum, level),
        }
    }
}

impl std::fmt::Display for Coefficient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

/// Values by coefficient; serialised as an object keyed by [`Coefficient::key`], in the
/// order of [`Coefficient::ALL`].
pub type ByCoefficient<T> = BTreeMap<Coefficient, T>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_serialise_as_the_summary_names_in_order() {
        let map: ByCoefficient<u8> = Coefficient::ALL.iter().rev().map(|&c| (c, 1)).collect();
        let json = serde_json::to_string(&map).unwrap();
        assert_eq!(
            json,
            r#"{"fleiss_kappa":1,"conger_kappa":1,"brennan_prediger":1,"krippendorff_alpha_detection":1,"krippendorff_alpha_classification":1,"gwet_ac1":1}"#
        );
        for c in Coefficient::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), c.key());
        }
    }
}
