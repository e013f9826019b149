//! Writes a partial: `partial.json` (the header) and one parquet file per table (of
//! [`crate::tables::partial::TABLES`] for a comparison, of
//! [`crate::tables::partial::agreement::AGREEMENT_TABLES`] for an agreement analysis), staged
//! and renamed into place as one folder.

use super::files::{to_pretty, write_atomic, write_parquet};
use super::output_folder::OutputFolder;
use crate::agreement::partial::AgreementPartial;
use crate::comparison::partial::ComparisonPartial;
use crate::error::Result;
use crate::tables::partial::agreement::{agreement_frames, AGREEMENT_TABLES};
use crate::tables::partial::{partial_frames, TABLES};
use std::path::{Path, PathBuf};

/// Writes `partial` as the folder `dir` (replacing an earlier nucagree folder there, never
/// one of `inputs`); returns the folder.
pub fn write_partial(dir: &Path, partial: &ComparisonPartial, inputs: &[&Path]) -> Result<PathBuf> {
    let frames = partial_frames(&partial.outcomes, &partial.images)?;
    write_folder(dir, &partial.header, &TABLES, frames, inputs)
}

/// Writes an agreement partial as the folder `dir` (see [`write_partial`]).
pub fn write_agreement_partial(
    dir: &Path,
    partial: &AgreementPartial,
    inputs: &[&Path],
) -> Result<PathBuf> {
    let frames = agreement_frames(
        &partial.labelled,
        &partial.geometry,
        &partial.sweep,
        &partial.intrarater,
    )?;
    write_folder(dir, &partial.header, &AGREEMENT_TABLES, frames, inputs)
}

/// The header as `partial.json` and each table as `<name>.parquet`, staged and renamed into
/// place as one folder.
fn write_folder(
    dir: &Path,
    header: &impl serde::Serialize,
    names: &[&str],
    frames: Vec<polars::prelude::DataFrame>,
    inputs: &[&Path],
) -> Result<PathBuf> {
    let folder = OutputFolder::begin(dir, inputs)?;
    let staging = folder.staging();
    write_atomic(
        &staging.join("partial.json"),
        to_pretty(header, "the partial's header")?.as_bytes(),
    )?;
    for (name, mut frame) in names.iter().zip(frames) {
        write_parquet(&staging.join(format!("{name}.parquet")), &mut frame)?;
    }
    folder.commit()
}
