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
        let (order, code) = descr.split_at(1);
        if !matches!(order, "<" | "|" | "=") {
            return None;
        }
        let (kind, size) = code.split_at(1);
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
            ("U", n) if n > 0 => Some(Dtype::Unicode { chars: n }),
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
    /// may read different slices at once).
    pub fn read_bytes(&self, start: usize, count: usize) -> Result<Vec<u8>> {
        let size = self.header.dtype.size();
        let mut bytes = vec![0u8; count * size];
        let offset = self.header.data_offset + (start * size) as u64;
        read_at(&self.file, &self.path, &mut bytes, offset)
            .map_err(|e| Error::io(&self.path, "read", e))?;
        Ok(bytes)
    }

    /// `count` elements from `start` as numbers (integers exactly up to 2^53).
    pub fn read_numbers(&self, start: usize, count: usize) -> Result<Vec<f64>> {
        let bytes = self.read_bytes(start, count)?;
        let dtype = self.header.dtype;
        let size = dtype.size();
        Ok(bytes
            .chunks_exact(size)
            .map(|b| match dtype {
                Dtype::Int { signed: true, .. } => signed_of(b) as f64,
                Dtype::Int { signed: false, .. } => unsigned_of(b) as f64,
                Dtype::Float { bytes: 4 } => f32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64,
                Dtype::Float { .. } => f64::from_le_bytes(b.try_into().expect("8 bytes")),
                Dtype::Unicode { .. } => f64::NAN,
            })
            .collect())
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

fn unsigned_of(bytes: &[u8]) -> u64 {
    let mut value = [0u8; 8];
    value[..bytes.len()].copy_from_slice(bytes);
    u64::from_le_bytes(value)
}

fn signed_of(bytes: &[u8]) -> i64 {
    let shift = 64 - 8 * bytes.len() as u32;
    ((unsigned_of(bytes) << shift) as i64) >> shift
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_values_are_sign_extended() {
        assert_eq!(signed_of(&[0xff, 0xff, 0xff, 0xff]), -1);
        assert_eq!(signed_of(&[0x02, 0x00]), 2);
        assert_eq!(unsigned_of(&[0xff, 0xff]), 65_535);
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
