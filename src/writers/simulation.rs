//! Writing a simulation to disk, FOV by FOV in parallel chunks, so that memory stays bounded
//! however many nuclei are simulated. The output is identical whatever the thread count.
//!
//! Layout under the output folder:
//! - `corrected/`, `uncorrected/`, `predictions/`: NuCLS release layout (`csv/`,
//!   `fov_locations.csv`, `train_test_splits/`); predictions carry a `score` column;
//! - `multi-rater/`: the study in NuCLS flat names, `csv/<rater>_#_<evalset>_#_<fov>.csv`;
//! - `multi-rater-folders/`: the same study's main evaluation set as `<rater>/csv/<fov>.csv`;
//! - `regions/`: tissue-region masks in BCSS's codes, `truth/<fov>.png` (the reference, with
//!   `gtruth_codes.tsv`) and `model/<fov>.png` (a second annotator), each with the folds;
//! - `simulation.json`: the configuration and the counts.

use super::files::{to_pretty, write_atomic};
use super::nucls::{fov_csv, write_fov_locations, write_splits, FovLocationRow};
use crate::error::{Error, Result};
use crate::ingest::listing::{all_files_below, Hidden};
use crate::model::{ClassHierarchy, Nucleus};
use crate::simulate::{
    folds, FovPlan, FovPlans, SimulatedFov, SimulationConfig, MAIN_EVAL_SET, REPEAT_EVAL_SET,
};
use rayon::prelude::*;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Which sets to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SimulatedSet {
    Corrected,
    Uncorrected,
    Predictions,
    MultiRater,
    MultiRaterFolders,
    Regions,
}

crate::choices!(SimulatedSet {
    Corrected => "corrected",
    Uncorrected => "uncorrected",
    Predictions => "predictions",
    MultiRater => "multi-rater",
    MultiRaterFolders => "multi-rater-folders",
    Regions => "regions",
});

