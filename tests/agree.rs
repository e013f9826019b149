//! `nucagree agree`: a hand-built study whose statistics are known by construction, and the
//! simulated study of `data-sample/`.

mod common;

use nucagree::agreement::coefficient::Coefficient;
use nucagree::agreement::summary::{analyse, AgreeOptions};
use nucagree::agreement::{group_of_rater, label_study, main_eval_set, Label, Study};
use nucagree::geometry::{IouOptions, IouShape, PixelConvention};
use nucagree::ingest::{read_multi_rater, read_set, ReadOptions};
use nucagree::matching::{match_fov, Assignment, Criterion, FovCrop, MatchOptions};
use nucagree::model::{ClassLevel, Fov, Nucleus, Shape};
use serde_json::Value;
use std::path::Path;

fn box_row(class: &str, x: f64) -> String {
    let (x1, x2) = (x, x + 10.0);
    format!("{class},rectangle,\"{x1},{x2},{x2},{x1}\",\"0,0,10,10\"\n")
}

/// Three raters, two FOVs; NP.1 did not annotate fov2. Anchors (SP.1, SP.2, NP.1):
/// fov1 x=0: tumor, tumor, tumor; x=20: lymphocyte, lymphocyte, tumor; x=40: fibroblast,
/// undetected, undetected; fov2 x=0: tumor, tumor, missing.
fn write_study(root: &Path) {
    let file = |rater: &str, fov: &str, rows: &[(&str, f64)]| {
        let mut text = String::from("raw_classification,type,coords_x,coords_y\n");
        for (class, x) in rows {
            text.push_str(&box_row(class, *x));
        }
        std::fs::write(root.join(format!("{rater}_#_E_#_{fov}.csv")), text).unwrap();
    };
    std::fs::create_dir_all(root).unwrap();
    file(
        "SP.1",
        "fov1",
        &[("tumor", 0.0), ("lymphocyte", 20.0), ("fibroblast", 40.0)],
    );
    file("SP.2", "fov1", &[("tumor", 0.5), ("lymphocyte", 20.0)]);
    file("NP.1", "fov1", &[("tumor", 1.0), ("tumor", 21.0)]);
    file("SP.1", "fov2", &[("tumor", 0.0)]);
    file("SP.2", "fov2", &[("tumor", 0.0)]);
}

#[test]
fn a_hand_built_study_gives_the_statistics_known_by_construction() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("study");
    write_study(&root);
    let multi = read_multi_rater(&root, &ReadOptions::default()).unwrap();
    let study = Study::new(&multi, Some("E"), &group_of_rater);
    assert_eq!(study.raters, ["NP.1", "SP.1", "SP.2"]);
    let labelled = label_study(&study, 0.25, &IouOptions::default());
    let hierarchy = &study.hierarchy;
    let class = |name: &str| Label::Class(hierarchy.resolve(name).unwrap().id);
    let labels: Vec<Vec<Label>> = labelled
        .iter()
        .flat_map(|f| f.anchors.iter().map(|a| a.labels.clone()))
        .collect();
    // Columns: NP.1, SP.1, SP.2.
    assert_eq!(
        labels,
        vec![
            vec![class("tumor"), class("tumor"), class("tumor")],
            vec![class("tumor"), class("lymphocyte"), class("lymphocyte")],
            vec![Label::Undetected, class("fibroblast"), Label::Undetected],
            vec![Label::Missing, class("tumor"), class("tumor")],
        ]
    );
    let (report, _) = analyse(
        &multi,
        &study,
        Some("E"),
        &labelled,
        &AgreeOptions::default(),
    );
    assert_eq!(report.counts.anchors, 4);
    assert_eq!(report.counts.anchors_by_detections, vec![1, 1, 2]);
    for level in ClassLevel::ALL {
        let l = report.levels.get(level);
        // Units {T:3}, {L:2, T:1}, {F:1, U:2}, {T:2}: observed 2/3, chance 29/72.
        assert!(
            (l.coefficients[&Coefficient::FleissKappa].unwrap() - 19.0 / 43.0).abs() < 1e-12,
            "{level}"
        );
        let pair = |a: &str, b: &str| {
            l.pairwise_cohen
                .iter()
                .find(|p| p.rater_a == a && p.rater_b == b)
                .unwrap()
        };
        // SP.1 against SP.2 over all four anchors: p_o 3/4, p_e 5/16.
        let sp = pair("SP.1", "SP.2");
        assert_eq!(sp.n, 4);
        assert!((sp.kappa.unwrap() - 7.0 / 11.0).abs() < 1e-12);
        // NP.1 against SP.1 over fov1 only: p_o 1/3, p_e 2/9.
        let np = pair("NP.1", "SP.1");
        assert_eq!(np.n, 3);
        assert!((np.kappa.unwrap() - 1.0 / 7.0).abs() < 1e-12);
        // Within NP (one rater) nothing is defined.
        let np_group = l.groups.iter().find(|g| g.group == "NP").unwrap();
        assert_eq!(np_group.agreement.get(Coefficient::FleissKappa).value, None);
    }
    // Each class against the rest. Tumor: shares 1, 1/3, 0, 1 (p 7/12), split pairs 1/3 of
    // the second anchor's: 1 - (1/12) / (7/12 · 5/12) = 23/35. Lymphocyte: p 1/6, split 1/12:
    // 2/5. Fibroblast: p 1/12, split 1/12: -1/11.
    let raw = &report.levels.get(ClassLevel::Raw).all_raters.per_category;
    let kappa_of = |per: &[nucagree::agreement::summary::CategoryKappa], name: &str| {
        per.iter().find(|k| k.category == name).unwrap().kappa.value
    };
    for (name, expected) in [
        ("tumor", 23.0 / 35.0),
        ("lymphocyte", 2.0 / 5.0),
        ("fibroblast", -1.0 / 11.0),
    ] {
        let got = kappa_of(raw, name).unwrap();
        assert!((got - expected).abs() < 1e-12, "{name}: {got}");
    }
    assert_eq!(raw.len(), hierarchy.names(ClassLevel::Raw).len() + 1);
    assert_eq!(kappa_of(raw, "mitotic_figure"), None);
    let shares: f64 = raw.iter().filter_map(|k| k.share).sum();
    assert!((shares - 1.0).abs() < 1e-12);
    // Within SP every anchor has an SP detection, so "undetected" can only split:
    // p 1/8, split 1/8: 1 - (1/8) / (7/64) = -1/7; tumor is never split: 1.
    let sp = &report.levels.get(ClassLevel::Raw).groups;
    let sp = &sp
        .iter()
        .find(|g| g.group == "SP")
        .unwrap()
        .agreement
        .per_category;
    assert!((kappa_of(sp, "undetected").unwrap() + 1.0 / 7.0).abs() < 1e-12);
    assert_eq!(kappa_of(sp, "tumor"), Some(1.0));
}

