//! Partial comparisons that merge exactly: one shard of the FOVs matched and evaluated
//! anywhere ([`partial_of_sets`]), the shards' statistics merged into the report one run over
//! every FOV gives ([`merge_partials`]) — bit for bit, bootstrap intervals included, because a
//! partial keeps what the summary is computed from: each FOV's [`FovOutcome`] (the classes,
//! IoUs and scores of its pairs and unmatched nuclei, and its AP evaluations, each detection's
//! score and the IoU thresholds it matched at) and each FOV's instance image for the field's
//! conventions. The summary is computed from them in the FOVs' order, as one run does.
//!
//! The match table and the overlays need the nuclei themselves: a merge writes neither.

use super::outcome::FovOutcome;
use super::roles::{AmbiguousMode, ClassRoles};
use super::run::{
    report_from, require_same_classes, ComparisonOptions, ComparisonReport, Inputs, Job,
    ReportParts,
};
use crate::conventions::images::{measured_images_of_sets, Measured, MeasuredImage};
use crate::conventions::run::summarize_images;
use crate::conventions::{Convention, ConventionsOptions};
use crate::error::{Error, Result};
use crate::geometry::{IouOptions, IouShape, PixelConvention};
use crate::matching::pairing::FovPairing;
use crate::matching::tiles::TileSize;
use crate::matching::{Assignment, Criterion, FovCrop, MatchOptions};
use crate::model::{AnnotationSet, ClassHierarchy, ClassLevel, InputSet};
use crate::quality::{DataQuality, Finding, FindingKind, QualityCount};
use crate::stats::bootstrap::{BootstrapOptions, IntervalMethod};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The partial layout's name and version, checked when a partial is read.
pub const PARTIAL_FORMAT: &str = "nucagree-partial";
pub const PARTIAL_VERSION: u32 = 2;

/// One shard's comparison: its header (what `partial.json` holds) and its records (what the
/// parquet tables hold).
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonPartial {
    /// Where it was read from (for errors); empty when built in memory.
    pub path: PathBuf,
    pub header: PartialHeader,
    /// Each FOV's outcomes (one, or one per tile), in the shard's FOV order; the FOV's name
    /// is `header.fovs[i]`.
    pub outcomes: Vec<Vec<FovOutcome>>,
    /// The raw-level instance images of the FOVs, each with whether it was measured in
    /// pixels, in the truth's order.
    pub images: Vec<MeasuredImage>,
}

/// What a partial's `partial.json` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartialHeader {
    pub format: String,
    pub format_version: u32,
    /// The nucagree version that wrote it: only partials of one version merge.
    pub version: String,
    /// `compare` or `score`.
    pub command: String,
    /// Which FOVs the shard holds, as asked (`shard 2/7`, `12 FOVs named`).
    pub selection: String,
    pub options: PartialOptions,
    /// The class hierarchy, as `(raw, main, super)` rows.
    pub classes: Vec<[String; 3]>,
    pub a: ShardInput,
    pub b: ShardInput,
    pub fovs_only_in_a: Vec<String>,
    pub fovs_only_in_b: Vec<String>,
    /// The FOVs both sets have in the shard, in A's order.
    pub fovs: Vec<String>,
    /// The AP evaluations' IoU thresholds (the matched flags of a detection are bits in
    /// their order).
    pub ap_thresholds: usize,
}

/// One input set as the shard read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardInput {
    pub name: String,
    pub path: String,
    pub fovs: usize,
    pub nuclei: usize,
    /// Every finding of the read: findings about the set as a whole (its metadata, a file
    /// holding every FOV) are in every shard, and counted once when merged.
    pub findings: Vec<FindingRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FindingRecord {
    pub kind: FindingKind,
    pub path: String,
    pub row: Option<u64>,
    pub detail: String,
}

/// The options of a comparison, as plain values a partial's header can hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartialOptions {
    pub job: String,
    pub iou_threshold: Option<f64>,
    pub radius_px: Option<f64>,
    pub shape: String,
    pub pixel_convention: String,
    pub matching: String,
    pub fov_crop: String,
    pub ambiguous: String,
    pub bootstrap: Option<PartialBootstrap>,
    pub score_threshold: f64,
    pub folds: bool,
    pub stardist_thresholds: Vec<f64>,
    pub convention: String,
    pub tile_px: Option<f64>,
    pub roi: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartialBootstrap {
    pub replicates: usize,
    pub seed: u64,
    pub method: String,
    pub level: f64,
}

