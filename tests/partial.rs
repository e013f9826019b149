//! Partial runs and `merge`: shards of the FOVs, run apart and merged, give the files of one
//! run over every FOV, byte for byte (bootstrap intervals included).

mod common;

use common::run_ok;
use std::path::{Path, PathBuf};
use std::process::Command;

fn nucagree(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_nucagree"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap()
}

fn assert_same_files(single: &Path, merged: &Path) {
    common::assert_same_tree(single, merged);
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs `job` (the command and its inputs and options) once over all FOVs, and as `shards`
/// partials merged; returns both output folders.
fn single_and_merged(job: &[&str], shards: u32, dir: &Path) -> (PathBuf, PathBuf) {
    let single = dir.join(format!("single-{shards}"));
    let mut args = job.to_vec();
    args.extend([
        "--no-matches",
        "--overlays",
        "0",
        "--quiet",
        "--out",
        path(&single),
    ]);
    run_ok(&args, None);
    let mut parts = Vec::new();
    for i in 0..shards {
        let part = dir.join(format!("part-{i}-of-{shards}"));
        let shard = format!("{i}/{shards}");
        let mut args = job.to_vec();
        args.extend(["--quiet", "--partial", path(&part), "--shard", &shard]);
        run_ok(&args, None);
        parts.push(part);
    }
    let merged = dir.join(format!("merged-{shards}"));
    let mut args = vec!["merge", "--quiet", "--out", path(&merged)];
    args.extend(parts.iter().map(|p| path(p)));
    run_ok(&args, None);
    (single, merged)
}

const SCORE: [&str; 5] = [
    "score",
    "--truth",
    "data-sample/corrected",
    "--pred",
    "data-sample/predictions",
];

#[test]
fn score_merged_from_one_two_and_seven_shards_equals_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut job = SCORE.to_vec();
    job.push("--folds");
    for shards in [1, 2, 7] {
        let (single, merged) = single_and_merged(&job, shards, dir.path());
        assert_same_files(&single, &merged);
    }
    // The merge prints the single run's headline.
    let single = run_ok(&job, None);
    let parts: Vec<PathBuf> = (0..2)
        .map(|i| dir.path().join(format!("part-{i}-of-2")))
        .collect();
    let merged = run_ok(&["merge", path(&parts[0]), path(&parts[1])], None);
    assert_eq!(
        String::from_utf8_lossy(&single.stdout),
        String::from_utf8_lossy(&merged.stdout)
    );
}

#[test]
fn compare_in_tiles_with_percentile_intervals_merges_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let job = [
        "compare",
        "data-sample/uncorrected",
        "data-sample/corrected",
        "--tile",
        "128",
        "--bootstrap-method",
        "percentile",
        "--bootstrap",
        "200",
    ];
    let (single, merged) = single_and_merged(&job, 3, dir.path());
    assert_same_files(&single, &merged);
}

