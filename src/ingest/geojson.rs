//! GeoJSON as QuPath exports it: one file per FOV holding a `FeatureCollection`, a single
//! `Feature`, or a list of features. Each feature's geometry is a `Polygon`, `MultiPolygon`
//! or `Point`. A QuPath cell object carries two outlines, `geometry` (the cell) and
//! `nucleusGeometry` (the nucleus): the nucleus is read unless [`QupathGeometry::Cell`] is
//! asked for, and either choice is counted among the informational findings. Its class is
//! `properties.classification.name` (QuPath), or `classification.names` joined by `": "`
//! (QuPath's derived classes, e.g. `Tumor: Positive`; the first name where the joined one is
//! no class), or `properties.classification` as text, or `properties.name`; its score is
//! `properties.score` or `properties.confidence`. `properties.nucls_type` (`rectangle`),
//! written by nucagree, keeps boxes boxes. A polygon's holes and a `MultiPolygon`'s parts are
//! kept: the nucleus is one outline of several pieces.

use super::format::Format;
use super::json::{coordinate, expected, points, score};
use super::json_features::for_each_feature;
use super::loaded::FovFile;
use super::options::ReadOptions;
use super::options::{QupathGeometry, Strictness};
use super::outline::FovRows;
use super::outline::{resolve_class_loosely, FovBuilder, ShapeType};
use super::reader::{FovReader, Layout, Reader, Sniff};
use crate::error::{Error, Result};
use crate::model::{ClassHierarchy, MeasurementsMode, Nucleus, Piece, RawClass};
use crate::quality::FindingKind;
use serde_json::Value;
use std::path::Path;
use std::path::PathBuf;
use std::sync::Arc;

/// Reads one GeoJSON file as a FOV's nuclei.
pub fn read_geojson_fov(
    path: &Path,
    hierarchy: &ClassHierarchy,
    strictness: Strictness,
    qupath_geometry: QupathGeometry,
    measurements: MeasurementsMode,
) -> Result<FovRows> {
    let mut builder = FovBuilder::new(path);
    let mut item = 0u64;
    for_each_feature(path, |pointer, feature| {
        item += 1;
        let read = read_feature(
            path,
            pointer,
            item,
            feature,
            hierarchy,
            qupath_geometry,
            &mut builder,
        )
        .and_then(|pushed| match (pushed, measurements) {
            (true, MeasurementsMode::Keep) => {
                let values = read_measurements(path, pointer, feature)?;
                builder.measure(item as u32, values);
                Ok(())
            }
            _ => Ok(()),
        });
        builder.keep(strictness, item, read).map(drop)
    })?;
    Ok(builder.finish())
}

/// The class names a feature may have, in the order tried: one, or for QuPath's derived
/// classes (`names: ["Tumor", "Positive"]`) the joined name and then the first part.
fn class_names(properties: Option<&Value>) -> Option<Vec<String>> {
    let properties = properties?;
    match properties.get("classification") {
        Some(Value::Object(c)) => match (c.get("name"), c.get("names")) {
            (Some(Value::String(name)), _) => Some(vec![name.clone()]),
            (_, Some(Value::Array(names))) => {
                let parts: Vec<&str> = names.iter().filter_map(Value::as_str).collect();
                (!parts.is_empty() && parts.len() == names.len())
                    .then(|| vec![parts.join(": "), parts[0].to_string()])
            }
            _ => None,
        },
        Some(Value::String(name)) => Some(vec![name.clone()]),
        _ => properties
            .get("name")
            .and_then(Value::as_str)
            .map(|name| vec![name.to_string()]),
    }
}

