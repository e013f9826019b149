//! `--partial PART` with `--shard I/N` or `--fovs FILE`: one shard of a run, written as a
//! partial for `nucagree merge`.

use anyhow::{Context, Result};
use clap::Args;
use nucagree::model::fov_selection::{FovSelection, Shard};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ShardArgs {
    /// Write this shard's statistics as a partial into the folder PART instead of a report:
    /// `nucagree merge` adds partials of disjoint shards up to the report of one run.
    #[arg(long, value_name = "PART", conflicts_with = "out")]
    pub partial: Option<PathBuf>,
    /// With --partial: the FOVs whose name hashes to shard I of N (0-based, FNV-1a of the
    /// name), e.g. `--shard 2/7`.
    #[arg(
        long,
        value_name = "I/N",
        requires = "partial",
        conflicts_with = "fovs"
    )]
    shard: Option<String>,
    /// With --partial: the FOVs named in FILE, one per line.
    #[arg(long, value_name = "FILE", requires = "partial")]
    fovs: Option<PathBuf>,
}

impl ShardArgs {
    /// The partial's folder and the shard's FOVs, with `--partial`.
    pub fn partial(&self) -> Result<Option<(PathBuf, FovSelection)>> {
        let Some(dir) = &self.partial else {
            return Ok(None);
        };
        let selection = match (&self.shard, &self.fovs) {
            (Some(shard), _) => FovSelection::Shard(Shard::parse(shard).with_context(|| {
                format!("--shard {shard:?}: expected I/N with 0 <= I < N, e.g. 2/7")
            })?),
            (None, Some(file)) => {
                FovSelection::Names(nucagree::ingest::metadata::read_fov_list(file)?)
            }
            (None, None) => {
                anyhow::bail!("--partial needs the shard's FOVs: --shard I/N or --fovs FILE")
            }
        };
        Ok(Some((dir.clone(), selection)))
    }
}
