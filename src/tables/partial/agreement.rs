//! An agreement partial's records as tables, and back: the FOVs (place, raters who annotated,
//! nuclei cropped), the anchors (box, medoid) with every rater's label and nucleus, the
//! anchors' truth outlines and boundary agreement, each FOV's tallies at the alpha sweep's
//! other cuts, and the intrarater pairs' labels.

use super::table::Table;
use super::{column, frame};
use crate::agreement::boundary::AnchorBoundary;
use crate::agreement::partial::AgreementHeader;
use crate::agreement::study::{AnchorLabels, FovAnchors, Label};
use crate::agreement::summary::SweepTally;
use crate::agreement::truth_set::FovGeometry;
use crate::error::Result;
use crate::model::{BoundingBox, ClassId, Piece, Shape};
use polars::prelude::DataFrame;
use std::path::Path;

/// The tables of an agreement partial, by name (each written as `<name>.parquet`).
pub const AGREEMENT_TABLES: [&str; 9] = [
    "fovs",
    "anchors",
    "labels",
    "outline_vertices",
    "sweep",
    "sweep_anchors",
    "intrarater",
    "boundaries",
    "boundary_raters",
];

const UNDETECTED: i32 = -1;
const MISSING: i32 = -2;
const POLYGON: u32 = 0;
const PIECES: u32 = 1;
const BOX: u32 = 2;
const POINT: u32 = 3;

fn code(label: Label) -> i32 {
    match label {
        Label::Class(id) => i32::from(id.0),
        Label::Undetected => UNDETECTED,
        Label::Missing => MISSING,
    }
}

