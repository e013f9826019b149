//! FOV images, decoded only when something draws them (overlays): `rgb/<fov>.png` beside a
//! set, or the `rgb_image` bytes of a Hugging Face parquet row.

use super::hugging_face::FILE_NAME;
use crate::error::{Error, Location, Problem, Result};
use crate::model::AnnotationSet;
use polars::prelude::{ParquetReader, SerReader};
use std::path::Path;

pub use crate::model::RgbImage;

/// The RGB image of a FOV of `set`, where there is one.
pub fn fov_image(set: &AnnotationSet, fov: &str) -> Result<Option<RgbImage>> {
    match fov_png(set, fov)? {
        Some((path, bytes)) => rgb(&path, &bytes).map(Some),
        None => Ok(None),
    }
}

/// The PNG bytes of a FOV's image, undecoded, with where they were read.
pub fn fov_png(set: &AnnotationSet, fov: &str) -> Result<Option<(std::path::PathBuf, Vec<u8>)>> {
    let png = set.root.join("rgb").join(format!("{fov}.png"));
    if png.is_file() {
        let bytes = std::fs::read(&png).map_err(|e| Error::io(&png, "read", e))?;
        return Ok(Some((png, bytes)));
    }
    if set.format != super::hugging_face::FORMAT {
        return Ok(None);
    }
    let Some(source) = set.fov(fov).map(|f| f.source.clone()) else {
        return Ok(None);
    };
    Ok(parquet_png(&source, fov)?.map(|bytes| (source, bytes)))
}

fn parquet_png(path: &Path, fov: &str) -> Result<Option<Vec<u8>>> {
    let failed = |e: polars::error::PolarsError| {
        Error::input(
            Location::cell(path, 1, "rgb_image"),
            Problem::Invalid {
                message: format!("cannot read the image column: {e}"),
            },
        )
    };
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, "read", e))?;
    let frame = ParquetReader::new(file)
        .with_columns(Some(vec![FILE_NAME.into(), "rgb_image".into()]))
        .finish()
        .map_err(failed)?;
    let names = frame
        .column(FILE_NAME)
        .and_then(|c| c.str().cloned())
        .map_err(failed)?;
    let Some(row) = (0..frame.height()).find(|&i| {
        names
            .get(i)
            .is_some_and(|n| super::listing::fov_name_of(n) == fov)
    }) else {
        return Ok(None);
    };
    let images = frame.column("rgb_image").map_err(failed)?;
    let bytes = images
        .struct_()
        .and_then(|s| s.field_by_name("bytes"))
        .map_err(failed)?;
    let bytes = bytes.binary().map_err(failed)?;
    Ok(bytes.get(row).map(<[u8]>::to_vec))
}

/// Decodes PNG bytes to RGB (grey expanded, alpha dropped).
fn rgb(path: &Path, bytes: &[u8]) -> Result<RgbImage> {
    let (width, height, channels, samples) = crate::png::decode(path, bytes)?;
    rgb_of_samples(path, width, height, channels, samples)
}

/// Decoded PNG samples of 1 to 4 channels as RGB.
pub(crate) fn rgb_of_samples(
    path: &Path,
    width: u32,
    height: u32,
    channels: usize,
    samples: Vec<u8>,
) -> Result<RgbImage> {
    let pixels = match channels {
        3 => samples,
        4 => samples.chunks(4).flat_map(|p| [p[0], p[1], p[2]]).collect(),
        1 => samples.iter().flat_map(|&g| [g, g, g]).collect(),
        2 => samples.chunks(2).flat_map(|p| [p[0], p[0], p[0]]).collect(),
        _ => {
            return Err(Error::input(
                Location::file(path),
                Problem::Invalid {
                    message: format!("an image of {channels} channels: expected grey or RGB"),
                },
            ))
        }
    };
    Ok((width, height, pixels))
}
