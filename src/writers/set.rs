//! Writing an annotation set in another format (`nucagree convert`): the NuCLS layout,
//! COCO, GeoJSON (QuPath) or the Hugging Face parquet export. FOV regions and folds are
//! kept as `fov_locations.csv` and `train_test_splits/` beside what is written (the readers
//! take them from the same folder), and in Hugging Face parquet also as split files.

use super::files::write_atomic;
use super::nucls::{self, class_label, FovLocationRow};
use crate::error::{Error, Result};
use crate::geometry::raster::{covered_pixels, is_pixel_exact};
use crate::geometry::run_length::RunLengthMask;
use crate::model::{AnnotationSet, ClassLevel, Nucleus, Shape};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// A format sets can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// `csv/<fov>.csv`, as the NuCLS release.
    Nucls,
    /// One `annotations.json`.
    Coco,
    /// One `annotations.json`, every nucleus as a run-length mask of the pixels its outline
    /// covers (exact for integer boxes and outlines traced from pixels).
    CocoRle,
    /// One `<fov>.geojson` per FOV.
    GeoJson,
    /// One parquet file per split.
    HuggingFace,
    /// One `<fov>.json` annotation document per FOV (Digital Slide Archive, HistomicsUI).
    Dsa,
    /// One `<fov>.geojson` per FOV of QuPath cell objects: each nucleus as the cell's
    /// `nucleusGeometry`, its outline dilated by [`super::geojson::CELL_EXPANSION_PX`] as
    /// the cell's `geometry`.
    QupathCells,
}

crate::choices!(OutputFormat {
    Nucls => "nucls",
    Coco => "coco",
    CocoRle => "coco-rle",
    GeoJson => "geojson",
    HuggingFace => "hugging-face",
    Dsa => "dsa",
    QupathCells => "qupath-cells",
});

/// Writes `set` into `dir` (created if needed); returns the files written.
pub fn write_set(set: &AnnotationSet, format: OutputFormat, dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "create", e))?;
    let with_scores = set
        .fovs
        .iter()
        .flat_map(|f| &f.nuclei)
        .any(|n| n.score.is_some());
    let mut written = Vec::new();
    match format {
        OutputFormat::Nucls => {
            let csv_dir = dir.join("csv");
            std::fs::create_dir_all(&csv_dir).map_err(|e| Error::io(&csv_dir, "create", e))?;
            for fov in &set.fovs {
                let path = csv_dir.join(format!("{}.csv", fov.name));
                write_atomic(
                    &path,
                    nucls::fov_csv(&fov.nuclei, &set.hierarchy, with_scores).as_bytes(),
                )?;
                written.push(path);
            }
        }
        OutputFormat::Coco | OutputFormat::CocoRle => {
            let path = dir.join("annotations.json");
            let masks = format == OutputFormat::CocoRle;
            let text = serde_json::to_string(&coco(set, masks)).expect("JSON values serialise");
            write_atomic(&path, text.as_bytes())?;
            written.push(path);
        }
        OutputFormat::GeoJson | OutputFormat::QupathCells => {
            let cells = format == OutputFormat::QupathCells;
            for fov in &set.fovs {
                let path = dir.join(format!("{}.geojson", fov.name));
                let text = serde_json::to_string(&super::geojson::feature_collection(
                    set,
                    &fov.nuclei,
                    fov.measurements.as_deref(),
                    cells,
                ))
                .expect("JSON values serialise");
                write_atomic(&path, text.as_bytes())?;
                written.push(path);
            }
        }
        OutputFormat::HuggingFace => {
            written.extend(super::hugging_face::write_parquet_splits(set, dir)?);
        }
        OutputFormat::Dsa => {
            for fov in &set.fovs {
                let path = dir.join(format!("{}.json", fov.name));
                let text = serde_json::to_string(&dsa(set, &fov.name, &fov.nuclei))
                    .expect("JSON values serialise");
                write_atomic(&path, text.as_bytes())?;
                written.push(path);
            }
        }
    }
    written.extend(write_metadata(set, dir)?);
    Ok(written)
}

