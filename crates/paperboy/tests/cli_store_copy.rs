//! End-to-end tests of `paperboy store copy` through the real binary: real data
//! copied from SQLite to PostgreSQL, killed with SIGKILL midway and run again, then
//! verified, and served by both databases with the same answers; bad input refused
//! with clear errors.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use paperboy_store::{DatabaseUrl, Store, StoreOptions};
use paperboy_testkit::{fixture_path, shared_data};

fn paperboy() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_paperboy"));
    command
        .env("PAPERBOY_LOG", "warn")
        .env("PAPERBOY_EMBEDDER", "none")
        .env("PAPERBOY_KEYPHRASES", "false")
        .env_remove("PAPERBOY_DATABASE_URL");
    command
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn copy_command(from: &str, to: &str, chunk_rows: u32) -> Command {
    let mut command = paperboy();
    command.args([
        "store",
        "copy",
        "--from",
        from,
        "--to",
        to,
        "--chunk-rows",
        &chunk_rows.to_string(),
    ]);
    command
}

/// The real corpora when present, else the committed fixtures.
fn data_files() -> (Vec<PathBuf>, bool) {
    let arxiv = shared_data("arxiv_cs_daily_listings_2025-03-18_2026-07-01.jsonl.gz");
    let hf = shared_data("hf_daily_papers_2024-05-27_2026-08-21.jsonl.gz");
    if let (Some(arxiv), Some(hf)) = (arxiv, hf) {
        return (vec![arxiv, hf], true);
    }
    eprintln!("using the committed fixtures instead");
    let fixtures = [
        "arxiv_listing/daily_arxiv_ai_enhanced_2026-06-29.jsonl",
        "kaggle_snapshot/arxiv-metadata-oai-snapshot.sample-200.jsonl",
        "hf_api/daily_papers_date_2025-06-02.json",
        "hf_api/daily_papers_date_2026-08-21.json",
    ];
    (fixtures.iter().map(|f| fixture_path(f)).collect(), false)
}

