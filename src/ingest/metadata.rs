//! The files beside the annotations: `fov_locations.csv`, `train_test_splits/`, a class
//! hierarchy, a class map, and RGB image sizes.

use super::outline::resolve_class;
use super::type_map::TypeMap;
use crate::error::{Error, Location, Problem, Result};
use crate::model::{BoundingBox, ClassHierarchy, FoldSplit};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// A CSV read whole, with its header names lowercased and a way to find columns.
pub struct Table {
    path: PathBuf,
    header: Vec<String>,
    rows: Vec<(u64, csv::StringRecord)>,
}

impl Table {
    pub fn read(path: &Path) -> Result<Table> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, "read", e))?;
        let text = super::fov_csv::clean_text(&bytes);
        if text.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(Error::input(Location::file(path), Problem::EmptyFile));
        }
        // Tab-separated where the header has tabs and no commas (BCSS's `gtruth_codes.tsv`).
        let header_line = text.split(|&b| b == b'\n').next().unwrap_or_default();
        let delimiter = if header_line.contains(&b'\t') && !header_line.contains(&b',') {
            b'\t'
        } else {
            b','
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .from_reader(&text[..]);
        let malformed = |e: csv::Error| {
            Error::input(
                match e.position() {
                    Some(position) => Location::row(path, position.line()),
                    None => Location::file(path),
                },
                Problem::MalformedCsv {
                    message: e.to_string(),
                },
            )
        };
        let header = reader
            .headers()
            .map_err(malformed)?
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(malformed)?;
            rows.push((record.position().map_or(0, |p| p.line()), record));
        }
        Ok(Table {
            path: path.to_path_buf(),
            header,
            rows,
        })
    }

    pub fn column(&self, name: &str, expected: &str) -> Result<usize> {
        self.optional_column(name).ok_or_else(|| {
            Error::input(
                Location::row(&self.path, 1),
                Problem::MissingColumn {
                    name: name.into(),
                    expected: expected.into(),
                },
            )
        })
    }

    pub fn optional_column(&self, name: &str) -> Option<usize> {
        self.header
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
    }

    /// The rows, each with its 1-based row number.
    pub fn rows(&self) -> impl Iterator<Item = (u64, &csv::StringRecord)> {
        self.rows.iter().map(|(row, record)| (*row, record))
    }

    /// The trimmed text of a cell; an empty cell is an error naming what was expected.
    pub fn text<'a>(
        &self,
        row: u64,
        record: &'a csv::StringRecord,
        column: usize,
        expected: &str,
    ) -> Result<&'a str> {
        let value = record.get(column).unwrap_or("").trim();
        if value.is_empty() {
            return Err(self.error_at(
                row,
                column,
                Problem::EmptyCell {
                    expected: expected.into(),
                },
            ));
        }
        Ok(value)
    }

    pub fn number(&self, row: u64, record: &csv::StringRecord, column: usize) -> Result<f64> {
        super::numbers::parse_number(record.get(column).unwrap_or(""))
            .map_err(|problem| self.error_at(row, column, problem))
    }

    pub fn error_at(&self, row: u64, column: usize, problem: Problem) -> Error {
        Error::input(
            Location::cell(&self.path, row, &self.header[column]),
            problem,
        )
    }
}

/// One row of `fov_locations.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct FovLocation {
    pub region: BoundingBox,
    pub slide: Option<String>,
    pub hospital: Option<String>,
}