fn read_feature(
    path: &Path,
    pointer: &str,
    item: u64,
    feature: &Value,
    hierarchy: &ClassHierarchy,
    qupath_geometry: QupathGeometry,
    builder: &mut FovBuilder<'_>,
) -> Result<bool> {
    let properties = feature.get("properties");
    let Some(names) = class_names(properties) else {
        return Err(expected(
            path,
            &format!("{pointer}/properties/classification/name"),
            "a class name",
            properties.and_then(|p| p.get("classification")),
        ));
    };
    let resolved = names
        .iter()
        .map(|name| resolve_class_loosely(hierarchy, name).map(|class| (class, name)))
        .enumerate()
        .find(|(i, result)| result.is_ok() || *i + 1 == names.len());
    let (class, name) = match resolved {
        Some((_, Ok((class, name)))) => (class, name.as_str()),
        Some((_, Err(problem))) => {
            let error = Error::input(
                super::json::at(path, &format!("{pointer}/properties/classification")),
                problem,
            );
            return Err(error);
        }
        None => unreachable!("class_names gives at least one name"),
    };
    let score_value = properties.and_then(|p| p.get("score").or_else(|| p.get("confidence")));
    let score = score(path, &format!("{pointer}/properties/score"), score_value)?;
    let nucleus = feature
        .get("nucleusGeometry")
        .filter(|geometry| !geometry.is_null());
    let field = match (nucleus, qupath_geometry) {
        (Some(_), QupathGeometry::Nucleus) => {
            builder.note(FindingKind::CellReadAsNucleus, Some(item), String::new());
            "nucleusGeometry"
        }
        (Some(_), QupathGeometry::Cell) => {
            builder.note(FindingKind::CellReadAsCell, Some(item), String::new());
            "geometry"
        }
        (None, _) => "geometry",
    };
    let geometry_pointer = format!("{pointer}/{field}");
    let geometry = feature.get(field);
    let kind = geometry.and_then(|g| g.get("type")).and_then(Value::as_str);
    let coordinates_pointer = format!("{geometry_pointer}/coordinates");
    let coordinates = geometry.and_then(|g| g.get("coordinates"));
    let (shape_type, vertices) = match kind {
        Some("Point") => {
            let axis = |i: usize| {
                coordinate(
                    path,
                    &format!("{coordinates_pointer}/{i}"),
                    coordinates.and_then(|c| c.get(i)),
                )
            };
            (ShapeType::Point, vec![[axis(0)?, axis(1)?]])
        }
        Some("Polygon") => {
            let mut rings = polygon_rings(path, &coordinates_pointer, coordinates)?;
            if rings.len() > 1 {
                let outer = rings.remove(0);
                let pieces = vec![Piece {
                    outer,
                    holes: rings,
                }];
                return push_pieces(builder, item, pieces, class, score, name);
            }
            (
                ShapeType::Polygon,
                rings.into_iter().next().unwrap_or_default(),
            )
        }
        Some("MultiPolygon") => {
            let Some(parts) = coordinates.and_then(Value::as_array) else {
                return Err(expected(
                    path,
                    &coordinates_pointer,
                    "a list of polygons",
                    coordinates,
                ));
            };
            let mut pieces = Vec::new();
            for (i, part) in parts.iter().enumerate() {
                let mut rings =
                    polygon_rings(path, &format!("{coordinates_pointer}/{i}"), Some(part))?;
                if !rings.is_empty() {
                    let outer = rings.remove(0);
                    pieces.push(Piece {
                        outer,
                        holes: rings,
                    });
                }
            }
            return push_pieces(builder, item, pieces, class, score, name);
        }
        _ => {
            return Err(expected(
                path,
                &format!("{geometry_pointer}/type"),
                "\"Polygon\", \"MultiPolygon\" or \"Point\"",
                geometry.and_then(|g| g.get("type")),
            ))
        }
    };
    let is_box = properties
        .and_then(|p| p.get("nucls_type"))
        .and_then(Value::as_str)
        == Some("rectangle");
    let shape_type = if is_box && shape_type == ShapeType::Polygon {
        ShapeType::Rectangle
    } else {
        shape_type
    };
    if let Some(shape) = builder.shape(item, shape_type, vertices) {
        builder.push(Nucleus::new(item as u32, shape, class, score), name);
        return Ok(true);
    }
    Ok(false)
}

/// A nucleus of several pieces or with holes (GeoJSON's parts are disjoint and its holes
/// inside their ring, as the specification requires: they are taken as given).
fn push_pieces(
    builder: &mut FovBuilder,
    item: u64,
    pieces: Vec<Piece>,
    class: RawClass,
    score: Option<f64>,
    name: &str,
) -> Result<bool> {
    if let Some(shape) = builder.pieces(item, pieces) {
        builder.push(Nucleus::new(item as u32, shape, class, score), name);
        return Ok(true);
    }
    Ok(false)
}

