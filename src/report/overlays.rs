//! Overlays of where two sets disagree most: for `compare` and `score`, each FOV's
//! outlines, matched pairs, misses, false positives and numbered class disagreements; for
//! `regions`, each ROI's cells darkened by the share of their pixels whose classes differ.

use crate::matching::table::{FovMatchRows, MatchRow, MatchStatus};
use crate::model::{AnnotationSet, BoundingBox, ClassLevel};
use crate::plots::{
    category_rgb, Overlay, OverlayNames, OverlayShape, OverlayStatus, RasterOverlay,
};
use crate::regions::overlay::RoiDisagreement;
use std::collections::HashMap;

/// Overlays of the `count` FOVs with the most disagreement (misses, false positives and
/// class disagreements at `level`), most first; the sets called by `names` in the legend.
/// Each class disagreement is numbered, and keyed as "reference's class → other's class".
pub fn overlays(
    a: &AnnotationSet,
    b: &AnnotationSet,
    matches: &[FovMatchRows],
    level: ClassLevel,
    count: usize,
    image_of: &dyn Fn(&str) -> Option<crate::plots::RgbImage>,
    names: &OverlayNames,
) -> Vec<Overlay> {
    let hierarchy = &b.hierarchy;
    let differs = |row: &MatchRow| match (row.a, row.b) {
        (Some(x), Some(y)) => hierarchy.index(x.class, level) != hierarchy.index(y.class, level),
        _ => false,
    };
    let mut ranked: Vec<(usize, &FovMatchRows)> = matches
        .iter()
        .map(|entry| {
            let disagreements = entry
                .rows
                .iter()
                .filter(|r| {
                    matches!(r.status, MatchStatus::UnmatchedA | MatchStatus::UnmatchedB)
                        || (r.status == MatchStatus::Matched && differs(r))
                })
                .count();
            (disagreements, entry)
        })
        .filter(|(d, _)| *d > 0)
        .collect();
    ranked.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.fov.cmp(&y.1.fov)));
    ranked
        .into_iter()
        .take(count)
        .filter_map(
            |(
                disagreements,
                FovMatchRows {
                    fov: fov_name,
                    rows,
                    ..
                },
            )| {
                let (fa, fb) = (a.fov(fov_name)?, b.fov(fov_name)?);
                let index = |fov: &crate::model::Fov| -> HashMap<u32, usize> {
                    fov.nuclei
                        .iter()
                        .enumerate()
                        .map(|(i, n)| (n.row, i))
                        .collect()
                };
                let (ia, ib) = (index(fa), index(fb));
                let mut shapes = Vec::new();
                let mut key = Vec::new();
                let mut add = |fov: &crate::model::Fov,
                               map: &HashMap<u32, usize>,
                               row: u32,
                               from_a: bool,
                               status,
                               number| {
                    if let Some(&i) = map.get(&row) {
                        shapes.push(OverlayShape {
                            outline: fov.nuclei[i].shape.vertices(),
                            from_a,
                            status,
                            number,
                        });
                    }
                };
                for row in rows {
                    match row.status {
                        MatchStatus::Matched => {
                            let (status, number) = match (differs(row), row.a, row.b) {
                                (true, Some(x), Some(y)) => {
                                    key.push(format!(
                                        "{}: {} → {}",
                                        key.len() + 1,
                                        hierarchy.name(y.class, level),
                                        hierarchy.name(x.class, level)
                                    ));
                                    (OverlayStatus::ClassDisagrees, Some(key.len()))
                                }
                                _ => (OverlayStatus::Matched, None),
                            };
                            if let Some(n) = row.b {
                                add(fb, &ib, n.row, false, status, number);
                            }
                            if let Some(n) = row.a {
                                add(fa, &ia, n.row, true, status, number);
                            }
                        }
                        MatchStatus::UnmatchedA => {
                            if let Some(n) = row.a {
                                add(fa, &ia, n.row, true, OverlayStatus::Extra, None);
                            }
                        }
                        MatchStatus::UnmatchedB => {
                            if let Some(n) = row.b {
                                add(fb, &ib, n.row, false, OverlayStatus::Missed, None);
                            }
                        }
                        MatchStatus::CroppedA | MatchStatus::CroppedB => {}
                    }
                }
                let image = image_of(fov_name);
                let mut extent = fb
                    .nuclei
                    .iter()
                    .chain(&fa.nuclei)
                    .map(|n| n.bbox)
                    .chain(fb.region)
                    .reduce(|x, y| BoundingBox {
                        xmin: x.xmin.min(y.xmin),
                        ymin: x.ymin.min(y.ymin),
                        xmax: x.xmax.max(y.xmax),
                        ymax: x.ymax.max(y.ymax),
                    })?;
                if let Some((w, h, _)) = &image {
                    extent = BoundingBox {
                        xmin: 0.0,
                        ymin: 0.0,
                        xmax: f64::from(*w),
                        ymax: f64::from(*h),
                    };
                }
                if !key.is_empty() {
                    key.insert(
                        0,
                        format!(
                            "Class disagreements, {} class → {} class:",
                            names.reference, names.other
                        ),
                    );
                }
                Some(Overlay {
                    title: format!("{} ({disagreements} disagreements)", short_name(fov_name)),
                    names: names.clone(),
                    key,
                    extent,
                    image,
                    region: fb.region,
                    shapes,
                })
            },
        )
        .collect()
}

