//! The headline figures of a comparison, as data: each has a stable key (its `summary.json`
//! name), a label (the report's column header) and how it is computed from summed tallies
//! ([`Sums`]), which is what the bootstrap resamples. Reports and tables print by iterating
//! [`Figure::ALL`]; adding a figure is its pure function in `stats/`, a variant here, and its
//! reference-vector test.
//!
//! ```
//! use nucagree::comparison::figure::Figure;
//!
//! assert_eq!(Figure::CohenKappa.key(), "cohen_kappa");
//! assert_eq!(Figure::CohenKappa.label(), "Cohen's κ");
//! assert!(!Figure::F1.per_level());
//! ```

use super::tally::Sums;
use crate::model::ClassLevel;
use serde::Serialize;
use std::collections::BTreeMap;

/// A figure of one class level (detection figures are the same at every level).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Figure {
    /// Matched pairs over the nuclei of A.
    Precision,
    /// Matched pairs over the nuclei of B.
    Recall,
    /// Detection F1.
    F1,
    /// Share of classified pairs whose classes agree.
    Accuracy,
    /// Cohen's kappa on the classified pairs.
    CohenKappa,
    /// Gwet's AC1 on the classified pairs.
    GwetAc1,
    /// Matthews' correlation coefficient (multiclass) on the classified pairs.
    Mcc,
    /// Mean IoU of the matched pairs.
    MeanIou,
}

impl Figure {
    /// Every figure, in the order of `summary.json`.
    pub const ALL: [Figure; 8] = [
        Figure::Precision,
        Figure::Recall,
        Figure::F1,
        Figure::Accuracy,
        Figure::CohenKappa,
        Figure::GwetAc1,
        Figure::Mcc,
        Figure::MeanIou,
    ];

    /// The stable name: the `summary.json` key.
    pub fn key(self) -> &'static str {
        match self {
            Figure::Precision => "precision",
            Figure::Recall => "recall",
            Figure::F1 => "f1",
            Figure::Accuracy => "accuracy",
            Figure::CohenKappa => "cohen_kappa",
            Figure::GwetAc1 => "gwet_ac1",
            Figure::Mcc => "mcc",
            Figure::MeanIou => "mean_iou",
        }
    }

    /// The report's column header.
    pub fn label(self) -> &'static str {
        match self {
            Figure::Precision => "precision",
            Figure::Recall => "recall",
            Figure::F1 => "F1",
            Figure::Accuracy => "accuracy",
            Figure::CohenKappa => "Cohen's κ",
            Figure::GwetAc1 => "AC1",
            Figure::Mcc => "MCC",
            Figure::MeanIou => "mean IoU",
        }
    }

    /// A plain-text name for the terminal.
    pub fn plain_label(self) -> &'static str {
        match self {
            Figure::CohenKappa => "kappa",
            other => other.label(),
        }
    }

    /// Whether the figure depends on the class level (classification) or not (detection,
    /// segmentation).
    pub fn per_level(self) -> bool {
        matches!(
            self,
            Figure::Accuracy | Figure::CohenKappa | Figure::GwetAc1 | Figure::Mcc
        )
    }

    /// Whether the report's headline table shows it (mean IoU has a line of its own).
    pub fn in_headline(self) -> bool {
        self != Figure::MeanIou
    }

    /// The figure of summed tallies at `level`; `None` where it is undefined.
    pub fn of_sums(self, sums: &Sums<'_>, level: ClassLevel) -> Option<f64> {
        match self {
            Figure::Precision => sums.detection().precision(),
            Figure::Recall => sums.detection().recall(),
            Figure::F1 => sums.detection().f1(),
            Figure::Accuracy => sums.accuracy(level),
            Figure::CohenKappa => sums.kappa(level),
            Figure::GwetAc1 => sums.gwet_ac1(level),
            Figure::Mcc => crate::stats::detection::matthews_correlation(&sums.table(level)),
            Figure::MeanIou => sums.mean_iou(),
        }
    }
}

impl std::fmt::Display for Figure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

/// A figure of each class, with a bootstrap interval per class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ClassFigure {
    /// The class's F1 ([`crate::stats::detection::class_counts`]).
    F1,
    /// One-vs-rest Cohen's kappa on the classified pairs.
    Kappa,
}

impl ClassFigure {
    pub const ALL: [ClassFigure; 2] = [ClassFigure::F1, ClassFigure::Kappa];

    /// The figure of class `class` of `level`, from summed tallies.
    pub fn of_sums(self, sums: &Sums<'_>, level: ClassLevel, class: usize) -> Option<f64> {
        match self {
            ClassFigure::F1 => sums.class_counts(level, class).f1(),
            ClassFigure::Kappa => sums.class_kappa(level, class),
        }
    }
}

/// Values by figure; serialised as an object keyed by [`Figure::key`], in the order of
/// [`Figure::ALL`].
pub type ByFigure<T> = BTreeMap<Figure, T>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_serialise_as_the_summary_names_in_order() {
        let map: ByFigure<u8> = Figure::ALL.iter().rev().map(|&f| (f, 0)).collect();
        let keys: Vec<String> = serde_json::to_value(&map)
            .unwrap()
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        // serde_json's map sorts keys unless asked not to; the order of the text is checked
        // by the golden reports, the names here.
        let mut expected: Vec<String> = Figure::ALL.iter().map(|f| f.key().into()).collect();
        expected.sort();
        assert_eq!(keys, expected);
        let text = serde_json::to_string(&map).unwrap();
        assert!(
            text.starts_with(r#"{"precision":0,"recall":0,"f1":0,"#),
            "{text}"
        );
    }
}
