//! Keyword arguments turned once into the library's typed options, with the command line's
//! names (`iou_threshold` for `--iou-threshold`) and defaults. An unknown keyword is a
//! `TypeError`, a bad value a `ValueError` naming the keyword.

use crate::errors::bad_option;
use nucagree::agreement::model_rater::ModelOptions;
use nucagree::agreement::options::{AgreeOptions, TruthOptions};
use nucagree::agreement::run::EvalSetChoice;
use nucagree::choice::Choice;
use nucagree::comparison::run::{ComparisonOptions, Job};
use nucagree::conventions::ConventionsOptions;
use nucagree::geometry::{IouOptions, IouShape, PixelConvention};
use nucagree::ingest::options::ClassSources;
use nucagree::ingest::{registry, ReadOptions, Strictness};
use nucagree::matching::tiles::TileSize;
use nucagree::matching::{Assignment, Criterion, CriterionKind, FovCrop, MatchOptions};
use nucagree::model::ClassScheme;
use nucagree::stats::bootstrap::{BootstrapOptions, IntervalMethod};
use pyo3::conversion::FromPyObjectOwned;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::collections::BTreeMap;
use std::path::PathBuf;

use nucagree::stats::bootstrap::MAX_REPLICATES as MAX_BOOTSTRAP;

/// Keyword arguments, taken one by one; what is left at the end is refused.
pub struct Kwargs<'py> {
    function: &'static str,
    values: BTreeMap<String, Bound<'py, PyAny>>,
}

impl<'py> Kwargs<'py> {
    pub fn new(function: &'static str, kwargs: Option<&Bound<'py, PyDict>>) -> PyResult<Self> {
        let mut values = BTreeMap::new();
        if let Some(kwargs) = kwargs {
            for (key, value) in kwargs.iter() {
                if !value.is_none() {
                    values.insert(key.extract::<String>()?, value);
                }
            }
        }
        Ok(Kwargs { function, values })
    }

    fn take<T: FromPyObjectOwned<'py>>(
        &mut self,
        name: &str,
        expected: &str,
    ) -> PyResult<Option<T>> {
        match self.values.remove(name) {
            None => Ok(None),
            Some(value) => value.extract::<T>().map(Some).map_err(|_| {
                bad_option(format!(
                    "{}(): {name}={}: expected {expected}",
                    self.function,
                    value.repr().map(|r| r.to_string()).unwrap_or_default(),
                ))
            }),
        }
    }

    pub fn f64(&mut self, name: &str) -> PyResult<Option<f64>> {
        let value: Option<f64> = self.take(name, "a number")?;
        match value {
            Some(v) if !v.is_finite() => Err(bad_option(format!(
                "{}(): {name}={v}: expected a finite number",
                self.function
            ))),
            other => Ok(other),
        }
    }

    pub fn usize(&mut self, name: &str) -> PyResult<Option<usize>> {
        self.take(name, "a whole number from 0")
    }

    pub fn u64(&mut self, name: &str) -> PyResult<Option<u64>> {
        self.take(name, "a whole number from 0")
    }

    pub fn bool(&mut self, name: &str) -> PyResult<bool> {
        Ok(self.take(name, "True or False")?.unwrap_or(false))
    }

    pub fn string(&mut self, name: &str) -> PyResult<Option<String>> {
        self.take(name, "a string")
    }

    pub fn path(&mut self, name: &str) -> PyResult<Option<PathBuf>> {
        self.take(name, "a path (str or os.PathLike)")
    }

    pub fn numbers(&mut self, name: &str) -> PyResult<Option<Vec<f64>>> {
        self.take(name, "a list of numbers")
    }

    pub fn strings(&mut self, name: &str) -> PyResult<Vec<String>> {
        match self.values.get(name) {
            Some(value) if value.is_instance_of::<pyo3::types::PyString>() => {
                Ok(self.string(name)?.into_iter().collect())
            }
            _ => Ok(self
                .take::<Vec<String>>(name, "a list of strings")?
                .unwrap_or_default()),
        }
    }

    /// One of a library enum's names.
    pub fn choice<T: Choice>(&mut self, name: &str) -> PyResult<Option<T>> {
        let Some(given) = self.string(name)? else {
            return Ok(None);
        };
        T::from_name(&given).map(Some).ok_or_else(|| {
            bad_option(format!(
                "{}(): {name}={given:?}: expected one of {}",
                self.function,
                T::names()
            ))
        })
    }

    /// A `ValueError` about the keyword `name`.
    pub fn refuse(&self, name: &str, message: impl std::fmt::Display) -> PyErr {
        bad_option(format!("{}(): {name}: {message}", self.function))
    }

    /// Refuses the keywords no option took.
    pub fn finish(self) -> PyResult<()> {
        match self.values.keys().next() {
            None => Ok(()),
            Some(name) => Err(PyTypeError::new_err(format!(
                "{}() got an unexpected keyword argument {name:?}",
                self.function
            ))),
        }
    }
}

