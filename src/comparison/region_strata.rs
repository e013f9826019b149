//! Nuclei within tissue regions (`compare`/`score --region-masks DIR`): the NuCLS and BCSS
//! studies joined. Region masks (BCSS-coded PNG or TIFF) give every nucleus a region: a pair
//! and an unmatched reference nucleus take the region under the reference nucleus's centroid,
//! an unmatched nucleus of A the region under its own. A mask is either named by the FOV and
//! lies on the FOV image's pixel grid (scaled by annotation µm per pixel over mask µm per
//! pixel), or is a larger mask of the FOV's slide named as BCSS names them
//! (`{slide}_xmin{x}_ymin{y}[_MPP-{m}]`, the offset in the slide's base pixels): a NuCLS FOV
//! name places the FOV image in the slide (`left`, `top`, at [`NameScale`] image pixels per
//! base pixel, as `convert --whole-slide` does), so a nucleus at `(x, y)` lies at base pixel
//! `(left + x / scale, top + y / scale)` and at mask pixel `(base − offset) · base µm / mask µm`. Per main region class (BCSS's tumor, stroma, inflammatory,
//! necrosis, other), detection (TP, FP, FN, precision, recall, F1) and classification of the
//! pairs at the nuclei's main level (accuracy, Cohen's kappa): whether lymphocytes are agreed
//! on as well inside tumor as inside stroma. Every nucleus counts here, the ambiguous classes
//! included; nuclei centred outside the ROI, under the ignore code or in a FOV without a mask
//! are counted apart.

use crate::error::Result;
use crate::ingest::region_masks::{read_region_mask, RegionFile, RegionIndex, RegionMask};
use crate::matching::pairing::FovPairing;
use crate::matching::{match_fov, FovMatch, MatchOptions};
use crate::model::region_scheme::{CodeMeaning, RegionLevel, RegionScheme};
use crate::model::whole_slide::NameScale;
use crate::model::{AnnotationSet, ClassLevel, Fov, NuclsFovName};
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
    /// FOVs placed on a larger mask of their slide (by their name and the mask's offset).
    pub fovs_on_slide_masks: usize,
    pub placement: MaskPlacement,
}

/// How nuclei are placed on region masks.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MaskPlacement {
    /// µm per pixel of the annotations (NuCLS: 0.2).
    pub annotation_mpp: f64,
    /// µm per pixel of every mask; `None`: a BCSS name's `_MPP-`, else the annotations' (a
    /// mask named by its FOV) or the slide's base (a mask with an offset).
    pub mask_mpp: Option<f64>,
    /// FOV image pixels per slide base pixel.
    pub name_scale: NameScale,
}

impl Default for MaskPlacement {
    fn default() -> MaskPlacement {
        MaskPlacement {
            annotation_mpp: 0.2,
            mask_mpp: None,
            name_scale: NameScale::NUCLS,
        }
    }
}

impl MaskPlacement {
    /// µm per pixel of the slide's base pixels.
    pub fn base_mpp(&self) -> f64 {
        self.annotation_mpp * self.name_scale.get()
    }
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

/// What a placed nucleus is: a pair (with its main classes in A and B), or unmatched.
enum Kind {
    Pair(String, String),
    OnlyA,
    OnlyB,
}

/// A nucleus to place: its point in the FOV image's pixels and what it is.
struct Item {
    point: [f64; 2],
    kind: Kind,
}

/// Where a point falls on a mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Spot {
    /// Off the mask's raster.
    Off,
    /// On it, outside the ROI or under the ignore code.
    LeftOut,
    /// In a main region class.
    Region(usize),
}

/// Where the mask pixel `point` falls.
fn spot(mask: &RegionMask, scheme: &RegionScheme, point: [f64; 2]) -> Spot {
    let (x, y) = (point[0].floor(), point[1].floor());
    if !(x >= 0.0 && y >= 0.0 && x < f64::from(mask.width) && y < f64::from(mask.height)) {
        return Spot::Off;
    }
    match scheme.meaning(mask.codes[y as usize * mask.width as usize + x as usize]) {
        CodeMeaning::Class(raw) => Spot::Region(scheme.index(raw, RegionLevel::Main)),
        _ => Spot::LeftOut,
    }
}

