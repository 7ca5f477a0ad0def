//! Test helpers shared by paperboy's crates.
//!
//! Two kinds of real data are used in tests:
//! - fixtures committed in this repository (`fixtures/`, see its `SOURCES.md`), always
//!   present;
//! - the large corpora and GPL-licensed recordings in the steering repository's
//!   `../shared/data`, present on development machines; tests that need them print
//!   why they skip when they are absent.
//!
//! Fake upstreams live in [`upstream`] (a scripted HTTP server) and [`oai`] (an
//! arXiv-like OAI-PMH endpoint serving real papers).

pub mod oai;
pub mod upstream;

use std::path::{Path, PathBuf};

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
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
