//! NuCLS masks: one PNG per FOV. Channel 0 holds the class code of `nucleus_GTcodes.csv`
//! (253 marks the FOV region, 0 lies outside it), channels 1 and 2 an instance id: an
//! instance is keyed on the pair (their product wraps in 8 bits, so it is not used).
//! Each instance's outline is traced along pixel edges ([`crate::geometry::contour`]).

use super::format::Format;
use super::instances::pieces_of;
use super::loaded::FovFile;
use super::metadata::Table;
use super::options::ReadOptions;
use super::outline::FovBuilder;
use super::outline::FovRows;
use super::reader::{FovReader, Layout, Reader, Sniff};
use crate::error::{Error, Location, Problem, Result};
use crate::geometry::contour::trace_regions;
use crate::model::{BoundingBox, ClassHierarchy, Nucleus, RawClass};
use crate::quality::FindingKind;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::path::PathBuf;
use std::sync::Arc;

/// The code of the FOV region in channel 0.
pub const REGION_CODE: u8 = 253;

/// NuCLS's class codes (`nucleus_GTcodes.csv` of the release).
pub const NUCLS_CODES: [(u8, &str); 13] = [
    (1, "tumor"),
    (2, "fibroblast"),
    (3, "lymphocyte"),
    (4, "plasma_cell"),
    (5, "macrophage"),
    (6, "mitotic_figure"),
    (7, "vascular_endothelium"),
    (8, "myoepithelium"),
    (9, "apoptotic_body"),
    (10, "neutrophil"),
    (11, "ductal_epithelium"),
    (12, "eosinophil"),
    (99, "unlabeled"),
];

/// Class codes of channel 0: code to raw class name.
#[derive(Debug, Clone, PartialEq)]
pub struct MaskCodes(pub BTreeMap<u8, String>);

impl MaskCodes {
    pub fn nucls() -> MaskCodes {
        MaskCodes(
            NUCLS_CODES
                .iter()
                .map(|&(code, name)| (code, name.to_string()))
                .collect(),
        )
    }

    /// Reads `nucleus_GTcodes.csv` (columns `group`, `GT_code`; rows with `is_roi` 1 are
    /// the region and left out).
    pub fn read(path: &Path) -> Result<MaskCodes> {
        let table = Table::read(path)?;
        let group = table.column("group", "the class name")?;
        let code = table.column("GT_code", "the code in the mask's first channel")?;
        let roi = table.optional_column("is_roi");
        let mut codes = BTreeMap::new();
        for (row, record) in table.rows() {
            let value = table.number(row, record, code)?;
            if !(0.0..=255.0).contains(&value) || value.fract() != 0.0 {
                return Err(Error::input(
                    Location::cell(path, row, "GT_code"),
                    Problem::Invalid {
                        message: format!("code {value}: expected an integer from 0 to 255"),
                    },
                ));
            }
            let is_roi = roi.is_some_and(|i| record.get(i).map(str::trim) == Some("1"));
            if !is_roi && value as u8 != REGION_CODE {
                let name = table.text(row, record, group, "a class name")?;
                codes.insert(value as u8, name.to_string());
            }
        }
        Ok(MaskCodes(codes))
    }
}

/// A mask's nuclei, the FOV region (the box of region-coded pixels) and the image size.
#[derive(Debug)]
pub struct MaskFov {
    pub rows: FovRows,
    pub region: Option<BoundingBox>,
    pub size: (u32, u32),
}

/// Reads one mask PNG.
pub fn read_mask(path: &Path, codes: &MaskCodes, hierarchy: &ClassHierarchy) -> Result<MaskFov> {
    read_mask_within(path, codes, hierarchy, crate::png::DEFAULT_MAX_IMAGE_PIXELS)
}

