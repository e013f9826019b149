//! How much two rater groups' agreement differs: the difference of a coefficient between
//! groups (Fleiss' κ of the senior pathologists minus that of the non-pathologists), with a
//! cluster-bootstrap interval that resamples the same FOVs for both groups, so that the
//! interval reflects that both groups rated the same material. A rank test over raters cannot
//! do this with groups of two or six raters; the FOVs are many. Also: how agreement on the
//! class depends on how many raters detected a nucleus.

use super::coefficient::Coefficient;
use super::study::{FovAnchors, Study};
use super::summary::Estimate;
use super::tally::AgreementLayout;
use crate::model::ClassLevel;
use crate::stats::bootstrap::{tally_bootstrap, BootstrapOptions, TallyStatistic};
use rayon::prelude::*;
use serde::Serialize;

/// One coefficient of group A minus that of group B at one level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupDifference {
    pub level: ClassLevel,
    /// The coefficient's key (`fleiss_kappa`).
    pub coefficient: &'static str,
    pub group_a: String,
    pub group_b: String,
    pub value_a: Option<f64>,
    pub value_b: Option<f64>,
    /// A minus B, with its bootstrap SE and 95% interval over FOVs.
    pub difference: Estimate,
}

/// The coefficients whose group differences are reported.
pub const COMPARED: [Coefficient; 1] = [Coefficient::FleissKappa];

/// The difference of each compared coefficient at each level between every two groups of at
/// least two raters (`groups`: name and members), in the groups' order.
pub fn group_differences(
    study: &Study<'_>,
    labelled: &[FovAnchors],
    groups: &[(String, Vec<usize>)],
    bootstrap: Option<&BootstrapOptions>,
) -> Vec<GroupDifference> {
    let layout = AgreementLayout::new(&study.hierarchy, study.raters.len());
    let width = layout.width;
    let rated: Vec<&(String, Vec<usize>)> = groups.iter().filter(|(_, m)| m.len() >= 2).collect();
    let mut differences = Vec::new();
    for (i, (name_a, members_a)) in rated.iter().map(|g| (&g.0, &g.1)).enumerate() {
        for (name_b, members_b) in rated[i + 1..].iter().map(|g| (&g.0, &g.1)) {
            // One tally per FOV: group A's, then group B's shifted by the width.
            let tallies: Vec<Vec<(u32, f64)>> = labelled
                .par_iter()
                .map(|f| {
                    let mut tally = layout.tally(f, members_a, &study.hierarchy);
                    tally.extend(
                        layout
                            .tally(f, members_b, &study.hierarchy)
                            .into_iter()
                            .map(|(p, v)| (p + width as u32, v)),
                    );
                    tally
                })
                .collect();
            let mut total = vec![0.0; 2 * width];
            for tally in &tallies {
                for &(p, v) in tally {
                    total[p as usize] += v;
                }
            }
            let keys: Vec<(ClassLevel, Coefficient)> = ClassLevel::ALL
                .iter()
                .flat_map(|&level| COMPARED.map(|c| (level, c)))
                .collect();
            let of = |c: Coefficient, sum: &[f64], level: ClassLevel| {
                let a = c.of_tally(&layout, &sum[..width], level);
                let b = c.of_tally(&layout, &sum[width..], level);
                (a, b)
            };
            let statistics: Vec<_> = keys
                .iter()
                .map(|&(level, c)| {
                    move |sum: &[f64]| {
                        let (a, b) = of(c, sum, level);
                        Some(a? - b?)
                    }
                })
                .collect();
            let borrowed: Vec<TallyStatistic<'_>> =
                statistics.iter().map(|s| s as TallyStatistic<'_>).collect();
            let intervals = bootstrap.map(|b| tally_bootstrap(&tallies, 2 * width, &borrowed, b));
            for (k, &(level, c)) in keys.iter().enumerate() {
                let (value_a, value_b) = of(c, &total, level);
                let result = intervals.as_ref().and_then(|r| r[k].as_ref());
                differences.push(GroupDifference {
                    level,
                    coefficient: c.key(),
                    group_a: name_a.clone(),
                    group_b: name_b.clone(),
                    value_a,
                    value_b,
                    difference: Estimate {
                        value: value_a.zip(value_b).map(|(a, b)| a - b),
                        se: result.map(|r| r.se),
                        ci95: result.and_then(|r| r.ci),
                    },
                });
            }
        }
    }
    differences
}

/// The anchors detected by one number of raters, and how often those raters agree on the
/// class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ByDetections {
    pub raters_detecting: usize,
    pub anchors: usize,
    /// Per level (raw, main, super): the share of pairs of detecting raters who gave the
    /// same class, averaged over the anchors (undefined for anchors one rater detected).
    pub class_agreement: [Option<f64>; 3],
}

/// Anchors grouped by how many raters detected them (1, 2, ...), with the detecting raters'
/// mean pairwise agreement on the class at each level.
pub fn by_detections(study: &Study<'_>, labelled: &[FovAnchors]) -> Vec<ByDetections> {
    let most = labelled
        .iter()
        .flat_map(|f| &f.anchors)
        .map(|a| a.detections())
        .max()
        .unwrap_or(0);
    let mut anchors = vec![0usize; most];
    let mut agreement_sums = vec![[0.0f64; 3]; most];
    let mut counts: Vec<f64> = Vec::new();
    for anchor in labelled.iter().flat_map(|f| &f.anchors) {
        let m = anchor.detections();
        if m == 0 {
            continue;
        }
        anchors[m - 1] += 1;
        if m < 2 {
            continue;
        }
        for level in ClassLevel::ALL {
            counts.clear();
            counts.resize(study.hierarchy.names(level).len(), 0.0);
            for label in &anchor.labels {
                if let super::study::Label::Class(id) = label {
                    counts[study.hierarchy.index(*id, level)] += 1.0;
                }
            }
            let m = m as f64;
            let agreeing: f64 = counts.iter().map(|x| x * (x - 1.0)).sum();
            agreement_sums[m as usize - 1][level.position()] += agreeing / (m * (m - 1.0));
        }
    }
    (0..most)
        .map(|i| ByDetections {
            raters_detecting: i + 1,
            anchors: anchors[i],
            class_agreement: ClassLevel::ALL.map(|level| {
                (i >= 1 && anchors[i] > 0)
                    .then(|| agreement_sums[i][level.position()] / anchors[i] as f64)
            }),
        })
        .collect()
}
