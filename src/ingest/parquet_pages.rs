//! Checks a parquet file's footer and page headers before the decoder trusts them.
//!
//! polars' decoder sizes its buffers by what the headers declare: a corrupt page header that
//! declares 2^61 values makes it reserve that many bits, and an allocation failure aborts
//! the process (it is not a panic that [`std::panic::catch_unwind`] can turn into an
//! error). So every column chunk's pages are walked first, reading only their headers: each
//! must lie inside its chunk and the file, declare sizes and counts within bounds, and the
//! data pages' value counts must add up to the chunk's. A file that fails is refused with
//! the row group, column and page that broke the rule.
//!
//! ```
//! # let folder = tempfile::tempdir().unwrap();
//! let path = folder.path().join("not.parquet");
//! std::fs::write(&path, b"PAR1 this is not parquet PAR1").unwrap();
//! let error = nucagree::ingest::parquet_pages::check_pages(&path).unwrap_err();
//! assert!(error.to_string().contains("parquet"));
//! ```

use crate::error::{Error, Location, Problem, Result};
use polars_parquet_format::thrift::protocol::TCompactInputProtocol;
use polars_parquet_format::{ColumnMetaData, FileMetaData, PageHeader, PageType};
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// The most values one column chunk may declare (a bitmap of them is 256 MB).
pub const MAX_CHUNK_VALUES: i64 = 1 << 31;

/// The most bytes one page may declare once decompressed.
pub const MAX_PAGE_BYTES: i64 = 1 << 30;

/// The most memory the thrift decoder may reserve for a footer or a page header (it
/// counts 8 bytes per list element and 2 per struct, not the bytes read).
const THRIFT_BUDGET: usize = 256 << 20;

/// Checks the footer and every page header of the parquet file at `path` (see the module
/// documentation); reads headers only, not the data.
pub fn check_pages(path: &Path) -> Result<()> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, "read", e))?;
    let length = file
        .metadata()
        .map_err(|e| Error::io(path, "read", e))?
        .len();
    let mut reader = BufReader::with_capacity(8 << 10, file);
    let corrupt = |message: String| {
        Error::input(
            Location::file(path),
            Problem::Invalid {
                message: format!("not a readable parquet file (corrupt?): {message}"),
            },
        )
    };
    let io = |e: std::io::Error| Error::io(path, "read", e);
    let metadata = read_footer(&mut reader, length).map_err(|m| corrupt(m.to_string()))?;
    for (group_index, group) in metadata.row_groups.iter().enumerate() {
        if group.num_rows < 0 {
            return Err(corrupt(format!(
                "row group {} declares {} rows",
                group_index + 1,
                group.num_rows
            )));
        }
        for column in &group.columns {
            let Some(chunk) = &column.meta_data else {
                return Err(corrupt(format!(
                    "row group {} has a column chunk without metadata",
                    group_index + 1
                )));
            };
            let place = format!(
                "row group {}, column {}",
                group_index + 1,
                chunk.path_in_schema.join(".")
            );
            check_chunk(&mut reader, length, chunk, group.num_rows).map_err(|e| match e {
                ChunkError::Io(e) => io(e),
                ChunkError::Corrupt(message) => corrupt(format!("{place}: {message}")),
            })?;
        }
    }
    Ok(())
}

enum ChunkError {
    Io(std::io::Error),
    Corrupt(String),
}

impl From<std::io::Error> for ChunkError {
    fn from(e: std::io::Error) -> Self {
        ChunkError::Io(e)
    }
}

/// The file's metadata, from its footer (`<metadata><length: u32 LE>PAR1`).
fn read_footer<R: Read + Seek>(
    reader: &mut R,
    length: u64,
) -> std::result::Result<FileMetaData, String> {
    if length < 12 {
        return Err(format!("{length} bytes is too short for a parquet file"));
    }
    let mut tail = [0u8; 8];
    reader
        .seek(SeekFrom::Start(length - 8))
        .and_then(|_| reader.read_exact(&mut tail))
        .map_err(|e| e.to_string())?;
    if &tail[4..] != b"PAR1" {
        return Err("the file does not end with PAR1".into());
    }
    let footer_length = u64::from(u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]));
    if footer_length + 12 > length {
        return Err(format!(
            "the footer declares {footer_length} bytes, more than the file holds"
        ));
    }
    reader
        .seek(SeekFrom::Start(length - 8 - footer_length))
        .map_err(|e| e.to_string())?;
    let mut protocol = TCompactInputProtocol::new(reader.take(footer_length), THRIFT_BUDGET);
    FileMetaData::read_from_in_protocol(&mut protocol)
        .map_err(|e| format!("cannot read the footer: {e}"))
}