/// The tables of a shard's labelled FOVs, their geometry, sweep tallies and intrarater
/// pairs' labels, in [`AGREEMENT_TABLES`]' order.
pub fn agreement_frames(
    labelled: &[FovAnchors],
    geometry: &[FovGeometry],
    sweep: &[Vec<SweepTally>],
    intrarater: &[Vec<FovAnchors>],
) -> Result<Vec<DataFrame>> {
    let mut f = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut region: [Vec<Option<f64>>; 4] = Default::default();
    let mut a = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut boxes: [Vec<f64>; 4] = Default::default();
    let (mut labels, mut nuclei) = (Vec::new(), Vec::new());
    let mut v = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut boundary = (Vec::new(), Vec::new(), Vec::new());
    let mut boundary_raters = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut anchor_index = 0u32;
    for (k, (fov, place)) in labelled.iter().zip(geometry).enumerate() {
        f.0.push(fov.fov.clone());
        f.1.push(fov.cropped as u64);
        f.2.push(
            fov.annotated
                .iter()
                .map(|&a| if a { '1' } else { '0' })
                .collect::<String>(),
        );
        f.3.push(place.slide.clone());
        f.4.push(place.hospital.clone());
        let r = place.region;
        for (column, value) in region.iter_mut().zip([
            r.map(|b| b.xmin),
            r.map(|b| b.ymin),
            r.map(|b| b.xmax),
            r.map(|b| b.ymax),
        ]) {
            column.push(value);
        }
        for ((anchor, outline), agreed) in fov
            .anchors
            .iter()
            .zip(&place.outlines)
            .zip(&place.boundaries)
        {
            if let Some(b) = agreed {
                boundary.0.push(anchor_index);
                boundary.1.push(b.consensus_area);
                boundary.2.push(b.mean_hausdorff);
                for ((&rater, &iou), &distance) in b.raters.iter().zip(&b.iou).zip(&b.hausdorff) {
                    boundary_raters.0.push(anchor_index);
                    boundary_raters.1.push(u32::from(rater));
                    boundary_raters.2.push(iou);
                    boundary_raters.3.push(distance);
                }
            }
            a.0.push(k as u32);
            a.1.push(u32::from(anchor.medoid_rater));
            a.2.push(anchor.medoid_nucleus);
            let b = anchor.bbox;
            for (column, value) in boxes.iter_mut().zip([b.xmin, b.ymin, b.xmax, b.ymax]) {
                column.push(value);
            }
            labels.extend(anchor.labels.iter().map(|&l| code(l)));
            nuclei
                .extend((0..anchor.labels.len()).map(|r| anchor.nuclei.get(r).copied().flatten()));
            let mut vertex = |piece: u32, ring: u32, [x, y]: [f64; 2]| {
                v.0.push(anchor_index);
                v.1.push(piece);
                v.2.push(ring);
                v.3.push(x);
                v.4.push(y);
            };
            a.3.push(outline.as_ref().map(|shape| match shape {
                Shape::Polygon(ring) => {
                    ring.iter().for_each(|&p| vertex(0, 0, p));
                    POLYGON
                }
                Shape::Pieces(pieces) => {
                    for (i, piece) in pieces.iter().enumerate() {
                        piece.outer.iter().for_each(|&p| vertex(i as u32, 0, p));
                        for (h, hole) in piece.holes.iter().enumerate() {
                            hole.iter().for_each(|&p| vertex(i as u32, h as u32 + 1, p));
                        }
                    }
                    PIECES
                }
                Shape::Box(b) => {
                    vertex(0, 0, [b.xmin, b.ymin]);
                    vertex(0, 0, [b.xmax, b.ymax]);
                    BOX
                }
                Shape::Point(p) => {
                    vertex(0, 0, *p);
                    POINT
                }
            }));
            anchor_index += 1;
        }
    }
    let mut s = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut sa = (Vec::new(), Vec::new(), Vec::new());
    for (k, cuts) in sweep.iter().enumerate() {
        for (cut, (anchors, tally)) in cuts.iter().enumerate() {
            sa.0.push(k as u32);
            sa.1.push(cut as u32);
            sa.2.push(*anchors as u64);
            for &(position, value) in tally {
                s.0.push(k as u32);
                s.1.push(cut as u32);
                s.2.push(position);
                s.3.push(value);
            }
        }
    }
    let mut i = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (pair, fovs) in intrarater.iter().enumerate() {
        for (k, fov) in fovs.iter().enumerate() {
            for anchor in &fov.anchors {
                i.0.push(pair as u32);
                i.1.push(k as u32);
                i.2.push(code(anchor.labels[0]));
                i.3.push(code(anchor.labels[1]));
            }
        }
    }
    let [rx0, ry0, rx1, ry1] = region;
    let [bx0, by0, bx1, by1] = boxes;
    Ok(vec![
        frame(vec![
            column("name", f.0),
            column("cropped", f.1),
            column("annotated", f.2),
            column("slide", f.3),
            column("hospital", f.4),
            column("region_xmin", rx0),
            column("region_ymin", ry0),
            column("region_xmax", rx1),
            column("region_ymax", ry1),
        ])?,
        frame(vec![
            column("fov", a.0),
            column("xmin", bx0),
            column("ymin", by0),
            column("xmax", bx1),
            column("ymax", by1),
            column("medoid_rater", a.1),
            column("medoid_nucleus", a.2),
            column("outline_shape", a.3),
        ])?,
        frame(vec![column("label", labels), column("nucleus", nuclei)])?,
        frame(vec![
            column("anchor", v.0),
            column("piece", v.1),
            column("ring", v.2),
            column("x", v.3),
            column("y", v.4),
        ])?,
        frame(vec![
            column("fov", s.0),
            column("cut", s.1),
            column("position", s.2),
            column("value", s.3),
        ])?,
        frame(vec![
            column("fov", sa.0),
            column("cut", sa.1),
            column("anchors", sa.2),
        ])?,
        frame(vec![
            column("pair", i.0),
            column("fov", i.1),
            column("label_a", i.2),
            column("label_b", i.3),
        ])?,
        frame(vec![
            column("anchor", boundary.0),
            column("consensus_area", boundary.1),
            column("mean_hausdorff", boundary.2),
        ])?,
        frame(vec![
            column("anchor", boundary_raters.0),
            column("rater", boundary_raters.1),
            column("iou", boundary_raters.2),
            column("hausdorff", boundary_raters.3),
        ])?,
    ])
}

/// What an agreement partial's tables hold.
pub struct AgreementRecords {
    pub labelled: Vec<FovAnchors>,
    pub geometry: Vec<FovGeometry>,
    pub sweep: Vec<Vec<SweepTally>>,
    pub intrarater: Vec<Vec<FovAnchors>>,
}

