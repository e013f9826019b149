//! Tissue-region masks for simulated FOVs (`simulate --sets regions`), the BCSS side of the
//! simulated study: each pixel of the FOV region takes the region of the nearest true nucleus
//! within a reach (tumor nests, lymphocytic infiltrates, stroma, …, in BCSS's codes), stroma
//! beyond it, and `outside_roi` outside the FOV region. The reference annotator reaches 36 px;
//! a second annotator (a model) reaches 30 px and calls one nucleus's neighbourhood in ten
//! another region. Drawn from a random stream of its own, so that every other simulated file
//! is the same with or without the masks.
//!
//! ```
//! use nucagree::simulate::regions::region_code;
//! assert_eq!(region_code("tumor"), 1);
//! assert_eq!(region_code("fibroblast"), 2);
//! assert_eq!(region_code("lymphocyte"), 3);
//! ```

use super::truth::TruthNucleus;
use super::FovPlan;
use crate::model::{ClassHierarchy, ClassLevel};
use crate::random::Stream;

/// BCSS's code of the region a nucleus of raw class `class` lies in.
pub fn region_code(class: &str) -> u8 {
    match class {
        "tumor" | "mitotic_figure" | "apoptotic_body" => 1,
        "lymphocyte" => 3,
        "plasma_cell" => 10,
        "macrophage" | "neutrophil" | "eosinophil" => 11,
        "vascular_endothelium" => 18,
        "ductal_epithelium" | "myoepithelium" => 13,
        _ => 2,
    }
}

/// BCSS's `outside_roi` and `stroma` codes.
const OUTSIDE: u8 = 0;
const STROMA: u8 = 2;
/// The codes another region is drawn from when the second annotator miscalls one.
const MISCALLS: [u8; 5] = [1, 2, 3, 4, 9];

/// The reference and the second annotator's masks of a FOV (width, height and codes row by
/// row); `None` when the FOV's image size is unknown.
pub fn region_masks(
    plan: &FovPlan,
    truth: &[TruthNucleus],
    hierarchy: &ClassHierarchy,
    seed: u64,
) -> Option<(u32, u32, Vec<u8>, Vec<u8>)> {
    let (width, height) = plan.image_size?;
    let mut stream = Stream::new(seed, "regions", plan.index as u64);
    let nuclei: Vec<([f64; 2], u8, u8)> = truth
        .iter()
        .map(|n| {
            let code = region_code(hierarchy.name(n.class, ClassLevel::Raw));
            let called = if stream.chance(0.1) {
                MISCALLS[stream.below(MISCALLS.len())]
            } else {
                code
            };
            (n.outline.centroid(), code, called)
        })
        .collect();
    let paint = |reach: f64, second: bool| -> Vec<u8> {
        let mut codes = vec![OUTSIDE; width as usize * height as usize];
        for y in 0..height {
            for x in 0..width {
                let centre = [f64::from(x) + 0.5, f64::from(y) + 0.5];
                if !plan.region.contains(centre) {
                    continue;
                }
                let mut best = (reach * reach, STROMA);
                for &(c, code, called) in &nuclei {
                    let d = (c[0] - centre[0]).powi(2) + (c[1] - centre[1]).powi(2);
                    if d < best.0 {
                        best = (d, if second { called } else { code });
                    }
                }
                codes[y as usize * width as usize + x as usize] = best.1;
            }
        }
        codes
    };
    Some((width, height, paint(36.0, false), paint(30.0, true)))
}
