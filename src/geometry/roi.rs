//! Regions of interest: polygons that apply to every FOV or to one, and whether a point of a
//! FOV lies in them.

use geo::{Intersects, Point, Polygon};
use std::collections::HashMap;

/// The regions of interest, for every FOV and by FOV.
#[derive(Debug, Clone, Default)]
pub struct Rois {
    everywhere: Vec<Polygon<f64>>,
    by_fov: HashMap<String, Vec<Polygon<f64>>>,
}

impl Rois {
    /// Adds a region of FOV `fov`, or of every FOV.
    pub fn push(&mut self, fov: Option<&str>, polygon: Polygon<f64>) {
        match fov {
            Some(name) => self
                .by_fov
                .entry(name.to_string())
                .or_default()
                .push(polygon),
            None => self.everywhere.push(polygon),
        }
    }

    /// Whether `point` of FOV `fov` lies in one of its regions (the boundary included).
    pub fn holds(&self, fov: &str, point: [f64; 2]) -> bool {
        let point = Point::new(point[0], point[1]);
        self.everywhere
            .iter()
            .chain(self.by_fov.get(fov).into_iter().flatten())
            .any(|polygon| polygon.intersects(&point))
    }

    /// How many polygons there are.
    pub fn len(&self) -> usize {
        self.everywhere.len() + self.by_fov.values().map(Vec::len).sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
