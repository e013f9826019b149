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

/// Decodes a PNG to 8-bit samples: width, height, channels and the samples.
pub fn decode(path: &Path, bytes: &[u8]) -> Result<(u32, u32, usize, Vec<u8>)> {
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
