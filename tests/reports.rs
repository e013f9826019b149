//! `reports/` holds what the README's main command (`nucagree report data-sample --out
//! reports`) writes: run it again and compare every text file.

mod common;

use std::path::{Path, PathBuf};

/// Every file under `root` whose extension is one of `extensions`, sorted.
fn files_under(root: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| extensions.contains(&e))
            {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The text files under `root`, relative to it.
fn text_files(root: &Path) -> Vec<PathBuf> {
    files_under(root, &["md", "json", "csv"])
        .into_iter()
        .map(|p| p.strip_prefix(root).unwrap().to_path_buf())
        .collect()
}

/// The sample's reports in every format (HTML, LaTeX, PNG, SVG and TIFF), written once for
/// the tests that read them.
fn report_in_every_format() -> &'static Path {
    static OUT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    OUT.get_or_init(|| {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        let out_name = "target/formats-check";
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
                "--figure-format",
                "png,svg,tiff",
            ],
            Some(manifest),
        );
        out
    })
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
    let out = report_in_every_format();
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
}

/// The value of attribute `name` in the first tag of `svg` that has it.
fn attribute<'a>(svg: &'a str, name: &str) -> &'a str {
    let key = format!(" {name}=\"");
    let start = svg.find(&key).unwrap_or_else(|| panic!("no {name}")) + key.len();
    &svg[start..start + svg[start..].find('"').unwrap()]
}

/// The smallest text of an SVG in points at its physical width (`width` in inches, the view
/// box in drawing units).
fn smallest_text_pt(svg: &str) -> f64 {
    let inches: f64 = attribute(svg, "width")
        .strip_suffix("in")
        .expect("the width in inches")
        .parse()
        .unwrap();
    let view_width: f64 = attribute(svg, "viewBox")
        .split(' ')
        .nth(2)
        .unwrap()
        .parse()
        .unwrap();
    let points_per_unit = inches * 72.0 / view_width;
    svg.match_indices(" font-size=\"")
        .map(|(at, key)| {
            let rest = &svg[at + key.len()..];
            rest[..rest.find('"').unwrap()].parse::<f64>().unwrap() * points_per_unit
        })
        .fold(f64::INFINITY, f64::min)
}

#[test]
fn every_figure_is_300_dpi_with_text_of_7_pt_or_more() {
    let out = report_in_every_format();
    let pngs = files_under(out, &["png"]);
    assert!(pngs.len() >= 50, "{} PNGs", pngs.len());
    for path in &pngs {
        let decoder =
            png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
        let reader = decoder.read_info().unwrap();
        let dims = reader
            .info()
            .pixel_dims
            .unwrap_or_else(|| panic!("{}: no pHYs", path.display()));
        // 300 dpi is 11,811 dots per metre.
        assert_eq!(
            (dims.xppu, dims.yppu, dims.unit),
            (11811, 11811, png::Unit::Meter),
            "{}",
            path.display()
        );
        // Journals' widths: a single or a double column.
        let width = reader.info().width;
        assert!(
            width == 1050 || width == 2160,
            "{}: {width} px",
            path.display()
        );
    }
    let tiffs = files_under(out, &["tiff"]);
    assert_eq!(tiffs.len(), pngs.len(), "a TIFF beside every PNG");
    for path in &tiffs {
        let bytes = std::fs::read(path).unwrap();
        let mut decoder = tiff::decoder::Decoder::new(std::io::Cursor::new(bytes)).unwrap();
        let compression = decoder.get_tag_u32(tiff::tags::Tag::Compression).unwrap();
        assert_eq!(compression, 5, "{}: LZW", path.display());
        let resolution = decoder
            .get_tag_u32_vec(tiff::tags::Tag::XResolution)
            .unwrap();
        assert_eq!(resolution, vec![300, 1], "{}", path.display());
        let unit = decoder
            .get_tag_u32(tiff::tags::Tag::ResolutionUnit)
            .unwrap();
        assert_eq!(unit, 2, "{}: inches", path.display());
    }
    let svgs = files_under(out, &["svg"]);
    assert!(svgs.len() >= 30, "{} SVGs", svgs.len());
    for path in &svgs {
        let svg = std::fs::read_to_string(path).unwrap();
        let smallest = smallest_text_pt(&svg);
        assert!(
            (7.0..100.0).contains(&smallest),
            "{}: text of {smallest:.2} pt",
            path.display()
        );
    }
}
