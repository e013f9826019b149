//! PanNuke's figures (`run.py` of TissueImageAnalytics/PanNuke-metrics): per image, PQ of
//! each class (undefined when the truth has none of it) and binary PQ (undefined when the
//! truth is empty); mPQ is the mean over tissues of the mean over images of each image's
//! mean over classes, every mean skipping undefined values (numpy's `nanmean`).

use super::hovernet::hovernet_pq;
use super::pairing::unique_pairs;
use super::{mean_of_defined, InstanceImage, Keyed};
use serde::Serialize;

/// One group's (tissue's) figures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GroupFigures {
    pub mpq: Option<f64>,
    pub bpq: Option<f64>,
    pub images: usize,
}

/// PanNuke's figures over a set of images.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PanNukeFigures {
    pub mpq: Option<f64>,
    pub bpq: Option<f64>,
    /// Each class's PQ, averaged over the images whose truth has the class.
    pub per_class_pq: Keyed<Option<f64>>,
    /// By tissue (or `--image-groups` group); images without one form the group `all`.
    pub per_tissue: Keyed<GroupFigures>,
}

/// The name of the group of images that have none.
pub const NO_GROUP: &str = "all";

/// PQ as `get_fast_pq` gives it, undefined when the truth has nothing (of that class).
fn pq_where_truth(image: &InstanceImage, class: Option<usize>) -> Option<f64> {
    if image.counts(class).0 == 0 {
        return None;
    }
    hovernet_pq(unique_pairs(image, class)).2
}

/// PanNuke's figures; `class_names` are the scheme's classes.
pub fn pannuke_figures(images: &[InstanceImage], class_names: &[String]) -> PanNukeFigures {
    let per_image: Vec<Vec<Option<f64>>> = images
        .iter()
        .map(|image| {
            (0..class_names.len())
                .map(|class| pq_where_truth(image, Some(class)))
                .collect()
        })
        .collect();
    let image_mpq: Vec<Option<f64>> = per_image
        .iter()
        .map(|classes| mean_of_defined(classes.iter().copied()))
        .collect();
    let image_bpq: Vec<Option<f64>> = images.iter().map(|i| pq_where_truth(i, None)).collect();
    let per_class_pq = class_names
        .iter()
        .enumerate()
        .map(|(class, name)| {
            (
                name.clone(),
                mean_of_defined(per_image.iter().map(|c| c[class])),
            )
        })
        .collect();
    let mut groups: Vec<String> = images
        .iter()
        .map(|i| i.group.clone().unwrap_or_else(|| NO_GROUP.to_string()))
        .collect();
    groups.sort();
    groups.dedup();
    let per_tissue: Vec<(String, GroupFigures)> = groups
        .into_iter()
        .map(|group| {
            let members: Vec<usize> = (0..images.len())
                .filter(|&i| images[i].group.as_deref().unwrap_or(NO_GROUP) == group)
                .collect();
            let figures = GroupFigures {
                mpq: mean_of_defined(members.iter().map(|&i| image_mpq[i])),
                bpq: mean_of_defined(members.iter().map(|&i| image_bpq[i])),
                images: members.len(),
            };
            (group, figures)
        })
        .collect();
    PanNukeFigures {
        mpq: mean_of_defined(per_tissue.iter().map(|(_, g)| g.mpq)),
        bpq: mean_of_defined(per_tissue.iter().map(|(_, g)| g.bpq)),
        per_class_pq: Keyed(per_class_pq),
        per_tissue: Keyed(per_tissue),
    }
}