/// Reads an agreement partial's tables back (`frames` in [`AGREEMENT_TABLES`]' order, read
/// from `dir`), checked against its header. An error names the table's file, the row
/// (1-based) and the column.
pub fn agreement_records(
    dir: &Path,
    frames: &[DataFrame],
    header: &AgreementHeader,
    classes: usize,
) -> Result<AgreementRecords> {
    let t = |k: usize| {
        Table::new(
            dir.join(format!("{}.parquet", AGREEMENT_TABLES[k])),
            &frames[k],
        )
    };
    let (fovs, anchors, labels, vertices) = (t(0), t(1), t(2), t(3));
    let raters = header.raters.len();
    let label = |table: &Table,
                 values: &[Option<i32>],
                 row: usize,
                 column: &str|
     -> Result<Label> {
        match table.get(values, row, column)? {
            UNDETECTED => Ok(Label::Undetected),
            MISSING => Ok(Label::Missing),
            c if c >= 0 && (c as usize) < classes => Ok(Label::Class(ClassId(c as u16))),
            c => Err(table.error(row, column, format!("expected a class id below {classes}, -1 (undetected) or -2 (missing), found {c}"))),
        }
    };
    // FOVs.
    let name = fovs.strings("name")?;
    if name.len() != header.fovs.len() {
        return Err(fovs.error(
            name.len(),
            "name",
            format!(
                "expected the header's {} FOVs, found {}",
                header.fovs.len(),
                name.len()
            ),
        ));
    }
    let (cropped, annotated) = (fovs.u64s("cropped")?, fovs.strings("annotated")?);
    let (slide, hospital) = (fovs.strings("slide")?, fovs.strings("hospital")?);
    let region: Vec<Vec<Option<f64>>> =
        ["region_xmin", "region_ymin", "region_xmax", "region_ymax"]
            .iter()
            .map(|c| fovs.f64s(c))
            .collect::<Result<_>>()?;
    let mut labelled = Vec::with_capacity(name.len());
    let mut geometry = Vec::with_capacity(name.len());
    for row in 0..name.len() {
        let fov = header.fovs[row].clone();
        if name[row].as_deref() != Some(fov.as_str()) {
            return Err(fovs.error(row, "name", format!("expected {fov:?}, the header's FOV")));
        }
        let flags = annotated[row].clone().unwrap_or_default();
        if flags.len() != raters || flags.chars().any(|c| c != '0' && c != '1') {
            return Err(fovs.error(
                row,
                "annotated",
                format!("expected {raters} characters 0 or 1, found {flags:?}"),
            ));
        }
        let place = match (
            region[0][row],
            region[1][row],
            region[2][row],
            region[3][row],
        ) {
            (Some(xmin), Some(ymin), Some(xmax), Some(ymax)) => Some(BoundingBox {
                xmin,
                ymin,
                xmax,
                ymax,
            }),
            _ => None,
        };
        labelled.push(FovAnchors {
            fov: fov.clone(),
            annotated: flags.chars().map(|c| c == '1').collect(),
            anchors: Vec::new(),
            cropped: fovs.get(&cropped, row, "cropped")? as usize,
        });
        geometry.push(FovGeometry {
            name: fov,
            slide: slide[row].clone(),
            hospital: hospital[row].clone(),
            region: place,
            outlines: Vec::new(),
            boundaries: Vec::new(),
        });
    }
    // Anchors, their labels and medoids.
    let fov = anchors.u32s("fov")?;
    let bounds: Vec<Vec<Option<f64>>> = ["xmin", "ymin", "xmax", "ymax"]
        .iter()
        .map(|c| anchors.f64s(c))
        .collect::<Result<_>>()?;
    let (medoid_rater, medoid_nucleus, outline_shape) = (
        anchors.u32s("medoid_rater")?,
        anchors.u32s("medoid_nucleus")?,
        anchors.u32s("outline_shape")?,
    );
    let (codes, nucleus) = (labels.i32s("label")?, labels.u32s("nucleus")?);
    if codes.len() != fov.len() * raters {
        return Err(labels.error(
            codes.len(),
            "label",
            format!(
                "expected {} labels ({} anchors × {raters} raters), found {}",
                fov.len() * raters,
                fov.len(),
                codes.len()
            ),
        ));
    }
    let shapes = read_outlines(&vertices, &outline_shape, &anchors)?;
    for (row, shape) in shapes.into_iter().enumerate() {
        let k = anchors.index(&fov, row, "fov", labelled.len())?;
        let b = |i: usize, c: &str| anchors.get(&bounds[i], row, c);
        let nuclei = nucleus[row * raters..(row + 1) * raters].to_vec();
        let labels = (0..raters)
            .map(|r| label(&labels, &codes, row * raters + r, "label"))
            .collect::<Result<Vec<_>>>()?;
        labelled[k].anchors.push(AnchorLabels {
            bbox: BoundingBox {
                xmin: b(0, "xmin")?,
                ymin: b(1, "ymin")?,
                xmax: b(2, "xmax")?,
                ymax: b(3, "ymax")?,
            },
            medoid_rater: anchors.index(&medoid_rater, row, "medoid_rater", raters)? as u16,
            medoid_nucleus: anchors.get(&medoid_nucleus, row, "medoid_nucleus")?,
            labels,
            nuclei,
        });
        geometry[k].outlines.push(shape);
        geometry[k].boundaries.push(None);
    }
    read_boundaries(&t(7), &t(8), &mut geometry, raters)?;
    // Sweep tallies.
    let (sweep_rows, sweep_anchors) = (t(4), t(5));
    let cuts = header.cuts.len();
    let mut sweep: Vec<Vec<SweepTally>> = vec![vec![(0, Vec::new()); cuts]; labelled.len()];
    let (sf, sc, sn) = (
        sweep_anchors.u32s("fov")?,
        sweep_anchors.u32s("cut")?,
        sweep_anchors.u64s("anchors")?,
    );
    for row in 0..sf.len() {
        let k = sweep_anchors.index(&sf, row, "fov", labelled.len())?;
        let cut = sweep_anchors.index(&sc, row, "cut", cuts)?;
        sweep[k][cut].0 = sweep_anchors.get(&sn, row, "anchors")? as usize;
    }
    let (sf, sc) = (sweep_rows.u32s("fov")?, sweep_rows.u32s("cut")?);
    let (position, value) = (sweep_rows.u32s("position")?, sweep_rows.f64s("value")?);
    for row in 0..sf.len() {
        let k = sweep_rows.index(&sf, row, "fov", labelled.len())?;
        let cut = sweep_rows.index(&sc, row, "cut", cuts)?;
        sweep[k][cut].1.push((
            sweep_rows.get(&position, row, "position")?,
            sweep_rows.get(&value, row, "value")?,
        ));
    }
    // Intrarater pairs.
    let pairs = t(6);
    let mut intrarater: Vec<Vec<FovAnchors>> = header
        .intrarater
        .iter()
        .map(|h| {
            h.fovs
                .iter()
                .map(|fov| FovAnchors {
                    fov: fov.clone(),
                    annotated: vec![true, true],
                    anchors: Vec::new(),
                    cropped: 0,
                })
                .collect()
        })
        .collect();
    let (pair, pf) = (pairs.u32s("pair")?, pairs.u32s("fov")?);
    let (la, lb) = (pairs.i32s("label_a")?, pairs.i32s("label_b")?);
    for row in 0..pair.len() {
        let p = pairs.index(&pair, row, "pair", intrarater.len())?;
        let k = pairs.index(&pf, row, "fov", intrarater[p].len())?;
        let labels = vec![
            label(&pairs, &la, row, "label_a")?,
            label(&pairs, &lb, row, "label_b")?,
        ];
        intrarater[p][k].anchors.push(AnchorLabels {
            bbox: BoundingBox {
                xmin: 0.0,
                ymin: 0.0,
                xmax: 0.0,
                ymax: 0.0,
            },
            medoid_rater: 0,
            medoid_nucleus: 0,
            labels,
            nuclei: Vec::new(),
        });
    }
    Ok(AgreementRecords {
        labelled,
        geometry,
        sweep,
        intrarater,
    })
}