impl PartialOptions {
    pub fn of(options: &ComparisonOptions) -> PartialOptions {
        let (iou_threshold, radius_px, iou) = match options.matching.criterion {
            Criterion::Iou { threshold, options } => (Some(threshold), None, options),
            Criterion::Centroid { radius_px } => (None, Some(radius_px), IouOptions::default()),
        };
        PartialOptions {
            job: options.job.to_string(),
            iou_threshold,
            radius_px,
            shape: iou.shape().to_string(),
            pixel_convention: iou.pixels().to_string(),
            matching: options.matching.assignment.to_string(),
            fov_crop: options.matching.crop.to_string(),
            ambiguous: options.ambiguous.to_string(),
            bootstrap: options.bootstrap.as_ref().map(|b| PartialBootstrap {
                replicates: b.replicates,
                seed: b.seed,
                method: b.method.to_string(),
                level: b.level,
            }),
            score_threshold: options.score_threshold,
            folds: options.folds,
            stardist_thresholds: options.conventions.thresholds.clone(),
            convention: options.convention.to_string(),
            tile_px: options.tile.map(TileSize::pixels),
            roi: options.roi.clone(),
        }
    }

    /// The options again; an error names the field that holds no valid choice.
    pub fn options(&self) -> std::result::Result<ComparisonOptions, String> {
        fn parse<T: std::str::FromStr>(field: &str, value: &str) -> std::result::Result<T, String>
        where
            T::Err: std::fmt::Display,
        {
            value.parse().map_err(|e| format!("options.{field}: {e}"))
        }
        let criterion = match (self.iou_threshold, self.radius_px) {
            (Some(threshold), None) => Criterion::Iou {
                threshold,
                options: IouOptions::new(
                    parse::<IouShape>("shape", &self.shape)?,
                    parse::<PixelConvention>("pixel_convention", &self.pixel_convention)?,
                )
                .map_err(|e| format!("options: {e}"))?,
            },
            (None, Some(radius_px)) => Criterion::Centroid { radius_px },
            _ => return Err("options: expected one of iou_threshold and radius_px".into()),
        };
        let bootstrap = match &self.bootstrap {
            None => None,
            Some(b) => Some(BootstrapOptions {
                replicates: b.replicates,
                seed: b.seed,
                method: parse::<IntervalMethod>("bootstrap.method", &b.method)?,
                level: b.level,
            }),
        };
        let tile = match self.tile_px {
            None => None,
            Some(px) => Some(TileSize::new(px).ok_or("options.tile_px: too small a tile")?),
        };
        Ok(ComparisonOptions {
            job: parse::<Job>("job", &self.job)?,
            matching: MatchOptions {
                criterion,
                assignment: parse::<Assignment>("matching", &self.matching)?,
                crop: parse::<FovCrop>("fov_crop", &self.fov_crop)?,
            },
            ambiguous: parse::<AmbiguousMode>("ambiguous", &self.ambiguous)?,
            bootstrap,
            score_threshold: self.score_threshold,
            folds: self.folds,
            conventions: ConventionsOptions {
                thresholds: self.stardist_thresholds.clone(),
            },
            convention: parse::<Convention>("convention", &self.convention)?,
            tile,
            roi: self.roi.clone(),
        })
    }
}

impl ShardInput {
    fn of(set: &AnnotationSet) -> ShardInput {
        let input = InputSet::of(set);
        ShardInput {
            name: input.name,
            path: input.path,
            fovs: input.fovs,
            nuclei: input.nuclei,
            findings: set
                .quality
                .findings
                .iter()
                .map(|f| FindingRecord {
                    kind: f.kind,
                    path: f.path.display().to_string(),
                    row: f.row,
                    detail: f.detail.clone(),
                })
                .collect(),
        }
    }
}

