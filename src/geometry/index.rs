//! A spatial index over nuclei's bounding boxes: an rstar R-tree, bulk-loaded per FOV.
//!
//! ```
//! use nucagree::geometry::index::BoxIndex;
//! use nucagree::model::BoundingBox;
//!
//! let boxes = [
//!     BoundingBox { xmin: 0.0, ymin: 0.0, xmax: 10.0, ymax: 10.0 },
//!     BoundingBox { xmin: 50.0, ymin: 50.0, xmax: 60.0, ymax: 60.0 },
//! ];
//! let index = BoxIndex::new(&boxes);
//! let query = BoundingBox { xmin: 5.0, ymin: 5.0, xmax: 20.0, ymax: 20.0 };
//! assert_eq!(index.overlapping(&query), vec![0]);
//! ```

use crate::model::BoundingBox;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

type Entry = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// Bounding boxes by their position in the list they were built from.
pub struct BoxIndex {
    tree: RTree<Entry>,
}

impl BoxIndex {
    pub fn new(boxes: &[BoundingBox]) -> BoxIndex {
        let entries = boxes
            .iter()
            .enumerate()
            .map(|(i, b)| {
                GeomWithData::new(
                    Rectangle::from_corners([b.xmin, b.ymin], [b.xmax, b.ymax]),
                    i as u32,
                )
            })
            .collect();
        BoxIndex {
            tree: RTree::bulk_load(entries),
        }
    }

    /// Positions of the boxes that overlap or touch `query`, in increasing order.
    pub fn overlapping(&self, query: &BoundingBox) -> Vec<u32> {
        let envelope = AABB::from_corners([query.xmin, query.ymin], [query.xmax, query.ymax]);
        let mut found: Vec<u32> = self
            .tree
            .locate_in_envelope_intersecting(&envelope)
            .map(|e| e.data)
            .collect();
        found.sort_unstable();
        found
    }
}
