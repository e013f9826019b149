//! The simulator: data-sample/ is what the documented command makes, byte for byte; output
//! does not depend on the thread count; the composition is what was asked for.

use nucagree::choice::Choice;
use nucagree::ingest::{open, read_set, ReadOptions};
use nucagree::inspect::InspectSummary;
use nucagree::model::{ClassLevel, Dataset, ShapeKind};
use nucagree::simulate::{plan_fovs, simulate_fov, FovPlans, SimulationConfig};
use nucagree::writers::simulation::{write_simulation, SimulatedSet};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The command documented in the README that makes data-sample/.
const SAMPLE_ARGS: [&str; 3] = ["simulate", "--seed", "2022"];

/// Runs `nucagree <args> --out <out>`.
fn nucagree(args: &[&str], out: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_nucagree"))
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

fn assert_success(output: &std::process::Output) {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn files_under(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(root).unwrap().to_path_buf();
                files.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

fn assert_same_tree(expected: &Path, actual: &Path) {
    let expected_files = files_under(expected);
    let actual_files = files_under(actual);
    assert_eq!(
        expected_files.keys().collect::<Vec<_>>(),
        actual_files.keys().collect::<Vec<_>>(),
        "the same files"
    );
    for (path, bytes) in &expected_files {
        assert!(bytes == &actual_files[path], "{} differs", path.display());
    }
}

#[test]
fn data_sample_is_what_the_documented_command_makes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sample");
    assert_success(&nucagree(&SAMPLE_ARGS, &out));
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("data-sample");
    assert_same_tree(&sample, &out);
}

#[test]
fn output_does_not_depend_on_the_thread_count() {
    let config = SimulationConfig {
        fovs: 12,
        slides: 4,
        rater_fovs: Some(8),
        ..SimulationConfig::default()
    };
    let plans = FovPlans::Generated(config.clone());
    let hierarchy = nucagree::model::ClassHierarchy::nucls();
    let dir = tempfile::tempdir().unwrap();
    for threads in [1, 2, 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let out = dir.path().join(format!("t{threads}"));
        pool.install(|| {
            write_simulation(
                &out,
                SimulatedSet::ALL,
                &config,
                &plans,
                &hierarchy,
                |plan| simulate_fov(&config, plan),
            )
            .unwrap()
        });
    }
    assert_same_tree(&dir.path().join("t1"), &dir.path().join("t2"));
    assert_same_tree(&dir.path().join("t1"), &dir.path().join("t3"));
}

#[test]
fn the_sample_has_the_intended_composition() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("data-sample");
    let options = ReadOptions::default();
    let corrected = read_set(&sample.join("corrected"), &options).unwrap();
    let summary = InspectSummary::of_set(&corrected);
    assert_eq!(summary.fovs, 30);
    assert!(summary.hospitals.len() >= 3, "{:?}", summary.hospitals);
    assert_eq!(summary.folds.len(), 5);
    assert_eq!(summary.fovs_without_fold, 0);
    let box_share = summary.shapes.box_ as f64 / summary.nuclei as f64;
    assert!(
        (0.55..0.78).contains(&box_share),
        "about two thirds drawn as boxes: {box_share}"
    );
    // The class mix follows NuCLS: tumor, lymphocytes and fibroblasts lead; rare classes are rare.
    let share =
        |class| summary.class_count(ClassLevel::Raw, class).unwrap() as f64 / summary.nuclei as f64;
    assert!(share("tumor") > 0.2 && share("lymphocyte") > 0.1 && share("fibroblast") > 0.05);
    assert!(share("eosinophil") < 0.01 && share("mitotic_figure") < 0.03);
    assert!(summary.correction_rows > 0);

    let predictions = read_set(&sample.join("predictions"), &options).unwrap();
    let scored = InspectSummary::of_set(&predictions);
    assert_eq!(scored.scored_nuclei, scored.nuclei);

    let Dataset::MultiRater(study) = open(&sample.join("multi-rater"), &options).unwrap() else {
        panic!("multi-rater/ is a study");
    };
    let labels: Vec<String> = study.raters.iter().map(|r| r.label()).collect();
    assert_eq!(
        labels.len(),
        11,
        "9 raters in E, 2 of them again in U-control: {labels:?}"
    );
    assert_eq!(
        labels
            .iter()
            .filter(|l| l.starts_with("NP.") && l.ends_with("@E"))
            .count(),
        6
    );
    assert_eq!(
        labels
            .iter()
            .filter(|l| (l.starts_with("SP.") || l.starts_with("JP.")) && l.ends_with("@E"))
            .count(),
        3
    );
    let hospitals: std::collections::BTreeSet<_> = study
        .raters
        .iter()
        .flat_map(|r| r.set.fovs.iter().filter_map(|f| f.hospital.clone()))
        .collect();
    assert!(hospitals.len() >= 3);
    // Non-pathologists skip some FOVs; pathologists annotate nearly all.
    let fovs_of = |label: &str| {
        study
            .raters
            .iter()
            .find(|r| r.label() == label)
            .unwrap()
            .set
            .fovs
            .len()
    };
    assert_eq!(fovs_of("SP.1@E"), 30);
    assert!(study.raters.iter().any(|r| r.set.fovs.len() < 30));

    let Dataset::MultiRater(folders) = open(&sample.join("multi-rater-folders"), &options).unwrap()
    else {
        panic!("multi-rater-folders/ is a study");
    };
    assert_eq!(folders.raters.len(), 9);
    let sp1 = &folders
        .raters
        .iter()
        .find(|r| r.rater == "SP.1")
        .unwrap()
        .set;
    let sp1_flat = &study
        .raters
        .iter()
        .find(|r| r.label() == "SP.1@E")
        .unwrap()
        .set;
    assert_eq!(sp1.nucleus_count(), sp1_flat.nucleus_count());
    assert!(sp1
        .fovs
        .iter()
        .flat_map(|f| &f.nuclei)
        .any(|n| n.shape.kind() == ShapeKind::Polygon));
}

#[test]
fn a_config_file_sets_profiles_and_raters() {
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("study.toml");
    std::fs::write(
        &config_path,
        "fovs = 3\n[design.profiles.perfect]\nmiss_rate = 0.0\nfalse_positive_rate = 0.0\nboundary_jitter = 0.0\nbox_preference = 0.0\nplausible_confusion = 0.0\nrandom_confusion = 0.0\nskip_fov_rate = 0.0\n\n[[design.raters]]\nid = \"R.1\"\nprofile = \"perfect\"\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let config = config_path.to_str().unwrap();
    assert_success(&nucagree(
        &[
            "simulate",
            "--sets",
            "corrected,multi-rater",
            "--config",
            config,
        ],
        &out,
    ));
    let options = ReadOptions::default();
    let truth = read_set(&out.join("corrected"), &options).unwrap();
    let Dataset::MultiRater(study) = open(&out.join("multi-rater"), &options).unwrap() else {
        panic!()
    };
    assert_eq!(study.raters.len(), 1);
    // A perfect rater draws every true nucleus with its class (outlines as polygons).
    let rater = &study.raters[0].set;
    assert_eq!(rater.nucleus_count(), truth.nucleus_count());
    for (a, b) in rater.fovs.iter().zip(&truth.fovs) {
        let classes =
            |f: &nucagree::model::Fov| f.nuclei.iter().map(|n| n.class.id).collect::<Vec<_>>();
        assert_eq!(classes(a), classes(b));
    }

    std::fs::write(
        &config_path,
        "[[design.raters]]\nid = \"R.1\"\nprofile = \"nobody\"\n",
    )
    .unwrap();
    let output = nucagree(&["simulate", "--config", config], &dir.path().join("out2"));
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("rater R.1 names profile \"nobody\""));
}

#[test]
fn an_existing_folder_that_is_not_a_simulation_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("precious.csv"), "x").unwrap();
    let output = nucagree(&["simulate", "--fovs", "2"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("precious.csv")).unwrap(),
        "x"
    );
}

