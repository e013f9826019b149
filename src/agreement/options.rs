//! How the agreement analysis runs.

use super::boundary::TruthOutline;
use super::truth_method::{TruthMethod, TruthModelOptions};
use crate::geometry::IouOptions;
use crate::matching::FovCrop;
use crate::stats::bootstrap::BootstrapOptions;
use serde::{Deserialize, Serialize};

/// How the agreement analysis runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgreeOptions {
    /// The clustering's cut: the minimum complete-linkage IoU.
    pub min_iou: f64,
    pub iou_options: IouOptions,
    pub bootstrap: Option<BootstrapOptions>,
    /// Minimum IoUs at which alpha is also reported (by default 0.1 to 0.9 in steps of 0.05).
    pub min_iou_sweep: Vec<f64>,
    /// Where the rater groups come from (a file), or `None` for the id prefixes.
    pub groups_file: Option<String>,
    /// Whether nuclei centred outside the FOV region are left out before clustering.
    pub crop: FovCrop,
    pub truth: TruthOptions,
}

impl Default for AgreeOptions {
    fn default() -> AgreeOptions {
        AgreeOptions {
            min_iou: 0.25,
            iou_options: IouOptions::default(),
            bootstrap: None,
            min_iou_sweep: (2..=18).map(|i| f64::from(i) / 20.0).collect(),
            groups_file: None,
            crop: FovCrop::ReferenceRegion,
            truth: TruthOptions::default(),
        }
    }
}

/// How the raters-needed curve infers each draw's truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CurveMethod {
    /// The truth's method up to 20,000 anchors, majority vote above (where hundreds of EM
    /// fits would take minutes).
    #[default]
    Auto,
    MajorityVote,
    DawidSkene,
}

/// The largest study whose raters-needed curve `Auto` draws with Dawid-Skene.
pub const CURVE_DAWID_SKENE_LIMIT: usize = 20_000;

/// How the truth is inferred and the raters-needed curve drawn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TruthOptions {
    /// Infer the truth from these groups' raters only (all raters when empty).
    pub truth_from: Vec<String>,
    /// Draws per number of raters for the raters-needed curve (0: no curve).
    pub draws: usize,
    pub curve_method: CurveMethod,
    pub seed: u64,
    /// The model of rater error the truth is inferred with.
    pub method: TruthMethod,
    pub models: TruthModelOptions,
    /// The outline the exported truth draws each anchor with.
    pub outline: TruthOutline,
}

impl Default for TruthOptions {
    fn default() -> TruthOptions {
        TruthOptions {
            truth_from: Vec::new(),
            draws: 20,
            curve_method: CurveMethod::Auto,
            seed: 2022,
            method: TruthMethod::DawidSkene,
            models: TruthModelOptions::default(),
            outline: TruthOutline::Medoid,
        }
    }
}
