//! Instance label images: one grayscale PNG (8 or 16 bits) or TIFF (8, 16 or 32 bits) per
//! image, each pixel the id of its instance (0 background), as StarDist, Cellpose and QuPath's
//! label export write them;
//! `<image>_classes.csv` (`instance,class`) beside gives each instance's class, else every
//! instance is a `nucleus`.

use super::format::Format;
use super::instances::{fov_of_instances, InstanceRaster};
use super::listing::CLASSES_SUFFIX;
use super::loaded::FovFile;
use super::metadata::Table;
use super::options::{LabelOutlines, ReadOptions, Strictness};
use super::outline::resolve_class;
use super::reader::{FovReader, Layout, Reader, Sniff};
use crate::error::{Error, Problem, Result};
use crate::model::{ClassHierarchy, ClassScheme};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const FORMAT: Format = Format::new(
    "labels",
    "instance label images (grayscale PNG or TIFF, one id per pixel, <image>_classes.csv beside)",
);

/// Reads instance label images.
#[derive(Debug)]
pub struct LabelImageReader;

impl Reader for LabelImageReader {
    fn format(&self) -> Format {
        FORMAT
    }
    fn layout(&self) -> Layout {
        Layout::PerFov
    }
    fn extensions(&self) -> &'static [&'static str] {
        &[".png", ".tif", ".tiff"]
    }
    fn expected(&self) -> &'static str {
        "grayscale PNG or TIFF label images (<image>.png|.tif, <image>_classes.csv)"
    }
    fn recognises(&self, sniff: &Sniff) -> bool {
        matches!(sniff, Sniff::Head(bytes) if crate::png::is_grayscale(bytes) || crate::tiff::is_tiff(bytes))
    }

    /// Without class tables, the `nucleus` scheme; with them, the first built-in scheme that
    /// knows every class of the first table.
    fn scheme(&self, files: &[PathBuf]) -> Result<Option<ClassHierarchy>> {
        let Some(first) = files.first() else {
            return Ok(None);
        };
        let Some(table) = class_table_of(first) else {
            return Ok(Some(ClassScheme::Nucleus.hierarchy()));
        };
        let classes = read_classes(&table)?;
        Ok(ClassScheme::ALL
            .into_iter()
            .map(ClassScheme::hierarchy)
            .find(|h| classes.values().all(|(_, name)| h.resolve(name).is_some())))
    }

    fn open_fovs(
        &self,
        _find: &dyn Fn(&str) -> Option<PathBuf>,
        options: &ReadOptions,
    ) -> Result<Arc<dyn FovReader>> {
        Ok(Arc::new(LabelImages {
            hierarchy: options.hierarchy.clone(),
            strictness: options.strictness,
            max_pixels: options.max_image_pixels,
            outlines: options.label_outlines,
        }))
    }
}

#[derive(Debug)]
struct LabelImages {
    hierarchy: Arc<ClassHierarchy>,
    strictness: Strictness,
    max_pixels: u64,
    outlines: LabelOutlines,
}

impl FovReader for LabelImages {
    fn read_fov(&self, path: &Path) -> Result<FovFile> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, "read", e))?;
        let (width, height, mut ids) = if crate::tiff::is_tiff(&bytes) {
            crate::tiff::decode_gray_within(path, &bytes, self.max_pixels)?
        } else {
            crate::png::decode_gray_within(path, &bytes, self.max_pixels)?
        };
        let table = class_table_of(path);
        let classes = match &table {
            Some(table) => read_classes(table)?,
            None => HashMap::new(),
        };
        let hierarchy = &self.hierarchy;
        let class_of = |id: u32| {
            let name = match &table {
                Some(table) => match classes.get(&id) {
                    Some((_, name)) => name.as_str(),
                    None => {
                        return Err(Problem::Invalid {
                            message: format!(
                                "instance {id} has no row in {}: expected every instance of the image listed",
                                table.display()
                            ),
                        })
                    }
                },
                None => "nucleus",
            };
            let class = resolve_class(hierarchy, name).map_err(|problem| match table {
                None => Problem::Invalid {
                    message: format!(
                        "no {} beside the image, so its instances are \"nucleus\", which the hierarchy does not know: expected a class table or --classes nucleus",
                        CLASSES_SUFFIX
                    ),
                },
                Some(_) => problem,
            })?;
            Ok((class, name.to_string()))
        };
        fov_of_instances(
            path,
            InstanceRaster {
                width,
                height,
                ids: &mut ids,
            },
            &class_of,
            self.strictness,
            self.outlines,
        )
    }
}

/// `<image>_classes.csv` beside `<image>.png`, if it exists.
fn class_table_of(image: &Path) -> Option<PathBuf> {
    let stem = image.file_stem()?.to_str()?;
    let table = image.with_file_name(format!("{stem}{CLASSES_SUFFIX}"));
    table.is_file().then_some(table)
}

/// A class table: instance id → (its row, class name).
fn read_classes(path: &Path) -> Result<HashMap<u32, (u64, String)>> {
    let table = Table::read(path)?;
    let instance = table.column("instance", "instance,class")?;
    let class = table.column("class", "instance,class")?;
    let mut classes: HashMap<u32, (u64, String)> = HashMap::new();
    for (row, record) in table.rows() {
        let id_text = table.text(row, record, instance, "an instance id")?;
        let id: u32 = id_text.parse().map_err(|_| {
            table.error_at(
                row,
                instance,
                Problem::Invalid {
                    message: format!(
                        "{id_text:?}: expected an instance id (a whole number from 1)"
                    ),
                },
            )
        })?;
        let name = table.text(row, record, class, "a class name")?.to_string();
        if let Some((first, _)) = classes.insert(id, (row, name)) {
            return Err(table.error_at(
                row,
                instance,
                Problem::Invalid {
                    message: format!(
                        "instance {id} is listed twice (rows {first} and {row}): expected each once"
                    ),
                },
            ));
        }
    }
    Ok(classes)
}
