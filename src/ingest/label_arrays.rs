//! CoNIC's and PanNuke's label arrays: one `.npy` file holds a whole set of label maps.
//!
//! - CoNIC (`labels.npy`, any name): integers (N, H, W, 2), channel 0 the instance id,
//!   channel 1 the class id (1-6 in CoNIC's order); image names from a `patch_info.csv`
//!   beside it, else `0`, `1`, …
//! - PanNuke (`masks.npy`, any name): numbers (N, H, W, 6), channels 0-4 the instance ids of
//!   each class (Neoplastic, Inflammatory, Connective, Dead, Non-Neoplastic), channel 5 the
//!   background; each image's tissue from `types.npy` beside it; images `0`, `1`, …
//!
//! Both are told by their header's shape and dtype, whatever the file is called.

use super::format::Format;
use super::instances::{fov_of_instances, InstanceRaster};
use super::loaded::{LoadedFov, LoadedSet};
use super::npy::{Dtype, NpyFile, NpyHeader};
use super::options::ReadOptions;
use super::outline::resolve_class;
use super::reader::{Layout, Reader, Sniff};
use crate::error::{Error, Location, Problem, Result};
use crate::model::{ClassHierarchy, ClassScheme};
use crate::quality::{DataQuality, FindingKind};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

pub const CONIC_FORMAT: Format = Format::new(
    "conic",
    "CoNIC label arrays (.npy of N x H x W x 2: instance id, class id)",
);
pub const PANNUKE_FORMAT: Format = Format::new(
    "pannuke",
    "PanNuke masks (.npy of N x H x W x 6: instance ids per class, background)",
);

/// Which array layout a header is.
fn layout_of(header: &NpyHeader) -> Option<Format> {
    match (header.shape.as_slice(), header.dtype) {
        ([_, _, _, 2], Dtype::Int { .. }) => Some(CONIC_FORMAT),
        ([_, _, _, 6], Dtype::Int { .. } | Dtype::Float { .. }) => Some(PANNUKE_FORMAT),
        _ => None,
    }
}

fn sniffed_layout(sniff: &Sniff) -> Option<Format> {
    match sniff {
        Sniff::Head(bytes) => NpyHeader::parse(bytes).ok().as_ref().and_then(layout_of),
        _ => None,
    }
}

/// Reads CoNIC's label arrays.
#[derive(Debug)]
pub struct ConicReader;

/// Reads PanNuke's masks.
#[derive(Debug)]
pub struct PanNukeReader;

impl Reader for ConicReader {
    fn format(&self) -> Format {
        CONIC_FORMAT
    }
    fn layout(&self) -> Layout {
        Layout::OneFile
    }
    fn extensions(&self) -> &'static [&'static str] {
        &[".npy"]
    }
    fn expected(&self) -> &'static str {
        "a CoNIC .npy of integers shaped (N, H, W, 2)"
    }
    fn recognises(&self, sniff: &Sniff) -> bool {
        sniffed_layout(sniff) == Some(CONIC_FORMAT)
    }
    fn scheme(&self, _files: &[PathBuf]) -> Result<Option<ClassHierarchy>> {
        Ok(Some(ClassScheme::Conic.hierarchy()))
    }
    fn read_set(&self, files: &[PathBuf], options: &ReadOptions) -> Result<LoadedSet> {
        read_arrays(one_file(files)?, CONIC_FORMAT, options)
    }
}

impl Reader for PanNukeReader {
    fn format(&self) -> Format {
        PANNUKE_FORMAT
    }
    fn layout(&self) -> Layout {
        Layout::OneFile
    }
    fn extensions(&self) -> &'static [&'static str] {
        &[".npy"]
    }
    fn expected(&self) -> &'static str {
        "a PanNuke masks .npy shaped (N, H, W, 6)"
    }
    fn recognises(&self, sniff: &Sniff) -> bool {
        sniffed_layout(sniff) == Some(PANNUKE_FORMAT)
    }
    fn scheme(&self, _files: &[PathBuf]) -> Result<Option<ClassHierarchy>> {
        Ok(Some(ClassScheme::PanNuke.hierarchy()))
    }
    fn read_set(&self, files: &[PathBuf], options: &ReadOptions) -> Result<LoadedSet> {
        read_arrays(one_file(files)?, PANNUKE_FORMAT, options)
    }
}

fn one_file(files: &[PathBuf]) -> Result<&Path> {
    match files {
        [file] => Ok(file),
        _ => Err(Error::Layout {
            path: files.first().cloned().unwrap_or_default(),
            message: format!("{} array files: expected one", files.len()),
        }),
    }
}

fn invalid(path: &Path, message: String) -> Error {
    Error::input(Location::file(path), Problem::Invalid { message })
}

