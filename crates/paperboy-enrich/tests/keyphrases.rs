//! The key-phrase job on real papers through a real store and a real keyword index:
//! what it writes reaches `ai_keywords`, a source's keywords win, reruns do nothing,
//! changed papers are redone, and the background loop follows new papers.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::sync::Arc;
use std::time::{Duration, Instant};

use paperboy_core::{ArxivId, Paper};
use paperboy_enrich::keyphrase::job::{KeyphraseJob, backlog_len, run_keyphrases};
use paperboy_jobs::{DEFAULT_LEASE, JobContext, Runner};
use paperboy_search::follow::IndexFollower;
use paperboy_store::{Backend, Batch, Store};
use paperboy_testkit::TestDb;
use paperboy_testkit::corpus::{CORPUS_PAPERS, indexed_corpus};
use tokio_util::sync::CancellationToken;

/// 16 of the 17 HF papers of the corpus carry `ai_keywords`.
const WITH_SOURCE_KEYWORDS: u64 = 16;

async fn indexed_store() -> (TestDb, Store, IndexFollower) {
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    let store = db.open().await;
    let follower = indexed_corpus(&store, &db.dir.path().join("index")).await;
    (db, store, follower)
}

async fn keywords(store: &Store, id: &str) -> Vec<String> {
    let id = ArxivId::parse(id).unwrap();
    store
        .paper(&id)
        .await
        .unwrap()
        .unwrap()
        .record
        .paper
        .ai_keywords
}

async fn stored_paper(store: &Store, id: &str) -> Paper {
    let mut paper = store
        .papers_changed_since(&Default::default(), 1_000)
        .await
        .unwrap()
        .into_iter()
        .map(|(p, _)| p)
        .find(|p| p.id.as_str() == id)
        .unwrap();
    paper.ai_keywords.clear();
    paper
}

#[tokio::test]
async fn phrases_reach_ai_keywords_reruns_do_nothing_and_changes_are_redone() {
    let (_dir, store, follower) = indexed_store().await;
    let index = follower.index().clone();
    let waiting = backlog_len(&store, &index).await.unwrap();
    assert_eq!(waiting, CORPUS_PAPERS - WITH_SOURCE_KEYWORDS);

    let ctx = JobContext::quiet(CancellationToken::new());
    let started = Instant::now();
    let done = run_keyphrases(&store, &index, &ctx).await.unwrap();
    eprintln!(
        "{} papers in {:.2}s ({:.0}/s)",
        done.done,
        started.elapsed().as_secs_f64(),
        done.done as f64 / started.elapsed().as_secs_f64()
    );
    assert_eq!((done.done, done.unchanged), (waiting, 0));
    assert_eq!(backlog_len(&store, &index).await.unwrap(), 0);
    assert_eq!(store.keyphrase_count().await.unwrap(), waiting);

    let doppler = keywords(&store, "2606.27531").await;
    assert!((3..=5).contains(&doppler.len()), "{doppler:?}");
    assert!(
        doppler.contains(&"Orion spacecraft".to_owned()),
        "{doppler:?}"
    );
    assert_eq!(
        keywords(&store, "2608.19880").await[..2],
        ["LLM agents", "Environment Harness"],
        "Hugging Face's keywords stay"
    );

    let again = run_keyphrases(&store, &index, &ctx).await.unwrap();
    assert_eq!((again.done, again.unchanged), (0, 0));

    // A new version with another abstract is redone; a paper that only gained an
    // announcement day is marked current; a paper the index has not taken in yet waits.
    let mut revised = stored_paper(&store, "2606.27531").await;
    revised.version = Some(revised.version.unwrap_or(1) + 1);
    revised.summary = "We track the Lunar Gateway with a software-defined radio and \
                       Doppler measurements of its Ka-band downlink. The Lunar Gateway \
                       orbit is a near-rectilinear halo orbit."
        .into();
    let mut touched = stored_paper(&store, "2606.27670").await;
    touched.announced.insert(jiff::civil::date(2026, 7, 1));
    store
        .write(Batch {
            papers: vec![revised, touched],
            ..Batch::default()
        })
        .await
        .unwrap();
    assert_eq!(
        backlog_len(&store, &index).await.unwrap(),
        0,
        "not indexed yet"
    );
    follower.catch_up(&store, &|_| {}).await.unwrap();
    let redo = run_keyphrases(&store, &index, &ctx).await.unwrap();
    assert_eq!((redo.done, redo.unchanged), (1, 1));
    let revised = keywords(&store, "2606.27531").await;
    assert!(revised.contains(&"Lunar Gateway".to_owned()), "{revised:?}");
}

#[tokio::test]
async fn a_stopped_run_does_nothing() {
    let (_dir, store, follower) = indexed_store().await;
    let stopped = CancellationToken::new();
    stopped.cancel();
    let ctx = JobContext::quiet(stopped);
    let done = run_keyphrases(&store, follower.index(), &ctx)
        .await
        .unwrap();
    assert_eq!(done.done, 0);
}

#[tokio::test]
async fn the_background_loop_follows_new_papers_and_stops_on_request() {
    let (_dir, store, follower) = indexed_store().await;
    let runner = Runner::new(
        store.clone(),
        Arc::new(paperboy_core::SystemClock),
        "test",
        DEFAULT_LEASE,
    );
    runner.spawn(Arc::new(KeyphraseJob::new(
        store.clone(),
        follower.index().clone(),
    )));

    // Writing and indexing go on while the job runs.
    let mut paper = stored_paper(&store, "2606.27670").await;
    paper.id = ArxivId::parse("2607.00001").unwrap();
    paper.title = "Mamba State Space Models for Cryptocurrency Forecasting".into();
    let written = Instant::now();
    store
        .write(Batch {
            papers: vec![paper],
            ..Batch::default()
        })
        .await
        .unwrap();
    follower.catch_up(&store, &|_| {}).await.unwrap();
    assert!(
        written.elapsed() < Duration::from_secs(5),
        "writes do not wait for the job"
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    while keywords(&store, "2607.00001").await.is_empty() {
        assert!(
            Instant::now() < deadline,
            "the job never reached the new paper"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(backlog_len(&store, follower.index()).await.unwrap(), 0);

    tokio::time::timeout(Duration::from_secs(10), runner.shutdown())
        .await
        .expect("the job stops when asked");
}
