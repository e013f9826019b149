//! Turning the coordinates of one FOV's annotations into nuclei, whatever the format: shapes
//! are validated (degenerate ones skipped and counted, repeated vertices and crossings
//! noted), exact duplicates and `correction_` classes noted, and a FOV with no nuclei
//! counted as empty.

use super::options::Strictness;
use crate::error::{Problem, Result};
use crate::model::{
    BoundingBox, ClassHierarchy, ClassLevel, Measurements, Nucleus, Piece, RawClass, Shape,
    ShapeIssue,
};
use crate::quality::{DataQuality, FindingKind};
use std::collections::HashMap;
use std::path::Path;

/// The nuclei of one FOV file, and what was found along the way.
#[derive(Debug, Clone, Default)]
pub struct FovRows {
    pub nuclei: Vec<Nucleus>,
    pub quality: DataQuality,
    /// The nuclei's measurements, where kept and any were found.
    pub measurements: Option<Measurements>,
}

/// The kind of shape an annotation declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ShapeType {
    Rectangle,
    Polygon,
    Point,
}

/// Collects the nuclei of one FOV file, with its findings.
pub(crate) struct FovBuilder<'a> {
    path: &'a Path,
    pub rows: FovRows,
    seen_outlines: HashMap<u64, Vec<usize>>,
}

