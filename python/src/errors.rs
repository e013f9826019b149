//! The library's errors as Python exceptions: bad input is `nucagree.InputError` (with the
//! path, the location as the command line prints it, and the row and column of a CSV cell),
//! a file that cannot be read or written is `OSError` (`FileNotFoundError` for a path that
//! does not exist), and a bad option is `ValueError`.

use nucagree::error::{Error, Position};
use pyo3::exceptions::{PyFileNotFoundError, PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyString;

/// The Python exception of a library error.
pub fn to_python(py: Python<'_>, error: Error) -> PyErr {
    let message = error.to_string();
    match &error {
        Error::Input { location, .. } => {
            let (row, column) = match &location.position {
                Position::Cell { row, column } => (Some(*row), Some(column.clone())),
                Position::ParquetField { row, field } => (Some(*row), Some(field.clone())),
                _ => (location.row_number(), None),
            };
            let path = location.path.display().to_string();
            let at = location.to_string();
            let shown = at.strip_prefix(&path).unwrap_or("").trim_start_matches(':');
            input_error(
                py,
                &message,
                Some(path),
                (!shown.is_empty()).then(|| shown.to_string()),
                row,
                column,
            )
        }
        Error::Io { .. } => PyOSError::new_err(message),
        Error::Layout { path, .. } if !path.exists() => PyFileNotFoundError::new_err(message),
        Error::Layout { path, .. } | Error::Needs { path, .. } | Error::Hierarchy { path, .. } => {
            input_error(
                py,
                &message,
                Some(path.display().to_string()),
                None,
                None,
                None,
            )
        }
        Error::OutputInsideInput { .. } | Error::OutputHoldsInput { .. } => {
            PyValueError::new_err(message)
        }
        _ => input_error(py, &message, None, None, None, None),
    }
}

/// `nucagree.InputError(message, path, location, row, column)`.
fn input_error(
    py: Python<'_>,
    message: &str,
    path: Option<String>,
    location: Option<String>,
    row: Option<u64>,
    column: Option<String>,
) -> PyErr {
    let made = py
        .import("nucagree.errors")
        .and_then(|module| module.getattr("InputError"))
        .and_then(|class| class.call1((PyString::new(py, message), path, location, row, column)));
    match made {
        Ok(exception) => PyErr::from_value(exception),
        Err(error) => error,
    }
}

/// A `ValueError` for an option.
pub fn bad_option(message: impl Into<String>) -> PyErr {
    PyValueError::new_err(message.into())
}
