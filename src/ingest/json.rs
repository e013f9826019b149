//! Reading JSON inputs (COCO, GeoJSON, HoVer-Net). A problem is located by the file and a
//! JSON pointer to the value (`/annotations/12/bbox`), shown where a CSV shows row and column.

use super::numbers::COORDINATE_LIMIT;
use crate::error::{Error, Location, Problem, Result};
use serde_json::Value;
use std::path::Path;

/// Parses a JSON file; a syntax error names its line.
pub(crate) fn read_json(path: &Path) -> Result<Value> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, "read", e))?;
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    serde_json::from_slice(text).map_err(|e| {
        Error::input(
            Location::row(path, e.line() as u64),
            Problem::Invalid {
                message: format!("not valid JSON: {e}"),
            },
        )
    })
}

/// A location inside a JSON file.
pub(crate) fn at(path: &Path, pointer: &str) -> Location {
    Location::json_pointer(path, pointer)
}

/// An error at `pointer` saying what was expected and what was found.
pub(crate) fn expected(path: &Path, pointer: &str, what: &str, found: Option<&Value>) -> Error {
    let found = match found {
        None => "nothing".to_string(),
        Some(value) => {
            let text = value.to_string();
            if text.chars().count() > 60 {
                format!("{}…", text.chars().take(60).collect::<String>())
            } else {
                text
            }
        }
    };
    Error::input(
        at(path, pointer),
        Problem::Invalid {
            message: format!("expected {what}, found {found}"),
        },
    )
}

/// A finite coordinate within [`COORDINATE_LIMIT`].
pub(crate) fn coordinate(path: &Path, pointer: &str, value: Option<&Value>) -> Result<f64> {
    match value.and_then(Value::as_f64) {
        Some(v) if v.is_finite() && v.abs() < COORDINATE_LIMIT => Ok(v),
        Some(v) if v.is_finite() => Err(Error::input(
            at(path, pointer),
            Problem::OutOfRange {
                found: crate::error::show_number(v),
                limit: COORDINATE_LIMIT,
            },
        )),
        _ => Err(expected(path, pointer, "a number", value)),
    }
}

/// A list of `[x, y]` pairs.
pub(crate) fn points(path: &Path, pointer: &str, value: Option<&Value>) -> Result<Vec<[f64; 2]>> {
    let Some(items) = value.and_then(Value::as_array) else {
        return Err(expected(path, pointer, "a list of [x, y] points", value));
    };
    super::numbers::check_vertex_count(items.len())
        .map_err(|problem| Error::input(at(path, pointer), problem))?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let here = format!("{pointer}/{i}");
            match item.as_array() {
                Some(pair) if pair.len() >= 2 => Ok([
                    coordinate(path, &format!("{here}/0"), pair.first())?,
                    coordinate(path, &format!("{here}/1"), pair.get(1))?,
                ]),
                _ => Err(expected(path, &here, "an [x, y] point", Some(item))),
            }
        })
        .collect()
}

/// An optional score: a number in [0, 1] or absent.
pub(crate) fn score(path: &Path, pointer: &str, value: Option<&Value>) -> Result<Option<f64>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match v.as_f64() {
            Some(s) if s.is_finite() => Ok(Some(s)),
            _ => Err(expected(path, pointer, "a finite score", Some(v))),
        },
    }
}
