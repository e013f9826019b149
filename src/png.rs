//! PNG encoding and decoding: the one place the `png` crate is used (figures, images
//! painted by the simulator, masks and RGB images read).

use crate::error::{Error, Location, Problem, Result};
use std::path::Path;

/// The PNG bytes of an 8-bit RGB image.
pub fn encode_rgb(width: u32, height: u32, pixels: &[u8]) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let failed = |e: png::EncodingError| Error::encode("a PNG image", e);
    {
        let mut encoder = png::Encoder::new(&mut bytes, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(failed)?;
        writer.write_image_data(pixels).map_err(failed)?;
    }
    Ok(bytes)
}

/// The largest image decoded by default, in pixels (a 16,000 x 16,000 FOV): a small
/// compressed file can declare an image of tens of gigabytes.
pub const DEFAULT_MAX_IMAGE_PIXELS: u64 = 256_000_000;

/// A PNG's width, height and bit depth (1, 2, 4, 8 or 16), from its header alone.
pub fn header(path: &Path, bytes: &[u8]) -> Result<(u32, u32, u8)> {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let reader = decoder.read_info().map_err(|e| {
        Error::input(
            Location::file(path),
            Problem::Invalid {
                message: format!("not a readable PNG: {e}"),
            },
        )
    })?;
    let info = reader.info();
    Ok((info.width, info.height, info.bit_depth as u8))
}

/// Decodes a PNG to 8-bit samples: width, height, channels and the samples, refusing an image
/// of more than [`DEFAULT_MAX_IMAGE_PIXELS`].
pub fn decode(path: &Path, bytes: &[u8]) -> Result<(u32, u32, usize, Vec<u8>)> {
    decode_within(path, bytes, DEFAULT_MAX_IMAGE_PIXELS)
}

/// As [`decode`], refusing an image of more than `max_pixels` before anything is allocated.
pub fn decode_within(
    path: &Path,
    bytes: &[u8],
    max_pixels: u64,
) -> Result<(u32, u32, usize, Vec<u8>)> {
    let failed = |e: png::DecodingError| {
        Error::input(
            Location::file(path),
            Problem::Invalid {
                message: format!("not a readable PNG: {e}"),
            },
        )
    };
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(failed)?;
    let (width, height) = (reader.info().width, reader.info().height);
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(Error::input(
            Location::file(path),
            Problem::Invalid {
                message: format!(
                    "an image of {width} x {height} pixels: expected at most {max_pixels} pixels (raise the limit to read it)"
                ),
            },
        ));
    }
    let size = reader.output_buffer_size().ok_or_else(|| {
        Error::input(
            Location::file(path),
            Problem::Invalid {
                message: "an image too large to decode".into(),
            },
        )
    })?;
    let mut pixels = vec![0; size];
    let info = reader.next_frame(&mut pixels).map_err(failed)?;
    pixels.truncate(info.buffer_size());
    Ok((info.width, info.height, info.color_type.samples(), pixels))
}
