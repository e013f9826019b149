//! Per-FOV tallies of anchor labels from which Fleiss' kappa, Gwet's AC1 and Krippendorff's
//! alpha follow as sums, so FOVs add up and the bootstrap resamples FOVs by adding tallies.
//!
//! At each level the categories are the level's classes and, last, `undetected`. Per level:
//! the number of anchors with at least two ratings, the sum of their pairwise agreement, the
//! sum of each category's share of their ratings (irrCAC's generalised Fleiss' kappa and AC1,
//! over anchors with two or more ratings, `undetected` a category, missing ratings left out);
//! each category's share of the pairs of ratings that split on it (the per-category kappa);
//! and the two coincidence matrices of nominal alpha: with `undetected` a category
//! (detection and classification) and with it missing (classification).

use super::study::{FovAnchors, Label};
use crate::model::{ClassHierarchy, ClassLevel};
use crate::stats::bootstrap::compact_tally;
use crate::stats::krippendorff::nominal_alpha;

/// Where each sum lives in a tally vector.
#[derive(Debug, Clone, PartialEq)]
pub struct AgreementLayout {
    classes: [usize; 3],
    offsets: [usize; 3],
    /// The most raters a tally counts (each has a block of counts by category).
    raters: usize,
    pub width: usize,
}

impl AgreementLayout {
    /// The layout of tallies of up to `raters` raters.
    pub fn new(hierarchy: &ClassHierarchy, raters: usize) -> AgreementLayout {
        let classes = ClassLevel::ALL.map(|l| hierarchy.names(l).len());
        let mut offsets = [0; 3];
        let mut offset = 0;
        for s in 0..3 {
            offsets[s] = offset;
            let k = classes[s];
            offset += 2 + 2 * (k + 1) + (k + 1) * (k + 1) + k * k + raters * (k + 1) + 2 * (k + 1);
        }
        AgreementLayout {
            classes,
            offsets,
            raters,
            width: offset,
        }
    }

    /// Where the counts by category of each rater (by position in the tally's raters) start,
    /// at `level`.
    fn by_rater(&self, level: ClassLevel) -> usize {
        let (k, _, _, _, classification) = self.parts(level);
        classification + k * k
    }

    fn parts(&self, level: ClassLevel) -> (usize, usize, usize, usize, usize) {
        let s = level.position();
        let k = self.classes[s];
        let units = self.offsets[s];
        let shares = units + 2;
        // Then the split pairs of each category, then the coincidences.
        let detection = shares + 2 * (k + 1);
        let classification = detection + (k + 1) * (k + 1);
        (k, units, shares, detection, classification)
    }

    /// Where the specific agreement's sums start at `level`: `Σ n_j (n_j - 1)` of each
    /// category, then `Σ n_j (m - 1)`.
    fn specific(&self, level: ClassLevel) -> usize {
        let k = self.classes[level.position()];
        self.by_rater(level) + self.raters * (k + 1)
    }

