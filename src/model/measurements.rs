//! Measurements that came with the nuclei (QuPath's `measurements`: area, circularity, stain
//! intensities, …), kept when asked (`--keep-measurements`) so that tables of matches can
//! hold them: whether disagreement follows size or staining. Kept per FOV, by each nucleus's
//! row, in the order the names were first met; a nucleus without a measurement has none
//! (`None`, never NaN).
//!
//! ```
//! use nucagree::model::Measurements;
//!
//! let mut measurements = Measurements::default();
//! measurements.insert(2, vec![("Area".into(), Some(31.5))]);
//! measurements.insert(3, vec![("Circularity".into(), Some(0.9)), ("Area".into(), None)]);
//! assert_eq!(measurements.names(), ["Area", "Circularity"]);
//! assert_eq!(measurements.value(2, "Area"), Some(31.5));
//! assert_eq!(measurements.value(2, "Circularity"), None);
//! assert_eq!(measurements.value(3, "Circularity"), Some(0.9));
//! ```

use std::collections::HashMap;

/// Named numbers per nucleus row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Measurements {
    names: Vec<String>,
    index: HashMap<String, usize>,
    by_row: HashMap<u32, Vec<Option<f64>>>,
}

impl Measurements {
    /// Sets the measurements of the nucleus at `row` (a later name is added to the names).
    pub fn insert(&mut self, row: u32, values: Vec<(String, Option<f64>)>) {
        let mut kept: Vec<Option<f64>> = Vec::new();
        for (name, value) in values {
            let next = self.names.len();
            let at = *self.index.entry(name.clone()).or_insert(next);
            if at == next {
                self.names.push(name);
            }
            if kept.len() <= at {
                kept.resize(at + 1, None);
            }
            kept[at] = value;
        }
        self.by_row.insert(row, kept);
    }

    /// The names, in the order first met.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The measurement `name` of the nucleus at `row`.
    pub fn value(&self, row: u32, name: &str) -> Option<f64> {
        let at = *self.index.get(name)?;
        self.by_row.get(&row)?.get(at).copied().flatten()
    }

    /// The nucleus at `row`'s measurements as `(name, value)`, those it has.
    pub fn of_row(&self, row: u32) -> Vec<(&str, f64)> {
        self.by_row.get(&row).map_or_else(Vec::new, |values| {
            values
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.map(|v| (self.names[i].as_str(), v)))
                .collect()
        })
    }

    pub fn is_empty(&self) -> bool {
        self.by_row.is_empty()
    }
}

/// Whether readers keep the measurements that come with the nuclei.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MeasurementsMode {
    /// Left out (they cost memory on whole slides, and no statistic uses them).
    #[default]
    Drop,
    Keep,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_hold_their_own_values_and_none_where_missing() {
        let mut measurements = Measurements::default();
        assert!(measurements.is_empty());
        measurements.insert(2, vec![("Area".into(), Some(1.0)), ("Mean".into(), None)]);
        measurements.insert(5, vec![("Mean".into(), Some(2.0))]);
        assert_eq!(measurements.of_row(2), vec![("Area", 1.0)]);
        assert_eq!(measurements.of_row(5), vec![("Mean", 2.0)]);
        assert_eq!(measurements.of_row(9), vec![]);
        assert_eq!(measurements.value(5, "Area"), None);
        assert_eq!(measurements.value(2, "Perimeter"), None);
        assert!(!measurements.is_empty());
    }
}
