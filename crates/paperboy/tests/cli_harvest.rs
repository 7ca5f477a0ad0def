//! End-to-end tests of `paperboy harvest` and `paperboy fetch` through the real
//! binary, against local upstreams: the arXiv-like OAI-PMH server (166 real papers,
//! 503 + Retry-After first, slow pages) and a server answering with recorded arXiv
//! API bodies.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use paperboy_store::Store;
use paperboy_testkit::fixture;
use paperboy_testkit::oai::{FIRST_DAY, LAST_DAY, OaiConfig, OaiServer, listing_records};
use paperboy_testkit::upstream::{Reply, TestServer};
use serde_json::Value;

const PAPERS: u64 = 166;
const PAGE: usize = 20;
/// 166 records in pages of 20.
const PAGES: usize = 9;

fn command(data_dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_paperboy"));
    command
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env("PAPERBOY_LOG", "warn")
        .env("PAPERBOY_CONTACT_EMAIL", "ops@example.org")
        .env("PAPERBOY_ARXIV_REQUEST_INTERVAL_SECS", "0.02");
    command
}

fn run(data_dir: &Path, args: &[&str]) -> Output {
    command(data_dir, args).output().expect("paperboy runs")
}

fn json(output: &Output) -> Value {
    let text = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "one JSON object on stdout ({e}): {text}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn papers(data_dir: &Path) -> u64 {
    let out = run(data_dir, &["stats", "--json"]);
    assert!(out.status.success());
    json(&out)["papers"].as_u64().expect("a paper count")
}

fn kill(mut child: Child) {
    child.kill().expect("SIGKILL");
    child.wait().expect("the killed process is reaped");
}

