//! GeoJSON as QuPath reads it: one FeatureCollection per FOV, each nucleus an annotation
//! object, or (for `convert --to qupath-cells`) a cell object whose `nucleusGeometry` is the
//! nucleus and whose `geometry` is the nucleus dilated by [`CELL_EXPANSION_PX`], as QuPath's
//! cell detection expands nuclei into cells.

use super::files::write_atomic;
use super::nucls::{class_label, closed_ring, shape_type};
use crate::error::Result;
use crate::model::whole_slide::SlideRegion;
use crate::model::{AnnotationSet, Measurements, Nucleus, Piece, Shape};
use geo::{Buffer, Coord, LineString, MultiPolygon, Point, Polygon};
use serde_json::{json, Value};
use std::path::Path;

/// How far a cell's outline lies outside its nucleus: 25 px, QuPath's default cell expansion
/// of 5 µm at NuCLS's 0.2 µm/px.
pub const CELL_EXPANSION_PX: f64 = 25.0;

/// One FOV's nuclei as a FeatureCollection, with the measurements kept with them as QuPath's
/// `properties.measurements`; `cells` writes QuPath cell objects.
pub fn feature_collection(
    set: &AnnotationSet,
    nuclei: &[Nucleus],
    measurements: Option<&Measurements>,
    cells: bool,
) -> Value {
    let features: Vec<Value> = nuclei
        .iter()
        .map(|nucleus| {
            let geometry = geometry(&nucleus.shape);
            let mut properties = json!({
                "objectType": if cells { "cell" } else { "annotation" },
                "classification": {"name": class_label(set, nucleus)},
                "nucls_type": shape_type(&nucleus.shape),
            });
            if let Some(score) = nucleus.score {
                properties["score"] = json!(score);
            }
            let measured = measurements.map_or_else(Vec::new, |m| m.of_row(nucleus.row));
            if !measured.is_empty() {
                let map: serde_json::Map<String, Value> = measured
                    .into_iter()
                    .map(|(name, value)| (name.to_string(), json!(value)))
                    .collect();
                properties["measurements"] = Value::Object(map);
            }
            if cells {
                json!({"type": "Feature", "geometry": cell_outline(&nucleus.shape),
                       "nucleusGeometry": geometry, "properties": properties})
            } else {
                json!({"type": "Feature", "geometry": geometry, "properties": properties})
            }
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features})
}

/// The file that holds a joined set's FOV regions (`convert --whole-slide`), beside the
/// slides; readers of the set pass it over, and `--roi` takes it.
pub const FOV_REGIONS_FILE: &str = "fov_regions.geojson";

/// Writes FOV regions in slide pixels as the `--roi` file: one rectangle per FOV, with the
/// slide as `properties.fov` and the FOV as `properties.name`.
pub fn write_fov_regions(path: &Path, regions: &[SlideRegion]) -> Result<()> {
    let features: Vec<Value> = regions
        .iter()
        .map(|r| {
            json!({"type": "Feature",
                   "geometry": geometry(&Shape::Box(r.region)),
                   "properties": {"objectType": "annotation", "fov": r.slide, "name": r.fov}})
        })
        .collect();
    let text = serde_json::to_string(&json!({"type": "FeatureCollection", "features": features}))
        .expect("JSON values serialise");
    write_atomic(path, text.as_bytes())
}

/// A nucleus's outline as a GeoJSON geometry (rings closed).
fn geometry(shape: &Shape) -> Value {
    match shape {
        Shape::Point(p) => json!({"type": "Point", "coordinates": p}),
        Shape::Pieces(pieces) => {
            let closed = |ring: &Vec<[f64; 2]>| {
                let mut ring = ring.clone();
                ring.push(ring[0]);
                ring
            };
            let polygons: Vec<Vec<Vec<[f64; 2]>>> = pieces
                .iter()
                .map(|p| {
                    std::iter::once(&p.outer)
                        .chain(&p.holes)
                        .map(closed)
                        .collect()
                })
                .collect();
            json!({"type": "MultiPolygon", "coordinates": polygons})
        }
        shape => json!({"type": "Polygon", "coordinates": [closed_ring(shape)]}),
    }
}

/// The cell around a nucleus: its outline dilated by [`CELL_EXPANSION_PX`] (rounded
/// corners), holes filled, as one polygon or several.
fn cell_outline(shape: &Shape) -> Value {
    let ring = |vertices: &[[f64; 2]]| -> LineString<f64> {
        vertices
            .iter()
            .map(|v| Coord { x: v[0], y: v[1] })
            .collect()
    };
    let dilated: MultiPolygon<f64> = match shape {
        Shape::Point(p) => Point::new(p[0], p[1]).buffer(CELL_EXPANSION_PX),
        Shape::Pieces(pieces) => MultiPolygon::new(
            pieces
                .iter()
                .map(|Piece { outer, .. }| Polygon::new(ring(outer), Vec::new()))
                .collect(),
        )
        .buffer(CELL_EXPANSION_PX),
        shape => Polygon::new(ring(&shape.vertices()), Vec::new()).buffer(CELL_EXPANSION_PX),
    };
    let rings = |polygon: &Polygon<f64>| -> Vec<Vec<[f64; 2]>> {
        vec![polygon.exterior().coords().map(|c| [c.x, c.y]).collect()]
    };
    match dilated.0.as_slice() {
        [one] => json!({"type": "Polygon", "coordinates": rings(one)}),
        many => json!({"type": "MultiPolygon",
                       "coordinates": many.iter().map(rings).collect::<Vec<_>>()}),
    }
}
