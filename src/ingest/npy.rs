//! NumPy's `.npy` files: the header (dtype, order, shape) and the elements of any slice,
//! read from the file as needed (CoNIC's label arrays are gigabytes).
//!
//! ```
//! use nucagree::ingest::npy::{NpyHeader, Dtype};
//! let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
//! let dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }";
//! let padded = format!("{dict:<117}\n");
//! bytes.extend_from_slice(&(padded.len() as u16).to_le_bytes());
//! bytes.extend_from_slice(padded.as_bytes());
//! let header = NpyHeader::parse(&bytes).unwrap();
//! assert_eq!(header.dtype, Dtype::Int { bytes: 4, signed: true });
//! assert_eq!(header.shape, vec![2, 3]);
//! assert_eq!(header.data_offset, 128);
//! ```

use crate::error::{Error, Location, Problem, Result};
use std::io::Read;
use std::path::{Path, PathBuf};

/// The element types read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dtype {
    Int {
        bytes: usize,
        signed: bool,
    },
    Float {
        bytes: usize,
    },
    /// Fixed-length UCS-4 text of `chars` characters (`<U6`).
    Unicode {
        chars: usize,
    },
}

impl Dtype {
    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            Dtype::Int { bytes, .. } | Dtype::Float { bytes } => bytes,
            Dtype::Unicode { chars } => 4 * chars,
        }
    }

    fn parse(descr: &str) -> Option<Dtype> {
        // Checked: a corrupt header may hold an empty or non-ASCII descr.
        let (order, code) = descr.split_at_checked(1)?;
        if !matches!(order, "<" | "|" | "=") {
            return None;
        }
        let (kind, size) = code.split_at_checked(1)?;
        let size: usize = size.parse().ok()?;
        match (kind, size) {
            ("i", 1 | 2 | 4 | 8) => Some(Dtype::Int {
                bytes: size,
                signed: true,
            }),
            ("u", 1 | 2 | 4 | 8) => Some(Dtype::Int {
                bytes: size,
                signed: false,
            }),
            ("b", 1) => Some(Dtype::Int {
                bytes: 1,
                signed: false,
            }),
            ("f", 4 | 8) => Some(Dtype::Float { bytes: size }),
            // Names of at most a million characters (the size in bytes cannot overflow).
            ("U", n) if (1..=1 << 20).contains(&n) => Some(Dtype::Unicode { chars: n }),
            _ => None,
        }
    }
}

/// What an `.npy` file's header says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NpyHeader {
    pub dtype: Dtype,
    pub shape: Vec<usize>,
    /// Where the elements start.
    pub data_offset: u64,
}

impl NpyHeader {
    /// Parses the header at the start of `bytes`; the error says what is wrong.
    pub fn parse(bytes: &[u8]) -> std::result::Result<NpyHeader, String> {
        if !bytes.starts_with(b"\x93NUMPY") || bytes.len() < 10 {
            return Err("not a NumPy .npy file: expected it to start with \\x93NUMPY".into());
        }
        let major = bytes[6];
        let (length, start) = match major {
            1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
            2 | 3 if bytes.len() >= 12 => (
                u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
                12,
            ),
            _ => return Err(format!(".npy version {major}: expected 1, 2 or 3")),
        };
        let text = bytes
            .get(start..start + length)
            .ok_or("a header longer than the file")?;
        let text = std::str::from_utf8(text).map_err(|_| "a header that is not text")?;
        let field = |key: &str| -> std::result::Result<&str, String> {
            let at = text
                .find(&format!("'{key}'"))
                .ok_or(format!("a header without {key:?}"))?;
            let rest = text[at + key.len() + 2..].trim_start();
            Ok(rest.strip_prefix(':').unwrap_or(rest).trim_start())
        };
        let descr = field("descr")?;
        let descr = descr
            .strip_prefix('\'')
            .and_then(|d| d.split('\'').next())
            .ok_or("a descr that is not a string: expected a simple dtype such as '<i4'")?;
        let dtype = Dtype::parse(descr).ok_or(format!(
            "dtype {descr:?}: expected integers ('<i4', '<u2', ...), floats ('<f8') or text ('<U6')"
        ))?;
        if field("fortran_order")?.starts_with("True") {
            return Err("a Fortran-ordered array: expected C order (np.ascontiguousarray)".into());
        }
        let shape = field("shape")?;
        let inner = shape
            .strip_prefix('(')
            .and_then(|s| s.split(')').next())
            .ok_or("a shape that is not a tuple")?;
        let shape = inner
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<usize>())
            .collect::<std::result::Result<Vec<usize>, _>>()
            .map_err(|_| format!("shape ({inner}): expected whole numbers"))?;
        Ok(NpyHeader {
            dtype,
            shape,
            data_offset: (start + length) as u64,
        })
    }

    /// Elements in all.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// An open `.npy` file.