/// Each anchor's boundary agreement (anchors numbered across FOVs in order), into `geometry`
/// whose anchors are read.
fn read_boundaries(
    boundaries: &Table,
    boundary_raters: &Table,
    geometry: &mut [FovGeometry],
    raters: usize,
) -> Result<()> {
    let mut place: Vec<(usize, usize)> = Vec::new();
    for (k, g) in geometry.iter().enumerate() {
        place.extend((0..g.outlines.len()).map(|i| (k, i)));
    }
    let (anchor, area, mean) = (
        boundaries.u32s("anchor")?,
        boundaries.f64s("consensus_area")?,
        boundaries.f64s("mean_hausdorff")?,
    );
    for row in 0..anchor.len() {
        let (k, i) = place[boundaries.index(&anchor, row, "anchor", place.len())?];
        geometry[k].boundaries[i] = Some(AnchorBoundary {
            raters: Vec::new(),
            consensus_area: boundaries.get(&area, row, "consensus_area")?,
            iou: Vec::new(),
            hausdorff: Vec::new(),
            mean_hausdorff: boundaries.get(&mean, row, "mean_hausdorff")?,
        });
    }
    let (anchor, rater) = (
        boundary_raters.u32s("anchor")?,
        boundary_raters.u32s("rater")?,
    );
    let (iou, distance) = (
        boundary_raters.f64s("iou")?,
        boundary_raters.f64s("hausdorff")?,
    );
    for row in 0..anchor.len() {
        let (k, i) = place[boundary_raters.index(&anchor, row, "anchor", place.len())?];
        let r = boundary_raters.index(&rater, row, "rater", raters)? as u16;
        let b = geometry[k].boundaries[i].as_mut().ok_or_else(|| {
            boundary_raters.error(
                row,
                "anchor",
                "expected an anchor of boundaries.parquet".into(),
            )
        })?;
        b.raters.push(r);
        b.iou.push(iou[row]);
        b.hausdorff
            .push(boundary_raters.get(&distance, row, "hausdorff")?);
    }
    Ok(())
}

