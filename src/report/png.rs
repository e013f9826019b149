//! PNG encoding of RGB pixels.

use crate::error::{Error, Result};

/// The PNG bytes of an 8-bit RGB image.
pub fn encode_rgb(width: u32, height: u32, pixels: &[u8]) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let failed = |e: png::EncodingError| Error::Encode {
        what: "a PNG image".into(),
        message: e.to_string(),
    };
    {
        let mut encoder = png::Encoder::new(&mut bytes, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(failed)?;
        writer.write_image_data(pixels).map_err(failed)?;
    }
    Ok(bytes)
}
