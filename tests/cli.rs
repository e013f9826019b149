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
        stdout.contains("| rows skipped (--lenient) |     1 |"),
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
