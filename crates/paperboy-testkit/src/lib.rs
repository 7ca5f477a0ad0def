//! Test helpers shared by paperboy's crates.
//!
//! Two kinds of real data are used in tests:
//! - fixtures committed in this repository (`fixtures/`, see its `SOURCES.md`), always
//!   present;
//! - the large corpora and GPL-licensed recordings in the steering repository's
//!   `../shared/data`, present on development machines; tests that need them print
//!   why they skip when they are absent.

use std::path::{Path, PathBuf};

/// The workspace root: the nearest ancestor of the running test's package directory
/// (`CARGO_MANIFEST_DIR`, set by cargo when it runs tests) or of the working directory
/// that holds `fixtures/SOURCES.md`.
///
/// Read at run time, not compile time: several checkouts may share one build
/// directory, and a path baked into a reused artifact would point at another one.
pub fn workspace_root() -> PathBuf {
    let start = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_default();
    start
        .ancestors()
        .find(|dir| dir.join("fixtures").join("SOURCES.md").is_file())
        .map(Path::to_path_buf)
        .unwrap_or(start)
}

/// The path of a committed fixture, e.g. `hf_api/daily_papers_date_2024-05-27.json`.
pub fn fixture_path(relative: &str) -> PathBuf {
    workspace_root().join("fixtures").join(relative)
}

/// The text of a committed fixture. Panics when it is missing: it is in the repository.
pub fn fixture(relative: &str) -> String {
    let path = fixture_path(relative);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("fixture {} unreadable: {e}", path.display()))
}

/// The directory of the shared real data: `$PAPERBOY_SHARED_DATA`, else
/// `../shared/data` beside the workspace.
pub fn shared_data_dir() -> PathBuf {
    match std::env::var_os("PAPERBOY_SHARED_DATA") {
        Some(dir) => PathBuf::from(dir),
        None => workspace_root().join("../shared/data"),
    }
}

/// The path of a shared data file, or `None` (with a printed reason) when absent.
pub fn shared_data(relative: &str) -> Option<PathBuf> {
    let path = shared_data_dir().join(relative);
    if path.exists() {
        Some(path)
    } else {
        eprintln!(
            "skipping: shared data {} is absent (set PAPERBOY_SHARED_DATA to the steering repo's shared/data)",
            path.display()
        );
        None
    }
}

/// The text of a shared data file, or `None` (with a printed reason) when absent.
pub fn shared_text(relative: &str) -> Option<String> {
    let path = shared_data(relative)?;
    Some(
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{} unreadable: {e}", path.display())),
    )
}