#[test]
fn harvest_killed_mid_run_resumes_exactly_then_continues_from_the_last_datestamp() {
    let server = OaiServer::start(
        listing_records(),
        OaiConfig {
            page_size: PAGE,
            page_delay: Duration::from_millis(250),
            throttle_first: Some(1),
            fail_page: None,
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let url = server.base_url();
    let args = [
        "harvest",
        "--base-url",
        url.as_str(),
        "--from",
        FIRST_DAY,
        "--json",
    ];
    let from = Some(FIRST_DAY);

    // Run 1: SIGKILL once page 3 is requested, i.e. pages 0-2 are committed (each
    // page's checkpoint commits before the next page is asked for).
    let child = command(dir.path(), &args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while server.requests_for_token(&server.token(from, None, 3)) == 0 {
        assert!(started.elapsed() < Duration::from_secs(30), "no progress");
        std::thread::sleep(Duration::from_millis(10));
    }
    kill(child);
    let before_rerun = server.requests().len();
    let committed = papers(dir.path());
    assert!(
        committed >= 3 * PAGE as u64 && committed.is_multiple_of(PAGE as u64),
        "whole pages only: {committed}"
    );
    let committed_pages = committed as usize / PAGE;
    assert_eq!(server.requests()[0].param("from"), Some(FIRST_DAY));
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 honoured"
    );

    // Run 2, the same command: it resumes from the saved token.
    let out = run(dir.path(), &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out);
    assert_eq!(report["resumed"], true);
    assert_eq!(report["complete"], true);
    assert_eq!(report["pages"], (PAGES - committed_pages) as u64);
    assert_eq!(report["total_pages"], PAGES as u64);
    assert_eq!(
        report["total_records"], PAPERS,
        "every record counted exactly once"
    );
    assert_eq!(papers(dir.path()), PAPERS);

    let rerun = &server.requests()[before_rerun..];
    assert_eq!(
        rerun[0].param("resumptionToken"),
        Some(server.token(from, None, committed_pages).as_str()),
        "the rerun starts at the first page not committed"
    );
    assert_eq!(
        server.list_starts().len(),
        2,
        "the 503 and its retry, in run 1 only"
    );
    for page in 1..committed_pages {
        assert_eq!(
            server.requests_for_token(&server.token(from, None, page)),
            1,
            "committed page {page} was requested again"
        );
    }
    for page in committed_pages + 1..PAGES {
        assert_eq!(
            server.requests_for_token(&server.token(from, None, page)),
            1
        );
    }

    // The checkpoint is complete.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let source = report["source"].as_str().unwrap().to_owned();
    let checkpoint = runtime.block_on(async {
        let store = Store::open_dir(dir.path()).await.unwrap();
        let checkpoint = store.harvest_checkpoint(&source).await.unwrap().unwrap();
        store.close().await;
        checkpoint
    });
    assert_eq!(checkpoint.resumption_token, None);
    assert_eq!(
        (checkpoint.pages, checkpoint.records),
        (PAGES as u64, PAPERS)
    );
    assert_eq!(
        checkpoint.last_datestamp.map(|d| d.to_string()).as_deref(),
        Some(LAST_DAY)
    );

    // Run 3, without --from: only what came after the last harvest.
    let out = run(
        dir.path(),
        &["harvest", "--base-url", url.as_str(), "--json"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out);
    let start = server.list_starts().pop().unwrap();
    assert_eq!(start.param("from"), Some(LAST_DAY));
    assert_eq!(start.param("resumptionToken"), None);
    let newest = listing_records()
        .iter()
        .filter(|r| r.datestamp == LAST_DAY)
        .count() as u64;
    assert_eq!(report["from"], LAST_DAY);
    assert_eq!(report["records"], newest);
    assert_eq!(report["papers_inserted"], 0);
    assert_eq!(papers(dir.path()), PAPERS);
    assert!(
        start.user_agent.ends_with("(mailto:ops@example.org)"),
        "{}",
        start.user_agent
    );
}

#[test]
fn harvest_errors_say_what_to_do() {
    let server = OaiServer::start(listing_records(), OaiConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let url = server.base_url();
    let out = run(
        dir.path(),
        &[
            "harvest",
            "--base-url",
            &url,
            "--metadata-prefix",
            "arXivRaw",
        ],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannotDisseminateFormat") && stderr.contains("--metadata-prefix"),
        "{stderr}"
    );
    let out = run(dir.path(), &["harvest", "--metadata-prefix", "oai_dc"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected arXiv or arXivRaw"));
}

#[test]
fn fetch_stores_papers_and_names_the_missing_ones() {
    let recorded = fixture("arxiv_api/recorded_2026/id_1707.08567_s0_m100_6a1afebfc6a3.xml");
    let empty = fixture("arxiv_api/recorded_2026/id_0000.0000_s0_m100_8b51d9633a68.xml");
    let server = TestServer::start(move |request| match request.param("id_list") {
        Some("1707.08567") => Reply::new(200, recorded.clone()),
        _ => Reply::new(200, empty.clone()),
    });
    let dir = tempfile::tempdir().unwrap();
    let api = server.url("/api/query");

    let out = run(
        dir.path(),
        &["fetch", "--base-url", &api, "--json", "arXiv:1707.08567"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out);
    assert_eq!(report["found"][0], "1707.08567");
    assert_eq!(report["papers_inserted"], 1);
    assert_eq!(papers(dir.path()), 1);

    let out = run(dir.path(), &["fetch", "--base-url", &api, "2401.99999"]);
    assert!(!out.status.success(), "a missing id is a failure");
    assert!(String::from_utf8_lossy(&out.stdout).contains("not on arXiv: 2401.99999"));

    let requests = server.requests().len();
    let out = run(
        dir.path(),
        &["fetch", "--base-url", &api, "1707.08567", "abc"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("`abc` is not an arXiv id"));
    assert_eq!(
        server.requests().len(),
        requests,
        "nothing requested for a typo"
    );
}

#[test]
fn serve_harvests_the_configured_sets_on_its_schedule() {
    let server = OaiServer::start(
        listing_records(),
        OaiConfig {
            page_size: PAGE,
            ..OaiConfig::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let mut serve = command(
        dir.path(),
        &["serve", "--addr", "127.0.0.1:0", "--no-sample"],
    )
    .env("PAPERBOY_ARXIV_OAI_URL", server.base_url())
    .env("PAPERBOY_HARVEST_SETS", "cs")
    .env("PAPERBOY_EMBEDDER", "none")
    // 0.0003 h is about a second.
    .env("PAPERBOY_HARVEST_INTERVAL_HOURS", "0.0003")
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    // The first harvest at start, then the next one from the last datestamp.
    let started = Instant::now();
    while server.list_starts().len() < 2 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no scheduled harvest"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let starts = server.list_starts();
    assert_eq!(starts[0].param("set"), Some("cs"));
    assert_eq!(starts[0].param("from"), None);
    assert_eq!(starts[1].param("from"), Some(LAST_DAY));
    assert_eq!(papers(dir.path()), PAPERS);
    serve.kill().unwrap();
    serve.wait().unwrap();
}
