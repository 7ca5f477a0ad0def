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

/// The recorded HF daily lists as archive lines (`{"daily_date", "item"}`): 37
/// real papers, 35 of them with `ai_keywords`.
fn archive_slice(dir: &Path) -> std::path::PathBuf {
    let mut lines = Vec::new();
    for day in ["2025-06-02", "2026-08-21"] {
        let path = fixture_path(&format!("hf_api/daily_papers_date_{day}.json"));
        let items: Vec<serde_json::Value> =
            serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("JSON");
        for item in items {
            lines.push(serde_json::json!({"daily_date": day, "item": item}).to_string());
        }
    }
    let file = dir.join("archive.jsonl");
    std::fs::write(&file, lines.join("\n")).expect("written");
    file
}

#[test]
fn eval_keyphrases_reports_precision_and_recall_of_both_halves() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let archive = archive_slice(dir.path());
    let archive = archive.display().to_string();
    let out = paperboy(dir.path(), &["eval-keyphrases", &archive, "--json"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["corpus"], 37, "{report}");
    let papers = |half: &str| report[half]["papers"].as_u64().expect("papers");
    assert!(papers("report") > 0 && papers("tune") > 0, "{report}");
    assert_eq!(papers("report") + papers("tune"), 35, "{report}");
    let mut found = 0;
    for half in ["tune", "report"] {
        for how in ["exact", "head"] {
            let figures = &report[half][how];
            for figure in ["precision", "recall"] {
                let value = figures[figure].as_f64().expect("a figure");
                assert!(
                    (0.0..=1.0).contains(&value),
                    "{half} {how} {figure}: {value}"
                );
            }
            found += figures["extracted_matched"].as_u64().expect("a count");
        }
    }
    assert!(found > 0, "some phrases match HF's keywords: {report}");

    let out = paperboy(dir.path(), &["eval-keyphrases", &archive], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    for row in ["held-out half", "exact precision", "head-word recall"] {
        assert!(table.contains(row), "{table}");
    }

    let out = paperboy(
        dir.path(),
        &[
            "eval-keyphrases",
            &fixture_path("arxiv_listing/daily_arxiv_ai_enhanced_2026-06-29.jsonl")
                .display()
                .to_string(),
        ],
        &[],
    );
    assert!(!out.status.success(), "an arXiv listing has no ai_keywords");
    assert!(
        text(&out.stderr).contains("ai_keywords"),
        "{}",
        text(&out.stderr)
    );
}