/// Reads every image of a CoNIC or PanNuke array.
fn read_arrays(path: &Path, format: Format, options: &ReadOptions) -> Result<LoadedSet> {
    let array = NpyFile::open(path)?;
    if layout_of(&array.header) != Some(format) {
        return Err(invalid(
            path,
            format!(
                "shape {:?} of {:?}: expected {}",
                array.header.shape,
                array.header.dtype,
                registry_expected(format)
            ),
        ));
    }
    let [count, height, width, channels] = array.header.shape[..] else {
        unreachable!("a 4-d layout")
    };
    let pixels = height as u64 * width as u64;
    if pixels > options.max_image_pixels {
        return Err(invalid(
            path,
            format!(
                "images of {width} x {height} pixels: expected at most {} (raise --max-image-pixels)",
                options.max_image_pixels
            ),
        ));
    }
    let scheme = if format == CONIC_FORMAT {
        ClassScheme::Conic
    } else {
        ClassScheme::PanNuke
    };
    let names = if format == CONIC_FORMAT {
        image_names(path, count)?
    } else {
        (0..count).map(|i| i.to_string()).collect()
    };
    let groups = if format == PANNUKE_FORMAT {
        tissues(path, count)?
    } else {
        vec![None; count]
    };
    let class_names = scheme.hierarchy();
    let class_names = class_names.names(crate::model::ClassLevel::Raw).to_vec();
    let per_image = height * width * channels;
    // Each class id resolved once: its raw class in the hierarchy in use, and its name.
    let resolved: Vec<std::result::Result<(crate::model::RawClass, String), Problem>> = class_names
        .iter()
        .map(|name| Ok((resolve_class(&options.hierarchy, name)?, name.clone())))
        .collect();
    let fovs: Vec<Result<(LoadedFov, DataQuality)>> = (0..count)
        .into_par_iter()
        // Each worker reads image after image through its own two buffers.
        .map_init(Buffers::default, |buffers, image| {
            let Buffers { bytes, values, ids } = buffers;
            array
                .read_ids_into(image * per_image, per_image, bytes, values)?
                .map_err(|(at, value)| not_an_id(path, image, at, width, channels, value))?;
            let values: &[u32] = values;
            let (class_ids, quality) = if format == CONIC_FORMAT {
                conic_raster(path, image, values, ids)
            } else {
                pannuke_raster(values, width * height, ids)
            };
            let raster = InstanceRaster {
                width: width as u32,
                height: height as u32,
                ids,
            };
            let class_of = |id: u32| {
                let class_id = class_ids[&id];
                class_id
                    .checked_sub(1)
                    .and_then(|k| resolved.get(k as usize))
                    .cloned()
                    .unwrap_or_else(|| {
                        Err(Problem::Invalid {
                            message: format!(
                                "class id {class_id}: expected 1 to {} ({})",
                                class_names.len(),
                                class_names.join(", ")
                            ),
                        })
                    })
            };
            let file = fov_of_instances(
                path,
                raster,
                &class_of,
                options.strictness,
                options.label_outlines,
            )?;
            let mut rows = file.rows;
            // Findings name the image, not just the array file.
            for finding in &mut rows.quality.findings {
                finding.detail = format!("image {}: {}", names[image], finding.detail);
            }
            Ok((
                LoadedFov {
                    name: names[image].clone(),
                    source: path.to_path_buf(),
                    rows,
                    region: None,
                    image_size: file.image_size,
                    test_fold: None,
                    group: groups[image].clone(),
                    label_map: file.label_map,
                },
                quality,
            ))
        })
        .collect();
    let mut set = LoadedSet::default();
    for fov in fovs {
        let (fov, quality) = fov?;
        set.quality.findings.extend(quality.findings);
        set.fovs.push(fov);
    }
    Ok(set)
}

/// A worker's buffers: an image's bytes as read, its elements as ids, and its instance ids.
#[derive(Default)]
struct Buffers {
    bytes: Vec<u8>,
    values: Vec<u32>,
    ids: Vec<u32>,
}

fn registry_expected(format: Format) -> &'static str {
    if format == CONIC_FORMAT {
        ConicReader.expected()
    } else {
        PanNukeReader.expected()
    }
}

/// The error of an element that is not an instance id: element `at` of image `image`.
fn not_an_id(
    path: &Path,
    image: usize,
    at: usize,
    width: usize,
    channels: usize,
    value: f64,
) -> Error {
    let (pixel, channel) = (at / channels, at % channels);
    invalid(
        path,
        format!(
            "image {image}, pixel row {}, column {}, channel {channel}: {value} is not an instance id (expected a whole number from 0)",
            pixel / width + 1,
            pixel % width + 1
        ),
    )
}

