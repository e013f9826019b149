//! A partial's table as read: typed columns, and errors naming the file, the row (1-based)
//! and the column.

use crate::error::{Error, Location, Problem, Result};
use polars::prelude::DataFrame;

/// One table as read, for its values and its errors.
pub(super) struct Table<'a> {
    path: std::path::PathBuf,
    frame: &'a DataFrame,
}

impl<'a> Table<'a> {
    pub(super) fn new(path: std::path::PathBuf, frame: &'a DataFrame) -> Table<'a> {
        Table { path, frame }
    }

    pub(super) fn error(&self, row: usize, column: &str, message: String) -> Error {
        Error::input(
            Location::parquet_field(&self.path, row as u64 + 1, column),
            Problem::Invalid { message },
        )
    }

    pub(super) fn missing(&self, column: &str, expected: &str) -> Error {
        Error::input(
            Location::file(&self.path),
            Problem::MissingColumn {
                name: column.into(),
                expected: format!("a column of {expected}"),
            },
        )
    }

    pub(super) fn u32s(&self, name: &str) -> Result<Vec<Option<u32>>> {
        let c = self
            .frame
            .column(name)
            .map_err(|_| self.missing(name, "u32"))?;
        Ok(c.u32()
            .map_err(|_| self.missing(name, "u32"))?
            .iter()
            .collect())
    }

    pub(super) fn i32s(&self, name: &str) -> Result<Vec<Option<i32>>> {
        let c = self
            .frame
            .column(name)
            .map_err(|_| self.missing(name, "i32"))?;
        Ok(c.i32()
            .map_err(|_| self.missing(name, "i32"))?
            .iter()
            .collect())
    }

    pub(super) fn u64s(&self, name: &str) -> Result<Vec<Option<u64>>> {
        let c = self
            .frame
            .column(name)
            .map_err(|_| self.missing(name, "u64"))?;
        Ok(c.u64()
            .map_err(|_| self.missing(name, "u64"))?
            .iter()
            .collect())
    }

    pub(super) fn f64s(&self, name: &str) -> Result<Vec<Option<f64>>> {
        let c = self
            .frame
            .column(name)
            .map_err(|_| self.missing(name, "f64"))?;
        Ok(c.f64()
            .map_err(|_| self.missing(name, "f64"))?
            .iter()
            .collect())
    }

    pub(super) fn bools(&self, name: &str) -> Result<Vec<Option<bool>>> {
        let c = self
            .frame
            .column(name)
            .map_err(|_| self.missing(name, "booleans"))?;
        Ok(c.bool()
            .map_err(|_| self.missing(name, "booleans"))?
            .iter()
            .collect())
    }

    pub(super) fn strings(&self, name: &str) -> Result<Vec<Option<String>>> {
        let c = self
            .frame
            .column(name)
            .map_err(|_| self.missing(name, "text"))?;
        Ok(c.str()
            .map_err(|_| self.missing(name, "text"))?
            .iter()
            .map(|s| s.map(String::from))
            .collect())
    }

    /// A value that must be there.
    pub(super) fn get<T: Copy>(&self, values: &[Option<T>], row: usize, column: &str) -> Result<T> {
        values[row].ok_or_else(|| self.error(row, column, "expected a value, found null".into()))
    }

    /// An index below `bound`.
    pub(super) fn index(
        &self,
        values: &[Option<u32>],
        row: usize,
        column: &str,
        bound: usize,
    ) -> Result<usize> {
        let value = self.get(values, row, column)? as usize;
        if value >= bound {
            return Err(self.error(
                row,
                column,
                format!("expected an index below {bound}, found {value}"),
            ));
        }
        Ok(value)
    }
}
