//! Regions of interest (`--roi FILE`): GeoJSON polygons in the FOVs' pixel coordinates,
//! the whole-slide analogue of the FOV crop. A feature with `properties.fov` applies to that
//! FOV (a whole slide, a tile source); one without applies to every FOV.
//!
//! ```
//! # let folder = tempfile::tempdir().unwrap();
//! let path = folder.path().join("roi.geojson");
//! std::fs::write(&path, r#"{"type": "FeatureCollection", "features": [
//!     {"type": "Feature", "properties": {"fov": "slide_1"},
//!      "geometry": {"type": "Polygon", "coordinates": [[[0,0],[100,0],[100,100],[0,100],[0,0]]]}}]}"#).unwrap();
//! let rois = nucagree::ingest::roi::read_rois(&path).unwrap();
//! assert!(rois.holds("slide_1", [50.0, 50.0]));
//! assert!(!rois.holds("slide_1", [150.0, 50.0]));
//! assert!(!rois.holds("slide_2", [50.0, 50.0]));
//! ```

use super::json::{expected, points};
use super::json_features::for_each_feature;
use crate::error::Result;
pub use crate::geometry::roi::Rois;
use geo::{Coord, LineString, Polygon};
use serde_json::Value;
use std::path::Path;

/// Reads a GeoJSON FeatureCollection (or one Feature, or a list of features) of `Polygon`
/// and `MultiPolygon` regions.
pub fn read_rois(path: &Path) -> Result<Rois> {
    let mut rois = Rois::default();
    for_each_feature(path, |pointer, feature| {
        let fov_value = feature.get("properties").and_then(|p| p.get("fov"));
        let fov = match fov_value {
            None | Some(Value::Null) => None,
            Some(Value::String(name)) if !name.trim().is_empty() => Some(name.clone()),
            other => {
                return Err(expected(
                    path,
                    &format!("{pointer}/properties/fov"),
                    "the name of a FOV",
                    other,
                ))
            }
        };
        let geometry = feature.get("geometry");
        let here = format!("{pointer}/geometry/coordinates");
        let coordinates = geometry.and_then(|g| g.get("coordinates"));
        let polygons: Vec<&Value> =
            match geometry.and_then(|g| g.get("type")).and_then(Value::as_str) {
                Some("Polygon") => coordinates.into_iter().collect(),
                Some("MultiPolygon") => match coordinates.and_then(Value::as_array) {
                    Some(parts) => parts.iter().collect(),
                    None => return Err(expected(path, &here, "a list of polygons", coordinates)),
                },
                _ => {
                    return Err(expected(
                        path,
                        &format!("{pointer}/geometry/type"),
                        "\"Polygon\" or \"MultiPolygon\"",
                        geometry.and_then(|g| g.get("type")),
                    ))
                }
            };
        for (j, polygon) in polygons.into_iter().enumerate() {
            let at = if coordinates == Some(polygon) {
                here.clone()
            } else {
                format!("{here}/{j}")
            };
            let Some(rings) = polygon.as_array().filter(|r| !r.is_empty()) else {
                return Err(expected(path, &at, "a list of linear rings", Some(polygon)));
            };
            let mut rings = rings
                .iter()
                .enumerate()
                .map(|(k, ring)| {
                    let vertices = points(path, &format!("{at}/{k}"), Some(ring))?;
                    if vertices.len() < 3 {
                        return Err(expected(
                            path,
                            &format!("{at}/{k}"),
                            "a ring of at least 3 points",
                            Some(ring),
                        ));
                    }
                    Ok(vertices
                        .iter()
                        .map(|v| Coord { x: v[0], y: v[1] })
                        .collect::<LineString<f64>>())
                })
                .collect::<Result<Vec<_>>>()?;
            let outer = rings.remove(0);
            let polygon = Polygon::new(outer, rings);
            rois.push(fov.as_deref(), polygon);
        }
        Ok(())
    })?;
    Ok(rois)
}
