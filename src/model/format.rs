//! The formats annotation sets are read from.

use serde::Serialize;

/// An input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// NuCLS's CSV per FOV.
    Nucls,
    /// NuCLS's mask PNG per FOV.
    Mask,
    /// The Hugging Face dataset `minhanhto09/NuCLS_dataset` exported to parquet.
    HuggingFace,
    /// COCO ground truth or detection results.
    Coco,
    /// GeoJSON per FOV (QuPath).
    GeoJson,
    /// HoVer-Net's JSON per FOV.
    HoverNet,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Nucls => "nucls",
            Format::Mask => "mask",
            Format::HuggingFace => "hugging-face",
            Format::Coco => "coco",
            Format::GeoJson => "geojson",
            Format::HoverNet => "hovernet",
        }
    }

    /// A description for reports.
    pub fn describe(self) -> &'static str {
        match self {
            Format::Nucls => "NuCLS CSVs, one per FOV",
            Format::Mask => "NuCLS masks, one PNG per FOV (outlines traced)",
            Format::HuggingFace => "the Hugging Face NuCLS export (parquet)",
            Format::Coco => "COCO JSON",
            Format::GeoJson => "GeoJSON, one file per FOV",
            Format::HoverNet => "HoVer-Net JSON, one file per FOV",
        }
    }

    /// Whether the format holds one FOV per file, so that a folder of files is a set.
    pub fn is_per_fov(self) -> bool {
        matches!(
            self,
            Format::Nucls | Format::Mask | Format::GeoJson | Format::HoverNet
        )
    }

    /// The file name endings of the format's per-FOV files.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Format::Nucls => &[".csv"],
            Format::Mask => &[".png"],
            Format::GeoJson => &[".geojson", ".json"],
            Format::HoverNet => &[".json"],
            Format::HuggingFace => &[".parquet"],
            Format::Coco => &[".json"],
        }
    }
}
