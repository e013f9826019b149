//! Configuration files (`--config`): TOML, or JSON when the name ends in `.json`, read into
//! any deserialisable configuration; errors name the file and, where the parser knows it,
//! the line and column.

use crate::error::{Error, Location, Problem, Result};
use serde::de::DeserializeOwned;
use std::path::Path;

/// Reads a TOML or JSON configuration file.
pub fn read_config<T: DeserializeOwned>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, "read", e))?;
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if is_json {
        serde_json::from_str(&text).map_err(|e| {
            Error::input(
                Location::line_column(path, e.line() as u64, e.column() as u64),
                Problem::Invalid {
                    message: e.to_string(),
                },
            )
        })
    } else {
        toml::from_str(&text).map_err(|e| {
            Error::input(
                Location::file(path),
                Problem::Invalid {
                    message: e.to_string().trim_end().to_string(),
                },
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Config {
        seed: u64,
    }

    #[test]
    fn toml_and_json_read_and_errors_are_located() {
        let dir = tempfile::tempdir().unwrap();
        let toml_path = dir.path().join("c.toml");
        std::fs::write(&toml_path, "seed = 7\n").unwrap();
        assert_eq!(
            read_config::<Config>(&toml_path).unwrap(),
            Config { seed: 7 }
        );
        let json_path = dir.path().join("c.json");
        std::fs::write(&json_path, "{\n  \"seed\": 7,\n  \"sed\": 1\n}").unwrap();
        let error = read_config::<Config>(&json_path).unwrap_err().to_string();
        assert!(
            error.starts_with(&format!("{}:3:7: unknown field `sed`", json_path.display())),
            "{error}"
        );
    }
}