/// `paperboy stats --json` of the database `database_url` names (empty: the data
/// dir's).
fn stats(data_dir: &Path, database_url: &str) -> serde_json::Value {
    let out = paperboy()
        .arg("--data-dir")
        .arg(data_dir)
        .args(["stats", "--json"])
        .env("PAPERBOY_DATABASE_URL", database_url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_str(&text(&out.stdout)).unwrap()
}

/// A running `paperboy serve` and its base URL.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(data_dir: &Path, database_url: &str) -> Server {
        let mut child = paperboy()
            .arg("--data-dir")
            .arg(data_dir)
            .args(["serve", "--no-sample", "--addr", "127.0.0.1:0"])
            .env("PAPERBOY_DATABASE_URL", database_url)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(line.starts_with("paperboy listening on"), "{line}");
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap()
            .to_owned();
        Server { child, url }
    }

    fn get(&self, path: &str) -> String {
        let response = reqwest::blocking::get(format!("{}{path}", self.url)).unwrap();
        assert_eq!(response.status().as_u16(), 200, "{path}");
        response.text().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The table a successful copy printed: table name to (source rows, target rows,
/// source checksum, target checksum, status).
fn checks(stdout: &str) -> Vec<Vec<String>> {
    stdout
        .lines()
        .skip_while(|l| !l.starts_with("table "))
        .skip(1)
        .take_while(|l| !l.starts_with("verified"))
        .map(|l| l.split_whitespace().map(str::to_owned).collect())
        .collect()
}

#[test]
fn a_copy_killed_midway_resumes_verifies_and_serves_the_same_answers() {
    let started = Instant::now();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let original = dir.path().join("original");
    let copied = dir.path().join("copied");
    let (files, real) = data_files();

    let out = paperboy()
        .arg("--data-dir")
        .arg(&original)
        .arg("import")
        .args(&files)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let papers = stats(&original, "")["papers"].as_u64().unwrap();
    eprintln!(
        "imported {papers} papers in {:.1}s",
        started.elapsed().as_secs_f64()
    );

    let from = format!("sqlite:{}", original.join("paperboy.db").display());
    let to = match runtime.block_on(paperboy_testkit::postgres::fresh_database()) {
        Some(url) => url,
        None => format!("sqlite:{}", dir.path().join("copy.db").display()),
    };
    // Small chunks when the data is small, so that there is a midway to kill it at.
    let chunk_rows = if real { 2_000 } else { 1 };

    // Start, wait until the target holds a good part of the papers but not all, SIGKILL.
    let copy_started = Instant::now();
    let mut child = copy_command(&from, &to, chunk_rows)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kept open until the kill: a closed pipe would stop the copy by itself.
    let mut output = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    output.read_line(&mut first).unwrap();
    assert!(first.starts_with("copying "), "{first}");
    // The copy has migrated the target by now.
    let target = runtime
        .block_on(Store::connect(
            &to.parse::<DatabaseUrl>().unwrap(),
            StoreOptions::default(),
        ))
        .unwrap();
    let partial = loop {
        let held = runtime.block_on(target.stats()).unwrap().papers;
        if held >= papers / 4 && held < papers {
            child.kill().unwrap();
            break held;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the copy finished before it could be killed midway ({held} papers)"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    child.wait().unwrap();
    drop(output);
    let held = runtime.block_on(target.stats()).unwrap().papers;
    assert!(held >= partial && held < papers, "{held} of {papers}");
    runtime.block_on(target.close());
    eprintln!("killed the copy after {held} of {papers} papers");

    // Run again to the end.
    let out = copy_command(&from, &to, chunk_rows).output().unwrap();
    let stdout = text(&out.stdout);
    assert!(
        out.status.success(),
        "exit {:?}\n{stdout}\n{}",
        out.status,
        text(&out.stderr)
    );
    eprintln!(
        "copied in {:.1}s (both runs, with verification):\n{stdout}",
        copy_started.elapsed().as_secs_f64()
    );
    assert!(
        stdout.contains(&format!("continuing an interrupted copy: {held} rows")),
        "{stdout}"
    );
    let rows = checks(&stdout);
    assert_eq!(
        rows.len(),
        paperboy_store::copied_tables().len(),
        "{stdout}"
    );
    for row in &rows {
        assert_eq!(row.len(), 6, "{row:?}");
        assert_eq!((&row[1], &row[3]), (&row[2], &row[4]), "{row:?}");
        assert_eq!(row[5], "ok", "{row:?}");
    }
    assert_eq!(rows[0][0], "papers");
    assert_eq!(rows[0][2], papers.to_string());
    assert!(stdout.contains("verified: every table"), "{stdout}");
    assert!(stdout.contains("rows/s"), "{stdout}");

    // The same database, whichever engine holds it.
    assert_eq!(stats(&copied, &to), stats(&original, ""));
    let them = Server::start(&original, "");
    let us = Server::start(&copied, &to);
    for date in [
        "2024-05-27",
        "2025-06-02",
        "2025-11-03",
        "2026-03-10",
        "2026-08-21",
    ] {
        let path = format!("/api/daily_papers?date={date}&limit=100");
        let expected = them.get(&path);
        assert_eq!(us.get(&path), expected, "{path}");
        assert!(!real || expected.len() > 100, "{path}: {expected}");
    }
    eprintln!("whole test: {:.1}s", started.elapsed().as_secs_f64());
}

#[test]
fn bad_input_is_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let source = format!("sqlite:{}", db.display());
    // A source that exists.
    let out = paperboy()
        .arg("--data-dir")
        .arg(dir.path())
        .arg("import")
        .arg(fixture_path("hf_api/daily_papers_date_2025-06-02.json"))
        .env("PAPERBOY_DATABASE_URL", &source)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));

    let refused = |from: &str, to: &str, says: &[&str]| {
        let out = copy_command(from, to, 100).output().unwrap();
        let err = text(&out.stderr);
        assert!(!out.status.success(), "{from} -> {to}: {err}");
        for words in says {
            assert!(err.contains(words), "{from} -> {to}: {err}");
        }
    };
    refused(
        "mysql://db/papers",
        &source,
        &["--from", "unknown scheme", "postgres://"],
    );
    refused(&source, "papers.db", &["--to", "sqlite:PATH"]);
    refused(
        &source,
        &format!("sqlite:{}/./p.db", dir.path().display()),
        &["same database", "another, empty database"],
    );
    refused(
        &format!("sqlite:{}", dir.path().join("missing.db").display()),
        &format!("sqlite:{}", dir.path().join("copy.db").display()),
        &["missing.db does not exist"],
    );
    assert!(!dir.path().join("missing.db").exists());
    // Nothing listens on port 1.
    refused(
        &source,
        "postgres://paperboy@127.0.0.1:1/papers",
        &["target database (--to)", "127.0.0.1:1", "server runs"],
    );
}
