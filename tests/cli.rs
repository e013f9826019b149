//! The `nucagree` binary: exit codes, messages on stderr, outputs written.

use std::path::Path;
use std::process::Command;

fn nucagree(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_nucagree"))
        .args(args)
        .output()
        .unwrap()
}

fn write(path: &Path, content: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

#[test]
fn bad_input_exits_2_with_a_located_message() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("csv/fov.csv");
    write(
        &file,
        "raw_classification,coords_x,coords_y\ntumor,\"1,2,3\",\"1,2\"\n",
    );
    let output = nucagree(&["inspect", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        stderr,
        format!(
            "error: {}:2:coords_y: 3 x coordinates but 2 y coordinates: expected as many of each\n",
            file.display()
        )
    );

    let lenient = nucagree(&["inspect", dir.path().to_str().unwrap(), "--lenient"]);
    assert_eq!(lenient.status.code(), Some(0));
    let stdout = String::from_utf8(lenient.stdout).unwrap();
    assert!(
        stdout.contains("| rows skipped (lenient reading) |     1 |"),
        "{stdout}"
    );
}

#[test]
fn inspect_writes_markdown_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let set = dir.path().join("set");
    write(
        &set.join("csv/fov.csv"),
        "raw_classification,type,coords_x,coords_y\ntumor,rectangle,\"0,10,10,0\",\"0,0,10,10\"\n",
    );
    let out = dir.path().join("out");
    let output = nucagree(&[
        "inspect",
        set.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("inspect.json")).unwrap()).unwrap();
    assert_eq!(json["kind"], "single");
    assert_eq!(json["nuclei"], 1);
    assert_eq!(json["shapes"]["box"], 1);
    assert_eq!(json["nuclei_per_fov"]["median"], 1.0);
    let markdown = std::fs::read_to_string(out.join("inspect.md")).unwrap();
    assert!(markdown.starts_with("# Annotation set `set`\n"));
    assert_eq!(markdown, String::from_utf8(output.stdout).unwrap());
}

#[test]
fn output_inside_an_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("fov.csv"),
        "raw_classification,xmin,ymin,xmax,ymax\ntumor,0,0,1,1\n",
    );
    let inside = dir.path().join("report");
    let output = nucagree(&[
        "inspect",
        dir.path().to_str().unwrap(),
        "--out",
        inside.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("choose an --out outside the inputs"),
        "{stderr}"
    );
    assert!(!inside.exists(), "nothing is created inside an input");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(nucagree(&["inspect"]).status.code(), Some(2));
    assert_eq!(nucagree(&["--version"]).status.code(), Some(0));
}

