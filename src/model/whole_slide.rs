//! FOVs joined into their slides (`convert --whole-slide`): a NuCLS FOV name carries where
//! the FOV's image lies in its slide (`_left-{x}_top-{y}_…`, in the slide's base-magnification
//! pixels), so the FOVs of one slide become one slide-size "FOV" in base pixels, as a
//! whole-slide GeoJSON from QuPath or a DSA document holds it. A nucleus at `(x, y)` in the
//! FOV image (0.2 µm/px in NuCLS) goes to `(left + x / scale, top + y / scale)`, where `scale`
//! is the images' pixels per base pixel ([`NameScale`]: 1.25 for NuCLS, 0.2 µm/px images of
//! 0.25 µm/px slides). One scale for every FOV, so that a truth and a prediction set of the
//! same FOVs land on the same slide pixels.
//!
//! Each FOV keeps the nuclei centred inside its region (the FOV proper, where
//! `fov_locations.csv` gives it), as the FOV crop keeps them, so that neighbouring or
//! overlapping FOVs do not bring a nucleus twice; the regions themselves are returned in
//! slide pixels, to be written as the `--roi` file that restricts a slide comparison to the
//! annotated FOVs.
//!
//! ```
//! use nucagree::model::whole_slide::NameScale;
//! assert!(NameScale::new(1.25).is_some());
//! assert!(NameScale::new(0.0).is_none());
//! ```

use super::{AnnotationSet, BoundingBox, Fov, Measurements, Nucleus, NuclsFovName};
use crate::error::{Error, Location, Problem, Result};
use serde::Serialize;
use std::collections::BTreeMap;

/// FOV image pixels per slide base pixel, as NuCLS's images relate to its names.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NameScale(f64);

impl NameScale {
    /// NuCLS: images at 0.2 µm/px of slides scanned at 0.25 µm/px (40x).
    pub const NUCLS: NameScale = NameScale(1.25);

    /// A finite, positive scale; `None` otherwise.
    pub fn new(scale: f64) -> Option<NameScale> {
        (scale.is_finite() && scale > 0.0).then_some(NameScale(scale))
    }

    pub fn get(self) -> f64 {
        self.0
    }
}

impl Default for NameScale {
    fn default() -> NameScale {
        NameScale::NUCLS
    }
}

/// A FOV's region in its slide's base pixels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlideRegion {
    pub slide: String,
    pub fov: String,
    pub region: BoundingBox,
}

/// A set whose FOVs are its slides, and what joining them did.
#[derive(Debug, Clone)]
pub struct JoinedSlides {
    pub set: AnnotationSet,
    /// Every FOV's region (or, without one, its image's or its name's extent), by slide.
    pub regions: Vec<SlideRegion>,
    /// Nuclei centred outside their FOV's region, left out.
    pub left_out: usize,
    /// Pairs of FOVs of one slide whose regions overlap (their shared nuclei appear twice).
    pub overlapping_fovs: usize,
}

