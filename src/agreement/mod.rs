//! The agreement analysis of a multi-rater study: anchors, labels, and agreement statistics.
//!
//! Steps, each a pure function: [`Study::new`] picks the raters of one evaluation set and
//! lines their FOVs up; [`anchors::cluster_fov`] clusters each FOV's nuclei into anchors;
//! [`label_fov`] gives each anchor and rater a [`Label`] (a class, `undetected`, or missing
//! when the rater did not annotate the FOV); [`tally`] and [`summary`] turn labels into Fleiss'
//! kappa, Krippendorff's alpha, Gwet's AC1 and pairwise Cohen's kappa at each class level, by
//! rater group, with bootstrap intervals over FOVs. [`truth_method`] infers each anchor's truth
//! (majority vote, Dawid-Skene, and crowd-kit's one-coin, GLAD and MACE); [`model_rater`]
//! scores a model as one more rater; [`boundary`] measures how closely the raters' outlines of
//! each anchor agree (the consensus region, each rater's IoU with it, pairwise Hausdorff
//! distances), summarised by [`boundary_summary`].

pub mod anchor_scores;
pub mod anchors;
pub mod boundary;
pub mod boundary_summary;
pub mod coefficient;
pub mod counts;
pub mod glad;
pub mod group_difference;
pub mod inference;
pub mod intrarater;
pub mod labelling;
pub mod mace;
pub mod method_comparison;
pub mod model_rater;
pub mod one_coin;
pub mod options;
pub mod pairwise;
pub mod partial;
pub mod raters;
pub mod raters_needed;
pub mod run;
pub mod simulated;
pub mod study;
pub mod summary;
pub mod tally;
pub mod truth;
pub mod truth_fit;
pub mod truth_method;
pub mod truth_set;

pub use labelling::{label_fov, label_fov_at, label_study, label_study_at};
pub use study::{group_of_rater, main_eval_set, AnchorLabels, FovAnchors, Label, Study};
pub use truth_set::{truth_fovs, TruthFov};
