//! # nucagree
//!
//! Measures how well annotators agree on cell nuclei in pathology images, and how well a
//! model's predictions agree with the truth, on the NuCLS dataset (Amgad et al.,
//! GigaScience 2022) and sets laid out like it.
//!
//! The pipeline runs in one direction:
//! [`ingest`] (every error has a location) → [`model`] (validated shapes, the class
//! hierarchy) → statistics → plain result structs ([`inspect`]) → [`report`] (Markdown,
//! JSON). Only `ingest` and `report` touch the file system.
//!
//! ```
//! use nucagree::ingest::{read_set, ReadOptions};
//! use nucagree::inspect::InspectSummary;
//!
//! let dir = tempfile::tempdir()?;
//! std::fs::create_dir(dir.path().join("csv"))?;
//! std::fs::write(
//!     dir.path().join("csv/fov1.csv"),
//!     "raw_classification,type,coords_x,coords_y\n\
//!      tumor,rectangle,\"0,10,10,0,0\",\"0,0,10,10,0\"\n\
//!      lymphocyte,point,5,5\n",
//! )?;
//! let set = read_set(dir.path(), &ReadOptions::default())?;
//! let summary = InspectSummary::of_set(&set);
//! assert_eq!((summary.fovs, summary.nuclei), (1, 2));
//! assert_eq!(summary.shapes.box_, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod agreement;
pub mod choice;
pub mod comparison;
pub mod conventions;
pub mod error;
pub mod geometry;
pub mod ingest;
pub mod inspect;
pub mod matching;
pub mod model;
pub mod plots;
pub mod png;
pub mod quality;
pub mod random;
pub mod regions;
pub mod report;
pub mod simulate;
pub mod stats;
pub mod tables;
pub mod tiff;
pub mod writers;

pub use error::{Error, Location, Problem, Result};
