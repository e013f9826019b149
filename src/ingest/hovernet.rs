//! HoVer-Net's JSON output, one file per FOV: `{"mag": ..., "nuc": {"1": {"bbox",
//! "centroid", "contour": [[x, y], ...], "type": 2, "type_prob": 0.93}, ...}}`. Type ids
//! become classes through a user-given map (a CSV `type,class`); `type_prob` is the score.

use super::json::{expected, points, read_json, score};
use super::metadata::Table;
use super::outline::{resolve_class, FovBuilder, ShapeType};
use super::{FovRows, Strictness};
use crate::error::{Error, Location, Problem, Result};
use crate::model::{ClassHierarchy, Nucleus};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// HoVer-Net's type ids and the class names they stand for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TypeMap(pub BTreeMap<i64, String>);

impl TypeMap {
    /// Reads a CSV with columns `type` (an integer id) and `class` (a raw class name).
    pub fn read(path: &Path, hierarchy: &ClassHierarchy) -> Result<TypeMap> {
        let table = Table::read(path)?;
        let id = table.column("type", "HoVer-Net's type id")?;
        let class = table.column("class", "the raw class it stands for")?;
        let mut map = BTreeMap::new();
        for (row, record) in table.rows() {
            let value = table.number(row, record, id)?;
            if value.fract() != 0.0 {
                return Err(Error::input(
                    Location::cell(path, row, "type"),
                    Problem::Invalid {
                        message: format!("type {value}: expected an integer"),
                    },
                ));
            }
            let name = table.text(row, record, class, "a raw class name")?;
            resolve_class(hierarchy, name)
                .map_err(|problem| Error::input(Location::cell(path, row, "class"), problem))?;
            map.insert(value as i64, name.to_string());
        }
        Ok(TypeMap(map))
    }
}

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
            "none: give a type map (--type-map FILE, a CSV of type,class)".to_string()
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
            Problem::Invalid {
                message: format!("type {type_id} has no class: the type map knows {known}"),
            },
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