/// The hand-built study as Digital Slide Archive exports: one file per FOV holding each
/// rater's document (creator in `user.login` or `creatorId`, or the rater in the document's
/// name), read with `--rater-from`, gives the same raters, anchors and kappa.
#[test]
fn a_study_read_from_dsa_documents_equals_the_csv_study() {
    use nucagree::ingest::dsa_study::RaterFrom;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("dsa");
    std::fs::create_dir_all(&root).unwrap();
    let document = |rater: &str, rows: &[(&str, f64)]| {
        let elements: Vec<Value> = rows
            .iter()
            .map(|(class, x)| {
                serde_json::json!({"type": "rectangle", "center": [x + 5.0, 5.0, 0],
                    "width": 10, "height": 10, "rotation": 0, "group": class})
            })
            .collect();
        // SP.2's exports carry no user object: its creator is its creatorId.
        let mut doc = serde_json::json!({"annotation": {"name": format!("nuclei by {rater}"),
            "elements": elements}, "creatorId": rater, "_id": "x"});
        if rater != "SP.2" {
            doc["user"] = serde_json::json!({"login": rater});
            doc["creatorId"] = serde_json::json!("5e8f0000");
        }
        doc
    };
    let fov1 = serde_json::json!([
        document(
            "SP.1",
            &[("tumor", 0.0), ("lymphocyte", 20.0), ("fibroblast", 40.0)]
        ),
        document("SP.2", &[("tumor", 0.5), ("lymphocyte", 20.0)]),
        document("NP.1", &[("tumor", 1.0), ("tumor", 21.0)]),
    ]);
    let fov2 = serde_json::json!([
        document("SP.1", &[("tumor", 0.0)]),
        document("SP.2", &[("tumor", 0.0)]),
    ]);
    std::fs::write(root.join("fov1.json"), fov1.to_string()).unwrap();
    std::fs::write(root.join("fov2.json"), fov2.to_string()).unwrap();
    let options = ReadOptions {
        rater_from: Some(RaterFrom::Creator),
        ..ReadOptions::default()
    };
    let multi = read_multi_rater(&root, &options).unwrap();
    let study = Study::new(&multi, None, &group_of_rater);
    assert_eq!(study.raters, ["NP.1", "SP.1", "SP.2"]);
    assert_eq!(study.fovs.len(), 2);
    let labelled = label_study(&study, 0.25, &IouOptions::default());
    let (report, _) = analyse(&multi, &study, None, &labelled, &AgreeOptions::default());
    assert_eq!(report.counts.anchors, 4);
    let fleiss = report.levels.get(ClassLevel::Raw).coefficients[&Coefficient::FleissKappa];
    assert!((fleiss.unwrap() - 19.0 / 43.0).abs() < 1e-12);
    // By document name: one rater a name.
    let by_name = ReadOptions {
        rater_from: Some(RaterFrom::Name),
        ..ReadOptions::default()
    };
    let multi = read_multi_rater(&root, &by_name).unwrap();
    let names: Vec<&str> = multi.raters.iter().map(|r| r.rater.as_str()).collect();
    assert_eq!(
        names,
        ["nuclei by NP.1", "nuclei by SP.1", "nuclei by SP.2"]
    );
    // A document without a creator is located.
    let mut bad = fov2.clone();
    bad[1].as_object_mut().unwrap().remove("creatorId");
    std::fs::write(root.join("fov2.json"), bad.to_string()).unwrap();
    let error = read_multi_rater(&root, &options).unwrap_err().to_string();
    assert!(
        error.contains("fov2.json:/1/creatorId: expected the document's creator (user.login or creatorId) for --rater-from creator"),
        "{error}"
    );
}

