//! COCO JSON: ground truth (`images`, `annotations`, `categories`) or detection results (a
//! list of `{image_id, category_id, bbox, score, segmentation?}`, whose images and
//! categories come from the ground-truth file given as [`super::ReadOptions::coco_images`]).
//!
//! Each image is a FOV named by its `file_name` without folders and extension. An
//! annotation with a polygon `segmentation` is a polygon (the largest part where there are
//! several); with none (`[]` or absent), a box from `bbox` (`[x, y, width, height]`), or a
//! point where the box is empty. A run-length (RLE) mask, compressed or not, is traced to
//! its exact pixel outline ([`crate::geometry::run_length`]: its area is its pixel count, as
//! pycocotools' `maskUtils.area`); its `size` must be its image's. An image whose nuclei are
//! all masks that do not overlap keeps them as a label map too, so that the field's
//! instance metrics count its pixels as they would on the label map it came from. Crowd
//! annotations
//! (`iscrowd` 1) are skipped, and counted. Categories become classes by name.

use super::format::Format;
use super::json::{at, coordinate, expected, read_json, score};
use super::loaded::{LoadedFov, LoadedSet};
use super::options::{ReadOptions, Strictness};
use super::outline::{resolve_class_loosely, FovBuilder, FovRows, ShapeType};
use super::reader::{Layout, Reader, Sniff};
use crate::error::{Error, Result};
use crate::geometry::ring::ring_signed_area;
use crate::geometry::run_length::RunLengthMask;
use crate::model::{LabelMap, Nucleus, RawClass};
use crate::quality::FindingKind;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::path::PathBuf;
use std::sync::Arc;

/// Reads a COCO file as a whole set.
/// The COCO format.
pub const FORMAT: Format = Format::new("coco", "COCO JSON");

/// Reads one COCO JSON file: ground truth, or a bare list of detection results.
#[derive(Debug, Clone, Copy)]
pub struct CocoReader;

impl Reader for CocoReader {
    fn format(&self) -> Format {
        FORMAT
    }

    fn layout(&self) -> Layout {
        Layout::OneFile
    }

    fn extensions(&self) -> &'static [&'static str] {
        &[".json"]
    }

    fn expected(&self) -> &'static str {
        "COCO JSON (images and annotations, or a results list)"
    }

    fn recognises(&self, sniff: &Sniff) -> bool {
        match sniff {
            Sniff::JsonObject { keys, .. } => {
                keys.iter().any(|k| k == "annotations" || k == "images")
            }
            Sniff::JsonList {
                first: Some((keys, _)),
            } => keys.iter().any(|k| k == "image_id"),
            _ => false,
        }
    }

    fn read_set(&self, files: &[PathBuf], options: &ReadOptions) -> Result<LoadedSet> {
        match files {
            [file] => read_coco(file, options),
            _ => Err(crate::error::Error::Layout {
                path: files.first().cloned().unwrap_or_default(),
                message: format!("{} COCO files: expected one", files.len()),
            }),
        }
    }
}

