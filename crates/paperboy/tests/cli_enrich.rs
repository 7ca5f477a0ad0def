//! End-to-end tests of `paperboy keywords` and `paperboy summarize` through the real
//! binary, on real papers, with a local chat endpoint standing in for the model.

use std::path::Path;
use std::process::{Command, Output};

use paperboy_testkit::fixture_path;
use paperboy_testkit::upstream::{Reply, TestServer};

fn paperboy(data_dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_paperboy"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env("PAPERBOY_LOG", "warn")
        .env("PAPERBOY_EMBEDDER", "none")
        .envs(env.iter().copied())
        .output()
        .expect("paperboy runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A data directory holding the 166 real papers of the listing fixture and the 17 of
/// an HF daily list (16 of them with `ai_keywords` and `ai_summary`).
fn imported() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for file in [
        "arxiv_listing/daily_arxiv_ai_enhanced_2026-06-29.jsonl",
        "hf_api/daily_papers_date_2026-08-21.json",
    ] {
        let path = fixture_path(file).display().to_string();
        let out = paperboy(dir.path(), &["import", &path], &[]);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    dir
}

#[test]
fn keywords_extracts_for_papers_without_any_and_a_rerun_does_nothing() {
    let dir = imported();
    let out = paperboy(dir.path(), &["keywords"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("extracted key phrases of 167 papers"),
        "166 listing papers and the HF paper without keywords: {stdout}"
    );
    let again = paperboy(dir.path(), &["keywords"], &[]);
    assert!(
        text(&again.stdout).starts_with("extracted key phrases of 0 papers"),
        "{}",
        text(&again.stdout)
    );
}

#[test]
fn summarize_needs_an_endpoint_stops_at_its_limit_and_when_the_endpoint_fails() {
    let dir = imported();
    let out = paperboy(dir.path(), &["summarize"], &[]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("PAPERBOY_SUMMARY_LLM_URL"),
        "{}",
        text(&out.stderr)
    );

    let llm = TestServer::start(|_| {
        let body = serde_json::json!({
            "choices": [{"message": {"content": "TL;DR: A careful study of something real."}}],
        });
        Reply::new(200, body.to_string())
    });
    let url = llm.url("/v1/chat/completions");
    let env = [
        ("PAPERBOY_SUMMARY_LLM_URL", url.as_str()),
        ("PAPERBOY_SUMMARY_LLM_INTERVAL_SECS", "0"),
    ];
    let out = paperboy(dir.path(), &["summarize", "--limit", "3"], &env);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("made 3 summaries, 0 attempts failed"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(llm.requests().len(), 3);

    let dead = TestServer::start(|_| Reply::new(503, "down"));
    let url = dead.url("/v1/chat/completions");
    let env = [
        ("PAPERBOY_SUMMARY_LLM_URL", url.as_str()),
        ("PAPERBOY_SUMMARY_LLM_INTERVAL_SECS", "0"),
    ];
    let out = paperboy(dir.path(), &["summarize"], &env);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("failed 3 times in a row"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        dead.requests().len(),
        3,
        "one paper per attempt, with pauses between"
    );
}
