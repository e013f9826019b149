//! Matching two sets too large to hold in memory: FOVs are read and matched in chunks, in
//! parallel within each chunk, so memory stays bounded whatever the size of the sets.

use super::pairing::FovPairing;
use super::table::{match_rows, FovMatchRows};
use super::{match_fov, FovMatch, MatchOptions, SetMatch};
use crate::error::Result;
use crate::ingest::SetIndex;
use crate::model::Fov;
use rayon::prelude::*;
use std::time::{Duration, Instant};

/// FOVs read and matched per chunk.
pub const CHUNK: usize = 4096;

/// What a streamed matching found, and the time spent reading and matching.
#[derive(Debug, Clone, Default)]
pub struct StreamedMatch {
    pub matched: SetMatch,
    /// Each FOV's match-table rows, when asked for.
    pub rows: Vec<FovMatchRows>,
    pub reading: Duration,
    pub matching: Duration,
}

/// Matches the FOVs two indexed sets share, `chunk` FOVs at a time; with `want_rows`, also
/// keeps each FOV's match-table rows.
pub fn match_indexed(
    index_a: &SetIndex,
    index_b: &SetIndex,
    options: &MatchOptions,
    want_rows: bool,
    chunk: usize,
) -> Result<StreamedMatch> {
    let names_a: Vec<&str> = index_a.fov_names().collect();
    let names_b: Vec<&str> = index_b.fov_names().collect();
    let pairing = FovPairing::of(&names_a, &names_b);
    let mut streamed = StreamedMatch {
        matched: SetMatch {
            only_in_a: pairing.only_in_a,
            only_in_b: pairing.only_in_b,
            ..SetMatch::default()
        },
        ..StreamedMatch::default()
    };
    for part in pairing.shared.chunks(chunk.max(1)) {
        let started = Instant::now();
        let fovs: Vec<Result<(Fov, Fov)>> = part
            .par_iter()
            .map(|&(i, j)| Ok((index_a.read_fov(i)?.0, index_b.read_fov(j)?.0)))
            .collect();
        let fovs = fovs.into_iter().collect::<Result<Vec<_>>>()?;
        fovs.par_iter()
            .map(|(fa, fb)| super::crowd::check_fov_pair(fa, fb, (&options.criterion).into()))
            .collect::<Vec<Result<()>>>()
            .into_iter()
            .collect::<Result<()>>()?;
        let read_done = Instant::now();
        let results: Vec<(FovMatch, Option<FovMatchRows>)> = fovs
            .par_iter()
            .map(|(fa, fb)| {
                let m = match_fov(fa, fb, options);
                let rows = want_rows.then(|| match_rows(&m, fa, fb));
                (m, rows)
            })
            .collect();
        streamed.matching += read_done.elapsed();
        streamed.reading += read_done - started;
        for (m, rows) in results {
            if let Some(rows) = rows {
                streamed.rows.push(rows);
            }
            streamed.matched.fovs.push(m);
        }
    }
    Ok(streamed)
}
