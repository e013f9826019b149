//! Which classes count for what: AMBIGUOUS nuclei for detection only, as a class, or as
//! don't-care regions ([`AmbiguousMode`]), and each class level's classified classes.

use crate::model::{ClassHierarchy, ClassId, ClassLevel, AMBIGUOUS};
use std::sync::Arc;

/// How AMBIGUOUS nuclei (NuCLS's apoptotic bodies and unlabeled nuclei) are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AmbiguousMode {
    /// Nuclei for detection, left out of classification statistics.
    #[default]
    DetectOnly,
    /// A class like any other.
    Class,
    /// Don't-care regions, as pycocotools' ignored ground truth: a nucleus of A matched to an
    /// ambiguous nucleus of B is neither a true nor a false positive, and an unmatched
    /// ambiguous nucleus of B is no false negative. Ambiguous nuclei of A are never false
    /// positives (unmatched, they count nowhere; matched, they count for detection only).
    Ignore,
}

crate::choices!(AmbiguousMode {
    DetectOnly => "detect-only",
    Class => "class",
    Ignore => "ignore",
});

impl AmbiguousMode {
    /// What the mode does, in a sentence for the report's methods.
    pub fn describe(self) -> &'static str {
        match self {
            AmbiguousMode::DetectOnly => {
                "ambiguous nuclei (apoptotic bodies, unlabeled) count for detection and are left out of classification statistics"
            }
            AmbiguousMode::Class => "ambiguous nuclei are a class like any other",
            AmbiguousMode::Ignore => {
                "ambiguous nuclei of the reference are don't-care regions: a nucleus matched to one is neither a true nor a false positive, and an unmatched one is no false negative; ambiguous nuclei of the compared set are never false positives and are left out of classification"
            }
        }
    }
}

/// The class hierarchy with the ambiguous classes marked, and how they count.
#[derive(Debug, Clone)]
pub struct ClassRoles {
    pub hierarchy: Arc<ClassHierarchy>,
    pub mode: AmbiguousMode,
    /// Per raw class: whether it is ambiguous (its main or super class is AMBIGUOUS).
    ambiguous: Vec<bool>,
}

impl ClassRoles {
    pub fn new(hierarchy: Arc<ClassHierarchy>, mode: AmbiguousMode) -> ClassRoles {
        let ambiguous = (0..hierarchy.len())
            .map(|raw| {
                let id = ClassId(raw as u16);
                hierarchy.name(id, ClassLevel::Main) == AMBIGUOUS
                    || hierarchy.name(id, ClassLevel::Super) == AMBIGUOUS
            })
            .collect();
        ClassRoles {
            hierarchy,
            mode,
            ambiguous,
        }
    }

    pub fn is_ambiguous(&self, id: ClassId) -> bool {
        self.ambiguous[id.0 as usize]
    }

    /// Whether class `index` of `level` takes part in classification statistics and AP.
    pub fn is_classified(&self, level: ClassLevel, index: usize) -> bool {
        if self.mode == AmbiguousMode::Class {
            return true;
        }
        !(0..self.hierarchy.len()).any(|raw| {
            let id = ClassId(raw as u16);
            self.hierarchy.index(id, level) == index && self.is_ambiguous(id)
        })
    }

    /// Whether a nucleus of class `id` is classified (not left out as ambiguous).
    pub fn classifies(&self, id: ClassId) -> bool {
        self.mode == AmbiguousMode::Class || !self.is_ambiguous(id)
    }
}
