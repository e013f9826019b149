//! PNG encoding and decoding: the one place the `png` crate is used (figures, images
//! painted by the simulator, masks and RGB images read).

use crate::error::{Error, Location, Problem, Result};
use std::path::Path;

/// The PNG bytes of an 8-bit RGB image.
pub fn encode_rgb(width: u32, height: u32, pixels: &[u8]) -> Result<Vec<u8>> {
    encode(width, height, pixels, png::ColorType::Rgb, None)
}

/// The PNG bytes of an 8-bit RGB image whose resolution, `dpi` dots per inch, is written in
/// its `pHYs` chunk (as dots per metre, rounded), so that it prints at its physical size.
pub fn encode_rgb_at_dpi(width: u32, height: u32, pixels: &[u8], dpi: f64) -> Result<Vec<u8>> {
    encode(width, height, pixels, png::ColorType::Rgb, Some(dpi))
}

/// The PNG bytes of an 8-bit grayscale image (one byte per pixel, row by row).
pub fn encode_gray(width: u32, height: u32, pixels: &[u8]) -> Result<Vec<u8>> {
    encode(width, height, pixels, png::ColorType::Grayscale, None)
}

fn encode(
    width: u32,
    height: u32,
    pixels: &[u8],
    colour: png::ColorType,
    dpi: Option<f64>,
) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let failed = |e: png::EncodingError| Error::encode("a PNG image", e);
    {
        let mut encoder = png::Encoder::new(&mut bytes, width, height);
        encoder.set_color(colour);
        encoder.set_depth(png::BitDepth::Eight);
        if let Some(dpi) = dpi {
            let per_metre = (dpi / 0.0254).round() as u32;
            encoder.set_pixel_dims(Some(png::PixelDimensions {
                xppu: per_metre,
                yppu: per_metre,
                unit: png::Unit::Meter,
            }));
        }
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

/// Whether PNG bytes (at least the first 26) are a grayscale image without alpha: the
/// colour type in the header is 0.
pub fn is_grayscale(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x89PNG") && bytes.len() > 25 && bytes[25] == 0
}

/// Decodes a grayscale PNG of 1 to 16 bits as one value per pixel (a label image): width,
/// height and the values, refusing an image of more than `max_pixels`.
pub fn decode_gray_within(
    path: &Path,
    bytes: &[u8],
    max_pixels: u64,
) -> Result<(u32, u32, Vec<u32>)> {
    let invalid =
        |message: String| Error::input(Location::file(path), Problem::Invalid { message });
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::IDENTITY);
    let mut reader = decoder
        .read_info()
        .map_err(|e| invalid(format!("not a readable PNG: {e}")))?;
    let info = reader.info();
    let (width, height) = (info.width, info.height);
    if info.color_type != png::ColorType::Grayscale {
        return Err(invalid(format!(
            "a {:?} PNG: expected a grayscale label image (one instance id per pixel)",
            info.color_type
        )));
    }
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(invalid(format!(
            "an image of {width} x {height} pixels: expected at most {max_pixels} pixels (raise the limit to read it)"
        )));
    }
    let depth = info.bit_depth as u8;
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| invalid("an image too large to decode".into()))?;
    let mut raw = vec![0; size];
    let frame = reader
        .next_frame(&mut raw)
        .map_err(|e| invalid(format!("not a readable PNG: {e}")))?;
    let line = frame.line_size;
    let mut values = Vec::with_capacity(width as usize * height as usize);
    for row in raw.chunks(line).take(height as usize) {
        match depth {
            16 => values.extend(
                row.chunks_exact(2)
                    .take(width as usize)
                    .map(|b| u32::from(u16::from_be_bytes([b[0], b[1]]))),
            ),
            8 => values.extend(row.iter().take(width as usize).map(|&b| u32::from(b))),
            bits => {
                let per_byte = 8 / bits as usize;
                let mask = (1u16 << bits) as u8 - 1;
                values.extend((0..width as usize).map(|x| {
                    let byte = row[x / per_byte];
                    let shift = 8 - bits as usize * (x % per_byte + 1);
                    u32::from((byte >> shift) & mask)
                }));
            }
        }
    }
    Ok((width, height, values))
}