    /// The sparse tally of one FOV, counting the raters in `raters` only (at most the
    /// layout's number).
    pub fn tally(
        &self,
        fov: &FovAnchors,
        raters: &[usize],
        hierarchy: &ClassHierarchy,
    ) -> Vec<(u32, f64)> {
        let mut dense: Vec<(u32, f64)> = Vec::new();
        let mut counts: Vec<f64> = Vec::new();
        debug_assert!(raters.len() <= self.raters);
        for level in ClassLevel::ALL {
            let (k, units, shares, detection, classification) = self.parts(level);
            let by_rater = self.by_rater(level);
            let specific = self.specific(level);
            for anchor in &fov.anchors {
                counts.clear();
                counts.resize(k + 1, 0.0);
                let mut detected = false;
                for &r in raters {
                    match anchor.labels[r] {
                        Label::Class(id) => {
                            counts[hierarchy.index(id, level)] += 1.0;
                            detected = true;
                        }
                        Label::Undetected => counts[k] += 1.0,
                        Label::Missing => {}
                    }
                }
                if !detected {
                    continue;
                }
                let m: f64 = counts.iter().sum();
                if m >= 2.0 {
                    dense.push((units as u32, 1.0));
                    let agreement =
                        counts.iter().map(|x| x * (x - 1.0)).sum::<f64>() / (m * (m - 1.0));
                    dense.push((units as u32 + 1, agreement));
                    for (j, &x) in counts.iter().enumerate() {
                        if x > 0.0 {
                            dense.push(((specific + j) as u32, x * (x - 1.0)));
                            dense.push(((specific + k + 1 + j) as u32, x * (m - 1.0)));
                            dense.push(((shares + j) as u32, x / m));
                            if x < m {
                                let split = x * (m - x) / (m * (m - 1.0));
                                dense.push(((shares + k + 1 + j) as u32, split));
                            }
                        }
                    }
                    coincide(&mut dense, &counts, detection, k + 1);
                    for (position, &r) in raters.iter().enumerate() {
                        let category = match anchor.labels[r] {
                            Label::Class(id) => hierarchy.index(id, level),
                            Label::Undetected => k,
                            Label::Missing => continue,
                        };
                        dense.push(((by_rater + position * (k + 1) + category) as u32, 1.0));
                    }
                }
                let classified: f64 = counts[..k].iter().sum();
                if classified >= 2.0 {
                    coincide(&mut dense, &counts[..k], classification, k);
                }
            }
        }
        compact_tally(dense)
    }

    /// Generalised Fleiss' kappa (irrCAC) over anchors with two or more ratings.
    pub fn fleiss(&self, sum: &[f64], level: ClassLevel) -> Option<f64> {
        let (observed, shares) = self.agreement(sum, level)?;
        let expected: f64 = shares.iter().map(|s| s * s).sum();
        (1.0 - expected > f64::EPSILON).then(|| (observed - expected) / (1.0 - expected))
    }

    /// The kappa of category `j` (the level's classes, then `undetected`): irrCAC's
    /// generalised Fleiss' kappa of the ratings collapsed to `j` against every other
    /// category, over anchors with two or more ratings. With as many ratings per anchor it is
    /// Fleiss' (1971) kappa of the category, `1 - Σ x(m - x) / (N m (m - 1) p q)`. `None` when
    /// no one, or everyone, chose `j`.
    pub fn category_kappa(&self, sum: &[f64], level: ClassLevel, j: usize) -> Option<f64> {
        let (k, units, shares, _, _) = self.parts(level);
        let n = sum[units];
        if n < 1.0 || j > k {
            return None;
        }
        let p = sum[shares + j] / n;
        let split = sum[shares + k + 1 + j] / n;
        let chance = p * (1.0 - p);
        (chance > f64::EPSILON).then(|| 1.0 - split / chance)
    }

    /// The specific agreement on category `j` (the level's classes, then `undetected`) over
    /// anchors with two or more ratings: of the pairs of one anchor's ratings in which one is
    /// `j`, the share in which both are (see [`crate::stats::specific_agreement`]). `None`
    /// when no one chose `j`.
    pub fn specific_agreement(&self, sum: &[f64], level: ClassLevel, j: usize) -> Option<f64> {
        let k = self.classes[level.position()];
        let specific = self.specific(level);
        if j > k {
            return None;
        }
        let pairs = sum[specific + k + 1 + j];
        (pairs > 0.0).then(|| sum[specific + j] / pairs)
    }

    /// The share of category `j` among the ratings of anchors with two or more ratings (the
    /// mean over anchors of its share of each anchor's ratings, as irrCAC weighs them).
    pub fn category_share(&self, sum: &[f64], level: ClassLevel, j: usize) -> Option<f64> {
        let (k, units, shares, _, _) = self.parts(level);
        let n = sum[units];
        (n >= 1.0 && j <= k).then(|| sum[shares + j] / n)
    }

    /// Gwet's AC1 (irrCAC), counting the categories observed.
    pub fn gwet_ac1(&self, sum: &[f64], level: ClassLevel) -> Option<f64> {
        let (observed, shares) = self.agreement(sum, level)?;
        let seen: Vec<f64> = shares.into_iter().filter(|&s| s > 0.0).collect();
        let q = seen.len() as f64;
        if q < 2.0 {
            return None;
        }
        let expected = seen.iter().map(|s| s * (1.0 - s)).sum::<f64>() / (q - 1.0);
        (1.0 - expected > f64::EPSILON).then(|| (observed - expected) / (1.0 - expected))
    }

