//! Annotation sets held in memory rather than in files: a table of nuclei (the NuCLS columns
//! and a `fov` column, as a DataFrame gives them), and instance label maps (as numpy arrays
//! give them), so that a notebook or a training loop can score a batch without writing files.
//!
//! Errors name the path [`MEMORY_PATH`]: a table's row (the header being row 1, so that a
//! DataFrame's row `i`, counted from 0, is row `i + 2`) and column, a label map's image and
//! instance.
//!
//! ```
//! use nucagree::ingest::{memory, ReadOptions};
//!
//! let table = "fov,raw_classification,xmin,ymin,xmax,ymax\n\
//!              fov_a,tumor,0,0,10,10\n\
//!              fov_a,lymphocyte,20,20,26,26\n\
//!              fov_b,fibroblast,5,5,9,12\n";
//! let set = memory::set_of_table("model", table.as_bytes(), &ReadOptions::default()).unwrap();
//! assert_eq!(set.fov_names(), ["fov_a", "fov_b"]);
//! assert_eq!(set.nucleus_count(), 3);
//! ```

use super::fov_csv::{parse_nuclei_table, FORMAT as TABLE_FORMAT};
use super::instances::{fov_of_instances, InstanceRaster};
use super::label_arrays::conic_raster;
use super::loaded::LoadedFov;
use super::options::ReadOptions;
use super::outline::resolve_class;
use crate::error::{Error, Location, Problem, Result};
use crate::model::{AnnotationSet, ClassLevel, Fov, NuclsFovName, RawClass, SetLayout};
use crate::quality::DataQuality;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// The path an in-memory set's errors and reports name.
pub const MEMORY_PATH: &str = "<memory>";

/// The format of a set of label maps held in memory.
pub const LABEL_MAPS_FORMAT: crate::ingest::Format =
    crate::ingest::Format::new("label-maps", "instance label maps held in memory");

/// A table of nuclei: the columns of a NuCLS CSV (`raw_classification`, `coords_x` and
/// `coords_y` or `xmin`, `ymin`, `xmax`, `ymax`, optionally `score`) and a `fov` column, as
/// CSV text. Each nucleus keeps its row in the table.
pub fn set_of_table(name: &str, csv: &[u8], options: &ReadOptions) -> Result<AnnotationSet> {
    let path = Path::new(MEMORY_PATH);
    let fovs = parse_nuclei_table(path, csv, &options.hierarchy, options.strictness)?;
    let loaded = fovs
        .into_iter()
        .map(|(fov, rows)| LoadedFov {
            name: fov,
            source: path.to_path_buf(),
            rows,
            region: None,
            image_size: None,
            test_fold: None,
            group: None,
            label_map: None,
        })
        .collect();
    Ok(assemble(
        name,
        TABLE_FORMAT,
        loaded,
        DataQuality::default(),
        options,
    ))
}

/// The classes of one label map's instances.
#[derive(Debug, Clone, PartialEq)]
pub enum InstanceClasses {
    /// The class name of each instance id (ids not listed are an error).
    ByInstance(HashMap<u32, String>),
    /// A class-id map on the instance map's grid (0 background, `k` the scheme's `k`-th raw
    /// class): an instance's class is the most frequent class id of its pixels, as CoNIC's
    /// code takes it.
    ByPixel(Vec<u32>),
    /// No classes: every instance is of the hierarchy's first raw class (class-agnostic
    /// figures only).
    None,
}

/// One image's instance label map: `width` × `height` instance ids row by row (0 for
/// background) and its instances' classes.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelMapInput {
    /// The image's name (the FOV's).
    pub name: String,
    pub width: u32,
    pub height: u32,
    pub ids: Vec<u32>,
    pub classes: InstanceClasses,
}

/// A set of instance label maps: each image a FOV, each instance a nucleus traced along its
/// pixel edges, the label map kept for the instance metrics. Class ids of
/// [`InstanceClasses::ByPixel`] count from 1 through the hierarchy's raw classes.
pub fn set_of_label_maps(
    name: &str,
    maps: Vec<LabelMapInput>,
    options: &ReadOptions,
) -> Result<AnnotationSet> {
    let path = Path::new(MEMORY_PATH);
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, map) in maps.iter().enumerate() {
        let location = Location::mask_instance(path, i as u64 + 1, "image");
        if let Some(first) = seen.insert(&map.name, i) {
            return Err(Error::input(
                location,
                Problem::Invalid {
                    message: format!(
                        "image name {:?} is also image {}'s: expected one name per image",
                        map.name,
                        first + 1
                    ),
                },
            ));
        }
        let pixels = u64::from(map.width) * u64::from(map.height);
        if pixels != map.ids.len() as u64 {
            return Err(Error::input(
                location,
                Problem::Invalid {
                    message: format!(
                        "{} ids for {} x {} pixels: expected one per pixel",
                        map.ids.len(),
                        map.width,
                        map.height
                    ),
                },
            ));
        }
        if pixels > options.max_image_pixels {
            return Err(Error::input(
                location,
                Problem::Invalid {
                    message: format!(
                        "an image of {} x {} pixels: expected at most {} (raise max_image_pixels)",
                        map.width, map.height, options.max_image_pixels
                    ),
                },
            ));
        }
        if let InstanceClasses::ByPixel(class_ids) = &map.classes {
            if class_ids.len() != map.ids.len() {
                return Err(Error::input(
                    location,
                    Problem::Invalid {
                        message: format!(
                            "a class map of {} pixels for an instance map of {}: expected the same grid",
                            class_ids.len(),
                            map.ids.len()
                        ),
                    },
                ));
            }
        }
    }
    let raw_names = options.hierarchy.names(ClassLevel::Raw).to_vec();
    let read: Vec<Result<(LoadedFov, DataQuality)>> = maps
        .into_par_iter()
        .enumerate()
        .map(|(image, map)| label_map_fov(image, map, &raw_names, options))
        .collect();
    let mut loaded = Vec::with_capacity(read.len());
    let mut quality = DataQuality::default();
    for fov in read {
        let (fov, found) = fov?;
        quality.extend(found);
        loaded.push(fov);
    }
    Ok(assemble(name, LABEL_MAPS_FORMAT, loaded, quality, options))
}

