//! Two `paperboy serve` instances on one PostgreSQL database, through the real
//! binary: papers a third process imports are searchable through both within
//! seconds, and with the real local embedder each paper is embedded exactly once
//! across the two (rows written, as PostgreSQL counts them), and found by meaning
//! through either.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::time::{Duration, Instant};

use paperboy_testkit::process::{Paperboy, Server};
use paperboy_testkit::{fixture_path, model, postgres};
use sqlx::Connection;

/// 166 distinct real papers of one arXiv listing day.
const LISTING: &str = "arxiv_listing/daily_arxiv_ai_enhanced_2026-06-29.jsonl";
const PAPERS: i64 = 166;

/// Embeddings rows PostgreSQL has counted as inserted and as updated.
async fn embedding_writes(url: &str) -> (i64, i64, i64) {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    // Statistics reach the shared counters when a backend goes idle: wait for them.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    sqlx::query("SELECT pg_stat_clear_snapshot()")
        .execute(&mut conn)
        .await
        .unwrap();
    let (inserted, updated): (i64, i64) = sqlx::query_as(
        "SELECT n_tup_ins, n_tup_upd FROM pg_stat_user_tables WHERE relname = 'embeddings'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM embeddings")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    (rows, inserted, updated)
}

fn found(server: &Server, query: &str, id: &str) -> bool {
    let (status, body) = server.get(&format!("/api/papers/search?q={query}&limit=10"));
    status == 200 && body.contains(&format!("\"id\":\"{id}\""))
}

#[test]
fn two_instances_share_one_postgres() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(url) = runtime.block_on(postgres::fresh_database()) else {
        return;
    };
    let model_dir = model::model_dir();
    let embedder = format!("local:{}", model_dir.display());
    let binary = env!("CARGO_BIN_EXE_paperboy");
    let dirs = [(); 3].map(|()| tempfile::tempdir().unwrap());
    let instance = |dir: &tempfile::TempDir| {
        Paperboy::new(binary, dir.path())
            .env("PAPERBOY_DATABASE_URL", &url)
            .env("PAPERBOY_EMBEDDER", &embedder)
            .env("PAPERBOY_KEYPHRASES", "false")
    };
    let (a, b) = (
        instance(&dirs[0]).serve(&["--no-sample"]),
        instance(&dirs[1]).serve(&["--no-sample"]),
    );
    for server in [&a, &b] {
        server.wait_for("semantic search to load", Duration::from_secs(60), |s| {
            let (_, body) = s.get("/search?q=x&mode=semantic");
            !body.contains("still being fetched or loaded") && !body.contains("no embedder")
        });
    }

    // A third process imports; both instances find the papers within 5 s.
    let importer = Paperboy::new(binary, dirs[2].path()).env("PAPERBOY_DATABASE_URL", &url);
    importer.run_ok(&["import", fixture_path(LISTING).to_str().unwrap()]);
    let imported = Instant::now();
    let title_words = "Doppler+Tracking+Artemis";
    for server in [&a, &b] {
        server.wait_for(
            "the imported paper in search",
            Duration::from_secs(5),
            |s| found(s, title_words, "2606.27531"),
        );
    }
    eprintln!(
        "searchable on both instances {:?} after the import",
        imported.elapsed()
    );

    // The embedding backlog: one instance embeds, every paper exactly once.
    let started = Instant::now();
    loop {
        let (rows, _, _) = runtime.block_on(embedding_writes(&url));
        if rows == PAPERS {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(180),
            "{rows} of {PAPERS} embedded"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    // A while longer: a second embedder would show now.
    std::thread::sleep(Duration::from_secs(3));
    let (rows, inserted, updated) = runtime.block_on(embedding_writes(&url));
    assert_eq!(
        (rows, inserted, updated),
        (PAPERS, PAPERS, 0),
        "embedded exactly once"
    );

    // Both instances search by meaning, whichever one embedded.
    let description =
        "students+following+a+crewed+moon+capsule%27s+radio+signal+to+measure+its+velocity+shift";
    for server in [&a, &b] {
        server.wait_for(
            "the vectors on every instance",
            Duration::from_secs(10),
            |s| {
                let (_, body) = s.get(&format!("/api/papers/search?q={description}&limit=3"));
                body.contains("\"id\":\"2606.27531\"")
            },
        );
    }
    for server in [a, b] {
        let (status, stderr) = server.terminate();
        assert!(status.success(), "{stderr}");
    }
}
