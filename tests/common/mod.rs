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

/// The `summary.json` in `dir`.
#[allow(dead_code)]
pub fn summary(dir: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}
