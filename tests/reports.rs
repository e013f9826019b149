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

/// The `plots/<name>.png` references of a Markdown report.
fn image_references(markdown: &str) -> Vec<String> {
    markdown
        .match_indices("](plots/")
        .map(|(at, _)| {
            let rest = &markdown[at + 2..];
            rest[..rest.find(')').unwrap()].to_string()
        })
        .collect()
}

#[test]
fn every_figure_a_committed_report_embeds_is_there_and_a_png() {
    let reports = Path::new(env!("CARGO_MANIFEST_DIR")).join("reports");
    let mut seen = 0;
    for job in ["compare", "score", "agree"] {
        let dir = reports.join(job);
        let markdown = std::fs::read_to_string(dir.join("report.md")).unwrap();
        let references = image_references(&markdown);
        assert!(references.len() >= 4, "{job}: {references:?}");
        for reference in references {
            let bytes = std::fs::read(dir.join(&reference))
                .unwrap_or_else(|e| panic!("reports/{job}/{reference}: {e}"));
            assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{reference}");
            seen += 1;
        }
    }
    // Confusion matrices, per-class bars, IoU, F1 by IoU, PR curves, score thresholds,
    // folds, overlays; pairwise kappa, alpha, raters, raters needed.
    assert!(seen >= 35, "{seen} figures");
}

#[test]
fn html_reports_are_self_contained_and_latex_tables_are_written() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out_name = "target/html-check";
    let out = manifest.join(out_name);
    let _ = std::fs::remove_dir_all(&out);
    common::run_ok(
        &[
            "report",
            "data-sample",
            "--out",
            out_name,
            "--html",
            "--latex",
        ],
        Some(manifest),
    );
    for job in ["compare", "score", "agree"] {
        let dir = out.join(job);
        let markdown = std::fs::read_to_string(dir.join("report.md")).unwrap();
        let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
        let figures = image_references(&markdown).len();
        assert_eq!(
            html.matches("<img src=\"data:image/png;base64,").count(),
            figures,
            "{job}"
        );
        assert!(
            !html.contains("src=\"plots/"),
            "{job}: an image left as a file"
        );
        assert!(
            html.contains("<table>") && html.contains("data-images-total"),
            "{job}"
        );
        let latex = std::fs::read_to_string(dir.join("tables.tex")).unwrap();
        assert!(
            latex.contains("\\begin{tabular}") && latex.contains("\\toprule"),
            "{job}"
        );
        assert_eq!(
            latex.matches(" \\\\\n").count(),
            4,
            "{job}: header and three levels"
        );
    }
    let _ = std::fs::remove_dir_all(&out);
}
