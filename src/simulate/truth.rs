//! Simulated truth: FOVs with NuCLS geometry and nuclei with class-specific shapes,
//! clustered as in tissue.
//!
//! A FOV is an image of 300-450 px a side with the FOV region inside a margin; nuclei that
//! cross the region's border are kept whole. Nuclei are star-shaped polygons of 10-40 vertices
//! (lymphocytes small and round, tumor nuclei large and pleomorphic, fibroblasts elongated),
//! placed around a few cluster centres per class group (tumor nests, lymphocyte aggregates,
//! stromal bands) and kept from overlapping more than slightly.

use crate::model::{BoundingBox, ClassHierarchy, ClassId, ClassLevel, Shape, ShapeKind};
use crate::random::Stream;

/// The raw-class mix of the corrected NuCLS set (its README's counts, correction_ rows folded
/// into their classes).
pub const NUCLS_CLASS_MIX: [(&str, f64); 13] = [
    ("tumor", 21_067.0),
    ("mitotic_figure", 229.0),
    ("fibroblast", 8_620.0),
    ("vascular_endothelium", 512.0),
    ("macrophage", 1_354.0),
    ("lymphocyte", 13_630.0),
    ("plasma_cell", 5_562.0),
    ("neutrophil", 45.0),
    ("eosinophil", 3.0),
    ("myoepithelium", 54.0),
    ("ductal_epithelium", 498.0),
    ("apoptotic_body", 396.0),
    ("unlabeled", 7_515.0),
];

/// One true nucleus: its real outline, its class, and how the reference set draws it.
#[derive(Debug, Clone, PartialEq)]
pub struct TruthNucleus {
    /// The true outline (a polygon, or a box or point when the truth came from such a set).
    pub outline: Shape,
    pub class: ClassId,
    /// How the corrected set draws it: about two thirds as rectangles, as in NuCLS.
    pub drawn: ShapeKind,
}

impl TruthNucleus {
    /// The shape as the reference set draws it.
    pub fn drawn_shape(&self) -> Shape {
        match (self.drawn, &self.outline) {
            (ShapeKind::Box, Shape::Polygon(_)) => Shape::Box(self.outline.bounding_box()),
            _ => self.outline.clone(),
        }
    }
}

/// Size and shape of a class's nuclei: semi-major axis range (px at 0.2 µm/px), minor/major
/// ratio range, and boundary irregularity.
#[derive(Debug, Clone, Copy)]
struct Morphology {
    major: (f64, f64),
    ratio: (f64, f64),
    irregularity: f64,
}

fn morphology(class: &str) -> Morphology {
    let m = |major, ratio, irregularity| Morphology {
        major,
        ratio,
        irregularity,
    };
    match class {
        "tumor" => m((20.0, 38.0), (0.65, 0.95), 0.10),
        "mitotic_figure" => m((14.0, 24.0), (0.5, 0.9), 0.18),
        "fibroblast" => m((22.0, 34.0), (0.25, 0.4), 0.05),
        "vascular_endothelium" => m((18.0, 28.0), (0.3, 0.45), 0.05),
        "macrophage" => m((14.0, 22.0), (0.7, 0.95), 0.10),
        "lymphocyte" => m((10.0, 14.0), (0.85, 1.0), 0.04),
        "plasma_cell" => m((11.0, 15.0), (0.7, 0.9), 0.05),
        "neutrophil" => m((10.0, 13.0), (0.8, 1.0), 0.18),
        "eosinophil" => m((10.0, 14.0), (0.75, 0.95), 0.10),
        "myoepithelium" => m((16.0, 24.0), (0.35, 0.5), 0.06),
        "ductal_epithelium" => m((14.0, 22.0), (0.7, 0.9), 0.06),
        "apoptotic_body" => m((6.0, 10.0), (0.8, 1.0), 0.08),
        _ => m((10.0, 26.0), (0.5, 1.0), 0.10),
    }
}

/// Which cluster family a class belongs to.
fn cluster_group(class: &str) -> usize {
    match class {
        "tumor" | "mitotic_figure" | "ductal_epithelium" | "myoepithelium" => 0,
        "lymphocyte" | "plasma_cell" | "neutrophil" | "eosinophil" => 1,
        "fibroblast" | "vascular_endothelium" | "macrophage" => 2,
        _ => 3,
    }
}

