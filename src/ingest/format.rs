//! Which format a file or folder holds, told by content rather than by name alone.
//!
//! - NuCLS CSVs: `csv/<fov>.csv` or `<fov>.csv` (see [`super::parse_fov_csv`]);
//! - NuCLS masks: `mask/<fov>.png` or `<fov>.png`, with no CSVs beside them;
//! - the Hugging Face export: one `.parquet` file, or a folder of them (any depth);
//! - COCO: one JSON file with `images` and `annotations`, or a list of detection results;
//! - GeoJSON as QuPath exports it: a `FeatureCollection`, `Feature` or list of features per
//!   FOV, in `<fov>.geojson` or `<fov>.json`;
//! - HoVer-Net's JSON output: an object with `nuc`, one `<fov>.json` per FOV.

use crate::error::{Error, Result};
pub use crate::model::Format;
use serde_json::value::RawValue;
use std::path::{Path, PathBuf};

/// A JSON object's members, their values left unparsed.
type Members<'a> = std::collections::BTreeMap<String, &'a RawValue>;

/// What a JSON document is, by its top level (the values are scanned, not built: a large
/// COCO file is parsed once, by its reader).
fn classify_json(text: &[u8]) -> serde_json::Result<std::result::Result<Format, String>> {
    let kind = |members: &Members<'_>| {
        members
            .get("type")
            .and_then(|v| serde_json::from_str::<String>(v.get()).ok())
    };
    let first = text.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'[') {
        let items: Vec<&RawValue> = serde_json::from_slice(text)?;
        let Some(item) = items.first() else {
            return Ok(Err("an empty JSON list".into()));
        };
        let members: Option<Members<'_>> = serde_json::from_str(item.get()).ok();
        return Ok(match members {
            Some(m) if m.contains_key("image_id") => Ok(Format::Coco),
            Some(m) if kind(&m).as_deref() == Some("Feature") => Ok(Format::GeoJson),
            _ => Err("a JSON list of neither COCO results nor GeoJSON features".into()),
        });
    }
    let members: Members<'_> = serde_json::from_slice(text)?;
    Ok(
        if members.contains_key("annotations") || members.contains_key("images") {
            Ok(Format::Coco)
        } else if members.contains_key("nuc") {
            Ok(Format::HoverNet)
        } else if matches!(
            kind(&members).as_deref(),
            Some("FeatureCollection" | "Feature")
        ) {
            Ok(Format::GeoJson)
        } else {
            let keys: Vec<&str> = members.keys().map(String::as_str).take(8).collect();
            Err(format!("a JSON object with keys [{}]", keys.join(", ")))
        },
    )
}

const EXPECTED: &str = "expected NuCLS CSVs (csv/<fov>.csv or <fov>.csv), NuCLS masks (mask/<fov>.png), Hugging Face parquet, COCO JSON (images and annotations, or a results list), GeoJSON (FeatureCollection) or HoVer-Net JSON (nuc)";

/// The format of one file, by its first bytes (and, for JSON, its top level). Only JSON is
/// read whole.
pub fn detect_file(path: &Path) -> Result<Format> {
    use std::io::Read;
    let mut head = Vec::with_capacity(4096);
    std::fs::File::open(path)
        .and_then(|file| file.take(4096).read_to_end(&mut head))
        .map_err(|e| Error::io(path, "read", e))?;
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
    if matches!(
        text.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    ) {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, "read", e))?;
        return detect_bytes(path, &bytes);
    }
    detect_bytes(path, &head)
}

fn detect_bytes(path: &Path, bytes: &[u8]) -> Result<Format> {
    let layout = |found: String| Error::Layout {
        path: path.to_path_buf(),
        message: format!("found {found}: {EXPECTED}"),
    };
    if bytes.starts_with(b"PAR1") {
        return Ok(Format::HuggingFace);
    }
    if bytes.starts_with(b"\x89PNG") {
        return Ok(Format::Mask);
    }
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = text.iter().find(|b| !b.is_ascii_whitespace());
    match first {
        None => Err(layout("an empty file".into())),
        Some(b'{') | Some(b'[') => {
            let found = classify_json(text).map_err(|e| {
                Error::input(
                    crate::error::Location::row(path, e.line() as u64),
                    crate::error::Problem::Invalid {
                        message: format!("not valid JSON: {e}"),
                    },
                )
            })?;
            found.map_err(layout)
        }
        Some(_) => {
            let head = String::from_utf8_lossy(text).to_lowercase();
            if head
                .lines()
                .next()
                .unwrap_or("")
                .contains("raw_classification")
            {
                Ok(Format::Nucls)
            } else {
                let line: String = head.lines().next().unwrap_or("").chars().take(60).collect();
                Err(layout(format!("text starting {line:?}")))
            }
        }
    }
}