    fn agreement(&self, sum: &[f64], level: ClassLevel) -> Option<(f64, Vec<f64>)> {
        let (k, units, shares, _, _) = self.parts(level);
        let n = sum[units];
        if n < 1.0 {
            return None;
        }
        let observed = sum[units + 1] / n;
        let shares = (0..=k).map(|j| sum[shares + j] / n).collect();
        Some((observed, shares))
    }

    /// Brennan and Prediger's coefficient over anchors with two or more ratings, chance
    /// agreement `1/q` with `q` the categories observed there (irrCAC's `bp.coeff.raw` on
    /// those anchors).
    pub fn brennan_prediger(&self, sum: &[f64], level: ClassLevel) -> Option<f64> {
        let (observed, shares) = self.agreement(sum, level)?;
        let q = shares.iter().filter(|&&s| s > 0.0).count();
        crate::stats::brennan_prediger::brennan_prediger_of(observed, q)
    }

    /// Conger's kappa over anchors with two or more ratings, each rater's category shares
    /// taken over the ratings they gave there (irrCAC's `conger.kappa.raw` on those anchors;
    /// raters without a rating there left out).
    pub fn conger_kappa(&self, sum: &[f64], level: ClassLevel) -> Option<f64> {
        let (observed, _) = self.agreement(sum, level)?;
        let k = self.classes[level.position()];
        let start = self.by_rater(level);
        let by_rater: Vec<Vec<f64>> = (0..self.raters)
            .map(|position| {
                let at = start + position * (k + 1);
                sum[at..at + k + 1].to_vec()
            })
            .collect();
        let chance = crate::stats::conger::conger_chance(&by_rater)?;
        (1.0 - chance > f64::EPSILON).then(|| (observed - chance) / (1.0 - chance))
    }

    /// Nominal alpha with `undetected` a category.
    pub fn alpha_detection(&self, sum: &[f64], level: ClassLevel) -> Option<f64> {
        let (k, _, _, detection, _) = self.parts(level);
        nominal_alpha(&sum[detection..detection + (k + 1) * (k + 1)], k + 1)
    }

    /// Nominal alpha with `undetected` missing.
    pub fn alpha_classification(&self, sum: &[f64], level: ClassLevel) -> Option<f64> {
        let (k, _, _, _, classification) = self.parts(level);
        nominal_alpha(&sum[classification..classification + k * k], k)
    }

    /// Anchors with two or more ratings at `level` (the units of Fleiss' kappa and AC1).
    pub fn units(&self, sum: &[f64], level: ClassLevel) -> f64 {
        sum[self.parts(level).1]
    }
}

