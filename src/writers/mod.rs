//! Writing annotation sets, mirroring [`crate::ingest`]: the NuCLS layout ([`nucls`]), COCO
//! and GeoJSON ([`set`]), Hugging Face parquet ([`hugging_face`]) and the simulator's folders
//! ([`simulation`]), all through [`files`], which writes every file through a temporary
//! file and a rename and refuses an output inside an input; [`output_folder`] stages a
//! command's whole `--out` and renames it into place.

pub mod files;
pub mod geojson;
pub mod hugging_face;
pub mod nucls;
pub mod output_folder;
pub mod partial;
pub mod set;
pub mod simulation;