pub(crate) fn read_coco(path: &Path, options: &ReadOptions) -> Result<LoadedSet> {
    let document = read_json(path)?;
    // Results name their images by the ids of a ground-truth file, read for its catalogue.
    let ground_truth;
    let (catalogue_doc, catalogue_path, annotations, base) = match &document {
        Value::Array(items) => {
            let Some(images_path) = &options.coco_images else {
                return Err(Error::Needs {
                    path: path.to_path_buf(),
                    message: "holds COCO detection results without images: give the ground-truth COCO file whose images they refer to".into(),
                    remedy: crate::error::Remedy::CocoImages,
                });
            };
            ground_truth = read_json(images_path)?;
            (&ground_truth, images_path.as_path(), items.as_slice(), "")
        }
        Value::Object(map) => {
            let annotations = match map.get("annotations") {
                Some(Value::Array(items)) => items.as_slice(),
                None => &[],
                other => {
                    return Err(expected(
                        path,
                        "/annotations",
                        "a list of annotations",
                        other,
                    ))
                }
            };
            (&document, path, annotations, "/annotations")
        }
        other => {
            return Err(expected(
                path,
                "",
                "a COCO object or a list of results",
                Some(other),
            ))
        }
    };
    let catalogue = Catalogue::read(catalogue_path, catalogue_doc, options)?;
    let mut set_quality = crate::quality::DataQuality::default();
    let mut builders: BTreeMap<u64, FovBuilder<'_>> = catalogue
        .images
        .keys()
        .map(|&id| (id, FovBuilder::new(path)))
        .collect();
    let mut annotation_ids: HashMap<u64, usize> = HashMap::new();
    let mut masks: HashMap<u64, Vec<(u32, RunLengthMask)>> = HashMap::new();
    for (index, annotation) in annotations.iter().enumerate() {
        let pointer = format!("{base}/{index}");
        let item = index as u64 + 1;
        // An id, where given (results lists often have none), names one annotation.
        let id_value = annotation.get("id");
        if let Some(id) = id_value.and_then(Value::as_u64) {
            if let Some(first) = annotation_ids.insert(id, index) {
                return Err(expected(
                    path,
                    &format!("{pointer}/id"),
                    &format!("an annotation id not already used by {base}/{first}"),
                    id_value,
                ));
            }
        }
        let image_value = annotation.get("image_id");
        let builder = match image_value.and_then(Value::as_u64) {
            Some(id) => builders.get_mut(&id),
            None => None,
        };
        let Some(builder) = builder else {
            let error = expected(
                path,
                &format!("{pointer}/image_id"),
                &format!("the id of an image of {}", catalogue_path.display()),
                image_value,
            );
            // An annotation of no image belongs to no FOV: the set's findings count it.
            if options.strictness == Strictness::Lenient {
                let detail = error.to_string();
                set_quality.push(
                    FindingKind::SkippedRow,
                    path.to_path_buf(),
                    Some(item),
                    detail,
                );
                continue;
            }
            return Err(error);
        };
        let image_size = image_value
            .and_then(Value::as_u64)
            .and_then(|id| catalogue.images.get(&id))
            .and_then(|image| image.size);
        let read = read_annotation(
            path, &pointer, item, annotation, &catalogue, image_size, builder,
        );
        if let Some(Some(mask)) = builder.keep(options.strictness, item, read)? {
            let image_id = image_value.and_then(Value::as_u64).unwrap_or_default();
            masks.entry(image_id).or_default().push((item as u32, mask));
        }
    }
    let rows: Vec<(u64, FovRows)> = builders
        .into_iter()
        .map(|(id, builder)| (id, builder.finish()))
        .collect();
    // A file of masks only: its images without nuclei are empty label maps (where their
    // size is known), as a label-map set would hold them.
    let only_masks = rows.iter().map(|(_, r)| r.nuclei.len()).sum::<usize>()
        == masks.values().map(Vec::len).sum::<usize>()
        && !masks.is_empty();
    let fovs: Vec<LoadedFov> = rows
        .into_iter()
        .map(|(id, rows)| {
            let image = &catalogue.images[&id];
            let label_map = match (rows.nuclei.is_empty(), image.size) {
                (true, Some((width, height)))
                    if only_masks
                        && u64::from(width) * u64::from(height) <= catalogue.max_image_pixels =>
                {
                    let empty = vec![0u32; width as usize * height as usize];
                    LabelMap::from_labels(width, height, &empty)
                }
                _ => label_map_of(&rows.nuclei, masks.get(&id)),
            }
            .map(Arc::new);
            LoadedFov {
                name: image.name.clone(),
                source: path.to_path_buf(),
                rows,
                region: None,
                image_size: image.size,
                test_fold: None,
                group: None,
                label_map,
            }
        })
        .collect();
    Ok(LoadedSet {
        fovs,
        quality: set_quality,
        ..LoadedSet::default()
    })
}

/// The label map of an image whose nuclei are all RLE masks of one size that do not
/// overlap (each pixel the row of its nucleus), so that the instance metrics count pixels as
/// the peers do; `None` otherwise (polygons, boxes, or overlapping masks: outlines then).
fn label_map_of(nuclei: &[Nucleus], masks: Option<&Vec<(u32, RunLengthMask)>>) -> Option<LabelMap> {
    let masks = masks?;
    let (height, width) = (masks.first()?.1.height, masks.first()?.1.width);
    let all_masks = masks.len() == nuclei.len()
        && nuclei.iter().zip(masks).all(|(n, (row, _))| n.row == *row)
        && masks
            .iter()
            .all(|(_, m)| (m.height, m.width) == (height, width));
    if !all_masks {
        return None;
    }
    let mut labels = vec![0u32; height as usize * width as usize];
    for (row, mask) in masks {
        for (x, y, rows) in mask.column_runs() {
            for y in y..y + rows {
                let pixel = &mut labels[y as usize * width as usize + x as usize];
                if *pixel != 0 {
                    return None;
                }
                *pixel = *row;
            }
        }
    }
    LabelMap::from_labels(width, height, &labels)
}

struct Image {
    name: String,
    size: Option<(u32, u32)>,
}

/// The images and categories of a ground-truth file.
struct Catalogue {
    images: BTreeMap<u64, Image>,
    categories: HashMap<u64, (RawClass, String)>,
    /// Masks declaring more pixels than this are refused before decoding.
    max_image_pixels: u64,
}

