//! Writing annotation sets in the NuCLS layout: one CSV per FOV with the release's columns,
//! `fov_locations.csv`, and `train_test_splits/fold_{k}_{train,test}.csv`.

use super::files::{write_atomic, write_streamed};
use crate::error::Result;
use crate::model::{
    AnnotationSet, BoundingBox, ClassHierarchy, ClassLevel, FoldSplit, Nucleus, Shape,
    CORRECTION_PREFIX,
};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

/// The NuCLS release's header (the first, unnamed column is a row index).
pub const NUCLS_HEADER: &str =
    ",raw_classification,main_classification,super_classification,type,xmin,ymin,xmax,ymax,coords_x,coords_y";

/// A coordinate or score as written: the shortest text that reads back to the same value.
pub fn format_number(value: f64) -> String {
    if value == 0.0 {
        "0".into()
    } else {
        format!("{value}")
    }
}

/// The CSV text of one FOV's nuclei, with a `score` column when `with_scores`.
pub fn fov_csv(nuclei: &[Nucleus], hierarchy: &ClassHierarchy, with_scores: bool) -> String {
    let mut out = String::with_capacity(64 + nuclei.len() * 120);
    out.push_str(NUCLS_HEADER);
    out.push_str(if with_scores { ",score\n" } else { "\n" });
    for (index, nucleus) in nuclei.iter().enumerate() {
        let id = nucleus.class.id;
        let prefix = if nucleus.class.correction {
            crate::model::CORRECTION_PREFIX
        } else {
            ""
        };
        let (kind, ring) = match &nucleus.shape {
            Shape::Box(b) => {
                let mut corners = b.corners().to_vec();
                corners.push(corners[0]);
                ("rectangle", corners)
            }
            Shape::Polygon(_) | Shape::Pieces(_) => ("polyline", closed_ring(&nucleus.shape)),
            Shape::Point(p) => ("point", vec![*p]),
        };
        let join = |axis: usize| {
            ring.iter()
                .map(|v| format_number(v[axis]))
                .collect::<Vec<_>>()
                .join(",")
        };
        let quote = |text: String| {
            if ring.len() > 1 {
                format!("\"{text}\"")
            } else {
                text
            }
        };
        let b = nucleus.bbox;
        write!(
            out,
            "{index},{prefix}{},{},{},{kind},{},{},{},{},{},{}",
            hierarchy.name(id, ClassLevel::Raw),
            hierarchy.name(id, ClassLevel::Main),
            hierarchy.name(id, ClassLevel::Super),
            format_number(b.xmin),
            format_number(b.ymin),
            format_number(b.xmax),
            format_number(b.ymax),
            quote(join(0)),
            quote(join(1)),
        )
        .unwrap();
        if with_scores {
            out.push(',');
            if let Some(score) = nucleus.score {
                out.push_str(&format_number(score));
            }
        }
        out.push('\n');
    }
    out
}

/// One row of `fov_locations.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct FovLocationRow<'a> {
    pub fov: &'a str,
    pub slide: &'a str,
    pub hospital: &'a str,
    pub region: BoundingBox,
}

impl<'a> FovLocationRow<'a> {
    /// The row of a FOV, where its region is known.
    pub fn of(
        fov: &'a str,
        slide: Option<&'a str>,
        hospital: Option<&'a str>,
        region: Option<BoundingBox>,
    ) -> Option<FovLocationRow<'a>> {
        Some(FovLocationRow {
            fov,
            slide: slide.unwrap_or(""),
            hospital: hospital.unwrap_or(""),
            region: region?,
        })
    }
}

