//! Tissue-region masks (BCSS): one grayscale PNG or TIFF per region of interest (ROI), each
//! pixel a class code, in a folder (or its `masks/`), with the codes table beside it
//! (`gtruth_codes.tsv`, columns `label` and `GT_code`, as BCSS ships it) or given. An ROI is
//! named by its file; BCSS names carry the slide, the ROI's offset in the slide and the
//! resolution (`TCGA-A1-A0SK-DX1_xmin45749_ymin25055_MPP-0.2500.png`; NuCLS FOV names give the
//! slide too), and the slide gives the
//! hospital (as in NuCLS) and, from `train_test_splits/` beside the masks, the test fold.
//! Masks are listed here and decoded one at a time ([`read_region_mask`]), so that a study of
//! gigapixels is never held whole.

use super::listing::files_ending;
use super::metadata::{self, Table};
use crate::error::{Error, Location, Problem, Result};
use crate::model::{hospital_of_slide, NuclsFovName};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The codes table BCSS ships beside its masks.
pub const CODES_FILE: &str = "gtruth_codes.tsv";

/// One ROI's mask file and what its name says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionFile {
    /// The file name without its extension.
    pub name: String,
    pub path: PathBuf,
    pub slide: Option<String>,
    pub hospital: Option<String>,
    /// The ROI's top-left corner in the slide (BCSS's `_xmin{x}_ymin{y}`).
    pub offset: Option<(i64, i64)>,
    /// The mask's µm per pixel (BCSS's `_MPP-{m}`).
    pub mpp: Option<f64>,
    pub test_fold: Option<u32>,
}

/// A folder of region masks, listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionIndex {
    pub name: String,
    pub root: PathBuf,
    /// By name.
    pub files: Vec<RegionFile>,
    /// The codes table found beside the masks.
    pub codes: Option<PathBuf>,
}

impl RegionIndex {
    /// The mask of the ROI `name` (files are sorted by name).
    pub fn file(&self, name: &str) -> Option<&RegionFile> {
        self.files
            .binary_search_by(|f| f.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.files[i])
    }
}

/// Lists the masks of `dir` (or of `dir/masks`): `.png`, `.tif`, `.tiff`, sorted by name.
pub fn list_region_masks(dir: &Path) -> Result<RegionIndex> {
    if !dir.is_dir() {
        return Err(Error::Layout {
            path: dir.to_path_buf(),
            message: "not a folder: expected a folder of region masks (PNG or TIFF)".into(),
        });
    }
    let folder = if dir.join("masks").is_dir() {
        dir.join("masks")
    } else {
        dir.to_path_buf()
    };
    let find = |name: &str| {
        [folder.join(name), dir.join(name)]
            .into_iter()
            .find(|p| p.is_file())
    };
    let test_fold: BTreeMap<String, u32> = match [
        folder.join("train_test_splits"),
        dir.join("train_test_splits"),
    ]
    .into_iter()
    .find(|p| p.is_dir())
    {
        Some(splits) => metadata::read_splits(&splits)?
            .into_iter()
            .flat_map(|(fold, split)| split.test.into_iter().map(move |slide| (slide, fold)))
            .collect(),
        None => BTreeMap::new(),
    };
    let mut files = Vec::new();
    for path in files_ending(&folder, &[".png", ".tif", ".tiff"])? {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let named = parse_bcss_name(&stem);
        // A NuCLS FOV name gives the slide too (masks painted over NuCLS FOVs).
        let slide = named
            .as_ref()
            .map(|n| n.0.clone())
            .or_else(|| NuclsFovName::parse(&stem).map(|n| n.slide));
        files.push(RegionFile {
            hospital: slide.as_deref().and_then(hospital_of_slide),
            test_fold: slide.as_ref().and_then(|s| test_fold.get(s).copied()),
            offset: named.as_ref().map(|n| n.1),
            mpp: named.as_ref().and_then(|n| n.2),
            slide,
            name: stem,
            path,
        });
    }
    if files.is_empty() {
        return Err(Error::Layout {
            path: folder,
            message: "no region masks: expected PNG or TIFF files of class codes".into(),
        });
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    for pair in files.windows(2) {
        if pair[0].name == pair[1].name {
            return Err(Error::input(
                Location::file(&pair[1].path),
                Problem::DuplicateFov {
                    fov: pair[1].name.clone(),
                    other: pair[0].path.clone(),
                },
            ));
        }
    }
    Ok(RegionIndex {
        name: dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("regions")
            .to_string(),
        root: dir.to_path_buf(),
        files,
        codes: find(CODES_FILE),
    })
}

/// A multi-rater study of region masks: one subfolder of masks per rater (sorted by name,
/// hidden ones left out), at least two.
pub fn list_region_study(dir: &Path) -> Result<Vec<(String, RegionIndex)>> {
    let mut raters = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, "list", e))?;
    let mut folders: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| !n.starts_with('.') && n != "train_test_splits")
        })
        .collect();
    folders.sort();
    for folder in folders {
        let index = list_region_masks(&folder)?;
        raters.push((index.name.clone(), index));
    }
    if raters.len() < 2 {
        return Err(Error::Layout {
            path: dir.to_path_buf(),
            message: format!(
                "{} folders of masks: expected one folder per rater, at least two",
                raters.len()
            ),
        });
    }
    Ok(raters)
}

