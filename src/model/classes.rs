//! The class hierarchy: raw classes, each with one main and one super class.
//!
//! NuCLS classes each nucleus at three levels. The built-in hierarchy is that of the NuCLS
//! release (13 raw classes); another (PanNuke, CoNSeP, MoNuSAC-style) can be made from rows of
//! the same shape. A raw name with the prefix `correction_` (NuCLS rows that a reviewer
//! corrected) resolves like the name it prefixes.
//!
//! ```
//! use nucagree::model::{ClassHierarchy, ClassLevel};
//!
//! let hierarchy = ClassHierarchy::nucls();
//! let class = hierarchy.resolve("correction_plasma_cell").unwrap();
//! assert!(class.correction);
//! assert_eq!(hierarchy.name(class.id, ClassLevel::Main), "plasma_cell");
//! assert_eq!(hierarchy.name(class.id, ClassLevel::Super), "sTIL");
//! assert!(hierarchy.resolve("Tumour").is_none());
//! ```

use serde::Serialize;
use std::collections::HashMap;
use std::fmt;

/// The prefix NuCLS puts on the raw class of a corrected row.
pub const CORRECTION_PREFIX: &str = "correction_";

/// One of the three levels at which a nucleus is classed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClassLevel {
    Raw,
    Main,
    Super,
}

impl ClassLevel {
    pub const ALL: [ClassLevel; 3] = [ClassLevel::Raw, ClassLevel::Main, ClassLevel::Super];

    /// The level's position in [`ClassLevel::ALL`] (raw 0, main 1, super 2).
    pub fn position(self) -> usize {
        match self {
            ClassLevel::Raw => 0,
            ClassLevel::Main => 1,
            ClassLevel::Super => 2,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ClassLevel::Raw => "raw",
            ClassLevel::Main => "main",
            ClassLevel::Super => "super",
        }
    }
}

impl fmt::Display for ClassLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The index of a raw class in its hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ClassId(pub u16);

/// A raw class as read from a file: which class, and whether the name carried the
/// `correction_` prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RawClass {
    pub id: ClassId,
    pub correction: bool,
}

/// Why rows cannot form a hierarchy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HierarchyError {
    #[error("the hierarchy has no classes")]
    Empty,
    #[error("raw class {name:?} appears twice (rows {first} and {second})")]
    DuplicateRaw {
        name: String,
        first: usize,
        second: usize,
    },
    #[error("class name at row {row} is empty")]
    EmptyName { row: usize },
    #[error("main class {main:?} maps to two super classes, {first:?} and {second:?} (row {row})")]
    InconsistentSuper {
        main: String,
        first: String,
        second: String,
        row: usize,
    },
    #[error("class {name:?} cannot start with {CORRECTION_PREFIX:?}")]
    ReservedPrefix { name: String },
    #[error("alias {alias:?} names class {target:?}, which is not in the hierarchy")]
    UnknownAliasTarget { alias: String, target: String },
    #[error("more than 65,535 classes")]
    TooManyClasses,
}

/// Raw classes with their main and super classes, names in the order first seen.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassHierarchy {
    raw: Vec<String>,
    main: Vec<String>,
    super_classes: Vec<String>,
    raw_to_main: Vec<u16>,
    raw_to_super: Vec<u16>,
    lookup: HashMap<String, ClassId>,
}

/// The NuCLS hierarchy (raw, main, super), as in the NuCLS release's `class_hierarchy.csv`.
const NUCLS_ROWS: [(&str, &str, &str); 13] = [
    ("tumor", "tumor_nonMitotic", "tumor_any"),
    ("mitotic_figure", "tumor_mitotic", "tumor_any"),
    ("fibroblast", "nonTILnonMQ_stromal", "nonTIL_stromal"),
    (
        "vascular_endothelium",
        "nonTILnonMQ_stromal",
        "nonTIL_stromal",
    ),
    ("macrophage", "macrophage", "nonTIL_stromal"),
    ("lymphocyte", "lymphocyte", "sTIL"),
    ("plasma_cell", "plasma_cell", "sTIL"),
    ("neutrophil", "other_nucleus", "other_nucleus"),
    ("eosinophil", "other_nucleus", "other_nucleus"),
    ("myoepithelium", "other_nucleus", "other_nucleus"),
    ("ductal_epithelium", "other_nucleus", "other_nucleus"),
    ("apoptotic_body", "AMBIGUOUS", "AMBIGUOUS"),
    ("unlabeled", "AMBIGUOUS", "AMBIGUOUS"),
];

