//! Errors of the library. Every error about input names where it was found: the file, and
//! where it applies the row (1-based, the header being row 1) and the column.

use std::fmt;
use std::path::{Path, PathBuf};

/// What kind of position within a file an input error points at.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Position {
    /// The file as a whole.
    File,
    /// A line or record of a text file (1-based; a CSV's header is row 1).
    Row(u64),
    /// A line and column of a text file (both 1-based), as TOML and JSON parsers report.
    LineColumn { line: u64, column: u64 },
    /// A CSV cell: the row (1-based, the header being row 1) and the column's name.
    Cell { row: u64, column: String },
    /// A value of a JSON document, by its JSON pointer (`/annotations/12/bbox`).
    JsonPointer(String),
    /// A field of a parquet row (1-based).
    ParquetField { row: u64, field: String },
    /// An instance of a label image or mask (its position, 1-based) and what of it.
    MaskInstance { instance: u64, what: String },
}

/// Where in the input something was found: a file and a position in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    pub position: Position,
}

impl Location {
    pub fn file(path: &Path) -> Location {
        Location::at(path, Position::File)
    }

    /// A CSV cell (row 1-based, the header being row 1).
    pub fn cell(path: &Path, row: u64, column: &str) -> Location {
        Location::at(
            path,
            Position::Cell {
                row,
                column: column.to_string(),
            },
        )
    }

    /// A line or record (1-based).
    pub fn row(path: &Path, row: u64) -> Location {
        Location::at(path, Position::Row(row))
    }

    /// A line and column of a text file (1-based).
    pub fn line_column(path: &Path, line: u64, column: u64) -> Location {
        Location::at(path, Position::LineColumn { line, column })
    }

    /// A value of a JSON document.
    pub fn json_pointer(path: &Path, pointer: &str) -> Location {
        Location::at(path, Position::JsonPointer(pointer.to_string()))
    }

    /// A field of a parquet row (1-based).
    pub fn parquet_field(path: &Path, row: u64, field: &str) -> Location {
        Location::at(
            path,
            Position::ParquetField {
                row,
                field: field.to_string(),
            },
        )
    }

    /// An instance of a mask (1-based) and what of it.
    pub fn mask_instance(path: &Path, instance: u64, what: &str) -> Location {
        Location::at(
            path,
            Position::MaskInstance {
                instance,
                what: what.to_string(),
            },
        )
    }

    fn at(path: &Path, position: Position) -> Location {
        Location {
            path: path.to_path_buf(),
            position,
        }
    }

    /// The 1-based row, line, record or instance, where the position has one.
    pub fn row_number(&self) -> Option<u64> {
        match &self.position {
            Position::Row(row)
            | Position::Cell { row, .. }
            | Position::ParquetField { row, .. }
            | Position::MaskInstance { instance: row, .. }
            | Position::LineColumn { line: row, .. } => Some(*row),
            Position::File | Position::JsonPointer(_) => None,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        match &self.position {
            Position::File => Ok(()),
            Position::Row(row) => write!(f, ":{row}"),
            Position::LineColumn { line, column } => write!(f, ":{line}:{column}"),
            Position::Cell { row, column } => write!(f, ":{row}:{column}"),
            Position::JsonPointer(pointer) => write!(f, ":{pointer}"),
            Position::ParquetField { row, field } => write!(f, ":{row}:{field}"),
            Position::MaskInstance { instance, what } => write!(f, ":{instance}:{what}"),
        }
    }
}

/// What was wrong with a piece of input, and what was expected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
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
    #[error("unknown class {name:?}: expected one of the hierarchy's raw classes ({known})")]
    UnknownClass { name: String, known: String },
    #[error("type {type_id} has no class: the type map knows {known}")]
    TypeWithoutClass { type_id: i64, known: String },
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
#[non_exhaustive]
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
    /// An input needs another file, or an output another place, which the caller can give.
    #[error("{}: {message}", path.display())]
    Needs {
        path: PathBuf,
        message: String,
        remedy: Remedy,
    },
    /// An output folder lies inside an input: writing there could overwrite it.
    #[error("{}: is inside the input {}: expected an output folder outside the inputs", out.display(), input.display())]
    OutputInsideInput { out: PathBuf, input: PathBuf },
    /// An output folder holds an input: replacing it would delete the input.
    #[error("{}: holds the input {}: expected an output folder that holds no input (an output folder is replaced whole)", out.display(), input.display())]
    OutputHoldsInput { out: PathBuf, input: PathBuf },
    /// An output could not be encoded.
    #[error("cannot encode {what}: {source}")]
    Encode {
        what: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl Error {
    pub fn input(location: Location, problem: Problem) -> Error {
        Error::Input { location, problem }
    }

    /// An output that could not be encoded, with the encoder's error.
    pub fn encode(
        what: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Error {
        Error::Encode {
            what: what.into(),
            source: source.into(),
        }
    }

    pub fn io(path: &Path, action: &'static str, source: std::io::Error) -> Error {
        Error::Io {
            path: path.to_path_buf(),
            action,
            source,
        }
    }

    /// What the caller can give to fix the error, when something can (the command line
    /// names the flag).
    pub fn remedy(&self) -> Option<Remedy> {
        match self {
            Error::Input {
                problem: Problem::UnknownClass { .. },
                ..
            } => Some(Remedy::ClassMap),
            Error::Input {
                problem: Problem::TypeWithoutClass { .. },
                ..
            } => Some(Remedy::TypeMap),
            Error::Needs { remedy, .. } => Some(*remedy),
            Error::OutputInsideInput { .. } | Error::OutputHoldsInput { .. } => {
                Some(Remedy::OutputOutsideInputs)
            }
            _ => None,
        }
    }

    /// Whether this error is about the content of an input (exit code 2) rather than the
    /// file system.
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            Error::Input { .. }
                | Error::Layout { .. }
                | Error::Hierarchy { .. }
                | Error::Needs { .. }
        )
    }
}

/// What a caller can give to fix an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Remedy {
    /// A map from the class names found to the hierarchy's raw classes.
    ClassMap,
    /// The ground-truth COCO file whose images detection results refer to.
    CocoImages,
    /// HoVer-Net's type ids mapped to classes.
    TypeMap,
    /// An output folder outside the inputs.
    OutputOutsideInputs,
    /// An empty or new output folder.
    NewOutput,
}

/// A value as an error message shows it: at most 80 characters (a 1 MB cell is not echoed
/// whole).
///
/// ```
/// use nucagree::error::{shorten, show_number};
///
/// assert_eq!(shorten("tumour"), "tumour");
/// assert_eq!(shorten(&"x".repeat(1000)).chars().count(), 80 + " (1000 characters)".len() + 1);
/// assert_eq!(show_number(1e308), "1e308");
/// assert_eq!(show_number(0.25), "0.25");
/// assert_eq!(show_number(f64::NAN), "NaN");
/// ```
pub fn shorten(text: &str) -> String {
    const MOST: usize = 80;
    if text.chars().count() <= MOST {
        text.to_string()
    } else {
        let head: String = text.chars().take(MOST).collect();
        format!("{head}… ({} characters)", text.chars().count())
    }
}

/// A number as an error message shows it: huge and tiny magnitudes in scientific notation
/// (1e308, not 309 digits), NaN and infinities by name.
pub fn show_number(value: f64) -> String {
    if value.is_finite() && value != 0.0 && !(1e-6..1e16).contains(&value.abs()) {
        format!("{value:e}")
    } else {
        value.to_string()
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
