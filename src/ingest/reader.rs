//! What a reader of annotation sets is: its format, how it recognises its files by content,
//! the file name endings it takes, and how it reads. [`super::registry::READERS`] lists the
//! readers; detection, set indexing and the CLI's `--input-format` go through that table.

use super::format::Format;
use super::loaded::{FovFile, LoadedSet};
use super::options::ReadOptions;
use crate::error::{Error, Location, Problem, Result};
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::fmt::Debug;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How a format lays a set out in files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One file per FOV: a folder of files is a set.
    PerFov,
    /// One file holds a whole set.
    OneFile,
    /// Files anywhere under a folder together hold a set (each FOV in one of them).
    ManyFiles,
}

/// A file's content as detection sees it: its first bytes, and for JSON its top level.
#[derive(Debug, Clone, PartialEq)]
pub enum Sniff {
    /// Nothing but white space.
    Empty,
    /// Bytes that are not JSON: the first 4 KiB, a UTF-8 byte-order mark removed.
    Head(Vec<u8>),
    /// A JSON object: its member names, and its `type` member when that is a string.
    JsonObject {
        keys: Vec<String>,
        kind: Option<String>,
    },
    /// A JSON list: the member names and `type` of its first item (`None` when it is empty
    /// or not an object).
    JsonList {
        first: Option<(Vec<String>, Option<String>)>,
    },
}

/// How many bytes of a file detection reads (JSON is read whole, its values scanned, not
/// built).
const HEAD: u64 = 4096;

impl Sniff {
    /// Reads enough of a file to tell its format.
    pub fn of_file(path: &Path) -> Result<Sniff> {
        use std::io::Read;
        let mut head = Vec::with_capacity(HEAD as usize);
        std::fs::File::open(path)
            .and_then(|file| file.take(HEAD).read_to_end(&mut head))
            .map_err(|e| Error::io(path, "read", e))?;
        if is_json(&head) {
            let bytes = std::fs::read(path).map_err(|e| Error::io(path, "read", e))?;
            return Sniff::of_bytes(path, &bytes);
        }
        Sniff::of_bytes(path, &head)
    }

    /// Tells what `bytes` (a file's start, or all of it for JSON) are.
    pub fn of_bytes(path: &Path, bytes: &[u8]) -> Result<Sniff> {
        let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        if text.iter().all(|b| b.is_ascii_whitespace()) {
            return Ok(Sniff::Empty);
        }
        if !is_json(text) {
            return Ok(Sniff::Head(text.to_vec()));
        }
        scan_json(text).map_err(|e| {
            Error::input(
                Location::row(path, e.line() as u64),
                Problem::Invalid {
                    message: format!("not valid JSON: {e}"),
                },
            )
        })
    }

    /// The first line of text, lower-cased (for CSV headers); `None` for binary content (a
    /// NUL byte in the head: parquet and PNG have them, text does not).
    pub fn first_line(&self) -> Option<String> {
        match self {
            Sniff::Head(bytes) if !bytes.contains(&0) => {
                let text = String::from_utf8_lossy(bytes).to_lowercase();
                Some(text.lines().next().unwrap_or("").to_string())
            }
            _ => None,
        }
    }

    /// What was found, for an error that lists what was expected.
    pub fn describe(&self) -> String {
        match self {
            Sniff::Empty => "an empty file".into(),
            Sniff::Head(_) => match self.first_line() {
                Some(line) => {
                    let line: String = line.chars().take(60).collect();
                    format!("text starting {line:?}")
                }
                None => "binary content".into(),
            },
            Sniff::JsonObject { keys, .. } => {
                let keys: Vec<&str> = keys.iter().map(String::as_str).take(8).collect();
                format!("a JSON object with keys [{}]", keys.join(", "))
            }
            Sniff::JsonList { first: None } => "an empty JSON list".into(),
            Sniff::JsonList {
                first: Some((keys, _)),
            } => {
                let keys: Vec<&str> = keys.iter().map(String::as_str).take(8).collect();
                format!(
                    "a JSON list whose first item has keys [{}]",
                    keys.join(", ")
                )
            }
        }
    }
}

fn is_json(bytes: &[u8]) -> bool {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    matches!(
        text.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    )
}

/// A JSON object's members, their values left unparsed.
type Members<'a> = BTreeMap<String, &'a RawValue>;

fn scan_json(text: &[u8]) -> serde_json::Result<Sniff> {
    let kind = |members: &Members<'_>| {
        members
            .get("type")
            .and_then(|v| serde_json::from_str::<String>(v.get()).ok())
    };
    let first = text.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'[') {
        let items: Vec<&RawValue> = serde_json::from_slice(text)?;
        let first = items
            .first()
            .and_then(|item| serde_json::from_str::<Members<'_>>(item.get()).ok())
            .map(|m| (m.keys().cloned().collect(), kind(&m)));
        let first = match (items.is_empty(), first) {
            (true, _) => None,
            (false, Some(f)) => Some(f),
            (false, None) => Some((Vec::new(), None)),
        };
        return Ok(Sniff::JsonList { first });
    }
    let members: Members<'_> = serde_json::from_slice(text)?;
    Ok(Sniff::JsonObject {
        kind: kind(&members),
        keys: members.into_keys().collect(),
    })
}

/// A reader of one format.
pub trait Reader: Sync {
    /// The format it reads.
    fn format(&self) -> Format;

    /// How the format lays a set out in files.
    fn layout(&self) -> Layout;

    /// The file name endings it takes (lower case, with the dot).
    fn extensions(&self) -> &'static [&'static str];

    /// The subfolder its files sit in in the NuCLS release layout (`csv`, `mask`), if any.
    fn subfolder(&self) -> Option<&'static str> {
        None
    }

    /// What its files look like, for errors that list what was expected.
    fn expected(&self) -> &'static str;

    /// Whether a file with this content is in its format.
    fn recognises(&self, sniff: &Sniff) -> bool;

    /// The class scheme a set in this format uses when none is chosen (`--classes`,
    /// `--hierarchy`): CoNIC's arrays are CoNIC's classes. `None` keeps NuCLS's.
    fn scheme(&self, files: &[PathBuf]) -> Result<Option<crate::model::ClassHierarchy>> {
        let _ = files;
        Ok(None)
    }

    /// For [`Layout::PerFov`]: a reader of the set's FOV files, given where to look for the
    /// set's metadata (`find("nucleus_GTcodes.csv")`).
    fn open_fovs(
        &self,
        find: &dyn Fn(&str) -> Option<PathBuf>,
        options: &ReadOptions,
    ) -> Result<Arc<dyn FovReader>> {
        let _ = (find, options);
        Err(Error::Layout {
            path: PathBuf::new(),
            message: format!("{} holds a whole set, not one FOV per file", self.format()),
        })
    }

    /// For [`Layout::OneFile`] and [`Layout::ManyFiles`]: reads the whole set.
    fn read_set(&self, files: &[PathBuf], options: &ReadOptions) -> Result<LoadedSet> {
        let _ = options;
        Err(Error::Layout {
            path: files.first().cloned().unwrap_or_default(),
            message: format!("{} holds one FOV per file, not a whole set", self.format()),
        })
    }
}

/// Reads one FOV's file of a per-FOV format, with what it needs of the set (its options,
/// codes tables) bound in.
pub trait FovReader: Send + Sync + Debug {
    fn read_fov(&self, path: &Path) -> Result<FovFile>;
}