impl SimulatedSet {
    pub fn folder(self) -> &'static str {
        match self {
            SimulatedSet::Corrected => "corrected",
            SimulatedSet::Uncorrected => "uncorrected",
            SimulatedSet::Predictions => "predictions",
            SimulatedSet::MultiRater => "multi-rater",
            SimulatedSet::MultiRaterFolders => "multi-rater-folders",
            SimulatedSet::Regions => "regions",
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SimulationCounts {
    pub fovs: usize,
    pub truth_nuclei: usize,
    pub corrected_nuclei: usize,
    pub uncorrected_nuclei: usize,
    pub predicted_nuclei: usize,
    pub study_fovs: usize,
    pub rater_annotations: usize,
    pub rater_fov_files: usize,
    pub region_masks: usize,
}

impl SimulationCounts {
    fn add(&mut self, other: &SimulationCounts) {
        self.fovs += other.fovs;
        self.truth_nuclei += other.truth_nuclei;
        self.corrected_nuclei += other.corrected_nuclei;
        self.uncorrected_nuclei += other.uncorrected_nuclei;
        self.predicted_nuclei += other.predicted_nuclei;
        self.study_fovs += other.study_fovs;
        self.rater_annotations += other.rater_annotations;
        self.rater_fov_files += other.rater_fov_files;
        self.region_masks += other.region_masks;
    }
}

#[derive(Serialize)]
struct SimulationRecord<'a> {
    generator: String,
    sets: &'a [SimulatedSet],
    config: &'a SimulationConfig,
    counts: &'a SimulationCounts,
}

/// The annotators of the simulated region masks: the reference and a second one.
const REGION_ANNOTATORS: [&str; 2] = ["truth", "model"];

/// FOVs generated and written per parallel chunk.
const CHUNK: usize = 512;

/// Simulates every FOV of `plans` with `generate` and writes the chosen `sets` under `out`.
/// An existing `out` must be empty or a previous simulation (it holds `simulation.json`);
/// the set folders written are replaced.
pub fn write_simulation(
    out: &Path,
    sets: &[SimulatedSet],
    config: &SimulationConfig,
    plans: &FovPlans,
    hierarchy: &ClassHierarchy,
    generate: impl Fn(&FovPlan) -> SimulatedFov + Sync,
) -> Result<SimulationCounts> {
    let previous = prepare(out, sets)?;
    let want = |set| sets.contains(&set);
    for set in sets {
        let root = out.join(set.folder());
        match set {
            SimulatedSet::MultiRaterFolders => create_dir(&root)?,
            SimulatedSet::Regions => {
                for annotator in REGION_ANNOTATORS {
                    create_dir(&root.join(annotator))?;
                }
            }
            _ => create_dir(&root.join("csv"))?,
        }
    }
    if config.images && want(SimulatedSet::Corrected) {
        create_dir(&out.join("corrected").join("rgb"))?;
    }
    if want(SimulatedSet::MultiRaterFolders) {
        for rater in &config.design.raters {
            create_dir(&out.join("multi-rater-folders").join(&rater.id).join("csv"))?;
        }
    }
    let mut counts = SimulationCounts::default();
    for start in (0..plans.len()).step_by(CHUNK) {
        let chunk_counts: Vec<Result<SimulationCounts>> = (start..(start + CHUNK).min(plans.len()))
            .into_par_iter()
            .map(|index| {
                let plan = plans.plan(index);
                let fov = generate(&plan);
                write_fov_sets(out, sets, config, &plan, &fov, hierarchy)
            })
            .collect();
        for c in chunk_counts {
            counts.add(&c?);
        }
    }
    let slides = plans.slides();
    let folds = folds(&slides);
    let hospitals: std::collections::HashMap<&str, &str> = slides
        .iter()
        .map(|(slide, hospital)| (slide.as_str(), hospital.as_str()))
        .collect();
    let hospital_of = |slide: &str| {
        hospitals
            .get(slide)
            .map_or_else(String::new, |h| h.to_string())
    };
    for set in sets {
        let root = out.join(set.folder());
        if *set == SimulatedSet::Regions {
            // Each annotator's folder holds its folds; the reference's holds the codes.
            for annotator in REGION_ANNOTATORS {
                let splits = root.join(annotator).join("train_test_splits");
                create_dir(&splits)?;
                write_splits(&splits, &folds, hospital_of)?;
            }
            let codes: String = std::iter::once("label\tGT_code\n".to_string())
                .chain(
                    crate::model::region_scheme::BCSS_CODES
                        .iter()
                        .map(|(label, code)| format!("{label}\t{code}\n")),
                )
                .collect();
            write_atomic(
                &root
                    .join("truth")
                    .join(crate::ingest::region_masks::CODES_FILE),
                codes.as_bytes(),
            )?;
            continue;
        }
        let study = matches!(
            set,
            SimulatedSet::MultiRater | SimulatedSet::MultiRaterFolders
        );
        // Row by row from the plans, which are made again: nothing grows with the FOVs.
        write_fov_locations(&root.join("fov_locations.csv"), |each| {
            for index in 0..plans.len() {
                let plan = plans.plan(index);
                if study && !plan.in_study {
                    continue;
                }
                each(&FovLocationRow {
                    fov: &plan.name,
                    slide: &plan.slide,
                    hospital: &plan.hospital,
                    region: plan.region,
                })?;
            }
            Ok(())
        })?;
        let splits = root.join("train_test_splits");
        create_dir(&splits)?;
        write_splits(&splits, &folds, hospital_of)?;
    }
    let record = SimulationRecord {
        generator: format!("nucagree {}", env!("CARGO_PKG_VERSION")),
        sets,
        config,
        counts: &counts,
    };
    write_manifest(out, sets, previous.as_deref())?;
    write_atomic(
        &out.join("simulation.json"),
        to_pretty(&record, "the simulation record")?.as_bytes(),
    )?;
    Ok(counts)
}

fn create_dir(path: &Path) -> Result<()> {
    std::fs::create_dir_all(path).map_err(|e| Error::io(path, "create", e))
}

/// The manifest of a simulation's files: `path<TAB>size<TAB>FNV-1a hash`, one line each.
const MANIFEST: &str = "simulation-files.tsv";

/// Every file under `dir`, hidden ones too, at any depth, relative to `root`, sorted.
fn files_under(root: &Path, dir: &Path) -> Result<Vec<PathBuf>> {
    Ok(all_files_below(dir, Hidden::Include)?
        .into_iter()
        .map(|path| path.strip_prefix(root).unwrap_or(&path).to_path_buf())
        .collect())
}

/// A file's size and FNV-1a 64-bit hash.
fn fingerprint(path: &Path) -> Result<(u64, u64)> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, "read", e))?;
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in &bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    Ok((bytes.len() as u64, hash))
}

