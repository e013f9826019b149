//! Instance label maps: each pixel names the nucleus it belongs to.
//!
//! A FOV read from a label map keeps it beside its outlines, so the instance metrics count
//! pixels exactly as the peers do (every piece of an instance, holes left out), while the
//! outlines serve everything else. The map is held as runs of one label along a row: a
//! 256 × 256 tile of a hundred nuclei is a few thousand runs (tens of kilobytes, against
//! 256 KB of pixels), and counting overlaps walks runs, not pixels.
//!
//! ```
//! use nucagree::model::LabelMap;
//! let map = LabelMap::from_labels(3, 2, &[1, 1, 0, 2, 2, 2]).unwrap();
//! assert_eq!(map.labels_present(), vec![1, 2]);
//! assert_eq!(map.runs().len(), 2);
//! assert_eq!(map.to_labels(), vec![1, 1, 0, 2, 2, 2]);
//! assert!(LabelMap::from_labels(2, 2, &[1]).is_none());
//! ```

/// `len` pixels of one label (not 0) from column `x` of row `y`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LabelRun {
    pub y: u32,
    pub x: u32,
    pub len: u32,
    pub label: u32,
}

/// A label map of `width` × `height` pixels: its runs in row-major order (background, 0, is
/// not held); a label is the `row` of a nucleus of the FOV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelMap {
    pub width: u32,
    pub height: u32,
    runs: Vec<LabelRun>,
}

impl LabelMap {
    /// The label map of `width` × `height` labels row by row; `None` when the labels do not
    /// fill `width` × `height`.
    pub fn from_labels(width: u32, height: u32, labels: &[u32]) -> Option<LabelMap> {
        if labels.len() as u64 != u64::from(width) * u64::from(height) {
            return None;
        }
        let rows = || labels.chunks_exact(width.max(1) as usize);
        // Counted first, so that the runs are allocated once, at their size.
        let count: usize = rows()
            .map(|row| {
                let starts = row.windows(2).filter(|w| w[1] != w[0] && w[1] != 0).count();
                starts + usize::from(row.first().is_some_and(|&l| l != 0))
            })
            .sum();
        let mut runs = Vec::with_capacity(count);
        if width > 0 {
            for (y, row) in rows().enumerate() {
                let mut x = 0;
                while x < row.len() {
                    let label = row[x];
                    let start = x;
                    while x < row.len() && row[x] == label {
                        x += 1;
                    }
                    if label != 0 {
                        runs.push(LabelRun {
                            y: y as u32,
                            x: start as u32,
                            len: (x - start) as u32,
                            label,
                        });
                    }
                }
            }
        }
        Some(LabelMap {
            width,
            height,
            runs,
        })
    }

    /// The runs, row by row and left to right within a row.
    pub fn runs(&self) -> &[LabelRun] {
        &self.runs
    }

    /// Every pixel's label, row by row.
    pub fn to_labels(&self) -> Vec<u32> {
        let mut labels = vec![0u32; self.width as usize * self.height as usize];
        for run in &self.runs {
            let at = run.y as usize * self.width as usize + run.x as usize;
            labels[at..at + run.len as usize].fill(run.label);
        }
        labels
    }

    /// How many pixels carry a label other than 0.
    pub fn foreground_pixels(&self) -> u64 {
        self.runs.iter().map(|r| u64::from(r.len)).sum()
    }

    /// The labels other than 0 that occur, ascending.
    pub fn labels_present(&self) -> Vec<u32> {
        let mut seen: Vec<u32> = self.runs.iter().map(|r| r.label).collect();
        seen.sort_unstable();
        seen.dedup();
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_end_at_each_row_and_at_each_change_of_label() {
        // 3 x 3: label 1 wraps from the end of row 0 to the start of row 1.
        let labels = [0, 1, 1, 1, 2, 2, 0, 0, 3];
        let map = LabelMap::from_labels(3, 3, &labels).unwrap();
        let runs: Vec<(u32, u32, u32, u32)> = map
            .runs()
            .iter()
            .map(|r| (r.y, r.x, r.len, r.label))
            .collect();
        assert_eq!(
            runs,
            vec![(0, 1, 2, 1), (1, 0, 1, 1), (1, 1, 2, 2), (2, 2, 1, 3)]
        );
        assert_eq!(map.to_labels(), labels.to_vec());
        assert_eq!(map.foreground_pixels(), 6);
    }

    #[test]
    fn an_empty_map_has_no_runs() {
        let map = LabelMap::from_labels(0, 5, &[]).unwrap();
        assert!(map.runs().is_empty());
        assert!(map.to_labels().is_empty());
    }
}
