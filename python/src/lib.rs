//! The Python bindings of nucagree, a thin front over the library as the command line is:
//! keyword arguments become the library's typed options ([`options`]), sets are read or
//! built in memory ([`sets`]), and a run's result keeps what the report writer needs
//! ([`results`]). The GIL is released while the library works; `threads=` bounds rayon.
//! The Python package `nucagree` (beside this crate) wraps these functions.

/// mimalloc for the engine's own allocations, as the command line has it: reading and
/// matching allocate many small vectors, which glibc's allocator serves slower (Python's
/// objects keep Python's allocator).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod errors;
mod options;
mod results;
mod sets;

use errors::to_python;
use nucagree::agreement::partial::{partial_of_study, ModelHeader, ShardSources};
use nucagree::agreement::run::{analyse_study, AgreeError};
use nucagree::comparison::partial::{merge_partials, partial_of_sets};
use nucagree::comparison::run::{run_comparison, Job};
use nucagree::ingest;
use nucagree::ingest::partial::{read_any_partial, Partial};
use nucagree::model::fov_selection::{FovSelection, Shard};
use nucagree::model::AnnotationSet;
use nucagree::report::outputs::AgreementOutputs;
use options::{agree_job, comparison_options, read_options, Kwargs};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use results::{Outputs, RunResult};
use sets::Set;
use std::path::PathBuf;
use std::sync::Arc;

/// Runs `work` without the GIL, on a pool of `threads` threads when given (rayon's global
/// pool otherwise).
fn run_on<T: Send>(
    threads: Option<usize>,
    py: Python<'_>,
    work: impl FnOnce() -> T + Send,
) -> PyResult<T> {
    match threads {
        None => Ok(py.detach(work)),
        Some(0) => Err(errors::bad_option(
            "threads=0: expected at least one thread",
        )),
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| errors::bad_option(format!("threads={n}: {e}")))?;
            Ok(py.detach(|| pool.install(work)))
        }
    }
}

/// A set as given: a path (read with the keyword arguments' read options) or a set read or
/// built already.
#[derive(FromPyObject)]
enum SetArg {
    Read(Py<Set>),
    Path(PathBuf),
}

/// A and the reference B as the comparison takes them, with the paths they were read from:
/// paths are read at once (in parallel, COCO results naming the reference's images), sets
/// read or built already are shared, not copied.
fn resolve_pair(
    py: Python<'_>,
    a: SetArg,
    b: SetArg,
    read: &ingest::ReadOptions,
) -> PyResult<[(Arc<AnnotationSet>, Option<PathBuf>); 2]> {
    let shared = |set: &Py<Set>| {
        let set = set.get();
        (set.set.clone(), set.path.clone())
    };
    let read_one = |path: &std::path::Path, read: &ingest::ReadOptions| {
        py.detach(|| ingest::read_set(path, read))
            .map(Arc::new)
            .map_err(|e| to_python(py, e))
    };
    Ok(match (a, b) {
        (SetArg::Path(a), SetArg::Path(b)) => {
            let (set_a, set_b) = py
                .detach(|| ingest::read_pair(&a, &b, read))
                .map_err(|e| to_python(py, e))?;
            [(Arc::new(set_a), Some(a)), (Arc::new(set_b), Some(b))]
        }
        (SetArg::Path(a), SetArg::Read(b)) => {
            let b = shared(&b);
            // COCO results name the images of the reference's file, when it was read from one.
            let mut read_a = read.clone();
            if read_a.coco_images.is_none() {
                read_a.coco_images = b.1.as_deref().and_then(ingest::reference_json);
            }
            [(read_one(&a, &read_a)?, Some(a)), b]
        }
        (SetArg::Read(a), SetArg::Path(b)) => [shared(&a), (read_one(&b, read)?, Some(b))],
        (SetArg::Read(a), SetArg::Read(b)) => [shared(&a), shared(&b)],
    })
}