#[derive(Debug)]
pub struct NpyFile {
    pub path: PathBuf,
    pub header: NpyHeader,
    file: std::fs::File,
}

impl NpyFile {
    /// Opens a file and reads its header, checking that the file holds every element.
    pub fn open(path: &Path) -> Result<NpyFile> {
        let invalid =
            |message: String| Error::input(Location::file(path), Problem::Invalid { message });
        let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, "open", e))?;
        let mut head = Vec::new();
        (&mut file)
            .take(65_536 + 12)
            .read_to_end(&mut head)
            .map_err(|e| Error::io(path, "read", e))?;
        let header = NpyHeader::parse(&head).map_err(invalid)?;
        let size = file
            .metadata()
            .map_err(|e| Error::io(path, "read", e))?
            .len();
        let needed = header.data_offset + (header.len() * header.dtype.size()) as u64;
        if size < needed {
            return Err(invalid(format!(
                "{size} bytes: its header {:?} of {:?} needs {needed}",
                header.shape, header.dtype
            )));
        }
        Ok(NpyFile {
            path: path.to_path_buf(),
            header,
            file,
        })
    }

    /// The raw bytes of `count` elements from element `start` (a positional read: threads
    /// may read different slices at once; the arrays may be gigabytes, so they are read a
    /// slice at a time).
    pub fn read_bytes(&self, start: usize, count: usize) -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        self.read_bytes_into(start, count, &mut bytes)?;
        Ok(bytes)
    }

    /// [`NpyFile::read_bytes`] into a buffer the caller keeps (reading image after image,
    /// one buffer serves them all).
    pub fn read_bytes_into(&self, start: usize, count: usize, bytes: &mut Vec<u8>) -> Result<()> {
        let size = self.header.dtype.size();
        bytes.resize(count * size, 0);
        let offset = self.header.data_offset + (start * size) as u64;
        read_at(&self.file, &self.path, bytes, offset).map_err(|e| Error::io(&self.path, "read", e))
    }

    /// `count` elements from `start` as ids (whole numbers from 0 to 2^32 - 1) into `ids`,
    /// through the caller's byte buffer `bytes`; the inner `Err` gives the position (from
    /// `start`) and value of the first element that is not one.
    pub fn read_ids_into(
        &self,
        start: usize,
        count: usize,
        bytes: &mut Vec<u8>,
        ids: &mut Vec<u32>,
    ) -> Result<std::result::Result<(), (usize, f64)>> {
        if let (Dtype::Int { bytes: 4, signed }, true) =
            (self.header.dtype, cfg!(target_endian = "little"))
        {
            // 32-bit ids (CoNIC's int32, the usual case): read straight into the ids.
            ids.resize(count, 0);
            let offset = self.header.data_offset + (start * 4) as u64;
            read_at(
                &self.file,
                &self.path,
                bytemuck::cast_slice_mut(ids),
                offset,
            )
            .map_err(|e| Error::io(&self.path, "read", e))?;
            let sign_bits = ids.iter().fold(0u32, |all, &v| all | v) >> 31;
            if signed && sign_bits != 0 {
                let at = ids
                    .iter()
                    .position(|&v| (v as i32) < 0)
                    .expect("a sign bit");
                return Ok(Err((at, f64::from(ids[at] as i32))));
            }
            return Ok(Ok(()));
        }
        self.read_bytes_into(start, count, bytes)?;
        let bytes: &[u8] = bytes;
        let whole =
            |v: f64| (v >= 0.0 && v.fract() == 0.0 && v <= f64::from(u32::MAX)).then_some(v as u32);
        Ok(match self.header.dtype {
            Dtype::Int {
                bytes: 1,
                signed: true,
            } => ids_of::<1>(bytes, ids, |b| {
                let v = b[0] as i8;
                u32::try_from(v).map_err(|_| f64::from(v))
            }),
            Dtype::Int { bytes: 1, .. } => ids_of::<1>(bytes, ids, |b| Ok(u32::from(b[0]))),
            Dtype::Int {
                bytes: 2,
                signed: true,
            } => ids_of::<2>(bytes, ids, |b| {
                let v = i16::from_le_bytes(b);
                u32::try_from(v).map_err(|_| f64::from(v))
            }),
            Dtype::Int { bytes: 2, .. } => {
                ids_of::<2>(bytes, ids, |b| Ok(u32::from(u16::from_le_bytes(b))))
            }
            Dtype::Int {
                bytes: 4,
                signed: true,
            } => ids_of::<4>(bytes, ids, |b| {
                let v = i32::from_le_bytes(b);
                u32::try_from(v).map_err(|_| f64::from(v))
            }),
            Dtype::Int { bytes: 4, .. } => ids_of::<4>(bytes, ids, |b| Ok(u32::from_le_bytes(b))),
            Dtype::Int { signed: true, .. } => ids_of::<8>(bytes, ids, |b| {
                let v = i64::from_le_bytes(b);
                u32::try_from(v).map_err(|_| v as f64)
            }),
            Dtype::Int { .. } => ids_of::<8>(bytes, ids, |b| {
                let v = u64::from_le_bytes(b);
                u32::try_from(v).map_err(|_| v as f64)
            }),
            Dtype::Float { bytes: 4 } => ids_of::<4>(bytes, ids, |b| {
                let v = f64::from(f32::from_le_bytes(b));
                whole(v).ok_or(v)
            }),
            Dtype::Float { .. } => ids_of::<8>(bytes, ids, |b| {
                let v = f64::from_le_bytes(b);
                whole(v).ok_or(v)
            }),
            Dtype::Unicode { .. } => Err((0, f64::NAN)),
        })
    }

    /// Every element as text (for `<U` arrays).
    pub fn read_texts(&self) -> Result<Vec<String>> {
        let Dtype::Unicode { chars } = self.header.dtype else {
            return Err(Error::input(
                Location::file(&self.path),
                Problem::Invalid {
                    message: format!("dtype {:?}: expected text ('<U…')", self.header.dtype),
                },
            ));
        };
        let bytes = self.read_bytes(0, self.header.len())?;
        Ok(bytes
            .chunks_exact(4 * chars)
            .map(|element| {
                element
                    .chunks_exact(4)
                    .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .take_while(|&c| c != 0)
                    .filter_map(char::from_u32)
                    .collect()
            })
            .collect())
    }
}

