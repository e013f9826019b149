//! Built-in class schemes of the field's datasets, chosen by `--classes` or by the input
//! (CoNIC's arrays are CoNIC's classes, PanNuke's are PanNuke's).
//!
//! ```
//! use nucagree::model::{ClassLevel, ClassScheme};
//!
//! let conic = ClassScheme::Conic.hierarchy();
//! assert_eq!(conic.names(ClassLevel::Raw)[0], "neutrophil");
//! let consep = ClassScheme::Consep.hierarchy();
//! assert_eq!(consep.names(ClassLevel::Raw).len(), 7);
//! assert_eq!(consep.names(ClassLevel::Main).len(), 4);
//! ```

use super::ClassHierarchy;

/// A built-in class scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassScheme {
    /// NuCLS's 13 raw classes, their main and super classes.
    Nucls,
    /// CoNIC / Lizard, ids 1-6 in the order of CoNIC's counts.
    Conic,
    /// PanNuke's five nucleus channels, ids 1-5 in channel order.
    PanNuke,
    /// CoNSeP's seven types (HoVer-Net's type ids 1-7) and its four-class merge.
    Consep,
    /// MoNuSAC's four classes, ids 1-4.
    Monusac,
    /// One class, `nucleus`: instance label maps without classes.
    Nucleus,
}

impl ClassScheme {
    pub const ALL: [ClassScheme; 6] = [
        ClassScheme::Nucls,
        ClassScheme::Conic,
        ClassScheme::PanNuke,
        ClassScheme::Consep,
        ClassScheme::Monusac,
        ClassScheme::Nucleus,
    ];

    /// The name `--classes` takes.
    pub fn name(self) -> &'static str {
        match self {
            ClassScheme::Nucls => "nucls",
            ClassScheme::Conic => "conic",
            ClassScheme::PanNuke => "pannuke",
            ClassScheme::Consep => "consep",
            ClassScheme::Monusac => "monusac",
            ClassScheme::Nucleus => "nucleus",
        }
    }

    /// The scheme of that name.
    pub fn named(name: &str) -> Option<ClassScheme> {
        ClassScheme::ALL.into_iter().find(|s| s.name() == name)
    }

    /// `(raw, main, super)` rows, raw classes in id order (id 1 first).
    fn rows(self) -> &'static [(&'static str, &'static str, &'static str)] {
        match self {
            ClassScheme::Nucls => &[],
            ClassScheme::Conic => &[
                ("neutrophil", "neutrophil", "inflammatory"),
                ("epithelial", "epithelial", "epithelial"),
                ("lymphocyte", "lymphocyte", "inflammatory"),
                ("plasma", "plasma", "inflammatory"),
                ("eosinophil", "eosinophil", "inflammatory"),
                ("connective", "connective", "connective"),
            ],
            ClassScheme::PanNuke => &[
                ("Neoplastic", "Neoplastic", "Neoplastic"),
                ("Inflammatory", "Inflammatory", "Inflammatory"),
                ("Connective", "Connective", "Connective"),
                ("Dead", "Dead", "Dead"),
                ("Non-Neoplastic", "Non-Neoplastic", "Non-Neoplastic"),
            ],
            ClassScheme::Consep => &[
                ("other", "other", "other"),
                ("inflammatory", "inflammatory", "inflammatory"),
                ("healthy_epithelial", "epithelial", "epithelial"),
                ("malignant_epithelial", "epithelial", "epithelial"),
                ("fibroblast", "spindle_shaped", "spindle_shaped"),
                ("muscle", "spindle_shaped", "spindle_shaped"),
                ("endothelial", "spindle_shaped", "spindle_shaped"),
            ],
            ClassScheme::Monusac => &[
                ("epithelial", "epithelial", "epithelial"),
                ("lymphocyte", "lymphocyte", "immune"),
                ("macrophage", "macrophage", "immune"),
                ("neutrophil", "neutrophil", "immune"),
            ],
            ClassScheme::Nucleus => &[("nucleus", "nucleus", "nucleus")],
        }
    }

    /// The scheme's class hierarchy.
    pub fn hierarchy(self) -> ClassHierarchy {
        if self == ClassScheme::Nucls {
            return ClassHierarchy::nucls();
        }
        let rows = self
            .rows()
            .iter()
            .map(|(r, m, s)| (r.to_string(), m.to_string(), s.to_string()));
        ClassHierarchy::from_rows(rows).expect("a built-in scheme is valid")
    }
}