/// The files of `dir` (not its subfolders, not hidden) whose names end in one of `extensions`
/// (case-insensitive), sorted.
pub(crate) fn files_ending(dir: &Path, extensions: &[&str]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, "list", e))? {
        let entry = entry.map_err(|e| Error::io(dir, "list", e))?;
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let lower = name.to_ascii_lowercase();
        if name.starts_with('.') || !extensions.iter().any(|e| lower.ends_with(e)) {
            continue;
        }
        // The directory entry's type needs no extra system call; links are followed.
        let is_file = match entry.file_type() {
            Ok(t) if t.is_symlink() => path.is_file(),
            Ok(t) => t.is_file(),
            Err(_) => path.is_file(),
        };
        if is_file {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The parquet files under `dir`, at any depth, sorted.
pub(crate) fn parquet_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).map_err(|e| Error::io(&folder, "list", e))? {
            let path = entry.map_err(|e| Error::io(&folder, "list", e))?.path();
            let hidden = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            if hidden {
                continue;
            }
            if path.is_dir() {
                pending.push(path);
            } else if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
            {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// The format of a folder's per-FOV files: PNG masks, or JSON told apart by the first file's
/// content. `None` when the folder holds neither.
pub(crate) fn detect_folder_files(dir: &Path) -> Result<Option<(Format, PathBuf)>> {
    let masks = if dir.join("mask").is_dir() {
        dir.join("mask")
    } else {
        dir.to_path_buf()
    };
    if !files_ending(&masks, &[".png"])?.is_empty() {
        return Ok(Some((Format::Mask, masks)));
    }
    if !files_ending(dir, &[".geojson"])?.is_empty() {
        return Ok(Some((Format::GeoJson, dir.to_path_buf())));
    }
    let json = files_ending(dir, &[".json"])?;
    let Some(first) = json.first() else {
        return Ok(None);
    };
    match detect_file(first)? {
        Format::Coco if json.len() == 1 => Ok(Some((Format::Coco, first.clone()))),
        format @ (Format::GeoJson | Format::HoverNet) => Ok(Some((format, dir.to_path_buf()))),
        other => Err(Error::Layout {
            path: first.clone(),
            message: format!(
                "holds {} among {} JSON files: expected one FOV per file (GeoJSON or HoVer-Net)",
                other.name(),
                json.len()
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(text: &str) -> std::result::Result<Format, String> {
        detect_bytes(Path::new("x.json"), text.as_bytes()).map_err(|e| e.to_string())
    }

    #[test]
    fn json_formats_are_told_apart_by_their_top_level() {
        assert_eq!(
            detect(r#"{"images": [], "annotations": []}"#),
            Ok(Format::Coco)
        );
        assert_eq!(
            detect(r#"[{"image_id": 1, "bbox": [0,0,1,1]}]"#),
            Ok(Format::Coco)
        );
        assert_eq!(detect(r#"{"mag": 40, "nuc": {}}"#), Ok(Format::HoverNet));
        assert_eq!(
            detect(r#"{"type": "FeatureCollection", "features": []}"#),
            Ok(Format::GeoJson)
        );
        assert_eq!(
            detect(r#"[{"type": "Feature", "geometry": null}]"#),
            Ok(Format::GeoJson)
        );
        assert_eq!(detect("PAR1...."), Ok(Format::HuggingFace));
        assert_eq!(
            detect(",raw_classification,type\n0,tumor,rectangle\n"),
            Ok(Format::Nucls)
        );
    }

    #[test]
    fn unknown_content_is_named() {
        let error = detect(r#"{"foo": 1, "bar": 2}"#).unwrap_err();
        assert!(
            error.starts_with(
                "x.json: found a JSON object with keys [bar, foo]: expected NuCLS CSVs"
            ),
            "{error}"
        );
        assert!(detect("hello,world\n")
            .unwrap_err()
            .contains("found text starting \"hello,world\""));
        assert!(detect("   ").unwrap_err().contains("found an empty file"));
        assert_eq!(
            detect("{\"a\": ").unwrap_err(),
            "x.json:1: not valid JSON: EOF while parsing a value at line 1 column 6"
        );
    }
}
