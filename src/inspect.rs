//! What an annotation set holds: FOVs, nuclei, shapes, classes at each level, hospitals,
//! folds and data-quality findings, as a plain result struct for the exporters.

use crate::model::{AnnotationSet, ClassLevel, Dataset, MultiRaterSet, ShapeKind};
use crate::quality::QualityCount;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// How many findings to list one by one in a report (all are counted).
pub const LISTED_FINDINGS: usize = 25;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ShapeCounts {
    pub polygon: usize,
    #[serde(rename = "box")]
    pub box_: usize,
    pub point: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassCount {
    pub class: String,
    /// All nuclei of the class, `correction_` rows included.
    pub nuclei: usize,
    /// Of those, rows written with the `correction_` prefix.
    pub correction_rows: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelCounts {
    pub level: ClassLevel,
    /// Every class of the level, in hierarchy order, zero counts included.
    pub classes: Vec<ClassCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HospitalCount {
    pub hospital: String,
    pub slides: usize,
    pub fovs: usize,
    pub nuclei: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FoldCount {
    pub fold: u32,
    pub train_slides: usize,
    pub test_slides: usize,
    /// FOVs of this set whose slide is in the fold's test set.
    pub test_fovs: usize,
    pub test_nuclei: usize,
    pub test_hospitals: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PerFov {
    pub min: usize,
    pub median: f64,
    pub max: usize,
}

/// The composition of one annotation set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InspectSummary {
    pub name: String,
    pub root: String,
    /// The format the set was read from.
    pub format: crate::ingest::format::Format,
    pub fovs: usize,
    pub empty_fovs: usize,
    pub nuclei: usize,
    /// Nuclei per FOV; `None` for a set with no FOVs.
    pub nuclei_per_fov: Option<PerFov>,
    pub slides: usize,
    pub shapes: ShapeCounts,
    pub scored_nuclei: usize,
    pub correction_rows: usize,
    pub levels: Vec<LevelCounts>,
    pub hospitals: Vec<HospitalCount>,
    /// FOVs with no hospital (names not in the NuCLS form, no `fov_locations.csv` row).
    pub fovs_without_hospital: usize,
    pub folds: Vec<FoldCount>,
    pub fovs_without_fold: usize,
    pub quality: Vec<QualityCount>,
    /// The first findings, as `file:row: what`.
    pub listed_findings: Vec<String>,
}

/// The composition of a multi-rater study: one summary per rater.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MultiRaterSummary {
    pub root: String,
    pub raters: Vec<RaterSummary>,
    /// FOVs annotated by at least one rater.
    pub fovs: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RaterSummary {
    pub rater: String,
    pub eval_set: Option<String>,
    pub summary: InspectSummary,
}

/// What `inspect` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum InspectReport {
    Single(Box<InspectSummary>),
    MultiRater(MultiRaterSummary),
}

impl InspectReport {
    pub fn of(dataset: &Dataset) -> InspectReport {
        match dataset {
            Dataset::Single(set) => InspectReport::Single(Box::new(InspectSummary::of_set(set))),
            Dataset::MultiRater(study) => InspectReport::MultiRater(MultiRaterSummary::of(study)),
        }
    }
}

impl MultiRaterSummary {
    pub fn of(study: &MultiRaterSet) -> MultiRaterSummary {
        let fovs: BTreeSet<&str> = study
            .raters
            .iter()
            .flat_map(|r| r.set.fovs.iter().map(|f| f.name.as_str()))
            .collect();
        MultiRaterSummary {
            root: study.root.display().to_string(),
            raters: study
                .raters
                .iter()
                .map(|r| RaterSummary {
                    rater: r.rater.clone(),
                    eval_set: r.eval_set.clone(),
                    summary: InspectSummary::of_set(&r.set),
                })
                .collect(),
            fovs: fovs.len(),
        }
    }
}

impl InspectSummary {
    pub fn of_set(set: &AnnotationSet) -> InspectSummary {
        let hierarchy = &set.hierarchy;
        let mut shapes = ShapeCounts::default();
        let mut level_counts: Vec<Vec<(usize, usize)>> = ClassLevel::ALL
            .iter()
            .map(|&l| vec![(0, 0); hierarchy.names(l).len()])
            .collect();
        let mut scored_nuclei = 0;
        let mut correction_rows = 0;
        let mut per_fov: Vec<usize> = Vec::with_capacity(set.fovs.len());
        let mut slides = BTreeSet::new();
        let mut hospitals: BTreeMap<&str, (BTreeSet<&str>, usize, usize)> = BTreeMap::new();
        let mut fovs_without_hospital = 0;
        let mut fovs_without_fold = 0;
        let mut fold_totals: BTreeMap<u32, (usize, usize, BTreeSet<&str>)> = BTreeMap::new();
        for fov in &set.fovs {
            per_fov.push(fov.nuclei.len());
            for nucleus in &fov.nuclei {
                match nucleus.shape.kind() {
                    ShapeKind::Polygon => shapes.polygon += 1,
                    ShapeKind::Box => shapes.box_ += 1,
                    ShapeKind::Point => shapes.point += 1,
                }
                scored_nuclei += usize::from(nucleus.score.is_some());
                correction_rows += usize::from(nucleus.class.correction);
                for (counts, &level) in level_counts.iter_mut().zip(&ClassLevel::ALL) {
                    let entry = &mut counts[hierarchy.index(nucleus.class.id, level)];
                    entry.0 += 1;
                    entry.1 += usize::from(nucleus.class.correction);
                }
            }
            if let Some(slide) = &fov.slide {
                slides.insert(slide.as_str());
            }
            match &fov.hospital {
                Some(hospital) => {
                    let entry = hospitals.entry(hospital).or_default();
                    if let Some(slide) = &fov.slide {
                        entry.0.insert(slide);
                    }
                    entry.1 += 1;
                    entry.2 += fov.nuclei.len();
                }
                None => fovs_without_hospital += 1,
            }
            match fov.test_fold {
                Some(fold) => {
                    let entry = fold_totals.entry(fold).or_default();
                    entry.0 += 1;
                    entry.1 += fov.nuclei.len();
                    if let Some(h) = &fov.hospital {
                        entry.2.insert(h);
                    }
                }
                None => fovs_without_fold += 1,
            }
        }
        let nuclei = per_fov.iter().sum();
        let empty_fovs = per_fov.iter().filter(|&&n| n == 0).count();
        per_fov.sort_unstable();
        let nuclei_per_fov = (!per_fov.is_empty()).then(|| PerFov {
            min: per_fov[0],
            median: median_of_sorted(&per_fov),
            max: per_fov[per_fov.len() - 1],
        });
        let levels = ClassLevel::ALL
            .iter()
            .zip(level_counts)
            .map(|(&level, counts)| LevelCounts {
                level,
                classes: hierarchy
                    .names(level)
                    .iter()
                    .zip(counts)
                    .map(|(class, (nuclei, correction_rows))| ClassCount {
                        class: class.clone(),
                        nuclei,
                        correction_rows,
                    })
                    .collect(),
            })
            .collect();
        let folds = set
            .folds
            .iter()
            .map(|(&fold, split)| {
                let (test_fovs, test_nuclei, test_hospitals) =
                    fold_totals.remove(&fold).unwrap_or_default();
                FoldCount {
                    fold,
                    train_slides: split.train.len(),
                    test_slides: split.test.len(),
                    test_fovs,
                    test_nuclei,
                    test_hospitals: test_hospitals.into_iter().map(String::from).collect(),
                }
            })
            .collect();
        let quality = QualityCount::all(&set.quality);
        let listed_findings = set
            .quality
            .findings
            .iter()
            .filter(|f| !f.kind.is_informational())
            .take(LISTED_FINDINGS)
            .map(|f| f.to_string())
            .collect();
        InspectSummary {
            format: set.format,
            name: set.name.clone(),
            root: set.root.display().to_string(),
            fovs: set.fovs.len(),
            empty_fovs,
            nuclei,
            nuclei_per_fov,
            slides: slides.len(),
            shapes,
            scored_nuclei,
            correction_rows,
            levels,
            hospitals: hospitals
                .into_iter()
                .map(|(hospital, (slides, fovs, nuclei))| HospitalCount {
                    hospital: hospital.to_string(),
                    slides: slides.len(),
                    fovs,
                    nuclei,
                })
                .collect(),
            fovs_without_hospital,
            folds,
            fovs_without_fold,
            quality,
            listed_findings,
        }
    }

    /// The count of one class at one level.
    pub fn class_count(&self, level: ClassLevel, class: &str) -> Option<usize> {
        self.levels
            .iter()
            .find(|l| l.level == level)?
            .classes
            .iter()
            .find(|c| c.class == class)
            .map(|c| c.nuclei)
    }
}

fn median_of_sorted(values: &[usize]) -> f64 {
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2] as f64
    } else {
        0.5 * (values[n / 2 - 1] + values[n / 2]) as f64
    }
}
