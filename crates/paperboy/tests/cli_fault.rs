//! PostgreSQL stopped for ten seconds under load, through the real binary: while it
//! is down, requests get 503 with `Retry-After` (never a hang, never a 500); once it
//! is back, paperboy answers again without a restart; and no write that was
//! acknowledged is lost.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use paperboy_core::{ArxivId, Author, Paper};
use paperboy_store::{Batch, DatabaseUrl, Store, StoreOptions};
use paperboy_testkit::fixture_path;
use paperboy_testkit::postgres::{PgCluster, create_database, skip_or_fail};
use paperboy_testkit::process::Paperboy;

/// One answered request: when it started, its status, how long it took, and
/// whether a 503 said when to come back.
struct Answer {
    at: Instant,
    status: u16,
    took: Duration,
    retry_after: bool,
}

#[test]
fn postgres_down_for_ten_seconds_under_load() {
    let cluster = match PgCluster::start() {
        Ok(cluster) => cluster,
        Err(reason) => return skip_or_fail(&reason),
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let url = runtime.block_on(create_database(&cluster.url("postgres")));
    let dir = tempfile::tempdir().unwrap();
    let paperboy = Paperboy::new(env!("CARGO_BIN_EXE_paperboy"), dir.path())
        .env("PAPERBOY_DATABASE_URL", &url)
        .env("PAPERBOY_KEYPHRASES", "false");
    paperboy.run_ok(&[
        "import",
        fixture_path("hf_api/daily_papers_date_2026-08-21.json")
            .to_str()
            .unwrap(),
    ]);
    let server = Arc::new(paperboy.serve(&["--no-sample"]));
    let stop = Arc::new(AtomicBool::new(false));

    // Readers: the daily list page and API (from memory while nothing changes, so
    // also the paper page and search, which always need the database).
    let answers = Arc::new(Mutex::new(Vec::<Answer>::new()));
    let readers: Vec<_> = [
        "/api/papers/2608.19880",
        "/papers/date/2026-08-21",
        "/api/papers/search?q=agents",
        "/healthz",
    ]
    .into_iter()
    .map(|path| {
        let (server, stop, answers) = (server.clone(), stop.clone(), answers.clone());
        std::thread::spawn(move || {
            let client = reqwest::blocking::Client::builder()
                .no_proxy()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap();
            while !stop.load(Ordering::Relaxed) {
                let at = Instant::now();
                let (status, retry_after) = match client.get(format!("{}{path}", server.url)).send()
                {
                    Ok(response) => (
                        response.status().as_u16(),
                        response.headers().contains_key("retry-after"),
                    ),
                    Err(_) => (0, false),
                };
                answers.lock().unwrap().push(Answer {
                    at,
                    status,
                    took: at.elapsed(),
                    retry_after,
                });
                std::thread::sleep(Duration::from_millis(25));
            }
        })
    })
    .collect();

    // A writer through the store: each write it is told succeeded must survive.
    let acknowledged = Arc::new(Mutex::new(Vec::<ArxivId>::new()));
    let writer = {
        let (stop, acknowledged, url) = (stop.clone(), acknowledged.clone(), url.clone());
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Runtime::new().unwrap();
            runtime.block_on(async move {
                let database: DatabaseUrl = url.parse().unwrap();
                let options = StoreOptions {
                    acquire_timeout: Duration::from_secs(1),
                    ..StoreOptions::default()
                };
                let store = Store::connect(&database, options).await.unwrap();
                let mut n = 0u32;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let id = ArxivId::parse(&format!("2607.{n:05}")).unwrap();
                    let paper = Paper::new(
                        id.clone(),
                        format!("Written during the outage test, number {n}"),
                        "An abstract.".into(),
                        vec![Author::named("Fault Tester")],
                    );
                    let batch = Batch {
                        papers: vec![paper],
                        ..Batch::default()
                    };
                    if store.write(batch).await.is_ok() {
                        acknowledged.lock().unwrap().push(id);
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            });
        })
    };

    std::thread::sleep(Duration::from_secs(3));
    let down = Instant::now();
    cluster.stop();
    std::thread::sleep(Duration::from_secs(10));
    cluster.resume().unwrap();
    let up = Instant::now();
    std::thread::sleep(Duration::from_secs(10));
    stop.store(true, Ordering::Relaxed);
    for reader in readers {
        reader.join().unwrap();
    }
    writer.join().unwrap();

    let answers = answers.lock().unwrap();
    let before: Vec<&Answer> = answers.iter().filter(|a| a.at + a.took < down).collect();
    let during: Vec<&Answer> = answers
        .iter()
        .filter(|a| a.at > down && a.at < up)
        .collect();
    let settled = up + Duration::from_secs(5);
    let after: Vec<&Answer> = answers.iter().filter(|a| a.at > settled).collect();
    assert!(before.len() > 20 && during.len() > 20 && after.len() > 20);
    assert!(
        before.iter().all(|a| a.status == 200),
        "all good before the outage"
    );
    assert!(
        after.iter().all(|a| a.status == 200),
        "recovered without a restart: {:?}",
        after.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    for answer in answers.iter() {
        assert!(
            matches!(answer.status, 200 | 503),
            "only 503 while the database is away, got {}",
            answer.status
        );
        assert!(
            answer.status == 200 || answer.retry_after,
            "a 503 says when to retry"
        );
        assert!(
            answer.took < Duration::from_secs(10),
            "no request hangs ({:?})",
            answer.took
        );
    }
    assert!(
        during.iter().any(|a| a.status == 503),
        "the outage was seen"
    );

    // Every acknowledged write is there.
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() > 100, "{} writes", acknowledged.len());
    let database: DatabaseUrl = url.parse().unwrap();
    let stored = runtime.block_on(async {
        let store = Store::connect(&database, StoreOptions::default())
            .await
            .unwrap();
        store.records_by_ids(&acknowledged).await.unwrap().len()
    });
    assert_eq!(stored, acknowledged.len(), "acknowledged writes lost");
    let server = Arc::try_unwrap(server).ok().unwrap();
    let (status, stderr) = server.terminate();
    assert!(status.success(), "{stderr}");
}