impl Catalogue {
    fn read(path: &Path, document: &Value, options: &ReadOptions) -> Result<Catalogue> {
        let list = |key: &str| match document.get(key) {
            Some(Value::Array(items)) => Ok(items.as_slice()),
            other => Err(expected(
                path,
                &format!("/{key}"),
                &format!("a list of {key}"),
                other,
            )),
        };
        let mut images = BTreeMap::new();
        let mut names: HashMap<String, usize> = HashMap::new();
        for (i, image) in list("images")?.iter().enumerate() {
            let id_value = image.get("id");
            let Some(id) = id_value.and_then(Value::as_u64) else {
                return Err(expected(
                    path,
                    &format!("/images/{i}/id"),
                    "an integer id",
                    id_value,
                ));
            };
            let file_value = image.get("file_name");
            let Some(file_name) = file_value.and_then(Value::as_str) else {
                return Err(expected(
                    path,
                    &format!("/images/{i}/file_name"),
                    "a file name",
                    file_value,
                ));
            };
            let name = super::listing::fov_name_of(file_name);
            if name.trim().is_empty() {
                return Err(expected(
                    path,
                    &format!("/images/{i}/file_name"),
                    "a file name that names a FOV",
                    file_value,
                ));
            }
            if let Some(first) = names.insert(name.to_string(), i) {
                return Err(expected(
                    path,
                    &format!("/images/{i}/file_name"),
                    &format!("a FOV name not already used by /images/{first}"),
                    file_value,
                ));
            }
            let dimension = |key: &str| image.get(key).and_then(Value::as_u64).map(|v| v as u32);
            let size = dimension("width").zip(dimension("height"));
            if images
                .insert(
                    id,
                    Image {
                        name: name.to_string(),
                        size,
                    },
                )
                .is_some()
            {
                return Err(expected(
                    path,
                    &format!("/images/{i}/id"),
                    "an id used once",
                    id_value,
                ));
            }
        }
        let mut categories = HashMap::new();
        for (i, category) in list("categories")?.iter().enumerate() {
            let id_value = category.get("id");
            let Some(id) = id_value.and_then(Value::as_u64) else {
                return Err(expected(
                    path,
                    &format!("/categories/{i}/id"),
                    "an integer id",
                    id_value,
                ));
            };
            let name_value = category.get("name");
            let Some(name) = name_value.and_then(Value::as_str) else {
                return Err(expected(
                    path,
                    &format!("/categories/{i}/name"),
                    "a class name",
                    name_value,
                ));
            };
            let hierarchy = &options.hierarchy;
            let class = resolve_class_loosely(hierarchy, name).map_err(|problem| {
                Error::input(at(path, &format!("/categories/{i}/name")), problem)
            })?;
            if categories.insert(id, (class, name.to_string())).is_some() {
                return Err(expected(
                    path,
                    &format!("/categories/{i}/id"),
                    "a category id used once",
                    id_value,
                ));
            }
        }
        Ok(Catalogue {
            images,
            categories,
            max_image_pixels: options.max_image_pixels,
        })
    }
}

/// A run-length mask: `size` `[height, width]` (its image's, where the image has one) and
/// `counts`, a list of runs or pycocotools' compressed string.
fn read_rle(
    path: &Path,
    pointer: &str,
    rle: &serde_json::Map<String, Value>,
    image_size: Option<(u32, u32)>,
    max_image_pixels: u64,
) -> Result<RunLengthMask> {
    let size_value = rle.get("size");
    let size = size_value
        .and_then(Value::as_array)
        .filter(|size| size.len() == 2)
        .and_then(|size| {
            let side = |v: &Value| v.as_u64().and_then(|v| u32::try_from(v).ok());
            Some((side(&size[0])?, side(&size[1])?))
        });
    let size_pointer = format!("{pointer}/size");
    let Some((height, width)) = size else {
        return Err(expected(
            path,
            &size_pointer,
            "[height, width] in pixels",
            size_value,
        ));
    };
    if let Some((image_width, image_height)) = image_size {
        if (image_width, image_height) != (width, height) {
            return Err(expected(
                path,
                &size_pointer,
                &format!("its image's size [{image_height}, {image_width}] (height, width)"),
                size_value,
            ));
        }
    }
    if u64::from(height) * u64::from(width) > max_image_pixels {
        return Err(expected(
            path,
            &size_pointer,
            &format!("at most {max_image_pixels} pixels (--max-image-pixels)"),
            size_value,
        ));
    }
    let counts_pointer = format!("{pointer}/counts");
    let counts = rle.get("counts");
    let decoded = match counts {
        Some(Value::String(text)) => RunLengthMask::from_compressed(height, width, text),
        Some(Value::Array(runs)) => {
            let mut lengths = Vec::with_capacity(runs.len());
            for (i, run) in runs.iter().enumerate() {
                let Some(length) = run.as_u64() else {
                    return Err(expected(
                        path,
                        &format!("{counts_pointer}/{i}"),
                        "a run length (an integer of at least 0)",
                        Some(run),
                    ));
                };
                lengths.push(length);
            }
            RunLengthMask::new(height, width, lengths)
        }
        other => {
            return Err(expected(
                path,
                &counts_pointer,
                "run lengths: a list of integers or a compressed string",
                other,
            ))
        }
    };
    decoded.map_err(|message| {
        Error::input(
            at(path, &counts_pointer),
            crate::error::Problem::Invalid {
                message: format!("expected runs of the mask: {message}"),
            },
        )
    })
}