/// Joins the FOVs of `set` into slides; an error names a FOV whose name does not place it.
pub fn join_slides(set: &AnnotationSet, scale: NameScale) -> Result<JoinedSlides> {
    let scale = scale.get();
    let mut slides: BTreeMap<String, Vec<(&Fov, NuclsFovName)>> = BTreeMap::new();
    for fov in &set.fovs {
        let Some(name) = NuclsFovName::parse(&fov.name) else {
            return Err(Error::input(
                Location::file(&fov.source),
                Problem::Invalid {
                    message: format!(
                        "FOV {:?}: expected a NuCLS FOV name ({{slide}}_id-{{hex}}_left-{{x}}_top-{{y}}_bottom-{{y}}_right-{{x}}) to place it in its slide",
                        fov.name
                    ),
                },
            ));
        };
        slides
            .entry(name.slide.clone())
            .or_default()
            .push((fov, name));
    }
    let mut regions = Vec::new();
    let mut left_out = 0;
    let mut overlapping_fovs = 0;
    let mut fovs = Vec::with_capacity(slides.len());
    for (slide, members) in slides {
        let mut nuclei: Vec<Nucleus> = Vec::new();
        let mut measurements = Measurements::default();
        let first = members[0].0;
        let start = regions.len();
        for (fov, name) in &members {
            let (left, top) = (name.left as f64, name.top as f64);
            let to_slide = |v: [f64; 2]| [left + v[0] / scale, top + v[1] / scale];
            let extent = fov.region.unwrap_or_else(|| match fov.image_size {
                Some((w, h)) => BoundingBox {
                    xmin: 0.0,
                    ymin: 0.0,
                    xmax: f64::from(w),
                    ymax: f64::from(h),
                },
                None => BoundingBox {
                    xmin: 0.0,
                    ymin: 0.0,
                    xmax: (name.right - name.left) as f64 * scale,
                    ymax: (name.bottom - name.top) as f64 * scale,
                },
            });
            for nucleus in &fov.nuclei {
                if fov
                    .region
                    .is_some_and(|r| !r.contains(nucleus.shape.centroid()))
                {
                    left_out += 1;
                    continue;
                }
                let row = nuclei.len() as u32 + 1;
                if let Some(kept) = &fov.measurements {
                    let values = kept.of_row(nucleus.row);
                    measurements.insert(
                        row,
                        values
                            .into_iter()
                            .map(|(name, v)| (name.to_string(), Some(v)))
                            .collect(),
                    );
                }
                let shape = nucleus.shape.mapped(to_slide);
                nuclei.push(Nucleus::new(row, shape, nucleus.class, nucleus.score));
            }
            let (low, high) = (
                to_slide([extent.xmin, extent.ymin]),
                to_slide([extent.xmax, extent.ymax]),
            );
            regions.push(SlideRegion {
                slide: slide.clone(),
                fov: fov.name.clone(),
                region: BoundingBox {
                    xmin: low[0],
                    ymin: low[1],
                    xmax: high[0],
                    ymax: high[1],
                },
            });
        }
        let placed = &regions[start..];
        for (i, a) in placed.iter().enumerate() {
            overlapping_fovs += placed[i + 1..]
                .iter()
                .filter(|b| {
                    a.region.xmin < b.region.xmax
                        && b.region.xmin < a.region.xmax
                        && a.region.ymin < b.region.ymax
                        && b.region.ymin < a.region.ymax
                })
                .count();
        }
        fovs.push(Fov {
            name: slide.clone(),
            source: first.source.clone(),
            slide: Some(slide),
            hospital: first.hospital.clone(),
            region: None,
            image_size: None,
            test_fold: first.test_fold,
            group: first.group.clone(),
            label_map: None,
            measurements: (!measurements.is_empty()).then(|| std::sync::Arc::new(measurements)),
            nuclei,
        });
    }
    Ok(JoinedSlides {
        set: AnnotationSet {
            name: set.name.clone(),
            root: set.root.clone(),
            layout: set.layout,
            format: set.format,
            hierarchy: set.hierarchy.clone(),
            fovs,
            folds: set.folds.clone(),
            quality: set.quality.clone(),
        },
        regions,
        left_out,
        overlapping_fovs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ClassHierarchy, Shape};
    use std::sync::Arc;

    fn fov(name: &str, region: Option<BoundingBox>, boxes: &[[f64; 4]]) -> Fov {
        let hierarchy = ClassHierarchy::nucls();
        let tumor = hierarchy.resolve("tumor").unwrap();
        Fov {
            name: name.into(),
            source: format!("{name}.csv").into(),
            slide: None,
            hospital: None,
            region,
            image_size: None,
            test_fold: Some(2),
            group: None,
            label_map: None,
            measurements: None,
            nuclei: boxes
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    let shape = Shape::Box(BoundingBox {
                        xmin: b[0],
                        ymin: b[1],
                        xmax: b[2],
                        ymax: b[3],
                    });
                    Nucleus::new(i as u32 + 2, shape, tumor, None)
                })
                .collect(),
        }
    }

    #[test]
    fn fovs_land_in_their_slide_at_the_name_offset() {
        let hierarchy = Arc::new(ClassHierarchy::nucls());
        let region = BoundingBox {
            xmin: 10.0,
            ymin: 10.0,
            xmax: 110.0,
            ymax: 110.0,
        };
        let set = AnnotationSet {
            fovs: vec![
                fov(
                    "S1_id-aa_left-1000_top-2000_bottom-2100_right-1100",
                    Some(region),
                    // The second is centred outside the region: left out.
                    &[[20.0, 20.0, 30.0, 40.0], [0.0, 0.0, 8.0, 8.0]],
                ),
                fov(
                    "S1_id-bb_left-1050_top-2000_bottom-2100_right-1150",
                    Some(region),
                    &[[50.0, 50.0, 60.0, 60.0]],
                ),
                fov(
                    "S2_id-cc_left-0_top-0_bottom-80_right-80",
                    None,
                    &[[0.0, 0.0, 5.0, 5.0]],
                ),
            ],
            name: "set".into(),
            root: "set".into(),
            layout: crate::model::SetLayout::CsvFolder,
            format: crate::ingest::fov_csv_format(),
            hierarchy,
            folds: Default::default(),
            quality: Default::default(),
        };
        let joined = join_slides(&set, NameScale::new(2.0).unwrap()).unwrap();
        let names: Vec<&str> = joined.set.fov_names();
        assert_eq!(names, ["S1", "S2"]);
        let s1 = &joined.set.fovs[0];
        assert_eq!(s1.nuclei.len(), 2);
        assert_eq!(s1.test_fold, Some(2));
        assert_eq!(
            s1.nuclei[0].bbox,
            BoundingBox {
                xmin: 1010.0,
                ymin: 2010.0,
                xmax: 1015.0,
                ymax: 2020.0
            }
        );
        assert_eq!(s1.nuclei[1].bbox.xmin, 1050.0 + 25.0);
        assert_eq!((s1.nuclei[0].row, s1.nuclei[1].row), (1, 2));
        assert_eq!(joined.left_out, 1);
        // Regions [1005, 1055] and [1055, 1105] touch without overlapping.
        assert_eq!(joined.overlapping_fovs, 0);
        assert_eq!(joined.regions[0].region.xmax, 1055.0);
        // Without a region: every nucleus, and the name's extent as the region.
        assert_eq!(joined.set.fovs[1].nuclei.len(), 1);
        assert_eq!(joined.regions[2].region.xmax, 80.0);
        let unnamed = AnnotationSet {
            fovs: vec![fov("plain", None, &[])],
            ..set.clone()
        };
        let error = join_slides(&unnamed, NameScale::NUCLS)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("plain.csv") && error.contains("NuCLS FOV name"),
            "{error}"
        );
    }
}