/// `nucagree agree STUDY --out OUT --bootstrap 0`, and its summary.
fn agree_without_bootstrap(study: &Path, out: &Path) -> Value {
    common::run_ok(
        &[
            "agree",
            study.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--bootstrap",
            "0",
        ],
        None,
    );
    common::summary(out)
}

#[test]
fn the_command_writes_the_summary_and_tables() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("study");
    write_study(&root);
    let out = dir.path().join("out");
    let v = agree_without_bootstrap(&root, &out);
    assert_eq!(v["command"], "agree");
    assert_eq!(v["params"]["min_iou"], 0.25);
    assert_eq!(v["params"]["shape"], "auto");
    assert_eq!(v["counts"]["fovs"], 2);
    assert_eq!(v["counts"]["raters"], 3);
    assert_eq!(v["counts"]["anchors"], 4);
    let fleiss = v["levels"]["super"]["fleiss_kappa"].as_f64().unwrap();
    assert!((fleiss - 19.0 / 43.0).abs() < 1e-12);
    assert!(v["levels"]["raw"]["pairwise_cohen"][0]["kappa"].is_number());
    let anchors = std::fs::read_to_string(out.join("anchors.csv")).unwrap();
    let lines: Vec<&str> = anchors.lines().collect();
    assert!(
        lines[0].starts_with(
            "anchor,fov,xmin,ymin,xmax,ymax,raters_annotating,raters_detecting,medoid_rater,NP.1,SP.1,SP.2,majority_raw,truth_raw,truth_raw_probability,"
        ),
        "{}",
        lines[0]
    );
    assert_eq!(lines.len(), 5);
    assert!(
        lines[4].contains(",,tumor,tumor,tumor,tumor,"),
        "{}",
        lines[4]
    );
    // The inferred truth, in the NuCLS layout: fov1 has three anchors, fov2 one; the
    // fibroblast that one rater of three saw is no truth nucleus by majority vote.
    let fov2 = std::fs::read_to_string(out.join("truth/csv/fov2.csv")).unwrap();
    assert_eq!(fov2.lines().count(), 2);
    assert!(fov2.contains(",tumor,tumor_nonMitotic,tumor_any,rectangle,"));
    assert!(
        lines[3].contains("undetected,fibroblast,undetected"),
        "{}",
        lines[3]
    );
}

fn sample() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data-sample")
}

