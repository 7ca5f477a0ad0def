//! Parity of the two engines through the real binary: the Hugging Face daily archive
//! imported into SQLite and into PostgreSQL gives identical `/api/daily_papers`
//! answers for every date in it, identical `stats --json`, and identical search
//! results for a fixed set of queries.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::path::PathBuf;

use paperboy_testkit::process::Paperboy;
use paperboy_testkit::{fixture_path, postgres, shared_data};

/// The archive to import: the real one from `../shared/data` when present, else the
/// committed HF recordings.
fn archive() -> Vec<PathBuf> {
    match shared_data("hf_daily_papers_2024-05-27_2026-08-21.jsonl.gz") {
        Some(path) => vec![path],
        // Without the shared data: the recorded lists that name their own day (the
        // 2024 one predates `submittedOnDailyAt` and would need `--daily-date`).
        None => [
            "hf_api/daily_papers_date_2025-06-02.json",
            "hf_api/daily_papers_date_2026-08-21.json",
        ]
        .into_iter()
        .map(fixture_path)
        .collect(),
    }
}

const QUERIES: [&str; 12] = [
    "diffusion",
    "large language models",
    "reinforcement learning from human feedback",
    "video generation",
    "mixture of experts",
    "\"chain of thought\"",
    "author:Wang",
    "cat:cs.CV agents",
    "after:2025-06 reasoning",
    "has:code retrieval",
    "zzzyqx",
    "2405.15734",
];

#[test]
fn sqlite_and_postgres_answer_the_same() {
    let Some(pg_url) = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(postgres::fresh_database())
    else {
        return;
    };
    let (sqlite_dir, pg_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let binary = env!("CARGO_BIN_EXE_paperboy");
    // No background key phrases: both servers answer from the imported data alone.
    let sqlite = Paperboy::new(binary, sqlite_dir.path()).env("PAPERBOY_KEYPHRASES", "false");
    let pg = Paperboy::new(binary, pg_dir.path())
        .env("PAPERBOY_KEYPHRASES", "false")
        .env("PAPERBOY_DATABASE_URL", &pg_url);

    let files = archive();
    let files: Vec<&str> = files.iter().map(|f| f.to_str().unwrap()).collect();
    let mut import = vec!["import", "--json"];
    import.extend(&files);
    let (into_sqlite, into_pg) = (sqlite.run_ok(&import), pg.run_ok(&import));
    let written = |json: &str| {
        let summary: serde_json::Value = serde_json::from_str(json).unwrap();
        (
            summary["papers_inserted"].clone(),
            summary["entries_inserted"].clone(),
        )
    };
    assert_eq!(written(&into_sqlite), written(&into_pg));
    let stats = sqlite.stats();
    assert_eq!(stats, pg.stats(), "stats --json");
    assert!(stats["daily_entries"].as_u64().unwrap() > 0);

    let (a, b) = (sqlite.serve(&["--no-sample"]), pg.serve(&["--no-sample"]));
    // Every date from the first list to the last, listed or not.
    let last: jiff::civil::Date = stats["latest_daily_day"].as_str().unwrap().parse().unwrap();
    let mut days = Vec::new();
    let mut day: jiff::civil::Date = "2024-05-27".parse().unwrap();
    while day <= last {
        days.push(day.to_string());
        day = day.tomorrow().unwrap();
    }
    let mut compared = 0;
    for day in &days {
        let path = format!("/api/daily_papers?date={day}");
        let (left, right) = (a.get(&path), b.get(&path));
        assert_eq!(left, right, "GET {path}");
        assert_eq!(left.0, 200, "GET {path}: {}", left.1);
        compared += usize::from(left.1 != "[]");
    }
    assert!(compared > 0, "some days have lists");
    for path in [
        "/api/daily_papers",
        "/api/daily_papers?sort=trending&limit=30",
    ] {
        assert_eq!(a.get(path), b.get(path), "GET {path}");
    }
    for query in QUERIES {
        let q: String = url_encode(query);
        for path in [
            format!("/api/papers/search?q={q}&limit=20"),
            format!("/search?q={q}&mode=keyword"),
        ] {
            let (left, right) = (a.get(&path), b.get(&path));
            assert_eq!(left.0, 200, "GET {path}: {}", left.1);
            assert_eq!(left, right, "GET {path}");
        }
    }
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