/// How sets are read: `input_format`, `classes`, `hierarchy`, `class_map`, `type_map`,
/// `coco_images`, `split`, `lenient`, `max_image_pixels`.
pub fn read_options(kwargs: &mut Kwargs<'_>) -> PyResult<ReadOptions> {
    let scheme = match kwargs.string("classes")? {
        None => None,
        Some(name) => Some(ClassScheme::named(&name).ok_or_else(|| {
            let names: Vec<&str> = ClassScheme::ALL.iter().map(|s| s.name()).collect();
            kwargs.refuse(
                "classes",
                format!("{name:?}: expected one of {}", names.join(", ")),
            )
        })?),
    };
    let sources = ClassSources {
        hierarchy: kwargs.path("hierarchy")?,
        scheme,
        class_map: kwargs.path("class_map")?,
        type_map: kwargs.path("type_map")?,
    };
    let format = match kwargs.string("input_format")?.as_deref() {
        None | Some("auto") => None,
        Some(name) => Some(registry::format_named(name).ok_or_else(|| {
            let names: Vec<&str> = registry::READERS
                .iter()
                .map(|r| r.format().name())
                .collect();
            kwargs.refuse(
                "input_format",
                format!("{name:?}: expected auto or one of {}", names.join(", ")),
            )
        })?),
    };
    let defaults = ReadOptions::default();
    let options = ReadOptions {
        format,
        split: kwargs.string("split")?,
        coco_images: kwargs.path("coco_images")?,
        strictness: if kwargs.bool("lenient")? {
            Strictness::Lenient
        } else {
            Strictness::Strict
        },
        max_image_pixels: kwargs
            .u64("max_image_pixels")?
            .unwrap_or(defaults.max_image_pixels),
        ..Python::attach(|py| {
            ReadOptions::with_classes(&sources).map_err(|e| crate::errors::to_python(py, e))
        })?
    };
    Ok(options)
}

/// The bootstrap: `bootstrap` replicates (0 for none), `bootstrap_method` (where `method`),
/// `seed`; and the seed, which also seeds other draws.
fn bootstrap(kwargs: &mut Kwargs<'_>, method: bool) -> PyResult<(Option<BootstrapOptions>, u64)> {
    let defaults = BootstrapOptions::default();
    let replicates = kwargs.usize("bootstrap")?.unwrap_or(defaults.replicates);
    if replicates > MAX_BOOTSTRAP {
        return Err(kwargs.refuse(
            "bootstrap",
            format!("{replicates}: at most {MAX_BOOTSTRAP} replicates (0 for none)"),
        ));
    }
    let method = if method {
        kwargs
            .choice::<IntervalMethod>("bootstrap_method")?
            .unwrap_or(IntervalMethod::Bca)
    } else {
        defaults.method
    };
    let seed = kwargs.u64("seed")?.unwrap_or(defaults.seed);
    let options = (replicates > 0).then_some(BootstrapOptions {
        replicates,
        seed,
        method,
        ..defaults
    });
    Ok((options, seed))
}