/// One image's FOV, with the findings about its classes.
fn label_map_fov(
    image: usize,
    map: LabelMapInput,
    raw_names: &[String],
    options: &ReadOptions,
) -> Result<(LoadedFov, DataQuality)> {
    let path = PathBuf::from(format!("{MEMORY_PATH}/{}", map.name));
    let LabelMapInput {
        name,
        width,
        height,
        mut ids,
        classes,
    } = map;
    let resolve = |class_name: &str| -> std::result::Result<(RawClass, String), Problem> {
        Ok((
            resolve_class(&options.hierarchy, class_name)?,
            class_name.to_string(),
        ))
    };
    let (by_id, quality): (HashMap<u32, u32>, DataQuality) = match &classes {
        InstanceClasses::ByPixel(class_ids) => {
            let interleaved: Vec<u32> = ids
                .iter()
                .zip(class_ids)
                .flat_map(|(&id, &class)| [id, class])
                .collect();
            let mut scratch = Vec::new();
            conic_raster(&path, image + 1, &interleaved, &mut scratch)
        }
        _ => (HashMap::new(), DataQuality::default()),
    };
    let class_of = |id: u32| -> std::result::Result<(RawClass, String), Problem> {
        match &classes {
            InstanceClasses::ByInstance(names) => match names.get(&id) {
                Some(class_name) => resolve(class_name),
                None => Err(Problem::Invalid {
                    message: format!("instance {id} has no class: expected it in the classes"),
                }),
            },
            InstanceClasses::ByPixel(_) => {
                let class_id = by_id.get(&id).copied().unwrap_or(0);
                match class_id
                    .checked_sub(1)
                    .and_then(|k| raw_names.get(k as usize))
                {
                    Some(class_name) => resolve(class_name),
                    None => Err(Problem::Invalid {
                        message: format!(
                            "class id {class_id}: expected 1 to {} ({})",
                            raw_names.len(),
                            raw_names.join(", ")
                        ),
                    }),
                }
            }
            InstanceClasses::None => resolve(&raw_names[0]),
        }
    };
    let raster = InstanceRaster {
        width,
        height,
        ids: &mut ids,
    };
    let file = fov_of_instances(
        &path,
        raster,
        &class_of,
        options.strictness,
        options.label_outlines,
    )?;
    Ok((
        LoadedFov {
            name,
            source: path,
            rows: file.rows,
            region: None,
            image_size: file.image_size,
            test_fold: None,
            group: None,
            label_map: file.label_map,
        },
        quality,
    ))
}

