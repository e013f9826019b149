//! Writing results: one exporter per format ([`markdown`], [`json`]), and the one place
//! (with `ingest`) that touches the file system. Outputs are written to a temporary file
//! beside the target and renamed into place, so a reader never sees half a file and an
//! input is never written over.

pub mod agreement;
mod agreement_boundary;
pub mod agreement_figures;
mod agreement_truth;
mod category_agreement;
pub mod comparison;
mod comparison_figures;
mod comparison_methods;
mod comparison_sections;
pub mod conventions;
pub mod figures;
pub mod frame_table;
pub mod html;
pub mod latex;
pub mod markdown;
pub mod outputs;
pub mod overlays;
pub mod regions;

use crate::error::{Error, Result};
use crate::inspect::InspectReport;
pub use crate::writers::files::{prepare_output_dir, write_atomic};
use crate::writers::files::{to_pretty, write_csv, write_parquet};
use crate::writers::nucls;
use std::path::{Path, PathBuf};

/// Writes `inspect.md` and `inspect.json` into `dir`; returns the paths written.
pub fn write_inspect(dir: &Path, report: &InspectReport) -> Result<Vec<PathBuf>> {
    let markdown_path = dir.join("inspect.md");
    let json_path = dir.join("inspect.json");
    write_atomic(&markdown_path, markdown::inspect(report).as_bytes())?;
    write_atomic(
        &json_path,
        to_pretty(report, "the inspect summary")?.as_bytes(),
    )?;
    Ok(vec![markdown_path, json_path])
}

/// Writes the outputs of `compare` and `score` into `dir`: `summary.json`, the tables as CSV
/// and parquet (per class, confusion, by FOV, slide, hospital and fold, folds, PR curves,
/// score thresholds, and the matches when given), then `report.md` listing them. Returns the
/// paths written.
pub fn write_comparison(
    dir: &Path,
    report: &crate::comparison::run::ComparisonReport,
    matches: Option<&[crate::matching::table::FovMatchRows]>,
    hierarchy: &crate::model::ClassHierarchy,
    overlays: &[crate::plots::Overlay],
    formats: ExtraFormats,
) -> Result<Vec<PathBuf>> {
    let mut frames = outputs::comparison_frames(report, matches, hierarchy)?;
    let mut written = Vec::new();
    let json_path = dir.join("summary.json");
    write_atomic(&json_path, to_pretty(report, "the summary")?.as_bytes())?;
    written.push(json_path);
    let mut listed = vec!["summary.json".to_string()];
    write_tables(dir, &mut frames, &mut listed, &mut written)?;
    let figures = comparison_figures::comparison_figures(report, overlays, formats.figures)?;
    let (index, figure_files) = write_figures(dir, &figures)?;
    written.extend(figure_files);
    let frame = |wanted: &str| {
        frames
            .iter()
            .find(|(name, _)| *name == wanted)
            .map(|(_, frame)| frame)
            .expect("the frame is built above")
    };
    let report_frames = comparison::ReportFrames {
        per_class: frame("per_class"),
        conventions: report
            .conventions
            .as_ref()
            .map(|_| conventions::ConventionFrames {
                overview: frame("conventions"),
                per_class: frame("conventions_per_class"),
                stardist: frame("stardist"),
            }),
        by_hospital: frame("by_hospital"),
        by_fold: frame("by_fold"),
    };
    let markdown = comparison::comparison(report, &listed, &index, &report_frames)?;
    let markdown_path = dir.join("report.md");
    write_atomic(&markdown_path, markdown.as_bytes())?;
    written.push(markdown_path);
    let command = match report.command {
        crate::comparison::run::Job::Score => "score",
        crate::comparison::run::Job::Compare => "compare",
    };
    let title = format!(
        "nucagree {command}: {} against {}",
        report.inputs.a.name, report.inputs.b.name
    );
    let tables = [(
        comparison::headline_table(report),
        format!("{title}: detection and classification at each class level (95% bootstrap intervals over FOVs)"),
        "tab:nucagree-headline",
    )];
    written.extend(write_extra_formats(
        dir, formats, &title, &markdown, &figures, &tables,
    )?);
    Ok(written)
}