#[test]
fn simulated_pathologists_agree_more_than_non_pathologists() {
    let multi = read_multi_rater(&sample().join("multi-rater"), &ReadOptions::default()).unwrap();
    let eval_set = main_eval_set(&multi);
    assert_eq!(eval_set.as_deref(), Some("E"));
    let study = Study::new(&multi, eval_set.as_deref(), &group_of_rater);
    let labelled = label_study(&study, 0.25, &IouOptions::default());
    let (report, _) = analyse(
        &multi,
        &study,
        eval_set.as_deref(),
        &labelled,
        &AgreeOptions::default(),
    );
    for level in ClassLevel::ALL {
        let l = report.levels.get(level);
        let group = |name: &str| l.groups.iter().find(|g| g.group == name).unwrap();
        let (sp, np) = (group("SP"), group("NP"));
        let fleiss = |g: &nucagree::agreement::summary::GroupAgreement| {
            g.agreement.get(Coefficient::FleissKappa).value.unwrap()
        };
        assert!(
            fleiss(sp) > fleiss(np) + 0.2,
            "{level}: {} {}",
            fleiss(sp),
            fleiss(np)
        );
        assert!(sp.mean_pairwise_kappa.unwrap() > np.mean_pairwise_kappa.unwrap() + 0.2);
        let alpha = |g: &nucagree::agreement::summary::GroupAgreement| {
            g.agreement
                .get(Coefficient::KrippendorffAlphaClassification)
                .value
                .unwrap()
        };
        assert!(alpha(sp) > alpha(np));
    }
    // The group difference is the groups' Fleiss' kappas subtracted, at every level, for the
    // groups of two raters or more only (JP has one).
    for d in &report.group_differences {
        assert_eq!((d.group_a.as_str(), d.group_b.as_str()), ("NP", "SP"));
        let l = report.levels.get(d.level);
        let fleiss = |name: &str| {
            l.groups
                .iter()
                .find(|g| g.group == name)
                .unwrap()
                .agreement
                .get(Coefficient::FleissKappa)
                .value
                .unwrap()
        };
        assert_eq!(d.value_a, Some(fleiss("NP")));
        assert_eq!(d.value_b, Some(fleiss("SP")));
        assert_eq!(d.difference.value, Some(fleiss("NP") - fleiss("SP")));
        assert!(d.difference.value.unwrap() < -0.2);
    }
    assert_eq!(report.group_differences.len(), 3);
    // Anchors by the raters who detected them add up to the anchors; one detection has no
    // pair to agree, and agreement on the class lies in [0, 1].
    let by = &report.by_detections;
    assert_eq!(
        by.iter().map(|b| b.anchors).sum::<usize>(),
        report.counts.anchors
    );
    assert_eq!(by[0].raters_detecting, 1);
    assert_eq!(by[0].class_agreement, [None, None, None]);
    for b in by.iter().skip(1).filter(|b| b.anchors > 0) {
        for share in b.class_agreement {
            let share = share.unwrap();
            assert!((0.0..=1.0).contains(&share), "{share}");
        }
        // Coarser levels merge classes: agreement never falls from raw to super.
        let [raw, main, sup] = b.class_agreement.map(Option::unwrap);
        assert!(raw <= main + 1e-12 && main <= sup + 1e-12);
    }
    // The repeat set: SP.1 agrees with themself more than NP.1 does.
    let intra = |rater: &str| {
        report
            .intrarater
            .iter()
            .find(|r| r.rater == rater)
            .unwrap()
            .kappa[2]
            .unwrap()
    };
    assert!(intra("SP.1") > intra("NP.1"));
}

#[test]
fn anchors_seen_by_two_raters_recover_the_simulated_truth() {
    let multi = read_multi_rater(&sample().join("multi-rater"), &ReadOptions::default()).unwrap();
    let truth = read_set(&sample().join("corrected"), &ReadOptions::default()).unwrap();
    let study = Study::new(&multi, Some("E"), &group_of_rater);
    let labelled = label_study(&study, 0.25, &IouOptions::default());
    let hierarchy = &study.hierarchy;
    let any_class = hierarchy.resolve("tumor").unwrap();
    let options = MatchOptions {
        criterion: Criterion::Iou {
            threshold: 0.5,
            options: IouOptions::new(IouShape::Box, PixelConvention::Continuous).unwrap(),
        },
        assignment: Assignment::Optimal,
        crop: FovCrop::Off,
    };
    let (mut pairs, mut anchors, mut truths) = (0, 0, 0);
    for fov in &labelled {
        let truth_fov = truth.fov(&fov.fov).unwrap();
        let nuclei: Vec<Nucleus> = fov
            .anchors
            .iter()
            .filter(|a| a.detections() >= 2)
            .enumerate()
            .map(|(i, a)| Nucleus::new(i as u32 + 2, Shape::Box(a.bbox), any_class, None))
            .collect();
        let anchor_fov = Fov {
            nuclei,
            ..truth_fov.clone()
        };
        let m = match_fov(&anchor_fov, truth_fov, &options);
        pairs += m.pairs.len();
        anchors += anchor_fov.nuclei.len();
        truths += truth_fov.nuclei.len();
    }
    let precision = pairs as f64 / anchors as f64;
    let recall = pairs as f64 / truths as f64;
    println!(
        "anchors detected by two or more raters: precision {precision:.3}, recall {recall:.3}"
    );
    assert!(
        precision > 0.95 && recall > 0.95,
        "precision {precision}, recall {recall}"
    );
}