#[cfg(unix)]
fn read_at(file: &std::fs::File, _: &Path, bytes: &mut [u8], offset: u64) -> std::io::Result<()> {
    use std::os::unix::fs::FileExt;
    file.read_exact_at(bytes, offset)
}

#[cfg(not(unix))]
fn read_at(_: &std::fs::File, path: &Path, bytes: &mut [u8], offset: u64) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom};
    // A handle of its own (a cloned one would share its position with other threads).
    let mut file = std::fs::File::open(path)?;
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(bytes)
}

/// Each `N`-byte element as an id, into `ids`, or the position and value of the first that
/// is not one. The elements are converted in one pass without stopping (so that it
/// vectorises) and searched for the culprit only when one failed.
fn ids_of<const N: usize>(
    bytes: &[u8],
    ids: &mut Vec<u32>,
    id: impl Fn([u8; N]) -> std::result::Result<u32, f64>,
) -> std::result::Result<(), (usize, f64)> {
    let element = |chunk: &[u8]| -> [u8; N] { chunk.try_into().expect("N bytes") };
    let mut all_ids = true;
    ids.clear();
    ids.extend(bytes.chunks_exact(N).map(|chunk| {
        let value = id(element(chunk));
        all_ids &= value.is_ok();
        value.unwrap_or(0)
    }));
    if all_ids {
        return Ok(());
    }
    for (at, chunk) in bytes.chunks_exact(N).enumerate() {
        id(element(chunk)).map_err(|value| (at, value))?;
    }
    unreachable!("an element failed")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the fuzz harness: an empty or non-ASCII descr panicked on slicing.
    #[test]
    fn a_corrupt_descr_is_no_dtype() {
        for descr in ["", "\u{feff}U6", "<\u{feff}4", "<U99999999999", "<", "<i"] {
            assert_eq!(Dtype::parse(descr), None, "{descr:?}");
        }
        assert_eq!(Dtype::parse("<U6"), Some(Dtype::Unicode { chars: 6 }));
    }

    #[test]
    fn ids_are_whole_numbers_from_zero() {
        let ints: Vec<u8> = [7i32, -3].iter().flat_map(|v| v.to_le_bytes()).collect();
        let id = |b: [u8; 4]| {
            let v = i32::from_le_bytes(b);
            u32::try_from(v).map_err(|_| f64::from(v))
        };
        let mut ids = Vec::new();
        assert_eq!(ids_of::<4>(&ints, &mut ids, id), Err((1, -3.0)));
        assert_eq!(ids_of::<4>(&ints[..4], &mut ids, id), Ok(()));
        assert_eq!(ids, vec![7]);
    }

    #[test]
    fn headers_that_are_not_read_say_why() {
        let header = |dict: &str| {
            let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
            bytes.extend_from_slice(&(dict.len() as u16).to_le_bytes());
            bytes.extend_from_slice(dict.as_bytes());
            NpyHeader::parse(&bytes)
        };
        assert!(
            header("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }")
                .unwrap_err()
                .contains("dtype \"|O\"")
        );
        assert!(
            header("{'descr': '<i4', 'fortran_order': True, 'shape': (2,), }")
                .unwrap_err()
                .contains("Fortran")
        );
        assert_eq!(
            header("{'descr': '<U6', 'fortran_order': False, 'shape': (8,), }")
                .unwrap()
                .dtype,
            Dtype::Unicode { chars: 6 }
        );
        assert!(NpyHeader::parse(b"PK\x03\x04").is_err());
    }
}