/// The IoU of `shape` and `pixel_convention`.
fn iou_options(kwargs: &mut Kwargs<'_>) -> PyResult<IouOptions> {
    let shape = kwargs
        .choice::<IouShape>("shape")?
        .unwrap_or(IouShape::Auto);
    let pixels = kwargs
        .choice::<PixelConvention>("pixel_convention")?
        .unwrap_or(PixelConvention::Continuous);
    IouOptions::new(shape, pixels).map_err(|e| kwargs.refuse("shape", e))
}

/// Matching: `iou_threshold`, `matching`, `match` (`iou` or `centroid`), `radius_px`,
/// `shape`, `pixel_convention`, `fov_crop`.
fn match_options(kwargs: &mut Kwargs<'_>) -> PyResult<MatchOptions> {
    let defaults = MatchOptions::default();
    let iou = iou_options(kwargs)?;
    let threshold = kwargs.f64("iou_threshold")?;
    let radius_px = kwargs.f64("radius_px")?;
    let criterion = match kwargs.choice::<CriterionKind>("match")? {
        None | Some(CriterionKind::Iou) => {
            let threshold = threshold.unwrap_or(0.5);
            if !(threshold > 0.0 && threshold <= 1.0) {
                return Err(kwargs.refuse(
                    "iou_threshold",
                    format!("{threshold}: expected a number in (0, 1]"),
                ));
            }
            if radius_px.is_some() {
                return Err(kwargs.refuse("radius_px", "goes with match=\"centroid\""));
            }
            Criterion::Iou {
                threshold,
                options: iou,
            }
        }
        Some(CriterionKind::Centroid) => match radius_px {
            Some(radius_px) if radius_px > 0.0 => Criterion::Centroid { radius_px },
            Some(radius_px) => {
                return Err(kwargs.refuse(
                    "radius_px",
                    format!("{radius_px}: expected a positive number"),
                ))
            }
            None => return Err(kwargs.refuse("radius_px", "match=\"centroid\" needs radius_px")),
        },
    };
    Ok(MatchOptions {
        criterion,
        assignment: kwargs
            .choice::<Assignment>("matching")?
            .unwrap_or(defaults.assignment),
        crop: kwargs
            .choice::<FovCrop>("fov_crop")?
            .unwrap_or(defaults.crop),
    })
}

/// `compare`'s and `score`'s options: matching, `ambiguous`, the bootstrap,
/// `score_threshold`, `folds`, `thresholds` (StarDist's), `convention`, `tile`, `roi`.
pub fn comparison_options(kwargs: &mut Kwargs<'_>, job: Job) -> PyResult<ComparisonOptions> {
    let defaults = ComparisonOptions::default();
    let matching = match_options(kwargs)?;
    let thresholds = match kwargs.numbers("thresholds")? {
        None => defaults.conventions.thresholds.clone(),
        Some(thresholds) => {
            let mut seen: Vec<f64> = Vec::new();
            for t in thresholds {
                if !(t > 0.0 && t <= 1.0) || seen.contains(&t) {
                    return Err(kwargs.refuse(
                        "thresholds",
                        format!("{t}: expected distinct IoU thresholds in (0, 1]"),
                    ));
                }
                seen.push(t);
            }
            if seen.is_empty() {
                return Err(kwargs.refuse("thresholds", "expected at least one threshold"));
            }
            seen
        }
    };
    let tile = match kwargs.f64("tile")? {
        None => None,
        Some(px) => Some(TileSize::new(px).ok_or_else(|| {
            kwargs.refuse(
                "tile",
                format!(
                    "{px}: expected a tile side of at least {} pixels",
                    TileSize::MIN
                ),
            )
        })?),
    };
    let (score_threshold, folds) = match job {
        Job::Score => (
            kwargs
                .f64("score_threshold")?
                .unwrap_or(defaults.score_threshold),
            kwargs.bool("folds")?,
        ),
        Job::Compare => (defaults.score_threshold, false),
    };
    Ok(ComparisonOptions {
        job,
        matching,
        ambiguous: kwargs.choice("ambiguous")?.unwrap_or(defaults.ambiguous),
        bootstrap: bootstrap(kwargs, true)?.0,
        score_threshold,
        folds,
        conventions: ConventionsOptions { thresholds },
        convention: kwargs.choice("convention")?.unwrap_or(defaults.convention),
        tile,
        roi: kwargs.path("roi")?,
    })
}