/// Each anchor's truth outline from its shape code and its vertices (in order).
fn read_outlines(
    vertices: &Table,
    shape: &[Option<u32>],
    anchors: &Table,
) -> Result<Vec<Option<Shape>>> {
    let (anchor, piece, ring) = (
        vertices.u32s("anchor")?,
        vertices.u32s("piece")?,
        vertices.u32s("ring")?,
    );
    let (x, y) = (vertices.f64s("x")?, vertices.f64s("y")?);
    let mut points: Vec<Vec<(u32, u32, [f64; 2])>> = vec![Vec::new(); shape.len()];
    for row in 0..anchor.len() {
        let a = vertices.index(&anchor, row, "anchor", shape.len())?;
        points[a].push((
            vertices.get(&piece, row, "piece")?,
            vertices.get(&ring, row, "ring")?,
            [vertices.get(&x, row, "x")?, vertices.get(&y, row, "y")?],
        ));
    }
    shape
        .iter()
        .zip(points)
        .enumerate()
        .map(|(row, (code, points))| {
            let xy: Vec<[f64; 2]> = points.iter().map(|p| p.2).collect();
            let wrong = |expected: &str| {
                anchors.error(
                    row,
                    "outline_shape",
                    format!(
                        "expected {expected}, found {} vertices in outline_vertices.parquet",
                        xy.len()
                    ),
                )
            };
            Ok(match code {
                None => None,
                Some(POLYGON) if xy.len() >= 3 => Some(Shape::Polygon(xy)),
                Some(BOX) if xy.len() == 2 => Some(Shape::Box(BoundingBox {
                    xmin: xy[0][0],
                    ymin: xy[0][1],
                    xmax: xy[1][0],
                    ymax: xy[1][1],
                })),
                Some(POINT) if xy.len() == 1 => Some(Shape::Point(xy[0])),
                Some(PIECES) if !xy.is_empty() => {
                    let mut pieces: Vec<Piece> = Vec::new();
                    for (p, r, point) in points {
                        if p as usize == pieces.len() {
                            pieces.push(Piece {
                                outer: Vec::new(),
                                holes: Vec::new(),
                            });
                        }
                        let piece = pieces
                            .get_mut(p as usize)
                            .ok_or_else(|| wrong("pieces numbered in order"))?;
                        // Ring 0 is the outer ring, ring h the piece's h-th hole.
                        match r as usize {
                            0 => piece.outer.push(point),
                            h if h == piece.holes.len() + 1 => piece.holes.push(vec![point]),
                            h if h == piece.holes.len() => piece.holes[h - 1].push(point),
                            _ => return Err(wrong("holes numbered in order")),
                        }
                    }
                    Some(Shape::Pieces(pieces))
                }
                Some(POLYGON) => return Err(wrong("a polygon of at least 3 vertices")),
                Some(BOX) => return Err(wrong("a box as 2 corners")),
                Some(POINT) => return Err(wrong("a point as 1 vertex")),
                Some(PIECES) => return Err(wrong("pieces with vertices")),
                Some(other) => {
                    return Err(anchors.error(
                        row,
                        "outline_shape",
                        format!(
                            "expected 0 (polygon), 1 (pieces), 2 (box) or 3 (point), found {other}"
                        ),
                    ))
                }
            })
        })
        .collect()
}
