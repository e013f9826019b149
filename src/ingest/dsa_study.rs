//! A multi-rater study read straight from Digital Slide Archive exports: a folder of
//! annotation files, one per FOV, each holding several people's documents. Each document's
//! rater is its creator (`user.login` where the export has it, else `creatorId`) or, with
//! [`RaterFrom::Name`], the document's `name` (as studies that name documents after their
//! annotator do). A rater's FOVs are the files holding a document of theirs.

use super::dsa::{self, read_element};
use super::json::{expected, read_json};
use super::listing::{file_stem, files_ending};
use super::loaded::{LoadedFov, LoadedSet};
use super::options::ReadOptions;
use super::outline::{FovBuilder, FovRows};
use super::set_index::{index_files, SetSource};
use crate::error::{Error, Result};
use crate::model::{MultiRaterLayout, MultiRaterSet, RaterSet, SetLayout};
use rayon::prelude::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What names a DSA document's rater.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RaterFrom {
    /// The document's creator: `user.login`, else `creatorId`.
    Creator,
    /// The document's `name`.
    Name,
}

crate::choices!(RaterFrom {
    Creator => "creator",
    Name => "name",
});

/// Reads the folder `root` of DSA annotation files as a study, raters named by `rater_from`.
pub fn read_dsa_study(
    root: &Path,
    rater_from: RaterFrom,
    options: &ReadOptions,
) -> Result<MultiRaterSet> {
    let files = files_ending(root, &[".json"])?;
    if files.is_empty() {
        return Err(Error::Layout {
            path: root.to_path_buf(),
            message: "no .json file: expected Digital Slide Archive annotation files, one per FOV"
                .into(),
        });
    }
    let read: Vec<Result<Vec<(String, LoadedFov)>>> = files
        .par_iter()
        .map(|file| fovs_by_rater(file, rater_from, options))
        .collect();
    let mut by_rater: BTreeMap<String, Vec<LoadedFov>> = BTreeMap::new();
    for fovs in read {
        for (rater, fov) in fovs? {
            by_rater.entry(rater).or_default().push(fov);
        }
    }
    let raters = by_rater
        .into_iter()
        .map(|(rater, fovs)| {
            let source = SetSource {
                name: rater.clone(),
                root: root.to_path_buf(),
                layout: SetLayout::CsvFolder,
                reader: super::registry::reader_of(dsa::FORMAT),
                files: Vec::new(),
                loaded: Some(LoadedSet {
                    fovs,
                    ..LoadedSet::default()
                }),
            };
            let set = index_files(source, &[root.to_path_buf()], options)?.read_all()?;
            Ok(RaterSet {
                rater,
                eval_set: None,
                set,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(MultiRaterSet {
        root: root.to_path_buf(),
        layout: MultiRaterLayout::DsaDocuments,
        raters,
    })
}

/// The rater of one document, at `pointer`.
fn rater_of(path: &Path, pointer: &str, document: &Value, rater_from: RaterFrom) -> Result<String> {
    let text = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
    };
    let body = document.get("annotation").unwrap_or(document);
    let (found, field, what) = match rater_from {
        RaterFrom::Creator => (
            text(document.get("user").and_then(|u| u.get("login")))
                .or_else(|| text(document.get("creatorId")))
                .or_else(|| text(body.get("creatorId"))),
            "creatorId",
            "the document's creator (user.login or creatorId) for --rater-from creator",
        ),
        RaterFrom::Name => (
            text(body.get("name")),
            if document.get("annotation").is_some() {
                "annotation/name"
            } else {
                "name"
            },
            "the document's name for --rater-from name",
        ),
    };
    found.ok_or_else(|| expected(path, &format!("{pointer}/{field}"), what, None))
}

/// One file's FOV for each rater with a document in it.
fn fovs_by_rater(
    path: &Path,
    rater_from: RaterFrom,
    options: &ReadOptions,
) -> Result<Vec<(String, LoadedFov)>> {
    let json = read_json(path)?;
    let mut builders: BTreeMap<String, (FovBuilder<'_>, u64)> = BTreeMap::new();
    for document in dsa::documents(path, &json)? {
        let rater = rater_of(path, &document.pointer, document.document, rater_from)?;
        let (builder, item) = builders
            .entry(rater)
            .or_insert_with(|| (FovBuilder::new(path), 0));
        for (j, element) in document.elements.iter().enumerate() {
            *item += 1;
            let pointer = format!("{}/{j}", document.elements_pointer);
            let read = read_element(path, &pointer, *item, element, &options.hierarchy, builder);
            builder.keep(options.strictness, *item, read)?;
        }
    }
    let name = file_stem(path);
    Ok(builders
        .into_iter()
        .map(|(rater, (builder, _))| {
            let rows: FovRows = builder.finish();
            let fov = LoadedFov {
                name: name.clone(),
                source: PathBuf::from(path),
                rows,
                region: None,
                image_size: None,
                test_fold: None,
                group: None,
                label_map: None,
            };
            (rater, fov)
        })
        .collect())
}