/// Each FOV's nuclei placed: a region (or `None`, left out) per item; `None` for a FOV no
/// mask covers.
type Placed = Option<Vec<Option<usize>>>;

/// Matches each FOV again and counts its nuclei by region.
pub fn region_strata(
    a: &AnnotationSet,
    b: &AnnotationSet,
    matching: &MatchOptions,
    masks: &RegionIndex,
    scheme: &RegionScheme,
    placement: &MaskPlacement,
    max_pixels: u64,
) -> Result<RegionStrata> {
    let shared = FovPairing::of(&a.fov_names(), &b.fov_names()).shared;
    let main = |fov: &Fov, i: u32| -> String {
        b.hierarchy
            .name(fov.nuclei[i as usize].class.id, ClassLevel::Main)
            .to_string()
    };
    let items: Vec<(&Fov, Vec<Item>)> = shared
        .par_iter()
        .map(|&(i, j)| {
            let (fa, fb) = (&a.fovs[i], &b.fovs[j]);
            let matched: FovMatch = match_fov(fa, fb, matching);
            let centre = |fov: &Fov, i: u32| fov.nuclei[i as usize].shape.centroid();
            let mut items = Vec::new();
            for p in &matched.pairs {
                let kind = Kind::Pair(main(fa, p.a), main(fb, p.b));
                items.push(Item {
                    point: centre(fb, p.b),
                    kind,
                });
            }
            for &u in &matched.unmatched_a {
                items.push(Item {
                    point: centre(fa, u),
                    kind: Kind::OnlyA,
                });
            }
            for &u in &matched.unmatched_b {
                items.push(Item {
                    point: centre(fb, u),
                    kind: Kind::OnlyB,
                });
            }
            (fb, items)
        })
        .collect();
    // Each group of masks with the FOVs to place on it: a FOV's own mask (named by it), or
    // else the larger masks of its slide (those named with an offset), tried in name order.
    let mut slide_masks: BTreeMap<&str, Vec<&RegionFile>> = BTreeMap::new();
    for file in masks.files.iter().filter(|f| f.offset.is_some()) {
        if let Some(slide) = &file.slide {
            slide_masks.entry(slide.as_str()).or_default().push(file);
        }
    }
    let mut groups: BTreeMap<(bool, &str), MaskGroup<'_>> = BTreeMap::new();
    for (k, (fov, _)) in items.iter().enumerate() {
        if let Some(file) = masks.file(&fov.name) {
            let group = groups.entry((false, file.name.as_str())).or_default();
            group.files = vec![file];
            group.fovs.push((k, Origin::Image));
        } else if let Some(name) = NuclsFovName::parse(&fov.name) {
            if let Some((slide, files)) = slide_masks.get_key_value(name.slide.as_str()) {
                let group = groups.entry((true, slide)).or_default();
                group.files.clone_from(files);
                group.fovs.push((
                    k,
                    Origin::Slide {
                        left: name.left,
                        top: name.top,
                    },
                ));
            }
        }
    }
    let mut placed: Vec<Placed> = vec![None; items.len()];
    let group_placed = groups
        .par_iter()
        .map(|(_, group)| place_on_masks(group, &items, scheme, placement, max_pixels))
        .collect::<Result<Vec<_>>>()?;
    let mut fovs_on_slide_masks = 0;
    for (group, results) in groups.values().zip(group_placed) {
        for ((_, origin), (k, p)) in group.fovs.iter().zip(results) {
            if p.is_some() && matches!(origin, Origin::Slide { .. }) {
                fovs_on_slide_masks += 1;
            }
            placed[k] = p;
        }
    }
    let names = scheme.names(RegionLevel::Main);
    let mut by_region: BTreeMap<usize, Counts> = BTreeMap::new();
    let (mut outside_regions, mut without_mask, mut fovs_with_masks) = (0, 0, 0);
    for ((_, fov_items), regions) in items.into_iter().zip(placed) {
        let Some(regions) = regions else {
            without_mask += fov_items.len() as u64;
            continue;
        };
        fovs_with_masks += 1;
        for (item, region) in fov_items.into_iter().zip(regions) {
            let Some(region) = region else {
                outside_regions += 1;
                continue;
            };
            let entry = by_region.entry(region).or_default();
            match item.kind {
                Kind::Pair(class_a, class_b) => {
                    entry.tp += 1;
                    entry.classes_a.push(class_a);
                    entry.classes_b.push(class_b);
                }
                Kind::OnlyA => entry.fp += 1,
                Kind::OnlyB => entry.fn_ += 1,
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
        fovs_on_slide_masks,
        placement: *placement,
    })
}

/// Where a FOV's image pixels lie on a mask.
#[derive(Debug, Clone, Copy)]
enum Origin {
    /// On the mask's own grid (a mask named by the FOV).
    Image,
    /// At this corner of the slide's base pixels (a NuCLS FOV name's `left`, `top`).
    Slide { left: i64, top: i64 },
}

/// Masks tried in order, and the FOVs (by position) to place on them.
#[derive(Default)]
struct MaskGroup<'a> {
    files: Vec<&'a RegionFile>,
    fovs: Vec<(usize, Origin)>,
}