#[test]
fn fovs_named_in_files_partition_like_shards() {
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = std::fs::read_dir("data-sample/corrected/csv")
        .unwrap()
        .map(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .trim_end_matches(".csv")
                .to_string()
        })
        .collect();
    assert!(names.len() > 20);
    let (first, rest) = names.split_at(names.len() / 3);
    let lists = [
        ("first.txt", first.join("\n")),
        // File names work as well as FOV names; comments and blank lines are left out.
        (
            "rest.txt",
            format!("# the rest\n\n{}.csv\n", rest.join(".csv\n")),
        ),
        ("none.txt", String::new()),
    ];
    let mut parts = Vec::new();
    for (file, text) in &lists {
        let list = dir.path().join(file);
        std::fs::write(&list, text).unwrap();
        let part = dir.path().join(format!("{file}.part"));
        let mut args = SCORE.to_vec();
        args.extend(["--quiet", "--partial", path(&part), "--fovs", path(&list)]);
        run_ok(&args, None);
        parts.push(part);
    }
    let merged = dir.path().join("merged");
    let mut args = vec!["merge", "--quiet", "--out", path(&merged)];
    args.extend(parts.iter().map(|p| path(p)));
    run_ok(&args, None);
    let single = dir.path().join("single");
    let mut args = SCORE.to_vec();
    args.extend([
        "--no-matches",
        "--overlays",
        "0",
        "--quiet",
        "--out",
        path(&single),
    ]);
    run_ok(&args, None);
    assert_same_files(&single, &merged);
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn merge_refuses_overlapping_or_mismatched_partials() {
    let dir = tempfile::tempdir().unwrap();
    let part = |name: &str, extra: &[&str]| {
        let part = dir.path().join(name);
        let mut args = SCORE.to_vec();
        args.extend(["--quiet", "--partial", path(&part)]);
        args.extend(extra);
        run_ok(&args, None);
        part
    };
    let a = part("a", &["--shard", "0/2"]);
    let b = part("b", &["--shard", "0/2"]);
    let c = part("c", &["--shard", "1/2", "--iou-threshold", "0.4"]);
    let twice = nucagree(&["merge", path(&a), path(&b)]);
    assert_eq!(twice.status.code(), Some(2));
    let message = stderr(&twice);
    assert!(
        message.contains("which") && message.contains("holds too"),
        "{message}"
    );
    assert!(
        message.contains(path(&a)) && message.contains(path(&b)),
        "{message}"
    );
    let options = nucagree(&["merge", path(&a), path(&c)]);
    assert_eq!(options.status.code(), Some(2));
    assert!(
        stderr(&options).contains("the options differ"),
        "{}",
        stderr(&options)
    );
    // A partial of another layout version is refused, naming the field.
    let header = a.join("partial.json");
    let text = std::fs::read_to_string(&header).unwrap();
    std::fs::write(
        &header,
        text.replace("\"format_version\": 2", "\"format_version\": 9"),
    )
    .unwrap();
    let version = nucagree(&["merge", path(&a)]);
    assert_eq!(version.status.code(), Some(2));
    let message = stderr(&version);
    assert!(
        message.contains("partial.json") && message.contains("/format_version"),
        "{message}"
    );
}

#[test]
fn a_bad_value_in_a_partial_table_names_file_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let part = dir.path().join("p");
    let mut args = SCORE.to_vec();
    args.extend(["--quiet", "--partial", path(&part), "--shard", "0/1"]);
    run_ok(&args, None);
    set_cell(&part.join("nuclei.parquet"), "status", 4, 7);
    let output = nucagree(&["merge", path(&part)]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains("nuclei.parquet"), "{message}");
    // The data row 5 (the CLI's path:row:column).
    assert!(message.contains("nuclei.parquet:5:status"), "{message}");
    assert!(message.contains("found 7"), "{message}");
}

#[test]
fn partial_options_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let part = dir.path().join("p");
    let mut args = SCORE.to_vec();
    args.extend(["--partial", path(&part)]);
    let no_shard = nucagree(&args);
    assert_ne!(no_shard.status.code(), Some(0));
    assert!(
        stderr(&no_shard).contains("--shard I/N or --fovs FILE"),
        "{}",
        stderr(&no_shard)
    );
    args.extend(["--shard", "3/3"]);
    let bad = nucagree(&args);
    assert_ne!(bad.status.code(), Some(0));
    assert!(
        stderr(&bad).contains("expected I/N with 0 <= I < N"),
        "{}",
        stderr(&bad)
    );
    assert!(!part.exists());
}

/// Runs `agree` (with the `extra` options) once over all FOVs and as `shards` partials
/// merged; returns both folders.
fn agree_single_and_merged(
    study: &str,
    shards: u32,
    dir: &Path,
    extra: &[&str],
) -> (PathBuf, PathBuf) {
    // `agree` on the study with the options, then `where_to` (the output or the shard).
    let agree = |where_to: &[&str]| {
        let mut args = vec!["agree", study, "--quiet", "--bootstrap", "200"];
        args.extend(extra);
        args.extend(where_to);
        run_ok(&args, None);
    };
    let single = dir.join(format!("agree-single-{shards}"));
    agree(&["--out", path(&single)]);
    let mut parts = Vec::new();
    for i in 0..shards {
        let part = dir.join(format!("agree-part-{i}-of-{shards}"));
        let shard = format!("{i}/{shards}");
        agree(&["--partial", path(&part), "--shard", &shard]);
        parts.push(part);
    }
    let merged = dir.join(format!("agree-merged-{shards}"));
    let mut args = vec!["merge", "--quiet", "--out", path(&merged)];
    args.extend(parts.iter().map(|p| path(p)));
    run_ok(&args, None);
    (single, merged)
}