/// `{slide}_xmin{x}_ymin{y}[_MPP-{m}]`: the slide, the offset and the resolution.
fn parse_bcss_name(name: &str) -> Option<(String, (i64, i64), Option<f64>)> {
    let (slide, rest) = name.split_once("_xmin")?;
    let (x, rest) = rest.split_once("_ymin")?;
    let (y, mpp) = match rest.split_once("_MPP-") {
        Some((y, mpp)) => (y, mpp.parse::<f64>().ok().filter(|m| *m > 0.0)),
        None => (rest, None),
    };
    Some((slide.to_string(), (x.parse().ok()?, y.parse().ok()?), mpp))
}

/// Reads a codes table: `label` and `GT_code` (BCSS), comma- or tab-separated; each code an
/// integer from 0 to 65535.
pub fn read_codes(path: &Path) -> Result<Vec<(String, u32)>> {
    let table = Table::read(path)?;
    let expected = "label, GT_code: each class's name and its code in the masks";
    let label = table.column("label", expected)?;
    let code = table.column("GT_code", expected)?;
    let mut codes = Vec::new();
    for (row, record) in table.rows() {
        let name = table.text(row, record, label, "a class name")?.to_string();
        let value = table.number(row, record, code)?;
        if !(0.0..=65535.0).contains(&value) || value.fract() != 0.0 {
            return Err(Error::input(
                Location::cell(path, row, "GT_code"),
                Problem::Invalid {
                    message: format!("code {value}: expected an integer from 0 to 65535"),
                },
            ));
        }
        codes.push((name, value as u32));
    }
    Ok(codes)
}

/// Reads a grouping of classes: `label` and `main` (a CSV), each label once.
pub fn read_grouping(path: &Path) -> Result<BTreeMap<String, String>> {
    let table = Table::read(path)?;
    let expected = "label, main: each class and the main class it belongs to";
    let label = table.column("label", expected)?;
    let main = table.column("main", expected)?;
    let mut grouping = BTreeMap::new();
    for (row, record) in table.rows() {
        let name = table.text(row, record, label, "a class name")?.to_string();
        let group = table
            .text(row, record, main, "a main class name")?
            .to_string();
        if grouping.insert(name.clone(), group).is_some() {
            return Err(table.error_at(
                row,
                label,
                Problem::Invalid {
                    message: format!("label {name:?} is listed twice: expected each once"),
                },
            ));
        }
    }
    Ok(grouping)
}

/// A decoded mask: width, height and one code per pixel, row by row.
pub struct RegionMask {
    pub width: u32,
    pub height: u32,
    pub codes: Vec<u32>,
}

/// Decodes one mask (grayscale PNG of up to 16 bits, or TIFF), refusing more than
/// `max_pixels`.
pub fn read_region_mask(path: &Path, max_pixels: u64) -> Result<RegionMask> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, "read", e))?;
    let (width, height, codes) = if crate::tiff::is_tiff(&bytes) {
        crate::tiff::decode_gray_within(path, &bytes, max_pixels)?
    } else {
        crate::png::decode_gray_within(path, &bytes, max_pixels)?
    };
    Ok(RegionMask {
        width,
        height,
        codes,
    })
}

/// The RGB image of the ROI `name`, where one is found beside the masks: `images/<name>.png`
/// (BCSS's layout) or `rgb/<name>.png` (NuCLS's), in the folder given or beside its `masks/`
/// folder. An image of more than `max_pixels` is refused before decoding.
pub fn roi_image(
    index: &RegionIndex,
    name: &str,
    max_pixels: u64,
) -> Result<Option<crate::model::RgbImage>> {
    let file = format!("{name}.png");
    let mut folders = vec![index.root.clone()];
    if let Some(parent) = index.root.parent() {
        folders.push(parent.to_path_buf());
    }
    let found = folders
        .iter()
        .flat_map(|folder| ["images", "rgb"].map(|sub| folder.join(sub).join(&file)))
        .find(|p| p.is_file());
    let Some(path) = found else {
        return Ok(None);
    };
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, "read", e))?;
    let (width, height, channels, samples) = crate::png::decode_within(&path, &bytes, max_pixels)?;
    super::images::rgb_of_samples(&path, width, height, channels, samples).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bcss_names_give_slide_offset_and_resolution() {
        let (slide, offset, mpp) =
            parse_bcss_name("TCGA-A1-A0SK-DX1_xmin45749_ymin25055_MPP-0.2500").unwrap();
        assert_eq!(slide, "TCGA-A1-A0SK-DX1");
        assert_eq!(offset, (45749, 25055));
        assert_eq!(mpp, Some(0.25));
        assert_eq!(parse_bcss_name("roi_7"), None);
        assert_eq!(
            parse_bcss_name("S_xmin1_ymin2").map(|n| (n.1, n.2)),
            Some(((1, 2), None))
        );
    }
}