/// The main and super class that NuCLS treats as "ambiguous" (apoptotic bodies, unlabeled).
pub const AMBIGUOUS: &str = "AMBIGUOUS";

impl ClassHierarchy {
    /// The built-in NuCLS hierarchy.
    pub fn nucls() -> ClassHierarchy {
        let rows = NUCLS_ROWS
            .iter()
            .map(|(r, m, s)| (r.to_string(), m.to_string(), s.to_string()));
        ClassHierarchy::from_rows(rows).expect("the NuCLS hierarchy is valid")
    }

    /// Builds a hierarchy from `(raw, main, super)` rows, numbered 1, 2, ... in errors. A main
    /// class must have one super class; raw names must be unique and must not carry the
    /// `correction_` prefix.
    pub fn from_rows(
        rows: impl IntoIterator<Item = (String, String, String)>,
    ) -> Result<ClassHierarchy, HierarchyError> {
        ClassHierarchy::from_numbered_rows(
            rows.into_iter()
                .enumerate()
                .map(|(i, (raw, main, sup))| (i + 1, raw, main, sup)),
        )
    }

    /// As [`ClassHierarchy::from_rows`], each row with the number errors give it (a file's
    /// row, the header being row 1).
    pub fn from_numbered_rows(
        rows: impl IntoIterator<Item = (usize, String, String, String)>,
    ) -> Result<ClassHierarchy, HierarchyError> {
        let mut hierarchy = ClassHierarchy {
            raw: Vec::new(),
            main: Vec::new(),
            super_classes: Vec::new(),
            raw_to_main: Vec::new(),
            raw_to_super: Vec::new(),
            lookup: HashMap::new(),
        };
        let mut main_super: HashMap<String, (String, usize)> = HashMap::new();
        let mut raw_rows: Vec<usize> = Vec::new();
        for (row, raw, main, sup) in rows {
            let (raw, main, sup) = (raw.trim(), main.trim(), sup.trim());
            if raw.is_empty() || main.is_empty() || sup.is_empty() {
                return Err(HierarchyError::EmptyName { row });
            }
            if raw.starts_with(CORRECTION_PREFIX) {
                return Err(HierarchyError::ReservedPrefix { name: raw.into() });
            }
            if let Some(previous) = hierarchy.lookup.get(raw) {
                return Err(HierarchyError::DuplicateRaw {
                    name: raw.into(),
                    first: raw_rows[previous.0 as usize],
                    second: row,
                });
            }
            match main_super.get(main) {
                Some((first, _)) if first != sup => {
                    return Err(HierarchyError::InconsistentSuper {
                        main: main.into(),
                        first: first.clone(),
                        second: sup.into(),
                        row,
                    })
                }
                Some(_) => {}
                None => {
                    main_super.insert(main.into(), (sup.into(), row));
                }
            }
            let id =
                u16::try_from(hierarchy.raw.len()).map_err(|_| HierarchyError::TooManyClasses)?;
            hierarchy.raw.push(raw.into());
            let main_index = index_of_or_push(&mut hierarchy.main, main);
            let super_index = index_of_or_push(&mut hierarchy.super_classes, sup);
            hierarchy.raw_to_main.push(main_index);
            hierarchy.raw_to_super.push(super_index);
            hierarchy.lookup.insert(raw.into(), ClassId(id));
            raw_rows.push(row);
        }
        if hierarchy.raw.is_empty() {
            return Err(HierarchyError::Empty);
        }
        Ok(hierarchy)
    }

    /// Lets `alias` (a name found in files) stand for the raw class `target`.
    pub fn add_alias(&mut self, alias: &str, target: &str) -> Result<(), HierarchyError> {
        let id = self
            .resolve(target)
            .ok_or_else(|| HierarchyError::UnknownAliasTarget {
                alias: alias.into(),
                target: target.into(),
            })?
            .id;
        self.lookup.insert(alias.trim().into(), id);
        Ok(())
    }

    /// Makes `alias` denote raw class `id`.
    pub fn set_alias(&mut self, alias: &str, id: ClassId) {
        self.lookup.insert(alias.trim().into(), id);
    }

