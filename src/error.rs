//! Errors of the library. Every error about input names where it was found: the file, and
//! where it applies the row (1-based, the header being row 1) and the column.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where in the input something was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    pub row: Option<u64>,
    pub column: Option<String>,
}

impl Location {
    pub fn file(path: &Path) -> Location {
        Location {
            path: path.to_path_buf(),
            row: None,
            column: None,
        }
    }

    pub fn cell(path: &Path, row: u64, column: &str) -> Location {
        Location {
            path: path.to_path_buf(),
            row: Some(row),
            column: Some(column.to_string()),
        }
    }

    pub fn row(path: &Path, row: u64) -> Location {
        Location {
            path: path.to_path_buf(),
            row: Some(row),
            column: None,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(row) = self.row {
            write!(f, ":{row}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ":{column}")?;
        }
        Ok(())
    }
}

/// What was wrong with a piece of input, and what was expected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Problem {
    #[error("missing column {name:?}: expected a header with {expected}")]
    MissingColumn { name: String, expected: String },
    #[error("column {name:?} appears twice in the header")]
    DuplicateColumn { name: String },
    #[error("the file is empty: expected a header row")]
    EmptyFile,
    #[error("expected a number, found {found:?}")]
    NotANumber { found: String },
    #[error("expected a finite number, found {found:?}")]
    NotFinite { found: String },
    #[error("coordinate {found} is out of range: expected a magnitude below {limit:e} px")]
    OutOfRange { found: String, limit: f64 },
    #[error("{x} x coordinates but {y} y coordinates: expected as many of each")]
    LengthMismatch { x: usize, y: usize },
    #[error("empty cell: expected {expected}")]
    EmptyCell { expected: String },
    #[error("unknown class {name:?}: expected one of the hierarchy's raw classes ({known}), or map it with --class-map")]
    UnknownClass { name: String, known: String },
    #[error("unknown shape type {found:?}: expected rectangle, polyline, polygon or point")]
    UnknownShapeType { found: String },
    #[error("a point with {count} distinct coordinates: expected one")]
    PointWithSeveralCoordinates { count: usize },
    #[error("malformed CSV: {message}")]
    MalformedCsv { message: String },
    #[error("FOV {fov:?} appears twice, also in {other}")]
    DuplicateFov { fov: String, other: PathBuf },
    #[error("not valid UTF-8: expected UTF-8 text")]
    NotUtf8,
    #[error("{message}")]
    Invalid { message: String },
}

/// An error of the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input, with its location.
    #[error("{location}: {problem}")]
    Input {
        location: Location,
        problem: Problem,
    },
    /// A file or folder could not be read or written.
    #[error("{}: cannot {action}", path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// A folder holds nothing nucagree can read.
    #[error("{}: {message}", path.display())]
    Layout { path: PathBuf, message: String },
    /// A class hierarchy file is not a valid hierarchy.
    #[error("{}: not a valid class hierarchy", path.display())]
    Hierarchy {
        path: PathBuf,
        #[source]
        source: crate::model::HierarchyError,
    },
    /// An output could not be encoded.
    #[error("cannot encode {what}: {message}")]
    Encode { what: String, message: String },
}

impl Error {
    pub fn input(location: Location, problem: Problem) -> Error {
        Error::Input { location, problem }
    }

    pub fn io(path: &Path, action: &'static str, source: std::io::Error) -> Error {
        Error::Io {
            path: path.to_path_buf(),
            action,
            source,
        }
    }

    /// Whether this error is about the content of an input (exit code 2) rather than the
    /// file system.
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            Error::Input { .. } | Error::Layout { .. } | Error::Hierarchy { .. }
        )
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