/// Places the nuclei of a group's FOVs on its masks, decoded one at a time: a nucleus takes
/// the first mask's region it falls in. A FOV on its own mask counts as covered; a FOV none of
/// whose nuclei falls on a slide mask's raster stays unplaced (without a mask).
fn place_on_masks(
    group: &MaskGroup<'_>,
    items: &[(&Fov, Vec<Item>)],
    scheme: &RegionScheme,
    placement: &MaskPlacement,
    max_pixels: u64,
) -> Result<Vec<(usize, Placed)>> {
    let scale = placement.name_scale.get();
    let mut regions: Vec<Vec<Option<usize>>> = group
        .fovs
        .iter()
        .map(|&(k, _)| vec![None; items[k].1.len()])
        .collect();
    let mut covered: Vec<bool> = group
        .fovs
        .iter()
        .map(|(_, origin)| matches!(origin, Origin::Image))
        .collect();
    for file in &group.files {
        let mask = read_region_mask(&file.path, max_pixels)?;
        let mask_mpp = placement.mask_mpp.or(file.mpp);
        for (f, &(k, origin)) in group.fovs.iter().enumerate() {
            // A FOV image pixel's place on the mask.
            let to_mask = |point: [f64; 2]| -> [f64; 2] {
                match (origin, file.offset) {
                    (Origin::Slide { left, top }, Some((x0, y0))) => {
                        let base = placement.base_mpp();
                        let factor = base / mask_mpp.unwrap_or(base);
                        [
                            (left as f64 + point[0] / scale - x0 as f64) * factor,
                            (top as f64 + point[1] / scale - y0 as f64) * factor,
                        ]
                    }
                    _ => {
                        let a = placement.annotation_mpp;
                        let factor = a / mask_mpp.unwrap_or(a);
                        [point[0] * factor, point[1] * factor]
                    }
                }
            };
            for (item, region) in items[k].1.iter().zip(regions[f].iter_mut()) {
                if region.is_some() {
                    continue;
                }
                let pixel = to_mask(item.point);
                match spot(&mask, scheme, pixel) {
                    Spot::Off => {}
                    Spot::LeftOut => covered[f] = true,
                    Spot::Region(r) => {
                        covered[f] = true;
                        *region = Some(r);
                    }
                }
            }
        }
    }
    Ok(group
        .fovs
        .iter()
        .zip(regions)
        .zip(covered)
        .map(|((&(k, _), regions), covered)| (k, covered.then_some(regions)))
        .collect())
}
