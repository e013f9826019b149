//! How input is read: the options shared by every command that reads annotations.

use anyhow::Result;
use clap::Args;
use nucagree::ingest::{metadata, Format, ReadOptions, Strictness, TypeMap};
use nucagree::model::ClassHierarchy;
use std::path::PathBuf;
use std::sync::Arc;

/// How input is read; shared by every command that reads annotations.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// The input format; by default it is told from the content.
    #[arg(long, value_enum, default_value = "auto")]
    input_format: FormatArg,
    /// A class hierarchy CSV (raw_classification, main_classification, super_classification)
    /// to use instead of the built-in NuCLS one.
    #[arg(long, value_name = "FILE")]
    hierarchy: Option<PathBuf>,
    /// A CSV (name, raw_classification) mapping class names found in files to raw classes.
    #[arg(long, value_name = "FILE")]
    class_map: Option<PathBuf>,
    /// Hugging Face parquet: read only this split (train_fold_1 ... test_fold_5,
    /// train_fold_999, test_fold_999).
    #[arg(long, value_name = "SPLIT")]
    split: Option<String>,
    /// HoVer-Net JSON: a CSV (type, class) giving the raw class of each type id.
    #[arg(long, value_name = "FILE")]
    type_map: Option<PathBuf>,
    /// COCO detection results (a bare list): the ground-truth COCO file whose images and
    /// categories they refer to (score takes --truth when it is COCO).
    #[arg(long, value_name = "FILE")]
    coco_images: Option<PathBuf>,
    /// Skip rows with problems (counted and listed in the data-quality findings) instead of
    /// stopping at the first.
    #[arg(long)]
    lenient: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FormatArg {
    Auto,
    Nucls,
    Mask,
    HuggingFace,
    Coco,
    Geojson,
    Hovernet,
}

impl InputArgs {
    pub fn read_options(&self) -> Result<ReadOptions> {
        let mut hierarchy = match &self.hierarchy {
            Some(path) => metadata::read_hierarchy(path)?,
            None => ClassHierarchy::nucls(),
        };
        if let Some(path) = &self.class_map {
            metadata::apply_class_map(path, &mut hierarchy)?;
        }
        let type_map = match &self.type_map {
            Some(path) => TypeMap::read(path, &hierarchy)?,
            None => TypeMap::default(),
        };
        Ok(ReadOptions {
            hierarchy: Arc::new(hierarchy),
            strictness: if self.lenient {
                Strictness::Lenient
            } else {
                Strictness::Strict
            },
            format: match self.input_format {
                FormatArg::Auto => None,
                FormatArg::Nucls => Some(Format::Nucls),
                FormatArg::Mask => Some(Format::Mask),
                FormatArg::HuggingFace => Some(Format::HuggingFace),
                FormatArg::Coco => Some(Format::Coco),
                FormatArg::Geojson => Some(Format::GeoJson),
                FormatArg::Hovernet => Some(Format::HoverNet),
            },
            split: self.split.clone(),
            type_map: Arc::new(type_map),
            coco_images: self.coco_images.clone(),
        })
    }
}
