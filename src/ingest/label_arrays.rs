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
    let fovs: Vec<Result<(LoadedFov, DataQuality)>> = (0..count)
        .into_par_iter()
        .map(|image| {
            let values = array.read_numbers(image * per_image, per_image)?;
            let (raster, class_ids, quality) = if format == CONIC_FORMAT {
                conic_raster(path, image, &values, width, height)?
            } else {
                pannuke_raster(path, image, &values, width, height)?
            };
            let hierarchy = &options.hierarchy;
            let class_of = |id: u32| {
                let class_id = class_ids[&id];
                let name = class_id
                    .checked_sub(1)
                    .and_then(|k| class_names.get(k as usize))
                    .ok_or_else(|| Problem::Invalid {
                        message: format!(
                            "class id {class_id}: expected 1 to {} ({})",
                            class_names.len(),
                            class_names.join(", ")
                        ),
                    })?;
                Ok((resolve_class(hierarchy, name)?, name.clone()))
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

fn registry_expected(format: Format) -> &'static str {
    if format == CONIC_FORMAT {
        ConicReader.expected()
    } else {
        PanNukeReader.expected()
    }
}

/// A pixel value as an instance id: a whole number from 0 to 2^32 - 1.
fn id_of(
    path: &Path,
    image: usize,
    at: usize,
    width: usize,
    channel: usize,
    value: f64,
) -> Result<u32> {
    if value >= 0.0 && value.fract() == 0.0 && value <= f64::from(u32::MAX) {
        return Ok(value as u32);
    }
    Err(invalid(
        path,
        format!(
            "image {image}, pixel row {}, column {}, channel {channel}: {value} is not an instance id (expected a whole number from 0)",
            at / width + 1,
            at % width + 1
        ),
    ))
}

/// CoNIC: instance ids from channel 0, each instance's class the most frequent class id of
/// its pixels.
fn conic_raster(
    path: &Path,
    image: usize,
    values: &[f64],
    width: usize,
    height: usize,
) -> Result<(InstanceRaster, HashMap<u32, u32>, DataQuality)> {
    let mut ids = Vec::with_capacity(width * height);
    let mut pairs: Vec<u64> = Vec::new();
    for at in 0..width * height {
        let id = id_of(path, image, at, width, 0, values[2 * at])?;
        ids.push(id);
        if id != 0 {
            let class = id_of(path, image, at, width, 1, values[2 * at + 1])?;
            pairs.push((u64::from(id) << 32) | u64::from(class));
        }
    }
    pairs.sort_unstable();
    let mut quality = DataQuality::default();
    let mut classes = HashMap::new();
    let mut start = 0;
    while start < pairs.len() {
        let id = (pairs[start] >> 32) as u32;
        let mut end = start;
        let mut counts: BTreeMap<u32, usize> = BTreeMap::new();
        while end < pairs.len() && (pairs[end] >> 32) as u32 == id {
            *counts.entry(pairs[end] as u32).or_default() += 1;
            end += 1;
        }
        start = end;
        let (&class, _) = counts
            .iter()
            .max_by_key(|(&c, &n)| (n, std::cmp::Reverse(c)))
            .expect("an instance has pixels");
        if counts.len() > 1 {
            quality.push(
                FindingKind::MaskMixedClasses,
                path.to_path_buf(),
                None,
                format!("image {image}, instance {id}: class ids {counts:?}, the most frequent ({class}) used"),
            );
        }
        classes.insert(id, class);
    }
    let raster = InstanceRaster {
        width: width as u32,
        height: height as u32,
        ids,
    };
    Ok((raster, classes, quality))
}

/// PanNuke: each channel's instances numbered in channel order (as PanNuke's `binarize`
/// does, a later channel winning a pixel two claim), the class being the channel.
fn pannuke_raster(
    path: &Path,
    image: usize,
    values: &[f64],
    width: usize,
    height: usize,
) -> Result<(InstanceRaster, HashMap<u32, u32>, DataQuality)> {
    let mut ids = vec![0u32; width * height];
    let mut classes = HashMap::new();
    let mut next = 0u32;
    for channel in 0..5 {
        let mut channel_ids: Vec<u32> = Vec::new();
        for at in 0..width * height {
            let id = id_of(path, image, at, width, channel, values[6 * at + channel])?;
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
            let value = values[6 * at + channel] as u32;
            if value != 0 {
                *id = combined[&value];
            }
        }
    }
    let raster = InstanceRaster {
        width: width as u32,
        height: height as u32,
        ids,
    };
    Ok((raster, classes, DataQuality::default()))
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
