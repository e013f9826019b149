//! `reports/` holds what the README's main command (`nucagree report data-sample --out
//! reports`) writes: run it again and compare every text file.

mod common;

use std::path::{Path, PathBuf};

fn text_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("md" | "json" | "csv")
            ) {
                files.push(path.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    files.sort();
    files
}

#[test]
fn the_committed_reports_are_what_the_main_command_writes_now() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out_name = "target/reports-check";
    let out = manifest.join(out_name);
    let _ = std::fs::remove_dir_all(&out);
    common::run_ok(
        &["report", "data-sample", "--out", out_name],
        Some(manifest),
    );
    let committed = manifest.join("reports");
    let fresh = text_files(&out);
    assert_eq!(
        text_files(&committed),
        fresh,
        "reports/ does not hold the files the main command writes: run `cargo run -- report data-sample --out reports`"
    );
    for file in fresh {
        let now = std::fs::read_to_string(out.join(&file))
            .unwrap()
            .replace(out_name, "reports");
        let then = std::fs::read_to_string(committed.join(&file)).unwrap();
        assert!(
            now == then,
            "reports/{} is stale: run `cargo run -- report data-sample --out reports`",
            file.display()
        );
    }
    let _ = std::fs::remove_dir_all(&out);
}
