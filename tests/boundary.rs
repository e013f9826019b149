//! Boundary agreement: the Hausdorff distance against shapely's, and `agree`'s consensus
//! outlines and boundary tables on the sample study.

mod common;

use nucagree::geometry::hausdorff::hausdorff;
use serde_json::Value;
use std::path::Path;

/// shapely measures from densified boundaries (every 1e-4 of each edge) and, by default, from
/// vertices only; the exact distance is at least either and within the densifying step of the
/// first (the distance to a boundary is 1-Lipschitz).
#[test]
fn hausdorff_is_shapely_s_densified_distance_to_its_step() {
    let text = std::fs::read_to_string("tests/fixtures/hausdorff_shapely.json").unwrap();
    let fixture: Value = serde_json::from_str(&text).unwrap();
    let ring = |v: &Value| -> Vec<Vec<[f64; 2]>> {
        vec![v
            .as_array()
            .unwrap()
            .iter()
            .map(|p| [p[0].as_f64().unwrap(), p[1].as_f64().unwrap()])
            .collect()]
    };
    let mut beyond_vertices = 0;
    for case in fixture["cases"].as_array().unwrap() {
        let exact = hausdorff(&ring(&case["a"]), &ring(&case["b"]));
        let densified = case["densified_1e-4"].as_f64().unwrap();
        let vertices = case["vertices_only"].as_f64().unwrap();
        // Edges are at most 20 long: a step of 2e-3, and half of it bounds the gap.
        assert!(exact >= densified - 1e-12, "{exact} < {densified}");
        assert!(exact - densified <= 1e-3, "{exact} vs {densified}");
        assert!(exact >= vertices - 1e-12);
        if exact > vertices + 1e-3 {
            beyond_vertices += 1;
        }
    }
    // Two of the six pairs are farthest apart in the middle of an edge.
    assert_eq!(beyond_vertices, 2);
}

fn agree(out: &Path, outline: &str) -> Value {
    common::agree_sample(out, 0, &["--truth-outline", outline])
}

fn truth_files(out: &Path) -> Vec<String> {
    let mut files: Vec<_> = std::fs::read_dir(out.join("truth/csv"))
        .unwrap()
        .map(|f| f.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect()
}

/// The boundary tables reconcile with the anchors; the truth outline changes the truth set's
/// outlines, not its nuclei, nor the boundary figures.
#[test]
fn boundary_agreement_reconciles_and_the_truth_can_take_the_consensus_outline() {
    let dir = tempfile::tempdir().unwrap();
    let (medoid_out, consensus_out) = (dir.path().join("medoid"), dir.path().join("consensus"));
    let medoid = agree(&medoid_out, "medoid");
    let consensus = agree(&consensus_out, "consensus");
    let b = &consensus["boundary"];
    assert_eq!(b["truth_outline"], "consensus");
    assert_eq!(medoid["boundary"]["truth_outline"], "medoid");
    // Measured and unmeasured anchors are the study's anchors.
    let anchors = b["anchors"].as_u64().unwrap();
    assert_eq!(
        anchors + b["unmeasured"].as_u64().unwrap(),
        consensus["counts"]["anchors"].as_u64().unwrap()
    );
    assert!(anchors > 500, "{anchors}");
    // The size groups add up to the measured anchors and outlines, and are ordered by area.
    let groups = b["by_size"].as_array().unwrap();
    assert_eq!(groups.len(), 5);
    let sum = |key: &str| groups.iter().map(|g| g[key].as_u64().unwrap()).sum::<u64>();
    assert_eq!(sum("anchors"), anchors);
    let outlines = b["overall"]["outlines"].as_u64().unwrap();
    assert_eq!(sum("outlines"), outlines);
    for pair in groups.windows(2) {
        assert!(pair[0]["area_max"].as_f64() <= pair[1]["area_min"].as_f64());
    }
    // Every measured outline belongs to one rater.
    let raters = b["raters"].as_array().unwrap();
    let by_rater: u64 = raters.iter().map(|r| r["anchors"].as_u64().unwrap()).sum();
    assert_eq!(by_rater, outlines);
    for g in groups.iter().chain([&b["overall"]]) {
        let iou = g["mean_iou"].as_f64().unwrap();
        assert!(iou > 0.5 && iou <= 1.0, "{g}");
        assert!(g["median_hausdorff"].as_f64().unwrap() > 0.0);
    }
    let table = std::fs::read_to_string(consensus_out.join("boundary_by_size.csv")).unwrap();
    // Each group's outlines by size add up to the outlines measured, and its mean over them
    // is its raters' (SP's two raters, weighted by their outlines).
    let group_outlines: u64 = b["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["outlines"].as_array().unwrap())
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(group_outlines, outlines);
    let sp: Vec<&Value> = raters.iter().filter(|r| r["group"] == "SP").collect();
    let sp_mean = sp
        .iter()
        .map(|r| r["mean_iou"].as_f64().unwrap() * r["anchors"].as_f64().unwrap())
        .sum::<f64>()
        / sp.iter()
            .map(|r| r["anchors"].as_f64().unwrap())
            .sum::<f64>();
    let header: Vec<&str> = table.lines().next().unwrap().split(',').collect();
    let column = header
        .iter()
        .position(|&c| c == "mean_iou_consensus_SP")
        .unwrap();
    let all_row: Vec<&str> = table.lines().last().unwrap().split(',').collect();
    assert!((all_row[column].parse::<f64>().unwrap() - sp_mean).abs() < 1e-12);
    assert!(consensus_out.join("plots/boundary_by_size.png").is_file());
    // Larger nuclei lie farther apart in pixels.
    assert!(b["size_hausdorff_spearman"].as_f64().unwrap() > 0.5);
    // The measurement does not depend on the truth outline.
    let mut same = medoid["boundary"].clone();
    same["truth_outline"] = "consensus".into();
    assert_eq!(&same, b);
    assert_eq!(
        table,
        std::fs::read_to_string(medoid_out.join("boundary_by_size.csv")).unwrap()
    );
    assert_eq!(table.lines().count(), 7, "{table}");
    // The truth sets hold the same nuclei, drawn differently.
    let (m, c) = (truth_files(&medoid_out), truth_files(&consensus_out));
    assert_eq!(m.len(), c.len());
    let lines = |files: &[String]| files.iter().map(|f| f.lines().count()).sum::<usize>();
    assert_eq!(lines(&m), lines(&c));
    assert!(m.iter().zip(&c).filter(|(a, b)| a != b).count() > m.len() / 2);
    // The report says which outline the truth set draws.
    let report = std::fs::read_to_string(consensus_out.join("report.md")).unwrap();
    assert!(report.contains("## Boundary agreement"));
    assert!(report.contains("The truth set draws each nucleus with its consensus outline"));
}
