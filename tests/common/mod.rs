//! Helpers shared by the integration tests.

use std::path::PathBuf;

/// The real corrected NuCLS set under `$NUCAGREE_SHARED`: `None` (with a printed note) when
/// the variable is unset; a failure when it is set and the data is missing.
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