/// Writes the manifest: every file of the set folders written now, and the lines of the
/// previous manifest for the sets not written again.
fn write_manifest(out: &Path, sets: &[SimulatedSet], previous: Option<&str>) -> Result<()> {
    let mut text = String::new();
    let rewritten = |line: &str| {
        sets.iter()
            .any(|set| line.starts_with(&format!("{}/", set.folder())))
    };
    for line in previous.unwrap_or("").lines().filter(|l| !rewritten(l)) {
        text.push_str(line);
        text.push('\n');
    }
    for set in sets {
        let folder = out.join(set.folder());
        if !folder.is_dir() {
            continue;
        }
        for file in files_under(out, &folder)? {
            let (size, hash) = fingerprint(&out.join(&file))?;
            text.push_str(&format!("{}\t{size}\t{hash:016x}\n", file.display()));
        }
    }
    write_atomic(&out.join(MANIFEST), text.as_bytes())
}

/// Before replacing the set folders of a previous simulation: every file in them must be
/// one the simulation wrote, unchanged (its manifest says so); anything else is refused,
/// and nothing is deleted.
fn prepare(out: &Path, sets: &[SimulatedSet]) -> Result<Option<String>> {
    let refuse = |message: String| Error::Needs {
        path: out.to_path_buf(),
        message,
        remedy: crate::error::Remedy::NewOutput,
    };
    if out.is_dir() {
        let mut previous = None;
        let mut entries = std::fs::read_dir(out).map_err(|e| Error::io(out, "list", e))?;
        if entries.next().is_some() {
            if !out.join("simulation.json").is_file() {
                return Err(refuse(
                    "exists and is not a nucagree simulation (no simulation.json): expected an empty or new folder".into(),
                ));
            }
            let manifest = std::fs::read_to_string(out.join(MANIFEST)).map_err(|_| {
                refuse(format!(
                    "holds a simulation.json but no {MANIFEST}: nothing proves nucagree wrote its files, so none is replaced; expected an empty or new folder"
                ))
            })?;
            let written: std::collections::HashMap<&str, (u64, u64)> = manifest
                .lines()
                .filter_map(|line| {
                    let mut parts = line.split('\t');
                    let path = parts.next()?;
                    let size = parts.next()?.parse().ok()?;
                    let hash = u64::from_str_radix(parts.next()?, 16).ok()?;
                    Some((path, (size, hash)))
                })
                .collect();
            for set in sets {
                let folder = out.join(set.folder());
                if !folder.exists() {
                    continue;
                }
                for file in files_under(out, &folder)? {
                    let name = file.display().to_string();
                    let same =
                        written.get(name.as_str()).copied() == Some(fingerprint(&out.join(&file))?);
                    if !same {
                        return Err(refuse(format!(
                            "{name} was not written by this simulation, or was changed since: nothing is replaced; expected an empty or new folder"
                        )));
                    }
                }
            }
            previous = Some(manifest);
        }
        for set in sets {
            let folder = out.join(set.folder());
            if folder.exists() {
                std::fs::remove_dir_all(&folder).map_err(|e| Error::io(&folder, "replace", e))?;
            }
        }
        create_dir(out)?;
        return Ok(previous);
    }
    create_dir(out)?;
    Ok(None)
}