#[test]
fn match_writes_a_table_whose_numbers_are_known() {
    let dir = tempfile::tempdir().unwrap();
    let header = "raw_classification,type,coords_x,coords_y\n";
    // A: a 10x10 box, a box shifted by 5 (IoU 1/3 with B's), and a point.
    write(
        &dir.path().join("a/fov1.csv"),
        &format!("{header}tumor,rectangle,\"0,10,10,0\",\"0,0,10,10\"\nlymphocyte,rectangle,\"25,35,35,25\",\"0,0,10,10\"\nlymphocyte,point,50,50\n"),
    );
    // B: the same first box (as fibroblast), a box at x 20-30, and a FOV A lacks.
    write(
        &dir.path().join("b/fov1.csv"),
        &format!("{header}fibroblast,rectangle,\"0,10,10,0\",\"0,0,10,10\"\nlymphocyte,rectangle,\"20,30,30,20\",\"0,0,10,10\"\n"),
    );
    write(&dir.path().join("b/fov2.csv"), header);
    let out = dir.path().join("out");
    let run = |threshold: &str| {
        nucagree(&[
            "match",
            dir.path().join("a").to_str().unwrap(),
            dir.path().join("b").to_str().unwrap(),
            "--iou-threshold",
            threshold,
            "--out",
            out.to_str().unwrap(),
        ])
    };
    let output = run("0.5");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("match_summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["pairs"], 1);
    assert_eq!(summary["unmatched_a"], 2);
    assert_eq!(summary["unmatched_b"], 1);
    assert_eq!(summary["fovs_only_in_b"], 1);
    assert_eq!(summary["mean_iou"], 1.0);
    let csv = std::fs::read_to_string(out.join("matches.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "fov,status,row_a,row_b,iou,centroid_distance,shape_a,shape_b,raw_a,raw_b,main_a,main_b,super_a,super_b"
    );
    assert_eq!(lines[1], "fov1,matched,2,2,1.0,0.0,box,box,tumor,fibroblast,tumor_nonMitotic,nonTILnonMQ_stromal,tumor_any,nonTIL_stromal");
    assert_eq!(
        lines[2],
        "fov1,unmatched_a,3,,,,box,,lymphocyte,,lymphocyte,,sTIL,"
    );
    assert_eq!(lines.len(), 5);

    // At a threshold of 1/3 the shifted boxes pair too.
    let output = run("0.3");
    assert_eq!(output.status.code(), Some(0));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("match_summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["pairs"], 2);
    assert!((summary["mean_iou"].as_f64().unwrap() - (1.0 + 1.0 / 3.0) / 2.0).abs() < 1e-12);

    // The parquet holds the same table.
    use polars::prelude::{ParquetReader, SerReader};
    let file = std::fs::File::open(out.join("matches.parquet")).unwrap();
    let frame = ParquetReader::new(file).finish().unwrap();
    assert_eq!(frame.height(), 3, "two pairs and the unmatched point");
    assert_eq!(frame.width(), 14);
}

#[test]
fn match_option_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("fov.csv"),
        "raw_classification,xmin,ymin,xmax,ymax\ntumor,0,0,1,1\n",
    );
    let set = dir.path().to_str().unwrap();
    let output = nucagree(&["match", set, set, "--pixel-convention", "inclusive"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("needs box IoU (--shape box)"));
    let output = nucagree(&["match", set, set, "--match", "centroid"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--match centroid needs --radius-px"));
}

#[test]
fn library_errors_name_the_flag_that_fixes_them() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("csv/fov.csv");
    write(
        &file,
        "raw_classification,xmin,ymin,xmax,ymax\ntumour,0,0,1,1\n",
    );
    let output = nucagree(&["inspect", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.ends_with("apoptotic_body, unlabeled), or map it with --class-map\n"),
        "{stderr}"
    );
    let results = dir.path().join("results.json");
    write(
        &results,
        r#"[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 2, 2], "score": 0.9}]"#,
    );
    let output = nucagree(&["inspect", results.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.ends_with("whose images they refer to (--coco-images FILE)\n"),
        "{stderr}"
    );
}

#[test]
fn every_command_takes_quiet_and_timings() {
    let dir = tempfile::tempdir().unwrap();
    let set = dir.path().join("set");
    write(
        &set.join("csv/fov.csv"),
        "raw_classification,xmin,ymin,xmax,ymax\ntumor,0,0,10,10\n",
    );
    let set = set.to_str().unwrap();
    let out = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let simulated = out("sim");
    let commands: Vec<Vec<String>> = vec![
        vec!["inspect".into(), set.into(), "--out".into(), out("i")],
        vec![
            "match".into(),
            set.into(),
            set.into(),
            "--out".into(),
            out("m"),
        ],
        vec![
            "compare".into(),
            set.into(),
            set.into(),
            "--out".into(),
            out("c"),
            "--bootstrap".into(),
            "0".into(),
        ],
        vec![
            "convert".into(),
            set.into(),
            "--to".into(),
            "coco".into(),
            "--out".into(),
            out("v"),
        ],
        vec![
            "simulate".into(),
            "--out".into(),
            simulated.clone(),
            "--fovs".into(),
            "3".into(),
            "--sets".into(),
            "corrected,multi-rater".into(),
        ],
    ];
    for command in &commands {
        let mut args: Vec<&str> = command.iter().map(String::as_str).collect();
        args.extend(["--quiet", "--timings"]);
        let output = nucagree(&args);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {output:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains("timing: "), "{args:?}: {stderr}");
        assert!(!stderr.contains("wrote"), "{args:?} is quiet: {stderr}");
    }
    let study = format!("{simulated}/multi-rater");
    let output = nucagree(&[
        "agree",
        &study,
        "--bootstrap",
        "0",
        "--raters-needed-draws",
        "0",
        "--out",
        &out("a"),
        "--quiet",
        "--timings",
    ]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    for stage in ["reading", "clustering", "statistics", "writing"] {
        assert!(stderr.contains(&format!("timing: {stage}: ")), "{stderr}");
    }
    assert!(!stderr.contains("wrote"), "{stderr}");
}

#[test]
fn simulate_refuses_a_folder_it_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("notes.txt"), "mine\n");
    let output = nucagree(&[
        "simulate",
        "--out",
        dir.path().to_str().unwrap(),
        "--fovs",
        "1",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.ends_with(
            "(no simulation.json): expected an empty or new folder: choose an empty or new --out\n"
        ),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
        "mine\n"
    );
}

/// A closed standard output ends the command quietly with status 0 (as `ls | head`); a full
/// disk is an error that says so.
#[test]
fn a_closed_or_full_stdout_is_handled() {
    use std::process::Stdio;
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let set = manifest.join("data-sample/corrected");
    let mut child = Command::new(env!("CARGO_BIN_EXE_nucagree"))
        .args(["inspect", set.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(output.stderr.is_empty(), "{output:?}");
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_nucagree"))
        .args(["inspect", set.to_str().unwrap()])
        .stdout(Stdio::from(full))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: writing to standard output"),
        "{stderr}"
    );
}

#[test]
fn bootstrap_replicates_are_bounded() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let set = manifest.join("data-sample/corrected");
    let set = set.to_str().unwrap();
    for n in ["1000000000", "18446744073709551615"] {
        let output = nucagree(&["compare", set, set, "--bootstrap", n]);
        assert_eq!(output.status.code(), Some(2), "{output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("at most 100000 replicates"), "{stderr}");
    }
}

/// Identical outlines have IoU exactly 1: a set compared with itself at threshold 1 matches
/// every nucleus.
#[test]
fn a_set_matches_itself_at_iou_threshold_one() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let set = manifest.join("data-sample/corrected");
    let set = set.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let output = nucagree(&[
        "match",
        set,
        set,
        "--shape",
        "polygon",
        "--iou-threshold",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("match_summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["unmatched_a"], 0);
    assert_eq!(summary["unmatched_b"], 0);
    assert_eq!(summary["mean_iou"], 1.0);
}

#[test]
fn fail_under_a_group_of_figures_is_an_error() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let set = manifest.join("data-sample/corrected");
    let set = set.to_str().unwrap();
    let output = nucagree(&[
        "compare",
        set,
        set,
        "--bootstrap",
        "0",
        "--fail-under",
        "super.detection=0.5",
    ]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("is not a number"), "{stderr}");
    assert!(
        !stderr.contains("objectness"),
        "compare has no AP: {stderr}"
    );
}

/// Two sets with no FOV in common are an error, not a report of undefined figures.
#[test]
fn sets_with_no_fov_in_common_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let row = "raw_classification,xmin,ymin,xmax,ymax\ntumor,0,0,10,10\n";
    write(&dir.path().join("a/csv/fov1.csv"), row);
    write(&dir.path().join("b/csv/fov2.csv"), row);
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    for command in ["compare", "match"] {
        let output = nucagree(&[command, a.to_str().unwrap(), b.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(2), "{command}: {output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(
                "no FOV in common: A has 1 FOVs (e.g. \"fov1\"), B has 1 (e.g. \"fov2\")"
            ),
            "{command}: {stderr}"
        );
    }
}

/// A FOV region of no area would crop every nucleus away: it is refused where it is read.
#[test]
fn a_fov_region_of_no_area_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("csv/fov1.csv"),
        "raw_classification,xmin,ymin,xmax,ymax\ntumor,0,0,10,10\n",
    );
    write(
        &dir.path().join("fov_locations.csv"),
        "fovname,xmin,ymin,xmax,ymax\nfov1,5,5,5,40\n",
    );
    let output = nucagree(&["inspect", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.ends_with("fov_locations.csv:2:xmax: the region has no area: expected xmin < xmax and ymin < ymax\n"),
        "{stderr}"
    );
}

/// `score --truth FOLDER` whose one JSON file is COCO ground truth gives a bare results list
/// its images, as it does for `--truth FILE`.
#[test]
fn score_takes_the_images_of_a_coco_truth_folder() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let truth = dir.path().join("truth");
    let pred = dir.path().join("pred");
    for (set, out) in [("corrected", &truth), ("predictions", &pred)] {
        let output = nucagree(&[
            "convert",
            manifest.join("data-sample").join(set).to_str().unwrap(),
            "--to",
            "coco",
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ]);
        assert_eq!(output.status.code(), Some(0), "{output:?}");
    }
    let document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(pred.join("annotations.json")).unwrap())
            .unwrap();
    let results = dir.path().join("results.json");
    std::fs::write(&results, document["annotations"].to_string()).unwrap();
    let output = nucagree(&[
        "score",
        "--truth",
        truth.to_str().unwrap(),
        "--pred",
        results.to_str().unwrap(),
        "--bootstrap",
        "0",
    ]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("30 FOVs"));
}

/// `report` refuses an --out inside its data before any job writes anything.
#[test]
fn report_refuses_an_out_inside_its_data_before_writing() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let output = nucagree(&[
        "simulate",
        "--out",
        data.to_str().unwrap(),
        "--fovs",
        "2",
        "--sets",
        "corrected,multi-rater",
        "--quiet",
    ]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let before = std::fs::read_dir(data.join("multi-rater")).unwrap().count();
    let out = data.join("multi-rater");
    let output = Command::new(env!("CARGO_BIN_EXE_nucagree"))
        .current_dir(manifest)
        .args([
            "report",
            data.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("choose an --out outside the inputs"));
    assert_eq!(
        std::fs::read_dir(&out).unwrap().count(),
        before,
        "nothing written"
    );
}

/// An output folder is written whole or not at all: a second run into it replaces the
/// first's files (none of the first run's is left beside the second's summary), a folder
/// holding files nucagree did not write or holding an input is refused and left as it was,
/// and no staging folder or lock is left behind.
#[test]
fn an_output_folder_is_replaced_whole_or_refused() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sample = |name: &str| manifest.join("data-sample").join(name);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let compare = |extra: &[&str], out: &Path| {
        let mut args: Vec<String> = vec![
            "compare".into(),
            sample("uncorrected").to_str().unwrap().into(),
            sample("corrected").to_str().unwrap().into(),
            "--bootstrap".into(),
            "0".into(),
            "--quiet".into(),
            "--out".into(),
            out.to_str().unwrap().into(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        nucagree(&args)
    };
    let first = compare(&["--format", "html"], &out);
    assert_eq!(first.status.code(), Some(0), "{first:?}");
    assert!(out.join("report.html").is_file() && out.join(".nucagree-output").is_file());
    let second = compare(&[], &out);
    assert_eq!(second.status.code(), Some(0), "{second:?}");
    assert!(out.join("summary.json").is_file());
    assert!(
        !out.join("report.html").exists(),
        "the first run's report is gone"
    );
    let mut beside: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    beside.sort();
    assert_eq!(beside, ["out"], "no staging folder or lock left");

    let theirs = dir.path().join("theirs");
    write(&theirs.join("NOTES.txt"), "keep me");
    let refused = compare(&[], &theirs);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("nucagree did not write"), "{stderr}");
    assert_eq!(std::fs::read_dir(&theirs).unwrap().count(), 1);

    // convert into an earlier conversion: the old FOVs do not stay beside the new ones.
    let converted = dir.path().join("converted");
    let one_fov = dir.path().join("one");
    let first_csv = std::fs::read_dir(sample("corrected").join("csv"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .min()
        .unwrap();
    write(
        &one_fov.join("csv").join(first_csv.file_name().unwrap()),
        &std::fs::read_to_string(&first_csv).unwrap(),
    );
    for set in [sample("corrected"), one_fov.clone()] {
        let output = nucagree(&[
            "convert",
            set.to_str().unwrap(),
            "--to",
            "nucls",
            "--out",
            converted.to_str().unwrap(),
            "--quiet",
        ]);
        assert_eq!(output.status.code(), Some(0), "{output:?}");
    }
    assert_eq!(std::fs::read_dir(converted.join("csv")).unwrap().count(), 1);

    // An --out that holds an input would delete it when replaced.
    let holds = nucagree(&[
        "inspect",
        converted.to_str().unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(holds.status.code(), Some(2), "{holds:?}");
    assert!(String::from_utf8_lossy(&holds.stderr).contains("holds the input"));
    assert!(converted.join("csv").is_dir());
}
