//! Nuclei within tissue regions (`compare`/`score --region-masks DIR`): the NuCLS and BCSS
//! studies joined. Each FOV's region mask (a BCSS-coded PNG or TIFF named by the FOV, in the
//! FOV image's pixel grid) gives every nucleus a region: a pair and an unmatched reference
//! nucleus take the region under the reference nucleus's centroid, an unmatched nucleus of A
//! the region under its own. Per main region class (BCSS's tumor, stroma, inflammatory,
//! necrosis, other), detection (TP, FP, FN, precision, recall, F1) and classification of the
//! pairs at the nuclei's main level (accuracy, Cohen's kappa): whether lymphocytes are agreed
//! on as well inside tumor as inside stroma. Every nucleus counts here, the ambiguous classes
//! included; nuclei centred outside the ROI, under the ignore code or in a FOV without a mask
//! are counted apart.

use crate::error::Result;
use crate::ingest::region_masks::{read_region_mask, RegionIndex, RegionMask};
use crate::matching::pairing::FovPairing;
use crate::matching::{match_fov, FovMatch, MatchOptions};
use crate::model::region_scheme::{RegionLevel, RegionScheme};
use crate::model::{AnnotationSet, ClassLevel, Fov};
use crate::stats::cohen::{cohen_kappa_of_labels, KappaWeights};
use crate::stats::detection::{Detection, DetectionCounts};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

/// Detection and classification within one region class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionStratum {
    pub region: String,
    #[serde(flatten)]
    pub detection: Detection,
    /// Of the pairs, the share whose main classes agree, and Cohen's kappa of those classes.
    pub class_accuracy: Option<f64>,
    pub class_kappa: Option<f64>,
}

/// The comparison stratified by tissue region.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionStrata {
    /// The folder of masks.
    pub masks: String,
    pub strata: Vec<RegionStratum>,
    /// Nuclei (pairs counted once) outside the ROI or under the ignore code of their mask.
    pub outside_regions: u64,
    /// Nuclei (pairs counted once) of FOVs without a mask.
    pub without_mask: u64,
    /// FOVs with a mask.
    pub fovs_with_masks: usize,
}

/// A region's counts: TP, FP, FN, and the pairs' classes in A and in B.
#[derive(Default)]
struct Counts {
    tp: u64,
    fp: u64,
    fn_: u64,
    classes_a: Vec<String>,
    classes_b: Vec<String>,
}

/// One FOV's nuclei by region: see [`region_strata`].
type FovStrata = (Vec<(usize, bool, Option<(String, String)>)>, u64, u64, bool);

/// Where a nucleus falls: a main region index, or outside.
fn region_at(mask: &RegionMask, scheme: &RegionScheme, point: [f64; 2]) -> Option<usize> {
    let (x, y) = (point[0].floor(), point[1].floor());
    if x < 0.0 || y < 0.0 || x >= f64::from(mask.width) || y >= f64::from(mask.height) {
        return None;
    }
    let code = mask.codes[y as usize * mask.width as usize + x as usize];
    scheme
        .class_of_code(code)
        .map(|raw| scheme.index(raw, RegionLevel::Main))
}

/// Matches each FOV again and counts its nuclei by region.
pub fn region_strata(
    a: &AnnotationSet,
    b: &AnnotationSet,
    matching: &MatchOptions,
    masks: &RegionIndex,
    scheme: &RegionScheme,
    max_pixels: u64,
) -> Result<RegionStrata> {
    let shared = FovPairing::of(&a.fov_names(), &b.fov_names()).shared;
    let main = |fov: &Fov, i: u32| -> String {
        b.hierarchy
            .name(fov.nuclei[i as usize].class.id, ClassLevel::Main)
            .to_string()
    };
    // Per FOV: (region, only in A, the pair's classes) of each nucleus placed, those outside,
    // those without a mask, whether it had one.
    let per_fov: Vec<FovStrata> = shared
        .par_iter()
        .map(|&(i, j)| -> Result<_> {
            let (fa, fb) = (&a.fovs[i], &b.fovs[j]);
            let matched: FovMatch = match_fov(fa, fb, matching);
            let count = matched.pairs.len() + matched.unmatched_a.len() + matched.unmatched_b.len();
            let Some(file) = masks.file(&fb.name) else {
                return Ok((Vec::new(), 0, count as u64, false));
            };
            let mask = read_region_mask(&file.path, max_pixels)?;
            let mut counted = Vec::new();
            let mut outside = 0;
            let centre = |fov: &Fov, i: u32| fov.nuclei[i as usize].shape.centroid();
            let mut add =
                |point: [f64; 2], is_pair: Option<(String, String)>, only_a: bool| match region_at(
                    &mask, scheme, point,
                ) {
                    Some(region) => counted.push((region, only_a, is_pair)),
                    None => outside += 1,
                };
            for p in &matched.pairs {
                add(centre(fb, p.b), Some((main(fa, p.a), main(fb, p.b))), false);
            }
            for &u in &matched.unmatched_a {
                add(centre(fa, u), None, true);
            }
            for &u in &matched.unmatched_b {
                add(centre(fb, u), None, false);
            }
            Ok((counted, outside, 0, true))
        })
        .collect::<Result<_>>()?;
    let names = scheme.names(RegionLevel::Main);
    let mut by_region: BTreeMap<usize, Counts> = BTreeMap::new();
    let (mut outside_regions, mut without_mask, mut fovs_with_masks) = (0, 0, 0);
    for (counted, outside, missing, had_mask) in per_fov {
        outside_regions += outside;
        without_mask += missing;
        fovs_with_masks += usize::from(had_mask);
        for (region, only_a, pair) in counted {
            let entry = by_region.entry(region).or_default();
            match (pair, only_a) {
                (Some((class_a, class_b)), _) => {
                    entry.tp += 1;
                    entry.classes_a.push(class_a);
                    entry.classes_b.push(class_b);
                }
                (None, true) => entry.fp += 1,
                (None, false) => entry.fn_ += 1,
            }
        }
    }
    let share = |x: usize, y: u64| (y > 0).then(|| x as f64 / y as f64);
    let strata = by_region
        .into_iter()
        .map(|(region, counts)| {
            let Counts {
                tp,
                fp,
                fn_,
                classes_a,
                classes_b,
            } = counts;
            let agree = classes_a
                .iter()
                .zip(&classes_b)
                .filter(|(x, y)| x == y)
                .count();
            RegionStratum {
                region: names[region].to_string(),
                detection: Detection::of(DetectionCounts { tp, fp, fn_ }),
                class_accuracy: share(agree, tp),
                class_kappa: cohen_kappa_of_labels(
                    &classes_a,
                    &classes_b,
                    &KappaWeights::Unweighted,
                )
                .map(|k| k.kappa),
            }
        })
        .collect();
    Ok(RegionStrata {
        masks: masks.root.display().to_string(),
        strata,
        outside_regions,
        without_mask,
        fovs_with_masks,
    })
}