/// Reads `fov_locations.csv`: `fovname,slide_name,hospital,xmin,ymin,xmax,ymax`.
pub fn read_fov_locations(path: &Path) -> Result<HashMap<String, FovLocation>> {
    let table = Table::read(path)?;
    let name = table.column("fovname", "the FOV name of each row")?;
    let mut bounds = [0usize; 4];
    for (slot, column) in bounds.iter_mut().zip(["xmin", "ymin", "xmax", "ymax"]) {
        *slot = table.column(column, "the FOV region as xmin, ymin, xmax, ymax")?;
    }
    let [xmin, ymin, xmax, ymax] = bounds;
    let slide = table.optional_column("slide_name");
    let hospital = table.optional_column("hospital");
    let mut locations: HashMap<String, (u64, FovLocation)> = HashMap::new();
    for (row, record) in table.rows() {
        let fov = table.text(row, record, name, "a FOV name")?.to_string();
        let region = BoundingBox {
            xmin: table.number(row, record, xmin)?,
            ymin: table.number(row, record, ymin)?,
            xmax: table.number(row, record, xmax)?,
            ymax: table.number(row, record, ymax)?,
        };
        if region.xmin >= region.xmax || region.ymin >= region.ymax {
            // A region of no area would crop every nucleus away, silently.
            return Err(table.error_at(
                row,
                xmax,
                Problem::Invalid {
                    message: "the region has no area: expected xmin < xmax and ymin < ymax".into(),
                },
            ));
        }
        let optional = |column: Option<usize>| {
            column
                .and_then(|c| record.get(c))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
        };
        let location = FovLocation {
            region,
            slide: optional(slide),
            hospital: optional(hospital),
        };
        if let Some((first, _)) = locations.get(&fov) {
            return Err(table.error_at(
                row,
                name,
                Problem::Invalid {
                    message: format!("FOV {fov:?} appears twice (rows {first} and {row}): expected one row per FOV"),
                },
            ));
        }
        locations.insert(fov, (row, location));
    }
    Ok(locations.into_iter().map(|(k, (_, v))| (k, v)).collect())
}

/// Reads `train_test_splits/fold_{k}_{train,test}.csv` (column `slide_name`).
pub fn read_splits(folder: &Path) -> Result<BTreeMap<u32, FoldSplit>> {
    let mut folds: BTreeMap<u32, FoldSplit> = BTreeMap::new();
    let entries = std::fs::read_dir(folder).map_err(|e| Error::io(folder, "list", e))?;
    let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    for path in files {
        let Some(stem) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".csv"))
        else {
            continue;
        };
        let Some((fold, part)) = stem
            .strip_prefix("fold_")
            .and_then(|rest| rest.split_once('_'))
        else {
            continue;
        };
        let Ok(fold) = fold.parse::<u32>() else {
            continue;
        };
        let table = Table::read(&path)?;
        let slide = table.column("slide_name", "the slide of each row")?;
        let mut slides = Vec::new();
        for (row, record) in table.rows() {
            slides.push(table.text(row, record, slide, "a slide name")?.to_string());
        }
        slides.sort();
        slides.dedup();
        let split = folds.entry(fold).or_default();
        match part {
            "train" => split.train = slides,
            "test" => split.test = slides,
            _ => {}
        }
    }
    Ok(folds)
}

/// Reads a class hierarchy CSV: `raw_classification,main_classification,super_classification`.
pub fn read_hierarchy(path: &Path) -> Result<ClassHierarchy> {
    let table = Table::read(path)?;
    let expected = "raw_classification, main_classification and super_classification";
    let raw = table.column("raw_classification", expected)?;
    let main = table.column("main_classification", expected)?;
    let sup = table.column("super_classification", expected)?;
    let mut rows = Vec::new();
    for (row, record) in table.rows() {
        rows.push((
            row as usize,
            table
                .text(row, record, raw, "a raw class name")?
                .to_string(),
            table
                .text(row, record, main, "a main class name")?
                .to_string(),
            table
                .text(row, record, sup, "a super class name")?
                .to_string(),
        ));
    }
    ClassHierarchy::from_numbered_rows(rows).map_err(|source| Error::Hierarchy {
        path: path.to_path_buf(),
        source,
    })
}

/// Adds the aliases of a class map CSV (`name,raw_classification`) to `hierarchy`.
pub fn apply_class_map(path: &Path, hierarchy: &mut ClassHierarchy) -> Result<()> {
    let table = Table::read(path)?;
    let name = table.column("name", "the class name found in files")?;
    let target = table.column("raw_classification", "the raw class it stands for")?;
    // Each name maps in one step, to a class of the hierarchy as it was before the map: rows
    // never resolve through each other, so their order does not matter.
    let before = hierarchy.clone();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for (row, record) in table.rows() {
        let alias = table
            .text(row, record, name, "a class name")?
            .trim()
            .to_string();
        let to = table.text(row, record, target, "a raw class name")?;
        if let Some(first) = seen.insert(alias.clone(), row) {
            return Err(table.error_at(
                row,
                name,
                Problem::Invalid {
                    message: format!(
                        "{alias:?} is mapped twice (rows {first} and {row}): expected each name once"
                    ),
                },
            ));
        }
        let Some(class) = before.resolve(to) else {
            return Err(table.error_at(
                row,
                target,
                Problem::Invalid {
                    message: format!(
                        "alias {alias:?} names class {to:?}, which is not in the hierarchy"
                    ),
                },
            ));
        };
        hierarchy.set_alias(&alias, class.id);
    }
    Ok(())
}