/// The comparison of A against the reference B on the FOVs the two sets hold (read with a
/// FOV selection: one shard), as a partial. A shard may hold no FOV in common.
pub fn partial_of_sets(
    mut a: Arc<AnnotationSet>,
    mut b: Arc<AnnotationSet>,
    rois: Option<&crate::ingest::roi::Rois>,
    options: &ComparisonOptions,
    selection: &str,
) -> Result<ComparisonPartial> {
    if let Some(rois) = rois {
        crate::matching::roi::restrict(Arc::make_mut(&mut a), rois);
        crate::matching::roi::restrict(Arc::make_mut(&mut b), rois);
    }
    require_same_classes(&a, &b)?;
    crate::matching::crowd::require_bounded_crowds(&a, &b, (&options.matching.criterion).into())?;
    let roles = ClassRoles::new(b.hierarchy.clone(), options.ambiguous);
    let outcomes = super::run::evaluate_by_fov(&a, &b, &roles, options, false, &|_| ())
        .into_iter()
        .map(|(outcomes, _)| outcomes)
        .collect();
    let pairing = FovPairing::of(&a.fov_names(), &b.fov_names());
    let images = measured_images_of_sets(&b, &a, ClassLevel::Raw);
    Ok(ComparisonPartial {
        path: PathBuf::new(),
        header: PartialHeader {
            format: PARTIAL_FORMAT.into(),
            format_version: PARTIAL_VERSION,
            version: env!("CARGO_PKG_VERSION").into(),
            command: options.job.to_string(),
            selection: selection.into(),
            options: PartialOptions::of(options),
            classes: b
                .hierarchy
                .rows()
                .map(|(raw, main, sup)| [raw.into(), main.into(), sup.into()])
                .collect(),
            a: ShardInput::of(&a),
            b: ShardInput::of(&b),
            fovs: pairing
                .shared
                .iter()
                .map(|&(i, _)| a.fovs[i].name.clone())
                .collect(),
            fovs_only_in_a: pairing.only_in_a,
            fovs_only_in_b: pairing.only_in_b,
            ap_thresholds: crate::stats::average_precision::ApOptions::default()
                .iou_thresholds
                .len(),
        },
        outcomes,
        images,
    })
}

/// The comparison partials merge into, with the class hierarchy it names classes by.
#[derive(Debug, Clone)]
pub struct Merged {
    pub report: ComparisonReport,
    pub hierarchy: Arc<ClassHierarchy>,
}

/// Merges the partials of disjoint shards into the report one run over all their FOVs gives.
/// They must come from one nucagree version, with the same options, classes and inputs, and
/// hold no FOV twice.
pub fn merge_partials(partials: &[ComparisonPartial]) -> Result<Merged> {
    let first = partials.first().ok_or_else(|| Error::Layout {
        path: PathBuf::from("merge"),
        message: "no partial given: expected at least one".into(),
    })?;
    let refuse = |partial: &ComparisonPartial, message: String| Error::Layout {
        path: partial.path.clone(),
        message,
    };
    for partial in partials {
        let (h, f) = (&partial.header, &first.header);
        let differs = [
            ("the nucagree version", h.version != f.version),
            ("the options", h.options != f.options),
            ("the classes", h.classes != f.classes),
            ("set A", (&h.a.name, &h.a.path) != (&f.a.name, &f.a.path)),
            ("set B", (&h.b.name, &h.b.path) != (&f.b.name, &f.b.path)),
            ("the AP thresholds", h.ap_thresholds != f.ap_thresholds),
        ];
        if let Some((what, _)) = differs.iter().find(|(_, differ)| *differ) {
            return Err(refuse(
                partial,
                format!(
                    "{what} differ from those of {}: expected partials of one run",
                    first.path.display()
                ),
            ));
        }
    }
    let options = first
        .header
        .options
        .options()
        .map_err(|message| refuse(first, message))?;
    let hierarchy = Arc::new(
        hierarchy_of_rows(&first.header.classes)
            .map_err(|e| refuse(first, format!("classes: {e}")))?,
    );
    // Each FOV once, wherever it is.
    require_disjoint(partials.iter().map(|p| {
        let h = &p.header;
        let names = h
            .fovs
            .iter()
            .chain(&h.fovs_only_in_a)
            .chain(&h.fovs_only_in_b);
        (p.path.as_path(), names.map(String::as_str).collect())
    }))?;
    // The FOVs in the order one run takes them: sets list their FOVs by name.
    let mut fovs: Vec<(&str, &Vec<FovOutcome>)> = partials
        .iter()
        .flat_map(|p| p.header.fovs.iter().map(String::as_str).zip(&p.outcomes))
        .collect();
    fovs.sort_by(|x, y| x.0.cmp(y.0));
    let outcomes: Vec<FovOutcome> = fovs.into_iter().flat_map(|(_, o)| o.clone()).collect();
    let mut images: Vec<MeasuredImage> = partials.iter().flat_map(|p| p.images.clone()).collect();
    images.sort_by(|x, y| x.0.name.cmp(&y.0.name));
    let measured = Measured::of(&images);
    let images = images.into_iter().map(|(image, _)| image).collect();
    let sorted_names = |of: &dyn Fn(&PartialHeader) -> &Vec<String>| {
        let mut names: Vec<String> = partials
            .iter()
            .flat_map(|p| of(&p.header).clone())
            .collect();
        names.sort();
        names
    };
    let parts = ReportParts {
        inputs: Inputs {
            a: merged_input(partials, |h| &h.a),
            b: merged_input(partials, |h| &h.b),
        },
        fovs_only_in_a: sorted_names(&|h| &h.fovs_only_in_a),
        fovs_only_in_b: sorted_names(&|h| &h.fovs_only_in_b),
        conventions: summarize_images(images, measured, &hierarchy, &options.conventions),
    };
    let roles = ClassRoles::new(hierarchy.clone(), options.ambiguous);
    Ok(Merged {
        report: report_from(&outcomes, parts, &roles, &options),
        hierarchy,
    })
}