/// A NuCLS FOV name shortened for a title: the slide and the FOV's corner in the slide (the
/// id is the slide's, shared by its FOVs).
fn short_name(name: &str) -> String {
    let field = |key: &str| {
        name.split('_')
            .find_map(|part| part.strip_prefix(key))
            .map(str::to_string)
    };
    match (name.split_once("_id-"), field("left-"), field("top-")) {
        (Some((slide, _)), Some(left), Some(top)) => format!("{slide}, left {left}, top {top}"),
        _ => name.to_string(),
    }
}

/// `from` moved toward `to` by `t` (0 to 1).
fn blend(from: [u8; 3], to: [u8; 3], t: f64) -> [u8; 3] {
    let t = t.clamp(0.0, 1.0);
    let channel =
        |i: usize| (f64::from(from[i]) + (f64::from(to[i]) - f64::from(from[i])) * t).round() as u8;
    [channel(0), channel(1), channel(2)]
}

const WHITE: [u8; 3] = [255, 255, 255];
const LEFT_OUT: [u8; 3] = [190, 190, 190];
const DIFFER: [u8; 3] = [0, 0, 0];

/// An ROI's disagreement drawn: the image (faded), or else the reference's main classes
/// (faded), darkened by the share of each cell's pixels whose main classes differ; pixels
/// left out grey.
pub(super) fn disagreement_chart(d: &RoiDisagreement) -> RasterOverlay {
    // Okabe-Ito without sky blue early (faded, it is hard to tell from blue).
    const ORDER: [usize; 8] = [0, 1, 2, 3, 6, 4, 5, 7];
    let class_colour = |c: usize| blend(category_rgb(ORDER[c % ORDER.len()]), WHITE, 0.45);
    let cells = (0..d.disagreement.len())
        .map(|cell| {
            let background = match (&d.image, d.reference[cell]) {
                (Some(image), _) => blend(image[cell], WHITE, 0.4),
                (None, Some(class)) => class_colour(class),
                (None, None) => LEFT_OUT,
            };
            match d.disagreement[cell] {
                Some(share) => blend(background, DIFFER, 0.85 * share),
                None => blend(background, LEFT_OUT, 0.8),
            }
        })
        .collect();
    let mut legend: Vec<([u8; 3], String)> = Vec::new();
    if d.image.is_none() {
        let mut shown: Vec<usize> = d.reference.iter().flatten().copied().collect();
        shown.sort_unstable();
        shown.dedup();
        legend.extend(
            shown
                .into_iter()
                .map(|c| (class_colour(c), format!("reference: {}", d.classes[c]))),
        );
    }
    legend.push((blend(WHITE, DIFFER, 0.85), "main classes differ".into()));
    legend.push((LEFT_OUT, "left out (outside a ROI, or ignored)".into()));
    // The full name goes into the caption; the title keeps to the figure's width.
    let name: String = if d.roi.chars().count() > 44 {
        d.roi.chars().take(43).chain(std::iter::once('…')).collect()
    } else {
        d.roi.clone()
    };
    RasterOverlay {
        title: format!(
            "{name}: {} of pixels agree",
            d.accuracy
                .map_or("—".to_string(), |a| format!("{:.1}%", 100.0 * a))
        ),
        width: d.width,
        height: d.height,
        scale: d.scale,
        columns: d.columns,
        rows: d.rows,
        cells,
        legend,
        note: format!(
            "one cell per {0} × {0} px; darker: a larger share of the cell's pixels differ{1}",
            d.scale,
            if d.image.is_some() {
                "; the ROI image beneath"
            } else {
                ""
            }
        ),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fov_names_shorten_to_slide_and_corner() {
        assert_eq!(
            super::short_name("TCGA-D8-A1JL-DX1_id-5ea40a9bddda5f839899203f_left-49227_top-31471_bottom-31757_right-49511"),
            "TCGA-D8-A1JL-DX1, left 49227, top 31471"
        );
        assert_eq!(super::short_name("fov_a"), "fov_a");
    }
}
