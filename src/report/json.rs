//! JSON exporter: the result structs as they are, undefined values as `null`.

use crate::error::{Error, Result};
use serde::Serialize;

/// Pretty-printed JSON with a final newline.
pub fn to_pretty<T: Serialize>(value: &T, what: &str) -> Result<String> {
    let mut text = serde_json::to_string_pretty(value).map_err(|e| Error::Encode {
        what: what.into(),
        message: e.to_string(),
    })?;
    text.push('\n');
    Ok(text)
}