/// Writes `fov_locations.csv` through a buffered temporary file: `rows` hands each row to
/// the function it is given, so any number of rows is written in constant memory.
pub fn write_fov_locations(
    path: &Path,
    rows: impl FnOnce(&mut dyn FnMut(&FovLocationRow<'_>) -> std::io::Result<()>) -> std::io::Result<()>,
) -> Result<()> {
    use std::io::Write as _;
    write_streamed(path, |out| {
        out.write_all(b"fovname,slide_name,hospital,xmin,ymin,xmax,ymax\n")?;
        rows(&mut |row| {
            let r = row.region;
            writeln!(
                out,
                "{},{},{},{},{},{},{}",
                row.fov,
                row.slide,
                row.hospital,
                format_number(r.xmin),
                format_number(r.ymin),
                format_number(r.xmax),
                format_number(r.ymax)
            )
        })
    })
}

/// Writes `fold_{k}_{train,test}.csv` into `dir` (which must exist); `hospital_of` names each
/// slide's hospital.
pub fn write_splits(
    dir: &Path,
    folds: &BTreeMap<u32, FoldSplit>,
    hospital_of: impl Fn(&str) -> String,
) -> Result<()> {
    for (fold, split) in folds {
        for (part, slides) in [("train", &split.train), ("test", &split.test)] {
            let mut out = String::from(",slide_name,hospital,type,fold\n");
            for (i, slide) in slides.iter().enumerate() {
                writeln!(out, "{i},{slide},{},{part},{fold}", hospital_of(slide)).unwrap();
            }
            write_atomic(&dir.join(format!("fold_{fold}_{part}.csv")), out.as_bytes())?;
        }
    }
    Ok(())
}

/// The raw class name as written, with its `correction_` prefix.
pub fn class_label(set: &AnnotationSet, nucleus: &Nucleus) -> String {
    let name = set.hierarchy.name(nucleus.class.id, ClassLevel::Raw);
    if nucleus.class.correction {
        format!("{CORRECTION_PREFIX}{name}")
    } else {
        name.to_string()
    }
}

/// The NuCLS `type` of a shape.
pub(crate) fn shape_type(shape: &Shape) -> &'static str {
    match shape {
        Shape::Box(_) => "rectangle",
        Shape::Polygon(_) | Shape::Pieces(_) => "polyline",
        Shape::Point(_) => "point",
    }
}

/// A closed ring of the shape's outline (of pieces, the largest piece's outer ring: a format
/// of one ring a nucleus holds no more; see [`super::set::one_ring_outlines`]).
pub(crate) fn closed_ring(shape: &Shape) -> Vec<[f64; 2]> {
    let mut ring = shape.vertices();
    if let Some(&first) = ring.first() {
        ring.push(first);
    }
    ring
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{parse_fov_csv, Strictness};
    use crate::model::RawClass;

    #[test]
    fn written_csv_reads_back_to_the_same_nuclei() {
        let hierarchy = ClassHierarchy::nucls();
        let class = |name: &str, correction| RawClass {
            id: hierarchy.resolve(name).unwrap().id,
            correction,
        };
        let nuclei = vec![
            Nucleus::new(
                2,
                Shape::rectangle(BoundingBox {
                    xmin: 0.5,
                    ymin: 1.0,
                    xmax: 10.0,
                    ymax: 12.25,
                })
                .unwrap(),
                class("tumor", false),
                Some(0.75),
            ),
            Nucleus::new(
                3,
                Shape::polygon(vec![[0.0, 0.0], [4.0, -1.5], [2.0, 3.0]])
                    .unwrap()
                    .0,
                class("lymphocyte", true),
                None,
            ),
            Nucleus::new(
                4,
                Shape::Point([7.0, 8.0]),
                class("unlabeled", false),
                Some(0.1),
            ),
        ];
        let text = fov_csv(&nuclei, &hierarchy, true);
        let back = parse_fov_csv(
            Path::new("x.csv"),
            text.as_bytes(),
            &hierarchy,
            Strictness::Strict,
        )
        .unwrap();
        assert_eq!(back.nuclei, nuclei);
        assert!(text.contains("correction_lymphocyte,lymphocyte,sTIL,polyline"));
    }
}
