//! Comparing two annotation sets, or scoring a model against the truth, end to end.
//!
//! Split in pure steps, as pycocotools is: [`evaluate_fov`] turns one FOV's matching into a
//! compact [`FovOutcome`] (classes of matched pairs and of unmatched nuclei, IoUs, scores, and
//! the FOV's AP evaluations when predictions have scores); [`summary::summarize`] adds
//! outcomes up into the plain result struct [`summary::Comparison`] (detection,
//! classification, per class, segmentation, AP, groups, folds, bootstrap intervals), which the
//! report layer writes out.
//!
//! Set A is the one compared (a rater, or the predictions); set B is the reference (the
//! corrected set, or the truth). Detection counts are class-agnostic: `tp` matched pairs,
//! `fp` unmatched nuclei of A, `fn` unmatched nuclei of B.
//!
//! ```
//! use nucagree::comparison::{evaluate_fov, AmbiguousMode, ClassRoles, summary};
//! use nucagree::matching::{match_fov, MatchOptions};
//! use nucagree::model::{BoundingBox, ClassHierarchy, Fov, Nucleus, Shape};
//! use std::sync::Arc;
//!
//! let hierarchy = Arc::new(ClassHierarchy::nucls());
//! let nucleus = |row, x: f64, class: &str| {
//!     let shape = Shape::Box(BoundingBox { xmin: x, ymin: 0.0, xmax: x + 10.0, ymax: 10.0 });
//!     Nucleus::new(row, shape, hierarchy.resolve(class).unwrap(), None)
//! };
//! let fov = |nuclei| Fov { name: "f".into(), source: "f.csv".into(), slide: None, hospital: None,
//!     region: None, image_size: None, test_fold: None,
//!     group: None, label_map: None, measurements: None, nuclei };
//! let a = fov(vec![nucleus(2, 0.0, "tumor"), nucleus(3, 50.0, "lymphocyte")]);
//! let b = fov(vec![nucleus(2, 1.0, "tumor"), nucleus(3, 100.0, "fibroblast")]);
//! let options = MatchOptions::default();
//! let roles = ClassRoles::new(hierarchy.clone(), AmbiguousMode::DetectOnly);
//! let outcome = evaluate_fov(&a, &b, &match_fov(&a, &b, &options), &roles, &options, false);
//! let result = summary::summarize(&[outcome], &roles, &summary::SummaryOptions::default());
//! let detection = &result.levels.super_.detection;
//! assert_eq!((detection.tp, detection.fp, detection.fn_), (1, 1, 1));
//! assert_eq!(detection.f1, Some(0.5));
//! ```

pub mod figure;
pub mod fov_ap;
pub mod groups;
pub mod iou_profile;
pub mod outcome;
pub mod partial;
pub mod region_strata;
pub mod roles;
pub mod run;
pub mod scoring;
pub mod summary;
pub mod tally;

pub use outcome::{
    evaluate_fov, Classified, DetectionTally, FovOutcome, PairOutcome, PairShapes, UnmatchedOutcome,
};
pub use roles::{AmbiguousMode, ClassRoles};