/// How many of the set's outlines `format` cannot hold in full: outlines of several pieces
/// (written as the largest piece's outer ring in the NuCLS CSVs and Hugging Face parquet,
/// and as the largest piece with its holes in DSA documents),
/// and outlines with holes in COCO (whose polygons cannot hold holes; its `area` is the
/// true area), except where a label map holds them (written as masks). GeoJSON holds them
/// all.
pub fn outlines_simplified(set: &AnnotationSet, format: OutputFormat) -> usize {
    let simplified = |shape: &Shape| match (shape, format) {
        (Shape::Pieces(_), OutputFormat::Nucls | OutputFormat::HuggingFace) => true,
        (Shape::Pieces(pieces), OutputFormat::Dsa) => pieces.len() > 1,
        (Shape::Pieces(pieces), OutputFormat::Coco) => pieces.iter().any(|p| !p.holes.is_empty()),
        (Shape::Point(_), OutputFormat::CocoRle) => false,
        (shape, OutputFormat::CocoRle) => !is_pixel_exact(shape),
        _ => false,
    };
    set.fovs
        .iter()
        // COCO holds a label map's nuclei whole, as masks.
        .filter(|f| {
            !(matches!(format, OutputFormat::Coco | OutputFormat::CocoRle) && f.label_map.is_some())
        })
        .flat_map(|f| &f.nuclei)
        .filter(|n| simplified(&n.shape))
        .count()
}

/// `fov_locations.csv` where regions are known, and `train_test_splits/` where folds are.
fn write_metadata(set: &AnnotationSet, dir: &Path) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    let rows: Vec<FovLocationRow<'_>> = set
        .fovs
        .iter()
        .filter_map(|f| {
            FovLocationRow::of(&f.name, f.slide.as_deref(), f.hospital.as_deref(), f.region)
        })
        .collect();
    if !rows.is_empty() {
        let path = dir.join("fov_locations.csv");
        nucls::write_fov_locations(&path, |each| rows.iter().try_for_each(each))?;
        written.push(path);
    }
    if !set.folds.is_empty() {
        let splits = dir.join("train_test_splits");
        std::fs::create_dir_all(&splits).map_err(|e| Error::io(&splits, "create", e))?;
        nucls::write_splits(&splits, &set.folds, |slide| {
            crate::model::hospital_of_slide(slide).unwrap_or_default()
        })?;
        written.push(splits);
    }
    Ok(written)
}

/// The set as one COCO document: images in FOV order, categories the raw classes (and the
/// `correction_` classes used), boxes with empty segmentations, polygons with one, outlines
/// of pieces with one polygon a piece; nuclei of FOVs read from label maps as their masks
/// in pycocotools' compressed RLE (exact: holes and every piece).
fn coco(set: &AnnotationSet, masks: bool) -> Value {
    let mut categories: Vec<String> = set.hierarchy.names(ClassLevel::Raw).to_vec();
    for nucleus in set.fovs.iter().flat_map(|f| &f.nuclei) {
        let label = class_label(set, nucleus);
        if !categories.contains(&label) {
            categories.push(label);
        }
    }
    let category_id = |label: &str| categories.iter().position(|c| c == label).unwrap() + 1;
    let mut images = Vec::new();
    let mut annotations = Vec::new();
    for (index, fov) in set.fovs.iter().enumerate() {
        let mut image = json!({"id": index + 1, "file_name": format!("{}.png", fov.name)});
        // Masks need a size: the image's, else the extent of what the FOV holds.
        let size = fov.image_size.or_else(|| masks.then(|| extent(fov)));
        if let Some((width, height)) = size {
            image["width"] = json!(width);
            image["height"] = json!(height);
        }
        images.push(image);
        let from_map = fov.label_map.as_deref().map(RunLengthMask::of_label_map);
        for nucleus in &fov.nuclei {
            let b = nucleus.bbox;
            let flat = |ring: &[[f64; 2]]| ring.iter().flat_map(|v| [v[0], v[1]]).collect();
            let drawn = match (masks, size, &nucleus.shape) {
                (true, Some((width, height)), shape) if !matches!(shape, Shape::Point(_)) => {
                    Some(RunLengthMask::from_positions(
                        height,
                        width,
                        &covered_pixels(shape, height, width),
                    ))
                }
                _ => None,
            };
            let mask = from_map
                .as_ref()
                .and_then(|m| m.get(&nucleus.row))
                .or(drawn.as_ref());
            let area = match mask {
                Some(mask) if masks => mask.area() as f64,
                _ => nucleus.shape.area(),
            };
            let segmentation: Value = match (mask, &nucleus.shape) {
                (Some(mask), _) => json!({
                    "size": [mask.height, mask.width],
                    "counts": mask.to_compressed(),
                }),
                (None, Shape::Polygon(vertices)) => json!([flat(vertices)]),
                // COCO's polygons cannot hold holes: each piece's outer ring.
                (None, Shape::Pieces(pieces)) => {
                    let rings: Vec<Vec<f64>> = pieces.iter().map(|p| flat(&p.outer)).collect();
                    json!(rings)
                }
                _ => json!([]),
            };
            let mut annotation = json!({
                "id": annotations.len() + 1,
                "image_id": index + 1,
                "category_id": category_id(&class_label(set, nucleus)),
                "bbox": [b.xmin, b.ymin, b.width(), b.height()],
                "area": area,
                "iscrowd": 0,
                "segmentation": segmentation,
            });
            if let Some(score) = nucleus.score {
                annotation["score"] = json!(score);
            }
            annotations.push(annotation);
        }
    }
    let categories: Vec<Value> = categories
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let class = set
                .hierarchy
                .resolve(name)
                .expect("the hierarchy's own names");
            json!({
                "id": i + 1,
                "name": name,
                "supercategory": set.hierarchy.name(class.id, ClassLevel::Super),
            })
        })
        .collect();
    json!({
        "info": {"description": format!("{} written by nucagree {}", set.name, env!("CARGO_PKG_VERSION"))},
        "images": images,
        "annotations": annotations,
        "categories": categories,
    })
}