fn read_annotation(
    path: &Path,
    pointer: &str,
    item: u64,
    annotation: &Value,
    catalogue: &Catalogue,
    image_size: Option<(u32, u32)>,
    builder: &mut FovBuilder<'_>,
) -> Result<Option<RunLengthMask>> {
    let category_value = annotation.get("category_id");
    let Some((class, name)) = category_value
        .and_then(Value::as_u64)
        .and_then(|id| catalogue.categories.get(&id))
    else {
        return Err(expected(
            path,
            &format!("{pointer}/category_id"),
            "the id of a category",
            category_value,
        ));
    };
    if annotation
        .get("iscrowd")
        .and_then(serde_json::Value::as_u64)
        == Some(1)
    {
        builder.note(FindingKind::CrowdSkipped, Some(item), String::new());
        return Ok(None);
    }
    let score = score(path, &format!("{pointer}/score"), annotation.get("score"))?;
    let (shape_type, vertices) = match annotation.get("segmentation") {
        Some(Value::Array(parts)) if !parts.is_empty() => {
            let mut rings = Vec::new();
            for (i, part) in parts.iter().enumerate() {
                let here = format!("{pointer}/segmentation/{i}");
                let Some(flat) = part.as_array().filter(|f| f.len() % 2 == 0) else {
                    return Err(expected(
                        path,
                        &here,
                        "a flat list [x1, y1, x2, y2, ...]",
                        Some(part),
                    ));
                };
                super::numbers::check_vertex_count(flat.len() / 2)
                    .map_err(|problem| Error::input(at(path, &here), problem))?;
                let values = flat
                    .iter()
                    .enumerate()
                    .map(|(j, v)| coordinate(path, &format!("{here}/{j}"), Some(v)))
                    .collect::<Result<Vec<f64>>>()?;
                rings.push(values.chunks(2).map(|c| [c[0], c[1]]).collect::<Vec<_>>());
            }
            rings.sort_by(|a, b| {
                ring_signed_area(b)
                    .abs()
                    .total_cmp(&ring_signed_area(a).abs())
            });
            if rings.len() > 1 {
                builder.note(
                    FindingKind::PartsDropped,
                    Some(item),
                    format!("{} smaller part(s)", rings.len() - 1),
                );
            }
            (ShapeType::Polygon, rings.swap_remove(0))
        }
        Some(Value::Object(rle)) => {
            let here = format!("{pointer}/segmentation");
            let mask = read_rle(path, &here, rle, image_size, catalogue.max_image_pixels)?;
            let Some(shape) = builder.pieces(item, mask.pieces()) else {
                return Ok(None);
            };
            builder.push(Nucleus::new(item as u32, shape, *class, score), name);
            return Ok(Some(mask));
        }
        segmentation => {
            match segmentation {
                // Absent, null or an empty list: the box stands for the nucleus.
                None | Some(Value::Null) | Some(Value::Array(_)) => {}
                Some(other) => {
                    return Err(expected(
                        path,
                        &format!("{pointer}/segmentation"),
                        "polygons [[x1, y1, ...], ...], an RLE object, or nothing",
                        Some(other),
                    ))
                }
            }
            let bbox_pointer = format!("{pointer}/bbox");
            let bbox = annotation.get("bbox");
            let values = match bbox.and_then(Value::as_array) {
                Some(values) if values.len() == 4 => values
                    .iter()
                    .enumerate()
                    .map(|(j, v)| coordinate(path, &format!("{bbox_pointer}/{j}"), Some(v)))
                    .collect::<Result<Vec<f64>>>()?,
                _ => return Err(expected(path, &bbox_pointer, "[x, y, width, height]", bbox)),
            };
            let [x, y, w, h] = [values[0], values[1], values[2], values[3]];
            if w < 0.0 || h < 0.0 {
                return Err(expected(
                    path,
                    &bbox_pointer,
                    "a width and height of at least 0",
                    bbox,
                ));
            }
            if w == 0.0 && h == 0.0 {
                (ShapeType::Point, vec![[x, y]])
            } else {
                (ShapeType::Rectangle, vec![[x, y], [x + w, y + h]])
            }
        }
    };
    if let Some(shape) = builder.shape(item, shape_type, vertices) {
        builder.push(Nucleus::new(item as u32, shape, *class, score), name);
    }
    Ok(None)
}
