//! HoVer-Net's JSON output, one file per FOV: `{"mag": ..., "nuc": {"1": {"bbox",
//! "centroid", "contour": [[x, y], ...], "type": 2, "type_prob": 0.93}, ...}}`. Type ids
//! become classes through a user-given map (a CSV `type,class`); `type_prob` is the score.

use super::format::Format;
use super::json::{expected, points, read_json, score};
use super::loaded::FovFile;
use super::options::ReadOptions;
use super::options::Strictness;
use super::outline::{resolve_class, FovBuilder, FovRows, ShapeType};
use super::reader::{FovReader, Layout, Reader, Sniff};
use super::type_map::TypeMap;
use crate::error::{Error, Problem, Result};
use crate::model::{ClassHierarchy, Nucleus};
use serde_json::Value;
use std::path::Path;
use std::path::PathBuf;
use std::sync::Arc;

/// Reads one HoVer-Net JSON file as a FOV's nuclei, in order of their ids.
pub fn read_hovernet_fov(
    path: &Path,
    hierarchy: &ClassHierarchy,
    types: &TypeMap,
    strictness: Strictness,
) -> Result<FovRows> {
    let document = read_json(path)?;
    let Some(nuclei) = document.get("nuc").and_then(Value::as_object) else {
        return Err(expected(
            path,
            "/nuc",
            "an object of nuclei by id",
            document.get("nuc"),
        ));
    };
    let mut entries: Vec<(&String, &Value)> = nuclei.iter().collect();
    entries.sort_by(|a, b| match (a.0.parse::<u64>(), b.0.parse::<u64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.0.cmp(b.0),
    });
    let mut builder = FovBuilder::new(path);
    for (index, (id, nucleus)) in entries.into_iter().enumerate() {
        let item = index as u64 + 1;
        let pointer = format!("/nuc/{id}");
        let read = read_nucleus(
            path,
            &pointer,
            item,
            nucleus,
            hierarchy,
            types,
            &mut builder,
        );
        builder.keep(strictness, item, read)?;
    }
    Ok(builder.finish())
}

fn read_nucleus(
    path: &Path,
    pointer: &str,
    item: u64,
    nucleus: &Value,
    hierarchy: &ClassHierarchy,
    types: &TypeMap,
    builder: &mut FovBuilder<'_>,
) -> Result<()> {
    let type_pointer = format!("{pointer}/type");
    let type_value = nucleus.get("type");
    let Some(type_id) = type_value.and_then(Value::as_i64) else {
        return Err(expected(
            path,
            &type_pointer,
            "an integer type id",
            type_value,
        ));
    };
    let Some(name) = types.0.get(&type_id) else {
        let known = if types.0.is_empty() {
            "none: give a type map (a CSV of type,class)".to_string()
        } else {
            types
                .0
                .keys()
                .map(|k| k.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(Error::input(
            super::json::at(path, &type_pointer),
            Problem::TypeWithoutClass { type_id, known },
        ));
    };
    let class = resolve_class(hierarchy, name)
        .map_err(|problem| Error::input(super::json::at(path, &type_pointer), problem))?;
    let score = score(
        path,
        &format!("{pointer}/type_prob"),
        nucleus.get("type_prob"),
    )?;
    let contour = points(path, &format!("{pointer}/contour"), nucleus.get("contour"))?;
    if let Some(shape) = builder.shape(item, ShapeType::Polygon, contour) {
        builder.push(Nucleus::new(item as u32, shape, class, score), name);
    }
    Ok(())
}

/// HoVer-Net's JSON format.
pub const FORMAT: Format = Format::new("hovernet", "HoVer-Net JSON, one file per FOV");

/// Reads HoVer-Net's JSON output, one file per FOV, its type ids mapped to classes by
/// [`ReadOptions::type_map`].
#[derive(Debug, Clone, Copy)]
pub struct HoverNetReader;

impl Reader for HoverNetReader {
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
        "HoVer-Net JSON (nuc)"
    }

    fn recognises(&self, sniff: &Sniff) -> bool {
        matches!(sniff, Sniff::JsonObject { keys, .. } if keys.iter().any(|k| k == "nuc"))
    }

    fn open_fovs(
        &self,
        _find: &dyn Fn(&str) -> Option<PathBuf>,
        options: &ReadOptions,
    ) -> Result<Arc<dyn FovReader>> {
        Ok(Arc::new(HoverNetFovs {
            hierarchy: options.hierarchy.clone(),
            types: options.type_map.clone(),
            strictness: options.strictness,
        }))
    }
}

#[derive(Debug)]
struct HoverNetFovs {
    hierarchy: Arc<ClassHierarchy>,
    types: Arc<TypeMap>,
    strictness: Strictness,
}

impl FovReader for HoverNetFovs {
    fn read_fov(&self, path: &Path) -> Result<FovFile> {
        Ok(FovFile {
            rows: read_hovernet_fov(path, &self.hierarchy, &self.types, self.strictness)?,
            ..FovFile::default()
        })
    }
}
