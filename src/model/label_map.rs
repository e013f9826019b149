//! Instance label maps: each pixel names the nucleus it belongs to.
//!
//! A FOV read from a label map keeps it beside its outlines, so the instance metrics count
//! pixels exactly as the peers do (every piece of an instance, holes left out), while the
//! outlines serve everything else.
//!
//! ```
//! use nucagree::model::LabelMap;
//! let map = LabelMap::new(2, 2, vec![1, 1, 0, 2]).unwrap();
//! assert_eq!(map.labels_present(), vec![1, 2]);
//! assert!(LabelMap::new(2, 2, vec![1]).is_none());
//! ```

/// A label map: `width` × `height` labels row by row, 0 for background; a label is the
/// `row` of a nucleus of the FOV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelMap {
    pub width: u32,
    pub height: u32,
    pub labels: Vec<u32>,
}

impl LabelMap {
    /// A label map; `None` when the labels do not fill `width` × `height`.
    pub fn new(width: u32, height: u32, labels: Vec<u32>) -> Option<LabelMap> {
        (labels.len() as u64 == u64::from(width) * u64::from(height)).then_some(LabelMap {
            width,
            height,
            labels,
        })
    }

    /// The labels other than 0 that occur, ascending.
    pub fn labels_present(&self) -> Vec<u32> {
        let mut seen: Vec<u32> = self.labels.iter().copied().filter(|&l| l != 0).collect();
        seen.sort_unstable();
        seen.dedup();
        seen
    }
}
