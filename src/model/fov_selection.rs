//! Which FOVs a partial run reads: a shard of every FOV by a stable hash of its name, or the
//! FOVs a list names.
//!
//! ```
//! use nucagree::model::fov_selection::{FovSelection, Shard};
//!
//! let shards: Vec<FovSelection> =
//!     (0..3).map(|i| FovSelection::Shard(Shard::new(i, 3).unwrap())).collect();
//! // Each FOV is in exactly one shard, whatever set it is in.
//! let name = "TCGA-A1-A0SK-DX1_id-5ea4095addda5f8398977ebc_left-7053_top-53967_bottom-54231_right-7311";
//! assert_eq!(shards.iter().filter(|s| s.keeps(name)).count(), 1);
//! ```

use std::collections::BTreeSet;

/// Shard `index` of `count` (0-based): the FOVs whose name hashes to `index` modulo `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    index: u32,
    count: u32,
}

/// A shard index out of range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("shard {index} of {count}: expected a shard count of at least 1 and an index below it")]
pub struct InvalidShard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    pub fn new(index: u32, count: u32) -> Result<Shard, InvalidShard> {
        if count == 0 || index >= count {
            return Err(InvalidShard { index, count });
        }
        Ok(Shard { index, count })
    }

    pub fn index(self) -> u32 {
        self.index
    }

    pub fn count(self) -> u32 {
        self.count
    }

    /// Parses `I/N` (the command line's `--shard`, 0-based).
    pub fn parse(text: &str) -> Option<Shard> {
        let (index, count) = text.split_once('/')?;
        Shard::new(index.trim().parse().ok()?, count.trim().parse().ok()?).ok()
    }

    /// Whether the FOV `name` is in the shard: FNV-1a (64 bits) of the name's UTF-8 bytes,
    /// modulo the shard count, fixed across machines and versions.
    pub fn keeps(self, name: &str) -> bool {
        fnv1a(name.as_bytes()) % u64::from(self.count) == u64::from(self.index)
    }
}

/// The FOVs a partial run keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FovSelection {
    /// FOVs by a stable hash of their names (`--shard I/N`).
    Shard(Shard),
    /// The FOVs named (`--fovs FILE`).
    Names(BTreeSet<String>),
}

impl FovSelection {
    pub fn keeps(&self, name: &str) -> bool {
        match self {
            FovSelection::Shard(shard) => shard.keeps(name),
            FovSelection::Names(names) => names.contains(name),
        }
    }

    /// How the selection is described in a partial's header: `shard 2/7`, or `12 FOVs named`.
    pub fn describe(&self) -> String {
        match self {
            FovSelection::Shard(shard) => format!("shard {}/{}", shard.index, shard.count),
            FovSelection::Names(names) => format!("{} FOVs named", names.len()),
        }
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_has_its_published_values() {
        // The FNV-1a 64-bit test vectors of the algorithm's authors.
        assert_eq!(fnv1a(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn shards_parse_and_partition() {
        assert_eq!(Shard::parse("2/7"), Shard::new(2, 7).ok());
        assert_eq!(Shard::parse("7/7"), None);
        assert_eq!(Shard::parse("0/0"), None);
        assert_eq!(Shard::parse("x/2"), None);
        let names: Vec<String> = (0..500).map(|i| format!("fov-{i}")).collect();
        let shards: Vec<Shard> = (0..7).map(|i| Shard::new(i, 7).unwrap()).collect();
        let mut sizes = [0usize; 7];
        for name in &names {
            let holding: Vec<usize> = (0..7).filter(|&i| shards[i].keeps(name)).collect();
            assert_eq!(holding.len(), 1, "{name}");
            sizes[holding[0]] += 1;
        }
        // 500 names over 7 shards: each shard holds a fair share.
        assert!(sizes.iter().all(|&n| (40..=110).contains(&n)), "{sizes:?}");
    }

    #[test]
    fn names_keep_what_they_name() {
        let selection = FovSelection::Names(["a".to_string(), "c".to_string()].into());
        assert!(selection.keeps("a") && !selection.keeps("b"));
        assert_eq!(selection.describe(), "2 FOVs named");
        assert_eq!(
            FovSelection::Shard(Shard::new(1, 4).unwrap()).describe(),
            "shard 1/4"
        );
    }
}