/// Each anchor's simulated-truth class (raw), by matching anchor boxes to the truth set's
/// nuclei (IoU of boxes ≥ 0.5); `None` for anchors that are no truth nucleus.
fn truth_of_anchors(
    labelled: &[nucagree::agreement::FovAnchors],
    truth: &nucagree::model::AnnotationSet,
    hierarchy: &nucagree::model::ClassHierarchy,
) -> Vec<Vec<Option<usize>>> {
    let options = MatchOptions {
        criterion: Criterion::Iou {
            threshold: 0.5,
            options: IouOptions::new(IouShape::Box, PixelConvention::Continuous).unwrap(),
        },
        assignment: Assignment::Optimal,
        crop: FovCrop::Off,
    };
    let any_class = hierarchy.resolve("tumor").unwrap();
    labelled
        .iter()
        .map(|fov| {
            let truth_fov = truth.fov(&fov.fov).unwrap();
            let nuclei = fov
                .anchors
                .iter()
                .enumerate()
                .map(|(i, a)| Nucleus::new(i as u32 + 2, Shape::Box(a.bbox), any_class, None))
                .collect();
            let anchor_fov = Fov {
                nuclei,
                ..truth_fov.clone()
            };
            let m = match_fov(&anchor_fov, truth_fov, &options);
            let mut classes = vec![None; fov.anchors.len()];
            for p in m.pairs {
                let class = truth_fov.nuclei[p.b as usize].class.id;
                classes[p.a as usize] = Some(hierarchy.index(class, ClassLevel::Raw));
            }
            classes
        })
        .collect()
}

/// Detection F1, classification accuracy (on nuclei both have) and the joint F1 (a nucleus
/// found with the right class, 2R / (inferred nuclei + truth nuclei)) of an inferred truth
/// against the simulated one.
fn recovery(
    inferred: &[Vec<Option<usize>>],
    truth: &[Vec<Option<usize>>],
    k: usize,
) -> (f64, f64, f64) {
    let (mut tp, mut fp, mut fn_, mut right) = (0.0, 0.0, 0.0, 0.0);
    for (i, t) in inferred.iter().flatten().zip(truth.iter().flatten()) {
        let said = i.filter(|&c| c < k);
        match (said, t) {
            (Some(s), Some(t)) => {
                tp += 1.0;
                if s == *t {
                    right += 1.0;
                }
            }
            (Some(_), None) => fp += 1.0,
            (None, Some(_)) => fn_ += 1.0,
            (None, None) => {}
        }
    }
    (
        2.0 * tp / (2.0 * tp + fp + fn_),
        right / tp,
        2.0 * right / (2.0 * tp + fp + fn_),
    )
}

#[test]
fn dawid_skene_recovers_the_simulated_truth_at_least_as_well_as_majority_vote() {
    use nucagree::agreement::raters::infer;
    use nucagree::agreement::raters::TruthOptions;
    let multi = read_multi_rater(&sample().join("multi-rater"), &ReadOptions::default()).unwrap();
    let truth = read_set(&sample().join("corrected"), &ReadOptions::default()).unwrap();
    let study = Study::new(&multi, Some("E"), &group_of_rater);
    let labelled = label_study(&study, 0.25, &IouOptions::default());
    let k = study.hierarchy.names(ClassLevel::Raw).len();
    let simulated = truth_of_anchors(&labelled, &truth, &study.hierarchy);
    let compare = |panel: &[usize]| {
        let t = infer(
            &study,
            &labelled,
            panel,
            ClassLevel::Raw,
            &TruthOptions::default(),
            false,
        );
        let ds: Vec<Vec<Option<usize>>> = t
            .inferred
            .iter()
            .map(|f| f.iter().map(|d| d.map(|x| x.0)).collect())
            .collect();
        (
            recovery(&t.majority, &simulated, k),
            recovery(&ds, &simulated, k),
        )
    };
    // The whole panel: two senior pathologists, one junior, six non-pathologists.
    let everyone: Vec<usize> = (0..study.raters.len()).collect();
    let (mv, ds) = compare(&everyone);
    println!("all raters: majority vote F1 {:.3} accuracy {:.3} joint F1 {:.3}; Dawid-Skene F1 {:.3} accuracy {:.3} joint F1 {:.3}", mv.0, mv.1, mv.2, ds.0, ds.1, ds.2);
    // Raters differ widely: Dawid-Skene does better on detection, classification and both.
    assert!(ds.0 > mv.0 && ds.1 > mv.1 && ds.2 > mv.2);
    // Raters of one quality (the non-pathologists): at least as well on detection and
    // classification together.
    let similar: Vec<usize> = everyone
        .iter()
        .copied()
        .filter(|&r| study.groups[r] == "NP")
        .collect();
    let (mv, ds) = compare(&similar);
    println!("non-pathologists: majority vote F1 {:.3} accuracy {:.3} joint F1 {:.3}; Dawid-Skene F1 {:.3} accuracy {:.3} joint F1 {:.3}", mv.0, mv.1, mv.2, ds.0, ds.1, ds.2);
    assert!(ds.0 >= mv.0 && ds.2 >= mv.2);
}

