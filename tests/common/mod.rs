//! Helpers shared by the integration tests.

use std::path::PathBuf;

/// The real corrected NuCLS set under `$NUCAGREE_SHARED`: `None` (with a printed note) when
/// the variable is unset; a failure when it is set and the data is missing.
#[allow(dead_code)]
pub fn real_corrected_set() -> Option<PathBuf> {
    let Some(shared) = std::env::var_os("NUCAGREE_SHARED") else {
        eprintln!("note: NUCAGREE_SHARED is not set; skipping this real-data test");
        return None;
    };
    let path = PathBuf::from(shared).join("data/nucls-corrected");
    assert!(
        path.join("csv").is_dir(),
        "NUCAGREE_SHARED is set but {} holds no csv/ folder",
        path.display()
    );
    Some(path)
}

/// Runs the binary from `dir` (the crate's folder when `None`) and asserts exit code 0,
/// showing stderr otherwise.
#[allow(dead_code)]
pub fn run_ok(args: &[&str], dir: Option<&std::path::Path>) -> std::process::Output {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_nucagree"))
        .current_dir(dir.unwrap_or(manifest))
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// `agree` on the sample study (`data-sample/multi-rater`) into `out` with `bootstrap`
/// replicates, no raters-needed curve and the `extra` options; its `summary.json`.
#[allow(dead_code)]
pub fn agree_sample(out: &std::path::Path, bootstrap: usize, extra: &[&str]) -> serde_json::Value {
    let bootstrap = bootstrap.to_string();
    let mut args = vec![
        "agree",
        "data-sample/multi-rater",
        "--out",
        out.to_str().unwrap(),
        "--bootstrap",
        &bootstrap,
        "--raters-needed-draws",
        "0",
    ];
    args.extend_from_slice(extra);
    run_ok(&args, None);
    summary(out)
}

/// The `summary.json` in `dir`.
#[allow(dead_code)]
pub fn summary(dir: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

/// Every per-class row of every level adds up to the class's nuclei in each set, and each
/// confusion matrix's rows and columns to the class's nuclei, its unmatched row and column to
/// FN and FP (`--ambiguous ignore` leaves ambiguous nuclei out of FN and FP, not of the
/// matrix).
#[allow(dead_code)]
pub fn assert_tables_reconcile(v: &serde_json::Value) {
    let ambiguous_mode = v["params"]["ambiguous"].as_str().unwrap().to_string();
    for level in ["raw", "main", "super"] {
        let l = &v["levels"][level];
        let n = |row: &serde_json::Value, key: &str| row[key].as_u64().unwrap();
        let (mut n_a_total, mut n_b_total) = (0, 0);
        for row in l["per_class"].as_array().unwrap() {
            let what = format!("{ambiguous_mode} {level} {}", row["class"]);
            assert_eq!(n(row, "tp") + n(row, "fn"), n(row, "n_b"), "{what}");
            let a_side = if row["ambiguous"] == true {
                n(row, "fp") + n(row, "called_ambiguous") + n(row, "a_matched_to_ambiguous")
            } else {
                n(row, "tp") + n(row, "fp") + n(row, "on_ambiguous_reference")
            };
            assert_eq!(a_side, n(row, "n_a"), "{what}");
            n_a_total += n(row, "n_a");
            n_b_total += n(row, "n_b");
        }
        assert_eq!(n_a_total, v["counts"]["a"].as_u64().unwrap(), "{level}");
        assert_eq!(n_b_total, v["counts"]["b"].as_u64().unwrap(), "{level}");
        let m = &l["confusion"];
        let counts: Vec<Vec<u64>> = serde_json::from_value(m["counts"].clone()).unwrap();
        let k = counts.len() - 1;
        let classes: Vec<String> = serde_json::from_value(m["classes"].clone()).unwrap();
        for (c, class) in classes.iter().enumerate() {
            let row = l["per_class"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["class"] == class.as_str());
            let (n_a, n_b) = row.map_or((0, 0), |r| (n(r, "n_a"), n(r, "n_b")));
            assert_eq!(counts[c].iter().sum::<u64>(), n_a, "{level} row {class}");
            assert_eq!(
                counts.iter().map(|r| r[c]).sum::<u64>(),
                n_b,
                "{level} column {class}"
            );
        }
        if ambiguous_mode != "ignore" {
            let d = &l["detection"];
            assert_eq!(counts[k].iter().sum::<u64>(), n(d, "fn"), "{level}");
            assert_eq!(
                counts.iter().map(|r| r[k]).sum::<u64>(),
                n(d, "fp"),
                "{level}"
            );
        }
    }
}

/// Every file under a folder (but nucagree's output marker), by its path in the folder.
#[allow(dead_code)]
pub fn files_under(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut found = std::collections::BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                pending.push(p);
            } else if p.file_name().unwrap() != ".nucagree-output" {
                let name = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                found.insert(name, std::fs::read(&p).unwrap());
            }
        }
    }
    found
}

/// Two output folders hold the same files, byte for byte.
#[allow(dead_code)]
pub fn assert_same_tree(expected: &std::path::Path, found: &std::path::Path) {
    let (expected, found) = (files_under(expected), files_under(found));
    assert_eq!(
        expected.keys().collect::<Vec<_>>(),
        found.keys().collect::<Vec<_>>()
    );
    assert!(expected.contains_key("summary.json") && expected.contains_key("report.md"));
    assert!(expected.keys().any(|name| name.ends_with(".parquet")));
    for (name, bytes) in &expected {
        assert!(bytes == &found[name], "{name} differs");
    }
}