/// A random star-shaped outline around `center` for a nucleus of class `class`.
pub fn nucleus_outline(stream: &mut Stream, class: &str, center: [f64; 2]) -> Vec<[f64; 2]> {
    let m = morphology(class);
    let a = stream.range(m.major.0, m.major.1);
    let b = a * stream.range(m.ratio.0, m.ratio.1);
    let rotation = stream.range(0.0, std::f64::consts::PI);
    let vertices = (10.0 + 30.0 * ((a - 8.0) / 32.0)).round().clamp(10.0, 40.0) as usize;
    // Low-frequency harmonics make the outline irregular but keep it star-shaped.
    let harmonics: Vec<(f64, f64)> = (2..=4)
        .map(|_| {
            (
                m.irregularity * stream.normal() / 2.0,
                stream.range(0.0, std::f64::consts::TAU),
            )
        })
        .collect();
    let (sin_r, cos_r) = rotation.sin_cos();
    (0..vertices)
        .map(|i| {
            let t = std::f64::consts::TAU * i as f64 / vertices as f64;
            let mut radius = 1.0 + 0.3 * m.irregularity * stream.normal();
            for (k, (amplitude, phase)) in harmonics.iter().enumerate() {
                radius += amplitude * ((k as f64 + 2.0) * t + phase).cos();
            }
            let radius = radius.clamp(0.55, 1.45);
            let (x, y) = (a * radius * t.cos(), b * radius * t.sin());
            [
                center[0] + x * cos_r - y * sin_r,
                center[1] + x * sin_r + y * cos_r,
            ]
        })
        .collect()
}

/// Where and how big a FOV is.
#[derive(Debug, Clone, PartialEq)]
pub struct FovGeometry {
    pub width: u32,
    pub height: u32,
    pub region: BoundingBox,
}

/// Draws a FOV's image size and region.
pub fn fov_geometry(stream: &mut Stream) -> FovGeometry {
    let width = stream.range(300.0, 451.0).floor() as u32;
    let height = stream.range(300.0, 451.0).floor() as u32;
    let margin = |s: &mut Stream| s.range(8.0, 40.0).round();
    let region = BoundingBox {
        xmin: margin(stream),
        ymin: margin(stream),
        xmax: f64::from(width) - margin(stream),
        ymax: f64::from(height) - margin(stream),
    };
    FovGeometry {
        width,
        height,
        region,
    }
}

/// Draws the true nuclei of one FOV: about `mean_nuclei` of them, classes from `mix`
/// (weights by raw class index, perturbed per FOV), `box_fraction` of them drawn as boxes.
pub fn truth_nuclei(
    stream: &mut Stream,
    hierarchy: &ClassHierarchy,
    mix: &[f64],
    geometry: &FovGeometry,
    mean_nuclei: f64,
    box_fraction: f64,
) -> Vec<TruthNucleus> {
    let weights: Vec<f64> = mix
        .iter()
        .map(|w| w * (0.6 * stream.normal()).exp())
        .collect();
    let count = ((mean_nuclei * (0.5 * stream.normal()).exp()).round() as usize).clamp(3, 260);
    let (w, h) = (f64::from(geometry.width), f64::from(geometry.height));
    let centres: Vec<Vec<[f64; 2]>> = (0..4)
        .map(|_| {
            let n = 1 + stream.below(3);
            (0..n)
                .map(|_| {
                    [
                        stream.range(0.1 * w, 0.9 * w),
                        stream.range(0.1 * h, 0.9 * h),
                    ]
                })
                .collect()
        })
        .collect();
    let mut nuclei: Vec<TruthNucleus> = Vec::with_capacity(count);
    let mut discs: Vec<([f64; 2], f64)> = Vec::with_capacity(count);
    for _ in 0..count {
        let class = ClassId(stream.weighted(&weights) as u16);
        let name = hierarchy.name(class, ClassLevel::Raw);
        let group = &centres[cluster_group(name)];
        for attempt in 0..40 {
            let center = if attempt < 30 {
                let c = group[stream.below(group.len())];
                [c[0] + 55.0 * stream.normal(), c[1] + 55.0 * stream.normal()]
            } else {
                [stream.range(0.0, w), stream.range(0.0, h)]
            };
            let outline = nucleus_outline(stream, name, center);
            let Some(bbox) = BoundingBox::around(&outline) else {
                continue;
            };
            if bbox.xmin < 0.0 || bbox.ymin < 0.0 || bbox.xmax > w || bbox.ymax > h {
                continue;
            }
            // Nuclei may touch, but barely: discs of 85% of the half-diagonal stay apart.
            let radius = 0.5 * bbox.width().min(bbox.height());
            let c = bbox.center();
            let clear = discs.iter().all(|(other, r)| {
                let d = ((c[0] - other[0]).powi(2) + (c[1] - other[1]).powi(2)).sqrt();
                d >= 0.95 * (radius + r)
            });
            if !clear {
                continue;
            }
            // The region must hold the nucleus's centre, or the border cross it.
            if bbox.xmax < geometry.region.xmin - 20.0
                || bbox.xmin > geometry.region.xmax + 20.0
                || bbox.ymax < geometry.region.ymin - 20.0
                || bbox.ymin > geometry.region.ymax + 20.0
            {
                continue;
            }
            let outline = outline
                .iter()
                .map(|v| [round_tenth(v[0]), round_tenth(v[1])])
                .collect();
            let Ok((shape, _)) = Shape::polygon(outline) else {
                continue;
            };
            let drawn = if stream.chance(box_fraction) {
                ShapeKind::Box
            } else {
                ShapeKind::Polygon
            };
            discs.push((c, radius));
            nuclei.push(TruthNucleus {
                outline: shape,
                class,
                drawn,
            });
            break;
        }
    }
    nuclei
}

/// Rounds to a tenth of a pixel, as written to CSV.
pub fn round_tenth(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}