#[test]
fn the_exported_truth_can_be_scored_against() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("score");
    common::run_ok(
        &[
            "score",
            "--truth",
            "reports/agree/truth",
            "--pred",
            "data-sample/predictions",
            "--bootstrap",
            "0",
            "--out",
            out.to_str().unwrap(),
        ],
        Some(manifest),
    );
    let v: Value = common::summary(&out);
    assert_eq!(v["counts"]["fovs"], 30);
    // The model was simulated from the simulated truth, which the raters' truth recovers.
    let recall = v["levels"]["super"]["detection"]["recall"]
        .as_f64()
        .unwrap();
    assert!(recall > 0.8, "{recall}");
}

/// Two raters who disagree on every class: each is scored against the truth of the other
/// alone (leave one out), so both have accuracy 0; with their own votes in the truth, one
/// would agree with it.
#[test]
fn no_rater_is_scored_against_a_truth_that_used_their_votes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("study");
    std::fs::create_dir_all(&root).unwrap();
    for (rater, class) in [("SP.1", "tumor"), ("SP.2", "lymphocyte")] {
        let mut text = String::from("raw_classification,type,coords_x,coords_y\n");
        for x in [0.0, 20.0, 40.0] {
            text.push_str(&box_row(class, x));
        }
        std::fs::write(root.join(format!("{rater}_#_E_#_fov1.csv")), text).unwrap();
    }
    let out = dir.path().join("out");
    let v = agree_without_bootstrap(&root, &out);
    let raters = v["truth"]["raters"].as_array().unwrap();
    assert_eq!(raters.len(), 2);
    for r in raters {
        assert_eq!(r["in_truth_panel"], true);
        assert_eq!(r["reference_raters"], 1, "{r}");
        assert_eq!(r["raw"]["detection"]["f1"], 1.0, "{r}");
        assert_eq!(r["raw"]["accuracy"], 0.0, "{r}");
    }
    // Two raters leave no reference of two for the raters-needed curve.
    assert!(v["truth"]["raters_needed"].as_array().unwrap().is_empty());
}

/// A study in a folder `simulate` wrote is scored against its simulated truth.
#[test]
fn a_simulated_study_scores_its_inferred_truths_against_the_simulated_truth() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let v = common::agree_sample(&out, 0, &[]);
    assert_eq!(v["truth"]["simulated_truth"], "data-sample/corrected");
    let against = v["truth"]["against_simulated"].as_array().unwrap();
    let methods: Vec<&str> = against
        .iter()
        .map(|a| a["method"].as_str().unwrap())
        .collect();
    assert_eq!(
        methods,
        ["majority-vote", "dawid-skene", "one-coin", "glad", "mace"]
    );
    for a in against {
        assert_eq!(a["fovs"], 30);
        let f1 = a["detection_f1"].as_f64().unwrap();
        assert!(f1 > 0.95 && f1 <= 1.0, "{a}");
        let kappa = a["kappa"][2].as_f64().unwrap();
        assert!(kappa > 0.9 && kappa <= 1.0, "{a}");
    }
    // Raters are scored leaving themselves out: every panel rater's reference has N - 1.
    let raters = v["truth"]["raters"].as_array().unwrap();
    let n = raters.len() as u64;
    assert!(raters.iter().all(|r| r["reference_raters"] == n - 1));
}

/// `agree` crops to the FOV region before clustering, as `compare` does before matching;
/// `--fov-crop off` keeps every nucleus.
#[test]
fn agree_crops_to_the_fov_region_unless_asked_not_to() {
    let dir = tempfile::tempdir().unwrap();
    let run = |extra: &[&str], name: &str| common::agree_sample(&dir.path().join(name), 0, extra);
    let cropped = run(&[], "cropped");
    let kept = run(&["--fov-crop", "off"], "kept");
    assert_eq!(cropped["params"]["fov_crop"], "reference");
    assert_eq!(kept["params"]["fov_crop"], "off");
    let n = |v: &Value, key: &str| v["counts"][key].as_u64().unwrap();
    assert!(n(&cropped, "cropped") > 0);
    assert_eq!(n(&kept, "cropped"), 0);
    assert_eq!(
        n(&cropped, "annotations") + n(&cropped, "cropped"),
        n(&kept, "annotations")
    );
}