fn write_fov_sets(
    out: &Path,
    sets: &[SimulatedSet],
    config: &SimulationConfig,
    plan: &FovPlan,
    fov: &SimulatedFov,
    hierarchy: &ClassHierarchy,
) -> Result<SimulationCounts> {
    let file = |set: SimulatedSet| -> PathBuf {
        out.join(set.folder())
            .join("csv")
            .join(format!("{}.csv", plan.name))
    };
    let write = |path: &Path, nuclei: &[Nucleus], scores: bool| {
        write_atomic(path, fov_csv(nuclei, hierarchy, scores).as_bytes())
    };
    let mut counts = SimulationCounts {
        fovs: 1,
        truth_nuclei: fov.truth.len(),
        corrected_nuclei: fov.corrected.len(),
        uncorrected_nuclei: fov.uncorrected.len(),
        predicted_nuclei: fov.predictions.len(),
        study_fovs: usize::from(plan.in_study),
        ..SimulationCounts::default()
    };
    if let (Some(image), true) = (&fov.image, sets.contains(&SimulatedSet::Corrected)) {
        let path = out
            .join("corrected")
            .join("rgb")
            .join(format!("{}.png", plan.name));
        write_atomic(
            &path,
            &crate::png::encode_rgb(image.width, image.height, &image.pixels)?,
        )?;
    }
    for set in sets {
        match set {
            SimulatedSet::Regions => {
                let masks = crate::simulate::regions::region_masks(
                    plan,
                    &fov.truth,
                    hierarchy,
                    config.seed,
                );
                if let Some((width, height, truth, model)) = masks {
                    for (annotator, codes) in REGION_ANNOTATORS.iter().zip([truth, model]) {
                        let path = out
                            .join(set.folder())
                            .join(annotator)
                            .join(format!("{}.png", plan.name));
                        write_atomic(&path, &crate::png::encode_gray(width, height, &codes)?)?;
                    }
                    counts.region_masks += 1;
                }
            }
            SimulatedSet::Corrected => write(&file(*set), &fov.corrected, false)?,
            SimulatedSet::Uncorrected => write(&file(*set), &fov.uncorrected, false)?,
            SimulatedSet::Predictions => write(&file(*set), &fov.predictions, true)?,
            SimulatedSet::MultiRater => {
                let csv = out.join(set.folder()).join("csv");
                let main = config
                    .design
                    .raters
                    .iter()
                    .map(|r| r.id.as_str())
                    .zip(&fov.raters)
                    .map(|(r, n)| (r, MAIN_EVAL_SET, n));
                let repeats = config
                    .repeat_raters
                    .iter()
                    .map(String::as_str)
                    .zip(&fov.repeats)
                    .map(|(r, n)| (r, REPEAT_EVAL_SET, n));
                for (rater, eval_set, nuclei) in main.chain(repeats) {
                    if let Some(nuclei) = nuclei {
                        write(
                            &csv.join(format!("{rater}_#_{eval_set}_#_{}.csv", plan.name)),
                            nuclei,
                            false,
                        )?;
                        counts.rater_annotations += nuclei.len();
                        counts.rater_fov_files += 1;
                    }
                }
            }
            SimulatedSet::MultiRaterFolders => {
                for (rater, nuclei) in config.design.raters.iter().zip(&fov.raters) {
                    if let Some(nuclei) = nuclei {
                        let path = out
                            .join(set.folder())
                            .join(&rater.id)
                            .join("csv")
                            .join(format!("{}.csv", plan.name));
                        write(&path, nuclei, false)?;
                    }
                }
            }
        }
    }
    Ok(counts)
}
