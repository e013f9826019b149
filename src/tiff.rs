//! TIFF decoding of label images and LZW encoding of figures: the one place the `tiff` crate is
//! used.

use crate::error::{Error, Location, Problem, Result};
use std::path::Path;
use tiff::decoder::{Decoder, DecodingResult, Limits};
use tiff::ColorType;

/// The bytes of an 8-bit RGB TIFF, LZW-compressed, whose resolution is `dpi` dots per inch
/// (the form journals ask for when they want TIFF).
pub fn encode_rgb_lzw(width: u32, height: u32, pixels: &[u8], dpi: f64) -> Result<Vec<u8>> {
    use tiff::encoder::{colortype::RGB8, compression::Lzw, Rational, TiffEncoder};
    let failed = |e: tiff::TiffError| Error::encode("a TIFF image", e);
    let mut bytes = std::io::Cursor::new(Vec::new());
    {
        let mut encoder = TiffEncoder::new(&mut bytes).map_err(failed)?;
        let mut image = encoder
            .new_image_with_compression::<RGB8, _>(width, height, Lzw)
            .map_err(failed)?;
        image.resolution(
            tiff::tags::ResolutionUnit::Inch,
            Rational {
                n: dpi.round() as u32,
                d: 1,
            },
        );
        image.write_data(pixels).map_err(failed)?;
    }
    Ok(bytes.into_inner())
}

/// Whether bytes start like a TIFF file (little- or big-endian).
pub fn is_tiff(bytes: &[u8]) -> bool {
    bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*")
}

/// Decodes the first image of a grayscale TIFF of 8, 16 or 32 bits (unsigned, or signed with
/// no negative value) as one value per pixel: width, height and the values, refusing an image
/// of more than `max_pixels`.
pub fn decode_gray_within(
    path: &Path,
    bytes: &[u8],
    max_pixels: u64,
) -> Result<(u32, u32, Vec<u32>)> {
    let invalid =
        |message: String| Error::input(Location::file(path), Problem::Invalid { message });
    let unreadable = |e: tiff::TiffError| invalid(format!("not a readable TIFF: {e}"));
    let mut limits = Limits::default();
    limits.decoding_buffer_size =
        usize::try_from(max_pixels.saturating_mul(4)).unwrap_or(usize::MAX);
    let mut decoder = Decoder::new(std::io::Cursor::new(bytes))
        .map_err(unreadable)?
        .with_limits(limits);
    let (width, height) = decoder.dimensions().map_err(unreadable)?;
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(invalid(format!(
            "an image of {width} x {height} pixels: expected at most {max_pixels} pixels (raise the limit to read it)"
        )));
    }
    let colour = decoder.colortype().map_err(unreadable)?;
    if !matches!(colour, ColorType::Gray(8 | 16 | 32)) {
        return Err(invalid(format!(
            "a {colour:?} TIFF: expected a grayscale label image of 8, 16 or 32 bits (one instance id per pixel)"
        )));
    }
    let negative = |value: i64| {
        invalid(format!(
            "a negative label {value}: expected instance ids from 0"
        ))
    };
    let values: Vec<u32> = match decoder.read_image().map_err(unreadable)? {
        DecodingResult::U8(v) => v.into_iter().map(u32::from).collect(),
        DecodingResult::U16(v) => v.into_iter().map(u32::from).collect(),
        DecodingResult::U32(v) => v,
        DecodingResult::I8(v) => v
            .into_iter()
            .map(|x| u32::try_from(x).map_err(|_| negative(x.into())))
            .collect::<Result<_>>()?,
        DecodingResult::I16(v) => v
            .into_iter()
            .map(|x| u32::try_from(x).map_err(|_| negative(x.into())))
            .collect::<Result<_>>()?,
        DecodingResult::I32(v) => v
            .into_iter()
            .map(|x| u32::try_from(x).map_err(|_| negative(x.into())))
            .collect::<Result<_>>()?,
        _ => return Err(invalid(
            "floating-point or 64-bit samples: expected integer instance ids of 8, 16 or 32 bits"
                .into(),
        )),
    };
    if values.len() as u64 != u64::from(width) * u64::from(height) {
        return Err(invalid(format!(
            "{} samples for {width} x {height} pixels: expected one per pixel",
            values.len()
        )));
    }
    Ok((width, height, values))
}
