//! Annotation sets in Python: read from a path, or built in memory from a table of nuclei
//! (CSV text the Python side makes of a DataFrame) or from label maps (numpy arrays' bytes).

use crate::errors::{bad_option, to_python};
use crate::options::{read_options, Kwargs};
use nucagree::ingest::memory::{self, InstanceClasses, LabelMapInput};
use nucagree::ingest::{self, ReadOptions};
use nucagree::model::{AnnotationSet, ClassLevel};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// One annotation set: a rater's, a corrected set, a model's predictions.
#[pyclass(frozen, module = "nucagree._nucagree", name = "AnnotationSet")]
pub struct Set {
    pub set: Arc<AnnotationSet>,
    /// The path it was read from (`None` in memory).
    pub path: Option<PathBuf>,
}

#[pymethods]
impl Set {
    /// The set's name (its folder's, or the one given).
    #[getter]
    fn name(&self) -> &str {
        &self.set.name
    }

    /// Where it was read from, or `<memory>`.
    #[getter]
    fn path(&self) -> String {
        self.set.root.display().to_string()
    }

    #[getter]
    fn n_fovs(&self) -> usize {
        self.set.fovs.len()
    }

    #[getter]
    fn n_nuclei(&self) -> usize {
        self.set.nucleus_count()
    }

    /// The format it was read from.
    #[getter]
    fn input_format(&self) -> &'static str {
        self.set.format.name()
    }

    /// The FOV names, sorted.
    fn fov_names(&self) -> Vec<String> {
        self.set.fovs.iter().map(|f| f.name.clone()).collect()
    }

    /// The raw classes of the set's class hierarchy.
    fn classes(&self) -> Vec<String> {
        self.set.hierarchy.names(ClassLevel::Raw).to_vec()
    }

    /// The data-quality findings: (what was found, count) for each kind found.
    fn data_quality(&self) -> Vec<(String, usize)> {
        nucagree::quality::QualityCount::all(&self.set.quality)
            .into_iter()
            .map(|c| (c.description, c.count))
            .collect()
    }

    /// The nuclei as parquet bytes (one row per nucleus; `to_polars` reads them).
    fn nuclei_parquet<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let set = self.set.clone();
        let bytes = py
            .detach(move || {
                let mut frame = nucagree::tables::nuclei::nuclei(&set)?;
                nucagree::writers::files::parquet_bytes(&mut frame)
            })
            .map_err(|e| to_python(py, e))?;
        Ok(PyBytes::new(py, &bytes))
    }

    fn __repr__(&self) -> String {
        format!(
            "AnnotationSet({:?}: {} FOVs, {} nuclei, from {})",
            self.set.name,
            self.set.fovs.len(),
            self.set.nucleus_count(),
            self.set.root.display()
        )
    }
}

/// Reads an annotation set from a path (any format nucagree reads).
#[pyfunction]
#[pyo3(signature = (path, **kwargs))]
pub fn read_set(
    py: Python<'_>,
    path: PathBuf,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<Set> {
    let mut kwargs = Kwargs::new("read_set", kwargs)?;
    let options = read_options(&mut kwargs)?;
    let threads = kwargs.usize("threads")?;
    kwargs.finish()?;
    let read = crate::run_on(threads, py, || ingest::read_set(&path, &options))?;
    Ok(Set {
        set: Arc::new(read.map_err(|e| to_python(py, e))?),
        path: Some(path),
    })
}

/// A set from a table of nuclei as CSV text (the NuCLS columns and `fov`).
#[pyfunction]
#[pyo3(signature = (csv, name, **kwargs))]
pub fn set_of_table(
    py: Python<'_>,
    csv: &[u8],
    name: &str,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<Set> {
    let mut kwargs = Kwargs::new("set_of_table", kwargs)?;
    let options = read_options(&mut kwargs)?;
    kwargs.finish()?;
    let csv = csv.to_vec();
    let set = py
        .detach(|| memory::set_of_table(name, &csv, &options))
        .map_err(|e| to_python(py, e))?;
    Ok(Set {
        set: Arc::new(set),
        path: None,
    })
}

/// One label map as the Python side hands it over: name, height, width, instance ids as
/// little-endian u32 bytes, and the classes (a dict {id: name}, class ids as u32 bytes, or
/// `None`).
type LabelMapArgs<'py> = (String, u32, u32, Vec<u8>, Bound<'py, PyAny>);

/// A set from instance label maps.
#[pyfunction]
#[pyo3(signature = (maps, name, **kwargs))]
pub fn set_of_label_maps(
    py: Python<'_>,
    maps: Vec<LabelMapArgs<'_>>,
    name: &str,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<Set> {
    let mut kwargs = Kwargs::new("set_of_label_maps", kwargs)?;
    let options: ReadOptions = read_options(&mut kwargs)?;
    kwargs.finish()?;
    let words = |bytes: &[u8]| -> Vec<u32> {
        bytes
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    };
    let mut inputs = Vec::with_capacity(maps.len());
    for (image, height, width, ids, classes) in maps {
        let classes = if classes.is_none() {
            InstanceClasses::None
        } else if let Ok(bytes) = classes.cast::<PyBytes>() {
            InstanceClasses::ByPixel(words(bytes.as_bytes()))
        } else {
            let names: HashMap<u32, String> = classes.extract().map_err(|_| {
                bad_option(format!(
                    "image {image:?}: classes: expected a dict {{instance id: class name}} or a class-id array"
                ))
            })?;
            InstanceClasses::ByInstance(names)
        };
        inputs.push(LabelMapInput {
            name: image,
            width,
            height,
            ids: words(&ids),
            classes,
        });
    }
    let set = py
        .detach(|| memory::set_of_label_maps(name, inputs, &options))
        .map_err(|e| to_python(py, e))?;
    Ok(Set {
        set: Arc::new(set),
        path: None,
    })
}
