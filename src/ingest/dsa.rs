//! Digital Slide Archive (HistomicsUI, `large_image`) annotation documents, one file per FOV:
//! the JSON HistomicsUI's download and `large_image`'s annotation API give,
//! `{"annotation": {"name", "elements": [...]}, "creatorId", ...}`, a bare
//! `{"name", "elements": [...]}`, or a list of either (every document's elements are the
//! FOV's nuclei, in order). NuCLS was annotated this way.
//!
//! Elements read:
//! - `polyline`: `points` `[[x, y, z], ...]`, an outline (an open one, `closed` false, is
//!   closed and counted), with `holes` (lists of points) kept as holes;
//! - `rectangle`: `center` `[x, y, z]`, `width`, `height`, `rotation` (radians, 0 when absent;
//!   the angle of the top edge, as HistomicsUI writes it): a box, or an outline of its four
//!   corners when rotated;
//! - `point`: `center`.
//!
//! The class is `group`, else `label.value`; a score (written by nucagree for predictions
//! under review) is `user.score`. Coordinates are the image's pixels, as in the document.

use super::format::Format;
use super::json::{coordinate, expected, points, read_json, score};
use super::loaded::FovFile;
use super::options::{ReadOptions, Strictness};
use super::outline::{resolve_class_loosely, FovBuilder, FovRows, ShapeType};
use super::reader::{FovReader, Layout, Reader, Sniff};
use crate::error::{Error, Result};
use crate::model::{ClassHierarchy, Nucleus, Piece};
use crate::quality::FindingKind;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One annotation document of a file.
pub(crate) struct Document<'a> {
    /// Its JSON pointer in the file (`""` or `/<i>`).
    pub pointer: String,
    /// The document as the file holds it (with `creatorId`, `user` where exported).
    pub document: &'a Value,
    /// Its elements, and their pointer.
    pub elements: &'a [Value],
    pub elements_pointer: String,
}

/// The documents of a file's JSON: one, or a list; each wrapped in `annotation` or bare.
pub(crate) fn documents<'a>(path: &Path, json: &'a Value) -> Result<Vec<Document<'a>>> {
    let listed: Vec<(String, &Value)> = match json {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| (format!("/{i}"), item))
            .collect(),
        other => vec![(String::new(), other)],
    };
    listed
        .into_iter()
        .map(|(pointer, document)| {
            let (body, base) = match document.get("annotation") {
                Some(body) => (body, format!("{pointer}/annotation")),
                None => (document, pointer.clone()),
            };
            let elements_pointer = format!("{base}/elements");
            let Some(elements) = body.get("elements").and_then(Value::as_array) else {
                return Err(expected(
                    path,
                    &elements_pointer,
                    "an annotation document's list of elements",
                    body.get("elements"),
                ));
            };
            Ok(Document {
                pointer,
                document,
                elements,
                elements_pointer,
            })
        })
        .collect()
}

/// Reads one DSA annotation file as a FOV's nuclei.
pub fn read_dsa_fov(
    path: &Path,
    hierarchy: &ClassHierarchy,
    strictness: Strictness,
) -> Result<FovRows> {
    let json = read_json(path)?;
    let mut builder = FovBuilder::new(path);
    let mut item = 0u64;
    for document in documents(path, &json)? {
        for (j, element) in document.elements.iter().enumerate() {
            item += 1;
            let pointer = format!("{}/{j}", document.elements_pointer);
            let read = read_element(path, &pointer, item, element, hierarchy, &mut builder);
            builder.keep(strictness, item, read)?;
        }
    }
    Ok(builder.finish())
}

/// The class name of an element: `group`, else `label.value`.
fn class_name(element: &Value) -> Option<&str> {
    fn named(value: Option<&Value>) -> Option<&str> {
        value
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
    }
    named(element.get("group")).or_else(|| named(element.get("label").and_then(|l| l.get("value"))))
}