/// CoNIC: instance ids from channel 0 (into `ids`), each instance's class the most frequent
/// class id of its pixels.
pub(crate) fn conic_raster(
    path: &Path,
    image: usize,
    values: &[u32],
    ids: &mut Vec<u32>,
) -> (HashMap<u32, u32>, DataQuality) {
    ids.clear();
    ids.extend(values.iter().step_by(2));
    // Each instance's class: the one class of its pixels, as almost always; where they
    // disagree, the most frequent (the lowest id on a tie), noted.
    let mut classes: HashMap<u32, u32> = HashMap::new();
    let mut mixed: Vec<u32> = Vec::new();
    let max = ids.iter().copied().max().unwrap_or(0) as usize;
    if max <= 4 * ids.len() {
        // Dense ids: a table by id rather than a hash per pixel.
        let mut first = vec![u32::MAX; max + 1];
        for pixel in values.chunks_exact(2) {
            let (id, class) = (pixel[0], pixel[1]);
            let slot = &mut first[id as usize];
            if id != 0 && *slot != class {
                if *slot == u32::MAX {
                    *slot = class;
                } else {
                    mixed.push(id);
                }
            }
        }
        for (id, &class) in first.iter().enumerate().skip(1) {
            if class != u32::MAX {
                classes.insert(id as u32, class);
            }
        }
    } else {
        for pixel in values.chunks_exact(2) {
            let (id, class) = (pixel[0], pixel[1]);
            if id != 0 && *classes.entry(id).or_insert(class) != class {
                mixed.push(id);
            }
        }
    }
    mixed.sort_unstable();
    mixed.dedup();
    let mut quality = DataQuality::default();
    for id in mixed {
        let mut counts: BTreeMap<u32, usize> = BTreeMap::new();
        for pixel in values.chunks_exact(2).filter(|p| p[0] == id) {
            *counts.entry(pixel[1]).or_default() += 1;
        }
        let (&class, _) = counts
            .iter()
            .max_by_key(|(&c, &n)| (n, std::cmp::Reverse(c)))
            .expect("an instance has pixels");
        quality.push(
            FindingKind::MaskMixedClasses,
            path.to_path_buf(),
            None,
            format!("image {image}, instance {id}: class ids {counts:?}, the most frequent ({class}) used"),
        );
        classes.insert(id, class);
    }
    (classes, quality)
}

/// PanNuke: each channel's instances numbered in channel order (as PanNuke's `binarize`
/// does, a later channel winning a pixel two claim), the class being the channel.
fn pannuke_raster(
    values: &[u32],
    pixels: usize,
    ids: &mut Vec<u32>,
) -> (HashMap<u32, u32>, DataQuality) {
    ids.clear();
    ids.resize(pixels, 0);
    let mut classes = HashMap::new();
    let mut next = 0u32;
    for channel in 0..5 {
        let mut channel_ids: Vec<u32> = Vec::new();
        for at in 0..pixels {
            let id = values[6 * at + channel];
            if id != 0 {
                channel_ids.push(id);
            }
        }
        channel_ids.sort_unstable();
        channel_ids.dedup();
        let combined: HashMap<u32, u32> = channel_ids
            .iter()
            .map(|&id| {
                next += 1;
                classes.insert(next, channel as u32 + 1);
                (id, next)
            })
            .collect();
        for (at, id) in ids.iter_mut().enumerate() {
            let value = values[6 * at + channel];
            if value != 0 {
                *id = combined[&value];
            }
        }
    }
    (classes, DataQuality::default())
}

/// CoNIC's image names from `patch_info.csv` beside the array (its first column, after a
/// header), when it has one name per image; else `0`, `1`, …
fn image_names(path: &Path, count: usize) -> Result<Vec<String>> {
    let info = path.with_file_name("patch_info.csv");
    let fallback = || (0..count).map(|i| i.to_string()).collect();
    if !info.is_file() {
        return Ok(fallback());
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(&info)
        .map_err(|e| Error::io(&info, "read", std::io::Error::other(e)))?;
    let mut names = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|e| {
            Error::input(
                Location::row(&info, index as u64 + 2),
                Problem::MalformedCsv {
                    message: e.to_string(),
                },
            )
        })?;
        names.push(record.get(0).unwrap_or("").trim().to_string());
    }
    if names.len() != count {
        return Err(invalid(
            &info,
            format!(
                "{} names for an array of {count} images: expected one per image",
                names.len()
            ),
        ));
    }
    Ok(names)
}

/// PanNuke's tissue of each image, from `types.npy` beside the masks.
fn tissues(path: &Path, count: usize) -> Result<Vec<Option<String>>> {
    let types = path.with_file_name("types.npy");
    if !types.is_file() {
        return Ok(vec![None; count]);
    }
    let array = NpyFile::open(&types)?;
    let names = array.read_texts()?;
    if names.len() != count {
        return Err(invalid(
            &types,
            format!(
                "{} tissues for {count} images: expected one per image",
                names.len()
            ),
        ));
    }
    Ok(names.into_iter().map(Some).collect())
}