    /// The raw class a name denotes, `correction_` prefix and aliases resolved; `None` for a
    /// name the hierarchy does not know. Names are case-sensitive.
    pub fn resolve(&self, name: &str) -> Option<RawClass> {
        let name = name.trim();
        if let Some(&id) = self.lookup.get(name) {
            return Some(RawClass {
                id,
                correction: false,
            });
        }
        let stripped = name.strip_prefix(CORRECTION_PREFIX)?;
        self.lookup.get(stripped).map(|&id| RawClass {
            id,
            correction: true,
        })
    }

    /// The class names of a level, in hierarchy order.
    pub fn names(&self, level: ClassLevel) -> &[String] {
        match level {
            ClassLevel::Raw => &self.raw,
            ClassLevel::Main => &self.main,
            ClassLevel::Super => &self.super_classes,
        }
    }

    /// The index, among [`ClassHierarchy::names`] of `level`, of raw class `id`'s class.
    pub fn index(&self, id: ClassId, level: ClassLevel) -> usize {
        let raw = id.0 as usize;
        match level {
            ClassLevel::Raw => raw,
            ClassLevel::Main => self.raw_to_main[raw] as usize,
            ClassLevel::Super => self.raw_to_super[raw] as usize,
        }
    }

    /// The name of raw class `id`'s class at `level`.
    pub fn name(&self, id: ClassId, level: ClassLevel) -> &str {
        &self.names(level)[self.index(id, level)]
    }

    /// The number of raw classes.
    pub fn len(&self) -> usize {
        self.raw.len()
    }

    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The `(raw, main, super)` rows of the hierarchy, for writing it out.
    pub fn rows(&self) -> impl Iterator<Item = (&str, &str, &str)> + '_ {
        (0..self.raw.len()).map(|i| {
            let id = ClassId(i as u16);
            (
                self.name(id, ClassLevel::Raw),
                self.name(id, ClassLevel::Main),
                self.name(id, ClassLevel::Super),
            )
        })
    }
}

fn index_of_or_push(names: &mut Vec<String>, name: &str) -> u16 {
    match names.iter().position(|n| n == name) {
        Some(i) => i as u16,
        None => {
            names.push(name.into());
            (names.len() - 1) as u16
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nucls_hierarchy_has_the_release_shape() {
        let h = ClassHierarchy::nucls();
        assert_eq!(h.len(), 13);
        assert_eq!(h.names(ClassLevel::Main).len(), 8);
        assert_eq!(
            h.names(ClassLevel::Super),
            [
                "tumor_any",
                "nonTIL_stromal",
                "sTIL",
                "other_nucleus",
                AMBIGUOUS
            ]
        );
        let unlabeled = h.resolve("unlabeled").unwrap().id;
        assert_eq!(h.name(unlabeled, ClassLevel::Main), AMBIGUOUS);
        assert_eq!(h.name(unlabeled, ClassLevel::Super), AMBIGUOUS);
    }

    #[test]
    fn correction_prefix_and_alias_resolve() {
        let mut h = ClassHierarchy::nucls();
        assert!(h.resolve("correction_unknown").is_none());
        assert!(h.resolve("Tumour").is_none());
        h.add_alias("Tumour", "tumor").unwrap();
        let tumour = h.resolve("Tumour").unwrap();
        assert_eq!(h.name(tumour.id, ClassLevel::Raw), "tumor");
        assert!(!tumour.correction);
        assert_eq!(
            h.add_alias("x", "nothing"),
            Err(HierarchyError::UnknownAliasTarget {
                alias: "x".into(),
                target: "nothing".into()
            })
        );
    }

    #[test]
    fn inconsistent_rows_are_rejected() {
        let rows = |v: &[(&str, &str, &str)]| {
            v.iter()
                .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
                .collect::<Vec<_>>()
        };
        assert!(matches!(
            ClassHierarchy::from_rows(rows(&[("a", "m", "s"), ("b", "m", "t")])),
            Err(HierarchyError::InconsistentSuper { row: 2, .. })
        ));
        assert!(matches!(
            ClassHierarchy::from_rows(rows(&[("a", "m", "s"), ("a", "m", "s")])),
            Err(HierarchyError::DuplicateRaw {
                first: 1,
                second: 2,
                ..
            })
        ));
        assert_eq!(
            ClassHierarchy::from_rows(rows(&[])),
            Err(HierarchyError::Empty)
        );
    }
}