/// One FOV as a DSA annotation document (what `large_image`'s annotation API accepts):
/// boxes as rectangles, outlines as closed polylines (the largest piece, with its holes),
/// points as points; the class in `group` and `label`, a score in `user.score`.
fn dsa(set: &AnnotationSet, fov: &str, nuclei: &[Nucleus]) -> Value {
    let point = |p: &[f64; 2]| json!([p[0], p[1], 0.0]);
    let ring = |ring: &[[f64; 2]]| -> Vec<Value> { ring.iter().map(point).collect() };
    let elements: Vec<Value> = nuclei
        .iter()
        .map(|nucleus| {
            let mut element = match &nucleus.shape {
                Shape::Point(p) => json!({"type": "point", "center": point(p)}),
                Shape::Box(b) => json!({
                    "type": "rectangle",
                    "center": [(b.xmin + b.xmax) / 2.0, (b.ymin + b.ymax) / 2.0, 0.0],
                    "width": b.width(),
                    "height": b.height(),
                    "rotation": 0.0,
                }),
                Shape::Polygon(vertices) => {
                    json!({"type": "polyline", "closed": true, "points": ring(vertices)})
                }
                Shape::Pieces(pieces) => {
                    let largest = &pieces[0];
                    let holes: Vec<Vec<Value>> = largest.holes.iter().map(|h| ring(h)).collect();
                    json!({"type": "polyline", "closed": true, "points": ring(&largest.outer),
                           "holes": holes})
                }
            };
            let label = class_label(set, nucleus);
            element["group"] = json!(label);
            element["label"] = json!({"value": label});
            if let Some(score) = nucleus.score {
                element["user"] = json!({"score": score});
            }
            element
        })
        .collect();
    json!({
        "name": fov,
        "description": format!("{} written by nucagree {}", set.name, env!("CARGO_PKG_VERSION")),
        "elements": elements,
    })
}

/// The width and height (whole pixels, at least 1) that hold a FOV's nuclei and region.
fn extent(fov: &crate::model::Fov) -> (u32, u32) {
    let mut right: f64 = 1.0;
    let mut bottom: f64 = 1.0;
    for b in fov.nuclei.iter().map(|n| n.bbox).chain(fov.region) {
        right = right.max(b.xmax);
        bottom = bottom.max(b.ymax);
    }
    let side = |v: f64| v.ceil().min(f64::from(u32::MAX)) as u32;
    (side(right), side(bottom))
}