#[test]
fn painted_images_have_the_fov_size_and_hold_every_nucleus() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    assert_success(&nucagree(
        &[
            "simulate",
            "--fovs",
            "3",
            "--images",
            "--sets",
            "corrected,predictions",
        ],
        &out,
    ));
    let set = read_set(&out.join("corrected"), &ReadOptions::default()).unwrap();
    let plans = plan_fovs(&SimulationConfig {
        fovs: 3,
        slides: 1,
        ..SimulationConfig::default()
    });
    for fov in &set.fovs {
        let plan = plans.iter().find(|p| p.name == fov.name).unwrap();
        assert_eq!(
            fov.image_size, plan.image_size,
            "the PNG header gives the planned size"
        );
    }
    assert_eq!(
        set.quality
            .count(nucagree::quality::FindingKind::OutsideImage),
        0
    );
    let predictions = read_set(&out.join("predictions"), &ReadOptions::default()).unwrap();
    assert!(
        predictions.fovs.iter().all(|f| f.image_size.is_none()),
        "images go with the corrected set only"
    );
}

/// `simulate` replaces only what it can prove it wrote: a folder with someone's
/// `simulation.json` but no manifest, or a simulation with a file added or changed in a set
/// folder, is refused and nothing is deleted.
#[test]
fn simulate_deletes_nothing_it_did_not_write() {
    let run = |out: &Path| {
        Command::new(env!("CARGO_BIN_EXE_nucagree"))
            .args([
                "simulate",
                "--fovs",
                "2",
                "--sets",
                "corrected",
                "--quiet",
                "--out",
            ])
            .arg(out)
            .output()
            .unwrap()
    };
    let dir = tempfile::tempdir().unwrap();
    // Someone's folder that happens to hold a simulation.json.
    let theirs = dir.path().join("theirs");
    std::fs::create_dir_all(theirs.join("corrected")).unwrap();
    std::fs::write(theirs.join("simulation.json"), "{}").unwrap();
    std::fs::write(theirs.join("corrected/NOTES.txt"), "mine").unwrap();
    let output = run(&theirs);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("no simulation-files.tsv"));
    assert_eq!(
        std::fs::read_to_string(theirs.join("corrected/NOTES.txt")).unwrap(),
        "mine"
    );
    assert_eq!(
        std::fs::read_to_string(theirs.join("simulation.json")).unwrap(),
        "{}"
    );
    // A simulation is replaced when untouched ...
    let ours = dir.path().join("ours");
    assert_eq!(run(&ours).status.code(), Some(0));
    assert_eq!(run(&ours).status.code(), Some(0));
    // ... and refused once a file was added to it, or one of its files changed.
    std::fs::write(ours.join("corrected/NOTES.txt"), "mine").unwrap();
    let output = run(&ours);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr)
        .contains("corrected/NOTES.txt was not written by this simulation"));
    assert!(ours.join("corrected/NOTES.txt").exists());
    std::fs::remove_file(ours.join("corrected/NOTES.txt")).unwrap();
    let csv = std::fs::read_dir(ours.join("corrected/csv"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::write(&csv, "edited").unwrap();
    assert_eq!(run(&ours).status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), "edited");
}

/// A billion FOVs are planned one at a time as they are written: within seconds FOV files
/// are on disk and the process stays small (it planned every FOV first, 5 GB before writing
/// anything). The run is stopped there.
#[test]
fn a_billion_fovs_start_writing_at_once_in_little_memory() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("huge");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_nucagree"))
        .args(["simulate", "--fovs", "1000000000", "--quiet", "--out"])
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let status = format!("/proc/{}/status", child.id());
    let resident_kb = || -> Option<u64> {
        std::fs::read_to_string(&status)
            .ok()?
            .lines()
            .find(|l| l.starts_with("VmRSS:"))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    };
    let started = std::time::Instant::now();
    let mut largest = 0;
    let mut written = 0;
    while started.elapsed() < std::time::Duration::from_secs(120) {
        std::thread::sleep(std::time::Duration::from_millis(200));
        largest = largest.max(resident_kb().unwrap_or(0));
        written = std::fs::read_dir(out.join("corrected/csv")).map_or(0, |d| d.count());
        if written >= 1000 {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(written >= 1000, "{written} FOV files after two minutes");
    assert!(largest < 400 * 1024, "{largest} kB resident");
}
