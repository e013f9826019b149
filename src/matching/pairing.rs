//! Which FOVs two sets share, and which only one of them has: the one place FOVs of two
//! sets are paired by name (matching, streaming matching and comparisons use it).
//!
//! ```
//! use nucagree::matching::pairing::FovPairing;
//!
//! let pairing = FovPairing::of(&["a", "b", "c"], &["b", "c", "d"]);
//! assert_eq!(pairing.shared, vec![(1, 0), (2, 1)]);
//! assert_eq!(pairing.only_in_a, vec!["a".to_string()]);
//! assert_eq!(pairing.only_in_b, vec!["d".to_string()]);
//! ```

use std::collections::HashMap;

/// The FOVs of two sets paired by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FovPairing {
    /// Positions in A and in B of each FOV both have, in A's order.
    pub shared: Vec<(usize, usize)>,
    /// FOVs only A has, in A's order.
    pub only_in_a: Vec<String>,
    /// FOVs only B has, in B's order.
    pub only_in_b: Vec<String>,
}

/// Two sets with no FOV in common: nothing can be compared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no FOV in common: A has {a} FOVs (e.g. {a_example:?}), B has {b} (e.g. {b_example:?}); expected the same FOV names in both")]
pub struct NoSharedFov {
    pub a: usize,
    pub b: usize,
    pub a_example: String,
    pub b_example: String,
}

impl FovPairing {
    /// An error when the sets share no FOV.
    pub fn require_shared(&self) -> Result<(), NoSharedFov> {
        if !self.shared.is_empty() {
            return Ok(());
        }
        Err(NoSharedFov {
            a: self.only_in_a.len(),
            b: self.only_in_b.len(),
            a_example: self.only_in_a.first().cloned().unwrap_or_default(),
            b_example: self.only_in_b.first().cloned().unwrap_or_default(),
        })
    }

    /// Pairs two lists of FOV names (each name at most once per list).
    pub fn of<A: AsRef<str>, B: AsRef<str>>(a: &[A], b: &[B]) -> FovPairing {
        let position_b: HashMap<&str, usize> = b
            .iter()
            .enumerate()
            .map(|(j, name)| (name.as_ref(), j))
            .collect();
        let mut in_a: HashMap<&str, ()> = HashMap::with_capacity(a.len());
        let mut pairing = FovPairing::default();
        for (i, name) in a.iter().enumerate() {
            let name = name.as_ref();
            in_a.insert(name, ());
            match position_b.get(name) {
                Some(&j) => pairing.shared.push((i, j)),
                None => pairing.only_in_a.push(name.to_string()),
            }
        }
        pairing.only_in_b = b
            .iter()
            .map(AsRef::as_ref)
            .filter(|name| !in_a.contains_key(name))
            .map(String::from)
            .collect();
        pairing
    }
}