/// `compare` and `score`: A (the predictions) against the reference B (the truth).
fn comparison(
    py: Python<'_>,
    job: Job,
    a: SetArg,
    b: SetArg,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<RunResult> {
    let name = nucagree::choice::Choice::name(job);
    let mut kwargs = Kwargs::new(name, kwargs)?;
    let read = read_options(&mut kwargs)?;
    let options = comparison_options(&mut kwargs, job)?;
    let threads = kwargs.usize("threads")?;
    kwargs.finish()?;
    let [(a, a_path), (b, b_path)] = resolve_pair(py, a, b, &read)?;
    let rois = match &options.roi {
        Some(path) => Some(ingest::roi::read_rois(path).map_err(|e| to_python(py, e))?),
        None => None,
    };
    let run = run_on(threads, py, || {
        run_comparison(a, b, rois.as_ref(), &options, true, &|_| {})
    })?
    .map_err(|e| to_python(py, e))?;
    let inputs = [a_path, b_path].into_iter().flatten().collect();
    RunResult::new(Outputs::Comparison(Box::new(run)), inputs).map_err(|e| to_python(py, e))
}

/// Compares set A with the reference set B.
#[pyfunction]
#[pyo3(signature = (a, b, **kwargs))]
fn compare(
    py: Python<'_>,
    a: SetArg,
    b: SetArg,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<RunResult> {
    comparison(py, Job::Compare, a, b, kwargs)
}

/// Scores a model's predictions against the truth.
#[pyfunction]
#[pyo3(signature = (truth, pred, **kwargs))]
fn score(
    py: Python<'_>,
    truth: SetArg,
    pred: SetArg,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<RunResult> {
    comparison(py, Job::Score, pred, truth, kwargs)
}

/// One shard of `compare` or `score` (`job`), read from the paths `a` and `b` (each worker
/// reads its own FOVs), written as a partial into `out`; returns `out`.
#[pyfunction]
#[pyo3(signature = (job, a, b, out, shard = None, fovs = None, **kwargs))]
#[allow(clippy::too_many_arguments)]
fn partial(
    py: Python<'_>,
    job: &str,
    a: PathBuf,
    b: PathBuf,
    out: PathBuf,
    shard: Option<(u32, u32)>,
    fovs: Option<Vec<String>>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<String> {
    let job: Job = job
        .parse()
        .map_err(|e| errors::bad_option(format!("partial(): job={job:?}: {e}")))?;
    let selection = selection_of(shard, fovs)?;
    let name = nucagree::choice::Choice::name(job);
    let mut kwargs = Kwargs::new(name, kwargs)?;
    let mut read = read_options(&mut kwargs)?;
    read.fovs = Some(Arc::new(selection.clone()));
    let options = comparison_options(&mut kwargs, job)?;
    let threads = kwargs.usize("threads")?;
    kwargs.finish()?;
    run_on(threads, py, || -> nucagree::Result<()> {
        let (set_a, set_b) = ingest::read_pair(&a, &b, &read)?;
        let rois = match &options.roi {
            Some(path) => Some(ingest::roi::read_rois(path)?),
            None => None,
        };
        let partial = partial_of_sets(
            Arc::new(set_a),
            Arc::new(set_b),
            rois.as_ref(),
            &options,
            &selection.describe(),
        )?;
        nucagree::writers::partial::write_partial(&out, &partial, &[&a, &b])?;
        Ok(())
    })?
    .map_err(|e| to_python(py, e))?;
    Ok(out.display().to_string())
}

/// The FOVs of a partial: `shard=(index, count)` or `fovs=[names]`.
fn selection_of(shard: Option<(u32, u32)>, fovs: Option<Vec<String>>) -> PyResult<FovSelection> {
    match (shard, fovs) {
        (Some((index, count)), None) => Ok(FovSelection::Shard(Shard::new(index, count).map_err(
            |e| errors::bad_option(format!("partial(): shard=({index}, {count}): {e}")),
        )?)),
        (None, Some(names)) => Ok(FovSelection::Names(names.into_iter().collect())),
        _ => Err(errors::bad_option(
            "partial(): expected one of shard=(index, count) and fovs=[names]",
        )),
    }
}

/// One shard of `agree`, read from the path `study`, written as a partial into `out`;
/// returns `out`.
#[pyfunction]
#[pyo3(signature = (study, out, shard = None, fovs = None, **kwargs))]
fn agree_partial(
    py: Python<'_>,
    study: PathBuf,
    out: PathBuf,
    shard: Option<(u32, u32)>,
    fovs: Option<Vec<String>>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<String> {
    let selection = selection_of(shard, fovs)?;
    let mut kwargs = Kwargs::new("agree", kwargs)?;
    let mut read = read_options(&mut kwargs)?;
    read.fovs = Some(Arc::new(selection.clone()));
    let job = agree_job(&mut kwargs)?;
    let threads = kwargs.usize("threads")?;
    kwargs.finish()?;
    run_on(threads, py, || -> Result<(), AgreeError> {
        let (multi, groups) = ingest::read_study(
            &study,
            job.fov_locations.as_deref(),
            job.groups.as_deref(),
            &read,
        )?;
        let simulated_truth =
            (job.simulated_truth.clone()).or_else(|| ingest::simulated_truth_beside(&study));
        let partial = partial_of_study(
            multi,
            &|name| selection.keeps(name),
            &job.eval_set,
            groups.as_ref(),
            &job.options,
            ShardSources {
                selection: selection.describe(),
                root: study.display().to_string(),
                simulated_truth,
                model: job.model.clone().map(|(predictions, options)| ModelHeader {
                    predictions,
                    options,
                }),
            },
        )?;
        nucagree::writers::partial::write_agreement_partial(&out, &partial, &[&study])?;
        Ok(())
    })?
    .map_err(|error| agree_error(py, &study, error))?;
    Ok(out.display().to_string())
}

/// Merges partials of disjoint shards into the result of one run over all their FOVs.
#[pyfunction]
#[pyo3(signature = (parts, threads = None))]
fn merge(py: Python<'_>, parts: Vec<PathBuf>, threads: Option<usize>) -> PyResult<RunResult> {
    let outputs = run_on(threads, py, || -> nucagree::Result<Outputs> {
        let partials = parts
            .iter()
            .map(|dir| read_any_partial(dir))
            .collect::<nucagree::Result<Vec<_>>>()?;
        let mut comparisons = Vec::new();
        let mut agreements = Vec::new();
        for partial in partials {
            match partial {
                Partial::Comparison(c) => comparisons.push(*c),
                Partial::Agreement(a) => agreements.push(*a),
            }
        }
        if agreements.is_empty() {
            return Ok(Outputs::Merged(Box::new(merge_partials(&comparisons)?)));
        }
        if !comparisons.is_empty() {
            return Err(nucagree::Error::Layout {
                path: comparisons[0].path.clone(),
                message:
                    "a partial of compare or score: expected partials of agree only, as the others"
                        .into(),
            });
        }
        Ok(Outputs::Agreement(Box::new(AgreementOutputs::merged(
            &agreements,
        )?)))
    })?
    .map_err(|e| to_python(py, e))?;
    RunResult::new(outputs, parts).map_err(|e| to_python(py, e))
}

/// An agreement refusal as Python raises it.
fn agree_error(py: Python<'_>, study: &std::path::Path, error: AgreeError) -> PyErr {
    match error {
        AgreeError::UnknownEvalSet { name } => errors::bad_option(format!(
            "agree(): eval_set={name:?}: no rater has that evaluation set"
        )),
        AgreeError::UnknownTruthGroup { group, groups } => errors::bad_option(format!(
            "agree(): truth_from: no rater is in the group {group:?} (groups: {})",
            groups.join(", ")
        )),
        AgreeError::UnknownSeniorGroup { group, groups } => errors::bad_option(format!(
            "agree(): senior_group: no rater is in the group {group:?} (groups: {})",
            groups.join(", ")
        )),
        AgreeError::Crowded(error) => to_python(py, error),
        other => errors::bad_option(format!("{}: {other}", study.display())),
    }
}

/// The agreement analysis of a multi-rater study.
#[pyfunction]
#[pyo3(signature = (study, **kwargs))]
fn agree(
    py: Python<'_>,
    study: PathBuf,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<RunResult> {
    let mut kwargs = Kwargs::new("agree", kwargs)?;
    let read = read_options(&mut kwargs)?;
    let job = agree_job(&mut kwargs)?;
    let threads = kwargs.usize("threads")?;
    kwargs.finish()?;
    let analysed = run_on(threads, py, || -> Result<AgreementOutputs, AgreeError> {
        let (multi, groups) = ingest::read_study(
            &study,
            job.fov_locations.as_deref(),
            job.groups.as_deref(),
            &read,
        )?;
        let mut analysis = analyse_study(
            &multi,
            &job.eval_set,
            groups.as_ref(),
            &job.options,
            &mut |_| {},
        )?;
        let simulated_truth =
            (job.simulated_truth.clone()).or_else(|| ingest::simulated_truth_beside(&study));
        if let Some(path) = simulated_truth {
            let simulated = ingest::read_set(&path, &read)?;
            analysis.compare_with_simulated(&simulated, &path.display().to_string(), &job.options);
        }
        if let Some((path, model)) = &job.model {
            let predictions = ingest::read_set(path, &read)?;
            analysis.score_model(
                &predictions,
                &path.display().to_string(),
                &job.options,
                model,
            )?;
        }
        Ok(AgreementOutputs::of(analysis, study.display().to_string()))
    })?
    .map_err(|error| agree_error(py, &study, error))?;
    RunResult::new(Outputs::Agreement(Box::new(analysed)), vec![study])
        .map_err(|e| to_python(py, e))
}

/// nucagree's engine, wrapped by the `nucagree` package.
#[pymodule]
fn _nucagree(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<Set>()?;
    module.add_class::<RunResult>()?;
    module.add_function(wrap_pyfunction!(sets::read_set, module)?)?;
    module.add_function(wrap_pyfunction!(sets::set_of_table, module)?)?;
    module.add_function(wrap_pyfunction!(sets::set_of_label_maps, module)?)?;
    module.add_function(wrap_pyfunction!(compare, module)?)?;
    module.add_function(wrap_pyfunction!(score, module)?)?;
    module.add_function(wrap_pyfunction!(agree, module)?)?;
    module.add_function(wrap_pyfunction!(partial, module)?)?;
    module.add_function(wrap_pyfunction!(agree_partial, module)?)?;
    module.add_function(wrap_pyfunction!(merge, module)?)?;
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