pub(crate) fn read_element(
    path: &Path,
    pointer: &str,
    item: u64,
    element: &Value,
    hierarchy: &ClassHierarchy,
    builder: &mut FovBuilder<'_>,
) -> Result<()> {
    let Some(name) = class_name(element) else {
        return Err(expected(
            path,
            &format!("{pointer}/group"),
            "a class name in group or label.value",
            element.get("group"),
        ));
    };
    let class = resolve_class_loosely(hierarchy, name).map_err(|problem| {
        Error::input(super::json::at(path, &format!("{pointer}/group")), problem)
    })?;
    let score_pointer = format!("{pointer}/user/score");
    let score = score(
        path,
        &score_pointer,
        element.get("user").and_then(|u| u.get("score")),
    )?;
    let kind_value = element.get("type");
    let number = |field: &str| coordinate(path, &format!("{pointer}/{field}"), element.get(field));
    let center = || -> Result<[f64; 2]> {
        let here = format!("{pointer}/center");
        let value = element.get("center");
        match value.and_then(Value::as_array) {
            Some(c) if c.len() >= 2 => Ok([
                coordinate(path, &format!("{here}/0"), c.first())?,
                coordinate(path, &format!("{here}/1"), c.get(1))?,
            ]),
            _ => Err(expected(path, &here, "a center [x, y, z]", value)),
        }
    };
    let (shape_type, vertices) = match kind_value.and_then(Value::as_str) {
        Some("point") => (ShapeType::Point, vec![center()?]),
        Some("rectangle") => {
            let [x, y] = center()?;
            let (width, height) = (number("width")?, number("height")?);
            if width < 0.0 || height < 0.0 {
                return Err(expected(
                    path,
                    &format!("{pointer}/width"),
                    "a width and height of at least 0",
                    element.get(if width < 0.0 { "width" } else { "height" }),
                ));
            }
            let rotation = match element.get("rotation") {
                None | Some(Value::Null) => 0.0,
                Some(_) => number("rotation")?,
            };
            let (dx, dy) = (width / 2.0, height / 2.0);
            if rotation == 0.0 {
                (
                    ShapeType::Rectangle,
                    vec![[x - dx, y - dy], [x + dx, y + dy]],
                )
            } else {
                let (sin, cos) = rotation.sin_cos();
                let corner = |u: f64, v: f64| [x + u * cos - v * sin, y + u * sin + v * cos];
                let corners = vec![
                    corner(-dx, -dy),
                    corner(dx, -dy),
                    corner(dx, dy),
                    corner(-dx, dy),
                ];
                (ShapeType::Polygon, corners)
            }
        }
        Some("polyline") => {
            let outer = points(path, &format!("{pointer}/points"), element.get("points"))?;
            if element.get("closed").and_then(Value::as_bool) != Some(true) {
                builder.note(FindingKind::OpenPolylineClosed, Some(item), String::new());
            }
            let holes = match element.get("holes") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(holes)) => holes
                    .iter()
                    .enumerate()
                    .map(|(h, hole)| points(path, &format!("{pointer}/holes/{h}"), Some(hole)))
                    .collect::<Result<Vec<_>>>()?,
                other => {
                    return Err(expected(
                        path,
                        &format!("{pointer}/holes"),
                        "a list of holes, each a list of points",
                        other,
                    ))
                }
            };
            if !holes.is_empty() {
                if let Some(shape) = builder.pieces(item, vec![Piece { outer, holes }]) {
                    builder.push(Nucleus::new(item as u32, shape, class, score), name);
                }
                return Ok(());
            }
            (ShapeType::Polygon, outer)
        }
        _ => {
            return Err(expected(
                path,
                &format!("{pointer}/type"),
                "\"polyline\", \"rectangle\" or \"point\"",
                kind_value,
            ))
        }
    };
    if let Some(shape) = builder.shape(item, shape_type, vertices) {
        builder.push(Nucleus::new(item as u32, shape, class, score), name);
    }
    Ok(())
}

/// The DSA format.
pub const FORMAT: Format = Format::new(
    "dsa",
    "Digital Slide Archive annotation JSON, one file per FOV",
);

/// Reads Digital Slide Archive (HistomicsUI) annotation documents, one file per FOV.
#[derive(Debug, Clone, Copy)]
pub struct DsaReader;

/// Whether JSON member names are an annotation document's.
fn is_document(keys: &[String]) -> bool {
    keys.iter().any(|k| k == "annotation" || k == "elements")
}

impl Reader for DsaReader {
    fn format(&self) -> Format {
        FORMAT
    }

    fn layout(&self) -> Layout {
        Layout::PerFov
    }

    fn extensions(&self) -> &'static [&'static str] {
        &[".json"]
    }

    fn expected(&self) -> &'static str {
        "Digital Slide Archive annotation JSON (annotation, elements)"
    }

    fn recognises(&self, sniff: &Sniff) -> bool {
        match sniff {
            Sniff::JsonObject { keys, .. } => is_document(keys),
            Sniff::JsonList {
                first: Some((keys, _)),
            } => is_document(keys),
            _ => false,
        }
    }

    fn open_fovs(
        &self,
        _find: &dyn Fn(&str) -> Option<PathBuf>,
        options: &ReadOptions,
    ) -> Result<Arc<dyn FovReader>> {
        Ok(Arc::new(DsaFovs {
            hierarchy: options.hierarchy.clone(),
            strictness: options.strictness,
        }))
    }
}

#[derive(Debug)]
struct DsaFovs {
    hierarchy: Arc<ClassHierarchy>,
    strictness: Strictness,
}

impl FovReader for DsaFovs {
    fn read_fov(&self, path: &Path) -> Result<FovFile> {
        Ok(FovFile {
            rows: read_dsa_fov(path, &self.hierarchy, self.strictness)?,
            ..FovFile::default()
        })
    }
}