/// As [`read_mask`], refusing a mask of more than `max_pixels` before decoding it.
pub fn read_mask_within(
    path: &Path,
    codes: &MaskCodes,
    hierarchy: &ClassHierarchy,
    max_pixels: u64,
) -> Result<MaskFov> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, "read", e))?;
    let invalid =
        |message: String| Error::input(Location::file(path), Problem::Invalid { message });
    let (_, _, bit_depth) = crate::png::header(path, &bytes)?;
    if bit_depth != 8 {
        return Err(invalid(format!(
            "a {bit_depth}-bit mask: expected 8-bit RGB (class code, then a two-channel instance id)"
        )));
    }
    let (width, height, channels, pixels) = crate::png::decode_within(path, &bytes, max_pixels)?;
    if channels < 3 {
        return Err(invalid(format!(
            "a mask with {channels} channel(s): expected RGB (class code, then a two-channel instance id)"
        )));
    }
    let pixel_count = width as usize * height as usize;
    let mut labels = vec![0u32; pixel_count];
    let mut instance_of: HashMap<(u8, u8), u32> = HashMap::new();
    let mut keys: Vec<(u8, u8)> = Vec::new();
    let mut class_votes: Vec<BTreeMap<u8, usize>> = Vec::new();
    let mut region: Option<[usize; 4]> = None;
    let mut unkeyed = 0usize;
    for index in 0..pixel_count {
        let p = &pixels[index * channels..index * channels + 3];
        let (x, y) = (index % width as usize, index / width as usize);
        if p[0] == REGION_CODE {
            let r = region.get_or_insert([x, y, x, y]);
            *r = [r[0].min(x), r[1].min(y), r[2].max(x), r[3].max(y)];
        }
        let key = (p[1], p[2]);
        if key == (0, 0) {
            if p[0] != 0 && p[0] != REGION_CODE {
                unkeyed += 1;
            }
            continue;
        }
        let label = *instance_of.entry(key).or_insert_with(|| {
            keys.push(key);
            class_votes.push(BTreeMap::new());
            keys.len() as u32
        });
        labels[index] = label;
        *class_votes[label as usize - 1].entry(p[0]).or_default() += 1;
    }
    let mut builder = FovBuilder::new(path);
    if unkeyed > 0 {
        builder.note(
            FindingKind::MaskPixelsWithoutInstance,
            None,
            format!("{unkeyed} pixels with a class code and instance id (0, 0)"),
        );
    }
    // Instances in order of their id (the channel pair), numbered from 1.
    let mut traced_regions = trace_regions(&labels, width as usize, height as usize);
    traced_regions.sort_by_key(|t| keys[t.label as usize - 1]);
    for (position, traced) in traced_regions.into_iter().enumerate() {
        let index = traced.label as usize - 1;
        let (red, green) = keys[index];
        let item = position as u64 + 1;
        let votes = &class_votes[index];
        let (&code, _) = votes
            .iter()
            .max_by_key(|(&code, &n)| (n, std::cmp::Reverse(code)))
            .expect("an instance has pixels");
        if votes.len() > 1 {
            builder.note(
                FindingKind::MaskMixedClasses,
                Some(item),
                format!(
                    "instance ({red}, {green}): codes {votes:?}, the most frequent ({code}) used"
                ),
            );
        }
        let class = class_of(code, codes, hierarchy).map_err(|problem| {
            Error::input(
                Location::mask_instance(
                    path,
                    item,
                    &format!("instance ({red}, {green}) channel 0"),
                ),
                problem,
            )
        })?;
        if traced.pieces.len() > 1 {
            builder.note(
                FindingKind::LabelPieces,
                Some(item),
                format!("instance ({red}, {green}): {} pieces", traced.pieces.len()),
            );
        }
        if traced.hole_count() > 0 {
            builder.note(
                FindingKind::LabelHoles,
                Some(item),
                format!("instance ({red}, {green}): {} hole(s)", traced.hole_count()),
            );
        }
        let Some(shape) = builder.pieces(item, pieces_of(traced)) else {
            continue;
        };
        let name = codes.0.get(&code).cloned().unwrap_or_default();
        builder.push(Nucleus::new(item as u32, shape, class, None), &name);
    }
    Ok(MaskFov {
        rows: builder.finish(),
        region: region.map(|[x0, y0, x1, y1]| BoundingBox {
            xmin: x0 as f64,
            ymin: y0 as f64,
            xmax: (x1 + 1) as f64,
            ymax: (y1 + 1) as f64,
        }),
        size: (width, height),
    })
}

fn class_of(
    code: u8,
    codes: &MaskCodes,
    hierarchy: &ClassHierarchy,
) -> std::result::Result<RawClass, Problem> {
    let known = || {
        codes
            .0
            .iter()
            .map(|(c, n)| format!("{c} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some(name) = codes.0.get(&code) else {
        return Err(Problem::Invalid {
            message: format!(
                "class code {code} is not a nucleus class: expected one of {}",
                known()
            ),
        });
    };
    super::outline::resolve_class(hierarchy, name)
}

/// The NuCLS mask format.
pub const FORMAT: Format = Format::new("mask", "NuCLS masks, one PNG per FOV (outlines traced)");

/// Reads NuCLS masks, one PNG per FOV, with the class codes of a `nucleus_GTcodes.csv`
/// beside the set (NuCLS's own codes when there is none).
#[derive(Debug, Clone, Copy)]
pub struct MaskReader;

impl Reader for MaskReader {
    fn format(&self) -> Format {
        FORMAT
    }

    fn layout(&self) -> Layout {
        Layout::PerFov
    }

    fn extensions(&self) -> &'static [&'static str] {
        &[".png"]
    }

    fn subfolder(&self) -> Option<&'static str> {
        Some("mask")
    }

    fn expected(&self) -> &'static str {
        "NuCLS masks (mask/<fov>.png)"
    }

    fn recognises(&self, sniff: &Sniff) -> bool {
        matches!(sniff, Sniff::Head(bytes) if bytes.starts_with(b"\x89PNG") && !crate::png::is_grayscale(bytes))
    }

    fn open_fovs(
        &self,
        find: &dyn Fn(&str) -> Option<PathBuf>,
        options: &ReadOptions,
    ) -> Result<Arc<dyn FovReader>> {
        let codes = match find("nucleus_GTcodes.csv").or_else(|| find("nucleus_gtcodes.csv")) {
            Some(path) => MaskCodes::read(&path)?,
            None => MaskCodes::nucls(),
        };
        Ok(Arc::new(MaskFovs {
            codes,
            hierarchy: options.hierarchy.clone(),
            max_pixels: options.max_image_pixels,
        }))
    }
}

#[derive(Debug)]
struct MaskFovs {
    codes: MaskCodes,
    hierarchy: Arc<ClassHierarchy>,
    max_pixels: u64,
}

impl FovReader for MaskFovs {
    fn read_fov(&self, path: &Path) -> Result<FovFile> {
        let mask = read_mask_within(path, &self.codes, &self.hierarchy, self.max_pixels)?;
        Ok(FovFile {
            rows: mask.rows,
            region: mask.region,
            image_size: Some(mask.size),
            label_map: None,
        })
    }
}