/// One input over every shard: FOVs and nuclei added up, each finding counted as often as the
/// shard that has it most often has it (a set-wide finding is in every shard).
fn merged_input(
    partials: &[ComparisonPartial],
    side: impl Fn(&PartialHeader) -> &ShardInput,
) -> InputSet {
    let first = side(&partials[0].header);
    let mut findings: BTreeMap<&FindingRecord, usize> = BTreeMap::new();
    for partial in partials {
        let mut here: BTreeMap<&FindingRecord, usize> = BTreeMap::new();
        for finding in &side(&partial.header).findings {
            *here.entry(finding).or_insert(0) += 1;
        }
        for (finding, count) in here {
            let kept = findings.entry(finding).or_insert(0);
            *kept = (*kept).max(count);
        }
    }
    let mut quality = DataQuality::default();
    for (finding, count) in findings {
        for _ in 0..count {
            quality.findings.push(Finding {
                kind: finding.kind,
                path: Path::new(&finding.path).to_path_buf(),
                row: finding.row,
                detail: finding.detail.clone(),
            });
        }
    }
    InputSet {
        name: first.name.clone(),
        path: first.path.clone(),
        fovs: partials.iter().map(|p| side(&p.header).fovs).sum(),
        nuclei: partials.iter().map(|p| side(&p.header).nuclei).sum(),
        data_quality: QualityCount::all(&quality),
    }
}

/// The class hierarchy of a partial's `(raw, main, super)` rows.
pub fn hierarchy_of_rows(
    rows: &[[String; 3]],
) -> std::result::Result<ClassHierarchy, crate::model::HierarchyError> {
    ClassHierarchy::from_rows(
        rows.iter()
            .map(|[raw, main, sup]| (raw.clone(), main.clone(), sup.clone())),
    )
}

/// An error naming both partials when a FOV is in two of them (`partials`: each one's path and
/// FOV names).
pub fn require_disjoint<'a>(
    partials: impl Iterator<Item = (&'a Path, Vec<&'a str>)>,
) -> Result<()> {
    // By position: the same folder given twice holds its FOVs twice.
    let mut holder: HashMap<&str, (usize, &Path)> = HashMap::new();
    for (k, (path, names)) in partials.enumerate() {
        for name in names {
            match holder.get(name) {
                Some(&(other, other_path)) if other != k => {
                    return Err(Error::Layout {
                        path: path.to_path_buf(),
                        message: format!(
                            "holds the FOV {name:?}, which {} holds too: expected disjoint shards",
                            other_path.display()
                        ),
                    })
                }
                _ => {
                    holder.insert(name, (k, path));
                }
            }
        }
    }
    Ok(())
}
