//! MATLAB 5 `.mat` files (as `scipy.io.savemat` writes them, compressed or not): the numeric
//! arrays they hold, by name. Cells, structs, text and sparse arrays are left out.
//!
//! ```
//! use nucagree::ingest::matlab::MatArray;
//! let array = MatArray { name: "m".into(), dims: vec![2, 3], values: vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0] };
//! // Column-major, as MATLAB stores it: row 1 is 1 2 3.
//! assert_eq!(array.at(1, 2), 6.0);
//! ```

use crate::error::{Error, Location, Problem, Result};
use std::io::Read;
use std::path::Path;

/// A numeric array: its name, dimensions and values in MATLAB's column-major order.
#[derive(Debug, Clone, PartialEq)]
pub struct MatArray {
    pub name: String,
    pub dims: Vec<usize>,
    pub values: Vec<f64>,
}

impl MatArray {
    /// The value at (row, column), 0-based, of a 2-d array.
    pub fn at(&self, row: usize, column: usize) -> f64 {
        self.values[column * self.dims[0] + row]
    }
}

const MI_INT8: u32 = 1;
const MI_UINT8: u32 = 2;
const MI_INT16: u32 = 3;
const MI_UINT16: u32 = 4;
const MI_INT32: u32 = 5;
const MI_UINT32: u32 = 6;
const MI_SINGLE: u32 = 7;
const MI_DOUBLE: u32 = 9;
const MI_INT64: u32 = 12;
const MI_UINT64: u32 = 13;
const MI_MATRIX: u32 = 14;
const MI_COMPRESSED: u32 = 15;

/// Whether bytes start like a MATLAB 5 file.
pub fn is_mat5(bytes: &[u8]) -> bool {
    bytes.starts_with(b"MATLAB 5.0 MAT-file")
}

/// Every numeric array of a `.mat` file.
pub fn read_mat(path: &Path) -> Result<Vec<MatArray>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, "read", e))?;
    parse_mat(&bytes)
        .map_err(|message| Error::input(Location::file(path), Problem::Invalid { message }))
}

/// The numeric arrays of a `.mat` file's bytes, or what is wrong.
pub fn parse_mat(bytes: &[u8]) -> std::result::Result<Vec<MatArray>, String> {
    if !is_mat5(bytes) || bytes.len() < 128 {
        return Err("not a MATLAB 5 .mat file: expected it to start with \"MATLAB 5.0 MAT-file\" (v7.3 files are HDF5: save with scipy.io.savemat)".into());
    }
    if &bytes[126..128] != b"IM" {
        return Err("a big-endian .mat file: expected little-endian (as scipy writes)".into());
    }
    let mut arrays = Vec::new();
    elements(&bytes[128..], &mut arrays, 0)?;
    Ok(arrays)
}

/// One data element: its type, its data, and where the next one starts.
fn element(bytes: &[u8], at: usize) -> std::result::Result<(u32, &[u8], usize), String> {
    let word = |i: usize| -> std::result::Result<u32, String> {
        bytes
            .get(i..i + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .ok_or_else(|| format!("an element cut short at byte {}", 128 + i))
    };
    let first = word(at)?;
    if first >> 16 != 0 {
        let (kind, length) = (first & 0xffff, (first >> 16) as usize);
        let data = bytes
            .get(at + 4..at + 4 + length)
            .ok_or("a small element cut short")?;
        return Ok((kind, data, at + 8));
    }
    let length = word(at + 4)? as usize;
    let data = bytes.get(at + 8..at + 8 + length).ok_or_else(|| {
        format!(
            "an element of {length} bytes cut short at byte {}",
            128 + at
        )
    })?;
    let next = if first == MI_COMPRESSED {
        at + 8 + length
    } else {
        at + 8 + length.div_ceil(8) * 8
    };
    Ok((first, data, next))
}

fn elements(
    bytes: &[u8],
    arrays: &mut Vec<MatArray>,
    depth: usize,
) -> std::result::Result<(), String> {
    if depth > 2 {
        return Err("compressed elements nested too deep".into());
    }
    let mut at = 0;
    while at + 8 <= bytes.len() {
        let (kind, data, next) = element(bytes, at)?;
        match kind {
            MI_MATRIX => {
                if let Some(array) = matrix(data)? {
                    arrays.push(array);
                }
            }
            MI_COMPRESSED => {
                let mut inflated = Vec::new();
                flate2::read::ZlibDecoder::new(data)
                    .read_to_end(&mut inflated)
                    .map_err(|e| format!("a compressed element that does not inflate: {e}"))?;
                elements(&inflated, arrays, depth + 1)?;
            }
            _ => {}
        }
        at = next;
    }
    Ok(())
}

/// A numeric matrix; `None` for the classes left out.
fn matrix(bytes: &[u8]) -> std::result::Result<Option<MatArray>, String> {
    if bytes.is_empty() {
        return Ok(None);
    }
    let (_, flags, at) = element(bytes, 0)?;
    let class = flags.first().copied().unwrap_or(0);
    let complex = flags.get(1).is_some_and(|f| f & 0x08 != 0);
    let (_, dims, at) = element(bytes, at)?;
    let dims: Vec<usize> = dims
        .chunks_exact(4)
        .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]).max(0) as usize)
        .collect();
    let (_, name, at) = element(bytes, at)?;
    let name = String::from_utf8_lossy(name).into_owned();
    // mxDOUBLE_CLASS (6) .. mxUINT64_CLASS (15) are numeric.
    if !(6..=15).contains(&class) || complex {
        return Ok(None);
    }
    let (kind, data, _) = element(bytes, at)?;
    let values = numbers(kind, data).ok_or(format!(
        "array {name:?} stored as type {kind}: expected a numeric storage type"
    ))?;
    if values.len() != dims.iter().product::<usize>() {
        return Err(format!(
            "array {name:?} of dimensions {dims:?} holds {} values",
            values.len()
        ));
    }
    Ok(Some(MatArray { name, dims, values }))
}

fn numbers(kind: u32, data: &[u8]) -> Option<Vec<f64>> {
    let of = |size: usize, f: &dyn Fn(&[u8]) -> f64| data.chunks_exact(size).map(f).collect();
    Some(match kind {
        MI_INT8 => of(1, &|b| f64::from(b[0] as i8)),
        MI_UINT8 => of(1, &|b| f64::from(b[0])),
        MI_INT16 => of(2, &|b| f64::from(i16::from_le_bytes([b[0], b[1]]))),
        MI_UINT16 => of(2, &|b| f64::from(u16::from_le_bytes([b[0], b[1]]))),
        MI_INT32 => of(4, &|b| {
            f64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        }),
        MI_UINT32 => of(4, &|b| {
            f64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        }),
        MI_SINGLE => of(4, &|b| {
            f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        }),
        MI_DOUBLE => of(8, &|b| f64::from_le_bytes(b.try_into().expect("8 bytes"))),
        MI_INT64 => of(8, &|b| {
            i64::from_le_bytes(b.try_into().expect("8 bytes")) as f64
        }),
        MI_UINT64 => of(8, &|b| {
            u64::from_le_bytes(b.try_into().expect("8 bytes")) as f64
        }),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_that_are_not_mat5_say_what_they_are() {
        assert!(parse_mat(b"\x89HDF\r\n").unwrap_err().contains("HDF5"));
        let mut big_endian = b"MATLAB 5.0 MAT-file".to_vec();
        big_endian.resize(128, b' ');
        big_endian[126] = b'M';
        big_endian[127] = b'I';
        assert!(parse_mat(&big_endian).unwrap_err().contains("big-endian"));
    }
}