/// QuPath's `properties.measurements`: an object of name to number (QuPath 0.2 on), or a list
/// of `{"name", "value"}` (earlier exports). `null` and the texts `NaN` and `Infinity`
/// (which JSON cannot hold as numbers) are no value.
fn read_measurements(
    path: &Path,
    pointer: &str,
    feature: &Value,
) -> Result<Vec<(String, Option<f64>)>> {
    let here = format!("{pointer}/properties/measurements");
    let value_of = |at: &str, value: &Value| -> Result<Option<f64>> {
        match value {
            Value::Null => Ok(None),
            Value::Number(n) => Ok(n.as_f64().filter(|v| v.is_finite())),
            Value::String(text)
                if matches!(
                    text.as_str(),
                    "NaN" | "Infinity" | "-Infinity" | "nan" | "inf" | "-inf"
                ) =>
            {
                Ok(None)
            }
            other => Err(expected(path, at, "a number", Some(other))),
        }
    };
    // A JSON pointer escapes `~` and `/` in a key.
    let key = |name: &str| name.replace('~', "~0").replace('/', "~1");
    match feature
        .get("properties")
        .and_then(|p| p.get("measurements"))
    {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(name, value)| {
                Ok((
                    name.clone(),
                    value_of(&format!("{here}/{}", key(name)), value)?,
                ))
            })
            .collect(),
        Some(Value::Array(list)) => list
            .iter()
            .enumerate()
            .map(|(i, entry)| {
                let Some(name) = entry.get("name").and_then(Value::as_str) else {
                    return Err(expected(
                        path,
                        &format!("{here}/{i}/name"),
                        "a measurement's name",
                        entry.get("name"),
                    ));
                };
                let value = entry.get("value").unwrap_or(&Value::Null);
                Ok((
                    name.to_string(),
                    value_of(&format!("{here}/{i}/value"), value)?,
                ))
            })
            .collect(),
        Some(other) => Err(expected(
            path,
            &here,
            "an object of measurements",
            Some(other),
        )),
    }
}

fn polygon_rings(path: &Path, pointer: &str, value: Option<&Value>) -> Result<Vec<Vec<[f64; 2]>>> {
    let Some(rings) = value.and_then(Value::as_array) else {
        return Err(expected(path, pointer, "a list of linear rings", value));
    };
    rings
        .iter()
        .enumerate()
        .map(|(i, ring)| points(path, &format!("{pointer}/{i}"), Some(ring)))
        .collect()
}

/// The GeoJSON format (QuPath).
pub const FORMAT: Format = Format::new("geojson", "GeoJSON, one file per FOV");

/// Reads GeoJSON as QuPath exports it, one file per FOV.
#[derive(Debug, Clone, Copy)]
pub struct GeoJsonReader;

impl Reader for GeoJsonReader {
    fn format(&self) -> Format {
        FORMAT
    }

    fn layout(&self) -> Layout {
        Layout::PerFov
    }

    fn extensions(&self) -> &'static [&'static str] {
        &[".geojson", ".json"]
    }

    fn expected(&self) -> &'static str {
        "GeoJSON (FeatureCollection)"
    }

    fn recognises(&self, sniff: &Sniff) -> bool {
        match sniff {
            Sniff::JsonObject { kind, .. } => {
                matches!(kind.as_deref(), Some("FeatureCollection" | "Feature"))
            }
            Sniff::JsonList {
                first: Some((_, kind)),
            } => kind.as_deref() == Some("Feature"),
            _ => false,
        }
    }

    fn open_fovs(
        &self,
        _find: &dyn Fn(&str) -> Option<PathBuf>,
        options: &ReadOptions,
    ) -> Result<Arc<dyn FovReader>> {
        Ok(Arc::new(GeoJsonFovs {
            hierarchy: options.hierarchy.clone(),
            strictness: options.strictness,
            qupath_geometry: options.qupath_geometry,
            measurements: options.measurements,
        }))
    }
}

#[derive(Debug)]
struct GeoJsonFovs {
    hierarchy: Arc<ClassHierarchy>,
    strictness: Strictness,
    qupath_geometry: QupathGeometry,
    measurements: MeasurementsMode,
}

impl FovReader for GeoJsonFovs {
    fn read_fov(&self, path: &Path) -> Result<FovFile> {
        Ok(FovFile {
            rows: read_geojson_fov(
                path,
                &self.hierarchy,
                self.strictness,
                self.qupath_geometry,
                self.measurements,
            )?,
            ..FovFile::default()
        })
    }
}
