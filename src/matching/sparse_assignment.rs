//! Maximum-weight bipartite matching over sparse weighted edges, by successive shortest
//! augmenting paths (Dijkstra with Johnson potentials): about k · E log V for k pairs and E
//! edges, where the dense Hungarian method costs the cube of the component's side. It serves
//! large but sparse components (chains of crowded nuclei under centroid matching), which the
//! dense method would square in memory.
//!
//! ```
//! use nucagree::matching::sparse_assignment::sparse_max_weight_edges;
//! // Greedy would take the 0.9 and leave 0.1; the optimum takes 0.8 + 0.8.
//! let edges = [(0, 0, 0.9), (0, 1, 0.8), (1, 0, 0.8), (1, 1, 0.1)];
//! assert_eq!(sparse_max_weight_edges(&edges), vec![1, 2]);
//! ```

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A node reached at a reduced distance, for the heap (smallest first).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Reached {
    distance: f64,
    node: usize,
}

impl Eq for Reached {}

impl Ord for Reached {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .distance
            .total_cmp(&self.distance)
            .then(other.node.cmp(&self.node))
    }
}

impl PartialOrd for Reached {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The maximum-weight one-to-one assignment over edges `(truth, pred, weight)` (weights > 0;
/// rows and columns numbered from 0, not necessarily densely): the positions of the chosen
/// edges, ascending. The total weight is the dense method's; among equal totals the choice
/// may differ.
pub fn sparse_max_weight_edges(edges: &[(u32, u32, f64)]) -> Vec<usize> {
    let mut rows: Vec<u32> = edges.iter().map(|e| e.0).collect();
    let mut cols: Vec<u32> = edges.iter().map(|e| e.1).collect();
    rows.sort_unstable();
    rows.dedup();
    cols.sort_unstable();
    cols.dedup();
    let (n, m) = (rows.len(), cols.len());
    // Nodes: rows 0..n, columns n..n+m, the source n+m and the sink n+m+1.
    let (source, sink) = (n + m, n + m + 1);
    let mut out_of_row: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
    // Each edge's row node.
    let mut row_of_edge = vec![0usize; edges.len()];
    for (position, &(t, p, _)) in edges.iter().enumerate() {
        let r = rows.binary_search(&t).expect("a row of the edges");
        let c = cols.binary_search(&p).expect("a column of the edges");
        out_of_row[r].push((n + c, position));
        row_of_edge[position] = r;
    }
    let weight = |position: usize| edges[position].2;
    // The edge matching each row and column (by position), if any.
    let mut row_edge: Vec<Option<usize>> = vec![None; n];
    let mut col_edge: Vec<Option<usize>> = vec![None; m];
    // Potentials: exact distances from the source before any pair (costs are -weight).
    let mut potential = vec![0.0; n + m + 2];
    for &(c, position) in out_of_row.iter().flatten() {
        potential[c] = f64::min(potential[c], -weight(position));
    }
    potential[sink] = (n..n + m).map(|c| potential[c]).fold(0.0, f64::min);
    let mut distance = vec![f64::INFINITY; n + m + 2];
    // How each node was reached: the node before it and the edge (by position) taken.
    let mut parent: Vec<(usize, Option<usize>)> = vec![(usize::MAX, None); n + m + 2];
    loop {
        distance.fill(f64::INFINITY);
        distance[source] = 0.0;
        let mut heap = BinaryHeap::new();
        heap.push(Reached {
            distance: 0.0,
            node: source,
        });
        while let Some(Reached { distance: d, node }) = heap.pop() {
            if d > distance[node] {
                continue;
            }
            let mut relax = |to: usize, cost: f64, edge: Option<usize>| {
                let reduced = (cost + potential[node] - potential[to]).max(0.0);
                if d + reduced < distance[to] {
                    distance[to] = d + reduced;
                    parent[to] = (node, edge);
                    heap.push(Reached {
                        distance: d + reduced,
                        node: to,
                    });
                }
            };
            if node == source {
                for r in (0..n).filter(|&r| row_edge[r].is_none()) {
                    relax(r, 0.0, None);
                }
            } else if node < n {
                for &(c, position) in &out_of_row[node] {
                    if row_edge[node] != Some(position) {
                        relax(c, -weight(position), Some(position));
                    }
                }
            } else if node < n + m {
                match col_edge[node - n] {
                    Some(position) => {
                        relax(row_of_edge[position], weight(position), Some(position))
                    }
                    None => relax(sink, 0.0, None),
                }
            }
        }
        if distance[sink].is_infinite() {
            break;
        }
        // The path's true cost is its weight lost less its weight gained: stop when no path
        // gains.
        let cost = distance[sink] + potential[sink] - potential[source];
        if cost >= 0.0 {
            break;
        }
        let reach = distance[sink];
        for (p, d) in potential.iter_mut().zip(&distance) {
            *p += d.min(reach);
        }
        // Flip the path: edges taken forward join the matching, backward ones leave it.
        let mut node = sink;
        while node != source {
            let (before, edge) = parent[node];
            if let Some(position) = edge {
                if before < n {
                    row_edge[before] = Some(position);
                    col_edge[node - n] = Some(position);
                }
            }
            node = before;
        }
    }
    let mut chosen: Vec<usize> = row_edge.into_iter().flatten().collect();
    chosen.sort_unstable();
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::assignment::max_weight_assignment;
    use proptest::prelude::*;

    fn total(edges: &[(u32, u32, f64)], chosen: &[usize]) -> f64 {
        chosen.iter().map(|&e| edges[e].2).sum()
    }

    proptest! {
        /// The same total as the dense method, one-to-one, on random sparse graphs.
        #[test]
        fn the_dense_optimum_on_sparse_graphs(
            raw in prop::collection::vec((0u32..12, 0u32..12, 1u32..50), 0..40),
        ) {
            let mut edges: Vec<(u32, u32, f64)> = Vec::new();
            for (t, p, w) in raw {
                if !edges.iter().any(|e| (e.0, e.1) == (t, p)) {
                    edges.push((t, p, f64::from(w) / 7.0));
                }
            }
            let chosen = sparse_max_weight_edges(&edges);
            let mut rows: Vec<u32> = chosen.iter().map(|&e| edges[e].0).collect();
            let mut cols: Vec<u32> = chosen.iter().map(|&e| edges[e].1).collect();
            rows.sort_unstable();
            cols.sort_unstable();
            let (n_rows, n_cols) = (rows.len(), cols.len());
            rows.dedup();
            cols.dedup();
            prop_assert_eq!((rows.len(), cols.len()), (n_rows, n_cols));
            let mut weights = vec![0.0; 12 * 12];
            for &(t, p, w) in &edges {
                weights[t as usize * 12 + p as usize] = w;
            }
            let dense: f64 = max_weight_assignment(&weights, 12, 12)
                .iter()
                .enumerate()
                .filter_map(|(r, c)| c.map(|c| weights[r * 12 + c]))
                .sum();
            prop_assert!((total(&edges, &chosen) - dense).abs() < 1e-9);
        }
    }

    #[test]
    fn a_long_chain_takes_every_other_link_or_the_heavier_set() {
        // Row i overlaps columns i and i + 1: the optimum takes all the diagonal (weight 1
        // each) over the off-diagonal (0.6 each).
        let mut edges = Vec::new();
        for i in 0..2_000u32 {
            edges.push((i, i, 1.0));
            edges.push((i, i + 1, 0.6));
        }
        let chosen = sparse_max_weight_edges(&edges);
        assert_eq!(chosen.len(), 2_000);
        assert_eq!(total(&edges, &chosen), 2_000.0);
    }
}