/// The width and height of a PNG, from its header; `None` when the file is not a PNG.
pub fn png_size(path: &Path) -> Option<(u32, u32)> {
    use std::io::Read;
    let mut header = [0u8; 24];
    std::fs::File::open(path)
        .ok()?
        .read_exact(&mut header)
        .ok()?;
    if &header[..8] != b"\x89PNG\r\n\x1a\n" || &header[12..16] != b"IHDR" {
        return None;
    }
    let width = u32::from_be_bytes(header[16..20].try_into().ok()?);
    let height = u32::from_be_bytes(header[20..24].try_into().ok()?);
    Some((width, height))
}

/// A rater-groups CSV (`rater,group`): each rater's group.
pub fn read_rater_groups(path: &Path) -> Result<HashMap<String, String>> {
    let table = Table::read(path)?;
    let rater = table.column("rater", "the rater id, e.g. SP.1")?;
    let group = table.column("group", "the rater's group, e.g. pathologist")?;
    let mut groups = HashMap::new();
    for (row, record) in table.rows() {
        groups.insert(
            table.text(row, record, rater, "a rater id")?.to_string(),
            table.text(row, record, group, "a group name")?.to_string(),
        );
    }
    Ok(groups)
}

/// Reads HoVer-Net's type map: a CSV with columns `type` (an integer id) and `class` (a raw
/// class name).
pub fn read_type_map(path: &Path, hierarchy: &ClassHierarchy) -> Result<TypeMap> {
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
        if map.insert(value as i64, name.to_string()).is_some() {
            return Err(Error::input(
                Location::cell(path, row, "type"),
                Problem::Invalid {
                    message: format!("type {value} is mapped twice: expected each type once"),
                },
            ));
        }
    }
    Ok(TypeMap(map))
}

/// `--image-groups`: a CSV `image,group` giving each image (FOV) a group, as PanNuke's tissue
/// groups its images; an image listed twice is an error naming both rows.
pub fn read_image_groups(path: &Path) -> Result<BTreeMap<String, String>> {
    let table = Table::read(path)?;
    let image = table.column("image", "image,group: each image's name and its group")?;
    let group = table.column("group", "image,group: each image's name and its group")?;
    let mut groups: BTreeMap<String, (u64, String)> = BTreeMap::new();
    for (row, record) in table.rows() {
        let name = table.text(row, record, image, "an image name")?;
        let value = table.text(row, record, group, "a group name")?;
        if let Some((first, _)) = groups.insert(name.to_string(), (row, value.to_string())) {
            return Err(table.error_at(
                row,
                image,
                Problem::Invalid {
                    message: format!(
                        "image {name:?} is listed twice (rows {first} and {row}): expected each image once"
                    ),
                },
            ));
        }
    }
    Ok(groups.into_iter().map(|(k, (_, v))| (k, v)).collect())
}

/// `--fovs FILE`: FOV names, one per line (blank lines and lines starting with `#` are left
/// out; a trailing `.csv` is not part of a name); a name listed twice is an error naming the
/// line.
pub fn read_fov_list(path: &Path) -> Result<std::collections::BTreeSet<String>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, "read", e))?;
    let mut names = std::collections::BTreeSet::new();
    for (index, line) in text.lines().enumerate() {
        let name = line.trim();
        if name.is_empty() || name.starts_with('#') {
            continue;
        }
        let name = name.strip_suffix(".csv").unwrap_or(name);
        if !names.insert(name.to_string()) {
            return Err(Error::input(
                Location::row(path, index as u64 + 1),
                Problem::Invalid {
                    message: format!("the FOV {name:?} is listed twice: expected each FOV once"),
                },
            ));
        }
    }
    Ok(names)
}