#[test]
fn agree_merged_from_shards_equals_one_run() {
    let dir = tempfile::tempdir().unwrap();
    // NuCLS's flat names, with two evaluation sets (intrarater pairs), the simulated truth
    // beside the study, a model scored as one more rater and consensus outlines: every figure,
    // table and the truth set, byte for byte.
    let extra = [
        "--model",
        "data-sample/predictions",
        "--truth-outline",
        "consensus",
    ];
    let (single, merged) =
        agree_single_and_merged("data-sample/multi-rater", 3, dir.path(), &extra);
    assert_same_files(&single, &merged);
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(merged.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["intrarater"].as_array().unwrap().len(), 2);
    assert!(summary["truth"]["simulated_truth"].is_string());
    assert!(summary["truth"]["model"]["levels"].is_array());
    assert_eq!(summary["boundary"]["truth_outline"], "consensus");
    assert!(summary["boundary"]["anchors"].as_u64().unwrap() > 500);
    assert!(merged.join("truth").is_dir());
    // One folder per rater, in one shard and in seven.
    for shards in [1, 7] {
        let (single, merged) =
            agree_single_and_merged("data-sample/multi-rater-folders", shards, dir.path(), &[]);
        assert_same_files(&single, &merged);
    }
}

#[test]
fn merge_refuses_partials_of_different_commands() {
    let dir = tempfile::tempdir().unwrap();
    let agree = dir.path().join("agree");
    run_ok(
        &[
            "agree",
            "data-sample/multi-rater",
            "--quiet",
            "--bootstrap",
            "0",
            "--partial",
            path(&agree),
            "--shard",
            "0/2",
        ],
        None,
    );
    let score = dir.path().join("score");
    let mut args = SCORE.to_vec();
    args.extend(["--quiet", "--partial", path(&score), "--shard", "1/2"]);
    run_ok(&args, None);
    let mixed = nucagree(&["merge", path(&agree), path(&score)]);
    assert_ne!(mixed.status.code(), Some(0));
    assert!(
        stderr(&mixed).contains("do not merge together"),
        "{}",
        stderr(&mixed)
    );
    // A bad label in an agreement partial names its table, row and column.
    set_cell(&agree.join("labels.parquet"), "label", 2, 99);
    let bad = nucagree(&["merge", path(&agree)]);
    assert_eq!(bad.status.code(), Some(2));
    let message = stderr(&bad);
    assert!(message.contains("labels.parquet:3:label"), "{message}");
    assert!(message.contains("found 99"), "{message}");
}

/// Sets the integer cell at `row` (0-based) of `column` in a partial's parquet table, keeping
/// the column's type (u32 or i32).
fn set_cell(table: &Path, column: &str, row: usize, value: i64) {
    use polars::prelude::{Column, DataFrame, DataType, ParquetReader, ParquetWriter, SerReader};
    let frame = ParquetReader::new(std::fs::File::open(table).unwrap())
        .finish()
        .unwrap();
    let columns: Vec<Column> = frame
        .columns()
        .iter()
        .map(|c| {
            if c.name().as_str() != column {
                return c.clone();
            }
            let mut values: Vec<i64> = c
                .cast(&DataType::Int64)
                .unwrap()
                .i64()
                .unwrap()
                .iter()
                .map(Option::unwrap)
                .collect();
            values[row] = value;
            Column::new(column.into(), values).cast(c.dtype()).unwrap()
        })
        .collect();
    let mut frame = DataFrame::new(frame.height(), columns).unwrap();
    ParquetWriter::new(std::fs::File::create(table).unwrap())
        .finish(&mut frame)
        .unwrap();
}
