//! A synthetic H&E-like picture of a simulated FOV, so that overlays have something to draw
//! on: a pink, lightly textured stroma with purple nuclei (darker at their rim).

use super::truth::TruthNucleus;
use crate::random::Stream;

/// RGB pixels, row by row.
#[derive(Debug, Clone, PartialEq)]
pub struct RgbImage {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
}

/// Paints the truth of a FOV.
pub fn paint_fov(stream: &mut Stream, width: u32, height: u32, truth: &[TruthNucleus]) -> RgbImage {
    let (w, h) = (width as usize, height as usize);
    let mut pixels = Vec::with_capacity(w * h * 3);
    for _ in 0..w * h {
        let grain = 12.0 * stream.normal();
        let stroma = [236.0 + grain * 0.3, 176.0 + grain, 208.0 + grain * 0.6];
        pixels.extend(stroma.iter().map(|c| c.clamp(0.0, 255.0) as u8));
    }
    for nucleus in truth {
        let shade = stream.range(-25.0, 25.0);
        let core = [104.0 + shade, 58.0 + shade * 0.6, 150.0 + shade * 0.4];
        let vertices = nucleus.outline.vertices();
        if vertices.len() < 3 {
            continue;
        }
        let bbox = nucleus.outline.bounding_box();
        let centre = nucleus.outline.centroid();
        let radius = (0.5 * bbox.width().max(bbox.height())).max(1.0);
        let y0 = bbox.ymin.floor().max(0.0) as usize;
        let y1 = (bbox.ymax.ceil() as usize).min(h);
        for y in y0..y1 {
            let yc = y as f64 + 0.5;
            // Scanline fill: crossings of the outline with the row's centre line.
            let mut crossings: Vec<f64> = Vec::new();
            for i in 0..vertices.len() {
                let (a, b) = (vertices[i], vertices[(i + 1) % vertices.len()]);
                if (a[1] <= yc) != (b[1] <= yc) {
                    crossings.push(a[0] + (yc - a[1]) / (b[1] - a[1]) * (b[0] - a[0]));
                }
            }
            crossings.sort_by(f64::total_cmp);
            for span in crossings.chunks(2) {
                let [from, to] = [span[0], *span.get(1).unwrap_or(&span[0])];
                let x0 = from.round().max(0.0) as usize;
                let x1 = (to.round().max(0.0) as usize).min(w);
                for x in x0..x1 {
                    let distance =
                        ((x as f64 + 0.5 - centre[0]).powi(2) + (yc - centre[1]).powi(2)).sqrt()
                            / radius;
                    let rim = 1.0 - 0.25 * distance.min(1.0);
                    let grain = 10.0 * stream.normal();
                    let pixel = &mut pixels[(y * w + x) * 3..(y * w + x) * 3 + 3];
                    for (p, c) in pixel.iter_mut().zip(core) {
                        *p = (c * rim + grain).clamp(0.0, 255.0) as u8;
                    }
                }
            }
        }
    }
    RgbImage {
        width,
        height,
        pixels,
    }
}