/// `agree`'s options: `min_iou`, `shape`, `fov_crop`, `eval_set`, `groups`, the bootstrap,
/// `truth_from`, `truth_method`, `truth_outline`, `raters_needed_draws`, `model`,
/// `senior_group`, `margin`.
pub struct AgreeJob {
    pub options: AgreeOptions,
    pub eval_set: EvalSetChoice,
    pub groups: Option<PathBuf>,
    pub fov_locations: Option<PathBuf>,
    pub simulated_truth: Option<PathBuf>,
    /// `model`: predictions scored as one more rater, with `senior_group` and `margin`.
    pub model: Option<(PathBuf, ModelOptions)>,
}

pub fn agree_job(kwargs: &mut Kwargs<'_>) -> PyResult<AgreeJob> {
    let defaults = AgreeOptions::default();
    let min_iou = kwargs.f64("min_iou")?.unwrap_or(defaults.min_iou);
    if !(min_iou > 0.0 && min_iou <= 1.0) {
        return Err(kwargs.refuse("min_iou", format!("{min_iou}: expected a number in (0, 1]")));
    }
    let shape = kwargs
        .choice::<IouShape>("shape")?
        .unwrap_or(IouShape::Auto);
    let iou_options = IouOptions::new(shape, PixelConvention::Continuous)
        .map_err(|e| kwargs.refuse("shape", e))?;
    let (bootstrap, seed) = bootstrap(kwargs, false)?;
    let groups = kwargs.path("groups")?;
    let truth = TruthOptions {
        truth_from: kwargs.strings("truth_from")?,
        method: kwargs
            .choice("truth_method")?
            .unwrap_or(TruthOptions::default().method),
        draws: kwargs
            .usize("raters_needed_draws")?
            .unwrap_or(TruthOptions::default().draws),
        outline: kwargs
            .choice("truth_outline")?
            .unwrap_or(TruthOptions::default().outline),
        seed,
        ..TruthOptions::default()
    };
    Ok(AgreeJob {
        options: AgreeOptions {
            min_iou,
            iou_options,
            bootstrap,
            groups_file: groups.as_ref().map(|p| p.display().to_string()),
            crop: kwargs.choice("fov_crop")?.unwrap_or(defaults.crop),
            truth,
            ..defaults
        },
        eval_set: match kwargs.string("eval_set")? {
            Some(name) => name.parse().unwrap_or_default(),
            None => EvalSetChoice::MostRaters,
        },
        groups,
        fov_locations: kwargs.path("fov_locations")?,
        simulated_truth: kwargs.path("simulated_truth")?,
        model: {
            let defaults = ModelOptions::default();
            let senior_group = kwargs
                .string("senior_group")?
                .unwrap_or(defaults.senior_group);
            let margin = kwargs.f64("margin")?.unwrap_or(defaults.margin);
            if !(0.0..1.0).contains(&margin) {
                return Err(
                    kwargs.refuse("margin", format!("{margin}: expected a number in [0, 1)"))
                );
            }
            kwargs.path("model")?.map(|path| {
                (
                    path,
                    ModelOptions {
                        senior_group,
                        margin,
                        ..defaults
                    },
                )
            })
        },
    })
}
