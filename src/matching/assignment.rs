//! Maximum-weight one-to-one assignment (the Hungarian method, in the shortest augmenting
//! path form of Kuhn-Munkres / Jonker-Volgenant), on small dense matrices; and on sparse
//! weighted edges, solved on each connected component of their graph ([`max_weight_edges`]),
//! as matching two sets and the field's instance metrics use it.
//!
//! ```
//! use nucagree::matching::assignment::max_weight_assignment;
//!
//! // Greedy would take the 0.9 and leave 0.1; the optimum takes 0.8 + 0.8.
//! let weights = [0.9, 0.8,
//!                0.8, 0.1];
//! assert_eq!(max_weight_assignment(&weights, 2, 2), vec![Some(1), Some(0)]);
//! ```

/// For each row of the `rows` x `cols` matrix `weights` (row-major, weights >= 0), the column
/// assigned to it so that the total weight is the largest, or `None` (when there are more rows
/// than columns). Ties go to the lowest column index, so the result is deterministic.
pub fn max_weight_assignment(weights: &[f64], rows: usize, cols: usize) -> Vec<Option<usize>> {
    assert_eq!(weights.len(), rows * cols, "a rows x cols matrix");
    if rows == 0 || cols == 0 {
        return vec![None; rows];
    }
    if rows > cols {
        let transposed: Vec<f64> = (0..cols)
            .flat_map(|c| (0..rows).map(move |r| weights[r * cols + c]))
            .collect();
        let by_col = max_weight_assignment(&transposed, cols, rows);
        let mut by_row = vec![None; rows];
        for (c, r) in by_col.into_iter().enumerate() {
            if let Some(r) = r {
                by_row[r] = Some(c);
            }
        }
        return by_row;
    }
    let (n, m) = (rows, cols);
    // Costs, 1-based like the potentials: row i of `cost` is weights row i - 1, negated.
    let mut cost = vec![0.0; (n + 1) * (m + 1)];
    for i in 1..=n {
        for j in 1..=m {
            cost[i * (m + 1) + j] = -weights[(i - 1) * m + (j - 1)];
        }
    }
    let mut u = vec![0.0; n + 1];
    let mut v = vec![0.0; m + 1];
    let mut p = vec![0usize; m + 1];
    let mut way = vec![0usize; m + 1];
    let mut minv = vec![f64::INFINITY; m + 1];
    let mut used = vec![false; m + 1];
    for i in 1..=n {
        p[0] = i;
        let mut j0 = 0;
        minv.fill(f64::INFINITY);
        used.fill(false);
        loop {
            used[j0] = true;
            let i0 = p[j0];
            let row = &cost[i0 * (m + 1)..(i0 + 1) * (m + 1)];
            let u_i0 = u[i0];
            let mut delta = f64::INFINITY;
            let mut j1 = 0;
            for j in 1..=m {
                if !used[j] {
                    let current = row[j] - u_i0 - v[j];
                    if current < minv[j] {
                        minv[j] = current;
                        way[j] = j0;
                    }
                    if minv[j] < delta {
                        delta = minv[j];
                        j1 = j;
                    }
                }
            }
            for j in 0..=m {
                if used[j] {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
            if p[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let mut by_row = vec![None; n];
    for j in 1..=m {
        if p[j] != 0 {
            by_row[p[j] - 1] = Some(j - 1);
        }
    }
    by_row
}

/// The connected components of a bipartite graph given by its edges `(truth, pred)`: each
/// component as the positions of its edges, in order of their first edge.
pub fn components(edges: &[(u32, u32)]) -> Vec<Vec<usize>> {
    // Union-find over truth nodes (even) and prediction nodes (odd), by node number.
    let nodes = edges
        .iter()
        .map(|&(t, p)| (2 * t as usize).max(2 * p as usize + 1) + 1)
        .max()
        .unwrap_or(0);
    let mut parent: Vec<usize> = (0..nodes).collect();
    fn find(parent: &mut [usize], x: usize) -> usize {
        let mut root = x;
        while parent[root] != root {
            root = parent[root];
        }
        let mut node = x;
        while parent[node] != root {
            let next = parent[node];
            parent[node] = root;
            node = next;
        }
        root
    }
    for &(t, p) in edges {
        let (a, b) = (2 * t as usize, 2 * p as usize + 1);
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    }
    let mut group_of: Vec<usize> = vec![usize::MAX; nodes];
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (position, &(t, _)) in edges.iter().enumerate() {
        let root = find(&mut parent, 2 * t as usize);
        if group_of[root] == usize::MAX {
            group_of[root] = groups.len();
            groups.push(Vec::new());
        }
        groups[group_of[root]].push(position);
    }
    groups
}

/// A component's side product (rows × columns) up to which the dense Hungarian method solves
/// it: about a tenth of a second at the limit (500 × 500).
pub const DENSE_LIMIT: usize = 250_000;

/// The work (pairs possible × edges) up to which a larger component is solved by sparse
/// shortest augmenting paths: a few seconds at most. Past it, a component (some 600 nuclei
/// all drawn over each other: a data problem) is assigned greedily by weight, ties by edge
/// order, and counted.
pub const SPARSE_LIMIT: usize = 200_000_000;

/// The chosen edges, and how many components were too large to solve optimally.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EdgeAssignment {
    pub chosen: Vec<usize>,
    pub greedy_components: usize,
}

/// The maximum-weight one-to-one assignment over weighted edges `(truth, pred, weight)`
/// (weights > 0; absent edges weigh 0): the positions of the chosen edges, in order
/// (greedy past [`SPARSE_LIMIT`], see [`assign_edges`]).
pub fn max_weight_edges(edges: &[(u32, u32, f64)]) -> Vec<usize> {
    assign_edges(edges).chosen
}

/// [`max_weight_edges`] on each connected component: by the dense Hungarian method up to
/// [`DENSE_LIMIT`], by sparse augmenting paths beyond, and greedily past [`SPARSE_LIMIT`];
/// with the count of components assigned greedily.
pub fn assign_edges(edges: &[(u32, u32, f64)]) -> EdgeAssignment {
    let plain: Vec<(u32, u32)> = edges.iter().map(|&(t, p, _)| (t, p)).collect();
    let mut result = EdgeAssignment::default();
    for group in components(&plain) {
        if group.len() == 1 {
            result.chosen.push(group[0]);
            continue;
        }
        let mut rows: Vec<u32> = group.iter().map(|&e| edges[e].0).collect();
        let mut cols: Vec<u32> = group.iter().map(|&e| edges[e].1).collect();
        rows.sort_unstable();
        rows.dedup();
        cols.sort_unstable();
        cols.dedup();
        if rows.len() * cols.len() <= DENSE_LIMIT {
            result
                .chosen
                .extend(dense_component(edges, &group, &rows, &cols));
            continue;
        }
        let sub: Vec<(u32, u32, f64)> = group.iter().map(|&e| edges[e]).collect();
        let picked = if beyond_sparse_limit(rows.len(), cols.len(), group.len()) {
            result.greedy_components += 1;
            greedy_edges(&sub)
        } else {
            super::sparse_assignment::sparse_max_weight_edges(&sub)
        };
        result.chosen.extend(picked.into_iter().map(|k| group[k]));
    }
    result.chosen.sort_unstable();
    result
}

/// Whether a component of `rows` × `cols` nuclei and `edges` candidate pairs is past what is
/// solved optimally.
fn beyond_sparse_limit(rows: usize, cols: usize, edges: usize) -> bool {
    rows * cols > DENSE_LIMIT && rows.min(cols).saturating_mul(edges) > SPARSE_LIMIT
}

/// How many connected components of `edges` [`assign_edges`] would assign greedily.
pub fn components_beyond_limit(edges: &[(u32, u32)]) -> usize {
    components(edges)
        .into_iter()
        .filter(|group| {
            let count_distinct = |side: fn(&(u32, u32)) -> u32| {
                let mut ids: Vec<u32> = group.iter().map(|&e| side(&edges[e])).collect();
                ids.sort_unstable();
                ids.dedup();
                ids.len()
            };
            beyond_sparse_limit(
                count_distinct(|e| e.0),
                count_distinct(|e| e.1),
                group.len(),
            )
        })
        .count()
}

/// One component by the dense method: its edges (by position) in a rows × cols matrix.
fn dense_component(
    edges: &[(u32, u32, f64)],
    group: &[usize],
    rows: &[u32],
    cols: &[u32],
) -> Vec<usize> {
    let mut weights = vec![0.0; rows.len() * cols.len()];
    let mut edge_at = vec![usize::MAX; rows.len() * cols.len()];
    for &e in group {
        let (t, p, w) = edges[e];
        let r = rows.binary_search(&t).expect("row of the component");
        let c = cols.binary_search(&p).expect("column of the component");
        weights[r * cols.len() + c] = w;
        edge_at[r * cols.len() + c] = e;
    }
    max_weight_assignment(&weights, rows.len(), cols.len())
        .into_iter()
        .enumerate()
        .filter_map(|(r, c)| c.map(|c| edge_at[r * cols.len() + c]))
        .filter(|&e| e != usize::MAX)
        .collect()
}

/// Greedy: the heaviest edge first (ties by position), each row and column used once.
fn greedy_edges(edges: &[(u32, u32, f64)]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..edges.len()).collect();
    order.sort_by(|&x, &y| edges[y].2.total_cmp(&edges[x].2).then(x.cmp(&y)));
    let side_len = |side: fn(&(u32, u32, f64)) -> u32| {
        edges.iter().map(side).max().map_or(0, |m| m as usize + 1)
    };
    let mut used_rows = vec![false; side_len(|e| e.0)];
    let mut used_cols = vec![false; side_len(|e| e.1)];
    order
        .into_iter()
        .filter(|&e| {
            let (t, p) = (edges[e].0 as usize, edges[e].1 as usize);
            let free = !used_rows[t] && !used_cols[p];
            if free {
                used_rows[t] = true;
                used_cols[p] = true;
            }
            free
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_weight_edges_prefers_the_larger_total() {
        // Greedy takes 0.9 and leaves one unpaired; the optimum takes 0.8 + 0.8.
        let edges = [(0, 0, 0.9), (0, 1, 0.8), (1, 0, 0.8), (2, 5, 0.3)];
        assert_eq!(max_weight_edges(&edges), vec![1, 2, 3]);
    }

    fn total(weights: &[f64], cols: usize, assignment: &[Option<usize>]) -> f64 {
        assignment
            .iter()
            .enumerate()
            .filter_map(|(r, c)| c.map(|c| weights[r * cols + c]))
            .sum()
    }

    /// The best total over every assignment, by brute force.
    fn brute_force(weights: &[f64], rows: usize, cols: usize) -> f64 {
        fn go(w: &[f64], r: usize, rows: usize, cols: usize, used: &mut Vec<bool>) -> f64 {
            if r == rows {
                return 0.0;
            }
            let mut best = go(w, r + 1, rows, cols, used);
            for c in 0..cols {
                if !used[c] {
                    used[c] = true;
                    best = best.max(w[r * cols + c] + go(w, r + 1, rows, cols, used));
                    used[c] = false;
                }
            }
            best
        }
        go(weights, 0, rows, cols, &mut vec![false; cols])
    }

    #[test]
    fn matches_brute_force_on_small_matrices() {
        let mut state = 12345u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) % 1000) as f64 / 1000.0
        };
        for rows in 1..=5 {
            for cols in 1..=5 {
                for _ in 0..20 {
                    let weights: Vec<f64> = (0..rows * cols)
                        .map(|_| if next() < 0.4 { 0.0 } else { next() })
                        .collect();
                    let assignment = max_weight_assignment(&weights, rows, cols);
                    let mut seen: Vec<usize> = assignment.iter().flatten().copied().collect();
                    let before = seen.len();
                    seen.sort_unstable();
                    seen.dedup();
                    assert_eq!(seen.len(), before, "one-to-one");
                    let best = brute_force(&weights, rows, cols);
                    assert!(
                        (total(&weights, cols, &assignment) - best).abs() < 1e-9,
                        "{rows}x{cols}"
                    );
                }
            }
        }
    }
}