/// The set of FOVs read from memory: each FOV's slide and hospital from its NuCLS name where
/// it has one, its group from the image groups given.
fn assemble(
    name: &str,
    format: crate::ingest::Format,
    loaded: Vec<LoadedFov>,
    mut quality: DataQuality,
    options: &ReadOptions,
) -> AnnotationSet {
    let mut fovs: Vec<Fov> = loaded
        .into_iter()
        .map(|loaded| {
            quality.extend(loaded.rows.quality);
            let parsed = NuclsFovName::parse(&loaded.name);
            let group = options
                .image_groups
                .as_ref()
                .and_then(|groups| groups.get(&loaded.name).cloned());
            Fov {
                slide: parsed.as_ref().map(|p| p.slide.clone()),
                hospital: parsed.and_then(|p| p.hospital),
                region: loaded.region,
                image_size: loaded.image_size,
                test_fold: None,
                group,
                label_map: loaded.label_map,
                measurements: loaded.rows.measurements.map(std::sync::Arc::new),
                nuclei: loaded.rows.nuclei,
                name: loaded.name,
                source: loaded.source,
            }
        })
        .collect();
    fovs.sort_by(|a, b| a.name.cmp(&b.name));
    AnnotationSet {
        name: name.to_string(),
        root: PathBuf::from(MEMORY_PATH),
        layout: SetLayout::CsvFolder,
        format,
        hierarchy: options.hierarchy.clone(),
        fovs,
        folds: BTreeMap::new(),
        quality,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Strictness;

    #[test]
    fn a_table_is_grouped_by_fov_and_keeps_its_rows() {
        let table = "raw_classification,fov,xmin,ymin,xmax,ymax,score\n\
                     tumor,b,0,0,10,10,0.9\n\
                     lymphocyte,a,20,20,26,26,0.5\n\
                     fibroblast,b,5,5,9,12,\n";
        let set = set_of_table("t", table.as_bytes(), &ReadOptions::default()).unwrap();
        assert_eq!(set.fov_names(), ["a", "b"]);
        let rows: Vec<u32> = set.fovs[1].nuclei.iter().map(|n| n.row).collect();
        assert_eq!(rows, [2, 4]);
        assert_eq!(set.fovs[1].nuclei[0].score, Some(0.9));
        assert_eq!(set.fovs[1].nuclei[1].score, None);
        assert_eq!(set.root, Path::new(MEMORY_PATH));
    }

    #[test]
    fn a_bad_cell_names_memory_its_row_and_column() {
        let table = "fov,raw_classification,xmin,ymin,xmax,ymax\n\
                     a,tumor,0,0,10,10\n\
                     a,tumor,0,zero,10,10\n";
        let error = set_of_table("t", table.as_bytes(), &ReadOptions::default()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "<memory>:3:ymin: expected a number, found \"zero\""
        );
        let missing = "raw_classification,xmin,ymin,xmax,ymax\ntumor,0,0,1,1\n";
        let error = set_of_table("t", missing.as_bytes(), &ReadOptions::default()).unwrap_err();
        assert!(
            error.to_string().contains("missing column \"fov\""),
            "{error}"
        );
        let empty_fov = "fov,raw_classification,xmin,ymin,xmax,ymax\n ,tumor,0,0,1,1\n";
        let error = set_of_table("t", empty_fov.as_bytes(), &ReadOptions::default()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "<memory>:2:fov: empty cell: expected a FOV name"
        );
        let lenient = ReadOptions {
            strictness: Strictness::Lenient,
            ..ReadOptions::default()
        };
        let set = set_of_table("t", table.as_bytes(), &lenient).unwrap();
        assert_eq!(set.nucleus_count(), 1);
        assert_eq!(
            set.quality.count(crate::quality::FindingKind::SkippedRow),
            1
        );
    }

    fn square_map(classes: InstanceClasses) -> LabelMapInput {
        // Two instances: id 7 a 2 x 2 square, id 3 a 1 x 3 bar.
        #[rustfmt::skip]
        let ids = vec![
            7, 7, 0, 3,
            7, 7, 0, 3,
            0, 0, 0, 3,
        ];
        LabelMapInput {
            name: "img".into(),
            width: 4,
            height: 3,
            ids,
            classes,
        }
    }

    #[test]
    fn label_maps_take_classes_by_instance_or_by_pixel() {
        let options = ReadOptions {
            hierarchy: std::sync::Arc::new(crate::model::ClassScheme::Conic.hierarchy()),
            ..ReadOptions::default()
        };
        let names = HashMap::from([(7, "epithelial".to_string()), (3, "lymphocyte".into())]);
        let by_name = set_of_label_maps(
            "p",
            vec![square_map(InstanceClasses::ByInstance(names))],
            &options,
        )
        .unwrap();
        #[rustfmt::skip]
        let class_ids = vec![
            2, 2, 0, 3,
            2, 2, 0, 3,
            0, 0, 0, 1,
        ];
        let by_pixel = set_of_label_maps(
            "p",
            vec![square_map(InstanceClasses::ByPixel(class_ids))],
            &options,
        )
        .unwrap();
        for set in [&by_name, &by_pixel] {
            let fov = &set.fovs[0];
            let classes: Vec<&str> = fov
                .nuclei
                .iter()
                .map(|n| set.hierarchy.name(n.class.id, ClassLevel::Raw))
                .collect();
            // Ids are renumbered in order of value: 3 first, then 7.
            assert_eq!(classes, ["lymphocyte", "epithelial"]);
            let areas: Vec<f64> = fov.nuclei.iter().map(|n| n.shape.area()).collect();
            assert_eq!(areas, [3.0, 4.0]);
            assert_eq!(fov.image_size, Some((4, 3)));
            assert!(fov.label_map.is_some());
        }
        let missing = HashMap::from([(7, "epithelial".to_string())]);
        let error = set_of_label_maps(
            "p",
            vec![square_map(InstanceClasses::ByInstance(missing))],
            &options,
        )
        .unwrap_err();
        assert!(
            error.to_string().contains("instance 3 has no class"),
            "{error}"
        );
        let mut short = square_map(InstanceClasses::None);
        short.ids.pop();
        let error = set_of_label_maps("p", vec![short], &options).unwrap_err();
        assert_eq!(
            error.to_string(),
            "<memory>:1:image: 11 ids for 4 x 3 pixels: expected one per pixel"
        );
    }
}