impl<'a> FovBuilder<'a> {
    pub fn new(path: &'a Path) -> FovBuilder<'a> {
        FovBuilder {
            path,
            rows: FovRows::default(),
            seen_outlines: HashMap::new(),
        }
    }

    /// Notes a finding about `row` (of `detail`).
    pub fn note(&mut self, kind: FindingKind, row: Option<u64>, detail: String) {
        self.rows
            .quality
            .push(kind, self.path.to_path_buf(), row, detail);
    }

    /// `result`'s value; under [`Strictness::Lenient`] an input error is noted as a skipped
    /// item (`None`), otherwise it is returned.
    pub fn keep<T>(
        &mut self,
        strictness: Strictness,
        item: u64,
        result: Result<T>,
    ) -> Result<Option<T>> {
        match result {
            Ok(value) => Ok(Some(value)),
            Err(error) if strictness == Strictness::Lenient && error.is_input() => {
                self.note(FindingKind::SkippedRow, Some(item), error.to_string());
                Ok(None)
            }
            Err(error) => Err(error),
        }
    }

    /// The shape of `vertices` read as `kind`; `None` (counted) when it has no area.
    /// A point must have one distinct vertex; a rectangle is the box around its vertices.
    pub fn shape(&mut self, row: u64, kind: ShapeType, vertices: Vec<[f64; 2]>) -> Option<Shape> {
        let built = match kind {
            ShapeType::Point => match vertices.first() {
                Some(&p) => Ok(Shape::Point(p)),
                None => Err(crate::model::DegenerateShape::TooFewVertices),
            },
            ShapeType::Rectangle => match BoundingBox::around(&vertices) {
                Some(bbox) => Shape::rectangle(bbox),
                None => Err(crate::model::DegenerateShape::TooFewVertices),
            },
            ShapeType::Polygon => Shape::polygon(vertices).map(|(shape, issues)| {
                self.note_issues(row, issues);
                shape
            }),
        };
        self.built(row, built)
    }

    /// The outline of `pieces` (each an outer ring and its holes); `None` (counted) when a
    /// ring has no area.
    pub fn pieces(&mut self, row: u64, pieces: Vec<Piece>) -> Option<Shape> {
        let built = Shape::pieces(pieces).map(|(shape, issues)| {
            self.note_issues(row, issues);
            shape
        });
        self.built(row, built)
    }

    fn note_issues(&mut self, row: u64, issues: Vec<ShapeIssue>) {
        for issue in issues {
            let kind = match issue {
                ShapeIssue::RepeatedVertex => FindingKind::RepeatedVertex,
                ShapeIssue::SelfIntersecting => FindingKind::SelfIntersecting,
            };
            self.note(kind, Some(row), String::new());
        }
    }

    fn built(
        &mut self,
        row: u64,
        built: std::result::Result<Shape, crate::model::DegenerateShape>,
    ) -> Option<Shape> {
        match built {
            Ok(shape) => Some(shape),
            Err(degenerate) => {
                self.note(
                    FindingKind::DegenerateShape,
                    Some(row),
                    degenerate.describe().into(),
                );
                None
            }
        }
    }

    /// Adds a nucleus, noting a `correction_` class and an exact duplicate of an earlier one.
    pub fn push(&mut self, nucleus: Nucleus, class_name: &str) {
        let row = u64::from(nucleus.row);
        if nucleus.class.correction {
            self.note(FindingKind::CorrectionRow, Some(row), class_name.into());
        }
        let earlier = self
            .seen_outlines
            .entry(outline_hash(&nucleus))
            .or_default();
        if earlier
            .iter()
            .any(|&i| same_outline(&self.rows.nuclei[i], &nucleus))
        {
            self.rows.quality.push(
                FindingKind::DuplicateNucleus,
                self.path.to_path_buf(),
                Some(row),
                "same outline and class as an earlier annotation".into(),
            );
        }
        earlier.push(self.rows.nuclei.len());
        self.rows.nuclei.push(nucleus);
    }

    /// Keeps the measurements of the nucleus at `row` (pushed or about to be).
    pub fn measure(&mut self, row: u32, values: Vec<(String, Option<f64>)>) {
        if !values.is_empty() {
            self.rows
                .measurements
                .get_or_insert_with(Measurements::default)
                .insert(row, values);
        }
    }

    /// The nuclei and findings; a FOV with no nuclei and no skipped row is noted as empty.
    pub fn finish(mut self) -> FovRows {
        if self.rows.nuclei.is_empty() && self.rows.quality.count(FindingKind::SkippedRow) == 0 {
            self.note(FindingKind::EmptyFov, None, String::new());
        }
        self.rows
    }
}

/// The raw class of `name`, or what was expected.
pub(crate) fn resolve_class(
    hierarchy: &ClassHierarchy,
    name: &str,
) -> std::result::Result<RawClass, Problem> {
    hierarchy
        .resolve(name)
        .ok_or_else(|| Problem::UnknownClass {
            name: crate::error::shorten(name),
            known: hierarchy.names(ClassLevel::Raw).join(", "),
        })
}

/// The vertices of a NuCLS record given by its box columns only: one for a box of no size
/// (a point), else the four corners.
pub(crate) fn box_vertices(b: BoundingBox) -> std::result::Result<Vec<[f64; 2]>, Problem> {
    if b.xmin > b.xmax || b.ymin > b.ymax {
        return Err(Problem::Invalid {
            message: format!(
                "box ({}, {})-({}, {}) has its maximum below its minimum: expected xmin <= xmax and ymin <= ymax",
                b.xmin, b.ymin, b.xmax, b.ymax
            ),
        });
    }
    Ok(if b.xmin == b.xmax && b.ymin == b.ymax {
        vec![[b.xmin, b.ymin]]
    } else {
        b.corners().to_vec()
    })
}

/// The shape type of a NuCLS record: as its `type` says, else a point for one distinct
/// vertex, a rectangle when the box columns gave the vertices, a polygon otherwise. A point
/// must have one distinct vertex.
pub(crate) fn nucls_shape_type(
    declared: Option<ShapeType>,
    vertices: &[[f64; 2]],
    from_box_columns: bool,
) -> std::result::Result<ShapeType, Problem> {
    let one_vertex = vertices
        .first()
        .is_some_and(|first| vertices.iter().all(|v| v == first));
    let kind = declared.unwrap_or(if one_vertex {
        ShapeType::Point
    } else if from_box_columns {
        ShapeType::Rectangle
    } else {
        ShapeType::Polygon
    });
    if kind == ShapeType::Point && !one_vertex {
        // Counted by sorting (a point of many vertices must not cost their square).
        let mut distinct: Vec<[u64; 2]> = vertices
            .iter()
            .map(|v| [(v[0] + 0.0).to_bits(), (v[1] + 0.0).to_bits()])
            .collect();
        distinct.sort_unstable();
        distinct.dedup();
        return Err(Problem::PointWithSeveralCoordinates {
            count: distinct.len(),
        });
    }
    Ok(kind)
}

/// A shape type as NuCLS's `type` column names it.
pub(crate) fn parse_shape_type(text: &str) -> std::result::Result<ShapeType, Problem> {
    match text.to_ascii_lowercase().as_str() {
        "rectangle" | "box" | "bbox" => Ok(ShapeType::Rectangle),
        "polyline" | "polygon" => Ok(ShapeType::Polygon),
        "point" => Ok(ShapeType::Point),
        _ => Err(Problem::UnknownShapeType { found: text.into() }),
    }
}

/// The raw class of `name` as other tools write class names: as given, else lower-cased
/// with spaces as underscores (QuPath's `Tumor`, `Plasma cell`).
pub(crate) fn resolve_class_loosely(
    hierarchy: &ClassHierarchy,
    name: &str,
) -> std::result::Result<RawClass, Problem> {
    resolve_class(hierarchy, name).or_else(|problem| {
        hierarchy
            .resolve(&name.to_lowercase().replace(' ', "_"))
            .ok_or(problem)
    })
}

/// A hash of a nucleus's class and outline, for finding exact duplicates (a multiply-rotate
/// mix: collisions are resolved by comparing the outlines, so speed matters more than
/// resistance to crafted input).
fn outline_hash(nucleus: &Nucleus) -> u64 {
    let mix = |h: u64, v: u64| (h ^ v).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29);
    let seed = mix(0x51_7CC1_B727_220A, u64::from(nucleus.class.id.0));
    match &nucleus.shape {
        Shape::Polygon(vertices) => vertices
            .iter()
            .fold(seed, |h, v| mix(mix(h, v[0].to_bits()), v[1].to_bits())),
        Shape::Pieces(pieces) => pieces
            .iter()
            .flat_map(|p| std::iter::once(&p.outer).chain(&p.holes).flatten())
            .fold(mix(seed, 3), |h, v| {
                mix(mix(h, v[0].to_bits()), v[1].to_bits())
            }),
        Shape::Box(b) => [b.xmin, b.ymin, b.xmax, b.ymax]
            .iter()
            .fold(mix(seed, 1), |h, v| mix(h, v.to_bits())),
        Shape::Point(p) => mix(mix(mix(seed, 2), p[0].to_bits()), p[1].to_bits()),
    }
}

fn same_outline(a: &Nucleus, b: &Nucleus) -> bool {
    a.class.id == b.class.id && a.shape == b.shape
}
