//! The confusion matrix of a matching over a class list, with an extra row and column for
//! "unmatched": row k counts nuclei of the reference (B) that A missed, column k nuclei of A
//! that B does not have.
//!
//! ```
//! use nucagree::stats::confusion::ConfusionMatrix;
//!
//! let m = ConfusionMatrix::of_matching(&[(0, 0), (1, 0)], &[1], &[0, 0], 2);
//! assert_eq!(m.counts, vec![vec![1, 0, 0], vec![1, 0, 1], vec![2, 0, 0]]);
//! assert_eq!(m.matched_table(), vec![vec![1.0, 0.0], vec![1.0, 0.0]]);
//! let same = ConfusionMatrix::of_counts(&[vec![1, 0], vec![1, 0]], &[0, 1], &[2, 0]);
//! assert_eq!(same, m);
//! ```

use serde::Serialize;

/// Rows: A's class (the last row: unmatched in A); columns: B's class (the last column:
/// unmatched in B).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfusionMatrix {
    pub classes: usize,
    pub counts: Vec<Vec<u64>>,
}

impl ConfusionMatrix {
    /// From matched pairs (A's class, B's class) and the classes of unmatched nuclei.
    pub fn of_matching(
        pairs: &[(usize, usize)],
        unmatched_a: &[usize],
        unmatched_b: &[usize],
        classes: usize,
    ) -> ConfusionMatrix {
        let mut counts = vec![vec![0u64; classes + 1]; classes + 1];
        for &(a, b) in pairs {
            counts[a][b] += 1;
        }
        for &a in unmatched_a {
            counts[a][classes] += 1;
        }
        for &b in unmatched_b {
            counts[classes][b] += 1;
        }
        ConfusionMatrix { classes, counts }
    }

    /// From the k x k counts of matched pairs (A's class by row) and each class's unmatched
    /// nuclei of A and of B.
    pub fn of_counts(
        pairs: &[Vec<u64>],
        unmatched_a: &[u64],
        unmatched_b: &[u64],
    ) -> ConfusionMatrix {
        let classes = pairs.len();
        let mut counts = vec![vec![0u64; classes + 1]; classes + 1];
        for (c, row) in pairs.iter().enumerate() {
            counts[c][..classes].copy_from_slice(&row[..classes]);
            counts[c][classes] = unmatched_a.get(c).copied().unwrap_or(0);
            counts[classes][c] = unmatched_b.get(c).copied().unwrap_or(0);
        }
        ConfusionMatrix { classes, counts }
    }

    /// The k x k table of matched pairs, for kappa and the other classification statistics.
    pub fn matched_table(&self) -> Vec<Vec<f64>> {
        self.counts[..self.classes]
            .iter()
            .map(|row| row[..self.classes].iter().map(|&c| c as f64).collect())
            .collect()
    }

    /// Rows normalised to shares; a row with no nuclei stays `None`.
    pub fn row_normalised(&self) -> Vec<Vec<Option<f64>>> {
        self.counts
            .iter()
            .map(|row| {
                let total: u64 = row.iter().sum();
                row.iter()
                    .map(|&c| (total > 0).then(|| c as f64 / total as f64))
                    .collect()
            })
            .collect()
    }

    pub fn add(&mut self, other: &ConfusionMatrix) {
        for (row, other_row) in self.counts.iter_mut().zip(&other.counts) {
            for (c, o) in row.iter_mut().zip(other_row) {
                *c += o;
            }
        }
    }
}
