//! The instance metrics of the field's evaluation scripts, each computed exactly as its home
//! repository computes it: HoVer-Net (PQ, AJI, AJI+, Dice1, Dice2, F_d and per-type F_c),
//! CoNIC (PQ, mPQ+, multi-class R²), PanNuke (mPQ, bPQ by tissue) and StarDist (its
//! matching table at several IoU thresholds).
//!
//! Every figure is a pure function of [`InstanceImage`]s: per image, the truth's and the
//! prediction's instances (area, class, centroid) and the areas where a truth instance and a
//! prediction overlap. On label maps those are pixel counts, so the figures are the peers'
//! to the last bit; on outlines they are the exact areas of continuous geometry
//! ([`overlaps`]).
//!
//! ```
//! use nucagree::conventions::{Instance, InstanceImage, Overlap};
//! use nucagree::geometry::coverage::Coverage;
//! use nucagree::conventions::pairing::unique_pairs;
//!
//! // One truth nucleus of 100 px, predicted with 80 px of which 70 overlap it.
//! let image = InstanceImage {
//!     name: "img".into(),
//!     group: None,
//!     truth: vec![Instance { area: 100.0, class: 0, centroid: [5.0, 5.0] }],
//!     pred: vec![Instance { area: 80.0, class: 0, centroid: [5.0, 6.0] }],
//!     overlaps: vec![Overlap { truth: 0, pred: 0, area: 70.0 }],
//!     foreground: Coverage { truth: 100.0, pred: 80.0, both: 70.0 },
//! };
//! let counts = unique_pairs(&image, None);
//! assert_eq!((counts.tp, counts.fp, counts.fn_), (1, 0, 0));
//! assert_eq!(counts.iou_sum, 70.0 / 110.0);
//! ```

pub mod conic;
pub mod hovernet;
pub mod images;
pub mod overlaps;
pub mod pairing;
pub mod pannuke;
pub mod run;
pub mod stardist;

pub use crate::geometry::coverage::Coverage;
pub use run::{
    conventions_report, evaluate_conventions, summarize_levels, Convention, Conventions,
    ConventionsOptions, ConventionsReport, ConventionsSummary, LevelConventions,
};

/// One instance: its area (pixels on a label map), its class (an index into the
/// convention's class list) and its centroid in HoVer-Net's convention (the mean of the
/// pixel centres, a pixel `(row r, col c)` at `(c, r)`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Instance {
    pub area: f64,
    pub class: usize,
    pub centroid: [f64; 2],
}

/// Where a truth instance and a prediction overlap, by their positions in the image's lists.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Overlap {
    pub truth: u32,
    pub pred: u32,
    /// The area of the intersection, > 0.
    pub area: f64,
}

/// One image (FOV) as the instance metrics see it.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceImage {
    pub name: String,
    /// The image's group (PanNuke's tissue), if it has one.
    pub group: Option<String>,
    /// Truth instances in order of their ids.
    pub truth: Vec<Instance>,
    /// Predicted instances in order of their ids.
    pub pred: Vec<Instance>,
    /// Every overlapping pair, sorted by truth then prediction, each once.
    pub overlaps: Vec<Overlap>,
    /// The areas the truth and the prediction cover, and cover together (binary masks).
    pub foreground: Coverage,
}

impl InstanceImage {
    /// Whether the image is too crowded for the peers' exact assignments in seconds (see
    /// [`images::Measured::approximated`]): more centroid pairs than
    /// [`pairing::NEAREST_DENSE_LIMIT`], or a group of overlapping instances past the
    /// matching's component limit (hundreds drawn over each other).
    pub fn crowded(&self) -> bool {
        let centroid_pairs = self.truth.len().saturating_mul(self.pred.len());
        if centroid_pairs > pairing::NEAREST_DENSE_LIMIT {
            return true;
        }
        let edges: Vec<(u32, u32)> = self.overlaps.iter().map(|o| (o.truth, o.pred)).collect();
        crate::matching::assignment::components_beyond_limit(&edges) > 0
    }

    /// How many truth instances and predictions there are (of `class`, or all).
    pub fn counts(&self, class: Option<usize>) -> (u64, u64) {
        (count_of(&self.truth, class), count_of(&self.pred, class))
    }

    /// The overlaps between instances of `class` on both sides (or all of them).
    pub fn overlaps_of(&self, class: Option<usize>) -> impl Iterator<Item = &Overlap> + '_ {
        self.overlaps.iter().filter(move |o| match class {
            None => true,
            Some(c) => {
                self.truth[o.truth as usize].class == c && self.pred[o.pred as usize].class == c
            }
        })
    }

    /// The IoU of an overlap.
    pub fn iou(&self, overlap: &Overlap) -> f64 {
        let union = self.truth[overlap.truth as usize].area + self.pred[overlap.pred as usize].area
            - overlap.area;
        overlap.area / union
    }
}

fn count_of(instances: &[Instance], class: Option<usize>) -> u64 {
    match class {
        None => instances.len() as u64,
        Some(c) => instances.iter().filter(|i| i.class == c).count() as u64,
    }
}

/// The mean of the defined values; `None` when there are none.
pub(crate) fn mean_of_defined(values: impl IntoIterator<Item = Option<f64>>) -> Option<f64> {
    let (sum, count) = values
        .into_iter()
        .flatten()
        .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (count > 0).then(|| sum / count as f64)
}

/// Values by name, in a meaningful order (classes in the scheme's order, images in the
/// set's), written to JSON as an object with its keys in that order.
#[derive(Debug, Clone, PartialEq)]
pub struct Keyed<T>(pub Vec<(String, T)>);

impl<T> Keyed<T> {
    /// The value of that name.
    pub fn get(&self, name: &str) -> Option<&T> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }
}

impl<T> Default for Keyed<T> {
    fn default() -> Self {
        Keyed(Vec::new())
    }
}

impl<T: serde::Serialize> serde::Serialize for Keyed<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}