/// Adds a unit's pairable values to the coincidence matrix starting at `offset`.
fn coincide(dense: &mut Vec<(u32, f64)>, counts: &[f64], offset: usize, width: usize) {
    let m: f64 = counts.iter().sum();
    for (c, &nc) in counts.iter().enumerate() {
        if nc == 0.0 {
            continue;
        }
        for (k, &nk) in counts.iter().enumerate() {
            if nk == 0.0 {
                continue;
            }
            let pairs = if c == k { nc * (nc - 1.0) } else { nc * nk };
            if pairs > 0.0 {
                dense.push(((offset + c * width + k) as u32, pairs / (m - 1.0)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::fleiss::fleiss_kappa_generalized;
    use crate::stats::gwet::gwet_ac1;
    use crate::stats::krippendorff::{krippendorff_alpha, Level};

    #[test]
    fn tallies_reproduce_the_reference_statistics() {
        let hierarchy = ClassHierarchy::nucls();
        let tumor = Label::Class(hierarchy.resolve("tumor").unwrap().id);
        let lymph = Label::Class(hierarchy.resolve("lymphocyte").unwrap().id);
        let plasma = Label::Class(hierarchy.resolve("plasma_cell").unwrap().id);
        let (u, m) = (Label::Undetected, Label::Missing);
        let rows = [
            vec![tumor, tumor, tumor, m],
            vec![tumor, lymph, u, m],
            vec![lymph, lymph, plasma, lymph],
            vec![plasma, u, u, plasma],
            vec![u, lymph, m, m],
            vec![tumor, m, m, m],
            vec![lymph, plasma, lymph, u],
        ];
        let fov = FovAnchors::of_labels(&rows);
        let layout = AgreementLayout::new(&hierarchy, 4);
        let mut sum = vec![0.0; layout.width];
        for (p, v) in layout.tally(&fov, &[0, 1, 2, 3], &hierarchy) {
            sum[p as usize] += v;
        }
        for level in ClassLevel::ALL {
            let k = hierarchy.names(level).len();
            let category = |l: &Label| match l {
                Label::Class(id) => Some(hierarchy.index(*id, level)),
                Label::Undetected => Some(k),
                Label::Missing => None,
            };
            // Units with at least two ratings, as the counts table irrCAC takes.
            let counts: Vec<Vec<f64>> = rows
                .iter()
                .filter(|r| r.iter().filter(|l| **l != m).count() >= 2)
                .map(|r| {
                    let mut c = vec![0.0; k + 1];
                    for l in r.iter().filter_map(category) {
                        c[l] += 1.0;
                    }
                    c
                })
                .collect();
            let close = |a: Option<f64>, b: Option<f64>| {
                let (a, b) = (a.unwrap(), b.unwrap());
                assert!((a - b).abs() < 1e-12, "{level}: {a} {b}");
            };
            close(
                layout.fleiss(&sum, level),
                fleiss_kappa_generalized(&counts),
            );
            close(layout.gwet_ac1(&sum, level), gwet_ac1(&counts));
            close(
                layout.brennan_prediger(&sum, level),
                crate::stats::brennan_prediger::brennan_prediger(&counts),
            );
            // Each rater's ratings over the same units.
            let by_rater: Vec<Vec<f64>> = (0..4)
                .map(|r| {
                    let mut c = vec![0.0; k + 1];
                    let multi = rows
                        .iter()
                        .filter(|row| row.iter().filter(|l| **l != m).count() >= 2);
                    for label in multi.filter_map(|row| category(&row[r])) {
                        c[label] += 1.0;
                    }
                    c
                })
                .collect();
            close(
                layout.conger_kappa(&sum, level),
                crate::stats::conger::conger_kappa(&counts, &by_rater),
            );
            for j in 0..=k {
                // The ratings collapsed to j against the rest, as irrCAC would take them.
                let collapsed: Vec<Vec<f64>> = counts
                    .iter()
                    .map(|c| vec![c[j], c.iter().sum::<f64>() - c[j]])
                    .collect();
                let specific = crate::stats::specific_agreement::specific_agreement(&counts, j);
                match (layout.specific_agreement(&sum, level, j), specific) {
                    (None, None) => assert!(counts.iter().all(|c| c[j] == 0.0)),
                    (got, expected) => close(got, expected),
                }
                let expected = fleiss_kappa_generalized(&collapsed);
                let got = layout.category_kappa(&sum, level, j);
                match (got, expected) {
                    (Some(_), Some(_)) => close(got, expected),
                    (None, e) => assert!(counts.iter().all(|c| c[j] == 0.0) || e.is_none()),
                    (g, None) => panic!("{level} {j}: {g:?} where irrCAC's is undefined"),
                }
            }
            let ratings = |undetected_missing: bool| -> Vec<Vec<Option<f64>>> {
                (0..4)
                    .map(|r| {
                        rows.iter()
                            .map(|row| match (category(&row[r]), undetected_missing) {
                                (Some(c), true) if c == k => None,
                                (c, _) => c.map(|c| c as f64),
                            })
                            .collect()
                    })
                    .collect()
            };
            close(
                layout.alpha_detection(&sum, level),
                krippendorff_alpha(&ratings(false), Level::Nominal),
            );
            close(
                layout.alpha_classification(&sum, level),
                krippendorff_alpha(&ratings(true), Level::Nominal),
            );
        }
    }
}
