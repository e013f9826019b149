//! How input is read: the options shared by every command that reads annotations.

use super::common::choice;
use anyhow::Result;
use clap::Args;
use nucagree::ingest::dsa_study::RaterFrom;
use nucagree::ingest::options::ClassSources;
use nucagree::ingest::registry::{self, READERS};
use nucagree::ingest::{metadata, QupathGeometry, ReadOptions, Strictness};
use nucagree::model::ClassScheme;
use std::path::PathBuf;
use std::sync::Arc;

/// How input is read; shared by every command that reads annotations.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// The input format; by default it is told from the content.
    #[arg(long, default_value = "auto", value_parser = input_formats())]
    input_format: String,
    /// A class hierarchy CSV (raw_classification, main_classification, super_classification)
    /// to use instead of the built-in NuCLS one.
    #[arg(long, value_name = "FILE", conflicts_with = "classes")]
    hierarchy: Option<PathBuf>,
    /// A built-in class scheme: nucls, conic (CoNIC/Lizard), pannuke, consep (HoVer-Net's
    /// seven types and its four-class merge), monusac, nucleus (one class). By default NuCLS's,
    /// except for inputs with a scheme of their own (CoNIC and PanNuke arrays; label images
    /// take the first scheme that knows their classes, or nucleus without class tables).
    #[arg(long, value_name = "SCHEME", value_parser = class_schemes())]
    classes: Option<String>,
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
    /// GeoJSON from QuPath: read a cell object by its nucleus (`nucleusGeometry`) or by its
    /// cell outline (`geometry`). Detections and annotations have only `geometry`.
    #[arg(long, default_value = "nucleus", value_name = "OUTLINE", value_parser = choice::<QupathGeometry>())]
    qupath_geometry: QupathGeometry,
    /// GeoJSON from QuPath: keep each object's `measurements` (area, intensities, …) and
    /// write them into the table of matches (`a.<name>`, `b.<name>`) and back into GeoJSON.
    #[arg(long)]
    keep_measurements: bool,
    /// Read a folder of Digital Slide Archive annotation files (one per FOV) as a multi-rater
    /// study, each document's rater being its creator (user.login or creatorId) or its name.
    #[arg(long, value_name = "FIELD", value_parser = choice::<RaterFrom>())]
    rater_from: Option<RaterFrom>,
    /// Refuse masks declaring more pixels than this, before decoding them.
    #[arg(long, default_value_t = nucagree::png::DEFAULT_MAX_IMAGE_PIXELS, value_name = "N")]
    max_image_pixels: u64,
    /// A CSV `image,group` giving each image (FOV) a group, as PanNuke's tissues group its
    /// images (PanNuke's mPQ averages over groups).
    #[arg(long, value_name = "FILE")]
    image_groups: Option<PathBuf>,
    /// Skip rows with problems (counted and listed in the data-quality findings) instead of
    /// stopping at the first.
    #[arg(long)]
    lenient: bool,
}

/// The built-in class schemes.
fn class_schemes() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(ClassScheme::ALL.map(ClassScheme::name))
}

/// `auto` and the name of every registered reader's format.
fn input_formats() -> clap::builder::PossibleValuesParser {
    let names = READERS.iter().map(|r| r.format().name());
    clap::builder::PossibleValuesParser::new(std::iter::once("auto").chain(names))
}

impl InputArgs {
    pub fn read_options(&self) -> Result<ReadOptions> {
        let sources = ClassSources {
            hierarchy: self.hierarchy.clone(),
            scheme: self.classes.as_deref().and_then(ClassScheme::named),
            class_map: self.class_map.clone(),
            type_map: self.type_map.clone(),
        };
        Ok(ReadOptions {
            strictness: if self.lenient {
                Strictness::Lenient
            } else {
                Strictness::Strict
            },
            format: registry::format_named(&self.input_format),
            split: self.split.clone(),
            coco_images: self.coco_images.clone(),
            max_image_pixels: self.max_image_pixels,
            qupath_geometry: self.qupath_geometry,
            measurements: if self.keep_measurements {
                nucagree::model::MeasurementsMode::Keep
            } else {
                nucagree::model::MeasurementsMode::Drop
            },
            rater_from: self.rater_from,
            image_groups: match &self.image_groups {
                Some(path) => Some(Arc::new(metadata::read_image_groups(path)?)),
                None => None,
            },
            ..ReadOptions::with_classes(&sources)?
        })
    }
}