/// Walks one column chunk's page headers.
fn check_chunk<R: Read + Seek>(
    reader: &mut R,
    length: u64,
    chunk: &ColumnMetaData,
    num_rows: i64,
) -> std::result::Result<(), ChunkError> {
    let corrupt = |m: String| Err(ChunkError::Corrupt(m));
    if !(0..=MAX_CHUNK_VALUES).contains(&chunk.num_values) {
        return corrupt(format!(
            "declares {} values (expected 0 to {MAX_CHUNK_VALUES})",
            chunk.num_values
        ));
    }
    // Every row has at least one entry (a value, a null or an empty list) in every column.
    if num_rows > chunk.num_values {
        return corrupt(format!(
            "holds {} values for {num_rows} rows",
            chunk.num_values
        ));
    }
    let start = chunk
        .dictionary_page_offset
        .filter(|&offset| offset > 0)
        .unwrap_or(chunk.data_page_offset);
    let end = start.checked_add(chunk.total_compressed_size);
    let Some(end) = end.filter(|&end| start >= 4 && end <= length as i64 && end >= start) else {
        return corrupt(format!(
            "its bytes ({start} and {} after) are not inside the file of {length} bytes",
            chunk.total_compressed_size
        ));
    };
    let mut position = start;
    let mut values = 0i64;
    let mut page_number = 0usize;
    while values < chunk.num_values {
        page_number += 1;
        if position >= end {
            return corrupt(format!(
                "its pages hold {values} values, the chunk declares {}",
                chunk.num_values
            ));
        }
        reader.seek(SeekFrom::Start(position as u64))?;
        let left = (end - position) as u64;
        let mut counted = CountingReader {
            inner: reader.by_ref().take(left),
            read: 0,
        };
        let header = {
            let mut protocol = TCompactInputProtocol::new(&mut counted, THRIFT_BUDGET);
            match PageHeader::read_from_in_protocol(&mut protocol) {
                Ok(header) => header,
                Err(e) => {
                    return corrupt(format!("page {page_number}: cannot read its header: {e}"))
                }
            }
        };
        let page = |m: String| corrupt(format!("page {page_number}: {m}"));
        if !(0..=MAX_PAGE_BYTES).contains(&i64::from(header.uncompressed_page_size)) {
            return page(format!(
                "declares {} bytes uncompressed (expected 0 to {MAX_PAGE_BYTES})",
                header.uncompressed_page_size
            ));
        }
        let data_start = position + counted.read as i64;
        let data_end = data_start + i64::from(header.compressed_page_size);
        if header.compressed_page_size < 0 || data_end > end {
            return page(format!(
                "declares {} bytes, past the end of its column chunk",
                header.compressed_page_size
            ));
        }
        let declared = match header.type_ {
            PageType::DATA_PAGE => match &header.data_page_header {
                Some(data) => Some(i64::from(data.num_values)),
                None => return page("a data page without its header".into()),
            },
            PageType::DATA_PAGE_V2 => match &header.data_page_header_v2 {
                Some(data) => {
                    let in_range = |n: i32| (0..=data.num_values).contains(&n);
                    if !in_range(data.num_nulls) || !in_range(data.num_rows) {
                        return page(format!(
                            "declares {} nulls and {} rows in {} values",
                            data.num_nulls, data.num_rows, data.num_values
                        ));
                    }
                    Some(i64::from(data.num_values))
                }
                None => return page("a data page without its header".into()),
            },
            PageType::DICTIONARY_PAGE => match &header.dictionary_page_header {
                Some(dictionary)
                    if (0..=MAX_CHUNK_VALUES).contains(&i64::from(dictionary.num_values)) =>
                {
                    None
                }
                Some(dictionary) => {
                    return page(format!("a dictionary of {} values", dictionary.num_values))
                }
                None => return page("a dictionary page without its header".into()),
            },
            _ => None,
        };
        if let Some(declared) = declared {
            if declared < 0 || declared > chunk.num_values - values {
                return page(format!(
                    "declares {declared} values where {} are left of the chunk's {}",
                    chunk.num_values - values,
                    chunk.num_values
                ));
            }
            values += declared;
        }
        position = data_end;
    }
    Ok(())
}

/// Counts the bytes a header took.
struct CountingReader<R> {
    inner: R,
    read: usize,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buffer)?;
        self.read += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_too_short_or_without_its_magic_is_refused() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("x.parquet");
        std::fs::write(&path, b"PAR1").unwrap();
        let error = check_pages(&path).unwrap_err().to_string();
        assert!(error.contains("too short"), "{error}");
        std::fs::write(&path, b"PAR1 some bytes here PAR2").unwrap();
        let error = check_pages(&path).unwrap_err().to_string();
        assert!(error.contains("does not end with PAR1"), "{error}");
    }

    #[test]
    fn a_footer_longer_than_the_file_is_refused() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("x.parquet");
        let mut bytes = b"PAR1abcd".to_vec();
        bytes.extend_from_slice(&1000u32.to_le_bytes());
        bytes.extend_from_slice(b"PAR1");
        std::fs::write(&path, bytes).unwrap();
        let error = check_pages(&path).unwrap_err().to_string();
        assert!(error.contains("the footer declares 1000 bytes"), "{error}");
    }
}
