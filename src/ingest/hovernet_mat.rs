//! HoVer-Net's `.mat` output, one file per image: `inst_map` (H, W) of instance ids and
//! `inst_type` (N, 1), the type of instance k in row k. Types become classes through
//! `--type-map` (a CSV `type,class`), else type k is the k-th raw class of the scheme in use
//! (`--classes`; CoNSeP's seven types when none is chosen).

use super::format::Format;
use super::instances::{fov_of_instances, InstanceRaster};
use super::loaded::FovFile;
use super::matlab::{is_mat5, read_mat, MatArray};
use super::options::{LabelOutlines, ReadOptions, Strictness};
use super::outline::resolve_class;
use super::reader::{FovReader, Layout, Reader, Sniff};
use super::type_map::TypeMap;
use crate::error::{Error, Location, Problem, Result};
use crate::model::{ClassHierarchy, ClassLevel, ClassScheme};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const FORMAT: Format = Format::new(
    "hovernet-mat",
    "HoVer-Net .mat files (inst_map, inst_type), one per image",
);

/// Reads HoVer-Net's `.mat` files.
#[derive(Debug)]
pub struct HoverNetMatReader;

impl Reader for HoverNetMatReader {
    fn format(&self) -> Format {
        FORMAT
    }
    fn layout(&self) -> Layout {
        Layout::PerFov
    }
    fn extensions(&self) -> &'static [&'static str] {
        &[".mat"]
    }
    fn expected(&self) -> &'static str {
        "HoVer-Net .mat files (MATLAB 5, inst_map and inst_type)"
    }
    fn recognises(&self, sniff: &Sniff) -> bool {
        matches!(sniff, Sniff::Head(bytes) if is_mat5(bytes))
    }
    fn scheme(&self, _files: &[PathBuf]) -> Result<Option<ClassHierarchy>> {
        Ok(Some(ClassScheme::Consep.hierarchy()))
    }
    fn open_fovs(
        &self,
        _find: &dyn Fn(&str) -> Option<PathBuf>,
        options: &ReadOptions,
    ) -> Result<Arc<dyn FovReader>> {
        Ok(Arc::new(MatFovs {
            hierarchy: options.hierarchy.clone(),
            types: options.type_map.clone(),
            strictness: options.strictness,
            max_pixels: options.max_image_pixels,
            outlines: options.label_outlines,
        }))
    }
}

#[derive(Debug)]
struct MatFovs {
    hierarchy: Arc<ClassHierarchy>,
    types: Arc<TypeMap>,
    strictness: Strictness,
    max_pixels: u64,
    outlines: LabelOutlines,
}

fn invalid(path: &Path, message: String) -> Error {
    Error::input(Location::file(path), Problem::Invalid { message })
}

impl FovReader for MatFovs {
    fn read_fov(&self, path: &Path) -> Result<FovFile> {
        let arrays = read_mat(path)?;
        let find = |name: &str| arrays.iter().find(|a| a.name == name);
        let Some(map) = find("inst_map") else {
            let names: Vec<&str> = arrays.iter().map(|a| a.name.as_str()).collect();
            return Err(invalid(
                path,
                format!(
                    "no inst_map among its arrays [{}]: expected HoVer-Net's inst_map",
                    names.join(", ")
                ),
            ));
        };
        let (width, height, mut ids) = raster_of(path, map, self.max_pixels)?;
        let types: Option<&MatArray> = find("inst_type");
        let raw = self.hierarchy.names(ClassLevel::Raw);
        let class_of = |id: u32| {
            let Some(types) = types else {
                let class = resolve_class(&self.hierarchy, "nucleus")?;
                return Ok((class, "nucleus".to_string()));
            };
            let type_id = types
                .values
                .get(id as usize - 1)
                .copied()
                .ok_or_else(|| Problem::Invalid {
                    message: format!(
                        "instance {id} but inst_type has {} rows: expected a type for each instance id",
                        types.values.len()
                    ),
                })?;
            let name = if self.types.0.is_empty() {
                let k = type_id as i64;
                usize::try_from(k - 1)
                    .ok()
                    .and_then(|i| raw.get(i))
                    .cloned()
                    .ok_or_else(|| Problem::Invalid {
                        message: format!(
                            "type {type_id}: expected 1 to {} (the raw classes of the scheme in use: {}), or give --type-map",
                            raw.len(),
                            raw.join(", ")
                        ),
                    })?
            } else {
                self.types
                    .0
                    .get(&(type_id as i64))
                    .cloned()
                    .ok_or_else(|| Problem::TypeWithoutClass {
                        type_id: type_id as i64,
                        known: format!("{:?}", self.types.0.keys().collect::<Vec<_>>()),
                    })?
            };
            Ok((resolve_class(&self.hierarchy, &name)?, name))
        };
        let raster = InstanceRaster {
            width,
            height,
            ids: &mut ids,
        };
        fov_of_instances(path, raster, &class_of, self.strictness, self.outlines)
    }
}

/// `inst_map` as a row-major raster of ids: its width, height and ids.
fn raster_of(path: &Path, map: &MatArray, max_pixels: u64) -> Result<(u32, u32, Vec<u32>)> {
    let [height, width] = map.dims[..] else {
        return Err(invalid(
            path,
            format!(
                "inst_map of dimensions {:?}: expected (height, width)",
                map.dims
            ),
        ));
    };
    if (height as u64) * (width as u64) > max_pixels {
        return Err(invalid(
            path,
            format!("inst_map of {width} x {height} pixels: expected at most {max_pixels}"),
        ));
    }
    let mut ids = vec![0u32; height * width];
    for column in 0..width {
        for row in 0..height {
            let value = map.values[column * height + row];
            if !(value >= 0.0 && value.fract() == 0.0 && value <= f64::from(u32::MAX)) {
                return Err(invalid(
                    path,
                    format!(
                        "inst_map row {}, column {}: {value} is not an instance id (expected a whole number from 0)",
                        row + 1,
                        column + 1
                    ),
                ));
            }
            ids[row * width + column] = value as u32;
        }
    }
    Ok((width as u32, height as u32, ids))
}