/// The count agreement's ICC is pingouin's ICC of the nuclei each rater drew per FOV: the
/// anchors a rater labelled in a FOV are their nuclei there (no crop), for all raters over the
/// FOVs all of them annotated, and for each class.
#[test]
fn count_agreement_is_the_icc_of_the_nuclei_each_rater_drew() {
    use nucagree::stats::icc::absolute_agreement;
    let study_path = Path::new("data-sample/multi-rater-folders");
    let multi = read_multi_rater(study_path, &ReadOptions::default()).unwrap();
    let study = Study::new(&multi, None, &group_of_rater);
    let options = AgreeOptions {
        crop: FovCrop::Off,
        ..AgreeOptions::default()
    };
    let labelled = label_study(&study, options.min_iou, &options.iou_options);
    let (report, _) = analyse(&multi, &study, None, &labelled, &options);
    let all = &report.levels.super_.count_agreement[0];
    assert_eq!(all.panel, "all raters");
    let h = &study.hierarchy;
    let complete: Vec<&Vec<Option<&Fov>>> = study
        .fovs
        .iter()
        .map(|(_, by_rater)| by_rater)
        .filter(|by_rater| by_rater.iter().all(Option::is_some))
        .collect();
    assert!(complete.len() >= 5);
    let table = |class: Option<usize>| -> Vec<Vec<f64>> {
        complete
            .iter()
            .map(|by_rater| {
                by_rater
                    .iter()
                    .map(|fov| {
                        fov.unwrap()
                            .nuclei
                            .iter()
                            .filter(|n| {
                                class.is_none_or(|c| h.index(n.class.id, ClassLevel::Super) == c)
                            })
                            .count() as f64
                    })
                    .collect()
            })
            .collect()
    };
    for (row, class) in all
        .counts
        .iter()
        .zip(std::iter::once(None).chain((0..h.names(ClassLevel::Super).len()).map(Some)))
    {
        assert_eq!(row.fovs, complete.len(), "{}", row.class);
        let icc = absolute_agreement(&table(class));
        assert_eq!(row.icc_single, icc.map(|i| i.single), "{}", row.class);
        assert_eq!(row.icc_average, icc.map(|i| i.average), "{}", row.class);
    }
    assert!(all.counts[0].icc_single.unwrap() > 0.9);
}

/// `--truth-method` picks the truth raters are scored against and the truth set written;
/// every method is fitted beside it, and the comparison's tables reconcile.
#[test]
fn the_truth_method_is_the_truth_scored_against_and_every_method_is_compared() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("glad");
    let v = common::agree_sample(&out, 0, &["--truth-method", "glad"]);
    let truth = &v["truth"];
    assert_eq!(truth["method"], "glad");
    let methods = ["majority-vote", "dawid-skene", "one-coin", "glad", "mace"];
    let rows = truth["methods"].as_array().unwrap();
    assert_eq!(rows.len(), 15);
    for (l, level) in ["raw", "main", "super"].iter().enumerate() {
        let at: Vec<&Value> = rows.iter().filter(|r| r["level"] == *level).collect();
        let names: Vec<&str> = at.iter().map(|r| r["method"].as_str().unwrap()).collect();
        assert_eq!(names, methods);
        for (i, a) in at.iter().enumerate() {
            // Every method decides every anchor of the study (all raters annotated every FOV).
            assert_eq!(a["anchors"], 1488, "{level}");
            assert_eq!(a["agreement"][i], 1.0);
            for (j, b) in at.iter().enumerate() {
                assert_eq!(a["agreement"][j], b["agreement"][i], "{level} {i} {j}");
            }
        }
        // The chosen method's row is the truth the report counts.
        assert_eq!(at[3]["nuclei"], truth["nuclei_inferred"][l]);
        assert_eq!(at[0]["nuclei"], truth["nuclei_majority"][l]);
        assert_eq!(at[3]["iterations"], truth["iterations"][l]);
        assert_eq!(at[0]["converged"], Value::Null);
        assert_eq!(at[4]["converged"], Value::Null);
        assert_eq!(at[4]["iterations"], 50);
    }
    // The truth set written is GLAD's raw truth: its nuclei are the raw nuclei counted.
    let written: usize = std::fs::read_dir(out.join("truth/csv"))
        .unwrap()
        .map(|f| {
            let text = std::fs::read_to_string(f.unwrap().path()).unwrap();
            text.lines().count() - 1
        })
        .sum();
    assert_eq!(
        written as u64,
        truth["nuclei_inferred"][0].as_u64().unwrap()
    );
    // The table gives the same figures, and marks the method scored against.
    let table = std::fs::read_to_string(out.join("truth_methods.csv")).unwrap();
    let glad_raw = table.lines().find(|l| l.starts_with("raw,glad,")).unwrap();
    assert!(glad_raw.starts_with("raw,glad,true,1488,"), "{glad_raw}");
    let scored: Vec<&str> = table
        .lines()
        .filter(|l| l.split(',').nth(2) == Some("true"))
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    assert_eq!(scored, ["glad", "glad", "glad"]);
    // On simulated data every method recovers the simulated truth well.
    let against = truth["against_simulated"].as_array().unwrap();
    assert_eq!(against.len(), 5);
    for a in against {
        assert!(a["detection_f1"].as_f64().unwrap() > 0.98, "{a}");
        assert!(a["accuracy"][0].as_f64().unwrap() > 0.95, "{a}");
    }
}

