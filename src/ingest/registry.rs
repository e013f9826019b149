//! The readers nucagree has, in the order detection tries them. Adding a format is a reader
//! in a file of its own and one line here.
//!
//! ```
//! use nucagree::ingest::registry::{self, READERS};
//! use nucagree::ingest::reader::Sniff;
//!
//! let names: Vec<&str> = READERS.iter().map(|r| r.format().name()).collect();
//! assert_eq!(names[0], "nucls");
//! let sniff = Sniff::JsonObject { keys: vec!["nuc".into()], kind: None };
//! assert_eq!(registry::recognise(&sniff).unwrap().format().name(), "hovernet");
//! ```

use super::coco::CocoReader;
use super::dsa::DsaReader;
use super::format::Format;
use super::fov_csv::NuclsCsvReader;
use super::geojson::GeoJsonReader;
use super::hovernet::HoverNetReader;
use super::hovernet_mat::HoverNetMatReader;
use super::hugging_face::HuggingFaceReader;
use super::label_arrays::{ConicReader, PanNukeReader};
use super::label_image::LabelImageReader;
use super::mask::MaskReader;
use super::reader::{Reader, Sniff};
use crate::error::{Error, Result};
use std::path::Path;

/// Every reader, in the order detection tries them.
pub static READERS: &[&dyn Reader] = &[
    &NuclsCsvReader,
    &MaskReader,
    &HuggingFaceReader,
    &CocoReader,
    &GeoJsonReader,
    &HoverNetReader,
    &DsaReader,
    &LabelImageReader,
    &ConicReader,
    &PanNukeReader,
    &HoverNetMatReader,
];

/// The format of that name (`--input-format`).
pub fn format_named(name: &str) -> Option<Format> {
    READERS
        .iter()
        .map(|r| r.format())
        .find(|f| f.name() == name)
}

/// The reader of a format.
pub fn reader_of(format: Format) -> &'static dyn Reader {
    READERS
        .iter()
        .copied()
        .find(|r| r.format() == format)
        .expect("every format comes from a registered reader")
}

/// The first reader that recognises the content.
pub fn recognise(sniff: &Sniff) -> Option<&'static dyn Reader> {
    READERS.iter().copied().find(|r| r.recognises(sniff))
}

/// "expected A, B, … or Z": every reader's files, for errors.
pub fn expected() -> String {
    let all: Vec<&str> = READERS.iter().map(|r| r.expected()).collect();
    match all.split_last() {
        Some((last, [])) => format!("expected {last}"),
        Some((last, rest)) => format!("expected {} or {last}", rest.join(", ")),
        None => "expected nothing: no reader is registered".into(),
    }
}

/// The reader of one file, by its content; an error names what was found and lists every
/// format tried.
pub fn detect_file(path: &Path) -> Result<&'static dyn Reader> {
    let sniff = Sniff::of_file(path)?;
    recognised(path, &sniff)
}

/// The reader of content already sniffed.
pub fn recognised(path: &Path, sniff: &Sniff) -> Result<&'static dyn Reader> {
    recognise(sniff).ok_or_else(|| Error::Layout {
        path: path.to_path_buf(),
        message: format!("found {}: {}", sniff.describe(), expected()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(text: &str) -> std::result::Result<&'static str, String> {
        let path = Path::new("x.json");
        Sniff::of_bytes(path, text.as_bytes())
            .and_then(|sniff| recognised(path, &sniff))
            .map(|r| r.format().name())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn formats_are_told_apart_by_content() {
        assert_eq!(detect(r#"{"images": [], "annotations": []}"#), Ok("coco"));
        assert_eq!(
            detect(r#"[{"image_id": 1, "bbox": [0,0,1,1]}]"#),
            Ok("coco")
        );
        assert_eq!(detect(r#"{"mag": 40, "nuc": {}}"#), Ok("hovernet"));
        assert_eq!(
            detect(r#"{"type": "FeatureCollection", "features": []}"#),
            Ok("geojson")
        );
        assert_eq!(
            detect(r#"[{"type": "Feature", "geometry": null}]"#),
            Ok("geojson")
        );
        assert_eq!(detect("PAR1...."), Ok("hugging-face"));
        assert_eq!(
            detect(",raw_classification,type\n0,tumor,rectangle\n"),
            Ok("nucls")
        );
        // Binary content is no CSV, whatever text its first bytes hold.
        let path = Path::new("x.bin");
        let sniff = Sniff::of_bytes(path, b"XYZ1\0\0raw_classification,type\n").unwrap();
        let error = recognised(path, &sniff).err().unwrap().to_string();
        assert!(error.contains("found binary content"), "{error}");
        let path = Path::new("m.png");
        let sniff = Sniff::of_bytes(path, b"\x89PNG\r\n\x1a\n....").unwrap();
        assert_eq!(recognised(path, &sniff).unwrap().format().name(), "mask");
    }

    #[test]
    fn unknown_content_is_named_with_every_format_tried() {
        let error = detect(r#"{"foo": 1, "bar": 2}"#).unwrap_err();
        assert!(
            error.starts_with(
                "x.json: found a JSON object with keys [bar, foo]: expected NuCLS CSVs"
            ),
            "{error}"
        );
        for reader in READERS {
            assert!(error.contains(reader.expected()), "{error}");
        }
        assert!(detect("hello,world\n")
            .unwrap_err()
            .contains("found text starting \"hello,world\""));
        assert!(detect("   ").unwrap_err().contains("found an empty file"));
        assert!(detect("[]")
            .unwrap_err()
            .contains("found an empty JSON list"));
        assert_eq!(
            detect("{\"a\": ").unwrap_err(),
            "x.json:1: not valid JSON: EOF while parsing a value at line 1 column 6"
        );
    }

    #[test]
    fn names_find_their_formats() {
        for reader in READERS {
            let format = reader.format();
            assert_eq!(format_named(format.name()), Some(format));
            assert_eq!(reader_of(format).format(), format);
        }
        assert_eq!(format_named("nope"), None);
    }
}