/// Outputs beside `report.md`, and how figures are drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ExtraFormats {
    /// `report.html`: one self-contained file, figures inline.
    pub html: bool,
    /// `tables.tex`: the headline tables as LaTeX.
    pub latex: bool,
    /// The figures' width and file formats.
    pub figures: crate::plots::FigureOptions,
}

fn write_extra_formats(
    dir: &Path,
    formats: ExtraFormats,
    title: &str,
    markdown: &str,
    figures: &[figures::NamedFigure],
    tables: &[(markdown::Table, String, &str)],
) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    if formats.html {
        let images: std::collections::HashMap<String, &[u8]> = figures
            .iter()
            .map(|f| (format!("plots/{}.png", f.name), f.figure.png.as_slice()))
            .collect();
        let path = dir.join("report.html");
        write_atomic(&path, html::document(title, markdown, &images)?.as_bytes())?;
        written.push(path);
    }
    if formats.latex {
        let text: String = tables
            .iter()
            .map(|(table, caption, label)| latex::table(table, caption, label))
            .collect::<Vec<_>>()
            .join("\n");
        let path = dir.join("tables.tex");
        write_atomic(&path, text.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}

/// Writes the outputs of `conventions` into `dir`: `summary.json`, the tables as CSV and
/// parquet (`conventions`, `conventions_per_class`, `stardist`, `instance_per_image`,
/// `image_counts`), the counts figure and `report.md`. Returns the paths written.
pub fn write_conventions(
    dir: &Path,
    report: &crate::conventions::ConventionsReport,
    figure_options: crate::plots::FigureOptions,
) -> Result<Vec<PathBuf>> {
    use crate::tables::conventions as c;
    let summary = &report.conventions;
    let mut frames = [
        ("conventions", c::overview(None, summary)?),
        ("conventions_per_class", c::per_class(summary)?),
        ("stardist", c::stardist_table(summary)?),
        ("instance_per_image", c::per_image(summary)?),
        ("image_counts", c::image_counts(summary)?),
    ];
    let json_path = dir.join("summary.json");
    write_atomic(&json_path, to_pretty(report, "the summary")?.as_bytes())?;
    let mut written = vec![json_path];
    let mut listed = vec!["summary.json".to_string()];
    write_tables(dir, &mut frames, &mut listed, &mut written)?;
    let pending: Vec<figures::Pending<'_>> = conventions::count_agreement(summary)
        .map(|chart| {
            let size = chart.natural_size();
            figures::later("count_agreement", &chart.title.clone(), chart, size)
        })
        .into_iter()
        .collect();
    let (index, figure_files) = write_figures(dir, &figures::render_all(pending, figure_options)?)?;
    written.extend(figure_files);
    let frames = conventions::ConventionFrames {
        overview: &frames[0].1,
        per_class: &frames[1].1,
        stardist: &frames[2].1,
    };
    let markdown = conventions::conventions_report_markdown(report, &frames, &index, &listed)?;
    let markdown_path = dir.join("report.md");
    write_atomic(&markdown_path, markdown.as_bytes())?;
    written.push(markdown_path);
    Ok(written)
}

/// Writes the outputs of `regions` into `dir`: `summary.json`, the tables as CSV and parquet
/// (`per_class`, `confusion`, `groups`), the figures and `report.md`. Returns the paths
/// written.
pub fn write_regions(
    dir: &Path,
    report: &crate::regions::summary::RegionReport,
    overlays: &[crate::regions::overlay::RoiDisagreement],
    formats: ExtraFormats,
) -> Result<Vec<PathBuf>> {
    use crate::tables::regions as t;
    let mut frames = [
        ("per_class", t::per_class(report)?),
        ("confusion", t::confusion(report)?),
        ("groups", t::groups(report)?),
    ];
    let json_path = dir.join("summary.json");
    write_atomic(&json_path, to_pretty(report, "the summary")?.as_bytes())?;
    let mut written = vec![json_path];
    let mut listed = vec!["summary.json".to_string()];
    write_tables(dir, &mut frames, &mut listed, &mut written)?;
    let figures = figures::render_all(regions::region_figures(report, overlays), formats.figures)?;
    let (index, figure_files) = write_figures(dir, &figures)?;
    written.extend(figure_files);
    let markdown = regions::regions_markdown(report, &index, &listed);
    let markdown_path = dir.join("report.md");
    write_atomic(&markdown_path, markdown.as_bytes())?;
    written.push(markdown_path);
    let title = format!(
        "nucagree regions: {} against the reference {}",
        report.a, report.b
    );
    let tables = [(
        regions::headline_table(report),
        format!("{title}: pixel agreement at each class level (95% bootstrap intervals over ROIs)"),
        "tab:nucagree-regions",
    )];
    written.extend(write_extra_formats(
        dir, formats, &title, &markdown, &figures, &tables,
    )?);
    Ok(written)
}

/// Writes the outputs of `regions --study` into `dir`: `summary.json`, `pairwise` (CSV and
/// parquet), the pairwise kappa figures and `report.md`. Returns the paths written.
pub fn write_region_study(
    dir: &Path,
    report: &crate::regions::study::RegionStudyReport,
    formats: ExtraFormats,
) -> Result<Vec<PathBuf>> {
    let mut frames = [("pairwise", crate::tables::regions::study_pairwise(report)?)];
    let json_path = dir.join("summary.json");
    write_atomic(&json_path, to_pretty(report, "the summary")?.as_bytes())?;
    let mut written = vec![json_path];
    let mut listed = vec!["summary.json".to_string()];
    write_tables(dir, &mut frames, &mut listed, &mut written)?;
    let figures = figures::render_all(regions::region_study_figures(report), formats.figures)?;
    let (index, figure_files) = write_figures(dir, &figures)?;
    written.extend(figure_files);
    let markdown = regions::region_study_markdown(report, &index, &listed);
    let markdown_path = dir.join("report.md");
    write_atomic(&markdown_path, markdown.as_bytes())?;
    written.push(markdown_path);
    let title = format!(
        "nucagree regions: a study of {} raters",
        report.raters.len()
    );
    let tables = [(
        regions::study_headline_table(report),
        format!(
            "{title}: agreement on pixels at each class level (95% bootstrap intervals over ROIs)"
        ),
        "tab:nucagree-region-study",
    )];
    written.extend(write_extra_formats(
        dir, formats, &title, &markdown, &figures, &tables,
    )?);
    Ok(written)
}

/// Writes each table as `<name>.csv` and `<name>.parquet` (in parallel), listing the CSVs in
/// `listed` and every file in `written`, in the tables' order.
fn write_tables(
    dir: &Path,
    frames: &mut [(&str, polars::prelude::DataFrame)],
    listed: &mut Vec<String>,
    written: &mut Vec<PathBuf>,
) -> Result<()> {
    use rayon::prelude::*;
    let files: Vec<Result<[PathBuf; 2]>> = frames
        .par_iter_mut()
        .map(|(name, frame)| {
            let csv = dir.join(format!("{name}.csv"));
            let parquet = dir.join(format!("{name}.parquet"));
            write_csv(&csv, frame)?;
            write_parquet(&parquet, frame)?;
            Ok([csv, parquet])
        })
        .collect();
    for ((name, _), pair) in frames.iter().zip(files) {
        let [csv, parquet] = pair?;
        listed.push(format!("{name}.csv"));
        written.extend([csv, parquet]);
    }
    Ok(())
}

/// Writes each figure as `plots/<name>.png` (and `.svg` and `.tiff` where rendered); returns
/// the index to embed them by and the files written.
pub fn write_figures(
    dir: &Path,
    figures: &[figures::NamedFigure],
) -> Result<(markdown::FigureIndex, Vec<PathBuf>)> {
    let plots = dir.join("plots");
    std::fs::create_dir_all(&plots).map_err(|e| Error::io(&plots, "create", e))?;
    let mut index = markdown::FigureIndex::new();
    let mut written = Vec::new();
    for figure in figures {
        let png = plots.join(format!("{}.png", figure.name));
        write_atomic(&png, &figure.figure.png)?;
        written.push(png);
        if let Some(svg) = &figure.figure.svg {
            let path = plots.join(format!("{}.svg", figure.name));
            write_atomic(&path, svg.as_bytes())?;
            written.push(path);
        }
        if let Some(tiff) = &figure.figure.tiff {
            let path = plots.join(format!("{}.tiff", figure.name));
            write_atomic(&path, tiff)?;
            written.push(path);
        }
        index.insert(figure.name.clone(), figure.caption.clone());
    }
    Ok((index, written))
}

/// Writes the outputs of `agree` into `dir`: `summary.json`, the tables as CSV and parquet
/// (see [`outputs::agreement_frames`]), the truth set, the figures, then `report.md`.
/// Returns the paths written.
pub fn write_agreement(
    dir: &Path,
    outputs: &outputs::AgreementOutputs,
    formats: ExtraFormats,
) -> Result<Vec<PathBuf>> {
    let mut frames = outputs::agreement_frames(outputs)?;
    let outputs::AgreementOutputs {
        report,
        truth_set,
        hierarchy,
        root,
        ..
    } = outputs;
    let json_path = dir.join("summary.json");
    write_atomic(&json_path, to_pretty(report, "the summary")?.as_bytes())?;
    let mut written = vec![json_path];
    let mut listed = vec!["summary.json".to_string()];
    write_tables(dir, &mut frames, &mut listed, &mut written)?;
    written.push(write_truth_set(&dir.join("truth"), truth_set, hierarchy)?);
    listed.push("truth/".to_string());
    let figures = agreement_figures::agreement_figures(report, hierarchy, formats.figures)?;
    let (index, figure_files) = write_figures(dir, &figures)?;
    written.extend(figure_files);
    let markdown = agreement::agreement(report, root, &listed, &index);
    let markdown_path = dir.join("report.md");
    write_atomic(&markdown_path, markdown.as_bytes())?;
    let title = format!("nucagree agree: {root}");
    let tables = [(
        agreement::all_raters_table(report),
        format!("{title}: agreement of all raters at each class level (95% bootstrap intervals over FOVs)"),
        "tab:nucagree-agreement",
    )];
    written.extend(write_extra_formats(
        dir, formats, &title, &markdown, &figures, &tables,
    )?);
    written.push(markdown_path);
    Ok(written)
}

/// Writes `README.md` into `dir`, an index of the reports made from `data` into `out` (the
/// folder `dir` becomes): one `(folder, command)` per job.
pub fn write_index(
    dir: &Path,
    out: &Path,
    data: &str,
    jobs: &[(String, String)],
) -> Result<PathBuf> {
    let mut text = format!(
        "# nucagree reports on `{data}`\n\nMade by `nucagree report {data} --out {}`; each folder holds one job's outputs.\n\n",
        out.display()
    );
    for (folder, command) in jobs {
        let main = if folder == "inspect" {
            "inspect.md"
        } else {
            "report.md"
        };
        text.push_str(&format!(
            "- [`{folder}/`]({folder}/{main}): `nucagree {command}`\n"
        ));
    }
    let path = dir.join("README.md");
    write_atomic(&path, text.as_bytes())?;
    Ok(path)
}

/// Writes an inferred truth as an annotation set in the NuCLS layout: `csv/<fov>.csv` and
/// `fov_locations.csv` where regions are known. Returns the folder.
pub fn write_truth_set(
    dir: &Path,
    fovs: &[crate::agreement::TruthFov],
    hierarchy: &crate::model::ClassHierarchy,
) -> Result<PathBuf> {
    let csv_dir = dir.join("csv");
    std::fs::create_dir_all(&csv_dir).map_err(|e| Error::io(&csv_dir, "create", e))?;
    for fov in fovs {
        write_atomic(
            &csv_dir.join(format!("{}.csv", fov.name)),
            nucls::fov_csv(&fov.nuclei, hierarchy, false).as_bytes(),
        )?;
    }
    let rows: Vec<nucls::FovLocationRow<'_>> = fovs
        .iter()
        .filter_map(|f| {
            nucls::FovLocationRow::of(&f.name, f.slide.as_deref(), f.hospital.as_deref(), f.region)
        })
        .collect();
    if !rows.is_empty() {
        nucls::write_fov_locations(&dir.join("fov_locations.csv"), |each| {
            rows.iter().try_for_each(each)
        })?;
    }
    Ok(dir.to_path_buf())
}