/// `--model`: a model scored as one more rater. Its detection counts reconcile with its
/// nuclei and the truth; its rank is among the raters; the simulated model, which misses and
/// adds more nuclei than the senior pathologists, is not shown non-inferior to them.
#[test]
fn the_model_is_scored_as_one_more_rater() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("model");
    let v = common::agree_sample(&out, 200, &["--model", "data-sample/predictions"]);
    let truth = &v["truth"];
    let model = &truth["model"];
    assert_eq!(model["fovs"], 30);
    assert_eq!(model["fovs_missing"], 0);
    assert_eq!(model["seniors"], serde_json::json!(["SP.1", "SP.2"]));
    let on_anchors = model["matched"].as_u64().unwrap();
    let off_anchors = model["unmatched"].as_u64().unwrap();
    for (l, level) in model["levels"].as_array().unwrap().iter().enumerate() {
        let d = &level["detection"];
        let (tp, fp, fn_) = (
            d["tp"].as_u64().unwrap(),
            d["fp"].as_u64().unwrap(),
            d["fn"].as_u64().unwrap(),
        );
        // Every nucleus of the model is a TP or an FP; every nucleus of the truth a TP or FN.
        assert_eq!(tp + fp, on_anchors + off_anchors, "{level}");
        assert_eq!(tp + fn_, truth["nuclei_inferred"][l].as_u64().unwrap());
        assert_eq!(level["ranked"], 10);
        for rank in ["rank_f1", "rank_kappa"] {
            let r = level[rank].as_u64().unwrap();
            assert!((1..=10).contains(&r), "{rank} {r}");
        }
        // The model's F1 (0.895) is far below the senior pathologists' (0.966).
        let difference = level["difference_f1"].as_f64().unwrap();
        assert!(difference < -0.05, "{difference}");
        let [low, high] = [0, 1].map(|i| level["difference_kappa_ci95"][i].as_f64().unwrap());
        let kappa = level["difference_kappa"].as_f64().unwrap();
        assert!(low < kappa && kappa < high);
        let bound = level["kappa_lower_bound"].as_f64().unwrap();
        // The one-sided 95% bound lies inside the two-sided 95% interval.
        assert!(bound > low && bound < kappa);
        assert_eq!(level["non_inferior"], bound > -0.05);
        assert_eq!(level["non_inferior"], false);
    }
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains("## The model among the raters"));
    assert!(report.contains("The model is labelled on the anchors"));
}

/// A rater's own annotations given as the model are that rater: against a senior group of
/// that rater alone, every difference and its interval is exactly zero, and κ is
/// non-inferior.
#[test]
fn a_rater_given_as_the_model_does_exactly_as_that_rater() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let groups = dir.path().join("groups.csv");
    let mut text = "rater,group\nSP.1,A\nSP.2,SP\nJP.1,JP\n".to_string();
    for i in 1..=6 {
        text.push_str(&format!("NP.{i},NP\n"));
    }
    std::fs::write(&groups, text).unwrap();
    let out = dir.path().join("sp1");
    let v = common::agree_sample(
        &out,
        100,
        &[
            "--groups",
            groups.to_str().unwrap(),
            "--model",
            "data-sample/multi-rater-folders/SP.1",
            "--senior-group",
            "A",
        ],
    );
    let model = &v["truth"]["model"];
    assert_eq!(model["seniors"], serde_json::json!(["SP.1"]));
    // Every nucleus SP.1 drew is on an anchor.
    assert_eq!(model["unmatched"], 0);
    let sp1 = v["truth"]["raters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rater"] == "SP.1")
        .unwrap();
    for level in model["levels"].as_array().unwrap() {
        for figure in ["difference_f1", "difference_kappa", "kappa_lower_bound"] {
            assert_eq!(level[figure], 0.0, "{figure}");
        }
        assert_eq!(
            level["difference_kappa_ci95"],
            serde_json::json!([0.0, 0.0])
        );
        assert_eq!(level["non_inferior"], true);
        let name = level["level"].as_str().unwrap();
        assert_eq!(level["senior_kappa"], sp1[name]["kappa"]);
        assert_eq!(level["senior_f1"], sp1[name]["detection"]["f1"]);
    }
    // A senior group no rater is in is refused, naming the groups there are.
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_nucagree"))
        .current_dir(manifest)
        .args([
            "agree",
            "data-sample/multi-rater",
            "--bootstrap",
            "0",
            "--raters-needed-draws",
            "0",
            "--model",
            "data-sample/predictions",
            "--senior-group",
            "XP",
        ])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(
        message.contains("--senior-group \"XP\": no rater is in that group (groups: JP, NP, SP)"),
        "{message}"
    );
}
