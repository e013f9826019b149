//! Agreement on counts: how many nuclei (of each class, and in all) each rater finds in each
//! FOV, rater against rater, as the intraclass correlation ICC(2,1) and ICC(2,k) (absolute
//! agreement, two-way random: [`crate::stats::icc`]). A rater's count in a FOV is the anchors
//! they labelled there (every nucleus kept after the FOV crop is in exactly one anchor), so
//! the counts come from the labels alone.
//!
//! ```
//! use nucagree::agreement::counts::{count_table, level_counts};
//! use nucagree::agreement::{FovAnchors, Label};
//! use nucagree::model::{ClassHierarchy, ClassLevel};
//!
//! let h = ClassHierarchy::nucls();
//! let tumor = Label::Class(h.resolve("tumor").unwrap().id);
//! let mut fov = FovAnchors {
//!     fov: "f".into(), annotated: vec![true, true], anchors: Vec::new(), cropped: 0,
//! };
//! for labels in [vec![tumor, tumor], vec![tumor, Label::Undetected]] {
//!     fov.anchors.push(nucagree::agreement::AnchorLabels {
//!         bbox: nucagree::model::BoundingBox { xmin: 0.0, ymin: 0.0, xmax: 1.0, ymax: 1.0 },
//!         medoid_rater: 0, medoid_nucleus: 0, labels, nuclei: Vec::new(),
//!     });
//! }
//! // All nuclei (the last column): rater 0 counts 2, rater 1 counts 1.
//! let fovs = [fov];
//! let counts = level_counts(&fovs, 2, &h, ClassLevel::Raw);
//! let all = h.names(ClassLevel::Raw).len();
//! let (fovs, table) = count_table(&fovs, &counts, &[0, 1], all);
//! assert_eq!((fovs, table), (1, vec![vec![2.0, 1.0]]));
//! ```

use super::study::{FovAnchors, Label};
use crate::model::{ClassHierarchy, ClassLevel};
use crate::stats::icc::absolute_agreement;
use serde::Serialize;

/// The agreement of the raters' counts of one class (or of all nuclei) over the FOVs every one
/// of them annotated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountAgreement {
    /// The class, or `all nuclei`.
    pub class: String,
    pub fovs: usize,
    pub raters: usize,
    /// Mean nuclei per FOV and rater.
    pub mean_count: Option<f64>,
    /// ICC(2,1): one rater's counts against another's.
    pub icc_single: Option<f64>,
    /// ICC(2,k): the mean of the raters' counts.
    pub icc_average: Option<f64>,
}

/// Each FOV's counts by rater (all of the study's raters) and by class of `level`, the last
/// column all nuclei: one pass over the labels.
pub fn level_counts(
    labelled: &[FovAnchors],
    raters: usize,
    hierarchy: &ClassHierarchy,
    level: ClassLevel,
) -> Vec<Vec<Vec<u32>>> {
    let classes = hierarchy.names(level).len();
    let to_level: Vec<usize> = (0..hierarchy.len())
        .map(|raw| hierarchy.index(crate::model::ClassId(raw as u16), level))
        .collect();
    labelled
        .iter()
        .map(|f| {
            let mut counts = vec![vec![0u32; classes + 1]; raters];
            for anchor in &f.anchors {
                for (r, label) in anchor.labels.iter().enumerate() {
                    if let Label::Class(id) = label {
                        counts[r][to_level[id.0 as usize]] += 1;
                        counts[r][classes] += 1;
                    }
                }
            }
            counts
        })
        .collect()
}

/// The count agreement of `raters` at `level`: all nuclei, then each class of the level
/// (`counts` from [`level_counts`] of the same labelling).
pub fn count_agreement(
    labelled: &[FovAnchors],
    counts: &[Vec<Vec<u32>>],
    raters: &[usize],
    hierarchy: &ClassHierarchy,
    level: ClassLevel,
) -> Vec<CountAgreement> {
    let classes = hierarchy.names(level);
    std::iter::once((classes.len(), "all nuclei".to_string()))
        .chain(classes.iter().cloned().enumerate())
        .map(|(column, name)| {
            let (fovs, table) = count_table(labelled, counts, raters, column);
            let icc = absolute_agreement(&table);
            let cells = (fovs * raters.len()) as f64;
            CountAgreement {
                class: name,
                fovs,
                raters: raters.len(),
                mean_count: (cells > 0.0).then(|| table.iter().flatten().sum::<f64>() / cells),
                icc_single: icc.map(|i| i.single),
                icc_average: icc.map(|i| i.average),
            }
        })
        .collect()
}

/// The FOVs every rater of `raters` annotated, and their counts (FOVs x raters) in `column`
/// of [`level_counts`] (a class of the level, or the last: every nucleus).
pub fn count_table(
    labelled: &[FovAnchors],
    counts: &[Vec<Vec<u32>>],
    raters: &[usize],
    column: usize,
) -> (usize, Vec<Vec<f64>>) {
    let table: Vec<Vec<f64>> = labelled
        .iter()
        .zip(counts)
        .filter(|(f, _)| raters.iter().all(|&r| f.annotated[r]))
        .map(|(_, by_rater)| {
            raters
                .iter()
                .map(|&r| f64::from(by_rater[r][column]))
                .collect()
        })
        .collect();
    (table.len(), table)
}

#[cfg(test)]
mod tests {
    use super::*;
    fn fov(rows: &[Vec<Label>], annotated: Vec<bool>) -> FovAnchors {
        FovAnchors {
            annotated,
            ..FovAnchors::of_labels(rows)
        }
    }

    #[test]
    fn counts_follow_the_labels_and_skip_fovs_a_rater_missed() {
        let h = ClassHierarchy::nucls();
        let t = Label::Class(h.resolve("tumor").unwrap().id);
        let l = Label::Class(h.resolve("lymphocyte").unwrap().id);
        let (u, m) = (Label::Undetected, Label::Missing);
        let fovs = vec![
            fov(&[vec![t, t], vec![l, u], vec![u, l]], vec![true, true]),
            fov(&[vec![t, t], vec![t, t], vec![l, l]], vec![true, true]),
            // The second rater did not annotate this FOV: left out.
            fov(&[vec![t, m]], vec![true, false]),
        ];
        let raw = ClassLevel::Raw;
        let tumor = h.index(h.resolve("tumor").unwrap().id, raw);
        let counts = level_counts(&fovs, 2, &h, raw);
        let all = h.names(raw).len();
        assert_eq!(
            count_table(&fovs, &counts, &[0, 1], all),
            (2, vec![vec![2.0, 2.0], vec![3.0, 3.0]])
        );
        assert_eq!(
            count_table(&fovs, &counts, &[0, 1], tumor),
            (2, vec![vec![1.0, 1.0], vec![2.0, 2.0]])
        );
        // Identical counts: perfect agreement.
        let rows = count_agreement(&fovs, &counts, &[0, 1], &h, raw);
        assert_eq!(rows[0].class, "all nuclei");
        assert_eq!(rows[0].icc_single, Some(1.0));
        assert_eq!(rows[0].mean_count, Some(2.5));
        // A class nobody counted has no variance: undefined.
        let eosinophil = rows.iter().find(|r| r.class == "eosinophil").unwrap();
        assert_eq!(eosinophil.icc_single, None);
        assert_eq!(eosinophil.mean_count, Some(0.0));
    }
}
